"""What an entry's bytes are when its name says otherwise. A file is what its bytes say, not
its name: a spreadsheet that a browser or webmail renamed .zip ("bao-cao.xlsx.zip"), alone
in the inbox, attached or a member of an archive, is one submission read as the spreadsheet
it is, named as received (`one_file`); only a zip that no kind claims by its members is
opened as an archive, whatever it is called: an archive of reports renamed .xlsx or .xls is
opened as the archive it is (`_an_archive`), while a workbook with a few members more stays
a workbook. An attachment whose name says nothing, or says a letter or a scan, but whose
bytes are a report ("899.xml", an Excel 2003 XML spreadsheet; "bao-cao.xlsx.pdf", an .xlsx)
counts as the report the message holds (`_report_or_archive`).
"""

from __future__ import annotations

from ..kinds.catalogue import ARCHIVE_KIND, is_a_report
from ..kinds.detect import bytes_kind
from ..kinds.filekind import CONTAINER, FileKind
from ..kinds.zip_package import ARCHIVE_HEAD, may_be_archive


def _an_archive(data: bytes, name: str) -> bool:
    """Whether bytes named otherwise than as an archive (`name`: "bao-cao.xlsx", "tai-lieu")
    are an archive of files (as `_archive_named_as_a_spreadsheet`, for bytes in memory)."""
    return may_be_archive(data[:ARCHIVE_HEAD]) and bytes_kind(data, name) is ARCHIVE_KIND


def _report_or_archive(kind: FileKind | None) -> bool:
    """Whether bytes of this kind may hold a report: a spreadsheet (read, or refused with
    what to do) or an archive."""
    return is_a_report(kind) or kind is ARCHIVE_KIND


def one_file(data: bytes, name: str) -> FileKind | None:
    """The kind of bytes named like an archive or a message ("….zip") that are neither but
    one file renamed so, as browsers and webmail do ("bao-cao.xlsx.zip"): a zip package
    another kind claims by its members (an .xlsx, .xlsm or .ods, a Word document), a
    compound file, a file known by its start (`kinds.detect.bytes_kind`). None for an archive
    or a message (a message named .zip is no report either way; inside an archive it is
    refused as nested), and for bytes that are no known file (then read as the damaged
    archive they are named)."""
    kind = bytes_kind(data, name)
    return None if kind is None or kind.role == CONTAINER else kind
