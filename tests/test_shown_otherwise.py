"""A count or an amount whose format shows it otherwise than as the number held is no count
or amount (brk31), besides the percentages, display factors and written digits of
tests/test_percent_cells.py and tests/test_scaled_cells.py:

- a word beside it naming a multiple of its unit (F4): a Vietnamese report often counts
  money "ĐVT: nghìn đồng", so 183.150 typed under `#,##0 "nghìn đồng"` means 183.150.000
  đồng and was read as 183.150 đồng in silence; a "%" written as text (F3) likewise. A
  currency's symbol (`[$$-409]`) and a unit's own word ("người") name no multiple;
- scientific notation with fewer significant digits than it has (F1): `0E+0` shows 87381000
  as "9E+7"; `0.0000E+00` ("8,7381E+07") shows every digit and is read;
- no digit at all (F2): `;;;` or a section of text alone shows the cell blank while its
  totals count the number; `#,##0;;;` hides only zeros and negatives.

Each is NUMBER_INVALID at its cell, quoting what the sheet shows or the number held. One
report is formatted by LibreOffice through UNO and saved as .xlsx, .xls and .ods, the .xlsx
written again by SheetJS as .xlsb and by Gnumeric as .ods; what each code shows is
LibreOffice's display with Vietnamese settings.
"""

from __future__ import annotations

import random
import re

import pytest

from pipeline.filler import fill
from pipeline.form import layout_json, load_form
from pipeline.read.formats.numfmt import named_multiple, section_types, shown_value
from pipeline.rules.findings import ERROR
from pipeline.run.consolidate import check_files
from pipeline.samples import valid_data
from pipeline.text.values import HiddenNumber, ScientificShown

from . import lo
from .conftest import template_for
from .test_percent_cells import formatted
from .test_scaled_cells import _lo_shown_vi

FORM = load_form()
THOUSANDS, MILLIONS, PERCENT_TEXT = '#,##0 "nghìn đồng"', '#,##0" tr"', '0"%"'
DOLLARS, PEOPLE = "[$$-409]#,##0", '#,##0 "người"'
SCIENTIFIC = ["0E+0", "#E+0", "0E+00", "0.0E+00", "0.00E+00", "0.0000E+00", "##0.0E+0", "00.0E+0", "#,##0E+0"]
HIDING = [
    ";;;",
    ";;",
    "[Red];;;",
    '"xem ghi chú"',
    '"";;',
    "#,##0;;;",
    "#,##0;;",
    "0;-0;;@",
    "#,##0",
    "General",
]

# cell -> (format code, figure typed or None for the sample's, said): resources row, measure
CELLS = {
    "thousands": (0, "cash", THOUSANDS, 183_150),
    "percent": (0, "in_kind", PERCENT_TEXT, None),
    "dollars": (1, "cash", DOLLARS, None),
    "millions": (1, "in_kind", MILLIONS, None),
    "cut": (2, "cash", "0E+0", 87_381_000),
    "cut_decimal": (2, "in_kind", "0.0E+00", 19_278_000),
    "whole": (3, "cash", "0.0000E+00", 87_381_000),
    "hidden": (3, "in_kind", ";;;", 4_235_000),
    "text": (4, "cash", '"xem ghi chú"', None),
    "hides_negatives": (4, "in_kind", "#,##0;;;", None),
}
REFUSED = {"thousands", "percent", "millions", "cut", "cut_decimal", "hidden", "text"}
HIDING_CELLS = {"hidden", "text"}


@pytest.mark.libreoffice
def test_libreoffice_shows_the_word_the_reader_names() -> None:
    """The text LibreOffice shows for each code holds the word `named_multiple` finds in the
    code's literal text, and none for the codes read as typed."""
    codes = [
        THOUSANDS,
        MILLIONS,
        PERCENT_TEXT,
        '"Triệu đồng: "#,##0',
        '#,##0\\ "K"',
        DOLLARS,
        PEOPLE,
        '#,##0" đ"',
    ]
    shown = _lo_shown_vi([(code, 183_150) for code in codes])
    assert [named_multiple(text) for text in shown] == ["nghìn", "tr", "%", "triệu", "k", "", "", ""], shown


def _read_scientific(text: str) -> float:
    """A number LibreOffice shows in scientific notation with Vietnamese separators."""
    mantissa, exponent = re.fullmatch(r"(-?[0-9.,]+)E([+-][0-9]+)", text).groups()  # type: ignore[union-attr]
    return float(mantissa.replace(".", "").replace(",", ".")) * 10 ** int(exponent)


@pytest.mark.libreoffice
def test_a_number_whose_digits_the_mantissa_cuts_is_never_read() -> None:
    """Every code is scientific where LibreOffice shows it so (`0E+0` too); wherever it shows
    another number the reader refuses the cell; a cell it reads is shown whole."""
    assert all(section_types(code) == ("scientific",) for code in SCIENTIFIC)
    cells = [
        (code, n) for code in SCIENTIFIC for n in (87_381_000, 19_278_000, 5, 120, 12_300_000, 1_000_000)
    ]
    wrong, strict = [], []
    for (code, number), shown in zip(cells, _lo_shown_vi(cells), strict=True):
        other = abs(_read_scientific(shown) - number) > 1e-6 * number
        refused = isinstance(shown_value(code, number), ScientificShown)
        if other and not refused:
            wrong.append((code, number, shown))
        elif refused and not other:
            strict.append((code, shown))
    assert wrong == []
    # refused though shown whole: only where a mantissa of several integer digits may cut
    # them for another number (`##0.0E+0` shows 12300000 as "12,3E+6", 1230000 as "1,2E+6")
    assert {code for code, _ in strict} <= {"##0.0E+0", "00.0E+0", "#,##0E+0"}, strict
    assert not isinstance(shown_value("0.0000E+00", 87_381_000), ScientificShown)


@pytest.mark.libreoffice
def test_a_number_is_hidden_exactly_where_libreoffice_shows_no_digit() -> None:
    cells = [(code, n) for code in HIDING for n in (4_235_000, 5)]
    said = [
        (code, n, shown, isinstance(shown_value(code, n), HiddenNumber))
        for (code, n), shown in zip(cells, _lo_shown_vi(cells), strict=True)
    ]
    assert [s for s in said if s[3] == any(ch.isdigit() for ch in s[2])] == []
    assert not isinstance(shown_value(";;;", 0), HiddenNumber)  # 0 hidden is a blank: nothing lost


@pytest.fixture(scope="module")
def shown_files(tmp_path_factory, template_dir) -> dict[str, object]:
    """899's report with each of CELLS under its code (and its figure), the first result
    row's children under PEOPLE; in each format."""
    lo.require_uno()
    base = tmp_path_factory.mktemp("shown")
    layout = layout_json(FORM)
    data = valid_data(FORM, "899", random.Random("shown"), layout)
    rows = list(data["resources"].values())
    for row, measure, _code, figure in CELLS.values():
        if figure is not None:
            rows[row][measure] = figure
    src = fill(template_for(template_dir, FORM, "899"), base / "899.xlsx", layout, "899", data)
    res, results = FORM.resources_block, FORM.blocks["results"]
    at = {key: f"{res.measure_column(m)}{res.first_row + row}" for key, (row, m, _c, _f) in CELLS.items()}
    at["people"] = f"{results.measure_column('children')}{results.first_row}"
    cells = [(res.sheet, at[key], code, False, None) for key, (_r, _m, code, _f) in CELLS.items()]
    cells.append((results.sheet, at["people"], PEOPLE, False, None))
    return {**formatted(src, cells, base, "899-shown"), "at": at}


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods", "xlsb", "gnumeric.ods"])
def test_a_figure_shown_otherwise_is_an_error_at_its_cell(shown_files, kind) -> None:
    at: dict[str, str] = shown_files["at"]  # type: ignore[assignment]
    (parsed,) = check_files(FORM, [shown_files[kind]])
    said = [f.message for f in parsed.findings]
    errors = {f.cell: f for f in parsed.findings if f.severity == ERROR}
    # Gnumeric writes a hiding code as three maps a style: LibreOffice keeps two, refuses the
    # code and shows the number as General ("4235000"; the text-only one "…xem ghi chú"), so
    # it is read; Gnumeric's stored totals left it out: they are told stale, which is true
    refused = REFUSED - HIDING_CELLS if kind == "gnumeric.ods" else REFUSED
    assert sorted(errors) == sorted(at[key] for key in refused), said
    assert {f.code for f in errors.values()} == {"NUMBER_INVALID"}
    thousands = errors[at["thousands"]].message
    assert "hiện thành '183.150 nghìn đồng'" in thousands, thousands
    assert "thêm chữ 'nghìn' cạnh số" in thousands and "(số thật trong ô là 183.150)" in thousands
    assert "thêm dấu '%' cạnh số" in errors[at["percent"]].message
    assert "thêm chữ 'tr' cạnh số" in errors[at["millions"]].message
    for key in ("cut", "cut_decimal"):
        assert (
            "hiện dưới dạng số mũ" in errors[at[key]].message and "kiểu Khoa học" in errors[at[key]].message
        )
    assert "(87.381.000)" in errors[at["cut"]].message
    for key in HIDING_CELLS & refused:
        assert (
            "nhưng không hiện ra trên trang tính vì định dạng của ô không hiện số" in errors[at[key]].message
        )
    if "hidden" in refused:
        assert "có số 4.235.000" in errors[at["hidden"]].message
    for f in errors.values():
        assert "hãy đổi định dạng ô sang Số" in f.message
    stale = [f for f in parsed.findings if f.code == "TOTAL_MISMATCH"]
    if kind == "gnumeric.ods":
        assert all("nếu mở tệp thấy ô này là" in f.message for f in stale), said
    else:
        assert not stale, said
