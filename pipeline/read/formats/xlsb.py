"""Cell values and error values of an Excel binary workbook (.xlsb) sheet part, walked
record by record ([MS-XLSB] 2.1.4 record layout: type and size as 7-bit varints).

python-calamine reads .xlsb values but skips the short cell records ([MS-XLSB] 2.4.x
BrtShortBlank … BrtShortIsst) that SheetJS and Aspose.Cells write for every cell after the
first of a row, and shows error cells as blank. This walk reads every cell record, so the
reader fills what calamine left out and reports error values at their cells.

Cell records (type: body). A full record starts with a Cell (column u32, then iStyleRef
u24 and flags u8); a short one with the iStyleRef and flags only, its column being the
previous cell's plus one (verified byte by byte against the same cells written in full):

    1 BrtCellBlank, 12 BrtShortBlank: nothing
    2 BrtCellRk, 13 BrtShortRk: RkNumber (u32)
    3 BrtCellError, 14 BrtShortError, 11 BrtFmlaError: error code (u8)
    4 BrtCellBool, 15 BrtShortBool, 10 BrtFmlaBool: u8
    5 BrtCellReal, 16 BrtShortReal, 9 BrtFmlaNum: Xnum (IEEE double)
    6 BrtCellSt, 17 BrtShortSt, 8 BrtFmlaString: XLWideString
    7 BrtCellIsst, 18 BrtShortIsst: index (u32) into the shared strings (BrtSSTItem, 19)
    62 BrtCellRString: RichStr (flags u8, then XLWideString)

BrtRowHdr (0) starts a row: its row index is the u32 at the start of its body.

Number formats (xl/styles.bin): BrtFmt (44) is a format id (u16) and its XLWideString;
BrtXF (47), its format id the u16 at offset 2, lists the cell formats between
BrtBeginCellXFs (617) and BrtEndCellXFs (618) (those between 626 and 627 are cell styles'
formats, which no cell names). A cell's iStyleRef is its index in that list. python-calamine
shows every .xlsb number as a number whatever its format; a number under a format that shows
a date (`numfmt`, the classifier the other formats use) is given here as the date the cell
shows, and `fill_gaps` puts it over calamine's number. BrtWbProp (153) in xl/workbook.bin
says, in bit 0 of its flags, whether dates count from 1904.

Merged ranges: BrtMergeCell (176) is an RfX, four u32: first row, last row, first column,
last column ([MS-XLSB] 2.4.163, 2.5.151); python-calamine gives none for .xlsb.

Formulas: a cell holding one is a BrtFmlaString, BrtFmlaNum, BrtFmlaBool or BrtFmlaError
record ([MS-XLSB] 2.4.680, 2.4.679, 2.4.677, 2.4.678: "a formula of which the most recent
evaluation resulted in" a string, number, Boolean or error), its stored result after the
Cell, then GrbitFmla and the formula. BrtCalcProp (157) in xl/workbook.bin holds the
workbook's calculation properties, bit 0 of its flags (u16 at offset 24) fFullCalcOnLoad:
the application "recalculates the results of all formulas on this workbook immediately
after loading the file" (`results.py` says how a file whose writer did not calculate is
read).
"""

from __future__ import annotations

import datetime as dt
import re
import struct
from collections.abc import Iterator
from typing import Any

from ...form import col_letter
from ...text.values import DAY_ZERO, DAY_ZERO_1904, PercentShown, UnshownDate, show
from ..cellfacts import SheetFacts
from .biff import ERROR_CODES, rk_number
from .biff import _date as serial_date
from .numfmt import (
    ByValue,
    builtin_shows_date,
    builtin_shows_elapsed,
    builtin_shows_percent,
    shown_value,
    shows_date,
    shows_date_by_value,
    shows_percent,
    shows_scaled,
)

_ROW, _DIMENSION, _SHEET, _SST_ITEM, _MERGE = 0, 148, 156, 19, 176
_FMT, _XF, _BEGIN_CELL_XFS, _END_CELL_XFS, _WB_PROP = 44, 47, 617, 618, 153
_CALC_PROP, _CELL_BLANK = 157, 1
_FORMULAS = {8, 9, 10, 11}  # BrtFmlaString, BrtFmlaNum, BrtFmlaBool, BrtFmlaError
_NUMBERS = {2, 5, 9}
_DATE_TYPES = (dt.date, dt.time, dt.timedelta)  # dt.datetime is a dt.date
# how a cell format shows a number (SCALED: as another number, `numfmt.scaling_at`)
NUMBER, DATE, ELAPSED, PERCENT, SCALED = "number", "date", "elapsed", "percent", "scaled"
_LITERAL = re.compile(r'"[^"]*"?|[\\_*].')
_ELAPSED_BRACKET = re.compile(r"\[(h+|m+|s+)\]", re.IGNORECASE)
_FULL = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 62}
_SHORT = {12: 1, 13: 2, 14: 3, 15: 4, 16: 5, 17: 6, 18: 7}  # short record -> its full kind
_ERRORS = {3, 11}
_BOOLS = {4, 10}
_DOUBLES = {5, 9}
_STRINGS = {6, 8}
# Excel's #GETTING_DATA (0x2B) besides the codes .xls shares
XLSB_ERRORS = {**ERROR_CODES, 0x2B: "#GETTING_DATA"}


def xlsb_records(data: bytes) -> Iterator[tuple[int, int, int]]:
    """(record type, start of its body, body size); ValueError if the data are cut short."""
    for kind, _, at, size in _records(data):
        yield kind, at, size


def _records(data: bytes) -> Iterator[tuple[int, int, int, int]]:
    """(record type, start of its header, start of its body, body size) of every record;
    ValueError if the data are cut short."""
    pos, end = 0, len(data)
    try:
        while pos < end:
            head = pos
            kind = data[pos] & 0x7F
            if data[pos] & 0x80:
                pos += 1
                kind |= (data[pos] & 0x7F) << 7
            pos += 1
            size = shift = 0
            for _ in range(4):
                size |= (data[pos] & 0x7F) << shift
                shift += 7
                pos += 1
                if not data[pos - 1] & 0x80:
                    break
            if pos + size > end:
                raise ValueError("record runs past the end of the part")
            yield kind, head, pos, size
            pos += size
    except IndexError as exc:
        raise ValueError("record header runs past the end of the part") from exc


def wide_string(body: bytes, pos: int, end: int | None = None) -> tuple[str, int]:
    """An XLWideString (u32 count of UTF-16 units, then the units) at `pos`, read no further
    than `end`; and what follows."""
    count = struct.unpack_from("<I", body, pos)[0]
    if count == 0xFFFFFFFF:  # a null string
        return "", pos + 4
    stop = pos + 4 + 2 * count
    text = body[pos + 4 : stop if end is None else min(stop, end)].decode("utf-16-le", "replace")
    return text, stop


def xlsb_extent(sheet: bytes) -> tuple[int, int]:
    """(rows, columns) of one .xlsb sheet part: its cells (short records included) and its
    declared dimension."""
    facts = xlsb_facts(sheet, "", [])
    return facts.rows, facts.columns


def xlsb_sheets(workbook: bytes) -> list[tuple[str, str]]:
    """(relationship id, sheet name) of every sheet listed in xl/workbook.bin."""
    out = []
    for kind, at, size in xlsb_records(workbook):
        if kind != _SHEET or size < 12:
            continue
        body = workbook[at : at + size]
        rel, pos = wide_string(body, 8)
        name, _ = wide_string(body, pos)
        out.append((rel, name))
    return out


def shared_strings(part: bytes) -> list[str]:
    """The strings of xl/sharedStrings.bin, in order (BrtSSTItem: RichStr)."""
    return [
        wide_string(part, at + 1, at + size)[0]
        for kind, at, size in xlsb_records(part)
        if kind == _SST_ITEM and size >= 5
    ]


def date_styles(styles: bytes) -> list[str | ByValue]:
    """How each cell format (XF index, as a cell's iStyleRef names it) of xl/styles.bin
    shows a number: NUMBER, DATE (a date or a time) or ELAPSED (elapsed time, `[h]:mm`, which
    python-calamine gives as a duration). By the file's own format string when it defines the
    format id (BrtFmt), else by the built-in id (`numfmt.builtin_shows_elapsed`: 46, `[h]:mm:ss`,
    and 80)."""
    formats: dict[int, str] = {}
    ids: list[int] = []
    in_cell_xfs = False
    for kind, at, size in xlsb_records(styles):
        if kind == _FMT and size >= 6:
            formats[struct.unpack_from("<H", styles, at)[0]] = wide_string(styles, at + 2, at + size)[0]
        elif kind == _BEGIN_CELL_XFS:
            in_cell_xfs = True
        elif kind == _END_CELL_XFS:
            in_cell_xfs = False
        elif kind == _XF and in_cell_xfs and size >= 4:
            ids.append(struct.unpack_from("<H", styles, at + 2)[0])
    return [_shown(formats.get(i), i) for i in ids]


def _shown(fmt: str | None, format_id: int) -> str | ByValue:
    """NUMBER, DATE, ELAPSED or PERCENT (`numfmt.shows_percent`) for a format string (None:
    the built-in format `format_id`); a `numfmt.ByValue` for a format whose sections show a
    date, a percentage or another number (`numfmt.shows_scaled`) for some numbers only."""
    if fmt is not None and shows_date_by_value(fmt):
        return ByValue(fmt)
    if fmt is None:
        if builtin_shows_percent(format_id):
            return PERCENT
        return (
            (ELAPSED if builtin_shows_elapsed(format_id) else DATE)
            if builtin_shows_date(format_id)
            else NUMBER
        )
    if not shows_date(fmt):
        # which numbers: the section picked says
        return ByValue(fmt) if shows_percent(fmt) or shows_scaled(fmt) else NUMBER
    plain = _LITERAL.sub("", fmt)  # quoted text, escaped, width and fill characters
    return ELAPSED if _ELAPSED_BRACKET.search(plain) else DATE


def date1904(workbook: bytes) -> bool:
    """Whether the workbook's dates count from 1904 (BrtWbProp's f1904, [MS-XLSB] 2.4.820)."""
    for kind, at, size in xlsb_records(workbook):
        if kind == _WB_PROP and size >= 4:
            return bool(workbook[at] & 1)
    return False


def xlsb_facts(
    sheet: bytes,
    name: str,
    strings: list[str],
    dates: list[str | ByValue] | None = None,
    in1904: bool = False,
) -> SheetFacts:
    """Facts of one sheet part: extent (cells, formatted blanks and the declared dimension
    count), error values, merged ranges, and every cell's value (`SheetFacts.cells`): a
    number whose cell format shows a date (`dates`, from `date_styles`; dates from 1904 when
    `in1904`) as python-calamine gives such a number in .xlsx: a date, time or datetime, or a
    timedelta for elapsed time; and the cells holding a formula (`SheetFacts.results`).
    Linear in its size."""
    dates = dates or []
    facts = SheetFacts(name, day_zero=DAY_ZERO_1904 if in1904 else DAY_ZERO)
    cells = facts.cells
    row = 0
    col = -1
    for kind, at, size in xlsb_records(sheet):
        if kind in _SHORT:
            col += 1
            kind = _SHORT[kind]
            start = at + 4
        elif kind in _FULL and size >= 8:
            col = struct.unpack_from("<I", sheet, at)[0]
            start = at + 8
        elif kind == _ROW and size >= 4:
            row = struct.unpack_from("<I", sheet, at)[0]
            col = -1
            continue
        elif kind == _DIMENSION and size >= 16:
            _, last_row, _, last_col = struct.unpack_from("<IIII", sheet, at)
            facts.rows, facts.columns = max(facts.rows, last_row + 1), max(facts.columns, last_col + 1)
            continue
        elif kind == _MERGE and size >= 16:
            first_row, last_row, first_col, last_col = struct.unpack_from("<IIII", sheet, at)
            facts.merged.append(((first_row, first_col), (last_row, last_col)))
            continue
        else:
            continue
        facts.rows, facts.columns = max(facts.rows, row + 1), max(facts.columns, col + 1)
        if kind in _FORMULAS:
            facts.results.add(f"{col_letter(col)}{row + 1}")
        value = _value(sheet, kind, start, at + size, strings)
        if kind in _ERRORS and value is not None:
            facts.errors[f"{col_letter(col)}{row + 1}"] = XLSB_ERRORS.get(value, "#?")
        elif value is not None:
            if kind in _NUMBERS:
                xf = struct.unpack_from("<I", sheet, start - 4)[0] & 0xFFFFFF
                value = _as_shown(value, dates[xf] if xf < len(dates) else NUMBER, in1904)
            cells[(row, col)] = value
    return facts


def calc_on_load(workbook: bytes) -> bool:
    """Whether xl/workbook.bin's BrtCalcProp sets fFullCalcOnLoad (bit 0 of its flags, after
    recalcID, fAutoRecalc, cCalcCount, xnumDelta and cUserThreadCount: offset 24): the
    counterpart of an .xlsx calcPr's fullCalcOnLoad (`results.recalc_on_load`). Aspose.Cells
    sets it. ValueError for a part cut short."""
    for kind, at, size in xlsb_records(workbook):
        if kind == _CALC_PROP and size >= 26:
            return bool(workbook[at + 24] & 1)
    return False


def formulas_calculated(sheet: bytes) -> bool:
    """Whether a sheet part holds a formula whose stored result no writer that does not
    calculate stores: anything but the number 0 and empty text (a Boolean, an error value,
    another number or text). ValueError for a part cut short."""
    for kind, at, size in xlsb_records(sheet):
        if kind not in _FORMULAS or size < 8:
            continue
        value = _value(sheet, kind, at + 8, at + size, [])
        if kind in _BOOLS or kind in _ERRORS or value not in (None, 0, ""):
            return True
    return False


def formulas_without_results(sheet: bytes) -> bytes:
    """A sheet part whose formula records are blank cells (BrtCellBlank: the same Cell,
    column and style, nothing after it), so that the value reader reads no stored result
    there; every other record kept byte for byte. ValueError for a part cut short."""
    out: list[bytes] = []
    kept = 0  # where the bytes not yet copied start
    for kind, head, at, size in _records(sheet):
        if kind in _FORMULAS and size >= 8:
            out.append(sheet[kept:head])
            out.append(bytes((_CELL_BLANK, 8)) + sheet[at : at + 8])
            kept = at + size
    out.append(sheet[kept:])
    return b"".join(out)


def _value(part: bytes, kind: int, start: int, end: int, strings: list[str]) -> Any:
    """The value of one cell record's body from `start` (past its Cell) to `end`; None for
    a blank or a record cut short. Errors are given as their code."""
    if kind in _DOUBLES:
        return struct.unpack_from("<d", part, start)[0] if end - start >= 8 else None
    if kind == 2:
        return rk_number(struct.unpack_from("<I", part, start)[0]) if end - start >= 4 else None
    if kind in _STRINGS or kind == 62:
        pos = start + (1 if kind == 62 else 0)
        if end - pos < 4:
            return None
        return wide_string(part, pos, end)[0]
    if kind == 7:
        if end - start < 4:
            return None
        index = struct.unpack_from("<I", part, start)[0]
        return strings[index] if index < len(strings) else None
    if kind in _BOOLS:
        return bool(part[start]) if end > start else None
    if kind in _ERRORS:
        return part[start] if end > start else None
    return None


def _as_shown(value: float, shown: str | ByValue, in1904: bool) -> Any:
    """A number as its cell format shows it (`date_styles`); under an elapsed-time format, a
    number past Python's timedelta is an `UnshownDate` (as .xls's and .xlsx's readers give
    it: no count or amount, brk15); under a date format, the number itself when no date
    holds it (NaN, infinite, beyond the year 9999)."""
    if isinstance(shown, ByValue):
        code, shown = shown.code, shown.shows(value)
        if shown in (PERCENT, SCALED):
            return shown_value(code, value)
    if shown == PERCENT:
        return PercentShown(value)
    try:
        if shown == DATE:
            return serial_date(value, in1904)
        if shown == ELAPSED:
            return dt.timedelta(milliseconds=round(value * 86_400_000))
    except (OverflowError, ValueError):
        if shown == ELAPSED:
            return UnshownDate(show(value))
    return value


def fill_gaps(rows: list[list[Any]], cells: dict[tuple[int, int], Any]) -> None:
    """Put into calamine's grid every cell value it left blank or out (`rows`, in place),
    and the date a number's format shows where calamine gives the number (or the number
    where it gives a date)."""
    width = max((c for _, c in cells), default=-1) + 1
    for (r, c), value in cells.items():
        while len(rows) <= r:
            rows.append([])
        line = rows[r]
        if len(line) < width:
            line.extend([""] * (width - len(line)))
        shown = line[c]
        if shown == "" or shown is None or (_is_date(value) != _is_date(shown) and _is_number(shown)):
            line[c] = value
    for line in rows:  # keep the grid rectangular, as calamine gives it
        if len(line) < width:
            line.extend([""] * (width - len(line)))


def _is_date(value: Any) -> bool:
    return isinstance(value, _DATE_TYPES)


def _is_number(value: Any) -> bool:
    """A number or a date: what a number cell's format may show."""
    return _is_date(value) or (isinstance(value, int | float) and not isinstance(value, bool))
