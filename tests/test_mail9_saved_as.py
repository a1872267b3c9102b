"""brk8 (Save As): the officer edits a drafted letter and saves it in `thu/` under another
name (Thunderbird's "Save As" names it by its subject). That file is the officer's version
of the unit's letter: the unit's draft is not sent beside it (nor instead of it: which one
is the letter is the officer's to say), the commands name the file and the one step that
decides, and a new run never moves it away. Against a real SMTP server (aiosmtpd on
127.0.0.1, tests/badservers.py), the commands as the officer runs them.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from pathlib import Path

from pipeline import cli
from pipeline.form import Form, load_form
from pipeline.intake.message_headers import LETTER_HEADER
from pipeline.mail.cli import EXIT_FAILED
from pipeline.mail.draft_record import greets

from .badservers import picky_smtp
from .test_mail_edited import as_mail_client_saves, letter, received_text, run
from .test_mail_faults import config
from .test_resubmission import dated

FORM = load_form()
ADDR = {c: f"vanphong.{c}@kiengiang.gov.vn" for c in ("900", "909", "910")}


def saved_as(draft: Path, name: str, note: str) -> Path:
    """The officer's edit of `draft` (a line added), saved under `name` beside it; the draft
    itself is left as the program wrote it."""
    before = draft.read_bytes()
    as_mail_client_saves(draft, note)
    mine = draft.with_name(name)
    mine.write_bytes(draft.read_bytes())
    draft.write_bytes(before)
    return mine


def test_a_letter_saved_under_another_name_holds_its_unit(form: Form, make_file, tmp_path, capsys):
    with picky_smtp(set(), set()) as (port, sink):
        smtp = {"host": "127.0.0.1", "port": port, "security": "none", "user": ""}
        cfg = config(tmp_path / "cfg", smtp=smtp, emails={c: [a] for c, a in ADDR.items()})
        inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
        inbox.mkdir()
        consolidate = ("consolidate", "--inbox", str(inbox), "--outbox", str(outbox))
        send = ("mail", "drafts", "--outbox", str(outbox), "--send")
        assert run(capsys, cfg, *consolidate)[0] == cli.EXIT_OK
        assert run(capsys, cfg, "mail", "drafts", "--outbox", str(outbox))[0] == cli.EXIT_OK
        mine_900 = saved_as(
            letter(outbox, form.year, "900"), "Đề nghị gửi báo cáo - Hà Tiên.eml", "GHI CHÚ A"
        )
        mine_910 = saved_as(letter(outbox, form.year, "910"), "Đề nghị gửi báo cáo - 910.eml", "GHI CHÚ C")

        code, out = run(capsys, cfg, *send)
        assert code == EXIT_FAILED, out
        assert received_text(sink, ADDR["909"]) and not received_text(sink, ADDR["900"])
        assert not received_text(sink, ADDR["910"])  # neither the draft nor the officer's file
        draft_900 = letter(outbox, form.year, "900")
        assert (
            f"Thư gửi đơn vị 900 KHÔNG được gửi: trong thu/ có thư anh/chị lưu với tên khác gửi đơn vị này "
            f"({mine_900.name}), bên cạnh thư chương trình soạn ({draft_900.name})"
        ) in out
        assert f"xóa thư {draft_900.name} rồi đổi tên thư của anh/chị thành {draft_900.name}" in out

        # the advice followed for 900: its own version goes, as saved
        draft_900.unlink()
        mine_900.rename(draft_900)
        code, out = run(capsys, cfg, *send)
        assert [t for t in received_text(sink, ADDR["900"]) if "GHI CHÚ A" in t], out
        assert not received_text(sink, ADDR["910"]), out

        # 910 sends its report: a new run; the officer's file stays in thu/, named, holding 910
        make_file("910", dated(20, form), name="910.xlsx", folder=inbox)
        code, out = run(capsys, cfg, *consolidate)
        assert mine_910.is_file(), out  # not moved to thu/cu/
        assert f"Thư anh/chị lưu với tên khác gửi đơn vị 910: {mine_910}" in out
        code, out = run(capsys, cfg, *send)
        assert code == EXIT_FAILED and not received_text(sink, ADDR["910"]), out
        assert "thư đó không viết theo lần tổng hợp này" in out and mine_910.name in out
        # the advice followed: its note copied into the new draft, its file deleted
        as_mail_client_saves(letter(outbox, form.year, "910"), "GHI CHÚ C", drop_run=True)
        mine_910.unlink()
        code, out = run(capsys, cfg, *send)
        got = received_text(sink, ADDR["910"])
        assert len(got) == 1 and "GHI CHÚ C" in got[0] and "Sở đã nhận và chấp nhận" in got[0], out
        # its mail client dropped our header: the letter that goes has it again, so a copy
        # that comes back into the office's mailbox is known as the office's own
        raw = next(raw for rcpts, raw in sink.messages if ADDR["910"] in rcpts)
        assert f"{LETTER_HEADER}: ".encode() in raw


def test_a_letter_to_a_unit_with_no_address_is_known_by_whom_it_greets(
    form: Form, make_file, tmp_path, capsys
):
    """brk21: with no address for a unit (none configured, no mail from it), the officer's
    copy of its letter saved under another name was matched by nothing, and the next run
    moved it to `thu/cu/` without a word. Its first line greets the unit by name: that
    names it the unit's letter, which is held as the one with an address is; a letter
    greeting another unit whose name starts the same is not its."""
    cfg = config(tmp_path / "cfg")  # no unit has an address
    inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
    inbox.mkdir()
    consolidate = ("consolidate", "--inbox", str(inbox), "--outbox", str(outbox))
    assert run(capsys, cfg, *consolidate)[0] == cli.EXIT_OK
    assert run(capsys, cfg, "mail", "drafts", "--outbox", str(outbox))[0] == cli.EXIT_OK
    draft = letter(outbox, form.year, "909")
    assert "\nTo:" not in draft.read_text(encoding="utf-8", errors="replace")
    mine = saved_as(draft, "Nhắc báo cáo (bản của tôi).eml", "GHI CHÚ B")
    make_file("910", dated(20, form), name="910.xlsx", folder=inbox)  # a new set
    code, out = run(capsys, cfg, *consolidate)
    assert code == cli.EXIT_OK, out
    assert mine.is_file(), out  # not moved to thu/cu/
    assert f"Thư anh/chị lưu với tên khác gửi đơn vị 909: {mine}" in out


def test_a_greeting_names_one_unit():
    unit = replace(FORM.units[0], name="UBND Huyện Châu Thành")
    assert greets("UBND Huyện Châu Thành", unit)
    assert greets("ubnd  huyện châu thành (người liên hệ: Lê Văn A, điện thoại 0297)", unit)
    assert greets(unicodedata.normalize("NFD", "UBND Huyện Châu Thành"), unit)
    assert not greets("UBND Huyện Châu Thành A", unit)
    assert not greets("UBND Huyện Châu Thành A (người liên hệ: Lê Văn A)", unit)
    assert not greets("", unit)
