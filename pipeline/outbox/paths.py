"""Where outputs go. File names come from the year and unit codes, never from file contents."""

from __future__ import annotations

import os
from pathlib import Path

from ..text.names import distinct_names, fitted, slug, tag

PREFIX = "588"
"""The programme's part of output file names when a caller gives none; the configuration's
own is `form.programme_info.prefix` (`[programme] prefix`), which every caller should pass."""


RUN_PROPERTY = "tong_hop_588_luot"
"""The name under which the consolidated workbook (a custom document property, OPC
docProps/custom.xml: ECMA-376 Part 1 §22.3) and the draft report (its core property
dc:identifier, `RUN_PROPERTY:<run id>`) carry the id of the run that wrote them: `pdf`
refuses to print, side by side, files of different runs (a file of an earlier run saved
over the new set by a program that still had it open)."""

MANIFEST = "manifest.json"
REPORT = "bao-cao.json"
FEEDBACK_DIR = "phan-hoi"
# Folders of the current set that a run does not write but must keep: the mail drafts and
# the record of messages sent (pipeline/mail). Carried into each new set (hard links).
CARRIED = ("thu",)


def is_office_lock(name: str) -> bool:
    """Whether a file `name` is the lock an office suite leaves beside a document it has open
    (Microsoft Office's owner file `~$…`, LibreOffice's `.~lock.<name>#`): never the officer's
    work, never carried into a new set (`kept.drop_carried_locks`); `office_locks` finds a
    given document's."""
    return name.startswith("~$") or (name.startswith(".~lock.") and name.endswith("#"))


def office_locks(path: Path) -> list[Path]:
    """The lock files (`is_office_lock`) beside the document `path` that say it is open in
    an office suite now: LibreOffice's `.~lock.<name>#`, Excel's `~$<name>`, Word's `~$`
    over the first one or two characters of a longer name (`~$o-cao-588-2025.docx`);
    compared without regard to case, as Windows names them. [] when none, or the folder
    cannot be listed. A lock left by a crash cannot be told from one of an open document."""
    wanted = {n.casefold() for n in (f".~lock.{path.name}#", *(f"~${path.name[i:]}" for i in range(3)))}
    try:
        return sorted(p for p in path.parent.iterdir() if p.name.casefold() in wanted and p.is_file())
    except OSError:
        return []


def year_dir(outbox: Path, year: int) -> Path:
    """The current output set of `year`: the folder the officer opens."""
    return outbox / str(int(year))


def previous_dir(outbox: Path, year: int) -> Path:
    """The previous run's output set, kept whole."""
    return outbox / f"{int(year)}-lan-truoc"


def staging_dir(outbox: Path, year: int) -> Path:
    """Where this process writes a new set before it becomes current."""
    return outbox / f".{int(year)}.dang-ghi-{os.getpid()}"


def trash_dir(outbox: Path, year: int, n: int) -> Path:
    """Where a leftover set is moved before it is removed."""
    return outbox / f".{int(year)}.xoa-{os.getpid()}-{n}"


def leftover_glob(year: int) -> str:
    """Pattern of the sets being written and the leftovers being removed, by any process
    (staging and trash folders; not the lock, not a complete set)."""
    return f".{int(year)}.*-*"


def ready_dir(outbox: Path, year: int) -> Path:
    """A complete new set, about to become current."""
    return outbox / f".{int(year)}.san-sang"


def lock_path(outbox: Path, year: int) -> Path:
    return outbox / f".{int(year)}.lock"


def workbook_name(year: int, prefix: str = PREFIX) -> str:
    return f"tong-hop-{prefix}-{int(year)}.xlsx"


def detail_csv_name(year: int, prefix: str = PREFIX) -> str:
    return f"chi-tiet-{prefix}-{int(year)}.csv"


def workbook_path(outbox: Path, year: int, prefix: str = PREFIX) -> Path:
    return year_dir(outbox, year) / workbook_name(year, prefix)


DOCUMENT_SUFFIX = ".docx"
"""The suffix of the report drafts the pipeline writes (Word's document format)."""


def document_path(outbox: Path, year: int, prefix: str = PREFIX) -> Path:
    """The narrative report drafted for signature (.docx)."""
    return year_dir(outbox, year) / f"bao-cao-{prefix}-{int(year)}{DOCUMENT_SUFFIX}"


def pdf_path(outbox: Path, year: int, prefix: str = PREFIX) -> Path:
    """The document and the biểu in one PDF, for printing and signing."""
    return year_dir(outbox, year) / f"bao-cao-{prefix}-{int(year)}.pdf"


def review_paths(out: Path, first: int, last: int, prefix: str = PREFIX) -> tuple[Path, Path]:
    """The final review's workbook (.xlsx) and draft document (.docx) in folder `out`."""
    stem = f"tong-ket-{prefix}-{int(first)}-{int(last)}"
    return out / f"{stem}.xlsx", out / f"{stem}.docx"


def detail_csv_path(outbox: Path, year: int, prefix: str = PREFIX) -> Path:
    return year_dir(outbox, year) / detail_csv_name(year, prefix)


def manifest_path(outbox: Path, year: int) -> Path:
    return year_dir(outbox, year) / MANIFEST


def report_path(outbox: Path, year: int) -> Path:
    return year_dir(outbox, year) / REPORT


def feedback_dir(outbox: Path, year: int) -> Path:
    return year_dir(outbox, year) / FEEDBACK_DIR


def feedback_path(outbox: Path, year: int, unit_code: str, file_name: str) -> Path:
    """The feedback file of one file in the current set (as `feedback_names` names it; only
    a second file of the very same name and unit gets a counter, which this cannot know:
    the run's own list is `outputs["feedback"]` in bao-cao.json)."""
    return feedback_dir(outbox, year) / feedback_names([(unit_code, file_name)])[0]


def feedback_names(files: list[tuple[str, str]]) -> list[str]:
    """A feedback file name for each (unit code, file name) pair, all different even where
    a file system ignores case: `file_name` is how the file is shown (its path in the inbox,
    or its mail and attachment), so files of the same name in different folders (or
    differing only by case or accents) get different names (a hash of it); equal names get
    a counter. Every name is valid on Windows and fits `names.MAX_NAME`."""
    names = []
    for unit_code, file_name in files:
        prefix = f"phan-hoi-{slug(unit_code or 'khong-ro', 20)}-"
        names.append(fitted(prefix, Path(file_name).stem, f"-{tag(file_name)}.xlsx"))
    return distinct_names(names)


def templates_dir(outbox: Path, year: int) -> Path:
    return outbox / "templates" / str(int(year))
