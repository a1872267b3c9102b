"""What changed since the previous run: new files, units now accepted, units whose new
file was rejected.

The previous run is the one whose result (`bao-cao.json`, `result.Report.to_dict`) is in
the current output set when this run starts; its files are matched with this run's by
name and SHA-256 (a file sent again under the same name with other content is new).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..outbox.paths import report_path
from .result import FileStatus, Report, UnitStatus

# entries that are not files of their own: a message or archive (its contents are listed)
# and what is not a submission at all
_NOT_LISTED = {FileStatus.OPENED.value, FileStatus.IGNORED.value}


@dataclass(frozen=True)
class Changes:
    """This run against the previous one. Units are (code, name) pairs, in registry order."""

    previous_at: dt.datetime  # when the previous run was made
    new_files: tuple[str, ...]  # files (as shown in the inbox) the previous run did not read
    now_accepted: tuple[tuple[str, str], ...]  # accepted now, not accepted before
    newly_rejected: tuple[tuple[str, str], ...]  # whose newest file is new and rejected

    @property
    def nothing(self) -> bool:
        return not (self.new_files or self.now_accepted or self.newly_rejected)

    def lines_vi(self) -> list[str]:
        """The changes in Vietnamese, one line each (the first says since when)."""
        since = f"{self.previous_at:%H:%M} ngày {self.previous_at:%d/%m/%Y}"
        if self.nothing:
            return [f"Không có gì thay đổi so với lần tổng hợp trước ({since})."]
        out = [f"Thay đổi so với lần tổng hợp trước ({since}):"]
        if self.new_files:
            out.append(f"  • Tệp mới ({len(self.new_files)}): " + ", ".join(self.new_files))
        if self.now_accepted:
            out.append(f"  • Nay được chấp nhận ({len(self.now_accepted)}): " + _units(self.now_accepted))
        if self.newly_rejected:
            out.append(f"  • Tệp mới bị từ chối ({len(self.newly_rejected)}): " + _units(self.newly_rejected))
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "previous_at": self.previous_at.isoformat(timespec="seconds"),
            "new_files": list(self.new_files),
            "now_accepted": [code for code, _ in self.now_accepted],
            "newly_rejected": [code for code, _ in self.newly_rejected],
        }


def _units(units: tuple[tuple[str, str], ...]) -> str:
    return ", ".join(f"{name} ({code})" for code, name in units)


def previous_result(outbox: Path, report: Report) -> dict[str, Any] | None:
    """The result of the run whose set is current in `outbox` (for `report`'s year and
    configuration), or None: no set yet, unreadable, another configuration's, or the
    set of this very run."""
    try:
        data = json.loads(report_path(outbox, report.form.year).read_text(encoding="utf-8"))
        same_form = data["form"]["id"] == report.form.id
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not same_form or data.get("run_id") == report.run_id:
        return None
    return data


def changes_since(report: Report, previous: dict[str, Any] | None) -> Changes | None:
    """This run's changes against `previous` (a `Report.to_dict`); None without one.

    Raises nothing on a malformed previous result: what cannot be read counts as absent."""
    if not previous:
        return None
    try:
        at = dt.datetime.fromisoformat(str(previous["generated_at"]))
    except (KeyError, ValueError):
        return None
    seen = {(f.get("name"), f.get("sha256")) for f in previous.get("files", []) if isinstance(f, dict)}
    before = {u.get("code"): u.get("status") for u in previous.get("units", []) if isinstance(u, dict)}
    new_files = tuple(
        rec.parsed.name
        for rec in report.files
        if rec.status not in _NOT_LISTED and (rec.parsed.name, rec.parsed.info.sha256) not in seen
    )
    new = set(new_files)
    now_accepted = tuple(
        (u.code, u.name)
        for u in report.units
        if u.status == UnitStatus.ACCEPTED and before.get(u.code) != UnitStatus.ACCEPTED.value
    )
    newly_rejected = tuple(
        (u.code, u.name)
        for u in report.units
        if u.files and u.files[0].status == FileStatus.REJECTED and u.files[0].parsed.name in new
    )
    return Changes(at, new_files, now_accepted, newly_rejected)


def since_previous(report: Report, outbox: Path) -> Changes | None:
    """`changes_since` the run whose set is current in `outbox`."""
    return changes_since(report, previous_result(outbox, report))
