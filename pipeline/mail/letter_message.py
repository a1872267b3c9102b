"""A letter as an e-mail message (`_message`), built by the standard library
(`email.message.EmailMessage`).

Each draft is addressed to the unit's listed addresses (or to the sender of its latest
message), answers that message (`In-Reply-To`, RFC 5322 3.6.4) and carries `X-Unsent: 1`,
so Outlook opens it as a draft (Thunderbird: "Edit as New Message"). Its Message-ID is
derived from its content, so the same reply is recognised when sent; it carries the run it
describes (`RUN_HEADER`) and, while a setting it needs is still "cần điền", what it waits
for (`PENDING_HEADER`, `waits_for`). Its subject and body are the `letter_body.Letter`
decided for the unit, never chosen here; the body is signed with whom to call at the office.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from ..form import Form, Unit, is_pending
from ..intake.mail_settings import MailSettings
from ..text.names import slug
from .draft_record import GREETING
from .letter_body import REMINDER, Letter, LetterSettings, resubmit_by
from .send import PENDING_HEADER, RUN_HEADER

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _message(
    form: Form,
    settings: MailSettings,
    letters: LetterSettings,
    unit: Unit,
    u: dict[str, Any],
    letter: Letter,
    to: tuple[str, ...] | list[str],
    attachments: list[tuple[str, bytes]],
    answering: dict[str, Any] | None,
    run: dict[str, Any],
    today: dt.date,
    by: dt.date | None = None,
) -> EmailMessage:
    """The letter as a message (see the module's docstring); `by`: the day its text asks
    for (default `resubmit_by` from `today`), left out of its identity."""
    msg = EmailMessage()
    sender = settings.address
    if sender:
        msg["From"] = Address(settings.display_name, addr_spec=sender)
    if to:
        msg["To"] = ", ".join(to)
    _set_subject(msg, letter.subject)  # decided with the body (`letter_body._content`)
    signature = settings.display_name or form.agencies.get("department", "")
    text = f"{GREETING} {unit.name}{_preparer(u)}\n\n{letter.body}\n\nTrân trọng.\n{signature}\n{_call(settings, letters)}"
    msg.set_content(text)
    for name, data in attachments:
        msg.add_attachment(data, maintype=XLSX[0], subtype=XLSX[1], filename=name)
    reply_to = (answering or {}).get("message_id", "")
    if reply_to:
        msg["In-Reply-To"] = reply_to
        msg["References"] = reply_to
    # the day asked for moves with the day of drafting: the same reply keeps its identity
    stable = text.replace(f"{by or resubmit_by(form, letters, today):%d/%m/%Y}", "")
    digest = hashlib.sha256(
        "\n".join([",".join(to), str(msg["Subject"]), stable, reply_to]).encode("utf-8")
        + b"".join(hashlib.sha256(d).digest() for _, d in attachments)
    ).hexdigest()
    domain = sender.rpartition("@")[2] or "localhost"
    msg["Message-ID"] = (
        f"<qd{slug(form.programme_info.prefix, 20)}-{form.year}-{slug(unit.code, 20)}-{digest[:24]}@{domain}>"
    )
    msg["Date"] = format_datetime(dt.datetime.now(settings.zone))
    msg["X-Unsent"] = "1"
    msg[RUN_HEADER] = str(run.get("run_id", ""))  # not part of the identity: see `refresh_drafts`
    waiting = waits_for(form, letter.kind)
    if waiting:
        msg[PENDING_HEADER] = f"{form.path.name}: {', '.join(waiting)}"
    return msg


def _set_subject(msg: EmailMessage, subject: str) -> None:
    """Set `subject` as RFC 2047 encoded words that keep every space inside a word
    (`email.header.Header`), stored as the header's source (`set_raw`, as the parser stores
    what it read) so it is written as encoded. The default policy's own folding (Python up to
    3.13, CPython gh-144156) moved the space at a fold out of the encoded words, where RFC 2047
    section 6.2 has a reader drop it: a mail client showed «(đãquá hạn nộp)»."""
    msg.set_raw("Subject", Header(subject, "utf-8", header_name="Subject").encode())


def waits_for(form: Form, kind: str) -> list[str]:
    """The settings still "cần điền" a letter of `kind` cannot go out without (dotted keys of
    the configuration): a reminder's reason to be sent is the deadline, `period.due_before`."""
    return ["period.due_before"] if kind == REMINDER and is_pending(form.period.due_before) else []


def _preparer(u: dict[str, Any]) -> str:
    """ " (người liên hệ: …, điện thoại …)": the preparer in the unit's newest file, else
    the unit's contact in the configuration (`UnitRecord.contact`); "" when neither."""
    contact = u.get("contact") or {}
    person, phone = str(contact.get("person") or ""), str(contact.get("phone") or "")
    said = ", ".join(x for x in (person, f"điện thoại {phone}" if phone else "") if x)
    return f" (người liên hệ: {said})" if said else ""


def _call(settings: MailSettings, letters: LetterSettings) -> str:
    """The signature's last line: whom at the office to call, and how; "" if unknown."""
    parts = [
        letters.contact,
        f"điện thoại {letters.phone}" if letters.phone else "",
        f"thư điện tử {settings.address}" if settings.address else "",
    ]
    said = ", ".join(p for p in parts if p)
    return f"Liên hệ: {said}\n" if said else ""
