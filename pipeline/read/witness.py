"""What the template's own formulas saw in an input cell when the file was last calculated:
the witness of the 0 or blank a formula in an input cell stores.

A formula stores its result; a library that writes formulas without calculating them
(Apache POI, SheetJS …) stores 0 or nothing, which reads like a 0 Excel or LibreOffice
calculated. The template's reading cells (`form.readcells.read_step_cell`, on the hidden lists
sheet) hold what each input cell held at the file's last calculation. Where one of them
holds the number the unit typed in its input, the cells are where this form puts them and
were calculated with the unit's figures; then the reading cell of a formula's cell tells
whether its stored 0 or blank is what the application calculated (`Verdict`), unless the
formula's row holds a number its reading cell does not (typed in after the calculation, by
a writer that does not calculate: the formula's stored result is older than its row).

The lists sheet is read only for a file holding such a formula, by opening the file a
second time (`Witnesses.load`): no cost for the files that hold none.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from ..form import Form
from ..form.grid import TEXT_MARK
from ..form.readcells import read_step_cell, reading_columns
from .reader import SheetData, split_cell


class Verdict(Enum):
    """What a formula's stored 0 or blank is, by its witness."""

    CALCULATED = "calculated"  # what the application calculated: read as stored
    BLANK = "blank"  # a 0 stored for the empty text the application calculated (.xls):
    # the reading cell holds TEXT_MARK alone (the empty text of `=IF(…;"";…)`), where a
    # cell blank when calculated (no formula there yet) leaves it blank
    STALE = "stale"  # not what the application calculated: no figure (FORMULA_NO_VALUE)
    UNKNOWN = "unknown"  # no witness to judge by: the file's totals judge it


def _number(value: Any) -> float | None:
    """The number a reading cell holds: a number, or a formula's number result given as its
    digits (python-calamine gives some .xls writers' cached results so: "589.0"); None for
    its text (TEXT_MARK first), a blank or a code."""
    if value.__class__ in (float, int):
        return value
    if isinstance(value, str) and value and not value.startswith(TEXT_MARK):
        try:
            return float(value)
        except ValueError:
            return None
    return None


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
    _placed: bool | None = None  # the reading cells are where this form puts them
    _edited: set[tuple[str, int]] = field(default_factory=set)  # rows typed in since calculated

    def _witness(self, sheet: str, cell: str) -> tuple[bool, Any]:
        """(True, what the reading cell of `sheet`!`cell` stores) when it is a formula
        holding a result; (False, None) otherwise."""
        at = read_step_cell(self.form, sheet, cell)
        lists = self._lists
        if at is None or lists is None or at not in lists.formula_results or at in lists.errors:
            return False, None
        value = lists.get(at)
        return True, "" if value is None else value

    def _text_as_zero(self, sheet: str, cell: str) -> bool:
        """Whether the reading cell of `sheet`!`cell` stores a 0 that may stand for text
        (`SheetData.text_as_zero`: LibreOffice's .xls, the template's reading cells being
        formatted as numbers): it cannot tell a lost text from a 0."""
        at = read_step_cell(self.form, sheet, cell)
        return at is not None and self._lists is not None and at in self._lists.text_as_zero

    def _unvalued(self, sheet: str, cell: str) -> bool:
        """Whether the reading cell of `sheet`!`cell` is a formula storing no result."""
        at = read_step_cell(self.form, sheet, cell)
        return at is not None and self._lists is not None and at in self._lists.formulas_without_value

    def _compare(self) -> bool:
        """Compare every number typed in the file's input cells with its reading cell, once:
        the rows where they differ were typed in after the file was last calculated
        (`_edited`: (sheet, row)), and so are those whose reading cell stores no result in a
        file where others do; True when some typed number other than 0 equals its
        reading cell's (a template never calculated stores 0 there), so the reading cells
        are where this form puts them and were calculated with the unit's figures."""
        if self._placed is None:
            self._lists = self.load()
            matched = 0
            for sheet_name, column in reading_columns(self.form) if self._lists is not None else ():
                sheet = self.inputs.get(sheet_name)
                if sheet is None:
                    continue
                col = split_cell(f"{column}1")[0]
                for r, row in enumerate(sheet.rows, start=1):
                    typed = row[col] if col < len(row) and row[col].__class__ in (float, int) else None
                    cell = f"{column}{r}"
                    if cell in sheet.formulas_without_value or (
                        typed is not None
                        and cell in sheet.formula_results
                        and self._uncalculated(sheet, cell, typed)
                    ):
                        # a formula written since the file was calculated (POI's HSSF stores
                        # 0 for it): the file was not calculated after it (brk51 F2)
                        self._edited.add((sheet_name, r))
                        continue
                    if typed is None or cell in sheet.formula_results or cell in sheet.errors:
                        continue
                    held, value = self._witness(sheet_name, cell)
                    if not held:
                        if self._unvalued(sheet_name, cell):
                            # its reading cell's result is gone (ExcelJS drops an empty text
                            # result when it writes the row): it does not witness the number
                            self._edited.add((sheet_name, r))
                        continue
                    if _number(value) == typed:
                        matched += typed != 0
                    else:
                        self._edited.add((sheet_name, r))
            self._placed = matched > 0
        return self._placed

    def _uncalculated(self, sheet: SheetData, cell: str, stored: float) -> bool:
        """Whether the number a formula in input `cell` of `sheet` stores is not what its
        reading cell saw at the file's last calculation (the two are calculated together):
        a formula written, or its result stored, by a writer that does not calculate. A 0
        that may stand for text, or for the empty text its reading cell saw in a format
        storing it as 0 (`zero_for_empty`), or a reading cell with no result, says nothing."""
        held, value = self._witness(sheet.name, cell)
        if not held or cell in sheet.text_as_zero or cell in sheet.errors:
            return False
        if stored == 0 and value == TEXT_MARK and self.zero_for_empty:
            return False
        seen = _number(value)
        return seen is None or not math.isclose(seen, stored, rel_tol=1e-12)

    def calculated_after_typing(self) -> bool:
        """True when the file was calculated after everything the unit typed: some typed
        number's reading cell holds it and none differs (a total the file holds that
        differs from the recomputed one then comes from its own formula, changed)."""
        return self._compare() and not self._edited

    def typed_after_calculation(self) -> bool:
        """True when the reading cells are where this form puts them and some input was
        typed in after the file's last calculation (`_edited`): the file was saved without
        recalculating after an input changed, so no stored result of a formula in an input
        cell is vouched for (it may be older than the cells it refers to)."""
        return self._compare() and bool(self._edited)

    def verdict(self, sheet: str, cell: str, stored: str) -> Verdict:
        """What the 0 (`stored` "zero"; "text": a 0 that may stand for a text result) or
        blank ("blank") a formula in input `cell` of `sheet` stores is, by its reading cell
        (`Verdict`)."""
        if stored not in ("zero", "blank", "text") or not self._compare():
            return Verdict.UNKNOWN
        if (sheet, split_cell(cell)[1]) in self._edited:
            return Verdict.STALE  # its row was typed in after: its stored result is older
        held, value = self._witness(sheet, cell)
        if not held:
            return Verdict.UNKNOWN
        if stored == "text":  # a 0 standing for text, seen by a cell that may store text so too
            if self._text_as_zero(sheet, cell):
                return Verdict.UNKNOWN
            stored = "zero"
        if stored == "zero":
            if _number(value) == 0:
                return self._same()
            if value == TEXT_MARK and self.zero_for_empty:
                return Verdict.BLANK if not self._edited else Verdict.UNKNOWN
            return Verdict.STALE
        # a blank reading cell: the input was blank, no formula there yet, when calculated
        return self._same() if value == TEXT_MARK else Verdict.STALE

    def _same(self) -> Verdict:
        """The verdict on a stored result its reading cell saw too: what the application
        calculated, unless rows were typed in after the calculation (`_edited`): the formula
        may count them (`=I14*0.01`), so the file's totals judge it (UNKNOWN)."""
        return Verdict.UNKNOWN if self._edited else Verdict.CALCULATED
