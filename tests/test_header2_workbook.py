"""The workbook says what the signed report says (issue #23): the overview sheet's heading
prints the agencies, the number, the place and date as the draft carries them, like every
biểu, never the configuration's agency and the run's date beside a report the officer
corrected.

As the officer lives it: a run, the draft's header corrected in Word (python-docx, as Word
leaves the runs), a run again; the workbook read back with openpyxl."""

from __future__ import annotations

import openpyxl

from pipeline.app import consolidate_into
from pipeline.outbox.paths import document_path, workbook_path
from pipeline.render.official import place_date
from pipeline.render.pdf import BIEU
from pipeline.render.workbook import SHEETS

from .test_carry6_header import DEPARTMENT, SIGNED, _edit_header, _header

PROVINCE = "ỦY BAN NHÂN DÂN TỈNH KIÊN GIANG (MỚI)"


def _heading(ws) -> tuple[str, str, str, str]:
    """(parent agency, issuing agency, number, place and date) as the heading of the sheet
    `ws` prints them: the left column's three rows, the right column's place and date."""
    place = next(c.value for c in ws[3] if c.value and "ngày" in str(c.value))
    return ws.cell(1, 1).value, ws.cell(2, 1).value, ws.cell(3, 1).value, place


def test_the_overview_prints_the_header_the_officer_corrected(form, make_file, tmp_path):
    make_file("899")
    inbox, outbox = tmp_path / "inbox", tmp_path / "out"
    first = consolidate_into(form, inbox, outbox, show_progress=False)
    wb = openpyxl.load_workbook(workbook_path(outbox, form.year))
    ag = form.agencies
    configured = (
        ag["province"],
        ag["department"],
        ag["document_number"],
        place_date(form, first.generated_at.date()),
    )
    assert _heading(wb[SHEETS["dashboard"]]) == configured  # nothing typed: the configuration's

    draft = document_path(outbox, form.year)
    _edit_header(draft, {"province": PROVINCE, "department": DEPARTMENT, "place_date": SIGNED})
    assert DEPARTMENT != ag["department"] and SIGNED != configured[3]
    consolidate_into(form, inbox, outbox, show_progress=False)
    printed = _header(draft)
    assert (printed["province"], printed["department"], printed["place_date"]) == (
        PROVINCE,
        DEPARTMENT,
        SIGNED,
    )

    wb = openpyxl.load_workbook(workbook_path(outbox, form.year))
    overview = _heading(wb[SHEETS["dashboard"]])
    assert overview == (PROVINCE, DEPARTMENT, printed["number"], SIGNED)
    assert {_heading(wb[SHEETS[key]]) for key in BIEU} == {overview}  # the biểu say the same
