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

A file is the program's only when the record proves it (named there, not the officer's,
the same SHA-256). Everything else may be the officer's and is kept:

- a set without a record (written before records existed, or the officer deleted both
  copies of it) keeps every file, except one whose bytes are those the new run wrote under
  the same name (nothing to lose); an output of the run's name is kept as its
  `-ban-da-sua` copy and its draft is read as edited (`changed_since_written`). The record
  is written twice, `RECORD` and the hidden `BACKUP`, so deleting "an unknown .json" does
  not lose it;
- before the previous set (`<year>-lan-truoc`) is pruned, what the officer changed or added
  there and has no identical copy in the current or new set is kept in the new set in the
  same way (`keep_previous_files`), and the run says where it was and where it is now.
  `outbox.atomic` checks again just before pruning (`unkept_files`) and, should anything
  still have no copy, sets the previous set aside instead of removing it.

A .docx the officer saved under another name in the set (Word's "Save As", "Lưu thành"):
not in the record as the program's, and titled (core property `dc:title`) as the draft is,
it is one of the officer's versions of the draft (`edited_copy`). So is a copy saved in
another document format (LibreOffice Writer's .odt, titled as the draft or of its name; a
.doc or .rtf of its name: `saved_as_copies`), which `render.office` reads through LibreOffice.

The carried files are recorded as the officer's, so they are carried again by every later
run, and pruning the previous set never removes the only copy. Each is recorded with the
identity of the set it was kept from (`set_identity`: what the set was made from), so a
later command can tell the officer's copy of a draft of other figures from a copy of a draft
of the current set's (`made_from`), and with the file's path in that set ("from").

A set that waited for its swap (held on Windows) was written by a run that read the current
set then; what the officer saves there meanwhile is copied into it only when its bytes are not
there already (`carry_into_waiting_set`), and each such copy is recorded as not read by the
set's run ("unread"), with what that run read of the file it is a later version of
(`last_read`): the next run reads it as changed since, section by section, as it reads a
copy the officer saved again. Folders carried whole by
`outbox.atomic` (`paths.CARRIED`: the letters and their send record) are not looked at here,
except that an office suite's lock file carried with them is removed from the new set
(`drop_carried_locks`): it locks a document of the set it was made in.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Collection
from pathlib import Path, PurePosixPath

from ..text.names import windows_name
from .paths import CARRIED, DOCUMENT_SUFFIX, MANIFEST, REPORT, is_office_lock, previous_dir

RECORD = "danh-sach-tep-da-ghi.json"
"""The set's record of what the run wrote: {relative path: {"sha256": …, "officer": bool}}
(a .docx also with its "title", the core property)."""
BACKUP = ".danh-sach-tep-da-ghi.json"
"""The same record again, hidden: read when `RECORD` was deleted."""

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
        if not path.is_file() or path.is_symlink() or rel in (RECORD, BACKUP):
            continue
        if rel.split("/", 1)[0] in CARRIED or is_office_lock(name) or name.startswith("._"):
            continue
        if name.casefold() in _SYSTEM_LEFTOVERS:
            continue
        out.append(rel)
    return out


def _read_record(folder: Path) -> dict[str, dict[str, object]] | None:
    """The set's record (`RECORD`, else its hidden copy `BACKUP`); None when neither is readable."""
    for name in (RECORD, BACKUP):
        try:
            data = json.loads((folder / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict):
            return data
    return None


def _write_record(folder: Path, record: dict[str, dict[str, object]]) -> None:
    text = json.dumps(record, ensure_ascii=False, indent=1)
    for name in (RECORD, BACKUP):
        (folder / name).write_text(text, encoding="utf-8")


def _output_name(new: Path, rel: str) -> bool:
    """Whether the run writes a file `rel` into its new set `new`: written already, or the
    report JSON, written last."""
    return rel == REPORT or (new / rel).exists()


def _proven_ours(entry: object, digest: str) -> bool:
    """Whether the record's `entry` proves a file of SHA-256 `digest` is as a run wrote or
    kept it (named in the record with that digest)."""
    return isinstance(entry, dict) and entry.get("sha256") == digest


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


def keep_officer_files(current: Path, new: Path, known: Collection[str] = ()) -> list[tuple[str, str]]:
    """Copy into the new set `new` what the officer changed or added in the current set
    `current` (see the module's docstring); return (kept copy, the new output of that
    name or "") as paths relative to the set. In a current set without a record every file
    may be the officer's: it is kept (as `-ban-da-sua` when the run writes that name),
    unless the new run wrote the same bytes under its name. A file whose SHA-256 is one of
    `known` (bytes `new` holds already) is not copied again. OSError when a copy cannot be
    written."""
    record = _read_record(current)
    kept: list[tuple[str, str]] = []
    origins: dict[str, tuple[str, str]] = {}
    for rel in _files(current):
        entry = (record or {}).get(rel)
        written_by_run = isinstance(entry, dict) and not entry.get("officer")
        digest = _digest(current / rel)
        if written_by_run and digest == entry.get("sha256"):
            continue  # as the run wrote it: the new run writes it anew
        if digest in known:
            continue  # the same bytes are in the new set already: nothing to lose
        if record is None:  # whose it is cannot be proven: possibly the officer's
            if (new / rel).is_file() and _digest(new / rel) == _digest(current / rel):
                continue  # the same bytes as the new run's: nothing to lose
            written_by_run = _output_name(new, rel)  # an output's name: kept as its edited copy
        target = _free_name(new, rel, edited=written_by_run)
        (new / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(current / rel, new / target)
        kept.append((target, rel if (new / rel).exists() and target != rel else ""))
        if written_by_run:  # the officer's version of an output of the current set
            origins[target] = (set_identity(current), rel)
        elif isinstance(entry, dict) and isinstance(entry.get("set"), str):
            origins[target] = (entry["set"], rel)  # kept by an earlier run: from the set it came from
        else:
            origins[target] = ("", rel)
    _note_origins(new, origins)
    return kept


def _note_origins(new: Path, origins: dict[str, tuple[str, str]]) -> None:
    """Note in the new set's record, for each kept copy (by relative path), the set it came
    from ("" when unknown) and its path in the set it was kept from ("from", "" for none);
    `write_record` completes the record and keeps these."""
    if origins:
        mine = _read_record(new) or {}
        for rel, (origin, source) in origins.items():
            entry = dict(mine.get(rel)) if isinstance(mine.get(rel), dict) else {}
            entry |= {"set": origin} if origin else {}
            entry |= {"from": source} if source else {}
            mine[rel] = entry
        _write_record(new, mine)


def _known_digests(folder: Path) -> set[str]:
    """The SHA-256 of every file of the set `folder` and every digest its record holds
    (bytes a run wrote or kept there)."""
    found = {_digest(folder / rel) for rel in _files(folder)}
    found |= {str(e.get("sha256")) for e in (_read_record(folder) or {}).values() if isinstance(e, dict)}
    return found


def unkept_files(previous: Path, *sets: Path) -> list[str]:
    """The files of the set `previous` (relative paths) that may be the officer's work (not
    proven the program's, unchanged, by its record) and have no identical copy among the
    files of `sets` or the digests their records hold: what pruning `previous` would lose.
    [] when `previous` is not a folder."""
    if not previous.is_dir():
        return []
    record = _read_record(previous) or {}
    candidates = [
        rel for rel in _files(previous) if not _proven_ours(record.get(rel), _digest(previous / rel))
    ]
    if not candidates:
        return []
    known: set[str] = set()
    for folder in sets:
        if folder.is_dir():
            known |= _known_digests(folder)
    return [rel for rel in candidates if _digest(previous / rel) not in known]


def keep_previous_files(previous: Path, current: Path, new: Path) -> list[tuple[str, str]]:
    """Before the previous set `previous` is pruned (the current set `current` takes its
    place): copy into the new set `new` what the officer changed or added in `previous`
    and has no copy in `current` or `new` (`unkept_files`), named as `keep_officer_files`
    names them (an output of the run as `<name>-ban-da-sua…`, another file under its own
    name). Returns (the copy in the new set, the file in `previous`) as relative paths;
    the caller records the copies as the officer's. OSError when a copy cannot be written."""
    record = _read_record(previous) or {}
    kept: list[tuple[str, str]] = []
    origins: dict[str, str] = {}
    for rel in unkept_files(previous, current, new):
        entry = record.get(rel)
        output = (isinstance(entry, dict) and not entry.get("officer")) or (
            not record and _output_name(new, rel)
        )
        target = _free_name(new, rel, edited=output)
        (new / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(previous / rel, new / target)
        kept.append((target, rel))
        if output:
            origins[target] = (set_identity(previous), "")
        elif isinstance(entry, dict) and isinstance(entry.get("set"), str):
            origins[target] = (entry["set"], "")
    _note_origins(new, origins)
    return kept


_ORIGIN_KEYS = ("set", "from", "unread", "last_read")
"""What the record notes of a file the officer's beside its SHA-256, kept by `write_record`."""


def write_record(folder: Path, officer: set[str]) -> None:
    """Record the SHA-256 of every file of the set `folder`; `officer` names (relative
    paths) the files that are the officer's, carried from an earlier set. What the record
    already there notes of each of those (`_ORIGIN_KEYS`: the set it was kept from and its
    path there, noted by `keep_officer_files`; whether the set's run read it,
    `carry_into_waiting_set`) is kept."""
    before = _read_record(folder) or {}
    record: dict[str, dict[str, object]] = {}
    for rel in _files(folder):
        record[rel] = {"sha256": _digest(folder / rel), "officer": rel in officer}
        noted = before.get(rel) if isinstance(before.get(rel), dict) else {}
        if rel in officer:
            record[rel] |= {k: noted[k] for k in _ORIGIN_KEYS if k in noted}
        if (
            rel.lower().endswith(DOCUMENT_SUFFIX)
            and rel not in officer
            and (title := docx_title(folder / rel))
        ):
            record[rel]["title"] = title  # how the officer's "Save As" copy is recognised
    _write_record(folder, record)


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
    _write_record(folder, record)


def changed_since_written(folder: Path, rel: str) -> bool:
    """Whether the file `rel` (relative path) of the set `folder` is one the run wrote and
    the officer changed since (its SHA-256 no longer the recorded one): what
    `keep_officer_files` keeps as `…-ban-da-sua`. In a set without a record (neither copy)
    nothing is proven the program's: True for any file there, as it may have been changed.
    False for a file not in the record, or one the officer added. Reads nothing but the
    record and that file."""
    record = _read_record(folder)
    if record is None:
        return (folder / rel).is_file() and not (folder / rel).is_symlink()
    entry = record.get(rel)
    if not isinstance(entry, dict) or entry.get("officer") or not (folder / rel).is_file():
        return False
    return _digest(folder / rel) != entry.get("sha256")


def changed_since_recorded(folder: Path, rel: str) -> bool:
    """Whether the file `rel` (relative path) of the set `folder` is not as the set's record
    holds it: changed since the run that wrote the set wrote or kept it (its SHA-256 another
    than the recorded one), not named there (saved since), or copied into the set after
    its run read the officer's files (`carry_into_waiting_set`: saved while the set waited,
    never read by a run). True in a set without a record (nothing proven); False for a file
    that is not there."""
    if not (folder / rel).is_file():
        return False
    entry = (_read_record(folder) or {}).get(rel)
    return not _proven_ours(entry, _digest(folder / rel)) or (
        isinstance(entry, dict) and bool(entry.get("unread"))
    )


def last_read(folder: Path) -> dict[str, dict[str, str]]:
    """The files of the set `folder` copied into it after its run read the officer's files
    (`carry_into_waiting_set`), by relative path -> what that run recorded of the version of
    the same file it read (its report's `outputs.texts` entry; see `render.carried`
    `OfficerVersions.seen`); a file for which nothing was recorded is left out."""
    out = {}
    for rel, entry in (_read_record(folder) or {}).items():
        if isinstance(entry, dict) and entry.get("unread") and isinstance(entry.get("last_read"), dict):
            out[rel] = {str(k): str(v) for k, v in entry["last_read"].items()}
    return out


def later_versions(folder: Path, rel: str) -> list[str]:
    """The files of the set `folder` copied into it after its run read the officer's files
    (`carry_into_waiting_set`) that are later versions of the file `rel` (relative path) of
    the set they were kept from: the officer's draft saved while the set waited."""
    return [
        mine
        for mine, entry in (_read_record(folder) or {}).items()
        if isinstance(entry, dict) and entry.get("unread") and entry.get("from") == rel
    ]


def edited_copies(path: Path) -> list[Path]:
    """The officer's completed versions of the output `path` that runs kept beside it
    (`<stem>-ban-da-sua[-N]<suffix>`, see `keep_officer_files`), oldest first (by
    modification time); [] when there is none."""
    found = [p for p in path.parent.glob(f"{path.stem}{EDITED_SUFFIX}*{path.suffix}") if p.is_file()]
    return sorted(found, key=lambda p: p.stat().st_mtime_ns)


def docx_title(path: Path) -> str:
    """The title (core property `dc:title`) of the .docx `path`, stripped; "" when it has
    none or cannot be read (ECMA-376 part 2, core properties: `docProps/core.xml` in most
    files; the package's relationships name the part)."""
    import docx  # here: the run's start and its reading workers stay light (test_structure)

    try:  # python-docx finds the part through the package's relationships
        return (docx.Document(str(path)).core_properties.title or "").strip()
    except Exception:  # noqa: BLE001 - any unreadable or odd file: no title
        return ""


def saved_as_copies(
    path: Path, formats: Collection[str] = (), title_of: Callable[[Path], str] = docx_title
) -> list[Path]:
    """The documents the officer saved in the set under another name or in another format
    than the draft `path` (Word's "Save As"; LibreOffice Writer's "Use ODF Format"): in its
    folder, not the program's (not in the set's record as written by a run), not a
    `-ban-da-sua` copy, of the draft's suffix or one of `formats` (lower case, with the dot:
    `intake.kinds.catalogue.DOCUMENT_SUFFIXES`), titled as the draft is (the title the
    record keeps for `path`, else the draft's own, else its kept copies'; read by `title_of`,
    `render.office.document_title` for other formats, a .doc or .rtf through LibreOffice), or,
    in another format, of the draft's own name (its title unread without LibreOffice). Oldest first (by modification time); [] when the draft's title
    is unknown."""
    folder = path.parent
    record = _read_record(folder) or {}
    entry = record.get(path.name)
    titles = (
        {entry.get("title")} if isinstance(entry, dict) and isinstance(entry.get("title"), str) else set()
    )
    if not titles:
        titles = {docx_title(p) for p in [path, *edited_copies(path)] if p.is_file()}
    titles.discard("")
    if not titles:
        return []
    copies = set(edited_copies(path))
    suffixes = {path.suffix.lower(), *formats}
    found = []
    for p in folder.glob("*"):
        if p == path or p in copies or p.suffix.lower() not in suffixes or p.name.startswith(("~$", ".")):
            continue
        mine = record.get(p.name)
        if isinstance(mine, dict) and not mine.get("officer"):
            continue  # written by a run
        other_format = p.suffix.lower() != path.suffix.lower()
        if not p.is_file() or p.is_symlink():
            continue
        if (other_format and p.stem.casefold() == path.stem.casefold()) or title_of(p) in titles:
            found.append(p)
    return sorted(found, key=lambda p: p.stat().st_mtime_ns)


def edited_copy(path: Path) -> Path | None:
    """The newest, by modification time, of the officer's versions of the draft `path`
    kept beside it: `edited_copies(path)` and the copies the officer saved under another
    name (`saved_as_copies`); None when there is none."""
    found = sorted([*edited_copies(path), *saved_as_copies(path)], key=lambda p: p.stat().st_mtime_ns)
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
    copy into it what the officer changed or added in the current set meanwhile (bytes the
    waiting set does not hold already), and what they changed or added in the previous set
    (`paths.previous_dir`, pruned by the swap; `keep_previous_files`), and record those
    copies as the officer's. A copy from the current set is recorded as not read by the
    waiting set's run ("unread", `changed_since_recorded`), with what that run read of the
    file it is a later version of ("last_read", `last_read`): the waiting set's run read
    the current set before the officer saved it again, so the next run reads what they
    changed since. Returns the copies' relative paths."""
    record = _read_record(waiting) or {}
    kept = keep_officer_files(current, waiting, _known_digests(waiting))
    from_current = {mine for mine, _ in kept}
    kept += keep_previous_files(previous_dir(current.parent, int(current.name)), current, waiting)
    officer = {rel for rel, entry in record.items() if isinstance(entry, dict) and entry.get("officer")}
    write_record(waiting, officer | {mine for mine, _ in kept})
    if from_current:
        mine = _read_record(waiting) or {}
        for rel in from_current:
            entry = mine.get(rel)
            if isinstance(entry, dict):
                entry["unread"] = True
                seen = _read_then(current, waiting, record, str(entry.get("from", "")))
                entry |= {"last_read": seen} if seen is not None else {}
        _write_record(waiting, mine)
    return [mine for mine, _ in kept]


def _texts(folder: Path) -> dict[str, object]:
    """What the run that wrote the set `folder` recorded of the draft and the officer's
    copies of it (its report's `outputs.texts`, written by `render.outputs`); {} when none."""
    try:
        texts = json.loads((folder / REPORT).read_text(encoding="utf-8"))["outputs"]["texts"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return texts if isinstance(texts, dict) else {}


def _read_then(
    current: Path, waiting: Path, record: dict[str, dict[str, object]], rel: str
) -> dict[str, object] | None:
    """What the run that wrote the set `waiting` (its `record` before this carry) read of
    the file `rel` of the set `current`: what it recorded of the copy it kept of that file,
    else (not kept: as the run that wrote `current` left it) what that run recorded of it;
    None when nothing is recorded."""
    copies = [m for m, e in record.items() if isinstance(e, dict) and e.get("from") == rel]
    read = [m for m in copies if not record[m].get("unread")]
    if read:
        seen = _texts(waiting).get(read[0])
        return seen if isinstance(seen, dict) else None
    for m in copies:  # carried in by an earlier carry: what the run read then, as noted there
        if isinstance(noted := record[m].get("last_read"), dict):
            return noted
    seen = _texts(current).get(rel) if rel else None
    return seen if isinstance(seen, dict) else None


def drop_carried_locks(current: Path, previous: Path) -> list[str]:
    """Remove from the carried folders of the `current` set (`paths.CARRIED`, brought from
    the `previous` set by the swap, as hard links or copies) each office suite's lock file
    (`paths.is_office_lock`) that is the previous set's own, carried along (the same file, or
    a copy of the same bytes and time): a lock names a document open in the set it was made
    in, never one in the new set. A lock made in the current set is left. Returns the
    removed files' paths relative to `current`."""
    out = []
    for name in CARRIED:
        for path in sorted((current / name).rglob("*")) if (current / name).is_dir() else []:
            if not is_office_lock(path.name) or not path.is_file() or path.is_symlink():
                continue
            rel = path.relative_to(current)
            before = previous / rel
            try:
                same = before.is_file() and (
                    path.samefile(before)
                    or (
                        path.stat().st_mtime_ns == before.stat().st_mtime_ns
                        and path.read_bytes() == before.read_bytes()
                    )
                )
                if same:
                    path.unlink()
                    out.append(rel.as_posix())
            except OSError:
                continue  # held or gone: left as it is
    return out
