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

Each sheet's check is a row of hidden cells on the lists sheet, each naming a defined name
that holds its formula once (as the reading cells do, `numbercells.py`). Left to right
(`SHEET_STEPS`): the two messages the live checks read ("" when all is well), the sheet
missing and its layout changed, whose names (`BoCuc_Thieu`, `BoCuc_Loi`) are shared by
every sheet (the words once a workbook: their references are relative to the row that
uses them); then what they read, each sheet's own: its name (a constant), the number of
the first label moved (in the reader's order; past the last when none moved), the shift of
the first label found moved (rows * SHIFT_BASE + columns; "" when none), that label's cell
and text, the sheet's current name, and whether a direct reference still finds the sheet.
Each label's reference is written in the first two of these only (MIN and CHOOSE over the
labels, nothing nested). The cells sit in the columns of the reading cells, below the last
row any of those uses (the last row of the longest unit's biểu, which a file's totals read
as far as): the lists sheet grows no wider (a whole-book format is refused past
`limits.max_columns`), and the reader never reads it but for the reading cells
(`read/witness.py`).
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..form import Form, Unit, cell_at, col_letter
from ..form.sheets import block_sheet, info_sheet, label_cells
from ..rules.catalogue import LAYOUT_WORDS, SHEET_WORDS
from .numbercells import Readers, absolute, quoted
from .style import sheet_ref

SHEET_STEPS = ("layout", "missing", "sheet", "first", "shift", "cell", "label", "name", "found")
OWN = {"first": "Dau", "shift": "Dich", "cell": "O", "label": "Nhan", "name": "Ten", "found": "Co"}
SHARED = {"layout": "BoCuc_Loi", "missing": "BoCuc_Thieu"}
SHIFT_BASE = 1000  # a shift of dr rows and dc columns is dr * SHIFT_BASE + dc (|dc| < 500)
NONE = 99999  # MIN over the labels where none moved

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
    `first`, one row a sheet from row `top` (1-based), one cell a step (`SHEET_STEPS`)."""

    lists: str
    first: int
    top: int
    sheets: tuple[SheetLayout, ...]

    def _index(self, sheet: str) -> int:
        return next(j for j, s in enumerate(self.sheets) if s.sheet == sheet)

    def at(self, sheet: str, step: str) -> str:
        """The absolute reference of the cell of `step` (`SHEET_STEPS`) of `sheet`."""
        col = col_letter(self.first + SHEET_STEPS.index(step))
        return f"{sheet_ref(self.lists, '')}${col}${self.top + self._index(sheet)}"

    def name(self, sheet: str, step: str) -> str:
        """The defined name holding the formula of `step` of `sheet` (shared or its own)."""
        return SHARED.get(step) or f"BoCuc{self._index(sheet) + 1}_{OWN[step]}"

    def beside(self, user: str, step: str) -> str:
        """The cell of `step` in the row of the cell of `user`, as a name used there reads it
        (a relative reference written as from A1: `numbercells._relative`)."""
        offset = SHEET_STEPS.index(step) - SHEET_STEPS.index(user)
        assert offset > 0, (user, step)
        return f"{sheet_ref(self.lists, '')}{col_letter(offset)}1"

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
    return f'IFERROR(IF(ISNUMBER(FIND("#$",{f})),{lo},IF(ISNUMBER(FIND("]",{f})),{excel},"")),"")'


def _places(s: SheetLayout) -> list[tuple[str, int, int]]:
    """(absolute reference, row, column) of each label of `s`, 1-based."""
    return [
        (sheet_ref(s.sheet, absolute(cell)), cell_at(cell)[0] + 1, cell_at(cell)[1] + 1)
        for cell, _t in s.labels
    ]


def _first_moved(s: SheetLayout) -> str:
    """The number of the first label of `s` not at its cell (moved, or its cell deleted);
    NONE when every label is in place."""
    tests = [
        f"IF(IFERROR(AND(ROW({ref})={r},COLUMN({ref})={c}),FALSE),{NONE},{i})"
        for i, (ref, r, c) in enumerate(_places(s), 1)
    ]
    return f"=MIN({','.join(tests)})"


def _first_shift(s: SheetLayout) -> str:
    """The shift of the first label of `s` found moved (its cell not deleted): rows *
    SHIFT_BASE + columns; "" when there is none."""
    places = _places(s)
    found = [
        f"IF(IFERROR(OR(ROW({ref})<>{r},COLUMN({ref})<>{c}),FALSE),{i},{NONE})"
        for i, (ref, r, c) in enumerate(places, 1)
    ]
    shifts = [f"(ROW({ref})-{r})*{SHIFT_BASE}+COLUMN({ref})-{c}" for ref, r, c in places]
    return f'=IFERROR(CHOOSE(MIN({",".join(found)}),{",".join(shifts)}),"")'


def _own(lc: LayoutCells, s: SheetLayout) -> dict[str, str]:
    """The formulas of the names of sheet `s`'s own steps."""
    first = lc.at(s.sheet, "first")
    span = sheet_ref(s.sheet, s.span)
    return {
        "first": _first_moved(s),
        "shift": _first_shift(s),
        "cell": f'=IFERROR(CHOOSE({first},{",".join(_q(c) for c, _t in s.labels)}),"")',
        "label": f'=IFERROR(CHOOSE({first},{",".join(_q(t) for _c, t in s.labels)}),"")',
        "name": "=" + _current_name(span),
        "found": f"=ISREF({span})",
    }


def _missing(lc: LayoutCells) -> str:
    """Why the sheet of the row is not found under its name, in the reader's words; ""
    when it is: INDIRECT of its name finds no sheet; renamed when a direct reference still
    finds it (its new name when the application says it), else deleted."""
    sheet, name, found = (lc.beside("missing", k) for k in ("sheet", "name", "found"))
    renamed = spliced(SHEET_WORDS["renamed"], sheet=sheet, names=f'"\'"&{name}&"\'"')
    unnamed = spliced(SHEET_WORDS["renamed_unnamed"], sheet=sheet)
    deleted = spliced(SHEET_WORDS["deleted"], sheet=sheet)
    a1 = f'INDIRECT("\'"&SUBSTITUTE({sheet},"\'","\'\'")&"\'!A1")'
    return f'=IF(ISREF({a1}),"",IF({found},IF({name}="",{unnamed},{renamed}),{deleted}))'


def _moved(lc: LayoutCells) -> str:
    """What moved on the sheet of the row, in the reader's words (`LAYOUT_WORDS`): the
    first label moved, the shift of the first label found moved; "" when no label moved."""
    sheet, shift, cell, label = (lc.beside("layout", k) for k in ("sheet", "shift", "cell", "label"))
    row, col = f"ROW(INDIRECT({cell}))", f"COLUMN(INDIRECT({cell}))"  # of the address alone
    dr = f"INT(({shift}+{SHIFT_BASE // 2})/{SHIFT_BASE})"
    dc = f"({shift}-{SHIFT_BASE}*{dr})"
    letter = f'SUBSTITUTE(ADDRESS(1,{col},4),"1","")'
    w = LAYOUT_WORDS
    what = (
        f"IF({dc}=0,IF({dr}>0,{spliced(w['rows_inserted'], n=dr, row=row)},"
        f"{spliced(w['rows_deleted'], n=f'-{dr}', row=row)}),"
        f"IF({dr}=0,IF({dc}>0,{spliced(w['columns_inserted'], n=dc, column=letter)},"
        f"{spliced(w['columns_deleted'], n=f'-{dc}', column=letter)}),{_q(w['block_moved'])}))"
    )
    fix = _q(w["fix"])
    where = f"ADDRESS({row}+{dr},{col}+{dc},4)"
    moved = spliced(w["moved"], expected=label, cell=cell, where=where, what=what, fix=fix)
    now = f'INDIRECT("\'"&SUBSTITUTE({sheet},"\'","\'\'")&"\'!"&{cell})'
    found = f'IFERROR(IF({now}&""="","(trống)",{now}&""),"")'
    changed = spliced(w["changed"], cell=cell, expected=label, found=found, fix=fix)
    return f'=IF({cell}="","",IF({shift}="",{changed},{moved}))'


def write_layout_cells(wb: Workbook, ws: Worksheet, lc: LayoutCells) -> None:
    """The defined names of the layout checks and their hidden cells on the lists sheet
    `ws` (see the module docstring), holding what they hold in the template as written."""
    wb.define_name(SHARED["layout"], _moved(lc))
    wb.define_name(SHARED["missing"], _missing(lc))
    cached: dict[str, str | int | bool] = {"first": NONE, "found": True}
    for j, s in enumerate(lc.sheets):
        row = lc.top + j - 1  # 0-based
        own = _own(lc, s)
        for i, step in enumerate(SHEET_STEPS):
            if step == "sheet":
                ws.write_string(row, lc.first + i, s.sheet)
                continue
            if step in own:
                wb.define_name(lc.name(s.sheet, step), own[step])
            value = s.sheet if step == "name" else cached.get(step, "")
            ws.write_formula(row, lc.first + i, "=" + lc.name(s.sheet, step), None, value)


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
