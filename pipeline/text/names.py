"""File names: ASCII slugs from unit names, and the one rule for a name safe on Windows.

Every name the program writes goes through `windows_name` (pathvalidate, platform
"windows": no reserved device name such as CON or NUL, also with an extension, none of
`<>:"/\\|?*` or control characters, no trailing dot or space), capped at `MAX_NAME`
characters. The budget: a written path relative to the outbox or the inbox (the longest is
a feedback file's temporary copy in a set being written,
`.2025.dang-ghi-<pid>/phan-hoi/.<name>.<pid>.tmp`) stays within `MAX_RELATIVE`
characters, so from a profile folder such as `C:\\Users\\<20 characters>\\Documents\\`
(40 characters) with an outbox folder name of up to 50 characters every path stays under
Excel's 218-character limit and well under Windows' 260.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

from pathvalidate import sanitize_filename, validate_filename

_NON_WORD = re.compile(r"[^A-Za-z0-9]+")
_PLAIN_CODE = re.compile(r"[A-Z0-9]+(-[A-Z0-9]+)*")
# Device names pathvalidate leaves alone: the console's own, and a reserved name followed
# by spaces before its extension ("con .xlsx"), which Windows also opens as the device.
_RESERVED = re.compile(r"(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³]|CONIN\$|CONOUT\$)", re.IGNORECASE)

MAX_NAME = 64  # characters (UTF-16 units, as Windows counts) of one written file name
MAX_RELATIVE = 120  # characters of a written path below the outbox or the inbox
TAG_LEN = 8  # hex digits of the hash that keeps a shortened or changed name unique
FALLBACK = "khong-ten"


def slug(text: str, max_len: int = 60) -> str:
    """ASCII slug for a file name: 'UBND Huyện Hòn Đất' -> 'UBND-Huyen-Hon-Dat'."""
    text = unicodedata.normalize("NFKD", text.replace("Đ", "D").replace("đ", "d"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _NON_WORD.sub("-", text).strip("-")
    return text[:max_len].strip("-") or FALLBACK


def tag(text: str) -> str:
    """A short hash of `text`, to keep names apart that were shortened or changed."""
    return hashlib.sha1(text.encode("utf-8", "surrogateescape")).hexdigest()[:TAG_LEN]


def name_len(name: str) -> int:
    """Length as Windows counts it (UTF-16 code units: a character outside the BMP is two)."""
    return len(name.encode("utf-16-le", "surrogatepass")) // 2


def windows_name(name: str, max_len: int = MAX_NAME) -> str:
    """`name` made a file name that is valid on Windows (and so on macOS and Linux).

    Characters Windows refuses become "-", trailing dots and spaces (and leading ones: a
    name starting with a dot is hidden elsewhere) go, a reserved device name gets "_". A
    name that had to change, or is longer than `max_len`, gets a short hash of the name
    asked for (before its suffix, which is kept), so two different names never become one.
    Names that differ only by case are a folder's business: see `distinct_names`.
    """
    wanted = unicodedata.normalize("NFC", name)
    stem, suffix = _split(wanted)
    if name_len(stem) > max_len:  # cut before pathvalidate, whose own cut would drop the suffix
        stem = stem[:max_len]
    out = sanitize_filename(stem + suffix, replacement_text="-", platform="windows").strip(". ")
    if _RESERVED.fullmatch(out.partition(".")[0].rstrip(" ")):
        out = "_" + out
    if not out:
        out = FALLBACK
    if out != wanted or _too_long(out, max_len):
        out = _tagged(out, tag(name), max_len)
    validate_filename(out, platform="windows")  # a name this function made: never fails
    return out


def is_windows_name(name: str) -> bool:
    """Whether `name` is already a name `windows_name` keeps as it is (any length)."""
    return windows_name(name, max(MAX_NAME, name_len(name))) == unicodedata.normalize("NFC", name)


def _tagged(name: str, digest: str, max_len: int) -> str:
    """`name` with `-<digest>` before its suffix, its stem cut so the whole fits `max_len`."""
    stem, suffix = _split(name)
    while True:
        stem = stem.rstrip(". -")
        out = f"{stem}-{digest}{suffix}" if stem else f"{digest}{suffix}"
        if not _too_long(out, max_len):
            return out
        stem = stem[:-1]


def _split(name: str) -> tuple[str, str]:
    """(stem, suffix with its dot); the suffix only when it looks like one."""
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem or len(suffix) > 10 or not suffix.isalnum():
        return name, ""
    return stem, f".{suffix}"


def _too_long(name: str, max_len: int) -> bool:
    # pathvalidate also counts the UTF-8 bytes (255 at most, the limit of most file systems)
    return name_len(name) > max_len or len(name.encode("utf-8", "surrogatepass")) > 255


def distinct_names(names: Iterable[str]) -> list[str]:
    """The names, each made distinct from the earlier ones where Windows and macOS see two
    names as one (case, Unicode normalisation): a repeat gets "-2", "-3" before its suffix."""
    out: list[str] = []
    seen: set[str] = set()
    for name in names:
        stem, dot, suffix = name.rpartition(".")
        if not dot or not stem:
            stem, suffix = name, ""
        candidate, n = name, 2
        while _folded(candidate) in seen:
            candidate, n = windows_name(f"{stem}-{n}" + (f".{suffix}" if suffix else "")), n + 1
        seen.add(_folded(candidate))
        out.append(candidate)
    return out


def _folded(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


def code_part(code: str, max_len: int = 20) -> str:
    """A unit code as part of a file name: the code itself when it is plain (upper-case
    letters, digits, dashes, as every code of the shipped registry), else its slug and a
    hash, so two codes never give names that are equal or differ only by case."""
    if _PLAIN_CODE.fullmatch(code) and len(code) <= max_len:
        return code
    return f"{slug(code, max_len - 1 - TAG_LEN)}-{tag(code)}"


def fitted(prefix: str, text: str, rest: str, max_len: int = MAX_NAME) -> str:
    """`prefix + slug(text) + rest`, the slug as long as the name's budget allows."""
    room = max(max_len - len(prefix) - len(rest), 1)
    return windows_name(f"{prefix}{slug(text, room)}{rest}", max_len)


def template_name(year: int, unit_code: str, unit_name: str, prefix: str = "588") -> str:
    """A unit's blank template: `Mau-<prefix>-<year>-<code>-<name>.xlsx`, Windows-safe and
    within MAX_NAME; `prefix` is the programme's (`[programme] prefix`)."""
    return fitted(f"Mau-{slug(prefix, 20)}-{int(year)}-{code_part(unit_code)}-", unit_name, ".xlsx")
