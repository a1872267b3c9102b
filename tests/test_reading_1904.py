"""Workbooks of the 1904 date system (Excel for Mac's option), as other writers save them.

An ISO 8601 date (a cell of type d, as SheetJS writes with `cellDates`) is the same day in
either date system; a number shown as a date is told, in the message, as the number the
cell holds, counted from the workbook's own day zero. Files written by SheetJS under Node
from a report filled by the project's own code; python-calamine is the oracle of how the
workbook's flag is spelled.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import python_calamine

from pipeline.form import load_form
from pipeline.read.formats.xlsb import date1904, xlsb_records
from pipeline.read.formats.xlsx import counts_from_1904
from pipeline.read.parse import parse_path
from tests import lo

FORM = load_form()
RES = FORM.blocks["results"]
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def _book(flag: str) -> bytes:
    """A one-cell .xlsx (45000 under format 14, a date) whose workbookPr carries `flag`."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.worksheet+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            f'<?xml version="1.0"?><Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
            f'Type="{_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0"?><workbook xmlns="{_MAIN}" xmlns:r="{_RELS}"><workbookPr {flag}/>'
            '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0"?><Relationships xmlns="{_PKG}">'
            f'<Relationship Id="rId1" Type="{_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_RELS}/styles" Target="styles.xml"/></Relationships>',
        )
        z.writestr(
            "xl/styles.xml",
            f'<?xml version="1.0"?><styleSheet xmlns="{_MAIN}"><cellXfs count="2"><xf numFmtId="0"/>'
            '<xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>',
        )
        z.writestr(
            "xl/worksheets/sheet1.xml",
            f'<?xml version="1.0"?><worksheet xmlns="{_MAIN}"><sheetData><row r="1">'
            '<c r="A1" s="1"><v>45000</v></c></row></sheetData></worksheet>',
        )
    return out.getvalue()


@pytest.mark.parametrize(
    "flag",
    [
        "",
        'date1904="1"',
        'date1904="true"',
        "date1904='1'",
        'date1904="0"',
        'date1904="false"',
        'date1904=" true"',
        'date1904="True"',
        'date1904="on"',
        'codeName="x" date1904="1"',
    ],
)
def test_the_flag_is_read_as_the_value_reader_reads_it(flag: str) -> None:
    """`counts_from_1904` says 1904 exactly when python-calamine counts the numbers so (its
    offset is what an ISO date must not get twice)."""
    data = _book(flag)
    wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    day = wb.get_sheet_by_name("S").to_python()[0][0]
    calamine_1904 = day.year == 2027  # 45000 is 2023-03-15 from 1900, 2027-03-16 from 1904
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert counts_from_1904(z.read("xl/workbook.xml")) == calamine_1904


def _sheetjs(src: Path, out: Path, cell_dates: bool, date_cell: str = "") -> Path:
    """`src` made a 1904-system workbook by SheetJS (its WBProps.date1904) and saved as
    `out` (.xlsx, .xlsb or .xls by its suffix), with `cellDates` as given; `date_cell` of
    the results sheet given a date format (dd/mm/yyyy)."""
    node = lo.require("node", shutil.which("node"), "nodejs")
    folder = os.environ.get("SHEETJS_DIR", "")
    found = folder if (Path(folder) / "node_modules" / "xlsx").is_dir() else None
    lo.require("SheetJS ($SHEETJS_DIR/node_modules/xlsx)", found, "npm install xlsx (outside the repo)")
    book_type = {".xlsx": "xlsx", ".xlsb": "xlsb", ".xls": "biff8"}[out.suffix]
    script = (
        "const X = require(process.argv[1] + '/node_modules/xlsx');"
        "const [src, out, dates, type, sheet, cell] = process.argv.slice(2);"
        "const wb = X.readFile(src, {cellDates: true, cellNF: true, cellStyles: true});"
        "wb.Workbook = wb.Workbook || {};"
        "wb.Workbook.WBProps = Object.assign(wb.Workbook.WBProps || {}, {date1904: true});"
        "if (cell) wb.Sheets[sheet][cell].z = 'dd/mm/yyyy';"
        "X.writeFile(wb, out, {bookType: type, cellDates: dates === '1', cellStyles: true});"
    )
    args = [node, "-e", script, folder, src, out, "1" if cell_dates else "0", book_type, RES.sheet, date_cell]
    subprocess.run(args, check=True, timeout=60)
    if out.suffix == ".xlsb":
        _flag_1904_xlsb(out)
    return out


def _flag_1904_xlsb(path: Path) -> None:
    """Set f1904 in the .xlsb's BrtWbProp ([MS-XLSB] 2.4.820, bit 0 of its flags), which
    SheetJS does not write, as Excel for Mac saves a workbook of the 1904 date system."""
    with zipfile.ZipFile(path) as z:
        members = {info: z.read(info) for info in z.infolist()}
    for info, data in members.items():
        if info.filename == "xl/workbook.bin":
            at = next(at for kind, at, size in xlsb_records(data) if kind == 153 and size >= 4)
            members[info] = data[:at] + bytes([data[at] | 1]) + data[at + 1 :]
            assert date1904(members[info])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in members.items():
            z.writestr(info, data)


def test_an_iso_date_in_a_1904_workbook_is_its_own_day(make_file, tmp_path: Path) -> None:
    """SheetJS with `cellDates` writes the report date as t="d" under date1904: read as the
    day it names (before: four years and a day later, and the unit told it was after today)."""
    src, _ = make_file("899")
    out = _sheetjs(src, tmp_path / "899-1904.xlsx", cell_dates=True)
    with zipfile.ZipFile(out) as z:
        assert counts_from_1904(z.read("xl/workbook.xml"))
        sheets = b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert b't="d"' in sheets, "SheetJS wrote no ISO date"
    want = parse_path(src, 1, FORM)
    got = parse_path(out, 1, FORM)
    assert want.info_row is not None and got.info_row is not None
    assert got.info_row == want.info_row
    assert [f.code for f in got.findings] == [f.code for f in want.findings]


@pytest.mark.parametrize("suffix", [".xlsx", ".xlsb", ".xls", ".ods"])
def test_a_number_shown_as_a_date_is_told_as_the_cell_holds_it(
    make_file, tmp_path: Path, suffix: str
) -> None:
    """A count under a date format in a 1904 workbook: the message gives the number the cell
    holds (what the unit sees once the format is Số), not the days from 1899-12-30. The .ods
    is LibreOffice's save of the .xlsx: a date cell, with table:null-date 1904-01-01."""
    src, _ = make_file("899")
    first = FORM.rows_for(RES, FORM.units_by_code["899"])[0].row
    cell = f"{RES.measure_column('children')}{first}"
    children = next(
        r.measures["children"] for r in parse_path(src, 1, FORM).rows["results"] if r.row == first
    )
    assert children and children > 60  # a day of 1900 and of 1904 alike, told apart by the count
    made = tmp_path / f"899-1904{'.xlsx' if suffix == '.ods' else suffix}"
    out = _sheetjs(src, made, cell_dates=False, date_cell=cell)
    if suffix == ".ods":
        out = lo.convert(out, tmp_path / "ods", "ods", recalc=False)
        with zipfile.ZipFile(out) as z:
            assert b'table:null-date table:date-value="1904-01-01"' in z.read("content.xml")
    found = [f for f in parse_path(out, 1, FORM).findings if f.cell == cell]
    assert [f.code for f in found] == ["NUMBER_INVALID"]
    assert f"(số trong ô là {children:,})".replace(",", ".") in found[0].message


@pytest.mark.parametrize("suffix", [".xlsx", ".xlsb", ".xls"])
def test_a_report_date_held_as_a_plain_number_counts_from_the_workbooks_day_zero(
    make_file, tmp_path: Path, suffix: str
) -> None:
    """brk41 F3: a 1904 workbook whose report date lost its date format (a plain number,
    General) was read counting from 1899-12-30: 20/11/2025 became 19/11/2021, and the unit
    was judged by it. The number counts from the workbook's own day zero, 1904-01-01."""
    import datetime as dt

    import openpyxl
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    src, _ = make_file("899")
    want = parse_path(src, 1, FORM)
    assert want.info_row is not None
    day = want.info_row["report_date"]
    cell = FORM.info_field("report_date").cell
    wb = openpyxl.load_workbook(src)
    wb.epoch = CALENDAR_MAC_1904
    ws = wb[FORM.sheets["info"]]
    ws[cell].value = (day - dt.date(1904, 1, 1)).days
    ws[cell].number_format = "General"
    plain = tmp_path / "899-1904-general.xlsx"
    wb.save(plain)
    with zipfile.ZipFile(plain) as z:
        assert counts_from_1904(z.read("xl/workbook.xml"))
    out = (
        plain
        if suffix == ".xlsx"
        else _sheetjs(plain, tmp_path / f"899-1904-general{suffix}", cell_dates=False)
    )
    got = parse_path(out, 1, FORM)
    assert got.info_row is not None and got.info_row["report_date"] == day
