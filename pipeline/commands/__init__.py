"""The command line's commands, one module each with its handler `command(form, args)`,
returning the exit code. `cli.py` parses the arguments and imports only the chosen
command's module, so a command never pays for another's libraries: `--help`, `form` and
the start of `consolidate` import neither pandas, pandera nor the writers.

Exit codes (README, "Exit codes"): 0 done; 1 with --strict when a file was rejected, not
a report or not read, or a unit is missing, and for `check` when a file has errors; 2 for
usage or configuration errors; 3 when the outbox cannot be written (full disk, read-only,
no permission); 4 when another run holds the outbox; 130 when interrupted (Ctrl-C, SIGTERM).
"""

from __future__ import annotations

import sys

from ..form import Form, pending_warning
from ..system.signals import EXIT_INTERRUPTED as EXIT_INTERRUPTED
from ..text.safetext import for_terminal

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
EXIT_OUTBOX, EXIT_BUSY = 3, 4


def say_err(text: str) -> None:
    """Write one message line on stderr, made inert for the terminal (`for_terminal`)."""
    sys.stderr.write(for_terminal(text) + "\n")


def warn_pending(form: Form) -> None:
    """Say which settings are still "cần điền" (`form.pending_warning`), on stderr."""
    warning = pending_warning(form)
    if warning:
        say_err(warning)
