"""Which configuration a template of another form belongs to, and what to run instead.

A template carries its form id and its unit code's scheme (marker sheet). Read under another
configuration it must be rejected by name, never matched to a unit by the number alone (An
Giang's 2025 codes reuse old commune codes for other places): this says whose it is.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from .model import SCHEMAS_DIR, Form


def owner_of(form: Form, form_id: str) -> Path | None:
    """The configuration (next to `form`'s, or shipped) whose form id is `form_id`."""
    for folder in dict.fromkeys((form.path.parent, SCHEMAS_DIR)):
        for path in sorted(folder.glob("*.toml")):
            try:
                raw = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError):
                continue
            if raw.get("form", {}).get("id") == form_id and path.resolve() != form.path.resolve():
                return path
    return None


def foreign_template(form: Form, form_id: str, scheme: str = "", command: str = "python -m pipeline") -> str:
    """The Vietnamese finding for a template of form `form_id` read under `form`: the
    configuration it belongs to and the command to check it there, else what is known."""
    owner = owner_of(form, form_id)
    theirs = f" (mã đơn vị theo hệ mã {scheme})" if scheme else ""
    ours = ", ".join(form.schemes)
    if owner is None:
        return (
            f"tệp là mẫu '{form_id or '?'}'{theirs}, không phải mẫu '{form.id}' của cấu hình "
            f"{form.path.name} (hệ mã {ours}); hãy dùng mẫu do Sở gửi theo cấu hình này"
        )
    return (
        f"tệp là mẫu của cấu hình {owner.name}{theirs}, không phải của cấu hình {form.path.name} "
        f"đang dùng (hệ mã {ours}); mã đơn vị của hai cấu hình không so với nhau được. Nếu tệp "
        f"thuộc kỳ báo cáo của cấu hình kia, hãy chạy: {command} --config {_typed(owner)} check <tệp>; "
        f"nếu không, hãy gửi đơn vị mẫu mới: {command} --config {_typed(form.path)} templates"
    )


def _typed(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
