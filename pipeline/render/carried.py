"""What the officer wrote in the draft report, carried into the next draft (issue #23).

Two kinds of things are carried: the sections the officer writes, and the fields an office
fills on the page (`FIELDS`: the document's number, the signer's title and name).

The draft prints each section the officer writes (its paragraphs all `narrative.TO_COMPLETE`,
such as "Đề xuất, kiến nghị") as dotted lines. Once the officer has written there, in the
draft itself or in the copy a run kept aside (`outbox.kept`: `…-ban-da-sua.docx`), the next
draft carries the officer's paragraphs under that heading in place of the dots; every other
section is rebuilt from the data, and text the officer added there stays only in their copy.

A section is found by its heading as the draft prints it ("VIII. ĐỀ XUẤT, …", from the
wording configuration), never by the hint: a heading the officer renamed or removed carries
nothing. What belongs to it is every paragraph between that heading and the next heading
(a paragraph "<Roman numeral>. …", or the signature table), except the dotted lines and the
empty paragraphs at its start and end. The paragraphs are copied with their formatting
(python-docx, the XML of each paragraph), without what points into the officer's file and
would be broken in another one: comments, bookmarks, notes, pictures, list numbering.

A field is found where the draft prints it: the number in the header table (the table with
the national motto), under the agency, left of the place and date; the signer's title above
the note in brackets of the signature block ("(Ký, đóng dấu)", the right-hand cell of the
last table, the one of "Nơi nhận"), the name the last line under that note. Its text is
carried when the officer changed it from what the new draft would print (whitespace aside)
and did not leave it dotted or empty; the new draft prints it in its own formatting.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from ..outbox.kept import changed_since_written, edited_copy
from .official import DOT, MOTTO

FIELDS = {"number": "số văn bản", "signer_title": "chức danh người ký", "signer_name": "họ tên người ký"}
"""The fields an office fills on the draft, by key, with their Vietnamese names (in order)."""

_HEADING = re.compile(r"^[IVXLC]+\.\s")  # the draft numbers its sections I, II, III…
_R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_DROPPED = {
    qn(t)
    for t in (
        "w:commentRangeStart",
        "w:commentRangeEnd",
        "w:commentReference",
        "w:bookmarkStart",
        "w:bookmarkEnd",
        "w:footnoteReference",
        "w:endnoteReference",
        "w:drawing",
        "w:pict",
        "w:object",
        "w:numPr",
        "w:sectPr",
    )
}


def officer_document(current: Path, name: str) -> Path | None:
    """The officer's latest version of the draft `name` in the current set `current`: the
    draft itself when the officer changed it since the run wrote it, or the newest
    `…-ban-da-sua` copy kept by a run; the newest of these by modification time; None when
    there is neither (then nothing is read)."""
    found = []
    if changed_since_written(current, name):
        found.append(current / name)
    kept = edited_copy(current / name)
    if kept is not None:
        found.append(kept)
    return max(found, key=lambda p: p.stat().st_mtime_ns) if found else None


@dataclass
class OfficerWork:
    """What a new draft carries from the officer's version of the previous one."""

    sections: dict[str, list] = field(default_factory=dict)
    """Heading (as the draft prints it) -> cleaned copies of the `w:p` elements written under it."""
    fields: dict[str, str] = field(default_factory=dict)
    """Key of `FIELDS` -> the officer's text ("\n" between lines)."""

    def field_names(self) -> list[str]:
        """The Vietnamese names of the fields carried, in `FIELDS` order."""
        return [name for key, name in FIELDS.items() if key in self.fields]


def officer_work(path: Path, headings: list[str], theirs: set[str], printed: dict[str, str]) -> OfficerWork:
    """What the officer wrote in the .docx `path`: the paragraphs under each heading of
    `theirs` (`officer_paragraphs`) and each field of `FIELDS` whose text differs from what
    the new draft prints there (`printed`, by key). A file python-docx cannot read carries
    nothing (the officer's copy is kept as it is in any case)."""
    try:
        doc = Document(str(path))
        found = officer_fields(doc)
        sections = _paragraphs(doc.element.body, headings, theirs) if theirs else {}
    except Exception:  # noqa: BLE001 - any unreadable or odd file: carry nothing, never fail the run
        return OfficerWork()
    typed = {}
    for key, text in found.items():
        if _plain(text) != _plain(printed.get(key, "")) and not is_dotted(text):
            typed[key] = text.strip()
    return OfficerWork(sections, typed)


def _plain(text: str) -> str:
    return " ".join(text.split())


def is_dotted(text: str) -> bool:
    """Empty, or only the dots (and spaces) of a line to write on (a field left to fill)."""
    return set(text) <= {DOT, ".", " ", "\n", "\t"}


def officer_fields(doc) -> dict[str, str]:
    """The texts of the python-docx document `doc` where the draft prints the fields of
    `FIELDS` (see the module's docstring), lines joined by "\n"; a field whose place the
    officer removed is left out."""
    found: dict[str, str] = {}
    tables = [t for t in doc.tables if len(t.rows)]
    header = next((t for t in tables if MOTTO in " ".join(c.text for c in t.rows[0].cells)), None)
    if header is not None and len(header.rows) > 1 and len(header.rows[1].cells) > 1:
        found["number"] = header.rows[1].cells[0].text
    closing = tables[-1] if tables and tables[-1] is not header else None
    if closing is not None and len(closing.rows[0].cells) > 1:
        lines = [p.text.strip() for p in closing.rows[0].cells[-1].paragraphs]
        note = next((i for i, t in enumerate(lines) if t.startswith("(") and t.endswith(")")), None)
        if note is not None:
            found["signer_title"] = "\n".join(t for t in lines[:note] if t)
            found["signer_name"] = next((t for t in reversed(lines[note + 1 :]) if t), "")
    return found


def officer_paragraphs(path: Path, headings: list[str], theirs: set[str]) -> dict[str, list]:
    """The paragraphs the officer wrote in the .docx `path` under each heading of `theirs`
    (headings as the draft prints them; `headings` all of the draft's, in order), as
    cleaned copies of their `w:p` elements, in order; a heading with nothing written (only
    the dots), renamed or removed is left out. A file python-docx cannot read carries
    nothing (the officer's copy is kept as it is in any case)."""
    try:
        body = Document(str(path)).element.body
    except Exception:  # noqa: BLE001 - any unreadable file: carry nothing, never fail the run
        return {}
    return _paragraphs(body, headings, theirs)


def _paragraphs(body, headings: list[str], theirs: set[str]) -> dict[str, list]:
    known = set(headings)
    out: dict[str, list] = {}
    under: str | None = None
    for el in body.iterchildren():
        if el.tag != qn("w:p"):  # the signature table, the section properties
            under = None
            continue
        text = Paragraph(el, None).text.strip()
        if text in known or _HEADING.match(text):
            under = text if text in theirs else None
            continue
        if under is not None and not (text and set(text) <= {DOT, ".", " "}):
            out.setdefault(under, []).append(el)
    carried = {}
    for heading, paras in out.items():
        texts = [Paragraph(p, None).text.strip() for p in paras]
        first = next((i for i, t in enumerate(texts) if t), None)
        if first is None:
            continue
        last = max(i for i, t in enumerate(texts) if t)
        carried[heading] = [_clean(p) for p in paras[first : last + 1]]
    return carried


def _clean(p) -> object:
    """A copy of the paragraph element `p` without what points into the officer's file."""
    p = copy.deepcopy(p)
    for link in list(p.iter(qn("w:hyperlink"))):  # keep the link's text, not the link
        parent = link.getparent()
        at = parent.index(link)
        for child in list(link):
            parent.insert(at, child)
            at += 1
        parent.remove(link)
    for el in list(p.iter()):
        if el.tag in _DROPPED or any(k.startswith(f"{{{_R_NS}}}") for k in el.attrib):
            parent = el.getparent()
            if parent is not None:
                parent.remove(el)
    return p
