"""The form definition: what a template asks and what each answer means.

Loaded from `schemas/` by `load.py`, the single source of truth. Where each answer sits on
its sheet is the grid's business (`grid.py`): a block and the information sheet carry their
grid, and the look-ups here only name rows and columns the grid decided.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from .address import col_index
from .grid import BlockGrid, CheckLayout, InfoGrid, RowSpec, SheetChecks


def shipped_folder(name: str) -> Path:
    """A folder the project ships (`schemas`, `examples`): the copy an installed wheel
    carries in `pipeline/shipped/<name>` (pyproject.toml maps it there), else the
    repository's own `<name>/` next to `pipeline/` (a checkout or an editable install).
    The wheel's copy is asked first: beside an installed package sits site-packages, where
    a folder of that name would belong to another distribution."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "shipped" / name
    return installed if installed.is_dir() else package.parent / name


SCHEMAS_DIR = shipped_folder("schemas")
DEFAULT_FORM = SCHEMAS_DIR / "kien-giang.toml"
# The wording of the narrative report when a form names none (`[form] document`).
DEFAULT_WORDING = SCHEMAS_DIR / "bao-cao.toml"


class FormError(Exception):
    """The form definition is invalid (a configuration error, exit code 2)."""


@lru_cache(maxsize=65536)
def norm_text(value: str) -> str:
    """Canonical form of a label for comparison: NFC, single spaces, case-folded."""
    text = unicodedata.normalize("NFC", value)
    return " ".join(text.replace("\u00a0", " ").split()).casefold()


PENDING = "cần điền"
"""How a value the configuration leaves for the officer to fill is written and shown."""


class PendingDate(dt.date):
    """A date not known yet (`due_before = "cần điền"` in the configuration): it compares as
    the far future (nothing is late against an unknown deadline) and prints as "cần điền" in
    every format, so no sheet, message or document shows an invented date."""

    def __new__(cls) -> PendingDate:
        return super().__new__(cls, dt.MAXYEAR, 12, 31)

    def __format__(self, spec: str) -> str:
        return PENDING

    def __str__(self) -> str:
        return PENDING

    def isoformat(self) -> str:
        return PENDING

    def replace(self, *args: Any, **kwargs: Any) -> PendingDate:  # type: ignore[override]
        return self  # next year's deadline is as unknown as this year's

    def __add__(self, other: object) -> PendingDate:  # type: ignore[override]
        if isinstance(other, dt.timedelta):
            return self  # a day before or after an unknown deadline is unknown too
        return NotImplemented

    __radd__ = __add__

    def __sub__(self, other: object) -> Any:  # type: ignore[override]
        if isinstance(other, dt.timedelta):
            return self
        return dt.date(self.year, self.month, self.day) - other  # type: ignore[operator]


def is_pending_text(text: str) -> bool:
    """Whether a configuration text still holds the placeholder "cần điền" anywhere."""
    return PENDING in norm_text(text)


def is_pending(value: object) -> bool:
    return isinstance(value, PendingDate) or (isinstance(value, str) and norm_text(value) == PENDING)


@dataclass(frozen=True)
class Item:
    """An entry of a list: a region, a category, a source or a unit kind."""

    code: str
    name: str
    level: str = ""
    scheme: str = ""  # the code scheme of a region ("kg-huyen-2021", "ag-xa-2025"); see Unit


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
    scheme: str = ""  # the code scheme its code belongs to ("kg-huyen-2021", "ag-xa-2025")

    @property
    def scheme_code(self) -> str:
        """The code with its scheme ("ag-xa-2025:30292"): what a code means, never the
        number alone (63 of An Giang's 2025 codes were other communes' codes before)."""
        return scheme_code(self.scheme, self.code)


def scheme_code(scheme: str, code: str) -> str:
    """A code qualified by its scheme, as files and outputs write it."""
    return f"{scheme}:{code}" if scheme else code


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


ROWS_BY_UNIT_REGION = "unit_region"
"""A block's rows are (the unit's region) × each entry of its other key fields, preset in a
template of a unit with a region; a unit without one chooses every key on each row."""
ROWS_LISTED = "list"
"""A block has one preset row per entry of the list of its key field (a source, a category)."""
BALANCE_SUPPORT, BALANCE_RESOURCES = "support", "resources"
"""A block's side in the check that a unit gives no more support than it mobilised: the
value measures of the support block against every measure of the resources block."""


@dataclass(frozen=True)
class Block:
    """A table a unit fills on its own sheet (`[results]`, `[resources]`, `[needs]` of
    layout.toml), and what it is in the programme (its role: how its rows are chosen, its side
    in the support-vs-resources check, whether it is kept year over year)."""

    key: str  # the block's table in layout.toml, and its name in records and outputs
    sheet: str
    title: str
    grid: BlockGrid
    key_fields: tuple[KeyField, ...]
    measures: tuple[Measure, ...]
    totals: tuple[RowTotal, ...]
    rows: str = ROWS_LISTED  # ROWS_BY_UNIT_REGION or ROWS_LISTED
    free_rows: int = 0  # rows offered to a unit that chooses its keys on each row
    balance: str = ""  # BALANCE_SUPPORT, BALANCE_RESOURCES or "" (not compared)
    history: bool = False  # its figures are compared year over year and bounded as plausible
    bieu: tuple[str, ...] = ()  # numbers of the consolidated workbook's biểu that show it ("01")
    detail_sheet: str = ""  # the consolidated workbook's sheet of its records, one a row

    @property
    def rows_by_unit_region(self) -> bool:
        """True when a unit's region fixes the rows (and a unit without one chooses per row)."""
        return self.rows == ROWS_BY_UNIT_REGION

    @property
    def first_row(self) -> int:
        return self.grid.first_row

    @property
    def first_measure_index(self) -> int:
        return col_index(self.grid.columns[self.measures[0].key])

    def measure_column(self, key: str) -> str:
        return self.grid.columns[key]

    def total_column(self, key: str) -> str:
        if not any(t.key == key for t in self.totals):
            raise KeyError(key)
        return self.grid.columns[key]

    @property
    def last_column(self) -> str:
        return self.grid.last_column

    def measure(self, key: str) -> Measure:
        for m in self.measures:
            if m.key == key:
                return m
        raise KeyError(key)

    @property
    def columns(self) -> tuple[str, ...]:
        """The keys of the block's figure columns in the form's order: its measures, then its
        row totals ("children", …, "total_value"). What its detail frame sums, its totals
        carry and its summary tables show, column by column."""
        return (*(m.key for m in self.measures), *(t.key for t in self.totals))

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
    max_sheet_bytes: int  # sheet data the checks walk before calamine (reader._check_sheet_bytes)
    max_compression_ratio: int
    max_zip_entries: int
    max_rows: int
    max_columns: int
    max_text_chars: int
    max_number: int
    max_message_depth: int = 20  # multipart levels of a saved message (containers._check_depth)


@dataclass(frozen=True)
class Programme:
    """What names the programme in file names, titles and mail (`[programme]` of the
    configuration; the defaults are Decision 588's)."""

    prefix: str = "588"  # in output file names: tong-hop-<prefix>-<year>.xlsx
    short: str = "QĐ 588/QĐ-TTg"  # in titles: "Tổng hợp kết quả thực hiện <short> năm 2025"
    mail_tag: str = "QĐ 588"  # in mail subjects: "Báo cáo năm 2025 (<mail_tag>) của …"
    bieu_titles: dict[str, str] = field(default_factory=dict)  # biểu number -> its title


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
    info_grid: InfoGrid
    blocks: dict[str, Block]
    checks: CheckLayout = field(default_factory=CheckLayout)
    document: Path = DEFAULT_WORDING  # wording of the narrative report (TOML)
    programme_info: Programme = field(default_factory=Programme)
    # schemes an archived CSV without a scheme column is read in (`[schemes] unmarked_history`)
    unmarked_history: tuple[str, ...] = ()

    @property
    def schemes(self) -> tuple[str, ...]:
        """The code schemes of this configuration's units and regions, each once."""
        return tuple(dict.fromkeys([*(u.scheme for u in self.units), *(r.scheme for r in self.regions)]))

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

    def unit_scheme(self, code: str) -> str:
        """The code scheme of a unit of this configuration ("" for a code it does not know)."""
        unit = self.units_by_code.get(code)
        return unit.scheme if unit else ""

    def region_scheme(self, code: str) -> str:
        """The code scheme of a region of this configuration ("" for a code it does not know)."""
        region = self.regions_by_code.get(code)
        return region.scheme if region else ""

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

    # ----- blocks by role ---------------------------------------------------------------
    def _block_where(self, what: str, test: Any) -> Block:
        found = [b for b in self.blocks.values() if test(b)]
        if len(found) != 1:
            raise FormError(f"Cần đúng một bảng {what} trong bố cục, có {len(found)}")
        return found[0]

    @cached_property
    def history_block(self) -> Block:
        """The block compared year over year and bounded as plausible (`history = true`)."""
        return self._block_where("history = true", lambda b: b.history)

    @cached_property
    def support_block(self) -> Block:
        """The support given, in the support-vs-resources check (`balance = "support"`)."""
        return self._block_where('balance = "support"', lambda b: b.balance == BALANCE_SUPPORT)

    @cached_property
    def resources_block(self) -> Block:
        """The resources mobilised, in the same check (`balance = "resources"`)."""
        return self._block_where('balance = "resources"', lambda b: b.balance == BALANCE_RESOURCES)

    # ----- where the rows are ------------------------------------------------------------
    def rows_for(self, block: Block, unit: Unit | None) -> list[RowSpec]:
        """The data rows of a block in the template of `unit` (None: a unit choosing per row)."""
        if block.rows_by_unit_region:
            if unit is None or not unit.region:
                return [RowSpec(block.grid.row(i)) for i in range(block.free_rows)]
            fixed = [{"region": unit.region}]
            for kf in block.key_fields:
                if kf.key != "region":
                    fixed = [{**f, kf.key: item.code} for f in fixed for item in self.items(kf.key)]
        else:
            key = block.key_fields[0].key
            fixed = [{key: item.code} for item in self.items(key)]
        return [RowSpec(block.grid.row(i), f) for i, f in enumerate(fixed)]

    def total_row(self, block: Block, unit: Unit | None) -> int:
        return block.grid.total_row(len(self.rows_for(block, unit)))

    # ----- live checks and declarations in the template ----------------------------------
    def declare_cell(self, block: Block) -> str:
        """The cell where a unit declares it has nothing to report for `block` ("C3")."""
        return self.checks.declare_cell

    def block_checks(self, block: Block) -> SheetChecks:
        return block.grid.checks(self.checks, block.sheet, block.key)

    def info_checks(self) -> SheetChecks:
        return self.info_grid.checks(self.sheets["info"])

    def all_checks(self) -> list[SheetChecks]:
        """The check cells of every sheet a unit fills, information sheet first."""
        return [self.info_checks(), *(self.block_checks(b) for b in self.blocks.values())]

    def overview_cell(self) -> tuple[str, str]:
        """(sheet, cell) of the whole workbook's check result on the first sheet."""
        return self.sheets["instructions"], self.checks.overview_cell
