"""One finding type for every problem the pipeline reports, and the rule catalogue.

A finding says which file, which unit, where (sheet and cell as Excel shows them), which
rule, how serious, what was found, and a Vietnamese message a district officer can act on.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

ERROR = "error"
WARNING = "warning"

SEVERITY_VI = {ERROR: "Lỗi", WARNING: "Cảnh báo"}


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    title: str  # short Vietnamese title, shown in tables


# Stable rule codes. Errors reject the file; warnings let it in and are listed.
RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        # the file itself
        Rule("FILE_NOT_REPORT", ERROR, "Không phải tệp báo cáo"),
        Rule("FILE_EMPTY", ERROR, "Tệp rỗng"),
        Rule("FILE_CORRUPT", ERROR, "Tệp bị hỏng"),
        Rule("FILE_ENCRYPTED", ERROR, "Tệp có mật khẩu"),
        Rule("FILE_TOO_LARGE", ERROR, "Tệp vượt giới hạn"),
        Rule("FILE_UNSAFE", ERROR, "Tệp có nội dung không an toàn"),
        Rule("FILE_FORMAT", ERROR, "Định dạng không đọc được"),
        # the template
        Rule("TEMPLATE_UNKNOWN", ERROR, "Không phải mẫu báo cáo"),
        Rule("TEMPLATE_OLD", ERROR, "Mẫu cũ"),
        Rule("SHEET_MISSING", ERROR, "Thiếu trang"),
        Rule("SHEET_HIDDEN", WARNING, "Trang bị ẩn"),
        Rule("SHEET_ORDER", WARNING, "Thứ tự trang bị thay đổi"),
        Rule("LAYOUT_CHANGED", ERROR, "Bố cục bị thay đổi"),
        Rule("MERGED_INPUT", ERROR, "Ô nhập liệu bị gộp"),
        # identity and required fields
        Rule("UNIT_UNKNOWN", ERROR, "Mã đơn vị không có trong danh sách"),
        Rule("UNIT_MISMATCH", ERROR, "Mã và tên đơn vị không khớp"),
        Rule("YEAR_MISMATCH", ERROR, "Sai năm báo cáo"),
        Rule("REQUIRED_MISSING", ERROR, "Thiếu thông tin bắt buộc"),
        # values
        Rule("NUMBER_INVALID", ERROR, "Không phải số"),
        Rule("NUMBER_NOT_INTEGER", ERROR, "Không phải số nguyên"),
        Rule("NUMBER_NEGATIVE", ERROR, "Số âm"),
        Rule("NUMBER_TOO_LARGE", ERROR, "Số quá lớn"),
        Rule("NUMBER_FROM_TEXT", WARNING, "Số được gõ dưới dạng chữ"),
        Rule("FORMULA_NO_VALUE", ERROR, "Công thức không có giá trị"),
        Rule("DATE_INVALID", ERROR, "Ngày không hợp lệ"),
        Rule("TEXT_TOO_LONG", ERROR, "Nội dung quá dài"),
        # results rows
        Rule("REGION_UNKNOWN", ERROR, "Địa bàn không có trong danh sách"),
        Rule("CATEGORY_UNKNOWN", ERROR, "Nội dung hỗ trợ không có trong danh sách"),
        Rule("REGION_NOT_OWN", ERROR, "Địa bàn không thuộc đơn vị"),
        Rule("ROW_KEY_MISSING", ERROR, "Dòng thiếu địa bàn hoặc nội dung"),
        Rule("ROW_DUPLICATE", ERROR, "Dòng trùng lặp"),
        Rule("MEASURE_AT_MOST", ERROR, "Số 'trong đó' lớn hơn tổng số"),
        Rule("MEASURE_AT_LEAST", ERROR, "Số lượt nhỏ hơn số trẻ em"),
        Rule("VALUE_MISSING", WARNING, "Có trẻ em nhưng không có giá trị"),
        Rule("CHILDREN_MISSING", WARNING, "Có giá trị nhưng không có trẻ em"),
        # empty blocks and the "nothing to report" declaration
        Rule("BLOCK_EMPTY", ERROR, "Báo cáo trống"),
        Rule("BLOCK_DECLARED_NOT_EMPTY", WARNING, "Đã đánh dấu không có số liệu nhưng có số liệu"),
        # names read as the nearest listed one
        Rule("NAME_READ_AS", WARNING, "Tên được đọc theo danh sách"),
        # totals and plausibility
        Rule("TOTAL_MISMATCH", WARNING, "Tổng trong tệp không khớp"),
        Rule("SUPPORT_EXCEEDS_RESOURCES", WARNING, "Giá trị hỗ trợ vượt nguồn lực"),
        Rule("OUTLIER_LAST_YEAR", WARNING, "Chênh lệch lớn so với năm trước"),
        Rule("IMPLAUSIBLE_VALUE", WARNING, "Số liệu khó tin"),
        Rule("LOOKS_LIKE_DATE", WARNING, "Số giống một ngày tháng"),
        Rule("LOOKS_LIKE_PHONE", WARNING, "Số giống số điện thoại"),
        # how the file came: messages, archives, dates and senders (issue #12)
        Rule("MAIL_NO_REPORT", WARNING, "Thư không có tệp báo cáo"),
        Rule("ARCHIVE_NESTED", ERROR, "Tệp nén lồng nhau"),
        Rule("DATE_AFTER_ARRIVAL", WARNING, "Ngày báo cáo sau ngày nhận"),
        Rule("DATE_IN_FUTURE", WARNING, "Ngày báo cáo sau ngày hôm nay"),
        Rule("DATE_BEFORE_PERIOD", WARNING, "Ngày báo cáo trước kỳ báo cáo"),
        Rule("SENDER_UNLISTED", WARNING, "Người gửi không có trong danh sách"),
    )
}


@dataclass(frozen=True)
class Finding:
    file: str
    unit: str
    sheet: str
    cell: str
    code: str
    severity: str
    value: str
    message: str

    @property
    def where(self) -> str:
        return where(self.sheet, self.cell)

    @property
    def title(self) -> str:
        """The rule's Vietnamese title, what people see instead of the code."""
        rule = RULES.get(self.code)
        return rule.title if rule else self.code

    @property
    def label(self) -> str:
        """Severity and title as shown before a message: "Lỗi – Số âm"."""
        return f"{SEVERITY_VI.get(self.severity, self.severity)} – {self.title}"

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "title": self.title, "where": self.where}


def where(sheet: str, cell: str) -> str:
    """Location as Excel shows it: "Trang 'Kết quả', ô F12"."""
    if sheet and cell:
        return f"Trang '{sheet}', ô {cell}"
    if sheet:
        return f"Trang '{sheet}'"
    return "Toàn tệp"


def show(value: Any) -> str:
    """A value found in a cell, as it is shown in a message."""
    if value is None or value == "":
        return "(trống)"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    if isinstance(value, float):
        if not value.is_integer():
            return repr(value).replace(".", ",")  # Vietnamese decimal comma: 1,5
        return f"{int(value):,}".replace(",", ".")
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def make(
    code: str,
    message: str,
    *,
    file: str = "",
    unit: str = "",
    sheet: str = "",
    cell: str = "",
    value: Any = "",
) -> Finding:
    """Build a finding; the location is prefixed to the message so it always says where."""
    rule = RULES[code]
    loc = where(sheet, cell)
    return Finding(
        file=file,
        unit=unit,
        sheet=sheet,
        cell=cell,
        code=code,
        severity=rule.severity,
        value=show(value) if value != "" else "",
        message=f"{loc}: {message}",
    )
