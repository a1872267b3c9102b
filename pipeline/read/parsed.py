"""What the pipeline learnt from one file (`Parsed`), before cross-file validation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..intake.containers.submission import Origin, Submission
from ..intake.files import FileInfo
from ..rules import findings as fd
from ..rules.findings import Finding
from .records import Record


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
    also_at: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    """The cells a finding names besides its own, each -> that finding's (sheet, cell): the
    feedback workbook marks them too (TOTALS_UNCALCULATED's totals after the first)."""

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
