"""A spreadsheet's bytes opened for its format's checks: the parts of a zip package read
safely, and the bounds every format applies before its cells are walked.

- parts are inflated straight from the file's bytes, never beyond their declared size,
  their size and CRC-32 checked (`Package.read`);
- a part is found by its name compared without regard to case, as OPC requires (ECMA-376
  Part 2 §9.1.1.1: a writer may store XL/WORKBOOK.XML; python-calamine finds it so too);
- an XML part that a parser will read may not declare a DTD: its prolog is looked at
  before any parser sees it (`Package.xml`, `check_prolog`, `check_parsed_parts`);
- the sheet data each format walks cell by cell are bounded by `[limits] max_sheet_bytes`
  (`check_sheet_bytes`);
- a workbook's parts are found as OPC finds them, through relationships (ECMA-376 Part 2
  §9.3): the package's officeDocument relationship names the workbook part, wherever it
  is, and the workbook's relationships name its sheets, styles and shared strings
  (`book_parts`). Some .NET and Java libraries store the workbook at the root or under
  another name; python-calamine looks for it, its styles and its shared strings under fixed
  names, so such a package is given to it again with those parts where it looks
  (`for_value_reader`), never read with a part missing.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import lru_cache

from lxml import etree

from ...form import Limits
from ...intake.files import ReadProblem
from ...rules.findings import show
from ..cellfacts import parse_xml

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
    # the bytes the value reader reads instead of `data` (`for_value_reader`), set by the
    # format's facts when the file keeps its parts where python-calamine does not look
    rebuilt: bytes | None = field(default=None, init=False, repr=False)
    # parts stored in UTF-16, as UTF-8 (`text`): what the facts parse and the value reader reads
    transcoded: dict[str, bytes] = field(default_factory=dict, init=False, repr=False)
    _folded: dict[str, str] | None = field(default=None, init=False, repr=False)
    # members read in full from `data` (names as stored) -> their bytes, and whether their
    # deflated stream ends where the member does (`stored_for_value_reader` stores those)
    _whole: dict[str, tuple[bytes, bool]] = field(default_factory=dict, init=False, repr=False)

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
        name = self.member(part) or part
        if not self.data:  # a zip directory opened without the file's bytes: zipfile reads it
            with self.zf.open(name) as fh:
                return fh.read(limit if limit is not None else -1)
        if limit is not None:
            return read_part(self.zf, self.data, name, limit)
        whole = self._whole.get(name)
        if whole is None:  # read once: the facts and the checks may ask again
            whole = self._whole[name] = _inflated(self.zf, self.data, name)
        return whole[0]

    def text(self, part: str) -> bytes:
        """A member's bytes as UTF-8: as stored, or transcoded from UTF-16 (`as_utf8`; kept
        in `transcoded` under the name stored). Raises as `read`, and ValueError for UTF-16
        that does not decode."""
        raw = self.read(part)
        utf8 = as_utf8(raw)
        if utf8 is None:
            return raw
        self.transcoded[self.member(part) or part] = utf8
        return utf8

    def xml(self, part: str) -> bytes:
        """A member that will be parsed, as UTF-8 (`text`), after the look at its prolog
        (no DTD)."""
        xml = self.text(part)
        check_prolog(xml[:65536], complete=len(xml) <= 65536)
        return xml

    def no_dtd(self, part: str) -> None:
        """Refuse (ReadProblem FILE_UNSAFE) a member whose prolog declares a DTD, reading
        no more of it than its prolog (twice as many bytes in UTF-16)."""
        head = self.read(part, limit=512)  # a normal part's prolog is a few dozen bytes
        utf16 = _utf16(head)
        if utf16:
            head = self.read(part, limit=2 * (512 + 65536))
            text = head.decode(utf16, errors="replace").encode("utf-8")
            check_prolog(text, complete=len(head) < 2 * (512 + 65536))
            return
        if not _ROOT_START.search(head) and len(head) == 512:
            head = self.read(part, limit=512 + 65536)
        check_prolog(head, complete=len(head) < 512 + 65536)


# An XML part may be stored in UTF-16 (XML 1.0 §4.3.3; ECMA-376 Part 2 §8.1.4 allows UTF-8
# and UTF-16 for parts), with a byte order mark or, without one, told by its first
# characters (XML 1.0 Appendix F). python-calamine reads UTF-8 alone, and our byte patterns
# look for UTF-8 too: such a part is transcoded before either sees it.
_DECLARED_ENCODING = re.compile(r"""\A(\s*<\?xml\s[^>]*?encoding\s*=\s*["'])[^"']*(["'])""")


def _utf16(head: bytes) -> str:
    """The codec of a part starting with `head` when it is UTF-16 ("" when not)."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"  # the byte order mark tells which
    if head[:4] == b"<\x00?\x00":
        return "utf-16-le"
    if head[:4] == b"\x00<\x00?":
        return "utf-16-be"
    return ""


def as_utf8(raw: bytes) -> bytes | None:
    """A part stored in UTF-16 as UTF-8, its XML declaration saying so; None for any other
    part (UTF-8, with or without a byte order mark, is read as stored). Raises ValueError
    (UnicodeDecodeError) for UTF-16 that does not decode."""
    codec = _utf16(raw[:4])
    if not codec:
        return None
    text = _DECLARED_ENCODING.sub(r"\g<1>UTF-8\g<2>", raw.decode(codec), count=1)
    return text.encode("utf-8")


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
    if (
        limit is None
        or info.flag_bits & 1
        or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
    ):
        return _inflated(zf, data, name, limit)[0]
    start = _data_start(data, info)
    if info.compress_type == zipfile.ZIP_STORED:
        return data[start : start + min(info.compress_size, limit)]
    return zlib.decompressobj(-15).decompress(data[start : start + info.compress_size], limit)


def _data_start(data: bytes, info: zipfile.ZipInfo) -> int:
    """Where a member's data start in the file's bytes, after its local header."""
    offset = info.header_offset
    if data[offset : offset + 4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"bad local header for {info.filename}")
    name_len, extra_len = struct.unpack_from("<HH", data, offset + 26)
    return offset + 30 + name_len + extra_len


def _inflated(zf: zipfile.ZipFile, data: bytes, name: str, limit: int | None = None) -> tuple[bytes, bool]:
    """`read_part`, and whether the member is deflated and its stream ends where the
    member's data do (nothing after it, nothing missing): such a member can be stored
    (`stored_for_value_reader`) and read the same by any inflater."""
    info = zf.NameToInfo[name]
    if info.flag_bits & 1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        with zf.open(name) as fh:  # encrypted or unusual compression: let zipfile handle it
            return fh.read(limit if limit is not None else -1), False
    start = _data_start(data, info)
    ended = False
    if info.compress_type == zipfile.ZIP_STORED:
        out = data[start : start + info.compress_size]
        if limit is not None:
            return out[:limit], False
    else:
        raw = data[start : start + info.compress_size]
        inflater = zlib.decompressobj(-15)
        if limit is not None:
            return inflater.decompress(raw, limit), False
        out = inflater.decompress(raw, info.file_size + 1)  # never more than declared (+1)
        ended = inflater.eof and not inflater.unused_data and not inflater.unconsumed_tail
    if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
        raise zipfile.BadZipFile(f"size or CRC mismatch for {name}")
    return out, ended


# ZIP records (PKWARE APPNOTE 6.3.x §4.3.7 local file header, §4.3.12 central directory
# header, §4.3.16 end of central directory record)
_LOCAL = struct.Struct("<4s5H3L2H")  # signature, version, flags, method, time, date, crc, sizes, name, extra
_CENTRAL = struct.Struct("<4s6H3L5H2L")  # … crc, sizes, name, extra, comment, disk, attributes, offset
_END = struct.Struct("<4s4H2LH")
_NO_SIZE = 0xFFFFFFFF  # a size or offset kept in a ZIP64 record


def stored_for_value_reader(package: Package) -> bytes | None:
    """The package's bytes with each deflated member its facts read in full stored instead
    (not compressed: the same bytes, size and CRC-32), every other member's bytes as they
    are, and the central directory's records as they are, their offsets moved: the value
    reader finds the same members and need not inflate again what the facts inflated.
    None (it reads the file's own bytes) unless the package is laid out as writers lay it
    out, where every zip reader finds the same members: the end record last with no
    comment, no ZIP64 record, the central directory just before it and the members in its
    order one after the other from the first byte up to it, none encrypted or compressed
    otherwise than deflated or stored."""
    data, zf = package.data, package.zf
    assert zf is not None
    end = len(data) - _END.size
    if end < 0 or data[end : end + 4] != b"PK\x05\x06" or data[end - 20 : end - 16] == b"PK\x06\x07":
        return None
    _, disk, first_disk, on_disk, count, size, at, comment = _END.unpack_from(data, end)
    infos = zf.infolist()
    if disk or first_disk or on_disk != count or comment or at + size != end or count != len(infos):
        return None
    if not any(flag for _, flag in package._whole.values()):
        return None  # nothing inflated to store
    directory = bytearray(data[at:end])
    pieces: list[bytes | memoryview] = []
    view = memoryview(data)
    moved = pos = 0
    for i, info in enumerate(infos):
        if pos + _CENTRAL.size > len(directory):
            return None
        record = _CENTRAL.unpack_from(directory, pos)
        sig, flags, method, offset = record[0], record[3], record[4], record[16]
        name_len, extra_len, note_len = record[10], record[11], record[12]
        stop = infos[i + 1].header_offset if i + 1 < count else at
        if (
            sig != b"PK\x01\x02"
            or offset != info.header_offset
            or (i == 0 and offset != 0)
            or stop <= offset
            or flags & 1
            or method not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
            or _NO_SIZE in (record[8], record[9], offset)
        ):
            return None
        whole = package._whole.get(info.filename)
        if whole is not None and whole[1] and method == zipfile.ZIP_DEFLATED:
            local = _LOCAL.unpack_from(data, offset)
            name = data[offset + _LOCAL.size : offset + _LOCAL.size + local[9]]
            header = _LOCAL.pack(
                b"PK\x03\x04", local[1], local[2] & 0x800, zipfile.ZIP_STORED, local[4], local[5],
                info.CRC, info.file_size, info.file_size, len(name), 0,
            )  # fmt: skip
            pieces += [header, name, whole[0]]
            _CENTRAL.pack_into(
                directory, pos, *record[:3], flags & 0x800, zipfile.ZIP_STORED, *record[5:8],
                info.file_size, *record[9:16], offset + moved,
            )  # fmt: skip
            moved += len(header) + len(name) + len(whole[0]) - (stop - offset)
        else:
            pieces.append(view[offset:stop])
            if moved:
                _CENTRAL.pack_into(directory, pos, *record[:16], offset + moved)
        pos += _CENTRAL.size + name_len + extra_len + note_len
    if pos != len(directory):
        return None
    pieces += [directory, _END.pack(b"PK\x05\x06", disk, first_disk, on_disk, count, size, at + moved, 0)]
    return b"".join(pieces)


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


# ----- a workbook's parts, found through relationships (ECMA-376 Part 2 §9.3) ----------------
PACKAGE_RELS = "_rels/.rels"  # the package's own relationships part (§9.3.1)
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
# relationship types by their last segment, which the transitional
# (http://schemas.openxmlformats.org/officeDocument/2006/relationships/…) and the Strict
# (http://purl.oclc.org/ooxml/officeDocument/relationships/…) spellings share
OFFICE_DOCUMENT, SHARED_STRINGS, STYLES = "officeDocument", "sharedStrings", "styles"
SHEET_TYPES = ("worksheet", "chartsheet", "dialogsheet")
_OFFICE_DOCUMENT_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
# where python-calamine looks for the parts it finds by name: the workbook, its
# relationships, its shared strings and styles (python-calamine 0.9, on calamine 0.36, looks
# for these names in the folder of the officeDocument relationship's target, in any case;
# earlier versions in xl/ alone: calamine src/xlsx/mod.rs, Xlsx::new)
FIXED_PLACES = {
    OFFICE_DOCUMENT: "xl/workbook.xml",
    "rels": "xl/_rels/workbook.xml.rels",
    SHARED_STRINGS: "xl/sharedStrings.xml",
    STYLES: "xl/styles.xml",
}


def rels_part(part: str) -> str:
    """The relationships part of a part: xl/worksheets/sheet1.xml ->
    xl/worksheets/_rels/sheet1.xml.rels (ECMA-376 Part 2, §9.3.3)."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


@dataclass(frozen=True)
class Relationship:
    """One internal relationship of a part: its id, type (the URI), target as written, and
    the part it targets (a zip member name: relative targets resolved against the source
    part's folder, an absolute one from the package root)."""

    id: str
    type: str
    target: str
    part: str

    @property
    def kind(self) -> str:
        """The type's last segment ("styles")."""
        return self.type.rpartition("/")[2]

    def is_a(self, *kinds: str) -> bool:
        """Whether its type is one of these (by the type's last segment: "styles")."""
        return self.kind in kinds


@lru_cache(maxsize=256)
def part_relationships(rels: bytes, part: str) -> tuple[Relationship, ...]:
    """The internal relationships of `part` from its .rels part (external targets left
    out). Kept: the files made from one template share these parts. Raises as
    `cellfacts.parse_xml`."""
    folder = posixpath.dirname(part)
    out = []
    for rel in parse_xml(rels).iter(_REL):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            continue
        path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        out.append(Relationship(rel.get("Id", ""), rel.get("Type", ""), target, posixpath.normpath(path)))
    return tuple(out)


def relationships(rels: bytes, part: str) -> dict[str, tuple[str, str]]:
    """The relationships of `part` from its .rels part: id -> (type, target part path in
    the zip); external targets left out. Raises as `cellfacts.parse_xml`."""
    return {r.id: (r.type, r.part) for r in part_relationships(rels, part)}


@dataclass(frozen=True)
class BookParts:
    """Where a spreadsheet package keeps its workbook part and what the workbook relates."""

    workbook: str  # the part the package's relationship names, as the package stores it
    related: tuple[Relationship, ...] = ()  # the workbook's own relationships
    rels: bytes = b""  # the workbook's relationships part, as read (b"" when it has none)

    def part(self, kind: str) -> str:
        """The first part the workbook relates by this type ("" when none)."""
        return next((r.part for r in self.related if r.is_a(kind)), "")

    @property
    def by_id(self) -> dict[str, str]:
        """Relationship id -> part, as the workbook's sheets refer to them (r:id)."""
        return {r.id: r.part for r in self.related}


def book_parts(package: Package, usual: str) -> BookParts:
    """The workbook part the package's officeDocument relationship names (`usual` when the
    package has no relationships part, or none of that type: the value reader then finds
    what it finds), with its relationships (none when it has no relationships part). Raises
    ReadProblem FILE_UNSAFE for a DTD, as `cellfacts.parse_xml` for a part that is not XML."""
    workbook = usual
    if package.has(PACKAGE_RELS):
        main = [r for r in part_relationships(package.xml(PACKAGE_RELS), "") if r.is_a(OFFICE_DOCUMENT)]
        workbook = main[0].part if main else usual
    rels_name = rels_part(package.member(workbook) or workbook)
    rels = package.xml(rels_name) if package.has(rels_name) else b""
    related = part_relationships(rels, workbook) if rels else ()
    return BookParts(package.member(workbook) or workbook, related, rels)


def read_in_place(package: Package, book: BookParts) -> bool:
    """Whether python-calamine finds every part `book` names where it looks for it
    (`FIXED_PLACES`, names compared as stored): the workbook and its relationships, its
    shared strings and styles (or their absence: no stray part under the fixed name), and
    every sheet's target joined as calamine joins it (its folder, no `..` resolved). A few
    microseconds: it runs for every .xlsx."""
    assert package.zf is not None
    stored = package.zf.NameToInfo
    if book.workbook != FIXED_PLACES[OFFICE_DOCUMENT] or FIXED_PLACES["rels"] not in stored:
        return False
    folder = posixpath.dirname(book.workbook) + "/"
    found = {SHARED_STRINGS: "", STYLES: ""}
    for rel in book.related:
        kind = rel.kind
        if kind in SHEET_TYPES:
            joined = rel.target[1:] if rel.target.startswith("/") else folder + rel.target
            if joined != rel.part or joined not in stored:
                return False
        elif kind in found and not found[kind]:
            found[kind] = package.member(rel.part)
    return all(
        part == (FIXED_PLACES[kind] if FIXED_PLACES[kind] in stored else "") for kind, part in found.items()
    )


def for_value_reader(package: Package, book: BookParts, replaced: dict[str, bytes] | None = None) -> bytes:
    """The package again (stored, not compressed) with the workbook, its shared strings and
    styles at `FIXED_PLACES`, the workbook's relationships pointing at every part by its
    absolute name, and the package's relationships at the workbook: what python-calamine
    reads of it is then what the relationships say. Every other part is kept under its name;
    a part stored under one of the fixed names that is not the one the relationships give
    for it is left out (the value reader would take it instead). `replaced`: parts (names
    as stored) given other bytes (sheets without the results their writer declared stale,
    `formats/results.py`; the styles without elapsed-time formats, `numfmt.elapsed_as_numbers`). Raises ValueError when a sheet is stored under one of those
    names (there is no place left for it)."""
    replaced = replaced or {}
    assert package.zf is not None
    taken = {name.casefold() for name in (*FIXED_PLACES.values(), PACKAGE_RELS)}
    if any(rel.part.casefold() in taken for rel in book.related if rel.is_a(*SHEET_TYPES)):
        raise ValueError("a sheet stored where the workbook's parts go")
    root = etree.Element(f"{{{_RELS_NS}}}Relationships", nsmap={None: _RELS_NS})
    etree.SubElement(root, _REL, Id="rId1", Type=_OFFICE_DOCUMENT_TYPE, Target=FIXED_PLACES[OFFICE_DOCUMENT])
    related = etree.Element(f"{{{_RELS_NS}}}Relationships", nsmap={None: _RELS_NS})
    for rel in book.related:
        stored = package.member(rel.part) or rel.part  # the name as stored: found in any case
        etree.SubElement(related, _REL, Id=rel.id, Type=rel.type, Target="/" + stored)
    fixed = {
        PACKAGE_RELS: etree.tostring(root, xml_declaration=True, encoding="UTF-8"),
        FIXED_PLACES[OFFICE_DOCUMENT]: package.text(book.workbook),
        FIXED_PLACES["rels"]: etree.tostring(related, xml_declaration=True, encoding="UTF-8"),
    }
    for kind in (SHARED_STRINGS, STYLES):
        if package.has(book.part(kind)):
            fixed[FIXED_PLACES[kind]] = replaced.get(package.member(book.part(kind)) or "") or package.text(
                book.part(kind)
            )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zout:
        for info in package.zf.infolist():
            if not info.is_dir() and info.filename.casefold() not in taken:
                data = replaced.get(info.filename) or package.transcoded.get(info.filename)
                zout.writestr(info.filename, package.read(info.filename) if data is None else data)
        for name, data in fixed.items():
            zout.writestr(name, data)
    return out.getvalue()
