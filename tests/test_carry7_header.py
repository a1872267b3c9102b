"""The officer's header fields are never lost (issue #23), where carry6 lost them: a signing
date typed equal to what a later run prints, and the header table whose motto the officer
retyped as Word autocorrects it. Days are simulated as in `test_carry6_header`: copies of
the configuration 12 hours west and 14 hours east of UTC, whose dates always differ; a
third day, or one configuration on two days (one set of figures), by the command run in
its own process with the machine's clock a day on (libfaketime, `clirun.days_on`)."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import docx
import pytest

from pipeline.app import consolidate_into
from pipeline.outbox.paths import document_path, pdf_path, report_path
from pipeline.render.carried import FIELDS
from pipeline.render.official import MOTTO_SUB, place_date

from . import lo
from .clirun import days_on, run_cli
from .test_bieu_signer import _bieu_pages, _pages
from .test_carry3_document import _officer_titles, _sections, _write_over_dots
from .test_carry6_header import (
    DEPARTMENT,
    MOTTO_TYPED,
    ZONES,
    _bieu_heading,
    _edit_header,
    _first_run,
    _header,
    _said,
    _type,
)


def test_a_date_typed_equal_to_the_next_runs_stays_the_officers_on_a_third_day(make_file, tmp_path, capsys):
    """Run on day A; the officer types the day B they will sign; mail arrives on day B and
    the run that day prints B too; a run on another day keeps B (draft and biểu)."""
    day = _first_run(tmp_path, make_file)
    west, east, inbox, outbox, draft = day.west, day.east, day.inbox, day.outbox, day.draft
    signing_day = dt.datetime.now(ZoneInfo(ZONES["dong"])).date()  # the next run's date
    signed = place_date(east, signing_day)
    assert _header(draft)["place_date"] != signed
    _edit_header(draft, {"place_date": signed})

    make_file("900")
    second = consolidate_into(east, inbox, outbox, show_progress=False)
    assert second.generated_at.date() == signing_day  # the run prints what the officer typed
    assert _header(draft)["place_date"] == signed

    make_file("904")
    third = consolidate_into(west, inbox, outbox, show_progress=False)
    assert third.generated_at.date() != signing_day
    assert _header(draft)["place_date"] == signed  # the officer's, not the third run's date
    assert _bieu_heading(outbox, west.year) == {(west.agencies["department"], signed)}
    assert FIELDS["place_date"] in _said(third, capsys)  # named as carried

    # a third day: the day after the one signed, nothing edited
    assert _consolidate_a_day_on(east, inbox, outbox) == signing_day + dt.timedelta(days=1)
    assert _header(draft)["place_date"] == signed


def _retype_motto(path, lines: list[str]) -> None:
    """The officer types each of `lines` over the motto's lines (as Word autocorrects them)."""
    doc = docx.Document(str(path))
    right = doc.tables[0].rows[0].cells[1].paragraphs
    for p, text in zip([p for p in right if p.text.strip()], lines, strict=False):
        _type(p, text)
    doc.save(str(path))


@pytest.mark.parametrize(
    "motto",
    [
        [MOTTO_TYPED, "Độc lập – Tự do – Hạnh phúc"],  # Word's AutoFormat: en dashes
        ["CHXHCN VIỆT NAM", "ĐL - TD - HP"],  # no longer the motto: the table's place tells
    ],
    ids=["autocorrected", "abbreviated"],
)
def test_the_header_with_a_motto_retyped_is_still_the_header(make_file, tmp_path, capsys, motto):
    day = _first_run(tmp_path, make_file)
    east, inbox, outbox, draft = day.east, day.inbox, day.outbox, day.draft
    signed = "Rạch Giá, ngày 05 tháng 12 năm 2025"
    _edit_header(draft, {"department": DEPARTMENT, "place_date": signed})
    _retype_motto(draft, motto)

    make_file("900")
    second = consolidate_into(east, inbox, outbox, show_progress=False)
    new = _header(draft)
    assert (new["department"], new["place_date"]) == (DEPARTMENT, signed)
    said = _said(second, capsys)
    assert "tên cơ quan ban hành; địa danh, ngày tháng" in said
    assert f"quốc hiệu, tiêu ngữ: «{motto[0]}" in said  # the motto named, not carried
    assert MOTTO_SUB in new["motto"]
    assert "bảng:" not in said  # the header is not taken for a table the officer typed


def test_the_motto_quoted_is_the_line_the_officer_changed(make_file, tmp_path, capsys):
    day = _first_run(tmp_path, make_file)
    east, inbox, outbox, draft = day.east, day.inbox, day.outbox, day.draft
    doc = docx.Document(str(draft))
    sub = next(p for p in doc.tables[0].rows[0].cells[1].paragraphs if p.text.strip() == MOTTO_SUB)
    _type(sub, "Độc lập – Tự do – Hạnh phúc!")
    doc.save(str(draft))
    second = consolidate_into(east, inbox, outbox, show_progress=False)
    assert "quốc hiệu, tiêu ngữ: «Độc lập – Tự do – Hạnh phúc!»" in _said(second, capsys)


def _consolidate_a_day_on(form, inbox, outbox) -> dt.date:
    """`consolidate` as the officer types it, in its own process whose clock reads a day on
    (one configuration run on two days: the set's identity depends on its time zone, so the
    two-zone copies cannot give one set of figures on two days); the run's date, as the
    run's report records it."""
    out = run_cli(
        "--config",
        str(form.path),
        "consolidate",
        "--inbox",
        str(inbox),
        "--outbox",
        str(outbox),
        env=days_on(1),
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(report_path(outbox, form.year).read_text(encoding="utf-8"))
    return dt.datetime.fromisoformat(report["generated_at"]).date()


@pytest.mark.libreoffice
def test_pdf_prints_the_draft_when_the_kept_copy_shows_only_the_date_an_earlier_run_printed(
    form, make_file, tmp_path
):
    """Run on one day; the officer writes a section and leaves the date as printed; a run the
    next day with no new mail keeps their draft (same figures) and prints the new date;
    `pdf` prints the new draft, which carries their section and the biểu's date, says why
    the copy is not printed, and never asks for a consolidation that changes nothing."""
    lo.require_poppler()
    lo.require_soffice()
    make_file("899")
    inbox, outbox = tmp_path / "inbox", tmp_path / "out"
    consolidate_into(form, inbox, outbox, show_progress=False)
    draft = document_path(outbox, form.year)
    doc = docx.Document(str(draft))
    _write_over_dots(_sections(doc)[_officer_titles(doc)[0]], "Đánh giá của Sở.")
    doc.save(str(draft))

    dated = place_date(form, _consolidate_a_day_on(form, inbox, outbox))
    kept = draft.with_name(f"{draft.stem}-ban-da-sua{draft.suffix}")
    assert kept.is_file() and _header(kept)["place_date"] != dated == _header(draft)["place_date"]
    for _ in range(2):  # as often as it is asked
        out = run_cli("--config", str(form.path), "pdf", "--outbox", str(outbox))
        assert out.returncode == 0, out.stderr
        assert f"Báo cáo in trong PDF là bản dự thảo: {draft}." in out.stdout
        assert (
            f"Không in bản anh/chị đã sửa {kept.name}: bản đó ghi {FIELDS['place_date']} khác" in out.stdout
        )
        assert "lần tổng hợp trước, không phải của bộ kết quả hiện hành" not in out.stdout  # same figures
    pages = _pages(pdf_path(outbox, form.year))
    assert dated in pages[0] and "Đánh giá của Sở." in " ".join(pages)
    assert all(dated in text for text in _bieu_pages(pages))

    # the officer goes on in the kept copy: it is theirs to print once consolidated, and
    # `pdf` says so truly (the date there is the earlier run's, not one they typed)
    doc = docx.Document(str(kept))
    _write_over_dots(_sections(doc)[_officer_titles(doc)[1]], "Khó khăn của Sở.")
    doc.save(str(kept))
    out = run_cli("--config", str(form.path), "pdf", "--outbox", str(outbox))
    assert out.returncode != 0
    assert f"ghi {FIELDS['place_date']} do lần tổng hợp trước in ra" in out.stderr
    assert "anh/chị đã sửa sau lần tổng hợp đó" not in out.stderr
    assert place_date(form, _consolidate_a_day_on(form, inbox, outbox)) == dated
    out = run_cli("--config", str(form.path), "pdf", "--outbox", str(outbox))
    assert out.returncode == 0, out.stderr
    pages = _pages(pdf_path(outbox, form.year))
    assert dated in pages[0] and "Khó khăn của Sở." in " ".join(pages)


def test_an_earlier_draft_saved_over_a_later_one_carries_no_date_of_its_run(make_file, tmp_path, capsys):
    """brk14 F2: the officer has day A's draft open while the run of day B writes the set,
    writes section VII and saves (Ctrl+S) over day B's draft. The next run carries their VII,
    not day A's printed date, which no one typed: its draft and biểu print the new run's date,
    and the summary names no place and date carried."""
    day = _first_run(tmp_path, make_file)
    east, inbox, outbox, draft = day.east, day.inbox, day.outbox, day.draft
    opened = docx.Document(str(draft))  # day A's draft, open in Word
    day_a = _header(draft)["place_date"]

    make_file("900")
    second = consolidate_into(east, inbox, outbox, show_progress=False)
    assert _header(draft)["place_date"] == place_date(east, second.generated_at.date()) != day_a
    title = _officer_titles(opened)[0]
    _write_over_dots(_sections(opened)[title], "Đánh giá của cán bộ, viết trên bản cũ.")
    opened.save(str(draft))  # over day B's draft

    third = consolidate_into(east, inbox, outbox, show_progress=False)
    new_date = place_date(east, third.generated_at.date())
    assert _header(draft)["place_date"] == new_date, _header(draft)
    assert _bieu_heading(outbox, east.year) == {(east.agencies["department"], new_date)}
    said = _said(third, capsys)
    assert FIELDS["place_date"] not in said, said
    texts = [b.text for b in _sections(docx.Document(str(draft)))[title] if hasattr(b, "text")]
    assert "Đánh giá của cán bộ, viết trên bản cũ." in texts, texts  # their VII carried
