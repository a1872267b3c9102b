"""`python -m pipeline`: the command line.

Run by a Python without the program's libraries (outside the virtual environment the
installer made), the command says so in one Vietnamese line, with the command to use
instead, rather than an English traceback."""

import signal

_EARLY: list[int] = []


def _stopped_while_loading(signum: int, _frame: object) -> None:
    """Ctrl-C or SIGTERM before the program's own handler is set (`stop_on_signals`):
    noted; `run` stops the program then."""
    _EARLY.append(signum)


# first of all, before the imports below take their tenth of a second (brk30 F5, F6): a
# signal while they run is noted, never raised into an import (an English traceback)
signal.signal(signal.SIGINT, _stopped_while_loading)
signal.signal(signal.SIGTERM, _stopped_while_loading)

import gc  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from typing import NoReturn  # noqa: E402

from .system.signals import EXIT_INTERRUPTED, STOPPED, stop_on_signals  # noqa: E402

# The command line never synthesises test data: keep pandera from importing hypothesis (a
# test-only dependency, about 0.15 s of start-up) when it happens to be installed.
sys.modules.setdefault("hypothesis", None)


def _missing_library(exc: ModuleNotFoundError) -> str | None:
    """The one-line Vietnamese message for a library missing from this Python (a third-party
    module, not one of the program's own), else None (a real bug: let it be seen)."""
    name = (exc.name or "").split(".")[0]
    if not name or name == __package__ or name in sys.stdlib_module_names:
        return None
    return (
        f"Lỗi: Python đang dùng ({sys.executable}) chưa cài thư viện của chương trình (thiếu «{name}»). "
        "Hãy chạy bằng lệnh đã cài: tong-hop-588 (hoặc các lệnh make trong thư mục chương trình, "
        "hoặc .venv/bin/python -m pipeline; trên Windows: Tong-hop-bao-cao.bat); "
        "nếu chưa cài, chạy make (hoặc Cai-dat.bat trên Windows)."
    )


try:  # while loading, a Ctrl-C or SIGTERM is only noted (`_stopped_while_loading`)
    from .cli import main
except ModuleNotFoundError as exc:  # run by a Python without the program's libraries
    _MISSING: ModuleNotFoundError | None = exc
else:
    _MISSING = None


def run() -> NoReturn:
    """The command line's entry (`python -m pipeline`, the `tong-hop-588` script): a Ctrl-C
    or SIGTERM that came while the program loaded ends it with the Vietnamese line and
    EXIT_INTERRUPTED; from here on they stop it the orderly way (`stop_on_signals`); then
    `cli.main`. Exits with its code."""
    stop_on_signals()
    if _MISSING is not None:
        message = _missing_library(_MISSING)
        if message is None:
            raise _MISSING
        sys.stderr.write(message + "\n")
        raise SystemExit(2)
    try:
        if _EARLY:
            raise KeyboardInterrupt
        code = main()
    except KeyboardInterrupt:  # before the command began (while loading, reading its options)
        sys.stderr.write(f"\n{STOPPED}\n")
        code = EXIT_INTERRUPTED
    if code == EXIT_INTERRUPTED:
        # exit as said, with the status a caller checks: CPython ends a process whose
        # KeyboardInterrupt it once saw unhandled (in a library's start-up code) by SIGINT
        # instead (brk30 F7); nothing is left to finish, the workers are stopped
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    # Leave everything the run allocated to the OS: skip the collector's last sweep at exit.
    gc.freeze()
    raise SystemExit(code)


if __name__ == "__main__":
    run()
