"""`consolidate`: check and consolidate the inbox, write the outputs as one set.

This module is light: it starts the reading (worker processes forked or spawned from a
process without pandas, pandera or the writers), then imports the command's heavy half
(`after_reading`) while the workers read (README, "Start-up").
"""

from __future__ import annotations

import argparse
import signal
import sys
import uuid

from ..form import Form, FormError
from ..intake.inbox import why_unlisted
from ..outbox.atomic import OutboxBusy, OutboxHeld, OutboxUnwritable, current_set_note
from ..render.summary import print_summary
from ..run.changes import replaced_pdf_lines
from ..run.reading import read_inbox
from ..system.signals import stop_once
from . import EXIT_BUSY, EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_OK, EXIT_OUTBOX, EXIT_USAGE, say_err


def command(form: Form, args: argparse.Namespace) -> int:
    """Consolidate `args.inbox` into `args.outbox`, print the summary (or the JSON report),
    write the letters again when they describe an earlier run; the exit code says how it
    went (package docstring)."""
    if not args.inbox.is_dir():
        what = "không phải là thư mục" if args.inbox.exists() else "không tồn tại"
        say_err(f"Lỗi: thư mục tệp nhận được '{args.inbox}' {what}. Kiểm tra lại --inbox.")
        return EXIT_USAGE
    unreadable = why_unlisted(args.inbox)  # no empty inbox: the current set stays (brk50 F1)
    if unreadable:
        say_err(f"Lỗi: không mở được thư mục tệp nhận được '{args.inbox}': {unreadable}.")
        return EXIT_USAGE
    if args.workers is not None and args.workers < 1:
        sys.stderr.write("Lỗi: --workers phải từ 1 trở lên.\n")
        return EXIT_USAGE
    if args.archive is not None and not args.archive.is_dir():
        say_err(
            f"Cảnh báo: không có thư mục --archive '{args.archive}'; "
            "bảng so sánh với các năm trước sẽ trống. Kiểm tra lại đường dẫn."
        )
    run_id = uuid.uuid4().hex
    signal.signal(signal.SIGTERM, stop_once)  # a closed session stops like Ctrl-C
    try:
        with read_inbox(form, args.inbox, args.outbox, args.workers, show=not args.json) as reading:
            # The command's heavy half (pandas, pandera, the writers: about 0.5 s), imported
            # here, while the worker processes read: they started from this light process.
            from . import after_reading

            report = after_reading.consolidate(form, args, reading, run_id)
    except OutboxBusy as exc:
        say_err(str(exc))
        return EXIT_BUSY
    except OutboxUnwritable as exc:
        say_err(f"Lỗi: {exc.message} {current_set_note(args.outbox, form.year, run_id)}")
        return EXIT_OUTBOX
    except OutboxHeld as exc:
        if exc.report is not None and not args.json:
            print_summary(exc.report)
        say_err(f"Chưa xong: {exc.message} {current_set_note(args.outbox, form.year, run_id)}")
        return EXIT_OUTBOX
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        say_err(f"Đã dừng theo yêu cầu. {current_set_note(args.outbox, form.year, run_id)}")
        return EXIT_INTERRUPTED
    except FormError as exc:  # e.g. the report's wording names a figure that does not exist
        say_err(f"Lỗi cấu hình: {exc}")
        return EXIT_USAGE
    after_reading.show(form, args, report)
    if not args.json:  # last, where the officer reads what to do next
        for line in replaced_pdf_lines(form, args.outbox):
            print(line)
    if args.strict and report.strict_failures:
        return EXIT_FINDINGS
    return EXIT_OK
