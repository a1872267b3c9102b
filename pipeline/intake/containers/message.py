"""A saved message parsed safely: by the standard library (`email`, policy `default`, RFC
5322/2045-2049), once per process and message, after its multipart nesting (and the nesting
of comments in its header) is checked against `[limits] max_message_depth` on the raw
bytes; its attached files found in walk order and decoded (`_attachment_parts`,
`_part_bytes`).
"""

from __future__ import annotations

import copy
import email
import functools
import re
from collections.abc import Iterable
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

from ...form import Limits
from ...rules.findings import show
from ..files import ReadProblem
from ..kinds.catalogue import MESSAGE_SUFFIXES, WEB_ARCHIVE_KIND, suffix_of
from ..kinds.filekind import HEAD_BYTES
from ..kinds.head import magic_kind

MESSAGE_BROKEN = (
    "thư bị hỏng hoặc có cấu trúc bất thường nên không mở được{why}; hãy đề nghị đơn vị gửi lại "
    "thư mới, đính kèm trực tiếp tệp Excel báo cáo"
)


def too_large_message(size: int, limit: int, what: str) -> str:
    """What is said of a message beyond the file-size limit (`what`: "chưa mở" in the inbox,
    "không tải về" by `mail fetch`), and what to ask of its unit."""
    return (
        f"thư nặng {show(size)} byte, vượt giới hạn {show(limit)} byte của một tệp ([limits] "
        f"max_file_bytes), có lẽ vì kèm tệp lớn (ảnh, bản quét); {what}: hãy đề nghị đơn vị gửi lại "
        "tệp Excel báo cáo riêng, không kèm tệp lớn"
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


# a mailbox file (mbox, RFC 4155 §2): each message begins with a "From " line at the start of
# a line (the sender and date after it are not checked: Thunderbird writes "From - <date>"),
# here only when a header field follows it ("X-Mozilla-Status: 0001", "Return-Path: …"): a
# body line a writer left unescaped ("From the office …") is no separator, and neither an
# empty line before it nor its absence (mblaze's mexport, messages joined by hand) decides
# (brk43 F3, F4)
MBOX_FROM = b"From "
_HEADER_FIELD = re.compile(rb"[!-9;-~]+:")  # RFC 5322 §2.2: a field name, then ":"
_DELETED = 0x0008  # Thunderbird's X-Mozilla-Status "expunged" flag: deleted, folder not compacted


def may_be_mailbox(head: bytes) -> bool:
    """Whether a file's first bytes are those of a mailbox file: a "From " line, then a
    header field."""
    first, _, rest = head.partition(b"\n")
    return first.startswith(MBOX_FROM) and bool(_HEADER_FIELD.match(rest))


def mailbox_spans(lines: Iterable[bytes], digest: Any) -> tuple[list[tuple[int, int]], int]:
    """The (start, end) byte offsets of each message of a mailbox file read as `lines` (the
    file's lines, each with its end, in order: a file object), from its "From " line, and
    the file's size; every line is fed to `digest` (a hashlib object) on the way. Constant
    memory: a mailbox of a whole office folder is never held."""
    starts: list[int] = []
    pos, pending = 0, -1
    for line in lines:
        digest.update(line)
        if pending >= 0 and _HEADER_FIELD.match(line):
            starts.append(pending)
        pending = pos if line.startswith(MBOX_FROM) else -1
        pos += len(line)
    return list(zip(starts, [*starts[1:], pos], strict=True)), pos


def deleted_in_thunderbird(head: bytes) -> bool:
    """Whether a message's header block (its first bytes) carries Thunderbird's expunged
    flag (`X-Mozilla-Status`, hexadecimal): deleted there, still in the folder's file until
    it is compacted (brk43 F6)."""
    found = re.search(rb"(?im)^X-Mozilla-Status:[ \t]*([0-9a-f]{1,8})\r?$", head[: _header_end(head)])
    return found is not None and bool(int(found.group(1), 16) & _DELETED)


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
    msg = email.message_from_bytes(_mark_closed_forwards(data), policy=default_policy)
    assert isinstance(msg, EmailMessage)
    _open_forwards(msg, depth)
    return msg, tuple(msg.walk())  # type: ignore[arg-type]


CLOSED_FORWARD = "application/x-closed-rfc822"
"""What a part declared message/rfc822 that is not opened as a message is read as
(`_mark_closed_forwards`): not message/*, so the parser keeps its body byte for byte, decoded
then as any attachment's."""
CLOSED_ENCODINGS = ("base64", "quoted-printable")
"""The transfer encodings that close a forwarded message (RFC 2046 5.2.1 allows a message/*
part only 7bit, 8bit or binary; Exchange and Outlook write these): its body is kept as a
file's, decoded, then opened (`_mark_closed_forwards`; `mail fetch` keeps such a part as an
attachment). Lower case, as `transfer_encoding` gives them."""
_FORWARD_TYPE = re.compile(rb"(?im)^content-type:[ \t]*(?:\r?\n[ \t]+)?(message/rfc822)")
_ENCODED_CTE = re.compile(
    rb"(?im)^content-transfer-encoding:[ \t]*(?:\r?\n[ \t]+)?("
    + "|".join(map(re.escape, CLOSED_ENCODINGS)).encode()
    + rb")\b"
)


def saved_page(head: bytes) -> bool:
    """Whether a MIME document's first bytes are those of a web page saved as one file
    (MHTML: `kinds.catalogue.WEB_ARCHIVE_KIND`, its header showing it was never mailed),
    not of a message: never opened as one, whatever it is called (brk49)."""
    return magic_kind(head) is WEB_ARCHIVE_KIND


def _mark_closed_forwards(data: bytes) -> bytes:
    """`data` with each part declared message/rfc822 in base64 or quoted-printable
    (`CLOSED_ENCODINGS`), or holding a web page saved as one file (`saved_page`: Windows
    names .mht message/rfc822, brk49), declared `CLOSED_FORWARD` instead, in its header
    block only: the standard library's parser reads a message/* body as a message whatever
    its encoding, and the encoded text, taken for one, could not be had back as it came
    (brk49 F3: a quoted-printable forward lost its report). The bytes are otherwise
    unchanged; `data` itself when there is none."""
    found = list(_FORWARD_TYPE.finditer(data))
    if not found:
        return data
    out, last = [], 0
    for m in found:
        start = max(
            data.rfind(b"\n\n", 0, m.start()),
            data.rfind(b"\n\r\n", 0, m.start()),
            data.rfind(b"\n--", 0, m.start()),
        )
        ends = [i for i in (data.find(b"\n\n", m.end()), data.find(b"\n\r\n", m.end())) if i >= 0]
        end = min(ends) if ends else len(data)
        block = data[max(start, 0) : end]
        if _ENCODED_CTE.search(block) or saved_page(data[end : end + HEAD_BYTES].lstrip(b"\r\n")):
            out += [data[last : m.start(1)], CLOSED_FORWARD.encode()]
            last = m.end(1)
    return b"".join([*out, data[last:]]) if out else data


def _open_forwards(msg: EmailMessage, depth: int, level: int = 0) -> None:
    """Open in place each forwarded message the parser left closed, so that its attachments
    are walked as a forwarded message's are (brk47 F2): a message/rfc822 part in base64 or
    quoted-printable (RFC 2046 5.2.1 forbids it; Exchange and Outlook write it), read as
    `CLOSED_FORWARD` (`_mark_closed_forwards`), and a message attached as a file ("Bao cao
    588.eml", application/octet-stream). Each becomes a message/rfc822 part holding the message
    decoded; a mailbox file attached (several messages) and a web page saved as one file
    (`saved_page`, "bao-cao.eml" from a browser) stay files. Raises ReadProblem when
    forwards nest deeper than `depth`."""
    for part in list(msg.walk()):  # type: ignore[arg-type]
        inner = _forwarded_bytes(part)
        if inner is None:
            continue
        if level >= depth:
            raise ReadProblem(
                "FILE_CORRUPT", MESSAGE_BROKEN.format(why=f" (thư chuyển tiếp lồng quá {depth} lần)")
            )
        _check_depth(inner, depth)
        sub = email.message_from_bytes(inner, policy=default_policy)
        assert isinstance(sub, EmailMessage)
        _open_forwards(sub, depth, level + 1)
        for name in ("Content-Transfer-Encoding", "Content-Type"):
            del part[name]
        part["Content-Type"] = "message/rfc822"
        part.set_payload([sub])


def _forwarded_bytes(part: EmailMessage) -> bytes | None:
    """The bytes of a message forwarded closed in `part` (`_open_forwards`), or None."""
    try:
        if part.get_content_type() == CLOSED_FORWARD:
            decoded = _part_bytes(part)
        elif part.is_multipart() or suffix_of(str(part.get_filename() or "")) not in MESSAGE_SUFFIXES:
            return None
        else:
            decoded = _part_bytes(part)
    except (ReadProblem, ValueError, TypeError, IndexError):
        return None
    first = decoded.lstrip(b"\r\n")[:4096]
    if not _HEADER_FIELD.match(first) or may_be_mailbox(first) or saved_page(first):
        return None
    return decoded


def _depth(limits: Limits | None) -> int:
    return limits.max_message_depth if limits is not None else Limits.max_message_depth


def _parse_message(data: bytes, limits: Limits | None) -> EmailMessage:
    """A raw message parsed (bounded nesting). ReadProblem when it nests too deep."""
    return _parsed_parts(data, _depth(limits))[0]


def attached(part: EmailMessage) -> bool | None:
    """Whether a leaf part (not multipart, not a forwarded message) is an attached file:
    True when it has a file name or is marked as an attachment; None for a part of a file's
    media type (application/*) with neither, as a script's MIMEApplication writes a report
    (brk36 F2), which is one when its bytes are; False for the text of the message."""
    if part.get_filename() or part.get_content_disposition() == "attachment":
        return True
    return None if part.get_content_maintype() == "application" else False


def _attachment_parts(msg: EmailMessage) -> list[tuple[int, EmailMessage, bool]]:
    """(index in walk order, part, named) of every attached file, forwarded messages
    included; `named` False for an unnamed part of a file's type (`attached` None), which
    the caller keeps only when its bytes are a report or an archive."""
    out = []
    for k, part in enumerate(msg.walk()):  # type: ignore[arg-type]
        if part.is_multipart() or part.get_content_type() == "message/rfc822":
            continue
        kind = attached(part)
        if kind is not False:
            out.append((k, part, bool(kind)))
    return out


def transfer_encoding(part: EmailMessage) -> str:
    """A part's Content-Transfer-Encoding as RFC 2045 §6.1 gives it: the mechanism alone, in
    lower case, without the comments and folding white space RFC 5322 allows around it
    ("base64 (Outlook)", "base64 " -> "base64"); "" when it has none or it cannot be read."""
    try:
        header = part.get("Content-Transfer-Encoding")
        return "" if header is None else str(getattr(header, "cte", header)).strip().lower()
    except Exception:  # noqa: BLE001 - a header the parser cannot read: taken as none
        return ""


def _part_bytes(part: EmailMessage) -> bytes:
    """An attached part's bytes, decoded by its transfer encoding (`transfer_encoding`:
    the standard library decodes only a header spelled exactly, and gave the base64 text
    of "base64 " as the file, refused as plain text, brk36 F3). Raises ReadProblem."""
    cte = transfer_encoding(part)
    if cte and str(part.get("Content-Transfer-Encoding", "")).lower() != cte:
        part = copy.deepcopy(part)  # the parsed message is shared: its copy is spelled plainly
        part.replace_header("Content-Transfer-Encoding", cte)
    try:
        data = part.get_payload(decode=True)
    except (TypeError, ValueError) as exc:
        raise ReadProblem("FILE_CORRUPT", "tệp đính kèm bị hỏng, không giải mã được") from exc
    if isinstance(data, str):
        data = data.encode("utf-8", "replace")
    return data or b""


def parse_message(data: bytes, limits: Limits | None = None) -> EmailMessage:
    """A raw message parsed with the standard library (policy `default`), its nesting
    bounded by the limits (ReadProblem beyond them)."""
    return _parse_message(data, limits)
