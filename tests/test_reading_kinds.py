"""Issue #25: files of every kind the inbox may hold, from any writer, read or refused by name.

Inputs are templates filled by the project's filler, then saved by the real writers
(LibreOffice, Gnumeric's ssconvert, SheetJS) or rewritten byte by byte the way other
writers spell them (namespace prefixes, part names in other case, relocated parts). Each
case asserts the outcome: the figures of the source, or a refusal that names the format and
says what to do, attributed to the unit.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.comments import Comment

from pipeline.app import consolidate_into
from pipeline.form import load_form
from pipeline.intake.kinds.catalogue import FLAT_ODS, GNUMERIC, GOOGLE_SHEET, OLD_EXCEL
from pipeline.intake.kinds.filekind import CONTENT_TYPES
from pipeline.read.extract import wanted_sheets
from pipeline.read.formats.registry import EXCEL_95
from pipeline.read.parse import parse_path
from pipeline.read.reader import check_before_reading
from pipeline.run.result import FileStatus, UnitStatus
from tests import lo

FORM = load_form()
RES = FORM.blocks["results"]
UNIT = FORM.units_by_code["899"]
NOTE = "Số liệu tạm tính, sẽ báo bổ sung"


def _figures(path: Path) -> tuple[list[str], dict[str, Any], Any]:
    p = parse_path(path, 1, FORM)
    rows = {b: [(r.row, r.key, r.measures) for r in recs] for b, recs in p.rows.items()}
    return [f"{f.code} {f.sheet}!{f.cell}" for f in p.findings], rows, p.info_row


def _rezip(src: Path, out: Path, change: Any = lambda name, data: data, rename: Any = lambda n: n) -> Path:
    """`src`'s members written again to `out`, each through `change(name, data)`, renamed."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info))
            kind = zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
            zout.writestr(zipfile.ZipInfo(rename(info.filename), info.date_time), data, compress_type=kind)
    return out


def _refusal(path: Path) -> list[tuple[str, str]]:
    """(code, message after the place it names) of each finding of a file."""
    return [(f.code, f.message.split(": ", 1)[1]) for f in parse_path(path, 0, FORM).findings]


def _cell(measure: str, index: int) -> str:
    return f"{RES.measure_column(measure)}{FORM.rows_for(RES, UNIT)[index].row}"


# ----- every merged range over input cells is reported, not the first only -----------------
def test_every_merged_input_range_is_reported(make_file) -> None:
    src, _ = make_file("899")
    first, second = _cell("girls", 0), _cell("girls", 2)
    wb = openpyxl.load_workbook(src)
    ws = wb[RES.sheet]
    ranges = []
    for cell in (first, second):
        right = openpyxl.utils.get_column_letter(ws[cell].column + 1) + str(ws[cell].row)
        ws.merge_cells(f"{cell}:{right}")
        ranges.append(f"{cell}:{right}")
    wb.save(src)
    found = [f for f in parse_path(src, 0, FORM).findings if f.code == "MERGED_INPUT"]
    assert [f.cell for f in found] == [first, second]
    assert [r in f.message for f, r in zip(found, ranges, strict=True)] == [True, True]


# ----- .ods with other namespace prefixes: calamine finds no sheet, our reader reads it ------
def _ods_prefixes(name: str, data: bytes) -> bytes:
    """OpenDocument XML with the table/office/text namespaces bound to other prefixes (the
    names are the writer's choice: XML Namespaces 1.0 §3)."""
    if not name.endswith(".xml"):
        return data
    text = data.decode("utf-8")
    for old, new in (("table", "tbl"), ("office", "ofc"), ("text", "txt")):
        text = re.sub(rf"(?<=[<\s/]){old}:", f"{new}:", text).replace(f"xmlns:{old}=", f"xmlns:{new}=")
    return text.encode("utf-8")


@pytest.mark.libreoffice
def test_ods_with_other_namespace_prefixes_reads_as_libreoffice_wrote_it(make_file, tmp_path: Path) -> None:
    src, _ = make_file("899", seed=5)
    wb = openpyxl.load_workbook(src)
    wb[RES.sheet][_cell("girls", 1)] = "=1/0"
    wb.save(src)
    ods = lo.convert(src, tmp_path / "lo", "ods")
    prefixed = _rezip(ods, tmp_path / "prefixed.ods", _ods_prefixes)
    assert b"<tbl:table " in zipfile.ZipFile(prefixed).read("content.xml")
    want = _figures(ods)
    assert f"NUMBER_INVALID {RES.sheet}!{_cell('girls', 1)}" in want[0]
    assert sum(len(r) for r in want[1].values()) > 0
    assert _figures(prefixed) == want


# ----- .xlsx whose parts are named in other case, or stored elsewhere ---------------------------
def _upper(name: str) -> str:
    return name if name == CONTENT_TYPES else name.upper()


def _relocated(src: Path, out: Path, moved: dict[str, str] | None = None, targets: bytes = b"") -> Path:
    """`src` with its members renamed by `moved` (a name, or a folder ending in "/", ->
    its new name; default: the workbook part to xl/book.xml), the package's relationships
    and content types saying so, and `targets` put before every target of the workbook's
    relationships (ECMA-376 Part 2 §9.3: any part name will do)."""
    moved = moved or {"xl/workbook.xml": "xl/book.xml"}
    wb_rels = "xl/_rels/workbook.xml.rels"
    if "xl/workbook.xml" in moved:  # the workbook's relationships part goes with it
        folder, name = (
            moved["xl/workbook.xml"].rsplit("/", 1)
            if "/" in moved["xl/workbook.xml"]
            else ("", moved["xl/workbook.xml"])
        )
        moved = {**moved, wb_rels: f"{folder}/_rels/{name}.rels".lstrip("/")}

    def rename(name: str) -> str:
        for old, new in moved.items():
            if name == old or (old.endswith("/") and name.startswith(old)):
                return new + name[len(old) :]
        return name

    def change(name: str, data: bytes) -> bytes:
        if name in ("_rels/.rels", CONTENT_TYPES):
            target = rename("xl/workbook.xml")
            data = data.replace(b"/xl/workbook.xml", b"/" + target.encode())
            return data.replace(b'"xl/workbook.xml', b'"' + target.encode())
        if name == wb_rels and targets:
            return re.sub(rb'Target="/?(?:xl/)?', b'Target="' + targets, data)
        return data

    return _rezip(src, out, change, rename)


# The same report stored as other writers (.NET and Java libraries) place its parts
RELOCATIONS = {
    # every part of xl/ at the root of the package
    "root": ({"xl/": ""}, b""),
    # the workbook named in other case (part names are case-insensitive)
    "case": ({"xl/workbook.xml": "xl/Workbook.xml"}, b""),
    # the workbook under another name, in its usual folder
    "name": ({"xl/workbook.xml": "xl/book.xml"}, b""),
    # the workbook at the root, the sheets, styles and shared strings left in xl/
    "root-workbook": ({"xl/workbook.xml": "workbook.xml"}, b"xl/"),
    # the workbook in a folder of its own, its targets reaching back with ..
    "other-folder": ({"xl/workbook.xml": "main/workbook.xml"}, b"../xl/"),
}


@pytest.mark.libreoffice
@pytest.mark.parametrize("where", list(RELOCATIONS))
def test_xlsx_with_its_parts_stored_elsewhere_reads_as_its_source(where, make_file, tmp_path: Path) -> None:
    """Found through the relationships, as Excel finds them: the figures, the dates (styles
    part), the names (shared strings part) and the unit's comments are those of the source."""
    filled, _ = make_file("899", seed=3)
    wb = openpyxl.load_workbook(filled)
    wb[RES.sheet][_cell("girls", 0)].comment = Comment(NOTE, "Nguyễn Văn A")
    wb.save(filled)
    src = lo.convert(filled, tmp_path / "lo", "xlsx")  # shared strings, styles, comments parts
    names = zipfile.ZipFile(src).namelist()
    assert {"xl/sharedStrings.xml", "xl/styles.xml"} <= set(names)
    assert any(n.startswith("xl/comments") for n in names)
    moved = _relocated(src, tmp_path / "899.xlsx", *RELOCATIONS[where])
    assert "xl/workbook.xml" not in zipfile.ZipFile(moved).namelist()
    want = _figures(src)
    assert want[0] == [] and sum(len(r) for r in want[1].values()) > 0
    assert isinstance(want[2]["report_date"], dt.date)
    assert _figures(moved) == want
    assert parse_path(moved, 1, FORM).comments == {(RES.sheet, _cell("girls", 0)): NOTE}


def test_only_a_package_stored_elsewhere_is_given_again_to_the_value_reader(
    make_file, tmp_path: Path
) -> None:
    """The usual package is read with its parts where they are (the parts its facts inflated
    stored, so that they are not inflated again: tests/test_perf4_stored.py)."""
    src, _ = make_file("899")
    moved = _relocated(src, tmp_path / "moved.xlsx", *RELOCATIONS["root-workbook"])
    wanted = wanted_sheets(FORM)
    usual = check_before_reading(src.read_bytes(), src.name, wanted, FORM.limits)[0]
    with zipfile.ZipFile(io.BytesIO(usual)) as given_zf, zipfile.ZipFile(src) as source:
        assert [(i.filename, given_zf.read(i)) for i in given_zf.infolist()] == [
            (i.filename, source.read(i)) for i in source.infolist()
        ]
    given = check_before_reading(moved.read_bytes(), moved.name, wanted, FORM.limits)[0]
    with zipfile.ZipFile(io.BytesIO(given)) as zf:
        assert {"_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"} <= set(zf.namelist())
        assert zf.read("xl/workbook.xml") == zipfile.ZipFile(moved).read("workbook.xml")


@pytest.mark.libreoffice
def test_a_dtd_in_a_shared_strings_part_stored_elsewhere_is_refused(make_file, tmp_path: Path) -> None:
    """The value reader parses the shared strings wherever the relationships put them: so
    does the DTD check."""
    src = lo.convert(make_file("899")[0], tmp_path / "lo", "xlsx")
    hostile = b'<!DOCTYPE sst [<!ENTITY e "x">]>'

    def change(name: str, data: bytes) -> bytes:
        return hostile + data if name == "sharedStrings.xml" else data

    moved = _relocated(src, tmp_path / "moved.xlsx", *RELOCATIONS["root"])
    out = _rezip(moved, tmp_path / "899.xlsx", change)
    assert [code for code, _ in _refusal(out)] == ["FILE_UNSAFE"]


def test_xlsx_with_uppercase_part_names_reads_as_its_source(make_file, tmp_path: Path) -> None:
    """Figures and the unit's comments alike (part names are case-insensitive, ECMA-376
    Part 2 §9.1.1.1)."""
    src, _ = make_file("899", seed=7)
    wb = openpyxl.load_workbook(src)
    wb[RES.sheet][_cell("girls", 1)].comment = Comment(NOTE, "Nguyễn Văn A")
    wb.save(src)
    upper = _rezip(src, tmp_path / "899.xlsx", rename=_upper)
    names = zipfile.ZipFile(upper).namelist()
    assert "XL/WORKBOOK.XML" in names and any(n.startswith("XL/COMMENTS") for n in names)
    want = _figures(src)
    assert want[0] == [] and sum(len(r) for r in want[1].values()) > 0
    assert _figures(upper) == want
    assert parse_path(upper, 1, FORM).comments == {(RES.sheet, _cell("girls", 1)): NOTE}


def test_a_dtd_in_a_part_named_in_other_case_is_refused(make_file, tmp_path: Path) -> None:
    """The value reader finds XL/STYLES.XML whatever its case: so does the DTD check."""
    src, _ = make_file("899")
    hostile = b'<!DOCTYPE styleSheet [<!ENTITY e "x">]>' + zipfile.ZipFile(src).read("xl/styles.xml")
    out = _rezip(src, tmp_path / "899.xlsx", lambda n, d: hostile if n == "xl/styles.xml" else d, _upper)
    assert b"<!DOCTYPE" in zipfile.ZipFile(out).read("XL/STYLES.XML")
    assert [code for code, _ in _refusal(out)] == ["FILE_UNSAFE"]


def test_two_parts_named_alike_but_for_case_are_refused(make_file, tmp_path: Path) -> None:
    """A hostile XL/STYLES.XML beside the clean xl/styles.xml: the value reader may take
    either, so the package is refused (equivalent part names, ECMA-376 Part 2 §9.1.1.1.2)."""
    src, _ = make_file("899")
    out = shutil.copy(src, tmp_path / "899.xlsx")
    with zipfile.ZipFile(out, "a") as zf:
        zf.writestr("XL/STYLES.XML", b'<!DOCTYPE s [<!ENTITY e "x">]>' + zf.read("xl/styles.xml"))
    assert [code for code, _ in _refusal(out)] == ["FILE_CORRUPT"]


def test_a_file_with_a_mark_of_a_refused_format_is_refused_by_it_whatever_its_name(tmp_path: Path) -> None:
    """Known by the bytes, not the name: a .fods renamed .xlsx, a gzipped Gnumeric named .xls."""
    import gzip

    flat = tmp_path / "899.xlsx"
    flat.write_bytes(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<office:document xmlns:office="urn:oasis:names:tc:'
        b'opendocument:xmlns:office:1.0" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">'
    )
    gnm = tmp_path / "899.xls"
    gnm.write_bytes(
        gzip.compress(b'<?xml version="1.0"?>\n<gnm:Workbook xmlns:gnm="http://www.gnumeric.org/v10.dtd">')
    )
    assert _refusal(flat) == [("FILE_FORMAT", FLAT_ODS)]
    assert _refusal(gnm) == [("FILE_FORMAT", GNUMERIC)]


# ----- real writers of formats no reader here reads: refused by name, the unit told why ---------
def _tool(name: str, package: str) -> str:
    return lo.require(name, shutil.which(name), package)


def _ssconvert(src: Path, out: Path, exporter: str = "") -> Path:
    tool = _tool("ssconvert", "gnumeric")
    args = ["-T", exporter] if exporter else []
    subprocess.run([tool, *args, src, out], check=True, capture_output=True, timeout=120)
    return out


@pytest.mark.libreoffice
def test_formats_no_reader_reads_reject_their_unit_with_the_reason(make_file, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    src = tmp_path / "src"
    made = {
        code: make_file(code, folder=src)[0] for code in ("899", "900", "902", "903", "905", "906", "907")
    }
    fods = lo.convert(made["899"], tmp_path / "lo", "fods")
    shutil.move(fods, inbox / "899-bao-cao.fods")
    _ssconvert(made["900"], inbox / "900-bao-cao.gnumeric")
    lo.sheetjs_convert(made["902"], inbox / "902-bao-cao.xls", "biff2")
    _relocated(made["903"], inbox / "903-bao-cao.xlsx")
    # Excel 5.0/95 files named without their unit's code: the template's hidden sheet says it
    lo.sheetjs_convert(made["905"], inbox / "bao-cao-excel-95.xls", "biff5")
    _ssconvert(made["906"], inbox / "Báo cáo (2).xls", "Gnumeric_Excel:excel_biff7")
    _rezip(made["907"], inbox / "907-bao-cao.xlsx", rename=_upper)
    # Google Drive for desktop's shortcut to a Google Sheets copy (brk13): its JSON, no figures
    (inbox / "904-bao-cao.gsheet").write_text(
        '{"":"WARNING! DO NOT EDIT THIS FILE! ANY CHANGES MADE WILL BE LOST!",'
        '"doc_id":"1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789","resource_key":"","email":"xa@example.gov.vn"}',
        encoding="utf-8",
    )
    assert (inbox / "902-bao-cao.xls").read_bytes()[:2] == b"\x09\x00"  # BIFF2: no compound file
    report = consolidate_into(FORM, inbox, tmp_path / "out", show_progress=False)
    units = {u.code: u for u in report.units}
    lost = EXCEL_95.split("{sheets}")[0]
    said = {
        "899": FLAT_ODS,
        "900": GNUMERIC,
        "902": OLD_EXCEL,
        "904": GOOGLE_SHEET,
        "905": lost,
        "906": lost,
    }
    for code, reason in said.items():
        unit = units[code]
        assert unit.status == UnitStatus.REJECTED, code
        (rec,) = unit.files
        assert rec.status == FileStatus.REJECTED, code
        assert [f.code for f in rec.parsed.findings] == ["FILE_FORMAT"], code
        assert reason in rec.parsed.findings[0].message, code
        assert all(f.unit == code for f in rec.parsed.findings), code
        assert rec.note == (
            "" if code in ("905", "906") else "Không đọc được tệp; đơn vị xác định theo tên tệp"
        )
    assert units["903"].status == units["907"].status == UnitStatus.ACCEPTED
