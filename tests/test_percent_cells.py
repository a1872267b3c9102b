"""A count or an amount in a cell whose format shows a percentage is no count or amount
(brk13): Excel's automatic percent entry stores 232656000 typed into a cell formatted
`#,##0%` as 2326560, and the sheet shows "232,656,000%". The file was accepted with the
amount a hundred times too small. Now NUMBER_INVALID at the cell, saying what the sheet
shows, the number stored and what to do, in every format: the cell formatted and set by
LibreOffice through UNO as Excel stores it, saved as .xlsx, .xls and .ods; the .xlsx written
again by SheetJS as .xlsb. A total so formatted is compared by its number (no mismatch), and
a plain percent elsewhere in the workbook is nothing to the reader."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest

from pipeline.filler import fill
from pipeline.form import layout_json, load_form
from pipeline.read.formats.numfmt import builtin_shows_percent, shows_percent, shows_percent_at
from pipeline.rules.findings import ERROR
from pipeline.run.consolidate import check_files
from pipeline.samples import valid_data

from . import lo
from .conftest import template_for

FORM = load_form()

UNO_FORMAT = (  # cells given a number format by its code (and a value), saved in each format
    lo.UNO_PREAMBLE
    + r"""
spec = json.load(open(sys.argv[1], encoding="utf-8"))
ctx = connect(spec["url"], time.monotonic() + spec["connect_timeout"])
desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(spec["src"]), "_blank", 0, (prop("Hidden", True),))
formats = doc.getNumberFormats()
locale = uno.createUnoStruct("com.sun.star.lang.Locale")
for sheet, cell, code, divide, value in spec["cells"]:
    sh = doc.Sheets.getByName(sheet)
    if sh.isProtected():
        sh.unprotect("")
    key = formats.queryKey(code, locale, False)
    if key == -1:
        key = formats.addNew(code, locale)
    target = sh.getCellRangeByName(cell)
    if value is not None:
        target.setValue(value)
    if divide:  # Excel's automatic percent entry: the number typed, stored divided by 100
        target.setValue(target.getValue() / 100)
    target.NumberFormat = key
doc.calculateAll()
for out, name in spec["outs"]:
    doc.storeToURL(uno.systemPathToFileUrl(out), (prop("FilterName", name),))
doc.close(True)
"""
    + lo.UNO_EPILOGUE
)

FILTERS = {"xlsx": lo.XLSX_FILTER, "xls": "MS Excel 97", "ods": "calc8"}


@pytest.fixture(scope="module")
def percent_files(tmp_path_factory, template_dir) -> dict[str, Path]:
    """899's report with the first resource row's cash typed into a `#,##0%` cell (stored
    divided by 100), the support total's cash cell formatted `0%` (its number kept), and a
    percent on a cell the form does not read; in each format."""
    lo.require_uno()
    base = tmp_path_factory.mktemp("percent")
    layout = layout_json(FORM)
    data = valid_data(FORM, "899", random.Random("percent"), layout)
    first = next(iter(data["resources"].values()))
    first["cash"] = 232_656_000  # a whole number of thousands: stored /100, still a whole number
    src = fill(template_for(template_dir, FORM, "899"), base / "899.xlsx", layout, "899", data)
    resources, support = FORM.resources_block, FORM.support_block
    cash = f"{resources.measure_column(resources.measures[0].key)}{resources.first_row}"
    total = (
        f"{support.measure_column(support.main_total)}{FORM.total_row(support, FORM.units_by_code['899'])}"
    )
    cells = [
        (resources.sheet, cash, "#,##0%", True, None),
        (support.sheet, total, "0%", False, None),
        (resources.sheet, "Z40", "0%", False, 7),
    ]
    # Gnumeric's .ods: a percent cell is value type float under a percentage data style (brk15)
    outs = formatted(src, cells, base, "899-pct")
    return {**outs, "cash": cash, "typed": data}  # type: ignore[dict-item]


def formatted(src: Path, cells: list[tuple], base: Path, stem: str) -> dict[str, Path]:
    """`src` with each of `cells` (sheet, cell, format code, divided by 100, value) given its
    format by LibreOffice through UNO, saved as .xlsx, .xls and .ods (`FILTERS`), the .xlsx
    written again by SheetJS as .xlsb and by Gnumeric as .ods ("gnumeric.ods"), under
    `base`/`stem`.<kind>."""
    outs = {kind: base / f"{stem}.{kind}" for kind in FILTERS}
    spec = {"src": str(src), "cells": cells, "outs": [(str(outs[k]), FILTERS[k]) for k in FILTERS]}
    lo.run_uno_script(UNO_FORMAT, spec, base / "work", f"uno_{stem}")
    node, folder = lo.require_sheetjs()
    outs["xlsb"] = base / f"{stem}.xlsb"
    script = (
        "const X = require(process.argv[1] + '/node_modules/xlsx');"
        "X.writeFile(X.readFile(process.argv[2], {cellNF: true, cellStyles: true}), process.argv[3],"
        " {bookType: 'xlsb'});"
    )
    subprocess.run(
        [node, "-e", script, str(folder), str(outs["xlsx"]), str(outs["xlsb"])], check=True, timeout=120
    )
    outs["gnumeric.ods"] = base / f"{stem}-gnumeric.ods"
    subprocess.run(
        ["ssconvert", "-T", "Gnumeric_OpenCalc:openoffice", str(outs["xlsx"]), str(outs["gnumeric.ods"])],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return outs


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods", "xlsb", "gnumeric.ods"])
def test_an_amount_shown_as_a_percentage_is_an_error_at_its_cell(percent_files, kind):
    (parsed,) = check_files(FORM, [percent_files[kind]])
    errors = [f for f in parsed.findings if f.severity == ERROR]
    cash = percent_files["cash"]
    assert [(f.code, f.cell) for f in errors] == [("NUMBER_INVALID", cash)], [
        f.message for f in parsed.findings
    ]
    assert "vì ô được định dạng kiểu Phần trăm" in errors[0].message
    assert "%'" in errors[0].message and "hãy đổi định dạng ô sang Số" in errors[0].message
    # the total formatted 0% holds the right number: no mismatch said of it
    assert not [f for f in parsed.findings if f.code == "TOTAL_MISMATCH"], [
        f.message for f in parsed.findings
    ]


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["xlsx", "ods"])
def test_the_template_shows_the_error_too(percent_files, kind):
    """The template's own check, as LibreOffice calculated it on saving: one error, at the
    sheet of the cell (CELL("format") says "P0" of a percentage, `numbercells._read_step`)."""
    import openpyxl

    path = percent_files[kind]
    if kind == "ods":  # read as calculated: LibreOffice's own conversion keeps the values
        path = lo.convert(path, path.parent / "as-xlsx", "xlsx", recalc=False)
    sheet, cell = FORM.overview_cell()
    said = str(openpyxl.load_workbook(path, data_only=True)[sheet][cell].value)
    assert said.startswith("Còn 1 lỗi"), said


@pytest.mark.parametrize(
    ("code", "percent"),
    [
        *[("0%", True), ("#,##0%", True), ("0.00%", True), ("[Red]#,##0%;-#,##0%", True), ("General%", True)],
        # a "%" quoted or escaped is a literal; a date with "%" is a date; no "%" is a number
        *[('0"%"', False), ("0\\%", False), ("#,##0", False), ("dd/mm/yyyy%", False), ("@", False)],
    ],
)
def test_a_percentage_is_what_libreoffice_types_as_one(code, percent):
    """`numfmt.shows_percent`: the first section of LibreOffice's type percent."""
    assert shows_percent(code) is percent


@pytest.mark.parametrize(
    ("code", "number", "percent"),
    [
        ("#,##0;-0%", 232656000, False),  # the negative section alone is a percentage (brk15)
        ("#,##0;-0%", -5, True),
        ("[<0]0%;#,##0", 524, False),
        ("[>=1000]0%;#,##0", 2326560, True),
        ("[>=1000]0%;#,##0", 524, False),
        ("0%", 524, True),
    ],
)
def test_the_section_libreoffice_picks_decides(code, number, percent):
    """`numfmt.shows_percent_at`: as LibreOffice picks the section for the number."""
    assert shows_percent(code) and shows_percent_at(code, number) is percent


def test_the_built_in_percentages():
    assert [i for i in range(200) if builtin_shows_percent(i)] == [9, 10]
