"""The schema extension that refuses oversized documents before they run.

Tokens are counted by the parser itself (it stops at the limit); depth, aliases, directives
and cost are checked by a validation rule that sees the whole document once. A refused
document never reaches a resolver, so it runs no SQL. Every response reports the cost it
asked for, so clients can see their budget (`extensions.cost`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
    ValidationRule,
)
from graphql.language.visitor import BREAK
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
    """Depth, alias, directive, token and cost limits from the settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.requested_cost = 0

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.parse_options["max_tokens"] = self.settings.max_tokens
        context.validation_rules = (*context.validation_rules, self._rule())
        yield

    def get_results(self) -> dict[str, Any]:
        return {"cost": {"requested": self.requested_cost, "limit": self.settings.max_cost}}

    def _rule(self) -> type[ValidationRule]:
        extension = self
        settings = self.settings
        variables = self.execution_context.variables or {}
        operation_name = self.execution_context.operation_name

        class LimitsRule(ValidationRule):
            def enter_document(self, node: DocumentNode, *_args: object) -> object:
                fragments = {
                    d.name.value: d
                    for d in node.definitions
                    if isinstance(d, FragmentDefinitionNode)
                }
                schema = self.context.schema
                worst: Measures | None = None
                for operation in _chosen_operations(node, operation_name):
                    measures = measure(schema, operation, fragments, variables)
                    worst = (
                        measures
                        if worst is None
                        else Measures(
                            depth=max(worst.depth, measures.depth),
                            aliases=max(worst.aliases, measures.aliases),
                            directives=max(worst.directives, measures.directives),
                            cost=max(worst.cost, measures.cost),
                        )
                    )
                if worst is None:
                    return BREAK
                extension.requested_cost = worst.cost
                for error in _refusals(worst, settings):
                    self.report_error(error)
                return BREAK

        return LimitsRule


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
