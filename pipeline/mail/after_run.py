"""The letters after a `consolidate` run: written again when they describe an earlier
run. Its own module, so the run imports the drafts but neither IMAP nor SMTP."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TextIO

from ..form import Form, FormError
from ..intake.mail_settings import load_mail_settings
from ..outbox.kept import drop_carried_locks
from ..outbox.paths import previous_dir, year_dir
from ..text.oserrors import read_reason
from .draft_record import NoRunError, drafts_dir
from .drafts import Draft, drafts_command, refresh_drafts


def refresh_after_run(form: Form, outbox: Path, quiet: bool = False) -> None:
    """After `consolidate` made a new set current: write the letters in `thu/` again when
    they describe an earlier run (`drafts.refresh_drafts`), and say so (on stderr when
    `quiet`, e.g. under --json). A failure is one warning line; the run stays done. First,
    the lock files an office suite left in the letters' folder of the earlier set, carried
    into this one with it, are removed from this one (`outbox.kept.drop_carried_locks`)."""
    drop_carried_locks(year_dir(outbox, form.year), previous_dir(outbox, form.year))
    try:
        settings = load_mail_settings(form)
        done = refresh_drafts(form, settings, outbox, dt.datetime.now(settings.zone).date())
    except (NoRunError, FormError, OSError) as exc:
        reason = read_reason(exc) if isinstance(exc, OSError) else str(exc)
        sys.stderr.write(
            f"Cảnh báo: thư trả lời đơn vị trong {drafts_dir(outbox, form.year)} là của lần tổng hợp "
            f"trước và chưa soạn lại được ({reason}); trước khi gửi, chạy: {drafts_command(form, outbox)}\n"
        )
        return
    if done is None:
        return
    line = drafted_line(done, drafts_dir(outbox, form.year), after_run=True)
    out = sys.stderr if quiet else sys.stdout
    out.write(line + "\n")
    say_kept(done, out, command=drafts_command(form, outbox, send=True))


def drafted_line(drafts: list[Draft], folder: Path, after_run: bool = False) -> str:
    """What the drafting did, in the officer's words (Vietnamese, one line), matching the
    files in `folder` (`thu/`): how many letters were drafted anew (written there now), how
    many the officer edited were kept as saved and not drafted again (`Draft.edited`), and how
    many of the new ones replace an edited letter of an earlier run, now in `thu/cu/`
    (`Draft.kept`). `after_run`: said after `consolidate` made a new set current (the letters
    of the earlier set can no longer be sent)."""
    new = sum(1 for d in drafts if not d.edited)
    same = len(drafts) - new
    aside = sum(1 for d in drafts if d.kept is not None)
    what = "thư trả lời đơn vị" if after_run else "thư"
    if new:
        again = " lại" if after_run else ""
        line = f"Đã soạn{again} {new} {what} mới trong {folder}/"
        if after_run:
            line += " theo kết quả lần tổng hợp này (thư soạn theo lần trước không gửi được nữa)"
    else:
        line = f"Không soạn thư mới nào trong {folder}/"
    if same:
        line += f"; giữ nguyên {same} thư anh/chị đã sửa (không soạn lại, xem dưới đây)"
    if aside:
        line += f"; {aside} thư anh/chị đã sửa theo lần tổng hợp trước được cất vào {folder.name}/cu/"
    return line + "."


def check_hint(unit: str, kept: Path, new: Path, command: str) -> str:
    """What the officer does when their edited letter `kept` belongs to an earlier run and
    the new draft `new` for `unit` is held until they check it (Vietnamese, one line);
    `command` sends the letters (`drafts.drafts_command`)."""
    return (
        f"  Thư gửi đơn vị {unit} KHÔNG được gửi cho đến khi anh/chị kiểm tra: thư đã sửa ({kept.name}, "
        "trong thu/cu/) viết theo lần tổng hợp trước, kết quả của đơn vị đã khác. Hãy mở thư mới soạn "
        f"({new.name}), chép phần anh/chị đã thêm (nếu vẫn đúng) vào đó, lưu lại; nếu không cần phần đã "
        f"thêm nữa, xóa thư đã sửa trong thu/cu/. Sau đó gửi bằng lệnh: {command}"
    )


def past_hint(unit: str, path: Path, past: tuple[dt.date, ...], command: str) -> str:
    """What the officer does when their edited letter `path` to `unit` asks for something by
    a day already `past` (Vietnamese, one line); `command` sends the letters."""
    days = ", ".join(f"{d:%d/%m/%Y}" for d in past)
    return (
        f"  Thư gửi đơn vị {unit} KHÔNG được gửi: thư anh/chị đã sửa ({path.name}) hẹn đơn vị chậm nhất "
        f"ngày {days}, nay đã qua. Hãy mở thư, đổi sang một ngày sau hôm nay rồi lưu lại; hoặc xóa "
        f"thư đó để chương trình soạn thư mới với hạn mới (phần anh/chị đã thêm sẽ mất). Sau đó gửi bằng "
        f"lệnh: {command}"
    )


def other_hint(unit: str, other: tuple[Path, ...], draft: Path, current: bool, command: str) -> str:
    """What the officer does when their letters `other` to `unit`, saved in `thu/` under
    other names, lie beside the program's `draft` for it, which is not sent meanwhile
    (Vietnamese, one line): `current`, each was saved from this run's letter, so renaming it
    over the draft sends it; else its additions go into the new draft. `command` sends."""
    names = ", ".join(p.name for p in other)
    if current:
        what = (
            f"Nếu muốn gửi thư của anh/chị: xóa thư {draft.name} rồi đổi tên thư của anh/chị thành "
            f"{draft.name}. Nếu không cần gửi thư của anh/chị: xóa thư đó hoặc chuyển ra khỏi thư mục thu/."
        )
        why = "chương trình không tự chọn thư nào để gửi"
    else:
        what = (
            f"Hãy mở thư mới soạn ({draft.name}), chép phần anh/chị đã thêm (nếu vẫn đúng) vào đó và lưu "
            "lại; rồi xóa thư của anh/chị hoặc chuyển ra khỏi thư mục thu/."
        )
        why = "thư đó không viết theo lần tổng hợp này, kết quả của đơn vị có thể đã khác"
    return (
        f"  Thư gửi đơn vị {unit} KHÔNG được gửi: trong thu/ có thư anh/chị lưu với tên khác gửi đơn vị "
        f"này ({names}), bên cạnh thư chương trình soạn ({draft.name}); {why}. {what} Sau đó gửi bằng "
        f"lệnh: {command}"
    )


def say_kept(drafts: list[Draft], out: TextIO, hints: bool = True, command: str = "") -> None:
    """For each unit: its earlier draft the officer changed, kept beside the new one, and
    (`hints`) how to check it, while its new draft waits for that check; its letter the
    officer edited for this run (or for an earlier run the same for its unit), left as
    saved, and (`hints`) what to change when it asks for a day already past; the feedback
    workbook the officer edited, attached or not and why; its letters the officer saved under
    another name, which hold its draft, and (`hints`) what to do. `hints` is False when the sending
    summary says it per unit; `command` sends the letters (`drafts.drafts_command`)."""
    for d in drafts:
        if d.kept is not None:
            sent = " (thư đó đã gửi, chỉ để lưu)" if d.kept_sent else ""
            out.write(f"Giữ nguyên thư anh/chị đã sửa: {d.kept}{sent} (thư mới soạn: {d.path})\n")
        if d.other:
            out.write(f"Thư anh/chị lưu với tên khác gửi đơn vị {d.unit}: {', '.join(map(str, d.other))}\n")
            if hints:
                out.write(other_hint(d.unit, d.other, d.path, d.other_current, command) + "\n")
        if hints and d.unchecked is not None:
            out.write(check_hint(d.unit, d.unchecked, d.path, command) + "\n")
        if d.edited:
            why = (
                "kết quả của đơn vị không đổi so với lần tổng hợp anh/chị sửa thư"
                if d.carried
                else "viết theo đúng lần tổng hợp này"
            )
            then = "thư đó đã gửi, chỉ để lưu" if d.edited_sent else "khi gửi, gửi đúng bản anh/chị đã sửa"
            out.write(
                f"Giữ nguyên thư anh/chị đã sửa cho đơn vị {d.unit}: {d.path} ({why} nên không soạn lại; {then})\n"
            )
            if hints and d.past and not d.edited_sent:
                out.write(past_hint(d.unit, d.path, d.past, command) + "\n")
        if d.feedback is not None:
            out.write(
                f"Thư gửi đơn vị {d.unit} đính kèm tệp phản hồi anh/chị đã sửa: {d.feedback} (tệp báo cáo "
                "và kết quả kiểm tra của đơn vị không đổi từ khi anh/chị sửa)\n"
            )
        if d.feedback_left is not None:
            out.write(
                f"Lưu ý: thư gửi đơn vị {d.unit} đính kèm tệp phản hồi chương trình vừa ghi theo kết quả mới, "
                f"KHÔNG phải tệp anh/chị đã sửa ({d.feedback_left}: {d.feedback_why}). Nếu cần, chép ghi "
                "chú của anh/chị sang tệp mới trong "
                f"phan-hoi/ rồi chạy: {command}\n"
            )
