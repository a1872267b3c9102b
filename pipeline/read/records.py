"""A row a file reported in a block, typed once, as the reader made it.

`extract.py` turns each data row with figures into one `Record`; the rules (`stacks.py`),
the totals (`aggregate.py`) and last year's comparison (`history.py`) read these records,
never the sheet again. A record also reads as a flat mapping (row, key fields, measures,
own region) for the code that builds a frame from it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Record(Mapping[str, Any]):
    """One row of a block in one file.

    `key`: key field -> code (region, category, source; preset or chosen); `measures`:
    measure -> whole number, or None for a blank cell; `own_region`: the region of the unit
    that reported it, for the rows of a block a unit reports for its own region;
    `columns`: field -> the column letter it was read from (shared by the block's records)."""

    block: str
    row: int
    key: Mapping[str, str]
    measures: Mapping[str, int | None]
    own_region: str | None
    columns: Mapping[str, str]

    def cell(self, field: str) -> str:
        """The address of the cell `field` was read from ("H12")."""
        return f"{self.columns[field]}{self.row}"

    # the flat mapping view: row, key fields, measures, own_region
    def __getitem__(self, name: str) -> Any:
        if name == "row":
            return self.row
        if name == "own_region":
            return self.own_region
        if name in self.key:
            return self.key[name]
        return self.measures[name]

    def __iter__(self) -> Iterator[str]:
        yield "row"
        yield from self.key
        yield from self.measures
        yield "own_region"

    def __len__(self) -> int:
        return 2 + len(self.key) + len(self.measures)
