"""The PDF to sign prints the report of the current set (issue #23, "Everything said is about
the current set"), and each new draft carries what the officer typed in the fields an office
fills (issue #23, "Nothing the officer changed is ever deleted or overwritten").

A season as the officer lives it: `consolidate`, the draft completed in Word (a section the officer writes, the
document's number, the signer's title and name), more units arrive, `consolidate` again (the
officer's copy kept as `…-ban-da-sua.docx`, a new draft written), then `pdf`. The kept copy
holds the figures of the earlier set: it must never be printed beside the current biểu.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import docx
import pytest

from pipeline import cli
from pipeline.app import consolidate_into
from pipeline.form.model import is_pending_text
from pipeline.outbox.kept import RECORD, made_from, set_identity
from pipeline.outbox.paths import document_path, pdf_path, year_dir
from pipeline.render.official import DOT
from pipeline.render.pdf import pdf_document
from pipeline.render.summary import print_summary

from . import lo

NUMBER = "Số: 123/BC-SLĐTBXH"
TITLE = "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC"
NAME = "Trần Thị B"
PROPOSAL = "Đề nghị Bộ hỗ trợ kinh phí cho trẻ em vùng lũ."


def _dotted(p) -> bool:
    text = p.text.strip()
    return bool(text) and set(text) <= {DOT}


def _complete_as_the_officer(path, proposal: str = PROPOSAL) -> None:
    """What an officer types in Word: the proposal in the section the officer writes (over
    its dots), the document's number, the signer's title (two lines) and name."""
    doc = docx.Document(str(path))
    dots = [p for p in doc.paragraphs if _dotted(p)]
    dots[0].runs[0].text = proposal
    for p in dots[1:]:
        p._p.getparent().remove(p._p)
    doc.tables[0].rows[1].cells[0].paragraphs[0].runs[0].text = NUMBER
    sign = doc.tables[-1].rows[0].cells[1].paragraphs
    sign[0].runs[0].text = TITLE
    sign[-1].runs[0].text = NAME
    doc.save(str(path))


def _fields(path) -> tuple[str, str, str]:
    """The number, the signer's title and name as the draft at `path` prints them."""
    doc = docx.Document(str(path))
    sign = doc.tables[-1].rows[0].cells[1].paragraphs
    return doc.tables[0].rows[1].cells[0].text, sign[0].text, sign[-1].text


def _paragraphs(path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs]


def _season(form, make_file, tmp_path):
    """Two units consolidated, the draft completed by the officer, a third unit arrives and
    the inbox is consolidated again. Returns (outbox, the officer's kept copy, the report)."""
    make_file("899")
    make_file("SYT")
    inbox, outbox = tmp_path / "inbox", tmp_path / "out"
    consolidate_into(form, inbox, outbox, show_progress=False)
    draft = document_path(outbox, form.year)
    _complete_as_the_officer(draft)
    make_file("900")
    report = consolidate_into(form, inbox, outbox, show_progress=False)
    mine = draft.with_name(f"{draft.stem}-ban-da-sua{draft.suffix}")
    assert mine.is_file()
    return outbox, mine, report


def test_the_new_draft_carries_the_number_and_the_signer_the_officer_typed(form, make_file, tmp_path, capsys):
    outbox, mine, report = _season(form, make_file, tmp_path)
    draft = document_path(outbox, form.year)
    assert _fields(mine) == (NUMBER, TITLE, NAME)  # the officer's copy as they left it
    assert _fields(draft) == (NUMBER, TITLE, NAME)  # and the new draft, of the new figures
    assert PROPOSAL in _paragraphs(draft)
    assert "3/28" in " ".join(_paragraphs(draft)) and "2/28" in " ".join(_paragraphs(mine))
    (entry,) = [k for k in report.outputs["kept"] if k.get("carried")]
    assert entry["officer"] == str(mine)
    assert entry["carried_fields"] == ["số văn bản", "chức danh người ký", "họ tên người ký"]
    saved = json.loads((year_dir(outbox, form.year) / "bao-cao.json").read_text("utf-8"))
    assert [k.get("carried_fields") for k in saved["outputs"]["kept"]] == [entry["carried_fields"]]
    # and the terminal says so: the sections and the fields copied into the new draft
    capsys.readouterr()
    print_summary(report)
    said = capsys.readouterr().out
    assert f"(mục {', '.join(entry['carried'])}; số văn bản; chức danh người ký; họ tên người ký)" in said
    # no hint left on a field the officer filled: the draft's comments name only what is still to write
    hints = " ".join(c.text for c in docx.Document(str(draft)).comments)
    assert "họ và tên người ký" not in hints

    # a later run with no new edit carries them again (from the kept copy)
    consolidate_into(form, tmp_path / "inbox", outbox, show_progress=False)
    assert _fields(draft) == (NUMBER, TITLE, NAME)


def _one_run(form, make_file, tmp_path) -> tuple[Path, Path, Path, tuple[str, str, str]]:
    """One unit's file consolidated: (inbox, outbox, the draft, its fields as drafted)."""
    make_file("899")
    inbox, outbox = tmp_path / "inbox", tmp_path / "out"
    consolidate_into(form, inbox, outbox, show_progress=False)
    draft = document_path(outbox, form.year)
    return inbox, outbox, draft, _fields(draft)


def test_fields_the_officer_left_as_drafted_are_not_carried(form, make_file, tmp_path):
    """Only what the officer typed is carried: a draft edited elsewhere keeps the
    configuration's number, title and the dotted name line (with its hint)."""
    inbox, outbox, draft, before = _one_run(form, make_file, tmp_path)
    doc = docx.Document(str(draft))
    next(p for p in doc.paragraphs if _dotted(p)).runs[0].text = PROPOSAL
    doc.save(str(draft))
    report = consolidate_into(form, inbox, outbox, show_progress=False)
    assert _fields(draft) == before
    assert before[0] == form.agencies["document_number"] and set(before[2]) == {DOT}
    assert not is_pending_text(before[1])
    (entry,) = [k for k in report.outputs["kept"] if k.get("carried")]
    assert "carried_fields" not in entry and PROPOSAL in _paragraphs(draft)
    hints = " ".join(c.text for c in docx.Document(str(draft)).comments)
    assert "họ và tên người ký" in hints


def test_a_copy_from_an_earlier_set_is_never_the_report_printed(form, make_file, tmp_path):
    outbox, mine, report = _season(form, make_file, tmp_path)
    (written,) = [f"mục {n}" for k in report.outputs["kept"] for n in k.get("carried") or ()]
    folder, draft = year_dir(outbox, form.year), document_path(outbox, form.year)
    assert made_from(folder, mine.name) not in ("", set_identity(folder))
    chosen = pdf_document(form, outbox)
    assert chosen.path == draft and not chosen.edited
    assert chosen.older == (mine,)
    assert chosen.carried == (written, "số văn bản", "chức danh người ký", "họ tên người ký")
    said = "\n".join(chosen.lines())
    assert f"Báo cáo in trong PDF là bản dự thảo: {draft}." in said
    assert (
        f"Không in bản anh/chị đã sửa {mine.name}: đó là bản sửa từ dự thảo của một lần tổng hợp trước, "
        "không phải của bộ kết quả hiện hành." in said
    )
    assert f"đã chép từ đó: {written}, số văn bản, chức danh người ký, họ tên người ký" in said
    assert f"hãy kiểm tra bản dự thảo {draft}" in said

    # the officer then edits the current draft: that is what is printed
    doc = docx.Document(str(draft))
    doc.add_paragraph("Ghi chú thêm của cán bộ.")
    doc.save(str(draft))
    chosen = pdf_document(form, outbox)
    assert chosen.path == draft and chosen.edited and chosen.older == (mine,)
    assert f"bản dự thảo anh/chị đã sửa: {draft}" in chosen.lines()[0]


def test_a_copy_of_a_draft_of_the_same_figures_is_printed(form, make_file, tmp_path):
    """A rerun on the same files: the officer's completed copy is of the current figures
    (what it was kept from has the current set's identity), so the PDF prints it, until the
    officer edits the new draft after it."""
    make_file("899")
    inbox, outbox = tmp_path / "inbox", tmp_path / "out"
    consolidate_into(form, inbox, outbox, show_progress=False)
    draft = document_path(outbox, form.year)
    _complete_as_the_officer(draft)
    first = set_identity(year_dir(outbox, form.year))
    consolidate_into(form, inbox, outbox, show_progress=False)
    consolidate_into(form, inbox, outbox, show_progress=False)  # carried again, its origin kept
    folder = year_dir(outbox, form.year)
    mine = draft.with_name(f"{draft.stem}-ban-da-sua{draft.suffix}")
    record = json.loads((folder / RECORD).read_text("utf-8"))
    assert record[mine.name]["set"] == first == set_identity(folder) != ""
    chosen = pdf_document(form, outbox)
    assert chosen.path == mine and chosen.older == ()
    assert f"bản anh/chị đã hoàn thiện: {mine}" in chosen.lines()[0]

    doc = docx.Document(str(draft))
    doc.add_paragraph("Sửa sau cùng trên bản dự thảo mới.")
    doc.save(str(draft))
    assert pdf_document(form, outbox).path == draft


@pytest.mark.libreoffice
def test_the_pdf_prints_the_current_sets_report_and_says_why(form, make_file, tmp_path, capsys):
    """The bug as the officer met it: page 1 said the old coverage and totals while B01 said
    the new ones; and an edit of the current draft never reached the PDF."""
    lo.require_poppler()
    lo.require_soffice()
    outbox, mine, report = _season(form, make_file, tmp_path)
    draft = document_path(outbox, form.year)
    n = len(form.units)
    counted = report.count("accepted")
    assert counted == 3
    capsys.readouterr()
    assert cli.main(["pdf", "--outbox", str(outbox)]) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert f"Báo cáo in trong PDF là bản dự thảo: {draft}." in out
    assert f"Không in bản anh/chị đã sửa {mine.name}" in out and f"hãy kiểm tra bản dự thảo {draft}" in out
    pages = [
        " ".join(unicodedata.normalize("NFC", t).split())
        for t in lo.pdf_page_texts(pdf_path(outbox, form.year))
    ]
    b01 = next(i for i, t in enumerate(pages) if "Biểu số 01/TH" in t)
    coverage = f"Số liệu tổng hợp từ {counted}/{n} đơn vị"
    assert coverage in pages[0] and coverage in pages[b01]  # the report and the biểu of one set
    assert f"Số liệu tổng hợp từ 2/{n} đơn vị" not in " ".join(pages)
    report_pages = " ".join(pages[:b01])
    assert all(t in report_pages for t in (PROPOSAL, NUMBER, "PHÓ GIÁM ĐỐC", NAME))

    # the officer edits the current draft, no rerun: the PDF prints that edit
    doc = docx.Document(str(draft))
    at = next(p for p in doc.paragraphs if p.text == PROPOSAL)
    at.add_run(" Bổ sung sau khi có đủ số liệu.")
    doc.save(str(draft))
    assert cli.main(["pdf", "--outbox", str(outbox)]) == cli.EXIT_OK
    assert f"bản dự thảo anh/chị đã sửa: {draft}" in capsys.readouterr().out
    pages = [
        " ".join(unicodedata.normalize("NFC", t).split())
        for t in lo.pdf_page_texts(pdf_path(outbox, form.year))
    ]
    assert "Bổ sung sau khi có đủ số liệu." in " ".join(pages)


def test_a_draft_rearranged_by_the_officer_still_runs(form, make_file, tmp_path):
    """The officer removed the signature table and left an empty table at the end: the run
    goes on, the number is carried, the signature block is the configuration's."""
    inbox, outbox, draft, before = _one_run(form, make_file, tmp_path)
    doc = docx.Document(str(draft))
    doc.tables[0].rows[1].cells[0].paragraphs[0].runs[0].text = NUMBER
    sign = doc.tables[-1]._tbl
    sign.getparent().remove(sign)
    doc.add_table(rows=0, cols=2)
    doc.save(str(draft))
    report = consolidate_into(form, inbox, outbox, show_progress=False)
    assert _fields(draft) == (NUMBER, *before[1:])
    assert [k.get("carried_fields") for k in report.outputs["kept"]] == [["số văn bản"]]


@pytest.mark.libreoffice
def test_a_workbook_of_an_earlier_run_saved_over_the_set_is_never_printed(form, make_file, tmp_path):
    """The officer has the consolidated workbook open (LibreOffice on Linux or macOS lets a
    run replace it) while a new run writes the set, then saves: the earlier run's workbook
    lands in the new set. `pdf` refuses to print it beside the new report (its figures are
    another run's) and says what to do; the workbook LibreOffice saves of the current set
    keeps its mark (`run_mark`) and prints."""
    from pipeline.outbox.paths import workbook_path
    from pipeline.render.pdf import PdfError, run_mark, write_pdf

    lo.require_soffice()
    make_file("899")
    inbox, outbox = tmp_path / "inbox", tmp_path / "out"
    first = consolidate_into(form, inbox, outbox, show_progress=False)
    wb = workbook_path(outbox, form.year)
    assert run_mark(wb) == first.run_id
    opened = wb.read_bytes()  # what the open program still holds
    make_file("900")
    second = consolidate_into(form, inbox, outbox, show_progress=False)
    assert run_mark(wb) == second.run_id != first.run_id
    resaved = lo.convert(wb, tmp_path / "lo", "xlsx")  # the current workbook saved by LibreOffice
    assert run_mark(resaved) == second.run_id
    wb.write_bytes(opened)  # Ctrl-S in the program that had the earlier one open
    with pytest.raises(PdfError, match="của một lần tổng hợp trước"):
        write_pdf(form, outbox)
    wb.write_bytes(resaved.read_bytes())
    write_pdf(form, outbox)
    assert pdf_path(outbox, form.year).is_file()


def test_a_draft_of_an_earlier_run_saved_over_the_set_is_never_printed(form, make_file, tmp_path):
    """The same with the draft report: Word or LibreOffice still had the earlier run's draft
    open and saved it over the new one: `pdf`'s check of the set (`_same_run`) refuses it,
    while the draft the officer completes (python-docx, as Word keeps the core properties)
    keeps its mark and passes."""
    from pipeline.render.pdf import PdfError, _same_run, run_mark

    make_file("899")
    inbox, outbox = tmp_path / "inbox", tmp_path / "out"
    first = consolidate_into(form, inbox, outbox, show_progress=False)
    draft = document_path(outbox, form.year)
    assert run_mark(draft) == first.run_id
    opened = draft.read_bytes()
    make_file("900")
    second = consolidate_into(form, inbox, outbox, show_progress=False)
    _complete_as_the_officer(draft)
    assert run_mark(draft) == second.run_id
    _same_run(second.run_id, {draft: "báo cáo"})  # the officer's own completion passes
    draft.write_bytes(opened)
    with pytest.raises(PdfError, match="báo cáo trong thư mục kết quả là của một lần tổng hợp trước"):
        _same_run(second.run_id, {draft: "báo cáo"})
