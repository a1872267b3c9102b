"""A cell value XML allows to spell otherwise than as one plain text is read as the plain one.

python-calamine reads a `<v>` as its first plain piece of text: a number in a CDATA section
or written with character references was read blank, one split by a comment or a second
CDATA section was cut (232656000 read as 2326), and white space around a number made it
refuse the file (found by a new user's pass over other writers' spellings, issue #25). An
.ods cell's text in a CDATA section was read blank. Every number of our own filled report is
respelled here, in every sheet part, and the file must read exactly as the original does.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline.form import load_form
from pipeline.read.extract import wanted_sheets
from pipeline.read.reader import RawBook, read_book
from tests import lo

# a number cell's value as the filler writes it (t="n" or no type), and the rest of the cell
_NUMBER = re.compile(rb'(<c r="[A-Z]+[0-9]+"(?: s="[0-9]+")?(?: t="n")?>)<v>([-0-9.E+]+)</v>')


def _respelled(spell: Callable[[bytes], bytes], count: list[int]) -> Callable[[bytes], bytes]:
    def change(part: bytes) -> bytes:
        new, n = _NUMBER.subn(lambda m: m.group(1) + b"<v>" + spell(m.group(2)) + b"</v>", part)
        count.append(n)
        return new

    return change


SPELLINGS: dict[str, Callable[[bytes], bytes]] = {
    "CDATA": lambda n: b"<![CDATA[" + n + b"]]>",
    "character references": lambda n: b"".join(b"&#%d;" % c for c in n[:2]) + n[2:],
    "hex reference first": lambda n: b"&#x%x;" % n[0] + n[1:],
    "split by a comment": lambda n: n[:2] + b"<!-- -->" + n[2:],
    "split by a CDATA section": lambda n: n[:2] + b"<![CDATA[" + n[2:] + b"]]>",
    "split by a processing instruction": lambda n: n[:1] + b"<?x y?>" + n[1:],
    "spaces around": lambda n: b" " + n + b" ",
    "new lines and tabs around": lambda n: b"\n\t" + n + b"\n",
}


def _rewritten(data: bytes, change: Callable[[bytes], bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            body = zin.read(name)
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                body = change(body)
            zout.writestr(name, body)
    return out.getvalue()


def _seen(book: RawBook) -> dict[str, object]:
    return {name: (s.rows, s.errors, s.formulas_without_value) for name, s in book.sheets.items()}


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    import random

    from pipeline.filler import fill
    from pipeline.form import layout_json
    from pipeline.render.template import write_template
    from pipeline.samples import valid_data

    form = load_form()
    unit = form.units_by_code["899"]
    work = tmp_path_factory.mktemp("spellings")
    layout = layout_json(form)
    out = work / "899.xlsx"
    fill(
        write_template(form, unit, work),
        out,
        layout,
        unit.code,
        valid_data(form, "899", random.Random(5), layout),
    )
    return out.read_bytes()


def _read(data: bytes) -> dict[str, object]:
    form = load_form()
    return _seen(read_book(data, "899.xlsx", wanted_sheets(form), form.limits))


@pytest.mark.parametrize("spell", SPELLINGS.values(), ids=SPELLINGS.keys())
def test_every_number_spelled_otherwise_reads_as_written_plainly(report: bytes, spell) -> None:
    count: list[int] = []
    respelled = _rewritten(report, _respelled(spell, count))
    assert sum(count) > 20  # every number of every sheet
    assert _read(respelled) == _read(report)


@pytest.mark.parametrize(
    "spell", ["spaces around", "new lines and tabs around", "CDATA", "split by a comment"]
)
@pytest.mark.parametrize("attributes", [b' xml:space="preserve"', b"  xml:space = 'preserve' "])
def test_a_value_with_attributes_spelled_otherwise_reads_as_written_plainly(
    report: bytes, spell: str, attributes: bytes
) -> None:
    """`<v xml:space="preserve"> 232656000 </v>`, as a generic XML writer marks every text
    node: LibreOffice shows 232.656.000; the file was refused as broken (brk13 #4)."""
    count: list[int] = []

    def change(part: bytes) -> bytes:
        new, n = _NUMBER.subn(
            lambda m: m.group(1) + b"<v" + attributes + b">" + SPELLINGS[spell](m.group(2)) + b"</v>", part
        )
        count.append(n)
        return new

    respelled = _rewritten(report, change)
    assert sum(count) > 20
    assert _read(respelled) == _read(report)


def test_text_values_keep_their_spaces(report: bytes) -> None:
    """Only values that are not text lose the white space around them: a text value (type
    str) is read as written, spaces included, in a part respelled for a CDATA section."""
    cell = rb'<c r="H30" t="str"><v>  hai  dong  </v></c><c r="I30"><v><![CDATA[7]]></v></c>'
    spaced = _rewritten(
        report, lambda part: part.replace(b"</sheetData>", b'<row r="30">' + cell + b"</row></sheetData>", 1)
    )
    form = load_form()
    book = read_book(spaced, "899.xlsx", wanted_sheets(form), form.limits)
    for sheet in book.sheets.values():
        assert (sheet.get("H30"), sheet.get("I30")) == ("  hai  dong  ", 7.0)


def test_an_ods_cell_text_in_cdata_is_read(report: bytes, tmp_path: Path) -> None:
    """LibreOffice's .ods of the report, its unit code and every figure's text in CDATA
    sections: read as LibreOffice's own file is (calamine read them blank)."""
    lo.require_soffice()
    source = tmp_path / "899.xlsx"
    source.write_bytes(report)
    ods = lo.convert(source, tmp_path, "ods")
    data = ods.read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            if info.filename == "content.xml":
                body, n = re.subn(rb"<text:p>([^<]+)</text:p>", rb"<text:p><![CDATA[\1]]></text:p>", body)
                assert n > 50
            zout.writestr(info, body)
    form = load_form()
    wanted = wanted_sheets(form)
    assert _seen(read_book(out.getvalue(), "899.ods", wanted, form.limits)) == _seen(
        read_book(data, "899.ods", wanted, form.limits)
    )


def _utf16(codec: str, bom: bytes) -> Callable[[bytes], bytes]:
    def change(part: bytes) -> bytes:
        text = part.decode("utf-8")
        if text.startswith("<?xml"):
            text = re.sub(r'encoding="[^"]*"', 'encoding="UTF-16"', text, count=1)
        else:
            text = '<?xml version="1.0" encoding="UTF-16"?>' + text
        return bom + text.encode(codec)

    return change


@pytest.mark.parametrize(
    "change",
    [_utf16("utf-16-le", b"\xff\xfe"), _utf16("utf-16-be", b"\xfe\xff"), _utf16("utf-16-le", b"")],
    ids=["little-endian with BOM", "big-endian with BOM", "little-endian without BOM"],
)
def test_a_package_of_utf16_parts_reads_as_in_utf8(report: bytes, change) -> None:
    """XML parts may be stored in UTF-16 (ECMA-376 Part 2 §8.1.4): every part of the report
    so stored reads as the report does (python-calamine reads UTF-8 alone, and the file was
    refused as unsafe: its prolog looked 'unusually long')."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(report)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            body = zin.read(name)
            zout.writestr(name, change(body) if name.endswith((".xml", ".rels")) else body)
    assert _read(out.getvalue()) == _read(report)


def _runs(first: bytes, rest: bytes) -> bytes:
    """A text split at a space into two runs, the space ending the first, unmarked (as
    libraries that do not add xml:space="preserve" write rich text)."""
    return b"<r><t>" + first + b" </t></r><r><rPr><b/></rPr><t>" + rest + b"</t></r>"


def _split(data: bytes, part: Callable[[str], bool], text: re.Pattern[bytes], count: list[int]) -> bytes:
    """Every text `text` finds in the parts `part` names split into two runs at its first space."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            body = zin.read(name)
            if part(name):
                body, n = text.subn(lambda m: m.group(1) + _runs(m.group(2), m.group(3)) + m.group(4), body)
                count.append(n)
            zout.writestr(name, body)
    return out.getvalue()


SHARED = re.compile(rb'(<si>)<t(?: xml:space="preserve")?>([^<]*?) ([^<]*)</t>(</si>)')
INLINE = re.compile(rb"(<is>)<t>([^<]*?) ([^<]*)</t>(</is>)")


def test_rich_text_runs_split_at_an_unmarked_space_keep_it(report: bytes, tmp_path: Path) -> None:
    """brk37 F1: "Xã Hòa Lạc" stored as two runs, "Xã Hòa " and "Lạc", without
    xml:space="preserve": Excel, LibreOffice, Gnumeric and SheetJS show the space; the value
    reader trimmed each run ("Xã HòaLạc", refused as not listed). Every text of the report
    with a space, so split, inline (as the filler writes them) or in the shared strings (as
    LibreOffice does), reads as the original does."""
    count: list[int] = []
    inline = _split(report, lambda n: n.startswith("xl/worksheets/"), INLINE, count)
    assert sum(count) > 20  # labels, names and the preparer, on every sheet
    assert _read(inline) == _read(report)
    lo.require_soffice()
    source = tmp_path / "in" / "899.xlsx"
    source.parent.mkdir()
    source.write_bytes(report)
    shared = lo.convert(source, tmp_path / "lo", "xlsx").read_bytes()
    count.clear()
    runs = _split(shared, lambda n: n == "xl/sharedStrings.xml", SHARED, count)
    assert sum(count) > 20
    assert _read(runs) == _read(shared)
