"""`samples`: the sample inbox written again."""

from __future__ import annotations

import argparse

from ..form import Form
from ..samples import write_samples
from . import EXIT_OK


def command(form: Form, args: argparse.Namespace) -> int:
    """Write the sample inbox of `form` into `args.out`."""
    paths = write_samples(form, args.out)
    print(f"Đã tạo {len(paths)} tệp mẫu trong {args.out}/")
    return EXIT_OK
