"""The portable implementation of the system seam: Windows, macOS, and any system where
the Linux calls are missing. It runs on Linux too when chosen (`PIPELINE_SYSTEM=portable`),
which is how the tests exercise it.

- the lock: `filelock.FileLock` (msvcrt.locking on Windows, flock on macOS; where neither
  exists, its soft lock, which a later run breaks when the holder's process is gone). The
  system releases the first two when the process dies;
- the swap: no directory exchange exists (NTFS, APFS through Python), so `exchange` says
  no and the caller renames in two steps, which the next run finishes or undoes
  (`pipeline.outbox.atomic`);
- durability: every file of the new set flushed (`os.fsync`; on Windows FlushFileBuffers
  needs a handle opened for writing);
- untrusted paths: a symbolic link is refused by `lstat` before opening; O_NOFOLLOW and
  O_NONBLOCK are used where the system has them (macOS);
- workers: started with `spawn` (Windows and macOS have no safe fork); each watches the
  run's process (psutil, by pid and start time) and exits when it is gone;
- helper programs (LibreOffice): killed with every process they started (psutil).
"""

from __future__ import annotations

import contextlib
import errno
import multiprocessing
import os
import signal
import stat
import subprocess
import threading
from collections.abc import Callable, Iterator
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

import filelock
import psutil

from .nativeerr import held_native_stderr
from .signals import held_while_starting, release_in_worker

_WATCH_SECONDS = 0.5
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_BINARY", 0)
    | getattr(os, "O_NOINHERIT", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_NONBLOCK", 0)
)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class Lock:
    """An exclusive lock on the file `path` (filelock's lock for this system).
    OSError when the folder cannot hold the file."""

    def __init__(self, path: Path) -> None:
        self._lock = filelock.FileLock(path, timeout=0)

    def try_acquire(self) -> bool:
        """Take the lock if it is free; False when another process holds it."""
        try:
            self._lock.acquire(timeout=0)
        except filelock.Timeout:
            return False
        return True

    def release(self) -> None:
        """Release the lock if held."""
        with contextlib.suppress(OSError):
            self._lock.release(force=True)


def exchange(a: Path, b: Path) -> bool:
    """No directory exchange here: always False (the caller renames in two steps)."""
    return False


def _flush(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    except OSError:
        return  # held or read-only: the system flushes it in time
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_folder(folder: Path) -> None:
    """Flush every file below `folder` to disk (and the folders, where the system can)."""
    for root, _dirs, files in os.walk(folder):
        for name in files:
            _flush(Path(root) / name)
    if hasattr(os, "sync"):
        os.sync()


def open_untrusted(path: Path, follow: bool = False) -> int:
    """A read-only descriptor of `path`, never through a symbolic link unless `follow`
    (OSError ELOOP), without blocking where the system can. The caller checks that it is
    a regular file (`os.fstat`) and closes it."""
    if not follow and stat.S_ISLNK(os.lstat(path).st_mode):
        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), str(path))
    return os.open(path, _OPEN_FLAGS | (0 if follow else _NOFOLLOW))


def pid_alive(pid: int) -> bool:
    """Whether a process `pid` exists (psutil: OpenProcess on Windows, never a signal:
    `os.kill(pid, 0)` would terminate it there)."""
    return psutil.pid_exists(pid)


def _watch(parent: psutil.Process) -> None:
    while True:
        try:
            # pid and start time: a reused pid is not the run; a run killed but not yet
            # collected by its own parent (POSIX's zombie: a shell or a script that has not
            # waited) is gone too, or its workers would live until it is (brk30 F4)
            gone = not parent.is_running() or parent.status() == psutil.STATUS_ZOMBIE
        except psutil.Error:
            gone = True
        if gone:
            os._exit(1)
        threading.Event().wait(_WATCH_SECONDS)


def bind_to_parent() -> None:
    """In a worker: exit when the run that started it is gone (a watching thread), ignore
    Ctrl-C (the run stops its workers). Exits at once if the run is already gone, also
    when its pid names another process by now (started after this worker)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    release_in_worker()  # held by `starting_workers`
    known = multiprocessing.parent_process()
    pid = known.pid if known is not None and known.pid else os.getppid()
    try:
        parent = psutil.Process(pid)
        if parent.create_time() > psutil.Process().create_time():
            os._exit(1)  # the run died and its pid was reused
    except psutil.Error:
        os._exit(1)
    if os.getppid() != pid:  # reparented (POSIX): the run died before we got here
        os._exit(1)
    threading.Thread(target=_watch, args=(parent,), name="watch-run", daemon=True).start()


@contextlib.contextmanager
def starting_workers() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM while worker processes start (`signals.held_while_starting`).

    Spawned pools on POSIX start multiprocessing's resource tracker on their first lock,
    and its start-up unblocks SIGINT unconditionally (CPython's resource_tracker
    `ensure_running`), which would end the hold half-way: it is started first."""
    if hasattr(signal, "pthread_sigmask"):
        from multiprocessing import resource_tracker

        resource_tracker.ensure_running()
    with held_while_starting():
        yield


def pool_context() -> BaseContext:
    """The start method of worker pools: spawn (Windows and macOS have no safe fork)."""
    return multiprocessing.get_context("spawn")


def popen_options() -> dict[str, Any]:
    """Options for `subprocess.Popen` of a helper program: none needed, `kill_tree` finds
    its processes by parentage."""
    return {}


def kill_tree(proc: subprocess.Popen[Any]) -> None:
    """Kill a helper and every process it started (children first, found by psutil)."""
    try:
        kids = psutil.Process(proc.pid).children(recursive=True)
    except psutil.Error:
        kids = []
    for p in kids:
        with contextlib.suppress(psutil.Error):
            p.kill()
    with contextlib.suppress(OSError):
        proc.kill()


def soffice_places() -> list[Path]:
    """Where LibreOffice's installers put `soffice` when it is not on PATH: Program Files
    (64- and 32-bit) and the per-user Programs folder on Windows, the application bundle on
    macOS."""
    roots = [os.environ.get(v, "") for v in ("ProgramFiles", "ProgramFiles(x86)", "ProgramW6432")]
    local = os.environ.get("LOCALAPPDATA", "")
    places = [Path(r) / "LibreOffice" / "program" / "soffice.exe" for r in roots if r]
    if local:
        places.append(Path(local) / "Programs" / "LibreOffice" / "program" / "soffice.exe")
    places.append(Path("/Applications/LibreOffice.app/Contents/MacOS/soffice"))
    return places


def native_stderr_held() -> contextlib.AbstractContextManager[None]:
    """Hold back what compiled libraries write on standard error (`nativeerr`): a Rust
    panic's English lines are dropped, anything else is written after the call. On
    Windows the Win32 standard-error handle, which Rust writes through, is swapped too."""
    return held_native_stderr(_swap_std_error if os.name == "nt" else None)


def _swap_std_error(fd: int) -> Callable[[], None]:
    """Point the Win32 STD_ERROR_HANDLE (-12, GetStdHandle/SetStdHandle, processenv.h) at
    the C runtime descriptor `fd`; returns how to put the previous handle back."""
    import ctypes  # Windows only: this module imports on every system
    import msvcrt

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    kernel32.GetStdHandle.restype = ctypes.c_void_p
    kernel32.GetStdHandle.argtypes = [ctypes.c_uint32]
    kernel32.SetStdHandle.argtypes = [ctypes.c_uint32, ctypes.c_void_p]
    std_error = ctypes.c_uint32(-12 & 0xFFFFFFFF)
    previous = kernel32.GetStdHandle(std_error)
    kernel32.SetStdHandle(std_error, msvcrt.get_osfhandle(fd))  # type: ignore[attr-defined]
    return lambda: kernel32.SetStdHandle(std_error, previous)
