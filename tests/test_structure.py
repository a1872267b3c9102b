"""The house as the README describes it (issue #11): no module imports itself back through
others, no package either, and the README's module list names every module there is.

The layers themselves (commands, writers, the run, its result, the checks, reading, the
form) are checked by import-linter in `make lint` (`.importlinter`); this file checks what
a layers contract does not: cycles among modules of the same layer, and the README."""

from __future__ import annotations

import configparser
import graphlib
import re
import subprocess
import sys

import grimp

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


def test_the_run_starts_light():
    """Worker processes start from the run's process before it imports pandas, pandera and
    the writers (it imports them while the workers read): importing the run imports none."""
    heavy = ("pandas", "pandera", "openpyxl", "docx", "xlsxwriter")
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys, pipeline.run.consolidate; print([m for m in {heavy!r} if m in sys.modules])",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


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
