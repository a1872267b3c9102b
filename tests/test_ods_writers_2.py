"""Issue #25: .ods files from every writer read right (second round).

Inputs are the project's template filled by its filler, saved as .ods by the real writers
that run here (LibreOffice, SheetJS under Node) and then, for the spellings writers that do
not run here use, rewritten at the XML level of content.xml (one cell's attributes changed,
everything else as the writer wrote it):

- an office:date-value with a time zone ("…Z" as SheetJS writes every date, "+07:00") in a
  count cell: the date read as written (the zone ignored, as Excel does), the
  finding the same date gives in .xlsx/.xlsb, never a crash of the whole run;
- a date spelled past reading: a message that says so (not "the number is too large");
- no reader of any format hands out a datetime with a zone;
- an office:value not in the number form (xsd:double): an error at its cell, never a
  blank or the number Python's float() makes of it;
- a number cell whose style shows a date or a time (its own, its parent's, its row's or
  column's default): the finding the same cell gives in .xlsx, LibreOffice's .xlsx of the
  file the judge of what it shows.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import subprocess
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from pipeline.filler import fill
from pipeline.form import cell_at, load_form
from pipeline.read.extract import wanted_sheets
from pipeline.read.formats.ods import OFFICE_NS, TABLE_NS, ods_facts, ods_values
from pipeline.read.formats.registry import FORMATS
from pipeline.read.parse import parse_path
from pipeline.read.reader import check_before_reading, read_book
from pipeline.samples import valid_data
from tests import lo
from tests.clirun import run_cli
from tests.conftest import template_for

FORM = load_form()
RES = FORM.blocks["results"]
INFO_SHEET = FORM.sheets["info"]
REPORT_DATE = FORM.info_field("report_date").cell
COUNT = f"{RES.measure_column('children')}8"  # the first results row's "Tổng số trẻ em" of unit 899
TBL, OFF = f"{{{TABLE_NS}}}", f"{{{OFFICE_NS}}}"
CALC = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}value-type"


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory, template_dir: Path, layout: dict[str, Any]) -> Path:
    """Unit 899's template filled with valid figures, recalculated by LibreOffice (the
    cached totals are those of the figures, as an officer's saved file holds them)."""
    folder = tmp_path_factory.mktemp("filled")
    data = valid_data(FORM, "899", random.Random("899-ods2"), layout)
    src = folder / "899.xlsx"
    fill(template_for(template_dir, FORM, "899"), src, layout, "899", data)
    return lo.recalc_xlsx(src, folder / "lo")


@pytest.fixture(scope="module")
def lo_ods(filled: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The filled file saved as .ods by LibreOffice."""
    return lo.convert(filled, tmp_path_factory.mktemp("ods"), "ods")


# ----- content.xml rewritten at one cell ------------------------------------------------------
def _cell(root: etree._Element, sheet: str, a1: str) -> etree._Element:
    """The table:table-cell at `a1` of table `sheet`, a repeated row or cell split so that
    the cell stands alone (the other cells keep their values and styles)."""
    row_at, col_at = cell_at(a1)
    table = next(t for t in root.iter(f"{TBL}table") if t.get(f"{TBL}name") == sheet)
    r = 0
    for row in table.iter(f"{TBL}table-row"):
        n = int(row.get(f"{TBL}number-rows-repeated", "1"))
        if r <= row_at < r + n:
            if n > 1:
                row = _split(row, f"{TBL}number-rows-repeated", row_at - r, n)
            c = 0
            for cell in list(row):
                k = int(cell.get(f"{TBL}number-columns-repeated", "1"))
                if c <= col_at < c + k:
                    return _split(cell, f"{TBL}number-columns-repeated", col_at - c, k) if k > 1 else cell
                c += k
            raise KeyError(a1)
        r += n
    raise KeyError(a1)


def _split(element: etree._Element, attr: str, at: int, n: int) -> etree._Element:
    """`element` repeated `n` times as up to three elements: before `at`, at, after; the
    one at `at` returned."""
    import copy

    parent, index = element.getparent(), element.getparent().index(element)
    parts = [(at, 0), (1, 1), (n - at - 1, 2)]
    made = []
    for count, _ in parts:
        if count <= 0:
            made.append(None)
            continue
        twin = copy.deepcopy(element)
        twin.attrib.pop(attr, None)
        if count > 1:
            twin.set(attr, str(count))
        made.append(twin)
    parent.remove(element)
    for offset, twin in enumerate(m for m in made if m is not None):
        parent.insert(index + offset, twin)
    return made[1]


def _set_cell(cell: etree._Element, attrs: dict[str, str], text: str | None) -> None:
    """The cell's value attributes replaced by `attrs` (its style kept), its text by `text`."""
    for key in list(cell.attrib):
        if key.startswith(OFF) or key == CALC or key == f"{TBL}formula":
            del cell.attrib[key]
    for key, value in attrs.items():
        prefix, local = key.split(":")
        cell.set(f"{{{OFFICE_NS if prefix == 'office' else TABLE_NS}}}{local}", value)
    for child in list(cell):
        cell.remove(child)
    if text is not None:
        etree.SubElement(cell, "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}p").text = text


def rewrite(src: Path, out: Path, change: Callable[..., None], parts: tuple[str, ...] = ()) -> Path:
    """`src` with content.xml changed by `change(root)` (with `parts`, each of those parts
    by `change(part, root)`), every other member as it was."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename in (parts or ("content.xml",)):
                root = etree.fromstring(data)
                change(info.filename, root) if parts else change(root)
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
            kind = zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
            zout.writestr(info.filename, data, compress_type=kind)
    return out


def with_cell(
    src: Path, out: Path, sheet: str, a1: str, attrs: dict[str, str], text: str | None = "x"
) -> Path:
    return rewrite(src, out, lambda root: _set_cell(_cell(root, sheet, a1), attrs, text))


def _findings_at(path: Path, sheet: str, cell: str) -> list[tuple[str, str]]:
    return [
        (f.code, f.message) for f in parse_path(path, 1, FORM).findings if (f.sheet, f.cell) == (sheet, cell)
    ]


def _own_values(path: Path, sheet: str) -> list[list[Any]]:
    """The table `sheet` as the project's own ODS value reader gives it (the format's
    registered reader, for a valid file python-calamine refuses)."""
    return FORMATS["ods"].values(path.read_bytes(), lambda name: name == sheet).rows[sheet]


def _at(rows: list[list[Any]], a1: str) -> Any:
    r, c = cell_at(a1)
    return rows[r][c]


# ----- 1. a date with a time zone in a count cell ------------------------------------------------
SHOWN_AS_DATE = "hiện thành ngày/giờ vì ô được định dạng kiểu Ngày/Giờ (số trong ô là 46.017)"


def test_a_sheetjs_date_in_a_count_cell_is_the_finding_xlsx_gives(filled: Path, tmp_path: Path) -> None:
    """SheetJS writes every .ods date as toISOString()'s "2025-12-26T00:00:00.000Z": the
    count cell holding it is refused as a date (26/12/2025 is the number 46.017), as the
    same workbook saved as .xlsb is, instead of the run dying on a datetime with a zone."""
    node, folder = lo.require_sheetjs()
    script = (
        "const X = require(process.argv[1] + '/node_modules/xlsx');"
        "const wb = X.readFile(process.argv[2]);"
        "wb.Sheets[process.argv[3]][process.argv[4]] = {t: 'd', v: new Date(Date.UTC(2025, 11, 26))};"
        "X.writeFile(wb, process.argv[5], {bookType: 'ods'});"
        "X.writeFile(wb, process.argv[6], {bookType: 'xlsb'});"
    )
    ods, xlsb = tmp_path / "899.ods", tmp_path / "899.xlsb"
    subprocess.run([node, "-e", script, folder, filled, RES.sheet, COUNT, ods, xlsb], check=True, timeout=60)
    assert b'office:date-value="2025-12-26T00:00:00.000Z"' in zipfile.ZipFile(ods).read("content.xml")
    found = _findings_at(ods, RES.sheet, COUNT)
    assert [code for code, _ in found] == ["NUMBER_INVALID"]
    assert SHOWN_AS_DATE in found[0][1]
    assert found == _findings_at(xlsb, RES.sheet, COUNT)
    done = run_cli("check", "--json", str(ods))  # the command as the officer runs it
    assert done.returncode == 1 and "Traceback" not in done.stderr
    (checked,) = json.loads(done.stdout)
    at = [f["code"] for f in checked["findings"] if (f["sheet"], f["cell"]) == (RES.sheet, COUNT)]
    assert at == ["NUMBER_INVALID"]


# (spelled, the moment LibreOffice reads: a zone taken to UTC, Z changing nothing)
ZONED = [
    ("2025-12-26T00:00:00Z", dt.datetime(2025, 12, 26)),
    ("2025-12-26T00:00:00.000Z", dt.datetime(2025, 12, 26)),
    ("2025-12-26T00:00:00+07:00", dt.datetime(2025, 12, 25, 17)),
    ("2025-12-26T00:00:00-05:00", dt.datetime(2025, 12, 26, 5)),
]
# spellings LibreOffice also reads as that day (a lower-case t), and a space for the T
LENIENT = [(text, dt.datetime(2025, 12, 26)) for text in ("2025-12-26t00:00:00", "2025-12-26 00:00:00")]
LENIENT.append((" 2025-12-26 ", dt.date(2025, 12, 26)))


@pytest.mark.parametrize(("spelled", "moment"), ZONED + LENIENT)
def test_an_ods_date_is_read_as_libreoffice_reads_its_zone(
    spelled: str, moment: dt.date, lo_ods: Path, tmp_path: Path
) -> None:
    """A zone taken to UTC as LibreOffice does (+07:00 at midnight is 25/12 17:00), the
    same as an .xlsx cell of type d (`xlsx.iso_serial`), by calamine's path and by the
    project's own reader alike; naive. The number in the cell is said only when whole."""
    out = with_cell(
        lo_ods,
        tmp_path / "899.ods",
        RES.sheet,
        COUNT,
        {"office:value-type": "date", "office:date-value": spelled},
    )
    found = _findings_at(out, RES.sheet, COUNT)
    assert [code for code, _ in found] == ["NUMBER_INVALID"]
    whole = moment == dt.datetime(2025, 12, 26) or moment == dt.date(2025, 12, 26)
    assert (SHOWN_AS_DATE in found[0][1]) == whole
    assert "hiện thành ngày/giờ" in found[0][1]
    own = _at(_own_values(out, RES.sheet), COUNT)
    assert own == moment
    assert getattr(own, "tzinfo", None) is None


@pytest.mark.parametrize("spelled", ["2025-02-30", "2025-11", "2025", "26/12/2025", "2025-12-26T25:00:00"])
def test_an_ods_date_spelled_past_reading_says_so(spelled: str, lo_ods: Path, tmp_path: Path) -> None:
    """Not "the number is too large": the file spells the date wrong."""
    out = with_cell(
        lo_ods,
        tmp_path / "899.ods",
        RES.sheet,
        COUNT,
        {"office:value-type": "date", "office:date-value": spelled},
    )
    found = _findings_at(out, RES.sheet, COUNT)
    assert [code for code, _ in found] == ["NUMBER_INVALID"]
    message = found[0][1]
    assert "tệp ghi sai dạng" in message and "gõ lại số" in message
    assert "số quá lớn" not in message


@pytest.mark.parametrize(
    ("spelled", "shown"), [("", "#NUM!"), ("32767-12-31", "31/12/32767"), ("10000-01-01", "01/01/10000")]
)
def test_an_ods_date_past_any_calendar_is_still_too_large(
    spelled: str, shown: str, lo_ods: Path, tmp_path: Path
) -> None:
    """Gnumeric's "" and LibreOffice's 32767-12-31 stand for a number past any date."""
    out = with_cell(
        lo_ods,
        tmp_path / "899.ods",
        RES.sheet,
        COUNT,
        {"office:value-type": "date", "office:date-value": spelled},
    )
    found = _findings_at(out, RES.sheet, COUNT)
    assert [code for code, _ in found] == ["NUMBER_INVALID"]
    assert f"'{shown}' không hiện được thành ngày giờ (số quá lớn" in found[0][1]


@pytest.mark.parametrize(
    ("spelled", "day"),
    [
        ("2025-11-20T07:00:00+07:00", dt.date(2025, 11, 20)),
        ("2025-11-20T00:00:00+07:00", dt.date(2025, 11, 19)),
    ],
)
def test_a_zoned_report_date_is_the_day_libreoffice_shows(
    spelled: str, day: dt.date, lo_ods: Path, tmp_path: Path
) -> None:
    """The information sheet's report date with a zone: the day LibreOffice shows (the
    moment in UTC), no finding."""
    out = with_cell(
        lo_ods,
        tmp_path / "899.ods",
        INFO_SHEET,
        REPORT_DATE,
        {"office:value-type": "date", "office:date-value": spelled},
    )
    p = parse_path(out, 1, FORM)
    assert p.info_row["report_date"] == day
    assert [f for f in p.findings if f.sheet == INFO_SHEET] == []


def _every_value(book: Any) -> Iterator[Any]:
    for sheet in book.sheets.values():
        for row in sheet.rows:
            yield from row


def test_no_reader_of_any_format_hands_out_a_datetime_with_a_zone(
    filled: Path, lo_ods: Path, tmp_path: Path
) -> None:
    """Dates written with a zone, by SheetJS (.xlsx t="d", .ods, .xlsb, .xls) and rewritten
    into LibreOffice's .ods (+07:00 in every date cell of the form's sheets): read by every
    path (python-calamine with the facts, the project's own .ods and .xls readers), no
    value is a datetime with a zone."""
    node, folder = lo.require_sheetjs()
    script = (
        "const X = require(process.argv[1] + '/node_modules/xlsx');"
        "const wb = X.readFile(process.argv[2], {cellDates: true});"
        "wb.Sheets[process.argv[3]][process.argv[4]] = {t: 'd', v: new Date(Date.UTC(2025, 11, 26, 17))};"
        "for (const [ext, type] of [['xlsx', 'xlsx'], ['ods', 'ods'], ['xlsb', 'xlsb'], ['xls', 'biff8']])"
        "  X.writeFile(wb, process.argv[5] + '.' + ext, {bookType: type, cellDates: true});"
    )
    stem = tmp_path / "sj"
    subprocess.run([node, "-e", script, folder, filled, RES.sheet, COUNT, stem], check=True, timeout=60)

    def zoned(root: etree._Element) -> None:
        for cell in root.iter(f"{TBL}table-cell"):
            if cell.get(f"{OFF}value-type") == "date":
                day = cell.get(f"{OFF}date-value", "")[:10]
                cell.set(f"{OFF}date-value", f"{day}T23:30:00+07:00")
        _set_cell(
            _cell(root, RES.sheet, COUNT),
            {"office:value-type": "date", "office:date-value": "2025-12-26T00:00:00-05:00"},
            "x",
        )

    files = [
        *(stem.with_suffix(f".{e}") for e in ("xlsx", "ods", "xlsb", "xls")),
        rewrite(lo_ods, tmp_path / "lo.ods", zoned),
    ]
    wanted = wanted_sheets(FORM)
    seen: list[Any] = []
    for path in files:
        data = path.read_bytes()
        book = read_book(data, path.name, wanted, FORM.limits)
        values = list(_every_value(book))
        _, _, facts, _ = check_before_reading(data, path.name, wanted, FORM.limits)
        for sheet in facts:
            values += [*sheet.numbers.values(), *sheet.cells.values()]
        if path.suffix == ".ods":
            content = zipfile.ZipFile(io.BytesIO(data)).read("content.xml")
            values += [
                v for rows in ods_values(content, lambda _n: True).rows.values() for row in rows for v in row
            ]
            values += [v for sheet in ods_facts(content) for v in sheet.numbers.values()]
        dates = [v for v in values if isinstance(v, dt.date)]
        # the files do hold dates (python-calamine gives an .xlsx t="d" cell as its text)
        assert dates or (path.suffix == ".xlsx" and "2025-12-26T17:00:00.000Z" in values), path.name
        seen += [(path.name, v) for v in dates if getattr(v, "tzinfo", None) is not None]
    assert seen == []


@pytest.mark.parametrize(
    ("zone", "said"),
    [
        (dt.UTC, " (số trong ô là 46.017)"),
        (dt.timezone(dt.timedelta(hours=7)), ""),  # 46016.708 in UTC: no whole number to say
        (dt.timezone(dt.timedelta(hours=-5)), ""),
    ],
)
def test_a_date_with_a_zone_is_refused_as_a_date_never_a_crash(zone: dt.tzinfo, said: str) -> None:
    """Whatever reader hands it over, a datetime with a zone in a number cell is a date
    finding, the moment taken in UTC (`values.iso_moment`); the number in the cell is said
    when whole."""
    from pipeline.text.values import parse_int

    _, problem, _ = parse_int(dt.datetime(2025, 12, 26, tzinfo=zone), 10**15)
    assert problem is not None and problem[0] == "NUMBER_INVALID"
    assert f"kiểu Ngày/Giờ{said}, không phải Số" in problem[1]


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2025-12-26", dt.date(2025, 12, 26)),
        ("2025-12-26T23:30:00+07:00", dt.datetime(2025, 12, 26, 16, 30)),
        ("2025-12-26T20:00:00-05:30", dt.datetime(2025, 12, 27, 1, 30)),
        ("2025-12-26T00:00:00.123456789Z", dt.datetime(2025, 12, 26, 0, 0, 0, 123456)),
        ("2025-12-26 08:15", dt.datetime(2025, 12, 26, 8, 15)),
        ("2025-02-30", None),
        ("2025-12-26T24:00:00", None),
        ("26/12/2025", None),
    ],
)
def test_iso_moment_reads_the_date_as_libreoffice_does(text: str, moment: Any) -> None:
    from pipeline.text.values import iso_moment, parse_date

    assert iso_moment(text) == moment
    if moment is not None:
        assert parse_date(text) == (moment if type(moment) is dt.date else moment.date(), None)


# ----- 2. office:value not in the number form ----------------------------------------------------
MONEY = f"{RES.measure_column('cash')}8"  # the first results row's "Giá trị bằng tiền mặt"
NOT_A_NUMBER = [
    "140068000,0",  # a decimal comma
    "140,068,000",  # thousands commas (LibreOffice reads 140)
    "140\u00a0068\u00a0000",  # no-break spaces between the groups
    "140_068_000",  # Python's float() takes it, no spreadsheet does
    "0x1p4",  # a hexadecimal float
    "1.4e8 đồng",
    "",
    None,  # no office:value at all
]


@pytest.mark.parametrize("kind", ["float", "currency"])
@pytest.mark.parametrize("stored", NOT_A_NUMBER)
def test_a_value_not_in_the_number_form_is_an_error_at_its_cell(
    stored: str | None, kind: str, lo_ods: Path, tmp_path: Path
) -> None:
    """Never a silent number nor a blank: the cell's value is not an xsd:double (ODF 1.2
    Part 1 §19.386), which applications read each their own way; by calamine's path and the
    project's own reader alike."""
    from pipeline.text.values import NOT_STORED_AS_NUMBER, UnreadNumber

    attrs = {"office:value-type": kind} | ({} if stored is None else {"office:value": stored})
    out = with_cell(lo_ods, tmp_path / "899.ods", RES.sheet, MONEY, attrs, "140.068.000")
    found = _findings_at(out, RES.sheet, MONEY)
    assert [code for code, _ in found] == ["NUMBER_INVALID"]
    assert NOT_STORED_AS_NUMBER in found[0][1]
    own = _at(_own_values(out, RES.sheet), MONEY)
    assert isinstance(own, UnreadNumber) and own == (stored or "140.068.000")


@pytest.mark.parametrize(
    "stored", ["+140068000", " 140068000\n", "140068000.", "1.40068E8", "1.40068e+8", ".140068e9"]
)
def test_every_spelling_of_the_number_form_is_read(stored: str, lo_ods: Path, tmp_path: Path) -> None:
    out = with_cell(
        lo_ods, tmp_path / "899.ods", RES.sheet, MONEY, {"office:value-type": "float", "office:value": stored}
    )
    p = parse_path(out, 1, FORM)
    assert [f for f in p.findings if f.cell == MONEY] == []
    row = next(r for r in p.rows[RES.key] if r.row == 8)
    assert row.measures["cash"] == 140068000


# ----- 3. a number cell under a date or time style ------------------------------------------------
NUMBER_NS = "urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"
STYLE_NS = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
OFFICE_STYLES = {"content.xml": f"{OFF}automatic-styles", "styles.xml": f"{OFF}styles"}


def _data_style(parent: etree._Element, name: str, kind: str) -> None:
    """A number:date-style (dd/mm/yyyy) or number:time-style ([hh]:mm:ss) named `name`."""
    style = etree.SubElement(parent, f"{{{NUMBER_NS}}}{kind}-style", {f"{{{STYLE_NS}}}name": name})
    if kind == "time":
        style.set(f"{{{NUMBER_NS}}}truncate-on-overflow", "false")
        parts = [("hours", "long"), ":", ("minutes", "long"), ":", ("seconds", "long")]
    else:
        parts = [("day", "long"), "/", ("month", "long"), "/", ("year", "long")]
    for part in parts:
        if isinstance(part, str):
            etree.SubElement(style, f"{{{NUMBER_NS}}}text").text = part
        else:
            etree.SubElement(style, f"{{{NUMBER_NS}}}{part[0]}", {f"{{{NUMBER_NS}}}style": part[1]})


def _cell_style(parent: etree._Element, name: str, data: str = "", inherits: str = "Default") -> None:
    attrs = {f"{{{STYLE_NS}}}name": name, f"{{{STYLE_NS}}}family": "table-cell"}
    attrs[f"{{{STYLE_NS}}}parent-style-name"] = inherits
    if data:
        attrs[f"{{{STYLE_NS}}}data-style-name"] = data
    etree.SubElement(parent, f"{{{STYLE_NS}}}style", attrs)


def _column(root: etree._Element, sheet: str, col_at: int) -> etree._Element:
    """The table:table-column of column `col_at` (0-based), split from a repeated one."""
    table = next(t for t in root.iter(f"{TBL}table") if t.get(f"{TBL}name") == sheet)
    c = 0
    for column in table.iter(f"{TBL}table-column"):
        k = int(column.get(f"{TBL}number-columns-repeated", "1"))
        if c <= col_at < c + k:
            return _split(column, f"{TBL}number-columns-repeated", col_at - c, k) if k > 1 else column
        c += k
    raise KeyError(col_at)


def _styled(src: Path, out: Path, where: str, kind: str, number: str = "361") -> Path:
    """`src` with the count cell a number under a date or time style, reached as `where`:
    "own" (a content.xml automatic style naming a data style there), "parent" (an automatic
    style without a data style whose parent, a common style of styles.xml, names a data
    style there), "row", "column" (no style on the cell: the row's, the column's default
    cell style)."""

    def change(part: str, root: etree._Element) -> None:
        if part == "styles.xml" and where == "parent":
            styles = next(root.iter(OFFICE_STYLES[part]))
            _data_style(styles, "N9001", kind)
            _cell_style(styles, "Ngay9001", "N9001")
        if part != "content.xml":
            return
        automatic = next(root.iter(OFFICE_STYLES[part]))
        if where == "parent":
            _cell_style(automatic, "ce9001", inherits="Ngay9001")
        else:
            _data_style(automatic, "N9001", kind)
            _cell_style(automatic, "ce9001", "N9001")
        cell = _cell(root, RES.sheet, COUNT)
        _set_cell(cell, {"office:value-type": "float", "office:value": number}, number)
        if where == "row":
            del cell.attrib[f"{TBL}style-name"]
            cell.getparent().set(f"{TBL}default-cell-style-name", "ce9001")
        elif where in ("column", "row-over-column"):
            del cell.attrib[f"{TBL}style-name"]
            _column(root, RES.sheet, cell_at(COUNT)[1]).set(f"{TBL}default-cell-style-name", "ce9001")
            if where == "row-over-column":  # the row's default, a number style, wins
                cell.getparent().set(f"{TBL}default-cell-style-name", "Default")
        else:
            cell.set(f"{TBL}style-name", "ce9001")

    return rewrite(src, out, change, parts=("content.xml", "styles.xml"))


STYLED = [
    ("own", "date", "'26/12/1900' hiện thành ngày/giờ vì ô được định dạng kiểu Ngày/Giờ (số trong ô là 361)"),
    (
        "parent",
        "date",
        "'26/12/1900' hiện thành ngày/giờ vì ô được định dạng kiểu Ngày/Giờ (số trong ô là 361)",
    ),
    ("row", "date", "'26/12/1900' hiện thành ngày/giờ vì ô được định dạng kiểu Ngày/Giờ (số trong ô là 361)"),
    (
        "column",
        "date",
        "'26/12/1900' hiện thành ngày/giờ vì ô được định dạng kiểu Ngày/Giờ (số trong ô là 361)",
    ),
    ("own", "time", "'8664:00:00' hiện thành ngày/giờ vì ô được định dạng kiểu Ngày/Giờ (số trong ô là 361)"),
]


@pytest.mark.parametrize(("where", "kind", "said"), STYLED)
def test_a_number_under_a_date_style_is_refused_as_in_xlsx(
    where: str, kind: str, said: str, lo_ods: Path, tmp_path: Path
) -> None:
    """calamine gives the plain number; LibreOffice shows a date (or elapsed time), and
    saves the cell to .xlsx under a date format, which the .xlsx reading refuses: so is the
    .ods, with the same finding, by calamine's path and the project's own reader."""
    out = _styled(lo_ods, tmp_path / "899.ods", where, kind)
    found = _findings_at(out, RES.sheet, COUNT)
    assert [code for code, _ in found] == ["NUMBER_INVALID"]
    assert said in found[0][1]
    shown = _at(_own_values(out, RES.sheet), COUNT)
    assert shown == (dt.timedelta(days=361) if kind == "time" else dt.datetime(1900, 12, 26))
    as_xlsx = lo.convert(out, tmp_path / "lo", "xlsx")  # LibreOffice, the judge of what it shows
    assert [code for code, _ in _findings_at(as_xlsx, RES.sheet, COUNT)] == ["NUMBER_INVALID"]
    if kind == "date":
        assert _findings_at(as_xlsx, RES.sheet, COUNT) == found


def test_a_number_no_date_shows_under_a_date_style_is_refused(lo_ods: Path, tmp_path: Path) -> None:
    out = _styled(lo_ods, tmp_path / "899.ods", "own", "date", "186219000000")
    found = _findings_at(out, RES.sheet, COUNT)
    assert [code for code, _ in found] == ["NUMBER_INVALID"]
    assert "không hiện được thành ngày giờ" in found[0][1]


def test_the_templates_own_styles_read_numbers_as_numbers(lo_ods: Path) -> None:
    """No date where LibreOffice shows a number: LibreOffice's .ods of a filled template
    (its report date under a date style) reads without a finding."""
    assert parse_path(lo_ods, 1, FORM).findings == []


def test_a_rows_default_style_wins_over_its_columns(lo_ods: Path, tmp_path: Path) -> None:
    """A cell without a style under a row default that shows a number and a column default
    that shows a date is a number, as LibreOffice shows it (its .xlsx of the file agrees)."""
    out = _styled(lo_ods, tmp_path / "899.ods", "row-over-column", "date")
    assert _findings_at(out, RES.sheet, COUNT) == []
    assert _at(_own_values(out, RES.sheet), COUNT) == 361.0
    assert _findings_at(lo.convert(out, tmp_path / "lo", "xlsx"), RES.sheet, COUNT) == []
