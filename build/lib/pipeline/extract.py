"""From a file's cell values to tidy records, guided by the form layout.

This step checks what only the file's geometry can tell (our template? which version?
sheets and labels where the form puts them? merged input cells?) and parses each input
cell (numbers typed as text, dates, formulas without cached values). Rules across cells
and files (ranges, codes, cross-field rules, duplicates) are checked afterwards on the
stacked records by the pandera schemas in `validate.py`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath
from typing import Any

from . import findings as fd
from . import nearest
from .comments import read_comments
from .containers import Origin, Submission
from .declare import declared_blocks
from .findings import Finding
from .form import Block, Form, KeyField, Unit, col_letter, meta_cell, norm_text, row_of
from .form.sheets import info_sheet
from .layoutdiag import layout_shift, missing_sheet_message, shift_message
from .plan import BlockPlan, CellSpan, RowPlan, block_plan, info_plan
from .reader import FileInfo, RawBook, ReadProblem, SheetData, read_book
from .records import Record
from .values import is_blank, parse_date, parse_int, parse_text

NOT_REPORT_CODES = {"FILE_NOT_REPORT"}


@dataclass
class Parsed:
    """Everything the pipeline learnt from one file, before cross-file validation."""

    file_id: int
    submission: Submission  # where its bytes are: the inbox entry, the message or archive, its origin
    info: FileInfo
    format: str = ""
    is_report: bool = True
    unit_code: str | None = None  # the unit the file claims (even if unknown)
    report_date: dt.date | None = None
    findings: list[Finding] = field(default_factory=list)
    info_row: dict[str, Any] | None = None
    rows: dict[str, list[Record]] = field(default_factory=dict)  # block -> its rows with figures
    content_key: str = ""  # identical data => identical key (a digest: it travels between processes)
    flagged_cells: set[tuple[str, str]] = field(default_factory=set)
    declared_empty: tuple[str, ...] = ()  # blocks the unit declared it has nothing to report for
    comments: dict[tuple[str, str], str] = field(default_factory=dict)  # (sheet, cell) -> unit's note

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def origin(self) -> Origin:
        """Plain file, attachment or archive member, and the message it came in."""
        return self.submission.origin

    @property
    def has_errors(self) -> bool:
        return any(f.severity == fd.ERROR for f in self.findings)


def wanted_sheets(form: Form) -> list[str]:
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
        p.findings.append(fd.make(exc.code, exc.message, file=name, sheet=exc.sheet))
        return p
    p.format = book.format
    p.comments = read_comments(data, book.format, wanted_sheets(form))
    del data
    _Extractor(form, p, book).run()
    if p.unit_code:  # findings made before the unit was known
        p.findings = [replace(f, unit=p.unit_code) for f in p.findings]
    return p


class _Extractor:
    def __init__(self, form: Form, parsed: Parsed, book: RawBook) -> None:
        self.form = form
        self.p = parsed
        self.book = book

    # -- helpers -------------------------------------------------------------------------
    def add(self, code: str, message: str, sheet: str = "", cell: str = "", value: Any = "") -> None:
        self.p.findings.append(
            fd.make(
                code,
                message,
                file=self.p.name,
                unit=self.p.unit_code or "",
                sheet=sheet,
                cell=cell,
                value=value,
            )
        )
        if cell and fd.RULES[code].severity == fd.ERROR:
            self.p.flagged_cells.add((sheet, cell))

    def number(self, sheet: SheetData, cell: str, label: str) -> int | None:
        """Parse a count or amount; `label` names it in messages ("Số trẻ em nữ")."""
        raw = sheet.get(cell)
        # fast paths for the common cases: a blank cell, a whole number typed as a number
        if raw is None:
            if cell not in sheet.errors and cell not in sheet.formulas_without_value:
                return None
        elif raw.__class__ is float and raw.is_integer() and 0 <= raw <= self.form.limits.max_number:
            return int(raw)
        if raw is None and cell in sheet.errors:
            self.add(
                "NUMBER_INVALID",
                f"{label}: ô có lỗi {sheet.errors[cell]} (công thức tính sai hoặc dữ liệu không "
                "phải số); hãy sửa lại và gõ số",
                sheet.name,
                cell,
                sheet.errors[cell],
            )
            return None
        if raw is None and cell in sheet.formulas_without_value:
            self.add(
                "FORMULA_NO_VALUE",
                f"ô {cell} chứa công thức nhưng không có giá trị; hãy mở bằng Excel và lưu lại",
                sheet.name,
                cell,
            )
            return None
        value, problem, was_text = parse_int(raw, self.form.limits.max_number)
        if problem and problem[0] != "NUMBER_NEGATIVE":
            self.add(problem[0], f"{label}: '{fd.show(raw)}' {problem[1]}", sheet.name, cell, raw)
            return None
        if was_text and problem is None and value is not None:
            self.add(
                "NUMBER_FROM_TEXT",
                f"số được gõ dưới dạng chữ '{fd.show(raw)}', đã đọc là {fd.show(value)}; "
                "lần sau hãy gõ số không có dấu phân cách",
                sheet.name,
                cell,
                raw,
            )
        return value

    # -- steps ---------------------------------------------------------------------------
    def run(self) -> None:
        form, book = self.form, self.book
        if not self._template_ok():
            return
        missing = [s for s in wanted_sheets(form) if s not in book.sheets]
        template_sheets = {*form.sheets.values(), *wanted_sheets(form)}
        strangers = [n for n in book.sheet_names if n not in template_sheets]
        for s in missing:
            self.add("SHEET_MISSING", missing_sheet_message(s, strangers), s)
        if missing:
            return
        visible_form_sheets = [form.sheets["info"], *(b.sheet for b in form.blocks.values())]
        for s in visible_form_sheets:
            if s in book.hidden:
                self.add("SHEET_HIDDEN", f"trang '{s}' đang bị ẩn; số liệu vẫn được đọc", s)
        order = [n for n in book.sheet_names if n in visible_form_sheets]
        if order != [s for s in visible_form_sheets if s in order]:
            self.add(
                "SHEET_ORDER",
                "thứ tự các trang khác mẫu gốc; số liệu vẫn được đọc theo tên trang",
            )
        unit = self._info()
        if unit is None:
            return
        for block in form.blocks.values():
            self.p.rows[block.key] = self._block(block, unit)
        self.p.declared_empty = declared_blocks(form, self.book.sheets)
        # identical data (whatever the report date) => identical key: one submission
        info = {k: v for k, v in (self.p.info_row or {}).items() if k != "report_date"}
        self.p.content_key = hashlib.blake2b(repr((info, self.p.rows)).encode(), digest_size=16).hexdigest()

    def _template_ok(self) -> bool:
        form, book = self.form, self.book
        meta = book.sheets.get(form.sheets["meta"])
        if meta is None:
            self.add(
                "TEMPLATE_UNKNOWN",
                "tệp không phải mẫu báo cáo của chương trình (không có dấu nhận biết mẫu); "
                "hãy dùng mẫu do Sở gửi",
            )
            return False
        form_id = parse_text(meta.get(meta_cell("form_id")))
        version = parse_text(meta.get(meta_cell("version")))
        claimed = parse_text(meta.get(meta_cell("unit_code")))
        if form_id == form.id and claimed in form.units_by_code:
            self.p.unit_code = claimed  # known even if the file is rejected below
        if form_id != form.id:
            self.add(
                "TEMPLATE_UNKNOWN",
                f"tệp là mẫu '{form_id or '?'}', không phải mẫu '{form.id}' của chương trình",
                form.sheets["meta"],
                meta_cell("form_id"),
                form_id,
            )
            return False
        if version not in form.accepted_versions:
            self.add(
                "TEMPLATE_OLD",
                f"tệp dùng mẫu phiên bản {version or '?'}, không còn được nhận; hãy tải mẫu mới "
                f"(phiên bản {form.version}) và điền lại",
                form.sheets["meta"],
                meta_cell("version"),
                version,
            )
            return False
        return True

    def _check_label(
        self, sheet: SheetData, cell: str, expected: str, labels: list[tuple[str, str]] | None = None
    ) -> bool:
        """True when `cell` holds `expected`; else a LAYOUT_CHANGED finding that says what moved.

        `labels` are all the (cell, label) pairs of this part of the sheet: their common shift
        tells inserted or deleted rows and columns apart from an edited label."""
        found = sheet.get(cell)
        if isinstance(found, str) and norm_text(found) == norm_text(expected):
            return True  # the common case, without the full text clean-up
        if norm_text(parse_text(found)) == norm_text(expected):
            return True
        shift = layout_shift(sheet.rows, labels or [(cell, expected)])
        message = shift_message(cell, expected, fd.show(found), shift)
        self.add("LAYOUT_CHANGED", message, sheet.name, cell, found)
        return False

    def _merged_over(self, sheet: SheetData, span: CellSpan) -> bool:
        if not sheet.merged or not span.targets:
            return False
        if all(r1 < span.low or r0 > span.high for (r0, _c0), (r1, _c1) in sheet.merged):
            return False  # no merged range reaches the rows of the input cells
        for (r0, c0), (r1, c1) in sheet.merged:
            for r, c in span.targets:
                if r0 <= r <= r1 and c0 <= c <= c1:
                    top = f"{col_letter(c0)}{r0 + 1}"
                    bottom = f"{col_letter(c1)}{r1 + 1}"
                    self.add(
                        "MERGED_INPUT",
                        f"các ô {top}:{bottom} bị gộp, che mất ô nhập liệu; hãy bỏ gộp ô và điền lại",
                        sheet.name,
                        top,
                    )
                    return True
        return False

    def _info(self) -> Unit | None:
        form = self.form
        sheet = self.book.sheets[form.sheets["info"]]
        labels = [(line.label_cell, line.field.label) for line in info_sheet(form).rows]
        ok = all(self._check_label(sheet, cell, label, labels) for cell, label in labels)
        if not ok:
            return None
        if self._merged_over(sheet, info_plan(form)):
            return None
        row: dict[str, Any] = {}
        for f in form.info_fields:
            raw = sheet.get(f.cell)
            if f.type in ("count", "year"):
                row[f.key] = self.number(sheet, f.cell, f.label)
            elif f.type == "date":
                value, problem = parse_date(raw)
                if problem:
                    self.add(problem[0], f"{f.label}: '{fd.show(raw)}' {problem[1]}", sheet.name, f.cell, raw)
                row[f.key] = value
            else:
                text = parse_text(raw)
                if len(text) > form.limits.max_text_chars:
                    self.add(
                        "TEXT_TOO_LONG",
                        f"nội dung dài {fd.show(len(text))} ký tự, tối đa {fd.show(form.limits.max_text_chars)}",
                        sheet.name,
                        f.cell,
                    )
                    text = text[: form.limits.max_text_chars]
                row[f.key] = text or None
        self.p.info_row = row
        code = row.get("unit_code")
        template_unit = self.p.unit_code  # the unit the template was made for (hidden marker)
        # (an unknown code is reported by validation as UNIT_UNKNOWN, the clearer message)
        if code in form.units_by_code and template_unit and code != template_unit:
            self.add(
                "UNIT_MISMATCH",
                f"mã đơn vị '{code}' khác với mã của mẫu ({template_unit}); ô này đã bị sửa. "
                f"Hãy dùng đúng mẫu của đơn vị mình và không sửa mã đơn vị",
                sheet.name,
                form.info_field("unit_code").cell,
                code,
            )
        self.p.unit_code = code
        self.p.report_date = row.get("report_date")
        unit = form.units_by_code.get(code or "")
        if unit is None:
            # Unknown unit: validation reports it; the layout cannot be chosen.
            return None
        return unit

    def _block(self, block: Block, unit: Unit) -> list[Record]:
        form = self.form
        sheet = self.book.sheets[block.sheet]
        plan = block_plan(form, block, unit)
        # geometry: column headers, the "(1)" numbering, fixed row labels, the total label
        rows = sheet.rows
        for cell, expected, r, c in plan.labels:
            found = rows[r][c] if r < len(rows) and c < len(rows[r]) else None
            if found != expected and not self._check_label(
                sheet, cell, expected, [(a, b) for a, b, _r, _c in plan.labels]
            ):
                return []
        if self._merged_over(sheet, plan.inputs):
            return []
        out: list[Record] = []
        columns = {kf.key: kf.column for kf in block.key_fields} | block.grid.columns
        own_region = unit.region if block.rows_by_unit_region else None
        sums = dict.fromkeys(plan.measure_keys, 0)
        row_totals: list[tuple[RowPlan, dict[str, int | None]]] = []
        odd_cells = sheet.errors.keys() | sheet.formulas_without_value
        odd_rows = {row_of(c) for c in odd_cells}
        blank = dict.fromkeys(plan.measure_keys)
        first_col, last_col = plan.span
        max_number = form.limits.max_number
        for rp in plan.rows:
            if rp.row not in odd_rows and sheet.blank_span(rp.row, first_col, last_col):
                row_totals.append((rp, blank))  # an unused row: nothing to read
                continue
            row = rows[rp.row - 1] if rp.row <= len(rows) else []
            values: dict[str, int | None] = {}
            for key, cell, label, col in rp.measures:
                raw = row[col] if col < len(row) else ""
                # fast paths, the common cases: a whole number typed as a number, a blank cell
                if raw.__class__ is float and raw.is_integer() and 0 <= raw <= max_number:
                    values[key] = int(raw)
                elif raw == "" and cell not in odd_cells:
                    values[key] = None
                else:
                    values[key] = self.number(sheet, cell, label)
            key: dict[str, Any] = dict(rp.fixed)
            blank_keys = []
            for kf, cell in rp.key_cells:
                raw = parse_text(sheet.get(cell))
                if not raw:
                    blank_keys.append((kf, cell))
                key[kf.key] = (
                    (form.code_for(kf.key, raw) or self._nearest(kf, raw, sheet.name, cell)) if raw else None
                )
            has_numbers = False
            for k, v in values.items():
                if v is not None:
                    sums[k] += v
                    has_numbers = True
            row_totals.append((rp, values))
            if not has_numbers:
                continue
            for kf, cell in blank_keys:
                self.add(
                    "ROW_KEY_MISSING",
                    fd.RULES["ROW_KEY_MISSING"].say(row=rp.row, label=kf.label.lower()),
                    sheet.name,
                    cell,
                )
            if blank_keys:
                continue
            out.append(Record(block.key, rp.row, key, values, own_region, columns))
        self._cached_totals(plan, sheet, sums, row_totals)
        return out

    def _nearest(self, kf: KeyField, raw: str, sheet: str, cell: str) -> str:
        """A name not listed as typed: the listed one it is close to (a warning), else as typed."""
        hit = nearest.read_as(self.form, kf.key, raw)
        if hit.code is None:
            return raw  # validation reports it, naming the nearest choices
        self.add("NAME_READ_AS", nearest.read_as_message(kf.label, raw, hit), sheet, cell, raw)
        return hit.code

    def _cached_totals(
        self,
        plan: BlockPlan,
        sheet: SheetData,
        sums: dict[str, int],
        row_totals: list[tuple[RowPlan, dict[str, int | None]]],
    ) -> None:
        """Compare totals cached in the file with the totals recomputed from its inputs."""
        expected = [(cell, r, c, sums[key]) for key, cell, r, c in plan.total_measure_cells]
        for sum_of, cell, r, c in plan.total_row_cells:
            expected.append((cell, r, c, sum(sums[k] for k in sum_of)))
        for rp, values in row_totals:
            for sum_of, cell, r, c in rp.totals:
                expected.append((cell, r, c, sum(values[k] or 0 for k in sum_of)))
        rows = sheet.rows
        for cell, r, c, want in expected:
            cached = rows[r][c] if r < len(rows) and c < len(rows[r]) else ""
            if cached == "":
                if cell not in sheet.errors:
                    continue
                cached = sheet.errors[cell]
            elif cached.__class__ is float and cached == want:
                continue  # the common case: the cached total is right
            if is_blank(cached):
                continue
            got, problem, _ = parse_int(cached, 10**30)
            if problem is None and got == want:
                continue
            self.add(
                "TOTAL_MISMATCH",
                f"tổng ghi trong tệp là {fd.show(cached)} nhưng tính lại từ các ô nhập là "
                f"{fd.show(want)}; chương trình dùng số tính lại",
                sheet.name,
                cell,
                cached,
            )
