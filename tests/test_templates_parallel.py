"""The templates command shares the units out to worker processes (`render.template.
write_templates`, from PARALLEL_FROM units): what the workers write is what one process
writes, in the registry's order, started the Linux way (fork) and the Windows way (spawn)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.render.template import PARALLEL_FROM, write_templates
from pipeline.system import impl


def _written(paths: list[Path]) -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for p in paths]


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_templates_written_by_workers_are_those_written_alone(form, tmp_path, monkeypatch, start):
    assert len(form.units) >= PARALLEL_FROM  # the registry is shared out
    if start == "spawn":  # as on Windows and macOS (`system.portable.pool_context`)
        import multiprocessing

        monkeypatch.setattr(impl, "pool_context", lambda: multiprocessing.get_context("spawn"))
    alone = write_templates(form, tmp_path / "alone", workers=1)
    shared = write_templates(form, tmp_path / "shared", workers=3)
    assert [p.parent for p in shared] == [tmp_path / "shared"] * len(form.units)
    assert _written(shared) == _written(alone)
    assert sorted(p.name for p in (tmp_path / "shared").iterdir()) == sorted(p.name for p in alone)
