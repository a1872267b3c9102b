"""Rules checked by pandera over stacked records, and their failures as located findings.

Every rule the pipeline checks after reading goes this one way: the records of every file
are stacked in one frame (a `Stack`: which file, which sheet row, how a field maps to a
cell), a pandera schema is built from the bound rules (`rules.Bound`) that apply to them,
each rule one `pandera.Check` whose name is the rule's code, whose error is its title and
whose statistics are its field, other fields and parameters; the stack is validated once
(`lazy=True`) and each failure maps back to its rule through the check it came from (no
text parsed), to its file and cell through the stack, and is worded by the rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol

import pandas as pd
import pandera.pandas as pa

from . import findings as fd
from .catalogue import RULES, Bound
from .findings import Finding
from .kinds import DUPLICATE, REQUIRED, Record


class Source(Protocol):
    """What a finding needs to know of the file it is about (`extract.Parsed`)."""

    name: str
    unit_code: str | None
    flagged_cells: set[tuple[str, str]]


@dataclass
class Stack:
    """The records of one kind from every file: a frame with `file_id` and `row` (the sheet
    row a record came from), and where a field of a record is in its file."""

    frame: pd.DataFrame
    locate: Callable[[str, Record], tuple[str, str]]  # (field, record) -> (sheet, cell)
    as_text: frozenset[str] = field(default_factory=frozenset)  # values shown as typed ("2024")


def pandera_check(rule: Bound) -> pa.Check:
    """The pandera check of a bound rule: name = code, error = title, statistics = the binding."""
    kind = rule.rule.kind
    assert kind is not None and kind.passes is not None, rule.code
    return pa.Check(
        partial(kind.passes, rule),
        name=rule.code,
        error=rule.rule.title,
        ignore_na=kind.per_cell and kind is not REQUIRED,
        statistics={"field": rule.field, "others": rule.others, **rule.params},
    )


def bound_of(check: pa.Check) -> Bound:
    """The bound rule a pandera check was built from (`pandera_check`)."""
    stats = dict(check.statistics)
    return Bound(RULES[check.name], stats.pop("field"), tuple(stats.pop("others")), stats)


def schema(name: str, frame: pd.DataFrame, rules: Iterable[Bound]) -> pa.DataFrameSchema:
    """A schema over `frame`'s columns checking every rule the pipeline checks itself (a rule
    on one field is a check of its column, a rule across fields a check of the frame)."""
    per_cell: dict[str, list[pa.Check]] = {}
    frame_wide: list[pa.Check] = []
    for rule in rules:
        kind = rule.rule.kind
        if kind is None or kind.passes is None:
            continue  # checked while reading
        if kind.per_cell:
            per_cell.setdefault(rule.field, []).append(pandera_check(rule))
        else:
            frame_wide.append(pandera_check(rule))
    columns = {c: pa.Column(checks=per_cell[c], nullable=True) for c in frame.columns if c in per_cell}
    return pa.DataFrameSchema(columns, checks=frame_wide, name=name)


def warm_up() -> None:
    """Have pandera register its pandas back-ends (and import their modules) ahead of time."""
    pa.DataFrameSchema.register_default_backends(pd.DataFrame)


def failing(sch: pa.DataFrameSchema, stack: Stack) -> list[tuple[Bound, list[Any]]]:
    """Validate a stack once (lazy): each failed rule with the frame indices it failed on.

    Checks across a record come first (duplicates first of all), then the checks of one
    column in column order: the order pandera reports them in."""
    if stack.frame.empty:
        return []
    try:
        sch.validate(stack.frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        out = []
        for e in err.schema_errors:
            if not isinstance(e.check, pa.Check) or e.check.name not in RULES:
                continue  # not a rule's check
            index = e.failure_cases["index"].dropna().drop_duplicates().tolist()
            out.append((bound_of(e.check), index))
        position = {id(rule): i for i, (rule, _) in enumerate(out)}

        def order(failed: tuple[Bound, list[Any]]) -> tuple[bool, bool, int]:
            kind = failed[0].rule.kind
            return (kind.per_cell, kind is not DUPLICATE, position[id(failed[0])])

        return sorted(out, key=order)
    return []


def plain(value: Any) -> Any:
    """A frame value as a Python value; missing values as ""."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    if hasattr(value, "item"):
        return value.item()
    return value


def check(
    name: str,
    stack: Stack,
    rules: list[Bound],
    files: dict[int, Source],
    *,
    by_record: bool = False,
) -> list[tuple[int, Finding]]:
    """Check `rules` over `stack` once; the findings, one per rule and cell, with their file.

    Findings come rule by rule (in pandera's order, see `failing`), or with `by_record`
    record by record, each record's in the order of `rules`."""
    failures = failing(schema(name, stack.frame, rules), stack)
    if by_record:
        rank = {(r.code, r.field, r.others): i for i, r in enumerate(rules)}
        hits = sorted(
            (
                (i, rank[(rule.code, rule.field, rule.others)], rule)
                for rule, index in failures
                for i in index
            ),
            key=lambda hit: hit[:2],
        )
        failures = [(rule, [i]) for i, _, rule in hits]
    out: list[tuple[int, Finding]] = []
    seen: set[tuple[int, str, str, str]] = set()
    frame = stack.frame
    for rule, index in failures:
        for i in index:
            record = {c: plain(v) for c, v in frame.loc[i].items()}
            file_id = int(record["file_id"])
            sheet, cell = stack.locate(rule.field, record)
            source = files[file_id]
            if (sheet, cell) in source.flagged_cells:
                continue  # the reader already reported what is wrong with this cell
            if rule.rule.kind.row_wide and any(
                stack.locate(f, record) in source.flagged_cells for f in rule.others
            ):
                continue  # a rule reading a cell that could not be read says nothing useful
            if (file_id, rule.code, sheet, cell) in seen:
                continue
            seen.add((file_id, rule.code, sheet, cell))
            facts = rule.facts(record, frame)
            value = facts.get("found", record.get(rule.field, ""))
            finding = fd.make(
                rule.code,
                rule.message(facts),
                file=source.name,
                unit=source.unit_code or "",
                sheet=sheet,
                cell=cell,
                value=str(value) if rule.field in stack.as_text else value,
            )
            out.append((file_id, finding))
    return out


def broken(record: Record, rules: list[Bound]) -> list[tuple[str, str]]:
    """(code, message) of each rule one record breaks: the same checks and words as `check`,
    for a value looked at on its own."""
    frame = pd.DataFrame([record])
    out = []
    for rule in rules:
        kind = rule.rule.kind
        assert kind is not None and kind.passes is not None, rule.code
        if kind.per_cell and kind is not REQUIRED and plain(record.get(rule.field)) == "":
            continue  # a blank cell breaks no rule on one cell but "required" (pandera's ignore_na)
        if not bool(kind.passes(rule, frame[rule.field] if kind.per_cell else frame).iloc[0]):
            facts = rule.facts({c: plain(v) for c, v in record.items()}, frame)
            out.append((rule.code, rule.message(facts)))
    return out
