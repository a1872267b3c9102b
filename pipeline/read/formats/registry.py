"""Every spreadsheet format the pipeline reads, one record each (`Format`, `FORMATS`).

A record joins what the bytes say (its `FileKind` in `intake/filekinds.py`: name,
suffixes, how it is recognised) to what reading it takes:

- `facts`: its cell facts (extent, merges, error values, formulas without a value, numbers
  under a format the value reader takes for a date, cells it skips), found after its sheet
  data are bounded by `[limits] max_sheet_bytes`;
- `whole_book`: whether the value reader reads every sheet (then every sheet's extent is
  bounded before it does), or only the form's (then a sheet the value reader finds that
  the facts do not name is refused unread);
- `comments`: how the unit's cell comments are read;
- `values`: the project's own value reader for a valid file python-calamine refuses;
- `unreadable`: the finding when python-calamine cannot open the file after all;
- `feedback`: how the feedback workbook is made of it (`render/feedback_source.py`);
- `any_case`: whether its facts find its parts whatever the case of their names (through
  `Package`), so that a package whose names are in other case (OPC allows it) is read; a
  format without it refuses such a package (`odd_parts`), since a part its facts miss would
  go unbounded to the value reader;
- `empty_text_as_zero`: a formula's empty-text result may be stored as the number 0
  (LibreOffice's .xls export writes it so; `read/witness.py` reads it as blank when the
  template's own reading cell saw a blank), and so may a text result it did not calculate
  (a row mark: `read.layoutdiag.misplaced_row_mark` leaves it unjudged);
- `values_in_facts`: its facts hold every cell's value (`SheetFacts.cells`, as its format
  shows it), which the reader reads the sheets from where python-calamine fails on a valid
  file (a number under an elapsed-time format past Python's timedelta: .xlsb, brk15).

A capability a format does not have is a `Lacks` with the reason, never a silent gap
(tests/test_formats_registry.py checks every record). Adding a format is one entry in
`filekinds.KINDS`, one module here that reads it, and its record below.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from lxml import etree

from ...form import Limits, col_letter
from ...intake.files import ReadProblem
from ...intake.kinds.catalogue import BY_NAME
from ...intake.kinds.filekind import REPORT, FileKind
from ...rules.findings import show
from ...text.values import DAY_ZERO, DAY_ZERO_1904
from ..cellfacts import SheetFacts
from ..comments import CommentsReader, ods_comments, sheet_comments_parts, xlsx_comments
from .biff import BIFF5_VERSION, biff_facts, biff_values, biff_version, uncalculated, workbook_stream
from .numfmt import DateStyles, elapsed_as_numbers, xlsx_date_styles, xlsx_unshown_dates
from .ods import CellStyles, OdsBook, common_styles, ods_facts, ods_values
from .package import (
    SHARED_STRINGS,
    STYLES,
    Package,
    book_parts,
    check_prolog,
    check_sheet_bytes,
    for_value_reader,
    norm_sheet,
    read_in_place,
    relationships,
    rels_part,
    stored_for_value_reader,
)
from .results import calculated, facts_without_results, recalc_on_load, without_results
from .xlsb import (
    calc_on_load,
    date1904,
    date_styles,
    formulas_calculated,
    formulas_without_results,
    shared_strings,
    xlsb_facts,
    xlsb_sheets,
)
from .xlsx import (
    counts_from_1904,
    plain_sheet_facts,
    sheet_facts,
    space_preserved,
    space_unpreserved,
    values_spelled_otherwise,
    values_spelled_plainly,
    workbook_sheets,
)

OWN_FILE = "own"  # the feedback is the unit's file itself, opened by openpyxl
REBUILT = "rebuilt"  # the feedback is the template rebuilt with the unit's values
BROKEN = "tệp Excel bị hỏng; hãy mở bằng Excel, lưu lại và gửi lại"
# (package, sheets wanted as the form spells them, limits) -> facts of the sheets walked
FactsReader = Callable[[Package, list[str], Limits], list[SheetFacts]]
# (the file's bytes, which sheet names are wanted) -> the sheets' names, visibility and
# the wanted ones' values; run after `facts` bounded the sheets
ValuesReader = Callable[[bytes, Callable[[str], bool]], OdsBook]


@dataclass(frozen=True)
class Lacks:
    """A capability a format does not have, and why."""

    why: str


@dataclass(frozen=True)
class Format:
    """One spreadsheet format: see the module docstring for each capability."""

    kind: FileKind
    facts: FactsReader
    whole_book: bool
    comments: CommentsReader | Lacks
    values: ValuesReader | Lacks
    unreadable: tuple[str, str]  # (rule code, Vietnamese message)
    feedback: str  # OWN_FILE or REBUILT
    any_case: bool = False
    empty_text_as_zero: bool = False
    values_in_facts: bool = False

    @property
    def name(self) -> str:
        return self.kind.name

    @property
    def comments_reader(self) -> CommentsReader | None:
        """The comments reader, None when the format's comments are not read."""
        return None if isinstance(self.comments, Lacks) else self.comments


def odd_parts(kind: FileKind) -> tuple[str, str]:
    """The finding for a package of `kind` whose parts are named or placed otherwise than
    its format's facts can find them: names in other case for a format without `any_case`;
    an .xlsx without the workbook its relationships name, or with a sheet stored where the
    value reader looks for the workbook's own parts."""
    return (
        "FILE_FORMAT",
        f"các thành phần bên trong tệp {kind.suffix} có tên hoặc vị trí khác thường (không như "
        "Excel, LibreOffice lưu ra) nên chưa đọc được; hãy mở bằng Excel hoặc LibreOffice, lưu "
        "lại dưới dạng .xlsx rồi gửi lại",
    )


def _unreadable(name: str) -> tuple[str, str]:
    return (
        "FILE_FORMAT",
        f"không đọc được tệp {BY_NAME[name].suffix}; hãy mở bằng Excel và lưu lại dưới dạng .xlsx",
    )


# --- .xlsx / .xlsm: the form's sheet parts, parsed by lxml (formats/xlsx.py) -------------
_WORKBOOK = BY_NAME["xlsx"].members[0]


def _xlsx_facts(package: Package, wanted: list[str], limits: Limits) -> list[SheetFacts]:
    """Facts of the wanted sheets, each refused when its cells reach beyond the limits;
    the comments parts of those sheets are checked for a DTD like every parsed part.

    The workbook is the part the package's officeDocument relationship names, its sheets,
    styles and shared strings the parts its relationships name (`package.book_parts`). When
    python-calamine would look for any of them elsewhere (a workbook stored at the root or
    under another name, as some .NET and Java libraries write it), the value reader is
    given the package with those parts where it looks (`package.for_value_reader`), so
    that it reads what the relationships say or nothing, never a part missing. A workbook
    whose writer did not calculate its formulas (fullCalcOnLoad set, every stored result 0)
    has the wanted sheets read without those results, by the facts and the value reader
    alike (`results.py`); a sheet with a value python-calamine would misread (a CDATA
    section, a character reference, white space around a number) is given to it with its
    values spelled plainly (`xlsx.py`)."""
    book = book_parts(package, _WORKBOOK)
    if not package.has(book.workbook):
        raise ReadProblem(*odd_parts(BY_NAME["xlsx"]))
    if not book.rels:  # no sheet can be found: a broken file (FILE_CORRUPT)
        raise KeyError(rels_part(book.workbook))
    workbook = package.xml(book.workbook)
    parts = dict(_sheet_map(book.rels, workbook, book.workbook))
    by_norm = {norm_sheet(n): (n, p) for n, p in parts.items()}
    found = [by_norm.get(norm_sheet(sheet), ("", "")) for sheet in wanted]
    found = [(actual, part) for actual, part in found if part and package.has(part)]
    sizes = {actual: package.size(part) for actual, part in found}
    check_sheet_bytes(sum(sizes.values()), False, limits, max(sizes, key=sizes.get, default=""))
    # read in full: the CRC check catches a part that lies about its size
    styles = book.part(STYLES)
    dated = xlsx_date_styles(package.xml(styles)) if package.has(styles) else frozenset()
    facts: list[SheetFacts] = []
    replaced: dict[str, bytes] = {}  # stored part name -> the part as the value reader reads it
    if isinstance(dated, DateStyles) and dated.elapsed and (calm := elapsed_as_numbers(package.xml(styles))):
        replaced[package.member(styles) or styles] = calm  # durations given as numbers, read as shown
    in1904 = counts_from_1904(workbook)
    for actual, part in found:
        xml = package.text(part)
        facts.append(_sheet_facts(xml, actual, limits, dated))
        if facts[-1].misread:  # a value calamine misreads: given to it spelled plainly
            replaced[package.member(part)] = values_spelled_plainly(xml, in1904)
        if b"inlineStr" in xml and space_unpreserved(xml):  # an inline string's spaces, marked
            member = package.member(part)
            replaced[member] = space_preserved(replaced.get(member, xml))
    if any(f.results for f in facts) and recalc_on_load(workbook):  # fullCalcOnLoad (`results`)
        held = [(at, actual, package.member(part)) for at, (actual, part) in enumerate(found)]
        held = [(at, actual, member) for at, actual, member in held if facts[at].results]
        xmls = {member: replaced.get(member) or package.text(member) for _, _, member in held}
        if not any(calculated(xml) for xml in xmls.values()):  # every stored result a plain 0
            for at, actual, member in held:
                replaced[member] = without_results(xmls[member])
                facts[at] = _sheet_facts(replaced[member], actual, limits, dated)
    for f in facts:
        f.day_zero = DAY_ZERO_1904 if in1904 else DAY_ZERO
    for _, part in found:  # the comments parts `comments.xlsx_comments` will parse
        rels = rels_part(part)
        if package.has(rels):
            try:
                notes = sheet_comments_parts(package.xml(rels), part)
            except etree.XMLSyntaxError:  # comments that cannot be found are not read
                notes = []
            for note in notes:
                if package.has(note):
                    package.no_dtd(note)
    strings = book.part(SHARED_STRINGS)
    if package.has(strings):  # parsed by the value reader wherever it is stored
        package.no_dtd(strings)
        # read in UTF-8 (transcoded when stored in UTF-16, as the styles were by `xml`), and
        # looked at for spaces the value reader would trim: those given to it marked
        if space_unpreserved(xml := package.text(strings)):
            replaced[package.member(strings) or strings] = space_preserved(xml)
    if replaced or package.transcoded or not read_in_place(package, book):
        try:
            package.rebuilt = for_value_reader(package, book, replaced)
        except ValueError as exc:  # a sheet stored where the workbook's parts go
            raise ReadProblem(*odd_parts(BY_NAME["xlsx"])) from exc
    else:  # the parts inflated here given to the value reader stored (None: as they are)
        package.rebuilt = stored_for_value_reader(package)
    return facts


@lru_cache(maxsize=256)
def _sheet_map(rels: bytes, workbook: bytes, part: str) -> tuple[tuple[str, str], ...]:
    """`workbook_sheets` of these two parts of the workbook `part`, kept: the files made
    from one unit's template carry the same workbook and relationships parts, parsed once."""
    targets = {rel: target for rel, (_, target) in relationships(rels, part).items()}
    return tuple(workbook_sheets(workbook, targets).items())


def _sheet_facts(xml: bytes, name: str, limits: Limits, dated: frozenset[int] = frozenset()) -> SheetFacts:
    """Parse one sheet part and refuse it when its cells holding something reach beyond
    the limits (before calamine builds a grid for it); `dated`: the cell formats showing a
    date, whose numbers no date shows calamine gives as numbers (`numfmt`)."""
    check_prolog(xml[:65536], complete=len(xml) <= 65536)
    plain = plain_sheet_facts(xml, name, limits.max_rows, limits.max_columns, dated)
    if plain is not None:  # the usual writers' spelling: no tree needed
        return plain
    facts = sheet_facts(xml, name, limits.max_rows, limits.max_columns)
    facts.misread = values_spelled_otherwise(xml)  # looked for where the plain path stepped aside
    facts.numbers.update(xlsx_unshown_dates(xml, dated))
    if facts.rows > limits.max_rows:
        raise ReadProblem(
            "FILE_TOO_LARGE",
            f"trang có dữ liệu đến dòng {show(facts.rows)}, tối đa {show(limits.max_rows)} dòng. "
            "Hãy xóa các dòng thừa có dữ liệu hay công thức bên dưới bảng (định dạng, kẻ khung "
            "không sao), hoặc tải mẫu mới và điền lại",
            sheet=name,
        )
    if facts.columns > limits.max_columns:
        raise ReadProblem(
            "FILE_TOO_LARGE",
            f"trang có dữ liệu đến cột {col_letter(facts.columns - 1)}, tối đa {limits.max_columns} "
            "cột. Hãy xóa các cột thừa có dữ liệu hay công thức bên phải bảng, hoặc tải mẫu mới "
            "và điền lại",
            sheet=name,
        )
    return facts


# --- .ods: content.xml, parsed by lxml (formats/ods.py) ----------------------------------
def _ods_facts(package: Package, wanted: list[str], limits: Limits) -> list[SheetFacts]:
    """Facts of every table of content.xml, of those the form does not read the extent alone
    ([] when there is none: calamine refuses it). The file is read by the project's own
    reader (`misread`) when a cell's text is in a CDATA section, or holds a line break or a
    tab (text:line-break, text:tab: calamine drops them, "Huyện<text:line-break/>Châu Thành"
    reads "HuyệnChâu Thành"), or a number's office:value is not in the number form (calamine
    reads either blank, or as Python would)."""
    if not package.has("content.xml"):
        return []
    check_sheet_bytes(package.size("content.xml"), True, limits)
    content = package.xml("content.xml")
    by_norm = {norm_sheet(w) for w in wanted}
    facts = ods_facts(content, lambda name: norm_sheet(name) in by_norm, _styles(package))
    # calamine reads a cell's text in a CDATA section as blank, and drops line breaks and
    # tabs (a superset: any element named so, whatever its prefix)
    if b"<![CDATA[" in content or b"line-break" in content or b"tab/>" in content or b":tab " in content:
        for sheet in facts:
            sheet.misread = True
    return facts


def _styles(package: Package) -> CellStyles:
    """The cell and data styles of styles.xml (none when the file has no styles part), where
    a number cell's date or time style usually is; parsed once for the files of one template."""
    return common_styles(package.xml("styles.xml")) if package.has("styles.xml") else CellStyles()


def _ods_values(data: bytes, wanted: Callable[[str], bool]) -> OdsBook:
    """The tables of content.xml (zipfile's errors for a broken package)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        package = Package(data, zf)
        return ods_values(package.xml("content.xml"), wanted, _styles(package))


# --- .xlsb: BIFF12 records of every sheet part (formats/xlsb.py) -------------------------
def _xlsb_facts(package: Package, wanted: list[str], limits: Limits) -> list[SheetFacts]:
    """The facts of every sheet part (values, errors, merges, extent; numbers under a date
    format as dates). A workbook whose writer did not calculate its formulas (BrtCalcProp's
    fFullCalcOnLoad set, every result the wanted sheets store 0 or empty text) has those
    sheets read without their results, by the facts and the value reader alike, which is
    given the package with their formula records made blank cells (`results.py`)."""
    assert package.zf is not None
    related = relationships(package.xml("xl/_rels/workbook.bin.rels"), "xl/workbook.bin")
    parts = {rel: part for rel, (_, part) in related.items()}
    names, in1904, on_load = {}, False, False
    if package.has("xl/workbook.bin"):
        workbook = package.read("xl/workbook.bin")
        names = {parts.get(rel): name for rel, name in xlsb_sheets(workbook)}
        in1904 = date1904(workbook)
        on_load = calc_on_load(workbook)
    sheets = [p for p in package.zf.NameToInfo if p.startswith("xl/worksheets/") and p.endswith(".bin")]
    check_sheet_bytes(sum(package.size(p) for p in sheets), True, limits)
    sst = next((p for p in parts.values() if p.lower().endswith("sharedstrings.bin")), "")
    strings = shared_strings(package.read(sst)) if package.has(sst) else []
    styles = next((p for p in parts.values() if p.lower().endswith("styles.bin")), "")
    dates = date_styles(package.read(styles)) if package.has(styles) else []
    facts = [xlsb_facts(package.read(part), names.get(part, part), strings, dates, in1904) for part in sheets]
    chosen = {norm_sheet(w) for w in wanted}
    held = [
        (part, f) for part, f in zip(sheets, facts, strict=True) if f.results and norm_sheet(f.name) in chosen
    ]
    if on_load and held and not any(formulas_calculated(package.read(part)) for part, _ in held):
        for _, found in held:
            facts_without_results(found)
        package.rebuilt = _repacked(
            package, {part: formulas_without_results(package.read(part)) for part, _ in held}
        )
    return facts


def _repacked(package: Package, replaced: dict[str, bytes]) -> bytes:
    """The package again (stored, not compressed), with the parts of `replaced` (names as
    stored) given its bytes, every other part as it is."""
    assert package.zf is not None
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zout:
        for info in package.zf.infolist():
            if not info.is_dir():
                data = replaced.get(info.filename)
                zout.writestr(info.filename, package.read(info.filename) if data is None else data)
    return out.getvalue()


# --- .xls: BIFF records of the OLE workbook stream (formats/biff.py) ---------------------
EXCEL_95 = (
    "tệp Excel 5.0/95 (BIFF5/7) không giữ được tên trang có dấu tiếng Việt, nên không tìm thấy "
    "{sheets}; hãy mở bằng Excel hoặc LibreOffice, lưu lại dưới dạng .xlsx (không chọn Excel "
    "5.0/95) rồi gửi lại"
)


class PartlyRead(ReadProblem):
    """A file refused after some of the wanted sheets were read: `sheets`, the form's
    spelling of each sheet's name -> its rows of values (as `OdsBook.rows`), enough to tell
    whose file it is (the template's hidden sheet) though its figures are not read."""

    def __init__(self, code: str, message: str, sheets: dict[str, list[list[Any]]]) -> None:
        super().__init__(code, message)
        self.sheets = sheets


def _xls_facts(package: Package, wanted: list[str], limits: Limits) -> list[SheetFacts]:
    """Facts of every worksheet of the workbook stream ([] when there is none). An Excel
    5.0/95 file (BIFF5/7, by its BOF) missing a wanted sheet is refused by its version:
    its sheet names are in one ANSI code page, so a writer loses the Vietnamese ones
    ('K?t qu?'), and the unit cannot put them back in that format. The wanted sheets it
    does hold (the template's hidden sheet has a plain name) are read and go with the
    refusal (`PartlyRead`), so that the unit is known by its template. The wanted sheets of
    a workbook whose formulas were never calculated (`biff.uncalculated`) are read without
    their results, by the facts and by our own reader (`_xls_values`), which python-calamine
    would read as the stored 0 (`results.py`)."""
    stream = workbook_stream(package.data)
    if stream is None:
        return []
    check_sheet_bytes(len(stream[0]), True, limits)
    facts = biff_facts(*stream)
    if biff_version(stream[0]) == BIFF5_VERSION:
        present = {norm_sheet(f.name) for f in facts}
        missing = [w for w in wanted if norm_sheet(w) not in present]
        if missing:
            shown = ", ".join(f"trang '{w}'" for w in missing)
            spelled = {norm_sheet(w): w for w in wanted}
            # the wanted sheets within the limits (as the reader bounds a file it reads)
            readable = spelled.keys() & {
                norm_sheet(f.name)
                for f in facts
                if f.rows <= limits.max_rows and f.columns <= limits.max_columns
            }
            try:
                book = biff_values(*stream, lambda name: norm_sheet(name) in readable)
            except (struct.error, ValueError, LookupError):  # a record cut short, an odd string
                book = OdsBook()
            sheets = {spelled[norm_sheet(name)]: rows for name, rows in book.rows.items()}
            raise PartlyRead("FILE_FORMAT", EXCEL_95.format(sheets=shown), sheets)
    chosen = {norm_sheet(w) for w in wanted}
    held = [f for f in facts if f.results and norm_sheet(f.name) in chosen]
    if held and uncalculated(*stream, lambda name: norm_sheet(name) in chosen):
        for found in held:
            facts_without_results(found)
            found.misread = True  # calamine reads the stored results: our reader reads none
    return facts


def _xls_values(data: bytes, wanted: Callable[[str], bool]) -> OdsBook:
    """The sheets of the workbook stream, read record by record, their formulas without a
    result when they were never calculated (`biff.uncalculated`, as `_xls_facts` finds it)
    (ValueError when there is no workbook stream; olefile's errors for a broken container)."""
    stream = workbook_stream(data)
    if stream is None:
        raise ValueError("no workbook stream")
    return biff_values(*stream, wanted, results=not uncalculated(*stream, wanted))


_NO_COMMENTS = Lacks("python-calamine does not expose them and no reader here walks their records")
_CALAMINE_READS = Lacks(
    "python-calamine reads every valid file of this format tried (tests/test_reading_writers.py)"
)
_FORMATS = (
    *(  # .xlsm is an .xlsx package that may hold macros: read alike
        Format(
            BY_NAME[name],
            _xlsx_facts,
            False,
            xlsx_comments,
            _CALAMINE_READS,
            ("FILE_CORRUPT", BROKEN),
            OWN_FILE,
            any_case=True,
        )
        for name in ("xlsx", "xlsm")
    ),
    Format(
        BY_NAME["ods"],
        _ods_facts,
        True,
        ods_comments,
        _ods_values,
        _unreadable("ods"),
        REBUILT,
        any_case=True,
    ),
    Format(
        BY_NAME["xls"],
        _xls_facts,
        True,
        _NO_COMMENTS,
        _xls_values,
        _unreadable("xls"),
        REBUILT,
        empty_text_as_zero=True,
    ),
    Format(
        BY_NAME["xlsb"],
        _xlsb_facts,
        True,
        _NO_COMMENTS,
        _CALAMINE_READS,
        _unreadable("xlsb"),
        REBUILT,
        values_in_facts=True,
    ),
)
FORMATS: dict[str, Format] = {f.name: f for f in _FORMATS}


def format_of(kind: FileKind) -> Format:
    """The record of a spreadsheet kind. KeyError for a kind that is not read."""
    if kind.role != REPORT:
        raise KeyError(kind.name)
    return FORMATS[kind.name]


@lru_cache(maxsize=8)
def suffixes_shown(conjunction: str, **where: Any) -> str:
    """The suffixes of the formats whose fields equal `where`, as a Vietnamese list joined
    by `conjunction` ("hay", "hoặc"): ".ods, .xls hay .xlsb"."""
    shown = [f.kind.suffix for f in _FORMATS if all(getattr(f, k) == v for k, v in where.items())]
    return f"{', '.join(shown[:-1])} {conjunction} {shown[-1]}" if len(shown) > 1 else "".join(shown)
