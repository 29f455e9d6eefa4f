"""Measuring a GraphQL document before it runs: depth, aliases, directives and cost.

Every measure follows fragment spreads (a spread counts what its fragment contains, each
time it is spread), so a fragment cannot hide what it adds; recursion through fragment
cycles stops (the spec's own validation refuses such documents anyway).

Cost is the most nodes a document could return, GitHub's method: a connection multiplies
what it selects by its page size (`first`/`last`, the default page size when absent), and
every object field counts one node per parent that could return it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DirectiveNode,
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

from gql.pagination import DEFAULT_PAGE_SIZE

Fragments = Mapping[str, FragmentDefinitionNode]


@dataclass(frozen=True)
class Measures:
    """What one operation asks for."""

    depth: int
    aliases: int
    directives: int
    cost: int


def _fragment(node: FragmentSpreadNode, fragments: Fragments, seen: frozenset[str]) -> Any:
    name = node.name.value
    if name in seen:
        return None
    return fragments.get(name)


def depth(
    selection_set: SelectionSetNode | None, fragments: Fragments, seen: frozenset[str] = frozenset()
) -> int:
    """How deep fields nest under `selection_set` (a leaf field is depth 1)."""
    if selection_set is None:
        return 0
    deepest = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            deepest = max(deepest, 1 + depth(selection.selection_set, fragments, seen))
        elif isinstance(selection, InlineFragmentNode):
            deepest = max(deepest, depth(selection.selection_set, fragments, seen))
        elif isinstance(selection, FragmentSpreadNode):
            fragment = _fragment(selection, fragments, seen)
            if fragment is not None:
                inner = seen | {selection.name.value}
                deepest = max(deepest, depth(fragment.selection_set, fragments, inner))
    return deepest


def count_aliases(
    selection_set: SelectionSetNode | None, fragments: Fragments, seen: frozenset[str] = frozenset()
) -> int:
    """Aliased fields under `selection_set`; aliasing `__typename` is free."""
    if selection_set is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.alias is not None and selection.name.value != "__typename":
                total += 1
            total += count_aliases(selection.selection_set, fragments, seen)
        elif isinstance(selection, InlineFragmentNode):
            total += count_aliases(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = _fragment(selection, fragments, seen)
            if fragment is not None:
                inner = seen | {selection.name.value}
                total += count_aliases(fragment.selection_set, fragments, inner)
    return total


def count_directives(
    selection_set: SelectionSetNode | None, fragments: Fragments, seen: frozenset[str] = frozenset()
) -> int:
    """Directives used under `selection_set`, on fields, fragments and spreads."""
    if selection_set is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        directives: tuple[DirectiveNode, ...] = tuple(selection.directives or ())
        total += len(directives)
        if isinstance(selection, FieldNode | InlineFragmentNode):
            total += count_directives(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = _fragment(selection, fragments, seen)
            if fragment is not None:
                inner = seen | {selection.name.value}
                total += len(fragment.directives or ())
                total += count_directives(fragment.selection_set, fragments, inner)
    return total


def _is_connection(graphql_type: GraphQLCompositeType) -> bool:
    return (
        isinstance(graphql_type, GraphQLObjectType)
        and graphql_type.name.endswith("Connection")
        and {"edges", "nodes", "pageInfo"} <= set(graphql_type.fields)
    )


def _page_size(field: FieldNode, variables: Mapping[str, Any]) -> int:
    for argument in field.arguments or ():
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


def cost(
    schema: GraphQLSchema,
    selection_set: SelectionSetNode | None,
    parent: GraphQLCompositeType,
    fragments: Fragments,
    variables: Mapping[str, Any],
    multiplier: int = 1,
    seen: frozenset[str] = frozenset(),
) -> int:
    """The most nodes `selection_set` on `parent` could return, `multiplier` times over."""
    if selection_set is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            total += _field_cost(schema, selection, parent, fragments, variables, multiplier, seen)
        elif isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            narrowed = schema.get_type(condition.name.value) if condition else parent
            if narrowed is not None and is_composite_type(narrowed):
                total += cost(
                    schema,
                    selection.selection_set,
                    narrowed,
                    fragments,
                    variables,
                    multiplier,
                    seen,
                )
        elif isinstance(selection, FragmentSpreadNode):
            fragment = _fragment(selection, fragments, seen)
            if fragment is None:
                continue
            narrowed = schema.get_type(fragment.type_condition.name.value)
            if narrowed is not None and is_composite_type(narrowed):
                total += cost(
                    schema,
                    fragment.selection_set,
                    narrowed,
                    fragments,
                    variables,
                    multiplier,
                    seen | {selection.name.value},
                )
    return total


def _field_cost(
    schema: GraphQLSchema,
    field: FieldNode,
    parent: GraphQLCompositeType,
    fragments: Fragments,
    variables: Mapping[str, Any],
    multiplier: int,
    seen: frozenset[str],
) -> int:
    if field.name.value.startswith("__") or not isinstance(
        parent, GraphQLObjectType | GraphQLInterfaceType
    ):
        return 0
    definition = parent.fields.get(field.name.value)
    if definition is None:
        return 0
    returned = get_named_type(definition.type)
    if not is_composite_type(returned):
        return 0
    if isinstance(returned, GraphQLObjectType) and _is_connection(returned):
        nodes = multiplier * _page_size(field, variables)
        return nodes + _connection_cost(
            schema,
            field.selection_set,
            returned,
            fragments,
            variables,
            nodes,
            seen,
        )
    return multiplier + cost(
        schema,
        field.selection_set,
        returned,
        fragments,
        variables,
        multiplier,
        seen,
    )


def _connection_cost(
    schema: GraphQLSchema,
    selection_set: SelectionSetNode | None,
    connection: GraphQLObjectType,
    fragments: Fragments,
    variables: Mapping[str, Any],
    nodes: int,
    seen: frozenset[str],
) -> int:
    """Inside a connection its `nodes` and `edges { node }` are the page already counted:
    only what they select costs more."""
    if selection_set is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        if not isinstance(selection, FieldNode):
            # Fragments on a connection type are rare; count them the ordinary way.
            total += cost(
                schema,
                SelectionSetNode(selections=(selection,)),
                connection,
                fragments,
                variables,
                nodes,
                seen,
            )
            continue
        name = selection.name.value
        if name == "nodes":
            node_type = get_named_type(connection.fields["nodes"].type)
            total += cost(
                schema,
                selection.selection_set,
                node_type,
                fragments,
                variables,
                nodes,
                seen,
            )
        elif name == "edges":
            edge_type = get_named_type(connection.fields["edges"].type)
            for edge_selection in (
                selection.selection_set.selections if selection.selection_set else ()
            ):
                if isinstance(edge_selection, FieldNode) and edge_selection.name.value == "node":
                    node_type = get_named_type(edge_type.fields["node"].type)
                    total += cost(
                        schema,
                        edge_selection.selection_set,
                        node_type,
                        fragments,
                        variables,
                        nodes,
                        seen,
                    )
        else:
            total += _field_cost(schema, selection, connection, fragments, variables, 1, seen)
    return total


def measure(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Fragments,
    variables: Mapping[str, Any],
) -> Measures:
    """Every measure of `operation`."""
    root = schema.get_root_type(operation.operation)
    return Measures(
        depth=depth(operation.selection_set, fragments),
        aliases=count_aliases(operation.selection_set, fragments),
        directives=len(operation.directives or ())
        + count_directives(operation.selection_set, fragments),
        cost=cost(schema, operation.selection_set, root, fragments, variables) if root else 0,
    )
