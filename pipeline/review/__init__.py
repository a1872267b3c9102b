"""The programme's final review (tổng kết): a programme-to-date workbook and a draft document
built from the yearly outboxes' machine-readable outputs, never from the inboxes.

`build.py` reads the years (`years.py`) and computes every figure once; `workbook.py` and
`document.py` are views of it. The command is `tong-ket` (`commands/final_review.py`)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..form import Form
from ..outbox.paths import review_paths
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
    kept: list[Path]  # earlier versions moved aside, never deleted (the officer may have edited them)


def _kept_aside(path: Path) -> Path | None:
    """Move an existing `path` to the first free `<stem>-ban-truoc-<n><suffix>`; None if absent."""
    if not path.exists():
        return None
    n = 1
    while (aside := path.with_name(f"{path.stem}-ban-truoc-{n}{path.suffix}")).exists():
        n += 1
    os.replace(path, aside)
    return aside


class NoResultsError(Exception):
    """No outbox holds a readable year of the review's period: nothing to review, nothing
    written. Its message (Vietnamese) names the folders searched and what they should hold."""


def write_review(
    form: Form, outboxes: list[Path], out: Path, command: str = "python -m pipeline"
) -> ReviewOutputs:
    """Build the final review of `form`'s `[final_review]` years from `outboxes` (searched in
    order for each year) and write `tong-ket-<prefix>-<first>-<last>.xlsx` and `.docx` into
    `out`. A file already there is moved aside (`-ban-truoc-<n>`), never overwritten.

    Nothing is left behind when it fails: no half-written file, no folder it created.
    Raises NoResultsError (no year found; `command` is how the message tells to make one),
    FormError (configuration) and OSError (the folder cannot be written)."""
    review = build_review(form, outboxes)
    cfg = review.config
    if not review.years.found:
        raise NoResultsError(no_results_message(outboxes, cfg.first_year, cfg.last_year, command))
    workbook, document = review_paths(out, cfg.first_year, cfg.last_year, form.programme_info.prefix)
    made = [d for d in (out, *out.parents) if not d.exists()]  # the folders this call creates
    out.mkdir(parents=True, exist_ok=True)
    tmp_book, tmp_doc = (p.with_name(f".{p.stem}.dang-ghi{p.suffix}") for p in (workbook, document))
    try:
        write_review_workbook(review, tmp_book)
        write_review_document(review, tmp_doc)
    except BaseException:
        for tmp in (tmp_book, tmp_doc):
            tmp.unlink(missing_ok=True)
        for folder in made:  # innermost first; only if still empty
            try:
                folder.rmdir()
            except OSError:
                break
        raise
    kept = [p for p in (_kept_aside(workbook), _kept_aside(document)) if p is not None]
    os.replace(tmp_book, workbook)
    os.replace(tmp_doc, document)
    return ReviewOutputs(review, workbook, document, kept)
