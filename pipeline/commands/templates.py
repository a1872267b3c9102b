"""`templates`: a blank template for every unit."""

from __future__ import annotations

import argparse

from ..form import Form
from ..outbox.paths import templates_dir
from ..render.template import TemplatesOfAnotherForm, write_templates
from . import EXIT_OK, EXIT_USAGE, say_err, warn_pending


def command(form: Form, args: argparse.Namespace) -> int:
    """Write the templates of `form` into the outbox's templates folder."""
    out = templates_dir(args.outbox, form.year)
    try:
        paths = write_templates(form, out)
    except TemplatesOfAnotherForm as exc:
        say_err(f"Lỗi: {exc}")
        return EXIT_USAGE
    print(f"Đã tạo {len(paths)} mẫu báo cáo năm {form.year} trong {out}/")
    warn_pending(form)
    return EXIT_OK
