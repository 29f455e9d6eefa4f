"""The one `strawberry.Schema` of Threadpress and its error policy."""

from __future__ import annotations

import logging
import uuid

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from gql.authors.queries import AuthorQueries
from gql.categories.queries import CategoryQueries
from gql.comments.mutations import CommentMutations
from gql.comments.queries import CommentQueries
from gql.node_query import NodeQueries
from gql.posts.queries import PostQueries
from gql.request_log import OperationNameRecorder

logger = logging.getLogger("threadpress.errors")

INTERNAL_ERROR_MESSAGE = "Internal server error"

Query = merge_types(
    "Query",
    (NodeQueries, PostQueries, AuthorQueries, CategoryQueries, CommentQueries),
)
Query.__strawberry_definition__.description = (  # type: ignore[attr-defined]
    "The public read API: published posts, their authors and categories, and approved comments."
)

Mutation = merge_types("Mutation", (CommentMutations,))
Mutation.__strawberry_definition__.description = (  # type: ignore[attr-defined]
    "Writes. Problems with a mutation's input come back as `errors` in its payload."
)


def is_unexpected(error: GraphQLError) -> bool:
    """An error the client did not cause: a bug or an outage, never shown as is."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


class ErrorPolicy(MaskErrors):
    """Masks unexpected exceptions behind an error id that the server log repeats with the
    stack trace; keeps the client's own mistakes readable and gives every error a code."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=is_unexpected, error_message=INTERNAL_ERROR_MESSAGE)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        error_id = uuid.uuid4().hex
        original = error.original_error
        logger.error(
            "errorId=%s unexpected error at %s",
            error_id,
            ".".join(str(p) for p in error.path or ()),
            exc_info=(type(original), original, original.__traceback__) if original else None,
        )
        return GraphQLError(
            message=self.error_message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": "INTERNAL_SERVER_ERROR", "errorId": error_id},
        )

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return [_with_code(error) for error in super()._process_errors(errors)]


def _with_code(error: GraphQLError) -> GraphQLError:
    if error.extensions and "code" in error.extensions:
        return error
    if error.message.startswith("Syntax Error"):
        code = "GRAPHQL_PARSE_FAILED"
    elif error.path is None:
        code = "GRAPHQL_VALIDATION_FAILED"
    else:
        code = "BAD_USER_INPUT"
    return GraphQLError(
        message=error.message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions={**(error.extensions or {}), "code": code},
    )


class ThreadpressSchema(strawberry.Schema):
    """Logging of errors happens once, in `ErrorPolicy`, for the unexpected ones only: the
    client's own mistakes are not server errors."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        return None


def build_schema() -> strawberry.Schema:
    """The schema with its extensions."""
    return ThreadpressSchema(
        query=Query, mutation=Mutation, extensions=[ErrorPolicy, OperationNameRecorder]
    )


schema = build_schema()


def schema_sdl() -> str:
    """The schema as SDL, as committed in `schema.graphql`."""
    return schema.as_str() + "\n"


__all__ = ["schema", "schema_sdl"]
