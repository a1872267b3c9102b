"""The .xlsx parts the cell facts inflated go to the value reader stored
(`package.stored_for_value_reader`): python-calamine need not inflate them a second time,
and reads the same members, byte for byte, as in the file.

A package laid out otherwise than writers lay it out (a comment after the end record,
members out of the central directory's order), or a member
whose deflated stream does not end where its data do, is given to the value reader as it
is: where zip readers might find different members, or an inflater might read a member
otherwise, nothing is changed.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
import python_calamine as pc

from pipeline.form import load_form
from pipeline.read.extract import wanted_sheets
from pipeline.read.reader import check_before_reading, read_book
from tests.conftest import filled_report

FORM = load_form()
WANTED = wanted_sheets(FORM)


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    out = filled_report(FORM, tmp_path_factory.mktemp("stored"), 588)
    return out.read_bytes()


def _members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(info, zf.read(info.filename)) for info in zf.infolist()]


def _calamine(data: bytes) -> dict[str, list[list[Any]]]:
    """The wanted sheets' values as python-calamine reads them from `data`."""
    wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    try:
        return {name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in WANTED}
    finally:
        wb.close()


def _given(data: bytes) -> bytes:
    """The bytes the value reader is given for a file."""
    return check_before_reading(data, "a.xlsx", WANTED, FORM.limits)[0]


def test_the_inflated_parts_go_stored_with_the_same_bytes(filled: bytes) -> None:
    given = _given(filled)
    assert given != filled
    before, after = _members(filled), _members(given)
    assert [(i.filename, i.CRC, i.file_size, body) for i, body in before] == [
        (i.filename, i.CRC, i.file_size, body) for i, body in after
    ]
    methods = {i.filename: i.compress_type for i, _ in after}
    sheets = [i.filename for i, _ in before if i.filename.startswith("xl/worksheets/")]
    stored = [name for name in sheets if methods[name] == zipfile.ZIP_STORED]
    assert len(stored) == len(WANTED)  # the form's sheets, inflated for their facts
    assert methods["docProps/app.xml"] == zipfile.ZIP_DEFLATED  # not read: as it was
    with zipfile.ZipFile(io.BytesIO(given)) as zf:
        assert zf.testzip() is None
    assert _calamine(given) == _calamine(filled)
    book = read_book(filled, "a.xlsx", WANTED, FORM.limits)
    assert {name: sheet.rows for name, sheet in book.sheets.items()} == _calamine(filled)


def _rezipped(data: bytes, comment: bytes = b"", streamed: bool = False) -> bytes:
    """The same members, written again (with a comment after the end record, or as a
    writer to a stream writes them: sizes in data descriptors after each member's data)."""

    class Stream(io.RawIOBase):
        def __init__(self) -> None:
            self.buf = io.BytesIO()

        def writable(self) -> bool:
            return True

        def write(self, b: Any) -> int:
            return self.buf.write(b)

    out: Any = Stream() if streamed else io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, body in _members(data):
            zf.writestr(info.filename, body)
        zf.comment = comment
    return (out.buf if streamed else out).getvalue()


def _reordered(data: bytes) -> bytes:
    """The same members, the central directory listing them in another order than their
    data lie in (valid ZIP: each record says where its member is)."""
    members = _members(data)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, body in members:
            zf.writestr(info.filename, body)
        zf.filelist.reverse()
    return out.getvalue()


def test_a_package_written_with_data_descriptors_goes_stored(filled: bytes) -> None:
    streamed = _rezipped(filled, streamed=True)
    with zipfile.ZipFile(io.BytesIO(streamed)) as zf:
        assert all(info.flag_bits & 0x08 for info in zf.infolist())
    given = _given(streamed)
    assert given != streamed
    assert _calamine(given) == _calamine(streamed) == _calamine(filled)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: _rezipped(d, comment=b"made by a tool"),
        _reordered,
    ],
    ids=["comment", "directory in another order"],
)
def test_a_package_laid_out_otherwise_goes_as_it_is(filled: bytes, change: Any) -> None:
    changed = change(filled)
    assert _given(changed) == changed
    book = read_book(changed, "a.xlsx", WANTED, FORM.limits)
    assert {name: sheet.rows for name, sheet in book.sheets.items()} == _calamine(filled)


def test_a_member_whose_stream_ends_early_stays_deflated(filled: bytes, tmp_path: Path) -> None:
    """A sheet's deflated stream followed by bytes its data hold beyond the stream's end:
    zlib reads the member, another inflater might refuse it; it is given as it is."""
    with zipfile.ZipFile(io.BytesIO(_given(filled))) as zf:  # a sheet the facts inflate
        target = next(i.filename for i in zf.infolist() if i.compress_type == zipfile.ZIP_STORED)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, body in _members(filled):
            zf.writestr(info.filename, body)
    data = bytearray(out.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo(target)
        assert info.compress_type == zipfile.ZIP_DEFLATED
    # rebuild with the target's compressed data followed by 4 stray bytes (sizes in the records)
    rebuilt = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zi, zipfile.ZipFile(rebuilt, "w") as zo:
        for info in zi.infolist():
            raw = _raw(bytes(data), info)
            if info.filename == target:
                raw += b"\0\0\0\0"
            copy = zipfile.ZipInfo(info.filename, info.date_time)
            copy.compress_type = info.compress_type
            copy.CRC, copy.file_size, copy.compress_size = info.CRC, info.file_size, len(raw)
            zo.fp.write(copy.FileHeader())  # type: ignore[union-attr]
            copy.header_offset = zo.fp.tell() - len(copy.FileHeader())  # type: ignore[union-attr]
            zo.fp.write(raw)  # type: ignore[union-attr]
            zo.filelist.append(copy)
            zo.NameToInfo[copy.filename] = copy
            zo.start_dir = zo.fp.tell()  # type: ignore[union-attr]
    changed = rebuilt.getvalue()
    with zipfile.ZipFile(io.BytesIO(changed)) as zf:
        assert zf.read(target) == dict((i.filename, b) for i, b in _members(filled))[target]
    given = _given(changed)
    with zipfile.ZipFile(io.BytesIO(given)) as zf:
        assert zf.getinfo(target).compress_type == zipfile.ZIP_DEFLATED
        stored = [i.filename for i in zf.infolist() if i.compress_type == zipfile.ZIP_STORED]
    assert stored  # the other sheets go stored


def _raw(data: bytes, info: zipfile.ZipInfo) -> bytes:
    """A member's data as stored in the file (after its local header)."""
    offset = info.header_offset
    name_len = int.from_bytes(data[offset + 26 : offset + 28], "little")
    extra_len = int.from_bytes(data[offset + 28 : offset + 30], "little")
    start = offset + 30 + name_len + extra_len
    return data[start : start + info.compress_size]
