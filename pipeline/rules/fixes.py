"""What to do about a finding, and which findings explain which: the catalogue's `FIXES` and
`EXPLAINED_BY` applied to the findings of one file.

`how_to_fix` fills the rule's "cách sửa" from what the finding itself holds (its cell, the
value found, the facts its message was written from) and what the form knows (the year, the listed names, the unit's registered
name); the letters (`mail/drafts.py`) and the feedback workbook (`render/feedback.py`) both
say it from here, so the wording lives once, in `catalogue.py`.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence

from ..form import Form, cell_at, col_index, col_letter
from ..text.values import dot_thousands, parse_int
from . import nearest
from .bind import NOT_LISTED
from .catalogue import CELL, COMPARED, ERROR, EXPLAINED_BY, FILE, LINE, ROW, RULES, SHEET, TEXT_NUMBER_ADVICE
from .findings import Finding

# the listed names a finding's value was looked up in, by rule (REGION_UNKNOWN: regions …)
_LIST_OF = {code: key for key, code in NOT_LISTED.items()}

Explained = tuple[Finding, list[Finding]]


def fix_facts(form: Form, f: Finding) -> dict[str, str]:
    """The `catalogue.FIX_FACTS` known for finding `f` (a fact not known is absent).

    "digits": the value read as a whole number ("3.500.000" -> "3500000"); "intended" and
    "plain": what a dot-thousands entry on a PC with US settings was meant to be
    (`text.values.dot_thousands`: "513" -> "513.000" and "513000", "1,35" -> "1.350" and
    "1350"); "nearest": the closest listed name (`nearest.read_as`); "registered": the
    unit's name in the registry; "advice": the advice the finding's message gave for how a
    number came to be text, when it says what to do to the cell (`cell_advice`); "other"
    and "other_name": the figure the message compares the finding's with, and its name."""
    facts = {"year": str(form.year)}
    if f.cell:
        facts["cell"] = f.cell
    if f.value:
        facts["value"] = f.value
        number, problem, _ = parse_int(f.value, 10**30)
        if number is not None and problem is None:
            facts["digits"] = str(number)
        try:  # a value as `show` writes it: "513", "1.350.000", "1,35"
            shown = float(f.value.replace(".", "").replace(",", "."))
        except ValueError:
            shown = None
        meant = dot_thousands(shown) if shown is not None and shown > 0 else None
        if meant is not None and meant != shown:
            facts["intended"] = f"{meant:,}".replace(",", ".")
            facts["plain"] = str(meant)
        near = _nearest(form, f)
        if near:
            facts["nearest"] = near
    unit = form.units_by_code.get(f.unit)
    if unit is not None:
        facts["registered"] = unit.name
        if f.code == "NAME_READ_AS" and f.sheet == form.sheets["info"]:  # its own name, not a row's
            facts["own_name"] = unit.name
    told = said(f)
    advice = cell_advice(told)
    if advice:
        facts["advice"] = advice
    for fact in ("other", "other_name"):  # the figure compared with (MEASURE_AT_MOST, _AT_LEAST)
        if told.get(fact):
            facts[fact] = told[fact]
    first = told.get("first_row", "")
    at = _row_col(f.cell)
    if first.isdigit() and at is not None:  # the earlier row a duplicate repeats, same column
        facts["first_row"] = first
        facts["first_cell"] = f"{col_letter(at[1])}{first}"
    return facts


def said(f: Finding) -> dict[str, str]:
    """The facts finding `f`'s message was written from, read back through its rule's
    message template (`Rule.message`): {"first_row": "8", "keys": "…"} for a duplicate row;
    {} when the message does not follow the template (or the rule is unknown)."""
    rule = RULES.get(f.code)
    if rule is None:
        return {}
    pattern, seen = [], set()
    for literal, name, _spec, _conv in string.Formatter().parse(rule.message):
        pattern.append(re.escape(literal))
        if name:
            pattern.append(f"(?P={name})" if name in seen else f"(?P<{name}>.+?)")
            seen.add(name)
    found = re.search("(?:^|: )" + "".join(pattern) + "$", f.message)  # after "Trang …, ô …: "
    return {k: v for k, v in found.groupdict().items() if v is not None} if found else {}


def cell_advice(told: dict[str, str]) -> str:
    """The advice a NUMBER_FROM_TEXT message gave (`said`: its "advice" and the "number"
    read) when it is one of `TEXT_NUMBER_ADVICE` that names the digits to type, so says what
    to do to the cell itself (a cell formatted as Text, leading zeros, spaces, odd
    characters); "" for one about the next time (separators, a unit word), or none."""
    advice, digits = told.get("advice", ""), told.get("number", "").replace(".", "")
    if not advice or not digits.isdigit():
        return ""
    for template in TEXT_NUMBER_ADVICE.values():
        if "{digits}" in template and template.format(digits=digits) == advice:
            return advice
    return ""


def _nearest(form: Form, f: Finding) -> str:
    """The listed name closest to the value of a name not in its list, or read as one.

    A region typed as an old place's name (an old district or commune of the configuration's
    crosswalk) is not a misspelling: its name is the one new unit its land went to wholly,
    else none (the finding says which new units share it), never a look-alike ("Phường Mỹ
    Bình", now in Phường Long Xuyên, is not "Xã Bình Mỹ")."""
    keys = (_LIST_OF[f.code],) if f.code in _LIST_OF else tuple(_LIST_OF.values())
    if f.code not in _LIST_OF and f.code != "NAME_READ_AS":
        return ""
    if "region" in keys:
        # an old commune's new unit only when the name is that old commune's as written
        # (brk44 F1: "Tân Thạnh", read as Xã Tân Thạnh, was told to choose Xã Tân Hội)
        kind, _listed, olds = nearest.region_candidates(form, f.value)
        former = nearest.former_districts(form, f.value) or (olds if kind == nearest.OLD else ())
        if former:
            new = {name for place in former for name in place.new}
            return next(iter(new)) if len(new) == 1 else ""
        if kind == nearest.EITHER:  # either a listed unit or an old commune: no one name to offer (brk44 F1)
            return ""
    for key in keys:
        hit = nearest.read_as(form, key, f.value)
        if hit.name:
            return hit.name
        if f.code in _LIST_OF and hit.choices:
            return hit.choices[0]
    return ""


def how_to_fix(form: Form, f: Finding) -> str:
    """The rule's "cách sửa" for finding `f`, filled from `fix_facts`: its first template
    whose placeholders are all known; "" when the rule has none (or none fits)."""
    rule = RULES.get(f.code)
    if rule is None:
        return ""
    facts = fix_facts(form, f)
    for template in rule.fix:
        names = {n for _, n, _, _ in string.Formatter().parse(template) if n}
        if names <= facts.keys():
            return template.format(**facts)
    return ""


def explains(form: Form, cause: Finding, f: Finding) -> bool:
    """Whether `cause` explains `f` (`catalogue.EXPLAINED_BY`): a finding of a code that
    explains `f`'s, within its reach of `f`'s cell. Both of the same file."""
    reach = EXPLAINED_BY.get(f.code, {}).get(cause.code)
    if reach is None or cause is f:
        return False
    if reach == FILE:
        return True
    if cause.sheet != f.sheet:
        return False
    if reach == SHEET:
        return True
    at, there = _row_col(f.cell), _row_col(cause.cell)
    if at is None or there is None:
        return False
    if reach == CELL:
        return at == there
    if reach == COMPARED:
        return at == there or (at[0] == there[0] and there[1] in _compared(form, f.sheet, at[1]))
    if reach == ROW:
        return at[0] == there[0]
    assert reach == LINE, reach
    return at[0] == there[0] or at[1] == there[1]


def explained(form: Form, found: Sequence[Finding]) -> list[Explained]:
    """The findings of one file, each with the findings that explain it (`explains`), in
    their order. A warning that explains another is told under it, not again on its own;
    an error that explains another stays in the list as well (it must be corrected)."""
    causes: dict[int, list[Finding]] = {}
    used: set[int] = set()
    for i, f in enumerate(found):
        if f.code not in EXPLAINED_BY:
            continue
        for j, g in enumerate(found):
            if j != i and explains(form, g, f):
                causes.setdefault(i, []).append(g)
                if g.severity != ERROR:
                    used.add(j)
    return [(f, causes.get(i, [])) for i, f in enumerate(found) if i not in used]


def _compared(form: Form, sheet: str, column: int) -> set[int]:
    """0-based columns of the figures the form compares the figure in `column` of `sheet`
    with (its measure's `at_most` and `at_least`)."""
    out = set()
    for block in form.blocks.values():
        if block.sheet != sheet:
            continue
        columns = {m.key: col_index(block.measure_column(m.key)) for m in block.measures}
        for m in block.measures:
            if columns[m.key] == column:
                out |= {columns[o] for o in (m.at_most, m.at_least) if o in columns}
    return out


def _row_col(cell: str) -> tuple[int, int] | None:
    """0-based (row, column) of a cell address, or None when it names no cell."""
    try:
        return cell_at(cell)
    except ValueError:
        return None
