"""Every kind of file the inbox may hold, declared once: its name, its suffixes, how its
bytes are recognised and what the pipeline does with it (`FileKind`, `KINDS`). Every
suffix list and format name of the package comes from here.

A kind has one of five roles:

- REPORT: a spreadsheet the pipeline reads (.xlsx, .xlsm, .xlsb, .ods, .xls). How each is
  bounded, checked, read and fed back is its `Format` in `read/formats/registry.py`, under
  the same name (a test keeps the two in step);
- CONTAINER: a message or archive opened into its entries (.eml, .zip; `containers.py`);
- REFUSED: refused by its name before anything reads it, with what to do (.msg, .mht),
  and refused by its bytes whatever its name when they say what it is (a flat OpenDocument
  spreadsheet, a Gnumeric workbook, an Excel 2.x-4.x sheet, an Excel 2003 XML spreadsheet,
  a web page or a web archive named as a spreadsheet, CSV, TSV or plain text named as a
  spreadsheet: formats no reader here reads);
- ATTACHED: what comes with a report and is not one (a cover letter, a scan, a signature):
  ignored inside a message or an archive, refused as "not a report" when sent alone;
- OTHER: an archive nobody opens (.rar, .7z, …): refused inside an archive, like a
  container, and refused as not a report when sent alone.

The bytes decide first: a zip package is recognised by its members (`zip_kind`,
`package_kind`), a compound file (OLE2) by its root entries (`compound_kind`: a Word
document, an Outlook message; else it is read as .xls), a few other files are known by
their first bytes, by a mark near their start, by their first element or by the media type
of their MIME header, and text named as a spreadsheet by its lines (`magic_kind`).
Part names of a zip package compare without regard to case (OPC part names are
case-insensitive: ECMA-376 Part 2 §9.1.1.1), and a package whose workbook is elsewhere is
known by the content type its [Content_Types].xml declares for it (§10.1.2.2). An
OpenDocument package is known by the media type its `mimetype` member names, else its
manifest's root entry, else the body of its content.xml (OpenDocument 1.2 Part 3 §3.3,
§3.2; Part 1, office:body): LibreOffice opens one that lacks the first. So a spreadsheet renamed
.zip by a browser or webmail ("bao-cao.xlsx.zip") is a spreadsheet, and only a zip that no
kind claims is an archive. The name only tells apart kinds with the same bytes (.xlsm from
.xlsx, a web page from one named .xls), decides for the kinds refused by name, and says
whether a file no reader recognises was meant as a spreadsheet (then it is damaged, not
"not a report").

This module sits in intake/, below reading, so that what arrives can be sorted before any
reader is imported; it holds data only and imports nothing of the package (olefile, for
compound files only, when one is met).
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import BinaryIO

REPORT, CONTAINER, REFUSED, ATTACHED, OTHER = "report", "container", "refused", "attached", "other"
ZIP, OLE = "zip", "ole"  # the two package families a spreadsheet comes in
# first bytes: a zip archive (local file header, or the end record of an empty archive;
# APPNOTE 4.3.7, 4.3.16) and a compound file ([MS-CFB] 2.2 header signature)
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
GZIP_MAGIC = b"\x1f\x8b"  # RFC 1952 §2.3.1
HEAD_BYTES = 4096  # how much of a file's start (of its text, when gzipped) `FileKind.marks` look at
CONTENT_TYPES = "[Content_Types].xml"  # an OPC package's content types part (ECMA-376 Part 2 §10.1.2.2)
# an OpenDocument package: the media types' common start, the member naming it first, its
# manifest and its content (OpenDocument 1.2 Part 3 §3.3, §3.2; Part 1, office:document-content)
ODF_MEDIA = b"application/vnd.oasis.opendocument."
ODF_MIMETYPE, ODF_MANIFEST, ODF_CONTENT = "mimetype", "META-INF/manifest.xml", "content.xml"
PART_HEAD = 1 << 20  # how much of a package's member `zip_kind` reads to recognise it


@dataclass(frozen=True)
class FileKind:
    """One kind of file.

    name: the format's name, as the manifest and the JSON report show it ("xlsx");
    role: REPORT, CONTAINER, REFUSED, ATTACHED or OTHER (see the module docstring);
    suffixes: lower-case, with the dot; the first is the one shown in messages;
    shown: Vietnamese, what the file is, in messages ("tệp Word");
    package: ZIP or OLE when the file is such a package ("" otherwise);
    members: zip members of which any one present makes a package of this kind;
    media_type: for an OpenDocument package, what the media type it declares must contain
        (`odf_media_type`);
    magic: first bytes that identify the file on their own;
    marks: bytes any one of which, in the first HEAD_BYTES of a file that is no package
        (of its text when it is gzipped; as UTF-8 when it is in UTF-16), identify it;
    roots: for a text file, the names its first element may have (lower case, without a
        namespace prefix; "html" also for a DOCTYPE naming html: `first_element`); a kind
        with both marks and roots needs both;
    content_type: for an OPC package, the content type of its main part, which names the
        kind when the members do not (the workbook stored elsewhere);
    streams: for a compound file (OLE2), the names of its entries (streams or storages,
        compared without regard to case, as [MS-CFB] 2.6.4 compares them) of which any one
        present makes a compound file of this kind (`compound_kind`);
    mime: for a MIME document (a file that starts with a header block declaring MIME:
        `mime_type`), the media types its Content-Type may name; b"" names any;
    plain: for plain text, what its lines are: DELIMITED (values separated by commas,
        semicolons or tabs: CSV, TSV) or TEXT (anything else); told only of a file named
        as a spreadsheet, since a text file could be anything (`plain_form`);
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
    media_type: bytes = b""
    magic: tuple[bytes, ...] = ()
    marks: tuple[bytes, ...] = ()
    roots: tuple[bytes, ...] = ()
    content_type: bytes = b""
    streams: tuple[str, ...] = ()
    mime: tuple[bytes, ...] = ()
    plain: str = ""
    nests: bool = False
    refusal: str = ""
    code: str = "FILE_NOT_REPORT"

    @property
    def suffix(self) -> str:
        """The suffix shown in messages (".xlsx")."""
        return self.suffixes[0] if self.suffixes else ""

    def told_by(self, text: bytes, root: bytes, mime: bytes | None = None) -> bool:
        """Whether a text file's start (`text`, as `magic_kind` gives it), its first
        element's name (`root`) and the media type its MIME header declares (`mime`, None
        when it has none) say it is of this kind (`marks`, `roots`, `mime`)."""
        if not (self.marks or self.roots or self.mime):
            return False
        if self.mime and (mime is None or not any(m in mime for m in self.mime)):
            return False
        return (not self.roots or root in self.roots) and (
            not self.marks or any(m in text for m in self.marks)
        )


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
XML_2003 = (
    "bảng tính XML 2003 (SpreadsheetML) chưa đọc được; hãy mở bằng Excel hoặc LibreOffice và "
    "lưu dưới dạng .xlsx, rồi gửi lại"
)
HTML_SHEET = (
    "tệp là trang web HTML, không phải bảng tính Excel thật, nên chưa đọc được; hãy mở bằng Excel "
    "hoặc LibreOffice và lưu dưới dạng .xlsx, rồi gửi lại"
)
WEB_ARCHIVE = (
    "tệp là trang web lưu trữ MHTML (.mht, .mhtml: kiểu «Trang web một tệp» của Excel hoặc trình "
    "duyệt), không phải bảng tính Excel thật, nên chưa đọc được; hãy mở bằng Excel hoặc LibreOffice "
    "và lưu dưới dạng .xlsx, hoặc điền số liệu vào mẫu do Sở gửi, rồi gửi lại"
)
CSV_SHEET = (
    "tệp là dữ liệu văn bản dạng CSV/TSV (các giá trị phân cách bằng dấu phẩy, dấu chấm phẩy "
    "hoặc dấu tab) đặt tên như bảng tính, không phải bảng tính Excel thật, nên không đọc làm báo "
    "cáo; hãy mở bằng Excel hoặc LibreOffice và lưu dưới dạng .xlsx, hoặc điền số liệu vào mẫu do "
    "Sở gửi, rồi gửi lại"
)
TEXT_SHEET = (
    "tệp là văn bản thuần đặt tên như bảng tính, không phải bảng tính Excel thật, nên không đọc "
    "làm báo cáo; hãy mở bằng Excel hoặc LibreOffice và lưu dưới dạng .xlsx, hoặc điền số liệu "
    "vào mẫu do Sở gửi, rồi gửi lại"
)
DELIMITED, TEXT = "delimited", "text"  # what the lines of a plain-text file are (`plain_form`)
# a web page's first element: the tags WHATWG MIME Sniffing §7.1 takes for HTML ("identifying
# a resource with an unknown MIME type"), and meta (a page some systems export as .xls starts so)
HTML_ROOTS = tuple(
    t.encode() for t in "html head body table meta title style script iframe div font h1 p a b br".split()
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
        "ods",
        REPORT,
        (".ods",),
        "bảng tính OpenDocument",
        ZIP,
        (ODF_MIMETYPE, ODF_MANIFEST, ODF_CONTENT),
        ODF_MEDIA + b"spreadsheet",
    ),
    # a compound file is a workbook by its Workbook stream (BIFF8; Book: BIFF5), and one
    # that names no other kind is read as one (damaged, encrypted: the reader says which)
    FileKind("xls", REPORT, (".xls",), "bảng tính Excel 97-2003", OLE, streams=("Workbook", "Book")),
    FileKind("zip", CONTAINER, (".zip",), "tệp nén .zip", ZIP, nests=True),
    # a web archive (MHTML, RFC 2557: one MIME multipart/related document), as Excel's "Single
    # File Web Page" saves a workbook and browsers save a page: refused by its name, and by
    # its bytes whatever it is called but .eml (a mail with inline images is multipart/related
    # too); before the message kind, which it is taken for when the name says nothing
    FileKind(
        "mht",
        REFUSED,
        (".mht", ".mhtml"),
        "trang web lưu trữ MHTML",
        mime=(b"multipart/related",),
        refusal=WEB_ARCHIVE,
        code="FILE_FORMAT",
    ),
    FileKind("eml", CONTAINER, (".eml",), "thư điện tử", mime=(b"",), nests=True),
    # an Outlook message: a compound file with a property stream at its root ([MS-OXMSG] 2.4)
    FileKind(
        "msg",
        REFUSED,
        (".msg",),
        "thư Outlook",
        streams=("__properties_version1.0",),
        nests=True,
        refusal=OUTLOOK_MSG,
    ),
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
    # Excel 2002/2003's "XML Spreadsheet" (SpreadsheetML 2003; SheetJS's bookType 'xlml'),
    # named .xml or .xls: its root is Workbook in the office:spreadsheet namespace. No suffix
    # of its own (.xml is every XML file's): known by its bytes only
    FileKind(
        "xml2003",
        REFUSED,
        (),
        "bảng tính XML 2003 (SpreadsheetML)",
        marks=(b"urn:schemas-microsoft-com:office:spreadsheet",),
        roots=(b"workbook",),
        refusal=XML_2003,
        code="FILE_FORMAT",
    ),
    # a web page (an HTML table) that a web system or Excel's "Web Page" saved under a
    # spreadsheet's name; named .htm or .html it is a page sent with a report (`web` below)
    FileKind(
        "html_sheet",
        REFUSED,
        (),
        "trang web HTML",
        roots=HTML_ROOTS,
        refusal=HTML_SHEET,
        code="FILE_FORMAT",
    ),
    # plain text under a spreadsheet's name, as web systems and phone apps export a table
    # ("bao-cao.xls" holding CSV), in any encoding: its lines say CSV/TSV or other text
    FileKind(
        "csv_sheet",
        REFUSED,
        (),
        "tệp CSV/TSV đặt tên như bảng tính",
        plain=DELIMITED,
        refusal=CSV_SHEET,
        code="FILE_FORMAT",
    ),
    FileKind(
        "text_sheet",
        REFUSED,
        (),
        "tệp văn bản đặt tên như bảng tính",
        plain=TEXT,
        refusal=TEXT_SHEET,
        code="FILE_FORMAT",
    ),
    FileKind("other_archive", OTHER, (".rar", ".7z", ".tar", ".gz", ".tgz"), "tệp nén", nests=True),
    FileKind("pdf", ATTACHED, (".pdf",), "tệp PDF", magic=(b"%PDF",)),
    # Word and PowerPoint: a zip package (.docx, .pptx) or a compound file ([MS-DOC] 2.1.1
    # WordDocument stream; [MS-PPT] 2.1.1 PowerPoint Document stream)
    FileKind(
        "word",
        ATTACHED,
        (".doc", ".docx"),
        "tệp Word",
        ZIP,
        ("word/document.xml",),
        streams=("WordDocument",),
    ),
    FileKind(
        "powerpoint",
        ATTACHED,
        (),
        "tệp PowerPoint",
        ZIP,
        ("ppt/presentation.xml",),
        streams=("PowerPoint Document",),
    ),
    FileKind(
        "iwork", ATTACHED, (".pages", ".key"), "tài liệu Apple Pages, Keynote", ZIP, ("Index/Document.iwa",)
    ),
    FileKind(
        "odf",
        ATTACHED,
        (".odt",),
        "tài liệu OpenDocument",
        ZIP,
        (ODF_MIMETYPE, ODF_MANIFEST, ODF_CONTENT),
        ODF_MEDIA,
    ),
    FileKind("rtf", ATTACHED, (".rtf",), "tệp RTF", magic=(b"{\\rtf",)),
    FileKind("text", ATTACHED, (".txt",), "tệp văn bản"),
    FileKind("web", ATTACHED, (".htm", ".html"), "trang web", roots=HTML_ROOTS),
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


def magic_kind(head: bytes, name: str = "") -> FileKind | None:
    """The kind that the first bytes alone identify (a PDF, an image …), else the kind that
    the file's start says it is (`FileKind.told_by`: its marks in the first HEAD_BYTES, its
    first element, the media type of its MIME header), read as text: inflated when it is
    gzipped (Gnumeric saves so), as UTF-8 when it is in UTF-16 or UTF-32. Of kinds told
    alike (a web page, one named .xls) the one whose suffix the file `name` has, else the
    first. Failing those, a file named as a spreadsheet whose start is plain text is the
    plain-text kind its lines say (`plain_form`: CSV/TSV or other text). None when nothing
    says."""
    known = next((k for k in KINDS if k.magic and head.startswith(k.magic)), None)
    if known is not None:
        return known
    text = head[:HEAD_BYTES]
    if head.startswith(GZIP_MAGIC):
        try:  # only the start is inflated, however large the file says it is
            text = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head[:65536], HEAD_BYTES)
        except zlib.error:
            return None
    text = _as_utf8(text)
    root, mime = first_element(text), mime_type(text)
    told = [k for k in KINDS if k.told_by(text, root, mime)]
    if told:
        return next((k for k in told if suffix_of(name) in k.suffixes), told[0])
    named = kind_of_name(name)
    if named is None or named.role != REPORT or head.startswith(GZIP_MAGIC):
        return None
    form = plain_form(text, cut=len(head) > HEAD_BYTES)
    return next((k for k in KINDS if form and k.plain == form), None)


# (first bytes, codec, bytes to skip): a byte-order mark, or '<' spelled in two bytes; the
# UTF-32 marks first (UTF-32-LE's starts with UTF-16-LE's)
_UTF16 = (
    (b"\xff\xfe\x00\x00", "utf-32-le", 4),
    (b"\x00\x00\xfe\xff", "utf-32-be", 4),
    (b"\xff\xfe", "utf-16-le", 2),
    (b"\xfe\xff", "utf-16-be", 2),
    (b"<\x00", "utf-16-le", 0),
    (b"\x00<", "utf-16-be", 0),
)


def _as_utf8(text: bytes) -> bytes:
    """A file's start in UTF-8: as it is, or decoded when it is in UTF-16 or UTF-32 (by its
    byte-order mark, or, without one, by the zero bytes of text mostly in ASCII: every
    other byte zero)."""
    for start, codec, skip in _UTF16:
        if text.startswith(start):
            plain = text[skip:]
            width = 4 if codec.startswith("utf-32") else 2
            return plain[: len(plain) // width * width].decode(codec, "replace").encode()
    pairs = len(text) // 2
    if pairs >= 2:
        even, odd = text[0 : 2 * pairs : 2].count(0), text[1 : 2 * pairs : 2].count(0)
        if odd * 4 >= pairs * 3 and even * 10 < pairs:
            return text[: 2 * pairs].decode("utf-16-le", "replace").encode()
        if even * 4 >= pairs * 3 and odd * 10 < pairs:
            return text[: 2 * pairs].decode("utf-16-be", "replace").encode()
    return text


# a header field's name and its colon (RFC 5322 §2.2, §3.6.8: printable ASCII but the colon)
_FIELD = re.compile(rb"([!-9;-~]+)[ \t]*:")


def mime_type(text: bytes) -> bytes | None:
    """The media type (lower case, without parameters) a MIME document declares in the
    header block it starts with: a message or a web archive (MHTML, RFC 2557). b"text/plain"
    when it declares MIME-Version but no Content-Type (RFC 2045 §5.2). None when the start
    is no header block (RFC 5322 §2.2: fields, folded lines, up to an empty line, field
    names compared without regard to case) or declares neither."""
    fields: dict[bytes, bytes] = {}
    last = b""
    lines = text.removeprefix(b"\xef\xbb\xbf").split(b"\n")
    if len(text) >= HEAD_BYTES:
        lines = lines[:-1]  # cut short: the last line may be a piece
    for line in lines:
        line = line.rstrip(b"\r")
        if not line:
            if fields or last:
                break
            continue  # blank lines before the header block
        if line[:1] in (b" ", b"\t"):
            if not last:
                return None
            fields[last] += b" " + line.strip()
            continue
        field = _FIELD.match(line)
        if field is None:
            return None
        last = field.group(1).lower()
        fields[last] = line[field.end() :].strip()
    if b"content-type" in fields:
        return fields[b"content-type"].partition(b";")[0].strip().lower()
    return b"text/plain" if b"mime-version" in fields else None


# the C0 controls no text holds (TAB, LF, VT, FF, CR, SUB and ESC stay: DOS ends a text with
# SUB, and 8-bit Vietnamese encodings such as VISCII use a few other C0 places for letters,
# so a few per hundred bytes are let through)
_CONTROLS = bytes(b for b in range(32) if b not in b"\t\n\x0b\x0c\r\x1a\x1b")
_DELIMITERS = (b"\t", b";", b",", b"|")
_QUOTED = re.compile(rb'"(?:[^"]|"")*"')


def plain_form(text: bytes, cut: bool = False) -> str:
    """What a file's start (as `magic_kind` gives it: UTF-16 and UTF-32 already in UTF-8,
    other encodings as they are) is, when it is plain text: DELIMITED when its lines are
    rows of values separated by one of tab, semicolon, comma or bar (at least two lines of
    one same number of values, two or more, holding at least half the lines that are not
    blank; quoted values taken whole), TEXT for other text, "" when it is not text (a zero
    byte, or more than one control character per hundred bytes) or is blank. `cut`: the
    start is a piece of the file (its last line may be cut)."""
    if b"\x00" in text or not text.strip():
        return ""
    if (len(text) - len(text.translate(None, _CONTROLS))) * 100 > len(text):
        return ""
    lines = text.removeprefix(b"\xef\xbb\xbf").splitlines()
    if cut and len(lines) > 1:
        lines = lines[:-1]
    lines = [_QUOTED.sub(b"v", line) for line in lines if line.strip()][:100]
    for delimiter in _DELIMITERS:
        counts = [line.count(delimiter) + 1 for line in lines]
        rows = [c for c in counts if c > 1]
        if not rows:
            continue
        common = max(set(rows), key=rows.count)
        if rows.count(common) >= 2 and rows.count(common) * 2 >= len(lines):
            return DELIMITED
    return TEXT


_SPACE = re.compile(rb"[ \t\r\n]*")
_DOCTYPE = re.compile(rb"<!doctype[ \t\r\n]+([^ \t\r\n>\[]*)", re.IGNORECASE)
_ELEMENT = re.compile(rb"<([A-Za-z_][-\w.:]*)")


def first_element(text: bytes) -> bytes:
    """The name of the first element of a text file's start (lower case, without its
    namespace prefix), after a byte-order mark, white space, the XML declaration,
    processing instructions, comments and a DOCTYPE; b"html" when the DOCTYPE names html
    (HTML 4, XHTML); b"" when the start is no markup."""
    at = 3 if text.startswith(b"\xef\xbb\xbf") else 0
    while True:
        at = _SPACE.match(text, at).end()  # type: ignore[union-attr]
        if text.startswith(b"<?", at):
            end = text.find(b"?>", at)
            at = end + 2
        elif text.startswith(b"<!--", at):
            end = text.find(b"-->", at)
            at = end + 3
        elif (doctype := _DOCTYPE.match(text, at)) is not None:
            if doctype.group(1).lower() == b"html":
                return b"html"
            end = text.find(b">", at)
            at = end + 1
        else:
            element = _ELEMENT.match(text, at)
            return element.group(1).rpartition(b":")[2].lower() if element else b""
        if end < 0:
            return b""


def bytes_kind(data: bytes, name: str) -> FileKind | None:
    """The kind a file's bytes say it is, named `name` (`stream_kind` over the bytes)."""
    return stream_kind(io.BytesIO(data), name)


def stream_kind(fh: BinaryIO, name: str) -> FileKind | None:
    """The kind the bytes of an open binary file (seekable, at its start) say it is, named
    `name`: a zip package by its members (`zip_kind`: the zip kind when no other kind
    claims them), a compound file by its entries (`compound_kind`), else by its start
    (`magic_kind`). None when they say nothing, or are a zip that cannot be opened. Reads
    the first 64 KiB, and of a package only its directory and the few members that say
    what it is: memory stays bounded whatever the file's size."""
    head = fh.read(65536)
    package = package_of(head)
    if package == OLE:
        fh.seek(0)
        return compound_kind(fh)
    if package != ZIP:
        return magic_kind(head, name)
    try:
        fh.seek(0)
        with zipfile.ZipFile(fh) as zf:
            return zip_kind(zf, name)
    except Exception:  # noqa: BLE001 - a damaged zip says nothing
        return None


# the first member of a package as its writers store it: what a zip that begins with any
# other member is checked further for (`may_be_archive`)
_PACKAGE_STARTS = frozenset(
    {CONTENT_TYPES.casefold(), "_rels", "docprops", "customxml", "meta.xml", "styles.xml", "settings.xml"}
    | {"manifest.rdf", "thumbnails", "configurations2", "metadata", "preview.jpg", "preview.pdf"}
)
ARCHIVE_HEAD = 512  # the first bytes `may_be_archive` looks at
_LOCAL = 30  # a zip local file header's fixed part (APPNOTE 4.3.7); the name follows it


def may_be_archive(head: bytes) -> bool:
    """Whether a file whose first bytes are `head` (ARCHIVE_HEAD of them) may be an archive
    of files rather than a package (a workbook, a document): a zip whose first member is
    none a package begins with (its `[Content_Types].xml`, `_rels/`, `mimetype`, `xl/`,
    …). Only a cheap first look: `bytes_kind` decides for the files it lets through."""
    if not head.startswith(ZIP_MAGIC[0]) or len(head) < _LOCAL:
        return False
    length = int.from_bytes(head[26:28], "little")
    if len(head) < _LOCAL + length:
        return True  # a long name: look at the whole
    first = head[_LOCAL : _LOCAL + length].decode("cp437", "replace").replace("\\", "/").lstrip("/")
    top = first.split("/")[0].casefold()
    return top not in _PACKAGE_STARTS and top not in _MEMBER_TOPS


def compound_kind(source: BinaryIO) -> FileKind:
    """The kind of a compound file (OLE2, [MS-CFB]) open in `source` (seekable, at its
    start): the first kind one of whose `streams` is an entry at its root (a Word document,
    a PowerPoint presentation, an Outlook message), compared without regard to case; the
    spreadsheet kind (`ole_kind`) when none is, or when its directory cannot be read (then
    the reader says it is damaged, or encrypted). olefile reads the directory (its sectors
    only, not the streams)."""
    import olefile  # only compound files need it

    try:
        with olefile.OleFileIO(source) as ole:
            names = {
                entry[0].casefold() for entry in ole.listdir(streams=True, storages=True) if len(entry) == 1
            }
    except Exception:  # noqa: BLE001 - olefile's several errors for a broken container
        return ole_kind()
    return next((k for k in _BY_STREAMS if any(s.casefold() in names for s in k.streams)), ole_kind())


def is_a_report(kind: FileKind | None) -> bool:
    """Whether a kind is a report: a spreadsheet read, or one in a format refused with what
    to do (FILE_FORMAT)."""
    return kind is not None and (kind.role == REPORT or (kind.role == REFUSED and kind.code == "FILE_FORMAT"))


def zip_kind(zf: zipfile.ZipFile, name: str) -> FileKind:
    """The kind of an open zip package, named `name` (`package_kind`): its members found
    without regard to case, and of those it reads only the first PART_HEAD bytes of the
    few that say what it is. A member that cannot be read says nothing."""
    infos: dict[str, zipfile.ZipInfo] = {}
    for info in zf.infolist():
        infos.setdefault(info.filename.casefold(), info)
    heads: dict[str, bytes] = {}

    def part(member: str) -> bytes:
        key = member.casefold()
        if key not in heads:
            heads[key] = b""
            if key in infos:
                try:
                    with zf.open(infos[key]) as fh:
                        heads[key] = fh.read(PART_HEAD)
                except Exception:  # noqa: BLE001 - damaged, encrypted, an unread method: it says nothing
                    pass
        return heads[key]

    return package_kind(infos, part, name)


def package_kind(members: Collection[str], part: Callable[[str], bytes], name: str) -> FileKind:
    """The kind of a zip package from its member names, compared without regard to case;
    `part(member)` gives the start of a member (b"" when there is none), asked only of the
    members that tell kinds apart. An OpenDocument kind needs the media type the package
    declares (`odf_media_type`). Among kinds with the same members the one named by the
    file's `name` (its last suffix, then any other: "bao-cao.xlsm.zip"), else the one whose
    main content type its CONTENT_TYPES part declares, else the first. Failing every
    kind's members, the spreadsheet kind whose main content type CONTENT_TYPES declares: a
    workbook stored elsewhere. The zip kind when nothing says what else it is."""
    folded = {m.casefold() for m in members}
    media: list[bytes] = []
    for kind in _BY_MEMBERS:
        if not any(m.casefold() in folded for m in kind.members):
            continue
        if kind.media_type:
            media = media or [odf_media_type(part)]
            if kind.media_type not in media[0]:
                continue
        alike = _ALIKE[kind.name]
        if len(alike) == 1:
            return kind
        named = _named(alike, name)
        if named is not None:
            return named
        declared = part(CONTENT_TYPES)
        return next((k for k in alike if k.content_type and k.content_type in declared), kind)
    if CONTENT_TYPES.casefold() in folded:
        declared = part(CONTENT_TYPES)
        for kind in KINDS:
            if kind.content_type and kind.content_type in declared:
                return kind
    return ARCHIVE_KIND


def _named(kinds: Collection[FileKind], name: str) -> FileKind | None:
    """The kind of `kinds` that a suffix of `name` names, its last suffix first."""
    base = PurePosixPath(name.replace("\\", "/")).name.lower()
    for suffix in reversed(["." + s for s in base.split(".")[1:]]):
        for kind in kinds:
            if suffix in kind.suffixes:
                return kind
    return None


_BY_MEMBERS = tuple(k for k in KINDS if k.package == ZIP and k.members)
_BY_STREAMS = tuple(k for k in KINDS if k.streams)
# the top folders (or names) of the members that make a package of a kind
_MEMBER_TOPS = frozenset(m.split("/")[0].casefold() for k in _BY_MEMBERS for m in k.members)
# kinds whose packages look the same (.xlsx and .xlsm), told apart by their suffix
_ALIKE = {
    k.name: tuple(o for o in _BY_MEMBERS if (o.members, o.media_type) == (k.members, k.media_type))
    for k in _BY_MEMBERS
}
_MANIFEST_NS = b"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
_OFFICE_NS = b"urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_ATTRIBUTE = re.compile(rb"""([-\w.:]+)[ \t\r\n]*=[ \t\r\n]*(?:"([^"]*)"|'([^']*)')""")


def odf_media_type(part: Callable[[str], bytes]) -> bytes:
    """The media type an OpenDocument package declares (b"" when it declares none): its
    `mimetype` member when that names one, else the media type of its manifest's root
    entry (full-path "/"), else the one its content.xml's body holds
    ("application/vnd.oasis.opendocument.spreadsheet" for office:spreadsheet). `part` as
    for `package_kind`. The XML is scanned, not parsed (no parser here: read/cellfacts.py
    owns its setup), with the prefixes it declares for the ODF namespaces, so that any
    spelling of them is found; entities are never expanded."""
    declared = part(ODF_MIMETYPE)[:100].strip()
    if declared.startswith(ODF_MEDIA):
        return declared
    manifest = part(ODF_MANIFEST)
    m = _prefix(manifest, _MANIFEST_NS)
    if m is not None:
        for entry in re.finditer(rb"<" + re.escape(m) + rb"file-entry\b([^>]*)>", manifest):
            attributes = {k: v1 or v2 for k, v1, v2 in _ATTRIBUTE.findall(entry.group(1))}
            if attributes.get(m + b"full-path", attributes.get(b"full-path")) == b"/":
                return attributes.get(m + b"media-type", attributes.get(b"media-type", b""))
    content = part(ODF_CONTENT)
    o = _prefix(content, _OFFICE_NS)
    if o is None or first_element(content) != b"document-content":
        return b""
    body = re.search(rb"<" + re.escape(o) + rb"body\b[^>]*>", content)
    if body is None or body.group(0).endswith(b"/>"):
        return b""
    # the body's first child: office:spreadsheet, office:text …
    child = re.compile(rb"(?:[ \t\r\n]|<!--.*?-->)*<" + re.escape(o) + rb"([-\w.]+)", re.DOTALL)
    first = child.match(content, body.end())
    return ODF_MEDIA + first.group(1) if first else b""


def _prefix(xml: bytes, namespace: bytes) -> bytes | None:
    """The prefix an XML document's start declares for `namespace`, with its colon (b"" for
    the default namespace); None when it declares none."""
    found = re.search(
        rb"xmlns(?::([-\w.]+))?[ \t\r\n]*=[ \t\r\n]*[\"']" + re.escape(namespace) + rb"[\"']", xml
    )
    if found is None:
        return None
    return found.group(1) + b":" if found.group(1) else b""


def ole_kind() -> FileKind:
    """The spreadsheet kind that a compound file (OLE2) is read as (.xls), unless its
    entries say it is another kind (`compound_kind`)."""
    return next(k for k in KINDS if k.role == REPORT and k.package == OLE)
