"""The consolidation run: read every file, validate, choose the file that counts, total.

`run` returns the result (`result.Report`) and writes nothing; `app.consolidate_into`
(the command line's `consolidate`) runs it and writes the outputs (`render.outputs`).
This module imports pandas and pandera (the checks, the totals); the reading it starts
(`run.reading`) does not, so a caller that starts the reading first (`read_inbox`, as the
command line does) imports this module while the worker processes read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from ..check.validate import check_arrival, validate_all, warm_up
from ..form import Form
from ..intake.inbox import READ, InboxEntry, classify
from ..intake.mail_settings import load_mail_settings
from ..read.parsed import Parsed
from .aggregate import build_detail, build_totals
from .changes import changes_since, first_found, first_seen, previous_result
from .history import load_history, plausibility_findings
from .progress import Clock
from .reading import Reading, read_all, read_inbox, submissions
from .result import CheckReport, FileRecord, Report
from .submissions import credit_sender, entry_record, resolve


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
    reading: Reading | None = None,
) -> Report:
    """Consolidate `inbox`: read, validate, choose each unit's file, total. Writes nothing.

    Bad files become findings, never errors. Earlier years are read from `archive`, else
    from `outbox` (where their outputs were written); `outbox` is also left out of the
    inbox listing when it lies inside it. `run_id` names the output set (default: a new
    UUID). `clock` takes the phase timings (default: the reading's). `reading` is the
    inbox's reading already started (`reading.read_inbox(form, inbox, outbox, ...)`, whose
    `workers` and `show` then apply), else it starts here."""
    reading = reading or read_inbox(form, inbox, outbox, workers, show_progress)
    clock = clock or reading.clock
    listing = reading.listing
    with reading:
        warm_up()  # while the workers read
        parsed = reading.collect()
    clock.lap("read")
    validate_all(form, parsed)
    today = dt.datetime.now(load_mail_settings(form).zone).date()  # the province's
    check_arrival(form, parsed, today)
    clock.lap("validate")
    history = load_history(form, archive if archive is not None else outbox)
    plausibility_findings(form, parsed, history)
    previous = previous_result(outbox, form, run_id)
    files, units = resolve(form, parsed, today, first_seen(previous), first_found(previous))
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
        # the province's wall-clock time, as every `received` (never the machine's zone)
        generated_at=dt.datetime.now(load_mail_settings(form).zone).replace(tzinfo=None, microsecond=0),
        **({"run_id": run_id} if run_id else {}),
    )
    for rec in files:  # first read by this run: found now (kept by the next runs as it is)
        if rec.found is None and rec.parsed.info.sha256:
            rec.found = report.generated_at
    report.changes = changes_since(report, previous)
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


def check_files(form: Form, paths: list[Path]) -> list[Parsed]:
    """Validate files on their own (no consolidation, nothing written): what each file
    holds, in order (a message or archive, then its attachments or members)."""
    return [p for group in check_by_file(form, paths) for p in group]


def check_by_file(form: Form, paths: list[Path]) -> list[list[Parsed]]:
    """`check_files`, grouped by the path given: a plain file is one Parsed; a message or
    an archive is its own line, then one Parsed for each attachment or member."""
    groups = [submissions(form, [(p, p.name)]) for p in paths]
    parsed = read_all(form, [sub for group in groups for sub in group], workers=1, show=False)
    validate_all(form, parsed)
    today = dt.datetime.now(load_mail_settings(form).zone).date()  # the province's
    check_arrival(form, parsed, today)
    for p in parsed:  # a file refused unread: the unit `consolidate` would credit it to
        credit_sender(form, p)
    out, start = [], 0
    for group in groups:
        out.append(parsed[start : start + len(group)])
        start += len(group)
    return out


def check_report(form: Form, paths: list[Path]) -> CheckReport:
    """Check each file of `paths` alone, as `check` does: read and validate it (a message or
    an archive: each attachment or member), nothing consolidated, nothing written. Entries
    that are not submissions (lock files and the like) or cannot be read are listed with
    their reason, unread. Never raises for a bad file."""
    entries = [classify(p) for p in paths]
    groups = iter(check_by_file(form, [p for p, e in zip(paths, entries, strict=True) if e.status == READ]))
    return CheckReport.of(
        [(p, e, next(groups) if e.status == READ else []) for p, e in zip(paths, entries, strict=True)]
    )
