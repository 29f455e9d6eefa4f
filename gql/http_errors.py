"""Errors the HTTP layer answers itself (refused requests, unknown paths, crashes), in the
GraphQL error shape every client of this server already reads:
`{"errors": [{"message": ..., "extensions": {"code": ...}}]}`; never plain text, never a
stack trace."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Mapping
from http import HTTPStatus

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from gql.negotiation import negotiate
from gql.request_log import REQUEST_ID_HEADER
from gql.security_headers import security_headers

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


async def internal_error_handler(request: Request, error: Exception) -> Response:
    """Any exception nothing else handled: 500 with an `errorId` the log line repeats with
    the traceback. Starlette answers this outside every middleware, so the security headers
    are added here."""
    error_id = uuid.uuid4().hex
    # The request log middleware has finished with this request by now (it re-raised): its
    # id is on the scope, and this answer bypasses the middleware that would echo it.
    request_id = request.scope.get("state", {}).get("request_id")
    logger.error(
        "errorId=%s unhandled exception in %s %s",
        error_id,
        request.method,
        request.url.path,
        exc_info=(type(error), error, error.__traceback__),
        extra={"request_id": request_id, "fields": {"errorId": error_id}},
    )
    headers = security_headers()
    if request_id:
        headers[REQUEST_ID_HEADER] = request_id
    return json_error(
        500,
        INTERNAL_ERROR_MESSAGE,
        accept=request.headers.get("accept"),
        extensions={"errorId": error_id},
        headers=headers,
        cost_limit=cost_limit_of(request.scope),
    )


__all__ = [
    "code_for",
    "cost_limit_of",
    "http_exception_handler",
    "internal_error_handler",
    "json_error",
]
