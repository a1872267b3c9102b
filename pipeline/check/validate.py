"""The rules checked after reading, once over the stacked records of every file.

What is checked where, in order (a file's findings keep this order):
1. the information sheet, each block's rows and a file's support against its resources
   (`rulebind.py`: the rules the form applies);
2. empty blocks and the "nothing to report" declaration (`emptiness.py`);
3. a unit name typed close to the registry's (`rulebind.name_rules`);
4. plausibility without history (`plausible.py`): the information sheet's counts, each
   results row, a file's results totals.
Each goes the one way of `ruleschema.check`: a pandera schema built from the rules, run
once per stack. Against last year's figures: `history.py`, once the history is read; the
report date and the sender against how the file came (`arrival.py`): `check_arrival`,
once the files' arrival is known.
"""

from __future__ import annotations

import datetime as dt

from ..form import Form
from ..read.parsed import Parsed
from ..rules.bind import block_rules, info_rules, name_rules, totals_rules
from ..rules.catalogue import Bound
from ..rules.schema import Stack, check, warm_up
from .arrival import arrival_rules
from .emptiness import emptiness_rules, stack_filled
from .plausible import plausibility_rules
from .stacks import stack_arrival, stack_block, stack_block_totals, stack_info, stack_support

__all__ = ["check_arrival", "validate_all", "warm_up"]


def validate_all(form: Form, parsed: list[Parsed]) -> None:
    """Check every rule once over all files; append the findings to each file."""
    files = {p.file_id: p for p in parsed}
    candidates = [p for p in parsed if p.info_row is not None]
    info = stack_info(form, candidates)
    blocks = {key: stack_block(form, block, candidates) for key, block in form.blocks.items()}

    def apply(name: str, stack: Stack, rules: list[Bound], *, by_record: bool = False) -> None:
        for file_id, finding in check(name, stack, rules, files, by_record=by_record):
            files[file_id].findings.append(finding)

    apply("info", info, info_rules(form, in_template=False))
    for key, block in form.blocks.items():
        apply(key, blocks[key], block_rules(form, block))
    apply("support", stack_support(form, candidates), totals_rules(form))
    apply("filled", stack_filled(form, candidates), emptiness_rules(form), by_record=True)
    apply("names", info, name_rules(form))
    on_info, on_rows, on_totals = plausibility_rules(form)
    bounded = form.history_block
    apply("plausible info", info, on_info, by_record=True)
    for key, rules in on_rows.items():
        apply(f"plausible {key}", blocks[key], rules, by_record=True)
    totals = stack_block_totals(form, bounded, blocks[bounded.key], files)
    apply("plausible totals", totals, on_totals, by_record=True)


def check_arrival(form: Form, parsed: list[Parsed], today: dt.date) -> None:
    """Add the date and sender warnings to each report's findings (in place)."""
    files = {p.file_id: p for p in parsed}
    for file_id, finding in check(
        "arrival", stack_arrival(form, parsed, today), arrival_rules(form), files, by_record=True
    ):
        files[file_id].findings.append(finding)
