"""Issue #25: a number under a format that shows a date or a time is read as the date or
time the applications show, whatever the value reader returned, in every format alike.

python-calamine decides alone which cells are dates, and differs by writer: it gives plain
numbers for Gnumeric's .xls cells under `yyyy` or `[ss]`, a float for a number no date
shows (186219000 under `dd/mm/yyyy`, Excel's ####) in .xlsx and .xls, and the ISO text
'PT1776H00M00S' for an .ods time. The cells' own formats decide instead (`numfmt`), so the
same keystrokes give the same finding at the same cell, with a message that says the cell
is formatted as a date and shows the value as a spreadsheet shows it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from pipeline.form import load_form
from pipeline.read.formats.ods import cell_value
from pipeline.read.parse import parse_path
from tests import lo

FORM = load_form()
RES = FORM.blocks["results"]
# measure -> (number typed, the cell's format, how the message shows the value)
CASES = {
    "children": (297, "[$-409]m/d/yy h:mm AM/PM;@", "(số trong ô là 297)"),  # Gnumeric .xls: 297
    "girls": (265, "[ss]", "(số trong ô là 265)"),  # Gnumeric .xls: 265; .ods: 'PT6360H00M00S'
    "ethnic": (179, "[$-F400]h:mm:ss AM/PM", "(số trong ô là 179)"),  # Gnumeric .xls: 179
    "turns": (74, "ss", "(số trong ô là 74)"),  # Gnumeric .xls: 74; .ods: 'PT1776H00M00S'
    "in_kind": (186_219_000, "[$-42A]dd/mm/yyyy", "không hiện được"),  # past any date: a float
}

# python-calamine 0.x misreads the date formats Gnumeric defines under some ids of an .xls
# (59-61, 67, 70 and 76 among those seen: plain numbers), and Gnumeric numbers the file's
# formats from 50 in an order of its own: so many date formats that some land on those
# ids, one on each other input cell of the unit
_MORE = [
    f'{base}" {"v" * n}"' for n in range(1, 6) for base in ("dd/mm/yyyy", "d/m/yy", "[h]:mm", "mm:ss", "yyyy")
]


def _source(make_file, tmp_path: Path) -> tuple[Path, dict[str, str], list[str]]:
    """A filled template of unit 899 whose first results row holds the CASES under their
    formats and whose other rows hold numbers under the formats of _MORE (openpyxl); the
    cell of each case and the other cells."""
    src, _ = make_file("899", seed=2)
    rows = [r.row for r in FORM.rows_for(RES, FORM.units_by_code["899"])]
    cells = {key: f"{RES.measure_column(key)}{rows[0]}" for key in CASES}
    more = [f"{RES.measure_column(m.key)}{row}" for row in rows[1:] for m in RES.measures][: len(_MORE)]
    wb = openpyxl.load_workbook(src)
    ws = wb[RES.sheet]
    for key, (value, fmt, _) in CASES.items():
        ws[cells[key]].value = value
        ws[cells[key]].number_format = fmt
    for i, (cell, fmt) in enumerate(zip(more, _MORE, strict=False)):
        ws[cell].value = 100 + i
        ws[cell].number_format = fmt
    out = tmp_path / "src" / "899.xlsx"
    out.parent.mkdir()
    wb.save(out)
    return out, cells, more


def _ssconvert(src: Path, out: Path) -> Path:
    tool = lo.require("ssconvert", shutil.which("ssconvert"), "gnumeric")
    subprocess.run([tool, src, out], check=True, capture_output=True, timeout=120)
    return out


def test_a_number_under_a_date_format_is_the_same_finding_in_every_format(make_file, tmp_path: Path) -> None:
    lo.require_soffice()
    src, cells, more = _source(make_file, tmp_path)
    files = [
        src,
        _ssconvert(src, tmp_path / "gnm.xls"),
        _ssconvert(src, tmp_path / "gnm.ods"),  # through our own .ods reader (indented XML)
        lo.convert(src, tmp_path / "lo", "xls"),
        lo.convert(src, tmp_path / "lo", "ods"),
    ]
    where = {cell: key for key, cell in cells.items()}
    codes, wrong = {}, []
    for path in files:
        findings = parse_path(path, 1, FORM).findings
        at = {f.cell: f for f in findings if f.sheet == RES.sheet and f.cell in where}
        codes[f"{path.name} more"] = {
            f.cell: f.code for f in findings if f.sheet == RES.sheet and f.cell in more
        }
        codes[path.name] = {cell: f.code for cell, f in at.items()}
        for cell, f in at.items():
            message = f.message
            good = "định dạng kiểu Ngày/Giờ" in message and "Định dạng ô → Số" in message
            good = good and CASES[where[cell]][2] in message  # the number typed, or no date
            if not good or any(s in message for s in ("days", "PT", "datetime", "1900-", "hãy gõ số")):
                wrong.append((path.name, message))
    every = {
        name: dict.fromkeys(more if name.endswith("more") else where, "NUMBER_INVALID") for name in codes
    }
    assert codes == every
    assert wrong == []


def test_times_and_dates_show_as_a_spreadsheet_shows_them(make_file, tmp_path: Path) -> None:
    """The value in the message, whichever writer: a duration as [h]:mm:ss (calamine gives
    Gnumeric's .xls cell under [ss] as a number or a date, LibreOffice's .ods one as text),
    a date as dd/mm/yyyy."""
    lo.require_soffice()
    src, cells, _ = _source(make_file, tmp_path)
    files = [
        src,
        _ssconvert(src, tmp_path / "gnm.xls"),
        _ssconvert(src, tmp_path / "gnm.ods"),
        lo.convert(src, tmp_path / "lo", "xls"),
        lo.convert(src, tmp_path / "lo", "ods"),
    ]
    wrong = []
    for path in files:
        messages = {f.cell: f.message for f in parse_path(path, 1, FORM).findings}
        for key, shown in (("girls", "'6360:00:00'"), ("children", "'23/10/1900")):
            if shown not in messages[cells[key]]:
                wrong.append((path.name, messages[cells[key]]))
    assert wrong == []


def test_elapsed_time_formats() -> None:
    from pipeline.read.formats.numfmt import shows_elapsed

    assert [f for f in ("[h]:mm:ss", "[ss]", "[$-42A][mm]:ss", "[Red][h]") if not shows_elapsed(f)] == []
    assert [
        f for f in ("hh:mm", '"[h]"0', "[Red]0", "[$-42A]dd/mm/yyyy", "\\[h\\]0") if shows_elapsed(f)
    ] == []


_CELL = (
    '<table:table-cell xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" {}/>'
)


@pytest.mark.parametrize(
    ("attrs", "shown"),
    [
        ('office:value-type="date" office:date-value=""', "#NUM!"),  # Gnumeric, past any date
        ('office:value-type="date" office:date-value="32767-12-31"', "31/12/32767"),  # LibreOffice
        ('office:value-type="time" office:time-value="PT-2147483648H00M00S"', "#NUM!"),  # LibreOffice
    ],
)
def test_an_ods_date_past_reading_is_a_date_no_calendar_shows(attrs: str, shown: str) -> None:
    """Never a blank (the cell would be read as empty and the file accepted): a value that
    stands for a date, shown in the message as the file holds it."""
    from lxml import etree

    from pipeline.text.values import UnshownDate, parse_int

    value = cell_value(etree.fromstring(_CELL.format(attrs)))
    assert isinstance(value, UnshownDate) and value == shown
    _, problem, _ = parse_int(value, 10**15)
    assert problem is not None and problem[0] == "NUMBER_INVALID" and "không hiện được" in problem[1]


_STYLES = (
    b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<numFmts count="2"><numFmt numFmtId="164" formatCode="[$-42A]#,##0"/>'
    b'<numFmt numFmtId="165" formatCode="[$-42A]dd/mm/yyyy"/></numFmts>'
    b'<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="14"/></cellXfs>'
    b"</styleSheet>"
)


@pytest.mark.parametrize(
    ("cell", "unshown"),
    [
        ('<c r="B2" s="2"><v>186219000</v></c>', True),  # a custom date format
        ("<c r='B2' s = '02'><v>186219000</v></c>", True),  # the style spelled otherwise
        ('<c s="3" r="B2" t="n"><v>1.86219E8</v></c>', True),  # built-in 14, attributes reordered
        ('<x:c r="B2" s="2"><x:f>A1*2</x:f><x:v>186219000</x:v></x:c>', True),  # prefixed, a formula
        ('<c r="B2" s="1"><v>186219000</v></c>', False),  # a number format with a locale tag
        ('<c r="B2" s="2"><v>2958465</v></c>', False),  # 31/12/9999: calamine gives the date
        ('<c r="B2" s="2" t="s"><v>3000000</v></c>', False),  # a shared string's index
    ],
)
def test_an_xlsx_number_no_date_shows_is_found(cell: str, unshown: bool) -> None:
    """calamine gives these as plain numbers; the cell's format says they are dates."""
    from pipeline.read.formats.numfmt import xlsx_date_styles, xlsx_unshown_dates

    styles = xlsx_date_styles(_STYLES)
    assert styles == {2, 3}
    sheet = f'<worksheet><sheetData><row r="2"><c r="A2"><v>1</v></c>{cell}</row></sheetData></worksheet>'
    found = xlsx_unshown_dates(sheet.encode(), styles)
    assert found == ({"B2": "186.219.000"} if unshown else {})
