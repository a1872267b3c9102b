"""Issue #11: text that is not a thousands-grouped whole number is never read as one.

"1234.567" is a decimal (or a typo), not 1.234.567; "0.500" is half, not 500. Thousands
groups have a first group of one to three digits without a leading zero, then groups of
exactly three. Checked on the parser (`pipeline/values.py`) and through a filled template.
"""

from __future__ import annotations

from typing import Any

import pytest

from pipeline.form import layout_json, load_form
from pipeline.read.parse import parse_path
from pipeline.rules.findings import ERROR
from pipeline.run.consolidate import check_files
from pipeline.text.values import parse_int, show

FORM = load_form()
MAX = FORM.limits.max_number
RES = FORM.blocks["results"]

NOT_GROUPED = [
    "1234.567",  # first group of four digits
    "1234.567.890",
    "12345.678",
    "1.2345.678",  # a group of four
    "12.3456",
    "1.23",  # a group of two
    "1234,567,890",
    "1234 567",
    "0.567",  # a leading zero: a decimal
    "0.500.000",
    "00.500",
    "-0.500",
    "0,500,000",
    "0 500",
    "０.５６７",  # full width
    "1234.567 đồng",
]
GROUPED = [
    ("1.234.567", 1234567),
    ("123.456", 123456),
    ("1.000", 1000),
    ("999.999.999", 999999999),
    ("1,234,567", 1234567),
    ("1 234 567", 1234567),
    ("１.２３４.５６７", 1234567),
]


@pytest.mark.parametrize("text", NOT_GROUPED)
def test_text_that_is_not_grouped_is_not_read_as_a_whole_number(text: str):
    value, problem, was_text = parse_int(text, MAX)
    assert (value, problem and problem[0], was_text) == (None, "NUMBER_INVALID", True)


@pytest.mark.parametrize(("text", "number"), GROUPED)
def test_grouped_text_is_read(text: str, number: int):
    assert parse_int(text, MAX) == (number, None, True)


@pytest.mark.parametrize("text", ["1234.567", "0.500"])
def test_a_filled_template_with_such_text_is_rejected_at_that_cell(make_file, text: str):
    cash = RES.value_measures[0]

    def mutate(data: dict[str, Any]) -> None:
        data["results"][0][cash] = text

    path, data = make_file("899", mutate)
    [parsed] = check_files(FORM, [path])
    errors = [(f.code, f.sheet, f.cell, f.value) for f in parsed.findings if f.severity == ERROR]
    category = data["results"][0]["category"]
    [cell] = [
        c["cell"]
        for c in layout_json(FORM)["layouts"]["fixed_region"]["cells"]
        if c["block"] == "results" and c["category"] == category and c["measure"] == cash
    ]
    assert errors == [("NUMBER_INVALID", RES.sheet, cell, text)]


def test_a_number_no_application_shows_is_said_as_excel_shows_it() -> None:
    assert [show(float("nan")), show(float("inf")), show(-float("inf"))] == ["#NUM!"] * 3
    assert show(1.5) == "1,5"


LARGE = [123456789012345678.0, 2.0**53, 1e16 + 10**9 + 1, -98765432109876543.0, 999999999999999.0]


@pytest.mark.libreoffice
def test_a_large_number_is_said_with_the_digits_libreoffice_shows() -> None:
    """brk31 F7: a double of 16 digits or more was said by its binary expansion
    ("…345.680" for the double nearest 123456789012345678); LibreOffice, with Vietnamese
    settings and the template's `#,##0`, shows 15 significant digits then 0s, and so is it
    said. From 10^21 on it is said with its exponent, not 300 digits."""
    from .test_scaled_cells import _lo_shown_vi

    assert [show(v) for v in LARGE] == _lo_shown_vi([("#,##0", v) for v in LARGE])
    assert [show(1e300), show(-1.5e22), show(1e21)] == ["1E+300", "-1,5E+22", "1E+21"]


def test_a_huge_number_in_a_cell_is_said_briefly(make_file) -> None:
    """1E+300 typed into an amount cell: the finding quotes it as "1E+300", in a short line."""
    cash = RES.value_measures[0]

    def mutate(data: dict[str, Any]) -> None:
        data["results"][0][cash] = 1e300

    path, _ = make_file("899", mutate)
    (found,) = [f for f in parse_path(path, 1, FORM).findings if f.code == "NUMBER_TOO_LARGE"]
    assert found.value == "1E+300"
    assert len(found.message) < 200, found.message


def test_the_prefilled_year_stored_as_text_is_read_without_a_word(tmp_path) -> None:
    """A writer that stores the template's prefilled, locked year as text ("2025"): read as
    the year with no finding, since the unit did not type it and cannot change the cell's
    format; a count typed as text still gets its warning (the same file, one cell)."""
    import openpyxl

    from .conftest import filled_report

    src = filled_report(FORM, tmp_path, seed=3)
    year = next(f for f in FORM.info_fields if f.key == "year")
    assert year.prefilled
    first = FORM.rows_for(RES, FORM.units_by_code["899"])[0].row
    count_cell = f"{RES.measure_column('children')}{first}"
    wb = openpyxl.load_workbook(src)
    info = wb[FORM.sheets["info"]]
    info[year.cell] = str(info[year.cell].value)
    wb[RES.sheet][count_cell] = str(wb[RES.sheet][count_cell].value)
    out = tmp_path / "899-text.xlsx"
    wb.save(out)
    p = parse_path(out, 1, FORM)
    assert p.info_row is not None and p.info_row["year"] == FORM.year
    assert [(f.code, f.cell) for f in p.findings] == [("NUMBER_FROM_TEXT", count_cell)]
