"""A compound file (OLE2, [MS-CFB]), known by the entries at its root (`compound_kind`): a
Word document, a PowerPoint presentation, an Outlook message; else it is read as .xls
(`ole_kind`).
"""

from __future__ import annotations

from typing import BinaryIO

from .catalogue import KINDS
from .filekind import OLE, REPORT, FileKind


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


_BY_STREAMS = tuple(k for k in KINDS if k.streams)


def ole_kind() -> FileKind:
    """The spreadsheet kind that a compound file (OLE2) is read as (.xls), unless its
    entries say it is another kind (`compound_kind`)."""
    return next(k for k in KINDS if k.role == REPORT and k.package == OLE)
