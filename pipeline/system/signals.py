"""Ctrl-C and SIGTERM held while worker processes start, shared by both implementations.

A signal blocked with `pthread_sigmask` (POSIX) is not lost: it waits until unblocked. A
child started meanwhile inherits the block (fork and exec keep the mask), so it can ignore
the signals before it unblocks them and never dies in its first instants with a traceback.
Windows has no signal mask (a console's Ctrl-C reaches each process as an event): there
the hold does nothing.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator

HELD = {signal.SIGINT, signal.SIGTERM}


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
