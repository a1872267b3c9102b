"""Issue #23 item 4: four warnings of the pipeline the filled template did not show at all.

A new user's pass found a file the pipeline accepts with a warning the unit never saw before
sending: the report date before the reporting period or after today (`check.arrival`), a
results row outside the configured plausibility bounds (`check.plausible`; also a unit's total
of a measure) and the support given above the resources mobilised (`rules.bind.totals_rules`).
The template now shows each at the cell the pipeline names, as a warning in its words.

Each case is filled by the project's filler, recalculated by LibreOffice (and Gnumeric) and
compared with `check_files` on the saved file: every finding of these rules the pipeline gives
is said by the template's row text at the same sheet and row, as a warning, and none other,
at each bound and just around it (a value exactly at a bound is not flagged in either), for
both configurations (Kiên Giang, the default, and An Giang). The bounds and the period come
from the configuration, never from here.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from pipeline.check.arrival import EARLY_WINDOW_DAYS
from pipeline.check.plausible import bounds
from pipeline.filler import fill
from pipeline.form import SCHEMAS_DIR, layout_json, load_form
from pipeline.intake.mail_settings import load_mail_settings
from pipeline.render.style import WARNING_FILL
from pipeline.render.template import write_template
from pipeline.rules.kinds import EXCEL_EPOCH
from pipeline.run.consolidate import check_files
from pipeline.samples import valid_data
from tests import lo
from tests.test_livechecks_text import _said_by_template

FOUR = (
    "DATE_BEFORE_PERIOD",
    "DATE_IN_FUTURE",
    "DATE_MAYBE_SWAPPED",  # brk35 F4: a day and month swapped into a date months before the end
    "IMPLAUSIBLE_VALUE",
    "SUPPORT_EXCEEDS_RESOURCES",
)
CONFIGS = {"kg": None, "ag": SCHEMAS_DIR / "an-giang.toml"}  # None: the default configuration
Mutate = Callable[[Any, dict[str, Any]], None]  # (form, data)


def _today(form) -> dt.date:
    """The pipeline's today: the province's date (`run.consolidate.check_by_file`)."""
    return dt.datetime.now(load_mail_settings(form).zone).date()


def _date(day: Callable[[Any], Any]) -> Mutate:
    """The report date typed as `day(form)` (text, a datetime, a number)."""

    def mutate(form, data: dict[str, Any]) -> None:
        data["info"]["report_date"] = day(form)

    return mutate


def _text(day: dt.date) -> str:
    return f"{day:%d/%m/%Y}"


def _swap_target(form, inside: bool) -> dt.date:
    """The first day of the period's last `EARLY_WINDOW_DAYS` (`inside`), else the last day
    before them, whose day and month swapped give an early date in the period: what a
    swap of the early date typed "reads" it as."""
    early = form.period.end - dt.timedelta(days=EARLY_WINDOW_DAYS)
    day, step = (early, 1) if inside else (early - dt.timedelta(days=1), -1)
    while not (day.day <= 12 and day.day != day.month and form.period.start <= _swap(day) < early):
        day += dt.timedelta(days=step)
    return day


def _swap(day: dt.date) -> dt.date:
    return dt.date(day.year, day.day, day.month)


def _ratio(key: str, side: int, delta: int, category: str | None = None, typed: str | None = None) -> Mutate:
    """`_ratio_row`, the resources covering the support it gives."""
    return _covered(_ratio_row(key, side, delta, category, typed))


def _ratio_row(key: str, side: int, delta: int, category: str | None, typed: str | None) -> Mutate:
    """A results row whose ratio `key` (of `[plausibility]`) is its category's low (`side` 0)
    or high (1) bound plus `delta` over 2 in its denominator: the first row of `category`
    (typed as `typed`: a usual spelling), else the first row. Its other ratios within bounds."""

    def mutate(form, data: dict[str, Any]) -> None:
        ratio = next(r for r in bounds(form).ratios if r.key == key)
        rows = data["results"]
        i = next((n for n, r in enumerate(rows) if category in (None, r["category"])), 0)
        row = rows[i]
        if category is not None:
            row["category"] = typed or category
        limit = ratio.bounds(category or row["category"])[side]
        assert limit is not None, (key, category)
        children = 2
        row.update(dict.fromkeys((k for k in row if k not in ("region", "category")), 0))
        row.update(children=children, turns=children, cash=1_000_000 * children)
        for part in ratio.numerator:
            row[part] = 0
        row[ratio.numerator[0]] = limit * children + delta
        row[ratio.denominator] = children

    return mutate


def _row(i: int, **values: Any) -> Mutate:
    def mutate(_form, data: dict[str, Any]) -> None:
        data["results"][i].update(values)

    return mutate


def _unit_total(delta: int) -> Mutate:
    """The results' total of the first `unit_totals` measure at its bound plus `delta` (its
    first row takes the difference, its other figures raised to stay consistent)."""

    def mutate(form, data: dict[str, Any]) -> None:
        key, _label, _unit, high = bounds(form).unit_totals[0]
        rows = data["results"]
        rest = sum(r[key] or 0 for r in rows[1:])
        rows[0][key] = high + delta - rest
        rows[0]["turns"] = max(rows[0]["turns"] or 0, rows[0][key])
        rows[0]["cash"] = 2000 * rows[0][key]

    return mutate


def _support(delta: int, *, resources: Callable[[int], Any] | None = None) -> Mutate:
    """The support given (the results' value measures) equal to the resources mobilised plus
    `delta` (the first row's cash takes the difference); `resources`: how each resources
    amount is typed instead (of its number)."""

    def mutate(form, data: dict[str, Any]) -> None:
        given, mobilised = form.support_block, form.resources_block
        support = sum(r[k] or 0 for r in data[given.key] for k in given.value_measures)
        total = sum(v or 0 for amounts in data[mobilised.key].values() for v in amounts.values())
        data[given.key][0]["cash"] += total - support + delta
        if resources is not None:
            for amounts in data[mobilised.key].values():
                for k, v in amounts.items():
                    amounts[k] = resources(v)

    return mutate


def _covered(mutation: Mutate) -> Mutate:
    """`mutation`, then the first resources amount raised where the support given would
    exceed the resources: the case tests one rule, not SUPPORT_EXCEEDS_RESOURCES too."""

    def mutate(form, data: dict[str, Any]) -> None:
        mutation(form, data)
        given, mobilised = form.support_block, form.resources_block
        support = sum(r[k] for r in data[given.key] for k in given.value_measures if isinstance(r[k], int))
        amounts = data[mobilised.key]
        total = sum(v or 0 for a in amounts.values() for v in a.values())
        first = next(iter(amounts.values()))
        first[next(iter(first))] += max(0, support - total)

    return mutate


def _all(*mutations: Mutate) -> Mutate:
    def mutate(form, data: dict[str, Any]) -> None:
        for m in mutations:
            m(form, data)

    return mutate


@dataclass(frozen=True)
class Case:
    id: str
    unit: str  # a unit code, or "fixed": the configuration's first unit (fixed rows)
    mutate: Mutate
    want: tuple[str, ...]  # the codes of FOUR the pipeline gives (guards what the case tests)


def _dot(n: int) -> str:
    return f"{n:,}".replace(",", ".")


CASES = [
    # the report date against the period's first day and today (a warning each side, none on it)
    Case("date-before", "fixed", _date(lambda f: "05/01/2024"), ("DATE_BEFORE_PERIOD",)),
    Case("date-before-as-date", "fixed", _date(lambda f: dt.datetime(2024, 1, 5)), ("DATE_BEFORE_PERIOD",)),
    Case("date-on-start", "fixed", _date(lambda f: _text(f.period.start)), ()),
    Case(
        "date-day-before-start",
        "fixed",
        _date(lambda f: _text(f.period.start - dt.timedelta(days=1))),
        ("DATE_BEFORE_PERIOD",),
    ),
    Case("date-start-as-date", "fixed", _date(lambda f: dt.datetime.combine(f.period.start, dt.time())), ()),
    Case(
        "date-serial-number",  # a number in the date cell: its day
        "fixed",
        _date(lambda f: (f.period.start - EXCEL_EPOCH).days - 1),
        ("DATE_BEFORE_PERIOD",),
    ),
    Case("date-year-0024", "fixed", _date(lambda f: "05/01/0024"), ("DATE_BEFORE_PERIOD",)),
    # months before the period's end, its day and month swapped near it: "05/11" typed as 11 May
    Case(
        "date-swapped", "fixed", _date(lambda f: _text(_swap(_swap_target(f, True)))), ("DATE_MAYBE_SWAPPED",)
    ),
    Case(
        "date-swapped-as-date",
        "fixed",
        _date(lambda f: dt.datetime.combine(_swap(_swap_target(f, True)), dt.time())),
        ("DATE_MAYBE_SWAPPED",),
    ),
    Case("date-swapped-before-window", "fixed", _date(lambda f: _text(_swap(_swap_target(f, False)))), ()),
    Case(
        "date-early-day-over-12", "fixed", _date(lambda f: _text(f.period.end.replace(month=5, day=20))), ()
    ),
    Case(
        "date-early-day-is-month", "fixed", _date(lambda f: _text(f.period.end.replace(month=5, day=5))), ()
    ),
    Case("date-unreadable", "fixed", _date(lambda f: "05/01/24"), ()),  # DATE_INVALID, an error
    Case("date-today", "fixed", _date(lambda f: _text(_today(f))), ()),
    Case(
        "date-today-evening",  # a time of day is dropped, as the pipeline's date() does
        "fixed",
        _date(lambda f: dt.datetime.combine(_today(f), dt.time(23, 59))),
        (),
    ),
    Case(
        "date-tomorrow",
        "fixed",
        _date(lambda f: _text(_today(f) + dt.timedelta(days=1))),
        ("DATE_IN_FUTURE",),
    ),
    Case("date-next-year", "SYT", _date(lambda f: f"05/01/{_today(f).year + 1}"), ("DATE_IN_FUTURE",)),
    # a results row's ratio at, above and below its bounds; a category's own bounds
    Case("ratio-high-at", "SYT", _ratio("value_per_child", 1, 0), ()),
    Case("ratio-high-over", "SYT", _ratio("value_per_child", 1, 1), ("IMPLAUSIBLE_VALUE",)),
    Case("ratio-low-at", "SYT", _ratio("value_per_child", 0, 0), ()),
    Case("ratio-low-under", "SYT", _ratio("value_per_child", 0, -1), ("IMPLAUSIBLE_VALUE",)),
    Case("ratio-kcb-at", "SYT", _ratio("value_per_child", 1, 0, "KCB"), ()),
    Case("ratio-kcb-over", "SYT", _ratio("value_per_child", 1, 1, "KCB"), ("IMPLAUSIBLE_VALUE",)),
    Case(
        "ratio-kcb-unaccented",  # the category typed without accents: read as KCB, its bound
        "SYT",
        _ratio("value_per_child", 1, 0, "KCB", "Kham, chua benh"),
        (),
    ),
    Case("ratio-kcb-code", "SYT", _ratio("value_per_child", 1, 1, "KCB", "kcb"), ("IMPLAUSIBLE_VALUE",)),
    Case("ratio-fixed-at", "fixed", _ratio("value_per_child", 1, 0), ()),  # the preset category
    Case("ratio-fixed-over", "fixed", _ratio("value_per_child", 1, 1), ("IMPLAUSIBLE_VALUE",)),
    Case("ratio-fixed-kcb-at", "fixed", _ratio("value_per_child", 1, 0, "KCB"), ()),
    Case("ratio-fixed-kcb-over", "fixed", _ratio("value_per_child", 1, 1, "KCB"), ("IMPLAUSIBLE_VALUE",)),
    Case("turns-fixed-meals-at", "fixed", _ratio("turns_per_child", 1, 0, "DD_MN"), ()),
    Case("turns-at", "SYT", _ratio("turns_per_child", 1, 0), ()),
    Case("turns-over", "SYT", _ratio("turns_per_child", 1, 1), ("IMPLAUSIBLE_VALUE",)),
    Case("turns-meals-at", "SYT", _ratio("turns_per_child", 1, 0, "DD_MN"), ()),
    Case("turns-meals-over", "SYT", _ratio("turns_per_child", 1, 1, "DD_MN"), ("IMPLAUSIBLE_VALUE",)),
    # what the pipeline reads: text read as a number counts, a cell it cannot read does not
    Case(
        "ratio-text-read",
        "SYT",
        _row(0, children=1, girls=0, ethnic=0, turns=1, cash=_dot(60_000_000), in_kind=0),
        ("IMPLAUSIBLE_VALUE",),
    ),
    Case(
        "ratio-own-cell-unread",  # the finding's own cell unread: the pipeline says nothing
        "SYT",
        _row(0, children=1, girls=0, ethnic=0, turns=1, cash="khoảng 5", in_kind=60_000_000),
        (),
    ),
    Case(
        "ratio-other-part-unread",  # an unread part adds nothing
        "SYT",
        _row(0, children=1, girls=0, ethnic=0, turns=1, cash=60_000_000, in_kind="khoảng 5"),
        ("IMPLAUSIBLE_VALUE",),
    ),
    Case("ratio-no-children", "SYT", _row(0, children=None, girls=0, ethnic=0, cash=60_000_000), ()),
    Case(
        "ratio-negative-part",
        "SYT",
        _covered(_row(0, children=1, turns=1, girls=0, ethnic=0, cash=-5, in_kind=10**9)),
        (),
    ),
    # a unit's total at and over its bound
    Case("unit-total-at", "SYT", _unit_total(0), ()),
    Case("unit-total-over", "SYT", _unit_total(1), ("IMPLAUSIBLE_VALUE",)),
    # the support against the resources: equal, one đồng over, typed as text, none declared
    Case("support-equal", "fixed", _support(0), ()),
    Case("support-over", "fixed", _support(1), ("SUPPORT_EXCEEDS_RESOURCES",)),
    Case("support-over-dept", "SYT", _support(1), ("SUPPORT_EXCEEDS_RESOURCES",)),
    Case("support-over-text", "fixed", _support(1, resources=_dot), ("SUPPORT_EXCEEDS_RESOURCES",)),
    Case(
        "support-no-resources",  # nothing mobilised declared: not judged
        "fixed",
        _support(1, resources=lambda v: None),
        (),
    ),
    Case(
        "several",
        "SYT",
        _all(_date(lambda f: "05/01/2024"), _ratio("turns_per_child", 1, 1), _support(1)),
        ("DATE_BEFORE_PERIOD", "IMPLAUSIBLE_VALUE", "SUPPORT_EXCEEDS_RESOURCES"),
    ),
]
# the second configuration: a few cases of each rule
AG_CASES = {
    "date-on-start",
    "date-day-before-start",
    "date-tomorrow",
    "date-today",
    "ratio-high-at",
    "ratio-high-over",
    "ratio-fixed-over",
    "ratio-fixed-kcb-at",
    "turns-fixed-meals-at",
    "turns-meals-over",
    "unit-total-over",
    "support-equal",
    "support-over",
}
RUNS = [(config, case) for config in CONFIGS for case in CASES if config == "kg" or case.id in AG_CASES]


@pytest.fixture(scope="module")
def zone_of_the_province():
    """LibreOffice's and Gnumeric's TODAY() in the province's time zone, as the pipeline's today."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TZ", str(load_mail_settings(load_form()).zone))
        yield


@pytest.fixture(scope="module")
def forms() -> dict[str, Any]:
    return {name: load_form(path) for name, path in CONFIGS.items()}


def _unit(form, code: str) -> str:
    return form.units[0].code if code == "fixed" else code


@pytest.fixture(scope="module")
def filled(tmp_path_factory, forms) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("warnings4")
    out = {}
    templates: dict[tuple[str, str], Path] = {}
    layouts = {name: layout_json(form) for name, form in forms.items()}
    for config, case in RUNS:
        form, layout = forms[config], layouts[config]
        code = _unit(form, case.unit)
        if (config, code) not in templates:
            templates[(config, code)] = write_template(form, form.units_by_code[code], base / config)
        data = valid_data(form, code, random.Random(f"warnings4-{code}"), layout)
        case.mutate(form, data)
        out[f"{config}-{case.id}"] = fill(
            templates[(config, code)], base / f"{config}-{case.id}.xlsx", layout, code, data
        )
    return out


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory, filled, zone_of_the_province) -> dict[str, Path]:
    return lo.recalculated(filled, tmp_path_factory.mktemp("warnings4-lo"))


def _pipeline(form, path: Path) -> dict[tuple[str, int], list[tuple[str, str]]]:
    """(sheet, row) -> (severity, code) of each finding of FOUR `check` gives on the file."""
    (parsed,) = check_files(form, [path])
    out: dict[tuple[str, int], list[tuple[str, str]]] = {}
    for f in parsed.findings:
        if f.code in FOUR:
            out.setdefault((f.sheet, int(re.sub(r"[A-Z$]", "", f.cell))), []).append(("Cảnh báo", f.code))
    return {k: sorted(v) for k, v in out.items()}


def _template(layout: dict[str, Any], path: Path) -> dict[tuple[str, int], list[tuple[str, str]]]:
    """The same from the template's row texts after recalculation."""
    out = {}
    for place, said in _said_by_template(layout, path).items():
        mine = sorted((sev, code) for sev, code in said if code in FOUR)
        if mine:
            out[place] = mine
    return out


@pytest.mark.parametrize(("config", "case"), RUNS, ids=[f"{c}-{case.id}" for c, case in RUNS])
def test_each_warning_where_and_when_the_pipeline_gives_it(config, case, forms, recalculated):
    """The pipeline gives the case's warnings, and the template says exactly those, as
    warnings, in the rows of the cells the pipeline names."""
    form = forms[config]
    path = recalculated[f"{config}-{case.id}"]
    want = _pipeline(form, path)
    assert sorted({code for said in want.values() for _s, code in said}) == sorted(case.want), want
    assert _template(layout_json(form), path) == want


def test_each_cell_named_is_coloured(forms, filled, recalculated):
    """The cell each warning names has a conditional format in the warnings' fill whose
    formula is the rule's live check."""
    fills = set()
    for config, case in RUNS:
        if not case.want:
            continue
        form = forms[config]
        path = recalculated[f"{config}-{case.id}"]
        (parsed,) = check_files(form, [path])
        wb = openpyxl.load_workbook(filled[f"{config}-{case.id}"])
        for f in parsed.findings:
            if f.code not in FOUR:
                continue
            ranges = [
                (rule.dxf, rule.formula)
                for cf in wb[f.sheet].conditional_formatting
                if f.cell in cf.sqref
                for rule in cf.rules
            ]
            hit = [dxf for dxf, formula in ranges if _checks(f.code, formula)]
            assert hit, (case.id, f.code, f.cell, ranges)
            fills |= {dxf.fill.bgColor.rgb for dxf in hit}
    assert fills == {"FF" + WARNING_FILL[1:]}, fills


def _checks(code: str, formula: list[str]) -> bool:
    """TRUE where a conditional format's formula is the live check of `code`."""
    text = " ".join(formula)
    return {
        "DATE_BEFORE_PERIOD": "TODAY()" not in text and "<" in text and "$1" in text,
        "DATE_IN_FUTURE": "TODAY()" in text and "MONTH(" not in text,
        "DATE_MAYBE_SWAPPED": "DAY(" in text and "MONTH(" in text,
        "IMPLAUSIBLE_VALUE": "KhoTin_" in text or "Tong_results" in text,
        "SUPPORT_EXCEEDS_RESOURCES": "Tong_resources" in text,
    }[code]


@pytest.mark.filterwarnings("ignore:Workbook contains no default style")  # Gnumeric's xlsx
def test_gnumeric_says_the_same(tmp_path, forms, filled, recalculated, zone_of_the_province):
    """Gnumeric (`ssconvert --recalc`) says the same warnings in the same rows."""
    ssconvert = lo.require("Gnumeric (ssconvert)", shutil.which("ssconvert"), "gnumeric")
    for config, case in RUNS:
        name = f"{config}-{case.id}"
        out = tmp_path / f"{name}.xlsx"
        subprocess.run(
            [ssconvert, "--recalc", str(filled[name]), str(out)], check=True, capture_output=True, timeout=120
        )
        layout = layout_json(forms[config])
        assert _template(layout, out) == _template(layout, recalculated[name]), name
