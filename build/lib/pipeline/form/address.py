"""A1 cell addresses: column letters and row numbers, the one parser and printer of them."""

from __future__ import annotations

import re

CELL_ADDRESS = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})")
"""An A1 cell address (column letters, row number), as every module matches one."""


def col_letter(index: int) -> str:
    """0-based column index to Excel letters (0 -> A)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def col_index(letters: str) -> int:
    """Excel letters to 0-based column index (A -> 0)."""
    value = 0
    for ch in letters.upper():
        value = value * 26 + (ord(ch) - 64)
    return value - 1


def cell_at(cell: str) -> tuple[int, int]:
    """0-based (row, column) of an A1 address ("C8" -> (7, 2)). Raises ValueError if not one."""
    m = CELL_ADDRESS.fullmatch(cell)
    if m is None:
        raise ValueError(f"not an A1 cell address: {cell!r}")
    return int(m.group(2)) - 1, col_index(m.group(1))


def row_of(cell: str) -> int:
    """1-based row number of an A1 address ("C8" -> 8). Raises ValueError if not one."""
    return cell_at(cell)[0] + 1


def a1(row: int, column: int) -> str:
    """The A1 address of 0-based (row, column) ((7, 2) -> "C8")."""
    return f"{col_letter(column)}{row + 1}"
