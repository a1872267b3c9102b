"""The form definition, loaded from `schemas/`: the single source of truth.

- `model`: what the template asks (lists, units, blocks and their roles, measures, fields).
- `grid`: where each thing sits on its sheet; the only owner of row and column offsets.
- `sheets`: every cell of the sheets a unit fills, for one unit's template.
- `describe`: the form JSON printed from those cells.
- `load`: TOML to `Form`, and whose a template of another form is; `address`: A1 cell addresses.
- `owncopy`: the officer's own copy of an installed configuration (`cau-hinh/`), which one
  `--config` names, and where every «cần điền» message says to fill a setting in.
- `crosswalk`: old places to new ones across the 2025 reform (`[history]`), read by the
  history, the final review and the names of old districts in messages.
"""

from .address import CELL_ADDRESS, a1, cell_at, col_index, col_letter, row_of
from .describe import layout_json
from .grid import META_KEYS, CheckLayout, RowSpec, SheetChecks, meta_cell
from .load import (
    config_with_version,
    declared_outbox,
    foreign_template,
    load_form,
    owner_of,
    pending_fields,
    pending_warning,
    replaces_of,
)
from .model import (
    DEFAULT_FORM,
    DEFAULT_WORDING,
    PENDING,
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
    norm_text,
    scheme_code,
    years_later,
)
from .owncopy import (
    COPY_COMMAND,
    OWN_FOLDER,
    config_named,
    config_option,
    installed,
    launcher_line,
    own_copy,
    own_copy_path,
    where_to_fill,
)

__all__ = [
    "COPY_COMMAND",
    "OWN_FOLDER",
    "config_named",
    "config_option",
    "installed",
    "launcher_line",
    "own_copy",
    "own_copy_path",
    "where_to_fill",
    "replaces_of",
    "CELL_ADDRESS",
    "DEFAULT_FORM",
    "DEFAULT_WORDING",
    "META_KEYS",
    "SCHEMAS_DIR",
    "Block",
    "CheckLayout",
    "Form",
    "FormError",
    "InfoField",
    "Item",
    "KeyField",
    "Limits",
    "Measure",
    "PENDING",
    "PendingDate",
    "Period",
    "Programme",
    "RowSpec",
    "RowTotal",
    "SheetChecks",
    "Unit",
    "a1",
    "cell_at",
    "col_index",
    "col_letter",
    "foreign_template",
    "layout_json",
    "load_form",
    "declared_outbox",
    "meta_cell",
    "is_pending",
    "norm_text",
    "owner_of",
    "config_with_version",
    "pending_fields",
    "pending_warning",
    "scheme_code",
    "row_of",
    "years_later",
]
