"""What arrived in the inbox since the latest run (`inbox_news`): the files that run did not
read, by the unit each is read for; and what arrived and was too large to fetch, by unit
(`too_large_by_unit`). A unit's letter never says "chưa nhận được" while its
file lies unread in the inbox; the `mail drafts` command says to consolidate first, and that
unit's letter is not sent until a run has read it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..form import Form
from ..intake.containers.submission import SEP
from ..intake.inbox import READ, list_inbox
from ..run.consolidate import check_by_file
from .draft_record import load_run
from .fetch import TooLarge, read_too_large


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
    known = {(str(f.get("name")), str(f.get("sha256"))) for f in run["files"]}
    for path in new:
        name = path.relative_to(inbox).as_posix()
        units = _units_of_news(form, path, name, known)
        for code in units:
            by_unit.setdefault(code, []).append(name)
        if not units:
            unknown.append(name)
    return InboxNews(inbox, {k: tuple(v) for k, v in by_unit.items()}, tuple(unknown), at)


def _units_of_news(form: Form, path: Path, name: str, known: set[tuple[str, str]]) -> set[str]:
    """The units the inbox file at `path` (shown as `name`) is read for, as `check` reads
    it (`run.consolidate.check_by_file`), but for what in it the run read already: a line
    (a message of a mailbox file, an attachment, an archive's member) whose name and
    SHA-256, or a container's above it, are among the run's files (`known`). A mailbox file
    that grew (Thunderbird's folder after new mail) is news only for its new messages'
    units (brk43 F7: every unit of the folder was said to have sent a new file)."""
    group = check_by_file(form, [path])[0]
    lines = {name + p.info.name[len(path.name) :]: p for p in group}

    def read_before(shown: str) -> bool:
        parts = shown.split(SEP)
        heads = [SEP.join(parts[: i + 1]) for i in range(len(parts))]
        return any(h in lines and (h, lines[h].info.sha256) in known for h in heads)

    return {p.unit_code for shown, p in lines.items() if p.unit_code and not read_before(shown)}


def too_large_by_unit(form: Form, inbox: Path | None) -> dict[str, tuple[TooLarge, ...]]:
    """The messages `mail fetch` left on the server for their size (`fetch.read_too_large`,
    beside `inbox`), by the unit whose listed address sent each (`[[units]] emails`, without
    regard to case); {} when there are none or no inbox is known."""
    if inbox is None:
        return {}
    by_address = {a.strip().lower(): u.code for u in form.units for a in u.emails}
    out: dict[str, list[TooLarge]] = {}
    for t in read_too_large(inbox):
        code = by_address.get(t.sender.strip().lower())
        if code is not None:
            out.setdefault(code, []).append(t)
    return {k: tuple(v) for k, v in out.items()}
