"""`python -m pipeline`: the command line.

Run by a Python without the program's libraries (outside the virtual environment the
installer made), the command says so in one Vietnamese line, with the command to use
instead, rather than an English traceback."""

import signal

_EARLY: list[int] = []


def _stopped_while_loading(signum: int, _frame: object) -> None:
    """Ctrl-C or SIGTERM before the program's own handler is set (`stop_on_signals`):
    noted, and the program stops once that handler is set (`run`); raising here would
    interrupt an import with an English traceback."""
    _EARLY.append(signum)


# first of all, before the imports below take their tenth of a second (brk30 F5, F6)
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


def run() -> NoReturn:
    """The command line's entry (`python -m pipeline`, the `tong-hop-588` script): Ctrl-C and
    SIGTERM stop it the orderly way from its first instant (`stop_on_signals`: one arriving
    while the program loads ends it with the Vietnamese line and EXIT_INTERRUPTED), then
    `cli.main`. Exits with its code."""
    stop_on_signals()
    try:
        if _EARLY:
            raise KeyboardInterrupt
        from .cli import main

        code = main()
    except KeyboardInterrupt:  # before the command began (while loading, reading its options)
        sys.stderr.write(f"\n{STOPPED}\n")
        code = EXIT_INTERRUPTED
    except ModuleNotFoundError as exc:
        message = _missing_library(exc)
        if message is None:
            raise
        sys.stderr.write(message + "\n")
        code = 2
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
