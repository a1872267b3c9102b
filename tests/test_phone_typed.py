"""brk39 F5: a contact phone typed "0912345678" into the information sheet's cell of General
format became the number 912345678 (Excel and LibreOffice both), and the status sheet the
officer calls units from printed it without its 0. The template's short text cells are Text
now (what is typed there stays text in Excel and LibreOffice); a phone a file still holds as
a number (an older template, a pasted value) is given back its 0."""

from __future__ import annotations

import random

import openpyxl
import pytest

from pipeline.app import consolidate_into
from pipeline.filler import fill
from pipeline.outbox.paths import workbook_path
from pipeline.render.workbook import SHEETS
from pipeline.run.result import phone_as_dialled
from pipeline.samples import valid_data
from tests.conftest import template_for


def test_a_phone_typed_with_its_leading_zero_reaches_the_status_sheet(form, layout, template_dir, tmp_path):
    """The template's cell is Text ("@": what is typed stays text in Excel and LibreOffice),
    and a phone a file holds as a number is printed with its 0 on the status sheet."""
    phone = form.info_field("phone")
    template = openpyxl.load_workbook(template_for(template_dir, form, "903"))[form.sheets["info"]]
    texts = [f for f in form.info_fields if f.type == "text" and not f.prefilled]
    assert phone in texts and {template[f.cell].number_format for f in texts} == {"@"}
    inbox = tmp_path / "inbox"
    for code, typed in (("903", "0912345678"), ("905", 2973857522)):  # "0297 3857522" as a number
        data = valid_data(form, code, random.Random(f"phone-{code}"), layout)
        data["info"]["phone"] = typed
        fill(template_for(template_dir, form, code), inbox / f"{code}.xlsx", layout, code, data)
    consolidate_into(form, inbox, tmp_path / "out", show_progress=False)
    ws = openpyxl.load_workbook(workbook_path(tmp_path / "out", form.year))[SHEETS["status"]]
    cells = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert "0912345678" in cells and "02973857522" in cells, [c for c in cells if c[:1] in "029"]


@pytest.mark.parametrize(
    ("read", "dialled"),
    [
        ("912345678", "0912345678"),
        ("2973857522", "02973857522"),
        ("0912345678", "0912345678"),
        ("0297 3857522", "0297 3857522"),
        ("84912345678", "84912345678"),
        ("113", "113"),
    ],
)
def test_a_phone_read_as_a_number_is_dialled_with_its_zero(read, dialled):
    assert phone_as_dialled(read) == dialled
