"""Fill a blank template from data, using only the form JSON (`python -m pipeline form --json`).

This is what another program would do: it does not import the form definition, only reads
the layout JSON, so it proves the JSON is enough to fill a template without guessing.
Used by the tests, the sample inbox and the benchmark.

`data` looks like:
    {"info": {"preparer": "…", "report_date": date, …},
     "results": [{"region": code, "category": code, "children": 10, …}, …],
     "resources": {source_code: {"cash": 1, "in_kind": 2}},
     "needs": {category_code: {"children": 1, "cost": 2}},
     "nothing_to_report": ["needs", …],  # blocks declared empty (layout JSON: checks.declarations)
     "raw": [(sheet, cell, value), …]}   # anything, written as is (for bad files)
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl

KEYS = ("region", "category", "source")  # what a row is about, in a record


class FillError(Exception):
    """The data does not fit the template layout."""


def _index(layout: dict[str, Any], fixed: bool) -> dict[tuple[str, str, str], tuple[str, str]]:
    """(block, row key, measure) -> (sheet, cell) for the fixed input cells."""
    lay = layout["layouts"]["fixed_region" if fixed else "free_rows"]
    out = {}
    for c in lay["cells"]:
        key = c.get("source") or c.get("category")
        out[(c["block"], key, c["measure"])] = (c["sheet"], c["cell"])
    return out


def fill(template: Path, out: Path, layout: dict[str, Any], unit_code: str, data: dict[str, Any]) -> Path:
    """Write a filled copy of `template` to `out`."""
    unit = next((u for u in layout["units"] if u["code"] == unit_code), None)
    fixed = bool(unit and unit.get("region"))
    cells = _index(layout, fixed)
    names = {
        "region": {r["code"]: r["name"] for r in layout["lists"]["regions"]},
        "category": {c["code"]: c["name"] for c in layout["lists"]["categories"]},
    }
    wb = openpyxl.load_workbook(template)

    def put(sheet: str, cell: str, value: Any) -> None:
        wb[sheet][cell] = value

    for f in layout["info"]:
        if f["field"] in data.get("info", {}):
            put(f["sheet"], f["cell"], data["info"][f["field"]])
    repeating = {b["block"]: b for b in layout["layouts"]["free_rows"]["repeating_blocks"]}
    for block_key in (d["block"] for d in layout["checks"]["declarations"]):
        content = data.get(block_key)
        if not content:
            continue
        if not fixed and block_key in repeating:
            _fill_rows(repeating[block_key], content, names, put)
            continue
        if isinstance(content, list):  # records: each names its row by its category or source
            content = {(r.get("source") or r.get("category")): r for r in content}
        for row_key, measures in content.items():
            for measure, value in measures.items():
                if measure in KEYS:
                    continue
                key = (block_key, row_key, measure)
                if key not in cells:
                    raise FillError(f"no cell for {key}")
                put(*cells[key], value)
    declarations = {d["block"]: d for d in layout["checks"]["declarations"]}
    for block_key in data.get("nothing_to_report", ()):
        d = declarations[block_key]
        put(d["sheet"], d["cell"], d["mark"])
    for sheet, cell, value in data.get("raw", []):
        put(sheet, cell, value)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def _fill_rows(block: dict[str, Any], records: list[dict[str, Any]], names: dict, put: Any) -> None:
    """Records written one a row into a block whose rows the unit chooses."""
    capacity = block["last_row"] - block["first_row"] + 1
    if len(records) > capacity:
        raise FillError(f"{len(records)} rows do not fit in {capacity}")
    for i, rec in enumerate(records):
        row = block["first_row"] + i
        for key, value in rec.items():
            col = block["columns"][key]
            if key in names and value in names[key]:
                value = names[key][value]
            put(block["sheet"], f"{col}{row}", value)


def date_value(d: dt.date) -> dt.datetime:
    """openpyxl writes datetimes as Excel dates."""
    return dt.datetime(d.year, d.month, d.day)
