"""Issue #23 (a new user's season, findings 4, 9 and 10): every letter's subject says what its
body says; `mail drafts` says how many letters it drafted anew and how many it kept; a
rejection letter asking for a corrected file after the deadline says that such a file is
recorded as sent after the deadline.

Every input is made by the project's own template and filler (`make_file`), consolidated and
drafted by the console command (`cli.main`), and read back from the `.eml` files as a mail
client reads them (`email`, the standard library).
"""

from __future__ import annotations

import datetime as dt
import email
import email.utils
import hashlib
import json
import os
import re
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

from pipeline import cli
from pipeline.form import Form, load_form
from pipeline.intake.mail_settings import load_mail_settings
from pipeline.mail.draft_record import drafts_dir
from pipeline.mail.drafts import write_drafts
from pipeline.mail.send import STALE_DIR
from pipeline.outbox.paths import report_path

from .test_mail_edited import as_mail_client_saves, letter, run
from .test_resubmission import bad, dated

# What a subject says -> what the body says with it, written here from the letters'
# sentences (not from the code's table): a subject says a thing exactly when its body does.
SAID_TOGETHER = {
    "Sở đang kiểm tra": "Sở sẽ kiểm tra và báo kết quả",
    "Đề nghị gửi báo cáo": "Sở chưa nhận được báo cáo",
    "(đã quá hạn nộp)": "(đã quá hạn;",
    "cần sửa và gửi lại": "lỗi phải sửa nên chưa được tổng hợp",
    "(Sở đang dùng bản nhận trước đó)": "Trong khi chờ, Sở đang dùng bản đã nhận trước đó",
    "Đã nhận báo cáo": "Sở đã nhận và chấp nhận báo cáo",
    "cảnh báo cần xem lại": "cảnh báo (không phải lỗi); đề nghị đơn vị xem lại",
}


def _read(path: Path) -> tuple[str, str]:
    """(Subject, the plain text on one line) of a drafted letter, as a mail client shows them."""
    msg = email.message_from_bytes(path.read_bytes(), policy=default_policy)
    assert isinstance(msg, EmailMessage)
    return str(msg["Subject"]), " ".join(msg.get_body(("plain",)).get_content().split())


def _cash_as_text(form: Form, code: str):
    """Mutation: one row of results, dated 10/11, its cash typed as text «35.000» as a unit
    does (read as 35.000 đồng, with warnings: a number typed as text, too little per child);
    accepted."""
    res = form.blocks["results"]
    row = form.rows_for(res, form.units_by_code[code])[0].row
    figures = {"children": 171, "girls": 100, "ethnic": 30, "turns": 200, "cash": 3_500_000, "in_kind": 0}

    def mutate(data: dict[str, Any]) -> None:
        dated(10, form)(data)
        data["results"] = [{"region": code, "category": form.categories[0].code, **figures}]
        data.setdefault("raw", []).append((res.sheet, f"{res.measure_column('cash')}{row}", "35.000"))

    return mutate


def test_every_letters_subject_says_what_its_body_says_in_every_state(
    form: Form, make_file, tmp_path, capsys
):
    """Finding 4: a unit's file arrives after the last consolidation and `mail drafts` runs
    before consolidating again; its letter said «Sở đã nhận tệp … Sở sẽ kiểm tra» under the
    reminder's subject «Đề nghị gửi báo cáo …». Here every state of a letter, each checked
    for its subject and its body: received and not read yet (a unit that had not sent, one
    whose file was rejected, one whose accepted file counts meanwhile), not sent (the
    deadline past: overdue), rejected, rejected while an earlier file counts, accepted (one
    superseding an earlier accepted file), accepted with warnings."""
    inbox, outbox = tmp_path / "inbox", tmp_path / "out"
    make_file("899", dated(10, form), name="899.xlsx", seed=1)  # accepted
    make_file("900", _cash_as_text(form, "900"), name="900.xlsx", seed=2)  # accepted, warnings
    make_file("902", bad(form, 12), name="902.xlsx", seed=3)  # rejected
    make_file("903", dated(10, form), name="903 a.xlsx", seed=4)  # accepted, then
    make_file("903", bad(form, 14), name="903 b.xlsx", seed=5)  # a rejected correction
    make_file("904", dated(10, form), name="904 a.xlsx", seed=6)  # accepted, superseded by
    make_file("904", dated(14, form), name="904 b.xlsx", seed=7)  # another accepted file
    make_file("907", bad(form, 12), name="907.xlsx", seed=8)  # rejected; sends again later
    make_file("909", dated(10, form), name="909.xlsx", seed=9)  # accepted; sends again later
    consolidate = ["consolidate", "--inbox", str(inbox), "--outbox", str(outbox)]
    assert run(capsys, Path(form.path), *consolidate)[0] == cli.EXIT_OK
    # after the run: 906 (nothing before), 907 and 909 send files; not consolidated yet
    make_file("906", dated(20, form), name="906 Xa moi.xlsx", seed=10)
    make_file("907", dated(20, form), name="907 ban sua.xlsx", seed=11)
    make_file("909", dated(20, form), name="909 ban sua.xlsx", seed=12)
    code, out = run(capsys, Path(form.path), "mail", "drafts", "--outbox", str(outbox))
    assert code == cli.EXIT_OK, out
    assert "chưa đọc" in out  # the command says the inbox holds unread files

    expected = {  # unit -> what its subject says
        "906": ["Sở đang kiểm tra"],
        "907": ["Sở đang kiểm tra"],
        "909": ["Sở đang kiểm tra"],
        "905": ["Đề nghị gửi báo cáo", "(đã quá hạn nộp)"],  # the clock is after the 2025 deadline
        "902": ["cần sửa và gửi lại"],
        "903": ["cần sửa và gửi lại", "(Sở đang dùng bản nhận trước đó)"],
        "899": ["Đã nhận báo cáo"],
        "904": ["Đã nhận báo cáo"],
        "900": ["Đã nhận báo cáo", "cảnh báo cần xem lại"],
    }
    letters = {}
    for unit, says in expected.items():
        subject, body = _read(letter(outbox, form.year, unit))
        letters[unit] = (subject, body)
        assert form.units_by_code[unit].name in subject, subject
        assert [s for s in SAID_TOGETHER if s in subject] == says, (unit, subject)
        assert [s for s, b in SAID_TOGETHER.items() if b in body] == says, (unit, subject, body)
    # the file received and not read yet is named; a verdict on an older file is not given
    for unit, name in (("906", "906 Xa moi.xlsx"), ("907", "907 ban sua.xlsx"), ("909", "909 ban sua.xlsx")):
        subject, body = letters[unit]
        assert subject.startswith("Đã nhận tệp báo cáo năm 2025") and f"Sở đã nhận tệp «{name}»" in body
        assert "chưa nhận được" not in body and "gửi lại tệp" not in body, body
    assert "Trong khi chờ, Sở đang dùng bản đã chấp nhận trước đó («909.xlsx»)" in letters["909"][1]
    assert "«904 b.xlsx»" in letters["904"][1]
    (warning,) = re.findall(r"Tệp có (\d+) cảnh báo", letters["900"][1])
    assert f"(có {warning} cảnh báo cần xem lại)" in letters["900"][0]
    # every letter of the registry: a subject never says what its body does not, and reads
    # whole in a mail client (RFC 2047: a space between two encoded words is dropped; Python's
    # folding put the space of «(đã quá hạn nộp)» there, for the units of long names)
    reminders = []
    for path in drafts_dir(outbox, form.year).glob("*.eml"):
        subject, body = _read(path)
        name = form.units_by_code[path.name.split("-")[1]].name
        if "Sở chưa nhận được báo cáo" in body:
            reminders.append(subject)
            assert subject == f"Đề nghị gửi báo cáo năm {form.year} (QĐ 588) - {name} (đã quá hạn nộp)", (
                subject
            )
        assert [s for s in SAID_TOGETHER if s in subject] == [
            s for s, b in SAID_TOGETHER.items() if b in body
        ], (path.name, subject)
    assert len(reminders) > 10 and max(map(len, reminders)) > 75  # folded over several lines

    # consolidated: the files are read, and the letters say what became of them
    assert run(capsys, Path(form.path), *consolidate)[0] == cli.EXIT_OK
    assert run(capsys, Path(form.path), "mail", "drafts", "--outbox", str(outbox))[0] == cli.EXIT_OK
    for unit in ("906", "907", "909"):
        subject, body = _read(letter(outbox, form.year, unit))
        assert [s for s in SAID_TOGETHER if s in subject] == ["Đã nhận báo cáo"], subject
        assert "Sở đã nhận và chấp nhận báo cáo" in body


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("*.eml")}


def test_the_drafting_count_says_how_many_were_drafted_anew_and_how_many_kept(
    form: Form, make_file, tmp_path, capsys
):
    """Finding 10: `mail drafts` said «Đã soạn 114 thư» when some letters were the officer's,
    kept as saved, not drafted again. The count says what happened, and matches the files:
    the letters written anew are those whose bytes changed, the kept ones those that did not;
    after a run, the same, and the edited letter of a unit whose result changed is put aside."""
    inbox, outbox = tmp_path / "inbox", tmp_path / "out"
    make_file("899", dated(10, form), name="899.xlsx", seed=1)
    make_file("900", bad(form, 12), name="900.xlsx", seed=2)
    cfg = Path(form.path)
    consolidate = ["consolidate", "--inbox", str(inbox), "--outbox", str(outbox)]
    assert run(capsys, cfg, *consolidate)[0] == cli.EXIT_OK
    folder = drafts_dir(outbox, form.year)
    code, out = run(capsys, cfg, "mail", "drafts", "--outbox", str(outbox))
    assert code == cli.EXIT_OK, out
    total = len(_digests(folder))
    assert total == len(form.units)
    assert f"Đã soạn {total} thư mới trong {folder}/." in out, out
    assert "giữ nguyên" not in out.split("Đã soạn", 1)[1].split("\n", 1)[0]

    as_mail_client_saves(letter(outbox, form.year, "899"), "Ghi chú của Sở: cảm ơn đơn vị.")
    as_mail_client_saves(letter(outbox, form.year, "900"), "Ghi chú của Sở: gọi trước 10 giờ.")
    before = _digests(folder)
    code, out = run(capsys, cfg, "mail", "drafts", "--outbox", str(outbox))
    assert code == cli.EXIT_OK, out
    after = _digests(folder)
    kept = sorted(n for n in after if after[n] == before[n])
    assert len(kept) == 2 and all(n.startswith(("thu-899-", "thu-900-")) for n in kept)
    line = (
        f"Đã soạn {total - 2} thư mới trong {folder}/; giữ nguyên 2 thư anh/chị đã sửa (không soạn lại, "
        "xem dưới đây)."
    )
    assert line in out, out

    # a new file of 900: after the run, 899's letter is kept (its result is the same), 900's
    # edited letter is put aside in thu/cu/ and a new one drafted
    make_file("900", dated(20, form), name="900 ban sua.xlsx", seed=3)
    before = _digests(folder)
    code, out = run(capsys, cfg, *consolidate)
    assert code == cli.EXIT_OK, out
    after = _digests(folder)
    kept = [n for n in after if after[n] == before.get(n)]
    assert len(kept) == 1 and kept[0].startswith("thu-899-"), kept
    assert len(list((folder / STALE_DIR).glob("thu-900-*-ban-da-sua.eml"))) == 1
    line = (
        f"Đã soạn lại {total - 1} thư trả lời đơn vị mới trong {folder}/ theo kết quả lần tổng hợp này "
        "(thư soạn theo lần trước không gửi được nữa); giữ nguyên 1 thư anh/chị đã sửa (không soạn lại, "
        f"xem dưới đây); 1 thư anh/chị đã sửa theo lần tổng hợp trước được cất vào thu/cu/."
    )
    assert line in " ".join(out.split()), out


def _rejection(outbox: Path, form: Form, today: dt.date) -> str:
    """The body of 899's letter drafted on `today` (the code's own clock parameter)."""
    write_drafts(form, load_mail_settings(form), outbox, today)
    return _read(letter(outbox, form.year, "899"))[1]


def test_a_rejection_asking_for_a_day_after_the_deadline_says_a_late_correction_counts_late(
    form: Form, make_file, tmp_path, capsys
):
    """Finding 9: a unit sent on time, was refused, and sent its correction by the day the
    letter asked, after the deadline: it is counted late (the counting rule, kept), and its
    letter had not said so. The letter says it plainly when the day it asks for is after the
    deadline's last day, and not when the day is the deadline's last day."""
    inbox, outbox = tmp_path / "inbox", tmp_path / "out"
    make_file("899", bad(form, 20), name="899.xlsx", seed=1)
    cfg = Path(form.path)
    consolidate = ["consolidate", "--inbox", str(inbox), "--outbox", str(outbox)]
    assert run(capsys, cfg, *consolidate)[0] == cli.EXIT_OK
    form = load_form(cfg)
    due = form.period.due_before
    last = due - dt.timedelta(days=1)
    # the refused file was saved into the inbox by hand: its typed report date decided, and
    # so will the correction's when it is brought the same way
    note = (
        f"Lưu ý: hạn nộp báo cáo là hết ngày {last:%d/%m/%Y}. Tệp đã sửa gửi qua thư điện tử đến Sở sau "
        f"ngày {last:%d/%m/%Y}, hoặc nộp trực tiếp mà ngày báo cáo ghi trong tệp sau ngày {last:%d/%m/%Y}, "
        "được ghi nhận là gửi sau hạn nộp"
    )

    early = _rejection(outbox, form, dt.date(form.year, 11, 21))  # asks for the deadline's last day
    assert f"gửi lại tệp chậm nhất ngày {last:%d/%m/%Y}" in early and note not in early
    day = dt.date(form.year, 11, 28)  # asks for 05/12: after the deadline
    asked = day + dt.timedelta(days=7)
    body = _rejection(outbox, form, day)
    assert f"gửi lại tệp chậm nhất ngày {asked:%d/%m/%Y}" in body
    assert f"{note}, dù đơn vị gửi trong thời hạn gửi lại nêu trên." in body
    assert body.count("chậm nhất ngày") == 1  # the day asked is said once: the officer moves it once

    # what the letter warns of is what happens: the correction dated by the day asked, after
    # the deadline, is accepted and recorded late
    corrected = dt.date(form.year, 12, 3)
    assert last < corrected <= asked
    make_file("899", dated(corrected), name="899 ban sua.xlsx", seed=2)
    assert run(capsys, cfg, *consolidate)[0] == cli.EXIT_OK
    assert run(capsys, cfg, "mail", "drafts", "--outbox", str(outbox))[0] == cli.EXIT_OK
    receipt = _read(letter(outbox, form.year, "899"))[1]
    assert "Sở đã nhận và chấp nhận" in receipt and "sau hạn nộp" in receipt, receipt
    (unit,) = [
        u
        for u in json.loads(report_path(outbox, form.year).read_text(encoding="utf-8"))["units"]
        if u["code"] == "899"
    ]
    assert unit["on_time"] is False


def test_a_correction_saved_by_hand_after_a_refused_message_counts_from_that_message(
    form: Form, make_file, tmp_path, capsys
):
    """brk24 F1: the unit's report came by mail after the deadline and was refused; its
    correction was brought by hand with the report date of the first version left as it
    was (on time). Before, the hand-saved file counted by that date: it sorted before the
    refused message (the unit was told to correct the file it had replaced) and was judged
    on time. A file saved after its unit's message came is no older than the message: it is
    the unit's newest file and counts from the day the message came, and the letter says
    why. The rejection letter's warning says both ways a correction may come."""
    inbox, outbox = tmp_path / "inbox", tmp_path / "out"
    xlsx, _ = make_file("899", bad(form, 20), name="899.xlsx", seed=1, folder=tmp_path / "files")
    _mailed(inbox / "thu" / "899.eml", xlsx, _at(form.year, 12, 2, 9))
    cfg = Path(form.path)
    consolidate = ["consolidate", "--inbox", str(inbox), "--outbox", str(outbox)]
    assert run(capsys, cfg, *consolidate)[0] == cli.EXIT_OK
    form = load_form(cfg)
    last = form.period.due_before - dt.timedelta(days=1)
    body = _rejection(outbox, form, dt.date(form.year, 11, 28))
    assert "nhận lúc 09:00 ngày 02/12" in body  # the letter knows the file came by mail
    assert (
        f"Lưu ý: hạn nộp báo cáo là hết ngày {last:%d/%m/%Y}. Tệp đã sửa gửi qua thư điện tử đến Sở sau "
        f"ngày {last:%d/%m/%Y}, hoặc nộp trực tiếp mà ngày báo cáo ghi trong tệp sau ngày {last:%d/%m/%Y}, "
        "được ghi nhận là gửi sau hạn nộp, dù đơn vị gửi trong thời hạn gửi lại nêu trên."
    ) in body, body

    # the correction, dated as the first version, saved into the inbox by hand on 04/12
    fixed, _ = make_file("899", dated(20, form), name="899 ban sua.xlsx", seed=2)
    saved = _at(form.year, 12, 4, 10).timestamp()
    os.utime(fixed, (saved, saved))
    assert run(capsys, cfg, *consolidate)[0] == cli.EXIT_OK
    (unit,) = [
        u
        for u in json.loads(report_path(outbox, form.year).read_text(encoding="utf-8"))["units"]
        if u["code"] == "899"
    ]
    assert unit["status"] == "accepted" and unit["file"] == "899 ban sua.xlsx", unit
    assert (unit["on_time"], unit["submitted_on"], unit["decided_by"]) == (
        False,
        f"{form.year}-12-02",
        "after_mail",
    )
    assert "bị từ chối" not in unit["note"], unit["note"]  # the refused message is older, not newer
    assert run(capsys, cfg, "mail", "drafts", "--outbox", str(outbox))[0] == cli.EXIT_OK
    receipt = _read(letter(outbox, form.year, "899"))[1]
    assert (
        "sau hạn nộp (tệp được lưu sau thư đơn vị gửi đến Sở ngày 02/12/"
        f"{form.year}, nên tính từ ngày đó)" in " ".join(receipt.split())
    ), receipt


def test_an_attachment_saved_by_hand_after_a_later_message_stays_as_old_as_its_message(
    form: Form, make_file, tmp_path, capsys
):
    """The other side of brk24 F1: the unit mailed a report that was refused, then a
    corrected one; the officer later saved the first message's attachment by hand too.
    That plain file has the bytes of an attachment of the unit's messages: it is that
    attachment, as old as its typed date says, never the unit's newest file because it was
    saved after the correction came."""
    inbox, outbox = tmp_path / "inbox", tmp_path / "out"
    first, _ = make_file("899", bad(form, 20), name="899.xlsx", seed=1, folder=tmp_path / "files")
    second, _ = make_file("899", dated(25, form), name="899 sua.xlsx", seed=2, folder=tmp_path / "files")
    _mailed(inbox / "thu" / "899 lan 1.eml", first, _at(form.year, 11, 20, 9))
    _mailed(inbox / "thu" / "899 lan 2.eml", second, _at(form.year, 11, 25, 9))
    copy = inbox / "899 tu thu lan 1.xlsx"
    copy.write_bytes(first.read_bytes())
    saved = _at(form.year, 11, 26, 8).timestamp()
    os.utime(copy, (saved, saved))
    cfg = Path(form.path)
    assert run(capsys, cfg, "consolidate", "--inbox", str(inbox), "--outbox", str(outbox))[0] == cli.EXIT_OK
    (unit,) = [
        u
        for u in json.loads(report_path(outbox, form.year).read_text(encoding="utf-8"))["units"]
        if u["code"] == "899"
    ]
    assert unit["status"] == "accepted" and unit["file"].endswith("899 sua.xlsx"), unit
    assert (unit["on_time"], unit["submitted_on"], unit["decided_by"]) == (
        True,
        f"{form.year}-11-25",
        "arrival",
    )
    assert unit["files"][0] == unit["file"] and "bị từ chối" not in unit["note"], unit


def _at(year: int, month: int, day: int, hour: int) -> dt.datetime:
    """A time in Việt Nam (UTC+7), where the office is."""
    return dt.datetime(year, month, day, hour, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))


def _mailed(path: Path, xlsx: Path, came: dt.datetime) -> Path:
    """A message from unit 899's office with `xlsx` attached, dated `came`, saved at `path`
    as `mail fetch` saves one."""
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = "vanphong.899@kiengiang.gov.vn", "so@kiengiang.gov.vn", "Báo cáo"
    m["Date"] = email.utils.format_datetime(came)
    m.set_content("Kính gửi Sở.")
    m.add_attachment(xlsx.read_bytes(), maintype="application", subtype="octet-stream", filename=xlsx.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(m))
    return path
