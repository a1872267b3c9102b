"""Issue #25: files from other writers read as their spreadsheet shows them.

Real files by real writers, made here from a filled template: SheetJS (.xlsb with short cell
records, an error value), Gnumeric's ssconvert (.xls keeping the template's `[$-42A]#,##0`,
.ods with indented XML), LibreOffice (the judge of which number formats show a date).
SheetJS runs under Node from `$SHEETJS_DIR` (a folder holding node_modules/xlsx, installed
with `npm install xlsx` outside the repository).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import python_calamine as pc
from hypothesis import given
from hypothesis import strategies as st

from pipeline.form import load_form
from pipeline.read.formats.numfmt import shows_date
from pipeline.read.formats.ods import ods_values
from pipeline.read.formats.xlsb import DATE, ELAPSED, NUMBER, date1904, date_styles, xlsb_facts, xlsb_records
from pipeline.read.parse import parse_path
from pipeline.render.feedback_source import REBUILT, unit_workbook
from tests import lo

FORM = load_form()
RES = FORM.blocks["results"]


def _figures(path: Path) -> tuple[list[str], dict[str, Any], Any]:
    p = parse_path(path, 1, FORM)
    rows = {b: [(r.row, r.key, r.measures) for r in recs] for b, recs in p.rows.items()}
    return [f"{f.code} {f.sheet}!{f.cell}" for f in p.findings], rows, p.info_row


def _require(tool: str, package: str) -> str:
    return lo.require(tool, shutil.which(tool), package)


# ----- .xlsb: short cell records ([MS-XLSB] 2.4.x), checked byte by byte ----------------------
def _rec(kind: int, body: bytes) -> bytes:
    head = bytes([kind]) if kind < 128 else bytes([kind & 0x7F | 0x80, kind >> 7])
    return head + bytes([len(body)]) + body


def _wide(text: str) -> bytes:
    return struct.pack("<I", len(text)) + text.encode("utf-16-le")


def test_xlsb_short_records_take_the_next_column() -> None:
    style = struct.pack("<I", 0)
    sheet = b"".join(
        [
            _rec(0, struct.pack("<I", 7) + bytes(21)),  # BrtRowHdr: row 8
            _rec(2, struct.pack("<I", 1) + style + struct.pack("<I", (171 << 2) | 2)),  # BrtCellRk B8
            _rec(13, style + struct.pack("<I", (60 << 2) | 2)),  # BrtShortRk C8
            _rec(14, style + b"\x07"),  # BrtShortError D8 #DIV/0!
            _rec(16, style + struct.pack("<d", 513000.0)),  # BrtShortReal E8
            _rec(17, style + _wide("Kết quả")),  # BrtShortSt F8
            _rec(12, style),  # BrtShortBlank G8
            _rec(15, style + b"\x01"),  # BrtShortBool H8
            _rec(18, style + struct.pack("<I", 1)),  # BrtShortIsst I8
            _rec(5, struct.pack("<I", 10) + style + struct.pack("<d", 1.5)),  # BrtCellReal K8
            _rec(11, struct.pack("<I", 11) + style + b"\x0f" + bytes(6)),  # BrtFmlaError L8 #VALUE!
        ]
    )
    facts = xlsb_facts(sheet, "s", ["a", "b"])
    assert facts.cells == {
        (7, 1): 171.0,
        (7, 2): 60.0,
        (7, 4): 513000.0,
        (7, 5): "Kết quả",
        (7, 7): True,
        (7, 8): "b",
        (7, 10): 1.5,
    }
    assert facts.errors == {"D8": "#DIV/0!", "L8": "#VALUE!"}
    assert (facts.rows, facts.columns) == (8, 12)


def _xf(format_id: int) -> bytes:
    return _rec(47, struct.pack("<HH", 0, format_id) + bytes(12))  # BrtXF


def test_xlsb_cell_formats_give_dates_and_merges_are_read() -> None:
    styles = b"".join(
        [
            _rec(44, struct.pack("<H", 164) + _wide("dd/mm/yyyy")),  # BrtFmt
            _rec(44, struct.pack("<H", 165) + _wide("[$-42A]#,##0")),
            _rec(626, struct.pack("<I", 1)) + _xf(14) + _rec(627, b""),  # cell styles' XFs: no cell's
            _rec(617, struct.pack("<I", 5)),  # BrtBeginCellXFs
            *(_xf(i) for i in (0, 164, 46, 14, 165)),
            _rec(618, b""),
        ]
    )
    assert date_styles(styles) == [NUMBER, DATE, ELAPSED, DATE, NUMBER]
    rk = struct.pack("<I", (241 << 2) | 2)
    sheet = b"".join(
        [
            _rec(0, struct.pack("<I", 7) + bytes(21)),  # BrtRowHdr: row 8
            _rec(2, struct.pack("<II", 1, 1) + rk),  # BrtCellRk B8, dd/mm/yyyy
            _rec(13, struct.pack("<I", 2) + rk),  # BrtShortRk C8, [h]:mm:ss
            _rec(16, struct.pack("<Id", 4, 513000.0)),  # BrtShortReal D8, [$-42A]#,##0
            _rec(9, struct.pack("<II", 4, 3) + struct.pack("<d", 241.5) + bytes(2)),  # BrtFmlaNum E8, id 14
            _rec(176, struct.pack("<IIII", 7, 7, 3, 4)),  # BrtMergeCell D8:E8
        ]
    )
    facts = xlsb_facts(sheet, "s", [], date_styles(styles))
    assert facts.cells == {
        (7, 1): dt.date(1900, 8, 28),  # as LibreOffice shows it
        (7, 2): dt.timedelta(days=241),
        (7, 3): 513000.0,
        (7, 4): dt.datetime(1900, 8, 28, 12),
    }
    assert facts.merged == [((7, 3), (7, 4))]
    assert xlsb_facts(sheet, "s", [], date_styles(styles), in1904=True).cells[(7, 1)] == dt.date(1904, 8, 29)
    assert date1904(_rec(153, struct.pack("<I", 1) + bytes(8)))  # BrtWbProp, f1904
    assert not date1904(_rec(153, bytes(12)))


def _sheetjs(src: Path, out: Path, error_cell: str = "") -> Path:
    """`src` opened and saved as .xlsb by SheetJS, with #DIV/0! put at `error_cell`; without
    one, saved with its cells' number formats (`cellStyles`)."""
    node = _require("node", "nodejs")
    folder = os.environ.get("SHEETJS_DIR", "")
    found = folder if (Path(folder) / "node_modules" / "xlsx").is_dir() else None
    lo.require("SheetJS ($SHEETJS_DIR/node_modules/xlsx)", found, "npm install xlsx (outside the repo)")
    script = (
        "const X = require(process.argv[1] + '/node_modules/xlsx');"
        "const wb = X.readFile(process.argv[2], {cellNF: true, cellStyles: true});"
        "if (process.argv[5]) wb.Sheets[process.argv[4]][process.argv[5]] = {t: 'e', v: 7};"
        "X.writeFile(wb, process.argv[3], {bookType: 'xlsb', cellStyles: !process.argv[5]});"
    )
    subprocess.run([node, "-e", script, folder, src, out, RES.sheet, error_cell], check=True, timeout=60)
    return out


def test_sheetjs_xlsb_reads_as_its_source(make_file, tmp_path: Path) -> None:
    src, _ = make_file("899")
    cell = f"{RES.measure_column('girls')}{FORM.rows_for(RES, FORM.units_by_code['899'])[0].row}"
    xlsb = _sheetjs(src, tmp_path / "899.xlsb", cell)
    with zipfile.ZipFile(xlsb) as zf:
        parts = [zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/")]
    assert any(k in range(12, 19) for part in parts for k in _kinds(part)), "SheetJS wrote no short record"
    found, rows, info = _figures(xlsb)
    want_found, want_rows, want_info = _figures(src)
    assert info == want_info
    assert found == [f"NUMBER_INVALID {RES.sheet}!{cell}"]  # the error value, at its cell
    assert not want_found
    error_row = int(cell[1:])
    for block, recs in want_rows.items():  # every figure but the row with the error value
        assert [r for r in rows[block] if r[0] != error_row] == [r for r in recs if r[0] != error_row]


def test_sheetjs_date_cells_read_as_their_source(make_file, tmp_path: Path) -> None:
    """SheetJS with cellDates writes a date cell as t="d" holding toISOString()'s text
    ("2025-11-20T00:00:00.000Z"); its zone is ignored, as Excel ignores it (the report's
    date was refused as not a date)."""
    node = _require("node", "nodejs")
    folder = os.environ.get("SHEETJS_DIR", "")
    found = folder if (Path(folder) / "node_modules" / "xlsx").is_dir() else None
    lo.require("SheetJS ($SHEETJS_DIR/node_modules/xlsx)", found, "npm install xlsx (outside the repo)")
    src, _ = make_file("899")
    calculated = lo.recalc_xlsx(src, tmp_path / "lo")  # SheetJS keeps the results it finds
    out = tmp_path / "899-dates.xlsx"
    script = (
        "const X = require(process.argv[1] + '/node_modules/xlsx');"
        "const wb = X.readFile(process.argv[2], {cellDates: true, cellNF: true});"
        "X.writeFile(wb, process.argv[3], {bookType: 'xlsx', cellDates: true});"
    )
    subprocess.run([node, "-e", script, folder, calculated, out], check=True, timeout=60)
    with zipfile.ZipFile(out) as zf:
        parts = b"".join(zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/"))
    assert re.search(rb't="d"><v>[0-9-]{10}T[0-9:.]+Z</v>', parts), "SheetJS wrote no ISO date cell"
    assert _figures(out) == _figures(calculated)


def _kinds(part: bytes) -> list[int]:
    return [k for k, _, _ in xlsb_records(part)]


# (measure, number format) on the unit's rows in turn: dates and times as Excel types them,
# elapsed time (calamine: a duration), built-in id 14 (openpyxl's "mm-dd-yy"), and two that
# show numbers
_FORMATS = [
    ("children", "dd/mm/yyyy"),
    ("girls", "[h]:mm"),
    ("turns", "h:mm:ss AM/PM"),
    ("ethnic", "mm-dd-yy"),
    ("children", "[$-42A]#,##0"),
    ("cash", '#,##0 "d"'),
]


def _findings(path: Path) -> tuple[list[tuple[str, str, str, str]], dict[str, Any]]:
    p = parse_path(path, 1, FORM)
    rows = {b: [(r.row, r.key, r.measures) for r in recs] for b, recs in p.rows.items()}
    return sorted((f.code, f.sheet, f.cell, f.message) for f in p.findings), rows


def _full_records(part: bytes) -> bytes:
    """A sheet part with every short cell record written in full, as Excel writes it: the
    column (u32) put before the iStyleRef, the kind that of the full record."""
    out, col = bytearray(), -1
    for kind, at, size in xlsb_records(part):
        body = part[at : at + size]
        if 12 <= kind <= 18:
            col += 1
            kind, body = kind - 11, struct.pack("<I", col) + body
        elif kind in range(1, 12) or kind == 62:
            col = struct.unpack_from("<I", body)[0]
        elif kind == 0:
            col = -1
        size, head = len(body), bytes([kind]) if kind < 128 else bytes([kind & 0x7F | 0x80, kind >> 7])
        while size >= 0x80:
            head, size = head + bytes([size & 0x7F | 0x80]), size >> 7
        out += head + bytes([size]) + body
    return bytes(out)


def _dated(ws: Any, rows: list[int]) -> list[tuple[str, str]]:
    """Put `_FORMATS` on the rows holding figures; the findings the dated cells are to give."""
    rows = [r for r in rows if ws[f"{RES.measure_column('children')}{r}"].value is not None]
    assert len(rows) >= len(_FORMATS)
    for (measure, fmt), row in zip(_FORMATS, rows, strict=False):
        ws[f"{RES.measure_column(measure)}{row}"].number_format = fmt
    return [
        ("NUMBER_INVALID", f"{RES.measure_column(m)}{row}")
        for (m, _), row in zip(_FORMATS[:4], rows, strict=False)
    ]


def _merged(ws: Any, rows: list[int]) -> list[tuple[str, str]]:
    """Merge two input cells of the last row; the finding the merge is to give."""
    first = f"{RES.measure_column('girls')}{rows[-1]}"
    ws.merge_cells(f"{first}:{RES.measure_column('ethnic')}{rows[-1]}")
    return [("MERGED_INPUT", first)]


@pytest.mark.parametrize("edit", [_dated, _merged])
def test_xlsb_number_formats_and_merges_read_as_xlsx(edit, make_file, tmp_path: Path) -> None:
    """Numbers under a date format (`_dated`) and inputs under a merge (`_merged`) give in
    .xlsb the findings the same workbook gives as .xlsx, whether SheetJS's short records or
    Excel's full ones hold them."""
    src, _ = make_file("899")
    wb = openpyxl.load_workbook(src)
    expected = edit(wb[RES.sheet], [r.row for r in FORM.rows_for(RES, FORM.units_by_code["899"])])
    xlsx = tmp_path / "899.xlsx"
    wb.save(xlsx)
    want = _findings(xlsx)
    assert [(code, cell) for code, _, cell, _ in want[0] if code != "TOTAL_MISMATCH"] == sorted(expected)
    xlsb = _sheetjs(xlsx, tmp_path / "899.xlsb")
    with zipfile.ZipFile(xlsb) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    assert _findings(xlsb) == want
    full = tmp_path / "899-full.xlsb"
    with zipfile.ZipFile(full, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in parts.items():
            zf.writestr(name, _full_records(body) if name.startswith("xl/worksheets/") else body)
    for name in parts:
        if name.startswith("xl/worksheets/"):
            assert not set(_kinds(_full_records(parts[name]))) & set(range(12, 19))
    assert _findings(full) == want


# ----- Gnumeric: .xls with a locale-prefixed number format, .ods with indented XML ------------
def _ssconvert(src: Path, out: Path) -> Path:
    tool = _require("ssconvert", "gnumeric")
    subprocess.run([tool, src, out], check=True, capture_output=True, timeout=120)
    return out


def test_gnumeric_xls_and_ods_read_as_their_source(make_file, tmp_path: Path) -> None:
    src, _ = make_file("899", seed=3)
    want = _figures(src)
    assert want[0] == []
    xls = _ssconvert(src, tmp_path / "899.xls")
    ods = _ssconvert(src, tmp_path / "899.ods")
    assert b"[$-42A]#,##0" in xls.read_bytes()  # the format calamine takes for a date
    assert b"\n" in zipfile.ZipFile(ods).read("content.xml")[:4000]
    assert _figures(xls) == want
    assert _figures(ods) == want


def test_our_ods_reader_gives_what_calamine_gives(make_file, tmp_path: Path) -> None:
    """On a file both read (LibreOffice's .ods), our reader and calamine agree cell for cell."""
    lo.require_soffice()
    src, _ = make_file("SYT", seed=5)
    ods = lo.convert(src, tmp_path / "lo", "ods")
    content = zipfile.ZipFile(ods).read("content.xml")
    ours = ods_values(content, lambda name: True)
    wb = pc.CalamineWorkbook.from_path(str(ods))
    assert ours.names == wb.sheet_names
    for name in ours.names:
        theirs = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        assert ours.rows[name] == theirs, name


# ----- number formats: ours against LibreOffice's ---------------------------------------------
def test_format_classes() -> None:
    dates = ["dd/mm/yyyy", "[$-42A]dd/mm/yyyy", "[h]:mm", "mm", "h AM/PM", "[$-F800]dddd", "yyyy"]
    numbers = ["[$-42A]#,##0", "[$₫-42A]#,##0", '#,##0 "ngày"', "\\d0", "_d0", "*d0", "[Red]0", "General"]
    numbers += ["0.00E+00", "[>100]0;0", '0" ms"', "@", '#,##0;[Red]-#,##0;"-"']
    assert [f for f in dates if not shows_date(f)] == []
    assert [f for f in numbers if shows_date(f)] == []


_LETTERS = "dmyhsDMYHSabc"
# what may precede or follow the number or date: literal text in quotes, escaped characters,
# a character's width, plain punctuation; brackets (colour, locale, currency) only first in a
# section, where both applications take them (LibreOffice drops a format with one elsewhere)
_decoration = st.one_of(
    st.text(_LETTERS, min_size=1, max_size=4).map(lambda t: f'"{t}"'),
    st.sampled_from(_LETTERS).map(lambda c: "\\" + c),
    st.sampled_from(_LETTERS).map(lambda c: "_" + c),
    st.sampled_from([" ", "-", "(", ")"]),
)
_bracket = st.sampled_from(["", "[Red]", "[Blue]", "[$-42A]", "[$-409]", "[Red][$-42A]"])
# a currency symbol makes LibreOffice take the whole format for a currency and the date codes
# after it for literal text (`[$₫-42A]dd/mm/yyyy` shows "45₫dd/mm/yyyy"), where Excel shows a
# date: the applications differ there, so currency brackets precede numbers only
_currency = st.sampled_from(["", "[$₫-42A]", "[$€-407]", "[Red][$₫-42A]"])
_number = st.sampled_from(["0", "#,##0", "0.00", "#,##0.0", "0%", "#0"])
_date = st.sampled_from(["dd/mm/yyyy", "d", "mm", "yy", "hh:mm", "[h]", "[mm]:ss", "mmm", "h:mm AM/PM"])
_body = st.one_of(
    st.tuples(_currency, st.lists(_decoration, max_size=3), _number),
    st.tuples(_bracket, st.lists(_decoration, max_size=3), _date),
)
_format = st.tuples(_body, st.lists(_decoration, max_size=3)).map(
    lambda t: t[0][0] + "".join(t[0][1]) + t[0][2] + "".join(t[1])
)


@lo.each_example_one_run(4)
@given(st.lists(_format, min_size=25, max_size=25, unique=True))
def test_shows_date_agrees_with_libreoffice(formats: list[str]) -> None:
    """45 under each format, shown by LibreOffice as CSV: "45" in the text means a number
    (decorations hold letters only), no "45" a date or time (14/02/1900, 1080:00)."""
    lo.require_soffice()
    with tempfile.TemporaryDirectory() as tmp:
        src = lo.numbers_under_formats(Path(tmp) / "f.xlsx", [(fmt, 45) for fmt in formats])
        out = lo.convert(
            src, Path(tmp) / "csv", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true"
        )
        shown = [row[0] if row else "" for row in csv.reader(out.read_text(encoding="utf-8").splitlines())]
    assert len(shown) == len(formats)
    wrong = [(f, s) for f, s in zip(formats, shown, strict=True) if shows_date(f) == ("45" in s)]
    assert wrong == []


def _with_long_formula(path: Path) -> Path:
    """`path` with a formula longer than one BIFF record (8,224 bytes once Gnumeric writes it
    as .xls, so its record is continued) on the hidden lists sheet, which the pipeline never
    reads: a unit's own formula, or a template's live checks before they read number cells
    through defined names (`render/numbercells.py`)."""
    wb = openpyxl.load_workbook(path)
    wb[FORM.sheets["lists"]]["A300"] = "=" + "&".join('"' + "ộ" * 200 + '"' for _ in range(25))
    wb.save(path)
    return path


def _excel95(src: Path, out: Path) -> Path:
    tool = _require("ssconvert", "gnumeric")
    subprocess.run(
        [tool, "--export-type=Gnumeric_Excel:excel_biff7", src, out],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return out


def test_an_xls_the_value_reader_panics_on_is_read_by_our_own_reader(make_file, tmp_path: Path) -> None:
    """Gnumeric's .xls of a department's template (with a long formula continued in CONTINUE
    records: `_with_long_formula`) and its Excel 95 export make python-calamine panic (a Rust panic:
    pyo3's PanicException, a BaseException). Our BIFF reader reads them instead: the .xls as
    its source; the Excel 95 file, whose Vietnamese letters outside code page 1252 Gnumeric
    replaced by "?" (sheet names too), is refused by its version before the value reader
    runs. The run, in worker processes too, goes on."""
    from pipeline.run.consolidate import run

    good, _ = make_file("899", seed=3)
    inbox = good.parent
    dept, _ = make_file("SYT", seed=4)
    want = _figures(dept)
    assert want[0] == []
    source = openpyxl.load_workbook(dept)[RES.sheet]
    typed = {
        c.coordinate: c.value
        for row in source.iter_rows()
        for c in row
        if c.value is not None and not c.protection.locked and not str(c.value).startswith("=")
    }
    assert len(typed) > 10
    _ssconvert(_with_long_formula(dept), inbox / "SYT.xls")
    dept.unlink()  # the department sent only its Gnumeric copy
    _excel95(good, inbox / "899-excel95.xls")
    for bad in ("SYT.xls", "899-excel95.xls"):
        with pytest.raises(BaseException, match="range end index|out of range") as panic:
            pc.CalamineWorkbook.from_path(str(inbox / bad))
        assert not isinstance(panic.value, Exception)  # what `except Exception` lets through
    assert _figures(inbox / "SYT.xls") == want
    # its feedback workbook (made when it has findings) is the template with its values
    wb, how = unit_workbook(FORM, parse_path(inbox / "SYT.xls", 1, FORM))
    assert how == REBUILT
    assert {ref: wb[RES.sheet][ref].value for ref in typed} == typed
    # the Excel 95 file is refused by its version (BIFF5/7 cannot hold the Vietnamese sheet
    # names), not read as a file whose sheets the unit renamed (tests/test_reading_kinds.py)
    lost = [(f.code, f.message) for f in parse_path(inbox / "899-excel95.xls", 1, FORM).findings]
    assert [code for code, _ in lost] == ["FILE_FORMAT"] and "Excel 5.0/95" in lost[0][1]
    report = run(FORM, inbox, tmp_path / "outbox-test", workers=2, show_progress=False)
    status = {r.parsed.name: (r.status, [f.code for f in r.parsed.findings]) for r in report.files}
    assert status["SYT.xls"][1] == [] and status[good.name][1] == []
    assert status["899-excel95.xls"][1] == ["FILE_FORMAT"]
    assert {u.code: u.status for u in report.units}["SYT"] == "accepted"


def test_a_panic_of_the_value_reader_prints_no_english(make_file, tmp_path: Path) -> None:
    """The officer sees the Vietnamese outcome of a file python-calamine panics on, never
    Rust's English panic lines ("thread ... panicked at", "RUST_BACKTRACE"): `check` and
    `consolidate` run as the officer runs them, their standard error read whole."""
    dept, _ = make_file("SYT", seed=4)
    xls = _ssconvert(_with_long_formula(dept), tmp_path / "SYT.xls")
    with pytest.raises(BaseException, match="range end index|out of range"):
        pc.CalamineWorkbook.from_path(str(xls))  # the value reader does panic on it
    inbox = tmp_path / "inbox-panic"
    inbox.mkdir()
    shutil.copy(xls, inbox / xls.name)
    consolidate = ["consolidate", "--inbox", str(inbox), "--outbox", str(tmp_path / "o")]
    for args, said in ((["check", str(xls)], "SYT.xls"), (consolidate, "được chấp nhận: 1")):
        done = subprocess.run(
            [sys.executable, "-m", "pipeline", *args],
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "panicked" not in done.stderr and "RUST_BACKTRACE" not in done.stderr, done.stderr
        assert said in done.stdout, done.stdout


def test_held_native_stderr_drops_a_panic_and_keeps_other_messages(tmp_path: Path) -> None:
    """What native code writes on descriptor 2 inside the block: a Rust panic's lines are
    dropped, anything else reaches the real standard error after the block, in order."""
    script = (
        "import os\n"
        "from pipeline.system import impl\n"
        "with impl.native_stderr_held():\n"
        "    os.write(2, b\"thread '<unnamed>' panicked at src/x.rs:1:1\\nnote: run with RUST_BACKTRACE=1\\n\")\n"
        "with impl.native_stderr_held():\n"
        "    os.write(2, b'a native warning\\n')\n"
        "os.write(2, b'after\\n')\n"
    )
    for system in ("linux", "portable"):
        done = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            timeout=60,
            env={**os.environ, "PIPELINE_SYSTEM": system},
        )
        assert done.returncode == 0, done.stderr
        assert done.stderr == b"a native warning\nafter\n", (system, done.stderr)


def _no_calamine(monkeypatch: pytest.MonkeyPatch) -> None:
    """python-calamine fails on every file, as it does on the files above."""

    def fail(*args: object, **kwargs: object) -> None:
        raise ValueError("calamine failed")

    monkeypatch.setattr(pc.CalamineWorkbook, "from_filelike", fail)


def test_gnumeric_xls_read_by_our_reader_as_their_source(make_file, tmp_path: Path, monkeypatch) -> None:
    """Through our own BIFF reader (calamine made to fail): Gnumeric's .xls (BIFF8) of two
    filled templates gives the figures, the report date and the findings of its source;
    its Excel 95 (BIFF5/7) export gives the same grid, strings in code page 1252 as
    Gnumeric wrote them."""
    from pipeline.read.formats.biff import biff_values, workbook_stream

    def grids(path: Path) -> Any:
        book = biff_values(*workbook_stream(path.read_bytes()), lambda name: True)
        return book.names, book.hidden, book.rows

    def as_1252(value: Any) -> Any:
        return value.encode("cp1252", "replace").decode("cp1252") if isinstance(value, str) else value

    sources = [make_file("SYT", seed=4)[0], make_file("899", seed=3)[0]]
    wants = [_figures(src) for src in sources]
    assert all(w[0] == [] and w[2] is not None for w in wants)
    _no_calamine(monkeypatch)
    for src, want in zip(sources, wants, strict=True):
        xls = _ssconvert(src, tmp_path / f"{src.stem}.xls")
        assert _figures(xls) == want
        names, hidden, rows = grids(xls)
        names95, hidden95, rows95 = grids(_excel95(src, tmp_path / f"{src.stem}-95.xls"))
        assert hidden and [as_1252(n) for n in names] == names95 and {as_1252(n) for n in hidden} == hidden95
        assert {as_1252(n): [[as_1252(v) for v in r] for r in grid] for n, grid in rows.items()} == rows95


def test_our_xls_reader_gives_what_calamine_gives(make_file, tmp_path: Path) -> None:
    """Our BIFF reader and calamine agree cell for cell on every sheet, once the numbers
    read as their format shows them (a number or a date), as the reader does: on
    LibreOffice's .xls of two filled templates (calamine reads the .xls), and on Gnumeric's
    .xls of one against calamine's reading of Gnumeric's .xlsx of the same file (calamine
    0.37 panics parsing a formula of Gnumeric's .xls of the template, where the pipeline
    falls back to our reader). The hidden lists sheet holds formulas with text results,
    each followed by its STRING record after a SHRFMLA ([MS-XLS] 2.1.7.20.5)."""
    from pipeline.read.formats.biff import biff_facts, biff_values, workbook_stream
    from pipeline.read.reader import _as_formatted

    lo.require_soffice()
    gnumeric = make_file("899", seed=3)[0]
    files = [
        (path, path)
        for path in (
            lo.convert(make_file("SYT", seed=5)[0], tmp_path / "lo", "xls"),
            lo.convert(make_file("899", seed=3, name="899-lo.xlsx")[0], tmp_path / "lo", "xls"),
        )
    ]
    files.append((_ssconvert(gnumeric, tmp_path / "899.xls"), _ssconvert(gnumeric, tmp_path / "899-gn.xlsx")))
    for path, same in files:
        stream = workbook_stream(path.read_bytes())
        assert stream is not None
        ours = biff_values(*stream, lambda name: True)
        numbers = {f.name: f.numbers for f in biff_facts(*stream)}
        wb = pc.CalamineWorkbook.from_path(str(same))
        assert ours.names == wb.sheet_names
        if same == path:  # (Gnumeric's .xlsx: calamine sees no sheet hidden)
            assert ours.hidden == {
                m.name for m in wb.sheets_metadata if m.visible != pc.SheetVisibleEnum.Visible
            }
        assert ours.hidden  # the templates' hidden sheets
        dates = 0
        for name in ours.names:
            theirs = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            _as_formatted(theirs, numbers[name])
            assert ours.rows[name] == theirs, (path.name, name)
            dates += sum(isinstance(v, dt.date) for row in ours.rows[name] for v in row)
        assert dates >= 1, path.name  # the report date, read as a date


def _record(kind: int, body: bytes) -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def test_biff_shared_strings_across_continue_records() -> None:
    """An SST whose second string is split by a CONTINUE record that switches its characters
    from one byte to two ([MS-XLS] 2.4.58), a rich string (formatting runs skipped) and a
    string with phonetic data (skipped), read by LABELSST cells; a formula's string result
    after a CONTINUE of the formula and BIFF8 LABEL, NUMBER, RK, BOOLERR cells."""
    from pipeline.read.formats.biff import biff_facts, biff_values

    boundsheet = lambda offset: struct.pack("<IBB", offset, 0, 0) + bytes([2, 0]) + b"S1"  # noqa: E731
    sst = struct.pack("<II", 4, 4) + struct.pack("<HB", 3, 0) + b"abc" + struct.pack("<HB", 6, 0) + b"Ki"
    cont = b"\x01" + "ên G".encode("utf-16-le")  # the rest of "Kiên G", now two bytes each
    rich = struct.pack("<HBH", 2, 0x08, 1) + b"xy" + bytes(4)  # one formatting run
    phonetic = struct.pack("<HBi", 1, 0x04, 3) + b"z" + b"\x01\x02\x03"
    globals_ = [
        _record(0x0809, struct.pack("<HH", 0x0600, 5) + bytes(12)),
        _record(0x0042, struct.pack("<H", 1200)),
        None,  # BOUNDSHEET, once the sheet's offset is known
        _record(0x00FC, sst),
        _record(0x003C, cont + rich + phonetic),
        _record(0x000A, b""),
    ]
    cell = lambda row, col: struct.pack("<HHH", row, col, 0)  # noqa: E731
    sheet = b"".join(
        [
            _record(0x0809, struct.pack("<HH", 0x0600, 0x10) + bytes(12)),
            _record(0x00FD, cell(0, 0) + struct.pack("<I", 1)),
            _record(0x00FD, cell(0, 2) + struct.pack("<I", 0)),
            _record(0x00FD, cell(1, 1) + struct.pack("<I", 2)),
            _record(0x00FD, cell(1, 2) + struct.pack("<I", 3)),
            _record(0x0006, cell(2, 0) + bytes([0, 0, 0, 0, 0, 0, 0xFF, 0xFF]) + bytes(6) + b"\x10\x00"),
            _record(0x003C, bytes(16)),  # the rest of a long formula
            _record(0x0207, struct.pack("<HB", 4, 1) + "Bình".encode("utf-16-le")),
            _record(0x0204, cell(3, 0) + struct.pack("<HB", 2, 0) + b"ok"),
            _record(0x0203, cell(3, 1) + struct.pack("<d", 1.5)),
            _record(0x027E, cell(3, 2) + struct.pack("<I", (513 << 2) | 2)),
            _record(0x0205, cell(4, 0) + b"\x01\x00"),
            _record(0x0205, cell(4, 1) + b"\x07\x01"),  # #DIV/0!: no value
            _record(0x0809, struct.pack("<HH", 0x0600, 0x20) + bytes(12)),  # a chart inside
            _record(0x000A, b""),  # ends the sheet for calamine and the facts: the grid as bounded
            _record(0x0203, cell(65535, 255) + struct.pack("<d", 1.0)),
            _record(0x000A, b""),
        ]
    )
    offset = sum(len(r) for r in globals_ if r) + len(_record(0x0085, boundsheet(0)))
    globals_[2] = _record(0x0085, boundsheet(offset))
    book = b"".join(r for r in globals_ if r) + sheet
    got = biff_values(book, False, lambda name: True)
    facts = biff_facts(book, False)
    assert (facts[0].rows, facts[0].columns) == (5, 3) and facts[0].errors == {"B5": "#DIV/0!"}
    assert got.names == ["S1"] and got.hidden == set()
    assert got.rows["S1"] == [
        ["Kiên G", "", "abc"],
        ["", "xy", "z"],
        ["Bình", "", ""],
        ["ok", 1.5, 513],
        [True, "", ""],
    ]
    assert biff_values(book, False, lambda name: False).rows == {}


def test_the_feedback_of_another_writers_file_holds_the_figures_as_read(make_file, tmp_path: Path) -> None:
    """brk41 F1, F2: the feedback workbook of an .xlsb SheetJS wrote (short cell records)
    was the blank template, and that of a Gnumeric .xls (`[$-42A]#,##0`) gave every count as
    a date: both were read again by calamine alone. Now it holds every value the run read,
    each a number where the unit typed one, and `check` of it finds nothing."""
    src, _ = make_file("899", seed=5)
    xlsb = _sheetjs(src, tmp_path / "899.xlsb")
    xls = _ssconvert(src, tmp_path / "899.xls")
    typed = openpyxl.load_workbook(src)
    inputs = [
        (ws.title, cell.coordinate, cell.value)
        for ws in typed.worksheets
        if ws.title in (FORM.sheets["info"], *(b.sheet for b in FORM.blocks.values()))
        for row in ws.iter_rows()
        for cell in row
        if not cell.protection.locked and cell.value not in (None, "")
    ]
    assert any(isinstance(v, int) for _, _, v in inputs) and len(inputs) > 20
    for made in (xlsb, xls):
        wb, how = unit_workbook(FORM, parse_path(made, 1, FORM))
        assert how == REBUILT
        got = [(sheet, ref, wb[sheet][ref].value) for sheet, ref, _ in inputs]
        assert got == inputs, made.suffix
        out = tmp_path / f"phan-hoi{made.suffix}.xlsx"
        wb.save(out)
        assert _figures(out)[0] == [], made.suffix
