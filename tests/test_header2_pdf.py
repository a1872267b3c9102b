"""`pdf` names the report the officer saved under another name (Word's "Save As") when it
says another place and date than the PDF prints (issue #23), as `consolidate` does: never
a PDF signed while the officer's own copy, with the date they meant, lies unnamed beside it.

As the officer lives it, by the console commands: `consolidate` the sample inbox, the draft
saved under a name of their own (a copy keeps the draft's title, as Word's Save As does)
and its header's date typed there (python-docx), then `consolidate` and `pdf`."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import docx
import pytest

from pipeline.app import consolidate_into
from pipeline.form import load_form
from pipeline.outbox.paths import document_path, pdf_path
from pipeline.render.carried import FIELDS
from pipeline.render.official import place_date

from . import lo
from .clirun import run_cli
from .test_bieu_signer import SAMPLES
from .test_carry3_document import _officer_titles, _sections, _write_over_dots
from .test_carry6_header import SIGNED, _configs, _edit_header, _header

OTHER = "Kiên Giang, ngày 22 tháng 01 năm 2026"  # the date typed on the copy saved as
SAVED_AS = "Bao cao gui Bo - ban cuoi.docx"


def _consolidate(outbox: Path) -> str:
    out = run_cli("consolidate", "--inbox", str(SAMPLES), "--outbox", str(outbox))
    assert out.returncode == 0, out.stderr
    return out.stdout


def _pdf(outbox: Path) -> str:
    out = run_cli("pdf", "--outbox", str(outbox))
    assert out.returncode == 0, out.stderr
    return out.stdout


def _save_as(draft: Path, place_date: str) -> Path:
    """The officer saves the draft under `SAVED_AS` beside it and types `place_date` in its
    header; saved a minute after the draft was last written."""
    saved = draft.with_name(SAVED_AS)
    shutil.copyfile(draft, saved)
    _edit_header(saved, {"place_date": place_date})
    later = draft.stat().st_mtime + 60
    os.utime(saved, (later, later))
    return saved


@pytest.mark.libreoffice
def test_pdf_says_what_consolidate_said_of_a_copy_saved_as_with_another_date(form, tmp_path):
    lo.require_poppler()
    lo.require_soffice()
    outbox = tmp_path / "out"
    _consolidate(outbox)
    draft = document_path(outbox, form.year)
    _edit_header(draft, {"place_date": SIGNED})  # the signing date typed on the draft…
    saved = _save_as(draft, OTHER)  # …and another on the copy saved under another name
    said = _consolidate(outbox)
    assert _header(draft)["place_date"] == SIGNED  # the draft's carried: the copy's differs
    line = (
        f"Bản {saved} cũng được sửa sau lần tổng hợp trước: {FIELDS['place_date']} ở bản đó khác bản đã "
        "chép sang bản dự thảo mới nên chưa được chép; hãy so sánh và chép tay nếu cần."
    )
    assert line in said.splitlines()

    printed = _pdf(outbox)
    assert line in printed.splitlines()  # the same words as consolidate's
    assert pdf_path(outbox, form.year).is_file()


@pytest.mark.libreoffice
def test_pdf_names_a_copy_saved_as_since_the_last_consolidation(form, tmp_path):
    """The copy saved and dated after the last consolidation, the draft left as it was: the
    PDF prints the draft, and says the copy is not printed and how to print what it says;
    consolidated again, the draft carries its date and nothing is left to name."""
    lo.require_poppler()
    lo.require_soffice()
    outbox = tmp_path / "out"
    _consolidate(outbox)
    draft = document_path(outbox, form.year)
    saved = _save_as(draft, OTHER)

    printed = _pdf(outbox)
    assert f"Báo cáo in trong PDF là bản dự thảo: {draft}." in printed
    assert (
        f"Không in bản anh/chị đã lưu với tên khác {saved}: bản đó được sửa sau lần tổng hợp cuối và ghi "
        f"{FIELDS['place_date']} khác với báo cáo và các biểu in trong PDF. Nếu bản đó là bản cần ký, hãy "
        "chạy lại lệnh tổng hợp (consolidate), lệnh này đọc bản đó và nói phần nào được chép sang bản dự "
        "thảo mới; rồi chạy lại lệnh pdf."
    ) in printed.splitlines()

    _consolidate(outbox)
    assert _header(draft)["place_date"] == OTHER  # carried from the copy
    printed = _pdf(outbox)
    assert SAVED_AS not in printed  # it says what the PDF says now


@pytest.mark.libreoffice
def test_pdf_names_a_copy_saved_as_that_shows_the_date_an_earlier_run_printed(make_file, tmp_path):
    """The copy saved from a draft of an earlier day, the officer's assessment written there
    and the date left as that run printed it; a run on a later day carries the assessment
    and prints its own date: the PDF prints the draft and names the copy as a kept copy the
    last consolidation read, as it names a `-ban-da-sua` one."""
    lo.require_poppler()
    lo.require_soffice()
    configs = _configs(tmp_path, "kien-giang.toml")
    west, east = load_form(configs["tay"]), load_form(configs["dong"])
    make_file("899")
    inbox, outbox = tmp_path / "inbox", tmp_path / "out"
    first = consolidate_into(west, inbox, outbox, show_progress=False)
    draft = document_path(outbox, west.year)
    saved = draft.with_name(SAVED_AS)
    doc = docx.Document(str(draft))
    theirs = _officer_titles(doc)
    _write_over_dots(_sections(doc)[theirs[0]], "Đánh giá của Sở.")
    doc.save(str(saved))

    second = consolidate_into(east, inbox, outbox, show_progress=False)
    assert second.generated_at.date() > first.generated_at.date()
    assert _header(saved)["place_date"] == place_date(west, first.generated_at.date())
    assert _header(draft)["place_date"] == place_date(east, second.generated_at.date())
    out = run_cli("--config", str(configs["dong"]), "pdf", "--outbox", str(outbox))
    assert out.returncode == 0, out.stderr
    said = [line for line in out.stdout.splitlines() if SAVED_AS in line]
    assert len(said) == 1
    assert said[0].startswith(
        f"Không in bản anh/chị đã sửa {SAVED_AS}: bản đó ghi {FIELDS['place_date']} khác với các biểu của lần "
        "tổng hợp cuối, mà lần tổng hợp cuối đã đọc bản đó và chép sang bản dự thảo mới: mục "
    )
    assert said[0].endswith(f"; bản dự thảo {draft.name} in {FIELDS['place_date']} như các biểu.")
