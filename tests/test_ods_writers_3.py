"""Issue #25: .ods spellings of writers that do not calculate or that Excel's export uses
(third round, from a new-user pass with odfpy, Aspose.Cells and Excel's "Save as ODS").

Inputs are the project's template filled by its filler and saved as .ods by LibreOffice,
then one cell rewritten at the XML level of content.xml as the other writer spells it:

- a formula cell with the text of a result but no office:value-type (odfpy's
  `TableCell(formula=...)` with a `P` of the number it never calculated): no cached result,
  FORMULA_NO_VALUE at the cell, where the value reader read it blank and the file was
  accepted with a lower total; an empty <text:p/> stays LibreOffice's empty-text result;
- an error result stored as a float beside its error text (Excel's ODS export writes
  `office:value-type="float" office:value="0"` with "#DIV/0!"): the error LibreOffice shows,
  where the stored 0 was counted;
- a line break or a tab inside a cell's text (text:line-break, text:tab): read as
  LibreOffice shows it, where python-calamine dropped it ("HuyệnChâu Thành").
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
from lxml import etree

from pipeline.form import cell_at
from pipeline.read.parse import parse_path
from tests import lo
from tests import test_ods_writers_2 as w2
from tests.test_ods_writers_2 import COUNT, FORM, RES, _cell, _findings_at, rewrite, with_cell

# the filled report saved as .ods by LibreOffice (the second round's fixtures)
filled, lo_ods = w2.filled, w2.lo_ods

TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
CASH = f"{RES.measure_column('cash')}8"
REGION = f"{next(k.column for k in RES.key_fields if k.key == 'region')}8"


def test_a_formula_with_a_result_text_but_no_value_type_has_no_result(lo_ods: Path, tmp_path: Path) -> None:
    """odfpy writes a formula and the text of a result it never calculated, with no value
    type: the value reader reads the cell blank. It is a formula without a cached result
    (the finding the .xlsx and the other .ods spellings give), never a silent blank."""
    out = with_cell(
        lo_ods, tmp_path / "899.ods", RES.sheet, CASH, {"table:formula": "of:=140000000+68000"}, "140068000"
    )
    parsed = parse_path(out, 1, FORM)
    at = [(f.code, f.cell) for f in parsed.findings if f.sheet == RES.sheet and f.cell == CASH]
    assert at == [("FORMULA_NO_VALUE", CASH)]


def test_a_formula_with_an_empty_paragraph_is_libreoffices_empty_text(lo_ods: Path, tmp_path: Path) -> None:
    """LibreOffice writes a formula whose result is empty text as no value type and an empty
    <text:p/>: an empty cell, no finding (the other side of the rule above), once
    LibreOffice has calculated the file's totals with it. Before, the totals the file holds
    count a number there: the same spelling is then a result never calculated
    (tests/test_formulas5_inputs.py)."""
    stale = with_cell(lo_ods, tmp_path / "899.ods", RES.sheet, CASH, {"table:formula": 'of:=""'}, "")
    assert [code for code, _ in _findings_at(stale, RES.sheet, CASH)] == ["FORMULA_NO_VALUE"]
    saved = lo.convert(stale, tmp_path / "lo", "ods", recalc=True)
    with zipfile.ZipFile(saved) as z:
        assert b'table:formula="of:=&quot;&quot;"' in z.read("content.xml")
    assert _findings_at(saved, RES.sheet, CASH) == []
    parsed = parse_path(saved, 1, FORM)
    assert not parsed.has_errors, parsed.findings
    assert next(r for r in parsed.rows[RES.key] if r.row == 8).measures["cash"] is None


def test_an_error_stored_as_a_float_is_the_error_libreoffice_shows(lo_ods: Path, tmp_path: Path) -> None:
    """Excel's ODS export stores an error result as a float beside the error's text: the
    cell shows #DIV/0!, so it is the error finding, not the stored 0 counted."""
    attrs = {"table:formula": "of:=[.D8]/0", "office:value-type": "float", "office:value": "0"}
    out = with_cell(lo_ods, tmp_path / "899.ods", RES.sheet, COUNT, attrs, "#DIV/0!")
    found = _findings_at(out, RES.sheet, COUNT)
    assert [code for code, _ in found] == ["NUMBER_INVALID"]
    assert "#DIV/0!" in found[0][1]
    parsed = parse_path(out, 1, FORM)
    assert all(r.measures.get("children") != 0 for r in parsed.rows["results"] if r.row == 8)


def _break_name(root: etree._Element, mark: str) -> None:
    """The region name at REGION split by a text:line-break or text:tab at its last space."""
    cell = _cell(root, RES.sheet, REGION)
    para = next(cell.iter(f"{{{TEXT_NS}}}p"))
    head, _, tail = (para.text or "").rpartition(" ")
    assert head, "the region cell holds a name of several words"
    para.text = head
    etree.SubElement(para, f"{{{TEXT_NS}}}{mark}").tail = tail


def test_a_line_break_or_tab_inside_a_name_reads_as_shown(lo_ods: Path, tmp_path: Path) -> None:
    """A name typed with a line break ("Huyện" / "Châu Thành" in one paragraph, as writers
    other than LibreOffice store Alt+Enter) or a tab is the listed name, no NAME_READ_AS on a
    name with its two words glued together."""
    for mark in ("line-break", "tab"):
        out = rewrite(lo_ods, tmp_path / f"899-{mark}.ods", lambda root, m=mark: _break_name(root, m))
        assert f":{mark}" in (etree.tostring(etree.fromstring(_content(out))).decode())
        assert _findings_at(out, RES.sheet, REGION) == [], mark


def _content(path: Path) -> bytes:
    import zipfile

    with zipfile.ZipFile(path) as z:
        return z.read("content.xml")


def test_a_number_without_a_value_type_is_the_text_libreoffice_shows(lo_ods: Path, tmp_path: Path) -> None:
    """brk22 F2: a cell with an office:value but no office:value-type is a text cell in ODF
    (the value type says which value attribute holds the value: ODF 1.2 Part 1 §19.385):
    LibreOffice shows its paragraph, "140.068", and python-calamine read the hidden
    140068000, accepted in silence. The file is read by the project's own reader: the text,
    told at its cell as a number typed as text, read as the text says (140.068 đồng)."""
    out = with_cell(lo_ods, tmp_path / "899.ods", RES.sheet, CASH, {"office:value": "140068000"}, "140.068")
    shown = openpyxl.load_workbook(lo.recalc_xlsx(out, tmp_path / "lo"))[RES.sheet][CASH].value
    assert shown == "140.068"  # what LibreOffice reads there: the text
    parsed = parse_path(out, 1, FORM)
    at = [f.code for f in parsed.findings if (f.sheet, f.cell) == (RES.sheet, CASH)]
    assert at == ["NUMBER_FROM_TEXT"], at
    row = cell_at(CASH)[0] + 1
    assert [r["cash"] for r in parsed.rows[RES.key] if r["row"] == row] == [140068]


def test_a_broken_ods_is_told_as_an_ods(lo_ods: Path, tmp_path: Path) -> None:
    """brk22 F6: an .ods whose content.xml is cut short was "cấu trúc tệp Excel bị hỏng":
    the file's own format is named."""
    out = tmp_path / "899.ods"
    with zipfile.ZipFile(lo_ods) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, data[: len(data) // 2] if info.filename == "content.xml" else data)
    (finding,) = parse_path(out, 1, FORM).findings
    assert finding.code == "FILE_CORRUPT", finding
    assert "cấu trúc tệp .ods bị hỏng" in finding.message and "Excel bị hỏng" not in finding.message
