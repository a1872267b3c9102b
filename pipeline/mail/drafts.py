"""`mail drafts`: one reply per unit for the latest run, as `.eml` drafts in `outbox/<year>/thu/`.

A unit whose latest file has errors gets the findings and its feedback workbook; a unit that
has not sent gets a reminder with the deadline and its blank template; a unit whose report
counts gets a short receipt. Each draft is addressed to the unit's listed addresses (or to
the sender of its latest message), answers that message (`In-Reply-To`, RFC 5322 3.6.4) and
carries `X-Unsent: 1`, so Outlook opens it as a draft (Thunderbird: "Edit as New Message").
Its Message-ID is derived from its content, so the same reply is recognised when sent.
Messages are built by the standard library (`email.message.EmailMessage`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from ..form import Form, Unit
from ..intake.mail_settings import MailSettings
from ..outbox.atomic import write_bytes_atomic
from ..outbox.paths import feedback_path, report_path, templates_dir, year_dir
from ..render.template import write_template
from ..text.names import code_part, distinct_names, fitted, slug, template_name

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
ERRORS, REMINDER, RECEIPT = "errors", "reminder", "receipt"
MAX_LISTED = 30  # findings written in the body; the feedback workbook has all of them


class NoRunError(Exception):
    """There is no consolidation run to answer (bao-cao.json missing or unreadable)."""


@dataclass(frozen=True)
class Draft:
    unit: str
    kind: str  # ERRORS, REMINDER or RECEIPT
    to: tuple[str, ...]
    path: Path


def draft_name(unit_code: str, unit_name: str) -> str:
    """`thu-<code>-<name>.eml`, valid on Windows and within the name budget."""
    return fitted(f"thu-{code_part(unit_code)}-", unit_name, ".eml")


def drafts_dir(outbox: Path, year: int) -> Path:
    return year_dir(outbox, year) / "thu"


def load_run(outbox: Path, year: int) -> dict[str, Any]:
    """The latest run's report (bao-cao.json). Raises NoRunError."""
    path = report_path(outbox, year)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise NoRunError(
            f"chưa có kết quả tổng hợp năm {year} ({path}); hãy chạy 'make consolidate' trước"
        ) from exc


def write_drafts(form: Form, settings: MailSettings, outbox: Path, today: dt.date) -> list[Draft]:
    """Write one draft per unit of the registry for the latest run; return them.

    Raises NoRunError when no run exists for the form's year.
    """
    run = load_run(outbox, form.year)
    files = {f["name"]: f for f in run["files"]}
    findings: dict[str, list[dict[str, Any]]] = {}
    for f in run["findings"]:
        findings.setdefault(f["file"], []).append(f)
    out = []
    folder = drafts_dir(outbox, form.year)
    names = iter(distinct_names(draft_name(u.code, u.name) for u in form.units))
    paths = {u.code: folder / next(names) for u in form.units}
    for u in run["units"]:
        unit = form.units_by_code.get(u["code"])
        if unit is None:
            continue
        unit_files = [files[n] for n in u["files"] if n in files]
        latest = unit_files[0] if unit_files else _message_from(unit, run["files"])
        kind, body, attachments = _content(form, unit, u, latest, findings, outbox, today)
        to = unit.emails or ((latest["sender"],) if latest and latest.get("sender") else ())
        msg = _message(form, settings, unit, kind, to, body, attachments, latest)
        path = paths[unit.code]
        write_bytes_atomic(path, bytes(msg))
        out.append(Draft(unit.code, kind, tuple(to), path))
    return out


def _message_from(unit: Unit, files: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The latest message a unit sent that held no report (to answer it in the reminder)."""
    own = [f for f in files if f.get("kind") == "message" and f.get("sender") in unit.emails]
    return max(own, key=lambda f: f["received"]) if own else None


def _content(
    form: Form,
    unit: Unit,
    u: dict[str, Any],
    latest: dict[str, Any] | None,
    findings: dict[str, list[dict[str, Any]]],
    outbox: Path,
    today: dt.date,
) -> tuple[str, str, list[tuple[str, bytes]]]:
    """(kind, body, attachments as (file name, bytes)) of the reply to one unit."""
    year, due = form.year, form.period.due_before
    last_day = due - dt.timedelta(days=1)
    if u["status"] == "missing" or latest is None or latest.get("kind") == "message":
        lines = [f"Đến ngày {today:%d/%m/%Y}, Sở chưa nhận được báo cáo năm {year} của đơn vị."]
        if latest is not None:
            lines.append(
                f"Thư của đơn vị nhận lúc {_when(latest)} không có tệp báo cáo đính kèm (chỉ có nội dung thư)."
            )
        overdue = " (đã quá hạn; đề nghị gửi ngay)" if today >= due else ""
        lines.append(
            f"Hạn nộp báo cáo: chậm nhất ngày {last_day:%d/%m/%Y}{overdue}. Đề nghị đơn vị điền mẫu báo cáo đính kèm "
            "thư này (chỉ điền vào các ô nền vàng, không đổi tên trang, không thêm bớt dòng, cột) và gửi lại "
            "tệp Excel qua thư điện tử."
        )
        name = template_name(year, unit.code, unit.name, form.programme_info.prefix)
        path = templates_dir(outbox, year) / name
        if not path.is_file():
            write_template(form, unit, path.parent)
        return REMINDER, "\n\n".join(lines), [(name, path.read_bytes())]
    found = findings.get(latest["name"], [])
    errors = [f for f in found if f["severity"] == "error"]
    attach = []
    fb = feedback_path(outbox, year, unit.code, latest["name"])
    if found and fb.is_file():
        attach.append((fb.name, fb.read_bytes()))
    shown = _member(latest["name"])
    if errors:
        counting = u.get("file")
        lines = [
            f"Sở đã nhận tệp báo cáo năm {year} «{shown}» của đơn vị (nhận lúc {_when(latest)}). "
            f"Tệp có {len(errors)} lỗi phải sửa nên chưa được tổng hợp:",
            _numbered(errors),
            f"Đề nghị đơn vị sửa các lỗi trên và gửi lại tệp trước ngày {due:%d/%m/%Y}. Tệp phản hồi đính kèm "
            "liệt kê các lỗi và tô màu các ô cần sửa.",
        ]
        if counting:
            lines.append(f"Trong khi chờ, Sở đang dùng bản đã nhận trước đó («{_member(counting)}»).")
        return ERRORS, "\n\n".join(lines), attach
    timely = {True: "đúng hạn", False: "sau hạn nộp"}.get(u.get("on_time"), "")
    if timely and u.get("decided_by") == "report_date" and u.get("submitted_on"):
        # a file saved by hand: the date typed in it decided, not when it was saved here
        typed = dt.date.fromisoformat(u["submitted_on"])
        timely = f"{timely} (theo ngày báo cáo ghi trong tệp: {typed:%d/%m/%Y})"
    lines = [
        f"Sở đã nhận và chấp nhận báo cáo năm {year} của đơn vị: tệp «{shown}», nhận lúc {_when(latest)}"
        + (f", {timely}" if timely else "")
        + "."
    ]
    if found:
        lines.append(
            f"Tệp có {len(found)} cảnh báo (không phải lỗi); đề nghị đơn vị xem lại và báo Sở nếu số liệu "
            "cần điều chỉnh (chi tiết trong tệp phản hồi đính kèm):"
        )
        lines.append(_numbered(found))
    return RECEIPT, "\n\n".join(lines), attach


def _numbered(found: list[dict[str, Any]]) -> str:
    listed = [f"{i}. {f['message']}" for i, f in enumerate(found[:MAX_LISTED], start=1)]
    if len(found) > MAX_LISTED:
        listed.append(f"… và {len(found) - MAX_LISTED} mục khác (xem tệp phản hồi đính kèm).")
    return "\n".join(listed)


def _member(name: str) -> str:
    return name.rpartition(" › ")[2]


def _when(f: dict[str, Any]) -> str:
    stamp = dt.datetime.fromisoformat(f["received"])
    return f"{stamp:%H:%M} ngày {stamp:%d/%m/%Y}"


SUBJECTS = {
    ERRORS: "Báo cáo năm {year} ({tag}) của {unit}: cần sửa và gửi lại",
    REMINDER: "Đề nghị gửi báo cáo năm {year} ({tag}) - {unit}",
    RECEIPT: "Đã nhận báo cáo năm {year} ({tag}) của {unit}",
}


def _message(
    form: Form,
    settings: MailSettings,
    unit: Unit,
    kind: str,
    to: tuple[str, ...] | list[str],
    body: str,
    attachments: list[tuple[str, bytes]],
    answering: dict[str, Any] | None,
) -> EmailMessage:
    msg = EmailMessage()
    sender = settings.address
    if sender:
        msg["From"] = Address(settings.display_name, addr_spec=sender)
    if to:
        msg["To"] = ", ".join(to)
    msg["Subject"] = SUBJECTS[kind].format(year=form.year, tag=form.programme_info.mail_tag, unit=unit.name)
    signature = settings.display_name or form.agencies.get("department", "")
    text = f"Kính gửi: {unit.name}\n\n{body}\n\nTrân trọng.\n{signature}\n"
    msg.set_content(text)
    for name, data in attachments:
        msg.add_attachment(data, maintype=XLSX[0], subtype=XLSX[1], filename=name)
    reply_to = (answering or {}).get("message_id", "")
    if reply_to:
        msg["In-Reply-To"] = reply_to
        msg["References"] = reply_to
    digest = hashlib.sha256(
        "\n".join([",".join(to), str(msg["Subject"]), text, reply_to]).encode("utf-8")
        + b"".join(hashlib.sha256(d).digest() for _, d in attachments)
    ).hexdigest()
    domain = sender.rpartition("@")[2] or "localhost"
    msg["Message-ID"] = (
        f"<qd{slug(form.programme_info.prefix, 20)}-{form.year}-{slug(unit.code, 20)}-{digest[:24]}@{domain}>"
    )
    msg["Date"] = format_datetime(dt.datetime.now(settings.zone))
    msg["X-Unsent"] = "1"
    return msg
