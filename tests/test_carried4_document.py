"""Nothing the officer writes in the draft report vanishes without a word (issue #23, item
1): what the next draft cannot carry is named in the run's summary, and what it can is
carried whole.

As the officer lives it: `consolidate` from the console, the draft completed as Word would
write it (python-docx, the parts Word writes for comments and notes, the XML of Track
Changes, links and text boxes) and saved again by LibreOffice, a new unit arrives,
`consolidate` again; the new draft is read back, and opened by LibreOffice.
- A paragraph the officer types that looks like a heading ("I. Kết quả nổi bật", "1.",
  "a)", a line in capitals) does not end their section: all of it is carried, in order.
- Their comments, footnotes and endnotes (added as LibreOffice writes them), in their
  sections or in those the data give, are named with their first words; the draft's own
  hints are not.
- Text typed with Track Changes on is their text: carried in their sections, named in the
  others.
- A link keeps its address (named where the draft's text is rebuilt); a text box is named; a paragraph in a content control is read.
- What they type in the page header and footer, and in the signature block between the
  note and the signer's name, is named; an equation is carried (or named in a data section).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from pipeline.outbox.paths import document_path

from . import lo
from .test_carry3_document import (
    HEADING,
    _blocks,
    _consolidate,
    _officer_titles,
    _save_in_libreoffice,
    _sections,
    _write_over_dots,
)

OFFICER = "Nguyễn Thị Lan"
M = "http://schemas.openxmlformats.org/officeDocument/2006/math"


def _first_draft(form, make_file, tmp_path: Path) -> tuple[Path, Path, Path, list[str], dict[str, str]]:
    """(inbox, outbox, draft, the officer's titles, title -> number) after a first run."""
    make_file("899")
    inbox, outbox = tmp_path / "inbox", tmp_path / "out"
    _consolidate(inbox, outbox)
    draft = document_path(outbox, form.year)
    doc = docx.Document(str(draft))
    numbers = {m.group(2): m.group(1) for p in doc.paragraphs if (m := HEADING.match(p.text))}
    return inbox, outbox, draft, _officer_titles(doc), numbers


def _text(el) -> str:
    """What Word shows of the block `el`: its w:t, inserted ones too, never w:delText."""
    return "".join(t.text or "" for t in el.iter(qn("w:t")))


def _under(doc, title: str, titles: list[str]) -> list:
    """The body's w:p and w:tbl elements under the heading "<n>. `title`", up to the next
    heading of `titles` (the draft's own) or the signature block."""
    out, inside = [], False
    for block in _blocks(doc):
        text = _text(block._element).strip()
        if isinstance(block, Table) and text.startswith("Nơi nhận"):
            inside = False
        elif isinstance(block, Paragraph) and (m := HEADING.match(text)) and m.group(2) in titles:
            inside = m.group(2) == title
        elif inside:
            out.append(block._element)
    return out


def _lost(said: str) -> list[str]:
    return [line.strip()[2:] for line in said.splitlines() if line.startswith("  - ")]


def _opens_in_libreoffice(path: Path, tmp_path: Path) -> str:
    """The text LibreOffice reads from the .docx `path` (it opens it, or the test fails)."""
    lo.require_soffice()
    return lo.convert(path, tmp_path / "lo-text", "txt:Text (encoded):UTF8").read_text(encoding="utf-8")


def test_paragraphs_typed_like_headings_do_not_end_the_officers_section(form, make_file, tmp_path):
    inbox, outbox, draft, theirs, numbers = _first_draft(form, make_file, tmp_path)
    titles = list(numbers)
    doc = docx.Document(str(draft))
    assessment = next(t for t in theirs if t.startswith("ĐÁNH GIÁ"))
    # the officer structures their assessment as Word users do: Roman numerals, "1.", "a)",
    # a line in capitals; the first one typed over the draft's first dotted line
    typed = [
        "I. Kết quả nổi bật",
        "Các đơn vị hoàn thành chỉ tiêu hỗ trợ trẻ em năm nay.",
        "II. Tồn tại, hạn chế",
        "1. Một số đơn vị gửi báo cáo chậm.",
        "a) Huyện đảo chưa có cán bộ chuyên trách.",
        "IX. Bài học kinh nghiệm",
        "KẾT LUẬN",
        "Sở tiếp tục đôn đốc các đơn vị trong năm tới.",
    ]
    after = _write_over_dots(_sections(doc)[assessment], typed[0])._p
    for text in typed[1:]:
        p = doc.add_paragraph(text)
        after.addnext(p._p)
        after = p._p
    # in the next section of theirs, too: "X." is the number the draft gives its last section
    difficulties = next(t for t in theirs if t.startswith("KHÓ KHĂN"))
    first = _write_over_dots(_sections(doc)[difficulties], f"X. {difficulties}: thiếu kinh phí tập huấn.")
    doc.save(str(draft))
    _save_in_libreoffice(draft, tmp_path / "lo")

    make_file("900")
    said = _consolidate(inbox, outbox)

    new = docx.Document(str(draft))
    assert [t for el in _under(new, assessment, titles) if (t := _text(el).strip())] == typed
    assert [t for el in _under(new, difficulties, titles) if (t := _text(el).strip())] == [first.text]
    assert "Chưa chép sang bản dự thảo mới" not in said, said
    assert f"mục {numbers[assessment]}" in said.split("đã chép phần anh/chị viết", 1)[1].splitlines()[0]
    seen = _opens_in_libreoffice(draft, tmp_path)
    assert all(line in seen for line in typed)


def _with_notes_from_libreoffice(path: Path, tmp_path: Path, added: list[tuple[str, str]]) -> None:
    """Add notes and comments to the .docx `path` as LibreOffice writes them: opened as a
    flat ODF document, each (text, element) of `added` puts the ODF element (a text:note,
    an office:annotation) right after the paragraph text `text`, then saved back as .docx."""
    lo.require_soffice()
    flat = lo.convert(path, tmp_path / "fodt", "fodt")
    xml = flat.read_text(encoding="utf-8")
    for text, element in added:
        assert xml.count(text) == 1, text
        xml = xml.replace(text, text + element)
    flat.write_text(xml, encoding="utf-8")
    path.write_bytes(lo.convert(flat, tmp_path / "docx", "docx:MS Word 2007 XML").read_bytes())


def _note(kind: str, n: int, text: str) -> str:
    return (
        f'<text:note text:id="{kind}{n}" text:note-class="{kind}"><text:note-citation>{n}</text:note-citation>'
        f'<text:note-body><text:p text:style-name="{kind.title()}">{text}</text:p></text:note-body></text:note>'
    )


def _annotation(text: str) -> str:
    return (
        f"<office:annotation><dc:creator>{OFFICER}</dc:creator><dc:date>2026-12-01T09:00:00</dc:date>"
        f"<text:p>{text}</text:p></office:annotation>"
    )


def test_the_officers_comments_and_notes_are_named_with_their_first_words(form, make_file, tmp_path):
    inbox, outbox, draft, theirs, numbers = _first_draft(form, make_file, tmp_path)
    doc = docx.Document(str(draft))
    assessment = next(t for t in theirs if t.startswith("ĐÁNH GIÁ"))
    wrote = _write_over_dots(_sections(doc)[assessment], "Các đơn vị thực hiện tốt việc hỗ trợ trẻ em.")
    results = next(t for t in _sections(doc) if t.startswith("KẾT QUẢ"))
    said_by_data = _sections(doc)[results][0].text  # a paragraph the draft wrote, left as it is
    doc.save(str(draft))
    notes = [
        "Theo Công văn số 125/SLĐTBXH ngày 10/3/2025 của Sở gửi Bộ.",
        "Số liệu của Phòng Kế hoạch - Tài chính, chưa được kiểm toán.",
    ]
    remarks = [
        "Cần xin ý kiến Giám đốc Sở trước khi gửi Bộ, nhất là phần đánh giá.",
        "Kiểm tra lại số trẻ em của huyện Phú Quốc với Phòng LĐTBXH.",
    ]
    _with_notes_from_libreoffice(
        draft,
        tmp_path,
        [
            (wrote.text, _note("footnote", 1, notes[0]) + _annotation(remarks[0])),
            (said_by_data[-12:], _note("endnote", 1, notes[1]) + _annotation(remarks[1])),
        ],
    )
    with zipfile.ZipFile(draft) as z:  # the parts Word reads, as LibreOffice wrote them
        assert notes[0] in z.read("word/footnotes.xml").decode("utf-8")
        assert notes[1] in z.read("word/endnotes.xml").decode("utf-8")
        assert remarks[1] in z.read("word/comments.xml").decode("utf-8")

    make_file("900")
    said = _consolidate(inbox, outbox)

    new = docx.Document(str(draft))
    assert [_text(el) for el in _under(new, assessment, list(numbers)) if _text(el).strip()] == [wrote.text]
    first = lambda text: " ".join(text.split()[:8]) + "…"  # noqa: E731
    here, there = f"mục {numbers[assessment]}", f"mục {numbers[results]}"
    assert _lost(said) == [  # outside the officer's sections first, then inside them (as before)
        f"{there}: chú thích cuối văn bản «{first(notes[1])}»",
        f"{there}: nhận xét (comment) «{first(remarks[1])}»",
        f"{here}: chú thích cuối trang «{first(notes[0])}»",
        f"{here}: nhận xét (comment) «{first(remarks[0])}»",
    ], said  # the draft's own hints (comments on its dotted lines) are not named
    assert "Chưa chép sang bản dự thảo mới 4 phần" in said and "không chép được sang tệp khác" in said
    assert wrote.text in _opens_in_libreoffice(draft, tmp_path)


def _tracked(text: str, kind: str = "ins", n: int = 901, ns: str = "") -> str:
    """A run typed (`kind` "ins") or deleted ("del") with Track Changes on, as Word writes it;
    `ns`: namespace declarations when it is parsed alone."""
    t = "w:t" if kind == "ins" else "w:delText"
    return (
        f'<w:{kind} {ns} w:id="{n}" w:author="{OFFICER}" w:date="2026-12-01T09:00:00Z">'
        f'<w:r><{t} xml:space="preserve">{text}</{t}></w:r></w:{kind}>'
    )


def test_text_typed_with_track_changes_on_is_the_officers(form, make_file, tmp_path):
    inbox, outbox, draft, theirs, numbers = _first_draft(form, make_file, tmp_path)
    doc = docx.Document(str(draft))
    difficulties = next(t for t in theirs if t.startswith("KHÓ KHĂN"))
    dots = [b for b in _sections(doc)[difficulties] if b.text.strip()]
    # Track Changes on: the officer deletes the dotted lines and types two paragraphs
    typed = ["Thiếu cán bộ chuyên trách ở cấp xã.", "Kinh phí vận động về chậm."]
    for text, n in zip(typed, (901, 902), strict=True):
        p = parse_xml(f"<w:p {nsdecls('w')}>{_tracked(text, n=n)}</w:p>")
        dots[-1]._p.addnext(p)
        dots[-1] = Paragraph(p, dots[-1]._parent)
    for n, p in enumerate(dots[:-2]):
        for r in p._p.findall(qn("w:r")):
            for t in r.findall(qn("w:t")):
                t.tag = qn("w:delText")
            deleted = parse_xml(_tracked("", "del", 950 + n, nsdecls("w")))
            deleted.remove(deleted[0])
            r.addprevious(deleted)
            deleted.append(r)
    # and in a section the data give, a sentence added with Track Changes on
    results = next(t for t in _sections(doc) if t.startswith("KẾT QUẢ"))
    added = "Sở đánh giá kết quả vượt kế hoạch."
    _sections(doc)[results][0]._p.addprevious(
        parse_xml(f"<w:p {nsdecls('w')}>{_tracked(added, n=903)}</w:p>")
    )
    doc.save(str(draft))
    _save_in_libreoffice(draft, tmp_path / "lo")

    make_file("900")
    said = _consolidate(inbox, outbox)

    new = docx.Document(str(draft))
    carried = [t for el in _under(new, difficulties, list(numbers)) if (t := _text(el).strip())]
    assert carried == typed  # carried as the officer left them: insertions still to accept
    assert f"mục {numbers[results]}: «{added}»" in _lost(said), said
    assert all(text in _opens_in_libreoffice(draft, tmp_path) for text in typed)


def test_a_link_keeps_its_address_a_text_box_is_named_a_content_control_is_read(form, make_file, tmp_path):
    inbox, outbox, draft, theirs, numbers = _first_draft(form, make_file, tmp_path)
    doc = docx.Document(str(draft))
    proposals = next(t for t in theirs if t.startswith("ĐỀ XUẤT"))
    wrote = _write_over_dots(_sections(doc)[proposals], "Đề nghị Bộ xem kế hoạch của Sở tại ")
    address = "https://soldtbxh.kiengiang.gov.vn/ke-hoach-588"
    rid = doc.part.relate_to(address, RT.HYPERLINK, is_external=True)
    wrote._p.append(
        parse_xml(
            f'<w:hyperlink {nsdecls("w", "r")} r:id="{rid}"><w:r><w:rPr><w:rStyle w:val="Hyperlink"/>'
            "</w:rPr><w:t>trang thông tin của Sở</w:t></w:r></w:hyperlink>"
        )
    )
    # a sentence of the draft the officer made a link of, in a section the data give
    results = next(t for t in _sections(doc) if t.startswith("KẾT QUẢ"))
    sentence = next(b for b in _sections(doc)[results] if isinstance(b, Paragraph) and b.text.strip())
    source = "https://kiengiang.gov.vn/bao-cao-588"
    link = parse_xml(
        f'<w:hyperlink {nsdecls("w", "r")} r:id="{doc.part.relate_to(source, RT.HYPERLINK, True)}"/>'
    )
    runs = sentence._p.findall(qn("w:r"))
    runs[0].addprevious(link)
    link.extend(runs)
    boxed = "Ghi chú: kinh phí đã gồm phần đối ứng của tỉnh."
    box = doc.add_paragraph("Bảng tóm tắt: ")
    box._p.append(  # a text box as Word 2003 writes one (VML); LibreOffice saves it as a shape
        parse_xml(
            f'<w:r {nsdecls("w")} xmlns:v="urn:schemas-microsoft-com:vml"><w:pict>'
            '<v:shape style="width:200pt;height:40pt" type="#_x0000_t202"><v:textbox><w:txbxContent>'
            f"<w:p><w:r><w:t>{boxed}</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></w:r>"
        )
    )
    wrote._p.addnext(box._p)
    doc.save(str(draft))
    _save_in_libreoffice(draft, tmp_path / "lo")
    # a paragraph in a content control (Word's Developer tab), which LibreOffice would unwrap
    doc = docx.Document(str(draft))
    controlled = "Đề nghị Bộ tổ chức tập huấn trực tuyến cho cán bộ cấp xã."
    last = _sections(doc)[proposals][-1]
    last._p.addnext(
        parse_xml(
            f'<w:sdt {nsdecls("w")}><w:sdtPr><w:id w:val="77"/></w:sdtPr><w:sdtContent>'
            f"<w:p><w:r><w:t>{controlled}</w:t></w:r></w:p></w:sdtContent></w:sdt>"
        )
    )
    doc.save(str(draft))

    make_file("900")
    said = _consolidate(inbox, outbox)

    new = docx.Document(str(draft))
    carried = _under(new, proposals, list(numbers))
    texts = [t for el in carried if (t := _text(el).strip())]
    linked = "Đề nghị Bộ xem kế hoạch của Sở tại trang thông tin của Sở"
    assert texts == [linked, "Bảng tóm tắt:", controlled], texts
    instructions = [t.text for el in carried for t in el.iter(qn("w:instrText"))]
    assert instructions == [f' HYPERLINK "{address}" '], instructions
    first = lambda text: " ".join(text.split()[:8]) + ("…" if len(text.split()) > 8 else "")  # noqa: E731
    assert _lost(said) == [
        f"mục {numbers[results]}: liên kết «{first(sentence.text)}» ({source})",
        f"mục {numbers[proposals]}: khung chữ «{first(boxed)}»",
    ], said
    lo.require_soffice()
    page = lo.convert(draft, tmp_path / "lo-html", "html").read_text(encoding="utf-8")
    assert f'href="{address}"' in page  # LibreOffice reads the field as the link it is
    assert controlled in _opens_in_libreoffice(draft, tmp_path)


def test_what_the_officer_types_in_the_page_margins_and_the_signature_block_is_named(
    form, make_file, tmp_path
):
    inbox, outbox, draft, theirs, numbers = _first_draft(form, make_file, tmp_path)
    doc = docx.Document(str(draft))
    header = "Dự thảo lần 2, lưu hành nội bộ"
    footer = "Người soạn: Nguyễn Thị Lan, Phòng BTXH-TE"
    doc.sections[0].header.add_paragraph(header)  # on every page but the first, with the page number
    doc.sections[0].footer.add_paragraph(footer)
    sign = next(t for t in doc.tables if t.rows[0].cells[0].text.startswith("Nơi nhận")).rows[0].cells[-1]
    name = sign.paragraphs[-1]
    for r in name.runs:
        r.text = ""
    name.runs[0].text = "Trần Văn Minh"
    name.insert_paragraph_before("(đã ký)")
    doc.save(str(draft))
    _save_in_libreoffice(draft, tmp_path / "lo")

    make_file("900")
    said = _consolidate(inbox, outbox)

    assert _lost(said) == ["phần chữ ký: «(đã ký)»", f"đầu trang: «{header}»", f"chân trang: «{footer}»"], (
        said
    )
    new = docx.Document(str(draft))
    sign = next(t for t in new.tables if t.rows[0].cells[0].text.startswith("Nơi nhận")).rows[0].cells[-1]
    assert sign.paragraphs[-1].text == "Trần Văn Minh"  # the name, still carried


def _equation(text: str) -> object:
    """A paragraph holding only an equation, as Word's Insert > Equation writes it."""
    m = 'xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math"'
    return parse_xml(
        f"<w:p {nsdecls('w')} {m}><m:oMathPara><m:oMath><m:r><m:t>{text}</m:t></m:r>"
        "</m:oMath></m:oMathPara></w:p>"
    )


def test_an_equation_the_officer_writes_is_carried_or_named(form, make_file, tmp_path):
    inbox, outbox, draft, theirs, numbers = _first_draft(form, make_file, tmp_path)
    doc = docx.Document(str(draft))
    proposals = next(t for t in theirs if t.startswith("ĐỀ XUẤT"))
    wrote = _write_over_dots(_sections(doc)[proposals], "Kinh phí đề nghị tính theo công thức:")
    wrote._p.addnext(_equation("K=N×500.000"))  # the last thing the officer wrote in their section
    results = next(t for t in _sections(doc) if t.startswith("KẾT QUẢ"))
    _sections(doc)[results][0]._p.addprevious(_equation("T=A+B"))
    doc.save(str(draft))  # as Word saves it (LibreOffice here, without its Math module, drops equations)

    make_file("900")
    said = _consolidate(inbox, outbox)

    new = docx.Document(str(draft))
    carried = [t for el in _under(new, proposals, list(numbers)) if (t := _math_or_text(el))]
    assert carried == [wrote.text, "K=N×500.000"], carried
    assert _lost(said) == [f"mục {numbers[results]}: «T=A+B»"], said
    assert wrote.text in _opens_in_libreoffice(draft, tmp_path)


def _math_or_text(el) -> str:
    return (_text(el) + "".join(t.text or "" for t in el.iter(f"{{{M}}}t"))).strip()
