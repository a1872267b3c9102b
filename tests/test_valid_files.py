"""Issue #11: a valid filled template is always accepted, with no finding at all.

A hypothesis property over files that satisfy every rule, with figures drawn at the edges the
rules allow: zero, the form's largest number, "in which" measures equal to their total or
blank, turns equal to children, support equal to resources, texts of the longest length
allowed, every free row used or none (a block with no figure declared empty), numbers typed
as text. A rule made stricter than the form
says (or a limit that refuses what it should let in) fails this property; the only findings
such a file may get are the warning for a number typed as text and the plausibility warnings
(figures that satisfy every rule but look unlikely).

The bounds come from the form definition (`at_most`, `at_least`, value measures,
`[limits]`), so the property follows the form rather than restating it.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from pipeline.check.arrival import EARLY_WINDOW_DAYS
from pipeline.filler import date_value, fill
from pipeline.form import load_form
from pipeline.rules.bind import MONEY_MINIMUM
from pipeline.run.consolidate import run
from pipeline.run.result import FileStatus, UnitStatus

from .conftest import template_for

FORM = load_form()
RES, SRC, NEEDS = (FORM.blocks[k] for k in ("results", "resources", "needs"))
MAX = FORM.limits.max_number
MAX_TEXT = FORM.limits.max_text_chars
# money per results cell stays far enough below MAX that the resources can always cover the
# support (every results row's value in one resources cell at most MAX)
MONEY = MAX // (2 * RES.free_rows * len(RES.value_measures))
MONEY_FLOOR = MONEY_MINIMUM
LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
TEXT_TYPED = "NUMBER_FROM_TEXT"
# warnings about figures that satisfy every rule but look unlikely (drawn at the edges, they may)
PLAUSIBILITY = {"IMPLAUSIBLE_VALUE", "LOOKS_LIKE_DATE", "LOOKS_LIKE_PHONE"}

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def edgy(low: int, high: int) -> st.SearchStrategy[int]:
    """An integer in [low, high], often one of the two edges."""
    return st.one_of(st.sampled_from([low, high]), st.integers(low, high))


def money(low: int, high: int) -> st.SearchStrategy[int]:
    """An amount of đồng in [low, high] that a support can be: 0, or at least the rule's
    floor (MONEY_TOO_SMALL: 1 to 999 đồng is a dot-thousands entry read wrong)."""
    floor = max(low, MONEY_FLOOR)
    return (st.just(0) if low == 0 else st.nothing()) | edgy(floor, high)


def amount(m, low: int, high: int) -> st.SearchStrategy[int]:
    """A valid figure of measure `m`: money as `money`, counts as `edgy`."""
    return money(low, high) if m.type == "money" else edgy(low, high)


def words(max_size: int) -> st.SearchStrategy[str]:
    """Vietnamese-looking text that reads back as typed (single spaces, no edge spaces)."""
    word = st.text(alphabet=LETTERS + LETTERS.upper(), min_size=1, max_size=12)
    return st.lists(word, min_size=1, max_size=max_size).map(" ".join)


@st.composite
def long_text(draw: st.DrawFn) -> str | None:
    kind = draw(st.sampled_from(["blank", "short", "longest"]))
    if kind == "blank":
        return None
    if kind == "short":
        return draw(words(30))
    seed = draw(words(5)) + " "
    return (seed * (MAX_TEXT // len(seed) + 1))[: MAX_TEXT - 1] + "x"  # exactly the longest


@st.composite
def results_row(draw: st.DrawFn) -> dict[str, Any]:
    """One row satisfying every rule of the form's results measures (errors and warnings)."""
    row: dict[str, Any] = {}
    head = draw(edgy(0, MAX))
    for m in RES.measures:
        if m.key == RES.headcount:
            row[m.key] = head
        elif m.at_most:
            row[m.key] = draw(st.none() | edgy(0, row[m.at_most]))
        elif m.at_least:
            row[m.key] = draw(edgy(row[m.at_least], MAX))
        elif m.value:
            row[m.key] = 0 if head == 0 else draw(st.none() | money(0, MONEY))
        else:
            row[m.key] = draw(st.none() | amount(m, 0, MAX))
    values = RES.value_measures
    if head > 0 and not any(row[k] for k in values):  # children and no value: a warning
        row[values[0]] = draw(money(1, MONEY))
    return row


@st.composite
def valid_file(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    code = draw(st.sampled_from([u.code for u in FORM.units]))
    unit = FORM.units_by_code[code]
    if unit.region:
        cats = draw(st.lists(st.sampled_from([c.code for c in FORM.categories]), unique=True))
        keys = [(unit.region, c) for c in cats]
    else:
        pairs = [(r.code, c.code) for r in FORM.regions for c in FORM.categories]
        size = draw(st.sampled_from([0, 1, RES.free_rows]) | st.integers(0, RES.free_rows))
        keys = draw(st.lists(st.sampled_from(pairs), unique=True, min_size=size, max_size=size))
    rows = [{"region": r, "category": c, **draw(results_row())} for r, c in keys]
    support = sum(row[k] or 0 for row in rows for k in RES.value_measures)
    resources: dict[str, dict[str, int | None]]
    if draw(st.booleans()):  # resources exactly equal to the support, in one cell
        resources = {s.code: {} for s in FORM.sources}
        source = draw(st.sampled_from([s.code for s in FORM.sources]))
        resources[source][draw(st.sampled_from([m.key for m in SRC.measures]))] = support
    else:  # any resources, topped up to the support when short
        resources = {
            s.code: {m.key: draw(st.none() | amount(m, 0, MAX)) for m in SRC.measures} for s in FORM.sources
        }
        covered = sum(v or 0 for vals in resources.values() for v in vals.values())
        if covered < support:
            first = resources[FORM.sources[0].code]
            key = SRC.measures[0].key
            first[key] = max((first[key] or 0) + support - covered, MONEY_FLOOR)
            assert first[key] <= MAX
    needs = {
        c.code: {m.key: draw(st.none() | amount(m, 0, MAX)) for m in NEEDS.measures} for c in FORM.categories
    }
    # a report on the year is dated near its end; an early date no swap of day and month
    # could have made is valid too (one that could is DATE_MAYBE_SWAPPED: `check.arrival`)
    window = FORM.period.end - dt.timedelta(days=EARLY_WINDOW_DAYS)
    day = draw(
        st.dates(window, dt.date(FORM.year, 12, 31))
        | st.dates(dt.date(FORM.year, 1, 1), window).filter(lambda d: d.day > 12)
    )
    info = {
        "preparer": draw(words(6)),
        "phone": draw(st.none() | st.from_regex(r"0[0-9]{3} [0-9]{6}", fullmatch=True)),
        "report_date": draw(st.sampled_from([date_value(day), day.strftime("%d/%m/%Y")])),
        "activities": draw(st.none() | edgy(0, MAX)),
        **{f.key: draw(long_text()) for f in FORM.info_fields if f.type == "longtext"},
    }
    data = {"info": info, "results": rows, "resources": resources, "needs": needs}
    # a block with no figure at all is declared empty, as the template asks
    data["nothing_to_report"] = [
        key
        for key, block_rows in (
            ("results", rows),
            ("resources", resources.values()),
            ("needs", needs.values()),
        )
        if not any(
            v is not None for row in block_rows for k, v in row.items() if k not in ("region", "category")
        )
    ]
    return code, data


@st.composite
def typed_as_text(draw: st.DrawFn, data: dict[str, Any]) -> int:
    """Type some of the numbers as text with thousands separators; return how many."""
    n = 0
    sep = draw(st.sampled_from([".", " ", "\u00a0"]))
    for row in data["results"]:
        for k, v in row.items():
            if isinstance(v, int) and draw(st.booleans()):
                row[k] = f"{v:,}".replace(",", sep)
                n += 1
    return n


@SETTINGS
@given(case=valid_file(), text=st.booleans(), choice=st.data())
def test_a_valid_filled_template_is_accepted_without_findings(template_dir, layout, case, text, choice):
    code, data = case
    as_text = choice.draw(typed_as_text(data)) if text else 0
    with tempfile.TemporaryDirectory() as tmp:
        inbox = Path(tmp) / "inbox"
        fill(template_for(template_dir, FORM, code), inbox / f"{code}.xlsx", layout, code, data)
        report = run(FORM, inbox, Path(tmp) / "out", show_progress=False)
    [rec] = report.files
    found = [(f.code, f.sheet, f.cell, f.message) for f in rec.parsed.findings]
    note(f"{code}: {len(data['results'])} rows, {as_text} typed as text; findings {found}")
    assert [f for f in found if f[0] not in {TEXT_TYPED, *PLAUSIBILITY}] == []
    assert (TEXT_TYPED in {f[0] for f in found}) == bool(as_text)
    assert rec.status == (FileStatus.ACCEPTED_WARNINGS if found else FileStatus.ACCEPTED)
    assert report.count(UnitStatus.ACCEPTED) == 1
