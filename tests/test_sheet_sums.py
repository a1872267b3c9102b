"""Issue #11: every number of every biểu equals a sum computed from what the units filled in.

No LibreOffice: the consolidated workbook is read with openpyxl twice (formulas, and the
values cached by the pipeline), every formula is evaluated by `tests/formulas.py` from the
cells it names, and both the cached value and the evaluated formula of every cell of B01-B06
(data rows and "Tổng cộng") are compared with sums computed here from the filler's inputs,
never from the pipeline's totals. The filled templates' own "Tổng cộng" formulas are checked
the same way.

Every first and last row of every biểu is non-zero in every column, so a "Tổng cộng" that
starts one row late or stops one row early changes a total.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils.cell import coordinate_from_string

from pipeline.app import consolidate_into
from pipeline.filler import fill
from pipeline.form import Block, load_form
from pipeline.outbox.paths import workbook_path
from pipeline.run.result import FileStatus, Report
from pipeline.samples import valid_data

from .conftest import template_for
from .formulas import Evaluator

FORM = load_form()
RES, SRC, NEEDS = (FORM.blocks[k] for k in ("results", "resources", "needs"))
TOTAL_LABEL = "Tổng cộng"
DISTRICTS = [u.code for u in FORM.units if u.region]
DEPARTMENTS = [u.code for u in FORM.units if not u.region]
# the first and the last region (district units report for their own region only)
FIRST_DISTRICT = next(u.code for u in FORM.units if u.region == FORM.regions[0].code)
ACCEPTED_CODES = [FIRST_DISTRICT, DISTRICTS[-1], DEPARTMENTS[0], DEPARTMENTS[-1]]
REJECTED_CODE = DEPARTMENTS[1]  # girls > children: rejected, so in no total


def keys(block: Block) -> list[str]:
    """A block's columns on a biểu: its measures, then its row totals."""
    return [m.key for m in block.measures] + [t.key for t in block.totals]


def with_totals(block: Block, values: dict[str, int]) -> dict[str, int]:
    out = {m.key: int(values.get(m.key) or 0) for m in block.measures}
    for t in block.totals:
        out[t.key] = sum(out[k] for k in t.sum_of)
    return out


# ----- the figures filled in --------------------------------------------------------------------
def figures(code: str, rng: random.Random, layout: dict[str, Any]) -> dict[str, Any]:
    """Every row non-zero in every measure, every rule satisfied (rows by the form's bounds)."""
    unit = FORM.units_by_code[code]
    data = valid_data(FORM, code, rng, layout)
    regions = [unit.region] if unit.region else [FORM.regions[0].code, FORM.regions[-1].code]
    rows = []
    for region in regions:
        for cat in FORM.categories:
            rec: dict[str, Any] = {"region": region, "category": cat.code}
            for m in RES.measures:  # bounded measures come after their bounds in the form
                if m.at_most:
                    rec[m.key] = rng.randint(1, rec[m.at_most])
                elif m.at_least:
                    rec[m.key] = rec[m.at_least] + rng.randint(0, 300)
                elif m.type == "money":
                    rec[m.key] = rng.randint(1, 10**9)
                else:
                    rec[m.key] = rng.randint(1, 500)
            rows.append(rec)
    data["results"] = rows
    data["resources"] = {
        s.code: {m.key: rng.randint(10**9, 10**11) for m in SRC.measures} for s in FORM.sources
    }
    data["needs"] = {
        c.code: {m.key: rng.randint(1, 10**9 if m.type == "money" else 900) for m in NEEDS.measures}
        for c in FORM.categories
    }
    data["info"]["activities"] = rng.randint(1, 40)
    return data


@dataclass
class Expected:
    """Sums computed from the filler's inputs of the accepted files."""

    results: dict[tuple[str, str, str], dict[str, int]]  # (region, category, kind) -> column
    resources: dict[tuple[str, str], dict[str, int]]  # (source, kind) -> column
    needs: dict[str, dict[str, int]]  # category -> column
    activities: dict[str, int]  # kind -> activities

    def sum_results(self, **where: str) -> dict[str, int]:
        names = ("region", "category", "kind")
        out: dict[str, int] = defaultdict(int)
        for key, cols in self.results.items():
            if all(key[names.index(k)] == v for k, v in where.items()):
                for k, v in cols.items():
                    out[k] += v
        return out

    def sum_resources(self, **where: str) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for (source, kind), cols in self.resources.items():
            if where.get("source", source) == source and where.get("kind", kind) == kind:
                for k, v in cols.items():
                    out[k] += v
        return out


def expected_from(datas: dict[str, dict[str, Any]]) -> Expected:
    res: dict[tuple[str, str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    src: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    needs: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    acts: dict[str, int] = defaultdict(int)
    for code, data in datas.items():
        unit = FORM.units_by_code[code]
        for rec in data["results"]:
            region = unit.region or rec["region"]
            for k, v in with_totals(RES, rec).items():
                res[(region, rec["category"], unit.kind)][k] += v
        for source, values in data["resources"].items():
            for k, v in with_totals(SRC, values).items():
                src[(source, unit.kind)][k] += v
        for cat, values in data["needs"].items():
            for k, v in with_totals(NEEDS, values).items():
                needs[cat][k] += v
        acts[unit.kind] += int(data["info"]["activities"])
    return Expected(res, src, needs, acts)


@dataclass
class Consolidated:
    report: Report
    path: Path
    datas: dict[str, dict[str, Any]]  # unit code -> what was filled (accepted files only)
    files: dict[str, Path]  # unit code -> filled file
    expected: Expected


@pytest.fixture(scope="module")
def consolidated(template_dir, layout, tmp_path_factory) -> Consolidated:
    base = tmp_path_factory.mktemp("sums")
    datas, files = {}, {}
    for code in [*ACCEPTED_CODES, REJECTED_CODE]:
        data = figures(code, random.Random(f"sums-{code}"), layout)
        if code == REJECTED_CODE:
            data["results"][0]["girls"] = data["results"][0]["children"] + 1
        else:
            datas[code] = data
        files[code] = fill(
            template_for(template_dir, FORM, code), base / "inbox" / f"{code}.xlsx", layout, code, data
        )
    report = consolidate_into(FORM, base / "inbox", base / "outbox", show_progress=False)
    status = {rec.parsed.name: rec.status for rec in report.files}
    assert sorted(status) == sorted(f"{c}.xlsx" for c in files)
    assert status.pop(f"{REJECTED_CODE}.xlsx") == FileStatus.REJECTED
    assert set(status.values()) <= {FileStatus.ACCEPTED, FileStatus.ACCEPTED_WARNINGS}, status
    return Consolidated(report, workbook_path(base / "outbox", FORM.year), datas, files, expected_from(datas))


# ----- what each biểu must show ---------------------------------------------------------------
def expected_bieu(number: str, exp: Expected) -> tuple[dict[str, list[int]], list[str]]:
    """Row label -> expected value columns, left to right; and the header text of each column."""
    res_labels = [m.label for m in RES.measures] + [t.label for t in RES.totals]
    if number == "01":
        rows = {c.name: [exp.sum_results(category=c.code)[k] for k in keys(RES)] for c in FORM.categories}
        return rows, res_labels
    if number == "02":
        rows = {r.name: [exp.sum_results(region=r.code)[k] for k in keys(RES)] for r in FORM.regions}
        return rows, res_labels
    if number == "03":
        cols = [(RES.headcount, c) for c in FORM.categories] + [(RES.main_total, c) for c in FORM.categories]
        rows = {
            r.name: [exp.sum_results(region=r.code, category=c.code)[k] for k, c in cols]
            for r in FORM.regions
        }
        return rows, [c.name for _, c in cols]
    if number == "04":
        rows = {s.name: [exp.sum_resources(source=s.code)[k] for k in keys(SRC)] for s in FORM.sources}
        return rows, [m.label for m in SRC.measures] + [t.label for t in SRC.totals]
    if number == "05":
        rows = {c.name: [exp.needs[c.code][k] for k in keys(NEEDS)] for c in FORM.categories}
        return rows, [m.label for m in NEEDS.measures] + [t.label for t in NEEDS.totals]
    if number == "06":
        rows = {
            k.name: [
                *(exp.sum_results(kind=k.code)[m] for m in keys(RES)),
                exp.sum_resources(kind=k.code)[SRC.main_total],
                exp.activities[k.code],
            ]
            for k in FORM.unit_kinds
        }
        return rows, res_labels  # the two last columns are named by the biểu itself
    raise KeyError(number)


BIEU = ["01", "02", "03", "04", "05", "06"]


def _sheet(wb: openpyxl.Workbook, number: str) -> str:
    [name] = [n for n in wb.sheetnames if n.startswith(f"B{number} ")]
    return name


def _is_formula(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("=")


def _layout_of(ws, labels: list[str]) -> tuple[dict[str, int], int, list[int], int]:
    """(label -> row, total row, value columns left to right, first data row) of a biểu."""
    found: dict[str, list[tuple[int, int]]] = defaultdict(list)
    totals = []
    for row in ws.iter_rows():
        for c in row:
            if c.value in labels:
                found[c.value].append((c.row, c.column))
            if c.value == TOTAL_LABEL:
                totals.append(c.row)
    assert len(totals) == 1, f"{ws.title}: {len(totals)} '{TOTAL_LABEL}' rows"
    [total_row] = totals
    rows = {}
    for label in labels:
        here = [(r, c) for r, c in found[label] if r < total_row]
        assert len(here) == 1, f"{ws.title}: row label {label!r} found {len(here)} times"
        rows[label] = here[0][0]
    assert len({c for label in labels for _, c in found[label][:1]}) == 1, (
        f"{ws.title}: labels not in one column"
    )
    columns = [c.column for c in ws[total_row] if _is_formula(c.value)]
    return rows, total_row, columns, min(rows.values())


@pytest.mark.parametrize("number", BIEU)
def test_bieu_cells_equal_sums_of_what_was_filled_in(consolidated: Consolidated, number: str):
    formulas = openpyxl.load_workbook(consolidated.path)
    cached = openpyxl.load_workbook(consolidated.path, data_only=True)
    name = _sheet(formulas, number)
    ws, wv = formulas[name], cached[name]
    rows_expected, headers = expected_bieu(number, consolidated.expected)
    rows, total_row, columns, first = _layout_of(ws, list(rows_expected))
    ev = Evaluator(formulas)
    width = len(next(iter(rows_expected.values())))
    assert len(columns) == width, f"{name}: {len(columns)} total columns, expected {width}"

    # each value column is headed by what it holds (a measure, or for B03 a category)
    for col, label in zip(columns, headers, strict=False):
        texts = [str(ws.cell(r, col).value or "") for r in range(1, first)]
        assert any(t.split("\n")[0] == label for t in texts), f"{name}: column {col} is not headed {label!r}"

    def check(row: int, col: int, label: str, value: int) -> str:
        cell = ws.cell(row, col)
        where = f"{name}!{cell.coordinate} ({label})"
        assert _is_formula(cell.value), f"{where} holds no formula"
        got = ev.value(name, cell.coordinate)
        assert got == value, f"{where}: {cell.value} gives {got}, the files add up to {value}"
        cache = wv[cell.coordinate].value
        assert cache == value, f"{where}: cached {cache}, the files add up to {value}"
        return cell.coordinate

    checked = set()
    for label, want in rows_expected.items():
        for col, value in zip(columns, want, strict=True):
            checked.add(check(rows[label], col, label, value))
    for j, col in enumerate(columns):
        value = sum(want[j] for want in rows_expected.values())
        assert value > 0
        checked.add(check(total_row, col, TOTAL_LABEL, value))
    every = {c.coordinate for row in ws.iter_rows() for c in row if _is_formula(c.value)}
    assert every == checked, f"{name}: formulas not checked: {sorted(every - checked)}"


def test_first_and_last_rows_of_every_bieu_are_non_zero(consolidated: Consolidated):
    """The premise of the test above: a range one row short loses a non-zero number."""
    for number in BIEU:
        rows, _ = expected_bieu(number, consolidated.expected)
        values = list(rows.values())
        for row in (values[0], values[-1]):
            assert all(v > 0 for v in row), f"B{number}: a first or last row has a zero: {row}"


def test_template_totals_are_sums_of_the_inputs(consolidated: Consolidated, layout: dict[str, Any]):
    """The "Tổng cộng" row and the row totals of each filled template, evaluated from its inputs."""
    for code, data in consolidated.datas.items():
        unit = FORM.units_by_code[code]
        lay = layout["layouts"]["fixed_region" if unit.region else "free_rows"]
        wb = openpyxl.load_workbook(consolidated.files[code])
        ev = Evaluator(wb)
        by_block: dict[str, list[dict[str, int]]] = {
            "results": [with_totals(RES, rec) for rec in data["results"]],
            "resources": [with_totals(SRC, v) for v in data["resources"].values()],
            "needs": [with_totals(NEEDS, v) for v in data["needs"].values()],
        }
        columns = {}
        for c in lay["cells"]:
            columns.setdefault(c["block"], {})[c["measure"]] = coordinate_from_string(c["cell"])[0]
        for rb in lay["repeating_blocks"]:
            columns[rb["block"]] = {k: v for k, v in rb["columns"].items() if k not in ("region", "category")}
        for comp in lay["computed"]:
            block = comp["block"]
            cols = {**columns[block], **comp["row_totals"]}
            assert set(cols) == set(keys(FORM.blocks[block]))
            for key, col in cols.items():
                ref = f"{col}{comp['total_row']}"
                want = sum(rec[key] for rec in by_block[block])
                assert want > 0
                assert _is_formula(wb[comp["sheet"]][ref].value), f"{code} {comp['sheet']}!{ref}: no formula"
                got = ev.value(comp["sheet"], ref)
                assert got == want, (
                    f"{code} {comp['sheet']}!{ref}: formula gives {got}, inputs add up to {want}"
                )
