"""Earlier years' consolidated detail: year-over-year comparison and plausibility checks."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..form import Form
from ..form.crosswalk import Crosswalk, load_crosswalk
from ..outbox.paths import detail_csv_path, report_path
from ..read.parsed import Parsed
from ..rules.catalogue import Bound, bind
from ..rules.schema import Stack, check


@dataclass
class History:
    """Long detail (CSV export) of every earlier year found, keyed by year.

    `years` holds the years on this configuration's map (their codes in its schemes: units
    and regions are matched code for code); `other_maps` the years consolidated in other
    code schemes (another map: Kiên Giang's districts before 01/7/2025), each figure with its
    `unit_scheme` and `region_scheme`, compared only through `crosswalk` and never matched by
    the number. `schemes` names each year's schemes (both kinds)."""

    years: dict[int, pd.DataFrame] = field(default_factory=dict)
    other_maps: dict[int, pd.DataFrame] = field(default_factory=dict)
    schemes: dict[int, tuple[str, ...]] = field(default_factory=dict)
    crosswalk: Crosswalk | None = None
    # year -> {(unit scheme, unit code): (accepted, name)} of every unit its run listed
    # (bao-cao.json), for saying which land a year covers; a year without it is absent
    units: dict[int, dict[tuple[str, str], tuple[bool, str]]] = field(default_factory=dict)

    @property
    def previous(self) -> pd.DataFrame | None:
        if not self.years:
            return None
        return self.years.get(max(self.years))

    @property
    def previous_year(self) -> int | None:
        return max(self.years) if self.years else None

    @property
    def found(self) -> bool:
        """Any earlier year at all, on this map or another."""
        return bool(self.years or self.other_maps)

    def signature(self) -> dict[str, list[int]]:
        """Each earlier year found ("2024") -> [rows, sum of values] of its detail: what a
        run read of the years before (bao-cao.json "history"), so that the next run can say
        a year appeared, went or was consolidated again (`changes.changes_since`)."""
        return {
            str(y): [len(frame), int(frame["value"].sum()) if "value" in frame else 0]
            for y, frame in self.all_years().items()
        }

    def all_years(self) -> dict[int, pd.DataFrame]:
        """Every earlier year found, on any map, oldest first (for programme-to-date sums:
        each year's own figures on its own map)."""
        return dict(sorted({**self.other_maps, **self.years}.items()))


def load_history(form: Form, archive: Path | Sequence[Path]) -> History:
    """Read `<archive>/<y>/chi-tiet-…-<y>.csv` for every year from the programme's first
    (`archive` may be several outboxes, searched in order for each year: this
    configuration's, then the one it replaced, whose years are on the old map),
    keeping only the figures of units whose code scheme is one of this configuration's
    (`with_schemes`): a unit code is never matched to another scheme's code by the number.
    A year written wholly in other schemes goes to `other_maps` (`on_other_map`), to be
    compared only through the configuration's crosswalk (`crosswalk.load_crosswalk`)."""
    hist = History(crosswalk=load_crosswalk(form))
    archives = [archive] if isinstance(archive, Path) else list(archive)
    for year in range(form.first_year, form.year):
        held = ((a, detail_csv_path(a, year, form.programme_info.prefix)) for a in archives)
        folder, path = next(((a, p) for a, p in held if p.is_file()), (None, None))
        if folder is None or path is None:
            continue
        try:
            frame = read_detail(path)
        except (ValueError, KeyError, pd.errors.ParserError):
            continue  # an unreadable archive is skipped, never fatal
        archived, listed = archived_result(report_path(folder, year))
        if listed is not None:
            hist.units[year] = listed
        ours = with_schemes(form, frame, archived)
        if not ours.empty:
            hist.years[year] = ours
            hist.schemes[year] = archived or tuple(dict.fromkeys(ours["unit_scheme"]))
        elif not frame.empty and (other := on_other_map(form, frame, archived)) is not None:
            hist.other_maps[year] = other
            hist.schemes[year] = archived or tuple(dict.fromkeys(other["unit_scheme"]))
    return hist


def read_detail(path: Path) -> pd.DataFrame:
    """A year's long detail CSV (`aggregate.Detail.long`, as the run wrote it): codes as text,
    values as int64. Raises ValueError, KeyError or ParserError when it is not one."""
    frame = pd.read_csv(
        path,
        dtype={
            "unit_code": str,
            "unit_scheme": str,
            "region": str,
            "region_scheme": str,
            "category": str,
            "source": str,
        },
        keep_default_na=False,
        encoding="utf-8-sig",
    )
    frame["value"] = frame["value"].astype("int64")
    return frame


def on_other_map(form: Form, frame: pd.DataFrame, archived: tuple[str, ...] | None) -> pd.DataFrame | None:
    """An earlier year written in other code schemes than this configuration's, each figure
    with its `unit_scheme` and `region_scheme` as the CSV recorded them; None when its
    schemes are unknown (neither the CSV nor its bao-cao.json names them: nothing to say on
    which map its codes are)."""
    if "unit_scheme" not in frame.columns or "region_scheme" not in frame.columns:
        return None
    if set(frame["unit_scheme"]) & set(form.schemes) or (archived and set(archived) & set(form.schemes)):
        return None
    return frame.reset_index(drop=True)


def with_schemes(form: Form, frame: pd.DataFrame, archived: tuple[str, ...] | None) -> pd.DataFrame:
    """An earlier year's detail with a `unit_scheme` for each figure; empty when the year was
    consolidated in other code schemes (another map: never matched by the number alone).

    The schemes come from the CSV's `unit_scheme` column, else from the schemes its run
    recorded (`archived`, the `form.schemes` of its bao-cao.json), else from `[schemes]
    unmarked_history` (archives written before schemes were recorded). A figure whose unit
    code this configuration does not place in those schemes gets "?": kept in the year's
    totals, never matched to a unit."""
    frame = frame.copy()
    if "unit_scheme" in frame.columns:
        frame["unit_scheme"] = frame["unit_scheme"].astype(str)
        return frame[frame["unit_scheme"].isin(form.schemes)].reset_index(drop=True)
    schemes = set(form.unmarked_history if archived is None else archived)
    if not schemes & set(form.schemes):
        return frame.iloc[0:0]
    frame["unit_scheme"] = [
        scheme if (scheme := form.unit_scheme(str(code))) in schemes else "?" for code in frame["unit_code"]
    ]
    return frame


def archived_result(
    report: Path,
) -> tuple[tuple[str, ...] | None, dict[tuple[str, str], tuple[bool, str]] | None]:
    """What a consolidated year's bao-cao.json says, read once: the code schemes its figures
    were written in, and every unit its run listed, (scheme, code) -> (whether a file of it
    was accepted, its name); each None when unknown (no file, or an archive written before
    runs recorded it)."""
    try:
        result = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, None
    try:
        schemes = result["form"]["schemes"]
        archived = tuple(str(x) for x in schemes) if isinstance(schemes, list) else None
    except (KeyError, TypeError):
        archived = None
    try:
        listed = {
            # "accepted": `result.UnitStatus.ACCEPTED` as bao-cao.json writes it (result imports
            # this module: not imported back)
            (str(u["scheme"]), str(u["code"])): (u["status"] == "accepted", str(u.get("name", "")))
            for u in result["units"]
        }
    except (KeyError, TypeError, AttributeError):
        listed = None
    return archived, listed


def outlier_rules(form: Form, previous_year: int | None) -> list[Bound]:
    """A unit's figure against its own figure of `previous_year` (DHIS2-style): more than
    `factor` times it either way, unless both are below `floor` (`[plausibility]`)."""
    block = form.history_block
    return [
        bind(
            "OUTLIER_LAST_YEAR",
            "now",
            ("before",),
            factor=form.plausibility.get("factor", 5),
            floor=form.plausibility.get("floor", 20),
            year=form.year,
            previous_year=previous_year,
            measure_names={m.key: m.name for m in block.measures},
            category_names={c.code: c.name for c in form.categories},
        )
    ]


def plausibility_findings(form: Form, parsed: list[Parsed], history: History) -> None:
    """Warn where a unit's figure is far from its own figure for last year (`outlier_rules`)."""
    last = history.previous
    if last is None or last.empty:
        return
    files = {p.file_id: p for p in parsed}
    rules = outlier_rules(form, history.previous_year)
    for file_id, finding in check("history", _stack_sums(form, parsed, last), rules, files):
        files[file_id].findings.append(finding)


def _stack_sums(form: Form, parsed: list[Parsed], last: pd.DataFrame) -> Stack:
    """A record per file without errors, category and measure: this year's sum (from the row
    where the category first has the measure) and last year's."""
    block = form.history_block
    prev = (
        last[last["block"] == block.key]
        .groupby(["unit_scheme", "unit_code", "category", "measure"])["value"]
        .sum()
        .to_dict()
    )
    rows = []
    for p in parsed:
        if p.has_errors or not p.rows.get(block.key):
            continue
        sums: dict[tuple[str, str], tuple[int, int]] = {}
        for rec in p.rows[block.key]:
            category = rec.key["category"]
            for m in block.measures:
                v = rec.measures.get(m.key)
                if v is not None:
                    total, row = sums.get((category, m.key), (0, rec.row))
                    sums[(category, m.key)] = (total + v, row)
        for (cat, measure), (now, row) in sums.items():
            before = prev.get((form.unit_scheme(p.unit_code), p.unit_code, cat, measure))
            rows.append((p.file_id, row, cat, measure, now, before))
    frame = pd.DataFrame(rows, columns=["file_id", "row", "category", "measure", "now", "before"])
    frame["before"] = frame["before"].astype("Int64")
    columns = {m.key: block.measure_column(m.key) for m in block.measures}
    return Stack(frame, lambda _col, rec: (block.sheet, f"{columns[rec['measure']]}{rec['row']}"))
