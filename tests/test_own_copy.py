"""The officer's own copy of the installed configuration, for the current year (brk46 F2).

The installed program is simulated as the wheel lays it out (`pipeline/shipped/schemas/`
inside the package, found first by `shipped_folder`): the package and the configurations are
copied into a site-packages folder outside the checkout, and the command runs as the officer
types it, `python -m pipeline`, from a work folder with that folder on PYTHONPATH (building
a real wheel needs the network: `tests/test_install.py`). Every «cần điền» message names
the file to fill in; for the installed one, the command that copies it (`chep-cau-hinh`);
the copy, filled in, is what templates and consolidate use; a lone copy of the .toml, or a
missing one, is told what is wrong and that same command; nothing is ever written into the
installation.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import docx
import openpyxl
import pytest

from .clirun import ROOT, run_cli

COPY = "python -m pipeline --config an-giang.toml chep-cau-hinh"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A site-packages folder holding the package as the wheel installs it."""
    base = tmp_path_factory.mktemp("cai-dat") / "site-packages"
    assert not base.is_relative_to(ROOT)
    shutil.copytree(ROOT / "pipeline", base / "pipeline", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("schemas", "examples"):
        shutil.copytree(ROOT / name, base / "pipeline" / "shipped" / name)
    return base


def _installed_files(site: Path) -> dict[str, str]:
    """Every file of the installed configurations and its content's digest."""
    shipped = site / "pipeline" / "shipped" / "schemas"
    return {
        p.relative_to(shipped).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(shipped.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def officer(site, tmp_path):
    """Run the installed command in a work folder (a name with spaces, as on Windows)."""
    work = tmp_path / "Bao cao 588"
    (work / "inbox").mkdir(parents=True)
    before = _installed_files(site)

    def run(*args: str):
        return run_cli(*args, cwd=work, env={"PYTHONPATH": str(site), "PYTHONUTF8": "1"})

    run.work = work  # type: ignore[attr-defined]
    yield run
    assert _installed_files(site) == before, "nothing is ever written into the installation"


def _fill(path: Path, deadline: str = "2025-12-01", signer: str = "GIÁM ĐỐC") -> None:
    """Fill in two «cần điền» settings as the officer does in Notepad."""
    text = path.read_text(encoding="utf-8")
    assert 'due_before = "cần điền"\n' in text and 'signer_title = "[cần điền: chức danh người ký]"\n' in text
    text = text.replace('due_before = "cần điền"\n', f"due_before = {deadline}\n")
    text = text.replace('signer_title = "[cần điền: chức danh người ký]"\n', f'signer_title = "{signer}"\n')
    path.write_text(text, encoding="utf-8")


def test_the_installed_configuration_is_named_and_the_warning_says_to_copy_it_first(officer, site):
    made = officer("--config", "an-giang.toml", "templates")
    assert made.returncode == 0, made.stderr
    warning = next(x for x in made.stderr.splitlines() if "«cần điền»" in x)
    installed = site / "pipeline" / "shipped" / "schemas" / "an-giang.toml"
    assert f"tệp cấu hình {installed} còn 4 mục «cần điền»" in warning
    assert "bản cài sẵn" in warning and "không sửa ở đó" in warning
    assert f"chép cấu hình ra thư mục làm việc bằng lệnh {COPY}" in warning
    assert "điền vào bản sao cau-hinh/an-giang.toml và chạy với --config cau-hinh/an-giang.toml" in warning
    assert 'set "CAU_HINH=cau-hinh\\an-giang.toml"' in warning
    assert not (officer.work / "cau-hinh").exists()  # told, not done behind the officer's back


def test_the_copy_is_whole_filled_in_it_is_what_templates_and_consolidate_use(officer):
    copied = officer("--config", "an-giang.toml", "chep-cau-hinh")
    assert copied.returncode == 0, copied.stderr
    own = officer.work / "cau-hinh"
    for name in (
        "an-giang.toml",
        "layout.toml",
        "bao-cao-an-giang.toml",
        "reference/an-giang-communes-2025-07.csv",
    ):
        assert (own / name).is_file(), name
    assert "Tệp để sửa (mở bằng Notepad): cau-hinh/an-giang.toml" in copied.stdout
    assert "Còn 4 mục «cần điền»: form.request, period.due_before, agencies.signer_title" in copied.stdout
    assert 'thành set "CAU_HINH=cau-hinh\\an-giang.toml"' in copied.stdout

    _fill(own / "an-giang.toml")
    made = officer("--config", "cau-hinh/an-giang.toml", "templates")
    assert made.returncode == 0, made.stderr
    warning = next(x for x in made.stderr.splitlines() if "«cần điền»" in x)
    assert (
        "tệp cấu hình cau-hinh/an-giang.toml còn 2 mục «cần điền» (form.request, agencies.records_unit)"
        in warning
    )
    assert "điền vào tệp cau-hinh/an-giang.toml" in warning and "cài sẵn" not in warning
    template = next((officer.work / "outbox-an-giang" / "templates" / "2025").glob("*.xlsx"))
    book = openpyxl.load_workbook(template, read_only=True)
    cells = " ".join(str(v) for ws in book for row in ws.iter_rows(values_only=True) for v in row if v)
    assert "01/12/2025" in cells  # the deadline typed into the copy

    ran = officer("--config", "cau-hinh/an-giang.toml", "consolidate")
    assert ran.returncode == 0, ran.stderr
    draft = docx.Document(str(officer.work / "outbox-an-giang" / "2025" / "bao-cao-588-2025.docx"))
    text = "\n".join(p.text for p in draft.paragraphs) + "\n".join(
        cell.text for table in draft.tables for row in table.rows for cell in row.cells
    )
    assert "GIÁM ĐỐC" in text and "chức danh người ký" not in text  # the signer typed into the copy

    again = officer("--config", "an-giang.toml", "chep-cau-hinh")
    assert again.returncode == 0, again.stderr
    assert "Đã có bản sao cau-hinh/an-giang.toml: giữ nguyên (không ghi đè)" in again.stdout
    assert "due_before = 2025-12-01\n" in (own / "an-giang.toml").read_text(encoding="utf-8")
    assert "Còn 2 mục «cần điền»" in again.stdout

    later = officer("--config", "an-giang.toml", "templates")  # the installed one again, by mistake
    assert "điền vào bản sao cau-hinh/an-giang.toml đã chép ra" in later.stderr
    assert "chep-cau-hinh" not in later.stderr


def test_a_lone_copy_is_told_what_it_lacks_and_the_command_completes_it_keeping_its_edits(officer, site):
    own = officer.work / "cau-hinh"
    own.mkdir()
    shutil.copy(site / "pipeline" / "shipped" / "schemas" / "an-giang.toml", own)
    _fill(own / "an-giang.toml")
    lone = officer("--config", "cau-hinh/an-giang.toml", "templates")
    assert lone.returncode == 2
    said = lone.stderr
    assert "Không tìm thấy tệp bố cục cau-hinh/layout.toml" in said
    assert "tệp bố cục layout.toml, lời văn báo cáo bao-cao*.toml, thư mục reference" in said
    assert f"gõ {COPY}" in said and "không ghi đè tệp đã có" in said
    assert "rồi dùng --config cau-hinh/an-giang.toml" in said

    assert officer("--config", "an-giang.toml", "chep-cau-hinh").returncode == 0
    assert (own / "layout.toml").is_file()
    made = officer("--config", "cau-hinh/an-giang.toml", "templates")
    assert made.returncode == 0, made.stderr
    assert "còn 2 mục «cần điền»" in made.stderr  # the edits made before the copy are kept


def test_a_missing_copy_named_in_the_launcher_is_told_the_command_that_makes_it(officer):
    # Tong-hop-bao-cao.bat passes --config "%HERE%\cau-hinh\an-giang.toml" (a full path)
    missing = officer("--config", str(officer.work / "cau-hinh" / "an-giang.toml"), "consolidate")
    assert missing.returncode == 2
    assert "Không tìm thấy tệp cấu hình" in missing.stderr
    assert f"gõ {COPY}" in missing.stderr and "rồi dùng --config cau-hinh/an-giang.toml" in missing.stderr


def test_in_a_checkout_the_configuration_is_the_officers_own_and_nothing_is_copied(tmp_path):
    done = run_cli("--config", "schemas/an-giang.toml", "chep-cau-hinh")
    assert done.returncode == 0, done.stderr
    assert "Tệp cấu hình schemas/an-giang.toml không phải bản cài sẵn" in done.stdout
    assert not (ROOT / "cau-hinh").exists()
    far = run_cli("--config", "an-giang.toml", "form", cwd=tmp_path, env={"PYTHONPATH": str(ROOT)})
    assert far.returncode == 0, far.stderr


def test_the_launcher_and_the_guide_tell_how_to_make_and_use_the_copy():
    text = (ROOT / "windows" / "Tong-hop-bao-cao.bat").read_text(encoding="utf-8")
    assert 'tong-hop-588" --config an-giang.toml chep-cau-hinh\n' in text
    assert 'rem   set "CAU_HINH=cau-hinh\\an-giang.toml"\n' in text
    guide = (ROOT / "packaging" / "bundle.py").read_text(encoding="utf-8")  # the bundle's HUONG-DAN
    assert "--config an-giang.toml chep-cau-hinh" in guide
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    windows = readme.split("### Trên Windows")[1].split("### Trên Linux/macOS")[0]
    assert 'tong-hop-588" --config an-giang.toml chep-cau-hinh`' in windows
    assert '`set "CAU_HINH=cau-hinh\\an-giang.toml"`' in windows
