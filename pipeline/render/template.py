"""Blank reporting templates, one per unit, written with XlsxWriter from the form."""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from pathlib import Path
from types import SimpleNamespace

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..form import (
    META_KEYS,
    Block,
    Form,
    FormError,
    SheetChecks,
    Unit,
    cell_at,
    col_index,
    col_letter,
    is_pending,
    meta_cell,
    owner_of,
    row_of,
)
from ..form.grid import LIST_KEYS, ROW_MARK_FORMULAS, TITLE_ROW, instruction_cell, list_range, meta_label_cell
from ..form.sheets import TOTAL_LABEL, BlockSheet, InfoSheet, block_sheet, info_sheet
from ..outbox.atomic import atomic_path, remove_stale_temporaries
from ..read.worker import worker_form
from ..rules.spellings import read_names
from ..run.workers import close_pool, result_or_here, starting_workers, stop_pool, submit_all
from ..run.workers import pool as worker_pool
from ..text.command import option_hint
from ..text.names import template_name
from ..text.values import NUMBER_EXAMPLE
from .layoutchecks import LayoutCells, layout_cells, write_layout_cells
from .livechecks import write_block_checks, write_info_checks, write_overview
from .numbercells import Readers, quoted, readers, write_date_readers, write_name_readers, write_readers
from .style import CHECKS, TEMPLATE, Styles, page_setup, wrapped_height

PINNED_TIME = dt.datetime(2019, 5, 17)

INSTRUCTION_WIDTH = 110  # column B of the instructions sheet, in column-width units
LIST_NAMES = {"region": "DS_DiaBan", "category": "DS_NoiDung", "source": "DS_NguonLuc"}
# what the live checks accept: every spelling of a listed name the pipeline reads (`spellings.read_names`)
READ_LISTS = {key: name + "_DocDuoc" for key, name in LIST_NAMES.items()}
SPELLINGS = {key: name + "_CachGo" for key, name in LIST_NAMES.items()}


class _Sheet(Worksheet):
    """XlsxWriter's worksheet with its formula preparation memoised. `_prepare_formula`
    runs about a hundred regular expressions over every formula, data validation and
    conditional format (future-function prefixes); it depends on the formula and two flags
    only, and a set of templates writes the same live-check formulas for every unit of a
    layout, so each distinct formula is prepared once per process. Subclassing the
    worksheet through `Workbook.worksheet_class` is XlsxWriter's own extension point
    (its examples `inheritance1.py`, `inheritance2.py`)."""

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        return _prepared(formula, expand_future_functions, self.use_future_functions)


@functools.lru_cache(maxsize=65536)
def _prepared(formula: str, expand_future_functions: bool, use_future_functions: bool) -> str:
    flags = SimpleNamespace(use_future_functions=use_future_functions)
    return Worksheet._prepare_formula(flags, formula, expand_future_functions)  # type: ignore[arg-type]


_CALL_FIRST = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*\(")  # a formula starting "IF(", "_xlfn.X("


class _Workbook(Workbook):
    """XlsxWriter's workbook with its structure locked, without a password
    (`<workbookProtection lockStructure="1"/>`, ECMA-376 Part 1 §18.2.29, right after
    `workbookPr`; XlsxWriter has no call for it): sheets cannot be renamed, deleted, moved,
    hidden or unhidden, nor sheets added, until the unit turns the protection off (Excel:
    Review > Protect Workbook; LibreOffice: Tools > Protect Spreadsheet Structure). Nothing a
    unit must do touches the structure; the cost is a unit that wants a sheet of its own
    for notes, or to copy a sheet in or out (Move or Copy), must turn it off first.
    LibreOffice (7.x) does not keep the lock when it opens an .xlsx: there, and where a
    unit turned it off, the template's own check says what the reader refuses
    (`layoutchecks.py`)."""

    worksheet_class = _Sheet

    def define_name(self, name: str, formula: str) -> int:
        """XlsxWriter's `define_name`, with a formula that starts with a function call put in
        parentheses. Gnumeric's ODS writer (`odf_write_named_expression`, which asks
        `gnm_expr_is_rangeref`, TRUE for any function call) writes such a name as a
        `table:named-range` whose cell-range-address is the formula, which no application
        reads back: every cell using it showed #NAME? once a unit saved the template as .ods
        in Gnumeric (brk19). In parentheses it is a `table:named-expression`; Excel,
        LibreOffice and Gnumeric read the same value."""
        body = formula.removeprefix("=")
        if _CALL_FIRST.match(body):
            formula = f"=({body})"
        return super().define_name(name, formula)

    def _write_workbook_pr(self) -> None:
        super()._write_workbook_pr()
        self._xml_empty_tag("workbookProtection", [("lockStructure", 1)])


PARALLEL_FROM = 8  # templates; below this a worker process costs more than it saves


def write_templates(form: Form, out_dir: Path, workers: int | None = None) -> list[Path]:
    """Write one blank template per unit of the registry; return their paths, in the
    registry's order. Temporary files left by a run killed while writing are removed first.

    With `workers` (default: the machine's cores) of 2 or more and at least PARALLEL_FROM
    units, `workers` - 1 worker processes (`run.workers.pool`, bound to this process's life)
    write the registry's later units while this process writes its share of the first.
    Raises what writing a template raises (OSError: the folder cannot be written)."""
    _refuse_other_forms(form, out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(out_dir)
    units = form.units
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers < 2 or len(units) < PARALLEL_FROM:
        return [write_template(form, unit, out_dir) for unit in units]
    share = len(units) // workers
    with starting_workers():  # the workers start without Ctrl-C (`run.workers`)
        pool = worker_pool(workers - 1, form)
        theirs = submit_all(pool, _write_in_worker, ((unit.code, out_dir) for unit in units[share:]))
    try:
        paths = [write_template(form, unit, out_dir) for unit in units[:share]]
        for unit, job in zip(units[share:], theirs, strict=True):
            paths.append(result_or_here(job, functools.partial(write_template, form, unit, out_dir)))
    except BaseException:
        stop_pool(pool)
        raise
    close_pool(pool, written_into=[out_dir])
    return paths


def _write_in_worker(code: str, out_dir: Path) -> Path:
    """`write_template` of unit `code` in a worker process, with the form it holds."""
    form = worker_form()
    return write_template(form, form.units_by_code[code], out_dir)


class TemplatesOfAnotherForm(FormError):
    """`out_dir` holds a template of another form id under a name this form would write:
    writing would overwrite another configuration's template (nothing was written)."""


def _refuse_other_forms(form: Form, out_dir: Path) -> None:
    """Raise TemplatesOfAnotherForm when a template `write_templates` would replace was made
    from another configuration (its hidden sheet's form id differs from `form.id`), as
    consolidate refuses a year's outbox of another form. Unreadable files are left to the
    overwrite (a broken template of ours)."""
    if not out_dir.is_dir():
        return
    theirs: dict[str, list[str]] = {}
    for unit in form.units:
        path = out_dir / template_name(form.year, unit.code, unit.name, form.programme_info.prefix)
        other = _form_id_of(path, form.sheets["meta"]) if path.is_file() else None
        if other is not None and other != form.id:
            theirs.setdefault(other, []).append(path.name)
    if not theirs:
        return
    form_id, names = next(iter(theirs.items()))
    owner = owner_of(form, form_id)
    whose = f"cấu hình {owner.name}" if owner else f"một cấu hình khác (mẫu '{form_id}')"
    raise TemplatesOfAnotherForm(
        f"Thư mục '{out_dir}' đang chứa {sum(map(len, theirs.values()))} mẫu của {whose} trùng tên với mẫu "
        f"của {form.path.name} (ví dụ {names[0]}); chương trình không ghi đè. Để không trộn hai cấu hình, "
        f"hãy chọn thư mục kết quả riêng bằng {option_hint('--outbox', _own_folder(form, out_dir))} "
        f"(hoặc đặt [paths] outbox trong {form.path.name}) rồi chạy lại."
    )


def _own_folder(form: Form, out_dir: Path) -> str:
    """An outbox for `form` other than the one holding `out_dir` (`<outbox>/templates/<year>`):
    its `[paths] outbox`, or `outbox-<configuration name>` when that is the one in use."""
    own = form.outbox
    return f"outbox-{form.path.stem}" if own.resolve() == out_dir.parent.parent.resolve() else str(own)


def _form_id_of(path: Path, meta_sheet: str) -> str | None:
    """The form id a template records on its hidden sheet, None when unreadable or absent."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        rows = book.get_sheet_by_name(meta_sheet).to_python()
    except Exception:  # noqa: BLE001 - any unreadable file: not known to be another form's
        return None
    row, col = cell_at(meta_cell("form_id"))
    try:
        value = rows[row][col]
    except IndexError:
        return None
    return str(value) if value not in (None, "") else None


def write_template(form: Form, unit: Unit, out_dir: Path) -> Path:
    path = out_dir / template_name(form.year, unit.code, unit.name, form.programme_info.prefix)
    with atomic_path(path) as tmp:
        wb = _Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True})
        wb.set_properties(
            {"title": form.title, "author": form.agencies.get("department", ""), "created": PINNED_TIME}
        )
        st = Styles(wb, TEMPLATE)
        cst = Styles(wb, CHECKS)
        first = _instructions(wb, form, unit, st)
        rd = readers(form)
        lc = layout_cells(form, unit, rd)
        checks = [_info_sheet(wb, form, unit, rd, st, cst, lc)]
        for block in form.blocks.values():
            checks.append(_block_sheet(wb, form, unit, block, rd, st, cst, lc))
        write_overview(
            wb, first, form, checks, cst, cached=sum(_blank_errors(form, c) for c in checks), lc=lc
        )
        _lists_sheet(wb, form, unit, rd, lc)
        _meta_sheet(wb, form, unit)
        wb.close()
    return path


def _blank_errors(form: Form, checks: SheetChecks) -> int:
    """Errors the checks find in a blank template: required fields, and every block empty."""
    if checks.block is None:
        return sum(1 for f in form.info_fields if f.required and not f.prefilled)
    return 1


def _instructions(wb: Workbook, form: Form, unit: Unit, st: Styles) -> Worksheet:
    ws = wb.add_worksheet(form.sheets["instructions"])
    ws.set_column("A:A", 4)
    ws.set_column("B:B", INSTRUCTION_WIDTH)
    p = form.period
    lines = [
        (st.title, f"HƯỚNG DẪN ĐIỀN MẪU BÁO CÁO NĂM {form.year}"),
        (
            st.text,
            f"Đơn vị: {unit.name} (mã {unit.code}: {form.scheme_label(unit.scheme)}; "
            f"cấu hình {form.path.name}).",
        ),
        (st.text, f"Căn cứ: {form.programme}; {form.request}."),
        (
            st.text,
            f"Số liệu tính từ ngày {p.start:%d/%m/%Y} đến ngày {p.end:%d/%m/%Y}. "
            f"Gửi về {form.agencies.get('department_short', '')} "
            + (
                f"{p.due_text}."
                if not is_pending(p.due_before)
                else "khi có thông báo hạn nộp (hạn nộp chưa ấn định)."
            ),
        ),
        (st.text_bold, "Cách điền:"),
        (
            st.text,
            "1. Chỉ điền vào các ô nền vàng. Các ô khác đã được khóa; không đổi tên, không thêm, "
            "xóa hay sắp xếp lại các trang, dòng, cột, không chèn hay xóa ô (dòng chữ xám «(hết …)» "
            "dưới mỗi cột và bên phải mỗi dòng phải ở nguyên chỗ).",
        ),
        (
            st.text,
            f"2. Trang '{form.sheets['info']}': điền người lập biểu, số điện thoại, ngày báo cáo "
            "(dd/mm/yyyy), số hoạt động truyền thông, khó khăn và kiến nghị.",
        ),
        (
            st.text,
            f"3. Trang '{form.sheets['results']}': mỗi dòng là một nội dung hỗ trợ tại một địa bàn. "
            + (
                "Địa bàn của đơn vị đã được điền sẵn."
                if unit.region
                else "Chọn địa bàn và nội dung hỗ trợ từ danh sách; mỗi cặp địa bàn - nội dung chỉ ghi một dòng."
            ),
        ),
        (
            st.text,
            "4. Số người, số lượt và số tiền là số nguyên không âm; tiền tính bằng đồng, "
            "hiện vật quy ra tiền. Gõ số, không gõ dấu chấm phân cách hay chữ (ví dụ 1200000).",
        ),
        (
            st.text,
            "5. Trẻ em nữ và trẻ em dân tộc thiểu số là số 'trong đó', không lớn hơn tổng số trẻ em; "
            "số lượt không nhỏ hơn số trẻ em.",
        ),
        (
            st.text,
            f"6. Trang '{form.sheets['resources']}': nguồn lực đã vận động theo từng nguồn. "
            f"Trang '{form.sheets['needs']}': nhu cầu hỗ trợ năm {form.year + 1}.",
        ),
        (st.text, "7. Các dòng tổng cộng tự tính; không cần điền."),
        (st.text, "8. Lưu tệp dưới dạng Excel (.xlsx) và gửi qua thư điện tử; không đặt mật khẩu."),
        (
            st.text,
            f"9. Trang nào đơn vị không có số liệu để báo cáo: chọn «{form.checks.declare_mark}» ở ô "
            f"{form.declare_cell(next(iter(form.blocks.values())))} của trang đó. Trang để trống mà không "
            "đánh dấu là báo cáo trống và sẽ bị trả lại.",
        ),
        (
            st.text,
            "10. Cột «Kiểm tra» bên phải mỗi trang và mục «Kiểm tra trước khi gửi» dưới đây tự cập nhật.",
        ),
        (st.text, "11. Ô có lỗi được tô màu. Hãy sửa cho đến khi tất cả đều «Đạt» rồi mới gửi."),
    ]
    if row_of(instruction_cell(len(lines) - 1)) >= form.checks.overview_row:
        raise FormError(f"checks.overview_row = {form.checks.overview_row} trùng với phần hướng dẫn")
    for i, (fmt, text) in enumerate(lines):
        ws.write_string(instruction_cell(i), text, fmt)
        # a row tall enough for its wrapped lines (a long "Căn cứ" would print over the next)
        ws.set_row(
            row_of(instruction_cell(i)) - 1,
            wrapped_height(text, INSTRUCTION_WIDTH, size=13 if i == 0 else 12),
        )
    page_setup(ws, landscape=False, page_numbers=False)
    ws.protect("", {"select_locked_cells": True})
    ws.activate()
    return ws


def _info_sheet(
    wb: Workbook, form: Form, unit: Unit, rd: Readers, st: Styles, cst: Styles, lc: LayoutCells
) -> SheetChecks:
    ws = wb.add_worksheet(form.sheets["info"])
    cells = info_sheet(form)
    grid = form.info_grid
    ws.set_column("A:A", 4)
    ws.set_column(f"{grid.label_column}:{grid.label_column}", 48)
    ws.set_column(f"{grid.value_column}:{grid.value_column}", 70)
    ws.merge_range(cells.title_range, form.title, st.title)
    ws.set_row(TITLE_ROW - 1, 48)
    ws.merge_range(
        cells.subtitle_range,
        f"Năm {form.year} - {form.form_number} - mã đơn vị: {form.scheme_label(unit.scheme)}",
        st.sub,
    )
    ws.merge_range(cells.section_range, "THÔNG TIN CHUNG", st.title)
    prefilled = {"unit_code": unit.code, "unit_name": unit.name, "year": form.year}
    for line in cells.rows:
        f = line.field
        ws.write_number(line.number_cell, line.number, st.stt)
        ws.write_string(line.label_cell, f.label, st.label_bold if f.required else st.label)
        if f.prefilled:
            value = prefilled[f.key]
            if isinstance(value, int):
                ws.write_number(f.cell, value, st.locked_value)
            else:
                ws.write_string(f.cell, value, st.locked_value)
        elif f.type == "date":
            ws.write_blank(f.cell, None, st.input_date)
            ws.data_validation(
                f.cell,
                {
                    "validate": "date",
                    "criteria": "between",
                    "minimum": dt.date(form.year - 1, 1, 1),
                    "maximum": dt.date(form.year + 1, 12, 31),
                    "error_title": "Ngày không hợp lệ",
                    "error_message": "Nhập ngày dạng dd/mm/yyyy.",
                    "input_title": "Ngày báo cáo",
                    "input_message": "Nhập ngày dạng dd/mm/yyyy.",
                },
            )
        elif f.type == "count":
            ws.write_blank(f.cell, None, st.input_num)
            ws.data_validation(f.cell, _whole_number_rule(form))
        else:
            ws.write_blank(f.cell, None, st.input_typed if f.type == "text" else st.input_text)
            if f.type == "longtext":
                ws.set_row(f.row - 1, 90)
            ws.data_validation(
                f.cell,
                {
                    "validate": "length",
                    "criteria": "<=",
                    "value": form.limits.max_text_chars,
                    "error_title": "Nội dung quá dài",
                    "error_message": f"Tối đa {form.limits.max_text_chars} ký tự.",
                },
            )
    if cells.end:  # locked, under the last field: not printed
        ws.write_string(*cells.end, st.end_mark)
    write_row_marks(ws, cells, st.end_mark)  # locked, right of the checks: not printed
    checks = write_info_checks(wb, ws, form, rd, cst, lc)
    page_setup(ws, landscape=False, page_numbers=False)
    ws.print_area(0, 0, cells.last_row - 1, col_index(grid.value_column))  # not the checks
    ws.protect("", {"select_locked_cells": True})
    return checks


def row_mark_formula(cell: str, head: str, witness: int, text: str, moved: str, left: bool = False) -> str:
    """The formula of a data row's mark at A1 address `cell` (`head`: the heading row's
    mark): `text` ("(hết dòng)") while its witness, the empty cell of its row in column
    `witness` (0-based, right of the check columns), is as far right of it as the heading
    row's witness is of the heading row's mark; else `moved` ("(dòng đã bị dời)").

    Cells of the row inserted or deleted left of the mark move both alike: the mark keeps
    its text and is found out of place (`read.layoutdiag.misplaced_row_mark`). Put back by
    cut and paste, the mark keeps its reference to the witness, which stayed where the edit
    moved it; copied from another row, its absolute reference names that row: either way it
    shows `moved`. A column inserted or deleted between them (the check columns deleted,
    brk10 L4) moves the heading row's witness alike, and a cell inserted at the heading
    row's mark alone (brk18 F4) moves its witness with it: neither is a fault; nor is the
    witness's own cell or column deleted (#REF!: that witness says nothing then), nor a
    cell of the heading row right of its mark inserted or deleted (brk19 F3): the witness
    is also taken where the template put it, as far right of the mark as it was written.

    With `left` (the cell left of the mark is no input: a row total, a check), that cell is
    a second witness, due under its heading: a cell inserted or deleted left of it shows
    `moved` at once (found out of place all the same: `read.layoutdiag.row_mark_offset`),
    and a second edit that deletes it to bring the mark back (a cell inserted in the row,
    then the moved total deleted) leaves #REF!, which shows `moved` too."""
    row, col = cell_at(cell)
    mine = f"${col_letter(witness)}${row + 1}"
    head_row, head_col = cell_at(head)
    theirs = f"${col_letter(witness)}${head_row + 1}"
    head_ref = f"${col_letter(head_col)}${head_row + 1}"
    # 1/FALSE is #DIV/0!: a condition false and a reference deleted (#REF!) are both an error,
    # told by ISERROR, which BIFF8 knows (IFERROR it does not: xlwt, Excel 2003)
    # the witnesses' column deleted (empty columns right of the form cleared away: brk19 F3)
    # moves no figure: the right witness then says nothing
    # as far as the heading row's witness is from its mark, or as far as the template put it:
    # cells inserted or deleted in the heading row alone, right of its mark (brk19 F3), move
    # no figure and no data row's witness
    apart = f"COLUMN({mine})-COLUMN()"
    right = f"(ROW({mine})=ROW())*OR({apart}=COLUMN({theirs})-COLUMN({head_ref}),{apart}={witness - col})"
    same = f"IF(ISERROR(COLUMN({mine})+COLUMN({theirs})),1,{right})"
    if left:
        beside = f"{col_letter(col - 1)}$"
        same += f"/(COLUMN(${beside}{row + 1})=COLUMN(${beside}{head_row + 1}))"
    return f"=IF(ISERROR(1/{same}),{quoted(moved)},{quoted(text)})"


def write_row_marks(ws: Worksheet, sheet: InfoSheet | BlockSheet, style: object) -> None:
    """The row marks of `sheet` (`form.sheets.row_marks`): the heading row's a constant, each
    data row's a formula (`row_mark_formula`) when the form says what a moved one shows
    (`BlockSheet.mark_moved`), its result stored."""
    if sheet.head_mark is None:
        return
    head = sheet.head_mark[0]
    witness = max(cell_at(head)[1], col_index(sheet.checks.text_column)) + 1
    left = col_letter(cell_at(head)[1] - 1)
    locked = not isinstance(sheet, BlockSheet) or left not in {
        sheet.block.measure_column(m.key) for m in sheet.block.measures
    }
    ws.write_string(head, sheet.head_mark[1], style)
    for cell, mark in sheet.row_marks:
        if sheet.mark_moved:
            formula = row_mark_formula(cell, head, witness, mark, sheet.mark_moved, locked)
            ws.write_formula(cell, formula, style, mark)
        else:
            ws.write_string(cell, mark, style)


def _row_marks_kind(form: Form) -> int:
    """The marker sheet's `row_marks` (`grid.META_KEYS`): 0 none, 1 constants, 2 formulas."""
    grids = [(form.info_grid.row_mark, form.info_grid.row_mark_moved)]
    grids += [(b.row_mark, b.row_mark_moved) for b in form.blocks.values()]
    if not any(mark for mark, _moved in grids):
        return 0
    return ROW_MARK_FORMULAS if any(mark and moved for mark, moved in grids) else 1


def _whole_number_rule(form: Form) -> dict:
    return {
        "validate": "integer",
        "criteria": "between",
        "minimum": 0,
        "maximum": form.limits.max_number,
        "error_title": "Số không hợp lệ",
        "error_message": f"Nhập số nguyên không âm, không có dấu phân cách {NUMBER_EXAMPLE}.",
    }


def _block_sheet(
    wb: Workbook, form: Form, unit: Unit, block: Block, rd: Readers, st: Styles, cst: Styles, lc: LayoutCells
) -> SheetChecks:
    ws = wb.add_worksheet(block.sheet)
    cells = block_sheet(form, block, unit)
    last_col = block.last_column
    ws.set_column("A:A", 5)
    for kf in block.key_fields:
        ws.set_column(f"{kf.column}:{kf.column}", 34)
    ws.set_column(f"{block.measure_column(block.measures[0].key)}:{last_col}", 16)
    ws.merge_range(cells.title_range, block.title, st.title)
    ws.merge_range(cells.subtitle_range, f"Năm {form.year} - {unit.name} (mã {unit.code})", st.sub)
    ws.set_row(cells.header_row - 1, 48)
    for col in cells.columns:
        ws.write_string(f"{col.letter}{cells.header_row}", col.label, st.header)
        ws.write_string(f"{col.letter}{cells.unit_row}", col.unit, st.header)
        ws.write_string(f"{col.letter}{cells.number_row}", col.number, st.colno)
    for row in cells.rows:
        ws.write_number(row.number_cell, row.number, st.stt)
        for key in row.keys:
            if key.name is not None:
                ws.write_string(key.cell, key.name, st.label)
            else:
                ws.write_blank(key.cell, None, st.input_text)
                ws.data_validation(
                    key.cell,
                    {
                        "validate": "list",
                        "source": f"={LIST_NAMES[key.field.key]}",
                        "error_type": "warning",  # a close name is read as the listed one
                        "error_title": "Giá trị không có trong danh sách",
                        "error_message": f"Chọn {key.field.label.lower()} từ danh sách.",
                    },
                )
        for _m, cell in row.measures:
            ws.write_blank(cell, None, st.input_num)
        for total in row.totals:
            ws.write_formula(total.cell, rd.total(block.sheet, total), st.formula, 0)
    spellings = {k: v for k, v in SPELLINGS.items() if read_names(form)[k].close}
    totals = [*(t for row in cells.rows for t in row.totals), *cells.column_sums]
    checks = write_block_checks(wb, ws, form, block, cells.specs, READ_LISTS, spellings, rd, cst, lc, totals)
    ws.merge_range(cells.total_label, TOTAL_LABEL, st.total_label)
    for total in cells.column_sums:
        ws.write_formula(total.cell, rd.total(block.sheet, total), st.formula, 0)
    for cell, mark in cells.end_marks:  # locked, under the total row: not printed
        ws.write_string(cell, mark, st.end_mark)
    write_row_marks(ws, cells, st.end_mark)  # locked, right of the table: not printed
    ws.freeze_panes(*block.grid.frozen)
    ws.repeat_rows(cells.header_row - 1, cells.number_row - 1)
    page_setup(ws, landscape=True, page_numbers=False)
    ws.print_area(0, 0, cells.total_row - 1, col_index(last_col))  # the form as before, not the checks
    ws.protect("", {"select_locked_cells": True})
    return checks


def _lists_sheet(wb: Workbook, form: Form, unit: Unit, rd: Readers, lc: LayoutCells) -> None:
    """The hidden lists: each list's names (the drop-downs), and beside them, for the live
    checks, every spelling of those names the pipeline reads (`spellings.read_names`: the
    exact ones, then the usual spellings it reads with a warning) with the number of the
    item each is read as; right of those, the cells reading each number cell and each
    typed name as the pipeline reads it (`rd`)."""
    ws = wb.add_worksheet(form.sheets["lists"])
    sheet = form.sheets["lists"].replace("'", "''")
    tables = {}
    for key, names in read_names(form).items():
        items = form.items(key)
        cells = list_range(key, len(items))
        first = cell_at(cells[0])
        for ri, item in enumerate(items):
            ws.write_string(first[0] + ri, first[1], item.name)
        wb.define_name(LIST_NAMES[key], f"='{sheet}'!{cells[2]}")
        col = first[1] + len(LIST_KEYS) + 1  # right of every list and an empty column
        letter, numbers = col_letter(col), col_letter(col + len(LIST_KEYS))
        spelt = names.exact + names.close
        for ri, (text, number) in enumerate(spelt):
            ws.write_string(ri, col, text)
            ws.write_number(ri, col + len(LIST_KEYS), number)
        n, end = len(names.exact), len(spelt)
        wb.define_name(READ_LISTS[key], f"='{sheet}'!${letter}$1:${letter}${end}")
        tables[key] = (f"'{sheet}'!${letter}$1:${letter}${end}", f"'{sheet}'!${numbers}$1:${numbers}${end}")
        if names.close:
            wb.define_name(SPELLINGS[key], f"='{sheet}'!${letter}${n + 1}:${letter}${end}")
    rows = {form.sheets["info"]: [f.row for f in form.info_numbers()]}
    rows |= {b.sheet: [spec.row for spec in form.rows_for(b, unit)] for b in form.blocks.values()}
    info = form.sheets["info"]
    write_readers(wb, ws, rd, rows, form.limits.max_number, {info: lc.at(info, "where")})
    typed = {}  # the rows whose names the unit types (a free-rows block)
    for b in form.blocks.values():
        specs = form.rows_for(b, unit)
        if specs and any(kf.key not in specs[0].fixed for kf in b.key_fields):
            typed[b.sheet] = [spec.row for spec in specs]
    write_name_readers(wb, ws, rd, typed, tables)
    write_date_readers(ws, rd)
    write_layout_cells(wb, ws, lc)
    ws.hide()
    ws.protect("")


def _meta_sheet(wb: Workbook, form: Form, unit: Unit) -> None:
    ws = wb.add_worksheet(form.sheets["meta"])
    values = {"form_id": form.id, "version": form.version, "unit_code": unit.code, "scheme": unit.scheme}
    marked = bool(info_sheet(form).end) or any(b.end_mark for b in form.blocks.values())
    for key in META_KEYS:
        ws.write_string(meta_label_cell(key), key)
        if key == "year":
            ws.write_number(meta_cell(key), form.year)
        elif key == "end_marks":
            ws.write_number(meta_cell(key), int(marked))
        elif key == "row_marks":
            ws.write_number(meta_cell(key), _row_marks_kind(form))
        else:
            ws.write_string(meta_cell(key), values[key])
    ws.hide()
    ws.protect("")
