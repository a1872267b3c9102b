"""The program as an officer installs it (issue #21).

The wheel carries everything the commands need (the configurations, the layout, the
wording, the reference lists, the sample inbox); installed without an index into a clean
virtual environment outside the checkout, its console command `tong-hop-588` runs from any
folder and gives the same totals as the repository. Every runtime dependency has a wheel
for Windows x64 and CPython 3.11, 3.12 and 3.13 at the pinned versions, and `make bundle`
writes a folder that installs offline. The launchers are CRLF batch files that call the
console command.

Tests marked `network` fetch wheels from the package index (the dependencies for the clean
environment: once, in a module-scoped fixture; the Windows resolutions; setuptools for the
build). They run everywhere, CI included; on a machine without internet deselect them
explicitly with `-m "not network"`.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from pipeline.form import load_form

ROOT = Path(__file__).resolve().parent.parent
CONSTRAINTS = ROOT / "constraints.txt"
WINDOWS = ROOT / "windows"
PYTHONS = ("3.11", "3.12", "3.13")
SAMPLE = "904-ban-dau.xlsx"  # the sample's first file from unit 904, rejected


def _load_bundle():
    spec = importlib.util.spec_from_file_location("qd588_bundle", ROOT / "packaging" / "bundle.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bundle = _load_bundle()


def _pins() -> dict[str, str]:
    pins = {}
    for line in CONSTRAINTS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version.strip()
    return pins


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment without this interpreter's virtual environment and without pip's
    configuration (this machine's extra indexes and find-links), plus `extra`."""
    drop = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("PIP_")}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1", **extra)
    return env


def _run(args: list, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8"
    )


# -- without the network --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Tong-hop-bao-cao.bat", "Cai-dat.bat"])
def test_launchers_are_crlf_utf8_batch_files(name):
    data = (WINDOWS / name).read_bytes()
    assert data.count(b"\n") > 10
    assert data.count(b"\n") == data.count(b"\r\n"), "every line ends with CRLF"
    assert not data.startswith(b"\xef\xbb\xbf"), "a BOM would break '@echo off' in cmd.exe"
    text = data.decode("utf-8")
    assert text.startswith("@echo off\r\n")
    for needed in ("chcp 65001", 'set "PYTHONUTF8=1"', 'set "PYTHONIOENCODING=utf-8"', "\r\npause\r\n"):
        assert needed in text, needed


def test_the_launcher_runs_the_console_command_on_the_folders_next_to_it():
    text = (WINDOWS / "Tong-hop-bao-cao.bat").read_text(encoding="utf-8")
    # no --outbox: the configuration's own folder ([paths] outbox), next to the .bat (cd there first)
    assert '\ncd /d "%HERE%"\n"%CMD%" %CONFIG_ARGS% consolidate --inbox "%HERE%\\inbox"\n' in text
    assert "--outbox" not in text.split("cd /d")[1].split("\n")[1]
    # found in a .venv next to the .bat, in Cai-dat.bat's environment, on PATH
    assert '"%HERE%\\.venv\\Scripts\\tong-hop-588.exe"' in text
    assert "%LOCALAPPDATA%\\TongHop588\\venv\\Scripts\\tong-hop-588.exe" in text
    assert "%%~$PATH:C" in text
    assert "Chưa cài chương trình tổng hợp báo cáo trên máy này." in text


def test_the_installer_runs_one_offline_pip_command_into_the_users_profile():
    text = (WINDOWS / "Cai-dat.bat").read_text(encoding="utf-8")
    pip_lines = [line for line in text.splitlines() if " -m pip install " in line]
    assert pip_lines == [
        '"%VENV%\\Scripts\\python.exe" -m pip install --disable-pip-version-check '
        '--no-index --find-links "%HERE%" --upgrade qd588-pipeline'
    ]
    assert 'set "VENV=%LOCALAPPDATA%\\TongHop588\\venv"' in text
    # the same environment the launcher looks in
    assert "%LOCALAPPDATA%\\TongHop588\\venv" in (WINDOWS / "Tong-hop-bao-cao.bat").read_text("utf-8")
    assert "Máy này chưa có Python 3.11, 3.12 hoặc 3.13." in text
    assert "https://www.python.org/downloads/windows/" in text


def test_constraints_pin_every_dependency_named_in_pyproject():
    project = _pyproject()["project"]
    named = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    pins = _pins()
    for text in named:
        req = Requirement(text)
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is not pinned in constraints.txt"
        assert req.specifier.contains(pins[name]), f"{name}=={pins[name]} does not satisfy {text}"


def test_constraints_are_the_versions_the_tests_run_with():
    """Every pinned distribution installed here is installed at its pinned version (the
    Windows-only ones, such as pywin32-ctypes, are not installed on this machine)."""
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name, pinned in _pins().items():
        try:
            found[name] = (version(name), pinned)
        except PackageNotFoundError:
            assert name == "pywin32-ctypes", f"{name} is pinned but not installed here"
    assert len(found) > 40
    assert {n: v for n, v in found.items() if v[0] != v[1]} == {}


def test_the_package_list_names_every_package_of_the_tree():
    listed = set(_pyproject()["tool"]["setuptools"]["packages"])
    tree = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "pipeline").rglob("__init__.py")}
    assert tree - listed == set(), "packages missing from [tool.setuptools] packages"
    assert listed - tree == {
        "pipeline.shipped.schemas",
        "pipeline.shipped.schemas.reference",
        "pipeline.shipped.examples.inbox",
    }


def test_from_the_checkout_the_shipped_folders_are_the_repositorys():
    from pipeline.form.model import DEFAULT_FORM, SCHEMAS_DIR, shipped_folder

    assert SCHEMAS_DIR == ROOT / "schemas" == shipped_folder("schemas")
    assert DEFAULT_FORM == ROOT / "schemas" / "kien-giang.toml"
    assert shipped_folder("examples") == ROOT / "examples"


def test_the_guide_is_utf8_with_bom_and_crlf(tmp_path):
    bundle.write_guide(tmp_path / "HUONG-DAN.txt")
    data = (tmp_path / "HUONG-DAN.txt").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\n") == data.count(b"\r\n") > 5
    text = data.decode("utf-8-sig")
    assert "    py -m pip install --no-index --find-links . qd588-pipeline\r\n" in text
    assert "Cách 1 (đơn giản): bấm đúp tệp Cai-dat.bat trong thư mục này." in text


# -- with the network -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The project's wheel, built as `make bundle` builds it."""
    return bundle.build_project_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="module")
def installed(tmp_path_factory, wheel) -> Path:
    """A clean virtual environment outside the checkout with the wheel installed from a
    folder of wheels (`--no-index`, as on the officer's PC); its scripts folder."""
    base = tmp_path_factory.mktemp("installed")
    assert not base.is_relative_to(ROOT)
    wheels = base / "wheels"
    wheels.mkdir()
    (wheels / wheel.name).write_bytes(wheel.read_bytes())
    done = _run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--dest", wheels, "-c", CONSTRAINTS, wheel],
        cwd=base,
    )
    assert done.returncode == 0, done.stderr
    venv.create(base / "venv", with_pip=True, clear=True)
    scripts = base / "venv" / "bin"
    done = _run(
        [scripts / "python", "-m", "pip", "install", "--quiet", "--no-index", "--find-links", wheels]
        + ["qd588-pipeline"],
        cwd=base,
        env=_clean_env(),
    )
    assert done.returncode == 0, done.stderr
    return scripts


@pytest.mark.network
def test_the_wheel_carries_the_package_the_configuration_and_the_sample_inbox(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {
        f"pipeline/shipped/{p.relative_to(ROOT).as_posix()}"
        for folder in ("schemas", "examples")
        for p in (ROOT / folder).rglob("*")
        if p.is_file() and not p.name.startswith(".")  # samples' own record (.inbox.tep-mau.json) stays
    }
    code = {p.relative_to(ROOT).as_posix() for p in (ROOT / "pipeline").rglob("*.py")}
    assert "pipeline/shipped/schemas/reference/kien-giang-communes-2025-03.csv" in shipped
    assert "pipeline/shipped/examples/inbox/thu-gui-kem.txt" in shipped
    assert sorted(shipped - names) == []
    assert sorted(code - names) == []
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[console_scripts]\ntong-hop-588 = pipeline.__main__:run" in text


@pytest.mark.network
def test_the_installed_command_runs_from_any_folder(installed, tmp_path, form):
    cwd = tmp_path / "may-can-bo"
    cwd.mkdir()
    env = _clean_env(PYTHONUTF8="1")
    where = _run(
        [installed / "python", "-c", "import pipeline.form.model as m; print(m.__file__); "
         "print(m.shipped_folder('examples')); print(m.DEFAULT_FORM)"],
        cwd=cwd,
        env=env,
    )  # fmt: skip
    assert where.returncode == 0, where.stderr
    module, examples, config = map(Path, where.stdout.splitlines())
    site = installed.parent / "lib"
    assert module.is_relative_to(site) and not module.is_relative_to(ROOT)
    assert examples == module.parent.parent / "shipped" / "examples"
    assert config == module.parent.parent / "shipped" / "schemas" / "kien-giang.toml"
    inbox = examples / "inbox"
    assert sorted(p.name for p in inbox.iterdir()) == sorted(
        p.name for p in (ROOT / "examples" / "inbox").iterdir()
    )
    tong_hop = installed / "tong-hop-588"

    helped = _run([tong_hop, "--help"], cwd=cwd, env=env)
    assert helped.returncode == 0
    assert "Tổng hợp báo cáo kết quả thực hiện Quyết định 588/QĐ-TTg." in helped.stdout
    assert "consolidate" in helped.stdout and "các lệnh" in helped.stdout

    made = _run([tong_hop, "templates", "--outbox", "ket-qua"], cwd=cwd, env=env)
    assert made.returncode == 0, made.stderr
    templates = sorted((cwd / "ket-qua" / "templates" / str(form.year)).glob("*.xlsx"))
    assert len(templates) == len(form.units)
    assert f"Đã tạo {len(form.units)} mẫu báo cáo năm {form.year}" in made.stdout

    ran = _run([tong_hop, "consolidate", "--inbox", inbox, "--outbox", "ket-qua", "--json"], cwd=cwd, env=env)
    assert ran.returncode == 0, ran.stderr
    report = json.loads(ran.stdout)
    assert report["outputs"]["workbook"] == f"ket-qua/{form.year}/tong-hop-588-{form.year}.xlsx"
    assert (cwd / report["outputs"]["workbook"]).is_file()
    assert (cwd / "ket-qua" / str(form.year) / f"bao-cao-588-{form.year}.docx").is_file()

    repo = _run(
        [sys.executable, "-m", "pipeline", "consolidate", "--inbox", "examples/inbox"]
        + ["--outbox", tmp_path / "tu-kho", "--json"],
        cwd=ROOT,
    )
    assert repo.returncode == 0, repo.stderr
    expected = json.loads(repo.stdout)
    assert report["totals"] == expected["totals"]
    assert report["summary"] == expected["summary"] == {
        "units": 28, "accepted": 25, "rejected": 2, "missing": 1, "files": 29,
    }  # fmt: skip

    checked = _run([tong_hop, "check", inbox / SAMPLE, "--json"], cwd=cwd, env=env)
    assert checked.returncode == 1, checked.stderr  # the sample's first 904 file has errors
    repo_check = _run(
        [sys.executable, "-m", "pipeline", "check", f"examples/inbox/{SAMPLE}", "--json"], cwd=ROOT
    )
    codes = [[f["code"] for f in entry["findings"]] for entry in json.loads(checked.stdout)]
    assert codes == [[f["code"] for f in e["findings"]] for e in json.loads(repo_check.stdout)]
    assert "REQUIRED_MISSING" in codes[0] and "NUMBER_NEGATIVE" in codes[0]

    # next year's configuration goes where the officer keeps files, never into the package;
    # Kiên Giang's is refused (merged into An Giang), naming the officer's copy of An Giang's
    shipped = config.parent
    before = sorted(p.name for p in shipped.iterdir())
    refused = _run([tong_hop, "new-year", "--yes"], cwd=cwd, env=env)
    assert refused.returncode == 2
    assert "làm từ cau-hinh/an-giang.toml (lệnh: --config cau-hinh/an-giang.toml new-year)" in refused.stderr
    assert not (cwd / "cau-hinh" / f"kien-giang-{form.year + 1}.toml").exists()
    nxt = _run([tong_hop, "--config", "cau-hinh/an-giang.toml", "new-year", "--yes"], cwd=cwd, env=env)
    assert nxt.returncode == 0, nxt.stderr
    assert sorted(p.name for p in shipped.iterdir()) == before
    written = cwd / "cau-hinh" / f"an-giang-{form.year + 1}.toml"
    assert written.is_file() and (cwd / "cau-hinh" / "layout.toml").is_file()
    assert f"tong-hop-588 --config cau-hinh/an-giang-{form.year + 1}.toml templates" in nxt.stdout
    later = _run([tong_hop, "--config", written, "templates", "--outbox", "nam-sau"], cwd=cwd, env=env)
    assert later.returncode == 0, later.stderr
    units = len(load_form(written).units)
    assert len(list((cwd / "nam-sau" / "templates" / str(form.year + 1)).glob("*.xlsx"))) == units


@pytest.mark.network
@pytest.mark.parametrize("python", PYTHONS)
def test_every_runtime_dependency_has_a_windows_wheel(wheel, python, tmp_path):
    done = _run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--ignore-installed"]
        + ["--only-binary=:all:", "--platform", "win_amd64", "--python-version", python]
        + ["--implementation", "cp", "--target", tmp_path / "t", "-c", CONSTRAINTS, wheel],
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    # with what pip leaves out because it judges markers for this Linux machine
    requirements, resolved = bundle.windows_requirements(wheel, python)
    assert "pywin32-ctypes>=0.2.0" in requirements  # keyring's, on Windows only
    pins = _pins()
    found = {}
    for item in resolved:
        name = canonicalize_name(item["metadata"]["name"])
        filename = item["download_info"]["url"].rsplit("/", 1)[-1]
        assert filename.endswith(("-win_amd64.whl", "-none-any.whl")), filename
        found[name] = item["metadata"]["version"]
    found.pop("qd588-pipeline")
    assert {n: v for n, v in found.items() if pins.get(n) != v} == {}, "resolved outside the pins"
    assert {"pandas", "numpy", "lxml", "python-calamine", "pywin32-ctypes", "tzdata"} <= set(found)


@pytest.mark.network
def test_make_bundle_writes_a_folder_that_installs_offline(tmp_path):
    out = tmp_path / "ban-cai-dat-windows"
    done = _run([sys.executable, ROOT / "packaging" / "bundle.py", "--out", out], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"Đã tạo bộ cài trong {out}" in done.stdout
    for name in ("Cai-dat.bat", "Tong-hop-bao-cao.bat"):
        assert (out / name).read_bytes() == (WINDOWS / name).read_bytes()
    assert "py -m pip install --no-index --find-links . qd588-pipeline" in (out / "HUONG-DAN.txt").read_text(
        encoding="utf-8-sig"
    )
    wheels = {p.name for p in out.glob("*.whl")}
    assert any(n.startswith("qd588_pipeline-0.1.0-py3-none-any") for n in wheels)
    for python in PYTHONS:
        tag = "cp" + python.replace(".", "")
        for binary in ("pandas", "numpy", "lxml", "python_calamine", "rapidfuzz", "pydantic_core"):
            assert any(n.startswith(f"{binary}-") and f"-{tag}-{tag}-win_amd64" in n for n in wheels), (
                binary,
                python,
            )
        # the folder alone is enough, as HUONG-DAN.txt's line uses it on the PC
        offline = _run(
            [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--ignore-installed"]
            + ["--no-index", "--find-links", out, "--only-binary=:all:", "--platform", "win_amd64"]
            + ["--python-version", python, "--implementation", "cp", "--target", tmp_path / "t"]
            + ["qd588-pipeline", "pywin32-ctypes"],
            cwd=tmp_path,
            env=_clean_env(),
        )
        assert offline.returncode == 0, offline.stderr
