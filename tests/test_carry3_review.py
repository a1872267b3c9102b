"""`tong-ket` keeps the officer's work as the yearly report does (the tester's C1): what they
write in the review's draft (the section they write, the number, the signer) is carried into
every later draft; a rerun keeps aside only a file the officer changed, names it, and piles
up no copy of a file left as written.

As the officer lives it: a year consolidated, `tong-ket` from the console, the draft
completed with python-docx and saved again by LibreOffice, `tong-ket` again (twice)."""

from __future__ import annotations

from pathlib import Path

import docx

from pipeline.app import consolidate_into
from pipeline.form import SCHEMAS_DIR, load_form
from pipeline.outbox.paths import review_paths
from pipeline.samples import write_samples

from . import lo
from .clirun import run_cli
from .test_carry3_document import _dotted, _officer_titles, _sections, _signature, _write_over_dots

AG = SCHEMAS_DIR / "an-giang.toml"


def _review(outbox: Path, out: Path) -> str:
    said = run_cli("--config", str(AG), "tong-ket", "--outbox", str(outbox), "--out", str(out))
    assert said.returncode == 0, said.stderr
    return said.stdout


def test_the_review_carries_the_officers_text_and_keeps_only_edited_copies(tmp_path):
    form = load_form(AG)
    write_samples(form, tmp_path / "inbox", seed=2025)
    outbox, out = tmp_path / "outbox-an-giang", tmp_path / "tong-ket"
    consolidate_into(form, tmp_path / "inbox", outbox, show_progress=False)
    _review(outbox, out)
    book, draft = review_paths(out, 2019, 2025, form.programme_info.prefix)

    # a rerun on a draft left as written keeps no copy
    said = _review(outbox, out)
    assert sorted(p.name for p in out.iterdir() if p.suffix in (".docx", ".xlsx")) == [draft.name, book.name]
    assert "Giữ" not in said

    # the officer completes the draft: the section they write, the number, the signer's name
    doc = docx.Document(str(draft))
    (theirs,) = _officer_titles(doc)
    written = "Đề án đạt mục tiêu đề ra; cần duy trì vận động nguồn lực sau năm 2025."
    _write_over_dots(_sections(doc)[theirs], written)
    number, name = "Số: 77/BC-SYT", "Trần Thị Mai"
    doc.tables[0].rows[1].cells[0].paragraphs[0].runs[0].text = number
    for r in doc.tables[0].rows[1].cells[0].paragraphs[0].runs[1:]:
        r.text = ""
    sign = _signature(doc).rows[0].cells[1].paragraphs[-1]
    sign.runs[0].text = name
    for r in sign.runs[1:]:
        r.text = ""
    doc.save(str(draft))
    lo.require_soffice()
    draft.write_bytes(lo.convert(draft, tmp_path / "lo", "docx:MS Word 2007 XML").read_bytes())
    edited = draft.read_bytes()

    said = _review(outbox, out)
    mine = draft.with_name(f"{draft.stem}-ban-da-sua{draft.suffix}")
    assert mine.read_bytes() == edited  # the officer's version kept as it is, and named
    assert f"Giữ nguyên bản anh/chị đã sửa (không xóa): {mine}" in said
    assert f"; số văn bản; họ tên người ký) từ {mine} sang bản dự thảo mới: {draft}" in said
    assert "Đã chép phần anh/chị viết (mục " in said
    assert not book.with_name(f"{book.stem}-ban-da-sua{book.suffix}").exists()  # the workbook was not edited
    new = docx.Document(str(draft))
    assert [b.text for b in _sections(new)[theirs] if b.text.strip()] == [written]
    assert new.tables[0].rows[1].cells[0].text == number
    assert _signature(new).rows[0].cells[1].paragraphs[-1].text == name

    # again, nothing new edited: no new copy, the same text carried from the kept one
    said = _review(outbox, out)
    assert sorted(p.name for p in out.glob("*.docx")) == sorted([draft.name, mine.name])
    assert "Giữ" not in said and f"từ {mine} sang bản dự thảo mới" in said
    new = docx.Document(str(draft))
    assert [b.text for b in _sections(new)[theirs] if b.text.strip()] == [written]
    assert not any(_dotted(b) for b in _sections(new)[theirs])
