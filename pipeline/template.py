"""Blank reporting templates, one per unit, written with XlsxWriter from the form."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from .atomic import atomic_path
from .form import META_KEYS, Block, Form, FormError, SheetChecks, Unit, col_index, col_letter, meta_cell
from .livechecks import CheckStyles, write_block_checks, write_info_checks, write_overview
from .names import template_name
from .official import FONT, NUM

PINNED_TIME = dt.datetime(2019, 5, 17)

LIST_NAMES = {"region": "DS_DiaBan", "category": "DS_NoiDung", "source": "DS_NguonLuc"}


class _Styles:
    def __init__(self, wb: Workbook) -> None:
        base = {"font_name": FONT, "font_size": 12, "valign": "vcenter"}
        self.title = wb.add_format(
            {**base, "bold": True, "font_size": 13, "align": "center", "text_wrap": True}
        )
        self.sub = wb.add_format({**base, "italic": True, "align": "center"})
        self.label = wb.add_format({**base, "text_wrap": True, "border": 1})
        self.label_bold = wb.add_format({**base, "bold": True, "text_wrap": True, "border": 1})
        self.header = wb.add_format(
            {
                **base,
                "bold": True,
                "text_wrap": True,
                "align": "center",
                "border": 1,
                "bg_color": "#DDEBF7",
            }
        )
        self.colno = wb.add_format({**base, "italic": True, "align": "center", "border": 1})
        self.stt = wb.add_format({**base, "align": "center", "border": 1})
        input_base = {**base, "border": 1, "locked": False, "bg_color": "#FFF9E5"}
        self.input_num = wb.add_format({**input_base, "num_format": NUM})
        self.input_text = wb.add_format({**input_base, "text_wrap": True})
        self.input_date = wb.add_format({**input_base, "num_format": "dd/mm/yyyy"})
        self.locked_value = wb.add_format({**base, "border": 1, "bold": True, "bg_color": "#EEEEEE"})
        self.formula = wb.add_format({**base, "border": 1, "num_format": NUM, "bold": True})
        self.total_label = wb.add_format({**base, "bold": True, "border": 1, "align": "center"})
        self.text = wb.add_format({**base, "text_wrap": True, "valign": "top"})
        self.text_bold = wb.add_format({**base, "bold": True, "text_wrap": True})


def write_templates(form: Form, out_dir: Path) -> list[Path]:
    """Write one blank template per unit of the registry; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return [write_template(form, unit, out_dir) for unit in form.units]


def write_template(form: Form, unit: Unit, out_dir: Path) -> Path:
    path = out_dir / template_name(form.year, unit.code, unit.name)
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(
            str(tmp), {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True}
        )
        wb.set_properties(
            {"title": form.title, "author": form.agencies.get("department", ""), "created": PINNED_TIME}
        )
        st = _Styles(wb)
        cst = CheckStyles.of(wb)
        first = _instructions(wb, form, unit, st)
        checks = [_info_sheet(wb, form, unit, st, cst)]
        for block in form.blocks.values():
            checks.append(_block_sheet(wb, form, unit, block, st, cst))
        write_overview(first, form, checks, cst, cached=sum(_blank_errors(form, c) for c in checks))
        _lists_sheet(wb, form)
        _meta_sheet(wb, form, unit)
        wb.close()
    return path


def _blank_errors(form: Form, checks: SheetChecks) -> int:
    """Errors the checks find in a blank template: required fields, and every block empty."""
    if checks.block is None:
        return sum(1 for f in form.info_fields if f.required and not f.prefilled)
    return 1


def _instructions(wb: Workbook, form: Form, unit: Unit, st: _Styles) -> Worksheet:
    ws = wb.add_worksheet(form.sheets["instructions"])
    ws.set_column("A:A", 4)
    ws.set_column("B:B", 110)
    p = form.period
    lines = [
        (st.title, f"HƯỚNG DẪN ĐIỀN MẪU BÁO CÁO NĂM {form.year}"),
        (st.text, f"Đơn vị: {unit.name} (mã {unit.code})."),
        (st.text, f"Căn cứ: {form.programme}; {form.request}."),
        (
            st.text,
            f"Số liệu tính từ ngày {p.start:%d/%m/%Y} đến ngày {p.end:%d/%m/%Y}. "
            f"Gửi về {form.agencies.get('department_short', '')} trước ngày {p.due_before:%d/%m/%Y}.",
        ),
        (st.text_bold, "Cách điền:"),
        (
            st.text,
            "1. Chỉ điền vào các ô nền vàng. Các ô khác đã được khóa; không đổi tên, không thêm, "
            "xóa hay sắp xếp lại các trang, dòng, cột.",
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
    if len(lines) + 1 >= form.checks.overview_row:
        raise FormError(f"checks.overview_row = {form.checks.overview_row} trùng với phần hướng dẫn")
    for i, (fmt, text) in enumerate(lines):
        ws.write_string(i + 1, 1, text, fmt)
    _print_setup(ws, landscape=False)
    ws.protect("", {"select_locked_cells": True})
    ws.activate()
    return ws


def _info_sheet(wb: Workbook, form: Form, unit: Unit, st: _Styles, cst: CheckStyles) -> SheetChecks:
    ws = wb.add_worksheet(form.sheets["info"])
    ws.set_column("A:A", 4)
    ws.set_column("B:B", 48)
    ws.set_column("C:C", 70)
    ws.merge_range("A1:C1", form.title, st.title)
    ws.set_row(0, 48)
    ws.merge_range("A2:C2", f"Năm {form.year} - {form.form_number}", st.sub)
    ws.merge_range("A3:C3", "THÔNG TIN CHUNG", st.title)
    prefilled = {"unit_code": unit.code, "unit_name": unit.name, "year": form.year}
    for i, f in enumerate(form.info_fields):
        r = f.row - 1
        ws.write_number(r, 0, i + 1, st.stt)
        ws.write_string(r, 1, f.label, st.label_bold if f.required else st.label)
        c = f.column
        if f.prefilled:
            value = prefilled[f.key]
            if isinstance(value, int):
                ws.write_number(f"{c}{f.row}", value, st.locked_value)
            else:
                ws.write_string(f"{c}{f.row}", value, st.locked_value)
        elif f.type == "date":
            ws.write_blank(f"{c}{f.row}", None, st.input_date)
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
            ws.write_blank(f.cell, None, st.input_text)
            if f.type == "longtext":
                ws.set_row(r, 90)
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
    checks = write_info_checks(ws, form, cst)
    _print_setup(ws, landscape=False)
    ws.print_area(0, 0, form.info_fields[-1].row - 1, col_index(form.info_fields[0].column))  # not the checks
    ws.protect("", {"select_locked_cells": True})
    return checks


def _print_setup(ws: Worksheet, landscape: bool) -> None:
    ws.set_paper(9)  # A4
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.4, top=0.6, bottom=0.6)


def _whole_number_rule(form: Form) -> dict:
    return {
        "validate": "integer",
        "criteria": "between",
        "minimum": 0,
        "maximum": form.limits.max_number,
        "error_title": "Số không hợp lệ",
        "error_message": "Nhập số nguyên không âm, không có dấu phân cách (ví dụ 1200000).",
    }


def _block_sheet(
    wb: Workbook, form: Form, unit: Unit, block: Block, st: _Styles, cst: CheckStyles
) -> SheetChecks:
    ws = wb.add_worksheet(block.sheet)
    rows = form.rows_for(block, unit)
    total_row = form.total_row(block, unit)
    last_col = block.last_column
    ws.set_column("A:A", 5)
    for kf in block.key_fields:
        ws.set_column(f"{kf.column}:{kf.column}", 34)
    ws.set_column(f"{col_letter(block.first_measure_index)}:{last_col}", 16)
    ws.merge_range(f"A1:{last_col}1", block.title, st.title)
    ws.merge_range(f"A2:{last_col}2", f"Năm {form.year} - {unit.name} (mã {unit.code})", st.sub)
    head = block.first_row - 4  # 0-based row of the column labels (units, then numbers below)
    columns = [("STT", "")] + [(kf.label, "") for kf in block.key_fields]
    columns += [(m.label, m.unit) for m in block.measures]
    columns += [(t.label, t.unit) for t in block.totals]
    ws.set_row(head, 48)
    for i, (label, unit_of) in enumerate(columns):
        ws.write_string(head, i, label, st.header)
        ws.write_string(head + 1, i, f"({unit_of})" if unit_of else "", st.header)
        ws.write_string(head + 2, i, f"({i + 1})", st.colno)
    first_m = block.first_measure_index
    for n, spec in enumerate(rows):
        r = spec.row - 1
        ws.write_number(r, 0, n + 1, st.stt)
        for kf in block.key_fields:
            ci = col_index(kf.column)
            if kf.key in spec.fixed:
                name = {i.code: i.name for i in form.items(kf.key)}[spec.fixed[kf.key]]
                ws.write_string(r, ci, name, st.label)
            else:
                ws.write_blank(r, ci, None, st.input_text)
                ws.data_validation(
                    r,
                    ci,
                    r,
                    ci,
                    {
                        "validate": "list",
                        "source": f"={LIST_NAMES[kf.key]}",
                        "error_type": "warning",  # a close name is read as the listed one
                        "error_title": "Giá trị không có trong danh sách",
                        "error_message": f"Chọn {kf.label.lower()} từ danh sách.",
                    },
                )
        for j, _m in enumerate(block.measures):
            ws.write_blank(r, first_m + j, None, st.input_num)
        for j, t in enumerate(block.totals):
            cols = "+".join(f"{block.measure_column(k)}{spec.row}" for k in t.sum_of)
            ws.write_formula(r, first_m + len(block.measures) + j, f"={cols}", st.formula, 0)
    checks = write_block_checks(wb, ws, form, block, rows, LIST_NAMES, cst)
    tr = total_row - 1
    ws.merge_range(tr, 0, tr, len(block.key_fields), "Tổng cộng", st.total_label)
    for j in range(len(block.measures) + len(block.totals)):
        col = col_letter(first_m + j)
        ws.write_formula(tr, first_m + j, f"=SUM({col}{block.first_row}:{col}{total_row - 1})", st.formula, 0)
    ws.freeze_panes(block.first_row - 1, first_m)
    ws.repeat_rows(head, block.first_row - 2)
    _print_setup(ws, landscape=True)
    ws.print_area(0, 0, total_row - 1, col_index(last_col))  # the form as before, not the checks
    ws.protect("", {"select_locked_cells": True})
    return checks


def _lists_sheet(wb: Workbook, form: Form) -> None:
    ws = wb.add_worksheet(form.sheets["lists"])
    for ci, key in enumerate(("region", "category", "source")):
        items = form.items(key)
        for ri, item in enumerate(items):
            ws.write_string(ri, ci, item.name)
        col = col_letter(ci)
        sheet = form.sheets["lists"].replace("'", "''")
        wb.define_name(LIST_NAMES[key], f"='{sheet}'!${col}$1:${col}${len(items)}")
    ws.hide()
    ws.protect("")


def _meta_sheet(wb: Workbook, form: Form, unit: Unit) -> None:
    ws = wb.add_worksheet(form.sheets["meta"])
    values = {"form_id": form.id, "version": form.version, "unit_code": unit.code}
    for r, key in enumerate(META_KEYS):
        ws.write_string(r, 0, key)
        if key == "year":
            ws.write_number(meta_cell(key), form.year)
        else:
            ws.write_string(meta_cell(key), values[key])
    ws.hide()
    ws.protect("")
