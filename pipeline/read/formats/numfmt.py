"""Whether a number format shows a date or a time, as Excel and LibreOffice decide it.

A cell holds a number; its format decides whether a person sees 45 or 14/02/1900. Only an
unquoted, unescaped date or time token makes a date: y, m, d, h, s (any case, "mm" after
"h" is minutes, still a time), an elapsed-time bracket ([h], [mm], [ss]) or AM/PM. Everything
else is decoration: bracketed colours, conditions and locale or currency prefixes
(`[Red]`, `[>100]`, `[$-42A]`, `[$₫-42A]`, `[DBNum1]`), quoted literal text (`"ngày"`),
escaped characters (`\\d`), the space of a character's width (`_d`) and fill characters
(`*d`). `General` is no date; `E+`/`e-` is scientific notation.

Built-in format ids ([MS-XLS] 2.4.126 Format, [MS-OI29500] numFmt) used when a file names
an id without defining it: 14-22 and 45-47 are dates or times everywhere; 27-36 and 50-58
are dates in East Asian versions of Excel only, and a file that defines its own format under
such an id (Gnumeric writes `[$-42A]#,##0` as id 51) is classified by its own definition.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ...text.values import UnshownDate, show
from ..cellfacts import parse_xml

BUILTIN_DATE_IDS = frozenset({*range(14, 23), *range(45, 48)})
_DATE_LETTERS = frozenset("ymdhs")
_ELAPSED = frozenset("hms")


@lru_cache(maxsize=1024)
def shows_date(fmt: str) -> bool:
    """True when a number under the format `fmt` is shown as a date or a time.

    The format's sections (positive;negative;zero;text) are all looked at: a format whose
    any numeric section shows a date is a date format, as both applications type it."""
    i, n = 0, len(fmt)
    while i < n:
        ch = fmt[i]
        if ch == '"':  # quoted literal text, up to the closing quote
            end = fmt.find('"', i + 1)
            i = n if end < 0 else end + 1
            continue
        if ch in "\\_*":  # an escaped character, a width of a character, a fill character
            i += 2
            continue
        if ch == "[":
            end = fmt.find("]", i + 1)
            inner = fmt[i + 1 : n if end < 0 else end].lower()
            if inner and set(inner) <= _ELAPSED and len(set(inner)) == 1:
                return True  # elapsed time: [h], [mm], [ss]
            i = n if end < 0 else end + 1
            continue
        low = ch.lower()
        if low in _DATE_LETTERS:
            return True
        if low == "a" and (fmt[i : i + 5].upper() == "AM/PM" or fmt[i : i + 3].upper() == "A/P"):
            return True
        if low == "g" and fmt[i : i + 7].lower() == "general":
            i += 7
            continue
        if low == "e" and fmt[i + 1 : i + 2] in ("+", "-"):
            i += 2  # scientific notation: 0.00E+00
            continue
        i += 1
    return False


@lru_cache(maxsize=1024)
def shows_elapsed(fmt: str) -> bool:
    """True when the format `fmt` shows elapsed time ([h]:mm:ss, [mm]:ss, [ss]): a number
    under it is a duration (python-calamine gives a timedelta), not a moment."""
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


def builtin_shows_date(format_id: int) -> bool:
    """A built-in format id that is a date or time in every version of Excel."""
    return format_id in BUILTIN_DATE_IDS


# --- .xlsx: numbers no date shows under a date format ----------------------------------------
# python-calamine gives a plain float for a number under a date format when the number lies
# past the last day it can show (9999-12-31, serial 2958465): Excel shows ####, LibreOffice
# ###. Every other number under a date format it gives as a date or a duration.
FIRST_UNSHOWN_SERIAL = 2_958_466
# a cell's value of seven characters or more, as the usual writers spell it: <v>186219000</v>
_LONG_VALUE = re.compile(rb"v>([0-9][0-9.Ee+]{6,})<")
_ATTR = re.compile(rb"""\s([rst])\s*=\s*["']([^"']*)["']""")


@lru_cache(maxsize=64)
def xlsx_date_styles(styles: bytes) -> frozenset[int]:
    """The indices of the cell formats (cellXfs, ECMA-376 §18.8.10) of an .xlsx styles part
    whose number format shows a date or a time (`shows_date`, the built-in ids for formats
    the part does not define). Raises etree.XMLSyntaxError, UnsafeXML."""
    root = parse_xml(styles)
    defined = {f.get("numFmtId", ""): f.get("formatCode", "") for f in root.iter("{*}numFmt")}
    out = set()
    for xfs in root.iter("{*}cellXfs"):
        for i, xf in enumerate(xfs.iterchildren("{*}xf")):
            fid = xf.get("numFmtId", "0")
            code = defined.get(fid)
            if shows_date(code) if code is not None else fid.isdigit() and builtin_shows_date(int(fid)):
                out.add(i)
    return frozenset(out)


@lru_cache(maxsize=64)
def _styled(date_styles: frozenset[int]) -> re.Pattern[bytes]:
    """An attribute whose value names one of `date_styles` (s="5", s = '05', and others
    such as ht="5": a superset, found fast from its '='), spelled as `_ATTR` reads it; with
    style 0 among them, anything (a cell without s has style 0)."""
    if 0 in date_styles:
        return re.compile(rb"")
    alternatives = b"|".join(str(i).encode() for i in sorted(date_styles))
    return re.compile(rb"""=\s*["']0*(?:%s)["']""" % alternatives)


def xlsx_unshown_dates(sheet: bytes, date_styles: frozenset[int]) -> dict[str, UnshownDate]:
    """A1 -> UnshownDate for each number cell of an .xlsx sheet part held under a cell
    format of `date_styles` whose number no date shows (from FIRST_UNSHOWN_SERIAL on).
    Looks only at cell values of seven characters or more. Linear in the part's size."""
    out: dict[str, UnshownDate] = {}
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
