"""The yearly results the final review is built from: each year's machine-readable outputs
in its outbox (bao-cao.json and the detail CSV the run wrote), never the inboxes."""

from __future__ import annotations

import json
from collections.abc import Callable
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
    chosen: dict[int, str] = field(default_factory=dict)  # year -> which of several sets, and why


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


def find_years(
    outboxes: list[Path], first: int, last: int, fits: Callable[[int, str], bool] | None = None
) -> Years:
    """Every year of `first`..`last` from the outboxes (searched in order); a year none holds
    is missing, a set that cannot be read is named with the reason. A year several outboxes
    hold is taken from the first whose configuration `fits` the year's structure (`fits(year,
    form id)`), else from the first given; `chosen` says which and why."""
    found: dict[int, YearResult] = {}
    missing: list[int] = []
    unreadable: dict[int, str] = {}
    chosen: dict[int, str] = {}
    for year in range(first, last + 1):
        folders = [year_dir(o, year) for o in outboxes if (year_dir(o, year) / REPORT).is_file()]
        sets: list[YearResult] = []
        for folder in folders:
            try:
                sets.append(read_year(folder, year))
            except (OSError, ValueError, KeyError, TypeError, pd.errors.ParserError) as exc:
                unreadable[year] = f"không đọc được kết quả năm {year} trong {folder}: {exc}"
        if not sets:
            missing.append(year)
            continue
        unreadable.pop(year, None)
        fitting = [r for r in sets if fits is not None and fits(year, r.form_id)]
        found[year] = (fitting or sets)[0]
        if len(sets) > 1:
            # by the configuration when some sets fit the year's structure and others do not:
            # the order of the folders then decides nothing, and no hint says it would (brk21)
            by_fit = 0 < len(fitting) < len(sets)
            why = (
                f"cấu hình {found[year].form_id} của bản này đúng cấu trúc năm {year}"
                if by_fit
                else f"thư mục --outbox chỉ trước, cấu hình {found[year].form_id}"
            )
            hint = "" if by_fit else "; muốn dùng bản khác thì đặt thư mục đó trước trong lệnh"
            # what is left out, by configuration and units accepted (brk40 F5: a whole set of
            # the year, the Sở LĐTBXH's, seemed dropped without a word)
            left = "; ".join(
                f"{r.folder} (cấu hình {r.form_id}, {r.summary.get('accepted', 0)}/{r.summary.get('units', 0)} "
                "đơn vị được chấp nhận)"
                for r in sets
                if r is not found[year]
            )
            chosen[year] = (
                f"năm {year} có kết quả ở {len(sets)} thư mục: dùng {found[year].folder} ({why}), không dùng "
                f"{left}{hint}"
            )
    return Years(found, missing, unreadable, chosen)


def no_results_message(outboxes: list[Path], first: int, last: int, command: str) -> str:
    """Why nothing can be reviewed: no outbox holds a readable year of `first`..`last`; says
    the folders searched, what they should hold, and the command that makes a year's set
    (`command`, e.g. "python -m pipeline --config schemas/an-giang.toml")."""
    searched = ", ".join(str(o) for o in outboxes)
    return (
        f"không tìm thấy kết quả tổng hợp năm nào từ {first} đến {last} trong thư mục kết quả đã chỉ "
        f"({searched}). Mỗi năm phải có thư mục <năm>/ chứa {REPORT} và tệp chi tiết CSV do lệnh "
        f"consolidate ghi (ví dụ {year_dir(outboxes[0], last) / REPORT}). Tạo kết quả một năm bằng: "
        f"{command} consolidate --inbox <thư mục tệp nhận được> --outbox {outboxes[0]}; rồi chạy lại "
        "tong-ket với --outbox chỉ các thư mục đó (lặp lại --outbox cho mỗi cấu hình). Chưa ghi tệp nào."
    )
