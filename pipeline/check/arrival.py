"""The typed report date and the sender, checked against how the file came (issue #12).

A unit's computer with US regional settings turns "12/11/2025" into 11 December; a typo
turns 2025 into 2026. So the typed date is never trusted blindly: a date after the file
arrived (by mail), after today, or before the period starts is a warning naming the cell, and when
swapping day and month gives a date that fits, the message says so; so is a date months
before the period's end whose swap falls near it (a swap the other rules cannot see). A report for a unit
sent from an address not on the unit's list is a warning (forwarding is common).
These are the rules (`rules.catalogue`) bound to the report date and the sender; the record
per report is `check.stacks.stack_arrival`'s, checked the one way (`check.validate.
check_arrival`). This module stays light: the template's live checks are built from it
without pandas or pandera (tests/test_structure.py).
"""

from __future__ import annotations

import datetime as dt

from ..form import Form
from ..rules.catalogue import Bound, bind
from ..rules.recordkinds import swapped_date

SENDER_FIELD = "sender"
EARLY_WINDOW_DAYS = 61
"""A report date more than this many days before the period's end is early for a report on
the year's results; with day and month swapped into those days, a swap is likely
(DATE_MAYBE_SWAPPED: "05/12/2025" typed on a PC with US settings is 12 May)."""


def arrival_rules(form: Form, how: str = "ngày thư đến Sở") -> list[Bound]:
    """The typed date after the arrival (else after today), before the period; the sender.
    `how`: how the arrival is known."""
    start = form.period.start
    return [
        bind("DATE_AFTER_ARRIVAL", "report_date", ("arrival",), hint=_hint, start=start, how=how),
        bind("DATE_IN_FUTURE", "report_date", ("today", "arrival"), hint=_hint, start=start),
        bind("DATE_BEFORE_PERIOD", "report_date", (), hint=_hint, start=start),
        bind(
            "DATE_MAYBE_SWAPPED",
            "report_date",
            ("today", "arrival"),
            hint=_hint,
            start=start,
            end=form.period.end,
            window=EARLY_WINDOW_DAYS,
        ),
        bind("SENDER_UNLISTED", SENDER_FIELD, ("emails",)),
    ]


def _hint(typed: dt.date, start: dt.date, latest: dt.date) -> str:
    """How to fix a typed date: swap day and month when that gives a date that fits."""
    swapped = swapped_date(typed)
    if swapped is None or not start <= swapped <= latest:
        return "Hãy kiểm tra và gõ lại ngày báo cáo (ngày/tháng/năm)"
    return (
        f"Có thể ngày và tháng bị đảo: nếu là ngày {swapped:%d/%m/%Y} thì hợp lý. Máy tính của đơn vị "
        "có thể đang dùng định dạng ngày kiểu Mỹ (tháng/ngày/năm); hãy gõ lại ngày báo cáo theo dạng "
        "ngày/tháng/năm, ví dụ " + f"{swapped:%d/%m/%Y}"
    )
