"""`samples` stopped part way leaves a folder the next `samples` replaces (brk50).

The command runs as the officer runs it, in its own process, and is stopped for real once
a few samples have landed: the disk refuses to grow its files (a file size limit put on
the running process: writes fail with EFBIG, as on a full disk), Ctrl-C, or the process
killed outright. The next `samples` into the folder must then write a fresh sample set
without the officer deleting anything, and still refuse a file the command did not write.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline.samples import record_path, write_samples

from .clirun import run_cli
from .conftest import ROOT


def _disk_full(proc: subprocess.Popen[str]) -> None:
    """No file of the process may grow past 16 kB from now on (samples are 20 to 35 kB)."""
    resource.prlimit(proc.pid, resource.RLIMIT_FSIZE, (16_000, 16_000))


STOPS: dict[str, Callable[[subprocess.Popen[str]], None]] = {
    "disk-full": _disk_full,
    "ctrl-c": lambda proc: proc.send_signal(signal.SIGINT),
    "killed": lambda proc: proc.kill(),
}


def _samples(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.suffix == ".xlsx" and not p.name.startswith(".")]


def _state(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _stopped_samples(out: Path, stop: Callable[[subprocess.Popen[str]], None]) -> tuple[int, str]:
    """Run `samples --out out` and stop it with `stop` once two samples are in the folder:
    its exit status and what it said on stderr."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}  # no .pyc cut short
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "samples", "--out", str(out)],
        cwd=out.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not (out.is_dir() and len(_samples(out)) >= 2):
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.002)
    stop(proc)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode != 0, f"the command ended before it was stopped: {err}"
    return proc.returncode, err


@pytest.mark.skipif(not hasattr(resource, "prlimit"), reason="Linux: a limit put on a running process")
@pytest.mark.parametrize("how", list(STOPS))
def test_samples_stopped_part_way_are_replaced_by_the_next_samples(form, tmp_path, how):
    out = tmp_path / "hop-thu-mau"
    status, said = _stopped_samples(out, STOPS[how])
    if how != "killed":  # what it said: one Vietnamese line naming the unfinished folder
        assert "Traceback" not in said and f"Hộp thư mẫu trong {out}/ chưa đủ" in said, said
        assert "\\x0a" not in said and "hãy chạy lại đúng lệnh vừa chạy" in said, said  # brk52 F5
        assert status == {"disk-full": 3, "ctrl-c": 130}[how], (status, said)
    left = _state(out)
    assert left, "nothing was written before the stop"

    # a file the command did not write is still refused, and nothing is deleted
    (out / "bao-cao-don-vi.xlsx").write_bytes(b"PK\x03\x04 of a unit")
    refused = run_cli("samples", "--out", str(out), cwd=tmp_path, env={"PYTHONPATH": str(ROOT)})
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "bao-cao-don-vi.xlsx" in refused.stderr
    assert _state(out) == {**left, "bao-cao-don-vi.xlsx": _state(out)["bao-cao-don-vi.xlsx"]}
    (out / "bao-cao-don-vi.xlsx").rename(tmp_path / "bao-cao-don-vi.xlsx")  # the officer moves it away

    done = run_cli("samples", "--out", str(out), cwd=tmp_path, env={"PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stdout + done.stderr
    fresh = {p.name for p in write_samples(form, tmp_path / "doi-chieu")}
    now = _state(out)
    assert set(now) == fresh  # exactly a sample set: no half-written file, no temporary file
    assert json.loads(record_path(out).read_text(encoding="utf-8")) == now  # all recorded, as written


@pytest.mark.skipif(not hasattr(resource, "prlimit"), reason="Linux: a limit put on a process")
@pytest.mark.parametrize("command", ["templates", "samples"])
def test_a_full_disk_met_inside_the_spreadsheet_writer_is_one_vietnamese_line(tmp_path, command):
    """XlsxWriter wraps the disk's error in its FileCreateError: said as the disk's, exit 3."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    where = (
        ["--outbox", str(tmp_path / "ket-qua")]
        if command == "templates"
        else ["--out", str(tmp_path / "mau")]
    )
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", command, *where],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (16_000, 16_000)),
    )
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr and "FileCreateError" not in done.stderr, done.stderr
    assert "tệp lớn quá mức ổ đĩa hoặc hệ thống cho phép ghi" in done.stderr, done.stderr
    assert "chưa đủ" in done.stderr, done.stderr
