"""What the officer writes in the draft while a new set waits for its swap (Windows: the
workbook open in Excel) is their newest work: the next draft carries it, and what the
summary says was copied from each file is true (brk46 F1).

As the officer lives it: `consolidate`, the draft completed (python-docx, as the carry tests
do); more mail, `consolidate` again with the workbook open in Excel (`_WindowsHolds`: the
run exits held, its set waits, the current one is intact); the officer goes on writing in the
current draft, closes Excel; more mail, `consolidate` finishes the swap and writes a new set.
"""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest

from pipeline.app import consolidate_into
from pipeline.outbox import atomic
from pipeline.outbox.atomic import OutboxHeld
from pipeline.outbox.paths import document_path, workbook_path
from pipeline.system import portable

from .test_carry3_document import _officer_titles
from .test_carry5_versions import NAME, NUMBER, _edit, _later, _line, _numbers, _summary, _texts
from .test_windows import _WindowsHolds

SAID = re.compile(r"^Giữ nguyên bản anh/chị đã sửa: (.+?); đã chép phần anh/chị viết \(([^)]*)\)")


@pytest.fixture
def excel(monkeypatch) -> _WindowsHolds:
    monkeypatch.setattr(atomic, "impl", portable)
    return _WindowsHolds(monkeypatch)


def _held_run(form, inbox: Path, outbox: Path, excel: _WindowsHolds) -> None:
    """`consolidate` with the workbook open in Excel: the new set waits, the run says so."""
    workbook = workbook_path(outbox, form.year)
    excel.open_in_excel(workbook)
    with pytest.raises(OutboxHeld):
        consolidate_into(form, inbox, outbox, show_progress=False)


def _summary_is_true(lines: list[str], draft: Path, titles: list[str]) -> dict[str, list[str]]:
    """Every section a «Giữ nguyên…» line says was copied from a file holds, in that file,
    the text the new draft carries; returns file name -> the section numbers said of it."""
    new = _texts(draft)
    number_of = dict(zip(_numbers(draft, titles), titles, strict=True))
    said: dict[str, list[str]] = {}
    for line in lines:
        if not (m := SAID.match(line)):
            continue
        path, what = Path(m.group(1)), m.group(2)
        sections = what.split(";")[0]
        numbers = sections.removeprefix("mục ").split(", ") if sections.startswith("mục ") else []
        said[path.name] = numbers
        theirs = _texts(path)
        for n in numbers:
            assert theirs[number_of[n]] == new[number_of[n]], (line, n)
    return said


def _first_set(form, make_file, tmp_path):
    """A first run on unit 899's report: (inbox, outbox, its draft, the sections the officer
    writes in it)."""
    make_file("899")
    inbox, outbox = tmp_path / "inbox", tmp_path / "out"
    consolidate_into(form, inbox, outbox, show_progress=False)
    draft = document_path(outbox, form.year)
    return inbox, outbox, draft, _officer_titles(docx.Document(str(draft)))


def test_what_the_officer_writes_while_the_set_waits_is_carried_and_said_truly(
    form, make_file, tmp_path, capsys, excel
):
    """The repro: sections b and c written again in the current draft while the set waits.
    The new draft carries them (not the older text of the copy the held run kept), every
    line of the summary is true, and nothing is said to differ that the officer replaced."""
    inbox, outbox, draft, titles = _first_set(form, make_file, tmp_path)
    a, b, c = titles
    _edit(draft, {t: f"E1 {t}." for t in titles}, number=NUMBER, name=NAME)

    make_file("900")
    _held_run(form, inbox, outbox, excel)
    _edit(draft, {b: f"E1 {b}. Thêm lúc bộ mới đang chờ.", c: f"E1 {c}. Dòng thêm sau lần chạy bị giữ."})
    _later(draft, draft)
    excel.close(workbook_path(outbox, form.year))

    make_file("SYT")
    report = consolidate_into(form, inbox, outbox, show_progress=False)
    first = draft.with_name(f"{draft.stem}-ban-da-sua{draft.suffix}")
    second = draft.with_name(f"{draft.stem}-ban-da-sua-2{draft.suffix}")
    assert _texts(first)[b] == f"E1 {b}." and _texts(second)[b].endswith("Thêm lúc bộ mới đang chờ.")
    new = _texts(draft)
    assert new[a] == f"E1 {a}."
    assert new[b] == f"E1 {b}. Thêm lúc bộ mới đang chờ."
    assert new[c] == f"E1 {c}. Dòng thêm sau lần chạy bị giữ."
    assert new["number"] == NUMBER and new["name"] == NAME

    lines = _summary(report, capsys)
    said = _summary_is_true(lines, draft, titles)
    na, nb, nc = _numbers(draft, titles)
    assert said[second.name] == [na, nb, nc]
    assert said[first.name] == [na]  # its b and c are the officer's older text, not carried
    assert not [line for line in lines if "cũng được sửa" in line]  # replaced by their own later edit

    # the next run, nothing edited: the same carried again
    report = consolidate_into(form, inbox, outbox, show_progress=False)
    assert _texts(draft) == new
    _summary_is_true(_summary(report, capsys), draft, titles)


def test_two_held_runs_in_a_row_carry_each_later_edit(form, make_file, tmp_path, capsys, excel):
    """Excel stays open over two runs: the officer writes b after the first held run and c
    after the second; the run that finally swaps carries both, and says so truly."""
    inbox, outbox, draft, titles = _first_set(form, make_file, tmp_path)
    a, b, c = titles
    _edit(draft, {t: f"E1 {t}." for t in titles}, number=NUMBER)

    _held_run(form, inbox, outbox, excel)
    _edit(draft, {b: "E2: viết lúc bộ thứ nhất đang chờ."})
    _later(draft, draft)
    make_file("900")
    _held_run(form, inbox, outbox, excel)
    _edit(draft, {c: "E3: viết lúc bộ thứ hai đang chờ."})
    _later(draft, draft)
    excel.close(workbook_path(outbox, form.year))

    report = consolidate_into(form, inbox, outbox, show_progress=False)
    new = _texts(draft)
    assert [new[t] for t in titles] == [
        f"E1 {a}.",
        "E2: viết lúc bộ thứ nhất đang chờ.",
        "E3: viết lúc bộ thứ hai đang chờ.",
    ]
    assert new["number"] == NUMBER
    lines = _summary(report, capsys)
    _summary_is_true(lines, draft, titles)
    assert not [line for line in lines if "cũng được sửa" in line]


@pytest.mark.parametrize("rewrite_a", [True, False])
def test_a_section_the_held_run_took_from_a_copy_is_replaced_only_by_an_edit_of_it(
    form, make_file, tmp_path, capsys, excel, rewrite_a
):
    """The held run carried section a from an older kept copy the officer had changed; the
    current draft they go on writing in does not show it. Rewriting a there: the new draft
    carries their latest a, and the copy's a is named as not carried, with its path. Writing
    only b there: a stays the copy's (the draft's older a is not their new work)."""
    inbox, outbox, draft, titles = _first_set(form, make_file, tmp_path)
    a, b, c = titles
    _edit(draft, {t: f"E1 {t}." for t in titles})
    consolidate_into(form, inbox, outbox, show_progress=False)  # keeps -ban-da-sua (E1)
    first = draft.with_name(f"{draft.stem}-ban-da-sua{draft.suffix}")
    _edit(first, {a: "Bản cũ sửa lại mục a."})
    _later(first, draft)

    make_file("900")
    _held_run(form, inbox, outbox, excel)  # its draft carries the copy's a
    waiting = {b: "Viết thêm mục b lúc bộ mới đang chờ."}
    _edit(draft, {a: "Viết lại mục a lúc bộ mới đang chờ.", **waiting} if rewrite_a else waiting)
    _later(draft, first)
    excel.close(workbook_path(outbox, form.year))

    report = consolidate_into(form, inbox, outbox, show_progress=False)
    new = _texts(draft)
    assert new[a] == ("Viết lại mục a lúc bộ mới đang chờ." if rewrite_a else "Bản cũ sửa lại mục a.")
    assert new[b] == "Viết thêm mục b lúc bộ mới đang chờ."
    assert new[c] == f"E1 {c}."
    lines = _summary(report, capsys)
    _summary_is_true(lines, draft, titles)
    differs = [line for line in lines if "cũng được sửa" in line]
    if not rewrite_a:
        assert not differs
        return
    na = _numbers(draft, titles)[0]
    assert len(differs) == 1
    assert differs[0].startswith(f"Bản {first} cũng được sửa sau lần tổng hợp trước: mục {na} ở bản đó khác")
    assert (
        lines.index(differs[0]) == lines.index(_line(lines, f"Giữ nguyên bản anh/chị đã sửa: {first};")) + 1
    )


def test_the_draft_written_while_the_set_waits_wins_over_a_copy_saved_later(
    form, make_file, tmp_path, capsys, excel
):
    """While the set waits the officer writes section a in the current draft and in an older
    kept copy, the copy saved last: as for the draft (README), the draft's a is carried and
    the copy's named as not carried."""
    inbox, outbox, draft, titles = _first_set(form, make_file, tmp_path)
    a = titles[0]
    _edit(draft, {t: f"E1 {t}." for t in titles})
    consolidate_into(form, inbox, outbox, show_progress=False)  # keeps -ban-da-sua (E1)
    first = draft.with_name(f"{draft.stem}-ban-da-sua{draft.suffix}")

    make_file("900")
    _held_run(form, inbox, outbox, excel)
    _edit(draft, {a: "Bản dự thảo viết lúc chờ."})
    _edit(first, {a: "Bản cũ viết lúc chờ."})
    _later(draft, draft)
    _later(first, draft)
    excel.close(workbook_path(outbox, form.year))

    report = consolidate_into(form, inbox, outbox, show_progress=False)
    assert _texts(draft)[a] == "Bản dự thảo viết lúc chờ."
    lines = _summary(report, capsys)
    _summary_is_true(lines, draft, titles)
    na = _numbers(draft, titles)[0]
    (differs,) = [line for line in lines if "cũng được sửa" in line]
    assert f"mục {na} ở bản đó khác" in differs and "Bản dự thảo" not in differs
    assert _texts(Path(differs.split(" cũng được sửa")[0].removeprefix("Bản ")))[a] == "Bản cũ viết lúc chờ."
