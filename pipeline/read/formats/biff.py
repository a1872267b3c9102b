"""How far the sheets of an .xls or .xlsb file reach, found without building any grid.

python-calamine reads a sheet into a dense grid, and reads every sheet of an .ods or .xls
file as soon as it opens it, so a file of a few kilobytes that repeats a value over ninety
thousand rows (.ods) or holds one cell at IV65536 (.xls) would cost gigabytes of memory.
The reader compares what these functions return with the form's limits before calamine
sees the file (.xlsx and .ods sheets are measured by parsing their XML: cellfacts_xlsx.py, cellfacts_ods.py).

Extents are (rows, columns) of the grid calamine would build, counted generously: blank
but formatted .xls and .xlsb cells count, and so does a declared dimension.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Iterator

import olefile

from ...form import col_letter
from ..cellfacts import SheetFacts

# --- Excel 97-2003: BIFF records in the OLE "Workbook" (or BIFF5 "Book") stream ----------
# [MS-XLS] §2.4: BOF 2.4.21, EOF 2.4.103, BoundSheet8 2.4.28, Dimensions 2.4.90,
# Formula 2.4.127 (FormulaValue 2.5.133), BoolErr 2.4.24 (Bes 2.5.10), MergeCells 2.4.168
_BOF, _EOF, _BOUNDSHEET, _DIMENSION = 0x0809, 0x000A, 0x0085, 0x0200
_FORMULA, _BOOLERR, _MERGECELLS = 0x0006, 0x0205, 0x00E5
# records that place one cell: row (u16) then column (u16) first in their body
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


def biff_facts(book: bytes, biff5: bool) -> list[SheetFacts]:
    """Facts of every worksheet of a workbook stream: extent (cells, formatted blanks and the
    declared dimension count), error values of formulas and constants, merged ranges.
    Time linear in the stream's size (one look per record)."""
    names: dict[int, str] = {}  # stream offset of a sheet's BOF -> sheet name
    out: list[SheetFacts] = []
    current: SheetFacts | None = None
    pos, size = 0, len(book)
    while pos + 4 <= size:
        kind, length = struct.unpack_from("<HH", book, pos)
        body = book[pos + 4 : pos + 4 + length]
        if kind == _BOUNDSHEET and len(body) >= 8:
            names[struct.unpack_from("<I", body)[0]] = _sheet_name(body, biff5)
        elif kind == _BOF and pos in names:
            current = SheetFacts(names[pos])
            out.append(current)
        elif kind == _EOF:
            current = None
        elif current is not None:
            _record(current, kind, body, biff5)
        pos += 4 + length
    return out


def _record(facts: SheetFacts, kind: int, body: bytes, biff5: bool) -> None:
    """What one record of a worksheet's substream adds to its facts."""
    row, col = -1, -1
    if kind in _CELL_RECORDS and len(body) >= 4:
        row, col = struct.unpack_from("<HH", body)
        error = _error_code(kind, body)
        if error is not None:
            facts.errors[f"{col_letter(col)}{row + 1}"] = ERROR_CODES.get(error, "#?")
    elif kind in _MULTI_CELL_RECORDS and len(body) >= 6:
        row = struct.unpack_from("<H", body)[0]
        col = struct.unpack_from("<H", body, len(body) - 2)[0]
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


def _sheet_name(body: bytes, biff5: bool) -> str:
    """The name in a BOUNDSHEET record (BIFF8: ShortXLUnicodeString; BIFF5: bytes)."""
    count = body[6]
    if biff5:
        return body[7 : 7 + count].decode("cp1252", "replace")
    if len(body) > 7 and body[7] & 1:
        return body[8 : 8 + 2 * count].decode("utf-16-le", "replace")
    return body[8 : 8 + count].decode("latin-1", "replace")


# --- Excel binary workbook (.xlsb): records of a sheet part or of xl/workbook.bin ---------
_XLSB_ROW, _XLSB_DIMENSION, _XLSB_SHEET = 0, 148, 156
_XLSB_CELLS = {*range(1, 12), 62}  # BrtCellBlank … BrtFmlaError, BrtCellRString: column first


def _xlsb_records(data: bytes) -> Iterator[tuple[int, int, int]]:
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


def xlsb_extent(sheet: bytes) -> tuple[int, int]:
    """(rows, columns) of one .xlsb sheet part: its cells and its declared dimension."""
    rows = columns = row = 0
    for kind, at, size in _xlsb_records(sheet):
        if kind == _XLSB_ROW and size >= 4:
            row = struct.unpack_from("<I", sheet, at)[0]
        elif kind in _XLSB_CELLS and size >= 4:
            rows = max(rows, row + 1)
            columns = max(columns, struct.unpack_from("<I", sheet, at)[0] + 1)
        elif kind == _XLSB_DIMENSION and size >= 16:
            _, last_row, _, last_col = struct.unpack_from("<IIII", sheet, at)
            rows, columns = max(rows, last_row + 1), max(columns, last_col + 1)
    return rows, columns


def xlsb_sheets(workbook: bytes) -> list[tuple[str, str]]:
    """(relationship id, sheet name) of every sheet listed in xl/workbook.bin."""
    out = []
    for kind, at, size in _xlsb_records(workbook):
        if kind != _XLSB_SHEET or size < 12:
            continue
        body = workbook[at : at + size]
        rel, pos = _wide_string(body, 8)
        name, _ = _wide_string(body, pos)
        out.append((rel, name))
    return out


def _wide_string(body: bytes, pos: int) -> tuple[str, int]:
    """An XLWideString (u32 count of UTF-16 units, then the units) at `pos`; and what follows."""
    count = struct.unpack_from("<I", body, pos)[0]
    if count == 0xFFFFFFFF:  # a null string
        return "", pos + 4
    text = body[pos + 4 : pos + 4 + 2 * count].decode("utf-16-le", "replace")
    return text, pos + 4 + 2 * count
