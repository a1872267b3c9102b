"""The consolidated ministry workbook, written with XlsxWriter.

Summary forms are SUMIFS formulas over the detail sheets, each written with the value the
pipeline computed, so a reader can trace every total and a viewer that does not
recalculate still shows the right number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from ..form import Block, Form, FormError, col_letter, row_of
from ..outbox.paths import RUN_PROPERTY
from ..rules.findings import SEVERITY_VI, WARNING
from ..run.aggregate import with_row_totals
from ..run.coverage import Coverage
from ..run.result import FileStatus, Report, UnitRecord, UnitStatus, deadline_line
from ..run.submissions import open_findings, past_findings
from .charts import dashboard
from .official import Column, bieu, header_height
from .style import DetailRef, Styles, page_setup, text_height, wrapped_height
from .template import PINNED_TIME
from .yoy import SCHEME_ID_HEAD, write_yoy

SHEETS = {
    "dashboard": "Tổng quan",
    "b01": "B01 Theo nội dung",
    "b02": "B02 Theo địa bàn",
    "b03": "B03 Nội dung - địa bàn",
    "b04": "B04 Nguồn lực",
    "b05": "B05 Nhu cầu",
    "b06": "B06 Theo loại đơn vị",
    "yoy": "So sánh các năm",
    "status": "Tình trạng nộp",
    "findings": "Lỗi và cảnh báo",
    "text": "Khó khăn, kiến nghị",
    "files": "Danh sách tệp",
}  # then each block's detail sheet (`detail_sheet` of layout.toml)
BIEU = ("b01", "b02", "b03", "b04", "b05", "b06")
"""The keys of `SHEETS` of the biểu (the statistical forms signed with the report), in order."""
DETAIL_FIRST_ROW = 3  # 0-based row of the first detail record
DETAIL_PT = 8  # the smallest size a detail sheet prints its text at


def write_workbook(
    report: Report, path: Path, typed: Mapping[str, str] | None = None
) -> dict[str, dict[str, int]]:
    """Write the consolidated workbook of `report` to `path` (.xlsx). `typed`: what the
    draft report prints in the fields an office fills, the officer's text where they typed
    one (key of `carried.FIELDS` -> text, `document.Carried.printed`), printed on the biểu
    (`official.bieu`) and in the overview's heading (`charts.dashboard`) as the draft prints
    it; without it they print the configuration's and the run's date. Returns the figures
    each biểu prints: sheet name -> A1 cell -> the number (counts, đồng), which the PDF to
    sign checks the workbook still shows (`pdf.edited_figures`)."""
    form = report.form
    wb = xlsxwriter.Workbook(
        str(path),
        {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "nan_inf_to_errors": True,
            "in_memory": True,
        },
    )
    wb.set_properties(
        {
            "title": f"Tổng hợp kết quả thực hiện {form.programme_info.short} năm {form.year}",
            "author": form.agencies.get("department", ""),
            "created": PINNED_TIME,
        }
    )
    if report.run_id:  # which run wrote it (`paths.RUN_PROPERTY`): pdf checks it
        wb.set_custom_property(RUN_PROPERTY, report.run_id)
    st = Styles(wb)
    run_date = report.generated_at.date()
    names = {**SHEETS, **{b.key: b.detail_sheet for b in form.blocks.values()}}
    sheets = {
        key: wb.add_worksheet(name) for key, name in names.items() if key != "yoy" or report.history.found
    }
    notes = _row_notes(report)
    figures: dict[str, dict[str, int]] = {key: {} for key in BIEU}
    refs = {
        key: _detail_sheet(sheets[key], st, form, block, report.detail.blocks[key], notes)
        for key, block in form.blocks.items()
    }
    status_ref = _status_sheet(sheets["status"], st, report)
    pos: dict[str, tuple[int, int]] = {}
    for block in form.blocks.values():  # the biểu that show one block (`bieu` of layout.toml)
        for number in block.bieu:
            if number not in ONE_BLOCK_BIEU:
                raise FormError(f"layout [{block.key}] bieu: không có biểu B{number} cho một bảng")
            key = f"b{number}"
            pos[key] = ONE_BLOCK_BIEU[number](
                sheets[key], st, report, block, refs[block.key], run_date, typed, figures[key]
            )
    _b06(sheets["b06"], st, report, refs, status_ref, run_date, typed, figures["b06"])
    if "yoy" in sheets:
        write_yoy(sheets["yoy"], st, report)
    _findings_sheet(sheets["findings"], st, report)
    _text_sheet(sheets["text"], st, report)
    _files_sheet(sheets["files"], st, report)
    dashboard(wb, sheets["dashboard"], st, report, names, pos, refs, status_ref, typed)
    sheets["dashboard"].activate()
    wb.close()
    return {names[key]: cells for key, cells in figures.items()}


def received_words(entry: dict) -> str:
    """When a file of the manifest came, as the files sheet says it (the province's time):
    "nhận 10:05 20/11/2025" for a message's arrival; a file saved by hand into the inbox has
    only its modification time, "lưu 10:05 20/11/2025", never called a receipt."""
    stamp = dt.datetime.fromisoformat(entry["received"])
    return f"{'nhận' if entry.get('received_mail') else 'lưu'} {stamp:%H:%M %d/%m/%Y}"


# ----- detail -------------------------------------------------------------------------------
def _row_notes(report: Report) -> dict[tuple[str, str, int], str]:
    """The units' cell comments by (file, sheet, row): "E8: text" lines, in column order."""
    notes: dict[tuple[str, str, int], list[tuple[str, str]]] = {}
    for rec in report.files:
        for (sheet, cell), text in rec.parsed.comments.items():
            row = row_of(cell)
            notes.setdefault((rec.parsed.name, sheet, row), []).append((cell, text))
    return {
        key: "\n".join(f"{cell}: {text}" for cell, text in sorted(items, key=lambda i: (len(i[0]), i[0])))
        for key, items in notes.items()
    }


def _detail_sheet(
    ws: Worksheet,
    st: Styles,
    form: Form,
    block: Block,
    frame: pd.DataFrame,
    notes: dict[tuple[str, str, int], str],
) -> DetailRef:
    frame = with_row_totals(frame, block)
    names = {kf.key: {i.code: i.name for i in form.items(kf.key)} for kf in block.key_fields}
    kinds = {k.code: k.name for k in form.unit_kinds}
    cols: list[tuple[str, str, float]] = [
        ("stt", "STT", 6),
        ("unit_code", "Mã đơn vị", 11),
        ("unit_name", "Đơn vị báo cáo", 30),
        ("unit_kind", "Loại đơn vị", 32),
        ("file", "Tệp", 30),
        ("sheet", "Trang", 11),
        ("row", "Dòng", 7),
    ]
    for kf in block.key_fields:
        cols += [(kf.key, f"Mã {kf.label.lower()}", 10)]
        if kf.key == "region":  # a region code, like a unit code, means a place only in its scheme
            cols += [("region_scheme", f"{SCHEME_ID_HEAD} {kf.label.lower()}", 13)]
        cols += [(f"{kf.key}_name", kf.label, 28)]
    for m in block.measures:
        cols.append((m.key, f"{m.label} ({m.unit})\n[cột {block.measure_column(m.key)}]", 16))
    for t in block.totals:
        cols.append((t.key, f"{t.label} ({t.unit})", 16))
    cols.append(("unit_scheme", f"{SCHEME_ID_HEAD} đơn vị", 13))  # what the unit code means (its scheme)
    cols.append(("cells", "Ô nguồn", 12))
    cols.append(("comments", "Ghi chú của đơn vị trong tệp", 40))
    letters = {key: col_letter(i) for i, (key, _, _) in enumerate(cols)}
    ws.write_string(0, 0, f"CHI TIẾT {block.title} - NĂM {form.year}", st.h2)
    ws.write_string(
        1,
        0,
        f"Mỗi dòng là một dòng của trang '{block.sheet}' trong tệp của đơn vị; số ở cột ghi trong "
        "ngoặc vuông của dòng đó.",
        st.note,
    )
    for i, (_, label, width) in enumerate(cols):
        ws.write_string(DETAIL_FIRST_ROW - 1, i, label, st.head)
        ws.set_column(i, i, width)
    ws.set_row(DETAIL_FIRST_ROW - 1, 60)
    first_m, last_m = block.measure_column(block.measures[0].key), block.last_column
    measure_set = set(block.columns)
    widths = {key: width for key, _, width in cols}
    for n, rec in enumerate(frame.itertuples(index=False)):
        r = DETAIL_FIRST_ROW + n
        d = rec._asdict()
        note = notes.get((d["file"], block.sheet, int(d["row"])), "")
        texts = [(d["unit_name"], widths["unit_name"]), (d["file"], widths["file"]), (note, 40)]
        texts += [(names[k].get(d[k], ""), widths[f"{k}_name"]) for k in names]
        ws.set_row(r, max(text_height(t, w) for t, w in texts))
        for i, (key, _, _) in enumerate(cols):
            if key == "stt":
                ws.write_number(r, i, n + 1, st.cell_center)
            elif key == "unit_kind":
                ws.write_string(r, i, kinds.get(d[key], d[key]), st.cell)
            elif key == "unit_scheme":
                ws.write_string(r, i, form.unit_scheme(str(d["unit_code"])), st.cell)
            elif key == "region_scheme":
                ws.write_string(r, i, form.region_scheme(str(d["region"])), st.cell)
            elif key.endswith("_name") and key[:-5] in names:
                ws.write_string(r, i, names[key[:-5]].get(d[key[:-5]], str(d[key[:-5]])), st.cell)
            elif key == "cells":
                ws.write_string(r, i, f"{first_m}{d['row']}:{last_m}{d['row']}", st.cell_center)
            elif key == "comments":
                ws.write_string(r, i, note, st.cell)
            elif key == "row":
                ws.write_number(r, i, int(d["row"]), st.cell_center)
            elif key in measure_set:
                v = d[key]
                if v is None or v is pd.NA:
                    ws.write_blank(r, i, None, st.num)
                else:
                    ws.write_number(r, i, int(v), st.num)
            else:
                ws.write_string(r, i, str(d[key]), st.cell)
    last = DETAIL_FIRST_ROW + max(len(frame), 1)
    ws.autofilter(DETAIL_FIRST_ROW - 1, 0, DETAIL_FIRST_ROW - 1 + max(len(frame), 1), len(cols) - 1)
    ws.freeze_panes(DETAIL_FIRST_ROW, 3)
    # far too wide for one page (5 pt): across pages at 8 pt, the heading and the unit atop
    # and beside every page
    page_setup(
        ws, repeat=(DETAIL_FIRST_ROW - 1, DETAIL_FIRST_ROW - 1), smallest_pt=DETAIL_PT, repeat_columns=(0, 2)
    )
    return DetailRef(ws.name, letters, DETAIL_FIRST_ROW + 1, last)


# ----- summary forms ------------------------------------------------------------------------
def _measure_columns(block: Block) -> list[Column]:
    cols = [Column(m.label, m.unit, 15) for m in block.measures]
    return cols + [Column(t.label, t.unit, 16) for t in block.totals]


def _by_one(
    report: Report, ref: DetailRef, block: Block, dim: str, items: list[tuple[str, str]]
) -> list[tuple[list[str], list[tuple[str, int]]]]:
    sums = report.totals.by(block.key, dim)
    rows = []
    for i, (code, name) in enumerate(items):
        got = sums.get((code,), {})
        cells = [(ref.sumifs(k, {dim: code}), got.get(k, 0)) for k in block.columns]
        rows.append(([str(i + 1), name], cells))
    return rows


_LISTS = {
    "category": lambda form: form.categories,
    "region": lambda form: form.regions,
    "source": lambda form: form.sources,
}


def _by_list_bieu(number: str, title: str, dim: str, label: str, width: int, **extra: str):
    """A biểu of one block's totals by one list (B01, B02, B04, B05): a row per entry of the
    list `dim`, its measures as SUMIFS over the block's detail sheet. `title` may name
    `{next_year}`; `extra` goes to `official.bieu` (e.g. `unit_note`)."""

    def write(
        ws: Worksheet,
        st: Styles,
        report: Report,
        block: Block,
        ref: DetailRef,
        run_date,
        typed: Mapping[str, str] | None = None,
        figures: dict[str, int] | None = None,
    ) -> tuple[int, int]:
        form = report.form
        rows = _by_one(report, ref, block, dim, [(x.code, x.name) for x in _LISTS[dim](form)])
        return bieu(
            ws,
            st,
            form,
            number=number,
            title=title.format(next_year=form.year + 1),
            columns=[Column("STT", "", 6), Column(label, "", width), *_measure_columns(block)],
            rows=rows,
            run_date=run_date,
            coverage=Coverage.of(report.units, listed_in=SHEETS["status"]),
            typed=typed,
            figures=figures,
            **extra,
        )

    return write


_b01 = _by_list_bieu(
    "01", "TỔNG HỢP KẾT QUẢ HỖ TRỢ TRẺ EM THEO NỘI DUNG HỖ TRỢ", "category", "Nội dung hỗ trợ", 34
)
_b02 = _by_list_bieu("02", "TỔNG HỢP KẾT QUẢ HỖ TRỢ TRẺ EM THEO ĐỊA BÀN", "region", "Địa bàn", 34)
_b04 = _by_list_bieu(
    "04", "TỔNG HỢP NGUỒN LỰC ĐÃ VẬN ĐỘNG THEO NGUỒN", "source", "Nguồn lực", 40, unit_note="ĐVT: đồng"
)
_b05 = _by_list_bieu(
    "05",
    "NHU CẦU HỖ TRỢ TRẺ EM NĂM {next_year} THEO NỘI DUNG - ĐÁNH GIÁ",
    "category",
    "Nội dung hỗ trợ",
    40,
    unit_note="ĐVT: người, đồng",
)


def _b03(
    ws: Worksheet,
    st: Styles,
    report: Report,
    block: Block,
    ref: DetailRef,
    run_date,
    typed: Mapping[str, str] | None = None,
    figures: dict[str, int] | None = None,
) -> tuple[int, int]:
    """Category x region: children supported, then value of support."""
    form = report.form
    head, value = block.headcount, block.main_total
    sums = report.totals.by(block.key, "region", "category")
    columns = [Column("STT", "", 6), Column("Địa bàn", "", 26)]
    for _ in (head, value):
        columns += [Column(c.name, "", 12.5) for c in form.categories]
    n = len(form.categories)
    groups = [
        (f"{block.measure(head).label} ({block.measure(head).unit})", n),
        ("Giá trị hỗ trợ (đồng)", n),
    ]
    rows = []
    for i, r in enumerate(form.regions):
        cells = []
        for key in (head, value):
            for c in form.categories:
                got = sums.get((r.code, c.code), {}).get(key, 0)
                cells.append((ref.sumifs(key, {"region": r.code, "category": c.code}), got))
        rows.append(([str(i + 1), r.name], cells))
    return bieu(
        ws,
        st,
        form,
        number="03",
        title="TỔNG HỢP SỐ TRẺ EM VÀ GIÁ TRỊ HỖ TRỢ THEO NỘI DUNG VÀ ĐỊA BÀN",
        columns=columns,
        rows=rows,
        run_date=run_date,
        coverage=Coverage.of(report.units, listed_in=SHEETS["status"]),
        groups=groups,
        typed=typed,
        figures=figures,
    )


def _b06(
    ws,
    st,
    report: Report,
    refs: dict[str, DetailRef],
    status_ref: DetailRef,
    run_date,
    typed: Mapping[str, str] | None = None,
    figures: dict[str, int] | None = None,
) -> None:
    form = report.form
    res = form.support_block
    src = form.resources_block
    by_kind = report.totals.by(res.key, "unit_kind")
    src_kind = report.totals.by(src.key, "unit_kind")
    acts = report.totals.by("info", "unit_kind")
    src_total = src.main_total
    rows = []
    for i, k in enumerate(form.unit_kinds):
        cells = [
            (refs[res.key].sumifs(key, {"unit_kind": k.name}), by_kind.get((k.code,), {}).get(key, 0))
            for key in res.columns
        ]
        cells.append(
            (
                refs[src.key].sumifs(src_total, {"unit_kind": k.name}),
                src_kind.get((k.code,), {}).get(src_total, 0),
            )
        )
        cells.append(
            (
                status_ref.sumifs("activities", {"unit_kind": k.name}),
                acts.get((k.code,), {}).get("activities", 0),
            )
        )
        rows.append(([str(i + 1), k.name], cells))
    columns = [Column("STT", "", 6), Column("Loại đơn vị báo cáo", "", 30), *_measure_columns(res)]
    columns += [
        Column("Nguồn lực đã vận động", "đồng", 16),
        Column("Hoạt động truyền thông, vận động", "hoạt động", 14),
    ]
    bieu(
        ws,
        st,
        form,
        number="06",
        title="TỔNG HỢP KẾT QUẢ THEO LOẠI ĐƠN VỊ BÁO CÁO",
        columns=columns,
        rows=rows,
        run_date=run_date,
        coverage=Coverage.of(report.units, listed_in=SHEETS["status"]),
        typed=typed,
        figures=figures,
    )


ONE_BLOCK_BIEU = {"01": _b01, "02": _b02, "03": _b03, "04": _b04, "05": _b05}
"""The biểu that show one block, by number; a block lists the ones it appears in."""


# ----- status, findings, text, files ------------------------------------------------------------
def _wrapped_note(
    ws: Worksheet, st: Styles, row: int, widths: list[float], text: str, first: int = 0, hyphens: bool = False
) -> None:
    """`text` on `row` (0-based), merged from column `first` to the table's last and wrapped
    in it, the row as tall as its lines (at most Excel's 409 pt): a line running past the
    table would widen what prints, and the page fitted to it shrink the whole sheet.
    `widths`: the table's column widths (units)."""
    ws.merge_range(row, first, row, len(widths) - 1, text, st.note_wrap)
    ws.set_row(row, min(409, wrapped_height(text, sum(widths[first:]), hyphens=hyphens)))


def _table(ws: Worksheet, st: Styles, title: str, note: str, header: list[tuple[str, float]]) -> int:
    """A list sheet's title, its note wrapped within the table's width (a long line would
    widen what prints and shrink the whole page), and its column headings; return the first
    data row (0-based)."""
    ws.write_string(0, 0, title, st.h2)
    if note:
        _wrapped_note(ws, st, 1, [w for _, w in header], note)
    for i, (label, w) in enumerate(header):
        ws.write_string(DETAIL_FIRST_ROW - 1, i, label, st.head)
        ws.set_column(i, i, w)
    ws.set_row(DETAIL_FIRST_ROW - 1, max(36, header_height([Column(label, "", w) for label, w in header])))
    ws.freeze_panes(DETAIL_FIRST_ROW, 0)
    page_setup(ws, repeat=(DETAIL_FIRST_ROW - 1, DETAIL_FIRST_ROW - 1))
    return DETAIL_FIRST_ROW


def _status_sheet(ws: Worksheet, st: Styles, report: Report) -> DetailRef:
    form = report.form
    kinds = {k.code: k.name for k in form.unit_kinds}
    # (key for formulas over the sheet, header, width): 173 units (a unit is 7 px of Calibri 11,
    # plus 5 px a column), so one A4 landscape page wide prints the sheet at 80 %, its 12 pt
    # text at 9.6 pt; long texts wrap
    columns = [
        ("stt", "STT", 4),
        ("code", "Mã đơn vị", 8),
        ("name", "Đơn vị", 18),
        ("unit_kind", "Loại đơn vị", 13),
        ("submitted", "Đã gửi", 6),
        ("submitted_on", "Ngày nộp", 11),
        ("on_time", "Đúng hạn", 8),
        ("status", "Tình trạng", 12),
        ("file", "Tệp được tính", 17),
        ("files", "Số tệp đã gửi", 6),
        ("contact", "Người lập biểu / liên hệ", 13),
        ("phone", "Điện thoại", 12),
        ("activities", "Hoạt động truyền thông", 8),
        ("scheme", SCHEME_ID_HEAD, 11),
        ("note", "Ghi chú", 26),
    ]
    widths = {key: w for key, _, w in columns}
    header = [(label, width) for _, label, width in columns]
    r0 = _table(
        ws,
        st,
        f"TÌNH TRẠNG NỘP BÁO CÁO NĂM {form.year}",
        f"{deadline_line(form)} Bản mới nhất và đúng hạn tính theo thời điểm "
        "nhận thư (tệp gửi qua thư) hoặc theo ngày báo cáo ghi trong tệp (tệp lưu tay); cột Ghi chú ghi căn cứ, "
        "cột Ngày nộp ghi ngày theo căn cứ đó. "
        "Người lập biểu và điện thoại: theo tệp mới nhất đơn vị đã gửi (kể cả tệp bị từ chối); "
        "đơn vị chưa gửi: người liên hệ trong cấu hình (nếu có).",
        header,
    )
    info = report.detail.info.set_index("unit_code") if not report.detail.info.empty else None
    for n, u in enumerate(report.units):
        r = r0 + n
        fmt = {UnitStatus.ACCEPTED: st.good, UnitStatus.REJECTED: st.bad, UnitStatus.MISSING: st.warn}[
            u.status
        ]
        row_info = info.loc[u.code] if info is not None and u.code in info.index else None
        ws.write_number(r, 0, n + 1, st.cell_center)
        ws.write_string(r, 1, u.code, st.cell)
        ws.write_string(r, 2, u.name, st.cell)
        ws.write_string(r, 3, kinds.get(u.kind, u.kind), st.cell)
        ws.write_string(r, 4, u.submitted_vi, st.cell_center)
        if u.submitted_on:
            ws.write_datetime(r, 5, pd.Timestamp(u.submitted_on).to_pydatetime(), st.date)
        else:
            ws.write_blank(r, 5, None, st.date)
        ws.write_string(r, 6, u.timeliness_vi, st.cell_center_wrap)  # "Chưa xét (…)" wraps
        ws.write_string(r, 7, u.status_vi, fmt)
        ws.write_string(r, 8, u.file.parsed.name if u.file else "", st.cell)
        ws.write_number(r, 9, len(u.files), st.cell_center)
        person, phone = u.contact(form)
        ws.write_string(r, 10, person, st.cell)
        ws.write_string(r, 11, phone, st.cell)
        acts = row_info["activities"] if row_info is not None else None
        if acts is None or acts is pd.NA:
            ws.write_blank(r, 12, None, st.num)
        else:
            ws.write_number(r, 12, int(acts), st.num)
        note = "; ".join(t for t in (f"Căn cứ: {u.rule_vi}" if u.rule else "", u.note) if t)
        note = "\n".join(x for x in (note, _info_notes(form, u)) if x)
        ws.write_string(r, 13, form.unit_scheme(u.code), st.cell)
        ws.write_string(r, 14, note, st.cell)
        wrapped = {
            "note": note,
            "name": u.name,
            "unit_kind": kinds.get(u.kind, u.kind),
            "file": u.file.parsed.name if u.file else "",
            "contact": person,
            "status": u.status_vi,
            "on_time": u.timeliness_vi,
            "scheme": form.unit_scheme(u.code),
        }
        # a file name or a scheme breaks at its hyphens
        ws.set_row(r, max(wrapped_height(t, widths[k], hyphens=True) for k, t in wrapped.items()))
    last = r0 + max(len(report.units), 1)
    ws.autofilter(r0 - 1, 0, last - 1, len(header) - 1)
    if report.changes is not None:  # below the table, outside the ranges formulas sum over
        # each line wrapped across the table's width: a line running past its last column
        # would widen the printed area, and the page fitted to it shrink the whole sheet
        for i, line in enumerate(report.changes.lines_vi()):
            _wrapped_note(ws, st, last + 1 + i, list(widths.values()), line.strip(), first=1, hyphens=True)
    # the dashboard counts and B06 sums over these columns (the kind of unit by its name)
    return DetailRef(ws.name, {key: col_letter(i) for i, (key, _, _) in enumerate(columns)}, r0 + 1, last)


def _info_notes(form: Form, u: UnitRecord) -> str:
    """The unit's comments on the cells of its information sheet (file that counts, else newest)."""
    rec = u.file or (u.files[0] if u.files else None)
    if rec is None:
        return ""
    sheet = form.sheets["info"]
    notes = [f"{cell}: {text}" for (s, cell), text in rec.parsed.comments.items() if s == sheet]
    return ("Ghi chú trong tệp: " + "; ".join(notes)) if notes else ""


def _findings_sheet(ws: Worksheet, st: Styles, report: Report) -> None:
    header = [  # 164 units: one A4 landscape page wide at 85 % (see _status_sheet)
        ("STT", 4),
        ("Tệp", 20),
        ("Mã đơn vị", 8),
        ("Trang", 10),
        ("Ô", 6),
        ("Mức độ", 8),
        ("Loại", 18),
        ("Giá trị", 14),
        ("Nội dung", 54),
        ("Ghi chú của đơn vị ở ô này", 22),
    ]
    widths = dict(header)
    r0 = _table(
        ws,
        st,
        "LỖI VÀ CẢNH BÁO KHI KIỂM TRA CÁC TỆP",
        "Lỗi: tệp bị từ chối, không được tính. Cảnh báo: tệp vẫn được tính, đề nghị đơn vị kiểm tra. "
        "Các dòng cuối «đã thay thế» là của tệp đơn vị đã gửi lại bản khác: chỉ còn là lịch sử.",
        header,
    )
    open_now = open_findings(report.files)
    found = open_now + past_findings(report.files)  # history after what is still open
    comments = {rec.parsed.name: rec.parsed.comments for rec in report.files}
    for n, f in enumerate(found):
        r = r0 + n
        past = n >= len(open_now)
        fmt = st.cell if past else st.warn if f.severity == WARNING else st.bad
        ws.write_number(r, 0, n + 1, st.cell_center)
        for c, v in enumerate(
            [
                f.file,
                f.unit,
                f.sheet,
                f.cell,
                f"{SEVERITY_VI[f.severity]} (đã thay thế)" if past else SEVERITY_VI[f.severity],
                f.title,
                f.value,
                f.message,
                comments.get(f.file, {}).get((f.sheet, f.cell), ""),
            ],
            start=1,
        ):
            ws.write_string(r, c, v, fmt if c == 5 else st.cell)
        note = comments.get(f.file, {}).get((f.sheet, f.cell), "")
        texts = {"Nội dung": f.message, "Tệp": f.file, "Loại": f.title, "Giá trị": f.value}
        texts["Ghi chú của đơn vị ở ô này"] = note
        ws.set_row(r, max(wrapped_height(t, widths[k], hyphens=True) for k, t in texts.items()))
    if found:
        ws.autofilter(r0 - 1, 0, r0 - 1 + len(found), len(header) - 1)
    else:
        ws.write_string(r0, 0, "Không có lỗi hay cảnh báo nào.")


def _text_sheet(ws: Worksheet, st: Styles, report: Report) -> None:
    header = [  # 159 units: one A4 landscape page wide at 88 % (see _status_sheet)
        ("STT", 4),
        ("Mã đơn vị", 9),
        ("Đơn vị", 22),
        ("Khó khăn, vướng mắc", 62),
        ("Kiến nghị, đề xuất", 62),
    ]
    r0 = _table(ws, st, f"KHÓ KHĂN, VƯỚNG MẮC VÀ KIẾN NGHỊ CỦA CÁC ĐƠN VỊ NĂM {report.form.year}", "", header)
    n = 0
    for u in report.units:
        if u.file is None:
            continue
        info = u.file.parsed.info_row or {}
        if not (info.get("difficulties") or info.get("recommendations")):
            continue
        r = r0 + n
        n += 1
        ws.write_number(r, 0, n, st.cell_center)
        ws.write_string(r, 1, u.code, st.cell)
        ws.write_string(r, 2, u.name, st.cell)
        ws.set_row(
            r,
            max(
                wrapped_height(u.name, 22),
                *(wrapped_height(info.get(k) or "", 62) for k in ("difficulties", "recommendations")),
            ),
        )
        ws.write_string(r, 3, info.get("difficulties") or "", st.text)
        ws.write_string(r, 4, info.get("recommendations") or "", st.text)


def _files_sheet(ws: Worksheet, st: Styles, report: Report) -> None:
    header = [  # 174 units: one A4 landscape page wide at 80 % (see _status_sheet)
        ("STT", 4),
        ("Tệp", 22),
        ("Kích thước (byte)", 10),
        ("Nhận (thư) / lưu (tệp) lúc", 17),
        ("Định dạng", 8),
        ("Mã đơn vị", 8),
        ("Tình trạng", 14),
        ("Thay thế bởi", 20),
        ("Số lỗi", 6),
        ("Số cảnh báo", 7),
        ("Ghi chú", 24),
        ("SHA-256", 34),  # 64 hex digits on two lines
    ]
    r0 = _table(
        ws, st, "DANH SÁCH TỆP TRONG HỘP THƯ ĐẾN", "Mọi tệp trong thư mục inbox đều có mặt ở đây.", header
    )
    for n, rec in enumerate(report.files):
        m = rec.manifest()
        r = r0 + n
        ws.write_number(r, 0, n + 1, st.cell_center)
        ws.write_string(r, 1, m["name"], st.cell)
        ws.write_number(r, 2, m["size"], st.num)
        ws.write_string(r, 3, received_words(m), st.cell)
        ws.write_string(r, 4, m["format"], st.cell_center)
        ws.write_string(r, 5, m["unit"], st.cell)
        ws.write_string(r, 6, FileStatus(m["status"]).vi, st.cell)
        ws.write_string(r, 7, m["replaced_by"], st.cell)
        ws.write_number(r, 8, m["errors"], st.num)
        ws.write_number(r, 9, m["warnings"], st.num)
        note = "; ".join(t for t in (m["note"], _came_by(m)) if t)
        ws.write_string(r, 10, note, st.cell)
        ws.write_string(r, 11, m["sha256"], st.cell)
        # long names wrap: the row grows so they never print over the next row
        texts = [
            (m["name"], 22),
            (received_words(m), 17),
            (m["replaced_by"], 20),
            (note, 24),
            (m["sha256"][:32] + " " + m["sha256"][32:], 34),
        ]
        texts.append((FileStatus(m["status"]).vi, 14))
        ws.set_row(r, max(wrapped_height(t, w, hyphens=True) for t, w in texts))
    if report.files:
        ws.autofilter(r0 - 1, 0, r0 - 1 + len(report.files), len(header) - 1)


def _came_by(m: dict) -> str:
    """How a file came, for the file list: the message it was attached to and its sender."""
    if m["kind"] in ("attachment", "member") and m["sender"]:
        return f"Đính kèm thư của {m['sender']}"
    return ""


__all__ = ["write_workbook", "SHEETS", "BIEU"]
