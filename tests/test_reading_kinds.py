"""Issue #25: files of every kind the inbox may hold, from any writer, read or refused by name.

Inputs are templates filled by the project's filler, then saved by the real writers
(LibreOffice, Gnumeric's ssconvert, SheetJS) or rewritten byte by byte the way other
writers spell them (namespace prefixes, part names in other case, relocated parts). Each
case asserts the outcome: the figures of the source, or a refusal that names the format and
says what to do, attributed to the unit.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from pipeline.form import load_form
from pipeline.read.parse import parse_path
from tests import lo

FORM = load_form()
RES = FORM.blocks["results"]
UNIT = FORM.units_by_code["899"]


def _figures(path: Path) -> tuple[list[str], dict[str, Any], Any]:
    p = parse_path(path, 1, FORM)
    rows = {b: [(r.row, r.key, r.measures) for r in recs] for b, recs in p.rows.items()}
    return [f"{f.code} {f.sheet}!{f.cell}" for f in p.findings], rows, p.info_row


def _rezip(src: Path, out: Path, change: Any = lambda name, data: data, rename: Any = lambda n: n) -> Path:
    """`src`'s members written again to `out`, each through `change(name, data)`, renamed."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info))
            kind = zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
            zout.writestr(zipfile.ZipInfo(rename(info.filename), info.date_time), data, compress_type=kind)
    return out


def _cell(measure: str, index: int) -> str:
    return f"{RES.measure_column(measure)}{FORM.rows_for(RES, UNIT)[index].row}"


# ----- every merged range over input cells is reported, not the first only -----------------
def test_every_merged_input_range_is_reported(make_file) -> None:
    src, _ = make_file("899")
    first, second = _cell("girls", 0), _cell("girls", 2)
    wb = openpyxl.load_workbook(src)
    ws = wb[RES.sheet]
    ranges = []
    for cell in (first, second):
        right = openpyxl.utils.get_column_letter(ws[cell].column + 1) + str(ws[cell].row)
        ws.merge_cells(f"{cell}:{right}")
        ranges.append(f"{cell}:{right}")
    wb.save(src)
    found = [f for f in parse_path(src, 0, FORM).findings if f.code == "MERGED_INPUT"]
    assert [f.cell for f in found] == [first, second]
    assert [r in f.message for f, r in zip(found, ranges, strict=True)] == [True, True]


# ----- .ods with other namespace prefixes: calamine finds no sheet, our reader reads it ------
def _ods_prefixes(name: str, data: bytes) -> bytes:
    """OpenDocument XML with the table/office/text namespaces bound to other prefixes (the
    names are the writer's choice: XML Namespaces 1.0 §3)."""
    if not name.endswith(".xml"):
        return data
    text = data.decode("utf-8")
    for old, new in (("table", "tbl"), ("office", "ofc"), ("text", "txt")):
        text = re.sub(rf"(?<=[<\s/]){old}:", f"{new}:", text).replace(f"xmlns:{old}=", f"xmlns:{new}=")
    return text.encode("utf-8")


@pytest.mark.libreoffice
def test_ods_with_other_namespace_prefixes_reads_as_libreoffice_wrote_it(make_file, tmp_path: Path) -> None:
    src, _ = make_file("899", seed=5)
    wb = openpyxl.load_workbook(src)
    wb[RES.sheet][_cell("girls", 1)] = "=1/0"
    wb.save(src)
    ods = lo.convert(src, tmp_path / "lo", "ods")
    prefixed = _rezip(ods, tmp_path / "prefixed.ods", _ods_prefixes)
    assert b"<tbl:table " in zipfile.ZipFile(prefixed).read("content.xml")
    want = _figures(ods)
    assert f"NUMBER_INVALID {RES.sheet}!{_cell('girls', 1)}" in want[0]
    assert sum(len(r) for r in want[1].values()) > 0
    assert _figures(prefixed) == want
