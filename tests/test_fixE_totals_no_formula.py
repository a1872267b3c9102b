"""brk51 F3: a file whose total cells hold no formula at all is told once, not once per
total as "typed over".

SheetJS filling a template and writing .xls (biff8) or .xlsb drops every formula: each
total keeps the template's stored 0 as a plain number. Before, each total differing from
the recomputed one was a TOTAL_MISMATCH "ô tổng tự tính nhưng đã bị gõ đè" (many of
them, though the unit typed nothing there); the same data as .xlsx, its formulas kept,
got one TOTALS_UNCALCULATED. Now such a file gets one TOTALS_NO_FORMULA at the first
total, naming every one; a total typed over in a file that keeps its formulas is still
its own TOTAL_MISMATCH.

Inputs: unit 899's blank template written by the project, filled and written by SheetJS
under Node (`$SHEETJS_DIR`).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from pipeline.form import load_form
from pipeline.read.parse import parse_path
from pipeline.read.plan import block_plan
from pipeline.render.template import write_template
from pipeline.rules.catalogue import TOTAL_WHY
from tests import lo

FORM = load_form()
RES = FORM.blocks["results"]
UNIT = FORM.units_by_code["899"]
ROWS = FORM.rows_for(RES, UNIT)
FIGURES = [  # (sheet, cell, number): children and cash in the first two rows
    (RES.sheet, f"{RES.measure_column(key)}{ROWS[i].row}", n)
    for i, children, cash in ((0, 5, 1_000_000), (1, 3, 2_000_000))
    for key, n in (("children", children), ("cash", cash))
]
# the column total of the cash
TYPED = next(cell for key, cell, _r, _c in block_plan(FORM, RES, UNIT).total_measure_cells if key == "cash")

_SHEETJS_FILL = (
    "const X = require(process.argv[1] + '/node_modules/xlsx');"
    "const [, , src, out, type, cells] = process.argv;"
    "const wb = X.readFile(src, {cellFormula: true, cellNF: true, cellStyles: true});"
    "for (const [s, c, n] of JSON.parse(cells)) wb.Sheets[s][c] = {t: 'n', v: n};"
    "X.writeFile(wb, out, {bookType: type, cellStyles: true});"
)


def _sheetjs_fill(src: Path, out: Path, book_type: str, cells: list[tuple[str, str, int]]) -> Path:
    """`src` filled by SheetJS with the numbers of `cells` ((sheet, cell, number)), written
    as `book_type` into `out` (nothing calculated)."""
    node, folder = lo.require_sheetjs()
    args = [node, "-e", _SHEETJS_FILL, folder, src, out, book_type, json.dumps(cells, ensure_ascii=False)]
    subprocess.run(args, check=True, timeout=60)
    return out


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_template(FORM, UNIT, tmp_path_factory.mktemp("no-formula"))


@pytest.mark.parametrize(("book_type", "suffix"), [("biff8", "xls"), ("xlsb", "xlsb")])
def test_totals_without_formulas_are_said_once(
    template: Path, tmp_path: Path, book_type: str, suffix: str
) -> None:
    """SheetJS's .xls and .xlsb: one TOTALS_NO_FORMULA naming the totals, no TOTAL_MISMATCH
    saying a total was typed over; the figures read as filled. A total typed over in a file
    keeping its formulas is still said at its cell."""
    path = _sheetjs_fill(template, tmp_path / f"899.{suffix}", book_type, FIGURES)
    p = parse_path(path, 1, FORM)
    codes = [f.code for f in p.findings if f.code.startswith("TOTAL")]
    assert codes == ["TOTALS_NO_FORMULA"], p.findings
    said = next(f for f in p.findings if f.code == "TOTALS_NO_FORMULA")
    # the two rows' totals, the children's and the cash's column totals, and the grand total
    assert said.sheet == RES.sheet and "5 ô tổng trong tệp khác tổng tính lại từ các ô nhập" in said.message
    assert TYPED in said.message and "không ô tổng nào trong tệp còn công thức của mẫu" in said.message
    assert TOTAL_WHY["typed"] not in " ".join(f.message for f in p.findings)
    cash = {r.row: r.measures["cash"] for r in p.rows[RES.key]}
    assert cash == {ROWS[0].row: 1_000_000, ROWS[1].row: 2_000_000}

    # the same template as .xlsx, its formulas kept: a number typed over one total is its
    # own TOTAL_MISMATCH "typed over"; the others, storing the template's 0, one
    # TOTALS_UNCALCULATED, as before
    path = _sheetjs_fill(template, tmp_path / "899.xlsx", "xlsx", [*FIGURES, (RES.sheet, TYPED, 7)])
    p = parse_path(path, 1, FORM)
    typed = [f for f in p.findings if f.code == "TOTAL_MISMATCH"]
    assert [(f.sheet, f.cell) for f in typed] == [(RES.sheet, TYPED)] and TOTAL_WHY["typed"] in typed[
        0
    ].message
    assert "TOTALS_NO_FORMULA" not in {f.code for f in p.findings}
    assert "TOTALS_UNCALCULATED" in {f.code for f in p.findings}
