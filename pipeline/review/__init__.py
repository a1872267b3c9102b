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
whole: its files are moved aside as `-ban-truoc-<n>`, as then.

The header's agencies start from those the officer corrected on the latest yearly draft
(`agencies.py`), else the configuration's; what they typed in the review's own draft wins."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..form import Form
from ..outbox.kept import EDITED_SUFFIX, RECORD, changed_since_written, write_record
from ..outbox.paths import review_paths
from ..render.carried import FIELDS, OfficerVersions, officer_document
from ..render.document import Carried
from ..render.summary import differs_lines, not_carried_lines, unreadable_line
from ..system.signals import raise_if_stopping
from .agencies import YearlyAgencies, yearly_agencies
from .build import Review, build_review
from .document import write_review_document
from .workbook import write_review_workbook
from .years import no_results_message

__all__ = ["NoResultsError", "ReviewOutputs", "write_review"]

SEEN = ".ban-da-sua-da-doc.json"
"""In the review's folder: what the run read of the officer's versions of the draft and
wrote in the new one (`carried.OfficerVersions.seen`), for the next run to tell what the
officer changed since, one section or field at a time."""


@dataclass
class ReviewOutputs:
    review: Review
    workbook: Path
    document: Path
    kept: list[Path]  # the officer's versions moved aside by this run, never deleted
    officer: Path | None = None  # the officer's draft the new one carries from (None: none)
    carried: Carried = field(default_factory=Carried)  # what the new draft carries from it
    versions: OfficerVersions | None = None  # what it carries from each version, what not
    moved: dict[Path, Path] = field(default_factory=dict)  # the officer's draft -> where it is kept
    agencies: YearlyAgencies = field(default_factory=YearlyAgencies)  # from the latest yearly draft
    configured: dict[str, str] = field(default_factory=dict)  # the configuration's [agencies]

    def carried_lines(self) -> list[str]:
        """What the officer is told (Vietnamese) of their versions of the previous draft:
        what the new draft carries from which file (only the file it was copied from), what
        they changed in another that differs and is not carried, and what they typed that no
        draft carries, each with the file's path; first, the agencies the header prints as
        the officer corrected them on the latest yearly draft (`agencies_lines`)."""
        said: list[str] = self.agencies_lines()
        for f in self.versions.files if self.versions is not None else ():
            path = self.moved.get(f.path, f.path)
            names = ([f"mục {', '.join(f.section_numbers())}"] if f.sections else []) + f.field_names()
            if names:
                said.append(
                    f"Đã chép phần anh/chị viết ({'; '.join(names)}) từ {path} sang bản dự thảo mới: {self.document}"
                )
            said += differs_lines(f.differs, str(path))
            if f.unreadable:
                said.append(unreadable_line(str(path), f.no_office))
            if f.read:
                said += not_carried_lines(f.lost, str(path))
        return said

    def agencies_lines(self) -> list[str]:
        """The line naming the agencies the new draft's header prints as the officer
        corrected them on the latest yearly draft (`agencies.yearly_agencies`), where they
        differ from the configuration's and the officer typed nothing else on this draft;
        none otherwise."""
        given = self.agencies.fields
        keys = [
            key
            for key in given
            if _plain(self.carried.printed.get(key, "")) == _plain(given[key])
            and _plain(given[key]) != _plain(self.configured.get(key, ""))
        ]
        if not keys:
            return []
        names = "; ".join(FIELDS[key] for key in keys)
        return [
            f"Đầu bản dự thảo tổng kết ghi {names} như anh/chị đã sửa ở bản báo cáo năm "
            f"{self.agencies.year} ({self.agencies.draft}), không theo mục [agencies] của "
            f"{self.review.form.path.name}: "
            + "; ".join(f"«{' '.join(given[key].split())}»" for key in keys)
            + f". Nếu cần ghi khác, sửa ở đầu bản dự thảo {self.document}: lần chạy sau giữ phần anh/chị sửa."
        ]


def _plain(text: str) -> str:
    return " ".join(text.split())


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
    configured = dict(form.agencies)
    agencies = yearly_agencies(review.years)  # the officer's corrections of the latest year
    if agencies.fields:
        review.form = replace(review.form, agencies={**review.form.agencies, **agencies.fields})
    cfg = review.config
    if not review.years.found:
        raise NoResultsError(no_results_message(outboxes, cfg.first_year, cfg.last_year, command))
    workbook, document = review_paths(out, cfg.first_year, cfg.last_year, form.programme_info.prefix)
    recorded = (out / RECORD).is_file()
    if recorded:
        officer = officer_document(out, document.name, _seen(out))
    else:  # written before the record (or never): the draft there may be the officer's, read whole
        officer = OfficerVersions(document, True, [], []) if document.is_file() else None
    made = [d for d in (out, *out.parents) if not d.exists()]  # the folders this call creates
    out.mkdir(parents=True, exist_ok=True)
    tmp_book, tmp_doc = (p.with_name(f".{p.stem}.dang-ghi{p.suffix}") for p in (workbook, document))
    try:
        write_review_workbook(review, tmp_book)
        carried = write_review_document(review, tmp_doc, officer)
        raise_if_stopping()  # a Ctrl-C a library swallowed: nothing replaced
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
    moved: dict[Path, Path] = {}
    for path in (workbook, document):
        if not recorded:
            aside = _kept_aside(path)
        elif changed_since_written(out, path.name):
            aside = _kept_aside(path, edited=True)
        else:
            aside = None  # as the last run wrote it: the new one replaces it
        if aside is not None:
            kept.append(aside)
            moved[path] = aside
    os.replace(tmp_book, workbook)
    os.replace(tmp_doc, document)
    if officer is not None:
        _write_seen(out, document, officer, moved)
    else:  # the first draft: what it holds, for the next run to tell what the officer changed
        (out / SEEN).write_text(
            json.dumps({document.name: dict(carried.written)}, ensure_ascii=False, indent=1), encoding="utf-8"
        )
    theirs = {p.name for p in out.iterdir() if p.is_file()} - {workbook.name, document.name, RECORD, SEEN}
    write_record(out, theirs)
    sources = [moved.get(f.path, f.path) for f in officer.files if f.sections or f.fields] if officer else []
    return ReviewOutputs(
        review,
        workbook,
        document,
        kept,
        sources[0] if len(sources) == 1 else None,
        carried,
        officer,
        moved,
        agencies,
        configured,
    )


def _seen(out: Path) -> dict[str, dict[str, str]]:
    """What the last run recorded in `out` of the draft and the officer's versions (`SEEN`);
    {} when nothing readable."""
    try:
        data = json.loads((out / SEEN).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_seen(out: Path, document: Path, officer: OfficerVersions, moved: dict[Path, Path]) -> None:
    """Record in `SEEN` each version's sections and fields as read, under its name now (the
    officer's draft moved aside under its kept name), and the new draft's as written."""
    texts = {document.name: dict(officer.written)}
    for path, values in officer.values.items():
        if path == document and path not in moved:
            continue  # the draft as the last run wrote it: replaced by the new one
        texts[moved.get(path, path).name] = dict(values)
    (out / SEEN).write_text(json.dumps(texts, ensure_ascii=False, indent=1), encoding="utf-8")
