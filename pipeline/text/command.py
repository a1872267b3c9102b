"""How the officer started the program, for every message that names a command to run."""

from __future__ import annotations

import sys
from pathlib import Path

CONSOLE_COMMAND = "tong-hop-588"
"""The console command pip installs (pyproject.toml [project.scripts])."""


def command_name() -> str:
    """`tong-hop-588` when started by the console command (`tong-hop-588.exe` on Windows),
    else `python -m pipeline`. Worker processes see the run's own `sys.argv` (inherited by
    fork, handed over by spawn), so their messages name it alike."""
    return CONSOLE_COMMAND if Path(sys.argv[0]).stem == CONSOLE_COMMAND else "python -m pipeline"


MAKE_MARK = "TONG_HOP_MAKE"
"""Set (to "1") by the Makefile's recipes: the officer typed `make …`, where options are
make variables (`OUTBOX=`, `INBOX=`, `CONFIG=`), not `--outbox`."""


def option_hint(option: str, example: str = "") -> str:
    """How the officer gives `option` (an option of the command, "--outbox") in the way they
    started it: `OUTBOX=<example>` under make (`MAKE_MARK` set), else `--outbox <example>`."""
    import os

    if os.environ.get(MAKE_MARK):
        return f"{option.lstrip('-').upper()}={example or '…'}"
    return f"{option} {example}".rstrip()
