"""The letters after a `consolidate` run: written again when they describe an earlier
run. Its own module, so the run imports the drafts but neither IMAP nor SMTP."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TextIO

from ..form import Form, FormError
from ..intake.mail_settings import load_mail_settings
from ..text.oserrors import read_reason
from .drafts import Draft, NoRunError, drafts_dir, refresh_drafts


def refresh_after_run(form: Form, outbox: Path, quiet: bool = False) -> None:
    """After `consolidate` made a new set current: write the letters in `thu/` again when
    they describe an earlier run (`drafts.refresh_drafts`), and say so (on stderr when
    `quiet`, e.g. under --json). A failure is one warning line; the run stays done."""
    try:
        settings = load_mail_settings(form)
        done = refresh_drafts(form, settings, outbox, dt.datetime.now(settings.zone).date())
    except (NoRunError, FormError, OSError) as exc:
        reason = read_reason(exc) if isinstance(exc, OSError) else str(exc)
        sys.stderr.write(
            f"Cảnh báo: thư trả lời đơn vị trong {drafts_dir(outbox, form.year)} là của lần tổng hợp "
            f"trước và chưa soạn lại được ({reason}); chạy 'mail drafts' trước khi gửi.\n"
        )
        return
    if done is None:
        return
    line = (
        f"Đã soạn lại {len(done)} thư trả lời đơn vị trong {drafts_dir(outbox, form.year)}/ theo kết quả "
        "lần tổng hợp này (thư soạn trước đó không gửi được nữa)."
    )
    out = sys.stderr if quiet else sys.stdout
    out.write(line + "\n")
    say_kept(done, out)


def check_hint(unit: str, kept: Path, new: Path) -> str:
    """What the officer does when their edited letter `kept` belongs to an earlier run and
    the new draft `new` for `unit` is held until they check it (Vietnamese, one line)."""
    return (
        f"  Thư gửi đơn vị {unit} KHÔNG được gửi cho đến khi anh/chị kiểm tra: thư đã sửa ({kept.name}, "
        "trong thu/cu/) viết theo lần tổng hợp trước. Hãy mở thư mới soạn "
        f"({new.name}), chép phần anh/chị đã thêm (nếu vẫn đúng) vào đó, lưu lại rồi chạy lại lệnh; "
        "nếu không cần phần đã thêm nữa, xóa thư đã sửa trong thu/cu/ rồi chạy lại lệnh."
    )


def say_kept(drafts: list[Draft], out: TextIO, hints: bool = True) -> None:
    """For each unit: its earlier draft the officer changed, kept beside the new one, and
    (`hints`) how to check it, while its new draft waits for that check; its letter the
    officer edited for this run, left as saved. `hints` is False when the sending summary
    says it per unit."""
    for d in drafts:
        if d.kept is not None:
            out.write(f"Giữ nguyên thư anh/chị đã sửa: {d.kept} (thư mới soạn: {d.path})\n")
        if hints and d.unchecked is not None:
            out.write(check_hint(d.unit, d.unchecked, d.path) + "\n")
        if d.edited:
            out.write(
                f"Giữ nguyên thư anh/chị đã sửa cho đơn vị {d.unit}: {d.path} (viết theo đúng lần tổng hợp "
                "này nên không soạn lại; khi gửi, gửi đúng bản anh/chị đã sửa)\n"
            )
