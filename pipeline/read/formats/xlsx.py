"""Cell facts of an .xlsx/.xlsm workbook, from its XML parts parsed with lxml.

The parser is namespace-aware, so every spelling a writer may use reads the same: Excel's
default namespace, a prefix (`<x:c>`, as the Open XML SDK writes), single-quoted
attributes, and the Strict namespaces of ISO/IEC 29500 (`http://purl.oclc.org/ooxml/…`).
Elements used (ECMA-376 Part 1, §18.2.19-20 sheets/sheet, §18.3.1.73 row, §18.3.1.4 c
with r and t, §18.3.1.40 f, §18.3.1.96 v, §18.3.1.53 is; Part 2 §9.3 relationships).

A cell "holds something" when it has a value, a formula or inline text; cells that only
carry a style (borders, fills) do not count towards the extent, and python-calamine does
not build grid cells for them either.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from functools import lru_cache

from lxml import etree

from ...form import cell_at, col_letter
from ...text.values import DAY_ZERO, DAYS_1900_TO_1904, iso_moment
from ..cellfacts import (
    SAFE_PARSE_OPTIONS,
    SheetFacts,
    local_attr,
    namespace,
    parse_xml,
    refuse_dtd,
    well_formed_plain,
)
from .numfmt import looked_at, xlsx_unshown_dates

_FREE_EVERY = 1024  # rows: how often the rows already read are freed (one deletion a batch)


@lru_cache(maxsize=8192)
def split_ref(ref: str) -> tuple[int, int]:
    """'F12' -> (11, 5): 0-based row and column (letters in either case, as a lenient
    reader takes them). ValueError for anything else."""
    return cell_at(ref.upper())


def workbook_sheets(workbook: bytes, rels: dict[str, str]) -> dict[str, str]:
    """Sheet name -> zip part of its XML, from the workbook part and its relationships
    (id -> part: `package.BookParts.by_id`)."""
    root = parse_xml(workbook)
    out: dict[str, str] = {}
    for sheet in root.iter(f"{{{namespace(root)}}}sheet"):
        out.setdefault(sheet.get("name", ""), rels.get(local_attr(sheet, "id"), ""))
    return out


@lru_cache(maxsize=4)
def _tags(ns: str) -> tuple[str, str, str, str, str, str]:
    """sheetData, row, c, f, v and is in the namespace `ns`."""
    return tuple(f"{{{ns}}}{local}" for local in ("sheetData", "row", "c", "f", "v", "is"))  # type: ignore[return-value]


def sheet_facts(xml: bytes, name: str, max_rows: int = 1 << 20, max_columns: int = 1 << 14) -> SheetFacts:
    """Facts of one worksheet part. Raises etree.XMLSyntaxError (not well-formed),
    UnsafeXML (a DTD), ValueError (a malformed cell reference).

    Linear in the part's size and bounded in memory: libxml2 parses the part incrementally
    and hands over one complete row at a time; rows read are freed a batch at a time. Python looks at
    the cells of rows holding a formula, a value or inline text; rows of formatting only
    cost one look. A row without r is the next row, a cell without r the next column
    (§18.3.1.4). Reading stops as soon as a cell holding something lies beyond `max_rows`
    or `max_columns` (facts.rows or facts.columns then exceed them). XPath is not used:
    libxml2 merges node sets in quadratic time on some expressions."""
    facts = SheetFacts(name)
    events = etree.iterparse(
        io.BytesIO(xml),
        events=("end",),
        tag="{*}row",
        remove_comments=True,
        remove_pis=True,
        **SAFE_PARSE_OPTIONS,
    )
    tags: tuple[str, ...] = ()
    row_no = -1
    for count, (_, row) in enumerate(events, 1):
        if not tags:
            tags = _tags(namespace(row))
        r = row.get("r")
        row_no = int(r) - 1 if r else row_no + 1
        if next(row.iter(tags[3], tags[4], tags[5]), None) is not None:
            _row(row, row_no, tags, facts)
            if facts.rows > max_rows or facts.columns > max_columns:
                return facts
        if not count % _FREE_EVERY:  # free the rows already read, a batch at a time
            parent = row.getparent()
            del parent[: parent.index(row)]
    refuse_dtd(events.root.getroottree())
    return facts


def _row(row: etree._Element, row_no: int, tags: tuple[str, ...], facts: SheetFacts) -> None:
    """The facts of one row holding something."""
    col = -1
    for cell in row.iterchildren(tags[2]):
        ref = cell.get("r")
        at, col = split_ref(ref) if ref else (row_no, col + 1)
        if len(cell):
            _note(facts, cell, ref or f"{col_letter(col)}{at + 1}", at, col, tags)


def _note(
    facts: SheetFacts, cell: etree._Element, a1: str, row: int, col: int, tags: tuple[str, ...]
) -> None:
    """What one cell adds: its extent if it holds something, a formula without cached
    value, an error value. Children come in schema order: f?, is?, v? (CT_Cell, §18.3.1.4)."""
    _, _, _, f_tag, v_tag, is_tag = tags
    first = cell[0].tag
    if first == f_tag:
        (facts.results if _cached(cell, v_tag, is_tag) else facts.no_value).add(a1)
    elif first != v_tag and first != is_tag:
        return
    if row >= facts.rows:
        facts.rows = row + 1
    if col >= facts.columns:
        facts.columns = col + 1
    if cell.get("t") == "e":
        value = cell.find(v_tag)
        text = (value.text or "").strip()[:20] if value is not None else ""
        facts.errors[a1] = text or "#?"


def _cached(cell: etree._Element, v_tag: str, is_tag: str) -> bool:
    """Whether a formula cell carries its result: inline text, a non-empty <v>, or an empty
    <v> in a cell of type str (a formula returning empty text, as Excel and LibreOffice
    write it). An empty <v> in a number cell is no result (openpyxl writes formulas so)."""
    if len(cell) < 2:
        return False
    second = cell[1]
    if second.tag == is_tag:
        return True
    return second.tag == v_tag and bool(second.text or cell.get("t") == "str")


# ----- the plain-part path: the same facts without building a tree --------------------------
# A sheet part as the usual writers make it (one default namespace, unprefixed cells, every
# cell with an `r` first, no comment, CDATA or processing instruction, no error value) says
# all the reader needs in a few byte patterns, once expat (C, no callbacks) has found it
# well-formed. Any part that is not plain in this sense goes the exact way (`sheet_facts`).
# Patterns start with a literal, so that the regex engine skips to it.
_ROOT = re.compile(rb"<[A-Za-z_]")
_HIDING = re.compile(rb"<!--|<!\[CDATA\[|<\?")  # markup whose text the patterns would misread
_ERROR_TYPE = re.compile(rb"t\s*=\s*(?:\"e\"|'e'|\"&|'&)")  # t="e" (or a character reference)
_F_TAG = re.compile(rb"<f[\s/>]")
_CELL_WITHOUT_REF = re.compile(rb'<c(?! r="[A-Za-z]{1,3}[1-9][0-9]{0,6}"[\s/>])[\s/>]')
# a cell whose first child is a formula, and what follows the formula: <v/>, <v></v, <v> (a
# value), <is (inline text) or </c> (nothing)
_FORMULA = re.compile(
    rb'<c r="([A-Za-z]{1,3}[1-9][0-9]{0,6})"([^>]*?)(?<!/)>\s*'
    rb"<f(?:\s[^>]*?)?(?:/>|>[^<]*</f\s*>)\s*"
    rb"(<v\s*/>|<v\s*>(?:</v)?|<is[\s/>]|</c\s*>)"
)
_STR_TYPE = re.compile(rb"\st\s*=\s*[\"']str[\"']")
# a <v> whose text starts or ends with white space or holds a reference (&#50;, &amp;); the
# <v> with attributes or not (`<v xml:space="preserve"> 524 </v>`, as a generic writer marks
# every text node: brk13)
_ODD_VALUE = re.compile(rb"<v(?:\s[^>]*)?>(?:[ \t\r\n]|[^<&]*(?:&|[ \t\r\n]</v>))")


@lru_cache(maxsize=8)
def _beyond(max_rows: int, max_columns: int) -> re.Pattern[bytes]:
    """Cell references that may lie beyond the limits: a row number with as many digits as
    `max_rows` or more, or as many column letters as the last column allowed or more."""
    digits = len(str(max_rows))
    letters = len(col_letter(max_columns - 1))
    return re.compile(
        rb'<c r="([A-Za-z]{%d,3}[1-9][0-9]{0,6}|[A-Za-z]{1,3}[1-9][0-9]{%d,6})"' % (letters, digits - 1)
    )


def _near(max_rows: int, max_columns: int) -> bytes | None:
    """A cell's leading reference certainly within the limits by its length (fewer column
    letters and row digits than the limits have), as a pattern; None when no reference is
    (limits of one column letter or one row digit: every cell needs a look)."""
    letters = len(col_letter(max_columns - 1)) - 1
    digits = len(str(max_rows)) - 2
    if letters < 1 or digits < 0:
        return None
    return rb'r="[A-Za-z]{1,%d}[1-9][0-9]{0,%d}"' % (letters, digits)


@lru_cache(maxsize=8)
def _suspect(max_rows: int, max_columns: int) -> re.Pattern[bytes]:
    """One pass for what may make a part not plain: a comment, CDATA or processing
    instruction, a cell whose reference is not first or not certainly within the limits
    (`_near`), a cell with an error type (or a type spelled with a character reference). A
    match sends the part through the separate checks, which decide."""
    near = _near(max_rows, max_columns)
    if near is None:
        return re.compile(rb"<c[\s/>]|<!--|<!\[CDATA\[|<\?")  # every cell needs a look
    return re.compile(
        rb"<(?:!--|!\[CDATA\[|\?|c(?! "
        + near
        + rb"[\s/>])[\s/>]|c "
        + near
        # an error type among the cell's attributes (a quoted value may hold '>')
        + rb"(?:[^>\"']|\"[^\"]*\"|'[^']*')*?\st\s*=\s*[\"'](?:e|&))"
    )


def _not_plain(body: bytes, max_rows: int, max_columns: int) -> bool:
    """The separate checks behind `_suspect`: True when the part is not plain."""
    if _HIDING.search(body) or _ERROR_TYPE.search(body) or _CELL_WITHOUT_REF.search(body):
        return True
    for ref in _beyond(max_rows, max_columns).findall(body):
        row, col = split_ref(ref.decode())
        if row >= max_rows or col >= max_columns:
            return True  # the exact extent (cells holding something) decides
    return False


@lru_cache(maxsize=8)
def _scan(max_rows: int, max_columns: int) -> re.Pattern[bytes]:
    """The one pass over the markup of a part the usual writers made: every formula as
    `_FORMULA` finds it (its three groups; what follows the formula looked at, not taken),
    and, matched with the groups empty, whatever at a '<' may make the part not plain: a
    comment, CDATA section or processing instruction, a cell whose reference is not first or
    not certainly within the limits (`_near`), a value `_ODD_VALUE` finds, an <f> that is no
    formula `_FORMULA` takes (not a cell's first child, or spelled unusually). Every
    alternative starts at '<', so that the engine stops there alone. In a well-formed part
    (expat proves it) a formula holds no other '<' that an alternative starts at."""
    near = _near(max_rows, max_columns)
    cell = rb"c[\s/>]" if near is None else rb"c(?! " + near + rb"[\s/>])[\s/>]"
    return re.compile(
        rb"<(?:!--|!\[CDATA\[|\?|"
        + cell
        + rb"|v(?:\s[^>]*)?>(?:[ \t\r\n]|[^<&]*(?:&|[ \t\r\n]</v>))|f[\s/>]|"
        + rb'c r="([A-Za-z]{1,3}[1-9][0-9]{0,6})"([^>]*?)(?<!/)>\s*'
        + rb"<f(?:\s[^>]*?)?(?:/>|>[^<]*</f\s*>)"
        + rb"(?=\s*(<v\s*/>|<v\s*>(?:</v)?|<is[\s/>]|</c\s*>)))"
    )


# where an error or date type may be (`_suspect`'s `t="e"`, `t="&…"`; `_DATE_TYPE`): any
# attribute e…, &… or d after t= or a space before or after '=' (one that is not finds a
# value spelled in text as well)
_TYPE = rb"""(?<=[t\s]=)\s*["'](?:e|&|d["'])"""
_TYPE_MAY_BE = re.compile(b"=" + _TYPE)
_PREFIXED_ROW = re.compile(rb":row")


@lru_cache(maxsize=64)
def _attributes(styles: frozenset[int]) -> re.Pattern[bytes]:
    """One pass for `_TYPE_MAY_BE` and for an s attribute naming one of `styles` as
    `numfmt.xlsx_unshown_dates` looks for it (`numfmt.styled_attribute`): a value after
    '=' that follows t, s or white space, a type's (group 1) or a style's; which attribute
    it is, the byte before '=' tells (`_types_and_styles`)."""
    alternatives = b"|".join(str(i).encode() for i in sorted(styles))
    return re.compile(rb"""=(?<=[ts\s]=)\s*["'](?:(e|&|d["'])|0*(?:%s)["'])""" % alternatives)


def _types_and_styles(xml: bytes, start: int, styles: frozenset[int]) -> tuple[bool, bool]:
    """Whether `_TYPE_MAY_BE` finds something from `start` on, and whether a cell may be
    under one of `styles` (`numfmt.looked_at`; True whenever the first does, or 0 is
    among them)."""
    if not styles or 0 in styles:
        return _TYPE_MAY_BE.search(xml, start) is not None, bool(styles)
    pattern = _attributes(styles)
    found = pattern.search(xml, start)
    while found is not None:
        after = xml[found.start() - 1]  # t, s or white space
        if found.group(1) is None:
            if after != _T:  # s="14": a style (t="14" is none)
                return _TYPE_MAY_BE.search(xml, found.end()) is not None, True
        elif after != _S:  # t="e" (s="e" is no type)
            return True, True
        found = pattern.search(xml, found.end())
    return False, False


_T, _S = ord("t"), ord("s")


def plain_sheet_facts(
    xml: bytes,
    name: str,
    max_rows: int = 1 << 20,
    max_columns: int = 1 << 14,
    date_styles: frozenset[int] = frozenset(),
) -> SheetFacts | None:
    """The facts of a plain sheet part (see above), or None when the part is not plain and
    `sheet_facts` must read it. The same formulas without cached value as `sheet_facts`,
    and no error value (a part holding an error type is not plain); no extent (rows and
    columns 0): every cell of the part, style-only ones included, is then known to lie
    within `max_rows` and `max_columns`. The caller has checked the prolog (no DTD).
    Linear in the part's size: expat and three compiled patterns, which prove the part
    passes the separate checks (`_plain_formulas`) or, when one finds something, run them.
    `date_styles`: the cell formats showing a date; the numbers calamine gives otherwise
    than they show are in `numbers` (`numfmt.xlsx_unshown_dates`, looked for where the
    second pattern finds a cell under one of its formats)."""
    root = _ROOT.search(xml)
    if root is None:
        return None
    start = root.start()
    if not xml.startswith(b"<worksheet", start):
        return None  # another root
    formulas = _scan(max_rows, max_columns).findall(xml, start)
    types, styled = _types_and_styles(xml, start, looked_at(date_styles))
    if _NOT_A_FORMULA in formulas or types or _PREFIXED_ROW.search(xml, start):
        found = _plain_formulas(xml[start:], max_rows, max_columns)
        if found is None:
            return None
        formulas = found
    declared = well_formed_plain(xml)
    if declared is None:
        return None
    defaults = [uri for prefix, uri in declared if prefix is None]
    if len(defaults) != 1 or any(uri == defaults[0] for prefix, uri in declared if prefix is not None):
        return None  # cells in another namespace, or the main one spelled with a prefix
    facts = SheetFacts(name)
    kinds = [_kept_kind(a, t) if len(a) < 64 else _formula_kind(a, t) for _, a, t in formulas]
    if None in kinds:
        return None  # an attribute spelled with character references
    facts.results = {ref.decode() for (ref, _, _), result in zip(formulas, kinds, strict=True) if result}
    facts.no_value = {ref.decode() for (ref, _, _), result in zip(formulas, kinds, strict=True) if not result}
    if styled:
        facts.numbers.update(xlsx_unshown_dates(xml, date_styles))
    return facts


_NOT_A_FORMULA = (b"", b"", b"")  # what `_scan` finds that is no formula: its groups empty


def _formula_kind(attrs: bytes, after: bytes) -> bool | None:
    """Whether a formula found by `_FORMULA` (its cell's attributes after r, and what
    follows it) holds its result; None when its attributes are spelled with character
    references (the plain path steps aside)."""
    if after[1:2] == b"v" and after[-1:] == b">" and after[-2:-1] != b"/":
        return True  # <v> then a value: the cached result
    if after[1:2] == b"i":
        return True  # <is>: inline text, the formula's result
    if b"&" in attrs:
        return None
    # an empty <v> in a str cell: empty text
    return after[1:2] == b"v" and b"str" in attrs and _STR_TYPE.search(attrs) is not None


# the kinds of short attributes kept: a template's formula cells spell them a few ways
_kept_kind = lru_cache(maxsize=1024)(_formula_kind)


def _plain_formulas(body: bytes, max_rows: int, max_columns: int) -> list[tuple[bytes, bytes, bytes]] | None:
    """The separate checks `_scan`, `_TYPE_MAY_BE` and `_PREFIXED_ROW` stand for, on the
    part from its root element on, when one of them found something: the formulas
    (`_FORMULA`), or None when the part is not plain (rows spelled with a prefix, what
    `_suspect` finds and `_not_plain` confirms, a value spelled otherwise than as one plain
    text or a date type (`values_spelled_plainly`), a formula `_FORMULA` does not take)."""
    if b":row" in body:
        return None
    if _suspect(max_rows, max_columns).search(body) and _not_plain(body, max_rows, max_columns):
        return None
    if _ODD_VALUE.search(body) or _DATE_TYPE.search(body):
        return None
    formulas = _FORMULA.findall(body)
    if len(formulas) != len(_F_TAG.findall(body)):
        return None  # a formula that is not a cell's first child, or spelled unusually
    return formulas


# ----- values the value reader misreads: a <v> not spelled as one plain text ----------------
# python-calamine reads a cell's <v> as its first plain piece of text: a number written in a
# CDATA section or as character references (<v>&#50;32</v>) is read blank, one split by a
# comment, processing instruction or second CDATA section is cut (2326<!---->56000 gives
# 2326), and one with white space around it (<v> 524 </v>) is read as text or makes it
# refuse the file. XML gives each the same value as its plain spelling, and applications
# (Excel, LibreOffice) read them so. Such a part is given to the value reader again with
# every value spelled plainly (`values_spelled_plainly`), never read cut.
#
# A cell of type d (ECMA-376 Part 1 §18.18.11 ST_CellType, §18.17.4 dates in ISO 8601, as
# SheetJS writes with cellDates) holds a moment: LibreOffice reads it as the number of days
# since 1899-12-30 (a time zone taken to UTC: 1900-12-26T00:00:00+07:00 is 360.708) and shows
# that number under the cell's own format, a date under a date format, 361 under #,##0; a
# value that is no date it keeps as text. python-calamine gives the ISO text when it has a
# time zone and a date whatever the format: the part is given to it with each such cell a
# number cell holding LibreOffice's number, read then as every other number.
_SPELLED_OTHERWISE = re.compile(
    rb"<!\[CDATA\[|<!--|<\?|&#|<(?:[A-Za-z_][\w.-]*:)?v(?:\s[^>]*)?>[ \t\r\n]|[ \t\r\n]</(?:[A-Za-z_][\w.-]*:)?v>"
)
_DATE_TYPE = re.compile(rb"""t\s*=\s*["']d["']""")
_TEXT_TYPES = ("str", "inlineStr")  # cell types whose value is text, kept as written


def values_spelled_otherwise(xml: bytes) -> bool:
    """Whether a sheet part (one the plain path left to `sheet_facts`) may hold a value the
    value reader misreads: a CDATA section, comment or processing instruction after the
    prolog, a character reference, white space at either end of a <v>, a cell of type d (a
    date in ISO 8601). A superset: `values_spelled_plainly` then spells them plainly."""
    root = _ROOT.search(xml)
    return root is not None and (
        _SPELLED_OTHERWISE.search(xml, root.start()) is not None
        or _DATE_TYPE.search(xml, root.start()) is not None
    )


def iso_serial(text: str) -> float | None:
    """The number LibreOffice reads from the ISO 8601 value of a cell of type d: days since
    1899-12-30, a time zone taken to UTC ('1900-12-26T00:00:00+07:00' -> 360.708...;
    `values.iso_moment`); None for a value that is no date (LibreOffice keeps it as text)."""
    moment = iso_moment(text)
    if moment is None:
        return None
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time())
    return (moment - DAY_ZERO) / dt.timedelta(days=1)


_DATE1904 = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?workbookPr\b[^>]*?\sdate1904\s*=\s*(["'])(?:1|true)\1""")


def counts_from_1904(workbook: bytes) -> bool:
    """Whether python-calamine reads the workbook part's numbers as days since 1904-01-01
    (workbookPr's date1904, ECMA-376 Part 1 §18.2.28, as it takes it: "1" or "true",
    exactly; checked in `tests/test_reading_1904.py`)."""
    return _DATE1904.search(workbook) is not None


def values_spelled_plainly(xml: bytes, in1904: bool = False) -> bytes:
    """The sheet part with its values as XML reads them, each spelled as one plain text:
    CDATA sections and character references resolved, comments and processing
    instructions dropped, and the white space around the value of a cell that is not text
    (a number, a shared string's index, an error, a boolean, a date) taken off; text values
    (types str and inlineStr) keep theirs. A cell of type d holding a date becomes a number
    cell holding the number LibreOffice reads from it (`iso_serial`), counted from 1904 in
    a workbook whose numbers count so (`in1904`: `counts_from_1904`), since an ISO date
    is the same day in either date system. Raises etree.XMLSyntaxError, UnsafeXML."""
    root = parse_xml(xml)
    ns = namespace(root)
    cell_tag, value_tag = f"{{{ns}}}c", f"{{{ns}}}v"
    for cell in root.iter(cell_tag):
        if cell.get("t") in _TEXT_TYPES:
            continue
        value = cell.find(value_tag)
        if value is not None and value.text:
            value.text = value.text.strip()
            if cell.get("t") == "d":
                serial = iso_serial(value.text)
                if serial is not None:
                    serial -= DAYS_1900_TO_1904 if in1904 else 0
                    del cell.attrib["t"]
                    value.text = repr(int(serial)) if serial.is_integer() else repr(serial)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# ----- text whose white space the value reader drops ------------------------------------
# python-calamine trims the text of every <t> not marked xml:space="preserve": a rich-text
# string whose runs are split at a space (<r><t>Xã Hòa </t></r><r><rPr><i/></rPr><t>Lạc</t>
# </r>, as libraries that do not add the mark write it) is read "Xã HòaLạc", where Excel,
# LibreOffice, Gnumeric and SheetJS show "Xã Hòa Lạc" (brk37 F1). Such a part is given to the
# value reader with those <t> marked, so it keeps the spaces they hold.
_UNPRESERVED = re.compile(rb"<(?:[\w.-]+:)?t(?:>|\s(?![^>]*xml:space)[^>]*>)(?:[ \t\r\n]|[^<]*[ \t\r\n]<)")
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def space_unpreserved(xml: bytes) -> bool:
    """Whether a shared strings part holds a <t> whose text starts or ends with white space
    and is not marked xml:space="preserve" (a superset: `space_preserved` marks them)."""
    return _UNPRESERVED.search(xml) is not None


def space_preserved(xml: bytes) -> bytes:
    """The shared strings part with every <t> holding white space at either end marked
    xml:space="preserve" (ECMA-376 Part 1 §22.9.2.19 ST_Xstring; XML 1.0 §2.10), as the
    applications read it. Raises etree.XMLSyntaxError, UnsafeXML."""
    root = parse_xml(xml)
    for element in root.iter():
        if (
            isinstance(element.tag, str)
            and etree.QName(element).localname == "t"
            and element.text
            and element.text != element.text.strip(" \t\r\n")
            and element.get(_XML_SPACE) is None
        ):
            element.set(_XML_SPACE, "preserve")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
