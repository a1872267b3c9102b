"""Cell references shared by the writers: quoted sheet names and detail-sheet ranges."""

from __future__ import annotations

from dataclasses import dataclass


def q(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


@dataclass
class DetailRef:
    """Where a detail sheet keeps each column, for SUMIFS formulas."""

    sheet: str
    columns: dict[str, str]  # field -> column letter
    first: int  # 1-based first data row
    last: int  # 1-based last data row (>= first)

    def rng(self, key: str) -> str:
        c = self.columns[key]
        return f"{q(self.sheet)}!${c}${self.first}:${c}${self.last}"

    def sumifs(self, measure: str, criteria: dict[str, str]) -> str:
        parts = [self.rng(measure)]
        for key, value in criteria.items():
            parts += [self.rng(key), '"' + value.replace('"', '""') + '"']
        return f"=SUMIFS({','.join(parts)})"
