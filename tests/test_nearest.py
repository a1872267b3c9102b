"""Issue #13: did you mean. A name close to a listed one is read as it, with a warning;
otherwise the error names the nearest listed names (rapidfuzz)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.form import load_form
from pipeline.rules.bind import unit_read_as
from pipeline.rules.nearest import Match, fold, near_text, read_as
from pipeline.rules.spellings import usual_spelling_of
from pipeline.run.consolidate import check_files

FORM = load_form()

READ_AS = [
    # (list, typed, listed name it is read as)
    ("region", "Huyen Hon Dat", "Huyện Hòn Đất"),  # accents missing
    ("region", "Hòn Đất", "Huyện Hòn Đất"),  # prefix missing
    ("region", "hon dat", "Huyện Hòn Đất"),
    ("region", "TP Rạch Giá", "Thành phố Rạch Giá"),  # abbreviation
    ("region", "TP. Rach Gia", "Thành phố Rạch Giá"),
    ("region", "H. Giồng Riềng", "Huyện Giồng Riềng"),
    ("region", "Huyện Hòn Đấtt", "Huyện Hòn Đất"),  # a typo
    ("region", "Huyện Vỉnh Thuận", "Huyện Vĩnh Thuận"),  # wrong tone mark
    ("region", "Phú Quốc", "Thành phố Phú Quốc"),
    ("category", "Kham chua benh", "Khám, chữa bệnh"),
    ("category", "Bua an dinh duong tre mam non", "Bữa ăn dinh dưỡng trẻ mầm non"),
    ("category", "Đồ ấm, trang phục", "Đồ ấm - trang phục"),
    ("source", "doanh nghiep", None),  # filled below from the list: sources by their own names
]

UNKNOWN = [
    # (list, typed, nearest names the error must offer)
    ("region", "Huyện An", ("Huyện An Biên", "Huyện An Minh")),  # ambiguous
    ("category", "Bữa ăn dinh dưỡng", ("Bữa ăn dinh dưỡng trẻ mầm non", "Bữa ăn dinh dưỡng trẻ tiểu học")),
    ("region", "Xyz", ()),  # nothing close: no suggestion
    # A district of another province shares only the word "huyện" with the list: nothing is
    # offered, least of all the provincial level "Cấp tỉnh (không phân theo huyện)".
    ("region", "Huyện Thới Bình", ()),
    ("region", "Huyện Cái Nước", ()),
]


@pytest.mark.parametrize(("key", "typed", "name"), READ_AS, ids=[t for _, t, _ in READ_AS])
def test_close_name_is_read_as_the_listed_one(key, typed, name):
    if name is None:  # a source typed without accents reads as itself
        item = FORM.items(key)[0]
        typed, name = fold(item.name), item.name
    hit = read_as(FORM, key, typed)
    assert hit.name == name
    assert hit.code == next(i.code for i in FORM.items(key) if i.name == name)


@pytest.mark.parametrize(("key", "typed", "offered"), UNKNOWN, ids=[t for _, t, _ in UNKNOWN])
def test_unclear_name_is_unknown_and_offers_the_nearest(key, typed, offered):
    hit = read_as(FORM, key, typed)
    assert hit.code is None
    assert set(offered) <= set(hit.choices)
    if not offered:
        assert hit.choices == ()


def test_suggestions_compare_names_without_their_prefixes():
    """The 2025 list's "Đặc khu" is a prefix like "Xã": typed with the wrong one, the special
    zone is offered first."""
    an_giang = load_form(Path(__file__).parents[1] / "schemas" / "an-giang.toml")
    hit = read_as(an_giang, "region", "Xa Phu Quocc")
    assert hit.code is None
    assert hit.choices[0] == "Đặc khu Phú Quốc"
    assert read_as(an_giang, "region", "Phú Quốc").name == "Đặc khu Phú Quốc"


def test_fold():
    assert fold("TP. Rạch Giá") == "thanh pho rach gia"
    assert fold("UBND Huyện Hòn Đất") == "uy ban nhan dan huyen hon dat"


def test_unit_name_close_to_the_registry_is_read_with_a_warning(make_file):
    unit = FORM.units_by_code["903"]
    path, _ = make_file(
        unit.code,
        lambda d: d.setdefault("raw", []).append(
            (FORM.sheets["info"], FORM.info_field("unit_name").cell, "UBND Huyen Hon Dat")
        ),
    )
    (parsed,) = check_files(FORM, [path])
    assert [(f.code, f.cell) for f in parsed.findings] == [
        ("NAME_READ_AS", FORM.info_field("unit_name").cell)
    ]
    assert f"đã đọc là '{unit.name}'" in parsed.findings[0].message


def test_unit_name_of_another_unit_is_still_an_error(make_file):
    path, _ = make_file(
        "903",
        lambda d: d.setdefault("raw", []).append(
            (FORM.sheets["info"], FORM.info_field("unit_name").cell, "UBND Huyện An Minh")
        ),
    )
    (parsed,) = check_files(FORM, [path])
    assert [f.code for f in parsed.findings] == ["UNIT_MISMATCH"]


# ----- the administrative level a prefix names (the new-user pass on An Giang) ----------------
# Since 01/7/2025 a district's land is several communes: "Huyện Gò Quao" typed in An Giang's
# list of communes is never read as "Xã Gò Quao" (nor "UBND Huyện …" as a commune's UBND),
# neither by the short name nor by similarity; without a prefix the short name still reads.
AN_GIANG = load_form(Path(__file__).parents[1] / "schemas" / "an-giang.toml")
CONFIGS = {"kg": FORM, "ag": AN_GIANG}

LEVELS = [
    # (configuration, typed, listed name it is read as, or None: unknown)
    ("ag", "Huyện Gò Quao", None),  # a former district: four communes now
    ("ag", "Huyện Hòn Đất", None),
    ("ag", "Thành phố Rạch Giá", None),
    ("ag", "TP. Rạch Giá", None),
    ("ag", "Huyện Châu Thành", None),  # a district of both old provinces
    ("ag", "Thành phố Long Xuyên", None),
    ("ag", "Thị xã Tân Châu", None),
    ("ag", "Thành phố Phú Quốc", None),
    ("ag", "H. Gò Quao", None),  # abbreviated prefix
    ("ag", "Huyện Vĩnh Thạnh Trung", None),  # no such district: still another level
    ("ag", "Huyen Vinh Thanh Trungg", None),  # … by similarity too
    ("ag", "Hòn Đất", "Xã Hòn Đất"),  # typed without a prefix: as today
    ("ag", "Gò Quao", "Xã Gò Quao"),
    ("ag", "Long Xuyên", "Phường Long Xuyên"),
    ("ag", "Xa Go Quao", "Xã Gò Quao"),
    ("ag", "Phường Hòn Đất", "Xã Hòn Đất"),  # another prefix of the same level
    ("ag", "Thị trấn Gò Quao", "Xã Gò Quao"),
    ("ag", "Phu Quoc", "Đặc khu Phú Quốc"),
    ("kg", "Thành phố Phú Quốc", "Thành phố Phú Quốc"),  # listed in Kiên Giang's list
    ("kg", "Huyện Phú Quốc", "Thành phố Phú Quốc"),  # same level
    ("kg", "Thị xã Hà Tiên", "Thành phố Hà Tiên"),
    ("kg", "Xã Hòn Đất", None),  # a commune is not its district
    ("kg", "Phường Rạch Giá", None),
    ("kg", "Xa Hon Datt", None),
]


@pytest.mark.parametrize(("config", "typed", "name"), LEVELS, ids=[f"{c}-{t}" for c, t, _ in LEVELS])
def test_a_name_of_another_level_is_never_read_as_the_listed_one(config, typed, name):
    form = CONFIGS[config]
    hit = read_as(form, "region", typed)
    assert hit.name == name
    if name is not None:
        assert hit.code == next(i.code for i in form.items("region") if i.name == name)


@pytest.mark.parametrize(
    ("typed", "unit"),
    [("UBND Huyện Vĩnh Thạnh Trung", "UBND Xã Vĩnh Thạnh Trung"), ("UBND Huyện Gò Quao", "UBND Xã Gò Quao")],
)
def test_a_districts_ubnd_is_not_the_communes(typed, unit):
    """The unit's name: "UBND Huyện Vĩnh Thạnh Trung" is close enough to "UBND Xã Vĩnh Thạnh
    Trung" by similarity (87+), but names another level."""
    code = next(u.code for u in AN_GIANG.units if u.name == unit)
    assert unit_read_as(AN_GIANG, code, typed) is None
    assert unit_read_as(AN_GIANG, code, unit.replace("Xã", "Xa")) == unit


FORMER = [
    # (typed, the groups the error names: (old province, the new units on the district's land))
    (
        "Huyện Gò Quao",
        [("Kiên Giang", ("Xã Gò Quao", "Xã Vĩnh Hòa Hưng", "Xã Định Hòa", "Xã Vĩnh Tuy"))],
    ),
    ("TP Rach Gia", [("Kiên Giang", ("Phường Rạch Giá", "Phường Vĩnh Thông"))]),
    ("UBND Thành phố Rạch Giá", [("Kiên Giang", ("Phường Rạch Giá", "Phường Vĩnh Thông"))]),
    (
        "Thành phố Long Xuyên",
        [("An Giang", ("Phường Long Xuyên", "Phường Bình Đức", "Phường Mỹ Thới", "Xã Mỹ Hòa Hưng"))],
    ),
    ("Thành phố Phú Quốc", [("Kiên Giang", ("Đặc khu Phú Quốc", "Đặc khu Thổ Châu"))]),
    (
        "Huyện Châu Thành",
        [
            ("An Giang", ("Xã An Châu", "Xã Bình Hòa", "Xã Cần Đăng", "Xã Vĩnh Hanh", "Xã Vĩnh An")),
            ("Kiên Giang", ("Xã Châu Thành", "Xã Thạnh Lộc", "Xã Bình An")),
        ],
    ),
]


@pytest.mark.parametrize(("typed", "groups"), FORMER, ids=[t for t, _ in FORMER])
def test_an_old_districts_error_names_the_new_units_on_its_land(typed, groups):
    text = near_text(AN_GIANG, "region", typed)
    assert "cấp huyện cũ, không còn từ 01/7/2025" in text
    assert "báo cáo riêng cho từng xã, phường, đặc khu mới" in text
    assert ("có ở cả hai tỉnh cũ" in text) == (len(groups) > 1)
    assert "có phải là" not in text  # never offered as the same-named commune
    listed = {i.name for i in AN_GIANG.items("region")}
    parts = text.split("; ")
    for province, new in groups:
        (part,) = [p for p in parts if f"(tỉnh {province} cũ), địa bàn nay thuộc" in p]
        named = part.split("địa bàn nay thuộc ")[1].split(". ")[0].split(", ")
        assert named == list(new)
        assert set(named) <= listed


def test_without_a_crosswalk_the_suggestions_stay():
    """Kiên Giang's configuration has no crosswalk: a commune's name is unknown there and the
    error offers its district; a misspelt name offers the nearest as before."""
    assert near_text(FORM, "region", "Xã Hòn Đất") == "; có phải là 'Huyện Hòn Đất'?"
    assert "Huyện An Biên" in near_text(FORM, "region", "Huyện An")
    # in An Giang, a name of another level that was no district offers the commune
    assert read_as(AN_GIANG, "region", "Huyện Vĩnh Thạnh Trung").choices[0] == "Xã Vĩnh Thạnh Trung"
    assert near_text(AN_GIANG, "region", "Huyện Xyz") == ""


FORMER_COMMUNES = [
    # (typed, the listed name it is read as or None, the new units the error names)
    ("Thị trấn Vĩnh Thuận", None, ("Xã Vĩnh Phong",)),  # not Xã Vĩnh Thuận
    ("TT Vinh Thuan", None, ("Xã Vĩnh Phong",)),
    ("Thị trấn Vĩnh Bình", None, ("Xã Vĩnh An",)),  # not Xã Vĩnh Bình
    ("Phường Long Thạnh", None, ("Phường Tân Châu",)),  # not Xã Long Thạnh
    ("Phường Mỹ Bình", None, ("Phường Long Xuyên",)),
    ("Thị trấn Gò Quao", "Xã Gò Quao", ()),  # went wholly to the commune of its name
    ("Xã Vĩnh Hòa", "Xã Vĩnh Hòa", ()),  # a listed name, even if an old commune had it too
]


@pytest.mark.parametrize(("typed", "name", "new"), FORMER_COMMUNES, ids=[t for t, _, _ in FORMER_COMMUNES])
def test_an_old_commune_is_read_only_as_where_it_went(typed, name, new):
    hit = read_as(AN_GIANG, "region", typed)
    assert hit.name == name
    if name is None:
        text = near_text(AN_GIANG, "region", typed)
        assert text.startswith("; đây là tên xã, phường, thị trấn cũ, không còn từ 01/7/2025: ")
        assert text.split("nay thuộc ")[1].split(". ")[0].split(", ") == list(new)


AMBIGUOUS = [
    # (typed, the listed name it may be, the old commune gone elsewhere it may be, its new unit)
    ("Xa Tan Thanh", "Xã Tân Thạnh", "Xã Tân Thành", "Xã Tân Hội"),  # brk40 F1: was Xã Tân Thạnh
    ("Tan Thanh", "Xã Tân Thạnh", "Xã Tân Thành", "Xã Tân Hội"),
    ("Xã Tân Thanh", "Xã Tân Thạnh", "Xã Tân Thành", "Xã Tân Hội"),  # a mark left out
    ("Vĩnh Thuận", "Xã Vĩnh Thuận", "Thị trấn Vĩnh Thuận", "Xã Vĩnh Phong"),
    ("Mỹ Đức", "Xã Mỹ Đức", "Phường Mỹ Đức", "Phường Hà Tiên"),
    ("Long Thạnh", "Xã Long Thạnh", "Phường Long Thạnh", "Phường Tân Châu"),
]


@pytest.mark.parametrize(("typed", "listed", "old", "new"), AMBIGUOUS, ids=[t for t, *_ in AMBIGUOUS])
def test_a_name_both_listed_and_of_an_old_commune_gone_elsewhere_is_neither(typed, listed, old, new):
    """A region typed as both a listed unit's name and an old commune's whose land went
    elsewhere is not read (its figures would land in the wrong commune), in the pipeline and
    in the template's table alike; the error names both."""
    assert read_as(AN_GIANG, "region", typed) == Match(None, None)
    assert usual_spelling_of(AN_GIANG, "region", typed) is None
    text = near_text(AN_GIANG, "region", typed)
    assert text.startswith(
        f"; tên này có thể là '{listed}' hoặc tên xã, phường, thị trấn cũ (không còn từ 01/7/2025): "
    )
    assert (
        f"{old} (" in text
        and f"nay thuộc {new}" in text
        and text.endswith(". Hãy chọn đúng tên xã, phường, đặc khu mới trong danh sách")
    )


@pytest.mark.parametrize(
    ("typed", "name"),
    [("Xã Tân Thạnh", "Xã Tân Thạnh"), ("Tân Thạnh", "Xã Tân Thạnh"), ("X. Tân Thạnh", "Xã Tân Thạnh"),
     ("Xã Vĩnh Thuận", "Xã Vĩnh Thuận"), ("Gò Quao", "Xã Gò Quao"), ("Xã Hoà Điền", "Xã Hòa Điền")],
)  # fmt: skip
def test_the_marks_typed_tell_a_listed_name_from_an_old_one(typed, name):
    """Typed with its marks (the tone on either vowel) and a prefix of its own or none, a
    listed name is read, though an old commune folds alike."""
    assert read_as(AN_GIANG, "region", typed).name == name


@pytest.mark.parametrize(
    ("code", "typed", "fix"),
    [
        # read as the listed name: its fix names that name, never an old namesake's new unit
        ("NAME_READ_AS", "Tân Thạnh", "chọn lại ô B10 từ danh sách thả xuống: «Xã Tân Thạnh»"),
        # either a listed unit or an old commune gone elsewhere: no one name is offered
        ("REGION_UNKNOWN", "Tan Thanh", "chọn lại ô B10 từ danh sách thả xuống, không gõ tay"),
        ("REGION_UNKNOWN", "Vĩnh Thuận", "chọn lại ô B10 từ danh sách thả xuống, không gõ tay"),
        # an old commune's name as written: where it went
        (
            "REGION_UNKNOWN",
            "Xã Tân Thành",
            "chọn lại ô B10 từ danh sách thả xuống; nếu là «Xã Tân Hội», chọn «Xã Tân Hội»",
        ),
    ],
)
def test_the_fix_of_a_region_names_what_its_message_names(code, typed, fix):
    """brk44 F1: the "cách sửa" of "Tân Thạnh", read as Xã Tân Thạnh, said to choose Xã Tân
    Hội (where old Xã Tân Thành went), moving a figure read right into another commune; that
    of an either-or name named the old commune's new unit alone."""
    from pipeline.rules.findings import Finding
    from pipeline.rules.fixes import how_to_fix

    finding = Finding("f.xlsx", "SYT", "Kết quả", "B10", code, "warning", typed, "")
    assert how_to_fix(AN_GIANG, finding) == fix


def test_an_either_or_name_names_every_old_commune_it_may_be():
    """brk44 F6: "Tan Thanh" may also be old Xã Tân Thạnh of Tân Châu (now in Xã Tân An),
    spelt as today's Xã Tân Thạnh; "X. Tân Thạnh", whose marks rule the old names out, is
    offered the listed name alone."""
    text = near_text(AN_GIANG, "region", "Tan Thanh")
    assert "Xã Tân Thành (Huyện Tân Hiệp" in text and "nay thuộc Xã Tân Hội" in text
    assert "Xã Tân Thạnh (Thị xã Tân Châu" in text and "nay thuộc Xã Tân An" in text
    assert near_text(AN_GIANG, "region", "X. Tân Thạnh") == "; có phải là 'Xã Tân Thạnh'?"
