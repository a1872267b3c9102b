"""The officer's own copy of an installed configuration: which configuration `--config`
names, where the copy goes, how it is made, and what every message says about where to
fill a configuration in.

An installed wheel carries the configurations inside the package (`SCHEMAS_DIR` is then
`pipeline/shipped/schemas`; on Windows under `%LOCALAPPDATA%\\TongHop588\\venv\\Lib\\
site-packages`). The officer must not edit there: Cai-dat.bat's `pip install --upgrade`
replaces that folder, and the settings typed into it (the "cần điền" deadline, letter
number, signer) would be lost without a word. The officer's copy lives in `cau-hinh/`
beside the work folder (`OWN_FOLDER`), made by `chep-cau-hinh` for the current year and
by `new-year` before it writes the next year's.

The copy is the configuration's whole folder (the layout, the report's wording, the
reference lists, the other configurations), never a lone .toml made to find the installed
layout, wording and lists. That is the robust choice against upgrades: the templates units
fill for a year were made from one layout and one commune list, and reading them back
needs exactly those; a lone copy that fell back on the installed files would be read, after
an upgrade changed them, with a layout or list it was never written for (a moved cell, a
renamed commune), silently. A whole copy is frozen as the officer made it: an upgrade
changes nothing in it, and a later year's new-year starts from it. Files already in
`cau-hinh/` are never overwritten, so copying again only adds what is missing (a lone .toml
the officer put there keeps its edits and gets its layout and lists).
"""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path, PureWindowsPath

from ..text.command import as_typed, command_name, quoted
from .model import SCHEMAS_DIR

OWN_FOLDER = "cau-hinh"
"""Where the officer's copy of an installed configuration goes, beside the work folder."""

COPY_COMMAND = "chep-cau-hinh"
"""The command that makes that copy for the current year (`commands.own_copy`)."""

_YEAR_SUFFIX = re.compile(r"-\d{4}$")


def installed(path: Path) -> bool:
    """Whether `path` is a configuration the installed wheel carries (inside the package,
    `pipeline/shipped/schemas`), which the officer must not edit; False in a checkout,
    whose `schemas/` is the officer's (or developer's) own."""
    shipped = SCHEMAS_DIR.resolve()
    return "shipped" in shipped.parts and path.resolve().is_relative_to(shipped)


def config_named(typed: Path) -> Path:
    """The configuration `--config typed` names: `typed` itself when it exists; else, when
    typed as a bare file name (`an-giang.toml`) or as the README spells the shipped ones
    (`schemas/an-giang.toml`), the shipped configuration of that name (so the README's
    commands work from any folder, an installed program's too); else `typed` (loading it
    says it is not found)."""
    if typed.exists() or typed.parent not in (Path(), Path("schemas")):
        return typed
    shipped = SCHEMAS_DIR / typed.name
    return shipped if shipped.is_file() else typed


def config_option(path: Path) -> str:
    """The `--config` value that names `path` from the current folder, quoted for the shell:
    its path relative to that folder when inside it (`as_typed`); else, for a shipped one,
    its bare name (or `schemas/<name>`) when `config_named` takes that to `path` (not the
    installed package's long path); else its full path."""
    typed = as_typed(path)
    if not Path(typed).is_absolute():
        return quoted(typed)
    for spelling in (Path(path.name), Path("schemas") / path.name):
        if config_named(spelling).resolve() == path.resolve():
            return quoted(spelling.as_posix())
    return quoted(typed)


def own_copy_path(path: Path, where: Path) -> Path:
    """Where `own_copy` puts the installed configuration `path`: `where/cau-hinh/<name>`."""
    return where / OWN_FOLDER / path.resolve().relative_to(SCHEMAS_DIR.resolve())


def own_copy(path: Path, where: Path) -> Path:
    """The configuration at `path` where the officer may keep and edit it: itself, unless it
    is one the installed wheel carries (`installed`). Then its whole folder (layout, wording,
    reference lists, the other configurations: why, in the module's docstring) is copied to
    `where/cau-hinh/` (files already there are kept, never overwritten) and the copy is
    returned. OSError when the copy cannot be written."""
    if not installed(path):
        return path
    shipped = SCHEMAS_DIR.resolve()
    target = where / OWN_FOLDER
    for src in sorted(shipped.rglob("*")):
        if "__pycache__" in src.parts:
            continue
        dst = target / src.relative_to(shipped)
        if src.is_dir():
            dst.mkdir(parents=True, exist_ok=True)
        elif not dst.exists():
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    return own_copy_path(path, where)


def copy_command(path: Path) -> str:
    """The command, as the officer types it in the work folder, that copies the installed
    configuration `path` there (`chep-cau-hinh`)."""
    return f"{command_name()} --config {config_option(path)} {COPY_COMMAND}"


def launcher_line(copy: Path) -> str:
    """The line of Tong-hop-bao-cao.bat that makes it use `copy`, a configuration in the
    launcher's folder (the current one) or below: `set "CAU_HINH=cau-hinh\\an-giang.toml"`."""
    try:
        relative = copy.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        relative = copy
    return f'set "CAU_HINH={PureWindowsPath(relative)}"'


def where_to_fill(path: Path) -> str:
    """Where the officer fills in the settings of the configuration `path` (a clause in
    Vietnamese, lower case, for every «cần điền» message): the file itself; for an installed
    one, its copy in `cau-hinh/` of the current folder, and first the command that makes it
    when it is not there yet."""
    if not installed(path):
        return f"điền vào tệp {as_typed(path)}"
    copy = own_copy_path(path, Path.cwd())
    installed_one = (
        f"tệp {path.name} đang dùng là bản cài sẵn của chương trình ({as_typed(path.parent)}), không sửa ở đó "
        "(cài lại hay nâng cấp chương trình sẽ thay tệp đó, mất các mục đã điền)"
    )
    use = f"chạy với --config {quoted(as_typed(copy))} (Tong-hop-bao-cao.bat: dòng {launcher_line(copy)})"
    if copy.is_file():
        return f"{installed_one}: điền vào bản sao {as_typed(copy)} đã chép ra và {use}"
    return (
        f"{installed_one}: trước hết chép cấu hình ra thư mục làm việc bằng lệnh {copy_command(path)}, "
        f"rồi điền vào bản sao {as_typed(copy)} và {use}"
    )


def shipped_match(path: Path) -> Path | None:
    """The shipped configuration a configuration at `path` is a copy of: the one of the same
    file name, or of that name without a year (`an-giang-2026.toml`), or of the same
    `[form] id`; None when none (or `path` is itself shipped)."""
    if path.resolve().is_relative_to(SCHEMAS_DIR.resolve()):
        return None
    for name in (path.name, _YEAR_SUFFIX.sub("", path.stem) + path.suffix):
        if (SCHEMAS_DIR / name).is_file():
            return SCHEMAS_DIR / name
    own = _form_id(path)
    for other in sorted(SCHEMAS_DIR.glob("*.toml")):
        if own is not None and _form_id(other) == own:
            return other
    return None


def _form_id(path: Path) -> str | None:
    """`[form] id` of a configuration file, None when it cannot be read."""
    try:
        found = tomllib.loads(path.read_text(encoding="utf-8")).get("form", {}).get("id")
    except (OSError, ValueError, AttributeError):
        return None
    return found if isinstance(found, str) else None


def copy_advice(path: Path) -> str:
    """What to do when the configuration `path`, or a file beside it that it names (its
    layout), is missing: for a copy of an installed configuration, the command that copies
    the whole folder into `cau-hinh/` (keeping a file already there) and the option to use
    then; in a checkout, to copy the whole `schemas/` folder; "" when `path` is no copy of
    a shipped configuration."""
    shipped = shipped_match(path)
    if shipped is None:
        return ""
    copy = own_copy_path(shipped, Path.cwd()) if installed(shipped) else None
    if copy is None:
        return (
            f"Tệp cấu hình phải nằm cùng thư mục với các tệp nó dùng: chép cả thư mục {as_typed(SCHEMAS_DIR)} "
            f"(cấu hình mẫu: {as_typed(shipped)}), không chép riêng một tệp."
        )
    mine = copy.with_name(path.name)
    kept = (
        f": tệp {path.name} anh/chị đã sửa, nếu đặt trong thư mục {OWN_FOLDER} đó, được giữ nguyên"
        if path.exists()
        else ""
    )
    return (
        f"Để có bản sao đầy đủ, sửa được, của cấu hình cài sẵn {shipped.name}: mở cửa sổ lệnh ở thư mục làm việc "
        f"và gõ {copy_command(shipped)} (chương trình chép đủ các tệp vào thư mục {OWN_FOLDER} ở đó, không ghi "
        f"đè tệp đã có{kept}), rồi dùng --config {quoted(as_typed(mine))}."
    )
