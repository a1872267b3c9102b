"""The officer's section numbering is kept, and the summary uses one numbering (issue #23,
breaker brk7 finding 4).

The officer adds a section of their own after one of theirs ("X. NHIỆM VỤ NĂM 2026", a
bold line or a paragraph in the headings' style) and renumbers the heading after it
("X. ĐỀ XUẤT" -> "XI. ĐỀ XUẤT"): the new draft prints their numbers, never two sections
with one number; a number that cannot stay (it would repeat or go back) is the next one,
named in the summary as a renamed heading is. The summary names every section by the new
draft's numbers, in what it carried and in what it did not. A later run with nothing
changed prints the same numbers again.

As the officer lives it: a run, the draft edited with python-docx as Word leaves it (and
saved again by LibreOffice), another run; the new draft read back by its paragraphs."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import docx
import pytest

from pipeline.app import consolidate_into
from pipeline.form import SCHEMAS_DIR, load_form
from pipeline.render.carried import FIRST_WORDS, HEADING_STYLE
from pipeline.render.carried_numbers import consistent_style, parse_heading, section_number
from pipeline.render.document import ROMAN

from .test_carry3_document import _officer_titles, _save_in_libreoffice
from .test_carry6_headings import (
    _drafted,
    _first_run,
    _headings,
    _insert_before,
    _not_carried,
    _numbers,
    _type,
    _write,
)

SECTION = re.compile(r"^([IVX]+)\. (\S.*)$")  # a line that reads as a section's heading
ADDED = "NHIỆM VỤ NĂM 2026"


def _sections_printed(path: Path) -> list[tuple[str, str]]:
    """(number, title) of every paragraph of the document at `path` that reads as a section
    heading, the draft's and the officer's alike, in order."""
    return [
        (m.group(1), m.group(2))
        for p in docx.Document(str(path)).paragraphs
        if (m := SECTION.match(p.text.strip()))
    ]


def _assert_numbered_once(path: Path) -> None:
    """No two sections of the document share a number, and the numbers grow."""
    values = [ROMAN.index(n) for n, _ in _sections_printed(path)]
    assert values == sorted(set(values)), _sections_printed(path)


def _words(text: str) -> str:
    """`text` as the summary quotes it: its first words."""
    words = text.split()
    return " ".join(words[:FIRST_WORDS]) + ("…" if len(words) > FIRST_WORDS else "")


def _kept(report) -> dict:
    (kept,) = report.outputs["kept"]
    return kept


def _next(numbers: dict[str, str], title: str, by: int = 1) -> str:
    return ROMAN[ROMAN.index(numbers[title]) + by]


def test_a_section_added_and_the_next_heading_renumbered_keep_the_officers_numbers(form, make_file, tmp_path):
    """The section added as a bold line, as in the breaker's script; saved again by
    LibreOffice. Its number and the heading renumbered after it are printed as the officer
    left them, on a second run and on a third with nothing changed."""
    inbox, outbox, draft = _first_run(form, make_file, tmp_path)
    doc = docx.Document(str(draft))
    heads, numbers = _headings(doc), _numbers(doc)
    _, difficulties, proposals = _officer_titles(doc)
    added = [f"{numbers[proposals]}. {ADDED}", "Tiếp tục vận động các doanh nghiệp."]
    _write(doc, heads[difficulties], ["Thiếu cán bộ chuyên trách."])
    _insert_before(doc, heads[proposals], added)
    bold = next(p for p in doc.paragraphs if p.text == added[0])
    bold.runs[0].bold = True
    _type(heads[proposals], f"{_next(numbers, proposals)}. {proposals}")
    doc.save(str(draft))
    _save_in_libreoffice(draft, tmp_path / "lo")

    make_file("900")
    report = consolidate_into(form, inbox, outbox, show_progress=False)
    assert _numbers(docx.Document(str(draft)))[proposals] == _next(numbers, proposals)
    assert _drafted(draft)[difficulties] == ["Thiếu cán bộ chuyên trách.", *added]
    _assert_numbered_once(draft)
    # what was carried, in the new draft's numbers: IX and the officer's X after it
    assert _kept(report)["carried"] == [numbers[difficulties], numbers[proposals]]
    assert _not_carried(report) == []  # the numbers are kept: nothing to name

    make_file("900", seed=1)  # more mail; the officer changed nothing since
    again = consolidate_into(form, inbox, outbox, show_progress=False)
    assert _numbers(docx.Document(str(draft)))[proposals] == _next(numbers, proposals)
    assert _drafted(draft)[difficulties] == ["Thiếu cán bộ chuyên trách.", *added]
    _assert_numbered_once(draft)
    assert _not_carried(again) == []


def test_a_section_added_in_the_headings_style_among_numbered_items(form, make_file, tmp_path):
    """The section added as a paragraph in the headings' style (the style gallery), the
    officer's items numbered "1.", "a)" and "I." inside their sections: only the added
    heading is a section; their numbers are kept, the added heading keeps its style."""
    inbox, outbox, draft = _first_run(form, make_file, tmp_path)
    doc = docx.Document(str(draft))
    heads, numbers = _headings(doc), _numbers(doc)
    assessment, difficulties, proposals = _officer_titles(doc)
    items = ["I. Kết quả nổi bật", "1. Vận động được nhiều nguồn lực.", "a) Cấp tỉnh."]
    _write(doc, heads[assessment], items)
    _write(doc, heads[difficulties], ["1. Thiếu cán bộ chuyên trách.", "2. Thiếu kinh phí."])
    _write(doc, heads[proposals], ["1. Đề nghị Bộ bố trí kinh phí."])
    added = [f"{numbers[proposals]}. {ADDED}", "1. Tiếp tục vận động.", "a) Các doanh nghiệp."]
    _insert_before(doc, heads[proposals], added)
    next(p for p in doc.paragraphs if p.text == added[0]).style = doc.styles[HEADING_STYLE]
    _type(heads[proposals], f"{_next(numbers, proposals)}. {proposals}")
    doc.save(str(draft))

    make_file("900")
    report = consolidate_into(form, inbox, outbox, show_progress=False)
    new = docx.Document(str(draft))
    assert _numbers(new) == {**numbers, proposals: _next(numbers, proposals)}
    drafted = _drafted(draft)
    assert drafted[assessment] == items
    assert drafted[difficulties] == ["1. Thiếu cán bộ chuyên trách.", "2. Thiếu kinh phí.", *added]
    assert drafted[proposals] == ["1. Đề nghị Bộ bố trí kinh phí."]
    assert next(p for p in new.paragraphs if p.text == added[0]).style.name == HEADING_STYLE
    # the officer's "I. Kết quả nổi bật" is an item of theirs, not a section: its own count
    printed = [(n, t) for n, t in _sections_printed(draft) if t != "Kết quả nổi bật"]
    values = [ROMAN.index(n) for n, _ in printed]
    assert values == sorted(set(values)), printed
    assert _kept(report)["carried"] == [
        numbers[assessment],
        numbers[difficulties],
        numbers[proposals],
        _next(numbers, proposals),
    ]
    assert _not_carried(report) == []


def test_a_section_added_without_renumbering_the_next_heading(form, make_file, tmp_path):
    """The officer adds "X. …" but leaves the heading after it "X.": the new draft numbers
    that heading XI and says so; a third run with nothing changed keeps XI, silent."""
    inbox, outbox, draft = _first_run(form, make_file, tmp_path)
    doc = docx.Document(str(draft))
    heads, numbers = _headings(doc), _numbers(doc)
    _, difficulties, proposals = _officer_titles(doc)
    added = [f"{numbers[proposals]}. {ADDED}", "Tiếp tục vận động."]
    _write(doc, heads[difficulties], ["Thiếu cán bộ chuyên trách."])
    _insert_before(doc, heads[proposals], added)
    doc.save(str(draft))

    make_file("900")
    report = consolidate_into(form, inbox, outbox, show_progress=False)
    renumbered = _next(numbers, proposals)
    assert _numbers(docx.Document(str(draft)))[proposals] == renumbered
    _assert_numbered_once(draft)
    (said,) = _not_carried(report)
    assert said.startswith(f"mục {renumbered}: đề mục «{numbers[proposals]}. {proposals.split()[0]}")
    assert f"bản dự thảo mới đánh số {renumbered}" in said

    make_file("900", seed=1)
    again = consolidate_into(form, inbox, outbox, show_progress=False)
    assert _numbers(docx.Document(str(draft)))[proposals] == renumbered
    _assert_numbered_once(draft)
    assert _not_carried(again) == []


def test_a_number_alone_changed_leaves_no_gap_and_is_named(form, make_file, tmp_path):
    """Only numbers changed, no section added: the proposals renumbered one on (a gap) and
    the assessment renumbered back before the section above it are printed in sequence (a
    document sent to the Ministry never skips or repeats a number, breaker brk10 R1), each
    named with the number printed; a later run keeps them, silent."""
    inbox, outbox, draft = _first_run(form, make_file, tmp_path)
    doc = docx.Document(str(draft))
    heads, numbers = _headings(doc), _numbers(doc)
    assessment, difficulties, proposals = _officer_titles(doc)
    _write(doc, heads[difficulties], ["Thiếu cán bộ chuyên trách."])
    back = f"{_next(numbers, assessment, -2)}. {assessment}"
    gap = f"{_next(numbers, proposals)}. {proposals}"
    _type(heads[assessment], back)
    _type(heads[proposals], gap)
    doc.save(str(draft))

    make_file("900")
    report = consolidate_into(form, inbox, outbox, show_progress=False)
    now = _numbers(docx.Document(str(draft)))
    assert now == numbers
    said = "số các mục liên tiếp, không trùng, không bỏ số)"
    named = _not_carried(report)
    assert (
        named[0]
        == f"mục {numbers[assessment]}: đề mục «{back}» (bản dự thảo mới đánh số {numbers[assessment]}: {said}"
    )
    assert len(named) == 2 and named[1].startswith(f"mục {numbers[proposals]}: đề mục «{gap[:20]}")
    assert named[1].endswith(f"(bản dự thảo mới đánh số {numbers[proposals]}: {said}")

    make_file("900", seed=1)
    again = consolidate_into(form, inbox, outbox, show_progress=False)
    assert _numbers(docx.Document(str(draft))) == now
    assert _not_carried(again) == []


def test_two_sections_swapped_are_numbered_in_sequence(form, make_file, tmp_path):
    """Breaker brk10 R1: the officer moves the proposals before the difficulties and swaps
    their numbers; the new draft keeps its own order and prints every number once, in
    sequence (before: I…VIII, X, XI, no IX)."""
    inbox, outbox, draft = _first_run(form, make_file, tmp_path)
    doc = docx.Document(str(draft))
    heads, numbers = _headings(doc), _numbers(doc)
    _, difficulties, proposals = _officer_titles(doc)
    _type(heads[difficulties], f"{numbers[proposals]}. {difficulties}")
    _type(heads[proposals], f"{numbers[difficulties]}. {proposals}")
    doc.save(str(draft))
    make_file("900")
    consolidate_into(form, inbox, outbox, show_progress=False)
    printed = list(_numbers(docx.Document(str(draft))).values())
    assert printed == [section_number(n) for n in range(1, len(printed) + 1)], printed


def test_the_summary_names_sections_in_the_new_drafts_numbers(form, make_file, tmp_path):
    """What was carried and what was not, each "mục N" the section the new draft prints
    with number N: the officer's comments in the section they added and in the proposals
    they renumbered, a line typed in a section the data give."""
    inbox, outbox, draft = _first_run(form, make_file, tmp_path)
    doc = docx.Document(str(draft))
    heads, numbers = _headings(doc), _numbers(doc)
    _, difficulties, proposals = _officer_titles(doc)
    _write(doc, heads[difficulties], ["Thiếu cán bộ chuyên trách."])
    _write(doc, heads[proposals], ["Đề nghị Bộ bố trí kinh phí."])
    added = [f"{numbers[proposals]}. {ADDED}", "Tiếp tục vận động."]
    _insert_before(doc, heads[proposals], added)
    task = next(p for p in doc.paragraphs if p.text == added[1])
    doc.add_comment(task.runs[0], "Xem lại chỉ tiêu", author="Lê Văn Tám")
    ask = next(p for p in doc.paragraphs if p.text == "Đề nghị Bộ bố trí kinh phí.")
    doc.add_comment(ask.runs[0], "Thêm số liệu", author="Lê Văn Tám")
    titles = list(heads)
    data = titles[titles.index(difficulties) - 1]  # a section the data give
    _insert_before(doc, heads[difficulties], ["Ghi chú trong mục số liệu."])
    _type(heads[proposals], f"{_next(numbers, proposals)}. {proposals}")
    doc.save(str(draft))

    make_file("900")
    report = consolidate_into(form, inbox, outbox, show_progress=False)
    printed = dict(_sections_printed(draft))
    assert printed[numbers[proposals]] == ADDED
    assert printed[_next(numbers, proposals)] == proposals
    kept = _kept(report)
    assert kept["carried"] == [numbers[difficulties], numbers[proposals], _next(numbers, proposals)]
    assert kept["not_carried"] == [
        f"mục {numbers[data]}: «Ghi chú trong mục số liệu.»",
        f"mục {numbers[proposals]}: nhận xét (comment) «Xem lại chỉ tiêu»",
        f"mục {_next(numbers, proposals)}: nhận xét (comment) «Thêm số liệu»",
    ]


def test_a_section_the_wording_adds_renumbers_the_officers_added_one(form, make_file, tmp_path):
    """The wording configuration gains a section before the difficulties between two runs:
    the officer's added section and the heading they renumbered after it move on by one
    (the added heading's number retyped in the new draft), both named; a third run with
    nothing changed prints the same."""
    folder = tmp_path / "cau-hinh"
    shutil.copytree(SCHEMAS_DIR, folder)
    wording = (folder / "bao-cao.toml").read_text(encoding="utf-8")
    difficulties_spec = (
        '[[sections]]\nkind = "proposals"\ntitle = "KHÓ KHĂN, VƯỚNG MẮC TRONG TỔ CHỨC THỰC HIỆN"'
    )
    assert wording.count(difficulties_spec) == 1
    new_section = (
        '[[sections]]\nkind = "proposals"\ntitle = "PHỐI HỢP LIÊN NGÀNH"\n'
        'paragraphs = ["[Cán bộ tổng hợp nêu việc phối hợp.]"]\n\n'
    )
    (folder / "bao-cao-moi.toml").write_text(
        wording.replace(difficulties_spec, new_section + difficulties_spec), encoding="utf-8"
    )
    config = (folder / "kien-giang.toml").read_text(encoding="utf-8")
    (folder / "moi.toml").write_text(
        config.replace('document = "bao-cao.toml"', 'document = "bao-cao-moi.toml"'), encoding="utf-8"
    )

    inbox, outbox, draft = _first_run(form, make_file, tmp_path)
    doc = docx.Document(str(draft))
    heads, numbers = _headings(doc), _numbers(doc)
    _, difficulties, proposals = _officer_titles(doc)
    added = [f"{numbers[proposals]}. {ADDED}", "Tiếp tục vận động."]
    _write(doc, heads[difficulties], ["Thiếu cán bộ chuyên trách."])
    _insert_before(doc, heads[proposals], added)
    renumbered = f"{_next(numbers, proposals)}. {proposals}"
    _type(heads[proposals], renumbered)
    doc.save(str(draft))

    moved = load_form(folder / "moi.toml")
    report = consolidate_into(moved, inbox, outbox, show_progress=False)
    printed = _sections_printed(draft)
    _assert_numbered_once(draft)
    at = printed.index((_next(numbers, difficulties), difficulties))
    assert printed[at + 1 :] == [
        (_next(numbers, proposals), ADDED),
        (_next(numbers, proposals, 2), proposals),
    ]
    assert _drafted(draft)[difficulties] == [
        "Thiếu cán bộ chuyên trách.",
        f"{_next(numbers, proposals)}. {ADDED}",
        added[1],
    ]
    said = _not_carried(report)
    assert [line.split(" (")[0] for line in said] == [
        f"mục {_next(numbers, proposals)}: đề mục «{added[0]}»",
        f"mục {_next(numbers, proposals, 2)}: đề mục «{_words(renumbered)}»",
    ]

    make_file("900")
    again = consolidate_into(moved, inbox, outbox, show_progress=False)
    assert _sections_printed(draft) == printed
    assert _not_carried(again) == []


STYLES = {  # how the officer numbers the headings: the number of the n-th section, what follows
    # it, and what comes before it
    "roman-dash": (section_number, " - ", ""),
    "arabic": (str, ". ", ""),
    "roman-slash": (section_number, "/", ""),
    "arabic-bracket": (str, ") ", ""),
    "roman-tight": (section_number, ".", ""),  # brk12 R1: "I.CĂN CỨ"
    "roman-dash-tight": (section_number, "- ", ""),  # "I- CĂN CỨ", kept as typed
    "phan-roman": (section_number, ". ", "Phần "),  # "Phần I. CĂN CỨ", the parts of a report
    "phan-caps-arabic": (str, " - ", "PHẦN "),  # "PHẦN 1 - CĂN CỨ"
    "phan-colon": (section_number, ": ", "Phần "),  # brk16 F11: "Phần I: CĂN CỨ"
}


def _styled(style: str, n: int, title: str) -> str:
    number, sep, prefix = STYLES[style]
    return f"{prefix}{number(n)}{sep}{title}"


def _printed_headings(path: Path) -> list[str]:
    """The texts of the headings the document at `path` prints (the draft's heading style)."""
    return [p.text for p in docx.Document(str(path)).paragraphs if p.style.name == HEADING_STYLE]


def _after(path: Path, heading: str) -> str:
    """The text of the paragraph after the one reading `heading` in the document at `path`."""
    texts = [p.text for p in docx.Document(str(path)).paragraphs]
    return texts[texts.index(heading) + 1]


@pytest.mark.parametrize("style", list(STYLES))
def test_headings_numbered_in_another_style_keep_it(style, form, make_file, tmp_path):
    """Breaker brk10 R2: the officer numbers every heading in a style of their own ("I - …",
    "1. …", "I/…", "1) …") and writes in the proposals. Each heading is still its section's:
    the new draft prints their style, carries their text, says it carried the proposals (in
    that style's number) and names nothing as not carried (before: every heading was named
    as renamed, the draft printed "I."); a later run with nothing changed keeps it."""
    inbox, outbox, draft = _first_run(form, make_file, tmp_path)
    doc = docx.Document(str(draft))
    heads = _headings(doc)
    _, _, proposals = _officer_titles(doc)
    titles = list(heads)
    for n, title in enumerate(titles, 1):
        _type(heads[title], _styled(style, n, title))
    _write(doc, heads[proposals], ["Đề nghị Bộ bố trí kinh phí."])
    doc.save(str(draft))
    expected = [_styled(style, n, title) for n, title in enumerate(titles, 1)]
    at = titles.index(proposals) + 1

    make_file("900")
    report = consolidate_into(form, inbox, outbox, show_progress=False)
    assert _printed_headings(draft) == expected
    assert _after(draft, expected[at - 1]) == "Đề nghị Bộ bố trí kinh phí."
    assert _kept(report)["carried"] == [STYLES[style][0](at)]  # "mục IX", without "Phần"
    assert _not_carried(report) == []

    make_file("900", seed=1)
    again = consolidate_into(form, inbox, outbox, show_progress=False)
    assert _printed_headings(draft) == expected
    assert _after(draft, expected[at - 1]) == "Đề nghị Bộ bố trí kinh phí."
    assert _not_carried(again) == []


def test_headings_numbered_in_two_styles_print_the_drafts_and_are_named(form, make_file, tmp_path):
    """Some headings "V - …", the others as the draft wrote them: no one style to keep; the
    new draft prints its own, each heading numbered otherwise named with what it prints."""
    inbox, outbox, draft = _first_run(form, make_file, tmp_path)
    doc = docx.Document(str(draft))
    heads, numbers = _headings(doc), _numbers(doc)
    titles = list(heads)
    dashed = titles[len(titles) // 2 :]
    for title in dashed:
        _type(heads[title], f"{numbers[title]} - {title}")
    doc.save(str(draft))

    make_file("900")
    report = consolidate_into(form, inbox, outbox, show_progress=False)
    assert _printed_headings(draft) == [f"{numbers[t]}. {t}" for t in titles]
    assert _not_carried(report) == [
        f"mục {numbers[t]}: đề mục «{_words(f'{numbers[t]} - {t}')}» (bản dự thảo mới ghi "
        f"«{numbers[t]}. …»: các đề mục đánh số theo một kiểu)"
        for t in dashed
    ]


@pytest.mark.parametrize("renumbered", [True, False])
def test_a_section_deleted_is_named_once(renumbered, form, make_file, tmp_path):
    """Breaker brk10 R2: the officer deletes a section the data give (its heading and text)
    and, or not, numbers the headings after it down by one. The new draft prints it again
    (the wording gives it) and numbers every section in sequence; the summary names the
    deleted section, what the program did and why, once, and not the headings after it
    (before: the deleted one unnamed, each heading after it named as renumbered)."""
    inbox, outbox, draft = _first_run(form, make_file, tmp_path)
    doc = docx.Document(str(draft))
    heads, numbers = _headings(doc), _numbers(doc)
    officer = _officer_titles(doc)
    titles = list(heads)
    gone = [t for t in titles if t not in officer][-2]
    after = titles[titles.index(gone) + 1]
    el = heads[gone]._p
    while el is not heads[after]._p:
        el, dropped = el.getnext(), el
        dropped.getparent().remove(dropped)
    if renumbered:
        for title in titles[titles.index(after) :]:
            _type(heads[title], f"{_next(numbers, title, -1)}. {title}")
    _write(doc, heads[officer[-1]], ["Đề nghị Bộ bố trí kinh phí."])
    doc.save(str(draft))

    make_file("900")
    report = consolidate_into(form, inbox, outbox, show_progress=False)
    assert _printed_headings(draft) == [f"{numbers[t]}. {t}" for t in titles]
    assert _after(draft, f"{numbers[officer[-1]]}. {officer[-1]}") == "Đề nghị Bộ bố trí kinh phí."
    assert _not_carried(report) == [
        f"mục {numbers[gone]}: anh/chị đã xoá đề mục «{_words(gone)}»; bản dự thảo mới vẫn in mục này "
        "vì mẫu báo cáo có mục này (số liệu được lập lại theo số liệu mới), các mục sau đánh số tiếp theo; "
        "nếu không cần mục này, anh/chị xoá trong bản dự thảo mới trước khi gửi"
    ]


def test_a_section_added_among_arabic_headings_keeps_their_numbers(form, make_file, tmp_path):
    """Headings numbered "1. …", a section added as "10. NHIỆM VỤ…" (bold) after the
    difficulties and the proposals renumbered 11: all printed as the officer left them, the
    added one carried with the difficulties; a line "2. …" in capitals inside a section is
    the officer's item (not the next section's number), carried as it is."""
    inbox, outbox, draft = _first_run(form, make_file, tmp_path)
    doc = docx.Document(str(draft))
    heads = _headings(doc)
    _, difficulties, proposals = _officer_titles(doc)
    titles = list(heads)
    for n, title in enumerate(titles, 1):
        _type(heads[title], f"{n}. {title}")
    at = titles.index(proposals) + 1
    added = [f"{at}. {ADDED}", "Tiếp tục vận động các doanh nghiệp."]
    _write(doc, heads[difficulties], ["1. THIẾU CÁN BỘ", "2. THIẾU KINH PHÍ"])
    _insert_before(doc, heads[proposals], added)
    next(p for p in doc.paragraphs if p.text == added[0]).runs[0].bold = True
    _type(heads[proposals], f"{at + 1}. {proposals}")
    doc.save(str(draft))

    make_file("900")
    report = consolidate_into(form, inbox, outbox, show_progress=False)
    printed = [f"{n}. {t}" for n, t in enumerate(titles, 1)]
    printed[-1] = f"{at + 1}. {proposals}"
    assert _printed_headings(draft) == printed
    texts = [p.text for p in docx.Document(str(draft)).paragraphs]
    start = texts.index(printed[at - 2]) + 1
    assert texts[start : start + 4] == ["1. THIẾU CÁN BỘ", "2. THIẾU KINH PHÍ", *added]
    assert _kept(report)["carried"] == [str(at - 1), str(at)]
    assert _not_carried(report) == []


def test_a_prefix_typed_in_two_cases_is_one_style():
    """brk16 F11: "PHẦN I." … "PHẦN IV." then "Phần V." … was taken for two styles: the new
    draft went back to "I." and named every heading. The first heading's spelling is kept."""
    found = [parse_heading(f"{'PHẦN' if n < 5 else 'Phần'} {section_number(n)}. X") for n in range(1, 9)]
    style = consistent_style([p for p in found if p is not None])
    assert (style.prefix, style.sep, style.arabic) == ("PHẦN ", ". ", False)
    assert all(p is not None and p.fits(style) for p in found)
    assert parse_heading("10:30 họp giao ban") is None  # a time is no heading
