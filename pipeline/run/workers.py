"""Pools of worker processes: started the system's way, each bound to the run's life.

Each worker starts with `read.worker.start_worker` and the form handed over once. A worker
must never outlive the run that started it: when the parent dies (SIGKILL, a closed
terminal, a power-off of the session), the worker exits too (`system.impl.bind_to_parent`:
on Linux the kernel kills it, elsewhere it watches the run). Ctrl-C reaches every process
of the terminal's group: workers ignore it and let the run, which owns them, stop them.
Pools start their workers the system's way (`pool`: fork on Linux, spawn elsewhere).
"""

from __future__ import annotations

import multiprocessing
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import BrokenExecutor, Future, InvalidStateError, ProcessPoolExecutor
from pathlib import Path
from typing import TypeVar

from ..form import Form
from ..outbox.atomic import remove_stale_temporaries
from ..read.worker import start_worker
from ..system import impl

T = TypeVar("T")


def _quiet_cancelled_race(args: threading.ExceptHookArgs) -> None:
    """threading.excepthook: CPython 3.11's pool thread dies on a job the run took back
    (gh-107219, fixed in 3.12) when a worker dies by itself (killed, out of memory), after
    it has failed every job still running or waiting, which the run then does itself
    (`run.reading`, `render.feedback`): that one English traceback is not printed; any
    other goes to the hook before it."""
    if args.exc_type is InvalidStateError and type(args.thread).__module__ == "concurrent.futures.process":
        return
    _THREAD_HOOK(args)


_THREAD_HOOK = threading.excepthook
if sys.version_info < (3, 12):
    threading.excepthook = _quiet_cancelled_race


def pool(workers: int, form: Form) -> ProcessPoolExecutor:
    """A pool of `workers` processes, each holding `form` (`read.worker.worker_form()`),
    started the system's way and bound to this run's life."""
    return ProcessPoolExecutor(
        workers, mp_context=impl.pool_context(), initializer=start_worker, initargs=(form,)
    )


def submit_all(
    pool: ProcessPoolExecutor, fn: Callable[..., T], jobs: Iterable[tuple[object, ...]]
) -> list[Future[T]]:
    """One future per job of `jobs`, `fn(*job)` in `pool`, in their order. When the pool
    breaks while they are submitted (a worker died as it started: killed, out of memory),
    the jobs left hold that BrokenExecutor, for `result_or_here` to do them in this
    process."""
    futures: list[Future[T]] = []
    broken: BrokenExecutor | None = None
    for job in jobs:
        if broken is None:
            try:
                futures.append(pool.submit(fn, *job))
                continue
            except BrokenExecutor as exc:
                broken = exc
        failed: Future[T] = Future()
        failed.set_exception(broken)
        futures.append(failed)
    return futures


def result_or_here(future: Future[T], here: Callable[[], T]) -> T:
    """`future`'s result or, when its pool broke (a worker died by itself: killed, out of
    memory, a crash; BrokenExecutor), `here()`'s: the job done in this process, so the run
    loses nothing and goes on (`close_pool` then removes what the dead worker left). Raises
    what the job or `here` raises."""
    try:
        return future.result()
    except BrokenExecutor:
        return here()


def close_pool(pool: ProcessPoolExecutor, written_into: Iterable[Path] = ()) -> None:
    """Shut `pool` down once every job is done (`result_or_here`), its workers joined. A
    worker that died while writing left its temporary file (`outbox.atomic`) in one of the
    folders `written_into`: stale now that no worker lives, it is removed."""
    pool.shutdown()
    for folder in set(written_into):
        remove_stale_temporaries(folder)


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Stop a pool of this run's workers at once: its queued jobs cancelled and its worker
    processes terminated (they ignore Ctrl-C, and one blocked waiting for work would keep
    the run from exiting). Called while the run is interrupted, when the pool's workers are
    this process's only children (multiprocessing.active_children). Returns once the pool's
    own thread has ended (or after about 10 s if it hangs).

    The order matters on CPython 3.11 (gh-107219, fixed in 3.12): when a worker dies, the
    pool's thread marks every job still in its table as failed, and one whose future the
    run cancelled itself (a job taken back, `Future.cancel`) makes that thread die with an
    English traceback ("InvalidStateError: CANCELLED", seen in CI after SIGTERM). The
    thread drops a cancelled job from its table when the queue reaches it, or all of them
    when it handles `shutdown(cancel_futures=True)`, but only while the pool object is
    alive and before a second `shutdown` resets that request. So the workers are
    terminated only once a last job, submitted here, has left the queue (started or
    cancelled by that thread): every cancelled job before it is gone by then."""
    try:
        last: Future[int] | None = pool.submit(int)
    except RuntimeError:  # shut down or broken already: no thread left to race
        last = None
    # the pool's thread (CPython's private handle, dropped by the shutdown below)
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    deadline = time.monotonic() + _FLUSH_TIMEOUT
    while last is not None and not (last.running() or last.done()):
        if time.monotonic() > deadline:
            break
        time.sleep(0.002)
    for child in multiprocessing.active_children():
        child.terminate()
    for child in multiprocessing.active_children():
        child.join(5)
    # the pool's thread, its workers gone, ends at once: wait for it here (the pool's own
    # shutdown(wait=True) no longer can, the first shutdown dropped its handle), or the
    # interpreter's exit wakes that thread through a pipe it may be closing meanwhile
    # (3.11's concurrent.futures.process._python_exit: "OSError: [Errno 9] Bad file
    # descriptor", an English traceback after Ctrl-C, seen in CI)
    if manager is not None:
        manager.join(_FLUSH_TIMEOUT)


_FLUSH_TIMEOUT = 5.0  # seconds: the pool's thread answers in milliseconds unless it hangs


starting_workers = impl.starting_workers
"""Context manager: hold Ctrl-C and SIGTERM while a pool's workers start (its creation and
first submits), so no worker meets them before it ignores them."""
