"""The dashboard: completeness first, headline totals, units to chase, native charts."""

from __future__ import annotations

import math
from collections.abc import Mapping

from xlsxwriter.chart import Chart
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..form import col_letter, is_pending
from ..run.coverage import Coverage
from ..run.result import DATED_AHEAD_VI, LATE_VI, NOT_JUDGED_VI, ON_TIME_VI, SENT_VI, Report, UnitStatus
from .official import (
    SMALLEST_PT,
    coverage_rows,
    fit_header,
    fits_at_width,
    header,
    one_page_readable,
    page_scales,
    rows_height,
)
from .style import (
    A4_POINTS,
    BOTTOM_IN,
    FONT,
    NUM,
    TOP_IN,
    DetailRef,
    Styles,
    page_setup,
    q,
    wrapped_height,
    wrapped_lines,
)

WIDTH = 15  # columns the dashboard spans (figures in A:B, charts from D)
CHART_ROWS = 16  # rows between the top of the first row of charts and the second
LABEL_WIDTH = 44.0  # column A: the figures' labels and the names of the units to chase


def labels_for(kind: str) -> dict:
    if kind == "pie":
        return {"percentage": True}
    if kind == "bar":  # many regions: the axis is enough
        return {}
    return {"value": True, "num_format": NUM}


def dashboard(
    wb: Workbook,
    ws: Worksheet,
    st: Styles,
    report: Report,
    sheets: dict[str, str],
    pos: dict[str, tuple[int, int]],
    refs: dict[str, DetailRef],
    status_ref: DetailRef,
    typed: Mapping[str, str] | None = None,
) -> None:
    """The first sheet: heading and coverage, the units' status (formulas over the status
    sheet, cached), the headline totals (formulas over the detail sheets), the units to
    chase, and four charts. `pos` gives each biểu's first data row and total row; `typed`
    what the draft report prints in the fields an office fills (key of `carried.FIELDS` ->
    text, `document.Carried.printed`): its heading prints the agencies, the number, the
    place and date as the biểu do (`official.header`), so the workbook says what the signed
    report says."""
    form = report.form
    widths = [LABEL_WIDTH, 20.0, 4.0] + [11.0] * (WIDTH - 3)
    run_date = report.generated_at.date()
    typed = typed or {}
    split, widths = fit_header(form, widths, run_date, typed.get("number"), typed)
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    r = header(ws, st, form, split, WIDTH, run_date, typed.get("number"), typed)
    coverage = Coverage.of(report.units)
    ws.merge_range(
        r, 0, r, WIDTH - 1, coverage.title(f"TỔNG QUAN TỔNG HỢP BÁO CÁO NĂM {form.year}"), st.title
    )
    ws.set_row(r, 30)
    p = form.period
    ws.merge_range(
        r + 1,
        0,
        r + 1,
        WIDTH - 1,
        f"Thực hiện {form.programme}. Số liệu từ {p.start:%d/%m/%Y} đến {p.end:%d/%m/%Y}; "
        + (
            "hạn gửi chưa ấn định (chưa xét đúng hạn)."
            if is_pending(p.due_before)
            else f"hạn gửi trước {p.due_before:%d/%m/%Y}."
        ),
        st.subtitle,
    )
    ws.set_row(r + 1, 36)
    r = coverage_rows(ws, st, r + 2, WIDTH, sum(widths), coverage) + 1  # then a blank row
    charts_row = r
    counts = _status_counts(report, status_ref)
    ws.write_string(r, 0, "TÌNH TRẠNG NỘP BÁO CÁO", st.h2)
    status_rows = {}
    for i, (label, formula, value) in enumerate(counts):
        ws.write_string(r + 1 + i, 0, label, st.cell)
        _fit_row(ws, r + 1 + i, label)
        ws.write_formula(r + 1 + i, 1, formula, st.num_bold, value)
        status_rows[label] = r + 1 + i
    r = _headline(ws, st, r + len(counts) + 2, report, refs)
    end = _chase(ws, st, r, report)
    rb, sb = form.support_block, form.resources_block
    measures, src_measures = rb.columns, sb.columns
    # the charts' text sized to print at SMALLEST_PT or more (8 pt labels printed at 5.5 pt)
    label_pt = max(8, font_printing_at(SMALLEST_PT, widths))
    c1 = _chart(
        wb,
        "column",
        "Số trẻ em được hỗ trợ theo nội dung",
        (sheets["b01"], *pos["b01"], 2 + measures.index(rb.headcount)),
        "Nội dung hỗ trợ",
        "Số trẻ em (người)",
        font_pt=label_pt,
    )
    c3 = _chart(
        wb,
        "pie",
        "Nguồn lực đã vận động theo nguồn",
        (sheets["b04"], *pos["b04"], 2 + src_measures.index(sb.main_total)),
        "",
        "",
        font_pt=label_pt,
    )
    cached = {label: value for label, _formula, value in counts}
    c4 = _status_chart(wb, ws, st, end, status_rows, cached, label_pt)
    region = (sheets["b02"], *pos["b02"], 2 + measures.index(rb.main_total))
    # a 2 x 2 grid of charts to the right of the figures
    # the region chart gets 26 px per region so that LibreOffice labels every one of them
    bottom = max(400, 90 + 26 * len(form.regions))
    chart_rows = CHART_ROWS + -(-bottom // ROW_PX)  # rows both rows of charts span
    charts_end = rows_height(ws, charts_row + chart_rows - 1)
    # One page when readable. Else the charts whole on the first page when they fit it at
    # the page's width (a chart crossing a page break is cut), the rest of the list after
    # them; no heading repeated (a chart drawn over it). The grid is kept while its two rows
    # of charts fit one page at the page's width.
    grid_bottom = (SMALL_PX + bottom) * PT_PER_PX  # points
    if fits_at_width(widths, grid_bottom):
        c2 = _chart(wb, "bar", REGION_TITLE, region, "Giá trị (đồng)", "Địa bàn", font_pt=label_pt)
        for i, ch in enumerate((c4, c1, c2, c3)):
            ch.set_size({"width": CHART_PX, "height": SMALL_PX if i < 2 else bottom})
            ws.insert_chart(charts_row + (i // 2) * CHART_ROWS, 3 + (i % 2) * 6, ch, {"x_offset": 8})
        if one_page_readable(widths, max(rows_height(ws, end), charts_end), label_pt):
            page_setup(ws, tall=1)
            return
        page_setup(ws)
        if fits_at_width(widths, charts_end) and end > charts_row + chart_rows:
            ws.set_h_pagebreaks([charts_row + chart_rows])
        return
    # Too many regions for the first page (An Giang's 102): the three small charts stay
    # whole beside the figures there when they fit it, and the region chart is split into
    # parts, each whole, two to a page of their own after everything else, its labels
    # printing at REGION_LABEL_PT or more.
    page_setup(ws)
    for i, ch in enumerate((c4, c1, c3)):
        ch.set_size({"width": CHART_PX, "height": SMALL_PX})
        ws.insert_chart(charts_row + (i // 2) * CHART_ROWS, 3 + (i % 2) * 6, ch, {"x_offset": 8})
    small_rows = 2 * CHART_ROWS
    breaks = []
    small_bottom = rows_height(ws, charts_row + CHART_ROWS - 1) + SMALL_PX * PT_PER_PX
    if fits_at_width(widths, small_bottom) and end > charts_row + small_rows:
        breaks.append(charts_row + small_rows)
    first = max(end + 3 + len(status_rows), charts_row + small_rows) + 1  # after the helper table
    breaks += _region_pages(wb, ws, region, len(form.regions), widths, first)
    ws.set_h_pagebreaks(breaks)


REGION_TITLE = "Giá trị hỗ trợ theo địa bàn (đồng)"
CHART_PX, SMALL_PX = 470, 300  # a chart's width in the 2 x 2 grid; the first row's height
ROW_PX = 20  # pixels the grid counts a row at (the rows it leaves under its charts)
PT_PER_PX = 72 / 96
REGION_LABEL_PT = 8  # the smallest printed size of a split region chart's labels
BAR_EMS = 2.4  # pixels a region takes on a chart, in pixels of its label's font size
CHART_FRAME_PX = 130  # a bar chart's title, value axis and its name, margins


def font_printing_at(printed_pt: float, widths: list[float]) -> int:
    """The whole font size (points) whose text prints at `printed_pt` or more on a sheet of
    these column widths (units) fitted to an A4 landscape page's width (`page_scales`)."""
    return math.ceil(printed_pt / page_scales(widths, 1.0)[0])


def _region_pages(
    wb: Workbook,
    ws: Worksheet,
    source: tuple[str, int, int, int],
    regions: int,
    widths: list[float],
    first: int,
) -> list[int]:
    """The region chart split into parts of consecutive regions, two side by side on each
    page from row `first` (0-based) on; returns the rows each page starts at (page breaks).

    A page's height in pixels comes from the scale that fits `widths` (units) to the page's
    width; the labels' font is chosen so that they print at REGION_LABEL_PT or more at that
    scale, and each region gets BAR_EMS of that font so LibreOffice labels every one."""
    across, _ = page_scales(widths, 1.0)
    page_px = (A4_POINTS[0] - (TOP_IN + BOTTOM_IN) * 72) / across / PT_PER_PX
    font = font_printing_at(REGION_LABEL_PT, widths)
    bar_px = BAR_EMS * font / PT_PER_PX
    row_px = ws.default_row_height  # XlsxWriter keeps heights in pixels
    per_chart = max(1, int((page_px - CHART_FRAME_PX - row_px) // bar_px))
    parts = -(-regions // per_chart)
    size = -(-regions // parts)  # parts of nearly equal size
    page_rows = int(page_px // row_px) - 1  # whole rows, one spare
    half = sum(w * 7 + 5 for w in widths) // 2 - 16  # two charts side by side, 8 px around each
    sheet, first_row, _total_row, column = source
    breaks = []
    for k in range(parts):
        lo, hi = k * size, min(regions, (k + 1) * size)
        ch = _chart(
            wb,
            "bar",
            f"{REGION_TITLE} - phần {k + 1}/{parts}",
            (sheet, first_row + lo, first_row + hi, column),
            "Giá trị (đồng)",
            "Địa bàn",
            font_pt=font,
        )
        ch.set_size({"width": half, "height": CHART_FRAME_PX + int(bar_px * size)})
        row = first + (k // 2) * page_rows
        if k % 2 == 0:
            breaks.append(row)
        ws.insert_chart(row, 0, ch, {"x_offset": 8 + (k % 2) * (half + 16), "y_offset": 4})
    return breaks


NOT_JUDGED_LABEL = "Trong đó chưa xét đúng hạn (hạn nộp chưa ấn định)"


def _status_counts(report: Report, status_ref: DetailRef) -> list[tuple[str, str, int]]:
    """(label, formula over the status sheet, cached count) of the units' status lines. On
    time and late (or not judged) break down the accepted units (only a file that counts is
    judged), so they follow that line, before the rejected and not sent ones."""
    n = len(report.units)
    units = report.units
    if is_pending(report.form.period.due_before):  # no deadline: no verdict, neither way
        timeliness = [
            (
                NOT_JUDGED_LABEL,
                status_ref.countif("on_time", NOT_JUDGED_VI),
                sum(u.file is not None for u in units),
            )
        ]
    else:
        timeliness = [
            (
                "Trong đó đúng hạn",
                status_ref.countif("on_time", ON_TIME_VI),
                sum(u.on_time is True for u in units),
            ),
            (
                "Trong đó trễ hạn",
                status_ref.countif("on_time", LATE_VI),
                sum(u.on_time is False for u in units),
            ),
        ]
        if any(u.dated_ahead for u in units):  # dated after the run's date: not judged
            timeliness.append(
                (
                    "Trong đó chưa xét (ngày gửi sau ngày tổng hợp)",
                    status_ref.countif("on_time", DATED_AHEAD_VI),
                    sum(u.dated_ahead for u in units),
                )
            )
    counts = [
        ("Số đơn vị phải báo cáo", status_ref.rows("code"), n),
        ("Số đơn vị đã gửi", status_ref.countif("submitted", SENT_VI), sum(u.submitted for u in units)),
        (
            "Số đơn vị được chấp nhận",
            status_ref.countif("status", UnitStatus.ACCEPTED.vi),
            report.count(UnitStatus.ACCEPTED),
        ),
        *timeliness,
        *(
            (label, status_ref.countif("status", s.vi), report.count(s))
            for label, s in (
                ("Số đơn vị bị từ chối", UnitStatus.REJECTED),
                ("Số đơn vị chưa gửi", UnitStatus.MISSING),
            )
        ),
    ]
    if n == 0:
        counts[0] = ("Số đơn vị phải báo cáo", "=0", 0)
    return counts


def _headline(ws: Worksheet, st: Styles, r: int, report: Report, refs: dict[str, DetailRef]) -> int:
    """The headline totals from row `r`, each a SUM over its detail column; the next row."""
    form = report.form
    rb, sb = form.support_block, form.resources_block
    res, src = refs[rb.key], refs[sb.key]
    head, turns, value, src_total = rb.headcount, rb.turns, rb.main_total, sb.main_total
    t = report.totals
    headline = [
        (f"Tổng số trẻ em được hỗ trợ ({rb.measure(head).unit})", res.rng(head), t.of(rb.key, head)),
        (
            f"Tổng số lượt trẻ em được hỗ trợ ({rb.measure(turns).unit})",
            res.rng(turns),
            t.of(rb.key, turns),
        ),
        ("Tổng giá trị hỗ trợ (đồng)", res.rng(value), t.of(rb.key, value)),
        ("Tổng nguồn lực đã vận động (đồng)", src.rng(src_total), t.of(sb.key, src_total)),
    ]
    ws.write_string(r, 0, "SỐ LIỆU TỔNG HỢP (các tệp được chấp nhận)", st.h2)
    for i, (label, rng, val) in enumerate(headline):
        ws.write_string(r + 1 + i, 0, label, st.cell)
        ws.write_formula(r + 1 + i, 1, f"=SUM({rng})", st.num_bold, val)
    return r + len(headline) + 2


def _fit_row(ws: Worksheet, row: int, text: str) -> None:
    """Grow `row` to the lines `text` takes in column A (Excel does not grow a row whose
    text wraps: the lines would be drawn over the rows around it)."""
    if wrapped_lines(text, LABEL_WIDTH) > 1:
        ws.set_row(row, wrapped_height(text, LABEL_WIDTH))


def _chase(ws: Worksheet, st: Styles, r: int, report: Report) -> int:
    """The units to chase (not accepted) from row `r`; the row below the list and a gap."""
    chase = [u for u in report.units if u.status != UnitStatus.ACCEPTED]
    ws.write_string(r, 0, f"ĐƠN VỊ CẦN ĐÔN ĐỐC ({len(chase)})", st.h2)
    for i, u in enumerate(chase):
        name = f"{u.name} ({u.code})"
        ws.write_string(r + 1 + i, 0, name, st.cell)
        _fit_row(ws, r + 1 + i, name)
        ws.write_string(r + 1 + i, 1, u.status_vi, st.bad if u.status == UnitStatus.REJECTED else st.warn)
    if not chase:
        ws.write_string(r + 1, 0, "Tất cả đơn vị đã gửi báo cáo hợp lệ.", st.good)
    return r + 2 + max(len(chase), 1)


def _chart(
    wb: Workbook,
    kind: str,
    title: str,
    source: tuple[str, int, int, int],
    x_title: str,
    y_title: str,
    font_pt: int = 8,
) -> Chart:
    """A chart of one column of a biểu: `source` is (sheet name, first data row, total row,
    value column), rows 0-based; the categories are the biểu's column B."""
    sheet, first_row, total_row, value_col = source
    name = q(sheet)
    column = col_letter(value_col)
    ch = wb.add_chart({"type": kind})
    series = {
        "name": title,
        "categories": f"={name}!$B${first_row + 1}:$B${total_row}",
        "values": f"={name}!${column}${first_row + 1}:${column}${total_row}",
    }
    if labels_for(kind):
        series["data_labels"] = {**labels_for(kind), "font": {"name": FONT, "size": font_pt}}
    ch.add_series(series)
    ch.set_title({"name": title, "name_font": {"name": FONT, "size": max(12, font_pt + 2)}})
    if kind != "pie":
        font = {"name": FONT, "size": font_pt}
        # in XlsxWriter a bar chart's x axis is the (horizontal) value axis
        name_font = {"name": FONT, "size": font_pt} if font_pt > 10 else {}
        value_axis = {"num_format": NUM, "num_font": font, "name_font": name_font}
        category_axis = {"num_font": font, "interval_unit": 1, "name_font": name_font}
        if kind == "bar":
            ch.set_x_axis({"name": x_title, **value_axis})
            ch.set_y_axis({"name": y_title, **category_axis, "reverse": True})
        else:
            ch.set_x_axis({"name": x_title, **category_axis})
            ch.set_y_axis({"name": y_title, **value_axis})
        ch.set_legend({"none": True})
    return ch


def _status_chart(
    wb: Workbook,
    ws: Worksheet,
    st: Styles,
    end: int,
    status_rows: dict[str, int],
    cached: dict[str, int],
    font_pt: int = 8,
) -> Chart:
    """The units' status as a column chart, over a small helper table written below row
    `end` (the four status cells are not contiguous); its labels and values in `font_pt`."""
    c4 = wb.add_chart({"type": "column"})
    labels = [
        "Trong đó đúng hạn",
        "Trong đó trễ hạn",
        NOT_JUDGED_LABEL,
        "Số đơn vị chưa gửi",
        "Số đơn vị bị từ chối",
    ]
    colours = dict(zip(labels, ("#70AD47", "#FFC000", "#5B9BD5", "#A5A5A5", "#C00000"), strict=True))
    labels = [label for label in labels if label in status_rows]  # on time and late, or not judged
    last = end + 2 + len(labels)
    ws.write_string(end + 1, 0, "Số liệu cho biểu đồ tình trạng nộp", st.label)
    for i, label in enumerate(labels):
        ws.write_string(
            end + 2 + i, 0, label.replace("Trong đó ", "").replace("Số đơn vị ", "").capitalize(), st.cell
        )
        ws.write_formula(end + 2 + i, 1, f"=B{status_rows[label] + 1}", st.num, cached[label])
    c4.add_series(
        {
            "name": "Tình trạng nộp báo cáo",
            "categories": f"={q(ws.name)}!$A${end + 3}:$A${last}",
            "values": f"={q(ws.name)}!$B${end + 3}:$B${last}",
            "data_labels": {"value": True, "font": {"name": FONT, "size": font_pt}},
            "points": [{"fill": {"color": colours[label]}} for label in labels],
        }
    )
    c4.set_title({"name": "Tình trạng nộp báo cáo (số đơn vị)", "name_font": {"name": FONT, "size": 12}})
    font = {"name": FONT, "size": font_pt}
    c4.set_x_axis({"name": "Tình trạng", "num_font": font, "name_font": font})
    c4.set_y_axis({"name": "Số đơn vị", "num_font": font, "name_font": font})
    c4.set_legend({"none": True})
    return c4
