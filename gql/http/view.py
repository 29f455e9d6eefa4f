"""The GraphQL HTTP endpoint: Strawberry's ASGI view with Threadpress's context, made to follow
the GraphQL-over-HTTP specification (https://graphql.github.io/graphql-over-http/draft/).

What the subclass adds to Strawberry:
- `application/graphql-response+json` when the client's `Accept` prefers it; then a request
  error (the document does not parse or validate, variables do not coerce) answers 400 and
  carries no `data` entry, while field errors still answer 200.
- `application/json` (the default, also for `*/*` or no `Accept`): always 200 for a GraphQL
  result, errors included, as legacy clients expect.
- Malformed requests (bad JSON, no query) answer a JSON error body, never plain text or a 500.
- A mutation over GET answers 405 with `Allow: POST` (Strawberry refuses it, with a 400).
- A batch (a JSON array of operations) answers 400, whatever the schema's batching setting:
  one request, one operation, so every limit counts per request.
- GraphiQL for browsers, from this server's own files (see `gql.http.graphiql`).
- Persisted queries (`gql.extensions.persisted_queries`) and the response cache
  (`gql.cache.response_cache`): a cached answer is sent before anything is parsed; a shareable
  answer carries `Cache-Tag` and `Surrogate-Key` headers naming what it read, and any other
  answer `private, no-store`.
- Subscriptions (`gql.live`): over a WebSocket at the same URL (graphql-transport-ws, from
  this site's own pages or `THREADPRESS_CORS_ORIGINS` only), or as an event stream
  (graphql-sse, `Accept: text/event-stream`), within a cap on such connections per process.
  A subscription asked for as JSON only is 406 (`NOT_ACCEPTABLE`).
- The answer's form follows `Accept` (`gql.http.negotiation`): JSON unless the client ranks the
  event stream higher; then a query or mutation is graphql-sse's single result (one `next`
  event, then `complete`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta
from functools import lru_cache
from typing import Any

import orjson
from cross_web import HTTPException, StarletteRequestAdapter
from graphql import GraphQLError, OperationType, get_operation_ast, parse
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData, GraphQLRequestProtocol
from strawberry.http.base import BaseRequestProtocol
from strawberry.schema.base import BaseSchema
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_SSE_PROTOCOL, GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType as StrawberryOperationType
from strawberry.types.unset import UNSET, UnsetType

from gql.cache.response_cache import ResponseCache
from gql.cache.store import CachedResponse, Position, cache_key
from gql.context import Context
from gql.core.tokens import Unauthenticated, viewer_of
from gql.engine.internals import ChecksBatchRequests
from gql.extensions.persisted_queries import PersistedQueries, PersistedQueryError
from gql.http.graphiql import GraphiQLPage
from gql.http.negotiation import (
    EVENT_STREAM,
    GRAPHQL_RESPONSE_JSON,
    JSON,
    JSON_TYPES,
    negotiate,
    negotiated,
    without_event_stream,
)
from gql.http.uploads import is_multipart
from gql.http.websocket import TransportWSHandler, WebSocketAdapter
from gql.live import Live

BATCHING_MESSAGE = (
    "Batched requests are not supported: send one operation per request, as a JSON object"
)
SUPPORTED_MEDIA_TYPES = JSON_TYPES
PRIVATE_CACHE_CONTROL = "private, no-store"
SUBSCRIPTION_NOT_ACCEPTABLE = (
    "A subscription is answered as an event stream (send `Accept: text/event-stream`) or "
    "over a WebSocket (graphql-transport-ws), never as one JSON document."
)
# Where the view records, on the request's scope, that it answers with an event stream.
STREAMED = "graphql_event_stream"
# ... and that it sends a query's or mutation's one result as an event stream.
SINGLE_RESULT = "graphql_single_result_stream"
# A JSON answer's headers that an event stream drops: its own type and length, and what
# lets a cache keep it (a stream is not kept).
DROPPED_FROM_STREAMS = (
    "content-type",
    "content-length",
    "cache-control",
    "etag",
    "cache-tag",
    "surrogate-key",
)
# The headers of an event stream (Strawberry's, for graphql-sse).
EVENT_STREAM_HEADERS = {
    "Cache-Control": "no-cache, no-transform",
    "X-Accel-Buffering": "no",
}
# A WebSocket that never says `connection_init` holds a connection slot for this long.
CONNECTION_INIT_SECONDS = 10
BUSY_RETRY_AFTER_SECONDS = 5
REFUSALS = {
    "TOO_MANY_CONNECTIONS": "This server holds as many live connections as it may: retry later.",
    "ORIGIN_NOT_ALLOWED": "Pages from this origin may not open a WebSocket here.",
}


def is_request_error(result: ExecutionResult) -> bool:
    """Whether execution never started: the document did not parse or validate, or the
    variables did not coerce. Field errors always have a path; these errors never do."""
    return (
        result.data is None
        and bool(result.errors)
        and all(error.path is None for error in result.errors or ())
    )


def _request_error_status(body: GraphQLHTTPResponse) -> int:
    """400 for the client's mistakes; 500 when the server failed before execution began."""
    for error in body.get("errors") or ():
        extensions = error.get("extensions") if isinstance(error, dict) else None
        if isinstance(extensions, dict) and extensions.get("code") == "INTERNAL_SERVER_ERROR":
            return 500
    return 400


@lru_cache(maxsize=256)
def operation_type_of(query: str, name: str | None, max_tokens: int) -> OperationType | None:
    """The type of operation `name` (or the only one) of `query`; None when the document does
    not parse or names no such operation. Kept by text: every request of a client whose
    `Accept` names an event stream (urql's default) asks before anything else runs, cached
    answers included, and a client sends the same few documents again and again."""
    try:
        document = parse(query, no_location=True, max_tokens=max_tokens)
    except GraphQLError:
        return None
    operation = get_operation_ast(document, name)
    return operation.operation if operation is not None else None


class NotAuthenticated(HTTPException):
    """Credentials that are not a live API token: 401, never the anonymous view."""

    def __init__(self, reason: str) -> None:
        super().__init__(401, reason)


STATUS_CODES = {401: "UNAUTHENTICATED", 405: "METHOD_NOT_ALLOWED", 406: "NOT_ACCEPTABLE"}


class MethodNotAllowed(HTTPException):
    """A mutation sent with GET: only POST may change anything."""

    def __init__(self, reason: str) -> None:
        super().__init__(405, reason)


class NotAcceptable(HTTPException):
    """A subscription asked for as JSON: its results can only be streamed."""

    def __init__(self, reason: str) -> None:
        super().__init__(406, reason)


class RequestAdapter(StarletteRequestAdapter):
    """The request as Strawberry reads it. Strawberry streams whenever `Accept` names
    `text/event-stream`, at q=0 or after a JSON type too; the view decides instead
    (`gql.http.negotiation`), and Strawberry sees the event stream named only on requests the
    view answers with one."""

    def __init__(self, request: Request) -> None:
        super().__init__(request)
        self.request = request

    @property
    def headers(self) -> Headers:
        headers = self.request.headers
        accept = headers.get("accept")
        if accept is None or self.request.scope.get("state", {}).get(STREAMED):
            return headers
        if EVENT_STREAM not in accept.lower():
            return headers
        mutable = headers.mutablecopy()
        mutable["accept"] = without_event_stream(accept)
        return mutable


def single_result_stream(response: Response) -> Response:
    """A query's or mutation's JSON answer as graphql-sse's distinct-connections form: one
    `next` event with the result, then `complete`. What never became a GraphQL result (a
    refused request: 401, 405, 413, ...) keeps its status and JSON body."""
    if response.status_code != 200 or response.media_type not in SUPPORTED_MEDIA_TYPES:
        return response
    # Our JSON never holds a line break (orjson and compact json escape them in strings).
    body = bytes(response.body)
    events = b"event: next\r\ndata: " + body + b"\r\n\r\nevent: complete\r\ndata: \r\n\r\n"
    kept = {
        name: value for name, value in response.headers.items() if name not in DROPPED_FROM_STREAMS
    }
    return Response(
        events,
        status_code=200,
        media_type=EVENT_STREAM,
        headers={**kept, **EVENT_STREAM_HEADERS},
        background=response.background,
    )


def _authorization_in(params: object) -> object:
    """The `Authorization` entry of a `connection_init` payload (any case), if any."""
    if not isinstance(params, dict):
        return None
    for name, value in params.items():
        if isinstance(name, str) and name.lower() == "authorization":
            return value
    return None


class GraphQLView(ChecksBatchRequests, GraphQL[Context, None]):
    """`POST /graphql` and `GET /graphql` (queries only; GraphiQL for browsers), and
    subscriptions over a WebSocket or an event stream at the same URL."""

    graphql_transport_ws_handler_class = TransportWSHandler
    websocket_adapter_class = WebSocketAdapter
    request_adapter_class = RequestAdapter

    def __init__(
        self,
        schema: BaseSchema,
        *,
        persisted: PersistedQueries,
        live: Live,
        response_cache: ResponseCache | None = None,
        graphiql: GraphiQLPage | None = None,
        cost_limit: int = 200_000,
        cors_origins: Sequence[str] = (),
        max_subscriptions_per_connection: int = 10,
        max_tokens: int = 1000,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if graphiql else None,
            # graphql-transport-ws only: the older graphql-ws protocol (subscriptions-
            # transport-ws) is unmaintained and has no per-operation error message.
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_SSE_PROTOCOL),
            connection_init_wait_timeout=timedelta(seconds=CONNECTION_INIT_SECONDS),
            max_subscriptions_per_connection=max_subscriptions_per_connection,
            # Same-origin handshakes are always allowed (Strawberry's check).
            allowed_origins=cors_origins,
            # File uploads by the GraphQL multipart request spec (`uploadMedia`); only
            # editors' preflighted requests get this far (`gql.http.csrf`).
            multipart_uploads_enabled=True,
        )
        self.persisted = persisted
        self.live = live
        self.response_cache = response_cache
        self.graphiql = graphiql
        self.cost_limit = cost_limit  # reported by refusals too: nothing ran, 0 requested
        self.max_tokens = max_tokens  # for the look at a document that picks the answer's form

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
            return
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        accept = negotiated(request.headers.get("accept"))
        single_result = False
        if accept.accepts_event_stream and request.method in ("GET", "POST"):
            if await self._operation_type(request) is OperationType.SUBSCRIPTION:
                request.scope.setdefault("state", {})[STREAMED] = True
                await self._event_stream(request, scope, receive, send)
                return
            # A query or mutation (or a document that does not parse: its errors travel
            # in the stream too, as graphql-sse asks) is one `next` event, then `complete`.
            single_result = accept.prefers_event_stream
            request.scope.setdefault("state", {})[SINGLE_RESULT] = single_result
        try:
            response = await self._respond(request)
        except HTTPException as error:
            # Strawberry answers these in plain text; GraphQL clients expect a JSON body.
            response = self.error_response(request, error)
        finally:
            # An upload's files (spooled to disk by Starlette's parser) are closed, and so
            # removed, once the operation is over, whatever it answered.
            await request.close()
        if single_result:
            response = single_result_stream(response)
        await response(scope, receive, send)

    async def _operation_type(self, request: Request) -> OperationType | None:
        """The type of the operation a request would run; None when that is not known
        before running it (no document, one that does not parse, an unknown persisted
        query: the ordinary answer reports it)."""
        if request.method == "GET":
            data: object = dict(request.query_params)
        elif is_multipart(request.headers.get("content-type")):
            # An upload is a mutation; its body (a file) is read once, by the form parser.
            return OperationType.MUTATION
        else:
            try:
                data = json.loads(await request.body())
            except (ValueError, RecursionError):
                return None
        if not isinstance(data, dict):
            return None
        query, extensions = data.get("query"), data.get("extensions")
        if isinstance(extensions, str):
            try:
                extensions = json.loads(extensions)
            except ValueError:
                return None
        if query is None and isinstance(extensions, dict):
            try:
                query = await self.persisted.document(None, extensions)
            except PersistedQueryError:
                return None
        if not isinstance(query, str):
            return None
        name = data.get("operationName")
        return operation_type_of(query, name if isinstance(name, str) else None, self.max_tokens)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A WebSocket, while this process has room for one more subscriber connection."""
        if not self.live.slots.take():
            await self._deny_websocket(
                WebSocket(scope, receive=receive, send=send), 503, "TOO_MANY_CONNECTIONS"
            )
            return
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.live.slots.give_back()

    async def _event_stream(
        self, request: Request, scope: Scope, receive: Receive, send: Send
    ) -> None:
        """A graphql-sse stream (never cached), while this process has room for one more."""
        if not self.live.slots.take():
            await self._refusal(503, "TOO_MANY_CONNECTIONS")(scope, receive, send)
            return
        try:
            try:
                response = await self.run(request)
            except HTTPException as error:
                response = self.error_response(request, error)
            await response(scope, receive, send)
        finally:
            self.live.slots.give_back()

    async def _deny_websocket(self, websocket: WebSocket, status: int, code: str) -> None:
        """Refuse a handshake before accepting it: an HTTP answer with a JSON error where the
        server can send one, else a close (which servers answer with 403)."""
        if "websocket.http.response" not in websocket.scope.get("extensions", {}):
            await websocket.close(code=1008)
            return
        await websocket.send_denial_response(self._refusal(status, code))

    def _refusal(self, status: int, code: str) -> Response:
        """A live connection refused: 403 for a foreign origin, 503 when this process holds
        as many as it may (with `Retry-After`)."""
        body = {
            "errors": [{"message": REFUSALS[code], "extensions": {"code": code}}],
            "extensions": {"cost": {"requested": 0, "limit": self.cost_limit}},
        }
        headers = {"Retry-After": str(BUSY_RETRY_AFTER_SECONDS)} if status == 503 else {}
        return Response(self.encode_json(body), status, headers=headers, media_type=JSON)

    async def reject_websocket(self, request: WebSocket) -> WebSocket:
        # A handshake from an origin that is neither this site nor a configured one.
        await self._deny_websocket(request, 403, "ORIGIN_NOT_ALLOWED")
        return request

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        # graphql-transport-ws `connection_init`: a token may come in its payload
        # (`{"Authorization": "Bearer ..."}`), as browsers cannot set WebSocket headers.
        authorization = _authorization_in(context.connection_params)
        if authorization is not None:
            try:
                if not isinstance(authorization, str):
                    raise Unauthenticated("Send an API token as `Authorization: Bearer <token>`.")
                context.viewer = await viewer_of(authorization)
            except Unauthenticated as error:
                context.refusal = error.message
            context.refresh()  # the viewer decides what the loaders may read
        if context.refusal is not None:
            # Never the anonymous view for a bad token: the connection closes (4403).
            raise ConnectionRejectionError
        unset: UnsetType = UNSET
        return unset

    async def _respond(self, request: Request) -> Response:
        """From the cache when it holds the answer; else run, and keep what may be shared."""
        cache = self.response_cache
        key = await _cache_key(request) if cache is not None else None
        if cache is None or key is None:
            return self._label(request, await self.run(request))
        hit = await cache.lookup(key)
        if hit is not None:
            state = request.scope.setdefault("state", {})
            state["operation_name"] = hit.operation
            # Kept only after a successful run: the document parsed, so its name may label.
            state["metrics_operation"] = hit.operation or "anonymous"
            response = Response(hit.body, media_type=negotiate(request.headers.get("accept")))
            return _with_tags(response, hit.tags)
        # Read before the request reads anything (the replica's position is read later,
        # right before execution; see `replica_behind`).
        since = await cache.begin()
        response = self._label(request, await self.run(request))
        context = _shared_context(request, response)
        if context is not None and not replica_behind(context, since):
            operation = request.scope.get("state", {}).get("operation_name")
            tags = tuple(sorted(context.depends.tags))
            kept = CachedResponse(bytes(response.body), tags, operation)
            await cache.keep(key, kept, since=since.sequence, now=context.now)
        return response

    def _label(self, request: Request, response: Response) -> Response:
        """Tags on a shareable GraphQL answer; `private, no-store` on any other."""
        if response.media_type not in SUPPORTED_MEDIA_TYPES or _context_of(request) is None:
            return response  # not a GraphQL answer (the GraphiQL page)
        context = _shared_context(request, response)
        if context is not None:
            return _with_tags(response, sorted(context.depends.tags))
        response.headers["cache-control"] = PRIVATE_CACHE_CONTROL
        return response

    def error_response(self, request: Request, error: HTTPException) -> Response:
        """A request Strawberry refused before running it, as a GraphQL error body."""
        code = STATUS_CODES.get(error.status_code, "BAD_REQUEST")
        body = {
            "errors": [{"message": error.reason, "extensions": {"code": code}}],
            "extensions": {"cost": {"requested": 0, "limit": self.cost_limit}},
        }
        headers = {}
        if error.status_code == 401:
            headers["WWW-Authenticate"] = 'Bearer realm="threadpress"'
        if error.status_code == 405:
            headers["Allow"] = "POST" if isinstance(error, MethodNotAllowed) else "GET, POST"
        return Response(
            self.encode_json(body),
            status_code=error.status_code,
            media_type=negotiate(request.headers.get("accept")),
            headers=headers,
        )

    def decode_json(self, data: str | bytes) -> object:
        # A body nested deeper than Python's recursion limit (a menu tree of 2,000 levels)
        # is malformed input like any other: 400, never a RecursionError's 500.
        try:
            return json.loads(data)
        except RecursionError:
            raise json.JSONDecodeError("nested too deeply", "", 0) from None

    def encode_json(self, data: object) -> bytes:
        # orjson writes UTF-8 rather than \u escapes, and a post page in a tenth of the time.
        try:
            return orjson.dumps(data)
        except TypeError:
            # A lone surrogate echoed from the input (a refused `clientMutationId`) has no
            # UTF-8 form; JSON's \u escapes can still carry it back.
            return json.dumps(data, separators=(",", ":")).encode()

    def check_batch_request(
        self, request_data: list[GraphQLRequestData], protocol: GraphQLRequestProtocol
    ) -> None:
        # Strawberry asks for every JSON array body, before running anything; it lets a
        # batch through when the schema enables batching. Never here.
        raise HTTPException(400, BATCHING_MESSAGE)

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        # With GraphiQL off, a browser's GET falls through to the GraphQL-over-HTTP answer
        # (400: no query) rather than a 404 for a URL that exists.
        # A GET with only `extensions` is a persisted query sent by its hash, not a page view.
        return (
            self.graphiql is not None
            and "extensions" not in request.query_params
            and super().should_render_graphql_ide(request)
        )

    async def render_graphql_ide(self, request: Request) -> Response:
        assert self.graphiql is not None  # should_render_graphql_ide checked it
        return self.graphiql.response()

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        refusal = None
        try:
            viewer = await viewer_of(request.headers.get("authorization"))
        except Unauthenticated as error:
            if not isinstance(request, WebSocket):
                raise NotAuthenticated(error.message) from None
            # A WebSocket is already accepted here: it is refused at `connection_init`.
            viewer, refusal = None, error.message
        context = Context(request=request, response=response, viewer=viewer, refusal=refusal)
        # Read back once the response exists: what it read and whether it may be shared.
        request.scope.setdefault("state", {})["graphql_context"] = context
        return context

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        # Decided once per request; `create_response` has no request to look at. A result
        # sent as an event stream is plain JSON inside it: request errors too travel in a
        # `next` event (graphql-sse), never as a 400.
        single = request.scope.get("state", {}).get(SINGLE_RESULT)
        sub_response.media_type = JSON if single else negotiate(request.headers.get("accept"))
        return sub_response

    async def execute_operation(
        self,
        request: Request,
        request_adapter: Any,
        request_data: Any,
        context: Context,
        root_value: None,
        sub_response: Response,
    ) -> Any:
        # The request log names the operation: remember it on the ASGI scope.
        if not isinstance(request_data, list):
            request.scope.setdefault("state", {})["operation_name"] = request_data.operation_name
            try:
                request_data.query = await self.persisted.document(
                    request_data.query, request_data.extensions
                )
            except PersistedQueryError as error:
                return ExecutionResult(
                    data=None,
                    errors=[GraphQLError(error.message, extensions={"code": error.code})],
                    extensions={"cost": {"requested": 0, "limit": self.cost_limit}},
                )
        return await super().execute_operation(
            request, request_adapter, request_data, context, root_value, sub_response
        )

    async def execute_single(
        self,
        request: Request,
        request_adapter: Any,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: Any,
    ) -> ExecutionResult:
        # Strawberry parses the document and checks the operation's type against the method
        # (GET: queries only) before validating or running anything; it answers 400. The spec
        # asks for 405, which also tells the client what to do instead.
        try:
            return await super().execute_single(
                request, request_adapter, sub_response, context, root_value, request_data
            )
        except HTTPException as error:
            cause = error.__cause__
            if isinstance(cause, InvalidOperationTypeError):
                if cause.operation_type is StrawberryOperationType.SUBSCRIPTION:
                    raise NotAcceptable(SUBSCRIPTION_NOT_ACCEPTABLE) from error
                raise MethodNotAllowed(error.reason) from error
            raise

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        body = await super().process_result(request, result)
        context = _context_of(request)
        if context is not None and (result.errors or result.data is None):
            context.depends.private()  # only complete successes are shared
        if is_request_error(result):
            # "If an error was raised before execution begins, the data entry should not be
            # present in the result" (GraphQL spec, Response Format).
            body.pop("data", None)
        return body

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        media_type = sub_response.media_type or JSON
        status = 200
        if (
            media_type == GRAPHQL_RESPONSE_JSON
            and isinstance(response_data, dict)
            and "data" not in response_data
        ):
            status = _request_error_status(response_data)
        response = Response(
            self.encode_json(response_data),
            status_code=sub_response.status_code or status,
            media_type=media_type,
            background=sub_response.background,
        )
        # Headers a resolver set on `info.context.response` (content-length is recomputed).
        response.headers.raw.extend(
            (name, value)
            for name, value in sub_response.headers.raw
            if name not in (b"content-type", b"content-length")
        )
        return response


def _context_of(request: Request) -> Context | None:
    context = request.scope.get("state", {}).get("graphql_context")
    return context if isinstance(context, Context) else None


def _shared_context(request: Request, response: Response) -> Context | None:
    """The context of a GraphQL answer that anyone may be given: a complete success of a
    query that read nothing private."""
    context = _context_of(request)
    if (
        context is None
        or response.status_code != 200
        or response.media_type not in SUPPORTED_MEDIA_TYPES
        or not context.depends.shareable
    ):
        return None
    return context


def replica_behind(context: Context, since: Position) -> bool:
    """Whether an answer was read from a replica that may lack a write that invalidated the
    cache: then it is served but not kept.

    Why this order is safe: a writer records its WAL position (after its commit) no later
    than it stamps the tags it invalidates, and `since` was read (sequence and highest
    position together) before the replica's replay position, which was read before the
    first row. So every invalidation numbered up to `since.sequence` wrote at or before
    `since.lsn`; when the replica had replayed that far, every row the answer read is at
    least as new as each of those writes (a replica's replay only moves forward, and a query
    sees every commit replayed before it started). Invalidations numbered after
    `since.sequence` are refused by the sequence rule, as for the primary."""
    return context.replica_lsn is not None and context.replica_lsn < since.lsn


def _with_tags(response: Response, tags: Sequence[str]) -> Response:
    """Name what the answer read, as Cloudflare (`Cache-Tag`) and Fastly (`Surrogate-Key`)
    read it, so a CDN can purge by tag."""
    response.headers["cache-tag"] = ",".join(tags)
    response.headers["surrogate-key"] = " ".join(tags)
    return response


async def _cache_key(request: Request) -> str | None:
    """The cache key of a request that may be answered from the cache: a GET with a document
    or a persisted-query hash, or a JSON POST, sent without credentials (a viewer's answers
    are never shared). None for anything else (the GraphiQL page, a browser's plain GET)."""
    headers = request.headers
    if "authorization" in headers or "cookie" in headers:
        return None
    if request.method == "GET":
        params = request.query_params
        if "query" not in params and "extensions" not in params:
            return None
        return cache_key("GET", request.scope.get("query_string", b""))
    if request.method == "POST":
        return cache_key("POST", await request.body())
    return None


__all__ = ["GraphQLView", "is_request_error", "negotiate", "single_result_stream"]
