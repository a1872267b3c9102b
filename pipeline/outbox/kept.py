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
run, and pruning the previous set never removes the only copy. Folders carried whole by
`outbox.atomic` (`paths.CARRIED`: the letters and their send record) are not looked at here.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path, PurePosixPath

from ..text.names import windows_name
from .paths import CARRIED

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
    for rel in _files(current):
        entry = record.get(rel)
        written_by_run = isinstance(entry, dict) and not entry.get("officer")
        if written_by_run and _digest(current / rel) == entry.get("sha256"):
            continue  # as the run wrote it: the new run writes it anew
        target = _free_name(new, rel, edited=written_by_run)
        (new / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(current / rel, new / target)
        kept.append((target, rel if (new / rel).exists() and target != rel else ""))
    return kept


def write_record(folder: Path, officer: set[str]) -> None:
    """Record the SHA-256 of every file of the set `folder`; `officer` names (relative
    paths) the files that are the officer's, carried from an earlier set."""
    record = {rel: {"sha256": _digest(folder / rel), "officer": rel in officer} for rel in _files(folder)}
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


def edited_copy(path: Path) -> Path | None:
    """The officer's completed version of the output `path` that a run kept beside it
    (`<stem>-ban-da-sua[-N]<suffix>`, see `keep_officer_files`), the newest if several;
    None when there is none."""
    found = [p for p in path.parent.glob(f"{path.stem}{EDITED_SUFFIX}*{path.suffix}") if p.is_file()]
    return max(found, key=lambda p: p.stat().st_mtime_ns) if found else None


def carry_into_waiting_set(current: Path, waiting: Path) -> list[str]:
    """Before a complete set that waited (its swap was held on Windows) becomes current:
    copy into it what the officer changed or added in the current set meanwhile, and record
    those copies as the officer's. Returns the copies' relative paths."""
    record = _read_record(waiting) or {}
    kept = keep_officer_files(current, waiting)
    officer = {rel for rel, entry in record.items() if isinstance(entry, dict) and entry.get("officer")}
    write_record(waiting, officer | {mine for mine, _ in kept})
    return [mine for mine, _ in kept]
