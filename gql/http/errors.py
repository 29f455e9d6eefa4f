"""Errors the HTTP layer answers itself (refused requests, unknown paths, crashes), in the
GraphQL error shape every client of this server already reads:
`{"errors": [{"message": ..., "extensions": {"code": ...}}]}`; never plain text, never a
stack trace.

Starlette answers an exception that reaches it with `internal_error_handler`; what gets past
Starlette (a `CancelledError` nothing asked for is not an `Exception`, a WebSocket's crash is
not Starlette's to answer) is answered by `LastResortErrors`, around the whole app."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Mapping
from http import HTTPStatus

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gql.http.negotiation import negotiate
from gql.http.request_log import REQUEST_ID_HEADER
from gql.http.security_headers import security_headers

logger = logging.getLogger("threadpress.errors")

DEFAULT_COST_LIMIT = 200_000  # Settings' default; answers name the app's own limit

INTERNAL_ERROR_MESSAGE = "Internal server error"
CODES = {
    400: "BAD_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    500: "INTERNAL_SERVER_ERROR",
}


def code_for(status: int) -> str:
    """The `extensions.code` of an HTTP status: ours where named, else the status's name."""
    try:
        return CODES.get(status) or HTTPStatus(status).name
    except ValueError:
        return "HTTP_ERROR"


def cost_limit_of(scope: Scope) -> int:
    """The app's cost budget, for the `extensions.cost` of answers given before GraphQL ran."""
    app = scope.get("app")
    settings = getattr(getattr(app, "state", None), "settings", None)
    return int(getattr(settings, "max_cost", DEFAULT_COST_LIMIT))


def json_error(
    status: int,
    message: str,
    *,
    accept: str | None = None,
    code: str | None = None,
    extensions: Mapping[str, object] | None = None,
    headers: Mapping[str, str] | None = None,
    cost_limit: int = 0,
) -> Response:
    """One GraphQL-shaped error as an HTTP response, in the media type `accept` prefers.
    Like every GraphQL answer it reports a cost: nothing ran, so 0 of the budget."""
    body = {
        "errors": [
            {
                "message": message,
                "extensions": {"code": code or code_for(status), **(extensions or {})},
            }
        ],
        "extensions": {"cost": {"requested": 0, "limit": cost_limit or DEFAULT_COST_LIMIT}},
    }
    return Response(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status_code=status,
        media_type=negotiate(accept),
        headers=dict(headers or {}),
    )


async def http_exception_handler(request: Request, error: Exception) -> Response:
    """Starlette's `HTTPException` (404 for an unknown path, 405 for a method a route does
    not take, ...) as JSON instead of plain text; its headers (`Allow`) are kept."""
    assert isinstance(error, HTTPException)
    if error.status_code in (204, 304):  # no body allowed
        return Response(status_code=error.status_code, headers=error.headers)
    return json_error(
        error.status_code,
        error.detail,
        accept=request.headers.get("accept"),
        headers=error.headers,
        cost_limit=cost_limit_of(request.scope),
    )


def _log_unhandled(scope: Scope, error: BaseException) -> str:
    """Log `error` with the traceback and a new error id (kept on the scope: the exception
    is then known to be logged); the id."""
    error_id = uuid.uuid4().hex
    state = scope.setdefault("state", {})
    state["logged_error"] = (error, error_id)
    # The request log middleware has finished with this request by now (it re-raised): its
    # id is on the scope, and this answer bypasses the middleware that would echo it.
    request_id = state.get("request_id")
    logger.error(
        "errorId=%s unhandled exception in %s %s",
        error_id,
        scope.get("method", "WEBSOCKET"),
        scope.get("path", ""),
        exc_info=(type(error), error, error.__traceback__),
        extra={"request_id": request_id, "fields": {"errorId": error_id}},
    )
    return error_id


def internal_error_response(scope: Scope, error_id: str) -> Response:
    """The documented 500: the masked message and the `errorId` of the log line. It is sent
    outside every middleware, so the security headers and the request id are added here."""
    headers = security_headers()
    request_id = scope.get("state", {}).get("request_id")
    if request_id:
        headers[REQUEST_ID_HEADER] = request_id
    return json_error(
        500,
        INTERNAL_ERROR_MESSAGE,
        accept=Headers(scope=scope).get("accept"),
        extensions={"errorId": error_id},
        headers=headers,
        cost_limit=cost_limit_of(scope),
    )


async def internal_error_handler(request: Request, error: Exception) -> Response:
    """Any exception nothing else handled: 500 with an `errorId` the log line repeats with
    the traceback."""
    return internal_error_response(request.scope, _log_unhandled(request.scope, error))


def _really_cancelled(error: BaseException) -> bool:
    """Whether `error` stops this task for good: the interpreter exits, or the task itself
    was cancelled (the server shuts down, the client went away). A `CancelledError` raised
    where nothing cancelled the task is a failure like any other."""
    if isinstance(error, KeyboardInterrupt | SystemExit | GeneratorExit):
        return True
    if not isinstance(error, asyncio.CancelledError):
        return False
    task = asyncio.current_task()
    return task is None or task.cancelling() > 0


class LastResortErrors:
    """Outermost ASGI middleware: whatever escapes the app is answered with the documented
    JSON 500 (`internal_error_response`), never a server's plain-text one. A response that
    has already started cannot be replaced: the error is logged, and a WebSocket is closed
    with 1011 (internal error). Exceptions Starlette has already answered (and logged) are
    not logged twice; a task's own cancellation goes on up, as it must."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        started = closed = False

        async def watched(message: Message) -> None:
            nonlocal started, closed
            kind = message["type"]
            if kind in ("http.response.start", "websocket.accept", "websocket.http.response.start"):
                started = True
            elif kind == "websocket.close":
                started = closed = True
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except BaseException as error:
            if _really_cancelled(error):
                raise
            logged, error_id = scope.get("state", {}).get("logged_error", (None, ""))
            if logged is not error:  # Starlette re-raises what it answered, for the server
                error_id = _log_unhandled(scope, error)
            try:
                await self._answer(scope, receive, send, error_id, started, closed)
            except Exception as failed:  # the client has gone: nothing more to tell it
                logger.debug("errorId=%s could not be answered: %r", error_id, failed)

    @staticmethod
    async def _answer(
        scope: Scope, receive: Receive, send: Send, error_id: str, started: bool, closed: bool
    ) -> None:
        if scope["type"] == "http":
            if not started:
                await internal_error_response(scope, error_id)(scope, receive, send)
            return
        if closed:
            return
        if not started and "websocket.http.response" in scope.get("extensions", {}):
            response = internal_error_response(scope, error_id)
            await send(
                {
                    "type": "websocket.http.response.start",
                    "status": response.status_code,
                    "headers": response.raw_headers,
                }
            )
            await send({"type": "websocket.http.response.body", "body": response.body})
            return
        await send({"type": "websocket.close", "code": 1011, "reason": "Internal error"})


__all__ = [
    "LastResortErrors",
    "code_for",
    "cost_limit_of",
    "http_exception_handler",
    "internal_error_handler",
    "internal_error_response",
    "json_error",
]
