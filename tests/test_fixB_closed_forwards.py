"""The transfer encodings that close a forwarded message (message/rfc822 in base64 or
quoted-printable, which RFC 2046 5.2.1 forbids and Exchange and Outlook write) are declared
once, by the inbox's message reader (`intake.containers.message.CLOSED_ENCODINGS`), and
`mail fetch`'s scanner reads that list: both take a forward for closed in exactly the same
encodings, so a forward the inbox opens is one fetch keeps as an attachment."""

from __future__ import annotations

import base64
import quopri
from email.mime.base import MIMEBase
from pathlib import Path

import pytest

from pipeline.intake.containers import message as intake_message
from pipeline.mail import fetch
from tests.test_mail import at, message


def _forward(cte: str) -> bytes:
    """A unit's forward of its clerk's message (the office server's layout, `test_mail.message`),
    the original as message/rfc822 in `cte`."""
    original = bytes(
        message(
            "vanthu903@gmail.com",
            "Báo cáo 588",
            at(12, 8),
            [("903.xlsx", b"PK\x03\x04")],
            body="Kinh gui So.",
        )
    )
    outer = message("ketoan.903@gmail.com", "Fwd: Báo cáo 588", at(12, 9))
    outer.make_mixed()
    part = MIMEBase("message", "rfc822")
    if cte == "base64":
        part.set_payload(base64.encodebytes(original).decode("ascii"))
    elif cte == "quoted-printable":
        part.set_payload(quopri.encodestring(original).decode("ascii"))
    else:
        part.set_payload(original.decode("ascii"))
    part["Content-Transfer-Encoding"] = cte
    outer.attach(part)
    return bytes(outer)


@pytest.mark.parametrize("cte", ["base64", "quoted-printable", "7bit", "8bit", "binary"])
def test_the_inbox_and_mail_fetch_close_a_forward_by_one_list(cte: str, tmp_path: Path):
    assert fetch.CLOSED_ENCODINGS is intake_message.CLOSED_ENCODINGS  # one owner, read by fetch
    data = _forward(cte)
    closed_by_inbox = intake_message.CLOSED_FORWARD.encode() in intake_message._mark_closed_forwards(data)
    saved = tmp_path / "thu.eml"
    saved.write_bytes(data)
    kept_by_fetch = fetch.FORWARDED_NAME in fetch.scan_message(saved).attachments
    assert closed_by_inbox == kept_by_fetch == (cte in intake_message.CLOSED_ENCODINGS), cte
    assert set(intake_message.CLOSED_ENCODINGS) == {"base64", "quoted-printable"}
