"""Nothing the officer changed in the outbox is deleted, wherever they changed it (issue #23,
item 1; brk-s3 A1, A2, B5).

- what the officer edits or adds in the previous set (`<year>-lan-truoc`) survives the run
  that prunes that set: kept in the new set, the summary says where it was and where it is;
- a set without its record (written before records, or the officer deleted the .json) keeps
  every file whose identity cannot be proven, and the new draft carries from the old one;
- a report saved under another name in the set (Word's "Save As") is the officer's newest
  version of the draft, carried from and named in the summary.

Every edit is made as the officer's application would make it: python-docx for Word,
openpyxl for Excel, a text file saved beside them.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import docx
import openpyxl

from pipeline import cli
from pipeline.app import consolidate_into
from pipeline.outbox.atomic import output_set
from pipeline.outbox.kept import RECORD
from pipeline.outbox.paths import document_path, previous_dir, workbook_path, year_dir

from . import lo
from .test_officer_edits import WRITTEN, _complete_in_word, _inbox, _under, _write_as_word

NOTE = "ghi-chu-cua-toi.txt"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _by_digest(folder: Path) -> dict[str, Path]:
    return {_sha(p): p for p in folder.rglob("*") if p.is_file()}


def _note_in_workbook(path: Path, text: str) -> None:
    book = openpyxl.load_workbook(path)
    book.worksheets[0]["A60"] = text
    book.save(path)


def test_edits_in_the_previous_set_survive_its_pruning(form, make_file, tmp_path, capsys):
    inbox, outbox = _inbox(make_file), tmp_path / "out"
    args = ["consolidate", "--inbox", str(inbox), "--outbox", str(outbox)]
    assert cli.main(args) == cli.EXIT_OK
    assert cli.main(args) == cli.EXIT_OK  # now the current and the previous set
    previous = previous_dir(outbox, form.year)
    draft = previous / document_path(outbox, form.year).name
    book = previous / workbook_path(outbox, form.year).name
    heading = _write_as_word(draft)  # Word's "recent files" still pointed at the older set
    _note_in_workbook(book, "Ghi chú của cán bộ trong bộ cũ")
    (previous / NOTE).write_text("gọi lại cho Hà Tiên", encoding="utf-8")
    theirs = {_sha(p): p for p in (draft, book, previous / NOTE)}
    digest = {p.name: d for d, p in theirs.items()}  # the paths hold the next set's files afterwards
    capsys.readouterr()

    assert cli.main(args) == cli.EXIT_OK  # the run that prunes that set
    out = capsys.readouterr().out
    current = year_dir(outbox, form.year)
    found = _by_digest(current)
    assert set(theirs) <= set(found), "an edit made in the previous set is lost"
    for sha, old in theirs.items():
        kept = found[sha]
        assert kept.parent == current
        assert f"{old}" in out and f"{kept}" in out  # both paths said
    kept_draft = found[digest[draft.name]]
    assert kept_draft.name == f"{draft.stem}-ban-da-sua{draft.suffix}"
    assert found[digest[book.name]].name == f"{book.stem}-ban-da-sua{book.suffix}"
    assert found[digest[NOTE]].name == NOTE
    assert "Giữ lại tệp anh/chị đã sửa hoặc thêm trong bộ kết quả cũ hơn" in out
    # what was written in that older draft is not carried, and said so once, of it alone (brk21)
    assert out.count("chưa được chép sang bản dự thảo mới") == 1, out
    assert (
        f"chưa được chép sang bản dự thảo mới ({document_path(outbox, form.year)}): hãy mở {kept_draft}"
        in out
    )

    for _ in range(2):  # later runs: still there, never copied twice, nothing set aside
        assert cli.main(args) == cli.EXIT_OK
    found = _by_digest(year_dir(outbox, form.year))
    assert set(theirs) <= set(found)
    assert len(list(current.glob("*.docx"))) == 2  # the draft and the one kept copy
    assert [p.name for p in outbox.iterdir() if "giu-lai" in p.name] == []
    assert [p.text for p in _under(kept_draft, heading)] == WRITTEN


def test_a_previous_set_with_unkept_work_is_set_aside_not_removed(form, make_file, tmp_path):
    """The last guard (`outbox.atomic`): a set made current by a writer that keeps nothing
    still never removes the officer's file from the set it prunes."""
    inbox, outbox = _inbox(make_file), tmp_path / "out"
    consolidate_into(form, inbox, outbox, show_progress=False)
    consolidate_into(form, inbox, outbox, show_progress=False)
    previous = previous_dir(outbox, form.year)
    (previous / NOTE).write_text("của tôi", encoding="utf-8")
    with output_set(outbox, form.year) as folder:
        (folder / "khac.txt").write_text("một bộ khác", encoding="utf-8")
    aside = previous.with_name(f"{previous.name}-giu-lai")
    assert (aside / NOTE).read_text(encoding="utf-8") == "của tôi"
    assert (year_dir(outbox, form.year) / "khac.txt").is_file()


def test_a_set_without_its_record_keeps_and_carries_the_officers_work(form, make_file, tmp_path):
    inbox, outbox = _inbox(make_file), tmp_path / "out"
    consolidate_into(form, inbox, outbox, show_progress=False)
    current = year_dir(outbox, form.year)
    document = document_path(outbox, form.year)
    heading = _write_as_word(document)
    edited = _sha(document)
    (current / NOTE).write_text("ghi chú", encoding="utf-8")
    for record in current.glob(f"*{RECORD}"):  # the record and any copy of it: an older set
        record.unlink()

    consolidate_into(form, inbox, outbox, show_progress=False)
    assert [p.text for p in _under(document, heading)] == WRITTEN  # carried from the old draft
    assert edited in _by_digest(current)  # the officer's draft itself, kept
    assert (current / NOTE).read_text(encoding="utf-8") == "ghi chú"

    consolidate_into(form, inbox, outbox, show_progress=False)  # the set without record is pruned
    assert edited in _by_digest(current)
    assert (current / NOTE).read_text(encoding="utf-8") == "ghi chú"
    assert [p.text for p in _under(document, heading)] == WRITTEN


def test_the_record_the_officer_deleted_is_read_from_its_hidden_copy(form, make_file, tmp_path):
    inbox, outbox = _inbox(make_file), tmp_path / "out"
    consolidate_into(form, inbox, outbox, show_progress=False)
    document = document_path(outbox, form.year)
    _complete_in_word(document, "sửa")
    (year_dir(outbox, form.year) / RECORD).unlink()  # "an unknown .json"
    report = consolidate_into(form, inbox, outbox, show_progress=False)
    mine = document.with_name(f"{document.stem}-ban-da-sua{document.suffix}")
    # exactly the officer's edit, as with the record: nothing the run wrote kept as theirs
    assert [{k: e[k] for k in ("officer", "new")} for e in report.outputs["kept"]] == [
        {"officer": str(mine), "new": str(document)}
    ]
    # the paragraph typed after the signature is named as not carried (`carried.py`)
    assert report.outputs["kept"][0].get("not_carried") == ["sau phần chữ ký: «sửa»"]
    assert "sửa" in [p.text for p in docx.Document(str(mine)).paragraphs]


def test_a_report_saved_under_another_name_is_the_newest_draft(form, make_file, tmp_path, capsys):
    inbox, outbox = _inbox(make_file), tmp_path / "out"
    args = ["consolidate", "--inbox", str(inbox), "--outbox", str(outbox)]
    assert cli.main(args) == cli.EXIT_OK
    document = document_path(outbox, form.year)
    heading = _write_as_word(document)
    assert cli.main(args) == cli.EXIT_OK  # the draft carries WRITTEN; a -ban-da-sua copy kept
    # the officer completes the new draft and saves it under a name of their own (Save As)
    doc = docx.Document(str(document))
    newest = "Đề nghị Bộ bổ sung kinh phí (bản cuối)."
    first = next(p for p in doc.paragraphs if p.text == WRITTEN[0])
    for r in first.runs[1:]:
        r.text = ""
    first.runs[0].text = newest
    saved = document.with_name("Bao cao gui Bo - ban cuoi.docx")
    doc.save(str(saved))
    later = document.stat().st_mtime + 120
    os.utime(saved, (later, later))
    other = docx.Document()  # another document the officer keeps there: not the report
    other.add_paragraph("Công văn đôn đốc")
    other.core_properties.title = "Công văn đôn đốc"
    other.save(str(document.with_name("cong-van.docx")))
    os.utime(document.with_name("cong-van.docx"), (later + 60, later + 60))
    make_file("900")
    capsys.readouterr()

    assert cli.main(args) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert [p.text for p in _under(document, heading)] == [newest, WRITTEN[1]]
    assert f"Giữ nguyên bản anh/chị đã sửa: {saved}; đã chép phần anh/chị viết" in out


def test_a_report_libreoffice_saved_under_another_name_is_carried_once_the_draft_is_gone(
    form, make_file, tmp_path, capsys
):
    """As in the report of brk-s3: the officer completes the draft, saves it under a name of
    their own in LibreOffice (which rewrites the whole file, keeping the title), and deletes
    the draft; the next run carries from that file and names it."""
    lo.require_soffice()
    inbox, outbox = _inbox(make_file), tmp_path / "out"
    args = ["consolidate", "--inbox", str(inbox), "--outbox", str(outbox)]
    assert cli.main(args) == cli.EXIT_OK
    document = document_path(outbox, form.year)
    heading = _write_as_word(document)
    converted = lo.convert(document, tmp_path / "lo", "docx:MS Word 2007 XML")
    saved = document.with_name("Báo cáo gửi Bộ - bản cuối.docx")
    saved.write_bytes(converted.read_bytes())
    document.unlink()
    make_file("900")
    capsys.readouterr()

    assert cli.main(args) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert [p.text for p in _under(document, heading)] == WRITTEN
    assert f"Giữ nguyên bản anh/chị đã sửa: {saved}; đã chép phần anh/chị viết" in out
