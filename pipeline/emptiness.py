"""Empty blocks and the explicit "nothing to report" declaration.

Each block sheet of the template has a declaration cell (`Form.declare_cell`). A block
with no figure at all is an error ("báo cáo trống") unless the unit marked that cell; a
marked block that does have figures is a warning (the figures are still read). A file
with only its name, phone and date filled therefore never passes.
"""

from __future__ import annotations

from collections.abc import Iterable

from . import findings as fd
from .extract import Parsed
from .form import Form


def empty_block_findings(form: Form, parsed: Iterable[Parsed]) -> None:
    """Append BLOCK_EMPTY / BLOCK_DECLARED_NOT_EMPTY findings to each file read in full."""
    mark = form.checks.declare_mark
    for p in parsed:
        if p.info_row is None or not p.rows:
            continue  # not read far enough to know (already rejected for another reason)
        touched = {f.sheet for f in p.findings if f.cell}
        for block in form.blocks.values():
            if block.key not in p.rows:
                continue
            cell = form.declare_cell(block)
            has_rows = bool(p.rows[block.key])
            declared = block.key in p.declared_empty
            if not has_rows and not declared and block.sheet not in touched:
                code = "BLOCK_EMPTY"
                message = (
                    f"trang chưa có số liệu nào (báo cáo trống). Hãy điền số liệu; nếu đơn vị "
                    f"thật sự không có gì để báo cáo ở trang này, chọn «{mark}» ở ô {cell}"
                )
            elif has_rows and declared:
                code = "BLOCK_DECLARED_NOT_EMPTY"
                message = (
                    f"đã đánh dấu không có số liệu (ô {cell}) nhưng trang có số liệu; số liệu "
                    f"vẫn được tính. Nếu số liệu đúng, hãy xóa dấu ở ô {cell}"
                )
            else:
                continue
            p.findings.append(
                fd.make(code, message, file=p.name, unit=p.unit_code or "", sheet=block.sheet, cell=cell)
            )
