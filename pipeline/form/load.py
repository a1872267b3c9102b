"""Loading a configuration (and the layout it names) from TOML into a `Form`."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections import Counter
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from ..text.command import as_typed
from ..text.oserrors import read_reason
from .addresses import ADDRESS_FORM, mail_address
from .grid import SUBTITLE_ROW, BlockGrid, CheckLayout, InfoGrid
from .model import (
    BALANCE_RESOURCES,
    BALANCE_SUPPORT,
    DEFAULT_FORM,
    DEFAULT_WORDING,
    ROWS_BY_UNIT_REGION,
    ROWS_LISTED,
    SCHEMAS_DIR,
    Block,
    Form,
    FormError,
    InfoField,
    Item,
    KeyField,
    Limits,
    Measure,
    PendingDate,
    Period,
    Programme,
    RowTotal,
    Unit,
    is_pending,
    is_pending_text,
    years_later,
)
from .owncopy import copy_advice, where_to_fill
from .reference import noted_csv
from .schemes import check_labels, check_schemes, scheme_labels


def _require(table: dict[str, Any], key: str, where: str) -> Any:
    if key not in table:
        raise FormError(f"Thiếu mục '{key}' trong {where}")
    return table[key]


def _as_date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.datetime):  # a date with an hour: TOML's local date-time (brk50 F4)
        raise FormError(
            f"{where} chỉ ghi ngày, không ghi giờ: {value!r}; hãy viết theo dạng YYYY-MM-DD "
            "(ví dụ 2025-12-01 cho ngày 01/12/2025)"
        )
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if _BARE_DATE.fullmatch(text) and not _real_day(text):
        raise FormError(f"Ngày không có thật ở {where}: {value!r}; hãy viết một ngày có thật dạng YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise FormError(
            f"Ngày không hợp lệ ở {where}: {value!r}; hãy viết theo dạng YYYY-MM-DD, không có dấu nháy "
            "(ví dụ 2025-12-01 cho ngày 01/12/2025)"
        ) from exc


def _as_year(value: Any) -> int:
    """`[period] year`: a whole number of a year (2025); FormError naming the key otherwise
    (brk50 F4: "năm 2025" stopped every command with a traceback)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1900 < value < 3000:
        raise FormError(
            f"period.year phải là số năm, không có dấu nháy (ví dụ year = 2025), không phải {value!r}"
        )
    return value


def _texts(section: Any, where: str) -> dict[str, str]:
    """A section of texts (`[agencies]`): each value a text in quotes; FormError naming the
    key otherwise (brk50 F4: signer_title = 1 stopped the draft with a traceback)."""
    if not isinstance(section, dict):
        raise FormError(f'[{where}] phải là một mục gồm các dòng tên = "nội dung"')
    odd = [k for k, v in section.items() if not isinstance(v, str)]
    if odd:
        raise FormError(
            f'{where}.{odd[0]} phải là chữ trong dấu nháy, ví dụ {odd[0]} = "GIÁM ĐỐC", không phải {section[odd[0]]!r}'
        )
    return dict(section)


def _read_text(path: Path, what: str) -> str:
    """The text of a configuration's file (`what`: "tệp cấu hình", "tệp bố cục"), as Notepad
    saves it too: UTF-8 with or without its byte order mark, or "Unicode" (UTF-16 with its
    mark). FileNotFoundError as the system raises it; FormError for a folder or a file that is
    not text (brk50 F3: an English traceback)."""
    if path.is_dir():
        raise FormError(
            f"{path} là một thư mục, không phải {what}; hãy chỉ tệp .toml (ví dụ schemas/an-giang.toml)"
        )
    data = path.read_bytes()
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormError(
            f"{path} không phải {what} dạng văn bản UTF-8 (có lẽ là tệp khác, hay lưu bằng mã khác); hãy mở "
            "bằng Notepad, chọn Lưu thành (Save As) với mã hóa UTF-8 rồi chạy lại"
        ) from exc


def _items(raw: list[dict[str, Any]], where: str, scheme: str = "") -> tuple[Item, ...]:
    items = tuple(
        Item(
            str(_require(r, "code", where)),
            str(_require(r, "name", where)),
            r.get("level", ""),
            str(r.get("scheme") or scheme),
        )
        for r in raw
    )
    codes = [i.code for i in items]
    if len(set(codes)) != len(codes):
        raise FormError(f"Mã trùng lặp trong danh sách {where}")
    if not items:
        raise FormError(f"Danh sách {where} rỗng")
    return items


def _measures(raw: list[dict[str, Any]]) -> tuple[Measure, ...]:
    return tuple(
        Measure(
            key=m["key"],
            label=m["label"],
            unit=m.get("unit", ""),
            type=m.get("type", "count"),
            at_most=m.get("at_most"),
            at_least=m.get("at_least"),
            value=bool(m.get("value", False)),
            short=m.get("short", ""),
        )
        for m in raw
    )


def _totals(raw: list[dict[str, Any]]) -> tuple[RowTotal, ...]:
    return tuple(RowTotal(t["key"], t["label"], t.get("unit", ""), tuple(t["sum_of"])) for t in raw)


def toml_where(exc: tomllib.TOMLDecodeError, text: str = "") -> str:
    """Where a TOML file is broken, in Vietnamese ("ở dòng 3, cột 10; …"): tomllib says it in
    English ("… (at line 3, column 10)"), so only the place is kept, with what to look at. A
    line of `text` holding a date that is not a real day (2025-11-31, 2025-13-01) is said so,
    with the expected form YYYY-MM-DD."""
    m = re.search(r"line (\d+), column (\d+)", str(exc))
    place = f"ở dòng {m.group(1)}, cột {m.group(2)}" if m else ""
    if not m and "end of document" in str(exc):  # tomllib's "(at end of document)"
        what = str(exc)
        why = (
            "một tên được khai báo hai lần"
            if what.startswith(("Cannot overwrite", "Cannot declare"))
            else "thiếu dấu đóng ] hay dấu nháy, hoặc thiếu giá trị sau dấu ="
        )
        place = f"ở cuối tệp ({why})"
    line = (
        text.splitlines()[int(m.group(1)) - 1]
        if m and text and int(m.group(1)) <= len(text.splitlines())
        else ""
    )
    day = _BARE_DATE.search(line.split("#")[0])
    if day and not _real_day(day.group(0)):
        return (
            f"{place}: ngày {day.group(0)} không có thật (tháng không có ngày đó); hãy viết một ngày có thật "
            "theo dạng YYYY-MM-DD, ví dụ 2025-11-30"
        ).lstrip(": ")
    if not place:
        return "(không rõ chỗ); hãy xem dấu ngoặc [ ], dấu nháy và dấu ="
    return f"{place}; hãy xem dấu ngoặc [ ], dấu nháy và dấu = ở đó"


_BARE_DATE = re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b")


def _real_day(text: str) -> bool:
    y, mo, d = (int(x) for x in text.split("-"))
    try:
        dt.date(y, mo, d)
    except ValueError:
        return False
    return True


def load_form(path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> Form:
    """Load a configuration file (and the layout it names) into a `Form`."""
    path = Path(path) if path else DEFAULT_FORM
    try:
        text = _read_text(path, "tệp cấu hình")
        raw = tomllib.loads(text)
    except FileNotFoundError as exc:
        advice = copy_advice(path)
        raise FormError(f"Không tìm thấy tệp cấu hình {path}" + (f". {advice}" if advice else "")) from exc
    except tomllib.TOMLDecodeError as exc:
        raise FormError(f"Tệp cấu hình {path} không đúng cú pháp TOML {toml_where(exc, text)}") from exc
    except OSError as exc:  # no right to read it, a name too long…
        raise FormError(f"Không đọc được tệp cấu hình {path}: {read_reason(exc)}") from exc
    if overrides:
        for section, values in overrides.items():
            if section == "period" and "year" in values:
                raw[section] = _moved_period(raw.get(section, {}), int(values["year"]))
            raw.setdefault(section, {}).update(values)
    form_raw = _require(raw, "form", str(path))
    layout_path = path.parent / form_raw.get("layout", "layout.toml")
    try:
        layout = tomllib.loads(_read_text(layout_path, "tệp bố cục"))
    except FileNotFoundError as exc:
        raise FormError(_layout_missing(path, layout_path)) from exc
    except OSError as exc:
        raise FormError(f"Không đọc được tệp bố cục {layout_path}: {read_reason(exc)}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise FormError(f"Tệp bố cục {layout_path} không đúng cú pháp TOML: {exc}") from exc
    return _build(path, raw, layout)


def declared_outbox(path: Path) -> Path | None:
    """The `[paths] outbox` the configuration at `path` declares (its own results folder, where
    a command run with it writes without --outbox), None when it declares none or cannot be
    read: a light read of that one key, for messages naming another configuration's command."""
    try:
        folder = tomllib.loads(_read_text(path, "tệp cấu hình")).get("paths", {}).get("outbox")
    except (OSError, FormError, tomllib.TOMLDecodeError, AttributeError):
        return None
    return Path(folder.strip()) if isinstance(folder, str) and folder.strip() else None


def _layout_missing(path: Path, layout_path: Path) -> str:
    """The message for a configuration whose layout is not beside it (a lone copy of a
    shipped configuration, most often): what is missing, that the configuration needs its
    whole folder, and how to get one (`owncopy.copy_advice`)."""
    advice = copy_advice(path)
    return (
        f"Không tìm thấy tệp bố cục {layout_path}: tệp cấu hình {path.name} dùng các tệp nằm cùng thư mục "
        f"với nó (tệp bố cục {layout_path.name}, lời văn báo cáo bao-cao*.toml, thư mục reference với danh "
        "sách xã, phường), nên không dùng được khi chép riêng một mình"
        + (f". {advice}" if advice else "; hãy chép cả thư mục cấu hình.")
    )


def _moved_period(period: dict[str, Any], year: int) -> dict[str, Any]:
    """The [period] of a configuration moved to another reporting `year` (`--year`): its
    dates shifted by as many years (29/2 to 28/2), a date still to fill in ("cần điền") left
    so; a period the configuration does not hold whole is left as it is (the build says what
    is missing)."""
    if not isinstance(period.get("year"), int) or period["year"] == year:
        return period
    years = year - period["year"]
    moved = dict(period)
    for key in Period.DATES:
        day = period.get(key)
        if isinstance(day, dt.date) and not isinstance(day, dt.datetime):
            moved[key] = years_later(day, years)
    return moved


def _build(path: Path, raw: dict[str, Any], layout: dict[str, Any]) -> Form:
    f = raw["form"]
    p = _require(raw, "period", str(path))
    period = Period(
        year=_as_year(p["year"]),
        start=_as_date(p["start"], "period.start"),
        end=_as_date(p["end"], "period.end"),
        due_before=(
            PendingDate() if is_pending(p["due_before"]) else _as_date(p["due_before"], "period.due_before")
        ),
    )
    schemes = raw.get("schemes", {})
    kinds = _items(raw.get("unit_kinds", []), "unit_kinds", str(schemes.get("units", "")))
    regions = _items(_load_list(path, raw, "regions"), "regions", str(schemes.get("regions", "")))
    keys = [field.name for field in fields(Unit)]  # what a [[units]] entry may give, as the Unit has it
    for u in raw.get("units", []):
        odd = sorted(set(u) - set(keys))
        if odd:  # a key typed otherwise ("email") is never ignored without a word (brk15)
            raise FormError(
                f"Đơn vị '{u.get('code', '')}' trong [[units]] có mục không dùng: {', '.join(odd)}; "
                f'các mục dùng được: {", ".join(keys)} (ví dụ emails = ["vanphong@example.gov.vn"])'
            )
    units_raw = _load_list(path, raw, "units")
    for u in units_raw:
        missing = [k for k in ("code", "name", "kind") if not u.get(k)]
        if missing:
            raise FormError(
                f"Đơn vị '{u.get('code', '')}' khai trong [[units]] thiếu {', '.join(missing)}: mã này không "
                "có trong tệp danh sách đơn vị (units_csv), nên phải khai đủ code, name, kind. Hãy kiểm "
                "tra lại mã (một mục chỉ có code và emails chỉ dùng cho đơn vị đã có trong danh sách)"
            )
    kind_schemes = {k.code: k.scheme for k in kinds}
    units = tuple(
        Unit(
            str(u["code"]),
            u["name"],
            u["kind"],
            str(u["region"]) if u.get("region") else None,
            _emails(u.get("emails"), str(u["code"])),
            str(u.get("contact") or ""),
            str(u.get("phone") or ""),
            str(u.get("scheme") or kind_schemes.get(u["kind"], "")),
        )
        for u in units_raw
    )
    check_schemes(path, units, regions)
    labels = scheme_labels(path, schemes)
    check_labels(path, raw, kinds, units, regions, labels)
    region_codes = {r.code for r in regions}
    kind_codes = {k.code for k in kinds}
    for u in units:
        if u.kind not in kind_codes:
            raise FormError(f"Đơn vị {u.code}: loại '{u.kind}' không có trong unit_kinds")
        if u.region and u.region not in region_codes:
            raise FormError(f"Đơn vị {u.code}: địa bàn '{u.region}' không có trong regions")
    twice = sorted(c for c, n in Counter(u.code for u in units).items() if n > 1)
    if twice:
        raise FormError(
            f"Mã đơn vị trùng lặp trong danh sách units: {', '.join(twice)}; mỗi mã chỉ một đơn vị"
        )
    categories = _items(raw.get("categories", []), "categories")
    sources = _items(raw.get("sources", []), "sources")

    sheets = dict(layout["sheets"])
    info = layout["info"]
    info_grid = InfoGrid(
        int(info["first_row"]),
        info["label_column"],
        info["value_column"],
        str(info.get("end_mark", "")),
        str(layout.get("row_mark", "")),
        str(layout.get("row_mark_moved", "")),
    )
    info_fields = tuple(
        InfoField(
            key=fd["key"],
            label=fd["label"],
            type=fd.get("type", "text"),
            row=info_grid.row(i),
            column=info_grid.value_column,
            required=bool(fd.get("required", False)),
            prefilled=bool(fd.get("prefilled", False)),
            unit=fd.get("unit", ""),
        )
        for i, fd in enumerate(info["fields"])
    )
    blocks = {key: _block(key, layout, sheets) for key in _require(layout, "blocks", "layout")}
    for block in blocks.values():
        keys = {m.key for m in block.measures}
        for m in block.measures:
            for other in (m.at_most, m.at_least):
                if other and other not in keys:
                    raise FormError(f"{block.key}.{m.key}: chỉ tiêu '{other}' không tồn tại")
    form = Form(
        path=path,
        id=f["id"],
        version=str(f["version"]),
        accepted_versions=tuple(str(v) for v in f.get("accepted_versions", [f["version"]])),
        title=f["title"],
        programme=f.get("programme", ""),
        request=f.get("request", ""),
        form_number=f.get("form_number", ""),
        first_year=int(f.get("first_year", period.year)),
        last_year=_last_year(f, period.year),
        period=period,
        agencies=_texts(raw.get("agencies", {}), "agencies"),
        limits=Limits(**raw["limits"]),
        plausibility={
            k: v if isinstance(v, dict | list) else int(v) for k, v in raw.get("plausibility", {}).items()
        },
        unit_kinds=kinds,
        regions=regions,
        units=units,
        categories=categories,
        sources=sources,
        sheets=sheets,
        info_fields=info_fields,
        info_grid=info_grid,
        blocks=blocks,
        checks=_check_layout(layout.get("checks", {}), blocks),
        document=_wording_path(path, f),
        programme_info=_programme(raw.get("programme", {})),
        outbox=_outbox(raw.get("paths", {}), path),
        unmarked_history=tuple(str(x) for x in schemes.get("unmarked_history", [])),
        scheme_labels=labels,
    )
    form.history_block, form.support_block, form.resources_block  # noqa: B018 (FormError if not one each)
    return form


def _block(key: str, layout: dict[str, Any], sheets: dict[str, str]) -> Block:
    """One block of layout.toml: its table `[key]`, its sheet, its role (see `Block`)."""
    b = _require(layout, key, "layout")
    rows = b.get("rows", ROWS_LISTED)
    keys = tuple(KeyField(k["list"], k["label"], "") for k in _require(b, "keys", f"layout [{key}]"))
    if any(k.key not in ("region", "category", "source") for k in keys):
        raise FormError(f"layout [{key}] keys: danh mục phải là region, category hoặc source")
    if rows == ROWS_BY_UNIT_REGION and "region" not in {k.key for k in keys}:
        raise FormError(f'layout [{key}]: rows = "{rows}" cần một cột địa bàn (region)')
    if rows not in (ROWS_BY_UNIT_REGION, ROWS_LISTED) or (rows == ROWS_LISTED and len(keys) != 1):
        raise FormError(f'layout [{key}]: rows = "{rows}" không hợp lệ (unit_region, hoặc list với một cột)')
    if b.get("balance", "") not in ("", BALANCE_SUPPORT, BALANCE_RESOURCES):
        raise FormError(f"layout [{key}]: balance = '{b['balance']}' không hợp lệ")
    measures, totals = _measures(b["measures"]), _totals(b.get("totals", []))
    grid = BlockGrid.of(
        int(b["first_row"]), len(keys), tuple(m.key for m in measures), tuple(t.key for t in totals)
    )
    return Block(
        key=key,
        sheet=sheets[key],
        title=b["title"],
        grid=grid,
        key_fields=tuple(replace(k, column=c) for k, c in zip(keys, grid.key_columns, strict=True)),
        measures=measures,
        totals=totals,
        rows=rows,
        free_rows=int(b.get("free_rows", 0)),
        balance=b.get("balance", ""),
        history=bool(b.get("history", False)),
        bieu=tuple(str(n) for n in b.get("bieu", ())),
        detail_sheet=str(_require(b, "detail_sheet", f"layout [{key}]")),
        end_mark=str(layout.get("end_mark", "")),
        row_mark=str(layout.get("row_mark", "")),
        row_mark_moved=str(layout.get("row_mark_moved", "")),
    )


def _outbox(paths: Any, path: Path) -> Path:
    """`[paths] outbox`: a folder name or path (default "outbox"), relative to where the
    command runs. FormError when it is not a non-empty text."""
    value = paths.get("outbox", "outbox") if isinstance(paths, dict) else None
    if not isinstance(value, str) or not value.strip():
        raise FormError(
            f'{path.name}: [paths] outbox phải là tên một thư mục, ví dụ outbox = "outbox-{path.stem}"'
        )
    return Path(value.strip())


def _wording_path(path: Path, form_raw: dict[str, Any]) -> Path:
    """The narrative report's wording (`[form] document`, next to the configuration)."""
    if not form_raw.get("document"):
        return DEFAULT_WORDING
    wording = path.parent / form_raw["document"]
    if not wording.is_file():
        raise FormError(f"Không tìm thấy tệp lời văn báo cáo {wording} (khai ở [form] document)")
    return wording


def _check_layout(raw: dict[str, Any], blocks: dict[str, Block]) -> CheckLayout:
    checks = CheckLayout(**raw)
    for block in blocks.values():
        if not SUBTITLE_ROW < checks.declare_row < block.grid.header_row:
            raise FormError(
                f"checks.declare_row = {checks.declare_row} trùng với tiêu đề hoặc bảng của trang '{block.sheet}'"
            )
        if block.row_mark and checks.gap_columns < 1:
            raise FormError(
                f"row_mark cần ít nhất một cột trống bên phải bảng của trang '{block.sheet}' "
                "(checks.gap_columns ≥ 1)"
            )
    return checks


def _programme(raw: dict[str, Any]) -> Programme:
    """`[programme]`: what names the programme in file names, titles and mail subjects."""
    default = Programme()
    prefix = str(raw.get("prefix", default.prefix))
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", prefix):
        raise FormError(
            f"[programme] prefix = '{prefix}' không hợp lệ: chỉ chữ thường không dấu, chữ số và dấu - "
            "(dùng trong tên tệp)"
        )
    return Programme(
        prefix=prefix,
        short=str(raw.get("short", default.short)),
        mail_tag=str(raw.get("mail_tag", default.mail_tag)),
        bieu_titles={str(k): str(v) for k, v in raw.get("bieu_titles", {}).items()},
    )


def _emails(value: Any, code: str) -> tuple[str, ...]:
    """Unit `code`'s addresses (`addresses.mail_address`: lower-cased, a domain in
    ASCII): a TOML list, or one CSV cell separated by ';' or ','. Raises FormError, naming
    the unit and the address, for one no letter reaches ("x@angiang": no domain suffix, a
    space, a second "@", Vietnamese letters before "@"), so the command stops instead of a
    letter never delivered (brk15)."""
    items = value if isinstance(value, list) else str(value or "").replace(",", ";").split(";")
    addresses = []
    for item in (str(a).strip() for a in items):
        if not item:
            continue
        address = mail_address(item)
        if address is None:
            raise FormError(
                f"Đơn vị '{code}': địa chỉ thư '{item}' (emails) không gửi tới được. {ADDRESS_FORM}; "
                'nhiều địa chỉ ghi thành danh sách, mỗi địa chỉ một mục (emails = ["a@so.gov.vn", '
                '"b@so.gov.vn"]). Hãy sửa trong tệp cấu hình hoặc tệp danh sách đơn vị'
            )
        addresses.append(address)
    return tuple(addresses)


def _load_list(path: Path, raw: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """A list read from a CSV file (`regions_csv`), then the entries given inline
    (`[[regions]]`); either may be absent, not both. An inline entry whose code the CSV
    file lists completes that entry instead (`_completed`): a commune's `emails`, contact
    or phone, given with its code alone.

    `<key>_csv` is a file name (its columns are the entry's keys: code, name, …) or a table:
    `file`, `columns` (entry key -> the text to make from a CSV row, "{commune_code}" or
    "UBND {commune_name}", or a plain value) and `only` (codes kept; empty or absent: all).
    Lines starting with "#" before the header (a reference file's source line) are skipped."""
    spec = raw.get(f"{key}_csv")
    rows: list[dict[str, Any]] = []
    if spec:
        rows.extend(_csv_entries(path, spec if isinstance(spec, dict) else {"file": spec}, key))
    rows = _completed(rows, raw.get(key, []), key)
    if not rows and key not in raw:
        raise FormError(f"Cấu hình {path} thiếu danh sách '{key}'")
    return rows


def _completed(listed: list[dict[str, Any]], inline: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """The entries of a CSV file (`listed`) with those given inline: an inline entry whose
    code a listed one has adds its keys to it (and replaces those it gives again); the
    others follow. Raises FormError for a code given inline twice, naming it."""
    out = [dict(e) for e in listed]
    at = {str(e.get("code")): i for i, e in enumerate(out)}
    seen: set[str] = set()
    for entry in inline:
        code = str(entry.get("code", ""))
        if code in seen:
            raise FormError(f"Mã '{code}' khai hai lần trong [[{key}]]; hãy gộp thành một mục")
        seen.add(code)
        if code in at:
            out[at[code]] |= entry
        else:
            out.append(dict(entry))
    return out


def _csv_entries(path: Path, spec: dict[str, Any], key: str) -> list[dict[str, Any]]:
    where = f"{key}_csv"
    csv_path = path.parent / str(_require(spec, "file", where))
    try:
        rows = noted_csv(csv_path)
    except FileNotFoundError as exc:
        raise FormError(f"Không tìm thấy tệp danh sách {csv_path} (khai ở {where})") from exc
    source = [{k: v for k, v in row.items() if v not in (None, "")} for row in rows]
    columns: dict[str, Any] = spec.get("columns", {})
    try:
        entries = [
            {**row, **{k: v.format_map(row) if isinstance(v, str) else v for k, v in columns.items()}}
            if columns
            else row
            for row in source
        ]
    except (KeyError, ValueError) as exc:
        raise FormError(f"{where}: cột {exc} không có trong {csv_path.name}") from exc
    only = [str(c) for c in spec.get("only", [])]
    if only:
        unknown = sorted(set(only) - {str(e.get("code")) for e in entries})
        if unknown:
            raise FormError(f"{where} only: mã {', '.join(unknown)} không có trong {csv_path.name}")
        entries = [e for e in entries if str(e.get("code")) in only]
    return entries


# ----- a template of another configuration -------------------------------------------------
def replaces_of(path: Path) -> tuple[str, int] | None:
    """What the configuration at `path` replaces: the file name of the other configuration
    and the first year `path` holds for (`[form] replaces = { config = "kien-giang.toml",
    from_year = 2025 }`; year 0 when not given); None when it replaces none or cannot be
    read. The one reader of `[form] replaces`."""
    try:
        replaces = tomllib.loads(path.read_text(encoding="utf-8")).get("form", {}).get("replaces", {})
        name = replaces.get("config") if isinstance(replaces, dict) else None
        return (str(name), int(replaces.get("from_year", 0))) if name else None
    except (OSError, tomllib.TOMLDecodeError, TypeError, ValueError, AttributeError):
        return None


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


def config_with_version(form: Form, version: str) -> Path | None:
    """A configuration (next to `form`'s, or shipped) of `form`'s form id whose
    `accepted_versions` include `version` (the year's configuration made by new-year), else None."""
    for folder in dict.fromkeys((form.path.parent, SCHEMAS_DIR)):
        for path in sorted(folder.glob("*.toml")):
            try:
                raw = tomllib.loads(path.read_text(encoding="utf-8")).get("form", {})
            except (OSError, tomllib.TOMLDecodeError):
                continue
            accepted = [str(v) for v in raw.get("accepted_versions", [raw.get("version")])]
            if raw.get("id") == form.id and version in accepted and path.resolve() != form.path.resolve():
                return path
    return None


def foreign_template(form: Form, form_id: str, scheme: str = "", command: str = "python -m pipeline") -> str:
    """The Vietnamese finding for a template of form `form_id` read under `form`: the
    configuration it belongs to and the command to check it there, else what is known."""
    owner = owner_of(form, form_id)
    theirs = f" (mã đơn vị: {form.scheme_label(scheme)})" if scheme else ""
    ours = form.schemes_text(form.schemes)
    if owner is None:
        return (
            f"tệp là mẫu '{form_id or '?'}'{theirs}, không phải mẫu '{form.id}' của cấu hình "
            f"{form.path.name} ({ours}); hãy dùng mẫu do Sở gửi theo cấu hình này"
        )
    return (
        f"tệp là mẫu của cấu hình {owner.name}{theirs}, không phải của cấu hình {form.path.name} "
        f"đang dùng ({ours}); mã đơn vị của hai cấu hình không so với nhau được. Nếu tệp "
        f"thuộc kỳ báo cáo của cấu hình kia, hãy chạy: {command} --config {as_typed(owner)} check <tệp>; "
        f"nếu không, hãy gửi đơn vị mẫu mới: {command} --config {as_typed(form.path)} templates"
    )


def _last_year(f: dict[str, Any], year: int) -> int | None:
    """`[form] last_year`, checked: not before `[form] first_year`. Raises FormError."""
    if "last_year" not in f:
        return None
    last = int(f["last_year"])
    if last < int(f.get("first_year", year)):
        raise FormError(f"[form] last_year {last} trước first_year {f.get('first_year', year)}")
    return last


def pending_fields(path: Path, leave_out: tuple[str, ...] = ("final_review",)) -> list[str]:
    """The settings of the configuration at `path` still written "cần điền" (dotted TOML
    keys, in file order): what the officer must fill in before templates and letters go
    out. [] when none, or when the file cannot be read (loading it says why). The top-level
    tables in `leave_out` are not looked at (the final review's wording is not in a
    template or a letter)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    found: list[str] = []

    def walk(value: Any, key: str) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, f"{key}.{k}" if key else k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and is_pending_text(value) and key not in found:
            found.append(key)

    walk({k: v for k, v in data.items() if k not in leave_out}, "")
    return found


def pending_warning(form: Form) -> str:
    """One Vietnamese line naming the settings still "cần điền" (`pending_fields`) and the
    file to fill them in (`owncopy.where_to_fill`: for the installed configuration, the
    officer's copy and the command that makes it), for the commands that send things to
    units (templates, letters); "" when none."""
    pending = pending_fields(form.path)
    if not pending:
        return ""
    return (
        f"Cảnh báo: tệp cấu hình {as_typed(form.path)} còn {len(pending)} mục «cần điền» "
        f"({', '.join(pending)}); mẫu ghi «cần điền», văn bản để dấu chấm ở các chỗ đó và thư chưa gửi được. "
        f"Trước khi gửi cho đơn vị: {where_to_fill(form.path)}; rồi chạy lại."
    )
