"""`templates`: a blank template for every unit."""

from __future__ import annotations

import argparse

from ..form import Form
from ..outbox.paths import templates_dir
from ..render.template import TemplatesOfAnotherForm, write_templates
from ..text.oserrors import io_failure, os_error_behind
from . import EXIT_OK, EXIT_OUTBOX, EXIT_USAGE, say_err, warn_pending


def command(form: Form, args: argparse.Namespace) -> int:
    """Write the templates of `form` into the outbox's templates folder."""
    out = templates_dir(args.outbox, form.year)
    try:
        paths = write_templates(form, out)
    except TemplatesOfAnotherForm as exc:
        say_err(f"Lỗi: {exc}")
        return EXIT_USAGE
    except Exception as exc:  # a full disk, a folder not writable: what is there is no whole set
        cause = os_error_behind(exc)  # also when XlsxWriter wrapped it (FileCreateError)
        if cause is None:
            raise
        say_err(
            f"Lỗi: {io_failure(cause)}. Bộ mẫu trong {out}/ chưa đủ, chưa gửi cho đơn vị; hãy chạy lại lệnh "
            "templates sau khi sửa."
        )
        return EXIT_OUTBOX
    print(f"Đã tạo {len(paths)} mẫu báo cáo năm {form.year} trong {out}/")
    warn_pending(form)
    return EXIT_OK
