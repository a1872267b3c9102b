"""Hostile and broken files: each gives its one clear finding, and a run over all of them holds.

The files are built by `tests/nasty.py` from our own filled templates. For each one the
table there says which finding it must produce (rule code, sheet, cell) and which status the
file must get. A consolidation run over an inbox holding every nasty file and a few good ones
must list every file, count exactly the files that should count (checked against sums
computed here from the data given to the filler), keep text from files inert in the outputs,
and never let file contents choose an output path. Hostile files must be refused within
bounded memory, measured in a child process (their time is shown by `make bench`,
benchmarks/prescan.py, never by a timed test).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from pipeline.app import consolidate_into
from pipeline.filler import fill
from pipeline.form import Form
from pipeline.outbox.paths import detail_csv_path, feedback_dir, manifest_path, workbook_path, year_dir
from pipeline.read import reader
from pipeline.read.parse import parse_path
from pipeline.read.parsed import Parsed
from pipeline.render.feedback import feedback_records, feedback_workbook
from pipeline.render.workbook import SHEETS
from pipeline.rules.findings import RULES, Finding, where
from pipeline.run.consolidate import check_files
from pipeline.run.result import Report
from pipeline.run.submissions import resolve
from pipeline.samples import valid_data

from . import nasty
from .conftest import ROOT, template_for
from .nasty import CASES, GOOD_UNITS, INJECTIONS, Built, Case

VIETNAMESE = re.compile(r"[àáảãạăắằẳẵặâấầẩẫậèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵđ]", re.I)
NOT_FOR_PEOPLE = re.compile(r"Traceback|Error|Exception|\bNone\b|errno|zipfile|calamine|b'", re.I)


def needs_libreoffice() -> None:
    """LibreOffice cases skip on a developer machine without it, but fail in CI."""
    if nasty.soffice() is None:
        if os.environ.get("CI"):
            pytest.fail("soffice (LibreOffice) is required in CI for the .xls/.ods cases")
        pytest.skip("soffice (LibreOffice) is not installed")


def case_params(cases: list[Case]) -> list[Any]:
    return [pytest.param(c, id=c.id, marks=[pytest.mark.libreoffice] if c.libreoffice else []) for c in cases]


def expected_cell(case: Case, built: Built) -> str:
    if case.cell.endswith("?"):
        assert built.cell.startswith(case.cell[:-1]), (case.cell, built.cell)
        return built.cell
    return case.cell


def describe(findings: list[Finding]) -> str:
    return "\n".join(f"  {f.code} [{f.sheet}!{f.cell}] {f.message}" for f in findings) or "  (none)"


def assert_clear_message(f: Finding) -> None:
    """A message a district officer can act on: Vietnamese, located, no programmer's text."""
    assert f.message.startswith(where(f.sheet, f.cell) + ": "), f.message
    text = f.message.split(": ", 1)[1]
    assert len(text) >= 15, f.message
    assert VIETNAMESE.search(text), f"not Vietnamese: {f.message}"
    assert not NOT_FOR_PEOPLE.search(text), f"programmer's text shown to people: {f.message}"
    assert f.severity == RULES[f.code].severity


# ----- independent sums -------------------------------------------------------------------------
def expected_totals(form: Form, datas: list[dict[str, Any]]) -> dict[str, int]:
    """The grand totals, computed from the data handed to the filler (not from any file)."""
    out: dict[str, int] = defaultdict(int)
    for key, block in form.blocks.items():
        for m in block.measures:
            out[f"{key}.{m.key}"] += 0
        for t in block.totals:
            out[f"{key}.{t.key}"] += 0
    out["info.activities"] += 0
    for d in datas:
        rows = {
            "results": d["results"],
            "resources": list(d["resources"].values()),
            "needs": list(d["needs"].values()),
        }
        for key, block in form.blocks.items():
            for rec in rows[key]:
                for m in block.measures:
                    out[f"{key}.{m.key}"] += int(rec.get(m.key) or 0)
                for t in block.totals:
                    out[f"{key}.{t.key}"] += sum(int(rec.get(k) or 0) for k in t.sum_of)
        out["info.activities"] += int(d["info"].get("activities") or 0)
    return dict(out)


def parsed_totals(form: Form, parsed: list[Parsed]) -> dict[str, int]:
    """The same sums over what the pipeline parsed from the files."""
    out: dict[str, int] = {}
    for key, block in form.blocks.items():
        for m in block.measures:
            out[f"{key}.{m.key}"] = sum(int(r.get(m.key) or 0) for p in parsed for r in p.rows.get(key, ()))
        for t in block.totals:
            out[f"{key}.{t.key}"] = sum(
                int(r.get(k) or 0) for p in parsed for r in p.rows.get(key, ()) for k in t.sum_of
            )
    out["info.activities"] = sum(int((p.info_row or {}).get("activities") or 0) for p in parsed)
    return out


# ----- one file at a time -----------------------------------------------------------------------
@pytest.mark.parametrize("case", case_params(CASES))
def test_nasty_file_gives_its_one_clear_finding(
    case: Case, form: Form, make_file: Callable[..., Any], tmp_path: Path
) -> None:
    if case.libreoffice:
        needs_libreoffice()
    built = nasty.build_case(case, make_file, form, tmp_path / "inbox")
    parsed = check_files(form, [built.path])
    p = parsed[0]
    records, _ = resolve(form, parsed)
    found = p.findings
    if case.code is None:
        assert found == [], f"{case.id}: expected no finding, got\n{describe(found)}"
    else:
        assert len(found) == 1 and found[0].code in case.codes, (
            f"{case.id}: expected exactly one {case.codes} at {case.sheet}!{case.cell}, got\n{describe(found)}"
        )
        f = found[0]
        assert (f.sheet, f.cell) == (case.sheet, expected_cell(case, built)), describe(found)
        assert f.file == built.path.name
        assert_clear_message(f)
    assert records[0].status == case.status, f"{case.id}: status {records[0].status}\n{describe(found)}"
    if built.counted is not None:  # what must count is what was read
        assert parsed_totals(form, parsed) == expected_totals(form, [built.counted])
        assert p.unit_code == case.unit
    else:
        assert case.status not in ("accepted", "accepted_with_warnings")


def test_date_typed_as_text_is_the_report_date(
    form: Form, make_file: Callable[..., Any], tmp_path: Path
) -> None:
    case = next(c for c in CASES if c.id == "date_as_text")
    built = nasty.build_case(case, make_file, form, tmp_path / "inbox")
    assert check_files(form, [built.path])[0].report_date == dt.date(2025, 11, 20)


@pytest.mark.parametrize(
    "case_id, fmt",
    [
        ("xlsm", "xlsm"),
        pytest.param("legacy_xls", "xls", marks=pytest.mark.libreoffice),
        pytest.param("ods", "ods", marks=pytest.mark.libreoffice),
    ],
)
def test_other_spreadsheet_formats_are_read(
    case_id: str, fmt: str, form: Form, make_file: Callable[..., Any], tmp_path: Path
) -> None:
    case = next(c for c in CASES if c.id == case_id)
    if case.libreoffice:
        needs_libreoffice()
    built = nasty.build_case(case, make_file, form, tmp_path / "inbox")
    p = check_files(form, [built.path])[0]
    assert p.format == fmt
    assert p.report_date == built.counted["info"]["report_date"].date()


# ----- refused before any spreadsheet reader -----------------------------------------------------
class _SpyCalamine:
    """Stands in for python_calamine in pipeline.read.reader and records every workbook opened."""

    def __init__(self) -> None:
        import python_calamine as pc

        self.pc = pc
        self.opened = 0
        spy = self

        class CalamineWorkbook:
            @staticmethod
            def from_filelike(f: Any) -> Any:
                spy.opened += 1
                return pc.CalamineWorkbook.from_filelike(f)

        self.CalamineWorkbook = CalamineWorkbook
        self.SheetVisibleEnum = pc.SheetVisibleEnum


@pytest.mark.parametrize("case", case_params([c for c in CASES if c.before_reader]))
def test_hostile_file_is_refused_before_any_reader(
    case: Case, form: Form, make_file: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Limits, zip checks and DTD refusal happen before calamine sees the file (reader.py's promise)."""
    if case.libreoffice:
        needs_libreoffice()
    built = nasty.build_case(case, make_file, form, tmp_path / "inbox")
    spy = _SpyCalamine()
    monkeypatch.setattr(reader, "pc", spy)
    p = parse_path(built.path, 0, form)
    assert spy.opened == 0, f"{case.id}: calamine opened the file; findings:\n{describe(p.findings)}"
    assert p.findings, case.id  # which finding: see test_nasty_file_gives_its_one_clear_finding


# ----- time and memory, in a child process ------------------------------------------------------
_MEASURE = r"""
import json, resource, sys, time
from pathlib import Path
limit = 3 * 1024**3
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from pipeline.read.parse import parse_path
from pipeline.form import load_form
form = load_form()
out = []
for i, name in enumerate(json.loads(sys.argv[1])):
    start = time.perf_counter()
    try:
        p = parse_path(Path(name), i, form)
        codes = [f.code for f in p.findings]
    except MemoryError:
        codes = ["MemoryError"]
    out.append({
        "name": Path(name).name,
        "seconds": time.perf_counter() - start,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "codes": codes,
    })
print(json.dumps(out))
"""


def test_hostile_files_are_refused_in_bounded_memory(
    form: Form, make_file: Callable[..., Any], tmp_path: Path
) -> None:
    """Each hostile file, parsed after a good one in a fresh process (address space capped at 3 GB),
    must be refused without raising the process's peak memory by more than 256 MB."""
    good, _ = make_file("899", folder=tmp_path / "good")
    hostile = [c for c in CASES if c.before_reader and not c.libreoffice]
    if nasty.soffice() is not None or os.environ.get("CI"):  # in CI, a missing soffice fails below
        hostile += [c for c in CASES if c.before_reader and c.libreoffice]
    built = {c.id: nasty.build_case(c, make_file, form, tmp_path / "inbox") for c in hostile}
    names = [str(good), str(good), *(str(b.path) for b in built.values())]
    proc = subprocess.run(
        [sys.executable, "-c", _MEASURE, json.dumps(names)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = json.loads(proc.stdout)
    baseline = rows[1]["maxrss_mb"]
    problems = []
    for case, row in zip(hostile, rows[2:], strict=True):
        grew = row["maxrss_mb"] - baseline
        if "MemoryError" in row["codes"]:
            problems.append(f"{case.id}: ran out of memory")
        if grew > 256:
            problems.append(f"{case.id}: peak memory grew by {grew:.0f} MB (to {row['maxrss_mb']:.0f} MB)")
    assert not problems, "\n".join(problems)


# ----- everything together -----------------------------------------------------------------------
class HostileRun:
    def __init__(self, form: Form, root: Path, report: Report, built: dict[str, Built], good: dict[str, Any]):
        self.form = form
        self.root = root
        self.inbox = root / "inbox"
        self.outbox = root / "outbox"
        self.report = report
        self.built = built  # case id -> built file
        self.good = good  # inbox name -> data of the good files
        self.manifest = json.loads(manifest_path(self.outbox, form.year).read_text(encoding="utf-8"))

    def name(self, path: Path) -> str:
        return path.relative_to(self.inbox).as_posix()

    def case_files(self) -> list[tuple[Case, Built]]:
        return [(c, self.built[c.id]) for c in CASES if c.id in self.built]


@pytest.fixture(scope="module")
def hostile_run(
    form: Form, layout: dict[str, Any], template_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> HostileRun:
    """One inbox with every nasty file and a few good ones, consolidated once."""
    import random

    root = tmp_path_factory.mktemp("hostile")
    inbox = root / "inbox"

    def make_file(code: str, mutate=None, name=None, seed=0, folder=None):  # as conftest.make_file
        data = valid_data(form, code, random.Random(f"{code}-{seed}"), layout)
        if mutate:
            mutate(data)
        out = (folder or inbox) / (name or f"{code}.xlsx")
        fill(template_for(template_dir, form, code), out, layout, code, data)
        return out, data

    with_lo = nasty.soffice() is not None or bool(os.environ.get("CI"))
    built = {c.id: nasty.build_case(c, make_file, form, inbox) for c in CASES if with_lo or not c.libreoffice}
    good = {}
    for i, code in enumerate(GOOD_UNITS):
        path, data = make_file(code, seed=7, name=f"tot-{i}-{code}.xlsx")
        good[path.relative_to(inbox).as_posix()] = data
    # the same file name in two mail folders, both rejected, for a unit outside the registry
    # (they cannot be told apart as a file and its correction: each needs its own feedback)
    for folder in ("thu-1", "thu-2"):
        make_file(
            nasty.BAD,
            seed=3,
            folder=inbox / folder,
            name="bao-cao.xlsx",
            mutate=lambda d, f=folder: d["info"].update(unit_code="999", phone=f),
        )
    base = dt.datetime(form.year, 11, 25).timestamp()
    for n, p in enumerate(sorted(inbox.rglob("*"))):
        if p.is_file():
            os.utime(p, (base + n, base + n))
    report = consolidate_into(form, inbox, root / "outbox", show_progress=False)
    return HostileRun(form, root, report, built, good)


def test_run_lists_every_file_once_with_a_status(hostile_run: HostileRun) -> None:
    h = hostile_run
    on_disk = sorted(p.relative_to(h.inbox).as_posix() for p in h.inbox.rglob("*") if p.is_file())
    listed = [f["name"] for f in h.manifest["files"]]
    assert sorted(listed) == on_disk
    statuses = {"accepted", "accepted_with_warnings", "rejected", "superseded", "not_a_report"}
    assert all(f["status"] in statuses for f in h.manifest["files"])
    assert all(f["findings"] >= 1 for f in h.manifest["files"] if f["status"] in ("rejected", "not_a_report"))


def test_run_gives_each_nasty_file_its_status(hostile_run: HostileRun) -> None:
    h = hostile_run
    by_name = {f["name"]: f for f in h.manifest["files"]}
    wrong = []
    for case, built in h.case_files():
        got = by_name[h.name(built.path)]["status"]
        if got != case.status:
            wrong.append(f"{case.id}: {got}, expected {case.status}")
    for name in h.good:
        if by_name[name]["status"] != "accepted":
            wrong.append(f"good file {name}: {by_name[name]['status']}")
    for name in ("thu-1/bao-cao.xlsx", "thu-2/bao-cao.xlsx"):
        if by_name[name]["status"] != "rejected":
            wrong.append(f"{name}: {by_name[name]['status']}, expected rejected")
    assert not wrong, "\n".join(wrong)


def test_run_totals_are_the_sums_of_the_files_that_count(hostile_run: HostileRun) -> None:
    h = hostile_run
    counted = {h.name(b.path): b.counted for c, b in h.case_files() if b.counted is not None}
    counted.update(h.good)
    # only those files reach the detail, and each unit that counts has exactly its file
    in_detail = set()
    for frame in h.report.detail.blocks.values():
        in_detail |= set(frame["file"])
    assert in_detail <= set(counted), f"bad files in the totals: {sorted(in_detail - set(counted))}"
    assert h.report.totals.to_dict() == expected_totals(h.form, list(counted.values()))
    chosen = {u.code: u.file.parsed.name for u in h.report.units if u.file is not None}
    expected = {c.unit: h.name(b.path) for c, b in h.case_files() if b.counted is not None}
    expected.update({data_unit: name for name, data_unit in zip(h.good, GOOD_UNITS, strict=True)})
    assert chosen == expected


def test_run_keeps_text_from_files_inert_in_the_workbook(hostile_run: HostileRun) -> None:
    """Text starting with '=', '+', '-', '@' is written as text: no formula, no hyperlink."""
    h = hostile_run
    wb = openpyxl.load_workbook(workbook_path(h.outbox, h.form.year))
    wanted = set(INJECTIONS.values()) | {nasty.FORMULA_FILE_NAME, "=1+1"}
    seen: dict[str, list[str]] = defaultdict(list)
    for ws in wb.worksheets:
        assert not ws._hyperlinks, f"hyperlinks in {ws.title}"
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    text = str(c.value)
                    assert "HYPERLINK" not in text.upper() and "cmd" not in text, (
                        ws.title,
                        c.coordinate,
                        text,
                    )
                if isinstance(c.value, str) and c.value in wanted:
                    assert c.data_type == "s", (ws.title, c.coordinate, c.value, c.data_type)
                    seen[c.value].append(ws.title)
    assert SHEETS["text"] in seen[INJECTIONS["difficulties"]]
    assert SHEETS["text"] in seen[INJECTIONS["recommendations"]]
    assert SHEETS["status"] in seen[INJECTIONS["preparer"]]
    assert SHEETS["status"] in seen[INJECTIONS["phone"]]
    assert SHEETS["files"] in seen[nasty.FORMULA_FILE_NAME]
    assert SHEETS["findings"] in seen["=1+1"]


def test_run_keeps_text_inert_in_feedback_workbooks(hostile_run: HostileRun, tmp_path: Path) -> None:
    """The findings sheet holds no formula; a unit's text stays text in its copied sheets.

    Besides the feedback files of the run, the file with "=1+1" typed in a number cell gets
    one written here (in the run it is superseded by the unit's newer files)."""
    h = hostile_run
    found = 0
    typed = [rec for rec in h.report.files if any(f.value == "=1+1" for f in rec.parsed.findings)]
    assert typed
    extra = []
    for i, rec in enumerate(typed):
        extra.append(tmp_path / f"extra-{i}.xlsx")
        feedback_workbook(h.form, rec, extra[-1])
    for path in [*feedback_dir(h.outbox, h.form.year).glob("*.xlsx"), *extra]:
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            # links only inside the workbook (findings -> cells), never to the outside
            assert all(link.location and not link.target for link in ws._hyperlinks), (path.name, ws.title)
            for row in ws.iter_rows():
                for c in row:
                    if ws.title == "Phản hồi":
                        assert c.data_type != "f", (path.name, c.coordinate, c.value)
                    if c.value == "=1+1":
                        assert c.data_type == "s", (path.name, ws.title, c.coordinate)
                        found += 1
    assert found >= 2  # the finding's value and the unit's own cell


def test_run_csv_export_has_no_live_formulas(hostile_run: HostileRun) -> None:
    """The analysts' CSV opens in Excel too: no field may start with '=', '+', '-' or '@'
    unless it is a number."""
    h = hostile_run
    with detail_csv_path(h.outbox, h.form.year).open(encoding="utf-8-sig", newline="") as fh:
        live = [
            (i, k, v)
            for i, row in enumerate(csv.DictReader(fh))
            for k, v in row.items()
            if v[:1] in ("=", "+", "-", "@") and not re.fullmatch(r"-?\d+", v)
        ]
    assert not live, f"CSV fields that Excel would run as formulas: {live[:5]}"


def test_run_output_names_are_not_steered_by_file_contents(hostile_run: HostileRun) -> None:
    h = hostile_run
    year = year_dir(h.outbox, h.form.year).resolve()
    assert sorted(p.name for p in h.root.iterdir()) == ["inbox", "outbox", "stage"]
    lock = f".{h.form.year}.lock"  # the lock of the outputs (pipeline/atomic.py)
    assert sorted(p.name for p in h.outbox.iterdir()) == [lock, str(h.form.year)]
    for p in h.outbox.rglob("*"):
        if p.name == lock:
            continue
        assert p.resolve().is_relative_to(year), p
        # plain names only (a leading dot: the record's hidden copy, `kept.py`, a fixed name)
        assert re.fullmatch(r"\.?[A-Za-z0-9][A-Za-z0-9._-]*", p.name), p
        assert not p.is_symlink()
    for p in feedback_dir(h.outbox, h.form.year).iterdir():
        assert p.parent.resolve() == feedback_dir(h.outbox, h.form.year).resolve()
        assert p.name.startswith("phan-hoi-") and p.suffix == ".xlsx", p.name
    # nothing was written under the inbox, or anywhere a unit name or code points to
    assert not (h.root / "evil").exists() and not (h.outbox / "evil").exists()
    assert not any(p.name in ("evil", "passwd") for p in h.root.rglob("*"))


def test_run_writes_one_feedback_workbook_per_file_with_findings(hostile_run: HostileRun) -> None:
    """Two mail folders holding the same file name must not share (overwrite) one feedback file."""
    h = hostile_run
    with_findings = [rec.parsed.name for rec in feedback_records(h.report)]
    assert sum(n.endswith("bao-cao.xlsx") for n in with_findings) == 2
    written = sorted(feedback_dir(h.outbox, h.form.year).glob("*.xlsx"))
    assert len(written) == len(with_findings), (
        f"{len(with_findings)} files with findings, {len(written)} feedback workbooks; "
        f"names shared: {sorted(n for n in with_findings if n.endswith('bao-cao.xlsx'))}"
    )
    named = set()
    for path in written:
        ws = openpyxl.load_workbook(path, read_only=True)["Phản hồi"]
        named.add(
            next(
                r[0]
                for r in ws.iter_rows(min_row=2, max_row=8, values_only=True)
                if str(r[0]).startswith("Tệp: ")
            )[5:]
        )
    assert named == set(with_findings)
