"""What a rule checks: one kind of check, on both sides of the form.

A kind says, for a rule applied to a place (`rules.Bound`: the field it points at, the
other fields it reads, its parameters):
- `passes`: the pandas check over a stacked frame of every file's records (or over one
  column of it), True where the record passes (the pandera convention); None when the
  pipeline checks it while the file is read (`extract.py`);
- `excel`: a spreadsheet expression that is TRUE where the row violates the rule, in English
  function names with comma separators (what the xlsx format stores, ECMA-376 Part 1,
  §18.17; Excel and LibreOffice both read it), for the template's live checks;
- `facts`: the values that fill the rule's Vietnamese message for one failing record.

Kinds know nothing of rule codes or texts (`rules.py` has them) nor of the form (the
bindings in `rules.py` put what a kind needs into the rule's parameters).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from .values import show

if TYPE_CHECKING:  # the kinds only call methods of the frames they are given: no pandas import
    import pandas as pd

EXCEL_EPOCH = dt.date(1899, 12, 30)  # day 0 of the 1900 date system (ECMA-376 Part 1, §18.17.4.1)


class Bound(Protocol):
    """A rule applied to a place (`rules.Bound`), as a kind sees it."""

    field: str
    others: tuple[str, ...]
    params: Mapping[str, Any]

    @property
    def fields(self) -> tuple[str, ...]: ...


Facts = dict[str, Any]
Record = dict[str, Any]  # one failing record, its values plain Python ("" when missing)


@dataclass(frozen=True)
class XlRow:
    """Where a rule is evaluated in a sheet: the row, the first data row, field -> column."""

    row: int
    first_row: int
    columns: dict[str, str]
    lists: dict[str, str]  # key field -> defined name of its list

    def ref(self, key: str) -> str:
        return f"{self.columns[key]}{self.row}"


@dataclass(frozen=True)
class Kind:
    """One kind of check (see the module docstring).

    `per_cell`: `passes` takes the field's column (a pandera column check) rather than the
    whole frame. `row_wide`: the check reads several cells of a row, so a row where the
    reader already flagged a cell says nothing useful and is skipped."""

    name: str
    passes: Callable[[Bound, Any], pd.Series] | None
    excel: Callable[[Bound, XlRow], str] | None
    facts: Callable[[Bound, Record, pd.DataFrame], Facts]
    per_cell: bool = False
    row_wide: bool = False


def _value(b: Bound, row: Record, _frame: pd.DataFrame) -> Facts:
    """The facts every message may use: the field's value as shown, and the rule's parameters."""
    return {**b.params, "value": show(row.get(b.field))}


def _named(b: Bound, row: Record, key: str) -> str:
    code = row.get(key)
    return b.params["item_names"].get(key, {}).get(code, str(code))


# ----- per-cell kinds ---------------------------------------------------------------------
def _in_list_facts(b: Bound, row: Record, frame: pd.DataFrame) -> Facts:
    near = b.params.get("near")
    return {**_value(b, row, frame), "near": near(str(row.get(b.field))) if near else ""}


IN_LIST = Kind(
    "in_list",
    lambda b, s: s.isin(b.params["allowed"]),
    lambda b, at: f'AND({at.ref(b.field)}<>"",COUNTIF({at.lists[b.field]},{at.ref(b.field)})=0)',
    _in_list_facts,
    per_cell=True,
)
EQUALS = Kind(
    "equals",
    lambda b, s: s == b.params["expected"],
    None,
    lambda b, row, frame: {**_value(b, row, frame), "raw": row.get(b.field)},
    per_cell=True,
)
NEGATIVE = Kind(
    "negative",
    lambda b, s: s >= 0,
    lambda b, at: f"AND(ISNUMBER({at.ref(b.field)}),{at.ref(b.field)}<0)",
    _value,
    per_cell=True,
)
REQUIRED = Kind(
    "required", lambda b, s: s.notna(), lambda b, at: f'{at.ref(b.field)}=""', _value, per_cell=True
)
NOT_INTEGER = Kind(  # checked while reading (values.parse_int)
    "not_integer",
    None,
    lambda b, at: (
        f"OR(ISTEXT({at.ref(b.field)}),AND(ISNUMBER({at.ref(b.field)}),{at.ref(b.field)}<>INT({at.ref(b.field)})))"
    ),
    _value,
)
KEY_MISSING = Kind(  # checked while reading (extract.py)
    "key_missing",
    None,
    lambda b, at: f'AND({at.ref(b.field)}="",COUNT({",".join(at.ref(k) for k in b.others)})>0)',
    _value,
)


def _date_serial(b: Bound, s: pd.Series) -> pd.Series:
    first, last = b.params["serials"]
    return ~((s >= first) & (s <= last))


def _date_facts(b: Bound, row: Record, frame: pd.DataFrame) -> Facts:
    day = EXCEL_EPOCH + dt.timedelta(days=int(row[b.field]))
    return {**_value(b, row, frame), "day": f"{day:%d/%m/%Y}"}


def _phone(b: Bound, s: pd.Series) -> pd.Series:
    digits = s.astype("string")
    nine = (digits.str.len() == 9) & digits.str[0].isin(list("35789"))
    eleven = (digits.str.len() == 11) & digits.str.startswith("84")
    return ~(nine | eleven).fillna(False).astype(bool)


def _phone_facts(b: Bound, row: Record, frame: pd.DataFrame) -> Facts:
    digits = str(row[b.field])
    return {**_value(b, row, frame), "phone": f"0{digits[2:] if len(digits) == 11 else digits}"}


LOOKS_LIKE_DATE = Kind("date_serial", _date_serial, None, _date_facts, per_cell=True)
LOOKS_LIKE_PHONE = Kind("phone_number", _phone, None, _phone_facts, per_cell=True)


# ----- kinds over a row ---------------------------------------------------------------------
def _pair(op: Callable[[pd.Series, pd.Series], pd.Series]) -> Callable[[Bound, pd.DataFrame], pd.Series]:
    def check(b: Bound, df: pd.DataFrame) -> pd.Series:
        a, other = df[b.field], df[b.others[0]]
        skip = a.isna() | other.isna() | (a < 0) | (other < 0)
        return (skip | op(a, other)).fillna(True).astype(bool)

    return check


def _xl_pair(op: str) -> Callable[[Bound, XlRow], str]:
    def expr(b: Bound, at: XlRow) -> str:
        a, other = at.ref(b.field), at.ref(b.others[0])
        return f"AND(ISNUMBER({a}),ISNUMBER({other}),{a}{op}{other})"

    return expr


def _pair_facts(b: Bound, row: Record, frame: pd.DataFrame) -> Facts:
    return {**_value(b, row, frame), "other": show(row[b.others[0]])}


AT_MOST = Kind("at_most", _pair(lambda a, o: a <= o), _xl_pair(">"), _pair_facts, row_wide=True)
AT_LEAST = Kind("at_least", _pair(lambda a, o: a >= o), _xl_pair("<"), _pair_facts, row_wide=True)


def _xl_sum(at: XlRow, keys: tuple[str, ...]) -> str:
    return f"SUM({','.join(at.ref(k) for k in keys)})"


def _value_missing(b: Bound, df: pd.DataFrame) -> pd.Series:
    head, values = b.others[0], list(b.others[1:])
    total = df[values].fillna(0).sum(axis=1)
    return ~((df[head].fillna(0) > 0) & (total == 0))


VALUE_MISSING = Kind(
    "value_missing",
    _value_missing,
    lambda b, at: f"AND(N({at.ref(b.others[0])})>0,{_xl_sum(at, b.others[1:])}=0)",
    lambda b, row, frame: {**_value(b, row, frame), "head": show(row[b.others[0]])},
    row_wide=True,
)


def _children_missing(b: Bound, df: pd.DataFrame) -> pd.Series:
    total = df[list(b.others)].fillna(0).sum(axis=1)
    return ~((df[b.field].fillna(0) == 0) & (total > 0))


CHILDREN_MISSING = Kind(
    "children_missing",
    _children_missing,
    lambda b, at: f"AND(N({at.ref(b.field)})=0,{_xl_sum(at, b.others)}>0)",
    lambda b, row, frame: {
        **_value(b, row, frame),
        "total": show(sum(int(row[k] or 0) for k in b.others)),
    },
    row_wide=True,
)
OWN_REGION = Kind(
    "own_region",
    lambda b, df: (df["own_region"].isna() | (df[b.field] == df["own_region"])).astype(bool),
    lambda b, at: "FALSE",  # preset in the template
    lambda b, row, frame: {
        **_value(b, row, frame),
        "own": b.params["item_names"]["region"].get(row["own_region"], "?"),
        "named": _named(b, row, b.field),
    },
    row_wide=True,
)


def _duplicate(b: Bound, df: pd.DataFrame) -> pd.Series:
    return ~df.duplicated(["file_id", *b.fields], keep="first")


def _xl_duplicate(b: Bound, at: XlRow) -> str:
    parts = []
    for key in b.fields:
        col = at.columns[key]
        parts.append(f"{col}${at.first_row}:{col}{at.row},{col}{at.row}")
    nonblank = ",".join(f'{at.ref(k)}<>""' for k in b.fields)
    return f"AND({nonblank},COUNTIFS({','.join(parts)})>1)"


def _duplicate_facts(b: Bound, row: Record, frame: pd.DataFrame) -> Facts:
    keys = list(b.params["keys"])
    same = frame["file_id"] == row["file_id"]
    for k in keys:
        same &= frame[k] == row[k]
    return {
        **_value(b, row, frame),
        "keys": " - ".join(_named(b, row, k) for k in keys),
        "first_row": int(frame.loc[same, "row"].min()),
    }


DUPLICATE = Kind("duplicate", _duplicate, _xl_duplicate, _duplicate_facts)


def _frame_rule(
    check: Callable[[Bound, pd.DataFrame], pd.Series],
    facts: Callable[[Bound, Record, pd.DataFrame], Facts] = _value,
    *,
    row_wide: bool = False,
) -> Kind:
    """A kind over a whole record that only the pipeline checks (no live-check formula)."""
    return Kind(check.__name__.strip("_"), check, None, facts, row_wide=row_wide)


def _within(b: Bound, df: pd.DataFrame) -> pd.Series:
    """The field is at most the other one, unless the other is 0 (nothing declared)."""
    other = df[b.others[0]]
    return (other == 0) | (df[b.field] <= other)


def _within_facts(b: Bound, row: Record, frame: pd.DataFrame) -> Facts:
    return {**_value(b, row, frame), "other": show(row[b.others[0]])}


WITHIN = _frame_rule(_within, _within_facts)


def _name_matches(b: Bound, df: pd.DataFrame) -> pd.Series:
    """The typed unit name is the registry's for the code, or close to it (read as it)."""
    norm, close = b.params["norm"], b.params["close"]
    known = df["unit_code"].map(b.params["normalized"])
    given = df["unit_name"].map(lambda v: norm(v) if isinstance(v, str) else v)
    near = df["unit_code"].combine(df["unit_name"], lambda c, g: close(c, g) is not None)
    return (known.isna() | given.isna() | (known == given) | near).astype(bool)


NAME_MATCHES = _frame_rule(
    _name_matches,
    lambda b, row, frame: {
        **_value(b, row, frame),
        "code": row.get("unit_code"),
        "registered": b.params["unit_names"].get(row.get("unit_code"), "?"),
    },
    row_wide=True,
)


def _read_as(b: Bound, df: pd.DataFrame) -> pd.Series:
    """The typed name is not read as a listed one it is close to."""
    close = b.params["close"]
    return df[b.others[0]].combine(df[b.field], lambda code, typed: close(code, typed) is None).astype(bool)


READ_AS = Kind(
    "read_as",
    _read_as,
    None,
    lambda b, row, frame: {
        **_value(b, row, frame),
        "typed": row[b.field],
        "name": b.params["close"](row[b.others[0]], row[b.field]),
    },
)


# ----- plausibility ---------------------------------------------------------------------------
def _bounds_of(b: Bound, category: Any) -> tuple[int | None, int | None]:
    return b.params["by_category"].get(category, (b.params["low"], b.params["high"]))


def _bounded(b: Bound, df: pd.DataFrame) -> pd.Series:
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
        **_value(b, row, frame),
        "what": what,
        "word": p["over" if over else "under"],
        "limit": _with_unit(high if over else low, p["unit"]),
        "found": num,
    }


BOUNDED = Kind("bounded", _bounded, None, _bounded_facts)


def _versus_last_year(b: Bound, df: pd.DataFrame) -> pd.Series:
    """This year's figure is within `factor` times last year's either way (figures below the
    floor on both sides, and figures without last year's, are not judged)."""
    now, before = df[b.field], df[b.others[0]]
    factor, floor = b.params["factor"], b.params["floor"]
    small = (now < floor) & (before < floor)
    far = (now > factor * before) | (now * factor < before)
    return (before.isna() | (before == 0) | small | ~far).fillna(True).astype(bool)


def _versus_facts(b: Bound, row: Record, frame: pd.DataFrame) -> Facts:
    now, before = row[b.field], row[b.others[0]]
    return {
        **_value(b, row, frame),
        "Name": b.params["measure_names"][row["measure"]].capitalize(),
        "category": b.params["category_names"].get(row["category"], row["category"]),
        "before": show(before),
        "ratio": f"{now / before:.1f}".replace(".", ","),
    }


VERSUS_LAST_YEAR = Kind("versus_last_year", _versus_last_year, None, _versus_facts)


def _declare_facts(b: Bound, row: Record, frame: pd.DataFrame) -> Facts:
    return {**_value(b, row, frame), "cell": b.params["cells"][row["block"]], "found": ""}


NOT_EMPTY = Kind(  # a block has a figure, or the unit declared it has none (or its sheet has findings)
    "not_empty",
    lambda b, df: (df["has_rows"] | df["declared"] | df["touched"]).astype(bool),
    None,
    _declare_facts,
)
DECLARED_EMPTY = Kind(  # a block declared empty has no figure
    "declared_empty", lambda b, df: ~(df["has_rows"] & df["declared"]).astype(bool), None, _declare_facts
)


# ----- dates and senders (how the file came) ---------------------------------------------------
def _known(value: Any) -> bool:
    return value is not None and value == value and value != ""


def _not_after(b: Bound, df: pd.DataFrame) -> pd.Series:
    """The field is not after the first other field, unless it is after one of the others
    (which another rule reports); unknown values are not judged."""

    def ok(rec: Any) -> bool:
        typed, limit = rec[b.field], rec[b.others[0]]
        if not (_known(typed) and _known(limit)) or typed <= limit:
            return True
        return any(_known(rec[o]) and typed > rec[o] for o in b.others[1:])

    return df.apply(ok, axis=1).astype(bool)


def _not_before(b: Bound, df: pd.DataFrame) -> pd.Series:
    start = b.params["start"]
    return df[b.field].map(lambda typed: not _known(typed) or typed >= start).astype(bool)


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


NOT_AFTER = Kind("not_after", _not_after, None, _date_message_facts)
NOT_BEFORE = Kind("not_before", _not_before, None, _date_message_facts)


def _listed(b: Bound, df: pd.DataFrame) -> pd.Series:
    """The field's value is in the record's list (others[0]); no value or no list: not judged."""
    return df[b.field].combine(df[b.others[0]], lambda v, listed: not _known(v) or not listed or v in listed)


LISTED = Kind(
    "listed",
    lambda b, df: _listed(b, df).astype(bool),
    None,
    lambda b, row, frame: {
        **row,
        **_value(b, row, frame),
        "raw": row[b.field],
        "listed": ", ".join(row[b.others[0]]),
    },
)
