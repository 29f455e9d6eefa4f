"""Cross-origin access for browser clients on other sites: off unless origins are listed
(`THREADPRESS_CORS_ORIGINS`). Starlette's CORS middleware, with its refusals as JSON."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

from gql.http.errors import json_error

ALLOWED_METHODS = ("GET", "POST")
# The preflight headers an upload must carry (gql.http.uploads): a listed origin's page may
# send them, after the preflight that no other origin passes.
ALLOWED_HEADERS = ("Content-Type", "Authorization", "Apollo-Require-Preflight", "GraphQL-Preflight")
PREFLIGHT_MAX_AGE_SECONDS = 600


class JsonCORSMiddleware(CORSMiddleware):
    """A refused preflight answers a JSON error, like every other refusal of this server."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code == 200:
            return response
        headers = {
            name: value
            for name, value in response.headers.items()
            if name not in ("content-type", "content-length")
        }
        return json_error(
            response.status_code,
            bytes(response.body).decode(),
            accept=request_headers.get("accept"),
            code="CORS_PREFLIGHT_REFUSED",
            headers=headers,
        )


def cors_middleware(origins: tuple[str, ...]) -> list[Middleware]:
    """The CORS middleware for `origins` (exact `scheme://host[:port]`); none when empty, so
    no response carries `Access-Control-Allow-Origin`. Tokens travel in `Authorization`,
    which is not a CORS credential: cookies are never allowed."""
    if not origins:
        return []
    return [
        Middleware(
            JsonCORSMiddleware,
            allow_origins=list(origins),
            allow_methods=list(ALLOWED_METHODS),
            allow_headers=list(ALLOWED_HEADERS),
            allow_credentials=False,
            max_age=PREFLIGHT_MAX_AGE_SECONDS,
        )
    ]


__all__ = ["cors_middleware"]
