"""A tiny evaluator for the formula shapes our workbooks write, over openpyxl workbooks.

Used to check totals without LibreOffice: every formula cell is evaluated from the cells it
names (recursively) and compared with sums the tests compute from the filled-in values.
It understands exactly these shapes and refuses any other (a new shape needs a new case
here, on purpose):

- `=SUM(range)`                    a range on the same sheet or another one;
- `=SUM(A1,B1,…)`                   references;
- `=SUMIF(range,"<N")`              the numbers under N of a range or cell (a template's totals,
                                    over its reading cells);
- `=SUM(SUMIF(A1:B1,"<N"),…)`       the same of several ranges or cells;
- `=Name`                           a reading cell (`render/numbercells.py`): a defined name
                                    whose formula reads one other cell (relative references,
                                    counted from the cell using it), down to an input cell;
                                    a number there is read as itself, a blank as blank (text,
                                    which the reading formulas read as the pipeline does, is
                                    refused here: LibreOffice and Gnumeric test that);
- `=SUMIFS(range, range, "text", …)` plain text criteria (no operators, no wildcards);
- `=A1+B1+…`                        references joined by `+`.

Ranges and references may carry a sheet (`'CT Kết quả'!$N$4:$N$20`) and `$` anchors.
"""

from __future__ import annotations

import re
from typing import Any

from openpyxl.utils.cell import (
    column_index_from_string,
    coordinate_to_tuple,
    get_column_letter,
    range_boundaries,
)
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.formula import ArrayFormula

_SHEET = r"(?:'(?:[^']|'')+'|[A-Za-z0-9_]+)"
_CELL = r"\$?[A-Z]{1,3}\$?[0-9]+"
_REF = rf"(?:{_SHEET}!)?{_CELL}"
_RANGE = rf"(?:{_SHEET}!)?{_CELL}:{_CELL}"
_STRING = r'"(?:[^"]|"")*"'
SUM = re.compile(rf"^=SUM\(({_RANGE})\)$")
SUMIFS = re.compile(rf"^=SUMIFS\(({_RANGE}(?:,{_RANGE},{_STRING})+)\)$")
PLUS = re.compile(rf"^=({_REF}(?:\+{_REF})*)$")
_BELOW = r'"<([0-9.E+]+)"'
_AREA = rf"(?:{_RANGE}|{_REF})"
SUMIF_BELOW = re.compile(rf"^=SUMIF\(({_AREA}),{_BELOW}\)$")
SUM_OF_SUMIFS = re.compile(rf"^=SUM\((SUMIF\({_AREA},{_BELOW}\)(?:,SUMIF\({_AREA},{_BELOW}\))*)\)$")
_SUMIF_REF = re.compile(rf"SUMIF\(({_AREA}),{_BELOW}\)")
NAME = re.compile(r"^=([A-Za-z_][A-Za-z0-9_.]*)$")
_NAMED_CELL = re.compile(rf"({_SHEET})!(\$?)([A-Z]{{1,3}})(\$?)([0-9]+)")
SUM_REFS = re.compile(rf"^=SUM\(({_REF}(?:,{_REF})*)\)$")
_ARG = re.compile(rf"{_RANGE}|{_STRING}")


class UnknownFormula(AssertionError):
    """A formula whose shape this checker does not understand."""


def cell_content(value: Any) -> Any:
    """A cell's value as two workbooks' cells are compared: an array formula (the layout's
    own check, `render/layoutchecks.py`) by its range and text, which openpyxl's
    `ArrayFormula` does not compare by (it compares by identity)."""
    return (value.ref, value.text) if isinstance(value, ArrayFormula) else value


def _split_sheet(ref: str, sheet: str) -> tuple[str, str]:
    if "!" in ref:
        name, _, cells = ref.rpartition("!")
        if name.startswith("'"):
            name = name[1:-1].replace("''", "'")
        return name, cells.replace("$", "")
    return sheet, ref.replace("$", "")


class Evaluator:
    """Evaluate the formula cells of `wb` (loaded with formulas, not cached values)."""

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self.evaluated = 0

    def cells(self, sheet: str, rng: str) -> list[tuple[str, str]]:
        """(sheet, coordinate) of every cell of a range, row by row."""
        name, cells = _split_sheet(rng, sheet)
        if ":" not in cells:
            cells = f"{cells}:{cells}"
        min_col, min_row, max_col, max_row = range_boundaries(cells)
        ws = self.wb[name]
        return [
            (name, ws.cell(row=r, column=c).coordinate)
            for r in range(min_row, max_row + 1)
            for c in range(min_col, max_col + 1)
        ]

    def value(self, sheet: str, ref: str) -> Any:
        """The value of a cell: its formula evaluated, else what it holds."""
        name, cell = _split_sheet(ref, sheet)
        raw = self.wb[name][cell].value
        if isinstance(raw, str) and (m := NAME.match(raw)) and m.group(1) in self.wb.defined_names:
            return self.reading(name, cell, m.group(1))
        if isinstance(raw, str) and raw.startswith("="):
            return self.formula(name, raw)
        return raw

    def reading(self, sheet: str, cell: str, name: str) -> Any:
        """A reading cell `sheet!cell` holding `=name`: the input cell it reads, at the end
        of its chain, read as the pipeline reads a number or a blank."""
        self.evaluated += 1
        text = self.wb.defined_names[name].attr_text
        col, row = coordinate_to_tuple(cell)[::-1]
        targets = set()
        for ref_sheet, col_abs, letters, row_abs, digits in _NAMED_CELL.findall(text):
            if col_abs and row_abs:
                continue  # an absolute cell (the General cell the date test compares with)
            c, r = column_index_from_string(letters), int(digits)
            target_col = c if col_abs else col + c - 1
            target_row = r if row_abs else row + r - 1
            target_sheet, _ = _split_sheet(f"{ref_sheet}!A1", sheet)
            targets.add((target_sheet, f"{get_column_letter(target_col)}{target_row}"))
        if len(targets) != 1:
            raise UnknownFormula(f"{sheet}!{cell}: {name} reads {sorted(targets)}, not one cell")
        (target,) = targets
        raw = self.wb[target[0]][target[1]].value
        if isinstance(raw, str) and (m := NAME.match(raw)) and m.group(1) in self.wb.defined_names:
            return self.reading(*target, m.group(1))
        if raw is None:
            return ""
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise UnknownFormula(
                f"{target}: {raw!r} is read by the reading formulas (LibreOffice tests them)"
            )
        return raw

    def number(self, sheet: str, ref: str) -> int:
        """A cell as SUM counts it: numbers count, text and blanks are skipped."""
        v = self.value(sheet, ref)
        if isinstance(v, bool) or not isinstance(v, int | float):
            return 0
        assert float(v).is_integer(), f"{sheet}!{ref}: {v!r} is not a whole number"
        return int(v)

    def below(self, sheet: str, cells: list[tuple[str, str]], limit: float) -> int:
        """SUMIF(cells, "<limit"): the numbers under `limit`; text, blanks, TRUE/FALSE and
        error values ("#N/A" as openpyxl loads it: text) are skipped."""
        out = 0
        for s, c in cells:
            v = self.value(s, c)
            if isinstance(v, int | float) and not isinstance(v, bool) and v < limit:
                out += self.number(s, c)
        return out

    def formula(self, sheet: str, text: str) -> int:
        self.evaluated += 1
        if m := SUM.match(text):
            return sum(self.number(s, c) for s, c in self.cells(sheet, m.group(1)))
        if m := SUMIFS.match(text):
            args = _ARG.findall(m.group(1))
            target = self.cells(sheet, args[0])
            tests = []
            for rng, crit in zip(args[1::2], args[2::2], strict=True):
                wanted = crit[1:-1].replace('""', '"')
                if wanted[:1] in ("=", "<", ">") or any(ch in wanted for ch in "*?~"):
                    raise UnknownFormula(f"{sheet}: criterion {wanted!r} is not plain text: {text}")
                cells = self.cells(sheet, rng)
                assert len(cells) == len(target), f"{sheet}: ranges of unequal size in {text}"
                tests.append((cells, wanted))
            total = 0
            for i, (s, c) in enumerate(target):
                if all(_matches(self.value(*cells[i]), wanted) for cells, wanted in tests):
                    total += self.number(s, c)
            return total
        if m := SUMIF_BELOW.match(text):
            return self.below(sheet, self.cells(sheet, m.group(1)), float(m.group(2)))
        if m := SUM_OF_SUMIFS.match(text):
            return sum(
                self.below(sheet, [_split_sheet(ref, sheet)], float(limit))
                for ref, limit in _SUMIF_REF.findall(m.group(1))
            )
        if m := SUM_REFS.match(text):
            return sum(self.number(sheet, ref) for ref in m.group(1).split(","))
        if m := PLUS.match(text):
            return sum(self.number(sheet, ref) for ref in m.group(1).split("+"))
        raise UnknownFormula(f"{sheet}: formula shape not understood: {text}")


def _matches(value: Any, wanted: str) -> bool:
    """SUMIFS's plain-text test: equal as text, ignoring case (or equal as numbers)."""
    if value is None:
        return wanted == ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return float(wanted) == float(value)
        except ValueError:
            return False
    return str(value).casefold() == wanted.casefold()
