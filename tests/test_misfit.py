"""A run whose inbox looks like another configuration's says so on the summary's first line,
with the command to run instead (issue #22, item 6). Inboxes are the project's own samples."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline import cli
from pipeline.form import SCHEMAS_DIR, load_form
from pipeline.samples import write_samples


@pytest.fixture(scope="module")
def inboxes(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("misfit")
    write_samples(load_form(SCHEMAS_DIR / "kien-giang.toml"), tmp / "kg")
    write_samples(load_form(SCHEMAS_DIR / "an-giang.toml"), tmp / "ag")
    return {"kg": tmp / "kg", "ag": tmp / "ag", "tmp": tmp}


def _first_line(capsys, args: list[str]) -> list[str]:
    assert cli.main(args) == cli.EXIT_OK
    return capsys.readouterr().out.splitlines()


def test_an_giang_run_on_kien_giang_files_says_so_first(inboxes, capsys, tmp_path):
    lines = _first_line(
        capsys,
        [
            "--config",
            "schemas/an-giang.toml",
            "consolidate",
            "--inbox",
            str(inboxes["kg"]),
            "--outbox",
            str(tmp_path),
        ],
    )
    n = len(list(inboxes["kg"].glob("*.xlsx")))
    assert lines[0].startswith(f"CHÚ Ý: {n}/{n} tệp mẫu trong hộp thư là mẫu của cấu hình kien-giang.toml, ")
    assert "không phải của cấu hình an-giang.toml đang dùng" in lines[0]
    assert (
        f"Hãy chạy: python -m pipeline --config schemas/kien-giang.toml consolidate --inbox {inboxes['kg']}"
        in lines[0]
    )
    assert lines[1].startswith("TỔNG HỢP BÁO CÁO NĂM 2025")


def test_kien_giang_run_on_an_giang_files_names_an_giang(inboxes, capsys, tmp_path):
    lines = _first_line(capsys, ["consolidate", "--inbox", str(inboxes["ag"]), "--outbox", str(tmp_path)])
    n = len(list(inboxes["ag"].glob("*.xlsx")))
    assert lines[0].startswith(f"CHÚ Ý: {n}/{n} tệp mẫu trong hộp thư là mẫu của cấu hình an-giang.toml, ")
    assert "--config schemas/an-giang.toml consolidate" in lines[0]
    # An Giang's results go to its own folder ([paths] outbox): the command is given whole (brk46)
    assert lines[0].endswith(f"consolidate --inbox {inboxes['ag']}") and "<" not in lines[0], lines[0]


def test_a_few_files_of_another_configuration_do_not_make_the_run_wrong(inboxes, capsys, tmp_path):
    inbox = tmp_path / "in"
    shutil.copytree(inboxes["kg"], inbox)
    ours = len(list(inboxes["kg"].glob("*.xlsx")))
    strays = sorted(p for p in inboxes["ag"].glob("*.xlsx"))[: ours // 2]  # a minority
    for p in strays:
        shutil.copy(p, inbox / f"ag-{p.name}")
    lines = _first_line(capsys, ["consolidate", "--inbox", str(inbox), "--outbox", str(tmp_path / "out")])
    assert lines[0].startswith("TỔNG HỢP BÁO CÁO NĂM 2025")
    assert not any(line.startswith("CHÚ Ý") for line in lines)
    # once they are the majority, the line comes back
    for p in sorted(inboxes["ag"].glob("*.xlsx"))[ours // 2 : ours + 1]:
        shutil.copy(p, inbox / f"ag-{p.name}")
    lines = _first_line(capsys, ["consolidate", "--inbox", str(inbox), "--outbox", str(tmp_path / "out")])
    assert lines[0].startswith(
        f"CHÚ Ý: {ours + 1}/{2 * ours + 1} tệp mẫu trong hộp thư là mẫu của cấu hình an-giang.toml"
    )


def test_files_of_a_newer_version_name_the_configuration_that_takes_them(inboxes, capsys, tmp_path):
    folder = tmp_path / "cau-hinh"
    shutil.copytree(SCHEMAS_DIR, folder)
    text = (folder / "kien-giang.toml").read_text(encoding="utf-8")
    newer = text.replace('version = "2025.2"', 'version = "2026.1"').replace(
        'accepted_versions = ["2025.2", "2025.1"]', 'accepted_versions = ["2026.1"]'
    )
    assert newer != text
    (folder / "kien-giang-2026.toml").write_text(newer, encoding="utf-8")
    write_samples(load_form(folder / "kien-giang-2026.toml"), tmp_path / "in")
    lines = _first_line(
        capsys,
        [
            "--config",
            str(folder / "kien-giang.toml"),
            "consolidate",
            "--inbox",
            str(tmp_path / "in"),
            "--outbox",
            str(tmp_path / "out"),
        ],
    )
    assert lines[0].startswith(
        "CHÚ Ý: 28/28 tệp mẫu trong hộp thư dùng mẫu phiên bản 2026.1, mới hơn cấu hình"
    )
    assert f"--config {folder / 'kien-giang-2026.toml'} consolidate" in lines[0]


def test_the_right_configuration_says_nothing_of_the_kind(inboxes, capsys, tmp_path):
    lines = _first_line(capsys, ["consolidate", "--inbox", str(inboxes["kg"]), "--outbox", str(tmp_path)])
    assert lines[0].startswith("TỔNG HỢP BÁO CÁO NĂM 2025")


def test_files_of_another_configuration_get_no_feedback_and_one_line_each_finding(inboxes, capsys, tmp_path):
    """Another configuration's files cannot be corrected cell by cell: no feedback workbook is
    made for them (the run would spend most of its time on them); the same finding in many
    files is one line of the summary, with how many files say it."""
    out = tmp_path / "out"
    lines = _first_line(capsys, ["consolidate", "--inbox", str(inboxes["ag"]), "--outbox", str(out)])
    year = load_form().year
    assert not (out / str(year) / "phan-hoi").exists() or not any((out / str(year) / "phan-hoi").iterdir())
    foreign = [line for line in lines if line.startswith("  [Lỗi – Không phải mẫu báo cáo]")]
    n = len(list(inboxes["ag"].glob("*.xlsx")))
    counts = [int(line.split("] ")[1].split(" tệp (")[0]) for line in foreign]
    assert len(foreign) < 5 and sum(counts) == n, foreign  # one line per distinct message
    assert all(", …): Trang '_mau', ô B1: tệp là mẫu của cấu hình an-giang.toml" in line for line in foreign)
