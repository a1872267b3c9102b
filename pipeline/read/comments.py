"""Cell comments a unit wrote in its file ("Số liệu tạm tính…"), so that none is lost.

Read with a real XML parser (defusedxml, which refuses entity tricks) from:
- `.xlsx` / `.xlsm`: each sheet's comments part, found through the sheet's relationships
  (ECMA-376 Part 1, §18.7 "Comments": `xl/comments*.xml`, relationship type
  `…/relationships/comments`);
- `.ods`: `office:annotation` elements inside the cells of `content.xml` (OpenDocument 1.2,
  §14.1 "Annotation"), addressed by counting rows and columns, repeats included.
`.xls` and `.xlsb` comments are not read (python-calamine does not expose them).

Called once per file by `extract.parse_bytes`, after the file passed the reader's limits
(zip entries and sizes are bounded by then).
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Iterable

from defusedxml import ElementTree

from ..form import CELL_ADDRESS, col_letter

# (sheet name, cell as Excel shows it, e.g. "E8") -> the comment's text
Comments = dict[tuple[str, str], str]

_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
MAX_COMMENT_CHARS = 2000  # a comment is shown in tables: longer text is cut with "…"


def read_comments(data: bytes, fmt: str, sheets: Iterable[str]) -> Comments:
    """The comments of the cells of `sheets` (names as the form spells them).

    `fmt` is the reader's format ("xlsx", "xlsm", "ods", ...). Never raises for a bad file:
    comments that cannot be read are left out (the cell values are read elsewhere)."""
    wanted = set(sheets)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if fmt in ("xlsx", "xlsm"):
                return _xlsx(zf, wanted)
            if fmt == "ods":
                return _ods(zf, wanted)
    except (zipfile.BadZipFile, ElementTree.ParseError, KeyError, ValueError, OSError):
        return {}
    except Exception:  # noqa: BLE001 - defusedxml refusals (DTD, entities) and the like
        return {}
    return {}


def _clean(text: str) -> str:
    text = "\n".join(line.strip() for line in text.replace("\r", "").split("\n")).strip()
    return text if len(text) <= MAX_COMMENT_CHARS else text[: MAX_COMMENT_CHARS - 1] + "…"


def _rels(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationships of `part`: id -> (type, target part path in the zip)."""
    folder, name = posixpath.split(part)
    rels_part = posixpath.join(folder, "_rels", name + ".rels")
    if rels_part not in zf.namelist():
        return {}
    out = {}
    for rel in ElementTree.fromstring(zf.read(rels_part)).iter(_REL):
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


def _xlsx(zf: zipfile.ZipFile, wanted: set[str]) -> Comments:
    workbook = "xl/workbook.xml"
    rels = _rels(zf, workbook)
    out: Comments = {}
    for sheet in ElementTree.fromstring(zf.read(workbook)).iter(f"{_MAIN}sheet"):
        name = sheet.get("name", "")
        if name not in wanted or sheet.get(_R_ID) not in rels:
            continue
        sheet_part = rels[sheet.get(_R_ID)][1]
        for rel_type, target in _rels(zf, sheet_part).values():
            if not rel_type.endswith("/comments") or target not in zf.namelist():
                continue
            root = ElementTree.fromstring(zf.read(target))
            for comment in root.iter(f"{_MAIN}comment"):
                ref = comment.get("ref", "").split(":")[0].replace("$", "")
                text = _clean("".join(t.text or "" for t in comment.iter(f"{_MAIN}t")))
                if CELL_ADDRESS.fullmatch(ref) and text:
                    out[(name, ref)] = text
    return out


def _ods(zf: zipfile.ZipFile, wanted: set[str]) -> Comments:
    out: Comments = {}
    table = None
    row = col = 0
    rows_repeat = 1
    with zf.open("content.xml") as fh:
        for event, el in ElementTree.iterparse(fh, events=("start", "end")):
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
    return out
