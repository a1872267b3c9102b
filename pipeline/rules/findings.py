"""One finding type for every problem the pipeline reports (the rules: `rules.py`).

A finding says which file, which unit, where (sheet and cell as Excel shows them), which
rule, how serious, what was found, and a Vietnamese message a district officer can act on.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ..text.values import show
from .catalogue import ERROR, RULES, SEVERITY_VI, WARNING

# the rule catalogue (`rules.py`) and how a cell's value is shown, as every finding uses them
__all__ = ["ERROR", "RULES", "SEVERITY_VI", "WARNING", "Finding", "make", "show", "where"]


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
