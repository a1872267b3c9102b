"""From a file's cell values to tidy records, guided by the form layout.

This step checks what only the file's geometry can tell (our template? which version?
sheets and labels where the form puts them? merged input cells?) and parses each input
cell (numbers typed as text, dates, formulas without cached values). Rules across cells
and files (ranges, codes, cross-field rules, duplicates) are checked afterwards on the
stacked records by the pandera schemas in `validate.py`.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import Any

from ..form import Form, Unit, config_with_version, foreign_template, meta_cell
from ..form.crosswalk import REFORM, load_crosswalk
from ..form.sheets import info_sheet
from ..intake.containers.submission import Submission
from ..intake.files import FileInfo, ReadProblem
from ..rules import findings as fd
from ..text.command import command_name
from ..text.values import parse_date, parse_text
from .blockread import read_block
from .declare import declared_blocks
from .formats.registry import FORMATS, PartlyRead
from .layoutdiag import missing_sheet_message
from .parsed import Parsed
from .plan import info_plan
from .reader import RawBook, SheetData, read_book
from .reading import FileReading
from .witness import Witnesses

NOT_REPORT_CODES = {"FILE_NOT_REPORT"}


def wanted_sheets(form: Form) -> list[str]:
    """The sheets of a report that are read (the template's marks, information, blocks)."""
    return [form.sheets["meta"], form.sheets["info"], *(b.sheet for b in form.blocks.values())]


def parse_bytes(data: bytes, file_id: int, form: Form, sub: Submission, mtime: float = 0.0) -> Parsed:
    """Parse a submission's bytes (`Submission.read`). Never raises for bad input: problems
    become findings. `mtime` is its inbox entry's modification time (POSIX seconds)."""
    name = sub.name
    p = Parsed(file_id, sub, FileInfo(name, len(data), hashlib.sha256(data).hexdigest(), mtime))
    try:
        book = read_book(data, PurePosixPath(name).name, wanted_sheets(form), form.limits)
    except ReadProblem as exc:
        p.is_report = exc.code not in NOT_REPORT_CODES
        if isinstance(exc, PartlyRead):  # refused, yet its template says whose it is
            meta = exc.sheets.get(form.sheets["meta"])
            p.unit_code = template_unit(form, SheetData(form.sheets["meta"], meta) if meta else None)
        p.findings.append(fd.make(exc.code, exc.message, file=name, unit=p.unit_code or "", sheet=exc.sheet))
        return p
    p.format = book.format
    p.comments = book.comments
    _read(FileReading(form, p, book, _witnesses(data, name, form, book)))
    if p.unit_code:  # findings made before the unit was known
        p.findings = [replace(f, unit=p.unit_code) for f in p.findings]
    return p


def _witnesses(data: bytes, name: str, form: Form, book: RawBook) -> Witnesses:
    """The template's reading cells of the file (`read/witness.py`): its lists sheet, read
    from `data` again when first asked (None when it has none or it cannot be read)."""
    lists = form.sheets["lists"]

    def load() -> SheetData | None:
        try:
            return read_book(data, PurePosixPath(name).name, [lists], form.limits).sheets.get(lists)
        except ReadProblem:
            return None

    zero_for_empty = FORMATS[book.format].empty_text_as_zero
    return Witnesses(form, book.sheets, load, zero_for_empty)


def _read(reading: FileReading) -> None:
    """The whole reading of one file: template marks, sheets, information, each block."""
    form, book = reading.form, reading.book
    if not _template_ok(reading):
        return
    missing = [s for s in wanted_sheets(form) if s not in book.sheets]
    template_sheets = {*form.sheets.values(), *wanted_sheets(form)}
    strangers = [n for n in book.sheet_names if n not in template_sheets]
    for s in missing:
        reading.add("SHEET_MISSING", missing_sheet_message(s, strangers), s)
    if missing:
        return
    visible_form_sheets = [form.sheets["info"], *(b.sheet for b in form.blocks.values())]
    for s in visible_form_sheets:
        if s in book.hidden:
            reading.add("SHEET_HIDDEN", f"trang '{s}' đang bị ẩn; số liệu vẫn được đọc", s)
    order = [n for n in book.sheet_names if n in visible_form_sheets]
    if order != [s for s in visible_form_sheets if s in order]:
        reading.add(
            "SHEET_ORDER",
            "thứ tự các trang khác mẫu gốc; số liệu vẫn được đọc theo tên trang",
        )
    unit = _info(reading)
    if unit is None:
        return
    for block in form.blocks.values():
        reading.p.rows[block.key] = read_block(reading, block, unit)
    reading.said_totals()
    reading.said_unvouched()
    reading.p.declared_empty = declared_blocks(form, reading.book.sheets)
    # identical data (whatever the report date) => identical key: one submission
    info = {k: v for k, v in (reading.p.info_row or {}).items() if k != "report_date"}
    # the records' data only (a record's columns are its block's): repr of a Record is slow
    rows = [
        (key, [(r.block, r.row, tuple(r.key.items()), tuple(r.measures.items()), r.own_region) for r in recs])
        for key, recs in reading.p.rows.items()
    ]
    reading.p.content_key = hashlib.blake2b(repr((info, rows)).encode(), digest_size=16).hexdigest()


def _template_ok(reading: FileReading) -> bool:
    """Our template, of a version still accepted; the unit it was made for."""
    form, book = reading.form, reading.book
    meta = book.sheets.get(form.sheets["meta"])
    if meta is None:
        reading.add(
            "TEMPLATE_UNKNOWN",
            "tệp không phải mẫu báo cáo của chương trình (không có dấu nhận biết mẫu); "
            "hãy dùng mẫu do Sở gửi",
        )
        return False
    form_id = parse_text(meta.get(meta_cell("form_id")))
    version = parse_text(meta.get(meta_cell("version")))
    claimed = parse_text(meta.get(meta_cell("unit_code")))
    reading.p.unit_code = template_unit(form, meta)  # known even if the file is rejected below
    scheme = parse_text(meta.get(meta_cell("scheme"))) or ""
    if form_id != form.id:
        reading.add(
            "TEMPLATE_UNKNOWN",
            foreign_template(form, form_id, scheme, command_name()),
            form.sheets["meta"],
            meta_cell("form_id"),
            form_id,
        )
        return False
    ours = form.unit_scheme(claimed) if claimed in form.units_by_code else ""
    if scheme and ours and scheme != ours:  # the same number, another place: never matched
        reading.add(
            "TEMPLATE_UNKNOWN",
            f"mã đơn vị '{claimed}' trong tệp là {form.scheme_label(scheme)}, không phải "
            f"{form.scheme_label(ours)} của cấu hình đang dùng; hãy dùng mẫu do Sở gửi cho năm này",
            form.sheets["meta"],
            meta_cell("scheme"),
            scheme,
        )
        return False
    if version not in form.accepted_versions:
        code, message = _not_accepted(form, version, _template_year(meta.get(meta_cell("year")), version))
        reading.add(code, message, form.sheets["meta"], meta_cell("version"), version)
        return False
    return True


def template_unit(form: Form, meta: SheetData | None) -> str | None:
    """The unit a template was made for, by its hidden sheet (`meta`): its code when the
    sheet is this form's and the code one of its units, else None."""
    if meta is None or parse_text(meta.get(meta_cell("form_id"))) != form.id:
        return None
    claimed = parse_text(meta.get(meta_cell("unit_code")))
    return claimed if claimed in form.units_by_code else None


def _template_year(raw: Any, version: str) -> int | None:
    """The reporting year a template was made for: its hidden sheet's year, else the year its
    version starts with ("2026.ag1"), else None."""
    try:
        return int(float(str(raw)))
    except (TypeError, ValueError):
        head = version.split(".")[0]
        return int(head) if head.isdigit() and len(head) == 4 else None


def _not_accepted(form: Form, version: str, year: int | None) -> tuple[str, str]:
    """The finding for a template of this form whose version is not accepted: a later year's
    (TEMPLATE_NEWER, with the configuration of that year or how to make it), an earlier year's
    (TEMPLATE_LAST_YEAR: a past period's report), or an older version of this year's
    (TEMPLATE_OLD: download the new one)."""
    shown = version or "?"
    if year is not None and year > form.year:
        newer = config_with_version(form, version)
        if newer is not None:
            instead = f"hãy chạy với cấu hình năm {year}: {command_name()} --config {_typed(newer)} …"
        else:
            instead = (
                f"chưa có cấu hình năm {year}: hãy tạo bằng {command_name()} --config {_typed(form.path)} "
                "new-year rồi chạy lại với cấu hình đó"
            )
        return (
            "TEMPLATE_NEWER",
            f"tệp là mẫu của năm {year} (phiên bản {shown}), không phải mẫu năm {form.year} của cấu hình "
            f"đang dùng ({form.path.name}); {instead}",
        )
    if year is not None and year < form.year:
        return (
            "TEMPLATE_LAST_YEAR",
            f"tệp là mẫu năm {year} (phiên bản {shown}): báo cáo của kỳ trước, không phải kỳ năm {form.year}; "
            f"nếu đơn vị gửi nhầm tệp cũ, hãy tải mẫu năm {form.year} (phiên bản {form.version}) và điền số "
            f"liệu năm {form.year}",
        )
    return (
        "TEMPLATE_OLD",
        f"tệp dùng mẫu phiên bản {shown}, không còn được nhận; hãy tải mẫu mới (phiên bản {form.version}) "
        "và điền lại",
    )


def _typed(path: Path) -> str:
    """A configuration's path as the officer types it: relative to the current folder when inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _info(reading: FileReading) -> Unit | None:
    """The information sheet's fields; the unit the file reports for (None: unknown)."""
    form = reading.form
    sheet = reading.book.sheets[form.sheets["info"]]
    cells = info_sheet(form)
    labels = cells.labels(with_end=reading.marked)  # a template made before the marks: none
    ends = [cells.end] if cells.end else []
    ok = all(reading.check_label(sheet, cell, label, labels, ends) for cell, label in labels)
    if not ok:
        return None
    if not reading.check_row_marks(sheet, cells.head_mark, cells.row_marks, cells.mark_moved):
        return None  # cells of a field's row inserted or deleted: its answer out of its column
    if reading.merged_over(sheet, info_plan(form)):
        return None
    row: dict[str, Any] = {}
    for f in form.info_fields:
        raw = sheet.get(f.cell)
        if f.cell in sheet.text_as_zero and f.type not in ("count", "year"):  # its text lost
            reading.uncalculated(sheet, f.cell, "text", "ngày" if f.type == "date" else "nội dung")
            row[f.key] = None
        elif f.type in ("count", "year"):
            row[f.key] = reading.number(sheet, f.cell, f.label, f.type != "year", f.prefilled)
        elif f.type == "date":
            value, problem = parse_date(raw, sheet.day_zero)
            if problem:
                reading.add(problem[0], f"{f.label}: '{fd.show(raw)}' {problem[1]}", sheet.name, f.cell, raw)
            row[f.key] = value
        else:
            text = parse_text(raw)
            if len(text) > form.limits.max_text_chars:
                reading.add(
                    "TEXT_TOO_LONG",
                    f"nội dung dài {fd.show(len(text))} ký tự, tối đa {fd.show(form.limits.max_text_chars)}",
                    sheet.name,
                    f.cell,
                )
                text = text[: form.limits.max_text_chars]
            row[f.key] = text or None
    reading.p.info_row = row
    code = row.get("unit_code")
    template_unit = reading.p.unit_code  # the unit the template was made for (hidden marker)
    # (an unknown code is reported by validation as UNIT_UNKNOWN, the clearer message)
    changed = code in form.units_by_code and template_unit and code != template_unit
    if changed:
        reading.add(
            "UNIT_CODE_CHANGED",
            fd.RULES["UNIT_CODE_CHANGED"].say(value=code, expected=template_unit),
            sheet.name,
            form.info_field("unit_code").cell,
            code,
        )
    if code and code not in form.units_by_code:
        code = former_code(reading, form, str(code), template_unit, sheet.name)
        row["unit_code"] = code
    reading.p.unit_code = code
    reading.p.report_date = row.get("report_date")
    # the file is the template's: its cells are where that unit's layout puts them, whatever
    # code was typed over (brk48 F1: read as the typed unit's, its row labels were said changed)
    unit = form.units_by_code.get((template_unit if changed else code) or "")
    if unit is None:
        # Unknown unit: validation reports it; the layout cannot be chosen.
        return None
    return unit


def former_code(reading: FileReading, form: Form, code: str, template_unit: str | None, sheet: str) -> str:
    """The unit a file is read as when its code `code` is no unit's: an old commune's code
    before the reform (`form.crosswalk`, `[history] crosswalk`) is told as such at the code's
    cell (UNIT_FORMER_CODE: the old place, the new units it went to), and the file is read,
    refused by that error, as the unit the template's mark names (its own template, the code
    mistyped), else as the new unit the old commune went wholly to (a letter then reaches
    it); `code` otherwise (the code unknown: validation says UNIT_UNKNOWN). Raises FormError for a crosswalk not as
    described."""
    crosswalk = load_crosswalk(form)
    links = crosswalk.successors(code) if crosswalk is not None else ()
    new = [form.units_by_code[link.new_code] for link in links if link.new_code in form.units_by_code]
    if not new:
        return code
    first = links[0]
    where = ", ".join(x for x in (first.old_district_name, first.old_province_name) if x)
    old = f"{first.old_commune_name} ({where})" if where else first.old_commune_name
    units = {link.new_code: link.new_name for link in links}
    into = "; ".join(f"{units[u.code]}, đơn vị báo cáo {u.name} (mã {u.code})" for u in new)
    if any(link.partial for link in links):
        into += " (xã cũ được chia, mỗi phần thuộc một đơn vị mới)"
    message = fd.RULES["UNIT_FORMER_CODE"].say(value=code, old=old, new=into, reform=REFORM)
    cell = form.info_field("unit_code").cell
    reading.add("UNIT_FORMER_CODE", message, sheet, cell, code)
    if template_unit in form.units_by_code:  # the template's mark says whose file it is (brk15)
        return str(template_unit)
    codes = [u.code for u in new]
    if len(codes) == 1 and not links[0].partial:
        return codes[0]
    return code
