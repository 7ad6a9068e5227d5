"""The layout's rules, checked on the source: one package per pipeline stage, Streamlit in one place, no import circle.

Every import counts, also one inside a function: a circle hidden that way is still a circle.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LIB = REPO / "lib"
STAGES = ("core", "ingest", "sources", "azure", "analysis", "output", "access", "ui", "cli")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def python_files(*roots: Path) -> list[Path]:
    found = []
    for root in roots:
        found += [root] if root.is_file() else sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)
    return found


def _is_module(dotted: str) -> bool:
    path = REPO.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


@cache
def imported(path: Path) -> tuple[tuple[str, int, bool], ...]:
    """Each module ``path`` imports: (dotted name, line, whether the import sits inside a function)."""
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno, in_function) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.append((candidate if _is_module(candidate) else node.module, node.lineno, in_function))
        for child in ast.iter_child_nodes(node):
            visit(child, in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef))

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return tuple(found)


def lib_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in python_files(LIB):
        name = module_name(path)
        graph[name] = {target for target, _line, _inner in imported(path) if target.startswith("lib.") and target != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle of ``graph`` (a package's ``__init__`` importing its own modules is not one), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target.startswith(node + "."):
                continue
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if state.get(target) is None:
                found = visit(target)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if state.get(start) is None:
            found = visit(start)
            if found:
                return found
    return None


def test_the_cycle_finder_finds_a_circle() -> None:
    """The check below can fail: a two-module and a three-module circle are found, a package's own modules are not one."""
    assert find_cycle({"lib.a": {"lib.b"}, "lib.b": {"lib.a"}}) == ["lib.a", "lib.b", "lib.a"]
    assert find_cycle({"lib.a": {"lib.b"}, "lib.b": {"lib.c"}, "lib.c": {"lib.a"}}) == ["lib.a", "lib.b", "lib.c", "lib.a"]
    assert find_cycle({"lib.p": {"lib.p.x"}, "lib.p.x": {"lib.q"}, "lib.q": set()}) is None


def test_no_import_circle_in_lib_counting_imports_inside_functions() -> None:
    """No module of ``lib`` reaches itself through its imports, wherever they are written."""
    assert find_cycle(lib_graph()) is None


def test_lib_imports_its_own_modules_at_the_top() -> None:
    """An import of a ``lib`` module inside a function is how circles were hidden: none is left."""
    hidden = [
        f"{path.relative_to(REPO)}:{line} {target}"
        for path in python_files(LIB, REPO / "pages", REPO / "app.py")
        for target, line, inner in imported(path)
        if inner and target.startswith("lib")
    ]
    assert hidden == []


def test_lib_is_one_package_per_stage() -> None:
    """``lib`` holds the stage packages and nothing else at its root."""
    root = sorted(p.name for p in LIB.iterdir() if p.name != "__pycache__")
    assert root == sorted(["__init__.py", *STAGES])


@pytest.mark.parametrize(("package", "allowed"), [("streamlit", ("lib/ui/", "pages/", "app.py")), ("argparse", ("lib/cli/",))])
def test_a_package_is_imported_only_where_it_belongs(package: str, allowed: tuple[str, ...]) -> None:
    """Streamlit only in the UI package, the app and its pages; argument parsing only in the command line."""
    offenders = [
        str(path.relative_to(REPO))
        for path in python_files(LIB, REPO / "pages", REPO / "app.py")
        if any(t == package or t.startswith(package + ".") for t, _line, _inner in imported(path))
        and not str(path.relative_to(REPO)).startswith(allowed)
    ]
    assert offenders == []


def test_pages_only_draw() -> None:
    """Pages reach data through the analysis, output and UI packages, never a source, the reader or Azure directly."""
    reaching = [
        f"{path.relative_to(REPO)}: {target}"
        for path in python_files(REPO / "pages")
        for target, _line, _inner in imported(path)
        if target.startswith(("lib.sources", "lib.ingest", "lib.azure"))
    ]
    assert reaching == []


def test_the_tag_prefix_is_written_once() -> None:
    """``tag:`` (a group-by or link value naming a tag key) is spelled in one place, ``lib.core.schema.TAG_PREFIX``."""
    spelled = [
        f"{path.relative_to(REPO)}:{node.lineno}"
        for path in python_files(LIB)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and node.value == "tag:"
    ]
    assert [place.split(":")[0] for place in spelled] == ["lib/core/schema.py"]
