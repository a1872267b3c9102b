"""Year-over-year sheet: this year against the previous one, and programme-to-date totals."""

from __future__ import annotations

import pandas as pd
from xlsxwriter.worksheet import Worksheet

from ..form import a1
from ..run.result import Report
from .style import Styles, page_setup


def _previous_sums(frame: pd.DataFrame, block: str, dim: str, measure: str) -> dict[str, int]:
    sub = frame[(frame["block"] == block) & (frame["measure"] == measure)]
    return {str(k): int(v) for k, v in sub.groupby(dim)["value"].sum().items()}


def _year_totals(frame: pd.DataFrame, block: str, head: str, values: tuple[str, ...]) -> tuple[int, int]:
    res = frame[frame["block"] == block]
    n = int(res.loc[res["measure"] == head, "value"].sum())
    v = int(res.loc[res["measure"].isin(values), "value"].sum())
    return n, v


def programme_years(report: Report) -> list[tuple[int, int, int]]:
    """(year, children supported, value of support in VND) for every earlier year found and
    this one, oldest first: the rows of the programme-to-date table."""
    form = report.form
    block = form.history_block
    head, values = block.headcount, block.value_measures
    per_year = [
        (y, *_year_totals(f, block.key, head, values)) for y, f in sorted(report.history.years.items())
    ]
    per_year.append(
        (
            form.year,
            report.totals.of(block.key, head),
            sum(report.totals.of(block.key, v) for v in values),
        )
    )
    return per_year


def write_yoy(ws: Worksheet, st: Styles, report: Report) -> None:
    form = report.form
    hist = report.history
    prev_year = hist.previous_year
    prev = hist.previous
    block = form.history_block
    head = block.headcount
    values = block.value_measures
    ws.set_column(0, 0, 36)
    ws.set_column(1, 8, 16)
    ws.write_string(0, 0, f"SO SÁNH NĂM {form.year} VỚI NĂM {prev_year}", st.h2)
    ws.write_string(1, 0, "Số trẻ em được hỗ trợ (người) và giá trị hỗ trợ (đồng); chênh lệch bằng số và %.")
    r = 3
    for dim, items, label in (
        ("category", form.categories, "Nội dung hỗ trợ"),
        ("region", form.regions, "Địa bàn"),
    ):
        now = report.totals.by(block.key, dim)
        before_n = _previous_sums(prev, block.key, dim, head)
        before_v: dict[str, int] = {}
        for v in values:
            for k, x in _previous_sums(prev, block.key, dim, v).items():
                before_v[k] = before_v.get(k, 0) + x
        cols = [
            label,
            f"Số trẻ em {prev_year}",
            f"Số trẻ em {form.year}",
            "Chênh lệch",
            "Tỉ lệ (%)",
            f"Giá trị {prev_year}",
            f"Giá trị {form.year}",
            "Chênh lệch",
            "Tỉ lệ (%)",
        ]
        for c, text in enumerate(cols):
            ws.write_string(r, c, text, st.head)
        ws.set_row(r, 32)
        r += 1
        for item in items:
            sums = now.get((item.code,), {})
            n_now = sums.get(head, 0)
            v_now = sum(sums.get(v, 0) for v in values)
            n_before = before_n.get(item.code, 0)
            v_before = before_v.get(item.code, 0)
            ws.write_string(r, 0, item.name, st.cell)
            for c, (a, b) in ((1, (n_before, n_now)), (5, (v_before, v_now))):
                ws.write_number(r, c, a, st.num)
                ws.write_number(r, c + 1, b, st.num)
                was_at, now_at = a1(r, c), a1(r, c + 1)
                ws.write_formula(r, c + 2, f"={now_at}-{was_at}", st.num, b - a)
                if a:
                    ws.write_formula(
                        r,
                        c + 3,
                        f"=({now_at}-{was_at})/{was_at}*100",
                        st.pct,
                        (b - a) / a * 100,
                    )
                else:
                    ws.write_string(r, c + 3, "-", st.cell_center)
            r += 1
        r += 2
    # programme to date
    ws.write_string(r, 0, f"LŨY KẾ TỪ NĂM {min([*hist.years, form.year])} ĐẾN NĂM {form.year}", st.h2)
    r += 1
    for c, text in enumerate(["Năm", "Số trẻ em (người)", "Giá trị hỗ trợ (đồng)"]):
        ws.write_string(r, c, text, st.head)
    r += 1
    first = r
    per_year = programme_years(report)
    for year, n, v in per_year:
        ws.write_string(r, 0, str(year), st.cell_center)
        ws.write_number(r, 1, n, st.num)
        ws.write_number(r, 2, v, st.num)
        r += 1
    ws.write_string(r, 0, "Lũy kế", st.total_label)
    tot_n = sum(n for _, n, _ in per_year)
    tot_v = sum(v for _, _, v in per_year)
    ws.write_formula(r, 1, f"=SUM(B{first + 1}:B{r})", st.num_bold, tot_n)
    ws.write_formula(r, 2, f"=SUM(C{first + 1}:C{r})", st.num_bold, tot_v)
    page_setup(ws, repeat=(3, 3))
