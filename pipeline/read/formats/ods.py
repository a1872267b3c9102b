"""Cell facts of an OpenDocument spreadsheet (.ods), from content.xml parsed with lxml.

Elements and attributes used (OpenDocument 1.2/1.3 Part 3, §9.1.2 table:table,
§9.1.3 table:table-row, §9.1.4 table:table-cell and table:covered-table-cell,
§19.615 table:number-rows-repeated, §19.600 table:number-columns-repeated,
§19.598/§19.618 table:number-columns-spanned and number-rows-spanned, §19.385
office:value-type, §19.643 table:formula). ODF has no error value type: LibreOffice marks an
error result with its own `calcext:value-type="error"` and shows the error as the cell's
text; a formula cell with neither an office:value-type nor any text carries no cached
result (an empty-text result is written as an empty <text:p/> with no value type).

The parse is incremental (iterparse, each row freed once read), so memory stays bounded by
one row; time is linear in the size of content.xml. Repeated rows and cells are counted
arithmetically, never expanded.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from ...form import col_letter
from ...text.values import UnreadDate, UnreadNumber, UnshownDate, iso_moment
from ..cellfacts import SAFE_PARSE_OPTIONS, SheetFacts, refuse_dtd

TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TABLE = f"{{{TABLE_NS}}}table"
_ROW = f"{{{TABLE_NS}}}table-row"
_CELL = f"{{{TABLE_NS}}}table-cell"
_COVERED = f"{{{TABLE_NS}}}covered-table-cell"
_SPREADSHEET = f"{{{OFFICE_NS}}}spreadsheet"
_NAME = f"{{{TABLE_NS}}}name"
_ROWS_REPEATED = f"{{{TABLE_NS}}}number-rows-repeated"
_COLS_REPEATED = f"{{{TABLE_NS}}}number-columns-repeated"
_COLS_SPANNED = f"{{{TABLE_NS}}}number-columns-spanned"
_ROWS_SPANNED = f"{{{TABLE_NS}}}number-rows-spanned"
_FORMULA = f"{{{TABLE_NS}}}formula"
_VALUE_TYPE = f"{{{OFFICE_NS}}}value-type"
_CALC_VALUE_TYPE = "value-type"  # local name of LibreOffice's calcext:value-type
_VALUE = f"{{{OFFICE_NS}}}value"
_NUMBER_TYPES = ("float", "percentage", "currency")  # office:value-type holding office:value
# office:value is an xsd:double (ODF 1.2 Part 1 §19.386; XML Schema 1.1 Part 2 §3.3.5: its
# white space collapsed, so spaces, tabs and line breaks around it are allowed). What it
# refuses, writers' slips ("140068000,0", "140,068,000", a no-break space, "140_068_000"
# that Python's float() takes), applications read each their own way
_XSD_DOUBLE = re.compile(
    r"^[ \t\r\n]*(?:[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?INF|NaN)[ \t\r\n]*$"
)
# what LibreOffice and Excel show for an error result of a formula
ERROR_TEXTS = ("#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#N/A", "#NUM!", "#NULL!", "Err:")


def _count(element: etree._Element, attr: str) -> int:
    value = element.get(attr)
    return int(value) if value and value.isdigit() else 1


def _has_value(cell: etree._Element) -> bool:
    """A cell holding a value or a formula (a style or an empty text does not count)."""
    return _FORMULA in cell.attrib or _VALUE_TYPE in cell.attrib or len(cell) > 0


def _error(cell: etree._Element) -> str | None:
    """The error a formula cell shows (#DIV/0!, Err:502), or None."""
    calc = next(
        (v for k, v in cell.attrib.items() if k.endswith("}" + _CALC_VALUE_TYPE) and k != _VALUE_TYPE), ""
    )
    text = "".join(cell.itertext()).strip()
    if calc == "error" or (_FORMULA in cell.attrib and text.startswith(ERROR_TEXTS)):
        return text[:20] or "#?"
    return None


class _Table:
    """The facts of one table as its rows stream past."""

    def __init__(self, name: str, full: bool = True) -> None:
        self.facts = SheetFacts(name)
        self.full = full  # False: the extent alone (a table the form does not read)
        self.row = 0  # 0-based index of the current row
        self.repeat = 1
        self.col = 0  # 0-based column of the next cell in the current row

    def start_row(self, element: etree._Element) -> None:
        self.repeat = _count(element, _ROWS_REPEATED)
        self.col = 0

    def end_row(self) -> None:
        self.row += self.repeat

    def cell(self, element: etree._Element) -> None:
        repeat = _count(element, _COLS_REPEATED)
        facts, row, col = self.facts, self.row, self.col
        self.col += repeat
        if not _has_value(element):
            return
        facts.rows = max(facts.rows, row + self.repeat)
        facts.columns = max(facts.columns, col + repeat)
        if element.tag != _CELL or not self.full:
            return
        a1 = f"{col_letter(col)}{row + 1}"
        span_cols, span_rows = _count(element, _COLS_SPANNED), _count(element, _ROWS_SPANNED)
        if span_cols > 1 or span_rows > 1:
            facts.merged.append(((row, col), (row + span_rows - 1, col + span_cols - 1)))
        kind = element.get(_VALUE_TYPE)
        if kind in ("date", "time"):  # calamine gives a time as text
            facts.numbers[a1] = cell_value(element)
        elif kind in _NUMBER_TYPES and not _XSD_DOUBLE.match(element.get(_VALUE) or "?"):
            facts.misread = True  # calamine reads it blank, or as Python would: our reader reads it
        if _FORMULA in element.attrib:
            # LibreOffice writes an empty-text result as no value type and an empty <text:p/>
            if _VALUE_TYPE not in element.attrib and not len(element):
                facts.no_value.add(a1)
            error = _error(element)
            if error:
                facts.errors[a1] = error


def ods_facts(content: bytes, wanted: Callable[[str], bool] | None = None) -> list[SheetFacts]:
    """Facts of every table of an ODS content.xml, in order; of a table `wanted` refuses
    (by its name), the extent alone (the value reader builds every table, so every extent
    is checked). Raises etree.XMLSyntaxError when it is not well-formed, UnsafeXML when it
    declares a DTD.

    rows/columns follow what calamine keeps: rows up to the last row with a value (a
    repeated row counts as often as it is repeated), columns up to a row's last value."""
    out: list[SheetFacts] = []
    table: _Table | None = None
    events = etree.iterparse(
        io.BytesIO(content),
        events=("start", "end"),
        tag=(_TABLE, _ROW, _CELL, _COVERED),
        remove_comments=True,
        remove_pis=True,
        **SAFE_PARSE_OPTIONS,
    )
    for event, element in events:
        tag = element.tag
        if tag == _TABLE:
            parent = element.getparent()
            top = parent is not None and parent.tag == _SPREADSHEET
            if event == "start" and top:
                name = element.get(_NAME) or f"#{len(out) + 1}"
                table = _Table(name, wanted is None or wanted(name))
                out.append(table.facts)
            elif top:
                table = None
                element.clear()
        elif table is None:
            continue
        elif tag == _ROW:
            if event == "start":
                table.start_row(element)
            else:
                table.end_row()
                element.clear()
                while element.getprevious() is not None:  # free the rows already read
                    del element.getparent()[0]
        elif event == "end":
            table.cell(element)
    refuse_dtd(events.root.getroottree())
    return out


def ods_extents(content: bytes) -> list[tuple[str, int, int]]:
    """(sheet name, rows, columns) of every table of an ODS content.xml."""
    return [(f.name, f.rows, f.columns) for f in ods_facts(content)]


# --- values, for a valid file python-calamine cannot read (Gnumeric writes whitespace
# between cells, which calamine 0.9 refuses) ---------------------------------------------
STYLE_NS = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_STYLE = f"{{{STYLE_NS}}}style"
_TABLE_PROPS = f"{{{STYLE_NS}}}table-properties"
_STYLE_NAME = f"{{{TABLE_NS}}}style-name"
_DISPLAY = f"{{{TABLE_NS}}}display"
_P = f"{{{TEXT_NS}}}p"
_S, _TAB, _BREAK = f"{{{TEXT_NS}}}s", f"{{{TEXT_NS}}}tab", f"{{{TEXT_NS}}}line-break"
_C = f"{{{TEXT_NS}}}c"
_ISO_DAY = re.compile(r"^(-?[0-9]{4,})-([0-9]{2})-([0-9]{2})")
_DURATION = re.compile(r"^-?P(?:([0-9.]+)D)?T?(?:([0-9.]+)H)?(?:([0-9.]+)M)?(?:([0-9.]+)S)?$")


@dataclass
class OdsBook:
    """The tables of a content.xml as python-calamine would give them."""

    names: list[str] = field(default_factory=list)
    hidden: set[str] = field(default_factory=set)
    rows: dict[str, list[list[Any]]] = field(default_factory=dict)  # wanted tables only


def _text(element: etree._Element) -> str:
    """A cell's text: its paragraphs joined by line breaks; text:s, text:tab and
    text:line-break give the characters they stand for, whitespace between elements none."""
    return "\n".join(_inline(p) for p in element.iter(_P))


def _inline(element: etree._Element) -> str:
    parts = [element.text or ""]
    for child in element:
        if child.tag == _S:
            parts.append(" " * _count(child, _C))
        elif child.tag == _TAB:
            parts.append("\t")
        elif child.tag == _BREAK:
            parts.append("\n")
        elif isinstance(child.tag, str):
            parts.append(_inline(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _date(raw: str) -> dt.date | UnshownDate:
    """An office:date-value (an xsd:date or xsd:dateTime) as written: a day alone is a
    date, as calamine gives it, with a time a naive datetime (a zone after it is ignored, as
    for an .xlsx date: `values.iso_moment`). A date no calendar shows (LibreOffice's
    32767-12-31 for a number past any date, Gnumeric's "") is an `UnshownDate`; one spelled
    past reading ("2025-02-30", "2025-11") an `UnreadDate`."""
    moment = iso_moment(raw)
    if moment is not None:
        return moment
    day = _ISO_DAY.match(raw)
    if not raw or (day and not 1 <= int(day.group(1)) <= 9999):
        return UnshownDate("/".join(reversed(day.groups())) if day else "#NUM!")
    return UnreadDate("/".join(reversed(day.groups())) if day else raw)


def cell_value(cell: etree._Element) -> Any:
    """The value of a table:table-cell as calamine gives it ("" for none)."""
    kind = cell.get(_VALUE_TYPE)
    if kind is None:
        return ""
    if kind in _NUMBER_TYPES:
        raw = cell.get(_VALUE)
        if raw is None or not _XSD_DOUBLE.match(raw):
            return UnreadNumber(raw or _text(cell).strip() or "(không có số)")
        return float(raw)
    if kind == "boolean":
        return cell.get(f"{{{OFFICE_NS}}}boolean-value", "").strip().lower() == "true"
    if kind == "date":
        return _date(cell.get(f"{{{OFFICE_NS}}}date-value", "").strip())
    if kind == "time":
        raw = cell.get(f"{{{OFFICE_NS}}}time-value", "").strip()
        m = _DURATION.match(raw)
        if m is None and raw and "-" not in raw.lstrip("-"):  # LibreOffice: PT-2147483648H… past any time
            return UnreadDate(raw)
        try:
            d, h, mi, s = (float(g or 0) for g in m.groups()) if m else ()
            return (-1 if raw.startswith("-") else 1) * dt.timedelta(days=d, hours=h, minutes=mi, seconds=s)
        except (ValueError, OverflowError):  # LibreOffice's PT-2147483648H00M00S past any time
            return UnshownDate("#NUM!")
    string = cell.get(f"{{{OFFICE_NS}}}string-value")
    return string if string is not None else _text(cell)


def ods_values(content: bytes, wanted: Callable[[str], bool]) -> OdsBook:
    """Every table's name and visibility, and the values of the tables whose name `wanted`
    accepts, from a content.xml that lxml parses. Repeated empty
    cells and rows are skipped arithmetically; repeated cells and rows holding a value are
    repeated (the extents were checked by `ods_facts` first). Raises as `ods_facts`."""
    book = OdsBook()
    hidden_styles: set[str] = set()
    grid: list[list[Any]] | None = None
    row: list[Any] = []
    row_no = repeat = pending = 0
    events = etree.iterparse(
        io.BytesIO(content),
        events=("start", "end"),
        tag=(_STYLE, _TABLE, _ROW, _CELL, _COVERED),
        remove_comments=True,
        remove_pis=True,
        **SAFE_PARSE_OPTIONS,
    )
    for event, element in events:
        tag = element.tag
        if tag == _STYLE:
            if event == "end":
                props = element.find(_TABLE_PROPS)
                if props is not None and props.get(_DISPLAY) == "false":
                    hidden_styles.add(element.get(f"{{{STYLE_NS}}}name", ""))
        elif tag == _TABLE:
            parent = element.getparent()
            if parent is None or parent.tag != _SPREADSHEET:
                continue
            if event == "start":
                name = element.get(_NAME) or f"#{len(book.names) + 1}"
                book.names.append(name)
                if element.get(_STYLE_NAME) in hidden_styles:
                    book.hidden.add(name)
                grid = [] if wanted(name) else None
                if grid is not None:
                    book.rows[name] = grid
                row_no = 0
            else:
                if grid is not None:
                    _square(grid)
                grid = None
                element.clear()
        elif grid is None:
            continue
        elif tag == _ROW:
            if event == "start":
                row, repeat, pending = [], _count(element, _ROWS_REPEATED), 0
            else:
                if row:
                    while len(grid) < row_no:
                        grid.append([])
                    grid.extend([row] + [list(row) for _ in range(repeat - 1)])
                row_no += repeat
                element.clear()
                while element.getprevious() is not None:
                    del element.getparent()[0]
        elif event == "end":
            value = cell_value(element) if tag == _CELL else ""
            n = _count(element, _COLS_REPEATED)
            if value == "":
                pending += n  # empty cells: placed only when a value follows them
            else:
                row.extend([""] * pending + [value] * n)
                pending = 0
            element.clear()
    refuse_dtd(events.root.getroottree())
    return book


def _square(grid: list[list[Any]]) -> None:
    """Rows trimmed of trailing blanks and padded to one width, as calamine gives them."""
    for line in grid:
        while line and line[-1] == "":
            line.pop()
    width = max((len(line) for line in grid), default=0)
    for line in grid:
        line.extend([""] * (width - len(line)))
