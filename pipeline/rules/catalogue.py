"""Every rule of the pipeline, one entry each (`RULES`), and a rule applied to a place (`Bound`).

A rule is one `Rule`: its stable code, severity (errors reject the file, warnings let it in
and are listed), Vietnamese title (shown in tables), the Vietnamese message template filled
for a failing record, the text the template's live checks show, and what it checks (a
`rulekinds.Kind`: the pandas check, the spreadsheet formula, the message's facts). A rule
without a kind is checked while the file is read (`reader.py`, `extract.py`, `intake.py`,
`containers.py`), which writes its message there from what it read; some rules with a kind
are also reported while reading (a blank key on a row with figures, a name read as a
listed one).

A `Bound` applies a rule to a place: the field the finding points at, the other fields it
reads, the parameters as data (`rulebind.py` for the form's cells; `plausible.py`,
`emptiness.py`, `history.py` and `arrival.py` for theirs). The pandera schemas
(`ruleschema.py`) and the template's live checks (`livechecks.py`) are both built from
bound rules; no other module keeps a list of rules.

Beside the rules: which findings explain which, and how far apart they may be
(`EXPLAINED_BY`), and how to fix a finding of each rule (`FIXES`, Vietnamese, over the facts
`FIX_FACTS`); `fixes.py` applies both, for the letters and the feedback workbook.

To add a rule: add its entry to `RULES` (with a kind from `rulekinds.py`, or a new kind
there), its "cách sửa" to `FIXES` (an error rule without one must be listed in
`WITHOUT_FIX`, with why: `tests/test_letters_fix.py`), bind it where it applies, and add its
case to `tests/test_rules.py` (`CASES`).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from ..form import FormError
from ..text.values import NUMBER_EXAMPLE
from . import kinds as k
from . import recordkinds as rk

ERROR = "error"
WARNING = "warning"

SEVERITY_VI = {ERROR: "Lỗi", WARNING: "Cảnh báo"}


@dataclass(frozen=True)
class Rule:
    """One rule: see the module docstring. `message` and `live` are `str.format` templates
    over the facts of a failing record (`rulekinds`) and the binding's parameters."""

    code: str
    severity: str
    title: str
    kind: k.Kind | None = None
    message: str = "{title} (giá trị: {value})"
    live: str = ""
    guess: bool = False
    """Whether the live check says `DOT_GUESS` after `live` where the cell's value is what a
    dot-thousands entry on a PC with US settings makes (`text.values.dot_thousands`)."""

    @property
    def fix(self) -> tuple[str, ...]:
        """How to fix a finding of this rule (`FIXES`): templates over `FIX_FACTS`, the first
        whose facts are all known is said (`rules/fixes.py`); () when it has none."""
        return FIXES.get(self.code, ())

    def say(self, **facts: Any) -> str:
        """The message for a failing record's facts."""
        return self.message.format(title=self.title, **facts)

    @cached_property
    def params(self) -> frozenset[str]:
        """The parameters a binding of this rule must give (`bind` checks them): what its
        kind's engines read (`Kind.needs`), every placeholder of its live text, and the
        placeholders of its message that its kind's facts do not give. A rule checked while
        reading (no pandas check) has its message worded by the reader, not from these."""
        return self.check_params | _placeholders(self.live)

    @property
    def check_params(self) -> frozenset[str]:
        """The parameters the pipeline's check of this rule reads: `params` without the
        placeholders only its live text names."""
        kind = self.kind
        need: set[str] = set()
        if kind is not None:
            need |= set(kind.needs)
            if kind.passes is not None and not kind.from_record:
                need |= _placeholders(self.message) - set(kind.gives) - {"title"}
        return frozenset(need)


def _placeholders(template: str) -> set[str]:
    """The names a `str.format` template fills ("{a} {b[0]}" -> {"a", "b"})."""
    names = (f for _, f, _, _ in string.Formatter().parse(template) if f)
    return {f.split(".")[0].split("[")[0] for f in names}


class RuleBindError(FormError):
    """A rule bound without a parameter its checks or texts need (a configuration error)."""


# SENDER_UNLISTED's owner and advice (`check/arrival.py`): the address is another unit's
# (that unit may have filled the wrong unit's template: its figures counted for the
# template's unit), or no unit's (forwarding is common)
SENDER_OWNER = " (địa chỉ của {owner})"
SENDER_ADVICE = {
    "other_unit": "Tệp được tính cho {unit_name} theo mẫu đã điền; nếu đây là báo cáo của {owner} thì "
    "{owner} đã điền nhầm mẫu của đơn vị khác: đề nghị điền mẫu của {owner} và gửi lại",
    "unknown": "Thư chuyển tiếp vẫn được nhận; hãy kiểm tra người gửi",
}


# TOTAL_MISMATCH's {why}, by what the total cell holds (`read/blockread.py`): the template's
# formula with a result stored before an input changed (a writer that does not
# recalculate), or what the unit typed over the formula (a number, or text), or a formula
# calculated after every figure was typed (`read/witness.py`): not the template's formula;
# or the "Tổng cộng" of row totals, one of which was typed over
TOTAL_WHY = {
    "formula": "(nếu mở tệp thấy ô này là {recomputed} thì tệp đã được lưu mà chưa tính lại công thức, "
    "không cần sửa)",
    "typed": "(ô tổng tự tính nhưng đã bị gõ đè; hãy xoá nội dung đã gõ ở ô này, hoặc dán lại công thức "
    "từ mẫu gốc, để ô tự tính lại)",
    "changed": "(tệp đã được tính lại sau khi nhập số liệu, nên công thức ở ô tổng này đã bị sửa hoặc khác "
    "mẫu gốc; hãy dán lại công thức từ mẫu gốc, hoặc tải mẫu gốc và điền lại)",
    "adds": "(ô này cộng tổng của từng dòng ở trên, trong đó có ô đã bị gõ đè: sửa các ô đó là đủ)",
}

# TOTALS_UNCALCULATED's message (`FileReading.said_stale_totals`): two or more totals of a
# file hold a formula's stored 0 while their inputs hold figures, said once for the file.
# A writer that fills cells and saves without calculating (ExcelJS, SheetJS, many phone
# apps and web forms) keeps the blank template's results; ExcelJS also drops the template's
# names that hold formulas, so its totals stay 0 wherever the file is opened; a unit may
# have replaced the formulas. Which it is, only opening the file tells: said both ways
TOTALS_UNCALCULATED = (
    "{count} ô tổng trong tệp ghi 0 dù các ô nhập đã có số ({cells}); chương trình dùng tổng tính lại từ "
    "các ô nhập. Nếu mở tệp bằng Excel hay LibreOffice thấy các ô này đã đúng thì tệp chỉ được lưu mà chưa "
    "tính lại công thức (thường do phần mềm hay ứng dụng điện thoại ghi tệp), không cần sửa; nếu vẫn là 0 "
    "thì công thức của mẫu đã bị sửa hoặc hỏng: hãy điền lại số liệu vào mẫu gốc bằng Excel hoặc LibreOffice"
)

# TOTALS_NO_FORMULA's message (`FileReading.said_totals`): two or more totals of a file
# differ from the recomputed ones and none of the file's total cells holds a formula any
# more: the program that saved it dropped the template's formulas (SheetJS writing .xls or
# .xlsb keeps their stored results as plain numbers), or they were pasted over as values;
# said once for the file, not once per total as typed over (brk51 F3)
TOTALS_NO_FORMULA = (
    "{count} ô tổng trong tệp khác tổng tính lại từ các ô nhập ({cells}), và không ô tổng nào trong tệp "
    "còn công thức của mẫu: chương trình đã lưu tệp (thường là phần mềm hay ứng dụng ghi tệp .xls, .xlsb) "
    "đã bỏ mất các công thức, hoặc các ô tổng đã bị dán đè bằng số; chương trình dùng tổng tính lại từ các "
    "ô nhập, không cần sửa. Lần sau hãy điền số liệu vào mẫu gốc bằng Excel hoặc LibreOffice"
)


E, W = ERROR, WARNING

# The template's guess at a number a PC with US settings read from a dot-thousands entry
# (`Rule.guess`): "513.000" typed, 513 read; "1.350" typed, 1,35 read. `{typed}` (what was
# likely typed) and `{plain}` (what to type) are filled by the template's formulas from the
# cell (`render.livechecks`), not by a binding.
DOT_GUESS = (
    ": nếu đã gõ '{typed}' mà máy đọc dấu ngăn hàng nghìn thành dấu thập phân, số đúng có lẽ là {typed}: "
    "hãy gõ lại {plain}"
)
# NUMBER_FROM_TEXT: what to do about a whole number typed as text, by how it was typed (the
# reader tells them apart: `read/reading.py` `typed_as`); `{digits}`: the number read, in digits alone. The
# template's live check sees only that the cell holds text, and says "any", which fits all.
# An advice that names the digits says what to do to the cell now, and is the finding's "cách
# sửa" too (`FIXES`, fact "advice": `fixes.fix_facts`); the others say what to do next time,
# and the fix is to type the digits again.
TEXT_NUMBER_ADVICE: dict[str, str] = {
    "any": "chỉ gõ số vào ô định dạng Số, không có dấu phân cách, khoảng trắng, số 0 hay dấu ' ở đầu "
    + NUMBER_EXAMPLE,
    "text": "ô đang định dạng Văn bản (Text) hoặc số có dấu ' ở đầu: hãy đổi định dạng ô sang Số "
    "(Định dạng ô → Số) rồi gõ lại {digits}",
    "zeros": "số có chữ số 0 ở đầu nên ô giữ thành chữ (ô định dạng Văn bản hoặc có dấu ' ở đầu): hãy "
    "đổi định dạng ô sang Số rồi gõ lại {digits}, không có số 0 ở đầu",
    "spaces": "có khoảng trắng trước hoặc sau số (thường do dán từ nơi khác): hãy xóa ô rồi gõ lại "
    "{digits}, chỉ chữ số",
    "separators": "lần sau hãy gõ số không có dấu phân cách",
    "unit": "lần sau hãy chỉ gõ số, không kèm đơn vị (đồng, đ, VND)",
    "other": "số có ký tự lạ (chữ số toàn khổ hay ký tự ẩn, thường do dán từ nơi khác): hãy xóa ô rồi "
    "gõ lại {digits} bằng bàn phím",
    "formula": 'ô có công thức cho kết quả dạng chữ (như ="272000" hay ghép chữ bằng &): hãy xóa công '
    "thức rồi gõ {digits}",
}
# FORMULA_NO_VALUE: what the file stores as the result of a formula in an input cell
# (`read/reading.py` `FileReading.number`), as (stored, otherwise) of the rule's message:
# no result at all ("none"), or a 0 ("zero") that a library which does not calculate
# stores (Apache POI, XlsxWriter, SheetJS), and that Excel and LibreOffice replace by the
# formula's figure when they calculate the file, or a blank ("blank") one stores for a
# formula of a number. In a biểu's row either is told when a total the file holds counts
# the formula otherwise (a TOTAL_MISMATCH: the application that saved it calculated the
# total with a figure there), or when no total counting it holds a calculated result at
# all (nothing vouches for it) (`read/blockread.py`): Excel and LibreOffice store the
# empty text of `=IF(D10=0;"";D10)` as a blank (as 0 in LibreOffice's .xls), which their
# totals agree with; a row holding only formulas' zeros is an unused row. A 0 in a count
# of the information sheet (no total to judge by) is told always. A formula whose figure
# really is 0 reads alike, so the unit is told what to type then. Any stored result
# ("stale", `{value}`: the result stored) is no figure in a file saved without recalculating
# after an input changed (`FileReading.said_unvouched`): it may be older than its inputs.
FORMULA_STORED: dict[str, tuple[str, str]] = {
    "none": ("không có giá trị", ""),
    "zero": (
        "kết quả lưu trong tệp là 0, có thể do chương trình đã lưu tệp không tính công thức",
        "; nếu số đúng là 0, hãy gõ 0",
    ),
    "blank": (
        "kết quả lưu trong tệp để trống, có thể do chương trình đã lưu tệp không tính công thức",
        "; nếu ô không có số liệu, hãy xóa công thức",
    ),
    "stale": (
        "kết quả lưu trong tệp ({value}) có thể đã cũ: tệp được lưu mà chưa tính lại công thức sau khi "
        "số liệu thay đổi, nên Excel hay LibreOffice có thể hiện số khác",
        "",
    ),
}
# LAYOUT_CHANGED: what moved, said of the first label of a sheet (in the order the reader
# checks them: `form.sheets.label_cells`) not where the form puts it, from the shift most
# labels moved by ("moved", its "what" by the shift's direction), or without one
# ("changed"). SHEET_MISSING: a form's sheet not found under its name ("renamed", naming
# the sheets of the file that are not the form's; "deleted" when there are none). The
# template's own check of its layout (`render/layoutchecks.py`) says the same words over
# what its formulas see ("renamed_unnamed": renamed, where a spreadsheet cannot tell the new
# name); the reader's (`read/layoutdiag.py`) are the same (`tests/test_live9_layout.py`).
# a mark moved is put back by undoing the edit: inserting or deleting other cells, or cutting,
# copying or typing the grey text back, leaves the figures where the edit moved them (brk17 F2,
# brk18 F1), and neither the reader nor the template can see it then
_NO_PUT_BACK = (
    "đừng chèn, xóa ô khác hay cắt, dán, gõ lại dòng chữ xám để đưa nó về chỗ cũ: số liệu vẫn nằm sai chỗ"
)
LAYOUT_WORDS: dict[str, str] = {
    "moved": "bố cục trang đã bị thay đổi: '{expected}' phải ở ô {cell} nhưng đang ở ô {where}, "
    "tức là {what}. {fix}",
    "changed": "bố cục trang đã bị thay đổi: ô {cell} phải là '{expected}' nhưng là '{found}' (nội dung "
    "đã bị sửa hoặc xóa). Không sửa các ô tiêu đề, không thêm, xóa dòng hay cột. {fix}",
    "rows_inserted": "có {n} dòng đã được chèn thêm phía trên dòng {row}",
    "rows_deleted": "có {n} dòng đã bị xóa phía trên dòng {row}",
    "columns_inserted": "có {n} cột đã được chèn thêm bên trái cột {column}",
    "columns_deleted": "có {n} cột đã bị xóa bên trái cột {column}",
    # a column's end mark moved, the labels beside it not: cells of that column alone
    "cells_inserted": "có {n} ô đã được chèn vào cột {column} ở dòng {row} hoặc phía trên, đẩy các ô "
    "bên dưới xuống (hoặc {n} dòng được chèn ngay trên dòng {row}), nên nội dung có thể không còn nằm "
    "đúng dòng của nó; " + _NO_PUT_BACK,
    "cells_deleted": "có {n} ô ở cột {column} phía trên dòng {row} đã bị xóa, kéo các ô bên dưới lên, nên "
    "nội dung không còn nằm đúng dòng của nó; " + _NO_PUT_BACK,
    # a data row's mark moved, the heading row's not: cells of that row alone
    # (where in the row is not known: a cell at the row total or at the mark moves no figure)
    "row_cells_inserted": "có {n} ô đã được chèn vào dòng {row} ở cột {column} hoặc bên trái, đẩy các ô bên "
    "phải sang phải, nên số liệu của dòng có thể không còn nằm đúng cột của nó; " + _NO_PUT_BACK,
    "row_cells_deleted": "có {n} ô ở dòng {row} bên trái cột {column} đã bị xóa, kéo các ô bên phải sang "
    "trái, nên số liệu của dòng có thể không còn nằm đúng cột của nó; " + _NO_PUT_BACK,
    # a data row's mark put back after its row's cells were shifted: the formula mark shows
    # the layout's `row_mark_moved` (cut and pasted, copied from another row), or the mark's
    # text was typed or pasted as a value (the reader alone tells: no formula all three
    # applications share says whether a cell holds a formula)
    "row_put_back": "bố cục trang đã bị thay đổi: ô {cell} phải là '{expected}' nhưng là '{found}', tức là "
    "dòng chữ xám này đã được cắt, dán hay sao chép từ chỗ khác, hoặc có ô ở dòng {row} đã bị chèn, xóa rồi "
    "được đưa về chỗ cũ, nên số liệu của dòng có thể không còn nằm đúng cột của nó; khi sao chép hay di "
    "chuyển số liệu, chỉ chọn các ô nền vàng. {fix}",
    "row_typed": "bố cục trang đã bị thay đổi: '{expected}' ở ô {cell} đã được gõ hoặc dán lại dưới dạng chữ "
    "(ô này của mẫu là công thức), tức là có thể có ô ở dòng {row} đã bị chèn hoặc xóa rồi dòng chữ xám được "
    "đưa về chỗ cũ, nên số liệu của dòng có thể không còn nằm đúng cột của nó; khi dán giá trị (Paste "
    "Special), chỉ chọn các ô nền vàng. {fix}",
    "block_moved": "bảng đã bị di chuyển sang vị trí khác",
    "fix": "Hãy hoàn tác thay đổi đó, hoặc tải mẫu gốc và điền lại",
}
SHEET_WORDS: dict[str, str] = {
    "renamed": "không tìm thấy trang '{sheet}'; tệp có trang {names} không thuộc mẫu, có thể trang "
    "'{sheet}' đã bị đổi tên. Hãy đổi lại đúng tên '{sheet}', hoặc tải mẫu gốc và điền lại",
    "renamed_unnamed": "không tìm thấy trang '{sheet}'; trang '{sheet}' đã bị đổi tên. Hãy đổi lại đúng "
    "tên '{sheet}', hoặc tải mẫu gốc và điền lại",
    "deleted": "không tìm thấy trang '{sheet}'; trang đã bị xóa. Hãy tải mẫu gốc và điền lại (có thể "
    "chép số liệu từ tệp cũ sang)",
}
_READ_AS = "{message}"
RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        # the file itself
        Rule("FILE_NOT_REPORT", E, "Không phải tệp báo cáo"),
        Rule("FILE_EMPTY", E, "Tệp rỗng"),
        Rule("FILE_CORRUPT", E, "Tệp bị hỏng"),
        Rule("FILE_ENCRYPTED", E, "Tệp có mật khẩu"),
        Rule("FILE_TOO_LARGE", E, "Tệp vượt giới hạn"),
        Rule("FILE_UNSAFE", E, "Tệp có nội dung không an toàn"),
        Rule("FILE_FORMAT", E, "Định dạng không đọc được"),
        # the template
        Rule("TEMPLATE_UNKNOWN", E, "Không phải mẫu báo cáo"),
        Rule("TEMPLATE_OLD", E, "Mẫu cũ"),  # an older version of the configured year's template
        Rule("TEMPLATE_NEWER", E, "Mẫu của năm sau"),  # a later year's template: its configuration
        Rule("TEMPLATE_LAST_YEAR", E, "Mẫu năm trước"),  # an earlier year's: a past period's report
        Rule("SHEET_MISSING", E, "Thiếu trang"),
        Rule("SHEET_HIDDEN", W, "Trang bị ẩn"),
        Rule("SHEET_ORDER", W, "Thứ tự trang bị thay đổi"),
        Rule("LAYOUT_CHANGED", E, "Bố cục bị thay đổi", k.IN_LIST),  # also a preset key not listed
        Rule("MERGED_INPUT", E, "Ô nhập liệu bị gộp"),
        # identity and required fields
        Rule(
            "UNIT_UNKNOWN",
            E,
            "Mã đơn vị không có trong danh sách",
            k.IN_LIST,
            "mã đơn vị '{value}' không có trong danh sách đơn vị báo cáo; hãy dùng mẫu đúng của đơn vị mình",
        ),
        Rule(  # told by the reader (`read.extract.former_code`)
            "UNIT_FORMER_CODE",
            E,
            "Mã đơn vị cũ (trước sắp xếp đơn vị hành chính)",
            message="mã đơn vị '{value}' là mã cũ của {old}, trước {reform}; từ {reform} nơi này "
            "thuộc {new}. Hãy dùng mẫu Sở gửi cho đơn vị mình (mã mới đã ghi sẵn), không sửa mã đơn vị",
        ),
        Rule(  # told by the reader (`read.extract`), checked live by the template
            "UNIT_CODE_CHANGED",
            E,
            "Mã đơn vị bị sửa",
            k.SAME_AS_MARK,
            "mã đơn vị '{value}' khác với mã của mẫu ({expected}); ô này đã bị sửa. Hãy dùng đúng mẫu "
            "của đơn vị mình và không sửa mã đơn vị",
            "mã đơn vị bị sửa, khác mã của mẫu: hãy dùng mẫu Sở gửi cho đơn vị mình, không sửa ô này",
        ),
        Rule(
            "UNIT_MISMATCH",
            E,
            "Mã và tên đơn vị không khớp",
            rk.NAME_MATCHES,
            "tên đơn vị '{value}' không khớp với mã {code} ({registered}){elsewhere}. Hãy để nguyên tên "
            "mẫu ghi sẵn («{registered}»); nếu tệp là của đơn vị khác, dùng mẫu Sở gửi cho đơn vị đó",
        ),
        Rule(  # the typed name an old commune's whose land went to the unit (brk14 F9)
            "UNIT_FORMER_NAME",
            W,
            "Tên đơn vị cũ (trước sắp xếp đơn vị hành chính)",
            rk.FORMER_NAME,
            "tên đơn vị '{value}' là tên cũ: {old}, không còn từ {reform}. Tệp được đọc là của "
            "{registered} (mã {code}) theo mã đơn vị; lần sau hãy để nguyên tên đơn vị mẫu ghi sẵn",
        ),
        Rule(
            "YEAR_MISMATCH",
            E,
            "Sai năm báo cáo",
            k.EQUALS,
            "năm báo cáo là {raw}, nhưng đang tổng hợp năm {expected}; hãy dùng mẫu năm {expected}",
            "năm báo cáo phải là {expected}",
        ),
        Rule(
            "REQUIRED_MISSING",
            E,
            "Thiếu thông tin bắt buộc",
            k.REQUIRED,
            "chưa điền '{label}'; đây là thông tin bắt buộc",
            "chưa điền '{label}' (bắt buộc)",
        ),
        # values
        Rule(
            "NUMBER_INVALID",
            E,
            "Không phải số",
            live="{name}: không đọc được thành số, chỉ gõ số " + NUMBER_EXAMPLE,
        ),
        Rule(
            "NUMBER_NOT_INTEGER",
            E,
            "Không phải số nguyên",
            k.NOT_INTEGER,
            live="{name} không phải số nguyên",
            guess=True,
        ),
        Rule(
            "NUMBER_NEGATIVE",
            E,
            "Số âm",
            k.NEGATIVE,
            "{what} là {value}, phải lớn hơn hoặc bằng 0",
            "{name} là số âm",
        ),
        Rule(
            "MONEY_TOO_SMALL",
            E,
            "Số tiền nhỏ bất thường",
            k.BELOW_MINIMUM,
            "{what} là {value} đồng, dưới {least} đồng: không thể là một khoản hỗ trợ. Nếu đã gõ "
            "'{intended}' (máy đọc dấu ngăn hàng nghìn thành dấu thập phân: máy đặt kiểu số của Mỹ, hay dấu "
            "phẩy trên máy kiểu Việt Nam), máy đã đọc thành {value}; số đúng có lẽ là {intended}: hãy gõ lại "
            "{plain}, không có dấu ngăn",
            "{name} dưới {least} đồng",
            guess=True,
        ),
        Rule(
            "NUMBER_TOO_LARGE",
            E,
            "Số quá lớn",
            live="{name} quá lớn, vượt giới hạn của mẫu: hãy kiểm tra và gõ lại số",
        ),
        Rule(
            "NUMBER_FROM_TEXT",
            W,
            "Số được gõ dưới dạng chữ",
            message="số được gõ dưới dạng chữ '{value}', đã đọc là {number}; {advice}",
            live="{name} gõ dưới dạng chữ: " + TEXT_NUMBER_ADVICE["any"],
        ),
        Rule(
            "FORMULA_NO_VALUE",
            E,
            "Công thức không có giá trị",
            message="ô {cell} chứa công thức nhưng {stored}; hãy mở tệp bằng Excel hoặc LibreOffice để "
            "tính lại rồi lưu, hoặc gõ số thay cho công thức{otherwise}",
        ),
        Rule(
            "FORMULA_TEXT_LOST",
            E,
            "Kết quả công thức dạng chữ bị mất",
            message="công thức trong ô có thể cho kết quả dạng chữ, nhưng tệp .xls chỉ lưu số 0 thay "
            "cho kết quả đó (LibreOffice lưu như vậy ở ô định dạng số), nên không biết ô hiển thị gì; hãy "
            "gõ {what} thay cho công thức",
        ),
        Rule(
            "FIGURE_BELOW_TABLE",
            W,
            "Số liệu nằm ngoài bảng",
            message="dòng {row} có số liệu ({cells}) nằm dưới dòng «{total}», ngoài bảng, nên không được "
            "tính vào báo cáo",
        ),
        Rule(
            "DATE_INVALID",
            E,
            "Ngày không hợp lệ",
            live="ngày không hợp lệ; hãy nhập dạng ngày/tháng/năm, ví dụ 15/11/{year}",
        ),
        Rule("TEXT_TOO_LONG", E, "Nội dung quá dài"),
        # results rows
        Rule(
            "REGION_UNKNOWN",
            E,
            "Địa bàn không có trong danh sách",
            k.IN_LIST,
            "địa bàn '{value}' không có trong danh sách{near}; hãy chọn từ danh sách",
            "{label} không có trong danh sách",
        ),
        Rule(
            "CATEGORY_UNKNOWN",
            E,
            "Nội dung hỗ trợ không có trong danh sách",
            k.IN_LIST,
            "nội dung hỗ trợ '{value}' không có trong danh sách{near}; hãy chọn từ danh sách",
            "{label} không có trong danh sách",
        ),
        Rule(
            "REGION_NOT_OWN",
            E,
            "Địa bàn không thuộc đơn vị",
            k.OWN_REGION,
            "đơn vị chỉ báo cáo cho địa bàn của mình ({own}), không cho '{named}'",
        ),
        Rule(  # checked while reading (extract.py), and live in the template
            "ROW_KEY_MISSING",
            E,
            "Dòng thiếu địa bàn hoặc nội dung",
            k.KEY_MISSING,
            "dòng {row} có số liệu nhưng chưa chọn {label}",
            "chưa chọn {label}",
        ),
        Rule(
            "ROW_DUPLICATE",
            E,
            "Dòng trùng lặp",
            k.DUPLICATE,
            "'{keys}' đã được ghi ở dòng {first_row}; mỗi cặp chỉ ghi một dòng, hãy gộp lại",
            "dòng trùng với một dòng phía trên",
        ),
        Rule(
            "MEASURE_AT_MOST",
            E,
            "Số 'trong đó' lớn hơn tổng số",
            k.AT_MOST,
            "{Name} ({value}) lớn hơn {other_name} ({other}); số 'trong đó' không được lớn hơn tổng số",
            "{name} lớn hơn {other_name}",
        ),
        Rule(
            "MEASURE_AT_LEAST",
            E,
            "Số lượt nhỏ hơn số trẻ em",
            k.AT_LEAST,
            "{Name} ({value}) nhỏ hơn {other_name} ({other}); mỗi trẻ em được tính ít nhất một lượt",
            "{name} nhỏ hơn {other_name}",
        ),
        Rule(
            "VALUE_MISSING",
            W,
            "Có trẻ em nhưng không có giá trị",
            k.VALUE_MISSING,
            "có {head} trẻ em được hỗ trợ nhưng giá trị hỗ trợ bằng 0 hoặc để trống; "
            "hãy ghi giá trị (quy ra tiền)",
            "có {head_name} nhưng không có giá trị hỗ trợ",
        ),
        Rule(
            "CHILDREN_MISSING",
            W,
            "Có giá trị nhưng không có trẻ em",
            k.CHILDREN_MISSING,
            "có giá trị hỗ trợ {total} đồng nhưng số trẻ em bằng 0 hoặc để trống; "
            "hãy ghi số trẻ em được hỗ trợ",
            "có giá trị hỗ trợ nhưng không có {head_name}",
        ),
        # empty blocks and the "nothing to report" declaration
        Rule(
            "BLOCK_EMPTY",
            E,
            "Báo cáo trống",
            rk.NOT_EMPTY,
            "trang chưa có số liệu nào (báo cáo trống). Hãy điền số liệu; nếu đơn vị thật sự "
            "không có gì để báo cáo ở trang này, chọn «{mark}» ở ô {cell}",
            "trang chưa có số liệu (nếu không có, chọn «{mark}» ở ô {cell})",
        ),
        Rule(
            "BLOCK_DECLARED_NOT_EMPTY",
            W,
            "Đã đánh dấu không có số liệu nhưng có số liệu",
            rk.DECLARED_EMPTY,
            "đã đánh dấu không có số liệu (ô {cell}) nhưng trang có số liệu; số liệu vẫn được "
            "tính. Nếu số liệu đúng, hãy xóa dấu ở ô {cell}",
            "đã đánh dấu không có số liệu nhưng trang có số liệu; nếu số liệu đúng, hãy xóa dấu",
        ),
        # names read as the nearest listed one (also while reading: `nearest.read_as_message`)
        Rule(
            "NAME_READ_AS",
            W,
            "Tên được đọc theo danh sách",
            rk.READ_AS,
            "{label} '{typed}' không đúng như {where}; đã đọc là '{name}'. "
            "Nếu đúng thì không cần sửa; lần sau hãy {then}",
            "{label} không đúng như trong danh sách, sẽ đọc là tên gần nhất; hãy chọn từ danh sách",
        ),
        # totals and plausibility
        # the total the file stores: the one the unit sees, unless the file was saved by a
        # program that wrote an input without calculating (Excel and LibreOffice then show
        # the recomputed total on opening): said, so that the unit is not sent to fix it
        Rule(
            "TOTAL_MISMATCH",
            W,
            "Tổng trong tệp không khớp",
            message="tổng ghi trong tệp là {value} nhưng tính lại từ các ô nhập là {recomputed}; chương "
            "trình dùng số tính lại {why}",
            # the template's words (`render.livechecks._typed_over`): there, recalculated, a
            # total differs only where typed over or its formula changed (brk39 F7)
            live="ô tổng không khớp với các số đã nhập (đã bị gõ đè hoặc sửa công thức); hãy xóa số đã gõ "
            "hoặc dán lại công thức từ mẫu gốc để ô tự tính",
        ),
        # the file's totals all saved uncalculated, or their formulas broken (`TOTALS_UNCALCULATED`)
        Rule("TOTALS_UNCALCULATED", W, "Các ô tổng trong tệp ghi 0"),
        # the file's total cells hold no formula and differ (`TOTALS_NO_FORMULA`)
        Rule("TOTALS_NO_FORMULA", W, "Các ô tổng trong tệp không còn công thức"),
        Rule(
            "SUPPORT_EXCEEDS_RESOURCES",
            W,
            "Giá trị hỗ trợ vượt nguồn lực",
            rk.WITHIN,
            "tổng giá trị hỗ trợ ({value} đồng) lớn hơn tổng nguồn lực đã vận động ({other} đồng); "
            "hãy kiểm tra lại hai trang",
            "tổng giá trị hỗ trợ ở trang kết quả lớn hơn tổng nguồn lực đã vận động; hãy kiểm tra lại hai trang",
        ),
        Rule(
            "OUTLIER_LAST_YEAR",
            W,
            "Chênh lệch lớn so với năm trước",
            rk.VERSUS_LAST_YEAR,
            "{Name} ({category}) năm {year} là {value}, năm {previous_year} là {before} "
            "({change}); hãy kiểm tra lại số liệu",
        ),
        Rule(
            "IMPLAUSIBLE_VALUE",
            W,
            "Số liệu khó tin",
            rk.BOUNDED,
            "{what}, {word} {limit} đặt trong cấu hình; hãy kiểm tra lại số liệu",
            "{label} ngoài mức hợp lý đặt trong cấu hình; hãy kiểm tra lại số liệu",
        ),
        Rule(
            "LOOKS_LIKE_DATE",
            W,
            "Số giống một ngày tháng",
            k.LOOKS_LIKE_DATE,
            "{what} là {value}, giống ngày {day} mà bảng tính tự đổi thành số; {fix}",
            "{what} giống một ngày tháng mà bảng tính tự đổi thành số; {fix}",
        ),
        Rule(
            "LOOKS_LIKE_PHONE",
            W,
            "Số giống số điện thoại",
            k.LOOKS_LIKE_PHONE,
            "{what} là {value}, giống số điện thoại {phone}; {fix}",
            "{what} giống một số điện thoại di động; {fix}",
        ),
        # how the file came: messages, archives, dates and senders (issue #12)
        Rule("MAIL_NO_REPORT", W, "Thư không có tệp báo cáo"),
        Rule("ARCHIVE_NO_REPORT", W, "Tệp nén không có tệp báo cáo"),
        Rule("ARCHIVE_NESTED", E, "Tệp nén lồng nhau"),
        Rule(
            "DATE_AFTER_ARRIVAL",
            W,
            "Ngày báo cáo sau ngày nhận",
            rk.NOT_AFTER,
            "ngày báo cáo {typed} sau {how} ({arrival}). {hint}",
        ),
        Rule(
            "DATE_IN_FUTURE",
            W,
            "Ngày báo cáo sau ngày hôm nay",
            rk.NOT_AFTER,
            "ngày báo cáo {typed} sau ngày hôm nay ({today}). {hint}",
            "ngày báo cáo sau ngày hôm nay; hãy kiểm tra và gõ lại ngày báo cáo (ngày/tháng/năm)",
        ),
        Rule(
            "DATE_BEFORE_PERIOD",
            W,
            "Ngày báo cáo trước kỳ báo cáo",
            rk.NOT_BEFORE,
            "ngày báo cáo {typed} trước ngày bắt đầu kỳ báo cáo ({start}). {hint}",
            "ngày báo cáo trước ngày bắt đầu kỳ báo cáo ({start:%d/%m/%Y}); hãy kiểm tra và gõ lại ngày báo cáo "
            "(ngày/tháng/năm)",
        ),
        Rule(
            "DATE_MAYBE_SWAPPED",
            W,
            "Ngày báo cáo có thể bị đảo ngày và tháng",
            rk.SWAPPED_EARLY,
            "ngày báo cáo {typed} sớm hơn cuối kỳ báo cáo ({end}) nhiều tháng. {hint}",
            "ngày báo cáo sớm hơn cuối kỳ báo cáo nhiều tháng, có thể ngày và tháng bị đảo (máy đặt kiểu ngày "
            "của Mỹ); hãy kiểm tra và gõ lại ngày báo cáo (ngày/tháng/năm)",
        ),
        Rule(
            "SENDER_UNLISTED",
            W,
            "Người gửi không có trong danh sách",
            rk.LISTED,
            "thư gửi từ địa chỉ {raw}{sender_owner}, không có trong danh sách địa chỉ của {unit_name} "
            "({listed}). {sender_advice}",
        ),
    )
}

# What REGION_UNKNOWN's {near} says for an old district's name in a configuration with a
# crosswalk (`nearest.near_text`): "one" or "both" (two old provinces each had a district of
# that name) over {places}, each a "place"; {date} the day districts were abolished.
FORMER_DISTRICT = {
    "one": "; đây là đơn vị cấp huyện cũ, không còn từ {date}: {places}. "
    "Số liệu cần báo cáo riêng cho từng xã, phường, đặc khu mới trên địa bàn đó",
    "both": "; đây là tên đơn vị cấp huyện cũ, không còn từ {date}, có ở cả hai tỉnh cũ: {places}. "
    "Số liệu cần báo cáo riêng cho từng xã, phường, đặc khu mới trên địa bàn đó",
    "place": "{name} ({province} cũ), địa bàn nay thuộc {new}",
}
# … and for an old commune's name that was not wholly merged into the new unit of the same
# short name ("Thị trấn Vĩnh Thuận" went to Xã Vĩnh Phong, not to Xã Vĩnh Thuận).
FORMER_COMMUNE = {
    "text": "; đây là tên xã, phường, thị trấn cũ, không còn từ {date}: {places}. "
    "Số liệu cần báo cáo cho xã, phường, đặc khu mới đó",
    "place": "{name} ({district}, {province} cũ), nay thuộc {new}",
    # a name both a listed unit's and an old commune's gone elsewhere, as typed (brk40 F1)
    "either": "; tên này có thể là '{name}' hoặc tên xã, phường, thị trấn cũ (không còn từ {date}): "
    "{places}. Hãy chọn đúng tên xã, phường, đặc khu mới trong danh sách",
}


@dataclass(frozen=True)
class Bound:
    """A rule applied to a place of the form: the field its finding points at, the other
    fields it reads, and its parameters (names, limits, lists) as data."""

    rule: Rule
    field: str
    others: tuple[str, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def code(self) -> str:
        return self.rule.code

    @property
    def severity(self) -> str:
        return self.rule.severity

    @property
    def kind(self) -> str:
        """The name of what it checks ("at_most", "in_list", …)."""
        assert self.rule.kind is not None
        return self.rule.kind.name

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.field, *self.others)

    @property
    def text(self) -> str:
        """The short Vietnamese text of the template's live checks."""
        return self.rule.live.format(**self.params)

    @property
    def guess(self) -> bool:
        """Whether the live check adds `DOT_GUESS` where the value looks like a
        dot-thousands entry read wrong (`Rule.guess`)."""
        return self.rule.guess

    def excel(self, at: k.XlRow) -> str:
        """Spreadsheet expression, TRUE where the row at `at` violates the rule."""
        assert self.rule.kind is not None and self.rule.kind.excel is not None, self.code
        return self.rule.kind.excel(self, at)

    def facts(self, record: k.Record, frame: Any) -> k.Facts:
        """What the message of a failing record (plain values) of `frame` names; "found", when
        given, is the value the finding shows instead of the field's."""
        assert self.rule.kind is not None
        return self.rule.kind.facts(self, record, frame)

    def message(self, facts: k.Facts) -> str:
        """The rule's Vietnamese message for a failing record's facts."""
        return self.rule.say(**facts)


def bind(
    code: str,
    field: str,
    others: tuple[str, ...] = (),
    *,
    used_by: Literal["both", "template", "check"] = "both",
    **params: Any,
) -> Bound:
    """Apply rule `code` to `field` (reading `others`), with its parameters.

    `used_by`: who words the binding: the template's live check only ("template": its live
    text's placeholders are required), the pipeline's check only ("check": what its kind
    reads and its message needs), or both (`Rule.params`, the default).
    Raises RuleBindError naming the rule and what is missing when a parameter the rule
    declares is not given, or fewer other fields than its kind reads; KeyError for an
    unknown code."""
    rule = RULES[code]
    wanted = {
        "both": rule.params,
        "template": frozenset(_placeholders(rule.live)),
        "check": rule.check_params,
    }[used_by]
    missing = sorted(wanted - params.keys())
    if missing:
        raise RuleBindError(
            f"quy tắc {code} (trường '{field}') thiếu tham số {', '.join(repr(m) for m in missing)}; "
            f"cần: {', '.join(sorted(wanted))}"
        )
    if used_by != "template" and rule.kind is not None and len(others) < rule.kind.others:
        raise RuleBindError(
            f"quy tắc {code} (trường '{field}') cần ít nhất {rule.kind.others} trường khác, có {len(others)}"
        )
    return Bound(rule, field, others, params)


# ----- what explains a finding, and how to fix one -----------------------------------------
# How far from the cell of a finding another finding may be to explain it: the same cell;
# the same cell or, in its row, the cell of a figure the form compares it with (a measure's
# `at_most`, `at_least`: children for girls); the same row; the same row or column; the
# same sheet (each of a finding's own sheet); anywhere in the file.
CELL, COMPARED, ROW, LINE, SHEET, FILE = "cell", "compared", "row", "row_or_column", "sheet", "file"
REACHES = (CELL, COMPARED, ROW, LINE, SHEET, FILE)

# finding's code -> {code of a finding that explains it: how far it may be}. The letters
# (`mail/drafts.py`) tell each explaining finding under what it explains; an explaining
# warning is not listed again on its own. The letters' tests make several of these happen
# on filled templates (`tests/test_letters_fix.py`, `tests/test_season.py`):
EXPLAINED_BY: dict[str, dict[str, str]] = {
    # a total the file holds (Excel's SUM) against the one recomputed from the cells read:
    # Excel skips a number typed as text and sums a decimal or a formula's stale value,
    # which the pipeline reads as typed or not at all
    "TOTAL_MISMATCH": {
        "NUMBER_FROM_TEXT": LINE,
        "NUMBER_INVALID": LINE,
        "NUMBER_NOT_INTEGER": LINE,
        "FORMULA_NO_VALUE": LINE,
        "FORMULA_TEXT_LOST": LINE,
    },
    # a check between the figures of one row (more girls than children, fewer turns than
    # children) fails because one of its figures was read as a number the unit did not mean:
    # "1.350.000" typed as text in a count, a count typed as a day or a phone number
    **dict.fromkeys(
        ("MEASURE_AT_MOST", "MEASURE_AT_LEAST"),
        {"NUMBER_FROM_TEXT": COMPARED, "LOOKS_LIKE_DATE": COMPARED, "LOOKS_LIKE_PHONE": COMPARED},
    ),
    # a value or a headcount missing: the figure at its cell typed as text ("0", "-")
    **dict.fromkeys(("VALUE_MISSING", "CHILDREN_MISSING"), {"NUMBER_FROM_TEXT": CELL}),
    # a value per child (same row) or a unit's total (same column) out of its bounds, and a
    # figure far from last year's (the category's first row, in the measure's column): a
    # number typed as text, money typed "513.000" on a PC with US settings (read as 513)
    "IMPLAUSIBLE_VALUE": {
        "NUMBER_FROM_TEXT": LINE,
        "MONEY_TOO_SMALL": LINE,
        "LOOKS_LIKE_DATE": LINE,
        "LOOKS_LIKE_PHONE": LINE,
    },
    "OUTLIER_LAST_YEAR": {"NUMBER_FROM_TEXT": LINE, "LOOKS_LIKE_DATE": LINE, "LOOKS_LIKE_PHONE": LINE},
    # the resources sheet's total below the support given: an amount of it read 1.000 times
    # too small, or not read at all
    "SUPPORT_EXCEEDS_RESOURCES": {
        "MONEY_TOO_SMALL": SHEET,
        "NUMBER_INVALID": SHEET,
        "NUMBER_NOT_INTEGER": SHEET,
        "FORMULA_NO_VALUE": SHEET,
        "FORMULA_TEXT_LOST": SHEET,
    },
    # a misspelt name read as the nearest listed one: another unit's place, or the name of
    # a row already written
    "REGION_NOT_OWN": {"NAME_READ_AS": CELL},
    "ROW_DUPLICATE": {"NAME_READ_AS": ROW},
}

# What each rule's "cách sửa" (how to fix) may name, from the finding (`rules/fixes.py`):
# its cell, the value found, the year of the form, the number typed as text in digits alone,
# the number a dot-thousands entry on a US-settings PC was meant to be (as shown and in digits
# alone), the nearest listed name, the unit's name as registered, the earlier row a
# duplicate repeats (its number, told by the message, and its cell in the finding's column),
# and the figure a figure is compared with (its value and its name, told by the message).
# NAME_READ_AS's {where} and {then}: a name in a row, typed beside its list, and the unit's
# name on the first sheet, which the template fills in and locks (brk40 F7: "chọn từ danh
# sách" sent the unit to a list that cell does not have)
READ_AS_LISTED = {"where": "trong danh sách", "then": "chọn từ danh sách"}
READ_AS_OWN_NAME = {"where": "tên mẫu ghi sẵn", "then": "để nguyên tên đơn vị mẫu ghi sẵn"}

FIX_FACTS = frozenset(
    {
        "own_name",
        "cell",
        "value",
        "year",
        "digits",
        "intended",
        "plain",
        "nearest",
        "registered",
        "first_row",
        "first_cell",
        "advice",
        "other",
        "other_name",
    }
)

# code -> how to fix a finding of the rule, in Vietnamese, as `str.format` templates over
# `FIX_FACTS`: the first whose facts are all known is said. Shown in the letters and the
# feedback workbook's "Cách sửa" column.
FIXES: dict[str, tuple[str, ...]] = {
    "FILE_NOT_REPORT": ("điền số liệu vào mẫu báo cáo năm {year} Sở gửi cho đơn vị và gửi lại tệp đó",),
    "FILE_EMPTY": ("mở tệp báo cáo đã điền, lưu lại rồi đính kèm đúng tệp đó vào thư gửi lại",),
    "FILE_CORRUPT": (
        "mở tệp trên máy của đơn vị; nếu mở được, lưu thành tệp mới (Lưu thành, kiểu Excel .xlsx) rồi "
        "gửi lại; nếu không, điền lại mẫu báo cáo",
    ),
    "FILE_ENCRYPTED": ("gỡ mật khẩu mở tệp, lưu lại rồi gửi; không đặt mật khẩu cho tệp báo cáo",),
    "FILE_TOO_LARGE": (
        "chỉ giữ các trang của mẫu báo cáo, không chèn ảnh hay dữ liệu khác; lưu lại rồi gửi",
    ),
    "FILE_UNSAFE": ("lưu tệp ở dạng Excel .xlsx (không có macro, không nhúng đối tượng) rồi gửi lại",),
    "FILE_FORMAT": ("lưu tệp ở dạng Excel .xlsx (Lưu thành, chọn kiểu .xlsx) rồi gửi lại",),
    "TEMPLATE_UNKNOWN": (
        "chép số liệu vào mẫu báo cáo năm {year} Sở gửi cho đơn vị (không dùng mẫu tự lập) rồi gửi lại",
    ),
    "TEMPLATE_OLD": ("chép số liệu sang mẫu báo cáo năm {year} mới nhất Sở gửi rồi gửi lại",),
    "TEMPLATE_NEWER": ("dùng mẫu báo cáo năm {year} Sở gửi cho đơn vị",),
    "TEMPLATE_LAST_YEAR": ("điền số liệu năm {year} vào mẫu báo cáo năm {year}, không dùng mẫu năm trước",),
    "SHEET_MISSING": ("không xóa, không đổi tên trang; chép số liệu sang mẫu gốc của Sở rồi gửi lại",),
    "SHEET_HIDDEN": ("bỏ ẩn trang (nhấp chuột phải vào tên trang, chọn Bỏ ẩn/Unhide)",),
    "SHEET_ORDER": ("giữ thứ tự các trang như trong mẫu",),
    "LAYOUT_CHANGED": (
        "không thêm, xóa dòng, cột hay di chuyển ô; chép số liệu sang mẫu gốc của Sở rồi gửi lại",
    ),
    "MERGED_INPUT": ("bỏ gộp ô {cell} (Unmerge Cells) rồi ghi số liệu vào từng ô",),
    "UNIT_UNKNOWN": ("dùng mẫu Sở gửi cho chính đơn vị mình; không sửa mã đơn vị ở ô {cell}",),
    "UNIT_FORMER_CODE": (
        "chép số liệu sang mẫu Sở gửi cho «{registered}» (mã mới), không sửa mã đơn vị ở ô {cell}, rồi gửi lại",
        "dùng mẫu Sở gửi cho đơn vị mình (mã mới); không sửa mã đơn vị ở ô {cell}",
    ),
    "UNIT_CODE_CHANGED": ("dùng mẫu Sở gửi cho chính đơn vị mình; không sửa mã đơn vị ở ô {cell}",),
    "UNIT_MISMATCH": (
        "ghi tên đơn vị ở ô {cell} là «{registered}»; nếu không phải đơn vị này, dùng mẫu của đơn vị mình",
        "dùng mẫu Sở gửi cho chính đơn vị mình",
    ),
    "UNIT_FORMER_NAME": (
        "ghi tên đơn vị ở ô {cell} là «{registered}» như mẫu ghi sẵn",
        "ghi tên đơn vị ở ô {cell} như mẫu ghi sẵn",
    ),
    "YEAR_MISMATCH": ("dùng mẫu báo cáo năm {year}; ô {cell} phải là {year}",),
    "REQUIRED_MISSING": ("điền vào ô {cell}",),
    "NUMBER_INVALID": ("xóa nội dung ô {cell} rồi gõ lại con số bằng chữ số, không kèm chữ, dấu hay đơn vị",),
    "NUMBER_NOT_INTEGER": (
        "nếu số đúng là {intended}, xóa ô {cell} và gõ lại: {plain} (chỉ chữ số, không có dấu chấm)",
        "gõ lại ô {cell} bằng số nguyên",
    ),
    "NUMBER_NEGATIVE": ("gõ lại ô {cell} bằng số không âm",),
    "MONEY_TOO_SMALL": (
        "nếu số đúng là {intended} đồng, xóa ô {cell} và gõ lại: {plain} (chỉ chữ số, không có dấu chấm)",
        "gõ lại đúng số tiền ở ô {cell}, tính bằng đồng",
    ),
    "NUMBER_TOO_LARGE": ("gõ lại đúng số ở ô {cell}",),
    "NUMBER_FROM_TEXT": (
        "ở ô {cell}: {advice}",
        "xóa ô {cell} và gõ lại: {digits} (chỉ chữ số)",
        "xóa ô {cell} và gõ lại chỉ bằng chữ số",
    ),
    "FORMULA_NO_VALUE": (
        "mở tệp bằng Excel, để công thức tính xong rồi lưu lại (LibreOffice: nhấn Ctrl+Shift+F9 để tính "
        "lại rồi lưu); hoặc gõ số thay cho công thức ở ô {cell}",
    ),
    "FORMULA_TEXT_LOST": (
        "xóa công thức ở ô {cell} rồi gõ thẳng giá trị vào ô (số, hoặc ngày dạng ngày/tháng/năm)",
    ),
    "FIGURE_BELOW_TABLE": (
        "nếu đây là số liệu cần báo cáo, hãy cộng vào dòng đúng nội dung trong bảng rồi xóa ô {cell} và các "
        "ô cùng dòng; nếu chỉ là ghi chú, không cần sửa",
    ),
    "DATE_INVALID": ("gõ lại ngày ở ô {cell} dạng ngày/tháng/năm, ví dụ 15/11/{year}",),
    "TEXT_TOO_LONG": ("rút ngắn nội dung ở ô {cell}",),
    "REGION_UNKNOWN": (
        "chọn lại ô {cell} từ danh sách thả xuống; nếu là «{nearest}», chọn «{nearest}»",
        "chọn lại ô {cell} từ danh sách thả xuống, không gõ tay",
    ),
    "CATEGORY_UNKNOWN": (
        "chọn lại ô {cell} từ danh sách thả xuống; nếu là «{nearest}», chọn «{nearest}»",
        "chọn lại ô {cell} từ danh sách thả xuống, không gõ tay",
    ),
    "REGION_NOT_OWN": ("xóa số liệu của dòng có ô {cell}; đơn vị chỉ báo cáo địa bàn của mình",),
    "ROW_KEY_MISSING": ("chọn ô {cell} từ danh sách thả xuống; nếu dòng ghi nhầm, xóa số liệu của dòng đó",),
    "ROW_DUPLICATE": (
        "cộng số liệu của dòng có ô {cell} vào dòng {first_row} đã ghi trước (dòng có ô {first_cell}), "
        "rồi xóa dòng có ô {cell}",
        "cộng số liệu của dòng có ô {cell} vào dòng đã ghi trước, rồi xóa dòng có ô {cell}",
    ),
    "MEASURE_AT_MOST": (
        "gõ lại ô {cell} bằng số không lớn hơn {other} ({other_name}), hoặc sửa {other_name} nếu số đó sai",
        "kiểm tra các số của dòng có ô {cell} và gõ lại số sai",
    ),
    "MEASURE_AT_LEAST": (
        "gõ lại ô {cell} bằng số không nhỏ hơn {other} ({other_name}), hoặc sửa {other_name} nếu số đó sai",
        "kiểm tra các số của dòng có ô {cell} và gõ lại số sai",
    ),
    "VALUE_MISSING": ("ghi giá trị hỗ trợ (quy ra tiền) của dòng có ô {cell}",),
    "CHILDREN_MISSING": ("ghi số trẻ em được hỗ trợ ở ô {cell}",),
    "BLOCK_EMPTY": (
        "điền số liệu vào trang; nếu đơn vị không có gì để báo cáo ở trang này, chọn dấu «không có số "
        "liệu» ở ô nêu trên",
    ),
    "BLOCK_DECLARED_NOT_EMPTY": ("nếu số liệu đúng, xóa dấu «không có số liệu» ở ô {cell}",),
    "NAME_READ_AS": (
        "ghi tên đơn vị ở ô {cell} là «{own_name}» như mẫu ghi sẵn",
        "chọn lại ô {cell} từ danh sách thả xuống: «{nearest}»",
        "chọn lại ô {cell} từ danh sách thả xuống",
    ),
    "TOTAL_MISMATCH": (
        "sửa các ô số liệu cùng dòng, cùng cột; ô tổng {cell} có công thức tự tính lại, không gõ vào",
    ),
    "SUPPORT_EXCEEDS_RESOURCES": ("kiểm tra lại số tiền ở trang nguồn lực và trang kết quả",),
    "OUTLIER_LAST_YEAR": ("nếu số ở ô {cell} đúng thì không cần sửa; nếu sai, gõ lại đúng số",),
    "IMPLAUSIBLE_VALUE": ("nếu số ở ô {cell} đúng thì không cần sửa; nếu sai, gõ lại đúng số",),
    "LOOKS_LIKE_DATE": ("gõ lại đúng số ở ô {cell}, chỉ chữ số",),
    "LOOKS_LIKE_PHONE": ("gõ lại đúng số ở ô {cell}, chỉ chữ số",),
    "MAIL_NO_REPORT": ("gửi lại thư có đính kèm tệp báo cáo",),
    "ARCHIVE_NO_REPORT": (
        "nén lại cùng tệp báo cáo (.xlsx) rồi gửi lại, hoặc đính kèm trực tiếp tệp báo cáo",
    ),
    "ARCHIVE_NESTED": ("gửi tệp báo cáo đính kèm trực tiếp, hoặc trong một tệp nén không chứa tệp nén khác",),
    "DATE_AFTER_ARRIVAL": ("sửa ngày báo cáo ở ô {cell} là ngày ký báo cáo",),
    "DATE_IN_FUTURE": ("sửa ngày báo cáo ở ô {cell} là ngày ký báo cáo",),
    "DATE_BEFORE_PERIOD": ("sửa ngày báo cáo ở ô {cell} là ngày ký báo cáo",),
    "DATE_MAYBE_SWAPPED": ("sửa ngày báo cáo ở ô {cell} là ngày ký báo cáo, gõ theo dạng ngày/tháng/năm",),
    "SENDER_UNLISTED": ("gửi từ địa chỉ thư điện tử đã đăng ký với Sở, hoặc báo Sở địa chỉ mới",),
}

# error rules knowingly without a "cách sửa" (code -> why); every other error rule has one
# (`tests/test_letters_fix.py` checks it)
WITHOUT_FIX: dict[str, str] = {}
