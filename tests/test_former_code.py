"""A commune reporting under its code from before 01/7/2025 (brk14 F4): An Giang's new units
kept old commune codes, and the crosswalk (`[history] crosswalk`) knows every old code. A file
whose code cell holds an old commune's code is told so at that cell (UNIT_FORMER_CODE: the
old place, the new unit it went to, what to do) and read as that new unit's refused file, so
that the unit is "bị từ chối", not "chưa gửi", and its letter asks for the right template;
before, it was "not in the list" for no unit. A code no unit ever had stays UNIT_UNKNOWN.

Files are the project's own: the new unit's template filled (`pipeline.filler`) with the old
code typed over its code cell, as a unit's officer does."""

from __future__ import annotations

import random

import pytest

from pipeline.filler import fill
from pipeline.form import SCHEMAS_DIR, layout_json, load_form
from pipeline.form.crosswalk import load_crosswalk
from pipeline.render.template import write_template
from pipeline.rules.findings import ERROR
from pipeline.run.consolidate import check_files
from pipeline.samples import valid_data


@pytest.fixture(scope="module")
def ag():
    return load_form(SCHEMAS_DIR / "an-giang.toml")


def _old_codes(form, partial: bool) -> tuple[str, str]:
    """(old commune code, a new unit's code it went to) of the crosswalk: an old code that is
    no unit's today, which went wholly to one unit (or, `partial`, was split)."""
    crosswalk = load_crosswalk(form)
    assert crosswalk is not None
    for link in crosswalk.links:
        links = crosswalk.successors(link.old_commune)
        if link.old_commune in form.units_by_code or link.new_code not in form.units_by_code:
            continue
        split = any(x.partial for x in links)
        if split == partial and (partial or len(links) == 1):
            return link.old_commune, link.new_code
    raise AssertionError("no such old code in the crosswalk")


def _file(form, tmp_path, unit: str, typed_code: str):
    layout = layout_json(form)
    template = write_template(form, form.units_by_code[unit], tmp_path / "mau")
    data = valid_data(form, unit, random.Random(unit), layout)
    info = form.info_field("unit_code")
    data.setdefault("raw", []).append((form.sheets["info"], info.cell, typed_code))
    return fill(template, tmp_path / f"{typed_code}.xlsx", layout, unit, data)


@pytest.mark.parametrize("partial", [False, True], ids=["merged", "split"])
def test_an_old_communes_code_is_told_and_read_as_the_new_units(ag, tmp_path, partial):
    old, new = _old_codes(ag, partial)
    (parsed,) = check_files(ag, [_file(ag, tmp_path, new, old)])
    errors = [f for f in parsed.findings if f.severity == ERROR]
    assert [f.code for f in errors] == ["UNIT_FORMER_CODE"], [f.message for f in errors]
    said = errors[0]
    assert said.cell == ag.info_field("unit_code").cell and said.value == old
    assert f"mã đơn vị '{old}' là mã cũ của" in said.message and f"mã {new})" in said.message
    assert "trước 01/7/2025" in said.message
    if partial:
        assert "xã cũ được chia" in said.message
    # the template's own unit (its hidden mark) is among the new units: the file is its own
    assert parsed.unit_code == new


def test_a_code_no_unit_ever_had_is_unknown(ag, tmp_path):
    _, new = _old_codes(ag, False)
    (parsed,) = check_files(ag, [_file(ag, tmp_path, new, "99999")])
    codes = [f.code for f in parsed.findings if f.severity == ERROR]
    assert "UNIT_UNKNOWN" in codes and "UNIT_FORMER_CODE" not in codes, codes


def test_the_templates_own_unit_wins_over_where_the_old_code_went(ag, tmp_path):
    """brk15 F5: unit A's own template with the code cell changed to a former code merged
    wholly into unit B: the file is A's (its hidden mark, its name), refused and told at the
    code's cell, never B's (which would be "bị từ chối" for a file it never sent)."""
    old, into = _old_codes(ag, False)
    own = next(u.code for u in ag.units if u.kind == ag.units_by_code[into].kind and u.code != into)
    (parsed,) = check_files(ag, [_file(ag, tmp_path, own, old)])
    assert parsed.unit_code == own
    assert [f.code for f in parsed.findings if f.severity == ERROR][:1] == ["UNIT_FORMER_CODE"]
