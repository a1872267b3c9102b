"""The consolidation run: read every file, validate, choose, total, write the outputs."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Only light modules here: reading files needs neither pandas nor pandera, so worker
# processes start without them and the main process imports them while the workers read.
from .arrival import check_arrival
from .containers import Submission, expand
from .extract import Parsed
from .findings import Finding
from .form import Form
from .inbox import READ, InboxEntry, list_inbox, shown
from .intake import parse_submission
from .mail.config import load_mail_settings
from .progress import Progress
from .safetext import json_inert
from .submissions import (
    STRICT_FILE_STATUSES,
    UNIT_ACCEPTED,
    UNIT_MISSING,
    UNIT_REJECTED,
    FileRecord,
    UnitStatus,
    entry_record,
    resolve,
)
from .workers import start_worker, worker_form

if TYPE_CHECKING:
    from .aggregate import Detail
    from .history import History

PARALLEL_FROM = 40  # files; below this a process pool costs more than it saves
CHUNK = 16  # files per message to a worker process


@dataclass
class Report:
    """One run's result; the workbook, the terminal summary and --json are views of it."""

    form: Form
    inbox: Path
    files: list[FileRecord]
    units: list[UnitStatus]
    detail: Detail
    totals: dict[str, int]
    history: History
    generated_at: dt.datetime
    outputs: dict[str, str] = field(default_factory=dict)
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)  # names this run's output set

    @property
    def findings(self) -> list[Finding]:
        return [f for rec in self.files for f in rec.parsed.findings]

    def count(self, status: str) -> int:
        return sum(u.status == status for u in self.units)

    @property
    def strict_failures(self) -> int:
        """Files rejected, not reports or not read, plus units missing (what --strict counts)."""
        files = sum(rec.status in STRICT_FILE_STATUSES for rec in self.files)
        return files + self.count(UNIT_MISSING)

    def to_dict(self) -> dict[str, Any]:
        return {
            "year": self.form.year,
            "form": {"id": self.form.id, "version": self.form.version},
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
            "run_id": self.run_id,
            "inbox": shown(str(self.inbox)),
            "summary": {
                "units": len(self.units),
                "accepted": self.count(UNIT_ACCEPTED),
                "rejected": self.count(UNIT_REJECTED),
                "missing": self.count(UNIT_MISSING),
                "files": len(self.files),
            },
            "units": [
                {
                    "code": u.code,
                    "name": u.name,
                    "kind": u.kind,
                    "status": u.status,
                    "status_vi": u.status_vi,
                    "on_time": u.on_time,
                    "decided_by": u.rule,
                    "submitted_on": u.submitted_on.isoformat() if u.submitted_on else None,
                    "file": u.file.parsed.name if u.file else None,
                    "files": [f.parsed.name for f in u.files],
                    "note": u.note,
                }
                for u in self.units
            ],
            "files": [rec.manifest() for rec in self.files],
            "findings": [f.to_dict() for f in self.findings],
            "totals": self.totals,
            "outputs": self.outputs,
        }


def submissions(form: Form, entries: list[tuple[Path, str]]) -> list[Submission]:
    """The files to read, as submissions: messages and archives opened into their entries.

    `entries` are (path, name as the officer sees it) of the inbox entries to read.
    """
    zone = load_mail_settings(form).zone
    return [sub for path, name in entries for sub in expand(path, name, form.limits, zone)]


def _parse_chunk(chunk: list[tuple[Submission, int]]) -> list[Parsed]:
    return [parse_submission(sub, file_id, worker_form()) for sub, file_id in chunk]


def read_all(
    form: Form,
    subs: list[Submission],
    workers: int | None = None,
    show: bool = True,
    while_waiting: Callable[[], None] | None = None,
) -> list[Parsed]:
    """Parse every file, in parallel above PARALLEL_FROM files; order is the input order.

    `while_waiting` runs in this process while the workers read (or before serial reading).
    With n workers, n - 1 are processes (each gets the form once, so what it derives from it
    is kept) and this process is the last: once `while_waiting` is done, it takes back the
    chunks of files no process has started and reads them itself.
    """
    progress = Progress(len(subs), "Đang đọc tệp") if show else None
    jobs = [(sub, i) for i, sub in enumerate(subs)]
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers < 2 or len(subs) < PARALLEL_FROM:
        if while_waiting:
            while_waiting()
        out = []
        for sub, file_id in jobs:
            out.append(parse_submission(sub, file_id, form))
            if progress:
                progress.step()
        if progress:
            progress.close()
        return out
    # small chunks: everyone finishes together; large enough to keep messages few
    size = max(1, min(CHUNK, len(jobs) // (workers * 4)))
    chunks = [jobs[i : i + size] for i in range(0, len(jobs), size)]
    done: list[list[Parsed] | None] = [None] * len(chunks)
    with ProcessPoolExecutor(workers - 1, initializer=start_worker, initargs=(form,)) as pool:
        futures = [pool.submit(_parse_chunk, chunk) for chunk in chunks]
        if while_waiting:
            while_waiting()
        for k in reversed(range(len(chunks))):  # the last chunks are the least likely started
            if futures[k].cancel():
                done[k] = [parse_submission(sub, file_id, form) for sub, file_id in chunks[k]]
                if progress:
                    progress.step(len(chunks[k]))
        for k, future in enumerate(futures):
            if done[k] is None:
                done[k] = future.result()
                if progress:
                    progress.step(len(chunks[k]))
    if progress:
        progress.close()
    return [parsed for part in done if part is not None for parsed in part]


def run(
    form: Form,
    inbox: Path,
    outbox: Path,
    *,
    workers: int | None = None,
    show_progress: bool = True,
    archive: Path | None = None,
    write: bool = True,
    lock_wait: float = 30.0,
    run_id: str = "",
) -> Report:
    """Consolidate `inbox` into `outbox/<year>/`. Bad files become findings, never errors.

    `run_id` names the output set in bao-cao.json (default: a new UUID), so a caller can
    tell afterwards whether the current set is this run's (`outputs.current_set_note`)."""
    clock = _Clock()
    listing = list_inbox(inbox, outbox)
    to_read = [(e.path, e.name) for e in listing if e.status == READ and e.path is not None]
    parsed = read_all(form, submissions(form, to_read), workers, show_progress, while_waiting=_import_heavy)
    clock.lap("read")
    from .aggregate import build_detail, grand_totals
    from .history import load_history, plausibility_findings
    from .validate import validate_all

    validate_all(form, parsed)
    check_arrival(form, parsed, dt.datetime.now(load_mail_settings(form).zone).date())
    clock.lap("validate")
    history = load_history(form, archive or outbox)
    plausibility_findings(form, parsed, history)
    files, units = resolve(form, parsed)
    files = _in_listing_order(listing, files)
    detail = build_detail(form, units)
    clock.lap("merge")
    report = Report(
        form=form,
        inbox=inbox,
        files=files,
        units=units,
        detail=detail,
        totals=grand_totals(form, detail),
        history=history,
        generated_at=dt.datetime.now().replace(microsecond=0),
        **({"run_id": run_id} if run_id else {}),
    )
    if write:
        from .outputs import write_outputs

        write_outputs(report, outbox, lock_wait, clock.lap)
    clock.report()
    return report


def _in_listing_order(listing: list[InboxEntry], read: list[FileRecord]) -> list[FileRecord]:
    """The records of the files read and of the entries not read, in the inbox's order."""
    by_entry: dict[str, list[FileRecord]] = {}
    for rec in read:  # a message or archive, then the attachments and members inside it
        by_entry.setdefault(rec.parsed.origin.container or rec.parsed.name, []).append(rec)
    out = []
    for i, entry in enumerate(listing):
        recs = by_entry.get(entry.name) if entry.status == READ else None
        out.extend(recs or [entry_record(entry, len(read) + i)])
    return out


def _import_heavy() -> None:
    """Import pandas, pandera and the writers (about 0.5 s) while worker processes read."""
    from . import aggregate, feedback, history, outputs, validate, workbook  # noqa: F401

    validate.warm_up()


class _Clock:
    """Phase timings, printed to stderr when PIPELINE_TIMING is set (for profiling)."""

    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()
        self.laps: list[tuple[str, float]] = []

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps.append((name, now - self.last))
        self.last = now

    def report(self) -> None:
        if os.environ.get("PIPELINE_TIMING"):
            parts = " ".join(f"{n}={t:.2f}s" for n, t in self.laps)
            sys.stderr.write(f"[timing] {parts} total={time.perf_counter() - self.start:.2f}s\n")


def check_files(form: Form, paths: list[Path]) -> list[Parsed]:
    """Validate files on their own (no consolidation, nothing written)."""
    from .validate import validate_all

    parsed = read_all(form, submissions(form, [(p, p.name) for p in paths]), workers=1, show=False)
    validate_all(form, parsed)
    check_arrival(form, parsed, dt.datetime.now(load_mail_settings(form).zone).date())
    return parsed


def report_json(report: Report) -> str:
    """The report as JSON text; every character a terminal could act on is escaped."""
    return json_inert(json.dumps(report.to_dict(), ensure_ascii=False, indent=2, default=str))
