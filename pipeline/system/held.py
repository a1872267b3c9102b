"""Files another program holds open, as Windows refuses them.

On Windows a file open in Excel or Word (opened without FILE_SHARE_DELETE) cannot be
renamed, replaced or deleted, and neither can any folder above it: the call fails with
ERROR_SHARING_VIOLATION (32), ERROR_LOCK_VIOLATION (33) or ERROR_ACCESS_DENIED (5), raised
by Python as PermissionError with `winerror` set (CPython's "Windows error codes" mapping,
PC/errmap.h). Office leaves an owner file `~$name` beside the document it has open, and
LibreOffice a `.~lock.name#`; a held file also refuses to be opened for writing.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from ..text.oserrors import WINERRORS_SHARING

WINERRORS_HELD = (5, *WINERRORS_SHARING)
"""ERROR_ACCESS_DENIED (what moving the folder of a held file gives), and the sharing and
lock violations (winerror.h)."""

RETRIES = 5
"""How often a held rename is tried again (an antivirus or indexer lets go within a
second; an officer's open workbook does not)."""

RETRY_SECONDS = 0.2


def is_held(exc: BaseException) -> bool:
    """Whether `exc` is how Windows refuses a file or folder another program holds open."""
    # Only Windows refuses for this reason; elsewhere (EACCES on Linux or macOS) it is a
    # permission the officer must change, said as such by the outbox's own message.
    return isinstance(exc, PermissionError) and getattr(exc, "winerror", None) in WINERRORS_HELD


def retry_held(move: Callable[[], None]) -> None:
    """Run `move` (a rename), trying again a few times while the system says a file is
    held; the last refusal is raised (PermissionError)."""
    for attempt in range(RETRIES):
        try:
            move()
            return
        except PermissionError as exc:
            if not is_held(exc) or attempt == RETRIES - 1:
                raise
            time.sleep(RETRY_SECONDS)


def _owner_target(name: str) -> str:
    """The document an owner or lock file stands for ("" when `name` is neither)."""
    if name.startswith("~$"):
        return name[2:]
    if name.startswith(".~lock.") and name.endswith("#"):
        return name[len(".~lock.") : -1]
    return ""


def _refuses_writing(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    except PermissionError:
        return True
    except OSError:
        return False
    os.close(fd)
    return False


def held_files(folder: Path) -> list[Path]:
    """The files below `folder` that another program holds open, as far as can be told:
    those an Office owner file or a LibreOffice lock file names, and those that refuse to
    be opened for writing. Sorted; empty when none is found."""
    found: set[Path] = set()
    for root, _dirs, files in os.walk(folder):
        names = set(files)
        for name in files:
            path = Path(root) / name
            target = _owner_target(name)
            if target:
                # Office shortens the owner file's name: "~$ng-hop.xlsx" for "tong-hop.xlsx"
                match = [
                    n
                    for n in names
                    if not _owner_target(n) and (n == target or (len(target) > 6 and n.endswith(target)))
                ]
                found.update(Path(root) / n for n in match)
            elif _refuses_writing(path):
                found.add(path)
    return sorted(found)
