"""The schema extension that refuses oversized documents before they run.

Tokens are counted by the parser itself (it stops at the limit). Depth, aliases, directives,
repeated fields and cost are measured right after parsing and before graphql-core's
validation: validation itself is what a field-duplication attack makes expensive (comparing
repeated fields is quadratic), so a refused document is never validated, never reaches a
resolver and runs no SQL. Every response reports the cost it asked for, so clients can see
their budget (`extensions.cost`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
)
from strawberry.extensions import SchemaExtension

from gql.engine.internals import graphql_schema_of
from gql.extensions.document_limits import MEASURED, Measures, measure
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
        schema = graphql_schema_of(context.schema)
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
