"""Two files of one unit dated the same report day, with different figures (brk14 F5): the
report date cannot tell which the unit meant, and the one saved last counted without a word
(a morning version saved after the afternoon correction). The run still counts the one saved
last, and says so: the unit's note (workbook) and a "Cần hỏi lại đơn vị" line on the console
name both files and the time that decided. Copies of the same figures, or files of other
days, say nothing of it."""

from __future__ import annotations

import os
from email.message import EmailMessage

from pipeline import cli
from pipeline.app import consolidate_into
from pipeline.render.summary import print_summary
from pipeline.run.result import UnitStatus
from pipeline.run.submissions import SAME_DAY

from .conftest import report_day
from .test_resubmission import expected_totals
from .test_season import _body, _letter


def _dated(form, day: int, **info):
    """`make_file`'s mutate: the report dated `day` November of the reporting year, with
    `info`'s other answers (a preparer)."""

    def mutate(data):
        data["info"]["report_date"] = report_day(form, day)
        data["info"].update(info)

    return mutate


def _saved_at(path, stamp: float) -> None:
    os.utime(path, (stamp, stamp))


def _run(form, tmp_path):
    return consolidate_into(form, tmp_path / "inbox", tmp_path / "out", show_progress=False)


def test_two_files_of_one_day_with_other_figures_are_named(form, make_file, tmp_path, capsys):
    afternoon, _ = make_file("899", _dated(form, 20), name="899-chieu.xlsx", seed=1)
    morning, _ = make_file("899", _dated(form, 20), name="899-sang.xlsx", seed=2)
    _saved_at(afternoon, 1_764_900_000)
    _saved_at(morning, 1_764_900_060)  # saved a minute later: it counts
    report = _run(form, tmp_path)
    unit = next(u for u in report.units if u.code == "899")
    assert unit.status == UnitStatus.ACCEPTED and unit.file.parsed.name == "899-sang.xlsx"
    (doubt,) = unit.doubts
    assert doubt.startswith(SAME_DAY.split("{n}")[0]) and "899-chieu.xlsx" in doubt, doubt
    assert "bản lưu sau cùng (899-sang.xlsx" in doubt and doubt in unit.note
    capsys.readouterr()
    print_summary(report)
    out = capsys.readouterr().out
    assert "Cần hỏi lại đơn vị (1):" in out and doubt in out, out


def test_a_copy_or_another_day_says_nothing_of_it(form, make_file, tmp_path, capsys):
    first, _ = make_file("899", _dated(form, 20), name="899.xlsx", seed=1)
    copy, _ = make_file("899", _dated(form, 20), name="899-lan2.xlsx", seed=1)  # the same figures
    _, was = make_file("900", _dated(form, 18), name="900.xlsx", seed=1)
    same = was["info"]["preparer"]  # the same preparer's correction (another's is asked about)
    _, _ = make_file("900", _dated(form, 19, preparer=same), name="900-sua.xlsx", seed=2)  # a later day
    _saved_at(first, 1_764_900_000)
    _saved_at(copy, 1_764_900_060)
    report = _run(form, tmp_path)
    assert all(not u.doubts for u in report.units), [u.doubts for u in report.units if u.doubts]
    capsys.readouterr()
    print_summary(report)
    assert "Cần hỏi lại đơn vị" not in capsys.readouterr().out


def test_files_saved_at_the_same_time_are_not_said_saved_later(form, make_file, tmp_path):
    """brk15 F7: "save all attachments" gives both files the same time: neither was saved
    later, and the note says the file name decided."""
    one, _ = make_file("899", _dated(form, 20), name="899-a.xlsx", seed=1)
    two, _ = make_file("899", _dated(form, 20), name="899-b.xlsx", seed=2)
    _saved_at(one, 1_764_900_000)
    _saved_at(two, 1_764_900_000)
    (doubt,) = next(u for u in _run(form, tmp_path).units if u.code == "899").doubts
    assert "lưu sau cùng" not in doubt and "được lưu cùng lúc" in doubt and "chọn theo tên tệp" in doubt, (
        doubt
    )


def _one_message(inbox, files: dict[str, bytes]) -> None:
    """A unit's message carrying `files`, saved into the inbox as the officer saves it."""
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = (
        "vanphong.899@kiengiang.gov.vn",
        "so@kiengiang.gov.vn",
        "Báo cáo 588",
    )
    msg["Date"] = "Thu, 27 Nov 2025 09:30:00 +0700"
    msg.set_content("Kính gửi Sở, đơn vị gửi bản sửa.")
    for name, data in files.items():
        msg.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    inbox.mkdir(exist_ok=True)
    (inbox / "thu-899.eml").write_bytes(bytes(msg))


def test_two_versions_in_one_message_are_told_by_their_report_date(form, make_file, tmp_path, capsys):
    """brk47 F3: a unit's message carries its old version beside its correction; both came
    at once, so the file name decided (the old "899.xlsx" counted, the correction superseded,
    without a word). The later typed report date decides; on one date, the officer is asked."""
    src = tmp_path / "src"
    old, was = make_file("899", _dated(form, 11), name="899.xlsx", seed=1, folder=src)
    same = was["info"]["preparer"]  # the same preparer's correction (another's is asked about)
    fixed, fixed_data = make_file(
        "899", _dated(form, 25, preparer=same), name="899 (ban sua).xlsx", seed=2, folder=src
    )
    _one_message(tmp_path / "inbox", {old.name: old.read_bytes(), fixed.name: fixed.read_bytes()})
    report = _run(form, tmp_path)
    unit = next(u for u in report.units if u.code == "899")
    assert unit.file.parsed.name.endswith("› 899 (ban sua).xlsx") and not unit.doubts, unit.doubts
    assert report.totals.to_dict() == expected_totals(form, [fixed_data])

    # one report date, other figures: the name still decides, and the officer is told
    also, _ = make_file("899", _dated(form, 25), name="899.xlsx", seed=3, folder=src)
    _one_message(tmp_path / "inbox", {also.name: also.read_bytes(), fixed.name: fixed.read_bytes()})
    unit = next(u for u in _run(form, tmp_path).units if u.code == "899")
    (doubt,) = unit.doubts
    assert "đến trong cùng một thư lúc" in doubt and "chọn theo tên tệp" in doubt and "lưu" not in doubt, (
        doubt
    )
    # the unit's letter says the same: the name decided, no "saved last"
    assert cli.main(["mail", "drafts", "--outbox", str(tmp_path / "out")]) == cli.EXIT_OK
    body = " ".join(_body(_letter(tmp_path / "out", form.year, "899")).split())
    assert "(các tệp đến trong cùng một thư nên chọn theo tên tệp)" in body and "lưu sau cùng" not in body, (
        body
    )
    capsys.readouterr()
