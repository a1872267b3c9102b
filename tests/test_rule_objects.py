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
from pipeline.form import FormError, load_form
from pipeline.rules import kinds, recordkinds
from pipeline.rules.bind import block_rules, info_rules, name_rules, totals_rules
from pipeline.rules.catalogue import RULES, Rule, RuleBindError, _placeholders, bind
from pipeline.rules.schema import bound_of, pandera_check, schema
from pipeline.run.history import outlier_rules

FORM = load_form()


def _bound_everywhere():
    out = [*info_rules(FORM, in_template=False), *name_rules(FORM), *totals_rules(FORM)]
    out += emptiness_rules(FORM) + outlier_rules(FORM, FORM.year - 1) + arrival_rules(FORM)
    for block in FORM.blocks.values():
        out += block_rules(FORM, block)
    info, rows, totals = plausibility_rules(FORM)
    out += info + [rule for block in rows.values() for rule in block] + totals
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


# ----- engines named, parameters declared ----------------------------------------------------
KINDS = [v for mod in (kinds, recordkinds) for v in vars(mod).values() if isinstance(v, kinds.Kind)]


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_every_engine_of_a_kind_is_a_named_function(kind):
    engines = [e for e in (kind.passes, kind.excel, kind.facts) if e is not None]
    assert all(e.__name__ != "<lambda>" for e in engines), kind.name
    for side, engine in (("pandas", kind.passes), ("excel", kind.excel)):
        if engine is not None:  # the test and the formula say which kind and which side they are
            assert engine.__name__ == f"_{kind.name}_{side}", engine.__name__


@pytest.mark.parametrize(
    ("code", "field", "others", "params", "missing"),
    [
        # a message placeholder nobody gives
        ("MONEY_TOO_SMALL", "cash", (), {"name": "tiền mặt", "what": "Tiền mặt", "minimum": 1000}, "'least'"),
        # what the kind's pandas check reads
        ("REGION_UNKNOWN", "region", (), {"label": "địa bàn"}, "'allowed'"),
        # a live text's placeholder
        ("NUMBER_NOT_INTEGER", "cash", (), {}, "'name'"),
        # what the kind's facts read
        ("ROW_DUPLICATE", "region", ("category",), {"keys": ("region", "category")}, "'item_names'"),
    ],
)
def test_a_binding_without_a_parameter_fails_when_bound(code, field, others, params, missing):
    with pytest.raises(RuleBindError) as err:
        bind(code, field, others, **params)
    assert code in str(err.value) and missing in str(err.value) and f"'{field}'" in str(err.value)
    assert isinstance(err.value, FormError)  # the command line reports it as a configuration error


def test_a_pair_rule_bound_without_its_other_field_fails_when_bound():
    params = {"name": "số trẻ em nữ", "Name": "Số trẻ em nữ", "other_name": "số trẻ em"}
    with pytest.raises(RuleBindError, match="MEASURE_AT_MOST.*ít nhất 1 trường khác"):
        bind("MEASURE_AT_MOST", "girls", **params)
    assert bind("MEASURE_AT_MOST", "girls", ("children",), **params).others == ("children",)


def test_a_catalogue_message_naming_a_parameter_no_binding_gives_fails_when_the_form_is_bound(monkeypatch):
    """A catalogue entry whose message names {unit_label}: the form's rules fail as they are
    bound, naming the rule and the parameter, not when a file first breaks the rule."""
    rule = RULES["NUMBER_NEGATIVE"]
    changed = Rule(
        rule.code, rule.severity, rule.title, rule.kind, "{what} ({unit_label}) là số âm", rule.live
    )
    monkeypatch.setitem(RULES, "NUMBER_NEGATIVE", changed)
    with pytest.raises(RuleBindError, match=r"NUMBER_NEGATIVE .*'unit_label'"):
        block_rules(FORM, FORM.blocks["results"])


def test_every_rule_declares_what_its_message_names():
    """Each bound rule's message is filled from its parameters and its kind's facts alone
    (a record's fields too for a kind that gives them): nothing left to fail when formatted."""
    for b in CHECKED:
        kind = b.rule.kind
        if kind.from_record:
            continue
        named = _placeholders(b.rule.message) - {"title"}
        assert named <= set(b.params) | set(kind.gives), (b.code, named - set(b.params) - set(kind.gives))
        assert set(kind.needs) <= set(b.params), b.code


def test_a_binding_is_checked_for_what_its_user_words():
    """The template's live check words only the live text; the pipeline's check only what
    its kind reads and its message: each binding must give what its user needs."""
    with pytest.raises(RuleBindError, match="BLOCK_EMPTY.*'cell'"):
        bind("BLOCK_EMPTY", "has_rows", used_by="template", mark="Không có")
    assert (
        bind("BLOCK_EMPTY", "has_rows", used_by="template", mark="Không có", cell="C5").params["cell"] == "C5"
    )
    with pytest.raises(RuleBindError, match="BLOCK_EMPTY.*'cells'"):
        bind("BLOCK_EMPTY", "has_rows", used_by="check", mark="Không có")
    bind("BLOCK_EMPTY", "has_rows", used_by="check", mark="Không có", cells={"results": "C5"})
    with pytest.raises(RuleBindError):  # used by both: both sets
        bind("BLOCK_EMPTY", "has_rows", mark="Không có", cells={"results": "C5"})
