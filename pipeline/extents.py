"""How far the sheets of an .ods, .xls or .xlsb file reach, found without building any grid.

python-calamine reads a sheet into a dense grid, and reads every sheet of an .ods or .xls
file as soon as it opens it, so a file of a few kilobytes that repeats a value over ninety
thousand rows (.ods) or holds one cell at IV65536 (.xls) would cost gigabytes of memory.
The reader compares what these functions return with the form's limits before calamine
sees the file (.xlsx sheets are checked by the reader's own scan of their XML).

Extents are (rows, columns) of the grid calamine would build, counted generously: blank
but formatted .xls and .xlsb cells count, and so does a declared dimension.
"""

from __future__ import annotations

import html
import io
import re
import struct
from collections.abc import Iterator

import olefile

# --- OpenDocument: content.xml ------------------------------------------------------------
_TABLE = re.compile(rb"<table:table(?=[\s>/])([^>]*)>")
_TABLE_END = b"</table:table>"
_TOKEN = re.compile(rb"<table:(table-row|table-cell|covered-table-cell)(?=[\s>/])([^>]*)>")
_ROWS_REPEATED = re.compile(rb'table:number-rows-repeated\s*=\s*"(\d{1,9})"')
_COLUMNS_REPEATED = re.compile(rb'table:number-columns-repeated\s*=\s*"(\d{1,9})"')
_HAS_VALUE = re.compile(rb"office:(?:[a-z]+-)?value\b|table:formula\b")
_NAME = re.compile(rb'table:name\s*=\s*"([^"]*)"')


def ods_extents(content: bytes) -> list[tuple[str, int, int]]:
    """(sheet name, rows, columns) of every table of an ODS content.xml.

    calamine keeps a row's cells up to its last cell with a value (a repeated cell counts
    as many times as it is repeated) and the rows up to the last row with a value (a
    repeated row likewise); blank cells and rows after the last value cost nothing."""
    out: list[tuple[str, int, int]] = []
    pos = 0
    while (table := _TABLE.search(content, pos)) is not None:
        end = content.find(_TABLE_END, table.end())
        end = len(content) if end < 0 else end
        rows: list[list[int]] = []  # per row: [times repeated, columns to its last value, columns]
        for token in _TOKEN.finditer(content, table.end(), end):
            kind, attrs = token.group(1), token.group(2)
            if kind == b"table-row":
                repeat = _ROWS_REPEATED.search(attrs)
                rows.append([int(repeat.group(1)) if repeat else 1, 0, 0])
            elif rows:
                repeat = _COLUMNS_REPEATED.search(attrs)
                rows[-1][2] += int(repeat.group(1)) if repeat else 1  # columns so far
                if _HAS_VALUE.search(attrs):
                    rows[-1][1] = rows[-1][2]
        height = width = count = 0
        for repeat, last, _ in rows:
            count += repeat
            if last:
                height, width = count, max(width, last)
        name = _NAME.search(table.group(1))
        label = html.unescape(name.group(1).decode("utf-8", "replace")) if name else f"#{len(out) + 1}"
        out.append((label, height, width))
        pos = end + len(_TABLE_END)
    return out


# --- Excel 97-2003: BIFF records in the OLE "Workbook" (or BIFF5 "Book") stream ----------
_BOF, _EOF, _BOUNDSHEET, _DIMENSION = 0x0809, 0x000A, 0x0085, 0x0200
# records that place one cell: row (u16) then column (u16) first in their body
_CELL_RECORDS = {0x0006, 0x00D6, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E}
_MULTI_CELL_RECORDS = {0x00BD, 0x00BE}  # MULRK, MULBLANK: row, first column, …, last column


def xls_extents(data: bytes) -> list[tuple[str, int, int]] | None:
    """(sheet name, rows, columns) of every worksheet of an .xls file; None when the file
    holds no workbook stream (calamine then refuses it on its own)."""
    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        stream = next((s for s in ("Workbook", "Book") if ole.exists(s)), None)
        if stream is None:
            return None
        biff5 = stream == "Book"
        book = ole.openstream(stream).read()
    names: dict[int, str] = {}  # stream offset of a sheet's BOF -> sheet name
    out: list[tuple[str, int, int]] = []
    current: list[int] | None = None  # [rows, columns] of the sheet being walked
    pos, size = 0, len(book)
    while pos + 4 <= size:
        kind, length = struct.unpack_from("<HH", book, pos)
        body = book[pos + 4 : pos + 4 + length]
        if kind == _BOUNDSHEET and len(body) >= 8:
            names[struct.unpack_from("<I", body)[0]] = _sheet_name(body, biff5)
        elif kind == _BOF and pos in names:
            current = [0, 0]
            out.append((names[pos], 0, 0))
        elif current is not None:
            row, col = -1, -1
            if kind in _CELL_RECORDS and len(body) >= 4:
                row, col = struct.unpack_from("<HH", body)
            elif kind in _MULTI_CELL_RECORDS and len(body) >= 6:
                row = struct.unpack_from("<H", body)[0]
                col = struct.unpack_from("<H", body, len(body) - 2)[0]
            elif kind == _DIMENSION and len(body) >= (10 if biff5 else 14):
                # last row and last column + 1, as declared (calamine may size its grid by it)
                fmt = "<HHHH" if biff5 else "<IIHH"
                _, rows_end, _, cols_end = struct.unpack_from(fmt, body)
                row, col = rows_end - 1, cols_end - 1
            elif kind == _EOF:
                current = None
            if current is not None and (row >= 0 or col >= 0):
                current[0] = max(current[0], row + 1)
                current[1] = max(current[1], col + 1)
                out[-1] = (out[-1][0], current[0], current[1])
        pos += 4 + length
    return out


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
