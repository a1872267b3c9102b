"""Issue #24, the mail part: one mail server or message never stops the season.

`mail fetch` against Dovecot and against small misbehaving servers (tests/badservers.py):
a server that never greets, speaks another protocol, stalls or hangs up inside a FETCH,
a TLS or name failure, a refused login, a message over the size limit, messages that break
the parser, a password with Vietnamese letters, the memory a large message costs.
`mail drafts --send` against aiosmtpd refusing a recipient or a message, and a server that
loses the reply to DATA: each unit's letter on its own, nothing ever sent twice silently.
"""

from __future__ import annotations

import datetime as dt
import email
import json
import os
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest

from pipeline.app import consolidate_into
from pipeline.form import Form, load_form
from pipeline.intake.containers.expand import expand
from pipeline.intake.mail_settings import load_mail_settings
from pipeline.mail import fetch as fetch_module
from pipeline.mail.send import (
    OUT_HELD,
    OUT_NO_ADDRESS,
    OUT_SENT,
    OUT_UNKNOWN,
    RECORD,
    SENDING,
    SENT,
    load_record,
    send_drafts,
)

from .badservers import BadServer, FakeImap, LosesDataReply, greets_with, picky_smtp, silent
from .conftest import ROOT
from .mailserver import PASSWORD, PASSWORD_VI, USER, USER_VI, Dovecot, free_port, start_dovecot
from .test_mail import OFFICE, at, message, msg_arrival
from .test_resubmission import dated

UNIT_ADDR = "vanphong.h1@kiengiang.gov.vn"


@pytest.fixture(scope="module")
def dovecot() -> Iterator[Dovecot]:
    yield from start_dovecot()


@pytest.fixture
def mailbox(dovecot: Dovecot) -> Iterator[Dovecot]:
    """Dovecot with an empty INBOX for each test (both users)."""
    yield dovecot
    for user, password in ((USER, PASSWORD), (USER_VI, PASSWORD_VI)):
        box = dovecot.connect(user, password)
        try:
            _, count = box.select("INBOX")
            if int(count[0]):
                box.store("1:*", "+FLAGS", "(\\Deleted)")
                box.expunge()
        finally:
            box.logout()


def config(
    folder: Path,
    imap: dict[str, object] | None = None,
    smtp: dict[str, object] | None = None,
    timeout: float = 1,
    max_file_bytes: int = 0,
    emails: dict[str, list[str]] | None = None,
) -> Path:
    """The shipped configuration with its [mail] section pointing at the test servers."""
    text = (ROOT / "schemas" / "kien-giang.toml").read_text(encoding="utf-8")
    start, end = text.index("\n[mail]\n") + 1, text.index("[[unit_kinds]]")
    block = f'[mail]\ntimezone = "Asia/Ho_Chi_Minh"\naddress = "{OFFICE}"\ntimeout = {timeout}\n\n'
    for name, server in (("imap", imap), ("smtp", smtp)):
        if server:
            block += (
                f"[mail.{name}]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in server.items()) + "\n"
            )
    text = text[:start] + block + text[end:]
    if max_file_bytes:
        text = text.replace("max_file_bytes = 20_000_000", f"max_file_bytes = {max_file_bytes}")
    for code, addresses in (emails or {}).items():
        head = f'[[units]]\ncode = "{code}"\n'
        text = text.replace(head, f"{head}emails = {json.dumps(addresses)}\n")
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("layout.toml", "bao-cao.toml"):
        (folder / name).write_text((ROOT / "schemas" / name).read_text(encoding="utf-8"))
    path = folder / "kien-giang.toml"
    path.write_text(text, encoding="utf-8")
    return path


def plain(port: int) -> dict[str, object]:
    return {"host": "127.0.0.1", "port": port, "security": "none", "user": "u", "password_env": "TEST_PW"}


def dovecot_imap(server: Dovecot, **change: object) -> dict[str, object]:
    imap = {
        "host": "localhost",
        "port": server.port,
        "security": "tls",
        "user": USER,
        "password_env": "TEST_PW",
        "cafile": str(server.cert),
    }
    imap.update(change)
    return {k: v for k, v in imap.items() if v is not None}


def cli(cfg: Path, *args: str, password: str = PASSWORD) -> subprocess.CompletedProcess:
    env = {**os.environ, "TEST_PW": password}
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "--config", str(cfg), *args, "--khong-luu-mat-khau"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def fails_in_one_line(done: subprocess.CompletedProcess, *words: str) -> None:
    """Exit 1, no traceback, one line of error (after the period warning) naming `words`."""
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("Lỗi")]
    assert len(errors) == 1, done.stderr
    for word in words:
        assert word in errors[0], errors[0]


def report_message(form: Form, make_file, tmp_path: Path, seed: int = 1) -> EmailMessage:
    code = form.units[0].code
    path, _ = make_file(code, dated(12, form), name=f"bao-cao-{seed}.xlsx", seed=seed, folder=tmp_path / "f")
    return message(UNIT_ADDR, "Báo cáo 588", at(12, 9 + seed), [(path.name, path.read_bytes())])


def eml(msg: EmailMessage) -> bytes:
    return bytes(msg).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def fetch_measured(mailbox: Dovecot, tmp_path: Path) -> tuple[fetch_module.FetchResult, int]:
    """`mail fetch` of `mailbox`'s INBOX into `tmp_path/inbox` (a configuration written in
    `tmp_path/cfg`): its result and the peak of Python's memory during it (bytes)."""
    cfg = config(tmp_path / "cfg", dovecot_imap(mailbox), timeout=30)
    form = load_form(cfg)
    settings = load_mail_settings(form)
    tracemalloc.start()
    try:
        result = fetch_module.fetch(form, settings, tmp_path / "inbox", PASSWORD, show_progress=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


# ---------------------------------------------------------------- servers that misbehave


@pytest.mark.parametrize("security", ["none", "tls"])
def test_a_server_that_never_greets_times_out(tmp_path, security):
    with BadServer(silent, connections=1, lifetime=20) as server:
        cfg = config(tmp_path / "cfg", {**plain(server.port), "security": security}, timeout=1)
        began = time.monotonic()
        done = cli(cfg, "mail", "fetch", "--inbox", str(tmp_path / "inbox"))
    assert time.monotonic() - began < 15
    fails_in_one_line(done, f"127.0.0.1:{server.port}", "không trả lời sau 1 giây", "timeout")


def test_a_server_speaking_another_protocol(tmp_path):
    with BadServer(greets_with(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"), connections=1, lifetime=20) as server:
        done = cli(
            config(tmp_path / "cfg", plain(server.port)), "mail", "fetch", "--inbox", str(tmp_path / "i")
        )
    fails_in_one_line(done, "không trả lời đúng giao thức IMAP", "SSH-2.0", "port")


def test_tls_expected_but_the_server_speaks_plain(tmp_path):
    imap = {**plain(0), "security": "tls", "host": "localhost"}
    with BadServer(greets_with(b"* OK plain IMAP\r\n"), connections=1, lifetime=20) as server:
        imap["port"] = server.port
        done = cli(config(tmp_path / "cfg", imap), "mail", "fetch", "--inbox", str(tmp_path / "i"))
    fails_in_one_line(done, "TLS", "security")


def test_a_certificate_not_trusted(mailbox, tmp_path):
    cfg = config(tmp_path / "cfg", dovecot_imap(mailbox, cafile=None))
    fails_in_one_line(cli(cfg, "mail", "fetch", "--inbox", str(tmp_path / "i")), "chứng chỉ", "cafile")


def test_a_name_that_does_not_resolve(tmp_path):
    imap = {**plain(993), "host": "may-chu-thu-khong-co.invalid", "security": "tls"}
    done = cli(config(tmp_path / "cfg", imap), "mail", "fetch", "--inbox", str(tmp_path / "i"))
    fails_in_one_line(done, "không tìm thấy máy chủ thư 'may-chu-thu-khong-co.invalid'", "host")


def test_nobody_listening(tmp_path):
    done = cli(config(tmp_path / "cfg", plain(free_port())), "mail", "fetch", "--inbox", str(tmp_path / "i"))
    fails_in_one_line(done, "không nhận kết nối ở cổng", "port")


def test_a_refused_login(mailbox, tmp_path):
    # Dovecot answers a refused login after a delay (auth_failure_delay, 2 s): not a timeout
    cfg = config(tmp_path / "cfg", dovecot_imap(mailbox), timeout=10)
    done = cli(cfg, "mail", "fetch", "--inbox", str(tmp_path / "i"), password="sai-mat-khau")
    fails_in_one_line(done, "đăng nhập hộp thư không được", "mật khẩu")


@pytest.mark.parametrize("how", ["stall", "close"])
def test_a_server_failing_inside_a_fetch_keeps_what_was_saved(form, make_file, tmp_path, how):
    first, second = (eml(report_message(form, make_file, tmp_path, seed)) for seed in (1, 2))
    fake = FakeImap([first, second], fail_uid=2, how=how, cut_after=len(second) // 2)
    inbox = tmp_path / "inbox"
    with BadServer(fake, connections=1, lifetime=30) as server:
        began = time.monotonic()
        done = cli(
            config(tmp_path / "cfg", plain(server.port), timeout=1), "mail", "fetch", "--inbox", str(inbox)
        )
    assert time.monotonic() - began < 20
    why = "không trả lời sau 1 giây" if how == "stall" else "đóng kết nối giữa chừng"
    fails_in_one_line(done, why, "Các thư đã lưu trước lỗi")
    # only what was saved before the fault is counted, never "0 thư đã có" (brk36 F8)
    assert "Trước khi dừng: đã lưu 1 thư mới" in done.stdout and "thư đã có từ" not in done.stdout
    (saved,) = [p for p in inbox.rglob("*") if p.is_file()]
    assert saved.read_bytes() == first
    assert not (tmp_path / ".inbox.dang-tai-thu").exists()  # the piece of the second, removed


def test_leftovers_of_a_killed_run_are_removed(tmp_path, form, make_file):
    work = tmp_path / ".inbox.dang-tai-thu"
    work.mkdir()
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    (work / f".uid-7.{dead.stdout.strip()}.tmp").write_bytes(b"half a message")
    fake = FakeImap([eml(report_message(form, make_file, tmp_path))])
    with BadServer(fake, connections=1, lifetime=30) as server:
        done = cli(
            config(tmp_path / "cfg", plain(server.port)), "mail", "fetch", "--inbox", str(tmp_path / "inbox")
        )
    assert done.returncode == 0, done.stderr
    assert "Đã xóa 1 tệp tạm" in done.stdout and not work.exists()
    assert len(list((tmp_path / "inbox" / "thu").glob("*.eml"))) == 1


# ---------------------------------------------------------------- messages that misbehave


def nested(levels: int) -> bytes:
    """A message from a unit with `levels` multipart levels, one text at the bottom."""
    out = [f"From: {UNIT_ADDR}\r\nTo: {OFFICE}\r\nSubject: Lồng sâu\r\nMIME-Version: 1.0\r\n".encode()]
    out += [b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (k, k) for k in range(levels)]
    out.append(b"Content-Type: text/plain\r\n\r\nhello\r\n")
    out += [b"--b%d--\r\n" % k for k in reversed(range(levels))]
    return b"".join(out)


def parenthesised() -> bytes:
    """A From: with thousands of nested comments: the header parser recurses once each."""
    comment = b"(" * 5000 + b"x" + b")" * 5000
    return (
        b"From: " + comment + b" <ai@do.vn>\r\nTo: " + OFFICE.encode() + b"\r\nSubject: ngoac\r\n\r\nthan\r\n"
    )


def test_messages_that_break_the_parser_do_not_stop_the_fetch(mailbox, form, make_file, tmp_path):
    good = report_message(form, make_file, tmp_path)
    for raw in (nested(2000), parenthesised()):
        mailbox.append(raw, at(11, 8))
    mailbox.append(bytes(good), msg_arrival(good))
    inbox = tmp_path / "inbox"
    done = cli(config(tmp_path / "cfg", dovecot_imap(mailbox)), "mail", "fetch", "--inbox", str(inbox))
    assert done.returncode == 0, done.stderr
    assert "Đã lưu 3 thư mới" in done.stdout, done.stdout
    notes = [line for line in done.stdout.splitlines() if line.startswith("Lưu ý:")]
    assert len(notes) == 2 and "2.000 phần lồng nhau, quá giới hạn 20" in notes[0] + notes[1]
    assert "phần đầu thư lồng nhau quá sâu" in notes[0] + notes[1]
    # the consolidation lists each with its reason, and reads the good one
    saved = sorted((inbox / "thu").glob("*.eml"))
    lines = [s for p in saved for s in expand(p, p.name, form.limits, load_mail_settings(form).zone)]
    broken = [s for s in lines if s.problem and s.problem[0] == "FILE_CORRUPT"]
    assert len(broken) == 2 and all("hỏng" in s.problem[1] for s in broken)
    assert any(s.name.endswith(".xlsx") for s in lines)


def test_a_message_over_the_size_limit_is_not_downloaded(mailbox, form, make_file, tmp_path):
    big = message(UNIT_ADDR, "Báo cáo kèm ảnh", at(13, 8), [("anh.xlsx", os.urandom(300_000))])
    small = report_message(form, make_file, tmp_path)
    for msg in (big, small):
        mailbox.append(bytes(msg), msg_arrival(msg))
    cfg = config(tmp_path / "cfg", dovecot_imap(mailbox), max_file_bytes=200_000)
    inbox = tmp_path / "inbox"
    done = cli(cfg, "mail", "fetch", "--inbox", str(inbox))
    assert done.returncode == 0, done.stderr
    (line,) = [s for s in done.stdout.splitlines() if s.startswith("Không tải:")]
    assert f"{UNIT_ADDR} — Báo cáo kèm ảnh" in line and "vượt giới hạn 200.000 byte" in line
    assert "không tải 1 thư" in done.stdout
    (saved,) = (inbox / "thu").glob("*.eml")
    assert email.message_from_bytes(saved.read_bytes(), policy=default_policy)["Subject"] == "Báo cáo 588"


def test_a_password_with_vietnamese_letters(mailbox, form, make_file, tmp_path):
    msg = report_message(form, make_file, tmp_path)
    mailbox.append(bytes(msg), msg_arrival(msg), user=USER_VI)
    cfg = config(tmp_path / "cfg", dovecot_imap(mailbox, user=USER_VI))
    done = cli(cfg, "mail", "fetch", "--inbox", str(tmp_path / "inbox"), password=PASSWORD_VI)
    assert done.returncode == 0, done.stderr
    assert "Đã lưu 1 thư mới" in done.stdout


def test_a_vietnamese_password_to_a_server_without_auth_plain(tmp_path):
    fake = FakeImap([], capabilities="IMAP4rev1")
    with BadServer(fake, connections=1, lifetime=20) as server:
        done = cli(
            config(tmp_path / "cfg", plain(server.port)),
            "mail",
            "fetch",
            "--inbox",
            str(tmp_path / "i"),
            password="mật khẩu",
        )
    fails_in_one_line(done, "mật khẩu có chữ tiếng Việt", "không dấu")
    assert not fake.logins  # never sent some other way


def test_fetching_a_large_message_costs_little_memory(mailbox, tmp_path):
    size = 12_000_000
    msg = message(UNIT_ADDR, "Báo cáo lớn", at(14, 8), [("lon.xlsx", os.urandom(size))])
    raw = bytes(msg)
    mailbox.append(raw, msg_arrival(msg))
    result, peak = fetch_measured(mailbox, tmp_path)
    (saved,) = result.saved
    assert saved.read_bytes() == raw.replace(b"\n", b"\r\n")  # as Dovecot keeps it: CRLF lines
    assert peak < 2 * len(raw) + 4_000_000  # the bound asked for
    assert peak < 8 * fetch_module.CHUNK, f"peak {peak:,} bytes for a {len(raw):,}-byte message"


def test_the_scanner_finds_what_the_parser_finds(form, make_file, tmp_path):
    inner = report_message(form, make_file, tmp_path, seed=3)
    msg = message("a@b.vn", "Fwd", at(1, 1), [("cong-van.pdf", b"%PDF"), ("b.zip", b"PK")], forward=inner)
    path = tmp_path / "m.eml"
    path.write_bytes(bytes(msg))
    scan = fetch_module.scan_message(path)
    parsed = email.message_from_bytes(bytes(msg), policy=default_policy)
    names = [p.get_filename() for p in parsed.walk() if p.get_filename()]
    assert scan.attachments == names == ["cong-van.pdf", "b.zip", "bao-cao-3.xlsx"]
    assert scan.depth == 2 and str(scan.headers["Subject"]) == "Fwd"


# ---------------------------------------------------------------- sending


def draft(folder: Path, unit: str, to: list[str]) -> Path:
    msg = EmailMessage()
    msg["From"] = OFFICE
    if to:
        msg["To"] = ", ".join(to)
    msg["Subject"] = f"Thư trả lời {unit}"
    msg["Message-ID"] = f"<{unit}.tra-loi@sldtbxh.kiengiang.gov.vn>"
    msg["X-Unsent"] = "1"
    msg.set_content(f"Kính gửi đơn vị {unit}.")
    path = folder / f"thu-{unit}.eml"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(msg))
    return path


def smtp_server(port: int):
    from pipeline.intake.mail_settings import Server

    return Server("127.0.0.1", port, "none", "", "", "")


VN = dt.timezone(dt.timedelta(hours=7))


def test_a_lost_reply_to_data_is_never_a_silent_second_copy(tmp_path):
    folder = tmp_path / "thu"
    paths = [draft(folder, "H1", ["h1@kg.vn"]), draft(folder, "H2", ["h2@kg.vn"]), draft(folder, "H3", [])]
    lossy = LosesDataReply()
    with BadServer(lossy, connections=5, lifetime=30) as server:
        result = send_drafts(paths, smtp_server(server.port), "", VN, timeout=2)
        assert [o.status for o in result.outcomes] == [OUT_UNKNOWN, OUT_UNKNOWN, OUT_NO_ADDRESS]
        assert len(lossy.received) == 2 and result.fault is None  # each letter: its own connection
        record = load_record(folder)
        assert {v["state"] for v in record.values()} == {SENDING}
        again = send_drafts(paths, smtp_server(server.port), "", VN, timeout=2)
        assert [o.status for o in again.outcomes] == [OUT_HELD, OUT_HELD, OUT_NO_ADDRESS]
        assert len(lossy.received) == 2  # nothing sent without the officer's word
    with picky_smtp(set(), set()) as (port, sink):
        told = send_drafts(paths, smtp_server(port), "", VN, resend_unknown=True)
    assert [o.status for o in told.outcomes] == [OUT_SENT, OUT_SENT, OUT_NO_ADDRESS] and len(
        sink.messages
    ) == 2
    assert {v["state"] for v in load_record(folder).values()} == {SENT}
    assert all(b"X-Unsent" not in raw for _, raw in sink.messages)


def test_the_record_says_sending_before_data(tmp_path):
    """The record is on disk, "sending", by the time the server has the message."""
    folder = tmp_path / "thu"
    path = draft(folder, "H1", ["h1@kg.vn"])
    seen: list[str] = []

    class Watching(LosesDataReply):
        def __call__(self, conn, stop):
            super().__call__(conn, stop)
            seen.append(
                json.loads((folder / RECORD).read_text())["<H1.tra-loi@sldtbxh.kiengiang.gov.vn>"]["state"]
            )

    with BadServer(Watching(), connections=1, lifetime=20) as server:
        send_drafts([path], smtp_server(server.port), "", VN, timeout=2)
    assert seen == [SENDING]


def test_send_goes_on_past_refusals_with_the_servers_words(form, tmp_path):
    units = [u.code for u in form.units]
    emails = {
        units[0]: ["ok0@kg.vn"],
        units[1]: ["khong-co@kg.vn"],  # refused at RCPT
        units[2]: ["ok2@kg.vn", "sai@kg.vn"],  # one of two refused
        units[3]: ["chan@kg.vn"],  # refused after DATA
        units[4]: ["ok4@kg.vn"],
    }
    with picky_smtp({"khong-co@kg.vn", "sai@kg.vn"}, {"chan@kg.vn"}) as (port, sink):
        smtp = {"host": "127.0.0.1", "port": port, "security": "none", "user": ""}
        cfg = config(tmp_path / "cfg", smtp=smtp, emails=emails)
        inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
        inbox.mkdir()
        consolidate_into(load_form(cfg), inbox, outbox, show_progress=False)
        done = cli(cfg, "mail", "drafts", "--outbox", str(outbox), "--send")
        again = cli(cfg, "mail", "drafts", "--outbox", str(outbox), "--send")
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    out = done.stdout
    assert "Đã gửi" in out, done.stderr
    assert f"{units[1]:<6} bị máy chủ từ chối, chưa gửi -> khong-co@kg.vn" in out
    assert "khong-co@kg.vn: máy chủ trả lời «550 5.1.1 <khong-co@kg.vn>: Recipient address rejected" in out
    assert f"{units[2]:<6} đã gửi, một số địa chỉ bị từ chối -> ok2@kg.vn, sai@kg.vn" in out
    assert "sai@kg.vn: máy chủ trả lời «550 5.1.1" in out
    assert f"{units[3]:<6} bị máy chủ từ chối, chưa gửi" in out and "«554 5.7.1 Message rejected" in out
    assert f"{units[0]:<6} đã gửi -> ok0@kg.vn" in out and f"{units[4]:<6} đã gửi -> ok4@kg.vn" in out
    assert "Đã gửi 3 thư" in out and "2 thư bị từ chối" not in out and "3 thư bị từ chối" in out
    got = sorted(r for to, _ in sink.messages for r in to)
    assert got == ["ok0@kg.vn", "ok2@kg.vn", "ok4@kg.vn"]
    # the next run sends nothing twice; the refused letters are tried again (a definite no)
    assert "3 thư đã gửi từ trước" in again.stdout
    assert sorted(r for to, _ in sink.messages for r in to) == [*got]


def test_an_unknown_outcome_waits_for_the_officers_word(form, tmp_path):
    code = form.units[0].code
    inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
    inbox.mkdir()
    lossy = LosesDataReply()
    with BadServer(lossy, connections=3, lifetime=60) as server:
        smtp = {"host": "127.0.0.1", "port": server.port, "security": "none", "user": ""}
        cfg = config(tmp_path / "cfg", smtp=smtp, emails={code: ["h1@kg.vn"]}, timeout=2)
        consolidate_into(load_form(cfg), inbox, outbox, show_progress=False)
        first = cli(cfg, "mail", "drafts", "--outbox", str(outbox), "--send")
        second = cli(cfg, "mail", "drafts", "--outbox", str(outbox), "--send")
    assert first.returncode == 1 and "Traceback" not in first.stderr, first.stderr
    assert f"{code:<6} CHƯA RÕ đã gửi hay chưa -> h1@kg.vn" in first.stdout
    assert "--gui-lai-thu-chua-ro" in first.stdout and "1 thư chưa rõ đã gửi hay chưa" in first.stdout
    assert second.returncode == 1 and f"{code:<6} CHƯA RÕ từ lần trước, không gửi lại" in second.stdout
    assert len(lossy.received) == 1  # the second run sent nothing
    with picky_smtp(set(), set()) as (port, sink):
        cfg = config(tmp_path / "cfg2", smtp={**smtp, "port": port}, emails={code: ["h1@kg.vn"]})
        told = cli(cfg, "mail", "drafts", "--outbox", str(outbox), "--send", "--gui-lai-thu-chua-ro")
    assert told.returncode == 0, told.stdout + told.stderr
    assert f"{code:<6} đã gửi -> h1@kg.vn" in told.stdout and len(sink.messages) == 1
