"""The terminal view of a run's report (and of `check`), in Vietnamese."""

from __future__ import annotations

from pathlib import Path

from ..form import Form, pending_fields, where_to_fill
from ..intake.containers.submission import CONTAINER_KINDS
from ..intake.inbox import IGNORED, InboxEntry
from ..intake.kinds.catalogue import DOCUMENT_SUFFIXES
from ..read.parsed import Parsed
from ..rules.findings import ERROR, Finding, show
from ..run.changes import clock_doubt, headline, late_units
from ..run.misfit import wrong_configuration
from ..run.result import FileStatus, Report, UnitStatus
from ..run.submissions import is_history, open_findings, past_findings
from ..text.command import as_typed, command_name
from ..text.safetext import for_terminal
from .office import INSTALL_HINT, NOT_INSTALLED


def _say(line: str) -> None:
    """Print one line with every control or escape sequence from the data made visible."""
    print(for_terminal(line))


def print_summary(report: Report, max_findings: int = 15) -> None:
    form = report.form
    misfit = wrong_configuration(report, command_name())  # first: the run may be the wrong one
    if misfit:
        _say(misfit)
    _say(f"TỔNG HỢP BÁO CÁO NĂM {form.year} ({form.programme_info.short})")
    if not report.files:
        _say(f"Không tìm thấy tệp nào trong '{report.inbox}'. Tất cả đơn vị được ghi là chưa gửi.")
    else:
        by_status: dict[str, int] = {}
        for rec in report.files:
            # one rule for every file the unit sent another after, accepted or rejected:
            # replaced (its findings are history, `is_history`)
            status = FileStatus.SUPERSEDED if is_history(rec) else rec.status
            by_status[status] = by_status.get(status, 0) + 1
        parts = ", ".join(f"{FileStatus(s).vi.lower()}: {n}" for s, n in sorted(by_status.items()))
        _say(f"Hộp thư đến có {len(report.files)} tệp ({parts}).")
        for rec in report.files:
            if rec.status == FileStatus.NOT_READ:
                _say(f"  • Không đọc '{rec.parsed.name}': {rec.note}")
    n = len(report.units)
    _say(
        f"Đơn vị: {n} | đã chấp nhận: {report.count(UnitStatus.ACCEPTED)} | "
        f"bị từ chối: {report.count(UnitStatus.REJECTED)} | chưa gửi: {report.count(UnitStatus.MISSING)}"
    )
    doubt = clock_doubt(report)
    if doubt:
        _say(doubt)
    if report.changes is not None:
        for line in report.changes.lines_vi():
            _say(line)
    late = late_units(report)
    if late:
        _say(f"Gửi trễ hạn ({len(late)}): " + ", ".join(u.name for u in late))
    doubtful = [u for u in report.units if u.doubts]
    if doubtful:  # accepted, but which file the unit meant is in doubt
        _say(f"Cần hỏi lại đơn vị ({len(doubtful)}):")
        for u in doubtful:
            for doubt in u.doubts:
                _say(f"  • {u.name} ({u.code}): {doubt}")
    chase = [u for u in report.units if u.status != UnitStatus.ACCEPTED]
    if chase:
        _say(f"Cần đôn đốc ({len(chase)}):")
        for u in chase:
            extra = f" - {u.note}" if u.note else ""
            person, phone = u.contact(form)
            call = ", ".join(x for x in (person, phone) if x)
            extra += f" (liên hệ: {call})" if call else ""
            _say(f"  • {u.name} ({u.code}): {u.status_vi}{extra}")
    children, value, resources = (show(report.totals.of(*key)) for key in headline(form))
    _say(
        f"Tổng số trẻ em được hỗ trợ: {children} người; giá trị hỗ trợ: {value} đồng; "
        f"nguồn lực vận động: {resources} đồng."
    )
    found = open_findings(report.files)  # a file sent again since: its findings are history
    errors = [f for f in found if f.severity == ERROR]
    if found:
        _say(f"Phát hiện {len(errors)} lỗi và {len(found) - len(errors)} cảnh báo:")
        groups = _same_finding(found)
        for (label, message), files in groups[:max_findings]:
            _say(f"  [{label}] {_files_text(files)}: {message}")
        if len(groups) > max_findings:
            rest = sum(len(files) for _, files in groups[max_findings:])
            _say(f"  … và {rest} mục khác (xem trang 'Lỗi và cảnh báo').")
    past = past_findings(report.files)
    if past:
        replaced = sum(1 for rec in report.files if is_history(rec) and rec.parsed.findings)
        past_errors = sum(f.severity == ERROR for f in past)
        counted = [
            f"{n} {word}" for n, word in ((past_errors, "lỗi"), (len(past) - past_errors, "cảnh báo")) if n
        ]
        _say(
            f"({' và '.join(counted)} của {replaced} tệp đã được đơn vị gửi lại bản khác: "
            "chỉ còn là lịch sử, không phải sửa.)"
        )
    out = report.outputs
    if out:
        _say(f"Bảng tổng hợp: {out['workbook']}")
        if out.get("document"):
            _say(f"Báo cáo (dự thảo, Word): {out['document']}")
        _say(f"Dữ liệu chi tiết (CSV): {out['csv']}")
        if out.get("feedback"):
            _say(
                f"Tệp phản hồi gửi lại đơn vị ({len(out['feedback'])}): thư mục {_parent(out['feedback'][0])}"
            )
        for kept in out.get("kept", ()):
            for line in kept_lines(kept, out["document"]):
                _say(line)
        if any(k.get("not_carried") or k.get("still_only_here") for k in out.get("kept", ())):
            line = dotted_line(report.form)
            if line:
                _say(line)
        for name in out.get("open", ()):
            _say(open_line(name, out))


def open_line(name: str, outputs: dict) -> str:
    """What the terminal says of a file of the previous set that was open in Word, Excel or
    LibreOffice while the run wrote the new set (`outputs.open`): the open copy is the
    previous run's; saving it over the new one would bring back its text and figures."""
    new = next((outputs[k] for k in ("document", "workbook") if outputs.get(k, "").endswith(name)), name)
    return (
        f"Lưu ý: tệp {name} của lần tổng hợp trước đang mở (Word, Excel hoặc LibreOffice). Bản mới đã ghi "
        f"vào {new}. Hãy đóng tệp đang mở mà không lưu đè lên bản mới; nếu đã sửa gì trong đó, hãy lưu "
        "thành tên khác (Lưu thành/Save As) để lần tổng hợp sau chép phần anh/chị viết, rồi mở bản mới."
    )


def kept_lines(kept: dict, document: str) -> list[str]:
    """What the terminal says of one of the officer's files kept in the new set (an entry of
    bao-cao.json's outputs.kept): where it is, what the new draft `document` carries from
    it ("carried", "carried_fields": said only of the file they were copied from), what it
    holds that the new draft does not ("not_carried"; "differs": what the officer changed
    there that another version's text replaced) and what to do."""
    # the officer's sections and fields (number, signer) copied into the new draft
    carried = [f"mục {', '.join(kept['carried'])}"] if kept.get("carried") else []
    carried += kept.get("carried_fields") or []
    lost = kept.get("not_carried")
    differs = kept.get("differs") or []
    if kept.get("from"):  # edited or added in the previous set, which this run prunes
        said = [
            f"Giữ lại tệp anh/chị đã sửa hoặc thêm trong bộ kết quả cũ hơn: {kept['from']} "
            f"(thư mục đó nay chứa bộ kết quả của lần chạy trước); bản giữ lại: {kept['officer']}"
        ]
        if _a_draft(kept["from"], document):  # a draft of an older set: nothing of it is carried (brk21)
            said.append(
                f"Phần anh/chị viết trong bản dự thảo cũ đó chưa được chép sang bản dự thảo mới ({document}): "
                f"hãy mở {kept['officer']} và chép tay những gì cần giữ."
            )
    elif carried or lost or differs:
        said = [
            f"Giữ nguyên bản anh/chị đã sửa: {kept['officer']}; "
            + (
                f"đã chép phần anh/chị viết ({'; '.join(carried)}) sang bản dự thảo mới: {document}"
                if carried
                else f"bản dự thảo mới: {document}"
            )
            + (
                " (phần anh/chị thêm vào các mục số liệu chỉ còn trong bản đã sửa)"
                if kept.get("not_checked")
                else ""
            )
        ]
        said += differs_lines(differs, kept["officer"])
        said += not_carried_lines(lost or [], kept["officer"])
    elif kept["new"]:
        said = [
            f"Giữ nguyên bản anh/chị đã sửa: {kept['officer']} (bản mới chương trình vừa lập: {kept['new']})"
        ]
    else:
        said = [
            f"Giữ nguyên tệp anh/chị đã thêm hoặc đã sửa: {kept['officer']} (chương trình không cập nhật "
            "tệp này: số liệu trong đó, nếu có, là của lần tổng hợp trước, không phải của bộ kết quả này)"
        ]
    if kept.get("unreadable"):
        said.append(unreadable_line(kept["officer"], bool(kept.get("no_office"))))
    if kept.get("said_before") and kept.get("still_only_here"):
        said += still_only_there_lines(kept["still_only_here"], kept["officer"])
    return said


def dotted_line(form: Form) -> str:
    """The line telling the officer, whose typing in a draft the next one did not carry, that
    the dotted places of every draft come from the configuration's settings still "cần điền"
    (`pending_fields`: the request's number, the office that files it …): filled there (in
    the officer's copy when it is the installed one: `where_to_fill`), every later draft
    prints them (brk34 F4: typed into each draft, lost at each run); "" when none is
    pending."""
    pending = pending_fields(form.path)
    if not pending:
        return ""
    return (
        f"Các chỗ để dấu chấm trong bản dự thảo (số và ngày công văn, nơi lưu, …) lấy từ tệp cấu hình "
        f"{as_typed(form.path)}, còn {len(pending)} mục «cần điền» ({', '.join(pending)}): "
        f"{where_to_fill(form.path)} thì mọi bản dự thảo sau ghi sẵn, không phải gõ lại vào từng bản."
    )


def still_only_there_lines(items: list[str], officer: str) -> list[str]:
    """The reminder, at each run while the officer's file `officer` is unchanged, of what
    they wrote there that no draft carries (`items`, as `not_carried_lines` first said them):
    the text is still only in that file."""
    return [
        f"Nhắc lại: {len(items)} phần anh/chị viết chỉ có trong {officer}, chưa có trong bản dự thảo mới "
        "(đã báo ở lần tổng hợp trước; nếu đã chép tay sang bản dự thảo thì bỏ qua):",
        *(f"  - {item}" for item in items),
    ]


def _a_draft(path: str, document: str) -> bool:
    """Whether `path` is the draft `document` under its own name, in its format or another a
    word processor saves it in (as `outbox.kept.saved_as_copies` knows another format's copy)."""
    name, draft = Path(path), Path(document)
    return name.stem.casefold() == draft.stem.casefold() and name.suffix.lower() in DOCUMENT_SUFFIXES


def unreadable_line(officer: str, no_office: bool = False) -> str:
    """The line saying the officer's version `officer` of the draft, changed since the last
    run, could not be read, so nothing of it is in the new draft; `no_office`: because it is
    saved in another format than .docx (.odt, .doc, .rtf) and LibreOffice, which reads it,
    is not installed."""
    if no_office:
        return (
            f"Chưa đọc được tệp {officer}: tệp không ở dạng Word .docx, cần LibreOffice để đọc "
            f"({NOT_INSTALLED} trên máy này). Bản dự thảo mới chưa chép gì từ tệp này; tệp vẫn được giữ nguyên. "
            f"{INSTALL_HINT}, hoặc mở tệp đó và lưu thành (Save As) dạng Word .docx, rồi chạy lại lệnh tổng hợp."
        )
    return (
        f"Không đọc được tệp {officer} (không phải tệp Word .docx hợp lệ): bản dự thảo mới không chép "
        "gì từ tệp này; nếu anh/chị đã viết vào đó, hãy mở lại, lưu dạng .docx rồi chạy lại."
    )


def differs_lines(differs: list[str], officer: str) -> list[str]:
    """The line naming what the officer changed in their version `officer` of the draft that
    the new draft does not carry, because another version they changed says otherwise there
    (`carried.FromFile.differs`: "mục VII", "họ tên người ký"); none when nothing differs."""
    if not differs:
        return []
    return [
        f"Bản {officer} cũng được sửa sau lần tổng hợp trước: {', '.join(differs)} ở bản đó khác bản đã "
        "chép sang bản dự thảo mới nên chưa được chép; hãy so sánh và chép tay nếu cần."
    ]


class HeadingNote(str):
    """An item of `carried.OfficerWork.lost` about a heading (one the new draft numbers or
    words otherwise, one it prints again: `carried_named.named`), not text the officer wrote:
    `not_carried_lines` lists it under its own words (brk12 R2)."""


def not_carried_lines(lost: list[str], officer: str) -> list[str]:
    """The lines naming what the officer typed in their draft `officer` that the new draft
    does not carry (`carried.OfficerWork.lost`, each "mục VII: «first words…»": outside their
    sections, or what no other file can hold: comments, notes, pictures), with what to do;
    then, under their own words, its headings the new draft numbers, words or prints
    otherwise (`HeadingNote`); none when there is neither."""
    text = [item for item in lost if not isinstance(item, HeadingNote)]
    notes = [item for item in lost if isinstance(item, HeadingNote)]
    out = []
    if text:
        out += [
            f"Chưa chép sang bản dự thảo mới {len(text)} phần anh/chị viết ngoài các mục của anh/chị "
            "(các mục số liệu được lập lại theo số liệu mới) hoặc không chép được sang tệp khác "
            f"(nhận xét, chú thích, hình ảnh, khung chữ); nếu cần, anh/chị chép lại từ {officer}:",
            *(f"  - {item}" for item in text),
        ]
    if notes:  # headings, not text the officer wrote (brk12 R2)
        out += [
            f"Đề mục trong bản dự thảo mới khác với bản {officer} ({len(notes)}):",
            *(f"  - {item}" for item in notes),
        ]
    return out


def _parent(path: str) -> str:
    return str(Path(path).parent)


def print_check(parsed: list[Parsed], skipped: list[InboxEntry] = ()) -> None:
    """Each file checked, with its findings; `skipped` files (not submissions, not read)
    with the reason."""
    for e in skipped:
        _say(f"{e.name}: {'bỏ qua' if e.status == IGNORED else 'không đọc'} - {e.reason}")
    for p in parsed:
        errors = sum(f.severity == ERROR for f in p.findings)
        warnings = len(p.findings) - errors
        if p.submission.ignored:
            verdict = f"bỏ qua - {p.submission.ignored}"
        elif p.origin.kind in CONTAINER_KINDS and not p.findings:
            verdict = "đã mở, các tệp bên trong ở dưới"
        elif not p.is_report:
            verdict = "không phải tệp báo cáo"
        elif errors:
            verdict = f"KHÔNG HỢP LỆ ({errors} lỗi, {warnings} cảnh báo)"
        elif warnings:
            verdict = f"hợp lệ, có {warnings} cảnh báo"
        else:
            verdict = "hợp lệ"
        unit = f" [đơn vị {p.unit_code}]" if p.unit_code else ""
        _say(f"{p.name}{unit}: {verdict}")
        for f in p.findings:
            _say(f"  [{f.label}] {f.message}")


def _same_finding(found: list[Finding]) -> list[tuple[tuple[str, str], list[str]]]:
    """The findings with the files saying each: the same finding (label and message, its
    cell included) in several files is said once, in the order first met."""
    groups: dict[tuple[str, str], list[str]] = {}
    for f in found:
        groups.setdefault((f.label, f.message), []).append(f.file)
    return list(groups.items())


def _files_text(files: list[str], shown: int = 3) -> str:
    """ "a.xlsx", or "5 tệp (a.xlsx, b.xlsx, c.xlsx, …)" for a finding several files share."""
    if len(files) == 1:
        return files[0]
    more = ", …" if len(files) > shown else ""
    return f"{len(files)} tệp ({', '.join(files[:shown])}{more})"
