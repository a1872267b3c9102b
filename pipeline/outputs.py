"""Write a run's outputs: workbook, CSV, manifest, JSON report and feedback files.

Every file is written to a temporary name and renamed into place, under a lock on the
year's output folder, so a crash never leaves half a workbook and two runs never mix.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .atomic import atomic_path, outbox_lock, write_bytes_atomic
from .paths import (
    detail_csv_path,
    feedback_dir,
    manifest_path,
    report_path,
    workbook_path,
    year_dir,
)
from .safetext import csv_field

if TYPE_CHECKING:
    from .consolidate import Report


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Every text field made inert for a spreadsheet (`safetext.csv_field`: one line, never a
    formula); numbers are left as they are."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: csv_field(v) if isinstance(v, str) else v)
    return out


def with_comments(frame: pd.DataFrame, report: Report) -> pd.DataFrame:
    """The detail frame with a `comment` column: the unit's comment on each figure's cell."""
    notes = {
        (rec.parsed.name, sheet, cell): text
        for rec in report.files
        for (sheet, cell), text in rec.parsed.comments.items()
    }
    keys = zip(frame["file"], frame["sheet"], frame["cell"], strict=True) if len(frame) else []
    return frame.assign(comment=[notes.get(k, "") for k in keys])


def write_outputs(
    report: Report, outbox: Path, lock_wait: float = 30.0, lap: Callable[[str], None] | None = None
) -> None:
    """Write every output of the run; wait up to `lock_wait` s for another run to finish.

    `lap(name)` is called after each output, for phase timings."""
    lap = lap or (lambda _name: None)
    form = report.form
    folder = year_dir(outbox, form.year)
    with outbox_lock(folder, lock_wait):
        from .feedback import FeedbackWriter
        from .workbook import write_workbook

        feedback = FeedbackWriter(report, outbox)
        feedback.start()  # in worker processes while this one writes the other outputs
        try:
            csv_path = detail_csv_path(outbox, form.year)
            with atomic_path(csv_path) as tmp:
                csv_safe(with_comments(report.detail.long(form), report)).to_csv(
                    tmp, index=False, encoding="utf-8-sig", quoting=csv.QUOTE_NONNUMERIC
                )
            manifest = {
                "year": form.year,
                "generated_at": report.generated_at.isoformat(timespec="seconds"),
                "inbox": str(report.inbox),
                "files": [rec.manifest() for rec in report.files],
            }
            write_bytes_atomic(
                manifest_path(outbox, form.year),
                json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8"),
            )
            lap("csv+manifest")
            wb_path = workbook_path(outbox, form.year)
            with atomic_path(wb_path) as tmp:
                write_workbook(report, tmp)
            lap("workbook")
            written = feedback.wait()
        except BaseException:
            feedback.cancel()  # a failed run starts no more feedback files
            raise
        fb_dir = feedback_dir(outbox, form.year)
        if fb_dir.is_dir():  # feedback from earlier runs for files now fixed or gone
            for old in fb_dir.glob("*.xlsx"):
                if old not in written:
                    old.unlink()
        lap("feedback")
        report.outputs = {
            "workbook": str(wb_path),
            "csv": str(csv_path),
            "manifest": str(manifest_path(outbox, form.year)),
            "report": str(report_path(outbox, form.year)),
            "feedback": [str(p) for p in written],
        }
        from .consolidate import report_json

        write_bytes_atomic(report_path(outbox, form.year), report_json(report).encode("utf-8"))
