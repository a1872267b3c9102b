"""Issue #11: each limit on incoming files, on its own, at, just below and just above it.

For each limit of `[limits]` (file size, zip entries, uncompressed size, size of one part,
compression ratio, rows, columns, text length) a valid filled template is measured, and
the limit is set to the measured figure (accepted), one less (refused with that limit's
finding) and one more (accepted); every other limit keeps its shipped value. Files are real
templates filled through the form JSON, read with `check_files` like `make check`.
"""

from __future__ import annotations

import random
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from pipeline.filler import fill
from pipeline.form import load_form
from pipeline.read.extract import wanted_sheets
from pipeline.rules.findings import ERROR, show
from pipeline.run.consolidate import check_files
from pipeline.samples import valid_data

from .conftest import template_for

FORM = load_form()
UNIT = next(u.code for u in FORM.units if u.region)
RES = FORM.blocks["results"]
TEXT_FIELD = next(f for f in FORM.info_fields if f.type == "longtext")
RATIO_PART = "xl/media/padding.bin"
RATIO_CHECKED_ABOVE = 1_000_000  # bytes: a part this small is never judged by its ratio (reader)


def errors(path: Path, **limits: int) -> list[tuple[str, str]]:
    """(code, message) of every error `check` finds in the file, under changed limits."""
    form = load_form(overrides={"limits": limits})
    [parsed] = check_files(form, [path])
    return [(f.code, f.message) for f in parsed.findings if f.severity == ERROR]


def _padding(min_size: int) -> bytes:
    """Bytes that deflate (as zipfile does) to exactly an integer fraction of their size."""
    n = min_size
    for _ in range(100):
        z = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
        c = len(z.compress(b" " * n) + z.flush())
        if n % c == 0:
            return b" " * n
        n = (n // c + 1) * c
    raise AssertionError("no exact ratio found")


def with_extra_part(src: Path, dst: Path, name: str, data: bytes) -> Path:
    """A copy of the workbook with one more (unreferenced) part, as an embedded file would be."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info.filename))
        zout.writestr(name, data)
    return dst


@dataclass(frozen=True)
class Limit:
    id: str
    key: str  # the field of [limits]
    file: str  # which of the prepared files
    measure: Callable[[Path], int]  # the file's figure that the limit bounds
    code: str  # the finding when the figure is above the limit
    says: Callable[[int], str]  # a part of its message, given the limit


def _infos(path: Path) -> list[zipfile.ZipInfo]:
    with zipfile.ZipFile(path) as zf:
        return zf.infolist()


def _ratio(path: Path) -> int:
    [info] = [i for i in _infos(path) if i.filename == RATIO_PART]
    assert info.file_size > RATIO_CHECKED_ABOVE
    assert info.file_size % info.compress_size == 0, "the ratio is a whole number"
    return info.file_size // info.compress_size


def _part(target: str) -> str:
    """A relationship target of xl/workbook.xml as a zip part name (absolute or relative)."""
    return target[1:] if target.startswith("/") else f"xl/{target}"


def _form_sheet_bytes(path: Path) -> int:
    """Uncompressed size of the form's sheet parts together, found through the workbook's
    own sheet list and relationships (ECMA-376 Part 1 §18.2.19, Part 2 §9.3)."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    rel_id = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    with zipfile.ZipFile(path) as zf:
        book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
        target = {r.get("Id"): r.get("Target") for r in rels}
        wanted = set(wanted_sheets(FORM))
        parts = [
            _part(target[s.get(rel_id)])
            for s in book.iterfind("m:sheets/m:sheet", ns)
            if s.get("name") in wanted
        ]
        assert len(parts) == len(wanted), parts
        return sum(zf.getinfo(p).file_size for p in parts)


def _extent(path: Path, what: str) -> int:
    """How far the sheets an .xlsx is read by reach (the limits bound those)."""
    wb = openpyxl.load_workbook(path)
    return max(getattr(wb[s], what) for s in wb.sheetnames if s in wanted_sheets(FORM))


def _text_length(path: Path) -> int:
    wb = openpyxl.load_workbook(path)
    return len(wb[FORM.sheets["info"]][TEXT_FIELD.cell].value)


LIMITS = [
    Limit(
        "file-size",
        "max_file_bytes",
        "plain",
        lambda p: p.stat().st_size,
        "FILE_TOO_LARGE",
        lambda n: f"tối đa {show(n)}",
    ),
    Limit(
        "zip-entries",
        "max_zip_entries",
        "plain",
        lambda p: len(_infos(p)),
        "FILE_TOO_LARGE",
        lambda n: "quá nhiều thành phần",
    ),
    Limit(
        "uncompressed-size",
        "max_uncompressed_bytes",
        "plain",
        lambda p: sum(i.file_size for i in _infos(p)),
        "FILE_TOO_LARGE",
        lambda n: f"tệp khi giải nén quá lớn ({show(n + 1)} byte, tối đa {show(n)})",
    ),
    Limit(
        "part-size",
        "max_part_bytes",
        "plain",
        lambda p: max(i.file_size for i in _infos(p)),
        "FILE_TOO_LARGE",
        lambda n: f"khi giải nén quá lớn ({show(n + 1)} byte, tối đa {show(n)})",
    ),
    Limit(
        "sheet-data",
        "max_sheet_bytes",
        "plain",
        lambda p: _form_sheet_bytes(p),
        "FILE_TOO_LARGE",
        lambda n: f"dữ liệu các trang tính quá lớn ({show(n + 1)} byte khi giải nén, tối đa {show(n)})",
    ),
    Limit(
        "compression-ratio",
        "max_compression_ratio",
        "ratio",
        _ratio,
        "FILE_UNSAFE",
        lambda n: "tỉ lệ nén bất thường",
    ),
    Limit("rows", "max_rows", "far-row", lambda p: _extent(p, "max_row"), "FILE_TOO_LARGE", lambda n: "dòng"),
    Limit(
        "columns",
        "max_columns",
        "far-column",
        lambda p: _extent(p, "max_column"),
        "FILE_TOO_LARGE",
        lambda n: "cột",
    ),
    # a column of one letter (below 26 columns: a configuration may set so few)
    Limit(
        "columns-one-letter",
        "max_columns",
        "near-column",
        lambda p: _extent(p, "max_column"),
        "FILE_TOO_LARGE",
        lambda n: f"{n} cột",
    ),
    Limit(
        "text-length", "max_text_chars", "plain", _text_length, "TEXT_TOO_LONG", lambda n: f"tối đa {show(n)}"
    ),
]


@pytest.fixture(scope="module")
def files(template_dir, layout, tmp_path_factory) -> dict[str, Path]:
    """A valid filled template, and variants that reach further in one respect each."""
    base = tmp_path_factory.mktemp("limits")
    template = template_for(template_dir, FORM, UNIT)
    blank = openpyxl.load_workbook(template)
    far_row = max(ws.max_row for ws in blank.worksheets) + 10
    # the sheets an .xlsx is read by (the hidden lists sheet, with its reading cells, is not)
    read = set(wanted_sheets(FORM))
    widest = max(ws.max_column for ws in blank.worksheets if ws.title in read)
    assert widest + 5 <= 26
    near_column = get_column_letter(widest + 5)  # one letter
    far_column = get_column_letter(max(widest + 5, 30))  # two letters

    def make(name: str, raw: list[tuple[str, str, Any]]) -> Path:
        data = valid_data(FORM, UNIT, random.Random("limits"), layout)
        data["info"][TEXT_FIELD.key] = " ".join(["Khó khăn về nguồn lực vận động"] * 40)
        data["raw"] = raw
        return fill(template, base / f"{name}.xlsx", layout, UNIT, data)

    plain = make("plain", [])
    return {
        "plain": plain,
        "far-row": make("far-row", [(RES.sheet, f"A{far_row}", "ghi chú")]),
        "far-column": make("far-column", [(RES.sheet, f"{far_column}1", "ghi chú")]),
        "near-column": make("near-column", [(RES.sheet, f"{near_column}1", "ghi chú")]),
        "ratio": with_extra_part(
            plain, base / "ratio.xlsx", RATIO_PART, _padding(RATIO_CHECKED_ABOVE + 200_000)
        ),
    }


@pytest.mark.parametrize("limit", LIMITS, ids=[lim.id for lim in LIMITS])
def test_a_file_at_its_limit_is_accepted(files, limit: Limit):
    path = files[limit.file]
    figure = limit.measure(path)
    assert errors(path, **{limit.key: figure}) == []


@pytest.mark.parametrize("limit", LIMITS, ids=[lim.id for lim in LIMITS])
def test_a_file_just_below_its_limit_is_accepted(files, limit: Limit):
    path = files[limit.file]
    assert errors(path, **{limit.key: limit.measure(path) + 1}) == []


@pytest.mark.parametrize("limit", LIMITS, ids=[lim.id for lim in LIMITS])
def test_a_file_just_above_its_limit_is_refused_by_that_limit(files, limit: Limit):
    path = files[limit.file]
    below = limit.measure(path) - 1
    found = errors(path, **{limit.key: below})
    assert [code for code, _ in found] == [limit.code], found
    assert limit.says(below) in found[0][1]


def test_the_shipped_limits_accept_the_plain_file_and_refuse_the_bomb(files):
    """The shipped configuration: a normal filled template passes; the padded part's ratio
    (above a thousand) is refused."""
    assert errors(files["plain"]) == []
    assert _ratio(files["ratio"]) > FORM.limits.max_compression_ratio
    assert [code for code, _ in errors(files["ratio"])] == ["FILE_UNSAFE"]
