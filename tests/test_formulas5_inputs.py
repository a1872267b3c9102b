"""Issue #25 (round brk5, findings 1, 1b, 3, 4): a formula in an input cell whose stored
result is 0 or blank, and an .ods cell with text but no value type, in every format.

A library that edits a calculated report without calculating (Apache POI's HSSF setting a
formula, SheetJS writing `{t: "n", f: …}`, XlsxWriter, a byte-level writer) keeps the
other formulas' results and stores 0 (or nothing, or a blank) as the new formula's: Excel
and LibreOffice calculate and show the figure, the pipeline read the stored 0 or blank as
the figure, silently. Now such a cell is `FORMULA_NO_VALUE` at the cell, whatever the rest
of the file stores (a formula whose figure really is 0 has to be typed 0: the message says
so). And an .ods cell written `<table:table-cell><text:p>612</text:p>` (no value type, as
simple ODF generators write text) is the text LibreOffice shows, read with the usual
"number typed as text" warning, not blank.

Inputs: unit 899's report filled by the project's filler, calculated and saved by
LibreOffice as .xls, .xlsx and .ods; then edited by Apache POI's HSSF (Debian's
libapache-poi-java, a small Java program compiled here), by SheetJS under Node
(`$SHEETJS_DIR`), or rewritten member by member in the zip package as the writers above
write the cell.
"""

from __future__ import annotations

import io
import random
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import python_calamine as pc
from lxml import etree

from pipeline.filler import fill
from pipeline.form import cell_at, load_form
from pipeline.read.formats.biff import uncalculated, workbook_stream
from pipeline.read.formats.ods import OFFICE_NS, TABLE_NS, TEXT_NS, ods_values
from pipeline.read.parse import parse_path
from pipeline.rules.catalogue import ERROR
from pipeline.run.consolidate import run
from pipeline.run.result import FileStatus, UnitStatus
from pipeline.samples import valid_data
from tests import lo
from tests.conftest import template_for
from tests.test_uncalculated_biff import _xlsb, _zero

FORM = load_form()
RES = FORM.blocks["results"]
INFO = FORM.sheets["info"]
UNIT = FORM.units_by_code["899"]
ROWS = FORM.rows_for(RES, UNIT)
CASH = f"{RES.measure_column('cash')}{ROWS[0].row}"  # rewritten as a formula of its own figure
TURNS = f"{RES.measure_column('turns')}{ROWS[0].row}"  # written as untyped .ods text
ACTIVITIES = FORM.info_field("activities").cell  # a count on the information sheet


def _figures(path: Path) -> tuple[list[str], dict[str, Any]]:
    """The findings (code sheet!cell, sorted) and the rows read, by block."""
    p = parse_path(path, 1, FORM)
    rows = {b: [(r.row, r.measures) for r in recs] for b, recs in p.rows.items()}
    return sorted(f"{f.code} {f.sheet}!{f.cell}" for f in p.findings), rows


def _measure(rows: dict[str, Any], row: int, key: str) -> Any:
    found = [m for r, m in rows[RES.key] if r == row]
    return found[0][key] if found else None


def _no_value_at(path: Path, sheet: str, cell: str) -> str:
    """The message of the one error of `path`, a FORMULA_NO_VALUE at `sheet`!`cell`."""
    p = parse_path(path, 1, FORM)
    errors = [f for f in p.findings if f.severity == ERROR]
    assert [(f.code, f.sheet, f.cell) for f in errors] == [("FORMULA_NO_VALUE", sheet, cell)], p.findings
    return errors[0].message


@pytest.fixture(scope="module")
def made(
    tmp_path_factory: pytest.TempPathFactory, template_dir: Path, layout: dict[str, Any]
) -> dict[str, Any]:
    """The filler's report ("src", .xlsx) and LibreOffice's calculated saves of it ("xls",
    "xlsx", "ods"); "amount": the figure in CASH, "turns": the one in TURNS."""
    lo.require_soffice()
    out = tmp_path_factory.mktemp("formulas5")
    data = valid_data(FORM, "899", random.Random("899-4"), layout)
    src = fill(template_for(template_dir, FORM, "899"), out / "src" / "899.xlsx", layout, "899", data)
    ws = openpyxl.load_workbook(src)[RES.sheet]
    amount, turns = ws[CASH].value, ws[TURNS].value
    assert isinstance(amount, int) and amount > 0 and isinstance(turns, int) and turns > 0
    files: dict[str, Any] = {"src": src, "amount": amount, "turns": turns}
    for target, suffix in (("xls", "xls"), (f"xlsx:{lo.XLSX_FILTER}", "xlsx"), ("ods", "ods")):
        with lo.profile(recalc=True) as prof:
            done = lo.run_office(["--convert-to", target, "--outdir", str(out / suffix), str(src)], prof)
        files[suffix] = out / suffix / f"899.{suffix}"
        assert files[suffix].is_file(), (done.stdout, done.stderr)
    return files


def _zip_rewrite(src: Path, out: Path, edit: Callable[[str, bytes], bytes]) -> Path:
    """`src` (a zip package) with each member replaced by `edit(name, data)`, in order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(buffer, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, edit(info.filename, data), compress_type=info.compress_type)
    out.write_bytes(buffer.getvalue())
    return out


# ----- .xls: Apache POI's HSSF sets a formula and does not evaluate it ----------------------
_POI_FORMULA = """
import java.io.*;
import org.apache.poi.hssf.usermodel.*;
import org.apache.poi.ss.usermodel.*;
import org.apache.poi.ss.util.CellReference;

public class PoiFormula {
    // args: in.xls out.xls sheet-index A1 kind text: kind "f" sets the formula `text`, "n"
    // the number `text`; nothing is evaluated
    public static void main(String[] args) throws Exception {
        HSSFWorkbook wb;
        try (InputStream in = new FileInputStream(args[0])) { wb = new HSSFWorkbook(in); }
        CellReference ref = new CellReference(args[3]);
        Sheet sheet = wb.getSheetAt(Integer.parseInt(args[2]));
        Cell cell = sheet.getRow(ref.getRow()).getCell(ref.getCol());
        if (args[4].equals("f")) cell.setCellFormula(args[5]);
        else cell.setCellValue(Double.parseDouble(args[5]));
        try (OutputStream out = new FileOutputStream(args[1])) { wb.write(out); }
    }
}
"""
_POI_JARS = ("poi.jar", "commons-collections4.jar", "commons-math3.jar", "commons-codec.jar")


def _poi_formula(src: Path, out: Path, sheet: str, cell: str, formula: str, kind: str = "f") -> Path:
    """`src` (.xls) opened by POI's HSSF, `formula` set in `sheet`!`cell` (with `kind` "n",
    the number it spells), saved as `out`."""
    javac = lo.require("javac", shutil.which("javac"), "default-jdk-headless")
    jars = [Path("/usr/share/java") / jar for jar in _POI_JARS]
    lo.require(
        "Apache POI (/usr/share/java/poi.jar)",
        "found" if all(j.is_file() for j in jars) else None,
        "libapache-poi-java",
    )
    work = out.parent / "poi"
    work.mkdir(exist_ok=True)
    (work / "PoiFormula.java").write_text(_POI_FORMULA, encoding="utf-8")
    path = ":".join(map(str, jars))
    subprocess.run([javac, "-cp", path, "-d", work, work / "PoiFormula.java"], check=True, timeout=120)
    index = [s.name for s in pc.CalamineWorkbook.from_path(str(src)).sheets_metadata].index(sheet)
    java = shutil.which("java") or "java"
    subprocess.run(
        [java, "-cp", f"{path}:{work}", "PoiFormula", src, out, str(index), cell, kind, formula],
        check=True,
        timeout=120,
    )
    return out


@pytest.mark.libreoffice
def test_poi_hssf_formula_in_an_input_cell_is_no_figure(made: dict[str, Any], tmp_path: Path) -> None:
    """LibreOffice's .xls edited by POI's HSSF: the cash set to =<its figure>*1, not
    evaluated. POI stores 0 as its result and keeps every other formula's (so the file is
    not taken for one never calculated); LibreOffice shows the figure. A formula without a
    value at the cell, never 0; the file is rejected, so no 0 reaches the consolidation."""
    poi = _poi_formula(made["xls"], tmp_path / "899-poi.xls", RES.sheet, CASH, f"{made['amount']}*1")
    stream = workbook_stream(poi.read_bytes())
    assert stream is not None and not uncalculated(*stream, lambda _name: True)
    row, col = cell_at(CASH)
    assert pc.CalamineWorkbook.from_path(str(poi)).get_sheet_by_name(RES.sheet).to_python()[row][col] == 0
    message = _no_value_at(poi, RES.sheet, CASH)
    assert "kết quả lưu trong tệp là 0" in message and "nếu số đúng là 0, hãy gõ 0" in message
    assert _measure(_figures(poi)[1], ROWS[0].row, "cash") is None
    assert _figures(made["xls"]) == ([], _figures(made["src"])[1])  # LibreOffice's own file
    (tmp_path / "inbox").mkdir()
    shutil.copy(poi, tmp_path / "inbox" / poi.name)
    report = run(FORM, tmp_path / "inbox", tmp_path / "out", show_progress=False, workers=1)
    unit = next(u for u in report.units if u.code == "899")
    assert unit.status == UnitStatus.REJECTED and unit.file is None
    assert [f.status for f in report.files] == [FileStatus.REJECTED]


@pytest.mark.libreoffice
def test_a_total_stale_in_the_file_is_said_to_be_so(made: dict[str, Any], tmp_path: Path) -> None:
    """POI's HSSF writes a new cash figure and does not recalculate: the file keeps the old
    totals, which LibreOffice (and Excel) replace on opening by the ones the pipeline
    recomputes. The warning says so: if the cell shows the recomputed total, the file was
    saved without recalculating and there is nothing to fix."""
    new = made["amount"] + 1000
    poi = _poi_formula(made["xls"], tmp_path / "899-poi.xls", RES.sheet, CASH, str(new), kind="n")
    p = parse_path(poi, 1, FORM)
    assert not p.has_errors and _measure(_figures(poi)[1], ROWS[0].row, "cash") == new
    stale = [f for f in p.findings if f.code == "TOTAL_MISMATCH"]
    assert stale and all(f.sheet == RES.sheet for f in stale)
    with lo.profile(recalc=True) as prof:
        lo.run_office(
            ["--convert-to", f"xlsx:{lo.XLSX_FILTER}", "--outdir", str(tmp_path / "lo"), str(poi)], prof
        )
    shown = openpyxl.load_workbook(tmp_path / "lo" / "899-poi.xlsx", data_only=True)[RES.sheet]
    for f in stale:
        total = f"{shown[f.cell].value:,}".replace(",", ".")  # what LibreOffice shows, recalculated
        assert f"tính lại từ các ô nhập là {total};" in f.message
        assert f"nếu mở tệp thấy ô này là {total} thì tệp đã được lưu mà chưa tính lại công thức" in f.message


# ----- SheetJS: a formula written as {t: "n", f: …}, never calculated ------------------------
_SHEETJS_FORMULA = (
    "const X = require(process.argv[1] + '/node_modules/xlsx');"
    "const wb = X.readFile(process.argv[2]);"
    "wb.Sheets[process.argv[3]][process.argv[4]] = {t: 'n', f: process.argv[5]};"
    "X.writeFile(wb, process.argv[6], {bookType: 'ods'});"
    "X.writeFile(wb, process.argv[7], {bookType: 'xlsx'});"
)


@pytest.mark.libreoffice
def test_sheetjs_formula_in_an_input_cell_is_no_figure(made: dict[str, Any], tmp_path: Path) -> None:
    """A script with SheetJS sets the cash to a formula of its figure and writes .ods
    (`table:formula` with office:value="0") and .xlsx (`<f>` without `<v>`): a formula
    without a value at the cell in both, never 0."""
    node, folder = lo.require_sheetjs()
    ods, xlsx = tmp_path / "899-sheetjs.ods", tmp_path / "899-sheetjs.xlsx"
    formula = f"{made['amount']}*1"
    args = [node, "-e", _SHEETJS_FORMULA, folder, made["xlsx"], RES.sheet, CASH, formula, ods, xlsx]
    subprocess.run(args, check=True, timeout=120)
    with zipfile.ZipFile(ods) as zf:
        content = zf.read("content.xml").decode()
    assert f'table:formula="of:={formula}" office:value-type="float" office:value="0"' in content
    assert "nếu số đúng là 0, hãy gõ 0" in _no_value_at(ods, RES.sheet, CASH)
    assert "không có giá trị" in _no_value_at(xlsx, RES.sheet, CASH)
    assert _measure(_figures(ods)[1], ROWS[0].row, "cash") is None


# ----- .ods: the cell rewritten as other writers write it -------------------------------------
_T, _O, _X = f"{{{TABLE_NS}}}", f"{{{OFFICE_NS}}}", f"{{{TEXT_NS}}}"


def _ods_cell(root: etree._Element, sheet: str, a1: str) -> etree._Element:
    """The table:table-cell at `a1` of the table `sheet` (one neither its row nor itself
    repeated)."""
    r, c = cell_at(a1)
    table = next(t for t in root.iter(f"{_T}table") if t.get(f"{_T}name") == sheet)
    at = 0
    for row in table.iter(f"{_T}table-row"):
        n = int(row.get(f"{_T}number-rows-repeated", "1"))
        if at <= r < at + n:
            assert n == 1
            col = 0
            for cell in row.iterchildren(f"{_T}table-cell", f"{_T}covered-table-cell"):
                m = int(cell.get(f"{_T}number-columns-repeated", "1"))
                if col <= c < col + m:
                    assert m == 1
                    return cell
                col += m
        at += n
    raise AssertionError(f"no cell {a1}")


def _ods_rewrite(src: Path, out: Path, a1: str, attrs: dict[str, str], paragraphs: list[str | None]) -> Path:
    """LibreOffice's .ods with the cell `a1` of the results sheet holding only its style
    and validation, then `attrs` and one text:p per item of `paragraphs` (None: an
    office:annotation holding that paragraph, "ghi chú")."""

    def edit(name: str, data: bytes) -> bytes:
        if name != "content.xml":
            return data
        root = etree.fromstring(data)
        cell = _ods_cell(root, RES.sheet, a1)
        for key in list(cell.attrib):
            if not key.endswith(("}style-name", "}content-validation-name")):
                del cell.attrib[key]
        for child in list(cell):
            cell.remove(child)
        for key, value in attrs.items():
            cell.set(key, value)
        for text in paragraphs:
            if text is None:
                note = etree.SubElement(cell, f"{_O}annotation")
                etree.SubElement(note, f"{_X}p").text = "ghi chú"
            else:
                etree.SubElement(cell, f"{_X}p").text = text
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")

    return _zip_rewrite(src, out, edit)


@pytest.mark.libreoffice
@pytest.mark.parametrize(
    ("name", "typed", "text", "said"),
    [
        ("sheetjs-zero", True, "0", "kết quả lưu trong tệp là 0"),  # SheetJS's spelling
        ("no-type-empty-text", False, "", "kết quả lưu trong tệp để trống"),  # a byte variant
    ],
)
def test_ods_formula_in_an_input_cell_is_no_figure(
    made: dict[str, Any], tmp_path: Path, name: str, typed: bool, text: str | None, said: str
) -> None:
    """The cash as a formula of its figure whose stored result is 0, empty text (how
    LibreOffice writes an empty-text result: no value type, an empty text:p) or nothing:
    a formula without a value at the cell, never 0 or blank, whatever the other formulas
    store."""
    attrs = {f"{_T}formula": f"of:={made['amount']}*1"}
    if typed:
        attrs |= {f"{_O}value-type": "float", f"{_O}value": "0"}
    out = _ods_rewrite(made["ods"], tmp_path / f"899-{name}.ods", CASH, attrs, [] if text is None else [text])
    assert said in _no_value_at(out, RES.sheet, CASH)
    assert _measure(_figures(out)[1], ROWS[0].row, "cash") is None


@pytest.mark.libreoffice
def test_ods_text_without_a_value_type_is_read_as_text(made: dict[str, Any], tmp_path: Path) -> None:
    """The turns written `<table:table-cell><text:p>N</text:p>` (no value type), beside a
    comment: LibreOffice shows the text N; read as N typed as text (the usual warning at the
    cell), by the value reader and by our own .ods reader alike, never blank; the comment's
    text is not the cell's."""
    turns = made["turns"]
    out = _ods_rewrite(made["ods"], tmp_path / "899-untyped.ods", TURNS, {}, [None, str(turns)])
    found, rows = _figures(out)
    assert found == [f"NUMBER_FROM_TEXT {RES.sheet}!{TURNS}"]
    assert rows == _figures(made["src"])[1] and _measure(rows, ROWS[0].row, "turns") == turns
    with zipfile.ZipFile(out) as zf:
        own = ods_values(zf.read("content.xml"), lambda name: name == RES.sheet).rows[RES.sheet]
    row, col = cell_at(TURNS)
    assert own[row][col] == str(turns)


# ----- .xlsx, .xlsb: the cell's record rewritten ----------------------------------------------
def _sheet_part(xlsx: Path, sheet: str) -> str:
    """The part of `sheet` in LibreOffice's .xlsx (it names them in order)."""
    name = (
        f"xl/worksheets/sheet{openpyxl.load_workbook(xlsx, read_only=True).sheetnames.index(sheet) + 1}.xml"
    )
    with zipfile.ZipFile(xlsx) as zf:
        assert name in zf.namelist()
    return name


def _xlsx_rewrite(
    src: Path, out: Path, sheet: str, a1: str, inner: str, *, flag: bool = False, tree: bool = False
) -> Path:
    """LibreOffice's .xlsx with the cell `a1` of `sheet` (blank or not) holding `inner` (its type from
    `inner`'s own t="…" prefix, if any: `t="str"|<f>…`); with `flag`, calcPr's
    fullCalcOnLoad set (XlsxWriter's way to ask for calculation); with `tree`, a comment in
    the part, which steps aside from the plain path (the facts from the lxml walk)."""
    part = _sheet_part(src, sheet)
    kind, _, inner = inner.rpartition("|")

    def edit(name: str, data: bytes) -> bytes:
        if name == part:
            pattern = re.compile(rf'<c r="{a1}"((?: [a-z]+="[^"]*")*)(?:/>|>.*?</c>)'.encode())
            match = pattern.search(data)
            assert match is not None
            attrs = re.sub(rb' t="[^"]*"', b"", match.group(1)) + (f" {kind}".encode() if kind else b"")
            data = (
                data[: match.start()]
                + f'<c r="{a1}"'.encode()
                + attrs
                + b">"
                + inner.encode()
                + b"</c>"
                + data[match.end() :]
            )
            if tree:
                data = data.replace(b"<sheetData>", b"<sheetData><!-- rewritten -->", 1)
        elif name == "xl/workbook.xml" and flag:
            assert b"<calcPr " in data
            data = data.replace(b"<calcPr ", b'<calcPr fullCalcOnLoad="1" ', 1)
        return data

    return _zip_rewrite(src, out, edit)


@pytest.mark.libreoffice
@pytest.mark.parametrize(
    ("name", "inner", "flag", "tree", "said"),
    [
        ("zero", "<f>{amount}*1</f><v>0</v>", False, False, "là 0"),
        ("zero-fullcalc", "<f>{amount}*1</f><v>0</v>", True, False, "là 0"),  # XlsxWriter's way
        ("zero-tree", "<f>{amount}*1</f><v>0</v>", False, True, "là 0"),
        ("empty-text", 't="str"|<f>{amount}*1</f><v></v>', False, False, "để trống"),
        ("empty-text-tree", 't="str"|<f>{amount}*1</f><v></v>', False, True, "để trống"),
    ],
)
def test_xlsx_formula_storing_zero_in_an_input_cell_is_no_figure(
    made: dict[str, Any], tmp_path: Path, name: str, inner: str, flag: bool, tree: bool, said: str
) -> None:
    """The cash as a formula storing 0 or empty text, every other formula keeping
    LibreOffice's result, with or without fullCalcOnLoad, by the plain path and the lxml
    walk: a formula without a value at the cell, never 0."""
    src = made["xlsx"]
    out = _xlsx_rewrite(
        src,
        tmp_path / f"899-{name}.xlsx",
        RES.sheet,
        CASH,
        inner.format(amount=made["amount"]),
        flag=flag,
        tree=tree,
    )
    assert said in _no_value_at(out, RES.sheet, CASH)
    assert _measure(_figures(out)[1], ROWS[0].row, "cash") is None


@pytest.mark.libreoffice
def test_a_count_on_the_information_sheet_storing_zero_is_no_figure(
    made: dict[str, Any], tmp_path: Path
) -> None:
    """The information sheet's count of activities as a formula storing 0: a formula
    without a value at its cell, as in the blocks. What stays as it was: a formula in an
    input cell storing its figure is that figure, and the template's own formulas storing 0
    (the totals of empty rows) are no finding; LibreOffice's files read as the report."""
    out = _xlsx_rewrite(made["xlsx"], tmp_path / "899-info.xlsx", INFO, ACTIVITIES, "<f>3*1</f><v>0</v>")
    assert "nếu số đúng là 0, hãy gõ 0" in _no_value_at(out, INFO, ACTIVITIES)
    want = _figures(made["src"])
    for kind in ("xlsx", "ods", "xls"):
        assert _figures(made[kind]) == ([], want[1]), kind
    amount = made["amount"]
    kept = _xlsx_rewrite(
        made["xlsx"], tmp_path / "899-kept.xlsx", RES.sheet, CASH, f"<f>{amount}*1</f><v>{amount}</v>"
    )
    assert _figures(kept) == ([], want[1])


@pytest.mark.libreoffice
def test_xlsb_formula_storing_zero_in_an_input_cell_is_no_figure(
    made: dict[str, Any], tmp_path: Path
) -> None:
    """SheetJS's .xlsb of LibreOffice's file with the cash written as a formula record
    storing 0 (no fFullCalcOnLoad): a formula without a value at the cell, never 0."""
    sheetjs = lo.sheetjs_convert(made["xlsx"], tmp_path / "sheetjs.xlsb", "xlsb")
    out = _xlsb(sheetjs, tmp_path / "899-zero.xlsb", {RES.sheet: {cell_at(CASH)}}, _zero, on_load=False)
    assert "là 0" in _no_value_at(out, RES.sheet, CASH)
    assert _measure(_figures(out)[1], ROWS[0].row, "cash") is None


# ----- nothing calculated to vouch for the 0; a row of formulas' zeros is an unused row -------
@pytest.mark.libreoffice
def test_a_zero_no_calculated_total_vouches_for_is_no_figure(made: dict[str, Any], tmp_path: Path) -> None:
    """SheetJS writes the formula into the filler's report, which no application ever
    calculated (its totals hold no result): the 0 it stores has nothing to be judged by, so
    it is no figure (before: accepted with the cash 0, LibreOffice showing the amount)."""
    node, folder = lo.require_sheetjs()
    ods, xlsx = tmp_path / "899-never.ods", tmp_path / "899-never.xlsx"
    formula = f"{made['amount']}*1"
    args = [node, "-e", _SHEETJS_FORMULA, folder, made["src"], RES.sheet, CASH, formula, ods, xlsx]
    subprocess.run(args, check=True, timeout=120)
    p = parse_path(ods, 1, FORM)
    assert not [f for f in p.findings if f.code == "TOTAL_MISMATCH"]  # no total holds a result
    assert "nếu số đúng là 0, hãy gõ 0" in _no_value_at(ods, RES.sheet, CASH)


@pytest.mark.libreoffice
def test_formulas_filled_down_an_unused_row_of_an_xls_are_no_row(
    made: dict[str, Any], tmp_path: Path
) -> None:
    """The unit clears the last row and fills `=IF(D…=0;"";D…*1000)` down into it; LibreOffice
    calculates and saves .xls, storing the empty text as 0 (and .xlsx, .ods as empty text):
    the row is unused in every format, no finding (before: a row of zeros in the .xls)."""
    last = ROWS[-1].row
    wb = openpyxl.load_workbook(made["src"])
    ws = wb[RES.sheet]
    children = RES.measure_column("children")
    for m in RES.measures:
        ws[f"{RES.measure_column(m.key)}{last}"] = None
    ws[f"{RES.measure_column('cash')}{last}"] = f'=IF({children}{last}=0,"",{children}{last}*1000)'
    edited = tmp_path / "edited" / "899.xlsx"
    edited.parent.mkdir()
    wb.save(edited)
    for target, suffix in (("xls", "xls"), (f"xlsx:{lo.XLSX_FILTER}", "xlsx"), ("ods", "ods")):
        with lo.profile(recalc=True) as prof:
            lo.run_office(["--convert-to", target, "--outdir", str(tmp_path / suffix), str(edited)], prof)
        saved = tmp_path / suffix / f"899.{suffix}"
        p = parse_path(saved, 1, FORM)
        assert last not in {r.row for r in p.rows[RES.key]}, suffix
        assert not p.findings, (suffix, p.findings)
