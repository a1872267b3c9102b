"""`pdf`: the report and the six consolidated biểu in one PDF to sign (LibreOffice)."""

from __future__ import annotations

import argparse
import sys

from ..form import Form
from ..render.pdf import PdfError, write_pdf
from . import EXIT_OK, EXIT_USAGE


def command(form: Form, args: argparse.Namespace) -> int:
    """Write the PDF of the current set in `args.outbox` and say which report it holds."""
    try:
        printed = write_pdf(form, args.outbox)
    except PdfError as exc:
        sys.stderr.write(f"Lỗi: {exc}\n")
        return EXIT_USAGE
    for line in [*printed.open_lines(), *printed.document.lines()]:
        print(line)
    print(f"Đã tạo tệp PDF (báo cáo và các biểu B01-B06) để in và ký: {printed.path}")
    return EXIT_OK
