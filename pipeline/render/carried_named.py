"""How the summary names what a walk of the officer's copy of the draft found that the new
draft prints otherwise or not at all (issue #23, `carried_walk.Walk.lost`), once the new
draft's numbers are known (`carried_numbers.Numbering`): each "mục N" the section the new
draft prints with number N, in the style it prints numbers in.

- a text not carried, by the section it sits in (`Place`);
- a heading printed otherwise than the officer's copy shows it (`Heading`): renamed, its
  number moved on (never a repeat, a step back or a gap), or numbered in another style than
  the one the new draft prints;
- a section of the draft the officer deleted, printed again (`Deleted`, found by
  `Deletions`): named once with why; the headings they numbered down after it are not.
"""

from __future__ import annotations

from dataclasses import dataclass

from .carried_numbers import Numbering, Parsed, parse_heading
from .summary import HeadingNote

FIRST_WORDS = 8  # words of a lost paragraph the summary quotes


def title_of(heading: str) -> str:
    """The title of a section heading as the draft prints it ("VIII. ĐỀ XUẤT" -> "ĐỀ XUẤT"),
    or as the officer may number it (`carried_numbers.parse_heading`: "VIII - ĐỀ XUẤT",
    "8. ĐỀ XUẤT"); the text itself when it has no number."""
    parsed = parse_heading(heading.strip())
    return parsed.title if parsed else plain(heading)


def plain(text: str) -> str:
    return " ".join(text.split())


def first_words(text: str) -> str:
    words = text.split()
    return " ".join(words[:FIRST_WORDS]) + ("…" if len(words) > FIRST_WORDS else "")


@dataclass(frozen=True)
class Place:
    """The section of the new draft a text not carried sits in: that of `heading` (None: a
    heading the new draft no longer prints, `text` as the officer's copy shows it), or the
    `added`-th section the officer added after it."""

    heading: str | None
    text: str = ""
    added: int = 0

    def named(self, numbering: Numbering) -> str:
        """ "mục XI", in the new draft's numbers; "mục «TITLE»" for a heading it no longer prints."""
        if self.heading is None:
            return f"mục «{first_words(title_of(self.text))}»"
        if self.added:
            return f"mục {numbering.added_label(self.heading, self.added)}"
        return f"mục {numbering.label(self.heading)}"


@dataclass(frozen=True)
class Heading:
    """A heading of the officer's copy: the draft's `heading` (`added` 0), or the `added`-th
    section they added after it; its `text` and `number` there (`parsed`: as numbered),
    whether the number is `typed` by them and the title `renamed`; `shift`: how many of the
    draft's sections they deleted before it. Named when the new draft prints it otherwise
    than the copy shows it (a number moved on by the sections deleted before it aside: the
    deleted sections are named, `Deleted`)."""

    heading: str
    added: int
    text: str
    number: int | None
    typed: bool
    renamed: bool
    parsed: Parsed | None = None
    shift: int = 0

    def named(self, numbering: Numbering, own: int) -> str | None:
        """What the summary says of it, in the new draft's `numbering` (`own`: the number the
        draft gives the heading by itself); None when printed as the officer left it."""
        if self.added:
            numbers = numbering.added.get(self.heading, [])
            now = numbers[self.added - 1] if self.added <= len(numbers) else None
        else:
            now = numbering.numbers.get(self.heading)
        if now is None:  # not in the new draft (another version's section is carried)
            return None
        token = numbering.style.token(now)
        said = f"mục {token}: đề mục «{first_words(self.text)}»"
        if self.renamed:  # the new draft prints its own title
            return said
        moved = now not in (self.number, (self.number or 0) + self.shift)
        if moved and (self.typed or self.added or now != own):
            return f"{said} (bản dự thảo mới đánh số {token}: số các mục liên tiếp, không trùng, không bỏ số)"
        if not self.added and self.parsed is not None and not self.parsed.fits(numbering.style):
            shown = numbering.style.heading(now, "…")
            return f"{said} (bản dự thảo mới ghi «{shown}»: các đề mục đánh số theo một kiểu)"
        return None


@dataclass(frozen=True)
class Deleted:
    """A section of the draft the officer deleted from their copy (its heading gone), which
    the new draft prints again: the wording gives it; `theirs`: one the officer writes."""

    heading: str
    theirs: bool

    def named(self, numbering: Numbering) -> str:
        """What the summary says of it, in the new draft's `numbering`."""
        why = "để trống cho anh/chị viết" if self.theirs else "số liệu được lập lại theo số liệu mới"
        return (
            f"mục {numbering.label(self.heading)}: anh/chị đã xoá đề mục «{first_words(title_of(self.heading))}»; "
            f"bản dự thảo mới vẫn in mục này vì mẫu báo cáo có mục này ({why}), các mục sau đánh số "
            "tiếp theo; nếu không cần mục này, anh/chị xoá trong bản dự thảo mới trước khi gửi"
        )


class Deletions:
    """Tells, heading by heading of the officer's copy in order, the draft's sections they
    deleted before it: the draft's bookmarks on its headings number them as the draft that
    the copy is of did (`_mark_number`), so a gap between two headings' numbers, not filled
    by a heading whose bookmark is gone, is as many sections deleted there: the new draft's
    headings missing from the copy between the two. `count`: how many so far."""

    def __init__(self, headings: list[str], theirs: set[str], present: set) -> None:
        self.headings, self.theirs, self.present = headings, theirs, present
        self.count = 0
        self.mark = 0  # the number of the last heading with its bookmark
        self.index = -1  # the last heading of `headings` found
        self.unknown = 0  # headings found since, without their bookmark

    def __call__(self, mapped: str | None, mark: int | None) -> list[Deleted]:
        """The sections deleted before the heading found for `mapped` (None: one the new
        draft no longer prints) whose bookmark gives it the number `mark` (None: no bookmark)."""
        if mark is None:
            self.unknown += 1
            return []
        out = []
        if mapped is not None:
            index = self.headings.index(mapped)
            gap = mark - self.mark - 1 - self.unknown
            missing = [h for h in self.headings[self.index + 1 : index] if h not in self.present]
            out = [Deleted(h, h in self.theirs) for h in missing[: max(gap, 0)]]
            self.index = max(self.index, index)
        self.count += len(out)
        self.mark, self.unknown = mark, 0
        return out


def named(entries: list, numbering: Numbering, headings: list[str]) -> list[str]:
    """`OfficerWork.lost` from what a walk of the officer's copy found (`Walk.lost`: a text,
    a place and what follows it, or a `Heading`), in the new draft's `numbering`; what is
    said of a heading is a `HeadingNote`."""
    own = {h: n for n, h in enumerate(headings, 1)}
    out: list[str] = []
    for entry in entries:
        if isinstance(entry, str):
            out.append(entry)
        elif isinstance(entry, Heading):
            if said := entry.named(numbering, own.get(entry.heading, 0)):
                out.append(HeadingNote(said))
        elif isinstance(entry, Deleted):
            out.append(HeadingNote(entry.named(numbering)))
        else:
            where, rest = entry
            out.append((where.named(numbering) if isinstance(where, Place) else where) + rest)
    return out
