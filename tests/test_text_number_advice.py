"""Issue #25: the advice for a whole number typed as text (NUMBER_FROM_TEXT) fits what was
typed.

Digits alone ('2025') stay text only in a cell formatted as Text or typed after an
apostrophe, so "type it without separators" is no help there: the advice says to format the
cell as a number. Spaces around (' 65 '), leading zeros ('0184'), a unit ('1200000 đồng'),
full-width digits and separators ('1.200.000') each get their own. The wording lives once, in
the catalogue (`TEXT_NUMBER_ADVICE`): the pipeline's message is the rule's template filled,
and the template's live check says the advice that fits every case.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from pipeline.form import layout_json, load_form
from pipeline.read.parse import parse_path
from pipeline.read.reading import typed_as
from pipeline.rules.catalogue import RULES, TEXT_NUMBER_ADVICE
from pipeline.rules.fixes import said

FORM = load_form()
RES = FORM.blocks["results"]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("2025", "text"),
        ("65", "text"),
        (" 65 ", "spaces"),
        ("577 ", "spaces"),
        ("0184", "zeros"),
        ("1.200.000", "separators"),
        ("1 200 000", "separators"),
        ("1\u00a0200\u00a0000", "separators"),
        ("1,200,000", "separators"),
        ("1200000 đồng", "unit"),
        ("1.350.000đ", "unit"),
        ("１３５００００", "other"),
        ("12\u200b00", "other"),
    ],
)
def test_how_a_number_came_to_be_text(text: str, kind: str) -> None:
    assert typed_as(text) == kind


def _cell_of(category: str, measure: str) -> str:
    (cell,) = [
        c["cell"]
        for c in layout_json(FORM)["layouts"]["fixed_region"]["cells"]
        if c["block"] == "results" and c["category"] == category and c["measure"] == measure
    ]
    return cell


@pytest.mark.parametrize(
    ("text", "says", "digits"),
    [
        (
            "2025",
            "ô đang định dạng Văn bản (Text) hoặc số có dấu ' ở đầu: hãy đổi định dạng ô sang Số",
            "2025",
        ),
        (" 65 ", "có khoảng trắng trước hoặc sau số", "65"),
        ("0184", "số có chữ số 0 ở đầu", "184"),
        ("1200000 đồng", "không kèm đơn vị", ""),
        ("1.200.000", "lần sau hãy gõ số không có dấu phân cách", ""),
    ],
)
def test_the_message_fits_what_was_typed(make_file, text: str, says: str, digits: str) -> None:
    cash = RES.value_measures[0]
    holder: dict[str, str] = {}

    def mutate(data: dict[str, Any]) -> None:
        data["results"][0][cash] = text
        holder["category"] = data["results"][0]["category"]

    path, _ = make_file("899", mutate)
    cell = _cell_of(holder["category"], cash)
    (found,) = [f for f in parse_path(path, 1, FORM).findings if f.code == "NUMBER_FROM_TEXT"]
    assert found.cell == cell
    assert says in found.message
    if digits:
        assert f"gõ lại {digits}" in found.message
        assert "dấu phân cách" not in found.message  # none was typed
    # one source: the message is the rule's template, its advice the catalogue's
    facts = said(found)
    assert facts["value"] == text.strip() or facts["value"] == text
    assert facts["advice"] == TEXT_NUMBER_ADVICE[typed_as(text)].format(
        digits=int(facts["number"].replace(".", ""))
    )


def test_the_template_says_the_advice_that_fits_every_case(template_dir: Path) -> None:
    """The template's live check for text in a number cell says TEXT_NUMBER_ADVICE["any"]
    (the bound live text of the rule), the same words the pipeline's advice is drawn from."""
    assert RULES["NUMBER_FROM_TEXT"].live.endswith(TEXT_NUMBER_ADVICE["any"])
    any_advice = TEXT_NUMBER_ADVICE["any"]
    template = next(template_dir.glob("*.xlsx"))
    with zipfile.ZipFile(template) as zf:
        xml = "".join(zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/worksheets/"))
    assert any_advice.replace("'", "&apos;") in xml or any_advice in xml


@pytest.mark.parametrize("text", ["59 người", "khoảng 50", "25 người"])
def test_text_that_is_no_number_is_told_to_type_the_digits_alone(make_file, text: str) -> None:
    """brk31 F6: the example said "ví dụ 25 người", which reads as what to type; the message
    says to type the digits alone and shows the word left out."""
    cash = RES.value_measures[0]

    def mutate(data: dict[str, Any]) -> None:
        data["results"][0][cash] = text

    path, _ = make_file("899", mutate)
    (found,) = [f for f in parse_path(path, 1, FORM).findings if f.code == "NUMBER_INVALID"]
    assert f"'{text}'" in found.message
    assert (
        "hãy chỉ gõ số (ví dụ gõ 25 hay 1200000, không gõ «25 người» hay «1.200.000 đồng»; không có số liệu "
        "thì để trống ô)" in found.message
    )
    assert "ví dụ 25 người" not in found.message
