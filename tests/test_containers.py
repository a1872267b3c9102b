"""Issue #12: messages and archives in the inbox, opened in memory and bounded; arrival times
from the headers; the typed report date checked against the arrival."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import subprocess
import sys
import zipfile
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from pipeline.app import consolidate_into
from pipeline.check.arrival import SENDER_FIELD, arrival_rules
from pipeline.form import Form
from pipeline.intake.message_headers import received_at
from pipeline.rules.schema import broken
from pipeline.run.consolidate import check_files
from pipeline.run.result import FileStatus

from .conftest import ROOT
from .test_resubmission import bad, dated, expected_totals

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def snapshot(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def zip_of(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def eml(attachments: dict[str, bytes], received: str | None = None, date: str | None = None) -> bytes:
    m = EmailMessage()
    if received:
        m["Received"] = f"from a by mx.kiengiang.gov.vn; {received}"
        m["Received"] = "from pc by mail.example.vn; Mon, 01 Sep 2025 01:00:00 +0000"
    m["From"] = "Văn phòng <VanPhong@Example.vn>"
    m["Subject"] = "Báo cáo"
    if date:
        m["Date"] = date
    m.set_content("Kính gửi Sở.")
    for name, data in attachments.items():
        m.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return bytes(m)


def test_arrival_from_the_top_received_else_date():
    from email import message_from_bytes

    raw = eml({}, received="Tue, 25 Nov 2025 17:30:00 +0000", date="Tue, 25 Nov 2025 10:00:00 -0500")
    msg = message_from_bytes(raw, policy=default_policy)
    assert received_at(msg, VN) == dt.datetime(2025, 11, 26, 0, 30, tzinfo=VN)  # next day in Vietnam
    msg = message_from_bytes(eml({}, date="Tue, 25 Nov 2025 10:00:00 -0500"), policy=default_policy)
    assert received_at(msg, VN) == dt.datetime(2025, 11, 25, 22, 0, tzinfo=VN)
    assert received_at(message_from_bytes(eml({}), policy=default_policy), VN) is None


def test_bounded_archives_and_messages_never_touch_the_inbox(form: Form, make_file, tmp_path):
    good, good_data = make_file("899", dated(20, form), folder=tmp_path / "files")
    rejected, _ = make_file("900", bad(form, 20), folder=tmp_path / "files")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "tot.zip").write_bytes(
        zip_of(
            {"bc/899.xlsx": good.read_bytes(), "scan.png": b"\x89PNG\r\n", "ghi-chu.txt": "Kính gửi".encode()}
        )
    )
    (inbox / "nhieu-muc.zip").write_bytes(
        zip_of({f"{i}.txt": b"x" for i in range(form.limits.max_zip_entries + 1)})
    )
    (inbox / "long-nhau.zip").write_bytes(
        zip_of({"trong.zip": zip_of({"a.xlsx": b"x"}), "../../ra-ngoai.xlsx": b"x"})
    )
    (inbox / "bom.zip").write_bytes(zip_of({"bom.xlsx": b"\0" * 5_000_000}))
    (inbox / "hong.zip").write_bytes(b"PK\x03\x04 not really a zip")
    (inbox / "thu.eml").write_bytes(
        eml({"900.xlsx": rejected.read_bytes(), "anh.png": b"\x89PNG\r\n"}, "Wed, 19 Nov 2025 02:00:00 +0000")
    )
    (inbox / "khong-dinh-kem.eml").write_bytes(eml({}, "Wed, 19 Nov 2025 03:00:00 +0000"))
    # archives holding no report (brk36 F6: each was "opened" and said nothing)
    (inbox / "rong.zip").write_bytes(zip_of({}))
    (inbox / "cong-van.zip").write_bytes(
        zip_of({"cong-van.pdf": b"%PDF-1.4\n", "__MACOSX/._cong-van.pdf": b"\0"})
    )
    (inbox / "outlook.msg").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    before = snapshot(inbox)
    report = consolidate_into(form, inbox, tmp_path / "out", show_progress=False, workers=1)
    assert snapshot(inbox) == before
    recs = {r.parsed.name: r for r in report.files}
    codes = {name: [f.code for f in r.parsed.findings] for name, r in recs.items()}

    assert recs["tot.zip"].status == "opened"
    assert recs["tot.zip › 899.xlsx"].status == "accepted"
    names = [i.filename for i in zipfile.ZipFile(inbox / "tot.zip").infolist()]
    assert recs["tot.zip › 899.xlsx"].parsed.origin.locator == (f"zip:{names.index('bc/899.xlsx')}",)
    # what comes with a report (a scan, a note) is listed as not read, not refused
    assert {recs[f"tot.zip › {n}"].status for n in ("scan.png", "ghi-chu.txt")} == {"ignored"}
    assert report.totals.to_dict() == expected_totals(form, [good_data])
    assert codes["nhieu-muc.zip"] == ["FILE_TOO_LARGE"] and "nhieu-muc.zip › 0.txt" not in recs
    assert codes["long-nhau.zip › trong.zip"] == ["ARCHIVE_NESTED"]
    assert codes["long-nhau.zip › ra-ngoai.xlsx"] == ["FILE_UNSAFE"]
    assert codes["bom.zip › bom.xlsx"] == ["FILE_TOO_LARGE"]
    assert codes["hong.zip"] == ["FILE_CORRUPT"] and recs["hong.zip"].status == "not_a_report"
    assert recs["thu.eml"].status == "opened" and recs["thu.eml"].parsed.info.sha256 == before["thu.eml"]
    assert recs["thu.eml › anh.png"].status == "ignored"
    assert recs["thu.eml › 900.xlsx"].status == "rejected"
    assert recs["thu.eml › 900.xlsx"].received == dt.datetime(2025, 11, 19, 9, 0)
    assert codes["khong-dinh-kem.eml"] == ["MAIL_NO_REPORT"]
    assert codes["rong.zip"] == codes["cong-van.zip"] == ["ARCHIVE_NO_REPORT"]
    assert "(chỉ có: cong-van.pdf" in recs["cong-van.zip"].parsed.findings[0].message
    assert codes["tot.zip"] == codes["long-nhau.zip"] == []  # a report in it, or refused with its reason
    assert (
        codes["outlook.msg"] == ["FILE_NOT_REPORT"]
        and ".eml" in recs["outlook.msg"].parsed.findings[0].message
    )
    assert not any(r.status == "accepted" for n, r in recs.items() if n.startswith(("bom", "long", "nhieu")))

    # the feedback workbook of an attachment copies the unit's sheets from the message
    feedback = [p for p in report.outputs["feedback"] if "-900-" in Path(p).name]
    assert len(feedback) == 1
    sheets = openpyxl.load_workbook(feedback[0], read_only=True).sheetnames
    assert form.sheets["results"] in sheets and len(sheets) > 1
    # `check` opens a saved message too
    parsed = check_files(form, [inbox / "thu.eml"])
    assert [p.name for p in parsed] == ["thu.eml", "thu.eml › 900.xlsx", "thu.eml › anh.png"]


def date_problems(
    form: Form, typed: dt.date, arrival: tuple[dt.date, str] | None, today: dt.date
) -> list[tuple[str, str]]:
    """(rule code, Vietnamese message) for each way the typed report date does not fit, as
    `check_arrival` judges it: after the arrival (date, how it is known), after `today`,
    before the period start."""
    rules = [r for r in arrival_rules(form, arrival[1] if arrival else "") if r.field != SENDER_FIELD]
    record = {"file_id": 0, "row": 0, "report_date": typed, "arrival": arrival[0] if arrival else None}
    return broken(record | {"today": today}, rules)


@pytest.mark.parametrize(
    ("typed", "arrived", "codes", "hint"),
    [
        (dt.date(2025, 12, 11), dt.date(2025, 11, 12), ["DATE_AFTER_ARRIVAL"], "12/11/2025"),
        (dt.date(2026, 11, 25), dt.date(2025, 11, 26), ["DATE_AFTER_ARRIVAL"], None),
        (dt.date(2025, 11, 20), None, [], None),
        (dt.date(2027, 1, 5), None, ["DATE_IN_FUTURE"], None),
        (dt.date(2024, 3, 1), dt.date(2025, 11, 12), ["DATE_BEFORE_PERIOD"], None),
        (dt.date(2025, 11, 10), dt.date(2025, 11, 12), [], None),
        # "05/12/2025" typed on a PC with US settings: 12 May, in the period (brk35 F4)
        (dt.date(2025, 5, 12), None, ["DATE_MAYBE_SWAPPED"], "05/12/2025"),
        (dt.date(2025, 5, 12), dt.date(2025, 12, 1), [], None),  # the swap after the arrival
        (dt.date(2025, 5, 20), None, [], None),
    ],
)
def test_typed_date_checked(form: Form, typed, arrived, codes, hint):
    today = dt.date(2026, 11, 29)
    found = date_problems(form, typed, (arrived, "ngày thư đến Sở") if arrived else None, today)
    assert [c for c, _ in found] == codes
    for _, message in found:
        assert f"{typed:%d/%m/%Y}" in message
        assert ("ngày và tháng bị đảo" in message) == bool(hint)
        if hint:
            assert hint in message


def test_check_reads_what_messages_and_archives_hold(form: Form, make_file, tmp_path):
    """`check` on a message, an archive and a plain file: each attachment and member is
    checked and named under its container, and the plain file keeps its own verdict."""
    wrong, _ = make_file("910", bad(form, 20), name="910-sai.xlsx", folder=tmp_path / "src")
    right, _ = make_file("902", dated(20, form), name="902-dung.xlsx", folder=tmp_path / "src")
    other, _ = make_file("903", dated(20, form), name="903.xlsx", folder=tmp_path / "src")
    (tmp_path / "thu.eml").write_bytes(eml({"910-sai.xlsx": wrong.read_bytes()}))
    (tmp_path / "goi.zip").write_bytes(zip_of({"bao-cao/903.xlsx": other.read_bytes()}))
    files = [tmp_path / "thu.eml", right, tmp_path / "goi.zip"]
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "check", "--json", *map(str, files)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stderr  # the attachment has an error
    out = {e["file"]: e for e in json.loads(done.stdout)}
    attached = str(tmp_path / "thu.eml › 910-sai.xlsx")
    member = str(tmp_path / "goi.zip › 903.xlsx")
    assert set(out) == {str(tmp_path / "thu.eml"), attached, str(right), str(tmp_path / "goi.zip"), member}
    assert (out[attached]["unit"], out[attached]["valid"]) == ("910", False)
    assert any("trẻ em nữ" in f["message"] for f in out[attached]["findings"])
    assert (out[str(right)]["unit"], out[str(right)]["valid"]) == ("902", True)
    assert (out[member]["unit"], out[member]["valid"]) == ("903", True)
    assert out[str(tmp_path / "thu.eml")]["kind"] == "message" and out[str(tmp_path / "thu.eml")]["valid"]
    shown = subprocess.run(
        [sys.executable, "-m", "pipeline", "check", *map(str, files)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    ).stdout
    assert "thu.eml › 910-sai.xlsx [đơn vị 910]: KHÔNG HỢP LỆ" in shown
    assert "902-dung.xlsx [đơn vị 902]: hợp lệ" in shown
    assert "goi.zip › 903.xlsx [đơn vị 903]: hợp lệ" in shown


def test_what_comes_with_a_report_is_listed_not_refused(form: Form, make_file, tmp_path):
    """A cover letter, a signed scan and the logo of a mail signature come with the report:
    listed as not read, with the reason, never a finding nor a reason for --strict to fail."""
    report, _ = make_file("902", dated(20, form), name="902.xlsx", folder=tmp_path / "src")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    extras = {"Cong van 15-UBND.pdf": b"%PDF-1.4 cover letter", "logo.png": b"\x89PNG\r\n\x1a\n..."}
    (inbox / "thu.eml").write_bytes(eml({"902.xlsx": report.read_bytes(), **extras}))
    (inbox / "goi.zip").write_bytes(zip_of({"to-trinh.docx": b"PK\x03\x04 a Word file", "ghi-chu.txt": b"x"}))
    result = consolidate_into(form, inbox, tmp_path / "out", show_progress=False, workers=1)
    status = {rec.parsed.name: rec for rec in result.files}
    for name in (
        "thu.eml › Cong van 15-UBND.pdf",
        "thu.eml › logo.png",
        "goi.zip › to-trinh.docx",
        "goi.zip › ghi-chu.txt",
    ):
        assert status[name].status == FileStatus.IGNORED, (name, status[name].status)
        assert "không phải bảng tính" in status[name].note
        assert status[name].parsed.findings == []
    assert status["thu.eml › 902.xlsx"].status == FileStatus.ACCEPTED
    # an archive of letters alone holds no report: the archive says so, as a message would
    assert [f.code for f in status["goi.zip"].parsed.findings] == ["ARCHIVE_NO_REPORT"]
    assert not [rec for rec in result.files if rec.status.strict_failure and rec.parsed.name != "goi.zip"]
