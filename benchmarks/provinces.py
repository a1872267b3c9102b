"""Per-file speed of a year under each shipped configuration (issue #22: the 102-unit An Giang
year must be as fast per file as the Kiên Giang year).

    python benchmarks/provinces.py [--files 300] [--repeat 3]

For each configuration in `schemas/` that `samples` supports, the project's own `samples`
command writes a filled inbox (one file per unit, some with mistakes); its report files are
copied until the inbox holds `--files` files (a copy is the unit sending the same report
again, read like any other file). Then `consolidate` runs on it `--repeat` times, each in its
own process measured by `_measure.py` (wall, CPU of the whole tree, peak memory); the best
wall time is kept. Prints milliseconds per file for each configuration and the ratio to the
default configuration's, and writes benchmarks/results/provinces.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CONFIGS = ("kien-giang.toml", "an-giang.toml")
REPORT_SUFFIXES = (".xlsx", ".xls", ".ods", ".xlsb", ".zip", ".eml")


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "pipeline", *args]


def _inbox(config: Path, folder: Path, files: int) -> int:
    """Samples of `config` in `folder`, copied up to `files` report files; how many there are."""
    subprocess.run(
        _command("--config", str(config), "samples", "--out", str(folder)),
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    made = sorted(p for p in folder.iterdir() if p.suffix.lower() in REPORT_SUFFIXES)
    n, copy = len(made), 0
    while n < files:
        src = made[copy % len(made)]
        shutil.copy2(src, folder / f"ban-sao-{copy:05d}-{src.name}")
        n, copy = n + 1, copy + 1
    return n


def _measure(config: Path, inbox: Path, outbox: Path, log: Path) -> dict[str, float]:
    result = log.with_suffix(".json")
    cmd = _command("--config", str(config), "consolidate", "--inbox", str(inbox), "--outbox", str(outbox))
    subprocess.run(
        [sys.executable, str(HERE / "_measure.py"), "--out", str(result), "--log", str(log), "--", *cmd],
        check=True,
        cwd=ROOT,
    )
    return json.loads(result.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=300, help="report files in each inbox")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each configuration; best kept")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "provinces.json")
    args = ap.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="qd588-provinces-") as tmp:
        for name in CONFIGS:
            config = ROOT / "schemas" / name
            inbox = Path(tmp) / name / "inbox"
            n = _inbox(config, inbox, args.files)
            runs = []
            for i in range(args.repeat):
                outbox = Path(tmp) / name / f"outbox-{i}"
                runs.append(_measure(config, inbox, outbox, Path(tmp) / name / f"run-{i}.log"))
            best = min(runs, key=lambda r: r["wall"])
            rows.append({"config": name, "files": n, **best, "ms_per_file": 1000 * best["wall"] / n})
    base = rows[0]["ms_per_file"]
    print(f"{'cấu hình':<18}{'tệp':>6}{'giây':>8}{'ms/tệp':>9}{'CPU s':>8}{'MB':>7}{'so với':>8}")
    for r in rows:
        print(
            f"{r['config']:<18}{r['files']:>6}{r['wall']:>8.2f}{r['ms_per_file']:>9.1f}"
            f"{r['cpu']:>8.2f}{r['tree_peak_mb']:>7.0f}{r['ms_per_file'] / base:>7.2f}×"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
