"""Cell comments a unit wrote in its file ("Số liệu tạm tính…"), so that none is lost.

Each reader here is a capability of its format's record (`formats/registry.py`):
- `.xlsx` / `.xlsm`: each sheet's comments part, found through the sheet's relationships
  (ECMA-376 Part 1, §18.7 "Comments": `xl/comments*.xml`, relationship type
  `…/relationships/comments`; `comment_parts`);
- `.ods`: `office:annotation` elements inside the cells of `content.xml` (OpenDocument 1.2,
  §14.1 "Annotation"), addressed by counting rows and columns, repeats included.
The other formats say in their record why their comments are not read.

Every part is parsed by the same hardened lxml setup as the cell facts (`cellfacts.
parse_xml`, `SAFE_PARSE_OPTIONS`: no DTD, no entity, no network, no huge tree), so a part
that declares a DTD is refused here exactly as a sheet part is; the reader has by then
refused the whole file for it (the comments parts are among the parts it checks).

Called once per file by `reader.read_book`, on the zip directory its checks opened, after
the file passed the reader's limits (zip entries and sizes are bounded by then).
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Callable, Iterable

from lxml import etree

from ..form import CELL_ADDRESS, col_letter
from .cellfacts import SAFE_PARSE_OPTIONS, parse_xml, refuse_dtd

# (sheet name, cell as Excel shows it, e.g. "E8") -> the comment's text
Comments = dict[tuple[str, str], str]
# a format's comments reader: (its zip package, the sheets wanted) -> their comments
CommentsReader = Callable[[zipfile.ZipFile, set[str]], Comments]

_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
MAX_COMMENT_CHARS = 2000  # a comment is shown in tables: longer text is cut with "…"


def read_comments(zf: zipfile.ZipFile, reader: CommentsReader | None, sheets: Iterable[str]) -> Comments:
    """The comments of the cells of `sheets` (names as the form spells them) in the package
    `zf` (open), read by `reader` (its format's; None when the format's comments are not
    read).

    Never raises for a bad file: comments that cannot be read are left out (the cell
    values are read elsewhere)."""
    if reader is None:
        return {}
    try:
        return reader(zf, set(sheets))
    except Exception:  # noqa: BLE001 - not well-formed, a DTD refused (UnsafeXML), a part missing
        return {}


def _clean(text: str) -> str:
    text = "\n".join(line.strip() for line in text.replace("\r", "").split("\n")).strip()
    return text if len(text) <= MAX_COMMENT_CHARS else text[: MAX_COMMENT_CHARS - 1] + "…"


def rels_part(part: str) -> str:
    """The relationships part of a part: xl/worksheets/sheet1.xml ->
    xl/worksheets/_rels/sheet1.xml.rels (ECMA-376 Part 2, §9.3.3)."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def relationships(rels: bytes, part: str) -> dict[str, tuple[str, str]]:
    """The relationships of `part` from its .rels part: id -> (type, target part path in
    the zip); external targets left out. Raises as `cellfacts.parse_xml`."""
    folder = posixpath.dirname(part)
    out = {}
    for rel in parse_xml(rels).iter(_REL):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            continue
        path = (
            target.lstrip("/")
            if target.startswith("/")
            else posixpath.normpath(posixpath.join(folder, target))
        )
        out[rel.get("Id", "")] = (rel.get("Type", ""), path)
    return out


def sheet_comments_parts(rels: bytes, sheet_part: str) -> list[str]:
    """The comments parts a sheet's .rels part links to (relationship type
    `…/relationships/comments`)."""
    return [t for kind, t in relationships(rels, sheet_part).values() if kind.endswith("/comments")]


def _rels(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationships of `part` in the package ({} when it has none)."""
    rels = rels_part(part)
    return relationships(zf.read(rels), part) if rels in zf.NameToInfo else {}


def comment_parts(zf: zipfile.ZipFile, wanted: set[str]) -> list[tuple[str, str]]:
    """(sheet name, comments part) of every sheet of `wanted` that has one, found through
    xl/workbook.xml and the relationships. Raises as `cellfacts.parse_xml`, KeyError
    when xl/workbook.xml is missing."""
    workbook = "xl/workbook.xml"
    rels = _rels(zf, workbook)
    out = []
    for sheet in parse_xml(zf.read(workbook)).iter(f"{_MAIN}sheet"):
        name = sheet.get("name", "")
        if name not in wanted or sheet.get(_R_ID) not in rels:
            continue
        sheet_part = rels[sheet.get(_R_ID)][1]
        sheet_rels = rels_part(sheet_part)
        if sheet_rels in zf.NameToInfo:
            found = sheet_comments_parts(zf.read(sheet_rels), sheet_part)
            out += [(name, target) for target in found if target in zf.NameToInfo]
    return out


# The package's own relationships and the workbook's: the only .rels parts of a workbook
# whose sheets have no relationships (and so no comments part, ECMA-376 Part 1 §18.7).
_BOOK_RELS = frozenset({"_rels/.rels", "xl/_rels/workbook.xml.rels"})


def _may_hold_comments(zf: zipfile.ZipFile) -> bool:
    """False when the package cannot hold a comment `comment_parts` would find: no sheet
    has a relationships part and the workbook's own names no comments part. One look at
    the zip's directory instead of parsing the workbook and its relationships."""
    rels = {n for n in zf.NameToInfo if n.endswith(".rels")}
    if not rels <= _BOOK_RELS:
        return True
    book = zf.read("xl/_rels/workbook.xml.rels") if "xl/_rels/workbook.xml.rels" in rels else b""
    return b"comments" in book or b"&" in book


def xlsx_comments(zf: zipfile.ZipFile, wanted: set[str]) -> Comments:
    """The comments of the `wanted` sheets of an .xlsx/.xlsm package."""
    out: Comments = {}
    if not _may_hold_comments(zf):
        return out
    for name, part in comment_parts(zf, wanted):
        for comment in parse_xml(zf.read(part)).iter(f"{_MAIN}comment"):
            ref = comment.get("ref", "").split(":")[0].replace("$", "")
            text = _clean("".join(t.text or "" for t in comment.iter(f"{_MAIN}t")))
            if CELL_ADDRESS.fullmatch(ref) and text:
                out[(name, ref)] = text
    return out


def ods_comments(zf: zipfile.ZipFile, wanted: set[str]) -> Comments:
    """The comments of the `wanted` tables of an .ods package (content.xml)."""
    out: Comments = {}
    table = None
    row = col = 0
    rows_repeat = 1
    with zf.open("content.xml") as fh:
        events = etree.iterparse(
            fh, events=("start", "end"), remove_comments=True, remove_pis=True, **SAFE_PARSE_OPTIONS
        )
        for event, el in events:
            tag = el.tag
            if event == "start":
                if tag == f"{{{_TABLE}}}table":
                    table, row = el.get(f"{{{_TABLE}}}name"), 0
                elif tag == f"{{{_TABLE}}}table-row":
                    col = 0
                    rows_repeat = int(el.get(f"{{{_TABLE}}}number-rows-repeated", "1"))
                continue
            if tag in (f"{{{_TABLE}}}table-cell", f"{{{_TABLE}}}covered-table-cell"):
                note = el.find(f"{{{_OFFICE}}}annotation")
                if table in wanted and note is not None:
                    text = _clean("\n".join("".join(p.itertext()) for p in note.iter(f"{{{_TEXT}}}p")))
                    if text:
                        out[(table, f"{col_letter(col)}{row + 1}")] = text
                col += int(el.get(f"{{{_TABLE}}}number-columns-repeated", "1"))
                el.clear()
            elif tag == f"{{{_TABLE}}}table-row":
                row += rows_repeat
                el.clear()
            elif tag == f"{{{_TABLE}}}table":
                table = None
        refuse_dtd(events.root.getroottree())
    return out
