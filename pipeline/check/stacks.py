"""The records of every file stacked once per kind, for the rules (`ruleschema.Stack`).

Each stack is one frame over all files (a record per file, per row or per block), with the
file it came from (`file_id`), the sheet row (`row`) and where each field is in the file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import pandas as pd

from ..form import Block, Form
from ..intake.whose import sent_by
from ..read.parsed import Parsed
from ..rules.catalogue import SENDER_ADVICE, SENDER_OWNER
from ..rules.kinds import Record
from ..rules.schema import Stack
from .arrival import SENDER_FIELD


def stack_info(form: Form, files: Iterable[Parsed]) -> Stack:
    """The information sheet: a record per file."""
    rows = [{"file_id": p.file_id, **p.info_row} for p in files if p.info_row is not None]
    frame = pd.DataFrame(rows, columns=["file_id", *(f.key for f in form.info_fields)])
    for f in form.info_fields:
        frame[f.key] = frame[f.key].astype("Int64" if f.type in ("count", "year") else object)
    frame["row"] = 0
    sheet, cells = form.sheets["info"], {f.key: f.cell for f in form.info_fields}
    years = frozenset(f.key for f in form.info_fields if f.type == "year")
    return Stack(frame, lambda col, _rec: (sheet, cells.get(col, "")), years)


def stack_block(form: Form, block: Block, files: Iterable[Parsed]) -> Stack:
    """A block: a record per row a file reported (`records.Record`), with the unit's region."""
    recs = [(p.file_id, rec) for p in files for rec in p.rows.get(block.key, ())]
    columns: dict[str, Any] = {
        "file_id": pd.array([i for i, _ in recs], dtype="int64"),
        "row": [rec.row for _, rec in recs],
    }
    for kf in block.key_fields:  # object, not the string dtype pandas 3 would infer
        columns[kf.key] = pd.array([rec.key.get(kf.key) for _, rec in recs], dtype=object)
    for m in block.measures:
        columns[m.key] = pd.array([rec.measures.get(m.key) for _, rec in recs], dtype="Int64")
    columns["own_region"] = pd.array([rec.own_region for _, rec in recs], dtype=object)
    frame = pd.DataFrame(columns)
    letters = {kf.key: kf.column for kf in block.key_fields}
    letters.update({m.key: block.measure_column(m.key) for m in block.measures})

    def locate(col: str, rec: Record) -> tuple[str, str]:
        return block.sheet, f"{letters[col]}{rec['row']}" if col in letters else ""

    return Stack(frame, locate)


def stack_support(form: Form, files: Iterable[Parsed]) -> Stack:
    """A file's value of support (`balance = "support"`: its value measures) and of resources
    mobilised (`balance = "resources"`: all its measures), pointing at the resources' total."""
    res_block, src_block = form.support_block, form.resources_block
    rows = []
    for p in files:
        if res_block.key not in p.rows:
            continue
        support = sum(r.measures.get(k) or 0 for r in p.rows[res_block.key] for k in res_block.value_measures)
        resources = sum(sum(v or 0 for v in r.measures.values()) for r in p.rows.get(src_block.key, ()))
        total_row = form.total_row(src_block, form.units_by_code.get(p.unit_code or ""))
        rows.append({"file_id": p.file_id, "row": total_row, "support": support, "resources": resources})
    frame = pd.DataFrame(rows, columns=["file_id", "row", "support", "resources"]).astype("int64")
    column = src_block.grid.columns[src_block.main_total]  # its headline amount, on its total row
    return Stack(
        frame, lambda col, rec: (src_block.sheet, f"{column}{rec['row']}" if col == "support" else "")
    )


def stack_block_totals(form: Form, block: Block, stacked: Stack, files: dict[int, Parsed]) -> Stack:
    """A file's totals of a block's measures (from its stacked rows), pointing at the total row
    of the file's template."""
    measures = [m.key for m in block.measures]
    totals = stacked.frame.groupby("file_id", sort=False)[measures].sum().astype("int64").reset_index()
    units = form.units_by_code
    rows = {i: form.total_row(block, units.get(files[i].unit_code or "")) for i in totals["file_id"]}
    totals["row"] = totals["file_id"].map(rows).astype("int64")
    columns = {m.key: block.measure_column(m.key) for m in block.measures}
    return Stack(totals, lambda col, rec: (block.sheet, f"{columns[col]}{rec['row']}"))


def stack_arrival(form: Form, parsed: list[Parsed], today: dt.date) -> Stack:
    """A record per report: its typed date, when it arrived (by mail: the message's arrival;
    a plain file's modification time says when it was copied, not when it came), today, and
    the sender with the unit's addresses."""
    rows = []
    for p in parsed:
        if not p.is_report:
            continue
        unit = form.units_by_code.get(p.unit_code or "")
        received = p.origin.received.date() if p.origin.received is not None else None
        rows.append(
            {
                "file_id": p.file_id,
                "row": 0,
                "report_date": p.report_date,
                "arrival": received,
                "today": today,
                SENDER_FIELD: p.origin.sender or None,
                "unit_name": unit.name if unit else None,
                "emails": tuple(unit.emails) if unit else (),
                **_sender_owner(form, p.origin.sender, unit.name if unit else ""),
            }
        )
    columns = [
        "file_id",
        "row",
        "report_date",
        "arrival",
        "today",
        SENDER_FIELD,
        "unit_name",
        "emails",
        "sender_owner",
        "sender_advice",
    ]
    frame = pd.DataFrame(rows, columns=columns).astype({c: object for c in columns[2:]})
    field = next((f for f in form.info_fields if f.key == "report_date"), None)
    date_cell = (form.sheets["info"], field.cell) if field else ("", "")
    return Stack(frame, lambda col, _rec: ("", "") if col == SENDER_FIELD else date_cell)


def _sender_owner(form: Form, sender: str, unit_name: str) -> dict[str, str]:
    """SENDER_UNLISTED's "sender_owner" and "sender_advice" (`catalogue.SENDER_ADVICE`): the
    unit whose address `sender` is (`intake.whose.sent_by`, by address only), if another
    than the one whose template (`unit_name`) was filled."""
    found = sent_by(form, "", sender or "")
    owner = form.units_by_code[found[0]].name if found else ""
    if not owner or owner == unit_name:
        return {"sender_owner": "", "sender_advice": SENDER_ADVICE["unknown"]}
    return {
        "sender_owner": SENDER_OWNER.format(owner=owner),
        "sender_advice": SENDER_ADVICE["other_unit"].format(owner=owner, unit_name=unit_name),
    }
