"""`samples`: the sample inbox written again."""

from __future__ import annotations

import argparse
import sys

from ..form import Form
from ..samples import SamplesRefused, write_samples
from ..system.signals import EXIT_INTERRUPTED
from ..text.oserrors import io_failure, os_error_behind
from . import EXIT_OK, EXIT_OUTBOX, EXIT_USAGE, say_err

# what a `samples` stopped part way says: its folder holds part of a set, which the next
# `samples` replaces (`samples.write_samples`)
UNFINISHED = "Hộp thư mẫu trong {out}/ chưa đủ; hãy chạy lại đúng lệnh vừa chạy{after}."


def command(form: Form, args: argparse.Namespace) -> int:
    """Write the sample inbox of `form` into `args.out`; EXIT_USAGE, with the reason on
    stderr and nothing deleted or written, when the folder holds files the command did
    not write (`samples.SamplesRefused`); EXIT_OUTBOX on an error of the disk (a full
    disk, also wrapped by XlsxWriter), EXIT_INTERRUPTED on Ctrl-C, each saying that the
    folder holds part of a set."""
    try:
        paths = write_samples(form, args.out)
    except SamplesRefused as exc:
        say_err(exc.message)
        return EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write("\n")  # after the ^C the terminal shows
        say_err("Đã dừng theo yêu cầu. " + UNFINISHED.format(out=args.out, after=""))
        return EXIT_INTERRUPTED
    except Exception as exc:
        cause = os_error_behind(exc)
        if cause is None:
            raise
        say_err(f"Lỗi: {io_failure(cause)}. " + UNFINISHED.format(out=args.out, after=" sau khi sửa"))
        return EXIT_OUTBOX
    print(f"Đã tạo {len(paths)} tệp mẫu trong {args.out}/")
    return EXIT_OK
