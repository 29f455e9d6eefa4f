"""The rooms of ARCHITECTURE.md stay true: what a contributor sees when they add a module.

Read from the source's own imports (tests/import_graph.py), so a new module in the wrong room,
an import that climbs back up the request path or an import circle fails here with the line
that made it, not in a drawing someone has to redo.
"""

from __future__ import annotations

import re

from tests import import_graph

# Imports that point back up the request path, each kept for a reason. The issue that laid
# out the rooms allows at most eight; a new one needs a line here saying why.
ALLOWED_UPWARD: dict[tuple[str, str], str] = {}

# At most this many modules directly in gql/ (the rest live in rooms).
MOST_AT_THE_TOP = 25


def test_every_module_is_on_a_floor() -> None:
    for module in import_graph.project_modules():
        import_graph.floor_of(module)  # raises, naming the module, when it is on none


def test_no_import_points_back_up_the_request_path() -> None:
    found = import_graph.upward(import_graph.edges())
    unexplained = [
        f"{e.source} (line {e.line}) imports {e.target}, a floor above it"
        for e in found
        if (e.source, e.target) not in ALLOWED_UPWARD
    ]
    assert not unexplained, "\n".join(unexplained)
    assert len(ALLOWED_UPWARD) <= 8


def test_no_import_circle_runs() -> None:
    # Type-only imports (under TYPE_CHECKING) draw no arrow: the domain types name each other
    # in annotations, which is the one circle a schema of related types needs.
    assert import_graph.circles(import_graph.edges()) == []


def test_the_top_of_gql_holds_only_the_request_s_frame() -> None:
    top = import_graph.top_of_gql()
    assert len(top) <= MOST_AT_THE_TOP, top


def test_architecture_md_names_every_module() -> None:
    # The map is only worth reading while it is whole: a module added or moved must be named
    # in ARCHITECTURE.md (by its file name), in the room it now lives in.
    text = (import_graph.ROOT / "ARCHITECTURE.md").read_text()
    unnamed = [
        str(path.relative_to(import_graph.ROOT))
        for path in import_graph.project_modules().values()
        if path.name != "__init__.py" and not re.search(rf"\b{re.escape(path.stem)}\b", text)
    ]
    assert not unnamed, f"not named in ARCHITECTURE.md: {unnamed}"
