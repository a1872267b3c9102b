"""`samples`: the sample inbox written again."""

from __future__ import annotations

import argparse

from ..form import Form
from ..samples import SamplesRefused, write_samples
from . import EXIT_OK, EXIT_USAGE, say_err


def command(form: Form, args: argparse.Namespace) -> int:
    """Write the sample inbox of `form` into `args.out`; EXIT_USAGE, with the reason on
    stderr and nothing deleted or written, when the folder holds files the command did
    not write (`samples.SamplesRefused`)."""
    try:
        paths = write_samples(form, args.out)
    except SamplesRefused as exc:
        say_err(exc.message)
        return EXIT_USAGE
    print(f"Đã tạo {len(paths)} tệp mẫu trong {args.out}/")
    return EXIT_OK
