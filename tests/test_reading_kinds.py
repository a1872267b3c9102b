"""Issue #25: files of every kind the inbox may hold, from any writer, read or refused by name.

Inputs are templates filled by the project's filler, then saved by the real writers
(LibreOffice, Gnumeric's ssconvert, SheetJS) or rewritten byte by byte the way other
writers spell them (namespace prefixes, part names in other case, relocated parts). Each
case asserts the outcome: the figures of the source, or a refusal that names the format and
says what to do, attributed to the unit.
"""

from __future__ import annotations

import openpyxl

from pipeline.form import load_form
from pipeline.read.parse import parse_path

FORM = load_form()
RES = FORM.blocks["results"]
UNIT = FORM.units_by_code["899"]


def _cell(measure: str, index: int) -> str:
    return f"{RES.measure_column(measure)}{FORM.rows_for(RES, UNIT)[index].row}"


# ----- every merged range over input cells is reported, not the first only -----------------
def test_every_merged_input_range_is_reported(make_file) -> None:
    src, _ = make_file("899")
    first, second = _cell("girls", 0), _cell("girls", 2)
    wb = openpyxl.load_workbook(src)
    ws = wb[RES.sheet]
    ranges = []
    for cell in (first, second):
        right = openpyxl.utils.get_column_letter(ws[cell].column + 1) + str(ws[cell].row)
        ws.merge_cells(f"{cell}:{right}")
        ranges.append(f"{cell}:{right}")
    wb.save(src)
    found = [f for f in parse_path(src, 0, FORM).findings if f.code == "MERGED_INPUT"]
    assert [f.cell for f in found] == [first, second]
    assert [r in f.message for f, r in zip(found, ranges, strict=True)] == [True, True]
