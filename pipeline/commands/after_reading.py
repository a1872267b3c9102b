"""The heavy half of `consolidate`, imported while the worker processes read
(`commands.consolidate`): validate, total and write the outputs (pandas, pandera, the
writers), then show the result and write the letters again."""

from __future__ import annotations

import argparse

from ..app import consolidate_into
from ..form import Form
from ..mail.after_run import refresh_after_run
from ..newyear import outboxes_of
from ..render.summary import print_summary
from ..run.reading import Reading
from ..run.result import Report, report_json


def consolidate(form: Form, args: argparse.Namespace, reading: Reading, run_id: str) -> Report:
    """The run of `reading` (started by `commands.consolidate`), its outputs written into
    `args.outbox` as one set. Raises what `app.consolidate_into` raises."""
    return consolidate_into(
        form,
        args.inbox,
        args.outbox,
        # earlier years: --archive, else this outbox, then the outbox of the configuration
        # this one replaced (An Giang's 2025 compared with Kiên Giang's 2024)
        archive=args.archive if args.archive is not None else [args.outbox, *outboxes_of(form)[1:]],
        run_id=run_id,
        reading=reading,
    )


def show(form: Form, args: argparse.Namespace, report: Report) -> None:
    """Print the summary (or the JSON report with --json), then write the letters again
    when they describe an earlier run."""
    if args.json:
        print(report_json(report))
    else:
        print_summary(report)
    refresh_after_run(form, args.outbox, quiet=args.json)  # letters describe the current set
