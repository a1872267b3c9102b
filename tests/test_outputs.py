"""Safe outputs, determinism across worker counts, and the year-over-year sheet."""

from __future__ import annotations

import importlib
import json
import multiprocessing
import random
import shutil
from collections import defaultdict
from pathlib import Path

import openpyxl
import pytest

from pipeline.app import consolidate_into
from pipeline.filler import fill
from pipeline.form import layout_json, load_form
from pipeline.outbox import atomic
from pipeline.outbox.atomic import OutboxBusy, outbox_lock
from pipeline.outbox.paths import detail_csv_path, lock_path, manifest_path, workbook_path
from pipeline.render import outputs as outputs_module
from pipeline.render.template import write_template
from pipeline.render.workbook import SHEETS
from pipeline.samples import valid_data
from pipeline.text.names import template_name


def _hold_lock(lock: str, ready, release) -> None:
    with outbox_lock(Path(lock)):
        ready.set()
        release.wait(20)


@pytest.fixture(params=["linux", "portable"])
def system(request, monkeypatch) -> str:
    """The system seam's implementation of this process and of the processes it starts."""
    monkeypatch.setenv("PIPELINE_SYSTEM", request.param)
    monkeypatch.setattr(atomic, "impl", importlib.import_module(f"pipeline.system.{request.param}"))
    return request.param


def test_second_run_on_same_outbox_refuses_with_message(system, form, make_file, tmp_path):
    make_file("899")
    folder = lock_path(tmp_path / "out", form.year)
    ctx = multiprocessing.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_lock, args=(str(folder), ready, release))
    holder.start()
    try:
        assert ready.wait(20)
        with pytest.raises(OutboxBusy, match="Đang có một lượt tổng hợp khác"):
            consolidate_into(form, tmp_path / "inbox", tmp_path / "out", show_progress=False, lock_wait=0.5)
    finally:
        release.set()
        holder.join(20)
    consolidate_into(form, tmp_path / "inbox", tmp_path / "out", show_progress=False, lock_wait=5)
    assert workbook_path(tmp_path / "out", form.year).is_file()


def test_a_run_that_waits_for_another_says_so(system, form, make_file, tmp_path, capfd):
    make_file("899")
    folder = lock_path(tmp_path / "out", form.year)
    ctx = multiprocessing.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_lock, args=(str(folder), ready, release))
    holder.start()
    try:
        assert ready.wait(20)
        capfd.readouterr()
        with pytest.raises(OutboxBusy):
            consolidate_into(form, tmp_path / "inbox", tmp_path / "out", show_progress=False, lock_wait=1.5)
        assert "Đang chờ một lượt tổng hợp khác ghi xong (tối đa 2 giây)" in capfd.readouterr().err
    finally:
        release.set()
        holder.join(20)


def test_crash_while_writing_keeps_previous_workbook(form, make_file, tmp_path, monkeypatch):
    make_file("899")
    consolidate_into(form, tmp_path / "inbox", tmp_path / "out", show_progress=False)
    wb_path = workbook_path(tmp_path / "out", form.year)
    before = wb_path.read_bytes()

    def explode(report, path, typed=None):
        Path(path).write_bytes(b"half a workbook")
        raise KeyboardInterrupt

    monkeypatch.setattr(outputs_module, "write_workbook", explode)
    make_file("903")
    with pytest.raises(KeyboardInterrupt):
        consolidate_into(form, tmp_path / "inbox", tmp_path / "out", show_progress=False)
    assert wb_path.read_bytes() == before
    leftovers = [p.name for p in wb_path.parent.parent.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []
    assert sorted(p.name for p in wb_path.parent.parent.iterdir()) == [f".{form.year}.lock", str(form.year)]


def test_same_output_whatever_the_worker_count(form, make_file, tmp_path):
    codes = [u.code for u in form.units]
    first, _ = make_file(codes[0], seed=0)
    for i in range(45):  # above the parallel threshold; resubmissions of many units
        make_file(codes[i % len(codes)], seed=i, name=f"f{i:02d}.xlsx")
    first.unlink()
    r1 = consolidate_into(form, tmp_path / "inbox", tmp_path / "o1", show_progress=False, workers=1)
    r2 = consolidate_into(form, tmp_path / "inbox", tmp_path / "o2", show_progress=False, workers=2)
    assert r1.totals == r2.totals
    m1 = json.loads(manifest_path(tmp_path / "o1", form.year).read_text())["files"]
    m2 = json.loads(manifest_path(tmp_path / "o2", form.year).read_text())["files"]
    assert {f["found"] for f in m1} == {r1.generated_at.isoformat()}  # each run's own time
    assert [{**f, "found": ""} for f in m1] == [{**f, "found": ""} for f in m2]
    c1 = detail_csv_path(tmp_path / "o1", form.year).read_bytes()
    c2 = detail_csv_path(tmp_path / "o2", form.year).read_bytes()
    assert c1 == c2


def test_year_over_year_and_programme_to_date(form, layout, tmp_path):
    outbox = tmp_path / "out"
    expected: dict[int, dict[str, int]] = {}
    for year in (form.year - 2, form.year - 1, form.year):
        f = load_form(overrides={"period": {"year": year}})
        lay = layout_json(f)
        inbox = tmp_path / f"inbox{year}"
        tdir = tmp_path / f"tpl{year}"
        sums: dict[str, int] = defaultdict(int)
        for code in ("899", "SYT"):
            unit = f.units_by_code[code]
            write_template(f, unit, tdir)
            data = valid_data(f, code, random.Random(f"{year}{code}"), lay)
            fill(tdir / template_name(year, code, unit.name), inbox / f"{code}.xlsx", lay, code, data)
            for rec in data["results"]:
                sums[rec["category"]] += rec["children"]
                sums["all"] += rec["children"]
                sums["value"] += rec["cash"] + rec["in_kind"]
        expected[year] = sums
        consolidate_into(f, inbox, outbox, show_progress=False)
    wb = openpyxl.load_workbook(workbook_path(outbox, form.year), data_only=True)
    ws = wb[SHEETS["yoy"]]
    rows = {r[0]: r for r in ws.iter_rows(values_only=True) if r and r[0]}
    cat = form.categories[0]
    prev, now = expected[form.year - 1][cat.code], expected[form.year][cat.code]
    assert rows[cat.name][1:4] == (prev, now, now - prev)
    # programme to date: each year's line, and the sum of all three
    for year in expected:
        assert rows[str(year)][1:3] == (expected[year]["all"], expected[year]["value"])
    assert rows["Lũy kế"][1] == sum(e["all"] for e in expected.values())
    shutil.rmtree(outbox)


def test_feedback_files_same_from_workers_and_from_main_process(form, make_file, tmp_path, monkeypatch):
    """Feedback files are split between worker processes and the main process (which takes
    back the ones no worker has started); a serial run writes the very same files."""
    import pipeline.render.feedback as feedback_module

    codes = [u.code for u in form.units]
    for i in range(2 * feedback_module.PARALLEL_FROM):

        def mutate(d, i=i):
            d["results"][0]["girls"] = d["results"][0]["children"] + 1 + i

        make_file(codes[i % len(codes)], mutate=mutate, seed=i, name=f"loi-{i:02d}.xlsx")
    parallel = consolidate_into(form, tmp_path / "inbox", tmp_path / "o1", show_progress=False)
    monkeypatch.setattr(feedback_module.os, "cpu_count", lambda: 1)
    serial = consolidate_into(form, tmp_path / "inbox", tmp_path / "o2", show_progress=False)
    files1 = sorted(Path(p) for p in parallel.outputs["feedback"])
    files2 = sorted(Path(p) for p in serial.outputs["feedback"])
    assert len(files1) == 2 * feedback_module.PARALLEL_FROM
    assert [p.name for p in files1] == [p.name for p in files2]
    for a, b in zip(files1, files2, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
        listed = [r for r in openpyxl.load_workbook(a)["Phản hồi"].iter_rows(values_only=True) if r[0] == 1]
        assert listed and listed[0][5] is not None  # the first finding, with the value found
