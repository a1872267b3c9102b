"""A count or an amount shown in scientific notation with fewer digits than it has is no
count or amount (brk31 F1): `0E+0` shows 87381000 as "9E+7", `0.0E+00` as "8,7E+07", and
the figure was read as 87.381.000 in silence. Now NUMBER_INVALID at the cell; a mantissa with
decimals enough for every digit (`0.0000E+00`: "8,7381E+07") shows the number held and is
read. LibreOffice's display (Vietnamese settings) is the oracle; the files are formatted by
LibreOffice through UNO and saved as .xlsx, .xls and .ods, the .xlsx written again by
SheetJS as .xlsb and by Gnumeric as .ods.
"""

from __future__ import annotations

import random
import re

import pytest

from pipeline.filler import fill
from pipeline.form import layout_json, load_form
from pipeline.read.formats.numfmt import section_types, shown_value
from pipeline.rules.findings import ERROR
from pipeline.run.consolidate import check_files
from pipeline.samples import valid_data
from pipeline.text.values import ScientificShown

from . import lo
from .conftest import template_for
from .test_percent_cells import formatted
from .test_scaled_cells import _lo_shown_vi

FORM = load_form()
CODES = ["0E+0", "#E+0", "0E+00", "0.0E+00", "0.00E+00", "0.0000E+00", "##0.0E+0", "00.0E+0", "#,##0E+0"]
NUMBERS = [87_381_000, 19_278_000, 5, 120, 12_300_000, 1_000_000]


def _read_scientific(text: str) -> float:
    """A number LibreOffice shows in scientific notation with Vietnamese separators."""
    mantissa, exponent = re.fullmatch(r"(-?[0-9.,]+)E([+-][0-9]+)", text).groups()  # type: ignore[union-attr]
    return float(mantissa.replace(".", "").replace(",", ".")) * 10 ** int(exponent)


@pytest.mark.libreoffice
def test_a_number_whose_digits_the_mantissa_cuts_is_never_read() -> None:
    """Every code is scientific where LibreOffice shows it so; wherever it shows another
    number the reader refuses the cell, and a cell it reads is shown whole."""
    assert all(section_types(code) == ("scientific",) for code in CODES)
    cells = [(code, n) for code in CODES for n in NUMBERS]
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
    # exact where the mantissa holds every digit: read
    assert not isinstance(shown_value("0.0000E+00", 87_381_000), ScientificShown)
    assert not isinstance(shown_value("0E+0", 1_000_000), ScientificShown)


@pytest.fixture(scope="module")
def scientific_files(tmp_path_factory, template_dir) -> dict[str, object]:
    """899's report with its first resource row's cash under `0E+0`, its in-kind under
    `0.0E+00`, the second row's cash under `0.0000E+00` (every digit shown)."""
    lo.require_uno()
    base = tmp_path_factory.mktemp("scientific")
    layout = layout_json(FORM)
    data = valid_data(FORM, "899", random.Random("scientific"), layout)
    first, second = list(data["resources"].values())[:2]
    first["cash"], first["in_kind"], second["cash"] = 87_381_000, 19_278_000, 87_381_000
    src = fill(template_for(template_dir, FORM, "899"), base / "899.xlsx", layout, "899", data)
    res = FORM.resources_block
    row = res.first_row
    at = {
        "cut": f"{res.measure_column('cash')}{row}",
        "cut_decimal": f"{res.measure_column('in_kind')}{row}",
        "whole": f"{res.measure_column('cash')}{row + 1}",
    }
    codes = {"cut": "0E+0", "cut_decimal": "0.0E+00", "whole": "0.0000E+00"}
    cells = [(res.sheet, at[k], code, False, None) for k, code in codes.items()]
    return {**formatted(src, cells, base, "899-sci"), "at": at}


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods", "xlsb", "gnumeric.ods"])
def test_a_figure_shown_with_its_digits_cut_is_an_error_at_its_cell(scientific_files, kind) -> None:
    at: dict[str, str] = scientific_files["at"]  # type: ignore[assignment]
    (parsed,) = check_files(FORM, [scientific_files[kind]])
    said = [f.message for f in parsed.findings]
    errors = {f.cell: f for f in parsed.findings if f.severity == ERROR}
    assert sorted(errors) == sorted([at["cut"], at["cut_decimal"]]), said
    for f in errors.values():
        assert f.code == "NUMBER_INVALID"
        assert "hiện dưới dạng số mũ" in f.message and "kiểu Khoa học" in f.message, f.message
    assert "(87.381.000)" in errors[at["cut"]].message
    assert not any(f.code == "TOTAL_MISMATCH" for f in parsed.findings), said
