"""Conditional data styles in .ods (ODF 1.2 Part 1 §16.3 style:map): a number cell's data
style switches by the cell's value, and the pipeline reads a date where LibreOffice shows one.

LibreOffice writes a number format with conditions (`[>=100]dd/mm/yyyy;#,##0`) or signed
sections (`#,##0;[RED]-#,##0`) as a data style with style:map children naming the style
applied when each condition holds. The pipeline's verdict on each cell is compared with what
LibreOffice shows (its CSV export "as shown") and with the verdict on the .xlsx of the same
cell; the ways LibreOffice reads maps it does not write (spaces, a missing style, more maps
than it keeps, a condition without a number) are compared on a hand-made .ods.
"""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl

from pipeline.form import load_form
from pipeline.read.formats.numfmt import section_for
from pipeline.read.formats.ods import common_styles, ods_facts, ods_values
from pipeline.read.parse import parse_path
from tests import lo

FORM = load_form()
RES = FORM.blocks["results"]
_CSV = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,{sheet}"
_SHOWN_DATE = re.compile(r"[0-9]+/[0-9]+/[0-9]+|[0-9]+:[0-9]{2}")  # dd/mm/yyyy, h:mm
_DATE_MESSAGE = "định dạng kiểu Ngày/Giờ"

# (number typed, the cell's format): each case in its own input cell of unit 899's results
CASES = [
    (45000, "[>=100]dd/mm/yyyy;#,##0"),  # the map applies a date style
    (50, "[>=100]dd/mm/yyyy;#,##0"),  # the number style itself
    (45000, "[<100]#,##0;dd/mm/yyyy"),  # a date style whose map applies a number style
    (50, "[<100]#,##0;dd/mm/yyyy"),
    (50, "#,##0;[RED]-#,##0"),  # signed sections: value()>=0 applies the positive one
    (1500, "[<=0]#,##0;[>1000]dd/mm/yyyy;0.00"),  # two maps, the second true
    (5, "[<=0]#,##0;[>1000]dd/mm/yyyy;0.00"),  # neither: the style itself
    (50, "[>=100]dd/mm/yyyy;[<0]#,##0;h:mm"),  # a time style itself
    (5, "[=5]#,##0;dd/mm/yyyy"),
    (6, "[=5]#,##0;dd/mm/yyyy"),
    (0, "0;0;dd/mm/yyyy;@"),  # a text style whose third map takes the zero
    (7, "0;0;dd/mm/yyyy;@"),
]


def _source(make_file, tmp_path: Path) -> tuple[Path, list[str]]:
    """A filled template of unit 899 whose input cells of the results hold the CASES under
    their formats (openpyxl), and those cells in order."""
    src, _ = make_file("899", seed=3)
    rows = [r.row for r in FORM.rows_for(RES, FORM.units_by_code["899"])]
    cells = [f"{RES.measure_column(m.key)}{row}" for row in rows for m in RES.measures][: len(CASES)]
    assert len(cells) == len(CASES)
    wb = openpyxl.load_workbook(src)
    ws = wb[RES.sheet]
    for cell, (value, fmt) in zip(cells, CASES, strict=True):
        ws[cell].value = value
        ws[cell].number_format = fmt
    out = tmp_path / "src" / "899.xlsx"
    out.parent.mkdir()
    wb.save(out)
    return out, cells


def _lo_shown(src: Path, sheet: int, out: Path) -> list[list[str]]:
    """The cells of sheet number `sheet` (1-based) of `src` as LibreOffice shows them."""
    out.mkdir(parents=True, exist_ok=True)
    with lo.profile() as prof:
        lo.run_office(["--convert-to", _CSV.format(sheet=sheet), "--outdir", str(out), str(src)], prof)
    (written,) = out.glob(f"{src.stem}*.csv")
    return list(csv.reader(written.read_text(encoding="utf-8").splitlines()))


def _at(shown: list[list[str]], a1: str) -> str:
    m = re.fullmatch(r"([A-Z]+)([0-9]+)", a1)
    assert m
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    row = shown[int(m.group(2)) - 1] if int(m.group(2)) <= len(shown) else []
    return row[col - 1] if col <= len(row) else ""


def _dated(path: Path, cells: list[str]) -> dict[str, bool]:
    """Cell -> whether the pipeline reads a date there (its finding says the cell is
    formatted as a date or a time)."""
    findings = parse_path(path, 1, FORM).findings
    dated = {f.cell for f in findings if f.sheet == RES.sheet and _DATE_MESSAGE in f.message}
    return {cell: cell in dated for cell in cells}


def test_a_number_is_a_date_where_libreoffice_shows_one(make_file, tmp_path: Path) -> None:
    lo.require_soffice()
    src, cells = _source(make_file, tmp_path)
    ods = lo.convert(src, tmp_path / "lo", "ods")
    with zipfile.ZipFile(ods) as zf:
        parts = zf.read("styles.xml") + zf.read("content.xml")
    assert parts.count(b'<style:map style:condition="value()') >= len({fmt for _, fmt in CASES})
    index = openpyxl.load_workbook(src, read_only=True).sheetnames.index(RES.sheet)
    shown = _lo_shown(ods, index + 1, tmp_path / "csv")
    libreoffice = {cell: bool(_SHOWN_DATE.search(_at(shown, cell))) for cell in cells}
    # every case shows what its comment says: dates and numbers both among them
    assert list(libreoffice.values()) == [True, False, True, False, False, True] + [
        False,
        True,
        False,
        True,
    ] + [
        True,
        False,
    ], [_at(shown, c) for c in cells]
    assert _dated(ods, cells) == libreoffice
    # the .xlsx of the same cells: a date exactly where LibreOffice shows one; every code
    # here has its section picking followed by `numfmt.section_for` (three sections with
    # conditions among them)
    on_xlsx = _dated(src, cells)
    followed = {
        c for c, (value, fmt) in zip(cells, CASES, strict=True) if section_for(fmt, value) is not None
    }
    assert len(followed) == len(cells)
    assert on_xlsx == libreoffice


# --- maps LibreOffice does not write, as LibreOffice reads them: a hand-made .ods --------------
_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" office:version="1.2"'
)
_BODY = {
    "date": "<number:day number:style='long'/><number:text>/</number:text>"
    "<number:month number:style='long'/><number:text>/</number:text><number:year number:style='long'/>",
    "time": "<number:hours/><number:text>:</number:text><number:minutes number:style='long'/>",
    "number": "<number:number number:decimal-places='2' number:min-integer-digits='1'/>",
    "text": "<number:text-content/>",
}
_TAG = {"date": "date-style", "time": "time-style", "number": "number-style", "text": "text-style"}
VALUES = [50, 45000, -3, 0, 5, 1500]
D, T, N = "Dd", "Tt", "Nn"  # plain date, time and number styles, in styles.xml
Dc, Nc = "Dc", "Nc"  # the same in content.xml
# a row's data style: (kind, its maps (condition, applied style), in content.xml)
ROWS = [
    ("number", [("value()>=100", D)], False),
    ("date", [("value()<100", N)], False),
    ("time", [("value()>=100", D), ("value()<0", N)], False),
    ("number", [("value()<=0", N), ("value()>1000", D)], False),
    ("number", [("value()!=50", D)], False),
    ("number", [("value()<>0", D)], False),
    ("date", [("value() = 5", N)], False),  # spaces after value()
    ("date", [("value()<100", N), ("value()=45000", N), ("value()=1500", N)], False),  # three
    ("number", [(" value()>1000", D)], False),  # a space first: no value() condition
    ("number", [("value()>abc", D)], False),  # no number: svl's default for one map
    ("time", [("value()>abc", D), ("value()<0", N)], False),  # and for the first of two
    ("number", [("value()>12abc", D)], False),
    ("date", [("cell-content()=5", N)], False),
    ("date", [("value()==100", N)], False),
    ("date", [("value()=5", "Missing")], False),
    ("number", [("value()>=0", "Mapped")], False),  # an applied style with maps of its own
    ("text", [("value()>0", N), ("value()<0", N), ("value()=0", D)], False),
    ("number", [("value()>=100", Dc)], True),  # in content.xml, as LibreOffice saves an .ods
    ("date", [("value()>=1e3", Nc)], True),
    ("number", [("value()>=100", D)], True),  # applying a style of the other part
    ("date", [("value()>=1e3", N)], True),
]


def _style(name: str, kind: str, maps: list[tuple[str, str]]) -> str:
    where = "".join(
        f'<style:map style:condition="{escape(c)}" style:apply-style-name="{a}"/>' for c, a in maps
    )
    return f'<number:{_TAG[kind]} style:name="{name}">{_BODY[kind]}{where}</number:{_TAG[kind]}>'


def _hand_made(path: Path) -> None:
    """An .ods of one table: a row per ROWS, each the VALUES under the row's cell style."""
    common = [_style(D, "date", []), _style(T, "time", []), _style(N, "number", [])]
    common.append(_style("Mapped", "date", [("value()<100", N)]))
    automatic, cells, rows = [_style(Dc, "date", []), _style(Nc, "number", [])], [], []
    for i, (kind, maps, in_content) in enumerate(ROWS):
        (automatic if in_content else common).append(_style(f"R{i}", kind, maps))
        cells.append(
            f'<style:style style:name="ce{i}" style:family="table-cell" style:data-style-name="R{i}"/>'
        )
        row = "".join(
            f'<table:table-cell table:style-name="ce{i}" office:value-type="float" office:value="{v}">'
            f"<text:p>{v}</text:p></table:table-cell>"
            for v in VALUES
        )
        rows.append(f"<table:table-row>{row}</table:table-row>")
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_NS}>'
        f"<office:automatic-styles>{''.join(automatic + cells)}</office:automatic-styles>"
        '<office:body><office:spreadsheet><table:table table:name="T">'
        f'<table:table-column table:number-columns-repeated="{len(VALUES)}"/>{"".join(rows)}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    styles = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-styles {_NS}>'
        f"<office:styles>{''.join(common)}</office:styles></office:document-styles>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        zf.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        zf.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        zf.writestr("styles.xml", styles, zipfile.ZIP_DEFLATED)


def test_maps_are_read_as_libreoffice_reads_them(tmp_path: Path) -> None:
    """Both readers (the facts beside python-calamine, and the own value reader) read a date
    exactly where LibreOffice shows one, cell by cell."""
    lo.require_soffice()
    path = tmp_path / "maps.ods"
    _hand_made(path)
    shown = _lo_shown(path, 1, tmp_path / "csv")
    libreoffice = [[bool(_SHOWN_DATE.search(t)) for t in row] for row in shown]
    assert len(libreoffice) == len(ROWS) and {len(r) for r in libreoffice} == {len(VALUES)}, shown
    with zipfile.ZipFile(path) as zf:
        content, common = zf.read("content.xml"), common_styles(zf.read("styles.xml"))
    (grid,) = ods_values(content, lambda _n: True, common).rows.values()
    own = [[not isinstance(v, float) for v in row] for row in grid]
    (facts,) = ods_facts(content, None, common)
    beside = [
        [f"{'ABCDEF'[c]}{r + 1}" in facts.numbers for c in range(len(VALUES))] for r in range(len(ROWS))
    ]
    wrong = [
        (ROWS[r], VALUES[c], shown[r][c], own[r][c], beside[r][c])
        for r in range(len(ROWS))
        for c in range(len(VALUES))
        if not libreoffice[r][c] == own[r][c] == beside[r][c]
    ]
    assert wrong == []
    # the table holds both verdicts in most rows: the maps, not the style alone, decide
    assert sum(len(set(row)) == 2 for row in libreoffice) >= len(ROWS) // 2
