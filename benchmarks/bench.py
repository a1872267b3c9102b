"""Speed and memory of the pipeline against a naive pandas baseline and a reading floor.

    make bench                                  # N = 30, 300, 1000, 10000; both kinds of input
    .venv/bin/python benchmarks/bench.py --sizes 30 300 --repeat 3 --kinds generated

For each N, an inbox of N reports is made with the project's own code (blank template from
`pipeline.render.template`, figures from `pipeline.samples.valid_data`, filled by
`pipeline.filler`), cycling over the units: at large N each unit sends several files, which
become resubmissions. A small share of files (`--bad-share`) carries one error (girls >
children) so the rejection and feedback paths are exercised as in a real inbox. Inboxes are
cached in benchmarks/.cache/<N>/ and rebuilt when what they are made of changes: the blank
templates (hashed as generated), the layout JSON, the filler and sample generator, or
GENERATOR_VERSION.

The second kind of input, `sample`, is N copies of the sample inbox (examples/inbox, the
files `make demo` reads: other units' spellings, a resubmission, a letter), cycled in name
order, with their modification times; cached in benchmarks/.cache/sample-<N>/ as hard
links. Its check: the totals and accepted units of one run on examples/inbox itself.

Then, each in its own subprocess (wrapped by _measure.py: wall time, peak RSS, CPU time of
the whole process tree):
  consolidate     `python -m pipeline consolidate` into a fresh outbox (default workers)
  consolidate -w1 the same with --workers 1 (like for like with the single-process floor)
  naive           benchmarks/naive.py: pandas.read_excel(openpyxl) + pandera per file, concat
  floor           benchmarks/floor.py: python-calamine reads every cell of every sheet
and `python -m pipeline templates` (all units). Best wall time of --repeat runs (default 3;
consolidate and the floor take turns; --repeat-large for N >= 10,000, default 1), of
--naive-repeat runs for the naive baseline (default 1, N <= --naive-max); peak memory is the
highest seen. Two ratios to the floor: wall time (the run uses every core, the floor one) and
CPU time (user + system of every process, the fair one to a one-process floor); the least
CPU time of the runs is kept. Results go to benchmarks/results/latest.json. Missed targets
print FAIL but do not change the exit code.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import importlib.metadata
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CACHE = HERE / ".cache"
RESULTS = HERE / "results"
MEASURE = HERE / "_measure.py"

# Bump when the way files are generated changes (the cache is then rebuilt).
GENERATOR_VERSION = 1
# Generator code besides this file (its output also depends on the templates and the layout,
# which are hashed as generated, so edits to the pipeline that change neither keep the cache).
GENERATOR_SOURCES = [ROOT / "pipeline" / "filler.py", ROOT / "pipeline" / "samples.py"]
LIBRARIES = ["pandas", "pandera", "numpy", "openpyxl", "python-calamine", "xlsxwriter", "defusedxml"]
MTIME_BASE = dt.datetime(2025, 11, 1).timestamp()

DEFAULT_BAD_SHARE = 0.05  # share of generated files with one error (rejected, feedback written)
BUSY_CORES = 0.2  # CPU used by other processes during a run (cores) above which we warn
BIG_SIZES = (1000, 10000)  # sizes the ratio and memory targets apply to (issue #25)
TARGETS = {
    "ratio_floor": 2.0,  # N=1000 and 10000: consolidate <= 2x floor in wall time
    "cpu_ratio_floor": 3.0,  # and <= 3x in CPU time (whole process tree)
    "ratio_naive": 5.0,  # N=1000: naive >= 5x consolidate
    "small_wall": 2.0,  # N=30: whole consolidate command under 2 s
    "memory_mb": 500.0,  # N=1000 and 10000: peak memory under 500 MB (whole tree)
    "templates_wall": 2.0,  # templates for all units under 2 s
}


# ----- generation ------------------------------------------------------------------------
def prepare_templates(template_dir: Path, bad_share: float) -> tuple[str, dict[str, str]]:
    """Write every unit's blank template to `template_dir`; return the cache key and the paths.

    The key hashes what the generated files are made of: the templates' contents (their zip
    members; XlsxWriter output is deterministic), the layout JSON the filler uses, the
    generator sources, GENERATOR_VERSION and the share of bad files.
    """
    from pipeline.form import layout_json, load_form
    from pipeline.render.template import write_template

    form = load_form()
    h = hashlib.sha256(f"generator={GENERATOR_VERSION};bad={bad_share!r}".encode())
    h.update(json.dumps(layout_json(form), sort_keys=True, default=str).encode())
    for path in GENERATOR_SOURCES:
        h.update(path.read_bytes())
    template_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for unit in form.units:
        path = write_template(form, unit, template_dir)
        paths[unit.code] = str(path)
        h.update(path.name.encode())
        with zipfile.ZipFile(path) as zf:
            for name in sorted(zf.namelist()):
                h.update(name.encode())
                h.update(zf.read(name))
    return h.hexdigest()[:16], paths


def plan(i: int, units: list[Any], bad_share: float) -> tuple[Any, str, bool]:
    """File number i: its unit, its name and whether it carries an error (same for every N)."""
    unit = units[i % len(units)]
    bad = random.Random(f"bad-{i}").random() < bad_share
    return unit, f"{i:05d}-{unit.code}.xlsx", bad


_W: dict[str, Any] = {}


def _init_worker(templates: dict[str, str], bad_share: float) -> None:
    from pipeline.form import layout_json, load_form

    form = load_form()
    _W.update(form=form, layout=layout_json(form), bad_share=bad_share, templates=templates)


def _make_file(job: tuple[int, str]) -> dict[str, Any]:
    from pipeline.filler import fill
    from pipeline.samples import valid_data

    i, folder = job
    form, layout = _W["form"], _W["layout"]
    unit, name, bad = plan(i, list(form.units), _W["bad_share"])
    data = valid_data(form, unit.code, random.Random(f"bench-{i}"), layout)
    if bad:
        first = data["results"][0]
        first["girls"] = first["children"] + 1
    path = Path(folder) / name
    fill(_W["templates"][unit.code], path, layout, unit.code, data)
    os.utime(path, (MTIME_BASE + 60 * i, MTIME_BASE + 60 * i))  # later files are newer
    return {"i": i, "name": name, **_summary(form, unit.code, data, bad)}


def _summary(form: Any, unit: str, data: dict[str, Any], bad: bool) -> dict[str, Any]:
    """What consolidate should count from this file if it is the one chosen for its unit."""
    sums: dict[str, int] = {}
    for rec in data["results"]:
        for m in form.blocks["results"].measures:
            sums[f"results.{m.key}"] = sums.get(f"results.{m.key}", 0) + int(rec.get(m.key) or 0)
    for key in ("resources", "needs"):
        for measures in data[key].values():
            for m, v in measures.items():
                sums[f"{key}.{m}"] = sums.get(f"{key}.{m}", 0) + int(v)
    sums["info.activities"] = int(data["info"].get("activities") or 0)
    return {
        "unit": unit,
        "bad": bad,
        "report_date": data["info"]["report_date"].date().isoformat(),
        "sums": sums,
    }


def _valid_caches(key: str) -> list[Path]:
    out = []
    for stamp in CACHE.glob("*/stamp.json"):
        try:
            if json.loads(stamp.read_text())["key"] == key:
                out.append(stamp.parent)
        except (OSError, ValueError, KeyError):
            continue
    return out


def cache_folder(n: int, bad_share: float) -> Path:
    """benchmarks/.cache/<n>/, or <n>-bad<share>/ for a non-default share of bad files."""
    return CACHE / (str(n) if bad_share == DEFAULT_BAD_SHARE else f"{n}-bad{bad_share:g}")


def prune_stale(key: str, bad_share: float) -> None:
    """Remove cached inboxes of this bad share made from another form or generator."""
    if not CACHE.is_dir():
        return
    for folder in CACHE.iterdir():
        if not folder.is_dir() or folder.name.startswith("sample-"):
            continue  # copies of the sample inbox: ensure_sample_inbox keeps them
        try:
            stamp = json.loads((folder / "stamp.json").read_text())
            stale = stamp["bad_share"] == bad_share and stamp["key"] != key
        except (OSError, ValueError, KeyError):
            stale = True  # unfinished or from an older version of this script
        if stale:
            shutil.rmtree(folder, ignore_errors=True)


def ensure_inbox(
    n: int, bad_share: float, jobs: int, key: str, templates: dict[str, str]
) -> tuple[Path, list[dict[str, Any]]]:
    """benchmarks/.cache/<n>/inbox with n files, (re)built if the key changed."""
    folder = cache_folder(n, bad_share)
    inbox = folder / "inbox"
    stamp = folder / "stamp.json"
    if stamp.is_file():
        try:
            saved = json.loads(stamp.read_text())
            if (
                saved["key"] == key
                and len(saved["files"]) == n
                and all((inbox / f["name"]).is_file() for f in saved["files"])
            ):
                return inbox, saved["files"]
        except (OSError, ValueError, KeyError):
            pass
    shutil.rmtree(folder, ignore_errors=True)
    inbox.mkdir(parents=True)
    meta: dict[int, dict[str, Any]] = {}
    # reuse identical files from the caches of other sizes (file i is the same for every N)
    donors = [d for d in _valid_caches(key) if d != folder]
    for donor in donors:
        for f in json.loads((donor / "stamp.json").read_text())["files"]:
            if f["i"] < n and f["i"] not in meta and (donor / "inbox" / f["name"]).is_file():
                try:
                    os.link(donor / "inbox" / f["name"], inbox / f["name"])
                except OSError:
                    shutil.copy2(donor / "inbox" / f["name"], inbox / f["name"])
                meta[f["i"]] = f
    todo = [(i, str(inbox)) for i in range(n) if i not in meta]
    if todo:
        t0 = time.perf_counter()
        print(f"  generating {len(todo)} files for N={n} with {jobs} processes…", flush=True)
        init = (templates, bad_share)
        with ProcessPoolExecutor(jobs, initializer=_init_worker, initargs=init) as pool:
            for f in pool.map(_make_file, todo, chunksize=max(1, len(todo) // (jobs * 8))):
                meta[f["i"]] = f
        print(f"  generated in {time.perf_counter() - t0:.1f} s", flush=True)
    files = [meta[i] for i in range(n)]
    tmp = stamp.with_suffix(".tmp")
    tmp.write_text(json.dumps({"key": key, "n": n, "bad_share": bad_share, "files": files}, indent=1))
    os.replace(tmp, stamp)
    return inbox, files


SAMPLE = ROOT / "examples" / "inbox"


def ensure_sample_inbox(n: int) -> Path:
    """benchmarks/.cache/sample-<n>/inbox: n copies of the sample inbox's entries (hard links
    where the file system allows, so every copy keeps its original's modification time),
    cycled in name order."""
    entries = sorted(p for p in SAMPLE.iterdir() if p.is_file())
    folder = CACHE / f"sample-{n}"
    inbox = folder / "inbox"
    stamp = folder / "stamp.json"
    want = {
        "n": n,
        "entries": [[p.name, p.stat().st_size, hashlib.sha256(p.read_bytes()).hexdigest()] for p in entries],
    }
    try:
        if json.loads(stamp.read_text()) == want:
            return inbox
    except (OSError, ValueError):
        pass
    shutil.rmtree(folder, ignore_errors=True)
    inbox.mkdir(parents=True)
    for i in range(n):
        src = entries[i % len(entries)]
        dst = inbox / f"{i:05d}-{src.name}"
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)
    stamp.write_text(json.dumps(want))
    return inbox


def sample_reference(work: Path) -> dict[str, Any] | None:
    """bao-cao.json of one run on the sample inbox itself (the copies must total the same)."""
    outbox = Path(tempfile.mkdtemp(prefix="bench-sample-", dir=work))
    subprocess.run(
        [sys.executable, "-m", "pipeline", "consolidate", "--inbox", str(SAMPLE), "--outbox", str(outbox)],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    reports = list(outbox.glob("*/bao-cao.json"))
    report = json.loads(reports[0].read_text(encoding="utf-8")) if reports else None
    shutil.rmtree(outbox, ignore_errors=True)
    return report


def check_sample(report: dict[str, Any] | None, reference: dict[str, Any] | None) -> dict[str, Any]:
    """Do N copies of the sample inbox total what the sample inbox totals?"""
    if report is None or reference is None:
        return {"ok": False, "problem": "no bao-cao.json written"}
    got, want = report.get("totals", {}), reference.get("totals", {})
    diff = {k: {"got": got.get(k), "want": v} for k, v in want.items() if got.get(k) != v}
    out = {
        "ok": not diff and report["summary"]["accepted"] == reference["summary"]["accepted"],
        "accepted_units": report["summary"]["accepted"],
        "expected_accepted_units": reference["summary"]["accepted"],
        "files_with_errors": sum(f["errors"] > 0 for f in report.get("files", [])),
        "files_with_findings": sum(f["findings"] > 0 for f in report.get("files", [])),
    }
    if diff:
        out["total_mismatches"] = diff
    return out


def expected_totals(files: list[dict[str, Any]]) -> tuple[dict[str, int], int]:
    """Totals consolidate should report: per unit the newest file without errors.

    Newest = latest report date, then latest modification time (file number), as in
    pipeline.run.submissions. Returns the totals and the number of units with a valid file.
    """
    by_unit: dict[str, list[dict[str, Any]]] = {}
    for f in files:
        by_unit.setdefault(f["unit"], []).append(f)
    totals: dict[str, int] = {}
    accepted = 0
    for group in by_unit.values():
        ok = [f for f in group if not f["bad"]]
        if not ok:
            continue
        chosen = max(ok, key=lambda f: (f["report_date"], f["i"]))
        accepted += 1
        for k, v in chosen["sums"].items():
            totals[k] = totals.get(k, 0) + v
    return totals, accepted


# ----- measuring ---------------------------------------------------------------------------
def load_average() -> float | None:
    """1-minute load average (recorded with the machine information)."""
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def measure(cmd: list[str], work: Path, tag: str) -> dict[str, Any]:
    out, log = work / f"{tag}.json", work / f"{tag}.log"
    # PIPELINE_TIMING makes consolidate print its phase timings on stderr (ignored by others)
    subprocess.run(
        [sys.executable, str(MEASURE), "--out", str(out), "--log", str(log), "--cwd", str(ROOT), "--", *cmd],
        check=True,
        env={**os.environ, "PIPELINE_TIMING": "1"},
    )
    result = json.loads(out.read_text())
    result["log"] = log.read_text(encoding="utf-8", errors="replace")
    result["phases"] = phases(result["log"])
    if result["returncode"] != 0:
        tail = "\n".join(result["log"].splitlines()[-15:])
        print(f"    !! {tag} exited with {result['returncode']}:\n{tail}", flush=True)
    return result


def phases(log: str) -> dict[str, float]:
    """`[timing] read=1.20s validate=0.30s … total=2.00s` -> {"read": 1.2, …} (last such line)."""
    found: dict[str, float] = {}
    for line in log.splitlines():
        if line.startswith("[timing]"):
            found = {}
            for part in line.split()[1:]:
                name, _, value = part.partition("=")
                try:
                    found[name] = float(value.rstrip("s"))
                except ValueError:
                    continue
    return found


def best_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    best = min(runs, key=lambda r: r["wall"])
    return {
        "wall": best["wall"],
        "walls": [round(r["wall"], 4) for r in runs],
        "maxrss_mb": max(r["maxrss_mb"] for r in runs),
        "tree_peak_mb": max(r["tree_peak_mb"] for r in runs),
        "cpu": best["cpu"],
        "cpu_least": min(r["cpu"] for r in runs),
        "ok": all(r["returncode"] == 0 for r in runs),
        # CPU ticks are 10 ms: on shorter runs the estimate is too coarse to mean anything
        "others_cores": max((r["others_cores"] or 0.0) if r["wall"] >= 0.5 else 0.0 for r in runs),
        "phases": best["phases"],
    }


def consolidate_run(inbox: Path, workers: int | None, work: Path, tag: str) -> tuple[dict[str, Any], Any]:
    """One consolidate run into a fresh outbox: its measurement and its bao-cao.json (or None)."""
    outbox = Path(tempfile.mkdtemp(prefix="bench-outbox-", dir=work))
    cmd = [sys.executable, "-m", "pipeline", "consolidate", "--inbox", str(inbox), "--outbox", str(outbox)]
    if workers is not None:
        cmd += ["--workers", str(workers)]
    run = measure(cmd, work, tag)
    reports = list(outbox.glob("*/bao-cao.json"))
    report = json.loads(reports[0].read_text(encoding="utf-8")) if reports else None
    shutil.rmtree(outbox, ignore_errors=True)
    return run, report


def bench_size(n: int, kind: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Measure one size of one kind of input ("generated" or "sample")."""
    if kind == "sample":
        inbox, files = ensure_sample_inbox(n), []
        print(f"  N={n}: copies of {SAMPLE.relative_to(ROOT)} in {inbox.relative_to(ROOT)}", flush=True)
        row: dict[str, Any] = {"n": n, "kind": kind, "bad_files": None, "runs": {}}
    else:
        inbox, files = ensure_inbox(n, args.bad_share, args.jobs, args.key, args.templates)
        bad = sum(f["bad"] for f in files)
        print(f"  N={n}: {len(files)} files in {inbox.relative_to(ROOT)} ({bad} with an error)", flush=True)
        row = {"n": n, "kind": kind, "bad_files": bad, "runs": {}}
    large = n >= 10000
    repeat = args.repeat_large if large else args.repeat

    # consolidate and the floor take turns, so that a slow spell of a shared machine
    # falls on both rather than on one of them
    runs, floor, report = [], [], None
    for k in range(repeat):
        run, first = consolidate_run(inbox, args.workers, work, f"consolidate-{kind}-{n}-{k}")
        runs.append(run)
        report = report or first
        floor.append(
            measure([sys.executable, str(HERE / "floor.py"), str(inbox)], work, f"floor-{kind}-{n}-{k}")
        )
    row["runs"]["consolidate"] = best_of(runs)
    row["check"] = (
        check_sample(report, args.sample_reference) if kind == "sample" else check_report(report, files)
    )
    if not args.no_serial and not large:
        serial = [
            consolidate_run(inbox, 1, work, f"consolidate1-{kind}-{n}-{k}")[0] for k in range(args.repeat)
        ]
        row["runs"]["consolidate_w1"] = best_of(serial)
    if not args.no_naive and n <= args.naive_max:
        naive = [
            measure([sys.executable, str(HERE / "naive.py"), str(inbox)], work, f"naive-{kind}-{n}-{k}")
            for k in range(args.naive_repeat)
        ]
        row["runs"]["naive"] = best_of(naive)
        try:
            row["naive_summary"] = json.loads(naive[0]["log"].strip().splitlines()[-1])
        except (ValueError, IndexError):
            row["naive_summary"] = None
    row["runs"]["floor"] = best_of(floor)
    r = row["runs"]
    row["consolidate_over_floor"] = r["consolidate"]["wall"] / r["floor"]["wall"]
    row["cpu_over_floor"] = r["consolidate"]["cpu_least"] / r["floor"]["cpu_least"]
    if "naive" in r:
        row["naive_over_consolidate"] = r["naive"]["wall"] / r["consolidate"]["wall"]
    return row


def check_report(report: dict[str, Any] | None, files: list[dict[str, Any]]) -> dict[str, Any]:
    """Does consolidate count what the generator put in? (totals, accepted units, rejects)"""
    if report is None:
        return {"ok": False, "problem": "no bao-cao.json written"}
    want, accepted = expected_totals(files)
    got = report.get("totals", {})
    diff = {k: (got.get(k), v) for k, v in want.items() if got.get(k) != v}
    # a rejected file followed by a newer one is "superseded": count files with errors
    files_with_errors = sum(f["errors"] > 0 for f in report.get("files", []))
    bad = sum(f["bad"] for f in files)
    out = {
        "ok": not diff and report["summary"]["accepted"] == accepted and files_with_errors == bad,
        "accepted_units": report["summary"]["accepted"],
        "expected_accepted_units": accepted,
        "files_with_errors": files_with_errors,
        "bad_files": bad,
        "files_with_findings": sum(f["findings"] > 0 for f in report.get("files", [])),
    }
    if diff:
        out["total_mismatches"] = {k: {"got": g, "want": w} for k, (g, w) in diff.items()}
    return out


# ----- machine and reporting ---------------------------------------------------------------
def machine_info() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_mb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_mb = int(line.split()[1]) // 1024
    except OSError:
        pass
    versions = {}
    for lib in LIBRARIES:
        try:
            versions[lib] = importlib.metadata.version(lib)
        except importlib.metadata.PackageNotFoundError:
            versions[lib] = None
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True)
    return {
        "cpu": cpu or platform.processor(),
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "ram_mb": ram_mb,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "libraries": versions,
        "git_commit": commit.stdout.strip(),
        "git_dirty": bool(dirty.stdout.strip()),
        "load_average_at_start": load_average(),
    }


LABELS = {
    "consolidate": "consolidate",
    "consolidate_w1": "consolidate --workers 1",
    "naive": "naive pandas+openpyxl+pandera",
    "floor": "floor (calamine, all cells)",
}


def print_size(row: dict[str, Any], workers_label: str) -> None:
    n = row["n"]
    what = (
        "copies of the sample inbox"
        if row["kind"] == "sample"
        else f"files ({row['bad_files']} with an error)"
    )
    print(f"\nN = {n} {what}")
    print(f"  {'run':<34}{'wall s':>9}{'files/s':>10}{'peak RSS MB':>13}{'tree MB':>10}{'cpu s':>8}")
    for key, r in row["runs"].items():
        label = LABELS[key] + (f" ({workers_label})" if key == "consolidate" else "")
        flag = "" if r["ok"] else "  (FAILED RUN)"
        print(
            f"  {label:<34}{r['wall']:>9.2f}{n / r['wall']:>10.0f}{r['maxrss_mb']:>13.0f}"
            f"{r['tree_peak_mb']:>10.0f}{r['cpu']:>8.2f}{flag}"
        )
    for key in ("consolidate", "consolidate_w1"):
        ph = row["runs"].get(key, {}).get("phases")
        if ph:
            print(f"  phases of {LABELS[key]}: " + ", ".join(f"{k} {v:.2f}" for k, v in ph.items()))
    ratios = (
        f"  consolidate/floor = {row['consolidate_over_floor']:.2f}x wall, {row['cpu_over_floor']:.2f}x CPU"
    )
    if "naive_over_consolidate" in row:
        ratios += f"; naive/consolidate = {row['naive_over_consolidate']:.2f}x"
    print(ratios)
    others = max(r["others_cores"] for r in row["runs"].values())
    if others > BUSY_CORES:
        print(
            f"  WARNING: other processes used up to {others:.2f} cores on average during a run: "
            "figures are pessimistic"
        )
    c = row["check"]
    if c["ok"]:
        print(
            f"  check: totals as {'the sample inbox' if row['kind'] == 'sample' else 'generated'}; "
            f"{c['accepted_units']} units accepted, "
            f"{c['files_with_errors']} files with errors, {c['files_with_findings']} with findings"
        )
    else:
        print(f"  check: MISMATCH {json.dumps(c, ensure_ascii=False)}")
    naive = row.get("naive_summary")
    if naive:
        print(f"  naive: {naive['invalid']} files failed its pandera check, {naive['groups']} groups")


def evaluate(rows: dict[str, dict[str, Any]], templates: dict[str, Any] | None) -> list[dict[str, Any]]:
    t = TARGETS
    out: list[dict[str, Any]] = []

    def add(name: str, ok: bool | None, detail: str) -> None:
        out.append(
            {"target": name, "status": "SKIP" if ok is None else ("PASS" if ok else "FAIL"), "detail": detail}
        )

    for r in rows.values():
        if r["n"] not in BIG_SIZES:
            continue
        at = f"N={r['n']} {r['kind']}"
        v = r["consolidate_over_floor"]
        add(f"{at}: consolidate <= {t['ratio_floor']:g}x floor (wall)", v <= t["ratio_floor"], f"{v:.2f}x")
        v = r["cpu_over_floor"]
        add(
            f"{at}: consolidate <= {t['cpu_ratio_floor']:g}x floor (CPU)",
            v <= t["cpu_ratio_floor"],
            f"{v:.2f}x",
        )
        c = r["runs"]["consolidate"]
        add(
            f"{at}: peak memory < {t['memory_mb']:g} MB",
            c["tree_peak_mb"] < t["memory_mb"] and c["maxrss_mb"] < t["memory_mb"],
            f"whole tree {c['tree_peak_mb']:.0f} MB (sampled), largest process {c['maxrss_mb']:.0f} MB",
        )
        if r["n"] == 1000 and r["kind"] == "generated":
            if "naive_over_consolidate" in r:
                v = r["naive_over_consolidate"]
                add(f"{at}: naive >= {t['ratio_naive']:g}x consolidate", v >= t["ratio_naive"], f"{v:.2f}x")
            else:
                add(f"{at}: naive >= {t['ratio_naive']:g}x consolidate", None, "naive not run")
    if not any(r["n"] in BIG_SIZES for r in rows.values()):
        add("N=1000/10000 ratios and memory", None, "not run")
    small = rows.get("generated-30")
    if small:
        v = small["runs"]["consolidate"]["wall"]
        add(f"N=30 consolidate < {t['small_wall']:g} s", v < t["small_wall"], f"{v:.2f} s")
    else:
        add(f"N=30 consolidate < {t['small_wall']:g} s", None, "N=30 not run")
    if templates:
        v = templates["wall"]
        add(f"templates (all units) < {t['templates_wall']:g} s", v < t["templates_wall"], f"{v:.2f} s")
    for r in rows.values():
        add(f"N={r['n']} {r['kind']}: consolidate counts what it should", r["check"]["ok"], "see check above")
    return out


def markdown(rows: dict[str, dict[str, Any]], templates: dict[str, Any] | None, info: dict[str, Any]) -> str:
    load = info.get("load_average_at_start")
    lines = [
        f"Measured {dt.date.today().isoformat()} on {info['cpu']}, {info['cores']} cores, "
        f"{(info['ram_mb'] or 0) / 1024:.0f} GB RAM, Python {info['python']}, load average "
        f"{load if load is not None else '?'} at the start "
        f"(`make bench`; best of runs, peak RSS of the largest process / whole process tree; CPU "
        f"= user + system of the whole process tree).",
        "",
        "| input | N files | consolidate | files/s | CPU s | peak RSS MB | naive pandas | floor calamine "
        "| floor CPU s | consolidate / floor, wall | CPU | naive / consolidate |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in sorted(rows.values(), key=lambda r: (r["kind"], r["n"])):
        n = r["n"]
        c, f = r["runs"]["consolidate"], r["runs"]["floor"]
        naive = r["runs"].get("naive")
        naive_wall = f"{naive['wall']:.2f} s" if naive else "–"
        naive_ratio = f"{r['naive_over_consolidate']:.1f}×" if naive else "–"
        kind = "sample inbox copies" if r["kind"] == "sample" else "generated"
        lines.append(
            f"| {kind} | {n} | {c['wall']:.2f} s | {n / c['wall']:.0f} | {c['cpu_least']:.2f} "
            f"| {c['maxrss_mb']:.0f} / {c['tree_peak_mb']:.0f} | {naive_wall} | {f['wall']:.2f} s "
            f"| {f['cpu_least']:.2f} | {r['consolidate_over_floor']:.1f}× | {r['cpu_over_floor']:.1f}× "
            f"| {naive_ratio} |"
        )
    if templates:
        lines += [
            "",
            f"Blank templates for all units (`python -m pipeline templates`): {templates['wall']:.2f} s.",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--sizes", type=int, nargs="+", default=[30, 300, 1000, 10000], help="inbox sizes (files)"
    )
    ap.add_argument(
        "--kinds",
        nargs="+",
        choices=["generated", "sample"],
        default=["generated", "sample"],
        help="inputs: generated reports, copies of the sample inbox",
    )
    ap.add_argument(
        "--sample-sizes", type=int, nargs="+", default=[1000, 10000], help="sizes of sample copies"
    )
    ap.add_argument("--repeat", type=int, default=3, help="runs of each measurement; best wall time kept")
    ap.add_argument("--repeat-large", type=int, default=1, help="runs of each measurement at N >= 10,000")
    ap.add_argument("--naive-max", type=int, default=1000, help="largest N the naive baseline runs at")
    ap.add_argument("--naive-repeat", type=int, default=1, help="runs of the (slow) naive baseline")
    ap.add_argument("--workers", type=int, default=None, help="--workers passed to consolidate")
    ap.add_argument(
        "--bad-share", type=float, default=DEFAULT_BAD_SHARE, help="share of files with one error"
    )
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes generating files")
    ap.add_argument("--no-naive", action="store_true", help="skip the (slow) naive baseline")
    ap.add_argument("--no-serial", action="store_true", help="skip consolidate --workers 1")
    ap.add_argument("--out", type=Path, default=RESULTS / "latest.json", help="results JSON")
    args = ap.parse_args(argv)
    if args.repeat < 1 or args.repeat_large < 1 or args.naive_repeat < 1 or any(n < 1 for n in args.sizes):
        ap.error("--repeat and --sizes must be positive")

    info = machine_info()
    print(
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['ram_mb']} MB RAM, Python {info['python']}; "
        + ", ".join(f"{k} {v}" for k, v in info["libraries"].items())
    )
    workers_label = f"{args.workers or os.cpu_count()} workers"
    started = time.perf_counter()
    rows: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work = Path(tmp)
        tpl_runs = []
        for k in range(args.repeat):
            outbox = Path(tempfile.mkdtemp(prefix="bench-templates-", dir=work))
            tpl_runs.append(
                measure(
                    [sys.executable, "-m", "pipeline", "templates", "--outbox", str(outbox)], work, f"tpl-{k}"
                )
            )
            shutil.rmtree(outbox, ignore_errors=True)
        templates = best_of(tpl_runs)
        print(
            f"\ntemplates (all units): {templates['wall']:.2f} s, peak RSS {templates['maxrss_mb']:.0f} MB",
            flush=True,
        )
        if templates["others_cores"] > BUSY_CORES:
            print(f"  WARNING: other processes used {templates['others_cores']:.2f} cores meanwhile")
        args.key, args.templates = prepare_templates(work / "templates", args.bad_share)
        prune_stale(args.key, args.bad_share)
        args.sample_reference = sample_reference(work) if "sample" in args.kinds else None
        plan = [("generated", n) for n in sorted(set(args.sizes)) if "generated" in args.kinds]
        plan += [("sample", n) for n in sorted(set(args.sample_sizes)) if "sample" in args.kinds]
        for kind, n in plan:
            print(f"\nbenchmarking N={n} ({kind})…", flush=True)
            rows[f"{kind}-{n}"] = bench_size(n, kind, args, work)
            print_size(rows[f"{kind}-{n}"], workers_label)

    verdicts = evaluate(rows, templates)
    print("\nTargets (issues #6, #25):")
    for v in verdicts:
        print(f"  {v['status']:<4}  {v['target']}: {v['detail']}")
    md = markdown(rows, templates, info)
    print("\nMarkdown for the README:\n")
    print(md)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    result = {
        "generated_at": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": info,
        "settings": {
            "sizes": sorted(set(args.sizes)),
            "kinds": args.kinds,
            "sample_sizes": sorted(set(args.sample_sizes)),
            "repeat": args.repeat,
            "repeat_large": args.repeat_large,
            "naive_repeat": args.naive_repeat,
            "workers": args.workers,
            "bad_share": args.bad_share,
            "generator_version": GENERATOR_VERSION,
            "cache_key": args.key,
        },
        "targets": TARGETS,
        "templates": templates,
        "sizes": rows,
        "verdicts": verdicts,
        "markdown": md,
        "bench_seconds": round(time.perf_counter() - started, 1),
    }
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\nResults written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
