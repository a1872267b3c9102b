"""Issue #13: the template's live checks, evaluated by LibreOffice.

Templates are filled through UNO like a person would (one LibreOffice session for all
files), recalculated by LibreOffice and saved; the "Kiểm tra" cells named by the form JSON
must say "Đạt" for a clean fill and show each rule violated in turn. The same files go
through the pipeline, which must report the same rule: the template and the pipeline are
built from one rule catalogue (`pipeline/rules.py`, applied by `pipeline/rulebind.py`).
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import openpyxl
import pytest

from pipeline.form import load_form
from pipeline.rules.bind import block_rules, info_rules
from pipeline.rules.catalogue import DOT_GUESS
from pipeline.rules.findings import ERROR
from pipeline.run.consolidate import check_files
from pipeline.samples import valid_data
from tests import lo
from tests.conftest import template_for
from tests.test_libreoffice import _job_for

DEPARTMENT = "SYT"  # free rows: region and category chosen on each row
DISTRICT = "903"  # fixed rows


@dataclass(frozen=True)
class Violation:
    """One rule broken in an otherwise clean fill: `kind` as in rulekinds, what to do to the
    data and to the typed cells, and the sheet whose check must show it."""

    id: str
    kind: str
    code: str
    unit: str
    mutate: Callable[[dict[str, Any]], None]
    block: str | None = "results"  # None: the information sheet
    typed: Callable[[dict[str, Any], Any], None] | None = None  # extra (sheet, cell) edits


def _first(**values: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        data["results"][0].update(values)

    return mutate


def _girls_over(data: dict[str, Any]) -> None:
    data["results"][0]["girls"] = data["results"][0]["children"] + 3


def _ethnic_over(data: dict[str, Any]) -> None:
    data["results"][0]["ethnic"] = data["results"][0]["children"] + 1


def _turns_under(data: dict[str, Any]) -> None:
    data["results"][0]["turns"] = data["results"][0]["children"] - 1


def _half_more(data: dict[str, Any]) -> None:
    data["results"][0]["in_kind"] += 0.5


def _girls_dots(data: dict[str, Any]) -> None:
    """Girls typed "1.350" on a PC with US settings: read as 1,35 (at most the row's children)."""
    assert data["results"][0]["children"] >= 2
    data["results"][0]["girls"] = 1.35


def _duplicate(data: dict[str, Any]) -> None:
    data["results"].append(dict(data["results"][0]))


def _no_needs(data: dict[str, Any]) -> None:
    data["needs"] = {}


def _no_preparer(data: dict[str, Any]) -> None:
    data["info"]["preparer"] = None


def _year_typed_over(_layout: dict[str, Any], job: lo.UnoJob) -> None:
    """The year the template fills in typed over with last year's (YEAR_MISMATCH)."""
    form = load_form()
    job.value(form.sheets["info"], form.info_field("year").cell, form.year - 1)


def _code_typed_over(_layout: dict[str, Any], job: lo.UnoJob) -> None:
    """The unit's code the template fills in typed over with another unit's, once the sheet
    is unprotected (UNIT_CODE_CHANGED, brk48 F1: the template said "Đạt")."""
    form = load_form()
    other = next(u.code for u in form.units if u.code != DISTRICT and u.kind == "district")
    job.value(form.sheets["info"], form.info_field("unit_code").cell, int(other))


def _text(sheet_key: str, column_of: str, text: str) -> Callable[[dict[str, Any], Any], None]:
    """Type `text` into the first results row's `column_of` cell."""

    def edit(layout: dict[str, Any], job: lo.UnoJob) -> None:
        blk = layout["layouts"]["free_rows"]["repeating_blocks"][0]
        ref = f"{blk['columns'][column_of]}{blk['first_row']}"
        job.cells[:] = [c for c in job.cells if (c[0], c[1]) != (blk["sheet"], ref)]
        if text:
            job.string(blk["sheet"], ref, text)

    return edit


VIOLATIONS = [
    Violation("girls-over-children", "at_most", "MEASURE_AT_MOST", DEPARTMENT, _girls_over),
    Violation("ethnic-over-children", "at_most", "MEASURE_AT_MOST", DISTRICT, _ethnic_over),
    Violation("turns-under-children", "at_least", "MEASURE_AT_LEAST", DEPARTMENT, _turns_under),
    Violation("negative", "negative", "NUMBER_NEGATIVE", DISTRICT, _first(cash=-5000)),
    Violation("money-too-small", "below_minimum", "MONEY_TOO_SMALL", DISTRICT, _first(cash=513)),
    Violation("not-integer", "not_integer", "NUMBER_NOT_INTEGER", DEPARTMENT, _half_more),
    Violation("not-integer-dots", "not_integer", "NUMBER_NOT_INTEGER", DISTRICT, _girls_dots),
    Violation("value-missing", "value_missing", "VALUE_MISSING", DEPARTMENT, _first(cash=0, in_kind=0)),
    Violation(
        "children-missing",
        "children_missing",
        "CHILDREN_MISSING",
        DEPARTMENT,
        _first(children=0, girls=0, ethnic=0, turns=0),
    ),
    Violation(
        "region-not-listed",
        "in_list",
        "REGION_UNKNOWN",
        DEPARTMENT,
        lambda d: None,
        typed=_text("results", "region", "Huyện Không Có"),
    ),
    Violation(
        "category-blank",
        "key_missing",
        "ROW_KEY_MISSING",
        DEPARTMENT,
        lambda d: None,
        typed=_text("results", "category", ""),
    ),
    Violation("duplicate-row", "duplicate", "ROW_DUPLICATE", DEPARTMENT, _duplicate),
    Violation("required-missing", "required", "REQUIRED_MISSING", DEPARTMENT, _no_preparer, block=None),
    Violation(
        "year-other", "equals", "YEAR_MISMATCH", DISTRICT, lambda d: None, block=None, typed=_year_typed_over
    ),
    Violation(
        "code-other",
        "same_as_mark",
        "UNIT_CODE_CHANGED",
        DISTRICT,
        lambda d: None,
        block=None,
        typed=_code_typed_over,
    ),
    Violation("block-empty", "block_empty", "BLOCK_EMPTY", DISTRICT, _no_needs, block="needs"),
]


def test_every_template_rule_has_a_violation(form):
    """A rule added to the catalogue without a case here fails this test."""
    kinds = {r.kind for b in form.blocks.values() for r in block_rules(form, b)} | {
        r.kind for r in info_rules(form)
    }
    kinds.discard("own_region")  # preset in the template: see test_rules.py
    assert kinds | {"block_empty"} == {v.kind for v in VIOLATIONS}


@pytest.fixture(scope="module")
def filled(tmp_path_factory, form, layout, template_dir) -> dict[str, Any]:
    """Every violation, a clean fill of each unit and a declared-empty block, in one session."""
    lo.require_soffice()
    lo.require_uno()
    base = tmp_path_factory.mktemp("livechecks")
    jobs: list[lo.UnoJob] = []
    out: dict[str, Any] = {}
    cases: list[tuple[str, str, Callable, Callable | None]] = [
        (f"clean-{DEPARTMENT}", DEPARTMENT, lambda d: None, None),
        (f"clean-{DISTRICT}", DISTRICT, lambda d: None, None),
        ("declared", DISTRICT, _no_needs, None),
    ]
    cases += [(v.id, v.unit, v.mutate, v.typed) for v in VIOLATIONS]
    for name, code, mutate, typed in cases:
        data = valid_data(form, code, random.Random(f"live-{code}"), layout)
        mutate(data)
        path = base / "inbox" / f"{name}.xlsx"
        job, _ = _job_for(layout, template_for(template_dir, form, code), path, code, data, {})
        if typed:
            typed(layout, job)
        if name == "declared":
            decl = next(d for d in layout["checks"]["declarations"] if d["block"] == "needs")
            job.string(decl["sheet"], decl["cell"], decl["mark"])
        jobs.append(job)
        out[name] = path
    lo.fill_with_uno(jobs, base / "work")
    return out


def _checks(layout: dict[str, Any], path) -> dict[str | None, str]:
    """What the check cells show after LibreOffice recalculated: sheet block -> summary."""
    wb = openpyxl.load_workbook(path, data_only=True)
    got = {c["block"]: wb[c["sheet"]][c["summary_cell"]].value for c in layout["checks"]["sheets"]}
    ov = layout["checks"]["overview"]
    got["overview"] = wb[ov["sheet"]][ov["cell"]].value
    return got


def test_clean_fill_says_passed_everywhere(layout, filled):
    for unit in (DEPARTMENT, DISTRICT):
        got = _checks(layout, filled[f"clean-{unit}"])
        assert all(str(v).startswith("Đạt") for v in got.values()), got


def test_declared_empty_block_passes_and_says_so(layout, filled, form):
    got = _checks(layout, filled["declared"])
    assert got["needs"] == "Đạt: đã đánh dấu không có số liệu", got
    assert str(got["overview"]).startswith("Đạt"), got
    (parsed,) = check_files(form, [filled["declared"]])
    assert parsed.findings == [] and parsed.declared_empty == ("needs",)


@pytest.mark.parametrize("v", VIOLATIONS, ids=[v.id for v in VIOLATIONS])
def test_each_violation_shows_in_the_check_cells(v: Violation, layout, filled, form):
    got = _checks(layout, filled[v.id])
    sheet = got[v.block]
    error = v.code in {"BLOCK_EMPTY"} or all(
        r.severity == ERROR for b in form.blocks.values() for r in block_rules(form, b) if r.code == v.code
    )
    texts = _row_texts(layout, filled[v.id], v.block)
    if error:
        assert str(sheet).startswith("Còn 1 lỗi"), (v.id, got)
        assert str(got["overview"]).startswith("Còn 1 lỗi"), (v.id, got)
    else:  # a warning: the sheet passes, the row says why
        assert str(sheet).startswith("Đạt"), (v.id, got)
        assert any(t.startswith("Cảnh báo") for t in texts), texts
    if v.kind not in ("block_empty",):
        assert texts, (v.id, "no row text")
    # the pipeline reports the same rule for the same file
    (parsed,) = check_files(form, [filled[v.id]])
    assert v.code in {f.code for f in parsed.findings}, (v.id, [f.code for f in parsed.findings])


def _row_texts(layout: dict[str, Any], path, block: str | None) -> list[str]:
    """The row texts of `block`'s sheet (None: the information sheet) after recalculation."""
    wb = openpyxl.load_workbook(path, data_only=True)
    chk = next(c for c in layout["checks"]["sheets"] if c["block"] == block)
    ws = wb[chk["sheet"]]
    column = chk["row_text_column"]
    return [str(ws[f"{column}{r}"].value) for r in range(3, ws.max_row + 1) if ws[f"{column}{r}"].value]


@pytest.mark.parametrize(
    ("case", "typed", "plain"),
    [
        ("money-too-small", "513.000", "513000"),
        ("not-integer-dots", "1.350", "1350"),
        ("not-integer", "", ""),
    ],
)
def test_a_dot_thousands_entry_is_told_with_the_number_meant(case, typed, plain, layout, filled, form):
    """513 in a money cell, 1,35 in a count: what "513.000" and "1.350" typed on a PC with US
    settings become. The row says, from the cell, what was likely typed and what to type, as
    the pipeline's message does; a fraction no such typing makes (in-kind money plus 0,5)
    gets no guess."""
    texts = _row_texts(layout, filled[case], "results")
    (parsed,) = check_files(form, [filled[case]])
    message = next(f.message for f in parsed.findings if f.code in ("MONEY_TOO_SMALL", "NUMBER_NOT_INTEGER"))
    if not typed:
        assert not any("máy kiểu Mỹ" in t for t in texts), texts
        assert "máy đặt kiểu số của Mỹ" not in message, message
        return
    told = DOT_GUESS.format(typed=typed, plain=plain)
    assert any(told in t for t in texts), (told, texts)
    assert f"'{typed}'" in message and f"gõ lại {plain}" in message, message


# Numbers near what a dot-thousands entry on a PC with US settings makes, and beside it
# (brk20): the template guesses the number meant where `check` does, and only there
NEAR = [1.35, 1.3500000001, 999.9999999995, 999.999, -1.35, 0.999999999999999, 512.999999999999, 1000.5, 0.5]
GUESSED = re.compile(r"hãy gõ lại (-?\d+)")


@pytest.fixture(scope="module")
def guessed(tmp_path_factory, form, layout, template_dir):
    """A department's file with the NEAR counts in its results rows and 1,35 activities on
    its information sheet, filled and recalculated by LibreOffice."""
    lo.require_soffice()
    lo.require_uno()
    base = tmp_path_factory.mktemp("guesses")
    data = valid_data(form, DEPARTMENT, random.Random("guesses"), layout)
    slots = [(row, key) for key in ("girls", "ethnic", "turns", "children") for row in data["results"]]
    assert len(slots) >= len(NEAR)
    for (row, key), value in zip(slots, NEAR, strict=False):
        row[key] = value
    data["info"]["activities"] = 1.35
    path = base / "inbox" / "guesses.xlsx"
    job, _ = _job_for(layout, template_for(template_dir, form, DEPARTMENT), path, DEPARTMENT, data, {})
    lo.fill_with_uno([job], base / "work")
    return path


@pytest.mark.filterwarnings("ignore:Workbook contains no default style")  # Gnumeric's xlsx
def test_the_template_guesses_where_check_does(guessed, form, layout, tmp_path):
    """Row by row (a biểu's and the information sheet's), the numbers the template tells to
    type again are the ones `check`'s messages tell: none for a number that only comes near
    such an entry, for one past 999,999, or for a negative one."""
    (parsed,) = check_files(form, [guessed])
    told: dict[tuple[str, int], list[str]] = {}
    for f in parsed.findings:
        for plain in GUESSED.findall(f.message):
            told.setdefault((f.sheet, int(re.sub(r"\D", "", f.cell))), []).append(plain)
    ssconvert = lo.require("Gnumeric (ssconvert)", shutil.which("ssconvert"), "gnumeric")
    gnumeric = tmp_path / "gnumeric.xlsx"
    subprocess.run([ssconvert, "--recalc", str(guessed), str(gnumeric)], check=True, capture_output=True)
    for path in (guessed, gnumeric):  # LibreOffice's results, then Gnumeric's
        wb = openpyxl.load_workbook(path, data_only=True)
        said: dict[tuple[str, int], list[str]] = {}
        for chk in layout["checks"]["sheets"]:
            if chk["block"] not in (None, "results"):
                continue
            ws, column = wb[chk["sheet"]], chk["row_text_column"]
            for r in range(3, ws.max_row + 1):
                for plain in GUESSED.findall(str(ws[f"{column}{r}"].value or "")):
                    said.setdefault((chk["sheet"], r), []).append(plain)
        assert {k: sorted(v) for k, v in said.items()} == {k: sorted(v) for k, v in told.items()}, path
        assert sorted(p for v in said.values() for p in v) == ["1350", "1350", "999999"], path


def test_template_colours_and_warns_for_every_rule(form, template_dir):
    """Each rule of the catalogue colours the cells it points at; number cells warn, not stop."""
    for code in (DEPARTMENT, DISTRICT):
        wb = openpyxl.load_workbook(template_for(template_dir, form, code))
        unit = form.units_by_code[code]
        for block in form.blocks.values():
            ws = wb[block.sheet]
            rows = form.rows_for(block, unit)
            free = any(kf.key not in rows[0].fixed for kf in block.key_fields)
            ranges = {str(cf.sqref): [r.formula[0] for r in cf.rules] for cf in ws.conditional_formatting}
            columns = {kf.key: kf.column for kf in block.key_fields}
            columns.update({m.key: block.measure_column(m.key) for m in block.measures})
            for rule in block_rules(form, block, free_keys=free):
                if rule.kind == "own_region":
                    continue
                col = columns[rule.field]
                rng = f"{col}{rows[0].row}:{col}{rows[-1].row}"
                assert rng in ranges, (code, block.key, rule)
            dvs = [dv for dv in ws.data_validations.dataValidation if dv.type == "custom"]
            assert len(dvs) == len(block.measures) and all(dv.errorStyle == "warning" for dv in dvs)
