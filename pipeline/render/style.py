"""How every workbook the pipeline writes looks, in one place: font, number formats,
colours, the cell formats of each kind of sheet, page setups, row heights and cell
references.

Used by the templates (`template.py`, `livechecks.py`), the consolidated workbook
(`render/workbook.py`, `render/charts.py`, `render/yoy.py`, `render/official.py`) and the
feedback files (`render/feedback.py`, `render/feedback_source.py`). A set of formats (WORKBOOK,
TEMPLATE, CHECKS) maps a name to XlsxWriter format properties; `Styles(wb, SET)` creates them
in one workbook (XlsxWriter writes only the formats a cell uses). The feedback files are
written with openpyxl and take the font, colours and `openpyxl_page_setup` from here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

FONT = "Times New Roman"
# Thousands grouped; the locale tag makes LibreOffice use Vietnamese separators (1.200.000).
NUM = "[$-42A]#,##0"
DATE = "dd/mm/yyyy"

HEADER_FILL = "#DDEBF7"  # column headers
INPUT_FILL = "#FFF9E5"  # cells a unit fills in
ERROR_FILL, ERROR_FONT = "#FFC7CE", "#9C0006"  # red: errors, rejected
WARNING_FILL, WARNING_FONT = "#FFEB9C", "#9C5700"  # yellow: warnings, missing
GOOD_FILL, GOOD_FONT = "#C6EFCE", "#006100"  # green: accepted
ALERT_FONT = "#C00000"  # text that asks for attention
LINK_FONT = "#0563C1"

Props = dict[str, Any]


CELL_PT = 12  # the workbook's text (`_base`)


def _base(size: int = CELL_PT, **props: Any) -> Props:
    return {"font_name": FONT, "font_size": size, "valign": "vcenter", **props}


_HEADER = {"bold": True, "align": "center", "text_wrap": True, "border": 1, "bg_color": HEADER_FILL}
_COLNO = {"italic": True, "align": "center", "border": 1}
_TOTAL_LABEL = {"bold": True, "border": 1, "align": "center"}
_INPUT = {"border": 1, "locked": False, "bg_color": INPUT_FILL}

WORKBOOK: dict[str, Props] = {  # the consolidated workbook: biểu, dashboard, lists, detail
    "agency": _base(align="center"),
    "agency_bold": _base(align="center", bold=True),
    "motto": _base(align="center", bold=True),
    "motto_sub": _base(align="center", bold=True, underline=1),
    "place_date": _base(align="center", italic=True),
    "form_no": _base(align="right", bold=True),
    "title": _base(align="center", bold=True, font_size=14, text_wrap=True),
    "subtitle": _base(align="center", italic=True, text_wrap=True),
    "unit_note": _base(align="right", italic=True),
    "head": _base(**_HEADER),
    "colno": _base(**_COLNO),
    "cell": _base(border=1, text_wrap=True),
    "cell_center": _base(border=1, align="center"),
    "cell_center_wrap": _base(border=1, align="center", text_wrap=True),
    "num": _base(border=1, num_format=NUM),
    "num_bold": _base(border=1, num_format=NUM, bold=True),
    "pct": _base(border=1, num_format='0.0"%"'),
    "total_label": _base(**_TOTAL_LABEL),
    "sign_title": _base(align="center", bold=True, text_wrap=True),  # a title of two lines
    "sign_note": _base(align="center", italic=True),
    "text": _base(text_wrap=True, valign="top", border=1),
    "label": _base(bold=True),
    "note": _base(italic=True),
    "note_wrap": _base(italic=True, text_wrap=True, valign="top"),
    "date": _base(border=1, num_format=DATE, align="center"),
    "bad": _base(border=1, font_color=ERROR_FONT, bg_color=ERROR_FILL, text_wrap=True),
    "warn": _base(border=1, font_color=WARNING_FONT, bg_color=WARNING_FILL, text_wrap=True),
    "good": _base(border=1, font_color=GOOD_FONT, bg_color=GOOD_FILL, text_wrap=True),
    "h2": _base(bold=True, font_size=13),
    "coverage": _base(bold=True, italic=True, font_color=ALERT_FONT, text_wrap=True, align="left"),
}

TEMPLATE: dict[str, Props] = {  # a blank template's sheets
    "title": _base(bold=True, font_size=13, align="center", text_wrap=True),
    "sub": _base(italic=True, align="center"),
    "label": _base(text_wrap=True, border=1),
    "label_bold": _base(bold=True, text_wrap=True, border=1),
    "header": _base(**_HEADER),
    "colno": _base(**_COLNO),
    "stt": _base(align="center", border=1),
    "input_num": _base(**_INPUT, num_format=NUM),
    "input_text": _base(**_INPUT, text_wrap=True),
    # a short text the unit types (a name, a phone number) kept as typed: "0912345678" in a
    # General cell became the number 912345678, its 0 lost (brk39 F5)
    "input_typed": _base(**_INPUT, text_wrap=True, num_format="@"),
    "input_date": _base(**_INPUT, num_format=DATE),
    "locked_value": _base(border=1, bold=True, bg_color="#EEEEEE"),
    "formula": _base(border=1, num_format=NUM, bold=True),
    "total_label": _base(**_TOTAL_LABEL),
    "text": _base(text_wrap=True, valign="top"),
    "text_bold": _base(bold=True, text_wrap=True),
    "end_mark": _base(italic=True, font_color="#808080"),  # the end marks under the columns
}

CHECKS: dict[str, Props] = {  # the template's live checks, beside the input cells (11 pt)
    "head": _base(11, bold=True, text_wrap=True, border=1, bg_color="#E2EFDA"),
    "count": _base(11, align="center", border=1, font_color=ALERT_FONT),
    "text": _base(11, text_wrap=True, border=1, font_color=ALERT_FONT),
    "summary": _base(11, bold=True, text_wrap=True, border=2),
    "declare_label": _base(11, italic=True, text_wrap=True),
    "declare_input": _base(11, **_INPUT, align="center"),
    # conditional formats: only the colours, over the cell's own font
    "error_fill": {"bg_color": ERROR_FILL, "font_color": ERROR_FONT},
    "warning_fill": {"bg_color": WARNING_FILL, "font_color": WARNING_FONT},
}


class Styles:
    """One set of formats (WORKBOOK, TEMPLATE or CHECKS) created in one workbook; each
    format is the attribute of its name (`st.num`)."""

    def __init__(self, wb: Workbook, formats: dict[str, Props] = WORKBOOK) -> None:
        self._formats = {name: wb.add_format(props) for name, props in formats.items()}

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["_formats"][name]
        except KeyError:
            raise AttributeError(name) from None


LEFT_IN, RIGHT_IN, TOP_IN, BOTTOM_IN = 0.5, 0.4, 0.6, 0.6  # page margins (inches)
# The footer's distance from the page's edge (inches) on a biểu fitted to one page, inside
# the bottom margin with room for its 12 pt line: LibreOffice takes a footer that does not
# fit between it and the bottom margin out of the page's body after fitting the sheet, and
# then drops the page's last rows (0.3", XlsxWriter's default, printed biểu B02 of a partial
# set without its signer's name). Other sheets keep the default: the overview's charts,
# drawn over the cells, would then reach the footer's line.
FOOTER_IN = 0.2
A4_POINTS = (595.3, 841.9)  # width, height (ISO 216: 210 x 297 mm)


def page_setup(
    ws: Worksheet,
    *,
    landscape: bool = True,
    repeat: tuple[int, int] | None = None,
    page_numbers: bool = True,
    tall: int = 0,
    smallest_pt: float = 0,
    repeat_columns: tuple[int, int] | None = None,
    footer_in: float = 0.3,
) -> None:
    """A4, fit to one page wide (and to `tall` pages tall; 0: as many as it takes), the
    office's margins; `repeat` (first, last 0-based row) printed atop every page;
    "Trang n/N" centred in the footer.

    `smallest_pt` (a sheet too wide for one readable page, such as a detail sheet): printed
    at the scale that keeps its 12 pt text at `smallest_pt` points or more, over as many
    pages across and down as it takes, across first, `repeat_columns` (first, last 0-based
    column) at the left of every page. `footer_in`: the footer's distance from the page's
    edge (inches; 0.3, XlsxWriter's default, or `FOOTER_IN` for a form fitted to one page)."""
    ws.set_paper(9)  # A4
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    if smallest_pt:
        ws.set_print_scale(math.ceil(100 * smallest_pt / CELL_PT))
        ws.print_across()
    else:
        ws.fit_to_pages(1, tall)
    ws.set_margins(left=LEFT_IN, right=RIGHT_IN, top=TOP_IN, bottom=BOTTOM_IN)
    if repeat is not None:
        ws.repeat_rows(*repeat)
    if repeat_columns is not None:
        ws.repeat_columns(*repeat_columns)
    if page_numbers:
        # 12 pt, not shrunk with a page fitted to it (Excel: scaleWithDoc); LibreOffice
        # shrinks it still, to SMALLEST_PT at the smallest scale a form prints at (it printed
        # at 6.5 pt on a biểu at 60 %)
        ws.set_footer(f'&C&"{FONT}"&12Trang &P/&N', {"scale_with_doc": False, "margin": footer_in})


def openpyxl_page_setup(ws: Any) -> None:
    """The same for an openpyxl worksheet (the feedback sheet): A4 landscape, one page wide."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


SPACE_UNITS = 0.57  # a space of Times New Roman 12 pt, in column-width units (see `text_units`)


def text_units(text: str, size: float = 12, bold: bool = False) -> float:
    """Approximate printed width of one line of Times New Roman text, in column-width units.

    A column-width unit is the width of "0" in the workbook's default font (Calibri 11,
    7 px at 96 px an inch: 5.25 pt), as Excel measures it; the factors per kind of
    character were measured on LibreOffice's PDF output with Carlito, Calibri's metric
    twin (Times New Roman 12 pt: "n" 6.0 pt, "H" 8.7 pt, "0" 6.0 pt, a space 3.0 pt; a
    Vietnamese lowercase word about 5.3 pt a letter; bold: "H" 9.3 pt, lowercase about a
    tenth wider).
    """
    units = 0.0
    for ch in text:
        if ch == " ":
            units += SPACE_UNITS
        elif ch.isupper():
            units += 1.75 if bold else 1.55
        elif ch.isdigit():
            units += 1.14
        else:
            units += 1.1 if bold else 1.0
    return units * size / 12


@lru_cache(maxsize=8192)  # the detail sheets repeat the same names and file names on many rows
def wrapped_lines(
    text: str, width: float, size: float = 12, bold: bool = False, hyphens: bool = False
) -> int:
    """How many lines `text` takes wrapped at its spaces in cells `width` units wide (a
    word wider than a line takes as many lines as it spans); with `hyphens`, at its hyphens
    too, as a file name or a code scheme ("899-UBND-Huyen-...") wraps."""
    if hyphens:
        text = text.replace("-", "- ")
    per_line = max(4.0, width - 2)
    space = SPACE_UNITS * size / 12
    lines = 0
    for part in text.split("\n"):
        n, used = 1, 0.0
        for word in part.split(" "):
            w = text_units(word, size, bold)
            if used and used + space + w > per_line:
                n, used = n + 1, w
            else:
                used += (space if used else 0) + w
            while used > per_line:  # Excel breaks a word longer than the line
                n, used = n + 1, used - per_line
        lines += n
    return lines


def wrapped_height(
    text: str, width: float, size: float = 12, bold: bool = False, hyphens: bool = False
) -> float:
    """Row height (points) for `text` wrapped in merged cells `width` units wide (at its
    hyphens too with `hyphens`, see `wrapped_lines`)."""
    return wrapped_lines(text, width, size, bold, hyphens) * size * 1.35 + 4


def text_height(text: str, width: float, min_lines: int = 1) -> float:
    """Row height (points) for wrapped `text` (a file name breaks at its hyphens) in a
    column `width` units wide, 16 pt a line."""
    return 16.0 * max(wrapped_lines(text, width, hyphens=True), min_lines)


def q(sheet: str) -> str:
    """A sheet name as a formula or link names it: 'B01 Theo nội dung' (quotes doubled)."""
    return "'" + sheet.replace("'", "''") + "'"


def sheet_ref(sheet: str, cell: str) -> str:
    """A cell of a sheet in a formula or a link: 'Kết quả'!E12."""
    return f"{q(sheet)}!{cell}"


@dataclass
class DetailRef:
    """Where a detail sheet keeps each column, for SUMIFS formulas."""

    sheet: str
    columns: dict[str, str]  # field -> column letter
    first: int  # 1-based first data row
    last: int  # 1-based last data row (>= first)

    def rng(self, key: str) -> str:
        c = self.columns[key]
        return f"{q(self.sheet)}!${c}${self.first}:${c}${self.last}"

    def rows(self, key: str) -> str:
        """=ROWS(range): how many records (the sheet's rows, filled or not)."""
        return f"=ROWS({self.rng(key)})"

    def countif(self, key: str, value: str) -> str:
        """=COUNTIF(range,"value"): how many records hold `value` in column `key`."""
        return f"=COUNTIF({self.rng(key)},{_literal(value)})"

    def sumifs(self, measure: str, criteria: dict[str, str]) -> str:
        parts = [self.rng(measure)]
        for key, value in criteria.items():
            parts += [self.rng(key), _literal(value)]
        return f"=SUMIFS({','.join(parts)})"


def _literal(text: str) -> str:
    """A string literal in a formula: "text" (quotes doubled)."""
    return '"' + text.replace('"', '""') + '"'
