"""The form definition: loaded from `schemas/`, the single source of truth.

Everything else (templates, validation, the consolidated workbook, the form JSON) asks
this module where a field lives and what it means. Cell addresses are derived here from
the layout description; no other module hard-codes a row or a column.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

SCHEMAS_DIR = Path(__file__).resolve().parent.parent / "schemas"
DEFAULT_FORM = SCHEMAS_DIR / "kien-giang.toml"
# The wording of the narrative report when a form names none (`[form] document`).
DEFAULT_WORDING = SCHEMAS_DIR / "bao-cao.toml"


class FormError(Exception):
    """The form definition is invalid (a configuration error, exit code 2)."""


CELL_ADDRESS = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})")
"""An A1 cell address (column letters, row number), as every module matches one."""


def col_letter(index: int) -> str:
    """0-based column index to Excel letters (0 -> A)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def col_index(letters: str) -> int:
    """Excel letters to 0-based column index (A -> 0)."""
    value = 0
    for ch in letters.upper():
        value = value * 26 + (ord(ch) - 64)
    return value - 1


META_KEYS = ("form_id", "version", "unit_code", "year")


def meta_cell(key: str) -> str:
    """Cell of the hidden marker sheet that holds `key` (its label sits in column A)."""
    return f"B{META_KEYS.index(key) + 1}"


@lru_cache(maxsize=65536)
def norm_text(value: str) -> str:
    """Canonical form of a label for comparison: NFC, single spaces, case-folded."""
    text = unicodedata.normalize("NFC", value)
    return " ".join(text.replace("\u00a0", " ").split()).casefold()


@dataclass(frozen=True)
class Item:
    """An entry of a list: a region, a category, a source or a unit kind."""

    code: str
    name: str
    level: str = ""


@dataclass(frozen=True)
class Unit:
    """A reporting unit of the registry."""

    code: str
    name: str
    kind: str
    region: str | None = None
    emails: tuple[str, ...] = ()  # addresses the unit sends from (lower case); [[units]] emails
    contact: str = ""  # optional: who to call when the unit has sent nothing
    phone: str = ""


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    unit: str
    type: str  # "count" or "money"
    at_most: str | None = None
    at_least: str | None = None
    value: bool = False
    short: str = ""

    @property
    def name(self) -> str:
        """Short lower-case name used inside messages ("số trẻ em nữ")."""
        return self.short or self.label.lower()


@dataclass(frozen=True)
class RowTotal:
    key: str
    label: str
    unit: str
    sum_of: tuple[str, ...]


@dataclass(frozen=True)
class KeyField:
    """A column of a block that says what a row is about (region, category, source)."""

    key: str
    label: str
    column: str


@dataclass(frozen=True)
class InfoField:
    key: str
    label: str
    type: str
    row: int
    column: str
    required: bool = False
    prefilled: bool = False
    unit: str = ""

    @property
    def cell(self) -> str:
        return f"{self.column}{self.row}"


@dataclass(frozen=True)
class RowSpec:
    """One data row of a block in a given unit's template."""

    row: int
    fixed: dict[str, str] = field(default_factory=dict)  # key field -> code, when preset


@dataclass(frozen=True)
class Block:
    key: str  # "results", "resources" or "needs"
    sheet: str
    title: str
    first_row: int
    key_fields: tuple[KeyField, ...]
    measures: tuple[Measure, ...]
    totals: tuple[RowTotal, ...]
    free_rows: int = 0

    @property
    def first_measure_index(self) -> int:
        return 1 + len(self.key_fields)

    @cached_property
    def _measure_columns(self) -> dict[str, str]:
        return {m.key: col_letter(self.first_measure_index + i) for i, m in enumerate(self.measures)}

    def measure_column(self, key: str) -> str:
        return self._measure_columns[key]

    def total_column(self, key: str) -> str:
        for i, t in enumerate(self.totals):
            if t.key == key:
                return col_letter(self.first_measure_index + len(self.measures) + i)
        raise KeyError(key)

    @property
    def last_column(self) -> str:
        return col_letter(self.first_measure_index + len(self.measures) + len(self.totals) - 1)

    def measure(self, key: str) -> Measure:
        for m in self.measures:
            if m.key == key:
                return m
        raise KeyError(key)

    @property
    def value_measures(self) -> tuple[str, ...]:
        return tuple(m.key for m in self.measures if m.value)

    @property
    def headcount(self) -> str:
        """The measure others are bounded by (children), else the first measure."""
        bound = next((m.at_most for m in self.measures if m.at_most), None)
        return bound or self.measures[0].key

    @property
    def turns(self) -> str:
        """The measure bounded from below by the headcount (turns), else the headcount."""
        return next((m.key for m in self.measures if m.at_least), self.headcount)

    @property
    def main_total(self) -> str:
        """The block's headline amount: its first row total, else its first value measure."""
        if self.totals:
            return self.totals[0].key
        return (self.value_measures or (self.measures[-1].key,))[0]


@dataclass(frozen=True)
class Period:
    year: int
    start: dt.date
    end: dt.date
    due_before: dt.date


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int
    max_uncompressed_bytes: int
    max_part_bytes: int
    max_compression_ratio: int
    max_zip_entries: int
    max_rows: int
    max_columns: int
    max_text_chars: int
    max_number: int


@dataclass(frozen=True)
class CheckLayout:
    """Where the template's live checks and "nothing to report" declarations go
    (`[checks]` of layout.toml); the cells themselves are derived in `checkcells.py`."""

    declare_row: int = 3
    declare_label: str = "Không có số liệu để báo cáo ở trang này: chọn «x» ở ô bên cạnh"
    declare_mark: str = "x"
    gap_columns: int = 1
    overview_row: int = 19


@dataclass(frozen=True)
class SheetChecks:
    """The live-check cells of one sheet of the template ("Kiểm tra").

    `count_column`/`text_column`: per data row (or per field), the number of errors and a
    Vietnamese text naming each problem; `count_cell`: the sheet's number of errors;
    `summary_cell`: "Đạt" or "Còn N lỗi: …"; `header_row`: where the per-row columns are
    labelled; `declare_cell`: the block's "nothing to report" cell (None on the info sheet).
    They sit right of the block's last column and above its headers: no input cell moves.
    """

    sheet: str
    block: str | None
    count_column: str
    text_column: str
    header_row: int
    declare_cell: str | None = None

    @property
    def count_cell(self) -> str:
        return f"{self.count_column}2"

    @property
    def summary_cell(self) -> str:
        return f"{self.text_column}2"


@dataclass(frozen=True)
class Form:
    """The whole form definition of one configuration."""

    path: Path
    id: str
    version: str
    accepted_versions: tuple[str, ...]
    title: str
    programme: str
    request: str
    form_number: str
    first_year: int
    period: Period
    agencies: dict[str, str]
    limits: Limits
    plausibility: dict[str, Any]  # factor and floor (ints); bounds tables read by plausible.py
    unit_kinds: tuple[Item, ...]
    regions: tuple[Item, ...]
    units: tuple[Unit, ...]
    categories: tuple[Item, ...]
    sources: tuple[Item, ...]
    sheets: dict[str, str]
    info_fields: tuple[InfoField, ...]
    blocks: dict[str, Block]
    checks: CheckLayout = field(default_factory=CheckLayout)
    document: Path = DEFAULT_WORDING  # wording of the narrative report (TOML)

    # ----- look-ups -------------------------------------------------------------------
    @cached_property
    def memo(self) -> dict[Any, Any]:
        """Per-process store for values derived from the form (cell plans of the reader)."""
        return {}

    @cached_property
    def units_by_code(self) -> dict[str, Unit]:
        return {u.code: u for u in self.units}

    @cached_property
    def regions_by_code(self) -> dict[str, Item]:
        return {r.code: r for r in self.regions}

    @cached_property
    def categories_by_code(self) -> dict[str, Item]:
        return {c.code: c for c in self.categories}

    def names(self, key: str) -> dict[str, str]:
        """Code -> name of the list a key field takes its values from."""
        return self._names[key]

    @cached_property
    def _names(self) -> dict[str, dict[str, str]]:
        return {k: {i.code: i.name for i in self.items(k)} for k in ("region", "category", "source")}

    def items(self, key: str) -> tuple[Item, ...]:
        """The list a key field takes its values from."""
        return {"region": self.regions, "category": self.categories, "source": self.sources}[key]

    @cached_property
    def _lookup(self) -> dict[str, dict[str, str]]:
        table: dict[str, dict[str, str]] = {}
        for key in ("region", "category", "source"):
            names: dict[str, str] = {}
            for item in self.items(key):
                names[norm_text(item.name)] = item.code
                names[norm_text(item.code)] = item.code
                names[norm_text(f"{item.code} - {item.name}")] = item.code
            table[key] = names
        return table

    def code_for(self, key: str, text: str) -> str | None:
        """The code of a list entry given its name or code as typed; None if unknown."""
        return self._lookup[key].get(norm_text(text))

    def info_field(self, key: str) -> InfoField:
        for f in self.info_fields:
            if f.key == key:
                return f
        raise KeyError(key)

    @property
    def year(self) -> int:
        return self.period.year

    def rows_for(self, block: Block, unit: Unit | None) -> list[RowSpec]:
        """The data rows of a block in the template of `unit` (None: a free-rows unit)."""
        first = block.first_row
        if block.key == "results":
            if unit is not None and unit.region:
                return [
                    RowSpec(first + i, {"region": unit.region, "category": c.code})
                    for i, c in enumerate(self.categories)
                ]
            return [RowSpec(first + i) for i in range(block.free_rows)]
        key = block.key_fields[0].key
        return [RowSpec(first + i, {key: item.code}) for i, item in enumerate(self.items(key))]

    def total_row(self, block: Block, unit: Unit | None) -> int:
        return block.first_row + len(self.rows_for(block, unit))

    # ----- live checks and declarations in the template ----------------------------------
    def declare_cell(self, block: Block) -> str:
        """The cell where a unit declares it has nothing to report for `block` ("C3")."""
        return f"C{self.checks.declare_row}"

    def block_checks(self, block: Block) -> SheetChecks:
        first = col_index(block.last_column) + 1 + self.checks.gap_columns
        return SheetChecks(
            sheet=block.sheet,
            block=block.key,
            count_column=col_letter(first),
            text_column=col_letter(first + 1),
            header_row=block.first_row - 3,
            declare_cell=self.declare_cell(block),
        )

    def info_checks(self) -> SheetChecks:
        value_col = col_index(self.info_fields[0].column)
        return SheetChecks(
            sheet=self.sheets["info"],
            block=None,
            count_column=col_letter(value_col + 1),
            text_column=col_letter(value_col + 2),
            header_row=self.info_fields[0].row - 1,
        )

    def all_checks(self) -> list[SheetChecks]:
        """The check cells of every sheet a unit fills, information sheet first."""
        return [self.info_checks(), *(self.block_checks(b) for b in self.blocks.values())]

    def overview_cell(self) -> tuple[str, str]:
        """(sheet, cell) of the whole workbook's check result on the first sheet."""
        return self.sheets["instructions"], f"B{self.checks.overview_row + 1}"

    def _checks_json(self) -> dict[str, Any]:
        sheet, cell = self.overview_cell()
        return {
            "overview": {"sheet": sheet, "cell": cell, "passed": "Đạt"},
            "sheets": [
                {
                    "sheet": c.sheet,
                    "block": c.block,
                    "errors_cell": c.count_cell,
                    "summary_cell": c.summary_cell,
                    "row_errors_column": c.count_column,
                    "row_text_column": c.text_column,
                }
                for c in self.all_checks()
            ],
            "declarations": [
                {
                    "block": b.key,
                    "sheet": b.sheet,
                    "cell": self.declare_cell(b),
                    "mark": self.checks.declare_mark,
                }
                for b in self.blocks.values()
            ],
        }

    # ----- the layout as JSON ---------------------------------------------------------
    def layout_json(self) -> dict[str, Any]:
        """Everything another program needs to fill a template without guessing."""
        meta = self.sheets["meta"]
        info = self.sheets["info"]
        out: dict[str, Any] = {
            "form_id": self.id,
            "version": self.version,
            "year": self.year,
            "period": {
                "start": self.period.start.isoformat(),
                "end": self.period.end.isoformat(),
                "due_before": self.period.due_before.isoformat(),
            },
            "sheets": dict(self.sheets),
            "identity": {
                "unit_code": {"sheet": info, "cell": self.info_field("unit_code").cell},
                "year": {"sheet": info, "cell": self.info_field("year").cell},
                "marker": {"sheet": meta, **{f"{k}_cell": meta_cell(k) for k in META_KEYS}},
            },
            "lists": {
                "regions": [{"code": r.code, "name": r.name} for r in self.regions],
                "categories": [{"code": c.code, "name": c.name} for c in self.categories],
                "sources": [{"code": s.code, "name": s.name} for s in self.sources],
            },
            "units": [
                {"code": u.code, "name": u.name, "kind": u.kind, "region": u.region} for u in self.units
            ],
            "info": [
                {
                    "sheet": info,
                    "cell": f.cell,
                    "field": f.key,
                    "label": f.label,
                    "type": f.type,
                    "required": f.required,
                    "prefilled": f.prefilled,
                }
                for f in self.info_fields
            ],
            "layouts": {
                "fixed_region": self._unit_layout(fixed=True),
                "free_rows": self._unit_layout(fixed=False),
            },
            "checks": self._checks_json(),
        }
        return out

    def _unit_layout(self, *, fixed: bool) -> dict[str, Any]:
        probe = next((u for u in self.units if bool(u.region) == fixed), None)
        if probe is None:
            probe = Unit("?", "?", "?", self.regions[0].code if fixed else None)
        cells: list[dict[str, Any]] = []
        repeating: list[dict[str, Any]] = []
        for block in self.blocks.values():
            rows = self.rows_for(block, probe)
            totals_row = self.total_row(block, probe)
            if block.key == "results" and not fixed:
                repeating.append(
                    {
                        "block": block.key,
                        "sheet": block.sheet,
                        "first_row": rows[0].row,
                        "last_row": rows[-1].row,
                        "total_row": totals_row,
                        "columns": {
                            **{kf.key: kf.column for kf in block.key_fields},
                            **{m.key: block.measure_column(m.key) for m in block.measures},
                        },
                        "key_values": "name or code from lists.regions / lists.categories",
                        "types": {m.key: m.type for m in block.measures},
                    }
                )
                continue
            for spec in rows:
                # what the row is about; a fixed-region unit's region is its own
                about = {k: v for k, v in spec.fixed.items() if k != "region"}
                if "region" in spec.fixed:
                    about["region"] = "<unit region>"
                row_key = spec.fixed.get("category") or spec.fixed.get("source", "")
                for m in block.measures:
                    cells.append(
                        {
                            "sheet": block.sheet,
                            "cell": f"{block.measure_column(m.key)}{spec.row}",
                            "field": f"{block.key}.{row_key}.{m.key}",
                            "block": block.key,
                            **about,
                            "measure": m.key,
                            "type": m.type,
                            "unit": m.unit,
                        }
                    )
        return {
            "applies_to": "units with a region" if fixed else "units without a region",
            "cells": cells,
            "repeating_blocks": repeating,
            "computed": [
                {
                    "block": b.key,
                    "sheet": b.sheet,
                    "total_row": self.total_row(b, probe),
                    "row_totals": {t.key: b.total_column(t.key) for t in b.totals},
                    "note": "formulas; never read as data",
                }
                for b in self.blocks.values()
            ],
        }


# ----- loading -------------------------------------------------------------------------
def _require(table: dict[str, Any], key: str, where: str) -> Any:
    if key not in table:
        raise FormError(f"Thiếu mục '{key}' trong {where}")
    return table[key]


def _as_date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise FormError(f"Ngày không hợp lệ ở {where}: {value!r}") from exc


def _items(raw: list[dict[str, Any]], where: str) -> tuple[Item, ...]:
    items = tuple(
        Item(str(_require(r, "code", where)), str(_require(r, "name", where)), r.get("level", ""))
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


def load_form(path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> Form:
    """Load a configuration file (and the layout it names) into a `Form`."""
    path = Path(path) if path else DEFAULT_FORM
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise FormError(f"Không tìm thấy tệp cấu hình {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise FormError(f"Tệp cấu hình {path} không đúng cú pháp TOML: {exc}") from exc
    if overrides:
        for section, values in overrides.items():
            raw.setdefault(section, {}).update(values)
    form_raw = _require(raw, "form", str(path))
    layout_path = path.parent / form_raw.get("layout", "layout.toml")
    try:
        layout = tomllib.loads(layout_path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise FormError(f"Không tìm thấy tệp bố cục {layout_path}") from exc
    return _build(path, raw, layout)


def _build(path: Path, raw: dict[str, Any], layout: dict[str, Any]) -> Form:
    f = raw["form"]
    p = _require(raw, "period", str(path))
    period = Period(
        year=int(p["year"]),
        start=_as_date(p["start"], "period.start"),
        end=_as_date(p["end"], "period.end"),
        due_before=_as_date(p["due_before"], "period.due_before"),
    )
    kinds = _items(raw.get("unit_kinds", []), "unit_kinds")
    regions = _items(_load_list(path, raw, "regions"), "regions")
    units_raw = _load_list(path, raw, "units")
    units = tuple(
        Unit(
            str(u["code"]),
            u["name"],
            u["kind"],
            str(u["region"]) if u.get("region") else None,
            _emails(u.get("emails")),
            str(u.get("contact") or ""),
            str(u.get("phone") or ""),
        )
        for u in units_raw
    )
    region_codes = {r.code for r in regions}
    kind_codes = {k.code for k in kinds}
    for u in units:
        if u.kind not in kind_codes:
            raise FormError(f"Đơn vị {u.code}: loại '{u.kind}' không có trong unit_kinds")
        if u.region and u.region not in region_codes:
            raise FormError(f"Đơn vị {u.code}: địa bàn '{u.region}' không có trong regions")
    if len({u.code for u in units}) != len(units):
        raise FormError("Mã đơn vị trùng lặp trong danh sách units")
    categories = _items(raw.get("categories", []), "categories")
    sources = _items(raw.get("sources", []), "sources")

    sheets = dict(layout["sheets"])
    info = layout["info"]
    info_fields = tuple(
        InfoField(
            key=fd["key"],
            label=fd["label"],
            type=fd.get("type", "text"),
            row=int(info["first_row"]) + i,
            column=info["value_column"],
            required=bool(fd.get("required", False)),
            prefilled=bool(fd.get("prefilled", False)),
            unit=fd.get("unit", ""),
        )
        for i, fd in enumerate(info["fields"])
    )
    res = layout["results"]
    blocks = {
        "results": Block(
            key="results",
            sheet=sheets["results"],
            title=res["title"],
            first_row=int(res["first_row"]),
            key_fields=(
                KeyField("region", res["region_label"], "B"),
                KeyField("category", res["category_label"], "C"),
            ),
            measures=_measures(res["measures"]),
            totals=_totals(res.get("totals", [])),
            free_rows=int(res["free_rows"]),
        ),
    }
    for key, dim in (("resources", "source"), ("needs", "category")):
        b = layout[key]
        blocks[key] = Block(
            key=key,
            sheet=sheets[key],
            title=b["title"],
            first_row=int(b["first_row"]),
            key_fields=(KeyField(dim, b["row_label"], "B"),),
            measures=_measures(b["measures"]),
            totals=_totals(b.get("totals", [])),
        )
    for block in blocks.values():
        keys = {m.key for m in block.measures}
        for m in block.measures:
            for other in (m.at_most, m.at_least):
                if other and other not in keys:
                    raise FormError(f"{block.key}.{m.key}: chỉ tiêu '{other}' không tồn tại")
    return Form(
        path=path,
        id=f["id"],
        version=str(f["version"]),
        accepted_versions=tuple(str(v) for v in f.get("accepted_versions", [f["version"]])),
        title=f["title"],
        programme=f.get("programme", ""),
        request=f.get("request", ""),
        form_number=f.get("form_number", ""),
        first_year=int(f.get("first_year", period.year)),
        period=period,
        agencies=dict(raw.get("agencies", {})),
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
        blocks=blocks,
        checks=_check_layout(layout.get("checks", {}), blocks),
        document=_wording_path(path, f),
    )


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
        if not 2 < checks.declare_row < block.first_row - 3:
            raise FormError(
                f"checks.declare_row = {checks.declare_row} trùng với tiêu đề hoặc bảng của trang '{block.sheet}'"
            )
    return checks


def _emails(value: Any) -> tuple[str, ...]:
    """A unit's addresses: a TOML list, or one CSV cell separated by ';' or ','."""
    items = value if isinstance(value, list) else str(value or "").replace(",", ";").split(";")
    return tuple(str(a).strip().lower() for a in items if str(a).strip())


def _load_list(path: Path, raw: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """A list given inline (`[[regions]]`) or as a CSV file (`regions_csv = "…"`)."""
    if key in raw:
        return list(raw[key])
    csv_name = raw.get(f"{key}_csv")
    if not csv_name:
        raise FormError(f"Cấu hình {path} thiếu danh sách '{key}'")
    import csv

    with (path.parent / csv_name).open(encoding="utf-8-sig", newline="") as fh:
        return [{k: v for k, v in row.items() if v not in (None, "")} for row in csv.DictReader(fh)]
