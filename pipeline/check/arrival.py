"""The typed report date and the sender, checked against how the file came (issue #12).

A unit's computer with US regional settings turns "12/11/2025" into 11 December; a typo
turns 2025 into 2026. So the typed date is never trusted blindly: a date after the file
arrived (by mail), after today, or before the period starts is a warning naming the cell, and when
swapping day and month gives a date that fits, the message says so. A report for a unit
sent from an address not on the unit's list is a warning (forwarding is common).
These are rules (`rules.py`) over a record per report, checked the one way
(`ruleschema.check`).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..form import Form
from ..intake.whose import sent_by
from ..read.parsed import Parsed
from ..rules.catalogue import SENDER_ADVICE, SENDER_OWNER, Bound, bind
from ..rules.schema import Stack, broken, check

SENDER_FIELD = "sender"


def arrival_rules(form: Form, how: str = "ngày thư đến Sở") -> list[Bound]:
    """The typed date after the arrival (else after today), before the period; the sender.
    `how`: how the arrival is known."""
    start = form.period.start
    return [
        bind("DATE_AFTER_ARRIVAL", "report_date", ("arrival",), hint=_hint, start=start, how=how),
        bind("DATE_IN_FUTURE", "report_date", ("today", "arrival"), hint=_hint, start=start),
        bind("DATE_BEFORE_PERIOD", "report_date", (), hint=_hint, start=start),
        bind("SENDER_UNLISTED", SENDER_FIELD, ("emails",)),
    ]


def check_arrival(form: Form, parsed: list[Parsed], today: dt.date) -> None:
    """Add the date and sender warnings to each report's findings (in place)."""
    files = {p.file_id: p for p in parsed}
    for file_id, finding in check(
        "arrival", _stack(form, parsed, today), arrival_rules(form), files, by_record=True
    ):
        files[file_id].findings.append(finding)


def date_problems(
    form: Form, typed: dt.date, arrival: tuple[dt.date, str] | None, today: dt.date
) -> list[tuple[str, str]]:
    """(rule code, Vietnamese message) for each way the typed report date does not fit:
    after the arrival (date, how it is known), after `today`, before the period start."""
    rules = [r for r in arrival_rules(form, arrival[1] if arrival else "") if r.field != SENDER_FIELD]
    record = {
        "file_id": 0,
        "row": 0,
        "report_date": typed,
        "arrival": arrival[0] if arrival else None,
        "today": today,
    }
    return broken(record, rules)


def _stack(form: Form, parsed: list[Parsed], today: dt.date) -> Stack:
    """A record per report: its typed date, when it arrived (by mail: the message's arrival;
    a plain file's modification time says when it was copied, not when it came), today, and
    the sender with the unit's addresses."""
    rows = []
    for p in parsed:
        if not p.is_report:
            continue
        unit = form.units_by_code.get(p.unit_code or "")
        received = p.origin.received.date() if p.origin.received is not None else None
        rows.append(
            {
                "file_id": p.file_id,
                "row": 0,
                "report_date": p.report_date,
                "arrival": received,
                "today": today,
                SENDER_FIELD: p.origin.sender or None,
                "unit_name": unit.name if unit else None,
                "emails": tuple(unit.emails) if unit else (),
                **_sender_owner(form, p.origin.sender, unit.name if unit else ""),
            }
        )
    columns = [
        "file_id",
        "row",
        "report_date",
        "arrival",
        "today",
        SENDER_FIELD,
        "unit_name",
        "emails",
        "sender_owner",
        "sender_advice",
    ]
    frame = pd.DataFrame(rows, columns=columns).astype({c: object for c in columns[2:]})
    field = next((f for f in form.info_fields if f.key == "report_date"), None)
    date_cell = (form.sheets["info"], field.cell) if field else ("", "")
    return Stack(frame, lambda col, _rec: ("", "") if col == SENDER_FIELD else date_cell)


def _sender_owner(form: Form, sender: str, unit_name: str) -> dict[str, str]:
    """SENDER_UNLISTED's "sender_owner" and "sender_advice" (`catalogue.SENDER_ADVICE`): the
    unit whose address `sender` is (`intake.whose.sent_by`, by address only), if another
    than the one whose template (`unit_name`) was filled."""
    found = sent_by(form, "", sender or "")
    owner = form.units_by_code[found[0]].name if found else ""
    if not owner or owner == unit_name:
        return {"sender_owner": "", "sender_advice": SENDER_ADVICE["unknown"]}
    return {
        "sender_owner": SENDER_OWNER.format(owner=owner),
        "sender_advice": SENDER_ADVICE["other_unit"].format(owner=owner, unit_name=unit_name),
    }


def _hint(typed: dt.date, start: dt.date, latest: dt.date) -> str:
    """How to fix a typed date: swap day and month when that gives a date that fits."""
    if typed.day > 12 or typed.day == typed.month:
        return "Hãy kiểm tra và gõ lại ngày báo cáo (ngày/tháng/năm)"
    swapped = dt.date(typed.year, typed.day, typed.month)
    if not start <= swapped <= latest:
        return "Hãy kiểm tra và gõ lại ngày báo cáo (ngày/tháng/năm)"
    return (
        f"Có thể ngày và tháng bị đảo: nếu là ngày {swapped:%d/%m/%Y} thì hợp lý. Máy tính của đơn vị "
        "có thể đang dùng định dạng ngày kiểu Mỹ (tháng/ngày/năm); hãy gõ lại ngày báo cáo theo dạng "
        "ngày/tháng/năm, ví dụ " + f"{swapped:%d/%m/%Y}"
    )
