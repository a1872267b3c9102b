"""Write a run's outputs: workbook, CSV, manifest, JSON report and feedback files.

They are written as one set into a new folder, under a lock, and the set is made current
in one step (`atomic.output_set`): an interruption or a full disk leaves the previous set
whole and current, never a mix of two runs.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ..form import Form
from ..outbox.atomic import OutboxBusy, OutboxHeld, OutboxUnwritable, output_set
from ..outbox.kept import keep_officer_files, keep_previous_files, write_record
from ..outbox.paths import (
    FEEDBACK_DIR,
    MANIFEST,
    REPORT,
    detail_csv_name,
    detail_csv_path,
    document_path,
    feedback_dir,
    manifest_path,
    office_locks,
    previous_dir,
    report_path,
    workbook_name,
    workbook_path,
    year_dir,
)
from ..run.result import Report, manifest_json, report_json
from ..text.command import option_hint
from ..text.oserrors import os_error_behind
from ..text.safetext import csv_field
from .carried import OfficerVersions, officer_document
from .document import write_document
from .feedback import FeedbackWriter
from .summary import HeadingNote
from .workbook import write_workbook


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Every text field made inert for a spreadsheet (`safetext.csv_field`: one line, never a
    formula); numbers are left as they are."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: csv_field(v) if isinstance(v, str) else v)
    return out


def with_comments(frame: pd.DataFrame, report: Report) -> pd.DataFrame:
    """The detail frame with a `comment` column: the unit's comment on each figure's cell."""
    notes = {
        (rec.parsed.name, sheet, cell): text
        for rec in report.files
        for (sheet, cell), text in rec.parsed.comments.items()
    }
    keys = zip(frame["file"], frame["sheet"], frame["cell"], strict=True) if len(frame) else []
    return frame.assign(comment=[notes.get(k, "") for k in keys])


def write_outputs(
    report: Report, outbox: Path, lock_wait: float = 30.0, lap: Callable[[str], None] | None = None
) -> None:
    """Write every output of the run as one set and make it current (`outbox/<year>/`);
    wait up to `lock_wait` s for another run to finish.

    Raises OutboxBusy, OutboxHeld (the new set complete but waiting: a file of the current
    set is open in another program), or OutboxUnwritable (full disk, read-only, no
    permission) with the current set left as it was. `lap(name)` is called after each output, for phase timings."""
    try:
        with output_set(outbox, report.form.year, lock_wait) as folder:
            _write_set(report, outbox, folder, lap or (lambda _name: None))
    except BaseException as exc:
        report.outputs = {}
        ours = isinstance(exc, (OutboxBusy, OutboxHeld))
        cause = os_error_behind(exc) if isinstance(exc, Exception) and not ours else None
        if cause is None:
            raise
        raise OutboxUnwritable.from_os(cause, outbox) from exc


def _own_outbox(form: Form, outbox: Path) -> str:
    """An outbox for `form` other than `outbox` (holding another form's set): its own
    `[paths] outbox`, or `outbox-<configuration name>` when that is the one in use."""
    own = form.outbox
    return f"outbox-{form.path.stem}" if own.resolve() == outbox.resolve() else str(own)


def _same_form(report: Report, outbox: Path) -> None:
    """Refuse (OutboxUnwritable) to replace a current set written under another
    configuration: two configurations of one year (Kiên Giang and An Giang, 2025) must not
    share `outbox/<year>/`, where one would replace the other's set and carry its files."""
    current = report_path(outbox, report.form.year)
    try:
        theirs = json.loads(current.read_text(encoding="utf-8"))["form"]["id"]
    except (OSError, ValueError, KeyError, TypeError):
        return  # no set yet, or one written before the form was recorded
    if theirs != report.form.id:
        folder = year_dir(outbox, report.form.year)
        raise OutboxUnwritable(
            f"Thư mục kết quả '{folder}' đang chứa bộ kết quả của một cấu hình khác (mẫu "
            f"'{theirs}', không phải '{report.form.id}' của {report.form.path.name}). Để không "
            f"trộn hai cấu hình, hãy chọn thư mục khác bằng {option_hint('--outbox', _own_outbox(report.form, outbox))} "
            "rồi chạy lại.",
            folder,
        )


def _write_set(report: Report, outbox: Path, folder: Path, lap: Callable[[str], None]) -> None:
    """Every output into `folder` (a new set, not yet current)."""
    _same_form(report, outbox)  # under the outbox lock
    form = report.form
    prefix = form.programme_info.prefix
    feedback = FeedbackWriter(report, folder / FEEDBACK_DIR)
    feedback.start()  # in worker processes while this one writes the other outputs
    try:
        csv_safe(with_comments(report.detail.long(form), report)).to_csv(
            folder / detail_csv_name(form.year, prefix),
            index=False,
            encoding="utf-8-sig",  # the BOM is how Excel knows the text is UTF-8 (no "sep=")
            quoting=csv.QUOTE_NONNUMERIC,
            lineterminator="\r\n",  # Excel's own line end, the same bytes on every system
        )
        (folder / MANIFEST).write_bytes(manifest_json(report))
        lap("csv+manifest")
        document_name = document_path(outbox, form.year, prefix).name
        officer = officer_document(year_dir(outbox, form.year), document_name, _seen(outbox, form.year))
        carried = write_document(report, folder / document_name, officer=officer)
        lap("document")
        # the biểu signed with the report print the number and signer its draft carries
        figures_name = workbook_name(form.year, prefix)
        figures = write_workbook(report, folder / figures_name, carried.printed)
        lap("workbook")
        written = feedback.wait()
    except BaseException:
        feedback.cancel()  # a failed run starts no more feedback files
        raise
    lap("feedback")
    current = year_dir(outbox, form.year)
    # the previous draft or workbook open in Word, Excel or LibreOffice: saving it then would
    # write the previous run's text over the new set (brk14 F2), so the run says so
    opened = [p.name for p in (current / document_name, current / figures_name) if office_locks(p)]
    kept = keep_officer_files(current, folder)  # under the lock: the current set cannot change
    previous = previous_dir(outbox, form.year)  # pruned once this set is current: the officer's work kept
    from_previous = keep_previous_files(previous, current, folder)
    report.outputs = {  # the paths the officer opens once the set is current
        "workbook": str(workbook_path(outbox, form.year, prefix)),
        "document": str(document_path(outbox, form.year, prefix)),
        "csv": str(detail_csv_path(outbox, form.year, prefix)),
        "manifest": str(manifest_path(outbox, form.year)),
        "report": str(report_path(outbox, form.year)),
        "feedback": [str(feedback_dir(outbox, form.year) / p.name) for p in written],
        "kept": [
            {"officer": str(current / mine), "new": str(current / new) if new else ""} for mine, new in kept
        ]
        + [
            {"officer": str(current / mine), "new": "", "from": str(previous / old)}
            for mine, old in from_previous
        ],
        # the number and signer the biểu print: the PDF to sign checks its report says the same
        "bieu_fields": dict(carried.printed),
        # the figures the biểu print: the PDF to sign checks the workbook still shows them
        "bieu_figures": figures,
        "open": opened,  # the previous set's files open in an office suite during the run
    }
    if officer is not None:
        _say_carried(
            report.outputs, officer, current, document_name, kept, _still_only_there(outbox, form.year)
        )
    else:  # the first draft: what it holds, for the next run to tell what the officer changed
        report.outputs["texts"] = {document_name: dict(carried.written)}
    (folder / REPORT).write_bytes(report_json(report).encode("utf-8"))
    write_record(folder, {mine for mine, _ in [*kept, *from_previous]})


def _seen(outbox: Path, year: int) -> dict[str, dict[str, str]]:
    """What the current set's run recorded of the draft and the officer's copies of it
    (bao-cao.json, outputs.texts: `carried.OfficerVersions.seen`); {} when none."""
    try:
        texts = json.loads(report_path(outbox, year).read_text(encoding="utf-8"))["outputs"]["texts"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return texts if isinstance(texts, dict) else {}


def _still_only_there(outbox: Path, year: int) -> dict[str, list[str]]:
    """The officer's file (its path as bao-cao.json's outputs.kept names it) -> what the
    current set's run said they wrote there that no draft carries ("still_only_here"); {}
    when none."""
    try:
        kept = json.loads(report_path(outbox, year).read_text(encoding="utf-8"))["outputs"]["kept"]
        return {
            str(e["officer"]): [str(x) for x in e["still_only_here"]]
            for e in kept
            if isinstance(e, dict) and e.get("still_only_here")
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _say_carried(
    outputs: dict,
    officer: OfficerVersions,
    current: Path,
    document_name: str,
    kept: list[tuple[str, str]],
    before: dict[str, list[str]],
) -> None:
    """Record in `outputs` what the new draft carries from each of the officer's versions
    (`officer.files`), on the entry of "kept" for that file in the new set: "carried"
    (section numbers), "carried_fields", "not_carried" (what they typed that no draft
    carries, for a version changed since the last run whose text could be checked) and
    "differs" (what they changed there that is not carried: another version's is). And
    "still_only_here": the text of "not_carried" (its headings left out) and what "differs",
    said again by
    every run while the file is unchanged (`before`: the last run's, by the file's path),
    with "said_before" (brk21: the notice was said once, then never). And "texts": each
    version's sections and fields as read, the new draft's as written, by name in the new
    set, for the next run (`carried.OfficerVersions.seen`)."""
    draft_copy = next((m for m, n in kept if n == document_name), None)  # the changed draft, kept

    def name_of(path: Path) -> str | None:
        if path == officer.draft:
            return draft_copy if officer.draft_changed else None
        return path.name

    texts: dict[str, dict[str, str]] = {document_name: dict(officer.written)}
    for path, values in officer.values.items():
        if (name := name_of(path)) is not None:
            texts[name] = dict(values)
    outputs["texts"] = texts
    unchanged = {str(p) for p in officer.copies if p not in officer.edited}
    for entry in outputs["kept"]:  # a copy unchanged since a run said what is only there: said again
        if entry["officer"] in unchanged and before.get(entry["officer"]):
            entry["still_only_here"], entry["said_before"] = before[entry["officer"]], True
    for f in officer.files:
        name = name_of(f.path)
        entry = next((e for e in outputs["kept"] if name and e["officer"] == str(current / name)), None)
        if entry is None:
            continue
        if f.sections:
            entry["carried"] = f.section_numbers()
        if f.fields:  # the number, the signer's title and name the officer typed
            entry["carried_fields"] = f.field_names()
        if f.read and f.checked:  # what they typed that the new draft loses, named
            entry["not_carried"] = list(f.lost)
            entry["still_only_here"] = [str(x) for x in f.lost if not isinstance(x, HeadingNote)]
        elif f.read:  # a draft written before the bookmarks: what they typed elsewhere is unknown
            entry["not_checked"] = True
        if f.differs:  # said again too while the file is unchanged (brk34 F3: said once, then never)
            entry["differs"] = list(f.differs)
            entry["still_only_here"] = [
                *entry.get("still_only_here", []),
                *(f"{item}: khác bản đã chép sang bản dự thảo mới" for item in f.differs),
            ]
        if f.unreadable:  # changed since the last run, but not a document the program can read
            entry["unreadable"] = True
            if f.no_office:  # an .odt, .doc or .rtf, and no LibreOffice to read it
                entry["no_office"] = True
