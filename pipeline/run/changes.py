"""What changed since the previous run: new files, files renamed or gone from the inbox,
units now accepted, units no longer accepted (and why), units whose new file was rejected,
units whose newest file is now an older one, rejected; accepted units whose warnings went
away or came; earlier years' results found, gone or consolidated again; and whether the computer's clock looks wrong (`clock_doubt`), with the units a sentence may
call late by the run's date (`late_units`); once the new set is current, the PDF to sign the
replaced set took with it (`replaced_pdf_lines`).

The previous run is the one whose result (`bao-cao.json`, `result.Report.to_dict`) is in
the current output set when this run starts; its files are matched with this run's by
name and SHA-256: a file sent again under the same name with other content is new, the
same content under a new name (the old name gone) is renamed, not new.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..form import DEFAULT_FORM, Form
from ..outbox.paths import pdf_path, previous_dir, report_path
from ..rules.findings import show
from ..text.command import outbox_command
from .result import FileStatus, Report, UnitRecord, UnitStatus

# entries that are not files of their own: a message or archive (its contents are listed)
# and what is not a submission at all
_NOT_LISTED = {FileStatus.OPENED.value, FileStatus.IGNORED.value}


@dataclass(frozen=True)
class Changes:
    """This run against the previous one. Units are (code, name) pairs, in registry order."""

    previous_at: dt.datetime  # when the previous run was made
    new_files: tuple[str, ...]  # files (as shown in the inbox) the previous run did not read
    now_accepted: tuple[tuple[str, str], ...]  # accepted now, not accepted before
    newly_rejected: tuple[tuple[str, str], ...]  # whose newest file is new and rejected
    renamed: tuple[tuple[str, str], ...] = ()  # (old name, new name): same content (SHA-256)
    removed_files: tuple[str, ...] = ()  # read by the previous run, gone now (by name and content)
    # accepted before, not now: (code, name, why, status now), all Vietnamese but the code
    no_longer_accepted: tuple[tuple[str, str, str, str], ...] = ()
    # (code, name, file): whose newest file is now one read before, rejected, that was not
    # their newest (an old attachment saved again: a newer time, the same content)
    newest_again: tuple[tuple[str, str, str], ...] = ()
    # files under a name the previous run read, with other content now (written over)
    replaced: tuple[str, ...] = ()
    # accepted both times: whose counted file had warnings and has none now, and the reverse
    warnings_gone: tuple[tuple[str, str], ...] = ()
    warnings_new: tuple[tuple[str, str], ...] = ()
    # earlier years' results (`History.signature`) found now and not before, gone since, or
    # consolidated again with other figures: the comparison and the sum to date changed
    years_new: tuple[int, ...] = ()
    years_gone: tuple[int, ...] = ()
    years_changed: tuple[int, ...] = ()
    # the headline totals that changed (`_totals`): (what, before, now), what in Vietnamese
    totals: tuple[tuple[str, int, int], ...] = ()
    # accepted both times, judged otherwise against the deadline: (code, name, before, now),
    # the verdicts as the status sheet words them ("Chưa xét (…)" -> "Đúng hạn"; brk42 F2)
    timeliness: tuple[tuple[str, str, str, str], ...] = ()

    @property
    def nothing(self) -> bool:
        return not (
            self.new_files
            or self.replaced
            or self.now_accepted
            or self.newly_rejected
            or self.renamed
            or self.removed_files
            or self.no_longer_accepted
            or self.newest_again
            or self.warnings_gone
            or self.warnings_new
            or self.years_new
            or self.years_gone
            or self.years_changed
            or self.totals
            or self.timeliness
        )

    def lines_vi(self) -> list[str]:
        """The changes in Vietnamese, one line each (the first says since when)."""
        since = _when(self.previous_at)
        if self.nothing:
            return [f"Không có gì thay đổi so với lần tổng hợp trước ({since})."]
        out = [f"Thay đổi so với lần tổng hợp trước ({since}):"]
        if self.new_files:
            out.append(f"  • Tệp mới ({len(self.new_files)}): " + ", ".join(self.new_files))
        if self.replaced:
            out.append(f"  • Tệp cùng tên, nội dung mới ({len(self.replaced)}): " + ", ".join(self.replaced))
        if self.renamed:
            pairs = ", ".join(f"{old} → {new}" for old, new in self.renamed)
            out.append(f"  • Tệp đổi tên, nội dung không đổi ({len(self.renamed)}): {pairs}")
        if self.removed_files:
            out.append(
                f"  • Tệp không còn trong hộp thư ({len(self.removed_files)}): "
                + ", ".join(self.removed_files)
            )
        if self.now_accepted:
            out.append(f"  • Nay được chấp nhận ({len(self.now_accepted)}): " + _units(self.now_accepted))
        if self.no_longer_accepted:
            lost = "; ".join(
                f"{name} ({code}): {why}, nay là «{now}»" for code, name, why, now in self.no_longer_accepted
            )
            out.append(
                f"  • Không còn được chấp nhận, số liệu không còn được tính ({len(self.no_longer_accepted)}): "
                + lost
            )
        if self.warnings_gone:
            out.append(
                f"  • Nay không còn cảnh báo ({len(self.warnings_gone)}): " + _units(self.warnings_gone)
            )
        if self.warnings_new:
            out.append(f"  • Nay có cảnh báo ({len(self.warnings_new)}): " + _units(self.warnings_new))
        if self.timeliness:
            moved = "; ".join(f"{name} ({code}): {was} → {now}" for code, name, was, now in self.timeliness)
            out.append(f"  • Đổi kết quả xét hạn nộp ({len(self.timeliness)}): {moved}")
        if self.newly_rejected:
            out.append(f"  • Tệp mới bị từ chối ({len(self.newly_rejected)}): " + _units(self.newly_rejected))
        if self.newest_again:
            again = "; ".join(f"{name} ({code}): {file}" for code, name, file in self.newest_again)
            out.append(
                f"  • Nay có tệp mới nhất là tệp đã nhận trước đây, bị từ chối ({len(self.newest_again)}): "
                + again
            )
        if self.totals:
            said = "; ".join(
                f"{what} {show(was)} → {show(now)} ({_moved(was, now)})" for what, was, now in self.totals
            )
            out.append(f"  • Số liệu tổng hợp: {said}")
        for years, what in (
            (self.years_new, "nay có thêm kết quả tổng hợp năm"),
            (self.years_changed, "kết quả tổng hợp đã thay đổi: năm"),
            (self.years_gone, "không còn thấy kết quả tổng hợp năm"),
        ):
            if years:
                out.append(
                    f"  • Các năm trước: {what} {', '.join(str(y) for y in years)} (phần so sánh với năm "
                    "trước và lũy kế trong báo cáo, trang «So sánh các năm» thay đổi theo)"
                )
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "previous_at": self.previous_at.isoformat(timespec="seconds"),
            "new_files": list(self.new_files),
            "replaced": list(self.replaced),
            "now_accepted": [code for code, _ in self.now_accepted],
            "newly_rejected": [code for code, _ in self.newly_rejected],
            "renamed": [list(pair) for pair in self.renamed],
            "removed_files": list(self.removed_files),
            "no_longer_accepted": [code for code, *_ in self.no_longer_accepted],
            "newest_again": [code for code, *_ in self.newest_again],
            "warnings_gone": [code for code, _ in self.warnings_gone],
            "warnings_new": [code for code, _ in self.warnings_new],
            "years_new": list(self.years_new),
            "years_gone": list(self.years_gone),
            "years_changed": list(self.years_changed),
            "totals": [list(t) for t in self.totals],
            "timeliness": [code for code, *_ in self.timeliness],
        }


def _units(units: tuple[tuple[str, str], ...]) -> str:
    return ", ".join(f"{name} ({code})" for code, name in units)


def previous_result(outbox: Path, form: Form, run_id: str = "") -> dict[str, Any] | None:
    """The result of the run whose set is current in `outbox` (for `form`'s year and
    configuration), or None: no set yet, unreadable, another configuration's, or the
    set of this very run (`run_id`)."""
    try:
        data = json.loads(report_path(outbox, form.year).read_text(encoding="utf-8"))
        same_form = data["form"]["id"] == form.id
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(data, dict) or not same_form or (run_id and data.get("run_id") == run_id):
        return None
    return data


def pdf_command(form: Form, outbox: Path) -> str:
    """The `pdf` command for `outbox`, as the officer types it: `make pdf …` under make
    (`text.command.MAKE_MARK`), else the console command (`text.command.command_name`), with
    the configuration and the outbox when not the defaults (as `mail.drafts.drafts_command`)."""
    other = outbox if outbox.resolve() != form.outbox.resolve() else None
    default = form.path.resolve() == DEFAULT_FORM.resolve()
    return outbox_command("pdf", "pdf", form.path, default, other)


# what `replaced_pdf_lines` says: the PDF is not the new set's, whether or not the figures
# changed (brk52 F1: "không còn khớp" after a run that changed nothing), and the previous set
# it stayed in is pruned by the next run
PDF_STAYED = (
    "Lưu ý: tệp PDF để ký tạo ở lần tổng hợp trước không thuộc bộ kết quả mới: tệp đó ở lại trong bộ "
    "kết quả trước ({old}) và sẽ bị xóa ở lần tổng hợp sau."
)
PDF_AGAIN = "Hãy tạo lại tệp PDF của bộ kết quả mới trước khi in và ký: {command}"


def replaced_pdf_lines(form: Form, outbox: Path) -> list[str]:
    """What a run that has just made its set current in `outbox` says when the set it
    replaced held the PDF to sign (`render.pdf.write_pdf`; a new set never carries it): that
    PDF is not this run's set's: it stayed in the previous set (`paths.previous_dir`), which
    the next run prunes (`PDF_STAYED`), and the command that makes it again (`pdf_command`). [] when the set replaced had no PDF."""
    current = pdf_path(outbox, form.year, form.programme_info.prefix)
    old = previous_dir(outbox, form.year) / current.name
    if current.exists() or not old.is_file():
        return []
    return [PDF_STAYED.format(old=old), PDF_AGAIN.format(command=pdf_command(form, outbox))]


def first_seen(previous: dict[str, Any] | None) -> dict[tuple[str, str], dt.datetime]:
    """(name, SHA-256) -> the `received` of the file of that name and bytes in `previous` (a
    `Report.to_dict`; {} without one): when a run first found it, kept from run to run
    (`FileRecord.received`). By name too: two files of the same bytes keep each its own
    time, so which of them is the newer never flips between runs. What cannot be read is
    left out."""
    out: dict[tuple[str, str], dt.datetime] = {}
    for f in (previous or {}).get("files", []):
        if not isinstance(f, dict) or not f.get("sha256"):
            continue
        try:
            at = dt.datetime.fromisoformat(str(f.get("received")))
        except ValueError:
            continue
        key = (str(f.get("name")), str(f["sha256"]))
        if at.tzinfo is None and (key not in out or at < out[key]):
            out[key] = at
    return out


def first_found(previous: dict[str, Any] | None) -> dict[tuple[str, str], dt.datetime]:
    """(name, SHA-256) -> when the first run that read the file of that name and bytes was
    made, from `previous` (a `Report.to_dict`; {} without one): its file's "found", else the
    previous run's own time (it read the file, so the office had it then). What cannot be
    read is left out."""
    out: dict[tuple[str, str], dt.datetime] = {}
    try:
        ran = dt.datetime.fromisoformat(str((previous or {}).get("generated_at")))
    except ValueError:
        return out
    for f in (previous or {}).get("files", []):
        if not isinstance(f, dict) or not f.get("sha256"):
            continue
        try:
            at = dt.datetime.fromisoformat(str(f["found"])) if f.get("found") else ran
        except ValueError:
            at = ran
        key = (str(f.get("name")), str(f["sha256"]))
        if at.tzinfo is None and (key not in out or at < out[key]):
            out[key] = min(at, ran)
    return out


def changes_since(report: Report, previous: dict[str, Any] | None) -> Changes | None:
    """This run's changes against `previous` (a `Report.to_dict`); None without one.

    Raises nothing on a malformed previous result: what cannot be read counts as absent."""
    if not previous:
        return None
    try:
        at = dt.datetime.fromisoformat(str(previous["generated_at"]))
    except (KeyError, ValueError):
        return None
    before_files = [
        f for f in previous.get("files", []) if isinstance(f, dict) and f.get("status") not in _NOT_LISTED
    ]
    seen = {(f.get("name"), f.get("sha256")) for f in before_files}
    before = {u.get("code"): u for u in previous.get("units", []) if isinstance(u, dict)}
    listed = [rec for rec in report.files if rec.status not in _NOT_LISTED]
    names_now = {rec.parsed.name for rec in listed}
    hashes_now = {rec.parsed.info.sha256 for rec in listed if rec.parsed.info.sha256}
    # the previous run's files gone by name, by content: what a new name may have come from
    gone = {
        f.get("sha256"): str(f.get("name"))
        for f in before_files
        if f.get("name") not in names_now and f.get("sha256")
    }
    names_before = {f.get("name") for f in before_files}
    new_files: list[str] = []
    replaced: list[str] = []
    renamed: list[tuple[str, str]] = []
    for rec in listed:
        name, sha = rec.parsed.name, rec.parsed.info.sha256
        if (name, sha) in seen:
            continue
        if sha and sha in gone:
            renamed.append((gone.pop(sha), name))
        elif name in names_before:
            replaced.append(name)
        else:
            new_files.append(name)
    removed = tuple(
        str(f.get("name"))
        for f in before_files
        if f.get("name") not in names_now and f.get("sha256") not in hashes_now
    )
    new = {*new_files, *replaced}  # content this run reads first
    now_accepted = tuple(
        (u.code, u.name)
        for u in report.units
        if u.status == UnitStatus.ACCEPTED and _status(before.get(u.code)) != UnitStatus.ACCEPTED.value
    )
    no_longer = tuple(
        (u.code, u.name, _why_lost(before[u.code], report, u.code, before_files), u.status_vi)
        for u in report.units
        if u.status != UnitStatus.ACCEPTED and _status(before.get(u.code)) == UnitStatus.ACCEPTED.value
    )
    newly_rejected = tuple(
        (u.code, u.name)
        for u in report.units
        if u.files and u.files[0].status == FileStatus.REJECTED and u.files[0].parsed.name in new
    )
    # a unit's newest file now one read before (by its name then: a renamed file keeps its
    # old name's place), rejected, and not its newest before
    was_newest = {code: (u.get("files") or [""])[0] for code, u in before.items()}
    old_name = {new_name: old for old, new_name in renamed}
    newest_again = tuple(
        (u.code, u.name, u.files[0].parsed.name)
        for u in report.units
        if u.files
        and u.files[0].status == FileStatus.REJECTED
        and u.files[0].parsed.name not in new
        and u.code in was_newest
        and was_newest[u.code] != old_name.get(u.files[0].parsed.name, u.files[0].parsed.name)
    )
    warned_before = _warned(before, before_files)
    accepted_both = [
        u
        for u in report.units
        if u.status == UnitStatus.ACCEPTED and u.file is not None and u.code in warned_before
    ]
    warned_now = {u.code: u.file.status == FileStatus.ACCEPTED_WARNINGS for u in accepted_both if u.file}
    return Changes(
        at,
        tuple(new_files),
        now_accepted,
        newly_rejected,
        tuple(renamed),
        removed,
        no_longer,
        newest_again,
        tuple(replaced),
        tuple((u.code, u.name) for u in accepted_both if warned_before[u.code] and not warned_now[u.code]),
        tuple((u.code, u.name) for u in accepted_both if warned_now[u.code] and not warned_before[u.code]),
        *_years(report, previous),
        _totals(report, previous),
        tuple(
            (u.code, u.name, str(before[u.code].get("timeliness_vi") or ""), u.timeliness_vi)
            for u in accepted_both
            if before[u.code].get("timeliness", u.timeliness) != u.timeliness
        ),
    )


def headline(form: Form) -> tuple[tuple[str, str], tuple[str, str], tuple[str, str]]:
    """The run's headline figures as (block key, measure or row total key): the children
    supported, the value of their support, the resources mobilised (`Block.main_total`),
    as the terminal's summary gives them and the changes since the last run compare them."""
    support, resources = form.support_block, form.resources_block
    return (
        (support.key, support.headcount),
        (support.key, support.main_total),
        (resources.key, resources.main_total),
    )


def _totals(report: Report, previous: dict[str, Any]) -> tuple[tuple[str, int, int], ...]:
    """The headline totals (the results' children and value of support, as the document's
    first figures; the resources mobilised) that differ from the previous run's
    (`Totals.to_dict` in its result), each (what, before, now); () when it recorded none.
    A rerun's files may change every figure: the officer sees by how much (brk34 F8)."""
    was = previous.get("totals")
    if not isinstance(was, dict):
        return ()
    words = ("tổng số trẻ em được hỗ trợ", "tổng giá trị hỗ trợ (đồng)", "tổng nguồn lực vận động (đồng)")
    out = []
    for what, (block, measure) in zip(words, headline(report.form), strict=True):
        try:
            before = int(was[f"{block}.{measure}"])
        except (KeyError, TypeError, ValueError):
            continue
        after = report.totals.of(block, measure)
        if before != after:
            out.append((what, before, after))
    return tuple(out)


def _moved(was: int, now: int) -> str:
    return f"{'tăng' if now > was else 'giảm'} {show(abs(now - was))}"


def _years(report: Report, previous: dict[str, Any]) -> tuple[tuple[int, ...], ...]:
    """(new, gone, changed) earlier years, against the previous run's `History.signature`
    ((), (), () when it recorded none: a result written before runs kept it)."""
    was = previous.get("history")
    if not isinstance(was, dict):
        return (), (), ()
    now = report.history.signature()
    new = tuple(int(y) for y in now if y not in was)
    gone = tuple(int(y) for y in was if y not in now and str(y).isdigit())
    changed = tuple(int(y) for y in now if y in was and was[y] != now[y])
    return new, gone, changed


def _warned(before: dict[Any, dict[str, Any]], before_files: list[dict[str, Any]]) -> dict[Any, bool]:
    """Unit code -> whether the file the previous run counted for it had warnings, of the
    units it accepted (`FileStatus.ACCEPTED_WARNINGS`)."""
    status = {f.get("name"): f.get("status") for f in before_files}
    return {
        code: status.get(u.get("file")) == FileStatus.ACCEPTED_WARNINGS.value
        for code, u in before.items()
        if _status(u) == UnitStatus.ACCEPTED.value and u.get("file") in status
    }


def _status(unit: dict[str, Any] | None) -> Any:
    return unit.get("status") if unit else None


def _why_lost(was: dict[str, Any], report: Report, code: str, before_files: list[dict[str, Any]]) -> str:
    """Why a unit accepted by the previous run is not now (Vietnamese): the file that counted
    is gone from the inbox, is there with other content (written over) and rejected, or is
    there unchanged and now rejected; and any other file of the unit new since and
    rejected."""
    counted = str(was.get("file") or "")
    unit = next(u for u in report.units if u.code == code)
    mine = {rec.parsed.name: rec for rec in unit.files}
    old_sha = next((f.get("sha256") for f in before_files if f.get("name") == counted), None)
    seen = {(f.get("name"), f.get("sha256")) for f in before_files}
    if not counted:
        why = ["tệp được tính lần trước không còn"]
    elif counted not in mine:
        why = [f"tệp {counted} không còn trong hộp thư"]
    elif mine[counted].parsed.info.sha256 != old_sha:
        why = [f"tệp {counted} đã bị thay bằng nội dung khác và bị từ chối"]
    else:
        why = [f"tệp {counted} nay bị từ chối"]
    fresh = [
        name
        for name, rec in mine.items()
        if name != counted
        and rec.status == FileStatus.REJECTED
        and (name, rec.parsed.info.sha256) not in seen
    ]
    if fresh:
        why.append("tệp mới " + ", ".join(fresh) + " bị từ chối")
    return "; ".join(why)


CLOCK_MARGIN = dt.timedelta(hours=1)
"""How far after this run's time a date may be before the clock is doubted (mail servers'
and file systems' clocks differ by minutes, a wrong date by days)."""


def clock_doubt(report: Report, shown: int = 3) -> str:
    """One Vietnamese line saying the computer's date looks wrong, "" when nothing says so.

    The signs: the previous run (`report.changes.previous_at`) is dated after this run, or
    a message arrived or a file was saved in the inbox (`FileRecord.received`, a plain
    file's own `FileRecord.saved`) after it, by more than `CLOCK_MARGIN`; at most `shown`
    files are named. Every time compared is the province's wall-clock time
    (`Report.generated_at`, `FileRecord.received`)."""
    now = report.generated_at
    signs = []
    changes = report.changes
    if isinstance(changes, Changes) and changes.previous_at > now + CLOCK_MARGIN:
        signs.append(f"lần tổng hợp trước ghi lúc {_when(changes.previous_at)}")
    later: dict[str, str] = {}
    for rec in report.files:
        when = rec.received if rec.by_arrival else rec.saved  # the clock's own time, not a first-found one
        if when > now + CLOCK_MARGIN:
            how = "nhận lúc" if rec.by_arrival else "lưu lúc"
            later.setdefault(rec.parsed.origin.container or rec.parsed.name, f"{how} {_when(when)}")
    if later:
        named = [f"{name} {when}" for name, when in list(later.items())[:shown]]
        more = f" và {len(later) - shown} tệp khác" if len(later) > shown else ""
        signs.append(f"có tệp có thời điểm sau bây giờ ({'; '.join(named)}{more})")
    if not signs:
        return ""
    return (
        f"Cảnh báo: ngày giờ của máy tính có thể bị sai: máy đang báo {_when(now)}, nhưng "
        + "; ".join(signs)
        + ". Hãy kiểm tra ngày giờ của máy rồi tổng hợp lại (đúng hạn, trễ hạn và ngày của báo cáo "
        "đều tính theo ngày giờ này)."
    )


def late_units(report: Report) -> list[UnitRecord]:
    """The units a sentence may call late: judged late (`UnitRecord.on_time` False: the date
    their counted file is dated from, `submitted_on`, is on or after the deadline). A date
    after the run's own cannot have happened yet (a wrong clock, a mistyped report date, see
    `clock_doubt`): `submissions.resolve` judges such a unit neither way (`dated_ahead`), so
    before the deadline has passed by the run's date no unit is late, in the document, the
    terminal and the workbook alike."""
    return [u for u in report.units if u.on_time is False]


def _when(moment: dt.datetime) -> str:
    return f"{moment:%H:%M} ngày {moment:%d/%m/%Y}"
