"""Issue #23 (a new user's season): the letters the officer edits in a mail client.

README step 6: open the drafted letters in Outlook or Thunderbird, edit them, then
`mail drafts --send`. Against a real SMTP server on 127.0.0.1 (aiosmtpd, tests/badservers.py):

- the set unchanged since a letter was drafted: the officer's edited letter is neither
  redrafted nor moved, and `--send` sends it as saved (headers re-folded, the body
  re-encoded, an mbox "From " line first, as a mail client writes an .eml);
- the set changed since: the edited letter is kept in `thu/cu/`, a new one drafted, and that
  unit's letter is not sent until the officer checks it (copies their additions into the new
  draft, or deletes the kept letter), said per unit in Vietnamese.
"""

from __future__ import annotations

import email
import json
from email.header import Header
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest

from pipeline import cli
from pipeline.form import Form
from pipeline.mail.cli import EXIT_FAILED
from pipeline.mail.draft_record import drafts_dir
from pipeline.mail.send import RUN_HEADER, STALE_DIR
from pipeline.outbox.paths import report_path

from .badservers import picky_smtp
from .test_mail_faults import config
from .test_resubmission import dated

UNITS = ("900", "909")
ADDR = {"900": "vanphong.900@kiengiang.gov.vn", "909": "vanphong.909@kiengiang.gov.vn"}


def as_mail_client_saves(path: Path, added: str, drop_run: bool = False) -> bytes:
    """Add a line to the letter's text and save it as a mail client does: an mbox "From "
    line and the client's own header first, the subject folded elsewhere and base64-encoded
    in uppercase "UTF-8", the text re-encoded as quoted-printable, LF line ends. `drop_run`:
    the client drops our run header."""
    msg = email.message_from_bytes(path.read_bytes(), policy=default_policy)
    assert isinstance(msg, EmailMessage)
    body = msg.get_body(("plain",))
    text = body.get_content().rstrip("\n").replace("\nTrân trọng.", f"\n{added}\n\nTrân trọng.")
    assert added in text
    body.set_content(text, cte="quoted-printable")
    msg["X-Mozilla-Draft-Info"] = "internal/draft; vcard=0; receipt=0; DSN=0; uuencode=0"
    if drop_run:
        del msg[RUN_HEADER]
    subject = str(msg["Subject"])
    del msg["Subject"]
    saved = msg.as_bytes(policy=default_policy.clone(linesep="\n"))
    folded = Header(subject, "UTF-8", maxlinelen=50, header_name="Subject").encode(linesep="\n")
    data = b"From - Fri Dec  4 09:12:00 2026\n" + f"Subject: {folded}\n".encode("ascii") + saved
    assert b"\r\n" not in data and added.encode() not in data  # really re-encoded, not our bytes
    assert email.message_from_bytes(data, policy=default_policy)["Subject"] == subject
    path.write_bytes(data)
    return data


def letter(outbox: Path, year: int, code: str) -> Path:
    return next(drafts_dir(outbox, year).glob(f"thu-{code}-*.eml"))


def received_text(sink, address: str) -> list[str]:
    """The plain text of every message the server received for `address`."""
    out = []
    for rcpts, raw in sink.messages:
        if address in rcpts:
            msg = email.message_from_bytes(raw, policy=default_policy)
            out.append(msg.get_body(("plain",)).get_content())
    return out


def run(capsys, cfg: Path, *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = cli.main(["--config", str(cfg), *args])
    got = capsys.readouterr()
    return code, got.out + got.err


@pytest.mark.parametrize("redraft_first", [True, False], ids=["drafts-then-send", "send-at-once"])
def test_an_edited_letter_of_this_set_is_sent_as_saved(form: Form, tmp_path, capsys, redraft_first):
    """`redraft_first`: plain `mail drafts` before `--send` (the issue's second finding);
    else `--send` right after the edit (the issue's reproduction)."""
    with picky_smtp(set(), set()) as (port, sink):
        smtp = {"host": "127.0.0.1", "port": port, "security": "none", "user": ""}
        cfg = config(tmp_path / "cfg", smtp=smtp, emails={c: [a] for c, a in ADDR.items()})
        inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
        inbox.mkdir()
        code, out = run(capsys, cfg, "consolidate", "--inbox", str(inbox), "--outbox", str(outbox))
        assert code == cli.EXIT_OK, out
        assert run(capsys, cfg, "mail", "drafts", "--outbox", str(outbox))[0] == cli.EXIT_OK
        mine = {
            "900": as_mail_client_saves(
                letter(outbox, form.year, "900"), "Ghi chú của Sở: gọi trước 10 giờ."
            ),
            "909": as_mail_client_saves(
                letter(outbox, form.year, "909"), "Ghi chú của Sở: gửi kèm công văn.", drop_run=True
            ),
        }
        # drafting again with nothing new: the edited letters stay where they are, as saved
        args = ("mail", "drafts", "--outbox", str(outbox), *(() if redraft_first else ("--send",)))
        code, out = run(capsys, cfg, *args)
        assert code == cli.EXIT_OK, out
        for unit, data in mine.items():
            assert letter(outbox, form.year, unit).read_bytes() == data
            assert (
                f"Giữ nguyên thư anh/chị đã sửa cho đơn vị {unit}: {letter(outbox, form.year, unit)}" in out
            )
        assert not (drafts_dir(outbox, form.year) / STALE_DIR).exists()
        assert "KHÔNG được gửi" not in out

        if redraft_first:
            code, out = run(capsys, cfg, "mail", "drafts", "--outbox", str(outbox), "--send")
            assert code == cli.EXIT_OK, out
        assert f"{'900':<6} đã gửi -> {ADDR['900']}" in out and f"{'909':<6} đã gửi -> {ADDR['909']}" in out
        assert "Đã gửi 2 thư" in out
    assert len(received_text(sink, ADDR["900"])) == 1
    assert "Ghi chú của Sở: gọi trước 10 giờ." in received_text(sink, ADDR["900"])[0]
    assert len(received_text(sink, ADDR["909"])) == 1
    assert "Ghi chú của Sở: gửi kèm công văn." in received_text(sink, ADDR["909"])[0]
    for _, raw in sink.messages:  # a sent letter is no longer anybody's draft
        assert b"X-Unsent" not in raw and b"X-Mozilla" not in raw and not raw.startswith(b"From ")
    for unit, data in mine.items():  # the officer's files are untouched by sending
        assert letter(outbox, form.year, unit).read_bytes() == data
    # the next run keeps them, and says they were sent (brk42 F3: "khi gửi, gửi đúng bản …")
    code, out = run(capsys, cfg, "consolidate", "--inbox", str(inbox), "--outbox", str(outbox))
    assert code == cli.EXIT_OK, out
    for unit in mine:
        said = [
            line
            for line in out.splitlines()
            if line.startswith(f"Giữ nguyên thư anh/chị đã sửa cho đơn vị {unit}:")
        ]
        assert len(said) == 1 and said[0].endswith("nên không soạn lại; thư đó đã gửi, chỉ để lưu)"), out


def test_an_edited_letter_of_an_earlier_set_holds_its_unit_until_checked(
    form: Form, make_file, tmp_path, capsys
):
    with picky_smtp(set(), set()) as (port, sink):
        smtp = {"host": "127.0.0.1", "port": port, "security": "none", "user": ""}
        cfg = config(tmp_path / "cfg", smtp=smtp, emails={c: [a] for c, a in ADDR.items()})
        inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
        inbox.mkdir()
        consolidate = ("consolidate", "--inbox", str(inbox), "--outbox", str(outbox))
        assert run(capsys, cfg, *consolidate)[0] == cli.EXIT_OK
        assert run(capsys, cfg, "mail", "drafts", "--outbox", str(outbox))[0] == cli.EXIT_OK
        edited = {
            unit: as_mail_client_saves(letter(outbox, form.year, unit), f"Ghi chú của Sở cho {unit}.")
            for unit in UNITS
        }
        # the set changes: both units send their reports; the letters are drafted anew
        make_file("900", dated(12, form), name="900.xlsx", seed=1)
        make_file("909", dated(12, form), name="909.xlsx", seed=2)
        code, out = run(capsys, cfg, *consolidate)
        assert code == cli.EXIT_OK, out
        aside = drafts_dir(outbox, form.year) / STALE_DIR
        for unit, data in edited.items():
            new = letter(outbox, form.year, unit)
            kept = aside / f"{new.stem}-ban-da-sua.eml"
            assert kept.read_bytes() == data  # the officer's letter, kept as saved
            assert f"Giữ nguyên thư anh/chị đã sửa: {kept} (thư mới soạn: {new})" in out
            assert f"Thư gửi đơn vị {unit} KHÔNG được gửi cho đến khi anh/chị kiểm tra" in out

        # drafting again says it again (the new drafts are written anew, still waiting)
        code, out = run(capsys, cfg, "mail", "drafts", "--outbox", str(outbox))
        assert code == cli.EXIT_OK, out
        assert all(f"Thư gửi đơn vị {unit} KHÔNG được gửi cho đến khi" in out for unit in UNITS), out
        assert "Giữ nguyên thư anh/chị đã sửa:" not in out  # nothing new was put aside

        code, out = run(capsys, cfg, "mail", "drafts", "--outbox", str(outbox), "--send")
        assert code == EXIT_FAILED, out
        assert sink.messages == []  # neither the stale letter nor the new one went out
        for unit in UNITS:
            new = letter(outbox, form.year, unit)
            assert f"{unit:<6} KHÔNG gửi: thư anh/chị đã sửa thuộc lần tổng hợp trước, cần kiểm tra" in out
            assert out.count(f"Hãy mở thư mới soạn ({new.name}), chép phần anh/chị đã thêm") == 1
        assert "2 thư chờ anh/chị kiểm tra thư đã sửa, không gửi" in out

        # 900: the officer copies the addition into the new letter; 909: the addition is dropped
        as_mail_client_saves(letter(outbox, form.year, "900"), "Ghi chú của Sở cho 900.")
        (aside / f"{letter(outbox, form.year, '909').stem}-ban-da-sua.eml").unlink()
        code, out = run(capsys, cfg, "mail", "drafts", "--outbox", str(outbox), "--send")
        assert code == cli.EXIT_OK, out
        run_id = json.loads(report_path(outbox, form.year).read_text(encoding="utf-8"))["run_id"]
    got_900, got_909 = received_text(sink, ADDR["900"]), received_text(sink, ADDR["909"])
    assert len(got_900) == 1 and "Ghi chú của Sở cho 900." in got_900[0]
    assert len(got_909) == 1 and "Ghi chú của Sở cho 909." not in got_909[0]
    for _, raw in sink.messages:  # both describe the current set
        assert email.message_from_bytes(raw, policy=default_policy)[RUN_HEADER] == run_id
