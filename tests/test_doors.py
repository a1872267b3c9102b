"""Small doors a new user walks through: each configuration's own outbox (make and the command
agree), templates of two configurations never overwrite each other, the command outside its
virtual environment, the end-of-period line, templates of another year named for what they
are, times in the province's zone, configuration dates explained (issue #23, item 6)."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.form import FormError, load_form
from pipeline.newyear import outboxes_of, period_over, plan_next_year, write_next_year
from pipeline.render.template import write_templates
from pipeline.rules.catalogue import RULES
from pipeline.run.consolidate import check_report
from pipeline.text.command import MAKE_MARK
from pipeline.text.names import template_name

from .clirun import run_cli
from .conftest import ROOT
from .test_cli_vietnamese import of_year

KG = ROOT / "schemas" / "kien-giang.toml"
AG = ROOT / "schemas" / "an-giang.toml"


def _cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    # as typed, unless `env` says make
    return run_cli(*args, cwd=cwd, env={"PYTHONPATH": str(ROOT), **(env or {})}, drop=("TONG_HOP_MAKE",))


def _schemas_copy(tmp: Path) -> Path:
    """The shipped configurations copied (lists and layout linked) into `tmp/schemas`."""
    folder = tmp / "schemas"
    folder.mkdir()
    for item in (ROOT / "schemas").iterdir():
        if item.is_file():
            shutil.copy2(item, folder / item.name)
        else:
            (folder / item.name).symlink_to(item)
    return folder


# ----- 1. each configuration's outputs in its own folder ---------------------------------------
def test_each_configuration_names_its_own_outbox():
    kg, ag = load_form(KG), load_form(AG)
    assert kg.outbox == Path("outbox") and ag.outbox == Path("outbox-an-giang")
    assert outboxes_of(ag) == [Path("outbox-an-giang"), Path("outbox")]  # the review reads both
    assert outboxes_of(kg) == [Path("outbox")]


def test_templates_of_two_configurations_go_to_two_folders_and_agree_with_make(tmp_path):
    ag = _cli("--config", str(AG), "templates", cwd=tmp_path)
    kg = _cli("templates", cwd=tmp_path)
    assert ag.returncode == 0 and kg.returncode == 0, ag.stderr + kg.stderr
    ag_dir, kg_dir = tmp_path / "outbox-an-giang/templates/2025", tmp_path / "outbox/templates/2025"
    assert len(list(ag_dir.glob("*.xlsx"))) == len(load_form(AG).units)
    assert len(list(kg_dir.glob("*.xlsx"))) == len(load_form(KG).units)
    # the same office's file name in both: each keeps its own form id
    both = {p.name for p in ag_dir.glob("*.xlsx")} & {p.name for p in kg_dir.glob("*.xlsx")}
    assert both  # SYT, STC, …: the names that used to be overwritten
    name = sorted(both)[0]
    res = check_report(load_form(KG), [kg_dir / name])
    assert not any(f.code.startswith("TEMPLATE") for p in res.parsed for f in p.findings)
    # the Makefile passes no folder of its own unless OUTBOX= is given
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "\nOUTBOX ?=\n" in make and "--outbox $(OUTBOX)" not in make


def test_templates_refuse_to_overwrite_another_configurations_and_say_how(tmp_path):
    ag = _cli("--config", str(AG), "templates", cwd=tmp_path)
    assert ag.returncode == 0, ag.stderr
    folder = tmp_path / "outbox-an-giang/templates/2025"
    before = {p.name: p.read_bytes() for p in folder.glob("*.xlsx")}
    done = _cli("templates", "--outbox", "outbox-an-giang", cwd=tmp_path)
    assert done.returncode == 2
    assert "an-giang.toml" in done.stderr and "không ghi đè" in done.stderr
    assert "--outbox outbox" in done.stderr and "OUTBOX=" not in done.stderr
    assert {p.name: p.read_bytes() for p in folder.glob("*.xlsx")} == before  # nothing written
    under_make = _cli("templates", "--outbox", "outbox-an-giang", cwd=tmp_path, env={"TONG_HOP_MAKE": "1"})
    assert under_make.returncode == 2 and "OUTBOX=outbox" in under_make.stderr
    # a template of the same configuration is simply rewritten
    assert _cli("--config", str(AG), "templates", cwd=tmp_path).returncode == 0


def test_consolidate_of_another_form_names_the_make_variable_under_make(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    first = _cli("--config", str(AG), "consolidate", "--inbox", "inbox", "--outbox", "outbox", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    plain = _cli("consolidate", "--inbox", "inbox", cwd=tmp_path)
    assert plain.returncode == 3 and "--outbox" in plain.stderr
    made = _cli("consolidate", "--inbox", "inbox", cwd=tmp_path, env={"TONG_HOP_MAKE": "1"})
    assert made.returncode == 3 and "OUTBOX=" in made.stderr and "--outbox" not in made.stderr


def test_paths_outbox_must_be_a_folder_name(tmp_path):
    folder = _schemas_copy(tmp_path)
    cfg = folder / "kien-giang.toml"
    cfg.write_text(
        cfg.read_text(encoding="utf-8").replace('outbox = "outbox"', "outbox = 3"), encoding="utf-8"
    )
    with pytest.raises(FormError, match=r"\[paths\] outbox"):
        load_form(cfg)


# ----- 2. outside the virtual environment -------------------------------------------------------
SYSTEM_PYTHON = Path("/usr/bin/python3")


def _lacks_dependencies(python: Path) -> bool:
    if not python.exists():
        return False
    probe = subprocess.run([str(python), "-s", "-c", "import tomlkit"], capture_output=True)
    return probe.returncode != 0


@pytest.mark.skipif(not _lacks_dependencies(SYSTEM_PYTHON), reason="no Python without the dependencies here")
@pytest.mark.parametrize("command", [["new-year"], ["consolidate"], ["--help"]])
def test_a_python_without_the_libraries_says_so_in_one_vietnamese_line(command):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    done = subprocess.run(
        [str(SYSTEM_PYTHON), "-s", "-m", "pipeline", *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr and "ModuleNotFoundError" not in done.stderr
    assert "chưa cài thư viện" in lines[0] and "tong-hop-588" in lines[0]


def test_every_command_the_readme_tells_the_officer_to_type_exists():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    officer = readme.split("## For developers")[0]
    assert "python -m pipeline new-year" not in officer
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):", make, re.M))
    for target in re.findall(r"`make ([a-z][a-z-]*)", officer):
        assert target in targets, target


# ----- 3. the end-of-period line -----------------------------------------------------------------
def test_period_line_points_kien_giang_to_an_giang_and_then_to_its_next_year(tmp_path, monkeypatch):
    folder = _schemas_copy(tmp_path)
    monkeypatch.chdir(tmp_path)
    kg, ag = load_form(folder / "kien-giang.toml"), load_form(folder / "an-giang.toml")
    after = kg.period.end + dt.timedelta(days=4)
    line = period_over(kg, after, "tong-hop-588")
    assert "--config schemas/an-giang.toml new-year" in line and "kien-giang.toml new-year" not in line
    assert len(line.splitlines()) == 1
    write_next_year(plan_next_year(folder / "an-giang.toml"))  # an-giang-2026.toml
    for form in (kg, ag):
        line = period_over(form, after, "tong-hop-588")
        assert "new-year" not in line and "schemas/an-giang-2026.toml" in line, line


def test_period_line_under_make_names_make_targets(tmp_path, monkeypatch):
    """brk52 F6: run by make, the line named `python -m pipeline … new-year`."""
    folder = _schemas_copy(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(MAKE_MARK, "1")
    kg = load_form(folder / "kien-giang.toml")
    after = kg.period.end + dt.timedelta(days=4)
    assert period_over(kg, after, "tong-hop-588").endswith(
        "năm 2026: make new-year CONFIG=schemas/an-giang.toml"
    )
    write_next_year(plan_next_year(folder / "an-giang.toml"))
    line = period_over(kg, after, "tong-hop-588")
    assert line.endswith("(make … CONFIG=schemas/an-giang-2026.toml)") and "tong-hop-588" not in line, line


def test_an_officers_own_copy_of_kien_giang_is_pointed_to_an_giang_and_never_rolled_on(tmp_path, monkeypatch):
    """The officer's copy of kien-giang.toml (emails filled in) in its own folder, without
    an-giang.toml beside it (breaker brk11, S2): the end-of-period line named new-year on
    the copy, and new-year made a Kiên Giang configuration for 2026. The shipped An Giang
    replaces the copy as it replaces the shipped file (the copy's form id), and new-year
    refuses, naming it; a copy renamed is the same configuration."""
    monkeypatch.chdir(ROOT)
    folder = tmp_path / "cau-hinh-cua-toi"
    folder.mkdir()
    for name in ("layout.toml", "bao-cao.toml"):
        shutil.copy2(ROOT / "schemas" / name, folder / name)
    (folder / "reference").symlink_to(ROOT / "schemas" / "reference")
    text = KG.read_text(encoding="utf-8")
    for name in ("kien-giang.toml", "cau-hinh-so.toml"):
        (folder / name).write_text(text, encoding="utf-8")
        copy = load_form(folder / name)
        line = period_over(copy, copy.period.end + dt.timedelta(days=4), "tong-hop-588")
        assert "năm 2026: tong-hop-588 --config schemas/an-giang.toml new-year" in line, line
        with pytest.raises(FormError) as refused:
            plan_next_year(folder / name)
        assert f"Không làm cấu hình năm 2026 từ {folder / name}: từ năm 2025 tỉnh dùng cấu hình khác" in str(
            refused.value
        )
        assert (
            "Cấu hình năm 2026 làm từ schemas/an-giang.toml (lệnh: --config schemas/an-giang.toml new-year)"
            in str(refused.value)
        )
    done = _cli("--config", str(folder / "kien-giang.toml"), "new-year", "--yes", cwd=ROOT)
    assert done.returncode == 2 and "schemas/an-giang.toml" in done.stderr
    assert sorted(p.name for p in folder.glob("*.toml")) == [
        "bao-cao.toml",
        "cau-hinh-so.toml",
        "kien-giang.toml",
        "layout.toml",
    ]


def test_period_line_speaks_of_the_configured_year_only(form):
    after = form.period.end + dt.timedelta(days=4)
    assert period_over(form, after, run_year=form.year - 1) is None
    assert period_over(form, after, run_year=form.year) is not None


# ----- 4. templates of another year ---------------------------------------------------------------
@pytest.fixture(scope="module")
def years(tmp_path_factory):
    """An Giang's 2025 configuration and its 2026 one (made by new-year), with a template each."""
    tmp = tmp_path_factory.mktemp("years")
    folder = _schemas_copy(tmp)
    ag25 = load_form(folder / "an-giang.toml")
    ag26 = write_next_year(plan_next_year(folder / "an-giang.toml"))
    unit = ag25.units[0]
    paths = {}
    for f in (ag25, ag26):
        out = tmp / str(f.year)
        write_templates(f, out)
        paths[f.year] = out / template_name(f.year, unit.code, unit.name, f.programme_info.prefix)
    return ag25, ag26, paths


def _only(form, path):
    res = check_report(form, [path])
    return [f for p in res.parsed for f in p.findings if f.code.startswith("TEMPLATE")]


def test_a_newer_years_template_is_named_newer_with_its_configuration(years):
    ag25, ag26, paths = years
    (f,) = _only(ag25, paths[2026])
    assert f.code == "TEMPLATE_NEWER" and "Mẫu cũ" not in f.message
    assert (
        "năm 2026" in f.message
        and "an-giang-2026.toml" in f.message
        and "không còn được nhận" not in f.message
    )


def test_an_older_years_template_is_last_years_report(years):
    ag25, ag26, paths = years
    (f,) = _only(ag26, paths[2025])
    assert f.code == "TEMPLATE_LAST_YEAR" and "năm 2025" in f.message and "kỳ trước" in f.message


def test_an_older_version_of_the_same_year_stays_old(years):
    ag25, ag26, paths = years
    older = replace(ag25, accepted_versions=("2025.ag2",), version="2025.ag2")  # 2025.ag1 now old
    (f,) = _only(older, paths[2025])
    assert f.code == "TEMPLATE_OLD" and RULES[f.code].title == "Mẫu cũ" and "phiên bản 2025.ag2" in f.message


@pytest.mark.parametrize(
    ("next_day", "by_mail"),
    [(dt.date(2025, 12, 20), False), (dt.date(2025, 11, 2), False), (dt.date(2025, 12, 20), True)],
)
def test_next_years_template_is_never_a_version_of_this_years_report(years, tmp_path, next_day, by_mail):
    """brk40 F4: a unit's accepted 2025 report and the 2026 template filled, saved by hand
    or mailed later or earlier: the 2026 file is no version of the 2025 report, so it is
    never "Đã được thay thế", its error stays open with the configuration to use, and the
    unit's 2025 report counts and is the one its letter speaks of (listed first)."""
    import random

    from pipeline.app import consolidate_into
    from pipeline.filler import date_value, fill
    from pipeline.form import layout_json
    from pipeline.run.submissions import open_findings
    from pipeline.samples import valid_data

    from .test_containers import eml

    ag25, ag26, paths = years
    unit = ag25.units[0]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for form, day, name in (
        (ag25, dt.date(2025, 11, 20), "bao-cao.xlsx"),
        (ag26, next_day, "Bao cao 588.xlsx"),
    ):
        data = valid_data(form, unit.code, random.Random(1), layout_json(form))
        data["info"]["report_date"] = date_value(day)
        path = fill(paths[form.year], tmp_path / name, layout_json(form), unit.code, data)
        if by_mail:
            sent = f"{day:%a, %d %b %Y} 09:00:00 +0700"
            (inbox / f"{day}.eml").write_bytes(eml({name: path.read_bytes()}, sent))
        else:
            saved = dt.datetime.combine(day, dt.time(9)).timestamp()  # saved the day it is dated
            os.utime(shutil.copy(path, inbox / name), (saved, saved))
    report = consolidate_into(ag25, inbox, tmp_path / "out", show_progress=False, workers=1)
    us = next(u for u in report.units if u.code == unit.code)
    assert (
        us.status.value == "accepted" and us.file is not None and us.file.parsed.name.endswith("bao-cao.xlsx")
    )
    assert [r.parsed.name.rpartition(" › ")[2] for r in us.files] == ["bao-cao.xlsx", "Bao cao 588.xlsx"]
    other = us.files[1]
    assert other.status.value == "rejected" and not other.replaced_by and "thay thế" not in other.note
    (newer,) = [f for f in open_findings(us.files) if f.code == "TEMPLATE_NEWER"]
    assert "an-giang-2026.toml" in newer.message


# ----- 5. times, dates and examples the officer reads ----------------------------------------------
def test_a_plain_files_time_and_basis_are_the_provinces(form, make_file, tmp_path, monkeypatch):
    import time

    from pipeline.app import consolidate_into
    from pipeline.run.result import DecidedBy

    monkeypatch.setenv("TZ", "America/New_York")  # the machine's zone is neither UTC nor the province's
    time.tzset()
    try:
        code = form.units[0].code
        path, _ = make_file(code, mutate=lambda d: d["info"].pop("report_date", None))
        stamp = dt.datetime(2025, 11, 20, 16, 14, tzinfo=dt.UTC).timestamp()
        os.utime(path, (stamp, stamp))
        report = consolidate_into(form, path.parent, tmp_path / "outbox", show_progress=False)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    rec = next(r for r in report.files if r.parsed.name.endswith(path.name))
    assert rec.received == dt.datetime(2025, 11, 20, 23, 14)  # 16:14 UTC is 23:14 in Việt Nam
    unit = next(u for u in report.units if u.code == code)
    assert unit.rule == DecidedBy.SAVED and "không ghi ngày báo cáo" in unit.rule_vi
    assert unit.submitted_on == dt.date(2025, 11, 20)


@pytest.mark.parametrize(
    ("value", "said"),
    [("2025-11-31", "không có thật"), ('"01/12/2025"', "YYYY-MM-DD"), ('"2025-02-30"', "không có thật")],
)
def test_a_configuration_date_says_what_is_wrong_with_it(tmp_path, value, said):
    folder = _schemas_copy(tmp_path)
    cfg = folder / "kien-giang.toml"
    text = cfg.read_text(encoding="utf-8")
    cfg.write_text(re.sub(r"(?m)^end = .*$", f"end = {value}", text, count=1), encoding="utf-8")
    with pytest.raises(FormError) as caught:
        load_form(cfg)
    assert said in str(caught.value) and "dấu ngoặc" not in str(caught.value)


def test_the_number_example_fits_counts_and_money():
    from pipeline.text.values import parse_int

    for code in ("NUMBER_INVALID", "NUMBER_FROM_TEXT"):
        assert "người" in RULES[code].live and "đồng" in RULES[code].live
    _, problem, _ = parse_int("khoảng 50", 10**15)
    assert "người" in problem[1] and "đồng" in problem[1]


def test_check_of_a_folder_names_the_whole_command(tmp_path):
    (tmp_path / "hop thu").mkdir()
    done = _cli("--config", str(AG), "check", "hop thu", cwd=tmp_path)
    assert done.returncode == 2
    # quoted as the officer's shell takes it whole (POSIX here: 'hop thu'; cmd: "hop thu")
    assert f"python -m pipeline --config {AG} consolidate --inbox 'hop thu'" in done.stderr
    made = _cli("check", "hop thu", cwd=tmp_path, env={"TONG_HOP_MAKE": "1"})
    assert "make consolidate INBOX='hop thu'" in made.stderr


def test_new_year_of_the_old_province_names_the_successor_as_it_stands(tmp_path, monkeypatch):
    """Kiên Giang's new-year refuses and says where next year's configuration comes from:
    An Giang's new-year while An Giang's 2026 configuration is not made, An Giang's 2026
    configuration itself once it is (its new-year would make 2027)."""
    folder = _schemas_copy(tmp_path)
    monkeypatch.chdir(tmp_path)

    def note() -> str:
        with pytest.raises(FormError) as refused:
            plan_next_year(folder / "kien-giang.toml")
        return str(refused.value)

    assert "--config schemas/an-giang.toml new-year" in note()
    write_next_year(plan_next_year(folder / "an-giang.toml"))  # an-giang-2026.toml
    said = note()
    assert "schemas/an-giang-2026.toml" in said and "new-year" not in said
    assert "đã là cấu hình năm 2026" in said


def test_of_several_successors_the_year_asked_is_named(tmp_path, monkeypatch):
    """With an-giang.toml (2025) and the an-giang-2026.toml and an-giang-2027.toml new-year
    made from it side by side, Kiên Giang's next year is named by the configuration of that
    very year, whichever the folder lists first (brk38 F5): 2024 -> an-giang.toml, 2025 ->
    an-giang-2026.toml; in the period warning as in new-year's refusal."""
    folder = _schemas_copy(tmp_path)
    monkeypatch.chdir(tmp_path)
    write_next_year(plan_next_year(folder / "an-giang.toml"))
    write_next_year(plan_next_year(folder / "an-giang-2026.toml"))
    assert (folder / "an-giang-2027.toml").is_file()
    kg = folder / "kien-giang.toml"
    with pytest.raises(FormError) as refused:
        plan_next_year(kg)
    assert "schemas/an-giang-2026.toml (đã là cấu hình năm 2026" in str(refused.value)
    warned = period_over(load_form(kg), dt.date(2026, 12, 20))
    assert warned and "năm 2026: dùng cấu hình schemas/an-giang-2026.toml" in warned
    of_year(kg, 2024)
    with pytest.raises(FormError) as refused:
        plan_next_year(kg)
    assert "schemas/an-giang.toml (đã là cấu hình năm 2025" in str(refused.value)
    warned = period_over(load_form(kg), dt.date(2025, 12, 20))
    assert warned and "năm 2025: dùng cấu hình schemas/an-giang.toml" in warned


def test_new_year_names_the_request_letter_it_kept(tmp_path):
    """The letter that asked for the report is kept (Kiên Giang's 182/UBND-KGVX is a standing
    one), but new-year says so: a yearly letter of 2023 cited by the 2024 draft is caught when
    the configuration is made, not when the Ministry reads it. A request still to fill is
    named by every run, not here."""
    folder = _schemas_copy(tmp_path)
    of_year(folder / "kien-giang.toml", 2023)  # Kiên Giang rolls on until An Giang replaces it
    kg = plan_next_year(folder / "kien-giang.toml")
    line, gap = kg.checks
    assert "«Công văn số 182/UBND-KGVX ngày 25/02/2021" in line and "năm 2024 có văn bản mới" in line
    # the days between the old year's end and the new one's start are in no report (brk40 F9)
    assert gap == (
        "Kỳ báo cáo năm 2023 kết thúc ngày 30/11/2023, kỳ năm 2024 bắt đầu ngày 15/12/2023: số liệu từ "
        "01/12/2023 đến 14/12/2023 không thuộc báo cáo năm nào. Nếu cần, sửa dòng start của mục [period] "
        "trong tệp mới thành 2023-12-01."
    )
    cfg = folder / "kien-giang.toml"  # a period that starts the day after the last one ended: no gap
    cfg.write_text(
        cfg.read_text(encoding="utf-8").replace("start = 2022-12-15", "start = 2022-12-01"), encoding="utf-8"
    )
    assert [c for c in plan_next_year(cfg).checks if "không thuộc báo cáo năm nào" in c] == []
    # An Giang's request is still «cần điền» (named by every run, not here); 2026 is after
    # the programme (brk34 F9), which new-year says, with the final review's command
    _gap, ended = plan_next_year(folder / "an-giang.toml").checks
    assert ended.startswith(
        "Đề án kết thúc năm 2025 (giai đoạn 2019 - 2025, [form] last_year): năm 2026 ngoài"
    )
    assert "lệnh tong-ket với --config" in ended and "an-giang.toml" in ended
