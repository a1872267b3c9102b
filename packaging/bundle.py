"""The offline installation bundle for Windows (`make bundle`).

Writes `dist/ban-cai-dat-windows/`, a folder an officer copies to a PC without internet:

- the project's own wheel (`pip wheel --no-deps`), built from a copy of the sources it
  needs, so no stale `build/` folder of an earlier build slips into it;
- a wheel of every runtime dependency, at the versions of `constraints.txt`, for Windows
  x64 and CPython 3.11, 3.12 and 3.13 (`pip download --only-binary=:all: --platform
  win_amd64`);
- `Cai-dat.bat` and `Tong-hop-bao-cao.bat` from `windows/`;
- `HUONG-DAN.txt`, the instructions (UTF-8 with BOM and CRLF, so Notepad shows them right).

pip evaluates environment markers for the machine it runs on, not for `--platform`: a
requirement only Windows has (keyring's `pywin32-ctypes; sys_platform == "win32"`) would
be left out and the offline install would fail on the officer's PC. `windows_only` reads
pip's resolution report, evaluates every requirement's markers for Windows, and the
requirements found are downloaded too.

Usage: python packaging/bundle.py [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
CONSTRAINTS = ROOT / "constraints.txt"
PYTHONS = ("3.11", "3.12", "3.13")
PLATFORM = "win_amd64"
PROJECT = "qd588-pipeline"
# What the wheel is built from: the package and the folders pyproject.toml maps into it.
SOURCES = ("pyproject.toml", "pipeline", "schemas", "examples")
LAUNCHERS = ("Cai-dat.bat", "Tong-hop-bao-cao.bat")
INSTALL_LINE = f"py -m pip install --no-index --find-links . {PROJECT}"

GUIDE = f"""\
CÀI ĐẶT CHƯƠNG TRÌNH TỔNG HỢP BÁO CÁO QĐ 588 (KHÔNG CẦN INTERNET)

Cần có: máy Windows 64 bit đã cài Python 3.11, 3.12 hoặc 3.13
(tải tại https://www.python.org/downloads/windows/, chọn "Windows installer (64-bit)").

Cách 1 (đơn giản): bấm đúp tệp Cai-dat.bat trong thư mục này.

Cách 2 (gõ lệnh): mở cửa sổ lệnh (cmd) trong thư mục này và gõ:
    {INSTALL_LINE}

Sau khi cài:
1. Chép tệp Tong-hop-bao-cao.bat vào thư mục làm việc (ví dụ Tài liệu\\Bao-cao-588).
2. Lưu các tệp báo cáo các đơn vị gửi về vào thư mục "inbox" nằm cạnh tệp đó.
3. Bấm đúp Tong-hop-bao-cao.bat. Kết quả nằm trong thư mục "outbox" cạnh tệp đó.
4. Dùng cấu hình An Giang và điền các mục «cần điền» (hạn nộp, số công văn, người ký):
   không sửa tệp cài sẵn; mở cửa sổ lệnh (cmd) trong thư mục làm việc và gõ
    "%LOCALAPPDATA%\\TongHop588\\venv\\Scripts\\tong-hop-588" --config an-giang.toml chep-cau-hinh
   rồi làm theo hướng dẫn chương trình in ra: điền tệp cau-hinh\\an-giang.toml, ghi tên tệp
   đó vào dòng set "CAU_HINH=..." ở đầu Tong-hop-bao-cao.bat (kết quả: thư mục "outbox-an-giang").

Người dùng cửa sổ lệnh có thể gõ: tong-hop-588 consolidate --inbox inbox --outbox outbox
(xem thêm: tong-hop-588 --help).
"""


def run_pip(*args: str) -> str:
    """Run pip of this interpreter; its stdout. Raises CalledProcessError when pip fails."""
    done = subprocess.run([sys.executable, "-m", "pip", *args], check=True, stdout=subprocess.PIPE, text=True)
    return done.stdout


def build_project_wheel(dest: Path) -> Path:
    """The project's wheel, built from a fresh copy of SOURCES, moved into `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="qd588-wheel-") as tmp:
        src, built = Path(tmp) / "src", Path(tmp) / "wheel"
        src.mkdir()
        for name in SOURCES:
            if (ROOT / name).is_dir():
                shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(ROOT / name, src / name)
        run_pip("wheel", "--no-deps", "--quiet", "--wheel-dir", str(built), str(src))
        (wheel,) = built.glob("*.whl")
        return Path(shutil.move(wheel, dest / wheel.name))


def _target_options(python: str) -> list[str]:
    return [
        "--only-binary=:all:",
        "--platform",
        PLATFORM,
        "--python-version",
        python,
        "--implementation",
        "cp",
        "-c",
        str(CONSTRAINTS),
    ]


def resolve(requirements: list[str], python: str) -> list[dict]:
    """What pip would install for Windows x64 and CPython `python` (its report's `install`)."""
    with tempfile.TemporaryDirectory(prefix="qd588-target-") as target:
        out = run_pip(
            "install",
            "--dry-run",
            "--quiet",
            "--ignore-installed",
            "--target",
            target,
            "--report",
            "-",
            *_target_options(python),
            *requirements,
        )
    return json.loads(out)["install"]


def windows_environment(python: str) -> dict[str, str]:
    """Marker values of a Windows x64 PC running CPython `python`."""
    env = default_environment()
    env.update(
        os_name="nt",
        sys_platform="win32",
        platform_system="Windows",
        platform_machine="AMD64",
        platform_python_implementation="CPython",
        implementation_name="cpython",
        python_version=python,
        python_full_version=f"{python}.0",
        implementation_version=f"{python}.0",
    )
    return env


def windows_only(installed: list[dict], python: str) -> list[str]:
    """Requirements of the resolved distributions that Windows needs and pip left out."""
    have = {canonicalize_name(item["metadata"]["name"]) for item in installed}
    env = windows_environment(python)
    missing: dict[str, str] = {}
    for item in installed:
        extras = [""] + list(item.get("requested_extras") or ())
        for text in item["metadata"].get("requires_dist") or ():
            req = Requirement(text)
            name = canonicalize_name(req.name)
            if name in have or req.marker is None:
                continue
            if any(req.marker.evaluate({**env, "extra": extra}) for extra in extras):
                missing[name] = f"{req.name}{req.specifier}"
    return sorted(missing.values())


def windows_requirements(wheel: Path, python: str) -> tuple[list[str], list[dict]]:
    """The requirements to download for `python` (the wheel and whatever only Windows
    needs, until nothing is missing) and what pip resolves them to."""
    requirements = [str(wheel)]
    while True:
        installed = resolve(requirements, python)
        extra = windows_only(installed, python)
        if not extra:
            return requirements, installed
        requirements += [r for r in extra if r not in requirements]


def write_guide(path: Path) -> None:
    """HUONG-DAN.txt: UTF-8 with a BOM and CRLF line ends, as Notepad expects."""
    path.write_bytes(GUIDE.replace("\n", "\r\n").encode("utf-8-sig"))


def build_bundle(out: Path) -> list[Path]:
    """Write the whole bundle into `out` (emptied first); the wheels it holds."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    print("Đang đóng gói chương trình (pip wheel)…", flush=True)
    wheel = build_project_wheel(out)
    for python in PYTHONS:
        print(f"Đang tải các thư viện cho Windows 64 bit, Python {python} (pip download)…", flush=True)
        requirements, _ = windows_requirements(wheel, python)
        run_pip("download", "--quiet", "--dest", str(out), *_target_options(python), *requirements)
    for name in LAUNCHERS:
        shutil.copy2(ROOT / "windows" / name, out / name)
    write_guide(out / "HUONG-DAN.txt")
    return sorted(out.glob("*.whl"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Tạo bộ cài đặt không cần internet cho Windows.")
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "dist" / "ban-cai-dat-windows",
        help="thư mục ghi bộ cài (mặc định: dist/ban-cai-dat-windows)",
    )
    args = parser.parse_args(argv)
    try:
        wheels = build_bundle(args.out)
    except subprocess.CalledProcessError as exc:
        sys.stderr.write(
            f"Lỗi: lệnh pip thất bại (mã {exc.returncode}); xem thông báo của pip ở trên. "
            "Cần kết nối internet để tải các thư viện.\n"
        )
        return 1
    print(
        f"Đã tạo bộ cài trong {args.out}: {len(wheels)} tệp wheel, "
        f"{', '.join(LAUNCHERS)} và HUONG-DAN.txt. Chép cả thư mục sang máy Windows."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
