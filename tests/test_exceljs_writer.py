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
    # its totals hold the template's 0: recomputed, and said to be saved uncalculated
    assert findings and {f.code for f in findings} == {"TOTAL_MISMATCH"}
    assert all("chưa tính lại công thức" in f.message for f in findings), findings[0].message
