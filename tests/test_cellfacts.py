"""Issue #10: every real file read as its spreadsheet shows it.

Inputs are our templates filled by the filler, then rewritten the way other writers spell
the sheet XML (a namespace prefix, single-quoted attributes, Strict OOXML) or converted by
LibreOffice to .xlsx, .ods and .xls. Each case asserts the right outcome: the finding at
the right cell, or the value the spreadsheet shows.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import msoffcrypto
import openpyxl
import pytest

from pipeline.form import load_form
from pipeline.intake.files import ReadProblem, read_bounded
from pipeline.read.formats.package import Package, book_parts
from pipeline.read.formats.xlsx import workbook_sheets
from pipeline.read.parse import parse_path
from pipeline.read.reader import DEFAULT_PASSWORD
from pipeline.text.values import parse_int, whole_number
from tests import lo

FORM = load_form()
RES = FORM.blocks["results"]
UNIT = FORM.units_by_code["899"]
ROW = FORM.rows_for(RES, UNIT)[0].row  # the district's first category row
FIRST_CATEGORY = FORM.rows_for(RES, UNIT)[0].fixed["category"]
TOTAL_ROW = FORM.total_row(RES, UNIT)
SHEET = RES.sheet
MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_NS = b"http://purl.oclc.org/ooxml/spreadsheetml/main"
REL_NS = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STRICT_REL_NS = b"http://purl.oclc.org/ooxml/officeDocument/relationships"


def col(measure: str) -> str:
    return RES.measure_column(measure)


GIRLS, CASH, CHILDREN = f"{col('girls')}{ROW}", f"{col('cash')}{ROW}", f"{col('children')}{ROW}"
GIRLS_TOTAL = f"{col('girls')}{TOTAL_ROW}"


# ----- rewriting a filled .xlsx the way other writers spell it ---------------------------------
def _part_of(data: bytes, sheet: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        rels = book_parts(Package(data, zf), "xl/workbook.xml").by_id
        return workbook_sheets(zf.read("xl/workbook.xml"), rels)[sheet]


def rewrite(path: Path, edit: Callable[[str, bytes], bytes], out: Path | None = None) -> Path:
    """Rewrite every part of the package through `edit(part name, bytes)`."""
    data = path.read_bytes()
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zi, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zo:
        for info in zi.infolist():
            zo.writestr(info.filename, edit(info.filename, zi.read(info.filename)))
    target = out or path
    target.write_bytes(buf.getvalue())
    return target


def set_cell(path: Path, cell: str, xml: str) -> Path:
    """Replace the <c> element of `cell` in the results sheet by `xml` (Excel's spelling)."""
    part = _part_of(path.read_bytes(), SHEET)
    pattern = re.compile(rb'<c r="' + cell.encode() + rb'"[^>]*?(?:/>|>.*?</c>)', re.S)

    def edit(name: str, body: bytes) -> bytes:
        if name != part:
            return body
        new, count = pattern.subn(xml.encode(), body)
        assert count == 1, f"{cell} not found in {part}"
        return new

    return rewrite(path, edit)


def prefixed(name: str, body: bytes) -> bytes:
    """Sheet XML with the main namespace bound to a prefix (<x:worksheet>, <x:c>)."""
    if not name.startswith("xl/worksheets/"):
        return body
    body = body.replace(b'xmlns="' + MAIN_NS + b'"', b'xmlns:x="' + MAIN_NS + b'"')
    return re.sub(rb"<(/?)([A-Za-z][\w.-]*)(?=[\s/>])", rb"<\1x:\2", body)


def single_quoted(name: str, body: bytes) -> bytes:
    if not name.endswith((".xml", ".rels")):
        return body
    return re.sub(
        rb'(\s[\w:]+)="([^"]*)"', lambda m: m[1] + b"='" + m[2].replace(b"'", b"&apos;") + b"'", body
    )


def strict(name: str, body: bytes) -> bytes:
    if not name.startswith("xl/"):
        return body
    return body.replace(MAIN_NS, STRICT_NS).replace(REL_NS, STRICT_REL_NS)


SPELLINGS = {"excel": lambda n, b: b, "prefixed": prefixed, "single-quoted": single_quoted, "strict": strict}


def findings_at(parsed, cell: str) -> list:
    return [f for f in parsed.findings if f.sheet == SHEET and f.cell == cell]


def record(parsed) -> dict:
    return next(r for r in parsed.rows["results"] if r["row"] == ROW)


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_error_value_in_an_input_cell_rejects_the_file(make_file, spelling):
    path, _ = make_file("899")
    set_cell(path, GIRLS, f'<c r="{GIRLS}" t="e"><f>{CHILDREN}/0</f><v>#DIV/0!</v></c>')
    parsed = parse_path(rewrite(path, SPELLINGS[spelling]), 0, FORM)
    found = findings_at(parsed, GIRLS)
    assert [f.code for f in found] == ["NUMBER_INVALID"] and "#DIV/0!" in found[0].message
    assert parsed.has_errors


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_error_value_in_a_total_cell_is_reported(make_file, spelling):
    path, data = make_file("899")
    set_cell(path, GIRLS_TOTAL, f'<c r="{GIRLS_TOTAL}" t="e"><f>SUM(A1/0)</f><v>#REF!</v></c>')
    parsed = parse_path(rewrite(path, SPELLINGS[spelling]), 0, FORM)
    found = findings_at(parsed, GIRLS_TOTAL)
    assert [f.code for f in found] == ["TOTAL_MISMATCH"] and found[0].value == "#REF!"
    girls = sum(r.get("girls") or 0 for r in data["results"])
    assert sum(r["girls"] or 0 for r in parsed.rows["results"]) == girls  # recomputed, not the error


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_formula_without_cached_value_is_an_error(make_file, spelling):
    path, _ = make_file("899")
    set_cell(path, GIRLS, f'<c r="{GIRLS}"><f>{CHILDREN}/2</f></c>')
    parsed = parse_path(rewrite(path, SPELLINGS[spelling]), 0, FORM)
    assert [f.code for f in findings_at(parsed, GIRLS)] == ["FORMULA_NO_VALUE"]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_formula_returning_empty_text_nothing_calculated_vouches_for_is_no_figure(make_file, spelling):
    """A stored empty text is a result (not a formula without one), but in this file no
    application calculated anything (the filler's report: its totals hold no result), so
    nothing vouches for it: `IF(children=0,"",children)` shows the children once calculated.
    The unit is told to clear the cell if it holds none. LibreOffice's own empty text, its
    totals calculated, is read as blank (`test_libreoffice_formats_float_noise_and_empty_text`)."""
    path, _ = make_file("899")
    set_cell(path, GIRLS, f'<c r="{GIRLS}" t="str"><f>IF({CHILDREN}=0,"",{CHILDREN})</f><v></v></c>')
    parsed = parse_path(rewrite(path, SPELLINGS[spelling]), 0, FORM)
    found = findings_at(parsed, GIRLS)
    assert [f.code for f in found] == ["FORMULA_NO_VALUE"], parsed.findings
    assert "để trống" in found[0].message and "hãy xóa công thức" in found[0].message
    assert record(parsed)["girls"] is None


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_float_noise_is_the_whole_number_the_spreadsheet_shows(make_file, spelling):
    path, data = make_file("899")
    children = next(r for r in data["results"] if r["category"] == FIRST_CATEGORY)["children"]
    stored = children * 150000 * 1.1  # Excel's and LibreOffice's binary result
    shown = children * 165000  # what the cell shows: an exact integer product
    set_cell(path, CASH, f'<c r="{CASH}"><f>{CHILDREN}*150000*1.1</f><v>{stored!r}</v></c>')
    parsed = parse_path(rewrite(path, SPELLINGS[spelling]), 0, FORM)
    assert not parsed.has_errors, parsed.findings
    assert record(parsed)["cash"] == shown
    assert not [f for f in parsed.findings if f.code == "TOTAL_MISMATCH"]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_formatting_only_rows_do_not_count_as_rows(make_file, spelling):
    path, _ = make_file("899")
    before = parse_path(path, 0, FORM)
    part = _part_of(path.read_bytes(), SHEET)
    bordered = b"".join(
        b'<row r="%d"><c r="A%d" s="1"/><c r="J%d" s="1"/></row>' % (r, r, r)
        for r in range(FORM.limits.max_rows - 100, FORM.limits.max_rows + 500)
    )

    def edit(name: str, body: bytes) -> bytes:
        return body.replace(b"</sheetData>", bordered + b"</sheetData>") if name == part else body

    rewrite(path, edit)
    parsed = parse_path(rewrite(path, SPELLINGS[spelling]), 0, FORM)
    assert parsed.findings == before.findings and parsed.rows == before.rows


def test_a_value_beyond_the_row_limit_is_refused_with_its_row(make_file):
    path, _ = make_file("899")
    far = FORM.limits.max_rows + 1
    part = _part_of(path.read_bytes(), SHEET)
    rewrite(
        path,
        lambda n, b: (
            b.replace(b"</sheetData>", b'<row r="%d"><c r="A%d"><v>1</v></c></row></sheetData>' % (far, far))
            if n == part
            else b
        ),
    )
    parsed = parse_path(path, 0, FORM)
    assert [f.code for f in parsed.findings] == ["FILE_TOO_LARGE"]
    assert f"{far:,}".replace(",", ".") in parsed.findings[0].message


# ----- numbers within spreadsheet precision -------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (28215000.000000004, 28215000),
        (0.1 * 3 * 10, 3),
        (1e15 + 0.5, 10**15),
        (7.0, 7),
        (1.5, None),
        (2.25, None),
    ],
)
def test_whole_number_at_fifteen_significant_digits(value, expected):
    assert whole_number(value) == expected
    number, problem, _ = parse_int(value, 10**18)
    assert (
        (number, problem is None) == (expected, True)
        if expected is not None
        else problem[0] == "NUMBER_NOT_INTEGER"
    )


# ----- Excel's default password ---------------------------------------------------------------
@pytest.mark.parametrize(("password", "readable"), [(DEFAULT_PASSWORD, True), ("mat-khau-that", False)])
def test_default_password_is_opened_and_a_real_one_is_refused(make_file, tmp_path, password, readable):
    path, data = make_file("899")
    plain = parse_path(path, 0, FORM)
    encrypted = tmp_path / "khoa.xlsx"
    with path.open("rb") as src, encrypted.open("wb") as out:
        msoffcrypto.OfficeFile(src).encrypt(password, out)
    parsed = parse_path(encrypted, 1, FORM)
    if readable:
        assert parsed.rows == plain.rows and parsed.format == "xlsx"
        assert [(f.code, f.cell) for f in parsed.findings] == [(f.code, f.cell) for f in plain.findings]
    else:
        assert [f.code for f in parsed.findings] == ["FILE_ENCRYPTED"]


# ----- bounded reading ------------------------------------------------------------------------
def test_a_file_over_the_size_limit_is_neither_read_nor_hashed(tmp_path):
    huge = tmp_path / "to.xlsx"
    with huge.open("wb") as fh:  # sparse: 3 GB that nobody may read
        fh.truncate(3 * 1024**3)
    with pytest.raises(ReadProblem) as caught:
        read_bounded(huge, "to.xlsx", FORM.limits)
    assert caught.value.code == "FILE_TOO_LARGE" and caught.value.info.size == 3 * 1024**3
    assert caught.value.info.sha256 == ""
    parsed = parse_path(huge, 0, FORM)
    assert [f.code for f in parsed.findings] == ["FILE_TOO_LARGE"] and parsed.info.size == 3 * 1024**3


def _with_merges(path: Path, refs: list[str], out: Path) -> Path:
    """The results sheet with `refs` merged as a writer spells it (<mergeCells>, after
    <sheetData>; the template's own merges kept), byte for byte otherwise."""
    part = _part_of(path.read_bytes(), SHEET)
    cells = "".join(f'<mergeCell ref="{ref}"/>' for ref in refs)

    def edit(name: str, body: bytes) -> bytes:
        if name != part:
            return body
        if b"<mergeCells" in body:
            return re.sub(rb"<mergeCells[^>]*>", lambda m: m[0] + cells.encode(), body, count=1)
        return body.replace(
            b"</sheetData>", b"</sheetData><mergeCells>" + cells.encode() + b"</mergeCells>", 1
        )

    return rewrite(path, edit, out)


def test_a_merged_range_of_one_cell_hides_nothing(make_file):
    """brk22 F5: older ClosedXML and PhpSpreadsheet write a merge of one cell (<mergeCell
    ref="D8:D8"/>), which Excel and LibreOffice show as the cell itself: refused as
    MERGED_INPUT ("các ô D8:D8 bị gộp") though nothing is hidden. A range of two is still
    refused."""
    path, _ = make_file("899")
    one = parse_path(_with_merges(path, [f"{GIRLS}:{GIRLS}"], path.with_name("one.xlsx")), 0, FORM)
    assert [f.code for f in one.findings if f.code == "MERGED_INPUT"] == []
    assert not one.has_errors, [f.message for f in one.findings]
    two = parse_path(_with_merges(path, [f"{GIRLS}:{CASH}"], path.with_name("two.xlsx")), 0, FORM)
    assert [f.code for f in findings_at(two, GIRLS)] == ["MERGED_INPUT"]


# ----- other formats, as LibreOffice writes them -----------------------------------------------
@pytest.fixture(scope="session")
def converted(tmp_path_factory, template_dir, layout) -> dict[str, dict[str, Path]]:
    """Three reports (an error value, a merged input cell, float noise and empty text) saved
    by LibreOffice as .xlsx, .ods and .xls (recalculated on load)."""
    import random

    from pipeline.filler import fill
    from pipeline.samples import valid_data
    from tests.conftest import template_for

    lo.require_soffice()
    work = tmp_path_factory.mktemp("lo")
    sources = {}
    for case in ("error", "merged", "merged_blank", "noise"):
        data = valid_data(FORM, "899", random.Random("cellfacts"), layout)
        rec = next(r for r in data["results"] if r["category"] == FIRST_CATEGORY)
        rec["children"] = 171
        if case == "error":
            data["raw"] = [(SHEET, GIRLS, f"={CHILDREN}/0")]
        if case == "noise":
            data["raw"] = [
                (SHEET, CASH, f"={CHILDREN}*150000*1.1"),
                (SHEET, GIRLS, f'=IF({CHILDREN}>0,"",1)'),
            ]
        src = work / f"{case}.xlsx"
        fill(template_for(template_dir, FORM, "899"), src, layout, "899", data)
        if case == "merged":
            wb = openpyxl.load_workbook(src)
            wb[SHEET].merge_cells(f"{GIRLS}:{CASH}")
            wb.save(src)
        if case == "merged_blank":  # an empty cell merged over figures kept under it
            blank = work / "blank-first.xlsx"
            fill(
                template_for(template_dir, FORM, "899"),
                blank,
                layout,
                "899",
                {**data, "raw": [(SHEET, GIRLS, None)]},
            )
            src = _with_merges(blank, [f"{GIRLS}:{CASH}"], src)
        sources[case] = src
    out: dict[str, dict[str, Path]] = {}
    for target in ("xlsx", "ods", "xls"):
        outdir = work / target
        outdir.mkdir()
        filt = {"xlsx": f"xlsx:{lo.XLSX_FILTER}", "ods": "ods", "xls": "xls:MS Excel 97"}[target]
        with lo.profile(True) as prof:
            lo.run_office(["--convert-to", filt, "--outdir", str(outdir), *map(str, sources.values())], prof)
        out[target] = {case: outdir / f"{case}.{target}" for case in sources}
    return out


@pytest.mark.libreoffice
@pytest.mark.parametrize("fmt", ["xlsx", "ods", "xls"])
def test_libreoffice_formats_error_value(converted, fmt):
    parsed = parse_path(converted[fmt]["error"], 0, FORM)
    found = findings_at(parsed, GIRLS)
    assert [f.code for f in found] == ["NUMBER_INVALID"] and "#DIV/0!" in found[0].message


@pytest.mark.libreoffice
@pytest.mark.parametrize("fmt", ["xlsx", "ods", "xls"])
def test_libreoffice_formats_merged_input_cell(converted, fmt):
    parsed = parse_path(converted[fmt]["merged"], 0, FORM)
    assert [f.code for f in findings_at(parsed, GIRLS)] == ["MERGED_INPUT"]


@pytest.mark.libreoffice
@pytest.mark.parametrize("fmt", ["xlsx", "ods", "xls"])
def test_an_empty_cell_merged_over_figures_is_refused_in_every_format(converted, fmt):
    """brk35 F2: in an .ods a merge whose first cell is empty was not seen, and the figures
    it hides (the covered cells keep them; LibreOffice shows none) were counted."""
    parsed = parse_path(converted[fmt]["merged_blank"], 0, FORM)
    assert [f.code for f in findings_at(parsed, GIRLS)] == ["MERGED_INPUT"], parsed.findings
    assert parsed.has_errors


@pytest.mark.libreoffice
@pytest.mark.parametrize("fmt", ["xlsx", "ods", "xls"])
def test_libreoffice_formats_float_noise_and_empty_text(converted, fmt):
    parsed = parse_path(converted[fmt]["noise"], 0, FORM)
    assert not parsed.has_errors, parsed.findings
    assert not [f for f in parsed.findings if f.code == "TOTAL_MISMATCH"], parsed.findings
    assert record(parsed)["cash"] == 171 * 165000
    # LibreOffice's .xls export caches an empty-text result as the number 0 (BIFF Formula
    # record), .xlsx and .ods keep the empty text: blank in every format, as LibreOffice
    # shows it (the template's reading cell saw the empty text: `read/witness.py`)
    assert record(parsed)["girls"] is None
