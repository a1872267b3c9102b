"""The "nothing to report" declaration cell of each block sheet, as read from a file."""

from __future__ import annotations

from collections.abc import Mapping

from ..form import Form
from ..text.values import parse_text
from .reader import SheetData


def declared_blocks(form: Form, sheets: Mapping[str, SheetData]) -> tuple[str, ...]:
    """Keys of the blocks whose declaration cell holds anything (a mark such as «x»)."""
    out = []
    for block in form.blocks.values():
        sheet = sheets.get(block.sheet)
        if sheet is not None and parse_text(sheet.get(form.declare_cell(block))):
            out.append(block.key)
    return tuple(out)
