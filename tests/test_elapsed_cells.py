"""A big number under an elapsed-time format ([HH]:MM, LibreOffice's "Duration") made the
whole file "bị hỏng" (brk13): python-calamine gives a number under such a format as a
Python timedelta and fails on the sheet past 999.999.999 days (OverflowError), so a total
of 1.314.128.000 đồng formatted [HH]:MM, or any such cell of a form sheet, refused a valid
file. Now the .xlsx is given to calamine with those formats showing numbers
(`numfmt.elapsed_as_numbers`) and its cells read as their format shows them; an .xls is
read by the project's own BIFF reader; a total so formatted is compared by its number (no
untrue mismatch); an input so formatted is an error at its cell, never the whole file.

Files: 899's report, cells formatted and set by LibreOffice through UNO, saved as .xlsx,
.xls and .ods; the .xlsx written again by SheetJS."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest

from pipeline.filler import fill
from pipeline.form import layout_json, load_form
from pipeline.rules.findings import ERROR
from pipeline.run.consolidate import check_files
from pipeline.samples import valid_data

from . import lo
from .conftest import template_for
from .test_percent_cells import FILTERS, UNO_FORMAT

FORM = load_form()
DURATION = "[HH]:MM"


def _made(base: Path, template_dir: Path, cells: list, stem: str) -> dict[str, Path]:
    layout = layout_json(FORM)
    data = valid_data(FORM, "899", random.Random(stem), layout)
    src = fill(template_for(template_dir, FORM, "899"), base / f"{stem}.xlsx", layout, "899", data)
    outs = {kind: base / f"{stem}-lo.{kind}" for kind in FILTERS}
    spec = {"src": str(src), "cells": cells, "outs": [(str(outs[k]), FILTERS[k]) for k in FILTERS]}
    lo.run_uno_script(UNO_FORMAT, spec, base / f"work-{stem}", "uno_format")
    node, folder = lo.require_sheetjs()
    outs["sheetjs.xlsx"] = base / f"{stem}-sheetjs.xlsx"
    script = (
        "const X = require(process.argv[1] + '/node_modules/xlsx');"
        "X.writeFile(X.readFile(process.argv[2], {cellNF: true}), process.argv[3], {bookType: 'xlsx'});"
    )
    subprocess.run(
        [node, "-e", script, str(folder), str(outs["xlsx"]), str(outs["sheetjs.xlsx"])], check=True
    )
    outs["sheetjs.xlsb"] = base / f"{stem}-sheetjs.xlsb"  # brk15: calamine fails on its sheet too
    script = script.replace("bookType: 'xlsx'", "bookType: 'xlsb'")
    subprocess.run(
        [node, "-e", script, str(folder), str(outs["xlsx"]), str(outs["sheetjs.xlsb"])], check=True
    )
    return outs


@pytest.fixture(scope="module")
def totals(tmp_path_factory, template_dir) -> dict[str, Path]:
    """The support total's value and children cells formatted [HH]:MM (one past any time,
    one a duration of some thousand days), and a big number under it right of the form
    (Z40): a valid report."""
    lo.require_uno()
    support = FORM.support_block
    total = (
        f"{support.measure_column(support.main_total)}{FORM.total_row(support, FORM.units_by_code['899'])}"
    )
    row = FORM.total_row(support, FORM.units_by_code["899"])
    children = f"{support.measure_column(support.headcount)}{row}"  # a few thousand days: a timedelta
    cells = [
        (support.sheet, total, DURATION, False, None),
        (support.sheet, children, DURATION, False, None),
        (support.sheet, "Z40", DURATION, False, 1_314_128_000),
    ]
    return _made(tmp_path_factory.mktemp("elapsed"), template_dir, cells, "tong")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory, template_dir) -> tuple[dict[str, Path], str]:
    """The first resource row's cash (a big amount) formatted [HH]:MM: an error at its cell."""
    lo.require_uno()
    resources = FORM.resources_block
    cash = f"{resources.measure_column(resources.measures[0].key)}{resources.first_row}"
    cells = [(resources.sheet, cash, DURATION, False, 1_314_128_000)]
    return _made(tmp_path_factory.mktemp("elapsed-in"), template_dir, cells, "o"), cash


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods", "sheetjs.xlsx", "sheetjs.xlsb"])
def test_a_total_shown_as_a_duration_leaves_the_file_valid(totals, kind):
    (parsed,) = check_files(FORM, [totals[kind]])
    said = [(f.code, f.cell, f.message) for f in parsed.findings]
    assert parsed.unit_code == "899" and not [f for f in parsed.findings if f.severity == ERROR], said
    # LibreOffice's .ods stores a duration past any time as garbage (PT-2147483648H): no total
    # to compare there, and nothing untrue said of it (brk15: "«#NUM!» … đã bị sửa")
    assert not [f for f in parsed.findings if f.code == "TOTAL_MISMATCH"], said


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods", "sheetjs.xlsx", "sheetjs.xlsb"])
def test_an_amount_shown_as_a_duration_is_an_error_at_its_cell(inputs, kind):
    files, cash = inputs
    (parsed,) = check_files(FORM, [files[kind]])
    errors = [(f.code, f.cell) for f in parsed.findings if f.severity == ERROR]
    assert errors == [("NUMBER_INVALID", cash)], [f.message for f in parsed.findings]
