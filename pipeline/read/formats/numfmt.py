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

from functools import lru_cache

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


def builtin_shows_date(format_id: int) -> bool:
    """A built-in format id that is a date or time in every version of Excel."""
    return format_id in BUILTIN_DATE_IDS
