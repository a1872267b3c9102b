"""A reading worker process: where it starts and what it runs (the `templates` command's
workers start here too: `render.template.write_templates`).

Process pools pass the form with `initializer=start_worker, initargs=(form,)`, so each
worker keeps one Form object and what it derives from it (cell plans) across all its jobs.
A spawned worker (Windows, macOS) imports this module to find `start_worker` and
`parse_chunk`, so it must stay light: no pandas, pandera or writer is imported from here
(`tests/test_structure.py` checks it). A forked worker (Linux) imports nothing: it starts as
a copy of the run, which starts its workers before it imports those.
"""

from __future__ import annotations

from ..form import Form
from ..intake.containers.submission import Submission
from ..system import impl
from .parse import parse_submission
from .parsed import Parsed

_FORM: list[Form] = []


def start_worker(form: Form) -> None:
    """A worker's start: bound to the run (`system.impl.bind_to_parent`), the form kept."""
    impl.bind_to_parent()
    _FORM[:] = [form]


def worker_form() -> Form:
    """The form this worker process was started with (`start_worker`)."""
    return _FORM[0]


def parse_chunk(chunk: list[tuple[Submission, int]]) -> list[Parsed]:
    """Parse (submission, file id) pairs in this worker, in order, with its form."""
    return [parse_submission(sub, file_id, worker_form()) for sub, file_id in chunk]
