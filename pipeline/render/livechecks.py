"""The template's live checks, built from the rules the form applies (`rules/bind.py`).

For every rule the pipeline applies to a row or field, the template gets: a data-validation
rule that warns at entry (error type "warning": a person can pass it, cells are filled in
any order), conditional formatting that colours the violating cell, and per-row formulas
in a "Kiểm tra" area, summed up per sheet ("Đạt" / "Còn N lỗi: dòng …") and on the first
sheet. Severity and words are the catalogue's (`rules/catalogue.py`), also for what the
reader checks (a number cell holding text: `NUMBER_INVALID`, `NUMBER_FROM_TEXT`; a name read
as a listed one: `NAME_READ_AS`), and a row's error count is counted from its text, so the
template's verdict and counts are the pipeline's. Formulas use English function names and
comma separators, as the xlsx format stores them (ECMA-376 Part 1, §18.17), and only
functions Excel 2010, LibreOffice and Gnumeric share (`tests/test_livechecks_text.py`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..form import Block, Form, RowSpec, SheetChecks, col_index, col_letter
from ..form.grid import LIST_KEYS
from ..rules import findings as fd
from ..rules import nearest
from ..rules.bind import block_rules, info_rules
from ..rules.catalogue import RULES, Bound, bind
from ..rules.kinds import XlRow
from ..text import values
from .style import Styles, sheet_ref

PASSED = "Đạt"
MAX_DV_TEXT = 250  # Excel's limit for a data-validation message is 255 characters
ERROR_MARK = fd.SEVERITY_VI[fd.ERROR] + ": "  # what begins each error in a row's text


def _q(text: str) -> str:
    """A spreadsheet string literal."""
    return '"' + text.replace('"', '""') + '"'


# ----- what the pipeline reads from a number cell --------------------------------------------
# Each number cell is read as `text.values.parse_int` and `read.reading.FileReading.number`
# read it, by three hidden cells on the lists sheet, in the input's row (`Readers`), each
# "=" a defined name that holds its step's formula once for the whole workbook:
#   READ   (one name per number column, DocSo_O<n>) what the cell holds: "'" + its text
#          with odd spaces, invisible and full-width characters folded and trimmed; its
#          number; "" when blank; BAD for TRUE/FALSE, an error value or a date (a number
#          whose format shows a date: the pipeline reads a date, not a number)
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
BAD, TOO_LARGE, FRACTION = "?", ">", "~"  # codes of what the pipeline reports and does not read
READ_CODES = {BAD: "NUMBER_INVALID", TOO_LARGE: "NUMBER_TOO_LARGE", FRACTION: "NUMBER_NOT_INTEGER"}
STEPS = ("value", "word", "read")  # left to right: a step reads the one on its right
STEP_NAMES = {"value": "DocSo_Gia", "shape": "DocSo_Dau", "word": "DocSo_Chu"}
MAX_TEXT = 32767  # characters a cell holds (Excel specifications and limits)
MAX_SEPARATORS = 6  # thousands separators checked in place: 21 digits, far over max_number
_CONTROL = "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"  # written as CHAR(n): no control character in a formula


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


def _currency_words() -> list[str]:
    """The currency words the pipeline removes, longest first ("vnđ" before "đ"), each also
    decomposed (NFD) as some Vietnamese keyboards type it; lower case."""
    words: list[str] = []
    for w in values.CURRENCY_WORDS:
        words += dict.fromkeys([w, unicodedata.normalize("NFD", w)])
    return sorted(words, key=len, reverse=True)


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

    @property
    def count(self) -> int:
        return len(self.columns)

    def column(self, step: str, sheet: str, column: str) -> str:
        n = self.columns.index((sheet, column))
        return col_letter(self.first + STEPS.index(step) * self.count + n)

    def value(self, sheet: str, column: str) -> str:
        """The defined name of the VALUE cells of input column `column` of `sheet` (the
        one in the row where it is used)."""
        return f"So_{self.columns.index((sheet, column)) + 1}"

    def values(self, sheet: str, columns: list[str], first: int, last: int) -> str:
        """The range of the VALUE cells of input `columns` (adjacent) from row `first` to `last`."""
        a, b = (self.column("value", sheet, c) for c in (columns[0], columns[-1]))
        return f"{sheet_ref(self.sheet, '')}{a}{first}:{b}{last}"

    @property
    def general(self) -> str:
        return f"{sheet_ref(self.sheet, '')}${col_letter(self.first - 1)}$1"

    def read_name(self, sheet: str, column: str) -> str:
        return f"DocSo_O{self.columns.index((sheet, column)) + 1}"


@dataclass(frozen=True)
class _ReadRow(XlRow):
    """A row whose number cells a rule reads through their VALUE names (key -> name)."""

    read: Mapping[str, str] = field(default_factory=dict)

    def ref(self, key: str) -> str:
        return self.read.get(key) or super().ref(key)


def readers(form: Form) -> Readers:
    """The reading cells of a template: its number columns, the information sheet's first,
    then each block's measures, right of the lists (and one empty column, then the General
    cell). The same for every unit: a unit's rows are those its template has."""
    cols = [
        (form.sheets["info"], f.column) for f in form.info_fields if f.type == "count" and not f.prefilled
    ]
    cols += [(b.sheet, b.measure_column(m.key)) for b in form.blocks.values() for m in b.measures]
    first = 2 * len(LIST_KEYS) + 3
    return Readers(form.sheets["lists"], tuple(dict.fromkeys(cols)), first)


def _read_step(a: str, general: str) -> str:
    """READ of input `a` (a reference with its row relative)."""
    folded = a
    for what, into in folds():
        folded = f"SUBSTITUTE({folded},{_literal(what)},{_q(into)})"
    fmt = f'CELL("format",{a})'
    date = f'OR(LEFT({fmt},1)="D",AND({fmt}="G",CELL("format",{general})<>"G"))'
    number = f'IF({date},"{BAD}",{a})'
    return f'=IF(ISTEXT({a}),"\'"&TRIM({folded}),IF(ISNUMBER({a}),{number},IF(ISBLANK({a}),"","{BAD}")))'


def _word(f: str) -> str:
    """WORD from FOLD `f`: blank for spaces only, a currency word and a "." after it cut."""
    cut = f'IF(RIGHT({f},1)=".",LEFT({f},LEN({f})-1),{f})'
    stripped = f
    for w in reversed(_currency_words()):  # the longest tested first, outermost
        # MAX: Gnumeric compares text normalised, so the composed "đồng" equals the longer
        # decomposed one, whose length must not cut below nothing
        rest = f"MAX(1,LEN({cut})-{len(w)})"
        stripped = f'IF(RIGHT(LOWER({cut}),{len(w)})={_q(w)},"\'"&TRIM(MID({cut},2,{rest}-1)),{stripped})'
    return f'=IF(LEFT({f},1)<>"\'",{f},IF({f}="\'","",{stripped}))'


def _body(b: str) -> str:
    """The text of WORD `b` after its sign."""
    t = f"MID({b},2,{MAX_TEXT})"
    return f'MID({t},IF(OR(LEFT({t},1)="+",LEFT({t},1)="-"),2,1),{MAX_TEXT})'


def _shape(b: str) -> str:
    """SHAPE from WORD `b` (only read where `b` holds text)."""
    skel = _body(b)
    for d in "0123456789":
        skel = f'SUBSTITUTE({skel},"{d}","")'
    return f'=IF(LEFT({b},1)="\'",{skel},"")'


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
    return f'=IFERROR(IF(ISNUMBER({b}),{typed},IF(LEFT({b},1)="\'",{text},{b})),"{BAD}")'


def _relative(rd: Readers, offset: int) -> str:
    """A reference, in a defined name, to the cell `offset` columns right of where it is used
    (a name's relative references count from A1)."""
    return f"{sheet_ref(rd.sheet, '')}{col_letter(offset)}1"


def write_readers(
    wb: Workbook, ws: Worksheet, rd: Readers, rows: dict[str, list[int]], max_number: int
) -> None:
    """The defined names of the reading steps and the reading cells of every number cell on
    the lists sheet `ws`; `rows`: sheet -> the rows of its number cells."""
    ws.write_number(0, rd.first - 1, 0)  # the General cell
    nxt = _relative(rd, rd.count)  # the next step's cell, as the name of a step sees it
    wb.define_name(STEP_NAMES["word"], _word(nxt))
    wb.define_name(STEP_NAMES["shape"], _shape(nxt))  # of WORD, evaluated in VALUE's cell
    wb.define_name(STEP_NAMES["value"], _value(nxt, STEP_NAMES["shape"], max_number))
    prefix = sheet_ref(rd.sheet, "")
    for sheet, column in rd.columns:
        name = rd.read_name(sheet, column)
        wb.define_name(name, _read_step(f"{sheet_ref(sheet, '')}${column}1", rd.general))
        wb.define_name(rd.value(sheet, column), f"={prefix}${rd.column('value', sheet, column)}1")
        for row in rows[sheet]:
            for step in STEPS:
                formula = "=" + (name if step == "read" else STEP_NAMES[step])
                ws.write_formula(f"{rd.column(step, sheet, column)}{row}", formula, None, "")


def _content(value: str, typed: str, key: str, name: str, lead: bool = True) -> str:
    """What a row's text says of a number cell by its VALUE cell `value` (`typed`: the input
    cell): "" for a number or a blank (its rules speak for it), the words of the rule the
    pipeline reports for a code (`READ_CODES`), and NUMBER_FROM_TEXT for text it reads as a
    number that is not negative (NUMBER_NEGATIVE speaks for that). `lead`: "Lỗi: …; " as in
    a row's text, else ", …" as in a sheet's list of errors (errors only)."""
    warn = bind("NUMBER_FROM_TEXT", key, used_by="template", name=name)
    out = '""'
    if lead or warn.severity == fd.ERROR:
        said = _said(warn) if lead else ", " + warn.text
        out = f'IF(AND(ISTEXT({typed}),ISNUMBER({value})),IF({value}>=0,{_q(said)},""),"")'
    for code, rule_code in reversed(READ_CODES.items()):
        rule = bind(rule_code, key, used_by="template", name=name)
        if not lead and rule.severity != fd.ERROR:
            continue
        said = _said(rule) if lead else ", " + rule.text
        out = f'IF({value}="{code}",{_q(said)},{out})'
    return out


def _read(value: str) -> str:
    """TRUE where VALUE cell `value` holds what the pipeline read (a number or a blank)."""
    return f'OR(ISNUMBER({value}),{value}="")'


def _colour_content(ws: Worksheet, rng: str, value: str, typed: str, st: Styles) -> None:
    """Colour the number cells `rng` by their first VALUE cell `value` (`typed`: the first
    input cell): red where the pipeline cannot read it, yellow for text it reads as a number."""
    red = f'AND(ISTEXT({value}),{value}<>"")'
    yellow = f"AND(ISTEXT({typed}),ISNUMBER({value}))"
    for test, fill in ((red, st.error_fill), (yellow, st.warning_fill)):
        ws.conditional_format(rng, {"type": "formula", "criteria": "=" + test, "format": fill})


# ----- names typed close to a listed one ------------------------------------------------------
# The pipeline reads a name typed close to a listed one as that one, with a warning
# (`NAME_READ_AS`); a formula cannot measure closeness, so the template carries the usual
# spellings of every listed name that the pipeline reads as it (without accents, without
# the administrative prefix, abbreviated), each checked with the pipeline's own
# `nearest.read_as`: such a name is a warning here too, anything else not listed an error.
# (administrative prefix -> its usual abbreviation, None where offices use none); a name
# typed with the prefix of the other level is not the listed name (`nearest.level`).
_PREFIXES: dict[str, str | None] = {
    "Thành phố": "TP",
    "Thị xã": "TX",
    "Thị trấn": "TT",
    "Huyện": "H",
    "Quận": "Q",
    "Phường": "P",
    "Xã": None,
    "Đặc khu": None,
}


def _unaccented(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def _spellings(name: str) -> list[str]:
    """Ways people type a listed name: without accents, without or with an abbreviated
    administrative prefix ("Hòn Đất", "H. Hòn Đất" for "Huyện Hòn Đất"; "Gò Quao" for
    "Xã Gò Quao"), never with the prefix of another level."""
    forms = [name]
    for prefix, short in _PREFIXES.items():
        if name.startswith(prefix + " "):
            rest = name[len(prefix) + 1 :]
            forms.append(rest)
            if short:
                forms += [f"{short}. {rest}", f"{short} {rest}", f"{short}.{rest}"]
    moved = [v for f in forms[:2] for v in _tone_moved(f)]  # the name, without its prefix
    return forms + moved + [_unaccented(f) for f in forms]


# Vietnamese tone marks (combining, after NFD): grave, acute, hook above, tilde, dot below
_TONES = frozenset("\u0300\u0301\u0309\u0303\u0323")
_VOWELS = frozenset("aeiouyAEIOUY")


def _tone_moved(name: str) -> list[str]:
    """`name` with the tone mark of one word on another vowel of that word, as the old and
    the new rules place it ("hoà"/"hòa") or as a slip puts it ("Rạch Gía" for "Rạch Giá"):
    the pipeline folds the marks away and reads these as the name, so the template does too."""
    words = unicodedata.normalize("NFD", name).split(" ")
    out = []
    for w, word in enumerate(words):
        tone = next((ch for ch in word if ch in _TONES), None)
        if tone is None:
            continue
        bare = word.replace(tone, "")
        for i, ch in enumerate(bare):
            if ch not in _VOWELS:
                continue
            end = i + 1
            while end < len(bare) and unicodedata.combining(bare[end]):
                end += 1  # after the vowel's own marks (circumflex, breve, horn)
            variant = bare[:end] + tone + bare[end:]
            if variant != word:
                out.append(unicodedata.normalize("NFC", " ".join(words[:w] + [variant] + words[w + 1 :])))
    return out


_READABLE: dict[int, tuple[Form, dict[str, tuple[str, ...]]]] = {}


def readable_names(form: Form) -> dict[str, tuple[str, ...]]:
    """List key -> the spellings of its listed names (not the names themselves) that the
    pipeline reads as a listed name (`nearest.read_as`), one per spelling ignoring case (a
    spreadsheet's COUNTIF ignores case, as `Form.code_for` does). Computed once per form."""
    cached = _READABLE.get(id(form))
    if cached and cached[0] is form:
        return cached[1]
    out: dict[str, tuple[str, ...]] = {}
    for key in LIST_KEYS:
        items = form.items(key)
        seen: dict[str, str] = {}
        for item in items:
            for text in _spellings(item.name):
                folded = text.casefold()
                if folded in seen or form.code_for(key, text) is not None:
                    continue
                if nearest.read_as(form, key, text).code == item.code:
                    seen[folded] = text
        out[key] = tuple(seen.values())
    _READABLE[id(form)] = (form, out)
    return out


def _read_as(at: XlRow, key: str, spellings: str) -> str:
    """TRUE where the key cell holds one of the usual `spellings` (a defined name) of a
    listed name."""
    a = at.ref(key)
    return f'AND({a}<>"",COUNTIF({spellings},{a})>0)'


def _said(rule: Bound) -> str:
    """How a row's text says a rule is broken: "Lỗi: …; " or "Cảnh báo: …; "."""
    return fd.SEVERITY_VI[rule.severity] + ": " + rule.text + "; "


def _guarded(rule: Bound, at: XlRow, numbers: set[str], expr: str | None = None) -> str:
    """The rule's expression over what the pipeline reads (`at`: each number of `numbers`
    through its VALUE cell), evaluated only where each number cell it reads was read (a
    number or a blank, no code) and no key cell it reads holds an error value; FALSE
    otherwise. The pipeline likewise skips a rule over a cell it could not read
    (`rules.schema.check`). "key_missing" counts figures with COUNT, which skips codes, so
    only its key cell is guarded."""
    fields = (rule.field,) if rule.kind == "key_missing" else tuple(dict.fromkeys(rule.fields))
    guards = [_read(at.ref(f)) if f in numbers else f"NOT(ISERROR({at.ref(f)}))" for f in fields]
    guard = guards[0] if len(guards) == 1 else f"AND({','.join(guards)})"
    return f"IF({guard},{rule.excel(at) if expr is None else expr},FALSE)"


def _row_text(
    rules: list[Bound],
    at: XlRow,
    typed: XlRow,
    numbers: dict[str, str],
    read_as: Mapping[str, tuple[Bound, str]] | None = None,
) -> str:
    """The formula of a row's text naming each problem. Each number cell of `numbers` (key ->
    name) first: what the pipeline says of its content (`_content`), then its own rules
    over the value read; then each rule reading several cells, guarded (`_guarded`); then a
    key typed as a usual spelling of a listed name (`read_as`: key -> its NAME_READ_AS rule
    and the defined name of the spellings). `at` reads numbers through their VALUE cells,
    `typed` their input cells."""
    own = {k: [r for r in rules if r.fields == (k,)] for k in numbers}
    parts = []
    for key, name in numbers.items():
        parts.append(_content(at.ref(key), typed.ref(key), key, name))
        parts += [f'IF({r.excel(at)},{_q(_said(r))},"")' for r in own[key]]
    done = {id(r) for rs in own.values() for r in rs}
    parts += [f'IF({_guarded(r, at, set(numbers))},{_q(_said(r))},"")' for r in rules if id(r) not in done]
    for key, (rule, spellings) in (read_as or {}).items():
        expr = _guarded(rule, at, set(numbers), _read_as(at, key, spellings))
        parts.append(f'IF({expr},{_q(_said(rule))},"")')
    return "=" + ("&".join(parts) or '""')


def _error_count(text_cell: str) -> str:
    """The number of errors a row's text names (each begins "Lỗi: "): the count and the
    text can never disagree, and no rule is written twice."""
    mark = _q(ERROR_MARK)
    return f'=(LEN({text_cell})-LEN(SUBSTITUTE({text_cell},{mark},"")))/LEN({mark})'


def _summary(count_ref: str, listing: str, declared: str | None) -> str:
    """ "Đạt" (or "Đạt: …không có số liệu" when declared) / "Còn N lỗi: <listing>"."""
    passed = _q(PASSED)
    if declared:
        passed = f'IF(IFERROR({declared}<>"",TRUE),{_q(PASSED + ": đã đánh dấu không có số liệu")},{passed})'
    return f'=IF({count_ref}=0,{passed},"Còn "&{count_ref}&" lỗi: "&MID({listing},3,2000))'


def _dv_rule(rules: list[Bound], at: XlRow, key: str, max_number: int) -> dict | None:
    """A warning data validation for the cell of measure `key` at the first row."""
    mine = [
        r for r in rules if key in r.fields and r.severity == fd.ERROR and r.kind in ("at_most", "at_least")
    ]
    a = at.ref(key)
    bad = [r.excel(at) for r in mine]
    valid = f"AND(ISNUMBER({a}),{a}>=0,{a}<={max_number},{a}=INT({a})"
    valid += f",NOT(OR({','.join(bad)})))" if bad else ")"
    message = "Nhập số nguyên không âm, không có dấu phân cách (ví dụ 25 người hoặc 1200000 đồng)."
    for r in mine:
        message += f" {fd.SEVERITY_VI[r.severity]} nếu {r.text}."
    if len(valid) > 255:  # Excel's limit for a validation formula
        return None
    return {
        "validate": "custom",
        "value": "=" + valid,
        "ignore_blank": True,
        "error_type": "warning",
        "error_title": "Kiểm tra số liệu",
        "error_message": message[:MAX_DV_TEXT],
    }


def write_block_checks(
    wb: Workbook,
    ws: Worksheet,
    form: Form,
    block: Block,
    rows: list[RowSpec],
    lists: dict[str, str],
    spellings: dict[str, str],
    rd: Readers,
    st: Styles,
) -> SheetChecks:
    """The declaration cell, warnings at entry, colours and the "Kiểm tra" area of a block.

    `lists`: key -> the defined name of its listed names and their usual spellings (what
    the pipeline reads); `spellings`: key -> the defined name of those spellings alone;
    `rd`: where each number cell is read (`write_readers` writes those cells)."""
    chk = form.block_checks(block)
    free = bool(rows) and any(kf.key not in rows[0].fixed for kf in block.key_fields)
    skip = {"own_region", *(RULES[c].kind.name for c in READ_CODES.values() if RULES[c].kind)}
    rules = [r for r in block_rules(form, block, free_keys=free) if r.kind not in skip]
    columns = {kf.key: kf.column for kf in block.key_fields}
    columns.update({m.key: block.measure_column(m.key) for m in block.measures})
    read = {m.key: rd.value(block.sheet, columns[m.key]) for m in block.measures}
    # the declaration
    decl = chk.declare_cell or ""
    ws.write_string(form.checks.declare_label_cell, form.checks.declare_label, st.declare_label)
    ws.write_blank(decl, None, st.declare_input)
    ws.set_row(form.checks.declare_row - 1, 32)
    ws.data_validation(
        decl,
        {
            "validate": "list",
            "source": [form.checks.declare_mark],
            "error_type": "warning",
            "error_title": "Không có số liệu",
            "error_message": f"Chọn «{form.checks.declare_mark}» nếu đơn vị không có số liệu cho trang này.",
        },
    )
    # the per-row columns
    cnt, txt = col_index(chk.count_column), col_index(chk.text_column)
    ws.set_column(cnt, cnt, 8)
    ws.set_column(txt, txt, 48)
    ws.write_string(chk.header_row - 1, cnt, "Số lỗi", st.head)
    ws.write_string(chk.header_row - 1, txt, "Kiểm tra từng dòng", st.head)
    numbers = {m.key: m.name for m in block.measures}
    read_as = {
        kf.key: (bind("NAME_READ_AS", kf.key, used_by="template", label=kf.label.lower()), spellings[kf.key])
        for kf in block.key_fields
        if free and kf.key in spellings
    }
    first = rows[0].row if rows else block.first_row
    for spec in rows:
        at = _ReadRow(spec.row, first, columns, lists, read)
        typed = XlRow(spec.row, first, columns, lists)
        text_cell = f"{chk.text_column}{spec.row}"
        ws.write_formula(text_cell, _row_text(rules, at, typed, numbers, read_as), st.text, "")
        ws.write_formula(f"{chk.count_column}{spec.row}", _error_count(text_cell), st.count, 0)
    if rows:
        last = rows[-1].row
        at = _ReadRow(first, first, columns, lists, read)
        raw = XlRow(first, first, columns, lists)
        for m in block.measures:  # what is typed: an unreadable value red, text read yellow
            col = block.measure_column(m.key)
            _colour_content(ws, f"{col}{first}:{col}{last}", at.ref(m.key), raw.ref(m.key), st)
        for r in rules:
            col = columns[r.field]
            rng = f"{col}{first}:{col}{last}"
            fill = st.error_fill if r.severity == fd.ERROR else st.warning_fill
            ws.conditional_format(
                rng, {"type": "formula", "criteria": "=" + _guarded(r, at, set(numbers)), "format": fill}
            )
        for key, (rule, names) in read_as.items():
            criteria = "=" + _guarded(rule, at, set(numbers), _read_as(at, key, names))
            rng = f"{columns[key]}{first}:{columns[key]}{last}"
            ws.conditional_format(rng, {"type": "formula", "criteria": criteria, "format": st.warning_fill})
        for m in block.measures:
            dv = _dv_rule(rules, raw, m.key, form.limits.max_number)
            if dv:
                col = block.measure_column(m.key)
                ws.data_validation(f"{col}{first}:{col}{last}", dv)
        # nothing read and nothing the pipeline reports in any number cell (text it cannot
        # read, an error value: a finding on the sheet, so not empty; spaces alone are
        # blank), and no declaration
        empty_rule = bind(
            "BLOCK_EMPTY", "has_rows", used_by="template", mark=form.checks.declare_mark, cell=decl
        )
        values = rd.values(block.sheet, [columns[m.key] for m in block.measures], first, last)
        size = len(block.measures) * (last - first + 1)  # COUNTBLANK counts a formula's "" as blank
        empty = f'AND(COUNTBLANK({values})={size},IFERROR({decl}="",FALSE))'
        count = f"=SUM({chk.count_column}{first}:{chk.count_column}{last})"
        if empty_rule.severity == fd.ERROR:
            count += f"+IF({empty},1,0)"
        listing = "&".join(
            [f'IF({empty},{_q(", " + empty_rule.text)},"")']
            + [f'IF({chk.count_column}{s.row}>0,", dòng {s.row}","")' for s in rows]
        )
    else:
        count, listing = "=0", '""'
    _sheet_summary(ws, chk, count, listing, decl, st, cached_errors=1)
    return chk


def write_info_checks(ws: Worksheet, form: Form, rd: Readers, st: Styles) -> SheetChecks:
    """Warnings and colours for the fields of the information sheet a unit fills (required
    fields; what is typed in a number field, and its sign, as the pipeline reads it), and
    its summary. `rd`: where each number cell is read."""
    chk = form.info_checks()
    numbers = {f.key: f.label for f in form.info_fields if f.type == "count" and not f.prefilled}
    signs = [r for r in info_rules(form, in_template=False) if r.field in numbers and r.kind == "negative"]
    rules = info_rules(form) + signs
    columns = {f.key: f.column for f in form.info_fields}
    read = {k: rd.value(chk.sheet, columns[k]) for k in numbers}
    cnt, txt = col_index(chk.count_column), col_index(chk.text_column)
    ws.set_column(cnt, cnt, 8)
    ws.set_column(txt, txt, 40)
    ws.write_string(chk.header_row - 1, cnt, "Số lỗi", st.head)
    ws.write_string(chk.header_row - 1, txt, "Kiểm tra", st.head)
    listing = []
    blank_errors = 0
    for f in form.info_fields:
        mine = [r for r in rules if r.field == f.key]
        if not mine and f.key not in numbers:
            continue
        at = _ReadRow(f.row, f.row, columns, {}, read)
        typed = XlRow(f.row, f.row, columns, {})
        text_cell = f"{chk.text_column}{f.row}"
        here = {f.key: numbers[f.key]} if f.key in numbers else {}
        if here:
            _colour_content(ws, f.cell, at.ref(f.key), f.cell, st)
        # what the formulas give in the blank template: every required field is missing
        missing = [r for r in mine if r.kind == "required"]
        blank_errors += sum(1 for r in missing if r.severity == fd.ERROR)
        cached = "".join(_said(r) for r in missing)
        ws.write_formula(text_cell, _row_text(mine, at, typed, here), st.text, cached)
        ws.write_formula(
            f"{chk.count_column}{f.row}", _error_count(text_cell), st.count, cached.count(ERROR_MARK)
        )
        for r in mine:
            fill = st.error_fill if r.severity == fd.ERROR else st.warning_fill
            criteria = "=" + _guarded(r, at, set(numbers))
            ws.conditional_format(f.cell, {"type": "formula", "criteria": criteria, "format": fill})
        listing += [
            f'IF({_guarded(r, at, set(numbers))},{_q(", " + r.text)},"")'
            for r in mine
            if r.severity == fd.ERROR
        ]
        if here:
            listing.append(_content(at.ref(f.key), f.cell, f.key, f.label, lead=False))
    first, last = form.info_fields[0].row, form.info_fields[-1].row
    count = f"=SUM({chk.count_column}{first}:{chk.count_column}{last})"
    _sheet_summary(ws, chk, count, "&".join(listing) or '""', None, st, cached_errors=blank_errors)
    return chk


def _sheet_summary(
    ws: Worksheet,
    chk: SheetChecks,
    count: str,
    listing: str,
    declared: str | None,
    st: Styles,
    cached_errors: int,
) -> None:
    cnt, txt = col_index(chk.count_column), col_index(chk.text_column)
    ws.write_string(0, cnt, "Kiểm tra", st.head)
    ws.write_string(0, txt, "Kết quả kiểm tra trang này (tự cập nhật khi điền)", st.head)
    ws.write_formula(chk.count_cell, count, st.count, cached_errors)
    cached = PASSED if cached_errors == 0 else f"Còn {cached_errors} lỗi"
    ws.write_formula(chk.summary_cell, _summary(chk.count_cell, listing, declared), st.summary, cached)


def write_overview(ws: Worksheet, form: Form, checks: list[SheetChecks], st: Styles, cached: int) -> None:
    """The check summary on the first sheet: the whole workbook, then each sheet."""
    sheet, cell = form.overview_cell()
    ws.write_string(form.checks.overview_label_cell, "KIỂM TRA TRƯỚC KHI GỬI (tự cập nhật khi điền)", st.head)
    total = "+".join(sheet_ref(c.sheet, c.count_cell) for c in checks)
    formula = f'=IF(({total})=0,"{PASSED}: không còn lỗi","Còn "&({total})&" lỗi; xem từng trang dưới đây")'
    ws.write_formula(cell, formula, st.summary, PASSED if cached == 0 else f"Còn {cached} lỗi")
    for i, c in enumerate(checks):
        ws.write_formula(
            form.checks.overview_sheet_cell(i),
            f"={_q(f'Trang {c.sheet}: ')}&{sheet_ref(c.sheet, c.summary_cell)}",
            st.text,
            "",
        )
