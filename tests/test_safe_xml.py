"""Issue #20: one safe-XML setup for every untrusted part. The comments a unit wrote are
parsed by the same hardened lxml setup as the cell facts (`read/cellfacts.py`: no DTD, no
entity, no network, no huge tree), so a comments part with an entity bomb or an external
entity is refused exactly as a sheet part is: the file is FILE_UNSAFE with the same
message, and the parser itself raises the same `UnsafeXML`.

Inputs: the unit's template filled by the filler, a comment added by openpyxl (as a
spreadsheet application writes one), then one part rewritten with a DTD."""

from __future__ import annotations

import ast
import io
import re
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.comments import Comment

from pipeline.form import Form
from pipeline.intake.files import ReadProblem
from pipeline.read.cellfacts import UnsafeXML
from pipeline.read.comments import comment_parts, ods_comments, read_comments, xlsx_comments
from pipeline.read.extract import wanted_sheets
from pipeline.read.formats.ods import ods_facts
from pipeline.read.formats.package import UNSAFE_XML, Package, book_parts
from pipeline.read.formats.xlsx import sheet_facts, workbook_sheets
from pipeline.read.reader import read_book

from .conftest import ROOT

SHEET = "Kết quả"
NOTE = "Số liệu tạm tính, sẽ bổ sung"
BOMB = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>\n'
)
EXTERNAL = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
)
HOSTILE = {"entity bomb": (BOMB, "&lol4;"), "external entity": (EXTERNAL, "&secret;")}


def _commented(make_file, tmp_path: Path) -> Path:
    path, _ = make_file("899")
    wb = openpyxl.load_workbook(path)
    wb[SHEET]["E8"].comment = Comment(NOTE, "Nguyễn Văn A")
    out = tmp_path / "899-ghi-chu.xlsx"
    wb.save(out)
    return out


def _parts(data: bytes) -> tuple[str, str]:
    """(the results sheet's part, its comments part)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        rels = book_parts(Package(data, zf), "xl/workbook.xml").by_id
        sheet = workbook_sheets(zf.read("xl/workbook.xml"), rels)[SHEET]
        ((_, comments),) = comment_parts(zf, {SHEET})
    return sheet, comments


def _hostile(data: bytes, part: str, prolog: str, reference: str) -> bytes:
    """The package with `part` given a DTD `prolog` and an entity `reference` in its text."""
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zi, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zo:
        for info in zi.infolist():
            body = zi.read(info.filename)
            if info.filename == part:
                body = re.sub(rb"^<\?xml[^>]*\?>\s*", b"", body)
                text = body.decode("utf-8")
                # the reference in the first text or value, where a parser would expand it
                text = re.sub(r"(<[tv](?: [^>]*)?>)", lambda m: m.group(1) + reference, text, count=1)
                assert reference in text
                body = (prolog + text).encode("utf-8")
            zo.writestr(info, body)
    return buf.getvalue()


@pytest.mark.parametrize("hostile", sorted(HOSTILE))
def test_a_hostile_comments_part_is_refused_like_a_hostile_sheet_part(
    make_file, tmp_path, form: Form, hostile
):
    path = _commented(make_file, tmp_path)
    data = path.read_bytes()
    wanted = wanted_sheets(form)
    assert read_book(data, path.name, wanted, form.limits).format == "xlsx"  # the file itself is fine
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert read_comments(zf, xlsx_comments, wanted) == {(SHEET, "E8"): NOTE}
    sheet, comments = _parts(data)
    prolog, reference = HOSTILE[hostile]
    refused = {}
    for part in (sheet, comments):
        with pytest.raises(ReadProblem) as caught:
            read_book(_hostile(data, part, prolog, reference), path.name, wanted, form.limits)
        refused[part] = (caught.value.code, caught.value.message)
    assert refused[comments] == refused[sheet] == ("FILE_UNSAFE", UNSAFE_XML)


@pytest.mark.parametrize("hostile", sorted(HOSTILE))
def test_a_hostile_part_in_utf16_is_refused_as_in_utf8(make_file, tmp_path, form: Form, hostile):
    """A part stored in UTF-16 is transcoded before it is read (`package.as_utf8`); its DTD
    is refused as in UTF-8, in a sheet as in its comments."""
    path = _commented(make_file, tmp_path)
    data = path.read_bytes()
    sheet, comments = _parts(data)
    prolog, reference = HOSTILE[hostile]
    for part in (sheet, comments):
        hostile_data = _hostile(data, part, prolog, reference)
        buf = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(hostile_data)) as zi, zipfile.ZipFile(buf, "w") as zo:
            for info in zi.infolist():
                body = zi.read(info.filename)
                if info.filename == part:
                    text = body.decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"', 1)
                    body = b"\xff\xfe" + text.encode("utf-16-le")
                zo.writestr(info, body)
        with pytest.raises(ReadProblem) as caught:
            read_book(buf.getvalue(), path.name, wanted_sheets(form), form.limits)
        assert (caught.value.code, caught.value.message) == ("FILE_UNSAFE", UNSAFE_XML), part


@pytest.mark.parametrize("hostile", sorted(HOSTILE))
def test_the_comments_parser_is_the_cell_facts_parser(make_file, tmp_path, hostile):
    """Past the reader's look at the prolog, the parsers themselves refuse the DTD: the
    comments readers raise the same UnsafeXML as the sheet facts, expand nothing, and
    `read_comments` (never raising) leaves the comments out."""
    data = _commented(make_file, tmp_path).read_bytes()
    sheet, comments = _parts(data)
    prolog, reference = HOSTILE[hostile]
    bad_sheet = _hostile(data, sheet, prolog, reference)
    bad_comments = _hostile(data, comments, prolog, reference)
    with zipfile.ZipFile(io.BytesIO(bad_sheet)) as zf, pytest.raises(UnsafeXML):
        sheet_facts(zf.read(sheet), SHEET)
    start = time.perf_counter()
    with zipfile.ZipFile(io.BytesIO(bad_comments)) as zf, pytest.raises(UnsafeXML):
        xlsx_comments(zf, {SHEET})
    assert time.perf_counter() - start < 1  # nothing expanded
    with zipfile.ZipFile(io.BytesIO(bad_comments)) as zf:
        assert read_comments(zf, xlsx_comments, [SHEET]) == {}


ODS_CONTENT = (
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
    f'<table:table table:name="{SHEET}"><table:table-row><table:table-cell office:value-type="float" '
    'office:value="1"><office:annotation><text:p>{reference}</text:p></office:annotation><text:p>1</text:p>'
    "</table:table-cell></table:table-row></table:table></office:spreadsheet></office:body>"
    "</office:document-content>"
)


@pytest.mark.parametrize("hostile", sorted(HOSTILE))
def test_an_ods_annotation_with_a_dtd_is_refused_like_its_cells(hostile):
    prolog, reference = HOSTILE[hostile]
    good = ODS_CONTENT.format(reference=NOTE).encode()
    bad = (prolog + ODS_CONTENT.format(reference=reference)).encode()

    def package(content: bytes) -> zipfile.ZipFile:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("content.xml", content)
        return zipfile.ZipFile(buf)

    assert ods_comments(package(good), {SHEET}) == {(SHEET, "A1"): NOTE}
    with pytest.raises(UnsafeXML):
        ods_facts(bad)
    with pytest.raises(UnsafeXML):
        ods_comments(package(bad), {SHEET})


# ----- one module owns the parser setup ---------------------------------------------------
UNSAFE_MODULES = ("xml.etree", "xml.dom", "xml.sax", "xml.parsers", "defusedxml")
PARSING_CALLS = {"fromstring", "XML", "parse", "iterparse", "XMLParser", "XMLPullParser"}
OWNER = ROOT / "pipeline" / "read" / "cellfacts.py"


def _xml_uses(path: Path) -> list[str]:
    """What in one module parses XML other than through the owner's setup: an import of
    another XML library, or an lxml parse call that neither passes **SAFE_PARSE_OPTIONS
    nor is the owner's."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            if path != OWNER:  # the owner configures whichever parser it uses
                found += [f"import {n}" for n in names if n.startswith(UNSAFE_MODULES)]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in PARSING_CALLS and getattr(node.func.value, "id", "") == "etree":
                safe = any(
                    k.arg is None and getattr(k.value, "id", "") == "SAFE_PARSE_OPTIONS"
                    for k in node.keywords
                )
                if not safe and path != OWNER:
                    found.append(f"etree.{node.func.attr} at line {node.lineno}")
    return found


def test_one_module_owns_the_xml_parser_setup():
    uses = {
        str(p.relative_to(ROOT)): u for p in sorted((ROOT / "pipeline").rglob("*.py")) if (u := _xml_uses(p))
    }
    assert uses == {}


def test_the_checker_sees_another_parser(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from defusedxml import ElementTree\nfrom lxml import etree\n"
        "etree.iterparse(data, events=('end',))\netree.iterparse(data, **SAFE_PARSE_OPTIONS)\n",
        encoding="utf-8",
    )
    assert _xml_uses(bad) == ["import defusedxml", "etree.iterparse at line 3"]


def test_defusedxml_stays_for_openpyxl():
    """defusedxml is imported by no module of the package any more, but stays a dependency:
    openpyxl opens the unit's own .xlsx for its feedback file (`render/feedback_source.py`)
    and parses every worksheet part with defusedxml's iterparse when it is installed
    (openpyxl/xml/functions.py), which refuses a DTD's entities."""
    import openpyxl.xml.functions

    assert openpyxl.xml.DEFUSEDXML is True
    assert "defusedxml" in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    with pytest.raises(Exception, match="(?i)entit"):
        for _ in openpyxl.xml.functions.iterparse(io.BytesIO((BOMB + "<r>&lol4;</r>").encode())):
            pass
