"""Whether the inbox looks like another configuration's: most of its templates made by
another configuration (another province, the structure before or after the 2025 reforms) or
of a newer version of this form. The run's summary says so on its first line, with the
command to run instead (issue #22, item 6)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ..form import Form, config_with_version, declared_outbox, meta_cell, owner_of
from .result import Report

FOREIGN, OLD, NEWER = "TEMPLATE_UNKNOWN", "TEMPLATE_OLD", "TEMPLATE_NEWER"


def _version_key(version: str) -> tuple[int | str, ...]:
    """ "2025.ag1" -> (2025, "ag1"): versions compared part by part, numbers as numbers."""
    return tuple(int(p) if p.isdigit() else p for p in version.split("."))


def _newer(version: str, than: str) -> bool:
    try:
        return _version_key(version) > _version_key(than)
    except TypeError:  # a number against a word: not comparable, not said to be newer
        return False


def kinds_of_templates(form: Form, report: Report) -> Counter[tuple[str, str]]:
    """How many files of the run are templates of each kind: ("ours", "") read as this
    configuration's, ("form", id) another configuration's form, ("scheme", scheme) this form
    with units in another code scheme, ("version", v) a newer version of this form. Files
    that are not templates (no mark), or of an older version, are not counted."""
    kinds: Counter[tuple[str, str]] = Counter()
    for rec in report.files:
        p = rec.parsed
        mark = next((f for f in p.findings if f.code in (FOREIGN, OLD, NEWER) and f.value), None)
        if mark is None:
            if p.unit_code:
                kinds[("ours", "")] += 1
        elif mark.code == FOREIGN:
            kinds[("form" if mark.cell == meta_cell("form_id") else "scheme", str(mark.value))] += 1
        elif _newer(str(mark.value), form.version):
            kinds[("version", str(mark.value))] += 1
    return kinds


def _typed(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _outbox_of(config: Path) -> str:
    """What the command to run with `config` adds for its results folder: nothing when the
    configuration declares its own (`[paths] outbox`: it writes there without --outbox, brk46),
    else the option with a placeholder (a folder of its own, never this configuration's)."""
    return "" if declared_outbox(config) else " --outbox <thư mục kết quả riêng của cấu hình đó>"


def wrong_configuration(report: Report, command: str) -> str:
    """One Vietnamese line when more than half of the run's templates are of one other kind
    (`kinds_of_templates`): what they are and the command to run instead; "" otherwise."""
    form = report.form
    kinds = kinds_of_templates(form, report)
    total = sum(kinds.values())
    others = [(n, kind) for kind, n in kinds.most_common() if kind[0] != "ours"]
    if not others or others[0][0] * 2 <= total:
        return ""
    n, (kind, value) = others[0]
    share = f"{n}/{total} tệp mẫu trong hộp thư"
    ours = f"cấu hình {form.path.name} đang dùng (mẫu '{form.id}', phiên bản {form.version})"
    inbox = _typed(report.inbox)
    if kind == "form":
        owner = owner_of(form, value)
        if owner is None:
            return (
                f"CHÚ Ý: {share} là mẫu '{value}', không phải mẫu của {ours}; "
                "có lẽ đã chọn nhầm cấu hình: hãy chạy lại với cấu hình đã dùng để tạo các mẫu đó (--config)."
            )
        return (
            f"CHÚ Ý: {share} là mẫu của cấu hình {owner.name}, không phải của {ours}; có lẽ đã chọn nhầm "
            f"cấu hình. Hãy chạy: {command} --config {_typed(owner)} consolidate --inbox {inbox}{_outbox_of(owner)}"
        )
    if kind == "version":
        newer = config_with_version(form, value)
        instead = (
            f"{command} --config {_typed(newer)} consolidate --inbox {inbox}{_outbox_of(newer)}"
            if newer
            else f"{command} --config {_typed(form.path)} new-year (rồi chạy lại với cấu hình mới)"
        )
        return (
            f"CHÚ Ý: {share} dùng mẫu phiên bản {value}, mới hơn {ours}; có lẽ cần cấu hình mới hơn. "
            f"Hãy chạy: {instead}"
        )
    return (
        f"CHÚ Ý: {share} ghi mã đơn vị theo {form.scheme_label(value)}, không phải theo mã của {ours} "
        f"({form.schemes_text(form.schemes)}); có lẽ đã chọn nhầm cấu hình: hãy chạy lại với cấu hình "
        "dùng mã đó (--config)."
    )
