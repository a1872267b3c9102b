"""Kinds of check over a record as a whole: a file's totals, a row's plausibility, the report date.

A file's support against its resources, a unit name against the registry, plausibility
bounds, last year's figure, empty blocks, the typed report date against the arrival and
the sender against the unit's addresses. The `Kind` type and the kinds on one cell or one
row: `kinds.py`. Each kind's engines are named functions (`_within_pandas`,
`_within_facts`), its parameters declared (`needs`), as there.

Four of these the template checks live too, so they have a formula (`excel`, as in
`kinds.py`: TRUE where the record breaks the rule): the support against the resources
(`WITHIN`), the plausibility bounds (`BOUNDED`) and the report date against today and the
period (`NOT_AFTER`, `NOT_BEFORE`). Their `XlRow` gives each field as an expression of
what the pipeline reads (`render/livechecks.py`: the sum of a sheet's VALUE cells, a row's
VALUE cells, the date read as its serial number, TODAY()).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from ..text.values import show
from .kinds import EXCEL_EPOCH, Bound, Facts, Kind, Record, XlRow, value_facts

if TYPE_CHECKING:  # the kinds only call methods of the frames they are given: no pandas import
    import pandas as pd


def _within_pandas(b: Bound, df: pd.DataFrame) -> pd.Series:
    """The field is at most the other one, unless the other is 0 (nothing declared)."""
    other = df[b.others[0]]
    return (other == 0) | (df[b.field] <= other)


def _within_excel(b: Bound, at: XlRow) -> str:
    """`_within_pandas` in a formula."""
    a, other = at.ref(b.field), at.ref(b.others[0])
    return f"AND(ISNUMBER({a}),ISNUMBER({other}),{other}<>0,{a}>{other})"


def _within_facts(b: Bound, row: Record, frame: pd.DataFrame) -> Facts:
    return {**value_facts(b, row, frame), "other": show(row[b.others[0]])}


WITHIN = Kind("within", _within_pandas, _within_excel, _within_facts, gives=("value", "other"), others=1)


def _name_matches_pandas(b: Bound, df: pd.DataFrame) -> pd.Series:
    """The typed unit name is the registry's for the code, or close to it (read as it), or
    the name of an old commune whose land went to the unit (`nearest.former_unit_names`:
    told by UNIT_FORMER_NAME)."""
    norm, close, former = b.params["norm"], b.params["close"], b.params["former"]
    known = df["unit_code"].map(b.params["normalized"])
    given = df["unit_name"].map(lambda v: norm(v) if isinstance(v, str) else v)
    near = df["unit_code"].combine(
        df["unit_name"], lambda c, g: close(c, g) is not None or bool(former(c, g))
    )
    return (known.isna() | given.isna() | (known == given) | near).astype(bool)


def _name_matches_facts(b: Bound, row: Record, frame: pd.DataFrame) -> Facts:
    return {
        **value_facts(b, row, frame),
        "code": row.get("unit_code"),
        "registered": b.params["unit_names"].get(row.get("unit_code"), "?"),
        "elsewhere": b.params["elsewhere"](row.get("unit_code"), row.get(b.field)),
    }


NAME_MATCHES = Kind(  # over the record's unit_code and unit_name
    "name_matches",
    _name_matches_pandas,
    None,
    _name_matches_facts,
    row_wide=True,
    needs=("norm", "close", "former", "elsewhere", "normalized", "unit_names"),
    gives=("value", "code", "registered", "elsewhere"),
)


def _former_name_pandas(b: Bound, df: pd.DataFrame) -> pd.Series:
    """The typed unit name is not an old commune's that went to the unit (`former`)."""
    former = b.params["former"]
    return df[b.others[0]].combine(df[b.field], lambda code, typed: not former(code, typed)).astype(bool)


def _former_name_facts(b: Bound, row: Record, frame: pd.DataFrame) -> Facts:
    code = row.get(b.others[0])
    return {
        **value_facts(b, row, frame),
        "old": b.params["places"](b.params["former"](code, row.get(b.field))),
        "code": code,
        "registered": b.params["unit_names"].get(code, "?"),
    }


FORMER_NAME = Kind(  # over the record's unit_code and unit_name
    "former_name",
    _former_name_pandas,
    None,
    _former_name_facts,
    needs=("former", "places", "unit_names", "reform"),
    gives=("value", "old", "code", "registered"),
    others=1,
)


def _read_as_pandas(b: Bound, df: pd.DataFrame) -> pd.Series:
    """The typed name is not read as a listed one it is close to."""
    close = b.params["close"]
    return df[b.others[0]].combine(df[b.field], lambda code, typed: close(code, typed) is None).astype(bool)


def _read_as_facts(b: Bound, row: Record, frame: pd.DataFrame) -> Facts:
    return {
        **value_facts(b, row, frame),
        "typed": row[b.field],
        "name": b.params["close"](row[b.others[0]], row[b.field]),
    }


READ_AS = Kind(
    "read_as",
    _read_as_pandas,
    None,
    _read_as_facts,
    needs=("close",),
    gives=("value", "typed", "name"),
    others=1,
)


# ----- plausibility ---------------------------------------------------------------------------
def _bounds_of(b: Bound, category: Any) -> tuple[int | None, int | None]:
    return b.params["by_category"].get(category, (b.params["low"], b.params["high"]))


def _bounded_pandas(b: Bound, df: pd.DataFrame) -> pd.Series:
    """The sum of the numerator fields (over the denominator field, when there is one) lies
    within the bounds (per category when the record has one); a record without a figure, or
    with a negative one, or with no positive denominator is not judged."""
    parts = df[list(b.params["numerator"])]
    value = parts.fillna(0).sum(axis=1).astype("float64")
    skip = value == 0
    den = b.params["denominator"]
    if den:
        d = df[den].astype("float64")
        skip |= d.isna() | (d <= 0) | (parts < 0).fillna(False).any(axis=1)
        value = value / d
    cats = df["category"] if "category" in df else df["file_id"].map(lambda _: None)
    bounds = cats.map(lambda c: _bounds_of(b, c))
    low = bounds.map(lambda lh: float("nan") if lh[0] is None else lh[0])
    high = bounds.map(lambda lh: float("nan") if lh[1] is None else lh[1])
    within = (high.isna() | (value <= high)) & (low.isna() | (value >= low))
    return (skip | within).astype(bool)


# a side without a bound: a number no figure reaches (|value| <= max_number, 10^15 at most)
_NO_BOUND = ("-1E+300", "1E+300")


def _bound_excel(b: Bound, category: str | None, side: int) -> str:
    """The low (`side` 0) or high (1) bound of a record whose category's code is the
    expression `category` (None: the record has none), as `_bounds_of` picks it."""
    default = (b.params["low"], b.params["high"])[side]

    def number(limit: int | None) -> str:
        return _NO_BOUND[side] if limit is None else str(limit)

    out = number(default)
    if category is None:
        return out
    for code, pair in reversed(list(b.params["by_category"].items())):
        if pair[side] != default:
            out = f'IF({category}="{code}",{number(pair[side])},{out})'
    return out


def _bounded_excel(b: Bound, at: XlRow) -> str:
    """`_bounded_pandas` in a formula: the numerator fields summed (SUM adds what is a number:
    a field the pipeline could not read or left blank adds nothing, as its missing value
    does), over the denominator field; not judged where the sum is 0 or, with a denominator,
    where it is not a positive number or a part is negative (a part read by ISNUMBER: the
    functions the template keeps to, `tests/test_livechecks_text.py`). The bounds are the
    category's when the record has a "category" field: `at.ref("category")` is its code."""
    p = b.params
    parts = [at.ref(k) for k in p["numerator"]]
    num = f"SUM({','.join(parts)})"
    judged = [f"{num}<>0"]
    value = num
    if p["denominator"]:
        d = at.ref(p["denominator"])
        judged = [f"ISNUMBER({d})", *(f"IF(ISNUMBER({x}),{x}>=0,TRUE)" for x in parts), *judged]
        value = f"{num}/{d}"
        judged.insert(1, f"{d}>0")
    category = at.ref("category") if p["by_category"] else None
    low, high = (_bound_excel(b, category, side) for side in (0, 1))
    return f"IF(AND({','.join(judged)}),OR({value}>{high},{value}<{low}),FALSE)"


def _with_unit(value: float, unit: str) -> str:
    return f"{show(round(value))} {unit}".strip()


def _bounded_facts(b: Bound, row: Record, frame: pd.DataFrame) -> Facts:
    p = b.params
    num = sum(row[k] or 0 for k in p["numerator"])
    den = p["denominator"]
    value = num / row[den] if den else num
    low, high = _bounds_of(b, row.get("category"))
    over = high is not None and value > high
    what = f"{p['label'].capitalize()} là {_with_unit(value, p['unit'])}"
    if den:
        cells = "+".join(f"{p['columns'][k]}{row['row']}" for k in p["numerator"])
        category = p["category_names"].get(row.get("category", ""), "")
        what = (
            f"{p['label'].capitalize()} ({category}) là {_with_unit(value, p['unit'])} "
            f"(ô {cells} chia cho {p['den_name']} ở ô {p['columns'][den]}{row['row']})"
        )
    return {
        **value_facts(b, row, frame),
        "what": what,
        "word": p["over" if over else "under"],
        "limit": _with_unit(high if over else low, p["unit"]),
        "found": num,
    }


BOUNDED = Kind(  # den_name: needed only with a denominator
    "bounded",
    _bounded_pandas,
    _bounded_excel,
    _bounded_facts,
    needs=(
        "numerator",
        "denominator",
        "low",
        "high",
        "by_category",
        "label",
        "unit",
        "columns",
        "category_names",
        "over",
        "under",
    ),
    gives=("value", "what", "word", "limit", "found"),
)


def _versus_last_year_pandas(b: Bound, df: pd.DataFrame) -> pd.Series:
    """This year's figure is within `factor` times last year's either way (figures below the
    floor on both sides, and figures without last year's, are not judged)."""
    now, before = df[b.field], df[b.others[0]]
    factor, floor = b.params["factor"], b.params["floor"]
    small = (now < floor) & (before < floor)
    far = (now > factor * before) | (now * factor < before)
    return (before.isna() | (before == 0) | small | ~far).fillna(True).astype(bool)


def _versus_last_year_facts(b: Bound, row: Record, frame: pd.DataFrame) -> Facts:
    now, before = row[b.field], row[b.others[0]]
    return {
        **value_facts(b, row, frame),
        "Name": b.params["measure_names"][row["measure"]].capitalize(),
        "category": b.params["category_names"].get(row["category"], row["category"]),
        "before": show(before),
        "change": change_words(now, before),
    }


def change_words(now: float, before: float) -> str:
    """How `now` stands to `before` (> 0), in words: "gấp 10,0 lần" above it, "giảm 87%"
    below it (never "gấp 0,1 lần": brk32)."""
    if now >= before:
        return f"gấp {now / before:.1f} lần".replace(".", ",")
    if now == 0:
        return "giảm 100%"
    fall = (before - now) / before * 100
    return f"giảm {fall:.0f}%" if fall < 99.5 else "giảm hơn 99%"  # never a rounded "100%" above 0


VERSUS_LAST_YEAR = Kind(
    "versus_last_year",
    _versus_last_year_pandas,
    None,
    _versus_last_year_facts,
    needs=("factor", "floor", "measure_names", "category_names"),
    gives=("value", "Name", "category", "before", "change"),
    others=1,
)


def _not_empty_pandas(b: Bound, df: pd.DataFrame) -> pd.Series:
    return (df["has_rows"] | df["declared"] | df["touched"]).astype(bool)


def _declared_empty_pandas(b: Bound, df: pd.DataFrame) -> pd.Series:
    return ~(df["has_rows"] & df["declared"]).astype(bool)


def _declare_facts(b: Bound, row: Record, frame: pd.DataFrame) -> Facts:
    return {**value_facts(b, row, frame), "cell": b.params["cells"][row["block"]], "found": ""}


_DECLARE_GIVES = ("value", "cell", "found")
NOT_EMPTY = Kind(  # a block has a figure, or the unit declared it has none (or its sheet has findings)
    "not_empty", _not_empty_pandas, None, _declare_facts, needs=("cells",), gives=_DECLARE_GIVES
)
DECLARED_EMPTY = Kind(  # a block declared empty has no figure
    "declared_empty", _declared_empty_pandas, None, _declare_facts, needs=("cells",), gives=_DECLARE_GIVES
)


# ----- dates and senders (how the file came) ---------------------------------------------------
def _known(value: Any) -> bool:
    return value is not None and value == value and value != ""


def _not_after_pandas(b: Bound, df: pd.DataFrame) -> pd.Series:
    """The field is not after the first other field, unless it is after one of the others
    (which another rule reports); unknown values are not judged."""

    def ok(rec: Any) -> bool:
        typed, limit = rec[b.field], rec[b.others[0]]
        if not (_known(typed) and _known(limit)) or typed <= limit:
            return True
        return any(_known(rec[o]) and typed > rec[o] for o in b.others[1:])

    return df.apply(ok, axis=1).astype(bool)


def _not_before_pandas(b: Bound, df: pd.DataFrame) -> pd.Series:
    start = b.params["start"]
    return df[b.field].map(lambda typed: not _known(typed) or typed >= start).astype(bool)


def _not_after_excel(b: Bound, at: XlRow) -> str:
    """`_not_after_pandas` in a formula over dates as serial numbers ("" when unknown)."""
    typed, limit = at.ref(b.field), at.ref(b.others[0])
    out = f"AND(ISNUMBER({typed}),ISNUMBER({limit}),{typed}>{limit}"
    later = [f"AND(ISNUMBER({o}),{typed}>{o})" for o in map(at.ref, b.others[1:])]
    return out + (f",NOT(OR({','.join(later)})))" if later else ")")


def _not_before_excel(b: Bound, at: XlRow) -> str:
    """`_not_before_pandas` in a formula over the date as its serial number ("" when unknown)."""
    typed = at.ref(b.field)
    return f"AND(ISNUMBER({typed}),{typed}<{(b.params['start'] - EXCEL_EPOCH).days})"


def _date_message_facts(b: Bound, row: Record, frame: pd.DataFrame) -> Facts:
    typed, arrival, today = row[b.field], row.get("arrival"), row.get("today")
    latest = min(arrival, today) if _known(arrival) and _known(today) else (arrival or today)
    shown = {k: f"{v:%d/%m/%Y}" if _known(v) else "" for k, v in row.items() if k in ("arrival", "today")}
    return {
        **b.params,
        **shown,
        "typed": f"{typed:%d/%m/%Y}",
        "start": f"{b.params['start']:%d/%m/%Y}",
        "hint": b.params["hint"](typed, b.params["start"], latest),
        "found": f"{typed:%d/%m/%Y}",
    }


_DATE_GIVES = ("arrival", "today", "typed", "start", "hint", "found")  # no "value": dates are shown
NOT_AFTER = Kind(
    "not_after",
    _not_after_pandas,
    _not_after_excel,
    _date_message_facts,
    needs=("start", "hint"),
    gives=_DATE_GIVES,
    others=1,
)
NOT_BEFORE = Kind(
    "not_before",
    _not_before_pandas,
    _not_before_excel,
    _date_message_facts,
    needs=("start", "hint"),
    gives=_DATE_GIVES,
)


def swapped_date(typed: dt.date) -> dt.date | None:
    """`typed` with its day and month swapped (what a PC with US settings makes of a day
    typed day first), None when that is no other date."""
    if typed.day > 12 or typed.day == typed.month:
        return None
    return dt.date(typed.year, typed.day, typed.month)


def _swapped_early_pandas(b: Bound, df: pd.DataFrame) -> pd.Series:
    """The date is not long before the period's end (more than `window` days) while its day
    and month swapped give a date in the last `window` days of the period or after it, up
    to the earliest of the others known (today, the arrival): "05/12/2025" typed on a PC
    with US settings becomes 12 May, inside the period, and no other rule sees it (brk35
    F4). A date before the period's start is `NOT_BEFORE`'s; unknown values pass."""
    start, early = b.params["start"], b.params["end"] - dt.timedelta(days=b.params["window"])

    def ok(rec: Any) -> bool:
        typed = rec[b.field]
        if not _known(typed) or not start <= typed < early:
            return True
        swapped = swapped_date(typed)
        latest = [rec[o] for o in b.others if _known(rec[o])]
        return swapped is None or swapped < early or bool(latest) and swapped > min(latest)

    return df.apply(ok, axis=1).astype(bool)


def _swapped_early_excel(b: Bound, at: XlRow) -> str:
    """`_swapped_early_pandas` in a formula over the date as its serial number (DATE of its month as
    the day and its day as the month); the others known (TODAY()) bound it."""
    typed = at.ref(b.field)
    start = (b.params["start"] - EXCEL_EPOCH).days
    early = (b.params["end"] - dt.timedelta(days=b.params["window"]) - EXCEL_EPOCH).days
    swapped = f"DATE(YEAR({typed}),DAY({typed}),MONTH({typed}))"
    later = [f"AND(ISNUMBER({o}),{swapped}>{o})" for o in map(at.ref, b.others)]
    # IF, not AND, around it: AND evaluates every argument, and DAY of a text is #VALUE!
    return (
        f"IF(ISNUMBER({typed}),AND({typed}>={start},{typed}<{early},DAY({typed})<=12,"
        f"DAY({typed})<>MONTH({typed}),{swapped}>={early}"
        + (f",NOT(OR({','.join(later)}))" if later else "")
        + "),FALSE)"
    )


def _swapped_early_facts(b: Bound, row: Record, frame: pd.DataFrame) -> Facts:
    return {**_date_message_facts(b, row, frame), "end": f"{b.params['end']:%d/%m/%Y}"}


SWAPPED_EARLY = Kind(
    "swapped_early",
    _swapped_early_pandas,
    _swapped_early_excel,
    _swapped_early_facts,
    needs=("start", "end", "window", "hint"),
    gives=(*_DATE_GIVES, "end"),
    others=1,
)


def _listed_pandas(b: Bound, df: pd.DataFrame) -> pd.Series:
    """The field's value is in the record's list (others[0]); no value or no list: not judged."""
    listed = df[b.field].combine(df[b.others[0]], lambda v, items: not _known(v) or not items or v in items)
    return listed.astype(bool)


def _listed_facts(b: Bound, row: Record, frame: pd.DataFrame) -> Facts:
    return {**row, **value_facts(b, row, frame), "raw": row[b.field], "listed": ", ".join(row[b.others[0]])}


LISTED = Kind(  # its message may name any field of the record ("unit_name")
    "listed",
    _listed_pandas,
    None,
    _listed_facts,
    gives=("value", "raw", "listed"),
    others=1,
    from_record=True,
)
