"""Text from files and file names made inert where it is shown: terminals, CSV, JSON, XML
documents (.docx, .xlsx written by openpyxl).

A unit's cell, a file name or a mail subject can hold anything: line breaks, escape
sequences that retitle a terminal or move its cursor (ECMA-48 CSI/OSC), bidirectional
overrides that reorder what is shown (Unicode TR9), or text a spreadsheet runs as a
formula (OWASP "CSV injection"). These functions keep such text visible but harmless.
"""

from __future__ import annotations

import re
import unicodedata

# Bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), and the line and
# paragraph separators some terminals honour as line breaks.
_INVISIBLE_FORMAT = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029")


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _unsafe(ch: str) -> bool:
    return ch in _INVISIBLE_FORMAT or unicodedata.category(ch) in ("Cc", "Cs")


_UNSAFE_RUN = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")


def for_terminal(text: object) -> str:
    """`text` with every control character (C0, DEL, C1 — so ESC and the 8-bit CSI too),
    bidi control and lone surrogate shown as a visible escape (`\\x1b`, `\\u202e`).

    The result holds no line break: print it as one line."""
    s = str(text)
    if not _UNSAFE_RUN.search(s):
        return s
    return "".join(_escape(ch) if _unsafe(ch) else ch for ch in s)


_JSON_RAW = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")


def json_inert(text: str) -> str:
    """JSON text (as written by json.dumps(ensure_ascii=False)) with the C1 controls, bidi
    controls and lone surrogates that JSON leaves raw written as `\\uXXXX` escapes: the
    same JSON value, safe on a terminal and encodable as UTF-8."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


_FORMULA_START = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")  # ASCII and full-width
_LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def csv_field(value: str) -> str:
    """A text field for a CSV any spreadsheet can open: control characters and line breaks
    become one space (a record stays one line in any reader), and a field whose first
    visible character could start a formula gets a leading apostrophe (OWASP)."""
    s = _LINE_BREAKS.sub(" ", value)
    stripped = s.lstrip(" \u00a0\u3000")
    if stripped[:1] in _FORMULA_START:
        s = "'" + s
    return s


_XML_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)


def for_xml(text: object) -> str:
    """`text` as an XML document may hold it (XML 1.0 section 2.2 forbids most C0 controls;
    python-docx and openpyxl refuse them): line ends kept as "\\n", tabs kept, every other
    control character (C0, DEL, C1 — so ESC and BEL), bidi control (which would reorder a
    unit's name in the document, Unicode TR9), lone surrogate and non-character shown as a
    visible escape (`\\x1b`, `\\u202e`), as on a terminal."""
    s = str(text).replace("\r\n", "\n").replace("\r", "\n")
    if not _XML_FORBIDDEN.search(s):
        return s
    return _XML_FORBIDDEN.sub(lambda m: _escape(m.group()), s)
