"""Issue #25 (round w3, bugs 2 and 3): .xls and .xlsb files whose writer never calculated
their formulas are read as formulas without results, as the .xlsx counterpart is
(tests/test_reading_stale_results.py, `read/formats/results.py`).

Apache POI's HSSF (not evaluating) stores 0 for every formula and no RecalcId record;
xlwt stores the blank result; Aspose.Cells (not calculating) stores empty text, writes a
RecalcId and marks each sheet Uncalced, and in an .xlsb sets BrtCalcProp's
fFullCalcOnLoad. Excel and LibreOffice calculate such files on opening; the pipeline used
to read the stored 0 or blank as the figure (a formula typed in an input cell, an =1/0
read 0), with a "total in the file is 0" warning at every template total.

Inputs: templates filled by the project's filler, calculated and saved as .xls by
LibreOffice, then
- written again by xlwt itself (every value, number format, and the formulas xlwt can
  parse), as xlwt writes any file, and by Apache POI's HSSF (Debian's
  libapache-poi-java, a small Java program compiled here) copying it cell by cell into a
  new workbook without evaluating;
- rewritten record by record as POI writes it (every Formula result 0, no String record,
  no RecalcId) and as Aspose.Cells writes it (every result empty text, RecalcId kept,
  an Uncalced record in each sheet), the stream put back in a compound file by xlwt's
  own writer;
- as .xlsb: SheetJS's file of the calculated workbook (values only) with the cells that
  hold a formula written back as formula records storing 0 or empty text, and
  fFullCalcOnLoad set, as Aspose.Cells writes it.
A file that was calculated (LibreOffice's, Gnumeric's, the same records with their
results) reads as it always did, and so does one storing only 0 that says it was
calculated (a RecalcId and no Uncalced record; no fFullCalcOnLoad).
"""

from __future__ import annotations

import datetime as dt
import io
import random
import shutil
import struct
import subprocess
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import olefile
import openpyxl
import pytest
import xlwt
from openpyxl.worksheet.formula import ArrayFormula
from xlwt.CompoundDoc import XlsDoc

from pipeline.filler import fill
from pipeline.form import load_form
from pipeline.read.formats.biff import rk_number, uncalculated, workbook_stream
from pipeline.read.formats.package import relationships
from pipeline.read.formats.xlsb import calc_on_load, formulas_calculated, xlsb_records, xlsb_sheets
from pipeline.read.parse import parse_path
from pipeline.samples import valid_data
from tests import lo
from tests.conftest import template_for

FORM = load_form()
RES = FORM.blocks["results"]
UNIT = FORM.units_by_code["899"]
ROWS = FORM.rows_for(RES, UNIT)
CASH = f"{RES.measure_column('cash')}{ROWS[0].row}"  # typed as =amount/2*2+…
GIRLS = f"{RES.measure_column('girls')}{ROWS[1].row}"  # typed as =1/0


def _figures(path: Path) -> tuple[list[str], dict[str, Any], Any]:
    """The findings (code sheet!cell, sorted), the rows read and the information row."""
    p = parse_path(path, 1, FORM)
    rows = {b: [(r.row, r.key, r.measures) for r in recs] for b, recs in p.rows.items()}
    return sorted(f"{f.code} {f.sheet}!{f.cell}" for f in p.findings), rows, p.info_row


def _codes(path: Path) -> list[str]:
    return sorted({f.code for f in parse_path(path, 1, FORM).findings})


@pytest.fixture(scope="module")
def made(
    tmp_path_factory: pytest.TempPathFactory, template_dir: Path, layout: dict[str, Any]
) -> dict[str, Path]:
    """The unit's report filled as is ("plain") and with two inputs typed as formulas
    ("typed": the cash =…*2+…, the girls =1/0), each as the filler writes it (.xlsx, no
    stored results) and as LibreOffice calculates and saves it (.xls, .xlsx)."""
    lo.require_soffice()
    out = tmp_path_factory.mktemp("uncalculated")
    template = template_for(template_dir, FORM, "899")
    files: dict[str, Path] = {}
    for name in ("plain", "typed"):
        data = valid_data(FORM, "899", random.Random("899-4"), layout)
        files[name] = fill(template, out / "src" / f"{name}.xlsx", layout, "899", data)
    wb = openpyxl.load_workbook(files["typed"])
    amount = wb[RES.sheet][CASH].value
    assert isinstance(amount, int) and amount > 0
    wb[RES.sheet][CASH] = f"={amount // 2}*2+{amount % 2}"
    wb[RES.sheet][GIRLS] = "=1/0"
    wb.save(files["typed"])
    sources = [str(files[n]) for n in ("plain", "typed")]
    for target, folder in (("xls", "xls"), (f"xlsx:{lo.XLSX_FILTER}", "xlsx")):
        with lo.profile(recalc=True) as prof:
            done = lo.run_office(["--convert-to", target, "--outdir", str(out / folder), *sources], prof)
        for name in ("plain", "typed"):
            got = out / folder / f"{name}.{folder}"
            assert got.is_file(), (done.stdout, done.stderr)
            files[f"{name}.{folder}"] = got
    return files


# ----- .xls: the records of the workbook stream, rewritten ---------------------------------
_FORMULA, _STRING, _RECALCID, _UNCALCED, _BOF, _EOF, _BOUNDSHEET = 0x06, 0x207, 0x1C1, 0x5E, 0x809, 0x0A, 0x85
_FORMULA_PARTS = {0x04BC, 0x0221, 0x0236, 0x003C}  # SHRFMLA, ARRAY, TABLE, CONTINUE
Record = tuple[int, bytes]
_EMPTY_TEXT = b"\x00\x00\x00"  # a String record's XLUnicodeString: no character, one byte wide


def _records(stream: bytes) -> Iterator[tuple[int, int, bytes]]:
    """(offset, record type, body) of every record of a workbook stream."""
    pos = 0
    while pos + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, pos)
        yield pos, kind, stream[pos + 4 : pos + 4 + length]
        pos += 4 + length


def _rewritten(xls: Path, out: Path, edit: Callable[[int, bytes, bool], list[Record]]) -> Path:
    """`xls` with each record of its workbook stream replaced by what `edit(kind, body,
    in_sheet)` gives (none, itself, or others after it), the sheets' offsets in their
    BoundSheet8 records moved to where their BOF now is, and the stream saved in a compound
    file by xlwt's writer (other streams, the document's properties, left out)."""
    with olefile.OleFileIO(str(xls)) as ole:
        stream = ole.openstream("Workbook").read()
    sheets = {struct.unpack_from("<I", body)[0] for _, kind, body in _records(stream) if kind == _BOUNDSHEET}
    new: list[tuple[int | None, int, bytes]] = []  # (old offset of a sheet's BOF, kind, body)
    inside = False
    for pos, kind, body in _records(stream):
        if kind == _BOF:
            inside = pos in sheets
        for at, (k, b) in enumerate(edit(kind, body, inside)):
            new.append((pos if kind == _BOF and at == 0 else None, k, b))
        if kind == _EOF:
            inside = False
    moved, pos = {}, 0
    for old, _kind, body in new:
        if old is not None:
            moved[old] = pos
        pos += 4 + len(body)
    data = bytearray()
    for _, kind, body in new:
        if kind == _BOUNDSHEET:
            body = struct.pack("<I", moved[struct.unpack_from("<I", body)[0]]) + body[4:]
        data += struct.pack("<HH", kind, len(body)) + body
    XlsDoc().save(str(out), bytes(data))
    return out


def _as_poi(kind: int, body: bytes, inside: bool) -> list[Record]:
    """POI's HSSF not evaluating: every Formula result the number 0, no String record (a
    text result), no RecalcId."""
    if kind == _FORMULA:
        return [(kind, body[:6] + struct.pack("<d", 0) + body[14:])]
    if kind in (_STRING, _RECALCID):
        return []
    return [(kind, body)]


def _as_aspose() -> Callable[[int, bytes, bool], list[Record]]:
    """Aspose.Cells not calculating: every Formula result empty text (type 0, an empty
    String record after the formula's parts), RecalcId kept, an Uncalced record first in
    each sheet."""
    pending = False  # a formula whose String record is still to come

    def edit(kind: int, body: bytes, inside: bool) -> list[Record]:
        nonlocal pending
        out: list[Record] = []
        if pending and kind not in _FORMULA_PARTS:
            pending = False
            if kind != _STRING:  # a number, Boolean or error result had none: one is added
                out.append((_STRING, _EMPTY_TEXT))
        if kind == _FORMULA:
            pending = True
            return [*out, (kind, body[:6] + bytes(6) + b"\xff\xff" + body[14:])]
        if kind == _STRING:
            return [*out, (kind, _EMPTY_TEXT)]
        if kind == _BOF and inside:
            return [*out, (kind, body), (_UNCALCED, b"\x00\x00")]
        return [*out, (kind, body)]

    return edit


def _stream(xls: Path) -> tuple[bytes, bool]:
    found = workbook_stream(xls.read_bytes())
    assert found is not None
    return found


def _every_sheet(_name: str) -> bool:
    return True


@pytest.mark.libreoffice
def test_a_template_copied_without_calculating_reads_as_its_source(
    made: dict[str, Path], tmp_path: Path
) -> None:
    """LibreOffice's .xls of the report, its records rewritten as POI writes them (every
    total 0, the text checks without text, no RecalcId): the totals are recomputed with no
    'tổng ghi trong tệp là 0' warning; read as the source and as LibreOffice's file."""
    calculated = made["plain.xls"]
    poi = _rewritten(calculated, tmp_path / "899-poi.xls", _as_poi)
    assert not uncalculated(*_stream(calculated), _every_sheet)
    assert uncalculated(*_stream(poi), _every_sheet)
    want = _figures(made["plain"])
    assert want[0] == [] and sum(len(r) for r in want[1].values()) > 0
    assert _figures(calculated) == want
    assert _figures(poi) == want


@pytest.mark.libreoffice
def test_formulas_typed_in_inputs_are_formulas_without_a_value(made: dict[str, Path], tmp_path: Path) -> None:
    """The cash typed =…*2+… and the girls =1/0, in files whose writer did not calculate
    (POI's 0, Aspose's empty text): a formula without a value at each, as in the filler's
    .xlsx (no stored result); never the stored 0 or blank read as the figure. LibreOffice's
    calculated .xls reads as it always did: the cash figure, #DIV/0! an invalid number."""
    source = made["typed"]
    want = _figures(source)
    assert want[0] == sorted(f"FORMULA_NO_VALUE {RES.sheet}!{cell}" for cell in (CASH, GIRLS))
    poi = _rewritten(made["typed.xls"], tmp_path / "899-poi.xls", _as_poi)
    aspose = _rewritten(made["typed.xls"], tmp_path / "899-aspose.xls", _as_aspose())
    assert _figures(poi) == want
    assert _figures(aspose) == want
    calculated = _figures(made["typed.xls"])
    assert calculated[0] == [f"NUMBER_INVALID {RES.sheet}!{GIRLS}"]
    cash = [r for r in calculated[1][RES.key] if r[0] == ROWS[0].row]
    assert (
        cash
        and cash[0][2]["cash"]
        == openpyxl.load_workbook(made["typed.xlsx"], data_only=True)[RES.sheet][CASH].value
    )


@pytest.mark.libreoffice
def test_the_file_says_whether_it_was_calculated(made: dict[str, Path], tmp_path: Path) -> None:
    """Results all 0 are taken for results never calculated only when the file says an
    application is to calculate them: no RecalcId (POI), or an Uncalced sheet (Aspose). The
    same zeros with LibreOffice's RecalcId kept (a writer that says it calculated) read as
    stored, as they always did: the totals' warnings (the typed cash, a formula storing 0 in
    an input cell, is a formula without a value there all the same); and a file
    without RecalcId whose results were calculated (Gnumeric's, LibreOffice's records with
    the RecalcId dropped) reads as its source."""

    def zeros_kept_recalc_id(kind: int, body: bytes, inside: bool) -> list[Record]:
        return (
            []
            if kind == _STRING
            else [(kind, body[:6] + bytes(8) + body[14:])]
            if kind == _FORMULA
            else [(kind, body)]
        )

    def zeros_marked_uncalced(kind: int, body: bytes, inside: bool) -> list[Record]:
        out = zeros_kept_recalc_id(kind, body, inside)
        return [*out, (_UNCALCED, b"\x00\x00")] if kind == _BOF and inside else out

    def no_recalc_id(kind: int, body: bytes, inside: bool) -> list[Record]:
        return [] if kind == _RECALCID else [(kind, body)]

    said = _rewritten(made["plain.xls"], tmp_path / "said.xls", zeros_kept_recalc_id)
    # as before, the stored 0s read as stored: every total holding 0 is one warning for the file
    assert _codes(said) == ["TOTALS_UNCALCULATED"]
    marked = _rewritten(made["plain.xls"], tmp_path / "marked.xls", zeros_marked_uncalced)
    assert _figures(marked) == _figures(made["plain"])
    typed = _rewritten(made["typed.xls"], tmp_path / "typed-said.xls", zeros_kept_recalc_id)
    found, rows, _ = _figures(typed)
    cash = [r for r in rows[RES.key] if r[0] == ROWS[0].row]
    assert cash[0][2]["cash"] is None  # a formula's stored 0 in an input cell is never the figure:
    assert f"FORMULA_NO_VALUE {RES.sheet}!{CASH}" in found  # tests/test_formulas5_inputs.py
    unmarked = _rewritten(made["plain.xls"], tmp_path / "unmarked.xls", no_recalc_id)
    assert not uncalculated(*_stream(unmarked), _every_sheet)
    assert _figures(unmarked) == _figures(made["plain"])
    gnumeric = lo.require("ssconvert", shutil.which("ssconvert"), "gnumeric")
    gn = tmp_path / "899-gnumeric.xls"
    subprocess.run([gnumeric, made["plain"], gn], check=True, capture_output=True, timeout=120)
    assert not any(kind == _RECALCID for _, kind, _ in _records(_stream(gn)[0]))
    assert not uncalculated(*_stream(gn), _every_sheet)
    assert _figures(gn) == _figures(made["plain"])
    assert uncalculated(*_stream(marked), _every_sheet)


@pytest.mark.libreoffice
def test_xlwt_writes_formulas_it_never_calculates(made: dict[str, Path], tmp_path: Path) -> None:
    """xlwt, given the calculated report (every value with its number format, each formula
    xlwt can parse as a formula, the hidden sheet hidden), stores the blank result for
    every formula: the typed cash and =1/0 are formulas without a value, as in the
    filler's .xlsx; the totals it wrote as formulas are recomputed without a warning."""
    src = made["typed.xlsx"]
    book = openpyxl.load_workbook(src)
    wb = xlwt.Workbook(encoding="utf-8")
    styles: dict[str, Any] = {}
    formulas = 0
    sheets = [wb.add_sheet(ws.title) for ws in book.worksheets]  # all first: formulas name them
    for ws, sheet in zip(book.worksheets, sheets, strict=True):
        if ws.sheet_state != "visible":
            sheet.visibility = 1
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                style = styles.setdefault(cell.number_format, xlwt.easyxf(num_format_str=cell.number_format))
                value: Any = cell.value
                if isinstance(cell.value, ArrayFormula):  # xlwt writes no array formula: skipped
                    continue
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    try:
                        value = xlwt.Formula(cell.value[1:])
                        formulas += 1
                    except Exception:  # noqa: BLE001 - a formula xlwt cannot parse: skipped
                        continue
                sheet.write(cell.row - 1, cell.column - 1, value, style)
    out = tmp_path / "899-xlwt.xls"
    wb.save(str(out))
    assert formulas > 2  # the two typed and some of the template's totals
    stream = _stream(out)
    assert uncalculated(*stream, _every_sheet)
    found, rows, info = _figures(out)
    want = _figures(made["typed"])
    assert found == want[0]
    assert (rows, info) == want[1:]


# Apache POI's HSSF (Debian's libapache-poi-java) copying the report cell by cell into a new
# workbook without evaluating: what a Java program writing a report does
_POI_COPY = """
import org.apache.poi.hssf.usermodel.HSSFWorkbook;
import org.apache.poi.ss.usermodel.*;
import org.apache.poi.ss.util.CellReference;
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.*;

public class PoiCopy {
    static String unescape(String s) {
        return s.replace("\\\\n", "\\n").replace("\\\\t", "\\t").replace("\\\\\\\\", "\\\\");
    }
    public static void main(String[] args) throws Exception {
        List<String> lines = Files.readAllLines(Paths.get(args[0]), StandardCharsets.UTF_8);
        HSSFWorkbook wb = new HSSFWorkbook();
        DataFormat formats = wb.createDataFormat();
        Map<String, CellStyle> styles = new HashMap<>();
        for (String line : lines) {  // every sheet first: formulas name them
            String[] p = line.split("\\t", -1);
            if (p[0].equals("#sheet")) {
                Sheet sheet = wb.createSheet(p[1]);
                if (p[2].equals("hidden")) wb.setSheetHidden(wb.getSheetIndex(sheet), true);
            }
        }
        for (String line : lines) {
            String[] p = line.split("\\t", -1);
            if (p[0].equals("#sheet")) continue;
            Sheet sheet = wb.getSheet(p[0]);
            CellReference ref = new CellReference(p[1]);
            Row row = sheet.getRow(ref.getRow());
            if (row == null) row = sheet.createRow(ref.getRow());
            Cell cell = row.createCell(ref.getCol());
            CellStyle style = styles.get(p[4]);
            if (style == null) {
                style = wb.createCellStyle();
                style.setDataFormat(formats.getFormat(p[4]));
                styles.put(p[4], style);
            }
            cell.setCellStyle(style);
            String value = unescape(p[3]);
            if (p[2].equals("n")) cell.setCellValue(Double.parseDouble(value));
            else if (p[2].equals("b")) cell.setCellValue(value.equals("1"));
            else if (p[2].equals("s")) cell.setCellValue(value);
            else {
                try { cell.setCellFormula(value); } catch (RuntimeException e) { row.removeCell(cell); }
            }
        }
        try (OutputStream out = new FileOutputStream(args[1])) { wb.write(out); }
    }
}
"""
_POI_JARS = ("poi.jar", "commons-collections4.jar", "commons-math3.jar", "commons-codec.jar")


def _poi_copy(src: Path, out: Path) -> Path:
    """`src` (.xlsx) copied by POI's HSSF into a new .xls, cell by cell (values, number
    formats, formulas, the hidden sheet hidden), its formulas not evaluated."""
    javac = lo.require("javac", shutil.which("javac"), "default-jdk-headless")
    jars = [Path("/usr/share/java") / jar for jar in _POI_JARS]
    found = "found" if all(j.is_file() for j in jars) else None
    lo.require("Apache POI (/usr/share/java/poi.jar)", found, "libapache-poi-java")
    work = out.parent / "poi"
    work.mkdir(exist_ok=True)
    (work / "PoiCopy.java").write_text(_POI_COPY, encoding="utf-8")
    path = ":".join(map(str, jars))
    subprocess.run([javac, "-cp", path, "-d", work, work / "PoiCopy.java"], check=True, timeout=120)
    lines = []
    book = openpyxl.load_workbook(src)
    for ws in book.worksheets:
        lines.append(f"#sheet\t{ws.title}\t{'visible' if ws.sheet_state == 'visible' else 'hidden'}\t\t")
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if value is None:
                    continue
                if isinstance(value, bool):
                    kind, text = "b", "1" if value else "0"
                elif isinstance(value, dt.datetime | dt.date):
                    kind, text = "n", str(lo.date_serial(value))
                elif isinstance(value, int | float):
                    kind, text = "n", repr(value)
                elif isinstance(value, str) and value.startswith("="):
                    kind, text = "f", value[1:]
                else:
                    kind, text = "s", str(value)
                text = text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
                lines.append(f"{ws.title}\t{cell.coordinate}\t{kind}\t{text}\t{cell.number_format}")
    cells = work / "cells.tsv"
    cells.write_text("\n".join(lines) + "\n", encoding="utf-8")
    java = shutil.which("java") or "java"
    subprocess.run([java, "-cp", f"{path}:{work}", "PoiCopy", cells, out], check=True, timeout=120)
    return out


@pytest.mark.libreoffice
def test_poi_copies_formulas_it_never_evaluates(made: dict[str, Path], tmp_path: Path) -> None:
    """POI's HSSF, not evaluating, stores 0 for every formula and no RecalcId: the typed
    cash and =1/0 are formulas without a value, as in the filler's .xlsx, and the totals
    it wrote are recomputed without a warning."""
    poi = _poi_copy(made["typed"], tmp_path / "899-poi.xls")
    stream = _stream(poi)
    kinds = [kind for _, kind, _ in _records(stream[0])]
    assert kinds.count(_FORMULA) > 2 and _RECALCID not in kinds
    assert uncalculated(*stream, _every_sheet)
    assert _figures(poi) == _figures(made["typed"])


# ----- .xlsb: SheetJS's records with formula records put back --------------------------------
def _varint(size: int) -> bytes:
    out = b""
    while size >= 0x80:
        out, size = out + bytes([size & 0x7F | 0x80]), size >> 7
    return out + bytes([size])


def _record(kind: int, body: bytes) -> bytes:
    head = bytes([kind]) if kind < 128 else bytes([kind & 0x7F | 0x80, kind >> 7])
    return head + _varint(len(body)) + body


_FORMULA_OF = b"\x03\x00\x00\x00\x1e\x00\x00" + bytes(4)  # cce 3: PtgInt 0; cb 0


def _with_formulas(part: bytes, cells: set[tuple[int, int]], result: Callable[[int, bytes], bytes]) -> bytes:
    """A sheet part whose cell records at `cells` (0-based) are formula records: the Cell
    (column, style) kept, the record and stored result `result(kind, body after the Cell)`
    gives (a kind and its value bytes), then GrbitFmla and a formula."""
    out, row, col = bytearray(), 0, -1
    for kind, at, size in xlsb_records(part):
        body = part[at : at + size]
        short = 12 <= kind <= 18
        if short:
            col += 1
        elif kind in range(1, 12) or kind == 62:
            col = struct.unpack_from("<I", body)[0]
        elif kind == 0:
            row, col = struct.unpack_from("<I", body)[0], -1
        if (short or kind in range(1, 8) or kind == 62) and (row, col) in cells:
            cell = struct.pack("<I", col) + (body[:4] if short else body[4:8])
            value = body[4:] if short else body[8:]
            new_kind, stored = result(kind - 11 if short else kind, value)
            out += _record(new_kind, cell + stored + b"\x00\x00" + _FORMULA_OF)
        else:
            out += _record(kind, body)
    return bytes(out)


def _zero(kind: int, value: bytes) -> tuple[int, bytes]:
    """As Aspose.Cells stores a result it did not calculate: empty text (0 for a number,
    the other spelling seen: both read alike)."""
    return (9, struct.pack("<d", 0)) if kind in (2, 5) else (8, struct.pack("<I", 0))


def _kept_result(kind: int, value: bytes) -> tuple[int, bytes]:
    """The calculated value kept as the formula's result, in the formula record of its
    type (a blank cell: empty text)."""
    if kind == 2:
        return 9, struct.pack("<d", rk_number(struct.unpack_from("<I", value)[0]))
    if kind == 5:
        return 9, value[:8]
    if kind in (3, 4):  # an error value, a Boolean
        return {3: 11, 4: 10}[kind], value[:1]  # BrtFmlaError, BrtFmlaBool
    if kind == 6:
        return 8, value  # BrtCellSt: an XLWideString
    return 8, struct.pack("<I", 0)


def _xlsb(
    sheetjs: Path, out: Path, formulas: dict[str, set[tuple[int, int]]], result: Any, on_load: bool
) -> Path:
    """SheetJS's .xlsb with the `formulas` cells of each sheet (by name) written as formula
    records, and BrtCalcProp with fFullCalcOnLoad added when `on_load`."""
    with zipfile.ZipFile(sheetjs) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    related = relationships(parts["xl/_rels/workbook.bin.rels"], "xl/workbook.bin")
    for rel, name in xlsb_sheets(parts["xl/workbook.bin"]):
        part = related[rel][1]
        parts[part] = _with_formulas(parts[part], formulas.get(name, set()), result)
    if on_load:
        book = parts["xl/workbook.bin"]
        records = [(k, book[at : at + size]) for k, at, size in xlsb_records(book)]
        calc = struct.pack("<IIId", 0, 1, 100, 0.001) + struct.pack("<iH", 1, 0x0001 | 0x0002 | 0x0008)
        records.insert(len(records) - 1, (157, calc))  # before BrtEndBook
        parts["xl/workbook.bin"] = b"".join(_record(k, b) for k, b in records)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in parts.items():
            zout.writestr(name, data)
    out.write_bytes(buffer.getvalue())
    return out


def _formula_cells(xlsx: Path) -> dict[str, set[tuple[int, int]]]:
    book = openpyxl.load_workbook(xlsx)
    return {
        ws.title: {
            (c.row - 1, c.column - 1)
            for row in ws.iter_rows()
            for c in row
            if isinstance(c.value, str) and c.value.startswith("=")
        }
        for ws in book.worksheets
    }


@pytest.mark.libreoffice
def test_xlsb_formulas_never_calculated_read_as_in_the_other_formats(
    made: dict[str, Path], tmp_path: Path
) -> None:
    """SheetJS's .xlsb of the calculated report, the cells that hold a formula written back
    as formula records storing 0 or empty text with fFullCalcOnLoad set (as Aspose.Cells
    writes them): read as the filler's .xlsx, a formula without a value at the typed cash
    (never 0) and at =1/0, the totals recomputed without a warning. The same records with
    their calculated results read as the calculated report; without fFullCalcOnLoad the
    zeros read as stored (the totals' warnings), but the typed cash's stored 0 in an input
    cell is a formula without a value all the same."""
    src = made["typed.xlsx"]
    sheetjs = lo.sheetjs_convert(src, tmp_path / "sheetjs.xlsb", "xlsb")
    cells = _formula_cells(src)
    assert len(cells[RES.sheet]) > 2
    stale = _xlsb(sheetjs, tmp_path / "899-aspose.xlsb", cells, _zero, on_load=True)
    with zipfile.ZipFile(stale) as zf:
        assert calc_on_load(zf.read("xl/workbook.bin"))
        sheets = [zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/")]
        assert any(k in (8, 9) for part in sheets for k, _, _ in xlsb_records(part))
        assert not any(formulas_calculated(part) for part in sheets)
    assert _figures(stale) == _figures(made["typed"])
    kept = _xlsb(sheetjs, tmp_path / "899-kept.xlsb", cells, _kept_result, on_load=True)
    with zipfile.ZipFile(kept) as zf:
        assert any(formulas_calculated(zf.read(n)) for n in zf.namelist() if n.startswith("xl/worksheets/"))
    assert _figures(kept) == _figures(made["typed.xls"])
    said = _xlsb(sheetjs, tmp_path / "899-said.xlsb", cells, _zero, on_load=False)
    found, rows, _ = _figures(said)
    assert "TOTALS_UNCALCULATED" in {f.split()[0] for f in found}  # the totals' stored 0s, said once
    # the typed cash, a formula storing 0 in an input cell, is never read as 0 all the same
    assert [r for r in rows[RES.key] if r[0] == ROWS[0].row][0][2]["cash"] is None
    assert f"FORMULA_NO_VALUE {RES.sheet}!{CASH}" in found


# ----- the rule, record by record ------------------------------------------------------------
def _book(results: list[bytes], *, recalc_id: bool, uncalced: bool) -> bytes:
    """A BIFF8 workbook stream of one worksheet ("S") holding one
    Formula record per result (a FormulaValue, then the String record when one is given
    after it: `value|string body`), with a RecalcId and an Uncalced record as asked."""

    def rec(kind: int, body: bytes) -> bytes:
        return struct.pack("<HH", kind, len(body)) + body

    cells = b""
    for at, result in enumerate(results):
        value, _, string = result.partition(b"|")
        cells += rec(_FORMULA, struct.pack("<HHH", 0, at, 15) + value + bytes(6) + b"\x03\x00\x1e\x00\x00")
        if string:
            cells += rec(_STRING, string)
    sheet = rec(_BOF, struct.pack("<HH", 0x0600, 0x10) + bytes(12))
    sheet += (rec(_UNCALCED, bytes(2)) if uncalced else b"") + cells + rec(_EOF, b"")
    name = b"S"
    head = rec(_BOF, struct.pack("<HH", 0x0600, 0x05) + bytes(12)) + (
        rec(_RECALCID, struct.pack("<HHI", 0x1C1, 0, 152511)) if recalc_id else b""
    )
    bound_size = 4 + 8 + len(name)
    offset = len(head) + bound_size + 4  # the sheet's BOF after the BoundSheet8 and the EOF
    return (
        head + rec(_BOUNDSHEET, struct.pack("<IHBB", offset, 0, len(name), 0) + name) + rec(_EOF, b"") + sheet
    )


_ZERO, _FIVE = struct.pack("<d", 0), struct.pack("<d", 5)
_TEXT = b"\x00" + bytes(5) + b"\xff\xff"  # FormulaValue type 0: a String record follows
_BLANK = b"\x03" + bytes(5) + b"\xff\xff"
_BOOL = b"\x01\x00\x00" + bytes(3) + b"\xff\xff"
_ERROR = b"\x02\x00\x07" + bytes(3) + b"\xff\xff"


@pytest.mark.parametrize(
    ("results", "recalc_id", "uncalced", "never"),
    [
        ([_ZERO, _ZERO], False, False, True),  # POI
        ([_BLANK], False, False, True),  # xlwt
        ([_TEXT + b"|\x00\x00\x00", _ZERO], True, True, True),  # Aspose.Cells
        ([_ZERO, _ZERO], True, False, False),  # a RecalcId, no Uncalced: said calculated
        ([_ZERO, _FIVE], False, False, False),
        ([_ZERO, _TEXT + b"|\x01\x00\x00a"], False, False, False),  # "a"
        ([_ZERO, _BOOL], False, True, False),  # FALSE
        ([_ZERO, _ERROR], False, True, False),  # #DIV/0!
        ([], False, True, False),  # no formula
    ],
)
def test_which_formula_results_were_never_calculated(
    results: list[bytes], recalc_id: bool, uncalced: bool, never: bool
) -> None:
    book = _book(results, recalc_id=recalc_id, uncalced=uncalced)
    assert uncalculated(book, False, lambda name: name == "S") is never
    assert not uncalculated(book, False, lambda name: name == "T")  # another sheet's formulas
