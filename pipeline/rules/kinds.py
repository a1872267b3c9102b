"""What a rule checks: one kind of check, on both sides of the form.

A kind says, for a rule applied to a place (`rules.Bound`: the field it points at, the
other fields it reads, its parameters):
- `passes`: the pandas check over a stacked frame of every file's records (or over one
  column of it), True where the record passes (the pandera convention); None when the
  pipeline checks it while the file is read (`extract.py`);
- `excel`: a spreadsheet expression that is TRUE where the row violates the rule, in English
  function names with comma separators (what the xlsx format stores, ECMA-376 Part 1,
  §18.17; Excel and LibreOffice both read it), for the template's live checks;
- `facts`: the values that fill the rule's Vietnamese message for one failing record;
- `needs`: the parameters its engines read, and `others`: how many other fields at least.
  A rule's parameters (`catalogue.Rule.params`) are these and the placeholders of its texts
  that its facts do not give (`gives`), and are checked when the rule is bound.

Each engine is a named function (`_in_list_pandas`, `_in_list_excel`, `_in_list_facts`), so
a traceback, a profile and a reader name which kind and which side ran.

Here: the `Kind` type, the kinds on one cell and on one row (most with a template formula).
The kinds over a record as a whole (a file's totals, a row's plausibility, the report
date; the template checks four of them too): `recordkinds.py`.
Kinds know nothing of rule codes or texts (`catalogue.py` has them) nor of the form (the
bindings, `bind.py` and the modules that own a stack, put what a kind needs into the
rule's parameters).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from ..text.values import EXCEL_EPOCH, show

if TYPE_CHECKING:  # the kinds only call methods of the frames they are given: no pandas import
    import pandas as pd


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
    """Where a rule is evaluated in a sheet: the row, the first data row, field -> column.
    `fixed`: each cell read at the address the form gives it (INDIRECT of its address, on
    the sheet of the formula), as the reader reads it, never followed where a unit cut it or
    an inserted column pushed it (the information sheet, whose labels stay put meanwhile)."""

    row: int
    first_row: int
    columns: dict[str, str]
    lists: dict[str, str]  # key field -> defined name of its list
    fixed: bool = field(default=False, kw_only=True)

    def ref(self, key: str) -> str:
        cell = f"{self.columns[key]}{self.row}"
        return f'INDIRECT("{cell}")' if self.fixed else cell


@dataclass(frozen=True)
class Kind:
    """One kind of check (see the module docstring).

    `per_cell`: `passes` takes the field's column (a pandera column check) rather than the
    whole frame. `row_wide`: the check reads several cells of a row, so where the reader
    already flagged one of the cells it reads it says nothing useful and is skipped. `from_record`: its facts
    carry every field of the failing record too, so a message may name any of them."""

    name: str
    passes: Callable[[Bound, Any], pd.Series] | None
    excel: Callable[[Bound, XlRow], str] | None
    facts: Callable[[Bound, Record, pd.DataFrame], Facts]
    per_cell: bool = False
    row_wide: bool = False
    needs: tuple[str, ...] = ()  # parameters `passes`, `excel` or `facts` read (b.params[...])
    gives: tuple[str, ...] = ("value",)  # facts `facts` adds to the parameters for a message
    others: int = 0  # the fewest other fields it reads (b.others[0], …)
    from_record: bool = False


def value_facts(b: Bound, row: Record, _frame: pd.DataFrame) -> Facts:
    """The facts every message may use: the field's value as shown, and the rule's parameters."""
    return {**b.params, "value": show(row.get(b.field))}


def named(b: Bound, row: Record, key: str) -> str:
    """The name of the listed entry a record's `key` field holds (`item_names`), else its code."""
    code = row.get(key)
    return b.params["item_names"].get(key, {}).get(code, str(code))


# ----- per-cell kinds ---------------------------------------------------------------------
def _in_list_pandas(b: Bound, s: pd.Series) -> pd.Series:
    return s.isin(b.params["allowed"])


def _in_list_excel(b: Bound, at: XlRow) -> str:
    return f'AND({at.ref(b.field)}<>"",COUNTIF({at.lists[b.field]},{at.ref(b.field)})=0)'


def _in_list_facts(b: Bound, row: Record, frame: pd.DataFrame) -> Facts:
    near = b.params.get("near")  # optional: text typed -> "; có phải là 'A'?"
    return {**value_facts(b, row, frame), "near": near(str(row.get(b.field))) if near else ""}


IN_LIST = Kind(
    "in_list",
    _in_list_pandas,
    _in_list_excel,
    _in_list_facts,
    per_cell=True,
    needs=("allowed",),
    gives=("value", "near"),
)


def _equals_pandas(b: Bound, s: pd.Series) -> pd.Series:
    return s == b.params["expected"]


def _equals_facts(b: Bound, row: Record, frame: pd.DataFrame) -> Facts:
    return {**value_facts(b, row, frame), "raw": row.get(b.field)}


def _equals_excel(b: Bound, at: XlRow) -> str:
    a = at.ref(b.field)
    return f"AND(ISNUMBER({a}),{a}<>{b.params['expected']})"


EQUALS = Kind(
    "equals",
    _equals_pandas,
    _equals_excel,
    _equals_facts,
    per_cell=True,
    needs=("expected",),
    gives=("value", "raw"),
)


def _same_as_mark_excel(b: Bound, at: XlRow) -> str:
    a = at.ref(b.field)
    return f'AND(TRIM(""&{a})<>"",TRIM(""&{a})<>{b.params["mark"]})'


SAME_AS_MARK = Kind("same_as_mark", None, _same_as_mark_excel, value_facts, per_cell=True, needs=("mark",))
"""A cell the template fills in, against the value its hidden marker sheet keeps (`mark`: a
reference to that cell): the unit's code typed over once the sheet is unprotected. The
pipeline checks it while reading (`read.extract`), against the marker it reads."""


def _negative_pandas(b: Bound, s: pd.Series) -> pd.Series:
    return s >= 0


def _negative_excel(b: Bound, at: XlRow) -> str:
    return f"AND(ISNUMBER({at.ref(b.field)}),{at.ref(b.field)}<0)"


NEGATIVE = Kind("negative", _negative_pandas, _negative_excel, value_facts, per_cell=True)


def _required_pandas(b: Bound, s: pd.Series) -> pd.Series:
    return s.notna()


def _required_excel(b: Bound, at: XlRow) -> str:
    return f'TRIM({at.ref(b.field)})=""'


REQUIRED = Kind("required", _required_pandas, _required_excel, value_facts, per_cell=True)


def _not_integer_excel(b: Bound, at: XlRow) -> str:
    a = at.ref(b.field)
    return f"OR(ISTEXT({a}),AND(ISNUMBER({a}),{a}<>INT({a})))"


NOT_INTEGER = Kind("not_integer", None, _not_integer_excel, value_facts)  # read: values.parse_int


def _below_minimum_pandas(b: Bound, s: pd.Series) -> pd.Series:
    return (s <= 0) | (s >= b.params["minimum"])  # a negative is NUMBER_NEGATIVE


def _below_minimum_excel(b: Bound, at: XlRow) -> str:
    a = at.ref(b.field)
    return f"AND(ISNUMBER({a}),{a}>0,{a}<{b.params['minimum']})"


def _below_minimum_facts(b: Bound, row: Record, frame: pd.DataFrame) -> Facts:
    """The amount as typed the Vietnamese way ("513.000") that a PC with US settings reads
    as the amount shown (513), and the number to type instead."""
    intended = int(row[b.field]) * 1000
    return {**value_facts(b, row, frame), "intended": show(intended), "plain": str(intended)}


BELOW_MINIMUM = Kind(  # a non-zero amount under `minimum`: "513.000" read as 513 (US settings)
    "below_minimum",
    _below_minimum_pandas,
    _below_minimum_excel,
    _below_minimum_facts,
    per_cell=True,
    needs=("minimum",),
    gives=("value", "intended", "plain"),
)


def _key_missing_excel(b: Bound, at: XlRow) -> str:
    return f'AND({at.ref(b.field)}="",COUNT({",".join(at.ref(k) for k in b.others)})>0)'


KEY_MISSING = Kind("key_missing", None, _key_missing_excel, value_facts, others=1)  # read: extract.py


def _date_serial_pandas(b: Bound, s: pd.Series) -> pd.Series:
    first, last = b.params["serials"]
    return ~((s >= first) & (s <= last))


def _date_serial_facts(b: Bound, row: Record, frame: pd.DataFrame) -> Facts:
    day = EXCEL_EPOCH + dt.timedelta(days=int(row[b.field]))
    return {**value_facts(b, row, frame), "day": f"{day:%d/%m/%Y}"}


# a Vietnamese mobile number as a whole number holds it: nine digits after its 0, the first
# 3, 5, 7, 8 or 9; or eleven with the country code 84 first: [low, high) spans, which the
# template's live check reads too (`render.livechecks._lookalikes`)
MOBILE_SPANS = (
    (300_000_000, 400_000_000),
    (500_000_000, 600_000_000),
    (700_000_000, 1_000_000_000),
    (84_000_000_000, 85_000_000_000),
)


def _phone_number_pandas(b: Bound, s: pd.Series) -> pd.Series:
    spans = [(s >= low) & (s < high) for low, high in MOBILE_SPANS]  # numbers, as `_date_serial_pandas`
    mobile = spans[0]
    for within in spans[1:]:
        mobile = mobile | within
    return ~mobile.fillna(False).astype(bool)


def _phone_number_facts(b: Bound, row: Record, frame: pd.DataFrame) -> Facts:
    digits = str(row[b.field])
    return {**value_facts(b, row, frame), "phone": f"0{digits[2:] if len(digits) == 11 else digits}"}


LOOKS_LIKE_DATE = Kind(
    "date_serial",
    _date_serial_pandas,
    None,
    _date_serial_facts,
    per_cell=True,
    needs=("serials",),
    gives=("value", "day"),
)
LOOKS_LIKE_PHONE = Kind(
    "phone_number", _phone_number_pandas, None, _phone_number_facts, per_cell=True, gives=("value", "phone")
)


# ----- kinds over a row ---------------------------------------------------------------------
def _pair_skip(b: Bound, df: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """The field, the other field, and where either is missing or negative (not judged)."""
    a, other = df[b.field], df[b.others[0]]
    return a, other, a.isna() | other.isna() | (a < 0) | (other < 0)


def _at_most_pandas(b: Bound, df: pd.DataFrame) -> pd.Series:
    """A part ("trong đó": girls) at most its whole (children); a whole left blank is 0 to a
    part that is filled, so 100.000 girls of no children is the error it is, never a file
    accepted with more girls than children in its totals (issue #23)."""
    a, other = df[b.field], df[b.others[0]].fillna(0)
    skip = a.isna() | (a < 0) | (other < 0)
    return (skip | (a <= other)).fillna(True).astype(bool)


def _at_least_pandas(b: Bound, df: pd.DataFrame) -> pd.Series:
    a, other, skip = _pair_skip(b, df)
    return (skip | (a >= other)).fillna(True).astype(bool)


def _xl_pair(b: Bound, at: XlRow, op: str) -> str:
    a, other = at.ref(b.field), at.ref(b.others[0])
    return f"AND(ISNUMBER({a}),ISNUMBER({other}),{a}{op}{other})"


def _at_most_excel(b: Bound, at: XlRow) -> str:
    """`_at_most_pandas` in a formula: the whole's VALUE cell blank ("") is 0."""
    a, other = at.ref(b.field), at.ref(b.others[0])
    whole = f"IF(ISNUMBER({other}),{other},0)"
    return f"AND(ISNUMBER({a}),{a}>=0,{whole}>=0,{a}>{whole})"


def _at_least_excel(b: Bound, at: XlRow) -> str:
    return _xl_pair(b, at, "<")


def _pair_facts(b: Bound, row: Record, frame: pd.DataFrame) -> Facts:
    other = row[b.others[0]]
    return {
        **value_facts(b, row, frame),
        "other": "để trống" if other in (None, "") or other != other else show(other),  # blank, NaN
    }


AT_MOST = Kind(
    "at_most",
    _at_most_pandas,
    _at_most_excel,
    _pair_facts,
    row_wide=True,
    gives=("value", "other"),
    others=1,
)
AT_LEAST = Kind(
    "at_least",
    _at_least_pandas,
    _at_least_excel,
    _pair_facts,
    row_wide=True,
    gives=("value", "other"),
    others=1,
)


def _xl_sum(at: XlRow, keys: tuple[str, ...]) -> str:
    return f"SUM({','.join(at.ref(k) for k in keys)})"


def _value_missing_pandas(b: Bound, df: pd.DataFrame) -> pd.Series:
    head, values = b.others[0], list(b.others[1:])
    total = df[values].fillna(0).sum(axis=1)
    return ~((df[head].fillna(0) > 0) & (total == 0))


def _value_missing_excel(b: Bound, at: XlRow) -> str:
    return f"AND(SUM({at.ref(b.others[0])})>0,{_xl_sum(at, b.others[1:])}=0)"


def _value_missing_facts(b: Bound, row: Record, frame: pd.DataFrame) -> Facts:
    return {**value_facts(b, row, frame), "head": show(row[b.others[0]])}


VALUE_MISSING = Kind(  # others: the headcount, then the value measures
    "value_missing",
    _value_missing_pandas,
    _value_missing_excel,
    _value_missing_facts,
    row_wide=True,
    gives=("value", "head"),
    others=2,
)


def _children_missing_pandas(b: Bound, df: pd.DataFrame) -> pd.Series:
    total = df[list(b.others)].fillna(0).sum(axis=1)
    return ~((df[b.field].fillna(0) == 0) & (total > 0))


def _children_missing_excel(b: Bound, at: XlRow) -> str:
    return f"AND(SUM({at.ref(b.field)})=0,{_xl_sum(at, b.others)}>0)"


def _children_missing_facts(b: Bound, row: Record, frame: pd.DataFrame) -> Facts:
    return {**value_facts(b, row, frame), "total": show(sum(int(row[k] or 0) for k in b.others))}


CHILDREN_MISSING = Kind(  # field: the headcount; others: the value measures
    "children_missing",
    _children_missing_pandas,
    _children_missing_excel,
    _children_missing_facts,
    row_wide=True,
    gives=("value", "total"),
    others=1,
)


def _own_region_pandas(b: Bound, df: pd.DataFrame) -> pd.Series:
    return (df["own_region"].isna() | (df[b.field] == df["own_region"])).astype(bool)


def _own_region_excel(b: Bound, at: XlRow) -> str:
    return "FALSE"  # preset in the template


def _own_region_facts(b: Bound, row: Record, frame: pd.DataFrame) -> Facts:
    return {
        **value_facts(b, row, frame),
        "own": b.params["item_names"]["region"].get(row["own_region"], "?"),
        "named": named(b, row, b.field),
    }


OWN_REGION = Kind(
    "own_region",
    _own_region_pandas,
    _own_region_excel,
    _own_region_facts,
    row_wide=True,
    needs=("item_names",),
    gives=("value", "own", "named"),
)


def _duplicate_pandas(b: Bound, df: pd.DataFrame) -> pd.Series:
    return ~df.duplicated(["file_id", *b.fields], keep="first")


def _duplicate_excel(b: Bound, at: XlRow) -> str:
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
        "found": named(b, row, b.field),  # what the cell shows: the listed name, not its code
        "keys": " - ".join(named(b, row, k) for k in keys),
        "first_row": int(frame.loc[same, "row"].min()),
    }


DUPLICATE = Kind(
    "duplicate",
    _duplicate_pandas,
    _duplicate_excel,
    _duplicate_facts,
    needs=("keys", "item_names"),
    gives=("value", "keys", "first_row"),
)
