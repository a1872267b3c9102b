"""A saved message parsed safely: by the standard library (`email`, policy `default`, RFC
5322/2045-2049), once per process and message, after its multipart nesting (and the nesting
of comments in its header) is checked against `[limits] max_message_depth` on the raw
bytes; its attached files found in walk order and decoded (`_attachment_parts`,
`_part_bytes`).
"""

from __future__ import annotations

import email
import functools
import re
from email.message import EmailMessage
from email.policy import default as default_policy

from ...form import Limits
from ...rules.findings import show
from ..files import ReadProblem

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


def _part_bytes(part: EmailMessage) -> bytes:
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
