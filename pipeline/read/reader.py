"""Open an untrusted file safely and read the cell values of the sheets we need.

Every file is read from disk exactly once (its bytes are hashed and parsed from memory).
Limits on size, zip entries, compression ratio, rows and columns are checked before any
spreadsheet reader touches the file. Cell values come from python-calamine; the sheet XML
is scanned (without expanding entities) only to find formulas that carry no cached value.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

import python_calamine as pc

from ..form import Limits, cell_at, col_letter
from ..intake.files import ReadProblem, too_large
from ..rules.findings import show
from .cellfacts import SheetFacts, UnsafeXML
from .formats.biff import biff_facts, workbook_stream
from .formats.ods import ods_facts, ods_values
from .formats.xlsb import fill_gaps, shared_strings, xlsb_facts, xlsb_sheets
from .formats.xlsx import plain_sheet_facts, relationships, sheet_facts, workbook_sheets

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
SPREADSHEET_EXT = {".xlsx", ".xlsm", ".xls", ".ods", ".xlsb"}

_KNOWN_NOT_REPORT = {
    b"%PDF": "tệp PDF",
    b"\x89PNG": "ảnh PNG",
    b"\xff\xd8\xff": "ảnh JPEG",
    b"GIF8": "ảnh GIF",
    b"{\\rtf": "tệp RTF",
}


@dataclass
class SheetData:
    name: str
    rows: list[list[Any]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    formulas_without_value: set[str] = field(default_factory=set)
    errors: dict[str, str] = field(default_factory=dict)  # cell -> error value shown by Excel

    def blank_span(self, row: int, first_col: int, last_col: int) -> bool:
        """True when the cells of `row` (1-based) from `first_col` to `last_col` are all empty."""
        if row - 1 >= len(self.rows):
            return True
        values = self.rows[row - 1][first_col : last_col + 1]
        return values.count("") + values.count(None) == len(values)

    def get(self, cell: str) -> Any:
        col, row = split_cell(cell)
        if row - 1 < len(self.rows):
            r = self.rows[row - 1]
            if col < len(r):
                v = r[col]
                return None if v == "" else v
        return None


@dataclass
class RawBook:
    """What one file holds, as far as the pipeline needs it."""

    format: str  # "xlsx", "xlsm", "xls", "ods", "xlsb"
    sheet_names: list[str]
    hidden: set[str]
    sheets: dict[str, SheetData]


@lru_cache(maxsize=8192)
def split_cell(cell: str) -> tuple[int, int]:
    """An A1 address as (0-based column, 1-based row): "D12" -> (3, 12). ValueError if not A1."""
    row, col = cell_at(cell)
    return col, row + 1


def sniff(name: str, data: bytes) -> str:
    """The kind of file from its bytes (never from its name alone)."""
    if not data:
        raise ReadProblem("FILE_EMPTY", "tệp rỗng (0 byte); hãy gửi lại tệp")
    if data.startswith(ZIP_MAGIC) or data.startswith(b"PK\x05\x06"):
        return "zip"
    if data.startswith(OLE_MAGIC):
        return "ole"
    for magic, what in _KNOWN_NOT_REPORT.items():
        if data.startswith(magic):
            raise ReadProblem("FILE_NOT_REPORT", f"không phải tệp báo cáo ({what})")
    ext = PurePosixPath(name).suffix.lower()
    if ext in SPREADSHEET_EXT:
        raise ReadProblem(
            "FILE_CORRUPT",
            "tệp bị hỏng hoặc không phải tệp Excel thật; hãy mở bằng Excel và lưu lại dưới dạng .xlsx",
        )
    raise ReadProblem("FILE_NOT_REPORT", "không phải tệp báo cáo (không phải tệp Excel)")


def _is_encrypted(data: bytes) -> bool:
    try:
        import msoffcrypto

        return bool(msoffcrypto.OfficeFile(io.BytesIO(data)).is_encrypted())
    except Exception:  # noqa: BLE001 - an unreadable OLE file is simply not encrypted Office
        return False


# Excel encrypts a workbook saved "read-only recommended" or write-protected with this public
# password ([MS-OFFCRYPTO] §2.3.6.1 / [MS-XLS] §2.2.10: "VelvetSweatshop"): nobody chose it.
DEFAULT_PASSWORD = "VelvetSweatshop"


def _open_default_password(data: bytes) -> bytes | None:
    """The decrypted file when Excel's default password opens it; None for a real password."""
    import msoffcrypto  # imported when needed: it pulls in `cryptography`

    try:
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
        office.load_key(password=DEFAULT_PASSWORD)
        out = io.BytesIO()
        office.decrypt(out)
    except Exception:  # noqa: BLE001 - a wrong password (InvalidKeyError) and odd files alike
        return None
    return out.getvalue()


def _check_zip(zf: zipfile.ZipFile, limits: Limits) -> str:
    """Refuse zip bombs and lying entries from the central directory alone; return the kind."""
    infos = zf.infolist()
    if len(infos) > limits.max_zip_entries:
        raise ReadProblem("FILE_TOO_LARGE", f"tệp nén chứa quá nhiều thành phần ({len(infos)})")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > limits.max_part_bytes:
            raise ReadProblem(
                "FILE_TOO_LARGE",
                f"thành phần '{info.filename[:60]}' khi giải nén quá lớn "
                f"({show(info.file_size)} byte, tối đa {show(limits.max_part_bytes)})",
            )
        if info.compress_size > info.file_size + 4096:
            raise ReadProblem(
                "FILE_UNSAFE",
                f"thành phần '{info.filename[:60]}' khai báo sai kích thước (nghi tệp 'bom nén')",
            )
        if info.compress_size and info.file_size / info.compress_size > limits.max_compression_ratio:
            if info.file_size > 1_000_000:
                raise ReadProblem(
                    "FILE_UNSAFE",
                    f"thành phần '{info.filename[:60]}' có tỉ lệ nén bất thường (nghi tệp 'bom nén')",
                )
    if total > limits.max_uncompressed_bytes:
        raise ReadProblem(
            "FILE_TOO_LARGE",
            f"tệp khi giải nén quá lớn ({show(total)} byte, tối đa {show(limits.max_uncompressed_bytes)})",
        )
    names = {i.filename for i in infos}
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "mimetype" in names and b"opendocument.spreadsheet" in zf.read("mimetype")[:100]:
        return "ods"
    if "word/document.xml" in names:
        raise ReadProblem("FILE_NOT_REPORT", "không phải tệp báo cáo (tệp Word)")
    if "ppt/presentation.xml" in names:
        raise ReadProblem("FILE_NOT_REPORT", "không phải tệp báo cáo (tệp PowerPoint)")
    if "mimetype" in names:
        raise ReadProblem("FILE_NOT_REPORT", "không phải tệp báo cáo (tài liệu OpenDocument)")
    raise ReadProblem("FILE_NOT_REPORT", "không phải tệp báo cáo (tệp nén .zip)")


_ROOT_START = re.compile(rb"<[A-Za-z_]")
_UNSAFE_XML = "tệp chứa khai báo DTD/ENTITY trong XML (không an toàn); hãy lưu lại bằng Excel rồi gửi lại"


def _check_prolog(head: bytes, complete: bool) -> None:
    """An XML part may not declare a DTD (entity expansion): look before its root element."""
    m = _ROOT_START.search(head)
    prolog = head[: m.start()] if m else head
    if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
        raise ReadProblem("FILE_UNSAFE", _UNSAFE_XML)
    if m is None and not complete:
        raise ReadProblem("FILE_UNSAFE", "phần mở đầu XML dài bất thường (không an toàn)")


def _no_dtd(zf: zipfile.ZipFile, data: bytes, part: str) -> None:
    head = _read_part(zf, data, part, limit=512)  # a normal part's prolog is a few dozen bytes
    if not _ROOT_START.search(head) and len(head) == 512:
        head = _read_part(zf, data, part, limit=512 + 65536)
    _check_prolog(head, complete=len(head) < 512 + 65536)


# Parts that calamine parses besides the sheets we read (and check in full).
PARSED_PARTS = ("[Content_Types].xml", "xl/sharedStrings.xml", "xl/styles.xml", "content.xml", "styles.xml")


def _check_parsed_parts(zf: zipfile.ZipFile, data: bytes) -> None:
    """No DTD in any other part that a parser will read (parts nobody parses are harmless)."""
    for name in PARSED_PARTS:
        if name in zf.NameToInfo:
            _no_dtd(zf, data, name)


def _read_part(zf: zipfile.ZipFile, data: bytes, name: str, limit: int | None = None) -> bytes:
    """A zip member's bytes, inflated straight from the file's bytes (several times faster
    than ZipFile.read for small parts), with the size and CRC checks ZipFile would make.
    With `limit`, only the first `limit` bytes (unchecked: for a look at the prolog)."""
    info = zf.NameToInfo[name]
    offset = info.header_offset
    if info.flag_bits & 1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        with zf.open(name) as fh:  # encrypted or unusual compression: let zipfile handle it
            return fh.read(limit if limit is not None else -1)
    if data[offset : offset + 4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"bad local header for {name}")
    name_len, extra_len = struct.unpack_from("<HH", data, offset + 26)
    start = offset + 30 + name_len + extra_len
    if info.compress_type == zipfile.ZIP_STORED:
        out = data[start : start + info.compress_size]
        if limit is not None:
            return out[:limit]
    else:
        raw = data[start : start + info.compress_size]
        inflater = zlib.decompressobj(-15)
        if limit is not None:
            return inflater.decompress(raw, limit)
        out = inflater.decompress(raw, info.file_size + 1)  # never more than declared (+1)
    if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
        raise zipfile.BadZipFile(f"size or CRC mismatch for {name}")
    return out


def _xml_part(zf: zipfile.ZipFile, data: bytes, part: str) -> bytes:
    """A part that will be parsed, after the look at its prolog (no DTD)."""
    xml = _read_part(zf, data, part)
    _check_prolog(xml[:65536], complete=len(xml) <= 65536)
    return xml


def _sheet_parts(zf: zipfile.ZipFile, data: bytes) -> dict[str, str]:
    """Map sheet name -> zip part of its XML. KeyError when a part is missing."""
    rels = _xml_part(zf, data, "xl/_rels/workbook.xml.rels")
    return dict(_sheet_map(rels, _xml_part(zf, data, "xl/workbook.xml")))


@lru_cache(maxsize=256)
def _sheet_map(rels: bytes, workbook: bytes) -> tuple[tuple[str, str], ...]:
    """`workbook_sheets` of these two parts, kept: the files made from one unit's template
    carry the same workbook and relationships parts, parsed once."""
    return tuple(workbook_sheets(workbook, relationships(rels)).items())


def _xlsb_facts(zf: zipfile.ZipFile, data: bytes, limits: Limits) -> list[SheetFacts]:
    """The facts of every sheet part of an .xlsb file (values, errors, extent)."""
    parts = relationships(_xml_part(zf, data, "xl/_rels/workbook.bin.rels"))
    names = {}
    if "xl/workbook.bin" in zf.NameToInfo:
        names = {parts.get(rel): name for rel, name in xlsb_sheets(_read_part(zf, data, "xl/workbook.bin"))}
    sheets = [p for p in zf.NameToInfo if p.startswith("xl/worksheets/") and p.endswith(".bin")]
    _check_sheet_bytes(sum(zf.NameToInfo[p].file_size for p in sheets), "xlsb", limits)
    sst = next((p for p in parts.values() if p.lower().endswith("sharedstrings.bin")), "")
    strings = shared_strings(_read_part(zf, data, sst)) if sst in zf.NameToInfo else []
    return [xlsb_facts(_read_part(zf, data, part), names.get(part, part), strings) for part in sheets]


def _check_sheet_bytes(size: int, fmt: str, limits: Limits, largest: str = "") -> None:
    """Refuse a file whose sheet data (what the checks below walk cell by cell: the form's
    .xlsx sheet parts, the .ods content.xml, the .xlsb sheet parts, the .xls workbook stream)
    exceed `limits.max_sheet_bytes`, so the work before calamine stays well under a second
    (`make bench`, benchmarks/prescan.py). A filled report holds about 250 kB of them.
    `largest` names the sheet that holds the most of them (.xlsx), where the finding points."""
    if size <= limits.max_sheet_bytes:
        return
    fix = (
        "hãy xóa các trang tính không thuộc mẫu, hoặc mở bằng Excel và lưu thành .xlsx"
        if fmt in ("ods", "xls", "xlsb")
        else "hãy xóa các dòng, cột thừa bên dưới hay bên phải bảng (kể cả chỉ có định dạng), "
        "hoặc tải mẫu mới và điền lại"
    )
    raise ReadProblem(
        "FILE_TOO_LARGE",
        f"dữ liệu các trang tính quá lớn ({show(size)} byte khi giải nén, "
        f"tối đa {show(limits.max_sheet_bytes)}); {fix}",
        sheet=largest,
    )


def _sheet_facts(xml: bytes, name: str, limits: Limits) -> SheetFacts:
    """Parse one sheet part and refuse it when its cells holding something reach beyond
    the limits (before calamine builds a grid for it)."""
    _check_prolog(xml[:65536], complete=len(xml) <= 65536)
    plain = plain_sheet_facts(xml, name, limits.max_rows, limits.max_columns)
    if plain is not None:  # the usual writers' spelling: no tree needed
        return plain
    facts = sheet_facts(xml, name, limits.max_rows, limits.max_columns)
    if facts.rows > limits.max_rows:
        raise ReadProblem(
            "FILE_TOO_LARGE",
            f"trang có dữ liệu đến dòng {show(facts.rows)}, tối đa {show(limits.max_rows)} dòng. "
            "Hãy xóa các dòng thừa có dữ liệu hay công thức bên dưới bảng (định dạng, kẻ khung "
            "không sao), hoặc tải mẫu mới và điền lại",
            sheet=name,
        )
    if facts.columns > limits.max_columns:
        raise ReadProblem(
            "FILE_TOO_LARGE",
            f"trang có dữ liệu đến cột {col_letter(facts.columns - 1)}, tối đa {limits.max_columns} "
            "cột. Hãy xóa các cột thừa có dữ liệu hay công thức bên phải bảng, hoặc tải mẫu mới "
            "và điền lại",
            sheet=name,
        )
    return facts


_UNREADABLE = "không đọc được tệp .{fmt}; hãy mở bằng Excel và lưu lại dưới dạng .xlsx"
# .ods/.xls: all sheets together may hold as many cells as this many sheets of the largest size
SHEETS_OF_CELLS = 10


def _check_extents(extents: list[tuple[str, int, int]], limits: Limits) -> None:
    """Refuse an .ods, .xls or .xlsb file any of whose sheets reaches beyond the limits
    (calamine reads every sheet of an .ods or .xls file, used or not)."""
    for sheet, rows, columns in extents:
        if rows > limits.max_rows or columns > limits.max_columns:
            raise ReadProblem(
                "FILE_TOO_LARGE",
                f"trang quá lớn ({show(rows)} dòng, {show(columns)} cột; tối đa {show(limits.max_rows)} "
                f"dòng, {limits.max_columns} cột). Với tệp .ods, .xls hay .xlsb, mọi trang đều được đọc, "
                "kể cả trang không dùng đến: hãy xóa phần thừa, hoặc lưu lại dưới dạng .xlsx",
                sheet=sheet,
            )
    cells = sum(rows * columns for _, rows, columns in extents)
    if cells > SHEETS_OF_CELLS * limits.max_rows * limits.max_columns:
        raise ReadProblem(
            "FILE_TOO_LARGE",
            f"tệp có quá nhiều trang hoặc quá nhiều ô ({len(extents)} trang, {show(cells)} ô); "
            "hãy xóa các trang thừa, hoặc lưu lại dưới dạng .xlsx",
        )


def read_book(data: bytes, name: str, wanted: list[str], limits: Limits) -> RawBook:
    """Read the values of the `wanted` sheets (those present) from a file's bytes.

    Limits are checked and the cell facts calamine cannot give (error values, formulas
    without a cached value, .ods/.xls merges) are parsed before calamine reads anything
    (`check_before_reading`). Raises ReadProblem."""
    data, fmt, facts = check_before_reading(data, name, wanted, limits)
    return _read_values(data, fmt, wanted, {_norm_sheet(f.name): f for f in facts}, limits)


def check_before_reading(
    data: bytes, name: str, wanted: list[str], limits: Limits, decrypted: bool = False
) -> tuple[bytes, str, list[SheetFacts]]:
    """Every check made before calamine may read the file: size, kind, zip structure, XML
    safety, extents; returns the bytes to read (decrypted when Excel's default password
    opens the file), the format and the facts of its sheets. Time linear in the size of
    the file. Raises ReadProblem."""
    if len(data) > limits.max_file_bytes:
        raise too_large(len(data), limits)
    if sniff(name, data) != "ole":
        return data, *_zip_facts(data, name, wanted, limits)
    if _is_encrypted(data):
        plain = None if decrypted else _open_default_password(data)
        if plain is not None:
            return check_before_reading(plain, name, wanted, limits, decrypted=True)
        raise ReadProblem("FILE_ENCRYPTED", "tệp được đặt mật khẩu, hãy gửi lại bản không mật khẩu")
    try:
        stream = workbook_stream(data)
    except Exception as exc:  # noqa: BLE001 - olefile raises several error types
        raise ReadProblem("FILE_FORMAT", _UNREADABLE.format(fmt="xls")) from exc
    if stream is not None:
        _check_sheet_bytes(len(stream[0]), "xls", limits)
    try:
        facts = biff_facts(*stream) if stream is not None else []
    except Exception as exc:  # noqa: BLE001 - a record cut short
        raise ReadProblem("FILE_FORMAT", _UNREADABLE.format(fmt="xls")) from exc
    _check_extents([(f.name, f.rows, f.columns) for f in facts], limits)
    return data, "xls", facts


def _zip_facts(data: bytes, name: str, wanted: list[str], limits: Limits) -> tuple[str, list[SheetFacts]]:
    """The format of a zip package and the facts of its sheets (for .xlsx the wanted ones),
    after every limit and safety check. Raises ReadProblem."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ReadProblem(
            "FILE_CORRUPT",
            "tệp bị hỏng (không giải nén được); hãy mở bằng Excel, lưu lại và gửi lại",
        ) from exc
    facts: list[SheetFacts] = []
    with zf:
        fmt = _check_zip(zf, limits)
        try:
            if fmt == "xlsx":
                if PurePosixPath(name).suffix.lower() == ".xlsm":
                    fmt = "xlsm"
                parts = _sheet_parts(zf, data)
                by_norm = {_norm_sheet(n): (n, p) for n, p in parts.items()}
                found = [by_norm.get(_norm_sheet(sheet), ("", "")) for sheet in wanted]
                found = [(actual, part) for actual, part in found if part and part in zf.NameToInfo]
                sizes = {actual: zf.NameToInfo[part].file_size for actual, part in found}
                _check_sheet_bytes(sum(sizes.values()), fmt, limits, max(sizes, key=sizes.get, default=""))
                for actual, part in found:
                    # read in full: the CRC check catches a part that lies about its size
                    facts.append(_sheet_facts(_read_part(zf, data, part), actual, limits))
            if fmt == "ods" and "content.xml" in zf.NameToInfo:
                _check_sheet_bytes(zf.NameToInfo["content.xml"].file_size, fmt, limits)
                facts = ods_facts(_xml_part(zf, data, "content.xml"))
                _check_extents([(f.name, f.rows, f.columns) for f in facts], limits)
            if fmt == "xlsb":
                facts = _xlsb_facts(zf, data, limits)
                _check_extents([(f.name, f.rows, f.columns) for f in facts], limits)
            _check_parsed_parts(zf, data)
        except ReadProblem:
            raise
        except UnsafeXML as exc:
            raise ReadProblem("FILE_UNSAFE", _UNSAFE_XML) from exc
        except zipfile.BadZipFile as exc:
            raise ReadProblem(
                "FILE_UNSAFE",
                "một thành phần của tệp nén không khớp với kích thước hay mã kiểm tra đã khai "
                "báo (tệp hỏng hoặc cố ý sửa); hãy lưu lại bằng Excel rồi gửi lại",
            ) from exc
        except Exception as exc:  # noqa: BLE001 - any malformed part means a broken file
            raise ReadProblem(
                "FILE_CORRUPT",
                "cấu trúc tệp Excel bị hỏng; hãy mở bằng Excel, lưu lại và gửi lại",
            ) from exc
    return fmt, facts


_BROKEN = "tệp Excel bị hỏng; hãy mở bằng Excel, lưu lại và gửi lại"


def _read_values(
    data: bytes, fmt: str, wanted: list[str], facts: dict[str, SheetFacts], limits: Limits
) -> RawBook:
    """The values of the wanted sheets, read by calamine, joined with their facts."""
    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - calamine raises several error types
        if fmt == "ods":  # a valid file calamine refuses (Gnumeric's whitespace): our own reader
            return _read_ods(data, wanted, facts)
        if fmt in ("xls", "ods", "xlsb"):
            raise ReadProblem("FILE_FORMAT", _UNREADABLE.format(fmt=fmt)) from exc
        raise ReadProblem("FILE_CORRUPT", _BROKEN) from exc
    try:
        meta = wb.sheets_metadata
        names = [m.name for m in meta]
        hidden = {m.name for m in meta if m.visible != pc.SheetVisibleEnum.Visible}
        sheets: dict[str, SheetData] = {}
        by_norm = {_norm_sheet(n): n for n in names}
        for want in wanted:
            actual = want if want in names else by_norm.get(_norm_sheet(want))
            if actual is None:
                continue
            found = facts.get(_norm_sheet(actual))
            if found is None and fmt in ("xlsx", "xlsm"):
                # calamine found a sheet our parse of the workbook did not: never read it unchecked
                raise ReadProblem("FILE_CORRUPT", _BROKEN)
            found = found or SheetFacts()
            sh = wb.get_sheet_by_name(actual)
            # 0-based indices of the last row and column (calamine's total_height is that index)
            end = sh.end or (0, 0)
            if end[0] + 1 > limits.max_rows or end[1] + 1 > limits.max_columns:
                raise ReadProblem(
                    "FILE_TOO_LARGE",
                    f"trang quá lớn (đến ô {col_letter(end[1])}{end[0] + 1}; tối đa "
                    f"{show(limits.max_rows)} dòng, {limits.max_columns} cột)",
                    sheet=want,
                )
            rows = sh.to_python(skip_empty_area=False)
            if found.numbers:
                _undo_false_dates(rows, found.numbers)
            if found.cells:  # .xlsb: the short cell records calamine skips
                fill_gaps(rows, found.cells)
            merged = list(sh.merged_cell_ranges or found.merged)
            sheets[want] = SheetData(want, rows, merged, found.no_value, found.errors)
    except ReadProblem:
        raise
    except Exception as exc:  # noqa: BLE001
        raise ReadProblem("FILE_CORRUPT", _BROKEN) from exc
    finally:
        wb.close()
    # report sheet names as the form spells them (a file saved on macOS may use NFD)
    canonical = {_norm_sheet(w): w for w in wanted}
    names = [canonical.get(_norm_sheet(n), n) for n in names]
    hidden = {canonical.get(_norm_sheet(n), n) for n in hidden}
    return RawBook(fmt, names, hidden, sheets)


def _read_ods(data: bytes, wanted: list[str], facts: dict[str, SheetFacts]) -> RawBook:
    """The values of an .ods file read by our own parse of content.xml (`ods_values`),
    for a valid file python-calamine cannot read. Raises ReadProblem."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            content = _xml_part(zf, data, "content.xml")
        by_norm = {_norm_sheet(w): w for w in wanted}
        book = ods_values(content, lambda name: _norm_sheet(name) in by_norm)
    except Exception as exc:  # noqa: BLE001 - not well-formed after all
        raise ReadProblem("FILE_FORMAT", _UNREADABLE.format(fmt="ods")) from exc
    sheets = {}
    for actual, rows in book.rows.items():
        want = by_norm[_norm_sheet(actual)]
        found = facts.get(_norm_sheet(actual)) or SheetFacts()
        sheets[want] = SheetData(want, rows, list(found.merged), found.no_value, found.errors)
    names = [by_norm.get(_norm_sheet(n), n) for n in book.names]
    hidden = {by_norm.get(_norm_sheet(n), n) for n in book.hidden}
    return RawBook("ods", names, hidden, sheets)


_DATE_TYPES = (dt.date, dt.time, dt.timedelta)  # dt.datetime is a dt.date


def _undo_false_dates(rows: list[list[Any]], numbers: dict[str, float]) -> None:
    """Where the value reader shows a date for a cell whose format shows a number (as
    `numfmt.shows_date` classifies it), put back the number the file stores."""
    for cell, number in numbers.items():
        col, row = split_cell(cell)
        if row - 1 < len(rows) and col < len(rows[row - 1]):
            if isinstance(rows[row - 1][col], _DATE_TYPES):
                rows[row - 1][col] = number


@lru_cache(maxsize=4096)
def _norm_sheet(name: str) -> str:
    return unicodedata.normalize("NFC", name).strip().casefold()
