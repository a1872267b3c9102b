"""`tong-ket`'s draft, edited in several versions, as the yearly report's (brk4 finding 2):
the newer draft's text wins over an older kept copy saved again, a section changed in both
is carried from the draft and the copy's named, and each "Đã chép … từ" line is true of its
file.

As the officer lives it: a year consolidated, `tong-ket` from the console, the draft completed
with python-docx, `tong-ket` again (their copy kept as `…-ban-da-sua.docx`), then the new
draft completed further and the older copy saved again, `tong-ket` again."""

from __future__ import annotations

from pathlib import Path

import docx

from pipeline.app import consolidate_into
from pipeline.form import load_form
from pipeline.outbox.paths import review_paths
from pipeline.samples import write_samples

from .test_carry3_document import _officer_titles, _sections, _signature
from .test_carry3_review import AG, _review
from .test_carry5_versions import _edit, _later


def _said_of(said: str, path) -> list[str]:
    return [line for line in said.splitlines() if f" {path} " in line or line.endswith(f" {path}")]


def review_draft(tmp_path: Path) -> tuple[Path, Path, Path, str]:
    """An An Giang year consolidated from the samples, then `tong-ket`: (outbox, the
    review's folder, its draft, the title of the one section the officer writes)."""
    form = load_form(AG)
    write_samples(form, tmp_path / "inbox", seed=2025)
    outbox, out = tmp_path / "outbox-an-giang", tmp_path / "tong-ket"
    consolidate_into(form, tmp_path / "inbox", outbox, show_progress=False)
    _review(outbox, out)
    _, draft = review_paths(out, 2019, 2025, form.programme_info.prefix)
    (theirs,) = _officer_titles(docx.Document(str(draft)))
    return outbox, out, draft, theirs


def test_the_reviews_versions_are_merged_and_each_line_is_true(tmp_path):
    outbox, out, draft, theirs = review_draft(tmp_path)
    heading = next(p.text for p in docx.Document(str(draft)).paragraphs if p.text.endswith(theirs))
    number = heading.split(".", 1)[0]

    def text_of(path) -> str:
        return " ".join(
            b.text for b in _sections(docx.Document(str(path)))[theirs] if hasattr(b, "runs")
        ).strip()

    _edit(draft, {theirs: "E1."}, name="Trần Thị Mai")
    _review(outbox, out)
    first = draft.with_name(f"{draft.stem}-ban-da-sua{draft.suffix}")
    assert text_of(draft) == "E1."

    # the newer draft completed further, the older copy saved again with a line added
    _edit(draft, {theirs: "E2."})
    _edit(first, {}, note="GHICHU")
    _later(first, draft)
    said = _review(outbox, out)
    second = draft.with_name(f"{draft.stem}-ban-da-sua-2{draft.suffix}")
    assert text_of(draft) == "E2."  # not the older copy's E1
    assert _signature(docx.Document(str(draft))).rows[0].cells[1].paragraphs[-1].text == "Trần Thị Mai"
    assert f"Đã chép phần anh/chị viết (mục {number}) từ {second} sang bản dự thảo mới: {draft}" in said
    of_first = _said_of(said, first)
    assert f"Đã chép phần anh/chị viết (họ tên người ký) từ {first} sang bản dự thảo mới: {draft}" in of_first
    assert not [line for line in of_first if "mục" in line.split(" từ ")[0]]
    assert f"anh/chị chép lại từ {first}:" in said and "  - sau phần chữ ký: «GHICHU»" in said
    assert "cũng được sửa" not in said

    # the same section changed in the draft and in the older copy: the draft's, the copy's named
    _edit(draft, {theirs: "E3."})
    _edit(first, {theirs: "K3."})
    _later(first, draft)
    said = _review(outbox, out)
    assert text_of(draft) == "E3."
    assert (
        f"Bản {first} cũng được sửa sau lần tổng hợp trước: mục {number} ở bản đó khác bản đã chép sang "
        "bản dự thảo mới nên chưa được chép; hãy so sánh và chép tay nếu cần." in said.splitlines()
    )
    third = draft.with_name(f"{draft.stem}-ban-da-sua-3{draft.suffix}")
    assert f"Đã chép phần anh/chị viết (mục {number}) từ {third} sang bản dự thảo mới: {draft}" in said
    assert text_of(first) == "K3."  # the officer's copies as they left them
