"""brk36 F8: a mailbox file (mbox, RFC 4155) in the inbox, as Thunderbird keeps a folder,
Google Takeout exports one and Apple Mail saves several messages at once, named .mbox or
.eml: each of its messages is opened, with its own sender and arrival; before, only the
first one was read and the others' reports were lost without a word. Written by the
standard library's mailbox writer (mboxo: "From " lines, a body's "From " escaped)."""

from __future__ import annotations

import datetime as dt
import mailbox
from email.message import EmailMessage
from pathlib import Path

from pipeline.app import consolidate_into
from pipeline.form import Form
from pipeline.run.consolidate import check_files

from .test_containers import snapshot
from .test_resubmission import bad, dated, expected_totals

SENDERS = {"899": "vanphong.899@kiengiang.gov.vn", "900": "vanphong.900@kiengiang.gov.vn"}


def _message(sender: str, day: int, files: dict[str, bytes], body: str) -> EmailMessage:
    m = EmailMessage()
    m["From"] = sender
    m["To"] = "sldtbxh@kiengiang.gov.vn"
    m["Subject"] = "Báo cáo Đề án 588"
    m["Date"] = f"Thu, {day} Nov 2025 09:30:00 +0700"
    m.set_content(body)
    for name, data in files.items():
        m.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return m


def _mailbox(path: Path, messages: list[EmailMessage], thunderbird: bool = False) -> None:
    """`messages` written to the mailbox file at `path` by the standard library; with
    `thunderbird`, each separator line is "From - <date>", as Thunderbird writes it."""
    box = mailbox.mbox(path)
    for m in messages:
        entry = mailbox.mboxMessage(m)
        if thunderbird:
            entry.set_from("-", dt.datetime(2025, 11, 20, 9, 30).timetuple())
        box.add(entry)
    box.flush()
    box.close()


def test_every_message_of_a_mailbox_file_is_read(form: Form, make_file, tmp_path):
    src = tmp_path / "src"
    good, good_data = make_file("899", dated(20, form), folder=src)
    rejected, _ = make_file("900", bad(form, 20), folder=src)
    other, other_data = make_file("902", dated(21, form), folder=src)
    messages = [
        _message(SENDERS["899"], 20, {"899.xlsx": good.read_bytes()}, "Kính gửi Sở.\n\nFrom đơn vị 899."),
        _message(SENDERS["900"], 21, {"900.xlsx": rejected.read_bytes()}, "Kính gửi Sở."),
        _message("vanphong.902@kiengiang.gov.vn", 22, {"902.xlsx": other.read_bytes()}, "Kính gửi."),
        _message("ai-do@example.vn", 23, {}, "Thư không đính kèm."),
    ]
    for name, thunderbird in (("hop-thu.mbox", False), ("thu-da-luu.eml", True)):
        inbox = tmp_path / name.replace(".", "-")
        inbox.mkdir()
        _mailbox(inbox / name, messages, thunderbird)
        before = snapshot(inbox)
        report = consolidate_into(form, inbox, tmp_path / f"out-{name}", show_progress=False, workers=1)
        assert snapshot(inbox) == before
        recs = {r.parsed.name: r for r in report.files}
        assert recs[name].status == "opened"
        assert [recs[f"{name} › thư {i}"].status for i in (1, 2, 3)] == ["opened"] * 3
        assert recs[f"{name} › thư 1 › 899.xlsx"].status == "accepted"
        assert recs[f"{name} › thư 2 › 900.xlsx"].status == "rejected"
        assert recs[f"{name} › thư 3 › 902.xlsx"].status == "accepted"
        # each with its own message's sender and arrival (province time), counted in its entry
        first = recs[f"{name} › thư 1 › 899.xlsx"].parsed.origin
        assert first.sender == SENDERS["899"] and first.container == name
        assert recs[f"{name} › thư 2 › 900.xlsx"].received == dt.datetime(2025, 11, 21, 9, 30)
        assert [f.code for f in recs[f"{name} › thư 4"].parsed.findings] == ["MAIL_NO_REPORT"]
        assert report.totals.to_dict() == expected_totals(form, [good_data, other_data])
        # `check` of the file lists every message and attachment, in the file's order
        listed = [p.name for p in check_files(form, [inbox / name])]
        assert listed[:3] == [name, f"{name} › thư 1", f"{name} › thư 1 › 899.xlsx"]
        assert f"{name} › thư 3 › 902.xlsx" in listed and len(listed) == 8


def test_a_saved_message_with_a_from_line_is_one_message(form: Form, make_file, tmp_path):
    """A single message saved with its "From " line first (an mbox of one) is the message
    it always was: no "thư 1" between its name and its attachment's."""
    good, good_data = make_file("899", dated(20, form), folder=tmp_path / "src")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    _mailbox(
        inbox / "mot-thu.eml", [_message(SENDERS["899"], 20, {"899.xlsx": good.read_bytes()}, "Kính gửi.")]
    )
    assert (inbox / "mot-thu.eml").read_bytes().startswith(b"From ")
    report = consolidate_into(form, inbox, tmp_path / "out", show_progress=False, workers=1)
    recs = {r.parsed.name: r for r in report.files}
    assert recs["mot-thu.eml › 899.xlsx"].status == "accepted"
    assert report.totals.to_dict() == expected_totals(form, [good_data])
