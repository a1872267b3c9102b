"""Worker processes: the form handed over once, and a life bound to the run's.

Process pools pass the form with `initializer=start_worker, initargs=(form,)`, so each
worker keeps one Form object and what it derives from it (cell plans) across all its jobs.

A worker must never outlive the run that started it: when the parent dies (SIGKILL, a
closed terminal, a power-off of the session), the kernel kills the worker
(prctl(PR_SET_PDEATHSIG, SIGKILL), Linux prctl(2)). Ctrl-C reaches every process of the
terminal's group: workers ignore it and let the run, which owns them, stop them.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from concurrent.futures import ProcessPoolExecutor

from ..form import Form

_FORM: list[Form] = []
_PR_SET_PDEATHSIG = 1


def bind_to_parent() -> None:
    """Make this process die with its parent (Linux); ignore Ctrl-C (the parent stops us).

    Exits at once if the parent is already gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:  # died before prctl took effect
        os._exit(1)


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


def start_worker(form: Form) -> None:
    bind_to_parent()
    _FORM[:] = [form]


def worker_form() -> Form:
    return _FORM[0]
