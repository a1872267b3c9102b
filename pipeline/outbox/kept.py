"""What the officer changed in the outbox is never lost.

Every set records the SHA-256 of each file as the run wrote it (`RECORD`, in the set). The
next run compares the current set with its record before it makes its own set current:

- a file the run wrote and the officer changed since (the report completed in Word, notes
  added to the workbook, a feedback file) is copied into the new set as
  `<name>-ban-da-sua<suffix>` (a number added if that name is taken), beside the new draft
  when the run writes one;
- a file the officer added to the set, and a copy kept by an earlier run, is carried into
  the new set under its own name (beside the new one, renamed likewise, if a new output
  has that name).

A file a later command adds to the set (the `pdf` command's PDF) is recorded as the
program's (`note_written`), so it is never taken for the officer's work.

The carried files are recorded as the officer's, so they are carried again by every later
run, and pruning the previous set never removes the only copy. Each is recorded with the
identity of the set it was kept from (`set_identity`: what the set was made from), so a
later command can tell the officer's copy of a draft of other figures from a copy of a draft
of the current set's (`made_from`). Folders carried whole by
`outbox.atomic` (`paths.CARRIED`: the letters and their send record) are not looked at here.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path, PurePosixPath

from ..text.names import windows_name
from .paths import CARRIED, MANIFEST

RECORD = "danh-sach-tep-da-ghi.json"
"""The set's record of what the run wrote: {relative path: {"sha256": …, "officer": bool}}."""

EDITED_SUFFIX = "-ban-da-sua"
_SYSTEM_LEFTOVERS = {"thumbs.db", "ehthumbs.db", "desktop.ini", ".ds_store"}  # never the officer's work


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _files(folder: Path) -> list[str]:
    """The set's files as relative POSIX paths: not the record, not the carried folders, not
    the owner and lock files Office and LibreOffice leave beside an open document."""
    out = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        name = path.name
        if not path.is_file() or path.is_symlink() or rel == RECORD:
            continue
        if rel.split("/", 1)[0] in CARRIED or name.startswith(("~$", ".~lock.", "._")):
            continue
        if name.casefold() in _SYSTEM_LEFTOVERS:
            continue
        out.append(rel)
    return out


def _read_record(folder: Path) -> dict[str, dict[str, object]] | None:
    try:
        data = json.loads((folder / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _free_name(new: Path, rel: str, edited: bool = False) -> str:
    """`rel` in the new set if free (and not an edited copy of a file the run wrote), else
    `<stem>-ban-da-sua[-N]<suffix>` beside it."""
    if not edited and not (new / rel).exists():
        return rel
    p = PurePosixPath(rel)
    for n in range(1, 1000):
        tail = EDITED_SUFFIX if n == 1 else f"{EDITED_SUFFIX}-{n}"
        candidate = str(p.with_name(windows_name(f"{p.stem}{tail}{p.suffix}")))
        if not (new / candidate).exists():
            return candidate
    raise FileExistsError(str(new / rel))


def keep_officer_files(current: Path, new: Path) -> list[tuple[str, str]]:
    """Copy into the new set `new` what the officer changed or added in the current set
    `current` (see the module's docstring); return (kept copy, the new output of that
    name or "") as paths relative to the set. A current set without a record (written
    before records existed) keeps nothing. OSError when a copy cannot be written."""
    record = _read_record(current)
    if record is None:
        return []
    kept: list[tuple[str, str]] = []
    origins: dict[str, str] = {}
    for rel in _files(current):
        entry = record.get(rel)
        written_by_run = isinstance(entry, dict) and not entry.get("officer")
        if written_by_run and _digest(current / rel) == entry.get("sha256"):
            continue  # as the run wrote it: the new run writes it anew
        target = _free_name(new, rel, edited=written_by_run)
        (new / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(current / rel, new / target)
        kept.append((target, rel if (new / rel).exists() and target != rel else ""))
        if written_by_run:  # the officer's version of an output of the current set
            origins[target] = set_identity(current)
        elif isinstance(entry, dict) and isinstance(entry.get("set"), str):
            origins[target] = entry["set"]  # kept by an earlier run: from the set it came from
    if origins:  # `write_record` completes the record and keeps these
        mine = _read_record(new) or {}
        for rel, origin in origins.items():
            mine[rel] = {**(mine.get(rel) if isinstance(mine.get(rel), dict) else {}), "set": origin}
        (new / RECORD).write_text(json.dumps(mine, ensure_ascii=False, indent=1), encoding="utf-8")
    return kept


def write_record(folder: Path, officer: set[str]) -> None:
    """Record the SHA-256 of every file of the set `folder`; `officer` names (relative
    paths) the files that are the officer's, carried from an earlier set. The set each of
    those was kept from, noted by `keep_officer_files` in the record already there, is kept."""
    before = _read_record(folder) or {}
    record: dict[str, dict[str, object]] = {}
    for rel in _files(folder):
        record[rel] = {"sha256": _digest(folder / rel), "officer": rel in officer}
        origin = before.get(rel).get("set") if isinstance(before.get(rel), dict) else None
        if rel in officer and isinstance(origin, str):
            record[rel]["set"] = origin
    (folder / RECORD).write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")


def note_written(folder: Path, path: Path) -> None:
    """Record `path` (a file of the set `folder` a command wrote after the run, such as the
    `pdf` command's PDF) as written by the program, with its SHA-256: a later run then
    writes its own (or none) instead of carrying this one as the officer's. A set without a
    record (written before records existed) is left as it is. OSError when the record
    cannot be written."""
    record = _read_record(folder)
    if record is None:
        return
    record[path.relative_to(folder).as_posix()] = {"sha256": _digest(path), "officer": False}
    (folder / RECORD).write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")


def changed_since_written(folder: Path, rel: str) -> bool:
    """Whether the file `rel` (relative path) of the set `folder` is one the run wrote and
    the officer changed since (its SHA-256 no longer the recorded one): what
    `keep_officer_files` keeps as `…-ban-da-sua`. False for a set without a record, a file
    not in it, or one the officer added. Reads nothing but the record and that file."""
    entry = (_read_record(folder) or {}).get(rel)
    if not isinstance(entry, dict) or entry.get("officer") or not (folder / rel).is_file():
        return False
    return _digest(folder / rel) != entry.get("sha256")


def edited_copies(path: Path) -> list[Path]:
    """The officer's completed versions of the output `path` that runs kept beside it
    (`<stem>-ban-da-sua[-N]<suffix>`, see `keep_officer_files`), oldest first (by
    modification time); [] when there is none."""
    found = [p for p in path.parent.glob(f"{path.stem}{EDITED_SUFFIX}*{path.suffix}") if p.is_file()]
    return sorted(found, key=lambda p: p.stat().st_mtime_ns)


def edited_copy(path: Path) -> Path | None:
    """The newest of `edited_copies(path)`; None when there is none."""
    found = edited_copies(path)
    return found[-1] if found else None


def set_identity(folder: Path) -> str:
    """What the set `folder` was made from: the SHA-256 of its manifest (each file of the
    inbox, its own SHA-256, its unit and what became of it) without the run's time and the
    inbox's place. Two runs on the same files under the same configuration give the same
    identity, so the same figures; "" when the set has no readable manifest (unknown)."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    if not isinstance(data, dict):
        return ""
    what = {k: v for k, v in data.items() if k not in ("generated_at", "inbox")}
    return hashlib.sha256(json.dumps(what, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def made_from(folder: Path, rel: str) -> str:
    """The identity (`set_identity`) of the set whose output the officer's file `rel` of
    the set `folder` is a kept version of, as the run that kept it recorded; "" when
    unknown (a file the officer added, a copy kept before this was recorded)."""
    entry = (_read_record(folder) or {}).get(rel)
    origin = entry.get("set") if isinstance(entry, dict) else None
    return origin if isinstance(origin, str) else ""


def carry_into_waiting_set(current: Path, waiting: Path) -> list[str]:
    """Before a complete set that waited (its swap was held on Windows) becomes current:
    copy into it what the officer changed or added in the current set meanwhile, and record
    those copies as the officer's. Returns the copies' relative paths."""
    record = _read_record(waiting) or {}
    kept = keep_officer_files(current, waiting)
    officer = {rel for rel, entry in record.items() if isinstance(entry, dict) and entry.get("officer")}
    write_record(waiting, officer | {mine for mine, _ in kept})
    return [mine for mine, _ in kept]
