"""Issue #3: property tests of the whole pipeline on generated files.

Valid inboxes (random units, random seeded figures, random hand-typed rows, some numbers
typed as Vietnamese text): the totals equal the independent sum of what was filled.
Invalid inboxes (the same plus one unit whose file breaks one random rule): that file is
rejected with at least one error, and the totals equal the sum of the valid files only.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from pipeline.form import load_form, meta_cell
from pipeline.rules.bind import MONEY_MINIMUM
from pipeline.rules.findings import ERROR
from pipeline.run.consolidate import run
from pipeline.run.result import FileStatus, UnitStatus

FORM = load_form()
RES = FORM.blocks["results"]
CODES = [u.code for u in FORM.units]
MEASURES = [m.key for m in RES.measures]
MAX_MONEY = 10**12  # per cell; sums of a few files stay far below the form's limit

SETTINGS = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# ----- what the file says, independently of the pipeline -------------------------------------
def as_int(value: Any) -> int:
    """The number a filled value stands for (we only ever type ints or dot-grouped text)."""
    if value is None:
        return 0
    if isinstance(value, str):
        return int(value.replace(".", ""))
    return int(value)


def expected_totals(datas: list[dict[str, Any]]) -> dict[str, int]:
    out: Counter[str] = Counter()
    for d in datas:
        for rec in d["results"]:
            for m in RES.measures:
                out[f"results.{m.key}"] += as_int(rec.get(m.key))
            for t in RES.totals:
                out[f"results.{t.key}"] += sum(as_int(rec.get(k)) for k in t.sum_of)
        for key in ("resources", "needs"):
            block = FORM.blocks[key]
            for vals in d.get(key, {}).values():
                for m in block.measures:
                    out[f"{key}.{m.key}"] += as_int(vals.get(m.key))
                for t in block.totals:
                    out[f"{key}.{t.key}"] += sum(as_int(vals.get(k)) for k in t.sum_of)
        out["info.activities"] += as_int(d["info"].get("activities"))
    keys = [
        f"{key}.{k}"
        for key, block in FORM.blocks.items()
        for k in [*(m.key for m in block.measures), *(t.key for t in block.totals)]
    ] + ["info.activities"]
    return {k: out[k] for k in keys}


# ----- random valid files ----------------------------------------------------------------------
def dots(n: int) -> str:
    return f"{n:,}".replace(",", ".")


@st.composite
def valid_row(draw: st.DrawFn) -> dict[str, Any]:
    """Figures that satisfy every error rule (warnings such as VALUE_MISSING are allowed)."""
    children = draw(st.integers(0, 100_000))
    row = {
        "children": children,
        "girls": draw(st.integers(0, children)),
        "ethnic": draw(st.integers(0, children)),
        "turns": children + draw(st.integers(0, 100_000)),
        "cash": draw(st.just(0) | st.integers(MONEY_MINIMUM, MAX_MONEY)),  # 1-999 đồng: MONEY_TOO_SMALL
        "in_kind": draw(st.just(0) | st.integers(MONEY_MINIMUM, MAX_MONEY)),
    }
    blank = draw(st.sets(st.sampled_from(["girls", "ethnic", "in_kind"])))
    as_text = draw(st.sets(st.sampled_from(MEASURES)))
    return {
        k: None if k in blank else (dots(v) if k in as_text else v)  # "1.200.000" is read as 1200000
        for k, v in row.items()
    }


@dataclass(frozen=True)
class Submission:
    code: str
    seed: int
    row: dict[str, Any] | None  # replaces the first results row when given


@st.composite
def submission(draw: st.DrawFn, code: str) -> Submission:
    return Submission(code, draw(st.integers(0, 10**6)), draw(st.none() | valid_row()))


@st.composite
def valid_inbox(draw: st.DrawFn, min_size: int = 1) -> list[Submission]:
    codes = draw(st.lists(st.sampled_from(CODES), min_size=min_size, max_size=3, unique=True))
    return [draw(submission(c)) for c in codes]


def apply_row(sub: Submission) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        if sub.row is not None and data["results"]:
            data["results"][0].update(sub.row)

    return mutate


# ----- one rule violation ----------------------------------------------------------------------
def _first(data: dict[str, Any]) -> dict[str, Any]:
    if not data["results"]:  # a district may (rarely) have drawn no row at all
        unit_region = FORM.units_by_code[data["_code"]].region
        data["results"].append({"region": unit_region, "category": FORM.categories[0].code, "children": 9})
    return data["results"][0]


def _info_cell(key: str) -> str:
    return FORM.info_field(key).cell


def _raw(sheet: str, cell: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda d: d.setdefault("raw", []).append((sheet, cell, value))


VIOLATIONS: dict[str, Callable[[dict[str, Any]], None]] = {
    "negative": lambda d: _first(d).update(children=-_first(d)["children"] - 1),
    "negative-money": lambda d: _first(d).update(cash=-1000),
    "girls>children": lambda d: _first(d).update(girls=_first(d)["children"] + 1),
    "ethnic>children": lambda d: _first(d).update(ethnic=_first(d)["children"] + 3),
    "turns<children": lambda d: _first(d).update(children=10, girls=0, ethnic=0, turns=9),
    "text": lambda d: _first(d).update(turns="khoảng 200"),
    "decimal-comma": lambda d: _first(d).update(cash="1,5"),
    "not-integer": lambda d: _first(d).update(girls=0.5),
    "too-large": lambda d: _first(d).update(in_kind=FORM.limits.max_number + 1),
    "wrong-year": _raw(FORM.sheets["info"], _info_cell("year"), FORM.year - 1),
    "unknown-unit": _raw(FORM.sheets["info"], _info_cell("unit_code"), "XYZ"),
    "unit-name": _raw(FORM.sheets["info"], _info_cell("unit_name"), "Sở Không Tồn Tại"),
    "no-preparer": lambda d: d["info"].update(preparer=None),
    "no-report-date": lambda d: d["info"].update(report_date=None),
    "bad-date": lambda d: d["info"].update(report_date="30/02/2025"),
    "old-template": _raw(FORM.sheets["meta"], meta_cell("version"), "2019.1"),
    "region-label-edited": _raw(RES.sheet, f"B{RES.first_row}", "Địa bàn khác"),
}
DEPARTMENT_VIOLATIONS: dict[str, Callable[[dict[str, Any]], None]] = {
    "unknown-region": lambda d: _first(d).update(region="Huyện Không Có"),
    "unknown-category": lambda d: _first(d).update(category="Xây cầu"),
    "row-without-region": lambda d: _first(d).update(region=None),
    "duplicate-row": lambda d: d["results"].append(dict(_first(d))),
}


@st.composite
def invalid_inbox(draw: st.DrawFn) -> tuple[list[Submission], Submission, str]:
    good = draw(valid_inbox(min_size=0))
    taken = {s.code for s in good}
    code = draw(st.sampled_from([c for c in CODES if c not in taken]))
    kinds = sorted(VIOLATIONS) + ([] if FORM.units_by_code[code].region else sorted(DEPARTMENT_VIOLATIONS))
    bad = draw(submission(code))
    return good, bad, draw(st.sampled_from(kinds))


# ----- the properties ----------------------------------------------------------------------------
def _fill_all(make_file, inbox: Path, subs: list[Submission]) -> list[dict[str, Any]]:
    datas = []
    for sub in subs:
        _, data = make_file(sub.code, apply_row(sub), seed=sub.seed, folder=inbox)
        datas.append(data)
    return datas


@SETTINGS
@given(subs=valid_inbox())
def test_totals_equal_independent_sums_of_valid_files(form, make_file, subs):
    note(repr(subs))
    with tempfile.TemporaryDirectory() as tmp:
        inbox = Path(tmp) / "inbox"
        datas = _fill_all(make_file, inbox, subs)
        report = run(form, inbox, Path(tmp) / "out", show_progress=False)
    for rec in report.files:
        note(f"{rec.parsed.name}: {[(f.code, f.cell) for f in rec.parsed.findings]}")
        assert rec.status in (FileStatus.ACCEPTED, FileStatus.ACCEPTED_WARNINGS)
        assert not any(f.severity == ERROR for f in rec.parsed.findings)
    assert report.count(UnitStatus.ACCEPTED) == len(subs)
    assert report.totals.to_dict() == expected_totals(datas)


@SETTINGS
@given(case=invalid_inbox())
def test_one_broken_file_is_rejected_and_left_out_of_the_totals(form, make_file, case):
    good, bad, kind = case
    note(f"good={good!r} bad={bad!r} violation={kind}")
    violate = {**VIOLATIONS, **DEPARTMENT_VIOLATIONS}[kind]

    def mutate(data: dict[str, Any]) -> None:
        # the broken file gets only its violation (a text-typed row would not add up)
        data["_code"] = bad.code
        violate(data)
        data.pop("_code")

    with tempfile.TemporaryDirectory() as tmp:
        inbox = Path(tmp) / "inbox"
        datas = _fill_all(make_file, inbox, good)
        bad_path, _ = make_file(bad.code, mutate, seed=bad.seed, folder=inbox, name="hong.xlsx")
        report = run(form, inbox, Path(tmp) / "out", show_progress=False)

    broken = next(r for r in report.files if r.parsed.name == bad_path.name)
    note(f"broken findings: {[(f.code, f.cell) for f in broken.parsed.findings]}")
    assert broken.status == FileStatus.REJECTED
    assert any(f.severity == ERROR for f in broken.parsed.findings)
    for rec in report.files:
        if rec is not broken:
            assert rec.status in (FileStatus.ACCEPTED, FileStatus.ACCEPTED_WARNINGS), rec.parsed.name
    assert report.count(UnitStatus.ACCEPTED) == len(good)
    assert report.totals.to_dict() == expected_totals(datas)
