"""Issue #25: a file is what its bytes say, whatever its name says.

- a spreadsheet renamed .zip by a browser or webmail ("899.xlsx.zip") is read as the
  spreadsheet it is, named as received: alone in the inbox, attached to a message, or a
  member of a real archive; a real archive of reports is still opened;
- an .ods without its `mimetype` member (LibreOffice opens it) is known by its manifest,
  or by its content's body;
- an Excel 2003 XML spreadsheet (SpreadsheetML) and a web page saved under a spreadsheet's
  name are refused by the name of their format, with what to do, credited to the unit
  their file's name gives;
- `check` credits a file refused unread to the unit `consolidate` credits it to.

Inputs are templates filled by the project's filler, then saved by the real writers
(LibreOffice, SheetJS under Node, Gnumeric's ssconvert), repackaged or renamed as the
faulty senders do.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from pipeline.app import consolidate_into
from pipeline.form import Form
from pipeline.intake.containers.expand import expand
from pipeline.intake.containers.submission import ARCHIVE, FILE, MEMBER
from pipeline.intake.kinds.catalogue import BY_NAME, HTML_SHEET, XML_2003
from pipeline.intake.kinds.head import first_element, magic_kind
from pipeline.intake.kinds.zip_package import odf_media_type
from pipeline.read.parse import parse_path, parse_submission
from pipeline.run.consolidate import check_report
from pipeline.run.result import FileStatus, UnitStatus
from tests import lo

from .conftest import ROOT
from .nasty import zip_of

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CREDITED = "Không đọc được tệp; đơn vị xác định theo tên tệp"


def _figures(p: Any) -> tuple[Any, ...]:
    """What a reading found: format, unit, errors, every record and the information row."""
    rows = {b: [(r.row, r.key, r.measures) for r in recs] for b, recs in p.rows.items()}
    errors = [f.code for f in p.findings if f.severity == "error"]
    return p.format, p.unit_code, errors, rows, p.info_row


def _read_as_received(path: Path, form: Form) -> tuple[Any, ...]:
    """The inbox entry `path` read as the run reads it: it must stand for itself alone."""
    (sub,) = expand(path, path.name, form.limits, VN)
    assert (sub.origin.kind, sub.opened, sub.name) == (FILE, None, path.name)
    return _figures(parse_submission(sub, 1, form))


_zip = zip_of  # tests/nasty.py


def _without(src: Path, out: Path, *members: str) -> Path:
    """`src` packaged again without `members` (the rest as they were, in their order)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename not in members:
                zout.writestr(info, zin.read(info))
    return out


def _ssconvert(src: Path, out: Path, exporter: str) -> Path:
    tool = lo.require("ssconvert", shutil.which("ssconvert"), "gnumeric")
    subprocess.run([tool, "-T", exporter, src, out], check=True, capture_output=True, timeout=120)
    return out


def _libreoffice(src: Path, folder: Path, target: str) -> Path:
    lo.require_soffice()
    return lo.convert(src, folder, target)


# ----- (a) a spreadsheet renamed .zip ----------------------------------------------------------
@pytest.mark.libreoffice
def test_a_spreadsheet_renamed_zip_is_read_as_the_spreadsheet_it_is(form: Form, make_file, tmp_path: Path):
    """An .xlsx, .xlsm, .ods or .xls given an extra or another suffix: one file, read as its
    format (the name telling .xlsm from .xlsx where the bytes are alike), the same figures
    as the file under its own name."""
    src, _ = make_file("899", folder=tmp_path / "src")
    ods = _libreoffice(src, tmp_path / "lo", "ods")
    xls = _libreoffice(src, tmp_path / "lo", "xls")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    want = {"xlsx": _read_as_received(src, form), "ods": _read_as_received(ods, form)}
    want["xls"] = _read_as_received(xls, form)
    assert want["xlsx"][1:3] == want["ods"][1:3] == want["xls"][1:3] == ("899", [])
    renamed = {
        "899-bao-cao.xlsx.zip": (src, "xlsx"),
        "899-bao-cao.XLSX.ZIP": (src, "xlsx"),
        "899-bao-cao.zip": (src, "xlsx"),
        "Mau-588-2025-899-UBND-Thanh-pho-Rach-Gia (1).xlsm.zip": (src, "xlsm"),
        "899-bao-cao.ods.zip": (ods, "ods"),
        "899-bao-cao.zip (1)": (ods, "ods"),
        "899-bao-cao.xls.zip": (xls, "xls"),
    }
    for name, (source, fmt) in renamed.items():
        path = inbox / name
        shutil.copyfile(source, path)
        got = _read_as_received(path, form)
        assert got[0] == fmt, name
        assert got[1:] == want[source.suffix.lstrip(".")][1:], name


def _eml(attachments: dict[str, bytes]) -> bytes:
    m = EmailMessage()
    m["From"] = "Văn phòng <vanphong@example.vn>"
    m["Subject"] = "Báo cáo"
    m.set_content("Kính gửi Sở.")
    for name, data in attachments.items():
        m.add_attachment(data, maintype="application", subtype="zip", filename=name)
    return bytes(m)


def test_a_renamed_spreadsheet_attached_or_archived_is_read_and_an_archive_still_opens(
    form: Form, make_file, tmp_path: Path
):
    """Attached to a message, or a member of a real archive (itself attached): the renamed
    spreadsheet is one report read as such; the real archives around it are still opened,
    and a Word document renamed .zip is what comes with a report, not a nested archive."""
    codes = ("899", "900", "902", "903")
    made = {code: make_file(code, folder=tmp_path / "src")[0].read_bytes() for code in codes}
    word = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    archive = _zip({
        "900-bao-cao.xlsx.zip": made["900"],
        "902.xlsx": made["902"],
        "903-bao-cao.xlsx.rar": made["903"],
        "cong-van.docx.zip": word,
        "that-su.rar": b"Rar!\x1a\x07\x00",
    })  # fmt: skip
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    message = inbox / "thu.eml"
    message.write_bytes(_eml({"899-bao-cao.xlsx.zip": made["899"], "ca-goi.zip": archive}))
    entries = expand(message, message.name, form.limits, VN)
    names = [s.name.rpartition(" › ")[2] for s in entries[1:]]
    assert names == [
        "899-bao-cao.xlsx.zip",
        "ca-goi.zip",
        "900-bao-cao.xlsx.zip",
        "902.xlsx",
        "903-bao-cao.xlsx.rar",
        "cong-van.docx.zip",
        "that-su.rar",
    ]
    kinds = [s.origin.kind for s in entries[1:]]
    assert kinds == ["attachment", ARCHIVE, MEMBER, MEMBER, MEMBER, MEMBER, MEMBER]
    assert entries[0].problem is None and entries[2].opened is not None  # the real archive's own line
    assert entries[-2].ignored and entries[-2].problem is None  # a letter renamed .zip comes with a report
    assert entries[-1].problem is not None and entries[-1].problem[0] == "ARCHIVE_NESTED"  # a real one
    read = {s.name.rpartition(" › ")[2]: _figures(parse_submission(s, 1, form)) for s in entries[1:-2]}
    assert read["899-bao-cao.xlsx.zip"][:3] == ("xlsx", "899", [])
    assert read["900-bao-cao.xlsx.zip"][:3] == ("xlsx", "900", [])
    assert read["902.xlsx"][:3] == ("xlsx", "902", [])
    assert read["903-bao-cao.xlsx.rar"][:3] == ("xlsx", "903", [])
    own = tmp_path / "src" / "899.xlsx"
    assert read["899-bao-cao.xlsx.zip"][3:] == _figures(parse_path(own, 1, form))[3:]


def test_a_renamed_spreadsheet_counts_for_its_unit_named_as_received(form: Form, make_file, tmp_path: Path):
    """End to end: the unit that sent "….xlsx.zip" has sent its report (not "Chưa gửi"), the
    file listed once, under the name it came with, read as .xlsx."""
    src, _ = make_file("899", name="899-UBND-Thanh-pho-Rach-Gia.xlsx.zip")
    make_file("900")
    report = consolidate_into(form, src.parent, tmp_path / "out", show_progress=False)
    units = {u.code: u for u in report.units}
    assert units["899"].status == UnitStatus.ACCEPTED
    (rec,) = units["899"].files
    assert (rec.parsed.name, rec.parsed.format, rec.status) == (src.name, "xlsx", FileStatus.ACCEPTED)
    assert [r.parsed.name for r in report.files] == [src.name, "900.xlsx"]


# ----- (b) an .ods without its mimetype member ---------------------------------------------
@pytest.mark.libreoffice
def test_an_ods_without_its_mimetype_is_read_as_libreoffice_wrote_it(form: Form, make_file, tmp_path: Path):
    """LibreOffice opens an .ods whose `mimetype` member is missing (and the copy it saves
    holds the same figures); so is it read here, known by its manifest's root entry, or by
    its content.xml's spreadsheet body when the manifest is gone too."""
    src, _ = make_file("899", seed=3, folder=tmp_path / "src")
    ods = _libreoffice(src, tmp_path / "lo", "ods")
    want = _figures(parse_path(ods, 1, form))
    assert want[:3] == ("ods", "899", [])
    bare = _without(ods, tmp_path / "899-no-mimetype.ods", "mimetype")
    barest = _without(ods, tmp_path / "899-content-only.ods", "mimetype", "META-INF/manifest.xml")
    for path in (bare, barest):
        assert "mimetype" not in zipfile.ZipFile(path).namelist()
        assert _figures(parse_path(path, 1, form)) == want, path.name
    assert _read_as_received(shutil.copyfile(bare, tmp_path / "899-bao-cao.ods.zip"), form) == want
    again = _libreoffice(bare, tmp_path / "lo-again", "xlsx")  # LibreOffice opens it as a spreadsheet
    assert _figures(parse_path(again, 1, form))[1:] == want[1:]


def test_a_package_declaring_another_opendocument_or_none_is_not_taken_for_an_ods(form: Form, tmp_path: Path):
    """The declared media type decides: a text document without its mimetype member is one
    (not a report), and a real archive that merely holds a content.xml stays an archive."""
    text = _zip({
        "content.xml": b'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0">'
        b"<office:body><office:text/></office:body></office:document-content>",
    })  # fmt: skip
    path = tmp_path / "cong-van.ods"
    path.write_bytes(text)
    assert [(f.code, f.message.split(": ", 1)[1]) for f in parse_path(path, 1, form).findings] == [
        ("FILE_NOT_REPORT", f"không phải tệp báo cáo ({BY_NAME['odf'].shown})")
    ]
    archive = tmp_path / "goi.zip"
    archive.write_bytes(_zip({"content.xml": b"<ghi-chu>danh sach</ghi-chu>", "899.xlsx": b"x"}))
    entries = expand(archive, archive.name, form.limits, VN)
    assert entries[0].opened is not None and [s.origin.kind for s in entries[1:]] == [MEMBER, MEMBER]


# ----- (c) formats refused by their name, known by their bytes ------------------------------
def _refusal(path: Path, form: Form) -> list[tuple[str, str]]:
    return [(f.code, f.message.split(": ", 1)[1]) for f in parse_path(path, 0, form).findings]


def test_an_excel_2003_xml_spreadsheet_is_refused_by_its_name_whatever_it_is_called(
    form: Form, make_file, tmp_path: Path
):
    """SheetJS's 'xlml' (Excel's "XML Spreadsheet 2003"), named .xml, .xls or .xlsx, in
    UTF-16 too, or its root spelled with a prefix: refused as that format, never as a
    damaged Excel file or "not a report"."""
    src, _ = make_file("899", folder=tmp_path / "src")
    xml = lo.sheetjs_convert(src, tmp_path / "899.xml", "xlml").read_bytes()
    assert b"urn:schemas-microsoft-com:office:spreadsheet" in xml[:1000]
    prefixed = xml.replace(b"<Workbook ", b"<ss:Workbook ", 1).replace(b"</Workbook>", b"</ss:Workbook>")
    utf16 = b"\xff\xfe" + xml.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16-le")
    for name, data in {
        "899-bao-cao.xml": xml,
        "899-bao-cao.xls": xml,
        "899-bao-cao.xlsx": xml,
        "899-prefixed.xml": prefixed,
        "899-utf16.xml": utf16,
    }.items():
        path = tmp_path / name
        path.write_bytes(data)
        assert _refusal(path, form) == [("FILE_FORMAT", XML_2003)], name


def test_a_message_whose_report_is_known_by_its_bytes_holds_a_report(form: Form, make_file, tmp_path: Path):
    """A message whose one attachment is an Excel 2003 XML spreadsheet named .xml holds a
    report (refused as that format), not "no report attached"; an XML letter does not."""
    src, _ = make_file("899", folder=tmp_path / "src")
    xml = lo.sheetjs_convert(src, tmp_path / "899.xml", "xlml").read_bytes()
    message = tmp_path / "thu.eml"
    message.write_bytes(_eml({"899-bao-cao.xml": xml}))
    line, attached = expand(message, message.name, form.limits, VN)
    assert line.problem is None
    findings = parse_submission(attached, 1, form).findings
    assert [(f.code, f.message.split(": ", 1)[1]) for f in findings] == [("FILE_FORMAT", XML_2003)]
    letter = tmp_path / "chi-thu.eml"
    letter.write_bytes(_eml({"ghi-chu.xml": b'<?xml version="1.0"?><ghichu>Kinh gui So</ghichu>'}))
    problem = expand(letter, letter.name, form.limits, VN)[0].problem
    assert problem is not None and problem[0] == "MAIL_NO_REPORT"


@pytest.mark.libreoffice
def test_a_web_page_named_as_a_spreadsheet_is_refused_by_its_name(form: Form, make_file, tmp_path: Path):
    """HTML tables as SheetJS, LibreOffice and Gnumeric export them, named .xls (or .xlsx):
    refused as a web page named .xls; the same page named .html is a page, not a report."""
    src, _ = make_file("899", folder=tmp_path / "src")
    pages = {
        "sheetjs": lo.sheetjs_convert(src, tmp_path / "sheetjs.html", "html"),
        "libreoffice": _libreoffice(src, tmp_path / "lo", "html:HTML (StarCalc)"),
        "gnumeric-html40": _ssconvert(src, tmp_path / "g40.html", "Gnumeric_html:html40"),
        "gnumeric-xhtml": _ssconvert(src, tmp_path / "gx.html", "Gnumeric_html:xhtml"),
        "gnumeric-fragment": _ssconvert(src, tmp_path / "gf.html", "Gnumeric_html:html40frag"),
    }
    for writer, page in pages.items():
        for suffix in (".xls", ".xlsx", ".XLS"):
            named = tmp_path / f"899-{writer}{suffix}"
            shutil.copyfile(page, named)
            assert _refusal(named, form) == [("FILE_FORMAT", HTML_SHEET)], named.name
        assert _refusal(page, form) == [("FILE_NOT_REPORT", "không phải tệp báo cáo (trang web)")], writer


@pytest.mark.parametrize(
    ("start", "root"),
    [
        (b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<Workbook x="1">', b"workbook"),
        (b"\xef\xbb\xbf  <!-- xuat tu he thong -->\n<TABLE border=1><tr>", b"table"),
        (b'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "x.dtd">', b"html"),
        (b'<meta http-equiv="Content-Type"><table>', b"meta"),
        (b"Don vi: 899\n<table>", b""),
        (b"<!-- never closed", b""),
    ],
)
def test_the_first_element_is_found_past_what_may_come_before_it(start, root):
    assert first_element(start) == root


def test_a_page_that_is_not_told_apart_by_name_is_the_refused_kind():
    page = b"<html><body><table><tr><td>1200</td></tr></table></body></html>"
    assert magic_kind(page, "899.xls") is BY_NAME["html_sheet"]
    assert magic_kind(page, "899") is BY_NAME["html_sheet"]
    assert magic_kind(page, "thu-moi.HTML") is BY_NAME["web"]
    assert (
        magic_kind(b"Don vi: 899, so tre em: 1200\n", "899.txt") is None
    )  # text named .xls: test_kinds3_text


# ----- (c, d) credited to their unit, by consolidate and check alike -----------------------
@pytest.mark.libreoffice
def test_check_names_the_unit_that_consolidate_credits_a_refused_file_to(
    form: Form, make_file, tmp_path: Path
):
    """Files refused for their format or damaged, named for their unit: `consolidate`
    rejects that unit with the reason (not "Chưa gửi"), and `check` (library and --json)
    names the same unit; a name with two codes names none, in both."""
    made = {code: make_file(code, folder=tmp_path / "src")[0] for code in ("899", "900", "902", "903", "912")}
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.move(_libreoffice(made["899"], tmp_path / "lo", "fods"), inbox / "899-bao-cao.fods")
    lo.sheetjs_convert(made["900"], inbox / "900-bao-cao.xml", "xlml")
    lo.sheetjs_convert(made["902"], tmp_path / "902.html", "html").rename(inbox / "902-bao-cao.xls")
    (inbox / "903-bao-cao.xlsx").write_bytes(made["903"].read_bytes()[:5000])  # a broken download
    (inbox / "bao-cao-912-913.xls").write_bytes((inbox / "902-bao-cao.xls").read_bytes())
    report = consolidate_into(form, inbox, tmp_path / "out", show_progress=False)
    units = {u.code: u for u in report.units}
    said = {"899": "FILE_FORMAT", "900": "FILE_FORMAT", "902": "FILE_FORMAT", "903": "FILE_CORRUPT"}
    for code, rule in said.items():
        assert units[code].status == UnitStatus.REJECTED, code
        (rec,) = units[code].files
        assert (rec.status, rec.note) == (FileStatus.REJECTED, CREDITED), code
        assert [(f.code, f.unit) for f in rec.parsed.findings] == [(rule, code)], code
    assert units["912"].status == units["913"].status == UnitStatus.MISSING
    by_consolidate = {r.parsed.name: r.parsed.unit_code for r in report.files}

    paths = sorted(inbox.iterdir())
    by_check = {Path(line.file).name: line.unit for line in check_report(form, paths).files}
    assert (
        by_check
        == by_consolidate
        == {
            "899-bao-cao.fods": "899",
            "900-bao-cao.xml": "900",
            "902-bao-cao.xls": "902",
            "903-bao-cao.xlsx": "903",
            "bao-cao-912-913.xls": None,
        }
    )
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "check", "--json", *map(str, paths)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = json.loads(done.stdout)
    assert {Path(line["file"]).name: line["unit"] for line in lines} == by_check
    assert all(f["unit"] == (line["unit"] or "") for line in lines for f in line["findings"])


MANIFEST_NS = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
SHEET_MEDIA = b"application/vnd.oasis.opendocument.spreadsheet"


@pytest.mark.parametrize(
    ("members", "media"),
    [
        ({"mimetype": SHEET_MEDIA + b"\n"}, SHEET_MEDIA),
        (  # another prefix, attributes in another order and quoting, after a wrong mimetype
            {
                "mimetype": b"application/zip",
                "META-INF/manifest.xml": f"<?xml version='1.0'?><mf:manifest xmlns:mf='{MANIFEST_NS}'>"
                "<mf:file-entry mf:media-type='text/xml' mf:full-path='content.xml'/>"
                f"<mf:file-entry mf:media-type = '{SHEET_MEDIA.decode()}' mf:full-path = '/'/>"
                "</mf:manifest>".encode(),
            },
            SHEET_MEDIA,
        ),
        (  # no manifest: the body of content.xml, its prefix declared otherwise
            {
                "content.xml": f'<?xml version="1.0"?><!-- LibreOffice --><o:document-content xmlns:o="{OFFICE_NS}">'
                "<o:automatic-styles><o:spreadsheet-like/></o:automatic-styles>"
                "<o:body>\n  <!-- bang --><o:spreadsheet><table/></o:spreadsheet></o:body>"
                "</o:document-content>".encode()
            },
            SHEET_MEDIA,
        ),
        (
            {
                "content.xml": f'<o:document-content xmlns:o="{OFFICE_NS}"><o:body/></o:document-content>'.encode()
            },
            b"",
        ),
        ({"content.xml": b"<document-content><body><spreadsheet/></body></document-content>"}, b""),
        ({"META-INF/manifest.xml": b"<manifest><file-entry full-path='/' media-type='x'/></manifest>"}, b""),
    ],
    ids=["mimetype", "manifest", "content", "empty-body", "no-namespace", "manifest-no-namespace"],
)
def test_the_media_type_an_opendocument_package_declares(members, media):
    assert odf_media_type(lambda name: members.get(name, b"")) == media


@pytest.mark.libreoffice
def test_an_archive_member_named_as_a_letter_is_read_when_its_bytes_are_a_report(
    form: Form, make_file, tmp_path: Path
):
    """brk36 F1: in an archive, "bao-cao-899.xlsx.pdf" holding an .xlsx and "905.docx"
    holding an .xls were ignored as what comes with a report (their units "Chưa gửi"), though
    the same attachment of a message is read by its bytes. Now a member so named is read
    when its bytes are a spreadsheet; a real letter (a LibreOffice .docx, a PDF) still is not."""
    xlsx = make_file("899", folder=tmp_path / "src")[0]
    xls = lo.convert(make_file("905", folder=tmp_path / "src")[0], tmp_path / "xls", "xls")
    note = tmp_path / "cong-van.txt"
    note.write_text("Kính gửi Sở: đơn vị gửi kèm báo cáo.", encoding="utf-8")
    letter = lo.convert(note, tmp_path / "lo", "docx").read_bytes()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "bao-cao.zip").write_bytes(
        zip_of(
            {
                "bao-cao-899.xlsx.pdf": xlsx.read_bytes(),
                "905.docx": xls.read_bytes(),
                "cong-van.docx": letter,
                "cong-van.pdf": b"%PDF-1.4\n" + bytes(2000),
            }
        )
    )
    report = consolidate_into(form, inbox, tmp_path / "out", show_progress=False)
    units = {u.code: u for u in report.units}
    for code, name in (("899", "bao-cao-899.xlsx.pdf"), ("905", "905.docx")):
        assert units[code].status == UnitStatus.ACCEPTED, code
        assert units[code].file.parsed.name == f"bao-cao.zip › {name}"
    ignored = {f.parsed.name for f in report.files if f.status == FileStatus.IGNORED}
    assert ignored == {"bao-cao.zip › cong-van.docx", "bao-cao.zip › cong-van.pdf"}, ignored
