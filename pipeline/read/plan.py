"""Cell plans: where the cells of each block are in a unit's template, as indices.

The form definition says where every label, input and total is; a plan turns that into
row and column indices once per block shape (units of the same kind share one), so the
reader looks cells up by index instead of parsing cell references for every file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..form import Block, Form, KeyField, Unit, cell_at, col_index
from ..form.sheets import SumCell, block_sheet, label_cells

Located = tuple[str, str, int, int]  # (text: a measure key or expected label, cell, row, column)
Sum = tuple[tuple[str, ...], str, int, int]  # (measures summed, cell, row index, column index)


@dataclass(frozen=True)
class CellSpan:
    """Input cells as 0-based (row, column) pairs, with their lowest and highest row."""

    targets: frozenset[tuple[int, int]]
    low: int
    high: int


def cell_span(cells: Iterable[str]) -> CellSpan:
    targets = {cell_at(cell) for cell in cells}
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
    ends: tuple[tuple[str, str], ...]  # (cell, text) of the end marks, last among `labels`
    head_mark: tuple[str, str] | None  # (cell, text) of the heading row's row mark
    row_marks: tuple[tuple[str, str], ...]  # (cell, text) of each data row's mark
    mark_moved: str  # what a formula mark shows once put back ("": constant marks)
    inputs: CellSpan
    measure_cells: frozenset[str]  # the A1 references of every row's measures
    rows: tuple[RowPlan, ...]
    measure_keys: tuple[str, ...]
    span: tuple[int, int]  # first and last column index read in a data row
    total_measure_cells: tuple[Located, ...]  # (measure key, cell, row, column) on the total row
    total_row_cells: tuple[Sum, ...]  # row totals on the total row
    total_cells: frozenset[str]  # every total cell: the rows' totals and the total row's


def info_plan(form: Form) -> CellSpan:
    """The input cells of the information sheet (memoised per form)."""
    plans = form.memo
    if "info_span" not in plans:
        plans["info_span"] = cell_span(f.cell for f in form.info_fields)
    return plans["info_span"]


def block_plan(form: Form, block: Block, unit: Unit) -> BlockPlan:
    """The cell plan of `block` in `unit`'s template (memoised per form and block shape)."""
    shape = (block.key, unit.region if block.rows_by_unit_region else None)
    plans = form.memo.setdefault("block_plans", {})
    if shape not in plans:
        plans[shape] = _make_block_plan(form, block, unit)
    return plans[shape]


def _make_block_plan(form: Form, block: Block, unit: Unit) -> BlockPlan:
    sheet = block_sheet(form, block, unit)
    inputs = [cell for r in sheet.rows for _m, cell in r.measures]
    inputs += [k.cell for r in sheet.rows for k in r.keys if k.name is None]

    def sums(cells: tuple[SumCell, ...]) -> tuple[Sum, ...]:
        return tuple((c.sum_of, c.cell, *cell_at(c.cell)) for c in cells)

    rows = tuple(
        RowPlan(
            row=r.spec.row,
            fixed=dict(r.spec.fixed),
            measures=tuple((m.key, cell, m.name.capitalize(), cell_at(cell)[1]) for m, cell in r.measures),
            key_cells=tuple((k.field, k.cell) for k in r.keys if k.name is None),
            totals=sums(r.totals),
        )
        for r in sheet.rows
    )
    measures = {c.key for c in sheet.column_sums} & {m.key for m in block.measures}
    first_col = min(col_index(kf.column) for kf in block.key_fields)
    last_col = col_index(block.measure_column(block.measures[-1].key))
    column_totals = tuple((c.key, c.cell, *cell_at(c.cell)) for c in sheet.column_sums if c.key in measures)
    row_totals = sums(tuple(c for c in sheet.column_sums if c.key not in measures))
    return BlockPlan(
        labels=tuple((cell, text, *cell_at(cell)) for cell, text in label_cells(sheet)),
        ends=sheet.end_marks,
        head_mark=sheet.head_mark,
        row_marks=sheet.row_marks,
        mark_moved=sheet.mark_moved,
        inputs=cell_span(inputs),
        measure_cells=frozenset(cell for rp in rows for _k, cell, _l, _c in rp.measures),
        rows=rows,
        measure_keys=tuple(m.key for m in block.measures),
        span=(first_col, last_col),
        total_measure_cells=column_totals,
        total_row_cells=row_totals,
        total_cells=frozenset(
            [t for rp in rows for _s, t, _r, _c in rp.totals]
            + [t for _k, t, _r, _c in column_totals]
            + [t for _s, t, _r, _c in row_totals]
        ),
    )
