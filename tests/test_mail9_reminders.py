"""brk8 (daily reminder): `consolidate` + `mail drafts --send` run every day with nothing new
never sends a unit a second letter about the same situation, and the day a letter asks for
is the one first given to that unit for that situation: it does not slide a day with each
run. Once that day has passed, a letter sent on purpose (`--nhac-lai`) gives a new day and
says the earlier one has passed. A letter asking its unit to act (the unit has not sent, or
its file was refused) goes again on purpose even unchanged, the same day too, said so; the
advice to remind names every such unit (breaker brk10 M3).

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

import pytest

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


@pytest.fixture
def office(form: Form, make_file, tmp_path):
    """Two units by e-mail: one that has not sent (`missing`), one whose file was refused
    (`rejected`); a real SMTP server; `day(n, *more)` runs `consolidate` and `mail drafts
    --send *more` n days on and returns what `mail drafts` printed; `letters_to(code)` the
    texts of the letters the server received for that unit, in order."""
    d = [u.code for u in form.units if u.kind == "district"]
    missing, rejected = d[0], d[1]
    addr = {c: f"vanphong.{c.lower()}@kiengiang.gov.vn" for c in (missing, rejected)}
    f_bad, _ = make_file(rejected, bad(form, 20), name=f"{rejected}.xlsx", folder=tmp_path / "files")
    inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
    (inbox / "thu").mkdir(parents=True)
    sent_in = message(addr[rejected], "Báo cáo", at(20, 9), [(f_bad.name, f_bad.read_bytes())])
    (inbox / "thu" / "a.eml").write_bytes(bytes(sent_in))
    (tmp_path / "tls").mkdir()
    # the test's clock moves days on, or back to the season of 2025
    cert, key = self_signed(tmp_path / "tls", days=30, back=(dt.date.today() - dt.date(2025, 11, 1)).days)
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

        def ids_to(code: str) -> list[str]:
            return [
                str(email.message_from_bytes(raw, policy=default_policy)["Message-ID"])
                for _, rcpts, raw in sink.messages
                if addr[code] in rcpts
            ]

        yield SimpleNamespace(
            day=day,
            letters_to=letters_to,
            ids_to=ids_to,
            missing=missing,
            rejected=rejected,
            outbox=outbox,
            today=dt.datetime.now(VN).date(),
        )
    finally:
        next(with_smtp, None)


def test_a_reminder_goes_once_and_its_day_stays(office):
    day, letters_to, outbox = office.day, office.letters_to, office.outbox
    missing, rejected, today = office.missing, office.rejected, office.today
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


def test_nhac_lai_reminds_every_unit_that_still_has_to_act(office):
    """Breaker brk10 M3: `--nhac-lai` reminds the unit whose file was refused as well as the
    one that has not sent, even when its letter is the very one sent before (sent again
    under a new Message-ID), the day first given kept while it is not past; without it, the
    advice names both units. On the day of the first letters, asked on purpose, the letters
    go again and the console says so."""
    day, letters_to, ids_to = office.day, office.letters_to, office.ids_to
    missing, rejected = office.missing, office.rejected
    day(0)
    given_fix = ASKED.findall(letters_to(rejected)[0])[-1]

    out = day(0, "--nhac-lai")  # the same day, nothing new: asked on purpose
    assert len(letters_to(missing)) == 2 and len(letters_to(rejected)) == 2, out
    assert len(set(ids_to(rejected))) == 2  # two messages, each its own Message-ID
    assert out.count("Nhắc lại theo --nhac-lai: đơn vị đã nhận thư về đúng tình trạng này lúc ") == 2, out
    assert f"hôm nay, nay gửi lại; hạn vẫn là ngày {given_fix} như thư đó." in out, out

    out = day(1)  # nothing new: nothing sent, the advice names both units
    assert len(letters_to(missing)) == 2 and len(letters_to(rejected)) == 2, out
    assert f"{rejected:<6} không gửi lại: đơn vị đã nhận thư về đúng tình trạng này" in out, out
    assert f"2 đơn vị ({missing}, {rejected}) đã nhận thư về đúng tình trạng hiện nay" in out, out

    day(3, "--nhac-lai")  # before the day given: both reminded, that day kept
    assert len(letters_to(missing)) == 3
    again = letters_to(rejected)
    assert len(again) == 3
    assert ASKED.findall(again[2])[-1] == given_fix
    assert "đã qua" not in again[2]

    out = day(4)  # nothing new: the console names the letter sent last, the reminder of day 3
    lines = out.splitlines()
    at_rejected = next(i for i, line in enumerate(lines) if line.startswith(f"{rejected:<6} không gửi lại"))
    assert f"ngày {office.today + dt.timedelta(days=3):%d/%m/%Y};" in lines[at_rejected + 1], out


def test_a_reminder_before_the_deadline_is_recalled_with_the_day_it_gave(office):
    """brk42 F1: a reminder sent before the deadline gives the deadline's last day (30/11),
    but the record kept the resubmission day (a week on), which the next runs quoted as the
    letter's ("vẫn đúng (đề nghị gửi chậm nhất ngày 02/12/2025)"; "hạn vẫn là ngày 02/12"),
    and which a reminder on purpose on 01/12 gave as if repeating it."""
    day, letters_to, missing, today = office.day, office.letters_to, office.missing, office.today
    before = (dt.date(2025, 11, 25) - today).days  # five days before the deadline (01/12/2025)
    day(before)
    (first,) = letters_to(missing)
    assert ASKED.findall(first) == ["30/11/2025"]
    out = day(before + 1)
    assert len(letters_to(missing)) == 1
    assert "thư đó vẫn đúng (đề nghị gửi chậm nhất ngày 30/11/2025)" in out, out
    # on 01/12, the day given has passed: a reminder on purpose gives a new day and says so
    day(before + 6, "--nhac-lai")
    again = letters_to(missing)
    assert len(again) == 2
    assert ASKED.findall(again[1])[-1] == "08/12/2025"
    assert "(ngày 30/11/2025) đã qua" in again[1], again[1]
