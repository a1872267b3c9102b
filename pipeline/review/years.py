"""The yearly results the final review is built from: each year's machine-readable outputs
in its outbox (bao-cao.json and the detail CSV the run wrote), never the inboxes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..outbox.paths import REPORT, year_dir
from ..run.history import read_detail


@dataclass
class YearResult:
    """One year as its run recorded it."""

    year: int
    folder: Path  # the year's output set (outbox/<year>)
    form_id: str
    schemes: tuple[str, ...]  # the code schemes of its units and regions
    summary: dict[str, int]  # units, accepted, rejected, missing, files (bao-cao.json)
    units: list[dict[str, Any]]  # code, name, kind, status, scheme of every unit
    detail: pd.DataFrame = field(repr=False)  # the long detail CSV (aggregate.Detail.long)

    def accepted_by_kind(self) -> dict[str, tuple[int, int]]:
        """Kind of unit -> (units that reported, units expected)."""
        out: dict[str, tuple[int, int]] = {}
        for u in self.units:
            done, expected = out.get(u["kind"], (0, 0))
            out[u["kind"]] = (done + (u.get("status") == "accepted"), expected + 1)
        return out


@dataclass
class Years:
    """The years found in the outboxes, and the years of the period no outbox has."""

    found: dict[int, YearResult]
    missing: list[int]
    unreadable: dict[int, str]  # year -> why its set could not be read (Vietnamese)


def read_year(folder: Path, year: int) -> YearResult:
    """The year's set at `folder` (outbox/<year>). Raises OSError, ValueError or KeyError when
    its bao-cao.json or detail CSV is missing or not as a run writes them."""
    report = json.loads((folder / REPORT).read_text(encoding="utf-8"))
    if int(report["year"]) != year:
        raise ValueError(f"bao-cao.json ghi năm {report['year']}")
    csv_name = Path(str(report["outputs"]["csv"])).name  # as the run named it (its prefix)
    return YearResult(
        year=year,
        folder=folder,
        form_id=str(report["form"]["id"]),
        schemes=tuple(str(s) for s in report["form"].get("schemes", [])),
        summary={k: int(v) for k, v in report["summary"].items()},
        units=list(report["units"]),
        detail=read_detail(folder / csv_name),
    )


def find_years(outboxes: list[Path], first: int, last: int) -> Years:
    """Every year of `first`..`last` from the first outbox that holds its set; a year none
    holds is missing, a set that cannot be read is named with the reason."""
    found: dict[int, YearResult] = {}
    missing: list[int] = []
    unreadable: dict[int, str] = {}
    for year in range(first, last + 1):
        folders = [year_dir(o, year) for o in outboxes if (year_dir(o, year) / REPORT).is_file()]
        if not folders:
            missing.append(year)
            continue
        try:
            found[year] = read_year(folders[0], year)
        except (OSError, ValueError, KeyError, TypeError, pd.errors.ParserError) as exc:
            unreadable[year] = f"không đọc được kết quả năm {year} trong {folders[0]}: {exc}"
            missing.append(year)
    return Years(found, missing, unreadable)
