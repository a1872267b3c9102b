"""Open an untrusted file safely and read the cell values of the sheets we need.

Every file is read from disk exactly once (its bytes are hashed and parsed from memory).
Limits on size, zip entries, compression ratio, rows and columns are checked before any
spreadsheet reader touches the file. Cell values come from python-calamine; what it cannot
tell (error values, formulas without a cached value, merges, cells it skips) comes from each
format's own facts. The bytes say which format a file is (`intake/filekinds.py`); what
reading it takes is its record in `formats/registry.py`, so nothing here names a format.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import python_calamine as pc

from ..form import Limits, cell_at, col_letter
from ..intake.files import ReadProblem, too_large
from ..intake.kinds.catalogue import kind_of_name
from ..intake.kinds.compound import compound_kind, ole_kind
from ..intake.kinds.detect import package_of
from ..intake.kinds.filekind import OLE, OTHER, REFUSED, REPORT
from ..intake.kinds.head import magic_kind
from ..intake.kinds.zip_package import zip_kind
from ..rules.findings import show
from ..system import impl
from ..text.values import DAY_ZERO, ShownOtherwise, UnshownDate
from .cellfacts import Merge, SheetFacts, UnsafeXML
from .comments import Comments, read_comments
from .formats.package import UNSAFE_XML, Package, check_parsed_parts, norm_sheet
from .formats.registry import BROKEN, Format, Lacks, format_of, odd_parts, suffixes_shown
from .formats.xlsb import fill_gaps


@dataclass
class SheetData:
    name: str
    rows: list[list[Any]]
    merged: list[Merge] = field(default_factory=list)
    formulas_without_value: set[str] = field(default_factory=set)
    errors: dict[str, str] = field(default_factory=dict)  # cell -> error value shown by Excel
    day_zero: dt.datetime = DAY_ZERO  # the day its numbers count from (`SheetFacts.day_zero`)
    # cells holding a formula with a stored result (`SheetFacts.results`): in an input cell,
    # a stored 0 or blank may be a result its writer never calculated (`reading.number`)
    formula_results: set[str] = field(default_factory=set)
    # formulas storing a 0 that may stand for text (`SheetFacts.text_as_zero`): no figure
    text_as_zero: set[str] = field(default_factory=set)

    @classmethod
    def from_facts(
        cls, name: str, rows: list[list[Any]], facts: SheetFacts, merged: list[Merge] | None = None
    ) -> SheetData:
        """Sheet `name`'s values `rows` with what its `facts` tell: merged ranges (`merged`
        instead when the value reader gives them), formulas without a value, error values,
        the day numbers count from, formulas with a stored result and those storing a 0
        that may stand for text."""
        return cls(
            name,
            rows,
            list(facts.merged if merged is None else merged),
            facts.no_value,
            facts.errors,
            facts.day_zero,
            facts.results,
            facts.text_as_zero,
        )

    def __post_init__(self) -> None:
        # a merged range of one cell merges nothing: older ClosedXML and PhpSpreadsheet write
        # such ranges (<mergeCell ref="D8:D8"/>), and Excel and LibreOffice show the cell as it
        # is (brk22 F5: refused as MERGED_INPUT, "các ô D8:D8 bị gộp")
        self.merged = [m for m in self.merged if m[0] != m[1]]

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

    format: str  # the name of its format (`formats.registry.FORMATS`)
    sheet_names: list[str]
    hidden: set[str]
    sheets: dict[str, SheetData]
    comments: Comments = field(default_factory=dict)  # the unit's cell comments (`comments.py`)


@lru_cache(maxsize=8192)
def split_cell(cell: str) -> tuple[int, int]:
    """An A1 address as (0-based column, 1-based row): "D12" -> (3, 12). ValueError if not A1."""
    row, col = cell_at(cell)
    return col, row + 1


def sniff(name: str, data: bytes) -> str:
    """The package a file's bytes open (`filekinds.ZIP` or `OLE`), never judged from its
    name alone. Raises ReadProblem for an empty file, a compound file whose entries say it
    is no workbook (a Word document, an Outlook message: `filekinds.compound_kind`), a file
    known by its first bytes not to be a report, and any other file (damaged when its name
    says it is a spreadsheet)."""
    if not data:
        raise ReadProblem("FILE_EMPTY", "tệp rỗng (0 byte); hãy gửi lại tệp")
    package = package_of(data)
    known = compound_kind(io.BytesIO(data)) if package == OLE else None
    if package and (known is None or known.role == REPORT):
        return package
    known = known or magic_kind(data, name)
    if known is not None and known.refusal:  # a spreadsheet no reader here reads, or what holds one
        raise ReadProblem(known.code, known.refusal)
    if known is not None:
        raise ReadProblem("FILE_NOT_REPORT", f"không phải tệp báo cáo ({known.shown})")
    named = kind_of_name(name)
    if named is not None and named.role == OTHER:  # an archive no reader opens (.tgz), by its name
        raise ReadProblem(named.code, named.refusal)
    if named is not None and named.role == REPORT:
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


def _check_zip(zf: zipfile.ZipFile, name: str, limits: Limits) -> Format:
    """Refuse zip bombs and lying entries from the central directory alone, and packages
    that hold no spreadsheet (by their members); return the spreadsheet's format."""
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
    kind = zip_kind(zf, name)  # by its members, found whatever their case
    if kind.role == REFUSED:  # a format no reader reads, whatever the file is called
        raise ReadProblem(kind.code, kind.refusal)
    if kind.role != REPORT:
        raise ReadProblem("FILE_NOT_REPORT", f"không phải tệp báo cáo ({kind.shown})")
    fmt = format_of(kind)
    if len({info.filename.casefold() for info in infos}) != len(infos):
        # equivalent part names (ECMA-376 Part 2 §9.1.1.1.2): a reader may take either one
        raise ReadProblem(
            "FILE_CORRUPT",
            "tệp chứa hai thành phần cùng tên (có thể chỉ khác chữ hoa, chữ thường), không hợp lệ; "
            "hãy mở bằng Excel, lưu lại và gửi lại",
        )
    if not fmt.any_case and not any(m in zf.NameToInfo for m in kind.members):
        raise ReadProblem(*odd_parts(kind))  # its facts would miss parts named otherwise
    return fmt


# whole-book formats: all sheets together may hold as many cells as this many sheets of the largest size
SHEETS_OF_CELLS = 10


def _check_extents(extents: list[tuple[str, int, int]], limits: Limits) -> None:
    """Refuse a file of a format whose every sheet the value reader reads (`Format.
    whole_book`: .ods, .xls, .xlsb) when any of its sheets reaches beyond the limits."""
    for sheet, rows, columns in extents:
        if rows > limits.max_rows or columns > limits.max_columns:
            raise ReadProblem(
                "FILE_TOO_LARGE",
                f"trang quá lớn ({show(rows)} dòng, {show(columns)} cột; tối đa {show(limits.max_rows)} "
                f"dòng, {limits.max_columns} cột). Với tệp {suffixes_shown('hay', whole_book=True)}, mọi trang "
                "đều được đọc, kể cả trang không dùng đến: hãy xóa phần thừa, hoặc lưu lại dưới dạng .xlsx",
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
    data, fmt, facts, comments = check_before_reading(data, name, wanted, limits)
    with impl.native_stderr_held():  # a panic of calamine's is a finding, not English lines
        book = _read_values(data, fmt, wanted, {norm_sheet(f.name): f for f in facts}, limits)
    book.comments = comments
    return book


def check_before_reading(
    data: bytes, name: str, wanted: list[str], limits: Limits, decrypted: bool = False
) -> tuple[bytes, Format, list[SheetFacts], Comments]:
    """Every check made before calamine may read the file: size, kind, zip structure, XML
    safety, extents; returns the bytes to read (decrypted when Excel's default password
    opens the file), the format, the facts of its sheets and the comments of the wanted
    sheets (read from the zip directory already open; none for a compound file). Time linear in the size of
    the file. Raises ReadProblem."""
    if len(data) > limits.max_file_bytes:
        raise too_large(len(data), limits)
    if sniff(name, data) != OLE:
        return _zip_facts(data, name, wanted, limits)
    if _is_encrypted(data):
        plain = None if decrypted else _open_default_password(data)
        if plain is not None:
            return check_before_reading(plain, name, wanted, limits, decrypted=True)
        raise ReadProblem("FILE_ENCRYPTED", "tệp được đặt mật khẩu, hãy gửi lại bản không mật khẩu")
    fmt = format_of(ole_kind())
    try:
        facts = fmt.facts(Package(data), wanted, limits)
    except ReadProblem:
        raise
    except Exception as exc:  # noqa: BLE001 - olefile's several error types, a record cut short
        raise ReadProblem(*fmt.unreadable) from exc
    _check_extents([(f.name, f.rows, f.columns) for f in facts], limits)
    return data, fmt, facts, {}


def _zip_facts(
    data: bytes, name: str, wanted: list[str], limits: Limits
) -> tuple[bytes, Format, list[SheetFacts], Comments]:
    """The bytes the value reader reads (the package's own, or as its format's facts
    rebuilt them: `Package.rebuilt`), the format of a zip package and the facts of its
    sheets (for .xlsx the wanted ones), after every limit and safety check. Raises
    ReadProblem."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ReadProblem(
            "FILE_CORRUPT",
            "tệp bị hỏng (không giải nén được); hãy mở bằng Excel, lưu lại và gửi lại",
        ) from exc
    with zf:
        fmt = _check_zip(zf, name, limits)
        package = Package(data, zf)
        try:
            facts = fmt.facts(package, wanted, limits)
            if fmt.whole_book:
                _check_extents([(f.name, f.rows, f.columns) for f in facts], limits)
            check_parsed_parts(package)
        except ReadProblem:
            raise
        except UnsafeXML as exc:
            raise ReadProblem("FILE_UNSAFE", UNSAFE_XML) from exc
        except zipfile.BadZipFile as exc:
            raise ReadProblem(
                "FILE_UNSAFE",
                "một thành phần của tệp nén không khớp với kích thước hay mã kiểm tra đã khai "
                "báo (tệp hỏng hoặc cố ý sửa); hãy lưu lại bằng Excel rồi gửi lại",
            ) from exc
        except Exception as exc:  # noqa: BLE001 - any malformed part means a broken file
            raise ReadProblem(
                "FILE_CORRUPT",
                f"cấu trúc tệp {fmt.kind.suffix} bị hỏng; hãy mở bằng Excel hoặc LibreOffice, lưu lại và gửi lại",
            ) from exc
        comments = read_comments(zf, fmt.comments_reader, wanted)  # never raises
    return package.rebuilt or data, fmt, facts, comments


def reader_failed(exc: BaseException) -> bool:
    """True when `exc` is the value reader failing on the file: an Exception, or pyo3's
    PanicException (a Rust panic inside python-calamine, e.g. on a BIFF record longer than
    its sheet's stream), which derives from BaseException so that `except Exception` lets it
    through; False for an interruption (KeyboardInterrupt, SystemExit), which goes on."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


class _Disagree(Exception):
    """calamine's sheets disagree with our parse of the file: a wanted sheet the facts found
    is missing from calamine's workbook, or read with no value where the facts found cells."""


def _holds_value(rows: list[list[Any]]) -> bool:
    return any(v not in ("", None) for row in rows for v in row)


def _read_values(
    data: bytes, fmt: Format, wanted: list[str], facts: dict[str, SheetFacts], limits: Limits
) -> RawBook:
    """The values of the wanted sheets, read by calamine, joined with their facts. Where
    calamine fails on the file, or its sheets disagree with the facts (`_Disagree`), the
    format's own value reader reads it (`Format.values`); a format without one is refused
    (`Format.unreadable`), never read with a sheet silently missing or blank; so is a file
    whose facts found a value calamine would misread (`SheetFacts.misread`)."""
    if not isinstance(fmt.values, Lacks) and any(f.misread for f in facts.values()):
        return _read_own(data, fmt, wanted, facts)
    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except BaseException as exc:  # noqa: BLE001 - calamine raises several error types, and panics
        if not reader_failed(exc):
            raise
        if not isinstance(fmt.values, Lacks):  # a valid file calamine refuses: our own reader
            return _read_own(data, fmt, wanted, facts)
        raise ReadProblem(*fmt.unreadable) from exc
    names: list[str] = []
    hidden: set[str] = set()
    try:
        meta = wb.sheets_metadata
        names = [m.name for m in meta]
        hidden = {m.name for m in meta if m.visible != pc.SheetVisibleEnum.Visible}
        sheets: dict[str, SheetData] = {}
        by_norm = {norm_sheet(n): n for n in names}
        for want in wanted:
            actual = want if want in names else by_norm.get(norm_sheet(want))
            if actual is None:
                if norm_sheet(want) in facts:  # our parse found it, calamine did not
                    raise _Disagree(want)
                continue
            found = facts.get(norm_sheet(actual))
            if found is None and not fmt.whole_book:
                # calamine found a sheet our parse of the workbook did not: never read it unchecked
                raise ReadProblem("FILE_CORRUPT", BROKEN)
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
            if found.rows and not isinstance(fmt.values, Lacks) and not _holds_value(rows):
                raise _Disagree(want)  # cells our parse found, none read: never a blank sheet
            if found.numbers:
                _as_formatted(rows, found.numbers)
            if found.cells:  # .xlsb: the short cell records calamine skips; .ods: untyped text
                fill_gaps(rows, found.cells)
            merged = list(sh.merged_cell_ranges or found.merged)
            sheets[want] = SheetData.from_facts(want, rows, found, merged)
    except ReadProblem:
        raise
    except _Disagree as exc:
        if not isinstance(fmt.values, Lacks):  # e.g. an .ods spelling its namespaces `tbl:`
            return _read_own(data, fmt, wanted, facts)
        raise ReadProblem(*fmt.unreadable) from exc
    except BaseException as exc:  # noqa: BLE001 - any failure of the value reader on this file
        if not reader_failed(exc):
            raise
        if isinstance(exc, OverflowError) and not isinstance(fmt.values, Lacks):
            # a duration past Python's timedelta ([h]:mm over 999.999.999 days: brk13): the
            # format's own reader gives it as `UnshownDate`
            return _read_own(data, fmt, wanted, facts)
        if isinstance(exc, OverflowError) and fmt.values_in_facts and names:
            return _from_facts(fmt.name, wanted, facts, names, hidden)
        raise ReadProblem("FILE_CORRUPT", BROKEN) from exc
    finally:
        wb.close()
    # report sheet names as the form spells them (a file saved on macOS may use NFD)
    canonical = {norm_sheet(w): w for w in wanted}
    names = [canonical.get(norm_sheet(n), n) for n in names]
    hidden = {canonical.get(norm_sheet(n), n) for n in hidden}
    return RawBook(fmt.name, names, hidden, sheets)


def _from_facts(
    name: str, wanted: list[str], facts: dict[str, SheetFacts], names: list[str], hidden: set[str]
) -> RawBook:
    """The wanted sheets of a file from their facts alone (`Format.values_in_facts`: every cell's
    value, as its format shows it), where python-calamine fails on a valid file: a number
    under an elapsed-time format past Python's timedelta. `names`, `hidden`: the workbook's
    sheets as calamine listed them."""
    by_norm = {norm_sheet(n): n for n in names}
    sheets: dict[str, SheetData] = {}
    for want in wanted:
        actual = want if want in names else by_norm.get(norm_sheet(want))
        found = facts.get(norm_sheet(actual)) if actual is not None else None
        if found is None:
            continue
        height = max((r for r, _ in found.cells), default=-1) + 1
        width = max((c for _, c in found.cells), default=-1) + 1
        rows: list[list[Any]] = [[""] * width for _ in range(height)]
        for (r, c), value in found.cells.items():
            rows[r][c] = value
        sheets[want] = SheetData.from_facts(want, rows, found)
    canonical = {norm_sheet(w): w for w in wanted}
    return RawBook(
        name,
        [canonical.get(norm_sheet(n), n) for n in names],
        {canonical.get(norm_sheet(n), n) for n in hidden},
        sheets,
    )


def _read_own(data: bytes, fmt: Format, wanted: list[str], facts: dict[str, SheetFacts]) -> RawBook:
    """The values of a file read by its format's own value reader (`Format.values`: .ods's
    parse of content.xml, .xls's walk of its BIFF records), for a valid file python-calamine
    cannot read. Raises ReadProblem."""
    assert not isinstance(fmt.values, Lacks)
    by_norm = {norm_sheet(w): w for w in wanted}
    try:
        book = fmt.values(data, lambda name: norm_sheet(name) in by_norm)
    except Exception as exc:  # noqa: BLE001 - not well-formed after all
        raise ReadProblem(*fmt.unreadable) from exc
    sheets = {}
    for actual, rows in book.rows.items():
        want = by_norm[norm_sheet(actual)]
        found = facts.get(norm_sheet(actual)) or SheetFacts()
        sheets[want] = SheetData.from_facts(want, rows, found)
    names = [by_norm.get(norm_sheet(n), n) for n in book.names]
    hidden = {by_norm.get(norm_sheet(n), n) for n in book.hidden}
    return RawBook(fmt.name, names, hidden, sheets)


_DATE_TYPES = (dt.date, dt.time, dt.timedelta, UnshownDate)  # dt.datetime is a dt.date


def _as_formatted(rows: list[list[Any]], shown: dict[str, Any]) -> None:
    """Each cell of `shown` (A1 -> its number as its format shows it: a number, or a date,
    time or `UnshownDate` where the format shows a date, as `numfmt.shows_date` classifies
    it) read as its format shows it, both ways: a date the value reader gives for a number
    format becomes the number the file stores, and a number (or the text of an .ods time)
    it gives for a date format becomes that date. Where both are dates the reader's stays,
    but for a duration ([h]:mm:ss) it gives as a date. A number shown as a percentage is a
    `values.PercentShown`, one it shows as another number a `values.ScaledShown`."""
    for cell, value in shown.items():
        col, row = split_cell(cell)
        if row - 1 < len(rows) and col < len(rows[row - 1]):
            line = rows[row - 1]
            was = line[col]
            if (
                isinstance(was, _DATE_TYPES) != isinstance(value, _DATE_TYPES)
                or (isinstance(value, dt.timedelta) and isinstance(was, dt.date))
                or isinstance(value, ShownOtherwise)  # a number its format shows as another
            ):
                line[col] = value
