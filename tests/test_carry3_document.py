"""The sections the officer writes in the yearly report, and everything else they type, are
never silently lost by the next draft (issue #23, item 1; the tester's C2 and B4).

As the officer lives it: `consolidate` from the console, the draft completed with
python-docx as Word would (and saved again by LibreOffice), a new unit arrives, `consolidate`
again; the new draft is read back.
- C2: the draft gives the officer their own sections (the assessment, the difficulties, the
  proposals, as the wording configuration names them) and carries each; a paragraph typed
  in a section the data give, and a sentence of it the officer changed, are named in the
  summary (section, first words), nothing the draft wrote is named.
- B4: a table, a numbered list and bold words in the officer's section are carried (a
  picture, which cannot be, is named); a table the officer adds after the signature (an
  annex) does not make the signer's name drop back to dots, in the draft or on the biểu,
  and is named as not carried, as is a recipient they added under "Nơi nhận".
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import docx
import openpyxl
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from pipeline.form import SCHEMAS_DIR, load_form, pending_fields
from pipeline.outbox.paths import document_path, workbook_path
from pipeline.render.narrative import load_wording
from pipeline.render.official import DOT
from pipeline.render.pdf import BIEU
from pipeline.render.workbook import SHEETS
from pipeline.samples import write_samples

from . import lo
from .clirun import run_cli
from .nasty import _png

HEADING = re.compile(r"^([IVX]+)\. (.+)$")


def _consolidate(inbox: Path, outbox: Path) -> str:
    out = run_cli("consolidate", "--inbox", str(inbox), "--outbox", str(outbox))
    assert out.returncode == 0, out.stderr
    return out.stdout


def _blocks(doc) -> list:
    """The body's paragraphs and tables, in order, as python-docx objects."""
    out = []
    for el in doc.element.body.iterchildren():
        if el.tag == qn("w:p"):
            out.append(Paragraph(el, doc._body))
        elif el.tag == qn("w:tbl"):
            out.append(Table(el, doc._body))
    return out


def _dotted(block) -> bool:
    return isinstance(block, Paragraph) and bool(block.text.strip()) and set(block.text.strip()) <= {DOT}


def _sections(doc) -> dict[str, list]:
    """Heading title (without its number) -> the blocks under it, up to the next heading or
    the signature block."""
    out: dict[str, list] = {}
    under = None
    for block in _blocks(doc):
        if isinstance(block, Table) and block.rows[0].cells[0].text.startswith("Nơi nhận"):
            under = None
        elif isinstance(block, Paragraph) and (m := HEADING.match(block.text.strip())):
            under = m.group(2)
            out[under] = []
        elif under is not None:
            out[under].append(block)
    return out


def _officer_titles(doc) -> list[str]:
    """The titles of the sections printed as dotted lines: the officer's."""
    out = []
    for title, blocks in _sections(doc).items():
        full = [b for b in blocks if isinstance(b, Table) or b.text.strip()]
        if full and all(_dotted(b) for b in full):
            out.append(title)
    return out


def _signature(doc):
    return next(t for t in doc.tables if t.rows[0].cells[0].text.startswith("Nơi nhận"))


def _write_over_dots(blocks: list, text: str) -> Paragraph:
    """The officer types `text` over the first dotted line of `blocks` and deletes the others."""
    first, *rest = [b for b in blocks if _dotted(b)]
    for r in first.runs:
        r.text = ""
    first.runs[0].text = text
    for p in rest:
        p._p.getparent().remove(p._p)
    return first


def _save_in_libreoffice(path: Path, tmp: Path) -> None:
    lo.require_soffice()
    saved = lo.convert(path, tmp, "docx:MS Word 2007 XML")
    path.write_bytes(saved.read_bytes())


def test_the_officers_assessment_difficulties_and_proposals_are_carried_and_the_rest_named(
    form, make_file, tmp_path
):
    make_file("899")
    make_file("SYT")
    inbox, outbox = tmp_path / "inbox", tmp_path / "out"
    _consolidate(inbox, outbox)
    draft = document_path(outbox, form.year)
    doc = docx.Document(str(draft))

    # the officer's own places, as the wording names them (letter 182/UBND-KGVX: the
    # department assesses, reports difficulties and proposes)
    wording = load_wording(form.document)
    theirs = _officer_titles(doc)
    assert len(theirs) == sum(s["kind"] == "proposals" for s in wording["sections"]) >= 3
    assert any(t.startswith("ĐÁNH GIÁ") for t in theirs) and any(t.startswith("KHÓ KHĂN") for t in theirs)
    assert any(t.startswith("ĐỀ XUẤT") for t in theirs)

    # the officer writes in each of them, and in two sections the data give
    sections = _sections(doc)
    written = {t: f"Nội dung cán bộ viết ở mục «{t[:20]}»: số {i}." for i, t in enumerate(theirs)}
    for title, text in written.items():
        _write_over_dots(sections[title], text)
    data_titles = [t for t in sections if t not in theirs]
    units_said = next(t for t in data_titles if "CÁC ĐƠN VỊ" in t and "KHÓ KHĂN" in t)
    typed = "Đánh giá chung của Sở: các đơn vị gửi báo cáo chậm, cần đôn đốc sớm hơn."
    sections[units_said][0].insert_paragraph_before(typed)
    results = next(t for t in data_titles if t.startswith("KẾT QUẢ"))
    sections[results][0].add_run(" Sở bổ sung: kết quả đạt kế hoạch.")
    changed_start = " ".join(sections[results][0].text.split()[:8])
    doc.save(str(draft))
    _save_in_libreoffice(draft, tmp_path / "lo")
    numbers = {
        m.group(2): m.group(1) for p in docx.Document(str(draft)).paragraphs if (m := HEADING.match(p.text))
    }

    make_file("900")  # a new unit: every figure of the data's sections changes
    said = _consolidate(inbox, outbox)

    new = _sections(docx.Document(str(draft)))
    for title, text in written.items():
        assert [b.text for b in new[title] if b.text.strip()] == [text]
    everything = " ".join(b.text for blocks in new.values() for b in blocks if isinstance(b, Paragraph))
    assert typed not in everything and "Sở bổ sung" not in everything
    assert "3/28" in everything  # the new figures
    # the summary names what the officer typed that the new draft does not carry: where, first words
    lost = [line.strip()[2:] for line in said.splitlines() if line.startswith("  - ")]
    assert lost == [
        f"mục {numbers[results]}: «{changed_start}…»",
        f"mục {numbers[units_said]}: «{' '.join(typed.split()[:8])}…»",
    ]
    assert "Chưa chép sang bản dự thảo mới 2 phần anh/chị viết ngoài các mục của anh/chị" in said
    assert "Các chỗ để dấu chấm" not in said  # Kiên Giang's settings are all filled


def test_typing_over_a_configured_place_names_the_settings_to_fill(tmp_path):
    """brk34 F4: the officer typed the request's number over the opening's dots, and each new
    draft printed the dots again; the summary said only to copy it back. It now names the
    configuration's settings still "cần điền", which every later draft prints once filled."""
    ag = load_form(SCHEMAS_DIR / "an-giang.toml")
    inbox, outbox = tmp_path / "inbox", tmp_path / "out"
    samples = sorted(p for p in write_samples(ag, tmp_path / "mau") if p.suffix == ".xlsx")
    inbox.mkdir()
    for path in samples[:2]:
        shutil.copy(path, inbox)
    config = ("--config", str(ag.path))
    assert run_cli(*config, "consolidate", "--inbox", str(inbox), "--outbox", str(outbox)).returncode == 0
    draft = document_path(outbox, ag.year)
    doc = docx.Document(str(draft))
    opening = next(p for p in doc.paragraphs if DOT * 5 in p.text and not HEADING.match(p.text))
    for run in opening.runs:
        if DOT * 5 in run.text:
            run.text = re.sub(f"{re.escape(DOT)}+", "55/UBND-VX ngày 01/3/2025", run.text, count=1)
    doc.save(str(draft))
    said = run_cli(*config, "consolidate", "--inbox", str(inbox), "--outbox", str(outbox)).stdout
    assert "55/UBND-VX" in said, said  # named as not carried
    pending = pending_fields(ag.path)
    assert "form.request" in pending
    line = next(x for x in said.splitlines() if x.startswith("Các chỗ để dấu chấm"))
    assert (
        f"còn {len(pending)} mục «cần điền» ({', '.join(pending)}): điền vào tệp schemas/an-giang.toml thì"
        in line
    ), line


def test_a_sentence_added_to_a_paragraph_the_new_draft_prints_again_is_what_is_named(
    form, make_file, tmp_path
):
    """brk21: the officer writes on at the end of a paragraph of a data section, and the new
    draft prints that paragraph as it was (the same figures): the summary names what they
    added, and the paragraph it follows, not the paragraph's own first words."""
    make_file("899")
    inbox, outbox = tmp_path / "inbox", tmp_path / "out"
    _consolidate(inbox, outbox)
    draft = document_path(outbox, form.year)
    doc = docx.Document(str(draft))
    theirs = _officer_titles(doc)
    sections = _sections(doc)
    results = next(t for t in sections if t not in theirs and t.startswith("KẾT QUẢ"))
    paragraph = sections[results][0]
    start = " ".join(paragraph.text.split()[:8])
    paragraph.add_run(" Sở bổ sung: kết quả đạt kế hoạch đề ra của năm.")
    doc.save(str(draft))
    numbers = {
        m.group(2): m.group(1) for p in docx.Document(str(draft)).paragraphs if (m := HEADING.match(p.text))
    }

    said = _consolidate(inbox, outbox)

    lost = [line.strip()[2:] for line in said.splitlines() if line.startswith("  - ")]
    named = (
        f"mục {numbers[results]}: «Sở bổ sung: kết quả đạt kế hoạch…» (viết thêm vào cuối đoạn «{start}…»)"
    )
    assert lost == [named], said
    assert "Nhắc lại" not in said

    # the runs after, the kept copy unchanged: the text is still only there, and said so again
    # (brk21: said once, then never)
    for _ in range(2):
        again = _consolidate(inbox, outbox)
        assert [line.strip()[2:] for line in again.splitlines() if line.startswith("  - ")] == [named], again
        reminder = next(line for line in again.splitlines() if line.startswith("Nhắc lại: 1 phần"))
        assert "-ban-da-sua" in reminder and "chưa có trong bản dự thảo mới" in reminder, reminder


def test_tables_lists_and_bold_in_the_officers_section_are_carried_and_an_annex_keeps_the_signer(
    form, make_file, tmp_path
):
    make_file("899")
    inbox, outbox = tmp_path / "inbox", tmp_path / "out"
    _consolidate(inbox, outbox)
    draft = document_path(outbox, form.year)
    doc = docx.Document(str(draft))
    proposals = next(t for t in _officer_titles(doc) if t.startswith("ĐỀ XUẤT"))
    first = _write_over_dots(_sections(doc)[proposals], "Đề nghị Bộ hỗ trợ: ")
    first.add_run("kinh phí tập huấn").bold = True
    table = doc.add_table(rows=2, cols=2)
    for cell, text in zip(
        table._cells, ["Nội dung", "Kinh phí (đồng)", "Tập huấn", "500.000.000"], strict=True
    ):
        cell.text = text
    first._p.addnext(table._tbl)
    items = ["Mở rộng Đề án sang giai đoạn 2026-2030.", "Ưu tiên trẻ em vùng lũ."]
    after = table._tbl
    for text in items:
        p = doc.add_paragraph(text, style="List Number")
        after.addnext(p._p)
        after = p._p
    photo = tmp_path / "anh.png"
    photo.write_bytes(_png())
    p = doc.add_paragraph("Ảnh lớp tập huấn: ")
    p.add_run().add_picture(str(photo))
    after.addnext(p._p)  # a picture cannot be carried into another file: it is named
    name = "Nguyễn Văn Tư"
    sign = _signature(doc).rows[0].cells[1].paragraphs
    sign[-1].runs[0].text = name
    for r in sign[-1].runs[1:]:
        r.text = ""
    _signature(doc).rows[0].cells[0].add_paragraph("- Sở Tài chính;")  # a recipient added
    doc.add_paragraph("PHỤ LỤC")  # an annex after the signature: its title, then its table
    doc.add_table(rows=1, cols=1).cell(0, 0).text = "Danh sách nhà tài trợ của Sở"
    doc.save(str(draft))
    _save_in_libreoffice(draft, tmp_path / "lo")

    make_file("900")
    said = _consolidate(inbox, outbox)

    new = docx.Document(str(draft))
    number = next(p.text.split(".")[0] for p in new.paragraphs if p.text.endswith(proposals))
    carried = [b for b in _sections(new)[proposals] if isinstance(b, Table) or b.text.strip()]
    kinds = [type(b).__name__ for b in carried]
    assert kinds == ["Paragraph", "Table", "Paragraph", "Paragraph", "Paragraph"], kinds
    assert carried[0].text == "Đề nghị Bộ hỗ trợ: kinh phí tập huấn"
    assert [bool(r.bold) for r in carried[0].runs if r.text.strip()][-1] is True
    assert [[c.text for c in row.cells] for row in carried[1].rows] == [
        ["Nội dung", "Kinh phí (đồng)"],
        ["Tập huấn", "500.000.000"],
    ]
    # a list keeps its numbers: its style's (the new draft defines it alike) or as text
    assert carried[4].text.strip() == "Ảnh lớp tập huấn:"
    for n, (p, text) in enumerate(zip(carried[2:4], items, strict=True), start=1):
        assert p.text.endswith(text)
        assert p.text == f"{n}. {text}" or (p.style.name == "List Number" and p.text == text), p.text
    # the signature block is found by what it is: the annex after it changes nothing
    assert _signature(new).rows[0].cells[1].paragraphs[-1].text == name
    book = openpyxl.load_workbook(workbook_path(outbox, form.year))
    for key in BIEU:
        assert any(name in row for row in book[SHEETS[key]].iter_rows(values_only=True)), key
    assert "họ tên người ký" in said.split("đã chép phần anh/chị viết", 1)[1].splitlines()[0]
    lost = [line for line in said.splitlines() if line.startswith("  - ")]
    assert lost == [
        "  - phần nơi nhận: «- Sở Tài chính;»",
        "  - sau phần chữ ký: «PHỤ LỤC»",
        "  - sau phần chữ ký, bảng: «Danh sách nhà tài trợ của Sở»",
        f"  - mục {number}: hình ảnh («Ảnh lớp tập huấn:»)",
    ]
