"""brk47 F1: a unit answers a "cần sửa" letter with its corrected file, and its mail client
keeps the office's feedback copy attached to the reply. Both came at once; the copy (the old
figures, its old errors) was taken for the unit's newest file by its name ("phan-hoi-…"
after "899…"), so the run said "Tệp mới bị từ chối" and the letter asked the unit to fix
again what it had fixed, attaching a feedback copy of the feedback copy. A file holding the
figures of one the unit sent before never outranks a file with new figures that came with
it. The feedback copy is the office's own, written by the project's consolidation."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

from pipeline.app import consolidate_into
from pipeline.form import Form
from pipeline.render.feedback import feedback_records
from pipeline.run.result import FileStatus, UnitStatus

from .test_mail import at, message
from .test_resubmission import bad, dated, expected_totals


def _message(day: int, hour: int, files: dict[str, bytes]) -> bytes:
    """Unit 899's message, as the office's server stores it, carrying `files`."""
    return bytes(message("vanphong.899@kiengiang.gov.vn", "Báo cáo 588", at(day, hour), list(files.items())))


def test_the_offices_feedback_copy_in_a_reply_is_never_the_units_newest(
    form: Form, make_file, tmp_path: Path
):
    src, inbox = tmp_path / "src", tmp_path / "inbox"
    first, _ = make_file("899", bad(form, 20), name="899.xlsx", folder=src)
    inbox.mkdir()
    (inbox / "thu-1.eml").write_bytes(_message(20, 9, {first.name: first.read_bytes()}))
    report = consolidate_into(form, inbox, tmp_path / "out1", show_progress=False)
    (copy,) = (tmp_path / "out1" / str(form.year) / "phan-hoi").glob("*.xlsx")

    # the reply: the corrected file (same report date) and the office's copy, as it was sent
    fixed, fixed_data = make_file("899", dated(20, form), name="899.xlsx", folder=src)
    (inbox / "thu-2.eml").write_bytes(
        _message(24, 10, {fixed.name: fixed.read_bytes(), copy.name: copy.read_bytes()})
    )
    report = consolidate_into(form, inbox, tmp_path / "out2", show_progress=False)
    unit = next(u for u in report.units if u.code == "899")
    by_name = {r.parsed.name: r for r in report.files}
    assert unit.status == UnitStatus.ACCEPTED and unit.file is by_name["thu-2.eml › 899.xlsx"]
    assert unit.files[0] is unit.file and not unit.note, unit.note  # no "bị từ chối" newest
    assert by_name[f"thu-2.eml › {copy.name}"].status == FileStatus.SUPERSEDED
    assert report.totals.to_dict() == expected_totals(form, [fixed_data])
    assert not [r for r in feedback_records(report) if r.parsed.unit_code == "899"]  # nothing to send back


def test_a_reply_whose_one_change_is_the_report_date_counts(form: Form, make_file, tmp_path: Path):
    """brk49 F1: the unit's fix is the report date itself (20/12 typed for 20/11); its reply
    carries the corrected file and the old one. The same figures, another date: new, it
    counts; the old copy is the repeat."""
    src, inbox = tmp_path / "src", tmp_path / "inbox"
    wrong, _ = make_file("899", dated(dt.date(form.year, 12, 20)), name="899.xlsx", folder=src)
    right, data = make_file("899", dated(20, form), name="899-sua.xlsx", folder=src)
    inbox.mkdir()
    (inbox / "thu-1.eml").write_bytes(_message(21, 9, {wrong.name: wrong.read_bytes()}))
    (inbox / "thu-2.eml").write_bytes(
        _message(24, 10, {"899 (cu).xlsx": wrong.read_bytes(), right.name: right.read_bytes()})
    )
    report = consolidate_into(form, inbox, tmp_path / "out", show_progress=False)
    unit = next(u for u in report.units if u.code == "899")
    assert unit.file.parsed.name == "thu-2.eml › 899-sua.xlsx" and unit.file.parsed.report_date == dt.date(
        form.year, 11, 20
    )
    assert report.totals.to_dict() == expected_totals(form, [data])


def test_a_feedback_copy_saved_after_the_corrected_file_is_not_the_newest(
    form: Form, make_file, tmp_path: Path
):
    """brk49 F4: files saved by hand: the corrected file, then a second later the office's
    feedback copy (the old figures and date): the copy was the unit's newest, rejected, and
    the letter asked to fix again what was fixed."""
    inbox = tmp_path / "inbox"
    first, _ = make_file("899", bad(form, 20), name="899.xlsx")
    os.utime(first, (1_764_000_000, 1_764_000_000))
    consolidate_into(form, inbox, tmp_path / "out1", show_progress=False)
    (copy,) = (tmp_path / "out1" / str(form.year) / "phan-hoi").glob("*.xlsx")
    fixed, data = make_file("899", dated(20, form), name="899-da-sua.xlsx")
    shutil.copy(copy, inbox / copy.name)
    os.utime(fixed, (1_764_100_000, 1_764_100_000))
    os.utime(inbox / copy.name, (1_764_100_001, 1_764_100_001))  # saved a second later
    report = consolidate_into(form, inbox, tmp_path / "out2", show_progress=False)
    unit = next(u for u in report.units if u.code == "899")
    assert unit.file.parsed.name == fixed.name and unit.files[0] is unit.file and not unit.note, unit.note
    assert report.totals.to_dict() == expected_totals(form, [data])
