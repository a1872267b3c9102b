"""brk39 F7: a total typed over on an unprotected sheet is told by the template too.

The row totals and the "Tổng cộng" row are locked formulas; a unit reaches them by
unprotecting the sheet (no password). A number or a text typed over one, or its formula
changed, is TOTAL_MISMATCH in the pipeline (a warning: the recomputed total is used), and
the template said nothing ("Đạt"). The template now compares each total cell with the sum
of what the pipeline reads from the inputs it adds (`render.livechecks._typed_over`) and
says the rule's words in the row's text, in the same rows as the pipeline, with the same
severity. Filled by the project's filler, edited and recalculated by LibreOffice (UNO),
then recalculated by Gnumeric too.
"""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from pipeline.filler import fill
from pipeline.form.sheets import block_sheet
from pipeline.render.template import write_template
from pipeline.rules.catalogue import RULES, TOTAL_WHY
from pipeline.rules.findings import SEVERITY_VI, WARNING
from pipeline.run.consolidate import check_files
from pipeline.samples import valid_data
from tests import lo
from tests.test_live9_layout import _UNO_EDIT
from tests.test_livechecks_text import _said_by_pipeline, _said_by_template

pytestmark = pytest.mark.libreoffice

LIVE = RULES["TOTAL_MISMATCH"].live


def _cells(form, code: str) -> dict[str, dict[str, str]]:
    """Block key -> {"row": its first row total, "sum": its "Tổng cộng" of that total,
    "measure": the "Tổng cộng" of its first measure}, for unit `code`'s template."""
    unit = form.units_by_code[code]
    out = {}
    for key in ("results", "resources"):
        sheet = block_sheet(form, form.blocks[key], unit)
        (row_total,) = sheet.rows[0].totals
        sums = {t.key: t.cell for t in sheet.column_sums}
        out[key] = {"row": row_total.cell, "sum": sums[row_total.key], "measure": sheet.column_sums[0].cell}
    return out


RIGHT_AS_TEXT = object()  # the total's own figure, typed as text with thousands dots

# id -> (unit, [(block, which total, what is typed: a number, or a text)])
CASES = {
    "row-total-number": ("899", [("results", "row", 1234567)]),
    "row-total-text": ("903", [("resources", "row", "xem ghi chú")]),
    "column-sum-number": ("899", [("results", "measure", 7)]),
    "row-total-zero-and-sum": ("SYT", [("resources", "row", 0), ("results", "sum", 99)]),
    "nothing-typed": ("899", []),  # unprotected, nothing changed: nothing said
    # brk52 F2: the right figure typed as text over a row total ("116.723.000"): typed over
    # in both, and its "Tổng cộng" (which leaves the text out) too, not a formula "changed"
    "row-total-right-figure-as-text": ("903", [("resources", "row", RIGHT_AS_TEXT)]),
}


@pytest.fixture(scope="module")
def edited(tmp_path_factory, form, layout) -> dict[str, tuple[Path, list[tuple[str, str]]]]:
    """Each case: the file LibreOffice saved and the (sheet, cell) typed over."""
    lo.require_uno()
    base = tmp_path_factory.mktemp("typed-over")
    jobs, out = [], {}
    for case, (code, typed) in CASES.items():
        template = write_template(form, form.units_by_code[code], base / "templates")
        filled = fill(
            template,
            base / f"filled-{case}.xlsx",
            layout,
            code,
            valid_data(form, code, random.Random(f"typed-over-{case}"), layout),
        )
        cells = _cells(form, code)
        ops, where = [], []
        for key, which, value in typed:
            sheet, cell = form.sheets[key], cells[key][which]
            if value is RIGHT_AS_TEXT:
                (parsed,) = check_files(form, [filled])
                (row,) = [r for r in parsed.rows[key] if f"{r.row}" == cell.lstrip("ABCDEFGHIJ")]
                value = f"{sum(v or 0 for v in row.measures.values()):,}".replace(",", ".")
            op = "type" if isinstance(value, str) else "type_number"
            ops.append((op, sheet, (cell, value)))
            where.append((sheet, cell))
        if not ops:
            ops.append(("clear", form.sheets["needs"], "Z99"))  # unprotects the sheet, changes nothing
        path = base / "edited" / f"{case}.xlsx"
        path.parent.mkdir(exist_ok=True)
        jobs.append({"src": str(filled), "out": str(path), "ops": ops})
        out[case] = (path, where)
    lo.run_uno_script(_UNO_EDIT, {"filter": lo.XLSX_FILTER, "jobs": jobs}, base / "work", "uno_edit")
    return out


@pytest.mark.parametrize("case", list(CASES))
def test_the_template_tells_a_total_typed_over_where_the_pipeline_does(case, edited, form, layout):
    path, typed = edited[case]
    (parsed,) = check_files(form, [path])
    mismatches = {(f.sheet, f.cell) for f in parsed.findings if f.code == "TOTAL_MISMATCH"}
    assert all(f.severity == WARNING for f in parsed.findings if f.code == "TOTAL_MISMATCH")
    # each cell typed over differs from its sum (a row total's also makes its "Tổng cộng" differ)
    assert set(typed) <= mismatches, (typed, parsed.findings)
    assert bool(mismatches) == bool(typed)
    # no formula was changed: a "Tổng cộng" over a typed-over row total says so, never "changed"
    said = [f.message for f in parsed.findings if f.code == "TOTAL_MISMATCH"]
    assert not [m for m in said if TOTAL_WHY["changed"] in m], said
    # the template names the rule in the same rows, with the same severity, and no other row
    got = _said_by_template(layout, path)
    assert got == _said_by_pipeline(form, layout, path), case
    told = {key for key, items in got.items() if (SEVERITY_VI[WARNING], "TOTAL_MISMATCH") in items}
    rows = {(sheet, int(cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))) for sheet, cell in mismatches}
    assert told == rows, (told, rows)


def test_the_row_text_says_what_to_do(edited, form, layout):
    path, [(sheet, cell)] = edited["row-total-number"]
    row = int(cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    text_column = next(c["row_text_column"] for c in layout["checks"]["sheets"] if c["sheet"] == sheet)
    said = openpyxl.load_workbook(path, data_only=True)[sheet][f"{text_column}{row}"].value
    assert f"{SEVERITY_VI[WARNING]}: {LIVE}" in said, said
    assert "dán lại công thức từ mẫu gốc" in said


def test_gnumeric_tells_the_same_rows(edited, form, layout, tmp_path):
    """The files LibreOffice saved, recalculated by Gnumeric: the same rows told."""
    ssconvert = lo.require("Gnumeric (ssconvert)", shutil.which("ssconvert"), "gnumeric")
    for case, (path, _typed) in edited.items():
        out = tmp_path / path.name
        cmd = [ssconvert, "--recalc", str(path), str(out)]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)
        assert _said_by_template(layout, out) == _said_by_pipeline(form, layout, path), case
