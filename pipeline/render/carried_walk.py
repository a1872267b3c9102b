"""What one of the officer's versions of the draft holds (issue #23, `carried`): one pass
over its body (`Walk`) finds the sections the officer writes and what they typed that the
new draft loses, and `officer_fields` the fields an office fills.

A section is found by the heading the draft wrote for it (`_found_headings`): the paragraph
with the draft's bookmark (below) written for one of the new draft's headings, or in its
heading style (`HEADING_STYLE`) when the bookmark is gone, whatever its number ("VIII."
there, "X." in the new draft, or renumbered by the officer after a section they added) and
whatever the officer made of its text: what they wrote under a heading they renamed is
carried, the new name is named as not carried (the new draft prints its own). What belongs
to it is every block between that heading and the next heading the draft wrote, or the
signature block. A paragraph the officer typed is never a heading, even one with a
heading's text ("ĐỀ XUẤT, …", "X. ĐỀ XUẤT, …"), nor "I. Kết quả nổi bật", "1.", "a)" or a
line in capitals: it stays in the section it sits in, as does a section they added (carried
with the section of theirs it follows, named after one the data give). A heading the draft
wrote for a section the new draft no longer prints (its bookmark's title unchanged, numbered
in a style `carried_numbers.parse_heading` reads) still ends the section before it. A
section of the draft whose heading the officer deleted is named (`carried_named.Deleted`): the new draft
prints it again. The numbers the new draft prints on
its sections are the officer's where they can be (`carried_numbers`: their added sections
counted, a number they typed kept unless it would repeat or go back); everything not
carried is named in those numbers. A draft without any bookmark (written before them): its
headings are the paragraphs with a title the new draft prints.

The blocks are carried except the dotted lines and the empty paragraphs at the section's
start and end: paragraphs with their formatting (bold, italic runs) and their styles (a
sub-heading in "Heading 3", under a localised Word's id or LibreOffice's, or in a style of
the officer's: its definition comes along, `carried_copy.carry_styles`), tables, equations,
text typed with Track Changes on (still to accept, as the officer left it), blocks inside a
content control; copied as python-docx reads them (the XML of each, `carried_copy`), without what points
into the officer's file and would be broken in another one: bookmarks, and what is named
as not carried with its first words: the officer's comments (the draft's own hints
aside), footnotes and endnotes, pictures, text boxes. A link to an address keeps it, as a
HYPERLINK field (which needs no relationship of the file).
A list numbered by a definition of the officer's file becomes its text: "- " for a bullet,
"1.", "a)"… as Word numbered it; a list numbered by its style (Word's "List Number") keeps
the style, which the new draft defines alike.

The fields and the signature block are found by what they are, not where they are: the
header table is the one with the national motto, however retyped (`carried_header`: the agencies, the number
under them, the place and date right of it; the motto changed is named, never carried); the
signature block is the table whose left cell begins "Nơi nhận" and whose
right cell holds the note in brackets ("(Ký, đóng dấu)"): the signer's title is above the
note, the name the last line under it. A table the officer adds after it (an annex) is
named as not carried, never taken for it. A field's text is carried when the officer
changed it from what the new draft would print (whitespace aside) and did not leave it
dotted or empty (a header field: changed since the run wrote it, `carried_header`); the new
draft prints it in its own formatting.

Every paragraph the draft writes carries a hidden bookmark (`MARK`…) named from its text as
written (a heading's: as the program numbers it by itself, `carried_numbers`): a paragraph outside the officer's sections whose text no longer matches its
bookmark, or that has none (typed by the officer), and that the new draft does not print,
is what the new draft would lose; so are the officer's comments, notes, pictures and text
boxes anywhere, the lines they typed in the page headers and footers (the draft's hold only
the page number) and between the signature's note and the signer's name. Text counts as
Word shows it: inserted with Track Changes on counts, deleted does not. A draft without any
such bookmark (written before them) cannot be told apart: `carried.OfficerWork.checked` is False,
and its headings are only the titles the new draft prints.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml
from docx.table import Table

from .carried_copy import ALTERNATE as _ALTERNATE
from .carried_copy import Copier, roman, used_styles
from .carried_header import MOTTO_PLACE, header_fields, header_table, motto_changed
from .carried_named import Deletions, Heading, Place, first_words, plain, title_of
from .carried_numbers import NUMBERED, Parsed, Style, consistent_style, line_number, parse_heading
from .official import DOT

MARK = "_TH"
"""The prefix of the hidden bookmark on each paragraph the draft writes (`mark_name`)."""

HEADING_STYLE = "Đề mục báo cáo"
"""The paragraph style of the draft's section headings (looking as its other paragraphs):
what tells a heading whose bookmark the officer's editor dropped (`_found_headings`)."""

HINT_AUTHOR = "Chương trình tổng hợp"
"""The author of the draft's own comments (what to write where): told from the officer's."""

CLOSING = "Nơi nhận"
"""How the left cell of the signature block begins (Nghị định 30/2020, Phụ lục I)."""

_UNSEEN = {  # what holds runs that are not the paragraph's own visible text
    qn(t) for t in ("w:del", "w:moveFrom", "w:txbxContent", "w:drawing", "w:pict", "w:object")
} | {_ALTERNATE}
_MATH_TEXT = "{http://schemas.openxmlformats.org/officeDocument/2006/math}t"  # an equation's text
_WRAPPERS = {qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml")}  # around blocks: their blocks count
_NOTES = {  # reference -> (relationship of its part, its element, how the summary names it)
    qn("w:footnoteReference"): (RT.FOOTNOTES, qn("w:footnote"), "chú thích cuối trang"),
    qn("w:endnoteReference"): (RT.ENDNOTES, qn("w:endnote"), "chú thích cuối văn bản"),
}
_PICTURES = {qn("w:drawing"), qn("w:pict"), qn("w:object"), _ALTERNATE}


def mark_name(n: int, text: str) -> str:
    """The bookmark name of the `n`-th paragraph the draft writes, with text `text`: `MARK`,
    the number and the start of the SHA-1 of the text (whitespace collapsed), within Word's
    40 characters."""
    return f"{MARK}{n:04d}_{hashlib.sha1(plain(text).encode('utf-8')).hexdigest()[:12]}"


def is_dotted(text: str) -> bool:
    """Empty, or only the dots (and spaces) of a line to write on (a field left to fill)."""
    return set(text) <= {DOT, ".", " ", "\n", "\t", "…"}


def _is_closing(table: Table) -> bool:
    """Whether `table` is the signature block: a left cell beginning "Nơi nhận", a right cell
    holding a line in brackets (the note under the signer's title)."""
    try:
        cells = table.rows[0].cells
    except IndexError:
        return False
    if len(cells) < 2 or not cells[0].text.strip().startswith(CLOSING):
        return False
    return any(_note(p.text.strip()) for p in cells[-1].paragraphs)


def _note(text: str) -> bool:
    return text.startswith("(") and text.endswith(")")


def officer_fields(doc) -> dict[str, str]:
    """The texts of the python-docx document `doc` where the draft prints the fields of
    `FIELDS` (see the module's docstring), lines joined by "\n"; a field whose place the
    officer removed is left out."""
    found: dict[str, str] = {}
    header = header_table(doc)
    if header is not None:
        found.update(header_fields(header, lambda p: text_of(p._p)))
    closing = next((t for t in doc.tables if _is_closing(t)), None)
    if closing is not None:
        lines = [text_of(p._p).strip() for p in closing.rows[0].cells[-1].paragraphs]
        note = next(i for i, t in enumerate(lines) if _note(t))
        found["signer_title"] = "\n".join(t for t in lines[:note] if t)
        found["signer_name"] = next((t for t in reversed(lines[note + 1 :]) if t), "")
    return found


def officer_paragraphs(path: Path, headings: list[str], theirs: set[str]) -> dict[str, list]:
    """What the officer wrote in the .docx `path` under each heading of `theirs` (headings
    as the draft prints them; `headings` all of the draft's, in order), as cleaned copies of
    their `w:p` and `w:tbl` elements, in order; a heading with nothing written (only the
    dots), renamed or removed is left out. A file python-docx cannot read carries nothing."""
    try:
        return Walk(Document(str(path)), headings, theirs, set()).carried()
    except Exception:  # noqa: BLE001 - any unreadable file: carry nothing, never fail the run
        return {}


class Walk:
    """One pass over the officer's body: the blocks under each of their sections, and what
    they typed that the new draft loses (outside their sections, and inside them what cannot
    be carried into another file: comments, notes, pictures, text boxes)."""

    def __init__(self, doc, headings: list[str], theirs: set[str], new_texts: set[str]) -> None:
        self.doc = doc
        self.new_texts = new_texts
        by_title = {title_of(h): h for h in headings}
        mine = {title_of(h) for h in theirs}
        self.out: dict[str, list] = {}
        self.lost: list = []  # `_Entry`: named once the new draft's numbers are known (`named`)
        self.marked = any(  # a draft with its bookmarks: its headings are known by them
            (b.get(qn("w:name")) or "").startswith(MARK) for b in doc.element.body.iter(qn("w:bookmarkStart"))
        )
        found = _found_headings(doc, headings, self.marked)
        styled = {s.style_id for s in doc.styles if s.name == HEADING_STYLE}
        header = header_table(doc)
        self.copier = Copier(doc)
        self.comments = _comments(doc)
        self.notes = {ref: _notes(doc, rel, tag) for ref, (rel, tag, _) in _NOTES.items()}
        self.wants: dict[str, int] = {}  # heading -> the number the officer typed on it
        self.added_from: dict[str, list] = {}  # heading -> the added sections' headings after it
        self.added: dict[str, list[tuple[object, int]]] = {}  # the same carried, by `carried`
        self.styles: dict[str, list] = {}  # heading -> the officer's styles its blocks use, by `carried`
        self.numbered: list[Parsed] = []  # the draft's headings as numbered in this copy
        where: str | Place = "phần mở đầu"
        under: str | None = None
        seq = 0  # the number of the last section as the officer's copy numbers them
        last: Parsed | None = None  # the last section's heading, as numbered
        deleted = Deletions(headings, theirs, set(found.values()))
        inside: list = []  # what is not carried of the officer's sections
        for el in _blocks(doc.element.body):
            if el.tag == qn("w:tbl"):
                table = Table(el, doc._body)
                if header is not None and el is header._tbl:
                    if motto := motto_changed(table, lambda p: text_of(p._p)):  # not the officer's
                        self.lost.append(f"{MOTTO_PLACE}: «{first_words(motto)}»")
                    self._unseen(el, where)
                    continue
                if _is_closing(table):
                    under, where = None, "sau phần chữ ký"
                    for p in table.rows[0].cells[0].paragraphs[1:]:  # the recipients
                        line = plain(text_of(p._p))
                        if line and not is_dotted(line) and line not in new_texts:
                            self.lost.append(f"phần nơi nhận: «{first_words(line)}»")
                    right = [plain(text_of(p)) for p in table.rows[0].cells[-1]._tc.iter(qn("w:p"))]
                    note = next(i for i, t in enumerate(right) if _note(t))
                    typed = [t for t in right[note + 1 :] if t and not is_dotted(t)]
                    for line in typed[:-1]:  # between the note and the name (the last line)
                        self.lost.append(f"phần chữ ký: «{first_words(line)}»")
                    self._unseen(el, "phần chữ ký")
                    # a table right after it is one table with it (Word, LibreOffice): its rows
                    if rest := plain(
                        " ".join(text_of(p) for r in el.findall(qn("w:tr"))[1:] for p in r.iter(qn("w:p")))
                    ):
                        self.lost.append((where, f", bảng: «{first_words(rest)}»"))
                    continue
                if under is not None:
                    self.out.setdefault(under, []).append(el)
                elif table_text := plain(text_of(el)):
                    self.lost.append((where, f", bảng: «{first_words(table_text)}»"))
                self._unseen(el, where, inside if under is not None else self.lost)
                continue
            text = plain(text_of(el))
            marks = [b.get(qn("w:name"), "") for b in el.iter(qn("w:bookmarkStart"))]
            ours = [m for m in marks if m.startswith(MARK)]
            parsed = parse_heading(text)
            number = parsed.value if parsed else None
            if el in found:  # a heading the draft wrote (`_found_headings`)
                mapped = found[el]
                title = title_of(mapped or text)
                under = by_title[title] if title in mine else None
                where = Place(mapped, text)
                mark = _mark_number(ours, title)
                self.lost += deleted(mapped, mark)  # the draft's sections before it, deleted
                if mapped is not None:  # named in the new draft's numbers once they are known
                    typed = mark is None or number != mark  # not the number the draft wrote
                    renamed = not _unchanged(ours, text) and title_of(text) != title and bool(text)
                    self.lost.append(Heading(mapped, 0, text, number, typed, renamed, parsed, deleted.count))
                    if parsed is not None and not renamed:
                        self.numbered.append(parsed)
                    if typed and number is not None and not renamed:  # a renamed one prints its own
                        self.wants[mapped] = number
                seq = number if number is not None else seq + 1
                last = parsed
                self._unseen(el, where)
                continue
            if (
                number == seq + 1
                and (last is None or parsed.alike(last))
                and _reads_as_heading(el, parsed.title, styled)
            ):  # a section they added, numbered as the one before it
                seq = number
                if under is not None:  # carried with the section of theirs it follows
                    self.added_from.setdefault(under, []).append(el)
                    where = Place(under, text, len(self.added_from[under]))
                    self.lost.append(
                        Heading(under, where.added, text, number, True, False, parsed, deleted.count)
                    )
            self._unseen(el, where, inside if under is not None else self.lost)
            if under is not None:
                if not (text and is_dotted(text)):
                    self.out.setdefault(under, []).append(el)
                continue
            if not text or is_dotted(text) or text in new_texts or _unchanged(ours, text):
                for link in el.iter(qn("w:hyperlink")):  # the text is the draft's; the link the officer's
                    if address := self.copier.address(link):
                        words = first_words(plain(text_of(link)))
                        self.lost.append((where, f": liên kết «{words}» ({address})"))
                continue
            self.lost.append((where, _changed_words(text, self.new_texts)))
        self._margins()
        self.lost += inside  # after what is named outside the officer's sections, as before

    @property
    def style(self) -> Style:
        """The style the officer numbers the draft's headings in, when one
        (`carried_numbers.consistent_style`)."""
        return consistent_style(self.numbered)

    def _margins(self) -> None:
        """Name what the officer typed or put in the page headers and footers (the draft's
        hold only the page number, a field whose text is digits)."""
        kinds = {RT.HEADER: "đầu trang", RT.FOOTER: "chân trang"}
        found = [
            (r.target_part, kinds[r.reltype])
            for r in self.doc.part.rels.values()
            if r.reltype in kinds and not r.is_external
        ]
        for part, where in sorted(
            found, key=lambda found: (found[1] != kinds[RT.HEADER], str(found[0].partname))
        ):
            root = part.element if hasattr(part, "element") else parse_xml(part.blob)
            for p in root.iter(qn("w:p")):
                if _inside(p, root, _UNSEEN):
                    continue
                text = plain(text_of(p))
                if text and not text.isdigit():
                    self.lost.append(f"{where}: «{first_words(text)}»")
            self._unseen(root, where)

    def _unseen(self, el, where: str | Place, lost: list | None = None) -> None:
        """Name in `lost` (default `self.lost`) what the block `el` holds that no new draft
        carries (it points into the officer's file): the officer's comments, footnotes and
        endnotes, pictures and text boxes, each with its first words, in order."""
        lost = self.lost if lost is None else lost
        for sub in el.iter():
            if sub.tag == qn("w:commentReference") and sub.get(qn("w:id")) in self.comments:
                words = first_words(plain(self.comments.pop(sub.get(qn("w:id")))))
                lost.append((where, ": nhận xét (comment)" + _quoted(words)))
            elif sub.tag in _NOTES:
                words = first_words(plain(self.notes[sub.tag].get(sub.get(qn("w:id")), "")))
                lost.append((where, f": {_NOTES[sub.tag][2]}" + _quoted(words)))
            elif sub.tag in _PICTURES and not any(a.tag in _PICTURES for a in sub.iterancestors()):
                box = next(sub.iter(qn("w:txbxContent")), None)
                if box is not None:
                    words = first_words(plain(" ".join(text_of(p) for p in box.iter(qn("w:p")))))
                    lost.append((where, ": khung chữ" + _quoted(words)))
                else:
                    paragraph = next((a for a in sub.iterancestors(qn("w:p"))), el)
                    words = first_words(plain(text_of(paragraph)))
                    lost.append((where, ": hình ảnh" + (f" («{words}»)" if words else "")))

    def carried(self) -> dict[str, list]:
        """Heading -> cleaned copies of its blocks, the empty ones at both ends left out; the
        copies of the headings of the sections the officer added after it, each with its
        number, in `added`; the definitions of the styles these blocks use (a sub-heading's
        "Heading 3", a style of the officer's), in `styles` (`carried_copy.used_styles`)."""
        out = {}
        for heading, els in self.out.items():
            full = [el.tag == qn("w:tbl") or _written(el) for el in els]
            if not any(full):
                continue
            first, last = full.index(True), len(full) - 1 - full[::-1].index(True)
            kept = els[first : last + 1]
            out[heading] = [self.copier.clean(el) for el in kept]
            self.styles[heading] = used_styles(self.doc, out[heading])
            added = {id(el) for el in self.added_from.get(heading, ())}
            self.added[heading] = [
                (copied, line_number(plain(text_of(el))))
                for el, copied in zip(kept, out[heading], strict=True)
                if id(el) in added
            ]
        return out


def _found_headings(doc, headings: list[str], marked: bool) -> dict:
    """The headings the draft wrote in the python-docx document `doc` (its w:p elements) ->
    the heading of the new draft (of `headings`) each is, or None for a section the new
    draft does not print. A heading is a paragraph the draft wrote as one, never one that
    only has a heading's text:
    - its bookmark written for one of `headings`, whatever its text and number now;
    - its bookmark unchanged, numbered ("IX. …", "9 - …": a section no longer printed);
    - in the draft's heading style (`HEADING_STYLE`), its bookmark gone (Word drops a bookmark
      whose whole text is typed over): the heading of its title when the new draft prints it
      and no other paragraph is that heading, else a heading missing between the headings
      found before and after it: the last such paragraphs there are the headings missing,
      in order (the officer adds a section before a heading); the others, as one in no
      such place, are the officer's text (a section they added in the heading's style).
    A draft without bookmarks (`marked` False, written before them): a paragraph with a
    title the new draft prints."""
    by_title = {title_of(h): h for h in headings}
    heads = _heading_marks(headings)
    styled = {s.style_id for s in doc.styles if s.name == HEADING_STYLE}
    seq: list[tuple[object, str | None]] = []  # (paragraph, heading); "?" for one in the style only
    for el in _blocks(doc.element.body):
        if el.tag != qn("w:p"):
            continue
        text = plain(text_of(el))
        ours = [
            m for m in (b.get(qn("w:name"), "") for b in el.iter(qn("w:bookmarkStart"))) if m.startswith(MARK)
        ]
        mapped = next((heads[_hash_of(b)] for b in ours if _hash_of(b) in heads), None)
        style = el.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        if mapped is not None:
            seq.append((el, mapped))
        elif marked and parse_heading(text) and _mark_number(ours, title_of(text)) is not None:
            seq.append((el, None))
        elif not marked and title_of(text) in by_title:
            seq.append((el, by_title[title_of(text)]))
        elif style is not None and style.get(qn("w:val")) in styled:
            seq.append((el, "?"))
    taken = {h for _, h in seq if h not in (None, "?")}
    for n, (el, h) in enumerate(seq):  # by title first
        if h == "?" and (title := title_of(plain(text_of(el)))) in by_title and by_title[title] not in taken:
            taken.add(by_title[title])
            seq[n] = (el, by_title[title])
    out: dict = {el: h for el, h in seq if h != "?"}
    known = [(i, headings.index(h)) for i, (_, h) in enumerate(seq) if h not in (None, "?")]
    i = 0
    while i < len(seq):  # each run of paragraphs in the style only, between two headings found
        if seq[i][1] != "?":
            i += 1
            continue
        j = i
        while j < len(seq) and seq[j][1] == "?":
            j += 1
        before = max((n for k, n in known if k < i), default=-1)
        after = min((n for k, n in known if k >= j), default=len(headings))
        missing = [h for h in headings[before + 1 : after] if h not in taken]
        if missing and len(missing) <= j - i:  # the last ones: a section is added before a heading
            out.update({seq[k][0]: h for k, h in zip(range(j - len(missing), j), missing, strict=True)})
        i = j
    return out


def _reads_as_heading(el, title: str, styled: set[str]) -> bool:
    """Whether the numbered paragraph `el` (titled `title` after its number) reads as a
    section's heading, as the officer types one: in the headings' style (`styled`: its ids),
    bold throughout, or its words in capitals as the draft's titles are ("X. NHIỆM VỤ NĂM
    2026", never "X. Khó khăn: thiếu kinh phí.")."""
    style = el.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    if style is not None and style.get(qn("w:val")) in styled:
        return True
    if title == title.upper():
        return True
    runs = [r for r in el.iter(qn("w:r")) if text_of(r).strip() and not _inside(r, el, _UNSEEN)]
    return bool(runs) and all(_bold(r) for r in runs)


def _bold(run) -> bool:
    """Whether the w:r `run` is bold by its own formatting."""
    b = run.find(f"{qn('w:rPr')}/{qn('w:b')}")
    return b is not None and b.get(qn("w:val"), "true") not in ("0", "false", "off")


def _mark_number(marks: list[str], title: str) -> int | None:
    """The number of the heading titled `title` that the draft's bookmarks `marks` on it
    were written with (`mark_name`); None without such a bookmark."""
    hashes = {_hash_of(m) for m in marks}
    for n in range(1, NUMBERED + 1):
        if any(_hash(f"{number}. {title}") in hashes for number in (roman(n), str(n))):
            return n
    return None


def _heading_marks(headings: list[str]) -> dict[str, str]:
    """The part of `mark_name` of each heading the draft may have written for one of
    `headings` (as the new draft prints them), numbered as any draft numbers its sections
    (Roman numerals, Arabic past them): the section's heading as the new draft prints it."""
    out: dict[str, str] = {}
    for h in headings:
        for n in range(1, NUMBERED + 1):
            for number in dict.fromkeys((roman(n), str(n))):
                out.setdefault(_hash(f"{number}. {title_of(h)}"), h)
    return out


def _changed_words(text: str, new_texts: set[str]) -> str:
    """How the summary names a paragraph of the draft the officer changed outside their
    sections: ": «first words…»", or, where they wrote on at the end of a paragraph the new
    draft prints as it was, what they added and the paragraph it follows (brk21: the
    paragraph's own first words named nothing the officer wrote)."""
    base = max((t for t in new_texts if t and len(t) < len(text) and text.startswith(t)), key=len, default="")
    added = text[len(base) :].strip() if base else ""
    if not added:
        return f": «{first_words(text)}»"
    return f": «{first_words(added)}» (viết thêm vào cuối đoạn «{first_words(base)}»)"


def _unchanged(marks: list[str], text: str) -> bool:
    """Whether a paragraph with the draft's bookmarks `marks` still has the text it was
    written with."""
    return any(_hash_of(m) == _hash(text) for m in marks)


def _quoted(words: str) -> str:
    """' «words»', or nothing for no words (a note or a box left empty)."""
    return f" «{words}»" if words else ""


def _hash(text: str) -> str:
    """The part of `mark_name` that comes from the text."""
    return mark_name(0, text).rsplit("_", 1)[-1]


def _hash_of(mark: str) -> str:
    return mark.rsplit("_", 1)[-1]


def _blocks(body) -> Iterable:
    """The w:p and w:tbl elements of `body` in order, those inside a content control
    (w:sdt) or custom XML around blocks included."""
    for el in body.iterchildren():
        if el.tag in _WRAPPERS:
            yield from _blocks(el)
        elif el.tag in (qn("w:p"), qn("w:tbl")):
            yield el


def text_of(el) -> str:
    """The text Word shows in `el` (a w:p or a part of one; a w:tbl: its paragraphs joined
    by spaces): runs inserted with Track Changes on (w:ins) count, in links, fields and content
    controls too, and equations' text; deleted runs (w:del) do not, nor a text box's."""
    if el.tag == qn("w:tbl"):
        return " ".join(text_of(p) for p in el.iter(qn("w:p")) if not _inside(p, el, _UNSEEN))
    return "".join(
        (r.text or "") if r.tag == _MATH_TEXT else r.text
        for r in el.iter(qn("w:r"), _MATH_TEXT)
        if not _inside(r, el, _UNSEEN)
    )


def _inside(sub, top, tags: set[str]) -> bool:
    """Whether `sub` is inside an element of `tags` below `top`."""
    for a in sub.iterancestors():
        if a is top:
            return False
        if a.tag in tags:
            return True
    return False


def _written(el) -> bool:
    """Whether the paragraph `el` holds anything written: text, or text deleted with Track
    Changes on (carried as the officer left it, still to accept or reject)."""
    return bool(text_of(el).strip()) or any((t.text or "").strip() for t in el.iter(qn("w:delText")))


def _related(doc, reltype: str):
    """The root element of the part of `doc` related by `reltype`, or None."""
    for rel in doc.part.rels.values():
        if rel.reltype == reltype and not rel.is_external:
            part = rel.target_part
            return part.element if hasattr(part, "element") else parse_xml(part.blob)
    return None


def _comments(doc) -> dict[str, str]:
    """Comment id -> text of each comment in `doc` the officer wrote (every one but the
    draft's own hints, by `HINT_AUTHOR`)."""
    root = _related(doc, RT.COMMENTS)
    if root is None:
        return {}
    return {
        c.get(qn("w:id")): " ".join(text_of(p) for p in c.iter(qn("w:p")))
        for c in root.iter(qn("w:comment"))
        if c.get(qn("w:author")) != HINT_AUTHOR
    }


def _notes(doc, reltype: str, tag: str) -> dict[str, str]:
    """Note id -> text of each footnote or endnote (`tag`) of `doc`, from its part."""
    root = _related(doc, reltype)
    if root is None:
        return {}
    return {n.get(qn("w:id")): " ".join(text_of(p) for p in n.iter(qn("w:p"))) for n in root.iter(tag)}
