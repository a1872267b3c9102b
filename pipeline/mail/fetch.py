"""`mail fetch`: copy the units' report messages from the office mailbox into the inbox.

Read-only by construction: the folder is opened with EXAMINE (RFC 3501 6.3.2, nothing can
change in it) and messages are fetched with BODY.PEEK[] (6.4.5, the \\Seen flag is not
set): nothing is deleted, moved or marked read. Each message kept is saved unchanged as one
`.eml` in `inbox/thu/`, named by its received time, sender and a content hash, so a second
run saves nothing twice. The IMAP protocol is spoken by imap-tools.
"""

from __future__ import annotations

import hashlib
import ssl
from dataclasses import dataclass, field
from pathlib import Path

from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted, MailMessage

from ..form import Form
from ..intake.containers import parse_message, report_attachments
from ..intake.mail_settings import MailSettings, Server
from ..intake.message_headers import received_at, sender_of
from ..outbox.atomic import write_bytes_atomic
from ..run.progress import Progress
from ..text.names import fitted

MAIL_FOLDER = "thu"  # inside the inbox


class _RawMessage(MailMessage):
    """A fetched message that keeps its bytes exactly as the server sent them."""

    def __init__(self, fetch_data: list) -> None:
        super().__init__(fetch_data)
        self.raw = self._get_message_data_parts(fetch_data)[0]


@dataclass
class FetchResult:
    saved: list[Path] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # saved by an earlier run
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (message, why)


def open_mailbox(server: Server, password: str) -> MailBox:
    """Log in (TLS, or STARTTLS; plain only on localhost) without selecting any folder."""
    context = ssl.create_default_context(cafile=server.cafile or None)
    if server.security == "tls":
        box: MailBox = MailBox(server.host, server.port, ssl_context=context)
    elif server.security == "starttls":
        box = MailBoxStartTls(server.host, server.port, ssl_context=context)
    else:
        box = MailBoxUnencrypted(server.host, server.port)
    return box.login(server.user, password, initial_folder=None)


def saved_name(data: bytes, settings: MailSettings) -> tuple[str, str]:
    """(file name, content hash) of a message: received time, sender (cut to fit the name's
    budget), hash; valid on Windows whatever the sender's address holds."""
    msg = parse_message(data)
    when = received_at(msg, settings.zone)
    digest = hashlib.sha256(data).hexdigest()[:16]
    stamp = when.strftime("%Y-%m-%d_%H%M") if when else "khong-ro-ngay"
    return fitted(f"{stamp}_", sender_of(msg) or "khong-ro", f"_{digest}.eml"), digest


def fetch(form: Form, settings: MailSettings, inbox: Path, password: str, show: bool = True) -> FetchResult:
    """Save every new report message of the configured folder into `inbox/thu/`.

    A message is kept when an attachment looks like a report (a spreadsheet or a .zip) or
    when it comes from an address of a unit (a report sent without its attachment is
    still a fact the officer must see). Raises imap_tools / ssl / OSError errors on
    connection problems (the CLI turns them into messages).
    """
    server = settings.imap
    assert server is not None
    known = {a for u in form.units for a in u.emails}
    have = {p.stem.rpartition("_")[2] for p in inbox.rglob("*.eml")} if inbox.is_dir() else set()
    out = FetchResult()
    with open_mailbox(server, password) as box:
        box.folder.set(server.folder, readonly=True)  # EXAMINE
        box.email_message_class = _RawMessage
        uids = box.uids()
        progress = Progress(len(uids), "Đang tải thư") if show else None
        for msg in box.fetch(mark_seen=False, uid_list=uids) if uids else []:
            assert isinstance(msg, _RawMessage)
            _keep(msg, settings, inbox, known, have, out)
            if progress:
                progress.step()
        if progress:
            progress.close()
    return out


def _keep(
    msg: _RawMessage, settings: MailSettings, inbox: Path, known: set[str], have: set[str], out: FetchResult
) -> None:
    label = f"{msg.from_ or '(không rõ người gửi)'} — {msg.subject or '(không tiêu đề)'}"
    name, digest = saved_name(msg.raw, settings)
    if digest in have:
        out.already.append(label)
        return
    if not report_attachments(msg.raw) and sender_of(parse_message(msg.raw)) not in known:
        out.skipped.append((label, "không có tệp báo cáo đính kèm, người gửi không thuộc đơn vị nào"))
        return
    path = inbox / MAIL_FOLDER / name
    write_bytes_atomic(path, msg.raw)
    have.add(digest)
    out.saved.append(path)
