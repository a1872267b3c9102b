"""Issue #13: an empty block is an error ("báo cáo trống") unless the unit declared it has
nothing to report for it; a declared block is accepted and shown as such. Table-driven."""

from __future__ import annotations

from typing import Any

import pytest

from pipeline.form import load_form
from pipeline.run.consolidate import check_files
from pipeline.run.result import FileStatus
from pipeline.run.submissions import resolve

FORM = load_form()
BLOCKS = list(FORM.blocks)


def _only_contacts(data: dict[str, Any]) -> None:
    """What a unit sends when it fills only its name, phone and date."""
    data["info"] = {k: data["info"][k] for k in ("preparer", "phone", "report_date")}
    data["results"], data["resources"], data["needs"] = [], {}, {}


def _empty(*blocks: str, declare: tuple[str, ...] = ()) -> Any:
    def mutate(data: dict[str, Any]) -> None:
        for b in blocks:
            data[b] = [] if b == "results" else {}
        data["nothing_to_report"] = list(declare)

    return mutate


def _zeros(data: dict[str, Any]) -> None:
    data["needs"] = {c.code: {"children": 0, "cost": 0} for c in FORM.categories}


def _only_contacts_all_declared(data: dict[str, Any]) -> None:
    _only_contacts(data)
    data["nothing_to_report"] = BLOCKS


# (id, unit, mutation, expected findings as (code, block), file status)
CASES = [
    (
        "only-name-phone-date",
        "903",
        _only_contacts,
        [("BLOCK_EMPTY", b) for b in BLOCKS],
        FileStatus.REJECTED,
    ),
    ("only-contacts-all-declared", "903", _only_contacts_all_declared, [], FileStatus.ACCEPTED),
    ("needs-empty", "903", _empty("needs"), [("BLOCK_EMPTY", "needs")], FileStatus.REJECTED),
    ("needs-empty-declared", "903", _empty("needs", declare=("needs",)), [], FileStatus.ACCEPTED),
    ("results-empty-department", "SYT", _empty("results"), [("BLOCK_EMPTY", "results")], FileStatus.REJECTED),
    (
        "results-empty-declared-department",
        "SYT",
        _empty("results", declare=("results",)),
        [],
        FileStatus.ACCEPTED,
    ),
    ("needs-zeros-are-figures", "903", _zeros, [], FileStatus.ACCEPTED),
    ("declared-but-filled", "903", _empty(declare=("needs",)), [("BLOCK_DECLARED_NOT_EMPTY", "needs")], None),
]


@pytest.mark.parametrize(
    ("unit", "mutate", "expected", "status"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_empty_block_rule(unit, mutate, expected, status, make_file):
    path, data = make_file(unit, mutate)
    (parsed,) = check_files(FORM, [path])
    got = [(f.code, f.sheet, f.cell) for f in parsed.findings]
    want = [(code, FORM.blocks[b].sheet, FORM.declare_cell(FORM.blocks[b])) for code, b in expected]
    assert got == want, parsed.findings
    records, units = resolve(FORM, [parsed])
    if status is not None:
        assert records[0].status == status
    declared = tuple(data.get("nothing_to_report", ()))
    assert parsed.declared_empty == declared
    assert records[0].manifest()["nothing_to_report"] == list(declared)
    if records[0].status == FileStatus.ACCEPTED and declared:  # accepted, and shown as declared empty
        note = next(u for u in units if u.code == unit).note
        assert all(f"'{FORM.blocks[b].sheet}'" in note for b in declared), note


def test_the_document_says_a_block_every_unit_declared_empty_was_reported_as_none(make_file, tmp_path):
    """brk40 F8: units that marked the needs sheet «x» (nothing to report) reported no needs;
    the draft said "Các đơn vị chưa báo cáo nhu cầu", as if they had not reported. With no
    unit counted it still says so."""
    from docx import Document

    from pipeline.app import consolidate_into
    from pipeline.outbox.paths import document_path

    for code in ("899", "900"):
        make_file(code, _empty("needs", declare=("needs",)))
    report = consolidate_into(FORM, tmp_path / "inbox", tmp_path / "out", show_progress=False, workers=1)
    assert report.count("accepted") == 2
    texts = [p.text for p in Document(str(document_path(tmp_path / "out", FORM.year))).paragraphs]
    said = (
        f"Chưa đơn vị nào nêu nhu cầu hỗ trợ trẻ em năm {FORM.year + 1}; 2/2 đơn vị có báo cáo được chấp nhận"
    )
    assert any(t.startswith(said) for t in texts), [t for t in texts if "nhu cầu" in t]
    assert not any("chưa báo cáo nhu cầu" in t for t in texts)
