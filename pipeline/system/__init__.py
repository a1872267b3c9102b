"""Everything that depends on the operating system, behind one seam.

Two implementations with the same functions: `linux` (the kernel's own calls: a POSIX
record lock, `renameat2(RENAME_EXCHANGE)`, `syncfs`, `prctl(PR_SET_PDEATHSIG)`, process
groups) and `portable` (what Windows and macOS offer, through well-kept libraries:
filelock's lock, psutil's processes, the `spawn` start method, and a swap in two renames
that the next run finishes). The choice is made once, here, as filelock picks its lock
class: `linux` on Linux when its modules import, else `portable`. `PIPELINE_SYSTEM=portable`
(or `linux`) chooses explicitly; the tests run the portable one on Linux that way.

Nothing else in the package imports `fcntl`, `ctypes`, `msvcrt` or asks which system it
runs on: it calls `system.impl`.
"""

from __future__ import annotations

import os
import sys
from types import ModuleType

CHOICE_ENV = "PIPELINE_SYSTEM"

_WANTED = os.environ.get(CHOICE_ENV, "").strip().lower()

impl: ModuleType
"""The implementation in use: `pipeline.system.linux` or `pipeline.system.portable`."""

# The choice, made once at import: `linux` where it is wanted and its modules import.
if _WANTED == "linux" or (_WANTED != "portable" and sys.platform.startswith("linux")):
    try:
        from . import linux as impl
    except (ImportError, OSError, AttributeError, TypeError):  # Linux-only modules absent
        if _WANTED == "linux":
            raise
        from . import portable as impl
else:
    from . import portable as impl

NAME: str = impl.__name__.rsplit(".", 1)[-1]
