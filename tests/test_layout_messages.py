"""A changed layout gets a message that names the change: rows or columns inserted or deleted,
a moved table, a renamed or deleted sheet; never a limit message.

Inputs: our template filled by the filler, then edited with openpyxl as a unit would edit an
unprotected copy (its row and column operations shift the cells as a spreadsheet does).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from pipeline.form import Form
from pipeline.read.parse import parse_path

Edit = Callable[[openpyxl.Workbook, Form], None]


def _results(form: Form) -> str:
    return form.blocks["results"].sheet


def _insert_rows(wb: openpyxl.Workbook, form: Form) -> None:
    wb[_results(form)].insert_rows(10, amount=2)


def _delete_row(wb: openpyxl.Workbook, form: Form) -> None:
    wb[_results(form)].delete_rows(10)


def _insert_column(wb: openpyxl.Workbook, form: Form) -> None:
    wb[_results(form)].insert_cols(2)


def _delete_column(wb: openpyxl.Workbook, form: Form) -> None:
    wb[_results(form)].delete_cols(3)


def _move_table(wb: openpyxl.Workbook, form: Form) -> None:
    ws = wb[_results(form)]
    ws.move_range(f"A5:{openpyxl.utils.get_column_letter(ws.max_column)}{ws.max_row}", rows=3, cols=1)


def _edit_label(wb: openpyxl.Workbook, form: Form) -> None:
    ws = wb[form.sheets["info"]]
    ws["B8"] = "Họ tên người điền"


def _insert_info_row(wb: openpyxl.Workbook, form: Form) -> None:
    wb[form.sheets["info"]].insert_rows(6)


CASES: list[tuple[str, Edit, str, list[str]]] = [
    ("rows_inserted", _insert_rows, "LAYOUT_CHANGED", ["có 2 dòng đã được chèn thêm phía trên dòng"]),
    ("row_deleted", _delete_row, "LAYOUT_CHANGED", ["có 1 dòng đã bị xóa phía trên dòng"]),
    ("column_inserted", _insert_column, "LAYOUT_CHANGED", ["có 1 cột đã được chèn thêm bên trái cột"]),
    ("column_deleted", _delete_column, "LAYOUT_CHANGED", ["có 1 cột đã bị xóa bên trái cột"]),
    ("table_moved", _move_table, "LAYOUT_CHANGED", ["bảng đã bị di chuyển"]),
    (
        "label_edited",
        _edit_label,
        "LAYOUT_CHANGED",
        ["phải là 'Người lập biểu' nhưng là 'Họ tên người điền'", "nội dung đã bị sửa hoặc xóa"],
    ),
    ("info_row_inserted", _insert_info_row, "LAYOUT_CHANGED", ["có 1 dòng đã được chèn thêm"]),
]


@pytest.mark.parametrize(("case", "edit", "code", "phrases"), CASES, ids=[c[0] for c in CASES])
def test_layout_change_is_named(
    case: str,
    edit: Edit,
    code: str,
    phrases: list[str],
    form: Form,
    make_file: Callable[..., tuple[Path, dict[str, Any]]],
    tmp_path: Path,
) -> None:
    path, _ = make_file("899")
    wb = openpyxl.load_workbook(path)
    edit(wb, form)
    edited = tmp_path / f"{case}.xlsx"
    wb.save(edited)
    p = parse_path(edited, 0, form)
    assert p.has_errors, case
    hits = [f for f in p.findings if f.code == code]
    assert hits, [f"{f.code}: {f.message}" for f in p.findings]
    message = hits[0].message
    for phrase in phrases:
        assert phrase in message, message
    assert "tải mẫu gốc" in message or "hoàn tác" in message, message
    assert not any(f.code.startswith("TOO_") or "quá nhiều" in f.message for f in p.findings), case


def test_renamed_sheet_is_named(
    form: Form, make_file: Callable[..., tuple[Path, dict[str, Any]]], tmp_path: Path
) -> None:
    path, _ = make_file("899")
    wb = openpyxl.load_workbook(path)
    wb[_results(form)].title = "Ket qua 2025"
    edited = tmp_path / "renamed.xlsx"
    wb.save(edited)
    p = parse_path(edited, 0, form)
    missing = [f for f in p.findings if f.code == "SHEET_MISSING"]
    assert len(missing) == 1, [f.message for f in p.findings]
    assert "'Ket qua 2025'" in missing[0].message and "đổi tên" in missing[0].message
    assert f"đổi lại đúng tên '{_results(form)}'" in missing[0].message


def test_deleted_sheet_is_named(
    form: Form, make_file: Callable[..., tuple[Path, dict[str, Any]]], tmp_path: Path
) -> None:
    path, _ = make_file("899")
    wb = openpyxl.load_workbook(path)
    del wb[form.blocks["needs"].sheet]
    edited = tmp_path / "deleted.xlsx"
    wb.save(edited)
    p = parse_path(edited, 0, form)
    missing = [f for f in p.findings if f.code == "SHEET_MISSING"]
    assert len(missing) == 1, [f.message for f in p.findings]
    assert "trang đã bị xóa" in missing[0].message


@pytest.mark.parametrize("code", ["899", "903"])
def test_a_moved_label_is_named_where_it_is(
    code: str, form: Form, make_file: Callable[..., tuple[Path, dict[str, Any]]], tmp_path: Path
) -> None:
    """A row deleted inside the table and another inserted lower (the total back in place,
    brk11 T2): the label named "đang ở ô X" is at X. Before, the sentence named the deleted
    row's label, which is nowhere, at the cell now holding another label."""
    path, _ = make_file(code)
    block = form.blocks["results"]
    rows = [spec.row for spec in form.rows_for(block, form.units_by_code[code])]
    wb = openpyxl.load_workbook(path)
    ws = wb[block.sheet]
    ws.delete_rows(rows[1])
    ws.insert_rows(rows[-1])
    edited = tmp_path / f"{code}.xlsx"
    wb.save(edited)
    (hit,) = [f for f in parse_path(edited, 0, form).findings if f.code == "LAYOUT_CHANGED"]
    said = re.search(r"'([^']+)' phải ở ô ([A-Z]+\d+) nhưng đang ở ô ([A-Z]+\d+)", hit.message)
    assert said, hit.message
    label, due, where = said.groups()
    assert hit.cell == due, (hit.cell, hit.message)
    shown = openpyxl.load_workbook(edited)[block.sheet]
    assert shown[where].value == label, (where, shown[where].value, hit.message)
    assert shown[due].value != label, (due, hit.message)
