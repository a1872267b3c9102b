"""A pool whose worker dies by itself (killed, out of memory) loses no job
(`run.workers.submit_all`, `result_or_here`, `close_pool`): jobs submitted before it broke
and those left when it broke while they were being submitted are done in this process.

A run's pool starts its workers as the first jobs are submitted (spawn, on Windows), so a
worker killed then broke the pool between two submits; that submit raised
BrokenProcessPool out of the run, an English traceback (seen with the portable system in
`test_run_survives.py` on a loaded machine)."""

from __future__ import annotations

import functools
import os
import signal
import time
from collections.abc import Iterator
from concurrent.futures import BrokenExecutor
from pathlib import Path

from pipeline.form import Form
from pipeline.outbox.atomic import atomic_path
from pipeline.run.workers import close_pool, pool, result_or_here, submit_all


def _square(x: int, delay: float) -> int:
    time.sleep(delay)
    return x * x


def test_a_pool_broken_while_jobs_are_submitted_loses_none(form: Form) -> None:
    workers = pool(1, form)
    worker = workers.submit(os.getpid).result()
    broke: list[BaseException | None] = []

    def jobs() -> Iterator[tuple[int, float]]:
        yield (1, 5.0)  # its worker busy with this one when it is killed
        os.kill(worker, signal.SIGKILL)
        broke.append(workers.submit(_square, 0, 0).exception(timeout=30))  # the pool knows now
        yield from ((x, 0.0) for x in range(2, 8))

    futures = submit_all(workers, _square, jobs())
    assert len(broke) == 1 and isinstance(broke[0], BrokenExecutor)  # it broke while submitting
    results = [result_or_here(f, functools.partial(_square, x, 0)) for x, f in enumerate(futures, 1)]
    close_pool(workers)
    assert results == [x * x for x in range(1, 8)]


def test_a_worker_killed_while_writing_leaves_no_temporary_file(form: Form, tmp_path: Path) -> None:
    workers = pool(1, form)
    worker = workers.submit(os.getpid).result()
    half = tmp_path / f".report.xlsx.{worker}.tmp"  # as `outbox.atomic` names a worker's
    half.write_bytes(b"PK")
    with atomic_path(tmp_path / "mine.xlsx") as mine:  # this process's, being written now
        mine.write_bytes(b"PK")
        os.kill(worker, signal.SIGKILL)
        [job] = submit_all(workers, _square, [(3, 0.0)])
        assert result_or_here(job, functools.partial(_square, 3, 0)) == 9
        close_pool(workers, written_into=[tmp_path, tmp_path])
        assert not half.exists() and mine.exists()
