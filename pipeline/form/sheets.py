"""Every cell of the sheets a unit fills, for one unit's template, from the form and its grid.

The template writer writes these cells, the extractor's cell plans (`plan.py`) read them,
and the form JSON (`describe.py`) prints them: what a label says and where it is, which
cells are inputs, which hold a formula and what it sums, are decided here once.
"""

from __future__ import annotations

from dataclasses import dataclass

from .address import col_index, col_letter
from .grid import NUMBER_COLUMN, SECTION_ROW, SUBTITLE_ROW, TITLE_ROW, RowSpec, SheetChecks
from .model import Block, Form, InfoField, KeyField, Measure, RowTotal, Unit

TOTAL_LABEL = "Tổng cộng"


@dataclass(frozen=True)
class Column:
    """A column of a block: its heading, its unit ("(người)") and its number ("(3)")."""

    letter: str
    label: str
    unit: str
    number: str


@dataclass(frozen=True)
class KeyCell:
    """A key field of a data row: preset (`name` given) or chosen by the unit (an input)."""

    field: KeyField
    cell: str
    name: str | None  # the listed name the template writes, None when the unit chooses


@dataclass(frozen=True)
class SumCell:
    """A cell holding a formula that sums measures of its row, or a column over the data rows.
    It adds `columns` from row `first` to `last`: input cells (`inputs`, added as the
    pipeline reads them: the template writer, `render/numbercells.py`, says how) or the
    row totals of its column (a row total's "Tổng cộng")."""

    key: str  # the measure or row total it holds
    cell: str
    sum_of: tuple[str, ...]  # the measures it adds up (a column sum: the column's own)
    columns: tuple[str, ...]  # the columns of the cells it adds, left to right
    first: int
    last: int
    inputs: bool  # adds input cells (else formula cells: row totals)


@dataclass(frozen=True)
class SheetRow:
    """One data row of a block sheet."""

    spec: RowSpec
    number_cell: str  # its row number (STT)
    number: int
    keys: tuple[KeyCell, ...]
    measures: tuple[tuple[Measure, str], ...]  # the input cells
    totals: tuple[SumCell, ...]  # its row totals


@dataclass(frozen=True)
class BlockSheet:
    """The cells of one block's sheet in one unit's template."""

    block: Block
    header_row: int
    unit_row: int
    number_row: int
    title_range: str
    subtitle_range: str
    columns: tuple[Column, ...]  # the row number, key fields, measures, row totals
    rows: tuple[SheetRow, ...]
    total_row: int
    total_label: str  # the merged range of "Tổng cộng"
    column_sums: tuple[SumCell, ...]  # measures, then row totals, on the total row
    checks: SheetChecks
    end_marks: tuple[tuple[str, str], ...] = ()
    """(cell, text) of the end mark under the total row in each measure's column ("(hết cột
    D)", `Block.end_mark`; none without one): labels that move when cells of their column
    alone are inserted or deleted, which move the figures to other rows. The key columns
    need none: "Tổng cộng" is merged over them, which keeps their cells from shifting."""
    head_mark: tuple[str, str] | None = None
    """(cell, text) of the row mark on the heading row, in the empty column right of the table
    (`Block.row_mark`; None without one): the place every data row's mark is judged against."""
    row_marks: tuple[tuple[str, str], ...] = ()
    """(cell, text) of the row mark of each data row, beside the heading row's: a label that
    moves when cells of its row alone are inserted or deleted ("Insert cells, shift right"),
    which move the row's figures to other columns. A column inserted or deleted right of the
    table moves every mark alike, the heading row's too, and moves no figure."""
    mark_moved: str = ""
    """What a data row's mark shows once the row's cells were shifted and the mark put back
    (`Block.row_mark_moved`; "": the marks are constants)."""

    @property
    def specs(self) -> list[RowSpec]:
        return [r.spec for r in self.rows]

    def measure_header(self, measure: Measure) -> str:
        """The cell of a measure's heading."""
        return f"{self.block.measure_column(measure.key)}{self.header_row}"

    @property
    def first_number(self) -> str:
        """The cell of the first column number "(1)", just above the first data row."""
        return f"{NUMBER_COLUMN}{self.number_row}"

    @property
    def total_label_cell(self) -> str:
        return f"{NUMBER_COLUMN}{self.total_row}"


def block_sheet(form: Form, block: Block, unit: Unit | None) -> BlockSheet:
    """Every cell of `block`'s sheet in the template of `unit` (None: a unit choosing per row)."""
    grid = block.grid
    specs = form.rows_for(block, unit)
    total_row = grid.total_row(len(specs))
    heads = [("STT", ""), *((kf.label, "") for kf in block.key_fields)]
    heads += [(m.label, m.unit) for m in block.measures] + [(t.label, t.unit) for t in block.totals]
    columns = tuple(
        Column(letter, label, f"({unit_of})" if unit_of else "", f"({i + 1})")
        for i, (letter, (label, unit_of)) in enumerate(zip(grid.all_columns, heads, strict=True))
    )
    rows = tuple(
        SheetRow(
            spec=spec,
            number_cell=f"{NUMBER_COLUMN}{spec.row}",
            number=n + 1,
            keys=tuple(
                KeyCell(
                    kf,
                    f"{kf.column}{spec.row}",
                    form.names(kf.key)[spec.fixed[kf.key]] if kf.key in spec.fixed else None,
                )
                for kf in block.key_fields
            ),
            measures=tuple((m, f"{block.measure_column(m.key)}{spec.row}") for m in block.measures),
            totals=tuple(_row_total(block, t, spec.row) for t in block.totals),
        )
        for n, spec in enumerate(specs)
    )
    first, last = grid.label_columns
    mark_column = col_letter(col_index(grid.last_column) + 1)  # the first empty column
    sums = tuple(
        SumCell(key, f"{col}{total_row}", sum_of, (col,), grid.first_row, total_row - 1, inputs)
        for key, col, sum_of, inputs in [
            *((m.key, block.measure_column(m.key), (m.key,), True) for m in block.measures),
            *((t.key, block.total_column(t.key), t.sum_of, False) for t in block.totals),
        ]
    )
    return BlockSheet(
        block=block,
        header_row=grid.header_row,
        unit_row=grid.unit_row,
        number_row=grid.number_row,
        title_range=f"{NUMBER_COLUMN}{TITLE_ROW}:{grid.last_column}{TITLE_ROW}",
        subtitle_range=f"{NUMBER_COLUMN}{SUBTITLE_ROW}:{grid.last_column}{SUBTITLE_ROW}",
        columns=columns,
        rows=rows,
        total_row=total_row,
        total_label=f"{first}{total_row}:{last}{total_row}",
        column_sums=sums,
        checks=form.block_checks(block),
        end_marks=tuple(
            (f"{col}{total_row + 1}", block.end_mark.format(column=col))
            for col in (block.measure_column(m.key) for m in block.measures)
        )
        if block.end_mark
        else (),
        head_mark=(f"{mark_column}{grid.header_row}", block.row_mark) if block.row_mark else None,
        row_marks=tuple((f"{mark_column}{spec.row}", block.row_mark) for spec in specs)
        if block.row_mark
        else (),
        mark_moved=block.row_mark_moved if block.row_mark else "",
    )


def _row_total(block: Block, total: RowTotal, row: int) -> SumCell:
    """A row total: the sum of its row's measures `total.sum_of`, as the pipeline reads them."""
    columns = tuple(sorted((block.measure_column(k) for k in total.sum_of), key=col_index))
    return SumCell(total.key, f"{block.total_column(total.key)}{row}", total.sum_of, columns, row, row, True)


@dataclass(frozen=True)
class InfoRow:
    """One field of the information sheet: its number, label and value cells."""

    field: InfoField
    number: int
    number_cell: str
    label_cell: str


@dataclass(frozen=True)
class InfoSheet:
    """The cells of the information sheet."""

    title_range: str
    subtitle_range: str
    section_range: str  # "THÔNG TIN CHUNG"
    rows: tuple[InfoRow, ...]
    checks: SheetChecks
    end: tuple[str, str] | None = None
    """(cell, text) of the end mark under the last field in the values column (`InfoGrid.
    end_mark`; None without one): a label that moves when cells of that column alone are
    inserted or deleted, which move the answers away from their labels (brk15 F8)."""
    head_mark: tuple[str, str] | None = None
    """(cell, text) of the row mark on the heading row, right of the check columns
    (`InfoGrid.row_mark`; None without one), as `BlockSheet.head_mark`."""
    row_marks: tuple[tuple[str, str], ...] = ()
    """(cell, text) of the row mark of each field's row, as `BlockSheet.row_marks`: cells of
    one row inserted or deleted alone move the answer out of the values column."""
    mark_moved: str = ""
    """As `BlockSheet.mark_moved` (`InfoGrid.row_mark_moved`)."""

    @property
    def last_row(self) -> int:
        return self.rows[-1].field.row

    def labels(self, with_end: bool = True) -> list[tuple[str, str]]:
        """The (cell, text) the reader and the template's own check find in place, in the
        reader's order: each field's label, then the end mark (`with_end`: the file's
        template wrote one, `grid.META_KEYS` "end_marks")."""
        labels = [(r.label_cell, r.field.label) for r in self.rows]
        return labels + [self.end] if with_end and self.end else labels


def info_sheet(form: Form) -> InfoSheet:
    """Every cell of the information sheet (the same in every unit's template)."""
    grid = form.info_grid
    rows = tuple(
        InfoRow(f, i + 1, f"{NUMBER_COLUMN}{f.row}", f"{grid.label_column}{f.row}")
        for i, f in enumerate(form.info_fields)
    )
    last = grid.last_column
    end_row = rows[-1].field.row + 1
    checks = form.info_checks()
    mark_column = col_letter(col_index(checks.text_column) + 1)  # right of the check columns
    return InfoSheet(
        title_range=f"{NUMBER_COLUMN}{TITLE_ROW}:{last}{TITLE_ROW}",
        subtitle_range=f"{NUMBER_COLUMN}{SUBTITLE_ROW}:{last}{SUBTITLE_ROW}",
        section_range=f"{NUMBER_COLUMN}{SECTION_ROW}:{last}{SECTION_ROW}",
        rows=rows,
        checks=checks,
        end=(f"{grid.value_column}{end_row}", grid.end_mark) if grid.end_mark else None,
        head_mark=(f"{mark_column}{checks.header_row}", grid.row_mark) if grid.row_mark else None,
        row_marks=tuple((f"{mark_column}{r.field.row}", grid.row_mark) for r in rows)
        if grid.row_mark
        else (),
        mark_moved=grid.row_mark_moved if grid.row_mark else "",
    )


def label_cells(sheet: BlockSheet, with_end: bool = True) -> list[tuple[str, str]]:
    """The (cell, text) a filled block sheet must still show where the template put it, in the
    order they are checked: the first column number, the measure headings, "Tổng cộng", the
    preset key names, then the end marks (`with_end`: the file's template wrote them,
    `grid.META_KEYS` "end_marks")."""
    labels = [(sheet.first_number, sheet.columns[0].number)]
    labels += [(sheet.measure_header(m), m.label) for m in sheet.block.measures]
    labels.append((sheet.total_label_cell, TOTAL_LABEL))
    labels += [(k.cell, k.name) for r in sheet.rows for k in r.keys if k.name is not None]
    return labels + list(sheet.end_marks) if with_end else labels


def row_marks(sheet: InfoSheet | BlockSheet) -> list[tuple[str, str]]:
    """The (cell, text) of every row mark of `sheet`, the heading row's first ([] without)."""
    return [*([sheet.head_mark] if sheet.head_mark else []), *sheet.row_marks]
