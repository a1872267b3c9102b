"""The form JSON (`python -m pipeline form --json`): the layout for another program.

Printed from the same cells the template writer writes (`sheets.py`), so a program that
fills a template from it never guesses a cell.
"""

from __future__ import annotations

from typing import Any

from .grid import META_KEYS, meta_cell
from .model import Form, Unit
from .sheets import block_sheet, info_sheet, row_marks


def layout_json(form: Form) -> dict[str, Any]:
    """Everything another program needs to fill a template without guessing."""
    meta = form.sheets["meta"]
    info = form.sheets["info"]
    return {
        "form_id": form.id,
        "version": form.version,
        "year": form.year,
        "period": {
            "start": form.period.start.isoformat(),
            "end": form.period.end.isoformat(),
            "due_before": form.period.due_before.isoformat(),
        },
        "sheets": dict(form.sheets),
        "identity": {
            "unit_code": {"sheet": info, "cell": form.info_field("unit_code").cell},
            "year": {"sheet": info, "cell": form.info_field("year").cell},
            "marker": {"sheet": meta, **{f"{k}_cell": meta_cell(k) for k in META_KEYS}},
        },
        "lists": {
            "regions": [{"code": r.code, "name": r.name, "scheme": r.scheme} for r in form.regions],
            "categories": [{"code": c.code, "name": c.name} for c in form.categories],
            "sources": [{"code": s.code, "name": s.name} for s in form.sources],
        },
        "schemes": list(form.schemes),
        "units": [
            {"code": u.code, "name": u.name, "kind": u.kind, "region": u.region, "scheme": u.scheme}
            for u in form.units
        ],
        "info_end": dict(zip(("cell", "text"), end, strict=True)) if (end := info_sheet(form).end) else None,
        "info_row_marks": [{"cell": c, "text": t} for c, t in row_marks(info_sheet(form))],
        "info": [
            {
                "sheet": info,
                "cell": f.cell,
                "field": f.key,
                "label": f.label,
                "type": f.type,
                "required": f.required,
                "prefilled": f.prefilled,
            }
            for f in form.info_fields
        ],
        "layouts": {
            "fixed_region": _unit_layout(form, fixed=True),
            "free_rows": _unit_layout(form, fixed=False),
        },
        "checks": _checks_json(form),
    }


def _unit_layout(form: Form, *, fixed: bool) -> dict[str, Any]:
    probe = next((u for u in form.units if bool(u.region) == fixed), None)
    if probe is None:
        probe = Unit("?", "?", "?", form.regions[0].code if fixed else None)
    cells: list[dict[str, Any]] = []
    repeating: list[dict[str, Any]] = []
    sheets = [block_sheet(form, block, probe) for block in form.blocks.values()]
    for sheet in sheets:
        block = sheet.block
        if block.rows_by_unit_region and not fixed:
            repeating.append(
                {
                    "block": block.key,
                    "sheet": block.sheet,
                    "first_row": sheet.rows[0].spec.row,
                    "last_row": sheet.rows[-1].spec.row,
                    "total_row": sheet.total_row,
                    "columns": {
                        **{kf.key: kf.column for kf in block.key_fields},
                        **{m.key: block.measure_column(m.key) for m in block.measures},
                    },
                    "key_values": "name or code from lists.regions / lists.categories",
                    "types": {m.key: m.type for m in block.measures},
                }
            )
            continue
        for row in sheet.rows:
            spec = row.spec
            # what the row is about; a fixed-region unit's region is its own
            about = {k: v for k, v in spec.fixed.items() if k != "region"}
            if "region" in spec.fixed:
                about["region"] = "<unit region>"
            row_key = spec.fixed.get("category") or spec.fixed.get("source", "")
            for m, cell in row.measures:
                cells.append(
                    {
                        "sheet": block.sheet,
                        "cell": cell,
                        "field": f"{block.key}.{row_key}.{m.key}",
                        "block": block.key,
                        **about,
                        "measure": m.key,
                        "type": m.type,
                        "unit": m.unit,
                    }
                )
    return {
        "applies_to": "units with a region" if fixed else "units without a region",
        "cells": cells,
        "repeating_blocks": repeating,
        "computed": [
            {
                "block": s.block.key,
                "sheet": s.block.sheet,
                "total_row": s.total_row,
                "row_totals": {t.key: s.block.total_column(t.key) for t in s.block.totals},
                "end_marks": [{"cell": c, "text": t} for c, t in s.end_marks],
                "row_marks": [{"cell": c, "text": t} for c, t in row_marks(s)],
                "note": "formulas; never read as data (the end marks and row marks, the heading "
                "row's first: labels, never written over)",
            }
            for s in sheets
        ],
    }


def _checks_json(form: Form) -> dict[str, Any]:
    sheet, cell = form.overview_cell()
    return {
        "overview": {"sheet": sheet, "cell": cell, "passed": "Đạt"},
        "sheets": [
            {
                "sheet": c.sheet,
                "block": c.block,
                "errors_cell": c.count_cell,
                "summary_cell": c.summary_cell,
                "row_errors_column": c.count_column,
                "row_text_column": c.text_column,
            }
            for c in form.all_checks()
        ],
        "declarations": [
            {
                "block": b.key,
                "sheet": b.sheet,
                "cell": form.declare_cell(b),
                "mark": form.checks.declare_mark,
            }
            for b in form.blocks.values()
        ],
    }
