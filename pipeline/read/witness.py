"""What the template's own formulas saw in an input cell when the file was last calculated:
the witness of the 0 or blank a formula in an input cell stores.

A formula stores its result; a library that writes formulas without calculating them
(Apache POI, SheetJS …) stores 0 or nothing, which reads like a 0 Excel or LibreOffice
calculated. The template's reading cells (`form.readcells.read_step_cell`, on the hidden lists
sheet) hold what each input cell held at the file's last calculation. Where they agree
with every number typed in the file's input cells, the file was calculated after the unit
typed and the cells are where this form puts them; then the reading cell of a formula's
cell tells whether its stored 0 or blank is what the application calculated (`Verdict`).

The lists sheet is read only for a file holding such a formula, by opening the file a
second time (`Witnesses.load`): no cost for the files that hold none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from ..form import Form
from ..form.grid import TEXT_MARK
from ..form.readcells import read_step_cell, reading_columns
from .reader import SheetData, split_cell

# what a reading cell holds for an input cell that shows nothing: blank, or the empty
# text of `=IF(…;"";…)` (TEXT_MARK followed by the cell's text)
NOTHING = ("", TEXT_MARK)


class Verdict(Enum):
    """What a formula's stored 0 or blank is, by its witness."""

    CALCULATED = "calculated"  # what the application calculated: read as stored
    BLANK = "blank"  # a 0 stored for the empty text the application calculated (.xls)
    STALE = "stale"  # not what the application calculated: no figure (FORMULA_NO_VALUE)
    UNKNOWN = "unknown"  # no witness to judge by: the file's totals judge it


def _number(value: Any) -> float | None:
    return value if value.__class__ in (float, int) else None


@dataclass
class Witnesses:
    """The reading cells of one file, loaded on first use by `load` (the lists sheet, or
    None when the file has none or it cannot be read); `inputs`: the file's sheets read
    (name -> SheetData); `zero_for_empty`: the format stores a formula's empty text as 0
    (LibreOffice's .xls)."""

    form: Form
    inputs: dict[str, SheetData]
    load: Callable[[], SheetData | None]
    zero_for_empty: bool = False
    _lists: SheetData | None = None
    _agree: bool | None = None

    def _witness(self, sheet: str, cell: str) -> tuple[bool, Any]:
        """(True, what the reading cell of `sheet`!`cell` stores) when it is a formula
        holding a result; (False, None) otherwise."""
        at = read_step_cell(self.form, sheet, cell)
        lists = self._lists
        if at is None or lists is None or at not in lists.formula_results or at in lists.errors:
            return False, None
        value = lists.get(at)
        return True, "" if value is None else value

    def _agrees(self) -> bool:
        """True when some typed number other than 0 in the file's input cells has a
        witness, and every witness of a typed number holds that number: the file was
        calculated after the unit typed (a template never calculated stores 0 in its
        reading cells), and its reading cells are where this form puts them."""
        if self._agree is None:
            self._lists = self.load()
            seen = 0
            agree = self._lists is not None
            for sheet_name, column in reading_columns(self.form) if agree else ():
                sheet = self.inputs.get(sheet_name)
                if sheet is None:
                    continue
                col = split_cell(f"{column}1")[0]
                for r, row in enumerate(sheet.rows, start=1):
                    typed = _number(row[col]) if col < len(row) else None
                    cell = f"{column}{r}"
                    if typed is None or cell in sheet.formula_results or cell in sheet.errors:
                        continue
                    held, value = self._witness(sheet_name, cell)
                    if not held:
                        continue
                    if _number(value) != typed:
                        agree = False
                        break
                    seen += typed != 0
                if not agree:
                    break
            self._agree = agree and seen > 0
        return self._agree

    def verdict(self, sheet: str, cell: str, stored: str) -> Verdict:
        """What the 0 (`stored` "zero") or blank ("blank") a formula in input `cell` of
        `sheet` stores is, by its reading cell (`Verdict`)."""
        if stored not in ("zero", "blank") or not self._agrees():
            return Verdict.UNKNOWN
        held, value = self._witness(sheet, cell)
        if not held:
            return Verdict.UNKNOWN
        nothing = value in NOTHING
        if stored == "zero":
            if _number(value) == 0:
                return Verdict.CALCULATED
            if nothing and self.zero_for_empty:
                return Verdict.BLANK
            return Verdict.STALE
        return Verdict.CALCULATED if nothing else Verdict.STALE
