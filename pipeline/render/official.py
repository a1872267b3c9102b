"""The Vietnamese official report form ("biểu") on an XlsxWriter worksheet.

Two-column header (agency left, national motto right), form number, title with the year
and period, unit of measure, numbered columns, a "Tổng cộng" row, place and date, and the
signature block; Times New Roman, A4 landscape, fit to one page wide, page numbers.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from xlsxwriter.worksheet import Worksheet

from ..form import PENDING, Form, col_letter
from ..form.model import is_pending_text
from ..run.coverage import Coverage
from .style import (
    A4_POINTS,
    BOTTOM_IN,
    FOOTER_IN,
    LEFT_IN,
    RIGHT_IN,
    TOP_IN,
    Styles,
    page_setup,
    text_units,
    wrapped_height,
    wrapped_lines,
)


@dataclass
class Column:
    label: str
    unit: str = ""
    width: float = 14


def vn_date(d: dt.date) -> str:
    return f"ngày {d.day:02d} tháng {d.month:02d} năm {d.year}"


def fit_header(
    form: Form,
    widths: list[float],
    run_date: dt.date,
    number: str | None = None,
    typed: Mapping[str, str] | None = None,
) -> tuple[int, list[float]]:
    """Where the two header columns split, and column widths wide enough for both.

    Returns (index of the first right-hand column, widths). When the table is too narrow for
    the agency on the left and the national motto on the right, its right-hand columns are
    widened, so every header line prints whole at A4 (Nghị định 30/2020/NĐ-CP, Phụ lục I).
    `number`: the document's number printed under the agency (`document_number`); `typed`:
    the header's fields as the draft report prints them (`heading_lines`).
    """
    province, department, place = heading_lines(form, run_date, typed)
    left = (
        max(
            text_units(province),
            text_units(department, bold=True),
            text_units(document_number(form, number)),
        )
        + 2
    )
    right = (
        max(
            text_units(MOTTO, bold=True),
            text_units(MOTTO_SUB, bold=True),
            text_units(place),
        )
        + 2
    )
    widths = list(widths)
    half = sum(widths) / 2
    fits = [k for k in range(1, len(widths)) if sum(widths[:k]) >= left] or [len(widths) - 1]
    split = min(fits, key=lambda k: abs(sum(widths[:k]) - half))
    deficit = right - sum(widths[split:])
    if deficit > 0:
        n = len(widths) - split
        for c in range(split, len(widths)):
            widths[c] += deficit / n
    return split, widths


SIGN_DOTS = 15  # the dotted line of an unknown signer's title, and of the names to write, on a biểu
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_SUB = "Độc lập - Tự do - Hạnh phúc"


DOT = "…"  # one dot of a dotted line to write on (an ellipsis: 1 em wide in Times New Roman)
INLINE_DOTS = 10  # dots that stand for one value still "cần điền" inside a sentence
_PENDING_PART = re.compile(rf"\[\s*{PENDING}[^\]]*\]|{PENDING}", re.IGNORECASE)


def blanked(text: str) -> list[tuple[str, str]]:
    """`text` as printed on an official document: (part, hint) pairs in order, where each
    value the configuration still gives as "cần điền" (bare, or "[cần điền: what]") is a
    dotted part to write on and `hint` the words it replaced ("" for the text around it).
    No coloured field marks a blank on paper (Nghị định 30/2020/NĐ-CP prints blanks as dots)."""
    text = unicodedata.normalize("NFC", text)
    parts: list[tuple[str, str]] = []
    at = 0
    for m in _PENDING_PART.finditer(text):
        if m.start() > at:
            parts.append((text[at : m.start()], ""))
        parts.append((DOT * INLINE_DOTS, m.group(0).strip("[]").strip()))
        at = m.end()
    if at < len(text) or not parts:
        parts.append((text[at:], ""))
    return parts


def signer_line(text: str, what: str, dots: int) -> tuple[str, str]:
    """A line of the signature block (the signer's title, the signer's name): `text`, or a
    dotted line of `dots` dots when the configuration leaves it empty or "cần điền"; with
    the hint saying what to write there ("" when `text` is printed)."""
    if text.strip() and not is_pending_text(text):
        return text, ""
    return DOT * dots, f"{PENDING.capitalize()}: {what}"


def document_number(form: Form, typed: str | None = None) -> str:
    """The document's number as a heading prints it ("Số: …/BC-…", one line): `typed` (the
    number the officer typed on the draft report, `carried.FIELDS`) when given, else the
    configuration's `document_number`."""
    return typed.replace("\n", " ") if typed else form.agencies.get("document_number", "")


def place_date(form: Form, run_date: dt.date) -> str:
    return f"{form.agencies.get('place', '')}, {vn_date(run_date)}"


def heading_lines(
    form: Form, run_date: dt.date, typed: Mapping[str, str] | None = None
) -> tuple[str, str, str]:
    """(parent agency, issuing agency, place and date) as a biểu's heading prints them, each
    on one line: the officer's text on the draft report where they typed one (`typed`, keys
    of `carried.FIELDS`), else the configuration's and `run_date`."""
    typed = typed or {}
    ag = form.agencies
    return (
        " ".join((typed.get("province") or ag.get("province", "")).split("\n")),
        " ".join((typed.get("department") or ag.get("department", "")).split("\n")),
        " ".join((typed.get("place_date") or place_date(form, run_date)).split("\n")),
    )


def header(
    ws: Worksheet,
    st: Styles,
    form: Form,
    split: int,
    ncols: int,
    run_date: dt.date,
    number: str | None = None,
    typed: Mapping[str, str] | None = None,
) -> int:
    """Write the two-column official header, the right column from `split` (see fit_header),
    `number` as the document's number (`document_number`), `typed` the agencies, place and
    date the draft report prints (`heading_lines`); return the next free row (0-based)."""
    province, department, place = heading_lines(form, run_date, typed)
    last = ncols - 1
    merge(ws, 0, 0, split - 1, province, st.agency)
    merge(ws, 1, 0, split - 1, department, st.agency_bold)
    merge(ws, 2, 0, split - 1, document_number(form, number), st.agency)
    merge(ws, 0, split, last, MOTTO, st.motto)
    merge(ws, 1, split, last, MOTTO_SUB, st.motto_sub)
    merge(ws, 2, split, last, place, st.place_date)
    return 4


def merge(ws: Worksheet, row: int, first: int, last: int, text: str, fmt: object) -> None:
    """Text across columns `first`..`last` of `row` (one cell when they are the same:
    XlsxWriter refuses, and drops, a merge of a single cell)."""
    if first == last:
        ws.write_string(row, first, text, fmt)
    else:
        ws.merge_range(row, first, row, last, text, fmt)


def coverage_rows(ws: Worksheet, st: Styles, row: int, ncols: int, width: float, coverage: Coverage) -> int:
    """The 'data from n/N units; not yet: …' note on `row` when partial; return the next row."""
    if not coverage.partial:
        return row
    ws.merge_range(row, 0, row, ncols - 1, coverage.table_note, st.coverage)
    ws.set_row(row, wrapped_height(coverage.table_note, width, bold=True))
    return row + 1


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
    coverage: Coverage | None = None,
    typed: Mapping[str, str] | None = None,
    figures: dict[str, int] | None = None,
) -> tuple[int, int]:
    """Write a statistical form. `rows` are (label cells, [(formula, cached value)…]).

    `groups` puts a merged header row above the column labels: (label, number of value
    columns) in order, after the label columns. `coverage`, when partial, marks the title
    "sơ bộ" and prints which units are not in. `typed`: what the draft report prints in
    the fields an office fills, the officer's text where they typed one (key of
    `carried.FIELDS` -> text, `document.Carried.printed`: agencies, number, place and date,
    signer), printed in the heading and the signature block so the biểu signed with the
    report say the same (`header`, `signature`). `figures`, when given, gets each figure
    written, by A1 cell ("C11" -> 699): what the biểu print, checked by `pdf` before it
    prints the workbook. Returns the 0-based (first data row, total row) so callers can
    reference the cells.
    """
    figures = {} if figures is None else figures
    typed = typed or {}
    ncols = len(columns)
    last = ncols - 1
    title = form.programme_info.bieu_titles.get(number, title)  # [programme.bieu_titles]
    main_title = f"{title} NĂM {form.year}"
    widths = title_widths(number_widths([c.width for c in columns], rows, total), main_title)
    split, widths = fit_header(form, widths, run_date, typed.get("number"), typed)
    total_width = sum(widths)
    r = header(ws, st, form, split, ncols, run_date, typed.get("number"), typed)
    ws.merge_range(r - 1, 0, r - 1, last, f"Biểu số {number}/TH", st.form_no)
    full_title = title_lines(main_title, coverage.title(main_title) if coverage else main_title, total_width)
    ws.merge_range(r, 0, r, last, full_title, st.title)
    ws.set_row(r, wrapped_height(full_title, total_width, size=TITLE_PT, bold=True))
    p = form.period
    ws.merge_range(
        r + 1,
        0,
        r + 1,
        last,
        f"(Số liệu tính từ ngày {p.start:%d/%m/%Y} đến ngày {p.end:%d/%m/%Y})",
        st.subtitle,
    )
    r = coverage_rows(ws, st, r + 2, ncols, total_width, coverage) if coverage else r + 2
    ws.merge_range(r, 0, r, last, unit_note, st.unit_note)
    head = r + 1
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
    ws.set_row(head, header_height(columns, widths))
    for c, col in enumerate(columns):
        if groups and c < nlabels:
            continue
        ws.write_string(head, c, col.label + (f"\n({col.unit})" if col.unit else ""), st.head)
    for c in range(ncols):
        ws.write_string(head + 1, c, f"({c + 1})", st.colno)
        ws.set_column(c, c, widths[c])
    first = head + 2
    for i, (labels, values) in enumerate(rows):
        rr = first + i
        nlabels = len(labels)
        for c, text in enumerate(labels):
            fmt = st.cell_center if c == 0 else st.cell
            ws.write_string(rr, c, text, fmt)
        wraps = [(text, widths[c]) for c, text in enumerate(labels) if wrapped_lines(text, widths[c]) > 1]
        if wraps:  # a label that wraps in its column (Excel does not grow the row)
            ws.set_row(rr, max(wrapped_height(text, width) for text, width in wraps))
        for j, (formula, value) in enumerate(values):
            ws.write_formula(rr, nlabels + j, formula, st.num, value)
            figures[f"{col_letter(nlabels + j)}{rr + 1}"] = value
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
            figures[f"{letter}{total_row + 1}"] = value
    end = total_row + (1 if total and rows else 0)
    signed = signature(
        ws,
        st,
        form,
        end + 1,
        split,
        widths,
        run_date,
        typed.get("signer_title"),
        typed.get("signer_name"),
        heading_lines(form, run_date, typed)[2],
    )
    page_setup(
        ws, repeat=(head, head + 1), tall=1 if one_page(ws, widths, signed) else 0, footer_in=FOOTER_IN
    )
    ws.freeze_panes(first, nlabels)
    return first, total_row


NUMBER_PAD = 0.6  # column-width units around a number (cell margins, the border)
DIGIT_UNITS, SEPARATOR_UNITS = 1.14, 0.57  # Times New Roman 12 pt, bold too (`text_units`)


def number_widths(
    widths: list[float], rows: list[tuple[list[str], list[tuple[str, int]]]], total: bool
) -> list[float]:
    """`widths` with each value column widened to show its largest figure, the total (bold)
    included, grouped by thousands: Excel prints "###" for a number wider than its column
    (An Giang's totals reach tens of billions of đồng)."""
    if not rows:
        return widths
    out = list(widths)
    first = len(rows[0][0])
    for j in range(len(rows[0][1])):
        values = [vals[j][1] for _, vals in rows]
        biggest = max(abs(sum(values)) if total else 0, *(abs(v) for v in values))
        shown = f"{biggest:,}"  # as printed: digits grouped by a separator
        need = shown.count(",") * SEPARATOR_UNITS + (len(shown) - shown.count(",")) * DIGIT_UNITS
        out[first + j] = max(out[first + j], need + NUMBER_PAD)
    return out


TITLE_PT = 14  # a biểu's title, bold
TITLE_PAD = 4  # column-width units kept free beside the title (cell margins, measuring error)


def title_widths(widths: list[float], title: str) -> list[float]:
    """Column widths of a biểu widened, all but the first (STT) in proportion, so that its
    title (bold, TITLE_PT) prints on one line: a narrow biểu (B05's four columns) otherwise
    breaks its title in the middle of a phrase."""
    need = text_units(title, TITLE_PT, bold=True) + TITLE_PAD
    deficit = need - sum(widths)
    if deficit <= 0 or len(widths) < 2:
        return list(widths)
    rest = sum(widths[1:])
    return [widths[0], *(w + deficit * w / rest for w in widths[1:])]


def title_lines(title: str, full: str, width: float) -> str:
    """A biểu's title as printed: `full` (the title and any tag after it, such as
    "(SỐ LIỆU SƠ BỘ)") on one line when it fits in `width` units, else the tag on a line of
    its own under the title, never a word of it cut off at the end of a line."""
    if full == title or text_units(full, TITLE_PT, bold=True) + TITLE_PAD <= width:
        return full
    return f"{title}\n{full[len(title) :].strip()}"


def header_height(columns: list[Column], widths: list[float] | None = None) -> float:
    """Row height (points) so that every wrapped column label (bold) shows in full."""
    widths = widths or [c.width for c in columns]
    return max(
        wrapped_height(col.label + (f"\n({col.unit})" if col.unit else ""), w, bold=True)
        for col, w in zip(columns, widths, strict=True)
    )


SMALLEST_PT = 7  # the smallest text a printed form may shrink to to stay on one page (cells: 12 pt)


def rows_height(ws: Worksheet, last_row: int) -> float:
    """The height (points) of rows 0..`last_row` as written (the default height where unset).
    XlsxWriter keeps row heights in pixels (96 to the inch); a point is 4/3 of a pixel."""
    default = ws.default_row_height
    px = sum((ws.row_sizes.get(r) or [default])[0] or default for r in range(last_row + 1))
    return px * 72 / 96


def page_scales(widths: list[float], height: float) -> tuple[float, float]:
    """(scale that fits the content's width to an A4 landscape page, at most 1; scale that
    fits its `height` points): Excel's metrics, a column `w` units wide is 7w + 5 px, 96 px
    an inch."""
    width = sum(w * 7 + 5 for w in widths) * 72 / 96
    page_h, page_w = A4_POINTS  # landscape
    across = min(1.0, (page_w - (LEFT_IN + RIGHT_IN) * 72) / width)
    return across, (page_h - (TOP_IN + BOTTOM_IN) * 72) / max(height, 1.0)


def one_page_readable(widths: list[float], height: float, smallest: float = 12) -> bool:
    """Whether content of these column widths (units) and `height` (points) fits one A4
    landscape page at a readable size: fitted to the page's width and then, if still too
    tall, shrunk to its height, its smallest text (`smallest` points: 12 pt cells) prints
    at `SMALLEST_PT` or more."""
    return smallest * min(page_scales(widths, height)) >= SMALLEST_PT


def fits_at_width(widths: list[float], height: float) -> bool:
    """Whether content of these column widths and `height` points fits one A4 landscape
    page when fitted to the page's width only (as a sheet that runs over pages prints)."""
    across, down = page_scales(widths, height)
    return down >= across


def one_page(ws: Worksheet, widths: list[float], last_row: int) -> bool:
    """`one_page_readable` for rows 0..`last_row` of a form. A form that does not fit (a
    long list of communes) is fitted to the width only and runs over several pages, its
    heading repeated."""
    return one_page_readable(widths, rows_height(ws, last_row))


SIGN_ROOM_ROWS = 4  # empty rows left to sign in (about 2 cm at 15 pt a row)


def signature(
    ws: Worksheet,
    st: Styles,
    form: Form,
    row: int,
    split: int,
    widths: list[float],
    run_date: dt.date,
    title: str | None = None,
    name: str | None = None,
    place: str | None = None,
) -> int:
    """The signature block from `row`: place and date on the right; the preparer on the
    left and the signer's title on the right, each with what to do under it, room to sign,
    then a dotted line for the preparer's name and the signer's name (Nghị định
    30/2020/NĐ-CP, Phụ lục I: title, signature, full name); returns the last row written.

    The signer's `title` and `name` are the ones the officer typed on the draft report
    (`carried.FIELDS`; a title of several lines is one wrapped cell); without them, the
    configuration's title (or dots) and a dotted name line. `widths`: the form's column
    widths (units), `split` the first column of the right-hand side; `place` the place and
    date the draft report prints (`heading_lines`), else the configuration's and `run_date`."""
    last = len(widths) - 1
    ag = form.agencies
    merge(ws, row, split, last, place or place_date(form, run_date), st.place_date)
    merge(ws, row + 1, 0, split - 1, "NGƯỜI LẬP BIỂU", st.sign_title)
    merge(ws, row + 2, 0, split - 1, "(Ký, ghi rõ họ tên)", st.sign_note)
    if not title:
        title, _ = signer_line(ag.get("signer_title", "THỦ TRƯỞNG ĐƠN VỊ"), "chức danh người ký", SIGN_DOTS)
    merge(ws, row + 1, split, last, title, st.sign_title)
    right = sum(widths[split:])
    if wrapped_lines(title, right, bold=True) > 1:  # "KT. GIÁM ĐỐC" over "PHÓ GIÁM ĐỐC"
        ws.set_row(row + 1, wrapped_height(title, right, bold=True))
    merge(ws, row + 2, split, last, "(Ký, đóng dấu, ghi rõ họ tên)", st.sign_note)
    names = row + 3 + SIGN_ROOM_ROWS
    merge(ws, names, 0, split - 1, DOT * SIGN_DOTS, st.sign_title)
    merge(ws, names, split, last, name or DOT * SIGN_DOTS, st.sign_title)
    return names
