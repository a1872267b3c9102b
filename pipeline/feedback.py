"""Feedback workbooks to email back: the findings in plain Vietnamese, then the unit's own
sheets with every cell in question highlighted and commented.

Only files with findings get one. openpyxl reads the inbox file again here (calamine,
used for the values, cannot copy styles); the inbox file is opened read-only and never
modified."""

from __future__ import annotations

import io
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.cell import coordinate_from_string

from .atomic import atomic_path
from .findings import ERROR, SEVERITY_VI, Finding
from .paths import feedback_path
from .submissions import FILE_STATUS_VI, FileRecord

if TYPE_CHECKING:
    from .consolidate import Report

RED = PatternFill("solid", fgColor="FFC7CE")
YELLOW = PatternFill("solid", fgColor="FFEB9C")
FONT = "Times New Roman"
SHEET = "Phản hồi"


def write_feedback(report: Report, outbox: Path) -> list[Path]:
    """One feedback workbook per file with findings; returns the paths written."""
    written = []
    for rec in report.files:
        if not rec.parsed.findings or not rec.parsed.is_report:
            continue
        path = feedback_path(outbox, report.form.year, rec.parsed.unit_code or "", rec.parsed.name)
        with atomic_path(path) as tmp:
            feedback_workbook(report, rec).save(tmp)
        written.append(path)
    return written


def feedback_workbook(report: Report, rec: FileRecord) -> openpyxl.Workbook:
    form = report.form
    p = rec.parsed
    wb = _load_copy(Path(p.path), p.format)
    ws = wb.create_sheet(SHEET, 0)
    unit = form.units_by_code.get(p.unit_code or "")
    ws["A1"] = f"PHẢN HỒI KẾT QUẢ KIỂM TRA BÁO CÁO NĂM {form.year}"
    ws["A1"].font = Font(name=FONT, bold=True, size=14)
    lines = [
        f"Đơn vị: {unit.name if unit else (p.unit_code or 'không xác định')}",
        f"Tệp: {p.name}",
        f"Kết quả: {FILE_STATUS_VI[rec.status]}"
        + (f" ({rec.note})" if rec.note else "")
        + f". {rec.errors} lỗi, {rec.warnings} cảnh báo.",
        "Lỗi phải sửa rồi gửi lại tệp; cảnh báo đề nghị kiểm tra lại. Các ô có vấn đề được tô màu "
        "và có ghi chú trong các trang của tệp dưới đây.",
    ]
    for i, text in enumerate(lines):
        c = ws.cell(row=2 + i, column=1)
        set_value(c, text)
        c.font = Font(name=FONT, size=12)
    head = ["STT", "Mức độ", "Trang", "Ô", "Giá trị", "Nội dung cần sửa"]
    r0 = 2 + len(lines) + 1
    for j, h in enumerate(head):
        c = ws.cell(row=r0, column=j + 1, value=h)
        c.font = Font(name=FONT, bold=True)
    for i, f in enumerate(p.findings):
        values = [i + 1, SEVERITY_VI[f.severity], f.sheet, f.cell, f.value, f.message]
        for j, v in enumerate(values):
            c = ws.cell(row=r0 + 1 + i, column=j + 1)
            set_value(c, v)
            c.font = Font(name=FONT)
            c.alignment = Alignment(wrap_text=True, vertical="top")
            if j == 1:
                c.fill = RED if f.severity == ERROR else YELLOW
    for col, width in zip("ABCDEF", (6, 10, 14, 8, 20, 100), strict=True):
        ws.column_dimensions[col].width = width
    _mark_cells(wb, p.findings)
    wb.active = 0
    for sheet in wb.worksheets:
        sheet.sheet_view.tabSelected = sheet.title == SHEET
    return wb


def set_value(cell: object, value: object) -> None:
    """Write a value; text (which may come from a unit's file) never becomes a formula."""
    cell.value = value  # type: ignore[attr-defined]
    if isinstance(value, str):
        cell.data_type = "s"  # type: ignore[attr-defined]


def _load_copy(path: Path, fmt: str) -> openpyxl.Workbook:
    """The unit's own workbook (values and styles), or an empty one if it cannot be loaded."""
    if fmt in ("xlsx", "xlsm"):
        try:
            data = path.read_bytes()
            wb = openpyxl.load_workbook(io.BytesIO(data), keep_vba=False, keep_links=False)
            for ws in wb.worksheets:
                ws.protection.sheet = False  # so the officer can fix cells in place
            return wb
        except Exception:  # noqa: BLE001 - a copy is a convenience; the findings sheet is enough
            pass
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    return wb


def _mark_cells(wb: openpyxl.Workbook, found: list[Finding]) -> None:
    by_cell: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in found:
        if f.sheet and f.cell:
            by_cell[(f.sheet, f.cell)].append(f)
    for (sheet, cell), items in by_cell.items():
        if sheet not in wb.sheetnames:
            continue
        try:
            coordinate_from_string(cell)
            c = wb[sheet][cell]
        except (ValueError, KeyError, AttributeError):
            continue
        if type(c).__name__ == "MergedCell":
            continue
        c.fill = RED if any(f.severity == ERROR for f in items) else YELLOW
        text = "\n".join(f"[{SEVERITY_VI[f.severity]}] {f.message}" for f in items)
        comment = Comment(text[:2000], "Sở LĐTBXH")
        comment.width, comment.height = 320, 140
        c.comment = comment
