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
from concurrent.futures import ProcessPoolExecutor

from ..form import Form
from ..read.worker import start_worker
from ..system import impl


def pool(workers: int, form: Form) -> ProcessPoolExecutor:
    """A pool of `workers` processes, each holding `form` (`read.worker.worker_form()`),
    started the system's way and bound to this run's life."""
    return ProcessPoolExecutor(
        workers, mp_context=impl.pool_context(), initializer=start_worker, initargs=(form,)
    )


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Stop a pool of this run's workers at once: its queued jobs cancelled and its worker
    processes terminated (they ignore Ctrl-C, and one blocked waiting for work would keep
    the run from exiting). Called while the run is interrupted, when the pool's workers are
    this process's only children (multiprocessing.active_children)."""
    pool.shutdown(wait=False, cancel_futures=True)
    for child in multiprocessing.active_children():
        child.terminate()
    for child in multiprocessing.active_children():
        child.join(5)
    # its workers gone, the pool's own thread ends at once: wait for it, or the interpreter's
    # exit wakes that thread through a pipe it may be closing meanwhile (CPython 3.11's
    # concurrent.futures.process._python_exit: "OSError: [Errno 9] Bad file descriptor", an
    # English traceback after Ctrl-C, seen in CI)
    pool.shutdown(wait=True)


starting_workers = impl.starting_workers
"""Context manager: hold Ctrl-C and SIGTERM while a pool's workers start (its creation and
first submits), so no worker meets them before it ignores them."""
