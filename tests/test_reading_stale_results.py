"""Issue #25: an .xlsx written by a library that does not calculate (XlsxWriter, openpyxl,
.NET and Java libraries) declares its formulas' stored results stale (calcPr
fullCalcOnLoad): XlsxWriter stores 0 for each, openpyxl none. Excel calculates them when it
opens the file; the pipeline reads such a file, when every stored result is 0, as if its
formulas stored no result (`read/formats/results.py`): the template's totals are
recomputed from the inputs with no warning row by row, and a formula in an input cell is a
formula without a value at its cell, never its stored 0 read as the figure. Results that
are not all 0 (a library that calculates) are read as stored.

Inputs: templates filled by the project's filler, written again by XlsxWriter itself
(every cell, formula and number format copied), and by LibreOffice for the file an
application that calculates saves.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from openpyxl.worksheet.formula import ArrayFormula

from pipeline.form import load_form
from pipeline.read.formats.results import calculated, recalc_on_load, without_results
from pipeline.read.formats.xlsx import plain_sheet_facts, sheet_facts
from pipeline.read.parse import parse_path
from tests import lo

FORM = load_form()
RES = FORM.blocks["results"]
UNIT = FORM.units_by_code["899"]


def _cell(measure: str, index: int) -> str:
    return f"{RES.measure_column(measure)}{FORM.rows_for(RES, UNIT)[index].row}"


def _figures(path: Path) -> tuple[list[str], dict[str, Any], Any]:
    p = parse_path(path, 1, FORM)
    rows = {b: [(r.row, r.key, r.measures) for r in recs] for b, recs in p.rows.items()}
    return sorted(f"{f.code} {f.sheet}!{f.cell}" for f in p.findings), rows, p.info_row


def _via_xlsxwriter(src: Path, out: Path, results: Path | None = None) -> Path:
    """Every sheet, cell, formula, number format and defined name of `src` written again by XlsxWriter,
    which sets fullCalcOnLoad and stores 0 as each formula's result, or the result given
    (`results`: the same workbook with its formulas calculated, as a library that
    calculates would store them)."""
    book = openpyxl.load_workbook(src)
    shown = openpyxl.load_workbook(results, data_only=True) if results else None
    wb = xlsxwriter.Workbook(out)
    formats: dict[str, Any] = {}
    for ws in book.worksheets:
        sheet = wb.add_worksheet(ws.title)
        if ws.sheet_state != "visible":
            sheet.hide()
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                number = cell.number_format
                fmt = formats.setdefault(number, wb.add_format({"num_format": number}))
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    value = shown[ws.title][cell.coordinate].value if shown else 0
                    sheet.write_formula(cell.coordinate, cell.value, fmt, value)
                elif isinstance(cell.value, ArrayFormula):  # the layout's own check (layoutchecks.py)
                    value = shown[ws.title][cell.coordinate].value if shown else 0
                    sheet.write_array_formula(
                        cell.value.ref, cell.value.text, fmt, "" if value is None else value
                    )
                else:
                    sheet.write(cell.coordinate, cell.value, fmt)
    for name, defined in book.defined_names.items():  # the template's reading steps, which its totals read
        wb.define_name(name, f"={defined.attr_text}")
    wb.close()
    return out


CASH = _cell("cash", 0)


def _with_formula(make_file: Any) -> tuple[Path, int]:
    """The unit's report with its first cash amount typed as a formula (=amount/2*2), and
    the amount."""
    src, _ = make_file("899", seed=4)
    wb = openpyxl.load_workbook(src)
    amount = wb[RES.sheet][CASH].value
    assert isinstance(amount, int) and amount > 0
    wb[RES.sheet][CASH] = f"={amount // 2}*2+{amount % 2}"
    wb.save(src)
    return src, amount


def _cash(path: Path) -> tuple[list[str], Any]:
    """The findings' codes of a file, and the first cash amount read from it."""
    p = parse_path(path, 1, FORM)
    first = [r for r in p.rows.get(RES.key, []) if r.row == FORM.rows_for(RES, UNIT)[0].row]
    return [f.code for f in p.findings], first[0].measures["cash"] if first else None


def test_library_written_totals_are_recomputed_without_a_warning_per_row(make_file, tmp_path: Path) -> None:
    """XlsxWriter's copy stores 0 for every total: read as the source, no TOTAL_MISMATCH."""
    src, _ = make_file("899", seed=4)
    copy = _via_xlsxwriter(src, tmp_path / "899-xlsxwriter.xlsx")
    with zipfile.ZipFile(copy) as zf:
        assert recalc_on_load(zf.read("xl/workbook.xml"))
        assert b"</f><v>0</v>" in b"".join(
            zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/")
        )
    want = _figures(src)
    assert want[0] == [] and sum(len(r) for r in want[1].values()) > 0
    assert _figures(copy) == want


def test_a_formula_in_an_input_cell_is_never_read_as_its_stored_zero(make_file, tmp_path: Path) -> None:
    """XlsxWriter stores 0 for the unit's =…*2 cash cell, openpyxl nothing: both give the
    same finding at that cell (the figure is not known until an application calculates it)."""
    src, _ = _with_formula(make_file)
    copy = _via_xlsxwriter(src, tmp_path / "899-xlsxwriter.xlsx")
    found = _figures(copy)[0]
    assert found == [f"FORMULA_NO_VALUE {RES.sheet}!{CASH}"]
    assert _figures(src)[0] == found  # openpyxl's own file: no stored result at all


@pytest.mark.libreoffice
def test_the_file_an_application_calculated_and_saved_gives_the_figure(make_file, tmp_path: Path) -> None:
    """What the finding asks: LibreOffice calculating on load (as Excel does for such a file)
    and saving writes the result, which is read as the figure; it sets no fullCalcOnLoad."""
    src, amount = _with_formula(make_file)
    copy = _via_xlsxwriter(src, tmp_path / "899-xlsxwriter.xlsx")
    saved = lo.convert(copy, tmp_path / "lo", "xlsx", recalc=True)
    with zipfile.ZipFile(saved) as zf:
        assert not recalc_on_load(zf.read("xl/workbook.xml"))
    assert _cash(saved) == ([], amount)


@pytest.mark.libreoffice
def test_results_a_library_calculated_are_read_as_stored(make_file, tmp_path: Path) -> None:
    """fullCalcOnLoad with results that are not all 0 (XlsxWriter given the results, as a
    library that calculates stores them): the unit's formula is read as its figure."""
    src, amount = _with_formula(make_file)
    calculated_by_lo = lo.convert(src, tmp_path / "lo", "xlsx", recalc=True)
    copy = _via_xlsxwriter(src, tmp_path / "899-xlsxwriter.xlsx", results=calculated_by_lo)
    with zipfile.ZipFile(copy) as zf:
        assert recalc_on_load(zf.read("xl/workbook.xml"))
    assert _cash(copy) == ([], amount)


@pytest.mark.parametrize(
    ("workbook", "stale"),
    [
        (b'<workbook xmlns="urn:x"><calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>', True),
        (b'<workbook xmlns="urn:x"><calcPr fullCalcOnLoad="true"/></workbook>', True),
        (b'<x:workbook xmlns:x="urn:x"><x:calcPr fullCalcOnLoad="1"/></x:workbook>', True),
        (b'<workbook xmlns="urn:x"><calcPr fullCalcOnLoad="0"/></workbook>', False),
        (b'<workbook xmlns="urn:x"><calcPr calcId="191029"/></workbook>', False),
        (b'<workbook xmlns="urn:x"><definedName>fullCalcOnLoad</definedName></workbook>', False),
    ],
)
def test_which_workbooks_declare_their_recalc_on_load(workbook: bytes, stale: bool) -> None:
    assert recalc_on_load(workbook) is stale


@pytest.mark.parametrize(
    ("cell", "holds"),
    [
        (b'<c r="A1"><f>B1+C1</f><v>0</v></c>', True),
        (b'<c r="A1" t="str"><f>B1</f><v></v></c>', True),  # empty text is a result
        (b'<x:c r="A1"><x:f>B1</x:f>\n<x:v>0</x:v></x:c>', True),
        (b'<c r="A2"><f t="shared" si="0"/><v>3</v></c>', True),
        (b'<c r="A1" t="inlineStr"><f>"a"</f><is><t>a</t></is></c>', True),
        (b'<c r="A1" t="e"><f>1/0</f><v>#DIV/0!</v></c>', True),
        (b'<c r="A1"><f>B1</f><!-- c --><v>1</v></c>', True),
        (b'<c r="A1"><f>B1+C1</f><v /></c>', False),  # openpyxl
        (b'<c r="A1"><f>B1+C1</f></c>', False),
        (b'<c r="A1"><v>5</v></c>', False),
    ],
)
def test_the_facts_find_stored_results_and_the_parts_without_them_hold_none(cell: bytes, holds: bool) -> None:
    """Both ways of the facts (the plain byte patterns where they apply, the tree) find the
    formulas with a stored result; without them, a formula has no value and the other
    cells keep theirs."""
    prefix = b' xmlns:x="urn:x"' if b"<x:" in cell else b""
    xml = (
        b'<worksheet xmlns="urn:x"'
        + prefix
        + b'><sheetData><row r="1">'
        + cell
        + b"</row></sheetData></worksheet>"
    )
    found = sheet_facts(xml, "S")
    assert found.results == ({"A1"} if holds and b"A1" in cell else {"A2"} if holds else set())
    plain = plain_sheet_facts(xml, "S")
    usual = not any(odd in cell for odd in (b"<x:", b"<!--", b't="e"'))  # what the plain way reads
    assert (plain is not None) == usual
    assert plain is None or plain.results == found.results
    assert calculated(xml) is (holds and b">0</" not in cell)  # a stored 0 is not calculated
    dropped = sheet_facts(without_results(xml), "S")
    assert dropped.results == set() and dropped.errors == {}
    assert dropped.no_value == found.no_value | found.results
    assert without_results(xml).count(b"<v>5</v>") == xml.count(b"<v>5</v>")  # other cells kept
