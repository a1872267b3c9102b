"""What compiled libraries write on the process's standard error, held back around a call.

python-calamine is Rust: when it panics on a file (a record longer than its stream in some
.xls), Rust's default panic hook writes two or three English lines straight to the
process's standard error (file descriptor 2) before pyo3 raises PanicException, which the
reader turns into a Vietnamese finding or reads the file with its own reader. The officer
must not see those lines. `held_native_stderr` points descriptor 2 at a temporary file
for the length of the call and afterwards drops what a panic wrote, replaying anything
else (a warning of Python's own, flushed meanwhile) to the real standard error.

Descriptor 2 is the C runtime's on every system; on Windows, Rust writes through the Win32
standard handle instead (`GetStdHandle(STD_ERROR_HANDLE)`), so `portable` swaps that handle
too (`swap_handle`). Costs four system calls a file.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Callable, Iterator

PANIC_MARK = b"panicked at"
"""What Rust's default panic hook writes ("thread '<unnamed>' panicked at src/...:")."""

_CAPTURE: dict[int, int] = {}  # pid -> descriptor of its temporary file (never shared with a fork)


def _capture_fd() -> int:
    pid = os.getpid()
    fd = _CAPTURE.get(pid)
    if fd is None:
        with tempfile.TemporaryFile() as fh:  # the file object closes; its descriptor's copy stays
            fd = os.dup(fh.fileno())
        _CAPTURE.clear()  # a forked child never writes into its parent's file
        _CAPTURE[pid] = fd
    return fd


@contextlib.contextmanager
def held_native_stderr(swap_handle: Callable[[int], Callable[[], None]] | None = None) -> Iterator[None]:
    """Within the block, what is written to descriptor 2 goes to a per-process temporary
    file; after it, a Rust panic's message (`PANIC_MARK`) is dropped and anything else is
    written to the real standard error. `swap_handle(fd)` points the system's own handle
    at `fd` and returns how to restore it (Windows). Never raises for the capture itself:
    where descriptor 2 cannot be duplicated (no console), the block runs as it is."""
    try:
        capture = _capture_fd()
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):
        yield
        return
    restore = None
    try:
        os.dup2(capture, 2)
        restore = swap_handle(capture) if swap_handle else None
        yield
    finally:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            sys.stderr.flush()
        if restore is not None:
            restore()
        os.dup2(saved, 2)
        os.close(saved)
        _replay(capture)


def _replay(capture: int) -> None:
    """Write what was captured to the real standard error unless a panic wrote it; empty
    the file for the next call."""
    size = os.fstat(capture).st_size
    if not size:
        return
    os.lseek(capture, 0, os.SEEK_SET)
    written = os.read(capture, size)
    os.lseek(capture, 0, os.SEEK_SET)
    os.ftruncate(capture, 0)
    if PANIC_MARK not in written:
        with contextlib.suppress(OSError):
            os.write(2, written)
