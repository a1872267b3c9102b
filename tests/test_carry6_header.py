"""The draft's header table is the officer's to fill too (issue #23): the agencies' names
and the place and date they type there are carried into the next draft, the yearly report's
and `tong-ket`'s, and named in the summary like the number and the signer; the motto is not
theirs (what they change there is named, not carried); a date left as printed becomes the
new run's, and a field emptied never empties the new draft's.

As the officer lives it: a run on one day, the draft's header edited (python-docx, and saved
again by LibreOffice as Writer saves a .docx), a run on a later day, read back. The two days
are real: the office's time zone is the configuration's (`[mail] timezone`), and the first
run is made with a copy of the configuration 12 hours west of UTC, the next 14 hours east of
it, so the two runs' dates always differ."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import docx
import openpyxl
import pytest

from pipeline.app import consolidate_into
from pipeline.form import SCHEMAS_DIR, Form, load_form
from pipeline.outbox.paths import document_path, pdf_path, report_path, review_paths, workbook_path
from pipeline.render.carried import FIELDS
from pipeline.render.official import MOTTO, MOTTO_SUB, place_date
from pipeline.render.pdf import BIEU
from pipeline.render.summary import print_summary
from pipeline.render.workbook import SHEETS
from pipeline.run.result import Report
from pipeline.samples import write_samples

from . import lo
from .clirun import run_cli
from .test_bieu_signer import _bieu_pages, _consolidate, _pages
from .test_carry3_document import _officer_titles, _save_in_libreoffice, _sections, _write_over_dots

ZONES = {"tay": "Etc/GMT+12", "dong": "Etc/GMT-14"}  # UTC-12 and UTC+14: never the same date
SIGNED = "Kiên Giang, ngày 20 tháng 01 năm 2026"
DEPARTMENT = "SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI TỈNH KIÊN GIANG"
MOTTO_TYPED = "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"  # the old placing of the tone mark


def _configs(tmp_path: Path, name: str, renamed: str = "") -> dict[str, Path]:
    """Copies of the shipped configuration `name` (with the files it names) whose office
    is in each time zone of `ZONES`, by key; the eastern one's issuing agency `renamed`
    when given (the configuration corrected between two runs)."""
    folder = tmp_path / "cau-hinh"
    if not folder.is_dir():
        shutil.copytree(SCHEMAS_DIR, folder)
    text = (folder / name).read_text(encoding="utf-8")
    shipped = 'timezone = "Asia/Ho_Chi_Minh"'
    assert text.count(shipped) == 1
    out = {}
    for key, zone in ZONES.items():
        out[key] = folder / f"{key}-{name}"
        mine = text.replace(shipped, f'timezone = "{zone}"')
        if renamed and key == "dong":
            department = f'department = "{load_form(folder / name).agencies["department"]}"'
            assert mine.count(department) == 1
            mine = mine.replace(department, f'department = "{renamed}"')
        out[key].write_text(mine, encoding="utf-8")
    return out


@dataclass
class FirstRun:
    """A season's first day: the file of 899 consolidated with the western copy of the
    Kiên Giang configuration; `east` runs on a later day."""

    west: Form
    east: Form
    inbox: Path
    outbox: Path
    run: Report
    draft: Path


def _first_run(tmp_path: Path, make_file, renamed: str = "") -> FirstRun:
    """`_configs` of Kiên Giang (the eastern one's agency `renamed` when given), unit 899's
    report made by `make_file` and consolidated on the western day."""
    configs = _configs(tmp_path, "kien-giang.toml", renamed=renamed)
    west, east = load_form(configs["tay"]), load_form(configs["dong"])
    make_file("899")
    inbox, outbox = tmp_path / "inbox", tmp_path / "out"
    run = consolidate_into(west, inbox, outbox, show_progress=False)
    return FirstRun(west, east, inbox, outbox, run, document_path(outbox, west.year))


def _header(path: Path) -> dict[str, str]:
    """What the draft's header table shows: each field, and the motto (whitespace collapsed)."""
    table = docx.Document(str(path)).tables[0]
    left = [" ".join(p.text.split()) for p in table.rows[0].cells[0].paragraphs]
    return {
        "province": left[0],
        "department": left[1],
        "motto": " ".join(table.rows[0].cells[1].text.split()),
        "number": table.rows[1].cells[0].text.strip(),
        "place_date": table.rows[1].cells[1].text.strip(),
    }


def _type(paragraph, text: str) -> None:
    """The officer selects the paragraph's text and types `text` over it."""
    runs = paragraph.runs
    for r in runs[1:]:
        r.text = ""
    runs[0].text = text


def _edit_header(path: Path, fields: dict[str, str], motto: str = "") -> None:
    """Type `fields` (key -> text) over the header's "department" and "place_date", and
    `motto` over the motto's first line."""
    doc = docx.Document(str(path))
    table = doc.tables[0]
    if "department" in fields:
        _type(table.rows[0].cells[0].paragraphs[1], fields["department"])
    if "province" in fields:
        _type(table.rows[0].cells[0].paragraphs[0], fields["province"])
    if "place_date" in fields:
        _type(table.rows[1].cells[1].paragraphs[0], fields["place_date"])
    if motto:
        _type(table.rows[0].cells[1].paragraphs[0], motto)
    doc.save(str(path))


def _said(report, capsys) -> str:
    capsys.readouterr()
    print_summary(report)
    return capsys.readouterr().out


def _bieu_heading(outbox: Path, year: int) -> set[tuple[str, str]]:
    """(issuing agency, place and date) as each biểu's heading prints them."""
    wb = openpyxl.load_workbook(workbook_path(outbox, year))
    out = set()
    for key in BIEU:
        ws = wb[SHEETS[key]]
        agency = ws.cell(2, 1).value
        place = next(c.value for c in ws[3] if c.value and "ngày" in str(c.value))
        out.add((agency, place))
    return out


def test_the_header_the_officer_fills_is_carried_named_and_printed_on_the_bieu(make_file, tmp_path, capsys):
    day = _first_run(tmp_path, make_file)
    west, east, inbox, outbox, draft = day.west, day.east, day.inbox, day.outbox, day.draft
    first = day.run
    printed = _header(draft)
    assert printed["place_date"] == place_date(west, first.generated_at.date())
    assert printed["motto"] == f"{MOTTO} {MOTTO_SUB}"

    # the officer corrects the agency's name, types the signing date, and retypes the motto
    _edit_header(draft, {"department": DEPARTMENT, "place_date": SIGNED}, motto=MOTTO_TYPED)
    _save_in_libreoffice(draft, tmp_path / "lo")  # as Writer saves the .docx
    assert _header(draft)["place_date"] == SIGNED

    make_file("900")
    second = consolidate_into(east, inbox, outbox, show_progress=False)
    assert second.generated_at.date() > first.generated_at.date()
    new = _header(draft)
    assert (new["department"], new["place_date"]) == (DEPARTMENT, SIGNED)
    assert new["province"] == east.agencies["province"]  # left as printed: the configuration's
    assert new["motto"] == f"{MOTTO} {MOTTO_SUB}"  # the motto is not the officer's
    (kept,) = second.outputs["kept"]
    assert kept["carried_fields"] == [FIELDS["department"], FIELDS["place_date"]]
    assert any(line.startswith("quốc hiệu, tiêu ngữ: «CỘNG HOÀ") for line in kept["not_carried"])
    said = _said(second, capsys)
    assert "tên cơ quan ban hành; địa danh, ngày tháng" in said
    assert "quốc hiệu, tiêu ngữ: «CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM" in said
    # the biểu signed with the report say the same
    assert _bieu_heading(outbox, east.year) == {(DEPARTMENT, SIGNED)}

    # a later run, nothing edited: carried again
    third = consolidate_into(east, inbox, outbox, show_progress=False)
    assert (_header(draft)["department"], _header(draft)["place_date"]) == (DEPARTMENT, SIGNED)
    # named when the officer changed it; after, while the kept copy is unchanged, a reminder
    # that it is still only there (brk21: said once, then never)
    again = _said(third, capsys)
    assert "Chưa chép sang bản dự thảo mới" not in again
    reminder = again[again.index("Nhắc lại: 1 phần anh/chị viết chỉ có trong") :]
    assert reminder.splitlines()[1].startswith("  - quốc hiệu, tiêu ngữ: «CỘNG HOÀ"), reminder


def test_a_date_left_as_printed_is_the_new_runs_and_an_emptied_field_is_never_wiped(make_file, tmp_path):
    """The header left as the first run printed it: the new run's date, and the agency's
    name as the configuration now gives it (corrected there since), not the old one."""
    day = _first_run(tmp_path, make_file, renamed=DEPARTMENT)
    east, inbox, outbox, draft = day.east, day.inbox, day.outbox, day.draft
    # the officer writes their assessment and leaves the header as printed (dated run 1)
    doc = docx.Document(str(draft))
    theirs = _officer_titles(doc)
    _write_over_dots(_sections(doc)[theirs[0]], "Đánh giá của Sở.")
    doc.save(str(draft))

    second = consolidate_into(east, inbox, outbox, show_progress=False)
    new = _header(draft)
    assert new["place_date"] == place_date(east, second.generated_at.date())  # the new run's date
    assert new["department"] == DEPARTMENT == east.agencies["department"]
    assert not any(k.get("carried_fields") for k in second.outputs["kept"])
    assert (
        " ".join(t.text for t in _sections(docx.Document(str(draft)))[theirs[0]]).strip()
        == "Đánh giá của Sở."
    )

    # the officer empties the agency's name and the date: the new draft prints its own
    _edit_header(draft, {"department": "", "place_date": ""})
    third = consolidate_into(east, inbox, outbox, show_progress=False)
    new = _header(draft)
    assert new["department"] == DEPARTMENT
    assert new["place_date"] == place_date(east, third.generated_at.date())
    assert not any(k.get("carried_fields") for k in third.outputs["kept"])


def _review(config: Path, outbox: Path, out: Path) -> str:
    said = run_cli("--config", str(config), "tong-ket", "--outbox", str(outbox), "--out", str(out))
    assert said.returncode == 0, said.stderr
    return said.stdout


@pytest.mark.parametrize("edited", ["typed", "left"])
def test_the_reviews_header_is_carried_as_the_yearly_reports(tmp_path, edited):
    configs = _configs(tmp_path, "an-giang.toml")
    west = load_form(configs["tay"])
    write_samples(west, tmp_path / "inbox", seed=2025)
    outbox, out = tmp_path / "outbox-an-giang", tmp_path / "tong-ket"
    consolidate_into(west, tmp_path / "inbox", outbox, show_progress=False)
    _review(configs["tay"], outbox, out)
    _, draft = review_paths(out, 2019, 2025, west.programme_info.prefix)
    before = _header(draft)
    signed = f"{west.agencies['place']}, ngày 15 tháng 02 năm 2026"
    province = "ỦY BAN NHÂN DÂN TỈNH AN GIANG (MỚI)"
    if edited == "typed":
        _edit_header(draft, {"province": province, "place_date": signed}, motto=MOTTO_TYPED)
    else:  # something else edited: the header is as the run printed it
        doc = docx.Document(str(draft))
        (theirs,) = _officer_titles(doc)
        _write_over_dots(_sections(doc)[theirs], "Tổng kết của Sở.")
        doc.save(str(draft))

    said = _review(configs["dong"], outbox, out)
    new = _header(draft)
    assert new["motto"] == f"{MOTTO} {MOTTO_SUB}"
    if edited == "typed":
        assert (new["province"], new["place_date"]) == (province, signed)
        kept = draft.with_name(f"{draft.stem}-ban-da-sua{draft.suffix}")
        assert (
            f"Đã chép phần anh/chị viết (tên cơ quan chủ quản; địa danh, ngày tháng) từ {kept} "
            f"sang bản dự thảo mới: {draft}"
        ) in said
        assert "  - quốc hiệu, tiêu ngữ: «CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM" in said
        again = _review(configs["dong"], outbox, out)
        assert (_header(draft)["province"], _header(draft)["place_date"]) == (province, signed)
        assert "quốc hiệu" not in again
    else:
        assert new["province"] == before["province"]
        assert new["place_date"] != before["place_date"]  # the new run's date, a day or two on
        day = dt.datetime.strptime(new["place_date"].split(", ", 1)[1], "ngày %d tháng %m năm %Y").date()
        assert new["place_date"] == place_date(west, day)
        assert "địa danh, ngày tháng" not in said


def test_a_set_recorded_before_the_header_was_is_read_by_its_text(make_file, tmp_path):
    """A set whose run recorded no texts (written by an earlier version of the program): the
    date its run printed (the draft's `created` date) is not the officer's, a date they
    typed is."""
    day = _first_run(tmp_path, make_file)
    west, east, inbox, outbox, draft = day.west, day.east, day.inbox, day.outbox, day.draft
    first = day.run
    record = report_path(outbox, west.year)
    data = json.loads(record.read_text(encoding="utf-8"))
    del data["outputs"]["texts"]
    record.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    _edit_header(draft, {"department": DEPARTMENT})  # the date left as the run printed it

    second = consolidate_into(east, inbox, outbox, show_progress=False)
    assert second.generated_at.date() != first.generated_at.date()
    new = _header(draft)
    assert new["place_date"] == place_date(east, second.generated_at.date())
    assert new["department"] == DEPARTMENT
    (kept,) = [k for k in second.outputs["kept"] if k["officer"].endswith(".docx")]
    assert kept["carried_fields"] == [FIELDS["department"]]


@pytest.mark.libreoffice
def test_the_pdf_to_sign_prints_the_signing_date_the_officer_typed(form, tmp_path):
    """Typed after the last consolidation, the date is on the report and not yet on the biểu:
    `pdf` says so (naming it) and writes nothing; consolidated again, every biểu page of the
    PDF prints it, as the report does."""
    lo.require_poppler()
    lo.require_soffice()
    outbox = tmp_path / "out"
    _consolidate(outbox)
    draft = document_path(outbox, form.year)
    _edit_header(draft, {"place_date": SIGNED})
    out = run_cli("pdf", "--outbox", str(outbox))
    assert out.returncode != 0
    assert f"ghi {FIELDS['place_date']} khác với các biểu" in out.stderr
    assert not pdf_path(outbox, form.year).exists()
    _consolidate(outbox)
    out = run_cli("pdf", "--outbox", str(outbox))
    assert out.returncode == 0, out.stderr
    pages = _pages(pdf_path(outbox, form.year))
    assert SIGNED in pages[0]
    assert all(text.count(SIGNED) == 2 for text in _bieu_pages(pages))  # heading and signature
