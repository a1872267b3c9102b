"""Issue #25, item 1: a format is one registered object. Every kind of file is declared
once (`intake/kinds/catalogue.py`), every spreadsheet format read has one record of
capabilities (`read/formats/registry.py`), and every suffix list and format name of the
package comes from them, so adding a format touches its module, its record and its tests.

The behaviour tests are driven by the declarations themselves: a kind added to the table is
checked by them without a line changed here, and a format added to the registry fails
`test_every_format_reads_and_feeds_back_as_its_record_says` until a real writer of it is
named below."""

from __future__ import annotations

import ast
import io
import os
import shutil
import subprocess
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from openpyxl.comments import Comment

from pipeline.form import Form
from pipeline.intake.containers.entries import NOT_REPORT_ATTACHED
from pipeline.intake.containers.expand import expand
from pipeline.intake.files import ReadProblem
from pipeline.intake.kinds import catalogue
from pipeline.intake.kinds.catalogue import KINDS
from pipeline.intake.kinds.filekind import ATTACHED, CONTAINER, OTHER, REFUSED, REPORT
from pipeline.read.extract import wanted_sheets
from pipeline.read.formats.registry import FORMATS, OWN_FILE, REBUILT, Lacks
from pipeline.read.parse import parse_path
from pipeline.read.reader import read_book, sniff
from pipeline.render.feedback_source import unit_workbook
from pipeline.rules.catalogue import RULES
from tests import lo

from .conftest import ROOT
from .nasty import zip_of

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PACKAGE = ROOT / "pipeline"
# the only modules that may spell a suffix or a format name
REGISTRY = {
    PACKAGE / "intake" / "kinds" / "filekind.py",
    PACKAGE / "intake" / "kinds" / "catalogue.py",
    PACKAGE / "read" / "formats" / "registry.py",
}
# modules that name the files the pipeline itself writes (its outputs, the sample inbox,
# draft replies): their suffixes are the outputs', not kinds of input
WRITERS = {
    PACKAGE / "outbox" / "paths.py",
    PACKAGE / "text" / "names.py",
    PACKAGE / "render" / "pdf.py",
    PACKAGE / "samples.py",
    PACKAGE / "mail" / "draft_record.py",
    PACKAGE / "mail" / "letter_body.py",
    PACKAGE / "mail" / "attachments.py",
}
SUFFIXES = {s for k in KINDS for s in k.suffixes}
# format names: those of the kinds that are read, opened or refused by name (the other
# kinds' names are plain words such as "text" or "word", used for other things)
NAMES = {k.name for k in KINDS if k.role in (REPORT, CONTAINER, REFUSED)}


# ----- one place spells them ------------------------------------------------------------------
def _literals(path: Path) -> list[str]:
    """String constants of a module that are a declared suffix or format name."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"{node.lineno}: {node.value!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and (node.value.lower() in SUFFIXES or node.value in NAMES)
    ]


def test_only_the_registry_spells_suffixes_and_format_names():
    found = {
        str(p.relative_to(ROOT)): hits
        for p in sorted(PACKAGE.rglob("*.py"))
        if p not in REGISTRY | WRITERS and (hits := _literals(p))
    }
    assert found == {}


def test_the_literal_finder_finds_them(tmp_path):
    planted = tmp_path / "planted.py"
    planted.write_text(
        'SUFFIXES = {".xlsx", ".ODS"}\nif fmt in ("xlsb", "text"):\n    name = f"a{x}.eml"\n',
        encoding="utf-8",
    )
    assert _literals(planted) == ["1: '.xlsx'", "1: '.ODS'", "2: 'xlsb'", "3: '.eml'"]
    assert all(_literals(p) for p in REGISTRY)


# ----- the declarations are whole ---------------------------------------------------------
def test_every_kind_is_declared_once_and_completely():
    names = [k.name for k in KINDS]
    assert len(names) == len(set(names))
    suffixes = [s for k in KINDS for s in k.suffixes]
    assert len(suffixes) == len(set(suffixes)), "a suffix names one kind"
    for kind in KINDS:
        assert kind.role in (REPORT, CONTAINER, REFUSED, ATTACHED, OTHER), kind.name
        assert all(s.startswith(".") and s == s.lower() and len(s) > 1 for s in kind.suffixes), kind.name
        assert kind.shown, f"{kind.name}: what it is, for messages"
        if kind.role in (REPORT, CONTAINER):
            assert kind.suffixes, kind.name
        if kind.role == REFUSED:
            assert kind.refusal, f"{kind.name}: refused by name, so it says why and what to do"
            assert kind.suffixes or kind.magic or kind.marks or kind.roots or kind.mime or kind.plain, (
                f"{kind.name}: by name or bytes"
            )
        if kind.role == REPORT:
            assert kind.package, f"{kind.name}: a spreadsheet is recognised by its bytes"


def test_every_spreadsheet_kind_has_a_format_with_every_capability_or_a_reason():
    assert set(FORMATS) == {k.name for k in KINDS if k.role == REPORT}
    for name, fmt in FORMATS.items():
        assert fmt.kind is catalogue.BY_NAME[name]
        assert callable(fmt.facts), name
        assert isinstance(fmt.whole_book, bool), name
        for capability in (fmt.comments, fmt.values):
            assert callable(capability) or (isinstance(capability, Lacks) and capability.why), name
        assert fmt.feedback in (OWN_FILE, REBUILT), name
        code, message = fmt.unreadable
        assert code in RULES and message.startswith(("không đọc được", "tệp Excel bị hỏng")), name


# ----- what each kind is, from the table --------------------------------------------------------
_zip = zip_of  # tests/nasty.py


def _eml(attachments: dict[str, bytes]) -> bytes:
    m = EmailMessage()
    m["From"] = "Văn phòng <vanphong@example.vn>"
    m["Subject"] = "Báo cáo"
    m.set_content("Kính gửi Sở.")
    for name, data in attachments.items():
        m.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return bytes(m)


@pytest.mark.parametrize("kind", [k for k in KINDS if k.role == REFUSED and k.suffixes], ids=lambda k: k.name)
def test_a_kind_refused_by_name_is_refused_with_its_reason(kind, tmp_path, form: Form):
    path = tmp_path / f"thu{kind.suffix}"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    (sub,) = expand(path, path.name, form.limits, VN)
    assert sub.problem == (kind.code, kind.refusal)
    assert kind.code in RULES and (kind.code == "FILE_FORMAT") == (kind.suffix in catalogue.REPORT_SUFFIXES)


@pytest.mark.parametrize(
    "kind", [k for k in KINDS if k.role == REFUSED and k.suffixes and not k.nests], ids=lambda k: k.name
)
def test_a_kind_refused_by_name_is_refused_inside_a_message_and_an_archive(kind, tmp_path, form: Form):
    archive = tmp_path / "nop.zip"
    archive.write_bytes(_zip({f"bao-cao{kind.suffix}": b"x"}))
    message = tmp_path / "thu.eml"
    message.write_bytes(_eml({f"bao-cao{kind.suffix}": b"x"}))
    for path in (archive, message):
        entries = expand(path, path.name, form.limits, VN)
        assert [s.problem for s in entries[1:]] == [(kind.code, kind.refusal)]


@pytest.mark.parametrize(
    "kind",
    [k for k in KINDS if k.role == ATTACHED and k.suffixes] + [k for k in KINDS if k.nests],
    ids=lambda k: k.name,
)
def test_what_an_archive_holds_is_sorted_by_its_kind(kind, tmp_path, form: Form):
    """In an archive: what comes with a report is ignored; a message or an archive is refused."""
    path = tmp_path / "nop.zip"
    path.write_bytes(_zip({f"bao-cao-1{s}": b"x" for s in kind.suffixes}))
    lines = expand(path, path.name, form.limits, VN)[1:]
    assert len(lines) == len(kind.suffixes)
    for line in lines:
        if kind.role == ATTACHED:
            assert (line.ignored, line.problem) == (NOT_REPORT_ATTACHED, None)
        else:
            assert line.problem is not None and line.problem[0] == "ARCHIVE_NESTED"


@pytest.mark.parametrize("suffix", sorted(catalogue.REPORT_SUFFIXES))
def test_a_message_holds_a_report_when_an_attachment_is_named_like_one(suffix, tmp_path, form: Form):
    sent = tmp_path / "co-bao-cao.eml"
    sent.write_bytes(_eml({"cong-van.pdf": b"%PDF-1.4", f"bao-cao{suffix}": b"x"}))
    bare = tmp_path / "khong-bao-cao.eml"
    bare.write_bytes(_eml({"cong-van.pdf": b"%PDF-1.4"}))
    assert expand(sent, sent.name, form.limits, VN)[0].problem is None
    assert expand(bare, bare.name, form.limits, VN)[0].problem[0] == "MAIL_NO_REPORT"


@pytest.mark.parametrize("kind", [k for k in KINDS if k.magic], ids=lambda k: k.name)
def test_a_kind_known_by_its_first_bytes_is_named_whatever_its_name(kind):
    with pytest.raises(ReadProblem) as caught:
        sniff("bao-cao.xlsx", kind.magic[0] + bytes(64))
    said = (
        (kind.code, kind.refusal)
        if kind.refusal  # refused with what to do: a format no reader reads, or one that may hold a report
        else ("FILE_NOT_REPORT", f"không phải tệp báo cáo ({kind.shown})")
    )
    assert (caught.value.code, caught.value.message) == said


@pytest.mark.parametrize("kind", [k for k in KINDS if k.members and k.role != REPORT], ids=lambda k: k.name)
def test_a_package_that_holds_no_spreadsheet_is_named_by_its_members(kind, form: Form):
    data = _zip({m: b"application/vnd.oasis.opendocument.text" for m in kind.members})
    with pytest.raises(ReadProblem) as caught:
        read_book(data, f"bao-cao{kind.suffix or '.xlsx'}", wanted_sheets(form), form.limits)
    said = (
        (kind.code, kind.refusal)
        if kind.role == REFUSED
        else ("FILE_NOT_REPORT", f"không phải tệp báo cáo ({kind.shown})")
    )
    assert (caught.value.code, caught.value.message) == said


@pytest.mark.parametrize("suffix", sorted(SUFFIXES))
def test_a_file_no_reader_recognises_is_damaged_only_if_named_as_a_spreadsheet(suffix):
    with pytest.raises(ReadProblem) as caught:
        sniff(f"bao-cao{suffix}", b"\x00\x13Don vi: 899\x02\n")  # no text: text is a kind of its own
    kind = catalogue.kind_of_name(f"bao-cao{suffix}")
    # an archive no reader opens (.rar, .tgz) may hold a report: refused with what to do
    assert caught.value.code == {REPORT: "FILE_CORRUPT", OTHER: "FILE_FORMAT"}.get(
        kind.role, "FILE_NOT_REPORT"
    )


# ----- every format, written by a real writer, reads and feeds back as its record says ----------
def _sheetjs_xlsb(src: Path, out: Path) -> Path:
    node = lo.require("node", shutil.which("node"), "nodejs")
    folder = os.environ.get("SHEETJS_DIR", "")
    found = folder if (Path(folder) / "node_modules" / "xlsx").is_dir() else None
    lo.require("SheetJS ($SHEETJS_DIR/node_modules/xlsx)", found, "npm install xlsx (outside the repo)")
    script = (
        "const X = require(process.argv[1] + '/node_modules/xlsx');"
        "X.writeFile(X.readFile(process.argv[2], {cellNF: true}), process.argv[3], {bookType: 'xlsb'});"
    )
    subprocess.run([node, "-e", script, folder, src, out], check=True, timeout=60)
    return out


def _renamed(src: Path, out: Path) -> Path:
    shutil.copyfile(src, out)
    return out


def _libreoffice(target: str) -> Callable[[Path, Path], Path]:
    def write(src: Path, out: Path) -> Path:
        lo.require_soffice()
        return lo.convert(src, out.parent / "lo", target)

    return write


# a real writer of each format, from the filled .xlsx template
WRITERS_OF = {
    "xlsx": lambda src, out: src,
    "xlsm": _renamed,  # Excel's macro-enabled workbook is the same package, told apart by its name
    "ods": _libreoffice("ods"),
    "xls": _libreoffice("xls"),
    "xlsb": _sheetjs_xlsb,
}


def test_every_format_has_a_writer_here():
    assert set(WRITERS_OF) == set(FORMATS)


NOTE = "Số liệu tạm tính"


@pytest.mark.parametrize("name", list(FORMATS))
def test_every_format_reads_and_feeds_back_as_its_record_says(name, make_file, tmp_path, form: Form):
    """The record is true of real files: read as that format, accepted, the unit's comment
    read exactly when the record has a comments reader, and the feedback made the way the
    record says because openpyxl opens exactly the formats fed back as their own file."""
    fmt = FORMATS[name]
    filled, _ = make_file("899")
    wb = openpyxl.load_workbook(filled)
    wb["Kết quả"]["E8"].comment = Comment(NOTE, "Nguyễn Văn A")
    src = tmp_path / "899.xlsx"
    wb.save(src)
    path = WRITERS_OF[name](src, tmp_path / f"899{fmt.kind.suffix}")
    assert catalogue.kind_of_name(path.name) is fmt.kind
    p = parse_path(path, 1, form)
    assert p.format == name
    assert [f.code for f in p.findings if f.severity == "error"] == []
    assert p.unit_code == "899"
    has_comments = not isinstance(fmt.comments, Lacks)
    assert p.comments == ({("Kết quả", "E8"): NOTE} if has_comments else {})
    try:
        openpyxl.load_workbook(io.BytesIO(path.read_bytes()))
        opens = True
    except Exception:  # noqa: BLE001 - openpyxl refuses what it cannot read in several ways
        opens = False
    assert opens == (fmt.feedback == OWN_FILE)
    assert unit_workbook(form, p)[1] == fmt.feedback


def test_a_renamed_numbers_file_is_refused_as_one(form: Form):
    """Apple Numbers' own format renamed .xlsx: refused with what to do, as the report it is."""
    numbers = catalogue.BY_NAME["numbers"]
    data = _zip({"Index/Document.iwa": b"\x00", "Metadata/Properties.plist": b"bplist00"})
    with pytest.raises(ReadProblem) as caught:
        read_book(data, "899-bao-cao.xlsx", wanted_sheets(form), form.limits)
    assert (caught.value.code, caught.value.message) == ("FILE_FORMAT", numbers.refusal)
