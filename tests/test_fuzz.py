"""Property test: mutated templates never crash a run, and what counts is exactly what was typed.

Hypothesis takes valid filled templates of a few units and damages them: input cells get
values of every type (numbers, numbers typed as text the Vietnamese way, fractions,
negatives, booleans, dates, formulas without cached values, junk text, blanks), other cells
get arbitrary text, sheets are hidden, moved, renamed, deleted, cells merged, one row or
column inserted or deleted, and the bytes may be flipped or truncated.

The test keeps its own model of every input cell: the number each holds after the edits,
or the knowledge that a value the form does not allow was put there. The model never asks
the pipeline how to read a cell: each value is written in a form whose meaning is fixed by
the form's rules (e.g. "1.234.567" is 1234567; "1,5" is not a whole number). Then:

- the run finishes and every file is in the manifest with a status;
- a rejected file has at least one error, an accepted one none;
- a file with a disallowed value in an input cell, or cut short, never counts;
- the totals equal the sums, from the model, over the files the run counted.

Edits that could move values between input cells while leaving the layout looking intact
(two row operations that cancel out) are not generated: at most one row or column
operation per file, which either lies below everything read or breaks a checked label.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import random
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from pipeline.app import consolidate_into
from pipeline.filler import fill
from pipeline.form import Form
from pipeline.outbox.paths import manifest_path
from pipeline.samples import valid_data

from .conftest import template_for
from .test_hostile import expected_totals

UNITS = ("899", "906", "SYT", "TDOAN")  # two with fixed rows, two choosing region per row
INFO = "Thông tin"
SHEET_NAMES = ("Hướng dẫn", "Thông tin", "Kết quả", "Nguồn lực", "Nhu cầu", "Danh mục", "_mau")
BAD_TEXT = ("khoảng 200", "1,5", "12.34", "N/A", "—", "50%", "1e3", "=1+1", "12 trẻ", "x", "1.2.3")
BLANK_TEXT = (" ", "\u00a0", "\u200b", "  \u00a0 ")
Cell = tuple[str, str]


# ----- the model -----------------------------------------------------------------------------------
def input_cells(form: Form, unit_code: str) -> list[Cell]:
    """Every cell whose number counts: the blocks' measures, and the info counts."""
    unit = form.units_by_code[unit_code]
    cells = [(INFO, f.cell) for f in form.info_fields if f.type == "count"]
    for block in form.blocks.values():
        for spec in form.rows_for(block, unit):
            cells += [(block.sheet, f"{block.measure_column(m.key)}{spec.row}") for m in block.measures]
    return cells


def model_from_data(form: Form, unit_code: str, data: dict[str, Any]) -> dict[Cell, int | None]:
    """The value of each input cell after filling `data` (as the filler places it)."""
    unit = form.units_by_code[unit_code]
    model: dict[Cell, int | None] = dict.fromkeys(input_cells(form, unit_code))
    for f in form.info_fields:
        if f.type == "count":
            model[(INFO, f.cell)] = data["info"].get(f.key)
    results = form.blocks["results"]
    cats = [c.code for c in form.categories]
    for i, rec in enumerate(data["results"]):
        row = results.first_row + (cats.index(rec["category"]) if unit.region else i)
        for m in results.measures:
            model[(results.sheet, f"{results.measure_column(m.key)}{row}")] = rec.get(m.key)
    for key in ("resources", "needs"):
        block = form.blocks[key]
        order = [i.code for i in form.items(block.key_fields[0].key)]
        for item, values in data[key].items():
            row = block.first_row + order.index(item)
            for m in block.measures:
                model[(block.sheet, f"{block.measure_column(m.key)}{row}")] = values.get(m.key)
    return model


def model_as_data(form: Form, unit_code: str, model: dict[Cell, int | None]) -> dict[str, Any]:
    """The model in the shape of filler data, for `expected_totals`."""
    unit = form.units_by_code[unit_code]
    out: dict[str, Any] = {"results": [], "resources": {}, "needs": {}, "info": {}}
    for f in form.info_fields:
        if f.type == "count":
            out["info"][f.key] = model[(INFO, f.cell)]
    for key, block in form.blocks.items():
        for spec in form.rows_for(block, unit):
            rec = {
                m.key: model[(block.sheet, f"{block.measure_column(m.key)}{spec.row}")]
                for m in block.measures
            }
            if key == "results":
                out["results"].append(rec)
            else:
                out[key][str(spec.row)] = rec
    return out


# ----- values, each with the meaning the form gives it ------------------------------------------------
@dataclass(frozen=True)
class Value:
    kind: str
    written: Any  # what goes into the cell
    means: int | None = None  # the number it stands for (when allowed)
    allowed: bool = True
    as_text: bool = False  # store as text even if it starts with '='


def _spell(n: int, style: str) -> str:
    digits = str(n)
    grouped = f"{n:,}"
    if style == "dots" and n >= 1000:
        return grouped.replace(",", ".")
    if style == "spaces" and n >= 1000:
        return grouped.replace(",", " ")
    if style == "nbsp" and n >= 1000:
        return grouped.replace(",", "\u00a0")
    if style == "commas" and n >= 1_000_000:
        return grouped
    if style == "fullwidth":
        return "".join(chr(0xFF10 + int(d)) for d in digits)
    if style == "zero_width":
        return "\u200b" + digits[:1] + "\u200b" + digits[1:] + "\ufeff"
    if style == "currency":
        return f"{grouped.replace(',', '.')} đ"
    if style == "padded":
        return f"  {digits}\u00a0"
    return digits


def values(max_number: int, allowed_only: bool = False) -> st.SearchStrategy[Value]:
    n = st.integers(0, 10**12) | st.integers(0, 1000)
    allowed = st.one_of(
        n.map(lambda v: Value("int", v, v)),
        st.integers(0, 10**9).map(lambda v: Value("float_int", float(v), v)),
        st.tuples(
            n,
            st.sampled_from(
                ["plain", "dots", "spaces", "nbsp", "commas", "fullwidth", "zero_width", "currency", "padded"]
            ),
        ).map(lambda t: Value("text_number", _spell(*t), t[0], as_text=True)),
        st.just(Value("blank", None, None)),
        st.sampled_from(BLANK_TEXT).map(lambda s: Value("blank_text", s, None, as_text=True)),
    )
    disallowed = st.one_of(
        st.integers(-(10**12), -1).map(lambda v: Value("negative", v, allowed=False)),
        st.integers(2 * max_number, 10**20).map(lambda v: Value("too_large", v, allowed=False)),
        st.floats(-1e6, 1e6)
        .filter(lambda x: not x.is_integer())
        .map(lambda x: Value("fraction", x, allowed=False)),
        st.booleans().map(lambda b: Value("boolean", b, allowed=False)),
        st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)).map(
            lambda d: Value("date", dt.datetime(d.year, d.month, d.day), allowed=False)
        ),
        st.sampled_from(BAD_TEXT).map(lambda s: Value("bad_text", s, allowed=False, as_text=True)),
        st.sampled_from(["=1+2", "=SUM(D8:D9)", "=D8*2"]).map(lambda f: Value("formula", f, allowed=False)),
    )
    return allowed if allowed_only else st.one_of(allowed, disallowed)


ANY_TEXT = st.text(
    alphabet=st.sampled_from(
        list("aăâbcdđeêghiklmnoôơpqrstuưvxyÀÁẢÃẠàáảãạếềểễệ0123456789 .,=+-@/\\'\"\u00a0\u200b")
    ),
    max_size=24,
)
OTHER_VALUES = st.one_of(
    ANY_TEXT,
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
)


# ----- edits -------------------------------------------------------------------------------------
@dataclass
class FileSpec:
    unit: str
    edits: list[tuple] = field(default_factory=list)
    flip: tuple[float, int] | None = None
    truncate: float | None = None


@st.composite
def file_specs(draw: st.DrawFn, form: Form, unit: str) -> FileSpec:
    """Edits for one file. A "gentle" file (half of them) gets only allowed values and edits
    the reader tolerates, so that accepted files with edited figures are common; a "rough"
    one gets anything, and may be flipped or cut short."""
    cells = input_cells(form, unit)
    cellset = set(cells)
    gentle = draw(st.booleans())
    kinds = ["input"] * 4 + ["hide", "move", "rename"]
    if not gentle:
        kinds += ["input"] * 2 + ["other", "delete", "rows", "merge"]
    edits: list[tuple] = []
    row_op_used = False
    for _ in range(draw(st.integers(1 if gentle else 0, 6))):
        kind = draw(st.sampled_from(kinds))
        if kind == "input":
            value = draw(values(form.limits.max_number, allowed_only=gentle))
            edits.append(("input", draw(st.sampled_from(cells)), value))
        elif kind == "other":
            sheet = draw(st.sampled_from(SHEET_NAMES))
            cell = f"{draw(st.sampled_from('ABCDEFGHIJK'))}{draw(st.integers(1, 60))}"
            if (sheet, cell) in cellset:
                continue
            edits.append(("other", (sheet, cell), draw(OTHER_VALUES)))
        elif kind == "hide":
            edits.append(("hide", draw(st.sampled_from(SHEET_NAMES))))
        elif kind == "move":
            edits.append(("move", draw(st.sampled_from(SHEET_NAMES)), draw(st.integers(-3, 3))))
        elif kind == "rename":
            sheet = draw(st.sampled_from(SHEET_NAMES))
            same = [unicodedata.normalize("NFD", sheet), sheet.upper(), f" {sheet} "]
            new = draw(st.sampled_from(same if gentle else [*same, "Sheet1", "Ket qua", "Bảng 2"]))
            edits.append(("rename", sheet, new))
        elif kind == "delete":
            edits.append(("delete", draw(st.sampled_from(SHEET_NAMES))))
        elif kind == "rows" and not row_op_used:
            row_op_used = True
            op = draw(st.sampled_from(["insert_rows", "delete_rows", "insert_cols", "delete_cols"]))
            edits.append(
                (op, draw(st.sampled_from(SHEET_NAMES)), draw(st.integers(1, 60)), draw(st.integers(1, 3)))
            )
        elif kind == "merge":
            sheet = draw(st.sampled_from(SHEET_NAMES))
            c0, r0 = draw(st.integers(1, 10)), draw(st.integers(1, 50))
            c1, r1 = c0 + draw(st.integers(0, 2)), r0 + draw(st.integers(0, 2))
            edits.append(("merge", sheet, (r0, c0, r1, c1)))
    flip = truncate = None
    if not gentle:
        if draw(st.sampled_from([False, False, False, True])):
            flip = draw(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(1, 255)))
        if draw(st.sampled_from([False, False, False, True])):
            truncate = draw(st.floats(0, 1, exclude_max=True))
    return FileSpec(unit, edits, flip, truncate)


@dataclass
class Outcome:
    name: str
    unit: str
    model: dict[Cell, int | None]
    disallowed: dict[Cell, str]  # input cells holding a value the form does not allow
    truncated: bool
    edits: list[tuple]


def apply(base: bytes, form: Form, spec: FileSpec, model: dict[Cell, int | None]) -> tuple[bytes, Outcome]:
    """Apply the edits with openpyxl, then the byte damage; keep the model in step."""
    original = model
    model = dict(model)
    disallowed: dict[Cell, str] = {}
    data = base
    done: list[tuple] = []
    if spec.edits:
        wb = openpyxl.load_workbook(io.BytesIO(base))
        for edit in spec.edits:
            try:
                _edit(wb, edit, model, disallowed)
                done.append(edit)
            except (KeyError, ValueError, AttributeError, TypeError, IndexError):
                pass  # e.g. the sheet was deleted or renamed, or the cell is inside a merge
        out = io.BytesIO()
        try:
            wb.save(out)
            data = out.getvalue()
        except Exception:  # noqa: BLE001 - e.g. every sheet hidden: openpyxl refuses to save
            data, model, disallowed, done = base, dict(original), {}, [("not saved by openpyxl",)]
    if spec.flip is not None and data:
        buf = bytearray(data)
        buf[int(spec.flip[0] * len(buf))] ^= spec.flip[1]
        data = bytes(buf)
    truncated = spec.truncate is not None
    if truncated:
        data = data[: int(spec.truncate * len(data))]
    return data, Outcome("", spec.unit, model, disallowed, truncated, done)


def _edit(
    wb: openpyxl.Workbook, edit: tuple, model: dict[Cell, int | None], disallowed: dict[Cell, str]
) -> None:
    kind = edit[0]
    if kind == "input":
        (sheet, cell), value = edit[1], edit[2]
        c = wb[sheet][cell]
        c.value = value.written
        if value.as_text:
            c.data_type = "s"
        model[(sheet, cell)] = value.means
        disallowed.pop((sheet, cell), None)  # a later value replaces an earlier one
        if not value.allowed:
            disallowed[(sheet, cell)] = repr(value.written)
    elif kind == "other":
        (sheet, cell), value = edit[1], edit[2]
        c = wb[sheet][cell]
        c.value = value
        if isinstance(value, str):
            c.data_type = "s"
    elif kind == "hide":
        wb[edit[1]].sheet_state = "hidden"
    elif kind == "move":
        wb.move_sheet(edit[1], offset=edit[2])
    elif kind == "rename":
        if edit[2] in wb.sheetnames:
            raise ValueError("duplicate name")
        wb[edit[1]].title = edit[2]
    elif kind == "delete":
        if len(wb.sheetnames) == 1:
            raise ValueError("last sheet")
        del wb[edit[1]]
    elif kind in ("insert_rows", "delete_rows", "insert_cols", "delete_cols"):
        getattr(wb[edit[1]], kind)(edit[2], edit[3])
    elif kind == "merge":
        r0, c0, r1, c1 = edit[2]
        wb[edit[1]].merge_cells(start_row=r0, start_column=c0, end_row=r1, end_column=c1)


# ----- the property --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bases(
    form: Form, layout: dict[str, Any], template_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[bytes, dict[Cell, int | None]]]:
    """A valid filled file per unit (as `make_file` would write it) and its model."""
    folder = tmp_path_factory.mktemp("fuzz-base")
    out = {}
    for code in UNITS:
        data = valid_data(form, code, random.Random(f"{code}-0"), layout)
        path = fill(template_for(template_dir, form, code), folder / f"{code}.xlsx", layout, code, data)
        out[code] = (path.read_bytes(), model_from_data(form, code, data))
    return out


@st.composite
def inboxes(draw: st.DrawFn, form: Form) -> list[FileSpec]:
    units = draw(st.lists(st.sampled_from(UNITS), min_size=1, max_size=3, unique=True))
    return [draw(file_specs(form, u)) for u in units]


def test_fuzzed_inbox_runs_and_counts_exactly_what_was_typed(
    form: Form, bases: dict[str, tuple[bytes, dict[Cell, int | None]]]
) -> None:
    @settings(
        max_examples=int(os.environ.get("FUZZ_EXAMPLES", "30")),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(specs=inboxes(form))
    def check(specs: list[FileSpec]) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            inbox = Path(tmp) / "inbox"
            inbox.mkdir()
            outcomes: dict[str, Outcome] = {}
            for i, spec in enumerate(specs):
                base, model = bases[spec.unit]
                data, outcome = apply(base, form, spec, model)
                outcome.name = f"tep-{i}-{spec.unit}.xlsx"
                (inbox / outcome.name).write_bytes(data)
                outcomes[outcome.name] = outcome
            report = consolidate_into(form, inbox, Path(tmp) / "outbox", show_progress=False)
            _check(form, report, outcomes, Path(tmp) / "outbox")

    check()


def _check(form: Form, report: Any, outcomes: dict[str, Any], outbox: Path) -> None:
    manifest = json.loads(manifest_path(outbox, form.year).read_text(encoding="utf-8"))
    listed = {f["name"]: f for f in manifest["files"]}
    assert sorted(listed) == sorted(outcomes)
    records = {rec.parsed.name: rec for rec in report.files}
    chosen = {u.file.parsed.name for u in report.units if u.file is not None}
    for name, o in outcomes.items():
        rec = records[name]
        status = listed[name]["status"]
        errors = [f for f in rec.parsed.findings if f.severity == "error"]
        why = f"{name}: {status}, edits {o.edits}, disallowed {o.disallowed}\n" + "\n".join(
            f"  {f.code} {f.where}: {f.message}" for f in rec.parsed.findings
        )
        assert status in {"accepted", "accepted_with_warnings", "rejected", "superseded", "not_a_report"}
        event(f"status: {status}")
        if status == "rejected":
            assert errors, why
        if status == "not_a_report":
            assert rec.parsed.findings, why
        if status in ("accepted", "accepted_with_warnings"):
            assert not errors, why
            assert (status == "accepted_with_warnings") == bool(rec.parsed.findings), why
        if o.truncated:
            assert status == "rejected" and name not in chosen, why
            assert {f.code for f in rec.parsed.findings} <= {"FILE_CORRUPT", "FILE_EMPTY"}, why
        if o.disallowed:
            assert status in ("rejected", "superseded", "not_a_report") and name not in chosen, why
    counted = [model_as_data(form, outcomes[n].unit, outcomes[n].model) for n in sorted(chosen)]
    expected = expected_totals(form, counted)
    if report.totals.to_dict() != expected:
        detail = {n: (outcomes[n].edits, outcomes[n].disallowed) for n in chosen}
        diff = {
            k: (report.totals.to_dict().get(k), v)
            for k, v in expected.items()
            if report.totals.to_dict().get(k) != v
        }
        raise AssertionError(f"totals differ (got, expected): {diff}\ncounted files: {detail}")
