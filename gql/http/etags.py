"""HTTP caching of `GET /graphql`: an `ETag` on every successful GET answer and
`304 Not Modified` when the client already holds it.

Only GET is cacheable (POST never is, by HTTP), and a request with credentials is answered
`private, no-store` so no shared cache keeps a viewer's response. `max-age=0, must-revalidate`
keeps clients and CDNs exact: they may keep the bytes, but ask every time; the answer to an
unchanged question is a body-less 304.
"""

from __future__ import annotations

import hashlib

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PUBLIC_CACHE_CONTROL = "public, max-age=0, must-revalidate"
PRIVATE_CACHE_CONTROL = "private, no-store"


def entity_tag(body: bytes) -> str:
    """A strong validator of `body`: its hash, so the same bytes always get the same tag."""
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def if_none_match_holds(if_none_match: str, etag: str) -> bool:
    """Whether an `If-None-Match` header names `etag` (weakly compared, as RFC 9110 asks
    for GET and HEAD), or is `*`."""
    candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in candidates or etag in candidates


class GraphQLGetCache:
    """ASGI middleware adding validators to GET answers of `path`."""

    def __init__(
        self, app: ASGIApp, path: str = "/graphql", cache_control: str = PUBLIC_CACHE_CONTROL
    ) -> None:
        self.app = app
        self.path = path
        self.cache_control = cache_control

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        request_headers = Headers(scope=scope)
        if "authorization" in request_headers or "cookie" in request_headers:
            await self.app(scope, receive, _with_cache_control(send, PRIVATE_CACHE_CONTROL))
            return

        start: Message | None = None
        chunks: list[bytes] = []

        streaming = False

        async def buffer(message: Message) -> None:
            nonlocal start, streaming
            if message["type"] == "http.response.start":
                # An event stream (a subscription) never ends: pass it through as it comes.
                if (
                    Headers(raw=message["headers"])
                    .get("content-type", "")
                    .startswith("text/event-stream")
                ):
                    streaming = True
                    await send(message)
                    return
                start = message
                return
            if streaming or message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            await self._finish(start, b"".join(chunks), request_headers, send)

        await self.app(scope, receive, buffer)

    async def _finish(
        self, start: Message, body: bytes, request_headers: Headers, send: Send
    ) -> None:
        headers = MutableHeaders(raw=list(start["headers"]))
        content_type = headers.get("content-type", "")
        if start["status"] != 200 or "json" not in content_type:
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        etag = entity_tag(body)
        headers["etag"] = etag
        # The view marks answers that must not be shared (errors, a preview) itself.
        headers.setdefault("cache-control", self.cache_control)
        headers.append("vary", "Accept")
        if if_none_match_holds(request_headers.get("if-none-match", ""), etag):
            del headers["content-length"]
            del headers["content-type"]
            await send({"type": "http.response.start", "status": 304, "headers": headers.raw})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({**start, "headers": headers.raw})
        await send({"type": "http.response.body", "body": body})


def _with_cache_control(send: Send, value: str) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(raw=list(message["headers"]))
            headers["cache-control"] = value
            message = {**message, "headers": headers.raw}
        await send(message)

    return wrapped
