"""The numbers of the draft's sections as the officer leaves them (issue #23, `carried`).

The draft numbers its sections I, II, III… (`section_number`). The officer may add a section
of their own after one of theirs (a line "X. NHIỆM VỤ NĂM 2026", typed plain, bold or in the
headings' style) and renumber the draft's headings after it ("X. ĐỀ XUẤT" -> "XI. ĐỀ XUẤT").
The new draft keeps their numbering, and never prints two sections with one number
(`number_sections`):

- A line the officer wrote under a section that reads as the next section's heading in
  their copy ("<number>. <text>", `line_number`, its number the one after the section
  before it: "X." after "IX."; never "1.", "a)" or "I. Kết quả" inside "VIII.") is a section
  they added: carried with the section of theirs it follows (`carried`), it keeps its number.
- Each of the draft's headings prints the number the officer typed on it when that is the
  one after the section before it, else that one: a number that would repeat, go back or
  skip one (a section the wording added before it since, a section of theirs added without
  renumbering the heading after it, two sections swapped, a section of theirs not carried)
  is the next one instead, so the document sent to the Ministry never repeats or skips a
  number; so is an added section's, retyped in the carried copy (`retype_number`). The new draft's heading numbered otherwise than the officer's copy
  shows it is named in the summary (`carried.OfficerWork.lost`), as a renamed heading is.
- The bookmark on each heading the draft writes (`carried.mark_name`) is named from the
  heading as the program numbers it by itself (`Numbering.marks`: the officer's numbers
  aside, their added sections counted): a number shown that differs from it is one the
  officer typed, kept by every later run; one equal to it follows the sections before it.

The officer may write the numbers in another common style (`Style`): Roman or Arabic
numerals, followed by ". ", " - ", ") " or "/" ("IX - ĐỀ XUẤT", "9. ĐỀ XUẤT", "IX/ĐỀ XUẤT"), or a
dot before the title's first letter ("IX.ĐỀ XUẤT"), spaced as typed;
a heading so numbered is still that section's heading (`parse_heading`, its title the
section's). When every heading of the draft in their copy is numbered in one style, the new
draft prints its numbers in that style (`consistent_style`; the numbers themselves by the
rules above); else in its own ("IX. "), and a heading numbered otherwise is named.

The summary names every section by the new draft's numbers (the file the officer opens
next): what was carried, and what was not.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from docx.oxml.ns import qn

from .carried_copy import roman

LAST_ROMAN = 15
"""The draft numbers its sections I…XV in Roman numerals, then 16, 17… (`section_number`)."""

NUMBERED = 40
"""The most sections a number is looked for in (a heading's bookmark, a line's number)."""

_NUMBERED = re.compile(
    r"^\s*((?i:phần)\s+)?([IVXLC]+|\d+)(\.\s+|\.(?=[^\W\d_])|\s*[-–]\s+|\)\s+|/\s*|:\s+(?=[^\W\d_]))(\S.*)$"
)
"""A heading numbered in a common style: "Phần " before the number or not (any case), the
number, what follows it (a colon only before a letter: "Phần I: CĂN CỨ", never "10:30"), the
title."""


def section_number(n: int) -> str:
    """The number ("VIII", "16") of the `n`-th section (from 1) as the draft prints it."""
    return roman(n) if n <= LAST_ROMAN else str(n)


@dataclass(frozen=True)
class Style:
    """How a document numbers its sections: in Arabic numerals throughout (`arabic`), else
    as the draft does (Roman numerals up to `LAST_ROMAN`, Arabic past them); `sep` between
    the number and the title (". ", " - ", ") ", "/"); `prefix` before the number ("Phần ",
    "PHẦN ": "Phần I. CĂN CỨ", as some offices number the parts of a report)."""

    arabic: bool = False
    sep: str = ". "
    prefix: str = ""

    def token(self, n: int) -> str:
        """The number of the `n`-th section in this style ("IX", "9")."""
        return str(n) if self.arabic else section_number(n)

    def heading(self, n: int, title: str) -> str:
        """The heading of the `n`-th section titled `title` in this style ("IX - ĐỀ XUẤT",
        "Phần IX. ĐỀ XUẤT")."""
        return f"{self.prefix}{self.token(n)}{self.sep}{title}"


DRAFT = Style()
"""The draft's own style: "IX. ĐỀ XUẤT"."""


@dataclass(frozen=True)
class Parsed:
    """A line numbered as a heading (`parse_heading`): its number's `value`, `arabic` (True:
    Arabic numerals where the draft prints Roman ones; None: a number both styles write
    alike, "16"), the separator `sep` and the `prefix` as `Style` keeps them, and the `title`."""

    value: int
    arabic: bool | None
    sep: str
    title: str
    prefix: str = ""

    def fits(self, style: Style) -> bool:
        """Whether the line is numbered in `style`."""
        same = self.sep == style.sep and self.prefix.casefold() == style.prefix.casefold()
        return same and self.arabic in (None, style.arabic)

    def alike(self, other: Parsed) -> bool:
        """Whether the line is numbered in the style of the line `other`."""
        if self.sep != other.sep or self.prefix.casefold() != other.prefix.casefold():
            return False
        return None in (self.arabic, other.arabic) or self.arabic == other.arabic


def parse_heading(text: str) -> Parsed | None:
    """`text` read as a numbered heading in a common style ("IX. ĐỀ XUẤT", "IX - ĐỀ XUẤT",
    "9) ĐỀ XUẤT", "IX/ĐỀ XUẤT", "Phần IX. ĐỀ XUẤT"), its number up to `NUMBERED`; None for
    any other line ("a) …", "IIII. …", "1.5 triệu")."""
    m = _NUMBERED.match(text)
    if not m:
        return None
    prefix, token, sep, title = m.groups()
    if token.isdigit():
        value = int(token)
        if not 0 < value <= NUMBERED or token != str(value):
            return None
        arabic = True if value <= LAST_ROMAN else None
    else:
        value = number_of(token)
        if value is None:
            return None
        arabic = False
    sep = re.sub(r"\s+", " ", sep)  # as typed ("I - ", "I- ", "I.CĂN", "IX/ĐỀ"), spaces folded
    word = prefix.split()[0] + " " if prefix else ""  # "Phần ", "PHẦN ", as typed
    return Parsed(value, arabic, sep, " ".join(title.split()), word)


def consistent_style(found: list[Parsed]) -> Style:
    """The style the new draft numbers its sections in, from its headings as the officer's
    copy numbers them (`found`): theirs when all are numbered in one style, else the draft's
    own (`DRAFT`)."""
    seps = {p.sep for p in found}
    prefixes = {p.prefix.casefold() for p in found}  # "PHẦN I." and "Phần V." are one style
    kinds = {p.arabic for p in found} - {None}
    if len(seps) != 1 or len(prefixes) != 1 or len(kinds) > 1:
        return DRAFT
    return Style(arabic=kinds == {True}, sep=seps.pop(), prefix=found[0].prefix)


def number_of(token: str) -> int | None:
    """The value of a section number `token` ("VIII" -> 8) written as the draft writes it
    (`section_number`), up to `NUMBERED`; None for anything else ("8" below 16, "IIII")."""
    for n in range(1, NUMBERED + 1):
        if section_number(n) == token:
            return n
    return None


def line_number(text: str) -> int | None:
    """The number of a line that reads like a section heading (`parse_heading`); None for
    any other line ("a) …")."""
    parsed = parse_heading(text)
    return parsed.value if parsed else None


@dataclass
class Numbering:
    """The numbers of a new draft's sections (`number_sections`), as values (1 = "I")."""

    numbers: dict[str, int] = field(default_factory=dict)
    """Heading (as the new draft's `headings` key it, numbered in order) -> its number printed."""
    marks: dict[str, int] = field(default_factory=dict)
    """Heading -> the number its bookmark is named from (the program's own numbering)."""
    added: dict[str, list[int]] = field(default_factory=dict)
    """Heading -> the numbers printed of the sections the officer added after it, in order."""
    retyped: list[tuple[object, int, int]] = field(default_factory=list)
    """(paragraph of an added section carried, its number, the number it prints instead)."""
    style: Style = DRAFT
    """The style the new draft prints its headings' numbers in (`consistent_style`)."""

    def label(self, heading: str) -> str:
        """The number the new draft prints on `heading` ("XI"); the one in `heading` itself
        for a heading not numbered here."""
        n = self.numbers.get(heading)
        return self.style.token(n) if n is not None else heading.split(".", 1)[0]

    def labels(self, heading: str) -> list[str]:
        """The numbers of `heading` and of the sections added after it, as printed."""
        return [self.label(heading), *(self.style.token(n) for n in self.added.get(heading, ()))]

    def added_label(self, heading: str, k: int) -> str:
        """The number printed on the `k`-th section (from 1) added after `heading`; the
        heading's own when there are not that many."""
        added = self.added.get(heading, [])
        return self.style.token(added[k - 1]) if 0 < k <= len(added) else self.label(heading)

    def heading(self, heading: str, title: str) -> str:
        """The text the new draft prints on the heading `heading` titled `title` (as the
        wording gives it): its number in `style`; `heading` itself when not numbered here."""
        n = self.numbers.get(heading)
        return self.style.heading(n, title) if n is not None else heading


def number_sections(
    headings: list[str],
    added: Mapping[str, list[tuple[object, int]]],
    wants: Mapping[str, int],
    style: Style = DRAFT,
) -> Numbering:
    """Number the new draft's sections: `headings` (its headings in order), `added` (heading
    -> the paragraphs of the sections the officer added after it that the new draft carries,
    each with the number their copy gives it), `wants` (heading -> the number the officer
    typed on it). Each number is the officer's when it is the one after the number before it,
    else that one (never a repeat, a step back or a gap), printed in `style`;
    `Numbering.marks` numbers the headings as if `wants` were empty."""
    out = Numbering(style=style)
    out.numbers, out.added, out.retyped = _numbered(headings, added, wants)
    out.marks = _numbered(headings, added, {})[0]
    return out


def _numbered(
    headings: list[str], added: Mapping[str, list[tuple[object, int]]], wants: Mapping[str, int]
) -> tuple[dict[str, int], dict[str, list[int]], list[tuple[object, int, int]]]:
    """`Numbering.numbers`, `added` and `retyped` of `number_sections`."""
    numbers: dict[str, int] = {}
    after: dict[str, list[int]] = {}
    retyped: list[tuple[object, int, int]] = []
    prev = 0
    for h in headings:
        want = wants.get(h)
        prev = numbers[h] = want if want is not None and want == prev + 1 else prev + 1
        after[h] = []
        for paragraph, value in added.get(h, ()):
            n = value if value == prev + 1 else prev + 1
            if n != value:
                retyped.append((paragraph, value, n))
            after[h].append(n)
            prev = n
    return numbers, after, retyped


def retype_number(paragraph, old: int, new: int, style: Style = DRAFT) -> None:
    """Replace the number `old` that the w:p element `paragraph` begins with ("X" in
    "X. NHIỆM VỤ", "10" in "10. NHIỆM VỤ") by `new`, written as `old` is (Arabic numerals
    where the draft prints Roman ones, else in `style`), in the run holding its first
    character, the rest of its text and formatting as they were."""
    texts = list(paragraph.iter(qn("w:t")))
    full = "".join(t.text or "" for t in texts)
    parsed = parse_heading(full)
    if parsed is None or parsed.value != old:
        return
    found = _NUMBERED.match(full)
    if found is None:  # parse_heading read it: never
        return
    number = str(new) if parsed.arabic or (parsed.arabic is None and style.arabic) else section_number(new)
    start = found.start(2)  # the number, after "Phần " when it has one
    todo, pos, first = len(found.group(2)), 0, True
    for t in texts:
        text = t.text or ""
        lo, hi = max(start - pos, 0), min(start + todo - pos, len(text))
        pos += len(text)
        if hi <= lo:
            continue
        t.text = text[:lo] + (number if first else "") + text[hi:]
        first, start, todo = False, pos, todo - (hi - lo)
        if not todo:
            return
