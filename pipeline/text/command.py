"""How the officer started the program, for every message that names a command to run."""

from __future__ import annotations

import os
import re
import shlex
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
    if os.environ.get(MAKE_MARK):
        return f"{option.lstrip('-').upper()}={example or '…'}"
    return f"{option} {example}".rstrip()


def outbox_command(
    target: str,
    words: str,
    config: Path,
    default_config: bool,
    outbox: Path | None,
    flag: tuple[str, str] = ("", ""),
) -> str:
    """A command run on an outbox, as the officer types it: `make <target> CONFIG=… [OUTBOX=…]`
    under make (`MAKE_MARK`), else the console command (`command_name`) with `words` ("pdf",
    "mail drafts"), `--config` unless `default_config` and `--outbox` unless `outbox` is None
    (the configuration's own); `flag`: (the make variable, the option) to add, ("SEND=1",
    "--send"). Paths `as_typed` and `quoted`."""
    if os.environ.get(MAKE_MARK):
        parts = [f"CONFIG={quoted(as_typed(config))}"]
        parts += [f"OUTBOX={quoted(as_typed(outbox))}"] if outbox is not None else []
        return " ".join([f"make {target}", *parts, *filter(None, [flag[0]])])
    parts = [] if default_config else [f"--config {quoted(as_typed(config))}"]
    parts.append(words)
    parts += [f"--outbox {quoted(as_typed(outbox))}"] if outbox is not None else []
    return " ".join([command_name(), *parts, *filter(None, [flag[1]])])


def as_typed(path: Path) -> str:
    """A path as the officer typed it: relative to the current folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# What a Windows shell leaves alone outside quotes, in both cmd and PowerShell: letters
# (Vietnamese ones too), digits and the characters of a path. Anything else (a space,
# & | < > ^ ( ) ; , = ' { } @ # and the like) is read by one shell or the other.
_WINDOWS_PLAIN = re.compile(r"[\w.:\\/-]+")


def quoted(text: str, windows: bool | None = None) -> str:
    """`text` as one argument of a command the officer copies into their shell: unchanged
    when it holds nothing the shell splits or reads ("outbox"), else quoted.

    On Windows (`windows`; None: this machine, `os.name == "nt"`) in double quotes, which
    cmd and PowerShell both take literally, but for `%` (and `!` under delayed expansion) in
    cmd and `$` and the backtick in PowerShell: a folder named so is rare, and no quoting
    serves both shells. A `"` (never in a Windows name) and the backslashes before it, and
    those before the closing quote, are escaped as the Microsoft C runtime parses a command
    line, as `subprocess.list2cmdline` does (which quotes only for a space or a tab):
    "outbox (cũ)" -> "\"outbox (cũ)\"", "A&B" -> "\"A&B\"" (`tests/test_command_quoting.py`
    parses them as cmd and the C runtime do, with `mslex`).
    Elsewhere as POSIX shells take it (`shlex.quote`): "'outbox (cũ)'"."""
    if windows is None:
        windows = os.name == "nt"
    if not windows:
        return shlex.quote(text)
    if _WINDOWS_PLAIN.fullmatch(text):
        return text
    return _always_quoted(text)


def _always_quoted(text: str) -> str:
    """`text` in double quotes, `"` and the backslashes before it (and before the closing
    quote) escaped as `subprocess.list2cmdline` escapes them."""
    out, slashes = ['"'], 0
    for ch in text:
        if ch == "\\":
            slashes += 1
            continue
        if ch == '"':
            out.append("\\" * (2 * slashes + 1) + '"')
        else:
            out.append("\\" * slashes + ch)
        slashes = 0
    out.append("\\" * (2 * slashes) + '"')
    return "".join(out)


def consolidate_command(
    inbox: str | None = None, config: str | None = None, outbox: str | None = None
) -> str:
    """The consolidate command as the officer types it: `make consolidate INBOX=… CONFIG=…`
    under make (`MAKE_MARK`), else the console command with `--config`, `--inbox` and
    `--outbox`; each value `quoted`. `inbox` None: a placeholder naming the folder of the
    files received; `config` None: the default configuration (no option)."""
    folder = quoted(inbox) if inbox is not None else "<thư mục tệp nhận được>"
    if os.environ.get(MAKE_MARK):
        parts = [f"INBOX={folder}"]
        parts += [f"OUTBOX={quoted(outbox)}"] if outbox is not None else []
        parts += [f"CONFIG={quoted(config)}"] if config is not None else []
        return "make consolidate " + " ".join(parts)
    chosen = f" --config {quoted(config)}" if config is not None else ""
    out = f" --outbox {quoted(outbox)}" if outbox is not None else ""
    return f"{command_name()}{chosen} consolidate --inbox {folder}{out}"
