"""The "cách sửa" of a number typed as text (NUMBER_FROM_TEXT) says the advice that fits how it
was typed, as the finding's message does, in the feedback workbook and in the letters.

The message already picks its advice by how the number came to be text (`TEXT_NUMBER_ADVICE`,
by `read.reading.typed_as`); the fix line said "xóa ô … và gõ lại" whatever the case, which
does nothing for a cell formatted as Text (typed again, the digits stay text). Now an advice
that says what to do to the cell (Text format, leading zeros, spaces, odd characters) is the
fix line too, its words taken from the message, so held once in the catalogue; an advice for
the next time (separators, a unit word) leaves the fix to type the digits again.
"""

from __future__ import annotations

import email
import json
import random
from email import policy

import openpyxl
import pytest

from pipeline import cli
from pipeline.filler import fill
from pipeline.form import load_form
from pipeline.outbox.paths import feedback_path, report_path, year_dir
from pipeline.read.parse import parse_path
from pipeline.rules.catalogue import TEXT_NUMBER_ADVICE
from pipeline.rules.findings import Finding
from pipeline.rules.fixes import how_to_fix
from pipeline.samples import valid_data

from .conftest import template_for

FORM = load_form()
RES = FORM.blocks["results"]
CASH = RES.value_measures[0]

# what was typed, how the reader tells it came to be text, the digits to type
CASES = [
    ("2025", "text", "2025"),
    ("0184", "zeros", "184"),
    (" 65 ", "spaces", "65"),
    ("１３５００００", "other", "1350000"),
    ("1.200.000", "separators", "1200000"),
    ("1200000 đồng", "unit", "1200000"),
]


def _typed(make_file, text: str) -> Finding:
    """The NUMBER_FROM_TEXT finding of a filled template whose first row's cash is `text`."""
    path, _ = make_file("899", lambda d: d["results"][0].__setitem__(CASH, text))
    (found,) = [f for f in parse_path(path, 1, FORM).findings if f.code == "NUMBER_FROM_TEXT"]
    return found


@pytest.mark.parametrize(("text", "kind", "digits"), CASES)
def test_the_fix_says_the_advice_the_message_gives(make_file, text: str, kind: str, digits: str) -> None:
    found = _typed(make_file, text)
    advice = TEXT_NUMBER_ADVICE[kind].format(digits=digits)
    assert found.message.endswith(advice)  # the message's own advice, by the case
    fix = how_to_fix(FORM, found)
    if "{digits}" in TEXT_NUMBER_ADVICE[kind]:  # it says what to do to the cell now
        assert fix == f"ở ô {found.cell}: {advice}"
    else:  # an advice for the next time: the cell's fix is to type the digits again
        assert fix == f"xóa ô {found.cell} và gõ lại: {digits} (chỉ chữ số)"


def test_a_cell_formatted_as_text_is_not_told_to_be_typed_again_as_it_was(make_file) -> None:
    """Typed again into a cell formatted as Text, the digits stay text: the fix says to change
    the cell's format first, not "xóa ô … và gõ lại" alone."""
    fix = how_to_fix(FORM, _typed(make_file, "2025"))
    assert "Định dạng ô → Số" in fix and "xóa ô" not in fix


def test_a_finding_read_back_from_the_report_gets_the_same_fix(make_file) -> None:
    """The letters build their findings from the run's JSON report: the fix comes from the
    finding's message, so it is the same there."""
    found = _typed(make_file, "0184")
    again = Finding(**{k: str(getattr(found, k)) for k in Finding.__dataclass_fields__})
    assert (
        how_to_fix(FORM, again)
        == how_to_fix(FORM, found)
        == f"ở ô {found.cell}: " + TEXT_NUMBER_ADVICE["zeros"].format(digits=184)
    )


def test_the_feedback_workbook_and_the_letter_say_it(form, layout, template_dir, tmp_path) -> None:
    """A rejected file (its report date deleted) with its cash typed into a cell formatted
    as Text: the feedback workbook's "Cách sửa" and the letter's say the advice for it."""
    inbox, outbox = tmp_path / "inbox", tmp_path / "out"
    data = valid_data(form, "899", random.Random("899"), layout)
    data["info"].pop("report_date", None)
    data["results"][0][CASH] = "2025"
    fill(template_for(template_dir, form, "899"), inbox / "899.xlsx", layout, "899", data)
    assert cli.main(["consolidate", "--inbox", str(inbox), "--outbox", str(outbox)]) == cli.EXIT_OK
    assert cli.main(["mail", "drafts", "--outbox", str(outbox)]) == cli.EXIT_OK
    run = json.loads(report_path(outbox, form.year).read_text(encoding="utf-8"))
    (f,) = [f for f in run["findings"] if f["code"] == "NUMBER_FROM_TEXT"]
    fix = f"ở ô {f['cell']}: " + TEXT_NUMBER_ADVICE["text"].format(digits=2025)
    ws = openpyxl.load_workbook(feedback_path(outbox, form.year, "899", "899.xlsx")).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    header = next(r for r in rows if r and r[0] == "STT")
    (row,) = [r for r in rows if r[header.index("Ô")] == f["cell"]]
    assert row[header.index("Cách sửa")] == fix
    (letter,) = (year_dir(outbox, form.year) / "thu").glob("thu-899-*.eml")
    body = (
        email.message_from_bytes(letter.read_bytes(), policy=policy.default)
        .get_body(("plain",))
        .get_content()
    )
    assert f"Cách sửa: {fix}." in body
    assert f"xóa ô {f['cell']} và gõ lại" not in body
