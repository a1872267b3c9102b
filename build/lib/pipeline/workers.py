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

from .form import Form

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


def start_worker(form: Form) -> None:
    bind_to_parent()
    _FORM[:] = [form]


def worker_form() -> Form:
    return _FORM[0]
