"""Saved messages (.eml) and archives (.zip) in the inbox, opened in memory into submissions.

A unit's report reaches the inbox as a plain file, as an attachment of a message the officer
saved (Thunderbird, webmail, or `mail fetch`), or as a member of a `.zip`. Each becomes a
`Submission` that knows its origin (which message or archive, the arrival time and sender of
the message) and how to find its bytes again (`locator`), so nothing is ever extracted to
disk and the inbox stays untouched. Containers are untrusted like every file: the limits of
`[limits]` bound their size, number of entries, uncompressed size and ratio; an archive
inside an archive is refused (one level of nesting: a `.zip` attached to a message); member
paths that would escape a folder are refused.

Messages are parsed by the standard library (`email`, policy `default`, RFC 5322/2045-2049);
archives by `zipfile`.
"""

from __future__ import annotations

import datetime as dt
import email
import errno
import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path, PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo

from ..form import Limits
from ..rules.findings import show
from ..text.oserrors import read_reason
from .files import ReadProblem, read_bounded
from .message_headers import header_text, received_at, sender_of

FILE, MESSAGE, ARCHIVE, ATTACHMENT, MEMBER = "file", "message", "archive", "attachment", "member"
CONTAINER_KINDS = (MESSAGE, ARCHIVE)  # a container's own line: not a report, its entries follow
MESSAGE_SUFFIXES = {".eml"}
ARCHIVE_SUFFIXES = {".zip"}
NESTED_SUFFIXES = {".zip", ".rar", ".7z", ".tar", ".gz", ".tgz", ".eml", ".msg"}
REPORT_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".xlsb", ".zip"}
# what comes with a report in a mail or an archive and is not one: a cover letter, a signed
# scan, a logo in the signature, a calendar or card file, a signature part
NOT_REPORT_SUFFIXES = {
    ".pdf", ".doc", ".docx", ".odt", ".rtf", ".txt", ".htm", ".html", ".jpg", ".jpeg", ".png",
    ".gif", ".bmp", ".tif", ".tiff", ".p7s", ".asc", ".sig", ".ics", ".vcf",
}  # fmt: skip
NOT_REPORT_ATTACHED = "không phải bảng tính (công văn, ảnh, chữ ký…), gửi kèm báo cáo: không cần đọc"
SEP = " › "  # between a container's name and a name inside it
OUTLOOK_MSG = (
    "thư Outlook (.msg) chưa được mở tự động; hãy lưu riêng tệp Excel đính kèm vào thư mục nhận, "
    "hoặc lưu thư dưới dạng .eml"
)


class ContainerProblem(Exception):
    """A container or one of its entries that cannot be read: a rule code and a message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


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

    format: str  # "eml" or "zip"
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
        beyond the limits. Raises OSError (the entry cannot be read), ReadProblem
        FILE_TOO_LARGE (a plain file over the size limit, its `.info` set), ContainerProblem
        (a bad container or entry), KeyError/IndexError/ValueError (an entry gone from a
        container that changed since it was listed)."""
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
    suffix = PurePosixPath(name).suffix.lower()
    if suffix == ".msg":  # Outlook's own format: no reader could be tested here on a real file
        return [Submission(path, name, problem=("FILE_NOT_REPORT", OUTLOOK_MSG))]
    if suffix not in MESSAGE_SUFFIXES | ARCHIVE_SUFFIXES:
        return [Submission(path, name)]
    kind = MESSAGE if suffix in MESSAGE_SUFFIXES else ARCHIVE
    fmt = suffix.lstrip(".")
    try:
        data = _read_bounded(path, limits)
    except ContainerProblem as exc:
        return [Submission(path, name, Origin(kind), Opened(fmt, _size(path), ""), (exc.code, exc.message))]
    opened = Opened(fmt, len(data), hashlib.sha256(data).hexdigest())
    if kind == ARCHIVE:
        origin = Origin(ARCHIVE)
        try:
            inner = _archive_entries(path, name, data, (), origin, limits)
        except ContainerProblem as exc:
            return [Submission(path, name, origin, opened, (exc.code, exc.message))]
        return [Submission(path, name, origin, opened), *inner]
    msg = _parse_message(data)
    origin = Origin(
        MESSAGE,
        received=received_at(msg, zone),
        sender=sender_of(msg),
        message_id=header_text(msg, "Message-ID"),
        subject=header_text(msg, "Subject"),
    )
    try:
        inner = _message_entries(path, name, msg, origin, limits)
    except ContainerProblem as exc:
        return [Submission(path, name, origin, opened, (exc.code, exc.message))]
    problem = None
    if not any(PurePosixPath(s.name).suffix.lower() in REPORT_SUFFIXES for s in inner):
        shown = ", ".join(s.name.rpartition(SEP)[2] for s in inner)
        problem = (
            "MAIL_NO_REPORT",
            "thư không có tệp báo cáo đính kèm"
            + (f" (chỉ có: {shown})" if shown else "")
            + "; hãy đề nghị đơn vị gửi lại thư kèm tệp Excel báo cáo",
        )
    return [Submission(path, name, origin, opened, problem), *inner]


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _read_bounded(path: Path, limits: Limits) -> bytes:
    """A container's bytes, never more than the file-size limit (files.read_bounded)."""
    try:
        data, _mtime = read_bounded(path, path.name, limits)
    except ReadProblem as exc:
        raise ContainerProblem(exc.code, exc.message) from exc
    except OSError as exc:
        raise ContainerProblem("FILE_CORRUPT", f"không đọc được tệp: {read_reason(exc)}") from exc
    if not data:
        raise ContainerProblem("FILE_EMPTY", "tệp rỗng (0 byte)")
    return data


def _parse_message(data: bytes) -> EmailMessage:
    msg = email.message_from_bytes(data, policy=default_policy)
    assert isinstance(msg, EmailMessage)
    return msg


def _attachment_parts(msg: EmailMessage) -> list[tuple[int, EmailMessage]]:
    """(index in walk order, part) of every attached file, forwarded messages included."""
    out = []
    for k, part in enumerate(msg.walk()):
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
) -> list[Submission]:
    parts = _attachment_parts(msg)
    if len(parts) > limits.max_zip_entries:
        raise ContainerProblem(
            "FILE_TOO_LARGE", f"thư có {len(parts)} tệp đính kèm, vượt giới hạn {limits.max_zip_entries}"
        )
    out: list[Submission] = []
    total = 0
    for i, (k, part) in enumerate(parts, start=1):
        shown = f"{name}{SEP}{_safe_member_name(part.get_filename() or '', f'tep-dinh-kem-{i}')}"
        locator = (f"part:{k}",)
        sub_origin = Origin(ATTACHMENT, name, locator, origin.received, origin.sender, origin.message_id)
        if _comes_with_a_report(shown):
            out.append(Submission(path, shown, sub_origin, ignored=NOT_REPORT_ATTACHED))
            continue
        try:
            data = _part_bytes(part)
        except ContainerProblem as exc:
            out.append(Submission(path, shown, sub_origin, problem=(exc.code, exc.message)))
            continue
        total += len(data)
        if total > limits.max_uncompressed_bytes:
            raise ContainerProblem(
                "FILE_TOO_LARGE",
                f"các tệp đính kèm vượt tổng giới hạn {show(limits.max_uncompressed_bytes)} byte",
            )
        if len(data) > limits.max_file_bytes:
            problem = ("FILE_TOO_LARGE", f"tệp đính kèm {show(len(data))} byte, vượt giới hạn")
            out.append(Submission(path, shown, sub_origin, problem=problem))
        elif PurePosixPath(shown).suffix.lower() in ARCHIVE_SUFFIXES:
            zip_origin = Origin(ARCHIVE, name, locator, origin.received, origin.sender, origin.message_id)
            opened = Opened("zip", len(data), hashlib.sha256(data).hexdigest())
            try:
                inner = _archive_entries(path, shown, data, locator, zip_origin, limits, nested=True)
            except ContainerProblem as exc:
                out.append(Submission(path, shown, zip_origin, opened, (exc.code, exc.message)))
                continue
            out.extend([Submission(path, shown, zip_origin, opened), *inner])
        else:
            out.append(Submission(path, shown, sub_origin))
    return out


def _part_bytes(part: EmailMessage) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except (TypeError, ValueError) as exc:
        raise ContainerProblem("FILE_CORRUPT", "tệp đính kèm bị hỏng, không giải mã được") from exc
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
        raise ContainerProblem("FILE_CORRUPT", "tệp nén .zip bị hỏng; hãy nén và gửi lại") from exc
    infos = zf.infolist()
    if len(infos) > limits.max_zip_entries:
        raise ContainerProblem(
            "FILE_TOO_LARGE", f"tệp nén có {len(infos)} mục, vượt giới hạn {limits.max_zip_entries}"
        )
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed_bytes:
        raise ContainerProblem(
            "FILE_TOO_LARGE",
            f"tệp nén giải nén ra {show(total)} byte, vượt giới hạn {show(limits.max_uncompressed_bytes)} byte",
        )
    return zf


def _member_problem(info: zipfile.ZipInfo, limits: Limits, nested: bool) -> tuple[str, str] | None:
    if _unsafe_path(info.filename):
        return ("FILE_UNSAFE", f"đường dẫn '{info.filename}' trong tệp nén trỏ ra ngoài thư mục; không đọc")
    if info.flag_bits & 0x1:
        return ("FILE_ENCRYPTED", "mục trong tệp nén có mật khẩu; hãy nén lại không đặt mật khẩu")
    if PurePosixPath(info.filename).suffix.lower() in NESTED_SUFFIXES:
        where = "tệp nén đính kèm thư" if nested else "tệp nén"
        return ("ARCHIVE_NESTED", f"{where} chứa một tệp nén/thư khác; hãy gửi trực tiếp tệp Excel")
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > limits.max_file_bytes or ratio > limits.max_compression_ratio:
        return (
            "FILE_TOO_LARGE",
            f"mục giải nén ra {show(info.file_size)} byte (tỷ lệ nén {ratio:.0f}), vượt giới hạn",
        )
    return None


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
        for info in zf.infolist():
            if info.is_dir():
                continue
            shown = f"{name}{SEP}{_safe_member_name(info.filename, 'muc')}"
            member = Origin(
                MEMBER, origin.container or name, (*locator, f"zip:{info.filename}"),
                origin.received, origin.sender, origin.message_id,
            )  # fmt: skip
            if _comes_with_a_report(shown):
                out.append(Submission(path, shown, member, ignored=NOT_REPORT_ATTACHED))
            else:
                out.append(Submission(path, shown, member, problem=_member_problem(info, limits, nested)))
    return out


def _entry_bytes(path: Path, locator: tuple[str, ...], limits: Limits) -> bytes:
    """The bytes that `locator` reaches from the inbox entry at `path` (`Submission.read`).

    Raises OSError when the entry cannot be read, ContainerProblem when the container is bad.
    """
    data = _read_bounded(path, limits)
    if not locator:
        return data
    for step in locator:
        kind, _, arg = step.partition(":")
        if kind == "part":
            parts = list(_parse_message(data).walk())
            data = _part_bytes(parts[int(arg)])  # type: ignore[arg-type]
        else:
            with _open_zip(data, limits) as zf:
                info = zf.getinfo(arg)
                problem = _member_problem(info, limits, nested=len(locator) > 1)
                if problem:
                    raise ContainerProblem(*problem)
                with zf.open(info) as fh:
                    data = fh.read(info.file_size + 1)
                if len(data) > info.file_size:
                    raise ContainerProblem("FILE_TOO_LARGE", "mục trong tệp nén lớn hơn kích thước khai báo")
    return data


def report_attachments(data: bytes) -> list[str]:
    """Names of the attachments of a raw message that look like reports (by their name)."""
    msg = _parse_message(data)
    names = (_safe_member_name(part.get_filename() or "", "") for _, part in _attachment_parts(msg))
    return [n for n in names if PurePosixPath(n).suffix.lower() in REPORT_SUFFIXES]


def parse_message(data: bytes) -> EmailMessage:
    """A raw message parsed with the standard library (policy `default`)."""
    return _parse_message(data)
