"""A Python without what only Linux (or POSIX) offers, as on Windows: imported at start-up
(`site` imports `sitecustomize` from PYTHONPATH) by every process of a run, the spawned
workers included, when `tests/windowslike` is first on PYTHONPATH.

Absent here, as on Windows: the modules `fcntl`, `resource`, `termios`; the calls
`os.killpg`, `os.setsid`, `os.getpgid`, `os.fork`; the flags `os.O_NOFOLLOW`,
`os.O_NONBLOCK`; and a process handle from `ctypes.CDLL(None)` (Windows has none: TypeError).
They are refused to the package's own code (`pipeline.*`, whoever imports there; its `os`
is a view without those names): the libraries it uses (psutil, filelock) have Windows
backends of their own and keep their Linux ones here. Everything else of the interpreter is Linux's, so this shows what the
package needs of the system, not how Windows' own calls behave (tests/test_windows_held.py
does that for held files)."""

from __future__ import annotations

import builtins
import ctypes
import os
import types

ABSENT_MODULES = ("fcntl", "resource", "termios")
ABSENT_OS = ("killpg", "setsid", "getpgid", "fork", "O_NOFOLLOW", "O_NONBLOCK")


_import = builtins.__import__


class _OsAsOnWindows(types.ModuleType):
    """`os` without the calls and flags Windows lacks."""

    def __getattr__(self, name: str):
        if name in ABSENT_OS:
            raise AttributeError(f"module 'os' has no attribute '{name}'")
        return getattr(os, name)


_OS = _OsAsOnWindows("os")


def _import_as_on_windows(name, globals=None, locals=None, fromlist=(), level=0):  # noqa: A002, ANN001
    """`import` as the interpreter does it, except that the package's own code cannot have
    the modules Windows lacks (also when another library imported them already)."""
    importer = (globals or {}).get("__name__", "")
    if level == 0 and importer.split(".")[0] == "pipeline":
        top = name.split(".")[0]
        if top in ABSENT_MODULES:
            raise ModuleNotFoundError(f"No module named '{name}'", name=name)
        if top == "os":
            if fromlist:
                missing = [n for n in fromlist if n in ABSENT_OS]
                if missing:
                    raise ImportError(f"cannot import name '{missing[0]}' from 'os'", name="os")
                return _import(name, globals, locals, fromlist, level)
            return _OS
    return _import(name, globals, locals, fromlist, level)


builtins.__import__ = _import_as_on_windows

_cdll_init = ctypes.CDLL.__init__


def _no_process_handle(self, name, *args, **kwargs):  # noqa: ANN001
    if name is None:
        raise TypeError("expected str, bytes or os.PathLike object, not NoneType")
    _cdll_init(self, name, *args, **kwargs)


ctypes.CDLL.__init__ = _no_process_handle
