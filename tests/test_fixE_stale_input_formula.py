"""brk51 F1: a formula the unit typed in an input cell, its stored result made stale by a
writer that does not recalculate.

The unit types `=H9/2` in Kết quả!H8 and 3.000.000 in H9 in LibreOffice (H8 stores
1.500.000); then a program that does not recalculate (SheetJS writing .ods or .xlsx,
Apache POI's HSSF on .xls) changes H9 to 4.000.000. LibreOffice and Excel show H8 =
2.000.000 once they open the file; the pipeline read the stored 1.500.000 and accepted the
file. Now a file that shows it was saved without recalculating after an input changed (the
template's reading cells saw other figures than the inputs hold, or a total's formula
stores a result older than its inputs) vouches for no formula's stored result in an input
cell: FORMULA_NO_VALUE at H8. The same file recalculated by LibreOffice is accepted with
2.000.000, and LibreOffice's own save (before the edit) with 1.500.000.

Inputs: unit 899's report filled by the project's filler (a template with reading cells),
and the shipped sample examples/inbox/899-… (a template made before them, so only its
totals tell), each filled in LibreOffice through UNO, then edited by SheetJS under Node
(`$SHEETJS_DIR`) or by POI's HSSF.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from pipeline.form import load_form
from pipeline.read.parse import parse_path
from pipeline.rules.catalogue import ERROR
from tests import lo
from tests.conftest import ROOT, filled_report
from tests.test_formulas5_inputs import _poi_formula

FORM = load_form()
RES = FORM.blocks["results"]
UNIT = FORM.units_by_code["899"]
ROWS = FORM.rows_for(RES, UNIT)
HALF = f"{RES.measure_column('cash')}{ROWS[0].row}"  # =WHOLE/2, typed by the unit
WHOLE = f"{RES.measure_column('cash')}{ROWS[1].row}"  # 3.000.000, then 4.000.000
SAMPLE = ROOT / "examples" / "inbox" / "899-UBND-Thanh-pho-Rach-Gia.xlsx"  # no reading cells

_SHEETJS_SET = (
    "const X = require(process.argv[1] + '/node_modules/xlsx');"
    "const [, , src, out, type, sheet, cell, n] = process.argv;"
    "const wb = X.readFile(src, {cellFormula: true, cellNF: true, cellStyles: true});"
    "wb.Sheets[sheet][cell] = {t: 'n', v: Number(n)};"
    "X.writeFile(wb, out, {bookType: type, cellStyles: true});"
)


def _sheetjs_set(src: Path, out: Path, book_type: str, sheet: str, cell: str, number: int) -> Path:
    """`src` read by SheetJS, `sheet`!`cell` set to `number` (nothing recalculated), written
    as `book_type` into `out`."""
    node, folder = lo.require_sheetjs()
    args = [node, "-e", _SHEETJS_SET, folder, src, out, book_type, sheet, cell, str(number)]
    subprocess.run(args, check=True, timeout=60)
    return out


def _errors(path: Path) -> list[tuple[str, str, str]]:
    return [(f.code, f.sheet, f.cell) for f in parse_path(path, 1, FORM).findings if f.severity == ERROR]


def _cash(path: Path, row: int) -> Any:
    p = parse_path(path, 1, FORM)
    return next(r.measures["cash"] for r in p.rows[RES.key] if r.row == row)


@pytest.fixture(scope="module")
def typed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """ "template": the filler's report, "sample": the shipped sample, each with `=WHOLE/2`
    in HALF and 3.000.000 in WHOLE typed in LibreOffice, calculated and saved as .xlsx."""
    work = tmp_path_factory.mktemp("stale-input")
    src = filled_report(FORM, work / "src", 51)
    sample = Path(shutil.copy(SAMPLE, work / "src" / SAMPLE.name))
    cells = [(RES.sheet, WHOLE, "value", 3_000_000), (RES.sheet, HALF, "formula", f"={WHOLE}/2")]
    jobs = [
        lo.UnoJob(src, work / "template" / "899.xlsx", list(cells)),
        lo.UnoJob(sample, work / "sample" / "899.xlsx", list(cells)),
    ]
    template, sample = lo.fill_with_uno(jobs, work / "uno")
    return {"template": template, "sample": sample}


def _stale(typed: dict[str, Path], tmp_path: Path, source: str, writer: str) -> Path:
    """The LibreOffice-saved `source` with WHOLE changed to 4.000.000 by `writer`."""
    saved = typed[source]
    if writer == "poi-xls":
        xls = lo.convert(saved, tmp_path / "xls", "xls")
        return _poi_formula(xls, tmp_path / "899-poi.xls", RES.sheet, WHOLE, "4000000", kind="n")
    book_type = writer.removeprefix("sheetjs-")
    return _sheetjs_set(saved, tmp_path / f"899-sjs.{book_type}", book_type, RES.sheet, WHOLE, 4_000_000)


@pytest.mark.libreoffice
@pytest.mark.parametrize(
    ("source", "writer"),
    [
        ("template", "sheetjs-ods"),
        ("template", "sheetjs-xlsx"),
        ("template", "poi-xls"),
        ("sample", "sheetjs-ods"),
        ("sample", "sheetjs-xlsx"),
        ("sample", "poi-xls"),
    ],
)
def test_a_stale_result_of_a_typed_formula_is_no_figure(
    typed: dict[str, Path], tmp_path: Path, source: str, writer: str
) -> None:
    """The edited file: FORMULA_NO_VALUE at HALF, the only error, saying its stored
    1.500.000 may be stale; recalculated by LibreOffice, accepted with 2.000.000. The file
    LibreOffice saved before the edit is accepted with 1.500.000."""
    saved = typed[source]
    assert _errors(saved) == [] and _cash(saved, ROWS[0].row) == 1_500_000
    stale = _stale(typed, tmp_path, source, writer)
    assert _cash(stale, ROWS[1].row) == 4_000_000
    assert _errors(stale) == [("FORMULA_NO_VALUE", RES.sheet, HALF)]
    found = next(f for f in parse_path(stale, 1, FORM).findings if f.code == "FORMULA_NO_VALUE")
    assert f"ô {HALF} chứa công thức nhưng kết quả lưu trong tệp (1.500.000) có thể đã cũ" in found.message
    assert "hãy mở tệp bằng Excel hoặc LibreOffice để tính lại rồi lưu" in found.message
    again = lo.recalc_xlsx(stale, tmp_path / "recalculated")
    assert _errors(again) == [] and _cash(again, ROWS[0].row) == 2_000_000
