"""Which file counts for each unit: resubmissions, duplicates and the status of each file.

A file the unit sent again after is history, its findings kept for the record but no
longer open problems (`is_history`, `open_findings`, `past_findings`): the file that counts
supersedes every older file (`FileStatus.SUPERSEDED`), and a rejected file the unit sent
another after (a correction that still has errors) stays rejected, replaced by the unit's
newest file (`replaced_by`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from ..form import Form, is_pending
from ..intake.containers.submission import ARCHIVE, MESSAGE, Submission
from ..intake.files import FileInfo
from ..intake.inbox import InboxEntry
from ..intake.whose import sent_by
from ..read.parsed import Parsed
from ..rules.findings import Finding
from ..text.names import slug
from .result import DecidedBy, FileRecord, FileStatus, UnitRecord, UnitStatus, phone_as_dialled, province_zone


def entry_record(entry: InboxEntry, file_id: int) -> FileRecord:
    """The manifest record of an inbox entry that is not read (ignored or not readable)."""
    info = FileInfo(entry.name, entry.size, "", entry.mtime)
    parsed = Parsed(file_id, Submission(entry.path, entry.name), info, is_report=False)
    return FileRecord(parsed, status=FileStatus(entry.status), note=entry.reason)


def _sent_at(rec: FileRecord) -> tuple[dt.date, dt.datetime]:
    """When a file was sent: a message's arrival; a plain file's typed report date, never
    before the day a message of its unit came that the office had before it (`after_mail`),
    then its modification time."""
    if rec.by_arrival:
        return rec.received.date(), rec.received
    return max(rec.parsed.report_date or dt.date.min, rec.after_mail or dt.date.min), rec.received


def _after_mail(files: list[FileRecord]) -> None:
    """Set each plain file's `after_mail`: the latest arrival day among its unit's messages
    that came before it was saved (`FileRecord.received`, the province's time). A unit's
    corrected file brought by hand after its refused message came keeps the date typed in
    the file it corrects: it is no older than that message (brk24 F1). A plain file with the
    bytes of one of those messages' files is that attachment saved by hand (SHA-256): it is
    as old as it says, however late it was saved."""
    mailed = [f for f in files if f.by_arrival]
    if not mailed:
        return
    came = sorted(f.received for f in mailed)
    attached = {f.parsed.info.sha256 for f in mailed}
    for f in files:
        if not f.by_arrival and f.parsed.info.sha256 not in attached:
            before = [t for t in came if t < f.received]
            f.after_mail = before[-1].date() if before else None


# the unit's note when the file that counts brings back figures it had replaced (`_figures_back`)
FIGURES_BACK = (
    "Bản đang dùng ({chosen}) trùng số liệu với bản {first} gửi ngày {first_on}, mà đơn vị đã thay bằng "
    "{other}; nếu đơn vị không định dùng lại số liệu cũ (ví dụ thư trả lời còn đính kèm tệp cũ), hãy đề "
    "nghị đơn vị gửi lại bản đúng"
)


def _newest_first(rec: FileRecord) -> tuple:
    """A message's arrival decides; a plain file keeps its typed report date, then mtime.
    A file holding what the unit sent before (`FileRecord.repeats`: its figures and report
    date; the office's feedback copy, or the old file, still attached to a reply, brk47 F1)
    ranks below those with new ones that came with it (one message: one arrival) or, for a
    rejected plain file, that are dated that day (a feedback copy saved a second after the
    corrected file, brk49 F4; of two accepted copies the later saved still counts); then
    files are told by their typed report date (a unit's old version beside its correction,
    brk47 F3), then by name (the officer is told: `_same_day`)."""
    day, moment = _sent_at(rec)
    fresh = not rec.repeats
    return (
        day,
        fresh or rec.by_arrival or _accepted(rec),
        moment,
        fresh,
        rec.parsed.report_date or dt.date.min,
        rec.parsed.name,
    )


def _repeats(files: list[FileRecord]) -> None:
    """Set each file's `repeats`: its figures and report date are those of a file of the
    unit sent before it (`_sent_at`, strictly): a reply whose one change is the report date
    is new (brk49 F1)."""
    first: dict[tuple[str, dt.date | None], tuple] = {}
    for f in files:
        key, sent = (f.parsed.content_key, f.parsed.report_date), _sent_at(f)
        if key[0] and (key not in first or sent < first[key]):
            first[key] = sent
    for f in files:
        key = (f.parsed.content_key, f.parsed.report_date)
        f.repeats = bool(key[0]) and first[key] < _sent_at(f)


def _first_sending(files: list[FileRecord], chosen: FileRecord) -> FileRecord:
    """The first accepted file of a unit holding the same figures as `chosen`
    (`Parsed.content_key`; `chosen` itself when none came before): a copy sent again "to be
    safe" after the deadline counts from its first sending."""
    key = chosen.parsed.content_key
    same = [f for f in files if _accepted(f) and key and f.parsed.content_key == key]
    return min(same, key=_newest_first) if same else chosen


def _figures_back(files: list[FileRecord], chosen: FileRecord) -> str:
    """The note when the file that counts holds figures the unit had replaced: an earlier file
    with the same figures, then one with others, before it (a reply still carrying an old
    attachment, or the unit going back on purpose: the officer is told which); "" otherwise."""
    key = chosen.parsed.content_key
    if not key:
        return ""
    older = sorted(
        (f for f in files if f is not chosen and _newest_first(f) < _newest_first(chosen)), key=_newest_first
    )
    first = next((f for f in older if f.parsed.content_key == key and _accepted(f)), None)
    if first is None:
        return ""
    between = [f for f in older if _newest_first(f) > _newest_first(first) and f.parsed.content_key != key]
    replaced = next((f for f in reversed(between) if _accepted(f)), None)
    if replaced is None:
        return ""
    return FIGURES_BACK.format(
        chosen=chosen.parsed.name,
        first=first.parsed.name,
        first_on=f"{_submitted_on(first):%d/%m/%Y}",
        other=replaced.parsed.name,
    )


def _accepted(rec: FileRecord) -> bool:
    """Whether `rec` was accepted (before `resolve` marks the older ones superseded)."""
    return rec.status is not None and rec.status.accepted


# the unit's note when files dated the same day hold different figures and the one saved last
# counts (`_same_day`): the report date cannot tell which the unit meant
SAME_DAY = (
    "Đơn vị có {n} bản cùng ngày báo cáo {day} với số liệu khác nhau ({names}); Sở đang dùng bản "
    "{which}; hãy hỏi lại đơn vị bản nào đúng"
)
SAVED_LAST = "lưu sau cùng ({chosen}, lưu lúc {saved})"
SAVED_TOGETHER = "{chosen} (các bản được lưu cùng lúc {saved}, nên chọn theo tên tệp)"
CAME_TOGETHER = "{chosen} (các bản đến trong cùng một thư lúc {saved}, nên chọn theo tên tệp)"


def _same_day_files(files: list[FileRecord], chosen: FileRecord) -> list[FileRecord]:
    """The other accepted files of the unit that carry the report date of `chosen` and other
    figures (`Parsed.content_key`), so that neither that date nor when they came decided:
    plain files, whose modification time alone decided (brk14 F5: a morning version counted
    when saved after the afternoon correction); files that came with `chosen`'s arrival (in
    one message, brk47 F3), whose names decided. None for a file whose arrival decided."""
    if chosen.parsed.report_date is None:
        return []
    day = chosen.parsed.report_date
    return [
        f
        for f in files
        if f is not chosen
        and f.by_arrival == chosen.by_arrival
        and (not chosen.by_arrival or f.received == chosen.received)
        and f.status is not None
        and f.status.accepted
        and f.parsed.report_date == day
        and f.parsed.content_key != chosen.parsed.content_key
    ]


def _same_day(files: list[FileRecord], chosen: FileRecord) -> str:
    """The officer's note of `_same_day_files`: which counts and why; "" when none."""
    others = _same_day_files(files, chosen)
    if not others:
        return ""
    day = chosen.parsed.report_date
    assert day is not None
    names = ", ".join(f.parsed.name for f in [chosen, *others])
    together = any(f.received == chosen.received for f in others)  # "save all attachments" (brk15)
    which = (CAME_TOGETHER if chosen.by_arrival else SAVED_TOGETHER if together else SAVED_LAST).format(
        chosen=chosen.parsed.name, saved=f"{chosen.received:%H:%M %d/%m/%Y}"
    )
    return SAME_DAY.format(n=len(others) + 1, day=f"{day:%d/%m/%Y}", names=names, which=which)


# the unit's note when the file that counts and the version it replaces were prepared by two
# persons (`_other_preparer`): two officers of the unit may each have sent a version
OTHER_PREPARER = (
    "Bản đang dùng ({chosen}, {label}: {who}) và bản trước đó ({other}, {label}: {other_who}) do hai "
    "người khác nhau lập; hãy hỏi lại đơn vị bản nào là bản đơn vị đã duyệt"
)


def _preparer(rec: FileRecord) -> str:
    """The preparer's name as typed in `rec`'s information sheet ("" when none was read)."""
    return " ".join(str((rec.parsed.info_row or {}).get("preparer") or "").split())


def same_person(one: str, other: str) -> bool:
    """Whether two preparers' names name one person: letter case, spaces and diacritics
    aside ("Nguyễn Văn A", "nguyen  van a", a name typed decomposed are one), a missing name
    is no other person."""
    if not one or not other:
        return True
    return slug(one, 4 * len(one)).casefold() == slug(other, 4 * len(other)).casefold()


def _replaced_version(files: list[FileRecord], chosen: FileRecord) -> FileRecord | None:
    """The version the file that counts replaces: the newest of the unit's older files of
    this period whose information sheet was read (accepted or rejected) and that is not a
    copy of `chosen` (`Parsed.content_key`); None when there is none."""
    this_year = [f for f in files if not _other_year(f)]
    older = this_year[this_year.index(chosen) + 1 :] if chosen in this_year else []
    return next(
        (
            f
            for f in older
            if f.parsed.info_row is not None
            and f.status in (FileStatus.ACCEPTED, FileStatus.ACCEPTED_WARNINGS, FileStatus.REJECTED)
            and not (chosen.parsed.content_key and f.parsed.content_key == chosen.parsed.content_key)
        ),
        None,
    )


def _other_preparer(form: Form, files: list[FileRecord], chosen: FileRecord) -> str:
    """The officer's note when the file that counts and the version it replaces
    (`_replaced_version`) name two preparers (`same_person`): the newer still counts, but
    one of them may be a version the unit did not approve (brk40 F6). "" otherwise, and when
    the two are already named as versions of one report day (`_same_day`)."""
    other = _replaced_version(files, chosen)
    if other is None or other in _same_day_files(files, chosen):
        return ""
    who, other_who = _preparer(chosen), _preparer(other)
    if same_person(who, other_who):
        return ""
    return OTHER_PREPARER.format(
        chosen=chosen.parsed.name,
        other=other.parsed.name,
        label=form.info_field("preparer").label.lower(),
        who=_with_phone(who, chosen),
        other_who=_with_phone(other_who, other),
    )


def _with_phone(name: str, rec: FileRecord) -> str:
    """A preparer's name followed by the phone typed beside it, as it is dialled."""
    phone = phone_as_dialled(" ".join(str((rec.parsed.info_row or {}).get("phone") or "").split()))
    return f"{name}, điện thoại {phone}" if phone else name


def resolve(
    form: Form,
    parsed: list[Parsed],
    today: dt.date | None = None,
    seen: dict[tuple[str, str], dt.datetime] | None = None,
    found: dict[tuple[str, str], dt.datetime] | None = None,
) -> tuple[list[FileRecord], list[UnitRecord]]:
    """Give every file a status and every unit of the registry the file that counts. A unit
    is judged on time or late by the date its counted file is dated from, against the
    deadline; not judged when the deadline is still "cần điền", nor when that date is after
    `today` (the run's date, the province's: it cannot have been sent then) and the file
    came by mail or the run is after the deadline (a plain file found before the deadline
    is on time by this run's day). `seen`: (name,
    SHA-256) -> when a previous run first found that file (`changes.first_seen`), the time a
    plain file keeps (`FileRecord.received`); `found`: (name, SHA-256) -> when the first run
    that read that file was made (`changes.first_found`), after which a plain file is never
    dated (`FileRecord.found`)."""
    zone = province_zone(form)  # `received` in the province's time, never the machine's
    seen, found = seen or {}, found or {}
    records = [
        FileRecord(p, zone=zone, seen=seen.get(key), found=found.get(key))
        for p in parsed
        for key in [(p.info.name, p.info.sha256)]
    ]
    by_unit: dict[str, list[FileRecord]] = {}
    for rec in records:
        p = rec.parsed
        if p.submission.ignored:
            rec.status, rec.note = FileStatus.IGNORED, p.submission.ignored
            continue
        if not p.is_report:
            opened = p.origin.kind in (MESSAGE, ARCHIVE) and not p.findings
            rec.status = FileStatus.OPENED if opened else FileStatus.NOT_REPORT
            continue
        if p.has_errors:
            rec.status = FileStatus.REJECTED
        else:
            rec.status = FileStatus.ACCEPTED_WARNINGS if rec.warnings else FileStatus.ACCEPTED
        if p.unit_code in form.units_by_code:
            by_unit.setdefault(p.unit_code, []).append(rec)
        elif note := credit_sender(form, p):  # unreadable: whose it is, from how it came
            rec.note = note
            by_unit.setdefault(p.unit_code or "", []).append(rec)

    statuses: list[UnitRecord] = []
    for unit in form.units:
        us = UnitRecord(unit.code, unit.name, unit.kind)
        _after_mail(by_unit.get(unit.code, []))
        _repeats(by_unit.get(unit.code, []))
        files = sorted(by_unit.get(unit.code, []), key=_newest_first, reverse=True)
        files.sort(key=_other_year)  # another year's template after this year's files, listed, open
        us.files = files
        statuses.append(us)
        if not files:
            continue
        accepted = [f for f in files if _accepted(f)]
        # another year's template is no version of this year's report: never the newest (but
        # of a unit that sent nothing else), never replaced, its error open (brk40 F4: a 2026
        # template was "thay thế" by 2025's, and its "mẫu năm sau" shown as history)
        newest = files[0]
        if not accepted:
            us.status = UnitStatus.REJECTED
            us.note = f"Bản mới nhất ({newest.parsed.name}) bị từ chối; chưa có bản hợp lệ"
            us.submitted_on = _submitted_on(newest)
            us.rule = _decided_by(newest)
            _sent_again([f for f in files if f is not newest and not _other_year(f)], newest)
            continue
        chosen = accepted[0]
        us.status = UnitStatus.ACCEPTED
        us.file = chosen
        first = _first_sending(files, chosen)
        us.submitted_on = _submitted_on(first)
        us.rule = _decided_by(first)  # what dated it: the first sending of these figures
        if is_pending(form.period.due_before):  # no deadline yet: no verdict, neither way
            us.deadline_set = False
        elif (
            today is not None
            and us.submitted_on > today
            and not first.by_arrival
            and today < form.period.due_before
        ):
            # a plain file dated after the run's date is in the inbox by then, before the
            # deadline: on time, whatever the date typed (brk42 F2)
            us.submitted_on, us.rule, us.on_time = today, DecidedBy.FOUND, True
        elif today is not None and us.submitted_on > today:  # not sent yet by the run's date
            us.dated_ahead = True
        else:
            us.on_time = us.submitted_on < form.period.due_before
        if newest is not chosen:
            us.note = (
                f"Bản gửi ngày {_submitted_on(newest):%d/%m/%Y} ({newest.parsed.name}) bị từ chối; "
                f"đang dùng bản {chosen.parsed.name} ngày {us.submitted_on:%d/%m/%Y}"
            )
        us.doubts = [
            x
            for x in (
                _figures_back(files, chosen),
                _same_day(files, chosen),
                _other_preparer(form, files, chosen),
            )
            if x
        ]
        us.same_day = [f.parsed.name for f in _same_day_files(files, chosen)]
        us.note = "; ".join(filter(None, [us.note, *us.doubts]))
        if chosen.parsed.declared_empty:  # accepted, and shown as declared empty
            sheets = ", ".join(f"'{form.blocks[k].sheet}'" for k in chosen.parsed.declared_empty)
            us.note = "; ".join(filter(None, [us.note, f"Đơn vị báo không có số liệu ở trang {sheets}"]))
        this_year = [f for f in files if not _other_year(f)]
        _sent_again(
            [f for f in this_year[: this_year.index(chosen)] if f is not newest], newest
        )  # sent again
        for other in this_year:
            if other is chosen or this_year.index(other) < this_year.index(chosen):
                continue
            was_accepted = _accepted(other)
            other.status = FileStatus.SUPERSEDED
            other.replaced_by = chosen.parsed.name
            same = other.parsed.content_key and other.parsed.content_key == chosen.parsed.content_key
            if same and was_accepted:  # a copy with an error is not the same report, whatever its figures
                other.note = f"Trùng nội dung với {chosen.parsed.name}; chỉ tính một lần"
            else:
                other.note = f"Đã được thay thế bởi {chosen.parsed.name}"
    return records, statuses


OTHER_YEAR = frozenset({"TEMPLATE_NEWER", "TEMPLATE_LAST_YEAR"})  # the template of another year


def _other_year(rec: FileRecord) -> bool:
    """Whether a file is another year's template (`OTHER_YEAR`: next year's, to consolidate
    with that year's configuration; or a past year's report)."""
    return any(f.code in OTHER_YEAR for f in rec.parsed.findings)


def credit_sender(form: Form, p: Parsed) -> str:
    """A report rejected before its unit was read (a format no reader reads, a damaged
    file) credited to the unit it most likely came from (`intake.whose.sent_by`): its
    `unit_code` and its findings' unit set, so its feedback and letter go to that unit,
    which is told its file was refused and why instead of being reminded it sent nothing.
    Returns the note saying how the unit is known (Vietnamese), "" when nothing was
    credited. `consolidate` and `check` both credit through here."""
    if p.submission.ignored or not p.is_report or not p.has_errors or p.unit_code is not None:
        return ""
    guessed = sent_by(form, p.name, p.origin.sender)
    if guessed is None:
        return ""
    code, how = guessed
    p.unit_code = code
    p.findings = [replace(f, unit=code) for f in p.findings]
    return f"Không đọc được tệp; đơn vị xác định theo {how}"


def _sent_by(form: Form, rec: FileRecord) -> tuple[str, str] | None:
    """The unit a file that could not be read was most likely sent by (`intake.whose`)."""
    return sent_by(form, rec.parsed.name, rec.parsed.origin.sender)


def _decided_by(rec: FileRecord) -> DecidedBy:
    """What `_submitted_on` read: the message's arrival, the typed report date, (a plain
    file without one) when the file was saved, or the arrival of its unit's message it was
    saved after, when that is later (`after_mail`)."""
    if rec.by_arrival:
        return DecidedBy.ARRIVAL
    own = rec.parsed.report_date or rec.received.date()
    if _found_before(rec):
        return DecidedBy.FOUND
    if rec.after_mail is not None and rec.after_mail > own:
        return DecidedBy.AFTER_MAIL
    return DecidedBy.REPORT_DATE if rec.parsed.report_date else DecidedBy.SAVED


def _own_date(rec: FileRecord) -> dt.date:
    """A plain file's date by what it says: its report date, else when it was saved, never
    before the day a message of its unit came that the office had before it (`after_mail`)."""
    own = rec.parsed.report_date or rec.received.date()
    return max(own, rec.after_mail) if rec.after_mail is not None else own


def _found_before(rec: FileRecord) -> bool:
    """Whether an earlier run read the plain file `rec` (its name and bytes: `found`) before
    the day its own date says: the office had it then (brk42 F2: a report dated 04/12 in the
    inbox since 25/11 turned from not judged to late with nothing new)."""
    return rec.found is not None and rec.found.date() < _own_date(rec)


def _submitted_on(rec: FileRecord) -> dt.date:
    """The date a submission counts from: the arrival of its message; for a plain file its
    own date (`_own_date`), or the day of the first run that read it when that is earlier
    (`_found_before`)."""
    if rec.by_arrival:
        return rec.received.date()
    return rec.found.date() if rec.found is not None and _found_before(rec) else _own_date(rec)


def _sent_again(older: list[FileRecord], newest: FileRecord) -> None:
    """Rejected files the unit sent another after (`newest`, its newest file): still
    rejected (the status says what the file was), replaced by `newest`."""
    for other in older:
        other.replaced_by = newest.parsed.name
        other.note = f"Đơn vị đã gửi lại bản sau: {newest.parsed.name}"


def is_history(rec: FileRecord) -> bool:
    """Whether a file's findings are history: the unit sent a file that replaces it."""
    return rec.status == FileStatus.SUPERSEDED or (
        rec.status == FileStatus.REJECTED and bool(rec.replaced_by)
    )


def open_findings(files: list[FileRecord]) -> list[Finding]:
    """The findings still open: those of every file not replaced by a later one."""
    return [f for rec in files if not is_history(rec) for f in rec.parsed.findings]


def past_findings(files: list[FileRecord]) -> list[Finding]:
    """The findings of replaced files: history, kept for the record, nothing to correct."""
    return [f for rec in files if is_history(rec) for f in rec.parsed.findings]
