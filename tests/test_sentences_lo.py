"""Issue #23, with LibreOffice: values that only a recalculation shows.

The template's live checks at a rule's bound (LibreOffice recalculates the filled
template), an error cell of an .ods (LibreOffice computes and saves it), and the
year-over-year percentages as LibreOffice computes them from the workbook's formulas.
"""

from __future__ import annotations

from typing import Any

import openpyxl
import pytest

from pipeline.outbox.paths import workbook_path
from pipeline.read.parse import parse_path
from tests import lo
from tests.test_sentences import check_yoy_sheet, consolidate_three_years

pytestmark = pytest.mark.libreoffice


def _checks(layout: dict[str, Any], sheet: str) -> dict[str, str]:
    return next(c for c in layout["checks"]["sheets"] if c["sheet"] == sheet)


def _results_cells(layout: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {
        (c["category"], c["measure"]): c["cell"]
        for c in layout["layouts"]["fixed_region"]["cells"]
        if c["block"] == "results"
    }


def test_live_checks_pass_at_the_bound_and_fail_just_past_it(make_file, layout, tmp_path):
    """girls = children and ethnic = children (at most), turns = children (at least), cash
    = 0 (not negative): "Đạt". One girl more, one turn fewer: an error on each row."""
    cells = _results_cells(layout)
    row_of = {cat: int(cells[(cat, "children")].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) for cat, _ in cells}

    def rows(past: int) -> list[dict[str, Any]]:
        def row(category: str, **values: int) -> dict[str, Any]:
            base = {"region": "903", "category": category, "children": 50, "girls": 50, "ethnic": 50}
            return {**base, "turns": 50, "cash": 0, "in_kind": 5_000_000, **values}

        return [row("KCB", girls=50 + past), row("HT", turns=50 - past), row("DOAM", ethnic=50)]

    def mutate_with(past: int):
        def mutate(data: dict[str, Any]) -> None:
            data["results"] = rows(past)

        return mutate

    at, _ = make_file("903", mutate_with(0), name="at-bound.xlsx")
    past, _ = make_file("903", mutate_with(1), name="past-bound.xlsx")
    out = tmp_path / "recalc"
    sheet = layout["layouts"]["fixed_region"]["cells"][0]["sheet"]
    chk = _checks(layout, sheet)
    overview = layout["checks"]["overview"]

    ws_at_book = openpyxl.load_workbook(lo.recalc_xlsx(at, out), data_only=True)
    ws = ws_at_book[sheet]
    assert ws[chk["errors_cell"]].value == 0
    assert ws[chk["summary_cell"]].value == "Đạt"
    for cat in ("KCB", "HT", "DOAM"):
        assert ws[f"{chk['row_errors_column']}{row_of[cat]}"].value == 0, cat
        assert (ws[f"{chk['row_text_column']}{row_of[cat]}"].value or "") == "", cat
    assert ws_at_book[overview["sheet"]][overview["cell"]].value == "Đạt: không còn lỗi"

    book = openpyxl.load_workbook(lo.recalc_xlsx(past, out), data_only=True)
    ws = book[sheet]
    kcb, ht = sorted((row_of["KCB"], row_of["HT"]))
    assert ws[chk["errors_cell"]].value == 2
    assert ws[chk["summary_cell"]].value == f"Còn 2 lỗi: dòng {kcb}, dòng {ht}"
    assert ws[f"{chk['row_errors_column']}{row_of['KCB']}"].value == 1
    assert ws[f"{chk['row_errors_column']}{row_of['HT']}"].value == 1
    assert ws[f"{chk['row_errors_column']}{row_of['DOAM']}"].value == 0
    assert ws[f"{chk['row_text_column']}{row_of['KCB']}"].value.startswith("Lỗi: ")
    assert ws[f"{chk['row_text_column']}{row_of['HT']}"].value.startswith("Lỗi: ")
    assert book[overview["sheet"]][overview["cell"]].value.startswith("Còn 2 lỗi")


def test_error_cell_of_an_ods_is_reported_not_read_as_blank(form, make_file, layout, tmp_path):
    """A formula dividing by zero in an input cell, saved by LibreOffice as .ods: the cell
    shows #DIV/0!, and the pipeline says so on that cell (it is not a blank)."""
    cells = _results_cells(layout)
    sheet = layout["layouts"]["fixed_region"]["cells"][0]["sheet"]
    ref = cells[("KCB", "cash")]

    def mutate(data: dict[str, Any]) -> None:
        data["results"] = [
            {"region": "899", "category": "KCB", "children": 40, "girls": 10, "ethnic": 5, "turns": 40}
            | {"cash": 4_000_000, "in_kind": 1_000_000}
        ]
        data["raw"] = [(sheet, ref, "=1/0")]

    xlsx, _ = make_file("899", mutate, folder=tmp_path / "xlsx")
    ods = lo.convert(xlsx, tmp_path / "ods", "ods")
    parsed = parse_path(ods, 0, form)
    hits = [f for f in parsed.findings if (f.sheet, f.cell) == (sheet, ref)]
    assert [f.code for f in hits] == ["NUMBER_INVALID"], parsed.findings
    assert hits[0].message == (
        f"Trang '{sheet}', ô {ref}: Giá trị bằng tiền mặt: ô có lỗi #DIV/0! (công thức tính sai hoặc dữ liệu "
        "không phải số); hãy sửa lại và gõ số"
    )
    assert hits[0].severity == "error"
    assert parsed.has_errors


def test_year_over_year_percentages_as_libreoffice_computes_them(form, tmp_path):
    """The sheet «So sánh các năm» after LibreOffice recalculates its formulas: the same
    rows, changes and signed percentages as the figures filled."""
    outbox, sums = consolidate_three_years(tmp_path, form)
    recalculated = lo.recalc_xlsx(workbook_path(outbox, form.year), tmp_path / "recalc")
    check_yoy_sheet(form, sums, recalculated)
