"""`tong-ket`: the programme's final review from the yearly outboxes."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..form import Form, FormError, load_form, pending_fields, where_to_fill
from ..newyear import successor_of
from ..outbox.kept import EDITED_SUFFIX
from ..review import NoResultsError, write_review
from ..review.build import NoReviewWording
from ..review.workbook import missing_lines
from ..text.command import as_typed, command_name, quoted
from . import EXIT_OK, EXIT_OUTBOX, EXIT_USAGE, say_err


def _outbox_of(config: Path) -> str:
    """The `[paths] outbox` of the configuration at `config`, as typed in a command; a
    placeholder naming it when it cannot be read."""
    try:
        return quoted(str(load_form(config).outbox))
    except FormError:
        return f"<thư mục kết quả của {config.stem}>"


def command(form: Form, args: argparse.Namespace) -> int:
    """Write the final review's workbook and draft from the yearly outboxes."""
    outboxes = args.outbox or [Path("outbox")]
    out = args.out or outboxes[0] / "tong-ket"
    try:
        done = write_review(form, outboxes, out, f"{command_name()} --config {quoted(as_typed(form.path))}")
    except NoResultsError as exc:
        say_err(f"Lỗi: {exc}")
        return EXIT_USAGE
    except NoReviewWording as exc:
        successor = successor_of(form.path, form.year + 1)
        use = (
            f"; báo cáo tổng kết lập bằng cấu hình {as_typed(successor[0])}, với kết quả các năm của "
            f"cả hai cấu hình: {command_name()} --config {quoted(as_typed(successor[0]))} tong-ket "
            f"--outbox {quoted(as_typed(outboxes[0]))} --outbox {_outbox_of(successor[0])}"
            if successor
            else "; hãy chạy tong-ket với cấu hình có mục [final_review]"
        )
        say_err(f"Lỗi: {exc}{use}. Chưa ghi tệp nào.")
        return EXIT_USAGE
    except FormError as exc:
        say_err(f"Lỗi cấu hình: {exc}")
        return EXIT_USAGE
    except OSError as exc:
        say_err(f"Lỗi: không ghi được vào {out}: {exc}")
        return EXIT_OUTBOX
    cfg = done.review.config
    print(
        f"Tổng kết {cfg.first_year}-{cfg.last_year}: số liệu các năm {', '.join(map(str, done.review.found)) or 'không có'}."
    )
    for line in missing_lines(done.review):
        say_err(f"Cảnh báo: {line}")
    for line in done.review.years.chosen.values():
        say_err(f"Lưu ý: {line}.")
    print(f"Bảng tổng hợp: {done.workbook}")
    print(f"Dự thảo báo cáo tổng kết (Word): {done.document}")
    for path in done.kept:
        if EDITED_SUFFIX in path.stem:
            print(f"Giữ nguyên bản anh/chị đã sửa (không xóa): {path}")
        else:  # a folder written before the record: which copies hold edits is unknown
            print(f"Giữ bản trước (không xóa): {path}")
    for line in done.carried_lines():  # what the new draft carries from which version, what not
        print(line)
    pending = [k for k in pending_fields(form.path, leave_out=()) if k.startswith("final_review.")]
    if pending:
        say_err(
            f"Lưu ý: mục [final_review] của {form.path.name} còn {len(pending)} chỗ «cần điền» "
            f"({', '.join(pending)}); dự thảo ghi «cần điền» ở các chỗ đó: {where_to_fill(form.path)} rồi chạy lại."
        )
    return EXIT_OK
