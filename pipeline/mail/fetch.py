"""`mail fetch`: copy the units' report messages from the office mailbox into the inbox.

Read-only by construction: the folder is opened with EXAMINE (RFC 3501 6.3.2, nothing can
change in it) and messages are fetched with BODY.PEEK (6.4.5, the \\Seen flag is not set):
nothing is deleted, moved or marked read. Each message kept is saved as one `.eml` in
`inbox/thu/`, named by its received time, sender and the hash of the bytes downloaded, so a
second run saves nothing twice; it is saved unchanged, but for a message no server stamped
(no dated `Received:`), which gets one trace field with the server's INTERNALDATE on top
(`_trace`), so its arrival is never its sender's `Date:`. imap-tools connects and logs in;
the messages are read with imaplib (its client) so that one message is never more than a
small piece in memory.

One server, one message never stops the season:

- every connect and every read has a timeout (`[mail] timeout`), so a server that accepts
  and never greets, or stalls inside a FETCH, ends the command with a message;
- the announced size of each message (RFC822.SIZE) is checked against `[limits]
  max_file_bytes` before anything of it is downloaded; a message over it is listed with
  the reason and left on the server, and noted beside the inbox (`too_large_path`) so the
  letter to its unit says it came and was too large (`mail drafts`);
- a message is streamed to disk in pieces (partial FETCH, `BODY.PEEK[]<offset.length>`,
  6.4.5) into a temporary folder beside the inbox (never inside it, where a consolidation
  would list it), then renamed into `inbox/thu/`; what a killed run left there is removed by
  the next one;
- what is needed to name and keep a message (its headers, the names of its attachments,
  and, when those do not keep it, what its attachments' bytes are) is read from the saved
  file by a line scanner with bounded memory, never by parsing the whole message; a message that breaks the header parser or nests too deep is saved all
  the same, with its reason, so the consolidation lists it, and the fetch goes on.
"""

from __future__ import annotations

import binascii
import contextlib
import datetime as dt
import hashlib
import imaplib
import json
import os
import re
import shutil
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.policy import default as default_policy
from email.utils import format_datetime, parseaddr
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted
from imap_tools.errors import MailboxLoginError

from ..form import Form, Limits
from ..intake.containers.message import CLOSED_ENCODINGS, attached, too_large_message, transfer_encoding
from ..intake.kinds.catalogue import (
    ARCHIVE_KIND,
    MESSAGE_KIND,
    MESSAGE_SUFFIXES,
    REPORT_SUFFIXES,
    is_a_report,
)
from ..intake.kinds.detect import package_of, stream_kind
from ..intake.mail_settings import MailSettings, Server
from ..intake.message_headers import own_letter, received_at, sender_of, traced_at
from ..outbox.atomic import remove_stale_temporaries, write_bytes_atomic
from ..rules.findings import show
from ..run.progress import Progress
from ..system.signals import raise_if_stopping
from ..text.names import fitted
from ..text.safetext import for_terminal

MAIL_FOLDER = "thu"  # inside the inbox
CHUNK = 1 << 20  # bytes asked per partial FETCH: the most of a message held in memory
HEADER_CAP = 1 << 20  # bytes of one header block kept by the scanner (the rest is skipped)
LINE_CAP = 1 << 16  # bytes of one line read at a time by the scanner

VANISHED = "thư đã bị xóa khỏi hộp thư trong lúc tải; không lưu"
UNUSUAL = "thư có cấu trúc bất thường ({why}); vẫn lưu để lần tổng hợp liệt kê và báo lý do"


class LoginRefused(Exception):
    """The server refused the user name and password."""


class PasswordNotSendable(Exception):
    """The password has letters beyond ASCII and the server offers no way to send them."""


class FetchStopped(Exception):
    """A server fault ended the fetch: the cause is `__cause__`; `result` holds what was
    saved before it (those files are complete and stay)."""

    def __init__(self, result: FetchResult) -> None:
        super().__init__("fetch stopped")
        self.result = result


@dataclass(frozen=True)
class TooLarge:
    """A message left on the server for its size: who sent it, when it arrived (ISO, UTC;
    "" if unknown), "sender — subject", its size and the limit (bytes)."""

    sender: str
    received: str
    label: str
    size: int
    limit: int


def too_large_path(inbox: Path) -> Path:
    """Where `fetch` lists the messages it left on the server for their size: beside the
    inbox (never inside it, where a consolidation would list it), so the letters can say so
    to each unit (`news.too_large_by_unit`)."""
    inbox = inbox.absolute()
    return inbox.parent / f".{inbox.name}.thu-qua-lon.json"


def note_too_large(inbox: Path, found: list[TooLarge]) -> None:
    """Add the messages `found` too large to the inbox's list (`too_large_path`), each once."""
    if not found:
        return
    known = read_too_large(inbox)
    keys = {(t.sender, t.received, t.size) for t in known}
    known += [t for t in found if (t.sender, t.received, t.size) not in keys]
    rows = [t.__dict__ for t in known]
    write_bytes_atomic(too_large_path(inbox), json.dumps(rows, ensure_ascii=False, indent=1).encode("utf-8"))


def read_too_large(inbox: Path) -> list[TooLarge]:
    """The inbox's list of messages left on the server for their size ([] when none or unreadable)."""
    try:
        rows = json.loads(too_large_path(inbox).read_text(encoding="utf-8"))
        return [TooLarge(**row) for row in rows if isinstance(row, dict)]
    except (OSError, ValueError, TypeError):
        return []


@dataclass
class FetchResult:
    saved: list[Path] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # saved by an earlier run
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (message, why): not a report
    refused: list[tuple[str, str]] = field(default_factory=list)  # (message, why): left on the server
    unusual: list[tuple[Path, str]] = field(default_factory=list)  # saved, with what is wrong
    too_large: list[TooLarge] = field(default_factory=list)  # of `refused`: over the size limit
    removed_leftovers: int = 0  # temporary files of a killed run, removed


def open_mailbox(server: Server, password: str, timeout: float) -> MailBox:
    """Connect (TLS, or STARTTLS; plain only on localhost) with `timeout` seconds for the
    connection and every read, and log in without selecting any folder. A password with
    Vietnamese letters is sent as UTF-8 with AUTHENTICATE PLAIN (RFC 4616) when the server
    offers it. Raises LoginRefused, PasswordNotSendable, or the connection's own error."""
    context = ssl.create_default_context(cafile=server.cafile or None)
    if server.security == "tls":
        box: MailBox = MailBox(server.host, server.port, timeout=timeout, ssl_context=context)
    elif server.security == "starttls":
        box = MailBoxStartTls(server.host, server.port, timeout=timeout, ssl_context=context)
    else:
        box = MailBoxUnencrypted(server.host, server.port, timeout=timeout)
    try:
        if server.user.isascii() and password.isascii():
            box.login(server.user, password, initial_folder=None)
        elif "AUTH=PLAIN" in box.client.capabilities:
            box.login_utf8(server.user, password, initial_folder=None)
        else:
            raise PasswordNotSendable()
    except MailboxLoginError as exc:
        _close(box)
        raise LoginRefused() from exc
    except imaplib.IMAP4.error as exc:
        _close(box)
        if "AUTHENTICATE" in str(exc) and not isinstance(exc, imaplib.IMAP4.abort):
            raise LoginRefused() from exc  # imaplib raises on a refused AUTHENTICATE
        raise
    except BaseException:
        _close(box)
        raise
    return box


def _close(box: MailBox) -> None:
    with contextlib.suppress(Exception):
        box.client.shutdown()


def fetch(
    form: Form, settings: MailSettings, inbox: Path, password: str, show_progress: bool = True
) -> FetchResult:
    """Save every new report message of the configured folder into `inbox/thu/`.

        A message is kept when an attachment looks like a report (named as a spreadsheet or a
        .zip, or, whatever its name, a spreadsheet or an archive by its bytes:
        `reports_by_bytes`, asked only when nothing else keeps the message) or when it comes
        from an address of a unit (a report sent without its attachment is still a fact the
        officer must see), unless it is the office's own letter come back (from `[mail] address`
    to others, or carrying the header every letter of this program carries:
    `intake.message_headers.own_letter`), listed as skipped with why. Raises LoginRefused or PasswordNotSendable before
        anything is fetched, FetchStopped (the fault as its cause) when the server fails
        later; never for one bad message.
    """
    server = settings.imap
    assert server is not None
    known = {a for u in form.units for a in u.emails}
    have = (
        {p.stem.rpartition("_")[2] for p in inbox.rglob(f"*{MESSAGE_KIND.suffix}")}
        if inbox.is_dir()
        else set()
    )
    out = FetchResult()
    work = _work_folder(inbox)
    if work.is_dir():
        out.removed_leftovers = len(remove_stale_temporaries(work))
    box = open_mailbox(server, password, settings.timeout)
    try:
        box.folder.set(server.folder, readonly=True)  # EXAMINE
        sizes = _sizes(box.client)
        progress = Progress(len(sizes), "Đang tải thư") if show_progress and sizes else None
        for uid, (size, label, sender, arrived) in sizes.items():
            raise_if_stopping()  # a Ctrl-C a library swallowed stops the fetch here
            whose = (sender, arrived)
            _one(box.client, uid, size, label, form.limits, settings, inbox, work, known, have, out, whose)
            if progress:
                progress.step()
        if progress:
            progress.close()
    except Exception as exc:  # the server's fault (or the network's): what was saved stays
        _close(box)  # no LOGOUT: a stalled server would make it wait once more
        raise FetchStopped(out) from exc
    finally:
        with contextlib.suppress(OSError):
            note_too_large(inbox, out.too_large)  # what a stopped fetch found stays true
        with contextlib.suppress(OSError):
            work.rmdir()  # only when empty: a live run's files stay
    with contextlib.suppress(Exception):
        box.logout()
    return out


def _work_folder(inbox: Path) -> Path:
    """Where messages are written while they arrive: beside the inbox (same disk, so the
    finished file is renamed into place), never listed by a consolidation."""
    inbox = inbox.absolute()
    return inbox.parent / f".{inbox.name}.dang-tai-thu"


_ITEM = re.compile(rb"^\s*\d+\s+\(")
_UID = re.compile(rb"\bUID\s+(\d+)")
_SIZE = re.compile(rb"\bRFC822\.SIZE\s+(\d+)")


def _fetch_records(data: list) -> Iterator[tuple[bytes, bytes]]:
    """(metadata, literal) of each message in an imaplib FETCH answer: a message's answer is
    a tuple (text before the literal, literal) followed by the text after it, or one text."""
    meta, literal = b"", b""
    for item in data:
        if isinstance(item, tuple):
            if meta:
                yield meta, literal
            meta, literal = item[0], item[1]
        elif isinstance(item, bytes):
            if _ITEM.match(item):
                if meta:
                    yield meta, literal
                meta, literal = item, b""
            else:
                meta += item
    if meta:
        yield meta, literal


def _sizes(client: imaplib.IMAP4) -> dict[str, tuple[int, str, str, str]]:
    """UID -> (announced size, "sender — subject", sender's address, arrival as ISO text
    ("" if unknown)) of every message, in one FETCH of sizes, INTERNALDATE and the two
    header fields (small), before any message is downloaded."""
    typ, data = client.uid("SEARCH", "ALL")
    _check(typ, data, "SEARCH")
    if not data or not data[0] or not data[0].split():
        return {}
    typ, data = client.uid(
        "FETCH", "1:*", "(RFC822.SIZE INTERNALDATE BODY.PEEK[HEADER.FIELDS (FROM SUBJECT)])"
    )
    _check(typ, data, "FETCH")
    out: dict[str, tuple[int, str, str, str]] = {}
    for meta, literal in _fetch_records(data):
        uid, size = _UID.search(meta), _SIZE.search(meta)
        if uid and size:
            out[uid.group(1).decode()] = (
                int(size.group(1)),
                _label(literal),
                _address(literal),
                _arrival(meta),
            )
    return dict(sorted(out.items(), key=lambda kv: int(kv[0])))


def _address(header: bytes) -> str:
    """The From: address of raw header fields, lower-cased ("" when none, or when a hostile
    From: breaks the parser: thousands of nested comments make it recurse)."""
    try:
        raw = BytesHeaderParser(policy=compat32).parsebytes(header).get("From")
        address = parseaddr(str(raw or ""))[1].strip().lower()
    except (RecursionError, MemoryError, Exception):  # noqa: BLE001 - this message's address only
        return ""
    return address if "@" in address else ""


def _arrival(meta: bytes) -> str:
    """The message's INTERNALDATE (when the server received it, RFC 3501 2.3.3) as ISO text,
    "" when the answer has none."""
    stamp = imaplib.Internaldate2tuple(meta) if b"INTERNALDATE" in meta else None
    if stamp is None:
        return ""
    return dt.datetime.fromtimestamp(time.mktime(stamp), dt.UTC).isoformat(timespec="seconds")


def _check(typ: str, data: list, what: str) -> None:
    if typ != "OK":
        raise imaplib.IMAP4.error(f"{what}: {typ} {data!r}"[:300])


def _label(header: bytes) -> str:
    """The "sender — subject" line for the officer, from raw header fields (never the structured
    parser, which a hostile From: can exhaust), inert for the terminal, cut short."""
    msg = BytesHeaderParser(policy=compat32).parsebytes(header)

    def text(name: str, missing: str) -> str:
        raw = msg.get(name)
        if raw is None:
            return missing
        try:
            value = str(make_header(decode_header(str(raw))))
        except Exception:  # noqa: BLE001 - an undecodable header is shown as it came
            value = str(raw)
        value = " ".join(value.split())
        return for_terminal(value[:100] + ("…" if len(value) > 100 else "")) or missing

    return f"{text('From', '(không rõ người gửi)')} — {text('Subject', '(không tiêu đề)')}"


def _one(
    client: imaplib.IMAP4,
    uid: str,
    size: int,
    label: str,
    limits: Limits,
    settings: MailSettings,
    inbox: Path,
    work: Path,
    known: set[str],
    have: set[str],
    out: FetchResult,
    whose: tuple[str, str] = ("", ""),
) -> None:
    """Fetch one message (checked, streamed, inspected, kept or not); `whose`: its sender's
    address and arrival (`_sizes`), noted when it is too large. Server faults propagate;
    whatever is wrong with the message itself is this message's only."""
    if size > limits.max_file_bytes:
        out.refused.append((label, too_large_message(size, limits.max_file_bytes, "không tải về")))
        out.too_large.append(TooLarge(*whose, label, size, limits.max_file_bytes))
        return
    work.mkdir(parents=True, exist_ok=True)
    tmp = work / f".uid-{uid}.{os.getpid()}.tmp"
    try:
        got = _download(client, uid, tmp, limits.max_file_bytes)
        if got is None:
            out.refused.append((label, VANISHED))
            return
        digest, length = got
        if length > limits.max_file_bytes:
            out.refused.append((label, too_large_message(length, limits.max_file_bytes, "không tải về")))
            out.too_large.append(TooLarge(*whose, label, length, limits.max_file_bytes))
            return
        if digest[:16] in have:
            out.already.append(label)
            return
        _trace(tmp, whose[1], settings)
        name, sender, reports, why, own = _inspect(tmp, digest, settings, limits)
        if own:  # the office's own letter come back (Bcc to itself, a copy kept by the server)
            out.skipped.append((label, own))
            return
        if not why and not reports and sender not in known:  # the attachments' bytes may say
            reports = reports_by_bytes(tmp, tmp.with_name(_piece_name(tmp)), limits.max_file_bytes)
        if not why and not reports and sender not in known:
            out.skipped.append((label, "không có tệp báo cáo đính kèm, người gửi không thuộc đơn vị nào"))
            return
        path = inbox / MAIL_FOLDER / name
        path.parent.mkdir(parents=True, exist_ok=True)
        _publish(tmp, path)
        have.add(digest[:16])
        out.saved.append(path)
        if why:
            out.unusual.append((path, UNUSUAL.format(why=why)))
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _download(client: imaplib.IMAP4, uid: str, tmp: Path, limit: int) -> tuple[str, int] | None:
    """Stream message `uid` into `tmp` in pieces of CHUNK bytes (at most `limit` + one
    piece, whatever the server sends); (SHA-256, length), or None if the message is gone."""
    digest, offset = hashlib.sha256(), 0
    with open(tmp, "wb") as fh:
        while offset <= limit:
            typ, data = client.uid("FETCH", uid, f"(BODY.PEEK[]<{offset}.{CHUNK}>)")
            _check(typ, data, "FETCH")
            piece = next((lit for meta, lit in _fetch_records(data) if b"BODY[]" in meta), None)
            if piece is None:
                if offset == 0:
                    return None
                raise imaplib.IMAP4.abort(f"FETCH {uid}: message ended without its data")
            fh.write(piece)
            digest.update(piece)
            offset += len(piece)
            if len(piece) != CHUNK:  # the last piece (or a server that sent it all at once)
                break
        fh.flush()
        os.fsync(fh.fileno())
    return digest.hexdigest(), offset


def _publish(tmp: Path, path: Path) -> None:
    """Move the finished message to its name in the inbox: a rename (the name appears
    whole or not at all); across disks, a copy under a dot-name renamed in the same way."""
    try:
        os.replace(tmp, path)
        return
    except OSError:
        pass
    part = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(tmp, part)
        os.replace(part, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            part.unlink()


def _trace(tmp: Path, arrived: str, settings: MailSettings) -> None:
    """Put one trace field on top of the message downloaded into `tmp` when no server stamped
    it (`message_headers.traced_at` finds none: a message a client put in the mailbox with
    IMAP APPEND, moved or imported), carrying the server's INTERNALDATE (`arrived`, ISO
    text, RFC 3501 2.3.3), so its arrival is when the mailbox got it, never the sender's
    own `Date:`. As a receiving server or fetchmail does (RFC 5322 3.6.7, a hop prepends its
    `Received:`); nothing else of the message changes, and its name keeps the hash of the
    bytes downloaded, so a rerun knows it. A header block that does not parse is left as it
    came (the message is saved with its reason)."""
    if not arrived:
        return
    with open(tmp, "rb") as fh:
        head = fh.read(_HEAD)
    try:
        headers = BytesHeaderParser(policy=default_policy).parsebytes(
            head.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
        )
        if traced_at(headers) is not None:
            return
    except (RecursionError, MemoryError, Exception):  # noqa: BLE001 - this message only
        return
    when = dt.datetime.fromisoformat(arrived).astimezone(settings.zone)
    end = b"\r\n" if head.split(b"\n", 1)[0].endswith(b"\r") else b"\n"
    field = f"Received: by tong-hop-588 with IMAP (INTERNALDATE); {format_datetime(when)}".encode() + end
    stem, pid, suffix = tmp.name.rsplit(".", 2)
    stamped = tmp.with_name(f"{stem}-trace.{pid}.{suffix}")  # a killed run's is removed by the next
    try:
        with open(tmp, "rb") as src, open(stamped, "wb") as dst:
            dst.write(field)
            shutil.copyfileobj(src, dst)
            dst.flush()
            os.fsync(dst.fileno())
        os.replace(stamped, tmp)
    finally:
        with contextlib.suppress(FileNotFoundError):
            stamped.unlink()


_HEAD = 1 << 18  # bytes of a message read to find its trace fields (a header block is far smaller)


def saved_name(headers: EmailMessage, digest: str, settings: MailSettings) -> str:
    """A message's file name: received time, sender (cut to fit the name's budget), hash;
    valid on Windows whatever the sender's address holds. Header faults raise."""
    when = received_at(headers, settings.zone)
    stamp = when.strftime("%Y-%m-%d_%H%M") if when else "khong-ro-ngay"
    return fitted(f"{stamp}_", sender_of(headers) or "khong-ro", f"_{digest[:16]}{MESSAGE_KIND.suffix}")


def _inspect(
    tmp: Path, digest: str, settings: MailSettings, limits: Limits
) -> tuple[str, str, list[str], str, str]:
    """(file name, sender, report attachments, what is unusual or "", why it is the office's
    own letter or "": `intake.message_headers.own_letter`) of a saved message."""
    try:
        scan = scan_message(tmp)
        name = saved_name(scan.headers, digest, settings)
        sender = sender_of(scan.headers)
        own = own_letter(scan.headers, settings.address)
    except (RecursionError, MemoryError, Exception) as exc:  # noqa: BLE001 - this message only
        why = "phần đầu thư lồng nhau quá sâu" if isinstance(exc, RecursionError) else "phần đầu thư hỏng"
        return fitted("khong-ro-ngay_", "khong-ro", f"_{digest[:16]}{MESSAGE_KIND.suffix}"), "", [], why, ""
    why = scan.problem
    if scan.depth > limits.max_message_depth:
        why = f"{show(scan.depth)} phần lồng nhau, quá giới hạn {limits.max_message_depth}"
    reports = [  # a report, an archive, or a message forwarded as a file (it may hold one, brk47 F2)
        n
        for n in scan.attachments
        if PurePosixPath(n.replace("\\", "/")).suffix.lower() in REPORT_SUFFIXES | MESSAGE_SUFFIXES
    ]
    return name, sender, reports, why, own


def _piece_name(tmp: Path) -> str:
    """The name of the file an attachment of the message being fetched into `tmp` is
    decoded into: beside it, a temporary name a later run removes if this one is killed."""
    stem, pid, suffix = tmp.name.rsplit(".", 2)
    return f"{stem}-dinh-kem.{pid}.{suffix}"


def reports_by_bytes(path: Path, piece: Path, limit: int) -> list[str]:
    """The names of the attachments of the message saved at `path` whose bytes say they are
    a spreadsheet (read, or in a format refused with what to do) or an archive
    (`kinds.detect.stream_kind`), whatever they are called ("899.xml", "bao cao",
    "baocao.xlsx.pdf"). Each attachment is decoded as the scanner reads the message
    (`scan_message`) into the file `piece` (removed after), at most `limit` bytes, and only
    its first 64 KiB when it is neither a zip nor a compound file: memory stays bounded."""
    recogniser = _Recogniser(piece, limit)
    try:
        scan_message(path, recogniser)
    finally:
        recogniser.end()
        with contextlib.suppress(FileNotFoundError):
            piece.unlink()
    return recogniser.found


_PEEK = 1 << 16  # bytes of an attachment kept when its start is no package (`kinds.detect.stream_kind`)
_BASE64 = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
_NOT_BASE64 = bytes(b for b in range(256) if b not in _BASE64)


class _Recogniser:
    """Each attachment's body decoded (base64, quoted-printable, or as it is; RFC 2045 §6)
    into a file as `scan_message` reads it, then its kind told by its bytes."""

    def __init__(self, piece: Path, limit: int) -> None:
        self.piece, self.limit = piece, limit
        self.found: list[str] = []
        self.name = ""
        self.encoding = ""
        self.out: BinaryIO | None = None
        self.size = 0
        self.pending = b""
        self.first = b""  # the body's first 8 bytes

    def start(self, name: str, encoding: str) -> None:
        """An attachment named `name` begins, in the transfer `encoding` its part declares."""
        self.end()
        self.name, self.encoding = name, encoding.strip().lower()
        self.size, self.pending, self.first = 0, b"", b""
        self.out = open(self.piece, "w+b")  # noqa: SIM115 - closed by end()

    def feed(self, raw: bytes) -> None:
        """A piece of the attachment's body as it stands in the message."""
        if self.out is None:
            return
        try:
            data = self._decoded(raw)
        except (binascii.Error, ValueError):
            data = b""
        if len(self.first) < 8:
            self.first = (self.first + data)[:8]
        # the whole of a zip or a compound file (their directories are at the end, or
        # anywhere); of anything else its start, all `stream_kind` reads of it
        whole = len(self.first) < 8 or bool(package_of(self.first))
        room = (self.limit if whole else _PEEK) - self.size
        if room > 0 and data:
            self.out.write(data[:room])
            self.size += min(room, len(data))

    def _decoded(self, raw: bytes) -> bytes:
        if self.encoding == "base64":
            data = self.pending + raw.translate(None, _NOT_BASE64)
            whole = len(data) // 4 * 4
            self.pending = data[whole:]
            return binascii.a2b_base64(data[:whole]) if whole else b""
        if self.encoding == "quoted-printable":
            return binascii.a2b_qp(raw)
        return raw

    def end(self) -> None:
        """The attachment being decoded ends: its kind is told, and the file closed."""
        if self.out is None:
            return
        out, self.out = self.out, None
        with out:
            out.seek(0)
            try:
                kind = stream_kind(out, self.name)
            except Exception:  # noqa: BLE001 - what cannot be told says nothing
                kind = None
        if is_a_report(kind) or kind is ARCHIVE_KIND:
            self.found.append(self.name)


@dataclass
class Scanned:
    headers: EmailMessage  # the message's own header block (no body)
    attachments: list[str]  # file names of the attached parts, forwarded messages included
    depth: int  # deepest multipart nesting
    problem: str = ""  # a part's headers that could not be read


def scan_message(path: Path, bodies: _Recogniser | None = None) -> Scanned:
    """The headers and attachment names of the message saved at `path`, read line by line
    (MIME boundaries followed, RFC 2046 5.1.1) with memory bounded by HEADER_CAP and
    LINE_CAP, whatever the message's size or nesting. Never raises for a bad part: its
    problem is noted; the top header block is parsed lazily (the caller reads it). With
    `bodies`, each attachment's body is handed to it as it is read (`reports_by_bytes`)."""
    parser = BytesHeaderParser(policy=default_policy)
    boundaries: list[bytes] = []
    attachments: list[str] = []
    top: EmailMessage | None = None
    problem, depth = "", 0
    in_headers, block, line_start = True, bytearray(), True
    with open(path, "rb") as fh:
        while True:
            line = fh.readline(LINE_CAP)
            if not line:
                break
            starts, line_start = line_start, line.endswith(b"\n")
            if in_headers:
                if starts and line.strip(b"\r\n") == b"":
                    part = parser.parsebytes(bytes(block))
                    assert isinstance(part, EmailMessage)
                    block.clear()
                    if top is None:
                        top = part
                    count = len(attachments)
                    in_headers, note = _part(part, boundaries, attachments)
                    if bodies is not None and len(attachments) > count:
                        bodies.start(attachments[-1], transfer_encoding(part))
                    problem = problem or note
                    depth = max(depth, len(boundaries))
                elif len(block) < HEADER_CAP:
                    block += line[: HEADER_CAP - len(block)]
                continue
            if starts and line.startswith(b"--") and boundaries:
                mark = line.rstrip(b" \t\r\n")[2:]
                for k in range(len(boundaries) - 1, -1, -1):
                    if mark == boundaries[k]:
                        del boundaries[k + 1 :]
                        in_headers = True
                        break
                    if mark == boundaries[k] + b"--":
                        del boundaries[k:]
                        break
                else:
                    if bodies is not None:
                        bodies.feed(line)
                    continue
                if bodies is not None:
                    bodies.end()
            elif bodies is not None:
                bodies.feed(line)
    if top is None:  # headers only, no body
        top = parser.parsebytes(bytes(block))
        assert isinstance(top, EmailMessage)
    return Scanned(top, attachments, depth, problem)


FORWARDED_NAME = "thu-chuyen-tiep.eml"  # a forwarded message in base64, unnamed (`_part`)


def _part(part: EmailMessage, boundaries: list[bytes], attachments: list[str]) -> tuple[bool, str]:
    """Take in one part's headers: a multipart's boundary, an attachment's name. Whether
    headers follow at once (a forwarded message), and the part's problem or ""."""
    try:
        ctype = part.get_content_type()
        if part.get_content_maintype() == "multipart":
            boundary = part.get_boundary()
            if boundary:
                boundaries.append(boundary.encode("utf-8", "surrogateescape"))
            return False, ""
        if ctype == "message/rfc822":
            if transfer_encoding(part) in CLOSED_ENCODINGS:  # closed: kept, opened later
                attachments.append(str(part.get_filename() or FORWARDED_NAME))
                return False, ""
            return True, ""
        if attached(part) is not False:  # an unnamed file's part: a report by its bytes
            attachments.append(str(part.get_filename() or ""))
    except (RecursionError, MemoryError, Exception) as exc:  # noqa: BLE001 - this part only
        return False, "phần đầu lồng nhau quá sâu" if isinstance(exc, RecursionError) else "phần đầu hỏng"
    return False, ""
