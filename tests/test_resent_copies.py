"""The same figures sent again by mail (breaker brk8, findings 1 and 2): counted once, from
their first sending, whatever the later copy's arrival (`run.submissions._newest_first`).
Messages are built as a mail client sends them (`test_containers.eml`) around the
project's filled reports, and read from the inbox as `fetch` leaves them (.eml)."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes
from email.policy import default
from email.utils import format_datetime
from pathlib import Path

from pipeline.app import consolidate_into
from pipeline.run.result import FileStatus
from pipeline.run.submissions import is_history

from .clirun import run_cli
from .conftest import report_day
from .test_containers import eml
from .test_resubmission import bad, consolidate, dated, expected_totals, unit_of


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
    assert unit.file.parsed.name == "lan-2.eml › 902.xlsx"  # the unit's latest word
    superseded = [f for f in report.files if f.status == FileStatus.SUPERSEDED]
    assert len(superseded) == 1 and "Trùng nội dung" in superseded[0].note
    assert report.totals.to_dict() == expected_totals(form, [data])
    # the unit's letter: received on the later day, on time by the first sending
    consolidate_into(form, tmp_path / "inbox", tmp_path / "out", show_progress=False)
    done = run_cli("--config", str(form.path), "mail", "drafts", "--outbox", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    (draft,) = (tmp_path / "out" / str(form.year) / "thu").glob("thu-902-*.eml")
    body = message_from_bytes(draft.read_bytes(), policy=default).get_body(("plain",)).get_content()
    assert f"đúng hạn (cùng số liệu đơn vị đã gửi ngày {first:%d/%m/%Y})" in " ".join(body.split())


def test_a_reply_carrying_a_replaced_attachment_is_said(form, make_file, tmp_path):
    """900 mails v1 and v2 together (v2 counts), then replies a week later with v1 attached:
    the unit's latest word counts (it may be going back on purpose), and the officer is
    told that figures it had replaced came back, naming both (before: silently)."""
    folder = tmp_path / "f"
    v1, v1_data = make_file("900", dated(6, form), name="900-v1.xlsx", seed=1, folder=folder)
    v2, _ = make_file("900", dated(8, form), name="900-v2.xlsx", seed=2, folder=folder)
    again = folder / "900-v1-again.xlsx"
    again.write_bytes(v1.read_bytes())
    (tmp_path / "inbox").mkdir(exist_ok=True)
    sent = report_day(form, 10).replace(hour=2)
    _mailed(tmp_path, {"900-v1.xlsx": v1, "900-v2.xlsx": v2}, "gui.eml", sent)
    _mailed(tmp_path, {"900-v1.xlsx": again}, "tra-loi.eml", sent + dt.timedelta(days=7))
    report = consolidate(form, tmp_path)
    unit = unit_of(report, "900")
    assert unit.file.parsed.name == "tra-loi.eml › 900-v1.xlsx"
    assert "trùng số liệu với bản gui.eml › 900-v1.xlsx" in unit.note
    assert "mà đơn vị đã thay bằng gui.eml › 900-v2.xlsx" in unit.note
    assert report.totals.to_dict() == expected_totals(form, [v1_data])


def test_a_copy_sent_again_after_a_refused_one_withdraws_it(form, make_file, tmp_path):
    """A good copy, then a refused one, then the good copy again to withdraw the refused one
    (breaker brk9, S4): the good copy counts, from its first sending, and the refused one is
    history (no letter asks to correct it)."""
    folder = tmp_path / "f"
    good, data = make_file("902", dated(6, form), name="902.xlsx", seed=1, folder=folder)
    refused, _ = make_file("902", bad(form, 8), name="902-b.xlsx", seed=2, folder=folder)
    again = folder / "902-lai.xlsx"
    again.write_bytes(good.read_bytes())
    (tmp_path / "inbox").mkdir(exist_ok=True)
    first = report_day(form, 6).replace(hour=2)
    _mailed(tmp_path, {"902.xlsx": good}, "a.eml", first)
    _mailed(tmp_path, {"902-b.xlsx": refused}, "b.eml", first + dt.timedelta(days=2))
    _mailed(tmp_path, {"902.xlsx": again}, "c.eml", first + dt.timedelta(days=4))
    report = consolidate(form, tmp_path)
    unit = unit_of(report, "902")
    assert unit.file.parsed.name == "c.eml › 902.xlsx" and unit.submitted_on == first.date()
    assert [f.status for f in report.files if f.parsed.name == "b.eml › 902-b.xlsx"] == [
        FileStatus.SUPERSEDED
    ]
    assert is_history(next(f for f in report.files if f.parsed.name == "b.eml › 902-b.xlsx"))
    assert report.totals.to_dict() == expected_totals(form, [data])
