"""Where things sit on each sheet of the template: the one owner of rows and columns.

Every row and column offset of the template is decided here, from the numbers of
`layout.toml` (first rows, label and value columns, the check area) and the number of key
fields, measures and totals of a block. The template writer, the extractor, the form JSON
and the checks ask these objects for a cell; none of them adds or subtracts a row.

A block sheet, top to bottom (rows 1-based, `first_row` from layout.toml):

    1                title (merged over every column of the block)
    2                year and unit (merged)
    declare_row      "nothing to report": label in B, the unit's mark in C
    first_row - 3    column headers        (the check area's headers too)
    first_row - 2    units of the columns  ("(người)")
    first_row - 1    column numbers        ("(1)", "(2)", …)
    first_row …      data rows: A the row number, then the key fields, measures, row totals
    after the last   "Tổng cộng" (merged over A and the key fields), then the column sums

Right of the block, after `gap_columns` empty columns: the per-row error count and text of
the live checks, whose sheet summary is in row 2.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .address import col_index, col_letter

NUMBER_COLUMN = "A"  # the row number (STT) of block and information sheets
TITLE_ROW = 1  # the sheet's title, merged over the block's columns
SUBTITLE_ROW = 2  # year and unit (block sheets), year and form number (information sheet)
SECTION_ROW = 3  # the information sheet's heading ("THÔNG TIN CHUNG")
SUMMARY_ROW = 2  # the live checks' summary of a sheet (count and text)
DECLARE_LABEL_COLUMN = "B"  # the "nothing to report" label; the mark is in the next column
META_KEYS = ("form_id", "version", "unit_code", "year", "scheme", "end_marks", "row_marks")
"""The marker sheet's keys, one a row; `scheme` (the unit code's scheme), `end_marks` (1:
the template has the end marks under its columns, `sheets.InfoSheet.end`, `BlockSheet.
end_marks`) and `row_marks` (1: the marks right of its rows, `BlockSheet.row_marks`, as
constants; 2: the data rows' marks as formulas, `ROW_MARK_FORMULAS`) came last, so the
others keep their cells in every template ever sent."""
ROW_MARK_FORMULAS = 2  # `row_marks` of a template whose data rows' marks are formulas


def meta_cell(key: str) -> str:
    """Cell of the hidden marker sheet that holds `key` (its label sits in column A)."""
    return f"B{META_KEYS.index(key) + 1}"


def meta_label_cell(key: str) -> str:
    """Cell of the hidden marker sheet that names `key`."""
    return f"A{META_KEYS.index(key) + 1}"


@dataclass(frozen=True)
class RowSpec:
    """One data row of a block in a given unit's template."""

    row: int
    """The sheet row."""
    fixed: dict[str, str] = field(default_factory=dict)
    """Key field -> code, for the keys the template presets on this row (none: the unit chooses)."""


@dataclass(frozen=True)
class CheckLayout:
    """Where the template's live checks and "nothing to report" declarations go
    (`[checks]` of layout.toml)."""

    declare_row: int = 3
    """`declare_row`: the row of each block sheet where the unit declares it has nothing to
    report (label in column B, the cell in C); between the subtitle and the block's headers."""
    declare_label: str = "Không có số liệu để báo cáo ở trang này: chọn «x» ở ô bên cạnh"
    """`declare_label`: the text beside the declaration cell."""
    declare_mark: str = "x"
    """`declare_mark`: what the unit types (or chooses) in the declaration cell."""
    gap_columns: int = 1
    """`gap_columns`: empty columns between a block's last column and its two check columns."""
    overview_row: int = 19
    """`overview_row`: the first row of the check summary on the first sheet, column B."""

    @property
    def declare_label_cell(self) -> str:
        return f"{DECLARE_LABEL_COLUMN}{self.declare_row}"

    @property
    def declare_cell(self) -> str:
        """Where a unit marks a block sheet as having nothing to report ("C3")."""
        return f"{col_letter(col_index(DECLARE_LABEL_COLUMN) + 1)}{self.declare_row}"

    @property
    def overview_label_cell(self) -> str:
        return f"B{self.overview_row}"

    @property
    def overview_cell(self) -> str:
        """The whole workbook's check result on the first sheet."""
        return f"B{self.overview_row + 1}"

    def overview_sheet_cell(self, index: int) -> str:
        """The line of the `index`-th sheet (0: the information sheet) under the result."""
        return f"B{self.overview_row + 2 + index}"


@dataclass(frozen=True)
class SheetChecks:
    """The live-check cells of one sheet of the template ("Kiểm tra").

    `count_column`/`text_column`: per data row (or per field), the number of errors and a
    Vietnamese text naming each problem; `count_cell`: the sheet's number of errors;
    `summary_cell`: "Đạt" or "Còn N lỗi: …"; `header_row`: where the per-row columns are
    labelled; `declare_cell`: the block's "nothing to report" cell (None on the info sheet).
    They sit right of the block's last column and above its headers: no input cell moves.
    """

    sheet: str
    """The sheet's name."""
    block: str | None
    """The block's key; None on the information sheet."""
    count_column: str
    """Per data row (or field): the number of errors."""
    text_column: str
    """Per data row (or field): the text naming each problem."""
    header_row: int
    """Where the per-row columns are labelled."""
    declare_cell: str | None = None
    """The block's "nothing to report" cell; None on the information sheet."""

    @property
    def count_cell(self) -> str:
        return f"{self.count_column}{SUMMARY_ROW}"

    @property
    def summary_cell(self) -> str:
        return f"{self.text_column}{SUMMARY_ROW}"


@dataclass(frozen=True)
class BlockGrid:
    """The rows and columns of one block sheet (see the module docstring for the picture)."""

    first_row: int
    """`first_row` of the block's table in layout.toml: the first data row (the headers,
    units and column numbers take the three rows above)."""
    key_columns: tuple[str, ...]
    """Not configured: one column letter a key field, in order, right of the row number."""
    columns: dict[str, str]
    """Not configured: measure and row-total keys -> column letters, in order, right of the keys."""

    @classmethod
    def of(
        cls, first_row: int, key_fields: int, measures: tuple[str, ...], totals: tuple[str, ...]
    ) -> BlockGrid:
        """Key fields right of the row number, then one column a measure, then the row totals."""
        first = col_index(NUMBER_COLUMN) + 1
        keys = tuple(col_letter(first + i) for i in range(key_fields))
        columns = {k: col_letter(first + key_fields + i) for i, k in enumerate((*measures, *totals))}
        if len(columns) != len(measures) + len(totals):
            raise ValueError("a measure and a row total share a key")
        return cls(first_row, keys, columns)

    @property
    def header_row(self) -> int:
        return self.first_row - 3

    @property
    def unit_row(self) -> int:
        return self.first_row - 2

    @property
    def number_row(self) -> int:
        """The row of the column numbers "(1)", "(2)", …, just above the data."""
        return self.first_row - 1

    def row(self, index: int) -> int:
        """The sheet row of the `index`-th data row (0-based index)."""
        return self.first_row + index

    def total_row(self, data_rows: int) -> int:
        """The "Tổng cộng" row under `data_rows` data rows."""
        return self.first_row + data_rows

    @property
    def all_columns(self) -> tuple[str, ...]:
        """Every column of the block, left to right: number, key fields, measures, totals."""
        return (NUMBER_COLUMN, *self.key_columns, *self.columns.values())

    @property
    def last_column(self) -> str:
        return self.all_columns[-1]

    @property
    def label_columns(self) -> tuple[str, str]:
        """First and last column of the "Tổng cộng" label (the row number and key fields)."""
        return NUMBER_COLUMN, (self.key_columns or (NUMBER_COLUMN,))[-1]

    @property
    def frozen(self) -> tuple[int, int]:
        """0-based (row, column) of the first cell that scrolls: data rows, measure columns."""
        return self.first_row - 1, col_index(next(iter(self.columns.values())))

    def checks(self, checks: CheckLayout, sheet: str, block: str) -> SheetChecks:
        first = col_index(self.last_column) + 1 + checks.gap_columns
        return SheetChecks(
            sheet=sheet,
            block=block,
            count_column=col_letter(first),
            text_column=col_letter(first + 1),
            header_row=self.header_row,
            declare_cell=checks.declare_cell,
        )


@dataclass(frozen=True)
class InfoGrid:
    """The rows and columns of the information sheet: one field a row (`[info]` of layout.toml)."""

    first_row: int
    """`first_row`: the row of the first field (its number in column A)."""
    label_column: str
    """`label_column`: where each field's label is ("B")."""
    value_column: str
    """`value_column`: where the unit answers ("C")."""
    end_mark: str = ""
    """`end_mark`: the label under the last field in the values column ("" for none): it
    moves when cells of that column alone are inserted or deleted (`sheets.InfoSheet.end`)."""
    row_mark: str = ""
    """layout.toml's `row_mark`: the label right of the check columns on the heading row and
    on each field's row ("" for none; `sheets.InfoSheet.row_marks`)."""
    row_mark_moved: str = ""
    """layout.toml's `row_mark_moved`, as `model.Block.row_mark_moved`."""

    def row(self, index: int) -> int:
        return self.first_row + index

    @property
    def header_row(self) -> int:
        """The row above the first field, where the check columns are labelled."""
        return self.first_row - 1

    @property
    def last_column(self) -> str:
        return self.value_column

    def checks(self, sheet: str) -> SheetChecks:
        value_col = col_index(self.value_column)
        return SheetChecks(
            sheet=sheet,
            block=None,
            count_column=col_letter(value_col + 1),
            text_column=col_letter(value_col + 2),
            header_row=self.header_row,
        )


# ----- the other sheets ---------------------------------------------------------------
LIST_KEYS = ("region", "category", "source")  # the hidden lists sheet: one column each, in order


def list_range(key: str, length: int) -> tuple[str, str, str]:
    """The hidden lists sheet's column of list `key` with `length` entries:
    (first cell, last cell, absolute range "$A$1:$A$12")."""
    col = col_letter(LIST_KEYS.index(key))
    return f"{col}1", f"{col}{length}", f"${col}$1:${col}${length}"


# The template's reading cells, on the lists sheet right of the lists (their accepted
# spellings and their items' numbers after them): each number column of the template (the
# information sheet's counts the unit types, then each block's measures) has one cell per
# step in the row of its input, step s of column n in column READING_FIRST + s*count + n
# (`render.numbercells.Readers` writes their formulas; `form.readcells` finds them). The READ step holds what its input
# cell held when the file was last calculated: its number, TEXT_MARK + its text, "" when
# blank.
TEXT_MARK = "'"  # the READ step holds a text input as TEXT_MARK + its text
READ_STEPS = ("value", "word", "read")  # left to right: a step reads the one on its right
READING_FIRST = 3 * len(LIST_KEYS) + 3  # 0-based column of the first reading cell


INSTRUCTIONS_FIRST_ROW = 2  # the first line of the instructions sheet, in column B


def instruction_cell(index: int) -> str:
    """The cell of the `index`-th line (0-based) of the instructions sheet."""
    return f"B{INSTRUCTIONS_FIRST_ROW + index}"
