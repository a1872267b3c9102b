r"""Whether a number format shows a date or a time, as LibreOffice decides it.

A cell holds a number; its format decides whether a person sees 45 or 14/02/1900. The format
code is read as LibreOffice reads the code of an .xlsx or .xls file (English keywords:
svl/source/numbers/zformat.cxx `SvNumberformat::ImpNextSymbol`, zforscan.cxx `Next_Symbol`,
`GetKeyWord`, `ScanType`), section by section (positive;negative;zero;text):

- First come brackets: colours (`[Red]`, `[Color10]`), conditions (`[>100]`), a locale
  (`[$-42A]`, `[$-F800]`), `[NatNum1]`, `[DBNum1]`. Quoted text (`"ngày"`), an escaped
  character (`\d`), the width of a character (`_d`) and a fill character (`*d`) are literal.
- Every other letter is looked up as a keyword where it stands: a date or time code (D, M, Y
  (two at least), H, S, Q, NN, WW, AAA, G, R, E (not before +, -, 0 or #: then the exponent),
  AM/PM, A/P), `General` anywhere, CCC (a currency). A letter no keyword starts is literal
  text, as are the letters after it up to the next keyword: `#,##0 VNĐ` shows "45 VNĐ".
- A section mixing a number (0 # ? General) with a date or time code is no format at all, and
  LibreOffice shows the whole cell as General, a plain number: `0 hs`, `#,##0 VND` (its D),
  `0 ngày` (its G), `#,##0 đồng` (G), `0 em` (E), `#,##0 trđ` (R) all show 45. So do a
  section LibreOffice refuses otherwise (`[d]`, an unknown colour, two colours) and `@` mixed
  with codes (text). A currency symbol (`$`, `[$₫-42A]`, CCC) makes the section a currency,
  whose date codes are then literal text: `[$₫-42A]dd/mm/yyyy` shows "45₫dd/mm/yyyy".
- `Standard` (the German name of General) is no keyword in an English code: its S, D and R
  make it a date (LibreOffice shows 45 as "0tan14a566014", Excel refuses the code).

A format shows a date when one of its three numeric sections does and none is refused.

Which section shows a number is LibreOffice's choice too (`section_for`, `_picking`: the
SvNumberformat constructor and GetSubformatIndex): a condition on the first section, and on
the second only when the first has one; "> 0" and "< 0" where a section has none (two
sections: ">= 0"); a condition without its number (`[>]`) compares with 0; a text section
last drops the condition before it; a number no section takes is General. A condition
elsewhere (`0;[<0]dd/mm/yyyy`, on the third section, two on the first) or an operator it
does not know (`[=>5]`) makes LibreOffice refuse the code. Excel documents only that, with
conditions on the first two sections, the third takes every other number, as LibreOffice
does; for the rest (`[>]`, `[>=100]dd/mm/yyyy;@`, `[>=100]dd/mm/yyyy` alone) this module
follows LibreOffice, the project's rule, and claims nothing of Excel.

Built-in format ids ([MS-XLS] 2.4.126 Format, ECMA-376 Part 1 §18.8.30 numFmt) used when a
file names an id without defining it, as LibreOffice shows them: 14-22, 45-47 dates or times
everywhere; 27-36 and 50-58 (the East Asian dates) and 71-81 (th-TH dates and times) dates
too. A file that defines its own format under such an id (Gnumeric writes `[$-42A]#,##0` as
id 51) is classified by its own definition.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from functools import lru_cache
from typing import Any

from lxml import etree

from ...text.values import (
    DAY_ZERO,
    FIRST_UNSHOWN_SERIAL,
    HiddenNumber,
    PercentShown,
    ScaledShown,
    ScientificShown,
    UnshownDate,
    show,
)
from ..cellfacts import parse_xml

BUILTIN_DATE_IDS = frozenset({*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59), *range(71, 82)})
BUILTIN_ELAPSED_IDS = frozenset({46, 80})  # [h]:mm:ss, and th-TH's
_ELAPSED = frozenset("hms")

# --- LibreOffice's keywords and types (zforscan.cxx sEnglishKeyword, ScanType) -----------------
# the keywords in the order GetKeyWord tries them (the reverse of NfKeywordIndex): the first
# the upper-cased rest of the code starts with wins; EC is the era year E, which becomes the
# exponent E before +, -, 0 or #. 'MM' and 'M' stand for both month and minute.
_KEYWORDS = (
    *("CCC", "WW", "RR", "R", "GGG", "GG", "G", "EE", "E", "AAAA", "AAA", "NNNN", "NNN", "NN"),
    *("YYYY", "YY", "DDDD", "DDD", "DD", "D", "QQ", "Q", "SS", "S", "HH", "H"),
    *("MMMMM", "MMMM", "MMM", "MM", "M", "A/P", "AM/PM"),
)
_DATE_KEYS = frozenset(
    {"MMM", "MMMM", "MMMMM", "Q", "QQ", "D", "DD", "DDD", "DDDD", "YY", "YYYY", "NN", "NNN", "NNNN"}
    | {"WW", "AAA", "AAAA", "E", "EE", "G", "GG", "GGG", "R", "RR"}
)
_COLOURS = frozenset({"BLACK", "BLUE", "GREEN", "CYAN", "RED", "MAGENTA", "BROWN", "GREY", "YELLOW", "WHITE"})
_COLOUR_N = re.compile(r"COLOR(\d+)")
_MODIFIER = re.compile(r"(?i)NATNUM(\d+)|DBNUM[1-9]")
# symbol kinds besides keywords (the keyword itself, upper case; "EXP" for the exponent)
_DEL, _STR, _BLANK, _STAR = "<del>", "<str>", "<blank>", "<star>"
_NOT_KEYWORD = frozenset({_DEL, _STR, _BLANK, _STAR})
_DELIMITERS = frozenset("#0?%@[],./' :-")
# section types, as ScanType names them; _REFUSED: LibreOffice refuses the code (General shown)
_UNDEFINED, _NUMBER, _DATE, _TIME, _DATETIME, _TEXT = (
    "undefined",
    "number",
    "date",
    "time",
    "datetime",
    "text",
)
_CURRENCY, _PERCENT, _SCIENTIFIC, _FRACTION, _DEFINED = (
    "currency",
    "percent",
    "scientific",
    "fraction",
    "defined",
)
_REFUSED = "refused"
_SHOWS_DATE = frozenset({_DATE, _TIME, _DATETIME})


def _keyword(code: str, at: int) -> str | None:
    """The keyword starting at `at` (a letter), as GetKeyWord finds it, or None."""
    rest = code[at:].upper()
    if rest.startswith("GENERAL"):
        return "GENERAL"
    return next((k for k in _KEYWORDS if rest.startswith(k)), None)


def _sections(fmt: str) -> list[str]:
    """The sections of `fmt`, split at each ';' outside quotes (as ImpNextSymbol does): a
    ';' escaped (`\\;`) or taken as the character of a `_` (its width) or a `*` (the fill) is
    part of its section."""
    out, start, quoted = [], 0, False
    i, n = 0, len(fmt)
    while i < n:
        ch = fmt[i]
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in "\\_*":
            i += 1  # the next character is this one's, whatever it is
        elif ch == ";" and not quoted:
            out.append(fmt[start:i])
            start = i + 1
        i += 1
    out.append(fmt[start:])
    return out


def _prefixes(section: str) -> tuple[str, list[tuple[str, str]]] | None:
    """The section's code after its leading brackets (colour, condition, locale, NatNum,
    DBNum) and spaces, as ImpNextSymbol takes them, and the conditions among them in order,
    (operator, the text of its number): `[Red][>=100]0` -> ("0", [(">=", "100")]); None
    when LibreOffice refuses them (an unknown colour, two colours or locales, an unclosed
    bracket, a condition's operator it does not know: `[=>5]`). A currency (`[$₫-42A]`), a
    calendar (`[~buddhist]`) and elapsed time (`[h]`, `[mm]`) belong to the code."""
    i, n, coloured, located = 0, len(section), False, False
    conditions: list[tuple[str, str]] = []
    while i < n:
        if section[i] == " ":
            i += 1
            continue
        if section[i] == "]":
            return None
        if section[i] != "[":
            break
        end = section.find("]", i + 1)
        if end < 0:
            return None
        inner = section[i + 1 : end].replace(" ", "")
        if inner.startswith("$-"):
            if located:
                return None  # two locales
            located = True
        elif inner[:1] in ("<", ">", "="):
            condition = _operator(inner)
            if condition is None:
                return None
            conditions.append(condition)
        elif _MODIFIER.fullmatch(inner):
            pass  # a NatNum or DBNum modifier
        elif inner[:1] in ("$", "~") or (inner and inner[0].lower() in _ELAPSED and len(set(inner)) == 1):
            break  # a currency, a calendar, elapsed time: part of the code
        else:  # a colour
            name = inner.upper()
            number = _COLOUR_N.fullmatch(name)
            if coloured or not (name in _COLOURS or (number and 1 <= int(number.group(1)) <= 64)):
                return None
            coloured = True
        i = end + 1
    return section[i:], conditions


# the operators of a condition, longest first; after one, another '<', '>' or '=' is refused
# (ImpNextSymbol's state SsGetCon: only "<>", "<=" and ">=" join two)
_OPERATORS = ("<>", "<=", ">=", "<", ">", "=")


def _operator(inner: str) -> tuple[str, str] | None:
    """A condition's bracket (without its brackets and spaces: ">=100") as (operator, the
    text of its number); None when LibreOffice refuses it."""
    op = next(o for o in _OPERATORS if inner.startswith(o))
    rest = inner[len(op) :]
    if op != "<>" and rest[:1] in ("<", ">", "="):
        return None
    return op, rest


def _symbols(code: str) -> list[tuple[str, str]] | None:
    """The code's symbols (kind, text) as Next_Symbol splits it; None for two fill
    characters or one without its character (Symbol_Division refuses them)."""
    out: list[tuple[str, str]] = []
    i, n, star = 0, len(code), False
    while i < n:
        ch = code[i]
        if ch in _DELIMITERS:
            out.append((_DEL, ch))
            i += 1
        elif ch == "*":
            if star or i + 1 >= n:
                return None
            star = True
            out.append((_STAR, code[i : i + 2]))
            i += 2
        elif ch == "_":
            out.append((_BLANK, code[i : i + 2]))
            i += 2
        elif ch == '"':
            end = code.find('"', i + 1)
            end = n - 1 if end < 0 else end
            out.append((_STR, code[i : end + 1]))
            i = end + 1
        elif ch == "\\":
            out.append((_STR, code[i : i + 2]))
            i += 2
        elif ch.isalpha():
            key = _keyword(code, i)
            if key is None:  # a word: letters up to the next keyword
                j = i + 1
                while j < n and code[j].isalpha() and _keyword(code, j) is None:
                    j += 1
                out.append((_STR, code[i:j]))
                i = j
                continue
            size = len(key)
            if key == "E" and i + 1 < n and code[i + 1] in "+-0#":
                key = "EXP"  # the exponent: E+, E-, E0
                size += code[i + 1] in "+-"
            out.append((key, code[i : i + size]))
            i += size
        else:  # $ + ( ) and any other character
            out.append((_STR, ch))
            i += 1
    return out


def _combined(was: str, new: str, text: str, currency: bool) -> str:
    """ScanType's type of a section so far (`was`) after a symbol of type `new` (`text`)."""
    if was == _UNDEFINED:
        return new
    if _TEXT in (was, new):
        return _TEXT
    if new == _UNDEFINED or new == was:
        return was
    if was in _SHOWS_DATE:
        if new in _SHOWS_DATE:
            return was if was == _DATETIME else _DATETIME
        if new == _FRACTION:
            return was
        if currency:
            return _UNDEFINED
        return was if text in ("/", ":") else _REFUSED
    if was in (_PERCENT, _SCIENTIFIC, _FRACTION):
        return was if new == _NUMBER else _REFUSED
    if was == _NUMBER:
        if new in (_SCIENTIFIC, _PERCENT, _FRACTION, _CURRENCY):
            return new
        return _UNDEFINED if currency else _REFUSED
    return was  # a currency or other type stays


def _section_type(code: str) -> str:
    """The type LibreOffice gives one section's code (after its brackets), or _REFUSED."""
    symbols = _symbols(code)
    if symbols is None:
        return _REFUSED
    currency = _has_currency(code)
    kinds = [kind for kind, _ in symbols]
    n = len(symbols)

    def keyword_before(i: int) -> str | None:
        j = i - 1
        while j > 0 and kinds[j] in _NOT_KEYWORD:
            j -= 1
        return kinds[j] if j >= 0 and kinds[j] not in _NOT_KEYWORD else None

    def keyword_after(i: int) -> str | None:
        j = i + 1
        while j < n - 1 and kinds[j] in _NOT_KEYWORD:
            j += 1
        return kinds[j] if j < n and kinds[j] not in _NOT_KEYWORD else None

    def char_before(i: int) -> str:
        j = i - 1
        while j > 0 and kinds[j] in (_STR, _BLANK, _STAR):
            j -= 1
        return symbols[j][1][-1:] if j >= 0 else " "

    scanned, general, timed, minute, decimal = _UNDEFINED, False, False, False, False
    i = 0
    while i < n and kinds[i] in (_STR, _BLANK, _STAR):
        i += 1
    while i < n:
        kind, text = kinds[i], symbols[i][1]
        matched = False
        if kind == "EXP":
            new = _SCIENTIFIC
        elif kind in ("H", "HH", "S", "SS"):
            timed = timed or kind in ("H", "HH") or not minute
            new = _TIME
        elif kind in ("AM/PM", "A/P"):
            new = _TIME
        elif kind in ("M", "MM"):
            if (
                keyword_before(i) in ("H", "HH")
                or keyword_after(i) in ("S", "SS")
                or timed
                or char_before(i) == "["
            ):
                new, kinds[i], timed, minute = _TIME, "MI", False, True
            else:
                new = _DATE
        elif kind in _DATE_KEYS:
            new, timed = _DATE, False
        elif kind == "CCC":
            new = _CURRENCY
        elif kind == "GENERAL":
            new, general = _NUMBER, True
        elif kind != _DEL:
            new = _UNDEFINED
        elif text in "#?":
            new = _NUMBER
        elif text == "0":
            if scanned in (_TIME, _DATETIME):
                if keyword_before(i) not in ("S", "SS") or not (decimal or (i > 0 and kinds[i - 1] == _STR)):
                    return _REFUSED
                new, decimal = _TIME, True  # hundredths of a second: ss.00
            else:
                new = _NUMBER
        elif text == "%":
            new = _PERCENT
        elif text == "/":
            new = _FRACTION
        elif text == "[":
            following = symbols[i + 1][1][:1] if i + 1 < n and kinds[i + 1] == _STR else ""
            if following in ("$", "~"):
                new, matched = (_CURRENCY if following == "$" else _DATE), True
            elif keyword_after(i) in ("H", "HH", "M", "MM", "S", "SS"):
                new = _TIME
            else:
                return _REFUSED
        elif text == "@":
            new = _TEXT
        else:
            decimal = decimal or text == "."
            new = _UNDEFINED
        scanned = _combined(scanned, new, text, currency)
        if scanned == _REFUSED:
            return _REFUSED
        i += 1
        if matched:  # no type inside [$...] or [~...]
            while i < n and not (kinds[i] == _DEL and symbols[i][1] == "]"):
                kinds[i] = _STR
                i += 1
            if i >= n:
                return _REFUSED
            i += 1
        while i < n and kinds[i] in (_STR, _BLANK, _STAR):
            i += 1
    if scanned in (_NUMBER, _UNDEFINED) and currency and not general:
        return _CURRENCY  # LibreOffice's old "automatic" currency
    scanned = _DEFINED if scanned == _UNDEFINED else scanned
    return _REFUSED if _refused_at_last(scanned, kinds, symbols) else scanned


def _refused_at_last(scanned: str, kinds: list[str], symbols: list[tuple[str, str]]) -> bool:
    """The refusals of FinalScan that can turn a date or time into General (or a section
    into a refused one): in a time, a '#' or '?', a second '[', a '[' not followed by H, M
    or S (a currency bracket in a time), a ']' without its '['; in a date and time, '#' or
    '?', a '0' that is no hundredth of a second; a scientific format without digits before or after its E; a fraction without a
    denominator."""
    n = len(symbols)
    # LibreOffice signals a refusal by its position in the code: one at the first symbol
    # (position 0) reads as none
    dels = [(i, symbols[i][1]) for i in range(1, n) if kinds[i] == _DEL]
    if scanned in (_TIME, _DATETIME) and kinds[0] == _DEL and symbols[0][1] in ("#", "?", "]"):
        return False  # refused at position 0: the scan stops there, nothing refused
    if scanned in (_TIME, _DATETIME) and any(text in "#?" for _, text in dels):
        return True
    if scanned == _DATETIME:
        timed, decimal = False, False
        for i in range(n):
            kind, text = kinds[i], symbols[i][1]
            if kind in ("MI", "H", "HH", "S", "SS", "AM/PM", "A/P"):
                timed = True
            elif kind in _DATE_KEYS or kind in ("M", "MM"):
                timed = False
            elif kind == _DEL and text == ".":
                decimal = decimal or timed
            elif kind == _DEL and text == "0" and i > 0:
                before = next((kinds[j] for j in range(i - 1, -1, -1) if kinds[j] not in _NOT_KEYWORD), None)
                if not (timed and before in ("S", "SS") and (decimal or kinds[i - 1] == _STR)):
                    return True
                decimal = True
    if scanned == _TIME:
        decimal = False
        for i, text in dels:
            if text == ".":
                decimal = True
            elif text == "0":
                before = next((kinds[j] for j in range(i - 1, -1, -1) if kinds[j] not in _NOT_KEYWORD), None)
                if before not in ("S", "SS") or not (decimal or kinds[i - 1] == _STR):
                    return True
                decimal = True
        bracket = False
        for i, text in [(0, symbols[0][1])] * (kinds[0] == _DEL) + dels:
            if text == "[":
                j = i + 1
                while j < n - 1 and kinds[j] in (_STR, _BLANK, _STAR):
                    j += 1
                following = (
                    symbols[j][1][:1].upper() if j < n and kinds[j] not in (_STR, _BLANK, _STAR) else ""
                )
                if bracket or following not in ("H", "M", "S"):
                    return i > 0  # refused at the first symbol: the scan stops, nothing refused
                bracket = True
            elif text == "]" and not bracket:
                return True
    if scanned == _SCIENTIFIC:  # a digit at the first symbol counts (`0E+0` shows "9E+7")
        at = kinds.index("EXP")
        digits = [i for i in range(n) if kinds[i] == _DEL and symbols[i][1] in ("0", "#", "?")]
        return not any(i < at for i in digits) or not any(i > at for i in digits)
    if scanned == _FRACTION:
        slash = max((i for i, text in dels if text == "/"), default=-1)
        after = [i for i in range(slash + 1, n) if (kinds[i] == _DEL and symbols[i][1] in "0#?")]
        divisor = slash + 1 < n and kinds[slash + 1] == _STR and symbols[slash + 1][1][:1] in "123456789"
        return not (0 < len(after) <= 8 or divisor)
    return False


def _has_currency(code: str) -> bool:
    """Whether the code holds the en-US currency symbol $ outside quotes and not escaped or
    after a quote (Symbol_Division's nCurrPos)."""
    quoted = False
    for i, ch in enumerate(code):
        if ch == '"':
            quoted = not quoted
        elif ch == "$" and not quoted and (i == 0 or code[i - 1] not in '"\\'):
            return True
    return False


@lru_cache(maxsize=1024)
def section_types(fmt: str) -> tuple[str, ...] | None:
    """The type LibreOffice gives each section of `fmt` ("number", "date", "time",
    "datetime", "text", "currency", "percent", "scientific", "fraction", "defined"), or None
    when it refuses the code and shows the cell as General (a plain number); a condition
    where LibreOffice takes none is refused too (`_misplaced`). Sections past the fourth
    are not read."""
    out, counts = [], []
    for section in _sections(fmt)[:4]:  # LibreOffice reads no further
        split = _prefixes(section)
        kind = _REFUSED if split is None else _section_type(split[0])
        if split is None or kind == _REFUSED:
            return None
        out.append(kind)
        counts.append(len(split[1]))
    return None if _misplaced(counts) else tuple(out)


def _misplaced(counts: list[int]) -> bool:
    """Whether LibreOffice refuses a code whose sections hold `counts` conditions each (the
    SvNumberformat constructor): one at most on the first section; on the second only when
    the first has one (there the last one counts); none on the third and fourth."""
    return counts[0] > 1 or (len(counts) > 1 and counts[1] > 0 and counts[0] == 0) or any(counts[2:])


@lru_cache(maxsize=1024)
def shows_date(fmt: str) -> bool:
    """True when a number under the format `fmt` is shown as a date or a time: one of its
    numeric sections (positive;negative;zero) is a date, a time or both, and LibreOffice
    does not refuse the code (`section_types`)."""
    types = section_types(fmt)
    return types is not None and any(t in _SHOWS_DATE for t in types[:3])


# --- which section shows a number: conditions and signs (zformat.cxx) ------------------------
# a condition's number as this module reads it: a plain decimal or scientific number, or one
# with thousands grouped by commas, as LibreOffice reads them in a code of an .xlsx or .xls
# (ImpSvNumberInputScan on the code's en-US; `[>1,000]` is 1000, `[>1.5]` 1.5: checked)
_LIMIT = re.compile(
    r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[Ee][-+]?[0-9]+)?|[-+]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?"
)
_TESTS = {
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "=": lambda a, b: a == b,
    "<>": lambda a, b: a != b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}
_Test = tuple[str, float]


def _limit(text: str) -> float | None:
    """The number of a condition as LibreOffice reads it: no number (`[>]`), or a text that
    is none (no digit: `[>abc]`), is 0; None for a text with digits other than `_LIMIT`,
    which this module does not read."""
    if not any(ch.isdigit() for ch in text):
        return 0.0
    return float(text.replace(",", "")) if _LIMIT.fullmatch(text) else None


@lru_cache(maxsize=1024)
def _picking(fmt: str) -> tuple[_Test | None, _Test | None] | None:
    """How LibreOffice picks the section of a number under `fmt`: SvNumberformat's
    (eOp1, fLimit1) and (eOp2, fLimit2) as its constructor sets them (None: no condition,
    the section is taken). GetSubformatIndex shows a number with the first section when the
    first holds (or is None), else with the second when the second holds (or is None), else
    with the third. The constructor, section by section:

    - the conditions written on the first and second sections (`[>=100]`; the second's last
      one), each number read by `_limit` (`[>]` is `[>0]`);
    - a code of two sections or more: no condition on the first is "> 0"; of three or more:
      none on the second is "< 0" (`[=0]dd/mm/yyyy;0;0`: 0 a date, -7 and 7 numbers);
    - a text section (`@`) last, second or third (a ';' may end the code after it), is the
      fourth, and the condition of the section before it (written or not) is dropped: `0;@`
      and `[>=100]dd/mm/yyyy;@` show every number with the first section, `0;0;@` as `0;0`;
    - then with no third section, "> 0" on the first and no condition on the second (their
      limits 0, `_limit`), the first is ">= 0": `0;-0` and `[>]dd/mm/yyyy;0` show 0 with
      the first section;
    - a number no section takes is General: `[>=100]dd/mm/yyyy` shows 50 as 50.

    Sections past the fourth change nothing. None for a code LibreOffice refuses
    (`section_types`) or whose condition's number `_limit` does not read: its date or
    number is decided by the code alone (`shows_date`)."""
    types = section_types(fmt)
    sections = _sections(fmt)
    if types is None:
        return None
    written = [split[1] if (split := _prefixes(s)) else [] for s in sections[:2]]
    first = written[0][-1] if written[0] else None
    second = written[1][-1] if len(written) > 1 and written[1] else None
    limit1 = 0.0 if first is None else _limit(first[1])
    limit2 = 0.0 if second is None else _limit(second[1])
    if limit1 is None or limit2 is None:
        return None
    count = len(sections)
    if count in (3, 4) and sections[-1] == "" and types[count - 2] == _TEXT:
        count -= 1  # "0;@;": a ';' ending the code after a text section adds none
    op1 = first[0] if first else (">" if count >= 2 else None)
    op2 = second[0] if second else ("<" if count >= 3 else None)
    if count in (2, 3) and types[count - 1] == _TEXT:
        op1, op2 = (None, op2) if count == 2 else (op1, None)
    if op1 == ">" and limit1 == 0.0 and op2 is None and limit2 == 0.0:
        op1 = ">="
    return (None if op1 is None else (op1, limit1)), (None if op2 is None else (op2, limit2))


def section_for(fmt: str, number: float) -> int | None:
    """The section (0-based) LibreOffice shows `number` with under `fmt`
    (SvNumberformat::GetSubformatIndex, `_picking`); one the code does not have (or an
    empty one) shows it as General (or nothing). None for a code whose picking this module
    does not follow (`_picking`)."""
    picking = _picking(fmt)
    if picking is None:
        return None
    first, second = picking
    if first is None or _TESTS[first[0]](number, first[1]):
        return 0
    if second is None or _TESTS[second[0]](number, second[1]):
        return 1
    return 2


def shows_date_at(fmt: str, number: float) -> bool:
    """True when `number` under `fmt` is shown as a date or a time: the section LibreOffice
    picks for it (`section_for`) is a date, a time or both (a section the code does not
    have shows the number as General); for a code whose picking is not followed, whether
    the code shows dates at all (`shows_date`)."""
    types = section_types(fmt)
    if types is None:
        return False
    at = section_for(fmt, number)
    if at is None:
        return shows_date(fmt)
    return at < len(types) and types[at] in _SHOWS_DATE


@lru_cache(maxsize=1024)
def shows_date_by_value(fmt: str) -> bool:
    """True when `fmt` shows dates (`shows_date`) but not for every number, as far as
    `section_for` follows it: `[>=100]dd/mm/yyyy;#,##0`, `0;0;dd/mm/yyyy;@`,
    `[=0]dd/mm/yyyy;0;0`, `[>=100]dd/mm/yyyy` (General below 100). Each number under it is
    then shown as its section shows it (`shows_date_at`)."""
    picking = _picking(fmt)
    if not shows_date(fmt) or picking is None:
        return False
    return not all(shows_date_at(fmt, number) for number in _representatives(picking))


def _representatives(picking: tuple[_Test | None, _Test | None]) -> list[float]:
    """A number of each piece the limits of `picking` (and 0, where the sign lies) cut the
    numbers into: each limit, one between two, one below and one above all: every condition
    holds on a whole piece or on none of it."""
    limits = sorted({0.0} | {test[1] for test in picking if test is not None})
    between = [a / 2 + b / 2 for a, b in zip(limits, limits[1:], strict=False)]
    return [math.nextafter(limits[0], -math.inf), *limits, *between, math.nextafter(limits[-1], math.inf)]


@lru_cache(maxsize=1024)
def shows_elapsed(fmt: str) -> bool:
    """True when the format `fmt` shows elapsed time ([h]:mm:ss, [mm]:ss, [ss]): a number
    under it is a duration (python-calamine gives a timedelta), not a moment."""
    if not shows_date(fmt):
        return False
    i, n = 0, len(fmt)
    while i < n:
        ch = fmt[i]
        if ch == '"':
            end = fmt.find('"', i + 1)
            i = n if end < 0 else end + 1
        elif ch in "\\_*":
            i += 2
        elif ch == "[":
            end = fmt.find("]", i + 1)
            inner = fmt[i + 1 : n if end < 0 else end].lower()
            if inner and set(inner) <= _ELAPSED and len(set(inner)) == 1:
                return True
            i = n if end < 0 else end + 1
        else:
            i += 1
    return False


BUILTIN_ELAPSED_ID = 46  # [h]:mm:ss
BUILTIN_PERCENT_IDS = frozenset({9, 10})  # 0% and 0.00% (ECMA-376 Part 1 §18.8.30)


@lru_cache(maxsize=1024)
def shows_percent(fmt: str) -> bool:
    """True when some numbers under the format `fmt` are shown as a percentage (100 times
    them, with "%"): one of its numeric sections is of LibreOffice's type percent (a "%"
    outside quotes and escapes, `section_types`) and none shows a date. Which numbers, the
    section LibreOffice picks for each says (`shows_percent_at`). A count or an amount so
    shown is no count or amount (brk13: Excel's automatic percent entry stores 232656000
    typed into such a cell as 2326560)."""
    types = section_types(fmt)
    return types is not None and _PERCENT in types[:3] and not shows_date(fmt)


def shows_percent_at(fmt: str, number: float) -> bool:
    """True when `number` under `fmt` is shown as a percentage: the section LibreOffice picks
    for it (`section_for`) is of type percent (`#,##0;-0%` shows 232656000 as a number, -5 as
    "-500%"; brk15; `[>=100000]0%;dd/mm/yyyy` 2500000 as "250000000%"); for a code whose
    picking is not followed, its first section's type."""
    types = section_types(fmt)
    if types is None:
        return False
    at = section_for(fmt, number)
    return (types[0] if at is None else types[at] if at < len(types) else "") == _PERCENT


# --- a number shown as another: a display factor, the format's own digits (brk22 F4) ----------
# A ',' right after a number's last digit placeholder divides the number shown by 1000 (each
# one; ECMA-376 Part 1 §18.8.31, LibreOffice's "thousands divisor"): `#,##0,` shows 140068000
# as "140,068". Literal digits touching the number (quoted, escaped, after spaces) are read
# as digits of it: `#,##0".000"` shows a typed 140068 as "140.068.000" on a Vietnamese sheet,
# `"1"0` shows 5 as "15", `#,##0 "000"` 12 as "12 000"; so are digits written between its
# placeholders (`0"0"0` shows 102459000 as "1024590000"). Either way the sheet shows a
# number the cell does not hold. A currency's brackets (`[$$-409]`, `[$₫-42A]`) write its
# symbol, never digits. The checks in tests/test_scaled_cells.py hold these rules against
# LibreOffice's display with Vietnamese settings.
_WRITTEN_AFTER = re.compile(r"[.,\s\u00a0]*[0-9]")
_WRITTEN_BEFORE = re.compile(r"[0-9][.,\s\u00a0]*$")
_SCALED_TYPES = frozenset({_NUMBER, _CURRENCY})
_PLACEHOLDERS = frozenset("0#?")
_MAX_DECIMALS = 30  # past it a data style is taken as LibreOffice shows it: the plain number


# Literal text beside the number that names a multiple of its unit ("nghìn đồng", "triệu",
# "tr", "K", "tỷ": a Vietnamese report's "ĐVT: nghìn đồng") says the number shown counts
# thousands, millions ...: the sheet shows an amount the cell does not hold in the unit the
# form reads (đồng, người), whether the unit typed it in thousands (183.150 shown "183.150
# nghìn đồng", read as 183.150 đồng) or in full. A "%" written as text shows a percentage the
# cell does not hold (`0"%"` shows 5 as "5%"). A currency's symbol ("$", "₫", "USD") names
# no multiple: the number shown is the number held (brk31 F3, F4).
MULTIPLE_WORDS = frozenset(
    {
        *("nghìn", "ngàn", "nghin", "ngan", "ngđ", "k"),  # thousands
        *("triệu", "trieu", "tr", "trđ", "m", "mn"),  # millions
        *("tỷ", "tỉ", "ty", "ti", "b", "bn"),  # thousand millions
        *("thousand", "thousands", "million", "millions", "billion", "billions"),
    }
)
_WORD = re.compile(r"[^\W\d_]+")


def named_multiple(text: str) -> str:
    """The first word of `text` (the literal text a format shows beside the number) naming
    a multiple of the unit (`MULTIPLE_WORDS`, in lower case), else "%" for a percent sign
    written as text, else ""."""
    for word in _WORD.findall(unicodedata.normalize("NFC", text).lower()):
        if word in MULTIPLE_WORDS:
            return word
    return "%" if "%" in text else ""


@dataclass(frozen=True)
class Scaling:
    """How a number section shows another number: divided by `factor` (1000 for each
    trailing ','), with `decimals` decimal places at most and `min_decimals` at least,
    thousands `grouped` or not (`general`: as General shows it), `prefix` and `suffix`
    the text shown before and after it; `before`, `after` the digits of these written
    touching it, `inside` digits written between its placeholders with `inside_right`
    placeholders right of them ("" and 0 for none); `named` the multiple the text beside it
    names, or "%" (`named_multiple`, "" for none)."""

    factor: int
    decimals: int
    grouped: bool
    prefix: str = ""
    suffix: str = ""
    before: str = ""
    after: str = ""
    min_decimals: int = 0
    general: bool = False
    inside: str = ""
    inside_right: int = 0
    named: str = ""
    min_integer: int = 0

    @property
    def written(self) -> str:
        """The digits the format writes itself, as shown."""
        return self.before + self.inside + self.after


def _shown_text(kind: str, text: str) -> str:
    """What one symbol outside the number shows: a literal's text (quotes and backslash
    dropped), a space for a width `_x`, nothing for a fill `*x`, a delimiter itself."""
    if kind == _STR:
        if text.startswith('"'):
            return text[1:-1] if text.endswith('"') and len(text) > 1 else text[1:]
        return text[1:] if text.startswith("\\") else text
    if kind == _BLANK:
        return " "
    if kind == _STAR:
        return ""
    return text if kind == _DEL else ""


def _bracketed(symbols: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """`symbols` with each bracket of the code (`[$₫-42A]`, `[$$-409]`) made one literal
    of what it shows: a currency's symbol (between '$' and '-'), else nothing; its digits
    are no placeholders."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(symbols):
        if symbols[i] == (_DEL, "["):
            end = next((j for j in range(i + 1, len(symbols)) if symbols[j] == (_DEL, "]")), len(symbols))
            inner = "".join(text for _, text in symbols[i + 1 : end])
            shown = inner[1:].split("-", 1)[0] if inner.startswith("$") else ""
            out.append((_STR, f'"{shown}"'))
            i = end + 1
        else:
            out.append(symbols[i])
            i += 1
    return out


@lru_cache(maxsize=1024)
def _section_scaling(code: str) -> Scaling | None:
    """The `Scaling` of one section's code (after its brackets), or None when it shows the
    number it holds."""
    symbols = _symbols(code)
    if not symbols:
        return None
    symbols = _bracketed(symbols)
    digits = [
        i
        for i, (kind, text) in enumerate(symbols)
        if (kind == _DEL and text in _PLACEHOLDERS) or kind == "GENERAL"
    ]
    if not digits:
        return None
    first, last = digits[0], digits[-1]
    point = next((i for i in range(first, last) if symbols[i] == (_DEL, ".")), None)
    after_point = [i for i in digits if point is not None and i > point]
    decimals = len(after_point)
    min_decimals = sum(1 for i in after_point if symbols[i][1] == "0")
    grouped = any(symbols[i] == (_DEL, ",") for i in range(first, last if point is None else point))
    inside, right = "", 0
    for i in range(first, last if point is None else point):
        literal = _shown_text(*symbols[i]) if symbols[i][0] == _STR else ""
        # digits, or a decimal comma a Vietnamese reader reads (`0","000`: "87381,000"; brk31 F5)
        if any(ch.isdigit() for ch in literal) or "," in literal:
            inside += _shown_text(*symbols[i])
            right = right or sum(1 for j in digits if i < j and (point is None or j < point))
    at, commas = last + 1, 0
    while at < len(symbols) and symbols[at] == (_DEL, ","):
        commas, at = commas + 1, at + 1
    if point is None and at < len(symbols) and symbols[at] == (_DEL, "."):
        at += 1  # a decimal point with no decimals after it shows nothing (`#,##0."000"`)
    suffix = "".join(_shown_text(*s) for s in symbols[at:])
    prefix = "".join(_shown_text(*s) for s in symbols[:first])
    return scaling_of(
        1000**commas,
        decimals,
        grouped,
        prefix,
        suffix,
        min_decimals=min_decimals,
        general=symbols[first][0] == "GENERAL",
        min_integer=sum(1 for i in digits if (point is None or i < point) and symbols[i][1] == "0"),
        inside=inside,
        inside_right=right,
    )


def scaling_of(
    factor: int,
    decimals: int,
    grouped: bool,
    prefix: str,
    suffix: str,
    *,
    min_decimals: int | None = None,
    general: bool = False,
    inside: str = "",
    inside_right: int = 0,
    min_integer: int = 0,
) -> Scaling | None:
    """The `Scaling` of a number shown divided by `factor` with `decimals` decimal places
    (`min_decimals` at least; all of them when None), thousands `grouped` or not, the text
    `prefix` and `suffix` shown before and after it: the digits they write touching the
    number (a digit, after any spaces, '.' or ','), and `inside` (digits written between its
    placeholders, `inside_right` of them right of these), and a multiple or "%" their text
    names (`named_multiple`); None when the number shown is the number held, or for more
    than `_MAX_DECIMALS` decimals."""
    after = suffix if _WRITTEN_AFTER.match(suffix) else ""
    before = prefix if _WRITTEN_BEFORE.search(prefix) else ""
    named = named_multiple(f"{prefix} {suffix}")
    if (factor == 1 and not after and not before and not inside and not named) or decimals > _MAX_DECIMALS:
        return None
    least = decimals if min_decimals is None else min(min_decimals, decimals)
    return Scaling(
        factor,
        decimals,
        grouped,
        prefix,
        suffix,
        before,
        after,
        least,
        general,
        inside,
        inside_right,
        named,
        min_integer,
    )


def scaling_at(fmt: str, number: float) -> Scaling | None:
    """How `number` under `fmt` is shown as another number (`Scaling`): the section
    LibreOffice picks for it (`section_for`) is a number or a currency with a display factor
    or the format's own digits touching the number's; None otherwise, for a code whose
    picking is not followed, and for 0 (left as 0: `"1"0` shows "10", no amount)."""
    types = section_types(fmt)
    if types is None or number == 0 or not math.isfinite(number):
        return None
    at = section_for(fmt, number)
    if at is None or at >= len(types) or types[at] not in _SCALED_TYPES:
        return None  # None: a picking not followed (`[>=1.000.000]`), nothing claimed
    split = _prefixes(_sections(fmt)[at])
    return None if split is None else _section_scaling(split[0])


@lru_cache(maxsize=1024)
def shows_scaled(fmt: str) -> bool:
    """True when some numbers under `fmt` may be shown as another number (`scaling_at`,
    `shows_scientific_cut`): one of its numeric sections has a display factor, the format's
    own digits touching or inside the number's, a word naming a multiple, or is scientific."""
    types = section_types(fmt)
    if types is None:
        return False
    sections = _sections(fmt)
    if _SCIENTIFIC in types[:3]:
        return True
    for kind, section in zip(types[:2], sections[:2], strict=False):  # the third shows 0 alone
        split = _prefixes(section)
        if kind == _DEFINED and split is not None and _shows_no_digits(split[0]):
            return True  # shows no digit of a number (`hides_number_at`)
    for kind, section in zip(types[:3], sections[:3], strict=False):
        split = _prefixes(section)
        if kind in _SCALED_TYPES and split is not None and _section_scaling(split[0]) is not None:
            return True
    return False


# --- a number shown in scientific notation, its digits cut (brk31 F1) -------------------------
# `0E+0` shows 87381000 as "9E+7", `0.0E+00` as "8,7E+07": a sheet whose figure shows fewer
# significant digits than the cell holds shows another number. The mantissa shows one
# integer digit at least (more in an engineering code, `##0.0E+0`) and the code's decimals:
# a number of no more significant digits than 1 + those decimals is shown whole.


@lru_cache(maxsize=1024)
def _scientific_decimals(code: str) -> int | None:
    """The decimals of the mantissa of one section's code (after its brackets) of type
    scientific: the digit placeholders between its '.' and its exponent; None when the code
    has no exponent."""
    symbols = _symbols(code)
    if not symbols:
        return None
    exponent = next((i for i, (kind, _) in enumerate(symbols) if kind == "EXP"), None)
    if exponent is None:
        return None
    point = next((i for i in range(exponent) if symbols[i] == (_DEL, ".")), exponent)
    return sum(1 for kind, text in symbols[point:exponent] if kind == _DEL and text in _PLACEHOLDERS)


def significant_digits(number: float) -> int:
    """The significant digits of `number` a spreadsheet holds (15 at most; 0 for 0):
    87381000 -> 5, 1.5 -> 2."""
    mantissa = f"{abs(number):.15e}".split("e")[0].replace(".", "").rstrip("0")
    return len(mantissa.lstrip("0"))


@dataclass(frozen=True)
class Scientific:
    """A data style showing numbers in scientific notation with `decimals` decimals in the
    mantissa (an .ods number:scientific-number, ODF 1.2 Part 1 §16.27.5)."""

    decimals: int


def scientific_hides(number: float, decimals: int) -> bool:
    """True when a scientific format with `decimals` decimals in its mantissa may show
    `number` with fewer significant digits than it has (`significant_digits`)."""
    return math.isfinite(number) and significant_digits(number) > 1 + decimals


def shows_scientific_cut(fmt: str, number: float) -> bool:
    """True when the section LibreOffice picks for `number` under `fmt` is of type
    scientific and may cut its digits (`scientific_hides`)."""
    types = section_types(fmt)
    if types is None:
        return False
    at = section_for(fmt, number)
    if at is None or at >= len(types) or types[at] != _SCIENTIFIC:
        return False
    split = _prefixes(_sections(fmt)[at])
    decimals = None if split is None else _scientific_decimals(split[0])
    return decimals is not None and scientific_hides(number, decimals)


# --- a number its format does not show (brk31 F2) ---------------------------------------------
# A section without a digit placeholder (`;;;`, `"xem ghi chú"`) shows its text alone: the
# sheet shows no number where the cell holds one, which the spreadsheet's totals count.


@lru_cache(maxsize=1024)
def _shows_no_digits(code: str) -> bool:
    """True when one section's code (after its brackets) has no digit placeholder nor
    General: it shows its literal text only."""
    symbols = _symbols(code)
    if symbols is None:
        return False
    return not any((kind == _DEL and text in _PLACEHOLDERS) or kind == "GENERAL" for kind, text in symbols)


def hides_number_at(fmt: str, number: float) -> bool:
    """True when the section LibreOffice picks for `number` (not 0) under `fmt` shows no
    digit of it (`_shows_no_digits`): `;;;` hides every number."""
    types = section_types(fmt)
    if types is None or number == 0 or not math.isfinite(number):
        return False
    at = section_for(fmt, number)
    if at is None or at >= len(types) or types[at] != _DEFINED:
        return False
    split = _prefixes(_sections(fmt)[at])
    return split is not None and _shows_no_digits(split[0])


def shown_value(
    fmt: str, number: float
) -> float | PercentShown | ScaledShown | ScientificShown | HiddenNumber:
    """`number` as `fmt` shows it, where the section LibreOffice picks for it shows no date:
    a `values.PercentShown` where it shows a percentage (`shows_percent_at`), a
    `values.ScientificShown` where it shows it in scientific notation with fewer digits
    (`shows_scientific_cut`), a `values.HiddenNumber` where it shows no digit of it
    (`hides_number_at`), a `values.ScaledShown` (with the text a Vietnamese sheet
    shows) where it shows another number (`scaling_at`), else the number."""
    if shows_percent_at(fmt, number):
        return PercentShown(number)
    if shows_scientific_cut(fmt, number):
        return ScientificShown(number)
    if hides_number_at(fmt, number):
        return HiddenNumber(number)
    scaling = scaling_at(fmt, number)
    return number if scaling is None else shown_scaled(number, scaling, section_for(fmt, number) in (0, None))


def shown_scaled(number: float, scaling: Scaling, signed: bool = True) -> float | ScaledShown:
    """`number` shown under `scaling`, as a `values.ScaledShown` whose text is spelled as on
    a Vietnamese sheet (thousands '.', decimals ','; half away from zero, as LibreOffice
    rounds), a minus first where its section is `signed` (the first, which LibreOffice shows
    negatives with) and its digits are not all 0; with digits written between the number's
    (`Scaling.inside`), no text (""). The number itself where a Vietnamese reader reads the
    text shown as it (`0.00"000"` shows 5 as "5,00000", `\\00` as "05")."""
    digits = _digits(abs(number), scaling)
    if scaling.inside:
        whole = digits.split(",")[0].replace(".", "")
        separator = not any(ch.isdigit() for ch in scaling.inside)  # a separator alone
        if separator:
            whole = whole.zfill(scaling.min_integer)  # "0,005": the '0' placeholders shown
        if len(whole) <= scaling.inside_right:  # the literal left of the number's digits
            return number
        shown = ""
        if separator and not scaling.grouped:
            at = len(whole) - scaling.inside_right
            shown = f"{whole[:at]}{scaling.inside}{whole[at:]}{digits[len(whole) :]}"
            if _read_vi(shown) == abs(number):
                return number
        return ScaledShown(number, shown, scaling.factor, scaling.written, scaling.named)
    if not scaling.named and _read_vi(f"{scaling.before}{digits}{scaling.after}") == abs(number):
        return number
    sign = "-" if number < 0 and signed and digits.strip("0.,") else ""
    return ScaledShown(
        number,
        f"{sign}{scaling.prefix}{digits}{scaling.suffix}",
        scaling.factor,
        scaling.written,
        scaling.named,
    )


def _digits(number: float, scaling: Scaling) -> str:
    """The digits of `number` (not negative) divided by the scaling's factor, rounded half
    away from zero to its decimals and written as a Vietnamese sheet shows them."""
    with localcontext() as context:
        context.prec = 2 * _MAX_DECIMALS + 40  # every digit of a double and its decimals
        value = (Decimal(repr(number)) / scaling.factor).quantize(
            Decimal(1).scaleb(-scaling.decimals), rounding=ROUND_HALF_UP
        )
    if scaling.general:
        text = format(value.normalize(), "f")
    else:
        text = f"{value:{',' if scaling.grouped else ''}.{scaling.decimals}f}"
        if scaling.decimals > scaling.min_decimals:  # '#' decimals: trailing zeros not shown
            whole, _, part = text.partition(".")
            part = part.rstrip("0").ljust(scaling.min_decimals, "0")
            text = f"{whole}.{part}" if part else whole
    return text.translate(_VIETNAMESE_SEPARATORS)


_VI_NUMBER = re.compile(r"[0-9][0-9.\s]*(?:,[0-9]+)?")


def _read_vi(text: str) -> float | None:
    """The first number a Vietnamese reader reads in `text`, thousands grouped by '.' or
    spaces, decimals after ',' ("140.068.000" -> 140068000, "1,2" -> 1.2)."""
    found = _VI_NUMBER.search(text)
    if found is None:
        return None
    return float(re.sub(r"[.\s]", "", found.group(0)).replace(",", "."))


_VIETNAMESE_SEPARATORS = str.maketrans({",": ".", ".": ","})


def builtin_shows_percent(format_id: int) -> bool:
    """A built-in format id (not defined by the file) that shows a percentage (9, 10)."""
    return format_id in BUILTIN_PERCENT_IDS


def builtin_shows_date(format_id: int) -> bool:
    """A built-in format id (not defined by the file) that LibreOffice shows as a date or a
    time (`BUILTIN_DATE_IDS`)."""
    return format_id in BUILTIN_DATE_IDS


def builtin_shows_elapsed(format_id: int) -> bool:
    """A built-in format id (not defined by the file) that shows elapsed time: 46
    ([h]:mm:ss) and 80 (th-TH's)."""
    return format_id in BUILTIN_ELAPSED_IDS


# --- .xlsx: numbers python-calamine gives otherwise than their format shows them ----------------
# python-calamine gives a plain float for a number under a date format when the number lies
# past the last day it can show (9999-12-31, serial 2958465): Excel shows ####, LibreOffice
# ###. It decides by its own rule which formats show dates (formats.rs `is_custom_date_format`:
# any d, m, h, y or s outside quotes, escapes and brackets of the first section; built-in
# ids 14-22, 27-36, 45-47, 50-58), so it gives `0 hs` a date LibreOffice shows as 45, and
# the th-TH ids 71-81 a number LibreOffice shows as a date: the cells under such formats are
# given here as their format shows them, and the reader puts that over calamine's value.
_CALAMINE_DATE_IDS = frozenset({*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)})
_DATE_LETTERS = re.compile(r"[dmhysDMHYS]")
_LITERALS = re.compile(r'"[^"]*"?|[\\_*].|\[[^\]]*\]?')
# a cell's value of seven characters or more, as the usual writers spell it: <v>186219000</v>
_LONG_VALUE = re.compile(rb"v>([0-9][0-9.Ee+]{6,})<")
_ATTR = re.compile(rb"""\s([rst])\s*=\s*["']([^"']*)["']""")
_CELL_START = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?)c(\s[^>]*?)?(/?)>")
_VALUE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?v(?:\s[^>]*)?>\s*([^<]*?)\s*</")


@dataclass(frozen=True)
class ByValue:
    """A format whose sections show a date for some numbers and not for others
    (`shows_date_by_value`: `[>=100]dd/mm/yyyy;#,##0`): what a number under it shows is
    decided number by number (`shows`), as LibreOffice picks the section (`section_for`).
    The .xls and .xlsb readers keep one for such a cell format where they keep what a plain
    format shows."""

    code: str

    def shows(self, number: float) -> str:
        """ "date", "elapsed", "percent", "scaled" (`scaling_at`, `shows_scientific_cut`: as
        another number) or "number": what `number` under this format shows."""
        if not shows_date_at(self.code, number):
            if shows_percent_at(self.code, number):
                return "percent"
            if shows_scientific_cut(self.code, number) or hides_number_at(self.code, number):
                return "scaled"
            return "scaled" if scaling_at(self.code, number) is not None else "number"
        return "elapsed" if shows_elapsed(self.code) else "date"


class DateStyles(frozenset[int]):
    """The indices of an .xlsx styles part's cell formats (cellXfs, ECMA-376 §18.8.10) whose
    number format shows a date or a time (`shows_date`), with the formats on which
    python-calamine may give otherwise: `undated`, formats showing a number that calamine may
    take for a date (`0 hs`); `missed`, formats showing a date that it may give as a number
    (ids 71-81); `elapsed`, the date formats showing elapsed time ([h]:mm:ss); `by_value`,
    index -> code of the formats whose sections show a date for some numbers and not for
    others (`shows_date_by_value`): each number is shown as the section LibreOffice picks
    for it shows it; `otherwise`, index -> code ("" for a built-in percentage) of the
    formats showing some numbers as another number, a percentage (`shows_percent`) or
    scaled (`shows_scaled`): each such number is given as its format shows it
    (`shown_value`)."""

    undated: frozenset[int]
    missed: frozenset[int]
    elapsed: frozenset[int]
    by_value: dict[int, str]
    otherwise: dict[int, str]

    def __new__(
        cls,
        dated: frozenset[int] = frozenset(),
        undated: frozenset[int] = frozenset(),
        missed: frozenset[int] = frozenset(),
        elapsed: frozenset[int] = frozenset(),
        by_value: dict[int, str] | None = None,
        otherwise: dict[int, str] | None = None,
    ) -> DateStyles:
        self = super().__new__(cls, dated)
        self.undated, self.missed, self.elapsed = frozenset(undated), frozenset(missed), frozenset(elapsed)
        self.by_value = dict(by_value or {})
        self.otherwise = dict(otherwise or {})
        return self


def _calamine_may_see_date(code: str) -> bool:
    """Whether python-calamine may take the format `code` for a date: a letter of d, m, h, y,
    s anywhere (a superset of its rule, which looks outside quotes and brackets)."""
    return _DATE_LETTERS.search(code) is not None


def _calamine_may_miss_date(code: str) -> bool:
    """Whether python-calamine may give a number under the date format `code`: its first
    section holds no d, m, h, y or s outside quotes, escaped, width and fill characters and
    brackets (a superset of the formats it gives as numbers)."""
    first = _sections(code)[0]
    return _DATE_LETTERS.search(_LITERALS.sub("", first)) is None


@lru_cache(maxsize=64)
def xlsx_date_styles(styles: bytes) -> DateStyles:
    """The cell formats of an .xlsx styles part whose number format shows a date or a time
    (`shows_date`, the built-in ids for formats the part does not define), and those on
    which python-calamine may give otherwise (`DateStyles`). Raises etree.XMLSyntaxError,
    UnsafeXML."""
    root = parse_xml(styles)
    defined = {f.get("numFmtId", ""): f.get("formatCode", "") for f in root.iter("{*}numFmt")}
    dated, undated, missed, elapsed = set(), set(), set(), set()
    by_value: dict[int, str] = {}
    otherwise: dict[int, str] = {}
    for xfs in root.iter("{*}cellXfs"):
        for i, xf in enumerate(xfs.iterchildren("{*}xf")):
            fid = xf.get("numFmtId", "0")
            code = defined.get(fid)
            if code is None:
                number = int(fid) if fid.isdigit() else -1
                if builtin_shows_date(number):
                    dated.add(i)
                    if number not in _CALAMINE_DATE_IDS:
                        missed.add(i)
                    if builtin_shows_elapsed(number):
                        elapsed.add(i)
                        missed.add(i)  # given to calamine as a number (`elapsed_as_numbers`)
                elif builtin_shows_percent(number):
                    otherwise[i] = ""
            elif shows_date(code):
                dated.add(i)
                if shows_date_by_value(code):
                    by_value[i] = code
                if _calamine_may_miss_date(code):
                    missed.add(i)
                if shows_elapsed(code):
                    elapsed.add(i)
                    missed.add(i)  # given to calamine as a number (`elapsed_as_numbers`)
            elif shows_percent(code) or shows_scaled(code):
                otherwise[i] = code
            elif _calamine_may_see_date(code):
                undated.add(i)
    return DateStyles(
        frozenset(dated),
        frozenset(undated),
        frozenset(missed),
        frozenset(elapsed),
        by_value,
        otherwise,
    )


def elapsed_as_numbers(styles: bytes) -> bytes | None:
    """An .xlsx styles part whose elapsed-time formats (`shows_elapsed`: `[h]:mm`; the
    built-in ids 46 and 80 where the part does not define them) show plain numbers instead,
    for python-calamine, which gives a number under them as a Python timedelta and fails on
    the whole sheet past 999.999.999 days (OverflowError; brk13: a total of 1.314.128.000
    đồng formatted [HH]:MM made the file "bị hỏng"); None when the part has none. The facts
    give such cells as their format shows them (`DateStyles.missed`). Raises
    etree.XMLSyntaxError, UnsafeXML."""
    root = parse_xml(styles)
    changed = False
    defined = set()
    for f in root.iter("{*}numFmt"):
        defined.add(f.get("numFmtId", ""))
        if shows_elapsed(f.get("formatCode", "")):
            f.set("formatCode", "0")
            changed = True
    for xfs in root.iter("{*}cellXfs"):
        for xf in xfs.iterchildren("{*}xf"):
            fid = xf.get("numFmtId", "0")
            if fid not in defined and fid.isdigit() and builtin_shows_elapsed(int(fid)):
                xf.set("numFmtId", "0")
                changed = True
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True) if changed else None


def looked_at(date_styles: frozenset[int]) -> frozenset[int]:
    """The cell formats whose cells `xlsx_unshown_dates` looks at: the date styles and, of
    a `DateStyles`, those calamine may give otherwise. A part with no cell under one of
    them (no s attribute naming one, `styled_attribute`; none at all when 0 is among them:
    a cell without s has style 0) gives none."""
    if isinstance(date_styles, DateStyles):
        odd = (
            date_styles.undated
            | date_styles.missed
            | date_styles.by_value.keys()
            | date_styles.otherwise.keys()
        )
        return frozenset(date_styles | odd)
    return frozenset(date_styles)


def styled_attribute(styles: frozenset[int]) -> bytes:
    """The pattern, after its '=', of an s attribute naming one of `styles` (not empty, 0
    not among them) as `_styled` finds it."""
    alternatives = b"|".join(str(i).encode() for i in sorted(styles))
    return rb"""(?<=[s\s]=)\s*["']0*(?:%s)["']""" % alternatives


@lru_cache(maxsize=64)
def _styled(date_styles: frozenset[int]) -> re.Pattern[bytes]:
    """An attribute whose value names one of `date_styles` (s="5", s = '05', and others
    such as xs="5": a superset of the s attributes `_ATTR` reads, found fast from its '=',
    after an s or white space, so that a row's r="5" is not), spelled as `_ATTR` reads it;
    with style 0 among them, anything (a cell without s has style 0)."""
    if 0 in date_styles:
        return re.compile(rb"")
    return re.compile(b"=" + styled_attribute(date_styles))


def xlsx_unshown_dates(sheet: bytes, date_styles: frozenset[int]) -> dict[str, Any]:
    """A1 -> the value a number cell of an .xlsx sheet part shows, where python-calamine
    may give another: an UnshownDate for a number no date shows (from FIRST_UNSHOWN_SERIAL
    on) held under a cell format of `date_styles`; and with a `DateStyles`, the number
    itself (a float) under a format of its `undated`, the date, time or duration (as
    calamine gives them, counted from 1900) under one of its `missed`. Linear in the part's
    size."""
    out: dict[str, Any] = {}
    if isinstance(date_styles, DateStyles):
        odd = (
            date_styles.undated
            | date_styles.missed
            | date_styles.by_value.keys()
            | date_styles.otherwise.keys()
        )
        if odd and _styled(frozenset(odd)).search(sheet):
            out.update(_shown_otherwise(sheet, date_styles))
    if not date_styles or not _styled(date_styles).search(sheet):
        return out  # no cell of the part is held under a date format (a fast superset)
    for m in _LONG_VALUE.finditer(sheet):
        try:
            number = float(m.group(1))
        except ValueError:
            continue
        if not number >= FIRST_UNSHOWN_SERIAL or sheet[m.start() - 1 : m.start()] not in (b"<", b":"):
            continue
        start = sheet.rfind(b"<c ", 0, m.start())  # the cell's start tag, or a prefixed one after it
        start = max(start, sheet.rfind(b":c ", max(start, 0), m.start()))
        end = sheet.find(b">", start)
        if start < 0 or end < 0:
            continue
        attrs = dict(_ATTR.findall(sheet, start + 2, end))
        style = attrs.get(b"s", b"0")
        if b"r" in attrs and attrs.get(b"t", b"n") == b"n" and style.isdigit() and int(style) in date_styles:
            out[attrs[b"r"].decode("ascii", "replace").upper()] = UnshownDate(show(number))
    return out


def _shown_otherwise(sheet: bytes, styles: DateStyles) -> dict[str, Any]:
    """A1 -> the value shown, for each number cell held under a cell format of
    `styles.undated` (the number), `styles.missed` (the date, time or duration) or
    `styles.otherwise` (as its format shows it, `shown_value`)."""
    out: dict[str, Any] = {}
    for m in _CELL_START.finditer(sheet):
        if m.group(3) or not m.group(2):
            continue  # <c .../>: no value
        attrs = dict(_ATTR.findall(m.group(2)))
        style = attrs.get(b"s", b"0")
        if b"r" not in attrs or attrs.get(b"t", b"n") != b"n" or not style.isdigit():
            continue
        xf = int(style)
        if xf not in styles.undated and xf not in styles.missed and xf not in styles.by_value:
            if xf not in styles.otherwise:
                continue
        end = sheet.find(b"</" + m.group(1) + b"c>", m.end())
        value = _VALUE.search(sheet, m.end(), len(sheet) if end < 0 else end)
        try:
            number = float(value.group(1)) if value else None
        except ValueError:
            number = None
        if number is None:
            continue
        cell = attrs[b"r"].decode("ascii", "replace").upper()
        if xf in styles.otherwise:
            code = styles.otherwise[xf]
            out[cell] = PercentShown(number) if not code else shown_value(code, number)
            continue
        code = styles.by_value.get(xf)
        if code is not None:  # the section LibreOffice picks for this number decides
            out[cell] = (
                _as_date(number, xf in styles.elapsed)
                if shows_date_at(code, number)
                else shown_value(code, number)
            )
        else:
            out[cell] = number if xf in styles.undated else _as_date(number, xf in styles.elapsed)
    return out


def _as_date(number: float, elapsed: bool) -> Any:
    """A number under a date format as python-calamine gives it (1900 dates, as `biff._date`
    gives them, which this module cannot import: biff imports it): a duration under an
    `elapsed` format; else a time below 1, a date when whole, a datetime otherwise (the 1900
    system counts the 29th of February 1900 that did not exist: numbers below 60 are a day
    later than the days since 1899-12-30 say); an UnshownDate past the year 9999."""
    try:
        if elapsed:
            return dt.timedelta(days=number)
        moment = DAY_ZERO + dt.timedelta(milliseconds=round((number + (number < 60)) * 86_400_000))
    except (OverflowError, ValueError):
        return UnshownDate(show(number))
    if number < 1:
        return moment.time()
    return moment.date() if number == int(number) else moment
