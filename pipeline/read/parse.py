"""One submission of the inbox listing -> what the pipeline learnt from it (`Parsed`).

Every source plugs in here through `Submission.read`: a plain file is read from disk; an
attachment or archive member is found again inside its message or archive, in memory. A
container's own line (the message or archive itself) is not a report and carries what it
held, or why nothing could be read from it.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from ..form import Form
from ..intake.containers.submission import Submission, entry_mtime
from ..intake.files import FileInfo, ReadProblem
from ..intake.kinds.catalogue import REPORT_SUFFIXES
from ..rules import findings as fd
from ..text.oserrors import read_reason
from .extract import NOT_REPORT_CODES, parse_bytes
from .parsed import Parsed


def parse_submission(sub: Submission, file_id: int, form: Form) -> Parsed:
    """Parse one submission. Never raises for bad input: problems become findings."""
    if sub.opened is not None:
        o = sub.opened
        p = Parsed(file_id, sub, FileInfo(sub.name, o.size, o.sha256, entry_mtime(sub.path)), format=o.format)
        p.is_report = False
        if sub.problem:
            p.findings.append(fd.make(sub.problem[0], sub.problem[1], file=sub.name))
        return p
    if sub.ignored:
        return Parsed(file_id, sub, FileInfo(sub.name, 0, "", entry_mtime(sub.path)), is_report=False)
    if sub.problem:
        p = Parsed(file_id, sub, FileInfo(sub.name, 0, "", entry_mtime(sub.path)))
        p.is_report = sub.problem[0] not in NOT_REPORT_CODES
        p.findings.append(fd.make(sub.problem[0], sub.problem[1], file=sub.name))
        return p
    inside = bool(sub.origin.locator)
    try:
        data, mtime = sub.read(form.limits)
    except ReadProblem as exc:
        if exc.info is not None:  # a plain file over the size limit: neither read nor hashed
            return _unread(file_id, sub, exc.code, exc.message, exc.info, True)
        # a damaged member or attachment: a report (by its name) that cannot be read
        report = PurePosixPath(sub.name).suffix.lower() in REPORT_SUFFIXES
        return _unread(
            file_id, sub, exc.code, exc.message, FileInfo(sub.name, 0, "", entry_mtime(sub.path)), report
        )
    except (OSError, KeyError, IndexError, ValueError) as exc:
        if not inside and not isinstance(exc, OSError):
            raise
        if inside:
            info = FileInfo(sub.name, 0, "", entry_mtime(sub.path))
            return _unread(file_id, sub, "FILE_CORRUPT", "không đọc được tệp đính kèm", info)
        info = FileInfo(sub.name, 0, "", 0.0)
        return _unread(file_id, sub, "FILE_CORRUPT", f"không đọc được tệp: {read_reason(exc)}", info)
    return parse_bytes(data, file_id, form, sub, mtime)


def parse_path(path: Path, file_id: int, form: Form, name: str | None = None) -> Parsed:
    """Parse a plain file on disk, shown as `name` (default: its file name); as
    `parse_submission` (for `check` and for tests)."""
    return parse_submission(Submission(path, name or path.name), file_id, form)


def _unread(
    file_id: int, sub: Submission, code: str, message: str, info: FileInfo, report: bool = False
) -> Parsed:
    """The record of a submission whose bytes could not be had: one finding saying why."""
    p = Parsed(file_id, sub, info, is_report=report)
    p.findings.append(fd.make(code, message, file=sub.name))
    return p
