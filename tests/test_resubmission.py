"""Issue #3: which file counts for a unit, and plausibility against last year.

Rules under test (`pipeline/submissions.py`): the newest submission counts, by the report
date written in the file, then by file time; when the newest is rejected the newest
accepted one still counts and the unit says so; identical content is one submission;
every other file of the unit is superseded and names the file that replaced it. Nothing
is counted twice, and every unit of the registry is accepted, rejected or missing.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.app import consolidate_into
from pipeline.filler import date_value, fill
from pipeline.form import Form, layout_json, load_form
from pipeline.form.sheets import block_sheet
from pipeline.outbox.paths import detail_csv_path
from pipeline.render.template import write_template
from pipeline.rules.recordkinds import change_words
from pipeline.run.consolidate import run
from pipeline.run.result import FileStatus, UnitStatus
from pipeline.run.submissions import open_findings, past_findings
from pipeline.samples import valid_data

from .conftest import report_day


# ----- helpers -------------------------------------------------------------------------------
def expected_totals(form: Form, datas: list[dict[str, Any]]) -> dict[str, int]:
    """The report's headline totals, summed here from the data we filled."""
    out: Counter[str] = Counter()
    for d in datas:
        for rec in d["results"]:
            block = form.blocks["results"]
            for m in block.measures:
                out[f"results.{m.key}"] += rec.get(m.key) or 0
            for t in block.totals:
                out[f"results.{t.key}"] += sum(rec.get(k) or 0 for k in t.sum_of)
        for key in ("resources", "needs"):
            block = form.blocks[key]
            for vals in d.get(key, {}).values():
                for m in block.measures:
                    out[f"{key}.{m.key}"] += vals.get(m.key) or 0
                for t in block.totals:
                    out[f"{key}.{t.key}"] += sum(vals.get(k) or 0 for k in t.sum_of)
        out["info.activities"] += d["info"].get("activities") or 0
    keys = [
        f"{key}.{k}"
        for key, block in form.blocks.items()
        for k in [*(m.key for m in block.measures), *(t.key for t in block.totals)]
    ] + ["info.activities"]
    return {k: out[k] for k in keys}


def dated(day: dt.date | int, form: Form | None = None, **info: Any):
    """Mutation: set the report date (a day of November of the form's year, or a date)."""

    def mutate(data: dict[str, Any]) -> None:
        when = day if isinstance(day, dt.date) else report_day(form, day).date()
        data["info"]["report_date"] = date_value(when)
        data["info"].update(info)

    return mutate


def bad(form: Form, day: int):
    """Mutation: a report dated `day` with an error (girls > children in the first row)."""

    def mutate(data: dict[str, Any]) -> None:
        dated(day, form)(data)
        rec = data["results"][0]
        rec["girls"] = rec["children"] + 7

    return mutate


def set_mtime(path: Path, hours: int) -> None:
    t = dt.datetime(2025, 11, 1).timestamp() + hours * 3600
    os.utime(path, (t, t))


def consolidate(form: Form, tmp_path: Path, write: bool = False):
    return (consolidate_into if write else run)(
        form, tmp_path / "inbox", tmp_path / "out", show_progress=False
    )


def unit_of(report, code: str):
    return next(u for u in report.units if u.code == code)


def file_named(report, name: str):
    return next(f for f in report.files if f.parsed.name == name)


# ----- which file counts ---------------------------------------------------------------------
def test_newer_report_date_wins_over_newer_file_time(form, make_file, tmp_path):
    old, old_data = make_file("899", dated(10, form), name="a-ngay-10.xlsx", seed=1)
    same = old_data["info"]["preparer"]  # the unit's own correction: no other preparer to ask about
    new, new_data = make_file("899", dated(20, form, preparer=same), name="b-ngay-20.xlsx", seed=2)
    set_mtime(old, 48)  # the older report was saved (or copied) last
    set_mtime(new, 1)
    report = consolidate(form, tmp_path)
    unit = unit_of(report, "899")
    assert unit.status == UnitStatus.ACCEPTED
    assert unit.file.parsed.name == "b-ngay-20.xlsx"
    assert unit.submitted_on == report_day(form, 20).date()
    assert unit.note == ""
    loser = file_named(report, "a-ngay-10.xlsx")
    assert loser.status == FileStatus.SUPERSEDED
    assert loser.replaced_by == "b-ngay-20.xlsx"
    assert "b-ngay-20.xlsx" in loser.note
    assert file_named(report, "b-ngay-20.xlsx").status == FileStatus.ACCEPTED
    assert report.totals.to_dict() == expected_totals(form, [new_data])


def test_same_report_date_newer_file_time_wins(form, make_file, tmp_path):
    a, a_data = make_file("SYT", dated(15, form), name="a.xlsx", seed=1)
    b, b_data = make_file("SYT", dated(15, form), name="b.xlsx", seed=2)
    set_mtime(a, 30)
    set_mtime(b, 5)
    report = consolidate(form, tmp_path)
    assert unit_of(report, "SYT").file.parsed.name == "a.xlsx"
    assert file_named(report, "b.xlsx").status == FileStatus.SUPERSEDED
    assert file_named(report, "b.xlsx").replaced_by == "a.xlsx"
    assert report.totals.to_dict() == expected_totals(form, [a_data])

    set_mtime(b, 60)  # now b is the newer file
    report = consolidate(form, tmp_path)
    assert unit_of(report, "SYT").file.parsed.name == "b.xlsx"
    assert file_named(report, "a.xlsx").status == FileStatus.SUPERSEDED
    assert file_named(report, "a.xlsx").replaced_by == "b.xlsx"
    assert report.totals.to_dict() == expected_totals(form, [b_data])


def test_newest_rejected_older_accepted_still_counts(form, make_file, tmp_path):
    ok, ok_data = make_file("903", dated(10, form), name="903-lan-1.xlsx", seed=1)
    ko, _ = make_file("903", bad(form, 20), name="903-lan-2.xlsx", seed=2)
    set_mtime(ok, 1)
    set_mtime(ko, 2)
    report = consolidate(form, tmp_path)
    unit = unit_of(report, "903")
    assert unit.status == UnitStatus.ACCEPTED
    assert unit.file.parsed.name == "903-lan-1.xlsx"
    y = form.year
    assert unit.note.lower().startswith(f"bản gửi ngày 20/11/{y} (903-lan-2.xlsx) bị từ chối"), unit.note
    assert f"đang dùng bản 903-lan-1.xlsx ngày 10/11/{y}" in unit.note
    rejected = file_named(report, "903-lan-2.xlsx")
    assert rejected.status == FileStatus.REJECTED  # still listed as rejected, with its findings
    assert rejected.replaced_by == ""
    assert rejected.errors >= 1
    assert file_named(report, "903-lan-1.xlsx").status == FileStatus.ACCEPTED
    assert report.totals.to_dict() == expected_totals(form, [ok_data])


def test_older_rejected_newer_accepted_supersedes_it(form, make_file, tmp_path):
    _, bad_data = make_file("903", bad(form, 10), name="903-lan-1.xlsx", seed=1)
    same = bad_data["info"]["preparer"]  # corrected by the same preparer
    _, ok_data = make_file("903", dated(20, form, preparer=same), name="903-lan-2.xlsx", seed=2)
    report = consolidate(form, tmp_path)
    unit = unit_of(report, "903")
    assert unit.file.parsed.name == "903-lan-2.xlsx"
    assert unit.note == ""
    old = file_named(report, "903-lan-1.xlsx")
    assert old.status == FileStatus.SUPERSEDED
    assert old.replaced_by == "903-lan-2.xlsx"
    assert report.totals.to_dict() == expected_totals(form, [ok_data])


def test_all_submissions_rejected(form, make_file, tmp_path):
    make_file("906", bad(form, 10), name="906-a.xlsx", seed=1)
    make_file("906", bad(form, 20), name="906-b.xlsx", seed=2)
    report = consolidate(form, tmp_path)
    unit = unit_of(report, "906")
    assert unit.status == UnitStatus.REJECTED
    assert unit.file is None
    assert "906-b.xlsx" in unit.note and "bị từ chối" in unit.note
    assert [f.status for f in report.files] == [FileStatus.REJECTED, FileStatus.REJECTED]
    # the unit sent another file after the older one: its errors are history, the newest's open
    assert file_named(report, "906-a.xlsx").replaced_by == "906-b.xlsx"
    assert file_named(report, "906-b.xlsx").replaced_by == ""
    assert open_findings(report.files) == file_named(report, "906-b.xlsx").parsed.findings
    assert past_findings(report.files) == file_named(report, "906-a.xlsx").parsed.findings
    assert all(v == 0 for v in report.totals.to_dict().values())


def test_identical_content_is_one_submission(form, make_file, tmp_path):
    a, data = make_file("TDOAN", dated(12, form), name="tdoan.xlsx", seed=3)
    b, _ = make_file("TDOAN", dated(12, form), name="tdoan (1).xlsx", seed=3)  # sent twice
    set_mtime(a, 1)
    set_mtime(b, 2)
    report = consolidate(form, tmp_path)
    unit = unit_of(report, "TDOAN")
    assert unit.status == UnitStatus.ACCEPTED
    assert unit.file.parsed.name == "tdoan (1).xlsx"
    dup = file_named(report, "tdoan.xlsx")
    assert dup.status == FileStatus.SUPERSEDED
    assert dup.replaced_by == "tdoan (1).xlsx"
    assert "Trùng nội dung" in dup.note
    assert report.totals.to_dict() == expected_totals(form, [data])  # not doubled
    for frame in report.detail.blocks.values():
        assert set(frame["file"]) <= {"tdoan (1).xlsx"}


def test_a_rejected_file_with_the_same_figures_is_replaced_not_a_copy(form, make_file, tmp_path):
    """A file rejected for text typed in a row its correction leaves blank holds the same
    figures as the correction: it was never counted, so it is replaced, not "the same
    content counted once" (brk32)."""
    sheet = block_sheet(form, form.blocks["results"], form.units_by_code["899"])
    _, blank_row_cell = sheet.rows[-1].measures[0]  # the random figures fill the first rows

    def text_in_a_blank_row(data: dict[str, Any]) -> None:
        dated(10, form)(data)
        data["raw"] = [(sheet.block.sheet, blank_row_cell, "khoảng 50")]

    make_file("899", text_in_a_blank_row, name="899.xlsx", seed=3)
    _, data = make_file("899", dated(12, form), name="899 sua.xlsx", seed=3)
    report = consolidate(form, tmp_path)
    old = file_named(report, "899.xlsx")
    assert [f.cell for f in old.parsed.findings if f.severity == "error"] == [blank_row_cell]
    assert old.parsed.content_key == unit_of(report, "899").file.parsed.content_key
    assert old.status == FileStatus.SUPERSEDED and old.note == "Đã được thay thế bởi 899 sua.xlsx"
    assert report.totals.to_dict() == expected_totals(form, [data])


def test_identical_figures_with_a_new_report_date_are_one_submission(form, make_file, tmp_path):
    """Same figures re-sent with only a later date (after the deadline): counted once, the
    later one counts, on time from the first sending of the figures (breaker brk8)."""
    make_file("TDOAN", dated(12, form), name="tdoan-12.xlsx", seed=3)
    late = form.period.due_before + dt.timedelta(days=3)
    _, data = make_file("TDOAN", dated(late, form), name="tdoan-tre.xlsx", seed=3)
    report = consolidate(form, tmp_path)
    unit = unit_of(report, "TDOAN")
    assert unit.file.parsed.name == "tdoan-tre.xlsx"
    assert unit.submitted_on == report_day(form, 12).date() and unit.on_time
    assert "Trùng nội dung" in file_named(report, "tdoan-12.xlsx").note
    assert report.totals.to_dict() == expected_totals(form, [data])


def test_nothing_counted_twice_and_every_unit_has_one_status(form, make_file, tmp_path):
    counted = []
    # 899: three submissions, the last one re-sent identically
    make_file("899", dated(5, form), name="899-v1.xlsx", seed=1)
    v2, d = make_file("899", dated(18, form), name="899-v2.xlsx", seed=2)
    again, _ = make_file("899", dated(18, form), name="899-v2-gui-lai.xlsx", seed=2)
    set_mtime(v2, 1)  # the copy re-sent is saved later (times are told to the second)
    set_mtime(again, 2)
    counted.append(d)
    # SYT: newest rejected, older accepted
    _, d = make_file("SYT", dated(8, form), name="syt-1.xlsx", seed=1)
    make_file("SYT", bad(form, 22), name="syt-2.xlsx", seed=2)
    counted.append(d)
    # 903: only a rejected file; HCTD: one good file; plus a stray note
    make_file("903", bad(form, 9), name="903.xlsx")
    _, d = make_file("HCTD", dated(11, form), name="hctd.xlsx")
    counted.append(d)
    (tmp_path / "inbox" / "thu-gui-kem.txt").write_text("Kính gửi Sở", encoding="utf-8")

    report = consolidate(form, tmp_path, write=True)

    status = {u.code: u.status for u in report.units}
    assert [u.code for u in report.units] == [u.code for u in form.units]
    assert {c: status[c] for c in ("899", "SYT", "903", "HCTD")} == {
        "899": UnitStatus.ACCEPTED,
        "SYT": UnitStatus.ACCEPTED,
        "903": UnitStatus.REJECTED,
        "HCTD": UnitStatus.ACCEPTED,
    }
    n_acc, n_rej, n_mis = (
        report.count(s) for s in (UnitStatus.ACCEPTED, UnitStatus.REJECTED, UnitStatus.MISSING)
    )
    assert (n_acc, n_rej) == (3, 1)
    assert n_acc + n_rej + n_mis == len(form.units)
    chosen = [u.file.parsed.name for u in report.units if u.file]
    assert sorted(chosen) == ["899-v2-gui-lai.xlsx", "hctd.xlsx", "syt-1.xlsx"]
    assert report.totals.to_dict() == expected_totals(form, counted)

    # each counted row appears once in the detail and once in the CSV
    for key, frame in report.detail.blocks.items():
        assert set(frame["file"]) <= set(chosen), key
        assert not frame.duplicated(["unit_code", "row"]).any(), key
    csv = pd.read_csv(detail_csv_path(tmp_path / "out", form.year), dtype={"unit_code": str})
    assert set(csv["file"]) == set(chosen)
    res = csv[csv["block"] == "results"]
    for m in form.blocks["results"].measures:
        assert res[res["measure"] == m.key]["value"].sum() == report.totals.to_dict()[f"results.{m.key}"]


def test_on_time_and_late(form, make_file, tmp_path):
    due = form.period.due_before
    make_file("899", dated(due - dt.timedelta(days=1)), name="899.xlsx")
    make_file("900", dated(due), name="900.xlsx")  # due_before is the first late day
    make_file("902", dated(due + dt.timedelta(days=3)), name="902.xlsx")
    make_file("903", bad(form, 10), name="903.xlsx")
    report = consolidate(form, tmp_path)
    got = {c: (unit_of(report, c).status, unit_of(report, c).on_time) for c in ("899", "900", "902", "903")}
    assert got == {
        "899": (UnitStatus.ACCEPTED, True),
        "900": (UnitStatus.ACCEPTED, False),  # late is still accepted
        "902": (UnitStatus.ACCEPTED, False),
        "903": (UnitStatus.REJECTED, None),
    }
    assert unit_of(report, "899").timeliness_vi == "Đúng hạn"
    assert unit_of(report, "902").timeliness_vi == "Trễ hạn"
    assert unit_of(report, "902").submitted_on == due + dt.timedelta(days=3)


# ----- plausibility against last year ----------------------------------------------------------
def _controlled(data: dict[str, Any], form: Form, region: str, **values: Any) -> None:
    """One known row in the first category; resources well above the support."""
    row = {"children": 100, "girls": 40, "ethnic": 30, "turns": 1000, "cash": 10_000_000, "in_kind": 0}
    row.update(values)
    data["results"] = [{"region": region, "category": form.categories[0].code, **row}]
    data["resources"] = {form.sources[0].code: {"cash": 50_000_000, "in_kind": 0}}


def test_outlier_against_last_year(form, make_file, tmp_path):
    prev = load_form(overrides={"period": {"year": form.year - 1}})
    prev_layout = layout_json(prev)
    outbox = tmp_path / "out"

    # last year's consolidation, from last year's templates
    prev_inbox = tmp_path / "inbox-prev"
    for code in ("899", "903", "906"):
        unit = prev.units_by_code[code]
        template = write_template(prev, unit, tmp_path / "templates-prev")
        data = valid_data(prev, code, random.Random(code), prev_layout)
        _controlled(data, prev, unit.region)
        fill(template, prev_inbox / f"{code}.xlsx", prev_layout, code, data)
    prev_report = consolidate_into(prev, prev_inbox, outbox, show_progress=False)
    assert prev_report.count(UnitStatus.ACCEPTED) == 3
    assert detail_csv_path(outbox, prev.year).is_file()

    # this year: 899 ten times more children, 903 a tenth of the cash, 906 unchanged
    def this_year(code: str, **values: Any):
        def mutate(data: dict[str, Any]) -> None:
            _controlled(data, form, form.units_by_code[code].region, **values)

        return mutate

    make_file("899", this_year("899", children=1000))
    make_file("903", this_year("903", cash=1_000_000))
    make_file("906", this_year("906"))
    report = run(form, tmp_path / "inbox", outbox, show_progress=False)
    assert report.history.previous_year == prev.year

    block = form.blocks["results"]
    row = form.rows_for(block, form.units_by_code["899"])[0].row
    cat = form.categories[0].name
    y, py = form.year, prev.year
    findings = {rec.parsed.name: rec.parsed.findings for rec in report.files}

    [f899] = findings["899.xlsx"]
    assert (f899.code, f899.severity, f899.sheet, f899.cell) == (
        "OUTLIER_LAST_YEAR",
        "warning",
        block.sheet,
        f"{block.measure_column('children')}{row}",
    )
    assert f"Tổng số trẻ em ({cat}) năm {y} là 1.000, năm {py} là 100" in f899.message
    assert "gấp 10,0 lần" in f899.message

    [f903] = findings["903.xlsx"]
    assert (f903.code, f903.cell) == ("OUTLIER_LAST_YEAR", f"{block.measure_column('cash')}{row}")
    assert f"năm {y} là 1.000.000, năm {py} là 10.000.000" in f903.message
    assert "(giảm 90%)" in f903.message and "gấp" not in f903.message
    # a fall is said in %, never "100%" while something is left (brk34 F9: "giảm 100,0%")
    said = [change_words(n, 100_000) for n in (0, 1, 500, 600, 90_000, 300_000)]
    assert said == ["giảm 100%", "giảm hơn 99%", "giảm hơn 99%", "giảm 99%", "giảm 10%", "gấp 3,0 lần"]

    assert findings["906.xlsx"] == []
    # a warning: every file still counts
    assert {rec.parsed.name: rec.status for rec in report.files} == {
        "899.xlsx": FileStatus.ACCEPTED_WARNINGS,
        "903.xlsx": FileStatus.ACCEPTED_WARNINGS,
        "906.xlsx": FileStatus.ACCEPTED,
    }
    assert report.totals.to_dict()["results.children"] == 1000 + 100 + 100


def test_a_rejected_file_sent_again_is_history_while_an_older_one_counts(form, make_file, tmp_path):
    """Accepted, then rejected, then rejected again: the first counts, the last rejection is
    open, the one between is history (replaced by the last), its status still rejected."""
    make_file("904", dated(10, form), name="904-a.xlsx", seed=1)
    make_file("904", bad(form, 15), name="904-b.xlsx", seed=2)
    make_file("904", bad(form, 20), name="904-c.xlsx", seed=3)
    report = consolidate(form, tmp_path)
    assert unit_of(report, "904").file.parsed.name == "904-a.xlsx"
    between, last = file_named(report, "904-b.xlsx"), file_named(report, "904-c.xlsx")
    assert (between.status, between.replaced_by) == (FileStatus.REJECTED, "904-c.xlsx")
    assert (last.status, last.replaced_by) == (FileStatus.REJECTED, "")
    assert open_findings(report.files) == last.parsed.findings
    assert past_findings(report.files) == between.parsed.findings
