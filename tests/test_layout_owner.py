"""The template's geometry has one owner (pipeline/form/grid.py), read from layout.toml.

Move every block down, the information sheet's label and value columns right, and the
template, the form JSON, the filler and the extractor all follow with no code change: a
filled template reads back as the figures put in, with no layout finding. Block roles are
data: a layout that gives two blocks the same role is refused at load.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import openpyxl
import pytest

from pipeline.filler import fill
from pipeline.form import DEFAULT_FORM, SCHEMAS_DIR, FormError, layout_json, load_form
from pipeline.read.parse import parse_path
from pipeline.render.template import write_template
from pipeline.rules.findings import ERROR
from pipeline.samples import valid_data

MOVES = [  # (text of layout.toml, what replaces it)
    (
        'first_row = 5\nlabel_column = "B"\nvalue_column = "C"',
        'first_row = 7\nlabel_column = "C"\nvalue_column = "D"',
    ),
    (
        'title = "KẾT QUẢ HỖ TRỢ TRẺ EM THEO NỘI DUNG VÀ ĐỊA BÀN"\nfirst_row = 8',
        'title = "KẾT QUẢ HỖ TRỢ TRẺ EM THEO NỘI DUNG VÀ ĐỊA BÀN"\nfirst_row = 11',
    ),
    (
        'title = "NGUỒN LỰC ĐÃ VẬN ĐỘNG THEO NGUỒN"\nfirst_row = 7',
        'title = "NGUỒN LỰC ĐÃ VẬN ĐỘNG THEO NGUỒN"\nfirst_row = 9',
    ),
    (
        'title = "NHU CẦU HỖ TRỢ NĂM SAU THEO NỘI DUNG"\nfirst_row = 7',
        'title = "NHU CẦU HỖ TRỢ NĂM SAU THEO NỘI DUNG"\nfirst_row = 12',
    ),
]


def _config(folder: Path, moves: list[tuple[str, str]]) -> Path:
    """A copy of the shipped configuration whose layout.toml has `moves` applied."""
    layout = (SCHEMAS_DIR / "layout.toml").read_text(encoding="utf-8")
    for old, new in moves:
        assert layout.count(old) == 1, old
        layout = layout.replace(old, new)
    (folder / "layout.toml").write_text(layout, encoding="utf-8")
    shutil.copy(SCHEMAS_DIR / "bao-cao.toml", folder / "bao-cao.toml")
    config = folder / DEFAULT_FORM.name
    shutil.copy(DEFAULT_FORM, config)
    return config


@pytest.mark.parametrize("unit_code", ["899", "SYT"])  # a unit with a region; one choosing per row
def test_a_moved_layout_is_written_and_read_back(tmp_path, unit_code):
    form = load_form(_config(tmp_path, MOVES))
    shipped = load_form()
    assert form.info_grid.label_column == "C" and form.info_field("unit_code").cell == "D7"
    for key, shift in (("results", 3), ("resources", 2), ("needs", 5)):
        assert form.blocks[key].first_row == shipped.blocks[key].first_row + shift
    unit = form.units_by_code[unit_code]
    layout = layout_json(form)
    data = valid_data(form, unit_code, random.Random(7), layout)
    filled = fill(write_template(form, unit, tmp_path), tmp_path / "filled.xlsx", layout, unit_code, data)

    book = openpyxl.load_workbook(filled)
    info = book[form.sheets["info"]]
    assert info["C7"].value == "Mã đơn vị" and info["D7"].value == unit_code
    results = form.blocks["results"]
    sheet = book[results.sheet]
    assert sheet[f"A{results.first_row - 1}"].value == "(1)"
    assert sheet[f"A{form.total_row(results, unit)}"].value == "Tổng cộng"

    parsed = parse_path(filled, 1, form)
    assert [f.message for f in parsed.findings if f.severity == ERROR] == []
    assert not any(f.code == "LAYOUT_CHANGED" for f in parsed.findings)
    assert parsed.info_row["preparer"] == data["info"]["preparer"]
    measures = [m.key for m in results.measures]
    got = sorted((r["region"], r["category"], *(r[m] for m in measures)) for r in parsed.rows["results"])
    want = sorted((r["region"], r["category"], *(r[m] for m in measures)) for r in data["results"])
    assert got == want
    rows = {spec.row for spec in form.rows_for(results, unit)}
    assert {r["row"] for r in parsed.rows["results"]} <= rows and min(rows) == results.first_row
    sources = {r["source"]: (r["cash"], r["in_kind"]) for r in parsed.rows["resources"]}
    assert sources == {s: (v["cash"], v["in_kind"]) for s, v in data["resources"].items()}


@pytest.mark.parametrize(
    "moves",
    [
        [('balance = "resources"\n', 'balance = "support"\n')],  # two support sides
        [
            (
                'keys = [{ list = "category", label = "Nội dung hỗ trợ" }]\n',
                'keys = [{ list = "category", label = "Nội dung hỗ trợ" }]\nhistory = true\n',
            )
        ],
        [('rows = "unit_region"\n', 'rows = "by_region"\n')],
    ],
)
def test_block_roles_are_checked_at_load(tmp_path, moves):
    with pytest.raises(FormError):
        load_form(_config(tmp_path, moves))


def test_roles_name_their_blocks():
    form = load_form()
    assert form.support_block.key == "results" and form.resources_block.key == "resources"
    assert form.history_block.key == "results"
    assert [b.key for b in form.blocks.values() if b.rows_by_unit_region] == ["results"]
