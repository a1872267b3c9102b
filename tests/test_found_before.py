"""brk42 F2: a report saved by hand is judged by the date typed in it, but never later than
the day a run first found it in the inbox: the office had it then. A file typed 04/12 (a day
and month the unit swapped) in the inbox since 25/11 was "Chưa xét" on 03/12 and "Trễ hạn"
on 05/12, with nothing new and the run saying nothing had changed. A verdict that moves
between runs is now said among the changes. The runs are the officer's commands, each in its
own process on its own day (libfaketime, `clirun.days_on`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from zoneinfo import ZoneInfo

from pipeline.form import Form
from pipeline.outbox.paths import report_path
from pipeline.run.changes import Changes

from .clirun import days_on, run_cli
from .test_resubmission import dated


def _run_on(day: dt.date, inbox: Path, outbox: Path) -> tuple[str, dict]:
    """`consolidate` run on `day` (the machine's clock moved there): its output and result."""
    done = run_cli(
        "consolidate", "--inbox", str(inbox), "--outbox", str(outbox),
        env=days_on((day - _office_today()).days),
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    return done.stdout + done.stderr, json.loads(report_path(outbox, day.year).read_text(encoding="utf-8"))


def _office_today() -> dt.date:
    """Today in the office's time zone, the runs' own (the machine's date may be a day off)."""
    return dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()


def _saved_on(path: Path, day: dt.date) -> None:
    """The file saved on `day` (as the unit's copy kept its time), before any run."""
    at = dt.datetime.combine(day, dt.time(9)).timestamp()
    os.utime(path, (at, at))


def _unit(result: dict, code: str) -> dict:
    return next(u for u in result["units"] if u["code"] == code)


def test_a_file_the_office_had_before_the_deadline_is_on_time_whatever_it_says(
    form: Form, make_file, tmp_path
):
    due = form.period.due_before  # 01/12
    typed = due + dt.timedelta(days=3)  # after the deadline: as typed, late
    path, _ = make_file("908", dated(typed), folder=tmp_path / "inbox")
    _saved_on(path, due - dt.timedelta(days=11))
    outbox = tmp_path / "outbox"
    # first seen before the deadline, then run again after it, and once more
    days = (due - dt.timedelta(days=6), due + dt.timedelta(days=2), due + dt.timedelta(days=4))
    verdicts = []
    for day in days:
        out, result = _run_on(day, tmp_path / "inbox", outbox)
        unit = _unit(result, "908")
        verdicts.append((unit["timeliness"], unit["decided_by"], unit["submitted_on"]))
        assert "trễ hạn" not in out.lower(), out
    first = days[0].isoformat()
    assert verdicts == [("on_time", "found", first)] * 3
    # the unit's letter says why it is on time
    done = run_cli("mail", "drafts", "--outbox", str(outbox), env=days_on((days[-1] - _office_today()).days))
    assert done.returncode == 0, done.stdout + done.stderr
    (letter,) = [p for p in outbox.rglob("*.eml") if "908" in p.name]
    text = message_from_bytes(letter.read_bytes(), policy=default).get_body(("plain",)).get_content()
    said = f"đúng hạn (Sở đã có tệp từ ngày {days[0]:%d/%m/%Y}, trước ngày báo cáo ghi trong tệp)"
    assert said in " ".join(text.split()), text


def test_a_verdict_that_moves_between_runs_is_a_change(form: Form, make_file, tmp_path):
    """First seen after the deadline, dated after that run's day: not judged; the next run,
    after the typed day, has the file since the first run, after the deadline: late. The
    move is among the changes (it was "Không có gì thay đổi")."""
    due = form.period.due_before
    path, _ = make_file("908", dated(due + dt.timedelta(days=3)), folder=tmp_path / "inbox")
    _saved_on(path, due - dt.timedelta(days=11))
    outbox = tmp_path / "outbox"
    _, first = _run_on(due + dt.timedelta(days=1), tmp_path / "inbox", outbox)
    assert _unit(first, "908")["timeliness"] == "dated_ahead"
    out, second = _run_on(due + dt.timedelta(days=5), tmp_path / "inbox", outbox)
    unit = _unit(second, "908")
    assert (unit["timeliness"], unit["decided_by"]) == ("late", "found")
    assert second["changes"]["timeliness"] == ["908"]
    name = form.units_by_code["908"].name
    assert (
        f"Đổi kết quả xét hạn nộp (1): {name} (908): Chưa xét (ngày gửi sau ngày tổng hợp) → Trễ hạn" in out
    )
    assert "Không có gì thay đổi" not in out
    # a moved verdict alone is a change: never "Không có gì thay đổi"
    alone = Changes(
        dt.datetime(2025, 12, 6, 9), (), (), (), timeliness=(("908", name, "Đúng hạn", "Trễ hạn"),)
    )
    assert not alone.nothing and alone.lines_vi()[1].startswith("  • Đổi kết quả xét hạn nộp (1)")
