"""The shipped sample inbox, and the feedback workbooks sent back to units."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl

from pipeline.app import consolidate_into
from pipeline.outbox.paths import feedback_dir, workbook_path
from pipeline.render.feedback import SHEET
from pipeline.samples import write_samples

from .conftest import ROOT

EXAMPLES = ROOT / "examples" / "inbox"


def test_sample_inbox_is_current_and_shows_every_case(form, tmp_path):
    shipped = consolidate_into(form, EXAMPLES, tmp_path / "shipped", show_progress=False)
    fresh_inbox = tmp_path / "fresh"
    write_samples(form, fresh_inbox)
    fresh = consolidate_into(form, fresh_inbox, tmp_path / "fresh-out", show_progress=False)
    # regenerating the samples from today's templates gives the same data and findings
    assert shipped.totals == fresh.totals
    assert sorted(f.code for f in shipped.findings) == sorted(f.code for f in fresh.findings)
    assert shipped.count("accepted") == 25
    assert shipped.count("rejected") == 2
    assert shipped.count("missing") == 1
    statuses = {r.parsed.name: r.status for r in shipped.files}
    assert statuses["thu-gui-kem.txt"] == "not_a_report"
    assert statuses["904-ban-dau.xlsx"] == "superseded"
    late = [u.code for u in shipped.units if u.on_time is False]
    assert len(late) == 1


def test_feedback_workbook_lists_and_marks_the_cells(form, make_file, tmp_path):
    def mutate(d):
        d["results"][0]["girls"] = d["results"][0]["children"] + 3

    path, data = make_file("906", mutate=mutate)
    original = path.read_bytes()
    report = consolidate_into(form, tmp_path / "inbox", tmp_path / "out", show_progress=False)
    finding = next(f for f in report.findings if f.code == "MEASURE_AT_MOST")
    fb = list(feedback_dir(tmp_path / "out", form.year).glob("*.xlsx"))
    assert len(fb) == 1
    wb = openpyxl.load_workbook(fb[0])
    assert wb.sheetnames[0] == SHEET
    listed = [row for row in wb[SHEET].iter_rows(values_only=True) if row and row[0] == 1]
    assert listed and listed[0][3] == finding.sheet and listed[0][4] == finding.cell
    assert listed[0][2] == finding.title  # the rule's Vietnamese title, not its code
    assert "lớn hơn tổng số trẻ em" in listed[0][6]
    cell = wb[finding.sheet][finding.cell]
    assert cell.comment is not None and finding.message in cell.comment.text
    assert cell.fill.fgColor.rgb.endswith("FFC7CE")
    # the unit's own data is there, and the inbox file is untouched
    assert cell.value == data["results"][0]["girls"]
    assert path.read_bytes() == original


def test_feedback_files_of_fixed_files_are_removed(form, make_file, tmp_path):
    bad, _ = make_file("906", mutate=lambda d: d["info"].update(preparer=None))
    consolidate_into(form, tmp_path / "inbox", tmp_path / "out", show_progress=False)
    folder = feedback_dir(tmp_path / "out", form.year)
    assert len(list(folder.glob("*.xlsx"))) == 1
    make_file("906")  # the corrected file replaces the bad one in the inbox
    consolidate_into(form, tmp_path / "inbox", tmp_path / "out", show_progress=False)
    assert list(folder.glob("*.xlsx")) == []


def test_inbox_with_subfolders_and_odd_names(form, make_file, tmp_path):
    inbox = tmp_path / "inbox"
    make_file("899", folder=inbox / "thư đến 25-11", name="Báo cáo Rạch Giá (bản cuối).xlsx")
    shutil.copy(ROOT / "README.md", inbox / "ghi chú.md")
    report = consolidate_into(form, inbox, tmp_path / "out", show_progress=False)
    names = {r.parsed.name: r.status for r in report.files}
    assert names == {
        "thư đến 25-11/Báo cáo Rạch Giá (bản cuối).xlsx": "accepted",
        "ghi chú.md": "not_a_report",
    }
    # the workbook is where the outbox keeps it, and lists both files under their own names
    workbook = Path(report.outputs["workbook"])
    assert workbook == workbook_path(tmp_path / "out", form.year)
    texts = {
        value
        for ws in openpyxl.load_workbook(workbook, read_only=True).worksheets
        for row in ws.iter_rows(values_only=True)
        for value in row
        if isinstance(value, str)
    }
    assert set(names) <= texts
