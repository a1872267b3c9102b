"""Issue #13: did you mean. A name close to a listed one is read as it, with a warning;
otherwise the error names the nearest listed names (rapidfuzz)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.form import load_form
from pipeline.rules.nearest import fold, read_as
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
