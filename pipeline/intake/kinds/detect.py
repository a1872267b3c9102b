"""The kind a file's bytes say it is (`bytes_kind`, `stream_kind`): the package its first
bytes open (`package_of`) decides which family is asked.

The bytes decide first: a zip package is recognised by its members (`zip_kind`,
`package_kind`), a compound file (OLE2) by its root entries (`compound_kind`: a Word
document, an Outlook message; else it is read as .xls), a few other files are known by
their first bytes, by a mark near their start, by their first element or by the media type
of their MIME header, and text named as a spreadsheet by its lines (`magic_kind`).
"""

from __future__ import annotations

import io
import zipfile
from typing import BinaryIO

from .compound import compound_kind
from .filekind import OLE, OLE_MAGIC, ZIP, ZIP_MAGIC, FileKind
from .head import magic_kind
from .zip_package import zip_kind


def package_of(head: bytes) -> str:
    """ZIP or OLE when the first bytes open such a package, else ""."""
    if head.startswith(ZIP_MAGIC):
        return ZIP
    return OLE if head.startswith(OLE_MAGIC) else ""


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
