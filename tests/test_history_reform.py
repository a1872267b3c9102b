"""History across the 2025 reform (issue #22, item 3): 2024 consolidated under Kiên Giang's
configuration (districts), 2025 under An Giang's (communes), side by side.

The years are built with the project's own samples and consolidation; the expected figures
are summed independently from each year's CSV, and the land each new unit covers is taken
from the reference list of the 102 units (`an-giang-communes-2025-07.csv`, its former
province and districts), not from the crosswalk the code reads. The old communes' names come
from the statistics office's list of Kiên Giang before the reform (`kien-giang-communes-2025-03.csv`).
"""

from __future__ import annotations

import csv
import json
import random
import re
import shutil
from collections import defaultdict
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from docx import Document

from pipeline.app import consolidate_into
from pipeline.filler import fill
from pipeline.form import SCHEMAS_DIR, Form, layout_json, load_form, norm_text
from pipeline.outbox.paths import detail_csv_path, document_path, workbook_path
from pipeline.render.template import write_template
from pipeline.render.workbook import SHEETS
from pipeline.run.consolidate import check_files
from pipeline.run.history import _stack_sums, load_history
from pipeline.samples import valid_data, write_samples
from pipeline.text.names import slug

REFERENCE = SCHEMAS_DIR / "reference"


def _reference(name: str) -> list[dict[str, str]]:
    lines = (REFERENCE / name).read_text(encoding="utf-8").splitlines()
    return list(csv.DictReader(line for line in lines if not line.startswith("#")))


def _every_department(form: Form, inbox: Path, work: Path) -> None:
    """The sample inbox with an accepted report of every department (a unit of no region of
    its own reports on any place): the samples leave one out and reject another, which would
    leave no group of places compared across the reform (`yoy._lacking`); a commune's or a
    district's gaps stay."""
    layout = layout_json(form)
    for unit in form.units:
        if unit.region is not None:
            continue
        files = sorted(inbox.glob(f"{slug(unit.code, 20)}-*.xlsx"))
        if files and not all(p.has_errors for p in check_files(form, files)):
            continue
        for path in files:
            path.unlink()
        data = valid_data(form, unit.code, random.Random(unit.code), layout)
        fill(
            write_template(form, unit, work),
            inbox / f"{slug(unit.code, 20)}-bo-sung.xlsx",
            layout,
            unit.code,
            data,
        )


@pytest.fixture(scope="module")
def years(tmp_path_factory) -> dict[str, object]:
    tmp = tmp_path_factory.mktemp("reform")
    kg = load_form(SCHEMAS_DIR / "kien-giang.toml", {"period": {"year": 2024}})
    ag = load_form(SCHEMAS_DIR / "an-giang.toml")
    write_samples(kg, tmp / "in2024")
    write_samples(ag, tmp / "in2025")
    _every_department(kg, tmp / "in2024", tmp / "tpl2024")
    _every_department(ag, tmp / "in2025", tmp / "tpl2025")
    consolidate_into(kg, tmp / "in2024", tmp / "kg", show_progress=False)
    report = consolidate_into(ag, tmp / "in2025", tmp / "ag", show_progress=False, archive=tmp / "kg")
    return {"kg": kg, "ag": ag, "tmp": tmp, "report": report}


def _csv(outbox: Path, year: int) -> pd.DataFrame:
    return pd.read_csv(
        detail_csv_path(outbox, year), dtype=str, keep_default_na=False, encoding="utf-8-sig"
    ).assign(value=lambda f: f["value"].astype("int64"))


def _sheet(years) -> list[tuple]:
    path = workbook_path(years["tmp"] / "ag", 2025)
    ws = openpyxl.load_workbook(path, data_only=False)[SHEETS["yoy"]]
    return [tuple(r) for r in ws.iter_rows(values_only=True)]


def _section(rows: list[tuple], title_start: str) -> list[tuple]:
    """The table rows of the numbered section whose title starts so (after its header)."""
    i = next(i for i, r in enumerate(rows) if isinstance(r[0], str) and r[0].startswith(title_start))
    out = []
    for r in rows[i + 3 :]:
        if r[0] is None:
            break
        out.append(r)
    return out


def test_the_earlier_year_is_kept_on_its_own_map(years):
    report = years["report"]
    hist = report.history
    assert hist.years == {}  # nothing matched code for code
    assert list(hist.other_maps) == [2024]
    assert hist.schemes[2024] == ("kg-huyen-2021", "kg-so-2019")
    # the same archive read by Kiên Giang's own next year is on its map
    kg25 = load_form(SCHEMAS_DIR / "kien-giang.toml")
    same = load_history(kg25, years["tmp"] / "kg")
    assert list(same.years) == [2024] and same.other_maps == {}


def test_a_department_code_both_years_use_is_never_matched_for_last_years_figure(years):
    """SYT, STC, MTTQ … are codes of both configurations, for two different provinces: the
    outlier check's "last year" of a 2025 file is never the 2024 figure of the same code."""
    report = years["report"]
    ag = years["ag"]
    prev = report.history.other_maps[2024]
    both = set(prev["unit_code"]) & {u.code for u in ag.units}
    assert {"SYT", "STC", "MTTQ"} <= both
    parsed = [rec.parsed for rec in report.files if rec.parsed.unit_code in both]
    stack = _stack_sums(ag, parsed, prev)
    assert len(stack.frame) > 0
    assert stack.frame["before"].isna().all()


def _accepted(outbox: Path, year: int) -> dict[str, bool]:
    """Unit code -> whether its report was accepted, as that year's run listed it."""
    units = json.loads((outbox / str(year) / "bao-cao.json").read_text(encoding="utf-8"))["units"]
    return {u["code"]: u["status"] == "accepted" for u in units}


def test_a_group_is_compared_only_where_every_unit_of_its_land_reported_both_years(years):
    """A group of places whose land lacks a unit's accepted report in a year shows each
    year's figures as reported, no change nor % (never a fall to 0 that is no fall: brk32),
    and says which units are missing; the others are compared."""
    rows = _section(_sheet(years), "2. Theo địa bàn tương ứng")
    ag, kg = years["ag"], years["kg"]
    before, now = _accepted(years["tmp"] / "kg", 2024), _accepted(years["tmp"] / "ag", 2025)
    compared = 0
    for row in rows:
        olds = re.findall(r"\((\d+)\)", row[0])
        news = set(re.findall(r"\((\d+)\)", row[9]))
        missing_now = [u.name for u in ag.units if u.region in news and not now.get(u.code)]
        missing_before = [c for c in olds if not before.get(c)]  # a district's UBND has its code
        # a department reports on any place: one without an accepted report leaves every group
        missing_now += [u.name for u in ag.units if u.region is None and not now.get(u.code)]
        missing_before += [u.code for u in kg.units if u.region is None and not before.get(u.code)]
        note = row[10] if len(row) > 10 else None
        if missing_now or missing_before:
            assert (row[3], row[4], row[7], row[8]) == ("-", "-", "-", "-"), row
            assert note and note.startswith("Chưa so sánh:"), row
            assert all(name in note for name in missing_now), (note, missing_now)
        else:
            compared += 1
            assert not note and str(row[3]).startswith("="), row
    assert 0 < compared < len(rows)  # the samples reject some units: both kinds are seen


def test_a_department_without_a_report_leaves_no_group_compared(years, tmp_path):
    """brk34 F1: a department reports support on any place; without its report this year a
    group's figures are only part of its land's, though every commune there reported."""
    ag = years["ag"]
    inbox = tmp_path / "in"
    shutil.copytree(years["tmp"] / "in2025", inbox)
    department = next(u for u in ag.units if u.region is None)
    for path in inbox.glob(f"{slug(department.code, 20)}-*.xlsx"):
        path.unlink()
    consolidate_into(ag, inbox, tmp_path / "ag", show_progress=False, archive=years["tmp"] / "kg")
    ws = openpyxl.load_workbook(workbook_path(tmp_path / "ag", 2025))[SHEETS["yoy"]]
    rows = _section([tuple(r) for r in ws.iter_rows(values_only=True)], "2. Theo địa bàn tương ứng")
    assert rows and all((r[3], r[7]) == ("-", "-") for r in rows)
    assert all(f"sở, ban, ngành chưa có báo cáo được chấp nhận ({department.name})" in r[10] for r in rows)


def test_an_older_year_across_the_reform_says_last_years_result_is_missing(years, tmp_path):
    """brk34 F2: with 2023 alone in the archive, the sheet compares 2025 with 2023 and says
    that 2024's result is missing, before saying the maps differ."""
    kg23 = load_form(SCHEMAS_DIR / "kien-giang.toml", {"period": {"year": 2023}})
    write_samples(kg23, tmp_path / "in2023")
    consolidate_into(kg23, tmp_path / "in2023", tmp_path / "kg", show_progress=False)
    ag = years["ag"]
    consolidate_into(
        ag, years["tmp"] / "in2025", tmp_path / "ag", show_progress=False, archive=tmp_path / "kg"
    )
    ws = openpyxl.load_workbook(workbook_path(tmp_path / "ag", 2025))[SHEETS["yoy"]]
    rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0][0] == "SO SÁNH NĂM 2025 VỚI NĂM 2023"
    assert rows[1][0].startswith(
        "Chưa có kết quả tổng hợp năm 2024: so sánh với năm 2023, năm gần nhất có kết quả, không phải năm "
        "liền trước. Năm 2023 báo cáo theo địa giới cũ ("
    ), rows[1][0]


def test_categories_are_compared_over_the_land_both_years_cover(years):
    sheet = _sheet(years)
    rows = _section(sheet, "1. Theo nội dung hỗ trợ")
    groups = _section(sheet, "2. Theo địa bàn tương ứng")
    ag = years["ag"]
    old = _csv(years["tmp"] / "kg", 2024)
    new = _csv(years["tmp"] / "ag", 2025)
    whole = [g for g in groups if not (len(g) > 10 and g[10])]  # compared: every unit reported
    districts = {c for g in whole for c in re.findall(r"\((\d+)\)", g[0])}
    kg_land = {c for g in whole for c in re.findall(r"\((\d+)\)", g[9])}
    assert districts and kg_land
    old = old[(old["block"] == "results") & old["region"].isin(districts)]
    new = new[(new["block"] == "results") & new["region"].isin(kg_land)]
    assert len(rows) == len(ag.categories)
    for row, cat in zip(rows, ag.categories, strict=True):
        assert row[0] == cat.name
        o, n = old[old["category"] == cat.code], new[new["category"] == cat.code]
        assert row[1] == o.loc[o["measure"] == "children", "value"].sum()
        assert row[2] == n.loc[n["measure"] == "children", "value"].sum()
        assert row[5] == o.loc[o["measure"].isin(["cash", "in_kind"]), "value"].sum()
        assert row[6] == n.loc[n["measure"].isin(["cash", "in_kind"]), "value"].sum()
    # the province-level figures of 2024 (region 91) are not in this comparison
    assert (
        sum(r[1] for r in rows)
        < years["report"]
        .history.other_maps[2024]
        .query("block == 'results' and measure == 'children'")["value"]
        .sum()
    )


def test_places_are_compared_group_by_group_through_the_crosswalk(years):
    rows = _section(_sheet(years), "2. Theo địa bàn tương ứng")
    old = _csv(years["tmp"] / "kg", 2024).query("block == 'results' and measure == 'children'")
    new = _csv(years["tmp"] / "ag", 2025).query("block == 'results' and measure == 'children'")
    # which districts each new unit of former Kiên Giang covers, from the list of the 102
    covers = {
        r["commune_code"]: set(r["former_district_codes"].split())
        for r in _reference("an-giang-communes-2025-07.csv")
        if r["former_province"] == "Kiên Giang"
    }
    seen_old: list[str] = []
    seen_new: list[str] = []
    for row in rows:
        olds = re.findall(r"\((\d+)\)", row[0])
        news = re.findall(r"\((\d+)\)", row[9])
        assert olds and news, row
        # the group is closed: every new unit's districts are in it, and no other unit has them
        assert set().union(*(covers[c] for c in news)) == set(olds)
        assert {c for c, ds in covers.items() if ds & set(olds)} == set(news)
        assert row[1] == old[old["region"].isin(olds)]["value"].sum()
        assert row[2] == new[new["region"].isin(news)]["value"].sum()
        seen_old += olds
        seen_new += news
    assert sorted(seen_old) == sorted(r.code for r in years["kg"].regions if r.level != "province")
    assert sorted(seen_new) == sorted(covers)
    # Phường Vĩnh Thông spans Rạch Giá and Hòn Đất: the two districts are one group
    joined = next(r for r in rows if "Thành phố Rạch Giá (899)" in r[0])
    assert "Huyện Hòn Đất (903)" in joined[0] and "Phường Vĩnh Thông (30760)" in joined[9]


def test_every_code_both_maps_use_is_shown_apart(years):
    """A unit code of both years (the departments), the province's 91, and every new unit's
    code that was an old Kiên Giang commune's code for another place: one row each, with the
    two schemes (their labels, their ids beside them) and the two names, never figures side
    by side."""
    rows = _section(_sheet(years), "4. Mã số trùng nhau")
    apart = {(r[0], r[5], r[6]): (r[2], r[4]) for r in rows}
    ag, kg = years["ag"], years["kg"]
    assert all((r[1], r[3]) == (ag.scheme_label(r[5]), ag.scheme_label(r[6])) for r in rows)
    old = _csv(years["tmp"] / "kg", 2024)
    for code in set(old["unit_code"]) & {u.code for u in ag.units}:
        unit = ag.units_by_code[code]
        assert (code, kg.units_by_code[code].scheme, unit.scheme) in apart, code
    assert ("91", "kg-huyen-2021", "ag-xa-2025") in apart
    old_names = {r["commune_code"]: r["commune_name"] for r in _reference("kien-giang-communes-2025-03.csv")}
    new_names = {r.code: r.name for r in ag.regions}
    reused = [c for c in old_names if c in new_names]
    assert len(reused) == 48  # every new code on former Kiên Giang land was an old commune's
    alone = {
        r["commune_code"] for r in _reference("an-giang-communes-2025-07.csv") if r["former_count"] == "1"
    }
    for code in reused:
        if code in alone:
            continue  # the same land (Xã Thổ Châu became Đặc khu Thổ Châu): the same place
        was, now = apart[(code, "kg-xa-2021", "ag-xa-2025")]
        assert (norm_text(was), now) == (norm_text(old_names[code]), new_names[code])
    # 30742 was Phường Vĩnh Thanh Vân, now Phường Rạch Giá
    assert apart[("30742", "kg-xa-2021", "ag-xa-2025")] == ("Phường Vĩnh Thanh Vân", "Phường Rạch Giá")
    # no row of the sheet puts a department's two years side by side
    sheet = _sheet(years)
    assert not any(r[0] in {"Sở Y tế", "SYT"} and isinstance(r[1], int) for r in sheet)


def test_the_province_as_each_year_reported_it_says_it_is_not_the_same_land(years):
    sheet = _sheet(years)
    i = next(i for i, r in enumerate(sheet) if str(r[0]).startswith("3. Toàn tỉnh"))
    assert "không phải là tăng, giảm trên cùng một địa bàn" in sheet[i + 1][0]
    report = years["report"]
    old = report.history.other_maps[2024]
    row = sheet[i + 3]
    assert row[1] == old.query("block == 'results' and measure == 'children'")["value"].sum()
    assert row[2] == report.totals.of("results", "children")
    assert row[3] == "kg-huyen-2021, kg-so-2019 | ag-xa-2025, ag-so-2025"
    # the province-level figures of each year on its own row, the two provinces named apart
    prov = next(r for r in sheet[i + 3 :] if str(r[0]).startswith("Trẻ em hỗ trợ cấp tỉnh"))
    kg, ag = years["kg"], years["ag"]
    assert (
        f"năm 2024 theo {kg.scheme_label('kg-huyen-2021')}, năm 2025 theo {ag.scheme_label('ag-xa-2025')}; "
        "hai tỉnh khác nhau"
    ) in prov[0]
    assert (
        prov[1] == old.query("block == 'results' and measure == 'children' and region == '91'")["value"].sum()
    )


def test_programme_to_date_names_each_years_map(years):
    sheet = _sheet(years)
    i = next(i for i, r in enumerate(sheet) if str(r[0]).startswith("LŨY KẾ TỪ NĂM 2024"))
    by_year = {r[0]: r for r in sheet[i + 3 : i + 5]}
    ag = years["ag"]
    assert f"địa giới khác năm 2025: {ag.schemes_text(['kg-huyen-2021', 'kg-so-2019'])}" == by_year["2024"][3]
    assert (
        f"cùng địa giới với năm 2025: {ag.schemes_text(['ag-xa-2025', 'ag-so-2025'])}" == by_year["2025"][3]
    )
    assert (by_year["2024"][4], by_year["2025"][4]) == ("kg-huyen-2021, kg-so-2019", "ag-xa-2025, ag-so-2025")
    for year, out in ((2024, "kg"), (2025, "ag")):  # each year's sum counts so many units
        counted = _accepted(years["tmp"] / out, year)
        assert by_year[str(year)][5] == f"{sum(counted.values())}/{len(counted)}"


def test_the_document_does_not_compare_two_provinces_as_one(years):
    path = document_path(years["tmp"] / "ag", 2025)
    body = "\n".join(p.text for p in Document(str(path)).paragraphs)
    old = years["ag"].schemes_text(["kg-huyen-2021", "kg-so-2019"])
    assert f"Năm 2024 được báo cáo theo địa giới cũ ({old})" in body
    assert "So với năm 2024" not in body
    # the sum over the years says how many units each year counts (brk32: 2024's 3 of 28)
    counted = {y: _accepted(years["tmp"] / out, y) for y, out in ((2024, "kg"), (2025, "ag"))}
    each = ", ".join(f"{y} ({sum(c.values())}/{len(c)} đơn vị)" for y, c in counted.items())
    assert f"mỗi năm theo địa giới và các đơn vị có báo cáo được chấp nhận của chính năm đó: {each})" in body
    assert len(counted[2024]) == 28 and len(counted[2025]) == 114
    # a sum across the reform says which years are of the old land (brk45 F3)
    assert (
        f"Số liệu năm 2024 trong lũy kế trên là số liệu báo cáo theo địa giới cũ ({old}), chưa phải toàn "
        "tỉnh theo địa giới năm 2025." in body
    )


def test_kien_giangs_own_years_keep_the_code_for_code_comparison(tmp_path):
    """Two Kiên Giang years: the same map, compared region by region as before."""
    sums: dict[int, dict[str, int]] = defaultdict(dict)
    for year in (2023, 2024):
        form = load_form(SCHEMAS_DIR / "kien-giang.toml", {"period": {"year": year}})
        write_samples(form, tmp_path / f"in{year}", seed=year)
        consolidate_into(form, tmp_path / f"in{year}", tmp_path / "out", show_progress=False)
        frame = _csv(tmp_path / "out", year).query("block == 'results' and measure == 'children'")
        sums[year] = frame.groupby("region")["value"].sum().to_dict()
    ws = openpyxl.load_workbook(workbook_path(tmp_path / "out", 2024))[SHEETS["yoy"]]
    rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0][0] == "SO SÁNH NĂM 2024 VỚI NĂM 2023"
    assert rows[2][0].startswith("Cơ sở so sánh: hai năm cùng địa giới hành chính và cùng hệ mã")
    form = load_form(SCHEMAS_DIR / "kien-giang.toml", {"period": {"year": 2024}})
    by_name = {r[0]: r for r in rows}
    for region in form.regions:
        assert by_name[region.name][1:3] == (sums[2023].get(region.code, 0), sums[2024].get(region.code, 0))


def test_an_giang_run_finds_kien_giang_years_in_its_outbox_without_archive(years, tmp_path, monkeypatch):
    """`consolidate` under An Giang with no --archive reads earlier years from its own outbox,
    then from the outbox of the configuration it replaced (`[form] replaces`, that one's
    `[paths] outbox`): the comparison across the reform is there without the officer
    knowing where Kiên Giang's results are."""
    from pipeline import cli

    monkeypatch.chdir(tmp_path)
    kg_outbox = Path(years["kg"].outbox)  # "outbox", relative to the office's folder
    consolidate_into(years["kg"], years["tmp"] / "in2024", kg_outbox, show_progress=False)
    args = [
        "--config",
        str(SCHEMAS_DIR / "an-giang.toml"),
        "consolidate",
        "--inbox",
        str(years["tmp"] / "in2025"),
    ]
    assert cli.main(args) == cli.EXIT_OK
    book = openpyxl.load_workbook(workbook_path(Path(years["ag"].outbox), 2025))
    assert SHEETS["yoy"] in book.sheetnames
    text = " ".join(str(v) for row in book[SHEETS["yoy"]].iter_rows(values_only=True) for v in row if v)
    assert "2024" in text and ("Kiên Giang" in text or "huyện" in text.lower())
