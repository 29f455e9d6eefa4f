"""The one `strawberry.Schema` of Threadpress and its error policy."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode
from strawberry.extensions import DisableIntrospection, ParserCache
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from gql.authors.mutations import AuthorMutations
from gql.authors.queries import AuthorQueries
from gql.cache.replica import ReplicaRouting
from gql.cache.response_cache import OnlyQueriesAreShared
from gql.categories.mutations import CategoryMutations
from gql.categories.queries import CategoryQueries
from gql.comments.mutations import CommentMutations
from gql.comments.privacy_mutations import PrivacyMutations
from gql.comments.queries import CommentQueries
from gql.comments.queue import ModerationQueries
from gql.comments.subscriptions import CommentSubscriptions
from gql.comments.thread_plan import plan_comment_connections
from gql.core.dataloader import LoaderWorkEndsWithTheOperation
from gql.core.request_id import current_request_id
from gql.engine.executor import BatchedExecutionContext
from gql.engine.graphql_core_fixes import install as install_graphql_core_fixes
from gql.engine.internals import (
    CustomisedSchema,
    MaskErrorsThen,
    StreamResult,
    describe_type,
    graphql_schema_of,
    provided_operation_name,
)
from gql.extensions.hooks import ExtensionsRunner
from gql.extensions.limits import DocumentLimits
from gql.extensions.operation_connection import OneConnectionPerQuery
from gql.extensions.operation_names import OperationNameRecorder
from gql.extensions.validation_cache import DocumentValidationCache
from gql.extensions.validation_messages import SUGGESTION, private_message
from gql.media.mutations import MediaMutations
from gql.media.queries import MediaQueries
from gql.menus.mutations import MenuMutations
from gql.menus.queries import MenuQueries
from gql.pages.mutations import PageMutations
from gql.pages.queries import PageQueries
from gql.posts.mutations import PostMutations
from gql.posts.queries import PostQueries
from gql.settings import Settings
from gql.site.addresses import AddressQueries
from gql.site.changes_feed import FeedQueries
from gql.site.node_field import NodeQueries
from gql.site.previews import PreviewMutations
from gql.site.viewer import ViewerQueries
from gql.tags.mutations import TagMutations
from gql.tags.queries import TagQueries
from models.config import is_postgres

logger = logging.getLogger("threadpress.errors")

install_graphql_core_fixes()  # both execution paths run graphql-core with its fix

DEFAULT_SETTINGS = Settings(database_url="")

INTERNAL_ERROR_MESSAGE = "Internal server error"

Query = merge_types(
    "Query",
    (
        NodeQueries,
        PostQueries,
        PageQueries,
        AuthorQueries,
        CategoryQueries,
        TagQueries,
        MediaQueries,
        MenuQueries,
        CommentQueries,
        ViewerQueries,
        ModerationQueries,
        FeedQueries,
        AddressQueries,
    ),
)
describe_type(
    Query,
    "The public read API: published posts and pages, their authors and categories, and "
    "approved comments.",
)

Mutation = merge_types(
    "Mutation",
    (
        CommentMutations,
        PrivacyMutations,
        PostMutations,
        PageMutations,
        CategoryMutations,
        TagMutations,
        AuthorMutations,
        MediaMutations,
        PreviewMutations,
        MenuMutations,
    ),
)
describe_type(
    Mutation, "Writes. Problems with a mutation's input come back as `errors` in its payload."
)


Subscription = merge_types("Subscription", (CommentSubscriptions,))
describe_type(
    Subscription,
    "Live updates, over WebSocket (graphql-transport-ws) or Server-Sent Events (graphql-sse).",
)


def is_unexpected(error: GraphQLError) -> bool:
    """An error the client did not cause: a bug or an outage, never shown as is."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


class ThreadpressExecution(BatchedExecutionContext):
    """The level-by-level executor, with comment threads answered from their rows
    (gql/comments/thread_plan.py)."""

    planners = {"CommentConnection": plan_comment_connections}


class ErrorPolicy(MaskErrorsThen):
    """Masks unexpected exceptions behind an error id that the server log repeats with the
    stack trace; keeps the client's own mistakes readable and gives every error a code."""

    def __init__(self, *, production: bool = False) -> None:
        super().__init__(should_mask_error=is_unexpected, error_message=INTERNAL_ERROR_MESSAGE)
        self.production = production

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        error_id = uuid.uuid4().hex
        original = error.original_error
        logger.error(
            "errorId=%s unexpected error at %s",
            error_id,
            ".".join(str(p) for p in error.path or ()),
            exc_info=(type(original), original, original.__traceback__) if original else None,
            # Joins this line to the request's access line (and the proxy's).
            extra={"request_id": current_request_id(), "fields": {"errorId": error_id}},
        )
        return GraphQLError(
            message=self.error_message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": "INTERNAL_SERVER_ERROR", "errorId": error_id},
        )

    def after_masking(self, processed: list[GraphQLError]) -> list[GraphQLError]:
        if not self.production:
            return [_with_code(error) for error in processed]
        return _merged([_with_code(self._private(error)) for error in processed])

    def _private(self, error: GraphQLError) -> GraphQLError:
        """In production, a validation or coercion message names only what the client
        wrote (`gql.extensions.validation_messages`). Our own refusals carry a code already, and a
        syntax error only quotes the document."""
        if (
            error.path is not None
            or (error.extensions and "code" in error.extensions)
            or error.message.startswith("Syntax Error")
        ):
            return error
        context = self.execution_context
        message = private_message(
            error.message, graphql_schema_of(context.schema), context.query, context.variables
        )
        if message == error.message:
            return error
        return _rewritten(error, message, error.extensions)


def _merged(errors: list[GraphQLError]) -> list[GraphQLError]:
    """Errors found before execution, each said once with all its locations: a document
    that repeats one mistake (`@aa@aa@aa...`, graphql-cop's directive-overloading probe)
    gets one error, not an answer that grows with the document."""
    merged: list[GraphQLError] = []
    seen: dict[str, int] = {}
    for error in errors:
        if error.path is not None or not error.nodes:
            merged.append(error)
            continue
        key = repr((error.message, sorted((error.extensions or {}).items())))
        if key not in seen:
            seen[key] = len(merged)
            merged.append(error)
            continue
        first = merged[seen[key]]
        merged[seen[key]] = GraphQLError(
            message=first.message,
            nodes=[*(first.nodes or ()), *error.nodes],
            original_error=first.original_error,
            extensions=first.extensions,
        )
    return merged


def _with_code(error: GraphQLError) -> GraphQLError:
    """Every error gets a code, and no message suggests names ("Did you mean ...?"): the
    schema is not to be discovered by guessing."""
    message = SUGGESTION.sub("", error.message)
    if error.extensions and "code" in error.extensions and message == error.message:
        return error
    if error.extensions and "code" in error.extensions:
        code = str(error.extensions["code"])
    elif message.startswith("Syntax Error: Document contains more than"):
        code = "TOO_MANY_TOKENS"
    elif message == "Validation aborted.":
        # graphql-core's budget for comparing repeated fields ran out (a field-duplication
        # attack): the document is too costly even to validate.
        message = "The query repeats fields too often to be validated."
        code = "QUERY_TOO_COMPLEX"
    elif message.startswith("Syntax Error"):
        code = "GRAPHQL_PARSE_FAILED"
    elif error.path is None:
        code = "GRAPHQL_VALIDATION_FAILED"
    else:
        code = "BAD_USER_INPUT"
    return _rewritten(error, message, {**(error.extensions or {}), "code": code})


def _rewritten(
    error: GraphQLError, message: str, extensions: dict[str, Any] | None
) -> GraphQLError:
    """`error` with another message and extensions; where it points, unchanged."""
    return GraphQLError(
        message=message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions=extensions,
    )


class NamedOperationContext(ExecutionContext):
    """Strawberry's execution context, without its guess at the operation to run.

    With no `operationName`, Strawberry names the document's first operation and hands that
    name to graphql-core, which then runs it even when the document has several. The spec
    (GetOperation) makes that a request error: graphql-core raises it when it is given no
    name. So the name is the one sent, or that of a document's only operation."""

    @property
    def operation_name(self) -> str | None:
        provided = provided_operation_name(self)
        if provided is not None or self.graphql_document is None:
            return provided
        operations = [
            definition
            for definition in self.graphql_document.definitions
            if isinstance(definition, OperationDefinitionNode)
        ]
        if len(operations) != 1 or operations[0].name is None:
            return None
        return operations[0].name.value


def _server_failure(
    code: str, client_message: str, log_message: str, *args: object, traceback: bool
) -> ExecutionResult:
    """An operation the server could not finish (its time limit, a failure of its own): no
    data, one error with `code` and an error id, which the log line repeats."""
    error_id = uuid.uuid4().hex
    logger.error(
        "errorId=%s " + log_message,
        error_id,
        *args,
        exc_info=traceback,
        extra={"request_id": current_request_id(), "fields": {"errorId": error_id}},
    )
    return ExecutionResult(
        data=None,
        errors=[GraphQLError(client_message, extensions={"code": code, "errorId": error_id})],
    )


class ThreadpressSchema(CustomisedSchema):
    """The schema, with a time limit on every operation. Logging of errors happens once, in
    `ErrorPolicy`, for the unexpected ones only: the client's own mistakes are not server
    errors."""

    operation_timeout: float = DEFAULT_SETTINGS.operation_timeout_seconds
    execution_context_type = NamedOperationContext  # the same fields; one property differs
    extensions_runner_type = ExtensionsRunner

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        return None

    async def execute(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        # One result, never a stream: a subscription sent as a plain request is refused
        # (Strawberry allows one over POST and GET, and then fails inside the resolver's
        # stream); the view answers it 406, naming the transports that do stream.
        allowed = kwargs.get("allowed_operation_types")
        if allowed is not None:
            kwargs["allowed_operation_types"] = set(allowed) - {OperationType.SUBSCRIPTION}
        with self.runner_of_this_operation():
            return await self._execute_in_time(*args, **kwargs)

    async def _execute_in_time(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        """Strawberry's execution within the time limit; a timeout or a `CancelledError` of
        its own is answered as a server failure. Every answer reports its cost, these too:
        Strawberry adds its extensions' results when the operation ends, which one cut short
        never does."""
        try:
            async with asyncio.timeout(self.operation_timeout):
                return await super().execute(*args, **kwargs)
        except TimeoutError:
            # Cancelled: every write runs in a transaction, which the cancellation rolled back.
            failure = _server_failure(
                "TIMEOUT",
                "The operation took too long and was cancelled.",
                "operation %r cancelled after %.3f s",
                kwargs.get("operation_name"),
                self.operation_timeout,
                traceback=False,
            )
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is None or task.cancelling():
                raise  # this request is being cancelled (the server stops, the client left)
            # Raised where nothing cancelled this request: something it awaited was
            # cancelled under it. graphql-core lets it through (it catches `Exception`);
            # the client gets a masked error, never a failed response.
            failure = _server_failure(
                "INTERNAL_SERVER_ERROR",
                INTERNAL_ERROR_MESSAGE,
                "operation %r failed: a CancelledError nothing asked for",
                kwargs.get("operation_name"),
                traceback=True,
            )
        failure.extensions = await self.extensions_reported_so_far()
        return failure

    async def stream(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        operation_extensions: dict[str, Any] | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
    ) -> StreamResult:
        # The streaming transports (WebSocket, event stream) run subscriptions only. Queries
        # and mutations go over plain HTTP, where the CSRF check, the body limit, the time
        # limit, the response cache and persisted queries apply.
        return await super().stream(
            query,
            variable_values=variable_values,
            context_value=context_value,
            root_value=root_value,
            operation_name=operation_name,
            operation_extensions=operation_extensions,
            allowed_operation_types=(OperationType.SUBSCRIPTION,),
        )


DOCUMENT_CACHE_SIZE = 512
"""Distinct documents whose parse and validation are kept (a site's clients send a few)."""


class ErrorReportingParserCache(ParserCache):
    """Strawberry's parser cache, whose parse errors would escape the error policy (they are
    raised by the extension, outside Strawberry's own handling): a document that does not
    parse is left to Strawberry, which parses it again and reports the error as usual."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if isinstance(context.query, str):
            try:
                context.graphql_document = self.cached_parse_document(
                    context.query, **context.parse_options
                )
            except GraphQLError:
                context.graphql_document = None
        yield


def build_schema(settings: Settings = DEFAULT_SETTINGS) -> ThreadpressSchema:
    """The schema with the limits and policies of `settings`."""
    production = settings.is_production
    extensions: list[Any] = [
        lambda: ErrorPolicy(production=production),
        OperationNameRecorder,
        OnlyQueriesAreShared,
        # Parsing and validating a repeated document is most of a small query's cost: both
        # are cached (bounded), parsing by text and validation by the parsed document. The
        # limits run between the two, and a refused document is never validated.
        lambda: ErrorReportingParserCache(maxsize=DOCUMENT_CACHE_SIZE),
        lambda: DocumentLimits(settings),
        DocumentValidationCache,  # keeps DOCUMENTS_VALIDATED, as many as DOCUMENT_CACHE_SIZE
    ]
    if not settings.introspection:
        extensions.append(DisableIntrospection)
    if is_postgres(settings.database_url):
        extensions.append(OneConnectionPerQuery)
    if settings.database_replica_url:
        # Anonymous queries read the replica (decided once the operation's type is known).
        extensions.append(ReplicaRouting)
    # Last, so innermost: a cancelled operation's loader queries end before its database
    # connection goes back to the pool.
    extensions.append(LoaderWorkEndsWithTheOperation)
    built = ThreadpressSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        execution_context_class=ThreadpressExecution if settings.batched_execution else None,
    )
    built.operation_timeout = settings.operation_timeout_seconds
    return built


schema = build_schema()
"""The schema with default settings: its SDL is `schema.graphql`."""


def schema_sdl() -> str:
    """The schema as SDL, as committed in `schema.graphql`."""
    return schema.as_str() + "\n"


__all__ = ["schema", "schema_sdl"]
