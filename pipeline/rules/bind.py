"""Where the form applies the rules: one `rules.Bound` per rule and place.

Derived from the form definition (`schemas/layout.toml`: a measure's `at_most`,
`at_least`, the value measures, the key fields and their lists, the required information
fields). The pandera schemas (`validate.py`) and the template's live checks
(`livechecks.py`) are both built from what these functions return, in this order.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from ..form import Block, Form, Item, norm_text
from ..form.crosswalk import REFORM
from ..form.grid import meta_cell
from . import nearest
from .catalogue import READ_AS_OWN_NAME, Bound, bind
from .findings import show

# the smallest amount of money a unit can report (1.000 đồng): "513.000" typed on a PC with
# US number settings becomes 513, and no support is worth less than a thousand đồng
MONEY_MINIMUM = 1000
# the rule a key field's value outside its list breaks
NOT_LISTED = {"region": "REGION_UNKNOWN", "category": "CATEGORY_UNKNOWN"}


def _item_names(form: Form, block: Block) -> dict[str, dict[str, str]]:
    return {kf.key: {i.code: i.name for i in form.items(kf.key)} for kf in block.key_fields}


def _near(form: Form, key: str) -> Callable[[str], str]:
    """Text typed in a key field -> "; có phải là 'A'?" naming the nearest listed names, or
    what became of an old district of that name (`nearest.near_text`)."""
    return lambda text: nearest.near_text(form, key, text)  # a function: pandera copies the checks


def block_rules(form: Form, block: Block, *, free_keys: bool = True) -> list[Bound]:
    """The rules over one row of `block`.

    `free_keys`: the row's key fields are typed by the unit (a free-rows block), so the list,
    blank-key and duplicate rules apply to them; otherwise they are preset in the template.
    """
    names = {m.key: m.name for m in block.measures}
    rules: list[Bound] = []
    measures = tuple(m.key for m in block.measures)
    for m in block.measures:
        rules.append(bind("NUMBER_NEGATIVE", m.key, name=m.name, what=m.name.capitalize()))
        rules.append(bind("NUMBER_NOT_INTEGER", m.key, name=m.name))
        if m.type == "money":
            least = MONEY_MINIMUM
            rules.append(
                bind(
                    "MONEY_TOO_SMALL",
                    m.key,
                    name=m.name,
                    what=m.name.capitalize(),
                    minimum=least,
                    least=show(least),
                )
            )
    for m in block.measures:
        for code, other in (("MEASURE_AT_MOST", m.at_most), ("MEASURE_AT_LEAST", m.at_least)):
            if other:
                rules.append(
                    bind(
                        code, m.key, (other,), name=m.name, Name=m.name.capitalize(), other_name=names[other]
                    )
                )
    head, values = block.headcount, block.value_measures
    if any(m.at_most for m in block.measures) and values:
        rules.append(bind("VALUE_MISSING", values[0], (head, *values), head_name=names[head]))
        rules.append(bind("CHILDREN_MISSING", head, values, head_name=names[head]))
    items = _item_names(form, block)
    if any(kf.key == "region" for kf in block.key_fields):
        rules.append(bind("REGION_NOT_OWN", "region", item_names=items))
    if free_keys and block.key_fields:
        for kf in block.key_fields:
            label = kf.label.lower()
            allowed = [i.code for i in form.items(kf.key)]
            code = NOT_LISTED.get(kf.key, "LAYOUT_CHANGED")
            rules.append(bind(code, kf.key, allowed=allowed, label=label, near=_near(form, kf.key)))
            rules.append(bind("ROW_KEY_MISSING", kf.key, measures, label=label))
        first, *rest = (kf.key for kf in block.key_fields)
        keys = (first, *rest)
        rules.append(bind("ROW_DUPLICATE", first, tuple(rest), keys=keys, item_names=items))
    return rules


def info_rules(form: Form, *, in_template: bool = True) -> list[Bound]:
    """The rules over the fields of the information sheet.

    `in_template`: only those the template checks live (a required field left blank, those
    the template fills in too: a unit may clear them once the sheet is unprotected; the year
    or the unit's code typed over with another, brk48 F1); else
    every rule the pipeline checks there, field by field in the form's order.
    """
    if in_template:
        required = [bind("REQUIRED_MISSING", f.key, label=f.label) for f in form.info_fields if f.required]
        years = [
            bind("YEAR_MISMATCH", f.key, expected=form.year) for f in form.info_fields if f.type == "year"
        ]
        column, row = meta_cell("unit_code")[0], meta_cell("unit_code")[1:]  # "B3": one letter
        mark = f"'{form.sheets['meta']}'!${column}${row}"
        code = [bind("UNIT_CODE_CHANGED", "unit_code", used_by="template", mark=mark)]
        return required + years + code
    units = {u.code: norm_text(u.name) for u in form.units}
    rules = [
        bind(
            "UNIT_MISMATCH",
            "unit_name",
            ("unit_code",),
            normalized=units,
            norm=norm_text,
            close=partial(unit_read_as, form),
            former=partial(nearest.former_unit_names, form),
            elsewhere=partial(nearest.elsewhere_text, form),
            unit_names={u.code: u.name for u in form.units},
        )
    ]
    for f in form.info_fields:
        if f.required:
            rules.append(bind("REQUIRED_MISSING", f.key, label=f.label))
        if f.key == "unit_code":
            rules.append(bind("UNIT_UNKNOWN", f.key, allowed=[u.code for u in form.units]))
        elif f.type == "year":
            rules.append(bind("YEAR_MISMATCH", f.key, expected=form.year))
        elif f.type == "count":
            rules.append(bind("NUMBER_NEGATIVE", f.key, name=f.label, what=f"'{f.label}'"))
    return rules


def name_rules(form: Form) -> list[Bound]:
    """A unit name typed close to the registry's (accents, abbreviations) is read as it; one
    typed as the old name of a commune whose land went to the unit is read as the unit too,
    the old place and the merger said (UNIT_FORMER_NAME)."""
    label = form.info_field("unit_name").label.lower()
    close = partial(unit_read_as, form)
    return [
        bind("NAME_READ_AS", "unit_name", ("unit_code",), label=label, close=close, **READ_AS_OWN_NAME),
        bind(
            "UNIT_FORMER_NAME",
            "unit_name",
            ("unit_code",),
            former=partial(nearest.former_unit_names, form),
            places=nearest.former_places,
            unit_names={u.code: u.name for u in form.units},
            reform=REFORM,
        ),
    ]


def unit_read_as(form: Form, code: object, typed: object) -> str | None:
    """The registry name of unit `code` when `typed` differs from it but is read as it: its
    short name (`nearest.same_place`), or the unit's name is the one `nearest.match` reads
    among every unit's (accents, abbreviations, a typo closer to it than to any other), the
    name typed or before a note ("UBND xã Hòa Điền, tỉnh An Giang": `nearest.name_heads`).
    None for an old commune's name that went to the unit (`nearest.former_unit_names`) and
    for a name read as another unit's or as none, with a note or not: "UBND Huyện An Biên"
    in An Minh's file was read as An Minh's when compared with An Minh's name alone (brk17)."""
    unit = form.units_by_code.get(code) if isinstance(code, str) else None
    if unit is None or not isinstance(typed, str) or norm_text(typed) == norm_text(unit.name):
        return None
    if nearest.former_unit_names(form, code, typed) or nearest.former_elsewhere(form, code, typed):
        return None
    units = form.memo.get("unit_items")
    if units is None:
        units = form.memo["unit_items"] = tuple(Item(u.code, u.name) for u in form.units)
    for name in (typed, *nearest.name_heads(typed)):  # the name typed, else before its note
        if nearest.same_place(unit.name, name):
            return unit.name
        meant = nearest.match(units, name).code  # against every unit's name (brk17 F1)
        if meant is not None:
            return unit.name if meant == unit.code else None
    return None


def totals_rules(form: Form) -> list[Bound]:
    """The rules over a file's totals (`validate.stack_totals`: support, resources)."""
    return [bind("SUPPORT_EXCEEDS_RESOURCES", "support", ("resources",))]
