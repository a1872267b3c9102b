"""Issue #23 item 4: the template's totals add the figures as the pipeline reads them.

A number typed as text ("1.200.000") is read by the pipeline (NUMBER_FROM_TEXT, a warning,
the value used). The template's row totals and "Tổng cộng" add the values of the reading
cells (`render/numbercells.py`), not the numbers among the input cells, so the totals the
spreadsheet caches in the file are the pipeline's recomputed totals and no TOTAL_MISMATCH
follows the text. Templates written by our generator are filled by the project's filler
with text numbers in several rows of every block (and cells the pipeline cannot read:
words, an error value, a fraction, a number too large, which both leave out), recalculated
by LibreOffice and by Gnumeric, and checked by the pipeline.
"""

from __future__ import annotations

import random
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from pipeline.filler import fill
from pipeline.run.consolidate import check_files
from pipeline.samples import valid_data
from tests import lo
from tests.conftest import template_for
from tests.test_livechecks_text import _said_by_pipeline, _said_by_template

UNITS = ("SYT", "903")  # free rows (region and category typed), fixed rows


def _dots(v: int) -> str:
    return f"{v:,}".replace(",", ".")


# (block, row index, measure) -> how the figure is typed: f(its valid value)
SPELLED: dict[tuple[str, int, str], Callable[[int], Any]] = {
    ("results", 0, "cash"): _dots,  # "216.711.000"
    ("results", 0, "in_kind"): lambda v: f"{_dots(v)} đồng",
    ("results", 1, "children"): lambda v: f"+{v}",
    ("results", 1, "turns"): lambda v: f"00{v}",
    ("results", 1, "cash"): lambda v: f"{v:,}".replace(",", " "),
    ("results", 2, "in_kind"): lambda v: f"{v} VND",
    ("results", 2, "cash"): lambda _v: "khoảng 50",  # unread: NUMBER_INVALID
    ("results", 3, "in_kind"): lambda _v: "#N/A",  # an error value: NUMBER_INVALID
    ("results", 3, "cash"): lambda v: v + 0.5,  # NUMBER_NOT_INTEGER
    ("results", 4, "in_kind"): lambda _v: "9.999.999.999.999.999",  # NUMBER_TOO_LARGE
    ("resources", 0, "cash"): lambda v: f"{v:,}",  # "198,830,300"
    ("resources", 0, "in_kind"): _dots,
    ("resources", 1, "in_kind"): lambda v: f"{v}đ",
    ("needs", 0, "cost"): _dots,
    ("needs", 1, "children"): lambda v: f" {v} ",
}
READ_AS_TEXT = 11  # the spellings above the pipeline reads as numbers (NUMBER_FROM_TEXT)


def _spelled(code: str, form, layout: dict[str, Any]) -> dict[str, Any]:
    data = valid_data(form, code, random.Random(f"totals-{code}"), layout)
    for (block, i, key), spell in SPELLED.items():
        rows = data[block] if block == "results" else list(data[block].values())
        rows[i][key] = spell(rows[i][key])
    return data


@pytest.fixture(scope="module")
def filled(tmp_path_factory, form, layout, template_dir) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("totals")
    return {
        code: fill(
            template_for(template_dir, form, code),
            base / f"{code}.xlsx",
            layout,
            code,
            _spelled(code, form, layout),
        )
        for code in UNITS
    }


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory, filled) -> dict[str, dict[str, Path]]:
    """application -> unit -> the filled file recalculated and saved by it."""
    lo.require_soffice()
    ssconvert = lo.require("Gnumeric (ssconvert)", shutil.which("ssconvert"), "gnumeric")
    out = tmp_path_factory.mktemp("totals-lo")
    args = ["--convert-to", f"xlsx:{lo.XLSX_FILTER}", "--outdir", str(out), *map(str, filled.values())]
    with lo.profile(recalc=True) as prof:
        lo.run_office(args, prof)
    gnumeric = tmp_path_factory.mktemp("totals-gnumeric")
    for path in filled.values():
        cmd = [ssconvert, "--recalc", str(path), str(gnumeric / path.name)]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)
    return {
        "libreoffice": {code: out / p.name for code, p in filled.items()},
        "gnumeric": {code: gnumeric / p.name for code, p in filled.items()},
    }


def _wanted_totals(form, layout: dict[str, Any], code: str, parsed) -> dict[tuple[str, str], int]:
    """(sheet, cell) -> the total the pipeline recomputes from what it read: each row's
    totals and each "Tổng cộng" (of a measure and of a row total)."""
    unit = form.units_by_code[code]
    lay = layout["layouts"]["fixed_region" if unit.region else "free_rows"]
    out = {}
    for comp in lay["computed"]:
        block = form.blocks[comp["block"]]
        records = parsed.rows.get(block.key, [])
        sums = {m.key: sum(r.measures[m.key] or 0 for r in records) for m in block.measures}
        for m in block.measures:
            out[(comp["sheet"], f"{block.measure_column(m.key)}{comp['total_row']}")] = sums[m.key]
        for t in block.totals:
            out[(comp["sheet"], f"{comp['row_totals'][t.key]}{comp['total_row']}")] = sum(
                sums[k] for k in t.sum_of
            )
            for r in records:
                out[(comp["sheet"], f"{comp['row_totals'][t.key]}{r.row}")] = sum(
                    r.measures[k] or 0 for k in t.sum_of
                )
    return out


@pytest.mark.filterwarnings("ignore:Workbook contains no default style")  # Gnumeric's xlsx
@pytest.mark.parametrize("app", ["libreoffice", "gnumeric"])
@pytest.mark.parametrize("code", UNITS)
def test_cached_totals_are_the_pipelines(code: str, app: str, recalculated, form, layout):
    """No TOTAL_MISMATCH: every total the spreadsheet cached (row totals, "Tổng cộng") is
    the pipeline's sum of what it read, the text numbers included."""
    path = recalculated[app][code]
    (parsed,) = check_files(form, [path])
    codes = [f.code for f in parsed.findings]
    assert codes.count("NUMBER_FROM_TEXT") == READ_AS_TEXT, parsed.findings
    assert {"NUMBER_INVALID", "NUMBER_NOT_INTEGER", "NUMBER_TOO_LARGE"} <= set(codes), codes
    assert "TOTAL_MISMATCH" not in codes, [f.message for f in parsed.findings if f.code == "TOTAL_MISMATCH"]
    wanted = _wanted_totals(form, layout, code, parsed)
    assert len(wanted) > 10
    wb = openpyxl.load_workbook(path, data_only=True)
    got = {(sheet, cell): wb[sheet][cell].value for sheet, cell in wanted}
    assert got == wanted
    # the text counts: adding the numbers typed as numbers alone gives other totals
    res = form.blocks["results"]
    total_row = res.grid.total_row(len(form.rows_for(res, form.units_by_code[code])))
    cash = res.measure_column("cash")
    typed = [wb[res.sheet][f"{cash}{r}"].value for r in range(res.grid.first_row, total_row)]
    numbers = sum(v for v in typed if isinstance(v, int | float) and v == int(v))
    assert numbers < got[(res.sheet, f"{cash}{total_row}")]


@pytest.mark.parametrize("code", UNITS)
def test_row_verdicts_still_the_pipelines(code: str, recalculated, form, layout):
    """The rows' problems, as the template names them, are still the pipeline's."""
    path = recalculated["libreoffice"][code]
    got = _said_by_template(layout, path)
    assert got == _said_by_pipeline(form, layout, path)
    assert sum(sev == "Cảnh báo" for items in got.values() for sev, _c in items) >= READ_AS_TEXT


def test_no_total_is_compared_over_a_number_too_large_to_keep(tmp_path: Path, form, layout, template_dir):
    """A number refused for its size (a negative past what a column holds, a figure past the
    limit) is not kept, but a spreadsheet's total may count it: the template's own total
    counts the negative, a total typed over counts the large one. Such a total cannot be
    recomputed, so no TOTAL_MISMATCH says that its formula was changed or what it "should"
    be: the number's own finding, at its cell, refuses the file."""
    lo.require_soffice()
    code = "903"
    unit = form.units_by_code[code]
    res = form.blocks["results"]
    row = form.rows_for(res, unit)[0].row
    total_row = form.total_row(res, unit)
    girls, cash = (f"{res.measure_column(k)}{row}" for k in ("girls", "cash"))
    data = valid_data(form, code, random.Random("unkept"), layout)
    base = fill(template_for(template_dir, form, code), tmp_path / "base.xlsx", layout, code, data)
    negative = lo.UnoJob(base, tmp_path / "out" / "negative.xlsx")
    negative.value(res.sheet, girls, -1e19)
    large = lo.UnoJob(base, tmp_path / "out" / "large.xlsx")
    large.value(res.sheet, cash, 1e16)  # and the unit's own sum typed over the total
    large.value(res.sheet, f"{res.measure_column('cash')}{total_row}", 1e16 + 10**9)
    lo.fill_with_uno([negative, large], tmp_path / "work")
    for job, cell, rule in ((negative, girls, "NUMBER_NEGATIVE"), (large, cash, "NUMBER_TOO_LARGE")):
        (parsed,) = check_files(form, [job.out])
        found = [(f.code, f.cell) for f in parsed.findings]
        assert (rule, cell) in found, parsed.findings
        assert not [f for f in parsed.findings if f.code == "TOTAL_MISMATCH"], parsed.findings
        assert parsed.has_errors
    # the totals were there to compare: the template's counts the negative
    cached = openpyxl.load_workbook(negative.out, data_only=True)[res.sheet]
    assert cached[f"{res.measure_column('girls')}{total_row}"].value < -1e18
