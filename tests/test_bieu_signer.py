"""The biểu signed with the report say what the report says (issue #23, "true sentences"):
the document's number, the signer's title and name the officer typed on the draft.

As the officer lives it, by the console command: `consolidate` the sample inbox, complete
the drafted report in Word (its number, the signer's title on two lines, the signer's
name), `consolidate` again, then `pdf`. The new draft carries the three fields
(`render/carried.py`); each biểu of the consolidated workbook, and so each biểu page of the
PDF to sign, must print the same, never the configuration's title over a dotted name line
beside a report signed by someone else. Without the officer's edits the biểu print the
configuration's title and dots, as they always did; the units' templates, which units sign
with their own signer, never print the office's.
"""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import docx
import openpyxl
import pytest

from pipeline.outbox.paths import document_path, pdf_path, workbook_path
from pipeline.render.carried import officer_fields
from pipeline.render.official import DOT, SIGN_DOTS
from pipeline.render.pdf import BIEU
from pipeline.render.workbook import SHEETS

from . import lo
from .clirun import run_cli
from .conftest import ROOT

SAMPLES = ROOT / "examples" / "inbox"
NUMBER = "Số: 45/BC-SLĐTBXH"
TITLE = "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC"
NAME = "Nguyễn Văn Bình"
PREPARER = "NGƯỜI LẬP BIỂU"
DOTS = DOT * SIGN_DOTS


def _consolidate(outbox: Path, config: Path | None = None) -> None:
    chosen = ["--config", str(config)] if config else []
    out = run_cli(*chosen, "consolidate", "--inbox", str(SAMPLES), "--outbox", str(outbox))
    assert out.returncode == 0, out.stderr
    assert "39.788 người; giá trị hỗ trợ: 32.578.329.000 đồng" in out.stdout  # the demo's totals


def _type_as_the_officer(draft: Path) -> None:
    """What an officer types in Word on the draft: the number over the configuration's, the
    signer's title (two lines) over the configured one, the name over the dots."""
    doc = docx.Document(str(draft))
    doc.tables[0].rows[1].cells[0].paragraphs[0].runs[0].text = NUMBER
    sign = doc.tables[-1].rows[0].cells[1].paragraphs
    sign[0].runs[0].text = TITLE
    sign[-1].runs[0].text = NAME
    doc.save(str(draft))


def _signature(ws) -> tuple[str, str, str, str]:
    """(the number in the heading, the signer's title, the signer's name, the preparer's
    name line) as the biểu `ws` prints them: the signature block is the rows from
    "NGƯỜI LẬP BIỂU" to the sheet's last, its right-hand side the other merged range."""
    rows = list(ws.iter_rows(values_only=True))
    at = next(i for i, row in enumerate(rows) if PREPARER in row)
    right = [v for v in rows[at] if v not in (None, PREPARER)]
    names = [v for v in rows[-1] if v is not None]
    assert len(right) == 1 and len(names) == 2, (ws.title, rows[at], rows[-1])
    return rows[2][0], right[0], names[1], names[0]


def _bieu_signatures(outbox: Path, year: int) -> dict[str, tuple[str, str, str, str]]:
    wb = openpyxl.load_workbook(workbook_path(outbox, year))
    return {key: _signature(wb[SHEETS[key]]) for key in BIEU}


def _title_rows(outbox: Path, year: int) -> set[tuple[float | None, bool]]:
    """(height, whether the signer's title wraps) of the row of the signer's title, over
    the biểu: Excel shows the lines of a title only in a cell that wraps, as tall as they."""
    wb = openpyxl.load_workbook(workbook_path(outbox, year))
    found = set()
    for key in BIEU:
        ws = wb[SHEETS[key]]
        row = next(r for r in ws.iter_rows() if any(c.value == PREPARER for c in r))
        title = next(c for c in row if c.value not in (None, PREPARER))
        found.add((ws.row_dimensions[row[0].row].height, bool(title.alignment.wrap_text)))
    return found


def test_the_biểu_print_the_number_and_signer_the_draft_carries(form, tmp_path):
    outbox = tmp_path / "out"
    _consolidate(outbox)
    configured = form.agencies["signer_title"]
    # nothing typed yet: every biểu prints the configuration's number and title, dotted names
    before = _bieu_signatures(outbox, form.year)
    assert set(before.values()) == {(form.agencies["document_number"], configured, DOTS, DOTS)}
    assert {height for height, _ in _title_rows(outbox, form.year)} == {None}  # one line, default height

    draft = document_path(outbox, form.year)
    _type_as_the_officer(draft)
    _consolidate(outbox)
    carried = officer_fields(docx.Document(str(draft)))  # what the new draft prints
    assert (carried["number"], carried["signer_title"], carried["signer_name"]) == (NUMBER, TITLE, NAME)
    after = _bieu_signatures(outbox, form.year)
    assert set(after.values()) == {(NUMBER, TITLE, NAME, DOTS)}  # the preparer still signs by hand
    overview = openpyxl.load_workbook(workbook_path(outbox, form.year))[SHEETS["dashboard"]]
    assert overview.cell(3, 1).value == NUMBER  # the overview's heading says the same number
    assert configured not in {title for _, title, _, _ in after.values()}
    ((height, wraps),) = _title_rows(outbox, form.year)
    assert wraps and height is not None and height >= 2 * 12  # both lines of the title show

    # a later run with no new edit: carried again from the officer's kept copy, biểu too
    _consolidate(outbox)
    assert set(_bieu_signatures(outbox, form.year).values()) == {(NUMBER, TITLE, NAME, DOTS)}


def test_the_units_templates_keep_their_own_signer(form, tmp_path):
    """The officer's signer is the office's: the templates the units fill and sign are
    written from the configuration alone, whatever the officer typed on the draft."""
    outbox = tmp_path / "out"
    _consolidate(outbox)
    _type_as_the_officer(document_path(outbox, form.year))
    _consolidate(outbox)
    out = run_cli("templates", "--outbox", str(outbox))
    assert out.returncode == 0, out.stderr
    templates = sorted((outbox / "templates").rglob("*.xlsx"))
    assert len(templates) == len(form.units)
    for path in templates[:3]:
        texts = {
            str(v)
            for ws in openpyxl.load_workbook(path).worksheets
            for row in ws.iter_rows(values_only=True)
            for v in row
            if v is not None
        }
        joined = "\n".join(texts)
        assert NAME not in joined and NUMBER not in joined and "PHÓ GIÁM ĐỐC" not in joined, path


def _pages(pdf: Path) -> list[str]:
    return [" ".join(unicodedata.normalize("NFC", t).split()) for t in lo.pdf_page_texts(pdf)]


def _bieu_pages(pages: list[str]) -> list[str]:
    """The text of each biểu (its pages joined), in order, from the PDF's pages."""
    starts = [next(i for i, t in enumerate(pages) if f"Biểu số {key[1:]}/TH" in t) for key in BIEU]
    ends = [*starts[1:], len(pages)]
    return [" ".join(pages[a:b]) for a, b in zip(starts, ends, strict=True)]


@pytest.mark.libreoffice
def test_the_pdf_to_sign_prints_one_signer(form, tmp_path):
    """The signing PDF: the report and every biểu page after it name the signer the officer
    typed, under the title they typed; before the edit, the biểu print the configured title
    over a dotted name line, as before."""
    lo.require_poppler()
    lo.require_soffice()
    outbox = tmp_path / "out"
    _consolidate(outbox)
    assert run_cli("pdf", "--outbox", str(outbox)).returncode == 0
    for text in _bieu_pages(_pages(pdf_path(outbox, form.year))):
        assert form.agencies["signer_title"] in text and DOTS + " " + DOTS in text
        assert NAME not in text and "PHÓ GIÁM ĐỐC" not in text

    _type_as_the_officer(document_path(outbox, form.year))
    # typed after the last consolidation: the biểu still print the configured signer, so no
    # PDF mixing two signers is made; the officer is told to consolidate again
    before = pdf_path(outbox, form.year).read_bytes()
    out = run_cli("pdf", "--outbox", str(outbox))
    assert out.returncode != 0
    assert "số văn bản, chức danh người ký, họ tên người ký khác với các biểu" in out.stderr
    assert "chạy lại lệnh tổng hợp" in out.stderr
    assert pdf_path(outbox, form.year).read_bytes() == before
    _consolidate(outbox)
    out = run_cli("pdf", "--outbox", str(outbox))
    assert out.returncode == 0, out.stderr
    pages = _pages(pdf_path(outbox, form.year))
    bieu = _bieu_pages(pages)
    report = " ".join(pages[: pages.index(next(t for t in pages if "Biểu số 01/TH" in t))])
    assert all(t in report for t in (NUMBER, "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", NAME))
    for text in bieu:
        assert NUMBER in text and NAME in text
        assert "KT. GIÁM ĐỐC" in text and "PHÓ GIÁM ĐỐC" in text
        assert DOTS + " " + DOTS not in text  # the signer's name line is no longer dotted


def test_the_biểu_print_the_signer_the_wording_names(form, tmp_path):
    """A signer's name set once in the wording file (`signer_name` of bao-cao.toml) is
    printed by the draft report, and by every biểu under it, never dots beside the name the
    report prints; the officer's typed name still wins over it."""
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    wording = tmp_path / "schemas" / "bao-cao.toml"
    text = wording.read_text(encoding="utf-8")
    assert 'signer_name = ""' in text
    wording.write_text(text.replace('signer_name = ""', 'signer_name = "Trần Thị Mai"'), encoding="utf-8")
    config = tmp_path / "schemas" / "kien-giang.toml"
    outbox = tmp_path / "out"
    _consolidate(outbox, config)
    assert (
        officer_fields(docx.Document(str(document_path(outbox, form.year))))["signer_name"] == "Trần Thị Mai"
    )
    configured = (form.agencies["document_number"], form.agencies["signer_title"], "Trần Thị Mai", DOTS)
    assert set(_bieu_signatures(outbox, form.year).values()) == {configured}

    _type_as_the_officer(document_path(outbox, form.year))
    _consolidate(outbox, config)
    assert set(_bieu_signatures(outbox, form.year).values()) == {(NUMBER, TITLE, NAME, DOTS)}


@pytest.mark.libreoffice
def test_every_biểu_of_a_partial_set_prints_its_signer(form, tmp_path):
    """A set of 9 of the 28 units: the biểu name the units not in it, so B02 (a row per
    district) fills its page. LibreOffice fitted it to one page, then took room for the
    12 pt page-number footer that did not fit inside the bottom margin out of the page, and
    dropped the page's last row: the signer's name. Every biểu page of the PDF to sign
    prints the whole signature block."""
    lo.require_poppler()
    lo.require_soffice()
    inbox, outbox = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    for code in ("899", "900", "902", "903", "904", "905", "906", "907", "SYT"):
        for path in SAMPLES.glob(f"{code}-*.xlsx"):
            shutil.copy2(path, inbox / path.name)
    out = run_cli("consolidate", "--inbox", str(inbox), "--outbox", str(outbox))
    assert out.returncode == 0, out.stderr
    draft = document_path(outbox, form.year)
    doc = docx.Document(str(draft))
    doc.tables[-1].rows[0].cells[1].paragraphs[-1].runs[0].text = NAME  # the name alone
    doc.save(str(draft))
    assert run_cli("consolidate", "--inbox", str(inbox), "--outbox", str(outbox)).returncode == 0
    out = run_cli("pdf", "--outbox", str(outbox))
    assert out.returncode == 0, out.stderr
    bieu = _bieu_pages(_pages(pdf_path(outbox, form.year)))
    assert all("SƠ BỘ" in text for text in bieu)  # a partial set's biểu
    for key, text in zip(BIEU, bieu, strict=True):
        assert NAME in text, key
        assert PREPARER in text and DOTS in text, key  # the preparer's dotted name line
