"""brk40 F6: a unit's second file, with other figures, prepared by another person (two
officers of a commune each sending a version, one stale or not approved) silently counted
as a correction by the same preparer. The newer file still counts, but the run asks the
officer to confirm with the unit which version is approved: a doubt naming both files and
both preparers, in the summary's "Cần hỏi lại đơn vị" lines and the status sheet's note.
The same person's name typed otherwise (case, spaces, diacritics, decomposed), or missing
on one side, is no other person and says nothing."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl

from pipeline.form import Form
from pipeline.outbox.paths import report_path, workbook_path
from pipeline.render.workbook import SHEETS
from pipeline.run.submissions import OTHER_PREPARER

from .clirun import run_cli
from .conftest import report_day

DOUBT_TAIL = OTHER_PREPARER.split("}")[-1]  # ") do hai người khác nhau lập; hãy hỏi lại …"


def _version(preparer: str | None, phone: str | None, day: int, form: Form) -> Callable[[dict], None]:
    """`make_file`'s mutate: the report prepared by `preparer` (phone `phone`), dated `day` November."""

    def mutate(data: dict[str, Any]) -> None:
        data["info"]["preparer"] = preparer
        data["info"]["phone"] = phone
        data["info"]["report_date"] = report_day(form, day)

    return mutate


def _consolidate(tmp_path: Path, form: Form) -> tuple[str, dict[str, Any], openpyxl.Workbook]:
    """`consolidate` as the officer runs it: its output, its result and its workbook."""
    outbox = tmp_path / "outbox"
    done = run_cli("consolidate", "--inbox", str(tmp_path / "inbox"), "--outbox", str(outbox))
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(report_path(outbox, form.year).read_text(encoding="utf-8"))
    return done.stdout, result, openpyxl.load_workbook(workbook_path(outbox, form.year))


def _status_note(book: openpyxl.Workbook, code: str) -> str:
    """The "Ghi chú" of unit `code` on the status sheet ("Tình trạng nộp")."""
    ws = book[SHEETS["status"]]
    rows = list(ws.iter_rows(values_only=True))
    head = next(r for r in rows if "Mã đơn vị" in r and "Ghi chú" in r)
    row = next(r for r in rows if r[head.index("Mã đơn vị")] == code)
    return str(row[head.index("Ghi chú")] or "")


def test_another_preparers_version_counts_and_the_officer_is_asked(form: Form, make_file, tmp_path):
    make_file("899", _version("Nguyễn Thị Lan", "0297 3812345", 10, form), name="899.xlsx", seed=1)
    make_file("899", _version("Trần Văn Minh", "912345678", 20, form), name="899-ban-moi.xlsx", seed=2)
    out, result, book = _consolidate(tmp_path, form)
    unit = next(u for u in result["units"] if u["code"] == "899")
    assert unit["status"] == "accepted" and unit["file"] == "899-ban-moi.xlsx", unit  # the newer counts
    doubt = OTHER_PREPARER.format(
        chosen="899-ban-moi.xlsx",
        other="899.xlsx",
        label="người lập biểu",
        who="Trần Văn Minh, điện thoại 0912345678",  # as dialled (brk39 F5)
        other_who="Nguyễn Thị Lan, điện thoại 0297 3812345",
    )
    # the terminal: among the questions for the units, the only one
    assert (
        "Cần hỏi lại đơn vị (1):" in out and f"  • {form.units_by_code['899'].name} (899): {doubt}" in out
    ), out
    # the workbook: the unit's note on the status sheet; the JSON's note
    assert doubt in _status_note(book, "899") and doubt in unit["note"], unit["note"]
    # the older version is replaced, as before
    older = next(f for f in result["files"] if f["name"] == "899.xlsx")
    assert older["status"] == "superseded" and older["replaced_by"] == "899-ban-moi.xlsx", older


def test_one_preparer_typed_otherwise_or_missing_is_no_other_person(form: Form, make_file, tmp_path):
    spelled = {
        "899": ("Nguyễn Văn An", "  nguyen  VAN an "),  # case, spaces, diacritics
        "900": ("Lê Thị Hồng", unicodedata.normalize("NFD", "Lê Thị Hồng")),  # typed decomposed
        "902": ("Đặng Quốc Bảo", "DANG QUOC BAO"),  # đ as d
        "903": (None, "Phạm Văn Sơn"),  # the older file names none (rejected: a required field)
    }
    for code, (first, then) in spelled.items():
        make_file(code, _version(first, "0297 3812345", 10, form), name=f"{code}.xlsx", seed=1)
        make_file(code, _version(then, "0297 3999999", 20, form), name=f"{code}-ban-moi.xlsx", seed=2)
    out, result, book = _consolidate(tmp_path, form)
    units = {u["code"]: u for u in result["units"] if u["code"] in spelled}
    assert all(u["file"] == f"{code}-ban-moi.xlsx" for code, u in units.items()), units  # the newer counts
    asked = [code for code, u in units.items() if DOUBT_TAIL in u["note"] + _status_note(book, code)]
    assert asked == [], [units[code]["note"] for code in asked]
    assert "Cần hỏi lại đơn vị" not in out and DOUBT_TAIL not in out, out
