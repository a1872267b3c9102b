"""Plausibility without history: configured bounds, and counts that look like a date or a
phone number. Every finding is a warning (an unusual figure can be right) naming the cell.

The bounds are in the configuration (`[plausibility]` of `schemas/kien-giang.toml`):
`ratios` (a sum of measures of a results row over another, e.g. value per child, with
bounds per category), `unit_totals` (a unit's total of a measure) and `lookalikes`.
Against last year's figures: `history.py`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from . import findings as fd
from .extract import Parsed
from .form import Block, Form, FormError

EXCEL_EPOCH = dt.date(1899, 12, 30)  # day 0 of the 1900 date system (ECMA-376 Part 1, §18.17.4.1)


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
        cached = form.memo["plausibility_bounds"] = _parse(form.plausibility, form.blocks["results"])
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


def looks_like(form: Form, value: int) -> tuple[str, str] | None:
    """(rule code, why) when a count looks like a date serial or a phone number, else None."""
    years = bounds(form).date_years
    first = (dt.date(form.year - years, 1, 1) - EXCEL_EPOCH).days
    last = (dt.date(form.year + years, 12, 31) - EXCEL_EPOCH).days
    if first <= value <= last:
        day = EXCEL_EPOCH + dt.timedelta(days=value)
        return "LOOKS_LIKE_DATE", f"giống ngày {day:%d/%m/%Y} mà bảng tính tự đổi thành số"
    digits = str(value)
    if (len(digits) == 9 and digits[0] in "35789") or (len(digits) == 11 and digits.startswith("84")):
        return "LOOKS_LIKE_PHONE", f"giống số điện thoại 0{digits[2:] if len(digits) == 11 else digits}"
    return None


def _show(value: float | int, unit: str) -> str:
    return f"{fd.show(round(value))} {unit}".strip()


def plausibility_warnings(form: Form, parsed: Iterable[Parsed]) -> None:
    """Append the warnings of every file read in full (rejected files included: they get feedback)."""
    block = form.blocks["results"]
    b = bounds(form)
    counts = [m.key for m in block.measures if m.type == "count"]
    names = form.names("category")
    info_counts = [f for f in form.info_fields if f.type == "count"]
    for p in parsed:
        if p.info_row is None:
            continue

        def warn(code: str, message: str, sheet: str, cell: str, value: Any, p: Parsed = p) -> None:
            if (sheet, cell) not in p.flagged_cells:
                p.findings.append(
                    fd.make(
                        code,
                        message,
                        file=p.name,
                        unit=p.unit_code or "",
                        sheet=sheet,
                        cell=cell,
                        value=value,
                    )
                )

        for f in info_counts:
            value = p.info_row.get(f.key)
            hit = looks_like(form, value) if isinstance(value, int) else None
            if hit:
                warn(
                    hit[0],
                    f"'{f.label}' là {fd.show(value)}, {hit[1]}; hãy kiểm tra lại",
                    form.sheets["info"],
                    f.cell,
                    value,
                )
        rows = p.rows.get("results", [])
        for rec in rows:
            for key in counts:
                value = rec.get(key)
                hit = looks_like(form, value) if isinstance(value, int) else None
                if hit:
                    m = block.measure(key)
                    cell = f"{block.measure_column(key)}{rec['row']}"
                    warn(
                        hit[0],
                        f"{m.name.capitalize()} là {fd.show(value)}, {hit[1]}; hãy gõ lại số đúng",
                        block.sheet,
                        cell,
                        value,
                    )
            for r in b.ratios:
                _ratio(form, block, r, rec, names, warn)
        unit = form.units_by_code.get(p.unit_code or "")
        for measure, label, unit_of, high in b.unit_totals:
            total = sum(rec.get(measure) or 0 for rec in rows)
            if total > high and unit is not None:
                cell = f"{block.measure_column(measure)}{form.total_row(block, unit)}"
                warn(
                    "IMPLAUSIBLE_VALUE",
                    f"{label.capitalize()} là {_show(total, unit_of)}, vượt mức hợp lý "
                    f"{_show(high, unit_of)} đặt trong cấu hình; hãy kiểm tra lại số liệu",
                    block.sheet,
                    cell,
                    total,
                )


def _ratio(form: Form, block: Block, r: Ratio, rec: dict[str, Any], names: dict[str, str], warn: Any) -> None:
    den = rec.get(r.denominator)
    if not den or den <= 0 or any(rec.get(k) is not None and rec[k] < 0 for k in r.numerator):
        return
    num = sum(rec.get(k) or 0 for k in r.numerator)
    if num == 0:
        return  # nothing given: VALUE_MISSING says so when it matters
    low, high = r.bounds(rec.get("category", ""))
    ratio = num / den
    if (high is None or ratio <= high) and (low is None or ratio >= low):
        return
    limit, word = (
        (high, "cao hơn mức tối đa") if high is not None and ratio > high else (low, "thấp hơn mức tối thiểu")
    )
    row = rec["row"]
    cells = "+".join(f"{block.measure_column(k)}{row}" for k in r.numerator)
    den_m = block.measure(r.denominator)
    warn(
        "IMPLAUSIBLE_VALUE",
        f"{r.label.capitalize()} ({names.get(rec.get('category', ''), '')}) là {_show(ratio, r.unit)} "
        f"(ô {cells} chia cho {den_m.name} ở ô {block.measure_column(r.denominator)}{row}), {word} "
        f"{_show(limit, r.unit)} đặt trong cấu hình; hãy kiểm tra lại số liệu",
        block.sheet,
        f"{block.measure_column(r.numerator[0])}{row}",
        num,
    )
