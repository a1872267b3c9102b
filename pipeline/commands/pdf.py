"""`pdf`: the report and the six consolidated biểu in one PDF to sign (LibreOffice)."""

from __future__ import annotations

import argparse
import sys

from ..form import Form
from ..outbox.paths import document_path
from ..render.pdf import PdfError, pdf_document, write_pdf
from . import EXIT_OK, EXIT_USAGE


def command(form: Form, args: argparse.Namespace) -> int:
    """Write the PDF of the current set in `args.outbox` and say which report it holds."""
    try:
        path = write_pdf(form, args.outbox)
    except PdfError as exc:
        sys.stderr.write(f"Lỗi: {exc}\n")
        return EXIT_USAGE
    doc = pdf_document(form, args.outbox)
    if doc != document_path(args.outbox, form.year, form.programme_info.prefix):  # a kept copy, not the draft
        print(f"Báo cáo in trong PDF là bản anh/chị đã hoàn thiện: {doc} (không phải bản dự thảo mới).")
    else:
        print(f"Báo cáo in trong PDF là bản dự thảo: {doc}.")
    print(f"Đã tạo tệp PDF (báo cáo và các biểu B01-B06) để in và ký: {path}")
    return EXIT_OK
