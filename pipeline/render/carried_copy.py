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


_STYLE_REFS = (qn("w:pStyle"), qn("w:rStyle"), qn("w:tblStyle"))
"""Where a block names a style: a paragraph's, a run's, a table's."""
_STYLE_LINKS = (qn("w:basedOn"), qn("w:link"), qn("w:next"))
"""Where a style names another: the style it is based on, its linked paragraph or character
style, the style of the paragraph after it."""


def used_styles(doc, blocks: list) -> list:
    """Copies of the style definitions (`w:style`) of the officer's python-docx document `doc`
    that `blocks` (their cleaned copies, `Copier.clean`) name, with those these are based on,
    linked to or followed by, each once, in `doc`'s order: a sub-heading the officer wrote in
    a heading style ("Heading 3", a Vietnamese Word's "Tiu3", a style of their own) keeps its
    look and outline level in the new draft (`carry_styles`)."""
    defs = {s.get(qn("w:styleId")): s for s in doc.styles.element.iterchildren(qn("w:style"))}
    todo = [ref.get(qn("w:val")) for block in blocks for ref in block.iter(*_STYLE_REFS)]
    wanted = _closure(defs, todo, _STYLE_LINKS)
    return [copy.deepcopy(s) for sid, s in defs.items() if sid in wanted]


def _closure(defs: dict, todo: list, links: tuple[str, ...]) -> set[str]:
    """The style ids of `todo` that `defs` (id -> `w:style`) defines, with those they name
    through `links` (`w:basedOn`, `w:link`, `w:next`), and so on."""
    found: set[str] = set()
    while todo:
        sid = todo.pop()
        if sid in found or sid not in defs:
            continue
        found.add(sid)
        todo += [link.get(qn("w:val")) for link in defs[sid].iterchildren(*links)]
    return found


def carry_styles(doc, carried: list[tuple[list, list]]) -> None:
    """Define in the new draft (the python-docx document `doc`, written) the officer's styles
    its carried blocks name: `carried` holds, per section carried, its blocks (already in
    `doc`'s body) and the officer's definitions they use (`used_styles`).

    A style is the draft's of the same name and type when it has one (Word writes a built-in
    style's English name, "heading 3", whatever id a localised Word gives it; LibreOffice
    writes "Heading 3"): the draft's definition is kept where the draft itself uses the
    style (Normal, its headings' `HEADING_STYLE`, a default) or where the officer's style
    numbers its paragraphs from their file's lists (Word's "List Number", which the draft
    defines alike); else the officer's definition replaces it (the look they gave their
    sub-headings). A style the draft has not is added, without numbering from the officer's
    lists. The blocks are made to name the styles so defined; a section's style already
    defined from an earlier section is that one (the first)."""
    root = doc.styles.element
    skip = {id(block) for blocks, _ in carried for block in blocks}
    own = _own_styles(doc, skip)
    brought: dict[tuple[str | None, str], str] = {}  # (type, name) -> id, defined from the officer's
    for blocks, styles in carried:
        by_key = {_style_key(s): s for s in root.iterchildren(qn("w:style"))}
        ids = {s.get(qn("w:styleId")) for s in root.iterchildren(qn("w:style"))}
        rename: dict[str, str] = {}
        defined = []  # the officer's definitions now in the draft, naming the officer's ids yet
        for style in styles:
            sid, key = style.get(qn("w:styleId")), _style_key(style)
            mine = by_key.get(key)
            if key in brought:
                rename[sid] = brought[key]
                continue
            numbered = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}") is not None
            if mine is not None and (mine.get(qn("w:styleId")) in own or numbered):
                rename[sid] = mine.get(qn("w:styleId"))
                continue
            new = copy.deepcopy(style)
            for sub in [*new.iterfind(f"{qn('w:pPr')}/{qn('w:numPr')}"), *new.iterfind(qn("w:rsid"))]:
                sub.getparent().remove(sub)
            new.attrib.pop(qn("w:default"), None)
            if mine is not None:  # the draft's, unused by it: the officer's look
                target = mine.get(qn("w:styleId"))
                mine.addnext(new)
                root.remove(mine)
            else:
                target = _free_id(sid, ids)
                root.append(new)
            new.set(qn("w:styleId"), target)
            ids.add(target)
            brought[key] = rename[sid] = target
            defined.append(new)
        for new in defined:  # their links in the draft's ids; one to a style not there, dropped
            for link in list(new.iterchildren(*_STYLE_LINKS)):
                val = rename.get(link.get(qn("w:val")), link.get(qn("w:val")))
                if val in ids:
                    link.set(qn("w:val"), val)
                else:
                    new.remove(link)
        for block in blocks:
            for ref in block.iter(*_STYLE_REFS):
                if ref.get(qn("w:val")) in rename:
                    ref.set(qn("w:val"), rename[ref.get(qn("w:val"))])


def _style_key(style) -> tuple[str | None, str]:
    """A style's type and name, case aside ("heading 3" as Word writes it, "Heading 3" as
    LibreOffice does); its id when it has no name."""
    name = style.find(qn("w:name"))
    text = name.get(qn("w:val")) if name is not None else style.get(qn("w:styleId"))
    return style.get(qn("w:type")), (text or "").casefold()


def _free_id(sid: str, ids: set[str]) -> str:
    """`sid`, or `sid` with a number after it when the draft has a style of that id."""
    n, out = 1, sid
    while out in ids:
        n, out = n + 1, f"{sid}{n}"
    return out


def _own_styles(doc, skip: set[int]) -> set[str]:
    """The ids of the styles the draft `doc` itself uses: named in its body (the blocks of
    `skip`, by `id`, aside: the officer's), its headers, footers and comments, its default
    styles, and those these are based on or linked to."""
    root = doc.styles.element
    defs = {s.get(qn("w:styleId")): s for s in root.iterchildren(qn("w:style"))}
    todo = [s.get(qn("w:styleId")) for s in defs.values() if s.get(qn("w:default")) in ("1", "true", "on")]
    for block in doc.element.body.iterchildren():
        if id(block) not in skip:
            todo += [ref.get(qn("w:val")) for ref in block.iter(*_STYLE_REFS)]
    for rel in doc.part.rels.values():
        part = None if rel.is_external else rel.target_part
        element = getattr(part, "element", None)
        if element is not None and element is not root:
            todo += [ref.get(qn("w:val")) for ref in element.iter(*_STYLE_REFS)]
    return _closure(defs, todo, (qn("w:basedOn"), qn("w:link")))
