"""A corpus of nasty files, each built by the tests from a valid filled template.

Every builder starts from a file made by our own template generator and filler (the
`make_file` fixture), then damages it the way real inboxes do: emptied, cut, renamed,
encrypted, re-saved by another program, edited by hand, or crafted to hurt the reader
(zip bombs, entity expansion, a million rows). No binary fixture is downloaded or kept in
the repository.

`CASES` is the table used by `test_hostile.py`: for each builder the one finding it must
produce (rule code, sheet, cell) and the status the file must get. A builder returns the
path it wrote and, when the file must be counted, the figures it holds (the data given to
the filler, with text-typed numbers replaced by the numbers they spell), so the tests can
compute the expected totals without the pipeline.
"""

from __future__ import annotations

import copy
import io
import os
import shutil
import struct
import subprocess
import tempfile
import unicodedata
import uuid
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import msoffcrypto.format.ooxml
import openpyxl

from pipeline.form import Form

RESULTS = "Kết quả"
INFO = "Thông tin"
RESOURCES = "Nguồn lực"
NEEDS = "Nhu cầu"
META = "_mau"

ACCEPTED = "accepted"
WARNED = "accepted_with_warnings"
REJECTED = "rejected"
NOT_REPORT = "not_a_report"

INJECTIONS = {
    "difficulties": '=HYPERLINK("http://x.invalid/steal","Bấm vào đây")',
    "recommendations": "+cmd|' /C calc'!A0",
    "preparer": "@SUM(1+1)*cmd|' /C calc'!A0",
    "phone": "-2+3+cmd|' /C calc'!A0",
}
FORMULA_FILE_NAME = '=HYPERLINK("http:x.invalid","bam").xlsx'
DIACRITIC_FILE_NAME = "Báo cáo năm 2025 - UBND Huyện U Minh Thượng (bản cuối).xlsx"
NFD_FILE_NAME = unicodedata.normalize("NFD", "Báo cáo Sở Lao động (đã sửa).xlsx")


class NeedsLibreOffice(Exception):
    """The builder needs `soffice` and it is not installed."""


@dataclass
class Built:
    path: Path
    counted: dict[str, Any] | None  # the figures that must be counted if it is accepted
    cell: str = ""  # the cell damaged, when it depends on the seeded data ("I?" in the table)


class Kit:
    """What a builder needs: the filler (through `make_file`), the form and where to write."""

    def __init__(
        self, make_file: Callable[..., tuple[Path, dict[str, Any]]], form: Form, dest: Path, name: str
    ):
        self.make_file = make_file
        self.form = form
        self.dest = dest
        self.name = name  # file stem, unique in the inbox
        self.stage = dest.parent / "stage"

    def valid(
        self, unit: str, mutate: Callable[[dict[str, Any]], None] | None = None, seed: int = 0
    ) -> tuple[bytes, dict[str, Any]]:
        """A valid filled template of `unit` (after `mutate(data)`), as bytes, and its data."""
        path, data = self.make_file(
            unit, mutate=mutate, seed=seed, folder=self.stage, name=f"{uuid.uuid4().hex}.xlsx"
        )
        return path.read_bytes(), data

    def valid_copy(self, unit: str, seed: int = 0) -> tuple[bytes, dict[str, Any]]:
        raw, data = self.valid(unit, seed=seed)
        return raw, copy.deepcopy(data)

    def put(self, data: bytes, suffix: str = ".xlsx", name: str | None = None) -> Path:
        self.dest.mkdir(parents=True, exist_ok=True)
        path = self.dest / (name or f"{self.name}{suffix}")
        path.write_bytes(data)
        return path


# ----- helpers on the bytes of a workbook ----------------------------------------------------
def zip_of(members: dict[str, bytes]) -> bytes:
    """A .zip (deflated) holding `members` (name -> bytes), in order."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def rezip(
    data: bytes,
    replace: dict[str, Callable[[bytes], bytes]] | None = None,
    add: dict[str, bytes] | None = None,
    drop: set[str] | frozenset[str] = frozenset(),
) -> bytes:
    """Copy a zip, rewriting, adding or dropping members."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename in drop:
                continue
            body = src.read(info.filename)
            if replace and info.filename in replace:
                body = replace[info.filename](body)
            out.writestr(info.filename, body)
        for name, body in (add or {}).items():
            out.writestr(name, body)
    return buf.getvalue()


def sheet_part(data: bytes, sheet: str) -> str:
    """The zip member holding `sheet` (our own, trusted, bytes)."""
    ns = {
        "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    }
    z = zipfile.ZipFile(io.BytesIO(data))
    wb = ET.fromstring(z.read("xl/workbook.xml"))
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    for s in wb.iterfind("m:sheets/m:sheet", ns):
        if s.get("name") == sheet:
            target = targets[s.get(f"{{{ns['r']}}}id")]
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    raise KeyError(sheet)


def edit_sheet_xml(data: bytes, sheet: str, fn: Callable[[bytes], bytes]) -> bytes:
    return rezip(data, {sheet_part(data, sheet): fn})


def edit_book(data: bytes, fn: Callable[[openpyxl.Workbook], None]) -> bytes:
    """Open with openpyxl, let `fn` edit, save: what a person does in a spreadsheet program."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    fn(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def set_text(ws: Any, cell: str, text: str) -> None:
    """Store `text` as text even if it starts with '=' (openpyxl would make it a formula)."""
    c = ws[cell]
    c.value = text
    c.data_type = "s"


def lie_about_size(data: bytes, part: str, declared: int) -> bytes:
    """Patch the uncompressed size of `part` in its local header and the central directory."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(part)
    buf = bytearray(data)
    off = info.header_offset
    assert buf[off : off + 4] == b"PK\x03\x04"
    struct.pack_into("<I", buf, off + 22, declared)
    name = part.encode()
    i = buf.find(b"PK\x01\x02")
    while i != -1:
        fnlen = struct.unpack_from("<H", buf, i + 28)[0]
        if bytes(buf[i + 46 : i + 46 + fnlen]) == name:
            struct.pack_into("<I", buf, i + 24, declared)
        i = buf.find(b"PK\x01\x02", i + 4)
    return bytes(buf)


def billion_laughs(levels: int = 10) -> bytes:
    """A DOCTYPE whose entity `&lol9;` expands to 10**9 'lol's."""
    ents = [b'<!ENTITY lol0 "lol">']
    for i in range(1, levels):
        ents.append(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1)) * 10))
    return b"<!DOCTYPE lolz [" + b"".join(ents) + b"]>"


def _with_doctype(body: bytes, root: bytes, padding: int = 0) -> bytes:
    """Put the billion-laughs DOCTYPE before `root` (after `padding` bytes of comment)."""
    i = body.index(root)
    head = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    pad = b"<!--" + b" " * padding + b"-->\n" if padding else b""
    return head + pad + billion_laughs() + body[i:]


def results_cell(form: Form, unit: str, data: dict[str, Any], measure: str, index: int = 0) -> str:
    """Cell of `data['results'][index][measure]` in the unit's template."""
    block = form.blocks["results"]
    rec = data["results"][index]
    if form.units_by_code[unit].region:
        cats = [c.code for c in form.categories]
        row = block.first_row + cats.index(rec["category"])
    else:
        row = block.first_row + index
    return f"{block.measure_column(measure)}{row}"


def info_cell(form: Form, key: str) -> str:
    return form.info_field(key).cell


# ----- the file itself ------------------------------------------------------------------------
def zero_byte(kit: Kit, unit: str) -> Built:
    return Built(kit.put(b""), None)


def truncated_half(kit: Kit, unit: str) -> Built:
    raw, _ = kit.valid(unit)
    return Built(kit.put(raw[: len(raw) // 2]), None)


def truncated_tail(kit: Kit, unit: str) -> Built:
    """Only the last bytes lost (an interrupted download)."""
    raw, _ = kit.valid(unit)
    return Built(kit.put(raw[:-7]), None)


def corrupt_zip(kit: Kit, unit: str) -> Built:
    """Compressed bytes of the results sheet overwritten (the directory is intact)."""
    raw, _ = kit.valid(unit)
    info = zipfile.ZipFile(io.BytesIO(raw)).getinfo(sheet_part(raw, RESULTS))
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    buf = bytearray(raw)
    for k in range(start + 40, start + 60):
        buf[k] ^= 0xA5
    return Built(kit.put(bytes(buf)), None)


def docx_renamed(kit: Kit, unit: str) -> Built:
    """A Word document (the report typed as a letter) saved with an .xlsx name."""
    buf = io.BytesIO()
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
            '"application/xml"/><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
            '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="word/document.xml"/></Relationships>',
        )
        z.writestr(
            "word/document.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{w}"><w:body><w:p><w:r>'
            f"<w:t>BÁO CÁO KẾT QUẢ NĂM {kit.form.year} - đơn vị {unit}</w:t></w:r></w:p></w:body>"
            "</w:document>",
        )
    return Built(kit.put(buf.getvalue()), None)


def pdf_file(kit: Kit, unit: str) -> Built:
    """The report printed to PDF (a minimal but well-formed PDF, written here)."""
    text = f"Bao cao nam {kit.form.year} - {unit}".encode()
    stream = b"BT /F1 12 Tf 72 720 Td (" + text + b") Tj ET"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return Built(kit.put(bytes(out), ".pdf"), None)


def _png(width: int = 24, height: int = 16) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = b"".join(b"\x00" + bytes((x * 10 + y * 5) % 256 for x in range(width)) for y in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def png_photo(kit: Kit, unit: str) -> Built:
    """A screenshot of the report."""
    return Built(kit.put(_png(), ".png"), None)


def jpeg_photo(kit: Kit, unit: str) -> Built:
    """A phone photo of the printed report (JFIF header and comment segment, no scan data)."""
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    com = f"Ảnh chụp báo cáo {unit}".encode()
    body = (
        b"\xff\xd8"
        + b"\xff\xe0"
        + struct.pack(">H", len(app0) + 2)
        + app0
        + b"\xff\xfe"
        + struct.pack(">H", len(com) + 2)
        + com
        + b"\xff\xd9"
    )
    return Built(kit.put(body, ".jpg"), None)


def jpeg_named_xlsx(kit: Kit, unit: str) -> Built:
    """A photo saved under the name the officer expected."""
    built = jpeg_photo(kit, unit)
    path = built.path.with_suffix(".xlsx")
    built.path.rename(path)
    return Built(path, None)


def plain_text(kit: Kit, unit: str) -> Built:
    return Built(kit.put("Kính gửi Sở LĐTBXH, đơn vị xin gửi báo cáo.\n".encode(), ".txt"), None)


def html_as_xls(kit: Kit, unit: str) -> Built:
    """An 'Export to Excel' from a web system: HTML with an .xls name."""
    html = "<html><body><table><tr><td>Số trẻ em</td><td>1200</td></tr></table></body></html>"
    return Built(kit.put(html.encode(), ".xls"), None)


def encrypted(kit: Kit, unit: str) -> Built:
    """Password-protected with Excel's agile encryption (an OLE2 container)."""
    raw, _ = kit.valid(unit)
    out = io.BytesIO()
    msoffcrypto.format.ooxml.OOXMLFile(io.BytesIO(raw)).encrypt("matkhau588", out)
    return Built(kit.put(out.getvalue()), None)


# ----- the template ----------------------------------------------------------------------------
def _book_edit(fn: Callable[[openpyxl.Workbook], None], counts: bool) -> Callable[[Kit, str], Built]:
    def build(kit: Kit, unit: str) -> Built:
        raw, data = kit.valid_copy(unit)
        return Built(kit.put(edit_book(raw, fn)), data if counts else None)

    build.__doc__ = fn.__doc__
    return build


def _rename_results(wb: openpyxl.Workbook) -> None:
    """'Kết quả' renamed 'Ket qua'."""
    wb[RESULTS].title = "Ket qua"


def _reorder(wb: openpyxl.Workbook) -> None:
    """'Kết quả' moved after 'Nhu cầu'."""
    wb.move_sheet(RESULTS, offset=2)


def _hide(wb: openpyxl.Workbook) -> None:
    """'Nguồn lực' hidden."""
    wb[RESOURCES].sheet_state = "hidden"


def _delete(wb: openpyxl.Workbook) -> None:
    """'Nhu cầu' deleted."""
    del wb[NEEDS]


def _delete_marker(wb: openpyxl.Workbook) -> None:
    """The hidden marker sheet deleted (the sheets copied into a new workbook)."""
    del wb[META]


def _insert_rows(wb: openpyxl.Workbook) -> None:
    """A row inserted in the fixed area of 'Kết quả'."""
    wb[RESULTS].insert_rows(10)


def _insert_info_row(wb: openpyxl.Workbook) -> None:
    """A row inserted in 'Thông tin' above 'Người lập biểu'."""
    wb[INFO].insert_rows(8)


def _merge_input(wb: openpyxl.Workbook) -> None:
    """Input cells D8:E8 of 'Kết quả' merged."""
    wb[RESULTS].merge_cells("D8:E8")


def _nfd_sheet_name(wb: openpyxl.Workbook) -> None:
    """'Kết quả' renamed to the same name in decomposed (NFD) Unicode."""
    wb[RESULTS].title = unicodedata.normalize("NFD", RESULTS)


def _nfd_sheet_name_hidden(wb: openpyxl.Workbook) -> None:
    """'Kết quả' in NFD Unicode, and hidden."""
    name = unicodedata.normalize("NFD", RESULTS)
    wb[RESULTS].title = name
    wb[name].sheet_state = "hidden"


def _old_version(wb: openpyxl.Workbook) -> None:
    """Last year's template version in the marker sheet."""
    wb[META]["B2"] = "2024.1"


sheet_renamed = _book_edit(_rename_results, counts=False)
sheet_reordered = _book_edit(_reorder, counts=True)
sheet_hidden = _book_edit(_hide, counts=True)
sheet_deleted = _book_edit(_delete, counts=False)
marker_sheet_deleted = _book_edit(_delete_marker, counts=False)
rows_inserted = _book_edit(_insert_rows, counts=False)
info_row_inserted = _book_edit(_insert_info_row, counts=False)
merged_input = _book_edit(_merge_input, counts=False)
nfd_sheet_name = _book_edit(_nfd_sheet_name, counts=True)
nfd_sheet_name_hidden = _book_edit(_nfd_sheet_name_hidden, counts=True)
old_template_version = _book_edit(_old_version, counts=False)


# ----- hostile zips and XML ---------------------------------------------------------------------
def zip_bomb(kit: Kit, unit: str) -> Built:
    """15 MB of blanks inside the results sheet: under the part limit, ratio in the thousands."""
    raw, _ = kit.valid(unit)

    def pad(body: bytes) -> bytes:
        i = body.index(b"<sheetData")
        return body[:i] + b" " * 15_000_000 + body[i:]

    return Built(kit.put(edit_sheet_xml(raw, RESULTS, pad)), None)


def _stream_part(raw: bytes, part: str, filler: bytes, count: int) -> bytes:
    """Copy `raw`, inserting `filler` * `count` before </sheetData> of `part`, streamed."""
    src = zipfile.ZipFile(io.BytesIO(raw))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename != part:
                out.writestr(info.filename, body)
                continue
            i = body.index(b"</sheetData>")
            member = zipfile.ZipInfo(part)
            member.compress_type = zipfile.ZIP_DEFLATED
            with out.open(member, "w", force_zip64=True) as w:
                w.write(body[:i])
                chunk = filler * max(1, 1_000_000 // len(filler))
                per = 1_000_000 // len(filler)
                for _ in range(count // per):
                    w.write(chunk)
                w.write(filler * (count % per))
                w.write(body[i:])
    return buf.getvalue()


def zip_bomb_huge(kit: Kit, unit: str) -> Built:
    """A results sheet that unpacks to 100 MB of blanks (streamed, never held in memory)."""
    raw, _ = kit.valid(unit)
    return Built(kit.put(_stream_part(raw, sheet_part(raw, RESULTS), b" " * 100, 1_000_000)), None)


def zip_bomb_lying_size(kit: Kit, unit: str) -> Built:
    """100 MB of rows in the instructions sheet (not a sheet we read), its headers claiming 3,000 bytes."""
    raw, _ = kit.valid(unit)
    part = sheet_part(raw, "Hướng dẫn")
    bomb = _stream_part(raw, part, b"<row><c><v>1</v></c></row>", 4_000_000)
    return Built(kit.put(lie_about_size(bomb, part, 3000)), None)


def billion_laughs_sheet(kit: Kit, unit: str) -> Built:
    raw, _ = kit.valid(unit)

    def laugh(body: bytes) -> bytes:
        return _with_doctype(body, b"<worksheet").replace(b"<t>UBND", b"<t>&lol9;UBND", 1)

    return Built(kit.put(edit_sheet_xml(raw, INFO, laugh)), None)


def billion_laughs_shared_strings(kit: Kit, unit: str) -> Built:
    """A sharedStrings part with the DOCTYPE, its one string being &lol9;, used by a cell."""
    raw, _ = kit.valid(unit)
    sst = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        b'uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    )

    def use(body: bytes) -> bytes:  # the preparer cell points at shared string 0
        cell = info_cell(kit.form, "preparer").encode()
        start = body.index(b'<c r="%s"' % cell)
        end = body.index(b"</c>", start) + 4
        return body[:start] + b'<c r="%s" t="s"><v>0</v></c>' % cell + body[end:]

    def content_types(body: bytes) -> bytes:
        override = (
            b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
            b'officedocument.spreadsheetml.sharedStrings+xml"/>'
        )
        return body.replace(b"</Types>", override + b"</Types>")

    def rels(body: bytes) -> bytes:
        rel = (
            b'<Relationship Id="rIdSst" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            b'relationships/sharedStrings" Target="sharedStrings.xml"/>'
        )
        return body.replace(b"</Relationships>", rel + b"</Relationships>")

    data = rezip(
        raw,
        {
            sheet_part(raw, INFO): use,
            "[Content_Types].xml": content_types,
            "xl/_rels/workbook.xml.rels": rels,
        },
        add={"xl/sharedStrings.xml": _with_doctype(sst, b"<sst")},
    )
    return Built(kit.put(data), None)


def billion_laughs_after_comment(kit: Kit, unit: str) -> Built:
    """The DOCTYPE behind a 4 KB comment (legal XML), so a look at the first bytes misses it."""
    raw, _ = kit.valid(unit)

    def laugh(body: bytes) -> bytes:
        return _with_doctype(body, b"<worksheet", padding=4096).replace(b"<t>UBND", b"<t>&lol9;UBND", 1)

    return Built(kit.put(edit_sheet_xml(raw, INFO, laugh)), None)


def billion_laughs_styles(kit: Kit, unit: str) -> Built:
    """The DOCTYPE in the styles part, its entity used in a number format."""
    raw, _ = kit.valid(unit)

    def laugh(body: bytes) -> bytes:
        body = _with_doctype(body, b"<styleSheet")
        return body.replace(b"<styleSheet", b"<!-- &lol9; --><styleSheet", 1).replace(
            b'formatCode="', b'formatCode="&lol9;', 1
        )

    return Built(kit.put(rezip(raw, {"xl/styles.xml": laugh})), None)


def million_rows(kit: Kit, unit: str) -> Built:
    """One cell in row 1,000,000 of 'Kết quả' (Excel's last row is 1,048,576)."""
    raw, _ = kit.valid(unit)

    def far(body: bytes) -> bytes:
        return body.replace(
            b"</sheetData>", b'<row r="1000000"><c r="D1000000"><v>1</v></c></row></sheetData>'
        )

    return Built(kit.put(edit_sheet_xml(raw, RESULTS, far)), None)


def many_rows_unnumbered(kit: Kit, unit: str) -> Built:
    """400,000 rows without r= attributes (legal: rows then follow one another)."""
    raw, _ = kit.valid(unit)
    state = 12345

    def rows(body: bytes) -> bytes:
        nonlocal state
        parts = []
        for _ in range(400_000):
            state = (state * 1103515245 + 12345) % 2**31  # varied digits: a modest ratio
            parts.append(b"<row><c><v>%d</v></c></row>" % (state % 1_000_000))
        return body.replace(b"</sheetData>", b"".join(parts) + b"</sheetData>")

    return Built(kit.put(edit_sheet_xml(raw, RESULTS, rows)), None)


def too_wide(kit: Kit, unit: str) -> Built:
    """A value in column XFD (16,384) of 'Kết quả'."""
    raw, _ = kit.valid(unit)

    def wide(body: bytes) -> bytes:
        return body.replace(b"</sheetData>", b'<row r="30"><c r="XFD30"><v>1</v></c></row></sheetData>')

    return Built(kit.put(edit_sheet_xml(raw, RESULTS, wide)), None)


def cells_without_reference(kit: Kit, unit: str) -> Built:
    """Row 1,500 of 'Kết quả' with 60,000 cells that give no r= (each takes the next column):
    18 KB on disk, 90 million cells if read."""
    raw, _ = kit.valid(unit)

    def wide(body: bytes) -> bytes:
        row = b'<row r="1500">' + b"<c><v>1</v></c>" * 60_000 + b"</row>"
        return body.replace(b"</sheetData>", row + b"</sheetData>")

    return Built(kit.put(edit_sheet_xml(raw, RESULTS, wide)), None)


# ----- cells -----------------------------------------------------------------------------------
def long_text(kit: Kit, unit: str) -> Built:
    limit = kit.form.limits.max_text_chars

    def mutate(d: dict[str, Any]) -> None:
        d["info"]["difficulties"] = ("Thiếu kinh phí. " * (limit // 8))[: limit + 500]

    raw, _ = kit.valid(unit, mutate)
    return Built(kit.put(raw), None)


def _formula_in_girls(cached: bool) -> Callable[[Kit, str], Built]:
    def build(kit: Kit, unit: str) -> Built:
        raw, data = kit.valid_copy(unit)
        cell = results_cell(kit.form, unit, data, "girls").encode()
        girls = data["results"][0]["girls"]
        value = b"<v>%d</v>" % girls if cached else b""

        def put_formula(body: bytes) -> bytes:
            start = body.index(b'<c r="%s"' % cell)
            end = body.index(b"</c>", start) + 4
            attrs = body[start : body.index(b">", start)].split(b" t=")[0]
            return body[:start] + attrs + b"><f>%d+0</f>" % girls + value + b"</c>" + body[end:]

        return Built(
            kit.put(edit_sheet_xml(raw, RESULTS, put_formula)), data if cached else None, cell.decode()
        )

    return build


formula_no_value = _formula_in_girls(cached=False)
formula_cached_value = _formula_in_girls(cached=True)


def _number_as_text(spell: Callable[[int], str]) -> Callable[[Kit, str], Built]:
    """The in-kind value of the first results row typed as text, spelt by `spell`."""

    def build(kit: Kit, unit: str) -> Built:
        counted: dict[str, Any] = {}

        def mutate(d: dict[str, Any]) -> None:
            counted.update(copy.deepcopy(d))
            d["results"][0]["in_kind"] = spell(d["results"][0]["in_kind"])

        raw, _ = kit.valid(unit, mutate)
        return Built(kit.put(raw), counted, results_cell(kit.form, unit, counted, "in_kind"))

    return build


def _vn(n: int, sep: str = ".") -> str:
    return f"{n:,}".replace(",", sep)


number_text_dots = _number_as_text(lambda n: _vn(n))
number_text_nbsp = _number_as_text(lambda n: _vn(n, "\u00a0") + "\u00a0đ")
number_text_zero_width = _number_as_text(lambda n: "\u200b" + str(n)[:2] + "\u200b" + str(n)[2:] + "\ufeff")
number_text_fullwidth = _number_as_text(lambda n: "".join(chr(0xFF10 + int(d)) for d in str(n)))


def _cell_value(
    sheet: str,
    where: Callable[[Kit, str, dict[str, Any]], str],
    value: Any,
    counts: Callable | None,
    fmt: str = "",
) -> Callable[[Kit, str], Built]:
    """Put `value` in one cell with openpyxl; `counts(data)` edits the counted figures (None: rejected)."""

    def build(kit: Kit, unit: str) -> Built:
        raw, data = kit.valid_copy(unit)
        cell = where(kit, unit, data)

        def edit(wb: openpyxl.Workbook) -> None:
            if isinstance(value, str):
                set_text(wb[sheet], cell, value)
            else:
                wb[sheet][cell] = value
            if fmt:
                wb[sheet][cell].number_format = fmt

        if counts is not None:
            counts(data)
        return Built(kit.put(edit_book(raw, edit)), data if counts is not None else None, cell)

    return build


def _girls(kit: Kit, unit: str, data: dict[str, Any]) -> str:
    return results_cell(kit.form, unit, data, "girls")


def _zero_girls(data: dict[str, Any]) -> None:
    data["results"][0]["girls"] = 0


def _report_date(kit: Kit, unit: str, data: dict[str, Any]) -> str:
    return info_cell(kit.form, "report_date")


def _set_date(day: int) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        data["info"]["report_date"] = data["info"]["report_date"].replace(day=day)

    return edit


date_as_text = _cell_value(INFO, _report_date, "20/11/2025", _set_date(20))
date_text_invalid = _cell_value(INFO, _report_date, "31/02/2025", None)
negative_zero = _cell_value(RESULTS, _girls, -0.0, _zero_girls)
negative_zero_text = _cell_value(RESULTS, _girls, "-0", _zero_girls)
percentage = _cell_value(RESULTS, _girls, 0.5, None, fmt="0%")
percentage_text = _cell_value(RESULTS, _girls, "50%", None)
boolean = _cell_value(RESULTS, _girls, True, None)
formula_text_in_number_cell = _cell_value(RESULTS, _girls, "=1+1", None)
year_mismatch = _cell_value(INFO, lambda k, u, d: info_cell(k.form, "year"), 2024, None)
unit_name_path = _cell_value(
    INFO, lambda k, u, d: info_cell(k.form, "unit_name"), "../../../tmp/x/../..", None
)
unit_code_path = _cell_value(INFO, lambda k, u, d: info_cell(k.form, "unit_code"), "../../outbox/evil", None)
# another unit's code (one no other case's file claims) typed over a district's template
unit_code_other = _cell_value(INFO, lambda k, u, d: info_cell(k.form, "unit_code"), "HLHPN", None)


def nfd_unit_name(kit: Kit, unit: str) -> Built:
    raw, data = kit.valid_copy(unit)
    name = unicodedata.normalize("NFD", kit.form.units_by_code[unit].name)

    def edit(wb: openpyxl.Workbook) -> None:
        set_text(wb[INFO], info_cell(kit.form, "unit_name"), name)
        set_text(wb[INFO], info_cell(kit.form, "preparer"), unicodedata.normalize("NFD", "Nguyễn Thị Lan"))

    return Built(kit.put(edit_book(raw, edit)), data)


def nfd_region_labels(kit: Kit, unit: str) -> Built:
    """A unit choosing region and category on each row, the choices typed in NFD."""
    form = kit.form
    assert form.units_by_code[unit].region is None, "needs a unit that chooses regions"
    regions = {r.code: r.name for r in form.regions}
    cats = {c.code: c.name for c in form.categories}
    counted: dict[str, Any] = {}

    def mutate(d: dict[str, Any]) -> None:
        counted.update(copy.deepcopy(d))
        for rec in d["results"]:
            rec["region"] = unicodedata.normalize("NFD", regions[rec["region"]])
            rec["category"] = unicodedata.normalize("NFD", cats[rec["category"]]).upper()

    raw, _ = kit.valid(unit, mutate)
    return Built(kit.put(raw), counted)


def formula_text_injection(kit: Kit, unit: str) -> Built:
    """Text fields starting with '=', '+', '-', '@' (stored as text, as Excel does for '=...)."""
    raw, data = kit.valid_copy(unit)

    def edit(wb: openpyxl.Workbook) -> None:
        for key, text in INJECTIONS.items():
            set_text(wb[INFO], info_cell(kit.form, key), text)

    return Built(kit.put(edit_book(raw, edit)), data)


# ----- names and formats -----------------------------------------------------------------------
def _renamed(name: str) -> Callable[[Kit, str], Built]:
    def build(kit: Kit, unit: str) -> Built:
        raw, data = kit.valid_copy(unit)
        return Built(kit.put(raw, name=name), data)

    return build


file_name_diacritics = _renamed(DIACRITIC_FILE_NAME)
file_name_nfd = _renamed(NFD_FILE_NAME)
file_name_formula = _renamed(FORMULA_FILE_NAME)


def xlsm(kit: Kit, unit: str) -> Built:
    """Saved as a macro-enabled workbook: .xlsm name and content type."""
    raw, data = kit.valid_copy(unit)

    def ct(body: bytes) -> bytes:
        return body.replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        )

    out = rezip(raw, {"[Content_Types].xml": ct})
    assert out != raw
    return Built(kit.put(out, ".xlsm"), data)


_CONVERTED: dict[tuple[str, int, str], bytes] = {}


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def libreoffice_convert(src: bytes, fmt: str) -> bytes:
    """Re-save `src` (xlsx bytes) with LibreOffice as `fmt` ("xls" or "ods")."""
    exe = soffice()
    if exe is None:
        raise NeedsLibreOffice("soffice")
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        (t / "in.xlsx").write_bytes(src)
        profile = (t / "profile").as_uri()
        proc = subprocess.run(
            [
                exe,
                f"-env:UserInstallation={profile}",
                "--headless",
                "--convert-to",
                fmt,
                "--outdir",
                str(t / "out"),
                str(t / "in.xlsx"),
            ],
            capture_output=True,
            text=True,
            timeout=180,
            env={**os.environ, "HOME": str(t)},
        )
        out = t / "out" / f"in.{fmt}"
        if not out.exists():
            raise RuntimeError(f"soffice failed: {proc.returncode} {proc.stdout} {proc.stderr}")
        return out.read_bytes()


def _libreoffice(fmt: str) -> Callable[[Kit, str], Built]:
    def build(kit: Kit, unit: str) -> Built:
        if soffice() is None:
            raise NeedsLibreOffice("soffice")
        raw, data = kit.valid_copy(unit)
        key = (unit, 0, fmt)
        if key not in _CONVERTED:  # the filled data are seeded, so the conversion is reusable
            _CONVERTED[key] = libreoffice_convert(raw, fmt)
        return Built(kit.put(_CONVERTED[key], f".{fmt}"), data)

    return build


legacy_xls = _libreoffice("xls")
ods = _libreoffice("ods")

LISTS = "Danh mục"  # a sheet the pipeline does not read: calamine still loads it in .ods/.xls


def ods_repeated_value(kit: Kit, unit: str) -> Built:
    """LibreOffice's .ods of a valid file, with one row added to 'Kết quả' that repeats a
    value over 90,000 rows and 1,000 columns (a few bytes; 90 million cells if expanded)."""
    raw, _ = kit.valid_copy(unit)
    converted = libreoffice_convert(raw, "ods")
    table = f'table:name="{RESULTS}"'.encode()
    bomb = (
        b'<table:table-row table:number-rows-repeated="90000"><table:table-cell '
        b'table:number-columns-repeated="1000" office:value-type="float" office:value="1"/>'
        b"</table:table-row>"
    )

    def add(body: bytes) -> bytes:
        end = body.index(b"</table:table>", body.index(table))
        return body[:end] + bomb + body[end:]

    return Built(kit.put(rezip(converted, {"content.xml": add}), ".ods"), None)


def xls_far_cell(kit: Kit, unit: str) -> Built:
    """A valid file with one value in cell IV65536 (the last .xls cell) of the unused list
    sheet, saved as .xls by LibreOffice (65,536 x 256 cells if expanded)."""
    raw, _ = kit.valid_copy(unit)

    def far(wb: openpyxl.Workbook) -> None:
        wb[LISTS].cell(row=65536, column=256, value=1)

    return Built(kit.put(libreoffice_convert(edit_book(raw, far), "xls"), ".xls"), None)


# ----- the table ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    id: str
    build: Callable[[Kit, str], Built]
    unit: str  # the unit whose template is damaged
    code: str | tuple[str, ...] | None  # the one finding expected (a tuple: any of these); None: none
    sheet: str
    cell: str
    status: str
    libreoffice: bool = False
    # parsed before any spreadsheet reader (calamine) may touch it
    before_reader: bool = False

    @property
    def codes(self) -> tuple[str, ...]:
        if self.code is None:
            return ()
        return self.code if isinstance(self.code, tuple) else (self.code,)


# Units: files that must be counted each get a unit of their own (so none supersedes another);
# files that must be rejected share units 902 and SGDDT, which no counted file uses. The two
# rejections a reader could miss (and then accept the file) get units of their own too, so
# that such a miss shows as that file's status and does not supersede the other rejected files.
# A cell "E?" is column E of the row of the first results record (it depends on the seeded data).
BAD = "902"
BAD_FREE = "SGDDT"
GOOD_UNITS = ("899", "MTTQ", "TDOAN")

CASES: list[Case] = [
    # the file itself
    Case("zero_byte", zero_byte, BAD, "FILE_EMPTY", "", "", REJECTED, before_reader=True),
    Case("truncated_half", truncated_half, BAD, "FILE_CORRUPT", "", "", REJECTED, before_reader=True),
    Case("truncated_tail", truncated_tail, BAD, "FILE_CORRUPT", "", "", REJECTED, before_reader=True),
    Case("corrupt_zip", corrupt_zip, BAD, "FILE_CORRUPT", "", "", REJECTED, before_reader=True),
    Case("docx_renamed_xlsx", docx_renamed, BAD, "FILE_NOT_REPORT", "", "", NOT_REPORT, before_reader=True),
    Case("pdf", pdf_file, BAD, "FILE_NOT_REPORT", "", "", NOT_REPORT, before_reader=True),
    Case("png_photo", png_photo, BAD, "FILE_NOT_REPORT", "", "", NOT_REPORT, before_reader=True),
    Case("jpeg_photo", jpeg_photo, BAD, "FILE_NOT_REPORT", "", "", NOT_REPORT, before_reader=True),
    Case("jpeg_named_xlsx", jpeg_named_xlsx, BAD, "FILE_NOT_REPORT", "", "", NOT_REPORT, before_reader=True),
    # a .zip or a saved .eml is opened into its entries since issue #12: tests/test_containers.py
    Case("plain_text", plain_text, BAD, "FILE_NOT_REPORT", "", "", NOT_REPORT, before_reader=True),
    Case("html_as_xls", html_as_xls, BAD, "FILE_FORMAT", "", "", REJECTED, before_reader=True),
    Case("encrypted", encrypted, BAD, "FILE_ENCRYPTED", "", "", REJECTED, before_reader=True),
    # hostile zips and XML
    Case("zip_bomb", zip_bomb, BAD, "FILE_UNSAFE", "", "", REJECTED, before_reader=True),
    Case("zip_bomb_huge", zip_bomb_huge, BAD, "FILE_TOO_LARGE", "", "", REJECTED, before_reader=True),
    Case(
        "zip_bomb_lying_size",
        zip_bomb_lying_size,
        "HLHPN",
        ("FILE_UNSAFE", "FILE_CORRUPT"),
        "",
        "",
        REJECTED,
        before_reader=True,
    ),
    Case(
        "billion_laughs_sheet", billion_laughs_sheet, BAD, "FILE_UNSAFE", "", "", REJECTED, before_reader=True
    ),
    Case(
        "billion_laughs_shared_strings",
        billion_laughs_shared_strings,
        BAD,
        "FILE_UNSAFE",
        "",
        "",
        REJECTED,
        before_reader=True,
    ),
    Case(
        "billion_laughs_after_comment",
        billion_laughs_after_comment,
        BAD,
        "FILE_UNSAFE",
        "",
        "",
        REJECTED,
        before_reader=True,
    ),
    Case(
        "billion_laughs_styles",
        billion_laughs_styles,
        "LHTCHN",
        "FILE_UNSAFE",
        "",
        "",
        REJECTED,
        before_reader=True,
    ),
    Case("million_rows", million_rows, BAD, "FILE_TOO_LARGE", RESULTS, "", REJECTED, before_reader=True),
    Case(
        "many_rows_unnumbered",
        many_rows_unnumbered,
        BAD,
        "FILE_TOO_LARGE",
        RESULTS,
        "",
        REJECTED,
        before_reader=True,
    ),
    Case("too_wide", too_wide, BAD, "FILE_TOO_LARGE", RESULTS, "", REJECTED, before_reader=True),
    Case(
        "cells_without_reference",
        cells_without_reference,
        BAD,
        "FILE_TOO_LARGE",
        RESULTS,
        "",
        REJECTED,
        before_reader=True,
    ),
    # the template
    Case("sheet_renamed", sheet_renamed, BAD, "SHEET_MISSING", RESULTS, "", REJECTED),
    Case("sheet_deleted", sheet_deleted, BAD, "SHEET_MISSING", NEEDS, "", REJECTED),
    Case("marker_sheet_deleted", marker_sheet_deleted, BAD, "TEMPLATE_UNKNOWN", "", "", REJECTED),
    Case("old_template_version", old_template_version, BAD, "TEMPLATE_OLD", META, "B2", REJECTED),
    Case("sheet_reordered", sheet_reordered, "900", "SHEET_ORDER", "", "", WARNED),
    Case("sheet_hidden", sheet_hidden, "903", "SHEET_HIDDEN", RESOURCES, "", WARNED),
    Case("rows_inserted", rows_inserted, BAD, "LAYOUT_CHANGED", RESULTS, "A15", REJECTED),
    Case("rows_inserted_free_rows", rows_inserted, BAD_FREE, "LAYOUT_CHANGED", RESULTS, "A48", REJECTED),
    Case("info_row_inserted", info_row_inserted, BAD, "LAYOUT_CHANGED", INFO, "B8", REJECTED),
    Case("merged_input", merged_input, BAD, "MERGED_INPUT", RESULTS, "D8", REJECTED),
    Case("nfd_sheet_name", nfd_sheet_name, "912", None, "", "", ACCEPTED),
    Case("nfd_sheet_name_hidden", nfd_sheet_name_hidden, "STTTT", "SHEET_HIDDEN", RESULTS, "", WARNED),
    # cells
    Case("long_text", long_text, BAD, "TEXT_TOO_LONG", INFO, "C12", REJECTED),
    Case("formula_no_value", formula_no_value, BAD, "FORMULA_NO_VALUE", RESULTS, "E?", REJECTED),
    Case("formula_cached_value", formula_cached_value, "904", None, "", "", ACCEPTED),
    Case("number_text_dots", number_text_dots, "905", "NUMBER_FROM_TEXT", RESULTS, "I?", WARNED),
    Case("number_text_nbsp", number_text_nbsp, "906", "NUMBER_FROM_TEXT", RESULTS, "I?", WARNED),
    Case("number_text_zero_width", number_text_zero_width, "907", "NUMBER_FROM_TEXT", RESULTS, "I?", WARNED),
    Case("number_text_fullwidth", number_text_fullwidth, "908", "NUMBER_FROM_TEXT", RESULTS, "I?", WARNED),
    Case("date_as_text", date_as_text, "909", None, "", "", ACCEPTED),
    Case("date_text_invalid", date_text_invalid, BAD, "DATE_INVALID", INFO, "C10", REJECTED),
    Case("negative_zero", negative_zero, "910", None, "", "", ACCEPTED),
    Case("negative_zero_text", negative_zero_text, "SKHDT", "NUMBER_FROM_TEXT", RESULTS, "E8", WARNED),
    # 0.5 under "0%" shows "50%": told as a percentage, not a fraction (brk13)
    Case("percentage", percentage, BAD, "NUMBER_INVALID", RESULTS, "E?", REJECTED),
    Case("percentage_text", percentage_text, BAD, "NUMBER_INVALID", RESULTS, "E?", REJECTED),
    Case("boolean", boolean, BAD, "NUMBER_INVALID", RESULTS, "E?", REJECTED),
    Case(
        "formula_text_in_number_cell",
        formula_text_in_number_cell,
        BAD_FREE,
        "NUMBER_INVALID",
        RESULTS,
        "E8",
        REJECTED,
    ),
    Case("year_mismatch", year_mismatch, BAD, "YEAR_MISMATCH", INFO, "C7", REJECTED),
    Case("nfd_unit_name", nfd_unit_name, "911", None, "", "", ACCEPTED),
    Case("nfd_region_labels", nfd_region_labels, "SYT", None, "", "", ACCEPTED),
    Case("formula_text_injection", formula_text_injection, "BDT", None, "", "", ACCEPTED),
    Case("unit_name_path", unit_name_path, BAD, "UNIT_MISMATCH", INFO, "C6", REJECTED),
    Case("unit_code_path", unit_code_path, BAD, "UNIT_UNKNOWN", INFO, "C5", REJECTED),
    Case("unit_code_other", unit_code_other, BAD, "UNIT_CODE_CHANGED", INFO, "C5", REJECTED),
    # names and formats
    Case("file_name_diacritics", file_name_diacritics, "913", None, "", "", ACCEPTED),
    Case("file_name_nfd", file_name_nfd, "SLDTBXH", None, "", "", ACCEPTED),
    Case("file_name_formula", file_name_formula, "STC", None, "", "", ACCEPTED),
    Case("xlsm", xlsm, "SVHTT", None, "", "", ACCEPTED),
    Case("legacy_xls", legacy_xls, "914", None, "", "", ACCEPTED, libreoffice=True),
    Case("ods", ods, "HCTD", None, "", "", ACCEPTED, libreoffice=True),
    Case(
        "ods_repeated_value",
        ods_repeated_value,
        BAD,
        "FILE_TOO_LARGE",
        RESULTS,
        "",
        REJECTED,
        before_reader=True,
        libreoffice=True,
    ),
    Case(
        "xls_far_cell",
        xls_far_cell,
        BAD,
        "FILE_TOO_LARGE",
        LISTS,
        "",
        REJECTED,
        before_reader=True,
        libreoffice=True,
    ),
]


def build_case(case: Case, make_file: Callable[..., Any], form: Form, dest: Path) -> Built:
    return case.build(Kit(make_file, form, dest, case.id), case.unit)
