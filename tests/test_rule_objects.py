"""A rule is one object: the pandera check built from a bound rule carries its code, title
and binding, and maps back to the same rule; every rule the pipeline checks after reading
has a message of its own and is bound somewhere the validation runs."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
import pytest

from pipeline.check.arrival import arrival_rules
from pipeline.check.emptiness import emptiness_rules
from pipeline.check.plausible import plausibility_rules
from pipeline.form import load_form
from pipeline.rules.bind import block_rules, info_rules, name_rules, totals_rules
from pipeline.rules.catalogue import RULES, Rule
from pipeline.rules.schema import bound_of, pandera_check, schema
from pipeline.run.history import outlier_rules

FORM = load_form()


def _bound_everywhere():
    out = [*info_rules(FORM, in_template=False), *name_rules(FORM), *totals_rules(FORM)]
    out += emptiness_rules(FORM) + outlier_rules(FORM, FORM.year - 1) + arrival_rules(FORM)
    for block in FORM.blocks.values():
        out += block_rules(FORM, block)
    for part in plausibility_rules(FORM):
        out += part
    return out


BOUND = _bound_everywhere()
CHECKED = [b for b in BOUND if b.rule.kind.passes is not None]  # the others: while reading


@pytest.mark.parametrize("rule", CHECKED, ids=[f"{b.code}:{b.field}" for b in CHECKED])
def test_pandera_check_carries_the_rule_and_maps_back(rule):
    check = pandera_check(rule)
    assert check.name == rule.code
    assert check.error == RULES[rule.code].title
    assert check.statistics["field"] == rule.field
    back = bound_of(check)
    assert (back.rule, back.field, back.others, dict(back.params)) == (
        rule.rule,
        rule.field,
        rule.others,
        dict(rule.params),
    )


def test_every_rule_with_a_pandas_check_is_bound_and_worded():
    """A rule the pipeline checks after reading is applied somewhere and says more than its title."""
    checked = {code for code, r in RULES.items() if r.kind is not None and r.kind.passes is not None}
    bound = {b.code for b in CHECKED}
    # LAYOUT_CHANGED is bound only to key fields outside the region and category lists
    assert checked == bound
    default = Rule("X", "error", "x").message
    worded = {code for code in checked if RULES[code].message != default}
    assert checked - worded == {"LAYOUT_CHANGED"}


def test_a_failure_names_its_rule_field_and_parameters():
    """Validating a frame breaks one rule; pandera's error names the rule's check, not a text."""
    block = FORM.blocks["results"]
    rules = [r for r in block_rules(FORM, block) if r.code == "MEASURE_AT_MOST" and r.field == "girls"]
    frame = pd.DataFrame(
        {
            "file_id": [0, 0],
            "row": [8, 9],
            "girls": pd.array([5, 12], "Int64"),
            "children": pd.array([10, 10], "Int64"),
        }
    )
    with pytest.raises(pa.errors.SchemaErrors) as err:
        schema("t", frame, rules).validate(frame, lazy=True)
    [e] = err.value.schema_errors
    assert bound_of(e.check).others == ("children",)
    assert e.failure_cases["index"].drop_duplicates().tolist() == [1]
