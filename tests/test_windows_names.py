"""Issue #21 (4): every path the program writes is valid on Windows and fits the budget.

The real commands run (templates, consolidate on the sample inbox and on inboxes built with
the project's own templates and filler, `mail fetch` from Dovecot, `mail drafts`), with
hostile names: reserved device names, characters Windows refuses, control characters,
trailing dots and spaces, names that differ only by case, very long names. Then every path
under the outbox and the inbox they wrote is checked with pathvalidate (platform
"windows"), per folder for names equal but for case, and for its length from a profile
folder `C:\\Users\\<20 characters>\\Documents\\<outbox>\\`. The CSV is read as Excel reads
it: its bytes (BOM, UTF-8, Vietnamese intact) and through LibreOffice.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path, PureWindowsPath

import pytest
from pathvalidate import ValidationError, is_valid_filename, validate_filename, validate_filepath
from python_calamine import CalamineWorkbook

from pipeline.form import Form, FormError, load_form
from pipeline.newyear import default_target, plan_next_year
from pipeline.outbox.paths import detail_csv_path, feedback_dir, feedback_names, manifest_path
from pipeline.text.names import (
    MAX_NAME,
    MAX_RELATIVE,
    code_part,
    distinct_names,
    is_windows_name,
    name_len,
    template_name,
    windows_name,
)

from . import lo
from .clirun import run_cli
from .conftest import ROOT
from .mailserver import PASSWORD, Dovecot, start_dovecot
from .test_mail import at, message, msg_arrival, write_config
from .test_resubmission import bad

PROFILE = "C:\\Users\\" + "n" * 20 + "\\Documents\\"  # 40 characters
FOLDER = "Ket qua tong hop bao cao 588 nam 2025 cua So"  # the outbox's own name, 44 characters
EXCEL_LIMIT = 218  # Excel does not open a file whose full path is longer
PID = "4294967295"  # the longest process id (Windows: a 32-bit number) in temporary names
HOSTILE = [
    "CON.xlsx",
    "nul.xlsx",
    "báo cáo:2025?.xlsx",
    "a.xlsx",
    "A.xlsx",
    "bao cao <2025> |x| *.xlsx",
    "bao cao. .xlsx",
    "bao\x01cao\x1f.xlsx",
    "Báo cáo " + "rat dai " * 29 + ".xlsx",  # 245 characters, 247 bytes: near Linux's 255
]


def windows_problems(root: Path) -> list[str]:
    """Every way a path under `root` would fail on Windows: an invalid name, two names of
    one folder equal but for case, a path over the budget (also while it is written: in a
    set being written and as its temporary file) or over Excel's limit from a profile."""
    problems: list[str] = []
    folders: dict[Path, list[str]] = defaultdict(list)
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        folders[path.parent].append(path.name)
        for part in rel.parts:
            try:
                validate_filename(part, platform="windows")
            except ValidationError as exc:
                problems.append(f"{rel}: {exc}")
        parts = list(rel.parts)
        if parts[0].isdigit():  # a year's set is written as .<year>.dang-ghi-<pid> first
            parts[0] = f".{parts[0]}.dang-ghi-{PID}"
        if path.is_file():
            parts[-1] = f".{parts[-1]}.{PID}.tmp"
        writing = "\\".join(parts)
        if name_len(writing) > MAX_RELATIVE:
            problems.append(f"{rel}: {name_len(writing)} characters while written, budget {MAX_RELATIVE}")
        if name_len(rel.name) > MAX_NAME:
            problems.append(f"{rel}: name of {name_len(rel.name)} characters, budget {MAX_NAME}")
        full = PROFILE + FOLDER + "\\" + str(PureWindowsPath(rel))
        try:
            validate_filepath(full, platform="windows")
        except ValidationError as exc:
            problems.append(f"{full}: {exc}")
        if name_len(PROFILE + FOLDER + "\\" + writing) > EXCEL_LIMIT:
            problems.append(f"{full}: longer than Excel's {EXCEL_LIMIT} characters")
    for folder, names in folders.items():
        folded = Counter(unicodedata.normalize("NFC", n).casefold() for n in names)
        problems += [f"{folder}: names equal but for case: {n}" for n, c in folded.items() if c > 1]
    return problems


def cli(config: Path | None, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    head = ["--config", str(config)] if config else []
    return run_cli(*head, *args, env=env)


def long_name_config(folder: Path) -> tuple[Path, str]:
    """The shipped configuration with one unit named with 300 hostile characters."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("layout.toml", "bao-cao.toml"):
        shutil.copy(ROOT / "schemas" / name, folder / name)
    long = 'UBND Thành phố Rạch Giá: \\"CON\\" <nul>|*? ' + "rất dài " * 32 + "... "
    text = (ROOT / "schemas" / "kien-giang.toml").read_text(encoding="utf-8")
    head = 'code = "899"\nname = "UBND Thành phố Rạch Giá"\n'
    assert head in text
    path = folder / "kien-giang.toml"
    path.write_text(text.replace(head, f'code = "899"\nname = "{long}"\n'), encoding="utf-8")
    return path, load_form(path).units_by_code["899"].name


# --- the rule itself -------------------------------------------------------------------

NAMES = [
    *HOSTILE,
    "x" * 300 + ".xlsx",
    "CON",
    "con .xlsx",
    "COM1.tar.gz",
    "LPT¹.xlsx",
    "CONIN$",
    "..",
    ".",
    " . ",
    "trailing.",
    "trailing ",
    ".hidden.xlsx",
    "Ệ" * 200 + ".xlsx",
    "emoji 😀" * 40 + ".eml",
    "tab\there\n.xlsx",
]


@pytest.mark.parametrize("name", NAMES, ids=range(len(NAMES)))
def test_windows_name_is_valid_capped_and_keeps_the_suffix(name):
    out = windows_name(name)
    validate_filename(out, platform="windows")
    assert name_len(out) <= MAX_NAME and out == out.strip(". ") and out
    assert not any(unicodedata.category(ch) == "Cc" for ch in out)
    if name.endswith((".xlsx", ".eml", ".gz")) and name.rstrip(". "):
        assert out.endswith(Path(name).suffix)
    assert windows_name(out) == out  # a safe name stays as it is
    assert is_windows_name(out)
    if not is_valid_filename(name, platform="windows"):
        assert not is_windows_name(name)


def test_windows_name_keeps_good_names_and_never_merges_two():
    good = ["tong-hop-588-2025.xlsx", "Mau-588-2025-899-UBND-Thanh-pho-Rach-Gia.xlsx", "báo cáo.xlsx"]
    assert [windows_name(n) for n in good] == good
    assert len({windows_name(n) for n in NAMES}) == len(NAMES)
    # cut to the same first characters, and changed to the same characters: still two names
    assert windows_name("y" * 100 + "1.xlsx") != windows_name("y" * 100 + "2.xlsx")
    assert windows_name("a:b.xlsx") != windows_name("a?b.xlsx")


def test_distinct_names_and_unit_codes_never_equal_but_for_case():
    names = distinct_names(["a.xlsx", "A.xlsx", "a-2.xlsx", "a.xlsx", "Ä.xlsx", "A\u0308.xlsx"])
    assert len({unicodedata.normalize("NFC", n).casefold() for n in names}) == 6
    assert names[:2] == ["a.xlsx", "A-2.xlsx"]
    codes = ["H01", "h01", "A.1", "A-1", "A 1", "CON", "x" * 40]
    parts = [code_part(c) for c in codes]
    assert len({p.casefold() for p in parts}) == len(codes)
    assert code_part("899") == "899" and code_part("SLDTBXH") == "SLDTBXH"
    templates = [template_name(2025, c, "Đơn vị " * 40) for c in codes]
    assert len({t.casefold() for t in templates}) == len(codes)
    assert all(is_windows_name(t) and name_len(t) <= MAX_NAME for t in templates)


def test_feedback_names_from_hostile_files_fit_and_differ():
    pairs = [("899", n) for n in HOSTILE] + [("con", "thu/x.eml › CON.xlsx"), ("", "x" * 300)]
    names = feedback_names(pairs)
    assert all(is_windows_name(n) and name_len(n) <= MAX_NAME for n in names)
    assert len({n.casefold() for n in names}) == len(pairs)


def test_new_year_names_are_valid_on_windows(form: Form, tmp_path):
    cfg = tmp_path / "cau hinh: tỉnh?.toml"
    shutil.copy(form.path, cfg)
    for name in ("layout.toml", "bao-cao.toml"):
        shutil.copy(ROOT / "schemas" / name, tmp_path / name)
    target = default_target(cfg, form.year + 1)
    assert is_windows_name(target.name) and target.name.endswith(f"-{form.year + 1}.toml")
    assert target.name.startswith("cau hinh- tỉnh-")
    assert default_target(form.path, 2031).name == f"{form.path.stem}-2031.toml"
    with pytest.raises(FormError, match="không dùng được trên Windows"):
        plan_next_year(form.path, form.path.with_name("nul.toml"))


# --- the commands ----------------------------------------------------------------------


def test_sample_inbox_outputs_and_drafts_fit_windows(form: Form, tmp_path):
    outbox = tmp_path / "outbox"
    done = cli(None, "consolidate", "--inbox", str(ROOT / "examples" / "inbox"), "--outbox", str(outbox))
    assert done.returncode == 0, done.stderr
    done = cli(None, "mail", "drafts", "--outbox", str(outbox))
    assert done.returncode == 0, done.stderr
    done = cli(None, "templates", "--outbox", str(outbox))
    assert done.returncode == 0, done.stderr
    assert len(list((outbox / "templates" / str(form.year)).glob("*.xlsx"))) == len(form.units)
    assert len(list((outbox / str(form.year) / "thu").glob("*.eml"))) == len(form.units)
    assert list(feedback_dir(outbox, form.year).glob("*.xlsx"))
    assert windows_problems(outbox) == []


def test_hostile_file_names_give_windows_names(form: Form, make_file, tmp_path):
    inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
    codes = [u.code for u in form.units]
    for i, name in enumerate(HOSTILE):
        make_file(codes[i], bad(form, 5 + i), name=name, folder=inbox)
    done = cli(None, "consolidate", "--inbox", str(inbox), "--outbox", str(outbox))
    assert done.returncode == 0, done.stderr
    feedback = sorted(feedback_dir(outbox, form.year).glob("*.xlsx"))
    assert len(feedback) == len(HOSTILE), done.stdout  # one each, "a" and "A" apart
    manifest = manifest_path(outbox, form.year).read_text(encoding="utf-8")
    assert all(n.replace("\x01", "\\u0001").replace("\x1f", "\\u001f") in manifest for n in HOSTILE)
    done = cli(None, "mail", "drafts", "--outbox", str(outbox))
    assert done.returncode == 0, done.stderr
    assert windows_problems(outbox) == []
    found = windows_problems(inbox)  # the test's own inbox, not the program's: the check finds
    assert {n for n in HOSTILE if any(p.startswith(f"{n}: ") for p in found)} == set(HOSTILE) - {
        "a.xlsx",
        "A.xlsx",
        "bao cao. .xlsx",  # valid on Windows: only the whole name must not end in a dot or space
    }
    assert any("names equal but for case: a.xlsx" in p for p in found)


def test_a_unit_named_with_300_hostile_characters(make_file, tmp_path):
    config, long = long_name_config(tmp_path / "cfg")
    assert len(long) >= 300
    outbox, inbox = tmp_path / "outbox", tmp_path / "inbox"
    done = cli(config, "templates", "--outbox", str(outbox))
    assert done.returncode == 0, done.stderr
    cfg_form = load_form(config)
    template = outbox / "templates" / str(cfg_form.year) / template_name(cfg_form.year, "899", long)
    assert template.is_file() and template.name.startswith("Mau-588-2025-899-UBND-Thanh-pho-Rach-Gia-")
    make_file("900", bad(cfg_form, 6), name="900.xlsx", folder=inbox)
    done = cli(config, "consolidate", "--inbox", str(inbox), "--outbox", str(outbox))
    assert done.returncode == 0, done.stderr
    done = cli(config, "mail", "drafts", "--outbox", str(outbox))
    assert done.returncode == 0, done.stderr
    (draft,) = (outbox / str(cfg_form.year) / "thu").glob("thu-899-UBND-Thanh-pho-Rach-Gia-*.eml")
    assert name_len(draft.name) <= MAX_NAME
    assert windows_problems(outbox) == []


@pytest.fixture(scope="module")
def dovecot():
    yield from start_dovecot()


def test_mail_fetch_with_hostile_attachment_and_sender_names(
    dovecot: Dovecot, form: Form, make_file, tmp_path
):
    codes = [u.code for u in form.units]
    files = tmp_path / "files"
    attachments = [*HOSTILE[:-1], "Báo cáo" + " rất dài" * 36 + ".xlsx"]  # the last: 300 characters
    assert len(attachments[-1]) == 300
    senders = [
        "CON@kiengiang.gov.vn",
        '"nul: <x>" <nul@kiengiang.gov.vn>',
        "vanphong." + "a" * 60 + "@" + "b" * 60 + ".kiengiang.gov.vn",
    ]
    for i, name in enumerate(attachments):
        path, _ = make_file(codes[i], bad(form, 5 + i), name=f"{i}.xlsx", folder=files)
        msg = message(senders[i % len(senders)], f"Báo cáo {i}", at(5 + i, 8), [(name, path.read_bytes())])
        dovecot.append(bytes(msg), msg_arrival(msg))
    config = write_config(tmp_path / "cfg", dovecot, 25, {})
    inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
    env = {"TEST_IMAP_PASSWORD": PASSWORD}
    done = cli(config, "mail", "fetch", "--inbox", str(inbox), env=env)
    assert done.returncode == 0, done.stderr
    saved = list((inbox / "thu").glob("*.eml"))
    assert len(saved) == len(attachments)
    assert windows_problems(inbox) == []
    done = cli(config, "consolidate", "--inbox", str(inbox), "--outbox", str(outbox))
    assert done.returncode == 0, done.stderr
    assert len(list(feedback_dir(outbox, form.year).glob("*.xlsx"))) == len(attachments)
    done = cli(config, "mail", "drafts", "--outbox", str(outbox))
    assert done.returncode == 0, done.stderr
    assert windows_problems(outbox) == []


# --- the CSV Excel opens ---------------------------------------------------------------


def test_csv_opens_in_excel_with_its_diacritics(form: Form, tmp_path):
    outbox = tmp_path / "outbox"
    done = cli(None, "consolidate", "--inbox", str(ROOT / "examples" / "inbox"), "--outbox", str(outbox))
    assert done.returncode == 0, done.stderr
    raw = detail_csv_path(outbox, form.year).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and not raw.startswith(b"\xef\xbb\xbfsep=")
    text = raw[3:].decode("utf-8")  # strict: fails on any byte that is not UTF-8
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")  # CRLF, Excel's line end
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = rows[0]
    assert len(header) > 3 and {len(r) for r in rows} == {len(header)}  # comma-separated
    vietnamese = {v for r in rows[1:] for v in r if any(ord(ch) > 127 for ch in v)}
    assert "UBND Thành phố Rạch Giá" in vietnamese or any("Rạch Giá" in v for v in vietnamese), vietnamese
    # LibreOffice, told what Excel finds from the BOM (UTF-8, comma, double quote): every
    # column apart and the Vietnamese text intact (headless, it does not read the BOM itself)
    lo.require_soffice()
    src, out = detail_csv_path(outbox, form.year), tmp_path / "lo" / "chi-tiet.xlsx"
    shutil.copy(src, tmp_path / "chi-tiet.csv")
    with lo.profile() as prof:
        done = lo.run_office(
            [
                "--infilter=CSV:44,34,UTF8",
                "--convert-to",
                "xlsx",
                "--outdir",
                str(out.parent),
                str(tmp_path / "chi-tiet.csv"),
            ],
            prof,
        )
    assert done.returncode == 0 and out.is_file(), done.stderr
    sheet = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert [str(v) for v in sheet[0]] == header
    cells = {str(v) for r in sheet[1:] for v in r}
    assert vietnamese <= cells
