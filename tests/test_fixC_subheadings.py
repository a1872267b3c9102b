"""The officer's sub-headings inside a section of theirs come into the next draft as they
wrote them (brk46): in order, with their style (its look) and outline level, whether the
style is Word's "Heading 3"/"Heading 4", a Vietnamese Word's heading under its own id, a
style the officer made, a bold line or a numbered list; the section still ends at the next
heading the draft wrote, or at the signature block.

As the officer lives it: a run, the draft completed with python-docx as Word would (and,
in the second test, saved again by LibreOffice Writer, as Writer saves a .docx), another run;
the new draft is read back with python-docx, each paragraph's style resolved as Word resolves
it (a style the document does not define is Normal)."""

from __future__ import annotations

import re
from pathlib import Path

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt, RGBColor
from docx.table import Table

from pipeline.app import consolidate_into
from pipeline.outbox.paths import document_path
from pipeline.render.carried import HEADING_STYLE
from pipeline.render.style import FONT

from .test_carry3_document import HEADING, _dotted, _officer_titles, _save_in_libreoffice, _sections

OWN_STYLE = "Tiêu đề mục con"
"""A paragraph style the officer made for their sub-headings."""


def _add_styles(doc) -> None:
    """The officer's styles: "Heading 3" restyled (Arial, black, 14 pt), a heading 3 under a
    Vietnamese Word's id (pasted from another report), a style of their own (outline level 4);
    Normal in another font (the draft's own style: never carried)."""
    doc.styles["Normal"].font.name = "Courier New"
    h3 = doc.styles["Heading 3"]
    h3.font.name, h3.font.color.rgb, h3.font.size = "Arial", RGBColor(0, 0, 0), Pt(14)
    doc.styles.element.append(
        parse_xml(
            f'<w:style {nsdecls("w")} w:type="paragraph" w:styleId="Tiu3"><w:name w:val="heading 3"/>'
            '<w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>'
            '<w:pPr><w:keepNext/><w:outlineLvl w:val="2"/></w:pPr><w:rPr><w:b/><w:i/></w:rPr></w:style>'
        )
    )
    doc.styles.element.append(
        parse_xml(
            f'<w:style {nsdecls("w")} w:type="paragraph" w:customStyle="1" w:styleId="TieuDeMucCon">'
            f'<w:name w:val="{OWN_STYLE}"/><w:basedOn w:val="Normal"/><w:qFormat/>'
            '<w:pPr><w:outlineLvl w:val="3"/></w:pPr><w:rPr><w:b/><w:u w:val="single"/></w:rPr></w:style>'
        )
    )


def _complete(doc, title: str, lines: list[tuple[str, str | None, bool]], table: bool = False) -> None:
    """Write `lines` (text, style id or None, bold) under the heading titled `title` over its
    dots, a small table after the second line when `table`."""
    dots = [b for b in _sections(doc)[title] if _dotted(b)]
    after = dots[0]._p
    for n, (text, style, bold) in enumerate(lines):
        p = doc.add_paragraph()
        p.add_run(text).bold = bold or None
        if style:
            p._p.get_or_add_pPr().insert(0, parse_xml(f'<w:pStyle {nsdecls("w")} w:val="{style}"/>'))
        after.addnext(p._p)
        after = p._p
        if table and n == 1:
            t = doc.add_table(rows=2, cols=2)
            for r, row in enumerate(t.rows):
                for c, cell in enumerate(row.cells):
                    cell.text = f"Ô {r + 1}.{c + 1}"
            after.addnext(t._tbl)
            after = t._tbl
    for p in dots:
        p._p.getparent().remove(p._p)


ASSESSMENT = [
    ("Mở đầu phần đánh giá của Sở.", None, False),
    ("a) Khó khăn về nguồn lực", "Heading3", False),
    ("Nội dung mục a.", None, False),
    ("b) Khó khăn về phối hợp", "Tiu3", False),
    ("Nội dung mục b.", None, False),
    ("c) Kiến nghị của Sở", "TieuDeMucCon", False),
    ("Nội dung mục c.", None, False),
    ("d) Việc đã làm được", None, True),
    ("Nội dung mục d.", None, False),
    ("Kết quả thứ nhất", "ListNumber", False),
    ("Kết quả thứ hai", "ListNumber", False),
    ("1. Khó khăn cấp bốn", "Heading4", False),
    ("đ) Mục con in kiểu đề mục của bản dự thảo", "DeMucBaoCao", False),
    ("Kết thúc phần đánh giá.", None, False),
]
PROPOSALS = [
    ("Đề xuất chung.", None, False),
    ("a) Đề xuất với Bộ", "Heading3", False),
    ("Nội dung đề xuất cuối cùng.", None, False),
]


def _outline(style) -> int | None:
    """The outline level a paragraph of `style` has, from the style or those it is based on."""
    while style is not None:
        level = style.element.find(f"{qn('w:pPr')}/{qn('w:outlineLvl')}")
        if level is not None:
            return int(level.get(qn("w:val")))
        style = style.base_style
    return None


def _looks(blocks: list) -> list[tuple]:
    """What the officer sees of each written block: a paragraph's text, style name (as Word
    resolves it), outline level and bold runs; a table's text."""
    out = []
    for b in blocks:
        if isinstance(b, Table):
            out.append(("bảng", " | ".join(c.text for row in b.rows for c in row.cells)))
        elif b.text.strip() and not _dotted(b):
            bold = any(r.bold for r in b.runs if r.text.strip())
            out.append((_shown(b), b.style.name.casefold(), _outline(b.style), bold))
    return out


def _shown(paragraph) -> str:
    """The paragraph's text with the marker its list number shows ("1. "), typed or numbered
    by the file's list definitions (`carried_copy.Copier`: the latter becomes text)."""
    text = paragraph.text
    if paragraph.style.name == "List Number":
        return re.sub(r"^\d+\. ", "", text)
    return text


def _first_draft(form, make_file, tmp_path: Path) -> tuple[Path, Path, Path, list[str], list[str]]:
    """The first run's draft: (inbox, outbox, draft, the officer's titles, every title)."""
    make_file("899")
    inbox, outbox = tmp_path / "inbox", tmp_path / "out"
    consolidate_into(form, inbox, outbox, show_progress=False)
    draft = document_path(outbox, form.year)
    doc = docx.Document(str(draft))
    return inbox, outbox, draft, _officer_titles(doc), list(_sections(doc))


def _edit(draft: Path, theirs: list[str]) -> None:
    doc = docx.Document(str(draft))
    _add_styles(doc)
    _complete(doc, theirs[0], ASSESSMENT, table=True)
    _complete(doc, theirs[-1], PROPOSALS)
    doc.save(str(draft))


def _check_new_draft(
    draft: Path, theirs: list[str], before: dict[str, list[tuple]], first_titles: list[str]
) -> None:
    """The new draft at `draft` carries the officer's sections `before` (title -> looks) as
    they were, the draft's own headings (`first_titles`, as the first draft printed them)
    and signature block in their places."""
    doc = docx.Document(str(draft))
    sections = _sections(doc)
    titles = list(sections)
    for title, looks in before.items():
        assert _looks(sections[title]) == looks, title
    # the section ends at the next heading the draft wrote: the headings are all there, in order,
    # in the draft's own style; the next section holds nothing of the officer's
    assert titles == first_titles
    ours = [p for p in doc.paragraphs if HEADING.match(p.text)]
    assert all(p.style.name == HEADING_STYLE for p in ours)
    after = titles[titles.index(theirs[0]) + 1]
    texts = {look[0] for looks in before.values() for look in looks}
    assert not texts & {b.text for b in sections[after] if not isinstance(b, Table)}
    # the last section ends at the signature block, which is the table right after it
    last = sections[theirs[-1]][-1]
    closing = last._element.getnext()
    assert closing.tag == qn("w:tbl")
    assert Table(closing, doc._body).rows[0].cells[0].text.startswith("Nơi nhận")
    # the draft's own styles are its own
    assert doc.styles["Normal"].font.name == FONT


def test_sub_headings_written_as_word_does_come_over_with_their_styles(form, make_file, tmp_path):
    inbox, outbox, draft, theirs, titles = _first_draft(form, make_file, tmp_path)
    _edit(draft, theirs)
    edited = docx.Document(str(draft))
    before = {t: _looks(_sections(edited)[t]) for t in (theirs[0], theirs[-1])}
    # what the officer sees: a heading 3 twice (one under a Vietnamese Word's id), their own
    # style, a heading 4, each at its outline level
    lines = [look for look in before[theirs[0]] if look[0] != "bảng"]
    styled = [(name, level) for _, name, level, _ in lines if name != "normal"]
    assert [text for text, *_, bold in lines if bold] == ["d) Việc đã làm được"]
    assert styled == [
        ("heading 3", 2),
        ("heading 3", 2),
        (OWN_STYLE.casefold(), 3),
        ("list number", None),
        ("list number", None),
        ("heading 4", 3),
        (HEADING_STYLE.casefold(), None),
    ]

    make_file("900")  # a new unit: the officer reruns consolidate
    consolidate_into(form, inbox, outbox, show_progress=False)
    _check_new_draft(draft, theirs, before, titles)
    new = docx.Document(str(draft))
    h3 = new.styles["Heading 3"]  # the look the officer gave their sub-headings
    assert (h3.font.name, h3.font.color.rgb, h3.font.size) == ("Arial", RGBColor(0, 0, 0), Pt(14))

    make_file("SYT")  # again, the new draft left as it is: the same
    consolidate_into(form, inbox, outbox, show_progress=False)
    _check_new_draft(draft, theirs, before, titles)


def test_sub_headings_saved_by_libreoffice_writer_come_over_with_their_styles(form, make_file, tmp_path):
    inbox, outbox, draft, theirs, titles = _first_draft(form, make_file, tmp_path)
    _edit(draft, theirs)
    _save_in_libreoffice(draft, tmp_path / "lo")  # Writer's own ids for the officer's styles
    saved = docx.Document(str(draft))
    before = {t: _looks(_sections(saved)[t]) for t in (theirs[0], theirs[-1])}
    names = [look[1] for look in before[theirs[0]]]
    assert names.count("heading 3") == 2 and OWN_STYLE.casefold() in names and "heading 4" in names
    own_id = next(s.style_id for s in saved.styles if s.name == OWN_STYLE)
    assert own_id != "TieuDeMucCon"  # LibreOffice named it itself

    make_file("900")
    consolidate_into(form, inbox, outbox, show_progress=False)
    _check_new_draft(draft, theirs, before, titles)
