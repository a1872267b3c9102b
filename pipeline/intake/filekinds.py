"""Every kind of file the inbox may hold, declared once: its name, its suffixes, how its
bytes are recognised and what the pipeline does with it (`FileKind`, `KINDS`). Every
suffix list and format name of the package comes from here.

A kind has one of five roles:

- REPORT: a spreadsheet the pipeline reads (.xlsx, .xlsm, .xlsb, .ods, .xls). How each is
  bounded, checked, read and fed back is its `Format` in `read/formats/registry.py`, under
  the same name (a test keeps the two in step);
- CONTAINER: a message or archive opened into its entries (.eml, .zip; `containers.py`);
- REFUSED: refused by its name before anything reads it, with what to do (.msg), and
  refused by its bytes whatever its name when they say what it is (a flat OpenDocument
  spreadsheet, a Gnumeric workbook, an Excel 2.x-4.x sheet: formats no reader here reads);
- ATTACHED: what comes with a report and is not one (a cover letter, a scan, a signature):
  ignored inside a message or an archive, refused as "not a report" when sent alone;
- OTHER: an archive nobody opens (.rar, .7z, …): refused inside an archive, like a
  container, and refused as not a report when sent alone.

The bytes decide first: a zip package is recognised by its members (`package_kind`), a
compound file (OLE2) is read as .xls, a few other files are known by their first bytes
or by a mark near their start (`magic_kind`). Part names of a zip package compare without
regard to case (OPC part names are case-insensitive: ECMA-376 Part 2 §9.1.1.1), and a
package whose workbook is elsewhere is known by the content type its [Content_Types].xml
declares for it (§10.1.2.2). The name only tells apart kinds with the same bytes (.xlsm from .xlsx),
decides for the kinds refused by name, and says whether a file no reader recognises was
meant as a spreadsheet (then it is damaged, not "not a report").

This module sits in intake/, below reading, so that what arrives can be sorted before any
reader is imported; it holds data only and imports nothing of the package.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import PurePosixPath

REPORT, CONTAINER, REFUSED, ATTACHED, OTHER = "report", "container", "refused", "attached", "other"
ZIP, OLE = "zip", "ole"  # the two package families a spreadsheet comes in
# first bytes: a zip archive (local file header, or the end record of an empty archive;
# APPNOTE 4.3.7, 4.3.16) and a compound file ([MS-CFB] 2.2 header signature)
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
GZIP_MAGIC = b"\x1f\x8b"  # RFC 1952 §2.3.1
HEAD_BYTES = 4096  # how much of a file's start (of its text, when gzipped) `FileKind.marks` look at
CONTENT_TYPES = "[Content_Types].xml"  # an OPC package's content types part (ECMA-376 Part 2 §10.1.2.2)


@dataclass(frozen=True)
class FileKind:
    """One kind of file.

    name: the format's name, as the manifest and the JSON report show it ("xlsx");
    role: REPORT, CONTAINER, REFUSED, ATTACHED or OTHER (see the module docstring);
    suffixes: lower-case, with the dot; the first is the one shown in messages;
    shown: Vietnamese, what the file is, in messages ("tệp Word");
    package: ZIP or OLE when the file is such a package ("" otherwise);
    members: zip members of which any one present makes a package of this kind;
    mimetype: for an OpenDocument package, what its `mimetype` member must contain;
    magic: first bytes that identify the file on their own;
    marks: bytes any one of which, in the first HEAD_BYTES of a file that is no package
        (of its text when it is gzipped), identify it;
    content_type: for an OPC package, the content type of its main part, which names the
        kind when the members do not (the workbook stored elsewhere);
    nests: a message or an archive: refused inside an archive (one level of nesting);
    refusal: for REFUSED, the Vietnamese reason and what to do;
    code: for REFUSED, the finding's rule: FILE_NOT_REPORT for what holds no report of its
        own (a saved Outlook message), FILE_FORMAT for a report in a format no reader reads.
    """

    name: str
    role: str
    suffixes: tuple[str, ...] = ()
    shown: str = ""
    package: str = ""
    members: tuple[str, ...] = ()
    mimetype: bytes = b""
    magic: tuple[bytes, ...] = ()
    marks: tuple[bytes, ...] = ()
    content_type: bytes = b""
    nests: bool = False
    refusal: str = ""
    code: str = "FILE_NOT_REPORT"

    @property
    def suffix(self) -> str:
        """The suffix shown in messages (".xlsx")."""
        return self.suffixes[0] if self.suffixes else ""


OUTLOOK_MSG = (
    "thư Outlook (.msg) chưa được mở tự động; hãy lưu riêng tệp Excel đính kèm vào thư mục nhận, "
    "hoặc lưu thư dưới dạng .eml"
)
APPLE_NUMBERS = (
    "tệp Apple Numbers (.numbers) chưa đọc được; hãy mở bằng Numbers, chọn Tệp > Xuất sang > "
    "Excel, rồi gửi tệp .xlsx"
)
FLAT_ODS = (
    "bảng tính OpenDocument dạng XML (.fods) chưa đọc được; hãy mở bằng LibreOffice và lưu "
    "dưới dạng .xlsx hoặc .ods, rồi gửi lại"
)
GNUMERIC = (
    "bảng tính Gnumeric (.gnumeric) chưa đọc được; hãy mở bằng Gnumeric hoặc LibreOffice và "
    "lưu dưới dạng .xlsx, rồi gửi lại"
)
OLD_EXCEL = (
    "tệp Excel 2.x–4.x (định dạng trước Excel 5.0) chưa đọc được; hãy mở bằng Excel hoặc "
    "LibreOffice và lưu dưới dạng .xlsx, rồi gửi lại"
)
# Order matters where bytes are alike: the first kind whose members match names a package
# (an OpenDocument spreadsheet before any OpenDocument file; Excel's before Word's).
KINDS: tuple[FileKind, ...] = (
    # content types: ECMA-376 Part 1 §12.2 (SpreadsheetML main part); [MS-OFFMACRO2] 2.2.1.4;
    # [MS-XLSB] 2.1.2 (the binary workbook part)
    FileKind(
        "xlsx",
        REPORT,
        (".xlsx",),
        "bảng tính Excel",
        ZIP,
        ("xl/workbook.xml",),
        content_type=b"spreadsheetml.sheet.main+xml",
    ),
    FileKind(
        "xlsm",
        REPORT,
        (".xlsm",),
        "bảng tính Excel có macro",
        ZIP,
        ("xl/workbook.xml",),
        content_type=b"ms-excel.sheet.macroEnabled.main+xml",
    ),
    FileKind(
        "xlsb",
        REPORT,
        (".xlsb",),
        "bảng tính Excel nhị phân",
        ZIP,
        ("xl/workbook.bin",),
        content_type=b"ms-excel.sheet.binary.macroEnabled.main",
    ),
    FileKind(
        "ods", REPORT, (".ods",), "bảng tính OpenDocument", ZIP, ("mimetype",), b"opendocument.spreadsheet"
    ),
    FileKind("xls", REPORT, (".xls",), "bảng tính Excel 97-2003", OLE),
    FileKind("zip", CONTAINER, (".zip",), "tệp nén .zip", ZIP, nests=True),
    FileKind("eml", CONTAINER, (".eml",), "thư điện tử", nests=True),
    FileKind("msg", REFUSED, (".msg",), "thư Outlook", nests=True, refusal=OUTLOOK_MSG),
    # iWork 2013 and later: a zip whose document is Index/Document.iwa (Apple's own format,
    # shared by Pages and Keynote, told apart by the name; a renamed one is taken for Numbers)
    FileKind(
        "numbers",
        REFUSED,
        (".numbers",),
        "tệp Apple Numbers",
        ZIP,
        ("Index/Document.iwa",),
        refusal=APPLE_NUMBERS,
        code="FILE_FORMAT",
    ),  # fmt: skip
    # a flat OpenDocument spreadsheet: one XML document (OpenDocument 1.2 Part 1 §2.2.1,
    # office:mimetype on office:document); LibreOffice's "Flat XML ODF Spreadsheet"
    FileKind(
        "fods",
        REFUSED,
        (".fods",),
        "bảng tính OpenDocument dạng XML",
        marks=(b"application/vnd.oasis.opendocument.spreadsheet",),
        refusal=FLAT_ODS,
        code="FILE_FORMAT",
    ),
    # Gnumeric's own format: its XML, usually gzipped (the gnm namespace, v10 schema)
    FileKind(
        "gnumeric",
        REFUSED,
        (".gnumeric",),
        "bảng tính Gnumeric",
        marks=(b"http://www.gnumeric.org/v10.dtd", b"<gnm:Workbook"),
        refusal=GNUMERIC,
        code="FILE_FORMAT",
    ),
    # Excel 2.x-4.x: a bare BIFF2/3/4 record stream, no compound file; its first record is
    # BOF (0x0009, 0x0209, 0x0409) of 4 or 6 bytes ([MS-XLS] predecessors; OpenOffice.org's
    # "Microsoft Excel File Format" §5.8). .xlw: Excel 4.0's workbook
    FileKind(
        "xls_old",
        REFUSED,
        (".xlw",),
        "bảng tính Excel 2.x–4.x",
        magic=(b"\x09\x00\x04\x00", b"\x09\x02\x06\x00", b"\x09\x04\x06\x00"),
        refusal=OLD_EXCEL,
        code="FILE_FORMAT",
    ),
    FileKind("other_archive", OTHER, (".rar", ".7z", ".tar", ".gz", ".tgz"), "tệp nén", nests=True),
    FileKind("pdf", ATTACHED, (".pdf",), "tệp PDF", magic=(b"%PDF",)),
    FileKind("word", ATTACHED, (".doc", ".docx"), "tệp Word", ZIP, ("word/document.xml",)),
    FileKind("powerpoint", ATTACHED, (), "tệp PowerPoint", ZIP, ("ppt/presentation.xml",)),
    FileKind(
        "iwork", ATTACHED, (".pages", ".key"), "tài liệu Apple Pages, Keynote", ZIP, ("Index/Document.iwa",)
    ),
    FileKind("odf", ATTACHED, (".odt",), "tài liệu OpenDocument", ZIP, ("mimetype",)),
    FileKind("rtf", ATTACHED, (".rtf",), "tệp RTF", magic=(b"{\\rtf",)),
    FileKind("text", ATTACHED, (".txt",), "tệp văn bản"),
    FileKind("web", ATTACHED, (".htm", ".html"), "trang web"),
    FileKind("png", ATTACHED, (".png",), "ảnh PNG", magic=(b"\x89PNG",)),
    FileKind("jpeg", ATTACHED, (".jpg", ".jpeg"), "ảnh JPEG", magic=(b"\xff\xd8\xff",)),
    FileKind("gif", ATTACHED, (".gif",), "ảnh GIF", magic=(b"GIF8",)),
    FileKind("image", ATTACHED, (".bmp", ".tif", ".tiff"), "ảnh"),
    FileKind("signature", ATTACHED, (".p7s", ".asc", ".sig"), "chữ ký số"),
    FileKind("card", ATTACHED, (".ics", ".vcf"), "lịch hẹn, danh thiếp"),
)
BY_NAME = {k.name: k for k in KINDS}
MESSAGE_KIND = BY_NAME["eml"]  # what `mail fetch` saves a message as, and the inbox opens
ARCHIVE_KIND = BY_NAME["zip"]  # the archive the inbox opens


def _suffixes(*roles: str) -> frozenset[str]:
    return frozenset(s for k in KINDS if k.role in roles for s in k.suffixes)


SPREADSHEET_SUFFIXES = _suffixes(REPORT)
# what may hold a report, by its name: a spreadsheet, an archive we open, or a report in a
# format refused by name (.numbers)
REPORT_SUFFIXES = (
    SPREADSHEET_SUFFIXES
    | frozenset(ARCHIVE_KIND.suffixes)
    | frozenset(s for k in KINDS if k.role == REFUSED and k.code == "FILE_FORMAT" for s in k.suffixes)
)
MESSAGE_SUFFIXES = frozenset(MESSAGE_KIND.suffixes)
ARCHIVE_SUFFIXES = frozenset(ARCHIVE_KIND.suffixes)
NESTED_SUFFIXES = frozenset(s for k in KINDS if k.nests for s in k.suffixes)
NOT_REPORT_SUFFIXES = _suffixes(ATTACHED)


def suffix_of(name: str) -> str:
    """A file name's suffix, lower case ("" when it has none), as `PurePosixPath.suffix`
    gives it; `\\` counts as a separator."""
    return PurePosixPath(name.replace("\\", "/")).suffix.lower()


def kind_of_name(name: str) -> FileKind | None:
    """The kind a file's name says it is (by its suffix), or None."""
    suffix = suffix_of(name)
    return next((k for k in KINDS if suffix in k.suffixes), None)


def refused_by_name(name: str) -> tuple[str, str] | None:
    """(rule code, Vietnamese reason) when a file's name is that of a kind refused before
    anything reads it (.msg, .numbers); None otherwise."""
    kind = kind_of_name(name)
    return (kind.code, kind.refusal) if kind is not None and kind.role == REFUSED else None


def package_of(head: bytes) -> str:
    """ZIP or OLE when the first bytes open such a package, else ""."""
    if head.startswith(ZIP_MAGIC):
        return ZIP
    return OLE if head.startswith(OLE_MAGIC) else ""


def magic_kind(head: bytes) -> FileKind | None:
    """The kind that the first bytes alone identify (a PDF, an image …), else the kind
    whose mark the file's first HEAD_BYTES hold (of its text when it is gzipped: Gnumeric
    saves so), or None."""
    known = next((k for k in KINDS if k.magic and head.startswith(k.magic)), None)
    if known is not None:
        return known
    text = head[:HEAD_BYTES]
    if head.startswith(GZIP_MAGIC):
        try:  # only the start is inflated, however large the file says it is
            text = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head[:65536], HEAD_BYTES)
        except zlib.error:
            return None
    return next((k for k in KINDS if any(m in text for m in k.marks)), None)


def package_kind(
    members: Collection[str],
    mimetype: Callable[[], bytes],
    name: str,
    content_types: Callable[[], bytes] = lambda: b"",
) -> FileKind:
    """The kind of a zip package from its member names, compared without regard to case
    (`mimetype()` gives the start of its `mimetype` member when one is asked for); among
    kinds with the same members the one whose suffix the file `name` has (.xlsm), else the
    first. Failing that, the spreadsheet kind whose main content type `content_types()`
    (the CONTENT_TYPES part, b"" when none) declares: a workbook stored elsewhere. The zip
    kind when nothing says what else it is."""
    folded = {m.casefold() for m in members}
    for kind in _BY_MEMBERS:
        if not any(m.casefold() in folded for m in kind.members):
            continue
        if kind.mimetype and kind.mimetype not in mimetype()[:100]:
            continue
        alike = _ALIKE[kind.name]
        return next((k for k in alike if suffix_of(name) in k.suffixes), kind) if len(alike) > 1 else kind
    if CONTENT_TYPES.casefold() in folded:
        declared = content_types()
        for kind in KINDS:
            if kind.content_type and kind.content_type in declared:
                return kind
    return ARCHIVE_KIND


_BY_MEMBERS = tuple(k for k in KINDS if k.package == ZIP and k.members)
# kinds whose packages look the same (.xlsx and .xlsm), told apart by their suffix
_ALIKE = {
    k.name: tuple(o for o in _BY_MEMBERS if (o.members, o.mimetype) == (k.members, k.mimetype))
    for k in _BY_MEMBERS
}


def ole_kind() -> FileKind:
    """The spreadsheet kind that a compound file (OLE2) is read as (.xls)."""
    return next(k for k in KINDS if k.role == REPORT and k.package == OLE)
