"""Reading an inbox: its listing, the files to read as submissions, and worker processes
reading them while this process does something else.

Only light modules here: reading files needs neither pandas nor pandera, so the worker
processes start without them (forked from this process, or spawned into
`read.worker`), and the caller imports them while the workers read (`commands.consolidate`;
README, "Start-up"). `tests/test_structure.py` keeps this module light.
"""

from __future__ import annotations

import functools
import os
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from types import TracebackType

from ..form import Form
from ..intake.containers.expand import expand
from ..intake.containers.submission import Submission
from ..intake.inbox import READ, InboxEntry, list_inbox
from ..intake.mail_settings import load_mail_settings
from ..read.parse import parse_submission
from ..read.parsed import Parsed
from ..read.worker import parse_chunk
from ..system.signals import raise_if_stopping
from .progress import Clock, Progress
from .workers import close_pool, result_or_here, starting_workers, stop_pool, submit_all
from .workers import pool as worker_pool

PARALLEL_FROM = 40  # files; below this a process pool costs more than it saves
CHUNK = 16  # files per message to a worker process


def submissions(form: Form, entries: list[tuple[Path, str]]) -> list[Submission]:
    """The files to read, as submissions: messages and archives opened into their entries.

    `entries` are (path, name as the officer sees it) of the inbox entries to read.
    Raises `form.FormError` when the [mail] section is wrong (its time zone dates messages).
    """
    settings = load_mail_settings(form)  # its address: a message the office itself sent is no report
    units = frozenset(a for u in form.units for a in u.emails)
    return [
        sub
        for path, name in entries
        for sub in expand(path, name, form.limits, settings.zone, settings.address or "", units)
    ]


class Reading:
    """Files being read, in parallel above PARALLEL_FROM files: creating it starts the
    worker processes on them; `collect()` returns every Parsed, in the input order.

    With n workers, n - 1 are processes (each gets the form once, so what it derives from it
    is kept) and this process is the last: between the start and `collect()` it is free
    (the caller's imports), then it takes back the chunks of files no process has started
    and reads them itself. Below PARALLEL_FROM files, or with one worker, `collect()` reads
    them all here. Used as a context manager, a Reading left by an exception (Ctrl-C, an
    error) before `collect()` stops its workers at once.

    `listing` is the inbox listing the submissions come from (`read_inbox`), `clock` times
    the run from the start of the listing.
    """

    def __init__(
        self,
        form: Form,
        subs: list[Submission],
        workers: int | None = None,
        show: bool = True,
        *,
        listing: list[InboxEntry] | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.form = form
        self.listing = listing or []
        self.clock = clock or Clock()
        self.progress = Progress(len(subs), "Đang đọc tệp") if show else None
        self.jobs = [(sub, i) for i, sub in enumerate(subs)]
        self.chunks: list[list[tuple[Submission, int]]] = []
        self.futures: list[Future[list[Parsed]]] = []
        self.pool: ProcessPoolExecutor | None = None
        self.collected = False
        workers = workers if workers is not None else (os.cpu_count() or 1)
        if workers < 2 or len(subs) < PARALLEL_FROM:
            return
        # small chunks: everyone finishes together; large enough to keep messages few
        size = max(1, min(CHUNK, len(self.jobs) // (workers * 4)))
        self.chunks = [self.jobs[i : i + size] for i in range(0, len(self.jobs), size)]
        try:
            with starting_workers():  # workers start (on the first submits) without Ctrl-C
                self.pool = worker_pool(workers - 1, form)
                self.futures = submit_all(self.pool, parse_chunk, ((chunk,) for chunk in self.chunks))
        except BaseException:  # a Ctrl-C held while they started arrives here
            self.stop()
            raise

    def collect(self) -> list[Parsed]:
        """Every file's Parsed, in the input order, once all are read (this process reads
        the chunks no worker has started, and those of a pool whose worker died: killed, out
        of memory). Stops the workers at once and raises on Ctrl-C, SIGTERM or an error."""
        self.collected = True
        if self.pool is None:
            return self._read_here()
        done: list[list[Parsed] | None] = [None] * len(self.chunks)
        try:
            for k in reversed(range(len(self.chunks))):  # the last chunks are the least likely started
                if self.futures[k].cancel():
                    done[k] = self._read_chunk(k)
                    self._step(len(self.chunks[k]))
            for k, future in enumerate(self.futures):
                if done[k] is None:
                    done[k] = result_or_here(future, functools.partial(self._read_chunk, k))
                    self._step(len(self.chunks[k]))
        except BaseException:  # Ctrl-C (once or twice), SIGTERM, an error: stop now, not after the queue
            stop_pool(self.pool)
            raise
        close_pool(self.pool)
        if self.progress:
            self.progress.close()
        self._release()
        return [parsed for part in done if part is not None for parsed in part]

    def _read_chunk(self, k: int) -> list[Parsed]:
        return [parse_submission(sub, file_id, self.form) for sub, file_id in self.chunks[k]]

    def stop(self) -> None:
        """Stop the workers at once (queued files cancelled, processes terminated)."""
        if self.pool is not None:
            stop_pool(self.pool)

    def _read_here(self) -> list[Parsed]:
        out = []
        for sub, file_id in self.jobs:
            out.append(parse_submission(sub, file_id, self.form))
            self._step(1)
        if self.progress:
            self.progress.close()
        self._release()
        return out

    def _release(self) -> None:
        """Drop what the reading held: the submissions read in workers came back as copies
        inside their Parsed, so the originals are freed as soon as the reading is done."""
        self.jobs, self.chunks, self.futures = [], [], []

    def _step(self, n: int) -> None:
        raise_if_stopping()  # a Ctrl-C a library swallowed while this process read stops here
        if self.progress:
            self.progress.step(n)

    def __enter__(self) -> Reading:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if kind is not None and not self.collected:
            self.stop()


def read_inbox(
    form: Form, inbox: Path, outbox: Path, workers: int | None = None, show: bool = True
) -> Reading:
    """List `inbox` (leaving out `outbox` when it lies inside it) and start reading the
    entries to read (`Reading`). Raises `form.FormError` for a wrong [mail] section."""
    clock = Clock()
    listing = list_inbox(inbox, outbox)
    to_read = [(e.path, e.name) for e in listing if e.status == READ and e.path is not None]
    return Reading(form, submissions(form, to_read), workers, show, listing=listing, clock=clock)


def read_all(
    form: Form, subs: list[Submission], workers: int | None = None, show: bool = True
) -> list[Parsed]:
    """Parse every submission (`Reading`), in the input order."""
    with Reading(form, subs, workers, show) as reading:
        return reading.collect()
