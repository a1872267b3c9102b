"""How the template reads a number cell as the pipeline does: hidden reading cells.

`text.values.parse_int` and `read.reading.FileReading.number` read a number cell: a number,
a blank, text such as "1.500.000 đồng" read as a number, or something they report and do
not read. The template's live checks (`livechecks.py`) must see the same, without feeding
text or error values into arithmetic, in Excel 2010, LibreOffice and Gnumeric: no LET, no
LAMBDA. So each number cell gets a few cells on the hidden lists sheet, each holding only
the name of a workbook-level defined name whose formula, with references relative to the
cell that uses it, computes one step; the long formulas are stored once per workbook, not
once a cell (the reverted first version wrote them in six cells a number: 2.5 times the
sheet XML). Tested against the pipeline on 870 spellings in LibreOffice and Gnumeric
(`tests/test_livechecks_reading.py`).

The same hidden sheet reads a name typed in a key cell as `Form.code_for` and the usual
spellings of `rules/spellings.py` read it (TEXT and ITEM, below), and the report date as
`text.values.parse_date` reads it (`write_date_readers`); `tests/test_livechecks_typed.py`
compares both with `check` on typed files.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..form import Form, col_letter
from ..form.grid import READ_STEPS, READING_FIRST, TEXT_MARK
from ..form.readcells import reading_columns
from ..form.sheets import SumCell
from ..rules.kinds import XlRow
from ..text import values
from .style import sheet_ref


def quoted(text: str) -> str:
    """A spreadsheet string literal."""
    return '"' + text.replace('"', '""') + '"'


_q = quoted


def absolute(cell: str) -> str:
    """ "C3" -> "$C$3"."""
    col = cell.rstrip("0123456789")
    return f"${col}${cell[len(col) :]}"


# ----- what the pipeline reads from a number cell --------------------------------------------
# Each number cell is read as `text.values.parse_int` and `read.reading.FileReading.number`
# read it, by three hidden cells on the lists sheet, in the input's row (`Readers`), each
# "=" a defined name that holds its step's formula once for the whole workbook:
#   READ   (one name per number column, DocSo_O<n>) what the cell holds: "'" + its text
#          with odd spaces, invisible and full-width characters folded and trimmed; its
#          number; "" when blank; BAD for TRUE/FALSE, an error value, a date (a number
#          whose format shows a date: the pipeline reads a date, not a number) or a number
#          whose format shows a percentage (`values.PercentShown`)
#   WORD   (DocSo_Chu) the text without a currency word at its end ("1.500.000 đồng",
#          "50đ.", "VND"); "" for text of spaces only (read as blank)
#   VALUE  (DocSo_Gia) what the pipeline reads: the number (from text too: "+50", "0050",
#          "1.234.567", "1 234 567", "1,234,567"), "" for a blank, or one of BAD,
#          TOO_LARGE, FRACTION; through SHAPE (DocSo_Dau), the characters of the text after
#          its sign that are not digits ("" for digits only, ".." for "1.234.567")
# Every rule reads VALUE, through a name per number column (So_<n>: the VALUE cell of the
# row where it is used), so text the pipeline reads as a number is checked as that number,
# and skips a cell holding a code, as the pipeline skips a rule over a cell it could not
# read. No input reaches arithmetic unless ISNUMBER says it is one, and no reading cell
# holds an error value, so no check shows one. The pipeline never reads the lists sheet.
# A total (row totals, "Tổng cộng") adds the VALUE cells of its inputs with SUMIF and this
# criterion, "any number": a code, a blank (and an error value, which no VALUE cell holds)
# never meets it, so a total adds what the pipeline reads ("1.200.000" typed as text too)
# and equals the total the pipeline recomputes, and is never an error value
NUMBERS = "<1E+300"
MARK = quoted(TEXT_MARK)  # the READ step's text starts with it (`form.grid.TEXT_MARK`)
BAD, TOO_LARGE, FRACTION = "?", ">", "~"  # codes of what the pipeline reports and does not read
READ_CODES = {BAD: "NUMBER_INVALID", TOO_LARGE: "NUMBER_TOO_LARGE", FRACTION: "NUMBER_NOT_INTEGER"}
STEPS = READ_STEPS  # left to right: a step reads the one on its right (`form.grid`)
STEP_NAMES = {"value": "DocSo_Gia", "shape": "DocSo_Dau", "word": "DocSo_Chu"}
MAX_TEXT = 32767  # characters a cell holds (Excel specifications and limits)
MAX_SEPARATORS = 6  # thousands separators checked in place: 21 digits, far over max_number
_CONTROL = "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"  # written as CHAR(n): no control character in a formula


# The mark between a sheet's name and a cell in the text INDIRECT reads: "!" (Excel A1),
# or "." where the application reads that text in Calc A1 syntax, as LibreOffice does in a
# workbook it opened from .xls (where "'Thông tin'!$C$7" is #REF!): a defined name, "!"
# where INDIRECT finds the lists sheet's first cell so, else "." (`write_readers`).
SHEET_MARK = "DauTrang"


def in_sheet(address: str) -> str:
    """The text INDIRECT reads `address` ("'Thông tin'!$C$7", `style.sheet_ref`) with, as
    a formula expression: "'Thông tin'"&DauTrang&"$C$7" (`SHEET_MARK`); of an address with
    no cell ("'Thông tin'!"), the prefix alone."""
    sheet, _, cell = address.rpartition("!")
    head = f"{_q(sheet)}&{SHEET_MARK}"
    return f"{head}&{_q(cell)}" if cell else head


def _fold_probes(ch: str) -> list[str]:
    """Texts the pipeline reads as a number where `ch` is one of their characters."""
    out = [ch, f"{ch}5", f"5{ch}", f"1{ch}000{ch}000"]
    for word in values.CURRENCY_WORDS:
        out += [f"5 {word[:i]}{ch}{word[i + 1 :]}" for i in range(len(word))]
    return [
        p for p in out if values.parse_int(p, 10**9)[1] is None and values.parse_int(p, 10**9)[0] is not None
    ]


@lru_cache(maxsize=1)
def folds() -> tuple[tuple[str, str], ...]:
    """(what, into) for each character the pipeline folds before reading a number, found by
    asking the pipeline itself: each character `values.clean_text` turns into a space or
    removes, and each full-width form (U+FF01-FF5E) read as its ASCII character in a number
    or a currency word. A control character no keyboard types in a cell is left out (CHAR
    covers the ones written here)."""
    out = []
    for cp in range(0x10000):
        ch = chr(cp)
        if ch == " " or 0xD800 <= cp < 0xE000 or (cp < 0x20 and ch not in _CONTROL) or cp == 0x85:
            continue
        got = values.clean_text(f"1{ch}2")
        if got in ("1 2", "12"):
            out.append((ch, got[1:-1]))
    for cp in range(0xFF01, 0xFF5F):
        ch, plain = chr(cp), chr(cp - 0xFEE0)
        for probe in _fold_probes(plain):
            if values.parse_int(probe.replace(plain, ch), 10**9) == values.parse_int(probe, 10**9):
                out.append((ch, plain))
                break
    return tuple(out)


def _literal(ch: str) -> str:
    return f"CHAR({ord(ch)})" if ch in _CONTROL else _q(ch)


def _full_width(ch: str) -> bool:
    return 0xFF01 <= ord(ch) <= 0xFF5E


# ----- what the pipeline reads from a date cell (`text.values.parse_date`) --------------------
# A number strictly between DATE_SERIALS (a date cell holds its serial number), or text
# "d/m/yyyy" (each separator "/", "." or "-", day and month of one or two digits) or
# "yyyy-mm-dd", a day that exists. Hidden cells per date cell, each with absolute
# references (one cell, read from anywhere): its text cleaned (`trimmed`), its day, month and
# year texts, TRUE where the pipeline says DATE_INVALID, and the date it reads as a serial
# number ("" for none), which the report-date rules compare (`rules/recordkinds.py`). A formula cannot read an ISO date with a time after it
# ("2025-03-15T10:00") nor full-width digits: those stay invalid here, stricter, never laxer.
def _digits_only(text: str) -> str:
    for d in "0123456789":
        text = f'SUBSTITUTE({text},"{d}","")'
    return f'{text}=""'


def _real_day(d: str, m: str, y: str) -> str:
    """TRUE where texts `d`, `m`, `y` are a day and a month of one or two digits and a year of
    four that name a day of the calendar."""
    day, month, year = (f"VALUE({x})" for x in (d, m, y))
    shape = f"AND(LEN({d})>=1,LEN({d})<=2,LEN({m})>=1,LEN({m})<=2,LEN({y})=4,{_digits_only(f'{d}&{m}&{y}')})"
    leap = f"OR(AND({year}/4=INT({year}/4),{year}/100<>INT({year}/100)),{year}/400=INT({year}/400))"
    days = f"IF({month}=2,IF({leap},29,28),IF(OR({month}=4,{month}=6,{month}=9,{month}=11),30,31))"
    return f"IF({shape},AND({year}>=1,{month}>=1,{month}<=12,{day}>=1,{day}<={days}),FALSE)"


def _date_parts(t: str) -> tuple[str, str, str]:
    """The formulas of the day, month and year texts of cleaned text `t` (a defined name):
    from "yyyy-mm-dd", else around the first two separators of "d/m/yyyy" ("x" when none)."""
    iso = f'AND(LEN({t})=10,MID({t},5,1)="-",MID({t},8,1)="-")'
    u = f'SUBSTITUTE(SUBSTITUTE({t},".","/"),"-","/")'
    one = f'FIND("/",{u})'
    two = f'FIND("/",{u},{one}+1)'
    dmy = (f"LEFT({u},{one}-1)", f"MID({u},{one}+1,{two}-{one}-1)", f"MID({u},{two}+1,{MAX_TEXT})")
    ymd = (f"MID({t},9,2)", f"MID({t},6,2)", f"LEFT({t},4)")
    return tuple(f'=IFERROR(IF({iso},{a},{b}),"x")' for a, b in zip(ymd, dmy, strict=True))  # type: ignore[return-value]


DATE_STEPS = ("text", "day", "month", "year", "invalid", "serial")


def write_date_readers(ws: Worksheet, rd: Readers) -> None:
    """The hidden cells reading each date field of `rd.dates` as `text.values.parse_date`
    does, in row 1 of the lists sheet `ws`, at the address the form gives it (INDIRECT: a
    cell inserted above it pushes the unit's date away, and the reader reads what is there
    then; brk12 B1): its cleaned text, its day, month and year texts,
    the DATE_INVALID test (`Readers.date_test`), and the date read (`Readers.date_serial`):
    a number's whole days (a time of day dropped, as `date()` of the datetime read), the
    serial number of the day typed as text, "" for a blank or a date not read. A year before
    1900 (typed "0024") is -1: before any period, and a day DATE() reads differently in
    Excel (1900 + year) and LibreOffice. Cells, not defined names: LibreOffice
    expands a name where it is used, and these formulas over names pass its formula size
    (#N/A)."""
    low, high = values.DATE_SERIALS
    for key, address in rd.dates:
        cell = f"INDIRECT({in_sheet(address)})"  # where the form puts it, as the reader reads it
        at = {step: rd.date_cell(key, step) for step in DATE_STEPS}
        text = at["text"]
        parts = [at[p] for p in ("day", "month", "year")]
        ws.write_formula(
            text.split("!")[1].replace("$", ""), f'=IF(ISTEXT({cell}),{trimmed(cell)},"")', None, ""
        )
        for ref, formula in zip(parts, _date_parts(text), strict=True):
            ws.write_formula(ref.split("!")[1].replace("$", ""), formula, None, "")
        ok = f"IFERROR({_real_day(*parts)},FALSE)"
        # a number in a date format is a date to the pipeline (`read.reading`), as in READ
        fmt = f'CELL("format",{cell})'
        shown = f'OR(LEFT({fmt},1)="D",AND({fmt}="G",CELL("format",{rd.general})<>"G"))'
        # shown as a date: a day from 1 (31/12/1899) to 31/12/9999, as the pipeline reads it
        # (brk39 F1, F2: 20251205 gave #VALUE!, 5122025 passed the template, refused by `check`)
        shown_bad = f"OR({cell}<1,{cell}>={values.FIRST_UNSHOWN_SERIAL})"
        number_bad = f"IF({shown},{shown_bad},OR({cell}<={low},{cell}>={high}))"
        test = (
            f"=IF(ISERROR({cell}),FALSE,IF(ISNUMBER({cell}),{number_bad},"
            f'IF(ISTEXT({cell}),IF({text}="",FALSE,NOT({ok})),NOT(ISBLANK({cell})))))'
        )
        ws.write_formula(at["invalid"].split("!")[1].replace("$", ""), test, None, False)
        day, month, year = (f"VALUE({p})" for p in parts)
        typed = f"IF({year}<1900,-1,DATE({year},{month},{day}))"
        serial = (
            f'=IFERROR(IF({at["invalid"]},"",IF(ISNUMBER({cell}),INT({cell}),IF({text}="","",{typed}))),"")'
        )
        ws.write_formula(at["serial"].split("!")[1].replace("$", ""), serial, None, "")


def trimmed(ref: str) -> str:
    """The text of cell `ref` (a number as its digits) as the pipeline reads a name or a
    mark (`text.values.parse_text`, `form.norm_text`): every space, no-break space, line
    break and other white space one space, invisible characters removed (`folds`, without
    the full-width forms, read as ASCII in a number only), trimmed. The caller guards an
    error value."""
    text = f'{ref}&""'
    for what, into in folds():
        if not _full_width(what):
            text = f"SUBSTITUTE({text},{_literal(what)},{_q(into)})"
    return f"TRIM({text})"


def _currency_words() -> list[str]:
    """The currency words the pipeline removes, longest first ("vnđ" before "đ"), each also
    decomposed (NFD) as some Vietnamese keyboards type it; lower case."""
    words: list[str] = []
    for w in values.CURRENCY_WORDS:
        words += dict.fromkeys([w, unicodedata.normalize("NFD", w)])
    return sorted(words, key=len, reverse=True)


# ----- what the pipeline reads from a name cell ----------------------------------------------
# A name typed in a key cell (region, category) is read as `Form.code_for` reads it (the name,
# the code, "code - name", white space folded, any case) or as one of its usual spellings
# (`rules/spellings.py`, NAME_READ_AS), the table the pipeline reads with. Each key cell of a
# free row gets two hidden cells on the lists sheet, in its row, each "=" a defined name:
#   TEXT  (DocTen_O<n>) its text as the pipeline cleans it (`trimmed`), "" for a blank or an
#         error value
#   ITEM  (DocTen_M<n>) the number (1-based) of the listed item the text is read as: MATCH,
#         exact and ignoring case, in the list's table of accepted spellings (every spelling
#         `code_for` reads, then the usual spellings); "" for a blank; UNKNOWN for anything
#         else, and for text holding a wildcard of MATCH (* ? ~), which no listed name holds
# Rules compare rows by ITEM (ROW_DUPLICATE), so "Huyen Hon Dat" under "Huyện Hòn Đất" is
# the duplicate the pipeline finds. A formula cannot compose Unicode (NFC): the table lists
# the spellings decomposed as keyboards type them too (`spellings.decomposed`); the pipeline
# compares a usual spelling as typed too (`spellings.usual_spelling_of`), so both read the
# same names and call the same others "không có trong danh sách".
UNKNOWN = "?"
NAME_STEPS = ("item", "text")  # left to right: ITEM reads TEXT


@dataclass(frozen=True)
class Readers:
    """Where the reading cells of a template's number cells are, on the lists sheet `sheet`:
    number column `n` (of `count`; `columns[n]` is the (sheet, column) of its input cells)
    has its step `s` (`STEPS`) in column first + s*count + n, in the row of its input, so a
    step's name finds the next step `count` columns to its right. `general` is a cell in the
    General format holding a number: CELL("format") says "F0" of it in LibreOffice, which
    names most date formats "G", and "G" in Excel and Gnumeric."""

    sheet: str
    columns: tuple[tuple[str, str], ...]
    first: int
    keys: tuple[tuple[str, str, str], ...] = ()  # (sheet, column, list key) of each name column
    dates: tuple[tuple[str, str], ...] = ()  # (field key, absolute input cell) of each date field

    @property
    def count(self) -> int:
        return len(self.columns)

    @property
    def end(self) -> int:
        """The 0-based column right of every reading cell (number, name and date steps)."""
        names = len(NAME_STEPS) * len(self.keys)
        return self.first + len(STEPS) * self.count + names + len(DATE_STEPS) * len(self.dates)

    def column(self, step: str, sheet: str, column: str) -> str:
        n = self.columns.index((sheet, column))
        return col_letter(self.first + STEPS.index(step) * self.count + n)

    def value(self, sheet: str, column: str) -> str:
        """The defined name of the VALUE cells of input column `column` of `sheet` (the
        one in the row where it is used)."""
        return f"So_{self.columns.index((sheet, column)) + 1}"

    def total(self, sheet: str, cells: SumCell) -> str:
        """The formula of a total of `sheet` (`form.sheets.block_sheet`): the numbers the
        pipeline reads from its input cells (their VALUE cells: each run of adjacent ones
        one SUMIF), or the numbers among its row totals (a row total's "Tổng cộng")."""
        if not cells.inputs:
            col = cells.columns[0]
            return f'=SUMIF({col}{cells.first}:{col}{cells.last},"{NUMBERS}")'
        runs: list[list[str]] = []
        for col in cells.columns:
            index = self.columns.index((sheet, col))
            if runs and self.columns.index((sheet, runs[-1][-1])) == index - 1:
                runs[-1].append(col)
            else:
                runs.append([col])
        sums = [f'SUMIF({self.values(sheet, run, cells.first, cells.last)},"{NUMBERS}")' for run in runs]
        return f"={sums[0]}" if len(sums) == 1 else f"=SUM({','.join(sums)})"

    def values(self, sheet: str, columns: list[str], first: int, last: int) -> str:
        """The range of the VALUE cells of input `columns` (adjacent) from row `first` to `last`."""
        a, b = (self.column("value", sheet, c) for c in (columns[0], columns[-1]))
        return f"{sheet_ref(self.sheet, '')}{a}{first}:{b}{last}"

    @property
    def general(self) -> str:
        return f"{sheet_ref(self.sheet, '')}${col_letter(self.first - 1)}$1"

    def read_name(self, sheet: str, column: str) -> str:
        return f"DocSo_O{self.columns.index((sheet, column)) + 1}"

    def value_at(self, sheet: str, column: str, row: int) -> str:
        """The VALUE cell of input `column` of `sheet` at `row`, an absolute reference: what
        a formula outside that row reads (a relative name would read its own row)."""
        return f"{sheet_ref(self.sheet, '')}${self.column('value', sheet, column)}${row}"

    def _key(self, sheet: str, column: str) -> int:
        return next(i for i, (s, c, _k) in enumerate(self.keys) if (s, c) == (sheet, column))

    def name_column(self, step: str, sheet: str, column: str) -> str:
        """The column of name step `step` (`NAME_STEPS`) of key column `column` of `sheet`."""
        base = self.first + len(STEPS) * self.count
        return col_letter(base + NAME_STEPS.index(step) * len(self.keys) + self._key(sheet, column))

    def item(self, sheet: str, column: str) -> str:
        """The defined name of the ITEM cells of key column `column` (the row where it is used)."""
        return f"Ma_{self._key(sheet, column) + 1}"

    def text(self, sheet: str, column: str) -> str:
        """The defined name of the TEXT cells of key column `column` (the row where it is used)."""
        return f"Ten_{self._key(sheet, column) + 1}"

    def date_cell(self, key: str, step: str) -> str:
        """The hidden cell (absolute) of step `step` (`DATE_STEPS`) of date field `key`."""
        j = [k for k, _c in self.dates].index(key)
        base = self.first + len(STEPS) * self.count + len(NAME_STEPS) * len(self.keys)
        col = col_letter(base + j * len(DATE_STEPS) + DATE_STEPS.index(step))
        return f"{sheet_ref(self.sheet, '')}${col}$1"

    def date_test(self, key: str) -> str:
        """The cell TRUE where the pipeline cannot read date field `key` (DATE_INVALID)."""
        return self.date_cell(key, "invalid")

    def date_serial(self, key: str) -> str:
        """The cell holding the date the pipeline reads from date field `key`, as its serial
        number in the 1900 date system; "" when it reads none (blank or DATE_INVALID)."""
        return self.date_cell(key, "serial")

    def items(self, sheet: str, column: str) -> str:
        """The ITEM column of key column `column`, "'lists'!$X": a range's start follows."""
        return f"{sheet_ref(self.sheet, '')}${self.name_column('item', sheet, column)}"


@dataclass(frozen=True)
class ReadRow(XlRow):
    """A row whose number cells a rule reads through their VALUE names (key -> name)."""

    read: Mapping[str, str] = field(default_factory=dict)
    names: Mapping[str, tuple[str, str, str]] = field(default_factory=dict)
    """Key field typed by the unit -> (its ITEM name, its TEXT name, its ITEM column:
    `Readers.item`, `.text`, `.items`)."""

    def ref(self, key: str) -> str:
        return self.read.get(key) or super().ref(key)


def readers(form: Form) -> Readers:
    """The reading cells of a template: its number columns, the information sheet's first,
    then each block's measures, right of the lists (and one empty column, then the General
    cell). The same for every unit: a unit's rows are those its template has."""
    keys = [(b.sheet, kf.column, kf.key) for b in form.blocks.values() for kf in b.key_fields]
    info = form.sheets["info"]
    dates = tuple(
        (f.key, sheet_ref(info, absolute(f.cell)))
        for f in form.info_fields
        if f.type == "date" and not f.prefilled
    )
    return Readers(
        form.sheets["lists"], reading_columns(form), READING_FIRST, tuple(dict.fromkeys(keys)), dates
    )


def _read_step(a: str, general: str) -> str:
    """READ of input `a` (a reference with its row relative)."""
    folded = a
    for what, into in folds():
        folded = f"SUBSTITUTE({folded},{_literal(what)},{_q(into)})"
    fmt = f'CELL("format",{a})'
    # a date (CELL says "D…"; LibreOffice says "G" of most date formats, "F0" of General) or
    # a percentage ("P…", in Excel, LibreOffice and Gnumeric): no count or amount (brk13)
    date = f'OR(LEFT({fmt},1)="D",LEFT({fmt},1)="P",AND({fmt}="G",CELL("format",{general})<>"G"))'
    number = f'IF({date},"{BAD}",{a})'
    return f'=IF(ISTEXT({a}),{MARK}&TRIM({folded}),IF(ISNUMBER({a}),{number},IF(ISBLANK({a}),"","{BAD}")))'


def _word(f: str) -> str:
    """WORD from FOLD `f`: blank for spaces only, a currency word and a "." after it cut."""
    cut = f'IF(RIGHT({f},1)=".",LEFT({f},LEN({f})-1),{f})'
    stripped = f
    for w in reversed(_currency_words()):  # the longest tested first, outermost
        # MAX: Gnumeric compares text normalised, so the composed "đồng" equals the longer
        # decomposed one, whose length must not cut below nothing
        rest = f"MAX(1,LEN({cut})-{len(w)})"
        stripped = f"IF(RIGHT(LOWER({cut}),{len(w)})={_q(w)},{MARK}&TRIM(MID({cut},2,{rest}-1)),{stripped})"
    return f'=IF(LEFT({f},1)<>{MARK},{f},IF({f}={MARK},"",{stripped}))'


def _body(b: str) -> str:
    """The text of WORD `b` after its sign."""
    t = f"MID({b},2,{MAX_TEXT})"
    return f'MID({t},IF(OR(LEFT({t},1)="+",LEFT({t},1)="-"),2,1),{MAX_TEXT})'


def _shape(b: str) -> str:
    """SHAPE from WORD `b` (only read where `b` holds text)."""
    skel = _body(b)
    for d in "0123456789":
        skel = f'SUBSTITUTE({skel},"{d}","")'
    return f'=IF(LEFT({b},1)={MARK},{skel},"")'


def _value(b: str, skel: str, max_number: int) -> str:
    """VALUE from WORD `b` and SHAPE `skel`: digits only (leading zeros too), or groups of
    three digits after a first group of one to three (no leading zero) with one separator,
    each in its place: dots, spaces, or at least two commas (`values.parse_int`)."""
    body = _body(b)
    k, sep, n = f"LEN({skel})", f"LEFT({skel},1)", f"LEN({body})"
    places = [f"MID({body},{n}-3,1)={sep}"] + [
        f"IF({k}>{j},MID({body},{n}-{3 + 4 * j},1)={sep},TRUE)" for j in range(1, MAX_SEPARATORS)
    ]
    grouped = (
        f'AND({k}<={MAX_SEPARATORS},OR({sep}=".",{sep}=" ",AND({sep}=",",{k}>1)),{skel}=REPT({sep},{k}),'
        f'LEFT({body},1)<>"0",{n}-4*{k}>0,{n}-4*{k}<4,{",".join(places)})'
    )
    digits = f'IF({k}=0,{body},SUBSTITUTE({body},{sep},""))'
    size = f"IFERROR(VALUE({digits}),1E+300)"
    number = f'IF(MID({b},2,1)="-",-{size},IF({size}>{max_number},"{TOO_LARGE}",{size}))'
    # IF, not OR: AND and OR evaluate every argument, and MID before the text is an error
    whole = f"IF({k}=0,{n}>0,IFERROR({grouped},FALSE))"
    text = f'IF({whole},{number},"{BAD}")'
    typed = f'IF({b}<>INT({b}),"{FRACTION}",IF({b}>{max_number},"{TOO_LARGE}",{b}))'
    return f'=IFERROR(IF(ISNUMBER({b}),{typed},IF(LEFT({b},1)={MARK},{text},{b})),"{BAD}")'


def _relative(rd: Readers, offset: int) -> str:
    """A reference, in a defined name, to the cell `offset` columns right of where it is used.
    A name's relative references count from the cell that uses it and are stored as if that
    cell were A1 (jkp-ads.com, "Range Names in Excel: absolute and relative addressing";
    FlexCel's TXlsFile.OffsetRelativeFormula: the canonical formula "as if you were
    positioned at A1"); LibreOffice and Gnumeric read them so (`tests/test_livechecks_reading.py`)."""
    return f"{sheet_ref(rd.sheet, '')}{col_letter(offset)}1"


def _item_step(t: str, accepted: str, numbers: str) -> str:
    """ITEM from TEXT `t`: the number of the item whose spelling in `accepted` (a range) it
    is, from the parallel range `numbers`; "" for a blank, UNKNOWN otherwise."""
    wild = ",".join(f'ISNUMBER(FIND("{w}",{t}))' for w in "*?~")
    found = f'IFERROR(INDEX({numbers},MATCH({t},{accepted},0)),"{UNKNOWN}")'
    return f'=IF({t}="","",IF(OR({wild}),"{UNKNOWN}",{found}))'


def write_name_readers(
    wb: Workbook,
    ws: Worksheet,
    rd: Readers,
    rows: dict[str, list[int]],
    tables: Mapping[str, tuple[str, str]],
) -> None:
    """The defined names and hidden cells reading each key cell typed by a unit (TEXT and
    ITEM); `rows`: sheet -> the rows whose key cells are typed; `tables`: list key -> the
    absolute ranges of its accepted spellings and of their items' numbers."""
    prefix = sheet_ref(rd.sheet, "")
    nxt = _relative(rd, len(rd.keys))
    for j, (sheet, column, key) in enumerate(rd.keys):
        text, item = f"DocTen_O{j + 1}", f"DocTen_M{j + 1}"
        cell = f"{sheet_ref(sheet, '')}${column}1"
        wb.define_name(text, f'=IF(ISERROR({cell}),"",{trimmed(cell)})')
        wb.define_name(item, _item_step(nxt, *tables[key]))
        wb.define_name(rd.text(sheet, column), f"={prefix}${rd.name_column('text', sheet, column)}1")
        wb.define_name(rd.item(sheet, column), f"={prefix}${rd.name_column('item', sheet, column)}1")
        for row in rows.get(sheet, []):
            for step, name in (("text", text), ("item", item)):
                ws.write_formula(f"{rd.name_column(step, sheet, column)}{row}", "=" + name, None, "")


def write_readers(
    wb: Workbook,
    ws: Worksheet,
    rd: Readers,
    rows: dict[str, list[int]],
    max_number: int,
    in_place: Mapping[str, str] | None = None,
) -> None:
    """The defined names of the reading steps and the reading cells of every number cell on
    the lists sheet `ws`; `rows`: sheet -> the rows of its number cells. A sheet of
    `in_place` (the information sheet -> the cell holding the prefix INDIRECT reads it with,
    `layoutchecks`' "where": its name, or its current one where the reader reads that as the
    form's) is read at the address the form gives each cell (INDIRECT of that prefix, its
    column and the reading cell's row, which is the input's), as the reader reads it: a
    column inserted or a cell cut and put elsewhere leaves blank what the reader finds blank
    (brk12 B1; the dates: `write_date_readers`); a block sheet's reading follows its cells,
    whose moves the layout checks refuse."""
    ws.write_number(0, rd.first - 1, 0)  # the General cell
    wb.define_name(SHEET_MARK, f'=IF(ISREF(INDIRECT({_q(sheet_ref(rd.sheet, "A1"))})),"!",".")')
    nxt = _relative(rd, rd.count)  # the next step's cell, as the name of a step sees it
    wb.define_name(STEP_NAMES["word"], _word(nxt))
    wb.define_name(STEP_NAMES["shape"], _shape(nxt))  # of WORD, evaluated in VALUE's cell
    wb.define_name(STEP_NAMES["value"], _value(nxt, STEP_NAMES["shape"], max_number))
    prefix = sheet_ref(rd.sheet, "")
    for sheet, column in rd.columns:
        name = rd.read_name(sheet, column)
        if in_place and sheet in in_place:
            where = f"INDIRECT({in_place[sheet]}&{_q('$' + column)}&ROW())"
        else:
            where = f"{sheet_ref(sheet, '')}${column}1"
        wb.define_name(name, _read_step(where, rd.general))
        wb.define_name(rd.value(sheet, column), f"={prefix}${rd.column('value', sheet, column)}1")
        for row in rows[sheet]:
            for step in STEPS:
                formula = "=" + (name if step == "read" else STEP_NAMES[step])
                ws.write_formula(f"{rd.column(step, sheet, column)}{row}", formula, None, "")
