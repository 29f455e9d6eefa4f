"""The project's own import graph, read from its source with `ast` (nothing is imported).

Used by tests/test_architecture.py to keep the rooms of ARCHITECTURE.md true, and runnable
as a script (`python -m tests.import_graph`) to print the counts the architecture issue
quotes: modules at the top of `gql/`, imports that point back up the request path, circles.

Every `import` of one of our packages is an edge, of one of three kinds:
- `runtime`: executed when the module is imported;
- `deferred`: inside a function body, executed when the function first runs (it still
  makes a circle at run time, only a hidden one);
- `typing`: under `if TYPE_CHECKING:`, never executed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("gql", "models", "threadpress")

EdgeKind = Literal["runtime", "deferred", "typing"]

# The floors of the house, from the top (what a request meets first, and the command line
# that starts it) down to the models. A module may import its own floor and any floor below;
# an import of a floor above points back up the request path. A module belongs to the
# longest prefix listed.
FLOORS: tuple[tuple[str, ...], ...] = (
    ("threadpress",),
    ("gql.app",),
    ("gql.http",),
    ("gql.schema",),
    ("gql.extensions",),
    (
        "gql.site",
        "gql.posts",
        "gql.pages",
        "gql.comments",
        "gql.authors",
        "gql.categories",
        "gql.tags",
        "gql.media",
        "gql.menus",
    ),
    ("gql.engine",),
    ("gql.publishing",),
    ("gql.context",),
    ("gql.loaders",),
    ("gql.cache",),
    ("gql.live",),
    ("gql.core", "gql.pagination"),
    ("gql.errors", "gql.settings"),
    ("gql.engine.internals",),
    ("models",),
)


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: EdgeKind
    line: int


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    """Every module of our packages but the migrations (generated, and imported by none)."""
    modules: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                modules[module_name(path)] = path
    return modules


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _is_type_checking(test: ast.expr) -> bool:
    return "TYPE_CHECKING" in ast.unparse(test)


def _imports(
    tree: ast.AST, kind: EdgeKind
) -> Iterator[tuple[ast.Import | ast.ImportFrom, EdgeKind]]:
    for child in ast.iter_child_nodes(tree):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for statement in child.body:
                yield from _imports_of(statement, "typing")
            for statement in child.orelse:
                yield from _imports_of(statement, kind)
        else:
            yield from _imports_of(child, kind)


def _imports_of(
    node: ast.AST, kind: EdgeKind
) -> Iterator[tuple[ast.Import | ast.ImportFrom, EdgeKind]]:
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        yield node, kind
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        yield from _imports(node, "deferred" if kind == "runtime" else kind)
    else:
        yield from _imports(node, kind)


def edges(modules: dict[str, Path] | None = None) -> list[Edge]:
    modules = modules if modules is not None else project_modules()
    found: set[Edge] = set()
    for source, path in modules.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        for node, kind in _imports(tree, "runtime"):
            targets: list[str | None] = []
            if isinstance(node, ast.Import):
                targets = [_resolve(alias.name, modules) for alias in node.names]
                targets = [
                    t
                    for t, a in zip(targets, node.names, strict=True)
                    if a.name.split(".")[0] in PACKAGES
                ]
            elif node.module and node.level == 0 and node.module.split(".")[0] in PACKAGES:
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    targets.append(full if full in modules else _resolve(node.module, modules))
            for target in targets:
                if target and target != source and not source.startswith(target + "."):
                    found.add(Edge(source, target, kind, node.lineno))
    return sorted(found, key=lambda e: (e.source, e.target, e.line))


def floor_of(module: str) -> int:
    """The floor of a module; a module on no floor is a mistake of the layout, not a default."""
    if module == "gql":  # the package itself: a docstring, no imports
        return len(FLOORS) - 2
    best, best_length = -1, -1
    for index, prefixes in enumerate(FLOORS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_length:
                best, best_length = index, len(prefix)
    if best < 0:
        raise LookupError(f"{module} is on no floor of tests/import_graph.py FLOORS")
    return best


def upward(found: list[Edge]) -> list[Edge]:
    """Executed imports of a floor above the importer's (type-only imports draw no arrow)."""
    return [e for e in found if e.kind != "typing" and floor_of(e.target) < floor_of(e.source)]


def circles(found: list[Edge]) -> list[list[str]]:
    """Strongly connected groups of more than one module, over the executed imports."""
    graph: dict[str, set[str]] = {}
    for e in found:
        if e.kind != "typing":
            graph.setdefault(e.source, set()).add(e.target)
            graph.setdefault(e.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:  # Tarjan's algorithm; the graph is small, recursion is fine
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def top_of_gql(modules: dict[str, Path] | None = None) -> list[str]:
    modules = modules if modules is not None else project_modules()
    return sorted(
        m
        for m in modules
        if m.count(".") == 1 and m.startswith("gql.") and modules[m].name != "__init__.py"
    )


def main() -> None:
    modules = project_modules()
    found = edges(modules)
    print(f"modules: {len(modules)}, imports: {len(found)}")
    print(f"modules at the top of gql/: {len(top_of_gql(modules))}")
    ups = upward(found)
    print(f"imports that point back up: {len(ups)}")
    for e in ups:
        print(f"  {e.source} -> {e.target} ({e.kind}, line {e.line})")
    groups = circles(found)
    print(f"runtime circles: {len(groups)}")
    for group in groups:
        print("  " + " <-> ".join(group))


if __name__ == "__main__":
    main()
