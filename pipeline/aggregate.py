"""Merged detail of the files that count, and the totals computed from it.

All sums are over int64 columns (exact for any realistic amount of VND); the totals and
the workbook's formulas are computed over the same detail records.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .extract import Parsed
from .form import Block, Form, Unit


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
        return out.sort_values(["unit_code", "block", "sheet", "cell"], kind="stable")[
            LONG_COLUMNS
        ].reset_index(drop=True)


LONG_COLUMNS = [
    "year",
    "unit_code",
    "unit_name",
    "unit_kind",
    "file",
    "sheet",
    "cell",
    "block",
    "region",
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


def measure_keys(block: Block) -> list[str]:
    return [m.key for m in block.measures] + [t.key for t in block.totals]


def totals_by(form: Form, detail: Detail, block_key: str, by: list[str]) -> pd.DataFrame:
    """Sum every measure of a block by the given columns, over all counted rows (int64)."""
    block = form.blocks[block_key]
    frame = with_row_totals(detail.blocks[block_key], block)
    keys = measure_keys(block)
    if frame.empty:
        return pd.DataFrame(columns=[*by, *keys])
    values = frame[keys].fillna(0).astype("int64")
    return pd.concat([frame[by], values], axis=1).groupby(by, sort=False).sum().reset_index()


def grand_totals(form: Form, detail: Detail) -> dict[str, int]:
    """The headline figures: children, turns, value of support, resources mobilised."""
    out: dict[str, int] = {}
    for key, block in form.blocks.items():
        frame = with_row_totals(detail.blocks[key], block)
        for k in measure_keys(block):
            out[f"{key}.{k}"] = int(frame[k].fillna(0).astype("int64").sum()) if len(frame) else 0
    acts = detail.info["activities"] if "activities" in detail.info else pd.Series([], dtype="Int64")
    out["info.activities"] = int(acts.fillna(0).astype("int64").sum())
    return out
