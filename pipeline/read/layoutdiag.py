"""Why a label is not where the form puts it: rows or columns inserted or deleted, a moved block.

When a unit edits an unprotected copy of the template, the labels the form expects at fixed
cells move with the rows and columns around them. Finding the expected label nearby tells the
unit exactly what changed (and so how to undo it), instead of a bare "layout changed".
A row's mark right of the table (`form.sheets.BlockSheet.row_marks`) found left or right of
its place tells cells of that row deleted or inserted (`misplaced_row_mark`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Sequence
from typing import Any, NamedTuple

from ..form import col_letter, norm_text
from ..rules.catalogue import LAYOUT_WORDS, SHEET_WORDS
from ..text.values import parse_text
from .reader import split_cell

ROW_REACH = 60  # rows searched above and below the expected cell
COLUMN_REACH = 12  # columns searched left and right
SHIFT_AGREEMENT = 0.75  # share of the labels past the change that a shift must explain


def find_shift(rows: list[list[Any]], cell: str, expected: str) -> tuple[int, int] | None:
    """Where the label `expected`, due at A1 address `cell`, actually is, as an offset.

    `rows` is the sheet's values (list of rows, each a list of cells). Returns
    (rows down, columns right) of the nearest cell holding that text (same column first,
    then same row, then anywhere within reach), or None when it is nowhere near.
    """
    col, row = split_cell(cell)
    row -= 1
    want = norm_text(expected)
    if not want:
        return None

    def holds(r: int, c: int) -> bool:
        if 0 <= r < len(rows) and 0 <= c < len(rows[r]):
            v = rows[r][c]
            return v not in (None, "") and norm_text(parse_text(v)) == want
        return False

    for d in range(1, ROW_REACH + 1):  # rows inserted or deleted: same column
        for dr in (d, -d):
            if holds(row + dr, col):
                return dr, 0
    for d in range(1, COLUMN_REACH + 1):  # columns inserted or deleted: same row
        for dc in (d, -d):
            if holds(row, col + dc):
                return 0, dc
    best: tuple[int, int] | None = None
    for dr in range(-ROW_REACH, ROW_REACH + 1):  # the whole block moved
        for dc in range(-COLUMN_REACH, COLUMN_REACH + 1):
            if (dr or dc) and holds(row + dr, col + dc):
                if best is None or abs(dr) + abs(dc) < abs(best[0]) + abs(best[1]):
                    best = (dr, dc)
    return best


def layout_shift(
    rows: list[list[Any]], labels: list[tuple[str, str]], ends: Collection[tuple[str, str]] = ()
) -> tuple[int, int] | None:
    """The shift that explains the misplaced labels of `labels` ((A1 cell, text) pairs), or None.

    One deleted row leaves its own label nowhere, but every label below it one row up: the
    most common shift among the misplaced labels is the candidate. It is kept only when most
    labels past the first misplaced one (below it for a row shift, right of it for a column
    shift) hold their text at the shifted place: a label that was only edited, whose text
    also stands in the next row (a district's name repeated on every row), is not a shift.
    The columns' end marks (`ends`) are never among the labels a shift must explain: cells of
    one column inserted or deleted move its mark alone (the others stay), and a row shift
    inside the table is judged as it was before the marks were written. A mark moved alone,
    the lowest label of its sheet, leaves none past it: its shift is kept.
    """

    def holds(r: int, c: int, expected: str) -> bool:
        return _holds(rows, r, c, expected)

    placed = [(*split_cell(cell), expected) for cell, expected in labels]  # (col, row 1-based, text)
    misplaced = [(c, r, e) for c, r, e in placed if not holds(r - 1, c, e)]
    shifts: Counter[tuple[int, int]] = Counter()
    for c, r, e in misplaced:
        shift = find_shift(rows, f"{col_letter(c)}{r}", e)
        if shift is not None:
            shifts[shift] += 1
    if not shifts:
        return None
    dr, dc = shifts.most_common(1)[0][0]
    first_row = min(r for _c, r, _e in misplaced)
    first_col = min(c for c, _r, _e in misplaced)
    gone_rows = range(first_row, first_row - dr) if dr < 0 else range(0)  # deleted: nothing to find
    gone_cols = range(first_col, first_col - dc) if dc < 0 else range(0)
    marks = {(*split_cell(cell), text) for cell, text in ends}
    past = [
        (c, r, e)
        for c, r, e in placed
        if (c, r, e) not in marks
        if (dr == 0 or r >= first_row) and (dc == 0 or c >= first_col)
        if r not in gone_rows and c not in gone_cols
    ]
    explained = sum(holds(r - 1 + dr, c + dc, e) for c, r, e in past)
    return (dr, dc) if explained >= SHIFT_AGREEMENT * len(past) else None


def described(
    rows: list[list[Any]], labels: list[tuple[str, str]], first: int, shift: tuple[int, int]
) -> tuple[str, str]:
    """The label a sentence about `shift` names: the first misplaced label of `labels` ((A1
    cell, text) pairs, the reader's order), from index `first` (the first misplaced one), that
    holds its text at the shifted place, so that "… đang ở ô …" is true; the first misplaced
    one when none does (its own row deleted, the others moved past it)."""
    dr, dc = shift
    for cell, expected in labels[first:]:
        col, row = split_cell(cell)
        if _holds(rows, row - 1, col, expected):
            continue
        if _holds(rows, row - 1 + dr, col + dc, expected):
            return cell, expected
    return labels[first]


def _holds(rows: list[list[Any]], r: int, c: int, expected: str) -> bool:
    if 0 <= r < len(rows) and 0 <= c < len(rows[r]):
        v = rows[r][c]
        return v not in (None, "") and norm_text(parse_text(v)) == norm_text(expected)
    return False


def shift_message(
    cell: str, expected: str, found: str, shift: tuple[int, int] | None, column_end: bool = False
) -> str:
    """A Vietnamese sentence saying what changed around `cell` and how to fix it.

    `found` is what the cell shows now; `shift` comes from `layout_shift`. `column_end`: the
    label is a column's end mark (`form.sheets.InfoSheet.end`, `BlockSheet.end_marks`), so a
    shift of rows said of it is cells of its column inserted or deleted ("Insert cells, shift
    down"; or a row inserted right above the mark, which the words say too), not rows.
    """
    col, row = split_cell(cell)
    row -= 1
    w = LAYOUT_WORDS
    if shift is None:
        return w["changed"].format(cell=cell, expected=expected, found=found, fix=w["fix"])
    dr, dc = shift
    where = f"{col_letter(col + dc)}{row + dr + 1}"
    if column_end and dc == 0:
        kind = "cells_inserted" if dr > 0 else "cells_deleted"
        what = w[kind].format(n=abs(dr), row=row + 1, column=col_letter(col))
    elif dc == 0 and dr > 0:
        what = w["rows_inserted"].format(n=dr, row=row + 1)
    elif dc == 0:
        what = w["rows_deleted"].format(n=-dr, row=row + 1)
    elif dr == 0 and dc > 0:
        what = w["columns_inserted"].format(n=dc, column=col_letter(col))
    elif dr == 0:
        what = w["columns_deleted"].format(n=-dc, column=col_letter(col))
    else:
        what = w["block_moved"]
    return w["moved"].format(expected=expected, cell=cell, where=where, what=what, fix=w["fix"])


def row_mark_offset(rows: list[list[Any]], cell: str, text: str, moved: str = "") -> int | None:
    """Where the row mark `text` (or, given, what a formula mark shows once its row moved:
    `moved`), due at A1 address `cell`, is in its own row: columns right of `cell`
    (negative: left), 0 when in place; the nearest within COLUMN_REACH, right first at the
    same distance (as `find_shift`); None when it is nowhere in reach."""
    col, row = split_cell(cell)
    for d in range(COLUMN_REACH + 1):
        for dc in (d, -d) if d else (0,):
            if _holds(rows, row - 1, col + dc, text) or (moved and _holds(rows, row - 1, col + dc, moved)):
                return dc
    return None


def _stale(value: Any) -> bool:
    """Whether a formula mark's stored result is one it never gives (its results are texts):
    the number 0, which LibreOffice's .xls export stores for some formulas it did not
    calculate after opening an .xlsx without recalculating (brk22 F1: the information
    sheet's marks of the rows holding text answers); the applications show the mark, as
    they calculate the file on opening it. In such a format a formula cell storing 0 that
    slid into a mark's cell (the mark's cells deleted, its column deleted) is not told
    apart: those edits move no figure (only cells right of the figures move)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and value == 0


class RowMarkFault(NamedTuple):
    """A data row's mark not as the template left it (`misplaced_row_mark`): the cell it is
    due at, its text, how far right of that cell it is (None: nowhere in its row's reach;
    0 with `kind`), and `kind`: "" moved or gone, "put_back" (the due cell shows what a
    formula mark shows once its row's cells were shifted and it was put back), "typed" (the
    due cell holds the mark's text as a constant where the template's marks are formulas)."""

    cell: str
    text: str
    offset: int | None
    kind: str = ""


def misplaced_row_mark(
    rows: list[list[Any]],
    head: tuple[str, str],
    marks: Sequence[tuple[str, str]],
    moved: str = "",
    formulas: Callable[[str], bool] | None = None,
    unvalued: Collection[str] = (),
    blind: bool = False,
    zero_unread: bool = False,
) -> RowMarkFault | None:
    """The first data row's mark (`marks`, (A1 cell, text) top to bottom, `form.sheets.
    BlockSheet.row_marks`) not where the heading row's mark `head` says: its cell shifted as
    far as the heading row's mark moved (a column inserted or deleted right of the table
    moves them all alike; 0 when the heading row's mark is nowhere near, or when it moved
    alone: the first data row's mark is in its own cell and not at the heading's shift,
    brk18 F4). `moved`: what a formula mark shows once put back ("" for constant marks);
    `formulas`: whether a cell holds a formula, for a template whose marks are formulas
    (None: not asked); `unvalued`: formula cells whose writer stored no result (openpyxl);
    `blind`: no mark of the sheet can be read (its writer kept no formula, or no text
    result of one): every data row's mark is taken as in place. A typed mark counts only when some
    mark of the sheet is still a formula (a writer that keeps no formula, or values pasted
    over the whole sheet, leaves none). `zero_unread`: the file's format may store the number
    0 for a formula's text result (`formats.registry.Format.empty_text_as_zero`): a formula
    mark storing 0, the mark nowhere else in its row, is not judged (`_stale`). Returns the
    first fault, or None."""
    shift = row_mark_offset(rows, *head) or 0
    if shift and marks:
        (first, text), col = marks[0], split_cell(marks[0][0])[0]
        moved_with = f"{col_letter(col + shift)}{split_cell(first)[1]}"
        if row_mark_offset(rows, first, text) == 0 and row_mark_offset(rows, moved_with, text) != 0:
            shift = 0
    typed: RowMarkFault | None = None
    any_formula = False
    for cell, text in marks:
        col, row = split_cell(cell)
        r, c = row - 1, col + shift
        due = f"{col_letter(c)}{row}"
        value = rows[r][c] if r < len(rows) and c < len(rows[r]) else None
        if due in unvalued or blind:
            any_formula = True  # a formula whose writer never calculated it: not to be judged
            continue
        if value != text:  # the mark in place is the common case, without the text clean-up
            if moved and _holds(rows, r, c, moved):
                return RowMarkFault(due, text, 0, "put_back")
            offset = row_mark_offset(rows, due, text, moved)
            if offset is None and zero_unread and _stale(value) and formulas is not None and formulas(due):
                any_formula = True  # a formula mark whose writer stored a result it never gives
                continue
            if offset != 0:
                return RowMarkFault(due, text, offset)
        if formulas is not None:
            if formulas(due):
                any_formula = True
            elif typed is None:
                typed = RowMarkFault(due, text, 0, "typed")
    return typed if any_formula else None


def row_mark_message(fault: RowMarkFault, found: str) -> str:
    """A Vietnamese sentence saying that cells of the fault's row were inserted (its mark
    that far right of its due cell) or deleted left of its column, or put back after that
    (`RowMarkFault.kind`), or that the mark is not in its row (deleted or typed over;
    `found`, what the cell shows now), and how to fix it (`misplaced_row_mark`)."""
    w = LAYOUT_WORDS
    cell, expected, offset = fault.cell, fault.text, fault.offset
    col, row = split_cell(cell)
    if fault.kind:
        return w[f"row_{fault.kind}"].format(cell=cell, expected=expected, found=found, row=row, fix=w["fix"])
    if offset is None:
        return w["changed"].format(cell=cell, expected=expected, found=found, fix=w["fix"])
    kind = "row_cells_inserted" if offset > 0 else "row_cells_deleted"
    what = w[kind].format(n=abs(offset), row=row, column=col_letter(col))
    where = f"{col_letter(col + offset)}{row}"
    return w["moved"].format(expected=expected, cell=cell, where=where, what=what, fix=w["fix"])


def missing_sheet_message(sheet: str, strangers: list[str]) -> str:
    """Why the form's sheet `sheet` is not in the file; `strangers` are the file's other sheets.

    A sheet whose name is not the form's is most likely the missing one renamed.
    """
    if strangers:
        names = ", ".join(f"'{n}'" for n in strangers)
        return SHEET_WORDS["renamed"].format(sheet=sheet, names=names)
    return SHEET_WORDS["deleted"].format(sheet=sheet)
