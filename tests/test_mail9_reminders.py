"""brk8 (daily reminder): `consolidate` + `mail drafts --send` run every day with nothing new
never sends a unit a second letter about the same situation, and the day a letter asks for
is the one first given to that unit for that situation: it does not slide a day with each
run. Once that day has passed, a letter sent on purpose (`--nhac-lai`) gives a new day and
says the earlier one has passed.

A real SMTP server (aiosmtpd with STARTTLS and login), the commands
in their own processes, the later days under libfaketime (`clirun.days_on`).
"""

from __future__ import annotations

import datetime as dt
import email
import re
from email.message import EmailMessage
from email.policy import default as default_policy
from types import SimpleNamespace

from pipeline.form import Form

from .clirun import days_on, run_cli
from .mailserver import PASSWORD, self_signed, start_smtp
from .test_mail import SMTP_PASSWORD, SMTP_USER, VN, at, message, write_config
from .test_resubmission import bad

ASKED = re.compile(r"chậm nhất ngày (\d\d/\d\d/\d{4})")


def text_of(raw: bytes) -> str:
    msg = email.message_from_bytes(raw, policy=default_policy)
    assert isinstance(msg, EmailMessage)
    return " ".join(msg.get_body(("plain",)).get_content().split())


def test_a_reminder_goes_once_and_its_day_stays(form: Form, make_file, tmp_path):
    d = [u.code for u in form.units if u.kind == "district"]
    missing, rejected = d[0], d[1]
    addr = {c: f"vanphong.{c.lower()}@kiengiang.gov.vn" for c in (missing, rejected)}
    f_bad, _ = make_file(rejected, bad(form, 20), name=f"{rejected}.xlsx", folder=tmp_path / "files")
    inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
    (inbox / "thu").mkdir(parents=True)
    sent_in = message(addr[rejected], "Báo cáo", at(20, 9), [(f_bad.name, f_bad.read_bytes())])
    (inbox / "thu" / "a.eml").write_bytes(bytes(sent_in))
    (tmp_path / "tls").mkdir()
    cert, key = self_signed(tmp_path / "tls", days=30)  # the test's clock moves ten days on
    with_smtp = start_smtp(cert, key, SMTP_USER, SMTP_PASSWORD)
    controller, sink = next(with_smtp)
    env = {"TEST_IMAP_PASSWORD": PASSWORD, "TEST_SMTP_PASSWORD": SMTP_PASSWORD}
    try:
        imap = SimpleNamespace(port=993, cert=cert)  # no fetch here; the SMTP server's certificate
        cfg = write_config(tmp_path / "cfg", imap, controller.port, {c: [a] for c, a in addr.items()})

        def day(days: int, *more: str) -> str:
            at_day = {**env, **(days_on(days) if days else {})}
            for args in (
                ("consolidate", "--inbox", str(inbox), "--outbox", str(outbox)),
                ("mail", "drafts", "--outbox", str(outbox), "--send", *more),
            ):
                out = run_cli("--config", str(cfg), *args, env=at_day)
                assert out.returncode in (0, 1), out.stdout + out.stderr
            return out.stdout

        def letters_to(code: str) -> list[str]:
            return [text_of(raw) for _, rcpts, raw in sink.messages if addr[code] in rcpts]

        today = dt.datetime.now(VN).date()
        day(0)
        first = letters_to(missing)
        assert len(first) == 1 and len(letters_to(rejected)) == 1
        given = ASKED.findall(first[0])[-1]  # the deadline is past: a day to send by is given
        assert given == f"{today + dt.timedelta(days=7):%d/%m/%Y}"
        given_fix = ASKED.findall(letters_to(rejected)[0])[-1]

        # the next day, nothing new: nothing sent, and the letters in thu/ still say that day
        out = day(1)
        assert len(letters_to(missing)) == 1 and len(letters_to(rejected)) == 1, out
        assert "không gửi lại: đơn vị đã nhận thư về đúng tình trạng này" in out
        assert "--nhac-lai" in out
        drafts = {p.name: text_of(p.read_bytes()) for p in (outbox / "2025" / "thu").glob("*.eml")}
        draft_missing = next(t for n, t in drafts.items() if n.startswith(f"thu-{missing}-"))
        draft_rejected = next(t for n, t in drafts.items() if n.startswith(f"thu-{rejected}-"))
        assert ASKED.findall(draft_missing)[-1] == given
        assert ASKED.findall(draft_rejected)[-1] == given_fix

        # reminded again on purpose two days on: the same day as first given
        out = day(2, "--nhac-lai")
        again = letters_to(missing)
        assert len(again) == 2, out
        assert ASKED.findall(again[1])[-1] == given
        assert "đã qua" not in again[1]

        # eight days on, nothing new: not sent again, and the console says the day asked has
        # passed (breaker brk10 M2: it said the letter "vẫn đúng")
        out = day(8)
        assert len(letters_to(missing)) == 2, out
        assert f"thư đó đề nghị gửi chậm nhất ngày {given}, nay đã qua" in out, out

        # ten days on the day given has passed: a new day, and the letter says so
        day(10, "--nhac-lai")
        late = letters_to(missing)
        assert len(late) == 3, out
        assert ASKED.findall(late[2])[-1] == f"{today + dt.timedelta(days=17):%d/%m/%Y}"
        assert f"Thời hạn Sở đề nghị trong thư trước (ngày {given}) đã qua" in late[2]

        # reminded again on purpose fourteen days on, before that new day: the new day stays
        # (breaker brk10 M1: it moved again, and named the first letter's day as the last one's)
        day(14, "--nhac-lai")
        later = letters_to(missing)
        assert len(later) == 4
        assert ASKED.findall(later[3])[-1] == f"{today + dt.timedelta(days=17):%d/%m/%Y}"
        assert "đã qua" not in later[3]
    finally:
        next(with_smtp, None)
