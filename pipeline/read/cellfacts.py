"""What a sheet's cells hold beyond their values, and the one safe XML parser that finds it.

python-calamine reads the values; it shows an error cell (#DIV/0!, #VALUE!, …) and a
formula without a cached value as an empty string, and it gives no merged ranges for an
.ods file. Those facts come from parsing each format (`cellfacts_xlsx.py`,
`cellfacts_ods.py`, and the BIFF records walked in `extents.py`) into a `SheetFacts`.

Every XML part is parsed by lxml (libxml2) configured like defusedxml: no DTD loaded, no
entity expanded, no network, no huge-tree mode (libxml2's own limits on depth and text
size stay on), and a document that declares a DTD at all is refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

from lxml import etree

from ..text.values import DAY_ZERO

Merge = tuple[tuple[int, int], tuple[int, int]]  # (first row, first col), (last row, last col), 0-based


class UnsafeXML(ValueError):
    """An XML part declares a DTD (entity expansion, external entities)."""


@dataclass
class SheetFacts:
    """One sheet: how far its cells holding a value or formula reach (1-based counts:
    rows 12 means the last such cell is on row 12), and the cells calamine cannot tell.
    Cells are A1 references."""

    name: str = ""
    rows: int = 0
    columns: int = 0
    no_value: set[str] = field(default_factory=set)  # formulas with no cached result
    results: set[str] = field(default_factory=set)  # formulas with a cached result
    # formulas storing the number 0 whose result may be text (`formats.ptg`: LibreOffice's
    # .xls stores a text result so in a cell formatted as a number): what it shows is lost
    text_as_zero: set[str] = field(default_factory=set)
    errors: dict[str, str] = field(default_factory=dict)  # cell -> error shown (#DIV/0!)
    merged: list[Merge] = field(default_factory=list)
    # cell -> its number as its format shows it: a number, or a date, time or UnshownDate
    # where the format shows a date (.xls numbers, .ods dates and times): the reader's
    # value is replaced where it takes one for the other
    numbers: dict[str, Any] = field(default_factory=dict)
    # (row, column), 0-based -> value, from our own walk of the cells (.xlsb; .ods, the text
    # of a cell without a value type): what the value reader leaves out is filled from it
    cells: dict[tuple[int, int], Any] = field(default_factory=dict)
    # the value reader would misread a value as the part stores it: .xlsx, one spelled
    # otherwise than as one plain text (the part is given to it spelled plainly); .ods, one
    # in a CDATA section (the format's own reader reads the file)
    misread: bool = False
    # the day the workbook's numbers count from (1899-12-30; 1904-01-01 in Excel for Mac's
    # date system; an .ods's table:null-date): a number shown as a date is told from it
    day_zero: dt.datetime = DAY_ZERO


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        collect_ids=False,
        remove_comments=True,
        remove_pis=True,
    )


_PARSER = _parser()
SAFE_PARSE_OPTIONS = {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False}


def parse_xml(data: bytes) -> etree._Element:
    """The root element of an XML part. Raises UnsafeXML when the part declares a DTD,
    etree.XMLSyntaxError when it is not well-formed XML."""
    root = etree.fromstring(data, _PARSER)
    refuse_dtd(root.getroottree())
    return root


def refuse_dtd(tree: etree._ElementTree) -> None:
    """Raise UnsafeXML if the parsed document declared a DTD (internal or external)."""
    info = tree.docinfo
    if info.internalDTD is not None or info.doctype or info.system_url or info.public_id:
        raise UnsafeXML("DTD declared")


def namespace(element: etree._Element) -> str:
    """The namespace URI of an element ('' when it has none)."""
    tag = element.tag
    return tag[1 : tag.index("}")] if isinstance(tag, str) and tag.startswith("{") else ""


def local_attr(element: etree._Element, local: str) -> str:
    """An attribute by its local name, whatever its namespace ('' when absent)."""
    value = element.get(local)
    if value is not None:
        return value
    for key, value in element.attrib.items():
        if key.rpartition("}")[2] == local:
            return value
    return ""


def well_formed_plain(xml: bytes) -> list[tuple[str | None, str]] | None:
    """The namespace declarations (prefix or None, URI) of a part expat finds well-formed
    and free of comments, CDATA, processing instructions and any DTD; None otherwise.
    Handlers are called only for those rare events, not for every element. expat here
    resolves no external entity and, with a DTD refused, expands none: the owner's setup
    for the `.xlsx` plain-part path (formats/xlsx.py `plain_sheet_facts`)."""
    declared: list[tuple[str | None, str]] = []
    hidden: list[bool] = []
    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartNamespaceDeclHandler = lambda prefix, uri: declared.append((prefix, uri))
    parser.CommentHandler = lambda _text: hidden.append(True)
    parser.StartCdataSectionHandler = lambda: hidden.append(True)
    parser.ProcessingInstructionHandler = lambda _target, _data: hidden.append(True)
    parser.StartDoctypeDeclHandler = lambda *_args: hidden.append(True)
    parser.EntityDeclHandler = lambda *_args: hidden.append(True)
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(xml, True)
    except (expat.ExpatError, ValueError):
        return None  # not well-formed (or an encoding expat lacks): the exact way decides
    return None if hidden else declared
