"""What the letters back to the units say about timeliness: the fact that decided it."""

from __future__ import annotations

import email
from email import policy

from pipeline import cli
from pipeline.outbox.paths import year_dir


def test_a_file_saved_by_hand_is_on_time_by_the_date_typed_in_it(form, make_file, tmp_path):
    """A hand-saved file is judged by its report date (DecidedBy.REPORT_DATE): the letter
    names that date, not the day the officer saved the file (after the deadline)."""
    path, data = make_file("899")
    outbox = tmp_path / "out"
    assert cli.main(["consolidate", "--inbox", str(path.parent), "--outbox", str(outbox)]) == cli.EXIT_OK
    assert cli.main(["mail", "drafts", "--outbox", str(outbox)]) == cli.EXIT_OK
    letter = next((year_dir(outbox, form.year) / "thu").glob("thu-899-*.eml"))
    body = (
        email.message_from_bytes(letter.read_bytes(), policy=policy.default)
        .get_body(("plain",))
        .get_content()
    )
    typed = data["info"]["report_date"]
    assert f"đúng hạn (theo ngày báo cáo ghi trong tệp: {typed:%d/%m/%Y})" in body
