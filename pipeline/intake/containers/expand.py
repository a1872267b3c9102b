"""The submissions an inbox entry stands for (`expand`): itself, or a container's own line
and its entries, a message's arrival and sender read from its header. A file named as a
spreadsheet that is an archive of files is opened as the archive it is
(`_archive_named_as_a_spreadsheet`); one named as an archive or a message that is one file
(a spreadsheet renamed .zip, a web page a browser saved as .eml) is read as that file. The
office's own letter come back into the inbox (`message_headers.own_letter`) is one line,
ignored with why: its attachments (a blank template, a feedback workbook) are never read as
a unit's report. Never raises for bad input: a broken container is one line with its
problem.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import replace
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from pathlib import Path
from zoneinfo import ZoneInfo

from ...form import Limits
from ...rules.findings import show
from ...system import impl
from ...text.oserrors import read_reason
from ..files import ReadProblem
from ..kinds.catalogue import (
    ARCHIVE_KIND,
    ARCHIVE_SUFFIXES,
    MESSAGE_KIND,
    MESSAGE_SUFFIXES,
    REPORT_SUFFIXES,
    kind_of_name,
    refused_by_name,
    suffix_of,
)
from ..kinds.detect import bytes_kind
from ..kinds.filekind import REPORT
from ..kinds.zip_package import ARCHIVE_HEAD, may_be_archive
from ..message_headers import header_text, own_letter, received_at, sender_of
from .entries import FORWARDED_OWN_LETTER, _archive_entries, _message_entries
from .entry_kind import one_file
from .locate import _container_bytes, read_range
from .message import (
    _message_broken,
    _parse_message,
    deleted_in_thunderbird,
    mailbox_spans,
    may_be_mailbox,
    too_large_message,
)
from .submission import ARCHIVE, MESSAGE, SEP, Opened, Origin, Submission

HEAD_CAP = 1 << 16  # bytes of a message too large to open read for its header block


def expand(
    path: Path,
    name: str,
    limits: Limits,
    zone: ZoneInfo,
    office: str = "",
    units: frozenset[str] = frozenset(),
) -> list[Submission]:
    """The submissions an inbox entry stands for: itself, or a container line and its entries.
    `office`: the configured `[mail] address` (`message_headers.own_letter`: a message from it
    to others is the office's own too), "" when not known; `units`: the units' configured
    addresses, as `form.addresses.comparable` keeps them (in a mailbox file, a message without
    a report from none of them is no unit's: `NOT_A_UNITS_MESSAGE`).

    Never raises for bad input: a broken container is one line with its problem.
    """
    refused = refused_by_name(name)  # .msg, .numbers: no reader here reads them
    if refused:
        return [Submission(path, name, problem=refused)]
    named = kind_of_name(name)
    suffix = suffix_of(name)
    if named is None and _is_mailbox(path):  # Thunderbird keeps a folder as "Inbox", no suffix
        named, suffix = MESSAGE_KIND, MESSAGE_KIND.suffix
    if named is not None and named.role == REPORT and _archive_named_as_a_spreadsheet(path, name, limits):
        named = ARCHIVE_KIND  # a real archive of reports renamed .xlsx: opened as the archive it is
    elif named is None or suffix not in MESSAGE_SUFFIXES | ARCHIVE_SUFFIXES:
        return [Submission(path, name)]
    kind = MESSAGE if named.suffix in MESSAGE_SUFFIXES else ARCHIVE
    fmt = named.name
    if kind == MESSAGE and (box := _mailbox(path, name, fmt, limits, zone, office, units)) is not None:
        return box
    try:  # the same bytes object the entries are found in again: the parse is looked up by identity
        data = _container_bytes(path, limits)
    except ReadProblem as exc:
        if kind == MESSAGE and exc.code == "FILE_TOO_LARGE":  # who sent it, and what to ask
            return [_message_too_large(path, name, fmt, limits, zone)]
        return [Submission(path, name, Origin(kind), Opened(fmt, _size(path), ""), (exc.code, exc.message))]
    if one_file(data, name) is not None:
        # a spreadsheet renamed .zip, a web page saved as .eml (brk49): read as what its bytes are
        return [Submission(path, name)]
    opened = Opened(fmt, len(data), hashlib.sha256(data).hexdigest())
    if kind == ARCHIVE:
        origin = Origin(ARCHIVE)
        try:
            inner = _archive_entries(path, name, data, (), origin, limits)
        except ReadProblem as exc:
            return [Submission(path, name, origin, opened, (exc.code, exc.message))]
        return [Submission(path, name, origin, opened, _no_report(inner, set(), "ARCHIVE_NO_REPORT")), *inner]
    return _message_submissions(path, name, data, opened, Origin(MESSAGE), limits, zone, office)


DELETED_MESSAGE = "thư đã xóa trong Thunderbird (còn trong tệp hộp thư vì thư mục chưa được nén), không đọc"


def _is_mailbox(path: Path) -> bool:
    """Whether the inbox entry at `path` starts as a mailbox file does (`may_be_mailbox`)."""
    try:
        return may_be_mailbox(_head(path, HEAD_CAP))
    except OSError:
        return False


def _mailbox(
    path: Path, name: str, fmt: str, limits: Limits, zone: ZoneInfo, office: str, units: frozenset[str]
) -> list[Submission] | None:
    """A mailbox file of several messages (mbox, RFC 4155: Thunderbird's folders, Google
    Takeout, Apple Mail's export, or messages joined under an .eml name) as its own line and
    each message's (`_message_submissions`), found by streaming the file
    (`message.mailbox_spans`) and read one at a time, each within `max_file_bytes` (a message
    over it is its own line, with its sender: brk43 F1), the file within `[limits]
    max_mailbox_bytes` and `max_mailbox_messages`; a message Thunderbird deleted but kept
    until the folder is compacted is listed, not read (brk43 F6); a message without a report
    from an address of no unit (`units`) is listed as no unit's, as `mail fetch` skips it:
    the officer exported a whole folder, newsletters and all. None for a file that is
    one message (read as a saved message) or cannot be opened (the reading says why)."""
    try:
        if not may_be_mailbox(_head(path, HEAD_CAP)):
            return None
        size = path.stat().st_size
        if size > limits.max_mailbox_bytes:
            big = f"hộp thư nặng {show(size)} byte, vượt giới hạn {show(limits.max_mailbox_bytes)} byte"
            return [
                Submission(
                    path,
                    name,
                    Origin(MESSAGE),
                    Opened(fmt, size, ""),
                    ("FILE_TOO_LARGE", big + MAILBOX_ADVICE),
                )
            ]
        digest = hashlib.sha256()
        with os.fdopen(impl.open_untrusted(path, follow=True), "rb") as fh:
            spans, size = mailbox_spans(fh, digest)
    except OSError:
        return None
    if len(spans) <= 1:
        return None  # one message: read as a saved message is
    opened = Opened(fmt, size, digest.hexdigest())
    if len(spans) > limits.max_mailbox_messages:
        many = f"hộp thư có {show(len(spans))} thư, vượt giới hạn {show(limits.max_mailbox_messages)} thư"
        return [Submission(path, name, Origin(MESSAGE), opened, ("FILE_TOO_LARGE", many + MAILBOX_ADVICE))]
    out = [Submission(path, name, Origin(MESSAGE), opened)]
    for i, (start, end) in enumerate(spans):
        shown, where = f"{name}{SEP}thư {i + 1}", Origin(MESSAGE, name, (f"mbox:{start}-{end}",))
        try:
            if end - start > limits.max_file_bytes:
                out.append(_message_too_large(path, shown, fmt, limits, zone, (start, end), where))
                continue
            one = read_range(path, start, end)
        except OSError as exc:
            out.append(
                Submission(
                    path, shown, where, problem=("FILE_CORRUPT", f"không đọc được thư: {read_reason(exc)}")
                )
            )
            continue
        part = Opened(fmt, len(one), hashlib.sha256(one).hexdigest())
        if deleted_in_thunderbird(one):
            out.append(Submission(path, shown, where, part, ignored=DELETED_MESSAGE))
            continue
        out += _message_submissions(path, shown, one, part, where, limits, zone, office, units)
    return out


# what to do with a mailbox file beyond the limits: the officer's, not a unit's
MAILBOX_ADVICE = (
    "; hãy xuất riêng các thư của các đơn vị (chọn thư, lưu thành .eml) vào thư mục nhận, hoặc "
    "dùng lệnh mail fetch"
)


def _message_submissions(
    path: Path,
    name: str,
    data: bytes,
    opened: Opened,
    where: Origin,
    limits: Limits,
    zone: ZoneInfo,
    office: str,
    units: frozenset[str] | None = None,
) -> list[Submission]:
    """A message's own line and its attachments' (`expand`): the message's bytes `data`,
    shown as `name`, found in the inbox entry at `path` as `where` says (its container and
    locator: none for a saved .eml, its place in a mailbox file). `units`: for a message of
    a mailbox file, the units' addresses (one from none of them holding no report is no
    unit's, `NOT_A_UNITS_MESSAGE`); None for a message the officer saved alone, always read.
    Never raises for bad input."""
    try:
        msg = _parse_message(data, limits)
        origin = replace(_message_origin(msg, zone), container=where.container, locator=where.locator)
    except ReadProblem as exc:
        return [Submission(path, name, where, opened, (exc.code, exc.message))]
    except (RecursionError, MemoryError, Exception) as exc:  # the parser's own failure: this message only
        return [Submission(path, name, where, opened, ("FILE_CORRUPT", _message_broken(exc)))]
    try:
        own = own_letter(msg, office)
    except (RecursionError, MemoryError, Exception):  # noqa: BLE001 - a header that breaks the parser
        own = ""  # not known as ours: read as any message (its own reading says what is wrong)
    if own:  # the office's own letter come back: listed as such, its attachments never read
        return [Submission(path, name, origin, opened, ignored=own)]
    try:
        inner, by_bytes = _message_entries(path, name, msg, origin, limits, office)
    except ReadProblem as exc:
        return [Submission(path, name, origin, opened, (exc.code, exc.message))]
    except (RecursionError, MemoryError, Exception) as exc:
        return [Submission(path, name, origin, opened, ("FILE_CORRUPT", _message_broken(exc)))]
    none = _no_report(inner, by_bytes, "MAIL_NO_REPORT")
    if none is not None and units is not None and _sender(msg) not in units:
        return [Submission(path, name, origin, opened, ignored=NOT_A_UNITS_MESSAGE), *inner]
    return [Submission(path, name, origin, opened, none), *inner]


# a message of a mailbox file that no unit sent and that holds no report (`mail fetch` skips it)
NOT_A_UNITS_MESSAGE = "thư không có tệp báo cáo đính kèm, người gửi không thuộc đơn vị nào: không cần đọc"


def _sender(msg: EmailMessage) -> str:
    """The sender's address (`message_headers.sender_of`), "" when a header breaks the parser."""
    try:
        return sender_of(msg)
    except (RecursionError, MemoryError, Exception):  # noqa: BLE001 - this message's sender only
        return ""


def _message_too_large(
    path: Path,
    name: str,
    fmt: str,
    limits: Limits,
    zone: ZoneInfo,
    span: tuple[int, int] | None = None,
    where: Origin | None = None,
) -> Submission:
    """A saved message beyond the file-size limit, not opened: its sender and arrival read
    from its header block alone (its first HEAD_CAP bytes), and what to ask of the unit, in
    the words `mail fetch` uses for one it does not download (brk36 F4: a report with a 16 MB
    scan was "tệp quá lớn", with no sender nor advice). `span`: the message's bytes in a
    mailbox file, `where` its place there; None for the whole file."""
    size = _size(path) if span is None else span[1] - span[0]
    where = where or Origin(MESSAGE)
    origin = where
    try:
        start = span[0] if span else 0
        head = read_range(path, start, start + min(size, HEAD_CAP))
        end = min((i for i in (head.find(b"\r\n\r\n"), head.find(b"\n\n")) if i >= 0), default=len(head))
        found = _message_origin(BytesHeaderParser(policy=default_policy).parsebytes(head[:end]), zone)
        origin = replace(found, container=where.container, locator=where.locator)
    except (OSError, RecursionError, MemoryError, Exception):  # noqa: BLE001 - the size alone is said
        pass
    problem = ("FILE_TOO_LARGE", too_large_message(size, limits.max_file_bytes, "chưa mở"))
    return Submission(path, name, origin, Opened(fmt, size, ""), problem)


def _message_origin(msg: EmailMessage, zone: ZoneInfo) -> Origin:
    """A message's origin as its header block gives it: arrival, sender, id and subject."""
    return Origin(
        MESSAGE,
        received=received_at(msg, zone),
        sender=sender_of(msg),
        message_id=header_text(msg, "Message-ID"),
        subject=header_text(msg, "Subject"),
    )


def _head(path: Path, size: int) -> bytes:
    """The first `size` bytes of the inbox entry at `path`. Raises OSError."""
    return read_range(path, 0, size)


def _no_report(inner: list[Submission], by_bytes: set[str], code: str) -> tuple[str, str] | None:
    """The warning of a message (MAIL_NO_REPORT) or an archive (ARCHIVE_NO_REPORT) none of
    whose entries may hold a report, by its name or its bytes (`by_bytes`: a message's
    attachments so known; an archive's members are read whatever their names), naming what
    it holds; None when one may (an empty zip, or one of folders or a letter alone, was
    "opened" and said nothing, brk36 F6)."""
    if any(
        (suffix_of(s.name) in REPORT_SUFFIXES or s.name in by_bytes) and s.ignored != FORWARDED_OWN_LETTER
        for s in inner
    ):
        return None
    if code == "ARCHIVE_NO_REPORT" and any(s.problem is not None or not s.ignored for s in inner):
        return None  # a member read whatever its name ("bao cao"), or refused with its own reason
    shown = ", ".join(s.name.rpartition(SEP)[2] for s in inner)
    what, fix = (
        ("thư không có tệp báo cáo đính kèm", "gửi lại thư kèm tệp Excel báo cáo")
        if code == "MAIL_NO_REPORT"
        else ("tệp nén không có tệp báo cáo", "gửi lại tệp Excel báo cáo, đính kèm trực tiếp hoặc nén .zip")
    )
    return (code, what + (f" (chỉ có: {shown})" if shown else "") + f"; hãy đề nghị đơn vị {fix}")


def _archive_named_as_a_spreadsheet(path: Path, name: str, limits: Limits) -> bool:
    """Whether the inbox entry at `path`, named as a spreadsheet (`name`), is an archive of
    files that a webmail or a unit renamed .xlsx or .xls: a zip whose members no kind
    claims (`kinds.detect.bytes_kind`: a workbook with a few members more is still a
    workbook). Its first bytes are read first (`kinds.zip_package.may_be_archive`), so a workbook
    costs one small read; False when it cannot be read (the reading says why)."""
    try:
        if not may_be_archive(_head(path, ARCHIVE_HEAD)):
            return False
        return bytes_kind(_container_bytes(path, limits), name) is ARCHIVE_KIND
    except (OSError, ReadProblem):
        return False


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
