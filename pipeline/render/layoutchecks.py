"""The template's own check of its layout: what the pipeline refuses for a file's geometry.

The reader refuses a file whose labels are not where the form puts them (LAYOUT_CHANGED:
rows or columns inserted or deleted on a block sheet or on the information sheet; the
block, or the whole file for the information sheet, is then not read) and a file without
a form's sheet under its name (SHEET_MISSING: renamed or deleted; nothing else is read).
A unit can do either in Excel or LibreOffice: the sheets are protected without a password
and the workbook's structure is locked without one (`template.py`). The template sees both
with formulas Excel 2010, LibreOffice and Gnumeric share:

- a label moved: a reference to each label's cell (`form.sheets.label_cells`, the info
  sheet's labels) follows the cell when rows or columns are inserted or deleted, and
  becomes #REF! when its own row or column is deleted; ROW() and COLUMN() against the
  numbers written in the template say how far it moved. The first label moved, in the
  reader's order, with the shift of the first label found moved (the reader: the shift
  most labels moved by), is said in the reader's words (`catalogue.LAYOUT_WORDS`);
- a sheet renamed: INDIRECT of the sheet's own name (as the reader, blind to case) finds
  no sheet while a direct reference, which follows a rename, still finds it; its new name
  from CELL("filename") where the application says it (Excel, LibreOffice; Gnumeric
  does not, and the words say "renamed" without the name: `catalogue.SHEET_WORDS`);
- a sheet deleted: neither finds it.

A hidden sheet (SHEET_HIDDEN, a warning) is seen by no formula; the locked structure keeps
a unit from hiding one without unlocking it first.

The hidden cells live on the lists sheet (which the reader never reads but for the
template's reading cells, `read/witness.py`), in the columns of the reading cells
(`numbercells.Readers`) below the last row any of those uses (the last row of the longest
unit's biểu, which a file's totals read as far as): so the sheet grows no wider (a whole-book format is refused past `limits.max_columns`). Per
label, one row: its cell, its text, its row and column numbers (constants), its rows and
columns moved ("x" when its cell was deleted), moved (1: moved or deleted) and shifted
(1: moved and still found). Per sheet, one row: the first label moved and the first
shifted (0: none), that one's shift, the sheet's current name, and the two messages the
live checks read ("" when all is well): missing and layout.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from xlsxwriter.worksheet import Worksheet

from ..form import Form, Unit, cell_at, col_letter
from ..form.sheets import block_sheet, info_sheet, label_cells
from ..rules.catalogue import LAYOUT_WORDS, SHEET_WORDS
from .numbercells import Readers, absolute, quoted
from .style import sheet_ref

LABEL_STEPS = ("cell", "label", "row", "column", "rows", "columns", "moved", "shifted")
SHEET_STEPS = ("first", "shift", "rows", "columns", "name", "missing", "layout")
GONE = "x"  # a label's rows or columns moved when its own cell was deleted

_q = quoted


@dataclass(frozen=True)
class SheetLayout:
    """One sheet the reader checks: its labels (cell, text) in the reader's order, and
    the rectangle from A1 over all of them (a reference that survives most deletions)."""

    sheet: str
    labels: tuple[tuple[str, str], ...]

    @property
    def span(self) -> str:
        places = [cell_at(cell) for cell, _t in self.labels]
        row = max(r for r, _c in places) + 1
        col = col_letter(max(c for _r, c in places))
        return f"$A$1:${col}${row}"


@dataclass(frozen=True)
class LayoutCells:
    """Where the hidden layout cells are on the lists sheet `lists`: from 0-based column
    `first`, label rows from row `top` (each sheet's labels in turn), then one row a sheet."""

    lists: str
    first: int
    top: int
    sheets: tuple[SheetLayout, ...]

    def _col(self, steps: tuple[str, ...], step: str) -> str:
        return col_letter(self.first + steps.index(step))

    def _label_rows(self, j: int) -> tuple[int, int]:
        start = self.top + sum(len(s.labels) for s in self.sheets[:j])
        return start, start + len(self.sheets[j].labels) - 1

    def _sheet_row(self, j: int) -> int:
        return self.top + sum(len(s.labels) for s in self.sheets) + 1 + j

    def _index(self, sheet: str) -> int:
        return next(j for j, s in enumerate(self.sheets) if s.sheet == sheet)

    def label_range(self, j: int, step: str) -> str:
        """The absolute range of step `step` (`LABEL_STEPS`) of sheet `j`'s labels."""
        a, b = self._label_rows(j)
        col = self._col(LABEL_STEPS, step)
        return f"{sheet_ref(self.lists, '')}${col}${a}:${col}${b}"

    def at(self, sheet: str, step: str) -> str:
        """The absolute reference of the cell of `step` (`SHEET_STEPS`) of `sheet`."""
        row = self._sheet_row(self._index(sheet))
        return f"{sheet_ref(self.lists, '')}${self._col(SHEET_STEPS, step)}${row}"

    def missing(self, sheet: str) -> str:
        """The cell saying why `sheet` is not found under its name ("" when it is)."""
        return self.at(sheet, "missing")

    def layout(self, sheet: str) -> str:
        """The cell saying what moved on `sheet` ("" when nothing did)."""
        return self.at(sheet, "layout")


def layout_cells(form: Form, unit: Unit, rd: Readers) -> LayoutCells:
    """The layout cells of `unit`'s template: the information sheet's labels and each
    block's (`form.sheets.label_cells`), as the reader checks them; below every reading cell."""
    sheets = [
        SheetLayout(form.sheets["info"], tuple((r.label_cell, r.field.label) for r in info_sheet(form).rows))
    ]
    for block in form.blocks.values():
        sheets.append(SheetLayout(block.sheet, tuple(label_cells(block_sheet(form, block, unit)))))
    # below every unit's rows, not only this one's: a file's totals add the VALUE cells of
    # the longest unit's rows (`livechecks._on_totals`), which must never meet these numbers
    longest = max(
        b.grid.total_row(max(len(form.rows_for(b, u)) for u in form.units)) for b in form.blocks.values()
    )
    below = max([longest, *(cell_at(cell)[0] + 1 for s in sheets for cell, _t in s.labels)])
    return LayoutCells(form.sheets["lists"], rd.first, below + 2, tuple(sheets))


# ----- the words, as formulas ----------------------------------------------------------------
def spliced(template: str, **parts: str) -> str:
    """The formula of `template` (a `str.format` template) with each placeholder the
    expression in `parts` (text): literal pieces quoted, joined with &."""
    out = []
    for literal, name, _spec, _conv in string.Formatter().parse(template):
        if literal:
            out.append(_q(literal))
        if name is not None:
            out.append(f"({parts[name]})")
    return "&".join(out) or '""'


def _current_name(ref: str) -> str:
    """The name of the sheet of `ref` as CELL("filename") gives it: after "#$" in
    LibreOffice ("'file:///…/x.xlsx'#$Kết quả"), after "]" in Excel ("C:\\…\\[x.xlsx]Kết
    quả"); "" where it gives no sheet name (Gnumeric: the file's address alone)."""
    f = f'CELL("filename",{ref})'
    lo = f'MID({f},FIND("#$",{f})+2,999)'
    excel = f'MID({f},FIND("]",{f})+1,999)'
    return f'=IFERROR(IF(ISNUMBER(FIND("#$",{f})),{lo},IF(ISNUMBER(FIND("]",{f})),{excel},"")),"")'


def _missing(lc: LayoutCells, s: SheetLayout) -> str:
    """Why sheet `s` is not found under its name, in the reader's words; "" when it is."""
    name = lc.at(s.sheet, "name")
    sheet = _q(s.sheet)
    renamed = spliced(SHEET_WORDS["renamed"], sheet=sheet, names=f'"\'"&{name}&"\'"')
    unnamed = spliced(SHEET_WORDS["renamed_unnamed"], sheet=sheet)
    deleted = spliced(SHEET_WORDS["deleted"], sheet=sheet)
    found = f"ISREF(INDIRECT({_q(sheet_ref(s.sheet, 'A1'))}))"
    here = f"ISREF({sheet_ref(s.sheet, s.span)})"
    return f'=IF({found},"",IF({here},IF({name}="",{unnamed},{renamed}),{deleted}))'


def _moved(lc: LayoutCells, j: int) -> str:
    """What moved on sheet `j`, in the reader's words (`LAYOUT_WORDS`): the first label
    moved, the shift of the first label found moved; "" when no label moved."""
    s = lc.sheets[j]
    first, dr, dc = (lc.at(s.sheet, k) for k in ("first", "rows", "columns"))

    def of(step: str) -> str:
        return f"INDEX({lc.label_range(j, step)},{first})"

    row, col = of("row"), of("column")
    letter = f'SUBSTITUTE(ADDRESS(1,{col},4),"1","")'
    w = LAYOUT_WORDS
    what = (
        f"IF({dc}=0,IF({dr}>0,{spliced(w['rows_inserted'], n=dr, row=row)},"
        f"{spliced(w['rows_deleted'], n=f'-{dr}', row=row)}),"
        f"IF({dr}=0,IF({dc}>0,{spliced(w['columns_inserted'], n=dc, column=letter)},"
        f"{spliced(w['columns_deleted'], n=f'-{dc}', column=letter)}),{_q(w['block_moved'])}))"
    )
    fix = _q(w["fix"])
    moved = spliced(
        w["moved"],
        expected=of("label"),
        cell=of("cell"),
        where=f"ADDRESS({row}+{dr},{col}+{dc},4)",
        what=what,
        fix=fix,
    )
    now = f"INDIRECT({_q(sheet_ref(s.sheet, ''))}&{of('cell')})"
    found = f'IFERROR(IF({now}&""="","(trống)",{now}&""),"")'
    changed = spliced(w["changed"], cell=of("cell"), expected=of("label"), found=found, fix=fix)
    shifted = lc.at(s.sheet, "shift")
    return f'=IF({first}=0,"",IF({shifted}=0,{changed},{moved}))'


def write_layout_cells(ws: Worksheet, lc: LayoutCells) -> None:
    """The hidden layout cells on the lists sheet `ws` (see the module docstring), with the
    values they hold in the template as written (nothing moved)."""
    col = {step: lc.first + i for i, step in enumerate(LABEL_STEPS)}
    for j, s in enumerate(lc.sheets):
        start, _end = lc._label_rows(j)
        for i, (cell, text) in enumerate(s.labels):
            row = start + i - 1  # 0-based
            r, c = cell_at(cell)
            ref = sheet_ref(s.sheet, absolute(cell))
            ws.write_string(row, col["cell"], cell)
            ws.write_string(row, col["label"], text)
            ws.write_number(row, col["row"], r + 1)
            ws.write_number(row, col["column"], c + 1)
            dr, dc = (f"{col_letter(col[k])}{row + 1}" for k in ("rows", "columns"))
            ws.write_formula(row, col["rows"], f'=IFERROR(ROW({ref})-{r + 1},"{GONE}")', None, 0)
            ws.write_formula(row, col["columns"], f'=IFERROR(COLUMN({ref})-{c + 1},"{GONE}")', None, 0)
            both = f"AND(ISNUMBER({dr}),ISNUMBER({dc}))"
            off = f"OR({dr}<>0,{dc}<>0)"
            ws.write_formula(row, col["moved"], f"=IF({both},IF({off},1,0),1)", None, 0)
            ws.write_formula(row, col["shifted"], f"=IF({both},IF({off},1,0),0)", None, 0)
    for j, s in enumerate(lc.sheets):
        row = lc._sheet_row(j) - 1

        def put(step: str, formula: str, cached: int | str, row: int = row) -> None:
            ws.write_formula(row, lc.first + SHEET_STEPS.index(step), formula, None, cached)

        moved, shifted = lc.label_range(j, "moved"), lc.label_range(j, "shifted")
        shift = lc.at(s.sheet, "shift")
        put("first", f"=IFERROR(MATCH(1,{moved},0),0)", 0)
        put("shift", f"=IFERROR(MATCH(1,{shifted},0),0)", 0)
        for step in ("rows", "columns"):
            put(step, f"=IF({shift}=0,0,INDEX({lc.label_range(j, step)},{shift}))", 0)
        put("name", _current_name(sheet_ref(s.sheet, s.span)), s.sheet)
        put("missing", _missing(lc, s), "")
        put("layout", _moved(lc, j), "")


# ----- what the live checks make of them ----------------------------------------------------------
def guarded_count(lc: LayoutCells, sheet: str, count: str) -> str:
    """A sheet's error count formula `count` ("=…"): 1 when the sheet is missing or its
    layout changed (the reader reads nothing else of it), else `count`."""
    return f'=IF(OR({lc.missing(sheet)}<>"",{lc.layout(sheet)}<>""),1,{count[1:]})'


def guarded_summary(lc: LayoutCells, sheet: str, summary: str) -> str:
    """A sheet's summary formula `summary` ("=…"), said first what makes the reader refuse it."""
    m, lay = lc.missing(sheet), lc.layout(sheet)
    return f'=IF({m}<>"","Còn 1 lỗi: "&{m},IF({lay}<>"","Còn 1 lỗi: "&{lay},{summary[1:]}))'


def missing_count(lc: LayoutCells) -> str:
    """The number of form sheets not found under their names (an expression)."""
    return "(" + "+".join(f'({lc.missing(s.sheet)}<>"")*1' for s in lc.sheets) + ")"


def first_refusal(lc: LayoutCells) -> str:
    """The first reason the reader refuses the file for its geometry, "Trang …: …", in its
    order (sheets missing, then each sheet's layout, the information sheet's first); ""
    when there is none (an expression)."""
    out = '""'
    cells = [(s.sheet, lc.missing(s.sheet)) for s in lc.sheets] + [
        (s.sheet, lc.layout(s.sheet)) for s in lc.sheets
    ]
    for sheet, cell in reversed(cells):
        out = f'IF({cell}<>"",{_q(f"Trang {sheet}: ")}&{cell},{out})'
    return out
