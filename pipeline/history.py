"""Earlier years' consolidated detail: year-over-year comparison and plausibility checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import findings as fd
from .extract import Parsed
from .form import Form
from .paths import detail_csv_path


@dataclass
class History:
    """Long detail (CSV export) of every earlier year found, keyed by year."""

    years: dict[int, pd.DataFrame] = field(default_factory=dict)

    @property
    def previous(self) -> pd.DataFrame | None:
        if not self.years:
            return None
        return self.years.get(max(self.years))

    @property
    def previous_year(self) -> int | None:
        return max(self.years) if self.years else None


def load_history(form: Form, archive: Path) -> History:
    """Read `<archive>/<y>/chi-tiet-…-<y>.csv` for every year from the programme's first."""
    hist = History()
    for year in range(form.first_year, form.year):
        path = detail_csv_path(archive, year)
        if not path.is_file():
            continue
        try:
            frame = pd.read_csv(
                path,
                dtype={"unit_code": str, "region": str, "category": str, "source": str},
                keep_default_na=False,
                encoding="utf-8-sig",
            )
            frame["value"] = frame["value"].astype("int64")
        except (ValueError, KeyError, pd.errors.ParserError):
            continue  # an unreadable archive is skipped, never fatal
        hist.years[year] = frame
    return hist


def plausibility_findings(form: Form, parsed: list[Parsed], history: History) -> None:
    """Warn where a unit's figure is far from its own figure for last year (DHIS2-style)."""
    last = history.previous
    if last is None or last.empty:
        return
    factor = form.plausibility.get("factor", 5)
    floor = form.plausibility.get("floor", 20)
    block = form.blocks["results"]
    prev = (
        last[last["block"] == "results"]
        .groupby(["unit_code", "category", "measure"])["value"]
        .sum()
        .to_dict()
    )
    cats = {c.code: c.name for c in form.categories}
    for p in parsed:
        if p.has_errors or not p.rows.get("results"):
            continue
        sums: dict[tuple[str, str], tuple[int, int]] = {}
        for rec in p.rows["results"]:
            for m in block.measures:
                v = rec.get(m.key)
                if v is None:
                    continue
                key = (rec["category"], m.key)
                total, row = sums.get(key, (0, rec["row"]))
                sums[key] = (total + v, row)
        for (cat, measure), (now, row) in sums.items():
            before = prev.get((p.unit_code, cat, measure))
            if not before or max(now, before) < floor:
                continue
            if now > factor * before or now * factor < before:
                m = block.measure(measure)
                ratio = now / before
                p.findings.append(
                    fd.make(
                        "OUTLIER_LAST_YEAR",
                        f"{m.name.capitalize()} ({cats.get(cat, cat)}) năm {form.year} là "
                        f"{fd.show(now)}, năm {history.previous_year} là {fd.show(before)} "
                        f"(gấp {f'{ratio:.1f}'.replace('.', ',')} lần); hãy kiểm tra lại số liệu",
                        file=p.name,
                        unit=p.unit_code or "",
                        sheet=block.sheet,
                        cell=f"{block.measure_column(measure)}{row}",
                        value=now,
                    )
                )
