"""Year over year as the Ministry reads it (issue #23 items 2 and 7): while a year lacks
units, section V compares only the units with figures in both years and says how many, or
gives no change at all; the sheet «So sánh các năm» never shows a fall of 100 % for a unit
or place that simply has no accepted file yet ("chưa có số liệu")."""

from __future__ import annotations

import random
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from docx import Document

from pipeline.app import consolidate_into
from pipeline.filler import fill
from pipeline.form import Form, layout_json, load_form
from pipeline.outbox.paths import document_path, workbook_path
from pipeline.render.template import write_template
from pipeline.render.workbook import SHEETS
from pipeline.samples import valid_data
from pipeline.text.names import template_name

BEFORE = ("899", "900", "902")  # accepted last year


def vn(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def sums(data: dict[str, Any]) -> tuple[int, int]:
    """(children, value) of one unit's filled results, computed here from what was typed."""
    rows = data["results"]
    return sum(r["children"] for r in rows), sum(r["cash"] + r["in_kind"] for r in rows)


@pytest.fixture(scope="module")
def last_year(tmp_path_factory) -> tuple[Path, dict[str, tuple[int, int]]]:
    """An outbox holding last year's set: 3 of 28 units accepted; each one's sums."""
    tmp = tmp_path_factory.mktemp("lastyear")
    f = load_form()
    f = load_form(overrides={"period": {"year": f.year - 1}})
    lay = layout_json(f)
    out = {}
    for code in BEFORE:
        unit = f.units_by_code[code]
        write_template(f, unit, tmp / "tpl")
        data = valid_data(f, code, random.Random(f"narr3-{code}"), lay)
        fill(
            tmp / "tpl" / template_name(f.year, code, unit.name), tmp / "in" / f"{code}.xlsx", lay, code, data
        )
        out[code] = sums(data)
    report = consolidate_into(f, tmp / "in", tmp / "out", show_progress=False)
    assert report.count("accepted") == len(BEFORE)
    return tmp / "out", out


def _this_year(form: Form, last_year, make_file, tmp_path, files) -> tuple[Path, dict[str, tuple[int, int]]]:
    outbox = tmp_path / "out"
    shutil.copytree(last_year[0], outbox)
    now = {}
    for code, mutate in files.items():
        _, data = make_file(code, mutate)
        now[code] = sums(data)
    consolidate_into(form, tmp_path / "inbox", outbox, show_progress=False)
    return outbox, now


def _rejected(data: dict[str, Any]) -> None:
    data["results"][0]["girls"] = data["results"][0]["children"] + 1


def _change(now: int, before: int) -> str:
    if now == before:
        return "không thay đổi"
    pct = f"{abs(now - before) / before * 100:.1f}".replace(".", ",")
    return f"{'tăng' if now > before else 'giảm'} {vn(abs(now - before))}, tức {pct}%"


def test_partial_year_is_compared_on_the_units_in_both_years(form, last_year, make_file, tmp_path):
    """This year 899 is accepted, 900 rejected, 902 not sent: the sentence compares 899 with
    899, says 1 unit, 1/28 this year and 3/28 last year; the province's 3 units of last year
    against 1 now (a "giảm" the missing units explain) is said nowhere."""
    y, n = form.year, len(form.units)
    outbox, now = _this_year(form, last_year, make_file, tmp_path, {"899": None, "900": _rejected})
    (c0, v0), (c1, v1) = last_year[1]["899"], now["899"]
    expected = (
        f"So với năm {y - 1}, tính trên 1 đơn vị có báo cáo được chấp nhận ở cả hai năm (năm {y} có 1/{n} "
        f"đơn vị, năm {y - 1} có 3/{n} đơn vị báo cáo), số trẻ em được hỗ trợ của các đơn vị này là "
        f"{vn(c1)} trẻ em so với {vn(c0)} ({_change(c1, c0)}); giá trị hỗ trợ là {vn(v1)} đồng so với "
        f"{vn(v0)} đồng ({_change(v1, v0)})."
    )
    texts = [p.text for p in Document(str(document_path(outbox, y))).paragraphs]
    assert expected in texts, [t for t in texts if t.startswith("So với")]
    whole_before = sum(c for c, _ in last_year[1].values())
    assert not any(f"so với {vn(whole_before)} " in t for t in texts)

    ws = openpyxl.load_workbook(workbook_path(outbox, y), data_only=True)[SHEETS["yoy"]]
    cells = [r for r in ws.iter_rows(values_only=True)]
    # nowhere a fall of 100 %: the places and units without an accepted file this year
    assert not [r for r in cells if any(isinstance(v, (int, float)) and v == -100 for v in r)], cells
    rows = {r[0]: r for r in cells if isinstance(r[0], str)}
    for code in ("900", "902"):
        unit = form.units_by_code[code]
        row = rows[f"{unit.name} ({code})"]
        assert row[2] == row[6] == "chưa có số liệu", row  # this year
        assert row[3] == row[4] == row[7] == row[8] == "-", row
        region = form.regions_by_code[unit.region].name
        assert "chưa có số liệu năm" in rows[region][9] and unit.name in rows[region][9], rows[region]
    row = rows[f"{form.units_by_code['902'].name} (902)"]
    assert row[1:2] == (last_year[1]["902"][0],) and row[5] == last_year[1]["902"][1], row
    row = rows[f"{form.units_by_code['899'].name} (899)"]
    assert row[1:3] == (c0, c1) and row[3] == c1 - c0 and row[5:8] == (v0, v1, v1 - v0), row


def test_no_unit_in_both_years_gives_no_change(form, last_year, make_file, tmp_path):
    """This year only 903 (not sent last year): no unit in both years, so no "tăng"/"giảm",
    only each year's count."""
    y, n = form.year, len(form.units)
    outbox, _ = _this_year(form, last_year, make_file, tmp_path, {"903": None})
    texts = [p.text for p in Document(str(document_path(outbox, y))).paragraphs]
    section = texts[texts.index(next(t for t in texts if t.startswith("V. SO SÁNH"))) + 1 :]
    said = section[: next(i for i, t in enumerate(section) if t.startswith("Lũy kế"))]
    assert said == [
        f"Năm {y} mới có báo cáo được chấp nhận của 1/{n} đơn vị (năm {y - 1}: 3/{n} đơn vị), chưa có đơn "
        f"vị nào có báo cáo ở cả hai năm nên chưa so sánh được với năm {y - 1}."
    ], said


def test_complete_years_compare_the_provinces_totals(form, make_file, tmp_path):
    """Every unit accepted in both years: the province's totals compare as they are, in the
    sentence without any count of units, and the sheet's basis names no subset."""
    y = form.year
    before = load_form(overrides={"period": {"year": y - 1}})
    lay = layout_json(before)
    totals = {y - 1: [0, 0], y: [0, 0]}
    for unit in form.units:
        write_template(before, unit, tmp_path / "tpl")
        data = valid_data(before, unit.code, random.Random(f"narr3-all-{unit.code}"), lay)
        target = tmp_path / "in-before" / f"{unit.code}.xlsx"
        fill(tmp_path / "tpl" / template_name(y - 1, unit.code, unit.name), target, lay, unit.code, data)
        n, v = sums(data)
        totals[y - 1][0] += n
        totals[y - 1][1] += v
        _, data = make_file(unit.code)
        n, v = sums(data)
        totals[y][0] += n
        totals[y][1] += v
    outbox = tmp_path / "out"
    assert consolidate_into(before, tmp_path / "in-before", outbox, show_progress=False).count(
        "accepted"
    ) == len(form.units)
    assert consolidate_into(form, tmp_path / "inbox", outbox, show_progress=False).count("accepted") == len(
        form.units
    )
    (c0, v0), (c1, v1) = totals[y - 1], totals[y]
    expected = (
        f"So với năm {y - 1}, số trẻ em được hỗ trợ là {vn(c1)} trẻ em so với {vn(c0)} ({_change(c1, c0)}); "
        f"giá trị hỗ trợ là {vn(v1)} đồng so với {vn(v0)} đồng ({_change(v1, v0)})."
    )
    texts = [p.text for p in Document(str(document_path(outbox, y))).paragraphs]
    assert expected in texts, [t for t in texts if t.startswith("So với")]
    ws = openpyxl.load_workbook(workbook_path(outbox, y), data_only=True)[SHEETS["yoy"]]
    basis = ws.cell(3, 1).value
    assert basis.startswith("Cơ sở so sánh:") and "chỉ trên" not in basis, basis
    assert "Ghi chú" not in [c for r in ws.iter_rows(values_only=True) for c in r], "no region left out"


def test_a_year_after_the_programme_is_not_added_to_its_sum_to_date(last_year, tmp_path):
    """brk34 F9: a 2026 report (new-year after the programme's last year, `[form] last_year`)
    added 2026 to the 2019 - 2025 sum to date. The sum stops at the programme's last year,
    the document and the sheet say why this year is not in it, and the comparison with the
    years found is made as before."""
    base = load_form()
    after = load_form(overrides={"period": {"year": base.last_year + 1}})
    assert after.year > after.last_year
    lay = layout_json(after)
    for code in ("899", "900"):
        unit = after.units_by_code[code]
        write_template(after, unit, tmp_path / "tpl")
        data = valid_data(after, code, random.Random(f"narr3-after-{code}"), lay)
        fill(
            tmp_path / "tpl" / template_name(after.year, code, unit.name),
            tmp_path / "in" / f"{code}.xlsx",
            lay,
            code,
            data,
        )
    outbox = tmp_path / "out"
    shutil.copytree(last_year[0], outbox)
    assert consolidate_into(after, tmp_path / "in", outbox, show_progress=False).count("accepted") == 2
    before = after.year - 2  # the fixture's year, found in the outbox
    children = sum(n for n, _ in last_year[1].values())
    value = sum(v for _, v in last_year[1].values())
    texts = [p.text for p in Document(str(document_path(outbox, after.year))).paragraphs]
    (to_date,) = [t for t in texts if t.startswith("Lũy kế từ năm")]
    assert to_date.startswith(f"Lũy kế từ năm {before} đến năm {after.last_year} (")
    assert f"{vn(children)} trẻ em, tổng giá trị hỗ trợ {vn(value)} đồng." in to_date, to_date
    assert str(after.year) not in to_date.split("(", 1)[1], to_date
    (gap,) = [t for t in texts if t.startswith("Lũy kế trên chưa gồm năm")]
    assert gap.endswith(f"và {after.last_year} (chưa có kết quả tổng hợp trong thư mục kết quả)."), gap
    said = f"Đề án kết thúc năm {after.last_year}: số liệu năm {after.year} không cộng vào lũy kế trên."
    assert said in texts
    ws = openpyxl.load_workbook(workbook_path(outbox, after.year), data_only=True)[SHEETS["yoy"]]
    cells = [[c for c in r] for r in ws.iter_rows(values_only=True)]
    (head,) = [r for r, row in enumerate(cells) if str(row[0] or "").startswith("LŨY KẾ TỪ NĂM")]
    assert cells[head][0] == f"LŨY KẾ TỪ NĂM {before} ĐẾN NĂM {after.last_year}"
    (total,) = [r for r, row in enumerate(cells) if row[0] == "Lũy kế"]
    assert [row[0] for row in cells[head + 3 : total]] == [str(before)]
    assert cells[total][1:3] == [children, value]
    assert (
        f"Đề án kết thúc năm {after.last_year}: số liệu năm {after.year} không cộng vào lũy kế của Đề án."
        in [row[0] for row in cells[total + 1 : total + 3]]
    )
