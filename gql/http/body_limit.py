"""A ceiling on the size of request bodies, enforced before anything reads them.

The body is read here, at most `max_bytes` of it, and only then handed to the application:
nothing downstream ever sees (or parses) a body over the limit, however the client sent it.
A declared `Content-Length` over the limit is refused before a byte is read (so a client that
sent `Expect: 100-continue` never uploads it); a chunked body, or one longer than it
declared, is refused as soon as the bytes read pass the limit, without reading the rest.
Starlette's own `max_body_size` answers in plain text and outside the request log, hence this.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gql.http.errors import cost_limit_of, json_error


class BodyLimitMiddleware:
    """Pure ASGI middleware: 413 `PAYLOAD_TOO_LARGE` for a body over `max_bytes`."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                response = json_error(
                    400,
                    "Invalid Content-Length header",
                    accept=headers.get("accept"),
                    cost_limit=cost_limit_of(scope),
                )
                await response(scope, receive, send)
                return
            if int(declared) > self.max_bytes:
                await self._too_large(scope, receive, send, headers)
                return

        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client left: nothing to answer, and nothing runs on half a body
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._too_large(scope, receive, send, headers)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break

        body: bytes | None = b"".join(chunks)

        async def replay() -> Message:
            nonlocal body
            if body is None:
                return await receive()  # after the body: http.disconnect, as usual
            message = {"type": "http.request", "body": body, "more_body": False}
            body = None
            return message

        await self.app(scope, replay, send)

    async def _too_large(
        self, scope: Scope, receive: Receive, send: Send, headers: Headers
    ) -> None:
        response = json_error(
            413,
            f"Request body too large: the limit is {self.max_bytes} bytes",
            accept=headers.get("accept"),
            extensions={"maxBytes": self.max_bytes},
            # The rest of the body stays unread: this connection cannot carry another request.
            headers={"Connection": "close"},
            cost_limit=cost_limit_of(scope),
        )
        await response(scope, receive, send)


__all__ = ["BodyLimitMiddleware"]
