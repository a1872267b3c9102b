"""A consolidation as the command line runs it: the run, then its outputs written as one set.

A library caller that wants only the result calls `consolidate.run`; one that wants the
outputs too calls `consolidate_into`. This module imports pandas, pandera and the writers:
the command line imports it once the reading has started (`commands.consolidate`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .form import Form
from .outbox.atomic import OutboxHeld
from .render.outputs import write_outputs
from .run.consolidate import run
from .run.reading import Reading, read_inbox
from .run.result import Report


def consolidate_into(
    form: Form,
    inbox: Path,
    outbox: Path,
    *,
    workers: int | None = None,
    show_progress: bool = True,
    archive: Path | Sequence[Path] | None = None,
    lock_wait: float = 30.0,
    run_id: str = "",
    reading: Reading | None = None,
) -> Report:
    """Consolidate `inbox` (`consolidate.run`) and write every output into `outbox/<year>/`
    as one set (`render.outputs.write_outputs`); the Report's `outputs` name the files.

    `reading` is the inbox's reading already started (`run.reading.read_inbox`, whose
    `workers` and `show` then apply), else it starts here.

    Waits up to `lock_wait` s for another run on the same outbox. Raises
    `atomic.OutboxBusy`, `atomic.OutboxUnwritable` (the current set left as it was),
    `atomic.OutboxHeld` (the new set complete but not current: a file of the current set is
    open in Excel or Word; its `report` is this run's), and
    `form.FormError` when the report's wording names a figure that does not exist."""
    reading = reading or read_inbox(form, inbox, outbox, workers, show_progress)
    clock = reading.clock
    report = run(form, inbox, outbox, archive=archive, run_id=run_id, clock=clock, reading=reading)
    try:
        write_outputs(report, outbox, lock_wait, clock.lap)
    except OutboxHeld as exc:
        exc.report = report  # the run itself is whole: the officer still sees its summary
        raise
    clock.report()
    return report
