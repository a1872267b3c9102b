"""brk8 s2: a unit's message too large to fetch (`mail fetch` leaves it on the server, "Không
tải … hãy đề nghị đơn vị gửi lại") is said in that unit's letter, with when it came, how
large it was and what to do, when it came after the file the letter answers; a unit that has
sent a newer file since is not told of its older large message. Real servers (Dovecot,
aiosmtpd), the commands in their own processes.
"""

from __future__ import annotations

import os
import re
import shutil

from pipeline.form import Form

from .mailserver import start_smtp
from .test_mail import SMTP_PASSWORD, SMTP_USER, at, cli, message, write_config
from .test_mail import dovecot as dovecot  # noqa: F401 - the module's server fixture
from .test_mail9_reminders import text_of
from .test_resubmission import dated

LIMIT = 400_000


def test_a_message_too_large_is_told_to_its_unit(dovecot, form: Form, make_file, tmp_path):  # noqa: F811
    d = [u.code for u in form.units if u.kind == "district"]
    broken, fixed = d[0], d[1]
    addr = {c: f"vanphong.{c.lower()}@kiengiang.gov.vn" for c in (broken, fixed)}
    files = tmp_path / "files"
    f_broken, _ = make_file(broken, dated(17, form), name=f"{broken}.xlsx", folder=files)
    half = f_broken.read_bytes()[: f_broken.stat().st_size // 2]
    f_fixed, _ = make_file(fixed, dated(18, form), name=f"{fixed}.xlsx", folder=files)
    big = ("bao-cao-kem-anh.xlsx", os.urandom(LIMIT))
    for msg, when in (
        (message(addr[broken], "Báo cáo 588", at(17, 7), [(f_broken.name, half)]), at(17, 7)),
        (message(addr[broken], "Báo cáo 588 (kèm ảnh)", at(17, 8), [big]), at(17, 8)),
        (message(addr[fixed], "Báo cáo 588 (kèm ảnh)", at(16, 8), [big]), at(16, 8)),
        (message(addr[fixed], "Báo cáo 588", at(18, 9), [(f_fixed.name, f_fixed.read_bytes())]), at(18, 9)),
    ):
        dovecot.append(bytes(msg), when)
    with_smtp = start_smtp(dovecot.cert, dovecot.root / "key.pem", SMTP_USER, SMTP_PASSWORD)
    controller, sink = next(with_smtp)
    try:
        cfg = write_config(tmp_path / "cfg", dovecot, controller.port, {c: [a] for c, a in addr.items()})
        text = cfg.read_text(encoding="utf-8")
        assert "max_file_bytes = 20_000_000" in text
        cfg.write_text(
            text.replace("max_file_bytes = 20_000_000", f"max_file_bytes = {LIMIT}"), encoding="utf-8"
        )
        inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
        out = cli(cfg, "mail", "fetch", "--inbox", str(inbox))
        assert out.returncode == 0 and out.stdout.count("Không tải:") == 2, out.stdout + out.stderr
        for args in (
            ("consolidate", "--inbox", str(inbox), "--outbox", str(outbox)),
            ("mail", "drafts", "--outbox", str(outbox), "--send"),
        ):
            out = cli(cfg, *args)
            assert out.returncode in (0, 1), out.stdout + out.stderr
        letters = {rcpts[0]: text_of(raw) for _, rcpts, raw in sink.messages}
        told = letters[addr[broken]]
        assert "tệp bị hỏng" in told  # the letter answers its broken file, and says the newer one
        said = re.search(r"Thư của đơn vị nhận lúc 08:15 ngày 17/11/2025 nặng ([\d.]+) byte", told)
        assert said and int(said.group(1).replace(".", "")) > LIMIT, told
        assert f"vượt giới hạn {LIMIT:,} byte".replace(",", ".") in told
        assert "gửi lại thư chỉ đính kèm tệp Excel báo cáo" in told
        assert "nặng" not in letters[addr[fixed]]  # its file of the 18th came after its large message
    finally:
        next(with_smtp, None)
        shutil.rmtree(tmp_path / "files", ignore_errors=True)


def test_a_saved_message_too_large_says_who_sent_it_and_what_to_ask(make_file, tmp_path):
    """brk36 F4: a message saved by hand (Outlook's Save As) holding the report and a large
    scan was "tệp quá lớn" with no sender, no arrival and no advice; now it is said as
    `mail fetch` says one it does not download, with its sender and when it came."""
    from email.message import EmailMessage

    from pipeline.app import consolidate_into
    from pipeline.form import load_form

    form = load_form(overrides={"limits": {"max_file_bytes": LIMIT}})
    report, _ = make_file("903", dated(17, form), name="903.xlsx", folder=tmp_path / "src")
    msg = EmailMessage()
    msg["From"] = "vanphong.903@kiengiang.gov.vn"
    msg["To"] = "so@kiengiang.gov.vn"
    msg["Subject"] = "Báo cáo 588 (kèm bản quét)"
    msg["Date"] = "Thu, 20 Nov 2025 09:00:00 +0700"
    msg.set_content("Kính gửi Sở.")
    msg.add_attachment(
        report.read_bytes(), maintype="application", subtype="octet-stream", filename="903.xlsx"
    )
    msg.add_attachment(os.urandom(LIMIT), maintype="application", subtype="pdf", filename="ban-quet.pdf")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "bao-cao-903.eml").write_bytes(bytes(msg))
    result = consolidate_into(form, inbox, tmp_path / "out", show_progress=False)
    (rec,) = result.files
    (finding,) = rec.parsed.findings
    assert finding.code == "FILE_TOO_LARGE"
    assert f"vượt giới hạn {LIMIT:,} byte".replace(",", ".") in finding.message
    assert finding.message.endswith(
        "chưa mở: hãy đề nghị đơn vị gửi lại tệp Excel báo cáo riêng, không kèm tệp lớn"
    )
    assert rec.parsed.origin.sender == "vanphong.903@kiengiang.gov.vn"
    assert rec.received is not None and rec.received.strftime("%d/%m/%Y %H:%M") == "20/11/2025 09:00"
