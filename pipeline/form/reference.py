"""The reference lists a configuration names (`schemas/reference/*.csv`: the statistics
office's commune lists, the crosswalk of the 2025 reform, the code schemes' labels): CSV in
UTF-8 (a byte-order mark allowed), whose first lines may be notes starting with "#" (the
source and its date), then a header row."""

from __future__ import annotations

import csv
from pathlib import Path


def noted_csv(path: Path) -> list[dict[str, str]]:
    """The rows of the reference CSV `path`, each a dict by the header's column names, the
    "#" note lines before the header skipped. Raises OSError when the file cannot be read,
    UnicodeDecodeError when it is not UTF-8."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    return list(csv.DictReader(lines))
