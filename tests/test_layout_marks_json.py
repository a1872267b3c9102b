"""The marks the layout's JSON lists (`python -m pipeline form --json`: `info_end`,
`info_row_marks`, `computed[].end_marks`, `computed[].row_marks`) are the marks each unit's
template holds, where the JSON says, and no other: a program filling the template from the
JSON (`pipeline/filler.py`) knows every cell it must leave alone, and a mark the reader looks
for is one the template wrote."""

from __future__ import annotations

import openpyxl

from tests.conftest import template_for

MARK_START = "(hết "  # every mark's text starts so (schemas/layout.toml)


def _listed(layout, fixed: bool) -> set[tuple[str, str, str]]:
    """(sheet, cell, text) of every mark the JSON lists for units with a region (`fixed`) or
    without one."""
    info = layout["info"][0]["sheet"]
    marks = {(info, m["cell"], m["text"]) for m in [layout["info_end"], *layout["info_row_marks"]]}
    which = layout["layouts"]["fixed_region" if fixed else "free_rows"]
    for c in which["computed"]:
        marks |= {(c["sheet"], m["cell"], m["text"]) for m in [*c["end_marks"], *c["row_marks"]]}
    return marks


def _written(path, lists: str) -> set[tuple[str, str, str]]:
    """The marks on the sheets a unit sees (not the hidden lists sheet's own check cells), as
    they show: a data row's mark is a formula whose stored result is its text."""
    wb = openpyxl.load_workbook(path, data_only=True)
    return {
        (ws.title, c.coordinate, c.value)
        for ws in wb.worksheets
        if ws.title != lists
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith(MARK_START)
    }


def test_the_json_lists_every_mark_the_template_holds(form, layout, template_dir):
    for code in ("903", "SYT"):
        listed = _listed(layout, bool(form.units_by_code[code].region))
        assert len({s for s, _c, _t in listed}) == 1 + len(form.blocks), listed  # every sheet has some
        assert {t for _s, _c, t in listed} >= {"(hết dòng)", "(hết phần thông tin)"}, listed
        assert _written(template_for(template_dir, form, code), form.sheets["lists"]) == listed, code
