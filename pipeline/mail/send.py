"""`mail drafts --send`: send the drafts over SMTP, each exactly once.

Every message sent is recorded (its Message-ID, recipients and time) in
`outbox/<year>/thu/da-gui.json`, written atomically right after each send; a draft whose
Message-ID is recorded is never sent again. Drafts carry a Message-ID derived from their
content, so a reply regenerated unchanged keeps its identity. SMTP is spoken by the standard
library (`smtplib`, RFC 5321; TLS from the start or STARTTLS, RFC 3207).
"""

from __future__ import annotations

import datetime as dt
import json
import smtplib
import ssl
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

from ..intake.mail_settings import Server
from ..outbox.atomic import write_bytes_atomic

RECORD = "da-gui.json"


@dataclass
class SendResult:
    sent: list[Path] = field(default_factory=list)
    already: list[Path] = field(default_factory=list)  # recorded as sent by an earlier run
    no_address: list[Path] = field(default_factory=list)


def load_record(folder: Path) -> dict[str, dict[str, str]]:
    """Message-ID -> {"to", "sent_at", "file"} of every message sent from `folder`."""
    try:
        return json.loads((folder / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _connect(server: Server) -> smtplib.SMTP:
    context = ssl.create_default_context(cafile=server.cafile or None)
    if server.security == "tls":
        return smtplib.SMTP_SSL(server.host, server.port, context=context, timeout=60)
    smtp = smtplib.SMTP(server.host, server.port, timeout=60)
    if server.security == "starttls":
        smtp.starttls(context=context)
    return smtp


def send_drafts(drafts: list[Path], server: Server, password: str, zone: dt.tzinfo) -> SendResult:
    """Send each draft not yet recorded as sent; record each one as soon as it is sent.

    Raises smtplib.SMTPException / ssl.SSLError / OSError on server problems (what was
    sent before the failure stays recorded).
    """
    out = SendResult()
    if not drafts:
        return out
    folder = drafts[0].parent
    record = load_record(folder)
    todo: list[tuple[Path, EmailMessage]] = []
    for path in drafts:
        msg = message_from_bytes(path.read_bytes(), policy=default_policy)
        if str(msg["Message-ID"]) in record:
            out.already.append(path)
        elif not msg["To"]:
            out.no_address.append(path)
        else:
            assert isinstance(msg, EmailMessage)
            todo.append((path, msg))
    if not todo:
        return out
    with _connect(server) as smtp:
        if server.user:
            smtp.login(server.user, password)
        for path, msg in todo:
            del msg["X-Unsent"]  # a sent message is no longer a draft
            smtp.send_message(msg)
            record[str(msg["Message-ID"])] = {
                "to": str(msg["To"]),
                "sent_at": dt.datetime.now(zone).isoformat(timespec="seconds"),
                "file": path.name,
            }
            write_bytes_atomic(
                folder / RECORD, json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8")
            )
            out.sent.append(path)
    return out
