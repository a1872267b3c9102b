"""Templates -> filled files -> consolidate -> totals read back from the workbook and CSV."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict

import openpyxl
import pandas as pd

from pipeline.app import consolidate_into
from pipeline.outbox.paths import detail_csv_path, manifest_path, workbook_path
from pipeline.render.workbook import SHEETS
from pipeline.run.consolidate import run

from .conftest import ROOT


def _independent_sums(form, datas):
    """Sums computed here, from the data we filled, without the pipeline."""
    by_cat = defaultdict(lambda: defaultdict(int))
    by_region = defaultdict(lambda: defaultdict(int))
    by_source = defaultdict(lambda: defaultdict(int))
    for data in datas:
        for rec in data["results"]:
            for k, v in rec.items():
                if k in ("region", "category"):
                    continue
                by_cat[rec["category"]][k] += v
                by_region[rec["region"]][k] += v
        for src, vals in data["resources"].items():
            for k, v in vals.items():
                by_source[src][k] += v
    return by_cat, by_region, by_source


def _bieu_rows(ws, labels):
    """Map row label (column B) -> list of cached values of that row."""
    out = {}
    for row in ws.iter_rows(values_only=True):
        if len(row) > 1 and row[1] in labels:
            out[row[1]] = list(row[2:])
    return out


def test_consolidate_totals_match_independent_sums(form, make_file, tmp_path):
    codes = ["899", "903", "906", "SYT", "TDOAN", "HCTD"]
    datas = [make_file(code, seed=1)[1] for code in codes]
    outbox = tmp_path / "outbox"
    report = consolidate_into(form, tmp_path / "inbox", outbox, show_progress=False)
    assert report.count("accepted") == len(codes)
    assert report.count("missing") == len(form.units) - len(codes)
    by_cat, by_region, by_source = _independent_sums(form, datas)

    wb = openpyxl.load_workbook(workbook_path(outbox, form.year), data_only=True)
    block = form.blocks["results"]
    keys = [m.key for m in block.measures]
    b01 = _bieu_rows(wb[SHEETS["b01"]], {c.name for c in form.categories} | {"Tổng cộng"})
    for c in form.categories:
        row = b01[c.name]
        for i, k in enumerate(keys):
            assert row[i] == by_cat[c.code][k], (c.code, k)
        assert row[len(keys)] == by_cat[c.code]["cash"] + by_cat[c.code]["in_kind"]
    b02 = _bieu_rows(wb[SHEETS["b02"]], {r.name for r in form.regions})
    for r in form.regions:
        for i, k in enumerate(keys):
            assert b02[r.name][i] == by_region[r.code][k], (r.code, k)
    b04 = _bieu_rows(wb[SHEETS["b04"]], {s.name for s in form.sources})
    for s in form.sources:
        assert b04[s.name][0] == by_source[s.code]["cash"]
        assert b04[s.name][1] == by_source[s.code]["in_kind"]

    # the CSV: one row per figure, exact integers, each with its sheet and cell
    csv = pd.read_csv(detail_csv_path(outbox, form.year), dtype={"unit_code": str, "region": str})
    res = csv[csv["block"] == "results"]
    for c in form.categories:
        for k in keys:
            got = res[(res["category"] == c.code) & (res["measure"] == k)]["value"].sum()
            assert got == by_cat[c.code][k]
    assert csv["value"].dtype == "int64"
    assert csv["cell"].str.match(r"^[A-Z]+\d+$").all()

    # the report says the same
    total_children = sum(v["children"] for v in by_cat.values())
    assert report.totals.to_dict()["results.children"] == total_children


def test_cli_consolidate_empty_inbox_lists_every_unit_missing(form, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "consolidate",
            "--inbox",
            str(inbox),
            "--outbox",
            str(tmp_path / "out"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert "Không tìm thấy tệp nào" in out.stdout
    assert f"chưa gửi: {len(form.units)}" in out.stdout
    wb = openpyxl.load_workbook(workbook_path(tmp_path / "out", form.year), data_only=True)
    status = wb[SHEETS["status"]]
    states = [row[7] for row in status.iter_rows(min_row=4, values_only=True) if row[1]]
    assert states == ["Chưa gửi"] * len(form.units)
    manifest = json.loads(manifest_path(tmp_path / "out", form.year).read_text())
    assert manifest["files"] == []


def test_strict_exit_code_and_usage_errors(form, make_file, tmp_path):
    make_file("899")
    args = [
        sys.executable,
        "-m",
        "pipeline",
        "consolidate",
        "--inbox",
        str(tmp_path / "inbox"),
        "--outbox",
        str(tmp_path / "out"),
    ]
    assert subprocess.run(args, cwd=ROOT, capture_output=True).returncode == 0
    assert subprocess.run([*args, "--strict"], cwd=ROOT, capture_output=True).returncode == 1
    bad = subprocess.run(
        [sys.executable, "-m", "pipeline", "consolidate", "--bogus"], cwd=ROOT, capture_output=True, text=True
    )
    assert bad.returncode == 2
    assert "--help" in bad.stderr
    typo = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "consolidate",
            "--inbox",
            str(tmp_path / "inbxo"),
            "--outbox",
            str(tmp_path / "o"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert typo.returncode == 2 and "không tồn tại" in typo.stderr
    assert not (tmp_path / "o").exists()
    cfg = subprocess.run(
        [sys.executable, "-m", "pipeline", "--config", str(tmp_path / "nope.toml"), "form"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert cfg.returncode == 2
    assert "Không tìm thấy tệp cấu hình" in cfg.stderr


def test_inbox_is_never_modified(form, make_file, tmp_path):
    path, _ = make_file("SYT", mutate=lambda d: d["results"][0].update(girls=10**6))
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    consolidate_into(form, tmp_path / "inbox", tmp_path / "out", show_progress=False)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_rerun_gives_same_manifest_and_totals(form, make_file, tmp_path):
    for code in ("899", "SYT"):
        make_file(code)
    (tmp_path / "inbox" / "anh-chup.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really")
    r1 = consolidate_into(form, tmp_path / "inbox", tmp_path / "out", show_progress=False)
    m1 = json.loads(manifest_path(tmp_path / "out", form.year).read_text())
    r2 = consolidate_into(form, tmp_path / "inbox", tmp_path / "out", show_progress=False)
    m2 = json.loads(manifest_path(tmp_path / "out", form.year).read_text())
    m1.pop("generated_at"), m2.pop("generated_at")
    assert m1 == m2
    assert r1.totals == r2.totals
    assert [f["status"] for f in m1["files"]] == ["accepted", "accepted", "not_a_report"]


def test_unit_code_edited_in_the_file_is_caught(form, make_file, tmp_path):
    """The unit code cell is locked, but protection without a password can be lifted."""
    cell = form.info_field("unit_code").cell
    path, _ = make_file(
        "903", mutate=lambda d: d.setdefault("raw", []).append((form.sheets["info"], cell, "904"))
    )
    report = run(form, tmp_path / "inbox", tmp_path / "out", show_progress=False)
    found = [(f.code, f.sheet, f.cell) for f in report.findings]
    assert ("UNIT_CODE_CHANGED", form.sheets["info"], cell) in found
    assert report.files[0].status == "rejected"
    assert report.count("accepted") == 0


def test_a_template_typed_over_as_another_units_says_one_thing(form, make_file, tmp_path):
    """brk48 F1: another unit's officer types its code and name over a template's: one error
    at the code, as the template's live check says (its rows are the template's unit's, never
    "bố cục bị thay đổi" for reading them as the typed unit's); the file is the typed unit's."""
    info = form.sheets["info"]
    other = form.units_by_code["904"]
    edits = [
        (info, form.info_field("unit_code").cell, "904"),
        (info, form.info_field("unit_name").cell, other.name),
    ]
    make_file("903", mutate=lambda d: d.setdefault("raw", []).extend(edits))
    report = run(form, tmp_path / "inbox", tmp_path / "out", show_progress=False)
    (rec,) = report.files
    assert [(f.code, f.cell) for f in rec.parsed.findings] == [("UNIT_CODE_CHANGED", edits[0][1])]
    assert "khác với mã của mẫu (903)" in rec.parsed.findings[0].message
    assert rec.parsed.unit_code == "904" and rec.status == "rejected"
