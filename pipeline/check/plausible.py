"""Plausibility without history: configured bounds, and counts that look like a date or a
phone number. Every finding is a warning (an unusual figure can be right) naming the cell.

The bounds are in the configuration (`[plausibility]` of `schemas/kien-giang.toml`):
`ratios` (a sum of measures of a results row over another, e.g. value per child, with
bounds per category), `unit_totals` (a unit's total of a measure) and `lookalikes`; they
become rules (`rules.py`) checked like every other (`validate.py`).
Against last year's figures: `history.py`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..form import Block, Form, FormError
from ..rules.catalogue import Bound, bind
from ..rules.kinds import EXCEL_EPOCH


@dataclass(frozen=True)
class Ratio:
    key: str
    label: str
    numerator: tuple[str, ...]
    denominator: str
    unit: str
    low: int | None
    high: int | None
    by_category: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)

    def bounds(self, category: str) -> tuple[int | None, int | None]:
        return self.by_category.get(category, (self.low, self.high))


@dataclass(frozen=True)
class Bounds:
    ratios: tuple[Ratio, ...]
    unit_totals: tuple[tuple[str, str, str, int], ...]  # (measure, label, unit, max)
    date_years: int


def bounds(form: Form) -> Bounds:
    """The configured bounds, checked against the results block. Raises FormError."""
    cached = form.memo.get("plausibility_bounds")
    if cached is None:
        cached = form.memo["plausibility_bounds"] = _parse(form.plausibility, form.history_block)
    return cached


def _parse(raw: dict[str, Any], block: Block) -> Bounds:
    keys = {m.key for m in block.measures}

    def known(name: str, where: str) -> str:
        if name not in keys:
            raise FormError(f"plausibility.{where}: chỉ tiêu '{name}' không có trong biểu kết quả")
        return name

    ratios = []
    for r in raw.get("ratios", []):
        low, high = r.get("min"), r.get("max")
        ratios.append(
            Ratio(
                key=r["key"],
                label=r["label"],
                numerator=tuple(known(n, r["key"]) for n in r["numerator"]),
                denominator=known(r["denominator"], r["key"]),
                unit=r.get("unit", ""),
                low=low,
                high=high,
                by_category={
                    c: (b.get("min", low), b.get("max", high)) for c, b in r.get("by_category", {}).items()
                },
            )
        )
    totals = tuple(
        (known(t["measure"], "unit_totals"), t["label"], t.get("unit", ""), int(t["max"]))
        for t in raw.get("unit_totals", [])
    )
    return Bounds(tuple(ratios), totals, int(raw.get("lookalikes", {}).get("date_years", 2)))


def lookalike_rules(form: Form, key: str, what: str, fix: str) -> list[Bound]:
    """A count in `key` that looks like a date serial of the years around the form's (the
    1900 date system) or like a Vietnamese mobile number; `what` names it, `fix` says what to do."""
    years = bounds(form).date_years
    serials = (
        (dt.date(form.year - years, 1, 1) - EXCEL_EPOCH).days,
        (dt.date(form.year + years, 12, 31) - EXCEL_EPOCH).days,
    )
    return [
        bind("LOOKS_LIKE_DATE", key, what=what, fix=fix, serials=serials),
        bind("LOOKS_LIKE_PHONE", key, what=what, fix=fix),
    ]


def block_lookalike_rules(form: Form, block: Block) -> list[Bound]:
    """The look-alike rules of every measure of `block`: a count that looks like a date's
    serial or a mobile number (`lookalike_rules`), an amount that looks like a date's serial
    ("05/12/2025" typed into an amount whose format is a number's: 46.000 đồng); on every
    sheet (brk35 F6, brk39 F4: 46.154 children needing support, from "12/5", read silently)."""
    out: list[Bound] = []
    for m in block.measures:
        if m.type == "count":
            out += lookalike_rules(form, m.key, m.name.capitalize(), "hãy gõ lại số đúng")
        elif m.type == "money":
            money = lookalike_rules(form, m.key, m.name.capitalize(), "hãy gõ lại số tiền đúng")
            out += [rule for rule in money if rule.code == "LOOKS_LIKE_DATE"]
    return out


def plausibility_rules(form: Form) -> tuple[list[Bound], dict[str, list[Bound]], list[Bound]]:
    """The rules of the configured bounds: on the information sheet's counts, on each row
    of each block (block key -> its rules: a number that looks like a date, a count like a
    phone number, the results' ratios), on a file's results totals
    (`stacks.stack_block_totals`)."""
    block = form.history_block
    b = bounds(form)

    def lookalikes(key: str, what: str, fix: str) -> list[Bound]:
        return lookalike_rules(form, key, what, fix)

    info = [
        rule
        for f in form.info_fields
        if f.type == "count"
        for rule in lookalikes(f.key, f"'{f.label}'", "hãy kiểm tra lại")
    ]
    rows = block_lookalike_rules(form, block)
    columns = {m.key: block.measure_column(m.key) for m in block.measures}
    common = {"columns": columns, "category_names": form.names("category")}
    for r in b.ratios:
        rows.append(
            bind(
                "IMPLAUSIBLE_VALUE",
                r.numerator[0],
                (*r.numerator[1:], r.denominator),
                **common,
                numerator=r.numerator,
                denominator=r.denominator,
                den_name=block.measure(r.denominator).name,
                label=r.label,
                unit=r.unit,
                low=r.low,
                high=r.high,
                by_category=r.by_category,
                over="cao hơn mức tối đa",
                under="thấp hơn mức tối thiểu",
            )
        )
    totals = [
        bind(
            "IMPLAUSIBLE_VALUE",
            measure,
            **common,
            numerator=(measure,),
            denominator=None,
            label=label,
            unit=unit,
            low=None,
            high=high,
            by_category={},
            over="vượt mức hợp lý",
            under="",
        )
        for measure, label, unit, high in b.unit_totals
    ]
    by_block = {
        k: rows if k == block.key else block_lookalike_rules(form, other) for k, other in form.blocks.items()
    }
    return info, by_block, totals
