"""Sheet extents of .ods, .xls and .xlsb files, found before calamine builds any grid.

Real .ods and .xls files made by LibreOffice from our templates are checked in
test_hostile.py (cases ods, legacy_xls, ods_repeated_value, xls_far_cell). Here: the
counting rules on small inputs, including .xlsb, which no program on this machine writes
(its records are built by hand from the format's specification, [MS-XLSB]).
"""

from __future__ import annotations

import struct

import pytest

from pipeline.read.formats.ods import ods_extents, ods_facts
from pipeline.read.formats.xlsb import xlsb_extent, xlsb_sheets

NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def _ods(*tables: str) -> bytes:
    body = "".join(tables)
    return (
        f'<?xml version="1.0"?><office:document-content {NS}><office:body><office:spreadsheet>'
        f"{body}</office:spreadsheet></office:body></office:document-content>"
    ).encode()


def test_ods_extent_counts_repeats_up_to_the_last_value() -> None:
    value = '<table:table-cell office:value-type="float" office:value="1"/>'
    blank = '<table:table-cell table:number-columns-repeated="{n}"/>'
    first = (
        '<table:table table:name="Kết quả">'
        f"<table:table-row>{blank.format(n=3)}{value}</table:table-row>"  # value in column 4
        f'<table:table-row table:number-rows-repeated="10">{blank.format(n=1024)}</table:table-row>'
        f'<table:table-row><table:table-cell table:number-columns-repeated="2" '
        f'office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>'
        # LibreOffice's trailing rows: styled, empty, repeated to the end of the sheet
        f'<table:table-row table:number-rows-repeated="1048564">{blank.format(n=1024)}</table:table-row>'
        "</table:table>"
    )
    second = (
        '<table:table table:name="A &amp; B">'
        '<table:table-row table:number-rows-repeated="90000">'
        '<table:table-cell table:number-columns-repeated="1000" office:value-type="float" office:value="1"/>'
        "</table:table-row></table:table>"
    )
    assert ods_extents(_ods(first, second)) == [("Kết quả", 12, 4), ("A & B", 90_000, 1_000)]


def test_ods_tables_the_form_does_not_read_give_their_extent_alone() -> None:
    """A table the form does not read (the template's hidden lists) costs its extent only:
    the same extent, no error or merge looked for."""
    error = (
        '<table:table-cell table:formula="of:=1/0" office:value-type="float" office:value="0" '
        'table:number-columns-spanned="2"><text:p>#DIV/0!</text:p></table:table-cell>'
    )
    table = '<table:table table:name="{0}"><table:table-row>{1}</table:table-row></table:table>'
    content = _ods(table.format("Kết quả", error), table.format("Danh mục", error))
    read, lists = ods_facts(content, lambda name: name == "Kết quả")
    assert (read.rows, read.columns, read.errors, read.merged) == (
        1,
        1,
        {"A1": "#DIV/0!"},
        [((0, 0), (0, 1))],
    )
    assert (lists.rows, lists.columns, lists.errors, lists.merged) == (1, 1, {}, [])


def _xlsb_record(kind: int, body: bytes) -> bytes:
    head = bytes([kind & 0x7F | (0x80 if kind > 0x7F else 0)]) + (bytes([kind >> 7]) if kind > 0x7F else b"")
    size, out = len(body), b""
    while True:
        out += bytes([size & 0x7F | (0x80 if size > 0x7F else 0)])
        size >>= 7
        if not size:
            break
    return head + out + body


def test_xlsb_extent_counts_cells_and_the_declared_dimension() -> None:
    def row(r: int) -> bytes:
        return _xlsb_record(0, struct.pack("<I", r) + bytes(13))

    def number(col: int) -> bytes:  # BrtCellReal: column, style and flags, then a double
        return _xlsb_record(5, struct.pack("<I", col) + bytes(4) + struct.pack("<d", 1.0))

    sheet = row(0) + number(0) + row(69_999) + number(99) + row(70_000)  # a last row with no cell
    assert xlsb_extent(sheet) == (70_000, 100)
    declared = _xlsb_record(148, struct.pack("<IIII", 0, 1_048_575, 0, 16_383))  # BrtWsDim
    assert xlsb_extent(declared + row(0) + number(0)) == (1_048_576, 16_384)
    with pytest.raises(ValueError):
        xlsb_extent(sheet[:-3])  # cut inside the last record


def test_xlsb_sheet_names_come_from_the_workbook_part() -> None:
    def wide(text: str) -> bytes:
        return struct.pack("<I", len(text)) + text.encode("utf-16-le")

    bundle = _xlsb_record(156, struct.pack("<II", 0, 1) + wide("rId1") + wide("Kết quả"))
    assert xlsb_sheets(bundle + _xlsb_record(3, b"")) == [("rId1", "Kết quả")]


def test_many_full_sheets_are_refused_together_before_calamine(form) -> None:
    """Each sheet within the limits, but eleven of them at full size: calamine would read them
    all (about 1.4 million cells), so the file is refused before it opens."""
    import io
    import zipfile

    from pipeline.read import reader

    lim = form.limits
    table = (
        '<table:table table:name="T{i}"><table:table-row table:number-rows-repeated="{rows}">'
        '<table:table-cell table:number-columns-repeated="{cols}" office:value-type="float" office:value="1"/>'
        "</table:table-row></table:table>"
    )
    count = reader.SHEETS_OF_CELLS + 1
    content = _ods(*(table.format(i=i, rows=lim.max_rows, cols=lim.max_columns) for i in range(count)))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    with pytest.raises(reader.ReadProblem) as caught:
        reader.read_book(buf.getvalue(), "nhieu-trang.ods", ["T0"], lim)
    assert caught.value.code == "FILE_TOO_LARGE"
    assert f"{count} trang" in caught.value.message
    assert ods_extents(content)[0] == ("T0", lim.max_rows, lim.max_columns)
