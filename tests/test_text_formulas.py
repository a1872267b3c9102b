"""A formula whose result is text, in a cell formatted as a number, is stored by LibreOffice's
.xls as the number 0, without the text (brk33 F1): `="272"` in a count, the realistic
`=SUBSTITUTE("1,350,000";",";"")` of a pasted amount, `=TEXT(DATE(…);"dd/mm/yyyy")` as the
report date. LibreOffice shows the figure; the reader read 0 in silence (a total skipping
text agrees with the 0) or refused the date as "'00:00:00' không phải ngày hợp lệ".

Now each is FORMULA_TEXT_LOST at its cell, asking for the figure or the date typed instead
(`read.formats.ptg`: the formula's tokens may give text); a formula of numbers storing 0 is
still read as 0. The same report saved as .xlsx keeps the text: the figure is read there,
with the warning for a number typed as text, which shows what LibreOffice shows. Files are
filled by LibreOffice through UNO and saved as .xls by LibreOffice, from the template
(whose reading cells witness what the cells held) and from the shipped sample, which has
no reading cells.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import struct
from pathlib import Path

import pytest

from pipeline.filler import fill
from pipeline.form import layout_json, load_form
from pipeline.read.formats.biff import biff_facts, workbook_stream
from pipeline.read.formats.ptg import lone_reference, lone_sheet_reference, may_give_text
from pipeline.rules.findings import ERROR
from pipeline.run.consolidate import check_files
from pipeline.samples import valid_data

from . import lo
from .conftest import template_for

FORM = load_form()
ROOT = Path(__file__).resolve().parents[1]
SAMPLE = next((ROOT / "examples" / "inbox").glob("899-*.xlsx"))
RES, RESULTS, NEEDS = FORM.resources_block, FORM.blocks["results"], FORM.blocks["needs"]
GIRLS = f"{RESULTS.measure_column('girls')}{RESULTS.first_row}"
CHILDREN = f"{RESULTS.measure_column('children')}{RESULTS.first_row}"  # =Z3, Z3 a text
HELPER = "Z3"  # a cell outside the table holding the figure as text (typed with ')
CASH = f"{RES.measure_column('cash')}{RES.first_row}"
IN_KIND = f"{RES.measure_column('in_kind')}{RES.first_row}"  # =$'Kết quả'.Z4, Z4 a text
ELSEWHERE = "Z4"  # on the results sheet, the in-kind figure as text, for the other sheet
ZERO_ELSEWHERE = "Z6"  # on the resources sheet, the number 0: a reference to it stores 0
OTHER_ZERO = f"{RESULTS.measure_column('ethnic')}{RESULTS.first_row + 3}"  # =$'Nguồn lực'.Z6
NEED = f"{NEEDS.measure_column(NEEDS.measures[0].key)}{NEEDS.first_row}"
ZERO = f"{RESULTS.measure_column('ethnic')}{RESULTS.first_row + 1}"  # a formula of numbers
EMPTY_TEXT = f"{RESULTS.measure_column('ethnic')}{RESULTS.first_row + 2}"  # =IF(…;"";0)
DATE_CELL = FORM.info_field("report_date").cell
INFO = FORM.sheets["info"]
DAY = dt.date(FORM.year, 11, 21)


def _formulas(job: lo.UnoJob) -> None:
    """Formulas giving as text the figures `job`'s report holds at their cells."""
    (parsed,) = check_files(FORM, [job.template])
    held = {(k, r.row): r.measures for k, recs in parsed.rows.items() for r in recs}
    girls = held["results", RESULTS.first_row]["girls"]
    children = held["results", RESULTS.first_row]["children"]
    cash = held["resources", RES.first_row]["cash"]
    need = str(held["needs", NEEDS.first_row][NEEDS.measures[0].key])
    in_kind = held["resources", RES.first_row]["in_kind"] or 250000
    job.cells += [
        (RESULTS.sheet, GIRLS, "formula", f'="{girls}"'),
        (RESULTS.sheet, HELPER, "string", str(children)),
        (RESULTS.sheet, CHILDREN, "formula", f"={HELPER}"),  # tokens: one reference (brk33)
        (RES.sheet, CASH, "formula", f'=SUBSTITUTE("{cash:,}";",";"")'),  # "1,350,000" pasted
        (RESULTS.sheet, ELSEWHERE, "string", str(in_kind)),
        (RES.sheet, ZERO_ELSEWHERE, "value", 0),
        (RES.sheet, IN_KIND, "formula", f"=$'{RESULTS.sheet}'.{ELSEWHERE}"),  # another sheet's text
        (RESULTS.sheet, OTHER_ZERO, "formula", f"=$'{RES.sheet}'.{ZERO_ELSEWHERE}"),
        (NEEDS.sheet, NEED, "formula", f'=CONCATENATE("{need[:1]}";"{need[1:]}")'),
        (INFO, DATE_CELL, "formula", f'=TEXT(DATE({DAY.year};{DAY.month};{DAY.day});"dd/mm/yyyy")'),
        (RESULTS.sheet, ZERO, "formula", "=5-5"),
        (RESULTS.sheet, EMPTY_TEXT, "formula", '=IF(1=2;"";0)'),
    ]


@pytest.fixture(scope="module")
def saved(tmp_path_factory, template_dir) -> dict[str, Path]:
    """The template filled with a sample's figures, and the shipped sample, with `_formulas`
    typed in by LibreOffice; each saved as .xlsx, then as .xls by LibreOffice."""
    lo.require_uno()
    base = tmp_path_factory.mktemp("text-formulas")
    layout = layout_json(FORM)
    filled = fill(
        template_for(template_dir, FORM, "899"),
        base / "filled.xlsx",
        layout,
        "899",
        valid_data(FORM, "899", random.Random("text-formulas"), layout),
    )
    sample = shutil.copy(SAMPLE, base / "sample.xlsx")
    jobs = [
        lo.UnoJob(Path(src), base / "uno" / f"{name}.xlsx")
        for name, src in (("template", filled), ("sample", sample))
    ]
    for job in jobs:
        _formulas(job)
    lo.fill_with_uno(jobs, base / "work")
    out = {}
    for job in jobs:
        out[f"{job.out.stem}.before"] = job.template
        out[f"{job.out.stem}.xlsx"] = job.out
        out[f"{job.out.stem}.xls"] = lo.convert(job.out, base / "xls", "xls")
    return out


@pytest.mark.libreoffice
@pytest.mark.parametrize("base", ["template", "sample"])
def test_a_text_result_the_xls_stored_as_0_is_told_at_its_cell(saved, base) -> None:
    (parsed,) = check_files(FORM, [saved[f"{base}.xls"]])
    errors = sorted((f.sheet, f.cell, f.code) for f in parsed.findings if f.severity == ERROR)
    lost = [(RESULTS.sheet, c) for c in (GIRLS, CHILDREN)] + [
        (RES.sheet, CASH),
        (RES.sheet, IN_KIND),
        (NEEDS.sheet, NEED),
        (INFO, DATE_CELL),
    ]
    assert errors == sorted((s, c, "FORMULA_TEXT_LOST") for s, c in lost), parsed.findings
    said = {f.cell: f.message for f in parsed.findings if f.code == "FORMULA_TEXT_LOST"}
    assert said[GIRLS].endswith("hãy gõ số thay cho công thức")
    assert said[DATE_CELL].endswith("hãy gõ ngày thay cho công thức")
    assert "00:00:00" not in " ".join(f.message for f in parsed.findings)
    # the formulas of numbers storing 0 are read as 0, told nothing
    numbers = {(RESULTS.sheet, cell) for cell in (ZERO, EMPTY_TEXT, OTHER_ZERO)}
    assert not [f for f in parsed.findings if (f.sheet, f.cell) in numbers], parsed.findings


@pytest.mark.libreoffice
@pytest.mark.parametrize("base", ["template", "sample"])
def test_the_xlsx_keeps_the_text_libreoffice_shows(saved, base) -> None:
    """The premise: LibreOffice's .xls stores 0 where its .xlsx keeps the text it shows."""
    (xls,) = check_files(FORM, [saved[f"{base}.xls"]])
    (xlsx,) = check_files(FORM, [saved[f"{base}.xlsx"]])
    assert not [f for f in xlsx.findings if f.severity == ERROR], xlsx.findings
    assert {f.cell for f in xlsx.findings if f.code == "NUMBER_FROM_TEXT"} >= {
        GIRLS,
        CHILDREN,
        CASH,
        NEED,
        IN_KIND,
    }
    # the cause said is the formula, not a Text format or an apostrophe (brk39 F8)
    said = {f.cell: f.message for f in xlsx.findings if f.code == "NUMBER_FROM_TEXT"}
    assert all("ô có công thức cho kết quả dạng chữ" in said[c] for c in (GIRLS, CASH, NEED)), said
    (before,) = check_files(FORM, [saved[f"{base}.before"]])
    for block, row, measure in [
        ("results", RESULTS.first_row, "girls"),
        ("results", RESULTS.first_row, "children"),
        ("resources", RES.first_row, "cash"),
        ("needs", NEEDS.first_row, NEEDS.measures[0].key),
    ]:
        figures = [{r.row: r.measures for r in p.rows[block]}[row][measure] for p in (xlsx, before)]
        assert figures[0] == figures[1] > 0, (block, figures)
    assert xlsx.report_date == DAY
    book, _ = workbook_stream(saved[f"{base}.xls"].read_bytes())
    (facts,) = [f for f in biff_facts(book, False) if f.name == RESULTS.sheet]
    assert GIRLS in facts.results and GIRLS in facts.text_as_zero
    assert CHILDREN in facts.results and CHILDREN in facts.text_as_zero
    assert ZERO in facts.results and ZERO not in facts.text_as_zero
    assert OTHER_ZERO in facts.results and OTHER_ZERO not in facts.text_as_zero
    (facts,) = [f for f in biff_facts(book, False) if f.name == RES.sheet]
    assert IN_KIND in facts.text_as_zero
    assert xls.report_date is None


def test_the_tokens_that_may_give_text() -> None:
    """[MS-XLS] 2.5.198 tokens, as Excel and LibreOffice write them."""

    def string(text: str) -> bytes:
        return bytes([0x17, len(text), 0]) + text.encode("latin-1")

    ref = bytes([0x24, 7, 0, 3, 0xC0])  # PtgRef D8
    number = bytes([0x1E]) + struct.pack("<H", 5)  # PtgInt 5
    assert may_give_text(string("272"))
    assert not may_give_text(string(""))  # =IF(…;"";…): no figure to lose
    assert not may_give_text(number + number + bytes([0x04]))  # =5-5
    assert may_give_text(ref + string("x") + bytes([0x08]))  # =D8&"x"
    assert not may_give_text(ref + number + bytes([0x03]))  # =D8+5
    assert may_give_text(
        string("1.350.000") + string(".") + string("") + bytes([0x42, 3, 120, 0])
    )  # SUBSTITUTE
    assert may_give_text(ref + bytes([0x41, 48, 0]))  # TEXT(…), PtgFunc
    assert not may_give_text(ref + bytes([0x41, 4, 0]))  # SUM(…)
    assert may_give_text(bytes([0x23, 1, 0, 0, 0]))  # a defined name: not looked into
    choose = bytes([0x19, 0x04, 1, 0, 4, 0, 8, 0])  # PtgAttrChoose, a jump table of two
    assert not may_give_text(ref + choose + number + number)
    assert may_give_text(bytes([0x18, 0x01]))  # a token not walked: not vouched for
    assert may_give_text(bytes([0x1F, 0, 0]))  # a PtgNum cut short


def test_a_formula_that_is_one_reference() -> None:
    """=D8 (PtgRef, [MS-XLS] 2.5.198.84), =(D8): its result is D8's value; anything more is not."""
    ref = bytes([0x24, 7, 0, 3, 0xC0])  # PtgRef D8, both parts relative
    assert lone_reference(ref) == (7, 3)
    assert lone_reference(ref + bytes([0x15])) == (7, 3)  # PtgParen
    assert lone_reference(bytes([0x44]) + ref[1:]) == (7, 3)  # the value class
    assert lone_reference(ref + bytes([0x1E, 5, 0, 0x03])) is None  # =D8+5
    assert lone_reference(bytes([0x25, 7, 0, 9, 0, 3, 0, 3, 0])) is None  # =D8:D10, an area


def test_a_formula_that_is_one_reference_to_a_sheet() -> None:
    """=Sheet2!D8 (PtgRef3d, [MS-XLS] 2.5.198.85: ixti, then the cell), =(Sheet2!D8)."""
    ref3d = bytes([0x3A, 2, 0, 7, 0, 3, 0xC0])  # XTI 2, D8, both parts relative
    assert lone_sheet_reference(ref3d) == (2, 7, 3)
    assert lone_sheet_reference(ref3d + bytes([0x15])) == (2, 7, 3)  # PtgParen
    assert lone_sheet_reference(bytes([0x5A]) + ref3d[1:]) == (2, 7, 3)  # the value class
    assert lone_sheet_reference(ref3d + bytes([0x1E, 5, 0, 0x03])) is None  # =Sheet2!D8+5
    assert lone_sheet_reference(bytes([0x24, 7, 0, 3, 0xC0])) is None  # =D8: `lone_reference`'s
    assert lone_sheet_reference(bytes([0x3B, 2, 0, 7, 0, 9, 0, 3, 0, 3, 0])) is None  # an area
