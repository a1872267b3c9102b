"""Issue #25 (breaker brk6, F1, F3, F5): a formula's stored 0 or blank in an input cell is
judged by the template's own reading cell of it (`read/witness.py`), what the application
saw there when it last calculated the file.

- F1: a library writes a formula into a row that was blank when the file was last
  calculated; the totals, calculated without the row, agree with the 0 it stores. Before:
  accepted with 0 silently. Now FORMULA_NO_VALUE at the cell (its reading cell saw a blank).
- F3: the information sheet's count as a formula whose figure really is 0, calculated by
  LibreOffice (`=0`, `=SUM(` of blank cells `)`). Before: refused (no total to judge it by).
  Now read as 0 in .xlsx, .ods and .xls.
- F5: a formula whose figure really is 0 in a column whose total the unit typed over.
  Before: refused (the total's mismatch taken for the formula's). Now read as 0, the typed
  total told as ever.
A file whose reading cells do not agree with what the unit typed (never calculated since)
keeps the rules of the file's totals (tests/test_formulas5_inputs.py).

Inputs: unit 899's report filled by the project's filler, rewritten in its zip package as a
writer would write the cell, then calculated and saved by LibreOffice (or, for F1, the
LibreOffice-calculated report rewritten afterwards, as a library that does not calculate).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from pipeline.read.parse import parse_path
from pipeline.read.plan import block_plan
from pipeline.read.reader import split_cell
from pipeline.render.feedback import feedback_workbook
from pipeline.render.style import WARNING_FILL
from pipeline.rules.fixes import how_to_fix
from pipeline.run.result import FileRecord, FileStatus
from tests import lo
from tests.test_formulas5_inputs import (
    ACTIVITIES,
    FORM,
    INFO,
    RES,
    ROWS,
    UNIT,
    _figures,
    _measure,
    _no_value_at,
    _poi_formula,
    _sheet_part,
    _xlsx_rewrite,
    _zip_rewrite,
    made,  # noqa: F401 (the module's fixture)
)


def _calculated(src: Path, out: Path, suffix: str) -> Path:
    """`src` opened, calculated and saved by LibreOffice as `suffix` in folder `out`."""
    target = {"xlsx": f"xlsx:{lo.XLSX_FILTER}"}.get(suffix, suffix)
    with lo.profile(recalc=True) as prof:
        done = lo.run_office(["--convert-to", target, "--outdir", str(out), str(src)], prof)
    saved = out / f"{src.stem}.{suffix}"
    assert saved.is_file(), (done.stdout, done.stderr)
    return saved


def _info(path: Path) -> dict[str, Any]:
    return parse_path(path, 1, FORM).info_row or {}


@pytest.mark.libreoffice
@pytest.mark.parametrize("formula", ["0", "SUM(Z90:Z91)", "ROUND(0.4,0)"])
def test_a_count_whose_formula_is_0_calculated_is_read_as_0(
    made: dict[str, Any],  # noqa: F811
    tmp_path: Path,
    formula: str,
) -> None:
    """F3: the count of activities as a formula giving 0, calculated by LibreOffice, in
    every format it saves: read as 0, no finding; before, FORMULA_NO_VALUE."""
    src = _xlsx_rewrite(made["src"], tmp_path / "899.xlsx", INFO, ACTIVITIES, f"<f>{formula}</f>")
    want = _figures(made["src"])[1]
    for suffix in ("xlsx", "ods", "xls"):
        saved = _calculated(src, tmp_path / suffix, suffix)
        findings, rows = _figures(saved)
        assert findings == [], (suffix, findings)
        assert _info(saved)["activities"] == 0, suffix
        assert rows == want, suffix


@pytest.mark.libreoffice
def test_a_stale_zero_in_a_count_is_still_no_figure(made: dict[str, Any], tmp_path: Path) -> None:  # noqa: F811
    """A library writes the count as a formula storing 0 after LibreOffice calculated the
    file (its reading cell saw the count typed there): no figure, as before."""
    out = _xlsx_rewrite(made["xlsx"], tmp_path / "899-info.xlsx", INFO, ACTIVITIES, "<f>3*1</f><v>0</v>")
    assert "nếu số đúng là 0, hãy gõ 0" in _no_value_at(out, INFO, ACTIVITIES)


def _blank_row(path: Path) -> int:
    """The first row of the results biểu the filler left blank in 899's report `path`."""
    ws = openpyxl.load_workbook(path)[RES.sheet]
    blank = [
        rp.row
        for rp in ROWS
        if all(ws[f"{RES.measure_column(m.key)}{rp.row}"].value in (None, "") for m in RES.measures)
    ]
    assert blank, "the filler's report has a blank row"
    return blank[0]


@pytest.mark.libreoffice
def test_a_formula_written_into_a_row_blank_when_calculated_is_no_figure(
    made: dict[str, Any],  # noqa: F811
    tmp_path: Path,
) -> None:
    """F1: LibreOffice's calculated report; a library writes the cash of a row that was
    blank into it as a formula storing 0 (the totals, calculated without the row, agree):
    FORMULA_NO_VALUE at the cell; before, accepted with 0."""
    cash = f"{RES.measure_column('cash')}{_blank_row(made['xlsx'])}"
    out = _xlsx_rewrite(made["xlsx"], tmp_path / "899-blank.xlsx", RES.sheet, cash, "<f>5000*1</f><v>0</v>")
    assert "là 0" in _no_value_at(out, RES.sheet, cash)


@pytest.mark.libreoffice
def test_a_zero_formula_beside_a_total_typed_over_is_read_as_0(
    made: dict[str, Any],  # noqa: F811
    tmp_path: Path,
) -> None:
    """F5: the girls of the first row as `=…*0` and the column's total typed over (a
    number, no formula), calculated by LibreOffice: the 0 read, the typed total told
    (TOTAL_MISMATCH, a warning) and nothing else; before, FORMULA_NO_VALUE too."""
    girls = f"{RES.measure_column('girls')}{ROWS[0].row}"
    children = f"{RES.measure_column('children')}{ROWS[0].row}"
    total = next(
        cell for key, cell, _r, _c in block_plan(FORM, RES, UNIT).total_measure_cells if key == "girls"
    )
    src = _xlsx_rewrite(made["src"], tmp_path / "a.xlsx", RES.sheet, girls, f"<f>{children}*0</f>")
    src = _xlsx_rewrite(src, tmp_path / "899.xlsx", RES.sheet, total, "<v>999999</v>")
    saved = _calculated(src, tmp_path / "xlsx", "xlsx")
    findings, rows = _figures(saved)
    assert findings == [f"TOTAL_MISMATCH {RES.sheet}!{total}"]
    assert _measure(rows, ROWS[0].row, "girls") == 0


@pytest.mark.libreoffice
def test_a_row_typed_in_after_the_calculation_makes_its_formulas_zero_no_figure(
    made: dict[str, Any],  # noqa: F811
    tmp_path: Path,
) -> None:
    """F1 in .xls, where LibreOffice stores a blank reading cell as 0 (so the formula's own
    reading cell cannot tell): Apache POI types the children of a row blank when the file
    was calculated and writes its cash as a formula of them, storing 0. The children's
    reading cell says the row was typed in after: the cash is FORMULA_NO_VALUE; before,
    accepted with 0 (LibreOffice shows 5.000.000)."""
    blank = _blank_row(made["xlsx"])
    children, cash = (f"{RES.measure_column(k)}{blank}" for k in ("children", "cash"))
    typed = _poi_formula(made["xls"], tmp_path / "typed.xls", RES.sheet, children, "5", kind="n")
    out = _poi_formula(typed, tmp_path / "899-row.xls", RES.sheet, cash, f"{children}*1000000")
    findings = _figures(out)[0]
    assert f"FORMULA_NO_VALUE {RES.sheet}!{cash}" in findings, findings


@pytest.mark.libreoffice
def test_a_number_typed_as_text_beside_a_zero_formula_keeps_the_row_calculated(
    made: dict[str, Any],  # noqa: F811
    tmp_path: Path,
) -> None:
    """Breaker brk9 W1: the in-kind of the first row `=turns*0` and its cash typed as text
    (its reading cell holds the text, not a number), calculated by LibreOffice: accepted
    with the usual warning; a text is never taken for a number typed after the calculation."""
    row = ROWS[0].row
    in_kind, cash, turns = (f"{RES.measure_column(k)}{row}" for k in ("in_kind", "cash", "turns"))
    src = _xlsx_rewrite(made["src"], tmp_path / "a.xlsx", RES.sheet, in_kind, f"<f>{turns}*0</f>")
    src = _xlsx_rewrite(src, tmp_path / "899.xlsx", RES.sheet, cash, 't="inlineStr"|<is><t>32984000</t></is>')
    saved = _calculated(src, tmp_path / "xlsx", "xlsx")
    findings, rows = _figures(saved)
    assert findings == [f"NUMBER_FROM_TEXT {RES.sheet}!{cash}"], findings
    assert _measure(rows, row, "in_kind") == 0 and _measure(rows, row, "cash") == 32984000


@pytest.mark.libreoffice
def test_a_zero_formula_counting_a_row_typed_in_after_the_calculation_is_no_figure(
    made: dict[str, Any],  # noqa: F811
    tmp_path: Path,
) -> None:
    """Breaker brk9 W2: the first row's in-kind `=` a blank row's in-kind `*0.01`, calculated
    by LibreOffice (0); a library then types that row: the formula's stored 0 predates the
    row it counts (its own reading cell saw 0 too), so it is no figure."""
    blank = _blank_row(made["xlsx"])
    in_kind = f"{RES.measure_column('in_kind')}{ROWS[0].row}"
    children, later = (f"{RES.measure_column(k)}{blank}" for k in ("children", "in_kind"))
    src = _xlsx_rewrite(made["src"], tmp_path / "a.xlsx", RES.sheet, in_kind, f"<f>{later}*0.01</f>")
    saved = _calculated(src, tmp_path / "xlsx", "xlsx")
    typed = _xlsx_rewrite(saved, tmp_path / "b.xlsx", RES.sheet, children, "<v>5</v>")
    typed = _xlsx_rewrite(typed, tmp_path / "899-late.xlsx", RES.sheet, later, "<v>400000000</v>")
    assert f"FORMULA_NO_VALUE {RES.sheet}!{in_kind}" in _figures(typed)[0]


@pytest.mark.libreoffice
def test_a_total_says_whether_its_formula_was_changed_or_a_row_total_it_adds(
    made: dict[str, Any],  # noqa: F811
    tmp_path: Path,
) -> None:
    """Breaker brk9 T1: calculated by LibreOffice after every figure was typed, a column
    total whose formula the unit changed (it adds one row fewer) is said to have a changed
    formula, not "saved without recalculating, no fix needed"; a row total typed over is
    said typed over, and the "Tổng cộng" of row totals that adds it says so."""
    plan = block_plan(FORM, RES, UNIT)
    total = next(cell for key, cell, _r, _c in plan.total_measure_cells if key == "cash")
    first = f"{RES.measure_column('cash')}{ROWS[0].row}"
    src = _xlsx_rewrite(made["src"], tmp_path / "a.xlsx", RES.sheet, total, f"<f>SUM({first}:{first})</f>")
    row_total = next(t for _s, t, _r, _c in plan.rows[0].totals)
    src = _xlsx_rewrite(src, tmp_path / "899.xlsx", RES.sheet, row_total, "<v>1000</v>")
    saved = _calculated(src, tmp_path / "xlsx", "xlsx")
    said = {f.cell: f.message for f in parse_path(saved, 1, FORM).findings if f.code == "TOTAL_MISMATCH"}
    assert "công thức ở ô tổng này đã bị sửa" in said[total], said
    assert "đã bị gõ đè" in said[row_total], said
    column = row_total.rstrip("0123456789")
    grand = next(t for _s, t, _r, _c in plan.total_row_cells if t.rstrip("0123456789") == column)
    assert "cộng tổng của từng dòng ở trên" in said[grand], said
    assert not any("không cần sửa" in m for m in said.values()), said


def _stored_zero(src: Path, out: Path, cells: list[str]) -> Path:
    """The filler's report `src` (its formulas store no result) as a library that fills the
    template's cells and saves without calculating leaves it (ExcelJS): no request to
    calculate on opening (calcPr fullCalcOnLoad dropped) and each total of `cells` storing
    the template's 0."""
    part = _sheet_part(src, RES.sheet)

    def edit(name: str, data: bytes) -> bytes:
        if name == "xl/workbook.xml":
            return data.replace(b' fullCalcOnLoad="1"', b"")
        if name == part:
            for cell in cells:
                data, n = re.subn(rf'(<c r="{cell}"[^>]*><f>[^<]*</f>)<v></v>'.encode(), rb"\1<v>0</v>", data)
                assert n == 1, cell
        return data

    return _zip_rewrite(src, out, edit)


@pytest.mark.libreoffice
def test_totals_storing_the_template_0_are_one_warning_for_the_file(
    made: dict[str, Any],  # noqa: F811
    tmp_path: Path,
) -> None:
    """A total whose formula stores 0 while its inputs hold figures is told at its cell; two
    or more are one warning at the first, naming them all (the file was saved without
    calculating), not one each."""
    totals = [cell for _k, cell, _r, _c in block_plan(FORM, RES, UNIT).total_measure_cells]
    shown = openpyxl.load_workbook(made["xlsx"], data_only=True)[RES.sheet]  # as LibreOffice calculates
    nonzero = [c for c in totals if shown[c].value]
    assert len(nonzero) >= 3

    one = parse_path(_stored_zero(made["src"], tmp_path / "one.xlsx", nonzero[:1]), 1, FORM).findings
    assert [(f.code, f.cell) for f in one] == [("TOTAL_MISMATCH", nonzero[0])]
    assert "tổng ghi trong tệp là 0 nhưng tính lại từ các ô nhập là" in one[0].message

    three = parse_path(_stored_zero(made["src"], tmp_path / "three.xlsx", nonzero[:3]), 1, FORM).findings
    first = sorted(nonzero[:3], key=lambda a1: split_cell(a1)[::-1])
    assert [(f.code, f.cell) for f in three] == [("TOTALS_UNCALCULATED", first[0])]
    cells = ", ".join(first)
    assert f"3 ô tổng trong tệp ghi 0 dù các ô nhập đã có số (trang '{RES.sheet}': {cells})" in (
        three[0].message
    ), three[0].message
    assert how_to_fix(FORM, three[0]) == ""  # nothing to fix when the file was only saved uncalculated


def test_the_feedback_workbook_marks_every_total_the_warning_names(
    made: dict[str, Any],  # noqa: F811
    tmp_path: Path,
) -> None:
    """The one TOTALS_UNCALCULATED names every total storing 0: the unit's feedback workbook
    colours each of them and notes on each where the warning is told, not the first alone."""
    totals = [cell for _k, cell, _r, _c in block_plan(FORM, RES, UNIT).total_measure_cells]
    shown = openpyxl.load_workbook(made["xlsx"], data_only=True)[RES.sheet]
    nonzero = sorted((c for c in totals if shown[c].value), key=lambda a1: split_cell(a1)[::-1])[:3]
    parsed = parse_path(_stored_zero(made["src"], tmp_path / "three.xlsx", nonzero), 1, FORM)
    (found,) = parsed.findings
    out = tmp_path / "phan-hoi.xlsx"
    feedback_workbook(FORM, FileRecord(parsed, FileStatus.ACCEPTED), out)
    ws = openpyxl.load_workbook(out)[RES.sheet]
    first, *others = nonzero
    assert found.cell == first
    for ref in nonzero:
        assert ws[ref].fill.fgColor.rgb.endswith(WARNING_FILL[1:]), ref
    assert found.message in ws[first].comment.text
    for ref in others:
        note = ws[ref].comment.text
        assert f"Ô này là một trong các ô nêu ở trang '{RES.sheet}', ô {first}" in note, (ref, note)
        assert "Các ô tổng trong tệp ghi 0" in note
    unmarked = [c for c in totals if c not in nonzero]
    assert unmarked and all(ws[c].comment is None for c in unmarked)
