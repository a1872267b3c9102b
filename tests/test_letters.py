"""What the letters back to the units say about timeliness: the fact that decided it."""

from __future__ import annotations

import email
from email import policy

import pytest

from pipeline import cli
from pipeline.mail.attachments import feedback_attachment_name
from pipeline.outbox.paths import year_dir

from .clirun import run_cli


def test_a_file_saved_by_hand_is_on_time_by_the_date_typed_in_it(form, make_file, tmp_path):
    """A hand-saved file is judged by its report date (DecidedBy.REPORT_DATE): the letter
    names that date, not the day the officer saved the file (after the deadline)."""
    path, data = make_file("899")
    outbox = tmp_path / "out"
    assert cli.main(["consolidate", "--inbox", str(path.parent), "--outbox", str(outbox)]) == cli.EXIT_OK
    assert cli.main(["mail", "drafts", "--outbox", str(outbox)]) == cli.EXIT_OK
    letter = next((year_dir(outbox, form.year) / "thu").glob("thu-899-*.eml"))
    body = (
        email.message_from_bytes(letter.read_bytes(), policy=policy.default)
        .get_body(("plain",))
        .get_content()
    )
    typed = data["info"]["report_date"]
    assert f"đúng hạn (theo ngày báo cáo ghi trong tệp: {typed:%d/%m/%Y})" in body


def test_a_letter_claims_a_receipt_time_only_for_mail_and_tells_it_in_the_offices_zone(
    form, make_file, tmp_path
):
    """A file saved by hand into the inbox has no arrival, only its modification time: its
    letter says where it is and when it was saved, never "nhận lúc". A file that came by
    mail is "nhận lúc" its arrival. Both told in the office's time (Asia/Ho_Chi_Minh), not
    the machine's: 18:30 UTC is 01:30 of the next day there."""
    import datetime as dt
    import os
    from email.message import EmailMessage
    from email.utils import format_datetime

    utc = dt.UTC
    saved = dt.datetime(form.year, 11, 20, 18, 30, tzinfo=utc)
    arrived = dt.datetime(form.year, 11, 19, 20, 5, tzinfo=utc)
    path, _ = make_file("899")
    os.utime(path, (saved.timestamp(), saved.timestamp()))
    xlsx, _ = make_file("900", folder=tmp_path / "files")
    m = EmailMessage()
    m["Received"] = f"from mx.unit.vn by mx.kiengiang.gov.vn; {format_datetime(arrived)}"
    m["From"], m["Subject"] = "Văn phòng <vanphong@example.vn>", "Báo cáo năm"
    m.set_content("Kính gửi Sở.")
    m.add_attachment(xlsx.read_bytes(), maintype="application", subtype="octet-stream", filename="bc.xlsx")
    (path.parent / "thu-900.eml").write_bytes(bytes(m))
    outbox = tmp_path / "out"
    assert cli.main(["consolidate", "--inbox", str(path.parent), "--outbox", str(outbox)]) == cli.EXIT_OK
    assert cli.main(["mail", "drafts", "--outbox", str(outbox)]) == cli.EXIT_OK

    def body(code: str) -> str:
        letter = next((year_dir(outbox, form.year) / "thu").glob(f"thu-{code}-*.eml"))
        msg = email.message_from_bytes(letter.read_bytes(), policy=policy.default)
        return " ".join(msg.get_body(("plain",)).get_content().split())

    by_hand = body("899")
    assert "nhận lúc" not in by_hand
    assert f"(trong hộp thư đến, lưu lúc 01:30 ngày 21/11/{form.year})" in by_hand
    assert f"(nhận lúc 03:05 ngày 20/11/{form.year})" in body("900")
    # the files sheet of the workbook says the same
    import openpyxl

    from pipeline.outbox.paths import workbook_path
    from pipeline.render.workbook import SHEETS

    ws = openpyxl.load_workbook(workbook_path(outbox, form.year))[SHEETS["files"]]
    times = {str(row[1]): row[3] for row in ws.iter_rows(values_only=True) if row[1]}
    assert times[path.name] == f"lưu 01:30 21/11/{form.year}", times
    assert [t for name, t in times.items() if name.endswith("bc.xlsx")] == [
        f"nhận 03:05 20/11/{form.year}"
    ], times


def test_the_run_and_its_document_are_dated_in_the_offices_zone_not_the_machines(form, make_file, tmp_path):
    """A machine set to another zone (here UTC-12, 19 hours behind Việt Nam): the run's time,
    the document's date and the letters' times are all the office's (Asia/Ho_Chi_Minh), as the
    arrival of every file is; a naive `now()` put the run 19 hours back, often on another day."""
    import datetime as dt
    import json
    from zoneinfo import ZoneInfo

    from docx import Document

    from pipeline.outbox.paths import document_path
    from pipeline.render.official import vn_date

    path, _ = make_file("899")
    outbox = tmp_path / "out"
    # POSIX sign: 12 hours behind UTC
    done = run_cli(
        "consolidate", "--inbox", str(path.parent), "--outbox", str(outbox), env={"TZ": "Etc/GMT+12"}
    )
    assert done.returncode == 0, done.stderr
    office_now = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).replace(tzinfo=None)
    run = json.loads((year_dir(outbox, form.year) / "bao-cao.json").read_text(encoding="utf-8"))
    at = dt.datetime.fromisoformat(run["generated_at"])
    assert abs(at - office_now) < dt.timedelta(minutes=10), f"run at {at}, the office's now {office_now}"
    text = "\n".join(p.text for p in Document(str(document_path(outbox, form.year))).paragraphs)
    assert vn_date(at.date()) in text


@pytest.mark.parametrize(
    ("code", "file_name", "attached"),
    [
        ("899", "899-UBND-Huyen-Giang-Thanh.xlsx", "phan-hoi-899-UBND-Huyen-Giang-Thanh.xlsx"),
        ("30301", "thu/2025-11-20 › 30301 Báo cáo 30301.xlsx", "phan-hoi-30301-Bao-cao.xlsx"),
        ("899", "899.xlsx", "phan-hoi-899.xlsx"),
        ("SYT", "bao-cao-nam.xlsx", "phan-hoi-SYT-bao-cao-nam.xlsx"),
    ],
)
def test_the_feedback_attachment_names_the_unit_once(code, file_name, attached):
    assert feedback_attachment_name(code, file_name) == attached


def test_a_rejection_letter_attaches_its_feedback_under_a_clean_name(form, make_file, tmp_path):
    """The file a unit sent is named after its code; the feedback workbook attached to the
    letter names the code once (it was "phan-hoi-899-899-….xlsx")."""

    def mutate(data):
        data["info"]["preparer"] = None  # an error: the preparer's name is required

    path, _ = make_file("899", mutate, name="899-bao-cao-nam.xlsx")
    outbox = tmp_path / "out"
    cli.main(["consolidate", "--inbox", str(path.parent), "--outbox", str(outbox)])
    assert cli.main(["mail", "drafts", "--outbox", str(outbox)]) == cli.EXIT_OK
    letter = next((year_dir(outbox, form.year) / "thu").glob("thu-899-*.eml"))
    msg = email.message_from_bytes(letter.read_bytes(), policy=policy.default)
    names = [part.get_filename() for part in msg.iter_attachments()]
    assert names == ["phan-hoi-899-bao-cao-nam.xlsx"], names
