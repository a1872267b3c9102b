"""Issue #23, items 2 and 3: through a season of reruns, everything said is about the
current set, and a letter tells a unit what to do and by when.

- A rerun (a corrected resubmission, a late file, a new rejected file) says what changed
  since the previous run (terminal, status sheet, bao-cao.json); the errors of the file the
  unit replaced are history, not open problems (terminal, workbook).
- The letters drafted after the first run are written again after the second, each naming
  the run it describes; a draft of an earlier run is put aside and never sent.
- A rejection letter lists each error with the warning that explains it (a total that
  does not match next to a number typed as text), asks for the correction by a day after
  the day it is drafted, and says whom to call; an acceptance against a deadline not set
  yet never says "đúng hạn".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import json
import shutil
from email import policy
from pathlib import Path

import openpyxl
import pytest

from pipeline import cli
from pipeline.app import consolidate_into
from pipeline.form import SCHEMAS_DIR, load_form
from pipeline.intake.mail_settings import Server, load_mail_settings
from pipeline.mail.draft_record import drafts_dir
from pipeline.mail.drafts import write_drafts
from pipeline.mail.letter_body import LetterSettings, letter_settings, resubmit_by
from pipeline.mail.send import OUT_STALE, RUN_HEADER, STALE_DIR, send_drafts
from pipeline.outbox.paths import report_path, workbook_path, year_dir
from pipeline.samples import write_samples

from .test_resubmission import bad, dated, set_mtime

VN = dt.timezone(dt.timedelta(hours=7))


def _body(path: Path) -> str:
    msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    return msg.get_body(("plain",)).get_content()


def _letter(outbox: Path, year: int, code: str) -> Path:
    return next(drafts_dir(outbox, year).glob(f"thu-{code}-*.eml"))


def _consolidate(inbox: Path, outbox: Path, capsys, *config: str) -> str:
    capsys.readouterr()
    code = cli.main([*config, "consolidate", "--inbox", str(inbox), "--outbox", str(outbox)])
    assert code == cli.EXIT_OK
    return capsys.readouterr().out


# ----- a season of reruns ---------------------------------------------------------------------
def test_a_rerun_says_what_changed_and_keeps_replaced_errors_as_history(form, make_file, tmp_path, capsys):
    inbox, outbox = tmp_path / "inbox", tmp_path / "out"
    make_file("899", dated(12, form), name="899.xlsx", seed=1)
    make_file("900", bad(form, 10), name="900.xlsx", seed=2)
    first = _consolidate(inbox, outbox, capsys)
    first_result = report_path(outbox, form.year).read_text(encoding="utf-8")
    assert "900.xlsx: " in first  # its errors are open problems in the first run
    assert "Thay đổi so với lần tổng hợp trước" not in first  # nothing to compare with yet
    assert cli.main(["mail", "drafts", "--outbox", str(outbox)]) == cli.EXIT_OK
    old_900 = _letter(outbox, form.year, "900").read_bytes()
    assert "cần sửa và gửi lại" in str(email.message_from_bytes(old_900, policy=policy.default)["Subject"])
    # a draft no new letter replaces (its unit left the registry, say): put aside after the rerun
    other = email.message_from_bytes(_letter(outbox, form.year, "900").read_bytes(), policy=policy.default)
    body = other.get_body(("plain",))
    body.set_content(
        body.get_content().replace("Kính gửi: UBND Thành phố Hà Tiên", "Kính gửi: UBND Huyện Cũ")
    )
    (drafts_dir(outbox, form.year) / "thu-khac.eml").write_bytes(other.as_bytes())
    # a draft the officer changed in a text editor: kept, never overwritten (902's: its part
    # of the set changes below; a letter whose unit's part is the same stays current)
    edited = _letter(outbox, form.year, "902")
    edited.write_bytes(edited.read_bytes() + b"\nGhi chu them cua So.\n")
    edited_bytes = edited.read_bytes()

    # the season goes on: 900 corrects its file, 902 sends late, 903 sends a file with errors
    make_file("900", dated(20, form), name="900-sua.xlsx", seed=2)
    make_file("902", dated(dt.date(form.year, 12, 5)), name="902.xlsx", seed=3)
    make_file("903", bad(form, 21), name="903.xlsx", seed=4)
    second = _consolidate(inbox, outbox, capsys)

    lines = second.splitlines()
    assert any(line.startswith("Thay đổi so với lần tổng hợp trước (") for line in lines), second
    new = next(line for line in lines if "Tệp mới (" in line)
    assert new.count(".xlsx") == 3 and all(n in new for n in ("900-sua.xlsx", "902.xlsx", "903.xlsx"))
    now = next(line for line in lines if "Nay được chấp nhận (" in line)
    assert "Nay được chấp nhận (2)" in now and "(900)" in now and "(902)" in now and "(899)" not in now
    rejected = next(line for line in lines if "Tệp mới bị từ chối (" in line)
    assert "Tệp mới bị từ chối (1)" in rejected and "(903)" in rejected
    assert "Gửi trễ hạn (1)" in second
    # the replaced file's errors are history: not listed as open, counted apart
    assert "900.xlsx: " not in second and "903.xlsx: " in second
    assert "của 1 tệp đã được đơn vị gửi lại bản khác: chỉ còn là lịch sử" in second
    # counted as they are: one error and no warning (brk14 F9: "1 lỗi, cảnh báo của …")
    assert "(1 lỗi của 1 tệp đã được đơn vị gửi lại bản khác" in second, second

    saved = json.loads(report_path(outbox, form.year).read_text(encoding="utf-8"))
    assert saved["changes"]["now_accepted"] == ["900", "902"]
    assert saved["changes"]["newly_rejected"] == ["903"]
    # how the totals moved (brk34 F8), from each run's own totals: 900's and 902's figures added
    was = json.loads(first_result)["totals"]
    block = form.history_block
    heads = [
        (f"{block.key}.{block.headcount}",),
        tuple(f"{block.key}.{m}" for m in block.value_measures),
        tuple(
            f"{form.resources_block.key}.{m.key}" for m in form.resources_block.measures if m.type == "money"
        ),
    ]
    moved = [(sum(was[k] for k in keys), sum(saved["totals"][k] for k in keys)) for keys in heads]
    assert all(after > before > 0 for before, after in moved), moved
    told = next(line for line in lines if "Số liệu tổng hợp: " in line)
    for before, after in moved:
        shown = f"{before:,} → {after:,} (tăng {after - before:,}".replace(",", ".")
        assert shown in told, (shown, told)
    assert [t[1:] for t in saved["changes"]["totals"]] == [list(m) for m in moved]

    wb = openpyxl.load_workbook(workbook_path(outbox, form.year))
    rows = [[c.value for c in row] for row in wb["Lỗi và cảnh báo"].iter_rows()]
    old_rows = [r for r in rows if r[1] == "900.xlsx"]
    assert old_rows and all(str(r[5]).endswith("(đã thay thế)") for r in old_rows)
    assert all(not str(r[5]).endswith("(đã thay thế)") for r in rows if r[1] == "903.xlsx")
    status = [str(c.value) for row in wb["Tình trạng nộp"].iter_rows() for c in row if c.value]
    assert any(v.startswith("• Tệp mới bị từ chối (1)") for v in status), status

    # the letters were written again for this run, and the one nobody replaced put aside
    assert "Đã soạn lại" in second
    run_id = saved["run_id"]
    letters = sorted(drafts_dir(outbox, form.year).glob("*.eml"))
    assert len(letters) == len(form.units)
    for path in letters:
        msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        assert msg[RUN_HEADER] == run_id, path.name
    assert not (drafts_dir(outbox, form.year) / "thu-khac.eml").exists()
    assert (drafts_dir(outbox, form.year) / STALE_DIR / "thu-khac.eml").is_file()
    kept = drafts_dir(outbox, form.year) / STALE_DIR / f"{edited.stem}-ban-da-sua.eml"
    assert kept.read_bytes() == edited_bytes
    assert f"Giữ nguyên thư anh/chị đã sửa: {kept} (thư mới soạn: {edited})" in second
    assert edited.read_bytes() != edited_bytes
    receipt = _letter(outbox, form.year, "900")
    assert "Đã nhận báo cáo" in str(
        email.message_from_bytes(receipt.read_bytes(), policy=policy.default)["Subject"]
    )
    assert "lỗi phải sửa" not in _body(receipt)

    # a draft of the first run is never sent as current (and no server is even called)
    stale = drafts_dir(outbox, form.year) / "thu-900-lan-1.eml"
    stale.write_bytes(old_900)
    result = send_drafts([stale], Server("127.0.0.1", 9, "none", "", "", ""), "", VN, timeout=2)
    assert [o.status for o in result.outcomes] == [OUT_STALE] and result.sent == []


def test_an_old_file_saved_again_keeps_its_place_and_an_old_one_back_on_top_is_a_change(
    form, make_file, tmp_path, capsys
):
    """brk21: a unit's rejected file, then its corrected one (accepted). The old attachment
    saved again (the same bytes, a newer time) was the unit's newest file, its letter and
    errors flipped. Its bytes were found by an earlier run: it keeps that time, nothing
    changed. The corrected file then deleted: the old one is the unit's newest again, and
    the summary says so."""
    inbox, outbox = tmp_path / "inbox", tmp_path / "out"
    old, _ = make_file("900", bad(form, 10), name="900.xlsx", seed=2)
    fixed, _ = make_file("900", dated(10, form), name="900-sua.xlsx", seed=2)
    set_mtime(old, 1)
    set_mtime(fixed, 2)
    _consolidate(inbox, outbox, capsys)
    quiet = _consolidate(inbox, outbox, capsys)
    assert "Không có gì thay đổi so với lần tổng hợp trước" in quiet
    first = json.loads(report_path(outbox, form.year).read_text(encoding="utf-8"))
    set_mtime(old, 3)  # saved again from the old mail
    again = _consolidate(inbox, outbox, capsys)
    assert "Không có gì thay đổi so với lần tổng hợp trước" in again, again
    saved = json.loads(report_path(outbox, form.year).read_text(encoding="utf-8"))
    unit = next(u for u in saved["units"] if u["code"] == "900")
    assert unit["files"] == ["900-sua.xlsx", "900.xlsx"] and unit["note"] == "", unit
    received = {f["name"]: f["received"] for f in saved["files"]}
    assert received == {f["name"]: f["received"] for f in first["files"]}  # the first time kept
    fixed.unlink()
    back = _consolidate(inbox, outbox, capsys)
    line = next(x for x in back.splitlines() if "tệp đã nhận trước đây" in x)
    assert "(1):" in line and "(900): 900.xlsx" in line, line
    saved = json.loads(report_path(outbox, form.year).read_text(encoding="utf-8"))
    assert saved["changes"]["newest_again"] == ["900"]
    assert saved["changes"]["removed_files"] == ["900-sua.xlsx"]
    assert saved["changes"]["new_files"] == [] and saved["changes"]["newly_rejected"] == []
    assert _consolidate(inbox, outbox, capsys).count("Không có gì thay đổi so với lần tổng hợp trước") == 1


def test_an_earlier_years_result_found_changed_or_gone_is_a_change(form, make_file, tmp_path, capsys):
    """brk32 F5: the previous year consolidated into the same outbox between two runs changes
    the comparison and the sum to date of this year's report: the summary says so, never
    «Không có gì thay đổi»; the same again is nothing."""
    inbox, outbox = tmp_path / "inbox", tmp_path / "out"
    make_file("900", dated(10, form), name="900.xlsx")
    _consolidate(inbox, outbox, capsys)
    before = load_form(overrides={"period": {"year": form.year - 1}})
    write_samples(before, tmp_path / "truoc")
    kept = {"899-UBND-Thanh-pho-Rach-Gia.xlsx", "900-UBND-Thanh-pho-Ha-Tien.xlsx"}
    for path in (tmp_path / "truoc").iterdir():
        if path.name not in kept:
            path.rename(tmp_path / path.name)  # held back: sent later
    consolidate_into(before, tmp_path / "truoc", outbox, show_progress=False)
    found = _consolidate(inbox, outbox, capsys)
    assert f"Các năm trước: nay có thêm kết quả tổng hợp năm {before.year} (" in found, found
    assert "Không có gì thay đổi" not in found
    assert "Không có gì thay đổi so với lần tổng hợp trước" in _consolidate(inbox, outbox, capsys)
    shutil.move(tmp_path / "902-UBND-Huyen-Kien-Luong.xlsx", tmp_path / "truoc")
    consolidate_into(before, tmp_path / "truoc", outbox, show_progress=False)
    again = _consolidate(inbox, outbox, capsys)
    assert f"kết quả tổng hợp đã thay đổi: năm {before.year} (" in again, again
    saved = json.loads(report_path(outbox, form.year).read_text(encoding="utf-8"))
    assert saved["changes"]["years_changed"] == [before.year] and saved["changes"]["years_new"] == []
    shutil.rmtree(year_dir(outbox, before.year))
    gone = _consolidate(inbox, outbox, capsys)
    assert f"không còn thấy kết quả tổng hợp năm {before.year} (" in gone, gone


def test_send_refuses_a_stale_draft_with_a_vietnamese_line(form, make_file, tmp_path, capsys):
    """`mail drafts --send` writes the letters anew, so only a draft of another run that
    slips in is stale: told in Vietnamese, not sent, exit 1."""
    from pipeline.mail.cli import EXIT_FAILED, _send_summary
    from pipeline.mail.send import Outcome, SendResult

    result = SendResult([Outcome(tmp_path / "thu-899.eml", OUT_STALE, "a@b.vn")])
    code = _send_summary(
        result,
        {tmp_path / "thu-899.eml": "899"},
        Server("h", 1, "none", "", "", ""),
        1,
        "make drafts SEND=1",
        dt.date(2025, 12, 1),
    )
    out = capsys.readouterr().out
    assert code == EXIT_FAILED
    assert "lần tổng hợp trước" in out and "KHÔNG gửi" in out
    assert "1 thư của lần tổng hợp trước không gửi" in out
    assert "Soạn lại theo lần tổng hợp mới nhất và gửi bằng lệnh: make drafts SEND=1" in out


# ----- letters a unit can act on ---------------------------------------------------------------
def _with_letters(form, tmp_path: Path, **letters: object):
    """The form, its configuration copied with `[mail.letters]` set to `letters`."""
    text = form.path.read_text(encoding="utf-8")
    for key, value in letters.items():
        line = f"{key} = {json.dumps(value, ensure_ascii=False)}"
        start = text.index("[mail.letters]")
        at = text.index(f"\n{key} = ", start)
        end = text.index("\n", at + 1)
        text = text[: at + 1] + line + text[end:]
    tmp_path.mkdir(parents=True, exist_ok=True)
    for name in ("layout.toml", "bao-cao.toml", "bao-cao-an-giang.toml"):
        shutil.copy(SCHEMAS_DIR / name, tmp_path / name)
    if (SCHEMAS_DIR / "reference").is_dir():
        shutil.copytree(SCHEMAS_DIR / "reference", tmp_path / "reference", dirs_exist_ok=True)
    path = tmp_path / form.path.name
    path.write_text(text, encoding="utf-8")
    return dataclasses.replace(form, path=path)


def test_a_rejection_letter_explains_its_error_gives_a_future_date_and_whom_to_call(
    form, make_file, tmp_path
):
    res = form.blocks["results"]
    unit = form.units_by_code["899"]
    first = form.rows_for(res, unit)[0]  # the district's first fixed row: its first category
    row, category = first.row, form.categories[0].code
    total = next(t for t in res.totals if "cash" in t.sum_of)
    cash_cell, total_cell = f"{res.measure_column('cash')}{row}", f"{res.total_column(total.key)}{row}"
    figures = {
        "children": 100,
        "girls": 107,
        "ethnic": 30,
        "turns": 150,
        "cash": 3_500_000,
        "in_kind": 2_000_000,
    }

    def mutate(data):
        dated(10, form)(data)
        # an error (more girls than children), and "3.500.000" typed as text in the same row:
        # Excel's SUM skipped it, so the row total the file holds is the in-kind part alone
        data["results"] = [{"region": "899", "category": category, **figures}]
        data.setdefault("raw", []).extend(
            [(res.sheet, cash_cell, "3.500.000"), (res.sheet, total_cell, figures["in_kind"])]
        )

    make_file("899", mutate, name="899.xlsx", seed=5)
    outbox = tmp_path / "out"
    office = _with_letters(
        form, tmp_path / "cfg", resubmit_days=10, contact="Trần Thị B", phone="0297 3812 345"
    )
    consolidate_into(office, tmp_path / "inbox", outbox, show_progress=False)
    today = dt.date(form.year + 1, 1, 15)  # long after the deadline
    write_drafts(office, load_mail_settings(office), outbox, today)
    body = _body(_letter(outbox, form.year, "899"))

    found = json.loads(report_path(outbox, form.year).read_text(encoding="utf-8"))["findings"]
    mismatch = next(f for f in found if f["code"] == "TOTAL_MISMATCH" and f["cell"] == total_cell)
    as_text = next(f for f in found if f["code"] == "NUMBER_FROM_TEXT" and f["cell"] == cash_cell)
    error = next(f for f in found if f["severity"] == "error")
    assert error["message"] in body
    # the total that does not match, and right under it the number typed as text that explains it
    assert (
        f"{mismatch['message']}\n   - Nguyên nhân: {as_text['message']}\n     Cách sửa: xóa ô {cash_cell} và "
        "gõ lại: 3500000 (chỉ chữ số).\n   - Cách sửa:" in body
    ), body
    assert body.count(as_text["message"]) == 1  # not listed again on its own
    assert "(ô đang ghi: «3.500.000»)" in body or "'3.500.000'" in body
    # a day after the day of drafting, never the deadline already past
    assert f"chậm nhất ngày {today + dt.timedelta(days=10):%d/%m/%Y}" in body
    assert f"{form.period.due_before:%d/%m/%Y}" not in body
    reminder = _body(_letter(outbox, form.year, "902"))  # a unit that sent nothing, past the deadline
    assert f"(đã quá hạn; đề nghị gửi chậm nhất ngày {today + dt.timedelta(days=10):%d/%m/%Y})" in reminder
    # whom to call: the unit's preparer (from its file) and the office's contact
    info = json.loads(report_path(outbox, form.year).read_text(encoding="utf-8"))["units"][0]["contact"]
    assert info["person"] and f"(người liên hệ: {info['person']}" in body
    assert "Liên hệ: Trần Thị B, điện thoại 0297 3812 345" in body


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2025, 11, 1), dt.date(2025, 11, 30)),  # the deadline's last day is later: kept
        (dt.date(2025, 11, 28), dt.date(2025, 12, 5)),  # too close to the deadline: 7 days
        (dt.date(2025, 11, 30), dt.date(2025, 12, 7)),  # on the last day
        (dt.date(2026, 3, 1), dt.date(2026, 3, 8)),  # long after: never a day already past
    ],
)
def test_resubmission_date_is_after_the_day_of_drafting(form, today, expected):
    assert form.period.due_before == dt.date(2025, 12, 1)
    by = resubmit_by(form, LetterSettings(resubmit_days=7), today)
    assert by == expected and by > today


def test_resubmit_days_is_read_from_the_configuration(form, tmp_path):
    assert letter_settings(form) == LetterSettings(7, "", "")
    assert letter_settings(load_form(SCHEMAS_DIR / "an-giang.toml")).resubmit_days == 7
    assert letter_settings(_with_letters(form, tmp_path, resubmit_days=3)).resubmit_days == 3
    with pytest.raises(Exception, match="resubmit_days"):
        letter_settings(_with_letters(form, tmp_path, resubmit_days=0))


def test_an_acceptance_against_a_deadline_not_set_is_not_judged(tmp_path):
    ag = load_form(SCHEMAS_DIR / "an-giang.toml")
    inbox, outbox = tmp_path / "inbox", tmp_path / "out"
    write_samples(ag, inbox)
    consolidate_into(ag, inbox, outbox, show_progress=False)
    write_drafts(ag, load_mail_settings(ag), outbox, dt.date(2025, 12, 20))
    receipts = [
        _body(p)
        for p in sorted(drafts_dir(outbox, ag.year).glob("*.eml"))
        if "Đã nhận báo cáo"
        in str(email.message_from_bytes(p.read_bytes(), policy=policy.default)["Subject"])
    ]
    assert receipts
    for body in receipts:
        assert "chưa xét đúng hạn (hạn nộp chưa được ấn định)" in body
        assert body.count("đúng hạn") == 1 and "sau hạn nộp" not in body
    resubmit = [
        _body(p)
        for p in sorted(drafts_dir(outbox, ag.year).glob("*.eml"))
        if "gửi lại tệp chậm nhất ngày" in _body(p)
    ]
    assert all("chậm nhất ngày 27/12/2025" in b for b in resubmit)  # from the run date, not "cần điền"
    assert year_dir(outbox, ag.year).is_dir()


def test_mail_drafts_names_a_missing_office_contact_and_refuses_a_bad_setting(
    form, make_file, tmp_path, capsys
):
    make_file("899", dated(12, form), name="899.xlsx", seed=1)
    outbox = tmp_path / "out"
    consolidate_into(form, tmp_path / "inbox", outbox, show_progress=False)
    capsys.readouterr()
    assert cli.main(["mail", "drafts", "--outbox", str(outbox)]) == cli.EXIT_OK
    assert "thư chưa ghi người liên hệ của Sở" in capsys.readouterr().err  # kien-giang.toml: none yet
    named = _with_letters(form, tmp_path / "named", contact="Trần Thị B")
    assert cli.main(["--config", str(named.path), "mail", "drafts", "--outbox", str(outbox)]) == cli.EXIT_OK
    assert "người liên hệ" not in capsys.readouterr().err
    wrong = _with_letters(form, tmp_path / "wrong", resubmit_days="bảy")
    assert (
        cli.main(["--config", str(wrong.path), "mail", "drafts", "--outbox", str(outbox)]) == cli.EXIT_USAGE
    )
    err = capsys.readouterr().err
    assert "Lỗi cấu hình: [mail.letters] resubmit_days 'bảy' phải là số ngày từ 1 đến 90" in err
    assert "Traceback" not in err


def test_a_row_check_is_explained_by_a_number_of_its_row_typed_as_text(form, make_file, tmp_path):
    """Girls typed "1.350" as text (read as 1350) against 171 children: the letter gives the
    error, and under it, as its cause, the warning on the girls' cell with what to type; the
    warning is not listed again on its own."""
    res = form.blocks["results"]
    unit = form.units_by_code["899"]
    row, category = form.rows_for(res, unit)[0].row, form.categories[0].code
    girls_cell = f"{res.measure_column('girls')}{row}"
    figures = {"children": 171, "girls": 100, "ethnic": 30, "turns": 200, "cash": 3_500_000, "in_kind": 0}

    def mutate(data):
        dated(10, form)(data)
        data["results"] = [{"region": "899", "category": category, **figures}]
        data.setdefault("raw", []).append((res.sheet, girls_cell, "1.350"))

    make_file("899", mutate, name="899.xlsx", seed=6)
    outbox = tmp_path / "out"
    consolidate_into(form, tmp_path / "inbox", outbox, show_progress=False)
    write_drafts(form, load_mail_settings(form), outbox, dt.date(form.year, 11, 25))
    body = _body(_letter(outbox, form.year, "899"))
    found = json.loads(report_path(outbox, form.year).read_text(encoding="utf-8"))["findings"]
    error = next(f for f in found if f["code"] == "MEASURE_AT_MOST" and f["cell"] == girls_cell)
    as_text = next(f for f in found if f["code"] == "NUMBER_FROM_TEXT" and f["cell"] == girls_cell)
    assert f"   - Nguyên nhân: {as_text['message']}" in body.split(error["message"], 1)[1], body
    assert f"Cách sửa: xóa ô {girls_cell} và gõ lại: 1350 (chỉ chữ số)." in body
    assert body.count(as_text["message"]) == 1
    other = error["message"].split("tổng số trẻ em (", 1)[1].split(")", 1)[0]
    assert (
        f"Cách sửa: gõ lại ô {girls_cell} bằng số không lớn hơn {other} (tổng số trẻ em), hoặc sửa tổng "
        "số trẻ em nếu số đó sai."
    ) in body


def test_files_saved_in_one_second_are_chosen_alike_at_every_run(form, make_file, tmp_path, capsys):
    """brk38 F1: two files of a unit dated the same day with other figures, saved within one
    second ("save all attachments"): the first run chose by the fraction of a second, the
    next by name (the time it keeps of a file is to the second), so an unchanged inbox
    changed the counted file and the totals under "Không có gì thay đổi". Every run now
    tells their times to the second, and chooses by name, saying so."""
    import os

    inbox, outbox = tmp_path / "inbox", tmp_path / "out"
    late, _ = make_file("899", dated(20, form), name="899-a.xlsx", seed=1)
    early, _ = make_file("899", dated(20, form), name="899-b.xlsx", seed=2)
    second = dt.datetime(2025, 11, 21, 8, 0, 0, tzinfo=VN).timestamp()
    os.utime(early, ns=(int(second * 1e9) + 100_000_000,) * 2)
    os.utime(late, ns=(int(second * 1e9) + 600_000_000,) * 2)  # saved last, named first
    said, runs = [], []
    for _ in range(2):
        said.append(_consolidate(inbox, outbox, capsys))
        runs.append(json.loads(report_path(outbox, form.year).read_text(encoding="utf-8")))
    for run in runs:  # by name, the later of the two, at every run
        assert {u["code"]: u["file"] for u in run["units"]}["899"] == "899-b.xlsx"
        (unit,) = [u for u in run["units"] if u["code"] == "899"]
        assert "các bản được lưu cùng lúc 08:00 21/11/2025, nên chọn theo tên tệp" in unit["note"]
    assert "Không có gì thay đổi so với lần tổng hợp trước" in said[1]
    assert runs[1]["totals"] == runs[0]["totals"]
    # the unit's letter asks which is right (brk38 F3: it said "accepted" and nothing more)
    assert cli.main(["mail", "drafts", "--outbox", str(outbox)]) == cli.EXIT_OK
    body = " ".join(_body(_letter(outbox, form.year, "899")).split())
    assert (
        "Sở cũng nhận được «899-a.xlsx» cùng ngày báo cáo với số liệu khác; Sở đang dùng tệp «899-b.xlsx»"
        in body
    ), body
    assert "Đề nghị đơn vị báo Sở bản nào đúng" in body
