"""The plain .xlsx path's one pass (`formats.xlsx._scan`, with `_TYPE_MAY_BE` and
`_PREFIXED_ROW`) stands for the separate checks it replaced on the usual parts: what it
finds nothing in passes them all, and what it finds something in is decided by them.

Each spelling below is put deep inside a real sheet part of a filled report (after its
formulas), so that a pass that stopped early, or skipped what a formula's match spans,
would miss it. For every spelling the plain path gives what it gives with the one-pass
proof turned off (every part through the separate checks); the spellings that make a part
not plain (an error value, a date type, a value spelled otherwise, a comment, a cell out of
the limits, ill-formed XML) still leave it to the exact walk, whose facts and refusals
follow (an error cell is reported, an ill-formed part refused).
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from pipeline.form import load_form
from pipeline.intake.files import ReadProblem
from pipeline.read.extract import wanted_sheets
from pipeline.read.formats import numfmt, registry, xlsx
from pipeline.read.formats.numfmt import DateStyles
from pipeline.read.formats.package import Package, book_parts
from pipeline.read.formats.xlsx import plain_sheet_facts, workbook_sheets
from pipeline.read.reader import read_book
from tests.conftest import filled_report

FORM = load_form()
LIMITS = FORM.limits
RESULTS = FORM.blocks["results"].sheet


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    out = filled_report(FORM, tmp_path_factory.mktemp("scan"), 25)
    return out.read_bytes()


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _results_part(data: bytes) -> tuple[str, bytes]:
    """The results sheet's part (its rows hold long check formulas), found by its name: the
    hidden lists sheet, which the reader reads only for its reading cells, is larger."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        package = Package(data, zf)
        book = book_parts(package, "xl/workbook.xml")
        name = workbook_sheets(package.xml(book.workbook), book.by_id)[RESULTS]
        return name, package.read(name)


def _in_last_row(part: bytes, cells: str) -> bytes:
    """`cells` added at the end of the part's last row, after every formula."""
    at = part.rindex(b"</row>")
    return part[:at] + cells.encode() + part[at:]


# spelling -> (the part changed, whether the plain path takes it)
SPELLINGS = {
    "error value": (lambda p: _in_last_row(p, '<c r="K99" t="e"><v>#DIV/0!</v></c>'), False),
    "error value, single quotes": (lambda p: _in_last_row(p, "<c r='K99' t='e'><v>#N/A</v></c>"), False),
    "error type spaced": (lambda p: _in_last_row(p, '<c r="K99" t = "e"><v>#N/A</v></c>'), False),
    "error formula": (lambda p: _in_last_row(p, '<c r="K99" t="e"><f>1/0</f><v>#DIV/0!</v></c>'), False),
    "type by character reference": (
        lambda p: _in_last_row(p, '<c r="K99" t="&#115;tr"><f>""</f><v></v></c>'),
        False,
    ),
    "date type": (lambda p: _in_last_row(p, '<c r="K99" t="d"><v>2025-01-02</v></c>'), False),
    "value with white space": (lambda p: _in_last_row(p, '<c r="K99"><v> 5</v></c>'), False),
    "value by character reference": (lambda p: _in_last_row(p, '<c r="K99"><v>&#50;5</v></c>'), False),
    "formula's value with white space": (
        lambda p: _in_last_row(p, '<c r="K99"><f>1</f><v>1 </v></c>'),
        False,
    ),
    "comment": (lambda p: _in_last_row(p, "<!-- x -->"), False),
    "CDATA": (lambda p: _in_last_row(p, '<c r="K99" t="inlineStr"><is><t><![CDATA[x]]></t></is></c>'), False),
    "processing instruction": (lambda p: _in_last_row(p, "<?x y?>"), False),
    "cell without r": (lambda p: _in_last_row(p, "<c><v>1</v></c>"), False),
    "r not first": (lambda p: _in_last_row(p, '<c s="1" r="K99"><v>1</v></c>'), False),
    "cell beyond the columns": (lambda p: _in_last_row(p, '<c r="ZZ99" s="1"/>'), False),
    "cell beyond the rows": (lambda p: _in_last_row(p, '<c r="K99999"><v>1</v></c>'), False),
    "formula not first": (lambda p: _in_last_row(p, '<c r="K99"><v>1</v><f>1</f></c>'), False),
    "formula with text between": (lambda p: _in_last_row(p, '<c r="K99"><f>1</f>x<v></v></c>'), False),
    "prefixed row": (
        lambda p: p.replace(b"<worksheet ", b'<worksheet xmlns:x="urn:x" ', 1).replace(
            b"</sheetData>", b'<x:row r="99"/></sheetData>'
        ),
        False,
    ),
    "not well-formed": (lambda p: _in_last_row(p, '<c r="K99"><f>1</f></row>'), False),
    "date type in formula text": (
        lambda p: _in_last_row(p, '<c r="K99"><f>IF(t="d",1,2)</f><v>2</v></c>'),
        False,
    ),
    # what the one pass finds but the separate checks let through
    "comparison spaced in formula text": (
        lambda p: _in_last_row(p, '<c r="K99"><f>IF(A1 = "e",1,2)</f><v>2</v></c>'),
        True,
    ),
    "attribute d unquoted elsewhere": (lambda p: _in_last_row(p, '<c r="K99" x ="dx"><v>1</v></c>'), True),
    "inline text holding t=e": (
        lambda p: _in_last_row(p, '<c r="K99" t="inlineStr"><is><t>t="e"</t></is></c>'),
        True,
    ),
    "formula without value last": (lambda p: _in_last_row(p, '<c r="K99"><f>1+1</f></c>'), True),
    "formula with empty text": (lambda p: _in_last_row(p, '<c r="K99" t="str"><f>""</f><v></v></c>'), True),
}


def _separately(part: bytes, monkeypatch: pytest.MonkeyPatch) -> object:
    """The plain path with the one-pass proof turned off: every part through the checks."""
    with monkeypatch.context() as m:
        m.setattr(xlsx, "_TYPE_MAY_BE", re.compile(b""))
        return plain_sheet_facts(part, "s", LIMITS.max_rows, LIMITS.max_columns)


def _key(facts: object) -> object:
    return None if facts is None else (facts.no_value, facts.results, facts.errors)  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", SPELLINGS)
def test_the_one_pass_decides_as_the_separate_checks(
    filled: bytes, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    change, plain = SPELLINGS[name]
    _, part = _results_part(filled)
    changed = change(part)
    assert changed != part
    got = plain_sheet_facts(changed, "s", LIMITS.max_rows, LIMITS.max_columns)
    assert _key(got) == _key(_separately(changed, monkeypatch))
    assert (got is not None) == plain
    if plain and name.startswith("formula"):
        assert "K99" in (got.no_value | got.results)  # type: ignore[union-attr]


def _read_parts(data: bytes) -> list[bytes]:
    """The parts of the sheets the form reads."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        package = Package(data, zf)
        book = book_parts(package, "xl/workbook.xml")
        parts = workbook_sheets(package.xml(book.workbook), book.by_id)
        return [package.read(parts[sheet]) for sheet in wanted_sheets(FORM)]


def test_the_usual_parts_take_the_one_pass(filled: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    """The parts of a filled report the form reads are read by the one pass alone (so that
    the test above compares two different ways), with the facts the separate checks give."""
    parts = _read_parts(filled)
    expected = [_key(_separately(p, monkeypatch)) for p in parts]

    def unused(*_args: object) -> None:
        raise AssertionError("the separate checks ran on a usual part")

    monkeypatch.setattr(xlsx, "_plain_formulas", unused)
    got = [_key(plain_sheet_facts(p, "s", LIMITS.max_rows, LIMITS.max_columns)) for p in parts]
    assert got == expected
    assert None not in got and any(k[0] for k in got)  # the filler leaves formulas without a value


def _with_part(data: bytes, name: str, part: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for member, body in _members(data).items():
            out.writestr(member, part if member == name else body)
    return buf.getvalue()


def test_an_error_cell_after_the_formulas_is_read(filled: bytes) -> None:
    """Where the one pass finds an error type, the exact walk reads it: the error value
    reaches the sheet read (a cell the form reads, on the results sheet's last row)."""
    name, part = _results_part(filled)
    rows = [r.row for r in FORM.rows_for(FORM.blocks["results"], FORM.units_by_code["899"])]
    cell = f"{FORM.blocks['results'].measure_column('children')}{rows[-1]}"
    changed = re.sub(
        rb'<c r="%s"[^>]*?(/>|>.*?</c>)' % cell.encode(),
        b'<c r="%s" t="e"><v>#DIV/0!</v></c>' % cell.encode(),
        part,
        count=1,
    )
    assert changed != part
    book = read_book(_with_part(filled, name, changed), "a.xlsx", wanted_sheets(FORM), LIMITS)
    assert book.sheets[RESULTS].errors == {cell: "#DIV/0!"}


def test_a_part_not_well_formed_after_the_formulas_is_refused(filled: bytes) -> None:
    name, part = _results_part(filled)
    damaged = _in_last_row(part, '<c r="K99"><v>1</v></row>')
    with pytest.raises(ReadProblem) as caught:
        read_book(_with_part(filled, name, damaged), "a.xlsx", wanted_sheets(FORM), LIMITS)
    assert caught.value.code == "FILE_CORRUPT"


def test_sheet_facts_of_a_dated_value_after_the_formulas(filled: bytes) -> None:
    """A date type after the formulas: the part is read the exact way and given to the
    value reader respelled (`misread`), as before the one pass."""
    _, part = _results_part(filled)
    facts = registry._sheet_facts(_in_last_row(part, '<c r="K99" t="d"><v>2025-01-02</v></c>'), "s", LIMITS)
    assert facts.misread and facts.rows == 99


def test_a_limit_of_one_letter_looks_at_every_cell(filled: bytes, tmp_path: Path) -> None:
    """With limits no reference is certainly within by its length, every cell is a match
    of the one pass: the separate checks decide, as they did."""
    _, part = _results_part(filled)
    assert plain_sheet_facts(part, "s", 50, 10) is None  # its check columns reach L, M
    assert plain_sheet_facts(part, "s", 50, 26) is not None


# a cell under a cell format of the styles given, spelled as writers may
STYLED = {
    "date style past 9999": ('<c r="K99" s="14"><v>3000000</v></c>', DateStyles(frozenset({14}))),
    "spaced": ('<c r="K99" s = "14"><v>3000000</v></c>', DateStyles(frozenset({14}))),
    "single quotes, leading zero": ("<c r='K99' s='014'><v>3000000</v></c>", DateStyles(frozenset({14}))),
    "style after the type": ('<c r="K99" t="n" s="14"><v>3000000</v></c>', DateStyles(frozenset({14}))),
    "plain set of styles": ('<c r="K99" s="14"><v>3000000</v></c>', frozenset({14})),
    "number format calamine takes for a date": (
        '<c r="K99" s="8"><v>45000</v></c>',
        DateStyles(frozenset({14}), undated=frozenset({8})),
    ),
    "date format calamine gives as a number": (
        '<c r="K99" s="15"><v>45000</v></c>',
        DateStyles(frozenset({14, 15}), missed=frozenset({15})),
    ),
}


@pytest.mark.parametrize("name", STYLED)
def test_a_cell_under_a_date_style_is_found_past_the_gate(
    filled: bytes, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The look for a cell under one of the styles (`numfmt._styled`) takes an s attribute
    only (a row's r="14" is not one): a cell under one is found wherever it is spelled, as
    with no look at all."""
    cell, styles = STYLED[name]
    _, part = _results_part(filled)
    changed = _in_last_row(part, cell)
    got = numfmt.xlsx_unshown_dates(changed, styles)
    assert "K99" in got
    with monkeypatch.context() as m:
        m.setattr(numfmt, "_styled", lambda _styles: re.compile(b""))
        assert numfmt.xlsx_unshown_dates(changed, styles) == got
    assert "K99" not in numfmt.xlsx_unshown_dates(part, styles)
    # and through the plain path's pass for types and styles
    assert registry._sheet_facts(changed, "s", LIMITS, styles).numbers == got


def test_rows_numbered_as_a_date_style_need_no_look(filled: bytes) -> None:
    """A part with a row numbered n but no cell under style n (the first such n: which styles
    the template's cells use changes with the template): the gate finds nothing there (the
    look for long values is spared)."""
    _, part = _results_part(filled)
    n = next(n for n in range(1, 100) if f'<row r="{n}"'.encode() in part and f's="{n}"'.encode() not in part)
    assert numfmt._styled(frozenset({n})).search(part) is None


@pytest.mark.parametrize("where", ["before", "after"])
@pytest.mark.parametrize("name", [n for n, (_, plain) in SPELLINGS.items() if "type" in n or "error" in n])
def test_one_pass_for_types_and_styles(filled: bytes, name: str, where: str) -> None:
    """The pass led by '=' finds what `_TYPE_MAY_BE` finds, whether a cell under a date
    style comes before or after it, and never misses the cell under the style; the facts
    of the part, numbers included, are those of the exact walk where it is not plain."""
    change, _ = SPELLINGS[name]
    _, part = _results_part(filled)
    styled = '<c r="K98" s="14"><v>3000000</v></c>'
    changed = change(part)
    at = (
        changed.index(b"<sheetData>") + len(b"<sheetData>")
        if where == "before"
        else changed.rindex(b"</row>")
    )
    row = b'<row r="1">' + styled.encode() + b"</row>" if where == "before" else styled.encode()
    changed = changed[:at] + row + changed[at:]
    styles = DateStyles(frozenset({14}))
    types, cells = xlsx._types_and_styles(changed, 0, numfmt.looked_at(styles))
    assert types == (xlsx._TYPE_MAY_BE.search(changed) is not None)
    assert cells
    facts = registry._sheet_facts(changed, "s", LIMITS, styles)
    assert "K98" in facts.numbers
