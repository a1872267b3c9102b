"""What a saved message says about itself: when it arrived, who sent it, what it answers,
and whether it is one of the office's own letters come back (`own_letter`).

Arrival is the time the receiving server stamped on the topmost `Received:` header
(RFC 5322 section 3.6.7: each server prepends its own trace field, so the first one is the
last hop, the office's own server), else the sender's `Date:`. Times are returned in the
province's time zone.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from ..form.addresses import comparable


def received_at(msg: EmailMessage, zone: ZoneInfo) -> dt.datetime | None:
    """When the message reached the office (aware, in `zone`), or None if it does not say."""
    stamp = traced_at(msg) or _date(str(msg.get("Date", "") or ""))
    return stamp.astimezone(zone) if stamp else None


def traced_at(msg: EmailMessage) -> dt.datetime | None:
    """The time of the topmost `Received:` field that carries one (aware), None when no
    server stamped the message (one put in the mailbox by a client: IMAP APPEND, a moved
    or imported message), whose only date is then the sender's own `Date:`."""
    for value in msg.get_all("Received", []) or []:
        stamp = _date(str(value).rpartition(";")[2])
        if stamp:
            return stamp
    return None


def _date(text: str) -> dt.datetime | None:
    text = " ".join(text.split())
    if not text:
        return None
    try:
        stamp = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if stamp.tzinfo is None:  # "-0000": UTC with unknown local zone (RFC 5322 3.3)
        stamp = stamp.replace(tzinfo=dt.UTC)
    return stamp


def sender_of(msg: EmailMessage) -> str:
    """The From: address as the configuration keeps addresses (`form.addresses.comparable`:
    lower-cased, a domain in Vietnamese letters in its ASCII form), "" when missing or
    unreadable."""
    try:
        header = msg.get("From")
        addresses = getattr(header, "addresses", ()) if header is not None else ()
    except (TypeError, ValueError, IndexError):
        return ""
    for addr in addresses:
        if addr.addr_spec and "@" in addr.addr_spec:
            return comparable(_utf8(addr.addr_spec))
    return ""


def _utf8(text: str) -> str:
    """A header's text with raw UTF-8 bytes read as UTF-8: the email package keeps header
    bytes it was not told the charset of (RFC 6532 headers, "vp@hàtiên.vn") as surrogate
    escapes; undecodable bytes become U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def header_text(msg: EmailMessage, name: str) -> str:
    """A header as text, empty when missing or malformed (messages are untrusted)."""
    try:
        return " ".join(str(msg.get(name, "") or "").split())
    except (TypeError, ValueError, IndexError):
        return ""


# The header every letter this program drafts carries (the run it describes; `mail.send`
# makes sure a letter that goes has it): what tells the office's own letters from reports
# when a copy comes back into the mailbox (Bcc to itself, a copy kept by the server).
LETTER_HEADER = "X-Lan-Tong-Hop"
OWN_LETTER = (
    "thư Sở đã gửi cho đơn vị{how}, bản lưu trở về hộp thư của Sở: không phải báo cáo của đơn vị, "
    "không đọc tệp đính kèm của thư này"
)


def own_letter(msg: EmailMessage, office: str = "") -> str:
    """Why the message is one the office itself sent (Vietnamese), "" when it is not: its own
    header block (never a forwarded message's inside it: a unit's reply or forward is read)
    carries `LETTER_HEADER`, or, `office` given (the configured `[mail] address`), it is
    from that address and not addressed to it (a copy of a letter sent to others, e.g. an
    officer's Bcc to the office). A message from `office` that carries the header is
    also its own; one with the header from another address is a unit's (read)."""
    office = office.strip().lower()
    sender = sender_of(msg)
    if header_text(msg, LETTER_HEADER) and (not office or sender == office):
        return OWN_LETTER.format(how=" do chương trình này soạn")
    if office and sender == office and office not in _recipients(msg):
        return OWN_LETTER.format(how=f" từ địa chỉ của Sở {office}")
    return ""


def _recipients(msg: EmailMessage) -> set[str]:
    """The To: and Cc: addresses, lower-cased (unreadable headers give none)."""
    out = set()
    for name in ("To", "Cc"):
        try:
            header = msg.get(name)
            addresses = getattr(header, "addresses", ()) if header is not None else ()
        except (TypeError, ValueError, IndexError):
            continue
        out |= {a.addr_spec.lower() for a in addresses if a.addr_spec}
    return out
