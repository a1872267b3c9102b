"""A tiny evaluator for the formula shapes our workbooks write, over openpyxl workbooks.

Used to check totals without LibreOffice: every formula cell is evaluated from the cells it
names (recursively) and compared with sums the tests compute from the filled-in values.
It understands exactly these shapes and refuses any other (a new shape needs a new case
here, on purpose):

- `=SUM(range)`                    a range on the same sheet or another one;
- `=SUM(A1,B1,…)`                   references;
- `=SUMIF(range,"<N")`              the numbers under N of a range (a template's column sum);
- `=SUM(SUMIF(A1,"<N"),…)`          the same of single cells (a template's row total);
- `=SUMIFS(range, range, "text", …)` plain text criteria (no operators, no wildcards);
- `=A1+B1+…`                        references joined by `+`.

Ranges and references may carry a sheet (`'CT Kết quả'!$N$4:$N$20`) and `$` anchors.
"""

from __future__ import annotations

import re
from typing import Any

from openpyxl.utils.cell import range_boundaries
from openpyxl.workbook.workbook import Workbook

_SHEET = r"(?:'(?:[^']|'')+'|[A-Za-z0-9_]+)"
_CELL = r"\$?[A-Z]{1,3}\$?[0-9]+"
_REF = rf"(?:{_SHEET}!)?{_CELL}"
_RANGE = rf"(?:{_SHEET}!)?{_CELL}:{_CELL}"
_STRING = r'"(?:[^"]|"")*"'
SUM = re.compile(rf"^=SUM\(({_RANGE})\)$")
SUMIFS = re.compile(rf"^=SUMIFS\(({_RANGE}(?:,{_RANGE},{_STRING})+)\)$")
PLUS = re.compile(rf"^=({_REF}(?:\+{_REF})*)$")
_BELOW = r'"<([0-9.E+]+)"'
SUMIF_BELOW = re.compile(rf"^=SUMIF\(({_RANGE}),{_BELOW}\)$")
SUM_OF_SUMIFS = re.compile(rf"^=SUM\((SUMIF\({_REF},{_BELOW}\)(?:,SUMIF\({_REF},{_BELOW}\))*)\)$")
_SUMIF_REF = re.compile(rf"SUMIF\(({_REF}),{_BELOW}\)")
SUM_REFS = re.compile(rf"^=SUM\(({_REF}(?:,{_REF})*)\)$")
_ARG = re.compile(rf"{_RANGE}|{_STRING}")


class UnknownFormula(AssertionError):
    """A formula whose shape this checker does not understand."""


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
        if isinstance(raw, str) and raw.startswith("="):
            return self.formula(name, raw)
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
