"""The reference lists of schemas/reference/ are read by one reader (`form.reference`): a
byte-order mark and the "#" notes before the header are no rows; each shipped list reads
with its header's columns."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.form.reference import noted_csv

from .conftest import ROOT


def test_notes_and_a_byte_order_mark_before_the_header_are_no_rows(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes(
        "\ufeff# Nguồn: Cục Thống kê\n# 01/7/2025\nma,ten\n30001,Xã Một\n30002,Phường Hai\n".encode()
    )
    assert noted_csv(path) == [{"ma": "30001", "ten": "Xã Một"}, {"ma": "30002", "ten": "Phường Hai"}]


def test_a_hash_inside_the_data_is_data(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("ma,ten\n#1,Số nhà #1\n", encoding="utf-8")
    assert noted_csv(path) == [{"ma": "#1", "ten": "Số nhà #1"}]


@pytest.mark.parametrize("path", sorted((ROOT / "schemas" / "reference").glob("*.csv")), ids=lambda p: p.name)
def test_every_shipped_list_reads_with_its_header(path: Path) -> None:
    rows = noted_csv(path)
    assert rows and all(None not in row and all(k and not k.startswith("#") for k in row) for row in rows)
