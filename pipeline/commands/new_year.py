"""`new-year`: the configuration of the next reporting year."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..form import Form, FormError, own_copy
from ..newyear import plan_next_year, write_next_year
from ..text.command import as_typed, command_name
from . import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE


def command(form: Form, args: argparse.Namespace) -> int:
    """Plan the next year's configuration, show the changes and write it (asked, or --yes)."""
    source = own_copy(form.path, Path.cwd())
    if source != form.path:
        print(f"Đã chép cấu hình cài sẵn vào {as_typed(source.parent)} để anh/chị giữ và sửa được.")
    try:
        plan = plan_next_year(source, args.out)
    except FormError as exc:
        sys.stderr.write(f"Lỗi: {exc}\n")
        return EXIT_USAGE
    print(f"Cấu hình năm {form.year + 1}, từ {as_typed(form.path)}, sẽ được ghi vào {as_typed(plan.target)}:")
    for c in plan.changes:
        print(f"  {c.label}: {c.old} -> {c.new}")
    print(
        "Các phần khác giữ nguyên (tên cơ quan, danh sách đơn vị, địa bàn, nội dung hỗ trợ); "
        "hãy mở tệp mới để kiểm tra lại nếu có thay đổi."
    )
    for line in plan.checks:
        print(f"Cần kiểm tra: {line}")
    if plan.target.exists():
        sys.stderr.write(
            f"Lỗi: tệp {plan.target} đã có; chương trình không ghi đè. Xóa tệp đó hoặc chọn tên khác bằng --out.\n"
        )
        return EXIT_USAGE
    if not args.yes:
        if not sys.stdin.isatty():
            sys.stderr.write("Chưa ghi gì: thêm --yes để ghi mà không cần hỏi.\n")
            return EXIT_FINDINGS
        answer = input("Ghi tệp cấu hình mới? (c/k): ").strip().casefold()
        if answer not in ("c", "có", "co", "y", "yes"):
            print("Chưa ghi gì.")
            return EXIT_FINDINGS
    try:
        new = write_next_year(plan)
    except FileExistsError:
        sys.stderr.write(f"Lỗi: tệp {plan.target} đã có; chương trình không ghi đè.\n")
        return EXIT_USAGE
    except FormError as exc:
        sys.stderr.write(f"Lỗi: cấu hình mới không hợp lệ, chưa ghi: {exc}\n")
        return EXIT_USAGE
    print(
        f"Đã ghi {as_typed(plan.target)}. Tạo mẫu năm {new.year}: "
        f"{command_name()} --config {as_typed(plan.target)} templates (hoặc make templates CONFIG={as_typed(plan.target)})"
    )
    return EXIT_OK
