"""Issue #5 part 6: the outputs checked in a real spreadsheet application (LibreOffice).

- the consolidated workbook, recalculated by LibreOffice, gives every total the pipeline
  wrote (and the recalculation is proven to happen);
- printed to PDF it has the official header, the totals and one page per form;
- a template filled *through* LibreOffice (numbers typed as text included) consolidates to
  the sums computed here, and keeps its protection, validations, hidden sheets and names.

When LibreOffice (or poppler, or python3-uno) is missing these tests fail if CI is set and
skip otherwise (see `tests/lo.py`).
"""

from __future__ import annotations

import datetime as dt
import random
import re
import struct
import unicodedata
import zipfile
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter

from pipeline.app import consolidate_into
from pipeline.filler import date_value, fill
from pipeline.outbox.paths import workbook_path
from pipeline.read.parse import parse_path
from pipeline.render.workbook import SHEETS
from pipeline.run.result import Report
from pipeline.samples import valid_data

from . import lo
from .conftest import template_for

pytestmark = pytest.mark.libreoffice

SUMMARY = ("dashboard", "b01", "b02", "b03", "b04", "b05", "b06")
POISON = 987_654_321
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"


@pytest.fixture(scope="module")
def office() -> str:
    return lo.require_soffice()


# ----- the environment contract ---------------------------------------------------------------
def test_missing_libreoffice_fails_under_ci_and_skips_otherwise(monkeypatch, tmp_path):
    monkeypatch.setenv("SOFFICE", str(tmp_path / "no-such-soffice"))
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        lo.require_soffice()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="libreoffice-calc-nogui"):
        lo.require_soffice()


# ----- recalculation ----------------------------------------------------------------------------
def _canary(path: Path) -> Path:
    """Formulas whose cached values are deliberately wrong (as another program might save)."""
    wb = xlsxwriter.Workbook(str(path))
    data = wb.add_worksheet("CT Kết quả")
    for r, (kind, amount) in enumerate([("Đã chấp nhận", 5), ("Bị từ chối", 7), ("Đã chấp nhận", 11)]):
        data.write_string(r, 0, kind)
        data.write_number(r, 1, amount)
    ws = wb.add_worksheet("Tổng")
    ws.write_formula("A1", "=SUM('CT Kết quả'!B1:B3)", None, 999)
    ws.write_formula("A2", "=SUMIFS('CT Kết quả'!$B$1:$B$3,'CT Kết quả'!$A$1:$A$3,\"Đã chấp nhận\")", None, 0)
    ws.write_formula("A3", "=COUNTIF('CT Kết quả'!$A$1:$A$3,\"Bị từ chối\")", None, 42)
    wb.close()
    return path


def test_profile_makes_libreoffice_recalculate(office, tmp_path):
    src = _canary(tmp_path / "canary.xlsx")
    # two LibreOffice instances at once, each with its own profile
    with ThreadPoolExecutor(2) as pool:
        fresh = pool.submit(lo.recalc_xlsx, src, tmp_path / "recalc")
        stale = pool.submit(lo.recalc_xlsx, src, tmp_path / "norecalc", recalc=False)
        fresh, stale = fresh.result(), stale.result()
    got = openpyxl.load_workbook(fresh, data_only=True)["Tổng"]
    assert [got[c].value for c in ("A1", "A2", "A3")] == [23, 16, 1]
    kept = openpyxl.load_workbook(stale, data_only=True)["Tổng"]
    assert [kept[c].value for c in ("A1", "A2", "A3")] == [999, 0, 42], "control: no recalculation"
    assert openpyxl.load_workbook(fresh)["Tổng"]["A2"].value.startswith("=SUMIFS(")


@pytest.fixture(scope="module")
def consolidated(tmp_path_factory, form, layout, template_dir) -> tuple[Report, Path]:
    """A handful of units: accepted (one late, one with a number typed as text), one rejected.

    Filled like conftest's `make_file`, once for the module (the PDF and recalculation
    tests look at the same workbook).
    """
    base = tmp_path_factory.mktemp("consolidated")

    def put(code: str, mutate=None) -> None:
        data = valid_data(form, code, random.Random(f"{code}-6"), layout)
        if mutate:
            mutate(data)
        fill(template_for(template_dir, form, code), base / "inbox" / f"{code}.xlsx", layout, code, data)

    def late(d: dict[str, Any]) -> None:
        d["info"]["report_date"] = date_value(form.period.due_before + dt.timedelta(days=4))

    def typed_text(d: dict[str, Any]) -> None:
        d["resources"]["DN"]["cash"] = f"{d['resources']['DN']['cash']:,}".replace(",", ".")

    def too_many_girls(d: dict[str, Any]) -> None:
        d["results"][0]["girls"] = d["results"][0]["children"] + 3

    for code in ("899", "903", "SYT", "TDOAN", "HCTD"):
        put(code)
    put("906", late)
    put("911", typed_text)
    put("BDT", too_many_girls)
    report = consolidate_into(form, base / "inbox", base / "outbox", show_progress=False)
    assert report.count("accepted") == 7 and report.count("rejected") == 1
    return report, workbook_path(base / "outbox", form.year)


@pytest.fixture(scope="module")
def pdf(office, consolidated, tmp_path_factory) -> Path:
    lo.require_poppler()
    return lo.to_pdf(consolidated[1], tmp_path_factory.mktemp("pdf"))


def _formula_cells(wb_formulas, key: str) -> list[str]:
    ws = wb_formulas[SHEETS[key]]
    return [
        c.coordinate
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=")
    ]


def _total_row(ws_values, ws_formulas) -> list[Any]:
    """The values of the formula cells on the form's 'Tổng cộng' row, left to right."""
    for row in ws_formulas.iter_rows():
        if any(c.value == "Tổng cộng" for c in row[:3]):
            return [
                ws_values[c.coordinate].value
                for c in row
                if isinstance(c.value, str) and c.value.startswith("=")
            ]
    raise AssertionError(f"no 'Tổng cộng' row on {ws_formulas.title}")


def _column_by_label(ws_values, ws_formulas, labels: list[str]) -> dict[str, list[Any]]:
    """Label in column B -> values of that row's formula cells."""
    out = {}
    for row in ws_formulas.iter_rows():
        if len(row) > 1 and row[1].value in labels:
            out[row[1].value] = [
                ws_values[c.coordinate].value
                for c in row
                if isinstance(c.value, str) and c.value.startswith("=")
            ]
    return out


def _dashboard_figures(ws_values) -> dict[str, Any]:
    """Column A label -> column B value on the dashboard."""
    return {
        str(row[0].value): row[1].value
        for row in ws_values.iter_rows(max_col=2)
        if isinstance(row[0].value, str) and row[1].value is not None
    }


def _find(figures: dict[str, Any], prefix: str) -> Any:
    hits = [v for k, v in figures.items() if k.startswith(prefix)]
    assert len(hits) == 1, f"dashboard: {len(hits)} figures labelled '{prefix}…' in {list(figures)}"
    return hits[0]


def test_libreoffice_recalculation_gives_every_summary_total(office, form, consolidated, tmp_path):
    report, path = consolidated
    # every cached result replaced by a wrong number: only a real recalculation restores them
    poisoned = tmp_path / "poisoned" / path.name
    n_poisoned = lo.poison_cached_values(path, poisoned, POISON)
    recalculated = lo.recalc_xlsx(poisoned, tmp_path / "recalc")

    formulas = openpyxl.load_workbook(path)
    cached = openpyxl.load_workbook(path, data_only=True)
    redone = openpyxl.load_workbook(recalculated, data_only=True)
    redone_formulas = openpyxl.load_workbook(recalculated)
    assert redone.sheetnames == cached.sheetnames

    n_checked = 0
    for key in SUMMARY:
        name = SHEETS[key]
        cells = _formula_cells(formulas, key)
        assert cells, f"no formulas on {name}"
        for ref in cells:
            want, got = cached[name][ref].value, redone[name][ref].value
            assert isinstance(got, int | float) and not isinstance(got, bool), (
                f"{name}!{ref} {formulas[name][ref].value}: LibreOffice gives {got!r}"
            )
            assert got == want, (
                f"{name}!{ref} {formulas[name][ref].value}: pipeline {want}, LibreOffice {got}"
            )
            assert str(redone_formulas[name][ref].value).startswith("="), f"{name}!{ref} lost its formula"
        n_checked += len(cells)
    assert n_checked == n_poisoned, "every formula of the workbook is on a summary sheet and was checked"
    for ws in redone.worksheets:
        for row in ws.iter_rows(values_only=True):
            assert POISON not in row, f"{ws.title}: a cached value survived: no recalculation"

    t = report.totals.to_dict()
    res, src, needs = (form.blocks[k] for k in ("results", "resources", "needs"))

    def totals_of(key: str) -> list[Any]:
        return _total_row(redone[SHEETS[key]], formulas[SHEETS[key]])

    assert totals_of("b01") == [t[f"results.{k}"] for k in res.columns]
    assert totals_of("b02") == [t[f"results.{k}"] for k in res.columns]
    assert totals_of("b04") == [t[f"resources.{k}"] for k in src.columns]
    assert totals_of("b05") == [t[f"needs.{k}"] for k in needs.columns]
    assert totals_of("b06") == [
        *(t[f"results.{k}"] for k in res.columns),
        t["resources.total"],
        t["info.activities"],
    ]
    # B03 (region x category): its total row, per category, is B01's column, by other formulas
    b03 = totals_of("b03")
    ncat = len(form.categories)
    assert len(b03) == 2 * ncat
    b01 = _column_by_label(redone[SHEETS["b01"]], formulas[SHEETS["b01"]], [c.name for c in form.categories])
    keys = list(res.columns)
    assert b03[:ncat] == [b01[c.name][keys.index("children")] for c in form.categories]
    assert b03[ncat:] == [b01[c.name][keys.index("value_total")] for c in form.categories]
    assert sum(b03[:ncat]) == t["results.children"] and sum(b03[ncat:]) == t["results.value_total"]

    figures = _dashboard_figures(redone[SHEETS["dashboard"]])
    assert _find(figures, "Tổng số trẻ em được hỗ trợ") == t["results.children"]
    assert _find(figures, "Tổng số lượt trẻ em") == t["results.turns"]
    assert _find(figures, "Tổng giá trị hỗ trợ") == t["results.value_total"]
    assert _find(figures, "Tổng nguồn lực đã vận động") == t["resources.total"]
    assert _find(figures, "Số đơn vị phải báo cáo") == len(form.units)
    assert _find(figures, "Số đơn vị đã gửi") == 8
    assert _find(figures, "Số đơn vị được chấp nhận") == report.count("accepted") == 7
    assert _find(figures, "Số đơn vị bị từ chối") == report.count("rejected") == 1
    assert _find(figures, "Số đơn vị chưa gửi") == report.count("missing") == len(form.units) - 8
    assert _find(figures, "Trong đó đúng hạn") == 6
    assert _find(figures, "Trong đó trễ hạn") == 1


# ----- PDF ------------------------------------------------------------------------------------------
def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_pdf_has_official_header_totals_and_one_page_per_form(form, consolidated, pdf, tmp_path):
    report, path = consolidated
    texts = [unicodedata.normalize("NFC", t) for t in lo.pdf_page_texts(pdf)]
    n = lo.pdf_pages(pdf)
    assert len(texts) == n
    nsheets = len(openpyxl.load_workbook(path, read_only=True).sheetnames)
    # every sheet prints, none spreads over many pages (fit to one page wide, few rows)
    assert len(SUMMARY) <= n <= 2 * nsheets, f"{n} pages for {nsheets} sheets and 8 files"
    for w, h in lo.pdf_page_sizes(pdf):
        assert abs(w - 841.9) < 3 and abs(h - 595.3) < 3, f"not A4 landscape: {w} x {h}"

    everything = "\n".join(texts)
    ag = form.agencies
    for text in (
        MOTTO,
        "Độc lập - Tự do - Hạnh phúc",
        ag["province"],
        ag["department"],
        f"TỔNG QUAN TỔNG HỢP BÁO CÁO NĂM {form.year}",
        f"TỔNG HỢP KẾT QUẢ HỖ TRỢ TRẺ EM THEO NỘI DUNG HỖ TRỢ NĂM {form.year}",
        "Tổng cộng",
        "NGƯỜI LẬP BIỂU",
        ag["signer_title"],
    ):
        assert text in everything, f"'{text}' is not in the PDF"
    for i, t in enumerate(texts, 1):
        assert "###" not in t, f"page {i}: a number does not fit its column (###)"

    # each form (B01..B06) on one page: header, table, 'Tổng cộng' and signature together
    # (the overview may take two pages, its heading repeated: it has no signature)
    forms = [i for i, t in enumerate(texts) if re.search(r"Biểu số \d+/TH", t)]
    signed = [i for i, t in enumerate(texts) if "NGƯỜI LẬP BIỂU" in t]
    assert len(forms) == len(SUMMARY) - 1, f"forms on pages {[i + 1 for i in forms]}"
    assert signed == forms, (
        f"forms on pages {[i + 1 for i in forms]}, signatures on {[i + 1 for i in signed]}"
    )
    for i in signed:
        assert MOTTO in texts[i] and "Tổng cộng" in texts[i], f"page {i + 1}: a form split over pages"
    words = lo.pdf_words(pdf)
    assert len(words) == n
    for i in signed:
        clash = [(a.text, b.text) for a, b in lo.overlapping_words(words[i])]
        assert not clash, f"page {i + 1}: text drawn over other text: {clash[:10]}"

    # the grand totals are printed in full on the B01 page
    b01 = next(i for i, t in enumerate(texts) if "THEO NỘI DUNG HỖ TRỢ NĂM" in t and i in signed)
    for key in ("results.children", "results.turns", "results.value_total"):
        assert lo.grouped_number(report.totals.to_dict()[key]).search(texts[b01]), (
            f"{key} not on page {b01 + 1}"
        )
    b04 = next(i for i, t in enumerate(texts) if "NGUỒN LỰC ĐÃ VẬN ĐỘNG THEO NGUỒN NĂM" in t)
    assert lo.grouped_number(report.totals.to_dict()["resources.total"]).search(texts[b04])

    png = lo.render_page(pdf, b01 + 1, tmp_path / "b01")
    width, height = _png_size(png)
    assert width > height > 500 and png.stat().st_size > 20_000
    lo.copy_artifacts(pdf, png)


def test_pdf_has_no_text_drawn_over_other_text(pdf):
    clashes = {
        page: [(a.text, b.text) for a, b in pairs][:6]
        for page, words in enumerate(lo.pdf_words(pdf), 1)
        if (pairs := lo.overlapping_words(words))
    }
    assert not clashes, f"overlapping words by page: {clashes}"


# ----- a template filled through LibreOffice -------------------------------------------------------
def _dotted(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _spaced(n: int) -> str:
    return f"{n:,}".replace(",", " ")


class _Filled:
    """What we asked LibreOffice to type, and where."""

    def __init__(self) -> None:
        self.datas: list[dict[str, Any]] = []
        self.text_cells: set[tuple[str, str, str]] = set()  # (unit, sheet, cell) typed as text
        self.jobs: list[lo.UnoJob] = []
        self.paths: dict[str, Path] = {}
        self.error_cell: tuple[str, str] = ("", "")


def _job_for(
    layout: dict[str, Any], template: Path, out: Path, code: str, data: dict[str, Any], as_text: dict
) -> tuple[lo.UnoJob, set[tuple[str, str]]]:
    """Type `data` into the template as the layout JSON says, like a person at the keyboard.

    `as_text` maps a field ("info.activities", "results.0.cash", "resources.DN.cash", …) to
    a function turning the number into the text the person types instead.
    """
    job = lo.UnoJob(template, out)
    typed_text: set[tuple[str, str]] = set()
    unit = next(u for u in layout["units"] if u["code"] == code)
    lay = layout["layouts"]["fixed_region" if unit["region"] else "free_rows"]
    cells = {(c["block"], c.get("source") or c.get("category"), c["measure"]): c for c in lay["cells"]}
    names = {
        "region": {r["code"]: r["name"] for r in layout["lists"]["regions"]},
        "category": {c["code"]: c["name"] for c in layout["lists"]["categories"]},
    }

    used: set[str] = set()

    def number(field: str, sheet: str, cell: str, value: int) -> None:
        used.add(field)
        if field in as_text:
            job.string(sheet, cell, as_text[field](value))
            typed_text.add((sheet, cell))
        else:
            job.value(sheet, cell, value)

    for f in layout["info"]:
        value = data["info"].get(f["field"])
        if f["prefilled"] or value is None:
            continue
        if f["type"] == "date":
            job.value(f["sheet"], f["cell"], value)
        elif f["type"] == "count":
            number(f"info.{f['field']}", f["sheet"], f["cell"], value)
        else:
            job.string(f["sheet"], f["cell"], str(value))
    for i, rec in enumerate(data["results"]):
        for key, value in rec.items():
            if key in ("region", "category"):
                if not unit["region"]:
                    blk = lay["repeating_blocks"][0]
                    job.string(
                        blk["sheet"], f"{blk['columns'][key]}{blk['first_row'] + i}", names[key][value]
                    )
                continue
            if unit["region"]:
                c = cells[("results", rec["category"], key)]
                sheet, ref = c["sheet"], c["cell"]
            else:
                blk = lay["repeating_blocks"][0]
                sheet, ref = blk["sheet"], f"{blk['columns'][key]}{blk['first_row'] + i}"
            number(f"results.{i}.{key}", sheet, ref, value)
    for block in ("resources", "needs"):
        for row_key, measures in data[block].items():
            for measure, value in measures.items():
                c = cells[(block, row_key, measure)]
                number(f"{block}.{row_key}.{measure}", c["sheet"], c["cell"], value)
    assert set(as_text) <= used, f"{code}: no such figure in the data: {set(as_text) - used}"
    return job, typed_text


@pytest.fixture(scope="module")
def uno_filled(tmp_path_factory, form, layout, template_dir) -> _Filled:
    """Three templates filled in one LibreOffice session, saved by LibreOffice as xlsx."""
    lo.require_soffice()
    lo.require_uno()
    base = tmp_path_factory.mktemp("uno")
    got = _Filled()
    plans = {
        # a district (fixed rows): most numbers typed as numbers, a few as text
        "903": {
            "results.0.cash": _dotted,
            "results.1.girls": str,
            "needs.KCB.cost": _dotted,
            "info.activities": str,
        },
        # a department (chooses region and category on each row, from the lists)
        "SYT": {"results.0.in_kind": _dotted, "resources.DN.cash": _spaced, "resources.KHAC.in_kind": str},
    }
    for code, as_text in plans.items():
        data = valid_data(form, code, random.Random(f"lo-{code}"), layout)
        got.paths[code] = base / "inbox" / f"{code}-libreoffice.xlsx"
        job, typed = _job_for(
            layout, template_for(template_dir, form, code), got.paths[code], code, data, as_text
        )
        got.jobs.append(job)
        got.datas.append(data)
        got.text_cells |= {(code, sheet, ref) for sheet, ref in typed}
    # a formula whose result is an error, in an input cell (kept out of the inbox)
    data = valid_data(form, "899", random.Random("lo-899"), layout)
    got.paths["899"] = base / "other" / "899-error-cell.xlsx"
    job, _ = _job_for(layout, template_for(template_dir, form, "899"), got.paths["899"], "899", data, {})
    sheet, ref = next(
        (s, c) for s, c, kind, _ in job.cells if kind == "value" and s == form.sheets["results"]
    )
    job.cells.append((sheet, ref, "formula", "=1/0"))
    got.error_cell = (sheet, ref)
    got.jobs.append(job)
    lo.fill_with_uno(got.jobs, base / "work")
    return got


def test_template_filled_by_libreoffice_consolidates_to_independent_sums(form, uno_filled, tmp_path):
    for code in ("903", "SYT"):
        with zipfile.ZipFile(uno_filled.paths[code]) as z:
            assert b"LibreOffice" in z.read("docProps/app.xml"), "not saved by LibreOffice"
    # LibreOffice kept the typed numbers as text
    for code, sheet, ref in uno_filled.text_cells:
        assert isinstance(openpyxl.load_workbook(uno_filled.paths[code])[sheet][ref].value, str)

    inbox = uno_filled.paths["903"].parent
    report = consolidate_into(form, inbox, tmp_path / "outbox", show_progress=False)
    assert report.count("accepted") == 2, [(f.code, f.message) for f in report.findings]
    assert not [f for f in report.findings if f.severity == "error"]

    # numbers typed as text are read as numbers, each with a warning at its cell
    from_text = {(f.unit, f.sheet, f.cell) for f in report.findings if f.code == "NUMBER_FROM_TEXT"}
    assert from_text == uno_filled.text_cells
    assert all(f.severity == "warning" for f in report.findings if f.code == "NUMBER_FROM_TEXT")
    # ...and the file's own totals, which add the numbers the template's reading cells read
    # (the text too), are the pipeline's: no TOTAL_MISMATCH (`test_livechecks_totals.py`)
    mismatched = [(f.unit, f.sheet, f.cell, f.value) for f in report.findings if f.code == "TOTAL_MISMATCH"]
    assert not mismatched, mismatched

    want = _independent_totals(form, uno_filled.datas)
    assert report.totals.to_dict() == want
    by_cat = _by_category(uno_filled.datas)
    wb = openpyxl.load_workbook(workbook_path(tmp_path / "outbox", form.year), data_only=True)
    keys = list(form.blocks["results"].columns)
    ws = wb[SHEETS["b01"]]
    rows = {row[1]: row[2:] for row in ws.iter_rows(values_only=True) if len(row) > 2}
    for c in form.categories:
        assert list(rows[c.name][: len(keys)]) == [by_cat[c.code][k] for k in keys], c.code

    for u in report.units:
        if u.code in ("903", "SYT"):
            data = uno_filled.datas[["903", "SYT"].index(u.code)]
            assert u.submitted_on == data["info"]["report_date"].date() and u.on_time
            info = u.file.parsed.info_row
            assert info["preparer"] == data["info"]["preparer"]
            assert info["difficulties"] == data["info"]["difficulties"]


def _by_category(datas: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for data in datas:
        for rec in data["results"]:
            for k, v in rec.items():
                if k not in ("region", "category"):
                    out[rec["category"]][k] += v
            out[rec["category"]]["value_total"] += rec["cash"] + rec["in_kind"]
    return out


def _independent_totals(form, datas: list[dict[str, Any]]) -> dict[str, int]:
    """The grand totals from the figures we typed, computed without the pipeline."""
    t: dict[str, int] = defaultdict(int)
    for data in datas:
        for rec in data["results"]:
            for k, v in rec.items():
                if k not in ("region", "category"):
                    t[f"results.{k}"] += v
            t["results.value_total"] += rec["cash"] + rec["in_kind"]
        for block in ("resources", "needs"):
            for measures in data[block].values():
                for k, v in measures.items():
                    t[f"{block}.{k}"] += v
        for measures in data["resources"].values():
            t["resources.total"] += measures["cash"] + measures["in_kind"]
        t["info.activities"] += data["info"]["activities"]
    return dict(t)


def test_libreoffice_keeps_protection_validation_hidden_sheets_and_names(form, uno_filled, template_dir):
    for code in ("903", "SYT"):
        saved = openpyxl.load_workbook(uno_filled.paths[code])
        blank = openpyxl.load_workbook(template_for(template_dir, form, code))
        for sheet in (form.sheets["info"], *(b.sheet for b in form.blocks.values())):
            assert saved[sheet].protection.sheet, f"{code} {sheet}: protection lost"
            assert blank[sheet].protection.sheet
            types = sorted(dv.type for dv in saved[sheet].data_validations.dataValidation)
            assert types == sorted(dv.type for dv in blank[sheet].data_validations.dataValidation), sheet
        results = saved[form.sheets["results"]]
        block = form.blocks["results"]
        first = f"{block.measure_column('children')}{block.first_row}"
        assert results[first].protection.locked is False, "input cell became locked"
        assert results["A1"].protection.locked is not False, "label cell became editable"
        # the live checks: a custom rule that warns (issue #13), kept by LibreOffice
        custom = [dv for dv in results.data_validations.dataValidation if dv.type == "custom"]
        assert any(first in dv.sqref and dv.errorStyle == "warning" for dv in custom)
        assert saved[form.sheets["lists"]].sheet_state == "hidden"
        assert saved[form.sheets["meta"]].sheet_state == "hidden"
        assert {"DS_DiaBan", "DS_NoiDung", "DS_NguonLuc"} <= set(saved.defined_names)
    dept = openpyxl.load_workbook(uno_filled.paths["SYT"])[form.sheets["results"]]
    lists = [dv.formula1 for dv in dept.data_validations.dataValidation if dv.type == "list"]
    assert any("DS_DiaBan" in (f or "") for f in lists) and any("DS_NoiDung" in (f or "") for f in lists)


def test_error_value_in_an_input_cell_is_reported(form, uno_filled):
    sheet, ref = uno_filled.error_cell
    raw = openpyxl.load_workbook(uno_filled.paths["899"], data_only=True)[sheet][ref].value
    assert raw == "#DIV/0!"  # what LibreOffice saved
    parsed = parse_path(uno_filled.paths["899"], 0, form)
    assert any(f.cell == ref and f.sheet == sheet for f in parsed.findings), parsed.findings
