"""Issue #11: each threshold of a warning rule at, just below and just above its limit.

- support against resources: a file whose support (value measures of the results) exceeds
  its resources gets SUPPORT_EXCEEDS_RESOURCES; support equal to resources does not;
- plausibility against last year (`[plausibility]` factor and floor of the form): a figure
  more than `factor` times, or less than 1/`factor` of, last year's is a warning when either
  figure is at least `floor`; exactly `factor` times is not, nor is anything below the floor.

Files are real templates filled through the form JSON and consolidated with `run`; last
year's consolidation is a real run of last year's form into the same outbox.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pipeline.app import consolidate_into
from pipeline.filler import fill
from pipeline.form import Form, layout_json, load_form
from pipeline.render.template import write_template
from pipeline.run.consolidate import run
from pipeline.run.result import UnitStatus
from pipeline.samples import valid_data

FORM = load_form()
RES, SRC = FORM.blocks["results"], FORM.blocks["resources"]
DISTRICTS = [u for u in FORM.units if u.region]
FACTOR = FORM.plausibility["factor"]
FLOOR = FORM.plausibility["floor"]


def results_row(form: Form, category: str, headcount: int, support: int | None) -> dict[str, Any]:
    """One results row from the form's measures: the headcount, the measures bounded by it at
    their bound's edge (at_most: 0, at_least: equal), `support` in the first value measure."""
    block = form.blocks["results"]
    row: dict[str, Any] = {"category": category}
    for m in block.measures:
        if m.key == block.headcount:
            row[m.key] = headcount
        elif m.at_most:
            row[m.key] = 0
        elif m.at_least:
            row[m.key] = headcount
        elif m.value:
            row[m.key] = support if m.key == block.value_measures[0] else None
    return row


def codes_of(report, name: str) -> list[str]:
    [rec] = [r for r in report.files if r.parsed.name == name]
    return sorted(f.code for f in rec.parsed.findings)


# ----- support against resources ----------------------------------------------------------------
SUPPORT = 3_000_000
# resources -> whether the file is warned
SUPPORT_CASES = {
    "resources-just-below-support": (SUPPORT - 1, True),
    "resources-equal-to-support": (SUPPORT, False),
    "resources-just-above-support": (SUPPORT + 1, False),
}


def test_support_against_resources_at_just_below_and_just_above(make_file):
    def controlled(resources: int):
        def mutate(data: dict[str, Any]) -> None:
            data["results"] = [results_row(FORM, FORM.categories[0].code, 100, SUPPORT)]
            first = SRC.measures[0].key
            data["resources"] = {FORM.sources[0].code: {first: resources}}

        return mutate

    names = {}
    for unit, (case, (resources, _)) in zip(DISTRICTS, SUPPORT_CASES.items(), strict=False):
        path, _ = make_file(unit.code, controlled(resources), name=f"{case}.xlsx")
        names[case] = path.name
    report = run(FORM, path.parent, path.parent.parent / "out", show_progress=False)
    got = {case: codes_of(report, names[case]) for case in SUPPORT_CASES}
    assert got == {
        case: ["SUPPORT_EXCEEDS_RESOURCES"] if warned else [] for case, (_, warned) in SUPPORT_CASES.items()
    }
    assert report.count(UnitStatus.ACCEPTED) == len(SUPPORT_CASES)


# ----- plausibility against last year ------------------------------------------------------------
@dataclass(frozen=True)
class Plausible:
    id: str
    before: int  # last year's figure
    now: int  # this year's figure
    warned: bool


def plausibility_cases(factor: int, floor: int) -> list[Plausible]:
    assert floor - 1 > factor, "the floor cases need a jump larger than the factor below the floor"
    b = floor  # large enough for the factor alone to decide
    return [
        Plausible("rise-at-factor", b, factor * b, False),
        Plausible("rise-just-above-factor", b, factor * b + 1, True),
        Plausible("rise-just-below-factor", b, factor * b - 1, False),
        Plausible("fall-at-factor", factor * b, b, False),
        Plausible("fall-just-above-factor", factor * b + 1, b, True),
        Plausible("fall-just-below-factor", factor * b - 1, b, False),
        Plausible("rise-to-floor", 1, floor, True),
        Plausible("rise-to-just-below-floor", 1, floor - 1, False),
        Plausible("rise-to-just-above-floor", 1, floor + 1, True),
        Plausible("fall-from-floor", floor, 1, True),
        Plausible("fall-from-just-below-floor", floor - 1, 1, False),
        Plausible("fall-from-just-above-floor", floor + 1, 1, True),
    ]


CASES = plausibility_cases(FACTOR, FLOOR)


def _placed(form: Form) -> list[tuple[Plausible, str, str]]:
    """Each case in its own (district, category): one results row of its own."""
    slots = [(u.code, c.code) for u in DISTRICTS for c in form.categories]
    assert len(slots) >= len(CASES)
    return [(case, *slot) for case, slot in zip(CASES, slots, strict=False)]


def _fill_year(form: Form, folder: Path, templates: Path, when: str) -> list[str]:
    layout = layout_json(form)
    by_unit: dict[str, list[dict[str, Any]]] = {}
    for case, unit, cat in _placed(form):
        figure = case.before if when == "before" else case.now
        by_unit.setdefault(unit, []).append(results_row(form, cat, figure, None))
    for unit, rows in by_unit.items():
        data = valid_data(form, unit, random.Random(unit), layout)
        data["results"] = rows
        template = write_template(form, form.units_by_code[unit], templates)
        fill(template, folder / f"{unit}.xlsx", layout, unit, data)
    return sorted(by_unit)


@pytest.fixture(scope="module")
def plausibility_report(tmp_path_factory):
    base = tmp_path_factory.mktemp("plausibility")
    prev = load_form(overrides={"period": {"year": FORM.year - 1}})
    units = _fill_year(prev, base / "inbox-prev", base / "templates-prev", "before")
    prev_report = consolidate_into(prev, base / "inbox-prev", base / "out", show_progress=False)
    assert prev_report.count(UnitStatus.ACCEPTED) == len(units)
    _fill_year(FORM, base / "inbox", base / "templates", "now")
    report = run(FORM, base / "inbox", base / "out", show_progress=False)
    assert report.history.previous_year == prev.year
    assert report.count(UnitStatus.ACCEPTED) == len(units)
    return report


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_plausibility_factor_and_floor_at_just_below_and_just_above(plausibility_report, case):
    placed = {c.id: (unit, cat) for c, unit, cat in _placed(FORM)}
    unit, cat = placed[case.id]
    # the cells carrying the case's figure: the headcount and the measure bounded below by it
    cells = {
        c["cell"]
        for c in layout_json(FORM)["layouts"]["fixed_region"]["cells"]
        if c["block"] == "results" and c["category"] == cat and c["measure"] in {RES.headcount, RES.turns}
    }
    assert len(cells) == 2
    [rec] = [r for r in plausibility_report.files if r.parsed.name == f"{unit}.xlsx"]
    flagged = {f.cell for f in rec.parsed.findings if f.code == "OUTLIER_LAST_YEAR" and f.cell in cells}
    assert flagged == (cells if case.warned else set()), (
        f"{case.id}: last year {case.before}, this year {case.now} (factor {FACTOR}, floor {FLOOR})"
    )


def test_plausibility_flags_nothing_else(plausibility_report):
    """Two cells (the headcount and the turns) per warned case, and no other warning of its kind."""
    flagged = [f for f in plausibility_report.findings if f.code == "OUTLIER_LAST_YEAR"]
    assert len(flagged) == 2 * sum(c.warned for c in CASES)
