"""What a saved message says about itself: when it arrived, who sent it, what it answers.

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


def received_at(msg: EmailMessage, zone: ZoneInfo) -> dt.datetime | None:
    """When the message reached the office (aware, in `zone`), or None if it does not say."""
    for value in msg.get_all("Received", []) or []:
        stamp = _date(str(value).rpartition(";")[2])
        if stamp:
            return stamp.astimezone(zone)
    stamp = _date(str(msg.get("Date", "") or ""))
    return stamp.astimezone(zone) if stamp else None


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
    """The From: address, lower-cased ("" when missing or unreadable)."""
    try:
        header = msg.get("From")
        addresses = getattr(header, "addresses", ()) if header is not None else ()
    except (TypeError, ValueError, IndexError):
        return ""
    for addr in addresses:
        if addr.addr_spec and "@" in addr.addr_spec:
            return addr.addr_spec.lower()
    return ""


def header_text(msg: EmailMessage, name: str) -> str:
    """A header as text, empty when missing or malformed (messages are untrusted)."""
    try:
        return " ".join(str(msg.get(name, "") or "").split())
    except (TypeError, ValueError, IndexError):
        return ""
