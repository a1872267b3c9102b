"""What the officer wrote in the draft report, carried into the next draft (issue #23).

Two kinds of things are carried: the sections the officer writes, and the fields an office
fills on the page (`FIELDS`: the agencies, the document's number, the place and date of the
header table, the signer's title and name). What the
officer typed anywhere else, which the next draft rebuilds from the data, is named
(`OfficerWork.lost`: which section, its first words) so the officer knows to copy it.

The draft prints each section the officer writes (its paragraphs all `narrative.TO_COMPLETE`:
the assessment, the difficulties, the proposals of the wording configuration) as dotted
lines. Once the officer has written there, in the draft itself or in a copy a run kept
aside (`outbox.kept`: `…-ban-da-sua.docx`), the next draft carries what they wrote under
that heading in place of the dots; every other section is rebuilt from the data. Which of
their versions each section and field comes from, and what another version holds that is
not carried, is `OfficerVersions`'s.

What one version holds is read by `carried_walk` (the sections, the fields, what is lost), its
sections numbered by `carried_numbers`, what is lost named by `carried_named`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document

from ..intake.kinds.catalogue import DOCUMENT_SUFFIXES
from ..outbox.kept import (
    changed_since_recorded,
    changed_since_written,
    edited_copies,
    last_read,
    later_versions,
    saved_as_copies,
)
from .carried_header import HEADER_FIELDS, program_date, shown_key, writer_date
from .carried_named import FIRST_WORDS as FIRST_WORDS
from .carried_named import named, title_of
from .carried_named import plain as _plain
from .carried_numbers import DRAFT, Numbering, Style, number_sections, retype_number
from .carried_walk import CLOSING as CLOSING
from .carried_walk import HEADING_STYLE as HEADING_STYLE
from .carried_walk import HINT_AUTHOR as HINT_AUTHOR
from .carried_walk import MARK as MARK
from .carried_walk import Walk, is_dotted, officer_fields
from .carried_walk import mark_name as mark_name
from .carried_walk import text_of as _text
from .office import ConvertError, as_docx, document_title

FIELDS = {
    "province": HEADER_FIELDS["province"],
    "department": HEADER_FIELDS["department"],
    "number": "số văn bản",
    "place_date": HEADER_FIELDS["place_date"],
    "signer_title": "chức danh người ký",
    "signer_name": "họ tên người ký",
}
"""The fields an office fills on the draft, by key, with their Vietnamese names, in the
order the draft prints them: those of the header table (`carried_header`), the signer's."""


def officer_document(
    current: Path, name: str, seen: dict[str, dict[str, str]] | None = None
) -> OfficerVersions | None:
    """The officer's versions of the draft `name` in the current set `current`, which the
    next draft carries from (`OfficerVersions`, read by `officer_work`): the draft itself,
    and the `…-ban-da-sua` copies and "Save As" copies kept beside it (`outbox.kept`); None
    when there is no draft and no copy (then nothing is read). `seen`: what the last run
    recorded of each version (`OfficerVersions.seen`); for a copy saved while the set waited
    for its swap (`outbox.kept.carry_into_waiting_set`), what that run read of the file it is
    a later version of (`outbox.kept.last_read`)."""
    draft = current / name
    copies = edited_copies_all(draft)
    if not draft.is_file() and not copies:
        return None
    waited = set(later_versions(current, name))
    return OfficerVersions(
        draft,
        changed_since_written(current, name),
        [p for p in copies if changed_since_recorded(current, p.name)],
        copies,
        {**(seen or {}), **last_read(current)},
        [p for p in copies if p.name in waited],
    )


def edited_copies_all(draft: Path) -> list[Path]:
    """Every copy of the draft `draft` the officer has beside it: the `-ban-da-sua` copies
    runs kept and those they saved under another name or in another document format
    (`outbox.kept.saved_as_copies`: an .odt, .doc or .rtf is read through LibreOffice,
    `office.as_docx`), oldest first (by modification time)."""
    found = [*edited_copies(draft), *saved_as_copies(draft, DOCUMENT_SUFFIXES, document_title)]
    return sorted(found, key=lambda p: p.stat().st_mtime_ns)


@dataclass
class FromFile:
    """What a new draft carries from one of the officer's versions of the previous draft,
    and what of it, differing, it does not carry."""

    path: Path
    sections: list[str] = field(default_factory=list)
    """Headings (as the new draft prints them) whose text the new draft carries from this file."""
    fields: list[str] = field(default_factory=list)
    """Keys of `FIELDS` whose text the new draft carries from this file."""
    differs: list[str] = field(default_factory=list)
    """What the officer wrote in this file, changed since the last run, that differs from
    what the new draft carries and is not carried: "mục VII", a field's Vietnamese name."""
    lost: list[str] = field(default_factory=list)
    """What the officer typed here that no draft carries (`OfficerWork.lost`); named for
    a file changed since the last run (or the draft the officer changed)."""
    checked: bool = False
    """Whether `lost` could be told (the file has the draft's bookmarks)."""
    read: bool = False
    """Whether the file was read as changed since the last run (its `lost` is news)."""
    unreadable: bool = False
    """Whether the file, changed since the last run, could not be read (nothing carried)."""
    no_office: bool = False
    """Whether that is because it is not a .docx and LibreOffice, which reads it, is not
    installed (`office.as_docx`)."""

    labels: dict[str, list[str]] = field(default_factory=dict)
    """Heading -> the numbers the new draft prints on it and on the sections the officer
    added after it (`carried_numbers.Numbering.labels`)."""

    def section_numbers(self) -> list[str]:
        """The numbers ("VII"), as the new draft prints them, of the sections carried from
        this file, the sections the officer added after one of them included."""
        return [n for h in self.sections for n in self.labels.get(h, [h.split(".", 1)[0]])]

    def field_names(self) -> list[str]:
        """The Vietnamese names of the fields carried from this file, in `FIELDS` order."""
        return [name for key, name in FIELDS.items() if key in self.fields]


@dataclass
class OfficerVersions:
    """The officer's versions of the previous draft (`officer_document`), and, once
    `officer_work` has read them, what the new draft carries from each.

    Which version's text a section or field carries, one section or field at a time. A
    version is changed in it when its text there is not the one the last run recorded for
    that file (`seen`: the draft as written, each copy as read); the draft counts only when
    the officer changed the file since the run wrote it, a copy only when changed since the
    run recorded it (`edited`):

    - changed in no version: the draft's text, what the last run carried, is carried again;
    - changed in one: that version's text;
    - changed in several: the draft's when it is one of them (it is the file the README
      tells the officer to complete, holding what the last run carried: what they changed
      there is their newest work on top of it), else the newest of the copies of the draft
      they completed while the set waited for its swap (`waited`) among them, else the
      newest version's by modification time; each other version whose text there differs
      names it in its `FromFile.differs`: which edit is meant cannot be told from the files,
      so the one not carried is said, never lost silently. So does a version unchanged since
      holding what the last run carried, when a copy of `waited` is carried over it from an
      edit of another text (the officer did not have the carried text in view).

    A copy whose section or field is empty (dots, a heading renamed) or that cannot be read
    changes nothing: only the draft's emptying is carried.

    Without a record for a version (written before these were recorded, a copy saved since):
    the draft counts as changed wherever the file changed (carried whole, as before), a copy
    wherever its text is not empty and differs from the draft's.

    Only a file whose text the new draft carries is said to be copied from (`files`,
    `FromFile.sections`, `FromFile.fields`): the version a changed text came from; a text
    carried again, the kept copies holding that same text (where an earlier run took it)."""

    draft: Path
    draft_changed: bool
    edited: list[Path]
    """The kept copies changed since the last run (or saved since), oldest first."""
    copies: list[Path]
    """Every kept copy of the draft, oldest first."""
    seen: dict[str, dict[str, str]] = field(default_factory=dict)
    """File name -> key (a section's title, a key of `FIELDS`) -> `_digest_text` of its text as the
    last run wrote or read it (`values`, `written` of that run): what the officer changed
    since, one section or field at a time; a file or key not there is told by comparing."""
    waited: list[Path] = field(default_factory=list)
    """The kept copies that are the draft the officer completed while the set waited for its
    swap (saved after the set's run read it, `outbox.kept.later_versions`): ranked as the draft."""
    files: list[FromFile] = field(default_factory=list)
    """Filled by `officer_work`: per version read or said to be copied from."""
    values: dict[Path, dict[str, str]] = field(default_factory=dict)
    """Filled by `officer_work`: version -> key (as in `seen`) -> `_digest_text` of its text now."""
    written: dict[str, str] = field(default_factory=dict)
    """Filled by `officer_work`: key (as in `seen`) -> `_digest_text` of what the new draft carries."""

    def of(self, path: Path) -> FromFile:
        """The `FromFile` of `path`, added when new."""
        for f in self.files:
            if f.path == path:
                return f
        self.files.append(FromFile(path))
        return self.files[-1]

    @property
    def primary(self) -> Path | None:
        """The version whose text outside sections and fields is read for `OfficerWork.lost`:
        the changed draft, else the newest copy changed since the last run; None when the
        officer changed nothing since the last run."""
        if self.draft_changed:
            return self.draft
        return self.edited[-1] if self.edited else None


@dataclass
class OfficerWork:
    """What a new draft carries from the officer's version of the previous one."""

    sections: dict[str, list] = field(default_factory=dict)
    """Heading (as the new draft prints it) -> cleaned copies of the `w:p` and `w:tbl`
    elements written under it."""
    fields: dict[str, str] = field(default_factory=dict)
    """Key of `FIELDS` -> the officer's text ("\n" between lines)."""
    styles: dict[str, list] = field(default_factory=dict)
    """Heading -> copies of the officer's style definitions its `sections` blocks use (their
    sub-headings' "Heading 3", a style of their own: `carried_copy.used_styles`), which the
    new draft defines (`carried_copy.carry_styles`)."""
    lost: list[str] = field(default_factory=list)
    """What the officer typed that the new draft does not carry, each "mục VII: «first
    words…»" (the section as the new draft numbers it, `numbers`), in document order."""
    checked: bool = False
    """Whether the officer's draft could be checked for text the new draft loses (it has the
    draft's bookmarks); False also when nothing was read."""
    unreadable: bool = False
    """Whether the file could not be read (nothing carried from it)."""
    no_office: bool = False
    """Whether that is because it is not a .docx and LibreOffice is not installed."""
    shown: dict[str, str] = field(default_factory=dict)
    """Key of `FIELDS` -> the text the file shows there, typed or not (`officer_fields`)."""
    numbers: Numbering = field(default_factory=Numbering)
    """The numbers the new draft prints on its sections, with what is carried
    (`carried_numbers.number_sections`); empty when nothing was read."""
    wants: dict[str, int] = field(default_factory=dict)
    """Heading -> the number the officer typed on it (not the one the draft wrote there)."""
    style: Style = DRAFT
    """The style the officer numbers the draft's headings in (`carried_numbers.Style`)."""
    added: dict[str, list[tuple[object, int]]] = field(default_factory=dict)
    """Heading -> the headings of the sections the officer added after it, among the
    elements of `sections[heading]`, each with the number their copy gives it."""
    entries: list = field(default_factory=list)
    """`lost` as read, before the new draft's numbers are known (`named`)."""
    writer_dated: bool = False
    """Whether the place and date it shows is what the run that wrote the file printed
    (`carried_header.writer_date`)."""

    def field_names(self) -> list[str]:
        """The Vietnamese names of the fields carried, in `FIELDS` order."""
        return [name for key, name in FIELDS.items() if key in self.fields]

    def section_labels(self, headings: list[str]) -> list[str]:
        """The numbers ("IX", "X") the new draft prints on the sections it carries (of
        `headings`, in order), the sections the officer added after one of them included."""
        return [n for h in headings if h in self.sections for n in self.numbers.labels(h)]


def officer_work(
    path: Path | OfficerVersions,
    headings: list[str],
    theirs: set[str],
    printed: dict[str, str],
    new_texts: Iterable[str] = (),
) -> OfficerWork:
    """What the officer wrote in the .docx `path`: what they wrote under each heading of
    `theirs` (headings as the new draft prints them, `headings` all of them in order), each
    field of `FIELDS` whose text differs from what the new draft prints there (`printed`, by
    key), and what they typed elsewhere that the new draft, printing the paragraphs
    `new_texts`, would lose. A file python-docx cannot read carries nothing (the officer's
    copy is kept as it is in any case).

    With the officer's versions (`OfficerVersions`) instead of one file: each section and
    field from the version the rules of `OfficerVersions` choose, what each version gives
    and what differs in it recorded in `OfficerVersions.files`; `lost` and `checked` are
    those of `OfficerVersions.primary` (none when the officer changed nothing since)."""
    if isinstance(path, OfficerVersions):
        return _merged(path, headings, theirs, printed, list(new_texts))
    work = _read(path, headings, theirs, printed, new_texts)
    _number(work, headings)
    return work


def _read(
    path: Path, headings: list[str], theirs: set[str], printed: dict[str, str], new_texts: Iterable[str]
) -> OfficerWork:
    """`officer_work` of one file, its sections not numbered yet (`OfficerWork.entries`,
    `_number`)."""
    try:
        doc = Document(str(as_docx(path)))  # a copy saved as .odt, .doc, .rtf: through LibreOffice
        found = officer_fields(doc)
        walk = Walk(doc, headings, theirs, {_plain(t) for t in new_texts})
    except ConvertError as exc:  # kept as it is; said with what to do
        return OfficerWork(unreadable=True, no_office=exc.missing)
    except Exception:  # noqa: BLE001 - any unreadable or odd file: carry nothing, never fail the run
        return OfficerWork(unreadable=True)
    created = doc.core_properties.created  # the run that wrote the file dated it so
    issued = created.date() if created is not None else None
    typed = {}
    for key, text in found.items():
        if _plain(text) == _plain(printed.get(key, "")) or is_dotted(text):
            continue
        if key == "place_date" and program_date(text, printed.get(key, ""), issued):
            continue  # the date a run printed, not one the officer typed
        typed[key] = text.strip()
    sections = walk.carried()
    return OfficerWork(
        sections,
        typed,
        styles=walk.styles,
        checked=walk.marked,
        shown=found,
        wants=walk.wants,
        style=walk.style,
        added=walk.added,
        entries=walk.lost if walk.marked else [],
        writer_dated=writer_date(found.get("place_date", ""), printed.get("place_date", ""), issued),
    )


def _number(work: OfficerWork, headings: list[str], entries: list | None = None) -> None:
    """Number the new draft's sections carrying `work` (`carried_numbers.number_sections`:
    `work.numbers`, an added section's number retyped in its copy where it must change) and
    name what is not carried (`work.lost`), from `entries` (default `work.entries`), in
    those numbers."""
    added = {h: work.added.get(h, []) for h in work.sections}
    work.numbers = number_sections(headings, added, work.wants, work.style)
    for paragraph, old, new in work.numbers.retyped:
        retype_number(paragraph, old, new, work.style)
    work.lost = named(work.entries if entries is None else entries, work.numbers, headings)


def _merged(
    versions: OfficerVersions,
    headings: list[str],
    theirs: set[str],
    printed: dict[str, str],
    new_texts: list[str],
) -> OfficerWork:
    """What the new draft carries from the officer's `versions` (see `OfficerVersions`)."""
    items = [(h, "") for h in headings if h in theirs]  # a section named once numbered
    items += list(FIELDS.items())
    draft = versions.draft if versions.draft.is_file() else None
    copies = [p for p in versions.copies if p.is_file()]
    works = {
        p: _read(p, headings, theirs, printed, new_texts) for p in [*([draft] if draft else []), *copies]
    }
    for p, w in works.items():
        versions.values[p] = {_stored(key): _digest_text(_value(w, key)) for key, _ in items}
        versions.values[p] |= {shown_key(k): _digest_text(_plain(w.shown.get(k, ""))) for k in HEADER_FIELDS}
    changed_files = [  # a file that cannot be read changes nothing (it is kept as it is)
        p
        for p in [*([draft] if draft and versions.draft_changed else []), *versions.edited]
        if p in works and not works[p].unreadable
    ]
    for p in [*([draft] if draft and versions.draft_changed else []), *versions.edited]:
        if p in works and works[p].unreadable:
            versions.of(p).unreadable = True
            versions.of(p).no_office = works[p].no_office
    for p in changed_files:
        f = versions.of(p)
        f.read, f.checked = True, works[p].checked
    base = works[draft] if draft else (works[copies[-1]] if copies else OfficerWork())
    # a field the draft prints is the officer's only when a copy of theirs holds it so (else
    # it is what an earlier run printed from the configuration, such as a number since changed)
    base_fields = {
        k: t
        for k, t in base.fields.items()
        if draft is None or any(_value(works[p], k) == _plain(t) for p in copies)
    }

    def recorded(p: Path, key: str) -> bool:
        seen = versions.seen.get(p.name)
        return isinstance(seen, dict) and shown_key(key) in seen

    def header_now(p: Path, key: str) -> str:
        """A header field of `p` as the officer may have left it: recorded, its text as
        shown (even equal to what the new draft prints: they typed the date of this run);
        not recorded, the text no run printed (`officer_work`); "" emptied or dotted."""
        if recorded(p, key):
            return _shown(works[p], key)
        return _value(works[p], key)

    def now_in(p: Path, key: str) -> str:
        return header_now(p, key) if key in HEADER_FIELDS else _value(works[p], key)

    def changed_in(p: Path, key: str) -> bool:
        now = now_in(p, key)
        if p != draft and not now:  # a copy's section or field emptied never wipes the draft's text
            return False
        seen = versions.seen.get(p.name)
        if key in HEADER_FIELDS:  # changed since as shown (the date a run prints changes daily)
            if not now:  # emptied, dotted or as a run prints it: the new draft prints its own
                return False
            if recorded(p, key):
                if key == "place_date" and works[p].writer_dated and not seen.get(_stored(key)):
                    return False  # the date its own run printed, where that run carried none
                return versions.values[p][shown_key(key)] != seen[shown_key(key)]
            return True  # not recorded: a text no run printed is the officer's (`officer_work`)
        if isinstance(seen, dict) and _stored(key) in seen:  # as the last run read or wrote it
            return versions.values[p][_stored(key)] != seen[_stored(key)]
        if p == draft:  # written before this was recorded: the draft carried whole, as then
            return True
        return now != _value(base, key)

    def unseen(winner: Path | None, key: str, changed: list[Path]) -> list[Path]:
        """The versions unchanged since the last run holding what it carried under `key`, when
        `winner` is the draft the officer completed while the set waited (`waited`) from
        another text than that one: their edit was made without it in view, so it is named."""
        if winner not in versions.waited or key in HEADER_FIELDS:
            return []
        then = (versions.seen.get(versions.draft.name) or {}).get(_stored(key))
        start = (versions.seen.get(winner.name) or {}).get(_stored(key))
        if not then or start is None or start == then:
            return []
        return [p for p in copies if p not in changed and versions.values[p][_stored(key)] == then]

    out = OfficerWork(checked=False)
    differs: list[tuple[FromFile, str, str]] = []  # named once the sections are numbered
    for key, name in items:
        changed = [p for p in changed_files if changed_in(p, key)]
        winner = None
        if changed:  # the draft the officer completes (or completed while the set waited), else the newest
            drafts = [p for p in changed if p in versions.waited] or changed
            winner = draft if draft in changed else max(drafts, key=lambda p: p.stat().st_mtime_ns)
        source = works[winner] if winner else base
        fields = source.fields if winner else base_fields
        if key in HEADER_FIELDS and winner and recorded(winner, key):  # changed since written: theirs
            fields = {key: _shown(source, key, stripped=True)}
        if (
            key in HEADER_FIELDS
            and not winner
            and (before := _carried_before(versions, draft, key)) is not None
        ):  # what the last run carried there, shown still (even what this run prints)
            fields = {key: _shown(base, key, stripped=True)} if before and _shown(base, key) else {}
        if key in FIELDS:
            if key in fields:
                out.fields[key] = fields[key]
        elif key in source.sections:
            out.sections[key] = source.sections[key]
            out.styles[key] = source.styles.get(key, [])
            if key in source.added:
                out.added[key] = source.added[key]
        text = _value(out, key)
        for p in [*changed, *unseen(winner, key, changed)]:
            if p != winner and now_in(p, key) and now_in(p, key) != text:
                differs.append((versions.of(p), key, name))
        if not text:
            continue
        # said to be copied from: the version it was, else the copies holding the same text
        for p in [winner] if winner else [p for p in copies if now_in(p, key) == text]:
            f = versions.of(p)
            (f.fields if key in FIELDS else f.sections).append(key)
    versions.written.update(written_record(out, headings, theirs, printed))
    primary = versions.primary
    # the numbers the officer typed: those of the version they changed last over the draft's
    out.wants = {**base.wants, **(works[primary].wants if primary in works else {})}
    out.style = works[primary].style if primary in works else base.style
    _number(out, headings, works[primary].entries if primary in works else [])
    out.checked = works[primary].checked if primary in works else False
    for f, key, name in differs:
        f.differs.append(name or f"mục {out.numbers.label(key)}")
    labels = {h: out.numbers.labels(h) for h in headings}
    for f in versions.files:
        f.labels = labels
        if f.read and f.path in works:
            f.lost = named(works[f.path].entries, out.numbers, headings)
    return out


def written_record(
    work: OfficerWork, headings: list[str], theirs: set[str], printed: dict[str, str]
) -> dict[str, str]:
    """What a run records of the draft it writes carrying `work` (`OfficerVersions.written`,
    the next run's `seen` of it): each of the officer's sections (of `theirs`, among
    `headings`) and each field, `_digest_text` of the text carried ("" for none); each header
    field's text as shown (`carried_header.shown_key`), carried or as printed (`printed`)."""
    keys = [h for h in headings if h in theirs] + list(FIELDS)
    out = {_stored(key): _digest_text(_value(work, key)) for key in keys}
    for key in HEADER_FIELDS:
        out[shown_key(key)] = _digest_text(_plain(work.fields.get(key) or printed.get(key, "")))
    return out


def _carried_before(versions: OfficerVersions, draft: Path | None, key: str) -> bool | None:
    """Whether the last run carried the officer's text into the draft's header field `key`
    (its record: what it carried there, "" for its own text); None without a record."""
    seen = versions.seen.get(draft.name) if draft is not None else None
    if not isinstance(seen, dict) or shown_key(key) not in seen:
        return None
    return bool(seen.get(key))


def _shown(work: OfficerWork, key: str, stripped: bool = False) -> str:
    """The text `work`'s file shows in the header field `key` (whitespace collapsed, or
    only `stripped`); "" when emptied or left dotted."""
    text = work.shown.get(key, "")
    if is_dotted(text):
        return ""
    return text.strip() if stripped else _plain(text)


def _stored(key: str) -> str:
    """How a heading or a key of `FIELDS` is recorded (`OfficerVersions.seen`): a section by
    its title, which a section added before it does not change."""
    return key if key in FIELDS else title_of(key)


def _digest_text(text: str) -> str:
    """A short SHA-1 of `text` ("" for none): how a version's section or field is recorded."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16] if text else ""


def _value(work: OfficerWork, key: str) -> str:
    """The text `work` carries for a heading or a key of `FIELDS`, whitespace collapsed;
    "" for none."""
    if key in FIELDS:
        return _plain(work.fields.get(key, ""))
    return _plain(" ".join(_text(el) for el in work.sections.get(key, ())))
