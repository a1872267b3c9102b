"""`mail drafts`: one reply per unit for the latest run, as `.eml` drafts in `outbox/<year>/thu/`.

A unit whose latest file has errors gets the findings and its feedback workbook; a unit that
has not sent gets a reminder with the deadline and its blank template; a unit whose report
counts gets a short receipt. Each draft is addressed to the unit's listed addresses (or to
the sender of its latest message), answers that message (`In-Reply-To`, RFC 5322 3.6.4) and
carries `X-Unsent: 1`, so Outlook opens it as a draft (Thunderbird: "Edit as New Message").
Its Message-ID is derived from its content, so the same reply is recognised when sent.
Messages are built by the standard library (`email.message.EmailMessage`).

Every draft describes one run: it carries that run's id (`RUN_HEADER`). The drafts are
written again for each new run (`refresh_drafts`, after `consolidate`); a draft of another
run left in `thu/` (a unit no longer in the registry) is moved to `thu/cu/`, and
`send.send_drafts` never sends a draft of a run other than the current one. A draft the
officer changed since it was written (in Outlook or Thunderbird, or a text editor: its
SHA-256 is no longer the one recorded in `DRAFTED`, with the run it was drafted for and what
of that run it is about, `unit_set`) is never overwritten. While it describes the current
run it is left as saved and sent as saved; a new run that is the same for its unit (same
files, same findings: the same `unit_set`) keeps it so, recorded as describing the new run
("carried"). Once the unit's part of the set has changed it is kept in `thu/cu/` as
`…-ban-da-sua.eml`, a new draft is written, and the record names the kept letter for it:
`send` holds that unit's letter until the officer has checked it (changed the new draft, or
deleted the kept letter); the command says where, and how, naming the command to run
(`drafts_command`: `make drafts …` under make, else the console command). A kept letter that
was sent is history and holds nothing.

What a letter says is true on the day it goes: a reminder says "chưa nhận được" as of the
run's day (what it describes), never for a unit whose file lies in the inbox unread by that
run (`inbox_news`: the command says to consolidate first, and that unit's letter is not sent
until a run has read it); a letter asking for something by a day already past is not sent
(`send.days_past`), and a letter is dated when sent. The feedback workbook the officer
annotated (kept by `outbox.kept` as `…-ban-da-sua.xlsx`) is attached instead of the one the
run wrote while the unit's part of the set is the one it was annotated in (the rule that
keeps an edited letter current, `unit_set`: the same files, so the same findings; other
units' mail arriving meanwhile changes nothing for it). The unit's part when it was
annotated is read from the set it was kept from (the current or the previous set) and
recorded with the letter (`DRAFTED`, "feedback_set"), so later runs still know it. When
the unit's part has changed, or is no longer known, the new workbook is attached and the
command and the record say why the officer's is not (`Draft.feedback_why`).

A rejection lists each error with the cell and what was found there, the findings that
explain it (`catalogue.EXPLAINED_BY`: a total that does not match, next to a number typed
as text in its row or column) and how to fix each (`catalogue.FIXES`, filled by
`rules.fixes.how_to_fix`: the digits to type, the amount meant, the nearest listed name),
and asks for the corrected file by a day in the future: `[mail.letters] resubmit_days`
after the day the letter is drafted, or the deadline's last day if later. The letter ends
with whom to call: the office's contact (`[mail.letters] contact`, `phone`) and address;
it names the unit's own preparer when its file gives one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tomllib
from dataclasses import dataclass, field
from email import message_from_bytes
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from ..form import DEFAULT_FORM, Form, FormError, Unit, is_pending
from ..form.model import is_pending_text
from ..intake.inbox import READ, list_inbox
from ..intake.mail_settings import MailSettings
from ..outbox.atomic import write_bytes_atomic
from ..outbox.kept import edited_copy, made_from, set_identity
from ..outbox.paths import REPORT, feedback_path, previous_dir, report_path, templates_dir, year_dir
from ..render.template import write_template
from ..rules.findings import ERROR, Finding
from ..rules.fixes import Explained, explained, how_to_fix
from ..run.consolidate import check_report
from ..text import command
from ..text.command import MAKE_MARK, as_typed, command_name, quoted
from ..text.names import code_part, distinct_names, fitted, slug, template_name
from .send import (  # the run a draft describes; what it waits for; the record of drafts
    DRAFTED,
    PENDING_HEADER,
    RUN_HEADER,
    STALE_DIR,
    awaiting_check,
    days_past,
    drafted_record,
    edited_since_drafted,
    letter_run,
    read_letter,
    sent_already,
)

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
ERRORS, REMINDER, RECEIPT = "errors", "reminder", "receipt"
MAX_LISTED = 30  # findings written in the body; the feedback workbook has all of them
EDITED_SUFFIX = "-ban-da-sua"  # an earlier draft the officer changed, kept in `thu/cu/`
DEFAULT_RESUBMIT_DAYS = 7


class NoRunError(Exception):
    """There is no consolidation run to answer (bao-cao.json missing or unreadable)."""


@dataclass(frozen=True)
class Draft:
    unit: str
    kind: str  # ERRORS, REMINDER or RECEIPT
    to: tuple[str, ...]
    path: Path
    kept: Path | None = None  # the officer's edited earlier draft, put aside in `thu/cu/` now
    edited: bool = False  # the officer's edited letter of this run, left as saved (sent as such)
    unchecked: Path | None = None  # the officer's edited letter of an earlier run this one waits on
    carried: bool = False  # edited: for an earlier run that this run repeats for its unit
    past: tuple[dt.date, ...] = ()  # edited: the days it asks for that are past (not sent as is)
    kept_sent: bool = False  # kept: that letter was sent (history: it holds nothing)
    feedback: Path | None = None  # the feedback workbook attached, when the officer's edited copy
    feedback_left: Path | None = None  # the officer's edited feedback copy NOT attached (see feedback_why)
    feedback_why: str = ""  # Vietnamese: why `feedback_left` is not attached
    newer: tuple[str, ...] = ()  # the inbox files of its unit the run did not read (not sent)


def draft_name(unit_code: str, unit_name: str) -> str:
    """`thu-<code>-<name>.eml`, valid on Windows and within the name budget."""
    return fitted(f"thu-{code_part(unit_code)}-", unit_name, ".eml")


def drafts_dir(outbox: Path, year: int) -> Path:
    return year_dir(outbox, year) / "thu"


@dataclass(frozen=True)
class LetterSettings:
    """`[mail.letters]` of the configuration: how long a unit has to send a corrected file
    (days from the day the letter is drafted) and whom at the office a unit calls."""

    resubmit_days: int = DEFAULT_RESUBMIT_DAYS
    contact: str = ""  # the officer's name ("" or "cần điền": not said)
    phone: str = ""


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


def draft_run(path: Path, entry: dict[str, str] | None = None) -> str:
    """The run id a draft describes: its `RUN_HEADER`, else the run of its record `entry`
    (a mail client that dropped the header); "" for neither (a draft of an older version)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(64 * 1024).split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    except OSError:
        return ""
    msg = message_from_bytes(head + b"\n\n", policy=default_policy)
    assert isinstance(msg, EmailMessage)
    return letter_run(msg, entry)


def refresh_drafts(form: Form, settings: MailSettings, outbox: Path, today: dt.date) -> list[Draft] | None:
    """After a run: write the drafts again when `thu/` holds drafts of another run (the
    officer drafts letters: they must describe the current set); None when there were none
    to replace. Raises NoRunError, FormError as `write_drafts`."""
    folder = drafts_dir(outbox, form.year)
    drafts = list(folder.glob("*.eml"))
    if not drafts:  # the officer does not draft letters (the common case: nothing read)
        return None
    run_id = str(load_run(outbox, form.year).get("run_id", ""))
    record = drafted_record(folder)
    if all(draft_run(p, record.get(p.name)) == run_id for p in drafts):
        return None
    return write_drafts(form, settings, outbox, today)


def load_run(outbox: Path, year: int) -> dict[str, Any]:
    """The latest run's report (bao-cao.json). Raises NoRunError."""
    path = report_path(outbox, year)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise NoRunError(
            f"chưa có kết quả tổng hợp năm {year} ({path}); hãy tổng hợp trước (lệnh consolidate)"
        ) from exc


@dataclass(frozen=True)
class InboxNews:
    """The inbox files the latest run did not read (new, or changed since: another SHA-256),
    as `inbox_news` finds them. `inbox`: the folder the run read (None when not found);
    `by_unit`: unit code -> names of its files; `unknown`: names of files no unit is read
    from (not a report, another configuration's, unreadable); `run_at`: the run's time."""

    inbox: Path | None = None
    by_unit: dict[str, tuple[str, ...]] | None = None
    unknown: tuple[str, ...] = ()
    run_at: dt.datetime | None = None

    @property
    def names(self) -> list[str]:
        return sorted({n for names in (self.by_unit or {}).values() for n in names} | set(self.unknown))


def inbox_news(form: Form, outbox: Path) -> InboxNews:
    """What arrived in the inbox since the latest run (its `bao-cao.json`): each file
    `intake.inbox.list_inbox` lists for reading (as the run lists them) that the run's list
    of files does not hold under that name with that SHA-256, with the unit each is read for
    (`run.consolidate.check_report`, as `check` reads a file). The inbox is the run's
    (bao-cao.json "inbox", as given to `consolidate`): beside the outbox, else from the
    current folder, a folder holding none of the run's files not taken for it; an empty
    `InboxNews` (inbox None) when it is not found. Raises NoRunError as `load_run`."""
    run = load_run(outbox, form.year)
    at = None
    try:
        at = dt.datetime.fromisoformat(str(run.get("generated_at", "")))
    except ValueError:
        pass
    given = str(run.get("inbox", ""))
    seen = {f["name"]: f for f in run["files"] if not f.get("container")}
    places = [Path(given)] if Path(given).is_absolute() else [outbox.resolve().parent / given, Path(given)]
    for inbox in (p for p in places if given and p.is_dir()):
        entries = [
            e
            for e in list_inbox(inbox, outbox)
            if e.status == READ and e.path is not None and not e.name.endswith("/")
        ]
        if seen and not any(e.name in seen for e in entries):
            continue  # a folder of that name that is not the run's inbox (another working folder)
        break
    else:
        return InboxNews(run_at=at)
    new: list[Path] = []
    for e in entries:
        assert e.path is not None
        before = seen.get(e.name)
        if before is not None and before.get("size") == e.size:
            try:
                if hashlib.sha256(e.path.read_bytes()).hexdigest() == before.get("sha256"):
                    continue
            except OSError:
                continue  # not readable now: the run will say so
        new.append(e.path)
    by_unit: dict[str, list[str]] = {}
    unknown = []
    for path in new:
        name = path.relative_to(inbox).as_posix()
        units = {f.unit for f in check_report(form, [path]).files if f.unit}
        for code in units:
            by_unit.setdefault(code, []).append(name)
        if not units:
            unknown.append(name)
    return InboxNews(inbox, {k: tuple(v) for k, v in by_unit.items()}, tuple(unknown), at)


def drafts_command(form: Form, outbox: Path, send: bool = False) -> str:
    """The command that drafts (`send`: and sends) the letters of `outbox`, as the officer
    types it: `make drafts …` under make (`text.command.MAKE_MARK`), else the console command
    (`text.command.command_name`), with the configuration and the outbox when not the
    defaults."""
    other = outbox.resolve() != form.outbox.resolve()
    if os.environ.get(MAKE_MARK):
        return (
            f"make drafts CONFIG={quoted(as_typed(form.path))}"
            + (f" OUTBOX={quoted(as_typed(outbox))}" if other else "")
            + (" SEND=1" if send else "")
        )
    config = (
        "" if form.path.resolve() == DEFAULT_FORM.resolve() else f" --config {quoted(as_typed(form.path))}"
    )
    return (
        f"{command_name()}{config} mail drafts"
        + (f" --outbox {quoted(as_typed(outbox))}" if other else "")
        + (" --send" if send else "")
    )


def consolidate_command(form: Form, inbox: Path, outbox: Path) -> str:
    """The command that consolidates `inbox` into `outbox`, as the officer types it
    (`text.command.consolidate_command`, with the configuration and the outbox when not the
    defaults; under make the configuration always)."""
    default = form.path.resolve() == DEFAULT_FORM.resolve() and not os.environ.get(MAKE_MARK)
    return command.consolidate_command(
        as_typed(inbox),
        None if default else as_typed(form.path),
        as_typed(outbox) if outbox.resolve() != form.outbox.resolve() else None,
    )


def write_drafts(
    form: Form,
    settings: MailSettings,
    outbox: Path,
    today: dt.date,
    newer: dict[str, tuple[str, ...]] | None = None,
) -> list[Draft]:
    """Write one draft per unit of the registry for the latest run; return them. `today`
    is the day of drafting (the clock: a resubmission day; a reminder's "đến ngày" is the
    run's day, what it describes). `newer`: unit code -> the inbox files of that unit the
    run did not read (`inbox_news`): its letter says no "chưa nhận được" and is not sent
    until a run has read them.

    Raises NoRunError when no run exists for the form's year, FormError for a bad
    `[mail.letters]` setting.
    """
    run = load_run(outbox, form.year)
    letters = letter_settings(form)
    newer = newer or {}
    run_id = str(run.get("run_id", ""))
    files, findings = _by_file(run)
    out = []
    folder = drafts_dir(outbox, form.year)
    drafted = drafted_record(folder)
    names = iter(distinct_names(draft_name(u.code, u.name) for u in form.units))
    paths = {u.code: folder / next(names) for u in form.units}
    by = resubmit_by(form, letters, today)
    for u in run["units"]:
        unit = form.units_by_code.get(u["code"])
        if unit is None:
            continue
        unit_files, latest = _unit_files(run, files, u, unit)
        fresh = newer.get(unit.code, ())
        kind, body, attaching, fb = _content(
            form, unit, u, latest, findings, outbox, today, letters, run, fresh
        )
        to = unit.emails or ((latest["sender"],) if latest and latest.get("sender") else ())
        path = paths[unit.code]
        entry = drafted.get(path.name, {})
        edited = edited_since_drafted(path, entry)
        same = unit_set(kind, u, unit_files, findings, latest)
        chosen = officer_feedback(outbox, form.year, fb, unit, kind, same, entry) if fb else _NO_COPY
        attachments = [(n, ((chosen.attached or p) if p == fb else p).read_bytes()) for n, p in attaching]
        noted = {k: v for k, v in entry.items() if k not in _FEEDBACK_KEYS}
        entry = {**noted, **chosen.record}
        carried = edited and draft_run(path, entry) != run_id and entry.get("unit_set") == same
        if carried:  # this run is the same for the unit as the one the officer's letter is about
            header = _run_header(path)
            entry = {**entry, "run": run_id, **({"carried": header} if header else {})}
        if edited and draft_run(path, entry) == run_id:
            # the officer's letter about this very set: left as saved, sent as saved
            entry = {k: v for k, v in entry.items() if k != "newer"}
            if fresh:
                entry["newer"] = ", ".join(fresh)
            drafted[path.name] = entry
            past = _past(path, entry, today)
            out.append(
                Draft(
                    unit.code, kind, _saved_to(path) or tuple(to), path, edited=True,
                    carried=carried, past=past, newer=fresh,
                )
            )  # fmt: skip
            continue
        msg = _message(form, settings, letters, unit, u, kind, to, body, attachments, latest, run, today)
        kept = _aside(path, EDITED_SUFFIX) if edited else None
        kept_sent = kept is not None and sent_already(kept)
        # an edited letter not checked yet (a sent one is history: it holds nothing)
        waiting = (kept if not kept_sent else None) if kept else awaiting_check(path, entry)
        data = bytes(msg)
        write_bytes_atomic(path, data)
        drafted[path.name] = {
            "sha256": hashlib.sha256(data).hexdigest(),
            "run": run_id,
            "unit_set": same,
            "by": by.isoformat(),
            **chosen.record,
        }
        if waiting is not None:
            drafted[path.name]["kept"] = waiting.name
        if fresh:
            drafted[path.name]["newer"] = ", ".join(fresh)
        out.append(
            Draft(
                unit.code, kind, tuple(to), path, kept, unchecked=waiting, kept_sent=kept_sent,
                feedback=chosen.attached, feedback_left=chosen.left, feedback_why=chosen.why, newer=fresh,
            )
        )  # fmt: skip
    for path in sorted(folder.glob("*.eml")):  # drafts of another run no new draft replaced
        entry = drafted.get(path.name, {})
        if draft_run(path, entry) != run_id:
            _aside(path, EDITED_SUFFIX if edited_since_drafted(path, entry) else "")
            drafted.pop(path.name, None)
    write_bytes_atomic(folder / DRAFTED, json.dumps(drafted, ensure_ascii=False, indent=1).encode("utf-8"))
    return out


def _by_file(run: dict[str, Any]) -> tuple[dict[str, dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """The run's (bao-cao.json) "files" entries by name, and its "findings" by file name.
    KeyError for a report without them."""
    findings: dict[str, list[dict[str, Any]]] = {}
    for f in run["findings"]:
        findings.setdefault(f["file"], []).append(f)
    return {f["name"]: f for f in run["files"]}, findings


def _unit_files(
    run: dict[str, Any], files: dict[str, dict[str, Any]], u: dict[str, Any], unit: Unit
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """(the files of the run's unit entry `u`, newest first, as the run's "files" entries
    `files` give them; the latest of them, else the latest message of `unit` that held no
    report, else None)."""
    unit_files = [files[n] for n in u["files"] if n in files]
    return unit_files, unit_files[0] if unit_files else _message_from(unit, run["files"])


def unit_set(
    kind: str,
    u: dict[str, Any],
    unit_files: list[dict[str, Any]],
    findings: dict[str, list[dict[str, Any]]],
    latest: dict[str, Any] | None,
) -> str:
    """What of a run a unit's letter is about, as a SHA-256: the kind of letter, the unit's
    status, each of its files (name, SHA-256, what became of it) and their findings, the
    message it answers. Two runs with the same value say the same to that unit, so an
    officer's letter edited for one is current for the other."""
    what = {
        "kind": kind,
        "status": u.get("status"),
        "file": u.get("file"),
        "on_time": u.get("on_time"),
        "files": [[f.get("name"), f.get("sha256"), f.get("status")] for f in unit_files],
        "findings": [
            [g.get(k) for k in ("file", "code", "cell", "severity", "value", "message")]
            for f in unit_files
            for g in findings.get(f["name"], [])
        ],
        "answers": (latest or {}).get("message_id", ""),
    }
    return hashlib.sha256(json.dumps(what, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def _run_header(path: Path) -> str:
    """The run id the letter at `path` carries (`RUN_HEADER`), "" when none or unreadable."""
    try:
        return str(read_letter(path).get(RUN_HEADER, "") or "").strip()
    except (OSError, ValueError):
        return ""


def _past(path: Path, entry: dict[str, str], today: dt.date) -> tuple[dt.date, ...]:
    """The days the letter at `path` asks for that are before `today` (`send.days_past`)."""
    try:
        return days_past(read_letter(path), entry, today)
    except (OSError, ValueError):
        return ()


def _saved_to(path: Path) -> tuple[str, ...]:
    """The addresses of the letter at `path` as the officer saved it (() when none or unreadable)."""
    try:
        msg = read_letter(path)
    except (OSError, ValueError):
        return ()
    return tuple(a.addr_spec for a in getattr(msg["To"], "addresses", ()) if a.addr_spec)


def _aside(path: Path, suffix: str) -> Path:
    """Move a draft into `thu/cu/` (`<stem><suffix>[-N].eml`, never over another); return
    where it went."""
    aside = path.parent / STALE_DIR
    aside.mkdir(exist_ok=True)
    target = aside / f"{path.stem}{suffix}{path.suffix}"
    n = 1
    while target.exists():
        n += 1
        target = aside / f"{path.stem}{suffix}-{n}{path.suffix}"
    path.replace(target)
    return target


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
    letters: LetterSettings,
    run: dict[str, Any],
    fresh: tuple[str, ...] = (),
) -> tuple[str, str, list[tuple[str, Path]], Path | None]:
    """(kind, body, attachments as (file name, the file attached), the feedback workbook
    the run wrote when attached, else None) of the reply to one unit; `write_drafts` may
    attach the officer's annotated copy of it instead (`officer_feedback`). `fresh`: the
    unit's inbox files the run did not read (`inbox_news`)."""
    year, due = form.year, form.period.due_before
    last_day = due - dt.timedelta(days=1)
    pending = is_pending(due)
    run_day = _run_day(run) or today
    if fresh and (u["status"] == "missing" or latest is None or latest.get("kind") == "message"):
        # the unit's file is in the inbox, not read yet: never "chưa nhận được"
        said = ", ".join("thư" if n.lower().endswith(".eml") else f"tệp «{Path(n).name}»" for n in fresh)
        return (
            REMINDER,
            f"Sở đã nhận {said} của đơn vị (sau lần tổng hợp ngày {run_day:%d/%m/%Y}). Sở sẽ kiểm tra và "
            "báo kết quả cho đơn vị trong thư sau.",
            [],
            None,
        )
    if u["status"] == "missing" or latest is None or latest.get("kind") == "message":
        # said as of the run the letter describes (the inbox may have changed since)
        lines = [f"Đến ngày {run_day:%d/%m/%Y}, Sở chưa nhận được báo cáo năm {year} của đơn vị."]
        if latest is not None:
            lines.append(
                f"Thư của đơn vị ({_when(latest)}) không có tệp báo cáo đính kèm (chỉ có nội dung thư)."
            )
        by = resubmit_by(form, letters, today)
        overdue = f" (đã quá hạn; đề nghị gửi chậm nhất ngày {by:%d/%m/%Y})" if today >= due else ""
        deadline = (  # an unknown deadline is never written into a letter: `waits_for` holds it back
            "Hạn nộp báo cáo: Sở sẽ thông báo sau khi Ủy ban nhân dân tỉnh ấn định"
            if pending
            else f"Hạn nộp báo cáo: chậm nhất ngày {last_day:%d/%m/%Y}{overdue}"
        )
        lines.append(
            f"{deadline}. Đề nghị đơn vị điền mẫu báo cáo đính kèm "
            "thư này (chỉ điền vào các ô nền vàng, không đổi tên trang, không thêm bớt dòng, cột) và gửi lại "
            "tệp Excel qua thư điện tử."
        )
        name = template_name(year, unit.code, unit.name, form.programme_info.prefix)
        path = templates_dir(outbox, year) / name
        if not path.is_file():
            write_template(form, unit, path.parent)
        return REMINDER, "\n\n".join(lines), [(name, path)], None
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
        by = resubmit_by(form, letters, today)
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
        if counting:
            lines.append(f"Trong khi chờ, Sở đang dùng bản đã nhận trước đó («{_member(counting)}»).")
        return ERRORS, "\n\n".join(lines), attach, fb
    timely = {True: "đúng hạn", False: "sau hạn nộp"}.get(u.get("on_time"), "")
    if pending:  # against a deadline not set yet, nothing is on time or late
        timely = "chưa xét đúng hạn (hạn nộp chưa được ấn định)"
    if timely and not pending and u.get("decided_by") == "report_date" and u.get("submitted_on"):
        # a file saved by hand: the date typed in it decided, not when it was saved here
        typed = dt.date.fromisoformat(u["submitted_on"])
        timely = f"{timely} (theo ngày báo cáo ghi trong tệp: {typed:%d/%m/%Y})"
    lines = [
        f"Sở đã nhận và chấp nhận báo cáo năm {year} của đơn vị: tệp «{shown}» ({_when(latest)})"
        + (f", {timely}" if timely else "")
        + "."
    ]
    if found:
        lines.append(
            f"Tệp có {len(found)} cảnh báo (không phải lỗi); đề nghị đơn vị xem lại và báo Sở nếu số liệu "
            "cần điều chỉnh (chi tiết trong tệp phản hồi đính kèm):"
        )
        lines.append(_numbered(form, explained(form, found)))
    return RECEIPT, "\n\n".join(lines), attach, fb


def _run_day(run: dict[str, Any]) -> dt.date | None:
    """The day of the run (bao-cao.json `generated_at`, the office's time); None if unknown."""
    try:
        return dt.datetime.fromisoformat(str(run.get("generated_at", ""))).date()
    except ValueError:
        return None


@dataclass(frozen=True)
class OfficerFeedback:
    """What `officer_feedback` found for a letter's feedback workbook: the officer's
    annotated copy `attached` instead of the run's, or `left` (not attached) and `why`
    (Vietnamese); `record`: what the letter's entry in `DRAFTED` keeps of it ("feedback_copy",
    its path in the set; "feedback_from", the set it was kept from, `outbox.kept.made_from`;
    "feedback_set", the unit's part of that set, `unit_set`; "feedback_left", why it is not
    attached)."""

    attached: Path | None = None
    left: Path | None = None
    why: str = ""
    record: dict[str, str] = field(default_factory=dict)


_NO_COPY = OfficerFeedback()
_FEEDBACK_KEYS = ("feedback_copy", "feedback_from", "feedback_set", "feedback_left")
FEEDBACK_CHANGED = "viết theo tệp đơn vị gửi trước đây; tệp báo cáo của đơn vị nay đã khác"
FEEDBACK_UNKNOWN = "không còn biết tệp đó viết theo tệp nào của đơn vị"


def officer_feedback(
    outbox: Path, year: int, fb: Path, unit: Unit, kind: str, now: str, entry: dict[str, str]
) -> OfficerFeedback:
    """Which feedback workbook a letter of `kind` to `unit` attaches: the newest copy of the
    run's feedback workbook `fb` that a run kept as the officer's (`outbox.kept.edited_copy`:
    `…-ban-da-sua[-N].xlsx` beside it) while the unit's part of the set is the one it was
    annotated in, else the run's own (`left` names the officer's copy, `why` says why).

    The unit's part is `unit_set` (what keeps the officer's edited letter current): `now` is
    the current run's; the one the copy was annotated in is read from the set it was kept
    from (`outbox.kept.made_from`) when that set is the current or the previous one
    (`paths.previous_dir`), else from the letter's record `entry` (what an earlier drafting
    read there). Both sides are taken for a letter of this `kind` (the kind follows from the
    rest of the unit's part, so it differs only where the rest does). `_NO_COPY` when the
    officer did not annotate it."""
    copy = edited_copy(fb)
    if copy is None:
        return _NO_COPY
    folder = year_dir(outbox, year)
    rel = copy.relative_to(folder).as_posix()
    origin = made_from(folder, rel)
    then = _unit_part(outbox, year, origin, unit, kind)
    if then is None and origin and entry.get("feedback_copy") == rel and entry.get("feedback_from") == origin:
        then = entry.get("feedback_set") or None
    record = {"feedback_copy": rel, "feedback_from": origin, **({"feedback_set": then} if then else {})}
    if then is not None and then == now:
        return OfficerFeedback(attached=copy, record=record)
    why = FEEDBACK_CHANGED if then is not None else FEEDBACK_UNKNOWN
    return OfficerFeedback(left=copy, why=why, record={**record, "feedback_left": why})


def _unit_part(outbox: Path, year: int, origin: str, unit: Unit, kind: str) -> str | None:
    """`unit_set` of `unit` (for a letter of `kind`) in the run of the set whose identity
    (`outbox.kept.set_identity`) is `origin`, the current or the previous set; None when
    neither is that set, or its report (bao-cao.json) is unreadable or has no such unit."""
    for folder in (year_dir(outbox, year), previous_dir(outbox, year)):
        if not origin or set_identity(folder) != origin:
            continue
        try:
            run = json.loads((folder / REPORT).read_text(encoding="utf-8"))
            u = next(u for u in run["units"] if u.get("code") == unit.code)
            files, findings = _by_file(run)
        except (OSError, ValueError, KeyError, TypeError, StopIteration):
            return None
        unit_files, latest = _unit_files(run, files, u, unit)
        return unit_set(kind, u, unit_files, findings, latest)
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


def feedback_attachment_name(unit_code: str, file_name: str) -> str:
    """The feedback workbook as attached to a unit's letter: `phan-hoi-<code>-<the name of
    the file it sent>.xlsx`, the code said once (a unit's file is usually named after its
    code: "899-bao-cao.xlsx" gave "phan-hoi-899-899-bao-cao-….xlsx"), without the hash that
    keeps the outbox's feedback files apart (a letter attaches one). Windows-safe, within
    `names.MAX_NAME`."""
    code = code_part(unit_code)
    words = [w for w in slug(Path(_member(file_name)).stem).split("-") if w.lower() != code.lower()]
    prefix = f"phan-hoi-{code}"
    return fitted(f"{prefix}-", "-".join(words), ".xlsx") if words else f"{prefix}.xlsx"


def _member(name: str) -> str:
    return name.rpartition(" › ")[2]


def _when(f: dict[str, Any]) -> str:
    """When a file of the run's report (its "files" entry) came, as said to its unit: "nhận
    lúc …" only when a message's arrival is known; a file saved by hand into the inbox has
    only its modification time, which says when it was saved, not when the office got it.
    Both in the province's time (the report's `received`)."""
    stamp = dt.datetime.fromisoformat(f["received"])
    at = f"{stamp:%H:%M} ngày {stamp:%d/%m/%Y}"
    return f"nhận lúc {at}" if f.get("received_mail") else f"trong hộp thư đến, lưu lúc {at}"


SUBJECTS = {
    ERRORS: "Báo cáo năm {year} ({tag}) của {unit}: cần sửa và gửi lại",
    REMINDER: "Đề nghị gửi báo cáo năm {year} ({tag}) - {unit}",
    RECEIPT: "Đã nhận báo cáo năm {year} ({tag}) của {unit}",
}


def _message(
    form: Form,
    settings: MailSettings,
    letters: LetterSettings,
    unit: Unit,
    u: dict[str, Any],
    kind: str,
    to: tuple[str, ...] | list[str],
    body: str,
    attachments: list[tuple[str, bytes]],
    answering: dict[str, Any] | None,
    run: dict[str, Any],
    today: dt.date,
) -> EmailMessage:
    msg = EmailMessage()
    sender = settings.address
    if sender:
        msg["From"] = Address(settings.display_name, addr_spec=sender)
    if to:
        msg["To"] = ", ".join(to)
    msg["Subject"] = SUBJECTS[kind].format(year=form.year, tag=form.programme_info.mail_tag, unit=unit.name)
    signature = settings.display_name or form.agencies.get("department", "")
    text = f"Kính gửi: {unit.name}{_preparer(u)}\n\n{body}\n\nTrân trọng.\n{signature}\n{_call(settings, letters)}"
    msg.set_content(text)
    for name, data in attachments:
        msg.add_attachment(data, maintype=XLSX[0], subtype=XLSX[1], filename=name)
    reply_to = (answering or {}).get("message_id", "")
    if reply_to:
        msg["In-Reply-To"] = reply_to
        msg["References"] = reply_to
    # the day asked for moves with the day of drafting: the same reply keeps its identity
    stable = text.replace(f"{resubmit_by(form, letters, today):%d/%m/%Y}", "")
    digest = hashlib.sha256(
        "\n".join([",".join(to), str(msg["Subject"]), stable, reply_to]).encode("utf-8")
        + b"".join(hashlib.sha256(d).digest() for _, d in attachments)
    ).hexdigest()
    domain = sender.rpartition("@")[2] or "localhost"
    msg["Message-ID"] = (
        f"<qd{slug(form.programme_info.prefix, 20)}-{form.year}-{slug(unit.code, 20)}-{digest[:24]}@{domain}>"
    )
    msg["Date"] = format_datetime(dt.datetime.now(settings.zone))
    msg["X-Unsent"] = "1"
    msg[RUN_HEADER] = str(run.get("run_id", ""))  # not part of the identity: see `refresh_drafts`
    waiting = waits_for(form, kind)
    if waiting:
        msg[PENDING_HEADER] = f"{form.path.name}: {', '.join(waiting)}"
    return msg


def waits_for(form: Form, kind: str) -> list[str]:
    """The settings still "cần điền" a letter of `kind` cannot go out without (dotted keys of
    the configuration): a reminder's reason to be sent is the deadline, `period.due_before`."""
    return ["period.due_before"] if kind == REMINDER and is_pending(form.period.due_before) else []


def _preparer(u: dict[str, Any]) -> str:
    """ " (người liên hệ: …, điện thoại …)": the preparer in the unit's newest file, else
    the unit's contact in the configuration (`UnitRecord.contact`); "" when neither."""
    contact = u.get("contact") or {}
    person, phone = str(contact.get("person") or ""), str(contact.get("phone") or "")
    said = ", ".join(x for x in (person, f"điện thoại {phone}" if phone else "") if x)
    return f" (người liên hệ: {said})" if said else ""


def _call(settings: MailSettings, letters: LetterSettings) -> str:
    """The signature's last line: whom at the office to call, and how; "" if unknown."""
    parts = [
        letters.contact,
        f"điện thoại {letters.phone}" if letters.phone else "",
        f"thư điện tử {settings.address}" if settings.address else "",
    ]
    said = ", ".join(p for p in parts if p)
    return f"Liên hệ: {said}\n" if said else ""
