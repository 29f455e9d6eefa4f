"""Cross-site request forgery: a web page on another site can make a browser POST a form
(`application/x-www-form-urlencoded`, `multipart/form-data`) or `text/plain` here, with no
CORS preflight and with the user's cookies. Such a request must change nothing, so every POST
must declare `Content-Type: application/json`, which no browser sends cross-site without a
preflight (that CORS then refuses unless the origin is allowed). GET never runs a mutation
(see `gql.http.view`), so POST is the only method to guard.

The one exception is a file upload (`multipart/form-data`), let in only with a header that
forces a preflight and an editor's token (`gql.http.uploads`).
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from gql.http.errors import cost_limit_of, json_error
from gql.http.uploads import is_multipart, preflighted, upload_refusal

JSON_MEDIA_TYPE = "application/json"
UNSUPPORTED_MESSAGE = "POST requests must be sent with Content-Type: application/json"


def is_json_content_type(content_type: str | None) -> bool:
    """Whether a `Content-Type` is `application/json`, with no charset or `utf-8` (the only
    encoding JSON has, RFC 8259)."""
    if not content_type:
        return False
    media_type, *parameters = (part.strip() for part in content_type.split(";"))
    if media_type.lower() != JSON_MEDIA_TYPE:
        return False
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() != "utf-8":
            return False
    return True


class RequireJsonPostMiddleware:
    """Pure ASGI middleware: 415 `UNSUPPORTED_MEDIA_TYPE` for a POST that is not JSON, decided
    from the headers alone: the body is never read and the application never runs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        content_type = headers.get("content-type")
        if is_json_content_type(content_type):
            await self.app(scope, receive, send)
            return
        if is_multipart(content_type) and preflighted(headers):
            refusal = await upload_refusal(headers)
            if refusal is None:
                await self.app(scope, receive, send)
                return
            status, message = refusal
            extra = {"WWW-Authenticate": 'Bearer realm="threadpress"'} if status == 401 else {}
            # The body stays unread: this connection cannot carry another request.
            response = json_error(
                status,
                message,
                code="UNAUTHENTICATED" if status == 401 else "FORBIDDEN",
                accept=headers.get("accept"),
                headers={**extra, "Connection": "close"},
                cost_limit=cost_limit_of(scope),
            )
            await response(scope, receive, send)
            return
        response = json_error(
            415,
            UNSUPPORTED_MESSAGE,
            accept=headers.get("accept"),
            cost_limit=cost_limit_of(scope),
        )
        await response(scope, receive, send)


__all__ = ["RequireJsonPostMiddleware", "is_json_content_type"]
