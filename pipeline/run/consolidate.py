"""The consolidation run: read every file, validate, choose the file that counts, total.

`run` returns the result (`result.Report`) and writes nothing; `app.consolidate_into`
(the command line's `consolidate`) runs it and writes the outputs (`render.outputs`)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from ..form import Form

# Only light modules here: reading files needs neither pandas nor pandera, so worker
# processes start without them and the main process imports them while the workers read.
from ..intake.containers import Submission, expand
from ..intake.inbox import READ, InboxEntry, list_inbox
from ..intake.mail_settings import load_mail_settings
from ..read.parse import parse_submission
from ..read.parsed import Parsed
from .changes import since_previous
from .progress import Clock, Progress
from .result import FileRecord, Report
from .submissions import entry_record, resolve
from .workers import pool as worker_pool
from .workers import starting_workers, stop_pool, worker_form

PARALLEL_FROM = 40  # files; below this a process pool costs more than it saves
CHUNK = 16  # files per message to a worker process


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
    pool = None
    try:
        with starting_workers():  # workers start (on the first submits) without Ctrl-C
            pool = worker_pool(workers - 1, form)
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
    except BaseException:  # Ctrl-C (once or twice), SIGTERM, an error: stop now, not after the queue
        if pool is not None:
            stop_pool(pool)
        raise
    pool.shutdown()
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
    archive: Path | Sequence[Path] | None = None,
    run_id: str = "",
    clock: Clock | None = None,
    while_reading: Callable[[], None] | None = None,
) -> Report:
    """Consolidate `inbox`: read, validate, choose each unit's file, total. Writes nothing.

    Bad files become findings, never errors. Earlier years are read from `archive`, else
    from `outbox` (where their outputs were written); `outbox` is also left out of the
    inbox listing when it lies inside it. `run_id` names the output set (default: a new
    UUID). `clock` takes the phase timings; `while_reading` runs in this process while
    worker processes read (the caller's own imports, e.g. the writers)."""
    clock = clock or Clock()
    listing = list_inbox(inbox, outbox)
    to_read = [(e.path, e.name) for e in listing if e.status == READ and e.path is not None]

    def warm_up() -> None:
        _import_heavy()
        if while_reading:
            while_reading()

    parsed = read_all(form, submissions(form, to_read), workers, show_progress, while_waiting=warm_up)
    clock.lap("read")
    # imported by `_import_heavy` while the workers read (worker processes never need them)
    from ..check.arrival import check_arrival  # its checks are rules: pandera
    from ..check.validate import validate_all
    from .aggregate import build_detail, build_totals
    from .history import load_history, plausibility_findings

    validate_all(form, parsed)
    check_arrival(form, parsed, dt.datetime.now(load_mail_settings(form).zone).date())
    clock.lap("validate")
    history = load_history(form, archive if archive is not None else outbox)
    plausibility_findings(form, parsed, history)
    files, units = resolve(form, parsed)
    files = _in_listing_order(listing, files)
    detail = build_detail(form, [(form.units_by_code[u.code], u.file.parsed) for u in units if u.file])
    clock.lap("merge")
    report = Report(
        form=form,
        inbox=inbox,
        files=files,
        units=units,
        detail=detail,
        totals=build_totals(form, detail),
        history=history,
        generated_at=dt.datetime.now().replace(microsecond=0),
        **({"run_id": run_id} if run_id else {}),
    )
    report.changes = since_previous(report, outbox)
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
    """Import pandas and pandera (about 0.3 s) while worker processes read: deliberately
    lazy, so the worker processes start from a light process."""
    from ..check import arrival, validate  # noqa: F401
    from . import aggregate, history  # noqa: F401

    validate.warm_up()


def check_files(form: Form, paths: list[Path]) -> list[Parsed]:
    """Validate files on their own (no consolidation, nothing written): what each file
    holds, in order (a message or archive, then its attachments or members)."""
    return [p for group in check_by_file(form, paths) for p in group]


def check_by_file(form: Form, paths: list[Path]) -> list[list[Parsed]]:
    """`check_files`, grouped by the path given: a plain file is one Parsed; a message or
    an archive is its own line, then one Parsed for each attachment or member."""
    from ..check.arrival import check_arrival  # lazy like `_import_heavy`: pandas and pandera
    from ..check.validate import validate_all

    groups = [submissions(form, [(p, p.name)]) for p in paths]
    parsed = read_all(form, [sub for group in groups for sub in group], workers=1, show=False)
    validate_all(form, parsed)
    check_arrival(form, parsed, dt.datetime.now(load_mail_settings(form).zone).date())
    out, start = [], 0
    for group in groups:
        out.append(parsed[start : start + len(group)])
        start += len(group)
    return out
