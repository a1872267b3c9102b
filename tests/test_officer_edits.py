"""Nothing the officer changed in the outbox is deleted or overwritten (issue #23, first
part): the report completed in Word, notes added to the workbook, a file added to the set
survive every later run, beside the new drafts, and the summary names both paths."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import stat
import unicodedata

import docx
import openpyxl

from pipeline import cli
from pipeline.app import consolidate_into
from pipeline.outbox.kept import RECORD
from pipeline.outbox.paths import REPORT, document_path, previous_dir, workbook_path, year_dir
from pipeline.render.document import TO_COMPLETE_LINES, write_document
from pipeline.render.narrative import load_wording
from pipeline.render.official import DOT

from . import lo


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


def test_a_set_written_before_records_keeps_the_edit_and_runs(form, make_file, tmp_path):
    # was: "keeps nothing"; without a record nothing is proven the program's (brk-s3 A2)
    inbox, outbox = _inbox(make_file), tmp_path / "out"
    consolidate_into(form, inbox, outbox, show_progress=False)
    for record in year_dir(outbox, form.year).glob(f"*{RECORD}"):
        record.unlink()
    _complete_in_word(document_path(outbox, form.year), "sửa")
    report = consolidate_into(form, inbox, outbox, show_progress=False)
    document = document_path(outbox, form.year)
    mine = document.with_name(f"{document.stem}-ban-da-sua{document.suffix}")
    kept = [{k: e.get(k) for k in ("officer", "new")} for e in report.outputs["kept"]]
    assert {"officer": str(mine), "new": str(document)} in kept
    assert "sửa" in _paragraphs(mine)
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


# ----- the sections the officer writes are carried into the next draft (issue #23, item 1) -----
WRITTEN = ["Đề nghị Sở Tài chính bố trí kinh phí năm sau.", "Đề nghị ưu tiên trẻ em vùng lũ."]


def _dotted(p) -> bool:
    text = p.text.strip()
    return bool(text) and set(text) <= {DOT}


def _all_dots(form) -> int:
    """The dotted lines of a draft nothing is carried into: those of each section the officer
    writes (the wording's sections of kind "proposals")."""
    kinds = [s.get("kind") for s in load_wording(form.document)["sections"]]
    return TO_COMPLETE_LINES * kinds.count("proposals")


def _officer_heading(doc) -> int:
    """Index (in `doc.paragraphs`) of the heading of the section the officer writes: the
    paragraph just above its dotted lines."""
    return next(i for i, p in enumerate(doc.paragraphs) if _dotted(p)) - 1


def _write_as_word(path, under_computed: str = "") -> str:
    """Write in the section the officer writes as Word would: the dotted lines replaced by
    two paragraphs, the second with a bold run; optionally a line added in section I too.
    Returns the section's heading."""
    doc = docx.Document(str(path))
    at = _officer_heading(doc)
    dots = [p for p in doc.paragraphs[at + 1 :] if _dotted(p)]
    for p, text in zip(dots, WRITTEN, strict=False):
        for r in p.runs:
            r.text = ""
        p.runs[0].text = text
    dots[1].runs[0].text = "Đề nghị "
    dots[1].add_run(WRITTEN[1].removeprefix("Đề nghị ")).bold = True
    for p in dots[2:]:
        p._p.getparent().remove(p._p)
    if under_computed:  # a line under section I's heading, which the data give
        first = next(i for i, p in enumerate(doc.paragraphs) if p.text.startswith("I. "))
        doc.paragraphs[first + 1].insert_paragraph_before(under_computed)
        at += 1
    heading = doc.paragraphs[at].text
    doc.save(str(path))
    return heading


def _under(path, heading: str) -> list:
    """The paragraphs of `path` between `heading` and the next heading or the end."""
    doc = docx.Document(str(path))
    start = next(i for i, p in enumerate(doc.paragraphs) if p.text == heading) + 1
    out = []
    for p in doc.paragraphs[start:]:
        if re.match(r"^[IVX]+\. ", p.text) or not p.text.strip():
            break
        out.append(p)
    return out


def test_the_officers_sections_are_carried_into_the_next_draft(form, make_file, tmp_path, capsys):
    inbox, outbox = _inbox(make_file), tmp_path / "out"
    args = ["consolidate", "--inbox", str(inbox), "--outbox", str(outbox)]
    assert cli.main(args) == cli.EXIT_OK
    document = document_path(outbox, form.year)
    heading = _write_as_word(document, under_computed="Ghi chú của Sở trong mục số liệu.")
    edited = hashlib.sha256(document.read_bytes()).hexdigest()
    make_file("900")  # a new unit: the computed sections change
    capsys.readouterr()

    assert cli.main(args) == cli.EXIT_OK
    out = capsys.readouterr().out
    mine = document.with_name(f"{document.stem}-ban-da-sua{document.suffix}")
    assert hashlib.sha256(mine.read_bytes()).hexdigest() == edited  # the officer's copy unchanged
    carried = _under(document, heading)
    assert [p.text for p in carried] == WRITTEN
    assert [bool(r.bold) for r in carried[1].runs] == [False, True]
    number = heading.split(".", 1)[0]
    assert f"đã chép phần anh/chị viết (mục {number}) sang bản dự thảo mới" in out
    assert str(mine) in out and str(document) in out

    # everything else is the draft the data give: a draft written now without the officer's
    # text, with the dots replaced by what they wrote (the new unit's figures, nothing of
    # what the officer added in a computed section)
    assert "Ghi chú của Sở trong mục số liệu." not in _paragraphs(document)
    plain = tmp_path / "plain.docx"
    fresh = consolidate_into(form, inbox, tmp_path / "fresh", show_progress=False)
    write_document(fresh, plain)
    expected = []
    dots = 0  # the first section the officer writes holds what they wrote; the others their dots
    for p in docx.Document(str(plain)).paragraphs:
        if _dotted(p):
            dots += 1
            if dots <= TO_COMPLETE_LINES:
                if WRITTEN[0] not in expected:
                    expected += WRITTEN
                continue
        expected.append(p.text)
    assert _paragraphs(document) == expected
    assert _paragraphs(mine) != expected  # the figures changed with the new unit

    # LibreOffice opens the new draft and prints the officer's text in it
    lo.require_poppler()
    lo.require_soffice()
    pdf = lo.to_pdf(document, tmp_path / "pdf")
    printed = " ".join(" ".join(unicodedata.normalize("NFC", t).split()) for t in lo.pdf_page_texts(pdf))
    assert all(text in printed for text in WRITTEN)

    # a later run with no new edit carries the same text again, from the kept copy
    assert cli.main(args) == cli.EXIT_OK
    assert [p.text for p in _under(document, heading)] == WRITTEN
    assert hashlib.sha256(mine.read_bytes()).hexdigest() == edited


def test_an_untouched_draft_carries_nothing(form, make_file, tmp_path):
    inbox, outbox = _inbox(make_file), tmp_path / "out"
    consolidate_into(form, inbox, outbox, show_progress=False)
    report = consolidate_into(form, inbox, outbox, show_progress=False)
    assert report.outputs["kept"] == []
    doc = docx.Document(str(document_path(outbox, form.year)))
    assert sum(_dotted(p) for p in doc.paragraphs) == _all_dots(form)


def test_a_removed_heading_carries_nothing_a_renamed_one_keeps_its_section(form, make_file, tmp_path):
    """A heading removed: what was under it is in the section before (one the data give),
    named, never carried. A heading renamed (the draft's bookmark on it kept): still its
    section's, carried there under the new draft's heading (issue #23, carry6)."""
    inbox = _inbox(make_file)
    for change in ("rename", "remove"):
        outbox = tmp_path / f"out-{change}"  # each change on a draft of its own
        document = document_path(outbox, form.year)
        consolidate_into(form, inbox, outbox, show_progress=False)
        _write_as_word(document)
        doc = docx.Document(str(document))
        head = doc.paragraphs[next(i for i, p in enumerate(doc.paragraphs) if p.text == WRITTEN[0]) - 1]
        heading = head.text
        if change == "rename":
            head.runs[0].text = "VIII. Kiến nghị của Sở"
            for r in head.runs[1:]:
                r.text = ""
        else:
            head._p.getparent().remove(head._p)
        doc.save(str(document))
        report = consolidate_into(form, inbox, outbox, show_progress=False)
        if change == "rename":
            assert [p.text for p in _under(document, heading)] == WRITTEN
            continue
        assert not any(k.get("carried") for k in report.outputs["kept"])
        texts = _paragraphs(document)
        assert WRITTEN[0] not in texts and sum(
            _dotted(p) for p in docx.Document(str(document)).paragraphs
        ) == _all_dots(form)


def test_a_draft_saved_by_an_office_application_is_carried(form, make_file, tmp_path):
    """The officer's draft as LibreOffice saves it (its own runs, styles, bookmarks and
    comment anchors) carries the same paragraphs."""
    lo.require_soffice()
    inbox, outbox = _inbox(make_file), tmp_path / "out"
    consolidate_into(form, inbox, outbox, show_progress=False)
    document = document_path(outbox, form.year)
    heading = _write_as_word(document)
    saved = lo.convert(document, tmp_path / "lo", "docx:MS Word 2007 XML")
    document.write_bytes(saved.read_bytes())
    make_file("900")
    report = consolidate_into(form, inbox, outbox, show_progress=False)
    assert [p.text for p in _under(document, heading)] == WRITTEN
    assert [k["carried"] for k in report.outputs["kept"] if k.get("carried")] == [[heading.split(".")[0]]]
