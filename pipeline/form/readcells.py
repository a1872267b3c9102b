"""Where the template's reading cells of an input cell are (`form.grid.READING_FIRST`): the
number columns of a form in the order of their reading cells, and the READ step's cell of
one input. The template writer (`render.numbercells`) writes them there; the reader
(`read.witness`) reads what the file's last calculation left in them."""

from __future__ import annotations

from .address import col_letter, row_of
from .grid import READ_STEPS, READING_FIRST
from .model import Form


def reading_columns(form: Form) -> tuple[tuple[str, str], ...]:
    """(sheet, column) of each number column of `form`'s templates, in the order of their
    reading cells (`READING_FIRST`)."""
    cols = [
        (form.sheets["info"], f.column) for f in form.info_fields if f.type == "count" and not f.prefilled
    ]
    cols += [(b.sheet, b.measure_column(m.key)) for b in form.blocks.values() for m in b.measures]
    return tuple(dict.fromkeys(cols))


def read_step_cell(form: Form, sheet: str, cell: str) -> str | None:
    """The lists sheet's READ cell ("AM11") of input `cell` ("C11") of `sheet`: what the
    template's formulas last read there; None when `cell` is in no number column."""
    column, row = cell.rstrip("0123456789"), row_of(cell)
    columns = reading_columns(form)
    if (sheet, column) not in columns:
        return None
    at = READING_FIRST + READ_STEPS.index("read") * len(columns) + columns.index((sheet, column))
    return f"{col_letter(at)}{row}"
