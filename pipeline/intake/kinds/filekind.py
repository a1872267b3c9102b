"""What a kind of file is (`FileKind`): its name, its suffixes, how its bytes are recognised
and what the pipeline does with it, with the words kinds are declared in (the roles, the two
package families, the forms of plain text) and the byte signatures they share. The kinds
themselves are declared in `catalogue.py`.

A kind has one of five roles:

- REPORT: a spreadsheet the pipeline reads (.xlsx, .xlsm, .xlsb, .ods, .xls). How each is
  bounded, checked, read and fed back is its `Format` in `read/formats/registry.py`, under
  the same name (a test keeps the two in step);
- CONTAINER: a message or archive opened into its entries (.eml, .zip; `containers/`);
- REFUSED: refused by its name before anything reads it, with what to do (.msg, .mht),
  and refused by its bytes whatever its name when they say what it is (a flat OpenDocument
  spreadsheet, a Gnumeric workbook, an Excel 2.x-4.x sheet, an Excel 2003 XML spreadsheet,
  a web page named as a spreadsheet, a web archive named anything, .eml too, CSV, TSV or
  plain text named as a spreadsheet: formats no reader here reads);
- ATTACHED: what comes with a report and is not one (a cover letter, a scan, a signature):
  ignored inside a message or an archive, refused as "not a report" when sent alone;
- OTHER: an archive nobody opens (.rar, .7z, …): refused inside an archive, like a
  container, and refused with what to do when sent alone or attached (its `refusal`, code
  FILE_FORMAT: a report may be inside, so it counts for its unit).
"""

from __future__ import annotations

from dataclasses import dataclass

REPORT, CONTAINER, REFUSED, ATTACHED, OTHER = "report", "container", "refused", "attached", "other"
ZIP, OLE = "zip", "ole"  # the two package families a spreadsheet comes in
# first bytes: a zip archive (local file header, or the end record of an empty archive;
# APPNOTE 4.3.7, 4.3.16) and a compound file ([MS-CFB] 2.2 header signature)
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HEAD_BYTES = 4096  # how much of a file's start (of its text, when gzipped) `FileKind.marks` look at
CONTENT_TYPES = "[Content_Types].xml"  # an OPC package's content types part (ECMA-376 Part 2 §10.1.2.2)
# an OpenDocument package: the media types' common start, the member naming it first, its
# manifest and its content (OpenDocument 1.2 Part 3 §3.3, §3.2; Part 1, office:document-content)
ODF_MEDIA = b"application/vnd.oasis.opendocument."
ODF_MIMETYPE, ODF_MANIFEST, ODF_CONTENT = "mimetype", "META-INF/manifest.xml", "content.xml"
DELIMITED, TEXT = "delimited", "text"  # what the lines of a plain-text file are (`plain_form`)


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
    sent: for a MIME document, True when only one whose header shows it was mailed
        (`was_sent`: an address, a Message-ID or a Received field: a message), False when
        only one whose header shows none (a web page a browser or Office saved as MHTML,
        "From: <Saved by Blink>"), None either way;
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
    sent: bool | None = None
    plain: str = ""
    nests: bool = False
    refusal: str = ""
    code: str = "FILE_NOT_REPORT"

    @property
    def suffix(self) -> str:
        """The suffix shown in messages (".xlsx")."""
        return self.suffixes[0] if self.suffixes else ""

    def told_by(self, text: bytes, root: bytes, mime: bytes | None = None, sent: bool = False) -> bool:
        """Whether a text file's start (`text`, as `magic_kind` gives it), its first
        element's name (`root`), the media type its MIME header declares (`mime`, None
        when it has none) and whether that header shows it was mailed (`sent`) say it is
        of this kind (`marks`, `roots`, `mime`, `sent`)."""
        if not (self.marks or self.roots or self.mime):
            return False
        if self.mime and (mime is None or not any(m in mime for m in self.mime)):
            return False
        if self.mime and self.sent is not None and sent != self.sent:
            return False
        return (not self.roots or root in self.roots) and (
            not self.marks or any(m in text for m in self.marks)
        )
