"""The narrative report as an editable Word document (python-docx).

Laid out as an administrative document under Nghị định 30/2020/NĐ-CP, Phụ lục I: A4,
Times New Roman, margins top and bottom 20 mm, left 30 mm, right 15 mm; a two-column
header (issuing agency and "Số: …" left; national motto, "Độc lập - Tự do - Hạnh phúc"
with a line under it, and place and date in italics right); the kind of document
("BÁO CÁO") and its subject; sections numbered I, II, III…; "Nơi nhận:" bottom left and
the signature block bottom right (the signer's authority and title, room for the signature,
the full name), in one table row that never splits across pages and stays with the last
paragraph above it; page numbers in Arabic numerals centred at the top from the second page.
The text comes from `narrative.build_narrative`.

What the officer still has to write prints as dotted lines, as on a paper form, never as a
coloured field: a text of the configuration still "cần điền" (`official.blanked`), an
unknown signer's title or name, and the sections the officer completes (the assessment, the
difficulties, the proposals: which ones is the wording's). What to write there is a Word
comment on the dots: shown beside the text on screen, not printed in the PDF.

Each paragraph the draft writes carries a hidden bookmark named from its text
(`carried.mark_name`), so the next run can tell what the officer typed or changed from what
it wrote (`carried.officer_work`); hidden bookmarks do not show or print. Its section
headings are in a style of their own (`carried.HEADING_STYLE`, as Normal): a heading whose
bookmark the officer's editor dropped is still told from a line they typed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from ..form import Form
from ..outbox.paths import RUN_PROPERTY
from ..run.result import Report
from ..text.safetext import for_xml
from .carried import (
    CLOSING,
    HEADING_STYLE,
    HINT_AUTHOR,
    MARK,
    OfficerWork,
    is_dotted,
    mark_name,
    officer_work,
    written_record,
)
from .carried_copy import carry_styles
from .carried_numbers import LAST_ROMAN, section_number
from .narrative import ITEM, SUBHEAD, TO_COMPLETE, Narrative, Section, build_narrative, load_wording
from .official import DOT, MOTTO, MOTTO_SUB, blanked, place_date, signer_line
from .style import FONT

BODY_PT = 14
HEADER_PT = 13
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
# The text width is 210 - 30 - 15 mm = 16.5 cm; the header table reaches 0.5 cm into the left
# margin so the motto (12 pt bold, about 8.8 cm) stays on one line.
LEFT_COL_CM, RIGHT_COL_CM = 7.9, 9.1
CELL_MARGIN_CM = 0.1
LEFT_CHARS = 30  # capitals of 12 pt bold that fit in the left column
PAGE_NUMBER_PT = 13  # Phụ lục I: page numbers 13-14 pt, centred at the top, from page 2
HEADER_DISTANCE_MM = 10
LINE_DOTS = 32  # dots of 14 pt (an ellipsis is 1 em) on one line of the 16.5 cm text width
SIGN_DOTS = 15  # dots of 14 pt on the signer's lines, within the 8.5 cm column
TO_COMPLETE_LINES = 3  # dotted lines printed for a section the officer writes
ROMAN = [section_number(n) for n in range(1, LAST_ROMAN + 1)]  # the sections' numbers I…XV


@dataclass(frozen=True)
class Carried:
    """What a new draft carries from the officer's version of the previous one."""

    sections: tuple[str, ...] = ()
    """The numbers ("VIII"), as printed, of the sections carried (the officer's added ones too)."""
    fields: tuple[str, ...] = ()  # the Vietnamese names of the fields carried (`carried.FIELDS`)
    printed: Mapping[str, str] = field(default_factory=dict, hash=False)
    """Key of `carried.FIELDS` -> what the draft prints there: the officer's text, else the
    configuration's or the wording's; a field printed as dots is left out. The biểu print
    the same (`official.bieu`)."""
    lost: tuple[str, ...] = ()
    """What the officer typed that the new draft does not carry, each "mục VII: «first
    words…»" (`carried.OfficerWork.lost`)."""
    checked: bool = False  # whether the officer's draft could be checked for `lost`
    written: Mapping[str, str] = field(default_factory=dict, hash=False)
    """What the run records of the new draft for the next one (`carried.written_record`)."""

    def __bool__(self) -> bool:
        return bool(self.sections or self.fields or self.lost)


def write_document(
    report: Report, path: Path, wording_path: Path | None = None, officer: Path | None = None
) -> Carried:
    """Write the report's narrative document to `path` (.docx); with `officer` (the
    officer's edited draft, `carried.officer_document`) the sections the officer writes
    carry what they wrote there, and the fields an office fills (the number, the signer's
    title and name) what they typed (`write_carrying`). Returns what was carried.

    Raises FormError when the wording file is unreadable or names a figure it cannot have.
    """
    narrative = build_narrative(report, load_wording(wording_path or report.form.document))
    return write_carrying(narrative, report.form, report.generated_at, path, officer, report.run_id)


def write_carrying(
    narrative: Narrative,
    form: Form,
    issued: dt.datetime,
    path: Path,
    officer: Path | None = None,
    run_id: str = "",
) -> Carried:
    """Lay out `narrative` at `path` as `write_narrative` does, carrying from the officer's
    version `officer` (a .docx, or None) of the previous draft the sections they write and
    the fields they typed (`carried.officer_work`); returns what was carried, with what the
    officer typed elsewhere that the new draft loses. The yearly report and the final review
    both draft through here. `run_id`: the run the draft belongs to, marked in it
    (`paths.RUN_PROPERTY`) for `pdf` to check."""
    headings = [heading(n, s.title) for n, s in enumerate(narrative.sections)]
    theirs = {h for h, s in zip(headings, narrative.sections, strict=True) if _officer_writes(s)}
    printed = printed_fields(narrative, form, issued.date())
    work = (
        officer_work(officer, headings, theirs, printed, printed_texts(narrative))
        if officer is not None
        else OfficerWork()
    )
    write_narrative(narrative, form, issued, path, work, run_id)
    return Carried(
        tuple(work.section_labels(headings)),
        tuple(work.field_names()),
        {key: text for key, text in {**printed, **work.fields}.items() if not is_dotted(text)},
        tuple(work.lost),
        work.checked,
        written_record(work, headings, theirs, printed),
    )


def printed_texts(narrative: Narrative) -> list[str]:
    """The text of every paragraph the draft of `narrative` prints in its body and under
    "Nơi nhận:", as printed (a part still "cần điền" as its dots, a list entry with its "- ")."""
    out = [narrative.title, narrative.subject, narrative.preliminary, narrative.coverage_note]
    out += [narrative.addressee, narrative.opening]
    for n, section in enumerate(narrative.sections):
        out.append(heading(n, section.title))
        out += [f"- {p.text}" if p.style == ITEM else p.text for p in section.paras if p.style != TO_COMPLETE]
    out += [f"- {r}" for r in narrative.recipients]  # under "Nơi nhận:"
    return ["".join(part for part, _ in blanked(t)) for t in out if t]


def printed_fields(narrative: Narrative, form: Form, day: dt.date) -> dict[str, str]:
    """What the draft dated `day` prints in each field an office fills (`carried.FIELDS`),
    when nothing is carried: the agencies, the number, the place and date of the
    configuration, the signer's title and name or their dots."""
    ag = form.agencies
    return {
        "province": "".join(part for part, _ in blanked(ag.get("province", ""))),
        "department": "".join(part for part, _ in blanked(ag.get("department", ""))),
        "place_date": "".join(part for part, _ in blanked(place_date(form, day))),
        "number": "".join(part for part, _ in blanked(ag.get("document_number", ""))),
        "signer_title": signer_line(narrative.signer_title, "", SIGN_DOTS)[0],
        "signer_name": signer_line(narrative.signer_name, "", SIGN_DOTS)[0],
    }


def heading(n: int, title: str) -> str:
    """The heading of the `n`-th section (from 0) as the document numbers it by itself:
    "VIII. title" (`carried_numbers`: the officer's numbers may replace it)."""
    return f"{section_number(n + 1)}. {title}"


def _officer_writes(section: Section) -> bool:
    return bool(section.paras) and all(p.style == TO_COMPLETE for p in section.paras)


def write_narrative(
    narrative: Narrative,
    form: Form,
    issued: dt.datetime,
    path: Path,
    carried: OfficerWork | None = None,
    run_id: str = "",
) -> None:
    """Lay out `narrative` (built from a run, or by the final review) as the office's .docx
    at `path`: `form`'s agencies head it, dated `issued`. A section the officer writes whose
    heading is in `carried.sections` prints those paragraphs (`w:p` elements) instead of its
    dots, in the officer's styles (`carried.styles`: their sub-headings' "Heading 3", a
    style of their own; `carried_copy.carry_styles`); a field in `carried.fields` prints the officer's text; each heading the number of
    `carried.numbers` (the officer's numbering, `carried_numbers`), its bookmark named from
    the heading as numbered by the program itself. `run_id`, when given, is marked in its
    core properties (dc:identifier "`paths.RUN_PROPERTY`:<run id>")."""
    carried = carried or OfficerWork()
    doc = Document()
    _page(doc)
    _page_numbers(doc)
    _header(doc, form, issued.date(), carried.fields)
    _title(doc, narrative)
    theirs: list[tuple[list, list]] = []  # the blocks carried, with the officer's styles they use
    for n, section in enumerate(narrative.sections):
        key = heading(n, section.title)
        own = carried.numbers.marks.get(key)
        text = carried.numbers.heading(key, section.title)
        shown = "".join(part for part, _ in blanked(section.title))  # as printed
        mark = f"{section_number(own)}. {shown}" if own else None  # None: from the text printed
        _para(doc, text, bold=True, indent=False, mark=mark).style = HEADING_STYLE
        if _officer_writes(section) and carried.sections.get(key):
            end = doc.element.body.find(qn("w:sectPr"))  # the body's last child
            for el in carried.sections[key]:
                end.addprevious(el)
            theirs.append((carried.sections[key], carried.styles.get(key, [])))
            continue
        for p in section.paras:
            if p.style == SUBHEAD:
                _para(doc, p.text, bold=True, italic=True)
            elif p.style == ITEM:
                _para(doc, f"- {p.text}")
            elif p.style == TO_COMPLETE:
                _to_complete(doc, p.text)
            else:
                _para(doc, p.text)
    _closing(doc, narrative, carried.fields)
    _date_hints(doc, issued)
    carry_styles(doc, theirs)  # their sub-headings' styles, once the draft's own are all used
    props = doc.core_properties
    props.title = f"{narrative.title} {narrative.subject}"
    props.author = form.agencies.get("department", "")
    props.created = props.modified = issued
    if run_id:  # which run wrote it: pdf checks it (`pdf.run_mark`)
        props.identifier = f"{RUN_PROPERTY}:{run_id}"
    doc.save(str(path))


def _page(doc) -> None:
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    sec.left_margin, sec.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    # East Asian and complex-script slots too, or Word falls back to another font for them
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)
    pf = normal.paragraph_format
    pf.space_before, pf.space_after, pf.line_spacing = Pt(0), Pt(6), 1.15
    # the headings' own style, as Normal: it tells the next run a heading the officer retyped
    heading_style = doc.styles.add_style(HEADING_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    heading_style.style_id = "DeMucBaoCao"  # an ASCII id: the name is what Word shows
    heading_style.base_style = normal
    heading_style.next_paragraph_style = normal


def _cell_line(
    cell: _Cell, text: str, *, bold=False, italic=False, underline=False, size=HEADER_PT, first=False
):
    p = cell.paragraphs[0] if first else cell.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.line_spacing = 1.0
    for run in _add_text(p, text):
        run.bold, run.italic, run.underline = bold, italic, underline
        run.font.size = Pt(size)
    return p


def _add_text(p: Paragraph, text: str) -> list:
    """Add `text` to paragraph `p` as runs; each part still "cần điền" in the configuration
    becomes a dotted run with a comment saying what to write (`official.blanked`)."""
    runs = []
    for part, hint in blanked(text):
        run = p.add_run(for_xml(part))
        if hint:
            _hint(p, run, hint)
        runs.append(run)
    return runs


def _hint(p: Paragraph, run, text: str) -> None:
    """A comment on `run` (dots the officer replaces): on screen, never printed in the PDF."""
    p.part.document.add_comment(run, for_xml(text), author=HINT_AUTHOR, initials="TH")


def agency_lines(name: str, limit: int) -> str:
    """An agency name too long for one line, broken where an office would break it: at the
    last space that keeps the first line within `limit` characters, never after a lone "VÀ"
    ("SỞ LAO ĐỘNG - THƯƠNG BINH" / "VÀ XÃ HỘI")."""
    if len(name) <= limit or " " not in name:
        return name
    cut = name.rfind(" ", 0, limit + 1)
    if cut <= 0:
        return name
    head, tail = name[:cut], name[cut + 1 :]
    for joiner in (" VÀ", " và", " -"):
        if head.endswith(joiner) and " " in head[: -len(joiner)]:
            head, tail = head[: -len(joiner)], f"{joiner.strip()} {tail}"
    return f"{head}\n{tail}"


def _header(doc, form: Form, day: dt.date, typed: Mapping[str, str] | None = None) -> None:
    """The two-column header table, borderless (Nghị định 30/2020/NĐ-CP, Phụ lục I, mục II);
    `typed` the officer's text of its fields (`carried.FIELDS`: the agencies, the "Số: …"
    line, the place and date) in place of the configuration's and the date `day`."""
    ag, typed = form.agencies, typed or {}
    table = doc.add_table(rows=2, cols=2)
    _widths(table, [LEFT_COL_CM, RIGHT_COL_CM])
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    _indent(table, -0.5)
    left, right = table.rows[0].cells
    _cell_line(left, typed.get("province") or ag.get("province", ""), size=12, first=True)
    department = typed.get("department") or ag.get("department", "")
    lines = "\n".join(agency_lines(line, LEFT_CHARS) for line in department.split("\n"))
    _cell_line(left, lines, bold=True, size=12)
    _cell_line(left, "—————", size=10)
    _cell_line(right, MOTTO, bold=True, size=12, first=True)
    _cell_line(right, MOTTO_SUB, bold=True, underline=True, size=HEADER_PT)
    number_cell, date = table.rows[1].cells
    _cell_line(number_cell, typed.get("number") or ag.get("document_number", ""), first=True)
    _cell_line(date, typed.get("place_date") or place_date(form, day), italic=True, first=True)


def _widths(table, widths_cm: list[float]) -> None:
    """Fixed column widths, in the grid (read by LibreOffice) and in every cell (read by Word)."""
    table.autofit = False
    for col, w in zip(table.columns, widths_cm, strict=True):
        col.width = Cm(w)
        for cell in col.cells:
            cell.width = Cm(w)


def _twips(cm: float) -> str:
    return str(round(cm * 567))  # twentieths of a point


def _indent(table, cm: float) -> None:
    """Shift the table `cm` (negative: into the left margin), its width fixed, cells with
    narrow side margins."""
    tbl_pr = table._tbl.tblPr
    ind = OxmlElement("w:tblInd")
    ind.set(qn("w:w"), _twips(cm))
    ind.set(qn("w:type"), "dxa")
    tbl_pr.append(ind)
    width = tbl_pr.find(qn("w:tblW"))
    width.set(qn("w:type"), "dxa")
    width.set(qn("w:w"), _twips(sum(c.width.cm for c in table.columns)))
    mar = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        m = OxmlElement(f"w:{side}")
        m.set(qn("w:w"), _twips(CELL_MARGIN_CM))
        m.set(qn("w:type"), "dxa")
        mar.append(m)
    tbl_pr.append(mar)


def _para(
    doc,
    text: str,
    *,
    bold=False,
    italic=False,
    indent=True,
    align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    mark: str | None = None,
) -> Paragraph:
    p = doc.add_paragraph()
    p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Cm(1)
    for run in _add_text(p, text):
        run.bold, run.italic = bold, italic
    _mark(p, mark)
    return p


def _mark(p: Paragraph, text: str | None = None) -> None:
    """A hidden bookmark around the paragraph `p` the draft writes, named from its text, or
    `text` (a heading: as the program numbers it, `carried_numbers`), by `carried.mark_name`:
    how the next run tells the officer's text from the draft's."""
    body = p._p.getparent()
    n = sum(1 for b in body.iter(qn("w:bookmarkStart")) if b.get(qn("w:name"), "").startswith(MARK))
    start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
    start.set(qn("w:id"), str(n + 1))
    start.set(qn("w:name"), mark_name(n + 1, p.text if text is None else text))
    end.set(qn("w:id"), str(n + 1))
    ppr = p._p.find(qn("w:pPr"))
    if ppr is not None:
        ppr.addnext(start)
    else:
        p._p.insert(0, start)
    p._p.append(end)


def _to_complete(doc, hint: str) -> None:
    """A passage the officer writes: dotted lines to write on, `hint` (what to write) as a
    comment on them."""
    lines = [
        _para(doc, DOT * LINE_DOTS, indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
        for _ in range(TO_COMPLETE_LINES)
    ]
    doc.add_comment([lines[0].runs[0], lines[-1].runs[0]], for_xml(hint), author=HINT_AUTHOR, initials="TH")


def _page_numbers(doc) -> None:
    """The page number centred at the top of every page but the first (a PAGE field in the
    header, "different first page"), Arabic numerals, 13 pt (Phụ lục I, mục I.6)."""
    sec = doc.sections[0]
    sec.different_first_page_header_footer = True
    sec.first_page_header.is_linked_to_previous = False  # an empty header of its own
    sec.header_distance = Mm(HEADER_DISTANCE_MM)
    p = sec.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    pf = p.paragraph_format
    pf.space_before, pf.space_after, pf.line_spacing = Pt(0), Pt(0), 1.0
    run = p.add_run()
    run.font.name, run.font.size = FONT, Pt(PAGE_NUMBER_PT)
    # python-docx has no API for fields: begin, the instruction, separate, a cached "2", end
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "2"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText" if text.strip() == "PAGE" else "w:t")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


def _date_hints(doc, issued: dt.datetime) -> None:
    """Date the comments with the run, as the document's own dates are (python-docx stamps
    the clock), so two runs on the same inputs write the same document."""
    for comment in doc.comments:
        comment._comment_elm.date = issued.replace(microsecond=0)


def _title(doc, narrative: Narrative) -> None:
    doc.add_paragraph()
    center = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, narrative.title, bold=True, indent=False, align=center).paragraph_format.space_after = Pt(0)
    _para(doc, narrative.subject, bold=True, indent=False, align=center)
    if narrative.preliminary:
        _para(doc, narrative.preliminary, italic=True, indent=False, align=center)
    if narrative.coverage_note:
        run = _para(doc, narrative.coverage_note, italic=True, indent=False).runs[0]
        run.bold = True
    if narrative.addressee:
        _para(doc, narrative.addressee, indent=False, align=center)
    if narrative.opening:
        _para(doc, narrative.opening)


def _closing(doc, narrative: Narrative, typed: dict[str, str] | None = None) -> None:
    """'Nơi nhận:' bottom left, the signature block bottom right, in a borderless table of one
    row that may not break across pages, kept with the paragraph above it: the recipients,
    the signer's title and name never print on a page of their own or on two pages. `typed`
    holds the officer's signer title and name carried from their draft (`carried.FIELDS`)."""
    typed = typed or {}
    last = doc.paragraphs[-1]
    last.paragraph_format.keep_with_next = True
    doc.add_paragraph().paragraph_format.keep_with_next = True
    table = doc.add_table(rows=1, cols=2)
    _widths(table, [8.0, 8.5])
    _indent(table, 0)
    row = table.rows[0]
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # python-docx has no API for it
    left, right = row.cells
    p = left.paragraphs[0]
    p.paragraph_format.keep_with_next = True
    run = p.add_run(f"{CLOSING}:")
    run.bold, run.italic = True, True
    run.font.size = Pt(12)
    for r in narrative.recipients:
        line = left.add_paragraph()
        line.paragraph_format.space_after = Pt(0)
        for run in _add_text(line, f"- {r}"):
            run.font.size = Pt(11)
    title, title_hint = signer_line(narrative.signer_title, "chức danh người ký", SIGN_DOTS)
    if typed.get("signer_title"):
        title, title_hint = typed["signer_title"], ""
    p = _cell_line(right, title, bold=True, size=BODY_PT, first=True)
    if title_hint:
        _hint(p, p.runs[0], title_hint)
    _cell_line(right, "(Ký, đóng dấu)", italic=True, size=BODY_PT)
    for _ in range(3):
        _cell_line(right, "", size=BODY_PT)
    name, name_hint = signer_line(narrative.signer_name, "họ và tên người ký", SIGN_DOTS)
    if typed.get("signer_name"):
        name, name_hint = typed["signer_name"], ""
    p = _cell_line(right, name, bold=True, size=BODY_PT)
    if name_hint:
        _hint(p, p.runs[0], name_hint)
