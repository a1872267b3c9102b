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

import io
import zipfile
from collections.abc import Callable, Iterable

from lxml import etree

from ..form import CELL_ADDRESS, col_letter
from .cellfacts import SAFE_PARSE_OPTIONS, namespace, parse_xml, refuse_dtd
from .formats.package import PACKAGE_RELS, Package, book_parts, relationships, rels_part
from .formats.xlsx import workbook_sheets

# (sheet name, cell as Excel shows it, e.g. "E8") -> the comment's text
Comments = dict[tuple[str, str], str]
# a format's comments reader: (its zip package, the sheets wanted) -> their comments
CommentsReader = Callable[[zipfile.ZipFile, set[str]], Comments]

USUAL_WORKBOOK = "xl/workbook.xml"  # where the officeDocument relationship usually points
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


def sheet_comments_parts(rels: bytes, sheet_part: str) -> list[str]:
    """The comments parts a sheet's .rels part links to (relationship type
    `…/relationships/comments`)."""
    return [t for kind, t in relationships(rels, sheet_part).values() if kind.endswith("/comments")]


def comment_parts(zf: zipfile.ZipFile, wanted: set[str]) -> list[tuple[str, str]]:
    """(sheet name, comments part) of every sheet of `wanted` that has one, found as the
    cell facts find the sheets: the workbook the package's officeDocument relationship
    names, its relationships, each sheet's; part names compared without regard to case
    (ECMA-376 Part 2 §9.1.1.1). Raises as `cellfacts.parse_xml`, KeyError when the
    workbook is missing."""
    package = Package(b"", zf)
    book = book_parts(package, USUAL_WORKBOOK)
    out = []
    for name, sheet_part in workbook_sheets(package.read(book.workbook), book.by_id).items():
        sheet_rels = rels_part(sheet_part)
        if name not in wanted or not sheet_part or not package.has(sheet_rels):
            continue
        found = sheet_comments_parts(package.read(sheet_rels), sheet_part)
        out += [(name, package.member(target)) for target in found if package.has(target)]
    return out


# The package's own relationships and the workbook's: the only .rels parts of a workbook
# whose sheets have no relationships (and so no comments part, ECMA-376 Part 1 §18.7).
_BOOK_RELS = frozenset({PACKAGE_RELS, rels_part(USUAL_WORKBOOK)})


def _may_hold_comments(zf: zipfile.ZipFile) -> bool:
    """False when the package cannot hold a comment `comment_parts` would find: no sheet
    has a relationships part and the workbook's own names no comments part. One look at
    the zip's directory instead of parsing the workbook and its relationships (a package
    storing its parts under other names or in other case is parsed)."""
    rels = {n for n in zf.NameToInfo if n.casefold().endswith(".rels")}
    if not rels <= _BOOK_RELS:  # names as stored: other case is parsed
        return True
    book = zf.read(rels_part(USUAL_WORKBOOK)) if rels_part(USUAL_WORKBOOK) in rels else b""
    return b"comments" in book or b"&" in book


def xlsx_comments(zf: zipfile.ZipFile, wanted: set[str]) -> Comments:
    """The comments of the `wanted` sheets of an .xlsx/.xlsm package."""
    out: Comments = {}
    if not _may_hold_comments(zf):
        return out
    for name, part in comment_parts(zf, wanted):
        root = parse_xml(zf.read(part))
        main = namespace(root)  # transitional or Strict (ISO/IEC 29500)
        for comment in root.iter(f"{{{main}}}comment"):
            ref = comment.get("ref", "").split(":")[0].replace("$", "")
            text = _clean("".join(t.text or "" for t in comment.iter(f"{{{main}}}t")))
            if CELL_ADDRESS.fullmatch(ref) and text:
                out[(name, ref)] = text
    return out


def ods_comments(zf: zipfile.ZipFile, wanted: set[str]) -> Comments:
    """The comments of the `wanted` tables of an .ods package (content.xml)."""
    out: Comments = {}
    table = None
    row = col = 0
    rows_repeat = 1
    content = Package(b"", zf).read("content.xml")
    if b"annotation" not in content:
        return out  # no office:annotation (whatever its prefix): no walk of every element
    events = etree.iterparse(
        io.BytesIO(content),
        events=("start", "end"),
        remove_comments=True,
        remove_pis=True,
        **SAFE_PARSE_OPTIONS,
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
