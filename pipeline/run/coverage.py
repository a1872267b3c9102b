"""What a consolidated table covers: how many units are in, and which are not yet.

While any reporting unit is missing or rejected, every printed table (biểu) and the dashboard
say so ("Số liệu tổng hợp từ 24/28 đơn vị; chưa có: …"), the document too (the count under
its title, the names in its section on the units' reports), and their titles carry "sơ bộ"
(preliminary); when every unit is in, they carry neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .result import UnitRecord, UnitStatus

PRELIMINARY = "sơ bộ"
NAMED_ON_A_TABLE = 12  # the most units a printed table names as not in; beyond, their count


@dataclass(frozen=True)
class Coverage:
    """Units counted in the totals against units expected; `absent` are the others' names."""

    counted: int
    expected: int
    absent: tuple[str, ...]
    listed_in: str = ""  # the workbook's sheet naming every unit's status, for `table_note`

    @classmethod
    def of(cls, units: Sequence[UnitRecord], listed_in: str = "") -> Coverage:
        """From a run's unit statuses: counted = accepted (a file counts), absent = the rest."""
        absent = tuple(u.name for u in units if u.status != UnitStatus.ACCEPTED)
        return cls(counted=len(units) - len(absent), expected=len(units), absent=absent, listed_in=listed_in)

    @property
    def partial(self) -> bool:
        return bool(self.absent)

    @property
    def note(self) -> str:
        """The visible note, '' when every unit is in."""
        if not self.partial:
            return ""
        return (
            f"Số liệu tổng hợp từ {self.counted}/{self.expected} đơn vị; chưa có: {', '.join(self.absent)}."
        )

    @property
    def table_note(self) -> str:
        """The note of a printed table (biểu), '' when every unit is in: `note` while it
        names few units (NAMED_ON_A_TABLE), else the count and where the names are (brk38
        F2: 92 names made a row taller than half a page, and LibreOffice printed biểu B05
        cut after its third row, without its total and signature)."""
        if len(self.absent) <= NAMED_ON_A_TABLE:
            return self.note
        return (
            f"Số liệu tổng hợp từ {self.counted}/{self.expected} đơn vị; {len(self.absent)} đơn vị chưa có "
            "báo cáo hợp lệ (nêu tên trong báo cáo, phần tình hình báo cáo của các đơn vị"
            + (f", và ở trang «{self.listed_in}» của bảng tổng hợp)." if self.listed_in else ").")
        )

    @property
    def short_note(self) -> str:
        """The note under the document's title, '' when every unit is in: the count without
        the names, which the document lists once, in its section on the units' reports
        (brk14 F9: 110 names printed twice on the first page)."""
        if not self.partial:
            return ""
        return (
            f"Số liệu tổng hợp từ {self.counted}/{self.expected} đơn vị; {len(self.absent)} đơn vị chưa có "
            "báo cáo hợp lệ (nêu tên ở phần tình hình báo cáo của các đơn vị)."
        )

    def title(self, title: str, upper: bool = True) -> str:
        """`title` with "(SỐ LIỆU SƠ BỘ)" appended while the data are partial."""
        if not self.partial:
            return title
        tag = f"(số liệu {PRELIMINARY})"
        return f"{title} {tag.upper() if upper else tag}"
