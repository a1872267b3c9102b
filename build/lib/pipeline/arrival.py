"""The typed report date and the sender, checked against how the file came (issue #12).

A unit's computer with US regional settings turns "12/11/2025" into 11 December; a typo
turns 2025 into 2026. So the typed date is never trusted blindly: a date after the file
arrived (by mail), after today, or before the period starts is a warning naming the cell, and when
swapping day and month gives a date that fits, the message says so. A report for a unit
sent from an address not on the unit's list is a warning (forwarding is common).
"""

from __future__ import annotations

import datetime as dt

from . import findings as fd
from .extract import Parsed
from .form import Form


def check_arrival(form: Form, parsed: list[Parsed], today: dt.date) -> None:
    """Add the date and sender warnings to each report's findings (in place)."""
    field = next((f for f in form.info_fields if f.key == "report_date"), None)
    for p in parsed:
        if not p.is_report:
            continue
        if p.report_date is not None and field is not None:
            for code, message in date_problems(form, p.report_date, _arrival(p), today):
                p.findings.append(
                    fd.make(code, message, file=p.name, unit=p.unit_code or "", sheet=form.sheets["info"],
                            cell=field.cell, value=f"{p.report_date:%d/%m/%Y}")
                )  # fmt: skip
        _check_sender(form, p)


def _arrival(p: Parsed) -> tuple[dt.date, str] | None:
    """When the file arrived, and how that is known (None when it is not)."""
    if p.origin.received is not None:
        return p.origin.received.date(), "ngày thư đến Sở"
    return None  # a plain file's modification time says when it was copied, not when it came


def date_problems(
    form: Form, typed: dt.date, arrival: tuple[dt.date, str] | None, today: dt.date
) -> list[tuple[str, str]]:
    """(rule code, Vietnamese message) for each way the typed report date does not fit:
    after the arrival (date, how it is known), after `today`, before the period start."""
    out: list[tuple[str, str]] = []
    latest = min(arrival[0], today) if arrival else today
    if arrival and typed > arrival[0]:
        out.append(
            ("DATE_AFTER_ARRIVAL", f"ngày báo cáo {typed:%d/%m/%Y} sau {arrival[1]} ({arrival[0]:%d/%m/%Y})")
        )
    elif typed > today:
        out.append(("DATE_IN_FUTURE", f"ngày báo cáo {typed:%d/%m/%Y} sau ngày hôm nay ({today:%d/%m/%Y})"))
    if typed < form.period.start:
        out.append(
            ("DATE_BEFORE_PERIOD", f"ngày báo cáo {typed:%d/%m/%Y} trước ngày bắt đầu kỳ báo cáo "
                                   f"({form.period.start:%d/%m/%Y})")
        )  # fmt: skip
    hint = (
        _swap_hint(typed, form.period.start, latest) or "Hãy kiểm tra và gõ lại ngày báo cáo (ngày/tháng/năm)"
    )
    return [(code, f"{message}. {hint}") for code, message in out]


def _swap_hint(typed: dt.date, start: dt.date, latest: dt.date) -> str:
    if typed.day > 12 or typed.day == typed.month:
        return ""
    swapped = dt.date(typed.year, typed.day, typed.month)
    if not start <= swapped <= latest:
        return ""
    return (
        f"Có thể ngày và tháng bị đảo: nếu là ngày {swapped:%d/%m/%Y} thì hợp lý. Máy tính của đơn vị "
        "có thể đang dùng định dạng ngày kiểu Mỹ (tháng/ngày/năm); hãy gõ lại ngày báo cáo theo dạng "
        "ngày/tháng/năm, ví dụ " + f"{swapped:%d/%m/%Y}"
    )


def _check_sender(form: Form, p: Parsed) -> None:
    sender = p.origin.sender
    unit = form.units_by_code.get(p.unit_code or "")
    if not sender or unit is None or not unit.emails or sender in unit.emails:
        return
    p.findings.append(
        fd.make(
            "SENDER_UNLISTED",
            f"thư gửi từ địa chỉ {sender}, không có trong danh sách địa chỉ của {unit.name} "
            f"({', '.join(unit.emails)}). Thư chuyển tiếp vẫn được nhận; hãy kiểm tra người gửi",
            file=p.name,
            unit=unit.code,
            value=sender,
        )
    )
