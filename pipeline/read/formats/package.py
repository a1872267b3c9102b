"""A spreadsheet's bytes opened for its format's checks: the parts of a zip package read
safely, and the bounds every format applies before its cells are walked.

- parts are inflated straight from the file's bytes, never beyond their declared size,
  their size and CRC-32 checked (`Package.read`);
- a part is found by its name compared without regard to case, as OPC requires (ECMA-376
  Part 2 §9.1.1.1: a writer may store XL/WORKBOOK.XML; python-calamine finds it so too);
- an XML part that a parser will read may not declare a DTD: its prolog is looked at
  before any parser sees it (`Package.xml`, `check_prolog`, `check_parsed_parts`);
- the sheet data each format walks cell by cell are bounded by `[limits] max_sheet_bytes`
  (`check_sheet_bytes`).
"""

from __future__ import annotations

import re
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import lru_cache

from ...form import Limits
from ...intake.files import ReadProblem
from ...rules.findings import show

_ROOT_START = re.compile(rb"<[A-Za-z_]")
UNSAFE_XML = "tệp chứa khai báo DTD/ENTITY trong XML (không an toàn); hãy lưu lại bằng Excel rồi gửi lại"
# Parts that calamine parses besides the sheets we read (and check in full).
PARSED_PARTS = ("[Content_Types].xml", "xl/sharedStrings.xml", "xl/styles.xml", "content.xml", "styles.xml")


@dataclass
class Package:
    """A file's bytes, and its zip directory when it is a zip package (None: a compound
    file, whose format reads `data` itself)."""

    data: bytes
    zf: zipfile.ZipFile | None = None
    _folded: dict[str, str] | None = field(default=None, init=False, repr=False)

    def member(self, part: str) -> str:
        """The name the package stores `part` under: `part` itself, else the one member
        whose name equals it without regard to case ("" when none, or when several do: an
        invalid package, ECMA-376 Part 2 §9.1.1.1.2)."""
        if self.zf is None:
            return ""
        if part in self.zf.NameToInfo:
            return part
        if self._folded is None:
            folded: dict[str, str] = {}
            for name in self.zf.NameToInfo:
                key = name.casefold()
                folded[key] = "" if key in folded else name
            self._folded = folded
        return self._folded.get(part.casefold(), "")

    def has(self, part: str) -> bool:
        """Whether the package holds a member of that name (compared without regard to case)."""
        return bool(self.member(part))

    def size(self, part: str) -> int:
        """The declared uncompressed size of a member (bytes). KeyError when there is none."""
        assert self.zf is not None
        return self.zf.NameToInfo[self.member(part) or part].file_size

    def read(self, part: str, limit: int | None = None) -> bytes:
        """A member's bytes, with the size and CRC checks ZipFile would make (zipfile.
        BadZipFile when they fail; KeyError when there is no such member). With `limit`,
        only the first `limit` bytes (unchecked: for a look at the prolog)."""
        assert self.zf is not None
        return read_part(self.zf, self.data, self.member(part) or part, limit)

    def xml(self, part: str) -> bytes:
        """A member that will be parsed, after the look at its prolog (no DTD)."""
        xml = self.read(part)
        check_prolog(xml[:65536], complete=len(xml) <= 65536)
        return xml

    def no_dtd(self, part: str) -> None:
        """Refuse (ReadProblem FILE_UNSAFE) a member whose prolog declares a DTD, reading
        no more of it than its prolog."""
        head = self.read(part, limit=512)  # a normal part's prolog is a few dozen bytes
        if not _ROOT_START.search(head) and len(head) == 512:
            head = self.read(part, limit=512 + 65536)
        check_prolog(head, complete=len(head) < 512 + 65536)


def check_prolog(head: bytes, complete: bool) -> None:
    """An XML part may not declare a DTD (entity expansion): look before its root element.
    Raises ReadProblem FILE_UNSAFE."""
    m = _ROOT_START.search(head)
    prolog = head[: m.start()] if m else head
    if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
        raise ReadProblem("FILE_UNSAFE", UNSAFE_XML)
    if m is None and not complete:
        raise ReadProblem("FILE_UNSAFE", "phần mở đầu XML dài bất thường (không an toàn)")


def check_parsed_parts(package: Package, parts: tuple[str, ...] = PARSED_PARTS) -> None:
    """No DTD in any other part that a parser will read (parts nobody parses are harmless)."""
    for name in parts:
        if package.has(name):
            package.no_dtd(name)


def read_part(zf: zipfile.ZipFile, data: bytes, name: str, limit: int | None = None) -> bytes:
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


def check_sheet_bytes(size: int, whole_book: bool, limits: Limits, largest: str = "") -> None:
    """Refuse a file whose sheet data (what its format walks cell by cell: the form's .xlsx
    sheet parts, the .ods content.xml, the .xlsb sheet parts, the .xls workbook stream)
    exceed `limits.max_sheet_bytes`, so the work before calamine stays well under a second
    (`make bench`, benchmarks/prescan.py). A filled report holds about 250 kB of them.
    `whole_book`: every sheet counts (the fix is to delete sheets), else the form's sheets
    (the fix is to delete rows). `largest` names the sheet that holds the most of them,
    where the finding points. Raises ReadProblem FILE_TOO_LARGE."""
    if size <= limits.max_sheet_bytes:
        return
    fix = (
        "hãy xóa các trang tính không thuộc mẫu, hoặc mở bằng Excel và lưu thành .xlsx"
        if whole_book
        else "hãy xóa các dòng, cột thừa bên dưới hay bên phải bảng (kể cả chỉ có định dạng), "
        "hoặc tải mẫu mới và điền lại"
    )
    raise ReadProblem(
        "FILE_TOO_LARGE",
        f"dữ liệu các trang tính quá lớn ({show(size)} byte khi giải nén, "
        f"tối đa {show(limits.max_sheet_bytes)}); {fix}",
        sheet=largest,
    )


@lru_cache(maxsize=4096)
def norm_sheet(name: str) -> str:
    """A sheet name as compared with the form's: NFC (a file saved on macOS may use NFD),
    outer spaces off, case folded."""
    return unicodedata.normalize("NFC", name).strip().casefold()
