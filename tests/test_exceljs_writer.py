"""ExcelJS (the Node library many web forms and phone apps write .xlsx with) as the unit's
writer, under Node: a filled report opened and saved again, and a blank template filled
cell by cell with the same figures, which ExcelJS saves without calculating a formula (the
template's totals keep the 0 they were written with). Both are read as the report itself:
the same figures, the same information; the second's totals are recomputed and said to be
uncalculated, never taken for errors."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from pipeline.read.parse import parse_path
from pipeline.read.plan import block_plan
from pipeline.read.reader import split_cell
from pipeline.rules.findings import ERROR
from tests import lo

from .conftest import template_for

_ROUND_TRIP = """
const ExcelJS = require(process.argv[1] + '/node_modules/exceljs');
(async () => {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(process.argv[2]);
  await wb.xlsx.writeFile(process.argv[3]);
})().catch(e => { console.error(e); process.exit(1); });
"""

_FILL = """
const ExcelJS = require(process.argv[1] + '/node_modules/exceljs');
const fs = require('fs');
(async () => {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(process.argv[2]);
  for (const [sheet, ref, value] of JSON.parse(fs.readFileSync(process.argv[3], 'utf8'))) {
    const cell = wb.getWorksheet(sheet).getCell(ref);
    cell.value = value && value.date ? new Date(value.date + 'Z') : value;
  }
  await wb.xlsx.writeFile(process.argv[4]);
})().catch(e => { console.error(e); process.exit(1); });
"""


def _exceljs(script: str, *args: Path) -> None:
    node, folder = lo.require_sheetjs()
    found = folder if (Path(folder) / "node_modules" / "exceljs").is_dir() else None
    lo.require("ExcelJS ($SHEETJS_DIR/node_modules/exceljs)", found, "npm install exceljs (outside the repo)")
    subprocess.run([node, "-e", script, folder, *map(str, args)], check=True, timeout=120)


def _typed(blank: Path, filled: Path) -> list[list[Any]]:
    """(sheet, cell, value) of every constant the filler typed into `blank` to make `filled`:
    what a unit types, cell by cell (dates as {"date": ISO})."""
    before, after = openpyxl.load_workbook(blank), openpyxl.load_workbook(filled)
    out: list[list[Any]] = []
    for ws in after.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if not isinstance(value, str | int | float) and not hasattr(value, "isoformat"):
                    continue  # a formula object (array formula): the template's own
                if value == before[ws.title][cell.coordinate].value or str(value).startswith("="):
                    continue
                out.append(
                    [
                        ws.title,
                        cell.coordinate,
                        {"date": value.isoformat()} if hasattr(value, "isoformat") else value,
                    ]
                )
    return out


def _read(path: Path, form) -> tuple[list[Any], dict[str, Any], Any]:
    p = parse_path(path, 1, form)
    rows = {b: [(r.row, r.key, r.measures) for r in recs] for b, recs in p.rows.items()}
    return p.findings, rows, p.info_row


@pytest.mark.parametrize("code", ["899", "SYT"])
def test_a_report_exceljs_saves_again_reads_as_itself(form, make_file, tmp_path: Path, code: str) -> None:
    src, _ = make_file(code)
    out = tmp_path / f"{code}-exceljs.xlsx"
    _exceljs(_ROUND_TRIP, src, out)
    findings, rows, info = _read(out, form)
    want_findings, want_rows, want_info = _read(src, form)
    assert [f.message for f in findings] == [f.message for f in want_findings] == []
    assert (rows, info) == (want_rows, want_info)


@pytest.mark.libreoffice
@pytest.mark.parametrize("code", ["899", "SYT"])
def test_a_template_exceljs_fills_without_calculating_reads_as_the_report(
    form, make_file, template_dir, tmp_path: Path, code: str
) -> None:
    src, _ = make_file(code)
    blank = template_for(template_dir, form, code)
    typed = tmp_path / "typed.json"
    typed.write_text(json.dumps(_typed(blank, src), ensure_ascii=False), encoding="utf-8")
    out = tmp_path / f"{code}-exceljs-filled.xlsx"
    _exceljs(_FILL, blank, typed, out)
    findings, rows, info = _read(out, form)
    _, want_rows, want_info = _read(src, form)
    assert (rows, info) == (want_rows, want_info)
    assert not [f.message for f in findings if f.severity == ERROR]
    # its totals hold the template's 0: recomputed, and said once for the whole file, at
    # the first in reading order, naming every total that holds it (before: one warning per
    # total), both ways: saved uncalculated, or the formulas broken (ExcelJS drops the
    # template's names that hold formulas, so here they stay 0 in any application)
    (said,) = findings
    assert said.code == "TOTALS_UNCALCULATED" and said.severity != ERROR
    stale = _stale_totals(out, src, form, code, tmp_path / "lo")
    assert len(stale) >= 2 and (said.sheet, said.cell) == stale[0]
    assert f"{len(stale)} ô tổng trong tệp ghi 0 dù các ô nhập đã có số" in said.message, said.message
    assert (
        "chưa tính lại công thức" in said.message and "công thức của mẫu đã bị sửa hoặc hỏng" in said.message
    )
    for sheet in {s for s, _c in stale}:
        cells = ", ".join(c for s, c in stale if s == sheet)
        assert f"trang '{sheet}': {cells}" in said.message, said.message


def _stale_totals(path: Path, src: Path, form, code: str, work: Path) -> list[tuple[str, str]]:
    """The (sheet, cell) of the template's totals that store 0 in `path` while LibreOffice,
    calculating `src` (the same figures in the template as the project fills it), shows
    another number there: sheets in the form's block order, cells row by row. Not `path`
    itself: ExcelJS drops the template's names that hold formulas (it keeps only names of
    ranges), so its totals calculate to 0 in any application."""
    stored = openpyxl.load_workbook(path, data_only=True)
    calculated = openpyxl.load_workbook(lo.recalc_xlsx(src, work), data_only=True)
    unit = form.units_by_code[code]
    out = []
    for block in form.blocks.values():
        plan = block_plan(form, block, unit)
        cells = [c for _k, c, _r, _c in plan.total_measure_cells]
        cells += [c for _s, c, _r, _c in plan.total_row_cells]
        cells += [t for rp in plan.rows for _s, t, _r, _c in rp.totals]
        was, now = stored[block.sheet], calculated[block.sheet]
        stale = [c for c in cells if was[c].value == 0 and now[c].value not in (0, None)]
        out += [(block.sheet, c) for c in sorted(stale, key=lambda a1: split_cell(a1)[::-1])]
    return out


@pytest.mark.libreoffice
def test_rows_exceljs_types_into_a_calculated_report_are_not_said_to_have_changed_formulas(
    form, make_file, tmp_path: Path
) -> None:
    """brk24 F4: ExcelJS fills an empty row of a report LibreOffice calculated and saves it
    without calculating; it also drops the empty-text results of that row's reading cells
    on the lists sheet. The row was typed in after the last calculation, so the totals'
    stored results are older than it (saved uncalculated, nothing to fix), never a sign
    that the unit changed the template's formulas ("đã bị sửa … dán lại công thức")."""
    src, _ = make_file("899")
    calc = lo.recalc_xlsx(src, tmp_path / "calc")
    sheet = form.blocks["results"].sheet
    shown = openpyxl.load_workbook(calc, data_only=True)[sheet]
    plan = block_plan(form, form.blocks["results"], form.units_by_code["899"])
    children, cash = (form.blocks["results"].measure_column(k) for k in ("children", "cash"))
    empty = [rp.row for rp in plan.rows if shown[f"{children}{rp.row}"].value in (None, 0)]
    assert empty, "the report leaves no row empty to type into"
    row = empty[0]
    typed = tmp_path / "typed.json"
    typed.write_text(json.dumps([[sheet, f"{children}{row}", 5], [sheet, f"{cash}{row}", 1000000]]))
    out = tmp_path / "899-exceljs-edit.xlsx"
    _exceljs(_FILL, calc, typed, out)
    findings, rows, _ = _read(out, form)
    assert any(r[0] == row and r[2]["children"] == 5 for r in rows["results"]), rows["results"]
    said = [f for f in findings if f.code in ("TOTAL_MISMATCH", "TOTALS_UNCALCULATED")]
    assert said and not [f for f in findings if f.severity == ERROR], findings
    assert not [f.message for f in said if "đã bị sửa" in f.message], [f.message for f in said]
    assert all("chưa tính lại công thức" in f.message for f in said), [f.message for f in said]
