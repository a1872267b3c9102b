"""Crash-safe output: one run at a time, and a run's outputs made current as one set.

Layout of an outbox for year Y (see README, "What survives what"):

    outbox/Y/                 the current set: what the officer opens
    outbox/Y-lan-truoc/       the previous set, whole (older ones are pruned)
    outbox/Y-lan-truoc-giu-lai[-N]/  an older set not pruned: it held the officer's work
                              that no newer set has a copy of (see `_prune`)
    outbox/.Y.lock            the lock of the running process
    outbox/.Y.dang-ghi-<pid>  a set being written (removed by the next run if left over)

Folders of the current set that no run writes (`paths.CARRIED`: the mail drafts and the
record of messages sent) are hard-linked into each new set before the swap.

A set is written into its own hidden folder, flushed to disk, and renamed to
`outbox/.Y.san-sang` (complete). Where the system can exchange two folders in one step
(Linux: `system.linux.exchange`), it is swapped with `outbox/Y`, which leaves no moment
without `outbox/Y`. Elsewhere (Windows, macOS) the old set is moved aside and the new one
renamed into place; a run that finds `.Y.san-sang` finishes that move: into `outbox/Y`
when it is missing, or, when the old set is still there (a file of it was held open), by
moving the old set aside first.

On Windows a file open in Excel or Word holds its folder: the set cannot be moved aside.
The new set then stays complete in `.Y.san-sang`, `OutboxHeld` names the files to close,
and the next run finishes the swap (`system.held`).

The lock is the system's (`system.impl.Lock`): a lock the system drops when the process
dies, however it dies.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import os
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from ..system import held, impl
from ..system.signals import raise_if_stopping
from ..text.command import option_hint
from .kept import carry_into_waiting_set, unkept_files
from .paths import (
    CARRIED,
    REPORT,
    leftover_glob,
    lock_path,
    previous_dir,
    ready_dir,
    staging_dir,
    trash_dir,
    year_dir,
)


class OutboxBusy(Exception):
    """Another consolidation run holds the output folder."""


class OutboxHeld(Exception):
    """The new set is complete but cannot be made current: another program (Excel, Word)
    holds files of the current or previous set open. The message (Vietnamese) names them;
    the new set waits in `ready` and the next run finishes the swap."""

    def __init__(self, files: list[Path], ready: Path) -> None:
        self.files = files
        self.ready = ready
        self.report: object = None  # the run's Report, set by the caller that has one
        shown = "; ".join(f"'{f}'" for f in files) or (
            f"một tệp trong '{ready.parent}' (không rõ tệp nào; nếu không có tệp nào đang mở, "
            "hãy kiểm tra quyền ghi vào thư mục đó)"
        )
        self.message = (
            f"Bộ kết quả mới đã ghi xong nhưng chưa thay được bộ hiện hành vì tệp sau đang mở "
            f"trong chương trình khác (Excel, Word…): {shown}. Hãy đóng tệp đó rồi chạy lại lệnh; "
            f"lần chạy sau sẽ hoàn tất việc thay. Bộ mới đang chờ trong '{ready}'."
        )
        super().__init__(self.message)


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


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Remove the temporary files that `atomic_path` left in `folder` (not below it) for
    processes no longer running (a run killed while writing); return what was removed.
    A temporary file of a live process (another run writing now) is left alone."""
    removed = []
    for tmp in folder.glob(".*.tmp"):
        pid = tmp.name.rsplit(".", 2)[-2]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        with contextlib.suppress(OSError):
            tmp.unlink()
            removed.append(tmp)
    return removed


def _alive(pid: int) -> bool:
    """Whether a process `pid` exists (the system's own test: never a signal on Windows)."""
    return impl.pid_alive(pid)


def publish_new(tmp: Path, target: Path) -> None:
    """Give the complete file `tmp` the name `target`, which must not exist yet
    (FileExistsError: never overwritten). A hard link where the filesystem has them (ext4,
    NTFS, APFS): the name appears whole or not at all; elsewhere (FAT and exFAT memory
    sticks, some network shares) a copy into a file created exclusively. `tmp` stays."""
    try:
        os.link(tmp, target)
        return
    except FileExistsError:
        raise
    except OSError:
        pass  # no hard links on this filesystem
    with open(target, "xb") as out, open(tmp, "rb") as src:
        shutil.copyfileobj(src, out)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


@contextlib.contextmanager
def outbox_lock(path: Path, wait_seconds: float = 30.0) -> Iterator[None]:
    """Hold an exclusive lock on the file `path` (created if needed) for the run; wait up
    to `wait_seconds` for another run (saying so once on stderr), then raise OutboxBusy. OSError when the folder
    cannot hold the file (read-only, no permission, full)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = impl.Lock(path)
    try:
        deadline = time.monotonic() + wait_seconds
        said = False  # the officer is told once that the run waits
        while not lock.try_acquire():
            if not said and wait_seconds >= 1:
                said = True
                sys.stderr.write(
                    f"Đang chờ một lượt tổng hợp khác ghi xong (tối đa {wait_seconds:.0f} giây)…\n"
                )
            if time.monotonic() >= deadline:
                raise OutboxBusy(
                    f"Đang có một lượt tổng hợp khác ghi vào thư mục '{path.parent}'. "
                    "Hãy chờ lượt đó kết thúc rồi chạy lại."
                )
            time.sleep(0.2)
        yield
    finally:
        lock.release()


def _move(src: Path, dst: Path, ready: Path) -> None:
    """Rename `src` to `dst`, trying again while a file is briefly held (an antivirus);
    OutboxHeld when another program keeps a file of `src` open."""
    try:
        held.retry_held(lambda: os.rename(src, dst))
    except PermissionError as exc:
        if not held.is_held(exc):
            raise
        raise OutboxHeld(held.held_files(src), ready) from exc


def _writable_then_retry(func, path, _exc) -> None:  # noqa: ANN001 - shutil's callback shape
    """rmtree's error callback: make the failing entry and its folder writable, then retry
    once (a file or folder the officer, Windows or a copy from a CD marked read-only)."""
    for p in (os.path.dirname(path), path):
        if not os.path.islink(p):  # never change what a link points to
            with contextlib.suppress(OSError):
                os.chmod(p, os.stat(p).st_mode | 0o700)
    func(path)


def remove_tree(path: Path) -> None:
    """Remove a folder of the outbox, read-only entries included (see `_writable_then_retry`).
    What still cannot be removed is left behind and removed by a later run's tidy-up."""
    with contextlib.suppress(OSError):
        if sys.version_info >= (3, 12):
            shutil.rmtree(path, onexc=_writable_then_retry)
        else:
            shutil.rmtree(path, onerror=_writable_then_retry)


def _remove(path: Path, outbox: Path, year: int) -> None:
    """Remove a leftover folder: renamed away first, so a dying worker of a killed run
    that still writes into it cannot make the removal fail."""
    if not path.exists():
        return
    trash = trash_dir(outbox, year, time.monotonic_ns())
    _move(path, trash, ready_dir(outbox, year))
    if trash.is_dir() and not trash.is_symlink():
        remove_tree(trash)
    else:
        with contextlib.suppress(OSError):
            trash.unlink()


def _recover(outbox: Path, year: int) -> None:
    """Tidy after a run that died or was held: finish an interrupted swap (a complete set
    waiting in `ready`), remove half-written sets. A swap still held is left for this
    run's own set, which supersedes it."""
    current, ready = year_dir(outbox, year), ready_dir(outbox, year)
    if ready.is_dir():
        if current.is_dir():  # what the officer saved once the file was closed goes along
            carry_into_waiting_set(current, ready)
        with contextlib.suppress(OutboxHeld):
            _swap_in(ready, outbox, year)
    for left in outbox.glob(leftover_glob(year)):
        if left.is_dir():
            remove_tree(left)
    if current.is_dir():  # temporary files of runs made before sets were swapped whole
        for tmp in current.rglob(".*.tmp"):
            with contextlib.suppress(OSError):
                tmp.unlink()


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _carry(current: Path, staging: Path) -> None:
    """Bring the folders a run does not write (CARRIED) from the current set into the new
    one, as hard links: the same files, no copy, nothing lost when the sets swap."""
    for name in CARRIED:
        src = current / name
        if src.is_dir() and not (staging / name).exists():
            shutil.copytree(src, staging / name, copy_function=_link_or_copy, symlinks=True)


def _prune(previous: Path, outbox: Path, year: int, *newer: Path) -> None:
    """Remove the previous set `previous`, unless it holds files the officer changed or
    added that have no identical copy in the `newer` sets (`kept.unkept_files`; the run
    copies them into its new set before, `kept.keep_previous_files`): then it is set aside,
    whole, as `<year>-lan-truoc-giu-lai[-N]`, never removed."""
    if not previous.exists():
        return
    if previous.is_dir() and not previous.is_symlink() and unkept_files(previous, *newer):
        base = previous.with_name(f"{previous.name}-giu-lai")
        aside = next(
            p
            for n in range(1, 10_000)
            if not (p := base if n == 1 else base.with_name(f"{base.name}-{n}")).exists()
        )
        _move(previous, aside, ready_dir(outbox, year))
        return
    _remove(previous, outbox, year)


def _swap_in(ready: Path, outbox: Path, year: int) -> None:
    """Make the complete set `ready` current; the current set becomes the previous one and
    the previous one is pruned (`_prune`). OutboxHeld (nothing moved that a reader would
    miss) when a file of the current or previous set is held open."""
    current, previous = year_dir(outbox, year), previous_dir(outbox, year)
    if not current.exists():
        _move(ready, current, ready)
    elif impl.exchange(ready, current):
        _prune(previous, outbox, year, current, ready)  # `current` holds the new set, `ready` the old
        os.rename(ready, previous)  # `ready` now holds the old set
    else:
        _prune(previous, outbox, year, ready, current)
        _move(current, previous, ready)
        held.retry_held(lambda: os.rename(ready, current))


def _make_current(staging: Path, outbox: Path, year: int) -> None:
    ready = ready_dir(outbox, year)
    _carry(year_dir(outbox, year), staging)
    if ready.exists():  # a complete set of an earlier run, never made current: superseded
        _remove(ready, outbox, year)
    os.rename(staging, ready)  # the set is complete
    _swap_in(ready, outbox, year)
    impl.sync_folder(outbox)


@contextlib.contextmanager
def output_set(outbox: Path, year: int, wait_seconds: float = 30.0) -> Iterator[Path]:
    """Lock the year's outputs, yield an empty folder to write the new set into, and make it
    the current set (`outbox/<year>`) in one step when the block ends without error.

    On any error or interruption the new folder is removed and the current set stays as it
    was. Raises OutboxBusy (another run), OSError (the outbox cannot be written)."""
    outbox.mkdir(parents=True, exist_ok=True)
    with outbox_lock(lock_path(outbox, year), wait_seconds):
        _recover(outbox, year)
        current = year_dir(outbox, year)
        if (current.exists() or current.is_symlink()) and not current.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, "a file where the year's folder should be", str(current))
        staging = staging_dir(outbox, year)
        staging.mkdir()
        try:
            yield staging
            raise_if_stopping()  # never made current once a stop was asked for
            impl.sync_folder(staging)
            _make_current(staging, outbox, year)
        finally:
            if staging.exists():
                remove_tree(staging)


class OutboxUnwritable(Exception):
    """The outbox cannot be written: full disk, read-only, no permission, not a folder.
    The message (Vietnamese) names the folder and what to do."""

    def __init__(self, message: str, folder: Path) -> None:
        super().__init__(message)
        self.message = message
        self.folder = folder

    @classmethod
    def from_os(cls, exc: OSError, folder: Path) -> OutboxUnwritable:
        where = f"thư mục kết quả '{folder}'"
        other = option_hint("--outbox")  # OUTBOX= when run from make
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            text = (
                f"Ổ đĩa chứa {where} đã đầy (hoặc hết hạn mức), không ghi được kết quả. "
                f"Hãy xóa bớt tệp không cần trên ổ đó, hoặc chọn thư mục khác bằng {other}, rồi chạy lại."
            )
        elif exc.errno == errno.EROFS:
            text = (
                f"{where.capitalize()} nằm trên ổ chỉ cho đọc (read-only), không ghi được kết quả. "
                f"Hãy chọn thư mục khác bằng {other}, hoặc nhờ cán bộ tin học cho phép ghi, rồi chạy lại."
            )
        elif exc.errno in (errno.EACCES, errno.EPERM):
            text = (
                f"Không có quyền ghi vào {where}. Hãy cấp quyền ghi cho người chạy chương trình, "
                f"hoặc chọn thư mục khác bằng {other}, rồi chạy lại."
            )
        elif exc.errno == errno.ENOENT:
            text = (
                f"Không tạo được {where}: một thư mục trên đường dẫn không có, hoặc ổ đĩa đó không cho "
                f"tạo thư mục. Hãy kiểm tra lại đường dẫn, hoặc chọn thư mục khác bằng {other}, rồi chạy lại."
            )
        elif exc.errno in (errno.ENOTDIR, errno.EEXIST):
            text = (
                f"Không tạo được {where}: trên đường dẫn có một tệp trùng tên thư mục. "
                f"Hãy đổi tên tệp đó hoặc chọn thư mục khác bằng {other}, rồi chạy lại."
            )
        else:
            text = (
                f"Không ghi được vào {where} (lỗi hệ thống {errno.errorcode.get(exc.errno or 0, exc.errno)}). "
                f"Hãy kiểm tra ổ đĩa và thư mục đó, hoặc chọn thư mục khác bằng {other}, rồi chạy lại."
            )
        return cls(text, folder)


def current_run_id(outbox: Path, year: int) -> str:
    """The run id of the current set of outputs (written in its bao-cao.json, the last
    file of a set); "" when there is no complete set."""
    try:
        data = json.loads((year_dir(outbox, year) / REPORT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    return str(data.get("run_id", "")) if isinstance(data, dict) else ""


def current_set_note(outbox: Path, year: int, run_id: str = "") -> str:
    """Which set of outputs is current (Vietnamese), read from the disk: the run time and
    run id written in `outbox/<year>/bao-cao.json` (the last file of a set), and whether it
    is the set of the run `run_id` (this run) or of an earlier one."""
    folder = year_dir(outbox, year)
    try:
        data = json.loads((folder / REPORT).read_text(encoding="utf-8"))
        at = dt.datetime.fromisoformat(data["generated_at"])
    except (OSError, ValueError, KeyError, TypeError):
        return f"Chưa có bộ kết quả hoàn chỉnh nào trong '{folder}'."
    whose = "của lần chạy này" if run_id and data.get("run_id") == run_id else "của lần chạy trước"
    return (
        f"Bộ kết quả hiện hành trong '{folder}' là {whose} (lúc {at:%H:%M:%S ngày %d/%m/%Y}), còn nguyên vẹn."
    )
