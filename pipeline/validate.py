"""Cross-cell rules, checked once per schema on the stacked records of every file.

The pandera schemas are built from the rules the form applies (`rulebind.py`): each rule
becomes a `pandera.Check` whose name is the rule's code, whose error is its title and
whose statistics are its field, other fields and parameters, so a failure maps back to
the rule without parsing text. A failure is located (file, sheet, cell) through the stack
it came from and worded by the rule's message template (`rules.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pandas as pd
import pandera.pandas as pa

from . import findings as fd
from . import nearest
from .emptiness import empty_block_findings
from .extract import Parsed
from .findings import Finding
from .form import CELL_ADDRESS, Block, Form
from .plausible import plausibility_warnings
from .rulebind import block_rules, info_rules, totals_rules, unit_read_as
from .rulekinds import DUPLICATE, REQUIRED
from .rules import RULES, Bound

NUMBER_TYPES = ("count", "year", "money")


@dataclass
class Stack:
    """The records of one kind from every file, with where each came from."""

    frame: pd.DataFrame
    sheet: str
    column_cell: Callable[[str, int], str]  # (column, sheet row) -> cell address
    as_text: frozenset[str] = field(default_factory=frozenset)  # values shown as typed ("2024")


# ----- from rules to pandera ---------------------------------------------------------------
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


def schema(name: str, columns: dict[str, str], rules: Iterable[Bound]) -> pa.DataFrameSchema:
    """A schema over `columns` (name -> dtype) checking every rule the pipeline checks itself."""
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
    return pa.DataFrameSchema(
        {c: pa.Column(dtype, checks=per_cell.get(c, []), nullable=True) for c, dtype in columns.items()},
        checks=frame_wide,
        name=name,
    )


def info_schema(form: Form) -> pa.DataFrameSchema:
    columns = {f.key: "Int64" if f.type in NUMBER_TYPES else object for f in form.info_fields}
    return schema("info", columns, info_rules(form, in_template=False))


def block_schema(form: Form, block: Block) -> pa.DataFrameSchema:
    columns = {kf.key: object for kf in block.key_fields} | {m.key: "Int64" for m in block.measures}
    return schema(block.key, columns, block_rules(form, block))


def totals_schema(form: Form) -> pa.DataFrameSchema:
    return schema("totals", {"support": "int64", "resources": "int64"}, totals_rules(form))


# ----- stacking ---------------------------------------------------------------------------
def stack_info(form: Form, files: Iterable[Parsed]) -> Stack:
    rows = [{"file_id": p.file_id, **p.info_row} for p in files if p.info_row is not None]
    cols = ["file_id", *(f.key for f in form.info_fields)]
    frame = pd.DataFrame(rows, columns=cols)
    for f in form.info_fields:
        if f.type in ("count", "year"):
            frame[f.key] = frame[f.key].astype("Int64")
        else:
            frame[f.key] = frame[f.key].astype(object)
    frame["row"] = 0
    cells = {f.key: f.cell for f in form.info_fields}
    years = frozenset(f.key for f in form.info_fields if f.type == "year")
    return Stack(frame, form.sheets["info"], lambda col, _row: cells.get(col, ""), years)


def stack_block(form: Form, block: Block, files: Iterable[Parsed]) -> Stack:
    rows = [{"file_id": p.file_id, **rec} for p in files for rec in p.rows.get(block.key, ())]
    keys = [kf.key for kf in block.key_fields]
    measures = [m.key for m in block.measures]
    frame = pd.DataFrame(rows, columns=["file_id", "row", *keys, *measures, "own_region"])
    for m in measures:
        frame[m] = frame[m].astype("Int64")
    for key in [*keys, "own_region"]:  # pandas 3 would infer its string dtype; the schema says object
        frame[key] = frame[key].astype(object)
    frame["file_id"] = frame["file_id"].astype("int64")
    columns = {kf.key: kf.column for kf in block.key_fields}
    columns.update({m.key: block.measure_column(m.key) for m in block.measures})
    return Stack(frame, block.sheet, lambda col, row: f"{columns[col]}{row}" if col in columns else "")


def stack_totals(form: Form, files: Iterable[Parsed]) -> Stack:
    """A file's totals: value of support (results) and resources mobilised, pointing at the
    resources' total cell."""
    res_block, src_block = form.blocks["results"], form.blocks["resources"]
    rows = []
    for p in files:
        if "results" not in p.rows:
            continue
        support = sum(int(r.get(k) or 0) for r in p.rows["results"] for k in res_block.value_measures)
        resources = sum(
            int(r.get(m.key) or 0) for r in p.rows.get("resources", ()) for m in src_block.measures
        )
        total_row = form.total_row(src_block, form.units_by_code.get(p.unit_code or ""))
        rows.append({"file_id": p.file_id, "row": total_row, "support": support, "resources": resources})
    frame = pd.DataFrame(rows, columns=["file_id", "row", "support", "resources"]).astype("int64")
    total_col = src_block.total_column(src_block.totals[0].key) if src_block.totals else "C"
    return Stack(frame, src_block.sheet, lambda col, row: f"{total_col}{row}" if col == "support" else "")


# ----- running and mapping back --------------------------------------------------------------
def warm_up() -> None:
    """Have pandera register its pandas back-ends (and import their modules) ahead of time."""
    pa.DataFrameSchema.register_default_backends(pd.DataFrame)


def failing(schema: pa.DataFrameSchema, stack: Stack) -> list[tuple[Bound, list[Any]]]:
    """Validate a stack once (lazy): each failed rule with the frame indices it failed on.

    Checks on a whole row come first (duplicates first of all), then the checks on one
    column in column order: the order pandera reports them in."""
    if stack.frame.empty:
        return []
    try:
        schema.validate(stack.frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        out = []
        for e in err.schema_errors:
            if not isinstance(e.check, pa.Check) or e.check.name not in RULES:
                continue  # a dtype failure: the parser already reported the value
            index = e.failure_cases["index"].dropna().drop_duplicates().tolist()
            out.append((bound_of(e.check), index))
        order = {id(rule): i for i, (rule, _) in enumerate(out)}
        return sorted(
            out, key=lambda f: (f[0].rule.kind.per_cell, f[0].rule.kind is not DUPLICATE, order[id(f[0])])
        )
    return []


def plain(value: Any) -> Any:
    """A frame value as a Python value; missing values as ""."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    if hasattr(value, "item"):
        return value.item()
    return value


def findings_of(
    stack: Stack, failures: list[tuple[Bound, list[Any]]], files: dict[int, Parsed]
) -> list[tuple[int, Finding]]:
    """Turn failed rules into located findings, one per rule and cell."""
    out: list[tuple[int, Finding]] = []
    seen: set[tuple[int, str, str]] = set()
    frame = stack.frame
    for rule, index in failures:
        for i in index:
            row = frame.loc[i]
            file_id, sheet_row = int(row["file_id"]), int(row["row"])
            cell = stack.column_cell(rule.field, sheet_row)
            parsed = files[file_id]
            if (stack.sheet, cell) in parsed.flagged_cells:
                continue  # the parser already reported what is wrong with this cell
            if rule.rule.kind.row_wide and _row_flagged(parsed, stack.sheet, sheet_row):
                continue  # a rule over a row with an unreadable cell says nothing useful
            if (file_id, rule.code, cell) in seen:
                continue
            seen.add((file_id, rule.code, cell))
            record = {c: plain(v) for c, v in row.items()}
            value = record.get(rule.field, "")
            finding = fd.make(
                rule.code,
                rule.message(record, frame),
                file=parsed.name,
                unit=parsed.unit_code or "",
                sheet=stack.sheet,
                cell=cell,
                value=str(value) if rule.field in stack.as_text else value,
            )
            out.append((file_id, finding))
    return out


def _row_flagged(parsed: Parsed, sheet: str, row: int) -> bool:
    """Whether the reader flagged a cell of `row` of `sheet` in this file."""
    for flagged_sheet, cell in parsed.flagged_cells:
        found = CELL_ADDRESS.fullmatch(cell) if flagged_sheet == sheet else None
        if found and int(found.group(2)) == row:
            return True
    return False


def unit_name_findings(form: Form, candidates: Iterable[Parsed]) -> None:
    """A unit name typed close to the registry's (accents, abbreviations): read as it, warned."""
    field_ = form.info_field("unit_name")
    for p in candidates:
        typed = (p.info_row or {}).get("unit_name")
        name = unit_read_as(form, (p.info_row or {}).get("unit_code"), typed)
        if name:
            message = nearest.read_as_message(field_.label, typed, nearest.Match(p.unit_code, name))
            p.findings.append(
                fd.make(
                    "NAME_READ_AS",
                    message,
                    file=p.name,
                    unit=p.unit_code or "",
                    sheet=form.sheets["info"],
                    cell=field_.cell,
                    value=typed,
                )
            )


def validate_all(form: Form, parsed: list[Parsed]) -> None:
    """Run every schema once over all files; append the findings to each file."""
    files = {p.file_id: p for p in parsed}
    candidates = [p for p in parsed if p.info_row is not None]
    checks = [(info_schema(form), stack_info(form, candidates))]
    for block in form.blocks.values():
        checks.append((block_schema(form, block), stack_block(form, block, candidates)))
    checks.append((totals_schema(form), stack_totals(form, candidates)))
    for sch, stack in checks:
        for file_id, finding in findings_of(stack, failing(sch, stack), files):
            files[file_id].findings.append(finding)
    empty_block_findings(form, candidates)
    unit_name_findings(form, candidates)
    plausibility_warnings(form, candidates)
