"""Run one command and report its wall time and memory as JSON (used by bench.py).

    python benchmarks/_measure.py --out RESULT.json --log CHILD.log -- CMD ARG...

Each measurement runs in its own copy of this wrapper, so RUSAGE_CHILDREN covers exactly
one command (ru_maxrss of children is the maximum over every child ever waited for):

- wall: from starting the command to its exit (perf_counter), nothing else;
- maxrss_mb: the largest resident set of any single process of the command's tree
  (the command itself or a pool worker), exact, from the kernel;
- tree_peak_mb: the largest sum of resident sets of the whole tree at one moment
  (the command plus its pool workers), sampled from /proc every `--interval` seconds;
- cpu: user + system seconds of the whole tree;
- others_cores: CPU used meanwhile by everything else on the machine (other processes,
  hypervisor steal), in cores on average: above ~0.2 the figures are pessimistic.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import threading
import time
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
TICK = os.sysconf("SC_CLK_TCK")


def _machine_busy() -> float | None:
    """CPU seconds the whole machine has spent busy since boot (None without /proc/stat)."""
    try:
        with open("/proc/stat") as fh:
            v = [int(x) for x in fh.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    # user nice system idle iowait irq softirq steal: all but idle and iowait
    return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / TICK


def _own_cpu() -> float:
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def _tree_rss(root: int) -> int:
    """Bytes resident in `root` and all its descendants right now (0 if /proc is unreadable)."""
    parents: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return 0
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        # the command name may hold spaces and parentheses: fields start after the last ')'
        fields = stat[stat.rfind(b")") + 2 :].split()
        parents.setdefault(int(fields[1]), []).append(int(entry))
    total = 0
    todo = [root]
    while todo:
        pid = todo.pop()
        todo.extend(parents.get(pid, ()))
        try:
            with open(f"/proc/{pid}/statm", "rb") as fh:
                total += int(fh.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
    return total


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, required=True, help="where to write the JSON result")
    ap.add_argument("--log", type=Path, required=True, help="the command's stdout and stderr")
    ap.add_argument("--cwd", type=Path, default=None)
    ap.add_argument("--interval", type=float, default=0.05, help="seconds between /proc samples")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not cmd:
        ap.error("no command given")

    peak = 0
    stop = threading.Event()
    busy0, own0 = _machine_busy(), _own_cpu()
    with args.log.open("wb") as log:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=args.cwd)

        def sample() -> None:
            nonlocal peak
            while not stop.is_set():
                peak = max(peak, _tree_rss(proc.pid))
                stop.wait(args.interval)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        returncode = proc.wait()
        wall = time.perf_counter() - start
        stop.set()
        sampler.join()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime
    busy1, own1 = _machine_busy(), _own_cpu()
    others = None
    if busy0 is not None and busy1 is not None and wall > 0:
        others = max(0.0, (busy1 - busy0) - cpu - (own1 - own0)) / wall
    result = {
        "cmd": cmd,
        "returncode": returncode,
        "wall": wall,
        "maxrss_mb": usage.ru_maxrss / 1024,  # Linux: kilobytes
        "tree_peak_mb": peak / 2**20,
        "cpu": cpu,
        "others_cores": others,
    }
    args.out.write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
