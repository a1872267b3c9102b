"""The next reporting year's configuration, and the warning that the configured one is over.

`plan_next_year` reads a configuration file (TOML, comments kept by tomlkit) and returns the
new text with the year, the period dates, the deadline and the template version moved one
year on, and the list of what changed, for the officer to read before anything is written.
`write_next_year` writes it to a new file only: it never overwrites a file, and the written
configuration is loaded once to prove it is valid.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import tomlkit

from .form import (
    PENDING,
    SCHEMAS_DIR,
    Form,
    FormError,
    Period,
    config_option,
    declared_outbox,
    is_pending,
    load_form,
    replaces_of,
    years_later,
)
from .outbox.atomic import publish_new, write_bytes_atomic
from .text.command import MAKE_MARK, as_typed
from .text.names import MAX_NAME, is_windows_name, windows_name

_YEAR_SUFFIX = re.compile(r"-(\d{4})$")
_VERSION = re.compile(r"(\d{4})(.*)")


@dataclass(frozen=True)
class Change:
    """One value of the configuration that the next year changes (labels in Vietnamese)."""

    label: str
    old: str
    new: str


@dataclass(frozen=True)
class NextYear:
    """The next year's configuration: where it goes, its text, and what changed."""

    target: Path
    text: str
    changes: list[Change]
    checks: list[str] = field(default_factory=list)
    """What was kept but may belong to the old year (Vietnamese lines): the letter that asked
    for the report (`[form] request`), which may be a standing one (182/UBND-KGVX asks every
    year) or the old year's own."""


def period_over(
    form: Form, today: dt.date, command: str = "python -m pipeline", run_year: int | None = None
) -> str | None:
    """A one-line Vietnamese warning when `today` is after the configured period's end, with
    what to use for the next year (`next_year_advice`); None when the period is not over, or
    when the run is of another year (`run_year`, e.g. `consolidate --year 2024`), whose
    period the configuration's dates do not describe."""
    if run_year is not None and run_year != form.year:
        return None
    if today <= form.period.end:
        return None
    return (
        f"Lưu ý: kỳ báo cáo năm {form.year} ({form.path.name}) đã kết thúc ngày "
        f"{form.period.end:%d/%m/%Y} (hạn nộp: {form.period.due_text}); "
        f"năm {form.year + 1}: {next_year_advice(form, command)}"
    )


def next_year_advice(form: Form, command: str) -> str:
    """What to run for the year after `form`'s, as the officer types it (under make,
    `MAKE_MARK`, as a make target with CONFIG=…): the configuration of
    that year when it exists (made by new-year, or a successor configuration already of that
    year), else `new-year` from the current structure (the successor when the province has
    changed, e.g. An Giang after Kiên Giang)."""
    new_year = form.year + 1
    successor = successor_of(form.path, new_year)
    base = successor[0] if successor else form.path
    for candidate in (base, default_target(base, new_year)):
        if (
            candidate.is_file()
            and candidate.resolve() != form.path.resolve()
            and _year_of(candidate) == new_year
        ):
            if os.environ.get(MAKE_MARK):  # as make runs it (brk52 F6)
                return f"dùng cấu hình {as_typed(candidate)} (make … CONFIG={as_typed(candidate)})"
            return f"dùng cấu hình {as_typed(candidate)} ({command} --config {as_typed(candidate)} …)"
    if os.environ.get(MAKE_MARK):
        return f"make new-year CONFIG={config_option(base)}"
    return f"{command} --config {config_option(base)} new-year"


def _year_of(path: Path) -> int | None:
    """`[period] year` of a configuration file, None when it cannot be read."""
    try:
        return int(tomllib.loads(path.read_text(encoding="utf-8"))["period"]["year"])
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError):
        return None


def replaced(path: Path) -> tuple[Path, int] | None:
    """The configuration `path` replaces and the first year `path` holds for
    (`form.replaces_of`), the other file next to it: None when it replaces none, or that
    file is not there."""
    found = replaces_of(path)
    other = path.parent / found[0] if found else None
    return (other, found[1]) if found and other is not None and other.is_file() else None


def predecessor_of(path: Path) -> Path | None:
    """The configuration `path` replaces (`replaced`), None when it replaces none."""
    found = replaced(path)
    return found[0] if found else None


def outboxes_of(form: Form) -> list[Path]:
    """The outboxes a programme-wide view reads: `form`'s own (`[paths] outbox`), then that of
    each configuration it replaces (An Giang's, then Kiên Giang's), without repeats."""
    found = [form.outbox]
    path, seen = form.path, {form.path.resolve()}
    while (path := predecessor_of(path)) is not None and path.resolve() not in seen:
        seen.add(path.resolve())
        folder = declared_outbox(path) or Path("outbox")
        if folder not in found:
            found.append(folder)
    return found


def default_target(path: Path, year: int) -> Path:
    """`kien-giang.toml` -> `kien-giang-<year>.toml`; `x-2026.toml` -> `x-<year>.toml`
    (a name valid on Windows, whatever the old one was)."""
    stem = windows_name(_YEAR_SUFFIX.sub("", path.stem), max(MAX_NAME, len(path.name)))
    return path.with_name(f"{stem}-{year}{path.suffix}")


def plan_next_year(path: Path, target: Path | None = None) -> NextYear:
    """The configuration of the year after the one in `path`.

    Raises FormError when `path` is not a valid configuration, when `target` is in another
    folder (the configuration names its layout and lists by paths relative to its folder), or
    when another configuration replaces `path` by then (`successor_of`: Kiên Giang merged
    into An Giang from 2025; the message names the file to make the year from).
    """
    form = load_form(path)  # valid before anything else
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    new_year = form.year + 1
    target = target or default_target(path, new_year)
    if not is_windows_name(target.name):
        raise FormError(
            f"Tên tệp cấu hình mới «{target.name}» không dùng được trên Windows (tên dành riêng như CON, NUL, "
            'hoặc có ký tự <>:"/\\|?*, hoặc kết thúc bằng dấu chấm, dấu cách); hãy chọn tên khác bằng --out'
        )
    if target.resolve().parent != path.resolve().parent:
        raise FormError(
            f"Tệp cấu hình mới phải nằm cùng thư mục với {path} (cấu hình chỉ đến tệp bố cục và "
            "danh sách bằng đường dẫn tương đối)"
        )
    successor = successor_of(path, new_year)
    if successor is not None:  # the province changed: next year is the successor's
        raise FormError(
            f"Không làm cấu hình năm {new_year} từ {as_typed(path)}: từ năm {successor[1]} tỉnh dùng cấu hình "
            f"khác (địa giới, cơ quan mới), cấu hình này chỉ dùng đến năm {form.year}. Cấu hình năm {new_year} "
            f"làm từ {_successor_advice(successor[0], new_year)}."
        )
    period = doc["period"]
    changes = [Change("Năm báo cáo", str(form.year), str(new_year))]
    period["year"] = new_year
    for key, label in Period.DATES.items():
        old = getattr(form.period, key)
        if is_pending(old):  # still to fill in: stays "cần điền"
            continue
        new = years_later(old, 1)
        period[key] = new
        changes.append(Change(label, f"{old:%d/%m/%Y}", f"{new:%d/%m/%Y}"))
    m = _VERSION.fullmatch(form.version)
    if m and int(m.group(1)) == form.year:
        version = f"{new_year}{m.group(2)}"
        doc["form"]["version"] = version
        doc["form"]["accepted_versions"] = [version]
        changes.append(Change("Phiên bản mẫu", form.version, version))
        changes.append(Change("Phiên bản mẫu được nhận", ", ".join(form.accepted_versions), version))
    checks = []
    if form.request and PENDING not in form.request:  # one still to fill is named by every run
        checks.append(
            f"Văn bản yêu cầu báo cáo vẫn là «{form.request}» ([form] request): nếu năm {new_year} "
            f"có văn bản mới, hãy sửa dòng request trong tệp mới; dự thảo báo cáo năm {new_year} "
            "sẽ dẫn văn bản ghi ở đó."
        )
    start, end = form.period.start, form.period.end
    if not is_pending(start) and not is_pending(end) and years_later(start, 1) > end + dt.timedelta(days=1):
        # the old year's end and the new year's start leave days in no year's report (brk40
        # F9: 15/12 - 30/11 each year leaves 01/12 - 14/12 out; Nghị định 09/2019/NĐ-CP counts
        # a year from 15/12 to 14/12, and this report, due before 01/12, ends earlier)
        gap_end = years_later(start, 1) - dt.timedelta(days=1)
        checks.append(
            f"Kỳ báo cáo năm {form.year} kết thúc ngày {end:%d/%m/%Y}, kỳ năm {new_year} bắt đầu ngày "
            f"{years_later(start, 1):%d/%m/%Y}: số liệu từ {end + dt.timedelta(days=1):%d/%m/%Y} đến "
            f"{gap_end:%d/%m/%Y} không thuộc báo cáo năm nào. Nếu cần, sửa dòng start của mục [period] "
            f"trong tệp mới thành {end + dt.timedelta(days=1):%Y-%m-%d}."
        )
    if form.last_year is not None and new_year > form.last_year:
        checks.append(
            f"Đề án kết thúc năm {form.last_year} (giai đoạn {form.first_year} - {form.last_year}, [form] "
            f"last_year): năm {new_year} ngoài giai đoạn. Nếu tỉnh vẫn thu biểu này năm {new_year}, hãy sửa "
            "các dòng programme, title và request trong tệp mới theo văn bản mới; lũy kế của Đề án vẫn dừng ở "
            f"năm {form.last_year}. Báo cáo tổng kết giai đoạn: lệnh tong-ket với --config {as_typed(path)}."
        )
    return NextYear(target, tomlkit.dumps(doc), changes, checks)


def _successor_advice(successor: Path, new_year: int) -> str:
    """What the officer does with the successor configuration for `new_year`: use it when it
    is already of that year (an-giang-2026.toml, made by new-year), else make that year from
    it (new-year on an-giang.toml; the same command on an-giang-2026.toml would make 2027)."""
    if _year_of(successor) == new_year:
        return f"{as_typed(successor)} (đã là cấu hình năm {new_year}: dùng --config {as_typed(successor)})"
    return f"{as_typed(successor)} (lệnh: --config {as_typed(successor)} new-year)"


def successor_of(path: Path, year: int) -> tuple[Path, int] | None:
    """A configuration that replaces `path` from `year` or earlier (`[form] replaces = {
    config = "kien-giang.toml", from_year = 2025 }`), and that year: one next to `path`,
    else one of the shipped configurations (`form.SCHEMAS_DIR`), so the officer's own copy
    of kien-giang.toml in its own folder is replaced as the shipped one is. It replaces
    `path` when it names `path` (or, next to it, the original of a year's copy made by
    new-year, `kien-giang-2026.toml`), or names a configuration of `path`'s own form
    (`[form] id`: a copy under any name, in any folder).

    Of several (an-giang.toml and the an-giang-2026.toml new-year made from it, which names
    the same configuration), the one of `year` itself, else the original (no year in its
    name), else the earliest: never whichever the folder lists first (brk38 F5)."""
    base = _YEAR_SUFFIX.sub("", path.stem) + path.suffix
    own_id = _form_id(path)
    found_in: list[tuple[Path, int]] = []
    for folder in dict.fromkeys((path.parent.resolve(), SCHEMAS_DIR.resolve())):
        for other in sorted(folder.glob("*.toml")):
            if other.resolve() == path.resolve() or (found := replaces_of(other)) is None:
                continue
            named = folder == path.parent.resolve() and found[0] in (path.name, base)
            replaced = other.parent / found[0]
            same_form = own_id is not None and replaced.is_file() and _form_id(replaced) == own_id
            first = found[1] or year  # no from_year: from the year asked
            if (named or same_form) and first <= year:
                found_in.append((other, first))
        if found_in:  # one next to `path` is the officer's own: the shipped ones are not looked at
            break
    if not found_in:
        return None

    def rank(candidate: tuple[Path, int]) -> tuple[bool, bool, int]:
        of_year = _year_of(candidate[0])
        return of_year != year, _YEAR_SUFFIX.search(candidate[0].stem) is not None, of_year or 0

    return min(found_in, key=rank)


def _form_id(path: Path) -> str | None:
    """`[form] id` of a configuration file, None when it cannot be read."""
    try:
        found = tomllib.loads(path.read_text(encoding="utf-8")).get("form", {}).get("id")
    except (OSError, tomllib.TOMLDecodeError, AttributeError):
        return None
    return found if isinstance(found, str) else None


def write_next_year(plan: NextYear) -> Form:
    """Write the planned configuration to its new file and load it back.

    Raises FileExistsError when the file exists (never overwritten), FormError when the new
    configuration does not load (the file is then removed)."""
    tmp = plan.target.with_name(f".{plan.target.name}.{os.getpid()}.tmp")
    write_bytes_atomic(tmp, plan.text.encode("utf-8"))
    try:
        publish_new(tmp, plan.target)  # fails if the target exists: never overwritten
    finally:
        tmp.unlink()
    try:
        return load_form(plan.target)
    except FormError:
        plan.target.unlink()
        raise
