"""`python -m pipeline`: the command line.

Run by a Python without the program's libraries (outside the virtual environment the
installer made), the command says so in one Vietnamese line, with the command to use
instead, rather than an English traceback."""

import gc
import sys

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


try:
    from .cli import main

    code = main()
except ModuleNotFoundError as exc:
    message = _missing_library(exc)
    if message is None:
        raise
    sys.stderr.write(message + "\n")
    code = 2
# Leave everything the run allocated to the OS: skip the collector's last sweep at exit.
gc.freeze()
raise SystemExit(code)
