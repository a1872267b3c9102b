"""A heading is one the draft wrote (issue #23): the officer's text is read into the section
it sits in, the yearly report's and `tong-ket`'s, whatever it says.

- A line the officer types in the body with the text of one of the draft's headings (its
  title, or the whole heading with its number) is their text in the section it sits in:
  carried in one of theirs, named in one the data give; it never starts that section.
- A heading the officer renamed or renumbered (the draft's hidden bookmark on it kept) is
  still its section's, also when they added sections before it: what they wrote under it is
  carried there, the new name (not carried: the new draft prints its own) is named. A section
  the officer added is carried within the section of theirs it follows, or named.

As the officer lives it: a run, the draft edited with python-docx (and saved again by
LibreOffice, as Writer saves a .docx), another run; the new draft is read back by the
headings it wrote (its bookmarked paragraphs), the summary's lines by their text."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import docx
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from pipeline.app import consolidate_into
from pipeline.form import SCHEMAS_DIR, load_form
from pipeline.outbox.paths import document_path
from pipeline.render.carried import HEADING_STYLE, MARK
from pipeline.render.document import ROMAN
from pipeline.render.official import DOT

from .test_carry3_document import HEADING, _blocks, _officer_titles, _save_in_libreoffice
from .test_carry3_review import _review
from .test_carry5_review import review_draft


def _marked(paragraph) -> bool:
    return any((b.get(qn("w:name")) or "").startswith(MARK) for b in paragraph._p.iter(qn("w:bookmarkStart")))


def _drafted(path: Path) -> dict[str, list[str]]:
    """Title -> the texts under each heading the draft at `path` wrote (a numbered paragraph
    with its bookmark), dots and empty lines aside, up to the next one or the signature."""
    out: dict[str, list[str]] = {}
    under = None
    for block in _blocks(docx.Document(str(path))):
        if isinstance(block, Table):
            if block.rows[0].cells[0].text.startswith("Nơi nhận"):
                under = None
            continue
        text = block.text.strip()
        if _marked(block) and (m := HEADING.match(text)):
            under = m.group(2)
            out[under] = []
        elif under is not None and text and not set(text) <= {DOT}:
            out[under].append(text)
    return out


def _headings(doc) -> dict[str, object]:
    """Title -> the heading paragraph the draft wrote for it."""
    return {m.group(2): p for p in doc.paragraphs if _marked(p) and (m := HEADING.match(p.text.strip()))}


def _numbers(doc) -> dict[str, str]:
    return {t: p.text.split(".", 1)[0] for t, p in _headings(doc).items()}


def _type(paragraph, text: str) -> None:
    """The officer selects the paragraph's text and types `text` over it (its bookmark,
    around the text, stays)."""
    runs = paragraph.runs
    for r in runs[1:]:
        r.text = ""
    runs[0].text = text


def _write(doc, heading, lines: list[str]) -> None:
    """Type `lines` under `heading` over the dots: the first over the first dotted line,
    the others after it, the other dotted lines deleted."""
    after = heading._p
    dotted = []
    el = after.getnext()
    while (
        el is not None
        and el.tag == qn("w:p")
        and set("".join(t.text or "" for t in el.iter(qn("w:t")))) <= {DOT}
    ):
        dotted.append(el)
        el = el.getnext()
    for line in lines:
        p = doc.add_paragraph(line)
        after.addnext(p._p)
        after = p._p
    for el in dotted:
        el.getparent().remove(el)


def _insert_before(doc, heading, lines: list[str]) -> None:
    """The officer adds paragraphs `lines` just before the paragraph `heading`."""
    for line in lines:
        heading._p.addprevious(doc.add_paragraph(line)._p)


def _not_carried(report) -> list[str]:
    return [line for kept in report.outputs["kept"] for line in kept.get("not_carried", ())]


def _first_run(form, make_file, tmp_path: Path) -> tuple[Path, Path, Path]:
    make_file("899")
    inbox, outbox = tmp_path / "inbox", tmp_path / "out"
    consolidate_into(form, inbox, outbox, show_progress=False)
    return inbox, outbox, document_path(outbox, form.year)


def test_a_line_typed_with_a_headings_text_is_the_officers_text_where_it_sits(form, make_file, tmp_path):
    inbox, outbox, draft = _first_run(form, make_file, tmp_path)
    doc = docx.Document(str(draft))
    heads = _headings(doc)
    assessment, difficulties, proposals = _officer_titles(doc)
    resources = next(t for t in heads if t.startswith("NGUỒN LỰC"))
    # in their assessment, the next section's title as a line of theirs, and a line after it
    mine = ["Đánh giá của Sở.", difficulties, "Dòng sau tiêu đề gõ lại."]
    _write(doc, heads[assessment], mine)
    # in their difficulties, the proposals' whole heading, as the draft numbers it
    theirs = ["Khó khăn của Sở.", heads[proposals].text.strip(), "Vẫn là khó khăn của Sở."]
    _write(doc, heads[difficulties], theirs)
    # in a section the data give, their assessment's title and a line under it
    typed = [assessment, "Ghi chú trong mục số liệu."]
    titles = list(heads)
    _insert_before(doc, heads[titles[titles.index(resources) + 1]], typed)
    doc.save(str(draft))

    make_file("900")
    report = consolidate_into(form, inbox, outbox, show_progress=False)
    new = _drafted(draft)
    assert new[assessment] == mine
    assert new[difficulties] == theirs
    assert new[proposals] == []  # nothing written there: its dots
    numbers = _numbers(docx.Document(str(draft)))
    said = _not_carried(report)
    assert f"mục {numbers[resources]}: «{assessment}»" in said
    assert f"mục {numbers[resources]}: «Ghi chú trong mục số liệu.»" in said
    assert not [line for line in said if "Đánh giá của Sở" in line or "khó khăn của Sở" in line.lower()]


def test_a_renamed_heading_after_added_sections_keeps_its_section(form, make_file, tmp_path):
    """Saved again by LibreOffice: the bookmarks Writer keeps are what tell the headings."""
    inbox, outbox, draft = _first_run(form, make_file, tmp_path)
    doc = docx.Document(str(draft))
    heads = _headings(doc)
    numbers = _numbers(doc)
    assessment, difficulties, proposals = _officer_titles(doc)
    # a section added after the last one the data give (before their assessment), one added
    # before their proposals; the headings after each renumbered, the proposals renamed
    titles = list(heads)
    at = titles.index(assessment)
    added_data = [
        f"{numbers[assessment]}. KẾT QUẢ KIỂM TRA THỰC TẾ",
        "Đoàn kiểm tra làm việc tại ba huyện.",
    ]
    _insert_before(doc, heads[assessment], added_data)
    shift = {t: n + (t in titles[at:]) + (t == proposals) for n, t in enumerate(titles, 1)}
    roman = dict(enumerate(ROMAN, 1))
    added_theirs = [f"{roman[shift[proposals] - 1]}. PHỐI HỢP LIÊN NGÀNH", "Các sở đã phối hợp tốt."]
    _insert_before(doc, heads[proposals], added_theirs)
    renamed = f"{roman[shift[proposals]]}. ĐỀ XUẤT, KIẾN NGHỊ CỦA SỞ"
    for t in titles[at:]:
        _type(heads[t], renamed if t == proposals else f"{roman[shift[t]]}. {t}")
    _write(doc, heads[assessment], ["Đánh giá của Sở."])
    _write(doc, heads[difficulties], ["Khó khăn của Sở."])
    _write(doc, heads[proposals], ["Đề xuất của Sở.", "Đề xuất thứ hai."])
    doc.save(str(draft))
    _save_in_libreoffice(draft, tmp_path / "lo")

    make_file("900")
    report = consolidate_into(form, inbox, outbox, show_progress=False)
    new = _drafted(draft)
    assert new[proposals] == ["Đề xuất của Sở.", "Đề xuất thứ hai."]  # under its renamed heading
    # the section added: carried, its number in sequence (the one before it was not carried)
    assert new[difficulties] == [
        "Khó khăn của Sở.",
        f"{roman[shift[proposals] - 2]}. PHỐI HỢP LIÊN NGÀNH",
        added_theirs[1],
    ]
    assert new[assessment] == ["Đánh giá của Sở."]
    # the section added after the data is not carried (named below): the numbers after it
    # follow in sequence, never skipping one (breaker brk10 R1), the officer's added section too
    printed = {t: roman[shift[t] - (t in titles[at:])] for t in titles}
    assert _numbers(docx.Document(str(draft))) == printed
    said = _not_carried(report)
    last_data = titles[at - 1]
    assert [line for line in said if line.startswith(f"mục {numbers[last_data]}:")] == [
        f"mục {numbers[last_data]}: «{added_data[0]}»",  # the section added after the data: named
        f"mục {numbers[last_data]}: «{added_data[1]}»",
    ]
    assert any(line.startswith(f"mục {printed[proposals]}: đề mục «{renamed}»") for line in said), said
    (kept,) = report.outputs["kept"]
    assert kept["carried"] == [  # in the new draft's numbers, the section added in theirs too
        printed[assessment],
        printed[difficulties],
        roman[shift[proposals] - 2],
        printed[proposals],
    ]


def test_the_reviews_headings_are_the_drafts_own(tmp_path):
    outbox, out, draft, theirs = review_draft(tmp_path)
    doc = docx.Document(str(draft))
    heads = _headings(doc)
    numbers = _numbers(doc)
    titles = list(heads)
    data = titles[0]  # a section the data give
    # in their section: a data section's title as a line, and a line after it
    mine = ["Tổng kết của Sở.", data, "Dòng sau tiêu đề gõ lại."]
    _write(doc, heads[theirs], mine)
    doc.save(str(draft))
    _review(outbox, out)
    assert _drafted(draft)[theirs] == mine

    # then a section added before theirs, and theirs renamed
    doc = docx.Document(str(draft))
    heads = _headings(doc)
    added = [f"{numbers[theirs]}. MỤC CÁN BỘ THÊM", "Nội dung mục thêm."]
    _insert_before(doc, heads[theirs], added)
    number = ROMAN[ROMAN.index(numbers[theirs]) + 1]  # renumbered after the section added
    _type(heads[theirs], f"{number}. NHẬN XÉT CỦA SỞ")
    doc.save(str(draft))
    said = _review(outbox, out)
    assert _drafted(draft)[theirs] == mine  # carried under its renamed heading
    before = titles[titles.index(theirs) - 1]
    assert f"  - mục {numbers[before]}: «{added[0]}»" in said  # added after a data section: named
    assert f"  - mục {numbers[before]}: «{added[1]}»" in said
    # named in the new draft's numbers: renamed, it prints its own heading, after the section
    # added (not carried) as before it (carry8)
    assert f"  - mục {numbers[theirs]}: đề mục «{number}. NHẬN XÉT CỦA SỞ»" in said
    # the heading under its own words, the text added under "Chưa chép …" (brk12 R2: both
    # under "Chưa chép … N phần anh/chị viết")
    lines = said.splitlines()
    text_at = next(
        i for i, line in enumerate(lines) if line.startswith("Chưa chép sang bản dự thảo mới 2 phần")
    )
    note_at = next(
        i for i, line in enumerate(lines) if line.startswith("Đề mục trong bản dự thảo mới khác với bản")
    )
    heading = lines.index(f"  - mục {numbers[theirs]}: đề mục «{number}. NHẬN XÉT CỦA SỞ»")
    assert text_at < lines.index(f"  - mục {numbers[before]}: «{added[0]}»") < note_at < heading


def test_a_renamed_heading_keeps_its_section_when_the_wording_adds_one_before_it(form, make_file, tmp_path):
    """The wording configuration gains a section before the proposals between two runs: the
    proposals move from X to XI in the new draft; their heading, renamed by the officer, is
    still theirs (its bookmark was written as "X. …"), so what they wrote lands there, not in
    the section before it."""
    folder = tmp_path / "cau-hinh"
    shutil.copytree(SCHEMAS_DIR, folder)
    wording = (folder / "bao-cao.toml").read_text(encoding="utf-8")
    proposals_spec = '[[sections]]\nkind = "proposals"\ntitle = "ĐỀ XUẤT, KIẾN NGHỊ VỚI {recipient_upper}"'
    assert wording.count(proposals_spec) == 1
    added = '[[sections]]\nkind = "proposals"\ntitle = "PHỐI HỢP LIÊN NGÀNH"\nparagraphs = ["[Cán bộ tổng hợp nêu việc phối hợp.]"]\n\n'
    (folder / "bao-cao-moi.toml").write_text(
        wording.replace(proposals_spec, added + proposals_spec), encoding="utf-8"
    )
    config = (folder / "kien-giang.toml").read_text(encoding="utf-8")
    assert config.count('document = "bao-cao.toml"') == 1
    (folder / "moi.toml").write_text(
        config.replace('document = "bao-cao.toml"', 'document = "bao-cao-moi.toml"'), encoding="utf-8"
    )

    inbox, outbox, draft = _first_run(form, make_file, tmp_path)
    doc = docx.Document(str(draft))
    heads = _headings(doc)
    numbers = _numbers(doc)
    assessment, difficulties, proposals = _officer_titles(doc)
    _write(doc, heads[difficulties], ["Khó khăn của Sở."])
    _write(doc, heads[proposals], ["Đề xuất của Sở."])
    renamed = f"{numbers[proposals]}. ĐỀ XUẤT CỦA SỞ"
    _type(heads[proposals], renamed)
    doc.save(str(draft))

    report = consolidate_into(load_form(folder / "moi.toml"), inbox, outbox, show_progress=False)
    new = _drafted(draft)
    assert new[proposals] == ["Đề xuất của Sở."]
    assert new[difficulties] == ["Khó khăn của Sở."]
    assert new["PHỐI HỢP LIÊN NGÀNH"] == []
    now = _numbers(docx.Document(str(draft)))
    assert now[proposals] == ROMAN[ROMAN.index(numbers[proposals]) + 1]  # moved by the wording
    assert f"mục {now[proposals]}: đề mục «{renamed}»" in _not_carried(report)  # the new draft's number


def _drop_bookmark(paragraph) -> None:
    """What Word does to a bookmark whose whole text the officer types over: it is gone."""
    for tag in ("w:bookmarkStart", "w:bookmarkEnd"):
        for b in list(paragraph._p.iter(qn(tag))):
            b.getparent().remove(b)


def test_a_heading_retyped_whole_is_still_its_sections_by_its_style(form, make_file, tmp_path):
    """The officer types a new heading over the proposals' (Word drops its bookmark) after
    adding a section of their own before it, typed in the heading's style too (copied from
    it); saved again by LibreOffice. The retyped heading is the proposals' (the one heading
    missing there); the section added is theirs, carried with the section before it."""
    inbox, outbox, draft = _first_run(form, make_file, tmp_path)
    doc = docx.Document(str(draft))
    heads = _headings(doc)
    numbers = _numbers(doc)
    assessment, difficulties, proposals = _officer_titles(doc)
    _write(doc, heads[difficulties], ["Khó khăn của Sở."])
    _write(doc, heads[proposals], ["Đề xuất của Sở."])
    added = [f"{numbers[proposals]}. PHỐI HỢP LIÊN NGÀNH", "Các sở đã phối hợp tốt."]
    _insert_before(doc, heads[proposals], added)
    added_heading = heads[proposals]._p.getprevious().getprevious()
    added_heading.addprevious(copy.deepcopy(heads[proposals]._p))  # the heading copied and typed over
    copied = Paragraph(added_heading.getprevious(), heads[proposals]._parent)
    added_heading.getparent().remove(added_heading)
    _drop_bookmark(copied)
    _type(copied, added[0])
    renamed = f"{ROMAN[ROMAN.index(numbers[proposals]) + 1]}. KIẾN NGHỊ CỦA SỞ"
    _drop_bookmark(heads[proposals])
    _type(heads[proposals], renamed)
    doc.save(str(draft))
    _save_in_libreoffice(draft, tmp_path / "lo")
    saved = docx.Document(str(draft))
    assert [p.text for p in saved.paragraphs if p.style.name == HEADING_STYLE][-2:] == [added[0], renamed]

    make_file("900")
    report = consolidate_into(form, inbox, outbox, show_progress=False)
    new = _drafted(draft)
    assert new[proposals] == ["Đề xuất của Sở."]
    assert new[difficulties] == ["Khó khăn của Sở.", *added]
    assert f"mục {renamed.split('.')[0]}: đề mục «{renamed}»" in _not_carried(report)
