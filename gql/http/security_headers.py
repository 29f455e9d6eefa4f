"""Security headers on every HTTP response: JSON answers, errors, probes, GraphiQL and its
files. A response that set one of these headers itself keeps its own value (the GraphiQL page
has its own, working `Content-Security-Policy`)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Nothing a browser renders from this server runs scripts, loads anything or may be framed,
# except the GraphiQL page, which sends its own policy (gql.http.graphiql.CONTENT_SECURITY_POLICY).
DEFAULT_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'"
SECURITY_HEADERS = {
    "Content-Security-Policy": DEFAULT_CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


_RAW = [
    (name.lower().encode("latin-1"), value.encode("latin-1"))
    for name, value in SECURITY_HEADERS.items()
]
"""The same, as the ASGI server's raw header pairs (built once, not per response)."""


def security_headers() -> dict[str, str]:
    """A fresh copy of the headers every response carries."""
    return dict(SECURITY_HEADERS)


class SecurityHeadersMiddleware:
    """Pure ASGI middleware adding `SECURITY_HEADERS` to each response that lacks them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(pair for pair in _RAW if pair[0] not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


__all__ = ["DEFAULT_CONTENT_SECURITY_POLICY", "SECURITY_HEADERS", "SecurityHeadersMiddleware"]
