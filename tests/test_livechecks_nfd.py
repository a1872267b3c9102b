"""Names typed in decomposed Unicode get the pipeline's own verdict in the template.

Vietnamese typing tools in their "Unicode tổ hợp" mode (Unikey, EVKey) type a precomposed
base letter (â ê ô ơ ư ă đ) followed by a combining tone mark; macOS hands over full NFD.
The pipeline reads either as the listed name (`Form.code_for` compares NFC: no finding), or,
for a usual spelling such as the name without its prefix, as the template's table lists it
(`spellings.usual_spelling_of`: NAME_READ_AS, a warning). A formula cannot compose Unicode,
so the template's hidden lists hold those spellings too (`spellings.read_names`); before, the
template called every one of them "không có trong danh sách", an error. A name misspelt
beyond the usual spellings is an error in both (issue #23: one verdict). Each case is typed by the project's
filler into a generated template, recalculated by LibreOffice and compared with `check`.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from pipeline.filler import fill
from pipeline.rules.findings import ERROR
from pipeline.rules.spellings import read_names
from pipeline.run.consolidate import check_files
from pipeline.samples import valid_data
from tests import lo
from tests.conftest import template_for
from tests.test_livechecks_text import (
    LIVE,
    _pipeline_errors,
    _said_by_pipeline,
    _said_by_template,
    _template_counts,
)
from tests.test_livechecks_typed import DEPARTMENT, _name, _no_prefix, _results_cell

_TONES = "\u0300\u0301\u0309\u0303\u0323"


def nfd(text: str) -> str:
    """Full NFD, as macOS hands text over."""
    return unicodedata.normalize("NFD", text)


def tohop(text: str) -> str:
    """As a "Unicode tổ hợp" keyboard types it: each letter precomposed but for its tone
    mark, which follows it combining ("Hòn Đất" -> "Ho" + U+0300 + "n Đâ" + U+0301 + "t");
    written here from the characters' own decompositions, not from `livechecks`."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in parts if c in _TONES)
        out.append(unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES)) + tones)
    return "".join(out)


def _moved(_form, _code: str, name: str) -> str:
    """ "Thành phố Rạch Gía" for "Thành phố Rạch Giá": the tone on the other vowel."""
    return name.replace("Giá", "Gía")


@dataclass(frozen=True)
class Case:
    id: str
    mutate: Callable[[Any, dict[str, Any], dict[str, Any]], None]
    errors: int  # what `check` finds
    warning: str | None = None  # the warning `check` gives, named by the template too


CASES = [
    Case("region-nfd", _name(0, "region", lambda f, c, n: nfd(n)), 0),
    Case("region-tohop", _name(0, "region", lambda f, c, n: tohop(n)), 0),
    Case("category-nfd", _name(0, "category", lambda f, c, n: nfd(n)), 0),
    Case("category-tohop", _name(0, "category", lambda f, c, n: tohop(n)), 0),
    Case("code-name-tohop", _name(0, "region", lambda f, c, n: f"{c} - {tohop(n)}"), 0),
    Case("upper-nfd", _name(0, "region", lambda f, c, n: nfd(n.upper())), 0),
    Case("noprefix-tohop", _name(0, "region", lambda f, c, n: tohop(_no_prefix(f, c, n))), 0, "NAME_READ_AS"),
    Case("dup-tohop", _name(1, "region", lambda f, c, n: tohop(n), like=0), 1),
    Case(
        "dup-tohop-noprefix",
        _name(1, "region", lambda f, c, n: tohop(_no_prefix(f, c, n)), like=0),
        1,
        "NAME_READ_AS",
    ),
]


# a usual spelling in full NFD (the name without its prefix, as macOS hands it over), where it
# differs from what a "tổ hợp" keyboard types ("Hòn Đất": "Đâ" + U+0301 there, "Đa" + U+0302 +
# U+0301 here), is not in the table (the template's size): neither the template nor the
# pipeline reads it (`spellings.usual_spelling_of` compares the text as typed), one error each
def _hon_dat_nfd(form, data, _layout) -> None:
    data["results"][0]["region"] = None  # written raw, as typed
    data.setdefault("raw", []).append((*_results_cell(form, DEPARTMENT, 0, "region"), nfd("Hòn Đất")))


# misspelt beyond the usual spellings: the pipeline knows the name meant but, as the template
# cannot measure closeness, reads it as neither does: an error in both, offering the name
CASES += [
    Case("hon-dat-nfd", _hon_dat_nfd, 1),
    Case("region-letter-doubled", _name(0, "region", lambda f, c, n: n + n[-1]), 1),
    Case("region-trailing-dot", _name(0, "region", lambda f, c, n: n + "."), 1),
    Case("category-letter-dropped", _name(0, "category", lambda f, c, n: n[:-1]), 1),
]


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory, form, layout, template_dir) -> dict[str, Path]:
    """Every case filled into unit SYT's template and recalculated by one LibreOffice start."""
    base = tmp_path_factory.mktemp("livenfd")
    filled = {}
    for case in CASES:
        data = valid_data(form, DEPARTMENT, random.Random(f"nfd-{DEPARTMENT}"), layout)
        case.mutate(form, data, layout)
        filled[case.id] = fill(
            template_for(template_dir, form, DEPARTMENT), base / f"{case.id}.xlsx", layout, DEPARTMENT, data
        )
    return lo.recalculated(filled, tmp_path_factory.mktemp("livenfd-lo"))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_decomposed_name_gets_the_pipelines_verdict(case: Case, recalculated, layout, form) -> None:
    path = recalculated[case.id]
    (parsed,) = check_files(form, [path])
    assert sum(f.severity == ERROR for f in parsed.findings) == case.errors, parsed.findings
    warned = {f.code for f in parsed.findings if f.severity != ERROR and f.code in LIVE}
    assert warned == ({case.warning} if case.warning else set()), parsed.findings
    overview, counts = _template_counts(layout, path)
    assert {s: int(n) for s, n in counts.items() if n} == dict(_pipeline_errors(form, path)), counts
    assert overview.startswith(f"Còn {case.errors} lỗi" if case.errors else "Đạt"), overview
    assert _said_by_template(layout, path) == _said_by_pipeline(form, layout, path)


def test_the_typed_text_is_decomposed(recalculated, form) -> None:
    """The cells hold the decomposed text as typed (the file keeps it; nothing composed it)."""
    cell = next(kf.column for kf in form.blocks["results"].key_fields if kf.key == "region")
    row = form.rows_for(form.blocks["results"], form.units_by_code[DEPARTMENT])[0].row
    typed = openpyxl.load_workbook(recalculated["region-tohop"])[form.blocks["results"].sheet][f"{cell}{row}"]
    assert unicodedata.normalize("NFC", typed.value) != typed.value


def test_every_decomposed_spelling_is_read_as_its_item_by_the_pipeline(form) -> None:
    """The lists' decomposed spellings, each read by the pipeline as the item they stand for:
    an exact one by `code_for`, a close one by `nearest.read_as` alone."""
    from pipeline.rules import nearest

    for key, names in read_names(form).items():
        items = form.items(key)
        spelt = {text for text, _ in names.exact + names.close}
        for text, number in names.exact:
            assert form.code_for(key, text) == items[number - 1].code, text
        for text, number in names.close:
            assert form.code_for(key, text) is None, text
            assert nearest.read_as(form, key, text).code == items[number - 1].code, text
        for item in items:  # both decomposed forms of every listed name are there
            assert {nfd(item.name), tohop(item.name)} <= spelt | {item.name}, item.name
