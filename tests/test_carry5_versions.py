"""Several versions of the draft edited by the officer: nothing they wrote is lost silently,
and what the program says was carried, from where, is true of each file (issue #23; the
new-user pass brk4, finding 2).

As the officer lives it: `consolidate`, the draft completed (python-docx, as the repro did),
`consolidate` again (their copy kept as `…-ban-da-sua.docx`, a new draft), then they complete
the new draft AND open an older kept copy and save it with a change, and consolidate again.
The new draft, the summary's lines, and `pdf`'s note on the kept copies are read back.
"""

from __future__ import annotations

import os
from pathlib import Path

import docx
import pytest

from pipeline import cli
from pipeline.app import consolidate_into
from pipeline.outbox.paths import document_path
from pipeline.render.pdf import pdf_document
from pipeline.render.summary import print_summary

from . import lo
from .test_carry3_document import _officer_titles, _sections, _signature

NUMBER = "Số: 45/BC-SYT"
NAME = "Lê Văn Bình"


def _edit(path: Path, sections: dict[str, str], number: str = "", name: str = "", note: str = "") -> None:
    """What the officer types in Word, saved: `sections` (title -> one paragraph over what is
    there), the document's number, the signer's name, a line `note` after everything."""
    doc = docx.Document(str(path))
    blocks = _sections(doc)
    for title, text in sections.items():
        first, *rest = [b for b in blocks[title] if hasattr(b, "runs")]
        for r in first.runs:
            r.text = ""
        (first.runs[0] if first.runs else first.add_run()).text = text
        for p in rest:
            p._p.getparent().remove(p._p)
    if number:
        cell = doc.tables[0].rows[1].cells[0].paragraphs[0]
        for r in cell.runs:
            r.text = ""
        cell.runs[0].text = number
    if name:
        line = _signature(doc).rows[0].cells[1].paragraphs[-1]
        for r in line.runs:
            r.text = ""
        line.runs[0].text = name
    if note:
        doc.add_paragraph(note)
    doc.save(str(path))


def _later(path: Path, than: Path, seconds: int = 60) -> None:
    """Make `path` modified `seconds` after `than` (the officer saved it later)."""
    t = than.stat().st_mtime + seconds
    os.utime(path, (t, t))


def _texts(path: Path) -> dict[str, str]:
    """Section title -> its text, and the number and signer's name, as the draft prints them."""
    doc = docx.Document(str(path))
    out = {t: " ".join(b.text for b in bs if hasattr(b, "runs")).strip() for t, bs in _sections(doc).items()}
    out["number"] = doc.tables[0].rows[1].cells[0].text.strip()
    out["name"] = _signature(doc).rows[0].cells[1].paragraphs[-1].text.strip()
    return out


def _summary(report, capsys) -> list[str]:
    capsys.readouterr()
    print_summary(report)
    return capsys.readouterr().out.splitlines()


def _line(lines: list[str], start: str) -> str:
    (found,) = [line for line in lines if line.startswith(start)]
    return found


def _numbers(draft: Path, titles: list[str]) -> list[str]:
    """The numbers ("VII") of the sections `titles` in the draft."""
    doc = docx.Document(str(draft))
    heads = {p.text.split(". ", 1)[1]: p.text.split(".", 1)[0] for p in doc.paragraphs if ". " in p.text}
    return [heads[t] for t in titles]


def _two_runs(form, make_file, tmp_path):
    """Run 1, the draft completed (E1 in every section of the officer's, the number), run 2:
    returns (inbox, outbox, draft, the officer's section titles, the kept copy)."""
    make_file("899")
    inbox, outbox = tmp_path / "inbox", tmp_path / "out"
    consolidate_into(form, inbox, outbox, show_progress=False)
    draft = document_path(outbox, form.year)
    titles = _officer_titles(docx.Document(str(draft)))
    assert len(titles) == 3
    _edit(draft, {t: f"E1 {t}." for t in titles}, number=NUMBER)
    consolidate_into(form, inbox, outbox, show_progress=False)
    kept = draft.with_name(f"{draft.stem}-ban-da-sua{draft.suffix}")
    assert kept.is_file()
    return inbox, outbox, draft, titles, kept


def test_the_newer_draft_wins_over_an_older_copy_saved_again_and_every_line_is_true(
    form, make_file, tmp_path, capsys
):
    """The repro (brk4 finding 2, B): E2 and the signer in the new draft, a line added to the
    older kept copy, saved after. The new draft has E2 and the name (E1 is only the older
    copy's, already carried once); the summary says what was copied from which file and
    names the line not carried; a later run with nothing edited carries the same; `pdf`'s
    note says of each kept copy what was copied from it."""
    inbox, outbox, draft, titles, first = _two_runs(form, make_file, tmp_path)
    _edit(draft, {t: f"E2 {t}." for t in titles}, name=NAME)
    _edit(first, {}, note="GHICHU thêm vào bản cũ")
    _later(first, draft)
    make_file("900")
    report = consolidate_into(form, inbox, outbox, show_progress=False)
    second = draft.with_name(f"{draft.stem}-ban-da-sua-2{draft.suffix}")
    assert _texts(second)[titles[0]] == f"E2 {titles[0]}."  # the officer's draft kept as they left it
    new = _texts(draft)
    assert [new[t] for t in titles] == [f"E2 {t}." for t in titles]
    assert new["name"] == NAME and new["number"] == NUMBER
    lines = _summary(report, capsys)
    numbers = ", ".join(_numbers(draft, titles))
    said_second = _line(lines, f"Giữ nguyên bản anh/chị đã sửa: {second};")
    assert f"đã chép phần anh/chị viết (mục {numbers}; họ tên người ký) sang bản dự thảo mới" in said_second
    said_first = _line(lines, f"Giữ nguyên bản anh/chị đã sửa: {first};")
    assert "mục" not in said_first  # none of its sections was copied: E1 is not in the new draft
    assert "(số văn bản)" in said_first  # the number it holds is the one carried (typed there first)
    at = lines.index(said_first)
    assert (
        f"anh/chị chép lại từ {first}:" in lines[at + 1]
        and lines[at + 2] == "  - sau phần chữ ký: «GHICHU thêm vào bản cũ»"
    )
    assert not [line for line in lines if "cũng được sửa" in line]  # its sections were not changed since

    # nothing edited since: the same carried again, never the older copy's E1
    report = consolidate_into(form, inbox, outbox, show_progress=False)
    new = _texts(draft)
    assert [new[t] for t in titles] == [f"E2 {t}." for t in titles] and new["name"] == NAME
    lines = _summary(report, capsys)
    assert "mục" not in _line(lines, f"Giữ nguyên bản anh/chị đã sửa: {first};")
    assert f"(mục {numbers}; số văn bản; họ tên người ký)" in _line(
        lines, f"Giữ nguyên bản anh/chị đã sửa: {second};"
    )

    # pdf's note of the copies of earlier sets: what was copied, said of each copy alone
    chosen = pdf_document(form, outbox)
    assert set(chosen.older) == {first, second}
    note = " ".join(chosen.lines())
    each = ", ".join(f"mục {n}" for n in _numbers(draft, titles))
    assert f"từ {second.name}: {each}, số văn bản, họ tên người ký" in note
    assert f"từ {first.name}: số văn bản;" in note
    assert "đã chép từ đó" not in note


def test_the_same_section_changed_in_the_draft_and_in_a_copy_is_named_and_the_rest_merged(
    form, make_file, tmp_path, capsys
):
    """The draft and the older copy both changed since the last run: a section changed in
    both carries the draft's and names the copy's as not carried, with its path; a section
    and the signer's name changed only in the copy are carried from it, and said so."""
    inbox, outbox, draft, titles, first = _two_runs(form, make_file, tmp_path)
    a, b, c = titles
    _edit(draft, {a: "Bản dự thảo: đánh giá mới."})
    _edit(first, {a: "Bản cũ: đánh giá khác.", b: "Bản cũ: khó khăn mới."}, name=NAME)
    _later(first, draft)
    report = consolidate_into(form, inbox, outbox, show_progress=False)
    second = draft.with_name(f"{draft.stem}-ban-da-sua-2{draft.suffix}")
    new = _texts(draft)
    assert new[a] == "Bản dự thảo: đánh giá mới."
    assert new[b] == "Bản cũ: khó khăn mới."
    assert new[c] == f"E1 {c}."  # changed nowhere: as carried before
    assert new["name"] == NAME
    na, nb, nc = _numbers(draft, titles)
    lines = _summary(report, capsys)
    said_first = _line(lines, f"Giữ nguyên bản anh/chị đã sửa: {first};")
    assert f"đã chép phần anh/chị viết (mục {nb}, {nc}; số văn bản; họ tên người ký)" in said_first
    said_second = _line(lines, f"Giữ nguyên bản anh/chị đã sửa: {second};")
    assert f"đã chép phần anh/chị viết (mục {na}) sang bản dự thảo mới" in said_second
    (differs,) = [line for line in lines if "cũng được sửa" in line]
    assert differs.startswith(f"Bản {first} cũng được sửa sau lần tổng hợp trước: mục {na} ở bản đó khác")
    assert "chưa được chép" in differs and "chép tay" in differs
    assert lines.index(differs) == lines.index(said_first) + 1
    # the next runs, the copy unchanged: said again, not forgotten (brk34 F3)
    for _ in range(2):
        lines = _summary(consolidate_into(form, inbox, outbox, show_progress=False), capsys)
        at = lines.index(_line(lines, f"Nhắc lại: 1 phần anh/chị viết chỉ có trong {first}"))
        assert lines[at + 1] == f"  - mục {na}: khác bản đã chép sang bản dự thảo mới", lines


def test_two_copies_changed_alike_the_newest_wins_and_the_other_is_named(form, make_file, tmp_path, capsys):
    """Three versions: the draft left as written, two kept copies both saved again with the
    first section changed: the newest copy's is carried, the other's named; the number
    changed only in the older copy is carried from it."""
    inbox, outbox, draft, titles, first = _two_runs(form, make_file, tmp_path)
    a = titles[0]
    _edit(draft, {a: "E2."})
    consolidate_into(form, inbox, outbox, show_progress=False)  # keeps -ban-da-sua-2 (E2)
    second = draft.with_name(f"{draft.stem}-ban-da-sua-2{draft.suffix}")
    _edit(second, {a: "Bản thứ hai sửa lại."})
    _edit(first, {a: "Bản thứ nhất sửa lại."}, number="Số: 99/BC-SYT")
    _later(second, first)
    report = consolidate_into(form, inbox, outbox, show_progress=False)
    new = _texts(draft)
    assert new[a] == "Bản thứ hai sửa lại." and new["number"] == "Số: 99/BC-SYT"
    na, nb, nc = _numbers(draft, titles)
    lines = _summary(report, capsys)
    # its sections not changed since hold the text carried again (E1, from the first copy)
    assert f"(mục {na}, {nb}, {nc}) sang bản dự thảo mới" in _line(
        lines, f"Giữ nguyên bản anh/chị đã sửa: {second};"
    )
    said_first = _line(lines, f"Giữ nguyên bản anh/chị đã sửa: {first};")
    assert f"đã chép phần anh/chị viết (mục {nb}, {nc}; số văn bản) sang" in said_first  # not mục {na}
    (differs,) = [line for line in lines if "cũng được sửa" in line]
    assert differs.startswith(f"Bản {first} cũng được sửa sau lần tổng hợp trước: mục {na} ở bản đó khác")


@pytest.mark.libreoffice
def test_pdf_says_of_each_kept_copy_only_what_was_copied_from_it(form, make_file, tmp_path, capsys):
    """The `pdf` command itself (LibreOffice) after the repro: its note names, per kept copy,
    what the draft copied from it; the copy whose sections were not copied is not said to be."""
    lo.require_soffice()
    inbox, outbox, draft, titles, first = _two_runs(form, make_file, tmp_path)
    _edit(draft, {t: f"E2 {t}." for t in titles}, name=NAME)
    _edit(first, {}, note="GHICHU")
    _later(first, draft)
    make_file("900")
    consolidate_into(form, inbox, outbox, show_progress=False)
    second = draft.with_name(f"{draft.stem}-ban-da-sua-2{draft.suffix}")
    capsys.readouterr()
    assert cli.main(["pdf", "--outbox", str(outbox)]) == cli.EXIT_OK
    out = " ".join(capsys.readouterr().out.split())
    each = ", ".join(f"mục {n}" for n in _numbers(draft, titles))
    assert f"từ {second.name}: {each}, họ tên người ký;" in out
    assert f"từ {first.name}: số văn bản;" in out
    assert "đã chép từ đó" not in out


def test_a_copy_emptied_or_unreadable_never_wipes_what_the_draft_carries(form, make_file, tmp_path, capsys):
    """An older copy saved again with a section cleared, and a file named as a kept copy
    that is no .docx, both newer than the draft: the draft's carried text stays, and no line
    says anything was copied from either."""
    inbox, outbox, draft, titles, first = _two_runs(form, make_file, tmp_path)
    a = titles[0]
    doc = docx.Document(str(first))
    for p in [b for b in _sections(doc)[a] if hasattr(b, "runs")]:
        p._p.getparent().remove(p._p)
    doc.save(str(first))
    broken = draft.with_name(f"{draft.stem}-ban-da-sua-5{draft.suffix}")
    broken.write_bytes(b"not a docx")
    _later(first, draft)
    _later(broken, draft, 120)
    report = consolidate_into(form, inbox, outbox, show_progress=False)
    new = _texts(draft)
    assert [new[t] for t in titles] == [f"E1 {t}." for t in titles] and new["number"] == NUMBER
    lines = _summary(report, capsys)
    at = lines.index(_line(lines, f"Giữ nguyên tệp anh/chị đã thêm hoặc đã sửa: {broken}"))
    assert lines[at + 1].startswith(f"Không đọc được tệp {broken} (không phải tệp Word .docx hợp lệ)")
    said_first = _line(lines, f"Giữ nguyên bản anh/chị đã sửa: {first};")
    (na,) = _numbers(draft, [a])
    assert f"mục {na}," not in said_first and "cũng được sửa" not in " ".join(lines)
