"""The template's reading cells read a number cell as the pipeline does, spelling by spelling.

Hundreds of ways a number is typed (plain, grouped by dots, spaces, no-break spaces or
commas, in the wrong places, signed, with leading zeros, a currency word, full-width or
invisible characters, too large, fractions, error values, words) go into column A of one
sheet; beside each, the template's own reading formulas (`livechecks.reading_formulas`).
LibreOffice and Gnumeric recalculate the sheet; every row's verdict (the reading code) and
value must be what `values.parse_int` and `FileReading.number` give for the same content.
One start of each application for every spelling: the whole kind, not one case a class.
"""

from __future__ import annotations

import itertools
import shutil
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from pipeline.render import livechecks as lc
from pipeline.text import values
from tests import lo

MAX = 10**15  # the form's max_number
ROWS_FROM = 2
NBSP, NNBSP, ZWSP = "\u00a0", "\u202f", "\u200b"
ERRORS = ("#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NUM!")


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
        for word in ("đồng", "Đồng", "đ", "VNĐ", "vnd", "dong", "d", "đ.", "VND."):
            out += [f"{_groups(n, '.')} {word}", f"{n}{word}", unicodedata.normalize("NFD", f"{n} {word}")]
        out += [n, -n, float(n)] + ([n + 0.5] if n < 10**14 else [])  # a fraction within 15 digits
    out += ["", " ", NBSP, ZWSP, "\t", "đồng", "+", "-", "-0", "+0", "0", "1,5", "1.5", "1,50", "0.500"]
    out += ["1.500,5", "1.500 000", "1,500.000", "khoảng 50", "50 người", "1e3", "5%", "(5)", "1/2"]
    out += ["1.5OO", "１,２３４,５６７", f"５０{NBSP}ＶＮＤ", "1  500", "1 . 500", "1.500 đ đ", "- 5"]
    out += [0.1 + 0.2, 1e20, -1e20, -0.5, *ERRORS]
    return list(dict.fromkeys(out, None))  # no repeats (1 and 1.0 are one)


def expected(raw: Any) -> tuple[int, int | None]:
    """(reading code, value read) as the pipeline reads `raw` (`FileReading.number`)."""
    if isinstance(raw, str) and raw in ERRORS:
        return lc.ERROR_VALUE, None
    value, problem, was_text = values.parse_int(raw, MAX)
    code = problem[0] if problem else None
    if code is None:
        return (lc.FROM_TEXT if was_text else lc.FINE), value
    if code == "NUMBER_NEGATIVE":
        return (lc.NEGATIVE_TEXT if was_text else lc.FINE), value
    reading = {"NUMBER_INVALID": lc.UNREADABLE, "NUMBER_TOO_LARGE": lc.TOO_LARGE}
    return reading.get(code, lc.FRACTION), None


@pytest.fixture(scope="module")
def sheet(tmp_path_factory) -> tuple[Path, list[Any]]:
    """A workbook: each spelling in column A, its reading cells beside it."""
    typed = spellings()
    rd = lc.Readers(("a",), 1)
    wb = openpyxl.Workbook()
    ws = wb.active
    for i, raw in enumerate(typed):
        row = ROWS_FROM + i
        ws[f"A{row}"] = raw  # openpyxl stores "#N/A" and the like as error values
        for helper, formula in lc.reading_formulas(rd, "a", f"A{row}", row, MAX).items():
            ws[rd.ref(helper, "a", row)] = formula
    path = tmp_path_factory.mktemp("reading") / "spellings.xlsx"
    wb.save(path)
    return path, typed


def _read_back(path: Path, typed: list[Any]) -> list[tuple[Any, tuple[Any, Any], tuple[int, int | None]]]:
    """(spelling, (code, value) the sheet shows, (code, value) expected) for each mismatch."""
    rd = lc.Readers(("a",), 1)
    ws = openpyxl.load_workbook(path, data_only=True).active
    bad = []
    for i, raw in enumerate(typed):
        row = ROWS_FROM + i
        code = ws[rd.ref("reading", "a", row)].value
        value = ws[rd.ref("value", "a", row)].value
        got = (int(code) if isinstance(code, int | float) else code, value if value != "" else None)
        want = expected(raw)
        if got[0] != want[0] or _shown(got[1]) != _shown(want[1]):
            bad.append((raw, got, want))
    return bad


def _shown(value: Any) -> str | None:
    """A value as a spreadsheet keeps it: 15 significant digits (`values.SIGNIFICANT_DIGITS`)."""
    return None if value is None else f"{float(value):.{values.SIGNIFICANT_DIGITS}g}"


def test_the_kind_is_enumerated():
    """Every verdict the reading cells can give occurs among the spellings."""
    codes = {expected(raw)[0] for raw in spellings()}
    assert codes == {lc.FINE, lc.FROM_TEXT, lc.NEGATIVE_TEXT, *lc.READ_CODES}, codes
    assert len(spellings()) > 500


def test_libreoffice_reads_every_spelling_as_the_pipeline(sheet, tmp_path):
    path, typed = sheet
    lo.require_soffice()
    args = ["--convert-to", f"xlsx:{lo.XLSX_FILTER}", "--outdir", str(tmp_path), str(path)]
    with lo.profile(recalc=True) as prof:
        lo.run_office(args, prof)
    assert (tmp_path / path.name).is_file()
    bad = _read_back(tmp_path / path.name, typed)
    assert not bad, bad[:20]


@pytest.mark.filterwarnings("ignore:Workbook contains no default style")  # Gnumeric's xlsx
def test_gnumeric_reads_every_spelling_as_the_pipeline(sheet, tmp_path):
    path, typed = sheet
    ssconvert = lo.require("Gnumeric (ssconvert)", shutil.which("ssconvert"), "gnumeric")
    out = tmp_path / path.name
    subprocess.run([ssconvert, "--recalc", str(path), str(out)], check=True, capture_output=True, timeout=120)
    bad = _read_back(out, typed)
    assert not bad, bad[:20]


def test_spellings_cover_each_class_of_the_issue():
    """The classes issue #23 names, each present (a guard against trimming the table)."""
    typed = [t for t in spellings() if isinstance(t, str)]
    for needle in ("đồng", "đ", "VND", "+", "00", "12.34", NBSP, "   "[:1]):
        assert any(needle in t for t in typed), needle
    assert any(t.strip() == "" and t for t in typed)
    assert set(ERRORS) <= set(typed)
    assert list(itertools.islice((t for t in typed if t.startswith("+ ")), 1))
