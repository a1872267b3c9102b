"""Code schemes in a configuration: every unit and region code names its scheme, and every
scheme the configuration names has a Vietnamese label (what users read instead of the id).

A code means a place only within its scheme: the statistics office kept old commune codes
for other territories on 01/7/2025. The ids ("ag-xa-2025") travel with the codes into the
template's marker, the CSV and bao-cao.json; the labels ("mã xã, phường, đặc khu của tỉnh An
Giang từ 01/7/2025") are held once, in `schemas/reference/code-schemes.csv` (or the file
`[schemes] labels` names), and are what templates, workbooks, documents and messages say.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .model import SCHEME_LABELS, FormError, Item, Unit
from .reference import noted_csv

_SCHEME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def check_schemes(path: Path, units: tuple[Unit, ...], regions: tuple[Item, ...]) -> None:
    """FormError unless every unit and region code knows its scheme (`[schemes]`, a unit kind's `scheme`, or an
    entry's own): a code alone no longer says which place (An Giang's 2025 codes reuse 63 old
    commune codes for other territories)."""
    for what, entries in (("đơn vị", units), ("địa bàn", regions)):
        for e in entries:
            if not e.scheme:
                raise FormError(
                    f"{path.name}: {what} {e.code} chưa có hệ mã; hãy khai [schemes] units và regions "
                    '(ví dụ "ag-xa-2025"), hoặc scheme của loại đơn vị hay của từng mục'
                )
            if not _SCHEME.fullmatch(e.scheme):
                raise FormError(
                    f"{path.name}: hệ mã '{e.scheme}' của {what} {e.code} không hợp lệ "
                    "(chỉ chữ thường không dấu, chữ số và dấu -)"
                )


def _labels_file(path: Path, schemes: dict[str, Any]) -> Path:
    """`[schemes] labels`: the CSV of the schemes' names, next to the configuration; default
    the shipped `schemas/reference/code-schemes.csv` (one file for every configuration)."""
    name = schemes.get("labels")
    return path.parent / str(name) if name else SCHEME_LABELS


def scheme_labels(path: Path, schemes: dict[str, Any]) -> dict[str, str]:
    """Scheme id -> its Vietnamese name for the configuration at `path` (`schemes`: its
    `[schemes]` table), every row of `_labels_file` (columns `scheme`,
    `label`; "#" lines before the header are its notes). FormError when the file cannot be
    read, lacks a column, names a scheme twice or leaves a label empty."""
    file = _labels_file(path, schemes)
    where = f"tệp tên gọi hệ mã {file.name}" + (" (khai ở [schemes] labels)" if schemes.get("labels") else "")
    try:
        rows = noted_csv(file)
    except (OSError, UnicodeDecodeError) as exc:
        raise FormError(f"{path.name}: không đọc được {where}: {file}") from exc
    out: dict[str, str] = {}
    for i, row in enumerate(rows, start=1):
        scheme, label = (row.get("scheme") or "").strip(), (row.get("label") or "").strip()
        if not scheme or not label:
            raise FormError(
                f"{where}: dòng số liệu thứ {i} cần hai cột scheme và label (ký hiệu hệ mã và tên gọi "
                "tiếng Việt của nó)"
            )
        if scheme in out:
            raise FormError(f"{where}: hệ mã '{scheme}' được khai hai lần")
        out[scheme] = label
    return out


def check_labels(
    path: Path,
    raw: dict[str, Any],
    kinds: tuple[Item, ...],
    units: tuple[Unit, ...],
    regions: tuple[Item, ...],
    labels: dict[str, str],
) -> None:
    """Every code scheme the configuration names has a Vietnamese name in `labels`: the
    units' and regions' (and the unit kinds'), `[schemes] unmarked_history`, and `[history]`'s
    `new_scheme`, `district_schemes` and `commune_schemes`. FormError naming the first
    scheme without one, where it is named and where to add it."""
    history = raw.get("history", {}) if isinstance(raw.get("history"), dict) else {}
    named: dict[str, str] = {}
    for what, found in (
        ("đơn vị", [u.scheme for u in units]),
        ("địa bàn", [r.scheme for r in regions]),
        ("loại đơn vị", [k.scheme for k in kinds]),
        ("[schemes] unmarked_history", raw.get("schemes", {}).get("unmarked_history", [])),
        ("[history] new_scheme", [history.get("new_scheme", "")]),
        ("[history] district_schemes", list(dict(history.get("district_schemes", {})).values())),
        ("[history] commune_schemes", list(dict(history.get("commune_schemes", {})).values())),
    ):
        for scheme in found:
            if scheme:
                named.setdefault(str(scheme), what)
    file = _labels_file(path, raw.get("schemes", {}))
    for scheme, what in named.items():
        if scheme not in labels:
            raise FormError(
                f"{path.name}: hệ mã '{scheme}' (của {what}) chưa có tên gọi trong {file.name}; "
                f'hãy thêm vào tệp đó một dòng: {scheme},"<tên gọi tiếng Việt của hệ mã>" (ví dụ '
                '"mã xã, phường, đặc khu của tỉnh An Giang từ 01/7/2025"), vì mẫu, bảng tổng hợp và '
                "văn bản ghi tên gọi này thay cho ký hiệu"
            )
