"""Every kind of file the inbox may hold, declared once: its name, its suffixes, how its
bytes are recognised and what the pipeline does with it (`FileKind`, `KINDS`). Every
suffix list and format name of the package comes from here.

A kind has one of five roles:

- REPORT: a spreadsheet the pipeline reads (.xlsx, .xlsm, .xlsb, .ods, .xls). How each is
  bounded, checked, read and fed back is its `Format` in `read/formats/registry.py`, under
  the same name (a test keeps the two in step);
- CONTAINER: a message or archive opened into its entries (.eml, .zip; `containers.py`);
- REFUSED: refused by its name before anything reads it, with what to do (.msg);
- ATTACHED: what comes with a report and is not one (a cover letter, a scan, a signature):
  ignored inside a message or an archive, refused as "not a report" when sent alone;
- OTHER: an archive nobody opens (.rar, .7z, …): refused inside an archive, like a
  container, and refused as not a report when sent alone.

The bytes decide first: a zip package is recognised by its members (`package_kind`), a
compound file (OLE2) is read as .xls, a few other files are known by their first bytes
(`magic_kind`). The name only tells apart kinds with the same bytes (.xlsm from .xlsx),
decides for the kinds refused by name, and says whether a file no reader recognises was
meant as a spreadsheet (then it is damaged, not "not a report").

This module sits in intake/, below reading, so that what arrives can be sorted before any
reader is imported; it holds data only and imports nothing of the package.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import PurePosixPath

REPORT, CONTAINER, REFUSED, ATTACHED, OTHER = "report", "container", "refused", "attached", "other"
ZIP, OLE = "zip", "ole"  # the two package families a spreadsheet comes in
# first bytes: a zip archive (local file header, or the end record of an empty archive;
# APPNOTE 4.3.7, 4.3.16) and a compound file ([MS-CFB] 2.2 header signature)
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


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
# Order matters where bytes are alike: the first kind whose members match names a package
# (an OpenDocument spreadsheet before any OpenDocument file; Excel's before Word's).
KINDS: tuple[FileKind, ...] = (
    FileKind("xlsx", REPORT, (".xlsx",), "bảng tính Excel", ZIP, ("xl/workbook.xml",)),
    FileKind("xlsm", REPORT, (".xlsm",), "bảng tính Excel có macro", ZIP, ("xl/workbook.xml",)),
    FileKind("xlsb", REPORT, (".xlsb",), "bảng tính Excel nhị phân", ZIP, ("xl/workbook.bin",)),
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
    """The kind that the first bytes alone identify (a PDF, an image …), or None."""
    return next((k for k in KINDS if k.magic and head.startswith(k.magic)), None)


def package_kind(members: Collection[str], mimetype: Callable[[], bytes], name: str) -> FileKind:
    """The kind of a zip package from its member names (`mimetype()` gives the start of its
    `mimetype` member when one is asked for); among kinds with the same members the one
    whose suffix the file `name` has (.xlsm), else the first. The zip kind when no other
    kind's members are there."""
    for kind in _BY_MEMBERS:
        if not any(m in members for m in kind.members):
            continue
        if kind.mimetype and kind.mimetype not in mimetype()[:100]:
            continue
        alike = _ALIKE[kind.name]
        return next((k for k in alike if suffix_of(name) in k.suffixes), kind) if len(alike) > 1 else kind
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
