"""A commune's report with the unit name typed as an old ward's (brk14 F9, issue #23).

Since 01/7/2025 An Giang's units are the new communes; Phường Rạch Giá (30742) is the land of
nine old wards of Thành phố Rạch Giá, one of which had the code 30742 (Phường Vĩnh Thanh
Vân). A ward officer who unlocks the unit-name cell and types the old name ("UBND Phường
Vĩnh Thanh Vân") sends the right unit's report under an outdated name: it is read as the
unit's, with a warning naming the old ward and the merger (UNIT_FORMER_NAME), never the bare
"không khớp" error. An old ward whose land went to another unit is still UNIT_MISMATCH.
The files are the project's own template for the commune, filled by the project's filler.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from pipeline.filler import fill
from pipeline.form import SCHEMAS_DIR, layout_json, load_form
from pipeline.render.template import write_template
from pipeline.rules.bind import unit_read_as
from pipeline.rules.findings import ERROR, WARNING
from pipeline.rules.fixes import how_to_fix
from pipeline.run.consolidate import check_files
from pipeline.samples import valid_data

UNIT = "30742"  # UBND Phường Rạch Giá


@pytest.fixture(scope="module")
def ag():
    return load_form(SCHEMAS_DIR / "an-giang.toml")


@pytest.fixture(scope="module")
def made(ag, tmp_path_factory):
    """make(typed, name, unit=UNIT) -> the commune's filled file with `typed` in the
    unit-name cell."""
    base = tmp_path_factory.mktemp("former-names")
    layout = layout_json(ag)
    templates: dict[str, Path] = {}

    def make(typed: str, name: str, unit: str = UNIT) -> Path:
        if unit not in templates:
            templates[unit] = write_template(ag, ag.units_by_code[unit], base / f"t-{unit}")
        data = valid_data(ag, unit, random.Random(0), layout)
        data.setdefault("raw", []).append((ag.sheets["info"], ag.info_field("unit_name").cell, typed))
        return fill(templates[unit], base / f"{name}.xlsx", layout, unit, data)

    return make


FORMER = [
    # typed in the unit-name cell, the old ward it names
    ("UBND Phường Vĩnh Thanh Vân", "Phường Vĩnh Thanh Vân"),  # the old ward of the same code
    ("Phường Vĩnh Lạc", "Phường Vĩnh Lạc"),  # another ward merged into it
    ("UBND P. Vinh Lac", "Phường Vĩnh Lạc"),  # abbreviated, without accents
    ("Rạch Sỏi", "Phường Rạch Sỏi"),  # without its prefix
]


@pytest.mark.parametrize(("typed", "old"), FORMER, ids=[t for t, _ in FORMER])
def test_an_old_wards_name_is_read_as_the_unit_naming_the_merger(ag, made, typed, old):
    (parsed,) = check_files(ag, [made(typed, f"f{FORMER.index((typed, old))}")])
    cell = ag.info_field("unit_name").cell
    assert [(f.code, f.cell, f.severity) for f in parsed.findings] == [("UNIT_FORMER_NAME", cell, WARNING)], [
        f.message for f in parsed.findings
    ]
    (finding,) = parsed.findings
    unit = ag.units_by_code[UNIT]
    assert f"'{typed}' là tên cũ: {old} (Thành phố Rạch Giá, tỉnh Kiên Giang cũ)" in finding.message
    assert "nay thuộc Phường Rạch Giá, không còn từ 01/7/2025" in finding.message
    assert f"đọc là của {unit.name} (mã {UNIT})" in finding.message
    assert how_to_fix(ag, finding) == f"ghi tên đơn vị ở ô {cell} là «{unit.name}» như mẫu ghi sẵn"


@pytest.mark.parametrize(
    "typed",
    [
        "Phường Vĩnh Thông",  # an old ward of Rạch Giá city kept as another unit (30760)
        "Phường Mỹ Bình",  # an old ward of Long Xuyên: another unit's land
        "Xã Vĩnh Lạc",  # the old ward's name with another prefix: not its name
    ],
)
def test_an_old_name_of_other_land_is_still_a_mismatch(ag, made, typed):
    (parsed,) = check_files(ag, [made(typed, "other")])
    assert [(f.code, f.severity) for f in parsed.findings] == [("UNIT_MISMATCH", ERROR)]


@pytest.mark.parametrize(
    ("unit", "typed"),
    [
        ("30790", "Xã Hòa Điền"),  # its own name without "UBND": an old commune merged into it had it too
        ("30292", "Phường Bình Đức"),  # likewise (old Phường Bình Đức, 30289, merged into it)
        ("30292", "Bình Đức"),  # its own short name
        ("30811", "Xã Sơn Hải"),  # a commune kept as it was ("giữ nguyên")
    ],
)
def test_the_units_own_name_is_read_as_it_never_called_old(ag, made, unit, typed):
    """brk16 F1: "Xã Hòa Điền" typed by UBND Xã Hòa Điền was told it no longer exists."""
    (parsed,) = check_files(ag, [made(typed, f"own-{unit}-{len(typed)}", unit)])
    assert [(f.code, f.severity) for f in parsed.findings] == [("NAME_READ_AS", WARNING)]
    (finding,) = parsed.findings
    name = ag.units_by_code[unit].name
    assert f"không đúng như tên mẫu ghi sẵn; đã đọc là '{name}'" in finding.message
    # the cell has no list to choose from (brk40 F7): the name the template wrote is the fix
    assert finding.message.endswith("lần sau hãy để nguyên tên đơn vị mẫu ghi sẵn")
    cell = ag.info_field("unit_name").cell
    assert how_to_fix(ag, finding) == f"ghi tên đơn vị ở ô {cell} là «{name}» như mẫu ghi sẵn"


@pytest.mark.parametrize("typed", ["UBND Xã Bình An", "Bình An"])
def test_an_old_name_that_a_unit_of_today_has_is_still_a_mismatch(ag, made, typed):
    """brk16 F2: old Xã Bình An went to Xã Kiên Lương (30787), but Xã Bình An (30898) is a
    unit of today: its name in Kiên Lương's file may be the wrong unit's report, so the file
    is refused (it was accepted for Kiên Lương with a warning)."""
    (parsed,) = check_files(ag, [made(typed, f"today-{len(typed)}", "30787")])
    assert [(f.code, f.severity) for f in parsed.findings] == [("UNIT_MISMATCH", ERROR)]


def test_an_old_towns_name_under_its_own_prefix_is_the_old_place(ag, made):
    """Old Thị trấn Vĩnh Thuận went to Xã Vĩnh Phong (31051); Xã Vĩnh Thuận is a unit of
    today. Typed with the town's prefix it names the old town alone, so Vĩnh Phong's file is
    read with the warning; typed bare ("Vĩnh Thuận") it may be today's commune: an error."""
    (parsed,) = check_files(ag, [made("Thị trấn Vĩnh Thuận", "town", "31051")])
    assert [(f.code, f.severity) for f in parsed.findings] == [("UNIT_FORMER_NAME", WARNING)]
    (parsed,) = check_files(ag, [made("UBND Vĩnh Thuận", "town-bare", "31051")])
    assert [(f.code, f.severity) for f in parsed.findings] == [("UNIT_MISMATCH", ERROR)]


@pytest.mark.parametrize(
    ("unit", "typed"),
    [
        ("30790", "UBND xã Hòa Điền, tỉnh An Giang"),  # the province after a comma
        ("30790", "UBND xã Hòa Điền (huyện Kiên Lương cũ)"),  # the old district in brackets
        ("30790", "Ủy ban nhân dân xã Hòa Điền - tỉnh An Giang"),
        ("30790", "UBND xã Hòa Điền tỉnh An Giang"),  # the province without a mark
        ("30790", "UBND Xã Hòa Điền – An Giang"),  # an en dash
        ("30790", "X.Hòa Điền"),  # "X." for xã
        ("30742", "UBND P. Rạch Giá, T. An Giang"),
        # brk17 F4: a hyphen without spaces, U+2010, a bar, an underscore, full-width brackets
        ("30790", "UBND Xã Hòa Điền-An Giang"),
        ("30790", "UBND Xã Hòa Điền \u2010 An Giang"),
        ("30790", "UBND Xã Hòa Điền | An Giang"),
        ("30790", "UBND Xã Hòa Điền _ An Giang"),
        ("30790", "UBND Xã Hòa Điền（cũ）"),
        ("30790", "UBND Xã Hòa Điền mới"),
    ],
)
def test_the_units_own_name_with_a_note_after_it_is_read_as_it(ag, made, unit, typed):
    """brk16 F3: offices write the province or the old district after the name, or "X." for
    xã; the file was refused as another unit's report (UNIT_MISMATCH)."""
    (parsed,) = check_files(ag, [made(typed, f"note-{unit}-{len(typed)}", unit)])
    assert [(f.code, f.severity) for f in parsed.findings] == [("NAME_READ_AS", WARNING)]
    assert f"đã đọc là '{ag.units_by_code[unit].name}'" in parsed.findings[0].message


@pytest.mark.parametrize(
    ("unit", "typed", "code"),
    [
        ("30790", "UBND Xã Kiên Lương, tỉnh An Giang", "UNIT_MISMATCH"),  # another unit, its note
        ("30790", "Xã Kiên Lương (Hòa Điền)", "UNIT_MISMATCH"),  # the name is another unit's
        ("30787", "Xã Bình An, huyện Kiên Lương", "UNIT_MISMATCH"),  # a unit of today's name
        ("30742", "UBND Phường Vĩnh Thanh Vân (cũ)", "UNIT_FORMER_NAME"),  # an old name, a note
        ("31051", "Thị trấn Vĩnh Thuận - huyện Vĩnh Thuận", "UNIT_FORMER_NAME"),
        # brk17 F1: another unit's name with "UBND" before it was close enough to the unit's
        # own, compared with it alone, and read as it
        ("30292", "UBND Phường Vĩnh Tế", "UNIT_MISMATCH"),
        ("30292", "UBND Phường Vĩnh Tế, tỉnh An Giang", "UNIT_MISMATCH"),
        ("30316", "UBND Phường Tân Châu (cũ)", "UNIT_MISMATCH"),
    ],
)
def test_a_note_never_makes_another_name_the_units(ag, made, unit, typed, code):
    """The name before the note is read as the name typed would be: another unit's name is
    still an error, an old name of the unit's land still the warning naming the merger."""
    (parsed,) = check_files(ag, [made(typed, f"other-note-{unit}-{len(typed)}", unit)])
    assert [f.code for f in parsed.findings] == [code], [f.message for f in parsed.findings]


def test_no_other_units_name_is_read_as_the_units_with_or_without_a_note(ag):
    """brk17 F1: every pair of An Giang's and Kiên Giang's units, the other's name typed bare
    and with a note, is never read as the unit's own (674 pairs were, with "UBND")."""
    kg = load_form(SCHEMAS_DIR / "kien-giang.toml")
    for form in (ag, kg):
        units = form.units[:40]  # every kind of name, in a time the suite affords
        read = [
            (u.code, typed)
            for u in units
            for v in form.units
            if v.code != u.code
            for typed in (v.name, f"{v.name}, tỉnh An Giang", f"{v.name} (cũ)")
            if unit_read_as(form, u.code, typed) is not None
        ]
        assert read == []


def test_a_name_holding_a_mark_itself_is_cut_at_the_note_not_inside_it():
    """brk17 F4: "Sở Lao động - Thương binh và Xã hội, tỉnh Kiên Giang" was cut at the
    name's own " - " and refused as another unit's report."""
    kg = load_form(SCHEMAS_DIR / "kien-giang.toml")
    (unit,) = [u for u in kg.units if u.name == "Sở Lao động - Thương binh và Xã hội"]
    typings = (f"{unit.name}, tỉnh Kiên Giang", f"{unit.name} tỉnh Kiên Giang", f"{unit.name} (cũ)")
    for typed in (*typings, f"{unit.name}, Kiên Giang", f"{unit.name} | KG"):
        assert unit_read_as(kg, unit.code, typed) == unit.name, typed


def test_a_name_of_another_unit_today_is_said_so_with_what_to_do(ag, made):
    """brk48 F1: a commune's officer types its own name over another commune's template: the
    name is that unit's today, not "tên cũ" of an old commune; the message says what to do."""
    other = ag.units_by_code["30341"]
    (parsed,) = check_files(ag, [made("UBND xã Khánh Bình", "khanh-binh", "30337")])
    assert [(f.code, f.severity) for f in parsed.findings] == [("UNIT_MISMATCH", ERROR)]
    message = parsed.findings[0].message
    assert f"đây là tên của {other.name} (mã 30341), một đơn vị khác" in message and "tên cũ" not in message
    assert message.endswith("nếu tệp là của đơn vị khác, dùng mẫu Sở gửi cho đơn vị đó")


@pytest.mark.parametrize("typed", ["UBND Xã Tân Thành", "UBND Xa Tan Thanh"])
def test_an_old_name_spelt_like_another_units_is_the_units_own_old_name(ag, made, typed):
    """brk40 F2: old Xã Tân Thành (Tân Hiệp) went to Xã Tân Hội (30856); today's Xã Tân
    Thạnh (31031) folds alike. In Tân Hội's file both spellings are its own old name (a
    warning), not "không khớp"; in Tân Thạnh's file the old name as written is another
    land's: an error, never read as Tân Thạnh by its folded spelling."""
    (parsed,) = check_files(ag, [made(typed, f"tan-hoi-{len(typed)}-{typed[5]}", "30856")])
    assert [(f.code, f.severity) for f in parsed.findings] == [("UNIT_FORMER_NAME", WARNING)]
    assert (
        "Xã Tân Thành (Huyện Tân Hiệp, tỉnh Kiên Giang cũ), nay thuộc Xã Tân Hội"
        in parsed.findings[0].message
    )
    assert unit_read_as(ag, "31031", "UBND Xã Tân Thành") is None
    (parsed,) = check_files(ag, [made("UBND Xã Tân Thành", "tan-thanh", "31031")])
    assert [(f.code, f.severity) for f in parsed.findings] == [("UNIT_MISMATCH", ERROR)]
    assert (
        "(UBND Xã Tân Thạnh); đây là tên cũ: Xã Tân Thành (Huyện Tân Hiệp, tỉnh Kiên Giang cũ), nay thuộc Xã "
        "Tân Hội. Hãy để nguyên tên mẫu ghi sẵn («UBND Xã Tân Thạnh»)"
    ) in parsed.findings[0].message
    assert unit_read_as(ag, "31031", "Xã Tân Thạnh") == "UBND Xã Tân Thạnh"  # its own, as written
