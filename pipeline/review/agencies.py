"""The agencies the officer corrected on the latest yearly report, which the final review's
header starts from (issue #23).

An officer who corrects the parent or the issuing agency's name in the header of the
yearly draft (`render.carried_header`: a name changed by a merger, a spelling) means it for
every document the office signs, the final review too. The review's header prints, for each
agency, the text the officer gave it on the draft of the latest year the review reads,
else the configuration's; what they typed in the review's own draft still wins, as any
field of that draft (`render.carried`).

A text is the officer's when the yearly run carried it from their version of the draft
(bao-cao.json, outputs.kept, "carried_fields"; its text the one the biểu print,
outputs.bieu_fields), or when they changed it in the draft since that run (the draft no
longer as the run wrote it, its text there not the one printed, neither empty nor dots).
What a run printed from its configuration is not: the review's configuration may have been
corrected since. A set written before its run recorded the biểu's header fields gives
nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document

from ..outbox.kept import changed_since_written
from ..outbox.paths import REPORT
from ..render.carried import FIELDS, is_dotted, officer_fields
from .years import Years

AGENCIES = ("province", "department")
"""The keys of `carried.FIELDS` the review takes from the yearly draft: the agencies, not
the number, the place and date or the signer, which are the yearly report's own."""


@dataclass(frozen=True)
class YearlyAgencies:
    """What the officer gave the agencies on the latest yearly draft (`yearly_agencies`)."""

    fields: dict[str, str] = field(default_factory=dict)
    """Key of `AGENCIES` -> the officer's text ("\n" between lines); only those they gave."""
    year: int | None = None
    """The year of the draft they were read from (None: no year read)."""
    draft: Path | None = None
    """The yearly draft they were read from (None: no year read)."""

    def names(self) -> list[str]:
        """The Vietnamese names of the fields given (`carried.FIELDS`), in its order."""
        return [FIELDS[key] for key in AGENCIES if key in self.fields]


def _plain(text: str) -> str:
    return " ".join(text.split())


def yearly_agencies(years: Years) -> YearlyAgencies:
    """The agencies the officer corrected on the draft of the latest year of `years` (see
    the module's docstring); empty when no year was found, the set's bao-cao.json cannot be
    read, or the officer corrected nothing there. Reads the set's bao-cao.json, its record
    and, when the officer changed the draft since the run, the draft; never raises on a
    file it cannot read."""
    if not years.found:
        return YearlyAgencies()
    year = max(years.found)
    folder = years.found[year].folder
    try:
        outputs = json.loads((folder / REPORT).read_text(encoding="utf-8"))["outputs"]
        name = Path(str(outputs["document"])).name
        bieu = outputs["bieu_fields"]
        kept = outputs.get("kept") or []
    except (OSError, ValueError, KeyError, TypeError):
        return YearlyAgencies(year=year)
    draft = folder / name
    if not isinstance(bieu, dict) or not isinstance(kept, list):
        return YearlyAgencies(year=year, draft=draft)
    carried = {n for entry in kept if isinstance(entry, dict) for n in entry.get("carried_fields") or ()}
    found = {
        key: str(bieu[key]).strip()
        for key in AGENCIES
        if FIELDS[key] in carried and isinstance(bieu.get(key), str) and not is_dotted(bieu[key])
    }
    if changed_since_written(folder, name):  # typed after the run: the draft says so
        try:
            shown = officer_fields(Document(str(draft)))
        except Exception:  # noqa: BLE001 - a draft Word cannot open: the run's record stands
            shown = {}
        for key in AGENCIES:
            text = shown.get(key, "").strip()
            if key in bieu and text and not is_dotted(text) and _plain(text) != _plain(str(bieu[key])):
                found[key] = text
    return YearlyAgencies(found, year, draft)
