"""The officer's copy of the draft saved in another format (breaker brk11, S1): they edit the
draft in LibreOffice Writer and keep its format (Ctrl+S, "Use ODF Format"), so
bao-cao-588-<year>.odt lies beside the untouched .docx. It is one of their versions of the
draft, like a .docx saved under another name: `pdf` names it (it was silent and printed the
untouched draft), `consolidate` carries their number and section from it (it carried
nothing), and without LibreOffice to read it `consolidate` says so and what to do. The file
itself is never changed.

The copies are made as the officer makes them: the draft edited (python-docx, as Word
saves it), then converted by LibreOffice itself.
"""

from __future__ import annotations

import os
from pathlib import Path

import docx
import pytest

from pipeline.app import consolidate_into
from pipeline.outbox.paths import document_path
from pipeline.render.carried import FIELDS
from pipeline.render.pdf import pdf_document

from . import lo
from .test_carry3_document import _officer_titles
from .test_carry5_versions import NUMBER, _edit, _line, _summary, _texts

WRITTEN = "Khó khăn: cán bộ viết trong Writer, lưu dạng ODF."


def _saved_in(draft: Path, target: str, tmp: Path, name: str | None = None) -> tuple[Path, str]:
    """The officer's edit of `draft` (the number, the first of their sections), saved by
    LibreOffice as `target` ("odt", "rtf", "doc") beside the untouched draft under its name
    (or `name`, without the suffix), a minute after it. Returns (the copy, the section's
    title)."""
    edited = tmp / "sua" / draft.name
    edited.parent.mkdir()
    edited.write_bytes(draft.read_bytes())
    title = _officer_titles(docx.Document(str(draft)))[0]
    _edit(edited, {title: WRITTEN}, number=NUMBER)
    converted = lo.convert(edited, tmp / "lo", target)
    copy = draft.with_name(f"{name}.{target}") if name else draft.with_suffix(f".{target}")
    copy.write_bytes(converted.read_bytes())
    later = draft.stat().st_mtime + 60
    os.utime(copy, (later, later))
    return copy, title


@pytest.mark.libreoffice
@pytest.mark.parametrize(
    ("target", "name"),
    [
        ("odt", None),
        ("rtf", None),
        # under another name (Save As "Báo cáo gửi Bộ"): known by the title LibreOffice keeps
        ("doc", "Báo cáo gửi Bộ (bản ký)"),
        ("rtf", "bao cao 588 sua"),
        ("odt", "Báo cáo gửi Bộ"),
    ],
    ids=["odt", "rtf", "doc-other-name", "rtf-other-name", "odt-other-name"],
)
def test_a_copy_saved_in_another_format_is_named_by_pdf_and_carried(
    target, name, form, make_file, tmp_path, capsys
):
    lo.require_soffice()
    make_file("899")
    inbox, outbox = tmp_path / "inbox", tmp_path / "out"
    consolidate_into(form, inbox, outbox, show_progress=False)
    draft = document_path(outbox, form.year)
    copy, title = _saved_in(draft, target, tmp_path, name)
    before = copy.read_bytes()

    said = pdf_document(form, outbox).lines()  # what `pdf` prints before it prints the draft
    assert (
        f"Không in bản anh/chị đã lưu dưới dạng .{target} {copy}: bản đó được sửa sau lần tổng hợp cuối và ghi "
        f"{FIELDS['number']} khác với báo cáo và các biểu in trong PDF."
    ) in " ".join(said)

    report = consolidate_into(form, inbox, outbox, show_progress=False)
    texts = _texts(draft)
    assert texts["number"] == NUMBER
    assert texts[title] == WRITTEN
    line = _line(_summary(report, capsys), f"Giữ nguyên bản anh/chị đã sửa: {copy};")
    assert f"; {FIELDS['number']}) sang bản dự thảo mới: {draft}" in line
    assert copy.read_bytes() == before  # read through a converted copy, never changed
    assert not [p.name for p in draft.parent.iterdir() if p.name.startswith((".~lock", "~$"))]
    assert not any(
        draft.name in line for line in pdf_document(form, outbox).lines()[1:]
    )  # nothing left to name


@pytest.mark.libreoffice
@pytest.mark.parametrize(
    ("target", "name"),
    [("odt", None), ("doc", "Báo cáo gửi Bộ (bản ký)")],  # brk16 F9: a .doc under another name was silent
    ids=["odt", "doc-other-name"],
)
def test_without_libreoffice_a_copy_in_another_format_is_kept_and_said_with_what_to_do(
    target, name, form, make_file, tmp_path, capsys, monkeypatch
):
    lo.require_soffice()  # to make the officer's copy
    make_file("899")
    inbox, outbox = tmp_path / "inbox", tmp_path / "out"
    consolidate_into(form, inbox, outbox, show_progress=False)
    draft = document_path(outbox, form.year)
    copy, title = _saved_in(draft, target, tmp_path, name)
    before = copy.read_bytes()

    monkeypatch.setenv("SOFFICE", str(tmp_path / "khong-co-soffice"))  # a machine without LibreOffice
    report = consolidate_into(form, inbox, outbox, show_progress=False)
    assert _texts(draft)["number"] != NUMBER
    lines = _summary(report, capsys)
    line = _line(lines, f"Chưa đọc được tệp {copy}:")
    assert "cần LibreOffice" in line and "lưu thành (Save As) dạng Word .docx" in line
    assert "tệp vẫn được giữ nguyên" in line
    assert copy.read_bytes() == before


@pytest.mark.libreoffice
def test_pdf_names_an_odt_copy_saved_since_with_only_a_section_changed(form, make_file, tmp_path):
    """No field differs from the biểu, so nothing was said: the PDF printed the draft without
    the officer's section, silently."""
    lo.require_soffice()
    make_file("899")
    inbox, outbox = tmp_path / "inbox", tmp_path / "out"
    consolidate_into(form, inbox, outbox, show_progress=False)
    draft = document_path(outbox, form.year)
    edited = tmp_path / "sua" / draft.name
    edited.parent.mkdir()
    edited.write_bytes(draft.read_bytes())
    _edit(edited, {_officer_titles(docx.Document(str(draft)))[0]: WRITTEN})
    copy = draft.with_suffix(".odt")
    copy.write_bytes(lo.convert(edited, tmp_path / "lo", "odt").read_bytes())

    said = pdf_document(form, outbox).lines()
    assert (
        f"Không in bản anh/chị đã lưu dưới dạng .odt {copy}: bản đó được lưu sau lần tổng hợp cuối, nên những gì "
        "anh/chị sửa trong đó (nếu có) chưa có trong báo cáo in trong PDF. Nếu bản đó là bản cần ký, hãy chạy "
        "lại lệnh tổng hợp (consolidate)"
    ) in " ".join(said)
    consolidate_into(form, inbox, outbox, show_progress=False)
    assert WRITTEN in _texts(draft).values()
    assert not any(copy.name in line for line in pdf_document(form, outbox).lines())
