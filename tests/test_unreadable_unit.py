"""A file that cannot be read still comes from someone: when its sender's address (one unit
lists it) or its name (one unit's code standing alone in it) says whose it is, that unit is
told its file was refused and why, instead of being reminded that it sent nothing."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from pipeline.app import consolidate_into
from pipeline.intake.containers.submission import Origin, Submission
from pipeline.intake.files import FileInfo
from pipeline.read.parsed import Parsed
from pipeline.run.result import FileRecord, FileStatus, UnitStatus
from pipeline.run.submissions import _sent_by


def _truncated(path: Path, name: str) -> Path:
    out = path.with_name(name)
    out.write_bytes(path.read_bytes()[:5000])  # a broken download: the zip's directory is gone
    path.unlink()
    return out


def test_a_broken_file_named_for_its_unit_rejects_that_unit(form, make_file, tmp_path):
    good, _ = make_file("899")
    broken = _truncated(make_file("911")[0], "911-UBND-Thanh-pho-Phu-Quoc.xlsx")
    _truncated(make_file("912")[0], "bao-cao-912-913.xlsx")  # two codes: whose is unknown
    report = consolidate_into(form, good.parent, tmp_path / "out", show_progress=False)
    units = {u.code: u for u in report.units}
    assert units["911"].status == UnitStatus.REJECTED
    assert [f.parsed.name for f in units["911"].files] == [broken.name]
    rec = units["911"].files[0]
    assert (
        rec.status == FileStatus.REJECTED and rec.note == "Không đọc được tệp; đơn vị xác định theo tên tệp"
    )
    assert {f.code for f in rec.parsed.findings} == {"FILE_CORRUPT"}
    assert all(f.unit == "911" for f in rec.parsed.findings)
    assert units["912"].status == units["913"].status == UnitStatus.MISSING
    assert units["899"].status == UnitStatus.ACCEPTED


@pytest.mark.parametrize(
    ("sender", "name", "unit"),
    [
        ("vanphong.pq@example.gov.vn", "bao cao.xlsx", "911"),  # the address one unit lists
        ("VanPhong.PQ@Example.gov.vn", "bao cao.xlsx", "911"),  # addresses compare without case
        ("", "Mau-588-2025-911-UBND-Thanh-pho-Phu-Quoc (1).xlsx", "911"),  # the template's name
        ("ai.do@example.com", "bao cao.xlsx", None),  # nobody lists it, the name says nothing
        ("", "9110-bao-cao.xlsx", None),  # a code inside a longer number is not that code
    ],
)
def test_whose_broken_file(form, sender, name, unit):
    units = [
        dataclasses.replace(u, emails=("vanphong.pq@example.gov.vn",)) if u.code == "911" else u
        for u in form.units
    ]
    office = dataclasses.replace(form, units=tuple(units))
    origin = Origin("message", "thu.eml", (), None, sender, "")
    parsed = Parsed(1, Submission(Path(name), name, origin=origin), FileInfo(name, 1, "", 0.0))
    got = _sent_by(office, FileRecord(parsed))
    assert (got[0] if got else None) == unit
