"""How far the sheets of an .xls file reach, found without building any grid, and the facts
its BIFF records give that python-calamine does not (error values, merges, numbers under a
format calamine takes for a date). The .xlsb records are walked in `xlsb.py`.

python-calamine reads a sheet into a dense grid, and reads every sheet of an .ods or .xls
file as soon as it opens it, so a file of a few kilobytes that repeats a value over ninety
thousand rows (.ods) or holds one cell at IV65536 (.xls) would cost gigabytes of memory.
The reader compares what these functions return with the form's limits before calamine
sees the file (.xlsx and .ods sheets are measured by parsing their XML: xlsx.py, ods.py;
each format's record in registry.py says which it uses).

`biff_values` reads the cell values of the wanted sheets itself, for a valid file that
python-calamine fails on (Gnumeric's .xls with a formula continued in CONTINUE records, its
Excel 95 export): the same grid calamine would give, dates included.

Extents are (rows, columns) of the grid calamine would build, counted generously: blank
but formatted .xls and .xlsb cells count, and so does a declared dimension.
"""

from __future__ import annotations

import bisect
import datetime as dt
import io
import struct
from collections.abc import Callable
from typing import Any

import olefile

from ...form import col_letter
from ...text.values import (
    DAY_ZERO,
    DAY_ZERO_1904,
    DAYS_1900_TO_1904,
    PercentShown,
    ScaledShown,
    UnshownDate,
    show,
)
from ..cellfacts import SheetFacts
from .numfmt import (
    ByValue,
    builtin_shows_date,
    builtin_shows_elapsed,
    builtin_shows_percent,
    shown_value,
    shows_date,
    shows_date_by_value,
    shows_elapsed,
    shows_percent,
    shows_scaled,
)
from .ods import OdsBook
from .ptg import lone_reference, lone_sheet_reference, may_give_text, shared_anchor

# --- Excel 97-2003: BIFF records in the OLE "Workbook" (or BIFF5 "Book") stream ----------
# [MS-XLS] §2.4: BOF 2.4.21, EOF 2.4.103, BoundSheet8 2.4.28, Dimensions 2.4.90,
# Formula 2.4.127 (FormulaValue 2.5.133), BoolErr 2.4.24 (Bes 2.5.10), MergeCells 2.4.168,
# Format 2.4.126, XF 2.4.353, Number 2.4.180, RK 2.4.220 (RkNumber 2.5.217), MulRk 2.4.175
_BOF, _EOF, _BOUNDSHEET, _DIMENSION = 0x0809, 0x000A, 0x0085, 0x0200
_FORMULA, _BOOLERR, _MERGECELLS = 0x0006, 0x0205, 0x00E5
_FORMAT, _XF, _NUMBER, _RK, _MULRK = 0x041E, 0x00E0, 0x0203, 0x027E, 0x00BD
# values: CodePage 2.4.52, Date1904 2.4.77, SST 2.4.265 (XLUnicodeRichExtendedString
# 2.5.293), Continue 2.4.58, LabelSst 2.4.149, Label 2.4.148, RString 2.4.219,
# String 2.4.268 (a formula's string result), XLUnicodeString 2.5.294
_CODEPAGE, _DATE1904, _SST, _CONTINUE = 0x0042, 0x0022, 0x00FC, 0x003C
_LABELSST, _LABEL, _RSTRING, _STRING = 0x00FD, 0x0204, 0x00D6, 0x0207
# calculation state: RecalcId 2.4.215 (globals, BIFF8 only), Uncalced 2.4.331 (a worksheet)
_RECALCID, _UNCALCED = 0x01C1, 0x005E
# the formula of several cells: ShrFmla 2.4.260, Array 2.4.4 (after the first cell's Formula)
# what a reference to another sheet names: SupBook 2.4.271, ExternSheet 2.4.105 (globals)
_SUPBOOK, _EXTERNSHEET = 0x01AE, 0x0017
_SHRFMLA, _ARRAY = 0x04BC, 0x0221
# records that place one cell: row (u16) then column (u16) first in their body
# what may come between a FORMULA and the STRING of its result ([MS-XLS] 2.1.7.20.5, the
# CELL rule: FORMULA [SHRFMLA / ARRAY / TABLE] [STRING]), and a CONTINUE of a long formula
_FORMULA_PARTS = {0x04BC, 0x0221, 0x0236, 0x003C}
_CELL_RECORDS = {0x0006, 0x00D6, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E}
_MULTI_CELL_RECORDS = {0x00BD, 0x00BE}  # MULRK, MULBLANK: row, first column, …, last column
ERROR_CODES = {
    0x00: "#NULL!",
    0x07: "#DIV/0!",
    0x0F: "#VALUE!",
    0x17: "#REF!",
    0x1D: "#NAME?",
    0x24: "#NUM!",
    0x2A: "#N/A",
}


def workbook_stream(data: bytes) -> tuple[bytes, bool] | None:
    """The BIFF records of an .xls file (its OLE "Workbook" stream, or BIFF5's "Book") and
    whether they are BIFF5; None when the file holds no workbook stream (calamine then
    refuses it on its own). Raises olefile's errors for a broken container."""
    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        stream = next((s for s in ("Workbook", "Book") if ole.exists(s)), None)
        if stream is None:
            return None
        return ole.openstream(stream).read(), stream == "Book"


BIFF5_VERSION = 0x0500  # BOF vers of Excel 5.0 and Excel 95 (BIFF5, BIFF7); BIFF8 is 0x0600


def biff_version(book: bytes) -> int | None:
    """The BIFF version a workbook stream declares in its first record, a BOF ([MS-XLS]
    2.4.21 vers: 0x0600 for BIFF8; 0x0500 for Excel 5.0/95's BIFF5 and BIFF7, whose BOF
    has the same id 0x0809); None when the stream does not begin with a BOF."""
    if len(book) < 6:
        return None
    kind, length, version = struct.unpack_from("<HHH", book)
    return version if kind == _BOF and length >= 2 else None


def biff_facts(book: bytes, biff5: bool) -> list[SheetFacts]:
    """Facts of every worksheet of a workbook stream: extent (cells, formatted blanks and the
    declared dimension count), error values of formulas and constants, merged ranges, every
    number as its format shows it, a number or a date (`SheetFacts.numbers`), the cells
    holding a formula (`SheetFacts.results`: a Formula record always stores a result), and
    those of them storing a 0 that may stand for text (`SheetFacts.text_as_zero`, BIFF8).
    Time linear in the stream's size (one look per record)."""
    names: dict[int, str] = {}  # stream offset of a sheet's BOF -> sheet name
    formats: dict[int, str] = {}  # format id -> format string defined in the file
    xf_formats: list[int] = []  # XF index -> format id
    dates: list[int | ByValue] = []  # XF index -> what its format shows (`_shown`)
    narrow, date1904 = "cp1252", False  # BIFF5's code page; the workbook's date system
    out: list[SheetFacts] = []
    current: SheetFacts | None = None
    zeros = _ZeroResults(SheetFacts())
    sheets = _Sheets()  # what a reference to another sheet names, and each sheet's zeros
    pos, size = 0, len(book)
    while pos + 4 <= size:
        kind, length = struct.unpack_from("<HH", book, pos)
        body = book[pos + 4 : pos + 4 + length]
        if kind == _CODEPAGE and len(body) >= 2 and biff5 and current is None:
            narrow = codec(struct.unpack_from("<H", body)[0])
        elif kind == _DATE1904 and len(body) >= 2 and current is None:
            date1904 = struct.unpack_from("<H", body)[0] == 1
        elif kind == _BOUNDSHEET and len(body) >= 8:
            names[struct.unpack_from("<I", body)[0]] = _sheet_name(body, biff5, narrow)
            sheets.order.append(names[struct.unpack_from("<I", body)[0]])
        elif kind in (_SUPBOOK, _EXTERNSHEET) and current is None and not biff5:
            sheets.note(kind, body)
        elif kind == _FORMAT and len(body) >= 3 and current is None:
            formats[struct.unpack_from("<H", body)[0]] = _format_string(body, biff5, narrow)
        elif kind == _XF and len(body) >= 4 and current is None:
            xf_formats.append(struct.unpack_from("<H", body, 2)[0])
        elif kind == _BOF and pos in names:
            current = SheetFacts(names[pos], day_zero=DAY_ZERO_1904 if date1904 else DAY_ZERO)
            out.append(current)
            zeros = sheets.zeros[current.name] = _ZeroResults(current)
            if len(dates) != len(xf_formats):
                dates = [_shown(fid, formats) for fid in xf_formats]
        elif kind == _EOF:
            if current is not None and not biff5:
                zeros.resolve()
            current = None
        elif current is not None:
            _record(current, kind, body, biff5, dates, date1904)
            if not biff5 and kind in _ZeroResults.RECORDS:
                zeros.note(kind, body)
        pos += 4 + length
    sheets.resolve()
    return out


Cell = tuple[int, int]  # (row, column), 0-based


class _ZeroResults:
    """The formulas of one worksheet storing the number 0 whose tokens may give text
    (`ptg.may_give_text`), into `SheetFacts.text_as_zero` once the sheet's shared and array
    formulas are known (a SharedFormula or Array record follows the first cell using it),
    and those referring to one cell alone (`ptg.lone_reference`) once the sheet's text cells
    are known (a cell may be referred to before its record comes)."""

    RECORDS = frozenset({_FORMULA, _SHRFMLA, _ARRAY, _LABELSST, _LABEL, _RSTRING})

    def __init__(self, facts: SheetFacts) -> None:
        self.facts = facts
        self.formulas: dict[Cell, bytes] = {}  # first cell -> shared/array tokens
        self.using: dict[Cell, list[Cell]] = {}  # first cell -> cells storing 0
        self.text: set[Cell] = set()  # cells holding text: constants, formulas' results
        self.refer: dict[Cell, Cell] = {}  # cell storing 0 -> the one cell it refers to
        # cell storing 0 -> (XTI index, row, column) of the one cell of a sheet it refers to
        self.elsewhere: dict[Cell, tuple[int, int, int]] = {}
        self.lost: set[Cell] = set()  # cells storing 0 for a text

    def lose(self, cell: Cell) -> None:
        self.lost.add(cell)
        self.facts.text_as_zero.add(f"{col_letter(cell[1])}{cell[0] + 1}")

    def note(self, kind: int, body: bytes) -> None:
        """One Formula ([MS-XLS] 2.4.127), ShrFmla (2.4.260), Array (2.4.4) or text constant
        (LabelSst 2.4.149, Label 2.4.148, RString 2.4.219) record."""
        if len(body) < 4:
            return
        cell: Cell = struct.unpack_from("<HH", body)
        if kind in (_LABELSST, _LABEL, _RSTRING):
            self.text.add(cell)
        elif kind == _FORMULA and len(body) >= 22:
            if body[12:14] == b"\xff\xff":  # a result that is not a number: text when tagged 0
                if body[6] == 0:
                    self.text.add(cell)
                return
            if struct.unpack_from("<d", body, 6)[0] != 0:
                return
            rgce = body[22 : 22 + struct.unpack_from("<H", body, 20)[0]]
            anchor, target = shared_anchor(rgce), lone_reference(rgce)
            sheet_target = lone_sheet_reference(rgce)
            if anchor is not None:
                self.using.setdefault(anchor, []).append(cell)
            elif target is not None:
                self.refer[cell] = target
            elif sheet_target is not None:
                self.elsewhere[cell] = sheet_target
            elif may_give_text(rgce):
                self.lose(cell)
        elif kind in (_SHRFMLA, _ARRAY):
            start = 10 if kind == _SHRFMLA else 14  # after RefU, then cUse or the Array's flags
            if len(body) >= start:
                first = (struct.unpack_from("<H", body)[0], body[4])
                self.formulas[first] = body[start : start + struct.unpack_from("<H", body, start - 2)[0]]

    def resolve(self) -> None:
        for anchor, cells in self.using.items():
            tokens = self.formulas.get(anchor)
            if tokens is None or may_give_text(tokens):
                for cell in cells:
                    self.lose(cell)
        self.chain()

    def gives_text(self, cell: Cell) -> bool:
        """Whether `cell` holds text, or stores 0 for a text."""
        return cell in self.text or cell in self.lost

    def chain(self) -> None:
        """Lose each =B5 of a text, or of a cell itself storing 0 for a text (a chain)."""
        changed = True
        while changed:
            changed = False
            for cell, target in list(self.refer.items()):
                if self.gives_text(target):
                    self.lose(cell)
                    del self.refer[cell]
                    changed = True


class _Sheets:
    """The workbook's sheets as a reference to another sheet names them (BIFF8): the
    BoundSheet8 records' order (a sheet's index, 2.4.28), the SupBooks (2.4.271: the first
    of this workbook's own sheets has cch 0x0401) and ExternSheet's XTIs (2.4.105: iSupBook,
    itabFirst, itabLast); and each worksheet's `_ZeroResults`, so that `=Sheet2!B5` of a
    text (`ptg.lone_sheet_reference`) is lost once every sheet is known (brk33)."""

    def __init__(self) -> None:
        self.order: list[str] = []
        self.own_book: list[bool] = []  # SupBook index -> whether it is this workbook
        self.xti: list[tuple[int, int, int]] = []
        self.zeros: dict[str, _ZeroResults] = {}

    def note(self, kind: int, body: bytes) -> None:
        """One SupBook or ExternSheet record of the globals."""
        if kind == _SUPBOOK:
            self.own_book.append(body[2:4] == b"\x01\x04")
        elif len(body) >= 2:
            count = min(struct.unpack_from("<H", body)[0], (len(body) - 2) // 6)
            self.xti = [struct.unpack_from("<Hhh", body, 2 + 6 * i) for i in range(count)]

    def _target(self, ixti: int) -> _ZeroResults | None:
        """The worksheet of this workbook XTI `ixti` names alone, or None."""
        if ixti >= len(self.xti):
            return None
        book, first, last = self.xti[ixti]
        if book >= len(self.own_book) or not self.own_book[book] or first != last:
            return None
        if not 0 <= first < len(self.order):
            return None
        return self.zeros.get(self.order[first])

    def resolve(self) -> None:
        """Lose every reference to another sheet's text, and the chains they start."""
        changed = True
        while changed:
            changed = False
            for zeros in self.zeros.values():
                for cell, (ixti, row, col) in list(zeros.elsewhere.items()):
                    target = self._target(ixti)
                    if target is not None and target.gives_text((row, col)):
                        zeros.lose(cell)
                        del zeros.elsewhere[cell]
                        zeros.chain()
                        changed = True


# what a format shows a number as: a number, a date or time, a duration, a percentage, another
# number (`numfmt.scaling_at`)
NUMBER, DATE, ELAPSED, PERCENT, SCALED = 0, 1, 2, 3, 4


def _shown(format_id: int, formats: dict[int, str]) -> int | ByValue:
    """What a format shows a number as (NUMBER, DATE, ELAPSED; PERCENT: `numfmt.shows_percent`), as `_plain` and
    `numfmt.shows_elapsed` classify it (a built-in id the file does not define: as
    `numfmt.builtin_shows_elapsed`, 46 and 80); a `numfmt.ByValue` for a format whose
    sections show a date for some numbers only, decided number by number (`_kind_at`)."""
    fmt = formats.get(format_id)
    if fmt is not None and shows_date_by_value(fmt):
        return ByValue(fmt)
    if _plain(format_id, formats):
        if fmt is not None and (shows_percent(fmt) or shows_scaled(fmt)):  # which: the section picked says
            return ByValue(fmt)
        return PERCENT if fmt is None and builtin_shows_percent(format_id) else NUMBER
    return ELAPSED if (shows_elapsed(fmt) if fmt is not None else builtin_shows_elapsed(format_id)) else DATE


_KIND = {"number": NUMBER, "date": DATE, "elapsed": ELAPSED, "percent": PERCENT, "scaled": SCALED}


def _kind_at(kind: int | ByValue, value: float) -> int:
    """NUMBER, DATE, ELAPSED, PERCENT or SCALED: what `value` shows under a cell format of
    kind `kind`."""
    return _KIND[kind.shows(value)] if isinstance(kind, ByValue) else kind


def _other(kind: int | ByValue, value: float) -> PercentShown | ScaledShown | float:
    """A number its cell format of kind `kind` shows as another (PERCENT or SCALED), as
    `numfmt.shown_value` gives it (a built-in percentage: a `values.PercentShown`)."""
    return shown_value(kind.code, value) if isinstance(kind, ByValue) else PercentShown(value)


def _plain(format_id: int, formats: dict[int, str]) -> bool:
    """A format that shows a number as a number (no date), as Excel classifies it: by the
    file's own definition when it defines the id, else by the built-in id."""
    fmt = formats.get(format_id)
    return not (shows_date(fmt) if fmt is not None else builtin_shows_date(format_id))


def _format_string(body: bytes, biff5: bool, narrow: str) -> str:
    """The format string of a Format record (BIFF8: XLUnicodeString; BIFF5: bytes in the
    code page's codec `narrow`)."""
    if biff5:
        return body[3 : 3 + body[2]].decode(narrow, "replace")
    if len(body) < 5:
        return ""
    count = struct.unpack_from("<H", body, 2)[0]
    if body[4] & 1:
        return body[5 : 5 + 2 * count].decode("utf-16-le", "replace")
    return body[5 : 5 + count].decode("latin-1", "replace")


def rk_number(rk: int) -> float:
    """The number an RkNumber ([MS-XLS] 2.5.217; [MS-XLSB] 2.5.122) encodes."""
    if rk & 2:
        value = float(rk >> 2 if rk < 0x80000000 else (rk >> 2) - (1 << 30))
    else:
        value = struct.unpack("<d", struct.pack("<Q", (rk & 0xFFFFFFFC) << 32))[0]
    return value / 100 if rk & 1 else value


def _number(
    facts: SheetFacts, row: int, col: int, xf: int, value: float, dates: list[int | ByValue], date1904: bool
) -> None:
    """Keep a cell's number as its format shows it, a number or a date (the value reader
    may take a number format for a date, or miss a date format: `SheetFacts.numbers`)."""
    if xf < len(dates):
        kind = _kind_at(dates[xf], value)
        if kind in (PERCENT, SCALED):
            shown: Any = _other(dates[xf], value)
        else:
            shown = _date(value, date1904, kind == ELAPSED) if kind else value
        facts.numbers[f"{col_letter(col)}{row + 1}"] = shown


def _record(
    facts: SheetFacts, kind: int, body: bytes, biff5: bool, dates: list[int | ByValue], date1904: bool
) -> None:
    """What one record of a worksheet's substream adds to its facts."""
    row, col = -1, -1
    if kind in _CELL_RECORDS and len(body) >= 4:
        row, col = struct.unpack_from("<HH", body)
        if kind == _FORMULA:  # every Formula record stores a result (FormulaValue 2.5.133)
            facts.results.add(f"{col_letter(col)}{row + 1}")
        error = _error_code(kind, body)
        if error is not None:
            facts.errors[f"{col_letter(col)}{row + 1}"] = ERROR_CODES.get(error, "#?")
        elif kind == _RK and len(body) >= 10:
            xf, rk = struct.unpack_from("<HI", body, 4)
            _number(facts, row, col, xf, rk_number(rk), dates, date1904)
        elif len(body) >= 14 and (kind == _NUMBER or (kind == _FORMULA and body[12:14] != b"\xff\xff")):
            # a Number record, or a Formula whose cached result is a number (not 0xFFFF-tagged)
            xf, value = struct.unpack_from("<Hd", body, 4)
            _number(facts, row, col, xf, value, dates, date1904)
    elif kind in _MULTI_CELL_RECORDS and len(body) >= 6:
        row = struct.unpack_from("<H", body)[0]
        col = struct.unpack_from("<H", body, len(body) - 2)[0]
        if kind == _MULRK:
            first = struct.unpack_from("<H", body, 2)[0]
            for i in range((len(body) - 6) // 6):
                xf, rk = struct.unpack_from("<HI", body, 4 + 6 * i)
                _number(facts, row, first + i, xf, rk_number(rk), dates, date1904)
    elif kind == _DIMENSION and len(body) >= (10 if biff5 else 14):
        # last row and last column + 1, as declared (calamine may size its grid by it)
        fmt = "<HHHH" if biff5 else "<IIHH"
        _, rows_end, _, cols_end = struct.unpack_from(fmt, body)
        row, col = rows_end - 1, cols_end - 1
    elif kind == _MERGECELLS and len(body) >= 2:
        count = min(struct.unpack_from("<H", body)[0], (len(body) - 2) // 8)
        for i in range(count):
            r0, r1, c0, c1 = struct.unpack_from("<HHHH", body, 2 + 8 * i)
            facts.merged.append(((r0, c0), (r1, c1)))
    if row >= 0 or col >= 0:
        facts.rows = max(facts.rows, row + 1)
        facts.columns = max(facts.columns, col + 1)


def _error_code(kind: int, body: bytes) -> int | None:
    """The error code of a Formula record whose cached result is an error, or of a BoolErr
    record holding an error constant; None otherwise."""
    if kind == _FORMULA and len(body) >= 14 and body[12:14] == b"\xff\xff" and body[6] == 2:
        return body[8]
    if kind == _BOOLERR and len(body) >= 8 and body[7] == 1:
        return body[6]
    return None


def uncalculated(book: bytes, biff5: bool, wanted: Callable[[str], bool]) -> bool:
    """Whether the formulas of the `wanted` worksheets of a workbook stream were never
    calculated by the program that wrote it. All three must hold:

    - those worksheets hold a Formula record ([MS-XLS] 2.4.127);
    - every one stores as its result ("val", a FormulaValue, 2.5.133) the number 0, or
      empty text: type 3, or type 0 with an empty String record after it (2.4.268); a
      Boolean, an error value, another number or any text is a calculated result;
    - the file says an application is to calculate them: it has no RecalcId record
      (2.4.215: dwBuild, the engine "that performed the last recalculation"; an application
      whose engine is newer recalculates every formula on loading; BIFF5 has no such
      record), or one of those worksheets has an Uncalced record (2.4.331: "formulas were
      pending recalculation when the file was saved").

    What writers store: Apache POI's HSSF, not evaluating, 0 for every formula and no
    RecalcId; xlwt the type-3 result and no RecalcId; Aspose.Cells, not calculating, empty
    text, a RecalcId and an Uncalced record in each sheet. Excel and LibreOffice write a
    RecalcId and calculate; Gnumeric writes none but calculates, and the template's own
    checks ("Đạt") and counts then store other results. Excel and LibreOffice calculate
    such a file on opening. Time linear in the stream's size; a record cut short is read
    no further than it goes."""
    names: dict[int, str] = {}
    narrow = "cp1252"
    inside = False  # in a wanted worksheet's substream
    formulas = recalc_id = pending = False
    pos, size = 0, len(book)
    while pos + 4 <= size:
        kind, length = struct.unpack_from("<HH", book, pos)
        body = book[pos + 4 : pos + 4 + length]
        start, pos = pos, pos + 4 + length
        if kind == _CODEPAGE and len(body) >= 2 and biff5 and not names:
            narrow = codec(struct.unpack_from("<H", body)[0])
        elif kind == _BOUNDSHEET and len(body) >= 8:
            names[struct.unpack_from("<I", body)[0]] = _sheet_name(body, biff5, narrow)
        elif kind == _RECALCID:
            recalc_id = True
        elif kind == _BOF:
            inside = start in names and wanted(names[start])
        elif kind == _EOF:
            inside = False
        elif not inside:
            continue
        elif kind == _FORMULA and len(body) >= 14:
            formulas = True
            if body[12:14] != b"\xff\xff":
                if struct.unpack_from("<d", body, 6)[0] != 0:
                    return False
            elif body[6] not in (0, 3):  # a boolean or an error value: calculated
                return False
        elif kind == _STRING and len(body) >= 2 and struct.unpack_from("<H", body)[0]:
            return False  # a formula's text result, not empty
        elif kind == _UNCALCED:
            pending = True
    return formulas and (pending or not recalc_id)


def _sheet_name(body: bytes, biff5: bool, narrow: str) -> str:
    """The name in a BOUNDSHEET record (BIFF8: ShortXLUnicodeString; BIFF5: bytes in the
    code page's codec `narrow`)."""
    count = body[6]
    if biff5:
        return body[7 : 7 + count].decode(narrow, "replace")
    if len(body) > 7 and body[7] & 1:
        return body[8 : 8 + 2 * count].decode("utf-16-le", "replace")
    return body[8 : 8 + count].decode("latin-1", "replace")


# --- cell values ---------------------------------------------------------------------------


def codec(codepage: int) -> str:
    """The Python codec of a CodePage record's value ([MS-XLS] 2.4.52): the Windows code
    page of BIFF5's 8-bit strings (1200 is UTF-16; Excel writes 1252 by default)."""
    named = {367: "ascii", 1200: "utf-16-le", 10000: "mac_roman", 32768: "mac_roman", 32769: "cp1252"}
    name = named.get(codepage, f"cp{codepage}")
    try:
        "".encode(name)
    except LookupError:
        return "cp1252"
    return name


class _Chunks:
    """A record's body and its CONTINUE records' bodies, read as one run of bytes, where the
    characters of an XLUnicodeRichExtendedString split across a CONTINUE start again with a
    byte of flags whose bit 0 says whether they are two bytes each ([MS-XLS] 2.4.58)."""

    def __init__(self, parts: list[bytes]) -> None:
        self.data = b"".join(parts)
        self.ends: list[int] = []  # offset where each part ends, ascending
        end = 0
        for part in parts:
            end += len(part)
            self.ends.append(end)
        self.pos = 0

    def unpack(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += struct.calcsize(fmt)
        return values

    def chars(self, count: int, wide: bool, narrow: str) -> str:
        """`count` characters from here, the flag byte re-read at each part's start
        (`narrow`: the codec of one-byte characters)."""
        out: list[str] = []
        while count > 0:
            at = bisect.bisect_right(self.ends, self.pos)
            end = self.ends[at] if at < len(self.ends) else len(self.data)
            take = min(count, (end - self.pos) // (2 if wide else 1))
            if take <= 0:
                raise ValueError("string cut short")
            size = take * (2 if wide else 1)
            raw = self.data[self.pos : self.pos + size]
            out.append(raw.decode("utf-16-le" if wide else narrow, "replace"))
            self.pos += size
            count -= take
            if count > 0:  # a CONTINUE starts here: its first byte says the width
                if self.pos >= len(self.data):
                    raise ValueError("string cut short")
                wide = bool(self.data[self.pos] & 1)
                self.pos += 1
        return "".join(out)

    def unicode_string(self, rich: bool) -> str:
        """An XLUnicodeString (`rich`: an XLUnicodeRichExtendedString, whose formatting runs
        and phonetic data are skipped) at the current position."""
        count, flags = self.unpack("<HB")
        runs = self.unpack("<H")[0] if rich and flags & 0x08 else 0
        ext = self.unpack("<i")[0] if rich and flags & 0x04 else 0
        text = self.chars(count, bool(flags & 1), "latin-1")
        self.pos += 4 * runs + max(ext, 0)
        return text


def _parts(book: bytes, pos: int) -> tuple[list[bytes], int]:
    """The body of the record at `pos` and of the CONTINUE records after it, and the offset
    of the next record that is not a CONTINUE."""
    parts = []
    first = True
    while pos + 4 <= len(book):
        kind, length = struct.unpack_from("<HH", book, pos)
        if not first and kind != _CONTINUE:
            break
        parts.append(book[pos + 4 : pos + 4 + length])
        pos += 4 + length
        first = False
    return parts, pos


def _shared_strings(parts: list[bytes]) -> list[str]:
    """The strings of an SST record and its CONTINUE records (as many as are whole)."""
    chunks = _Chunks(parts)
    if len(chunks.data) < 8:
        return []
    unique = chunks.unpack("<II")[1]
    strings: list[str] = []
    try:
        while len(strings) < unique and chunks.pos + 3 <= len(chunks.data):
            strings.append(chunks.unicode_string(rich=True))
    except (struct.error, ValueError):
        pass  # a table cut short: its whole strings are kept, as calamine does
    return strings


def _date(value: float, date1904: bool, elapsed: bool = False) -> Any:
    """A number under a date format as python-calamine gives it: a time below 1, a date
    when whole, else a datetime (the 1900 system counts the 29th of February 1900 that did
    not exist: numbers below 60 are a day later than the days since 1899-12-30 say); a
    number no date shows (after the year 9999) is an `UnshownDate`; under an `elapsed`
    format ([h]:mm:ss), a duration (a timedelta of `value` days, as calamine gives it)."""
    if elapsed:
        try:
            return dt.timedelta(days=value)
        except (OverflowError, ValueError):
            return UnshownDate(show(value))
    days = value + DAYS_1900_TO_1904 if date1904 else value
    if not date1904 and days < 60:
        days += 1
    try:
        moment = DAY_ZERO + dt.timedelta(milliseconds=round(days * 86_400_000))
    except (OverflowError, ValueError):  # ValueError: not a number (NaN)
        return UnshownDate(show(value))
    if value < 1:
        return moment.time()
    return moment.date() if value == int(value) else moment


class _Sheet:
    """The cells of one worksheet's substream: (row, column) -> value."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.cells: dict[tuple[int, int], Any] = {}

    def grid(self) -> list[list[Any]]:
        """A dense grid from A1 to the last cell holding a value ("" where none), as
        python-calamine's to_python(skip_empty_area=False) gives it; [] when empty."""
        if not self.cells:
            return []
        rows = 1 + max(r for r, _ in self.cells)
        cols = 1 + max(c for _, c in self.cells)
        out = [[""] * cols for _ in range(rows)]
        for (r, c), value in self.cells.items():
            out[r][c] = value
        return out


def biff_values(book: bytes, biff5: bool, wanted: Callable[[str], bool], results: bool = True) -> OdsBook:
    """The names, hidden sheets and cell values of the `wanted` worksheets of a workbook
    stream, as python-calamine reads them: strings (shared, 8-bit in the workbook's code
    page for BIFF5, Unicode for BIFF8), numbers (an integral RK number an int), booleans,
    a formula's cached result (none, the cell left blank, without `results`: formulas
    never calculated, `uncalculated`), numbers under a date format (`numfmt`) as dates;
    error values and blank cells are "" (their facts come from `biff_facts`).
    Time linear in the stream's size; the caller bounds the stream and the sheets' extents
    (`biff_facts`) first. Raises struct.error for a record cut short."""
    names: dict[int, str] = {}  # offset of a sheet's BOF -> its name
    out = OdsBook()
    formats: dict[int, str] = {}
    xf_formats: list[int] = []
    dates: list[int | ByValue] = []  # XF index -> what its format shows (`_shown`)
    strings: list[str] = []
    narrow, date1904 = "cp1252", False
    sheet: _Sheet | None = None
    skipping = False  # in a sheet not wanted
    pending: tuple[int, int] | None = None  # the cell of a formula whose string comes next
    pos, size = 0, len(book)
    while pos + 4 <= size:
        kind, length = struct.unpack_from("<HH", book, pos)
        body = book[pos + 4 : pos + 4 + length]
        after = pos + 4 + length
        if skipping:
            skipping = kind != _EOF
        elif sheet is None:
            if kind == _CODEPAGE and len(body) >= 2 and biff5:
                narrow = codec(struct.unpack_from("<H", body)[0])
            elif kind == _DATE1904 and len(body) >= 2:
                date1904 = struct.unpack_from("<H", body)[0] == 1
            elif kind == _BOUNDSHEET and len(body) >= 8:
                name = _sheet_name(body, biff5, narrow)
                names[struct.unpack_from("<I", body)[0]] = name
                out.names.append(name)
                if body[4] & 3:
                    out.hidden.add(name)
            elif kind == _FORMAT and len(body) >= 3:
                formats[struct.unpack_from("<H", body)[0]] = _format_string(body, biff5, narrow)
            elif kind == _XF and len(body) >= 4:
                xf_formats.append(struct.unpack_from("<H", body, 2)[0])
            elif kind == _SST and not biff5:
                parts, after = _parts(book, pos)
                strings = _shared_strings(parts)
            elif kind == _BOF and pos in names and wanted(names[pos]):
                sheet = _Sheet(names[pos])
                dates = [_shown(fid, formats) for fid in xf_formats]
            elif kind == _BOF and pos in names:
                skipping = True
        elif kind == _EOF:  # a sheet ends at its first EOF, as `biff_facts` and calamine see it
            out.rows[sheet.name] = sheet.grid()
            sheet, pending = None, None
        elif kind == _STRING and pending is not None:
            parts, after = _parts(book, pos)
            chunks = _Chunks(parts)
            if biff5:
                count = chunks.unpack("<H")[0]
                sheet.cells[pending] = chunks.chars(count, False, narrow)
            else:
                sheet.cells[pending] = chunks.unicode_string(rich=False)
            pending = None
        elif kind == _FORMULA and not results:
            pending = None  # read as a formula without a result: a blank cell
        elif kind not in _FORMULA_PARTS:  # parts of the FORMULA before its STRING keep it pending
            pending = _cell(sheet, kind, body, biff5, narrow, strings, dates, date1904)
        pos = after
    return out


def _cell(
    sheet: _Sheet,
    kind: int,
    body: bytes,
    biff5: bool,
    narrow: str,
    strings: list[str],
    dates: list[int | ByValue],
    date1904: bool,
) -> tuple[int, int] | None:
    """Put the value of one cell record into `sheet`; the cell of a formula whose string
    result follows in a STRING record, else None."""

    def number(row: int, col: int, xf: int, value: float | int) -> None:
        kind = _kind_at(dates[xf], value) if xf < len(dates) else NUMBER
        if kind in (PERCENT, SCALED):
            sheet.cells[(row, col)] = _other(dates[xf], value)
        else:
            sheet.cells[(row, col)] = _date(value, date1904, kind == ELAPSED) if kind else value

    if kind == _MULRK and len(body) >= 6:
        row, first = struct.unpack_from("<HH", body)
        for i in range((len(body) - 6) // 6):
            xf, rk = struct.unpack_from("<HI", body, 4 + 6 * i)
            number(row, first + i, xf, _rk_value(rk))
        return None
    if kind not in _CELL_RECORDS or len(body) < 6:
        return None
    row, col, xf = struct.unpack_from("<HHH", body)
    if kind == _NUMBER and len(body) >= 14:
        number(row, col, xf, struct.unpack_from("<d", body, 6)[0])
    elif kind == _RK and len(body) >= 10:
        number(row, col, xf, _rk_value(struct.unpack_from("<I", body, 6)[0]))
    elif kind == _LABELSST and len(body) >= 10:
        index = struct.unpack_from("<I", body, 6)[0]
        if index < len(strings):
            sheet.cells[(row, col)] = strings[index]
    elif kind in (_LABEL, _RSTRING) and len(body) >= 8:
        chunks = _Chunks([body[6:]])
        if biff5:
            count = chunks.unpack("<H")[0]
            sheet.cells[(row, col)] = chunks.data[2 : 2 + count].decode(narrow, "replace")
        else:
            sheet.cells[(row, col)] = chunks.unicode_string(rich=False)
    elif kind == _BOOLERR and len(body) >= 8 and body[7] == 0:
        sheet.cells[(row, col)] = bool(body[6])
    elif kind == _FORMULA and len(body) >= 14:
        if body[12:14] != b"\xff\xff":
            number(row, col, xf, struct.unpack_from("<d", body, 6)[0])
        elif body[6] == 0:
            return (row, col)
        elif body[6] == 1:
            sheet.cells[(row, col)] = bool(body[8])
    return None


def _rk_value(rk: int) -> float | int:
    """An RkNumber's value as python-calamine gives it: an int when it is a whole 30-bit
    integer, else a float."""
    if rk & 3 == 2:
        return rk >> 2 if rk < 0x80000000 else (rk >> 2) - (1 << 30)
    return rk_number(rk)
