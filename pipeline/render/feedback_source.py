"""The workbook a feedback file is made of: the unit's own file whenever it can be.

How each format is fed back is its record's `feedback` (`read/formats/registry.py`):

- OWN_FILE (.xlsx, .xlsm): the unit's file itself, loaded by openpyxl from its bytes. What
  openpyxl keeps is kept (values, number formats, styles, column widths, merged cells, data
  validations, conditional formats, sheet protection, hidden sheets, defined names, cell
  comments); what it drops is dropped (macros, since the feedback is an `.xlsx`; images and
  charts; cached values of formulas, which Excel and LibreOffice compute again on opening).
- REBUILT (.ods, .xls, .xlsb: openpyxl cannot open them), when the layout is our template's: the
  template of the unit rebuilt by `template.py` (the same layout, formats, lists and
  checks), with every value the unit typed into an input cell copied in.
- any other file that could be read: a copy of the values of its form sheets, one cell for
  one cell, with plain formats.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import python_calamine as pc
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ..form import Form
from ..read.formats.registry import FORMATS, OWN_FILE, REBUILT, Format, Lacks
from ..read.parsed import Parsed
from ..read.reader import read_book, reader_failed
from ..system import impl
from ..text.safetext import for_xml
from .style import FONT, NUM
from .template import write_template

# OWN_FILE (the unit's file itself) and REBUILT (the template rebuilt with the unit's
# values) are the ways a format is fed back (its record's `feedback`); besides them:
VALUES = "values"  # a plain copy of the values
NONE = "none"  # the file could not be read: findings only
# openpyxl holds a workbook in memory at about 50 times its XML: larger files (within the
# reader's limits, but with big extra sheets) are rebuilt from the template instead
OWN_FILE_MAX_BYTES = 8_000_000
# findings that say the file's cells are not where the template has them
LAYOUT_CODES = frozenset(
    {
        "TEMPLATE_UNKNOWN",
        "TEMPLATE_OLD",
        "TEMPLATE_NEWER",
        "TEMPLATE_LAST_YEAR",
        "SHEET_MISSING",
        "LAYOUT_CHANGED",
        "MERGED_INPUT",
    }
)
UNIT_AUTHOR = "Đơn vị"  # author of the unit's own comments copied into a rebuilt workbook

HOW_VI = {
    OWN_FILE: "Các trang sau trang này là tệp của đơn vị, giữ nguyên; ô có vấn đề được tô màu và có ghi chú.",
    REBUILT: "Tệp của đơn vị không mở lại được nguyên dạng (tệp "
    + ", ".join(f.kind.suffix for f in FORMATS.values() if f.feedback == REBUILT)
    + " hoặc quá lớn) nên các trang "
    "sau là mẫu báo cáo với số liệu đơn vị đã điền (chép từ tệp); ô có vấn đề được tô màu và có ghi chú.",
    VALUES: "Các trang sau là bản chép số liệu các trang báo cáo trong tệp của đơn vị; ô có vấn đề "
    "được tô màu và có ghi chú.",
    NONE: "Tệp không đọc được nên không có bản sao các trang.",
}


def unit_workbook(form: Form, p: Parsed) -> tuple[Workbook, str]:
    """An openpyxl workbook holding the unit's sheets, and how it was made (`HOW_VI` keys).

    Never raises for a bad file: a file openpyxl refuses falls back to the next way."""
    if not p.format:
        return _empty(), NONE
    try:
        data, _mtime = p.submission.read(form.limits)
    except Exception:  # noqa: BLE001 - gone from the inbox, or its container now refused
        return _empty(), NONE
    fmt = FORMATS.get(p.format)
    if fmt is not None and fmt.feedback == OWN_FILE and _unzipped_size(data) <= OWN_FILE_MAX_BYTES:
        try:
            return openpyxl.load_workbook(io.BytesIO(data), rich_text=False), OWN_FILE
        except Exception:  # noqa: BLE001 - openpyxl refuses some files calamine reads
            pass
    unit = form.units_by_code.get(p.unit_code or "")
    wb, how = None, NONE
    if unit is not None and p.info_row is not None and not any(f.code in LAYOUT_CODES for f in p.findings):
        try:
            wb, how = _rebuilt(form, unit, data, fmt, p.name), REBUILT
        except Exception:  # noqa: BLE001 - a file calamine cannot read again: plain copy
            pass
    if wb is None:
        try:
            wb, how = _values_copy(form, data, fmt, p.name), VALUES
        except Exception:  # noqa: BLE001 - an unreadable file gets the findings sheet alone
            return _empty(), NONE
    for (sheet, ref), text in p.comments.items():  # the unit's notes, as in its own file
        ws = sheet_named(wb, sheet)
        if ws is not None:
            ws[ref].comment = Comment(text, UNIT_AUTHOR)
    return wb, how


def _empty() -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    return wb


def _unzipped_size(data: bytes) -> int:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return sum(i.file_size for i in zf.infolist())
    except zipfile.BadZipFile:
        return OWN_FILE_MAX_BYTES + 1


def _sheets(form: Form) -> list[str]:
    return [form.sheets["info"], *(b.sheet for b in form.blocks.values())]


def _form_sheets(form: Form, data: bytes, fmt: Format | None, name: str) -> dict[str, list[list[Any]]]:
    """The form sheets of a file as the run read them (`reader.read_book`: the cells
    calamine skips, .xlsb's short records, filled in; each number as its format shows it,
    a count under Gnumeric's `[$-42A]#,##0` a number, not a date): name -> rows of values.
    A file the reader refuses is read as calamine reads it (`_calamine_sheets`). brk41 F1,
    F2: a SheetJS .xlsb was fed back blank, a Gnumeric .xls with every count a date."""
    try:
        book = read_book(data, name, _sheets(form), form.limits)
    except Exception:  # noqa: BLE001 - refused by the reader (its findings say why): calamine's copy
        return _calamine_sheets(form, data, fmt)
    return {sheet: got.rows for sheet, got in book.sheets.items()}


def _calamine_sheets(form: Form, data: bytes, fmt: Format | None) -> dict[str, list[list[Any]]]:
    """The form sheets of a file as calamine reads them: name -> rows of values; by the
    format's own value reader when calamine fails (it may panic on a valid .xls)."""
    wanted = {unicodedata.normalize("NFC", s).casefold(): s for s in _sheets(form)}
    out: dict[str, list[list[Any]]] = {}
    try:
        with impl.native_stderr_held():  # a panic of calamine's is handled here, not printed
            book = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except BaseException as exc:  # noqa: BLE001 - calamine raises several error types, and panics
        if not reader_failed(exc) or fmt is None or isinstance(fmt.values, Lacks):
            raise
        key = lambda name: unicodedata.normalize("NFC", name).casefold()  # noqa: E731
        own = fmt.values(data, lambda name: key(name) in wanted)
        return {wanted[key(name)]: rows for name, rows in own.rows.items()}
    try:
        for meta in book.sheets_metadata:
            key = unicodedata.normalize("NFC", meta.name).casefold()
            if key in wanted:
                out[wanted[key]] = book.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
    finally:
        book.close()
    return out


def _value(raw: Any) -> Any:
    """A calamine value as a cell value: whole floats as integers (counts and money)."""
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        return dt.datetime(raw.year, raw.month, raw.day)
    return raw


def put(cell: Any, value: Any) -> None:
    """Write `value` into an openpyxl cell; text stays text even when it starts with '=', and
    a control character a unit typed is shown escaped (`safetext.for_xml`), never refused."""
    cell.value = for_xml(value) if isinstance(value, str) else value
    if isinstance(value, str):
        cell.data_type = "s"


def _rebuilt(form: Form, unit: Any, data: bytes, fmt: Format | None, name: str) -> Workbook:
    sheets = _form_sheets(form, data, fmt, name)
    with tempfile.TemporaryDirectory() as tmp:
        wb = openpyxl.load_workbook(write_template(form, unit, Path(tmp)))
    for name, rows in sheets.items():
        ws = wb[name]
        for r, row in enumerate(rows, start=1):
            for c, raw in enumerate(row, start=1):
                if raw == "" or raw is None:
                    continue
                cell = ws.cell(r, c)
                if cell.protection.locked:  # labels, formulas, fixed rows: the template's own
                    continue
                put(cell, _value(raw))
    return wb


def _values_copy(form: Form, data: bytes, fmt: Format | None, name: str) -> Workbook:
    """The values of the form sheets, one cell for one cell. A number is shown with the
    thousands separator only where the form has a count or an amount (never a year); long
    text wraps and its row grows; the title rows above the table do not wrap."""
    sheets = _form_sheets(form, data, fmt, name)
    plain_numbers = {f.cell for f in form.info_fields if f.type not in ("count", "money")}
    wb = _empty()
    font = Font(name=FONT, size=11)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        widths: dict[int, int] = {}
        table_from = _first_table_row(rows)
        for r, row in enumerate(rows, start=1):
            lines = 1
            for c, raw in enumerate(row, start=1):
                if raw == "" or raw is None:
                    continue
                cell = ws.cell(r, c)
                value = _value(raw)
                put(cell, value)
                cell.font = font
                ref = f"{get_column_letter(c)}{r}"
                if isinstance(value, dt.datetime):
                    cell.number_format = "dd/mm/yyyy"
                elif isinstance(value, int | float) and not isinstance(value, bool):
                    info_sheet = name == form.sheets["info"]
                    cell.number_format = "0" if info_sheet and ref in plain_numbers else NUM
                elif isinstance(value, str) and r >= table_from:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
                    widths[c] = max(widths.get(c, 0), min(len(value), 30))
                    lines = max(lines, _lines(value, 30))
            if lines > 1:
                ws.row_dimensions[r].height = 15 * lines
        for c, w in widths.items():
            ws.column_dimensions[get_column_letter(c)].width = max(10, w + 2)
    return wb


def _first_table_row(rows: list[list[Any]]) -> int:
    """1-based first row with values in more than one column (rows above hold titles)."""
    for r, row in enumerate(rows, start=1):
        if sum(1 for v in row if v not in ("", None)) > 1:
            return r
    return 1


def _lines(text: str, width: int) -> int:
    return sum(max(1, -(-len(part) // width)) for part in text.split("\n"))


def sheet_named(wb: Workbook, name: str) -> Worksheet | None:
    """The sheet of `wb` called `name` (accents composed or not, any case), or None."""
    key = unicodedata.normalize("NFC", name).casefold()
    for ws in wb.worksheets:
        if unicodedata.normalize("NFC", ws.title).casefold() == key:
            return ws
    return None
