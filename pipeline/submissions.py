"""Which file counts for each unit: resubmissions, duplicates, statuses and the manifest."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .containers import ARCHIVE, MESSAGE
from .extract import Parsed
from .findings import ERROR, WARNING
from .form import Form
from .inbox import IGNORED, NOT_READ, InboxEntry
from .reader import FileInfo

ACCEPTED = "accepted"
ACCEPTED_WARNINGS = "accepted_with_warnings"
REJECTED = "rejected"
SUPERSEDED = "superseded"
NOT_REPORT = "not_a_report"
# IGNORED ("ignored") and NOT_READ ("not_read") come from the inbox listing (inbox.py)
OPENED = "opened"  # a message or archive whose entries are listed after it

FILE_STATUS_VI = {
    ACCEPTED: "Được chấp nhận",
    ACCEPTED_WARNINGS: "Chấp nhận, có cảnh báo",
    REJECTED: "Bị từ chối",
    SUPERSEDED: "Đã được thay thế",
    NOT_REPORT: "Không phải tệp báo cáo",
    IGNORED: "Bỏ qua (không phải bài nộp)",
    NOT_READ: "Không đọc",
    OPENED: "Thư/tệp nén đã mở (xem các tệp bên trong)",
}
# statuses that make `consolidate --strict` exit 1 (with a missing unit)
STRICT_FILE_STATUSES = (REJECTED, NOT_REPORT, NOT_READ)
# Which fact decided the newest submission and the deadline (issue #12)
BY_ARRIVAL = "arrival"  # when the message reached the office
BY_REPORT_DATE = "report_date"  # the date typed in the file (plain files)
RULE_VI = {BY_ARRIVAL: "Theo thời điểm nhận thư", BY_REPORT_DATE: "Theo ngày báo cáo ghi trong tệp"}

UNIT_ACCEPTED = "accepted"
UNIT_REJECTED = "rejected"
UNIT_MISSING = "missing"
UNIT_STATUS_VI = {
    UNIT_ACCEPTED: "Đã chấp nhận",
    UNIT_REJECTED: "Bị từ chối",
    UNIT_MISSING: "Chưa gửi",
}


@dataclass
class FileRecord:
    parsed: Parsed
    status: str = ""
    replaced_by: str = ""
    note: str = ""

    @property
    def errors(self) -> int:
        return sum(f.severity == ERROR for f in self.parsed.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == WARNING for f in self.parsed.findings)

    @property
    def by_arrival(self) -> bool:
        """True when the file came in a message whose arrival time is known."""
        return self.parsed.origin.received is not None

    @property
    def received(self) -> dt.datetime:
        """Arrival of its message (province time), else the file's modification time."""
        if self.parsed.origin.received is not None:
            return self.parsed.origin.received.replace(tzinfo=None)
        return dt.datetime.fromtimestamp(self.parsed.info.mtime)

    def manifest(self) -> dict[str, Any]:
        info = self.parsed.info
        return {
            "name": info.name,
            "size": info.size,
            "sha256": info.sha256,
            "received": self.received.isoformat(timespec="seconds"),
            "format": self.parsed.format,
            "unit": self.parsed.unit_code or "",
            "report_date": self.parsed.report_date.isoformat() if self.parsed.report_date else "",
            "status": self.status,
            "status_vi": FILE_STATUS_VI[self.status],
            "replaced_by": self.replaced_by,
            "note": self.note,
            "errors": self.errors,
            "warnings": self.warnings,
            "findings": len(self.parsed.findings),
            "nothing_to_report": list(self.parsed.declared_empty),
            **self.parsed.origin.to_dict(),
        }


@dataclass
class UnitStatus:
    code: str
    name: str
    kind: str
    status: str = UNIT_MISSING
    file: FileRecord | None = None  # the file that counts
    files: list[FileRecord] = field(default_factory=list)
    note: str = ""
    on_time: bool | None = None
    submitted_on: dt.date | None = None
    rule: str = ""  # BY_ARRIVAL or BY_REPORT_DATE: what decided newest and on time

    @property
    def rule_vi(self) -> str:
        return RULE_VI.get(self.rule, "")

    @property
    def submitted(self) -> bool:
        return bool(self.files)

    @property
    def status_vi(self) -> str:
        return UNIT_STATUS_VI[self.status]

    def contact(self, form: Form) -> tuple[str, str]:
        """Who to call about this unit: (person, phone).

        The preparer and phone written in the unit's newest file that has them (a rejected
        file too); for a unit that sent nothing usable, the contact in the configuration."""
        for rec in self.files:
            info = rec.parsed.info_row or {}
            if info.get("preparer") or info.get("phone"):
                return str(info.get("preparer") or ""), str(info.get("phone") or "")
        unit = form.units_by_code.get(self.code)
        if unit and (unit.contact or unit.phone):
            return unit.contact, unit.phone
        return "", ""

    @property
    def timeliness_vi(self) -> str:
        if self.on_time is None:
            return ""
        return "Đúng hạn" if self.on_time else "Trễ hạn"


def entry_record(entry: InboxEntry, file_id: int) -> FileRecord:
    """The manifest record of an inbox entry that is not read (ignored or not readable)."""
    path = str(entry.path) if entry.path else ""
    info = FileInfo(entry.name, entry.size, "", entry.mtime)
    parsed = Parsed(file_id, path, info, is_report=False)
    return FileRecord(parsed, status=entry.status, note=entry.reason)


def _newest_first(rec: FileRecord) -> tuple:
    """A message's arrival decides; a plain file keeps its typed report date, then mtime."""
    p = rec.parsed
    day = rec.received.date() if rec.by_arrival else (p.report_date or dt.date.min)
    return (day, rec.received, p.name)


def resolve(form: Form, parsed: list[Parsed]) -> tuple[list[FileRecord], list[UnitStatus]]:
    """Give every file a status and every unit of the registry the file that counts."""
    records = [FileRecord(p) for p in parsed]
    by_unit: dict[str, list[FileRecord]] = {}
    for rec in records:
        p = rec.parsed
        if not p.is_report:
            opened = p.origin.kind in (MESSAGE, ARCHIVE) and not p.findings
            rec.status = OPENED if opened else NOT_REPORT
            continue
        rec.status = REJECTED if p.has_errors else (ACCEPTED_WARNINGS if rec.warnings else ACCEPTED)
        if p.unit_code in form.units_by_code:
            by_unit.setdefault(p.unit_code, []).append(rec)

    statuses: list[UnitStatus] = []
    for unit in form.units:
        us = UnitStatus(unit.code, unit.name, unit.kind)
        files = sorted(by_unit.get(unit.code, []), key=_newest_first, reverse=True)
        us.files = files
        statuses.append(us)
        if not files:
            continue
        accepted = [f for f in files if f.status in (ACCEPTED, ACCEPTED_WARNINGS)]
        newest = files[0]
        if not accepted:
            us.status = UNIT_REJECTED
            us.note = f"Bản mới nhất ({newest.parsed.name}) bị từ chối; chưa có bản hợp lệ"
            us.submitted_on = _submitted_on(newest)
            us.rule = BY_ARRIVAL if newest.by_arrival else BY_REPORT_DATE
            continue
        chosen = accepted[0]
        us.status = UNIT_ACCEPTED
        us.file = chosen
        us.submitted_on = _submitted_on(chosen)
        us.rule = BY_ARRIVAL if chosen.by_arrival else BY_REPORT_DATE
        us.on_time = us.submitted_on < form.period.due_before
        if newest is not chosen:
            us.note = (
                f"Bản gửi ngày {_submitted_on(newest):%d/%m/%Y} ({newest.parsed.name}) bị từ chối; "
                f"đang dùng bản {chosen.parsed.name} ngày {us.submitted_on:%d/%m/%Y}"
            )
        if chosen.parsed.declared_empty:  # accepted, and shown as declared empty
            sheets = ", ".join(f"'{form.blocks[k].sheet}'" for k in chosen.parsed.declared_empty)
            us.note = "; ".join(filter(None, [us.note, f"Đơn vị báo không có số liệu ở trang {sheets}"]))
        for other in files:
            if other is chosen or files.index(other) < files.index(chosen):
                continue
            other.status = SUPERSEDED
            other.replaced_by = chosen.parsed.name
            if other.parsed.content_key and other.parsed.content_key == chosen.parsed.content_key:
                other.note = f"Trùng nội dung với {chosen.parsed.name}; chỉ tính một lần"
            else:
                other.note = f"Đã được thay thế bởi {chosen.parsed.name}"
    return records, statuses


def _submitted_on(rec: FileRecord) -> dt.date:
    """The date a submission counts from: the arrival of its message; for a plain file its
    report date, else when it was saved."""
    if rec.by_arrival:
        return rec.received.date()
    return rec.parsed.report_date or rec.received.date()
