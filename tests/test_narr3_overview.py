"""The «Tổng quan» sheet as the officer reads it: on time and late break down the units
whose file counts, so they sit under "Số đơn vị được chấp nhận" and add up to it, never
under "Số đơn vị chưa gửi" (issue #23 item 7)."""

from __future__ import annotations

import datetime as dt

import openpyxl

from pipeline.app import consolidate_into
from pipeline.filler import date_value
from pipeline.outbox.paths import workbook_path
from pipeline.render.workbook import SHEETS


def test_on_time_and_late_sit_under_the_accepted_units(form, make_file, tmp_path):
    due = form.period.due_before
    for code, day in (("899", due - dt.timedelta(days=5)), ("900", due + dt.timedelta(days=2))):
        make_file(code, lambda d, day=day: d["info"].update(report_date=date_value(day)))
    make_file("902", lambda d: d["results"][0].update(girls=d["results"][0]["children"] + 1))
    consolidate_into(form, tmp_path / "inbox", tmp_path / "out", show_progress=False)
    ws = openpyxl.load_workbook(workbook_path(tmp_path / "out", form.year), data_only=True)[
        SHEETS["dashboard"]
    ]
    labels = [
        (r[0], r[1]) for r in ws.iter_rows(min_col=1, max_col=2, values_only=True) if isinstance(r[0], str)
    ]
    names = [label for label, _ in labels]
    at = names.index("Số đơn vị được chấp nhận")
    assert names[at + 1 : at + 3] == ["Trong đó đúng hạn", "Trong đó trễ hạn"], names[at - 2 : at + 6]
    assert names[at + 3 : at + 5] == ["Số đơn vị bị từ chối", "Số đơn vị chưa gửi"], names[at - 2 : at + 6]
    counts = dict(labels[at : at + 5])
    assert counts == {
        "Số đơn vị được chấp nhận": 2,
        "Trong đó đúng hạn": 1,
        "Trong đó trễ hạn": 1,
        "Số đơn vị bị từ chối": 1,
        "Số đơn vị chưa gửi": len(form.units) - 3,
    }
