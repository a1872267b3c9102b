"""The form of a worker process, handed over once when the process starts.

Process pools pass it with `initializer=start_worker, initargs=(form,)`, so each worker
keeps one Form object and what it derives from it (cell plans) across all its jobs.
"""

from __future__ import annotations

from .form import Form

_FORM: list[Form] = []


def start_worker(form: Form) -> None:
    _FORM[:] = [form]


def worker_form() -> Form:
    return _FORM[0]
