"""The totals are built once (aggregate.Totals) and every grouping a view reads equals sums
computed independently from the figures filled into the files."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from pipeline.form import Form
from pipeline.run.aggregate import groupings
from pipeline.run.consolidate import run

CODES = ("899", "903", "SYT", "HCTD")  # two districts (fixed region), two departments (free rows)


def _rows(form: Form, code: str, data: dict[str, Any]) -> list[tuple[str, dict[str, str], dict[str, int]]]:
    """(block, group values, figures incl. row totals) for every filled row of one file."""
    kind = form.units_by_code[code].kind
    out = []
    for key, block in form.blocks.items():
        raw = data.get(key, [])
        recs = raw if isinstance(raw, list) else [{block.key_fields[0].key: k, **v} for k, v in raw.items()]
        for rec in recs:
            figures = {m.key: rec.get(m.key) or 0 for m in block.measures}
            figures |= {t.key: sum(rec.get(k) or 0 for k in t.sum_of) for t in block.totals}
            groups = {kf.key: rec[kf.key] for kf in block.key_fields} | {"unit_kind": kind}
            out.append((key, groups, figures))
    return out


@pytest.fixture
def filled(form, make_file, tmp_path):
    datas = {code: make_file(code)[1] for code in CODES}
    report = run(form, tmp_path / "inbox", tmp_path / "out", show_progress=False, workers=1)
    return report, datas


def test_every_grouping_equals_independent_sums(form, filled):
    report, datas = filled
    expected: dict[tuple[str, tuple[str, ...]], dict[tuple[str, ...], Counter]] = {}
    for code, data in datas.items():
        for key, groups, figures in _rows(form, code, data):
            for group in groupings(form.blocks[key]):
                sums = expected.setdefault((key, group), {})
                sums.setdefault(tuple(groups[g] for g in group), Counter()).update(figures)
    for (key, group), sums in expected.items():
        got = report.totals.by(key, *group)
        assert {k: dict(v) for k, v in got.items()} == {k: dict(v) for k, v in sums.items()}, (key, group)
        for measure in report.totals.measures[key]:
            assert sum(v[measure] for v in got.values()) == report.totals.of(key, measure)


def test_activities_by_kind_of_unit(form, filled):
    report, datas = filled
    want: Counter[str] = Counter()
    for code, data in datas.items():
        want[form.units_by_code[code].kind] += data["info"].get("activities") or 0
    got = report.totals.by("info", "unit_kind")
    assert {k[0]: v["activities"] for k, v in got.items()} == dict(want)
    assert report.totals.of("info", "activities") == sum(want.values())


def test_serialised_as_block_dot_measure_in_form_order(form, filled):
    report, _ = filled
    keys = [f"{b}.{m}" for b, block in form.blocks.items() for m in report.totals.measures[b]]
    assert list(report.totals.to_dict()) == [*keys, "info.activities"]
    assert report.to_dict()["totals"] == report.totals.to_dict()


def test_unknown_grouping_is_refused(filled):
    report, _ = filled
    with pytest.raises(KeyError):
        report.totals.by("needs", "region", "category")
