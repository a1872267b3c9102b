"""The result of a run: every file's record, every unit's status, the totals, and the only
serialiser of it all (`Report.to_dict`, `report_json`); and the result of `check`, files
checked alone (`CheckReport`, its only serialiser `CheckReport.to_json`).

`consolidate.run` builds a Report and writes nothing; the writers (`pipeline/render/`) and
the terminal summary are views of it. Statuses are enumerations whose values are the
strings the manifest and the JSON carry, each with its Vietnamese label (`.vi`).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field, fields
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ..form import Form, FormError, is_pending
from ..intake.containers.submission import CONTAINER_KINDS
from ..intake.inbox import IGNORED, NOT_READ, READ, InboxEntry, shown
from ..intake.mail_settings import DEFAULT_ZONE, load_mail_settings
from ..read.parsed import Parsed
from ..rules.findings import ERROR, WARNING, Finding
from ..text.safetext import json_inert

if TYPE_CHECKING:
    from .aggregate import Detail, Totals
    from .history import History


class FileStatus(StrEnum):
    """What became of one inbox entry, attachment or archive member (the manifest's status)."""

    ACCEPTED = "accepted"
    ACCEPTED_WARNINGS = "accepted_with_warnings"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"
    NOT_REPORT = "not_a_report"
    IGNORED = IGNORED  # not a submission (lock files, macOS leftovers): from the inbox listing
    NOT_READ = NOT_READ  # a link, pipe, device, unreadable entry: from the inbox listing
    OPENED = "opened"  # a message or archive whose entries are listed after it

    @property
    def vi(self) -> str:
        return _FILE_VI[self]

    @property
    def accepted(self) -> bool:
        """Accepted, with or without warnings: the file may count for its unit."""
        return self in (FileStatus.ACCEPTED, FileStatus.ACCEPTED_WARNINGS)

    @property
    def strict_failure(self) -> bool:
        """Makes `consolidate --strict` exit 1 (as a missing unit does)."""
        return self in (FileStatus.REJECTED, FileStatus.NOT_REPORT, FileStatus.NOT_READ)


_FILE_VI = {
    FileStatus.ACCEPTED: "Được chấp nhận",
    FileStatus.ACCEPTED_WARNINGS: "Chấp nhận, có cảnh báo",
    FileStatus.REJECTED: "Bị từ chối",
    FileStatus.SUPERSEDED: "Đã được thay thế",
    FileStatus.NOT_REPORT: "Không phải tệp báo cáo",
    FileStatus.IGNORED: "Bỏ qua (không phải bài nộp)",
    FileStatus.NOT_READ: "Không đọc",
    FileStatus.OPENED: "Thư/tệp nén đã mở (xem các tệp bên trong)",
}


class UnitStatus(StrEnum):
    """Where a reporting unit stands: a file counts for it, only rejected files, or none."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    MISSING = "missing"

    @property
    def vi(self) -> str:
        return _UNIT_VI[self]


_UNIT_VI = {
    UnitStatus.ACCEPTED: "Đã chấp nhận",
    UnitStatus.REJECTED: "Bị từ chối",
    UnitStatus.MISSING: "Chưa gửi",
}


class DecidedBy(StrEnum):
    """Which fact decided a unit's newest submission and whether it was on time (issue #12)."""

    ARRIVAL = "arrival"  # when the message reached the office
    REPORT_DATE = "report_date"  # the date typed in the file (plain files)
    SAVED = "saved"  # a plain file without a report date: when it was saved to the inbox
    AFTER_MAIL = "after_mail"  # a plain file saved after a message of its unit came: that day
    # a plain file the office had before the date typed in it: the day a run first found it
    # in the inbox (an earlier run's, or this run's own), which it cannot have come after
    FOUND = "found"

    @property
    def vi(self) -> str:
        return _DECIDED_VI[self]


_DECIDED_VI = {
    DecidedBy.ARRIVAL: "Theo thời điểm nhận thư",
    DecidedBy.REPORT_DATE: "Theo ngày báo cáo ghi trong tệp",
    DecidedBy.SAVED: "Tệp không ghi ngày báo cáo: theo ngày tệp được lưu vào máy",
    DecidedBy.AFTER_MAIL: "Tệp được lưu sau thư đơn vị gửi đến: theo ngày thư đó đến",
    DecidedBy.FOUND: "Sở đã có tệp trước ngày ghi trong tệp: theo ngày chương trình thấy tệp lần đầu",
}


def province_zone(form: Form) -> dt.tzinfo:
    """The province's time zone: `[mail] timezone` of `form`'s configuration, Việt Nam's
    (Asia/Ho_Chi_Minh) when not set or not valid (the run reports a bad one elsewhere)."""
    try:
        return load_mail_settings(form).zone
    except FormError:
        return ZoneInfo(DEFAULT_ZONE)


@dataclass
class FileRecord:
    """One file read (or inbox entry not read) and what became of it."""

    parsed: Parsed
    status: FileStatus | None = None  # set by `submissions.resolve`
    replaced_by: str = ""
    note: str = ""
    zone: dt.tzinfo | None = None
    """The province's time zone (`province_zone`), in which `received` is told."""
    seen: dt.datetime | None = None
    """When a previous run first found this file, its name and bytes (`changes.first_seen`,
    the province's wall-clock time), None for a file no previous run read."""
    found: dt.datetime | None = None
    """When the first run that read this file, its name and bytes, was made (an earlier run:
    `changes.first_found`; the province's wall-clock time): the office had it by then. None
    while this run, the first, resolves it (`submissions.resolve`); then this run's time."""
    after_mail: dt.date | None = None
    """For a plain file: the arrival day of its unit's latest message the office had before
    it (`submissions.resolve`); a file saved after that message came is no older than it,
    whatever date is typed in it. None for a message, or when none came before."""
    repeats: bool = False
    """Whether this file holds the figures and report date of a file of its unit that came
    before it (`Parsed.content_key`; `submissions.resolve`): among files that came together
    (one message) or plain files of one report date, it ranks below those with new ones: a
    reply still carrying the unit's old file, or the office's own feedback copy, is never the
    unit's newest (brk47 F1, brk49 F1, F4)."""

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
        """Arrival of its message, else the file's modification time, both as the province's
        wall-clock time (`zone`, the `[mail] timezone`; Việt Nam's when not set), never the
        machine's: a naive datetime (xlsx and the manifest carry no zone) meaning that zone.
        A plain file a previous run read (its name and bytes) keeps the time it was first
        found (`seen`): an old attachment saved again is no newer file (brk21)."""
        if self.parsed.origin.received is not None:
            arrived = self.parsed.origin.received
            zone = self.zone or ZoneInfo(DEFAULT_ZONE)
            return (arrived.astimezone(zone) if arrived.tzinfo else arrived).replace(tzinfo=None)
        return self.saved if self.seen is None else min(self.saved, self.seen)

    @property
    def saved(self) -> dt.datetime:
        """The file's modification time, as `received` tells times: what the computer's clock
        said when the file was saved (`changes.clock_doubt` reads it, not a first-found time),
        to the second, as a run keeps it (`changes.first_seen`): files saved within one second
        are saved together at every run, never ordered by a fraction of it at the first run
        and by name at the next (brk38 F1)."""
        zone = self.zone or ZoneInfo(DEFAULT_ZONE)
        return dt.datetime.fromtimestamp(self.parsed.info.mtime, zone).replace(tzinfo=None, microsecond=0)

    @property
    def reason(self) -> str:
        """Why the whole file could not be taken (Vietnamese): the first error about the
        file as a whole (unreadable, damaged in its archive, not a report), else ""."""
        return next((f.message for f in self.parsed.findings if f.severity == ERROR and not f.cell), "")

    def manifest(self) -> dict[str, Any]:
        """The file's entry in manifest.json and in the report's "files"."""
        info = self.parsed.info
        status = FileStatus(self.status)
        return {
            "name": info.name,
            "size": info.size,
            "sha256": info.sha256,
            "received": self.received.isoformat(timespec="seconds"),
            "found": self.found.isoformat(timespec="seconds") if self.found else "",
            "format": self.parsed.format,
            "unit": self.parsed.unit_code or "",
            "report_date": self.parsed.report_date.isoformat() if self.parsed.report_date else "",
            "status": status.value,
            "status_vi": status.vi,
            "replaced_by": self.replaced_by,
            "note": self.note,
            "reason": self.reason,
            "errors": self.errors,
            "warnings": self.warnings,
            "findings": len(self.parsed.findings),
            "nothing_to_report": list(self.parsed.declared_empty),
            **self.parsed.origin.to_dict(),
        }


SENT_VI, NOT_SENT_VI = "Có", "Chưa"  # whether a unit sent any file
ON_TIME_VI, LATE_VI = "Đúng hạn", "Trễ hạn"  # the file that counts, against the deadline
NOT_JUDGED_VI = "Chưa xét (hạn nộp chưa ấn định)"  # counted, but the deadline is still "cần điền"
# counted, dated after the run's own date: it cannot have been sent then (a wrong clock, a
# mistyped report date), so neither on time nor late
DATED_AHEAD_VI = "Chưa xét (ngày gửi sau ngày tổng hợp)"


def deadline_line(form: Form) -> str:
    """The deadline as one Vietnamese sentence for the officer's workbook: "Hạn nộp: trước
    ngày 01/12/2025." or, while `period.due_before` is "cần điền", that no report is judged
    on time or late and which setting of which file to fill."""
    if is_pending(form.period.due_before):
        return (
            "Hạn nộp: chưa ấn định, chưa xét đúng hạn hay trễ hạn "
            f"(điền period.due_before trong tệp cấu hình {form.path.name})."
        )
    return f"Hạn nộp: trước ngày {form.period.due_before:%d/%m/%Y}."


def phone_as_dialled(phone: str) -> str:
    """A phone number as it is dialled in Việt Nam: one typed into a cell of General format
    is stored as a number without its leading 0 ("0912345678" -> 912345678, "0297 3857522" ->
    2973857522; brk39 F5), given back its 0 when it is nine or ten digits alone; any other
    text as it is."""
    return f"0{phone}" if phone.isdigit() and len(phone) in (9, 10) and phone[0] != "0" else phone


@dataclass
class UnitRecord:
    """One reporting unit of the registry, the files it sent and the one that counts."""

    code: str
    name: str
    kind: str
    status: UnitStatus = UnitStatus.MISSING
    file: FileRecord | None = None  # the file that counts
    files: list[FileRecord] = field(default_factory=list)  # newest first
    note: str = ""
    doubts: list[str] = field(default_factory=list)  # what the officer should ask the unit (in `note` too)
    # its other accepted files dated the day of the one that counts, with other figures: the
    # unit is asked which is right, in its letter too (`submissions._same_day`)
    same_day: list[str] = field(default_factory=list)
    on_time: bool | None = None  # None: nothing counted yet, or no deadline to judge by
    deadline_set: bool = True  # False while the configuration's due_before is "cần điền"
    dated_ahead: bool = False  # its counted file dated after the run's date: not judged
    submitted_on: dt.date | None = None
    rule: DecidedBy | None = None  # what decided newest and on time

    @property
    def rule_vi(self) -> str:
        return self.rule.vi if self.rule else ""

    @property
    def submitted(self) -> bool:
        return bool(self.files)

    @property
    def status_vi(self) -> str:
        return self.status.vi

    def contact(self, form: Form) -> tuple[str, str]:
        """Who to call about this unit: (person, phone).

        The preparer and phone written in the unit's newest file that has them (a rejected
        file too); for a unit that sent nothing usable, the contact in the configuration."""
        for rec in self.files:
            info = rec.parsed.info_row or {}
            if info.get("preparer") or info.get("phone"):
                return str(info.get("preparer") or ""), phone_as_dialled(str(info.get("phone") or ""))
        unit = form.units_by_code.get(self.code)
        if unit and (unit.contact or unit.phone):
            return unit.contact, unit.phone
        return "", ""

    @property
    def submitted_vi(self) -> str:
        return SENT_VI if self.submitted else NOT_SENT_VI

    @property
    def timeliness(self) -> str:
        """ "on_time", "late", "not_judged" (a file counts but the deadline is not set,
        `deadline_set` False), "dated_ahead" (a file counts, dated after the run's date) or
        "" (nothing counts)."""
        if self.on_time is not None:
            return "on_time" if self.on_time else "late"
        if self.file is not None and self.dated_ahead:
            return "dated_ahead"
        return "not_judged" if self.file is not None and not self.deadline_set else ""

    @property
    def timeliness_vi(self) -> str:
        return {
            "on_time": ON_TIME_VI,
            "late": LATE_VI,
            "not_judged": NOT_JUDGED_VI,
            "dated_ahead": DATED_AHEAD_VI,
        }.get(self.timeliness, "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "kind": self.kind,
            "status": self.status.value,
            "status_vi": self.status_vi,
            "on_time": self.on_time,
            "timeliness": self.timeliness,
            "timeliness_vi": self.timeliness_vi,
            "decided_by": self.rule.value if self.rule else "",
            "submitted_on": self.submitted_on.isoformat() if self.submitted_on else None,
            "file": self.file.parsed.name if self.file else None,
            "files": [f.parsed.name for f in self.files],
            "note": self.note,
            "same_day": list(self.same_day),
        }


@dataclass
class Report:
    """One run's result; the workbook, the terminal summary and --json are views of it."""

    form: Form
    inbox: Path
    files: list[FileRecord]
    units: list[UnitRecord]
    detail: Detail
    totals: Totals
    history: History
    generated_at: dt.datetime
    outputs: dict[str, Any] = field(default_factory=dict)  # set once the outputs are written
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)  # names this run's output set
    # what changed since the previous run: a `changes.Changes` (that module reads this one's
    # records, so it is not imported here), None without a previous run
    changes: Any = None

    @property
    def findings(self) -> list[Finding]:
        return [f for rec in self.files for f in rec.parsed.findings]

    def count(self, status: UnitStatus) -> int:
        """How many units have `status`."""
        return sum(u.status == status for u in self.units)

    @property
    def strict_failures(self) -> int:
        """Files rejected, not reports or not read, plus units missing (what --strict counts)."""
        files = sum(rec.status is not None and rec.status.strict_failure for rec in self.files)
        return files + self.count(UnitStatus.MISSING)

    def manifest(self) -> dict[str, Any]:
        """manifest.json: every entry of the inbox and what became of it."""
        return {
            "year": self.form.year,
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
            "inbox": shown(str(self.inbox)),
            "files": self._file_entries(),
        }

    def _file_entries(self) -> list[dict[str, Any]]:
        """The files' manifest entries, each unit code with its scheme (of this configuration:
        a file of another scheme never gets a unit code, see `read.extract`)."""
        return [
            {**entry, "unit_scheme": self.form.unit_scheme(entry["unit"])}
            for entry in (rec.manifest() for rec in self.files)
        ]

    def _contact(self, u: UnitRecord) -> dict[str, str]:
        """Whom to call about a unit (`UnitRecord.contact`), for the letters."""
        person, phone = u.contact(self.form)
        return {"person": person, "phone": phone}

    def to_dict(self) -> dict[str, Any]:
        """The whole report (bao-cao.json, `--json`)."""
        return {
            "year": self.form.year,
            "form": {"id": self.form.id, "version": self.form.version, "schemes": list(self.form.schemes)},
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
            "run_id": self.run_id,
            "inbox": shown(str(self.inbox)),
            "summary": {
                "units": len(self.units),
                "accepted": self.count(UnitStatus.ACCEPTED),
                "rejected": self.count(UnitStatus.REJECTED),
                "missing": self.count(UnitStatus.MISSING),
                "files": len(self.files),
            },
            "units": [
                {**u.to_dict(), "scheme": self.form.unit_scheme(u.code), "contact": self._contact(u)}
                for u in self.units
            ],
            "files": self._file_entries(),
            "findings": [f.to_dict() for f in self.findings],
            "totals": self.totals.to_dict(),
            "outputs": self.outputs,
            "changes": self.changes.to_dict() if self.changes else None,
            "history": self.history.signature(),
        }


def report_json(report: Report) -> str:
    """The report as JSON text; every character a terminal could act on is escaped."""
    return json_inert(json.dumps(report.to_dict(), ensure_ascii=False, indent=2, default=str))


def manifest_json(report: Report) -> bytes:
    """manifest.json's bytes (UTF-8)."""
    return json.dumps(report.manifest(), ensure_ascii=False, indent=2).encode("utf-8")


# ----- check: files checked alone -----------------------------------------------------------
@dataclass(frozen=True)
class CheckedFile:
    """One line of `check`'s result: a file as given, or an attachment or member of one
    (listed right after its message or archive)."""

    file: str  # the path as given; an attachment or member: its name in the folder of its container
    kind: str  # Origin.kind: "" for a plain file, else message, archive, attachment, member
    status: str  # intake.inbox READ, IGNORED (not a submission) or NOT_READ
    reason: str  # Vietnamese, why it was ignored or not read; "" otherwise
    unit: str | None  # the unit code read from it, or credited to it unread (`credit_sender`); else None
    valid: bool  # a report (or an opened container) without errors
    findings: tuple[Finding, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "kind": self.kind,
            "status": self.status,
            "reason": self.reason,
            "unit": self.unit,
            "valid": self.valid,
            "findings": [f.to_dict() for f in self.findings],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckedFile:
        """The line `to_dict` wrote (a finding's derived "title" and "where" are dropped).
        Raises KeyError or TypeError for a dict of another shape."""
        names = [f.name for f in fields(Finding)]
        found = tuple(Finding(**{n: f[n] for n in names}) for f in data["findings"])
        return cls(
            data["file"], data["kind"], data["status"], data["reason"], data["unit"], data["valid"], found
        )


@dataclass
class CheckReport:
    """What `check` found in the files it was given, in their order, each message or archive
    followed by its entries; the terminal view and `--json` are views of it.

    JSON (`to_json`): a list with one object per `CheckedFile`: {"file", "kind", "status",
    "reason", "unit", "valid", "findings": [Finding.to_dict(), …]}."""

    files: list[CheckedFile]
    parsed: list[Parsed] = field(default_factory=list, compare=False)  # what was read, in order
    skipped: list[InboxEntry] = field(default_factory=list, compare=False)  # not read at all

    @classmethod
    def of(cls, checked: list[tuple[Path, InboxEntry, list[Parsed]]]) -> CheckReport:
        """The result of (path given, its inbox entry, what was read from it) for each file."""
        lines: list[CheckedFile] = []
        for path, entry, group in checked:
            if entry.status != READ:
                lines.append(CheckedFile(str(path), "", entry.status, entry.reason, None, False))
            for p in group:
                lines.append(
                    CheckedFile(
                        str(path.parent / p.name),
                        p.origin.kind,
                        IGNORED if p.submission.ignored else entry.status,
                        p.submission.ignored or entry.reason,
                        p.unit_code,
                        not p.has_errors and (p.is_report or p.origin.kind in CONTAINER_KINDS),
                        tuple(p.findings),
                    )
                )
        parsed = [p for _, _, group in checked for p in group]
        return cls(lines, parsed, [e for _, e, _ in checked if e.status != READ])

    @property
    def failed(self) -> bool:
        """A file has errors or could not be read (`check` exits 1)."""
        return any(f.severity == ERROR for line in self.files for f in line.findings) or any(
            line.status == NOT_READ for line in self.files
        )

    def to_list(self) -> list[dict[str, Any]]:
        return [line.to_dict() for line in self.files]

    def to_json(self) -> str:
        """`check --json`: every character a terminal could act on is escaped."""
        return json_inert(json.dumps(self.to_list(), ensure_ascii=False, indent=2))

    @classmethod
    def from_json(cls, text: str) -> CheckReport:
        """The result `to_json` printed (its lines only: nothing read is kept in JSON)."""
        return cls([CheckedFile.from_dict(line) for line in json.loads(text)])
