"""The template's reading cells read a number cell as the pipeline does, spelling by spelling.

Hundreds of ways a number is typed (plain, grouped by dots, spaces, no-break spaces or
commas, in the wrong places, signed, with leading zeros, a currency word, full-width or
invisible characters, too large, fractions, dates, error values, words) go into column A
of one sheet; the template's own reading cells and defined names (`numbercells.write_readers`)
read each on a hidden sheet (`render/numbercells.py`). LibreOffice and Gnumeric recalculate the workbook; every row's
VALUE cell must be what `values.parse_int` and `FileReading.number` give for the same
content: the number read, a blank, or the code of the rule reported; and a total over the
cell, as the template writes its totals, the number read or nothing. One start of each
application for every spelling: the whole kind, not one case a class.
"""

from __future__ import annotations

import datetime as dt
import itertools
import shutil
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from xlsxwriter.workbook import Workbook

from pipeline.form.sheets import SumCell
from pipeline.render import numbercells as lc
from pipeline.text import values
from tests import lo

MAX = 10**15  # the form's max_number
ROWS_FROM = 2
SHEET, READING = "Nhập", "Đọc"
TOTAL = "C"  # the column of SHEET adding each row's cell as a template's total does
NBSP, NNBSP, ZWSP = "\u00a0", "\u202f", "\u200b"
ERRORS = ("#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NUM!")
# a date typed in a number cell: a number in a date format. Excel names every date format
# "D1"-"D9" in CELL("format"); LibreOffice names most "G" (its General is "F0"), Gnumeric
# only some: for dd/mm/yyyy it says "G", as for General, so there the template cannot tell
# that date from a number (the pipeline still reports it)
DATES = {"dd/mm/yyyy": dt.date(2025, 12, 5), "d-mmm-yy": dt.date(2025, 12, 6), "h:mm": dt.date(2025, 12, 7)}
GNUMERIC_UNTOLD = {dt.date(2025, 12, 5)}


def _groups(n: int, sep: str) -> str:
    return f"{n:,}".replace(",", sep)


def _misplaced(n: int, sep: str) -> str:
    """`n` grouped by `sep`, with its first separator one digit to the left."""
    text = _groups(n, sep)
    i = text.find(sep)
    return text if i < 2 else text[: i - 1] + sep + text[i - 1] + text[i + 1 :]


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def spellings() -> list[Any]:
    """Every spelling of the test: text and typed values (numbers, error values)."""
    numbers = [0, 7, 50, 513, 1500, 12345, 1234567, 98765432, MAX, MAX + 1, 12345678901234567890]
    out: list[Any] = []
    for n in numbers:
        forms = [str(n), _groups(n, "."), _groups(n, " "), _groups(n, NBSP), _groups(n, NNBSP)]
        forms += [_groups(n, ","), _misplaced(n, "."), _misplaced(n, ","), _groups(n, ".") + "."]
        forms += [f"00{n}", "0" + _groups(n, "."), _full_width(_groups(n, ".")), ZWSP.join(str(n))]
        for text in forms:
            out += [text, f"+{text}", f"-{text}", f" {text}  ", f"+ {text}"]
        for word in ("đồng", "Đồng", "đ", "VNĐ", "vnd", "dong", "d", "đ.", "VND.", "₫"):
            out += [f"{_groups(n, '.')} {word}", f"{n}{word}", unicodedata.normalize("NFD", f"{n} {word}")]
        out += [n, -n, float(n)] + ([n + 0.5] if n < 10**14 else [])  # a fraction within 15 digits
    out += ["", " ", NBSP, ZWSP, "\t", "đồng", "+", "-", "-0", "+0", "0", "1,5", "1.5", "1,50", "0.500"]
    out += ["1.500,5", "1.500 000", "1,500.000", "khoảng 50", "50 người", "1e3", "5%", "(5)", "1/2"]
    out += ["1.5OO", "１,２３４,５６７", f"５０{NBSP}ＶＮＤ", "1  500", "1 . 500", "1.500 đ đ", "- 5"]
    out += [0.1 + 0.2, 1e20, -1e20, -0.5, True, False, *DATES.values(), *ERRORS]
    return list(dict.fromkeys(out, None))  # no repeats (1 and 1.0 are one)


def expected(raw: Any) -> Any:
    """What the VALUE cell must hold for `raw`, as the pipeline reads it
    (`FileReading.number`): the number read, "" for a blank, else the code of the rule."""
    if isinstance(raw, str) and raw in ERRORS:
        return lc.BAD
    value, problem, _ = values.parse_int(raw, MAX)
    code = problem[0] if problem else None
    if code in (None, "NUMBER_NEGATIVE"):
        return "" if value is None else value
    return {v: k for k, v in lc.READ_CODES.items()}[code]


def _write(path: Path, typed: list[Any]) -> None:
    """Each spelling in column A of SHEET (a date in a date format), its reading cells on
    READING, as the template writes them."""
    rd = lc.Readers(READING, ((SHEET, "A"),), 2)
    wb = Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False})
    ws, hidden = wb.add_worksheet(SHEET), wb.add_worksheet(READING)
    dates = {d: wb.add_format({"num_format": f}) for f, d in DATES.items()}
    number = wb.add_format({"num_format": "[$-42A]#,##0"})  # the template's number cells
    for i, raw in enumerate(typed):
        row = ROWS_FROM + i - 1
        if isinstance(raw, dt.date):
            ws.write_datetime(row, 0, dt.datetime.combine(raw, dt.time()), dates[raw])
        elif isinstance(raw, bool):
            ws.write_boolean(row, 0, raw)
        elif isinstance(raw, str) and raw in ERRORS:
            ws.write_formula(row, 0, {"#N/A": "=NA()", "#DIV/0!": "=1/0"}.get(raw, f"={raw}"), None, raw)
        elif isinstance(raw, str):
            ws.write_string(row, 0, raw)
        else:
            ws.write_number(row, 0, raw, number)
    lc.write_readers(wb, hidden, rd, {SHEET: [ROWS_FROM + i for i in range(len(typed))]}, MAX)
    for i in range(len(typed)):  # what a template's total adds of the cell (`Readers.total`)
        row = ROWS_FROM + i
        cells = SumCell("n", f"{TOTAL}{row}", ("n",), ("A",), row, row, True)
        ws.write_formula(cells.cell, rd.total(SHEET, cells), None, 0)
    wb.close()


@pytest.fixture(scope="module")
def sheet(tmp_path_factory) -> tuple[Path, list[Any]]:
    typed = spellings()
    path = tmp_path_factory.mktemp("reading") / "spellings.xlsx"
    _write(path, typed)
    return path, typed


def _read_back(path: Path, typed: list[Any], untold: set[Any] = frozenset()) -> list[tuple[Any, Any, Any]]:
    """(spelling, what the VALUE cell shows, what it must show) for each mismatch; a date of
    `untold` must be read as its number (the application cannot tell its format)."""
    rd = lc.Readers(READING, ((SHEET, "A"),), 2)
    book = openpyxl.load_workbook(path, data_only=True)
    ws = book[READING]
    col = rd.column("value", SHEET, "A")
    bad = []
    for i, raw in enumerate(typed):
        got = ws[f"{col}{ROWS_FROM + i}"].value
        got = "" if got is None else got
        want = expected(raw) if raw not in untold else (raw - lo.EXCEL_EPOCH).days
        if _shown(got) != _shown(want):
            bad.append((raw, got, want))
        # a total adds the number read, nothing for a blank or a code
        total = book[SHEET][f"{TOTAL}{ROWS_FROM + i}"].value
        if _shown(total) != _shown(want if isinstance(want, int | float) else 0):
            bad.append((raw, "total", total, want))
    return bad


def _shown(value: Any) -> str:
    """A value as a spreadsheet keeps it: 15 significant digits (`values.SIGNIFICANT_DIGITS`)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{float(value):.{values.SIGNIFICANT_DIGITS}g}"
    return str(value)


def test_the_kind_is_enumerated():
    """Every verdict the reading cells can give occurs among the spellings."""
    got = {expected(raw) if isinstance(expected(raw), str) else "number" for raw in spellings()}
    assert got == {"", "number", *lc.READ_CODES}, got
    assert len(spellings()) > 500


def test_libreoffice_reads_every_spelling_as_the_pipeline(sheet, tmp_path):
    path, typed = sheet
    out = lo.recalc_xlsx(path, tmp_path)
    bad = _read_back(out, typed)
    assert not bad, bad[:20]


@pytest.mark.filterwarnings("ignore:Workbook contains no default style")  # Gnumeric's xlsx
def test_gnumeric_reads_every_spelling_as_the_pipeline(sheet, tmp_path):
    path, typed = sheet
    ssconvert = lo.require("Gnumeric (ssconvert)", shutil.which("ssconvert"), "gnumeric")
    out = tmp_path / path.name
    subprocess.run([ssconvert, "--recalc", str(path), str(out)], check=True, capture_output=True, timeout=120)
    bad = _read_back(out, typed, GNUMERIC_UNTOLD)
    assert not bad, bad[:20]


def test_spellings_cover_each_class_of_the_issue():
    """The classes issue #23 names, each present (a guard against trimming the table)."""
    typed = [t for t in spellings() if isinstance(t, str)]
    for needle in ("đồng", "đ", "VND", "+", "00", "12.34", NBSP, "   "[:1]):
        assert any(needle in t for t in typed), needle
    assert any(t.strip() == "" and t for t in typed)
    assert set(ERRORS) <= set(typed)
    assert set(DATES.values()) <= set(spellings())
    assert list(itertools.islice((t for t in typed if t.startswith("+ ")), 1))
