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

Here: the `Kind` type, the kinds on one cell and on one row (most with a template formula).
The kinds over a record as a whole that only the pipeline checks: `recordkinds.py`.
Kinds know nothing of rule codes or texts (`rules.py` has them) nor of the form (the
bindings, `rulebind.py` and the modules that own a stack, put what a kind needs into the
rule's parameters).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ..text.values import show

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
    whole frame. `row_wide`: the check reads several cells of a row, so where the reader
    already flagged one of the cells it reads it says nothing useful and is skipped."""

    name: str
    passes: Callable[[Bound, Any], pd.Series] | None
    excel: Callable[[Bound, XlRow], str] | None
    facts: Callable[[Bound, Record, pd.DataFrame], Facts]
    per_cell: bool = False
    row_wide: bool = False


def value_facts(b: Bound, row: Record, _frame: pd.DataFrame) -> Facts:
    """The facts every message may use: the field's value as shown, and the rule's parameters."""
    return {**b.params, "value": show(row.get(b.field))}


def named(b: Bound, row: Record, key: str) -> str:
    code = row.get(key)
    return b.params["item_names"].get(key, {}).get(code, str(code))


# ----- per-cell kinds ---------------------------------------------------------------------
def _in_list_facts(b: Bound, row: Record, frame: pd.DataFrame) -> Facts:
    near = b.params.get("near")
    return {**value_facts(b, row, frame), "near": near(str(row.get(b.field))) if near else ""}


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
    lambda b, row, frame: {**value_facts(b, row, frame), "raw": row.get(b.field)},
    per_cell=True,
)
NEGATIVE = Kind(
    "negative",
    lambda b, s: s >= 0,
    lambda b, at: f"AND(ISNUMBER({at.ref(b.field)}),{at.ref(b.field)}<0)",
    value_facts,
    per_cell=True,
)
REQUIRED = Kind(
    "required",
    lambda b, s: s.notna(),
    lambda b, at: f'TRIM({at.ref(b.field)})=""',
    value_facts,
    per_cell=True,
)
NOT_INTEGER = Kind(  # checked while reading (values.parse_int)
    "not_integer",
    None,
    lambda b, at: (
        f"OR(ISTEXT({at.ref(b.field)}),AND(ISNUMBER({at.ref(b.field)}),{at.ref(b.field)}<>INT({at.ref(b.field)})))"
    ),
    value_facts,
)


def _below_facts(b: Bound, row: Record, frame: pd.DataFrame) -> Facts:
    """The amount as typed the Vietnamese way ("513.000") that a PC with US settings reads
    as the amount shown (513), and the number to type instead."""
    intended = int(row[b.field]) * 1000
    return {**value_facts(b, row, frame), "intended": show(intended), "plain": str(intended)}


def _xl_below(b: Bound, at: XlRow) -> str:
    a = at.ref(b.field)
    return f"AND(ISNUMBER({a}),{a}>0,{a}<{b.params['minimum']})"


BELOW_MINIMUM = Kind(  # a non-zero amount under `minimum`: "513.000" read as 513 (US settings)
    "below_minimum",
    lambda b, s: (s <= 0) | (s >= b.params["minimum"]),  # a negative is NUMBER_NEGATIVE
    _xl_below,
    _below_facts,
    per_cell=True,
)
KEY_MISSING = Kind(  # checked while reading (extract.py)
    "key_missing",
    None,
    lambda b, at: f'AND({at.ref(b.field)}="",COUNT({",".join(at.ref(k) for k in b.others)})>0)',
    value_facts,
)


def _date_serial(b: Bound, s: pd.Series) -> pd.Series:
    first, last = b.params["serials"]
    return ~((s >= first) & (s <= last))


def _date_facts(b: Bound, row: Record, frame: pd.DataFrame) -> Facts:
    day = EXCEL_EPOCH + dt.timedelta(days=int(row[b.field]))
    return {**value_facts(b, row, frame), "day": f"{day:%d/%m/%Y}"}


def _phone(b: Bound, s: pd.Series) -> pd.Series:
    digits = s.astype("string")
    nine = (digits.str.len() == 9) & digits.str[0].isin(list("35789"))
    eleven = (digits.str.len() == 11) & digits.str.startswith("84")
    return ~(nine | eleven).fillna(False).astype(bool)


def _phone_facts(b: Bound, row: Record, frame: pd.DataFrame) -> Facts:
    digits = str(row[b.field])
    return {**value_facts(b, row, frame), "phone": f"0{digits[2:] if len(digits) == 11 else digits}"}


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
    return {**value_facts(b, row, frame), "other": show(row[b.others[0]])}


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
    lambda b, at: f"AND(SUM({at.ref(b.others[0])})>0,{_xl_sum(at, b.others[1:])}=0)",
    lambda b, row, frame: {**value_facts(b, row, frame), "head": show(row[b.others[0]])},
    row_wide=True,
)


def _children_missing(b: Bound, df: pd.DataFrame) -> pd.Series:
    total = df[list(b.others)].fillna(0).sum(axis=1)
    return ~((df[b.field].fillna(0) == 0) & (total > 0))


CHILDREN_MISSING = Kind(
    "children_missing",
    _children_missing,
    lambda b, at: f"AND(SUM({at.ref(b.field)})=0,{_xl_sum(at, b.others)}>0)",
    lambda b, row, frame: {
        **value_facts(b, row, frame),
        "total": show(sum(int(row[k] or 0) for k in b.others)),
    },
    row_wide=True,
)
OWN_REGION = Kind(
    "own_region",
    lambda b, df: (df["own_region"].isna() | (df[b.field] == df["own_region"])).astype(bool),
    lambda b, at: "FALSE",  # preset in the template
    lambda b, row, frame: {
        **value_facts(b, row, frame),
        "own": b.params["item_names"]["region"].get(row["own_region"], "?"),
        "named": named(b, row, b.field),
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
        **value_facts(b, row, frame),
        "keys": " - ".join(named(b, row, k) for k in keys),
        "first_row": int(frame.loc[same, "row"].min()),
    }


DUPLICATE = Kind("duplicate", _duplicate, _xl_duplicate, _duplicate_facts)
