"""A count or an amount whose format shows no digit of it (`;;;`, a section of text alone)
is no count or amount (brk31 F2): the sheet shows the cell blank while it holds 4.235.000,
which the spreadsheet's totals count, and it was read in silence. Now NUMBER_INVALID at the
cell, saying the number held; `#,##0;;;` (zeros and negatives hidden) shows a positive
number and is read. LibreOffice's display (Vietnamese settings) is the oracle; the files are
formatted by LibreOffice through UNO and saved as .xlsx, .xls and .ods, the .xlsx written
again by SheetJS as .xlsb and by Gnumeric as .ods.
"""

from __future__ import annotations

import random

import pytest

from pipeline.filler import fill
from pipeline.form import layout_json, load_form
from pipeline.read.formats.numfmt import shown_value
from pipeline.rules.findings import ERROR
from pipeline.run.consolidate import check_files
from pipeline.samples import valid_data
from pipeline.text.values import HiddenNumber

from . import lo
from .conftest import template_for
from .test_percent_cells import formatted
from .test_scaled_cells import _lo_shown_vi

FORM = load_form()
CODES = [
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


@pytest.mark.libreoffice
def test_a_number_is_hidden_exactly_where_libreoffice_shows_no_digit() -> None:
    numbers = (4_235_000, 5)
    cells = [(code, n) for code in CODES for n in numbers]
    said = [
        (code, n, shown, isinstance(shown_value(code, n), HiddenNumber))
        for (code, n), shown in zip(cells, _lo_shown_vi(cells), strict=True)
    ]
    assert [s for s in said if s[3] == any(ch.isdigit() for ch in s[2])] == []
    assert not isinstance(shown_value(";;;", 0), HiddenNumber)  # 0 hidden is a blank: nothing lost


@pytest.fixture(scope="module")
def hidden_files(tmp_path_factory, template_dir) -> dict[str, object]:
    """899's report with its first resource row's cash under `;;;`, its in-kind under a
    text-only format, the second row's cash under `#,##0;;;` (shown)."""
    lo.require_uno()
    base = tmp_path_factory.mktemp("hidden")
    layout = layout_json(FORM)
    data = valid_data(FORM, "899", random.Random("hidden"), layout)
    first = next(iter(data["resources"].values()))
    first["cash"] = 4_235_000
    src = fill(template_for(template_dir, FORM, "899"), base / "899.xlsx", layout, "899", data)
    res = FORM.resources_block
    row = res.first_row
    at = {
        "hidden": f"{res.measure_column('cash')}{row}",
        "text": f"{res.measure_column('in_kind')}{row}",
        "shown": f"{res.measure_column('cash')}{row + 1}",
    }
    codes = {"hidden": ";;;", "text": '"xem ghi chú"', "shown": "#,##0;;;"}
    cells = [(res.sheet, at[k], code, False, None) for k, code in codes.items()]
    return {**formatted(src, cells, base, "899-hidden"), "at": at}


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods", "xlsb", "gnumeric.ods"])
def test_a_figure_its_format_hides_is_an_error_at_its_cell(hidden_files, kind) -> None:
    at: dict[str, str] = hidden_files["at"]  # type: ignore[assignment]
    (parsed,) = check_files(FORM, [hidden_files[kind]])
    said = [f.message for f in parsed.findings]
    errors = {f.cell: f for f in parsed.findings if f.severity == ERROR}
    if kind == "gnumeric.ods":  # three maps a style: LibreOffice keeps two, refuses the code
        # and shows the number as General ("4235000"; the text-only one "498836240xem ghi
        # chú"), so it is read; Gnumeric's stored totals left it out: a warning, and true
        assert not errors, said
        stale = [f for f in parsed.findings if f.code == "TOTAL_MISMATCH"]
        assert stale and all("nếu mở tệp thấy ô này là" in f.message for f in stale), said
        return
    assert sorted(errors) == sorted([at["hidden"], at["text"]]), said
    for f in errors.values():
        assert f.code == "NUMBER_INVALID"
        assert "nhưng không hiện ra trên trang tính vì định dạng của ô không hiện số" in f.message, f.message
    assert "có số 4.235.000" in errors[at["hidden"]].message
    assert not any(f.code == "TOTAL_MISMATCH" for f in parsed.findings), said
