"""A file that is no package, known by its start (`magic_kind`): by its first bytes, by a
mark near its start, by its first element (`first_element`) or by the media type of its
MIME header (`mime_type`: a message, a web archive), read as text (inflated when gzipped,
in UTF-8 when it is in UTF-16 or UTF-32), and text named as a spreadsheet by its lines
(`plain_form`: CSV, TSV or other text).
"""

from __future__ import annotations

import re
import zlib

from .catalogue import KINDS, kind_of_name, suffix_of
from .filekind import DELIMITED, HEAD_BYTES, REPORT, TEXT, FileKind

GZIP_MAGIC = b"\x1f\x8b"  # RFC 1952 §2.3.1


def magic_kind(head: bytes, name: str = "") -> FileKind | None:
    """The kind that the first bytes alone identify (a PDF, an image …), else the kind that
    the file's start says it is (`FileKind.told_by`: its marks in the first HEAD_BYTES, its
    first element, the media type of its MIME header and whether that header shows it was
    mailed, `was_sent`), read as text: inflated when it is gzipped (Gnumeric saves so), as
    UTF-8 when it is in UTF-16 or UTF-32. Of kinds told alike (a web page, one named .xls)
    the one whose suffix the file `name` has, else the first. Failing those, a file named
    as a spreadsheet whose start is plain text is the plain-text kind its lines say
    (`plain_form`: CSV/TSV or other text). None when nothing says."""
    known = next((k for k in KINDS if k.magic and head.startswith(k.magic)), None)
    if known is not None:
        return known
    text = head[:HEAD_BYTES]
    if head.startswith(GZIP_MAGIC):
        try:  # only the start is inflated, however large the file says it is
            text = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head[:65536], HEAD_BYTES)
        except zlib.error:
            return None
    text = _as_utf8(text)
    header = mime_header(text) or {}
    told = [k for k in KINDS if k.told_by(text, first_element(text), mime_type(header), was_sent(header))]
    if told:
        return next((k for k in told if suffix_of(name) in k.suffixes), told[0])
    named = kind_of_name(name)
    if named is None or named.role != REPORT or head.startswith(GZIP_MAGIC):
        return None
    form = plain_form(text, cut=len(head) > HEAD_BYTES)
    return next((k for k in KINDS if form and k.plain == form), None)


# (first bytes, codec, bytes to skip): a byte-order mark, or '<' spelled in two bytes; the
# UTF-32 marks first (UTF-32-LE's starts with UTF-16-LE's)
_UTF16 = (
    (b"\xff\xfe\x00\x00", "utf-32-le", 4),
    (b"\x00\x00\xfe\xff", "utf-32-be", 4),
    (b"\xff\xfe", "utf-16-le", 2),
    (b"\xfe\xff", "utf-16-be", 2),
    (b"<\x00", "utf-16-le", 0),
    (b"\x00<", "utf-16-be", 0),
)


def _as_utf8(text: bytes) -> bytes:
    """A file's start in UTF-8: as it is, or decoded when it is in UTF-16 or UTF-32 (by its
    byte-order mark, or, without one, by the zero bytes of text mostly in ASCII: every
    other byte zero)."""
    for start, codec, skip in _UTF16:
        if text.startswith(start):
            plain = text[skip:]
            width = 4 if codec.startswith("utf-32") else 2
            return plain[: len(plain) // width * width].decode(codec, "replace").encode()
    pairs = len(text) // 2
    if pairs >= 2:
        even, odd = text[0 : 2 * pairs : 2].count(0), text[1 : 2 * pairs : 2].count(0)
        if odd * 4 >= pairs * 3 and even * 10 < pairs:
            return text[: 2 * pairs].decode("utf-16-le", "replace").encode()
        if even * 4 >= pairs * 3 and odd * 10 < pairs:
            return text[: 2 * pairs].decode("utf-16-be", "replace").encode()
    return text


# a header field's name and its colon (RFC 5322 §2.2, §3.6.8: printable ASCII but the colon)
_FIELD = re.compile(rb"([!-9;-~]+)[ \t]*:")


def mime_header(text: bytes) -> dict[bytes, bytes] | None:
    """The fields of the header block a file's start begins with (names in lower case, each
    with its last value, unfolded), when it is one (RFC 5322 §2.2: fields, folded lines, up
    to an empty line, field names compared without regard to case); None when it is not."""
    fields: dict[bytes, bytes] = {}
    last = b""
    lines = text.removeprefix(b"\xef\xbb\xbf").split(b"\n")
    if len(text) >= HEAD_BYTES:
        lines = lines[:-1]  # cut short: the last line may be a piece
    for line in lines:
        line = line.rstrip(b"\r")
        if not line:
            if fields or last:
                break
            continue  # blank lines before the header block
        if line[:1] in (b" ", b"\t"):
            if not last:
                return None
            fields[last] += b" " + line.strip()
            continue
        field = _FIELD.match(line)
        if field is None:
            return None
        last = field.group(1).lower()
        fields[last] = line[field.end() :].strip()
    return fields


def mime_type(fields: dict[bytes, bytes]) -> bytes | None:
    """The media type (lower case, without parameters) a MIME document declares in the
    header block it starts with (its `fields`, `mime_header`): a message or a web archive
    (MHTML, RFC 2557). b"text/plain" when it declares MIME-Version but no Content-Type (RFC
    2045 §5.2). None when it declares neither (or the start is no header block: no fields)."""
    if b"content-type" in fields:
        return fields[b"content-type"].partition(b";")[0].strip().lower()
    return b"text/plain" if b"mime-version" in fields else None


# what only a message mailed (or written to be) carries in its header: an address (RFC 5322
# §3.6.2, §3.6.3), its id or its trace (§3.6.4, §3.6.7). A page a browser or Office saves as
# MHTML has none: Chrome writes "From: <Saved by Blink>", Word and Excel no From at all
_ADDRESSES = (b"from", b"sender", b"reply-to", b"to", b"cc", b"bcc")
_MAILED = (b"message-id", b"received")


def was_sent(fields: dict[bytes, bytes]) -> bool:
    """Whether a MIME document's header fields (`mime_header`) show it was mailed: an
    address ("@") in an address field, or a Message-ID or Received field."""
    return any(f in fields for f in _MAILED) or any(b"@" in fields.get(f, b"") for f in _ADDRESSES)


# the C0 controls no text holds (TAB, LF, VT, FF, CR, SUB and ESC stay: DOS ends a text with
# SUB, and 8-bit Vietnamese encodings such as VISCII use a few other C0 places for letters,
# so a few per hundred bytes are let through)
_CONTROLS = bytes(b for b in range(32) if b not in b"\t\n\x0b\x0c\r\x1a\x1b")
_DELIMITERS = (b"\t", b";", b",", b"|")
_QUOTED = re.compile(rb'"(?:[^"]|"")*"')


def plain_form(text: bytes, cut: bool = False) -> str:
    """What a file's start (as `magic_kind` gives it: UTF-16 and UTF-32 already in UTF-8,
    other encodings as they are) is, when it is plain text: DELIMITED when its lines are
    rows of values separated by one of tab, semicolon, comma or bar (at least two lines of
    one same number of values, two or more, holding at least half the lines that are not
    blank; quoted values taken whole), TEXT for other text, "" when it is not text (a zero
    byte, or more than one control character per hundred bytes) or is blank. `cut`: the
    start is a piece of the file (its last line may be cut)."""
    if b"\x00" in text or not text.strip():
        return ""
    if (len(text) - len(text.translate(None, _CONTROLS))) * 100 > len(text):
        return ""
    lines = text.removeprefix(b"\xef\xbb\xbf").splitlines()
    if cut and len(lines) > 1:
        lines = lines[:-1]
    lines = [_QUOTED.sub(b"v", line) for line in lines if line.strip()][:100]
    for delimiter in _DELIMITERS:
        counts = [line.count(delimiter) + 1 for line in lines]
        rows = [c for c in counts if c > 1]
        if not rows:
            continue
        common = max(set(rows), key=rows.count)
        if rows.count(common) >= 2 and rows.count(common) * 2 >= len(lines):
            return DELIMITED
    return TEXT


_SPACE = re.compile(rb"[ \t\r\n]*")
_DOCTYPE = re.compile(rb"<!doctype[ \t\r\n]+([^ \t\r\n>\[]*)", re.IGNORECASE)
_ELEMENT = re.compile(rb"<([A-Za-z_][-\w.:]*)")


def first_element(text: bytes) -> bytes:
    """The name of the first element of a text file's start (lower case, without its
    namespace prefix), after a byte-order mark, white space, the XML declaration,
    processing instructions, comments and a DOCTYPE; b"html" when the DOCTYPE names html
    (HTML 4, XHTML); b"" when the start is no markup."""
    at = 3 if text.startswith(b"\xef\xbb\xbf") else 0
    while True:
        at = _SPACE.match(text, at).end()  # type: ignore[union-attr]
        if text.startswith(b"<?", at):
            end = text.find(b"?>", at)
            at = end + 2
        elif text.startswith(b"<!--", at):
            end = text.find(b"-->", at)
            at = end + 3
        elif (doctype := _DOCTYPE.match(text, at)) is not None:
            if doctype.group(1).lower() == b"html":
                return b"html"
            end = text.find(b">", at)
            at = end + 1
        else:
            element = _ELEMENT.match(text, at)
            return element.group(1).rpartition(b":")[2].lower() if element else b""
        if end < 0:
            return b""
