"""One entry of the inbox listing (`Submission`): something to read, or a container's own
line, with where it came from (`Origin`: a plain file, a message, an archive, an attachment,
a member; the arrival time and sender of the message) and, for a container, its size and
hash (`Opened`). A submission reads its bytes again when asked (`Submission.read`): the file
itself, or found in memory inside its message or archive (`locate.py`).
"""

from __future__ import annotations

import datetime as dt
import errno
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...form import Limits
from ..files import read_bounded
from .locate import _entry_bytes

FILE, MESSAGE, ARCHIVE, ATTACHMENT, MEMBER = "file", "message", "archive", "attachment", "member"
CONTAINER_KINDS = (MESSAGE, ARCHIVE)  # a container's own line: not a report, its entries follow
SEP = " › "  # between a container's name and a name inside it


@dataclass(frozen=True)
class Origin:
    """Where a submission came from.

    kind: "file" (plain file in the inbox), "message" / "archive" (a container's own line),
    "attachment" (of a message), "member" (of an archive, possibly attached to a message).
    received: when the message holding it reached the office (aware, province time zone);
    None for plain files and archives saved by hand.
    """

    kind: str = FILE
    container: str = ""  # the inbox entry (.eml or .zip) it is inside, as shown
    locator: tuple[str, ...] = ()  # steps from that entry to its bytes: "part:N", "zip:NAME"
    received: dt.datetime | None = None
    sender: str = ""
    message_id: str = ""
    subject: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "container": self.container,
            "received_mail": self.received.isoformat(timespec="seconds") if self.received else "",
            "sender": self.sender,
            "message_id": self.message_id,
            "subject": self.subject,
        }


@dataclass(frozen=True)
class Opened:
    """A container's own line: its bytes' size and hash (its entries follow it)."""

    format: str  # the container's kind (kinds.catalogue: MESSAGE_KIND or ARCHIVE_KIND)
    size: int
    sha256: str


@dataclass(frozen=True)
class Submission:
    """One entry of the inbox listing: something to read, or a container's own line."""

    path: Path | None  # on disk: the file itself, or the inbox entry that holds it (None: not read)
    name: str  # as shown to people: "thu/a.eml › bao-cao.xlsx"
    origin: Origin = field(default_factory=Origin)
    opened: Opened | None = None  # set on a container's own line
    problem: tuple[str, str] | None = None  # (rule code, message): known unreadable, not read
    ignored: str = ""  # why it is not read (Vietnamese): what came with a report, not one

    @property
    def received(self) -> dt.datetime | None:
        """When the message holding it reached the office (aware); None for a plain file or
        an archive saved by hand."""
        return self.origin.received

    def read(self, limits: Limits) -> tuple[bytes, float]:
        """Its bytes, and the modification time of its inbox entry (POSIX seconds): the
        file itself, or found again in memory inside its message or archive. Never reads
        beyond the limits. Raises OSError (the entry cannot be read), ReadProblem (a
        plain file over the size limit, its `.info` set; or a bad container or entry,
        `.info` None), KeyError/IndexError/ValueError (an entry gone from a container that
        changed since it was listed)."""
        if self.path is None:
            raise FileNotFoundError(errno.ENOENT, "not read", self.name)
        if not self.origin.locator:
            return read_bounded(self.path, self.name, limits)
        return _entry_bytes(self.path, self.origin.locator, limits), entry_mtime(self.path)


def entry_mtime(path: Path | None) -> float:
    """The modification time of an inbox entry (POSIX seconds); 0.0 when it cannot be had."""
    try:
        return path.stat().st_mtime if path is not None else 0.0
    except OSError:
        return 0.0
