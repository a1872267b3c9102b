"""`samples` never deletes a file it did not write (issue #23: inputs are never modified).

The folder of received reports is the inbox: units' workbooks, their messages. The sample
command writes only into an empty folder or one holding nothing but its own earlier samples
(recorded with their SHA-256 beside the folder), and says in Vietnamese why it refuses.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import openpyxl

from pipeline.samples import write_samples

from .clirun import run_cli
from .conftest import ROOT

EXAMPLES = ROOT / "examples" / "inbox"


def _state(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _received_inbox(folder: Path, make_file) -> dict[str, str]:
    """An inbox as the officer has it: a unit's report saved from mail, and the message."""
    report, _ = make_file("900", folder=folder.parent / "made")
    folder.mkdir()
    shutil.copy2(report, folder / "900 Hà Tiên (bản sửa).xlsx")
    (folder / "thu-don-vi.eml").write_text("From: hatien@example.vn\n\nGửi lại báo cáo.\n", encoding="utf-8")
    return _state(folder)


def test_samples_refuse_a_folder_of_received_reports(make_file, tmp_path):
    inbox = tmp_path / "inbox"
    before = _received_inbox(inbox, make_file)
    done = run_cli("samples", "--out", str(inbox), cwd=tmp_path, env={"PYTHONPATH": str(ROOT)})
    assert done.returncode == 2, done.stdout + done.stderr
    assert _state(inbox) == before  # nothing deleted, nothing written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inbox", "made"]  # no record either
    assert "Không tạo tệp mẫu trong thư mục" in done.stderr
    assert "900 Hà Tiên (bản sửa).xlsx" in done.stderr and "--out" in done.stderr


def test_samples_replace_only_their_own_unchanged_samples(form, tmp_path):
    out = tmp_path / "mau"
    first = write_samples(form, out)
    assert {p.name for p in first} == set(_state(out))
    again = write_samples(form, out)  # its own samples, unchanged: written again
    assert [p.name for p in again] == [p.name for p in first]
    # the officer completes a sample in Excel: it is no longer the program's file
    book = openpyxl.load_workbook(again[0])
    book.active["A1"] = "bản anh/chị đã sửa"
    book.save(again[0])
    (out / "ghi-chu.txt").write_text("của tôi", encoding="utf-8")
    before = _state(out)
    done = run_cli("samples", "--out", str(out), cwd=tmp_path, env={"PYTHONPATH": str(ROOT)})
    assert done.returncode == 2
    assert _state(out) == before
    assert again[0].name in done.stderr and "ghi-chu.txt" in done.stderr


def test_the_shipped_sample_inbox_is_recorded_as_samples(form, tmp_path):
    from pipeline.samples import record_path  # the record beside the folder

    copy = tmp_path / "inbox"
    shutil.copytree(EXAMPLES, copy)
    shutil.copy2(record_path(EXAMPLES), record_path(copy))
    written = write_samples(form, copy)  # `make samples` can write the examples again
    assert len(written) == len([n for n in _state(EXAMPLES) if n != ".gitkeep"])
