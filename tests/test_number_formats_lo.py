"""Issue #25 item 3: number formats read as LibreOffice reads them.

A unit's figures under a format with unquoted words (`#,##0 VND`, `0 hs`, `0 ngày`, `#,##0
đồng`) show as plain numbers in LibreOffice (a section mixing a number with a date code is
refused and shown as General; other letters are literal text), so they are read as numbers;
built-in format ids 27-36, 50-58 and 71-81 that a file names without defining show dates
there, so numbers under them are refused as dates, as under any date format. Under a format
with conditions, each number is shown with the section LibreOffice picks for it (three
sections with conditions, a condition without its number, a text section last:
`CONDITION_CODES`). Every case is checked against LibreOffice's own reading of the same
cells (its CSV export of what it shows).
"""

from __future__ import annotations

import csv
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from pipeline.form import load_form
from pipeline.read.formats.numfmt import (
    BUILTIN_DATE_IDS,
    section_for,
    section_types,
    shows_date,
    shows_date_at,
    xlsx_date_styles,
)
from pipeline.read.parse import parse_path
from tests import lo
from tests.test_reading_writers import _sheetjs

FORM = load_form()

# unquoted words after or before a number: units, currency words, Vietnamese words with the
# letters of date codes (d, h, m, s, g, e, r, n) and without
WORD_FORMATS = [
    "#,##0 VND",
    "0 hs",
    "0 ngày",
    "#,##0 đồng",
    "#,##0 Đồng",
    "0 học sinh",
    "0 hộ",
    "0 em",
    "#,##0 người",
    "#,##0 trđ",
    "#,##0 VNĐ",
    "VND #,##0",
    "hs 0",
    "ngày 0",
    "0 lượt",
    "#,##0 đ",
    "0 y",
    "0 abc",
    "0 [h]",
    "dd 0",
    "General d",
]
DATE_FORMATS = ["dd/mm/yyyy", "[$-42A]dd/mm/yyyy", "h:mm", "[h]:mm:ss", "mmm-yy", "Standard", "hs", "ngày"]


def _lo_shown(src: Path, sheet: int, out: Path) -> list[list[str]]:
    """The cells of sheet number `sheet` (1-based) of `src` as LibreOffice shows them."""
    lo.require_soffice()
    out.mkdir(parents=True, exist_ok=True)
    with lo.profile() as prof:
        lo.run_office(
            ["--convert-to", lo.CSV_SHOWN.format(sheet=sheet), "--outdir", str(out), str(src)], prof
        )
    (written,) = out.glob(f"{src.stem}*.csv")
    return list(csv.reader(written.read_text(encoding="utf-8").splitlines()))


def _lo_numbers_shown(formats: list[str], value: float = 45) -> list[str]:
    """`value` under each format, as LibreOffice shows it."""
    with tempfile.TemporaryDirectory() as tmp:
        src = lo.numbers_under_formats(Path(tmp) / "f.xlsx", [(fmt, value) for fmt in formats])
        return [row[0] if row else "" for row in _lo_shown(src, 1, Path(tmp) / "csv")]


def test_words_are_literal_and_date_codes_mixed_with_numbers_are_refused() -> None:
    """The classification, pinned: words show numbers, date formats show dates."""
    assert [f for f in WORD_FORMATS if shows_date(f)] == []
    assert [f for f in DATE_FORMATS if not shows_date(f)] == []
    assert section_types("0 hs") is None  # LibreOffice refuses the code: General
    assert section_types("#,##0 VNĐ") == ("number",)  # V, N, Đ start no keyword: literal
    assert section_types("[$₫-42A]dd/mm/yyyy") == ("currency",)


def test_the_classification_is_libreoffices() -> None:
    """45 under each format, shown by LibreOffice: the number itself where we read a number,
    no "45" where we read a date."""
    formats = WORD_FORMATS + DATE_FORMATS
    shown = _lo_numbers_shown(formats)
    assert len(shown) == len(formats)
    wrong = [(f, s) for f, s in zip(formats, shown, strict=True) if shows_date(f) == ("45" in s)]
    assert wrong == []


_WORDS = st.sampled_from(["VND", "hs", "ngày", "đồng", "học sinh", "hộ", "em", "trđ", "người", "VNĐ", "lượt"])
_LETTERS = st.text("abcdeghmnqrstuvwxyĐđồộ", min_size=1, max_size=4)
_NUMBER = st.sampled_from(["0", "#,##0", "#,##0.0", "0%", "#0"])
_DATE = st.sampled_from(["dd/mm/yyyy", "d", "mm", "yy", "hh:mm", "[h]", "mmm", "h:mm AM/PM"])
_SEP = st.sampled_from([" ", "", "-", " ("])
_FORMAT = st.one_of(
    st.tuples(_NUMBER, _SEP, st.one_of(_WORDS, _LETTERS)).map("".join),
    st.tuples(st.one_of(_WORDS, _LETTERS), _SEP, _NUMBER).map("".join),
    st.tuples(_DATE, _SEP, st.one_of(_WORDS, _LETTERS)).map("".join),
    st.tuples(st.one_of(_WORDS, _LETTERS), _SEP, _DATE).map("".join),
)


@lo.each_example_one_run(3)
@given(st.lists(_FORMAT, min_size=30, max_size=30, unique=True))
def test_unquoted_words_agree_with_libreoffice(formats: list[str]) -> None:
    """Any unquoted word before or after a number or a date: a number where LibreOffice shows
    "45" (the words hold no digit), a date where it does not."""
    shown = _lo_numbers_shown(formats)
    wrong = [(f, s) for f, s in zip(formats, shown, strict=True) if shows_date(f) == ("45" in s)]
    assert wrong == []


# ----- any format code: LibreOffice's own type of the format it reads ------------------------
_ODS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "number": "urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0",
}


def _lo_shows_date(formats: list[str]) -> list[bool]:
    """Whether LibreOffice reads each format as a date or time: the data style it writes for
    the cell in .ods (number:date-style or number:time-style, itself or one of its
    sections; a refused format is General, a number style)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = lo.numbers_under_formats(Path(tmp) / "f.xlsx", [(fmt, 45) for fmt in formats])
        with zipfile.ZipFile(lo.convert(src, Path(tmp) / "ods", "ods")) as zf:
            parts = [etree.fromstring(zf.read(n)) for n in ("content.xml", "styles.xml")]
    name = f"{{{_ODS['style']}}}name"
    kinds: dict[str, tuple[str, list[str]]] = {}
    for part in parts:
        for el in part.iter(f"{{{_ODS['number']}}}*"):
            if el.get(name) and el.tag.endswith("-style"):
                maps = [m.get(f"{{{_ODS['style']}}}apply-style-name") for m in el.findall("style:map", _ODS)]
                kinds[el.get(name)] = (etree.QName(el).localname, maps)
    data_style = {
        st.get(name): st.get(f"{{{_ODS['style']}}}data-style-name")
        for st in parts[0].iter(f"{{{_ODS['style']}}}style")
    }
    out: list[bool] = []
    for row in parts[0].iter(f"{{{_ODS['table']}}}table-row"):
        cell = row.find("table:table-cell", _ODS)
        name = data_style.get(cell.get(f"{{{_ODS['table']}}}style-name"))
        own, maps = kinds.get(name, ("none", []))
        # and the styles of its sections (named <name>P<n>) that no map names: LibreOffice
        # names one it does not write for a condition on a last text section
        # (`[<0.5]dd/mm/yyyy;[=-5]@` maps to N144P1, its date section is N144P0)
        sections = [k for n, (k, _) in kinds.items() if name and re.fullmatch(rf"{re.escape(name)}P[0-9]", n)]
        styles = [own, *(kinds.get(m, ("none", []))[0] for m in maps), *sections]
        repeat = int(row.get(f"{{{_ODS['table']}}}number-rows-repeated", "1"))
        out += [any(k in ("date-style", "time-style") for k in styles)] * min(repeat, len(formats))
    return out[: len(formats)]


# pieces of format codes: placeholders, separators, brackets, literals, date and time codes,
# other keywords (G, R, NN, WW, Q, CCC, E, General), words, currency, sections, conditions
_PIECES = [*"0#?.,% /:-;()", "E+", "E-", "e", "General", "@", "[h]", "[mm]", "[$-42A]", "[$₫-42A]"]
_PIECES += ["[Red]", '"x"', "\\d", "_d", "*d", "$", "d", "dd", "m", "mm", "mmm", "yy", "yyyy", "h", "hh", "s"]
_PIECES += ["ss", "AM/PM", "A/P", "a", "g", "n", "nn", "q", "r", "w", "ww", "t", "b", "ccc", "đ", "VND", "hs"]
_PIECES += ["ngày", "đồng", "[>100]", "[<0]", "[=0]", "[<=5]", "[>]", "[=>5]"]  # conditions, anywhere
_ANY_FORMAT = (
    st.lists(st.sampled_from(_PIECES), min_size=1, max_size=8).map("".join).filter(lambda f: f.count("*") < 2)
)


@lo.each_example_one_run(3)
@given(st.lists(_ANY_FORMAT, min_size=80, max_size=80, unique=True))
def test_any_format_is_a_date_where_libreoffice_reads_a_date(formats: list[str]) -> None:
    """Format codes assembled from every kind of piece: ours shows a date exactly where
    LibreOffice's own reading of the code is a date or time format."""
    lo.require_soffice()
    theirs = _lo_shows_date(formats)
    assert len(theirs) == len(formats)
    wrong = [(f, t) for f, t in zip(formats, theirs, strict=True) if shows_date(f) != t]
    assert wrong == []


# ----- a unit's file: figures under word formats are read; undefined date ids refused ---------
def _figures(path: Path) -> tuple[list[str], dict[str, Any]]:
    p = parse_path(path, 1, FORM)
    rows = {b: [(r.row, r.key, r.measures) for r in recs] for b, recs in p.rows.items()}
    return [f"{f.code} {f.sheet}!{f.cell}" for f in p.findings], rows


def _number_cells(path: Path, sheet: str) -> list[tuple[str, int]]:
    """The cells of `sheet` holding a typed whole number past the header (A1, value)."""
    ws = openpyxl.load_workbook(path)[sheet]
    return [
        (c.coordinate, c.value)
        for row in ws.iter_rows(min_row=7)
        for c in row
        if isinstance(c.value, int) and not isinstance(c.value, bool) and c.value > 1 and c.column > 2
    ]


def test_figures_under_word_formats_read_as_libreoffice_shows_them(make_file, tmp_path: Path) -> None:
    src, _ = make_file("899", seed=3)
    want = _figures(src)
    assert want[0] == []
    sheet = FORM.sheets["results"]
    cells = _number_cells(src, sheet)
    assert len(cells) >= len(WORD_FORMATS[:10])
    wb = openpyxl.load_workbook(src)
    for (cell, _), fmt in zip(cells, WORD_FORMATS[:10] * len(cells), strict=False):
        wb[sheet][cell].number_format = fmt
    out = tmp_path / "words.xlsx"
    wb.save(out)
    assert _figures(out) == want  # no finding, the same figures
    xlsb = _sheetjs(out, tmp_path / "words.xlsb")  # the formats kept in .xlsb's styles.bin
    assert _figures(xlsb) == want
    shown = _lo_shown(out, wb.sheetnames.index(sheet) + 1, tmp_path / "csv")
    for cell, value in cells:
        col, row = re.fullmatch(r"([A-Z]+)(\d+)", cell).groups()  # type: ignore[union-attr]
        assert shown[int(row) - 1][openpyxl.utils.column_index_from_string(col) - 1] == str(value), cell


def _with_builtin_ids(src: Path, out: Path, ids: list[int], cells: list[str], sheet_part: str) -> Path:
    """`src` with each of `cells` (of the sheet part `sheet_part`) held under a cell format
    that names a built-in format id of `ids` without defining it (as a writer relying on the
    reader's table of built-in formats does)."""
    with zipfile.ZipFile(src) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    styles = parts["xl/styles.xml"].decode()
    cell_xfs = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", styles, re.S)
    assert cell_xfs
    xfs = re.findall(r"<xf [^>]*?(?:/>|>.*?</xf>)", cell_xfs.group(1), re.S)
    first = len(xfs)
    new_xfs = [re.sub(r'numFmtId="\d+"', f'numFmtId="{i}"', xfs[0], count=1) for i in ids]
    if 'numFmtId="' not in xfs[0]:
        new_xfs = [xfs[0].replace("<xf ", f'<xf numFmtId="{i}" ', 1) for i in ids]
    body = cell_xfs.group(1) + "".join(x.replace("<xf ", '<xf applyNumberFormat="1" ', 1) for x in new_xfs)
    styles = styles[: cell_xfs.start(1)] + body + styles[cell_xfs.end(1) :]
    styles = re.sub(r'(<cellXfs[^>]*count=")\d+', lambda m: m.group(1) + str(first + len(ids)), styles)
    parts["xl/styles.xml"] = styles.encode()
    sheet = parts[sheet_part].decode()
    for k, cell in enumerate(cells):
        sheet, n = re.subn(
            rf'<c r="{cell}"( s="\d+")?',
            f'<c r="{cell}" s="{first + k % len(ids)}"',
            sheet,
            count=1,
        )
        assert n == 1, cell
    parts[sheet_part] = sheet.encode()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return out


@pytest.mark.parametrize("ids", [[71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81], [27, 31, 36, 50, 55, 58]])
def test_undefined_builtin_date_ids_are_dates_as_libreoffice_shows_them(
    make_file, tmp_path: Path, ids
) -> None:
    assert set(ids) <= BUILTIN_DATE_IDS
    src, _ = make_file("899", seed=3)
    sheet = FORM.sheets["results"]
    cells = [c for c, v in _number_cells(src, sheet) if v < 2_000_000][: len(ids)]
    assert len(cells) == len(ids)
    wb = openpyxl.load_workbook(src)
    index = wb.sheetnames.index(sheet)
    out = _with_builtin_ids(src, tmp_path / "ids.xlsx", ids, cells, f"xl/worksheets/sheet{index + 1}.xml")
    styles = xlsx_date_styles(zipfile.ZipFile(out).read("xl/styles.xml"))
    assert len(styles) >= len(ids)
    found, _ = _figures(out)
    assert sorted(f for f in found if f.startswith("NUMBER_INVALID")) == sorted(
        f"NUMBER_INVALID {sheet}!{c}" for c in cells
    )
    shown = _lo_shown(out, index + 1, tmp_path / "csv")
    values = dict(_number_cells(src, sheet))
    for cell in cells:
        col, row = re.fullmatch(r"([A-Z]+)(\d+)", cell).groups()  # type: ignore[union-attr]
        text = shown[int(row) - 1][openpyxl.utils.column_index_from_string(col) - 1]
        assert text != str(values[cell]) and re.search(r"[/:]|[A-Za-z]{3}", text), (cell, text)


# ----- conditions and signed sections: the section LibreOffice picks for each number ---------
_DATE_SHOWN = re.compile(r"[0-9]+/[0-9]+/[0-9]+|[0-9]+:[0-9]{2}")  # dd/mm/yyyy, h:mm


def _lo_dates_shown(pairs: list[tuple[str, float]]) -> list[bool]:
    """Whether LibreOffice shows each (format, number) of `pairs` as a date or a time (one
    run: a cell each)."""
    lo.require_soffice()
    with tempfile.TemporaryDirectory() as tmp:
        src = lo.numbers_under_formats(Path(tmp) / "f.xlsx", pairs)
        shown = [row[0] if row else "" for row in _lo_shown(src, 1, Path(tmp) / "csv")]
    assert len(shown) == len(pairs)
    return [bool(_DATE_SHOWN.search(s)) for s in shown]


# (code, its limits): the codes whose section used to be decided by the code alone (three
# sections with conditions, a condition without its number), one conditioned section, a text
# section last or fourth, and codes LibreOffice refuses for their conditions (General)
CONDITION_CODES: list[tuple[str, tuple[float, ...]]] = [
    ("[>=1000]#,##0;[<0]dd/mm/yyyy;0", (1000, 0)),
    ("[<10]0;[>100]dd/mm/yyyy;#,##0", (10, 100)),
    ("[=0]dd/mm/yyyy;0;0", (0,)),
    ("[<0]0;dd/mm/yyyy;0", (0,)),
    ("[>=100]dd/mm/yyyy;[<0]0;h:mm", (100, 0)),
    ("[<=-5]dd/mm/yyyy;[>=5]0;h:mm", (-5, 5)),
    ("[Red][>=100]dd/mm/yyyy;[Blue][<=0]0;0", (100, 0)),
    ("[>]0;dd/mm/yyyy", (0,)),
    ("[>]dd/mm/yyyy;0", (0,)),
    ("[<=]dd/mm/yyyy;0", (0,)),
    ("[<>]0;dd/mm/yyyy", (0,)),
    ("[=]0;dd/mm/yyyy;0", (0,)),
    ("[>]0;[<]dd/mm/yyyy;h:mm", (0,)),
    ("[>abc]dd/mm/yyyy;0", (0,)),
    ("[>0]dd/mm/yyyy;0", (0,)),
    ("[> 1,000]dd/mm/yyyy;0", (1000,)),
    ("[>1e2]dd/mm/yyyy;0", (100,)),
    ("[>=.5]dd/mm/yyyy;0", (0.5,)),
    ("[>=100]dd/mm/yyyy", (100,)),
    ("[>]dd/mm/yyyy", (0,)),
    ("[>=100]dd/mm/yyyy;", (100,)),
    ("[>=100]dd/mm/yyyy;@", (100,)),
    ("dd/mm/yyyy;@", (0,)),
    ("dd/mm/yyyy;0;@", (0,)),
    ("[>=100]dd/mm/yyyy;[<0]0;@", (100, 0)),
    ("[>0]dd/mm/yyyy;[<-5]0;@", (0, -5)),
    ("[>=100]0;dd/mm/yyyy;@", (100,)),
    ("[>=0]h:mm;@;", (0,)),
    ("[>=100]dd/mm/yyyy;0;0;@", (100, 0)),
    ("[>=100]0;[<0]0;dd/mm/yyyy;@", (100, 0)),
    ("[>5]0;[<0][<-5]dd/mm/yyyy;0", (5, -5)),
    ("dd/mm/yyyy;0;@;;0", (0,)),  # the text section is not the last: no condition dropped
    ("0;dd/mm/yyyy;0;@;[>5]0 hs", (5,)),  # a fifth section is not read
    ("[>=100]dd/mm/yyyy;0;0;@;0", (100, 0)),
    ("0;[<0]dd/mm/yyyy", (0,)),
    ("[>=100]0;[<0]0;[=5]dd/mm/yyyy", (100, 5)),
    ("[>=100]dd/mm/yyyy;0;0;[=5]@", (100, 5)),
    ("[>0][<5]dd/mm/yyyy;0", (0, 5)),
    ("[=>5]dd/mm/yyyy;0", (5,)),
    # a ';' escaped, or the character of a '_' or a '*', splits no section
    ("0\\;0;dd/mm/yyyy", (0,)),
    ("dd/mm/yyyy\\;0;0", (0,)),
    ("0_;;dd/mm/yyyy", (0,)),
    ("0*;;dd/mm/yyyy", (0,)),
    ("dd/mm/yyyy*;0;0", (0,)),
]


def _around(limits: tuple[float, ...]) -> list[float]:
    """Numbers at and around each limit: a negative and a large one, 0, and each limit less
    1 and a half, itself, and more 1 and a half."""
    near = {x + d for x in limits for d in (-1, -0.5, 0, 0.5, 1)}
    return sorted({-1000, -7, 0, 150000} | near)


def test_conditions_pick_the_section_libreoffice_shows() -> None:
    """Each code of CONDITION_CODES at and around its limits: a date or time exactly where
    LibreOffice shows one; every code's picking followed (`section_for`), or the code
    refused (General, never a date)."""
    assert [c for c, _ in CONDITION_CODES if section_for(c, 0) is None and section_types(c) is not None] == []
    pairs = [(code, n) for code, limits in CONDITION_CODES for n in _around(limits)]
    theirs = _lo_dates_shown(pairs)
    wrong = [(f, v) for (f, v), t in zip(pairs, theirs, strict=True) if shows_date_at(f, v) != t]
    assert wrong == []
    assert 0.2 < sum(theirs) / len(theirs) < 0.8  # dates and numbers both among them


_COND = st.sampled_from(["", "[>=100]", "[<0]", "[=5]", "[<>5]", "[>1000]", "[<=0]", "[RED]", "[BLUE][<50]"])
_SECTION = st.sampled_from(["dd/mm/yyyy", "h:mm", "#,##0", "0.00", "0", '"x"0'])
_COLOUR = st.sampled_from(["", "[RED]", "[BLUE]"])
# any condition (an operator LibreOffice refuses, no number, a text that is no number among
# them) on any section of one to four, a text section or an empty one among them
_OPERATOR = st.sampled_from(["<", ">", "=", "<>", "<=", ">=", "=>", "=="])
_LIMIT = st.sampled_from(["", "0", "5", "100", "-5", "1e2", "1,000", "abc", "0.5"])
_ANY_COND = st.one_of(
    st.just(""),
    st.tuples(_OPERATOR, _LIMIT).map(lambda c: f"[{c[0]}{c[1]}]"),
    st.tuples(_COLOUR, _OPERATOR, _LIMIT).map(lambda c: f"{c[0]}[{c[1]}{c[2]}]"),
)
_ANY_SECTION = st.one_of(_SECTION, st.sampled_from(["@", "", '"a"@']))
_CONDITIONAL = st.one_of(
    st.lists(st.tuples(_COND, _SECTION).map("".join), min_size=2, max_size=2).map(";".join),
    st.lists(st.tuples(_COLOUR, _SECTION).map("".join), min_size=3, max_size=3).map(";".join),
    st.lists(st.tuples(_COLOUR, _SECTION).map("".join), min_size=3, max_size=3)
    .map(";".join)
    .map(lambda f: f + ";@"),
    st.tuples(
        st.lists(st.tuples(_ANY_COND, _ANY_SECTION).map("".join), min_size=1, max_size=4).map(";".join),
        st.sampled_from(["", ";"]),
    ).map("".join),
)
_VALUES = (-1000, -7, -5, 0, 0.5, 4, 5, 6, 50, 99, 100, 101, 1000, 1001, 150000)


@lo.each_example_one_run(2)
@given(st.lists(_CONDITIONAL, min_size=16, max_size=16, unique=True))
def test_the_section_for_a_number_is_libreoffices(formats: list[str]) -> None:
    """Formats of one to four sections, with or without conditions (anywhere, of any
    operator, with or without a number) and colours: for each of several numbers, a date or
    time exactly where LibreOffice shows the number as one (the section it picks:
    `numfmt.section_for`); codes LibreOffice refuses show General."""
    pairs = [(f, v) for f in formats for v in _VALUES]
    theirs = _lo_dates_shown(pairs)
    wrong = [(f, v) for (f, v), t in zip(pairs, theirs, strict=True) if shows_date_at(f, v) != t]
    assert wrong == []
