"""brk51 F2: a file holding an input formula that was never calculated is not said to be
"calculated after typing".

Apache POI's HSSF sets a formula in an input cell of a report LibreOffice calculated and
saved as .xls, and does not evaluate it (it stores 0). The formula is FORMULA_NO_VALUE, as
before; but the totals that count it, which LibreOffice calculated with the old figure,
were said to hold a formula changed from the template's (TOTAL_WHY "changed": "tệp đã được
tính lại sau khi nhập số liệu…"), because every typed number agreed with its reading cell.
The file was simply not recalculated: the reading cell of the formula's cell saw the old
figure, not the 0 stored. Now the totals say so (TOTAL_WHY "formula").

Inputs: unit 899's report filled by the project's filler, calculated and saved by
LibreOffice as .xls (`tests.test_formulas5_inputs.made`), edited by POI's HSSF.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipeline.read.parse import parse_path
from pipeline.rules.catalogue import ERROR, TOTAL_WHY
from tests.test_formulas5_inputs import (
    CASH,
    FORM,
    RES,
    _poi_formula,
    made,  # noqa: F401 (the module's fixture)
)

CHANGED = TOTAL_WHY["changed"]
STALE_START = TOTAL_WHY["formula"].split("{", 1)[0]  # "(nếu mở tệp thấy ô này là "


@pytest.mark.libreoffice
def test_totals_over_an_uncalculated_formula_are_not_said_changed(
    made: dict[str, Any],  # noqa: F811
    tmp_path: Path,
) -> None:
    """POI's formula at CASH: FORMULA_NO_VALUE there, the only error; each TOTAL_MISMATCH
    says the file was saved without recalculating, none that its formula was changed."""
    poi = _poi_formula(made["xls"], tmp_path / "899-poi.xls", RES.sheet, CASH, f"{made['amount']}*1")
    p = parse_path(poi, 1, FORM)
    assert [(f.code, f.sheet, f.cell) for f in p.findings if f.severity == ERROR] == [
        ("FORMULA_NO_VALUE", RES.sheet, CASH)
    ]
    totals = [f for f in p.findings if f.code == "TOTAL_MISMATCH"]
    assert totals, p.findings
    assert all(f.sheet == RES.sheet and STALE_START in f.message for f in totals), totals
    assert not [f for f in p.findings if CHANGED in f.message]
    # LibreOffice's own save of the same report: nothing said
    assert parse_path(made["xls"], 1, FORM).findings == []
