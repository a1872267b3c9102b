"""`check`: files checked alone, nothing consolidated or written."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ..form import DEFAULT_FORM, Form
from ..render.summary import print_check
from ..run.consolidate import check_report
from ..text.command import MAKE_MARK, as_typed, consolidate_command
from . import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, say_err


def command(form: Form, args: argparse.Namespace) -> int:
    """Check each file given alone: its findings, or JSON (`--json`); exit 1 when one has errors."""
    missing = [p for p in args.files if not p.is_file()]
    if missing:
        for p in missing:
            if p.is_dir():
                say_err(
                    f"Lỗi: '{p}' là một thư mục. Hãy chỉ tên các tệp cần kiểm tra (ví dụ '{p}/*.xlsx'), "
                    f"hoặc tổng hợp cả thư mục bằng: {_consolidate_command(form, p)}"
                )
            else:
                say_err(f"Lỗi: không tìm thấy tệp '{p}'.")
        return EXIT_USAGE
    result = check_report(form, args.files)
    if args.json:
        print(result.to_json())
    else:
        print_check(result.parsed, result.skipped)
    return EXIT_FINDINGS if result.failed else EXIT_OK


def _consolidate_command(form: Form, inbox: Path) -> str:
    """The command that consolidates the folder `inbox` with `form`, as the officer types it
    (`text.command.consolidate_command`: make under make, else the console command with the
    configuration it was given)."""
    default = form.path.resolve() == DEFAULT_FORM.resolve() and not os.environ.get(MAKE_MARK)
    return consolidate_command(str(inbox), None if default else as_typed(form.path))
