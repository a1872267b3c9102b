"""Issue #23 item 4: the template's live checks survive text, blanks and error values.

Templates written by our generator are filled with the project's filler (openpyxl: text is
stored as text, "#N/A" as an error value), recalculated by LibreOffice headless (one start
for every file) and read back. For a table of mistakes a unit makes:
- no check, summary, overview or total cell shows an error value (#VALUE!, #N/A, …);
- a number cell holding text says "chỉ gõ số" on its row, and any other error of that row
  is still shown;
- the template's verdict and error counts (the overview and each sheet) equal the
  pipeline's on the same recalculated file (`check_files`: errors by sheet), because both
  take severity and words from one rule catalogue.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import shutil
import subprocess
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from pipeline.filler import fill
from pipeline.render.livechecks import ERROR_MARK
from pipeline.render.numbercells import STEPS, readers
from pipeline.rules.catalogue import RULES
from pipeline.rules.findings import ERROR, SEVERITY_VI
from pipeline.run.consolidate import check_files
from pipeline.samples import valid_data
from tests import lo
from tests.conftest import template_for

DEPARTMENT = "SYT"  # free rows: region and category typed on each row
DISTRICT = "903"  # fixed rows
AT_MOST = "trẻ em nữ lớn hơn"  # MEASURE_AT_MOST's words for girls over children
READ_AS = "không đúng như trong danh sách"  # NAME_READ_AS's words
SMALL = "dưới 1.000 đồng"  # MONEY_TOO_SMALL's
NEGATIVE = "là số âm"  # NUMBER_NEGATIVE's
TOO_LARGE = "quá lớn"  # NUMBER_TOO_LARGE's
FRACTION = "không phải số nguyên"  # NUMBER_NOT_INTEGER's
SHOWN_ERROR = re.compile(r"^(#[A-Z/0!?]+|Err:\d+)")  # an error value as Excel or LibreOffice shows it


def _unaccented(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


Mutate = Callable[[dict[str, Any], dict[str, Any]], None]  # (data, layout)


def _row(i: int, **values: Any) -> Mutate:
    def mutate(data: dict[str, Any], _layout: dict[str, Any]) -> None:
        data["results"][i].update(values)

    return mutate


def _girls_over(i: int) -> Mutate:
    def mutate(data: dict[str, Any], _layout: dict[str, Any]) -> None:
        data["results"][i]["girls"] = data["results"][i]["children"] + 3

    return mutate


def _misspelt(i: int) -> Mutate:
    """The row's region typed without accents ("Huyen Hon Dat"), as on a PC without a
    Vietnamese keyboard: the pipeline reads it as the listed name, with a warning."""

    def mutate(data: dict[str, Any], layout: dict[str, Any]) -> None:
        names = {r["code"]: r["name"] for r in layout["lists"]["regions"]}
        data["results"][i]["region"] = _unaccented(names[data["results"][i]["region"]])

    return mutate


def _tone_slipped(i: int) -> Mutate:
    """The row's region with a tone mark on another vowel of its word ("Rạch Gía" for
    "Rạch Giá", "Hoà" for "Hòa"): the pipeline folds the marks and reads the listed name,
    with a warning; the template agrees."""

    def mutate(data: dict[str, Any], layout: dict[str, Any]) -> None:
        from pipeline.rules.spellings import _tone_moved

        names = {r["code"]: r["name"] for r in layout["lists"]["regions"]}
        row = data["results"][i]
        row["region"] = next(v for v in _tone_moved(names[row["region"]]) if v != names[row["region"]])

    return mutate


def _typed(i: int, key: str, spell: Callable[[int], Any]) -> Mutate:
    """The row's figure `key` typed another way: `spell` of the number it holds."""

    def mutate(data: dict[str, Any], _layout: dict[str, Any]) -> None:
        data["results"][i][key] = spell(data["results"][i][key])

    return mutate


def _needs_spaces(data: dict[str, Any], _layout: dict[str, Any]) -> None:
    """Every figure of the needs sheet only spaces: read as blank, so the sheet is empty."""
    for row in data["needs"].values():
        for key in row:
            row[key] = "   "


def _info(**values: Any) -> Mutate:
    def mutate(data: dict[str, Any], _layout: dict[str, Any]) -> None:
        data["info"].update(values)

    return mutate


def _need(value: Any) -> Mutate:
    def mutate(data: dict[str, Any], _layout: dict[str, Any]) -> None:
        first = next(iter(data["needs"]))
        data["needs"][first]["cost"] = value

    return mutate


def _total_overwritten(data: dict[str, Any], layout: dict[str, Any]) -> None:
    """A number typed over the first row's total (its formula gone): the total no longer
    matches the row."""
    blk = layout["layouts"]["free_rows"]["repeating_blocks"][0]
    computed = next(c for c in layout["layouts"]["free_rows"]["computed"] if c["block"] == blk["block"])
    col = next(iter(computed["row_totals"].values()))
    data.setdefault("raw", []).append((blk["sheet"], f"{col}{blk['first_row']}", 12345))


def _all(*mutations: Mutate) -> Mutate:
    def mutate(data: dict[str, Any], layout: dict[str, Any]) -> None:
        for m in mutations:
            m(data, layout)

    return mutate


@dataclass(frozen=True)
class Case:
    """A mistake: the unit, what to do to valid data, the errors the pipeline must find,
    whether a number cell holds text (its row must say "chỉ gõ số")."""

    id: str
    unit: str
    mutate: Mutate
    errors: int
    text_row: int | None = None  # the results row (index) holding text in a number cell
    also: tuple[str, ...] = ()  # words the same row's text must also show (another problem)


CASES = [
    Case("clean", DEPARTMENT, lambda d, lay: None, 0),
    Case("text-unreadable", DEPARTMENT, _row(0, girls="khoảng 50"), 1, text_row=0),
    Case("text-readable", DEPARTMENT, _row(0, cash="3.500.000"), 0, text_row=0),
    Case(
        "text-and-girls-over",
        DEPARTMENT,
        _all(_girls_over(0), _row(0, cash="khoảng 50")),
        2,
        text_row=0,
        also=(AT_MOST,),
    ),
    Case(
        "readable-text-and-girls-over",
        DEPARTMENT,
        _all(_girls_over(0), _row(0, in_kind="1 200 000")),
        1,
        text_row=0,
        also=(AT_MOST,),
    ),
    Case("error-value", DEPARTMENT, _row(0, turns="#N/A"), 1, text_row=0),
    Case("misspelt-name", DEPARTMENT, _misspelt(0), 0, also=(READ_AS,)),
    Case("tone-slipped-name", DEPARTMENT, _tone_slipped(0), 0, also=(READ_AS,)),
    Case("girls-over-children", DEPARTMENT, _girls_over(0), 1),
    Case("total-mismatch", DEPARTMENT, _total_overwritten, 0),
    Case("money-too-small", DISTRICT, _row(0, cash=513), 1),
    Case("money-as-text", DISTRICT, _row(0, cash="513.000"), 0, text_row=0),
    Case("decimal-as-text", DISTRICT, _row(0, cash="1,5"), 1, text_row=0),
    Case("blank-required", DEPARTMENT, _info(preparer=None), 1),
    Case("spaces-in-required", DEPARTMENT, _info(preparer="   "), 1),
    Case("blank-numbers", DEPARTMENT, _row(0, girls=None, ethnic=None), 0),
    Case("spaces-only", DEPARTMENT, _row(0, ethnic="   "), 0),
    Case("info-count-text", DISTRICT, _info(activities="khoảng 5"), 1),
    Case("needs-text", DISTRICT, _need("1 tỷ"), 1),
    # spellings of a number typed as text (`values.parse_int`), one case a class
    Case("currency-word", DEPARTMENT, _typed(0, "cash", lambda v: f"{v:,} đồng".replace(",", ".")), 0, 0),
    Case("currency-letter", DEPARTMENT, _typed(0, "cash", lambda v: f"{v:,}đ".replace(",", ".")), 0, 0),
    Case("currency-vnd", DEPARTMENT, _typed(0, "in_kind", lambda v: f"{v} VND."), 0, 0),
    Case(
        "currency-decomposed",
        DEPARTMENT,
        _typed(0, "cash", lambda v: unicodedata.normalize("NFD", f"{v:,} Đồng".replace(",", "."))),
        0,
        0,
    ),
    Case("currency-alone", DEPARTMENT, _row(0, cash="đồng"), 1, 0),
    Case("plus-sign", DEPARTMENT, _typed(0, "turns", lambda v: f"+{v}"), 0, 0),
    Case("plus-space", DEPARTMENT, _typed(0, "turns", lambda v: f"+ {v}"), 1, 0),
    Case("leading-zeros", DEPARTMENT, _typed(0, "children", lambda v: f"00{v}"), 0, 0),
    Case("misplaced-dots", DEPARTMENT, _row(0, cash="12.34.567"), 1, 0),
    Case("comma-groups", DEPARTMENT, _row(0, cash="1,234,567"), 0, 0),
    Case("one-comma-group", DEPARTMENT, _row(0, cash="1,234"), 1, 0),
    Case("nbsp-groups", DEPARTMENT, _row(0, cash="1\u00a0234\u00a0567"), 0, 0),
    Case("narrow-nbsp-groups", DEPARTMENT, _row(0, cash="1\u202f234\u202f567"), 0, 0),
    Case("full-width-digits", DEPARTMENT, _row(0, cash="１２３４５６７"), 0, 0),
    Case("full-width-vnd", DEPARTMENT, _typed(0, "in_kind", lambda v: f"{v} ＶＮＤ"), 0, 0),
    Case("zero-width-inside", DEPARTMENT, _row(0, cash="1.234\u200b.567"), 0, 0),
    Case("leading-zero-group", DEPARTMENT, _row(0, cash="0.500"), 1, 0),
    Case("text-girls-over", DEPARTMENT, _typed(0, "girls", lambda v: f"{v + 10**6}"), 1, 0, (AT_MOST,)),
    Case("text-money-small", DISTRICT, _row(0, cash="513"), 1, 0, (SMALL,)),
    Case("text-money-small-word", DISTRICT, _row(0, cash="513 đồng"), 1, 0, (SMALL,)),
    Case("negative-text", DEPARTMENT, _row(0, girls="-5"), 1, also=(NEGATIVE,)),
    Case("minus-zero", DEPARTMENT, _row(0, girls="-0"), 0, 0),
    Case("too-large-text", DEPARTMENT, _row(0, cash="9.999.999.999.999.999"), 1, also=(TOO_LARGE,)),
    Case("too-large-number", DEPARTMENT, _row(0, cash=10**16), 1, also=(TOO_LARGE,)),
    Case("no-break-space-only", DEPARTMENT, _row(0, ethnic="\u00a0 \u200b"), 0),
    Case("needs-spaces-only", DISTRICT, _needs_spaces, 1),
    Case("fraction", DEPARTMENT, _row(0, cash=1500.5), 1, also=(FRACTION,)),
    Case("info-fraction", DISTRICT, _info(activities=2.5), 1),
    Case("info-negative", DISTRICT, _info(activities=-3), 1),
    Case("info-negative-text", DISTRICT, _info(activities="-3"), 1),
    # error values typed or computed in a number cell: named, coloured, never summed
    Case("error-div0", DEPARTMENT, _row(0, cash="#DIV/0!"), 1, 0),
    Case("error-value-typed", DEPARTMENT, _row(0, children="#VALUE!"), 1, 0),
    Case("error-formula", DEPARTMENT, _row(0, in_kind="=1/0"), 1, 0),
    Case("error-in-needs", DISTRICT, _need("#N/A"), 1),
    Case("info-error", DISTRICT, _info(activities="#N/A"), 1),
    # TRUE or FALSE in a number cell: LibreOffice shows 1 or 0 in the template's number
    # format and saves the number, which the pipeline reads as shown (1 đồng: too small; no
    # children); a boolean the file keeps as one (Excel, Gnumeric) is NUMBER_INVALID to both
    Case("boolean-formula", DISTRICT, _row(0, cash="=TRUE()"), 1, also=(SMALL,)),
    Case("boolean-typed", DEPARTMENT, _row(0, children=False), 2, also=(AT_MOST,)),
    # a date typed in a number cell (a number in a date format): the pipeline reads a date
    Case("date-in-number", DEPARTMENT, _row(0, children=dt.datetime(2025, 12, 5)), 1, 0),
    Case("info-date", DISTRICT, _info(activities=dt.datetime(2025, 12, 5)), 1),
    Case(
        "several",
        DEPARTMENT,
        _all(_row(0, girls="khoảng 50"), _girls_over(1), _info(preparer=None), _misspelt(1)),
        3,
        text_row=0,
    ),
]


@pytest.fixture(scope="module")
def filled(tmp_path_factory, form, layout, template_dir) -> dict[str, Path]:
    """Every case filled by the filler (nothing recalculated yet)."""
    base = tmp_path_factory.mktemp("livetext")
    out = {}
    for case in CASES:
        data = valid_data(form, case.unit, random.Random(f"text-{case.unit}"), layout)
        if case.id == "several":
            assert len(data["results"]) >= 2
        case.mutate(data, layout)
        template = template_for(template_dir, form, case.unit)
        out[case.id] = fill(template, base / f"{case.id}.xlsx", layout, case.unit, data)
    return out


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory, filled) -> dict[str, Path]:
    """Every filled case recalculated by one LibreOffice start."""
    return lo.recalculated(filled, tmp_path_factory.mktemp("livetext-lo"))


def _template_counts(layout: dict[str, Any], path: Path) -> tuple[str, dict[str, int]]:
    """(the overview, sheet -> number of errors its check counts) after LibreOffice."""
    wb = openpyxl.load_workbook(path, data_only=True)
    ov = layout["checks"]["overview"]
    counts = {c["sheet"]: wb[c["sheet"]][c["errors_cell"]].value for c in layout["checks"]["sheets"]}
    return str(wb[ov["sheet"]][ov["cell"]].value), counts


def _pipeline_errors(form, path: Path) -> Counter:
    (parsed,) = check_files(form, [path])
    return Counter(f.sheet for f in parsed.findings if f.severity == ERROR)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_no_error_value_in_checks_or_totals(case: Case, recalculated, template_dir, form, layout):
    """Every formula cell of the template (checks, summaries, the overview, the hidden
    reading cells, row and column totals) holds a value, never #VALUE! or another error,
    whatever was typed: an error value typed or computed in a number cell is named by the
    checks and left out of the totals."""
    template = openpyxl.load_workbook(template_for(template_dir, form, case.unit))
    got = openpyxl.load_workbook(recalculated[case.id], data_only=True)
    typed = {(s, c) for s, c, _v in _raw_cells(case, form, layout)}
    formulas = 0
    bad = []
    for ws in template.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if not (isinstance(cell.value, str) and cell.value.startswith("=")):
                    continue
                formulas += 1
                value = got[ws.title][cell.coordinate].value
                if (ws.title, cell.coordinate) in typed:
                    continue
                if isinstance(value, str) and SHOWN_ERROR.match(value):
                    bad.append((ws.title, cell.coordinate, value))
    assert formulas > 50
    assert not bad, bad


def _raw_cells(case: Case, form, layout) -> list[tuple[str, str, Any]]:
    """The cells a case types over the template's own formulas (a total overwritten)."""
    data = valid_data(form, case.unit, random.Random(f"text-{case.unit}"), layout)
    case.mutate(data, layout)
    return data.get("raw", [])


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_template_and_pipeline_agree(case: Case, recalculated, layout, form):
    """The same verdict and the same number of errors, in all and sheet by sheet."""
    overview, counts = _template_counts(layout, recalculated[case.id])
    pipeline = _pipeline_errors(form, recalculated[case.id])
    assert sum(pipeline.values()) == case.errors, (case.id, pipeline)
    assert all(isinstance(n, int | float) for n in counts.values()), counts
    assert {s: int(n) for s, n in counts.items() if n} == dict(pipeline), (case.id, counts, pipeline)
    if case.errors:
        assert overview.startswith(f"Còn {case.errors} lỗi"), overview
    else:
        assert overview.startswith("Đạt"), overview


def _row_texts(layout: dict[str, Any], path: Path) -> list[str]:
    """Every row text of every check sheet that names a problem."""
    wb = openpyxl.load_workbook(path, data_only=True)
    out = []
    for c in layout["checks"]["sheets"]:
        ws = wb[c["sheet"]]
        col = c["row_text_column"]
        out += [str(ws[f"{col}{r}"].value or "") for r in range(3, ws.max_row + 1)]
    return [t for t in out if t.startswith(("Lỗi", "Cảnh báo"))]


def _live_words(code: str) -> str:
    """The longest fixed part of a rule's live text (its words without the cell's name)."""
    return max(re.split(r"\{[^}]*\}", RULES[code].live), key=len).strip()


LIVE = {code: _live_words(code) for code, rule in RULES.items() if rule.live}
_MARK = re.compile(r"(Lỗi|Cảnh báo): ")  # what begins each problem of a row's text
SHEET_WIDE = {"BLOCK_EMPTY", "BLOCK_DECLARED_NOT_EMPTY"}  # in a sheet's summary, not a row's


def _said_by_template(layout: dict[str, Any], path: Path) -> dict[tuple[str, int], list[tuple[str, str]]]:
    """(sheet, row) -> the (severity, rule code) of each problem its row text names."""
    wb = openpyxl.load_workbook(path, data_only=True)
    out = {}
    for c in layout["checks"]["sheets"]:
        ws = wb[c["sheet"]]
        for r in range(3, ws.max_row + 1):
            items = []
            parts = _MARK.split(str(ws[f"{c['row_text_column']}{r}"].value or ""))
            for sev, words in zip(parts[1::2], parts[2::2], strict=True):
                items.append((sev, _code_said(words)))
            if items:
                out[(c["sheet"], r)] = sorted(items)
    return out


def _code_said(words: str) -> str:
    """The rule a problem's words in a row text name: the one whose live words are the longest
    found there; of rules with the same words ("{label} không có trong danh sách"), the one
    whose title names what the words name ("Địa bàn …", "Nội dung hỗ trợ …")."""
    codes = [code for code, w in LIVE.items() if w in words]
    assert codes, words
    longest = max(len(LIVE[c]) for c in codes)
    codes = [c for c in codes if len(LIVE[c]) == longest]
    if len(codes) > 1:
        subject = {c: RULES[c].title.casefold().replace(LIVE[c].casefold(), "").strip() for c in codes}
        codes = [c for c in codes if subject[c] and subject[c] in words.casefold()]
    assert len(codes) == 1, (words, codes)
    return codes[0]


def _said_by_pipeline(
    form, layout: dict[str, Any], path: Path
) -> dict[tuple[str, int], list[tuple[str, str]]]:
    """The same from `check`'s findings on the cells of rows the template checks (rules the
    template has live words for; a total mismatch or a plausibility warning has none)."""
    (parsed,) = check_files(form, [path])
    sheets = {c["sheet"] for c in layout["checks"]["sheets"]}
    out: dict[tuple[str, int], list[tuple[str, str]]] = {}
    for f in parsed.findings:
        if f.sheet in sheets and f.cell and f.code in LIVE and f.code not in SHEET_WIDE:
            row = int(re.sub(r"[A-Z$]", "", f.cell))
            out.setdefault((f.sheet, row), []).append((SEVERITY_VI[f.severity], f.code))
    return {k: sorted(v) for k, v in out.items()}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_each_cell_has_the_pipelines_verdict(case: Case, recalculated, layout, form):
    """Row by row, the template names the same problems as the pipeline: the same rules
    with the same severities (a number typed as text: a warning in both; "513" as text in a
    money cell: MONEY_TOO_SMALL in both, not "chỉ gõ số" in one and the amount in the other)."""
    got = _said_by_template(layout, recalculated[case.id])
    want = _said_by_pipeline(form, layout, recalculated[case.id])
    assert got == want, (case.id, got, want)


@pytest.mark.parametrize("case", [c for c in CASES if c.text_row is not None or c.also], ids=lambda c: c.id)
def test_row_says_what_is_wrong(case: Case, recalculated, layout):
    """Text in a number cell: its row says "chỉ gõ số" (an error when the pipeline cannot
    read it, a warning when it can), and the row's other problems are still named there."""
    texts = _row_texts(layout, recalculated[case.id])
    if case.text_row is not None:
        texts = [t for t in texts if "chỉ gõ số" in t]
        assert texts, _row_texts(layout, recalculated[case.id])
    for words in case.also:
        assert any(words in t for t in texts), (words, texts)


GNUMERIC_UNTOLD = {"date-in-number", "info-date"}
SHOWN_BY_APPLICATION = {"boolean-formula", "boolean-typed"}  # a number in LibreOffice, not in Gnumeric


@pytest.mark.filterwarnings("ignore:Workbook contains no default style")  # Gnumeric's xlsx
@pytest.mark.parametrize("saved_as", ["xlsx", "ods"])
def test_gnumeric_counts_as_libreoffice_does(saved_as, tmp_path, filled, recalculated, layout, form):
    """Gnumeric (`ssconvert --recalc`) evaluates the same formulas to the same verdicts and
    counts (it has no N() of a blank cell, for one: #NUM!), but for a date in the format
    openpyxl gives it (yyyy-mm-dd h:mm:ss), which Gnumeric's CELL("format") names "G" as
    it names General: there the date is read as its number (`test_livechecks_reading.py`).
    So does the file a unit saved as .ods in Gnumeric, then opened again: Gnumeric's ODS
    writer lost every defined name whose formula starts with a function call (#NAME? in
    every check) until the template put those in parentheses (`template._Workbook`).
    TRUE or FALSE in a number cell is a number to LibreOffice (shown 1 or 0 in the
    template's format) and a boolean to Gnumeric: there the template's counts are the
    pipeline's verdict on the file Gnumeric saved (NUMBER_INVALID), as LibreOffice's are on
    the file it saved."""
    ssconvert = lo.require("Gnumeric (ssconvert)", shutil.which("ssconvert"), "gnumeric")
    for case in CASES:
        if case.id in GNUMERIC_UNTOLD:
            continue
        source = filled[case.id]
        if saved_as == "ods":
            source = tmp_path / f"{case.id}.ods"
            subprocess.run(
                [ssconvert, str(filled[case.id]), str(source)], check=True, capture_output=True, timeout=120
            )
        out = tmp_path / f"{case.id}.xlsx"
        subprocess.run(
            [ssconvert, "--recalc", str(source), str(out)],
            check=True,
            capture_output=True,
            timeout=120,
        )
        if case.id in SHOWN_BY_APPLICATION:  # Gnumeric keeps a boolean: the pipeline's verdict
            (overview, counts), pipeline = _template_counts(layout, out), _pipeline_errors(form, out)
            assert {s: n for s, n in counts.items() if n} == dict(pipeline), case.id
            assert str(sum(pipeline.values())) in overview, overview
            continue
        assert _template_counts(layout, out) == _template_counts(layout, recalculated[case.id]), case.id


def test_a_template_saved_as_xls_by_libreoffice_counts_as_the_xlsx(tmp_path, filled, recalculated, layout):
    """A unit who saves the filled template as .xls (Excel 97-2003) in LibreOffice and
    opens it again sees the same checks and counts as in the .xlsx. Two faults broke this:
    LibreOffice's BIFF8 export wrote a row's text, over 5,000 characters for a district's
    results row, as NA() (#N/A in every row text, count and the overview), until each number
    cell's words became a name a row's text names (`livechecks._cell_words`); and in a
    workbook opened from .xls LibreOffice reads INDIRECT's text in its own syntax ('Thông
    tin'.$C$7), so every number of the information sheet was "không đọc được" until that
    text took the mark the application reads (`numbercells.SHEET_MARK`). None of these cases
    moves a label: the layout check in an .xls is tests/test_live9_layout.py's."""
    lo.require_soffice()
    xls, back = tmp_path / "xls", tmp_path / "back"
    with lo.profile(recalc=True) as prof:
        lo.run_office(["--convert-to", "xls", "--outdir", str(xls), *map(str, filled.values())], prof)
        saved = [xls / f"{path.stem}.xls" for path in filled.values()]
        lo.run_office(
            ["--convert-to", f"xlsx:{lo.XLSX_FILTER}", "--outdir", str(back), *map(str, saved)], prof
        )
    for case in CASES:
        reopened = back / filled[case.id].name
        assert _template_counts(layout, reopened) == _template_counts(layout, recalculated[case.id]), case.id


# Functions every formula of a template may call: each is in Excel 2010, LibreOffice Calc
# and Gnumeric (no dynamic arrays, LET or LAMBDA; IFERROR and COUNTIFS are Excel 2007).
# ADDRESS, CHOOSE, COLUMN, EXACT, FIXED, INDIRECT, ISREF, MIN, ROW and SUMPRODUCT: the layout's own check
# (`render/layoutchecks.py`, evaluated by LibreOffice and Gnumeric in tests/test_live9_layout.py).
PORTABLE = {
    "ADDRESS", "AND", "CELL", "CHAR", "CHOOSE", "COLUMN", "COUNT", "COUNTA", "COUNTBLANK", "COUNTIF", "COUNTIFS", "DATE",
    "DAY", "MONTH", "YEAR", "EXACT", "FIND", "FIXED", "IF", "IFERROR", "INDEX", "INDIRECT", "INT", "ISBLANK", "ISERROR", "ISNUMBER", "ISREF", "ISTEXT",
    "LEFT", "LEN", "LOWER", "MATCH", "MAX", "MID", "MIN", "N", "NOT", "OR", "REPT", "RIGHT", "ROW", "SUBSTITUTE", "SUM",
    "SUMIF", "SUMPRODUCT", "TODAY", "TRIM", "VALUE",
}  # fmt: skip
EXCEL_MAX_FORMULA = 8192  # characters (Excel specifications and limits, "Length of formula contents")
EXCEL_MAX_NESTING = 64  # levels of nested functions (Excel specifications and limits)
_STRING = re.compile(r'"(?:[^"]|"")*"')
_CALL = re.compile(r"([A-Z][A-Z0-9.]*)\(")


def _formulas(ws) -> list[str]:
    """Every formula of a sheet: cells, conditional formats, custom data validations."""
    out = [
        c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")
    ]
    out += [r.formula[0] for cf in ws.conditional_formatting for r in cf.rules if r.formula]
    out += [dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "custom"]
    return out


def _depth(formula: str) -> int:
    """How deep a formula's calls nest (strings left out)."""
    depth = deepest = 0
    for ch in _STRING.sub('""', formula):
        depth += (ch == "(") - (ch == ")")
        deepest = max(deepest, depth)
    return deepest


def test_formulas_use_portable_functions_within_excel_limits(form, template_dir):
    """Every formula of a template, in its cells, conditional formats, validations and
    defined names (the reading steps), calls only functions the three applications share,
    within Excel's length (8,192 characters) and nesting (64 levels)."""
    seen: set[str] = set()
    for code in (DEPARTMENT, DISTRICT):
        wb = openpyxl.load_workbook(template_for(template_dir, form, code))
        names = [("name " + n, "=" + d.attr_text) for n, d in wb.defined_names.items()]
        assert sum(n.startswith("name DocSo") for n, _ in names) > 10
        for where, f in [*names, *((ws.title, f) for ws in wb.worksheets for f in _formulas(ws))]:
            assert len(f) <= EXCEL_MAX_FORMULA, (where, len(f), f[:80])
            assert _depth(f) <= EXCEL_MAX_NESTING, (where, _depth(f), f[:80])
            called = set(_CALL.findall(_STRING.sub('""', f)))
            assert called <= PORTABLE, (where, called - PORTABLE, f[:120])
            seen |= called
    assert {"ISNUMBER", "ISTEXT", "IFERROR", "COUNTIFS", "SUMIF", "CELL"} <= seen


def test_every_number_cell_is_coloured_by_what_it_holds(form, template_dir):
    """Each number column of each block: red where the pipeline cannot read the cell (its
    VALUE cell holds a code), yellow for text it reads as a number; every input cell has its
    reading cells on the hidden lists sheet (the colours of the rules' own cells are in
    test_livechecks.py)."""
    rd = readers(form)
    for code in (DEPARTMENT, DISTRICT):
        wb = openpyxl.load_workbook(template_for(template_dir, form, code))
        unit = form.units_by_code[code]
        hidden = wb[form.sheets["lists"]]
        assert hidden.sheet_state == "hidden"
        for block in form.blocks.values():
            rows = form.rows_for(block, unit)
            rules = {
                str(cf.sqref): [r.formula[0] for r in cf.rules]
                for cf in wb[block.sheet].conditional_formatting
            }
            for m in block.measures:
                col = block.measure_column(m.key)
                got = rules.get(f"{col}{rows[0].row}:{col}{rows[-1].row}", [])
                value = rd.value(block.sheet, col)
                assert f'AND(ISTEXT({value}),{value}<>"")' in got, (code, block.key, m.key, got)
                assert f"AND(ISTEXT({col}{rows[0].row}),ISNUMBER({value}))" in got, (code, block.key, m.key)
                for spec in rows:
                    for step in STEPS:
                        cell = f"{rd.column(step, block.sheet, col)}{spec.row}"
                        assert str(hidden[cell].value).startswith("=DocSo"), (code, cell)


def test_only_errors_begin_with_the_error_mark():
    """A row's error count is the number of "Lỗi: " in its text: no rule's live text may
    contain it (a warning saying it would be counted as an error)."""
    texts = [r.live for r in RULES.values() if r.live]
    assert len(texts) > 10 and not [t for t in texts if ERROR_MARK.strip() in t], texts
