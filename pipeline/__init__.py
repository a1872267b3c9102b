"""Consolidation of the annual reports under Decision 588/QĐ-TTg (Kiên Giang).

The public names are imported lazily, so that light commands (`form`, `templates`) do not
pay for importing pandas and pandera.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Form", "FormError", "Report", "check_files", "load_form", "run", "write_templates"]

_WHERE = {
    "Form": "form",
    "FormError": "form",
    "load_form": "form",
    "Report": "run.consolidate",
    "check_files": "run.consolidate",
    "run": "run.consolidate",
    "write_templates": "render.template",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(name)
    from importlib import import_module

    # a public name's module, imported when the name is first used (see the docstring)
    return getattr(import_module(f".{_WHERE[name]}", __name__), name)
