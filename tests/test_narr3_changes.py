"""The change summary "so với lần tổng hợp trước" as the officer reads it in the terminal
and on the status sheet: a file renamed with the same content is renamed, not new; a unit
no longer accepted is named with why (its file removed, or written over and rejected) and
what it is now; and the terminal's file counts put every file a unit sent again after
under one word (issue #23 item 2: everything said is about the current set)."""

from __future__ import annotations

import datetime as dt
import shutil

import openpyxl

from pipeline.app import consolidate_into
from pipeline.filler import date_value
from pipeline.outbox.paths import workbook_path
from pipeline.render.summary import print_summary
from pipeline.render.workbook import SHEETS


def _girls_over_children(data):
    data["results"][0]["girls"] = data["results"][0]["children"] + 1  # an error: rejected


def _run(form, tmp_path, capsys) -> list[str]:
    """Consolidate the inbox into the outbox as the command does; the terminal's lines."""
    report = consolidate_into(form, tmp_path / "inbox", tmp_path / "out", show_progress=False)
    capsys.readouterr()
    print_summary(report)
    return capsys.readouterr().out.splitlines()


def _status_sheet_text(outbox, year) -> str:
    ws = openpyxl.load_workbook(workbook_path(outbox, year), data_only=True)[SHEETS["status"]]
    return "\n".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str))


def test_renamed_file_is_renamed_and_lost_units_are_named_with_why(form, make_file, tmp_path, capsys):
    """Run 1: 899, 903, 900 accepted. Then 899's file is renamed (same bytes), 903's only file
    removed, and 900's file written over by a rejected one under the same name."""
    inbox = tmp_path / "inbox"
    ha_tien = form.units_by_code["900"].name
    make_file("899")
    make_file("903")
    make_file("900")
    _run(form, tmp_path, capsys)
    (inbox / "899.xlsx").rename(inbox / "899 Rạch Giá.xlsx")
    (inbox / "903.xlsx").unlink()
    make_file("900", _girls_over_children, seed=1)
    lines = _run(form, tmp_path, capsys)
    text = "\n".join(lines)

    assert "  • Tệp đổi tên, nội dung không đổi (1): 899.xlsx → 899 Rạch Giá.xlsx" in lines, text
    assert not any("Tệp mới (" in line and "899 Rạch Giá" in line for line in lines), text
    assert "  • Tệp không còn trong hộp thư (1): 903.xlsx" in lines, text
    # written over under its name: not a new file (brk21), and new content rejected
    assert "  • Tệp cùng tên, nội dung mới (1): 900.xlsx" in lines, text
    assert not any(line.startswith("  • Tệp mới (") for line in lines), text
    assert f"  • Tệp mới bị từ chối (1): {ha_tien} (900)" in lines, text
    hon_dat = form.units_by_code["903"].name
    assert (
        "  • Không còn được chấp nhận, số liệu không còn được tính (2): "
        f"{ha_tien} (900): tệp 900.xlsx đã bị thay bằng nội dung khác và bị từ chối, nay là «Bị từ chối»; "
        f"{hon_dat} (903): tệp 903.xlsx không còn trong hộp thư, nay là «Chưa gửi»"
    ) in lines, text
    # the same lines on the status sheet of the workbook
    sheet = _status_sheet_text(tmp_path / "out", form.year)
    assert "Tệp đổi tên, nội dung không đổi (1): 899.xlsx → 899 Rạch Giá.xlsx" in sheet
    assert f"{hon_dat} (903): tệp 903.xlsx không còn trong hộp thư, nay là «Chưa gửi»" in sheet


def test_a_copy_under_a_new_name_with_the_old_one_kept_is_new(form, make_file, tmp_path, capsys):
    """A copy (old name still there) is not a rename: the old file is still in the inbox."""
    inbox = tmp_path / "inbox"
    make_file("899")
    _run(form, tmp_path, capsys)
    shutil.copy2(inbox / "899.xlsx", inbox / "899 bản sao.xlsx")
    lines = _run(form, tmp_path, capsys)
    assert "  • Tệp mới (1): 899 bản sao.xlsx" in lines, lines
    assert not any("đổi tên" in line or "không còn" in line for line in lines), lines


def test_a_file_sent_again_after_is_replaced_in_the_counts_whether_it_was_rejected_or_not(
    form, make_file, tmp_path, capsys
):
    """900 sent a rejected file, then another rejected one; 904 an accepted file, then
    another accepted one. Each unit's first file is "đã được thay thế" (one rule: the unit
    sent another after); only 900's newest file is "bị từ chối"."""

    def dated(day, also=None):
        def mutate(data):
            data["info"]["report_date"] = date_value(day)
            if also:
                also(data)

        return mutate

    early, late = dt.date(form.year, 11, 10), dt.date(form.year, 11, 20)
    make_file("900", dated(early, _girls_over_children), name="900-lan-1.xlsx")
    make_file("900", dated(late, _girls_over_children), name="900-lan-2.xlsx", seed=1)
    make_file("904", dated(early), name="904-lan-1.xlsx")
    make_file("904", dated(late), name="904-lan-2.xlsx", seed=1)
    lines = _run(form, tmp_path, capsys)
    head = next(line for line in lines if line.startswith("Hộp thư đến có"))
    assert head == "Hộp thư đến có 4 tệp (được chấp nhận: 1, bị từ chối: 1, đã được thay thế: 2).", head


def test_a_unit_whose_warnings_went_away_or_came_is_said(form, make_file, tmp_path, capsys):
    """Run 1: 899 accepted with a warning (a number typed as text), 903 accepted clean. Then
    899 sends the file corrected and 903 one with the same warning, under the same names:
    both still accepted, and the summary says whose warnings went away and whose came."""
    resources = form.resources_block
    cash = f"{resources.measure_column('cash')}{resources.first_row}"

    def as_text(data):
        data.setdefault("raw", []).append((resources.sheet, cash, "3.500.000"))

    make_file("899", as_text)
    make_file("903")
    _run(form, tmp_path, capsys)
    make_file("899", seed=1)
    make_file("903", as_text, seed=1)
    lines = _run(form, tmp_path, capsys)
    text = "\n".join(lines)
    rach_gia, hon_dat = form.units_by_code["899"].name, form.units_by_code["903"].name
    assert f"  • Nay không còn cảnh báo (1): {rach_gia} (899)" in lines, text
    assert f"  • Nay có cảnh báo (1): {hon_dat} (903)" in lines, text
    assert not any("được chấp nhận (" in line for line in lines), text  # accepted both times
    # a rerun with nothing changed says nothing of warnings
    again = _run(form, tmp_path, capsys)
    assert not any("cảnh báo (" in line for line in again), again


def test_two_copies_of_one_file_keep_their_order_from_run_to_run(form, make_file, tmp_path, capsys):
    """A unit's file and a copy saved after it (the same bytes, a later time): the copy is
    the newer in every run, as in the first (each keeps the time a run first found it, by
    name and bytes: `changes.first_seen`), and a rerun says nothing changed."""
    import json
    import os

    from pipeline.outbox.paths import report_path

    inbox = tmp_path / "inbox"
    first, _ = make_file("899", name="899.xlsx")
    copy = inbox / "899 gửi lại.xlsx"
    shutil.copyfile(first, copy)
    os.utime(first, (1_700_000_000, 1_700_000_000))
    os.utime(copy, (1_700_086_400, 1_700_086_400))

    def order() -> list[str]:
        saved = json.loads(report_path(tmp_path / "out", form.year).read_text(encoding="utf-8"))
        return next(u["files"] for u in saved["units"] if u["code"] == "899")

    _run(form, tmp_path, capsys)
    assert order() == ["899 gửi lại.xlsx", "899.xlsx"]
    again = _run(form, tmp_path, capsys)
    assert order() == ["899 gửi lại.xlsx", "899.xlsx"]
    assert any("Không có gì thay đổi" in line for line in again), again
