"""Feedback workbooks to email back: the findings in plain Vietnamese, then a copy of the
unit's own sheets (their values, cell for cell) with every cell in question highlighted
and commented.

Only files with findings get one. The copy is made from the values python-calamine reads
(so it is fast, and any format calamine reads can be copied) and written with XlsxWriter;
every text is written as text. The inbox file is only read, never modified.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import unicodedata
from collections import defaultdict
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import python_calamine as pc
import xlsxwriter
from xlsxwriter.workbook import Workbook

from .atomic import atomic_path
from .extract import Parsed
from .findings import ERROR, SEVERITY_VI, Finding
from .form import Form, col_index
from .intake import stored_bytes
from .official import FONT, NUM, text_height
from .paths import feedback_path
from .submissions import FILE_STATUS_VI, FileRecord
from .template import PINNED_TIME
from .workers import start_worker, worker_form

if TYPE_CHECKING:
    from .consolidate import Report

SHEET = "Phản hồi"
RED = "#FFC7CE"
YELLOW = "#FFEB9C"


PARALLEL_FROM = 8  # feedback files; fewer are written in the main process


class FeedbackWriter:
    """Writes the feedback workbooks: worker processes start on them while the main process
    writes the other outputs, then the main process takes back the files no worker has
    started and writes them itself. Use: start(), then wait()."""

    def __init__(self, report: Report, outbox: Path) -> None:
        self.form = report.form
        self.jobs = [
            (rec, feedback_path(outbox, report.form.year, rec.parsed.unit_code or "", rec.parsed.name))
            for rec in report.files
            if rec.parsed.findings and rec.parsed.is_report
        ]
        self.pool: ProcessPoolExecutor | None = None
        self.futures: list[Future[None]] = []

    def start(self) -> None:
        cores = os.cpu_count() or 1
        if len(self.jobs) >= PARALLEL_FROM and cores > 1:
            # one core stays with the main process, which writes the consolidated workbook
            self.pool = ProcessPoolExecutor(cores - 1, initializer=start_worker, initargs=(self.form,))
            self.futures = [self.pool.submit(_write_in_worker, *job) for job in self.jobs]

    def wait(self) -> list[Path]:
        """Finish every feedback file; return their paths."""
        try:
            if self.pool is None:
                for rec, path in self.jobs:
                    _write_one(self.form, rec, path)
            else:
                # newest queued first: a job is taken back only if no worker has started it
                for (rec, path), future in reversed(list(zip(self.jobs, self.futures, strict=True))):
                    if future.cancel():
                        _write_one(self.form, rec, path)
                for future in self.futures:
                    if not future.cancelled():
                        future.result()
        finally:
            if self.pool is not None:
                self.pool.shutdown()
        return [path for _, path in self.jobs]

    def cancel(self) -> None:
        """Drop the files no worker has started and wait for the others (after a failure)."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


def _write_in_worker(rec: FileRecord, path: Path) -> None:
    _write_one(worker_form(), rec, path)


def _write_one(form: Form, rec: FileRecord, path: Path) -> None:
    with atomic_path(path) as tmp:
        feedback_workbook(form, rec, tmp)


def feedback_workbook(form: Form, rec: FileRecord, out: Path) -> None:
    p = rec.parsed
    wb = xlsxwriter.Workbook(
        str(out), {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True}
    )
    wb.set_properties({"title": f"Phản hồi báo cáo năm {form.year}", "created": PINNED_TIME})
    base = {"font_name": FONT, "font_size": 12, "valign": "top"}
    title = wb.add_format({**base, "bold": True, "font_size": 14})
    plain = wb.add_format(base)
    head = wb.add_format({**base, "bold": True, "border": 1, "bg_color": "#DDEBF7", "text_wrap": True})
    cell = wb.add_format({**base, "border": 1, "text_wrap": True})
    sev = {
        ERROR: wb.add_format({**base, "border": 1, "bg_color": RED}),
        "warning": wb.add_format({**base, "border": 1, "bg_color": YELLOW}),
    }
    ws = wb.add_worksheet(SHEET)
    unit = form.units_by_code.get(p.unit_code or "")
    ws.write_string(0, 0, f"PHẢN HỒI KẾT QUẢ KIỂM TRA BÁO CÁO NĂM {form.year}", title)
    lines = [
        f"Đơn vị: {unit.name if unit else (p.unit_code or 'không xác định')}",
        f"Tệp: {p.name}",
        f"Kết quả: {FILE_STATUS_VI[rec.status]}"
        + (f" ({rec.note})" if rec.note else "")
        + f". {rec.errors} lỗi, {rec.warnings} cảnh báo.",
        "Lỗi phải sửa rồi gửi lại tệp; cảnh báo đề nghị kiểm tra lại. Các ô có vấn đề được tô màu "
        "và có ghi chú trong bản sao các trang của tệp, ở sau trang này.",
    ]
    for i, text in enumerate(lines):
        ws.write_string(1 + i, 0, text, plain)
    r0 = 2 + len(lines)
    widths = (6, 10, 14, 8, 20, 100)
    for j, (label, width) in enumerate(
        zip(("STT", "Mức độ", "Trang", "Ô", "Giá trị", "Nội dung cần sửa"), widths, strict=True)
    ):
        ws.write_string(r0, j, label, head)
        ws.set_column(j, j, width)
    for i, f in enumerate(p.findings):
        r = r0 + 1 + i
        ws.write_number(r, 0, i + 1, cell)
        ws.write_string(r, 1, SEVERITY_VI[f.severity], sev.get(f.severity, cell))
        for j, text in enumerate((f.sheet, f.cell, f.value, f.message), start=2):
            ws.write_string(r, j, text, cell)
        ws.set_row(r, text_height(f.message, 100))
    ws.activate()
    _print(ws)
    if p.format:  # the file passed the safety checks and was read: copy its form sheets
        sheets = [form.sheets["info"], *(b.sheet for b in form.blocks.values())]
        _copy_sheets(wb, p, form, sheets)
    wb.close()


def _copy_sheets(wb: Workbook, p: Parsed, form: Form, sheets: list[str]) -> None:
    """Copy the values of the unit's form sheets (only those the reader checked against the
    limits); mark and comment the cells in question."""
    try:
        book = pc.CalamineWorkbook.from_filelike(io.BytesIO(stored_bytes(p, form.limits)))
    except Exception:  # noqa: BLE001 - an unreadable file gets the findings sheet alone
        return
    marks: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in p.findings:
        if f.sheet and f.cell:
            marks[(f.sheet, f.cell)].append(f)
    base = {"font_name": FONT, "font_size": 11}
    fmt = {
        "text": wb.add_format({**base, "border": 1, "text_wrap": True, "valign": "top"}),
        "num": wb.add_format({**base, "border": 1, "num_format": NUM}),
        "date": wb.add_format({**base, "border": 1, "num_format": "dd/mm/yyyy"}),
    }
    marked = {
        (kind, sev): wb.add_format(
            {
                **base,
                "border": 2,
                "bg_color": RED if sev == ERROR else YELLOW,
                **({"num_format": NUM} if kind == "num" else {}),
            }
        )
        for kind in ("text", "num", "date")
        for sev in (ERROR, "warning")
    }
    try:
        wanted = {unicodedata.normalize("NFC", s).casefold() for s in sheets}
        for meta in book.sheets_metadata:
            name = unicodedata.normalize("NFC", meta.name)
            if name.casefold() not in wanted:
                continue
            try:
                rows = book.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            except Exception:  # noqa: BLE001 - a sheet that cannot be read is left out of the copy
                continue
            ws = wb.add_worksheet(_sheet_name(wb, name))
            widths: dict[int, int] = {}
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    if value == "" or value is None:
                        continue
                    _write(ws, r, c, value, fmt, None)
                    if r >= 3:  # the first rows hold titles that span many columns
                        widths[c] = max(widths.get(c, 0), min(len(str(value)), 24))
            for (sheet, ref), items in marks.items():
                if sheet != name:
                    continue
                r, c = _rc(ref)
                severity = ERROR if any(f.severity == ERROR for f in items) else "warning"
                value = rows[r][c] if r < len(rows) and c < len(rows[r]) else ""
                _write(ws, r, c, value, None, lambda k, s=severity: marked[(k, s)])
                note = "\n".join(f"[{SEVERITY_VI[f.severity]}] {f.message}" for f in items)
                ws.write_comment(r, c, note[:2000], {"author": "Sở LĐTBXH", "x_scale": 2.5, "y_scale": 2.5})
            for c, w in widths.items():
                ws.set_column(c, c, max(8, w + 2))
            _print(ws)
    finally:
        book.close()


def _print(ws: Any) -> None:
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)


def _write(ws: Any, r: int, c: int, value: Any, fmt: dict | None, pick: Any) -> str:
    if isinstance(value, bool):
        kind = "text"
        f = pick(kind) if pick else fmt[kind]
        ws.write_boolean(r, c, value, f)
    elif isinstance(value, int | float):
        kind = "num"
        ws.write_number(r, c, value, pick(kind) if pick else fmt[kind])
    elif isinstance(value, dt.datetime | dt.date):
        kind = "date"
        d = value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)
        ws.write_datetime(r, c, d, pick(kind) if pick else fmt[kind])
    elif value == "" or value is None:
        kind = "text"
        ws.write_blank(r, c, None, pick(kind) if pick else fmt[kind])
    else:
        kind = "text"
        ws.write_string(r, c, str(value), pick(kind) if pick else fmt[kind])
    return kind


def _rc(ref: str) -> tuple[int, int]:
    letters = ref.rstrip("0123456789")
    return int(ref[len(letters) :]) - 1, col_index(letters)


def _sheet_name(wb: Workbook, name: str) -> str:
    """A valid, unique sheet name (a file from the wild may use names XlsxWriter refuses)."""
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name).strip("'")[:31] or "Trang"
    existing = {s.name.casefold() for s in wb.worksheets()}
    candidate, n = clean, 2
    while candidate.casefold() in existing:
        suffix = f" ({n})"
        candidate = clean[: 31 - len(suffix)] + suffix
        n += 1
    return candidate
