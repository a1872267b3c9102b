"""Whose a submission is when its content cannot say (`sent_by`): a file refused before
its template was read (a format no reader reads, a damaged file) still comes from someone.

The one owner of "the unit from how the file came": `consolidate` (`run/submissions.py`)
and `check` (`run/consolidate.check_by_file`) both ask it, so both name the same unit.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from ..form import Form

# what separates the words of a file's name ("Mau-588-2025-911-UBND-….xlsx", "911 (1).xlsx")
_WORDS = re.compile(r"[\s._\-()]+")


def sent_by(form: Form, name: str, sender: str = "") -> tuple[str, str] | None:
    """(unit code, how it is known, Vietnamese) of the unit a file most likely came from:
    the `sender`'s address when exactly one unit lists it (`[[units]] emails`, compared
    without regard to case), else a unit code standing alone in the file's `name` (its stem,
    as shown: "911-Phu-Quoc.xlsx", the template's "Mau-588-2025-911-….xlsx"; a code inside
    a longer number is not that code) when exactly one unit's does; None otherwise."""
    address = sender.strip().lower()
    if address:
        by_mail = [u.code for u in form.units if address in {e.strip().lower() for e in u.emails}]
        if len(by_mail) == 1:
            return by_mail[0], f"địa chỉ gửi {address}"
    words = set(_WORDS.split(PurePath(name).stem))
    by_name = [u.code for u in form.units if u.code in words]
    if len(by_name) == 1:
        return by_name[0], "tên tệp"
    return None
