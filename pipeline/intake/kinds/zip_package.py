"""A zip package, known by its members (`zip_kind`, `package_kind`), and a zip that may be
an archive of files rather than a package (`may_be_archive`, a cheap first look).

Part names of a zip package compare without regard to case (OPC part names are
case-insensitive: ECMA-376 Part 2 §9.1.1.1), and a package whose workbook is elsewhere is
known by the content type its [Content_Types].xml declares for it (§10.1.2.2). An
OpenDocument package is known by the media type its `mimetype` member names, else its
manifest's root entry, else the body of its content.xml (OpenDocument 1.2 Part 3 §3.3,
§3.2; Part 1, office:body): LibreOffice opens one that lacks the first. So a spreadsheet renamed
.zip by a browser or webmail ("bao-cao.xlsx.zip") is a spreadsheet, and only a zip that no
kind claims is an archive.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Collection
from pathlib import PurePosixPath

from .catalogue import ARCHIVE_KIND, KINDS
from .filekind import (
    CONTENT_TYPES,
    ODF_CONTENT,
    ODF_MANIFEST,
    ODF_MEDIA,
    ODF_MIMETYPE,
    ZIP,
    ZIP_MAGIC,
    FileKind,
)
from .head import first_element

PART_HEAD = 1 << 20  # how much of a package's member `zip_kind` reads to recognise it
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
