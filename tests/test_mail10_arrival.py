"""brk43 F8: a message no server stamped (put in the mailbox by a client: IMAP APPEND, a
message moved or imported) arrives when the mailbox got it (INTERNALDATE, RFC 3501 2.3.3),
never on the day its sender's `Date:` claims. `mail fetch` puts one trace field on top of
such a message, as a receiving server or fetchmail does; a message with its servers'
`Received:` fields is saved byte for byte. Against the project's real IMAP server
(Dovecot), then consolidated as the officer does.
"""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from pipeline.app import consolidate_into
from pipeline.form import Form

from . import test_mail_faults as faults
from .test_mail import VN
from .test_mail_faults import cli, config, dovecot_imap
from .test_resubmission import dated

# Dovecot for the module, its INBOXes emptied after each test (test_mail_faults' fixtures)
dovecot, mailbox = faults.dovecot, faults.mailbox


def _unstamped(sender: str, written: dt.datetime, name: str, data: bytes) -> EmailMessage:
    """A message as a mail client leaves it in a folder: the sender's Date:, no Received:."""
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = sender, faults.OFFICE, "Báo cáo 588"
    m["Date"], m["Message-ID"] = format_datetime(written), make_msgid(domain="kiengiang.gov.vn")
    m.set_content("Đơn vị gửi báo cáo.")
    m.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return m


def test_a_message_no_server_stamped_arrives_when_the_mailbox_got_it(
    mailbox, form: Form, make_file, tmp_path
):
    deadline = form.period.due_before  # on time when it came before this day
    code, other = form.units[0].code, form.units[1].code
    path, _ = make_file(code, dated(20, form), name=f"{code}.xlsx", folder=tmp_path / "f")
    path2, _ = make_file(other, dated(20, form), name=f"{other}.xlsx", folder=tmp_path / "f")
    # written before the deadline (its Date:), in the mailbox on the deadline's day, late
    written = dt.datetime.combine(deadline - dt.timedelta(days=5), dt.time(9, 0), VN)
    got = dt.datetime.combine(deadline + dt.timedelta(days=1), dt.time(23, 30), VN)
    late = _unstamped(f"vanphong.{code}@kiengiang.gov.vn", written, path.name, path.read_bytes())
    mailbox.append(bytes(late), got)
    # a message its servers stamped: their Received: decides, and it is saved as it came
    stamped = _unstamped(f"vanphong.{other}@kiengiang.gov.vn", written, path2.name, path2.read_bytes())
    served = written + dt.timedelta(minutes=2)
    stamped["Received"] = f"from mail.kiengiang.gov.vn by mx.kiengiang.gov.vn; {format_datetime(served)}"
    mailbox.append(bytes(stamped), got)

    inbox = tmp_path / "inbox"
    cfg = config(tmp_path / "cfg", dovecot_imap(mailbox), timeout=30, emails={code: [], other: []})
    done = cli(cfg, "mail", "fetch", "--inbox", str(inbox))
    assert done.returncode == 0 and "Đã lưu 2 thư mới" in done.stdout, (done.stdout, done.stderr)
    saved = {c: p for p in (inbox / "thu").glob("*.eml") for c in (code, other) if f"-{c}-" in p.name}
    # named by the office's day it reached the mailbox (the night after the deadline, Vietnam time: 16:30 UTC)
    assert saved[code].name.startswith(got.strftime("%Y-%m-%d_%H%M")), saved
    assert saved[other].name.startswith(served.strftime("%Y-%m-%d_%H%M")), saved
    head = saved[code].read_bytes().split(b"\r\n", 1)[0]
    assert head.startswith(b"Received: by tong-hop-588 with IMAP (INTERNALDATE); "), head
    kept = saved[other].read_bytes()
    assert b"tong-hop-588" not in kept and b"\r\nReceived: from mail.kiengiang.gov.vn by mx" in kept

    report = consolidate_into(form, inbox, tmp_path / "out", show_progress=False)
    units = {u.code: u for u in report.units}
    assert units[code].submitted_on == got.date() and units[code].on_time is False
    assert units[code].file.received == got.replace(tzinfo=None)
    assert units[other].submitted_on == served.date() and units[other].on_time is True

    # a second fetch knows both (the trace field never changes the hash in the name)
    again = cli(cfg, "mail", "fetch", "--inbox", str(inbox))
    assert again.returncode == 0 and "Đã lưu 0 thư mới" in again.stdout, again.stdout
