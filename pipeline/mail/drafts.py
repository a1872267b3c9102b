"""`mail drafts`: one reply per unit for the latest run, as `.eml` drafts in `outbox/<year>/thu/`.

A unit whose latest file has errors gets the findings and its feedback workbook; a unit that
has not sent gets a reminder with the deadline and its blank template; a unit whose report
counts gets a short receipt; a unit whose file came after the run (unread by it) is told it was
received and is being checked (each letter's subject is decided with its body,
`letter_body.Letter`). The command says how many letters were drafted anew and how many of
the officer's were kept (`after_run.drafted_line`). This module decides which letters are drafted and which are
kept; the others hold the parts: `letter_body` (what a letter says), `letter_message` (the
`.eml` itself), `attachments` (which feedback workbook goes), `news` (what arrived since
the run), `draft_record` (the run a draft describes and what of it).

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

A letter in `thu/` the program did not write (a name none of its drafts has, not in
`DRAFTED`: a draft the officer edited and saved under another name, as Thunderbird's "Save
As" names it by its subject) addressed to a unit, or greeting it by name on its first line
(a unit with no address), is the officer's version of that unit's letter
(`draft_record.officer_letters`, `draft_record.greets`). It is never moved, and it is never sent in place
of the unit's draft: the program cannot tell whether it is the letter to send or a copy
kept aside, and a letter sent is sent for good. So the unit's letter is held (the record's
"other", `send.OUT_OTHER`), and the command names the file and the one step that decides:
saved for this run, rename it over the draft (it is then the officer's edited draft, sent as
saved); written for an earlier run, copy its additions into the new draft; either way
delete it (or move it out of `thu/`) when it is not needed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass, replace
from pathlib import Path

from ..form import DEFAULT_FORM, Form
from ..intake.mail_settings import MailSettings
from ..outbox.atomic import write_bytes_atomic
from ..text import command
from ..text.command import MAKE_MARK, as_typed, outbox_command
from ..text.names import distinct_names
from .attachments import _FEEDBACK_KEYS, _NO_COPY, officer_feedback
from .draft_record import (
    EDITED_SUFFIX,
    _aside,
    _by_file,
    _past,
    _run_header,
    _saved_to,
    _unit_files,
    draft_name,
    draft_run,
    drafts_dir,
    greets,
    load_run,
    officer_letters,
    unit_set,
)
from .fetch import TooLarge
from .letter_body import ASKS_TO_ACT, _content, letter_settings, resubmit_by, too_large_lines
from .letter_message import _message
from .send import (
    ACTS,
    DRAFTED,
    awaiting_check,
    drafted_record,
    edited_since_drafted,
    load_record,
    sent_already,
    told_before,
)


@dataclass(frozen=True)
class Draft:
    unit: str
    kind: str  # RECEIVED, REMINDER, ERRORS or RECEIPT (letter_body)
    to: tuple[str, ...]
    path: Path
    kept: Path | None = None  # the officer's edited earlier draft, put aside in `thu/cu/` now
    edited: bool = False  # the officer's edited letter of this run, left as saved (sent as such)
    unchecked: Path | None = None  # the officer's edited letter of an earlier run this one waits on
    carried: bool = False  # edited: for an earlier run that this run repeats for its unit
    past: tuple[dt.date, ...] = ()  # edited: the days it asks for that are past (not sent as is)
    kept_sent: bool = False  # kept: that letter was sent (history: it holds nothing)
    edited_sent: bool = False  # edited: already sent as saved (brk42 F3: said "khi gửi, …")
    feedback: Path | None = None  # the feedback workbook attached, when the officer's edited copy
    feedback_left: Path | None = None  # the officer's edited feedback copy NOT attached (see feedback_why)
    feedback_why: str = ""  # Vietnamese: why `feedback_left` is not attached
    newer: tuple[str, ...] = ()  # the inbox files of its unit the run did not read (not sent)
    other: tuple[Path, ...] = ()  # the officer's letters to its unit saved under another name (it waits)
    other_current: bool = False  # other: each describes this run (else an earlier one, or unknown)


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


def asked_by(
    sent: dict[str, dict[str, str]], name: str, situation: str, new: dt.date, today: dt.date
) -> tuple[dt.date, dt.date | None]:
    """(the day a unit's letter asks for, a day given before that has passed or None): the
    day the latest letter sent about the same `situation` gave (`send.told_before` in the
    send record `sent`, from the draft file `name`; a reminder sent on purpose may have given
    a new one) while it is not past, so the day never slides with each run; else `new`
    (`resubmit_by` from today), with that passed day said."""
    for entry in reversed(told_before(sent, name, situation)):  # the latest letter's day
        try:
            given = dt.date.fromisoformat(str(entry.get("by", "")))
        except ValueError:
            continue
        return (given, None) if given >= today else (new, given)
    return new, None


def drafts_command(form: Form, outbox: Path, send: bool = False) -> str:
    """The command that drafts (`send`: and sends) the letters of `outbox`, as the officer
    types it: `make drafts …` under make (`text.command.MAKE_MARK`), else the console command
    (`text.command.command_name`), with the configuration and the outbox when not the
    defaults."""
    other = outbox if outbox.resolve() != form.outbox.resolve() else None
    default = form.path.resolve() == DEFAULT_FORM.resolve()
    flag = ("SEND=1", "--send") if send else ("", "")
    return outbox_command("drafts", "mail drafts", form.path, default, other, flag)


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
    too_large: dict[str, tuple[TooLarge, ...]] | None = None,
) -> list[Draft]:
    """Write one draft per unit of the registry for the latest run; return them. `today`
    is the day of drafting (the clock: a resubmission day; a reminder's "đến ngày" is the
    run's day, what it describes). `newer`: unit code -> the inbox files of that unit the
    run did not read (`inbox_news`): its letter says no "chưa nhận được" and is not sent
    until a run has read them. `too_large`: unit code -> its messages `mail fetch` left on
    the server for their size (`news.too_large_by_unit`): the letter says each that came
    after the file it answers, and what to do (`letter_body.too_large_lines`).

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
    sent = load_record(folder)
    theirs = officer_letters(folder, {p.name for p in paths.values()}, drafted) if folder.is_dir() else []
    held: set[Path] = set()  # the officer's letters that hold a unit's letter: never moved
    for u in run["units"]:
        unit = form.units_by_code.get(u["code"])
        if unit is None:
            continue
        unit_files, latest = _unit_files(run, files, u, unit)
        fresh = newer.get(unit.code, ())
        letter = _content(form, unit, u, latest, findings, outbox, today, letters, run, fresh)
        path = paths[unit.code]
        big = too_large_lines((too_large or {}).get(unit.code, ()), latest, settings.zone)
        same = unit_set(letter.kind, u, unit_files, findings, latest)
        if big:  # a message too large to fetch since: another situation, said in the letter
            same = hashlib.sha256("\n".join([same, *big]).encode("utf-8")).hexdigest()
        asked, earlier = asked_by(sent, path.name, same, by, today)
        if asked != by or earlier:  # the day first given to the unit for this situation, or a new one said so
            letter = _content(
                form, unit, u, latest, findings, outbox, today, letters, run, fresh, asked, earlier
            )
        if big:
            letter = replace(letter, body="\n\n".join([letter.body, *big]))
        kind, attaching, fb = letter.kind, letter.attachments, letter.feedback
        to = unit.emails or ((latest["sender"],) if latest and latest.get("sender") else ())
        entry = drafted.get(path.name, {})
        edited = edited_since_drafted(path, entry)
        wanted = {a.lower() for a in to}
        other = tuple(p for p, addresses, greeted in theirs if addresses & wanted or greets(greeted, unit))
        held.update(other)
        other_current = bool(other) and all(draft_run(p) == run_id for p in other)
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
            entry = {k: v for k, v in entry.items() if k not in ("newer", "other")}
            if fresh:
                entry["newer"] = ", ".join(fresh)
            if other:
                entry["other"] = "\n".join(p.name for p in other)
            drafted[path.name] = entry
            past = _past(path, entry, today)
            out.append(
                Draft(
                    unit.code, kind, _saved_to(path) or tuple(to), path, edited=True, edited_sent=sent_already(path),
                    carried=carried, past=past, newer=fresh, other=other, other_current=other_current,
                )
            )  # fmt: skip
            continue
        msg = _message(form, settings, letters, unit, u, letter, to, attachments, latest, run, today, asked)
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
            "by": (letter.by or asked).isoformat(),
            **({ACTS: "1"} if kind in ASKS_TO_ACT else {}),
            **chosen.record,
        }
        if waiting is not None:
            drafted[path.name]["kept"] = waiting.name
        if fresh:
            drafted[path.name]["newer"] = ", ".join(fresh)
        if other:
            drafted[path.name]["other"] = "\n".join(p.name for p in other)
        out.append(
            Draft(
                unit.code, kind, tuple(to), path, kept, unchecked=waiting, kept_sent=kept_sent,
                feedback=chosen.attached, feedback_left=chosen.left, feedback_why=chosen.why, newer=fresh,
                other=other, other_current=other_current,
            )
        )  # fmt: skip
    for path in sorted(folder.glob("*.eml")):  # drafts of another run no new draft replaced
        entry = drafted.get(path.name, {})
        if path in held:  # the officer's letter to a unit: left where it is, named, it holds that unit
            continue
        if draft_run(path, entry) != run_id:
            _aside(path, EDITED_SUFFIX if edited_since_drafted(path, entry) else "")
            drafted.pop(path.name, None)
    write_bytes_atomic(folder / DRAFTED, json.dumps(drafted, ensure_ascii=False, indent=1).encode("utf-8"))
    return out
