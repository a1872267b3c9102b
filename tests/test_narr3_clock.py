"""Dates after "now" (issue #23 items 2 and 7): no sentence calls a unit late on a date that
has not come yet by the run's date, and a computer clock that looks wrong (a previous run
or a file dated after now) is said in one Vietnamese line of the terminal."""

from __future__ import annotations

import datetime as dt
import json
import os
from zoneinfo import ZoneInfo

from docx import Document

from pipeline.app import consolidate_into
from pipeline.filler import date_value
from pipeline.form import load_form
from pipeline.outbox.paths import document_path, report_path
from pipeline.render.summary import print_summary

CLOCK_WORDS = "ngày giờ của máy tính có thể bị sai"


def _dated(day: dt.date):
    def mutate(data):
        data["info"]["report_date"] = date_value(day)

    return mutate


def _terminal(report, capsys) -> list[str]:
    capsys.readouterr()
    print_summary(report)
    return capsys.readouterr().out.splitlines()


def test_a_unit_is_called_late_only_on_a_date_that_has_come(form, make_file, tmp_path, capsys):
    """899 typed a date after the deadline and before today: late. 900 typed a date after the
    deadline that is also after today (it cannot have sent then): the document and the
    terminal do not call it late; the document says 1, not 2."""
    today = dt.date.today()
    due = form.period.due_before
    assert due < today  # the configuration's deadline has passed by the date of this test
    late_day = min(due + dt.timedelta(days=3), today)
    make_file("899", _dated(late_day))
    make_file("900", _dated(today + dt.timedelta(days=20)))
    report = consolidate_into(form, tmp_path / "inbox", tmp_path / "out", show_progress=False)
    assert report.count("accepted") == 2, [u.note for u in report.units if u.files]

    texts = [p.text for p in Document(str(document_path(tmp_path / "out", form.year))).paragraphs]
    late = form.units_by_code["899"].name  # named (brk38 F4)
    assert [t for t in texts if "sau thời hạn" in t] == [f"Có 1 đơn vị gửi báo cáo sau thời hạn: {late}."]
    lines = _terminal(report, capsys)
    assert f"Gửi trễ hạn (1): {form.units_by_code['899'].name}" in lines, lines


def test_no_unit_is_late_before_the_deadline_has_passed_by_the_runs_date(form, make_file, tmp_path, capsys):
    """The deadline 10 days after today (the run's date is before it) and two files typed
    with dates after the deadline: a date after the deadline is after the run's date too,
    and the files are in the inbox by the run's date, before the deadline: on time by that
    day (brk42 F2; they were not judged), and neither the document nor the terminal calls
    them late."""
    today = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()  # the runs' own today
    later = load_form(overrides={"period": {"due_before": today + dt.timedelta(days=10)}})
    make_file("899", _dated(today + dt.timedelta(days=15)))
    make_file("900", _dated(today + dt.timedelta(days=12)))
    report = consolidate_into(later, tmp_path / "inbox", tmp_path / "out", show_progress=False)
    # dated after the run's date: on time by the day this run found them, never late
    assert [(u.timeliness, u.submitted_on) for u in report.units if u.files] == [("on_time", today)] * 2
    texts = [p.text for p in Document(str(document_path(tmp_path / "out", later.year))).paragraphs]
    assert not [t for t in texts if "sau thời hạn" in t], texts
    assert not [line for line in _terminal(report, capsys) if "trễ hạn" in line.lower()]


def test_a_previous_run_or_a_file_after_now_says_the_clock_looks_wrong(form, make_file, tmp_path, capsys):
    """A run, then the previous run's record dated 30 days ahead (made while the clock was
    ahead): one warning line naming it. A file saved 30 days ahead: the line names it. With
    neither, no such line."""
    path, _ = make_file("899")
    first = consolidate_into(form, tmp_path / "inbox", tmp_path / "out", show_progress=False)
    assert not [line for line in _terminal(first, capsys) if CLOCK_WORDS in line]

    record = report_path(tmp_path / "out", form.year)
    data = json.loads(record.read_text(encoding="utf-8"))
    ahead = first.generated_at + dt.timedelta(days=30)
    data["generated_at"] = ahead.isoformat(timespec="seconds")
    record.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    second = consolidate_into(form, tmp_path / "inbox", tmp_path / "out", show_progress=False)
    warned = [line for line in _terminal(second, capsys) if CLOCK_WORDS in line]
    assert len(warned) == 1, warned
    assert f"lần tổng hợp trước ghi lúc {ahead:%H:%M} ngày {ahead:%d/%m/%Y}" in warned[0]

    future = (dt.datetime.now() + dt.timedelta(days=30)).timestamp()
    os.utime(path, (future, future))
    third = consolidate_into(form, tmp_path / "inbox", tmp_path / "out", show_progress=False)
    warned = [line for line in _terminal(third, capsys) if CLOCK_WORDS in line]
    assert len(warned) == 1 and "899.xlsx lưu lúc" in warned[0], warned
    assert "lần tổng hợp trước" not in warned[0]  # the previous run (the second) is not ahead


def test_the_workbook_counts_late_units_as_the_document_does(form, make_file, tmp_path):
    """900's file is dated after today: the status sheet says it is not judged (never "Trễ
    hạn"), and «Tổng quan» counts late units as the document does (1: 899 only)."""
    import openpyxl

    from pipeline.outbox.paths import workbook_path
    from pipeline.render.workbook import SHEETS
    from pipeline.run.result import DATED_AHEAD_VI, LATE_VI

    today = dt.date.today()
    due = form.period.due_before
    make_file("899", _dated(min(due + dt.timedelta(days=3), today)))
    make_file("900", _dated(today + dt.timedelta(days=20)))
    report = consolidate_into(form, tmp_path / "inbox", tmp_path / "out", show_progress=False)
    wb = openpyxl.load_workbook(workbook_path(tmp_path / "out", form.year))
    cells = [c.value for row in wb[SHEETS["status"]].iter_rows() for c in row]
    status = {u.code: u.timeliness_vi for u in report.units}
    assert status["899"] == LATE_VI and status["900"] == DATED_AHEAD_VI
    assert cells.count(LATE_VI) == 1 and cells.count(DATED_AHEAD_VI) == 1
    overview = {
        row[0].value: row[1].value for row in wb[SHEETS["dashboard"]].iter_rows(max_col=2) if row[0].value
    }
    counted = [v for k, v in overview.items() if str(k).startswith("Trong đó trễ hạn")]
    assert counted and all(str(v).startswith("=") for v in counted)  # a formula over the status sheet
    texts = [p.text for p in Document(str(document_path(tmp_path / "out", form.year))).paragraphs]
    late = form.units_by_code["899"].name  # named (brk38 F4)
    assert [t for t in texts if "sau thời hạn" in t] == [f"Có 1 đơn vị gửi báo cáo sau thời hạn: {late}."]
