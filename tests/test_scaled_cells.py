"""A count or an amount whose format shows another number than the cell holds is no count or
amount (brk22 F4). A display factor (`#,##0,`) shows 140068000 as "140.068"; digits written
by the format itself (`#,##0".000"`, `#,##0\\.\\0\\0\\0`) show a typed 140068 as
"140.068.000" on a Vietnamese sheet, and it was read as 140.068 đồng in silence. Now
NUMBER_INVALID at the cell, quoting what the sheet shows, the number held and what to do, in
every format: the cells formatted by LibreOffice through UNO, saved as .xlsx, .xls and .ods
(number:display-factor, number:text), the .xlsx written again by SheetJS as .xlsb and by
Gnumeric as .ods. A total so formatted is compared by its number (no mismatch), and such a
format elsewhere in the workbook is nothing to the reader. Which formats show another number
is LibreOffice's own display, on a sheet with Vietnamese settings."""

from __future__ import annotations

import csv
import random
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.filler import fill
from pipeline.form import layout_json, load_form
from pipeline.read.formats.numfmt import named_multiple, scaling_at, shown_value, shows_scaled
from pipeline.rules.findings import ERROR
from pipeline.run.consolidate import check_files
from pipeline.samples import valid_data
from pipeline.text.values import ScaledShown, ShownOtherwise

from . import lo
from .conftest import template_for
from .test_percent_cells import formatted

FORM = load_form()
FACTOR, WRITTEN = "#,##0,", '#,##0".000"'
# a number section scaled beside a date section; a currency whose locale holds 0s (brk23 F5, F1)
BY_VALUE_SCALED = "[>=100000]#,##0,;dd/mm/yyyy"
DOLLARS = "[$$-409]#,##0.00"


@pytest.fixture(scope="module")
def scaled_files(tmp_path_factory, template_dir) -> dict[str, Path]:
    """899's report with the first resource row's cash under `#,##0,` (140.068.000 held,
    "140.068" shown), its in-kind under `#,##0".000"` (140.068 typed, "140.068.000" shown),
    the second row's cash under a format whose other section shows dates (140.068 shown
    "140"), the third's under a dollar currency
    (`[$$-409]`: its 409 is no digit of the number), the support total's cash cell under
    `#,##0,` (its number kept), and a scaled format on a cell the form does not read; in
    each format."""
    lo.require_uno()
    base = tmp_path_factory.mktemp("scaled")
    layout = layout_json(FORM)
    data = valid_data(FORM, "899", random.Random("scaled"), layout)
    first = next(iter(data["resources"].values()))
    first["cash"], first["in_kind"] = 140_068_000, 140_068
    second = list(data["resources"].values())[1]
    second["cash"] = 140_068
    src = fill(template_for(template_dir, FORM, "899"), base / "899.xlsx", layout, "899", data)
    resources, support = FORM.resources_block, FORM.support_block
    cash = f"{resources.measure_column('cash')}{resources.first_row}"
    in_kind = f"{resources.measure_column('in_kind')}{resources.first_row}"
    total = (
        f"{support.measure_column(support.main_total)}{FORM.total_row(support, FORM.units_by_code['899'])}"
    )
    row = resources.first_row
    cells = [
        (resources.sheet, cash, FACTOR, False, None),
        (resources.sheet, in_kind, WRITTEN, False, None),
        (resources.sheet, f"{cash[0]}{row + 1}", BY_VALUE_SCALED, False, None),
        (resources.sheet, f"{cash[0]}{row + 2}", DOLLARS, False, None),
        (support.sheet, total, FACTOR, False, None),
        (resources.sheet, "Z40", FACTOR, False, 7000),
    ]
    outs = formatted(src, cells, base, "899-scaled")
    return {**outs, "cash": cash, "in_kind": in_kind, "by_value": f"{cash[0]}{row + 1}"}  # type: ignore[dict-item]


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods", "xlsb", "gnumeric.ods"])
def test_an_amount_shown_as_another_number_is_an_error_at_its_cell(scaled_files, kind):
    (parsed,) = check_files(FORM, [scaled_files[kind]])
    errors = {f.cell: f for f in parsed.findings if f.severity == ERROR}
    said = [f.message for f in parsed.findings]
    if kind == "gnumeric.ods":  # Gnumeric writes `#,##0,` without its display factor: the
        # file shows 140.068.000, read as such (its data style says so; checked below)
        assert scaled_files["cash"] not in errors and scaled_files["by_value"] not in errors, said
        errors[scaled_files["cash"]] = _factor_error(scaled_files, "cash")
        errors[scaled_files["by_value"]] = _factor_error(scaled_files, "by_value")
    wanted = [scaled_files["cash"], scaled_files["in_kind"], scaled_files["by_value"]]
    assert sorted(errors) == sorted(wanted), said
    assert "hiện thành '140'" in errors[scaled_files["by_value"]].message
    assert {f.code for f in errors.values()} == {"NUMBER_INVALID"}
    factor, written = errors[scaled_files["cash"]].message, errors[scaled_files["in_kind"]].message
    assert "hiện thành '140.068'" in factor and "chia số cho 1.000" in factor, factor
    assert "là 140.068.000)" in factor
    assert "hiện thành '140.068.000'" in written and "thêm '.000'" in written, written
    assert "là 140.068)" in written
    for message in (factor, written):
        assert "hãy đổi định dạng ô sang Số" in message
    # the total formatted `#,##0,` holds the right number: no mismatch said of it
    mismatched = {f.cell for f in parsed.findings if f.code == "TOTAL_MISMATCH"}
    if kind == "gnumeric.ods":  # the second row's cash shown whole there (the date section
        # dropped too), while its totals hold LibreOffice's, which left it out: stale, said so
        rows = {
            scaled_files["by_value"][1:],
            str(FORM.total_row(FORM.resources_block, FORM.units_by_code["899"])),
        }
        assert mismatched and {cell[1:] for cell in mismatched} <= rows, said
    else:
        assert not mismatched, said


def _factor_error(scaled_files: dict[str, Path], cell: str) -> Any:
    """The display factor's error at `cell` of the LibreOffice .ods, standing in for
    Gnumeric's, whose data styles carry no number:display-factor at all (asserted)."""
    with zipfile.ZipFile(scaled_files["gnumeric.ods"]) as z:
        assert b"display-factor" not in z.read("content.xml") + z.read("styles.xml")
    (parsed,) = check_files(FORM, [scaled_files["ods"]])
    return next(f for f in parsed.findings if f.cell == scaled_files[cell])


# --- which formats show another number: LibreOffice's display, Vietnamese settings -----------
def _vi_number(text: str) -> float | None:
    """The first number a Vietnamese reader reads in `text` ("140.068.000 K" -> 140068000,
    "VND 1,2" -> 1.2, "12 000" -> 12000), None without one."""
    found = re.search(r"(-?[0-9][0-9. \u00a0]*(?:,[0-9]+)?)", text)
    if found is None:
        return None
    return float(re.sub(r"[. \u00a0]", "", found.group(1)).replace(",", "."))


def _lo_shown_vi(cells: list[tuple[str, float]]) -> list[str]:
    """Each (format, number) as LibreOffice shows it with Vietnamese settings (its CSV
    export of what the sheet shows)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = lo.numbers_under_formats(Path(tmp) / "f.xlsx", cells)
        out = Path(tmp) / "csv"
        out.mkdir()
        with lo.profile(locale="vi-VN") as prof:
            lo.run_office(
                ["--convert-to", lo.CSV_SHOWN.format(sheet=1), "--outdir", str(out), str(src)], prof
            )
        rows = list(csv.reader(next(out.glob("*.csv")).read_text(encoding="utf-8").splitlines()))
        return [row[0] if row else "" for row in rows]


def _disagreements(cells: list[tuple[str, float]]) -> list[tuple[str, float, str, str]]:
    """(format, number, LibreOffice's text, ours) where LibreOffice shows another number
    than the cell's and we do not say so (a percentage or scaled, `shown_value`), or the
    reverse, or our text of a scaled number (but its sign: LibreOffice writes it before
    any literal, "-Số 5.000") is not in its."""
    wrong = []
    for (fmt, number), theirs in zip(cells, _lo_shown_vi(cells), strict=True):
        value = shown_value(fmt, number)
        ours = value.shown if isinstance(value, ScaledShown) else ""
        read = _vi_number(theirs.replace("%", ""))
        # another number, or the same under a word naming a multiple of its unit or a "%"
        other = read is not None and (abs(read) != abs(number) or bool(named_multiple(theirs)))
        if other != isinstance(value, ShownOtherwise) or ours.lstrip("-") not in theirs:
            wrong.append((fmt, number, theirs, ours))
    return wrong


SCALED_CODES = [
    FACTOR,
    WRITTEN,
    "#,##0\\.\\0\\0\\0",
    '#,##0" 000"',
    '"1"0',
    "0.0,,",
    '#,##0, "K"',
    "[$-42A]#,##0,",
    "#,##0,;-#,##0,",
    "#,##0;-#,##0,",
    "[Red]#,##0,",
    # General, digits after spaces, digits between the number's, a point without decimals,
    # '#' decimals (brk23 F2, F3, F4, F6)
    'General".000"',
    '#,##0 "000"',
    '#,##0_ "000"',
    '#,##0"  000"',
    '0"0"0',
    '#,##0."000"',
    "#,##0,,",
    "#,##0.0#,",
    "0" + "," * 110,  # divided past any double: shown 0, no overflow (brk23 F7)
    # a word naming a multiple of the unit, a "%" written as text (brk31 F3, F4)
    '#,##0 "nghìn đồng"',
    '"Triệu đồng: "#,##0',
    "#,##0\\ \\t\\r",
    '0"%"',
    "0\\%",
    # a decimal comma written between the number's digits (brk31 F5): "87381,000", "0,005"
    '0","000',
    "0\\,000",
    '#,##0","000',
]
PLAIN_CODES = [
    "#,##0",
    '0"."000',  # a dot or a space between the digits groups them as a Vietnamese sheet does
    '0" "000',
    "0.00",
    '#,##0" đ"',
    "#,##0,.00",
    "0,0",
    "#,##0.000",
    '"VND "#,##0',
    "#,##0 VNĐ",
    "0%",
    # a currency's bracket writes its symbol, never its locale's digits (brk23 F1)
    "[$$-409]#,##0.00",
    "#,##0.00 [$€-407]",
    "[$USD-409] #,##0",
    "#,##0 [$VND-1000042A]",
    "[$₫-1010000]#,##0",
    '_([$$-409]* #,##0.00_);_([$$-409]* (#,##0.00);_([$$-409]* "-"??_);_(@_)',
    '_-* #,##0\\ _₫_-;-* #,##0\\ _₫_-;_-* "-"\\ _₫_-;_-@_-',
    "#,##0 [$₫-42A]",
]


def test_the_scaled_formats_are_those_libreoffice_shows_as_another_number() -> None:
    """Each code at a few numbers (102458500 and 2500000: halves, rounded away from 0):
    another number shown exactly where `scaling_at` says so, with the text LibreOffice
    shows (Vietnamese separators)."""
    assert [c for c in SCALED_CODES if not shows_scaled(c)] == []
    assert [c for c in PLAIN_CODES if shows_scaled(c)] == []
    numbers = (140_068_000, 140_068, 5, -5000, 102_458_500, 2_500_000)
    cells = [(c, n) for c in SCALED_CODES + PLAIN_CODES for n in numbers]
    assert _disagreements(cells) == []
    assert scaling_at(FACTOR, 0) is None  # 0 is left as 0 (`"1"0` shows "10": no amount)


_PLACES = st.sampled_from(["0", "#,##0", "#,##0.0", "0.00", "#0", "#,##0.000"])
_COMMAS = st.sampled_from(["", "", ",", ",,"])
_AFTER = st.sampled_from(
    [
        "",
        '" đ"',
        '".000"',
        "\\.\\0\\0\\0",
        '" 000"',
        '"000"',
        '" K"',
        '",5"',
        '"-1"',
        "_)",
        ' "000"',
        '_ "000"',
    ]
)
_BEFORE = st.sampled_from(["", '"1"', '"VND "', '"Số "', '"2."', "\\0", "[$$-409]", "[$€-407] "])
_SECTION = st.tuples(_BEFORE, _PLACES, _COMMAS, _AFTER).map("".join)
_CODE = st.one_of(_SECTION, st.tuples(_SECTION, _SECTION).map(";".join))


@lo.each_example_one_run(2)
@given(st.lists(_CODE, min_size=24, max_size=24, unique=True))
def test_any_number_format_shows_another_number_where_libreoffice_does(formats: list[str]) -> None:
    """Any number section with or without a display factor and literal text before and
    after it (digits and not, a currency's bracket), alone or with a negative section:
    `shown_value` says another number exactly where LibreOffice, with Vietnamese settings,
    shows one."""
    cells = [(f, n) for f in formats for n in (140_068_000, 140_068, 5, -5000, 102_458_500)]
    assert _disagreements(cells) == []


# --- .ods data styles, as LibreOffice shows them (brk23 F7, F8, F4) ----------------------------
_NUMBER = '<number:number number:decimal-places="{places}" number:min-integer-digits="1" number:grouping="true"{extra}>{inner}</number:number>'
ODS_STYLES = {  # name -> (the style's children, LibreOffice shows another number)
    "factor-10": (_NUMBER.format(places=0, extra=' number:display-factor="10"', inner=""), False),
    "factor-100": (_NUMBER.format(places=0, extra=' number:display-factor="100"', inner=""), True),
    "factor-1500": (_NUMBER.format(places=0, extra=' number:display-factor="1500"', inner=""), True),
    "places-huge": (_NUMBER.format(places=100000, extra=' number:display-factor="1000"', inner=""), False),
    "embedded-end": (
        _NUMBER.format(
            places=0, extra="", inner='<number:embedded-text number:position="0">000</number:embedded-text>'
        ),
        True,
    ),
    "embedded-inside": (
        _NUMBER.format(
            places=0, extra="", inner='<number:embedded-text number:position="3">1</number:embedded-text>'
        ),
        True,
    ),
    "embedded-comma": (  # a decimal comma written among the digits (brk31 F5)
        _NUMBER.format(
            places=0, extra="", inner='<number:embedded-text number:position="3">,</number:embedded-text>'
        ),
        True,
    ),
    "text-after-space": (
        _NUMBER.format(places=0, extra="", inner="") + "<number:text>  000</number:text>",
        True,
    ),
}


def test_ods_data_styles_show_another_number_where_libreoffice_does(scaled_files, tmp_path: Path) -> None:
    """The LibreOffice .ods's `#,##0,` data style of the first row's cash (140.068.000)
    written over with other display factors (LibreOffice divides by the nearest whole
    thousands: 10 by none, 100 and 1500 by 1000), absurd decimal places (shown plain), and
    digits embedded at the end or inside: a finding at the cell exactly where LibreOffice,
    with Vietnamese settings, shows another number, quoting what it shows when it says."""
    src = scaled_files["ods"]
    with zipfile.ZipFile(src) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    style = re.compile(
        rb'(<number:number-style style:name="N\d+">)<number:number [^>]*display-factor="1000"/>(</number:number-style>)'
    )
    part = next(name for name in ("styles.xml", "content.xml") if style.search(parts[name]))
    made = {}
    for name, (children, _) in ODS_STYLES.items():
        out = tmp_path / f"{name}.ods"
        body = style.sub(lambda m, c=children: m.group(1) + c.encode() + m.group(2), parts[part], count=1)
        with zipfile.ZipFile(out, "w") as z:
            z.writestr(zipfile.ZipInfo("mimetype"), parts["mimetype"])
            for n, data in parts.items():
                if n != "mimetype":
                    z.writestr(n, body if n == part else data, zipfile.ZIP_DEFLATED)
        made[name] = out
    theirs = _lo_cells_vi(list(made.values()), FORM.resources_block.sheet, scaled_files["cash"])
    wrong = []
    for (name, path), shown in zip(made.items(), theirs, strict=True):
        (parsed,) = check_files(FORM, [path])
        assert not [f.message for f in parsed.findings if not f.cell], name  # the file read whole
        found = [f for f in parsed.findings if f.cell == scaled_files["cash"] and f.code == "NUMBER_INVALID"]
        other = _vi_number(shown) != 140_068_000
        quoted = not found or "hiện thành một số khác" in found[0].message or f"'{shown}'" in found[0].message
        if other != ODS_STYLES[name][1] or bool(found) != other or not quoted:
            wrong.append((name, shown, [f.message for f in found]))
    assert wrong == []


def _lo_cells_vi(paths: list[Path], sheet: str, cell: str) -> list[str]:
    """`cell` of the sheet named `sheet` of each .ods of `paths`, as LibreOffice shows it
    with Vietnamese settings (one office run)."""
    with zipfile.ZipFile(paths[0]) as z:
        names = re.findall(rb'<table:table table:name="([^"]*)"', z.read("content.xml"))
    index = [n.decode() for n in names].index(sheet) + 1
    col, row = ord(cell[0]) - ord("A"), int(cell[1:])
    with tempfile.TemporaryDirectory() as tmp:
        with lo.profile(locale="vi-VN") as prof:
            lo.run_office(
                ["--convert-to", lo.CSV_SHOWN.format(sheet=index), "--outdir", tmp, *map(str, paths)], prof
            )
        out = []
        for path in paths:
            (written,) = [p for p in Path(tmp).glob("*.csv") if p.stem in (path.stem, f"{path.stem}-{sheet}")]
            out.append(list(csv.reader(written.read_text(encoding="utf-8").splitlines()))[row - 1][col])
        return out
