"""Measuring a GraphQL document before it runs: depth, aliases, directives, repeated fields
and cost.

Every measure follows fragment spreads (a spread counts what its fragment contains, each
time it is spread), so a fragment cannot hide what it adds. Each fragment is measured once
and its measures reused at every spread: a chain of fragments that each spread the next twice
is 2^n spreads but n measurements, so measuring stays linear in the document's size (it runs
before validation, on documents nobody has vetted). A fragment cycle measures as empty (the
spec's own validation refuses such documents).

Cost is the most nodes a document could return, GitHub's method: a connection multiplies
what it selects by its page size (`first`/`last`, the default page size when absent), a
list with a bound of its own (`BOUNDED_LISTS`: every menu, a menu's items) by that bound,
and every other object field counts one node per parent that could return it. Cost is linear in the
number of parents, which is what lets a fragment's cost be measured once, for one parent.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from cachetools import FIFOCache
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLCompositeType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_composite_type,
)

import models
from gql.engine.variables import values_key
from gql.pagination import DEFAULT_PAGE_SIZE

BOUNDED_LISTS: dict[tuple[str, str], int] = {
    ("Query", "menus"): models.MAX_MENUS,
    ("Menu", "items"): models.MAX_MENU_ITEMS,
}
"""Lists without pages whose length has a bound: (type, field) -> the most items."""
TREES: dict[tuple[str, str], str] = {("Menu", "items"): "children"}
"""Bounded lists whose bound holds for a whole tree: (type, field) -> the field the levels
below are read through. A menu's items on all levels together are at most its bound, so
each item counts once, at the costliest level asked for, not once per level."""

Fragments = Mapping[str, FragmentDefinitionNode]


@dataclass(frozen=True)
class Measures:
    """What one operation asks for."""

    depth: int
    aliases: int
    directives: int
    cost: int
    # The most times one field is selected in one selection set (aliases, fragments and
    # inline fragments merged): 500 `__typename` in a row, or 101 aliases of one field.
    repeats: int = 0
    repeated_field: str = ""

    def worst(self, other: Measures) -> Measures:
        """Each measure, the larger of the two."""
        return Measures(
            depth=max(self.depth, other.depth),
            aliases=max(self.aliases, other.aliases),
            directives=max(self.directives, other.directives),
            cost=max(self.cost, other.cost),
            **_most_repeated(self, other),
        )


def _most_repeated(*measures: Measures) -> dict[str, Any]:
    most = max(measures, key=lambda m: m.repeats)
    return {"repeats": most.repeats, "repeated_field": most.repeated_field}


Repeat = tuple[int, str]
"""How many times a field is selected in one selection set, and its name."""


def _top_repeat(fields: Counter[str]) -> Repeat:
    if not fields:
        return (0, "")
    name, count = fields.most_common(1)[0]
    return (count, name)


@dataclass
class _Shape:
    """What a selection set holds, fragments expanded: measured once per fragment."""

    depth: int = 0
    aliases: int = 0
    directives: int = 0
    # Fields selected directly in this selection set (through inline fragments and spreads
    # too), by name: they merge into one selection set of the response.
    fields: Counter[str] = field(default_factory=Counter)
    # The most repeated field of any selection set nested below.
    nested_repeats: Repeat = (0, "")


def _is_connection(graphql_type: GraphQLCompositeType) -> bool:
    return (
        isinstance(graphql_type, GraphQLObjectType)
        and graphql_type.name.endswith("Connection")
        and {"edges", "nodes", "pageInfo"} <= set(graphql_type.fields)
    )


def _page_size(field_node: FieldNode, variables: Mapping[str, Any]) -> int:
    for argument in field_node.arguments or ():
        if argument.name.value not in ("first", "last"):
            continue
        value = argument.value
        if isinstance(value, IntValueNode):
            return max(0, int(value.value))
        if isinstance(value, VariableNode):
            given = variables.get(value.name.value)
            if isinstance(given, int) and not isinstance(given, bool):
                return max(0, given)
    return DEFAULT_PAGE_SIZE


class _Measurer:
    """Measures the selection sets of one document, each fragment once."""

    def __init__(
        self, schema: GraphQLSchema, fragments: Fragments, variables: Mapping[str, Any]
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self._shapes: dict[str, _Shape] = {}
        self._costs: dict[str, int] = {}
        self._measuring_shape: set[str] = set()
        self._measuring_cost: set[str] = set()

    # Depth, aliases, directives and repeats

    def shape(self, selection_set: SelectionSetNode | None) -> _Shape:
        """The shape of `selection_set`, fragments expanded."""
        result = _Shape()
        if selection_set is None:
            return result
        for selection in selection_set.selections:
            result.directives += len(selection.directives or ())
            if isinstance(selection, FieldNode):
                inner = self.shape(selection.selection_set)
                result.fields[selection.name.value] += 1
                # Aliasing `__typename` is free: clients add it everywhere. Selecting it
                # over and over is what `repeats` catches.
                if selection.alias is not None and selection.name.value != "__typename":
                    result.aliases += 1
                result.depth = max(result.depth, 1 + inner.depth)
                result.aliases += inner.aliases
                result.directives += inner.directives
                result.nested_repeats = max(
                    result.nested_repeats,
                    inner.nested_repeats,
                    _top_repeat(inner.fields),
                )
            else:
                inner = (
                    self.shape(selection.selection_set)
                    if isinstance(selection, InlineFragmentNode)
                    else self._fragment_shape(cast(FragmentSpreadNode, selection))
                )
                result.depth = max(result.depth, inner.depth)
                result.aliases += inner.aliases
                result.directives += inner.directives
                result.fields.update(inner.fields)
                result.nested_repeats = max(result.nested_repeats, inner.nested_repeats)
        return result

    def _fragment_shape(self, spread: FragmentSpreadNode) -> _Shape:
        name = spread.name.value
        if name in self._shapes:
            return self._shapes[name]
        fragment = self.fragments.get(name)
        if fragment is None or name in self._measuring_shape:
            return _Shape()
        self._measuring_shape.add(name)
        measured = self.shape(fragment.selection_set)
        measured.directives += len(fragment.directives or ())
        self._measuring_shape.discard(name)
        self._shapes[name] = measured
        return measured

    # Cost

    def cost(
        self,
        selection_set: SelectionSetNode | None,
        parent: GraphQLCompositeType,
        multiplier: int = 1,
    ) -> int:
        """The most nodes `selection_set` on `parent` could return, `multiplier` times over."""
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self._field_cost(selection, parent, multiplier)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                narrowed = self.schema.get_type(condition.name.value) if condition else parent
                if narrowed is not None and is_composite_type(narrowed):
                    total += self.cost(selection.selection_set, narrowed, multiplier)
            elif isinstance(selection, FragmentSpreadNode):
                total += multiplier * self._fragment_cost(selection)
        return total

    def _fragment_cost(self, spread: FragmentSpreadNode) -> int:
        """What one spread of the fragment costs under a single parent."""
        name = spread.name.value
        if name in self._costs:
            return self._costs[name]
        fragment = self.fragments.get(name)
        if fragment is None or name in self._measuring_cost:
            return 0
        narrowed = self.schema.get_type(fragment.type_condition.name.value)
        if narrowed is None or not is_composite_type(narrowed):
            return 0
        self._measuring_cost.add(name)
        measured = self.cost(fragment.selection_set, narrowed)
        self._measuring_cost.discard(name)
        self._costs[name] = measured
        return measured

    def _field_cost(
        self, field_node: FieldNode, parent: GraphQLCompositeType, multiplier: int
    ) -> int:
        if field_node.name.value.startswith("__") or not isinstance(
            parent, GraphQLObjectType | GraphQLInterfaceType
        ):
            return 0
        definition = parent.fields.get(field_node.name.value)
        if definition is None:
            return 0
        returned = get_named_type(definition.type)
        if not is_composite_type(returned):
            return 0
        if isinstance(returned, GraphQLObjectType) and _is_connection(returned):
            nodes = multiplier * _page_size(field_node, self.variables)
            return nodes + self._connection_cost(
                field_node.selection_set, returned, multiplier, nodes
            )
        key = (parent.name, field_node.name.value)
        bound = BOUNDED_LISTS.get(key)
        if bound is not None and key in TREES and field_node.selection_set is not None:
            per_item = self._tree_cost(field_node.selection_set, returned, TREES[key])
            return multiplier * bound * per_item
        if bound is not None:
            nodes = multiplier * bound
            return nodes + self.cost(field_node.selection_set, returned, nodes)
        return multiplier + self.cost(field_node.selection_set, returned, multiplier)

    def _tree_cost(
        self, selection_set: SelectionSetNode, item: GraphQLCompositeType, below: str
    ) -> int:
        """What one item of a tree costs (itself and what it selects), at the costliest of
        the levels `selection_set` asks for through the field `below`. A `below` inside a
        fragment is counted the ordinary way, one level per item (more, never less)."""
        own, deeper = 1, 0
        for selection in selection_set.selections:
            if (
                isinstance(selection, FieldNode)
                and selection.name.value == below
                and selection.selection_set is not None
            ):
                deeper = max(deeper, self._tree_cost(selection.selection_set, item, below))
            else:
                own += self.cost(SelectionSetNode(selections=(selection,)), item)
        return max(own, deeper)

    def _connection_cost(
        self,
        selection_set: SelectionSetNode | None,
        connection: GraphQLObjectType,
        connections: int,
        nodes: int,
    ) -> int:
        """Inside a connection its `nodes` and `edges { node }` are the page already counted:
        only what they select costs more. `connections` is how many of this connection the
        document could return; `nodes`, how many nodes all their pages hold."""
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if not isinstance(selection, FieldNode):
                # Fragments on a connection type are rare; count them the ordinary way.
                total += self.cost(SelectionSetNode(selections=(selection,)), connection, nodes)
                continue
            name = selection.name.value
            if name == "nodes":
                node_type = get_named_type(connection.fields["nodes"].type)
                total += self.cost(selection.selection_set, node_type, nodes)
            elif name == "edges":
                edge_type = get_named_type(connection.fields["edges"].type)
                for edge_selection in (
                    selection.selection_set.selections if selection.selection_set else ()
                ):
                    if (
                        isinstance(edge_selection, FieldNode)
                        and edge_selection.name.value == "node"
                    ):
                        node_type = get_named_type(edge_type.fields["node"].type)
                        total += self.cost(edge_selection.selection_set, node_type, nodes)
            else:
                total += self._field_cost(selection, connection, connections)
        return total


def measure(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Fragments,
    variables: Mapping[str, Any],
) -> Measures:
    """Every measure of `operation`."""
    measurer = _Measurer(schema, fragments, variables)
    shape = measurer.shape(operation.selection_set)
    root = schema.get_root_type(operation.operation)
    repeats, repeated_field = max(shape.nested_repeats, _top_repeat(shape.fields))
    return Measures(
        depth=shape.depth,
        aliases=shape.aliases,
        directives=len(operation.directives or ()) + shape.directives,
        cost=measurer.cost(operation.selection_set, root) if root else 0,
        repeats=repeats,
        repeated_field=repeated_field,
    )


# --- measures remembered ---------------------------------------------------------------


class _ReadVariables(Mapping[str, Any]):
    """The request's variables, noting which of them a measurement reads."""

    def __init__(self, variables: Mapping[str, Any]) -> None:
        self.variables = variables
        self.read: list[str] = []

    def __getitem__(self, name: str) -> Any:
        self.read.append(name)
        return self.variables[name]

    def __iter__(self) -> Iterator[str]:
        raise TypeError("a measurement reads variables by name")

    def __len__(self) -> int:
        return len(self.variables)


class MeasuredDocuments:
    """Measures of documents already measured, so a repeated document (every page view sends
    the same few) is not walked again on each request. A document's measures depend on the
    schema, the document, the operation and the values of the variables it reads (page
    sizes given as variables), so those values are part of the key. Documents come from
    Strawberry's parser cache (the same object for the same text) and are kept alive with
    their entry, so an id is never reused while remembered. The document measured longest
    ago goes first (`get` does not renew an entry; measuring it again does)."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._entries: FIFOCache[tuple[int, int, str | None], _Measured] = FIFOCache(size)

    def get(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any],
    ) -> Measures | None:
        entry = self._entries.get((id(schema), id(document), operation_name))
        if entry is None:
            return None
        values = values_key(variables, entry.names)
        return entry.measures.get(values) if values is not None else None

    def keep(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any],
        measure_now: Callable[[Mapping[str, Any]], Measures | None],
    ) -> Measures | None:
        read = _ReadVariables(variables)
        measures = measure_now(read)
        names = tuple(dict.fromkeys(read.read))
        values = values_key(variables, names)
        if measures is None or values is None:
            return measures
        key = (id(schema), id(document), operation_name)
        entry = self._entries.pop(key, None) or _Measured(schema, document, names)
        if len(entry.measures) < VALUES_PER_DOCUMENT:
            entry.measures[values] = measures
        self._entries[key] = entry  # put back last: the most recently measured
        return measures


class _Measured:
    __slots__ = ("document", "measures", "names", "schema")

    def __init__(self, schema: GraphQLSchema, document: DocumentNode, names: tuple[str, ...]):
        self.schema = schema  # kept alive with the entry: see MeasuredDocuments
        self.document = document
        self.names = names
        self.measures: dict[tuple[Any, ...], Measures] = {}


VALUES_PER_DOCUMENT = 16
"""Page sizes remembered per document: a site asks each document with a few; a client
cycling through values gets its document measured each time instead of filling memory."""
MEASURED = MeasuredDocuments()
