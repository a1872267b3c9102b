"""Nothing the officer changed in the outbox is deleted or overwritten (issue #23, first
part): the report completed in Word, notes added to the workbook, a file added to the set
survive every later run, beside the new drafts, and the summary names both paths."""

from __future__ import annotations

import errno
import json
import os
import stat

import docx
import openpyxl

from pipeline import cli
from pipeline.app import consolidate_into
from pipeline.outbox.kept import RECORD
from pipeline.outbox.paths import REPORT, document_path, previous_dir, workbook_path, year_dir


def _inbox(make_file):
    path, _ = make_file("899")
    make_file("SYT")
    return path.parent


def _complete_in_word(path, text: str) -> None:
    doc = docx.Document(str(path))
    doc.add_paragraph(text)
    doc.save(str(path))


def _paragraphs(path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs]


def test_the_completed_report_survives_every_later_run(form, make_file, tmp_path, capsys):
    inbox, outbox = _inbox(make_file), tmp_path / "out"
    args = ["consolidate", "--inbox", str(inbox), "--outbox", str(outbox)]
    assert cli.main(args) == cli.EXIT_OK
    document = document_path(outbox, form.year)
    _complete_in_word(document, "Đánh giá của Sở: đã hoàn thành chỉ tiêu.")
    capsys.readouterr()

    assert cli.main(args) == cli.EXIT_OK
    out = capsys.readouterr().out
    mine = document.with_name(f"{document.stem}-ban-da-sua{document.suffix}")
    assert "Đánh giá của Sở: đã hoàn thành chỉ tiêu." in _paragraphs(mine)
    assert "Đánh giá của Sở: đã hoàn thành chỉ tiêu." not in _paragraphs(document)  # a new draft
    assert str(mine) in out and str(document) in out

    for _ in range(3):  # the previous set is pruned run after run: the officer's copy stays
        assert cli.main(args) == cli.EXIT_OK
    assert "Đánh giá của Sở: đã hoàn thành chỉ tiêu." in _paragraphs(mine)
    assert sorted(p.name for p in year_dir(outbox, form.year).glob("*.docx")) == sorted(
        [document.name, mine.name]
    )
    record = json.loads((year_dir(outbox, form.year) / RECORD).read_text("utf-8"))
    assert record[mine.name]["officer"] is True and record[document.name]["officer"] is False


def test_notes_in_the_workbook_and_an_added_file_are_kept(form, make_file, tmp_path):
    inbox, outbox = _inbox(make_file), tmp_path / "out"
    consolidate_into(form, inbox, outbox, show_progress=False)
    workbook = workbook_path(outbox, form.year)
    wb = openpyxl.load_workbook(workbook)
    wb.worksheets[0]["A1"].value = "Ghi chú của cán bộ"
    wb.save(workbook)
    (year_dir(outbox, form.year) / "ghi-chu.txt").write_text("gọi lại cho 900", encoding="utf-8")

    report = consolidate_into(form, inbox, outbox, show_progress=False)
    current = year_dir(outbox, form.year)
    kept = {k["officer"]: k["new"] for k in report.outputs["kept"]}
    mine = current / f"{workbook.stem}-ban-da-sua{workbook.suffix}"
    assert kept == {str(mine): str(workbook), str(current / "ghi-chu.txt"): ""}
    assert openpyxl.load_workbook(mine).worksheets[0]["A1"].value == "Ghi chú của cán bộ"
    assert openpyxl.load_workbook(workbook).worksheets[0]["A1"].value != "Ghi chú của cán bộ"
    assert (current / "ghi-chu.txt").read_text(encoding="utf-8") == "gọi lại cho 900"


def test_an_untouched_set_keeps_nothing_extra(form, make_file, tmp_path):
    inbox, outbox = _inbox(make_file), tmp_path / "out"
    consolidate_into(form, inbox, outbox, show_progress=False)
    before = sorted(
        p.relative_to(year_dir(outbox, form.year)) for p in year_dir(outbox, form.year).rglob("*")
    )
    report = consolidate_into(form, inbox, outbox, show_progress=False)
    assert report.outputs["kept"] == []
    after = sorted(p.relative_to(year_dir(outbox, form.year)) for p in year_dir(outbox, form.year).rglob("*"))
    assert after == before
    assert sorted(p.name for p in previous_dir(outbox, form.year).iterdir()) == sorted(
        str(p) for p in before if "/" not in str(p)
    )


def test_a_set_written_before_records_keeps_nothing_and_runs(form, make_file, tmp_path):
    inbox, outbox = _inbox(make_file), tmp_path / "out"
    consolidate_into(form, inbox, outbox, show_progress=False)
    (year_dir(outbox, form.year) / RECORD).unlink()
    _complete_in_word(document_path(outbox, form.year), "sửa")
    report = consolidate_into(form, inbox, outbox, show_progress=False)
    assert report.outputs["kept"] == []
    assert (year_dir(outbox, form.year) / RECORD).is_file()


def test_a_read_only_previous_set_is_pruned_without_leftovers(form, make_file, tmp_path, monkeypatch):
    """A previous set whose files carry Windows' read-only attribute (set by the officer, or
    by a copy from a CD) is still pruned by a later run, and no hidden trash folder is left
    in the outbox. Windows refuses to delete such a file ("Access is denied", winerror 5);
    Python shows the attribute as a mode without the write bit, which is what is simulated
    here (root on Linux would delete it regardless)."""
    unlink = os.unlink

    def unlink_as_windows(path, *, dir_fd=None):  # noqa: ANN001
        mode = os.stat(path, dir_fd=dir_fd, follow_symlinks=False).st_mode
        if not stat.S_ISLNK(mode) and not mode & stat.S_IWRITE:
            exc = PermissionError(errno.EACCES, "Access is denied", os.fsdecode(path))
            exc.winerror = 5
            raise exc
        return unlink(path, dir_fd=dir_fd)

    monkeypatch.setattr(os, "unlink", unlink_as_windows)
    inbox, outbox = _inbox(make_file), tmp_path / "out"
    consolidate_into(form, inbox, outbox, show_progress=False)
    consolidate_into(form, inbox, outbox, show_progress=False)
    previous = previous_dir(outbox, form.year)
    for path in previous.rglob("*"):
        if path.is_file():
            path.chmod(0o444)
    consolidate_into(form, inbox, outbox, show_progress=False)
    assert sorted(p.name for p in outbox.iterdir() if p.name.startswith(f".{form.year}.")) == [
        f".{form.year}.lock"
    ]
    assert (previous / REPORT).stat().st_mode & stat.S_IWRITE  # the new previous set
