"""The template's own check of its layout: what the pipeline refuses for a file's geometry.

The reader refuses a file whose labels are not where the form puts them (LAYOUT_CHANGED:
rows or columns inserted or deleted on a block sheet or on the information sheet; the
block, or the whole file for the information sheet, is then not read) and a file without
a form's sheet under its name (SHEET_MISSING: renamed or deleted; nothing else is read).
A unit can do either in Excel or LibreOffice: the sheets are protected without a password
and the workbook's structure is locked without one (`template.py`). The template sees both
with formulas Excel 2010, LibreOffice and Gnumeric share:

- a label moved or changed: each label's cell (`form.sheets.label_cells`, the info sheet's
  labels) is read at the address the form gives it (INDIRECT, as the reader reads it: a
  cell cut and put back, or rows sorted, is judged by what is there), its text cleaned as
  the reader cleans it (`numbercells.trimmed`, lower case) and compared with the label
  composed and decomposed. A reference to the cell follows it when rows or columns are
  inserted or deleted (#REF! when its own row or column is deleted); ROW() and COLUMN()
  against the numbers written in the template say how far it moved. The first label not
  in place, in the reader's order, makes the sheet refused; the words (`catalogue.
  LAYOUT_WORDS`) name the shift of the first misplaced label found moved when the labels
  past it agree on it as the reader requires (`read.layoutdiag.layout_shift`,
  SHIFT_AGREEMENT), said of the first misplaced label that moved by it (`layoutdiag.
  described`), else that label changed ("ô B10 phải là … nhưng là …");
- cells of one row inserted or deleted alone, when no label moved: the row marks
  (`form.sheets.BlockSheet.row_marks`, `InfoSheet.row_marks`) are read where the form
  puts them, shifted as far as the heading row's mark moved (a column inserted right of
  the table moves them all), over the marks' column at once (array formulas); the first
  row whose mark is not there makes the sheet refused, in words about cells of that row
  (`read.layoutdiag.misplaced_row_mark`, `row_mark_message`);
- a sheet renamed: INDIRECT of the sheet's own name (as the reader, blind to case) finds
  no sheet while a direct reference, which follows a rename, still finds it; its new name
  from CELL("filename") where the application says it (Excel, LibreOffice; Gnumeric
  does not, and the words say "renamed" without the name: `catalogue.SHEET_WORDS`); a new
  name the reader reads as the form's (trimmed, any case, composed or decomposed) is none;
- a sheet deleted: neither finds it.

A hidden sheet (SHEET_HIDDEN, a warning) is seen by no formula; the locked structure keeps
a unit from hiding one without unlocking it first.

Each sheet's check is a row of hidden cells on the lists sheet, each naming a defined name
that holds its formula once (as the reading cells do, `numbercells.py`). Left to right
(`SHEET_STEPS`): the two messages the live checks read ("" when all is well), the sheet
missing and its layout changed, whose names (`BoCuc_Thieu`, `BoCuc_Loi` and the names of
its parts, `WORD_PARTS`) are shared by every sheet (the words once a workbook: their
references are relative to the row that uses them); then what they read, each sheet's own: its name (a constant), the number of
the first label moved (in the reader's order; past the last when none moved), the shift of
the first label found moved (rows * SHIFT_BASE + columns; "" when none), that label's cell
and text, the sheet's current name, whether a direct reference still finds the sheet, the
first misplaced label's row and column, the shift's rows and columns, whether the labels
agree on it, whether the current name is the form's as the reader reads it, the prefix
INDIRECT reads the sheet with, and which label the words name; then the row marks'
(`ROW_STEPS`): their text (a constant), the heading row's mark's column, the column they
are due in, the first row whose
mark is not there and how far right of its due cell that mark is (array formulas; constants
on a sheet without row marks). Below the sheets' rows, each
label has seven cells (`LABEL_STEPS`): whether it holds its text, how far its reference
moved, its cleaned text (`TEXT_NAME`, a name shared by every label) and its value; then the
same of the cell the sheet's shift puts it at (a label moved and then typed over is no
longer there: the words never say "đang ở" of it). The
cells sit in the columns of the reading cells, below the last
row any of those uses (the last row of the longest unit's biểu, which a file's totals read
as far as): the lists sheet grows no wider (a whole-book format is refused past
`limits.max_columns`), and the reader never reads it but for the reading cells
(`read/witness.py`).
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import cache

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..form import Form, Unit, cell_at, col_letter, norm_text
from ..form.sheets import BlockSheet, InfoSheet, block_sheet, info_sheet, label_cells
from ..read.layoutdiag import COLUMN_REACH, SHIFT_AGREEMENT
from ..rules.catalogue import LAYOUT_WORDS, SHEET_WORDS
from ..rules.spellings import decomposed
from ..text.values import SHOWN_TEXT
from .numbercells import SHEET_MARK, Readers, absolute, in_sheet, quoted, trimmed
from .style import sheet_ref

ROW_STEPS = ("rowmark", "rowhead", "rowdue", "rowfirst", "rowoff")
SHEET_STEPS = (
    "layout", "missing", "sheet", "first", "shift", "cell", "label", "name", "found",
    "top", "left", "rows", "cols", "agree", "bare", "alias", "where", "which", *ROW_STEPS,
)  # fmt: skip
OWN = {"first": "Dau", "shift": "Dich", "cell": "O", "label": "Nhan", "name": "Ten", "found": "Co"}
OWN |= {"top": "Tren", "left": "Trai", "rows": "Dong", "cols": "Cot", "agree": "Khop", "alias": "CungTen"}
OWN |= {"bare": "TenGon"}
OWN |= {"where": "Trang", "which": "Noi"}
OWN |= {"which_held": "NoiDich"}  # a name without a cell: part of "which" (see WORD_PARTS)
OWN |= {"rowhead": "DongTieuDe", "rowdue": "DongCot", "rowfirst": "DongDau", "rowoff": "DongLech"}
SHARED = {"layout": "BoCuc_Loi", "missing": "BoCuc_Thieu"}
# The layout words' parts, each its own shared name that `SHARED["layout"]` (or another part)
# names, relative to the same row: LibreOffice's .xls (BIFF8) export writes a name whose
# formula is past that format's size as NA() (about 4 kB of tokens, a Vietnamese literal two
# bytes a character), and the words whole are 6,000 characters.
WORD_PARTS = {
    "label_moved": "BoCuc_LoiDoi",  # a label found moved: where, and what moved it
    "label_what": "BoCuc_LoiDoiCach",  # what moved it: rows, cells or columns inserted or deleted
    "label_changed": "BoCuc_LoiSua",  # a label changed or cleared
    "row": "BoCuc_LoiDong",  # a data row's mark not where the heading row's says
    "row_what": "BoCuc_LoiDongCach",  # cells of that row inserted or deleted
}
# each label's own cells, one row a label below the sheets' rows: "same" (1 when its cell, at
# the address the form gives it, holds the label as the reader compares it, else 0), "pos"
# (how far a reference to its cell moved: rows * SHIFT_BASE + columns; "x" when the cell was
# deleted), "text" (what the cell at that address holds, cleaned as the reader cleans it, by
# the shared name `TEXT_NAME`) and "value" (what it holds); then the same three of the cell
# the sheet's shift puts it at (`read.layoutdiag._holds`): "held" (1 when that cell holds
# the label), "held_text" and "held_value" (the pair at the same distance as "text" and
# "value", read by the same `TEXT_NAME`). A moved label typed over or cleared is not "held".
LABEL_STEPS = ("same", "pos", "text", "value", "held", "held_text", "held_value")
TEXT_NAME = "BoCuc_Chu"
SHIFT_BASE = 1000  # a shift of dr rows and dc columns is dr * SHIFT_BASE + dc (|dc| < 500)
NONE = 99999  # MIN over the labels where none moved
_q = quoted


@dataclass(frozen=True)
class RowMarks:
    """The marks right of a sheet's rows (`form.sheets.BlockSheet.head_mark`, `row_marks`,
    the same of `InfoSheet`): their text, their column (1-based), the heading row's and the
    data or field rows (1-based, one block of rows)."""

    text: str
    column: int
    head: int
    rows: tuple[int, ...]
    moved: str = ""  # what a data row's formula mark shows once put back ("": constants)


@dataclass(frozen=True)
class SheetLayout:
    """One sheet the reader checks: its labels (cell, text) in the reader's order, and
    the rectangle from A1 over all of them (a reference that survives most deletions)."""

    sheet: str
    labels: tuple[tuple[str, str], ...]
    marks: RowMarks | None = None  # the marks right of its rows; None: none

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
    ends: tuple[str, ...] = ()
    """The texts of the columns' end marks (`form.sheets.InfoSheet.end`, `BlockSheet.
    end_marks`): a shift of rows said of one is cells of its column inserted or deleted
    (`layoutdiag.layout_shift`, `layoutdiag.shift_message`)."""

    def _index(self, sheet: str) -> int:
        return next(j for j, s in enumerate(self.sheets) if s.sheet == sheet)

    def label_row(self, sheet: str, i: int) -> int:
        """The row (1-based) of the cells of label `i` (0-based, the reader's order) of
        `sheet`: below the sheets' rows and an empty one, the sheets' labels in turn."""
        j = self._index(sheet)
        return self.top + len(self.sheets) + 1 + sum(len(s.labels) for s in self.sheets[:j]) + i

    def of_label(self, sheet: str, i: int, step: str) -> str:
        """The absolute reference of the cell of `step` (`LABEL_STEPS`) of label `i` of `sheet`."""
        col = col_letter(self.first + LABEL_STEPS.index(step))
        return f"{sheet_ref(self.lists, '')}${col}${self.label_row(sheet, i)}"

    def labels_range(self, sheet: str, step: str) -> str:
        """The cells of `step` of every label of `sheet`, as one absolute range."""
        n = len(self.sheets[self._index(sheet)].labels)
        col = col_letter(self.first + LABEL_STEPS.index(step))
        return f"{sheet_ref(self.lists, '')}${col}${self.label_row(sheet, 0)}:${col}${self.label_row(sheet, n - 1)}"

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


def _block_marks(form: Form) -> list[tuple[str, str]]:
    """The end marks of every block's sheet (their cells depend on the unit; their text not)."""
    return [m for block in form.blocks.values() for m in block_sheet(form, block, None).end_marks]


def _row_marks(sheet: InfoSheet | BlockSheet) -> RowMarks | None:
    """A sheet's row marks (`form.sheets.BlockSheet.head_mark`, `row_marks`, `mark_moved`,
    the same of `InfoSheet`) as the layout cells read them; None without them."""
    head, marks = sheet.head_mark, sheet.row_marks
    if head is None or not marks:
        return None
    (row, column), text = cell_at(head[0]), head[1]
    rows = tuple(cell_at(cell)[0] + 1 for cell, _t in marks)
    assert rows == tuple(range(rows[0], rows[0] + len(rows))), rows  # one block of rows
    return RowMarks(text, column + 1, row + 1, rows, sheet.mark_moved)


def layout_cells(form: Form, unit: Unit, rd: Readers) -> LayoutCells:
    """The layout cells of `unit`'s template: the information sheet's labels and each
    block's (`form.sheets.label_cells`), as the reader checks them; below every reading cell."""
    info = info_sheet(form)
    sheets = [SheetLayout(form.sheets["info"], tuple(info.labels()), _row_marks(info))]
    for block in form.blocks.values():
        bs = block_sheet(form, block, unit)
        sheets.append(SheetLayout(block.sheet, tuple(label_cells(bs)), _row_marks(bs)))
    # below every unit's rows, not only this one's: a file's totals add the VALUE cells of
    # the longest unit's rows (`livechecks._on_totals`), which must never meet these numbers
    longest = max(
        b.grid.total_row(max(len(form.rows_for(b, u)) for u in form.units)) for b in form.blocks.values()
    )
    below = max([longest, *(cell_at(cell)[0] + 1 for s in sheets for cell, _t in s.labels)])
    ends = tuple(dict.fromkeys(t for _c, t in [*([info.end] if info.end else []), *_block_marks(form)]))
    return LayoutCells(form.sheets["lists"], rd.first, below + 2, tuple(sheets), ends)


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


@cache  # the same labels in every unit's template
def _spellings(text: str) -> tuple[str, ...]:
    """`text` as the reader compares it (`form.norm_text`: white space folded, lower case),
    composed and in the two decomposed ways keyboards type it (`rules.spellings.decomposed`):
    a formula cannot compose Unicode."""
    return tuple(decomposed(norm_text(text)))


def _same(expr: str, text: str) -> str:
    """TRUE where `expr` (cleaned and lower case) is `text` as the reader compares it;
    EXACT, as "=" may be blind to case in one application and not in another."""
    return "OR(" + ",".join(f"EXACT({expr},{_q(v)})" for v in _spellings(text)) + ")"


def _label_cells(lc: LayoutCells, s: SheetLayout, i: int, ref: str, r: int, c: int) -> dict[str, str]:
    """The formulas of the cells of label `i` of `s` (`LABEL_STEPS`), due at `ref` (row `r`,
    column `c`, 1-based): its cell read at that address as the reader reads it (INDIRECT:
    a cell cut and pasted back, or a row's content moved, is where the reader looks), and a
    reference to it, which follows the cell when rows or columns are inserted or deleted."""
    text, held = (lc.of_label(s.sheet, i, k).split("!")[1] for k in ("text", "held_text"))  # same sheet
    address = s.labels[i][0]
    where, dr, dc = (lc.at(s.sheet, k).split("!")[1] for k in ("where", "rows", "cols"))
    return {
        "same": f"=IF({_same(text, s.labels[i][1])},1,0)",
        "pos": f'=IFERROR((ROW({ref})-{r})*{SHIFT_BASE}+COLUMN({ref})-{c},"x")',
        "text": "=" + TEXT_NAME,
        "value": f"=INDIRECT({where}&{_q(address)})",
        "held": f"=IF({_same(held, s.labels[i][1])},1,0)",
        "held_text": "=" + TEXT_NAME,
        "held_value": f'=IFERROR(INDIRECT({where}&ADDRESS({r}+{dr},{c}+{dc},4)),"")',
    }


def _array(numbers: list[int]) -> str:
    """A column of numbers as an array constant, to go with a column of cells: {7;8;9}."""
    return "{" + ";".join(map(str, numbers)) + "}"


def _agree(lc: LayoutCells, s: SheetLayout) -> str:
    """1 when the shift of the first misplaced label found moved is the reader's
    (`read.layoutdiag.layout_shift`), else 0: the labels it must explain lie at or below the
    first misplaced label's row for a shift of rows (at or right of its column, of columns),
    but not in the rows or columns deleted, nor an end mark; at least SHIFT_AGREEMENT of
    them hold their text at the shifted place ("held": a moved label typed over does not).
    Over the labels' cells at once (SUMPRODUCT, with their rows and columns as constants)."""
    shift, dr, dc, top, left = (lc.at(s.sheet, k) for k in ("shift", "rows", "cols", "top", "left"))
    places = _places(s)
    rows, cols = _array([r for _x, r, _c in places]), _array([c for _x, _r, c in places])
    past = (
        f"({rows}>=IF({dr}=0,0,{top}))*({cols}>=IF({dc}=0,0,{left}))"
        f"*(1-({dr}<0)*({rows}>={top})*({rows}<{top}-{dr}))*(1-({dc}<0)*({cols}>={left})*({cols}<{left}-{dc}))"
    )
    marks = [1 if t in lc.ends else 0 for _c, t in s.labels]
    if any(marks):  # never the end marks (`layoutdiag.layout_shift`)
        past = f"{past}*(1-{_array(marks)})"
    fits = lc.labels_range(s.sheet, "held")
    return f"=IF(ISNUMBER({shift}),IF(SUMPRODUCT({past}*{fits})>={SHIFT_AGREEMENT}*SUMPRODUCT({past}),1,0),0)"


def _where(lc: LayoutCells, s: SheetLayout) -> str:
    """The prefix INDIRECT reads the sheet's cells with ("'Kết quả'!"): the form's name,
    or the sheet's current name where the reader reads that as the form's (`alias`)."""
    name, alias = lc.at(s.sheet, "name"), lc.at(s.sheet, "alias")
    own = in_sheet(sheet_ref(s.sheet, ""))
    quoted_name = f'"\'"&SUBSTITUTE({name},"\'","\'\'")&"\'"&{SHEET_MARK}'
    return f'=IF(AND({alias}=1,{name}<>""),{quoted_name},{own})'


# the white space Python's str.strip removes from a sheet name's ends (`read.formats.package.
# norm_sheet`) that a sheet name can hold, but the plain space TRIM removes: the no-break,
# thin, ideographic … spaces (written as literals: CHAR(160) is not U+00A0 everywhere)
_NAME_SPACES = tuple(chr(cp) for cp in range(0xA0, 0x10000) if chr(cp).isspace())


def _bare(name: str) -> str:
    """The sheet's current name `name` (an expression) with every white space `_NAME_SPACES`
    names a space, trimmed (TRIM also folds a doubled space inside: see `_alias`)."""
    text = name
    for ch in _NAME_SPACES:
        text = f"SUBSTITUTE({text},{_q(ch)},{_q(' ')})"
    return f'=IFERROR(TRIM({text}),"")'


def _alias(name: str, bare: str, sheet: str) -> str:
    """1 when the sheet's current name `name` (an expression; `bare` the cell holding it as
    `_bare` gives it) is `sheet` as the reader reads a sheet's name (`read.formats.package`:
    composed, ends trimmed of any white space, any case): with a space, no-break or thin
    space before or after it, another case, decomposed accents; not with a space doubled
    inside, nor another white space there (the part between the first and the last
    character must be the trimmed name itself)."""
    inner = f"MID({name},FIND(LEFT({bare},1),{name}),LEN({bare}))"
    return f"=IFERROR(IF(AND({_same(f'LOWER({bare})', sheet)},EXACT({inner},{bare})),1,0),0)"


def _own(lc: LayoutCells, s: SheetLayout) -> dict[str, str]:
    """The formulas of the names of sheet `s`'s own steps."""
    which = lc.at(s.sheet, "which")
    span = sheet_ref(s.sheet, s.span)
    n = len(s.labels)
    same = [lc.of_label(s.sheet, i, "same") for i in range(n)]
    pos = [lc.of_label(s.sheet, i, "pos") for i in range(n)]
    places = _places(s)
    shift, dr, name, first = (lc.at(s.sheet, k) for k in ("shift", "rows", "name", "first"))
    # "x" (a cell deleted) compared with a number is FALSE, never an error
    moved = [
        f"IF({m}=1,{NONE},IF(ISNUMBER({p}),IF({p}<>0,{i},{NONE}),{NONE}))"
        for i, (m, p) in enumerate(zip(same, pos, strict=True), 1)
    ]
    held = [lc.of_label(s.sheet, i, "held") for i in range(n)]
    by_shift = [
        f"IF({m}=1,{NONE},IF({h}=1,{i},{NONE}))" for i, (m, h) in enumerate(zip(same, held, strict=True), 1)
    ]
    rows = _row_steps(lc, s) if s.marks else {}
    held_name = lc.name(s.sheet, "which_held")
    return rows | {
        "first": f"=MIN({','.join(f'IF({m}=1,{NONE},{i})' for i, m in enumerate(same, 1))})",
        "shift": f'=IFERROR(INDEX({lc.labels_range(s.sheet, "pos")},MIN({",".join(moved)})),"")',
        # the label the sentence is about: the first misplaced one that holds its text at
        # the place the shift the labels agree on puts it (the reader's `layoutdiag.
        # described`: "… đang ở ô …" is then true), else the first misplaced
        "which": f"=IF(AND({lc.at(s.sheet, 'agree')}=1,{held_name}<{NONE}),{held_name},{first})",
        "which_held": f"=MIN({','.join(by_shift)})",
        "cell": f'=IFERROR(CHOOSE({which},{",".join(_q(c) for c, _t in s.labels)}),"")',
        "label": f'=IFERROR(CHOOSE({which},{",".join(_q(t) for _c, t in s.labels)}),"")',
        "name": "=" + _current_name(span),
        "found": f"=ISREF({span})",
        "top": f"=MIN({','.join(f'IF({m}=1,{NONE},{r})' for m, (_y, r, _c) in zip(same, places, strict=True))})",
        "left": f"=MIN({','.join(f'IF({m}=1,{NONE},{c})' for m, (_y, _r, c) in zip(same, places, strict=True))})",
        "rows": f"=IF(ISNUMBER({shift}),INT(({shift}+{SHIFT_BASE // 2})/{SHIFT_BASE}),0)",
        "cols": f"=IF(ISNUMBER({shift}),{shift}-{SHIFT_BASE}*{dr},0)",
        "agree": _agree(lc, s),
        "bare": _bare(name),
        "alias": _alias(name, lc.at(s.sheet, "bare"), s.sheet),
        "where": _where(lc, s),
    }


def _is_mark(cells: str, text: str, moved: str = "") -> str:
    """TRUE for each cell of `cells` (a range expression, evaluated as an array) holding the
    mark `text` as the reader compares it (`form.norm_text`: spaces and no-break spaces
    trimmed and folded, lower case, composed or decomposed; not the rarer white space that
    `numbercells.trimmed` folds too, which would make these formulas five times longer, in
    every .ods); FALSE for an error value. With `moved`, also TRUE where the cell shows what
    a formula mark shows once its row moved (`read.layoutdiag.row_mark_offset`)."""
    clean = f'LOWER(TRIM(SUBSTITUTE({cells}&"",{_q(chr(0xA0))}," ")))'
    texts = _spellings(text) + (_spellings(moved) if moved else ())
    return f"IFERROR(({'+'.join(f'EXACT({clean},{_q(v)})' for v in texts)})>0,FALSE)"


def _row_steps(lc: LayoutCells, s: SheetLayout) -> dict[str, str]:
    """The formulas of the row marks' steps of sheet `s` (array formulas, `ROW_STEPS`), as
    `read.layoutdiag.misplaced_row_mark` judges them: "rowhead" the column (1-based) of the
    heading row's mark within COLUMN_REACH (leftmost; its own column when none); "rowdue" the
    column the marks are due in: that one, or the marks' own column when the first data
    row's mark is there and not at the heading row's (the heading row's moved alone); "rowfirst" the first data row whose mark is not there (NONE when
    all are); "rowoff" how far right of its due cell that row's mark is ("" when nowhere in
    reach)."""
    m = s.marks
    assert m is not None
    where, due, first = (lc.at(s.sheet, k) for k in ("where", "rowdue", "rowfirst"))
    lo = max(1, m.column - COLUMN_REACH)
    head = f"{col_letter(lo - 1)}{m.head}:{col_letter(m.column + COLUMN_REACH - 1)}{m.head}"
    shifted = f'INDIRECT({where}&ADDRESS({m.rows[0]},{due},4)&":"&ADDRESS({m.rows[-1]},{due},4))'
    start = f"MAX(1,{due}-{COLUMN_REACH})"
    row = f'INDIRECT({where}&ADDRESS({first},{start},4)&":"&ADDRESS({first},{due}+{COLUMN_REACH},4))'
    heading = lc.at(s.sheet, "rowhead")

    def first_at(col: str) -> str:
        return _is_mark(f"INDIRECT({where}&ADDRESS({m.rows[0]},{col},4))", m.text)

    alone = f"AND({heading}<>{m.column},NOT({first_at(heading)}),{first_at(str(m.column))})"
    return {
        "rowhead": f"=IFERROR(MATCH(TRUE,{_is_mark(f'INDIRECT({where}&{_q(head)})', m.text)},0)+{lo - 1},{m.column})",
        "rowdue": f"=IF({alone},{m.column},{heading})",
        "rowfirst": f"=MIN(IF({_is_mark(shifted, m.text)},{NONE},{_array(list(m.rows))}))",
        "rowoff": f'=IF({first}>={NONE},"",IFERROR(MATCH(TRUE,{_is_mark(row, m.text, m.moved)},0)+{start}-1-{due},""))',
    }


def _missing(lc: LayoutCells) -> str:
    """Why the sheet of the row is not found under its name, in the reader's words; ""
    when it is: INDIRECT of its name finds no sheet; renamed when a direct reference still
    finds it (its new name when the application says it), else deleted."""
    sheet, name, found, alias = (lc.beside("missing", k) for k in ("sheet", "name", "found", "alias"))
    renamed = spliced(SHEET_WORDS["renamed"], sheet=sheet, names=f'"\'"&{name}&"\'"')
    unnamed = spliced(SHEET_WORDS["renamed_unnamed"], sheet=sheet)
    deleted = spliced(SHEET_WORDS["deleted"], sheet=sheet)
    a1 = f'INDIRECT("\'"&SUBSTITUTE({sheet},"\'","\'\'")&"\'"&{SHEET_MARK}&"A1")'
    return f'=IF(OR(ISREF({a1}),{alias}=1),"",IF({found},IF({name}="",{unnamed},{renamed}),{deleted}))'


def _shown(value: str) -> str:
    """What the cell `value` (an expression) holds as the reader's messages show it
    (`text.values.show`): "(trống)", a whole number with dots between thousands ("2.025"),
    a decimal comma ("1,5"), a text past SHOWN_TEXT characters cut with "…"."""
    text = f'{value}&""'
    whole = f'SUBSTITUTE(FIXED({value},0),",",".")'  # FIXED groups by the locale's mark
    number = f'IF({value}=INT({value}),{whole},SUBSTITUTE({text},".",","))'
    cut = f'IF(LEN({text})>{SHOWN_TEXT},LEFT({text},{SHOWN_TEXT - 3})&"…",{text})'
    return f'IF({text}="","(trống)",IF(ISNUMBER({value}),{number},{cut}))'


def _words(lc: LayoutCells) -> dict[str, str]:
    """The formulas of the layout words' names (`SHARED["layout"]` and its `WORD_PARTS`):
    what moved on the sheet of the row, in the reader's words (`LAYOUT_WORDS`), "" when no
    label moved and no row mark: the first label moved, said with the shift of the first
    label found moved (`_label_moved`) or as changed; else the first row mark moved
    (`_row_moved`)."""
    shift, cell, agree = (lc.beside("layout", k) for k in ("shift", "cell", "agree"))
    p = WORD_PARTS
    layout = f'=IF({cell}="",{p["row"]},IF(OR({shift}="",{agree}=0),{p["label_changed"]},{p["label_moved"]}))'
    return {SHARED["layout"]: layout} | _label_moved(lc) | _row_moved(lc)


def _label_moved(lc: LayoutCells) -> dict[str, str]:
    """The formulas of the words of a label moved (`WORD_PARTS`): where it is and the shift
    that put it there (rows, cells of an end mark's column, columns, the block); changed
    when it is not where that shift says."""
    shift, cell, label, prefix = (lc.beside("layout", k) for k in ("shift", "cell", "label", "where"))
    row, col = f"ROW(INDIRECT({cell}))", f"COLUMN(INDIRECT({cell}))"  # of the address alone
    dr = f"INT(({shift}+{SHIFT_BASE // 2})/{SHIFT_BASE})"
    dc = f"({shift}-{SHIFT_BASE}*{dr})"
    letter = f'SUBSTITUTE(ADDRESS(1,{col},4),"1","")'
    w = LAYOUT_WORDS
    rows_words = (
        f"IF({dr}>0,{spliced(w['rows_inserted'], n=dr, row=row)},"
        f"{spliced(w['rows_deleted'], n=f'-{dr}', row=row)})"
    )
    if lc.ends:  # said of a column's end mark: cells of its column, not rows
        cells_words = (
            f"IF({dr}>0,{spliced(w['cells_inserted'], n=dr, row=row, column=letter)},"
            f"{spliced(w['cells_deleted'], n=f'-{dr}', row=row, column=letter)})"
        )
        end = "OR(" + ",".join(f"EXACT({label},{_q(t)})" for t in lc.ends) + ")"
        rows_words = f"IF({end},{cells_words},{rows_words})"
    what = (
        f"=IF({dc}=0,{rows_words},"
        f"IF({dr}=0,IF({dc}>0,{spliced(w['columns_inserted'], n=dc, column=letter)},"
        f"{spliced(w['columns_deleted'], n=f'-{dc}', column=letter)}),{_q(w['block_moved'])}))"
    )
    fix = _q(w["fix"])
    where = f"ADDRESS({row}+{dr},{col}+{dc},4)"
    moved = spliced(
        w["moved"], expected=label, cell=cell, where=where, what=WORD_PARTS["label_what"], fix=fix
    )
    now = f"INDIRECT({prefix}&{cell})"
    found = f'IFERROR({_shown(now)},"")'
    changed = spliced(w["changed"], cell=cell, expected=label, found=found, fix=fix)
    p = WORD_PARTS
    return {p["label_moved"]: "=" + moved, p["label_what"]: what, p["label_changed"]: "=" + changed}


def _row_moved(lc: LayoutCells) -> dict[str, str]:
    """The formulas of the words of a row mark moved (`WORD_PARTS`, the reader's `layoutdiag.
    row_mark_message`): the first data row whose mark is not where the heading row's says;
    "" when every one is, or the sheet has none."""
    text, due, first, off, prefix = (
        lc.beside("layout", k) for k in ("rowmark", "rowdue", "rowfirst", "rowoff", "where")
    )
    w = LAYOUT_WORDS
    cell = f"ADDRESS({first},{due},4)"
    letter = f'SUBSTITUTE(ADDRESS(1,{due},4),"1","")'
    what = (
        f"=IF({off}>0,{spliced(w['row_cells_inserted'], n=off, row=first, column=letter)},"
        f"{spliced(w['row_cells_deleted'], n=f'-{off}', row=first, column=letter)})"
    )
    where = f"ADDRESS({first},{due}+{off},4)"
    fix = _q(w["fix"])
    moved = spliced(w["moved"], expected=text, cell=cell, where=where, what=WORD_PARTS["row_what"], fix=fix)
    now = f"INDIRECT({prefix}&{cell})"
    found = f'IFERROR({_shown(now)},"")'
    changed = spliced(w["changed"], cell=cell, expected=text, found=found, fix=fix)
    verdict = f'IF({off}="",{changed},{moved})'
    shown = {s.marks.moved for s in lc.sheets if s.marks and s.marks.moved}
    if shown:  # a formula mark put back shows what the layout says (`layoutdiag.RowMarkFault`)
        (moved_text,) = shown  # one layout, one text
        put_back = spliced(w["row_put_back"], cell=cell, expected=text, found=found, row=first, fix=fix)
        verdict = f'IF(IFERROR(EXACT(TRIM({now}&""),{_q(moved_text)}),FALSE),{put_back},{verdict})'
    p = WORD_PARTS
    return {p["row"]: f'=IF({first}>={NONE},"",{verdict})', p["row_what"]: what}


def write_layout_cells(wb: Workbook, ws: Worksheet, lc: LayoutCells) -> None:
    """The defined names of the layout checks and their hidden cells on the lists sheet
    `ws` (see the module docstring), holding what they hold in the template as written."""
    for name, formula in _words(lc).items():
        wb.define_name(name, formula)
    wb.define_name(SHARED["missing"], _missing(lc))
    right = f"{sheet_ref(lc.lists, '')}{col_letter(LABEL_STEPS.index('value') - LABEL_STEPS.index('text'))}1"
    wb.define_name(TEXT_NAME, f'=IFERROR(LOWER({trimmed(right)}),"")')
    cached: dict[str, str | int | bool] = {"first": NONE, "found": True, "top": NONE, "left": NONE}
    cached |= {"rows": 0, "cols": 0, "agree": 0, "alias": 1, "which": NONE}
    for j, s in enumerate(lc.sheets):
        row = lc.top + j - 1  # 0-based
        own = _own(lc, s)
        for i, step in enumerate(SHEET_STEPS):
            if step == "sheet":
                ws.write_string(row, lc.first + i, s.sheet)
                continue
            if step in ROW_STEPS and (step == "rowmark" or s.marks is None):  # constants
                unmarked = {"rowmark": "", "rowhead": 0, "rowdue": 0, "rowfirst": NONE, "rowoff": ""}[step]
                value = s.marks.text if s.marks and step == "rowmark" else unmarked
                ws.write(row, lc.first + i, value)
                continue
            if step in ROW_STEPS:  # arrays over the marks' cells
                wb.define_name(lc.name(s.sheet, step), own[step])
                assert s.marks is not None
                value = {"rowhead": s.marks.column, "rowdue": s.marks.column, "rowfirst": NONE, "rowoff": ""}[
                    step
                ]
                col = lc.first + i
                ws.write_array_formula(row, col, row, col, "{=" + lc.name(s.sheet, step) + "}", None, value)
                continue
            if step in own:
                wb.define_name(lc.name(s.sheet, step), own[step])
            value = {"name": s.sheet, "bare": s.sheet, "where": f"'{s.sheet}'!"}.get(
                step, cached.get(step, "")
            )
            ws.write_formula(row, lc.first + i, "=" + lc.name(s.sheet, step), None, value)
        for step in (k for k in own if k not in SHEET_STEPS):  # parts of a step's formula
            wb.define_name(lc.name(s.sheet, step), own[step])
        for i, (ref, r, c) in enumerate(_places(s)):
            formulas = _label_cells(lc, s, i, ref, r, c)
            shown = {"same": 1, "pos": 0, "held": 1}  # recalculated once a label changes
            for k, step in enumerate(LABEL_STEPS):
                ws.write_formula(
                    lc.label_row(s.sheet, i) - 1, lc.first + k, formulas[step], None, shown.get(step, "")
                )


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
