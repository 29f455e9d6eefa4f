"""Plans kept across requests, for the executor's planners (see `Planner` in
gql/engine/executor.py).

A planner's plan for a level depends only on the document's selection below the level's
field and on the values of the variables that selection reads (in arguments and directives,
fragments included), so it is kept on that key: a post page's thread is planned once, not
for every page read, and a variable the plan does not read (the post's uri) shares it.
Selections with `@defer`, fragment arguments or a variable value that cannot be hashed (a
list, an input object) are planned every time. Entries keep their operation alive, so its
id and its nodes' ids are never another document's. Plans go least recently used first; the
variables a level reads go first in, first out (a lookup does not renew them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from cachetools import FIFOCache, LRUCache
from graphql import OperationDefinitionNode

from gql.engine.internals import FieldDetailsList
from gql.engine.variables import values_key, variables_below

PlanT = TypeVar("PlanT")
PLANS_KEPT = 256
"""Plans kept (one per document, field and values of the variables its selection reads)."""

Nodes = tuple[int, ...]
"""The operation's id, then the ids of the field nodes a level was selected by."""


class KeptPlans(Generic[PlanT]):
    """One planner's kept plans (see the module's doc)."""

    def __init__(self, kept: int = PLANS_KEPT) -> None:
        self.kept = kept
        self._reads: FIFOCache[Nodes, tuple[OperationDefinitionNode, tuple[str, ...] | None]]
        self._reads = FIFOCache(maxsize=kept)
        self._plans: LRUCache[tuple[Nodes, tuple[Any, ...]], tuple[Any, PlanT]]
        self._plans = LRUCache(maxsize=kept)

    def _variables_read(
        self, operation: OperationDefinitionNode, fragments: Any, details: FieldDetailsList
    ) -> tuple[Nodes, tuple[str, ...] | None]:
        nodes = (id(operation), *[id(detail.node) for detail in details])
        found = self._reads.get(nodes)
        if found is None:
            below = variables_below([detail.node for detail in details], fragments)
            found = (operation, None if below is None else tuple(sorted(below)))
            self._reads[nodes] = found
        return nodes, found[1]

    def plan(self, executor: Any, details: FieldDetailsList, build: Callable[[], PlanT]) -> PlanT:
        """`build()`'s plan for the level `details` select in `executor`'s operation, kept
        or made now."""
        if any(d.defer_usage or d.fragment_variable_values is not None for d in details):
            return build()
        operation = executor.operation
        nodes, names = self._variables_read(operation, executor.fragments, details)
        if names is None:
            return build()
        values = values_key(executor.variable_values.coerced, names)
        if values is None:  # a list or an input object: planned each time
            return build()
        key = (nodes, values)
        kept = self._plans.get(key)  # a hit is the most recently used from now on
        if kept is not None:
            return kept[1]
        plan = build()
        self._plans[key] = (operation, plan)
        return plan


__all__ = ["PLANS_KEPT", "KeptPlans"]
