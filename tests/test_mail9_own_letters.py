"""brk8 (own letters): the office's own letters come back into its INBOX (a Bcc to itself, a
copy kept by the server) and are never read as the units' reports.

Against real servers (Dovecot, aiosmtpd): the letters `mail drafts --send` sent are put back
in the mailbox, with a letter the officer wrote by hand from the office's address (a blank
template attached, Bcc to the office) and a unit's genuine reply that forwards our letter
and carries its own report. `mail fetch` skips ours, saying why, and saves the unit's; an
own letter already in the inbox (saved before this version) is listed by `consolidate` as
skipped with why. The units' verdicts are the ones their own files give.
"""

from __future__ import annotations

import datetime as dt
import email
import json
import shutil
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime, make_msgid

from pipeline.form import Form
from pipeline.intake.message_headers import LETTER_HEADER
from pipeline.outbox.paths import manifest_path, report_path

from .mailserver import start_smtp
from .test_mail import OFFICE, SMTP_PASSWORD, SMTP_USER, VN, at, cli, message, write_config
from .test_mail import dovecot as dovecot  # noqa: F401 - the module's server fixture
from .test_resubmission import bad, dated

SKIPPED_OURS = "thư Sở đã gửi cho đơn vị do chương trình này soạn"
SKIPPED_OFFICE = f"thư Sở đã gửi cho đơn vị từ địa chỉ của Sở {OFFICE}"


def kept_copy(raw: bytes, when: dt.datetime) -> EmailMessage:
    """A sent letter as the office's server files a copy in INBOX: its own Received: on top."""
    msg = email.message_from_bytes(raw, policy=default_policy)
    assert isinstance(msg, EmailMessage)
    msg["Received"] = f"from localhost by mx.kiengiang.gov.vn; {format_datetime(when.astimezone(dt.UTC))}"
    return msg


def test_own_letters_are_never_read_as_reports(dovecot, form: Form, make_file, tmp_path):  # noqa: F811
    d = [u.code for u in form.units if u.kind == "district"]
    u_missing, u_bad, u_good = d[0], d[1], d[2]
    addr = {c: f"vanphong.{c.lower()}@kiengiang.gov.vn" for c in (u_missing, u_bad, u_good)}
    files = tmp_path / "files"
    f_bad, _ = make_file(u_bad, bad(form, 20), name=f"{u_bad}.xlsx", folder=files)
    f_good, _ = make_file(u_good, dated(21, form), name=f"{u_good}.xlsx", folder=files)
    dovecot.append(
        bytes(message(addr[u_bad], "Báo cáo", at(20, 9), [(f_bad.name, f_bad.read_bytes())])), at(20, 9)
    )
    dovecot.append(
        bytes(message(addr[u_good], "Báo cáo", at(21, 9), [(f_good.name, f_good.read_bytes())])), at(21, 9)
    )
    with_smtp = start_smtp(dovecot.cert, dovecot.root / "key.pem", SMTP_USER, SMTP_PASSWORD)
    controller, sink = next(with_smtp)
    try:
        cfg = write_config(tmp_path / "cfg", dovecot, controller.port, {c: [a] for c, a in addr.items()})
        inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
        for args in (
            ("mail", "fetch", "--inbox", str(inbox)),
            ("consolidate", "--inbox", str(inbox), "--outbox", str(outbox)),
            ("mail", "drafts", "--outbox", str(outbox), "--send"),
        ):
            out = cli(cfg, *args)
            assert out.returncode == 0, out.stdout + out.stderr
        ours = {rcpts[0]: raw for _, rcpts, raw in sink.messages if rcpts[0] in addr.values()}
        assert set(ours) == set(addr.values())
        assert all(LETTER_HEADER.encode() in raw for raw in ours.values())
        assert any(b"Mau-588-" in raw for raw in ours.values())  # the reminder carries a blank template
        now = dt.datetime(2025, 11, 25, 8, 0, tzinfo=VN)
        for raw in ours.values():  # Bcc to the office: every letter sent comes back
            dovecot.append(bytes(kept_copy(raw, now)), now)
        # the officer's own letter from the office's address, written by hand (no header of
        # ours), Bcc to the office, a blank template attached
        template = next((outbox / "templates").rglob(f"Mau-588-2025-{u_missing}-*.xlsx"))
        by_hand = message(OFFICE, "Nhắc gửi báo cáo", now, [(template.name, template.read_bytes())])
        del by_hand["To"]
        by_hand["To"] = addr[u_missing]
        dovecot.append(bytes(by_hand), now)
        # the missing unit's genuine reply: our letter forwarded back, its own report attached
        f_reply, _ = make_file(u_missing, dated(24, form), name=f"{u_missing}.xlsx", folder=files)
        reply = message(
            addr[u_missing], "Re: Đề nghị gửi báo cáo", at(24, 10), [(f_reply.name, f_reply.read_bytes())]
        )
        reply.add_attachment(email.message_from_bytes(ours[addr[u_missing]], policy=default_policy))
        reply["In-Reply-To"] = make_msgid()
        dovecot.append(bytes(reply), at(24, 10))

        out = cli(cfg, "mail", "fetch", "--inbox", str(inbox))
        assert out.returncode == 0, out.stderr
        skipped = [line for line in out.stdout.splitlines() if line.startswith("Bỏ qua:")]
        assert len([s for s in skipped if SKIPPED_OURS in s]) == 3, out.stdout
        assert len([s for s in skipped if SKIPPED_OFFICE in s and "Nhắc gửi báo cáo" in s]) == 1, out.stdout
        assert "Đã lưu 1 thư mới" in out.stdout and "bỏ qua 4 thư" in out.stdout, out.stdout

        # an own letter saved into the inbox before this version: consolidate lists it, skipped
        hand_saved = inbox / "thu" / "2025-11-25_0800_tonghop588_cu.eml"
        hand_saved.write_bytes(bytes(kept_copy(ours[addr[u_bad]], now)))
        out = cli(cfg, "consolidate", "--inbox", str(inbox), "--outbox", str(outbox))
        assert out.returncode in (0, 1), out.stderr
        run = json.loads(report_path(outbox, 2025).read_text(encoding="utf-8"))
        units = {u["code"]: u for u in run["units"]}
        assert units[u_missing]["status"] == "accepted"  # its reply, never our template
        assert units[u_missing]["file"].endswith(f" › {f_reply.name}")
        assert units[u_bad]["status"] == "rejected" and units[u_bad]["files"] == [
            next(n for n in units[u_bad]["files"] if n.endswith(f" › {f_bad.name}"))
        ]  # our feedback file is not its newest file
        assert units[u_good]["on_time"] is True and units[u_good]["file"].endswith(f" › {f_good.name}")
        manifest = json.loads(manifest_path(outbox, 2025).read_text(encoding="utf-8"))["files"]
        line = next(m for m in manifest if m["name"] == "thu/" + hand_saved.name)
        assert line["status"] == "ignored" and SKIPPED_OURS in line["note"], line
        assert not [m for m in manifest if m["container"] == "thu/" + hand_saved.name]
    finally:
        next(with_smtp, None)
        shutil.rmtree(tmp_path / "files", ignore_errors=True)
