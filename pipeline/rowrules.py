"""The rules over one row of a block and over one field, as data.

Both the pandera schemas (`validate.py`) and the template's live checks (`checks.py`:
data validation, conditional formatting and the "Kiểm tra" area) are built from the
rules listed here, which are derived from the form definition (`schemas/layout.toml`:
`at_most`, `at_least`, `value`, `required`). No other module keeps a list of rules.

A rule's `check` returns, for a stacked frame of rows, True where the row passes (the
pandera convention); its `excel` returns a spreadsheet expression that is TRUE where the
row violates the rule, in English function names with comma separators (what the file
format stores; Excel and LibreOffice both read it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from . import findings as fd
from .form import Block, Form

# how a rule is checked by the pipeline: by a pandera check built here, by the schema's
# column definitions (isin, ge, unique) or while the file is read (extract.py)
PANDERA = "pandera"
SCHEMA = "schema"
READING = "reading"


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
class RowRule:
    """One rule over a row: its code (findings.RULES), the field the finding points at,
    the other fields it reads, and a short Vietnamese text for the template."""

    code: str
    kind: str
    field: str
    others: tuple[str, ...] = ()
    text: str = ""

    @property
    def severity(self) -> str:
        return fd.RULES[self.code].severity

    @property
    def checked_by(self) -> str:
        return _KINDS[self.kind][2]

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.field, *self.others)

    @property
    def pandera_error(self) -> str:
        """The `error=` of the pandera check: "CODE:field[:other]" (mapped back by validate)."""
        return ":".join((self.code, self.field, *self.others[:1]))

    def check(self) -> Callable[[pd.DataFrame], pd.Series]:
        """Pandera frame-wide check: True where the row passes."""
        build = _KINDS[self.kind][0]
        if build is None:
            raise ValueError(f"rule {self.code} ({self.kind}) is not a pandera check")
        return build(self)

    def excel(self, at: XlRow) -> str:
        """Spreadsheet expression, TRUE where the row at `at` violates the rule."""
        return _KINDS[self.kind][1](self, at)


# ----- the pandas side ---------------------------------------------------------------------
def _pair(op: Callable[[pd.Series, pd.Series], pd.Series]) -> Callable[[RowRule], Callable]:
    def build(rule: RowRule) -> Callable[[pd.DataFrame], pd.Series]:
        def check(df: pd.DataFrame) -> pd.Series:
            a, b = df[rule.field], df[rule.others[0]]
            skip = a.isna() | b.isna() | (a < 0) | (b < 0)
            return (skip | op(a, b)).fillna(True).astype(bool)

        return check

    return build


def _value_missing(rule: RowRule) -> Callable[[pd.DataFrame], pd.Series]:
    head, values = rule.others[0], list(rule.others[1:])

    def check(df: pd.DataFrame) -> pd.Series:
        total = df[values].fillna(0).sum(axis=1)
        return ~((df[head].fillna(0) > 0) & (total == 0))

    return check


def _children_missing(rule: RowRule) -> Callable[[pd.DataFrame], pd.Series]:
    values = list(rule.others)

    def check(df: pd.DataFrame) -> pd.Series:
        total = df[values].fillna(0).sum(axis=1)
        return ~((df[rule.field].fillna(0) == 0) & (total > 0))

    return check


def _own_region(rule: RowRule) -> Callable[[pd.DataFrame], pd.Series]:
    def check(df: pd.DataFrame) -> pd.Series:
        own = df["own_region"]
        return (own.isna() | (df[rule.field] == own)).astype(bool)

    return check


# ----- the spreadsheet side ----------------------------------------------------------------
def _xl_pair(op: str) -> Callable[[RowRule, XlRow], str]:
    def expr(rule: RowRule, at: XlRow) -> str:
        a, b = at.ref(rule.field), at.ref(rule.others[0])
        return f"AND(ISNUMBER({a}),ISNUMBER({b}),{a}{op}{b})"

    return expr


def _xl_sum(at: XlRow, keys: tuple[str, ...]) -> str:
    return f"SUM({','.join(at.ref(k) for k in keys)})"


def _xl_value_missing(rule: RowRule, at: XlRow) -> str:
    return f"AND(N({at.ref(rule.others[0])})>0,{_xl_sum(at, rule.others[1:])}=0)"


def _xl_children_missing(rule: RowRule, at: XlRow) -> str:
    return f"AND(N({at.ref(rule.field)})=0,{_xl_sum(at, rule.others)}>0)"


def _xl_negative(rule: RowRule, at: XlRow) -> str:
    a = at.ref(rule.field)
    return f"AND(ISNUMBER({a}),{a}<0)"


def _xl_not_integer(rule: RowRule, at: XlRow) -> str:
    a = at.ref(rule.field)
    return f"OR(ISTEXT({a}),AND(ISNUMBER({a}),{a}<>INT({a})))"


def _xl_in_list(rule: RowRule, at: XlRow) -> str:
    a = at.ref(rule.field)
    return f'AND({a}<>"",COUNTIF({at.lists[rule.field]},{a})=0)'


def _xl_key_missing(rule: RowRule, at: XlRow) -> str:
    numbers = ",".join(at.ref(k) for k in rule.others)
    return f'AND({at.ref(rule.field)}="",COUNT({numbers})>0)'


def _xl_duplicate(rule: RowRule, at: XlRow) -> str:
    parts = []
    for key in rule.fields:
        col = at.columns[key]
        parts.append(f"{col}${at.first_row}:{col}{at.row},{col}{at.row}")
    nonblank = ",".join(f'{at.ref(k)}<>""' for k in rule.fields)
    return f"AND({nonblank},COUNTIFS({','.join(parts)})>1)"


def _xl_required(rule: RowRule, at: XlRow) -> str:
    return f'{at.ref(rule.field)}=""'


def _xl_never(rule: RowRule, at: XlRow) -> str:
    return "FALSE"


# kind -> (pandera check builder or None, spreadsheet expression, who checks it in the pipeline)
_KINDS: dict[str, tuple[Callable[[RowRule], Callable] | None, Callable[[RowRule, XlRow], str], str]] = {
    "at_most": (_pair(lambda a, b: a <= b), _xl_pair(">"), PANDERA),
    "at_least": (_pair(lambda a, b: a >= b), _xl_pair("<"), PANDERA),
    "value_missing": (_value_missing, _xl_value_missing, PANDERA),
    "children_missing": (_children_missing, _xl_children_missing, PANDERA),
    "own_region": (_own_region, _xl_never, PANDERA),  # preset in the template
    "negative": (None, _xl_negative, SCHEMA),
    "not_integer": (None, _xl_not_integer, READING),
    "in_list": (None, _xl_in_list, SCHEMA),
    "key_missing": (None, _xl_key_missing, READING),
    "duplicate": (None, _xl_duplicate, SCHEMA),
    "required": (None, _xl_required, SCHEMA),
}


# ----- the catalogue, derived from the form ------------------------------------------------
def block_rules(form: Form, block: Block, *, free_keys: bool = True) -> list[RowRule]:
    """The rules over one row of `block`.

    `free_keys`: the row's key fields are typed by the unit (a free-rows results block), so
    the list, blank-key and duplicate rules apply to them; otherwise they are preset.
    """
    names = {m.key: m.name for m in block.measures}
    rules: list[RowRule] = []
    measures = tuple(m.key for m in block.measures)
    for m in block.measures:
        rules.append(RowRule("NUMBER_NEGATIVE", "negative", m.key, (), f"{m.name} là số âm"))
        rules.append(
            RowRule("NUMBER_NOT_INTEGER", "not_integer", m.key, (), f"{m.name} không phải số nguyên")
        )
    for m in block.measures:
        if m.at_most:
            text = f"{m.name} lớn hơn {names[m.at_most]}"
            rules.append(RowRule("MEASURE_AT_MOST", "at_most", m.key, (m.at_most,), text))
        if m.at_least:
            text = f"{m.name} nhỏ hơn {names[m.at_least]}"
            rules.append(RowRule("MEASURE_AT_LEAST", "at_least", m.key, (m.at_least,), text))
    head, values = block.headcount, block.value_measures
    if any(m.at_most for m in block.measures) and values:
        rules.append(
            RowRule(
                "VALUE_MISSING",
                "value_missing",
                values[0],
                (head, *values),
                f"có {names[head]} nhưng không có giá trị hỗ trợ",
            )
        )
        rules.append(
            RowRule(
                "CHILDREN_MISSING",
                "children_missing",
                head,
                values,
                f"có giá trị hỗ trợ nhưng không có {names[head]}",
            )
        )
    keys = [kf for kf in block.key_fields if kf.key in ("region", "category")]
    if any(kf.key == "region" for kf in block.key_fields):
        rules.append(RowRule("REGION_NOT_OWN", "own_region", "region"))
    if free_keys and keys:
        for kf in keys:
            code = {"region": "REGION_UNKNOWN", "category": "CATEGORY_UNKNOWN"}[kf.key]
            label = kf.label.lower()
            rules.append(RowRule(code, "in_list", kf.key, (), f"{label} không có trong danh sách"))
            rules.append(RowRule("ROW_KEY_MISSING", "key_missing", kf.key, measures, f"chưa chọn {label}"))
        first, *rest = (kf.key for kf in keys)
        rules.append(
            RowRule("ROW_DUPLICATE", "duplicate", first, tuple(rest), "dòng trùng với một dòng phía trên")
        )
    return rules


def info_rules(form: Form) -> list[RowRule]:
    """The rules over the fields of the information sheet that a unit fills."""
    return [
        RowRule("REQUIRED_MISSING", "required", f.key, (), f"chưa điền '{f.label}' (bắt buộc)")
        for f in form.info_fields
        if f.required and not f.prefilled
    ]
