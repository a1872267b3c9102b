"""Old district and city names in An Giang's list of new communes (the new-user pass).

A department's file of the An Giang configuration (schemas/an-giang.toml), made with the
template generator and the filler, with former districts typed in the region column: each
is an error at its cell (REGION_UNKNOWN) naming the new units on the district's land (both
old provinces' when both had that name), never read as the same-named commune; an old
town typed by its name is an error naming the commune it went to, never the commune of the
same short name; a commune typed without its prefix is still read as it, with a warning. The template's live checks,
recalculated by LibreOffice, give the same verdict and the same counts.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from pipeline.filler import fill
from pipeline.form import SCHEMAS_DIR, layout_json, load_form
from pipeline.render.template import write_template
from pipeline.rules import findings as fd
from pipeline.rules.findings import ERROR, WARNING
from pipeline.rules.fixes import how_to_fix
from pipeline.run.consolidate import check_files
from pipeline.samples import valid_data
from tests import lo

DEPARTMENT = "SYT"
TYPED = [
    # (typed in the region column, the new units the error must name; () for a name read)
    ("Huyện Gò Quao", ("Xã Gò Quao", "Xã Vĩnh Hòa Hưng", "Xã Định Hòa", "Xã Vĩnh Tuy")),
    ("Huyện Hòn Đất", ("Xã Hòn Đất", "Xã Mỹ Thuận", "Xã Bình Sơn", "Xã Bình Giang", "Xã Sơn Kiên")),
    ("Thành phố Rạch Giá", ("Phường Rạch Giá", "Phường Vĩnh Thông")),
    (
        "Huyện Châu Thành",
        ("Xã An Châu", "Xã Bình Hòa", "Xã Cần Đăng", "Xã Vĩnh Hanh", "Xã Vĩnh An")
        + ("Xã Châu Thành", "Xã Thạnh Lộc", "Xã Bình An"),
    ),
    ("Thành phố Long Xuyên", ("Phường Long Xuyên", "Phường Bình Đức", "Phường Mỹ Thới", "Xã Mỹ Hòa Hưng")),
    ("Hòn Đất", ()),  # without a prefix: Xã Hòn Đất, with a warning
    ("Thị trấn Vĩnh Thuận", ("Xã Vĩnh Phong",)),  # an old town, now in another commune
]
OLD_TOWN = len(TYPED) - 1


@pytest.fixture(scope="module")
def ag():
    return load_form(SCHEMAS_DIR / "an-giang.toml")


@pytest.fixture(scope="module")
def made(ag, tmp_path_factory) -> tuple[Path, dict[str, Any], list[str]]:
    """The department's file (filled, not recalculated), the layout, the region cells."""
    base = tmp_path_factory.mktemp("old-names")
    layout = layout_json(ag)
    data = valid_data(ag, DEPARTMENT, random.Random(0), layout)
    assert len(data["results"]) >= len(TYPED)
    for rec, (typed, _) in zip(data["results"], TYPED, strict=False):
        rec["region"] = typed
    (block,) = [b for b in layout["layouts"]["free_rows"]["repeating_blocks"] if b["block"] == "results"]
    cells = [f"{block['columns']['region']}{block['first_row'] + i}" for i in range(len(TYPED))]
    template = write_template(ag, ag.units_by_code[DEPARTMENT], base / "t")
    path = fill(template, base / "SYT.xlsx", layout, DEPARTMENT, data)
    assert [openpyxl.load_workbook(path)[block["sheet"]][c].value for c in cells] == [t for t, _ in TYPED]
    return path, layout, cells


def test_old_districts_are_errors_naming_the_new_communes(ag, made):
    path, _, cells = made
    (parsed,) = check_files(ag, [path])
    by_cell = {f.cell: f for f in parsed.findings if f.code in {"REGION_UNKNOWN", "NAME_READ_AS"}}
    assert set(by_cell) == set(cells), [(f.code, f.cell, f.message) for f in parsed.findings]
    for cell, (typed, new) in zip(cells, TYPED, strict=True):
        finding = by_cell[cell]
        if not new:
            assert (finding.code, finding.severity) == ("NAME_READ_AS", WARNING)
            assert "đã đọc là 'Xã Hòn Đất'" in finding.message
            continue
        assert (finding.code, finding.severity, finding.sheet) == ("REGION_UNKNOWN", ERROR, "Kết quả")
        assert f"'{typed}' không có trong danh sách" in finding.message
        old = "tên xã, phường, thị trấn cũ" if cell == cells[OLD_TOWN] else "cấp huyện cũ"
        assert f"{old}, không còn từ 01/7/2025" in finding.message
        assert all(name in finding.message for name in new), finding.message
        assert "đã đọc là" not in finding.message and "có phải là" not in finding.message
    assert by_cell[cells[0]].message == (
        f"Trang 'Kết quả', ô {cells[0]}: địa bàn 'Huyện Gò Quao' không có trong danh sách; đây là "
        "đơn vị cấp huyện cũ, không còn từ 01/7/2025: Huyện Gò Quao (tỉnh Kiên Giang cũ), địa bàn "
        "nay thuộc Xã Gò Quao, Xã Vĩnh Hòa Hưng, Xã Định Hòa, Xã Vĩnh Tuy. Số liệu cần báo cáo riêng "
        "cho từng xã, phường, đặc khu mới trên địa bàn đó; hãy chọn từ danh sách"
    )
    both = by_cell[cells[3]].message
    assert "có ở cả hai tỉnh cũ" in both
    assert both.index("(tỉnh An Giang cũ)") < both.index("Xã An Châu") < both.index("(tỉnh Kiên Giang cũ)")
    assert both.index("(tỉnh Kiên Giang cũ)") < both.index("Xã Châu Thành")
    assert sum(f.code == "NAME_READ_AS" for f in parsed.findings) == 1
    assert sum(f.severity == ERROR for f in parsed.findings) == len(TYPED) - 1


def test_the_template_agrees(ag, made, tmp_path):
    """LibreOffice recalculates the template's live checks: the same number of errors as the
    pipeline, sheet by sheet, and the prefix-less commune a warning there too."""
    path, layout, cells = made
    lo.require_soffice()
    got = lo.recalc_xlsx(path, tmp_path)
    wb = openpyxl.load_workbook(got, data_only=True)
    counts = {c["sheet"]: wb[c["sheet"]][c["errors_cell"]].value for c in layout["checks"]["sheets"]}
    (parsed,) = check_files(ag, [got])
    errors: dict[str, int] = {}
    for f in parsed.findings:
        if f.severity == ERROR:
            errors[f.sheet] = errors.get(f.sheet, 0) + 1
    assert errors == {"Kết quả": len(TYPED) - 1}
    assert {s: int(n) for s, n in counts.items() if n} == errors
    (sheet,) = [c for c in layout["checks"]["sheets"] if c["sheet"] == "Kết quả"]
    ws = wb["Kết quả"]
    texts = [str(ws[f"{sheet['row_text_column']}{c[1:]}"].value or "") for c in cells]
    read = [not new for _, new in TYPED]
    assert [t.startswith("Lỗi") for t in texts] == [not r for r in read], texts
    (warned,) = [t for t, r in zip(texts, read, strict=True) if r]
    assert warned.startswith("Cảnh báo") and "không đúng như trong danh sách" in warned, texts


def test_the_fix_names_the_new_unit_never_a_look_alike(ag, made):
    """The "cách sửa" of an old place's name (letters, feedback) names the one new unit its
    land went to wholly, else no name (the finding lists the new units); never the listed
    name that merely looks alike ("Huyện Châu Thành" is not "Xã Châu Thành", "Phường Mỹ Bình"
    is not "Xã Bình Mỹ")."""
    path, _, _ = made
    (parsed,) = check_files(ag, [path])
    fixes = {f.value: how_to_fix(ag, f) for f in parsed.findings if f.code == "REGION_UNKNOWN"}
    for typed, new in TYPED:
        if len(new) > 1:
            assert "nếu là" not in fixes[typed] and not any(f"«{n}»" in fixes[typed] for n in new), fixes[
                typed
            ]
    assert "«Xã Vĩnh Phong»" in fixes["Thị trấn Vĩnh Thuận"], fixes
    ward = fd.make(
        "REGION_UNKNOWN",
        "…",
        file="x.xlsx",
        unit=DEPARTMENT,
        sheet="Kết quả",
        cell="B11",
        value="Phường Mỹ Bình",
    )
    said = how_to_fix(ag, ward)
    assert "«Phường Long Xuyên»" in said and "Bình Mỹ" not in said, said
