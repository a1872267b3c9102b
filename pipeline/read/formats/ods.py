"""Cell facts of an OpenDocument spreadsheet (.ods), from content.xml parsed with lxml.

Elements and attributes used (OpenDocument 1.2/1.3 Part 3, §9.1.2 table:table,
§9.1.3 table:table-row, §9.1.4 table:table-cell and table:covered-table-cell,
§19.615 table:number-rows-repeated, §19.600 table:number-columns-repeated,
§19.598/§19.618 table:number-columns-spanned and number-rows-spanned, §19.385
office:value-type, §19.643 table:formula). ODF has no error value type: LibreOffice marks an
error result with its own `calcext:value-type="error"` and shows the error as the cell's
text; a formula cell with neither an office:value-type nor any text carries no cached
result (an empty-text result is written as an empty <text:p/> with no value type). A cell
that is no formula and has text but no value type (simple ODF generators write text so) is
text, as LibreOffice shows it; calamine reads it blank, so the facts carry it
(`SheetFacts.cells`, `untyped_text`). Every other formula cell holds a stored result
(`SheetFacts.results`).

The parse is incremental (iterparse, each row freed once read), so memory stays bounded by
one row; time is linear in the size of content.xml. Repeated rows and cells are counted
arithmetically, never expanded.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import operator
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from lxml import etree

from ...form import col_letter
from ...text.values import (
    DAY_ZERO,
    HiddenNumber,
    PercentShown,
    ScientificShown,
    UnreadDate,
    UnreadNumber,
    UnshownDate,
    iso_moment,
    show,
)
from ..cellfacts import SAFE_PARSE_OPTIONS, SheetFacts, refuse_dtd
from .numfmt import Scaling, Scientific, scaling_of, scientific_hides, shown_scaled

TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
STYLE_NS = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
NUMBER_NS = "urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"
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


# --- cell styles whose data style shows a date or a time ----------------------------------
# A cell's table:style-name names a style:style of family table-cell (content.xml's
# office:automatic-styles, or styles.xml's office:styles), whose style:data-style-name names
# its data style (ODF 1.2 Part 1 §16.27: number:date-style §16.27.10, number:time-style
# §16.27.18), or which inherits one from its style:parent-style-name; a cell without a style
# takes its row's, else its column's table:default-cell-style-name (§19.615), and a style
# without any data style the style:default-style of the family. python-calamine gives a
# number cell under such a style as the plain number, where LibreOffice shows a date ("361"
# as 26/12/1900) or a time: those cells are found here and read as the date or duration shown.
#
# A data style may switch by the cell's value: each style:map child (§16.3, attributes
# style:condition §19.467 and style:apply-style-name §19.469) names the data style shown when
# its condition holds, the first that holds wins, else the style itself shows the value.
# LibreOffice writes them for conditional codes (`[>=100]dd/mm/yyyy;#,##0` is a number style
# whose map `value()>=100` applies a date style) and for signed sections (`#,##0;[RED]-#,##0`).
# It reads them as xmloff's SvXMLNumFormatContext::AddCondition does, into one code of
# sections, "[condition]code;[condition]code;code" (svl's SvNumberformat), and the
# LibreOffice 7 here shows a file's cells accordingly (tests/test_ods_maps.py checks each
# case against its display): a map whose condition does not start with "value()", or whose
# applied style is not defined in the mapping style's own part (content.xml or styles.xml),
# is left out; "value()" then an operator (<, >, <=, >=, =, != or <>) and a number, spaces
# allowed between them, is a condition; an operator followed by no number leaves the
# section without a condition, which takes svl's default for its place (>=0 for the only
# map; >0 then <0 for two); a text style's third map takes every other number (the third
# section of `0;-0;"-";@`). Anything else, more than two maps (svl keeps two conditions), or
# a map applying a style with maps of its own (LibreOffice writes none) makes LibreOffice
# refuse the code and show the cell as a plain number.
DATE, TIME, PERCENT = "date", "time", "percent"  # PERCENT: a number:percentage-style (brk15)
HIDDEN = "hidden"  # a number or currency style showing no digit (`;;;`)
Look = str | Scaling | Scientific  # "", DATE, TIME, PERCENT, or how a number is shown otherwise


def _whole(text: str) -> int:
    """A count attribute's value (number:decimal-places), 0 when it is none."""
    return int(text) if text.isdigit() else 0


_STYLE = f"{{{STYLE_NS}}}style"
_DEFAULT_STYLE = f"{{{STYLE_NS}}}default-style"
_DATE_STYLE, _TIME_STYLE = f"{{{NUMBER_NS}}}date-style", f"{{{NUMBER_NS}}}time-style"
_OTHER_DATA_STYLES = tuple(
    f"{{{NUMBER_NS}}}{local}"
    for local in ("number-style", "currency-style", "percentage-style", "boolean-style", "text-style")
)
_DATA_STYLES = (_DATE_STYLE, _TIME_STYLE, *_OTHER_DATA_STYLES)
_TEXT_STYLE = _OTHER_DATA_STYLES[-1]
_PERCENT_STYLE = _OTHER_DATA_STYLES[2]
_SCALABLE_STYLES = _OTHER_DATA_STYLES[:2]  # number and currency styles
_NUMBER_PART, _TEXT_PART = f"{{{NUMBER_NS}}}number", f"{{{NUMBER_NS}}}text"
_SCIENTIFIC_PART = f"{{{NUMBER_NS}}}scientific-number"
_DIGIT_PARTS = (_NUMBER_PART, _SCIENTIFIC_PART, f"{{{NUMBER_NS}}}fraction")  # what shows a number's digits
_DISPLAY_FACTOR = f"{{{NUMBER_NS}}}display-factor"
_TEXT_PROPERTIES = f"{{{STYLE_NS}}}text-properties"
_DECIMAL_PLACES = f"{{{NUMBER_NS}}}decimal-places"
_GROUPING = f"{{{NUMBER_NS}}}grouping"
_MIN_INTEGER_DIGITS = f"{{{NUMBER_NS}}}min-integer-digits"
_MIN_DECIMAL_PLACES = f"{{{NUMBER_NS}}}min-decimal-places"
_EMBEDDED_TEXT, _POSITION = f"{{{NUMBER_NS}}}embedded-text", f"{{{NUMBER_NS}}}position"
_CURRENCY_PART = f"{{{NUMBER_NS}}}currency-symbol"
_MAP = f"{{{STYLE_NS}}}map"
_CONDITION, _APPLY = f"{{{STYLE_NS}}}condition", f"{{{STYLE_NS}}}apply-style-name"
_STYLE_NAME_ATTR, _FAMILY = f"{{{STYLE_NS}}}name", f"{{{STYLE_NS}}}family"
_PARENT, _DATA_STYLE = f"{{{STYLE_NS}}}parent-style-name", f"{{{STYLE_NS}}}data-style-name"
_STYLE_TAGS = (_STYLE, _DEFAULT_STYLE, *_DATA_STYLES)
_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
    "=": operator.eq,
    "!=": operator.ne,
    "<>": operator.ne,
}
_OPERATOR = re.compile(r"\s*(<=|>=|<>|!=|<|>|=)\s*")
_LIMIT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\s*$")
_MAX_MAPS = 2  # svl's SvNumberformat keeps two conditions
_COLUMN = f"{{{TABLE_NS}}}table-column"
_ROW_GROUPS = tuple(
    f"{{{TABLE_NS}}}{local}" for local in ("table-rows", "table-header-rows", "table-row-group")
)
_STYLE_NAME = f"{{{TABLE_NS}}}style-name"
_DEFAULT_CELL_STYLE = f"{{{TABLE_NS}}}default-cell-style-name"
_MAX_POSITIONS = 1 << 16  # repeated cells noted one by one; past it the own reader reads the file


@dataclass(frozen=True, slots=True)
class Choice:
    """What a data style with maps shows of a number: the `shows` ("", DATE, TIME, PERCENT
    or a `Scaling`) of the first of `maps` (compare, limit, shows) whose
    `compare(number, limit)` holds, else `otherwise` (the style's own)."""

    maps: tuple[tuple[Callable[[float, float], bool], float, Look], ...]
    otherwise: Look

    def pick(self, number: float) -> Look:
        """ "", DATE, TIME, PERCENT or a `Scaling` for `number`, as LibreOffice picks the
        section."""
        for compare, limit, shows in self.maps:
            if compare(number, limit):
                return shows
        return self.otherwise


Shows = Look | Choice  # "", DATE, TIME, PERCENT, a Scaling, a Scientific, or a Choice by the value


def shown_as(shows: Shows, number: float) -> Look:
    """ "", DATE, TIME, PERCENT or a `Scaling`: what a data style's verdict `shows` (a
    DatedStyles value) shows of `number`."""
    return shows.pick(number) if isinstance(shows, Choice) else shows


def _style_scaling(style: etree._Element) -> Scaling | None:
    """How a number or currency data style shows another number than the cell's
    (`numfmt.scaling_of`): its number:number's number:display-factor (ODF 1.2 Part 1
    §19.346; LibreOffice divides by the whole thousands nearest to it: 10 by none, 100 and
    1500 by 1000), decimal places, grouping and number:embedded-text (§16.27.4: a digit
    written at number:position among the number's), the texts shown before and after it
    (number:text §16.27.26, number:currency-symbol: `#,##0".000"` is written as the number
    then a text ".000"); None when it shows the cell's number."""
    parts = [child for child in style if child.tag not in (_MAP, _TEXT_PROPERTIES)]
    at = next((i for i, child in enumerate(parts) if child.tag == _NUMBER_PART), None)
    if at is None:
        return None
    number = parts[at]
    try:
        factor = float(number.get(_DISPLAY_FACTOR, "1"))
        decimals = int(number.get(_DECIMAL_PLACES, "0"))
        least = int(number.get(_MIN_DECIMAL_PLACES, str(decimals)))
    except ValueError:
        return None
    thousands = max(round(math.log10(factor) / 3), 0) if math.isfinite(factor) and factor > 0 else 0
    prefix = "".join(_part_text(child) for child in parts[:at])
    suffix = "".join(_part_text(child) for child in parts[at + 1 :])
    inside, right = "", 0
    for embedded in number.iterchildren(_EMBEDDED_TEXT):
        text = embedded.text or ""
        place = embedded.get(_POSITION, "0")
        if not (any(ch.isdigit() for ch in text) or "," in text) or not place.isdigit():
            continue  # neither digits nor a decimal comma a Vietnamese reader reads (brk31 F5)
        if int(place) == 0 and decimals == 0:
            suffix = text + suffix  # right after the number's last digit
        else:
            inside, right = inside + text, right or int(place)
    return scaling_of(
        1000 ** min(thousands, 100),
        max(decimals, 0),
        number.get(_GROUPING) == "true",
        prefix,
        suffix,
        min_decimals=max(least, 0),
        inside=inside,
        inside_right=right,
        min_integer=_whole(number.get(_MIN_INTEGER_DIGITS, "0")),
    )


def _part_text(part: etree._Element) -> str:
    """What one child of a data style shows beside the number: a number:text's text, a
    currency symbol; nothing for the rest (a fill character, a map)."""
    return (part.text or "") if part.tag in (_TEXT_PART, _CURRENCY_PART) else ""


@dataclass
class CellStyles:
    """The cell styles and data styles of one part (or two merged)."""

    # data style -> DATE, TIME, PERCENT or how it shows another number (a Scaling, a Scientific)
    data: dict[str, Look] = field(default_factory=dict)
    cells: dict[str, tuple[str, str]] = field(default_factory=dict)  # style -> (data style, parent)
    # data style -> its style:map children, (condition, applied style), in order
    maps: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    defined: set[str] = field(default_factory=set)  # every data style's name
    texts: set[str] = field(default_factory=set)  # the number:text-style ones

    def add(self, element: etree._Element) -> None:
        """Note one element of `_STYLE_TAGS` (others are ignored)."""
        tag = element.tag
        if tag in _DATA_STYLES:
            name = element.get(_STYLE_NAME_ATTR, "")
            self.defined.add(name)
            if tag == _TEXT_STYLE:
                self.texts.add(name)
            if tag == _DATE_STYLE or tag == _TIME_STYLE:
                self.data[name] = DATE if tag == _DATE_STYLE else TIME
            elif tag == _PERCENT_STYLE:  # a float cell under it shows 100 times it with "%"
                self.data[name] = PERCENT
            elif tag in _SCALABLE_STYLES and next(element.iterchildren(*_DIGIT_PARTS), None) is None:
                self.data[name] = HIDDEN  # text alone, or nothing: no digit shown (brk31 F2)
            elif tag in _SCALABLE_STYLES and (scientific := element.find(_SCIENTIFIC_PART)) is not None:
                self.data[name] = Scientific(_whole(scientific.get(_DECIMAL_PLACES, "0")))
            elif tag in _SCALABLE_STYLES and (scaling := _style_scaling(element)) is not None:
                self.data[name] = scaling  # shows another number than the cell's (brk22 F4)
            maps = tuple((m.get(_CONDITION, ""), m.get(_APPLY, "")) for m in element.iterchildren(_MAP))
            if maps:
                self.maps[name] = maps
        elif element.get(_FAMILY) == "table-cell":
            name = "" if tag == _DEFAULT_STYLE else element.get(_STYLE_NAME_ATTR, "")
            self.cells[name] = (element.get(_DATA_STYLE, ""), element.get(_PARENT, ""))

    def over(self, common: CellStyles) -> DatedStyles:
        """The styles of these (content.xml's automatic ones) over those of `common`
        (styles.xml's): a name of these wins over the same name of `common`."""
        return DatedStyles(
            common.cells | self.cells,
            common.data | self.data,
            common.reachable() | self.reachable(),
            common.texts | self.texts,
        )

    def reachable(self) -> dict[str, tuple[tuple[str, str], ...]]:
        """The maps whose applied style this part defines: LibreOffice looks the name up
        among the styles of the mapping style's own part and leaves the map out otherwise."""
        return {name: tuple(m for m in maps if m[1] in self.defined) for name, maps in self.maps.items()}


def _conditions(
    maps: tuple[tuple[str, str], ...], styles: DatedStyles, text: bool
) -> list[tuple[Callable[[float, float], bool], float, str]] | None:
    """The (compare, limit, applied style) of a data style's maps as LibreOffice keeps them
    (see the comment above DATE), or None when it refuses the code (a plain number shown).
    `text`: the style is a text style, whose third map takes every other number (the third
    section of a code of four, `0;-0;dd/mm/yyyy;@`)."""
    kept = [
        (condition[len("value()") :], applied)
        for condition, applied in maps
        if condition.startswith("value()")
    ]
    if any(applied in styles.maps for _, applied in kept):
        return None  # the applied code's sections and these: more than svl keeps
    rest_of_numbers = kept.pop()[1] if text and len(kept) == _MAX_MAPS + 1 else ""
    if len(kept) > _MAX_MAPS:
        return None
    out = []
    for i, (condition, applied) in enumerate(kept):
        op = _OPERATOR.match(condition)
        if op is None:
            return None
        limit = condition[op.end() :]
        if _LIMIT.match(limit):
            out.append((_COMPARE[op.group(1)], float(limit), applied))
        elif limit[:1] in ("<", ">", "=", "!"):
            return None
        elif len(kept) == 1:  # no condition: svl's default for the section's place
            out.append((operator.ge, 0.0, applied))
        else:
            out.append((operator.gt if i == 0 else operator.lt, 0.0, applied))
    if rest_of_numbers:
        out.append((_every, 0.0, rest_of_numbers))
    return out


def _every(number: float, limit: float) -> bool:
    """The condition of a text style's third map: every number."""
    return True


class DatedStyles(dict[str, Shows]):
    """Cell style name -> DATE or TIME when its data style (its own, else its parents', else
    the family default's) shows a date or a time, "" when it shows neither, a `Choice` when
    that depends on the value (the data style's maps): each name resolved at its first
    look-up (`styles[name]`), so that a file pays for the few styles its number cells use.
    Read a value with `shown_as`."""

    def __init__(
        self,
        cells: dict[str, tuple[str, str]],
        data: dict[str, Look],
        maps: dict[str, tuple[tuple[str, str], ...]] | None = None,
        texts: set[str] | None = None,
    ) -> None:
        super().__init__()
        self.cells, self.data, self.maps, self.texts = cells, data, maps or {}, texts or set()
        self.any = bool(data)  # False: no style shows a date or a time, nothing to look up

    def __missing__(self, name: str) -> Shows:
        seen: set[str] = set()
        at, data_style = name, ""
        while at and at not in seen:  # a loop of parents ends the walk
            seen.add(at)
            data_style, parent = self.cells.get(at, ("", ""))
            if data_style:
                break
            at = parent
        if not data_style:
            data_style = self.cells.get("", ("", ""))[0]  # the family's default style
        shows = self[name] = self.data_style(data_style)
        return shows

    def data_style(self, name: str) -> Shows:
        """What the data style `name` shows: "", DATE, TIME, PERCENT, a `Scaling` or a
        `Choice` by the value."""
        own = self.data.get(name, "")
        maps = self.maps.get(name)
        if not maps:
            return own
        conditions = _conditions(maps, self, name in self.texts)
        if conditions is None:
            return ""  # LibreOffice refuses the code: General, a plain number
        choice = tuple((compare, limit, self.data.get(applied, "")) for compare, limit, applied in conditions)
        if all(shows == own for _, _, shows in choice):
            return own
        return Choice(choice, own)


@lru_cache(maxsize=64)
def common_styles(styles_xml: bytes) -> CellStyles:
    """The cell styles and date/time data styles of a styles.xml (an empty CellStyles for
    b""), kept: the files made from one template carry the same styles part. Raises as
    `ods_facts`."""
    found = CellStyles()
    if not styles_xml:
        return found
    events = etree.iterparse(
        io.BytesIO(styles_xml),
        events=("end",),
        tag=_STYLE_TAGS,
        remove_comments=True,
        remove_pis=True,
        **SAFE_PARSE_OPTIONS,
    )
    for _, element in events:
        found.add(element)
    refuse_dtd(events.root.getroottree())
    return found


_CALCULATION = f"{{{TABLE_NS}}}calculation-settings"
_NULL_DATE = f"{{{TABLE_NS}}}null-date"
_DATE_VALUE_ATTR = f"{{{TABLE_NS}}}date-value"


def null_date(spreadsheet: etree._Element) -> dt.datetime:
    """The day a number counts from in the document whose office:spreadsheet is given (its
    table:calculation-settings' table:null-date, ODF 1.2 §9.4.2; LibreOffice writes
    1904-01-01 for a workbook of Excel's 1904 date system); 1899-12-30, ODF's default,
    when absent or not a date."""
    settings = spreadsheet.find(_CALCULATION)
    found = settings.find(_NULL_DATE) if settings is not None else None
    day = iso_moment(found.get(_DATE_VALUE_ATTR, "")) if found is not None else None
    if day is None:
        return DAY_ZERO
    return day.replace(tzinfo=None) if isinstance(day, dt.datetime) else dt.datetime.combine(day, dt.time())


def dated_styles(table: etree._Element, common: CellStyles | None) -> DatedStyles:
    """The cell styles of a content.xml whose first table `table` is being parsed (its
    office:automatic-styles, complete before the body, read from the tree: no event of the
    parse is spent on them) over those of `common` (styles.xml's)."""
    automatic = CellStyles()
    found = table.getroottree().getroot().find(f"{{{OFFICE_NS}}}automatic-styles")
    if found is not None:
        for element in found.iterchildren(_STYLE, *_DATA_STYLES):
            automatic.add(element)
    return automatic.over(common or CellStyles())


def shown_number(number: float, shows: Look, day_zero: dt.datetime = DAY_ZERO) -> Any:
    """A number cell's value as a date, time, percentage or scaled data style shows it: a
    naive datetime (days since `day_zero`, the document's `null_date`), a duration for a
    time style, a `PercentShown` for a percentage style, a `ScaledShown` for a `Scaling`
    (0 itself); an UnshownDate for a number no calendar shows; the number itself when it is
    not finite (NaN is no date)."""
    if number != number or number in (float("inf"), float("-inf")):
        return number
    if shows == PERCENT:  # Gnumeric writes a percent cell so: value type float (brk15)
        return PercentShown(number)
    if isinstance(shows, Scaling):  # a display factor, the style's own digits (brk22 F4)
        return shown_scaled(number, shows) if number else number
    if shows == HIDDEN:  # no digit shown (brk31 F2)
        return HiddenNumber(number) if number else number
    if isinstance(shows, Scientific):  # digits cut by the mantissa (brk31 F1)
        return ScientificShown(number) if scientific_hides(number, shows.decimals) else number
    try:
        span = dt.timedelta(days=number)
        return span if shows == TIME else day_zero + span
    except OverflowError:
        return UnshownDate(show(number))


_COLUMN_GROUPS = tuple(
    f"{{{TABLE_NS}}}{local}" for local in ("table-columns", "table-header-columns", "table-column-group")
)


def _columns(table: etree._Element) -> Iterator[etree._Element]:
    """The table:table-column elements of a table, in order, alone or grouped (§9.1.6-9.1.9),
    read up to its first row (the parse may have built the tree further: not walked)."""
    for child in table.iterchildren():
        if child.tag == _COLUMN:
            yield child
        elif child.tag in _COLUMN_GROUPS:
            yield from child.iter(_COLUMN)
        elif child.tag == _ROW or child.tag in _ROW_GROUPS:
            return


class _Defaults:
    """The default cell styles of one table's columns and current row that show a date or
    a time (cells without a style of their own take them): the columns read at the first
    row (rows read are freed, and the columns before them), the row's looked at only for a
    number cell without a style."""

    def __init__(self, dated: DatedStyles) -> None:
        self.dated = dated
        self.columns: list[tuple[int, int, Shows]] | None = None  # (first, last + 1, what it shows)
        self.row: etree._Element | None = None

    def first_row(self, element: etree._Element) -> None:
        """At the table's first row: its columns, all parsed by then."""
        self.columns, at = [], 0
        table = element.getparent()
        while table is not None and table.tag != _TABLE:  # rows may be grouped
            table = table.getparent()
        for column in _columns(table) if table is not None else ():
            n = _count(column, _COLS_REPEATED)
            style = column.get(_DEFAULT_CELL_STYLE)
            shows = self.dated[style] if style else ""
            if shows:
                self.columns.append((at, at + n, shows))
            at += n

    def shows(self, col: int) -> Shows:
        """What the default style of a cell without a style of its own shows (as a
        DatedStyles value: read a number with `shown_as`)."""
        style = self.row.get(_DEFAULT_CELL_STYLE) if self.row is not None else None
        if style:
            return self.dated[style]
        return next((s for first, last, s in self.columns or () if first <= col < last), "")


class _Table:
    """The facts of one table as its rows stream past."""

    def __init__(
        self, name: str, full: bool = True, dated: DatedStyles | None = None, day_zero: dt.datetime = DAY_ZERO
    ) -> None:
        self.facts = SheetFacts(name, day_zero=day_zero)
        self.full = full  # False: the extent alone (a table the form does not read)
        self.row = 0  # 0-based index of the current row
        self.repeat = 1
        self.col = 0  # 0-based column of the next cell in the current row
        self.dated = dated if dated is not None and dated.any else None
        self.defaults = _Defaults(self.dated or DatedStyles({}, {}))

    def start_row(self, element: etree._Element) -> None:
        self.repeat = _count(element, _ROWS_REPEATED)
        self.col = 0
        if self.dated is not None:
            self.defaults.row = element
            if self.defaults.columns is None:
                self.defaults.first_row(element)

    def note(
        self, row: int, col: int, rows: int, cols: int, value: Any, into: dict[Any, Any] | None = None
    ) -> None:
        """`value` at every position of a block of repeated cells, in the facts' `numbers`
        (by A1 reference), or in `into` (`SheetFacts.cells`, by 0-based (row, column)); the
        file is left to the own reader, which repeats them, when the block is very large."""
        if rows * cols > _MAX_POSITIONS:
            self.facts.misread = True
            return
        for r in range(row, row + rows):
            for c in range(col, col + cols):
                if into is None:
                    self.facts.numbers[f"{col_letter(c)}{r + 1}"] = value
                else:
                    into[(r, c)] = value

    def end_row(self) -> None:
        self.row += self.repeat

    def cell(self, element: etree._Element) -> None:
        repeat = _count(element, _COLS_REPEATED)
        facts, row, col = self.facts, self.row, self.col
        self.col += repeat
        if element.tag == _CELL and self.full:
            # a merge whose first cell is empty merges too: it hides the figures of the cells
            # it covers, which the value reader still gives (brk35 F2: a figure under an
            # empty merged cell counted, the sheet showing none; .xlsx and .xls refused it)
            span_cols, span_rows = _count(element, _COLS_SPANNED), _count(element, _ROWS_SPANNED)
            if span_cols > 1 or span_rows > 1:
                facts.merged.append(((row, col), (row + span_rows - 1, col + span_cols - 1)))
        if not _has_value(element):
            return
        facts.rows = max(facts.rows, row + self.repeat)
        facts.columns = max(facts.columns, col + repeat)
        if element.tag != _CELL or not self.full:
            return
        a1 = f"{col_letter(col)}{row + 1}"
        kind = element.get(_VALUE_TYPE)
        if kind in ("date", "time"):  # calamine gives a time as text
            self.note(row, col, self.repeat, repeat, cell_value(element))
        elif kind is None:
            if _VALUE in element.attrib:  # calamine reads the number, LibreOffice shows the text:
                facts.misread = True  # our reader reads it (brk22 F2: "140.068" shown, 140068000 read)
            text = untyped_text(element)
            if text:  # calamine reads it blank
                self.note(row, col, self.repeat, repeat, text, facts.cells)
        elif kind in _NUMBER_TYPES:
            raw = element.get(_VALUE)
            if raw is None or not (raw.isascii() and raw.isdigit() or _XSD_DOUBLE.match(raw)):
                facts.misread = True  # calamine reads it blank, or as Python would: our reader reads it
            elif kind == "percentage":  # shown as 100 times it with "%" (ODF 1.2 Part 1 §19.385)
                self.note(row, col, self.repeat, repeat, PercentShown(float(raw)))
            elif self.dated is not None:
                style = element.get(_STYLE_NAME)
                shows = self.dated[style] if style is not None else self.defaults.shows(col)
                if shows:  # calamine gives the plain number
                    number = float(raw)
                    shows = shown_as(shows, number)
                    if shows:
                        self.note(
                            row, col, self.repeat, repeat, shown_number(number, shows, self.facts.day_zero)
                        )
        if _FORMULA in element.attrib:
            # LibreOffice writes an empty-text result as no value type and an empty <text:p/>;
            # no value type with text (odfpy's TableCell(formula=...) with a P of the result
            # it never calculated) is no cached result either: the value reader reads it blank
            if kind is None and (not len(element) or _text(element).strip()):
                facts.no_value.add(a1)
            else:
                facts.results.add(a1)
            error = _error(element)
            if error:
                facts.errors[a1] = error


def ods_facts(
    content: bytes, wanted: Callable[[str], bool] | None = None, common: CellStyles | None = None
) -> list[SheetFacts]:
    """Facts of every table of an ODS content.xml, in order; of a table `wanted` refuses
    (by its name), the extent alone (the value reader builds every table, so every extent
    is checked). `common`: the styles of the file's styles.xml (`common_styles`), where
    most writers put the data styles; a number cell whose style shows a date or a time is
    noted with the date or duration it shows (`shown_number`). Raises
    etree.XMLSyntaxError when it is not well-formed, UnsafeXML when it declares a DTD.

    rows/columns follow what calamine keeps: rows up to the last row with a value (a
    repeated row counts as often as it is repeated), columns up to a row's last value."""
    out: list[SheetFacts] = []
    table: _Table | None = None
    dated: DatedStyles | None = None
    day_zero = DAY_ZERO
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
                if dated is None:
                    dated, day_zero = dated_styles(element, common), null_date(parent)
                name = element.get(_NAME) or f"#{len(out) + 1}"
                full = wanted is None or wanted(name)
                table = _Table(name, full, dated if full else None, day_zero)
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
_TABLE_PROPS = f"{{{STYLE_NS}}}table-properties"
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
    date, as calamine gives it, with a time a naive datetime (a zone after it taken to
    UTC, as LibreOffice does: `values.iso_moment`). A date no calendar shows (LibreOffice's
    32767-12-31 for a number past any date, Gnumeric's "") is an `UnshownDate`; one spelled
    past reading ("2025-02-30", "2025-11") an `UnreadDate`."""
    moment = iso_moment(raw)
    if moment is not None:
        return moment
    day = _ISO_DAY.match(raw)
    if not raw or (day and not 1 <= int(day.group(1)) <= 9999):
        return UnshownDate("/".join(reversed(day.groups())) if day else "#NUM!")
    return UnreadDate("/".join(reversed(day.groups())) if day else raw)


def untyped_text(cell: etree._Element) -> str:
    """The text of a table:table-cell without an office:value-type, as LibreOffice shows it
    (simple ODF generators write text so, `<table:table-cell><text:p>612</text:p>`; calamine
    reads it blank): its own paragraphs, not those of a comment (office:annotation) in it.
    "" for a formula cell (no value type there is no cached result: `ods_facts`)."""
    if _FORMULA in cell.attrib or not len(cell):
        return ""
    return "\n".join(_inline(p) for p in cell.iterchildren(_P))


def cell_value(cell: etree._Element) -> Any:
    """The value of a table:table-cell as LibreOffice shows it ("" for none): as calamine
    gives it, and a cell's text without a value type (`untyped_text`), which calamine reads
    blank."""
    kind = cell.get(_VALUE_TYPE)
    if kind is None:
        return untyped_text(cell)
    if kind in _NUMBER_TYPES:
        raw = cell.get(_VALUE)
        if raw is None or not (raw.isascii() and raw.isdigit() or _XSD_DOUBLE.match(raw)):
            return UnreadNumber(raw or _text(cell).strip() or "(không có số)")
        return PercentShown(float(raw)) if kind == "percentage" else float(raw)
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


def ods_values(content: bytes, wanted: Callable[[str], bool], common: CellStyles | None = None) -> OdsBook:
    """Every table's name and visibility, and the values of the tables whose name `wanted`
    accepts, from a content.xml that lxml parses; a number under a style that shows a date
    or a time as that date or duration (`common` as for `ods_facts`). Repeated empty
    cells and rows are skipped arithmetically; repeated cells and rows holding a value are
    repeated (the extents were checked by `ods_facts` first). Raises as `ods_facts`."""
    book = OdsBook()
    hidden_styles: set[str] = set()
    dated: DatedStyles | None = None
    day_zero = DAY_ZERO
    defaults = _Defaults(DatedStyles({}, {}))
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
                    hidden_styles.add(element.get(_STYLE_NAME_ATTR, ""))
        elif tag == _TABLE:
            parent = element.getparent()
            if parent is None or parent.tag != _SPREADSHEET:
                continue
            if event == "start":
                if dated is None:
                    dated, day_zero = dated_styles(element, common), null_date(parent)
                name = element.get(_NAME) or f"#{len(book.names) + 1}"
                book.names.append(name)
                if element.get(_STYLE_NAME) in hidden_styles:
                    book.hidden.add(name)
                grid = [] if wanted(name) else None
                if grid is not None:
                    book.rows[name] = grid
                row_no = 0
                defaults = _Defaults(dated)
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
                if defaults.dated.any:
                    defaults.row = element
                    if defaults.columns is None:
                        defaults.first_row(element)
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
                if value.__class__ is float and dated is not None and dated.any:
                    style = element.get(_STYLE_NAME)
                    shows = dated[style] if style is not None else defaults.shows(len(row) + pending)
                    if shows:
                        shows = shown_as(shows, value)
                        if shows:
                            value = shown_number(value, shows, day_zero)
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
