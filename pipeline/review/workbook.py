"""The final review's workbook (XlsxWriter, in the consolidated workbook's style: `render.style`).

Sheets: the overview (one row per year, the programme to date, the years missing), each
block of the form by its list (results by category, resources by source, needs by
category), the units that reported each year, the places on each map (former districts,
new communes) and the crosswalk between the maps. Every figure is an integer summed from the
yearly detail CSVs; totals are SUM formulas written with their value."""

from __future__ import annotations

from pathlib import Path

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from ..form import Block, col_letter
from ..render.style import Styles, page_setup
from ..render.template import PINNED_TIME
from ..render.yoy import SCHEME_ID_HEAD
from .build import Review

OVERVIEW, UNITS, CROSSWALK = "Tổng quan", "Đơn vị báo cáo", "Bảng chuyển đổi"


def _title(ws: Worksheet, st: Styles, review: Review, title: str, width: int) -> int:
    """The sheet's title and the period under it; returns the next free row."""
    cfg = review.config
    ws.merge_range(0, 0, 0, width - 1, title, st.title)
    ws.set_row(0, 36)
    period = f"Giai đoạn {cfg.first_year} - {cfg.last_year}; đơn vị tính: người, lượt, đồng"
    ws.merge_range(1, 0, 1, width - 1, period, st.subtitle)
    return 3


def _heads(ws: Worksheet, st: Styles, r: int, heads: list[str]) -> int:
    for c, text in enumerate(heads):
        ws.write_string(r, c, text, st.head)
    ws.set_row(r, 45)
    return r + 1


def _total_row(ws: Worksheet, st: Styles, r: int, first: int, columns: range, values: list[int]) -> None:
    ws.write_string(r, 0, "Cộng", st.total_label)
    for c, v in zip(columns, values, strict=True):
        col = col_letter(c)
        ws.write_formula(r, c, f"=SUM({col}{first + 1}:{col}{r})", st.num_bold, v)


def _measures(block: Block) -> list[tuple[str, str]]:
    """(key, heading) of a block's measures and row totals, with their units."""
    out = [(m.key, f"{m.label} ({m.unit})") for m in block.measures]
    return out + [(t.key, f"{t.label} ({t.unit})") for t in block.totals]


def write_review_workbook(review: Review, path: Path) -> None:
    """Write the review's workbook to `path` (.xlsx)."""
    form = review.form
    wb = xlsxwriter.Workbook(
        str(path), {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True}
    )
    values = {"first_year": review.config.first_year, "last_year": review.config.last_year}
    title = review.config.text("workbook_title", values, "TỔNG KẾT {first_year} - {last_year}")
    wb.set_properties({"title": title, "author": form.agencies.get("department", ""), "created": PINNED_TIME})
    st = Styles(wb)
    _overview(wb.add_worksheet(OVERVIEW), st, review, title)
    for block in form.blocks.values():
        _block_sheet(wb.add_worksheet(block.sheet[:31]), st, review, block)
    _units(wb.add_worksheet(UNITS), st, review)
    names = review.config.raw.get("map_sheets", {})
    for i, (scheme, years) in enumerate(review.maps(), start=1):
        name = str(names.get(scheme, f"Địa bàn ({i})"))[:31]  # the sheet's title names its scheme
        _places(wb.add_worksheet(name), st, review, scheme, years)
    if review.crosswalk is not None:
        _crosswalk(wb.add_worksheet(CROSSWALK), st, review)
    wb.close()


def _overview(ws: Worksheet, st: Styles, review: Review, title: str) -> None:
    form = review.form
    hb, rb = form.history_block, form.resources_block
    shown = [(hb.key, k, h) for k, h in _measures(hb) if k in (hb.headcount, hb.turns, *hb.value_measures)]
    shown += [(hb.key, t.key, f"{t.label} ({t.unit})") for t in hb.totals]
    shown.append(
        (
            rb.key,
            rb.main_total,
            f"Nguồn lực đã vận động ({rb.measure(rb.value_measures[0]).unit if rb.value_measures else 'đồng'})",
        )
    )
    width = len(shown) + 5
    r = _title(ws, st, review, title, width)
    ws.set_column(0, 0, 10)
    ws.set_column(1, len(shown), 18)
    ws.set_column(len(shown) + 1, len(shown) + 2, 14)
    ws.set_column(len(shown) + 3, len(shown) + 3, 60)
    ws.set_column(len(shown) + 4, len(shown) + 4, 26)
    heads = ["Năm", *(h for _, _, h in shown), "Đơn vị đã báo cáo", "Đơn vị phải báo cáo", "Địa giới, hệ mã"]
    heads.append(SCHEME_ID_HEAD)
    r = _heads(ws, st, r, heads)
    first = r
    sums = [0] * (len(shown) + 2)
    for year in review.found:
        result = review.years.found[year]
        ws.write_string(r, 0, str(year), st.cell_center)
        row = [review.totals[b][year].get(k, 0) for b, k, _ in shown]
        row += [result.summary.get("accepted", 0), result.summary.get("units", 0)]
        for c, v in enumerate(row, start=1):
            ws.write_number(r, c, v, st.num)
            sums[c - 1] += v
        ws.write_string(r, len(shown) + 3, form.schemes_text(result.schemes), st.cell)
        ws.write_string(r, len(shown) + 4, ", ".join(result.schemes) or "?", st.cell)
        r += 1
    # units are not summed over years (brk34 F6: 157 "units" of 170 meant nothing): blank there
    _total_row(ws, st, r, first, range(1, len(shown) + 1), sums[: len(shown)])
    for c in (len(shown) + 1, len(shown) + 2):
        ws.write_blank(r, c, None, st.num_bold)
    r += 2
    ws.write_string(
        r,
        0,
        "Cơ sở: mỗi năm là số liệu đã tổng hợp của năm đó, theo địa giới và hệ mã của năm đó (cột Địa giới, "
        "hệ mã); "
        "dòng Cộng là tổng các năm đã báo cáo, không phải so sánh trên cùng địa bàn.",
        st.note,
    )
    r += 1
    for line in [*missing_lines(review), *(f"Lưu ý: {c}." for c in review.years.chosen.values())]:
        ws.write_string(r, 0, line, st.coverage)
        r += 1
    page_setup(ws, repeat=(3, 3))


# a year reported on an old map though the new one was in force (`Review.on_old_map`)
OLD_MAP = (
    "Năm {year} được tổng hợp theo {schemes}: số liệu chỉ gồm các đơn vị đó, chưa phải toàn tỉnh theo "
    "địa giới năm {year}; hãy tổng hợp lại năm {year} theo cấu hình hiện hành."
)


def missing_lines(review: Review) -> list[str]:
    """The years of the period without results, each named, with why when a set was found
    but could not be read, and the years reported on an old map though the new one was in
    force (Vietnamese); [] when every year is in on its own map."""
    y = review.years
    old_map = [
        OLD_MAP.format(year=n, schemes=review.form.schemes_text(y.found[n].schemes))
        for n in review.found
        if review.on_old_map(n)
    ]
    if not y.missing:
        return old_map
    out = [
        f"Thiếu số liệu năm: {', '.join(str(n) for n in y.missing)} (chưa có kết quả tổng hợp của các năm "
        "này trong các thư mục kết quả đã chỉ); các dòng Cộng chưa gồm các năm đó."
    ]
    return out + [y.unreadable[n] for n in y.missing if n in y.unreadable] + old_map


def _block_sheet(ws: Worksheet, st: Styles, review: Review, block: Block) -> None:
    measures = _measures(block)
    dim = review.key_of(block)
    label = next(kf.label for kf in block.key_fields if kf.key == dim)
    r = _title(ws, st, review, block.title, len(measures) + 2)
    ws.set_column(0, 0, 10)
    ws.set_column(1, 1, 36)
    ws.set_column(2, len(measures) + 1, 17)
    r = _heads(ws, st, r, ["Năm", label, *(h for _, h in measures)])
    first = r
    items = review.items(block)
    to_date: dict[str, list[int]] = {i.code: [0] * len(measures) for i in items}
    for year in review.found:
        per = review.by_key[block.key][year]
        for item in items:
            sums = per.get(item.code, {})
            ws.write_string(r, 0, str(year), st.cell_center)
            ws.write_string(r, 1, item.name, st.cell)
            for c, (k, _) in enumerate(measures):
                v = sums.get(k, 0)
                ws.write_number(r, c + 2, v, st.num)
                to_date[item.code][c] += v
            r += 1
    totals = [sum(v[c] for v in to_date.values()) for c in range(len(measures))]
    _total_row(ws, st, r, first, range(2, len(measures) + 2), totals)
    r += 2
    ws.write_string(r, 0, f"Lũy kế các năm đã báo cáo, theo {label.lower()}", st.h2)
    r = _heads(ws, st, r + 1, ["", label, *(h for _, h in measures)])
    for item in items:
        ws.write_string(r, 1, item.name, st.cell)
        for c, v in enumerate(to_date[item.code]):
            ws.write_number(r, c + 2, v, st.num)
        r += 1
    page_setup(ws, repeat=(3, 3))


def _units(ws: Worksheet, st: Styles, review: Review) -> None:
    r = _title(ws, st, review, "ĐƠN VỊ ĐÃ BÁO CÁO TỪNG NĂM", 5)
    ws.set_column(0, 0, 10)
    ws.set_column(1, 1, 40)
    ws.set_column(2, 4, 16)
    r = _heads(ws, st, r, ["Năm", "Loại đơn vị", "Đã báo cáo", "Phải báo cáo", "Tỉ lệ (%)"])
    for year in review.found:
        for kind, (done, expected) in review.years.found[year].accepted_by_kind().items():
            ws.write_string(r, 0, str(year), st.cell_center)
            ws.write_string(r, 1, review.kind_name(year, kind), st.cell)
            ws.write_number(r, 2, done, st.num)
            ws.write_number(r, 3, expected, st.num)
            ws.write_formula(
                r, 4, f"=C{r + 1}/D{r + 1}*100", st.pct, done / expected * 100 if expected else 0
            )
            r += 1
    r += 1
    for line in missing_lines(review):
        ws.write_string(r, 0, line, st.coverage)
        r += 1
    page_setup(ws, repeat=(3, 3))


def _places(ws: Worksheet, st: Styles, review: Review, scheme: str, years: list[int]) -> None:
    hb = review.form.history_block
    head, values = hb.headcount, hb.value_measures
    codes = review.place_order(scheme, {c for y in years for s, c in review.places[y] if s == scheme})
    width = 2 + 2 * len(years)
    title = f"KẾT QUẢ HỖ TRỢ TRẺ EM THEO ĐỊA BÀN - {review.form.scheme_label(scheme).upper()}"
    r = _title(ws, st, review, title, width)
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 36)
    ws.set_column(2, width, 16)
    heads = [f"Mã ({SCHEME_ID_HEAD.lower()}:mã)", "Địa bàn"]
    for y in years:
        heads += [f"Số trẻ em {y} ({hb.measure(head).unit})", f"Giá trị hỗ trợ {y} (đồng)"]
    r = _heads(ws, st, r, heads)
    first = r
    sums = [0] * (2 * len(years))
    for code in codes:
        ws.write_string(r, 0, f"{scheme}:{code}", st.cell)
        ws.write_string(r, 1, review.place_name(scheme, code), st.cell)
        for i, y in enumerate(years):
            s = review.places[y].get((scheme, code), {})
            pair = (s.get(head, 0), sum(s.get(v, 0) for v in values))
            for j, v in enumerate(pair):
                ws.write_number(r, 2 + 2 * i + j, v, st.num)
                sums[2 * i + j] += v
        r += 1
    _total_row(ws, st, r, first, range(2, width), sums)
    page_setup(ws, repeat=(3, 3))


def _crosswalk(ws: Worksheet, st: Styles, review: Review) -> None:
    cw = review.crosswalk
    assert cw is not None
    r = _title(ws, st, review, "BẢNG CHUYỂN ĐỔI ĐỊA BÀN CŨ SANG ĐƠN VỊ HÀNH CHÍNH MỚI (TỪ 01/7/2025)", 5)
    rows = review.crosswalk_rows()
    if not rows:  # no year of the review was reported on the old map: nothing to convert
        ws.set_column(0, 0, 120)
        ws.write_string(
            r - 1,
            0,
            f"Không có năm nào trong các năm tổng kết báo cáo theo địa giới trước 01/7/2025 nên không có "
            f"địa bàn nào cần chuyển đổi (bảng chuyển đổi: {cw.file.name}).",
            st.note,
        )
        page_setup(ws, repeat=(3, 3))
        return
    olds = review.form.schemes_text(dict.fromkeys(old.scheme for old, _, _ in rows))
    said = f"mã huyện cũ: {olds}; mã xã mới: {review.form.scheme_label(cw.new_scheme)}"
    ws.write_string(r - 1, 0, f"Nguồn: {cw.file.name} ({said})", st.note)
    for c, w in enumerate((22, 30, 22, 30, 50)):
        ws.set_column(c, c, w)
    r = _heads(
        ws,
        st,
        r,
        [
            f"Mã huyện cũ ({SCHEME_ID_HEAD.lower()}:mã)",
            "Huyện cũ",
            f"Mã xã mới ({SCHEME_ID_HEAD.lower()}:mã)",
            "Xã, phường, đặc khu mới",
            "Ghi chú",
        ],
    )
    for old, new, mark in rows:
        ws.write_string(r, 0, f"{old.scheme}:{old.code}", st.cell)
        ws.write_string(r, 1, old.name, st.cell)
        ws.write_string(r, 2, f"{new.scheme}:{new.code}", st.cell)
        ws.write_string(r, 3, new.name, st.cell)
        ws.write_string(r, 4, mark, st.cell)
        r += 1
    page_setup(ws, repeat=(3, 3))
