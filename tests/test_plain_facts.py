"""The plain-part path of the .xlsx cell facts (`formats.xlsx.plain_sheet_facts`) gives what
the exact lxml walk (`sheet_facts`) gives, or steps aside (None).

Parts are spelled as Excel, openpyxl, XlsxWriter and LibreOffice write cells holding a
formula (cached value, empty <v>, <v/>, no <v>, shared formulas, inline text, type str),
and in the spellings the plain path must leave to the exact walk (error values, cells
without a reference, prefixes, comments, CDATA, cells beyond the limits, ill-formed XML).
Real parts come from our filled templates and from LibreOffice's own .xlsx.
"""

from __future__ import annotations

import io
import random
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from pipeline.form import load_form
from pipeline.intake.files import ReadProblem
from pipeline.read.extract import wanted_sheets
from pipeline.read.formats.xlsx import plain_sheet_facts, sheet_facts
from pipeline.read.reader import RawBook, read_book
from tests import lo
from tests.conftest import filled_report

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
ROWS, COLUMNS = 2000, 64


def part(cells: str, head: str = "", ns: str = f'xmlns="{MAIN}"') -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {ns}>{head}'
        f"<sheetData>{cells}</sheetData></worksheet>"
    ).encode()


def same(xml: bytes) -> bool:
    """Plain path taken; what it found equals the exact walk's facts. Fails on a difference."""
    plain = plain_sheet_facts(xml, "s", ROWS, COLUMNS)
    exact = sheet_facts(xml, "s", ROWS, COLUMNS)
    if plain is None:
        return False
    assert plain.no_value == exact.no_value
    assert plain.errors == exact.errors == {}
    assert exact.rows <= ROWS and exact.columns <= COLUMNS
    return True


PLAIN = {
    "cached number": '<row r="2"><c r="D2"><f>SUM(A1:A3)</f><v>6</v></c></row>',
    "empty v (openpyxl)": '<row r="2"><c r="D2" s="8"><f>SUM(D5:D13)</f><v></v></c></row>',
    "self-closing v": '<row r="2"><c r="D2"><f>1+1</f><v/></c><c r="E2"><f>2</f><v /></c></row>',
    "no v": '<row r="2"><c r="D2"><f>1+1</f></c></row>',
    "shared formula": '<row r="3"><c r="B3"><f t="shared" ref="B3:B4" si="0">A3</f><v>1</v></c>'
    '<c r="B4"><f t="shared" si="0"/><v>2</v></c><c r="B5"><f t="shared" si="0"/></c></row>',
    "empty text result": '<row r="2"><c r="D2" t="str"><f>""</f><v></v></c></row>',
    "inline text result": '<row r="2"><c r="D2" t="inlineStr"><f>"a"</f><is><t>a</t></is></c></row>',
    "indented": '<row r="2">\n  <c r="D2">\n    <f>1+1</f>\n    <v></v>\n  </c>\n  <c r="E2">\n'
    "    <f>1</f>\n    <v>1</v>\n  </c>\n</row>",
    "formula text with > and &amp;": '<row r="2"><c r="D2"><f>IF(A1&gt;0,"a"&amp;"b",1)</f></c></row>',
    "style-only cells far away": '<row r="2"><c r="D2"><f>1</f><v>1</v></c><c r="E2" s="3"/></row>',
    "lowercase reference": '<row r="2"><c r="d2"><f>1</f></c></row>',
}


@pytest.mark.parametrize("cells", PLAIN.values(), ids=PLAIN.keys())
def test_plain_spellings_give_the_exact_facts(cells: str) -> None:
    assert same(part(cells))


STEP_ASIDE = {
    "error value": '<row r="2"><c r="D2" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>',
    "error value, single quotes": "<row r='2'><c r=\"D2\" t='e'><v>#N/A</v></c></row>",
    "error value after a '>' in a quoted attribute": '<row r="2"><c r="D2" x="a>b" t="e"><v>#N/A</v></c></row>',
    "cell without r": '<row r="2"><c><f>1</f></c></row>',
    "r not first": '<row r="2"><c s="1" r="D2"><f>1</f></c></row>',
    "comment": '<row r="2"><!-- <c r="D2"><f>1</f></c> --></row>',
    "CDATA": '<row r="2"><c r="A2" t="inlineStr"><is><t><![CDATA[<c r="D2"><f>1</f></c>]]></t></is></c></row>',
    "value beyond the rows": '<row r="5000"><c r="A5000"><v>1</v></c></row>',
    "style beyond the columns": '<row r="2"><c r="ZZ2" s="1"/></row>',
    "formula not first": '<row r="2"><c r="D2"><v>1</v><f>1</f></c></row>',
    "text between children": '<row r="2"><c r="D2"><f>1</f>x<v></v></c></row>',
    "v with attribute": '<row r="2"><c r="D2"><f>1</f><v xml:space="preserve"></v></c></row>',
    "type by character reference": '<row r="2"><c r="D2" t="&#115;tr"><f>""</f><v></v></c></row>',
    "ill-formed": '<row r="2"><c r="D2"><f>1</f></row>',
    "unclosed rows": '<row r="2"><row r="3"><c r="D3"><v>1</v></c>',
}


@pytest.mark.parametrize("cells", STEP_ASIDE.values(), ids=STEP_ASIDE.keys())
def test_other_spellings_go_the_exact_way(cells: str) -> None:
    assert plain_sheet_facts(part(cells), "s", ROWS, COLUMNS) is None


@pytest.mark.parametrize("columns", [3, 24, 26])
def test_a_limit_within_one_letter_columns(columns: int) -> None:
    """A configuration limited to one-letter columns: a cell past the limit sends the part
    the exact way, whose extent refuses it; cells within it stay on the plain path."""
    inside = '<row r="2"><c r="A2"><v>1</v></c><c r="{0}2"><f>1</f><v></v></c></row>'
    last = chr(ord("A") + columns - 1)
    assert plain_sheet_facts(part(inside.format(last)), "s", ROWS, columns) is not None
    past = chr(ord("A") + columns) if columns < 26 else "AA"
    xml = part(inside.format(past))
    assert plain_sheet_facts(xml, "s", ROWS, columns) is None
    assert sheet_facts(xml, "s", ROWS, columns).columns == columns + 1


def test_prefixed_main_namespace_and_inner_default_go_the_exact_way() -> None:
    cells = '<x:row r="2"><x:c r="D2"><x:f>1</x:f></x:c></x:row>'
    assert plain_sheet_facts(part(cells, ns=f'xmlns="{MAIN}" xmlns:x="{MAIN}"'), "s") is None
    inner = '<row r="2" xmlns="urn:other"><c r="D2"><f>1</f></c></row>'
    assert plain_sheet_facts(part(inner), "s") is None
    elsewhere = '<row r="2"><c r="D2"><f>1</f></c></row>'
    assert plain_sheet_facts(part(elsewhere, head='<y:row xmlns:y="urn:y"/>'), "s") is None


def test_narrow_limits_look_at_every_cell() -> None:
    """With limits of one column letter, no reference is certainly within them by its
    length: every cell is checked (a cell beyond them leaves the part to the exact walk)."""
    inside = part('<row r="2"><c r="D2"><f>1</f></c></row>')
    beyond = part('<row r="2"><c r="D2"><f>1</f></c><c r="Z2" s="1"/></row>')
    assert plain_sheet_facts(inside, "s", 50, 10).no_value == {"D2"}
    assert plain_sheet_facts(beyond, "s", 50, 10) is None


def test_refused_parts_stay_refused() -> None:
    """What the exact walk refuses (ill-formed) is never read by the plain path."""
    xml = part('<row r="2"><c r="D2"><f>1</f></row>')
    with pytest.raises(etree.XMLSyntaxError):
        sheet_facts(xml, "s")
    assert plain_sheet_facts(xml, "s") is None


def _sheet_parts(data: bytes) -> list[bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return filled_report(load_form(), tmp_path_factory.mktemp("plain"), 7)


def test_our_filled_reports_take_the_plain_path(filled: Path) -> None:
    parts = _sheet_parts(filled.read_bytes())
    assert parts and all(same(p) for p in parts)
    # the filler leaves formulas without a cached value: the plain path must find them
    assert any(sheet_facts(p, "s").no_value for p in parts)


def test_libreoffice_xlsx_gives_the_exact_facts(filled: Path, tmp_path: Path) -> None:
    lo.require_soffice()
    converted = lo.recalc_xlsx(filled, tmp_path)
    parts = _sheet_parts(converted.read_bytes())
    taken = [p for p in parts if plain_sheet_facts(p, "s", ROWS, COLUMNS) is not None]
    assert taken, "LibreOffice's sheet parts should be plain"
    assert all(same(p) for p in taken)


def test_a_report_without_sheet_relationships_is_not_searched_for_comments(filled: Path) -> None:
    """The look at the zip's directory spares parsing the workbook for comments; a file
    with comments is still read (tests/test_feedback.py checks what is read)."""
    from pipeline.read.comments import _may_hold_comments

    data = filled.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert not _may_hold_comments(zf)
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zi, zipfile.ZipFile(buf, "w") as zo:
        for info in zi.infolist():
            zo.writestr(info.filename, zi.read(info.filename))
        zo.writestr("xl/worksheets/_rels/sheet3.xml.rels", b"<Relationships/>")
    with zipfile.ZipFile(buf) as zf:
        assert _may_hold_comments(zf)


def _mutations(part: bytes, rng: random.Random) -> bytes:
    """One damage a writer's bug or a broken transfer may do to a sheet part: a tag lost,
    doubled or cut, a stray end tag, '&' or '<' in text, a byte dropped, the part cut short."""
    starts = [m.span() for m in re.finditer(rb"<[A-Za-z][^>]*>", part)]
    ends = [m.span() for m in re.finditer(rb"</[^>]*>", part)]
    at = rng.randrange(len(part))
    kind = rng.randrange(7)
    if kind == 0:
        a, b = rng.choice(ends)
        return part[:a] + part[b:]
    if kind == 1:
        a, b = rng.choice(starts)
        return part[:a] + part[b:]
    if kind == 2:
        a, b = rng.choice(starts)
        return part[:b] + part[a:b] + part[b:]
    if kind == 3:
        stray = rng.choice([b"</c>", b"</row>", b"</sheetData>", b"</v>", b"</f>", b"</worksheet>"])
        a, _ = rng.choice(starts)
        return part[:a] + stray + part[a:]
    if kind == 4:
        return part[:at] + rng.choice([b"&", b"<"]) + part[at:]
    if kind == 5:
        return part[:at] + part[at + 1 :]
    return part[: rng.randrange(len(part) // 2, len(part))]


def test_a_damaged_sheet_part_is_refused_or_read_unchanged(filled: Path) -> None:
    """python-calamine reads on through much ill-formed XML (an unclosed or doubled tag, a
    sheetData closed early, a part cut short) and then gives other values: the plain path's
    well-formedness check (expat) is what refuses such a part. Each damaged part that is not
    well-formed XML is refused, or read with the same values, errors and formulas as the
    undamaged file; never read differently (without the check, 29 of 400 damaged parts of a
    sample report were)."""
    form = load_form()
    wanted = wanted_sheets(form)
    data = filled.read_bytes()

    def seen(book: RawBook) -> dict[str, object]:
        return {k: (s.rows, s.errors, s.formulas_without_value) for k, s in book.sheets.items()}

    before = seen(read_book(data, "a.xlsx", wanted, form.limits))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    parts = [n for n in members if n.startswith("xl/worksheets/") and n.endswith(".xml")]
    rng = random.Random(588)
    tried = refused = 0
    while tried < 200:
        name = rng.choice(parts)
        damaged = _mutations(members[name], rng)
        try:
            etree.fromstring(damaged)
            continue  # still well-formed: a different file, not a damaged one
        except etree.XMLSyntaxError:
            pass
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
            for member, body in members.items():
                out.writestr(member, damaged if member == name else body)
        tried += 1
        try:
            after = seen(read_book(buf.getvalue(), "a.xlsx", wanted, form.limits))
        except ReadProblem:
            refused += 1
            continue
        assert after == before, f"{name} damaged and read differently"
    assert refused > tried // 2  # most damage reaches a sheet the form reads
