"""`chep-cau-hinh`: the officer's own copy of the installed configuration, for this year."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..form import (
    Form,
    FormError,
    installed,
    launcher_line,
    load_form,
    own_copy,
    own_copy_path,
    pending_fields,
)
from ..text.command import as_typed, command_name, quoted
from . import EXIT_OK, EXIT_OUTBOX, EXIT_USAGE, say_err


def command(form: Form, args: argparse.Namespace) -> int:
    """Copy the installed configuration `form` (its whole folder: `form.owncopy`) into
    `cau-hinh/` of the current folder, keeping what is there; say which file to edit, the
    settings still "cần điền" in it, and how to run with it. A configuration that is not
    the installed one is the officer's already: nothing is copied."""
    if not installed(form.path):
        print(
            f"Tệp cấu hình {as_typed(form.path)} không phải bản cài sẵn của chương trình: anh/chị sửa thẳng "
            "tệp đó, không cần chép."
        )
        _what_to_fill(form.path)
        return EXIT_OK
    target = own_copy_path(form.path, Path.cwd())
    had = target.is_file()
    try:
        copy = own_copy(form.path, Path.cwd())
    except OSError as exc:
        say_err(
            f"Lỗi: không chép được cấu hình vào thư mục {as_typed(target.parent)} "
            f"({exc.strerror or exc}); hãy chạy lệnh trong thư mục làm việc mà anh/chị ghi được."
        )
        return EXIT_OUTBOX
    try:
        load_form(copy)  # the copy is whole: it loads from its own folder
    except FormError as exc:
        say_err(f"Lỗi cấu hình: bản sao {as_typed(copy)} không dùng được: {exc}")
        return EXIT_USAGE
    if had:
        print(
            f"Đã có bản sao {as_typed(copy)}: giữ nguyên (không ghi đè), chỉ chép thêm các tệp còn thiếu "
            f"vào thư mục {as_typed(copy.parent)}."
        )
    else:
        print(
            f"Đã chép cấu hình cài sẵn {form.path.name} cùng tệp bố cục, lời văn báo cáo và danh sách tham chiếu "
            f"vào thư mục {as_typed(copy.parent)}. Bản sao này là của anh/chị: cài lại hay nâng cấp chương trình "
            "không thay đổi nó."
        )
    print(f"Tệp để sửa (mở bằng Notepad): {as_typed(copy)}")
    _what_to_fill(copy)
    print(
        f"Từ nay chạy với bản sao đó: {command_name()} --config {quoted(as_typed(copy))} templates (hay "
        f'consolidate, …); với Tong-hop-bao-cao.bat: sửa dòng set "CAU_HINH=" ở đầu tệp thành {launcher_line(copy)}'
    )
    return EXIT_OK


def _what_to_fill(path: Path) -> None:
    """Print the settings of `path` still "cần điền" and how to write them; nothing when none."""
    pending = pending_fields(path)
    if pending:
        print(
            f"Còn {len(pending)} mục «cần điền»: {', '.join(pending)}. Ở mỗi mục, thay chỗ «cần điền» (cả dấu "
            "ngoặc vuông quanh nó, nếu có) bằng nội dung thật, giữ dấu nháy hai đầu; riêng hạn nộp viết ngày "
            "dạng năm-tháng-ngày, không có dấu nháy (ví dụ due_before = 2025-12-01). Rồi lưu tệp."
        )
