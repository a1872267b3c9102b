"""Issue #23, item 5: the document and the prints are what an office signs.

Nghị định 30/2020/NĐ-CP, Phụ lục I: page numbers in Arabic numerals centred at the top from
the second page; "Nơi nhận" bottom left and the signer's authority, title, signature and
name bottom right, together on the last page; blanks printed as dotted lines. Each document
is rendered by LibreOffice (headless, a throw-away profile) and its pages read back with
poppler (pdftotext); the workbooks' print set-up is read with openpyxl.

Missing LibreOffice or poppler fails these tests under CI and skips them elsewhere.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from docx.oxml.ns import qn

from pipeline.app import consolidate_into
from pipeline.form import SCHEMAS_DIR, load_form
from pipeline.outbox.paths import document_path, workbook_path
from pipeline.render.document import TO_COMPLETE_LINES, write_document
from pipeline.render.official import DOT
from pipeline.render.template import write_template
from pipeline.render.workbook import SHEETS
from pipeline.text.names import template_name

from . import lo
from .conftest import ROOT

DOTS = re.compile(f"{DOT}{{8,}}")  # a dotted line (or a dotted blank inside a sentence)
A4 = (595.3, 841.9)  # points
TEXT_CENTRE = (30 + (210 - 30 - 15) / 2) * 72 / 25.4  # the text area's centre, from the left edge


@pytest.fixture(scope="module")
def office() -> str:
    lo.require_poppler()
    return lo.require_soffice()


def to_pdfs(sources: list[Path], outdir: Path) -> list[Path]:
    """Every source converted to PDF in one LibreOffice run (as `render/pdf.py` does)."""
    outdir.mkdir(parents=True, exist_ok=True)
    with lo.profile() as prof:
        done = lo.run_office(["--convert-to", "pdf", "--outdir", str(outdir), *map(str, sources)], prof)
    pdfs = [outdir / f"{s.stem}.pdf" for s in sources]
    missing = [p.name for p in pdfs if not p.is_file()]
    assert not missing, f"LibreOffice made no {missing}: {done.stdout} {done.stderr}"
    return pdfs


def pages(pdf: Path) -> list[str]:
    return [unicodedata.normalize("NFC", t) for t in lo.pdf_page_texts(pdf)]


def top_words(pdf: Path, height: float = 56) -> list[list[lo.Word]]:
    """The words printed in the top `height` points of each page (above the 20 mm margin)."""
    return [[w for w in page if w.y1 <= height] for page in lo.pdf_words(pdf)]


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def sample(office, form, tmp_path_factory) -> tuple[Path, Path]:
    """The sample inbox consolidated; its document (.docx) and the document as a PDF."""
    out = tmp_path_factory.mktemp("sample") / "outbox"
    consolidate_into(form, ROOT / "examples" / "inbox", out, show_progress=False)
    docx = document_path(out, form.year)
    return docx, to_pdfs([docx], out / "pdf")[0]


def test_page_numbers_centred_at_the_top_from_page_two(form, sample):
    _, pdf = sample
    tops = top_words(pdf)
    assert len(tops) >= 2, "the sample document is longer than a page"
    assert not tops[0], f"page 1 has something above the header: {[w.text for w in tops[0]]}"
    for n, words in enumerate(tops[1:], 2):
        assert [w.text for w in words] == [str(n)], f"page {n}: {[w.text for w in words]}"
        centre = (words[0].x0 + words[0].x1) / 2
        assert abs(centre - TEXT_CENTRE) < 12, f"page {n}: the number is not centred ({centre:.0f} pt)"
        assert 9 <= words[0].y1 - words[0].y0 <= 20, "the number's size is about 13 pt"
    for w, h in lo.pdf_page_sizes(pdf):
        assert (abs(w - A4[0]), abs(h - A4[1])) < (3, 3)


def test_recipients_and_signature_together_on_the_last_page(form, sample):
    docx, pdf = sample
    texts = pages(pdf)
    holding = [i for i, t in enumerate(texts) if "Nơi nhận:" in t]
    assert holding == [len(texts) - 1], f"'Nơi nhận:' on pages {[i + 1 for i in holding]} of {len(texts)}"
    last = texts[-1]
    lines = [ln.strip() for ln in last.splitlines() if ln.strip()]
    at = next(i for i, ln in enumerate(lines) if ln.startswith("Nơi nhận:"))
    assert lines[at].endswith(form.agencies["signer_title"]), lines[at]  # side by side
    # the name line: the configuration names nobody, so a dotted line under the signature
    assert any(DOTS.fullmatch(ln.split()[-1]) for ln in lines[at + 1 :]), lines[at:]
    assert "Lưu: VT" in flat(last)
    # kept with the text above it: the last page is not the signature alone
    assert DOTS.search("\n".join(lines[:at])), "the closing block went to a page of its own"
    # one row that may not split across pages, kept with the paragraph above
    doc = Document(str(docx))
    closing = doc.tables[-1]
    assert closing.rows[0]._tr.trPr.find(qn("w:cantSplit")) is not None
    assert doc.paragraphs[-1].paragraph_format.keep_with_next


def test_no_coloured_placeholder_dots_in_print_and_the_hint_on_screen(form, sample):
    docx, pdf = sample
    doc = Document(str(docx))
    runs = [r for p in doc.paragraphs for r in p.runs]
    runs += [r for t in doc.tables for c in t._cells for p in c.paragraphs for r in p.runs]
    coloured = [r.text for r in runs if r.font.highlight_color is not None]
    shaded = [r.text for r in runs if r._r.rPr is not None and r._r.rPr.find(qn("w:shd")) is not None]
    assert not coloured and not shaded, (coloured, shaded)
    # the section the officer completes: dotted lines under its heading, in the PDF
    body = "\n".join(pages(pdf))
    head = body.index("ĐỀ XUẤT, KIẾN NGHỊ VỚI")
    after = [ln.strip() for ln in body[head : body.index("Nơi nhận:")].splitlines()]
    assert sum(bool(DOTS.fullmatch(ln)) for ln in after) == TO_COMPLETE_LINES, after
    assert "Cán bộ tổng hợp hoàn thiện" not in body  # the hint is not printed ...
    hints = [c.text for c in doc.comments]
    assert any("Cán bộ tổng hợp hoàn thiện" in h for h in hints), hints  # ... it is on screen
    assert any("họ và tên người ký" in h for h in hints), hints


def test_values_still_to_fill_print_as_dots(office, tmp_path):
    """An Giang's configuration still says "cần điền" for the requesting letter and the
    signer's title: the PDF prints dots there, the .docx keeps the words as comments."""
    ag = load_form(SCHEMAS_DIR / "an-giang.toml")
    (tmp_path / "inbox").mkdir()
    consolidate_into(ag, tmp_path / "inbox", tmp_path / "out", show_progress=False)
    docx = document_path(tmp_path / "out", ag.year, ag.programme_info.prefix)
    body = "\n".join(pages(to_pdfs([docx], tmp_path / "pdf")[0]))
    assert "cần điền" not in body.lower()
    assert re.search(rf"Công văn số {DOT}+ ngày {DOT}+ của Ủy ban nhân dân tỉnh An Giang", flat(body))
    nhan = next(ln for ln in body.splitlines() if "Nơi nhận:" in ln)
    assert DOTS.search(nhan), f"the unknown signer's title is not dotted: {nhan}"
    hints = [c.text for c in Document(str(docx)).comments]
    assert any("chức danh người ký" in h for h in hints), hints


def filler_wording(path: Path, n: int, signer: str) -> Path:
    """A wording of one section of `n` one-line paragraphs, so the closing block lands at
    every height of a page as `n` grows."""
    lines = ",\n".join(f'  "Đoạn thử số {i + 1}."' for i in range(n))
    path.write_text(
        f"""
[document]
title = "BÁO CÁO"
subject = "Thử bố cục năm {{year}}"
signer_name = "{signer}"
recipients = ["Như trên;", "UBND tỉnh (để báo cáo);", "Lưu: VT."]

[[sections]]
kind = "basis"
title = "NỘI DUNG"
paragraphs = [
{lines}
]
""",
        encoding="utf-8",
    )
    return path


def test_closing_block_never_splits_across_pages(office, form, tmp_path):
    """Documents whose body ends at every height of the second page: in each, "Nơi nhận",
    the signer's title and name are on one page, the last, with some body text above."""
    (tmp_path / "empty").mkdir()
    report = consolidate_into(form, tmp_path / "empty", tmp_path / "out", show_progress=False)
    name = "Nguyễn Văn An"
    sources = []
    for n in range(36, 66):  # the page breaks within these (about 30 lines a page)
        wording = filler_wording(tmp_path / f"w{n}.toml", n, name)
        sources.append(tmp_path / "docs" / f"doc{n}.docx")
        sources[-1].parent.mkdir(exist_ok=True)
        write_document(report, sources[-1], wording)
    counts = set()
    for src, pdf in zip(sources, to_pdfs(sources, tmp_path / "pdf"), strict=True):
        texts = pages(pdf)
        counts.add(len(texts))
        where = {
            what: [i for i, t in enumerate(texts) if what in t]
            for what in ("Nơi nhận:", form.agencies["signer_title"], name, "Lưu: VT.")
        }
        assert all(v == [len(texts) - 1] for v in where.values()), f"{src.name}: {where}"
        assert "Đoạn thử số" in texts[-1], f"{src.name}: the signature alone on its page"
        assert not DOTS.search(texts[-1].split("Nơi nhận:")[1]), "a named signer has no dots"
    assert len(counts) >= 2, "the documents should cross a page break"


@pytest.fixture(scope="module")
def sample_workbook(form, tmp_path_factory) -> openpyxl.Workbook:
    out = tmp_path_factory.mktemp("wb") / "out"
    consolidate_into(form, ROOT / "examples" / "inbox", out, show_progress=False)
    return openpyxl.load_workbook(workbook_path(out, form.year))


@pytest.mark.parametrize("key", ["status", "findings", "text", "files"])
def test_list_sheets_print_readable_one_page_wide(sample_workbook, key):
    """'Tình trạng nộp' and the other lists at A4 landscape, fit to one page wide: at the
    column widths Excel uses (a unit is the width of '0' in Calibri 11, 7 px, and each column
    5 px more; 96 px to the inch) the 12 pt text prints at 9 pt or more; the heading repeats
    on every page. (LibreOffice without Calibri or its metric twin Carlito measures the units
    in DejaVu Sans, a quarter wider, and prints smaller.)"""
    ws = sample_workbook[SHEETS[key]]
    ps = ws.page_setup
    assert (ps.paperSize, ps.orientation) == (9, "landscape")
    assert (ps.fitToWidth or 1, ps.fitToHeight) == (1, 0)  # 1 wide is OOXML's default
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows.replace("$", "") == "3:3"
    used = [
        c for c in range(1, ws.max_column + 1) if any(ws.cell(r, c).value for r in range(1, ws.max_row + 1))
    ]
    px = sum(round(ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width * 7) for c in used)
    m = ws.page_margins
    scale = min(1.0, (A4[1] - (m.left + m.right) * 72) / (px * 72 / 96))
    size = ws.cell(3, 1).font.sz
    assert size * scale >= 9, f"prints at {scale:.0%}: {size} pt becomes {size * scale:.1f} pt"
    # the note under the title (if any) wraps inside the table, it does not widen the page
    if ws.cell(2, 1).value:
        assert any(str(r).startswith("A2:") for r in ws.merged_cells.ranges)
        assert ws.cell(2, 1).alignment.wrap_text


CARLITO_HEIGHT = 1.22  # a word's box in pdftotext, in em: Carlito's (and Calibri's) win ascent + descent


def test_status_sheet_prints_readable_in_libreoffice(office, form, tmp_path):
    """'Tình trạng nộp' as LibreOffice prints it (the `pdf` command's renderer; .ci/run
    installs Carlito, Calibri's metric twin, as Windows has Calibri): every page of the
    sheet prints its text at 9 pt or more (word boxes at least 9 x 1.22 pt tall), after a
    rerun too: the lines saying what changed since the run before (twenty new files named
    on one line) wrap inside the table instead of widening the page (2.6 pt before)."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    files = sorted((ROOT / "examples" / "inbox").iterdir())
    for path in files[:6]:
        shutil.copy2(path, inbox / path.name)
    consolidate_into(form, inbox, tmp_path / "out", show_progress=False)
    for path in files[6:]:
        shutil.copy2(path, inbox / path.name)
    report = consolidate_into(form, inbox, tmp_path / "out", show_progress=False)
    assert report.changes is not None and len(report.changes.new_files) >= 20
    pdf = to_pdfs([workbook_path(tmp_path / "out", form.year)], tmp_path / "pdf")[0]
    pages = lo.pdf_words(pdf)
    title = SHEETS["status"].upper()
    first = next(i for i, words in enumerate(pages) if title in " ".join(w.text for w in words[:12]).upper())
    heights = sorted(w.y1 - w.y0 for w in pages[first])
    median = heights[len(heights) // 2]
    assert median / CARLITO_HEIGHT >= 9, f"'{SHEETS['status']}' prints at {median / CARLITO_HEIGHT:.1f} pt"


def test_instructions_sheet_prints_without_overlap(office, form, tmp_path):
    """The template's instructions: the long 'Căn cứ' line wraps inside a row tall enough,
    no words drawn over the next line."""
    unit = form.units[0]
    write_template(form, unit, tmp_path)
    pdf = to_pdfs([tmp_path / template_name(form.year, unit.code, unit.name)], tmp_path / "pdf")[0]
    words = lo.pdf_words(pdf)[0]
    clashes = [(a.text, b.text) for a, b in lo.overlapping_words(words)]
    assert not clashes, clashes[:6]
    joined = lambda text: re.sub(r"-\s+", "-", flat(text))  # noqa: E731 - a line may break after a hyphen
    assert joined(f"Căn cứ: {form.programme}; {form.request}.") in joined(pages(pdf)[0])
