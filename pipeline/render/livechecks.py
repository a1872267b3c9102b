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
from dataclasses import dataclass
from functools import lru_cache

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..form import Block, Form, RowSpec, SheetChecks, col_index, col_letter
from ..form.grid import LIST_KEYS
from ..rules import findings as fd
from ..rules import nearest
from ..rules.bind import block_rules, info_rules
from ..rules.catalogue import Bound, bind
from ..rules.kinds import XlRow
from ..text import values
from .style import Styles, sheet_ref

PASSED = "Đạt"
MAX_DV_TEXT = 250  # Excel's limit for a data-validation message is 255 characters
NBSP = "\u00a0"  # a no-break space: what a PC with French-style settings groups thousands by
ERROR_MARK = fd.SEVERITY_VI[fd.ERROR] + ": "  # what begins each error in a row's text


def _q(text: str) -> str:
    """A spreadsheet string literal."""
    return '"' + text.replace('"', '""') + '"'


# ----- what the pipeline reads from a number cell --------------------------------------------
# Each number cell is read, as `text.values.parse_int` and `read.reading.FileReading.number`
# read it, by hidden cells right of the check columns (`Readers`), one column a step:
#   norm       text with odd spaces, invisible characters and full-width digits folded, trimmed
#   bare       `norm` without a currency word at its end ("1.500.000 đồng", "50đ.", "VND")
#   skeleton   `bare` without its sign and its digits: "" for digits only, "..", "  ", ",,"
#   magnitude  the digits of `bare` as a number (huge when they overflow)
#   reading    what the pipeline says of the cell (the codes below)
#   value      the number the pipeline reads, "" when it reads none
# Every rule reads `value` (so text the pipeline reads as a number is checked as that
# number) and is skipped where `reading` is an error, as the pipeline skips a row-wide rule
# over a cell it could not read. No input reaches arithmetic unless ISNUMBER says it is one,
# and no reading cell can hold an error value, so no check or summary shows one.
HELPERS = ("norm", "bare", "skeleton", "magnitude", "reading", "value")
FINE = 0  # a number or a blank
FROM_TEXT = 1  # text read as a number: NUMBER_FROM_TEXT (a warning)
NEGATIVE_TEXT = 2  # text read as a negative number: no warning, the number is NUMBER_NEGATIVE
ERRORS_FROM = 10  # from here on the pipeline reports an error and reads nothing
UNREADABLE = 10  # text that is no whole number, TRUE/FALSE, a date: NUMBER_INVALID
ERROR_VALUE = 11  # #N/A, #DIV/0!, a formula's error: NUMBER_INVALID
TOO_LARGE = 12  # over the form's max_number: NUMBER_TOO_LARGE
FRACTION = 13  # a number with a fraction: NUMBER_NOT_INTEGER
READ_CODES = {
    UNREADABLE: "NUMBER_INVALID",
    ERROR_VALUE: "NUMBER_INVALID",
    TOO_LARGE: "NUMBER_TOO_LARGE",
    FRACTION: "NUMBER_NOT_INTEGER",
    FROM_TEXT: "NUMBER_FROM_TEXT",
}
MAX_TEXT = 32767  # characters a cell holds (Excel specifications and limits)
MAX_SEPARATORS = 6  # thousands separators checked in place: 21 digits, far over max_number
_EXCEL_CONTROL = "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"  # written as CHAR(n): no control character in XML


@lru_cache(maxsize=1)
def _folds() -> tuple[tuple[str, str], ...]:
    """(what, into) for every character the pipeline folds before reading a number: each
    space `values.SPACES` matches -> " ", each of `values.INVISIBLE_CHARS` -> "", each
    full-width digit, sign, dot, comma and letter of a currency word -> its ASCII form (other
    full-width letters make no number either way). Derived from the pipeline's own tables;
    with TRIM and IF, 57 functions deep, within Excel's 64."""
    out = []
    for cp in range(0x10000):
        ch = chr(cp)
        if ch != " " and values.SPACES.fullmatch(ch) and cp != 0x85:  # U+0085: no way to type it
            out.append((ch, " "))
    out += [(ch, "") for ch in values.INVISIBLE_CHARS]
    letters = {ch for w in values.CURRENCY_WORDS for ch in w.lower() + w.upper() if ch.isascii()}
    kept = set("0123456789+-.,") | letters
    out += [(chr(cp), chr(to)) for cp, to in values.FULL_WIDTH.items() if chr(to) in kept]
    return tuple(out)


def _literal(ch: str) -> str:
    return f"CHAR({ord(ch)})" if ch in _EXCEL_CONTROL else _q(ch)


def _currency_words() -> list[str]:
    """The currency words the pipeline removes, longest first (so "vnđ" before "đ"), each
    also decomposed (NFD) as some Vietnamese keyboards type it; lower case."""
    words = []
    for w in values.CURRENCY_WORDS:
        words += dict.fromkeys([w, unicodedata.normalize("NFD", w)])
    return sorted(words, key=len, reverse=True)


@dataclass(frozen=True)
class Readers:
    """Where the hidden reading cells of a sheet's number cells are: `first` is the first
    hidden column; helper `h` of number `i` (of `n`) is column first + h*n + i, so each helper
    of every number is one contiguous range of columns."""

    keys: tuple[str, ...]
    first: int

    def column(self, helper: str, key: str) -> str:
        n = len(self.keys)
        return col_letter(self.first + HELPERS.index(helper) * n + self.keys.index(key))

    def span(self, helper: str) -> tuple[str, str]:
        """The first and last column of one helper over every number."""
        return self.column(helper, self.keys[0]), self.column(helper, self.keys[-1])

    @property
    def last(self) -> int:
        return self.first + len(HELPERS) * len(self.keys) - 1

    def values_at(self, at: XlRow) -> XlRow:
        """`at` with each number read through its `value` cell."""
        cols = dict(at.columns) | {k: self.column("value", k) for k in self.keys}
        return XlRow(at.row, at.first_row, cols, at.lists)

    def ref(self, helper: str, key: str, row: int) -> str:
        return f"{self.column(helper, key)}{row}"


def readers_right_of(chk: SheetChecks, keys: list[str]) -> Readers:
    """The reading cells of a sheet, right of its check text column and one empty column."""
    return Readers(tuple(keys), col_index(chk.text_column) + 2)


@lru_cache(maxsize=4096)
def reading_formulas(rd: Readers, key: str, a: str, row: int, max_number: int) -> dict[str, str]:
    """The formula of each hidden reading cell of number cell `a` (see HELPERS); the same
    for every unit of a layout, so computed once (do not change the dict returned)."""
    norm, bare, skel, mag, code = (rd.ref(h, key, row) for h in HELPERS[:5])
    folded = a
    for what, into in _folds():
        folded = f"SUBSTITUTE({folded},{_literal(what)},{_q(into)})"
    cut = f'IF(RIGHT({norm},1)=".",LEFT({norm},LEN({norm})-1),{norm})'  # an optional "." after the word
    stripped = norm
    for w in reversed(_currency_words()):  # the longest tested first, outermost
        # MAX: Gnumeric compares text normalised, so the composed "đồng" equals the longer
        # decomposed one, whose length must not cut below nothing
        rest = f"MAX(0,LEN({cut})-{len(w)})"
        stripped = f"IF(RIGHT(LOWER({cut}),{len(w)})={_q(w)},TRIM(LEFT({cut},{rest})),{stripped})"
    signed = f'IF(OR(LEFT({bare},1)="+",LEFT({bare},1)="-"),1,0)'
    body = f"MID({bare},1+{signed},{MAX_TEXT})"
    digits = body
    for d in "0123456789":
        digits = f'SUBSTITUTE({digits},"{d}","")'
    k, sep, n = f"LEN({skel})", f"LEFT({skel},1)", f"LEN({bare})"
    places = [f"MID({bare},{n}-3,1)={sep}"] + [
        f"IF({k}>{j},MID({bare},{n}-{3 + 4 * j},1)={sep},TRUE)" for j in range(1, MAX_SEPARATORS)
    ]
    grouped = (
        f'IFERROR(AND({k}>0,{k}<={MAX_SEPARATORS},OR({sep}=".",{sep}=" ",AND({sep}=",",{k}>1)),'
        f'{skel}=REPT({sep},{k}),MID({bare},1+{signed},1)<>"0",{k}=INT(({n}-{signed}-{k}-1)/3),'
        f"{','.join(places)}),FALSE)"
    )
    whole = f"OR(AND({k}=0,{n}>{signed}),{grouped})"
    text = (
        f'IF({norm}="",{FINE},IF({whole},IF(AND(LEFT({bare},1)="-",{mag}>0),{NEGATIVE_TEXT},'
        f"IF({mag}>{max_number},{TOO_LARGE},{FROM_TEXT})),{UNREADABLE}))"
    )
    # a date or time typed in a number cell is a number in a date format, which the pipeline
    # reads as a date (NUMBER_INVALID); Excel's CELL("format") names such formats "D1"-"D9"
    # (LibreOffice and Gnumeric say "G" for most of them: there a date passes as its number)
    number = (
        f'IF(LEFT(CELL("format",{a}),1)="D",{UNREADABLE},'
        f"IF({a}<>INT({a}),{FRACTION},IF({a}>{max_number},{TOO_LARGE},{FINE})))"
    )
    return {
        "norm": f'=IF(ISTEXT({a}),TRIM({folded}),"")',
        "bare": f"={stripped}",
        "skeleton": f"={digits}",
        "magnitude": f'=IFERROR(VALUE(IF({k}=0,{body},SUBSTITUTE({body},{sep},""))),1E+300)',
        "reading": (
            f"=IF(ISERROR({a}),{ERROR_VALUE},IF(ISNUMBER({a}),{number},"
            f"IF(ISTEXT({a}),{text},IF(ISBLANK({a}),{FINE},{UNREADABLE}))))"
        ),
        "value": (
            f'=IF(OR({code}={FROM_TEXT},{code}={NEGATIVE_TEXT}),IF(LEFT({bare},1)="-",-{mag},{mag}),'
            f'IF(AND({code}={FINE},ISNUMBER({a})),{a},""))'
        ),
    }


CACHED = {"norm": "", "bare": "", "skeleton": "", "magnitude": 1e300, "reading": FINE, "value": ""}


def write_readers(ws: Worksheet, rd: Readers, cells: list[tuple[str, str, int]], max_number: int) -> None:
    """The hidden reading cells of number cells (key, cell, row), their columns hidden."""
    for key, a, row in cells:
        for helper, formula in reading_formulas(rd, key, a, row, max_number).items():
            ws.write_formula(rd.ref(helper, key, row), formula, None, CACHED[helper])
    ws.set_column(rd.first, rd.last, 4, None, {"hidden": True})


def _content(code: str, key: str, name: str, lead: bool = True) -> str:
    """What a row's text says of a number cell by its `reading` cell `code`: "" for a number
    or a blank (its rules speak for it) and for negative text (NUMBER_NEGATIVE does), else
    the words of the rule the pipeline reports (`READ_CODES`). `lead`: "Lỗi: …; " as in a
    row's text, else ", …" as in a sheet's list of errors (errors only)."""
    out = '""'
    for value, rule_code in reversed(READ_CODES.items()):
        rule = bind(rule_code, key, used_by="template", name=name)
        if not lead and rule.severity != fd.ERROR:
            continue
        said = _said(rule) if lead else ", " + rule.text
        out = f"IF({code}={value},{_q(said)},{out})"
    return out


def _colour_content(ws: Worksheet, rng: str, code: str, st: Styles) -> None:
    """Colour the number cells `rng` by their first `reading` cell `code`: red where the
    pipeline cannot read it, yellow for text it reads as a number."""
    red = f"{code}>={ERRORS_FROM}"
    yellow = f"OR({code}={FROM_TEXT},{code}={NEGATIVE_TEXT})"
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


def _guarded(rule: Bound, at: XlRow, codes: Mapping[str, str], expr: str | None = None) -> str:
    """The rule's expression over the values the pipeline reads (`at`: numbers read through
    their `value` cells), evaluated only where each number cell it reads was read (its
    `reading` cell in `codes`, key -> cell, is not an error) and no key cell it reads holds
    an error value; FALSE otherwise. The pipeline likewise skips a rule over a cell it could
    not read (`rules.schema.check`). "key_missing" counts figures with COUNT, which skips
    text, so only its key cell is guarded."""
    fields = (rule.field,) if rule.kind == "key_missing" else tuple(dict.fromkeys(rule.fields))
    guards = [f"{codes[f]}<{ERRORS_FROM}" if f in codes else f"NOT(ISERROR({at.ref(f)}))" for f in fields]
    guard = guards[0] if len(guards) == 1 else f"AND({','.join(guards)})"
    return f"IF({guard},{rule.excel(at) if expr is None else expr},FALSE)"


def _row_text(
    rules: list[Bound],
    at: XlRow,
    numbers: dict[str, str],
    codes: Mapping[str, str],
    read_as: Mapping[str, tuple[Bound, str]] | None = None,
) -> str:
    """The formula of a row's text naming each problem. Each number cell of `numbers` (key ->
    name) first: what the pipeline says of its content (`_content`, by its `reading` cell in
    `codes`), then its own rules over the value read; then each rule reading several cells,
    guarded (`_guarded`); then a key typed as a usual spelling of a listed name (`read_as`:
    key -> its NAME_READ_AS rule and the defined name of the spellings). `at` reads numbers
    through their `value` cells."""
    own = {k: [r for r in rules if r.fields == (k,)] for k in numbers}
    parts = []
    for key, name in numbers.items():
        mine = [f'IF({r.excel(at)},{_q(_said(r))},"")' for r in own[key] if r.code not in READ_CODES.values()]
        parts += [_content(codes[key], key, name), *mine]
    done = {id(r) for rs in own.values() for r in rs}
    parts += [f'IF({_guarded(r, at, codes)},{_q(_said(r))},"")' for r in rules if id(r) not in done]
    for key, (rule, spellings) in (read_as or {}).items():
        expr = _guarded(rule, at, codes, _read_as(at, key, spellings))
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
    st: Styles,
) -> SheetChecks:
    """The declaration cell, warnings at entry, colours and the "Kiểm tra" area of a block.

    `lists`: key -> the defined name of its listed names and their usual spellings (what
    the pipeline reads); `spellings`: key -> the defined name of those spellings alone."""
    chk = form.block_checks(block)
    free = bool(rows) and any(kf.key not in rows[0].fixed for kf in block.key_fields)
    rules = [r for r in block_rules(form, block, free_keys=free) if r.kind != "own_region"]
    columns = {kf.key: kf.column for kf in block.key_fields}
    columns.update({m.key: block.measure_column(m.key) for m in block.measures})
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
    rd = readers_right_of(chk, list(numbers))
    first = rows[0].row if rows else block.first_row
    for spec in rows:
        at = rd.values_at(XlRow(spec.row, first, columns, lists))
        codes = {k: rd.ref("reading", k, spec.row) for k in numbers}
        text_cell = f"{chk.text_column}{spec.row}"
        ws.write_formula(text_cell, _row_text(rules, at, numbers, codes, read_as), st.text, "")
        ws.write_formula(f"{chk.count_column}{spec.row}", _error_count(text_cell), st.count, 0)
    max_number = form.limits.max_number
    write_readers(ws, rd, [(k, f"{columns[k]}{s.row}", s.row) for s in rows for k in numbers], max_number)
    if rows:
        last = rows[-1].row
        raw = XlRow(first, first, columns, lists)
        at = rd.values_at(raw)
        codes = {k: rd.ref("reading", k, first) for k in numbers}
        for m in block.measures:  # what is typed: an unreadable value red, text read yellow
            col = block.measure_column(m.key)
            _colour_content(ws, f"{col}{first}:{col}{last}", codes[m.key], st)
        for r in rules:
            if r.code in READ_CODES.values():
                continue  # coloured by what the cell holds
            rng = f"{columns[r.field]}{first}:{columns[r.field]}{last}"
            fill = st.error_fill if r.severity == fd.ERROR else st.warning_fill
            ws.conditional_format(
                rng, {"type": "formula", "criteria": "=" + _guarded(r, at, codes), "format": fill}
            )
        for key, (rule, names) in read_as.items():
            criteria = "=" + _guarded(rule, at, codes, _read_as(at, key, names))
            rng = f"{columns[key]}{first}:{columns[key]}{last}"
            ws.conditional_format(rng, {"type": "formula", "criteria": criteria, "format": st.warning_fill})
        for m in block.measures:
            dv = _dv_rule(rules, raw, m.key, max_number)
            if dv:
                col = block.measure_column(m.key)
                ws.data_validation(f"{col}{first}:{col}{last}", dv)
        # no number read and nothing the pipeline reports in any number cell (text it cannot
        # read, an error value: a finding on the sheet, so not empty), and no declaration;
        # spaces alone are blank
        empty_rule = bind(
            "BLOCK_EMPTY", "has_rows", used_by="template", mark=form.checks.declare_mark, cell=decl
        )
        values = "{0}{2}:{1}{3}".format(*rd.span("value"), first, last)
        read = "{0}{2}:{1}{3}".format(*rd.span("reading"), first, last)
        empty = f'AND(COUNT({values})=0,COUNTIF({read},">0")=0,IFERROR({decl}="",FALSE))'
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


def write_info_checks(ws: Worksheet, form: Form, st: Styles) -> SheetChecks:
    """Warnings and colours for the fields of the information sheet a unit fills (required
    fields; what is typed in a number field, and its sign, as the pipeline reads it), and
    its summary."""
    chk = form.info_checks()
    numbers = {f.key: f.label for f in form.info_fields if f.type == "count" and not f.prefilled}
    signs = [r for r in info_rules(form, in_template=False) if r.field in numbers and r.kind == "negative"]
    rules = info_rules(form) + signs
    columns = {f.key: f.column for f in form.info_fields}
    cnt, txt = col_index(chk.count_column), col_index(chk.text_column)
    ws.set_column(cnt, cnt, 8)
    ws.set_column(txt, txt, 40)
    ws.write_string(chk.header_row - 1, cnt, "Số lỗi", st.head)
    ws.write_string(chk.header_row - 1, txt, "Kiểm tra", st.head)
    rd = readers_right_of(chk, list(numbers))
    listing = []
    blank_errors = 0
    for f in form.info_fields:
        mine = [r for r in rules if r.field == f.key]
        if not mine and f.key not in numbers:
            continue
        at = rd.values_at(XlRow(f.row, f.row, columns, {}))
        text_cell = f"{chk.text_column}{f.row}"
        here = {f.key: numbers[f.key]} if f.key in numbers else {}
        codes = {k: rd.ref("reading", k, f.row) for k in here}
        if here:
            _colour_content(ws, f.cell, codes[f.key], st)
            write_readers(ws, rd, [(f.key, f.cell, f.row)], form.limits.max_number)
        # what the formulas give in the blank template: every required field is missing
        missing = [r for r in mine if r.kind == "required"]
        blank_errors += sum(1 for r in missing if r.severity == fd.ERROR)
        cached = "".join(_said(r) for r in missing)
        ws.write_formula(text_cell, _row_text(mine, at, here, codes), st.text, cached)
        ws.write_formula(
            f"{chk.count_column}{f.row}", _error_count(text_cell), st.count, cached.count(ERROR_MARK)
        )
        for r in mine:
            fill = st.error_fill if r.severity == fd.ERROR else st.warning_fill
            criteria = "=" + _guarded(r, at, codes)
            ws.conditional_format(f.cell, {"type": "formula", "criteria": criteria, "format": fill})
        listing += [
            f'IF({_guarded(r, at, codes)},{_q(", " + r.text)},"")' for r in mine if r.severity == fd.ERROR
        ]
        if here:
            listing.append(_content(codes[f.key], f.key, f.label, lead=False))
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
