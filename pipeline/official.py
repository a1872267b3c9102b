"""The Vietnamese official report form ("biểu") on an XlsxWriter worksheet.

Two-column header (agency left, national motto right), form number, title with the year
and period, unit of measure, numbered columns, a "Tổng cộng" row, place and date, and the
signature block; Times New Roman, A4 landscape, fit to one page wide, page numbers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from .form import Form, col_letter

FONT = "Times New Roman"
# Thousands grouped; the locale tag makes LibreOffice use Vietnamese separators (1.200.000).
NUM = "[$-42A]#,##0"


class Styles:
    """The formats of the consolidated workbook, created once per workbook."""

    def __init__(self, wb: Workbook) -> None:
        base = {"font_name": FONT, "font_size": 12, "valign": "vcenter"}
        self.base = base

        def f(**kw: object) -> object:
            return wb.add_format({**base, **kw})

        self.agency = f(align="center")
        self.agency_bold = f(align="center", bold=True)
        self.motto = f(align="center", bold=True)
        self.motto_sub = f(align="center", bold=True, underline=1)
        self.place_date = f(align="center", italic=True)
        self.form_no = f(align="right", bold=True)
        self.title = f(align="center", bold=True, font_size=14, text_wrap=True)
        self.subtitle = f(align="center", italic=True, text_wrap=True)
        self.unit_note = f(align="right", italic=True)
        self.head = f(bold=True, align="center", text_wrap=True, border=1, bg_color="#DDEBF7")
        self.colno = f(italic=True, align="center", border=1)
        self.cell = f(border=1, text_wrap=True)
        self.cell_center = f(border=1, align="center")
        self.num = f(border=1, num_format=NUM)
        self.num_bold = f(border=1, num_format=NUM, bold=True)
        self.pct = f(border=1, num_format='0.0"%"')
        self.total_label = f(border=1, bold=True, align="center")
        self.sign_title = f(align="center", bold=True)
        self.sign_note = f(align="center", italic=True)
        self.text = f(text_wrap=True, valign="top", border=1)
        self.label = f(bold=True)
        self.note = f(italic=True)
        self.date = f(border=1, num_format="dd/mm/yyyy", align="center")
        self.bad = f(border=1, font_color="#9C0006", bg_color="#FFC7CE", text_wrap=True)
        self.warn = f(border=1, font_color="#7F6000", bg_color="#FFEB9C", text_wrap=True)
        self.good = f(border=1, font_color="#006100", bg_color="#C6EFCE", text_wrap=True)
        self.h2 = f(bold=True, font_size=13)


@dataclass
class Column:
    label: str
    unit: str = ""
    width: float = 14


def text_height(text: str, width: float, min_lines: int = 1) -> float:
    """Row height (points) for wrapped `text` in a column `width` characters wide."""
    per_line = max(4, int(width * 1.1))
    lines = sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))
    return 16.0 * max(lines, min_lines)


def vn_date(d: dt.date) -> str:
    return f"ngày {d.day:02d} tháng {d.month:02d} năm {d.year}"


def header(ws: Worksheet, st: Styles, form: Form, ncols: int, run_date: dt.date) -> int:
    """Write the two-column official header; return the next free row (0-based)."""
    ag = form.agencies
    split = max(2, ncols // 2 - 1)
    last = ncols - 1
    ws.merge_range(0, 0, 0, split - 1, ag.get("province", ""), st.agency)
    ws.merge_range(1, 0, 1, split - 1, ag.get("department", ""), st.agency_bold)
    ws.merge_range(2, 0, 2, split - 1, ag.get("document_number", ""), st.agency)
    ws.merge_range(0, split, 0, last, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", st.motto)
    ws.merge_range(1, split, 1, last, "Độc lập - Tự do - Hạnh phúc", st.motto_sub)
    ws.merge_range(2, split, 2, last, f"{ag.get('place', '')}, {vn_date(run_date)}", st.place_date)
    return 4


def bieu(
    ws: Worksheet,
    st: Styles,
    form: Form,
    *,
    number: str,
    title: str,
    columns: list[Column],
    rows: list[tuple[list[str], list[tuple[str, int]]]],
    run_date: dt.date,
    unit_note: str = "ĐVT: người, lượt, đồng",
    total: bool = True,
    groups: list[tuple[str, int]] | None = None,
) -> tuple[int, int]:
    """Write a statistical form. `rows` are (label cells, [(formula, cached value)…]).

    `groups` puts a merged header row above the column labels: (label, number of value
    columns) in order, after the label columns. Returns the 0-based (first data row,
    total row) so callers can reference the cells.
    """
    ncols = len(columns)
    last = ncols - 1
    r = header(ws, st, form, ncols, run_date)
    ws.merge_range(r - 1, 0, r - 1, last, f"Biểu số {number}/TH", st.form_no)
    ws.merge_range(r, 0, r, last, f"{title} NĂM {form.year}", st.title)
    ws.set_row(r, 36)
    p = form.period
    ws.merge_range(
        r + 1,
        0,
        r + 1,
        last,
        f"(Số liệu tính từ ngày {p.start:%d/%m/%Y} đến ngày {p.end:%d/%m/%Y})",
        st.subtitle,
    )
    ws.merge_range(r + 2, 0, r + 2, last, unit_note, st.unit_note)
    head = r + 3
    nlabels = len(rows[0][0]) if rows else 2
    if groups:
        c = nlabels
        for label, span in groups:
            if span > 1:
                ws.merge_range(head, c, head, c + span - 1, label, st.head)
            else:
                ws.write_string(head, c, label, st.head)
            c += span
        for c in range(nlabels):
            ws.merge_range(head, c, head + 1, c, columns[c].label, st.head)
        ws.set_row(head, 22)
        head += 1
    ws.set_row(head, header_height(columns))
    for c, col in enumerate(columns):
        if groups and c < nlabels:
            continue
        ws.write_string(head, c, col.label + (f"\n({col.unit})" if col.unit else ""), st.head)
    for c, col in enumerate(columns):
        ws.write_string(head + 1, c, f"({c + 1})", st.colno)
        ws.set_column(c, c, col.width)
    first = head + 2
    for i, (labels, values) in enumerate(rows):
        rr = first + i
        nlabels = len(labels)
        for c, text in enumerate(labels):
            fmt = st.cell_center if c == 0 else st.cell
            ws.write_string(rr, c, text, fmt)
        for j, (formula, value) in enumerate(values):
            ws.write_formula(rr, nlabels + j, formula, st.num, value)
    total_row = first + len(rows)
    if total and rows:
        ws.merge_range(total_row, 0, total_row, nlabels - 1, "Tổng cộng", st.total_label)
        for j in range(len(rows[0][1])):
            c = nlabels + j
            letter = col_letter(c)
            value = sum(vals[j][1] for _, vals in rows)
            ws.write_formula(
                total_row,
                c,
                f"=SUM({letter}{first + 1}:{letter}{total_row})",
                st.num_bold,
                value,
            )
    end = total_row + (1 if total and rows else 0)
    signature(ws, st, form, end + 1, ncols, run_date)
    page_setup(ws, head, head + 1)
    ws.freeze_panes(first, nlabels)
    return first, total_row


def header_height(columns: list[Column]) -> float:
    """Row height (points) so that every wrapped column label shows in full."""
    lines = 1
    for col in columns:
        per_line = max(4, int(col.width * 1.05))
        words = col.label.split()
        n, used = 1, 0
        for w in words:
            if used and used + 1 + len(w) > per_line:
                n, used = n + 1, len(w)
            else:
                used += (1 if used else 0) + len(w)
        lines = max(lines, n + (1 if col.unit else 0))
    return 16.5 * lines + 4


def signature(ws: Worksheet, st: Styles, form: Form, row: int, ncols: int, run_date: dt.date) -> None:
    split = max(2, ncols // 2)
    last = ncols - 1
    ag = form.agencies
    ws.merge_range(row, split, row, last, f"{ag.get('place', '')}, {vn_date(run_date)}", st.place_date)
    ws.merge_range(row + 1, 0, row + 1, split - 1, "NGƯỜI LẬP BIỂU", st.sign_title)
    ws.merge_range(row + 2, 0, row + 2, split - 1, "(Ký, ghi rõ họ tên)", st.sign_note)
    ws.merge_range(row + 1, split, row + 1, last, ag.get("signer_title", "THỦ TRƯỞNG ĐƠN VỊ"), st.sign_title)
    ws.merge_range(row + 2, split, row + 2, last, "(Ký, đóng dấu, ghi rõ họ tên)", st.sign_note)


def page_setup(ws: Worksheet, repeat_from: int, repeat_to: int) -> None:
    ws.set_paper(9)  # A4
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.4, top=0.6, bottom=0.6)
    ws.repeat_rows(repeat_from, repeat_to)
    ws.set_footer('&C&"Times New Roman"Trang &P/&N')
    ws.center_horizontally()
