"""brk49: a web page saved as one file (MHTML, RFC 2557) is no message, whatever it is called.

A unit attaches a page its browser or Word saved ("Single File Web Page"), named .mht,
.mhtml, .eml or nothing. Named .eml it was opened as a forwarded message and its parts read
as the unit's files (Word's theme package listed as a file; Chrome's page giving "thư không
có tệp báo cáo"). It is known by its content: a multipart/related document whose header
shows it was never mailed (no address, no Message-ID, no Received), refused with what to
send instead (the report workbook), never opened. A real message whose root is
multipart/related (a letter with an inline image) is still a message, saved alone or
forwarded as a file.

The pages are a filled report's sheet and a cover letter exported to HTML by LibreOffice,
with an image (`nasty._png`); they are wrapped as Chrome and Word write MHTML (their
header layout, boundaries, Content-Location, Word's theme package built from the theme of
the project's own template), with Python's email package.
"""

from __future__ import annotations

import base64
import io
import json
import quopri
import zipfile
from email import policy
from email.generator import BytesGenerator
from email.message import EmailMessage, Message
from email.parser import BytesParser
from pathlib import Path

import pytest

from pipeline.app import consolidate_into
from pipeline.form import Form
from pipeline.intake.kinds.catalogue import BY_NAME, WEB_ARCHIVE
from pipeline.intake.kinds.head import magic_kind
from pipeline.outbox.paths import manifest_path
from pipeline.rules.findings import where
from pipeline.run.result import UnitStatus
from tests import lo
from tests.nasty import _png, zip_of
from tests.test_mail import at, message

CRLF = policy.compat32.clone(linesep="\r\n", max_line_length=0)
CHROME_BOUNDARY = "----MultipartBoundary--k3H2dQZ8sVbnE1wqYx0aT7fLmRjUoP4iC9gS6e5N----"
WORD_BOUNDARY = "----=_NextPart_01DC5A8E.3F2B1C40"
WORD_PREAMBLE = (
    "This document is a Single File Web Page, also known as a Web Archive file.  If you are "
    "seeing this message, your browser or editor doesn't support Web Archive files.  Please "
    "download a browser that supports Web Archive."
)


def _part(headers: list[tuple[str, str]], body: bytes, cte: str) -> Message:
    part = Message(policy=CRLF)
    for name, value in headers:
        part[name] = value
    part["Content-Transfer-Encoding"] = cte
    if cte == "base64":
        part.set_payload(base64.encodebytes(body).decode("ascii"))
    else:
        part.set_payload(quopri.encodestring(body).decode("ascii"))
    return part


def _written(doc: Message) -> bytes:
    out = io.BytesIO()
    BytesGenerator(out, mangle_from_=False, maxheaderlen=0, policy=CRLF).flatten(doc)
    return out.getvalue()


def chrome_mhtml(page: bytes, image: bytes, url: str = "https://baocao.example.gov.vn/899") -> bytes:
    """A page as Chrome's "Save as MHTML" writes it (Blink's MHTMLArchive): its header
    ("From: <Saved by Blink>", Snapshot-Content-Location, Subject, Date, MIME-Version, a
    folded multipart/related with type="text/html"), the page in quoted-printable with a
    Content-ID and Content-Location, its image in base64."""
    doc = Message(policy=CRLF)
    doc["From"] = "<Saved by Blink>"
    doc["Snapshot-Content-Location"] = url
    doc["Subject"] = "=?utf-8?Q?B=C3=A1o_c=C3=A1o_588_-_UBND_Th=C3=A0nh_ph=E1=BB=91_R=E1=BA=A1ch_Gi=C3=A1?="
    doc["Date"] = "Thu, 20 Nov 2025 02:15:07 -0000"
    doc["MIME-Version"] = "1.0"
    doc["Content-Type"] = f'multipart/related;\r\n\ttype="text/html";\r\n\tboundary="{CHROME_BOUNDARY}"'
    doc.set_payload(
        [
            _part(
                [
                    ("Content-Type", "text/html"),
                    ("Content-ID", "<frame-7C1F2A9B0D3E4F5061728394A5B6C7D8@mhtml.blink>"),
                ],
                page,
                "quoted-printable",
            ),
            _part([("Content-Type", "image/png")], image, "base64"),
        ]
    )
    for sub, location in zip(doc.get_payload(), (url, f"{url}/bang.png"), strict=True):
        sub["Content-Location"] = location
    doc.preamble = ""
    return _written(doc)


def _theme_package(template: bytes) -> bytes:
    """Word's themedata.thmx: an Office theme package (OPC) whose theme is the one in the
    project's own template."""
    with zipfile.ZipFile(io.BytesIO(template)) as zf:
        theme = zf.read("xl/theme/theme1.xml")
    ct = "application/vnd.openxmlformats-officedocument"
    return zip_of(
        {
            "[Content_Types].xml": (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
                '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                f'<Override PartName="/theme/theme/themeManager.xml" ContentType="{ct}.themeManager+xml"/>'
                f'<Override PartName="/theme/theme/theme1.xml" ContentType="{ct}.theme+xml"/></Types>'
            ).encode(),
            "_rels/.rels": (
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
                b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                b'relationships/officeDocument" Target="theme/theme/themeManager.xml"/></Relationships>'
            ),
            "theme/theme/themeManager.xml": b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
            b'<a:themeManager xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"/>',
            "theme/theme/theme1.xml": theme,
            "theme/theme/_rels/themeManager.xml.rels": (
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
                b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                b'relationships/theme" Target="theme1.xml"/></Relationships>'
            ),
        }
    )


def word_mhtml(page: bytes, theme: bytes) -> bytes:
    """A document as Word's "Single File Web Page" writes it: MIME-Version, then
    multipart/related with its "----=_NextPart_" boundary and type="text/html", no From,
    its preamble, the page in quoted-printable, then its files (themedata.thmx in base64,
    colorschememapping.xml, filelist.xml), each with its Content-Location."""
    folder = "file:///C:/3F2B1C40/"
    doc = Message(policy=CRLF)
    doc["MIME-Version"] = "1.0"
    doc["Content-Type"] = f'multipart/related; boundary="{WORD_BOUNDARY}"; type="text/html"'
    files = [
        ("bao-cao-900.htm", 'text/html; charset="utf-8"', page, "quoted-printable"),
        ("bao-cao-900_files/themedata.thmx", "application/vnd.ms-officetheme", theme, "base64"),
        (
            "bao-cao-900_files/colorschememapping.xml",
            "text/xml",
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<a:clrMap '
            b'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" bg1="lt1" tx1="dk1"/>',
            "quoted-printable",
        ),
        (
            "bao-cao-900_files/filelist.xml",
            'text/xml; charset="utf-8"',
            b'<xml xmlns:o="urn:schemas-microsoft-com:office:office">\r\n <o:MainFile HRef="../bao-cao-900.htm"/>'
            b'\r\n <o:File HRef="themedata.thmx"/>\r\n <o:File HRef="filelist.xml"/>\r\n</xml>',
            "quoted-printable",
        ),
    ]
    parts = []
    for name, ctype, body, cte in files:
        part = _part([("Content-Location", folder + name)], body, cte)
        part["Content-Type"] = ctype
        parts.append(part)
    doc.set_payload(parts)
    doc.preamble = WORD_PREAMBLE + "\r\n"
    return _written(doc)


def _pages(make_file, tmp_path: Path) -> tuple[bytes, bytes, bytes, bytes]:
    """(the filled 899 report's sheet as LibreOffice exports it to HTML, an image of the
    page (`nasty._png`), a cover letter as LibreOffice Writer exports it to HTML, the 900
    report's bytes)."""
    src, _ = make_file("899", folder=tmp_path / "src")
    sheet = lo.convert(src, tmp_path / "lo-html", "html:HTML (StarCalc)").read_bytes()
    image = _png()
    note = tmp_path / "cong-van-900.txt"
    note.write_text("Kính gửi Sở: đơn vị gửi báo cáo năm 2025 của UBND Thành phố Hà Tiên.", encoding="utf-8")
    letter = lo.convert(note, tmp_path / "lo-letter", "html:HTML (StarWriter)").read_bytes()
    report900 = make_file("900", folder=tmp_path / "src")[0].read_bytes()
    return sheet, image, letter, report900


def test_a_saved_page_is_told_from_a_message_by_its_header():
    """Chrome's and Word's MHTML are web archives whatever they are called; a message
    mailed with its root multipart/related (an inline image) is a message."""
    chrome = chrome_mhtml(b"<html><body><table><tr><td>899</td></tr></table></body></html>", b"\x89PNG\r\n")
    word = word_mhtml(
        b"<html><body><p>Kinh gui So</p></body></html>", zip_of({"theme/theme/theme1.xml": b"<a/>"})
    )
    assert chrome.startswith(b"From: <Saved by Blink>\r\nSnapshot-Content-Location: ")
    assert word.startswith(b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="----=_NextPart_')
    for page in (chrome, word):
        for name in ("bao-cao.eml", "bao-cao.mht", "bao-cao", "Bao cao 899.EML"):
            assert magic_kind(page, name) is BY_NAME["mht"], name
    mailed = message("ketoan.903@gmail.com", "Báo cáo 588", at(20, 9))
    mailed.add_related(b"\x89PNG\r\n", maintype="image", subtype="png", cid="<anh@903>")
    assert mailed.get_content_type() == "multipart/related"
    for name in ("thu.eml", "tep-dinh-kem", ""):
        assert magic_kind(bytes(mailed), name) is BY_NAME["eml"], name


def _related(sender: str, code: str, report: bytes, image: bytes) -> EmailMessage:
    """A message mailed as some clients write a letter with an inline image: its root
    multipart/related, the report attached inside it."""
    m = message(sender, "Báo cáo 588", at(20, 10))
    m.make_related()
    m.add_related(image, maintype="image", subtype="png", cid=f"<chu-ky@{code}>")
    m.add_related(
        report,
        maintype="application",
        subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        disposition="attachment",
        filename=f"{code}.xlsx",
    )
    assert m.get_content_type() == "multipart/related"
    return m


@pytest.mark.libreoffice
def test_a_web_archive_named_as_a_message_is_refused_never_opened(form: Form, make_file, tmp_path: Path):
    """End to end: Chrome's page saved into the inbox as "899.eml", Word's page attached as
    "Bao cao 900.eml", Chrome's page attached as message/rfc822 "902.mht" (as Windows types
    .mht): each one manifest line, rejected with the web archive's reason and what to send,
    credited to its unit, its parts never listed nor read, its message not "without a
    report". A real message whose root is multipart/related, saved alone (903) or forwarded
    as a file (904), is still opened and its report counted."""
    sheet, image, letter, report900 = _pages(make_file, tmp_path)
    chrome = chrome_mhtml(sheet, image)
    word = word_mhtml(letter, _theme_package(report900))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "899.eml").write_bytes(chrome)
    (inbox / "thu-900.eml").write_bytes(
        bytes(message("ketoan.900@gmail.com", "Báo cáo 588", at(20, 8), [("Bao cao 900.eml", word)]))
    )
    windows = message("ketoan.902@gmail.com", "Báo cáo 588", at(20, 9))
    windows.add_attachment(BytesParser(policy=policy.default).parsebytes(chrome), filename="902.mht")
    assert b"Content-Type: message/rfc822" in bytes(windows)
    (inbox / "thu-902.eml").write_bytes(bytes(windows))
    report903 = make_file("903", folder=tmp_path / "src")[0].read_bytes()
    (inbox / "thu-903.eml").write_bytes(bytes(_related("vanthu.903@gmail.com", "903", report903, image)))
    report904 = make_file("904", folder=tmp_path / "src")[0].read_bytes()
    inner = bytes(_related("vanthu.904@gmail.com", "904", report904, image))
    (inbox / "thu-904.eml").write_bytes(
        bytes(message("ketoan.904@gmail.com", "Fwd: Báo cáo 588", at(20, 11), [("Bao cao 904.eml", inner)]))
    )
    report = consolidate_into(form, inbox, tmp_path / "out", show_progress=False)
    manifest = json.loads(manifest_path(tmp_path / "out", form.year).read_text(encoding="utf-8"))["files"]
    lines = {m["name"]: (m["kind"], m["status"], m["unit"], m["reason"]) for m in manifest}
    refused = f"{where('', '')}: {WEB_ARCHIVE}"  # the whole file
    assert {n: line for n, line in lines.items() if "903" not in n and "904" not in n} == {
        "899.eml": ("file", "rejected", "899", refused),
        "thu-900.eml": ("message", "opened", "", ""),
        "thu-900.eml › Bao cao 900.eml": ("attachment", "rejected", "900", refused),
        "thu-902.eml": ("message", "opened", "", ""),
        "thu-902.eml › 902.mht": ("attachment", "rejected", "902", refused),
    }
    units = {u.code: u for u in report.units}
    for code in ("899", "900", "902"):
        assert units[code].status == UnitStatus.REJECTED, code
        (rec,) = units[code].files
        assert [(f.code, f.message.split(": ", 1)[1]) for f in rec.parsed.findings] == [
            ("FILE_FORMAT", WEB_ARCHIVE)
        ], code
        assert rec.parsed.rows == {} and rec.parsed.info_row is None, code
    counted = {
        n: (kind, unit) for n, (kind, status, unit, _) in lines.items() if status.startswith("accepted")
    }
    assert counted == {
        "thu-903.eml › 903.xlsx": ("attachment", "903"),
        "thu-904.eml › 904.xlsx": ("attachment", "904"),
    }
    assert units["903"].status == units["904"].status == UnitStatus.ACCEPTED
