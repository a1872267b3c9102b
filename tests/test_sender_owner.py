"""A report sent from another unit's address (breaker brk8, finding 4): 899's officer mails
a report filled in Hà Tiên's (900) template. It counts for 900 (the template says whose
it is), and the warning says whose the address is and what 899 should do if the figures
are its own; before, it said only that the address was not 900's, as for a forward."""

from __future__ import annotations

import json
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

from pipeline.app import consolidate_into
from pipeline.form import SCHEMAS_DIR, load_form
from pipeline.run.consolidate import run

from .clirun import run_cli
from .conftest import template_for
from .test_resubmission import dated

ADDRESSES = {"899": "vp.899@kiengiang.gov.vn", "900": "vp.900@kiengiang.gov.vn"}


def _config(folder: Path) -> Path:
    """The shipped Kiên Giang configuration with 899's and 900's addresses."""
    return config_with(folder, ADDRESSES)


def config_with(folder: Path, addresses: dict[str, str]) -> Path:
    """The shipped Kiên Giang configuration, written into `folder`, with each unit of
    `addresses` (code -> address, as the officer types it) listing that address."""
    text = (SCHEMAS_DIR / "kien-giang.toml").read_text(encoding="utf-8")
    for code, address in addresses.items():
        head = f'[[units]]\ncode = "{code}"\n'
        assert head in text
        text = text.replace(head, f"{head}emails = {json.dumps([address], ensure_ascii=False)}\n")
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("layout.toml", "bao-cao.toml"):
        (folder / name).write_text((SCHEMAS_DIR / name).read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "kien-giang.toml").write_text(text, encoding="utf-8")
    return folder / "kien-giang.toml"


def _mail(inbox: Path, sender: str, report: Path) -> None:
    m = EmailMessage()
    m["From"] = sender
    m["Subject"] = "Báo cáo 588"
    m["Date"] = "Thu, 20 Nov 2025 09:15:00 +0700"
    m.set_content("Kính gửi Sở.")
    m.add_attachment(
        report.read_bytes(), maintype="application", subtype="octet-stream", filename=report.name
    )
    (inbox / f"{report.stem}.eml").write_bytes(bytes(m))
    report.unlink()


def _sender_finding(form, make_file, tmp_path: Path, sender: str) -> str:
    report, _ = make_file("900", dated(20, form), name="bao cao.xlsx", folder=tmp_path / "f")
    (tmp_path / "inbox").mkdir(exist_ok=True)
    _mail(tmp_path / "inbox", sender, report)
    configured = load_form(_config(tmp_path / "cau-hinh"))
    result = run(configured, tmp_path / "inbox", tmp_path / "out", show_progress=False)
    units = {u.code: u for u in result.units}
    assert units["900"].status == "accepted" and units["899"].status == "missing"
    found = [f for rec in result.files for f in rec.parsed.findings if f.code == "SENDER_UNLISTED"]
    assert len(found) == 1
    return found[0].message


def test_a_report_from_another_units_address_names_that_unit(form, make_file, tmp_path):
    said = _sender_finding(form, make_file, tmp_path, ADDRESSES["899"])
    assert "vp.899@kiengiang.gov.vn (địa chỉ của UBND Thành phố Rạch Giá)" in said
    assert "nếu đây là báo cáo của UBND Thành phố Rạch Giá" in said
    assert "Thư chuyển tiếp" not in said


def test_a_report_forwarded_from_an_unknown_address_is_a_forward(form, make_file, tmp_path):
    said = _sender_finding(form, make_file, tmp_path, "ketoan.nguyen@gmail.com")
    assert "Thư chuyển tiếp vẫn được nhận" in said and "(địa chỉ của" not in said


def test_a_copy_of_the_offices_own_letter_saved_by_hand_is_no_report(form, template_dir, tmp_path):
    """The officer saves a copy of a reminder (From: the office, To: 899, the blank template
    attached; their mail client dropped the program's header) into the inbox: `consolidate`
    lists it as the office's own letter and never reads its template as 899's report
    (before: 899 became "rejected" by its own blank template)."""
    config = _config(tmp_path / "cau-hinh")
    text = config.read_text(encoding="utf-8")
    assert text.count('address = ""\n') == 1
    config.write_text(text.replace('address = ""\n', 'address = "tonghop@so.example.vn"\n'), encoding="utf-8")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    m = EmailMessage()
    m["From"] = "Sở <tonghop@so.example.vn>"
    m["To"] = ADDRESSES["899"]
    m["Subject"] = "Đề nghị gửi báo cáo"
    m["Date"] = "Thu, 20 Nov 2025 09:15:00 +0700"
    m.set_content("Kính gửi: UBND Thành phố Rạch Giá")
    blank = template_for(template_dir, form, "899")
    m.add_attachment(blank.read_bytes(), maintype="application", subtype="octet-stream", filename=blank.name)
    (inbox / "thu-da-gui.eml").write_bytes(bytes(m))
    result = run(load_form(config), inbox, tmp_path / "out", show_progress=False)
    assert {u.code: u.status for u in result.units}["899"] == "missing"
    (line,) = [rec for rec in result.files if rec.parsed.name == "thu-da-gui.eml"]
    assert line.status == "ignored" and "tonghop@so.example.vn" in line.note


def test_the_reminder_of_the_sending_unit_says_its_message_held_another_units_template(
    form, make_file, tmp_path
):
    """899's reminder answers its message: it had a report, in 900's template (before: "không
    có tệp báo cáo đính kèm", which was not true)."""
    report, _ = make_file("900", dated(20, form), name="bao cao.xlsx", folder=tmp_path / "f")
    (tmp_path / "inbox").mkdir()
    _mail(tmp_path / "inbox", ADDRESSES["899"], report)
    config = _config(tmp_path / "cau-hinh")
    outbox = tmp_path / "out"
    consolidate_into(load_form(config), tmp_path / "inbox", outbox, show_progress=False)
    done = run_cli("--config", str(config), "mail", "drafts", "--outbox", str(outbox))
    assert done.returncode == 0, done.stderr
    (draft,) = (outbox / str(form.year) / "thu").glob("thu-899-*.eml")
    body = message_from_bytes(draft.read_bytes(), policy=default).get_body(("plain",)).get_content()
    assert "có tệp «bao cao.xlsx» điền trên mẫu của UBND Thành phố Hà Tiên" in body
    assert "không có tệp báo cáo đính kèm" not in body
