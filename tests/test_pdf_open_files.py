"""`pdf` while the report or the workbook is open in Word, Excel or LibreOffice (breaker brk11,
S3): what the officer has not saved is not in the PDF, so the command says which file is
open, how it sees it, and to save and close it, then run again (it printed without a word).

The lock files are those the office suites leave beside an open document: Word's owner file
over the name's first two characters (`~$o-cao-588-2025.docx`, 162 bytes starting with the
user's name), LibreOffice's `.~lock.<name>#` (a line "user,host,path,date,token;").
"""

from __future__ import annotations

import pytest

from pipeline.app import consolidate_into
from pipeline.outbox.paths import document_path, office_locks, pdf_path, workbook_path

from . import lo
from .clirun import run_cli


def _word_owner_file(name: str) -> bytes:
    """The bytes of Word's owner file: the user's name, length-prefixed, padded to 162 bytes."""
    user = "Nguyen Van A".encode("latin-1")
    return (bytes([len(user)]) + user).ljust(54, b"\0") + b"\0" * 108


@pytest.mark.libreoffice
def test_pdf_warns_of_the_report_and_workbook_open_in_an_office_suite(form, make_file, tmp_path):
    lo.require_soffice()
    make_file("899")
    outbox = tmp_path / "out"
    consolidate_into(form, tmp_path / "inbox", outbox, show_progress=False)
    draft, wb = document_path(outbox, form.year), workbook_path(outbox, form.year)
    word = draft.with_name("~$" + draft.name[2:])
    word.write_bytes(_word_owner_file(draft.name))
    office = wb.with_name(f".~lock.{wb.name}#")
    office.write_text(f"Nguyen Van A,may-so,/home/a,05.12.2026 09:00,file://{wb};", encoding="utf-8")
    draft.with_name("~$i-tiet-588-2025.csv").write_bytes(b"x")  # another file's lock: no warning

    done = run_cli("pdf", "--outbox", str(outbox), timeout=600)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:2] == [
        f"Lưu ý: tệp {draft} đang mở trong Word, Excel hoặc LibreOffice (bên cạnh có tệp khóa {word.name}): "
        "những gì anh/chị sửa trong đó mà chưa lưu không có trong PDF này. Hãy lưu và đóng tệp đó, rồi chạy "
        "lại lệnh pdf.",
        f"Lưu ý: tệp {wb} đang mở trong Word, Excel hoặc LibreOffice (bên cạnh có tệp khóa {office.name}): "
        "những gì anh/chị sửa trong đó mà chưa lưu không có trong PDF này. Hãy lưu và đóng tệp đó, rồi chạy "
        "lại lệnh pdf.",
    ]
    assert sum("Lưu ý: tệp" in line for line in lines) == 2
    assert pdf_path(outbox, form.year).is_file()  # made all the same, as last saved

    word.unlink()
    office.unlink()
    done = run_cli("pdf", "--outbox", str(outbox), timeout=600)
    assert "đang mở" not in done.stdout


def test_office_locks_knows_each_suite_s_name_for_a_document(tmp_path):
    """Word drops one or two of a name's first characters, Excel none; case is ignored."""
    doc = tmp_path / "Bao-Cao.docx"
    doc.write_bytes(b"")
    assert office_locks(doc) == []
    for name in ("~$o-Cao.docx", "~$AO-CAO.DOCX", "~$Bao-Cao.docx", ".~lock.Bao-Cao.docx#"):
        (tmp_path / name).write_bytes(b"")
        assert [p.name for p in office_locks(doc)] == [name]
        (tmp_path / name).unlink()
    (tmp_path / "~$Cao.docx").write_bytes(b"")  # three characters dropped: another file's
    assert office_locks(doc) == []


def test_consolidate_says_which_file_of_the_previous_set_is_open(form, make_file, tmp_path, capsys):
    """brk14 F2's start: the draft open in Word while a run writes the new set, then saved over
    it. The run says the open copy is the previous run's and not to save it over the new one
    (it said nothing on Linux, where nothing stops the run); a lock of another file is none."""
    from pipeline.render.summary import print_summary

    make_file("899")
    out = tmp_path / "out"
    consolidate_into(form, tmp_path / "inbox", out, show_progress=False)
    draft = document_path(out, form.year)
    draft.with_name("~$" + draft.name[2:]).write_bytes(_word_owner_file(draft.name))
    draft.with_name("~$i-tiet-588-2025.csv").write_bytes(b"x")  # another file's lock
    make_file("900")
    report = consolidate_into(form, tmp_path / "inbox", out, show_progress=False)
    assert report.outputs["open"] == [draft.name]
    capsys.readouterr()
    print_summary(report)
    said = capsys.readouterr().out
    assert f"Lưu ý: tệp {draft.name} của lần tổng hợp trước đang mở" in said, said
    assert f"Bản mới đã ghi vào {draft}" in said and "không lưu đè lên bản mới" in said
    assert "workbook" not in said and said.count("đang mở (Word") == 1

    report = consolidate_into(form, tmp_path / "inbox", out, show_progress=False)  # closed since
    assert report.outputs["open"] == []
