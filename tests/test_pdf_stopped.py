"""brk50 F2: Ctrl-C while `pdf` waits for LibreOffice stopped the command but left
LibreOffice running (it kept writing into the command's temporary folder), sometimes with an
English traceback (the folder could not be removed while it ran) and exit 1. A stop kills
LibreOffice's whole tree and waits for it, then the folder goes: exit 130, the Vietnamese
line, nothing left running or behind. The command as the officer runs it, the real
LibreOffice, a terminal's Ctrl-C (SIGINT to the command's process group)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from pipeline.app import consolidate_into
from pipeline.system.signals import STOPPED

from . import lo
from .conftest import ROOT


def _office_of(tmp: str) -> list[psutil.Process]:
    """The LibreOffice processes whose profile lies in the folder `tmp`."""
    found = []
    for p in psutil.process_iter(["cmdline"]):
        with_profile = any(tmp in part for part in (p.info.get("cmdline") or []))
        if with_profile and any("soffice" in part or "oosplash" in part for part in p.info["cmdline"][:1]):
            found.append(p)
    return found


@pytest.mark.libreoffice
def test_a_stop_while_libreoffice_prints_leaves_nothing_running(form, make_file, tmp_path):
    lo.require_soffice()
    make_file("899")
    outbox, scratch = tmp_path / "out", tmp_path / "tmp"
    scratch.mkdir()
    consolidate_into(form, tmp_path / "inbox", outbox, show_progress=False)
    env = {**os.environ, "TMPDIR": str(scratch), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "pdf", "--outbox", str(outbox)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not _office_of(str(scratch)) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.1)
    assert _office_of(str(scratch)), "LibreOffice never started"
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: to the command's process group
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, (out, err)
    assert STOPPED in err and "Traceback" not in err, err
    time.sleep(2)  # what a LibreOffice left running would do now
    assert not _office_of(str(scratch))
    assert not list(scratch.iterdir())  # its profile and output folder removed
