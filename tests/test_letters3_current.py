"""Issue #23 items 2 and 3 (a tester's season, round 3): what a letter says is about the
current set, and a unit can act on it.

Against a real SMTP server on 127.0.0.1 (aiosmtpd, tests/badservers.py), every input made by
the project's own template and filler; days moved by the code's own clock parameters
(`write_drafts(today=…)`, `send_drafts(now=…)`), as `mail drafts --send` runs on a later day:

- an edited letter asking for a corrected file by a day now past is held, said in Vietnamese
  with the command to run; every letter sent is dated when it is sent;
- a reminder says "chưa nhận được" as of the run's day, never for a unit whose file lies in
  the inbox unread; `mail drafts` says plainly to consolidate first, and that unit's letter
  is not sent until then;
- an edited letter that was sent never holds the unit's next letter;
- a rerun the same for a unit keeps the officer's letter to it current;
- the officer's annotated feedback workbook is the one attached when the set is the same,
  and said not to be when it is not.
"""

from __future__ import annotations

import datetime as dt
import email
import io
import json
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import parsedate_to_datetime
from pathlib import Path

import openpyxl
import pytest

from pipeline import cli
from pipeline.form import Form, load_form
from pipeline.intake.mail_settings import load_mail_settings
from pipeline.mail.after_run import say_kept
from pipeline.mail.draft_record import drafts_dir
from pipeline.mail.drafts import consolidate_command, drafts_command, write_drafts
from pipeline.mail.news import inbox_news
from pipeline.mail.send import DRAFTED, OUT_NEWER, OUT_PAST, OUT_SENT, STALE_DIR, send_drafts
from pipeline.outbox.paths import feedback_dir, year_dir
from pipeline.text.command import MAKE_MARK, quoted

from .badservers import picky_smtp
from .test_mail_edited import as_mail_client_saves, letter, received_text, run
from .test_mail_faults import config
from .test_resubmission import bad, dated

ADDR = {c: f"vanphong.{c}@kiengiang.gov.vn" for c in ("899", "900", "902", "903", "909")}


def _text(path: Path) -> str:
    msg = email.message_from_bytes(path.read_bytes(), policy=default_policy)
    assert isinstance(msg, EmailMessage)
    return " ".join(msg.get_body(("plain",)).get_content().split())


def _sent(sink, code: str) -> list[EmailMessage]:
    out = []
    for rcpts, raw in sink.messages:
        if ADDR[code] in rcpts:
            msg = email.message_from_bytes(raw, policy=default_policy)
            assert isinstance(msg, EmailMessage)
            out.append(msg)
    return out


def _setup(tmp_path: Path, port: int) -> tuple[Path, Path, Path, tuple[str, ...]]:
    smtp = {"host": "127.0.0.1", "port": port, "security": "none", "user": ""}
    cfg = config(tmp_path / "cfg", smtp=smtp, emails={c: [a] for c, a in ADDR.items()})
    inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
    inbox.mkdir(exist_ok=True)
    consolidate = ("consolidate", "--inbox", str(inbox), "--outbox", str(outbox))
    return cfg, inbox, outbox, consolidate


def _drafts_and_send(cfg: Path, outbox: Path, later: dt.datetime):
    """`mail drafts --send` as run on the day `later`: the drafts written for that day, then sent then."""
    form = load_form(cfg)
    settings = load_mail_settings(form)
    news = inbox_news(form, outbox)
    drafts = write_drafts(form, settings, outbox, later.date(), news.by_unit)
    assert settings.smtp is not None
    result = send_drafts([d.path for d in drafts], settings.smtp, "", settings.zone, 5, now=later)
    return drafts, {d.unit: o for d, o in zip(drafts, result.outcomes, strict=True)}


def test_a_letter_asking_for_a_day_now_past_is_held_and_every_letter_is_dated_when_sent(
    form: Form, make_file, tmp_path, capsys
):
    """B2: the officer edits 900's "cần sửa" letter and 909's receipt on the day of the run
    and sends ten days later. 900's letter asks for the file by a day now past: held, said
    with what to do and the command; 899's letter (not edited) asks for a day after the day
    of sending; 909's edited receipt asks for nothing and goes, dated that day, not when it
    was saved."""
    with picky_smtp(set(), set()) as (port, sink):
        cfg, inbox, outbox, consolidate = _setup(tmp_path, port)
        make_file("899", bad(form, 10), name="899.xlsx", seed=1)
        make_file("900", bad(form, 12), name="900.xlsx", seed=2)
        make_file("909", dated(14, form), name="909.xlsx", seed=3)
        assert run(capsys, cfg, *consolidate)[0] == cli.EXIT_OK
        assert run(capsys, cfg, "mail", "drafts", "--outbox", str(outbox))[0] == cli.EXIT_OK
        zone = load_mail_settings(load_form(cfg)).zone
        now = dt.datetime.now(zone).replace(microsecond=0)
        asked = (now.date() + dt.timedelta(days=7)).strftime("%d/%m/%Y")  # resubmit_days = 7
        assert f"gửi lại tệp chậm nhất ngày {asked}" in _text(letter(outbox, form.year, "900"))
        as_mail_client_saves(letter(outbox, form.year, "900"), "Ghi chú của Sở: gọi trước 10 giờ.")
        as_mail_client_saves(letter(outbox, form.year, "909"), "Ghi chú của Sở: cảm ơn đơn vị.")

        later = now + dt.timedelta(days=10)
        drafts, outcomes = _drafts_and_send(cfg, outbox, later)
        assert outcomes["900"].status == OUT_PAST, outcomes["900"]
        assert outcomes["900"].past == (now.date() + dt.timedelta(days=7),)
        assert outcomes["899"].status == OUT_SENT and outcomes["909"].status == OUT_SENT
        assert _sent(sink, "900") == []
        fresh = (later.date() + dt.timedelta(days=7)).strftime("%d/%m/%Y")
        (got_899,) = _sent(sink, "899")
        assert f"gửi lại tệp chậm nhất ngày {fresh}" in " ".join(
            got_899.get_body(("plain",)).get_content().split()
        )
        (got_909,) = _sent(sink, "909")
        assert "Ghi chú của Sở: cảm ơn đơn vị." in got_909.get_body(("plain",)).get_content()
        for msg in (got_899, got_909):  # dated when sent, not when drafted or saved
            assert parsedate_to_datetime(str(msg["Date"])) == later
        # what the officer reads before sending: the day, what to do, the command
        said = io.StringIO()
        held = next(d for d in drafts if d.unit == "900")
        say_kept([held], said, command=drafts_command(load_form(cfg), outbox, send=True))
        hint = " ".join(said.getvalue().split())
        assert f"Thư gửi đơn vị 900 KHÔNG được gửi: thư anh/chị đã sửa ({held.path.name}) hẹn" in hint
        assert f"chậm nhất ngày {asked}, nay đã qua" in hint
        assert f"mail drafts --outbox {outbox} --send" in hint

        # the officer moves the day in their letter: it goes, as saved, with the addition
        path = letter(outbox, form.year, "900")
        path.write_bytes(path.read_bytes().replace(asked.encode(), fresh.encode()))
        _, outcomes = _drafts_and_send(cfg, outbox, later)
        assert outcomes["900"].status == OUT_SENT
        (got_900,) = _sent(sink, "900")
        body = got_900.get_body(("plain",)).get_content()
        assert "Ghi chú của Sở: gọi trước 10 giờ." in body and asked not in body and fresh in body


def test_a_unit_whose_file_lies_unread_in_the_inbox_is_never_told_it_was_not_received(
    form: Form, make_file, tmp_path, capsys
):
    """B3: consolidated on the day of the run; 902's file is saved into the inbox later and
    not consolidated, nor 903's report that came by mail; letters drafted and sent ten days
    after the run. Neither letter says "chưa nhận được" and neither is sent; 909's reminder
    says it as of the run's day; the
    command says plainly to consolidate first, with both commands. After the consolidation,
    902's and 903's letters are their receipts and go."""
    with picky_smtp(set(), set()) as (port, sink):
        cfg, inbox, outbox, consolidate = _setup(tmp_path, port)
        make_file("899", dated(10, form), name="899.xlsx", seed=1)
        assert run(capsys, cfg, *consolidate)[0] == cli.EXIT_OK
        run_day = dt.datetime.fromisoformat(
            json.loads((year_dir(outbox, form.year) / "bao-cao.json").read_text(encoding="utf-8"))[
                "generated_at"
            ]
        ).date()
        make_file("902", dated(20, form), name="902 Kiên Lương.xlsx", seed=2)
        # 903's report by mail, saved into inbox/thu/ as `mail fetch` saves it
        xlsx, _ = make_file("903", dated(21, form), name="903.xlsx", seed=3, folder=tmp_path / "files")
        m = EmailMessage()
        m["From"], m["To"], m["Subject"] = ADDR["903"], "so@kiengiang.gov.vn", "Báo cáo năm"
        m.set_content("Kính gửi Sở.")
        m.add_attachment(
            xlsx.read_bytes(), maintype="application", subtype="octet-stream", filename="903.xlsx"
        )
        (inbox / "thu").mkdir()
        (inbox / "thu" / "903 báo cáo.eml").write_bytes(bytes(m))

        code, out = run(capsys, cfg, "mail", "drafts", "--outbox", str(outbox))
        assert code == cli.EXIT_OK, out
        said = " ".join(out.split())
        assert "có 2 tệp mới mà lần tổng hợp gần nhất" in said and "902 Kiên Lương.xlsx" in said
        assert "Thư gửi đơn vị 902, 903 chưa gửi được cho đến khi tổng hợp lại" in said
        assert (
            f"Hãy tổng hợp trước: python -m pipeline --config {cfg} consolidate --inbox {inbox} --outbox {outbox}"
            in said
        )
        assert f"rồi soạn lại thư: python -m pipeline --config {cfg} mail drafts --outbox {outbox}" in said

        later = dt.datetime.now(load_mail_settings(load_form(cfg)).zone) + dt.timedelta(days=10)
        _, outcomes = _drafts_and_send(cfg, outbox, later)
        text_902 = _text(letter(outbox, form.year, "902"))
        assert "chưa nhận được" not in text_902 and "«902 Kiên Lương.xlsx»" in text_902
        assert outcomes["902"].status == OUT_NEWER and outcomes["902"].newer == "902 Kiên Lương.xlsx"
        text_903 = _text(letter(outbox, form.year, "903"))
        assert "chưa nhận được" not in text_903 and "Sở đã nhận thư của đơn vị" in text_903
        assert outcomes["903"].status == OUT_NEWER
        assert _sent(sink, "902") == [] and _sent(sink, "903") == []
        (got_909,) = _sent(sink, "909")
        text_909 = " ".join(got_909.get_body(("plain",)).get_content().split())
        assert f"Đến ngày {run_day:%d/%m/%Y}, Sở chưa nhận được báo cáo" in text_909
        assert f"Đến ngày {later:%d/%m/%Y}" not in text_909

        # consolidated: 902's file is read, its letter is a receipt, and it goes
        assert run(capsys, cfg, *consolidate)[0] == cli.EXIT_OK
        _, outcomes = _drafts_and_send(cfg, outbox, later)
        assert outcomes["902"].status == OUT_SENT and outcomes["903"].status == OUT_SENT
        for code in ("902", "903"):
            (got,) = _sent(sink, code)
            assert "chấp nhận" in got.get_body(("plain",)).get_content()


def test_a_sent_edited_letter_never_holds_the_units_next_letter(form: Form, make_file, tmp_path, capsys):
    """B8: 900's "cần sửa" letter, edited, is sent; 900 then sends a valid file. After the
    consolidation its receipt is drafted and sent without waiting for anything; the sent
    letter stays in thu/cu/ as history."""
    with picky_smtp(set(), set()) as (port, sink):
        cfg, inbox, outbox, consolidate = _setup(tmp_path, port)
        make_file("900", bad(form, 12), name="900.xlsx", seed=1)
        assert run(capsys, cfg, *consolidate)[0] == cli.EXIT_OK
        assert run(capsys, cfg, "mail", "drafts", "--outbox", str(outbox))[0] == cli.EXIT_OK
        edited = as_mail_client_saves(letter(outbox, form.year, "900"), "Ghi chú của Sở: gọi trước 10 giờ.")
        code, out = run(capsys, cfg, "mail", "drafts", "--outbox", str(outbox), "--send")
        assert code == cli.EXIT_OK and f"{'900':<6} đã gửi" in out, out

        make_file("900", dated(20, form), name="900 bản sửa.xlsx", seed=2)
        code, out = run(capsys, cfg, *consolidate)
        assert code == cli.EXIT_OK, out
        kept = (
            drafts_dir(outbox, form.year)
            / STALE_DIR
            / f"{letter(outbox, form.year, '900').stem}-ban-da-sua.eml"
        )
        assert kept.read_bytes() == edited  # history, kept as saved
        assert f"Giữ nguyên thư anh/chị đã sửa: {kept} (thư đó đã gửi, chỉ để lưu)" in out
        assert "KHÔNG được gửi" not in out
        # an outbox the previous version drafted: its record names the sent letter as awaited
        record = drafts_dir(outbox, form.year) / DRAFTED
        entries = json.loads(record.read_text(encoding="utf-8"))
        entries[letter(outbox, form.year, "900").name]["kept"] = kept.name
        record.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
        code, out = run(capsys, cfg, "mail", "drafts", "--outbox", str(outbox), "--send")
        assert code == cli.EXIT_OK, out
        assert f"{'900':<6} đã gửi" in out and "KHÔNG" not in out
    first, second = received_text(sink, ADDR["900"])
    assert "Ghi chú của Sở: gọi trước 10 giờ." in first and "chấp nhận" in second


def test_a_rerun_the_same_for_a_unit_keeps_its_edited_letter_current(form: Form, make_file, tmp_path, capsys):
    """C3: the officer edits 900's letter; consolidate is run again, first with nothing new,
    then with 909's file: 900's part of the set is the same both times, so its letter stays
    as saved in thu/ and goes as saved; 909's letter is drafted anew."""
    with picky_smtp(set(), set()) as (port, sink):
        cfg, inbox, outbox, consolidate = _setup(tmp_path, port)
        make_file("900", bad(form, 12), name="900.xlsx", seed=1)
        assert run(capsys, cfg, *consolidate)[0] == cli.EXIT_OK
        assert run(capsys, cfg, "mail", "drafts", "--outbox", str(outbox))[0] == cli.EXIT_OK
        edited = as_mail_client_saves(letter(outbox, form.year, "900"), "Ghi chú của Sở: gọi trước 10 giờ.")
        for extra in (None, "909"):
            if extra:
                make_file(extra, dated(20, form), name=f"{extra}.xlsx", seed=2)
            code, out = run(capsys, cfg, *consolidate)
            assert code == cli.EXIT_OK, out
            assert letter(outbox, form.year, "900").read_bytes() == edited
            assert not (drafts_dir(outbox, form.year) / STALE_DIR).exists()
            assert "KHÔNG được gửi" not in out
            assert (
                f"Giữ nguyên thư anh/chị đã sửa cho đơn vị 900: {letter(outbox, form.year, '900')} (kết quả "
                "của đơn vị không đổi so với lần tổng hợp anh/chị sửa thư nên không soạn lại" in out
            )
        assert "chấp nhận" in _text(letter(outbox, form.year, "909"))
        code, out = run(capsys, cfg, "mail", "drafts", "--outbox", str(outbox), "--send")
        assert code == cli.EXIT_OK, out
        assert f"{'900':<6} đã gửi" in out
    (got,) = received_text(sink, ADDR["900"])
    assert "Ghi chú của Sở: gọi trước 10 giờ." in got


def test_a_held_letter_names_the_command_that_sends_it(form: Form, make_file, tmp_path, capsys, monkeypatch):
    """C3: 900's edited letter is for an earlier set (900 sent another file with other
    errors): the instruction names the exact command, as the officer runs it (make's
    variables under make)."""
    with picky_smtp(set(), set()) as (port, _sink):
        cfg, inbox, outbox, consolidate = _setup(tmp_path, port)
        make_file("900", bad(form, 12), name="900.xlsx", seed=1)
        assert run(capsys, cfg, *consolidate)[0] == cli.EXIT_OK
        assert run(capsys, cfg, "mail", "drafts", "--outbox", str(outbox))[0] == cli.EXIT_OK
        as_mail_client_saves(letter(outbox, form.year, "900"), "Ghi chú của Sở.")
        make_file("900", bad(form, 14), name="900 lần 2.xlsx", seed=2)
        code, out = run(capsys, cfg, *consolidate)
        assert code == cli.EXIT_OK, out
        said = " ".join(out.split())
        assert "Thư gửi đơn vị 900 KHÔNG được gửi cho đến khi anh/chị kiểm tra" in said
        assert (
            f"Sau đó gửi bằng lệnh: python -m pipeline --config {cfg} mail drafts --outbox {outbox} --send"
            in said
        )
        monkeypatch.setenv(MAKE_MARK, "1")
        code, out = run(capsys, cfg, "mail", "drafts", "--outbox", str(outbox))
        said = " ".join(out.split())
        assert f"Sau đó gửi bằng lệnh: make drafts CONFIG={cfg} OUTBOX={outbox} SEND=1" in said, said


def test_commands_are_named_as_typed(form: Form, tmp_path, monkeypatch):
    """Paths with spaces are quoted; the defaults (configuration, outbox) are left out."""
    monkeypatch.delenv(MAKE_MARK, raising=False)
    monkeypatch.chdir(tmp_path)
    assert drafts_command(form, form.outbox) == "python -m pipeline mail drafts"
    # quoted as the officer's shell takes them whole (`text.command.quoted`)
    assert drafts_command(form, tmp_path / "kết quả (cũ)", send=True) == (
        f"python -m pipeline mail drafts --outbox {quoted('kết quả (cũ)')} --send"
    )
    assert consolidate_command(form, tmp_path / "hộp thư", form.outbox) == (
        f"python -m pipeline consolidate --inbox {quoted('hộp thư')}"
    )
    monkeypatch.setenv(MAKE_MARK, "1")
    assert drafts_command(form, form.outbox, send=True).startswith("make drafts CONFIG=")
    assert drafts_command(form, form.outbox, send=True).endswith(" SEND=1")


@pytest.mark.parametrize("new_file", [False, True], ids=["same-set", "unit-file-changed"])
def test_the_officers_annotated_feedback_is_attached_when_the_set_is_the_same(
    form: Form, make_file, tmp_path, capsys, new_file
):
    """C4: the officer adds a note to 900's feedback workbook, then consolidate runs again
    (`new_file`: after 900 sent its file again, changed). Same set: the annotated workbook is
    attached and the summary says so. 900's file changed: the new workbook is attached and
    the summary says the officer's is not, and where it is (other units' files arriving:
    test_letters4_feedback)."""
    cfg, inbox, outbox, consolidate = _setup(tmp_path, 1)
    make_file("900", bad(form, 12), name="900.xlsx", seed=1)
    assert run(capsys, cfg, *consolidate)[0] == cli.EXIT_OK
    (fb,) = feedback_dir(outbox, form.year).glob("phan-hoi-900-*.xlsx")
    wb = openpyxl.load_workbook(fb)
    wb.worksheets[0]["A40"] = "Ghi chú của Sở: ô G10 gõ số."
    wb.save(fb)
    annotated = fb.read_bytes()
    if new_file:
        make_file("900", bad(form, 13), name="900.xlsx", seed=2)
    code, out = run(capsys, cfg, *consolidate)
    assert code == cli.EXIT_OK, out
    code, out = run(capsys, cfg, "mail", "drafts", "--outbox", str(outbox))
    assert code == cli.EXIT_OK, out
    (kept,) = feedback_dir(outbox, form.year).glob("phan-hoi-900-*-ban-da-sua.xlsx")
    assert kept.read_bytes() == annotated
    msg = email.message_from_bytes(letter(outbox, form.year, "900").read_bytes(), policy=default_policy)
    (attached,) = [p.get_content() for p in msg.iter_attachments()]
    said = " ".join(out.split())
    if not new_file:
        assert attached == annotated
        assert f"Thư gửi đơn vị 900 đính kèm tệp phản hồi anh/chị đã sửa: {kept}" in said
    else:
        assert attached == fb.read_bytes() != annotated
        assert f"KHÔNG phải tệp anh/chị đã sửa ({kept}" in said
