"""The bytes facts of one submission, before any reader touches them: the problem that
stops a file being read as a report (`ReadProblem`), what is known of the file
(`FileInfo`), and its bytes read within the size limit (`read_bounded`)."""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from ..form import Limits
from ..rules.findings import show
from ..system import impl
from ..text.oserrors import NOT_REGULAR


class ReadProblem(Exception):
    """A file, archive member or message that cannot be read as a report (the one such
    problem, for plain files and containers alike): a rule code, a Vietnamese message
    saying what to do, and, for a plain file refused before reading, its `info`."""

    def __init__(self, code: str, message: str, sheet: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.sheet = sheet
        self.info: FileInfo | None = None  # set when the problem was found before reading


@dataclass
class FileInfo:
    name: str
    size: int
    sha256: str
    mtime: float


def too_large(size: int, limits: Limits) -> ReadProblem:
    return ReadProblem(
        "FILE_TOO_LARGE", f"tệp quá lớn ({show(size)} byte, tối đa {show(limits.max_file_bytes)})"
    )


def read_bounded(path: Path, name: str, limits: Limits) -> tuple[bytes, float]:
    """A file's bytes and modification time (POSIX seconds), never reading more than
    `limits.max_file_bytes` + 1 bytes.

    The size is taken from the open file before anything is read; a file that grows while
    it is read is caught by the extra byte. Raises OSError when the file cannot be read,
    and ReadProblem FILE_TOO_LARGE (with a FileInfo without digest in `.info`) when the
    file is over the limit: its content is then neither read nor hashed.

    Opened without blocking and checked to be a regular file once open: an entry swapped
    for a named pipe, a device or a folder after the inbox was listed is refused (OSError
    EINVAL with a Vietnamese strerror) instead of blocking the run."""
    fd = impl.open_untrusted(path, follow=True)
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, NOT_REGULAR, str(path))
    with os.fdopen(fd, "rb") as fh:
        if st.st_size > limits.max_file_bytes:
            problem = too_large(st.st_size, limits)
            problem.info = FileInfo(name, st.st_size, "", st.st_mtime)
            raise problem
        data = fh.read(limits.max_file_bytes + 1)
    if len(data) > limits.max_file_bytes:
        problem = too_large(len(data), limits)
        problem.info = FileInfo(name, len(data), "", st.st_mtime)
        raise problem
    return data, st.st_mtime
