"""How far the sheets of an .xls file reach, found without building any grid, and the facts
its BIFF records give that python-calamine does not (error values, merges, numbers under a
format calamine takes for a date). The .xlsb records are walked in `xlsb.py`.

python-calamine reads a sheet into a dense grid, and reads every sheet of an .ods or .xls
file as soon as it opens it, so a file of a few kilobytes that repeats a value over ninety
thousand rows (.ods) or holds one cell at IV65536 (.xls) would cost gigabytes of memory.
The reader compares what these functions return with the form's limits before calamine
sees the file (.xlsx and .ods sheets are measured by parsing their XML: xlsx.py, ods.py;
each format's record in registry.py says which it uses).

Extents are (rows, columns) of the grid calamine would build, counted generously: blank
but formatted .xls and .xlsb cells count, and so does a declared dimension.
"""

from __future__ import annotations

import io
import struct

import olefile

from ...form import col_letter
from ..cellfacts import SheetFacts
from .numfmt import builtin_shows_date, shows_date

# --- Excel 97-2003: BIFF records in the OLE "Workbook" (or BIFF5 "Book") stream ----------
# [MS-XLS] §2.4: BOF 2.4.21, EOF 2.4.103, BoundSheet8 2.4.28, Dimensions 2.4.90,
# Formula 2.4.127 (FormulaValue 2.5.133), BoolErr 2.4.24 (Bes 2.5.10), MergeCells 2.4.168,
# Format 2.4.126, XF 2.4.353, Number 2.4.180, RK 2.4.220 (RkNumber 2.5.217), MulRk 2.4.175
_BOF, _EOF, _BOUNDSHEET, _DIMENSION = 0x0809, 0x000A, 0x0085, 0x0200
_FORMULA, _BOOLERR, _MERGECELLS = 0x0006, 0x0205, 0x00E5
_FORMAT, _XF, _NUMBER, _RK, _MULRK = 0x041E, 0x00E0, 0x0203, 0x027E, 0x00BD
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
    declared dimension count), error values of formulas and constants, merged ranges, and
    the numbers whose format shows no date (`SheetFacts.numbers`).
    Time linear in the stream's size (one look per record)."""
    names: dict[int, str] = {}  # stream offset of a sheet's BOF -> sheet name
    formats: dict[int, str] = {}  # format id -> format string defined in the file
    xf_formats: list[int] = []  # XF index -> format id
    plain: list[bool] = []  # XF index -> its format shows no date
    out: list[SheetFacts] = []
    current: SheetFacts | None = None
    pos, size = 0, len(book)
    while pos + 4 <= size:
        kind, length = struct.unpack_from("<HH", book, pos)
        body = book[pos + 4 : pos + 4 + length]
        if kind == _BOUNDSHEET and len(body) >= 8:
            names[struct.unpack_from("<I", body)[0]] = _sheet_name(body, biff5)
        elif kind == _FORMAT and len(body) >= 3 and current is None:
            formats[struct.unpack_from("<H", body)[0]] = _format_string(body, biff5)
        elif kind == _XF and len(body) >= 4 and current is None:
            xf_formats.append(struct.unpack_from("<H", body, 2)[0])
        elif kind == _BOF and pos in names:
            current = SheetFacts(names[pos])
            out.append(current)
            if len(plain) != len(xf_formats):
                plain = [_plain(fid, formats) for fid in xf_formats]
        elif kind == _EOF:
            current = None
        elif current is not None:
            _record(current, kind, body, biff5, plain)
        pos += 4 + length
    return out


def _plain(format_id: int, formats: dict[int, str]) -> bool:
    """A format that shows a number as a number (no date), as Excel classifies it: by the
    file's own definition when it defines the id, else by the built-in id."""
    fmt = formats.get(format_id)
    return not (shows_date(fmt) if fmt is not None else builtin_shows_date(format_id))


def _format_string(body: bytes, biff5: bool) -> str:
    """The format string of a Format record (BIFF8: XLUnicodeString; BIFF5: bytes)."""
    if biff5:
        return body[3 : 3 + body[2]].decode("cp1252", "replace")
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


def _number(facts: SheetFacts, row: int, col: int, xf: int, value: float, plain: list[bool]) -> None:
    """Keep a cell's number when its format shows no date (the value reader may take the
    format for a date: `SheetFacts.numbers`)."""
    if xf < len(plain) and plain[xf]:
        facts.numbers[f"{col_letter(col)}{row + 1}"] = value


def _record(facts: SheetFacts, kind: int, body: bytes, biff5: bool, plain: list[bool]) -> None:
    """What one record of a worksheet's substream adds to its facts."""
    row, col = -1, -1
    if kind in _CELL_RECORDS and len(body) >= 4:
        row, col = struct.unpack_from("<HH", body)
        error = _error_code(kind, body)
        if error is not None:
            facts.errors[f"{col_letter(col)}{row + 1}"] = ERROR_CODES.get(error, "#?")
        elif kind == _RK and len(body) >= 10:
            xf, rk = struct.unpack_from("<HI", body, 4)
            _number(facts, row, col, xf, rk_number(rk), plain)
        elif len(body) >= 14 and (kind == _NUMBER or (kind == _FORMULA and body[12:14] != b"\xff\xff")):
            # a Number record, or a Formula whose cached result is a number (not 0xFFFF-tagged)
            xf, value = struct.unpack_from("<Hd", body, 4)
            _number(facts, row, col, xf, value, plain)
    elif kind in _MULTI_CELL_RECORDS and len(body) >= 6:
        row = struct.unpack_from("<H", body)[0]
        col = struct.unpack_from("<H", body, len(body) - 2)[0]
        if kind == _MULRK:
            first = struct.unpack_from("<H", body, 2)[0]
            for i in range((len(body) - 6) // 6):
                xf, rk = struct.unpack_from("<HI", body, 4 + 6 * i)
                _number(facts, row, first + i, xf, rk_number(rk), plain)
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
