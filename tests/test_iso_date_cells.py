"""Issue #25: a cell of type d (an ISO 8601 date, as SheetJS writes with cellDates) read as
LibreOffice reads it.

LibreOffice takes the date to the number of days since 1899-12-30 (a time zone to UTC) and
shows that number under the cell's own format: a date under a date format, which the program
refuses with the same finding as a number typed under a date format in any file; the number
under a number format (361 for 1900-12-26), which the program reads. The files are a unit's
filled template with one count cell rewritten; LibreOffice's CSV of the same cells is the
judge.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from pipeline.form import load_form
from pipeline.read.formats.xlsx import iso_serial
from pipeline.read.parse import parse_path
from tests import lo

FORM = load_form()
SHEET = FORM.sheets["results"]
_CSV = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,{sheet}"


def _with_date_cell(src: Path, out: Path, cell: str, iso: str, date_format: bool) -> Path:
    """`src` with `cell` of the results sheet a cell of type d holding `iso`; under the
    built-in date format 14 (a new cell format) when `date_format`, else its own format."""
    with zipfile.ZipFile(src) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    index = openpyxl.load_workbook(src, read_only=True).sheetnames.index(SHEET)
    part = f"xl/worksheets/sheet{index + 1}.xml"
    sheet = parts[part].decode()
    style = ""
    if date_format:
        styles = parts["xl/styles.xml"].decode()
        count = int(re.search(r'<cellXfs count="(\d+)"', styles).group(1))  # type: ignore[union-attr]
        styles = styles.replace(
            "</cellXfs>",
            '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>',
        )
        styles = styles.replace(f'<cellXfs count="{count}"', f'<cellXfs count="{count + 1}"')
        parts["xl/styles.xml"] = styles.encode()
        style = f' s="{count}"'
    sheet, n = re.subn(
        rf'<c r="{cell}"( s="(\d+)")?( t="n")?><v>[^<]*</v>',
        lambda m: f'<c r="{cell}"{style or m.group(1) or ""} t="d"><v>{iso}</v>',
        sheet,
    )
    assert n == 1
    parts[part] = sheet.encode()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return out


def _lo_cell(src: Path, cell: str, out: Path) -> str:
    """The cell of the results sheet as LibreOffice shows it."""
    lo.require_soffice()
    index = openpyxl.load_workbook(src, read_only=True).sheetnames.index(SHEET)
    out.mkdir(parents=True, exist_ok=True)
    with lo.profile() as prof:
        lo.run_office(["--convert-to", _CSV.format(sheet=index + 1), "--outdir", str(out), str(src)], prof)
    (written,) = out.glob(f"{src.stem}*.csv")
    rows = list(csv.reader(written.read_text(encoding="utf-8").splitlines()))
    col, row = re.fullmatch(r"([A-Z]+)(\d+)", cell).groups()  # type: ignore[union-attr]
    return rows[int(row) - 1][openpyxl.utils.column_index_from_string(col) - 1]


def _findings(path: Path) -> list[tuple[str, str, str]]:
    return [(f.code, f.cell, f.message) for f in parse_path(path, 1, FORM).findings]


@pytest.mark.parametrize(
    ("iso", "serial"),
    [
        ("1900-12-26T00:00:00", 361),
        ("1900-12-26T00:00:00Z", 361),
        ("2025-12-26T00:00:00.000Z", 46017),
        ("1900-12-26T00:00:00+07:00", 361 - 7 / 24),
        ("1900-12-26", 361),
    ],
)
def test_iso_serial_is_libreoffices_number(iso: str, serial: float) -> None:
    assert iso_serial(iso) == pytest.approx(serial)


def test_no_date_is_no_number() -> None:
    assert iso_serial("12:00:00") is None
    assert iso_serial("hôm nay") is None


def test_a_date_cell_under_a_date_format_gets_the_finding_of_any_date(make_file, tmp_path: Path) -> None:
    """SheetJS's cellDates file: '2025-12-26T00:00:00.000Z' under format 14. The finding is
    the one a number typed under a date format gets (with the number in the cell), not
    'không đọc được thành số nguyên'."""
    src, _ = make_file("899", seed=3)
    iso = _with_date_cell(src, tmp_path / "iso.xlsx", "D8", "2025-12-26T00:00:00.000Z", True)
    typed = tmp_path / "typed.xlsx"
    wb = openpyxl.load_workbook(src)
    wb[SHEET]["D8"] = 46017
    wb[SHEET]["D8"].number_format = "mm-dd-yy"  # the built-in format 14
    wb.save(typed)
    got = [f for f in _findings(iso) if f[1] == "D8"]
    assert got == [f for f in _findings(typed) if f[1] == "D8"]
    assert len(got) == 1 and "'26/12/2025' hiện thành ngày/giờ" in got[0][2] and "46.017" in got[0][2]
    assert _lo_cell(iso, "D8", tmp_path / "csv") == "12/26/2025"


@pytest.mark.parametrize("zone", ["", "Z"])
def test_a_date_cell_under_a_number_format_reads_as_libreoffice_shows_it(
    make_file, tmp_path: Path, zone
) -> None:
    """The seeded count written as the date that many days after 1899-12-30, under the
    count's own #,##0 format: LibreOffice shows the count, and the program reads the file
    as the one typed."""
    src, _ = make_file("899", seed=3)
    count = openpyxl.load_workbook(src)[SHEET]["D8"].value
    assert isinstance(count, int) and count > 60
    iso = (dt.datetime(1899, 12, 30) + dt.timedelta(days=count)).isoformat() + zone
    out = _with_date_cell(src, tmp_path / "iso.xlsx", "D8", iso, False)
    p, q = parse_path(out, 1, FORM), parse_path(src, 1, FORM)
    assert p.findings == q.findings == []
    assert p.rows == q.rows
    assert _lo_cell(out, "D8", tmp_path / "csv") == str(count)


def test_a_date_cell_with_a_time_zone_is_taken_to_utc(make_file, tmp_path: Path) -> None:
    """'1900-12-26T00:00:00+07:00' is 360.708 days: no whole count, as LibreOffice holds it."""
    src, _ = make_file("899", seed=3)
    out = _with_date_cell(src, tmp_path / "iso.xlsx", "D8", "1900-12-26T00:00:00+07:00", False)
    assert _lo_cell(out, "D8", tmp_path / "csv") == "361"  # #,##0 rounds 360.708
    assert [(c, cell) for c, cell, _ in _findings(out) if cell == "D8"] == [("NUMBER_NOT_INTEGER", "D8")]
