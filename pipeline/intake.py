"""One submission of the inbox listing -> what the pipeline learnt from it (`Parsed`).

A plain file is read from disk; an attachment or archive member is found again inside its
message or archive, in memory; a container's own line (the message or archive itself) is
not a report and carries what it held, or why nothing could be read from it.
"""

from __future__ import annotations

from pathlib import Path

from . import findings as fd
from .containers import ContainerProblem, Submission, read_bytes
from .extract import NOT_REPORT_CODES, Parsed, parse_bytes, parse_file
from .form import Form, Limits
from .reader import FileInfo

CONTAINER_FORMATS = {"eml", "zip"}


def parse_submission(sub: Submission, file_id: int, form: Form) -> Parsed:
    """Parse one submission. Never raises for bad input: problems become findings."""
    mtime = _mtime(sub.path)
    if sub.opened is not None:
        o = sub.opened
        p = Parsed(file_id, str(sub.path), FileInfo(sub.name, o.size, o.sha256, mtime), format=o.format)
        p.is_report = False
        if sub.problem:
            p.findings.append(fd.make(sub.problem[0], sub.problem[1], file=sub.name))
    elif sub.problem:
        p = Parsed(file_id, str(sub.path), FileInfo(sub.name, 0, "", mtime))
        p.is_report = sub.problem[0] not in NOT_REPORT_CODES
        p.findings.append(fd.make(sub.problem[0], sub.problem[1], file=sub.name))
    elif not sub.origin.locator:
        p = parse_file(sub.path, file_id, form, sub.name)
    else:
        try:
            data = read_bytes(sub, form.limits)
        except (OSError, ContainerProblem, KeyError, IndexError, ValueError) as exc:
            p = Parsed(file_id, str(sub.path), FileInfo(sub.name, 0, "", mtime), is_report=False)
            message = exc.message if isinstance(exc, ContainerProblem) else "không đọc được tệp đính kèm"
            code = exc.code if isinstance(exc, ContainerProblem) else "FILE_CORRUPT"
            p.findings.append(fd.make(code, message, file=sub.name))
        else:
            p = parse_bytes(data, file_id, form, sub.name, str(sub.path), mtime)
    p.origin = sub.origin
    return p


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def stored_bytes(p: Parsed, limits: Limits) -> bytes:
    """The bytes of a parsed file read again from the inbox (in memory, from its message or
    archive when it came in one). Raises OSError or ContainerProblem."""
    return read_bytes(Submission(Path(p.path), p.name, p.origin), limits)
