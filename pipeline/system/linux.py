"""The Linux implementation of the system seam: the kernel's own calls.

- the lock: a POSIX record lock (`fcntl.lockf`, F_SETLK). It belongs to the process, is not
  inherited by forked children (POSIX.1 fcntl) and the kernel drops it when the process
  dies, however it dies;
- the swap: `renameat2(RENAME_EXCHANGE)` (Linux 3.15+, man 2 rename) leaves no moment
  without the current set;
- durability: `syncfs(2)` flushes the filesystem holding the new set;
- untrusted paths: opened with O_NOFOLLOW (never through a link) and O_NONBLOCK (a FIFO
  swapped in after listing cannot block the run);
- workers: `prctl(PR_SET_PDEATHSIG, SIGKILL)` (man 2 prctl) kills a worker when the run
  dies; pools fork (cheap, and the form is not pickled);
- LibreOffice: started in its own session and killed as a process group (`soffice` is a
  script that starts `soffice.bin`).

Importing this module fails (ImportError, OSError, AttributeError) where any of it is
missing; `pipeline.system` then uses `portable`.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import multiprocessing
import os
import signal
import subprocess
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

from .nativeerr import held_native_stderr
from .signals import held_while_starting, release_in_worker

_LIBC = ctypes.CDLL(None, use_errno=True)
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_PR_SET_PDEATHSIG = 1
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC
_NOFOLLOW = os.O_NOFOLLOW
_KILLPG = os.killpg


class Lock:
    """An exclusive lock on the file `path` (created if needed), held by this process.
    OSError when the file cannot be created or opened."""

    def __init__(self, path: Path) -> None:
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)

    def try_acquire(self) -> bool:
        """Take the lock if it is free; False when another process holds it."""
        try:
            fcntl.lockf(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                return False
            raise
        return True

    def release(self) -> None:
        """Release the lock (closing the file drops it)."""
        os.close(self._fd)


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step; False when the filesystem cannot (then the caller
    renames in two steps). OSError for any other failure."""
    fn = getattr(_LIBC, "renameat2", None)
    if fn is None:
        return False
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def sync_folder(folder: Path) -> None:
    """Flush the filesystem holding `folder` (syncfs(2)), so a power cut after the swap
    cannot leave the new set's files empty."""
    fd = os.open(folder, os.O_RDONLY | os.O_CLOEXEC)
    try:
        fn = getattr(_LIBC, "syncfs", None)
        if fn is None or fn(fd) != 0:
            os.sync()
    finally:
        os.close(fd)


def open_untrusted(path: Path, follow: bool = False) -> int:
    """A read-only descriptor of `path`, opened without blocking (a FIFO cannot hang the
    run) and, unless `follow`, never through a symbolic link (OSError ELOOP). The caller
    checks that it is a regular file (`os.fstat`) and closes it."""
    return os.open(path, _OPEN_FLAGS | (0 if follow else _NOFOLLOW))


def pid_alive(pid: int) -> bool:
    """Whether a process `pid` exists (signal 0 checks without sending anything)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def bind_to_parent() -> None:
    """In a worker: die with the parent (the kernel sends SIGKILL), ignore Ctrl-C (the
    parent stops us). Exits at once if the parent is already gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    release_in_worker()  # held by `starting_workers`
    _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:  # died before prctl took effect
        os._exit(1)


starting_workers = held_while_starting
"""Hold Ctrl-C and SIGTERM while worker processes start (`signals.held_while_starting`)."""


def pool_context() -> BaseContext:
    """The start method of worker pools: fork (the form is inherited, not pickled)."""
    return multiprocessing.get_context("fork")


def popen_options() -> dict[str, Any]:
    """Options for `subprocess.Popen` of a helper program that `kill_tree` can stop whole."""
    return {"start_new_session": True}


def kill_tree(proc: subprocess.Popen[Any]) -> None:
    """Kill a helper started with `popen_options()` and every process it started."""
    try:
        _KILLPG(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def soffice_places() -> list[Path]:
    """Where LibreOffice is installed when it is not on PATH: nowhere else on Linux
    (distributions put `soffice` on PATH)."""
    return []


def native_stderr_held() -> contextlib.AbstractContextManager[None]:
    """Hold back what compiled libraries write on standard error (`nativeerr`): a Rust
    panic's English lines are dropped, anything else is written after the call."""
    return held_native_stderr()
