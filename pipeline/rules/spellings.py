"""The spellings of a listed name that are read as it: one table for the template and the pipeline.

The template's live checks MATCH a typed name against this table (`render/livechecks.py`,
`render/numbercells.py`), and the pipeline reads a name with it (`read/blockread.py`).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from ..form import Form
from ..form.grid import LIST_KEYS
from . import nearest
from .nearest import TONES

# ----- names typed close to a listed one ------------------------------------------------------
# A formula cannot measure closeness, so the template and the pipeline read a name not
# listed as typed only when it is a usual spelling of a listed one (without accents,
# without the administrative prefix, abbreviated, the tone on another vowel), each checked
# with `nearest.read_as` (never a name of another level): a warning (`NAME_READ_AS`) in
# both; anything else not listed is an error in both.
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


def tohop(text: str) -> str:
    """`text` as Vietnamese keyboards type it in their "Unicode tổ hợp" mode (Unikey, EVKey):
    each letter precomposed but for its tone mark, which follows it combining ("ế" as "ê"
    and U+0301, "ộ" as "ô" and U+0323); "đ" has no decomposition and stays."""
    letters: list[str] = []  # each base character with its combining marks
    for ch in unicodedata.normalize("NFD", text):
        if letters and unicodedata.combining(ch):
            letters[-1] += ch
        else:
            letters.append(ch)
    return "".join(
        unicodedata.normalize("NFC", "".join(c for c in letter if c not in TONES))
        + "".join(c for c in letter if c in TONES)
        for letter in letters
    )


def decomposed(text: str) -> list[str]:
    """`text` and, when it holds a letter with a mark, the two decomposed ways of typing it:
    `tohop`, and full NFD as macOS hands text over ("e", U+0302, U+0301)."""
    return list(dict.fromkeys([text, unicodedata.normalize("NFD", text), tohop(text)]))


def _spellings(name: str) -> list[str]:
    """Ways people type a listed name: without accents, without or with an abbreviated
    administrative prefix ("Hòn Đất", "H. Hòn Đất" for "Huyện Hòn Đất"; "Gò Quao" for
    "Xã Gò Quao"), never with the prefix of another level; those typed by a "tổ hợp"
    keyboard (`tohop`), not those with the tone on another vowel nor in full NFD (the
    template's size: `tests/test_template_size.py`)."""
    forms = [name]
    for prefix, short in _PREFIXES.items():
        if name.startswith(prefix + " "):
            rest = name[len(prefix) + 1 :]
            forms.append(rest)
            if short:
                forms += [f"{short}. {rest}", f"{short} {rest}", f"{short}.{rest}"]
    moved = [v for f in forms[:2] for v in _tone_moved(f)]  # the name, without its prefix
    typed = [t for f in forms for t in dict.fromkeys([f, tohop(f)])]  # as "tổ hợp" keyboards type
    return typed + moved + [_unaccented(f) for f in forms]


_VOWELS = frozenset("aeiouyAEIOUY")


def _tone_moved(name: str) -> list[str]:
    """`name` with the tone mark of one word on another vowel of that word, as the old and
    the new rules place it ("hoà"/"hòa") or as a slip puts it ("Rạch Gía" for "Rạch Giá"):
    the pipeline folds the marks away and reads these as the name, so the template does too."""
    words = unicodedata.normalize("NFD", name).split(" ")
    out = []
    for w, word in enumerate(words):
        tone = next((ch for ch in word if ch in TONES), None)
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


@dataclass(frozen=True)
class ReadNames:
    """The spellings of a list's names the pipeline reads, each with the number (1-based)
    of the item it reads them as: `exact`, what `Form.code_for` reads (the name, the code,
    "code - name"); `close`, the usual spellings `nearest.read_as` reads as an item, with
    NAME_READ_AS. One spelling per text ignoring case, as MATCH and `code_for` compare."""

    exact: tuple[tuple[str, int], ...]
    close: tuple[tuple[str, int], ...]


_READABLE: dict[int, tuple[Form, dict[str, ReadNames]]] = {}


def read_names(form: Form) -> dict[str, ReadNames]:
    """List key -> the spellings of its names the pipeline reads (`ReadNames`). Computed
    once per form."""
    cached = _READABLE.get(id(form))
    if cached and cached[0] is form:
        return cached[1]
    out: dict[str, ReadNames] = {}
    for key in LIST_KEYS:
        items = form.items(key)
        number = {item.code: n for n, item in enumerate(items, 1)}
        exact: dict[str, tuple[str, int]] = {}
        for item in items:
            for typed in (item.name, item.code, f"{item.code} - {item.name}"):
                for text in decomposed(typed):
                    code = form.code_for(key, text)
                    if code is not None:
                        exact.setdefault(text.casefold(), (text, number[code]))
        close: dict[str, tuple[str, int]] = {}
        for item in items:
            for text in _spellings(item.name):
                folded = text.casefold()
                if folded in exact or folded in close or form.code_for(key, text) is not None:
                    continue
                if nearest.read_as(form, key, text).code == item.code:
                    close[folded] = (text, number[item.code])
        out[key] = ReadNames(tuple(exact.values()), tuple(close.values()))
    _READABLE[id(form)] = (form, out)
    return out


def usual_spelling_of(form: Form, key: str, typed: str) -> str | None:
    """The code of the listed item of list `key` whose usual spelling `typed` is (one of the
    `ReadNames.close` spellings, compared as the template's MATCH compares: exactly, ignoring
    case, without composing Unicode); None for any other text.

    `typed` is the cell's text as typed (`text.values.typed_text`). The pipeline reads a
    name not listed as typed only through this table, so the template and the pipeline read
    the same names (issue #23); a name close to a listed one but not a usual spelling of it
    is unknown to both, and the error offers the nearest name (`nearest.near_text`)."""
    table = form.memo.get("usual_spellings")
    if table is None:
        table = {}
        for list_key, names in read_names(form).items():
            items = form.items(list_key)
            table[list_key] = {text.casefold(): items[n - 1].code for text, n in names.close}
        form.memo["usual_spellings"] = table
    return table[key].get(typed.casefold())
