"""`check --json`: the shape the README documents, printed by the typed result (`CheckReport`),
and read back into the same result."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

from pipeline.intake.inbox import IGNORED, NOT_READ, READ
from pipeline.run.consolidate import check_report
from pipeline.run.result import CheckedFile, CheckReport

ROOT = Path(__file__).resolve().parent.parent

LINE_KEYS = ["file", "kind", "status", "reason", "unit", "valid", "findings"]
FINDING_KEYS = ["file", "unit", "sheet", "cell", "code", "severity", "value", "message", "title", "where"]


def _bad(d):
    d["results"][0]["girls"] = d["results"][0]["children"] + 1  # MEASURE_AT_MOST, an error


def _files(make_file, tmp_path: Path) -> list[Path]:
    good, _ = make_file("899", name="899.xlsx", folder=tmp_path / "in")
    wrong, _ = make_file("906", mutate=_bad, name="906.xlsx", folder=tmp_path / "in")
    lock = tmp_path / "in" / "~$899.xlsx"  # Office's owner file: not a submission
    lock.write_bytes(b"\x05officer" + b"\x00" * 40)
    archive = tmp_path / "in" / "goi.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(good, "bao-cao/902.xlsx")
    return [good, wrong, lock, archive]


def test_check_json_has_the_documented_shape_and_round_trips(form, make_file, tmp_path):
    paths = _files(make_file, tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "check", "--json", *map(str, paths)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stderr  # 906 has an error
    lines = json.loads(done.stdout)
    assert isinstance(lines, list)
    for line in lines:
        assert list(line) == LINE_KEYS, line
        assert line["status"] in (READ, IGNORED, NOT_READ)
        assert isinstance(line["valid"], bool) and isinstance(line["reason"], str)
        assert line["unit"] is None or isinstance(line["unit"], str)
        for finding in line["findings"]:
            assert list(finding) == FINDING_KEYS, finding
    by_file = {line["file"]: line for line in lines}
    member = str(paths[3].parent / "goi.zip › 902.xlsx")
    assert [line["file"] for line in lines] == [*map(str, paths), member]
    assert (by_file[str(paths[0])]["unit"], by_file[str(paths[0])]["valid"]) == ("899", True)
    assert by_file[str(paths[1])]["valid"] is False
    assert [f["code"] for f in by_file[str(paths[1])]["findings"]] == ["MEASURE_AT_MOST"]
    assert by_file[str(paths[2])]["status"] == IGNORED and by_file[str(paths[2])]["reason"]
    assert by_file[str(paths[3])]["kind"] == "archive" and by_file[member]["kind"] == "member"

    # the CLI prints the library's result, and the JSON reads back into the same result
    result = check_report(form, paths)
    assert done.stdout == result.to_json() + "\n"
    back = CheckReport.from_json(done.stdout)
    assert back == result and back.to_json() == result.to_json()
    assert back.failed and result.failed
    assert all(isinstance(line, CheckedFile) for line in back.files)


def test_check_fails_only_for_errors_or_files_not_read(form, make_file, tmp_path):
    good, lock = _files(make_file, tmp_path)[0::2]
    assert not check_report(form, [good, lock]).failed
    gone = tmp_path / "in" / "khong-doc-duoc.xlsx"
    gone.symlink_to(tmp_path / "nowhere")  # a dangling link cannot be read
    result = check_report(form, [good, gone])
    assert [line.status for line in result.files] == [READ, NOT_READ]
    assert result.failed
