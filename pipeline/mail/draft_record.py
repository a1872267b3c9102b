"""The record of the drafts: where a unit's draft is (`drafts_dir`, `draft_name`), which run
it describes (`draft_run`: its `RUN_HEADER`, else its entry in `send.DRAFTED`) and what of
that run it is about (`unit_set`: the unit's files, their findings, the kind of letter; the
one rule that says whether a unit's part of the set has changed); the run's report read
back (`load_run`) and one unit's part of it (`_by_file`, `_unit_files`, `_message_from`); a
saved letter read back (its run, the days it asks for, its addresses) and set aside in
`thu/cu/` (`_aside`, `EDITED_SUFFIX` for one the officer changed).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

from ..form import Unit, norm_text
from ..outbox.paths import report_path, year_dir
from ..text.names import code_part, fitted
from .send import RUN_HEADER, STALE_DIR, days_past, letter_run, read_letter

EDITED_SUFFIX = "-ban-da-sua"  # an earlier draft the officer changed, kept in `thu/cu/`


class NoRunError(Exception):
    """There is no consolidation run to answer (bao-cao.json missing or unreadable)."""


def draft_name(unit_code: str, unit_name: str) -> str:
    """`thu-<code>-<name>.eml`, valid on Windows and within the name budget."""
    return fitted(f"thu-{code_part(unit_code)}-", unit_name, ".eml")


def drafts_dir(outbox: Path, year: int) -> Path:
    return year_dir(outbox, year) / "thu"


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


def load_run(outbox: Path, year: int) -> dict[str, Any]:
    """The latest run's report (bao-cao.json). Raises NoRunError."""
    path = report_path(outbox, year)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise NoRunError(
            f"chưa có kết quả tổng hợp năm {year} ({path}); hãy tổng hợp trước (lệnh consolidate)"
        ) from exc


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


def officer_letters(
    folder: Path, ours: set[str], record: dict[str, dict[str, str]]
) -> list[tuple[Path, set[str], str]]:
    """The letters in `folder` (`thu/`) the program did not write, with the addresses each is
    to (lower-cased) and whom its text greets (`_greeted`): each `.eml` whose name is none of
    the drafts' (`ours`) nor recorded (`record`: `send.drafted_record`), e.g. a draft the
    officer edited and saved under another name (Thunderbird's "Save As" names it by its
    subject). The one addressed to a unit, or greeting it, is the officer's version of that
    unit's letter (`drafts.write_drafts`, `greets`)."""
    out = []
    for path in sorted(folder.glob("*.eml")):
        if path.name in ours or path.name in record or not path.is_file():
            continue
        try:
            msg = read_letter(path)
        except (OSError, ValueError):
            out.append((path, set(), ""))
            continue
        addresses = {a.addr_spec.lower() for a in getattr(msg["To"], "addresses", ()) if a.addr_spec}
        out.append((path, addresses, _greeted(msg)))
    return out


GREETING = "Kính gửi:"  # begins every letter's text, before its unit's name (`letter_message._message`)


def _greeted(msg: EmailMessage) -> str:
    """What follows `GREETING` on the first line of the letter's text ("" when none): a
    unit's name, then " (người liên hệ: …)" where the letter names its contact."""
    part = msg.get_body(preferencelist=("plain",))
    try:
        text = part.get_content() if part is not None else ""
    except (LookupError, ValueError):
        return ""
    first = next((line.strip() for line in str(text).splitlines() if line.strip()), "")
    head, found, rest = first.partition(GREETING)
    return rest.strip() if found and not head.strip() else ""


def greets(greeted: str, unit: Unit) -> bool:
    """Whether a letter whose first line greets `greeted` (`_greeted`) is written to `unit`:
    its name exactly (any case, spaces, composed or not), alone or before its contact's
    parenthesis; "UBND Huyện Châu Thành A" is not "UBND Huyện Châu Thành"."""
    said, name = norm_text(greeted), norm_text(unit.name)
    return said == name or said.startswith(name + " (")


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
