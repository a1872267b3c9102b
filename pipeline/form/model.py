"""The form definition: what a template asks and what each answer means.

Loaded from `schemas/` by `load.py`, the single source of truth. Where each answer sits on
its sheet is the grid's business (`grid.py`): a block and the information sheet carry their
grid, and the look-ups here only name rows and columns the grid decided.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, ClassVar

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
# The Vietnamese names of the code schemes when a form names no other file (`[schemes] labels`).
SCHEME_LABELS = SCHEMAS_DIR / "reference" / "code-schemes.csv"


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

    def __reduce__(self) -> tuple[type[PendingDate], tuple[()]]:
        # pickled as itself (a worker process started by spawn receives the form so):
        # date's own reduction calls the class with the date's bytes, which it takes not
        return (PendingDate, ())

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
    """An entry of a list: a region, a category, a source or a unit kind (`[[regions]]`,
    `[[categories]]`, `[[sources]]`, `[[unit_kinds]]` of the configuration; regions may come
    from a CSV file instead, `regions_csv`)."""

    code: str
    """`code`: what files, records and outputs carry ("899", "KCB"); unique in its list."""
    name: str
    """`name`: what templates, lists and messages show ("Thành phố Rạch Giá")."""
    level: str = ""
    """`level`: for a region, "province" marks the one for support no district can claim;
    kept as data, read by no check."""
    scheme: str = ""
    """`scheme`: the code scheme of a region ("kg-huyen-2021", "ag-xa-2025"), else
    `[schemes] regions`; of a unit kind, the default of its units (see `Unit.scheme`)."""


@dataclass(frozen=True)
class Unit:
    """A reporting unit of the registry (`[[units]]` of the configuration, or `units_csv`)."""

    code: str
    """`code`: the unit's code, written into its template and read back from its file."""
    name: str
    """`name`: the registry's name; a name typed differently in a file is checked against it."""
    kind: str
    """`kind`: the `code` of its `[[unit_kinds]]` entry ("district", "department")."""
    region: str | None = None
    """`region`: the `code` of its `[[regions]]` entry, which fixes the rows of a
    `rows = "unit_region"` block; absent (None): the unit chooses the region on each row."""
    emails: tuple[str, ...] = ()
    """`emails`: the addresses it sends from (a list, or one CSV cell split at ";" or ","),
    kept lower case; a report from another address is a warning."""
    contact: str = ""
    """`contact`: optional, who to call when the unit has sent nothing."""
    phone: str = ""
    """`phone`: optional, that person's number."""
    scheme: str = ""
    """`scheme`: the code scheme its code belongs to ("kg-huyen-2021", "ag-xa-2025"); absent:
    its kind's `scheme`, else `[schemes] units`."""

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
    """A figure a unit types on each row of a block, one column of its sheet
    (`[[<block>.measures]]` of layout.toml, in column order)."""

    key: str
    """`key`: its name in records, totals, the CSV and the JSON ("children"), unique in its block."""
    label: str
    """`label`: its column heading in the template and the workbook ("Số trẻ em được hỗ trợ")."""
    unit: str
    """`unit`: what it counts, shown under the heading ("người", "lượt", "đồng"); default ""."""
    type: str
    """`type`: "count" (persons, turns: checked for date and phone look-alikes) or "money"
    (đồng: checked for amounts under 1.000 đồng); default "count"."""
    at_most: str | None = None
    """`at_most`: the `key` of a measure of the same block this one may not exceed ("girls"
    at most "children"); it also makes that measure the block's headcount."""
    at_least: str | None = None
    """`at_least`: the `key` of a measure this one may not be below ("turns" at least
    "children")."""
    value: bool = False
    """`value`: true for the amounts that make the row's support value (cash, in kind): a
    headcount without one, or one without a headcount, is a warning, and they are the support
    side of the support-vs-resources check."""
    short: str = ""
    """`short`: its lower-case name inside messages ("số trẻ em nữ"); default the label."""

    @property
    def name(self) -> str:
        """Short lower-case name used inside messages ("số trẻ em nữ")."""
        return self.short or self.label.lower()


@dataclass(frozen=True)
class RowTotal:
    """A column the template computes on each row, the sum of some measures
    (`[[<block>.totals]]` of layout.toml, right of the measures)."""

    key: str
    """`key`: its name in totals and outputs ("value_total"), unique in its block."""
    label: str
    """`label`: its column heading ("Tổng giá trị hỗ trợ")."""
    unit: str
    """`unit`: shown under the heading ("đồng"); default ""."""
    sum_of: tuple[str, ...]
    """`sum_of`: the `key`s of the measures it adds up (["cash", "in_kind"])."""


@dataclass(frozen=True)
class KeyField:
    """A column of a block that says what a row is about (`keys = [{ list, label }, …]` of a
    block's table in layout.toml, in column order)."""

    key: str
    """`list`: the list its values come from: "region", "category" or "source"."""
    label: str
    """`label`: its column heading ("Địa bàn được hỗ trợ"); lower-cased in messages."""
    column: str
    """Not configured: its column letter, from its place among the keys (`BlockGrid`)."""


@dataclass(frozen=True)
class InfoField:
    """One question of the information sheet, one a row (`[[info.fields]]` of layout.toml,
    in row order)."""

    key: str
    """`key`: its name in records and outputs ("unit_code", "report_date")."""
    label: str
    """`label`: the question as the sheet shows it ("Ngày báo cáo (dd/mm/yyyy)")."""
    type: str
    """`type`: how the answer is read and checked: "code", "text", "longtext", "year" (must be
    the form's year), "date" (checked against the arrival), "count" (a whole number >= 0);
    default "text"."""
    row: int
    """Not configured: its sheet row, `[info] first_row` plus its place in the list."""
    column: str
    """Not configured: the answer's column, `[info] value_column`."""
    required: bool = False
    """`required`: a blank answer is an error (and a live check in the template)."""
    prefilled: bool = False
    """`prefilled`: the template writes the answer for the unit (its code, name, the year)."""
    unit: str = ""
    """`unit`: what a count counts ("hoạt động"), shown beside the label."""

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

    key: str
    """Its name in layout.toml's `blocks = [...]` and of its table there (`[results]`), and in
    records and outputs."""
    sheet: str
    """`[sheets] <key>`: the name of its sheet in the template ("Kết quả")."""
    title: str
    """`title`: the heading over its table."""
    grid: BlockGrid
    """`first_row` (the first data row), and the columns that follow from its keys, measures
    and totals: where every cell of the block is (`grid.py`)."""
    key_fields: tuple[KeyField, ...]
    """`keys`: what a row is about, one column each."""
    measures: tuple[Measure, ...]
    """`[[<key>.measures]]`: the figures of a row, one column each."""
    totals: tuple[RowTotal, ...]
    """`[[<key>.totals]]`: the row totals, right of the measures; may be empty."""
    rows: str = ROWS_LISTED
    """`rows`: "unit_region" (ROWS_BY_UNIT_REGION: rows preset from the unit's region) or
    "list" (ROWS_LISTED, the default: one row per entry of its one key's list)."""
    free_rows: int = 0
    """`free_rows`: rows offered to a unit without a region, which chooses its keys on each row."""
    balance: str = ""
    """`balance`: "support" or "resources", its side in the check that a unit gives no more
    support than it mobilised; "" (the default): not compared. One block each side."""
    history: bool = False
    """`history`: its figures are compared year over year and bounded by `[plausibility]`
    (exactly one block)."""
    bieu: tuple[str, ...] = ()
    """`bieu`: the numbers of the consolidated workbook's biểu that show it (["01", "02"])."""
    detail_sheet: str = ""
    """`detail_sheet`: the consolidated workbook's sheet of its records, one a row (required)."""
    end_mark: str = ""
    """layout.toml's `end_mark`: the label under the total row in each measure's column,
    `{column}` its letter ("" for none; `sheets.BlockSheet.end_marks`)."""
    row_mark: str = ""
    """layout.toml's `row_mark`: the label in the empty column right of the table, on the
    heading row and on each data row ("" for none; `sheets.BlockSheet.row_marks`)."""
    row_mark_moved: str = ""
    """layout.toml's `row_mark_moved`: what a data row's mark shows once its row's cells
    were shifted and the mark put back ("" for none: the marks are constants)."""

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


def years_later(day: dt.date, years: int) -> dt.date:
    """The same day `years` later (earlier when negative); 29 February becomes 28 February
    in a year without one."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Period:
    """The reporting period (`[period]` of the configuration; `--year` moves it to another
    year, its dates by as many years: `load._moved_period`)."""

    DATES: ClassVar[dict[str, str]] = {
        "start": "Kỳ báo cáo từ ngày",
        "end": "Kỳ báo cáo đến ngày",
        "due_before": "Hạn nộp (trước ngày)",
    }
    """The period's dates (field names) and what a listing of changes calls them; they move
    with the year (`--year`, `new-year`)."""

    year: int
    """`year`: the reporting year, written into templates and checked in every file."""
    start: dt.date
    """`start`: the first day the figures cover; a report date before it is a warning."""
    end: dt.date
    """`end`: the last day the figures cover; after it, the commands say the year is over."""
    due_before: dt.date
    """`due_before`: a report is on time when it came before this day (a message's arrival,
    else the date typed in the file); "cần điền" while unknown (a `PendingDate`)."""

    @property
    def due_text(self) -> str:
        """The deadline as a sentence says it: "trước ngày 01/12/2025", or "chưa ấn định"
        while `due_before` is "cần điền" (never the placeholder itself)."""
        if is_pending(self.due_before):
            return "chưa ấn định"
        return f"trước ngày {self.due_before:%d/%m/%Y}"


@dataclass(frozen=True)
class Limits:
    """Bounds on untrusted files, checked before the heavy reading (`[limits]` of the
    configuration, one key each; all required but `max_message_depth` and the mailbox
    bounds). A file over one is
    rejected with the reason, never read further."""

    max_file_bytes: int
    """`max_file_bytes`: the size of a file, a message or an archive as it arrives."""
    max_uncompressed_bytes: int
    """`max_uncompressed_bytes`: the parts of a spreadsheet (or an archive's members) unpacked."""
    max_part_bytes: int
    """`max_part_bytes`: one part of a spreadsheet unpacked (a sheet, the shared strings)."""
    max_sheet_bytes: int
    """`max_sheet_bytes`: the sheet data the checks walk before calamine
    (`reader._check_sheet_bytes`)."""
    max_compression_ratio: int
    """`max_compression_ratio`: unpacked size over packed size of a part (zip bombs)."""
    max_zip_entries: int
    """`max_zip_entries`: entries of a spreadsheet's package or of an archive."""
    max_rows: int
    """`max_rows`: rows of a sheet."""
    max_columns: int
    """`max_columns`: columns of a sheet."""
    max_text_chars: int
    """`max_text_chars`: characters of one text cell."""
    max_number: int
    """`max_number`: the largest figure taken (persons, turns, đồng)."""
    max_message_depth: int = 20
    """`max_message_depth`: multipart levels of a saved message, and parentheses nested in
    its header (`intake/containers/message.py`, `_check_depth`)."""
    max_mailbox_bytes: int = 2_000_000_000
    """`max_mailbox_bytes`: a mailbox file of several messages (mbox), read a message at a
    time, each within `max_file_bytes` (`intake/containers/expand.py`, `_mailbox`)."""
    max_mailbox_messages: int = 20_000
    """`max_mailbox_messages`: messages of a mailbox file (an office's exported folder)."""


@dataclass(frozen=True)
class Programme:
    """What names the programme in file names, titles and mail (`[programme]` of the
    configuration; the defaults are Decision 588's)."""

    prefix: str = "588"
    """`prefix`: in output file names, tong-hop-<prefix>-<year>.xlsx (lower-case ASCII, digits, -)."""
    short: str = "QĐ 588/QĐ-TTg"
    """`short`: in titles, "Tổng hợp kết quả thực hiện <short> năm 2025"."""
    mail_tag: str = "QĐ 588"
    """`mail_tag`: in mail subjects, "Báo cáo năm 2025 (<mail_tag>) của …"."""
    bieu_titles: dict[str, str] = field(default_factory=dict)
    """`[programme.bieu_titles]`: a biểu's number ("01") -> its title, replacing the default."""


@dataclass(frozen=True)
class Form:
    """The whole form definition of one configuration (a `schemes/*.toml` file, and the
    layout.toml it names with `[form] layout`)."""

    path: Path
    """Not configured: the configuration file it was loaded from."""
    id: str
    """`[form] id`: the form's identity, written into every template; a file of another id
    is another configuration's ("qd588-bao-cao-nam")."""
    version: str
    """`[form] version`: the template version written into new templates ("2025.2")."""
    accepted_versions: tuple[str, ...]
    """`[form] accepted_versions`: template versions still read; another is "TEMPLATE_OLD".
    Default: `version` alone."""
    title: str
    """`[form] title`: the template's title."""
    programme: str
    """`[form] programme`: the decision the report is made under, in full (documents, sheets)."""
    request: str
    """`[form] request`: the province's letter that asks for the report; default ""."""
    form_number: str
    """`[form] form_number`: the form's number as printed ("Biểu số 01/QĐ588"); default ""."""
    first_year: int
    """`[form] first_year`: the programme's first year, where the year-over-year view begins;
    default `[period] year`."""
    last_year: int | None
    """`[form] last_year`: the programme's last year (Quyết định 588/QĐ-TTg: 2019 - 2025),
    where its sum to date stops and its final review ends; None when not configured. A
    reporting year after it is outside the programme (`new-year` says so)."""
    period: Period
    """`[period]`."""
    agencies: dict[str, str]
    """`[agencies]`: the names documents and letters print: `province`, `department`,
    `department_short`, `place`, `recipient`, `signer_title`, `document_number`."""
    limits: Limits
    """`[limits]`."""
    plausibility: dict[str, Any]
    """`[plausibility]`: `factor` and `floor` (ints) of the year-over-year check; the
    `ratios`, `unit_totals` and `lookalikes` tables, read by `check/plausible.py`."""
    unit_kinds: tuple[Item, ...]
    """`[[unit_kinds]]`: the kinds of reporting unit."""
    regions: tuple[Item, ...]
    """`[[regions]]` and/or `regions_csv`: where support is delivered."""
    units: tuple[Unit, ...]
    """`[[units]]` and/or `units_csv`: the reporting units, each sent its own template."""
    categories: tuple[Item, ...]
    """`[[categories]]`: the kinds of support (a block's `category` key)."""
    sources: tuple[Item, ...]
    """`[[sources]]`: where resources come from (a block's `source` key)."""
    sheets: dict[str, str]
    """layout.toml `[sheets]`: role ("instructions", "info", a block's key, "lists", "meta")
    -> the sheet's name in the template."""
    info_fields: tuple[InfoField, ...]
    """layout.toml `[[info.fields]]`."""
    info_grid: InfoGrid
    """layout.toml `[info]`: where the information sheet's rows and columns are."""
    blocks: dict[str, Block]
    """layout.toml `blocks = [...]` and each block's table, in sheet order."""
    checks: CheckLayout = field(default_factory=CheckLayout)
    """layout.toml `[checks]`: where the live checks and declarations go."""
    document: Path = DEFAULT_WORDING
    """`[form] document`: the wording of the narrative report (a TOML file beside the
    configuration); default `schemas/bao-cao.toml`."""
    programme_info: Programme = field(default_factory=Programme)
    """`[programme]`."""
    outbox: Path = Path("outbox")
    """`[paths] outbox`: the folder this configuration's outputs go to (templates, each year's
    set), relative to the folder the command runs in; the command's default `--outbox`
    (`make … OUTBOX=`). Each configuration has its own, so two provinces never share one."""
    unmarked_history: tuple[str, ...] = ()
    """`[schemes] unmarked_history`: the schemes an archived year without recorded schemes is
    read in (its codes are this configuration's of that time)."""
    scheme_labels: dict[str, str] = field(default_factory=dict)
    """`[schemes] labels`: scheme id -> its Vietnamese name, read from that CSV (next to the
    configuration; default the shipped `schemas/reference/code-schemes.csv`), every row of
    it: what users read instead of the id ("ag-xa-2025" -> "mã xã, phường, đặc khu của tỉnh
    An Giang từ 01/7/2025")."""

    @property
    def schemes(self) -> tuple[str, ...]:
        """The code schemes of this configuration's units and regions, each once."""
        return tuple(dict.fromkeys([*(u.scheme for u in self.units), *(r.scheme for r in self.regions)]))

    def scheme_label(self, scheme: str) -> str:
        """What users read for the code scheme `scheme` (its `scheme_labels` entry); a scheme
        without one (a year recorded by a configuration unknown here) is named by its id,
        "chưa rõ hệ mã" when there is none."""
        if not scheme or scheme == "?":
            return "chưa rõ hệ mã"
        return self.scheme_labels.get(scheme) or f"hệ mã {scheme}"

    def schemes_text(self, schemes: Iterable[str]) -> str:
        """The labels of `schemes` in order, joined by "; " (labels hold commas); "chưa rõ hệ
        mã" for none."""
        return "; ".join(dict.fromkeys(self.scheme_label(s) for s in schemes)) or "chưa rõ hệ mã"

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

    def info_numbers(self) -> list[InfoField]:
        """The information sheet's fields the template reads as numbers, as the pipeline
        does (`render/numbercells.py`): the counts the unit types, and the year the template
        fills in (typed over once the sheet is unprotected: brk15 F8)."""
        return [f for f in self.info_fields if (f.type == "count" and not f.prefilled) or f.type == "year"]

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
