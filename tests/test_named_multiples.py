"""A count or an amount whose format writes beside it a word naming a multiple of its unit
("nghìn đồng", "tr", "K") or a percent sign as text is no count or amount (brk31 F3, F4).

A Vietnamese report often counts money "ĐVT: nghìn đồng": a unit that types 183.150 under
`#,##0 "nghìn đồng"` means 183.150.000 đồng, and it was read as 183.150 đồng in silence. A
unit that types the full amount under such a format shows a thousand times too much. Either
way the sheet says another amount than the form reads: NUMBER_INVALID at the cell, quoting
what the sheet shows and the word. A currency's symbol (`[$$-409]`, the template's "đ") and
a unit's own word ("người") name no multiple: read as typed. Files formatted by LibreOffice
through UNO and saved as .xlsx, .xls and .ods, the .xlsx written again by SheetJS as .xlsb
and by Gnumeric as .ods; which text each shows is LibreOffice's display.
"""

from __future__ import annotations

import random

import pytest

from pipeline.filler import fill
from pipeline.form import layout_json, load_form
from pipeline.read.formats.numfmt import named_multiple
from pipeline.rules.findings import ERROR
from pipeline.run.consolidate import check_files
from pipeline.samples import valid_data

from . import lo
from .conftest import template_for
from .test_percent_cells import formatted

FORM = load_form()
THOUSANDS, MILLIONS, PERCENT_TEXT = '#,##0 "nghìn đồng"', '#,##0" tr"', '0"%"'
DOLLARS, PEOPLE = "[$$-409]#,##0", '#,##0 "người"'


@pytest.fixture(scope="module")
def named_files(tmp_path_factory, template_dir) -> dict[str, object]:
    """899's report with its first resource row's cash in thousands under THOUSANDS (183.150
    typed), its in-kind under PERCENT_TEXT, the second row's cash under DOLLARS and its
    in-kind under MILLIONS, the first result row's children under PEOPLE; in each format."""
    lo.require_uno()
    base = tmp_path_factory.mktemp("named")
    layout = layout_json(FORM)
    data = valid_data(FORM, "899", random.Random("named"), layout)
    first, second = list(data["resources"].values())[:2]
    first["cash"] = 183_150
    src = fill(template_for(template_dir, FORM, "899"), base / "899.xlsx", layout, "899", data)
    res, results = FORM.resources_block, FORM.blocks["results"]
    row = res.first_row
    at = {
        "thousands": f"{res.measure_column('cash')}{row}",
        "percent": f"{res.measure_column('in_kind')}{row}",
        "dollars": f"{res.measure_column('cash')}{row + 1}",
        "millions": f"{res.measure_column('in_kind')}{row + 1}",
        "people": f"{results.measure_column('children')}{results.first_row}",
    }
    codes = {"thousands": THOUSANDS, "percent": PERCENT_TEXT, "dollars": DOLLARS, "millions": MILLIONS}
    cells = [(res.sheet, at[k], code, False, None) for k, code in codes.items()]
    cells.append((results.sheet, at["people"], PEOPLE, False, None))
    outs = formatted(src, cells, base, "899-named")
    return {**outs, "at": at, "second": second}


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods", "xlsb", "gnumeric.ods"])
def test_a_figure_whose_format_names_a_multiple_is_an_error_at_its_cell(named_files, kind) -> None:
    at: dict[str, str] = named_files["at"]  # type: ignore[assignment]
    (parsed,) = check_files(FORM, [named_files[kind]])
    said = [f.message for f in parsed.findings]
    errors = {f.cell: f for f in parsed.findings if f.severity == ERROR}
    assert sorted(errors) == sorted([at["thousands"], at["percent"], at["millions"]]), said
    assert {f.code for f in errors.values()} == {"NUMBER_INVALID"}
    thousands = errors[at["thousands"]].message
    assert "hiện thành '183.150 nghìn đồng'" in thousands, thousands
    assert "thêm chữ 'nghìn' cạnh số" in thousands and "(số thật trong ô là 183.150)" in thousands
    assert "thêm dấu '%' cạnh số" in errors[at["percent"]].message
    assert "thêm chữ 'tr' cạnh số" in errors[at["millions"]].message
    for f in errors.values():
        assert "hãy đổi định dạng ô sang Số" in f.message
    assert not any(f.code == "TOTAL_MISMATCH" for f in parsed.findings), said


@pytest.mark.libreoffice
def test_libreoffice_shows_the_word_the_reader_names() -> None:
    """The text LibreOffice shows (Vietnamese settings) for each code holds the word
    `named_multiple` finds in the code's literal text, and none for the codes read as typed."""
    from .test_scaled_cells import _lo_shown_vi

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
    named = [named_multiple(text) for text in shown]
    assert named == ["nghìn", "tr", "%", "triệu", "k", "", "", ""], shown
