"""The draft's header table as the officer may have filled it (issue #23): its fields and
its motto, read from one of their versions; which of its fields the new draft carries.

The header table (Nghị định 30/2020/NĐ-CP, Phụ lục I) holds, left, the parent agency, the
issuing agency (one or more lines) and a short rule, then the document's number under them;
right, the national motto and its subtitle, then the place and date. The agencies, the
number and the place and date are fields an office fills (`HEADER_FIELDS`, and the number of
`carried.FIELDS`): a corrected agency name, the date the report is signed. The motto is not
the officer's: what they change there is named as not carried, never carried.

The header table is found by what it is (`header_table`): its motto compared with
diacritics, dashes, case and spaces folded (Word retypes "CỘNG HÒA" as "CỘNG HOÀ", " - " as
" – "), else the body's first table before any text.

A header field is the officer's when they changed it since the run that wrote the version
(its text as shown, recorded under `shown_key`), even when it equals what the new draft
prints (a signing date typed as the next run's date): recorded as carried, it is carried
again while the draft still shows what the last run carried there. A version without that record (a set written before it) is
read by its text: a field that differs from what the new draft prints, and, for the place
and date, from what the run that wrote the file printed (`program_date`: the place and the
date of its core property `created`, the run's date), is the officer's. A field emptied or
left dotted is never carried: the new draft prints its own text (the new run's date). Nor is
a place and date the run that wrote the file printed, where that run carried no date of the
officer's (`writer_date`): a draft of an earlier run, open while a later run wrote the set and
then saved over the later draft, shows the earlier run's date, which no one typed.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable

from docx.oxml.ns import qn
from docx.table import Table

from .official import MOTTO, MOTTO_SUB, vn_date

HEADER_FIELDS = {
    "province": "tên cơ quan chủ quản",
    "department": "tên cơ quan ban hành",
    "place_date": "địa danh, ngày tháng",
}
"""The fields of the header table an office fills besides the number, by key, with their
Vietnamese names (the keys of `carried.FIELDS` they are among)."""

MOTTO_PLACE = "quốc hiệu, tiêu ngữ"
"""How the summary names the motto the officer changed (not carried)."""

SHOWN = "@shown"
"""Appended to a header field's key: the record of its text as the version shows it."""

_RULE = set("—–-_ ")  # the short rule under the agency's name


def _plain(text: str) -> str:
    return " ".join(text.split())


def shown_key(key: str) -> str:
    """The key under which a header field's text as shown is recorded (`OfficerVersions.seen`)."""
    return key + SHOWN


def _folded(text: str) -> str:
    """`text` with only its letters and digits, without diacritics, casefolded: the motto as
    the officer may have retyped it ("CỘNG HOÀ" for "CỘNG HÒA", Word's "–" for " - ",
    another case or spacing) folds as the draft's."""
    bare = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(ch for ch in bare if ch.isalnum() and not unicodedata.combining(ch)).casefold()


def is_header(table: Table) -> bool:
    """Whether `table` is the draft's header table: its first row holds the national motto
    or its subtitle, told apart from how the officer may have retyped them (`_folded`)."""
    try:
        text = _folded(" ".join(c.text for c in table.rows[0].cells))
    except IndexError:
        return False
    return _folded(MOTTO) in text or _folded(MOTTO_SUB) in text


def header_table(doc) -> Table | None:
    """The header table of the python-docx document `doc`: the table with the motto
    (`is_header`), else the body's first block when it is a table of two rows or more and
    no paragraph with text comes before it (where the draft prints it, the motto typed over)."""
    found = next((t for t in doc.tables if is_header(t)), None)
    if found is not None or not doc.tables:
        return found
    first = doc.tables[0]
    for p in doc.element.body.iter(qn("w:p")):
        if p.xpath("ancestor::w:tbl"):
            break  # the first paragraph with text, if any, is inside a table: not before it
        if "".join(p.itertext()).strip():
            return None
    return first if len(first.rows) > 1 else None


def header_fields(table: Table, text_of: Callable) -> dict[str, str]:
    """The texts of the header table `table` where the draft prints its fields: "province"
    (the first line left), "department" (the lines under it, up to the rule; "\n" between
    lines), "number" (the cell under them) and "place_date" (right of it); `text_of(p)`:
    the text Word shows of a python-docx paragraph. A field whose place the officer removed
    is left out."""
    found: dict[str, str] = {}
    rows = table.rows
    cells = rows[0].cells
    lines: list[str] = []
    for p in cells[0].paragraphs:
        line = text_of(p).strip()
        if line and set(line) <= _RULE:
            break
        lines += [part.strip() for part in line.split("\n") if part.strip()] if line else []
    if lines:
        found["province"] = lines[0]
        found["department"] = "\n".join(lines[1:])
    if len(rows) > 1 and len(rows[1].cells) > 1:
        found["number"] = "\n".join(text_of(p) for p in rows[1].cells[0].paragraphs)
        found["place_date"] = "\n".join(text_of(p) for p in rows[1].cells[-1].paragraphs).strip()
    return found


def motto_changed(table: Table, text_of: Callable) -> str:
    """The motto's lines the officer changed, as they left them, when the motto is not the
    draft's (whitespace aside), else "": the line they changed (the subtitle alone, say),
    or every line when they added or removed one."""
    cells = table.rows[0].cells
    if len(cells) < 2:
        return ""
    lines = [line for p in cells[-1].paragraphs if (line := _plain(text_of(p)))]
    if _plain(" ".join(lines)) == _plain(f"{MOTTO} {MOTTO_SUB}"):
        return ""
    if len(lines) == 2:
        return " ".join(line for line, ours in zip(lines, (MOTTO, MOTTO_SUB), strict=True) if line != ours)
    return " ".join(lines)


def program_date(text: str, printed: str, issued: dt.date | None) -> bool:
    """Whether the place and date `text` is one a run printed: what the new draft prints
    (`printed`), or the same place with the date `issued` of the run that wrote the file."""
    return _plain(text) == _plain(printed) or writer_date(text, printed, issued)


def writer_date(text: str, printed: str, issued: dt.date | None) -> bool:
    """Whether the place and date `text` is the place the new draft prints (`printed`, "An
    Giang, ngày …") with the date `issued` of the run that wrote the file (its core property
    `created`): what that run printed, as a draft of an earlier run saved over a newer one
    still shows it (brk14 F2)."""
    place = printed.split(",", 1)[0]
    return issued is not None and _plain(text) == _plain(f"{place}, {vn_date(issued)}")
