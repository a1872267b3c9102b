"""Vietnamese for the officer: argparse's own words, rule titles, the year that is over and
the command that prepares the next one."""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import inspect
import json
import re
import shlex
import subprocess
from pathlib import Path

import pytest
import tomlkit

from pipeline import argparse_vi
from pipeline.cli import build_parser
from pipeline.form import Form, Period, is_pending, load_form, years_later
from pipeline.newyear import default_target, period_over, plan_next_year, write_next_year
from pipeline.rules.findings import RULES, make

from .clirun import run_cli
from .conftest import ROOT

ENGLISH = re.compile(
    r"\b(usage|options|positional arguments|show this help|the following arguments|required|"
    r"error|invalid|expected|unrecognized|argument)\b",
    re.I,
)


def _cli(*args: str, cwd: Path = ROOT, stdin: str | None = None) -> subprocess.CompletedProcess:
    return run_cli(*args, cwd=cwd, stdin=stdin, timeout=120)


def _argparse_strings() -> set[str]:
    """Every string CPython's argparse passes through gettext (`_()` calls)."""
    tree = ast.parse(inspect.getsource(argparse))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_":
            if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                found.add(node.args[0].value)
    return found


# strings argparse shows only when a program builds its parser wrongly (a programmer's error)
PROGRAMMER_ERRORS = {
    "'required' is an invalid argument for positionals",
    "%r is not callable",
    ".__call__() not defined",
    'argument "-" with mode %r',
    "cannot have multiple subparser arguments",
    "cannot merge actions - two groups are named %r",
    "conflicting subparser alias: %s",
    "conflicting subparser: %s",
    "dest= is required for options like %r",
    "invalid conflict_resolution value: %r",
    "invalid option string %(option)r: must start with a character %(prefix_chars)r",
    "mutually exclusive arguments must be optional",
}


def test_every_argparse_message_a_user_can_see_has_a_translation():
    strings = _argparse_strings()
    assert "usage: " in strings and "the following arguments are required: %s" in strings
    missing = sorted(strings - PROGRAMMER_ERRORS - set(argparse_vi.CATALOGUE))
    assert not missing, f"argparse strings without Vietnamese: {missing}"
    for msgid, text in argparse_vi.CATALOGUE.items():  # same placeholders, so formatting works
        assert sorted(re.findall(r"%\(\w+\)[sr]|%[sr]", msgid)) == sorted(
            re.findall(r"%\(\w+\)[sr]|%[sr]", text)
        ), msgid


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["consolidate", "--help"],
        ["check", "--help"],
        ["new-year", "--help"],
        ["templates", "--help"],
        ["pdf", "--help"],
        ["mail", "fetch", "--help"],
        ["mail", "drafts", "--help"],
    ],
)
def test_help_is_vietnamese(args):
    done = _cli(*args)
    assert done.returncode == 0
    assert done.stdout.startswith("cách dùng: python -m pipeline")
    assert "hiện hướng dẫn này rồi thoát" in done.stdout
    english = ENGLISH.findall(done.stdout)
    assert not english, english
    placeholders = set(re.findall(r"\b[A-Z]{3,}\b", done.stdout)) - {"PDF", "JSON", "CPU", "IMAP", "SMTP"}
    assert not placeholders, placeholders


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["check"], "thiếu các tham số bắt buộc: TỆP"),
        ([], "thiếu các tham số bắt buộc: LỆNH"),
        (
            ["consolidate", "--workers", "hai"],
            "tham số --workers: giá trị 'hai' không hợp lệ, cần một số nguyên",
        ),
        (["consolidate", "--bogus"], "không nhận ra các tham số: --bogus"),
        (["gui-thu"], "lựa chọn không hợp lệ: 'gui-thu'"),
        (["consolidate", "--inbox"], "tham số --inbox: cần đúng một giá trị"),
        (["mail"], "thiếu các tham số bắt buộc: LỆNH"),  # never the internal name mail_command
        (["consolidate", "--year", "1990"], "--year 1990 nằm ngoài các năm báo cáo của chương trình"),
        (["consolidate", "--year", "2099"], "--year 2099 nằm ngoài các năm báo cáo của chương trình"),
        # a digit typed twice: told before the configuration is moved to that year (brk14 F7:
        # "ValueError: year 20254 is out of range")
        (["consolidate", "--year", "20255"], "tham số --year: năm '20255' không hợp lệ: năm có 4 chữ số"),
        (["pdf", "--year", "10000"], "tham số --year: năm '10000' không hợp lệ"),
        (["mail", "zz"], "tham số LỆNH: lựa chọn không hợp lệ: 'zz'"),
    ],
)
def test_usage_errors_are_vietnamese(args, expected):
    done = _cli(*args)
    assert done.returncode == 2
    assert expected in done.stderr
    assert done.stderr.startswith("cách dùng: ")
    english = ENGLISH.findall(done.stderr)
    assert not english, (english, done.stderr)


def test_subparsers_added_later_are_translated_too():
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    extra = sub.add_parser("gui-thu", help="gửi thư")
    extra.add_argument("--to", required=True)
    usage = extra.format_help()
    assert usage.startswith("cách dùng: ") and "tùy chọn:" in usage
    with pytest.raises(SystemExit) as exc:
        parser.parse_args(["gui-thu"])
    assert exc.value.code == 2


def test_rules_have_vietnamese_titles_and_json_keeps_the_code():
    assert all(r.title and not re.fullmatch(r"[A-Z_]+", r.title) for r in RULES.values())
    f = make("MEASURE_AT_MOST", "Số trẻ em nữ (85) lớn hơn tổng số trẻ em (78)", sheet="Kết quả", cell="E8")
    assert f.label == "Lỗi – Số 'trong đó' lớn hơn tổng số"
    d = f.to_dict()
    assert d["code"] == "MEASURE_AT_MOST" and d["title"] == RULES["MEASURE_AT_MOST"].title


def test_check_prints_titles_not_codes(make_file, tmp_path):
    def bad(d):
        d["results"][0]["girls"] = d["results"][0]["children"] + 1

    path, _ = make_file("906", mutate=bad)
    done = _cli("check", str(path))
    assert done.returncode == 1
    assert f"[Lỗi – {RULES['MEASURE_AT_MOST'].title}]" in done.stdout
    assert "MEASURE_AT_MOST" not in done.stdout
    as_json = json.loads(_cli("check", "--json", str(path)).stdout)
    assert as_json[0]["findings"][0]["code"] == "MEASURE_AT_MOST"


# ----- the configured year is over, and the next one -----------------------------------------
@pytest.mark.parametrize(
    ("today", "warned"),
    [
        (None, False),  # the period's last day
        (1, True),  # the day after
        (365, True),
        (-200, False),
    ],
)
def test_period_over_warning(form, today, warned):
    day = form.period.end + dt.timedelta(days=today or 0)
    text = period_over(form, day)
    assert (text is not None) == warned
    if warned:
        assert f"năm {form.year}" in text and "python -m pipeline" in text and "new-year" in text
        assert f"{form.period.due_before:%d/%m/%Y}" in text


def test_cli_warns_when_the_configured_period_is_over(form):
    done = _cli("form")
    over = dt.date.today() > form.period.end
    assert ("new-year" in done.stderr) == over
    assert done.returncode == 0


def _copy_config(form, folder: Path) -> Path:
    folder.mkdir()
    for item in form.path.parent.iterdir():
        target = folder / item.name
        if item.is_file():
            target.write_bytes(item.read_bytes())
        else:
            target.symlink_to(item)
    return folder / form.path.name


def of_year(cfg: Path, year: int) -> Form:
    """Make the configuration file `cfg` (a copy of kien-giang.toml) that of `year`, its
    dates and the form's version moved as many years, as new-year would have written it:
    Kiên Giang before An Giang replaces it (from 2025), a configuration new-year rolls on."""
    form = load_form(cfg)
    doc = tomlkit.parse(cfg.read_text(encoding="utf-8"))
    doc["period"]["year"] = year
    for key in Period.DATES:
        if not is_pending(day := getattr(form.period, key)):
            doc["period"][key] = years_later(day, year - form.year)
    doc["form"]["version"] = re.sub(r"^\d{4}", str(year), form.version)
    doc["form"]["accepted_versions"] = [re.sub(r"^\d{4}", str(year), v) for v in form.accepted_versions]
    cfg.write_text(tomlkit.dumps(doc), encoding="utf-8")
    return load_form(cfg)


def test_new_year_plan_changes_year_dates_and_version_and_keeps_the_rest(form, tmp_path):
    cfg = _copy_config(form, tmp_path / "cfg")
    form = of_year(cfg, form.year - 2)  # Kiên Giang 2023: 2024 is still Kiên Giang's
    plan = plan_next_year(cfg)
    assert plan.target == cfg.with_name(f"{cfg.stem}-{form.year + 1}.toml")
    labels = {c.label: (c.old, c.new) for c in plan.changes}
    assert labels["Năm báo cáo"] == (str(form.year), str(form.year + 1))
    assert (
        labels["Hạn nộp (trước ngày)"][1] == f"{form.period.due_before.replace(year=form.year + 1):%d/%m/%Y}"
    )
    new = write_next_year(plan)
    assert new.year == form.year + 1
    assert new.period.start == form.period.start.replace(year=form.period.start.year + 1)
    assert new.period.due_before == form.period.due_before.replace(year=form.period.due_before.year + 1)
    assert new.version != form.version and new.accepted_versions == (new.version,)
    assert new.units == form.units and new.categories == form.categories and new.regions == form.regions
    assert "# Form definition" in plan.target.read_text(encoding="utf-8")  # comments kept
    with pytest.raises(FileExistsError):  # never overwritten
        write_next_year(plan)
    assert default_target(plan.target, form.year + 2).name == f"{cfg.stem}-{form.year + 2}.toml"


def test_new_year_command_asks_and_never_overwrites(form, tmp_path):
    cfg = _copy_config(form, tmp_path / "cfg")
    form = of_year(cfg, form.year - 2)
    target = cfg.with_name(f"{cfg.stem}-{form.year + 1}.toml")
    declined = _cli("--config", str(cfg), "new-year", stdin="")
    assert declined.returncode == 1 and not target.exists()
    assert f"Năm báo cáo: {form.year} -> {form.year + 1}" in declined.stdout
    assert "--yes" in declined.stderr
    done = _cli("--config", str(cfg), "new-year", "--yes")
    assert done.returncode == 0, done.stderr
    assert load_form(target).year == form.year + 1
    before = target.read_bytes()
    again = _cli("--config", str(cfg), "new-year", "--yes")
    assert again.returncode == 2 and "không ghi đè" in again.stderr
    assert target.read_bytes() == before
    elsewhere = _cli("--config", str(cfg), "new-year", "--yes", "--out", str(tmp_path / "x.toml"))
    assert elsewhere.returncode == 2 and not (tmp_path / "x.toml").exists()


def test_check_on_a_folder_says_it_is_one(tmp_path):
    done = _cli("check", str(tmp_path))
    assert done.returncode == 2
    assert "là một thư mục" in done.stderr and f"consolidate --inbox {tmp_path}" in done.stderr


def test_a_broken_configuration_is_explained_in_vietnamese(tmp_path):
    broken = tmp_path / "hong.toml"
    broken.write_text("[form\nid = 1\n", encoding="utf-8")
    done = _cli("--config", str(broken), "templates", "--outbox", str(tmp_path))
    assert done.returncode == 2, done.stderr
    assert "không đúng cú pháp TOML ở dòng 1, cột 6" in done.stderr
    assert "Expected" not in done.stderr and "Traceback" not in done.stderr


def test_a_missing_archive_folder_is_warned_about(tmp_path):
    (tmp_path / "inbox").mkdir()
    done = _cli(
        "consolidate", "--inbox", str(tmp_path / "inbox"), "--outbox", str(tmp_path / "out"),
        "--archive", str(tmp_path / "khong-co"),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"không có thư mục --archive '{tmp_path / 'khong-co'}'" in done.stderr


def test_make_check_takes_any_file_name(make_file, tmp_path):
    """`make check FILE=…` with spaces, parentheses, $ and a quote in the name (issue #23):
    the file reaches the command whole."""
    path, _ = make_file("899", name="bao cao (1) $HOME's.xlsx")
    done = subprocess.run(
        ["make", "-s", "check", f"FILE={path}"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "bao cao (1) $HOME's.xlsx [đơn vị 899]: hợp lệ" in done.stdout


@pytest.mark.parametrize(
    ("args", "command"),
    [
        (["check", "--bogus", "f.xlsx"], "check"),
        (["check", "f.xlsx", "--bogus"], "check"),
        (["consolidate", "--bogus"], "consolidate"),
        (["mail", "drafts", "--bogus"], "mail drafts"),
    ],
)
def test_an_unknown_option_after_a_command_points_to_that_commands_help(args, command):
    """The unknown option is the command's usage error: its usage line and its own help hint,
    in Vietnamese (argparse handed it back to the main parser, which pointed to the main help)."""
    done = _cli(*args)
    assert done.returncode == 2
    name = "python -m pipeline"  # how `python -m pipeline` names itself
    assert done.stderr.startswith(f"cách dùng: {name} {command} "), done.stderr
    assert "Lỗi: không nhận ra các tham số: --bogus" in done.stderr
    assert f"Gõ '{name} {command} --help' để xem hướng dẫn." in done.stderr


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("x = [", "thiếu dấu đóng ]"),
        ('name = "Sở', "thiếu dấu đóng ] hay dấu nháy"),
        ("a = 1\na = 2", "một tên được khai báo hai lần"),
    ],
)
def test_a_configuration_broken_at_its_end_says_where(tmp_path, text, said):
    """tomllib says "(at end of document)" for a file cut short or a name written twice: the
    message says "ở cuối tệp" and why, never an empty place ("cú pháp TOML hãy xem")."""
    broken = tmp_path / "hong.toml"
    broken.write_text(text, encoding="utf-8")
    done = _cli("--config", str(broken), "templates", "--outbox", str(tmp_path))
    assert done.returncode == 2, done.stderr
    assert "không đúng cú pháp TOML ở cuối tệp (" in done.stderr and said in done.stderr
    assert "end of document" not in done.stderr and "Traceback" not in done.stderr


def test_commands_suggested_for_a_folder_with_spaces_can_be_pasted(tmp_path):
    """A folder named with spaces and parentheses ("outbox (cũ)"), as officers name copies:
    the command the message suggests holds it quoted, so that it runs as pasted; under make,
    the make variables take it quoted too."""
    odd = tmp_path / "outbox (cũ)"
    done = _cli("pdf", "--outbox", str(odd))
    assert done.returncode != 0
    assert f"--outbox {shlex.quote(str(odd))}" in done.stderr, done.stderr
    folder = tmp_path / "thư mục (mới)"
    folder.mkdir()
    done = _cli("check", str(folder))
    assert f"consolidate --inbox {shlex.quote(str(folder))}" in done.stderr, done.stderr
    made = run_cli("check", str(folder), env={"TONG_HOP_MAKE": "1"}, timeout=120)
    assert f"make consolidate INBOX={shlex.quote(str(folder))}" in made.stderr, made.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--config", "schemas/an-giang.toml", "consolidate"],
        ["consolidate", "--config", "schemas/an-giang.toml"],  # as an officer types it (brk14 F9)
        ["mail", "drafts", "--config", "schemas/an-giang.toml"],
        ["mail", "--config", "schemas/an-giang.toml", "drafts"],
    ],
)
def test_config_is_taken_before_or_after_the_command(args):
    assert build_parser().parse_args(args).config == Path("schemas/an-giang.toml")


def test_config_after_the_command_does_not_hide_the_default_or_the_one_before():
    from pipeline.form import DEFAULT_FORM

    assert build_parser().parse_args(["consolidate"]).config == DEFAULT_FORM
    assert build_parser().parse_args(["--config", "x.toml", "pdf"]).config == Path("x.toml")
    done = _cli("form", "--config", "schemas/an-giang.toml")
    assert done.returncode == 0 and "qd588-bao-cao-nam-an-giang" in done.stdout, done.stderr
