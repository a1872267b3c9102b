"""`--year N` moves the configuration's reporting period to year N, dates and all.

Found by a new user's season: `consolidate --year 2024` kept the 2025 period, so a 2024
report dated 20/11/2024 was warned as before the period's start (15/12/2024), one sent on
10/12/2024, after the 2024 deadline, was on time, and every command said the 2024 period
ended on 30/11/2025."""

from __future__ import annotations

import datetime as dt

from pipeline.form import is_pending, load_form, years_later

from .clirun import run_cli
from .conftest import ROOT


def test_the_period_moves_with_the_year() -> None:
    form = load_form()
    earlier = load_form(overrides={"period": {"year": form.year - 1}})
    assert earlier.year == form.year - 1
    for key in ("start", "end", "due_before"):
        assert getattr(earlier.period, key) == years_later(getattr(form.period, key), -1), key
    assert load_form(overrides={"period": {"year": form.year}}).period == form.period


def test_a_deadline_still_to_fill_in_stays_so() -> None:
    """An Giang's deadline is still "cần điền": moved, it stays to fill in."""
    form = load_form(ROOT / "schemas" / "an-giang.toml")
    assert is_pending(form.period.due_before)
    earlier = load_form(ROOT / "schemas" / "an-giang.toml", overrides={"period": {"year": form.year - 1}})
    assert is_pending(earlier.period.due_before)
    assert earlier.period.end == years_later(form.period.end, -1)


def test_years_later_keeps_the_day_or_takes_the_last_of_february() -> None:
    assert years_later(dt.date(2024, 2, 29), 1) == dt.date(2025, 2, 28)
    assert years_later(dt.date(2024, 12, 15), -1) == dt.date(2023, 12, 15)


def test_the_command_says_the_period_of_the_year_asked(tmp_path) -> None:
    form = load_form()
    year = form.year - 1
    (tmp_path / "inbox").mkdir()
    done = run_cli(
        "consolidate",
        "--year",
        str(year),
        "--inbox",
        "inbox",
        "--outbox",
        "out",
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    end = years_later(form.period.end, -1)
    assert f"đã kết thúc ngày {end:%d/%m/%Y}" in done.stderr
    assert f"{form.period.end:%d/%m/%Y}" not in done.stderr + done.stdout
