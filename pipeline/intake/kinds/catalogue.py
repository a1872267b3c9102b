"""Every kind of file the inbox may hold, declared once (`KINDS`): its name, its suffixes,
how its bytes are recognised and what the pipeline does with it, with the refusals' wording
(Vietnamese) and what the inbox and the containers ask of a name (`suffix_of`,
`kind_of_name`, `refused_by_name`, the suffix sets). Every suffix list and format name of
the package comes from here.

The name only tells apart kinds with the same bytes (.xlsm from .xlsx, a web page from one
named .xls), decides for the kinds refused by name, and says whether a file no reader
recognises was meant as a spreadsheet (then it is damaged, not "not a report").
"""

from __future__ import annotations

from pathlib import PurePosixPath

from .filekind import (
    ATTACHED,
    CONTAINER,
    DELIMITED,
    ODF_CONTENT,
    ODF_MANIFEST,
    ODF_MEDIA,
    ODF_MIMETYPE,
    OLE,
    OTHER,
    REFUSED,
    REPORT,
    TEXT,
    ZIP,
    FileKind,
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
GOOGLE_SHEET = (
    "tệp .gsheet chỉ là lối tắt tới một Google Trang tính, không chứa số liệu; hãy mở trang tính "
    "trên Google Drive, chọn Tệp > Tải xuống > Microsoft Excel (.xlsx), rồi gửi tệp .xlsx đó"
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
    "tệp là trang web lưu trữ MHTML (kiểu «Trang web một tệp» của Excel, Word hoặc trình duyệt, "
    "thường có đuôi .mht, .mhtml, có khi .eml hoặc không có đuôi), không phải bảng tính Excel thật "
    "cũng không phải thư điện tử, nên chưa đọc được; hãy gửi tệp Excel báo cáo (.xlsx): điền số liệu "
    "vào mẫu do Sở gửi, hoặc mở tệp này bằng Excel hoặc LibreOffice và lưu dưới dạng .xlsx, rồi gửi lại"
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
OTHER_ARCHIVE = (
    "tệp nén RAR, 7z hoặc tar chưa mở được (chương trình chỉ mở tệp nén .zip); hãy giải nén rồi "
    "gửi thẳng tệp Excel .xlsx, hoặc nén lại dạng .zip"
)
OUTLOOK_TNEF = (
    "tệp winmail.dat: Outlook gửi thư ở định dạng RTF nên gói các tệp đính kèm vào đó, chương trình "
    "không mở được; hãy gửi lại thư ở định dạng HTML hoặc văn bản thường (Outlook: Định dạng văn "
    "bản > HTML), đính kèm tệp Excel .xlsx"
)
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
    # a web archive (MHTML, RFC 2557: one MIME multipart/related document), as Excel's and
    # Word's "Single File Web Page" save a document and browsers save a page: refused by its
    # name, and by its bytes whatever it is called, .eml too (brk49: opened as a forwarded
    # message, its parts read as the unit's files), since its header shows it was never
    # mailed (`head.was_sent`); a message sent with inline images is multipart/related too
    FileKind(
        "mht",
        REFUSED,
        (".mht", ".mhtml"),
        "trang web lưu trữ MHTML",
        mime=(b"multipart/related",),
        sent=False,
        refusal=WEB_ARCHIVE,
        code="FILE_FORMAT",
    ),
    # a saved message (RFC 5322), known by its bytes when its header shows it was mailed; a
    # mailbox file of several (mbox, RFC 4155: Thunderbird's folders, Google Takeout, Apple
    # Mail's "save as" of several messages) is opened into its messages
    # (`containers.message.mailbox_spans`), whichever of these names it has
    FileKind("eml", CONTAINER, (".eml", ".mbox", ".mbx"), "thư điện tử", mime=(b"",), sent=True, nests=True),
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
    # Google Drive for desktop's shortcut to a Google Sheets spreadsheet: a small JSON file
    # ({"doc_id": …, "email": …}) with no figures, known by its name
    FileKind(
        "gsheet", REFUSED, (".gsheet",), "lối tắt Google Trang tính", refusal=GOOGLE_SHEET, code="FILE_FORMAT"
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
    # archives no reader here opens: RAR 4 and 5 ("Rar!" 1A 07), 7z (7z BC AF 27 1C), by name and by
    # their first bytes (a gzip's are Gnumeric's too: by name only); a report may be inside
    FileKind(
        "other_archive",
        OTHER,
        (".rar", ".7z", ".tar", ".gz", ".tgz"),
        "tệp nén RAR/7z/tar",
        magic=(b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c"),
        nests=True,
        refusal=OTHER_ARCHIVE,
        code="FILE_FORMAT",
    ),
    # Outlook's Transport Neutral Encapsulation (winmail.dat, application/ms-tnef): a message
    # sent as RTF wraps its attachments in it ([MS-OXTNEF] 2.1.3.1: signature 0x223E9F78)
    FileKind(
        "tnef",
        REFUSED,
        (),
        "tệp winmail.dat của Outlook",
        magic=(b"\x78\x9f\x3e\x22",),
        refusal=OUTLOOK_TNEF,
        code="FILE_FORMAT",
    ),
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
WEB_ARCHIVE_KIND = BY_NAME["mht"]  # a saved web page: never opened as a message, whatever its name
ARCHIVE_KIND = BY_NAME["zip"]  # the archive the inbox opens


def _suffixes(*roles: str) -> frozenset[str]:
    return frozenset(s for k in KINDS if k.role in roles for s in k.suffixes)


SPREADSHEET_SUFFIXES = _suffixes(REPORT)
# what may hold a report, by its name: a spreadsheet, an archive we open, or a report in a
# format refused by name (.numbers)
REPORT_SUFFIXES = (
    SPREADSHEET_SUFFIXES
    | frozenset(ARCHIVE_KIND.suffixes)
    | frozenset(
        s for k in KINDS if k.role in (REFUSED, OTHER) and k.code == "FILE_FORMAT" for s in k.suffixes
    )
)
MESSAGE_SUFFIXES = frozenset(MESSAGE_KIND.suffixes)
ARCHIVE_SUFFIXES = frozenset(ARCHIVE_KIND.suffixes)
NESTED_SUFFIXES = frozenset(s for k in KINDS if k.nests for s in k.suffixes)
NOT_REPORT_SUFFIXES = _suffixes(ATTACHED)
# what a text document Word or LibreOffice Writer saves may be named: the formats the officer
# may save their copy of the draft report in (`outbox.kept.saved_as_copies`)
DOCUMENT_SUFFIXES = frozenset(s for name in ("word", "odf", "rtf") for s in BY_NAME[name].suffixes)


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


def is_a_report(kind: FileKind | None) -> bool:
    """Whether a kind is a report: a spreadsheet read, or one in a format refused with what
    to do (FILE_FORMAT), or a file that may hold one and is refused so (an archive no reader
    opens, Outlook's winmail.dat)."""
    return kind is not None and (
        kind.role == REPORT or (kind.role in (REFUSED, OTHER) and kind.code == "FILE_FORMAT")
    )
