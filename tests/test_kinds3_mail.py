"""`mail fetch` keeps a message whose attachment is a spreadsheet or an archive by its bytes,
whatever it is called, from whatever address: a unit writing from a personal address with
"899.xml" (an Excel 2003 XML spreadsheet), "bao cao" (no suffix) or "baocao.xlsx.pdf" is
fetched, and the consolidation reads it; a letter, a scan or a Word document from an
unknown address is still skipped. Against the project's real IMAP server (Dovecot), with
bounded memory while the attachments' bytes are looked at.
"""

from __future__ import annotations

import os

import pytest

from pipeline.app import consolidate_into
from pipeline.form import Form
from pipeline.run.result import FileStatus, UnitStatus
from tests import lo

from . import test_mail_faults as faults
from .nasty import zip_of
from .test_mail import at, message, msg_arrival
from .test_mail_faults import cli, config, dovecot_imap, fetch_measured

# Dovecot for the module, its INBOXes emptied after each test (test_mail_faults' fixtures)
dovecot, mailbox = faults.dovecot, faults.mailbox


_zip = zip_of  # tests/nasty.py


def _fetched(mailbox, tmp_path, saved: int):
    """`mail fetch` from the Dovecot mailbox into tmp_path/inbox: `saved` messages kept, the
    letter from ban.be@gmail.com (no report) skipped. Returns the inbox."""
    inbox = tmp_path / "inbox"
    done = cli(
        config(tmp_path / "cfg", dovecot_imap(mailbox), timeout=30), "mail", "fetch", "--inbox", str(inbox)
    )
    assert done.returncode == 0, done.stderr
    assert f"Đã lưu {saved} thư mới" in done.stdout, done.stdout
    assert "Bỏ qua: ban.be@gmail.com" in done.stdout
    return inbox


@pytest.mark.libreoffice
def test_a_report_known_by_its_bytes_is_fetched_from_any_address(mailbox, form: Form, make_file, tmp_path):
    made = {c: make_file(c, folder=tmp_path / "src")[0] for c in ("899", "900", "902", "903")}
    xml = lo.sheetjs_convert(made["899"], tmp_path / "899.xml", "xlml").read_bytes()
    note = tmp_path / "cong-van.txt"
    note.write_text("Kính gửi Sở: đơn vị gửi báo cáo sau.", encoding="utf-8")
    doc = lo.convert(note, tmp_path / "lo", "doc").read_bytes()
    traffic = [
        message("ketoan.899@gmail.com", "Báo cáo 588", at(12, 8), [("899.xml", xml)]),
        message("ketoan.900@gmail.com", "Báo cáo 588", at(12, 9), [("bao cao", made["900"].read_bytes())]),
        message("ketoan.902@yahoo.com", "Bao cao", at(12, 10), [("baocao.xlsx.pdf", made["902"].read_bytes())]),
        message("ketoan.903@gmail.com", "Gửi tệp", at(12, 11), [("tai-lieu", _zip({"903.xlsx": made["903"].read_bytes()}))]),
        message("ban.be@gmail.com", "Thư mời", at(12, 12), [("thu-moi", doc), ("anh.jpg", b"\xff\xd8\xff" + os.urandom(2000))]),
    ]  # fmt: skip
    for msg in traffic:
        mailbox.append(bytes(msg), msg_arrival(msg))
    inbox = _fetched(mailbox, tmp_path, 4)
    assert sorted(p.name for p in (inbox / "thu").glob("*.eml")) and not list(
        tmp_path.glob(".inbox.dang-tai-thu/*")
    )
    # the consolidation reads what was fetched: each unit has sent its report
    report = consolidate_into(form, inbox, tmp_path / "out", show_progress=False)
    units = {u.code: u for u in report.units}
    assert (
        units["899"].status == UnitStatus.REJECTED
    )  # an Excel 2003 XML spreadsheet: refused as one, credited
    assert [f.code for f in units["899"].files[0].parsed.findings] == ["FILE_FORMAT"]
    for code, name in (("900", "bao cao"), ("902", "baocao.xlsx.pdf"), ("903", "903.xlsx")):
        assert units[code].status == UnitStatus.ACCEPTED, code
        assert units[code].file.parsed.name.rpartition(" › ")[2] == name
        assert units[code].file.status in (FileStatus.ACCEPTED, FileStatus.ACCEPTED_WARNINGS)


def test_looking_at_the_attachments_bytes_costs_little_memory(mailbox, tmp_path):
    """A 12 MB attachment without a report's name from an unknown address is looked at by
    its bytes, as the scanner reads it: memory stays far below its size; a zip is read to
    its end (its directory), anything else only its start; no piece is left behind."""
    size = 12_000_000
    noise = message("ai.do@gmail.com", "Ảnh", at(14, 8), [("anh-chup", os.urandom(size))])
    archive = _zip({f"tep-{i}.bin": os.urandom(size // 4) for i in range(4)})
    packed = message("ai.khac@gmail.com", "Tệp nén", at(14, 9), [("tai-lieu", archive)])
    for msg in (noise, packed):
        mailbox.append(bytes(msg), msg_arrival(msg))
    result, peak = fetch_measured(mailbox, tmp_path)
    assert [label for label, _ in result.skipped] == ["ai.do@gmail.com — Ảnh"]
    assert len(result.saved) == 1  # the archive, known by its bytes
    assert peak < 8_000_000, peak
    assert not [p for p in tmp_path.rglob("*dinh-kem*")]


def _unnamed(msg, data: bytes, disposition: str | None) -> None:
    """`data` attached as a script's MIMEApplication does by default: the spreadsheet's media
    type, base64, no file name, no Content-Disposition (or an inline one)."""
    from email.mime.application import MIMEApplication

    part = MIMEApplication(data, "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    if disposition:
        part["Content-Disposition"] = disposition
    msg.make_mixed()
    msg.attach(part)


def _spelled(msg, cte: str) -> bytes:
    """The message's bytes with its attachment's Content-Transfer-Encoding spelled `cte`:
    white space, a comment or folding RFC 5322 allows around the mechanism."""
    raw = bytes(msg)
    plain = b"Content-Transfer-Encoding: base64\n"
    assert raw.count(plain) == 1, raw.count(plain)
    return raw.replace(plain, b"Content-Transfer-Encoding: " + cte.encode() + b"\n")


def test_an_unnamed_report_and_a_transfer_encoding_spelled_otherwise_are_read(
    mailbox, form: Form, make_file, tmp_path
):
    """brk36 F2: a report attached with no file name and no disposition (Python's
    MIMEApplication, some phone apps) was not seen: from a personal address `mail fetch`
    skipped the message, from the unit's own it was "không có tệp báo cáo đính kèm". brk36
    F3: "Content-Transfer-Encoding: base64 " (a trailing space, "base64 (Outlook)", folded)
    gave the base64 text as the file, rejected as plain text. Each is fetched from Dovecot
    and read; a message whose unnamed part is not a report still has no report."""
    made = {
        c: make_file(c, folder=tmp_path / "src")[0].read_bytes() for c in ("899", "900", "902", "903", "905")
    }
    unnamed = message("ketoan.899@gmail.com", "Báo cáo 588", at(12, 8))
    _unnamed(unnamed, made["899"], None)
    inline = message("ketoan.900@gmail.com", "Báo cáo 588", at(12, 9))
    _unnamed(inline, made["900"], "inline")
    spelled = {
        "902": ("base64 ", at(12, 10)),
        "903": ("base64 (Outlook)", at(12, 11)),
        "905": ("\n base64", at(12, 12)),
    }
    raws = [bytes(unnamed), bytes(inline)]
    for code, (cte, when) in spelled.items():
        raws.append(
            _spelled(
                message(f"ketoan.{code}@gmail.com", "Bao cao", when, [(f"{code}.xlsx", made[code])]), cte
            )
        )
    letter = message("ban.be@gmail.com", "Thư mời", at(12, 13))
    _unnamed(letter, b"%PDF-1.4\n" + os.urandom(3000), None)
    raws.append(bytes(letter))
    for raw in raws:
        mailbox.append(raw, msg_arrival(unnamed))
    inbox = _fetched(mailbox, tmp_path, 5)
    report = consolidate_into(form, inbox, tmp_path / "out", show_progress=False)
    units = {u.code: u for u in report.units}
    for code in ("899", "900", *spelled):
        assert units[code].status == UnitStatus.ACCEPTED, (
            code,
            [f.parsed.findings for f in units[code].files],
        )
        assert units[code].file.status in (FileStatus.ACCEPTED, FileStatus.ACCEPTED_WARNINGS)


def test_a_report_forwarded_closed_is_fetched(mailbox, form: Form, make_file, tmp_path):
    """brk47 F2: a forward from a personal address whose original message is attached as a
    file ("Bao cao 588.eml") or as message/rfc822 in base64 (Exchange, Outlook) was skipped
    as "không có tệp báo cáo đính kèm", lost to the officer. It is fetched, and consolidated."""
    report = make_file("903", folder=tmp_path / "src")[0].read_bytes()
    original = message("vanphong903@gmail.com", "Báo cáo 588", at(12, 8), [("903.xlsx", report)])
    as_file = message("ketoan.903@gmail.com", "Fwd: Báo cáo 588", at(12, 9))
    as_file.add_attachment(
        bytes(original), maintype="application", subtype="octet-stream", filename="Bao cao 588.eml"
    )
    encoded = message("ketoan.904@gmail.com", "Fwd: Báo cáo 588", at(12, 10))
    encoded.add_attachment(bytes(original), maintype="message", subtype="rfc822", cte="base64")
    for msg in (as_file, encoded, message("ban.be@gmail.com", "Thư mời", at(12, 12))):
        mailbox.append(bytes(msg), msg_arrival(msg))
    inbox = _fetched(mailbox, tmp_path, 2)
    result = consolidate_into(form, inbox, tmp_path / "out", show_progress=False)
    read = [r for r in result.files if r.parsed.name.endswith("› 903.xlsx")]
    assert len(read) == 2 and sorted(r.status == FileStatus.SUPERSEDED for r in read) == [False, True]
    assert next(
        r for r in read if r.status != FileStatus.SUPERSEDED
    ).status.accepted  # the unit's report counts
