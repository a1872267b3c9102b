"""Stopping a pool of worker processes (`run.workers.stop_pool`) leaves nothing behind: no
traceback from the pool's own thread, no thread of it still running.

On CPython 3.11 a worker terminated while the pool still listed a job the run had taken
back (`Future.cancel`) killed the pool's thread with "InvalidStateError: CANCELLED" (gh-107219),
an English traceback printed after a SIGTERM in CI; and the pool's thread outlived the stop.
Real pools, real processes, real jobs taken back while others run, as the readers and the
feedback writer do; many times, since the fault was a race (about one stop in twenty).
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import BrokenExecutor

import pytest

from pipeline.form import Form
from pipeline.run.workers import pool, stop_pool

STOPS = 60


def test_a_stopped_pool_leaves_no_traceback_nor_thread(form: Form, monkeypatch: pytest.MonkeyPatch) -> None:
    failures: list[str] = []
    monkeypatch.setattr(
        threading, "excepthook", lambda args: failures.append(f"{args.thread}: {args.exc_type.__name__}")
    )
    alive_before = threading.active_count()
    left = []
    for _ in range(STOPS):
        workers = pool(2, form)
        jobs = [workers.submit(time.sleep, 0.05) for _ in range(20)]
        time.sleep(0.02)  # the first jobs run
        taken_back = [job for job in reversed(jobs) if job.cancel()]  # the rest taken back
        stop_pool(workers)
        left.append(threading.active_count() - alive_before)
        assert taken_back and all(job.cancelled() for job in taken_back)
        for job in jobs:  # every job ended: ran, taken back, or failed with its pool
            assert job.done()
            if not job.cancelled() and job.exception() is not None:
                assert isinstance(job.exception(), BrokenExecutor)
    assert failures == []
    assert left == [0] * STOPS


def test_a_pool_stopped_before_any_job_or_twice_stops_quietly(
    form: Form, monkeypatch: pytest.MonkeyPatch
) -> None:
    failures: list[str] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: failures.append(args.exc_type.__name__))
    alive_before = threading.active_count()
    idle = pool(2, form)
    stop_pool(idle)
    stop_pool(idle)  # shut down already: the last job is refused, the stop goes on
    busy = pool(2, form)
    busy.submit(time.sleep, 0.05).result()
    stop_pool(busy)
    stop_pool(busy)
    assert failures == []
    assert threading.active_count() == alive_before
