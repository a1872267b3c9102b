"""Merged detail of the files that count, and the totals computed from it once (`Totals`).

All sums are over int64 columns (exact for any realistic amount of VND); the totals and
the workbook's formulas are computed over the same detail records.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..form import Block, Form, Unit
from ..read.parsed import Parsed


@dataclass
class Detail:
    """One wide frame per block: a row per reported row, with where it came from."""

    blocks: dict[str, pd.DataFrame]
    info: pd.DataFrame  # one row per counted unit: info fields

    def long(self, form: Form) -> pd.DataFrame:
        """Tidy form, one row per figure with its cell: the CSV export for analysts."""
        parts = []
        for key, frame in self.blocks.items():
            block = form.blocks[key]
            if frame.empty:
                continue
            for m in block.measures:
                sub = frame[frame[m.key].notna()]
                if sub.empty:
                    continue
                part = pd.DataFrame(
                    {
                        "year": form.year,
                        "unit_code": sub["unit_code"],
                        "unit_name": sub["unit_name"],
                        "unit_kind": sub["unit_kind"],
                        "file": sub["file"],
                        "sheet": block.sheet,
                        "cell": block.measure_column(m.key) + sub["row"].astype(str),
                        "block": key,
                        "region": sub["region"] if "region" in sub else "",
                        "category": sub["category"] if "category" in sub else "",
                        "source": sub["source"] if "source" in sub else "",
                        "measure": m.key,
                        "value": sub[m.key].astype("int64"),
                    }
                )
                parts.append(part)
        act = self.info[self.info["activities"].notna()] if not self.info.empty else self.info
        if not act.empty:
            field = form.info_field("activities")
            parts.append(
                pd.DataFrame(
                    {
                        "year": form.year,
                        "unit_code": act["unit_code"],
                        "unit_name": act["unit_name"],
                        "unit_kind": act["unit_kind"],
                        "file": act["file"],
                        "sheet": form.sheets["info"],
                        "cell": field.cell,
                        "block": "info",
                        "region": "",
                        "category": "",
                        "source": "",
                        "measure": "activities",
                        "value": act["activities"].astype("int64"),
                    }
                )
            )
        if not parts:
            return pd.DataFrame(columns=LONG_COLUMNS)
        out = pd.concat(parts, ignore_index=True)
        for col in ("region", "category", "source"):
            out[col] = out[col].fillna("")
        # the code's scheme beside each code: a number alone no longer names one place
        out["unit_scheme"] = out["unit_code"].map(form.unit_scheme)
        out["region_scheme"] = out["region"].map(lambda code: form.region_scheme(code) if code else "")
        return out.sort_values(["unit_code", "block", "sheet", "cell"], kind="stable")[
            LONG_COLUMNS
        ].reset_index(drop=True)


LONG_COLUMNS = [
    "year",
    "unit_code",
    "unit_scheme",
    "unit_name",
    "unit_kind",
    "file",
    "sheet",
    "cell",
    "block",
    "region",
    "region_scheme",
    "category",
    "source",
    "measure",
    "value",
]


def build_detail(form: Form, counted: list[tuple[Unit, Parsed]]) -> Detail:
    """The detail of the files that count: each unit with the file that counts for it."""
    blocks: dict[str, pd.DataFrame] = {}
    for key, block in form.blocks.items():
        rows = []
        for u, p in counted:
            for rec in p.rows.get(key, ()):
                rows.append(
                    {
                        "unit_code": u.code,
                        "unit_name": u.name,
                        "unit_kind": u.kind,
                        "file": p.name,
                        "sheet": block.sheet,
                        **{k: v for k, v in rec.items() if k != "own_region"},
                    }
                )
        blocks[key] = _typed(pd.DataFrame(rows, columns=_columns(block)), block)
    info_rows = []
    for u, p in counted:
        info_rows.append(
            {"unit_code": u.code, "unit_name": u.name, "unit_kind": u.kind, "file": p.name}
            | {k: v for k, v in (p.info_row or {}).items() if k not in ("unit_code", "unit_name")}
        )
    info = pd.DataFrame(info_rows)
    if not info.empty:
        info["activities"] = info["activities"].astype("Int64")
    else:
        info = pd.DataFrame(columns=["unit_code", "unit_name", "unit_kind", "file", "activities"])
    return Detail(blocks, info)


def _columns(block: Block) -> list[str]:
    return [
        "unit_code",
        "unit_name",
        "unit_kind",
        "file",
        "sheet",
        "row",
        *(kf.key for kf in block.key_fields),
        *(m.key for m in block.measures),
    ]


def _typed(frame: pd.DataFrame, block: Block) -> pd.DataFrame:
    for m in block.measures:
        frame[m.key] = frame[m.key].astype("Int64")
    frame["row"] = frame["row"].astype("int64")
    sort = ["unit_code", "row"]
    return frame.sort_values(sort, kind="stable").reset_index(drop=True)


def with_row_totals(frame: pd.DataFrame, block: Block) -> pd.DataFrame:
    """Add the block's computed columns (e.g. total value = cash + in kind)."""
    out = frame.copy()
    for t in block.totals:
        out[t.key] = sum(out[k].fillna(0).astype("int64") for k in t.sum_of) if len(out) else 0
    return out


Group = tuple[str, ...]  # the columns a total is grouped by, e.g. ("region", "category"); () = all
GroupKey = tuple[str, ...]  # one group's values of those columns, e.g. ("899", "c01")


@dataclass(frozen=True)
class Totals:
    """Every total of a run, built once from the detail (`build_totals`): for each block
    (and "info"), each grouping the views show, each group, every measure and row total.
    Integers (persons, turns, VND); a group without a counted row is absent."""

    measures: dict[str, tuple[str, ...]]  # block -> its measures then row totals, form order
    sums: dict[tuple[str, Group], dict[GroupKey, dict[str, int]]]  # (block, group) -> sums

    def of(self, block: str, measure: str) -> int:
        """The block's grand total of `measure` (0 when nothing counted)."""
        return self.sums[(block, ())].get((), {}).get(measure, 0)

    def by(self, block: str, *columns: str) -> dict[GroupKey, dict[str, int]]:
        """The block's totals grouped by `columns` (detail columns: a key field such as
        "region", or "unit_kind"), in the order groups first appear in the detail.

        Raises KeyError for a grouping `build_totals` does not make."""
        return self.sums[(block, columns)]

    def to_dict(self) -> dict[str, int]:
        """The grand totals as the report JSON carries them: {"results.children": n, …}."""
        return {f"{b}.{m}": self.of(b, m) for b, keys in self.measures.items() for m in keys}


def groupings(block: Block) -> list[Group]:
    """The groupings of a block's totals the views show: the whole block, each key field,
    all key fields together, and the kind of unit."""
    keys = [kf.key for kf in block.key_fields]
    out: list[Group] = [(), *((k,) for k in keys)]
    if len(keys) > 1:
        out.append(tuple(keys))
    return [*out, ("unit_kind",)]


def build_totals(form: Form, detail: Detail) -> Totals:
    """Sum every measure and row total of every block over the counted rows (int64), once
    for each grouping (`groupings`), and the info sheet's activities by kind of unit."""
    measures: dict[str, tuple[str, ...]] = {}
    sums: dict[tuple[str, Group], dict[GroupKey, dict[str, int]]] = {}
    for key, block in form.blocks.items():
        measures[key] = block.columns
        frame = with_row_totals(detail.blocks[key], block)
        for group in groupings(block):
            sums[(key, group)] = _sums(frame, list(group), list(block.columns))
    measures["info"] = ("activities",)  # the info sheet's one figure (build_detail keeps it)
    for group in [(), ("unit_kind",)]:
        sums[("info", group)] = _sums(detail.info, list(group), ["activities"])
    return Totals(measures, sums)


def _sums(frame: pd.DataFrame, by: list[str], keys: list[str]) -> dict[GroupKey, dict[str, int]]:
    """{group values: {measure: sum}}; missing figures count as 0; rows whose group values
    are missing belong to no group (they count in the whole block's totals)."""
    if frame.empty:
        return {(): dict.fromkeys(keys, 0)} if not by else {}
    values = frame[keys].fillna(0).astype("int64")
    if not by:
        return {(): {k: int(values[k].sum()) for k in keys}}
    summed = pd.concat([frame[by], values], axis=1).groupby(by, sort=False).sum()
    return {
        (idx if isinstance(idx, tuple) else (idx,)): {k: int(v) for k, v in row.items()}
        for idx, row in summed.iterrows()
    }
