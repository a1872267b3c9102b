"""The house as the README describes it (issue #11): no module imports itself back through
others, no package either, and the README's module list names every module there is.

The layers themselves (commands, writers, the run, its result, the checks, reading, the
form) are checked by import-linter in `make lint` (`.importlinter`); this file checks what
a layers contract does not: cycles among modules of the same layer, and the README."""

from __future__ import annotations

import configparser
import graphlib
import os
import re
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

from .conftest import ROOT

PACKAGE = ROOT / "pipeline"


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The members of some cycle of `edges`, sorted ([] when there is none): what
    graphlib's topological sort reports (its CycleError carries one cycle)."""
    sorter = graphlib.TopologicalSorter({node: set(after) for node, after in edges.items()})
    try:
        sorter.prepare()
    except graphlib.CycleError as exc:
        return [sorted(set(exc.args[1]))]
    return []


def _imports(granularity: int) -> dict[str, set[str]]:
    """pipeline's imports between modules cut to their first `granularity` name parts
    (2: 'pipeline.render' stands for every module of that package)."""
    graph = grimp.build_graph("pipeline", include_external_packages=False)
    edges: dict[str, set[str]] = {}
    for module in graph.modules:
        src = ".".join(module.split(".")[:granularity])
        for imported in graph.find_modules_directly_imported_by(module):
            dst = ".".join(imported.split(".")[:granularity])
            if dst != src:
                edges.setdefault(src, set()).add(dst)
    return edges


def test_no_module_imports_itself_back():
    assert _cycles(_imports(granularity=9)) == []


def test_no_package_imports_itself_back():
    """A package (form/, render/, mail/) counts as one room: none both imports a module
    and is imported by it."""
    assert _cycles(_imports(granularity=2)) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": {"c"}, "d": {"a"}}) == []


def _contract_layers() -> list[str]:
    parser = configparser.ConfigParser()
    parser.read(ROOT / ".importlinter", encoding="utf-8")
    text = parser["importlinter:contract:layers"]["layers"]
    return [name.strip() for line in text.splitlines() for name in line.split("|") if name.strip()]


def test_the_layer_contract_names_every_module():
    """Every module of the package is in a package or module the layer contract names, so
    import-linter checks where each one may import from."""
    named = _contract_layers()
    modules = {
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in PACKAGE.rglob("*.py")
    } - {"pipeline"}
    unnamed = sorted(m for m in modules if not any(m == n or m.startswith(n + ".") for n in named))
    assert unnamed == []
    assert len(named) == len(set(named))


def _readme_block() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("pipeline/          the package")
    return text[start : text.index("\nschemas/", start)]


def test_readme_module_list_matches_the_tree():
    block = _readme_block()
    named = set(re.findall(r"\b([a-z_0-9]+\.py)\b", block))
    folders = set(re.findall(r"^\s+([a-z_]+)/", block, flags=re.MULTILINE))
    modules = {p.name for p in PACKAGE.rglob("*.py")} - {"__init__.py", "__main__.py"}
    packages = {p.parent.name for p in PACKAGE.rglob("__init__.py")} - {"pipeline"}
    assert sorted(modules - named) == [], "modules the README does not list"
    assert sorted(named - modules) == [], "modules the README lists that do not exist"
    assert sorted(packages - folders) == [], "packages the README does not list"
    assert sorted(folders - packages) == [], "folders the README lists that are not packages"


HEAVY = ("pandas", "pandera", "openpyxl", "docx", "xlsxwriter")
"""What neither a reading worker nor the process that starts it may have imported."""

# The modules a run's process has imported when it starts its reading workers: the command
# line, the `consolidate` command's light half and the reading (a spawned worker imports
# the last and `read.worker`, where its entry point is).
LIGHT = ("pipeline.cli", "pipeline.commands.consolidate", "pipeline.run.reading", "pipeline.read.worker")


def _python(code: str, system: str | None = None) -> str:
    env = {**os.environ, "PIPELINE_SYSTEM": system} if system else None
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize("module", LIGHT)
def test_the_run_starts_light(module):
    """Worker processes start from the run's process before it imports pandas, pandera and
    the writers (it imports them while the workers read): importing what the run has
    imported by then imports none."""
    assert _python(f"import sys, {module}; print([m for m in {HEAVY!r} if m in sys.modules])") == "[]"


def test_templates_are_written_without_the_run_s_libraries():
    """Writing templates needs xlsxwriter alone: the live checks take the rules the run checks
    (`check.arrival`, `check.plausible`, `rules.bind`) without their pandas and pandera half
    (`check.validate`, `check.stacks`): 0.7 s of the `templates` command's 3 s was importing
    them."""
    heavy = [m for m in HEAVY if m != "xlsxwriter"]
    code = f"import sys, pipeline.cli, pipeline.commands.templates; print([m for m in {heavy!r} if m in sys.modules])"
    assert _python(code) == "[]"


def test_the_light_check_sees_a_heavy_import():
    """The check above can fail: the run's heavy half imports what it must not."""
    out = _python(f"import sys, pipeline.run.consolidate; print([m for m in {HEAVY!r} if m in sys.modules])")
    assert "pandas" in out and "pandera" in out


WORKER_PROBE = """
from pathlib import Path
import pipeline.cli, pipeline.commands.consolidate  # what the command has imported by then
from pipeline.form import load_form
from pipeline.read.worker import parse_chunk
from pipeline.run.reading import submissions
from pipeline.run.workers import pool
from pipeline.system import impl

form = load_form()
sample = sorted(Path("examples/inbox").glob("*.xlsx"))[0]
chunk = [(sub, 0) for sub in submissions(form, [(sample, sample.name)])]
workers = pool(1, form)
parsed = workers.submit(parse_chunk, chunk).result()
print(impl.pool_context().get_start_method())
print(parsed[0].unit_code)
print(workers.submit(eval, "[m for m in HEAVY if m in __import__('sys').modules]").result())
workers.shutdown()
""".replace("HEAVY", repr(HEAVY))


@pytest.mark.parametrize(("system", "method"), [("linux", "fork"), ("portable", "spawn")])
def test_a_reading_worker_holds_nothing_heavy(system, method):
    """A real reading worker, started the system's way (fork: a copy of the command's
    process as it starts the reading; spawn: a new Python importing the worker's entry
    point), parses a sample file without pandas, pandera or a writer in its modules."""
    lines = _python(WORKER_PROBE, system).splitlines()
    assert lines[0] == method
    assert lines[1].isdigit(), lines  # the sample's unit code: the worker did read it
    assert lines[2] == "[]", lines


def _local_imports(package: Path = PACKAGE) -> list[tuple[str, int, bool]]:
    """(module file, line, commented) of every import of the package made inside a
    function: `import pipeline...`, `from . import ...`, `from pipeline... import ...` and
    `import_module(...)` calls. `commented` is a comment on its line or the line above."""
    import ast

    found = []
    for path in sorted(package.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for fn in ast.walk(ast.parse(text)):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(fn):
                own = (
                    isinstance(node, ast.ImportFrom)
                    and (node.level > 0 or (node.module or "").split(".")[0] == "pipeline")
                    or isinstance(node, ast.Import)
                    and any(a.name.split(".")[0] == "pipeline" for a in node.names)
                    or isinstance(node, ast.Call)
                    and ast.unparse(node.func).split(".")[-1] in ("import_module", "__import__")
                )
                if own:
                    near = lines[node.lineno - 1] + (lines[node.lineno - 2] if node.lineno > 1 else "")
                    found.append((str(path.relative_to(package.parent)), node.lineno, "#" in near))
    return found


def test_modules_import_at_their_top():
    """The run starts light because of where things are: at most 3 imports of the package
    are made inside functions (the command line's one import of the chosen command, the
    `consolidate` command's heavy half, the package's public names), each saying why."""
    found = _local_imports()
    assert len(found) <= 3, found
    assert [f for f in found if not f[2]] == [], "function-local imports without a comment"


def test_the_local_import_count_sees_each_kind(tmp_path):
    folder = tmp_path / "pipeline"
    folder.mkdir()
    (folder / "m.py").write_text(
        "import json\n"
        "from . import top\n"
        "def f():\n"
        "    import json\n"
        "    from . import a\n"
        "    # why\n"
        "    from pipeline.b import c\n"
        "    import pipeline.d\n"
        "    return import_module('.e', 'pipeline')  # why\n",
        encoding="utf-8",
    )
    assert _local_imports(folder) == [
        ("pipeline/m.py", 5, False),
        ("pipeline/m.py", 7, True),
        ("pipeline/m.py", 8, False),
        ("pipeline/m.py", 9, True),
    ]


def _dataclass_fields(path) -> list[tuple[str, str, str | None]]:
    """(class, field, its attribute docstring or None) of every dataclass declared in `path`."""
    import ast

    out = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if not isinstance(node, ast.ClassDef) or not any(
            "dataclass" in ast.unparse(d) for d in node.decorator_list
        ):
            continue
        body = node.body
        for i, stmt in enumerate(body):
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                nxt = body[i + 1] if i + 1 < len(body) else None
                doc = (
                    nxt.value.value
                    if isinstance(nxt, ast.Expr) and isinstance(nxt.value, ast.Constant)
                    else None
                )
                out.append((node.name, stmt.target.id, doc if isinstance(doc, str) else None))
    return out


def test_the_forms_fields_are_documented_where_declared():
    """What a configuration author meets first: every field of the form's dataclasses has a
    docstring under it, and in model.py names its TOML key (`key`) or says it is not configured."""
    model = _dataclass_fields(PACKAGE / "form" / "model.py")
    grid = _dataclass_fields(PACKAGE / "form" / "grid.py")
    assert len(model) > 60 and len(grid) > 10
    bare = [f"{c}.{f}" for c, f, doc in model + grid if not doc]
    assert not bare, f"fields without a docstring: {bare}"
    unlinked = [f"{c}.{f}" for c, f, doc in model if "`" not in doc and not doc.startswith("Not configured")]
    assert not unlinked, f"fields that name no TOML key: {unlinked}"


def test_every_command_has_a_handler_module():
    """The command line imports its handler by name (`cli._COMMANDS`): every command of the
    parser names a module of the package that has `command(form, args)`."""
    import argparse
    import importlib

    from pipeline import cli

    sub = next(a for a in cli.build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert sorted(sub.choices) == sorted(cli._COMMANDS)
    for name, module in cli._COMMANDS.items():
        assert callable(importlib.import_module(f"pipeline.{module}").command), name
