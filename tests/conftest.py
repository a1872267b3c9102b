"""Shared fixtures: real templates written by our generator, filled through the form JSON."""

from __future__ import annotations

import datetime as dt
import json
import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pipeline.filler import date_value, fill
from pipeline.form import Form, layout_json, load_form
from pipeline.render.template import write_template
from pipeline.samples import valid_data

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def form() -> Form:
    return load_form()


@pytest.fixture(scope="session")
def layout() -> dict[str, Any]:
    """The layout as another program sees it: the JSON printed by the CLI."""
    out = subprocess.run(
        [sys.executable, "-m", "pipeline", "form", "--json"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


@pytest.fixture(scope="session")
def template_dir(tmp_path_factory: pytest.TempPathFactory, form: Form) -> Path:
    out = tmp_path_factory.mktemp("templates")
    for unit in form.units:
        write_template(form, unit, out)
    return out


def filled_report(form: Form, work: Path, seed: int, code: str = "899") -> Path:
    """Unit `code`'s blank template written into `work` and filled by the project's filler
    with `samples.valid_data` of `seed`: `work/<code>.xlsx`, a file as a unit sends it."""
    template = write_template(form, form.units_by_code[code], work)
    layout = layout_json(form)
    out = work / f"{code}.xlsx"
    fill(template, out, layout, code, valid_data(form, code, random.Random(seed), layout))
    return out


def template_for(template_dir: Path, form: Form, code: str) -> Path:
    from pipeline.text.names import template_name

    unit = form.units_by_code[code]
    return template_dir / template_name(form.year, unit.code, unit.name)


@pytest.fixture
def make_file(
    template_dir: Path, form: Form, layout: dict[str, Any], tmp_path: Path
) -> Callable[..., tuple[Path, dict[str, Any]]]:
    """make_file(code, mutate=None, name=None, seed=0, folder=None) -> (path, data).

    Fills the unit's template with random valid figures (seeded), after `mutate(data)`.
    """

    def _make(
        code: str,
        mutate: Callable[[dict[str, Any]], None] | None = None,
        name: str | None = None,
        seed: int = 0,
        folder: Path | None = None,
    ) -> tuple[Path, dict[str, Any]]:
        data = valid_data(form, code, random.Random(f"{code}-{seed}"), layout)
        if mutate:
            mutate(data)
        out = (folder or tmp_path / "inbox") / (name or f"{code}.xlsx")
        fill(template_for(template_dir, form, code), out, layout, code, data)
        return out, data

    return _make


def report_day(form: Form, day: int = 20) -> dt.datetime:
    return date_value(dt.date(form.year, 11, day))
