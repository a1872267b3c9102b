"""Kinds of file a unit sends under a spreadsheet's name that are not one, and a spreadsheet's
name on an archive: each known by its bytes (`intake/kinds/`).

- a web archive (MHTML: Excel's "Single File Web Page", a browser's "Save as MHTML") and
  CSV, TSV or plain text named .xls or .xlsx (web systems and phone apps export so), in
  any encoding: refused by the name of what they are, with what to do, credited to the
  unit their file's name gives; never "tệp bị hỏng", never read as a report. A file
  without a suffix holding HTML is refused as HTML;
- a real archive of reports named .xlsx or .xls (a webmail or a unit renamed it) is opened
  as the archive it is, each member read, credited and listed; a workbook with a few
  members more stays a workbook;
- a compound file (OLE2) that is no workbook (a Word document, an Outlook message) named
  .xls or .zip is refused as what it is, never "tệp bị hỏng" nor read as .xls;
- the built-in elapsed-time number formats (46, 80) read as a duration in .xls and .xlsb
  as in .xlsx.

Inputs are templates filled by the project's filler and saved again by the real writers
(LibreOffice, SheetJS), wrapped or renamed as the senders do; a compound file no writer
here makes (an Outlook message) is a LibreOffice .doc whose directory names are rewritten.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import os
import shutil
import struct
import zipfile
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from pipeline.app import consolidate_into
from pipeline.form import Form, load_form
from pipeline.intake.containers.expand import expand
from pipeline.intake.containers.submission import ARCHIVE, MEMBER
from pipeline.intake.kinds.catalogue import (
    BY_NAME,
    CSV_SHEET,
    HTML_SHEET,
    OUTLOOK_MSG,
    TEXT_SHEET,
    WEB_ARCHIVE,
)
from pipeline.intake.kinds.detect import bytes_kind
from pipeline.intake.kinds.head import magic_kind
from pipeline.intake.kinds.zip_package import may_be_archive
from pipeline.outbox.paths import manifest_path
from pipeline.read.formats import biff, numfmt, xlsb
from pipeline.read.parse import parse_path, parse_submission
from pipeline.run.result import FileStatus, UnitStatus
from tests import lo
from tests.conftest import template_for
from tests.nasty import zip_of
from tests.test_resubmission import expected_totals

VN = ZoneInfo("Asia/Ho_Chi_Minh")
RESULTS = load_form().blocks["results"].sheet
CREDITED = "Không đọc được tệp; đơn vị xác định theo tên tệp"
NOT_WORD = ("FILE_NOT_REPORT", f"không phải tệp báo cáo ({BY_NAME['word'].shown})")


def _said(path: Path, form: Form) -> list[tuple[str, str]]:
    """(code, message without its place) of every finding of a file read alone."""
    return [(f.code, f.message.split(": ", 1)[1]) for f in parse_path(path, 0, form).findings]


def _figures(p: Any) -> tuple[Any, ...]:
    rows = {b: [(r.row, r.key, r.measures) for r in recs] for b, recs in p.rows.items()}
    return p.format, p.unit_code, [f.code for f in p.findings if f.severity == "error"], rows


_zip = zip_of  # tests/nasty.py


def _eml(attachments: dict[str, bytes], sender: str = "ketoan.nguyen@gmail.com") -> bytes:
    m = EmailMessage()
    m["From"] = sender
    m["Subject"] = "Báo cáo 588"
    m.set_content("Kính gửi Sở.")
    for name, data in attachments.items():
        m.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return bytes(m)


# ----- web archives ------------------------------------------------------------------------
def _mhtml(page: bytes, spelling: str) -> bytes:
    """A web page wrapped as one MHTML document (RFC 2557) the way each writer heads it:
    Excel's "Single File Web Page", Chrome's "Save as MHTML", and a header folded, in
    lower case and without spaces."""
    boundary = "----=_NextPart_01DB1234.56789ABC"
    heads = {
        "excel": f'MIME-Version: 1.0\r\nX-Document-Type: Workbook\r\nContent-Type: multipart/related; boundary="{boundary}"\r\n',
        "chrome": "From: <Saved by Blink>\r\nSnapshot-Content-Location: file:///C:/bao-cao.htm\r\n"
        "Subject: =?utf-8?Q?B=C3=A1o_c=C3=A1o?=\r\nDate: Thu, 20 Nov 2025 09:00:00 +0700\r\n"
        f'MIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n\ttype="text/html";\r\n\tboundary="{boundary}"\r\n',
        "folded": f'mime-version:1.0\r\ncontent-type:\r\n Multipart/Related;\r\n boundary="{boundary}"\r\n',
    }
    body = base64.encodebytes(page).decode().replace("\n", "\r\n")
    return (
        f"{heads[spelling]}\r\nThis document is a Single File Web Page, also known as a Web Archive file.\r\n\r\n"
        f"--{boundary}\r\nContent-Location: file:///C:/bao-cao.htm\r\nContent-Transfer-Encoding: base64\r\n"
        f'Content-Type: text/html; charset="utf-8"\r\n\r\n{body}\r\n--{boundary}--\r\n'
    ).encode()


@pytest.mark.libreoffice
def test_a_web_archive_is_refused_as_one_whatever_it_is_called(form: Form, make_file, tmp_path: Path):
    """Excel's, a browser's and a folded header's web archive of a filled report's page
    (LibreOffice's HTML export), named .xls, .xlsx, .mht, .MHTML, .eml or without a suffix:
    refused as a web archive with what to do, never taken for a message (brk49)."""
    src, _ = make_file("899", folder=tmp_path / "src")
    page = lo.convert(src, tmp_path / "lo", "html:HTML (StarCalc)").read_bytes()
    for spelling in ("excel", "chrome", "folded"):
        archive = _mhtml(page, spelling)
        for name in ("899.xls", "899.xlsx", "899.mht", "899.MHTML", "899.eml", "899-bao-cao"):
            path = tmp_path / spelling / name
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(archive)
            assert _said(path, form) == [("FILE_FORMAT", WEB_ARCHIVE)], (spelling, name)
        assert magic_kind(archive, "thu-chuyen-tiep.eml") is BY_NAME["mht"]
    # attached under a name that says nothing or a message's, the message holds a report
    # (refused as what it is)
    message = tmp_path / "thu.eml"
    message.write_bytes(_eml({"bao cao": _mhtml(page, "excel"), "thu.eml": _mhtml(page, "chrome")}))
    line, *attached = expand(message, message.name, form.limits, VN)
    assert line.problem is None
    assert [
        [(f.code, f.message.split(": ", 1)[1]) for f in parse_submission(sub, 1, form).findings]
        for sub in attached
    ] == [[("FILE_FORMAT", WEB_ARCHIVE)]] * 2


# ----- text under a spreadsheet's name ------------------------------------------------------
def _texts(filled: Path, tmp_path: Path) -> dict[str, bytes]:
    """A filled report's results sheet as the writers export text (the first sheet, so
    moved first: a web system exports its table): LibreOffice's CSV (UTF-8), SheetJS's CSV
    and its "Unicode Text" (UTF-16 with a byte-order mark, tab-separated), and the same
    again in other encodings and separators."""
    wb = openpyxl.load_workbook(filled)
    wb.move_sheet(wb[RESULTS], offset=-wb.sheetnames.index(RESULTS))
    src = tmp_path / "ket-qua-truoc" / filled.name
    src.parent.mkdir()
    wb.save(src)
    utf8 = lo.convert(src, tmp_path / "lo", "csv:Text - txt - csv (StarCalc):44,34,76").read_bytes()
    sheetjs = lo.sheetjs_convert(src, tmp_path / "sheetjs.csv", "csv").read_bytes()
    unicode_text = lo.sheetjs_convert(src, tmp_path / "sheetjs.txt", "txt").read_bytes()
    text = utf8.decode("utf-8")
    assert "," in text and unicode_text.startswith(b"\xff\xfe")
    return {
        "lo-utf8": utf8,
        "lo-utf8-bom": "\ufeff".encode() + utf8,
        "sheetjs": sheetjs,
        "sheetjs-unicode-text": unicode_text,
        "utf16-no-bom": text.encode("utf-16-le"),
        "utf16-be": text.encode("utf-16"),  # with its mark, big-endian or not as Python writes it
        "utf32": text.encode("utf-32"),
        "windows-1258": text.encode("cp1258", "replace"),
        "semicolons": text.replace(",", ";").encode(),
        "tabs-utf8": text.replace(",", "\t").encode(),
    }


@pytest.mark.libreoffice
def test_csv_and_text_named_as_a_spreadsheet_are_refused_as_what_they_are(
    form: Form, make_file, tmp_path: Path
):
    src, _ = make_file("899", folder=tmp_path / "src")
    plain = "BÁO CÁO KẾT QUẢ NĂM 2025\r\nĐơn vị: UBND Thành phố Rạch Giá (899)\r\nSố trẻ em được hỗ trợ: 1.200\r\n"
    folder = tmp_path / "named"
    folder.mkdir()
    for writer, data in _texts(src, tmp_path).items():
        for suffix in (".xls", ".xlsx", ".XLS"):
            path = folder / f"899-{writer}{suffix}"
            path.write_bytes(data)
            assert _said(path, form) == [("FILE_FORMAT", CSV_SHEET)], path.name
    for encoding in ("utf-8-sig", "utf-16", "cp1258"):
        path = folder / f"899-{encoding}.xlsx"
        path.write_bytes(plain.encode(encoding, "replace"))  # cp1258: its precomposed letters
        assert _said(path, form) == [("FILE_FORMAT", TEXT_SHEET)], path.name
    # named as what they are, they are what comes with a report, as before
    assert magic_kind(plain.encode(), "ghi-chu.txt") is None
    # a page without a suffix is a web page, not text
    page = tmp_path / "899-trang"
    page.write_bytes(b"<html><body><table><tr><td>899</td></tr></table></body></html>")
    assert _said(page, form) == [("FILE_FORMAT", HTML_SHEET)]
    page.write_bytes("<html><body><table><tr><td>899</td></tr></table></body></html>".encode("utf-16-le"))
    assert _said(page, form) == [("FILE_FORMAT", HTML_SHEET)]
    # binary noise named as a spreadsheet is still a damaged file
    noise = folder / "899-hong.xlsx"
    noise.write_bytes(bytes(range(256)) * 8)
    assert [code for code, _ in _said(noise, form)] == ["FILE_CORRUPT"]


@pytest.mark.libreoffice
def test_refused_kinds_are_credited_to_their_unit_and_never_read(form: Form, make_file, tmp_path: Path):
    """End to end: the unit whose CSV, text or web archive came under a spreadsheet's name
    is rejected with the reason (not "Chưa gửi", not a damaged file), nothing of it read."""
    made = {code: make_file(code, folder=tmp_path / "src")[0] for code in ("899", "900", "902")}
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    texts = _texts(made["899"], tmp_path)
    (inbox / "899-bao-cao.xls").write_bytes(texts["sheetjs-unicode-text"])
    (inbox / "bao-cao-900.xlsx").write_bytes("Đơn vị 900: báo cáo gửi sau\r\n".encode("utf-8-sig"))
    page = lo.convert(made["902"], tmp_path / "lo902", "html:HTML (StarCalc)").read_bytes()
    (inbox / "902 (1).xls").write_bytes(_mhtml(page, "excel"))
    report = consolidate_into(form, inbox, tmp_path / "out", show_progress=False)
    units = {u.code: u for u in report.units}
    said = {"899": CSV_SHEET, "900": TEXT_SHEET, "902": WEB_ARCHIVE}
    for code, reason in said.items():
        assert units[code].status == UnitStatus.REJECTED, code
        (rec,) = units[code].files
        assert (rec.status, rec.note) == (FileStatus.REJECTED, CREDITED), code
        assert [(f.code, f.unit, f.message.split(": ", 1)[1]) for f in rec.parsed.findings] == [
            ("FILE_FORMAT", code, reason)
        ], code
        assert rec.parsed.rows == {} and rec.parsed.info_row is None, code


# ----- an archive named as a spreadsheet ----------------------------------------------------
def test_an_archive_named_as_a_spreadsheet_is_opened_as_one(form: Form, make_file, tmp_path: Path):
    """Two reports zipped and the archive renamed .xlsx (and one renamed .xls): opened as an
    archive whatever it is called, each member read and credited, each in the manifest; a
    workbook with members added (an extra file first, a report inside) stays a workbook."""
    made = {c: make_file(c, folder=tmp_path / "src")[0] for c in ("899", "900", "902", "903", "904")}
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "bao-cao-cac-don-vi.xlsx").write_bytes(
        _zip({"bao cao/899.xlsx": made["899"].read_bytes(), "900.xlsx": made["900"].read_bytes()})
    )
    (inbox / "902.xls").write_bytes(_zip({"902-bao-cao.xlsx": made["902"].read_bytes()}))
    # a workbook a tool added members to, one of them first and one a report: still a workbook
    with zipfile.ZipFile(made["903"]) as zin, zipfile.ZipFile(inbox / "903.xlsx", "w") as zout:
        zout.writestr("ghi-chu.txt", "Đơn vị 903")
        for info in zin.infolist():
            zout.writestr(info, zin.read(info))
        zout.writestr("kem-theo/904.xlsx", made["904"].read_bytes())
    assert may_be_archive((inbox / "903.xlsx").read_bytes()[:512])  # looked at closely ...
    assert bytes_kind((inbox / "903.xlsx").read_bytes(), "903.xlsx") is BY_NAME["xlsx"]  # ... and a workbook
    assert not may_be_archive(made["899"].read_bytes()[:512])  # a workbook costs one small read
    entries = expand(inbox / "bao-cao-cac-don-vi.xlsx", "bao-cao-cac-don-vi.xlsx", form.limits, VN)
    assert [(s.origin.kind, s.opened is not None) for s in entries] == [
        (ARCHIVE, True),
        (MEMBER, False),
        (MEMBER, False),
    ]
    assert entries[0].opened.format == "zip"
    report = consolidate_into(form, inbox, tmp_path / "out", show_progress=False)
    units = {u.code: u for u in report.units}
    assert {c: units[c].status for c in ("899", "900", "902", "903", "904")} == {
        "899": UnitStatus.ACCEPTED,
        "900": UnitStatus.ACCEPTED,
        "902": UnitStatus.ACCEPTED,
        "903": UnitStatus.ACCEPTED,
        "904": UnitStatus.MISSING,
    }
    assert units["899"].file.parsed.name == "bao-cao-cac-don-vi.xlsx › 899.xlsx"
    assert _figures(units["899"].file.parsed)[1:] == _figures(parse_path(made["899"], 1, form))[1:]
    manifest = json.loads(manifest_path(tmp_path / "out", form.year).read_text(encoding="utf-8"))["files"]
    lines = {m["name"]: (m["kind"], m["format"], m["status"], m["unit"]) for m in manifest}
    assert lines == {
        "bao-cao-cac-don-vi.xlsx": ("archive", "zip", "opened", ""),
        "bao-cao-cac-don-vi.xlsx › 899.xlsx": ("member", "xlsx", "accepted", "899"),
        "bao-cao-cac-don-vi.xlsx › 900.xlsx": ("member", "xlsx", "accepted", "900"),
        "902.xls": ("archive", "zip", "opened", ""),
        "902.xls › 902-bao-cao.xlsx": ("member", "xlsx", "accepted", "902"),
        "903.xlsx": ("file", "xlsx", "accepted", "903"),
    }


def test_an_archive_named_as_a_spreadsheet_in_a_message_or_an_archive(form: Form, make_file, tmp_path: Path):
    """Attached to a message under a spreadsheet's name: opened (one level of nesting);
    inside an archive: refused as an archive in an archive, with what to do."""
    made = {c: make_file(c, folder=tmp_path / "src")[0].read_bytes() for c in ("899", "900")}
    inner = _zip({"899.xlsx": made["899"]})
    message = tmp_path / "thu.eml"
    message.write_bytes(_eml({"bao-cao.xlsx": inner, "900.xlsx": made["900"]}))
    entries = expand(message, message.name, form.limits, VN)
    assert [s.name.rpartition(" › ")[2] for s in entries[1:]] == ["bao-cao.xlsx", "899.xlsx", "900.xlsx"]
    assert entries[1].opened is not None and entries[2].origin.kind == MEMBER
    assert _figures(parse_submission(entries[2], 1, form))[:3] == ("xlsx", "899", [])
    archive = tmp_path / "goi.zip"
    archive.write_bytes(
        _zip({"bao-cao.xlsx": inner, "900.xlsx": made["900"], "thu.eml": message.read_bytes()})
    )
    _, nested, plain, mail = expand(archive, archive.name, form.limits, VN)
    assert nested.problem is not None and nested.problem[0] == "ARCHIVE_NESTED"
    assert plain.problem is None
    assert (
        mail.problem is not None and mail.problem[0] == "ARCHIVE_NESTED"
    )  # a message known by its bytes too


# ----- compound files that are no workbook --------------------------------------------------
def _renamed(doc: bytes, renames: dict[str, str]) -> bytes:
    """A LibreOffice .doc whose root entries are renamed (their directory entries'
    UTF-16 names and lengths, [MS-CFB] 2.6.1): laid out as the compound files no writer here
    makes (an Outlook message, [MS-OXMSG] 2.4; a PowerPoint presentation, [MS-PPT] 2.1.1)."""
    data = bytearray(doc)
    for old, new in renames.items():
        field = old.encode("utf-16-le") + b"\x00\x00"
        at = data.index(field)
        data[at : at + 64] = (new.encode("utf-16-le") + b"\x00\x00").ljust(64, b"\x00")
        data[at + 64 : at + 66] = (2 * len(new) + 2).to_bytes(2, "little")
    return bytes(data)


def _outlook_message(doc: bytes) -> bytes:
    return _renamed(doc, {"WordDocument": "__properties_version1.0", "1Table": "__substg1.0_0037001F"})


@pytest.mark.libreoffice
def test_a_compound_file_that_is_no_workbook_is_refused_as_what_it_is(form: Form, tmp_path: Path):
    note = tmp_path / "cong-van.txt"
    note.write_text("Kính gửi Sở LĐTBXH: đơn vị 899 gửi báo cáo năm 2025.", encoding="utf-8")
    doc = lo.convert(note, tmp_path / "lo", "doc").read_bytes()
    msg = _outlook_message(doc)
    for name in ("899.xls", "899-bao-cao.XLS", "899.xlsx"):
        (tmp_path / name).write_bytes(doc)
        assert _said(tmp_path / name, form) == [NOT_WORD], name
        (tmp_path / f"thu-{name}").write_bytes(msg)
        assert _said(tmp_path / f"thu-{name}", form) == [("FILE_NOT_REPORT", OUTLOOK_MSG)], name
    slides = tmp_path / "899-trinh-chieu.xls"
    slides.write_bytes(_renamed(doc, {"WordDocument": "PowerPoint Document"}))
    assert _said(slides, form) == [
        ("FILE_NOT_REPORT", f"không phải tệp báo cáo ({BY_NAME['powerpoint'].shown})")
    ]
    # named .zip: one file, not a damaged archive
    for data, said in ((doc, NOT_WORD), (msg, ("FILE_NOT_REPORT", OUTLOOK_MSG))):
        path = tmp_path / "bao-cao.zip"
        path.write_bytes(data)
        (sub,) = expand(path, path.name, form.limits, VN)
        assert [(f.code, f.message.split(": ", 1)[1]) for f in parse_submission(sub, 1, form).findings] == [
            said
        ]
    # attached or archived named .zip: the letter comes with a report, the message is refused
    message = tmp_path / "thu.eml"
    message.write_bytes(_eml({"cong-van.zip": doc, "thu-goc.zip": msg}))
    _, letter, outlook = expand(message, message.name, form.limits, VN)
    assert letter.ignored and letter.problem is None
    assert [f.code for f in parse_submission(outlook, 1, form).findings] == ["FILE_NOT_REPORT"]


@pytest.mark.libreoffice
def test_a_real_xls_is_still_read_as_one(form: Form, make_file, tmp_path: Path):
    src, _ = make_file("899", folder=tmp_path / "src")
    xls = lo.convert(src, tmp_path / "lo", "xls")
    assert _figures(parse_path(xls, 1, form))[:3] == ("xls", "899", [])
    shutil.copyfile(xls, tmp_path / "899.xls.zip")
    (sub,) = expand(tmp_path / "899.xls.zip", "899.xls.zip", form.limits, VN)
    assert _figures(parse_submission(sub, 1, form))[:3] == ("xls", "899", [])


# ----- elapsed time under a built-in id ------------------------------------------------------
@pytest.mark.parametrize("format_id", [46, 80])
def test_every_builtin_elapsed_id_is_a_duration_in_xls_and_xlsb(format_id):
    """A built-in id the file does not define that shows elapsed time ([h]:mm:ss, and
    th-TH's 80, as LibreOffice defines it) gives a duration, as in .xlsx; another date id
    a date."""
    assert biff._shown(format_id, {}) == biff.ELAPSED
    assert xlsb._shown(None, format_id) == xlsb.ELAPSED
    assert biff._shown(14, {}) == biff.DATE and xlsb._shown(None, 14) == xlsb.DATE


def test_xls_and_xlsb_classify_every_builtin_id_as_numfmt_does():
    """One rule for the three formats: every built-in id is a number, a date, a duration or
    a percentage in .xls and .xlsb exactly as `numfmt` says (which .xlsx reads by)."""
    for format_id in range(256):
        want = (
            "elapsed"
            if numfmt.builtin_shows_elapsed(format_id)
            else "date"
            if numfmt.builtin_shows_date(format_id)
            else "percent"
            if numfmt.builtin_shows_percent(format_id)
            else "number"
        )
        kinds = {biff.NUMBER: "number", biff.DATE: "date", biff.ELAPSED: "elapsed", biff.PERCENT: "percent"}
        shown_xls = kinds[biff._shown(format_id, {})]
        assert (format_id, shown_xls, xlsb._shown(None, format_id)) == (format_id, want, want)


def _xlsb_record(kind: int, body: bytes) -> bytes:
    """A BIFF12 record ([MS-XLSB] 2.1.4: its type and size as variable-length integers)."""
    head = bytes([kind]) if kind < 128 else bytes([kind & 0x7F | 0x80, kind >> 7])
    return head + bytes([len(body)]) + body


def test_an_xlsb_cell_under_builtin_id_80_is_a_duration():
    """Read from the records as .xlsx reads it: xl/styles.bin's cell format naming built-in
    id 80 (undefined by the file) makes the cell's number a duration, not a moment."""
    xf = lambda format_id: _xlsb_record(47, struct.pack("<HH", 0, format_id) + bytes(12))  # noqa: E731 - BrtXF
    styles = b"".join(
        [_xlsb_record(617, struct.pack("<I", 3)), xf(0), xf(80), xf(46), _xlsb_record(618, b"")]
    )
    assert xlsb.date_styles(styles) == [xlsb.NUMBER, xlsb.ELAPSED, xlsb.ELAPSED]
    rk = struct.pack("<I", (241 << 2) | 2)
    sheet = b"".join(
        [
            _xlsb_record(0, struct.pack("<I", 7) + bytes(21)),  # BrtRowHdr: row 8
            _xlsb_record(2, struct.pack("<II", 1, 1) + rk),  # BrtCellRk B8 under id 80
            _xlsb_record(13, struct.pack("<I", 2) + rk),  # BrtShortRk C8 under id 46
        ]
    )
    cells = xlsb.xlsb_facts(sheet, "s", [], xlsb.date_styles(styles)).cells
    assert cells == {(7, 1): dt.timedelta(days=241), (7, 2): dt.timedelta(days=241)}


# ----- archives no reader opens, Outlook's winmail.dat --------------------------------------
def _tgz(members: dict[str, bytes]) -> bytes:
    """A real tar.gz (the standard library's tarfile), as a Linux or macOS user packs one."""
    import tarfile

    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


# first bytes: RAR 5 (its signature, then a header's CRC-32 and size) and 7z (signature and
# version 0.4), as WinRAR and 7-Zip write them; Outlook's TNEF ([MS-OXTNEF] 2.1.3.1)
RAR5 = b"Rar!\x1a\x07\x01\x00"
SEVEN_Z = b"7z\xbc\xaf\x27\x1c\x00\x04"
TNEF = b"\x78\x9f\x3e\x22\x01\x00"


def test_an_archive_no_reader_opens_or_a_winmail_dat_is_refused_with_what_to_do(
    form: Form, make_file, tmp_path: Path
):
    """brk36 F5, F6: a unit's report in a .rar, a .7z, a .tgz, a RAR renamed .zip, or its
    mail sent as RTF by Outlook (the report wrapped in winmail.dat) was "không phải tệp báo
    cáo (không phải tệp Excel)", a .zip "bị hỏng", or nothing at all: the unit "Chưa gửi", its
    letter saying the mail had no attachment. Each is now refused with what to do, credited
    to the unit its name or its sender gives."""
    from pipeline.intake.kinds.catalogue import OTHER_ARCHIVE, OUTLOOK_TNEF

    report_bytes = make_file("899", folder=tmp_path / "src")[0].read_bytes()
    noise = os.urandom(3000)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "899-bao-cao.rar").write_bytes(RAR5 + noise)
    (inbox / "900-bao-cao.7z").write_bytes(SEVEN_Z + noise)
    (inbox / "902-bao-cao.tgz").write_bytes(_tgz({"902.xlsx": report_bytes}))
    (inbox / "903-bao-cao.zip").write_bytes(RAR5 + noise)
    (inbox / "905.eml").write_bytes(_eml({"winmail.dat": TNEF + noise}, sender="ketoan.905@gmail.com"))
    report = consolidate_into(form, inbox, tmp_path / "out", show_progress=False)
    units = {u.code: u for u in report.units}
    for code in ("899", "900", "902", "903"):
        assert units[code].status == UnitStatus.REJECTED, code
        (rec,) = units[code].files
        said = [(f.code, f.message.split(": ", 1)[1]) for f in rec.parsed.findings]
        assert said in (
            [("FILE_FORMAT", OTHER_ARCHIVE)],
            [("FILE_FORMAT", f"tệp đặt tên .zip nhưng là {OTHER_ARCHIVE}")],
        ), (code, said)
    tnef = next(f for f in report.files if f.parsed.name == "905.eml › winmail.dat")
    assert [(f.code, f.message.split(": ", 1)[1]) for f in tnef.parsed.findings] == [
        ("FILE_FORMAT", OUTLOOK_TNEF)
    ]
    assert not [
        f
        for f in report.files
        if f.parsed.name == "905.eml" and any(x.code == "MAIL_NO_REPORT" for x in f.parsed.findings)
    ]


def test_a_message_forwarded_closed_is_opened(form: Form, make_file, tmp_path: Path):
    """brk36 F8, brk47 F2: a message attached as a file (application/octet-stream, "Bao cao
    903.eml") or forwarded as message/rfc822 in base64 (Exchange and Outlook write it; RFC
    2046 forbids it) was not opened: the report inside was refused, or its message said "không
    có tệp báo cáo". Each is opened as a forwarded message is, and its report read; a mailbox
    file attached (several messages) is still refused with what to do."""
    from pipeline.intake.containers.entries import MESSAGE_IN_MESSAGE

    made, data = make_file("903", folder=tmp_path / "src")
    inner = _eml({"903.xlsx": made.read_bytes()}, sender="vanphong903@gmail.com")
    encoded = EmailMessage()
    encoded["From"], encoded["Subject"] = "ketoan.nguyen@gmail.com", "Fwd: Báo cáo 588"
    encoded.set_content("Chuyển tiếp.")
    encoded.add_attachment(inner, maintype="message", subtype="rfc822", cte="base64", filename="fw.eml")
    assert b"Content-Transfer-Encoding: base64" in bytes(encoded).split(b"message/rfc822", 1)[1][:300]
    mailbox = (
        b"From a@b.vn Thu Nov 20 09:00:00 2025\n"
        + inner
        + b"\nFrom a@b.vn Thu Nov 20 09:01:00 2025\n"
        + inner
    )
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "chuyen-tiep.eml").write_bytes(_eml({"Bao cao 903.eml": inner}))
    (inbox / "ma-hoa.eml").write_bytes(bytes(encoded))
    (inbox / "hop-thu.eml").write_bytes(_eml({"hop-thu.mbox": mailbox}))
    report = consolidate_into(form, inbox, tmp_path / "out", show_progress=False)
    recs = {r.parsed.name: r for r in report.files}
    for name in ("chuyen-tiep.eml", "ma-hoa.eml"):
        assert recs[name].parsed.findings == [] and not recs[f"{name} › 903.xlsx"].parsed.findings, name
    # one report read twice: one counts, the other is the same figures
    assert {recs[f"{n} › 903.xlsx"].status for n in ("chuyen-tiep.eml", "ma-hoa.eml")} == {
        "accepted",
        "superseded",
    }
    assert {u.code: u.status for u in report.units}["903"] == UnitStatus.ACCEPTED
    assert report.totals.to_dict() == expected_totals(form, [data])  # counted once
    attached = recs["hop-thu.eml › hop-thu.mbox"]
    assert [(f.code, f.message.split(": ", 1)[1]) for f in attached.parsed.findings] == [
        ("ARCHIVE_NESTED", MESSAGE_IN_MESSAGE)
    ]


def _outlook(sender: str, subject: str, boundary: str, name: str, data: bytes) -> bytes:
    """A message as Outlook writes one: CRLF, a "----=_NextPart_" boundary, folded headers."""
    b64 = base64.encodebytes(data).decode().replace("\n", "\r\n")
    from email.header import Header

    return (
        f'From: "Van thu" <{sender}>\r\nTo: canbo@gmail.com\r\nSubject: {Header(subject, "utf-8").encode()}\r\n'
        f"Date: Fri, 21 Nov 2025 08:57:00 +0700\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: multipart/mixed;\r\n\tboundary="{boundary}"\r\n\r\nThis is a multi-part message in MIME format.\r\n\r\n'
        f'--{boundary}\r\nContent-Type: text/plain; charset="utf-8"\r\nContent-Transfer-Encoding: 7bit\r\n\r\nGui bao cao.\r\n\r\n'
        f'--{boundary}\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;\r\n\tname="{name}"\r\n'
        f'Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment;\r\n\tfilename="{name}"\r\n\r\n{b64}\r\n--{boundary}--\r\n'
    ).encode()


@pytest.mark.parametrize("cte", ["quoted-printable", "base64"])
def test_a_forward_in_quoted_printable_keeps_its_report(cte: str, form: Form, make_file, tmp_path: Path):
    """brk49 F3: a forward in quoted-printable of a message as Outlook writes it (its boundary
    "----=_NextPart_…", a long subject) lost its report: the encoded text, parsed as a
    message, could not be had back as it came. It is read as it came, then decoded."""
    import quopri
    from email.mime.base import MIMEBase

    made, data = make_file("903", folder=tmp_path / "src")
    subject = "Báo cáo 588 của UBND huyện năm 2025, gửi lại bản đã sửa theo góp ý của Sở, kèm công văn"
    inner = _outlook(
        "vanthu903@gmail.com",
        subject,
        "----=_NextPart_000_0001_01DC5A8E.12345678",
        "903.xlsx",
        made.read_bytes(),
    )
    outer = EmailMessage()
    outer["From"], outer["Subject"] = "canbo903@gmail.com", "FW: Báo cáo 588"
    outer.set_content("Chuyển tiếp báo cáo.")
    outer.make_mixed()
    part = MIMEBase("message", "rfc822")
    part.set_payload(
        quopri.encodestring(inner).decode()
        if cte == "quoted-printable"
        else base64.encodebytes(inner).decode()
    )
    part["Content-Transfer-Encoding"] = cte
    outer.attach(part)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "fw.eml").write_bytes(outer.as_bytes())
    report = consolidate_into(form, inbox, tmp_path / "out", show_progress=False)
    recs = {r.parsed.name: r for r in report.files}
    assert recs["fw.eml › 903.xlsx"].status.accepted and not recs["fw.eml"].parsed.findings, sorted(recs)
    assert report.totals.to_dict() == expected_totals(form, [data])


def test_the_offices_own_letter_forwarded_back_is_never_a_report(form: Form, template_dir, tmp_path: Path):
    """brk49 F2: a unit forwards the office's reminder back with a question; the blank
    template attached to it was read as the unit's report (rejected, its letter told of 5
    errors to fix). What the office's letter carries is the office's; the unit's message
    has no report."""
    from pipeline.intake.containers.entries import FORWARDED_OWN_LETTER
    from pipeline.intake.message_headers import LETTER_HEADER

    blank = template_for(template_dir, form, "903")  # the blank template a reminder carries
    ours = EmailMessage()
    ours["From"], ours["To"], ours["Subject"] = (
        "so@kiengiang.gov.vn",
        "vanphong903@gmail.com",
        "Đề nghị gửi báo cáo",
    )
    ours[LETTER_HEADER] = "run-1"
    ours.set_content("Đề nghị đơn vị gửi báo cáo theo mẫu đính kèm.")
    ours.add_attachment(
        blank.read_bytes(), maintype="application", subtype="octet-stream", filename=blank.name
    )
    reply = EmailMessage()
    reply["From"], reply["Subject"] = "vanphong903@gmail.com", "Fwd: Đề nghị gửi báo cáo"
    reply.set_content("Xin hỏi Sở: mẫu này điền thế nào?")
    reply.add_attachment(ours)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "hoi.eml").write_bytes(bytes(reply))
    report = consolidate_into(form, inbox, tmp_path / "out", show_progress=False)
    recs = {r.parsed.name: r for r in report.files}
    attached = recs[f"hoi.eml › {blank.name}"]
    assert attached.status == "ignored" and attached.parsed.submission.ignored == FORWARDED_OWN_LETTER
    assert [f.code for f in recs["hoi.eml"].parsed.findings] == ["MAIL_NO_REPORT"]
    assert {u.code: u.status for u in report.units}["903"] == UnitStatus.MISSING
