"""The template's live checks, built from the rules the form applies (`rulebind.py`).

For every rule the pipeline applies to a row or field, the template gets: a data-validation
rule that warns at entry (error type "warning": a person can pass it, cells are filled in
any order), conditional formatting that colours the violating cell, and per-row formulas
in a "Kiểm tra" area, summed up per sheet ("Đạt" / "Còn N lỗi: dòng …") and on the first
sheet. Formulas use English function names and comma separators, as the xlsx format stores
them (ECMA-376 Part 1, §18.17); Excel and LibreOffice both evaluate them.
"""

from __future__ import annotations

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..form import Block, Form, RowSpec, SheetChecks, col_index
from ..rules import findings as fd
from ..rules.bind import block_rules, info_rules
from ..rules.catalogue import Bound
from ..rules.kinds import XlRow
from .style import Styles, sheet_ref

PASSED = "Đạt"
MAX_DV_TEXT = 250  # Excel's limit for a data-validation message is 255 characters


def _q(text: str) -> str:
    """A spreadsheet string literal."""
    return '"' + text.replace('"', '""') + '"'


def _row_formulas(rules: list[Bound], at: XlRow) -> tuple[str, str]:
    """(number of errors, text naming each problem) of one row, as formulas."""
    errors = [r for r in rules if r.severity == fd.ERROR]
    count = "+".join(f"IF({r.excel(at)},1,0)" for r in errors) or "0"
    parts = [f'IF({r.excel(at)},{_q(fd.SEVERITY_VI[r.severity] + ": " + r.text + "; ")},"")' for r in rules]
    return "=" + count, "=" + ("&".join(parts) or '""')


def _summary(count_ref: str, listing: str, declared: str | None) -> str:
    """ "Đạt" (or "Đạt: …không có số liệu" when declared) / "Còn N lỗi: <listing>"."""
    passed = _q(PASSED)
    if declared:
        passed = f'IF({declared}<>"",{_q(PASSED + ": đã đánh dấu không có số liệu")},{passed})'
    return f'=IF({count_ref}=0,{passed},"Còn "&{count_ref}&" lỗi: "&MID({listing},3,2000))'


def _dv_rule(rules: list[Bound], at: XlRow, key: str, max_number: int) -> dict | None:
    """A warning data validation for the cell of measure `key` at the first row."""
    mine = [
        r for r in rules if key in r.fields and r.severity == fd.ERROR and r.kind in ("at_most", "at_least")
    ]
    a = at.ref(key)
    bad = [r.excel(at) for r in mine]
    valid = f"AND(ISNUMBER({a}),{a}>=0,{a}<={max_number},{a}=INT({a})"
    valid += f",NOT(OR({','.join(bad)})))" if bad else ")"
    message = "Nhập số nguyên không âm, không có dấu phân cách (ví dụ 1200000)."
    for r in mine:
        message += f" Lỗi nếu {r.text}."
    if len(valid) > 255:  # Excel's limit for a validation formula
        return None
    return {
        "validate": "custom",
        "value": "=" + valid,
        "ignore_blank": True,
        "error_type": "warning",
        "error_title": "Kiểm tra số liệu",
        "error_message": message[:MAX_DV_TEXT],
    }


def write_block_checks(
    wb: Workbook,
    ws: Worksheet,
    form: Form,
    block: Block,
    rows: list[RowSpec],
    lists: dict[str, str],
    st: Styles,
) -> SheetChecks:
    """The declaration cell, warnings at entry, colours and the "Kiểm tra" area of a block."""
    chk = form.block_checks(block)
    free = bool(rows) and any(kf.key not in rows[0].fixed for kf in block.key_fields)
    rules = [r for r in block_rules(form, block, free_keys=free) if r.kind != "own_region"]
    columns = {kf.key: kf.column for kf in block.key_fields}
    columns.update({m.key: block.measure_column(m.key) for m in block.measures})
    # the declaration
    decl = chk.declare_cell or ""
    ws.write_string(form.checks.declare_label_cell, form.checks.declare_label, st.declare_label)
    ws.write_blank(decl, None, st.declare_input)
    ws.set_row(form.checks.declare_row - 1, 32)
    ws.data_validation(
        decl,
        {
            "validate": "list",
            "source": [form.checks.declare_mark],
            "error_type": "warning",
            "error_title": "Không có số liệu",
            "error_message": f"Chọn «{form.checks.declare_mark}» nếu đơn vị không có số liệu cho trang này.",
        },
    )
    # the per-row columns
    cnt, txt = col_index(chk.count_column), col_index(chk.text_column)
    ws.set_column(cnt, cnt, 8)
    ws.set_column(txt, txt, 48)
    ws.write_string(chk.header_row - 1, cnt, "Số lỗi", st.head)
    ws.write_string(chk.header_row - 1, txt, "Kiểm tra từng dòng", st.head)
    first = rows[0].row if rows else block.first_row
    for spec in rows:
        at = XlRow(spec.row, first, columns, lists)
        count, text = _row_formulas(rules, at)
        ws.write_formula(f"{chk.count_column}{spec.row}", count, st.count, 0)
        ws.write_formula(f"{chk.text_column}{spec.row}", text, st.text, "")
    if rows:
        last = rows[-1].row
        at = XlRow(first, first, columns, lists)
        for r in rules:
            rng = f"{columns[r.field]}{first}:{columns[r.field]}{last}"
            fill = st.error_fill if r.severity == fd.ERROR else st.warning_fill
            ws.conditional_format(rng, {"type": "formula", "criteria": "=" + r.excel(at), "format": fill})
        for m in block.measures:
            dv = _dv_rule(rules, at, m.key, form.limits.max_number)
            if dv:
                col = block.measure_column(m.key)
                ws.data_validation(f"{col}{first}:{col}{last}", dv)
        first_m = block.measure_column(block.measures[0].key)
        last_m = block.measure_column(block.measures[-1].key)
        empty = f'AND(COUNT({first_m}{first}:{last_m}{last})=0,{decl}="")'
        count = f"=SUM({chk.count_column}{first}:{chk.count_column}{last})+IF({empty},1,0)"
        listing = "&".join(
            [f'IF({empty},", trang chưa có số liệu (nếu không có, chọn «x» ở ô {decl})","")']
            + [f'IF({chk.count_column}{s.row}>0,", dòng {s.row}","")' for s in rows]
        )
    else:
        count, listing = "=0", '""'
    _sheet_summary(ws, chk, count, listing, decl, st, cached_errors=1)
    return chk


def write_info_checks(ws: Worksheet, form: Form, st: Styles) -> SheetChecks:
    """Warnings and colours for the required fields of the information sheet, and its summary."""
    chk = form.info_checks()
    rules = info_rules(form)
    columns = {f.key: f.column for f in form.info_fields}
    rows = {f.key: f.row for f in form.info_fields}
    cnt, txt = col_index(chk.count_column), col_index(chk.text_column)
    ws.set_column(cnt, cnt, 8)
    ws.set_column(txt, txt, 40)
    ws.write_string(chk.header_row - 1, cnt, "Số lỗi", st.head)
    ws.write_string(chk.header_row - 1, txt, "Kiểm tra", st.head)
    listing = []
    for r in rules:
        row = rows[r.field]
        at = XlRow(row, row, columns, {})
        count, text = _row_formulas([r], at)
        blank_hit = r.kind == "required"  # what the formula gives in the blank template
        ws.write_formula(f"{chk.count_column}{row}", count, st.count, 1 if blank_hit else 0)
        cached = f"{fd.SEVERITY_VI[r.severity]}: {r.text}; " if blank_hit else ""
        ws.write_formula(f"{chk.text_column}{row}", text, st.text, cached)
        fill = st.error_fill if r.severity == fd.ERROR else st.warning_fill
        ws.conditional_format(
            at.ref(r.field), {"type": "formula", "criteria": "=" + r.excel(at), "format": fill}
        )
        listing.append(f'IF({chk.count_column}{row}>0,", {r.text}","")')
    first, last = form.info_fields[0].row, form.info_fields[-1].row
    count = f"=SUM({chk.count_column}{first}:{chk.count_column}{last})"
    blank_errors = sum(1 for r in rules if r.kind == "required")
    _sheet_summary(ws, chk, count, "&".join(listing) or '""', None, st, cached_errors=blank_errors)
    return chk


def _sheet_summary(
    ws: Worksheet,
    chk: SheetChecks,
    count: str,
    listing: str,
    declared: str | None,
    st: Styles,
    cached_errors: int,
) -> None:
    cnt, txt = col_index(chk.count_column), col_index(chk.text_column)
    ws.write_string(0, cnt, "Kiểm tra", st.head)
    ws.write_string(0, txt, "Kết quả kiểm tra trang này (tự cập nhật khi điền)", st.head)
    ws.write_formula(chk.count_cell, count, st.count, cached_errors)
    cached = PASSED if cached_errors == 0 else f"Còn {cached_errors} lỗi"
    ws.write_formula(chk.summary_cell, _summary(chk.count_cell, listing, declared), st.summary, cached)


def write_overview(ws: Worksheet, form: Form, checks: list[SheetChecks], st: Styles, cached: int) -> None:
    """The check summary on the first sheet: the whole workbook, then each sheet."""
    sheet, cell = form.overview_cell()
    ws.write_string(form.checks.overview_label_cell, "KIỂM TRA TRƯỚC KHI GỬI (tự cập nhật khi điền)", st.head)
    total = "+".join(sheet_ref(c.sheet, c.count_cell) for c in checks)
    formula = f'=IF(({total})=0,"{PASSED}: không còn lỗi","Còn "&({total})&" lỗi; xem từng trang dưới đây")'
    ws.write_formula(cell, formula, st.summary, PASSED if cached == 0 else f"Còn {cached} lỗi")
    for i, c in enumerate(checks):
        ws.write_formula(
            form.checks.overview_sheet_cell(i),
            f"={_q(f'Trang {c.sheet}: ')}&{sheet_ref(c.sheet, c.summary_cell)}",
            st.text,
            "",
        )
