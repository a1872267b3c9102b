"""The same figures sent again by mail (breaker brk8, findings 1 and 2): counted once, from
their first sending, whatever the later copy's arrival (`run.submissions._newest_first`).
Messages are built as a mail client sends them (`test_containers.eml`) around the
project's filled reports, and read from the inbox as `fetch` leaves them (.eml)."""

from __future__ import annotations

import datetime as dt
from email.utils import format_datetime
from pathlib import Path

from pipeline.run.result import FileStatus

from .conftest import report_day
from .test_containers import eml
from .test_resubmission import consolidate, dated, expected_totals, unit_of


def _mailed(tmp_path: Path, files: dict[str, Path], name: str, received: dt.datetime) -> None:
    """`files` (attachment name -> filled report, taken out of the inbox) in one message
    that reached the office at `received` (UTC), saved in the inbox as `name`."""
    attachments = {attached: path.read_bytes() for attached, path in files.items()}
    for path in files.values():
        path.unlink(missing_ok=True)
    stamp = format_datetime(received.replace(tzinfo=dt.UTC))
    (tmp_path / "inbox" / name).write_bytes(eml(attachments, received=stamp))


def test_a_copy_mailed_again_after_the_deadline_keeps_the_unit_on_time(form, make_file, tmp_path):
    """902 mails its report before the deadline and the same file again after it "to be
    safe": on time, counted from the first message (before: late, dated the second)."""
    due = form.period.due_before
    report_file, data = make_file("902", dated(20, form), name="902.xlsx", folder=tmp_path / "f")
    (tmp_path / "inbox").mkdir(exist_ok=True)
    copy = tmp_path / "f" / "902-lai.xlsx"
    copy.write_bytes(report_file.read_bytes())
    first = dt.datetime.combine(due - dt.timedelta(days=3), dt.time(3, 0))
    _mailed(tmp_path, {"902.xlsx": report_file}, "lan-1.eml", first)
    _mailed(
        tmp_path,
        {"902.xlsx": copy},
        "lan-2.eml",
        dt.datetime.combine(due + dt.timedelta(days=2), dt.time(3, 0)),
    )
    report = consolidate(form, tmp_path)
    unit = unit_of(report, "902")
    assert unit.on_time and unit.submitted_on == first.date()
    assert unit.file.parsed.origin.received.date() == first.date()
    superseded = [f for f in report.files if f.status == FileStatus.SUPERSEDED]
    assert len(superseded) == 1 and "Trùng nội dung" in superseded[0].note
    assert report.totals.to_dict() == expected_totals(form, [data])


def test_a_reply_carrying_a_replaced_attachment_does_not_bring_it_back(form, make_file, tmp_path):
    """900 mails v1 and v2 together (v2 counts), then replies a week later with v1 still
    attached: v2 still counts (before: v1's figures came back silently)."""
    folder = tmp_path / "f"
    v1, _ = make_file("900", dated(6, form), name="900-v1.xlsx", seed=1, folder=folder)
    v2, v2_data = make_file("900", dated(8, form), name="900-v2.xlsx", seed=2, folder=folder)
    again = folder / "900-v1-again.xlsx"
    again.write_bytes(v1.read_bytes())
    (tmp_path / "inbox").mkdir(exist_ok=True)
    sent = report_day(form, 10).replace(hour=2)
    _mailed(tmp_path, {"900-v1.xlsx": v1, "900-v2.xlsx": v2}, "gui.eml", sent)
    _mailed(tmp_path, {"900-v1.xlsx": again}, "tra-loi.eml", sent + dt.timedelta(days=7))
    report = consolidate(form, tmp_path)
    assert unit_of(report, "900").file.parsed.name.endswith("900-v2.xlsx")
    assert report.totals.to_dict() == expected_totals(form, [v2_data])
