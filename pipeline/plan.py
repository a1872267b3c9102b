"""Cell plans: where the cells of each block are in a unit's template, as indices.

The form definition says where every label, input and total is; a plan turns that into
row and column indices once per block shape (units of the same kind share one), so the
reader looks cells up by index instead of parsing cell references for every file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .form import Block, Form, KeyField, Unit, col_index

Located = tuple[str, str, int, int]  # (text: a measure key or expected label, cell, row, column)
Sum = tuple[tuple[str, ...], str, int, int]  # (measures summed, cell, row index, column index)


def _at(cell: str) -> tuple[int, int]:
    """0-based (row, column) of a cell reference."""
    letters = cell.rstrip("0123456789")
    return int(cell[len(letters) :]) - 1, col_index(letters)


@dataclass(frozen=True)
class CellSpan:
    """Input cells as 0-based (row, column) pairs, with their lowest and highest row."""

    targets: frozenset[tuple[int, int]]
    low: int
    high: int


def cell_span(cells: Iterable[str]) -> CellSpan:
    targets = {_at(cell) for cell in cells}
    rows = [r for r, _ in targets]
    return CellSpan(frozenset(targets), min(rows, default=0), max(rows, default=-1))


@dataclass(frozen=True)
class RowPlan:
    """The cells of one data row of a block, as one unit's template lays them out."""

    row: int
    fixed: dict[str, str]  # key field -> code, preset in the template
    measures: tuple[tuple[str, str, str, int], ...]  # (measure key, cell, label, column index)
    key_cells: tuple[tuple[KeyField, str], ...]  # key fields the unit fills in, with their cell
    totals: tuple[Sum, ...]  # the row's totals


@dataclass(frozen=True)
class BlockPlan:
    """Everything the reader needs to know about a block's cells."""

    labels: tuple[tuple[str, str, int, int], ...]  # (cell, expected text, row, column), in order
    inputs: CellSpan
    rows: tuple[RowPlan, ...]
    measure_keys: tuple[str, ...]
    span: tuple[int, int]  # first and last column index read in a data row
    total_measure_cells: tuple[Located, ...]  # (measure key, cell, row, column) on the total row
    total_row_cells: tuple[Sum, ...]  # row totals on the total row


def info_plan(form: Form) -> CellSpan:
    """The input cells of the information sheet (memoised per form)."""
    plans = form.memo
    if "info_span" not in plans:
        plans["info_span"] = cell_span(f.cell for f in form.info_fields)
    return plans["info_span"]


def block_plan(form: Form, block: Block, unit: Unit) -> BlockPlan:
    """The cell plan of `block` in `unit`'s template (memoised per form and block shape)."""
    shape = (block.key, unit.region if block.key == "results" else None)
    plans = form.memo.setdefault("block_plans", {})
    if shape not in plans:
        plans[shape] = _make_block_plan(form, block, unit)
    return plans[shape]


def _make_block_plan(form: Form, block: Block, unit: Unit) -> BlockPlan:
    specs = form.rows_for(block, unit)
    total_row = form.total_row(block, unit)
    head = block.first_row - 3
    labels = [(f"A{block.first_row - 1}", "(1)")]
    labels += [(f"{block.measure_column(m.key)}{head}", m.label) for m in block.measures]
    labels.append((f"A{total_row}", "Tổng cộng"))
    for spec in specs:
        for kf in block.key_fields:
            if kf.key in spec.fixed:
                labels.append((f"{kf.column}{spec.row}", form.names(kf.key)[spec.fixed[kf.key]]))
    inputs = [f"{block.measure_column(m.key)}{s.row}" for s in specs for m in block.measures]
    inputs += [f"{kf.column}{s.row}" for s in specs for kf in block.key_fields if kf.key not in s.fixed]

    def measure_cell(key: str, row: int) -> str:
        return f"{block.measure_column(key)}{row}"

    def row_totals(row: int) -> tuple[Sum, ...]:
        cells = [(t.sum_of, f"{block.total_column(t.key)}{row}") for t in block.totals]
        return tuple((sum_of, cell, *_at(cell)) for sum_of, cell in cells)

    rows = tuple(
        RowPlan(
            row=s.row,
            fixed=dict(s.fixed),
            measures=tuple(
                (
                    m.key,
                    measure_cell(m.key, s.row),
                    m.name.capitalize(),
                    col_index(block.measure_column(m.key)),
                )
                for m in block.measures
            ),
            key_cells=tuple((kf, f"{kf.column}{s.row}") for kf in block.key_fields if kf.key not in s.fixed),
            totals=row_totals(s.row),
        )
        for s in specs
    )
    first_col = min(col_index(kf.column) for kf in block.key_fields)
    last_col = col_index(block.measure_column(block.measures[-1].key))
    return BlockPlan(
        labels=tuple((cell, text, *_at(cell)) for cell, text in labels),
        inputs=cell_span(inputs),
        rows=rows,
        measure_keys=tuple(m.key for m in block.measures),
        span=(first_col, last_col),
        total_measure_cells=tuple(
            (m.key, measure_cell(m.key, total_row), *_at(measure_cell(m.key, total_row)))
            for m in block.measures
        ),
        total_row_cells=row_totals(total_row),
    )
