"""brk50 F3, F4: a configuration as an officer may leave it: `--config` naming a folder or a
workbook, saved by Notepad as "Unicode" (UTF-16) or as UTF-8 with its byte order mark, a
deadline written with an hour, a year in words, a signer's title as a number. Each either
loads (what Notepad saves is read) or stops with one Vietnamese line naming the key and the
form to write it in (exit 2), never a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline import cli
from pipeline.form import SCHEMAS_DIR, load_form


def _schemas(tmp_path: Path) -> Path:
    """A copy of the shipped configurations' folder (layouts, wording, lists beside them)."""
    folder = tmp_path / "cau-hinh"
    shutil.copytree(SCHEMAS_DIR, folder)
    return folder


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig"])
def test_what_notepad_saves_is_read(encoding: str, tmp_path: Path):
    folder = _schemas(tmp_path)
    path = folder / "an-giang.toml"
    path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))
    assert path.read_bytes()[:2] in (b"\xff\xfe", b"\xef\xbb")
    shipped = load_form(SCHEMAS_DIR / "an-giang.toml")
    form = load_form(path)
    assert (form.id, form.year, [u.code for u in form.units]) == (
        shipped.id,
        shipped.year,
        [u.code for u in shipped.units],
    )


def _edited(tmp_path: Path, old: str, new: str) -> Path:
    folder = _schemas(tmp_path)
    path = folder / "an-giang.toml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("case", "said"),
    [
        ("folder", "là một thư mục, không phải tệp cấu hình; hãy chỉ tệp .toml"),
        ("workbook", "không phải tệp cấu hình dạng văn bản UTF-8"),
        ("deadline-hour", "period.due_before chỉ ghi ngày, không ghi giờ"),
        (
            "year-words",
            "period.year phải là số năm, không có dấu nháy (ví dụ year = 2025), không phải 'năm 2025'",
        ),
        ("title-number", 'agencies.signer_title phải là chữ trong dấu nháy, ví dụ signer_title = "GIÁM ĐỐC"'),
    ],
)
def test_a_configuration_not_as_written_is_told_in_one_line(case: str, said: str, tmp_path: Path, capsys):
    if case == "folder":
        config = _schemas(tmp_path)
    elif case == "workbook":
        config = tmp_path / "bao-cao.xlsx"
        config.write_bytes(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\xce\xa1" + bytes(range(256)))
    elif case == "deadline-hour":
        config = _edited(tmp_path, 'due_before = "cần điền"', "due_before = 2025-12-01T17:00:00")
    elif case == "year-words":
        config = _edited(tmp_path, "\nyear = 2025\n", '\nyear = "năm 2025"\n')
    else:
        text = (SCHEMAS_DIR / "an-giang.toml").read_text(encoding="utf-8")
        line = next(x for x in text.splitlines() if x.startswith("signer_title ="))
        config = _edited(tmp_path, line, "signer_title = 1")
    code = cli.main(["--config", str(config), "templates", "--outbox", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == cli.EXIT_USAGE and "Traceback" not in err, err
    (line,) = [x for x in err.splitlines() if x.startswith("Lỗi cấu hình: ")]
    assert said in line, line
    assert not (tmp_path / "out").exists()
