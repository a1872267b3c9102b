"""A unit's address with a domain in Vietnamese letters (an IDN, "hàtiên.vn"): the
configuration keeps it in its ASCII form ("xn--…", `form/addresses.mail_address`), as mail
servers write it, but a mail program may send the From: header in Unicode (RFC 6532). Both
spellings are the one address: the report is the unit's, from its own address, and never
"gửi từ địa chỉ chưa đăng ký" (SENDER_UNLISTED)."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTPUTF8

import pytest

from pipeline.form import load_form
from pipeline.form.addresses import comparable
from pipeline.run.consolidate import run

from .test_resubmission import dated
from .test_sender_owner import config_with

UNICODE = "vanphong@hàtiên.vn"
ASCII = "vanphong@xn--htin-0na6d.vn"


def test_the_two_spellings_of_an_idn_address_compare_equal():
    assert comparable(UNICODE) == comparable(ASCII) == ASCII
    assert comparable("VanPhong@HàTiên.VN") == ASCII
    assert comparable("vp.900@kiengiang.gov.vn") == "vp.900@kiengiang.gov.vn"
    assert comparable("not an address") == "not an address"


@pytest.mark.parametrize(("configured", "sent"), [(UNICODE, UNICODE), (ASCII, UNICODE), (UNICODE, ASCII)])
def test_a_report_from_the_units_idn_address_is_its_own(form, make_file, tmp_path, configured, sent):
    report, _ = make_file("900", dated(20, form), name="bao cao.xlsx", folder=tmp_path / "f")
    message = EmailMessage(policy=SMTPUTF8)
    message["From"] = f"Văn phòng UBND <{sent}>"
    message["Subject"] = "Báo cáo 588"
    message["Date"] = "Thu, 20 Nov 2025 09:15:00 +0700"
    message.set_content("Kính gửi Sở.")
    message.add_attachment(
        report.read_bytes(), maintype="application", subtype="octet-stream", filename=report.name
    )
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "bao-cao.eml").write_bytes(message.as_bytes())
    result = run(
        load_form(config_with(tmp_path / "cau-hinh", {"900": configured})),
        inbox,
        tmp_path / "out",
        show_progress=False,
    )
    assert {u.code: u.status for u in result.units}["900"] == "accepted"
    codes = [f.code for rec in result.files for f in rec.parsed.findings]
    assert "SENDER_UNLISTED" not in codes, codes
