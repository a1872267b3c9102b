"""Crash-safe output: write to a temporary file, then rename into place; one run at a time."""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path


class OutboxBusy(Exception):
    """Another consolidation run holds the output folder."""


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success it replaces `path` atomically.

    On any error (or Ctrl-C) the temporary file is removed and `path` is left as it was.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def write_bytes_atomic(path: Path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


@contextlib.contextmanager
def outbox_lock(folder: Path, wait_seconds: float = 30.0) -> Iterator[None]:
    """Hold an exclusive lock on `folder` for the run; wait up to `wait_seconds`, then refuse."""
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise OutboxBusy(
                        f"Đang có một lượt tổng hợp khác ghi vào thư mục '{folder}'. "
                        "Hãy chờ lượt đó kết thúc rồi chạy lại."
                    ) from None
                time.sleep(0.2)
        yield
    finally:
        os.close(fd)
