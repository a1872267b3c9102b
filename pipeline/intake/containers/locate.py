"""A container's bytes, read once per process while its file is unchanged
(`_container_bytes`), and the bytes of an entry found again in them by its locator's steps
(`_entry_bytes`: "mbox:START-END" of a mailbox file, read alone, "part:N" of a message,
"zip:N" of an archive).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from ...form import Limits
from ...system import impl
from ...text.oserrors import read_reason
from ..files import ReadProblem, read_bounded
from .message import _depth, _message_broken, _parsed_parts, _part_bytes
from .zip_members import _member_bytes, _member_kind, _member_problem, _open_zip


def _read_bounded(path: Path, limits: Limits) -> bytes:
    """A container's bytes, never more than the file-size limit (files.read_bounded)."""
    try:
        data, _mtime = read_bounded(path, path.name, limits)
    except ReadProblem as exc:  # the container's own size: not a fact of the entry read
        raise ReadProblem(exc.code, exc.message) from exc
    except OSError as exc:
        raise ReadProblem("FILE_CORRUPT", f"không đọc được tệp: {read_reason(exc)}") from exc
    if not data:
        raise ReadProblem("FILE_EMPTY", "tệp rỗng (0 byte)")
    return data


def _container_bytes(path: Path, limits: Limits) -> bytes:
    """A container's bytes for finding its entries again: read once per process while the
    file is unchanged (its size and modification time), so the 500th attachment of a
    message costs no more than the first."""
    try:
        st = path.stat()
    except OSError as exc:
        raise ReadProblem("FILE_CORRUPT", f"không đọc được tệp: {read_reason(exc)}") from exc
    return _cached_container(path, st.st_size, st.st_mtime_ns, limits)


@functools.lru_cache(maxsize=2)
def _cached_container(path: Path, _size: int, _mtime_ns: int, limits: Limits) -> bytes:
    return _read_bounded(path, limits)


def read_range(path: Path, start: int, end: int) -> bytes:
    """Bytes `start`..`end` of the inbox entry at `path` (fewer when it is shorter). Raises
    OSError."""
    fd = impl.open_untrusted(path, follow=True)
    try:
        os.lseek(fd, start, os.SEEK_SET)
        chunks, left = [], end - start
        while left > 0 and (chunk := os.read(fd, min(left, 1 << 20))):
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _entry_bytes(path: Path, locator: tuple[str, ...], limits: Limits) -> bytes:
    """The bytes that `locator` reaches from the inbox entry at `path` (`Submission.read`).

    Raises OSError when the entry cannot be read, ReadProblem when the container is bad.
    """
    steps = list(locator)
    if steps and steps[0].startswith("mbox:"):  # one message of a mailbox file, read alone
        start, _, end = steps.pop(0).removeprefix("mbox:").partition("-")
        if int(end) - int(start) > limits.max_file_bytes:
            raise ReadProblem("FILE_TOO_LARGE", f"thư vượt giới hạn {limits.max_file_bytes} byte")
        data = read_range(path, int(start), int(end))
    else:
        data = _container_bytes(path, limits)
    for step in steps:
        kind, _, arg = step.partition(":")
        if kind == "part":
            try:
                parts = _parsed_parts(data, _depth(limits))[1]
            except ReadProblem:
                raise
            except (RecursionError, MemoryError, Exception) as exc:
                raise ReadProblem("FILE_CORRUPT", _message_broken(exc)) from exc
            data = _part_bytes(parts[int(arg)])
        else:
            with _open_zip(data, limits) as zf:
                info = zf.infolist()[int(arg)]
                renamed = _member_kind(zf, data, info, limits)
                problem = _member_problem(info, limits, len(locator) > 1, renamed)
                if problem:
                    raise ReadProblem(*problem)
                data = _member_bytes(zf, data, info, limits)
    return data
