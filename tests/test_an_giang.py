"""An Giang from 2025 (schemas/an-giang.toml): the same form on today's map, codes that carry
their scheme, and files of the other configuration named, never matched by the number."""

from __future__ import annotations

import csv
import json
import random
import re
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from pipeline.app import consolidate_into
from pipeline.filler import fill
from pipeline.form import SCHEMAS_DIR, FormError, foreign_template, layout_json, load_form, meta_cell
from pipeline.outbox.paths import year_dir
from pipeline.render.template import write_template, write_templates
from pipeline.run.history import with_schemes
from pipeline.samples import valid_data, write_samples

from .conftest import ROOT

AG = SCHEMAS_DIR / "an-giang.toml"
COMMUNES = SCHEMAS_DIR / "reference" / "an-giang-communes-2025-07.csv"
# What no text generated for 2025 and later may say: the former ministry and department, or
# a district as a unit (districts were abolished on 01/7/2025).
FORBIDDEN = re.compile(r"LĐTBXH|Lao động\s*-\s*Thương binh|\bhuyện\b|Huyện", re.IGNORECASE)


@pytest.fixture(scope="module")
def ag():
    return load_form(AG)


def _communes() -> list[dict[str, str]]:
    lines = [line for line in COMMUNES.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return list(csv.DictReader(lines))


def test_units_and_regions_come_from_the_reference_list(ag):
    communes = _communes()
    assert len(communes) == 102
    by_kind = Counter(u.kind for u in ag.units)
    assert by_kind["commune"] == 102 and by_kind["department"] >= 10
    assert [(u.code, u.name) for u in ag.units if u.kind == "commune"] == [
        (c["commune_code"], f"UBND {c['commune_name']}") for c in communes
    ]
    assert [r.code for r in ag.regions] == [c["commune_code"] for c in communes] + ["91"]
    assert {u.scheme for u in ag.units} == {"ag-xa-2025", "ag-so-2025"}
    assert {r.scheme for r in ag.regions} == {"ag-xa-2025"}
    assert ag.agencies["department"] == "SỞ Y TẾ" and ag.agencies["recipient"] == "Bộ Y tế"
    # what is not known is shown as "cần điền", never invented
    assert f"{ag.period.due_before:%d/%m/%Y}" == "cần điền" and "cần điền" in ag.request
    assert "cần điền" in ag.agencies["signer_title"]


def test_the_list_can_be_narrowed_in_the_file(tmp_path):
    text = AG.read_text(encoding="utf-8").replace("only = []", 'only = ["30292", "30301"]')
    (tmp_path / "reference").mkdir()
    (tmp_path / "reference" / COMMUNES.name).write_bytes(COMMUNES.read_bytes())
    for name in ("layout.toml", "bao-cao-an-giang.toml"):
        (tmp_path / name).write_bytes((SCHEMAS_DIR / name).read_bytes())
    (tmp_path / "an-giang.toml").write_text(text, encoding="utf-8")
    form = load_form(tmp_path / "an-giang.toml")
    assert [u.code for u in form.units if u.kind == "commune"] == ["30292", "30301"]


def test_templates_for_every_unit_carry_the_scheme(ag, tmp_path):
    paths = write_templates(ag, tmp_path)
    assert len(paths) == len(ag.units) == 102 + sum(u.kind == "department" for u in ag.units)
    for path, unit in ((paths[0], ag.units[0]), (paths[-1], ag.units[-1])):
        wb = openpyxl.load_workbook(path)
        meta = wb[ag.sheets["meta"]]
        assert meta[meta_cell("unit_code")].value == unit.code
        assert meta[meta_cell("scheme")].value == unit.scheme
        # the sheet the unit reads names the scheme by its label; the hidden marker keeps the id
        subtitle = wb[ag.sheets["info"]]["A2"].value
        assert ag.scheme_label(unit.scheme) in subtitle and unit.scheme not in subtitle


def _texts(outbox: Path, year: int) -> list[tuple[str, str]]:
    """(file, text) of every output of the year: workbook cells, document, CSV, JSON, feedback."""
    out = []
    for path in sorted(year_dir(outbox, year).rglob("*")):
        if path.suffix in (".csv", ".json"):
            out.append((path.name, path.read_text(encoding="utf-8-sig")))
        elif path.suffix in (".xlsx", ".docx"):
            with zipfile.ZipFile(path) as z:
                for name in z.namelist():
                    if name.endswith(".xml"):
                        out.append((f"{path.name}:{name}", re.sub(r"<[^>]+>", "", z.read(name).decode())))
    return out


def test_samples_consolidate_to_independent_sums_and_say_nothing_of_the_old_map(ag, tmp_path):
    tdir, inbox, outbox = tmp_path / "t", tmp_path / "inbox", tmp_path / "out"
    layout = layout_json(ag)
    chosen = [ag.units[0], ag.units[50], ag.units[101], ag.units_by_code["SYT"], ag.units_by_code["TDOAN"]]
    expected: Counter[tuple[str, str]] = Counter()
    resources = 0
    for i, unit in enumerate(chosen):
        data = valid_data(ag, unit.code, random.Random(i), layout)
        fill(write_template(ag, unit, tdir), inbox / f"{unit.code}.xlsx", layout, unit.code, data)
        for rec in data["results"]:
            expected[(rec["category"], "children")] += rec["children"]
            expected[(rec["category"], "value")] += rec["cash"] + rec["in_kind"]
        resources += sum(v["cash"] + v["in_kind"] for v in data["resources"].values())
    report = consolidate_into(ag, inbox, outbox, show_progress=False)
    assert report.count("accepted") == 5, [f.message for f in report.findings]
    by_cat = report.totals.by("results", "category")
    got = Counter()
    for (cat,), sums in by_cat.items():
        got[(cat, "children")] = sums["children"]
        got[(cat, "value")] = sums["cash"] + sums["in_kind"]
    assert +got == +expected
    assert report.totals.of("resources", "cash") + report.totals.of("resources", "in_kind") == resources
    doc = json.loads((year_dir(outbox, 2025) / "bao-cao.json").read_text(encoding="utf-8"))
    assert doc["form"]["schemes"] == ["ag-xa-2025", "ag-so-2025"]
    assert {u["scheme"] for u in doc["units"]} == {"ag-xa-2025", "ag-so-2025"}
    bad = [(name, m.group(0)) for name, text in _texts(outbox, 2025) for m in FORBIDDEN.finditer(text)]
    assert bad == []


def test_the_whole_sample_inbox_names_no_district_nor_the_former_department(ag, tmp_path):
    inbox, outbox = tmp_path / "inbox", tmp_path / "out"
    write_samples(ag, inbox)
    report = consolidate_into(ag, inbox, outbox, show_progress=False)
    assert report.count("missing") == 1
    texts = _texts(outbox, 2025)
    texts += [(p.name, p.read_text(encoding="utf-8")) for p in inbox.glob("*.txt")]
    names = {name.split(":")[0] for name, _ in texts}
    assert {
        "tong-hop-588-2025.xlsx",
        "bao-cao-588-2025.docx",
        "chi-tiet-588-2025.csv",
        "bao-cao.json",
    } <= names
    assert any(name.startswith("phan-hoi-") for name in names)
    assert [(name, m.group(0)) for name, text in texts for m in FORBIDDEN.finditer(text)] == []


def test_letters_are_drafted_against_a_deadline_not_known_yet(ag, tmp_path):
    """`due_before = "cần điền"`: the letters say the date is to come, never an invented date
    nor "cần điền" (tests/test_unknown_deadline.py: they are not sent until filled), and nothing
    computed from the deadline (the day before it) crashes."""
    import email
    from email import policy

    from pipeline import cli

    inbox, outbox = tmp_path / "inbox", tmp_path / "out"
    write_samples(ag, inbox)
    consolidate_into(ag, inbox, outbox, show_progress=False)
    assert cli.main(["--config", str(ag.path), "mail", "drafts", "--outbox", str(outbox)]) == cli.EXIT_OK
    bodies = []
    for path in sorted((year_dir(outbox, 2025) / "thu").glob("*.eml")):
        msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        bodies.append(msg.get_body(("plain",)).get_content())
    assert len(bodies) == len(ag.units)
    reminders = [b for b in bodies if "Hạn nộp báo cáo" in b]
    # no "cần điền" in a sentence to a unit: the reminder says the date will be announced
    assert reminders and all("Sở sẽ thông báo sau" in b and "cần điền" not in b for b in reminders)
    assert not any("9999" in b for b in bodies)


@pytest.mark.parametrize(
    ("made_by", "read_by"), [("kien-giang.toml", "an-giang.toml"), ("an-giang.toml", "kien-giang.toml")]
)
def test_a_template_of_the_other_configuration_is_rejected_by_name(tmp_path, made_by, read_by):
    maker, reader = load_form(SCHEMAS_DIR / made_by), load_form(SCHEMAS_DIR / read_by)
    unit = maker.units_by_code["SYT"]  # the same code in both: only the scheme tells them apart
    assert unit.code in reader.units_by_code and unit.scheme != reader.unit_scheme(unit.code)
    layout = layout_json(maker)
    path = fill(
        write_template(maker, unit, tmp_path / "t"),
        tmp_path / "SYT.xlsx",
        layout,
        unit.code,
        valid_data(maker, unit.code, random.Random(1), layout),
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "--config",
            str(SCHEMAS_DIR / read_by),
            "check",
            "--json",
            str(path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    (result,) = json.loads(done.stdout)
    # refused, yet credited by its name to the unit consolidate credits it to (`intake.whose`):
    # that unit did send something, and is told to use its own template
    assert not result["valid"] and result["unit"] == "SYT"
    assert [f["code"] for f in result["findings"]] == ["TEMPLATE_UNKNOWN"]
    # the finding's wording, for read.extract to use (see the branch's notes)
    message = foreign_template(reader, maker.id, unit.scheme)
    label = reader.scheme_label(unit.scheme)
    assert f"tệp là mẫu của cấu hình {made_by} (mã đơn vị: {label})" in message
    assert unit.scheme not in message and label != unit.scheme
    assert f"--config schemas/{made_by} check <tệp>" in message


def test_an_earlier_year_of_another_scheme_is_never_matched_by_number(ag):
    kg = load_form()
    import pandas as pd

    frame = pd.DataFrame({"unit_code": ["30292", "SYT"], "value": [5, 7]})
    # written by Kiên Giang's configuration (its bao-cao.json names its schemes)
    assert with_schemes(ag, frame, kg.schemes).empty
    # an archive of An Giang's own schemes is matched
    assert list(with_schemes(ag, frame, ag.schemes)["unit_scheme"]) == ["ag-xa-2025", "ag-so-2025"]
    # an archive before schemes were recorded: only a configuration that says it wrote it
    assert with_schemes(ag, frame, None).empty
    assert list(with_schemes(kg, frame, None)["unit_scheme"]) == ["?", "kg-so-2019"]
    # a CSV with the column keeps only this configuration's schemes
    marked = frame.assign(unit_scheme=["kg-xa-2021", "ag-so-2025"])
    assert list(with_schemes(ag, marked, None)["unit_code"]) == ["SYT"]


def test_new_year_of_kien_giang_points_to_an_giang():
    from pipeline.newyear import plan_next_year

    with pytest.raises(FormError, match=r"Cấu hình năm 2026 làm từ .*an-giang\.toml"):
        plan_next_year(SCHEMAS_DIR / "kien-giang.toml")  # Kiên Giang merged into An Giang
    nxt = plan_next_year(AG)
    assert not any("an-giang.toml" in c.new for c in nxt.changes)
    assert 'due_before = "cần điền"' in nxt.text


def test_two_configurations_never_share_a_years_outbox(ag, form, make_file, tmp_path):
    """Kiên Giang and An Giang both report 2025: a run of one never replaces (nor carries
    the files of) the other's set in the same outbox; it says to choose another folder."""
    from pipeline import cli
    from pipeline.outbox.paths import report_path

    path, _ = make_file("899")
    outbox = tmp_path / "out"
    assert cli.main(["consolidate", "--inbox", str(path.parent), "--outbox", str(outbox)]) == cli.EXIT_OK
    before = report_path(outbox, 2025).read_bytes()
    inbox = tmp_path / "ag-inbox"
    write_samples(ag, inbox)
    code = cli.main(["--config", str(ag.path), "consolidate", "--inbox", str(inbox), "--outbox", str(outbox)])
    assert code == cli.EXIT_OUTBOX
    assert report_path(outbox, 2025).read_bytes() == before
    other = tmp_path / "out-an-giang"
    assert (
        cli.main(["--config", str(ag.path), "consolidate", "--inbox", str(inbox), "--outbox", str(other)])
        == 0
    )


def test_templates_say_what_is_still_to_fill_in(ag, tmp_path, capsys):
    from pipeline import cli

    assert cli.main(["--config", str(ag.path), "templates", "--outbox", str(tmp_path / "a")]) == 0
    err = capsys.readouterr().err
    assert (
        "còn 4 mục «cần điền» (form.request, period.due_before, agencies.signer_title, agencies.records_unit)"
        in err
    )
    assert cli.main(["templates", "--outbox", str(tmp_path / "k")]) == 0
    assert "cần điền" not in capsys.readouterr().err


def test_a_year_before_the_merger_is_refused_naming_the_configuration_to_use(tmp_path, capsys):
    """An Giang's configuration holds from 2025 (`[form] replaces.from_year`): `--year 2024`
    with it would write a Sở Y tế set of 114 communes for a year of Kiên Giang's districts,
    which the final review then counted. It is refused (exit 2), naming kien-giang.toml;
    nothing is written."""
    from pipeline import cli

    config = str(SCHEMAS_DIR / "an-giang.toml")
    inbox, out = str(tmp_path / "in"), str(tmp_path / "out")
    with pytest.raises(SystemExit) as exc:
        cli.main(["--config", config, "consolidate", "--year", "2024", "--inbox", inbox, "--outbox", out])
    err = capsys.readouterr().err
    assert exc.value.code == 2
    assert "--year 2024: cấu hình an-giang.toml dùng cho các năm từ 2025" in err
    assert "bằng cấu hình kien-giang.toml (--config " in err
    assert not (tmp_path / "out").exists()
