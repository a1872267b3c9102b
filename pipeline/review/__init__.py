"""The programme's final review (tổng kết): a programme-to-date workbook and a draft document
built from the yearly outboxes' machine-readable outputs, never from the inboxes.

`build.py` reads the years (`years.py`) and computes every figure once; `workbook.py` and
`document.py` are views of it. The command is `tong-ket` (`commands/final_review.py`).

What the officer changed in the review's folder is never lost, as in a yearly set
(`outbox.kept`): the folder records the SHA-256 of each file as written (`kept.RECORD`); a
rerun overwrites a file still as written, moves one the officer changed aside as
`<stem>-ban-da-sua[-N]<suffix>`, and the new draft carries what the officer wrote in the
sections they write and the fields they fill (`render.document.write_carrying`, the yearly
report's mechanism) from their latest version. A folder written before the record is kept
whole: its files are moved aside as `-ban-truoc-<n>`, as then."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..form import Form
from ..outbox.kept import EDITED_SUFFIX, RECORD, changed_since_written, write_record
from ..outbox.paths import review_paths
from ..render.carried import officer_document
from ..render.document import Carried
from .build import Review, build_review
from .document import write_review_document
from .workbook import write_review_workbook
from .years import no_results_message

__all__ = ["NoResultsError", "ReviewOutputs", "write_review"]


@dataclass
class ReviewOutputs:
    review: Review
    workbook: Path
    document: Path
    kept: list[Path]  # the officer's versions moved aside by this run, never deleted
    officer: Path | None = None  # the officer's draft the new one carries from (None: none)
    carried: Carried = field(default_factory=Carried)  # what the new draft carries from it


def _kept_aside(path: Path, edited: bool = False) -> Path | None:
    """Move an existing `path` to the first free `<stem>-ban-da-sua[-N]<suffix>` (`edited`:
    the officer changed it), else `<stem>-ban-truoc-<n><suffix>` (a folder without a record:
    unknown); None if absent."""
    if not path.exists():
        return None
    for n in range(1, 10_000):
        tail = (EDITED_SUFFIX if n == 1 else f"{EDITED_SUFFIX}-{n}") if edited else f"-ban-truoc-{n}"
        aside = path.with_name(f"{path.stem}{tail}{path.suffix}")
        if not aside.exists():
            os.replace(path, aside)
            return aside
    raise FileExistsError(str(path))


class NoResultsError(Exception):
    """No outbox holds a readable year of the review's period: nothing to review, nothing
    written. Its message (Vietnamese) names the folders searched and what they should hold."""


def write_review(
    form: Form, outboxes: list[Path], out: Path, command: str = "python -m pipeline"
) -> ReviewOutputs:
    """Build the final review of `form`'s `[final_review]` years from `outboxes` (searched in
    order for each year) and write `tong-ket-<prefix>-<first>-<last>.xlsx` and `.docx` into
    `out`. A file already there is overwritten only when it is as the last run wrote it; one
    the officer changed is moved aside (`-ban-da-sua`), and the new draft carries what they
    wrote from their latest version (see the module's docstring).

    Nothing is left behind when it fails: no half-written file, no folder it created.
    Raises NoResultsError (no year found; `command` is how the message tells to make one),
    FormError (configuration) and OSError (the folder cannot be written)."""
    review = build_review(form, outboxes)
    cfg = review.config
    if not review.years.found:
        raise NoResultsError(no_results_message(outboxes, cfg.first_year, cfg.last_year, command))
    workbook, document = review_paths(out, cfg.first_year, cfg.last_year, form.programme_info.prefix)
    recorded = (out / RECORD).is_file()
    if recorded:
        officer = officer_document(out, document.name)
    else:  # written before the record (or never): the draft there may be the officer's
        officer = document if document.is_file() else None
    made = [d for d in (out, *out.parents) if not d.exists()]  # the folders this call creates
    out.mkdir(parents=True, exist_ok=True)
    tmp_book, tmp_doc = (p.with_name(f".{p.stem}.dang-ghi{p.suffix}") for p in (workbook, document))
    try:
        write_review_workbook(review, tmp_book)
        carried = write_review_document(review, tmp_doc, officer)
    except BaseException:
        for tmp in (tmp_book, tmp_doc):
            tmp.unlink(missing_ok=True)
        for folder in made:  # innermost first; only if still empty
            try:
                folder.rmdir()
            except OSError:
                break
        raise
    kept = []
    for path in (workbook, document):
        if not recorded:
            aside = _kept_aside(path)
        elif changed_since_written(out, path.name):
            aside = _kept_aside(path, edited=True)
        else:
            aside = None  # as the last run wrote it: the new one replaces it
        if aside is not None:
            kept.append(aside)
            if officer == path:
                officer = aside
    os.replace(tmp_book, workbook)
    os.replace(tmp_doc, document)
    theirs = {p.name for p in out.iterdir() if p.is_file()} - {workbook.name, document.name, RECORD}
    write_record(out, theirs)
    return ReviewOutputs(review, workbook, document, kept, officer if carried else None, carried)
