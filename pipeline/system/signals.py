"""Ctrl-C and SIGTERM: how a run stops (`stop_once`, `raise_if_stopping`), and held while
worker processes start; shared by both implementations.

A stop is asked for once and then kept: `stop_once` records it before it raises
KeyboardInterrupt, because a library may swallow that exception on its way up. openpyxl's
descriptors convert a value inside a bare `except:` and raise TypeError instead
(`openpyxl.descriptors.base._convert`), which a fallback for files openpyxl refuses then
catches as a bad file; the run went on and, the second Ctrl-C being ignored, made its set
current and exited 0 (seen in CI: Ctrl-C twice while the feedback files were written). The
stages call `raise_if_stopping` where a run must not go on: before each file, each letter,
and before a new set is made current.

A signal blocked with `pthread_sigmask` (POSIX) is not lost: it waits until unblocked. A
child started meanwhile inherits the block (fork and exec keep the mask), so it can ignore
the signals before it unblocks them and never dies in its first instants with a traceback.
Windows has no signal mask (a console's Ctrl-C reaches each process as an event): there
the hold does nothing.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

HELD = {signal.SIGINT, signal.SIGTERM}
STOPPED = "Đã dừng theo yêu cầu; các tệp kết quả cũ vẫn nguyên vẹn."
"""What a command stopped by Ctrl-C or SIGTERM says (the consolidation names its set instead)."""
EXIT_INTERRUPTED = 130  # as a shell reports a process its Ctrl-C stopped (128 + SIGINT)


def stop_on_signals() -> None:
    """Make Ctrl-C and SIGTERM stop this process the orderly way (`stop_once`): set first
    thing at start-up, so that one arriving while the program still loads is told in
    Vietnamese and ends it with EXIT_INTERRUPTED, never an English traceback nor a silent
    death (brk30 F3, F5, F6)."""
    signal.signal(signal.SIGINT, stop_once)
    signal.signal(signal.SIGTERM, stop_once)


_STOP = threading.Event()


def stop_once(_signum: int, _frame: object) -> None:
    """The handler of Ctrl-C (and SIGTERM): the first one stops the run; any further one
    while it stops is ignored, so an impatient second Ctrl-C cannot break the orderly stop.
    Records the stop (for `raise_if_stopping`), then raises KeyboardInterrupt."""
    _STOP.set()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def raise_if_stopping() -> None:
    """Raise KeyboardInterrupt if a stop was asked for: the stop goes on even where a
    library swallowed the KeyboardInterrupt `stop_once` raised (the module's docstring)."""
    if _STOP.is_set():
        raise KeyboardInterrupt


@contextlib.contextmanager
def held_while_starting() -> Iterator[None]:
    """Block Ctrl-C and SIGTERM in this thread for the block's duration; this process gets
    them when it ends."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def release_in_worker() -> None:
    """In a started worker, after it ignores them: unblock what the run held."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, HELD)
