"""The schema extension that refuses oversized documents before they run.

Tokens are counted by the parser itself (it stops at the limit). Depth, aliases, directives,
repeated fields and cost are measured right after parsing and before graphql-core's
validation: validation itself is what a field-duplication attack makes expensive (comparing
repeated fields is quadratic), so a refused document is never validated, never reaches a
resolver and runs no SQL. Every response reports the cost it asked for, so clients can see
their budget (`extensions.cost`).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
)
from strawberry.extensions import SchemaExtension

from gql.document_limits import Measures, measure
from gql.settings import Settings


def _chosen_operations(
    document: DocumentNode, operation_name: str | None
) -> list[OperationDefinitionNode]:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        return operations
    return [op for op in operations if op.name is not None and op.name.value == operation_name]


class DocumentLimits(SchemaExtension):
    """Depth, alias, directive, repeat, token and cost limits from the settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.requested_cost = 0

    def on_operation(self) -> Iterator[None]:
        self.execution_context.parse_options["max_tokens"] = self.settings.max_tokens
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.pre_execution_errors is None:
            worst = self._measure(document)
            if worst is not None:
                self.requested_cost = worst.cost
                refusals = _refusals(worst, self.settings)
                if refusals:
                    # Strawberry skips validation when errors are already there.
                    context.pre_execution_errors = refusals
        yield

    def get_results(self) -> dict[str, Any]:
        return {"cost": {"requested": self.requested_cost, "limit": self.settings.max_cost}}

    def _measure(self, document: DocumentNode) -> Measures | None:
        context = self.execution_context
        schema = context.schema._schema
        variables = context.variables or {}
        return MEASURED.get(schema, document, context.operation_name, variables) or MEASURED.keep(
            schema,
            document,
            context.operation_name,
            variables,
            lambda read: self._measure_now(schema, document, context.operation_name, read),
        )

    @staticmethod
    def _measure_now(
        schema: GraphQLSchema,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any],
    ) -> Measures | None:
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        worst: Measures | None = None
        for operation in _chosen_operations(document, operation_name):
            measures = measure(schema, operation, fragments, variables)
            worst = measures if worst is None else worst.worst(measures)
        return worst


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
    their entry, so an id is never reused while remembered."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[int, int, str | None], _Measured] = OrderedDict()

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
        values = _values(variables, entry.names)
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
        values = _values(variables, names)
        if measures is None or values is None:
            return measures
        key = (id(schema), id(document), operation_name)
        entry = self._entries.pop(key, None) or _Measured(schema, document, names)
        if len(entry.measures) < self.size:
            entry.measures[values] = measures
        self._entries[key] = entry
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return measures


class _Measured:
    __slots__ = ("document", "measures", "names", "schema")

    def __init__(self, schema: GraphQLSchema, document: DocumentNode, names: tuple[str, ...]):
        self.schema = schema  # kept alive with the entry: see MeasuredDocuments
        self.document = document
        self.names = names
        self.measures: dict[tuple[Any, ...], Measures] = {}


def _values(variables: Mapping[str, Any], names: tuple[str, ...]) -> tuple[Any, ...] | None:
    """The values of `names` with their types (`1`, `1.0` and `True` are equal keys, not
    equal page sizes; absent ones as a marker), or None when one is not hashable."""
    values = tuple(
        (type(value), value) for value in (variables.get(name, _ABSENT) for name in names)
    )
    try:
        hash(values)
    except TypeError:
        return None
    return values


_ABSENT = object()
MEASURED = MeasuredDocuments()


def _refusals(measures: Measures, settings: Settings) -> list[GraphQLError]:
    errors: list[GraphQLError] = []
    depth_limit = settings.query_depth_limit
    if measures.depth > depth_limit:
        errors.append(
            GraphQLError(
                f"The query is {measures.depth} levels deep; at most {depth_limit} are allowed. "
                "Read deep comment threads with `commentThread`.",
                extensions={
                    "code": "QUERY_TOO_DEEP",
                    "depth": measures.depth,
                    "limit": depth_limit,
                },
            )
        )
    if measures.aliases > settings.max_aliases:
        errors.append(
            GraphQLError(
                f"The query uses {measures.aliases} aliases; at most {settings.max_aliases} "
                "are allowed.",
                extensions={"code": "TOO_MANY_ALIASES", "limit": settings.max_aliases},
            )
        )
    if measures.directives > settings.max_directives:
        errors.append(
            GraphQLError(
                f"The query uses {measures.directives} directives; at most "
                f"{settings.max_directives} are allowed.",
                extensions={"code": "TOO_MANY_DIRECTIVES", "limit": settings.max_directives},
            )
        )
    if measures.repeats > settings.max_field_repeats:
        errors.append(
            GraphQLError(
                f"The query selects `{measures.repeated_field}` {measures.repeats} times in one "
                f"selection set; at most {settings.max_field_repeats} are allowed.",
                extensions={"code": "QUERY_TOO_COMPLEX", "limit": settings.max_field_repeats},
            )
        )
    if measures.cost > settings.max_cost:
        errors.append(
            GraphQLError(
                f"The query could return {measures.cost} nodes; the budget is "
                f"{settings.max_cost}. Ask for smaller pages (`first`/`last`).",
                extensions={
                    "code": "QUERY_TOO_COMPLEX",
                    "cost": {"requested": measures.cost, "limit": settings.max_cost},
                },
            )
        )
    return errors
