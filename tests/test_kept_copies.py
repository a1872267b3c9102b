"""A copy the officer makes in a set (a renamed CSV for the Ministry, a Save-As of the draft)
is kept by every later run, and the summary says it is not updated: its figures are those
of the run it was copied from (breaker brk8, minor finding: it said only "Giữ nguyên")."""

from __future__ import annotations

import shutil

from pipeline.app import consolidate_into
from pipeline.outbox.paths import detail_csv_path, document_path

from .test_carry5_versions import _line, _summary


def test_a_copy_of_an_output_is_kept_and_said_not_updated(form, make_file, tmp_path, capsys):
    make_file("899")
    inbox, outbox = tmp_path / "inbox", tmp_path / "out"
    consolidate_into(form, inbox, outbox, show_progress=False)
    copies = [
        detail_csv_path(outbox, form.year).with_name("chi tiết gửi Bộ.csv"),
        document_path(outbox, form.year).with_name("Báo cáo gửi Bộ (bản 2).docx"),
    ]
    shutil.copyfile(detail_csv_path(outbox, form.year), copies[0])
    shutil.copyfile(document_path(outbox, form.year), copies[1])
    written = [c.read_bytes() for c in copies]
    make_file("900")
    report = consolidate_into(form, inbox, outbox, show_progress=False)
    lines = _summary(report, capsys)
    for copy, before in zip(copies, written, strict=True):
        assert copy.read_bytes() == before  # kept as the officer made it
        line = _line(lines, f"Giữ nguyên tệp anh/chị đã thêm hoặc đã sửa: {copy}")
        assert "chương trình không cập nhật tệp này" in line and "lần tổng hợp trước" in line
