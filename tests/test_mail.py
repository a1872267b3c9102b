"""Issue #12: reports straight from the mailbox, against real servers.

A Dovecot IMAP server (TLS, self-signed certificate made by the fixture) is seeded with a
month of a province's mail, built here with the standard library and the project's own
filler: first files, corrections, a late report, a .zip, a forwarded report, a message
without attachment, a day/month-swapped date, a newsletter. Then `mail fetch` ->
`consolidate` -> `mail drafts` -> `mail drafts --send` (aiosmtpd, STARTTLS and login),
checking which files count, on time and late by arrival, the manifest, the drafts, that
the mailbox is unchanged and that nothing is sent twice.
"""

from __future__ import annotations

import datetime as dt
import email
import io
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime, make_msgid
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pipeline.app import consolidate_into
from pipeline.form import Form, load_form
from pipeline.outbox.paths import manifest_path
from pipeline.text.names import slug, template_name

from .conftest import ROOT
from .mailserver import PASSWORD, USER, Dovecot, start_dovecot, start_smtp
from .test_resubmission import bad, dated

VN = ZoneInfo("Asia/Ho_Chi_Minh")
OFFICE = "tonghop588@sldtbxh.kiengiang.gov.vn"
SMTP_USER, SMTP_PASSWORD = "gui-thu", "mat-khau-gui"


@pytest.fixture(scope="module")
def dovecot() -> Iterator[Dovecot]:
    yield from start_dovecot()


def write_config(folder: Path, imap: Dovecot, smtp_port: int, emails: dict[str, list[str]]) -> Path:
    """A copy of the shipped configuration pointing at the test servers, with unit addresses."""
    text = (ROOT / "schemas" / "kien-giang.toml").read_text(encoding="utf-8")
    start, end = text.index("\n[mail]\n") + 1, text.index("[[unit_kinds]]")
    block = f"""[mail]
timezone = "Asia/Ho_Chi_Minh"
address = "{OFFICE}"
display_name = "Sở LĐTBXH Kiên Giang"

[mail.imap]
host = "localhost"
port = {imap.port}
security = "tls"
user = "{USER}"
password_env = "TEST_IMAP_PASSWORD"
cafile = "{imap.cert}"

[mail.smtp]
host = "127.0.0.1"
port = {smtp_port}
security = "starttls"
user = "{SMTP_USER}"
password_env = "TEST_SMTP_PASSWORD"
cafile = "{imap.cert}"

"""
    text = text[:start] + block + text[end:]
    for code, addresses in emails.items():
        head = f'[[units]]\ncode = "{code}"\n'
        assert head in text
        text = text.replace(head, f"{head}emails = {json.dumps(addresses)}\n")
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("layout.toml", "bao-cao.toml"):  # the template layout, the report's wording
        (folder / name).write_text((ROOT / "schemas" / name).read_text(encoding="utf-8"))
    path = folder / "kien-giang.toml"
    path.write_text(text, encoding="utf-8")
    return path


def message(
    sender: str,
    subject: str,
    arrival: dt.datetime,
    attachments: list[tuple[str, bytes]] = (),
    body: str = "Kính gửi Sở LĐTBXH, đơn vị gửi báo cáo năm 2025.",
    forward: EmailMessage | None = None,
) -> EmailMessage:
    """A message as the office's server stores it: its own Received: on top (UTC), the
    sender's hop below, the sender's Date: a few minutes earlier in Vietnam time."""
    domain = sender.rpartition("@")[2]
    m = EmailMessage()
    m["Received"] = (
        f"from mail.{domain} (mail.{domain} [203.113.1.2]) by mx.kiengiang.gov.vn with ESMTPS; "
        f"{format_datetime(arrival.astimezone(dt.UTC))}"
    )
    m["Received"] = f"from pc by mail.{domain}; {format_datetime(arrival - dt.timedelta(minutes=3))}"
    m["From"] = sender
    m["To"] = OFFICE
    m["Subject"] = subject
    m["Date"] = format_datetime(arrival - dt.timedelta(minutes=4))
    m["Message-ID"] = make_msgid(domain=domain)
    m.set_content(body)
    for name, data in attachments:
        m.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    if forward is not None:
        m.add_attachment(forward)
    return m


def at(day: int, hour: int, month: int = 11) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, 15, tzinfo=VN)


def zipped(member: str, data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(member, data)
    return buf.getvalue()


def cli(config: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "TEST_IMAP_PASSWORD": PASSWORD, "TEST_SMTP_PASSWORD": SMTP_PASSWORD}
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "--config", str(config), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_month_of_mail(dovecot, form: Form, make_file, tmp_path):
    d = [u.code for u in form.units if u.kind == "district"]
    k = [u.code for u in form.units if u.kind == "department"]
    u1, u2, u3, u4, u5, u6, u7, u8 = d[0], d[1], d[2], d[3], d[4], k[0], k[1], k[2]
    addr = {c: [f"vanphong.{c.lower()}@kiengiang.gov.vn"] for c in (u1, u2, u3, u4, u5, u6, u8)}
    files = tmp_path / "files"

    def xlsx(code: str, mutate, seed: int) -> tuple[str, bytes, dict]:
        path, data = make_file(code, mutate, name=f"bao-cao-{code}-{seed}.xlsx", seed=seed, folder=files)
        return path.name, path.read_bytes(), data

    # a month of traffic (arrival = the office server's Received: time)
    u1_first, u1_fix = xlsx(u1, bad(form, 5), 1), xlsx(u1, dated(10, form), 2)
    # typed 12/11 on a US-settings computer: stored as 11 December
    u2_swapped = xlsx(u2, dated(dt.date(2025, 12, 11)), 1)
    u2_fix = xlsx(u2, dated(25, form), 2)
    u3_late = xlsx(u3, dated(28, form), 1)  # typed before the deadline, arrived after it
    u4_zip = xlsx(u4, dated(20, form), 1)
    u5_orig = xlsx(u5, dated(14, form), 1)
    u8_bad = xlsx(u8, bad(form, 21), 1)
    original = message(addr[u5][0], "Báo cáo 588", at(14, 9), [u5_orig[:2]])
    traffic = [
        (message(addr[u1][0], "Báo cáo QĐ 588 năm 2025", at(5, 8), [u1_first[:2]]), True),
        (message(addr[u1][0], "Gửi lại báo cáo đã sửa", at(10, 9), [u1_fix[:2]]), False),
        (message(addr[u2][0], "Báo cáo 588", at(12, 16), [u2_swapped[:2]]), True),
        (message(addr[u2][0], "Báo cáo 588 (bản sửa)", at(25, 10), [u2_fix[:2]]), False),
        (message(addr[u3][0], "Báo cáo 588", at(3, 10, month=12), [u3_late[:2]]), False),
        (message(addr[u4][0], "Báo cáo 588 (tệp nén)", at(20, 14), [(f"{u4}.zip", zipped(f"bao cao/{u4_zip[0]}", u4_zip[1]))]), False),
        (message("ketoan.nguyen@gmail.com", "Fwd: Báo cáo 588", at(18, 7), forward=original), False),
        (message(addr[u6][0], "V/v báo cáo 588", at(15, 11), body="Đơn vị sẽ gửi báo cáo sau."), True),
        (message(addr[u8][0], "Báo cáo 588", at(21, 15), [u8_bad[:2]]), False),
        (message("tin-tuc@baomoi.example", "Bản tin tuần", at(16, 6), body="Tin tức trong tuần."), False),
    ]  # fmt: skip
    for msg, seen in traffic:
        dovecot.append(bytes(msg), msg_arrival(msg), seen=seen)
    before = dovecot.state()
    assert len(before) == len(traffic) and sum("\\Seen" in s for s in before) == 3

    with_smtp = start_smtp(dovecot.cert, dovecot.root / "key.pem", SMTP_USER, SMTP_PASSWORD)
    controller, sink = next(with_smtp)
    try:
        config = write_config(tmp_path / "cfg", dovecot, controller.port, addr)
        inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
        # 1. fetch: eight report messages saved (seven with files, one from a unit without),
        #    the newsletter skipped; the mailbox exactly as it was
        out = cli(config, "mail", "fetch", "--inbox", str(inbox))
        assert out.returncode == 0, out.stderr
        saved = sorted(p.relative_to(inbox).as_posix() for p in inbox.rglob("*.eml"))
        assert len(saved) == len(traffic) - 1, out.stdout
        assert "Bỏ qua: tin-tuc@baomoi.example" in out.stdout
        assert dovecot.state() == before
        again = cli(config, "mail", "fetch", "--inbox", str(inbox))
        assert again.returncode == 0 and "Đã lưu 0 thư mới" in again.stdout
        assert sorted(p.relative_to(inbox).as_posix() for p in inbox.rglob("*")) == [
            "thu",
            *saved,
        ]
        assert dovecot.state() == before
        # a plain file saved by hand, for a unit that did not email
        make_file(u7, dated(22, form), name=f"{u7}.xlsx", folder=inbox)

        # 2. consolidate
        cfg_form = load_form(config)
        report = consolidate_into(cfg_form, inbox, outbox, show_progress=False)
        units = {u.code: u for u in report.units}
        counting = {
            c: (units[c].file.parsed.name.rpartition(" › ")[2] if units[c].file else None) for c in units
        }
        assert counting[u1] == u1_fix[0]
        assert counting[u2] == u2_fix[0]  # arrival, not the typed 11 December, decides
        assert counting[u3] == u3_late[0] and counting[u4] == u4_zip[0] and counting[u5] == u5_orig[0]
        assert counting[u7] == f"{u7}.xlsx"
        assert units[u6].status == "missing" and units[u8].status == "rejected"
        assert {c: units[c].on_time for c in (u1, u2, u3, u4, u5, u7)} == {
            u1: True, u2: True, u3: False, u4: True, u5: True, u7: True,
        }  # fmt: skip
        assert units[u3].submitted_on == dt.date(2025, 12, 3)
        assert {units[c].rule for c in (u1, u2, u3, u4, u5)} == {"arrival"} and units[
            u7
        ].rule == "report_date"
        assert units[u1].file.received == dt.datetime(2025, 11, 10, 9, 15)  # province time
        totals_fix = {rec.parsed.name for rec in report.files if rec.status == "superseded"}
        assert {n.rpartition(" › ")[2] for n in totals_fix} == {u1_first[0], u2_swapped[0]}

        # the typed dates and the sender, checked
        by_name = {rec.parsed.name.rpartition(" › ")[2]: rec for rec in report.files}
        swapped = [f for f in by_name[u2_swapped[0]].parsed.findings if f.code == "DATE_AFTER_ARRIVAL"]
        assert len(swapped) == 1 and swapped[0].cell == cfg_form.info_field("report_date").cell
        assert "12/11/2025" in swapped[0].message and "11/12/2025" in swapped[0].message
        assert [f.code for f in by_name[u5_orig[0]].parsed.findings] == ["SENDER_UNLISTED"]
        assert "ketoan.nguyen@gmail.com" in by_name[u5_orig[0]].parsed.findings[0].message
        assert not [f for f in by_name[u1_fix[0]].parsed.findings]

        # every message, archive and attachment in the manifest, with its fate
        manifest = json.loads(manifest_path(outbox, cfg_form.year).read_text(encoding="utf-8"))["files"]
        lines = {m["name"]: m for m in manifest}
        assert len(lines) == len(manifest)
        messages = [m for m in manifest if m["kind"] == "message"]
        assert sorted(m["name"] for m in messages) == saved
        assert all(len(m["sha256"]) == 64 and m["sender"] and m["message_id"] for m in messages)
        no_report = [m for m in messages if m["status"] == "not_a_report"]
        assert [m["sender"] for m in no_report] == addr[u6] and no_report[0]["warnings"] == 1
        assert {m["status"] for m in messages if m not in no_report} == {"opened"}
        inside = [m for m in manifest if m["container"]]
        assert {m["container"] for m in inside} == {m["name"] for m in messages if m not in no_report}
        archive = [m for m in inside if m["kind"] == "archive"]
        assert len(archive) == 1 and archive[0]["name"].endswith(f" › {u4}.zip")
        member = lines[f"{archive[0]['name']} › {u4_zip[0]}"]
        assert member["kind"] == "member" and member["status"] == "accepted"
        assert member["received"] == "2025-11-20T14:15:00"
        assert lines[f"{u7}.xlsx"]["kind"] == "file"
        assert sorted(inbox.rglob("*.xlsx")) == [inbox / f"{u7}.xlsx"]  # nothing extracted
        assert not list(inbox.rglob("*.zip"))

        # 3. drafts: one per unit, to the right address, saying the right thing
        out = cli(config, "mail", "drafts", "--outbox", str(outbox))
        assert out.returncode == 0, out.stderr
        folder = outbox / "2025" / "thu"
        assert len(list(folder.glob("*.eml"))) == len(form.units)
        drafts = {}
        for unit in form.units:
            (path,) = folder.glob(f"thu-{slug(unit.code, 20)}-*.eml")
            drafts[unit.code] = email.message_from_bytes(path.read_bytes(), policy=default_policy)
        assert len({str(m["Message-ID"]) for m in drafts.values()}) == len(drafts)

        def text(code: str) -> str:
            return drafts[code].get_body(("plain",)).get_content()

        def attached(code: str) -> list[str]:
            return [p.get_filename() for p in drafts[code].iter_attachments()]

        first = {c: traffic_id(traffic, i) for c, i in ((u1, 1), (u6, 7), (u8, 8), (u3, 4))}
        assert str(drafts[u1]["To"]) == addr[u1][0] and "chấp nhận" in text(u1)
        assert str(drafts[u1]["In-Reply-To"]) == first[u1] and drafts[u1]["X-Unsent"] == "1"
        assert "sau hạn nộp" in text(u3) and "đúng hạn" in text(u4)
        assert str(drafts[u5]["To"]) == addr[u5][0]  # the unit's own address, not the forwarder
        assert "1 cảnh báo" in text(u5) and "ketoan.nguyen@gmail.com" in text(u5)
        assert attached(u5) and attached(u5)[0].startswith(f"phan-hoi-{u5}")
        assert "Sở chưa nhận được báo cáo" in text(u6) and "không có tệp báo cáo đính kèm" in text(u6)
        assert str(drafts[u6]["In-Reply-To"]) == first[u6] and "30/11/2025" in text(u6)
        unit6 = form.units_by_code[u6]
        assert attached(u6) == [template_name(form.year, unit6.code, unit6.name)]
        errors = [f for f in by_name[u8_bad[0]].parsed.findings if f.severity == "error"]
        assert (
            errors and all(f.message in text(u8) for f in errors) and "cần sửa" in str(drafts[u8]["Subject"])
        )
        assert attached(u8)[0].startswith(f"phan-hoi-{u8}")
        assert drafts[u7]["To"] is None  # no address known for it: left for the officer

        # 4. --send: every draft with an address, once
        out = cli(config, "mail", "drafts", "--outbox", str(outbox), "--send")
        assert out.returncode == 0, out.stderr
        addressed = {c for c, m in drafts.items() if m["To"]}
        assert len(sink.messages) == len(addressed) == 7 and sink.logins
        rcpts = sorted(r for _, to, _ in sink.messages for r in to)
        assert rcpts == sorted(a for c in addressed for a in addr[c])
        sent_u8 = next(raw for _, to, raw in sink.messages if to == addr[u8])
        assert b"X-Unsent" not in sent_u8 and str(drafts[u8]["Message-ID"]).encode() in sent_u8
        out = cli(config, "mail", "drafts", "--outbox", str(outbox), "--send")
        assert out.returncode == 0 and len(sink.messages) == 7, out.stdout
        assert "Đã gửi 0 thư; 7 thư đã gửi từ trước" in out.stdout
    finally:
        next(with_smtp, None)


def msg_arrival(msg: EmailMessage) -> dt.datetime:
    return email.utils.parsedate_to_datetime(str(msg["Received"]).rpartition(";")[2])


def traffic_id(traffic: list[tuple[EmailMessage, bool]], index: int) -> str:
    return str(traffic[index][0]["Message-ID"])
