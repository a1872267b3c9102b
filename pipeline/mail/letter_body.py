"""What a letter says (`_content`, a `Letter`): its kind (received, reminder, errors, receipt),
its subject and its body, decided together: each state of a unit (its file received after
the run and not read yet; not sent; rejected, with or without an earlier file that counts;
accepted, with or without warnings) has one sentence of subject beside the body that says
it, so the subject never says other than the body (`SUBJECTS`).

What a letter says is true on the day it goes: a reminder says "chưa nhận được" as of the
run's day (what it describes), never for a unit whose file lies in the inbox unread by that
run (`news.inbox_news`: the command says to consolidate first, and that unit's letter is not
sent until a run has read it); a letter asking for something by a day already past is not
sent (`send.days_past`), and a letter is dated when sent.

A rejection lists each error with the cell and what was found there, the findings that
explain it (`catalogue.EXPLAINED_BY`: a total that does not match, next to a number typed
as text in its row or column) and how to fix each (`catalogue.FIXES`, filled by
`rules.fixes.how_to_fix`: the digits to type, the amount meant, the nearest listed name),
and asks for the corrected file by a day in the future: `[mail.letters] resubmit_days`
after the day the letter is drafted, or the deadline's last day if later (`resubmit_by`).
When that day is after the deadline, the letter says plainly that a corrected report
received after the deadline's last day is recorded as sent after it (the counting rule of
`run.submissions.resolve`: the file that counts is judged by its own date).
The letter ends with whom to call (`letter_message`): the office's contact
(`[mail.letters] contact`, `phone`, read by `letter_settings`) and address; it names the
unit's own preparer when its file gives one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..form import Form, FormError, Unit, is_pending
from ..form.model import is_pending_text
from ..outbox.paths import feedback_path, templates_dir
from ..render.template import write_template
from ..rules.findings import ERROR, Finding, show
from ..rules.fixes import Explained, explained, how_to_fix
from ..text.names import template_name
from .attachments import _member, feedback_attachment_name

ERRORS, REMINDER, RECEIPT, RECEIVED = "errors", "reminder", "receipt", "received"
ASKS_TO_ACT = frozenset({ERRORS, REMINDER})
"""The kinds of letter that ask the unit to act (send its report, or a corrected one): while
its situation stays, `mail drafts --send --nhac-lai` sends such a letter again, even unchanged."""
# The subject of each state of a letter, beside the body `_content` writes for it ({year},
# {tag}: the programme's mail tag, {unit}, {count}: the warnings).
SUBJECTS = {
    "received": "Đã nhận {what} báo cáo năm {year} ({tag}) của {unit}: Sở đang kiểm tra",
    "reminder": "Đề nghị gửi báo cáo năm {year} ({tag}) - {unit}",
    "reminder_overdue": "Đề nghị gửi báo cáo năm {year} ({tag}) - {unit} (đã quá hạn nộp)",
    "errors": "Báo cáo năm {year} ({tag}) của {unit}: cần sửa và gửi lại",
    "errors_counting": (
        "Báo cáo năm {year} ({tag}) của {unit}: bản mới cần sửa và gửi lại (Sở đang dùng bản nhận trước đó)"
    ),
    "receipt": "Đã nhận báo cáo năm {year} ({tag}) của {unit}",
    "receipt_warnings": "Đã nhận báo cáo năm {year} ({tag}) của {unit} (có {count} cảnh báo cần xem lại)",
}
MAX_LISTED = 30  # findings written in the body; the feedback workbook has all of them
DEFAULT_RESUBMIT_DAYS = 7


@dataclass(frozen=True)
class LetterSettings:
    """`[mail.letters]` of the configuration: how long a unit has to send a corrected file
    (days from the day the letter is drafted) and whom at the office a unit calls."""

    resubmit_days: int = DEFAULT_RESUBMIT_DAYS
    contact: str = ""  # the officer's name ("" or "cần điền": not said)
    phone: str = ""


@dataclass(frozen=True)
class Letter:
    """What `_content` decided a unit's letter says: its `kind` (RECEIVED, REMINDER, ERRORS
    or RECEIPT), its `subject` and `body` (Vietnamese, written together from the same
    state), the files it attaches as (file name, the file attached), the feedback
    workbook the run wrote when attached (else None), and the day it gives the unit when
    that is not the resubmission day (`drafts` records it: a reminder before the deadline
    gives the deadline's last day; brk42 F1), else None."""

    kind: str
    subject: str
    body: str
    attachments: list[tuple[str, Path]] = field(default_factory=list)
    feedback: Path | None = None
    by: dt.date | None = None


def letter_settings(form: Form) -> LetterSettings:
    """Read `[mail.letters]` from the form's configuration (all of it optional).

    Raises FormError with a Vietnamese message for a `resubmit_days` that is not a whole
    number of days from 1 to 90."""
    try:
        raw = tomllib.loads(Path(form.path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        raw = {}
    letters = raw.get("mail", {}).get("letters", {})
    days = letters.get("resubmit_days", DEFAULT_RESUBMIT_DAYS)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 90:
        raise FormError(f"[mail.letters] resubmit_days '{days}' phải là số ngày từ 1 đến 90 (mặc định 7)")

    def known(key: str) -> str:
        value = str(letters.get(key) or "").strip()
        return "" if is_pending_text(value) else value

    return LetterSettings(days, known("contact"), known("phone"))


def resubmit_by(form: Form, letters: LetterSettings, today: dt.date) -> dt.date:
    """The day a unit is asked to send its corrected file by: `resubmit_days` after
    `today`, or the deadline's last day when that is later. Always after `today`."""
    soon = today + dt.timedelta(days=letters.resubmit_days)
    due = form.period.due_before
    if is_pending(due):
        return soon
    return max(soon, due - dt.timedelta(days=1))


def _message_line(form: Form, unit: Unit, message: dict[str, Any], run: dict[str, Any]) -> str:
    """What the unit's latest message (`message`, a run's "files" entry of kind "message",
    from one of the unit's addresses) held, when none of its files counts for the unit:
    nothing, or reports filled in other units' templates (counted for those units)."""
    inside = [f for f in run.get("files", []) if str(f.get("name", "")).startswith(f"{message['name']} › ")]
    others = [
        f for f in inside if f.get("unit") and f["unit"] != unit.code and f["unit"] in form.units_by_code
    ]
    if not others:
        return f"Thư của đơn vị ({_when(message)}) không có tệp báo cáo đính kèm (chỉ có nội dung thư)."
    said = "; ".join(
        f"tệp «{_member(f['name'])}» điền trên mẫu của {form.units_by_code[f['unit']].name}" for f in others
    )
    return (
        f"Thư của đơn vị ({_when(message)}) có {said}, nên được tính cho đơn vị đó. Nếu đây là báo cáo "
        f"của {unit.name}, đề nghị điền lại vào mẫu của đơn vị (đính kèm thư này) và gửi lại."
    )


def _content(
    form: Form,
    unit: Unit,
    u: dict[str, Any],
    latest: dict[str, Any] | None,
    findings: dict[str, list[dict[str, Any]]],
    outbox: Path,
    today: dt.date,
    letters: LetterSettings,
    run: dict[str, Any],
    fresh: tuple[str, ...] = (),
    by: dt.date | None = None,
    earlier: dt.date | None = None,
) -> Letter:
    """The reply to one unit (`Letter`: its kind, subject and body decided together);
    `write_drafts` may attach the officer's annotated copy of its feedback workbook instead
    (`officer_feedback`). `fresh`: the unit's inbox files the run did not read
    (`inbox_news`): whatever the run found for the unit, the letter says they came and are
    being checked (it is not sent until a run has read them). `by`: the day the letter asks
    for (default `resubmit_by` from `today`; `drafts.asked_by` keeps the day first given for
    the same situation); `earlier`: a day given before for it that has passed, said so."""
    year, due = form.year, form.period.due_before
    by = by or resubmit_by(form, letters, today)
    again = (
        f"Thời hạn Sở đề nghị trong thư trước (ngày {earlier:%d/%m/%Y}) đã qua; thời hạn trên là thời hạn mới."
        if earlier
        else ""
    )
    last_day = due - dt.timedelta(days=1)
    pending = is_pending(due)
    run_day = _run_day(run) or today

    def subject(state: str, **more: object) -> str:
        return SUBJECTS[state].format(year=year, tag=form.programme_info.mail_tag, unit=unit.name, **more)

    if fresh:
        # the unit's file is in the inbox, not read yet: never "chưa nhận được", nor a verdict
        # on an older file the unit has since sent again
        files = [n for n in fresh if not n.lower().endswith(".eml")]
        said = ", ".join("thư" if n.lower().endswith(".eml") else f"tệp «{Path(n).name}»" for n in fresh)
        lines = [
            f"Sở đã nhận {said} của đơn vị (sau lần tổng hợp ngày {run_day:%d/%m/%Y}). Sở sẽ kiểm tra và "
            "báo kết quả cho đơn vị trong thư sau."
        ]
        counting = u.get("file")
        if counting:
            lines.append(f"Trong khi chờ, Sở đang dùng bản đã chấp nhận trước đó («{_member(counting)}»).")
        return Letter(RECEIVED, subject("received", what="tệp" if files else "thư"), "\n\n".join(lines))
    if u["status"] == "missing" or latest is None or latest.get("kind") == "message":
        # said as of the run the letter describes (the inbox may have changed since)
        lines = [f"Đến ngày {run_day:%d/%m/%Y}, Sở chưa nhận được báo cáo năm {year} của đơn vị."]
        if latest is not None:
            lines.append(_message_line(form, unit, latest, run))
        overdue = not pending and today >= due
        deadline = (  # an unknown deadline is never written into a letter: `waits_for` holds it back
            "Hạn nộp báo cáo: Sở sẽ thông báo sau khi Ủy ban nhân dân tỉnh ấn định"
            if pending
            else f"Hạn nộp báo cáo: chậm nhất ngày {last_day:%d/%m/%Y}"
            + (f" (đã quá hạn; đề nghị gửi chậm nhất ngày {by:%d/%m/%Y})" if overdue else "")
        )
        lines.append(
            f"{deadline}. Đề nghị đơn vị điền mẫu báo cáo đính kèm "
            "thư này (chỉ điền vào các ô nền vàng, không đổi tên trang, không thêm bớt dòng, cột) và gửi lại "
            "tệp Excel qua thư điện tử."
        )
        if overdue and again:
            lines.append(again)
        name = template_name(year, unit.code, unit.name, form.programme_info.prefix)
        path = templates_dir(outbox, year) / name
        if not path.is_file():
            write_template(form, unit, path.parent)
        state = "reminder_overdue" if overdue else "reminder"
        given = None if overdue or pending else last_day  # the deadline, not a resubmission day
        return Letter(REMINDER, subject(state), "\n\n".join(lines), [(name, path)], by=given)
    found = [_finding(f) for f in findings.get(latest["name"], [])]
    errors = [f for f in found if f.severity == ERROR]
    attach = []
    fb: Path | None = feedback_path(outbox, year, unit.code, latest["name"])
    if found and fb is not None and fb.is_file():
        attach.append((feedback_attachment_name(unit.code, latest["name"]), fb))
    else:
        fb = None
    shown = _member(latest["name"])
    if errors:
        counting = u.get("file")
        items = explained(form, found)
        listed = [item for item in items if item[0].severity == ERROR]
        others = [item for item in items if item[0].severity != ERROR]
        told: set[Finding] = set()
        lines = [
            f"Sở đã nhận tệp báo cáo năm {year} «{shown}» của đơn vị ({_when(latest)}). "
            f"Tệp có {len(errors)} lỗi phải sửa nên chưa được tổng hợp:",
            _numbered(form, listed, fixing=True, told=told),
        ]
        if others:
            lines.append(f"Ngoài ra, đề nghị xem lại {len(others)} cảnh báo (không phải lỗi):")
            lines.append(_numbered(form, others, fixing=True, told=told))
        lines.append(
            f"Đề nghị đơn vị sửa các lỗi trên và gửi lại tệp chậm nhất ngày {by:%d/%m/%Y}. Tệp phản hồi đính kèm "
            "liệt kê các lỗi và tô màu các ô cần sửa."
        )
        if again:
            lines.append(again)
        if not pending and by > last_day:
            lines.append(late_resubmission(last_day))
        if counting:
            lines.append(f"Trong khi chờ, Sở đang dùng bản đã nhận trước đó («{_member(counting)}»).")
        state = "errors_counting" if counting else "errors"
        return Letter(ERRORS, subject(state), "\n\n".join(lines), attach, fb)
    timely = {True: "đúng hạn", False: "sau hạn nộp"}.get(u.get("on_time"), "")
    if pending:  # against a deadline not set yet, nothing is on time or late
        timely = "chưa xét đúng hạn (hạn nộp chưa được ấn định)"
    if timely and not pending and u.get("decided_by") == "report_date" and u.get("submitted_on"):
        # a file saved by hand: the date typed in it decided, not when it was saved here
        typed = dt.date.fromisoformat(u["submitted_on"])
        timely = f"{timely} (theo ngày báo cáo ghi trong tệp: {typed:%d/%m/%Y})"
    elif timely and not pending and u.get("decided_by") == "found" and u.get("submitted_on"):
        # a file saved by hand the office had before the date typed in it (brk42 F2)
        had = dt.date.fromisoformat(u["submitted_on"])
        timely = f"{timely} (Sở đã có tệp từ ngày {had:%d/%m/%Y}, trước ngày báo cáo ghi trong tệp)"
    elif timely and not pending and u.get("decided_by") == "after_mail" and u.get("submitted_on"):
        # a file saved by hand after the unit's message came: no older than that message
        came = dt.date.fromisoformat(u["submitted_on"])
        timely = (
            f"{timely} (tệp được lưu sau thư đơn vị gửi đến Sở ngày {came:%d/%m/%Y}, nên tính từ ngày đó)"
        )
    elif timely and not pending and u.get("decided_by") == "arrival" and u.get("submitted_on"):
        first = dt.date.fromisoformat(u["submitted_on"])
        if first < dt.datetime.fromisoformat(str(latest["received"])).date():  # the same figures sent before
            timely = f"{timely} (cùng số liệu đơn vị đã gửi ngày {first:%d/%m/%Y})"
    lines = [
        f"Sở đã nhận và chấp nhận báo cáo năm {year} của đơn vị: tệp «{shown}» ({_when(latest)})"
        + (f", {timely}" if timely else "")
        + "."
    ]
    if u.get("same_day"):  # two versions of one day: the unit says which is right (brk38 F3)
        others = ", ".join(f"«{_member(n)}»" for n in u["same_day"])
        why = (  # files of one message came at once: the name decided (brk49)
            "các tệp đến trong cùng một thư nên chọn theo tên tệp"
            if u.get("decided_by") == "arrival"
            else "lưu sau cùng hoặc, nếu lưu cùng lúc, theo tên tệp"
        )
        lines.append(
            f"Sở cũng nhận được {others} cùng ngày báo cáo với số liệu khác; Sở đang dùng tệp «{shown}» ({why}). "
            "Đề nghị đơn vị báo Sở bản nào đúng; nếu không phải tệp Sở đang dùng, hãy gửi lại bản đúng."
        )
    if found:
        lines.append(
            f"Tệp có {len(found)} cảnh báo (không phải lỗi); đề nghị đơn vị xem lại và báo Sở nếu số liệu "
            "cần điều chỉnh (chi tiết trong tệp phản hồi đính kèm):"
        )
        lines.append(_numbered(form, explained(form, found)))
    state = "receipt_warnings" if found else "receipt"
    return Letter(RECEIPT, subject(state, count=len(found)), "\n\n".join(lines), attach, fb)


def too_large_lines(items: tuple[Any, ...], latest: dict[str, Any] | None, zone: dt.tzinfo) -> list[str]:
    """What a letter says of the unit's messages `mail fetch` left on the server for their
    size (`fetch.TooLarge`) that came after the file it answers (`latest`, a run's "files"
    entry; all of them when None): one paragraph each, with when it came, how large it was
    and what to do (Vietnamese); [] when none is newer."""
    since = None
    if latest is not None:
        with contextlib.suppress(KeyError, ValueError):
            since = dt.datetime.fromisoformat(str(latest["received"]))
    out = []
    for t in items:
        try:
            came = dt.datetime.fromisoformat(t.received).astimezone(zone)
        except ValueError:
            came = None
        if since is not None and came is not None and came.replace(tzinfo=None) <= since.replace(tzinfo=None):
            continue
        when = f" nhận lúc {came:%H:%M} ngày {came:%d/%m/%Y}" if came else ""
        out.append(
            f"Thư của đơn vị{when} nặng {show(t.size)} byte, vượt giới hạn {show(t.limit)} byte một thư Sở "
            "nhận được, nên Sở không tải về và chưa kiểm tra được. Đề nghị đơn vị gửi lại thư chỉ đính kèm "
            "tệp Excel báo cáo (không kèm ảnh, bản quét hay tệp lớn khác); nếu tệp báo cáo vẫn lớn, nén "
            "thành tệp .zip rồi gửi."
        )
    return out


def late_resubmission(last_day: dt.date) -> str:
    """The rejection letter's plain warning when the day it asks the corrected file by is
    after the deadline's `last_day`: a corrected report that comes after that day is
    recorded as sent after the deadline (the file that counts is judged by its own date,
    `run.submissions.resolve`), even when it comes by the day asked (Vietnamese). Both ways
    a correction may come, whichever way the refused file came: by mail, judged by its
    arrival; brought and saved by hand, by the report date typed in it (never before the
    day the unit's earlier message came, `FileRecord.after_mail`). It names no day asked
    for: the officer who moves that day in the letter changes it in one place
    (`send.days_asked` reads each "chậm nhất ngày")."""
    return (
        f"Lưu ý: hạn nộp báo cáo là hết ngày {last_day:%d/%m/%Y}. Tệp đã sửa gửi qua thư điện tử đến Sở sau "
        f"ngày {last_day:%d/%m/%Y}, hoặc nộp trực tiếp mà ngày báo cáo ghi trong tệp sau ngày "
        f"{last_day:%d/%m/%Y}, được ghi nhận là gửi sau hạn nộp, dù đơn vị gửi trong thời hạn gửi lại nêu trên."
    )


def _run_day(run: dict[str, Any]) -> dt.date | None:
    """The day of the run (bao-cao.json `generated_at`, the office's time); None if unknown."""
    try:
        return dt.datetime.fromisoformat(str(run.get("generated_at", ""))).date()
    except ValueError:
        return None


def _finding(f: dict[str, Any]) -> Finding:
    """A finding of the run's report (bao-cao.json) as the `Finding` it was written from."""
    return Finding(**{k: str(f.get(k) or "") for k in Finding.__dataclass_fields__})


def _numbered(
    form: Form, items: list[Explained], fixing: bool = False, told: set[Finding] | None = None
) -> str:
    """The findings numbered, each with what was found in its cell and, indented, the
    findings that explain it (`rules.fixes.explained`), each with how to fix it
    (`rules.fixes.how_to_fix`); `fixing` (the file is to be sent again): under each finding
    too, how to fix it.
    `told`: the findings already said in this letter (updated): a cause said before is named
    by its cell, not said again."""
    listed = []
    told = set() if told is None else told  # a cause of several findings is told in full once
    for i, (f, why) in enumerate(items[:MAX_LISTED], start=1):
        listed.append(f"{i}. {_said(f)}")
        told.add(f)
        for g in why:
            if g in told:
                listed.append(f"   - Nguyên nhân: {g.where} (đã nêu ở trên)")
                continue
            told.add(g)
            listed.append(f"   - Nguyên nhân: {_said(g)}")
            listed += [f"     Cách sửa: {fix}." for fix in _fix(form, g, True)]
        listed += [f"   - Cách sửa: {fix}." for fix in _fix(form, f, fixing)]
    if len(items) > MAX_LISTED:
        listed.append(f"… và {len(items) - MAX_LISTED} mục khác (xem tệp phản hồi đính kèm).")
    return "\n".join(listed)


def _fix(form: Form, f: Finding, fixing: bool) -> list[str]:
    """[how to fix `f`] when the file is to be sent again and its rule says how; else []."""
    fix = how_to_fix(form, f) if fixing else ""
    return [fix] if fix else []


def _said(f: Finding) -> str:
    """A finding's message, with what the cell holds when the message does not say it."""
    if f.value and f.value not in f.message:
        return f"{f.message} (ô đang ghi: «{f.value}»)"
    return f.message


def _when(f: dict[str, Any]) -> str:
    """When a file of the run's report (its "files" entry) came, as said to its unit: "nhận
    lúc …" only when a message's arrival is known; a file saved by hand into the inbox has
    only its modification time, which says when it was saved, not when the office got it.
    Both in the province's time (the report's `received`)."""
    stamp = dt.datetime.fromisoformat(f["received"])
    at = f"{stamp:%H:%M} ngày {stamp:%d/%m/%Y}"
    return f"nhận lúc {at}" if f.get("received_mail") else f"trong hộp thư đến, lưu lúc {at}"
