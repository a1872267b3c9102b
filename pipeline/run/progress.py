"""A run's progress on stderr: a small bar (only on a terminal) and the phase timings."""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

from ..text.safetext import for_terminal


class Progress:
    def __init__(self, total: int, label: str, stream: TextIO | None = None) -> None:
        self.total = total
        self.label = for_terminal(label)
        self.stream = stream or sys.stderr
        self.enabled = total > 0 and self.stream.isatty()
        self.done = 0
        self._last = 0.0

    def step(self, n: int = 1) -> None:
        self.done += n
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.05 and self.done < self.total:
            return
        self._last = now
        width = 30
        filled = int(width * self.done / self.total)
        bar = "█" * filled + "░" * (width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {self.done}/{self.total}")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


class Clock:
    """Phase timings, printed to stderr when PIPELINE_TIMING is set (for profiling)."""

    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()
        self.laps: list[tuple[str, float]] = []

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps.append((name, now - self.last))
        self.last = now

    def report(self) -> None:
        if os.environ.get("PIPELINE_TIMING"):
            parts = " ".join(f"{n}={t:.2f}s" for n, t in self.laps)
            sys.stderr.write(f"[timing] {parts} total={time.perf_counter() - self.start:.2f}s\n")
