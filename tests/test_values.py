"""Issue #3: reading cell values as offices type them (`pipeline/values.py`), table-driven.

Each parser returns the value it read and a problem (rule code, Vietnamese explanation) or
None; `parse_int` also says whether the number was typed as text (NUMBER_FROM_TEXT warning).
"""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.form import load_form
from pipeline.rules.findings import ERROR, RULES
from pipeline.text.values import clean_text, dot_thousands, is_blank, parse_date, parse_int, parse_text

MAX = load_form().limits.max_number  # 10**18 in the shipped configuration

NBSP = "\u00a0"
NNBSP = "\u202f"  # narrow no-break space (French/Vietnamese typography)
ZWSP = "\u200b"
BOM = "\ufeff"
SHY = "\u00ad"

# ----- parse_int ---------------------------------------------------------------------------
# (value typed, value read, rule code of the problem or None, was typed as text)
INT_CASES = [
    # plain numbers as Excel stores them
    pytest.param(0, 0, None, False, id="int-zero"),
    pytest.param(1200000, 1200000, None, False, id="int"),
    pytest.param(1200000.0, 1200000, None, False, id="float-whole"),
    pytest.param(-0.0, 0, None, False, id="negative-zero-float"),
    pytest.param(MAX, MAX, None, False, id="at-limit"),
    # whole numbers typed as text with Vietnamese (and other) separators
    pytest.param("1200000", 1200000, None, True, id="text-plain"),
    pytest.param(" 1200000 ", 1200000, None, True, id="text-padded"),
    pytest.param("+1200", 1200, None, True, id="text-plus-sign"),
    pytest.param("00012", 12, None, True, id="text-leading-zeros"),
    pytest.param("1.200.000", 1200000, None, True, id="dots"),
    pytest.param("1.200", 1200, None, True, id="dots-one-group"),
    pytest.param("1 200 000", 1200000, None, True, id="spaces"),
    pytest.param(f"1{NBSP}200{NBSP}000", 1200000, None, True, id="nbsp"),
    pytest.param(f"1{NNBSP}200{NNBSP}000", 1200000, None, True, id="narrow-nbsp"),
    pytest.param(f"{NBSP}1.200.000{NBSP}", 1200000, None, True, id="nbsp-padding"),
    pytest.param(f"1{ZWSP}200{ZWSP}000", 1200000, None, True, id="zero-width-space"),
    pytest.param(f"{BOM}1200", 1200, None, True, id="bom"),
    pytest.param(f"1{SHY}200", 1200, None, True, id="soft-hyphen"),
    pytest.param("１２００", 1200, None, True, id="full-width-digits"),
    pytest.param("１．２００．０００", 1200000, None, True, id="full-width-dots"),
    pytest.param("1,200,000", 1200000, None, True, id="commas-two-groups"),
    pytest.param("1.200.000đ", 1200000, None, True, id="currency-d"),
    pytest.param("1.200.000 đồng", 1200000, None, True, id="currency-dong"),
    pytest.param("1.200.000 VNĐ", 1200000, None, True, id="currency-VND"),
    pytest.param("232.656.000 ₫", 232656000, None, True, id="dong-sign"),
    pytest.param("232.656.000₫", 232656000, None, True, id="dong-sign-attached"),
    # ambiguous or not a whole number: never guessed
    pytest.param("1,5", None, "NUMBER_INVALID", True, id="decimal-comma"),
    pytest.param("1.5", None, "NUMBER_INVALID", True, id="decimal-point-text"),
    pytest.param("1,200", None, "NUMBER_INVALID", True, id="comma-one-group-ambiguous"),
    pytest.param("12.00", None, "NUMBER_INVALID", True, id="dot-not-thousands"),
    pytest.param("1.200,5", None, "NUMBER_INVALID", True, id="dots-and-decimal-comma"),
    pytest.param("1 200.000", None, "NUMBER_INVALID", True, id="mixed-separators"),
    pytest.param("1.200.000.", None, "NUMBER_INVALID", True, id="trailing-dot"),
    pytest.param("1e3", None, "NUMBER_INVALID", True, id="scientific-text"),
    pytest.param("khoảng 200", None, "NUMBER_INVALID", True, id="about-200"),
    pytest.param("200 trẻ", None, "NUMBER_INVALID", True, id="number-with-words"),
    pytest.param("Infinity", None, "NUMBER_INVALID", True, id="infinity-text"),
    pytest.param("1²", None, "NUMBER_INVALID", True, id="superscript-not-read-as-12"),
    pytest.param(1.5, None, "NUMBER_NOT_INTEGER", False, id="float-fraction"),
    pytest.param(0.1, None, "NUMBER_NOT_INTEGER", False, id="float-small-fraction"),
    # negative numbers: read (so the message can show them) but flagged
    pytest.param(-5, -5, "NUMBER_NEGATIVE", False, id="negative-int"),
    pytest.param(-500000.0, -500000, "NUMBER_NEGATIVE", False, id="negative-float"),
    pytest.param("-5", -5, "NUMBER_NEGATIVE", True, id="negative-text"),
    pytest.param("-1.200", -1200, "NUMBER_NEGATIVE", True, id="negative-dots"),
    pytest.param("－５", -5, "NUMBER_NEGATIVE", True, id="negative-full-width"),
    # too large
    pytest.param(1e20, None, "NUMBER_TOO_LARGE", False, id="1e20"),
    pytest.param(MAX + 1, None, "NUMBER_TOO_LARGE", False, id="limit-plus-one"),
    pytest.param("10.000.000.000.000.000.000", None, "NUMBER_TOO_LARGE", True, id="too-large-text"),
    # other cell types
    pytest.param(True, None, "NUMBER_INVALID", False, id="bool-true"),
    pytest.param(False, None, "NUMBER_INVALID", False, id="bool-false"),
    pytest.param(dt.datetime(2025, 1, 1), None, "NUMBER_INVALID", False, id="datetime"),
    pytest.param(dt.date(2025, 1, 1), None, "NUMBER_INVALID", False, id="date"),
    pytest.param(dt.time(8, 30), None, "NUMBER_INVALID", False, id="time"),
    pytest.param(float("nan"), None, "NUMBER_INVALID", False, id="nan"),
    pytest.param(float("inf"), None, "NUMBER_INVALID", False, id="inf"),
    # blanks: no value, no problem
    pytest.param(None, None, None, False, id="none"),
    pytest.param("", None, None, False, id="empty"),
    pytest.param("   ", None, None, False, id="spaces-only"),
    pytest.param(NBSP, None, None, False, id="nbsp-only"),
    pytest.param(ZWSP, None, None, False, id="zero-width-only"),
]


@pytest.mark.parametrize(("raw", "value", "code", "was_text"), INT_CASES)
def test_parse_int(raw, value, code, was_text):
    got, problem, text = parse_int(raw, MAX)
    assert got == value
    assert type(got) is (int if value is not None else type(None))
    assert (problem[0] if problem else None) == code
    assert text is was_text
    if problem:
        assert problem[0] in RULES
        assert RULES[problem[0]].severity == ERROR
        assert problem[1]  # a Vietnamese explanation, never empty


def test_parse_int_messages_are_vietnamese():
    assert "không đọc được thành số nguyên" in parse_int("khoảng 200", MAX)[1][1]
    assert "số nguyên" in parse_int(1.5, MAX)[1][1]
    assert "lớn hơn hoặc bằng 0" in parse_int(-5, MAX)[1][1]
    assert "đúng/sai" in parse_int(True, MAX)[1][1]
    assert "định dạng kiểu Ngày/Giờ" in parse_int(dt.datetime(2025, 1, 1), MAX)[1][1]


def test_parse_int_limit_is_a_parameter():
    assert parse_int(1001, 1000)[1][0] == "NUMBER_TOO_LARGE"
    assert parse_int(1000, 1000) == (1000, None, False)
    assert parse_int("1.001", 1000)[1][0] == "NUMBER_TOO_LARGE"


_FORMATS = {
    "plain": lambda n: str(n),
    "dots": lambda n: f"{n:,}".replace(",", "."),
    "spaces": lambda n: f"{n:,}".replace(",", " "),
    "nbsp": lambda n: f"{n:,}".replace(",", NBSP),
    "full-width": lambda n: unicodedata.normalize("NFC", "".join(chr(ord(c) + 0xFEE0) for c in str(n))),
    "zero-width": lambda n: ZWSP.join(str(n)),
}


@settings(max_examples=200, deadline=None)
@given(st.integers(0, MAX), st.sampled_from(sorted(_FORMATS)))
def test_parse_int_reads_back_any_whole_number_typed_as_text(n, fmt):
    assert parse_int(_FORMATS[fmt](n), MAX) == (n, None, True)


# ----- parse_date --------------------------------------------------------------------------
# (value typed, date read, rule code or None)
DATE_CASES = [
    pytest.param(dt.datetime(2025, 11, 20, 13, 5), dt.date(2025, 11, 20), None, id="datetime"),
    pytest.param(dt.date(2025, 11, 20), dt.date(2025, 11, 20), None, id="date"),
    pytest.param("20/11/2025", dt.date(2025, 11, 20), None, id="dd/mm/yyyy"),
    pytest.param("5/1/2025", dt.date(2025, 1, 5), None, id="d/m/yyyy-day-first"),
    pytest.param("05/01/2025", dt.date(2025, 1, 5), None, id="zero-padded-day-first"),
    pytest.param("20.11.2025", dt.date(2025, 11, 20), None, id="dots"),
    pytest.param("20-11-2025", dt.date(2025, 11, 20), None, id="dashes"),
    pytest.param(f" 20/11/2025{NBSP}", dt.date(2025, 11, 20), None, id="nbsp-padding"),
    pytest.param(f"20/{ZWSP}11/2025", dt.date(2025, 11, 20), None, id="zero-width"),
    pytest.param("２０/１１/２０２５", dt.date(2025, 11, 20), None, id="full-width"),
    pytest.param("2025-11-20", dt.date(2025, 11, 20), None, id="iso"),
    pytest.param("2025-11-20T00:00:00", dt.date(2025, 11, 20), None, id="iso-datetime"),
    # SheetJS's date cells (t="d", toISOString): the zone is ignored, as Excel ignores it
    pytest.param("2025-11-20T00:00:00.000Z", dt.date(2025, 11, 20), None, id="iso-utc"),
    pytest.param("2025-11-20T23:30:00+07:00", dt.date(2025, 11, 20), None, id="iso-offset"),
    pytest.param("2025-11-20T00:00-0500", dt.date(2025, 11, 20), None, id="iso-offset-short"),
    pytest.param("2025-11-20Z", None, "DATE_INVALID", id="iso-zone-without-time"),
    # Excel serial numbers (1900 date system): 45658 is 01/01/2025
    pytest.param(45658, dt.date(2025, 1, 1), None, id="serial"),
    pytest.param(45981, dt.date(2025, 11, 20), None, id="serial-20-11-2025"),
    pytest.param(45658.75, dt.date(2025, 1, 1), None, id="serial-with-time"),
    pytest.param(12345, None, "DATE_INVALID", id="serial-out-of-range"),
    pytest.param(-1, None, "DATE_INVALID", id="serial-negative"),
    # not a date
    pytest.param("31/02/2025", None, "DATE_INVALID", id="31-february"),
    pytest.param("11/20/2025", None, "DATE_INVALID", id="month-first-us"),
    pytest.param("20/11/25", None, "DATE_INVALID", id="two-digit-year"),
    pytest.param("hôm qua", None, "DATE_INVALID", id="words"),
    pytest.param("2025-11-201", None, "DATE_INVALID", id="iso-trailing-digit"),
    pytest.param(True, None, "DATE_INVALID", id="bool"),
    # blank
    pytest.param(None, None, None, id="none"),
    pytest.param("", None, None, id="empty"),
    pytest.param(f" {NBSP}{ZWSP}", None, None, id="invisible-only"),
]


@pytest.mark.parametrize(("raw", "value", "code"), DATE_CASES)
def test_parse_date(raw, value, code):
    got, problem = parse_date(raw)
    assert got == value
    assert (problem[0] if problem else None) == code
    if problem:
        assert "dd/mm/yyyy" in problem[1]


# ----- parse_text --------------------------------------------------------------------------
NFD_NAME = unicodedata.normalize("NFD", "Nguyễn Thị Lan")

TEXT_CASES = [
    pytest.param(NFD_NAME, "Nguyễn Thị Lan", id="nfd-to-nfc"),
    pytest.param("Nguyễn  Thị\u00a0Lan ", "Nguyễn Thị Lan", id="spaces-collapsed"),
    pytest.param(f"Ng{ZWSP}uyễn{BOM}", "Nguyễn", id="invisible-removed"),
    pytest.param("dòng 1\r\n\r\n  dòng 2 ", "dòng 1\ndòng 2", id="multiline"),
    pytest.param(f"{NBSP}x{NBSP}", "x", id="nbsp-trimmed"),
    pytest.param(899, "899", id="int"),
    pytest.param(899.0, "899", id="float-whole-code"),
    pytest.param(1.5, "1.5", id="float-fraction"),
    pytest.param(None, "", id="none"),
    pytest.param("   ", "", id="blank"),
    pytest.param(ZWSP, "", id="zero-width-only"),
]


@pytest.mark.parametrize(("raw", "text"), TEXT_CASES)
def test_parse_text(raw, text):
    got = parse_text(raw)
    assert got == text
    assert unicodedata.is_normalized("NFC", got)


def test_nfd_and_nfc_names_compare_equal_after_parsing():
    nfc = unicodedata.normalize("NFC", "UBND Huyện Hòn Đất")
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfd != nfc
    assert parse_text(nfd) == parse_text(nfc) == nfc
    assert clean_text(nfd) == nfc


@pytest.mark.parametrize("raw", [None, "", " ", NBSP, ZWSP, f"{BOM}{NNBSP}"])
def test_is_blank(raw):
    assert is_blank(raw)


@pytest.mark.parametrize("raw", [0, 0.0, "0", "x", False])
def test_is_not_blank(raw):
    assert not is_blank(raw)


@pytest.mark.parametrize(
    ("value", "meant"),
    [
        *[(1.35, 1350), (513.5, 513500), (1.2345, None), (0.5, None), (12.5, 12500), (2.001, 2001)],
        # two dots stay text on such a PC: a number of 1.000 or more with a fraction was not
        # typed so (brk13: 232656000,4 was told to be 232.656.000.400 đồng)
        *[(999.5, 999500), (1000.5, None), (4636.5, None), (232656000.4, None)],
        # a negative number is not typed again (brk20 P3); near a whole is not whole (P1)
        *[(-1.35, None), (1.3500000001, None), (512.999999999999, None), (999.999, 999999)],
    ],
)
def test_dot_thousands_reads_what_a_us_pc_made_of_vietnamese_typing(value, meant):
    """'1.350' typed the Vietnamese way becomes 1.35 on a PC with US settings."""
    assert dot_thousands(value) == meant


def test_a_fraction_names_the_likely_intended_number():
    _, problem, _ = parse_int(1.35, MAX)
    assert problem is not None and problem[0] == "NUMBER_NOT_INTEGER"
    assert "số đúng có lẽ là 1.350: hãy gõ lại 1350" in problem[1]
    _, problem, _ = parse_int(0.5, MAX)
    assert problem is not None and "có lẽ" not in problem[1]


@pytest.mark.parametrize(
    "value, shown",
    [
        (1350000.4, "1.350.000"),
        (1350000.5, "1.350.001"),
        (232656000.4, "232.656.000"),
        (-2.5, "-3"),
        (0.4, "0"),
    ],
)
def test_a_fraction_no_typing_explains_says_what_the_cell_may_show(value, shown):
    """brk51 F4: 1350000,4 under "#,##0" shows 1.350.000; the unit sees a whole number and
    was told only that it is not one. The message says what the cell may show, as "#,##0"
    rounds it (half away from zero), and to type the whole number."""
    _, problem, _ = parse_int(value, MAX)
    assert problem is not None and problem[0] == "NUMBER_NOT_INTEGER"
    assert f"ô có thể chỉ hiện {shown} vì định dạng không hiện số lẻ" in problem[1], problem[1]
    assert problem[1].endswith("hãy gõ lại đúng số nguyên, không có phần lẻ")


@pytest.mark.parametrize(
    "value, said",
    [
        (20112025, "ô chứa số 20112025; nếu là ngày 20/11/2025, hãy gõ 20/11/2025 (có dấu /)"),
        (1112025, "ô chứa số 1112025; nếu là ngày 01/11/2025, hãy gõ 01/11/2025 (có dấu /)"),
        (12345678, "(ô chứa số 12345678, không phải ngày)"),
    ],
)
def test_a_date_typed_as_digits_alone_is_told_the_day_they_spell(value, said):
    """brk51 F6: 20112025 typed in the report date was quoted back as '20.112.025' alone."""
    assert parse_date(value) == (
        None,
        (
            "DATE_INVALID",
            f"không phải ngày hợp lệ; hãy nhập dạng dd/mm/yyyy{':' if 'nếu' in said else ''} {said}",
        ),
    )
