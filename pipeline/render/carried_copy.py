"""The officer's blocks copied into another document (issue #23, `carried`): a paragraph or
table of their edited draft as the new draft can hold it.

Without what points into the officer's file and would be broken in another one (comments,
bookmarks, notes, pictures, relationships); a link to an address kept as a HYPERLINK field
(ECMA-376 17.16.5.25), which needs no relationship of the file; a list entry numbered by a
definition of the officer's file with its marker as text ("- " for a bullet, "1.", "a)"… as
Word numbered it), since the new draft has not those definitions.
"""

from __future__ import annotations

import copy
import re

from docx.oxml.ns import qn

ALTERNATE = "{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent"
"""mc:AlternateContent: what Word writes around a picture or a text box."""

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
        "w:sectPr",
        "w:dataBinding",
    )
} | {ALTERNATE}
_FORMATS = {  # numFmt -> the marker of the n-th entry of a list (Word's names, ECMA-376 17.18.59)
    "decimal": str,
    "lowerLetter": lambda n: chr(ord("a") + (n - 1) % 26),
    "upperLetter": lambda n: chr(ord("A") + (n - 1) % 26),
    "lowerRoman": lambda n: roman(n).lower(),
    "upperRoman": lambda n: roman(n),
}


def roman(n: int) -> str:
    """`n` (from 1) in Roman numerals, as Word numbers a list and the draft its sections."""
    out = ""
    for value, numeral in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while n >= value:
            out, n = out + numeral, n - value
    return out


class Copier:
    """Copies blocks of the python-docx document `doc` (the officer's), counting the entries
    of its numbered lists in document order (copy the blocks in that order)."""

    def __init__(self, doc) -> None:
        self.doc = doc
        self.counters: dict[tuple[str, str], int] = {}

    def clean(self, el) -> object:
        """A copy of the block `el` without what points into the officer's file; each list
        entry's number as text; a link to an address as a HYPERLINK field, which needs no
        relationship of the file (ECMA-376 17.16.5.25)."""
        el = copy.deepcopy(el)
        for p in [el] if el.tag == qn("w:p") else list(el.iter(qn("w:p"))):
            self._number_as_text(p)
        for link in list(el.iter(qn("w:hyperlink"))):  # keep the link's text, and its address
            parent = link.getparent()
            at = parent.index(link)
            address = self.address(link)
            parts = list(link)
            if address:
                parts = [*_field_runs(link, f' HYPERLINK "{address}" '), *parts, _field_runs(link, None)[0]]
            for child in parts:
                parent.insert(at, child)
                at += 1
            parent.remove(link)
        for sub in list(el.iter()):
            if sub.tag in _DROPPED or any(k.startswith(f"{{{_R_NS}}}") for k in sub.attrib):
                parent = sub.getparent()
                if parent is not None:
                    parent.remove(sub)
        return el

    def address(self, link) -> str:
        """The address a w:hyperlink `link` of the officer's file points to ("" for a place
        inside the file, whose bookmark is not carried), quotes escaped for a field."""
        rid = link.get(qn("r:id"))
        try:
            rel = self.doc.part.rels[rid] if rid else None
        except KeyError:
            return ""
        if rel is None or not rel.is_external:
            return ""
        anchor = link.get(qn("w:anchor"))
        return (rel.target_ref + (f"#{anchor}" if anchor else "")).replace('"', "%22")

    def _number_as_text(self, p) -> None:
        """Write the list marker Word shows before the paragraph `p` (numbered by the
        officer's file's numbering definitions) as the paragraph's first text."""
        num = p.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
        if num is None:
            return
        num_id = num.find(qn("w:numId"))
        level = num.find(qn("w:ilvl"))
        num_id = num_id.get(qn("w:val")) if num_id is not None else None
        level = level.get(qn("w:val")) if level is not None else "0"
        if not num_id or num_id == "0":
            return  # numbering removed: nothing shown
        fmt, pattern, start = self._level(num_id, level)
        key = (num_id, level)
        n = self.counters[key] = self.counters.get(key, start - 1) + 1
        for (nid, lvl), _ in list(self.counters.items()):  # a deeper list restarts under each entry
            if nid == num_id and int(lvl) > int(level):
                del self.counters[(nid, lvl)]
        if fmt == "bullet" or fmt not in _FORMATS:
            marker = "- "
        else:
            marker = re.sub(r"%\d", _FORMATS[fmt](n), pattern or f"%{int(level) + 1}.") + " "
        run = p.makeelement(qn("w:r"), {})
        first = p.find(qn("w:r"))
        if first is not None and first.find(qn("w:rPr")) is not None:
            run.append(copy.deepcopy(first.find(qn("w:rPr"))))
        t = run.makeelement(qn("w:t"), {})
        t.text = marker
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        run.append(t)
        p.find(qn("w:pPr")).addnext(run)
        for child in list(num):  # numbered now by its text: no numbering, not even its style's
            num.remove(child)
        none = num.makeelement(qn("w:numId"), {qn("w:val"): "0"})
        num.append(none)

    def _level(self, num_id: str, level: str) -> tuple[str, str, int]:
        """(numFmt, lvlText, start) of list `num_id` at `level` in the officer's numbering
        definitions; ("bullet", "", 1) when they cannot be read."""
        try:
            numbering = self.doc.part.numbering_part.element
        except Exception:  # noqa: BLE001 - a file without numbering definitions
            return "bullet", "", 1
        w = lambda tag: qn(f"w:{tag}")  # noqa: E731
        for num in numbering.iter(w("num")):
            if num.get(w("numId")) != num_id:
                continue
            ref = num.find(w("abstractNumId"))
            abstract_id = ref.get(w("val")) if ref is not None else None
            for abstract in numbering.iter(w("abstractNum")):
                if abstract.get(w("abstractNumId")) != abstract_id:
                    continue
                for lvl in abstract.iter(w("lvl")):
                    if lvl.get(w("ilvl")) == level:
                        fmt, text, start = lvl.find(w("numFmt")), lvl.find(w("lvlText")), lvl.find(w("start"))
                        return (
                            fmt.get(w("val")) if fmt is not None else "decimal",
                            text.get(w("val")) if text is not None else "",
                            int(start.get(w("val"))) if start is not None else 1,
                        )
        return "bullet", "", 1


def _field_runs(like, instruction: str | None) -> list:
    """The runs that open a field with `instruction` (begin, the instruction, separate), or
    with None the run that closes one (end), made with `like`'s element maker."""

    def run(*children):
        r = like.makeelement(qn("w:r"), {})
        r.extend(children)
        return r

    def char(kind):
        return like.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): kind})

    if instruction is None:
        return [run(char("end"))]
    instr = like.makeelement(qn("w:instrText"), {"{http://www.w3.org/XML/1998/namespace}space": "preserve"})
    instr.text = instruction
    return [run(char("begin")), run(instr), run(char("separate"))]
