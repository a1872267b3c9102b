"""Saved messages (.eml) and archives (.zip) in the inbox, opened in memory into submissions.

A unit's report reaches the inbox as a plain file, as an attachment of a message the officer
saved (Thunderbird, webmail, or `mail fetch`), or as a member of a `.zip`. Each becomes a
`Submission` that knows its origin (which message or archive, the arrival time and sender of
the message) and how to find its bytes again (`locator`), so nothing is ever extracted to
disk and the inbox stays untouched. Containers are untrusted like every file: the limits of
`[limits]` bound their size, number of entries, uncompressed size and ratio; an archive
inside an archive is refused (one level of nesting: a `.zip` attached to a message); member
paths that would escape a folder are refused.

Messages are parsed by the standard library (`email`, policy `default`, RFC 5322/2045-2049)
once per process and message, after their multipart nesting is checked against `[limits]
max_message_depth` on the raw bytes; archives by `zipfile` (Deflate64, method 9 of APPNOTE
4.4.5, which Windows Explorer and 7-Zip write for large files, by `inflate64`).

A file is what its bytes say, not its name: a spreadsheet that a browser or webmail renamed
.zip ("bao-cao.xlsx.zip"), alone in the inbox, attached or a member of an archive, is one
submission read as the spreadsheet it is, named as received (`one_file`); only a zip that no
kind claims by its members is opened as an archive, whatever it is called: an archive of
reports renamed .xlsx or .xls is opened as the archive it is (one inside an archive is
refused as nested), while a workbook with a few members more stays a workbook. An
attachment whose name says nothing, or says a letter or a scan, but whose bytes are a
report ("899.xml", an Excel 2003 XML spreadsheet; "bao-cao.xlsx.pdf", an .xlsx) counts as
the report the message holds.

Every member and every attachment is its own unit of failure: whatever goes wrong while it
is decompressed or decoded (a bad CRC-32, corrupt or truncated data, sizes that lie, a
method nobody reads) makes that entry unreadable with a Vietnamese reason, never the run.
Members are addressed by their position in the archive, so two members with one name are
each read. What an archiver adds that is not a report (`__MACOSX/`, `._*`, `.DS_Store`,
`Thumbs.db`, Office lock files) is ignored inside archives as it is in the inbox.
"""

from __future__ import annotations

import datetime as dt
import email
import errno
import functools
import hashlib
import io
import os
import re
import struct
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path, PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo

from ..form import Limits
from ..rules.findings import show
from ..system import impl
from ..text.oserrors import read_reason
from .filekinds import (
    ARCHIVE_HEAD,
    ARCHIVE_KIND,
    ARCHIVE_SUFFIXES,
    ATTACHED,
    CONTAINER,
    MESSAGE_SUFFIXES,
    NESTED_SUFFIXES,
    NOT_REPORT_SUFFIXES,
    OTHER,
    REPORT,
    REPORT_SUFFIXES,
    SPREADSHEET_SUFFIXES,
    FileKind,
    bytes_kind,
    is_a_report,
    kind_of_name,
    may_be_archive,
    refused_by_name,
    suffix_of,
)
from .files import ReadProblem, read_bounded
from .inbox import may_be_leftover, not_submission
from .message_headers import header_text, received_at, sender_of

FILE, MESSAGE, ARCHIVE, ATTACHMENT, MEMBER = "file", "message", "archive", "attachment", "member"
CONTAINER_KINDS = (MESSAGE, ARCHIVE)  # a container's own line: not a report, its entries follow
NOT_REPORT_ATTACHED = "không phải bảng tính (công văn, ảnh, chữ ký…), gửi kèm báo cáo: không cần đọc"
SEP = " › "  # between a container's name and a name inside it


@dataclass(frozen=True)
class Origin:
    """Where a submission came from.

    kind: "file" (plain file in the inbox), "message" / "archive" (a container's own line),
    "attachment" (of a message), "member" (of an archive, possibly attached to a message).
    received: when the message holding it reached the office (aware, province time zone);
    None for plain files and archives saved by hand.
    """

    kind: str = FILE
    container: str = ""  # the inbox entry (.eml or .zip) it is inside, as shown
    locator: tuple[str, ...] = ()  # steps from that entry to its bytes: "part:N", "zip:NAME"
    received: dt.datetime | None = None
    sender: str = ""
    message_id: str = ""
    subject: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "container": self.container,
            "received_mail": self.received.isoformat(timespec="seconds") if self.received else "",
            "sender": self.sender,
            "message_id": self.message_id,
            "subject": self.subject,
        }


@dataclass(frozen=True)
class Opened:
    """A container's own line: its bytes' size and hash (its entries follow it)."""

    format: str  # the container's kind (filekinds: MESSAGE_KIND or ARCHIVE_KIND)
    size: int
    sha256: str


@dataclass(frozen=True)
class Submission:
    """One entry of the inbox listing: something to read, or a container's own line."""

    path: Path | None  # on disk: the file itself, or the inbox entry that holds it (None: not read)
    name: str  # as shown to people: "thu/a.eml › bao-cao.xlsx"
    origin: Origin = field(default_factory=Origin)
    opened: Opened | None = None  # set on a container's own line
    problem: tuple[str, str] | None = None  # (rule code, message): known unreadable, not read
    ignored: str = ""  # why it is not read (Vietnamese): what came with a report, not one

    @property
    def received(self) -> dt.datetime | None:
        """When the message holding it reached the office (aware); None for a plain file or
        an archive saved by hand."""
        return self.origin.received

    def read(self, limits: Limits) -> tuple[bytes, float]:
        """Its bytes, and the modification time of its inbox entry (POSIX seconds): the
        file itself, or found again in memory inside its message or archive. Never reads
        beyond the limits. Raises OSError (the entry cannot be read), ReadProblem (a
        plain file over the size limit, its `.info` set; or a bad container or entry,
        `.info` None), KeyError/IndexError/ValueError (an entry gone from a container that
        changed since it was listed)."""
        if self.path is None:
            raise FileNotFoundError(errno.ENOENT, "not read", self.name)
        if not self.origin.locator:
            return read_bounded(self.path, self.name, limits)
        return _entry_bytes(self.path, self.origin.locator, limits), entry_mtime(self.path)


def entry_mtime(path: Path | None) -> float:
    """The modification time of an inbox entry (POSIX seconds); 0.0 when it cannot be had."""
    try:
        return path.stat().st_mtime if path is not None else 0.0
    except OSError:
        return 0.0


def expand(path: Path, name: str, limits: Limits, zone: ZoneInfo) -> list[Submission]:
    """The submissions an inbox entry stands for: itself, or a container line and its entries.

    Never raises for bad input: a broken container is one line with its problem.
    """
    refused = refused_by_name(name)  # .msg, .numbers: no reader here reads them
    if refused:
        return [Submission(path, name, problem=refused)]
    named = kind_of_name(name)
    suffix = suffix_of(name)
    if named is not None and named.role == REPORT and _archive_named_as_a_spreadsheet(path, name, limits):
        named = ARCHIVE_KIND  # a real archive of reports renamed .xlsx: opened as the archive it is
    elif named is None or suffix not in MESSAGE_SUFFIXES | ARCHIVE_SUFFIXES:
        return [Submission(path, name)]
    kind = MESSAGE if named.suffix in MESSAGE_SUFFIXES else ARCHIVE
    fmt = named.name
    try:  # the same bytes object the entries are found in again: the parse is looked up by identity
        data = _container_bytes(path, limits)
    except ReadProblem as exc:
        return [Submission(path, name, Origin(kind), Opened(fmt, _size(path), ""), (exc.code, exc.message))]
    if kind == ARCHIVE and one_file(data, name) is not None:
        return [Submission(path, name)]  # a spreadsheet renamed .zip: read as what its bytes are
    opened = Opened(fmt, len(data), hashlib.sha256(data).hexdigest())
    if kind == ARCHIVE:
        origin = Origin(ARCHIVE)
        try:
            inner = _archive_entries(path, name, data, (), origin, limits)
        except ReadProblem as exc:
            return [Submission(path, name, origin, opened, (exc.code, exc.message))]
        return [Submission(path, name, origin, opened), *inner]
    try:
        msg = _parse_message(data, limits)
        origin = Origin(
            MESSAGE,
            received=received_at(msg, zone),
            sender=sender_of(msg),
            message_id=header_text(msg, "Message-ID"),
            subject=header_text(msg, "Subject"),
        )
    except ReadProblem as exc:
        return [Submission(path, name, Origin(MESSAGE), opened, (exc.code, exc.message))]
    except (RecursionError, MemoryError, Exception) as exc:  # the parser's own failure: this message only
        return [Submission(path, name, Origin(MESSAGE), opened, ("FILE_CORRUPT", _message_broken(exc)))]
    try:
        inner, by_bytes = _message_entries(path, name, msg, origin, limits)
    except ReadProblem as exc:
        return [Submission(path, name, origin, opened, (exc.code, exc.message))]
    except (RecursionError, MemoryError, Exception) as exc:
        return [Submission(path, name, origin, opened, ("FILE_CORRUPT", _message_broken(exc)))]
    problem = None
    if not any(suffix_of(s.name) in REPORT_SUFFIXES or s.name in by_bytes for s in inner):
        shown = ", ".join(s.name.rpartition(SEP)[2] for s in inner)
        problem = (
            "MAIL_NO_REPORT",
            "thư không có tệp báo cáo đính kèm"
            + (f" (chỉ có: {shown})" if shown else "")
            + "; hãy đề nghị đơn vị gửi lại thư kèm tệp Excel báo cáo",
        )
    return [Submission(path, name, origin, opened, problem), *inner]


def _archive_named_as_a_spreadsheet(path: Path, name: str, limits: Limits) -> bool:
    """Whether the inbox entry at `path`, named as a spreadsheet (`name`), is an archive of
    files that a webmail or a unit renamed .xlsx or .xls: a zip whose members no kind
    claims (`filekinds.bytes_kind`: a workbook with a few members more is still a
    workbook). Its first bytes are read first (`filekinds.may_be_archive`), so a workbook
    costs one small read; False when it cannot be read (the reading says why)."""
    try:
        fd = impl.open_untrusted(path, follow=True)
        try:
            head = os.read(fd, ARCHIVE_HEAD)
        finally:
            os.close(fd)
        if not may_be_archive(head):
            return False
        return bytes_kind(_container_bytes(path, limits), name) is ARCHIVE_KIND
    except (OSError, ReadProblem):
        return False


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
    compound file, a file known by its start (`filekinds.bytes_kind`). None for an archive
    or a message (a message named .zip is no report either way; inside an archive it is
    refused as nested), and for bytes that are no known file (then read as the damaged
    archive they are named)."""
    kind = bytes_kind(data, name)
    return None if kind is None or kind.role == CONTAINER else kind


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _read_bounded(path: Path, limits: Limits) -> bytes:
    """A container's bytes, never more than the file-size limit (files.read_bounded)."""
    try:
        data, _mtime = read_bounded(path, path.name, limits)
    except ReadProblem as exc:  # the container's own size: not a fact of the entry read
        raise ReadProblem(exc.code, exc.message) from exc
    except OSError as exc:
        raise ReadProblem("FILE_CORRUPT", f"không đọc được tệp: {read_reason(exc)}") from exc
    if not data:
        raise ReadProblem("FILE_EMPTY", "tệp rỗng (0 byte)")
    return data


MESSAGE_BROKEN = (
    "thư bị hỏng hoặc có cấu trúc bất thường nên không mở được{why}; hãy đề nghị đơn vị gửi lại "
    "thư mới, đính kèm trực tiếp tệp Excel báo cáo"
)
_MULTIPART = re.compile(rb"^content-type:[ \t]*multipart/", re.IGNORECASE | re.MULTILINE)


def _message_broken(exc: BaseException) -> str:
    why = " (lồng nhau quá sâu)" if isinstance(exc, RecursionError) else ""
    return MESSAGE_BROKEN.format(why=why)


def _check_depth(data: bytes, depth: int) -> None:
    """Refuse, before parsing, a message that declares more multipart levels than `depth`
    (the standard library's parser and `walk()` recurse once per level). The count of
    multipart headers bounds the depth from above."""
    declared = len(_MULTIPART.findall(data))
    if declared > depth:
        raise ReadProblem(
            "FILE_CORRUPT",
            MESSAGE_BROKEN.format(why=f" (có {show(declared)} phần lồng nhau, quá giới hạn {depth})"),
        )
    nested = _comment_depth(data[: _header_end(data)])
    if nested > depth:  # RFC 5322 comments nest; the header parser recurses once per level
        raise ReadProblem(
            "FILE_CORRUPT",
            MESSAGE_BROKEN.format(why=f" (tiêu đề thư có {show(nested)} cặp ngoặc lồng nhau)"),
        )


def _header_end(data: bytes) -> int:
    """Where a message's header block ends (its first empty line), or its length."""
    ends = [i for i in (data.find(b"\r\n\r\n"), data.find(b"\n\n")) if i >= 0]
    return min(ends) if ends else len(data)


def _comment_depth(head: bytes) -> int:
    """The deepest nesting of parentheses in a message's header block (linear, no parse)."""
    deepest = level = 0
    for byte in head.translate(None, _NOT_PARENS):
        level = level + 1 if byte == 0x28 else max(level - 1, 0)
        deepest = max(deepest, level)
    return deepest


_NOT_PARENS = bytes(b for b in range(256) if b not in (0x28, 0x29))


@functools.lru_cache(maxsize=2)
def _parsed_parts(data: bytes, depth: int) -> tuple[EmailMessage, tuple[EmailMessage, ...]]:
    """A message parsed once per process (the last few kept), and its parts in walk order:
    each attachment is then found by position without parsing the message again."""
    _check_depth(data, depth)
    msg = email.message_from_bytes(data, policy=default_policy)
    assert isinstance(msg, EmailMessage)
    return msg, tuple(msg.walk())  # type: ignore[arg-type]


def _depth(limits: Limits | None) -> int:
    return limits.max_message_depth if limits is not None else Limits.max_message_depth


def _container_bytes(path: Path, limits: Limits) -> bytes:
    """A container's bytes for finding its entries again: read once per process while the
    file is unchanged (its size and modification time), so the 500th attachment of a
    message costs no more than the first."""
    try:
        st = path.stat()
    except OSError as exc:
        raise ReadProblem("FILE_CORRUPT", f"không đọc được tệp: {read_reason(exc)}") from exc
    return _cached_container(path, st.st_size, st.st_mtime_ns, limits)


@functools.lru_cache(maxsize=2)
def _cached_container(path: Path, _size: int, _mtime_ns: int, limits: Limits) -> bytes:
    return _read_bounded(path, limits)


def _parse_message(data: bytes, limits: Limits | None) -> EmailMessage:
    """A raw message parsed (bounded nesting). ReadProblem when it nests too deep."""
    return _parsed_parts(data, _depth(limits))[0]


def _attachment_parts(msg: EmailMessage) -> list[tuple[int, EmailMessage]]:
    """(index in walk order, part) of every attached file, forwarded messages included."""
    out = []
    for k, part in enumerate(msg.walk()):  # type: ignore[arg-type]
        if part.is_multipart() or part.get_content_type() == "message/rfc822":
            continue
        filename = part.get_filename()
        if filename or part.get_content_disposition() == "attachment":
            out.append((k, part))
    return out


def _comes_with_a_report(name: str) -> bool:
    """An attachment or member that is not a report by its name (`NOT_REPORT_SUFFIXES`):
    listed as not read, never a finding."""
    return PurePosixPath(name).suffix.lower() in NOT_REPORT_SUFFIXES


def _safe_member_name(raw: str, fallback: str) -> str:
    """The last component of an untrusted file name (display only: nothing is written)."""
    base = PurePosixPath(str(raw or "").replace("\\", "/")).name.strip()
    return base or fallback


def _message_entries(
    path: Path, name: str, msg: EmailMessage, origin: Origin, limits: Limits
) -> tuple[list[Submission], set[str]]:
    """A message's attachments as submissions, and the names of those whose bytes say they
    are a report or an archive though their names do not ("899.xml": an Excel 2003 XML
    spreadsheet; "bao cao", "bao-cao.xlsx.pdf": an .xlsx). An attachment named as what
    comes with a report (.pdf, .docx …) is ignored unless its bytes say otherwise; one
    named otherwise than as an archive whose bytes are one is opened as an archive."""
    parts = _attachment_parts(msg)
    if len(parts) > limits.max_zip_entries:
        raise ReadProblem(
            "FILE_TOO_LARGE", f"thư có {len(parts)} tệp đính kèm, vượt giới hạn {limits.max_zip_entries}"
        )
    out: list[Submission] = []
    by_bytes: set[str] = set()
    total = 0
    for i, (k, part) in enumerate(parts, start=1):
        shown = f"{name}{SEP}{_safe_member_name(part.get_filename() or '', f'tep-dinh-kem-{i}')}"
        locator = (f"part:{k}",)
        sub_origin = Origin(ATTACHMENT, name, locator, origin.received, origin.sender, origin.message_id)
        if refused_by_name(shown):
            out.append(Submission(path, shown, sub_origin, problem=refused_by_name(shown)))
            continue
        try:
            data = _part_bytes(part)
        except ReadProblem as exc:
            attached = _comes_with_a_report(shown)
            out.append(
                Submission(path, shown, sub_origin, ignored=NOT_REPORT_ATTACHED)
                if attached
                else Submission(path, shown, sub_origin, problem=(exc.code, exc.message))
            )
            continue
        if _comes_with_a_report(shown) and not _report_or_archive(bytes_kind(data, shown)):
            # named and made as what comes with a report; "bao-cao.xlsx.pdf" holding an .xlsx is read
            out.append(Submission(path, shown, sub_origin, ignored=NOT_REPORT_ATTACHED))
            continue
        total += len(data)
        if total > limits.max_uncompressed_bytes:
            raise ReadProblem(
                "FILE_TOO_LARGE",
                f"các tệp đính kèm vượt tổng giới hạn {show(limits.max_uncompressed_bytes)} byte",
            )
        renamed = one_file(data, shown) if suffix_of(shown) in ARCHIVE_SUFFIXES else None
        archived = suffix_of(shown) not in ARCHIVE_SUFFIXES and _an_archive(data, shown)
        if suffix_of(shown) not in REPORT_SUFFIXES and _report_or_archive(bytes_kind(data, shown)):
            by_bytes.add(shown)
        if len(data) > limits.max_file_bytes:
            problem = ("FILE_TOO_LARGE", f"tệp đính kèm {show(len(data))} byte, vượt giới hạn")
            out.append(Submission(path, shown, sub_origin, problem=problem))
        elif renamed is not None and renamed.role == ATTACHED:
            out.append(Submission(path, shown, sub_origin, ignored=NOT_REPORT_ATTACHED))
        elif (suffix_of(shown) in ARCHIVE_SUFFIXES and renamed is None) or archived:
            zip_origin = Origin(ARCHIVE, name, locator, origin.received, origin.sender, origin.message_id)
            opened = Opened(ARCHIVE_KIND.name, len(data), hashlib.sha256(data).hexdigest())
            try:
                inner = _archive_entries(path, shown, data, locator, zip_origin, limits, nested=True)
            except ReadProblem as exc:
                out.append(Submission(path, shown, zip_origin, opened, (exc.code, exc.message)))
                continue
            out.extend([Submission(path, shown, zip_origin, opened), *inner])
        else:
            out.append(Submission(path, shown, sub_origin))
    return out, by_bytes


def _part_bytes(part: EmailMessage) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except (TypeError, ValueError) as exc:
        raise ReadProblem("FILE_CORRUPT", "tệp đính kèm bị hỏng, không giải mã được") from exc
    if isinstance(data, str):
        data = data.encode("utf-8", "replace")
    return data or b""


def _unsafe_path(member: str) -> bool:
    p = member.replace("\\", "/")
    return p.startswith("/") or (len(p) > 1 and p[1] == ":") or ".." in PurePosixPath(p).parts


def _open_zip(data: bytes, limits: Limits) -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ReadProblem("FILE_CORRUPT", "tệp nén .zip bị hỏng; hãy nén và gửi lại") from exc
    infos = zf.infolist()
    if len(infos) > limits.max_zip_entries:
        raise ReadProblem(
            "FILE_TOO_LARGE", f"tệp nén có {len(infos)} mục, vượt giới hạn {limits.max_zip_entries}"
        )
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed_bytes:
        raise ReadProblem(
            "FILE_TOO_LARGE",
            f"tệp nén giải nén ra {show(total)} byte, vượt giới hạn {show(limits.max_uncompressed_bytes)} byte",
        )
    return zf


def _member_problem(
    info: zipfile.ZipInfo,
    limits: Limits,
    nested: bool,
    renamed: FileKind | None = None,
    archived: bool = False,
) -> tuple[str, str] | None:
    """Why a member is not read, or None; `renamed`: the kind of a member named like an
    archive that is one file (`_member_kind`), read as such, not refused as nested;
    `archived`: a member named as a spreadsheet that is an archive (`_member_archived`),
    refused as nested."""
    if _unsafe_path(info.filename):
        return ("FILE_UNSAFE", f"đường dẫn '{info.filename}' trong tệp nén trỏ ra ngoài thư mục; không đọc")
    if info.flag_bits & 0x1:
        return ("FILE_ENCRYPTED", "mục trong tệp nén có mật khẩu; hãy nén lại không đặt mật khẩu")
    if (PurePosixPath(info.filename).suffix.lower() in NESTED_SUFFIXES and renamed is None) or archived:
        where = "tệp nén đính kèm thư" if nested else "tệp nén"
        return ("ARCHIVE_NESTED", f"{where} chứa một tệp nén/thư khác; hãy gửi trực tiếp tệp Excel")
    if refused_by_name(info.filename):
        return refused_by_name(info.filename)
    if _too_large(info, limits):
        ratio = info.file_size / max(info.compress_size, 1)
        return (
            "FILE_TOO_LARGE",
            f"mục giải nén ra {show(info.file_size)} byte (tỷ lệ nén {ratio:.0f}), vượt giới hạn",
        )
    return None


def _too_large(info: zipfile.ZipInfo, limits: Limits) -> bool:
    ratio = info.file_size / max(info.compress_size, 1)
    return info.file_size > limits.max_file_bytes or ratio > limits.max_compression_ratio


def _member_kind(zf: zipfile.ZipFile, data: bytes, info: zipfile.ZipInfo, limits: Limits) -> FileKind | None:
    """For a member named like an archive or a message, opened or not (.zip, .eml, .rar …;
    not .msg, refused by its name), within the limits: the kind of file it is when it is
    neither (`one_file`: a spreadsheet renamed .zip); None otherwise."""
    named = kind_of_name(info.filename)
    if (
        named is None
        or named.role not in (CONTAINER, OTHER)
        or info.flag_bits & 0x1
        or _too_large(info, limits)
    ):
        return None
    try:
        member = _member_bytes(zf, data, info, limits)
    except ReadProblem:
        return None
    return one_file(member, info.filename)


def _member_archived(zf: zipfile.ZipFile, data: bytes, info: zipfile.ZipInfo, limits: Limits) -> bool:
    """Whether a member named as a spreadsheet, within the limits, is an archive renamed so
    (`_an_archive`); its first bytes are read first, the whole only when they may be one."""
    if (
        suffix_of(info.filename) not in SPREADSHEET_SUFFIXES
        or info.flag_bits & 0x1
        or _too_large(info, limits)
    ):
        return False
    try:
        if not may_be_archive(_member_bytes(zf, data, info, limits, head=ARCHIVE_HEAD)):
            return False
        return _an_archive(_member_bytes(zf, data, info, limits), info.filename)
    except ReadProblem:
        return False


def _archive_entries(
    path: Path,
    name: str,
    data: bytes,
    locator: tuple[str, ...],
    origin: Origin,
    limits: Limits,
    nested: bool = False,
) -> list[Submission]:
    out = []
    with _open_zip(data, limits) as zf:
        infos = zf.infolist()
        names = Counter(info.filename for info in infos)
        for position, info in enumerate(infos):
            if info.is_dir():
                continue
            base = _safe_member_name(info.filename, "muc")
            if names[info.filename] > 1:  # two members of one name: each named by its place
                stem, dot, suffix = base.rpartition(".")
                base = f"{stem} (mục {position + 1}).{suffix}" if dot else f"{base} (mục {position + 1})"
            shown = f"{name}{SEP}{base}"
            member = Origin(
                MEMBER, origin.container or name, (*locator, f"zip:{position}"),
                origin.received, origin.sender, origin.message_id,
            )  # fmt: skip
            leftover = _leftover(zf, data, info, limits)
            renamed = _member_kind(zf, data, info, limits)
            if leftover:
                out.append(Submission(path, shown, member, ignored=leftover))
            elif _comes_with_a_report(shown) or (renamed is not None and renamed.role == ATTACHED):
                out.append(Submission(path, shown, member, ignored=NOT_REPORT_ATTACHED))
            else:
                archived = _member_archived(zf, data, info, limits)
                problem = _member_problem(info, limits, nested, renamed, archived)
                out.append(Submission(path, shown, member, problem=problem))
    return out


_HEAD = 64


def _leftover(zf: zipfile.ZipFile, data: bytes, info: zipfile.ZipInfo, limits: Limits) -> str:
    """Why a member is what an archiver or a system adds, not a report (`inbox.
    not_submission`: a name like one and first bytes that agree), or ""."""
    parts = PurePosixPath(info.filename.replace("\\", "/")).parts
    if not parts or not may_be_leftover(parts[-1], parts[:-1]):
        return ""
    try:
        head = _member_bytes(zf, data, info, limits, head=_HEAD)
    except ReadProblem:
        head = b""
    return not_submission(parts[-1], parts[:-1], head)


_DEFLATE64 = 9
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature ... file name length, extra field length
_INFLATE_CHUNK = 16_384
MEMBER_DAMAGED = (
    "tệp này trong tệp nén bị hỏng ({what}), thường do truyền tải hoặc nén lỗi; hãy đề nghị "
    "đơn vị gửi lại tệp Excel báo cáo, không nén"
)
MEMBER_METHOD = (
    "tệp này được nén theo kiểu chưa đọc được (phương pháp nén số {method}); hãy đề nghị đơn vị "
    "giải nén rồi gửi lại tệp .xlsx"
)


def _member_damage(exc: BaseException, info: zipfile.ZipInfo) -> ReadProblem:
    """The Vietnamese reason for any failure while one member is decompressed."""
    if isinstance(exc, NotImplementedError):
        return ReadProblem("FILE_CORRUPT", MEMBER_METHOD.format(method=info.compress_type))
    text = str(exc)
    if "CRC" in text:
        what = "sai mã kiểm tra CRC-32: dữ liệu đã bị thay đổi"
    elif isinstance(exc, EOFError) or "truncated" in text.lower() or "end of" in text.lower():
        what = "dữ liệu bị cắt cụt"
    elif isinstance(exc, RuntimeError) and "password" in text.lower():
        what = "có mật khẩu"
    else:
        what = "dữ liệu nén không giải nén được"
    return ReadProblem("FILE_CORRUPT", MEMBER_DAMAGED.format(what=what))


def _inflate64(data: bytes, info: zipfile.ZipInfo, want: int) -> bytes:
    """A Deflate64 member's bytes (at most `want`), read from the archive's bytes with
    `inflate64`, in chunks so that data lying about its size cannot balloon; the CRC-32 is
    checked when the whole member is read."""
    import inflate64  # a compiled decoder, loaded only for the archives that need it

    start = info.header_offset
    signature, name_len, extra_len = _LOCAL_HEADER.unpack_from(data, start)
    if signature != b"PK\x03\x04":
        raise zipfile.BadZipFile("bad local file header")
    begin = start + _LOCAL_HEADER.size + name_len + extra_len
    raw = data[begin : begin + info.compress_size]
    if len(raw) < info.compress_size:
        raise EOFError("truncated member")
    inflater, out = inflate64.Inflater(), bytearray()
    for i in range(0, len(raw), _INFLATE_CHUNK):
        out += inflater.inflate(raw[i : i + _INFLATE_CHUNK])
        if len(out) >= want:
            return bytes(out[:want])
    if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
        raise zipfile.BadZipFile(f"Bad CRC-32 for file {info.filename!r}")
    return bytes(out)


def _member_bytes(
    zf: zipfile.ZipFile, data: bytes, info: zipfile.ZipInfo, limits: Limits, head: int = 0
) -> bytes:
    """One member's bytes (or its first `head` bytes), never more than declared: any
    failure to decompress it (whatever the exception) is a ReadProblem for it alone."""
    want = head or info.file_size + 1
    try:
        if info.compress_type == _DEFLATE64:
            out = _inflate64(data, info, want)
        else:
            with zf.open(info) as fh:
                out = fh.read(want)
    except Exception as exc:  # noqa: BLE001 - every kind of damage is this member's problem
        raise _member_damage(exc, info) from exc
    if not head and len(out) > info.file_size:
        raise ReadProblem("FILE_TOO_LARGE", "mục trong tệp nén lớn hơn kích thước khai báo")
    return out


def _entry_bytes(path: Path, locator: tuple[str, ...], limits: Limits) -> bytes:
    """The bytes that `locator` reaches from the inbox entry at `path` (`Submission.read`).

    Raises OSError when the entry cannot be read, ReadProblem when the container is bad.
    """
    data = _container_bytes(path, limits)
    if not locator:
        return data
    for step in locator:
        kind, _, arg = step.partition(":")
        if kind == "part":
            try:
                parts = _parsed_parts(data, _depth(limits))[1]
            except ReadProblem:
                raise
            except (RecursionError, MemoryError, Exception) as exc:
                raise ReadProblem("FILE_CORRUPT", _message_broken(exc)) from exc
            data = _part_bytes(parts[int(arg)])
        else:
            with _open_zip(data, limits) as zf:
                info = zf.infolist()[int(arg)]
                renamed = _member_kind(zf, data, info, limits)
                problem = _member_problem(info, limits, len(locator) > 1, renamed)
                if problem:
                    raise ReadProblem(*problem)
                data = _member_bytes(zf, data, info, limits)
    return data


def parse_message(data: bytes, limits: Limits | None = None) -> EmailMessage:
    """A raw message parsed with the standard library (policy `default`), its nesting
    bounded by the limits (ReadProblem beyond them)."""
    return _parse_message(data, limits)
