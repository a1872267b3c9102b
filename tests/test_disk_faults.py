"""brk50 F5, F6: a folder the officer cannot write, or a name longer than the file system
allows (Vietnamese letters take two or three bytes each), ended `templates`, `consolidate`,
`check` with an English traceback, and `templates` left half a set without a word. Each ends
with one Vietnamese line saying what and what to do, exit 3; `templates` says its set is not
whole. The commands as the officer runs them."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from .clirun import run_cli
from .conftest import ROOT

LONG = "Báo cáo tổng hợp của Sở Y tế tỉnh An Giang về Đề án vận động nguồn lực " * 4  # > 255 bytes


def _run(cwd: Path, *args: str, drop: bool = False) -> subprocess.CompletedProcess:
    """`python -m pipeline ARGS` in `cwd`; `drop`: without the rights over every folder."""
    return run_cli(*args, cwd=cwd, env={"PYTHONPATH": str(ROOT)}, without_rights=drop, timeout=600)


def _one_line(done: subprocess.CompletedProcess, *words: str) -> str:
    assert done.returncode == 3 and "Traceback" not in done.stderr, (done.stdout, done.stderr)
    (line,) = [x for x in done.stderr.splitlines() if x.startswith("Lỗi: ")]
    for word in words:
        assert word in line, line
    return line


def test_templates_into_a_folder_not_writable_says_the_set_is_not_whole(tmp_path: Path):
    (tmp_path / "ro").mkdir()
    (tmp_path / "ro").chmod(0o555)
    try:
        done = _run(tmp_path, "templates", "--outbox", "ro", drop=True)
    finally:
        (tmp_path / "ro").chmod(0o755)
    _one_line(done, "không có quyền đọc hoặc ghi", "chưa đủ, chưa gửi cho đơn vị", "chạy lại lệnh templates")


@pytest.mark.parametrize("command", ["consolidate", "templates", "check"])
def test_a_name_too_long_is_told_not_thrown(command: str, tmp_path: Path, make_file):
    assert len(LONG.encode()) > 255
    make_file("899")
    args = {
        "consolidate": ("consolidate", "--inbox", "inbox", "--outbox", LONG),
        "templates": ("templates", "--outbox", LONG),
        "check": ("check", f"{LONG}.xlsx"),
    }[command]
    done = _run(tmp_path, *args)
    if command == "check":  # a file that cannot be named is a file not read: check says why
        assert "Traceback" not in done.stderr and "dài quá mức" in done.stdout + done.stderr, (
            done.stdout,
            done.stderr,
        )
    else:
        _one_line(done, "đường dẫn dài quá mức hệ thống cho phép")
