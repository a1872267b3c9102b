"""brk36 F8: a mailbox file (mbox, RFC 4155) in the inbox, as Thunderbird keeps a folder,
Google Takeout exports one and Apple Mail saves several messages at once, named .mbox or
.eml: each of its messages is opened, with its own sender and arrival; before, only the
first one was read and the others' reports were lost without a word. Written by the
standard library's mailbox writer (mboxo: "From " lines, a body's "From " escaped)."""

from __future__ import annotations

import datetime as dt
import mailbox
import zipfile
from email.message import EmailMessage
from pathlib import Path

from pipeline.app import consolidate_into
from pipeline.form import Form, load_form
from pipeline.intake.containers.expand import NOT_A_UNITS_MESSAGE
from pipeline.intake.containers.zip_members import MAILBOX_IN_ARCHIVE
from pipeline.run.consolidate import check_files

from .test_containers import snapshot
from .test_mail_faults import config
from .test_resubmission import bad, dated, expected_totals

SENDERS = {c: f"vanphong.{c}@kiengiang.gov.vn" for c in ("899", "900", "903")}


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
        _message(SENDERS["903"], 24, {}, "Đơn vị sẽ gửi báo cáo sau."),
    ]
    # the units' addresses as the officer configures them (`[[units]] emails`)
    form = load_form(config(tmp_path / "cfg", emails={c: [a] for c, a in SENDERS.items()}))
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
        # a whole folder exported: a message without a report from no unit is no unit's (as
        # `mail fetch` skips it), one from a unit's address is that unit's to be asked about
        assert recs[f"{name} › thư 4"].status == "ignored" and not recs[f"{name} › thư 4"].parsed.findings
        assert recs[f"{name} › thư 4"].parsed.submission.ignored == NOT_A_UNITS_MESSAGE
        assert [f.code for f in recs[f"{name} › thư 5"].parsed.findings] == ["MAIL_NO_REPORT"]
        assert report.totals.to_dict() == expected_totals(form, [good_data, other_data])
        # `check` of the file lists every message and attachment, in the file's order
        listed = [p.name for p in check_files(form, [inbox / name])]
        assert listed[:3] == [name, f"{name} › thư 1", f"{name} › thư 1 › 899.xlsx"]
        assert f"{name} › thư 3 › 902.xlsx" in listed and len(listed) == 9


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


def _raw(m: EmailMessage, separator: str = "From - Thu Nov 20 09:30:00 2025") -> bytes:
    """A message as a mail program appends it to a folder: its "From " line, then it."""
    return separator.encode() + b"\n" + bytes(m).replace(b"\r\n", b"\n")


def test_separators_are_told_by_the_header_that_follows(form: Form, make_file, tmp_path):
    """brk43 F3, F4: messages joined with no empty line between them were one message (the
    others' reports lost without a word); a body line "From …" a writer left unescaped split
    a message, and its report went unread. A "From " line is a separator when a header field
    follows it, whatever precedes it."""
    src = tmp_path / "src"
    good, good_data = make_file("899", dated(20, form), folder=src)
    other, other_data = make_file("902", dated(21, form), folder=src)
    first = _message(
        SENDERS["899"], 20, {"899.xlsx": good.read_bytes()}, "Kính gửi Sở.\n\nFrom đơn vị 899,\nkính gửi."
    )
    second = _message("vanphong.902@kiengiang.gov.vn", 21, {"902.xlsx": other.read_bytes()}, "Kính gửi.")
    first_raw = _raw(first)
    assert b"\n\nFrom \xc4\x91" in first_raw  # the body's "From đơn vị" left unescaped
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "noi-lien.mbox").write_bytes(first_raw.rstrip(b"\n") + b"\n" + _raw(second))  # no empty line
    report = consolidate_into(form, inbox, tmp_path / "out", show_progress=False, workers=1)
    recs = {r.parsed.name: r for r in report.files}
    assert [n for n in recs if n.count(" › ") == 1] == ["noi-lien.mbox › thư 1", "noi-lien.mbox › thư 2"]
    assert recs["noi-lien.mbox › thư 1 › 899.xlsx"].status == "accepted"
    assert recs["noi-lien.mbox › thư 2 › 902.xlsx"].status == "accepted"
    assert report.totals.to_dict() == expected_totals(form, [good_data, other_data])


def test_a_thunderbird_folder_is_read_whatever_its_name_and_size(form: Form, make_file, tmp_path):
    """brk43 F1, F2, F5, F6: Thunderbird's folder file "Inbox" (no suffix) beside its
    "Inbox.msf" index; a message carrying a large scan, beyond the size of one file, the
    folder beyond it too; a message Thunderbird deleted but kept until compacting. Each
    message is read on its own, within the limits of one file: the scan's message is refused
    alone, under its sender, the deleted one listed and not read, the index not a report."""
    from pipeline.form import load_form

    small = load_form(overrides={"limits": {"max_file_bytes": 200_000}})
    src = tmp_path / "src"
    good, good_data = make_file("899", dated(20, form), folder=src)
    other, other_data = make_file("902", dated(21, form), folder=src)
    old, _ = make_file("900", dated(19, form), folder=src)
    assert max(p.stat().st_size for p in (good, other, old)) < 150_000
    scan = bytes(range(256)) * 1200  # 300 KB
    messages = [
        _message(SENDERS["899"], 20, {"899.xlsx": good.read_bytes()}, "Kính gửi Sở."),
        _message(SENDERS["900"], 19, {"900.xlsx": old.read_bytes()}, "Kính gửi."),
        _message("vanphong.903@kiengiang.gov.vn", 22, {"903.xlsx": b"PK", "scan.pdf": scan}, "Kèm bản quét."),
        _message("vanphong.902@kiengiang.gov.vn", 21, {"902.xlsx": other.read_bytes()}, "Kính gửi."),
    ]
    raws = [_raw(m) for m in messages]
    raws[1] = raws[1].replace(b"\n", b"\nX-Mozilla-Status: 0009\n", 1)  # deleted, not compacted
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "Inbox").write_bytes(b"\n".join(raws))
    (folder / "Inbox.msf").write_bytes(b'// <!-- <mdb:mork:z v="1.4"/> -->\n< <(a=c)> // (f=iso-8859-1)\n')
    assert (folder / "Inbox").stat().st_size > small.limits.max_file_bytes
    report = consolidate_into(small, folder, tmp_path / "out", show_progress=False, workers=1)
    recs = {r.parsed.name: r for r in report.files}
    assert recs["Inbox"].status == "opened"
    assert recs["Inbox.msf"].status == "ignored" and "Thunderbird" in recs["Inbox.msf"].note
    assert recs["Inbox › thư 1 › 899.xlsx"].status == "accepted"
    assert (
        recs["Inbox › thư 2"].status == "ignored" and "đã xóa trong Thunderbird" in recs["Inbox › thư 2"].note
    )
    assert not [n for n in recs if n.startswith("Inbox › thư 2 ›")]
    big = recs["Inbox › thư 3"]
    assert [f.code for f in big.parsed.findings] == ["FILE_TOO_LARGE"]
    assert big.parsed.origin.sender == "vanphong.903@kiengiang.gov.vn"
    assert recs["Inbox › thư 4 › 902.xlsx"].status == "accepted"
    assert report.totals.to_dict() == expected_totals(small, [good_data, other_data])


def test_a_mailbox_file_in_an_archive_is_the_officers_to_unpack(form: Form, make_file, tmp_path):
    """brk43 F9: Google Takeout exports a mailbox as a .zip; a zipped Thunderbird folder has no
    suffix. Such a member is refused with what the officer does (unpack it into the inbox),
    never the unit's advice to send again; a single saved message keeps the unit's."""
    good, _ = make_file("899", dated(20, form), folder=tmp_path / "src")
    box = tmp_path / "box"
    _mailbox(box, [_message(SENDERS["899"], 20, {"899.xlsx": good.read_bytes()}, "Kính gửi Sở.")] * 2)
    one = bytes(_message(SENDERS["900"], 21, {}, "Kính gửi Sở."))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    members = {
        "Takeout/Mail/Hộp thư đến.mbox": box.read_bytes(),
        "Inbox": box.read_bytes(),
        "mot-thu.eml": one,
    }
    with zipfile.ZipFile(inbox / "takeout-20251202.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    report = consolidate_into(form, inbox, tmp_path / "out", show_progress=False, workers=1)
    problems = {r.parsed.name.rpartition(" › ")[2]: r.parsed.findings for r in report.files}
    for name in ("Hộp thư đến.mbox", "Inbox"):
        assert [(f.code, MAILBOX_IN_ARCHIVE in f.message) for f in problems[name]] == [
            ("ARCHIVE_NESTED", True)
        ]
        assert "giải nén riêng tệp hộp thư" in problems[name][0].message
    assert [f.code for f in problems["mot-thu.eml"]] == ["ARCHIVE_NESTED"]
    assert MAILBOX_IN_ARCHIVE not in problems["mot-thu.eml"][0].message


def test_a_mailbox_file_that_grew_is_news_only_for_its_new_messages(form: Form, make_file, tmp_path):
    """brk43 F7: Thunderbird's folder file gets new mail after a run; `mail drafts` said every
    unit of the folder had sent a new file, unread, until the next consolidation. Only the
    units of the messages the run did not read are news."""
    from pipeline.mail.news import inbox_news

    src = tmp_path / "src"
    first, _ = make_file("899", dated(20, form), folder=src)
    later, _ = make_file("900", dated(22, form), folder=src)
    inbox, outbox = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    folder = inbox / "Inbox"
    _mailbox(
        folder, [_message(SENDERS["899"], 20, {"899.xlsx": first.read_bytes()}, "Kính gửi Sở.")] * 2, True
    )
    consolidate_into(form, inbox, outbox, show_progress=False)
    assert not inbox_news(form, outbox).by_unit
    box = mailbox.mbox(folder)  # new mail comes: Thunderbird appends it to the folder's file
    box.add(mailbox.mboxMessage(_message(SENDERS["900"], 22, {"900.xlsx": later.read_bytes()}, "Kính gửi.")))
    box.flush()
    box.close()
    news = inbox_news(form, outbox)
    assert news.by_unit == {"900": ("Inbox",)}, news
