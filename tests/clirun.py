"""The command run as an officer types it: `python -m pipeline ARGS` in its own process.

One place for how tests start it (the interpreter running the tests, the repository as the
folder it runs in unless told, text output captured); each test file adds only what it
needs (a configuration, a password variable, an environment like Windows')."""

from __future__ import annotations

import glob
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETPRIV = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner"]


def run_cli(
    *args: str,
    cwd: Path = ROOT,
    env: Mapping[str, str] | None = None,
    drop: tuple[str, ...] = (),
    stdin: str | None = None,
    timeout: float = 300,
    without_rights: bool = False,
) -> subprocess.CompletedProcess[str]:
    """`python -m pipeline *args` from `cwd`, its output captured as text. `env`: variables
    set over this process's environment (the package found from `cwd` or PYTHONPATH);
    `drop`: variables taken out of it; `stdin`: what is typed; `without_rights`: as root,
    without the capabilities that let it read and write every folder (util-linux's
    setpriv), as an officer without a folder's rights. Raises subprocess.TimeoutExpired
    after `timeout` seconds."""
    full = {k: v for k, v in os.environ.items() if k not in drop}
    full.update(env or {})
    before = SETPRIV if without_rights and os.getuid() == 0 else []
    return subprocess.run(
        [*before, sys.executable, "-m", "pipeline", *args],
        cwd=cwd,
        env=full,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def days_on(days: int) -> dict[str, str]:
    """Environment for `run_cli` that runs the command with the machine's clock `days` days
    on (libfaketime, preloaded into that process alone: every clock it reads moves, the
    office's time zone included). Without libfaketime the test fails under CI and is
    skipped elsewhere (`lo.require`)."""
    from . import lo

    found = sorted(
        glob.glob("/usr/lib/*/faketime/libfaketime.so.1") + glob.glob("/usr/lib/faketime/libfaketime.so.1")
    )
    library = lo.require("libfaketime", found[0] if found else None, "faketime")
    return {"LD_PRELOAD": library, "FAKETIME": f"{days:+d}d", "FAKETIME_DONT_FAKE_MONOTONIC": "1"}
