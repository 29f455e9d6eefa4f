"""Which variables a part of a GraphQL document reads, and their values as a key: the executor
keeps the conversions of arguments that read none (gql/engine/executor.py); planners keep
their plans (gql/engine/kept_plans.py) and the document limits their measures
(gql/extensions/document_limits.py) by the values of those read."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    ListValueNode,
    ObjectValueNode,
    SelectionNode,
    ValueNode,
    VariableNode,
)


def variables_in(values: Iterable[ValueNode]) -> set[str]:
    """The names of the variables `values` hold, at any depth of lists and input objects."""
    names: set[str] = set()
    pending = list(values)
    while pending:
        value = pending.pop()
        if isinstance(value, VariableNode):
            names.add(value.name.value)
        elif isinstance(value, ListValueNode):
            pending.extend(value.values)
        elif isinstance(value, ObjectValueNode):
            pending.extend(field.value for field in value.fields)
    return names


_ABSENT = object()
"""A variable not given at all (an argument left out, not null)."""


def values_key(variables: Mapping[str, Any], names: Sequence[str]) -> tuple[Any, ...] | None:
    """The values of the variables `names` as a key, each with its type (`1`, `1.0` and
    `True` are equal in Python, not as page sizes or conditions; an absent one as a marker),
    or None when one is not hashable (a list, an input object): nothing is kept for it."""
    values = tuple(
        (type(value), value) for value in (variables.get(name, _ABSENT) for name in names)
    )
    try:
        hash(values)
    except TypeError:
        return None
    return values


def variables_below(
    selections: Sequence[SelectionNode], fragments: Mapping[str, Any]
) -> set[str] | None:
    """The variables that the arguments and directives of `selections`, and everything below
    them, read (spread fragments included: graphql-core's fragment details or definitions,
    by name); None where a fragment is unknown or takes arguments of its own."""
    names: set[str] = set()
    pending = list(selections)
    seen: set[str] = set()
    while pending:
        selection = pending.pop()
        values: list[ValueNode] = [
            argument.value
            for directive in selection.directives or ()
            for argument in directive.arguments or ()
        ]
        if isinstance(selection, FieldNode):
            values.extend(argument.value for argument in selection.arguments or ())
        if isinstance(selection, FragmentSpreadNode):
            if selection.arguments:
                return None
            name = selection.name.value
            found = fragments.get(name)
            if found is None:
                return None
            if name not in seen:
                seen.add(name)
                pending.extend(getattr(found, "definition", found).selection_set.selections)
        elif isinstance(selection, FieldNode | InlineFragmentNode) and selection.selection_set:
            pending.extend(selection.selection_set.selections)
        names |= variables_in(values)
    return names


__all__ = ["values_key", "variables_below", "variables_in"]
