"""Issue #13: plausibility without history, table-driven. Bounds come from the shipped
configuration (`[plausibility]` of schemas/kien-giang.toml), read here, never repeated."""

from __future__ import annotations

import pytest

from pipeline.check.plausible import _parse, bounds, lookalike_rules
from pipeline.form import FormError, load_form
from pipeline.rules.schema import broken
from pipeline.run.consolidate import check_files

FORM = load_form()
RES = FORM.blocks["results"]
B = bounds(FORM)
VALUE = next(r for r in B.ratios if r.key == "value_per_child")
TURNS = next(r for r in B.ratios if r.key == "turns_per_child")
CHILDREN_MAX = next(high for m, _, _, high in B.unit_totals if m == "children")


def looks_like(form, value: int) -> tuple[str, str] | None:
    """(rule code, message) when a count looks like a date serial or a phone number, else None."""
    hits = broken({"value": value}, lookalike_rules(form, "value", "Số", "hãy kiểm tra lại"))
    return hits[0] if hits else None


LOOKALIKES = [
    (46361, "LOOKS_LIKE_DATE", "05/12/2026"),  # "12/5" in LibreOffice, US order
    (45992, "LOOKS_LIKE_DATE", "01/12/2025"),  # "1/12" in a Vietnamese locale
    (46752, "LOOKS_LIKE_DATE", "31/12/2027"),  # last day of the window (year + 2)
    (46753, None, None),
    (600, None, None),
    (912345678, "LOOKS_LIKE_PHONE", "0912345678"),
    (84912345678, "LOOKS_LIKE_PHONE", "0912345678"),
    (123456789, None, None),  # no mobile number starts with 1
    (1_000_000, None, None),
]


@pytest.mark.parametrize(("value", "code", "shown"), LOOKALIKES, ids=[str(v[0]) for v in LOOKALIKES])
def test_count_that_looks_like_something_else(value, code, shown):
    hit = looks_like(FORM, value)
    if code is None:
        assert hit is None
    else:
        assert hit is not None and hit[0] == code and shown in hit[1]


def _row(category: str, children: int, value: int, turns: int | None = None) -> dict:
    return {
        "region": "903",
        "category": category,
        "children": children,
        "girls": 0,
        "ethnic": 0,
        "turns": turns if turns is not None else children,
        "cash": value,
        "in_kind": 0,
    }


# (id, rows of district 903, expected (code, cell column) findings)
RATIOS = [
    ("value-ok", [_row("DOAM", 10, 10 * 500_000)], []),
    ("value-high", [_row("DOAM", 10, 10 * (VALUE.high + 1))], [("IMPLAUSIBLE_VALUE", "cash")]),
    ("value-high-for-default-ok-for-kcb", [_row("KCB", 10, 10 * (VALUE.high + 1))], []),
    (
        "value-high-even-for-kcb",
        [_row("KCB", 10, 10 * (VALUE.bounds("KCB")[1] + 1))],
        [("IMPLAUSIBLE_VALUE", "cash")],
    ),
    ("value-low", [_row("DOAM", 100, 100 * VALUE.low - 1)], [("IMPLAUSIBLE_VALUE", "cash")]),
    (
        "turns-high",
        [_row("DOAM", 2, 2 * 100_000, turns=2 * TURNS.high + 2)],
        [("IMPLAUSIBLE_VALUE", "turns")],
    ),
    (
        "unit-children-high",
        [_row(c, CHILDREN_MAX // 3 + 1, (CHILDREN_MAX // 3 + 1) * 100_000) for c in ("KCB", "HT", "DOAM")],
        [("IMPLAUSIBLE_VALUE", "children")],
    ),
]


@pytest.mark.parametrize(("rows", "expected"), [r[1:] for r in RATIOS], ids=[r[0] for r in RATIOS])
def test_bounds_per_category_and_unit(rows, expected, make_file):
    def mutate(data):
        data["results"] = rows
        big = 10**15
        data["resources"] = {FORM.sources[0].code: {"cash": big, "in_kind": 0}}

    path, _ = make_file("903", mutate)
    (parsed,) = check_files(FORM, [path])
    got = [(f.code, f.cell.rstrip("0123456789")) for f in parsed.findings]
    assert got == [(code, RES.measure_column(measure)) for code, measure in expected], parsed.findings
    assert all(f.severity == "warning" for f in parsed.findings)


def test_unknown_measure_in_the_bounds_is_a_configuration_error():
    raw = {"ratios": [{"key": "x", "label": "x", "numerator": ["nope"], "denominator": "children"}]}
    with pytest.raises(FormError, match="nope"):
        _parse(raw, RES)


def test_date_serial_typed_into_a_results_count_names_the_cell(make_file):
    """The issue's case: 230 children, then "12/5" typed over it in LibreOffice (46361)."""

    def mutate(data):
        data["results"] = [_row("DOAM", 46361, 46361 * 100_000, turns=50_000)]

    path, _ = make_file("903", mutate)
    (parsed,) = check_files(FORM, [path])
    cell = (
        f"{RES.measure_column('children')}{RES.first_row + [c.code for c in FORM.categories].index('DOAM')}"
    )
    hit = next(f for f in parsed.findings if f.code == "LOOKS_LIKE_DATE")
    assert hit.cell == cell and "05/12/2026" in hit.message and hit.severity == "warning"


@pytest.mark.parametrize("block", ["resources", "needs", "results"])
def test_date_serial_typed_into_an_amount_names_the_cell(block, make_file):
    """brk35 F6: "05/12/2025" typed into an amount whose format is a number's is the date's
    serial (46.000 đồng), read as money in silence; now a warning at its cell on every sheet."""
    serial = 46000  # 09/12/2025
    target = FORM.blocks[block]
    money = next(m.key for m in target.measures if m.type == "money")

    def mutate(data):
        if block == "results":
            data[block] = [_row("DOAM", 10, serial)]
        else:
            first = next(iter(data[block]))
            data[block][first][money] = serial

    path, _ = make_file("903", mutate)
    (parsed,) = check_files(FORM, [path])
    (hit,) = [f for f in parsed.findings if f.code == "LOOKS_LIKE_DATE"]
    assert hit.sheet == target.sheet and hit.cell.rstrip("0123456789") == target.measure_column(money)
    assert "46.000" in hit.message and "09/12/2025" in hit.message and "số tiền" in hit.message
    assert hit.severity == "warning"


def test_an_amount_just_outside_the_date_window_is_money():
    """The window's bounds are the counts' (`date_years` around the form's year), no wider."""
    from pipeline.check.plausible import block_lookalike_rules

    rules = block_lookalike_rules(FORM, FORM.blocks["resources"])
    first, last = rules[0].params["serials"]
    for value, hit in ((first - 1, False), (first, True), (last, True), (last + 1, False)):
        assert bool(broken({"cash": value}, rules[:1])) == hit, value


@pytest.mark.parametrize(
    ("value", "code", "shown"),
    [(46154, "LOOKS_LIKE_DATE", "12/05/2026"), (912345678, "LOOKS_LIKE_PHONE", "0912345678")],
)
def test_a_count_of_the_needs_that_looks_like_a_date_or_a_phone_is_told(value, code, shown, make_file):
    """brk39 F4: "12/5" typed into the needs' count of children (46.154 children needing
    support in one commune) was read in silence: the look-alikes were the results' alone."""
    needs = FORM.blocks["needs"]
    count = next(m.key for m in needs.measures if m.type == "count")

    def mutate(data):
        first = next(iter(data["needs"]))
        data["needs"][first][count] = value

    path, _ = make_file("903", mutate)
    (parsed,) = check_files(FORM, [path])
    (hit,) = [f for f in parsed.findings if f.code == code]
    assert hit.sheet == needs.sheet and hit.cell == f"{needs.measure_column(count)}{needs.first_row}"
    assert shown in hit.message and hit.severity == "warning"
