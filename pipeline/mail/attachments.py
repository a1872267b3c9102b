"""Which feedback workbook a letter attaches, and under which name.

The feedback workbook the officer annotated (kept by `outbox.kept` as `…-ban-da-sua.xlsx`)
is attached instead of the one the run wrote while the unit's part of the set is the one it
was annotated in (the rule that keeps an edited letter current, `draft_record.unit_set`: the
same files, so the same findings; other units' mail arriving meanwhile changes nothing for
it). The unit's part when it was annotated is read from the set it was kept from (the
current or the previous set) and recorded with the letter (`DRAFTED`, "feedback_set"), so
later runs still know it. When the unit's part has changed, or is no longer known, the new
workbook is attached and the command and the record say why the officer's is not
(`Draft.feedback_why`). The workbook is attached under a name the unit recognises
(`feedback_attachment_name`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..form import Unit
from ..outbox.kept import edited_copy, made_from, set_identity
from ..outbox.paths import REPORT, previous_dir, year_dir
from ..text.names import code_part, fitted, slug
from .draft_record import _by_file, _unit_files, unit_set


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
FEEDBACK_UNKNOWN = "chương trình không còn biết tệp đó viết theo tệp báo cáo nào của đơn vị"


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
