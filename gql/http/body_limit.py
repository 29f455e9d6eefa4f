"""A ceiling on the size of request bodies, enforced before anything reads them.

The body is read here, at most `max_bytes` of it, and only then handed to the application:
nothing downstream ever sees (or parses) a body over the limit, however the client sent it.
A declared `Content-Length` over the limit is refused before a byte is read (so a client that
sent `Expect: 100-continue` never uploads it); a chunked body, or one longer than it
declared, is refused as soon as the bytes read pass the limit, without reading the rest.
Starlette's own `max_body_size` answers in plain text and outside the request log, hence this.

A file upload (multipart, already let in by `gql.http.csrf` on its headers) has its own,
larger limit (`THREADPRESS_MAX_UPLOAD_MB`, plus `UPLOAD_ENVELOPE_BYTES` for the
`operations` and `map` parts) and is not held in memory here: its chunks pass on to
Starlette's multipart parser (which spools files to disk) as they arrive, counted; the
first chunk past the limit stops the read and answers 413. A file just over the upload
limit but within the envelope reaches the mutation, which answers a typed `FILE_TOO_LARGE`.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gql.http.errors import cost_limit_of, json_error
from gql.http.uploads import is_multipart

UPLOAD_ENVELOPE_BYTES = 1024 * 1024
"""What a multipart body may hold besides its file: Starlette's limit on one non-file part."""


class _TooLarge(Exception):
    """A streamed body passed its limit (raised from `receive`, caught here)."""


class BodyLimitMiddleware:
    """Pure ASGI middleware: 413 `PAYLOAD_TOO_LARGE` for a body over `max_bytes` (over
    `max_upload_bytes` + the envelope for a multipart upload)."""

    def __init__(self, app: ASGIApp, max_bytes: int, max_upload_bytes: int = 0) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if self.max_upload_bytes and is_multipart(headers.get("content-type")):
            await self._streamed(scope, receive, send, headers)
            return
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

    async def _streamed(self, scope: Scope, receive: Receive, send: Send, headers: Headers) -> None:
        """A multipart body, passed on as it arrives and counted."""
        limit = self.max_upload_bytes + UPLOAD_ENVELOPE_BYTES
        declared = headers.get("content-length")
        if declared is not None and (not declared.strip().isdigit() or int(declared) > limit):
            await self._too_large(scope, receive, send, headers, limit)
            return
        size = 0
        started = False

        async def counted() -> Message:
            nonlocal size
            message = await receive()
            if message["type"] == "http.request":
                size += len(message.get("body", b""))
                if size > limit:
                    raise _TooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except _TooLarge:
            if started:  # nothing reads a body after answering; never seen, but never silent
                raise
            await self._too_large(scope, receive, send, headers, limit)

    async def _too_large(
        self, scope: Scope, receive: Receive, send: Send, headers: Headers, limit: int = 0
    ) -> None:
        limit = limit or self.max_bytes
        response = json_error(
            413,
            f"Request body too large: the limit is {limit} bytes",
            accept=headers.get("accept"),
            extensions={"maxBytes": limit},
            # The rest of the body stays unread: this connection cannot carry another request.
            headers={"Connection": "close"},
            cost_limit=cost_limit_of(scope),
        )
        await response(scope, receive, send)


__all__ = ["BodyLimitMiddleware"]
