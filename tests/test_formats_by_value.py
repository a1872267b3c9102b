"""A format whose sections show a date for some numbers only (`[>=100]dd/mm/yyyy;#,##0`):
each number is read as LibreOffice shows it, in .xls and .xlsb as in .xlsx (issue #25,
"number formats read as applications read them"). Before, .xls and .xlsb decided by the code
alone: a count of 50 under such a format was a date, refused, where every application shows
50.

The unit's file is the project's own sample; the formats are set by openpyxl, the .xls is
LibreOffice's conversion, the .xlsb SheetJS's (which keeps the cells' formats), and LibreOffice
shows what each cell holds.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl

from pipeline.read.formats.numfmt import ByValue, shows_date_at
from tests import lo
from tests.test_number_formats_lo import FORM, _figures, _lo_shown, _number_cells
from tests.test_reading_writers import _sheetjs

# dates for some numbers only; a count below 100 shows as a number under each (after the first
# three: three sections with conditions, a condition without its number, one conditioned
# section, whose numbers LibreOffice shows as General)
BY_VALUE = [
    "[>=100]dd/mm/yyyy;#,##0",
    "[<100]#,##0;dd/mm/yyyy",
    "#,##0;-#,##0;dd/mm/yyyy",
    "[=0]dd/mm/yyyy;0;#,##0",
    "[>=1000]dd/mm/yyyy;[<0]dd/mm/yyyy;#,##0",
    "[<]dd/mm/yyyy;#,##0",
    "[>=100]dd/mm/yyyy",
]


def test_a_count_under_a_date_for_large_numbers_format_reads_as_shown(make_file, tmp_path: Path) -> None:
    src, _ = make_file("899", seed=10)
    sheet = FORM.sheets["results"]
    cells = [(c, v) for c, v in _number_cells(src, sheet) if v < 100][: 2 * len(BY_VALUE)]
    assert len(cells) == 2 * len(BY_VALUE)
    wb = openpyxl.load_workbook(src)
    for (cell, _), fmt in zip(cells, BY_VALUE * 2, strict=True):
        wb[sheet][cell].number_format = fmt
    xlsx = tmp_path / "by-value.xlsx"
    wb.save(xlsx)
    assert not any(shows_date_at(f, v) for (_, v), f in zip(cells, BY_VALUE * 2, strict=True))
    want = _figures(xlsx)
    assert want == _figures(src)  # no finding, the same figures as without the formats
    xls = lo.convert(xlsx, tmp_path / "xls", "xls")
    assert _without_total_mismatch(_figures(xls)) == want
    xlsb = _sheetjs(xlsx, tmp_path / "by-value.xlsb")
    assert _figures(xlsb) == want
    shown = _lo_shown(xls, wb.sheetnames.index(sheet) + 1, tmp_path / "csv")
    for cell, value in cells:  # and LibreOffice shows each as its number, not a date
        row = int("".join(ch for ch in cell if ch.isdigit()))
        col = openpyxl.utils.column_index_from_string("".join(ch for ch in cell if ch.isalpha()))
        assert shown[row - 1][col - 1] == str(value), cell


def _without_total_mismatch(figures: tuple[list[str], dict]) -> tuple[list[str], dict]:
    """The figures, less TOTAL_MISMATCH: LibreOffice recalculates the template's totals on
    converting, and the template's hidden reading cells judge a date by CELL("format"), which
    names such a format's first section whatever the number; so its cached total leaves the
    cell out, and the pipeline, reading the number as shown, warns that the cached total
    differs (a warning at the total, never a wrong figure: the figures are compared)."""
    findings, rows = figures
    return [f for f in findings if not f.startswith("TOTAL_MISMATCH ")], rows


def test_a_large_count_under_it_is_the_date_shown() -> None:
    """The other way: 150 under the first code shows a date (29/05/1900), so it is read as one."""
    assert ByValue(BY_VALUE[0]).shows(150) == "date"
    assert ByValue(BY_VALUE[0]).shows(50) == "number"
    assert ByValue(BY_VALUE[2]).shows(0) == "date" and ByValue(BY_VALUE[2]).shows(-3) == "number"
    assert [ByValue(BY_VALUE[3]).shows(n) for n in (-3, 0, 3)] == ["number", "date", "number"]
    assert [ByValue(BY_VALUE[4]).shows(n) for n in (-3, 3, 1000)] == ["date", "number", "date"]
    assert [ByValue(BY_VALUE[5]).shows(n) for n in (-3, 0, 3)] == ["date", "number", "number"]
    assert [ByValue(BY_VALUE[6]).shows(n) for n in (99, 100)] == ["number", "date"]
