"""Feedback workbooks to email back: the unit's own file, annotated.

The first sheet lists the findings in plain Vietnamese, each with a link to its cell and how to
fix it (`rules.fixes.how_to_fix`, as the letters say it); the
sheets after it are the unit's own (see `feedback_source.py` for how each format gets
there), with every cell in question coloured (red: error, yellow: warning) and commented.
Only the file that counts for a unit, and the unit's newest file when it was rejected, get
one: a file superseded by a correction gets none. The inbox file is only read.
"""

from __future__ import annotations

import functools
import io
import os
import zipfile
from collections import defaultdict
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from ..form import CELL_ADDRESS, Form
from ..outbox.atomic import atomic_path
from ..outbox.paths import feedback_names
from ..read.parsed import Parsed
from ..read.worker import worker_form
from ..rules.findings import ERROR, SEVERITY_VI, WARNING, Finding
from ..rules.fixes import how_to_fix
from ..run.result import FileRecord, FileStatus, Report
from ..run.workers import close_pool, pool, result_or_here, starting_workers, stop_pool, submit_all
from ..system.signals import raise_if_stopping
from ..text.safetext import for_terminal, for_xml
from .feedback_source import HOW_VI, put, sheet_named, unit_workbook
from .style import (
    ERROR_FILL,
    FONT,
    HEADER_FILL,
    LINK_FONT,
    WARNING_FILL,
    openpyxl_page_setup,
    sheet_ref,
    text_height,
)
from .template import PINNED_TIME

SHEET = "Phản hồi"
_FILL = {ERROR: ERROR_FILL[1:], WARNING: WARNING_FILL[1:]}  # openpyxl: RGB without "#"


PARALLEL_FROM = 8  # feedback files; fewer are written in the main process


class FeedbackWriter:
    """Writes the feedback workbooks: worker processes start on them while the main process
    writes the other outputs, then the main process takes back the files no worker has
    started and writes them itself. Use: start(), then wait()."""

    def __init__(self, report: Report, folder: Path) -> None:
        self.form = report.form
        recs = feedback_records(report)
        names = feedback_names([(rec.parsed.unit_code or "", rec.parsed.name) for rec in recs])
        self.jobs = [(rec, folder / name) for rec, name in zip(recs, names, strict=True)]
        self.pool: ProcessPoolExecutor | None = None
        self.futures: list[Future[None]] = []

    def start(self) -> None:
        cores = os.cpu_count() or 1
        if len(self.jobs) >= PARALLEL_FROM and cores > 1:
            # one core stays with the main process, which writes the consolidated workbook
            try:
                with starting_workers():  # workers start (on the first submits) without Ctrl-C
                    self.pool = pool(cores - 1, self.form)
                    self.futures = submit_all(self.pool, _write_in_worker, self.jobs)
            except BaseException:  # a Ctrl-C held while they started arrives here
                self.cancel()
                raise

    def wait(self) -> list[Path]:
        """Finish every feedback file (this process writes those no worker has started, and
        those of a pool whose worker died); return their paths."""
        try:
            if self.pool is None:
                for rec, path in self.jobs:
                    raise_if_stopping()
                    _write_one(self.form, rec, path)
            else:
                # newest queued first: a job is taken back only if no worker has started it
                for (rec, path), future in reversed(list(zip(self.jobs, self.futures, strict=True))):
                    raise_if_stopping()
                    if future.cancel():
                        _write_one(self.form, rec, path)
                for (rec, path), future in zip(self.jobs, self.futures, strict=True):
                    if not future.cancelled():
                        result_or_here(future, functools.partial(_write_one, self.form, rec, path))
                raise_if_stopping()
        except BaseException:
            self.cancel()
            raise
        if self.pool is not None:
            close_pool(self.pool, written_into=(path.parent for _, path in self.jobs))
        return [path for _, path in self.jobs]

    def cancel(self) -> None:
        """Stop at once after a failure or an interruption: files not started are dropped,
        workers are terminated (the half-written set they write into is discarded)."""
        if self.pool is not None:
            stop_pool(self.pool)
            self.pool = None


def _write_in_worker(rec: FileRecord, path: Path) -> None:
    _write_one(worker_form(), rec, path)


def _write_one(form: Form, rec: FileRecord, path: Path) -> None:
    with atomic_path(path) as tmp:
        feedback_workbook(form, rec, tmp)


def feedback_records(report: Report) -> list[FileRecord]:
    """The files that get a feedback workbook: each unit's file that counts and its newest
    file when rejected (if they have findings); a report of a unit outside the registry
    always (it cannot be matched with a correction). Never a file made from another
    configuration's template (another form or code scheme, said at its marker on the
    template's hidden sheet): no cell of it can be corrected; it needs that configuration's
    run, or a new template."""
    chosen: set[int] = set()
    for us in report.units:
        if us.file is not None:
            chosen.add(id(us.file))
        if us.files and us.files[0].status == FileStatus.REJECTED:
            chosen.add(id(us.files[0]))
    known = report.form.units_by_code
    return [
        rec
        for rec in report.files
        if rec.parsed.findings
        and rec.parsed.is_report
        and (id(rec) in chosen or rec.parsed.unit_code not in known)
        and not _foreign(report.form, rec)
    ]


def _foreign(form: Form, rec: FileRecord) -> bool:
    """Made from another configuration's template (`extract._template_ok` said so at the
    marker sheet)."""
    meta = form.sheets["meta"]
    return any(f.code == "TEMPLATE_UNKNOWN" and f.sheet == meta for f in rec.parsed.findings)


def feedback_workbook(form: Form, rec: FileRecord, out: Path) -> None:
    """Write the feedback workbook of one file to `out` (an .xlsx file)."""
    wb, how = unit_workbook(form, rec.parsed)
    marked = _mark_cells(wb, rec.parsed, form.agencies.get("department_short") or "Sở")
    if SHEET in wb.sheetnames:  # an earlier feedback sent back as the report: ours, replaced
        wb.remove(wb[SHEET])
    ws = wb.create_sheet(SHEET, 0)
    _findings_sheet(ws, form, rec, how, marked)
    for other in wb.worksheets:
        other.sheet_view.tabSelected = other is ws
    wb.active = 0
    if wb.views:
        wb.views[0].firstSheet = 0
    wb.properties.title = f"Phản hồi báo cáo năm {form.year}"
    out.write_bytes(_saved(wb))


def _findings_sheet(
    ws: Worksheet, form: Form, rec: FileRecord, how: str, marked: set[tuple[str, str]]
) -> None:
    p = rec.parsed
    unit = form.units_by_code.get(p.unit_code or "")
    base = Font(name=FONT, size=12)
    put(ws.cell(1, 1), f"PHẢN HỒI KẾT QUẢ KIỂM TRA BÁO CÁO NĂM {form.year}")
    ws.cell(1, 1).font = Font(name=FONT, size=14, bold=True)
    lines = [
        f"Đơn vị: {unit.name if unit else (p.unit_code or 'không xác định')}",
        f"Tệp: {p.name}",
        f"Kết quả: {FileStatus(rec.status).vi}"
        + (f" ({rec.note})" if rec.note else "")
        + f". {rec.errors} lỗi, {rec.warnings} cảnh báo.",
        "Lỗi phải sửa rồi gửi lại tệp; cảnh báo đề nghị kiểm tra lại. Bấm vào ô ở cột «Ô» để đến ô cần sửa.",
        HOW_VI[how],
    ]
    for i, text in enumerate(lines, start=2):  # names hold anything: control characters shown escaped
        put(ws.cell(i, 1), for_terminal(text))
        ws.cell(i, 1).font = base
    r0 = 2 + len(lines) + 1
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    header = ("STT", "Mức độ", "Loại", "Trang", "Ô", "Giá trị", "Nội dung cần sửa", "Cách sửa")
    widths = (6, 10, 24, 14, 8, 18, 90, 50)
    for j, (label, width) in enumerate(zip(header, widths, strict=True), start=1):
        c = ws.cell(r0, j)
        put(c, label)
        c.font = Font(name=FONT, size=12, bold=True)
        c.fill = PatternFill("solid", fgColor=HEADER_FILL[1:])
        c.border = border
        c.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(j)].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for i, f in enumerate(p.findings, start=1):
        r = r0 + i
        fix = how_to_fix(form, f)  # the letters say the same (`rules.fixes`)
        values = (i, SEVERITY_VI[f.severity], f.title, f.sheet, f.cell, f.value, f.message, fix)
        for j, v in enumerate(values, start=1):
            c = ws.cell(r, j)
            put(c, v)
            c.font, c.border, c.alignment = base, border, wrap
        ws.cell(r, 2).fill = PatternFill("solid", fgColor=_FILL[f.severity])
        if (f.sheet, f.cell) in marked:
            link = ws.cell(r, 5)
            link.hyperlink = Hyperlink(ref=link.coordinate, location=sheet_ref(f.sheet, f.cell))
            link.font = Font(name=FONT, size=12, color=LINK_FONT[1:], underline="single")
        ws.row_dimensions[r].height = max(text_height(f.message, 90), text_height(fix, 50)) * 0.95
    ws.freeze_panes = ws.cell(r0 + 1, 1)
    openpyxl_page_setup(ws)


ALSO_AT = (
    "Ô này là một trong các ô nêu ở trang '{sheet}', ô {cell}: xem ghi chú ở ô đó hoặc trang «Phản hồi»."
)
"""The note on a cell a finding names besides its own (`Parsed.also_at`)."""


def _mark_cells(wb: Workbook, p: Parsed, author: str) -> set[tuple[str, str]]:
    """Colour and comment every cell a finding names (its own, and those of `p.also_at`,
    pointing to it); return the (sheet, cell) of the findings marked."""
    marks: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)  # -> (severity, note)
    owners: dict[tuple[str, str], Finding] = {}
    for f in p.findings:
        if f.sheet and f.cell:
            marks[(f.sheet, f.cell)].append((f.severity, f"[{f.label}] {f.message}"))
            owners.setdefault((f.sheet, f.cell), f)
    for at, owner in p.also_at.items():
        if (f := owners.get(owner)) is not None:
            marks[at].append((f.severity, f"[{f.label}] {ALSO_AT.format(sheet=f.sheet, cell=f.cell)}"))
    done: set[tuple[str, str]] = set()
    for (sheet, ref), items in marks.items():
        ws = sheet_named(wb, sheet)
        if ws is None or not CELL_ADDRESS.fullmatch(ref):
            continue
        cell = ws[ref]
        if isinstance(cell, MergedCell):  # the top-left cell of its range holds value and comment
            cell = next(ws.cell(m.min_row, m.min_col) for m in ws.merged_cells.ranges if ref in m)
        severity = ERROR if any(sev == ERROR for sev, _ in items) else WARNING
        cell.fill = PatternFill("solid", fgColor=_FILL[severity])
        note = "\n".join(text for _, text in items)
        if cell.comment is not None and cell.comment.author != author:  # the unit's own note stays
            note = f"{note}\n--- Ghi chú của đơn vị: {cell.comment.text}"
        comment = Comment(for_xml(note[:2000]), for_xml(author))
        comment.width, comment.height = 420, 60 + 18 * _lines(note)
        cell.comment = comment
        done.add((sheet, ref))
    return done


def _lines(text: str) -> int:
    return sum(max(1, -(-len(part) // 60)) for part in text.split("\n"))


def _saved(wb: Workbook) -> bytes:
    """The workbook as .xlsx bytes; the same workbook always gives the same bytes (pinned
    times in the properties and in the zip entries)."""
    wb.properties.created = wb.properties.modified = PINNED_TIME
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()  # openpyxl's save() without its "modified = now"
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(
                zipfile.ZipInfo(info.filename, PINNED_TIME.timetuple()[:6]),
                src.read(info.filename),
                zipfile.ZIP_DEFLATED,
            )
    return out.getvalue()
