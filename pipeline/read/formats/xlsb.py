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
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Any

from ...form import col_letter
from ..cellfacts import SheetFacts
from .biff import ERROR_CODES, rk_number

_ROW, _DIMENSION, _SHEET, _SST_ITEM = 0, 148, 156, 19
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
    pos, end = 0, len(data)
    try:
        while pos < end:
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
            yield kind, pos, size
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


def xlsb_facts(sheet: bytes, name: str, strings: list[str]) -> SheetFacts:
    """Facts of one sheet part: extent (cells, formatted blanks and the declared dimension
    count), error values, and every cell's value (`SheetFacts.cells`). Linear in its size."""
    facts = SheetFacts(name)
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
        else:
            continue
        facts.rows, facts.columns = max(facts.rows, row + 1), max(facts.columns, col + 1)
        value = _value(sheet, kind, start, at + size, strings)
        if kind in _ERRORS and value is not None:
            facts.errors[f"{col_letter(col)}{row + 1}"] = XLSB_ERRORS.get(value, "#?")
        elif value is not None:
            cells[(row, col)] = value
    return facts


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


def fill_gaps(rows: list[list[Any]], cells: dict[tuple[int, int], Any]) -> None:
    """Put into calamine's grid every cell value it left blank or out (`rows`, in place)."""
    width = max((c for _, c in cells), default=-1) + 1
    for (r, c), value in cells.items():
        while len(rows) <= r:
            rows.append([])
        line = rows[r]
        if len(line) < width:
            line.extend([""] * (width - len(line)))
        if line[c] == "" or line[c] is None:
            line[c] = value
    for line in rows:  # keep the grid rectangular, as calamine gives it
        if len(line) < width:
            line.extend([""] * (width - len(line)))
