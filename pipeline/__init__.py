"""Consolidation of the annual reports under Decision 588/QĐ-TTg (Kiên Giang)."""

from .consolidate import Report, check_files, run
from .form import Form, FormError, load_form
from .template import write_templates

__all__ = ["Form", "FormError", "Report", "check_files", "load_form", "run", "write_templates"]
