"""A second configuration (the post-2025 structure: communes are the units and the regions)
goes through templates -> fill -> consolidate with no code change."""

from __future__ import annotations

import csv
import random
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import openpyxl

from pipeline.app import consolidate_into
from pipeline.filler import fill
from pipeline.form import SCHEMAS_DIR, layout_json, load_form
from pipeline.outbox.paths import templates_dir, workbook_path
from pipeline.render.workbook import SHEETS
from pipeline.samples import valid_data
from pipeline.text.names import template_name

from .conftest import ROOT

CONFIG = """
regions_csv = "regions.csv"
units_csv = "units.csv"

[form]
id = "qd588-bao-cao-nam-xa"
version = "2026.1"
accepted_versions = ["2026.1"]
title = "BÁO CÁO KẾT QUẢ HỖ TRỢ TRẺ EM VÙNG ĐỒNG BÀO DÂN TỘC THIỂU SỐ"
form_number = "Biểu số 01/TE"
first_year = 2026
layout = "{layout}"

[period]
year = 2026
start = 2025-12-15
end = 2026-11-30
due_before = 2026-12-01

[agencies]
province = "ỦY BAN NHÂN DÂN TỈNH AN GIANG"
department = "SỞ Y TẾ"
department_short = "Sở Y tế"
place = "An Giang"
signer_title = "GIÁM ĐỐC"

[limits]
max_file_bytes = 20_000_000
max_uncompressed_bytes = 60_000_000
max_part_bytes = 16_000_000
max_sheet_bytes = 2_000_000
max_compression_ratio = 200
max_zip_entries = 500
max_rows = 2000
max_columns = 64
max_text_chars = 4000
max_number = 1_000_000_000_000_000

[schemes]
regions = "ag-xa-2025"
units = "ag-xa-2025"

[[unit_kinds]]
code = "commune"
name = "Xã, phường, đặc khu"
[[unit_kinds]]
code = "department"
name = "Sở, ngành tỉnh"

[[categories]]
code = "YTE"
name = "Chăm sóc sức khỏe"
[[categories]]
code = "DD"
name = "Dinh dưỡng"
[[categories]]
code = "HB"
name = "Học bổng"
[[categories]]
code = "TL"
name = "Hỗ trợ tâm lý"

[[sources]]
code = "DN"
name = "Doanh nghiệp"
[[sources]]
code = "CN"
name = "Cá nhân"
"""


def write_config(folder: Path) -> Path:
    mapping = SCHEMAS_DIR / "reference" / "kien-giang-communes-2025-07-mapping.csv"
    with mapping.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    communes = sorted({(r["new_commune_code"], r["new_commune_name"]) for r in rows})
    with (folder / "regions.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["code", "name"])
        w.writerows(communes)
    with (folder / "units.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["code", "name", "kind", "region"])
        for code, name in communes:
            w.writerow([code, f"UBND {name}", "commune", code])
        w.writerow(["SYT", "Sở Y tế", "department", ""])
        w.writerow(["SGDDT", "Sở Giáo dục và Đào tạo", "department", ""])
    path = folder / "an-giang-2026.toml"
    path.write_text(CONFIG.replace("{layout}", str(SCHEMAS_DIR / "layout.toml")), encoding="utf-8")
    return path


def test_post_reform_configuration_end_to_end(tmp_path):
    cfg = write_config(tmp_path)
    form = load_form(cfg)
    assert len(form.regions) == 48 and len(form.units) == 50
    assert [c.code for c in form.categories] == ["YTE", "DD", "HB", "TL"]

    # templates through the CLI, with the other configuration
    outbox = tmp_path / "outbox"
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "--config", str(cfg), "templates", "--outbox", str(outbox)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    tdir = templates_dir(outbox, 2026)
    assert len(list(tdir.glob("*.xlsx"))) == 50

    layout = layout_json(form)
    inbox = tmp_path / "inbox"
    chosen = [form.units[0], form.units[17], form.units[47], form.units_by_code["SYT"]]
    expected = defaultdict(int)
    for i, unit in enumerate(chosen):
        data = valid_data(form, unit.code, random.Random(i), layout)
        fill(
            tdir / template_name(2026, unit.code, unit.name),
            inbox / f"{unit.code}.xlsx",
            layout,
            unit.code,
            data,
        )
        for rec in data["results"]:
            expected[rec["category"]] += rec["children"]

    report = consolidate_into(form, inbox, outbox, show_progress=False)
    assert report.count("accepted") == 4, [f.message for f in report.findings]
    assert report.count("missing") == 46
    wb = openpyxl.load_workbook(workbook_path(outbox, 2026), data_only=True)
    ws = wb[SHEETS["b01"]]
    got = {
        row[1]: row[2]
        for row in ws.iter_rows(values_only=True)
        if row[1] in {c.name for c in form.categories}
    }
    assert got == {c.name: expected[c.code] for c in form.categories}
    # the header comes from the configuration
    texts = {c for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)}
    assert "SỞ Y TẾ" in texts and "ỦY BAN NHÂN DÂN TỈNH AN GIANG" in texts


PROGRAMME = """
[programme]
prefix = "te-vc"
short = "Chương trình hỗ trợ trẻ em vùng cao"
mail_tag = "TE-VC"
bieu_titles = { "01" = "KẾT QUẢ HỖ TRỢ TRẺ EM VÙNG CAO THEO NỘI DUNG" }
"""


def test_an_invented_programme_names_its_outputs(tmp_path):
    cfg = write_config(tmp_path)
    cfg.write_text(cfg.read_text(encoding="utf-8") + PROGRAMME, encoding="utf-8")
    form = load_form(cfg)
    assert form.programme_info.prefix == "te-vc"
    unit = form.units_by_code["SYT"]
    layout = layout_json(form)
    tdir = tmp_path / "t"
    from pipeline.render.template import write_template

    data = valid_data(form, unit.code, random.Random(3), layout)
    fill(write_template(form, unit, tdir), tmp_path / "inbox" / "SYT.xlsx", layout, unit.code, data)
    report = consolidate_into(form, tmp_path / "inbox", tmp_path / "out", show_progress=False)
    names = sorted(p.name for p in (tmp_path / "out" / "2026").iterdir() if p.is_file())
    assert "tong-hop-te-vc-2026.xlsx" in names and "chi-tiet-te-vc-2026.csv" in names
    assert not [n for n in names if "588" in n]
    assert report.outputs["workbook"].endswith("tong-hop-te-vc-2026.xlsx")
    wb = openpyxl.load_workbook(workbook_path(tmp_path / "out", 2026, "te-vc"), data_only=True)
    assert wb.properties.title == "Tổng hợp kết quả thực hiện Chương trình hỗ trợ trẻ em vùng cao năm 2026"
    texts = {c for row in wb[SHEETS["b01"]].iter_rows(values_only=True) for c in row if isinstance(c, str)}
    assert any(t.startswith("KẾT QUẢ HỖ TRỢ TRẺ EM VÙNG CAO THEO NỘI DUNG NĂM 2026") for t in texts)
