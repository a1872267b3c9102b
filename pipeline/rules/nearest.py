"""Did you mean: a region, category or unit name typed close to a listed one.

Names are compared folded: without diacritics (Vietnamese "đ" as "d"), case-folded, with
punctuation as spaces and the usual abbreviations written out ("TP" → "thành phố",
"TX" → "thị xã", "H." → "huyện", "X." → "xã", "UBND" → "ủy ban nhân dân"). A name whose folded form
is that of exactly one listed name, or of one listed district without its prefix
("Hòn Đất" → "Huyện Hòn Đất"), is the name meant; otherwise the closest listed name by
edit similarity (rapidfuzz `fuzz.ratio`, 0-100) is, when it is close enough and clearly
closer than the next one. A unit's own name is read as the name meant
(`bind.unit_read_as`). A name in a row (region, category, source) is read as the name meant
only when typed as one of its usual spellings (`spellings.usual_spelling_of`, the table the
template's live checks read with), so the template and the pipeline read the same names;
otherwise it is unknown, and the error offers the name meant ("có phải là …?") or, without
one, the nearest choices.

A name typed with the prefix of one administrative level (huyện, thành phố, thị xã, quận:
the district level; xã, phường, đặc khu, thị trấn: the commune level) is never read as a
listed name of the other level: "Huyện Gò Quao" is not "Xã Gò Quao" (since
01/7/2025 the district's land is four communes). Typed without a prefix ("Gò Quao") it is
read as the one listed name of that short name, as before. Where the configuration has a
crosswalk (`form/crosswalk.py`), the error for an old district's name names the new units on
its land (`near_text`), and an old commune's name is read only as the new unit it went to
wholly (`read_as`): "Thị trấn Vĩnh Thuận" went to Xã Vĩnh Phong, not to Xã Vĩnh Thuận.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from ..form import Form, Item, norm_text
from ..form.crosswalk import REFORM, FormerCommune, FormerDistrict, load_crosswalk
from .catalogue import FORMER_COMMUNE, FORMER_DISTRICT, READ_AS_LISTED, RULES

# Abbreviations offices type for administrative names (Vietnamese usage; folded forms).
ABBREVIATIONS = {
    "tp": "thanh pho",
    "tx": "thi xa",
    "tt": "thi tran",
    "h": "huyen",
    "q": "quan",
    "p": "phuong",
    "x": "xa",
    "ubnd": "uy ban nhan dan",
}
# Prefixes of administrative names, dropped to match "Hòn Đất" to "Huyện Hòn Đất".
ADMIN_PREFIXES = (
    "uy ban nhan dan",
    "thanh pho",
    "thi xa",
    "thi tran",
    "dac khu",
    "huyen",
    "quan",
    "phuong",
    "xa",
)

# The administrative level each prefix names (folded): a name of one level is never read as
# a listed name of the other.
DISTRICT = "district"
COMMUNE = "commune"
LEVELS = {
    "thanh pho": DISTRICT,
    "thi xa": DISTRICT,
    "huyen": DISTRICT,
    "quan": DISTRICT,
    "thi tran": COMMUNE,
    "dac khu": COMMUNE,
    "phuong": COMMUNE,
    "xa": COMMUNE,
}
_OFFICE = "uy ban nhan dan "  # "UBND Xã Gò Quao": the level is that of the name after it

# Where the note after a typed unit name may begin: a mark ("UBND xã Hòa Điền, tỉnh An
# Giang", "… (huyện Kiên Lương cũ)", "… - An Giang", "…-An Giang", "… | An Giang",
# full-width brackets) or a word naming a province or district, or "cũ", "mới" ("UBND xã Hòa
# Điền tỉnh An Giang", "Sở Y tế mới"; folded, as `fold` writes it). A name may hold a mark
# itself ("Sở Lao động - Thương binh và Xã hội"): every cut is tried.
_NOTE_MARK = re.compile(r"[,;:(\[{/|_\\（［，；]|\s*[-‐‑‒–—―]\s*")
_NOTE_WORDS = ("tinh", "huyen", "thanh pho", "thi xa", "quan", "cu", "moi")

ACCEPT = 88  # a close name is read as the listed one from this similarity on …
MARGIN = 6  # … when the next listed name is at least this much less similar
SUGGEST = 70  # listed names this similar (rapidfuzz WRatio, without prefixes) are offered in the error


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Folded form of a name for comparison: "TP. Rạch Giá" → "thanh pho rach gia"."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    words = re.sub(r"[^\w]+", " ", text).split()
    return " ".join(ABBREVIATIONS.get(w, w) for w in words)


# Vietnamese tone marks (combining, after NFD): grave, acute, hook above, tilde, dot below
TONES = frozenset("\u0300\u0301\u0309\u0303\u0323")
_MARKED_WORD = re.compile(r"[\w\u0300-\u036f]+")


@lru_cache(maxsize=4096)
def marked_short(text: str) -> str:
    """A name's short form (after "UBND" and its administrative prefix, as `fold` finds them,
    abbreviations too) with the marks its letters were typed with: "Xã Tân Thạnh", "X. Tân
    Thạnh" and "tân thạnh" alike, but not "Tân Thành" nor "Tan Thanh". Case-folded, the tone
    of each word after its letters (NFD), so "Hoà" and "Hòa" are one; "đ" stays "đ"."""
    words = _MARKED_WORD.findall(unicodedata.normalize("NFD", text).casefold())
    plain = [fold(w).split() for w in words]  # each word folded: "tp" -> ["thanh", "pho"]
    start = 0

    def lead(prefix: str) -> bool:
        nonlocal start
        need, got, end = prefix.split(), [], start
        while end < len(plain) and len(got) < len(need):
            got += plain[end]
            end += 1
        if got != need:
            return False
        start = end
        return True

    lead(_OFFICE.strip())
    any(lead(prefix) for prefix in ADMIN_PREFIXES[1:])
    return " ".join(
        "".join(c for c in w if c not in TONES) + "".join(c for c in w if c in TONES) for w in words[start:]
    )


def _short(folded: str) -> str:
    for prefix in ADMIN_PREFIXES:
        if folded.startswith(prefix + " "):
            return folded[len(prefix) + 1 :]
    return folded


def level(folded: str) -> str | None:
    """The administrative level a folded name's prefix names (`DISTRICT`, `COMMUNE`), None
    without one: "huyen go quao" → DISTRICT, "uy ban nhan dan xa go quao" → COMMUNE."""
    if folded.startswith(_OFFICE):
        folded = folded[len(_OFFICE) :]
    for prefix, found in LEVELS.items():
        if folded.startswith(prefix + " "):
            return found
    return None


@dataclass(frozen=True)
class Match:
    """What a typed name was read as: `code` (None if unknown) and the nearest names."""

    code: str | None
    name: str | None
    choices: tuple[str, ...] = ()


def _keys(items: tuple[Item, ...]) -> dict[str, set[str]]:
    """Folded full names, folded codes and folded short names -> codes having them."""
    keys: dict[str, set[str]] = {}
    for item in items:
        full = fold(item.name)
        for key in {full, _short(full), fold(item.code)}:
            keys.setdefault(key, set()).add(item.code)
    return keys


def match(items: tuple[Item, ...], text: str) -> Match:
    """The listed item `text` means, when unambiguous; else the nearest names.

    A listed name of another administrative level than the one `text`'s prefix names is
    never read as `text` (see the module's docstring), but may be offered among the nearest
    names ("Huyện Vĩnh Thạnh Trung": "có phải là 'Xã Vĩnh Thạnh Trung'?"); an old
    district's name gets its own explanation instead (`near_text`)."""
    folded = fold(text)
    offered = {fold(i.name): i.code for i in items}
    all_names = {i.code: i.name for i in items}
    typed_level = level(folded)
    if typed_level is not None:
        items = tuple(i for i in items if level(fold(i.name)) in (None, typed_level))
    names = {i.code: i.name for i in items}
    keys = _keys(items)
    exact = keys.get(folded) or keys.get(_short(folded))
    if exact and len(exact) == 1:
        code = next(iter(exact))
        return Match(code, names[code])
    full = {fold(i.name): i.code for i in items}
    ranked = process.extract(folded, list(full), scorer=fuzz.ratio, limit=None)
    best_by_code: dict[str, float] = {}
    for key, score, _ in ranked:
        best_by_code[full[key]] = max(score, best_by_code.get(full[key], 0.0))
    order = sorted(best_by_code.items(), key=lambda kv: -kv[1])
    if order and not exact:
        (code, score), rest = order[0], order[1:]
        if score >= ACCEPT and (not rest or rest[0][1] <= score - MARGIN):
            return Match(code, names[code])
    close = _suggestions(folded, offered, all_names)
    if exact:  # the same short name in several list entries
        close = [names[c] for c in sorted(exact)] + [n for n in close if n not in {names[c] for c in exact}]
    return Match(None, None, tuple(close[:3]))


def _suggestions(folded: str, full: dict[str, str], names: dict[str, str]) -> list[str]:
    """Up to three listed names close to `folded`, the closest first.

    Compared without their administrative prefixes (rapidfuzz WRatio >= SUGGEST on the short
    forms), so a word every name shares ("huyện") or the prefix of one entry ("Cấp tỉnh
    (không phân theo huyện)") makes nothing look close; ties go to the closer full name.
    """
    typed = _short(folded)
    close = {key: fuzz.WRatio(typed, _short(key)) for key in full}
    scored = [(score, fuzz.ratio(folded, key), key) for key, score in close.items() if score >= SUGGEST]
    scored.sort(key=lambda t: (-t[0], -t[1]))
    return list(dict.fromkeys(names[full[key]] for _, _, key in scored))[:3]


def read_as(form: Form, key: str, text: str) -> Match:
    """`match` against the list of a key field ("region", "category", "source").

    With a crosswalk, a region typed as an old commune's name is read only as the one new
    unit that commune went to wholly ("Thị trấn Gò Quao" as Xã Gò Quao); one that went
    elsewhere or was split ("Thị trấn Vĩnh Thuận", now in Xã Vĩnh Phong) is unknown, never
    the new unit of the same short name (`near_text` says where it went).

    A name that is both a listed one and an old commune's gone elsewhere, as typed, is
    neither (brk40 F1: "Xa Tan Thanh" was read as Xã Tân Thạnh, though Xã Tân Thành, now in
    Xã Tân Hội, is spelt so too; "Vĩnh Thuận" alone names Xã Vĩnh Thuận and the old Thị trấn
    Vĩnh Thuận): the marks typed tell them apart ("Tân Thạnh" is the listed one), else the
    error names both (`near_text`).

    Raises FormError when the configuration's crosswalk is not as described."""
    hit = match(form.items(key), text)
    if hit.code is not None and key == "region":
        olds = [c for c in former_communes(form, text) if c.new != (hit.name,)]
        if olds and (not fits(text, hit.name) or any(fits(text, c.name) for c in olds)):
            return Match(None, None)
    return hit


def fits(text: str, name: str) -> bool:
    """Whether `text` is `name` as written: the same short name with the same marks
    (`marked_short`), under the same administrative prefix or none ("Tân Thạnh", "X. Tân
    Thạnh" fit "Xã Tân Thạnh"; "Tan Thanh", "Thị trấn Tân Thạnh" do not)."""
    prefix = _prefix(text)
    return marked_short(text) == marked_short(name) and (not prefix or prefix == _prefix(name))


def _prefix(text: str) -> str:
    """The administrative prefix of a name, folded ("X. Tân Thạnh" -> "xa"), "" without one;
    "UBND" before it left out."""
    folded = fold(text).removeprefix(_OFFICE)
    return folded[: len(folded) - len(_short(folded))].strip()


LISTED, OLD, EITHER, NONE = "listed", "old", "either", "none"  # what a region's name may be


def region_candidates(form: Form, text: str) -> tuple[str, str | None, tuple[FormerCommune, ...]]:
    """What a region typed as `text` may name, for its error and its "cách sửa": (LISTED,
    the listed name, ()) when it is that name as written, or names no old commune gone
    elsewhere; (OLD, None, the old communes) when its prefix or marks say an old commune's
    ("Xã Tân Thành", "TT Vinh Thuan"); (EITHER, the listed name, the old communes, those of
    the listed name's own spelling too) when it may be either ("Tan Thanh": Xã Tân Thạnh, old
    Xã Tân Thành now in Xã Tân Hội, old Xã Tân Thạnh of Tân Châu now in Xã Tân An; brk44
    F1, F6); (NONE, None, ()) when it names neither.

    Raises FormError when the configuration's crosswalk is not as described."""
    listed = match(form.items("region"), text).name
    communes = tuple(c for c in former_communes(form, text) if c.new != (listed,))
    if not communes:
        return (LISTED, listed, ()) if listed else (NONE, None, ())
    prefix = _prefix(text)
    fits_old = any(fits(text, c.name) for c in communes)
    if listed is None or (prefix and prefix != _prefix(listed)) or (fits_old and not fits(text, listed)):
        return OLD, None, communes
    if fits(text, listed) and not fits_old:
        return LISTED, listed, ()
    spelt_alike = tuple(  # old communes of the listed name's own spelling, gone elsewhere
        c
        for c in _olds_named(form, text)
        if c not in communes and c.new != (listed,) and marked_short(c.name) == marked_short(listed)
    )
    return EITHER, listed, communes + spelt_alike


def _olds_named(form: Form, text: str) -> tuple[FormerCommune, ...]:
    """Every old commune `text` names folded (its full name with a prefix typed, else its
    short name), a listed region's own spelling or not."""
    by_name = form.memo.get("olds_named")
    if by_name is None:
        crosswalk = load_crosswalk(form)
        by_name = {}
        for old in crosswalk.former_communes() if crosswalk is not None else ():
            by_name.setdefault(fold(old.name), []).append(old)
            by_name.setdefault(("short", _short(fold(old.name))), []).append(old)
        form.memo["olds_named"] = by_name
    folded = fold(text)
    return tuple(by_name.get(folded if level(folded) else ("short", folded), ()))


def former_communes(form: Form, text: str) -> tuple[FormerCommune, ...]:
    """The old communes (wards, towns) of the configuration's crosswalk that `text` may name,
    compared folded: by its full name when `text` has an administrative prefix ("TT Vĩnh
    Thuận" is "Thị trấn Vĩnh Thuận"), else by its short name ("Vĩnh Thuận"); never one whose
    name, as written, is a listed region's too (an old Xã Vĩnh Hòa beside today's Xã Vĩnh
    Hòa is today's); () without a crosswalk.

    Raises FormError when the configuration's crosswalk is not as described."""
    by_name = form.memo.get("former_communes")
    if by_name is None:
        crosswalk = load_crosswalk(form)
        listed = {(_prefix(i.name), marked_short(i.name)) for i in form.items("region")}
        by_name: dict[object, list[FormerCommune]] = {}
        for old in crosswalk.former_communes() if crosswalk is not None else ():
            if (_prefix(old.name), marked_short(old.name)) not in listed:
                by_name.setdefault(fold(old.name), []).append(old)
                by_name.setdefault(("short", _short(fold(old.name))), []).append(old)
        form.memo["former_communes"] = by_name
    folded = fold(text)
    return tuple(by_name.get(folded if level(folded) else ("short", folded), ()))


@lru_cache(maxsize=1024)
def name_heads(text: str) -> tuple[str, ...]:
    """The names a typed unit name may begin with, before a note after it, the longest first:
    "UBND xã Hòa Điền, tỉnh An Giang" → ("UBND xã Hòa Điền", "uy ban nhan dan xa hoa
    dien"); "UBND xã Hòa Điền tỉnh An Giang" → ("uy ban nhan dan xa hoa dien",); () for a
    name without a note. Each mark and each note word is a cut (a name may hold a mark:
    "Sở Lao động - Thương binh và Xã hội, tỉnh Kiên Giang"); word cuts come folded
    (`fold`). A head is read only when it is the unit's own name, the nearest of every
    unit's, or an old name of its land (`bind.unit_read_as`, `former_unit_names`), never
    another unit's."""
    marks = [m.start() for m in _NOTE_MARK.finditer(text) if text[: m.start()].strip()]
    heads = list(dict.fromkeys(text[:at].strip() for at in sorted(marks, reverse=True)))
    for head in [text, *heads]:
        words = fold(head).split()
        for i in range(len(words) - 1, 0, -1):
            if any(words[i : i + len(w.split())] == w.split() for w in _NOTE_WORDS):
                heads.append(" ".join(words[:i]))
    heads.sort(key=lambda h: -len(fold(h)))  # stable: a mark's cut before the same words folded
    return tuple(dict.fromkeys(h for h in heads if h != text))


def same_place(name: str, text: str) -> bool:
    """Whether `text` names the place of the unit `name` by its short name ("Bình Đức",
    "P. Bình Đức", "UBND Bình Đức" for "UBND Phường Bình Đức"): folded, "UBND" before either
    or not, its prefix left out or the same; never under another prefix ("Xã Bình Đức",
    "Huyện Bình Đức")."""
    own, typed = fold(name).removeprefix(_OFFICE), fold(text).removeprefix(_OFFICE)
    short = _short(typed)
    return short == _short(own) and (short == typed or typed == own)


def former_unit_names(form: Form, code: object, text: object) -> tuple[FormerCommune, ...]:
    """The old communes (wards, towns) of the configuration's crosswalk whose land went,
    wholly or in part, to unit `code` and that its typed name `text` names: "UBND Phường
    Vĩnh Thanh Vân" (or "Phường Vĩnh Thanh Vân", "P. Vinh Thanh Van") for the unit of
    Phường Rạch Giá, its code the crosswalk's new commune code. Compared folded, "UBND"
    before it or not, the old commune's prefix required when the typed name has one. ()
    without a crosswalk, for a unit the table does not name, for a text that is the unit's
    own name ("Xã Hòa Điền" for UBND Xã Hòa Điền, which an old commune merged into it also
    had: NAME_READ_AS), for a name a unit of today also has, typed with its prefix or as
    its short name alone ("Xã Bình An", "Bình An": an old commune of Kiên Lương and a unit
    of today; UNIT_MISMATCH, never read as the unit that typed it; brk16), and for an old
    commune that went only to other units (UNIT_MISMATCH then). An old name under a prefix
    no unit of today has is the old place's ("Thị trấn Vĩnh Thuận", now in Xã Vĩnh Phong,
    beside today's Xã Vĩnh Thuận). A note after the name is left out (`name_heads`: "UBND
    Phường Vĩnh Lạc (cũ)").

    Raises FormError when the configuration's crosswalk is not as described."""
    unit = form.units_by_code.get(code) if isinstance(code, str) else None
    if unit is None or not isinstance(text, str) or fits(text, unit.name):
        return ()
    memo = form.memo.get("former_unit_names")
    if memo is None:
        crosswalk = load_crosswalk(form)
        by_unit: dict[str, list[FormerCommune]] = {}
        today_as_written = {(_prefix(u.name), marked_short(u.name)) for u in form.units}
        for old in crosswalk.former_communes() if crosswalk is not None else ():
            if (_prefix(old.name), marked_short(old.name)) in today_as_written:
                continue  # a name a unit of today has too, as written: today's (brk16)
            for new_code in old.new_codes:
                by_unit.setdefault(new_code, []).append(old)
        today = {fold(u.name).removeprefix(_OFFICE) for u in form.units}
        form.memo["former_unit_names"] = memo = (by_unit, today, {_short(n) for n in today})
    by_unit, today, short_today = memo
    for name in (text, *name_heads(text)):  # the name typed, else before its note
        typed = fold(name).removeprefix(_OFFICE)
        bare = typed if level(typed) is None else None  # typed without a prefix: the short name
        olds = tuple(
            old
            for old in by_unit.get(unit.code, ())
            if fold(old.name) == typed or (bare is not None and _short(fold(old.name)) == bare)
        )
        # the unit's own old name, unless typed as written a name of today ("Xã Tân Thành" on
        # Tân Hội's file is its own old commune, though Xã Tân Thạnh folds alike: brk40 F2)
        if olds and not any(fits(name, u.name) for u in form.units):
            return olds
        if typed in today or bare in short_today:  # a unit's name of today
            return ()
    return ()


def former_elsewhere(form: Form, code: object, text: object) -> tuple[FormerCommune, ...]:
    """The old communes whose name a unit name typed in unit `code`'s file is, as written,
    and whose land went only to other units, when it is not the unit's own name ("UBND Xã
    Tân Thành" in Xã Tân Thạnh's file: Tân Thành is now in Xã Tân Hội, brk40 F2): never read
    as the unit's by its folded spelling, and named by its UNIT_MISMATCH. () otherwise.

    Raises FormError when the configuration's crosswalk is not as described."""
    unit = form.units_by_code.get(code) if isinstance(code, str) else None
    if unit is None or not isinstance(text, str) or fits(text, unit.name):
        return ()
    crosswalk = load_crosswalk(form)
    for name in (text, *name_heads(text)):
        found = tuple(
            old
            for old in (crosswalk.former_communes() if crosswalk is not None else ())
            if unit.code not in old.new_codes and fits(name, old.name)
        )
        if found:
            return found
    return ()


def elsewhere_text(form: Form, code: object, text: object) -> str:
    """What UNIT_MISMATCH adds for a name that is another unit's today ("; đây là tên của
    UBND Xã Khánh Bình (mã 30341), một đơn vị khác", brk48 F1: it was called an old name),
    else an old commune's gone elsewhere (`former_elsewhere`): "; đây là tên cũ: Xã Tân
    Thành (…), nay thuộc Xã Tân Hội"; "" otherwise."""
    if isinstance(text, str):
        other = next(
            (
                u
                for u in form.units
                if u.code != code and (norm_text(text) == norm_text(u.name) or fits(text, u.name))
            ),
            None,
        )
        if other is not None:
            return f"; đây là tên của {other.name} (mã {other.code}), một đơn vị khác"
    olds = former_elsewhere(form, code, text)
    return f"; đây là tên cũ: {former_places(olds)}" if olds else ""


def former_districts(form: Form, text: str) -> tuple[FormerDistrict, ...]:
    """The old districts (of any old province in the configuration's crosswalk) that `text`
    names with a district-level prefix ("Huyện Châu Thành", "TP Rạch Giá"; the prefix may
    be another district-level one: "Huyện Rạch Giá"); () without a crosswalk or a match.

    Raises FormError when the configuration's crosswalk is not as described."""
    folded = fold(text)
    if level(folded) != DISTRICT:
        return ()
    crosswalk = load_crosswalk(form)
    if crosswalk is None:
        return ()
    bare = _short(folded.removeprefix(_OFFICE))
    return tuple(d for d in crosswalk.former_districts() if _short(fold(d.name)) == bare)


def former_places(communes: tuple[FormerCommune, ...]) -> str:
    """Old communes as messages name them: "Phường Vĩnh Thanh Vân (Thành phố Rạch Giá, tỉnh
    Kiên Giang cũ), nay thuộc Phường Rạch Giá", joined by "; "."""
    return "; ".join(
        FORMER_COMMUNE["place"].format(
            name=c.name, district=c.district, province=_lower(c.province), new=", ".join(c.new)
        )
        for c in communes
    )


def near_text(form: Form, key: str, text: str) -> str:
    """What the error for `text`, not in the list of `key`, adds after "không có trong danh
    sách": for a region named as an old district (`former_districts`), that it was abolished
    and the new units on its land (each old province's, when both had one of that name); for
    an old commune's name (`former_communes`), the new units it went to; else the nearest
    listed names (`choices_text`)."""
    if key != "region":
        return choices_text(_offered(read_as(form, key, text)))
    former = former_districts(form, text)
    if not former:
        kind, listed, communes = region_candidates(form, text)
        if kind == OLD:
            return FORMER_COMMUNE["text"].format(places=former_places(communes), date=REFORM)
        if kind == EITHER:
            return FORMER_COMMUNE["either"].format(name=listed, places=former_places(communes), date=REFORM)
        return choices_text((listed,) if kind == LISTED and listed else _offered(read_as(form, key, text)))
    say = FORMER_DISTRICT
    places = "; ".join(
        say["place"].format(
            name=d.name,
            province=_lower(d.province),
            new=", ".join(d.new),
        )
        for d in former
    )
    return say["both" if len(former) > 1 else "one"].format(places=places, date=REFORM)


def _offered(hit: Match) -> tuple[str, ...]:
    """The names an error offers: the one name `hit` is clearly closest to, else its choices."""
    return (hit.name,) if hit.name else hit.choices


def _lower(name: str) -> str:
    """ "Tỉnh Kiên Giang" → "tỉnh Kiên Giang", inside a sentence."""
    return name[:1].lower() + name[1:]


def choices_text(choices: tuple[str, ...]) -> str:
    """ "; có phải là 'A' hoặc 'B'?" for an error message, or "" when nothing is close."""
    if not choices:
        return ""
    return "; có phải là " + " hoặc ".join(f"'{c}'" for c in choices) + "?"


def read_as_message(label: str, typed: str, hit: Match) -> str:
    """The warning for a name read as the listed one it is close to."""
    return RULES["NAME_READ_AS"].say(label=label.lower(), typed=typed, name=hit.name, **READ_AS_LISTED)
