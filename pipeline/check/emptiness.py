"""Empty blocks and the explicit "nothing to report" declaration.

Each block sheet of the template has a declaration cell (`Form.declare_cell`). A block
with no figure at all is an error ("báo cáo trống") unless the unit marked that cell; a
marked block that does have figures is a warning (the figures are still read). A file
with only its name, phone and date filled therefore never passes.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from ..form import Form
from ..read.parsed import Parsed
from ..rules.catalogue import Bound, bind
from ..rules.schema import Stack


def emptiness_rules(form: Form) -> list[Bound]:
    """BLOCK_EMPTY and BLOCK_DECLARED_NOT_EMPTY over `stack_filled`, pointing at the
    declaration cell of each block."""
    cells = {b.key: form.declare_cell(b) for b in form.blocks.values()}
    return [
        bind("BLOCK_EMPTY", "has_rows", used_by="check", mark=form.checks.declare_mark, cells=cells),
        bind("BLOCK_DECLARED_NOT_EMPTY", "declared", cells=cells),
    ]


def stack_filled(form: Form, files: Iterable[Parsed]) -> Stack:
    """A record per file read in full and block: has it a figure, did the unit declare it
    empty, has its sheet a finding on a cell already (then it is not called empty)."""
    rows = []
    for p in files:
        if p.info_row is None or not p.rows:
            continue  # not read far enough to know (already rejected for another reason)
        touched = {f.sheet for f in p.findings if f.cell}
        for block in form.blocks.values():
            if block.key in p.rows:
                has_rows, declared = bool(p.rows[block.key]), block.key in p.declared_empty
                rows.append(
                    (
                        p.file_id,
                        form.checks.declare_row,
                        block.key,
                        has_rows,
                        declared,
                        block.sheet in touched,
                    )
                )
    frame = pd.DataFrame(rows, columns=["file_id", "row", "block", "has_rows", "declared", "touched"])
    places = {b.key: (b.sheet, form.declare_cell(b)) for b in form.blocks.values()}
    return Stack(frame, lambda _field, rec: places[rec["block"]])
