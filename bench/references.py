"""The reference servers, each a Starlette app served by uvicorn in its own process:

- the ceiling answers `POST /graphql` with response bytes captured from Threadpress
  beforehand (by request body; one default answer for bodies it has not seen, such as the
  ever-different submissions): what serving that exact JSON costs without computing it;
- the ceiling with middleware does the same behind Threadpress's own middleware
  (`gql.app.http_middleware`: request log and metrics, security headers, CSRF, body limit,
  GET cache headers), so a cache hit's own cost can be told from the middleware's;
- the hand-written equivalent computes the same JSON with plain SQL (`bench.handwritten`).

    .venv/bin/python -m bench.references ceiling --port P --responses FILE [--middleware]
    .venv/bin/python -m bench.references handwritten --port P --database postgres --dsn DSN
"""

from __future__ import annotations

import argparse
import base64
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench import handwritten, workloads
from threadpress.server import freeze_startup_objects

JSON_TYPE = "application/json"


async def healthz(_request: Request) -> Response:
    """Liveness, for the benchmark's readiness check."""
    return Response(b"ok", media_type="text/plain")


def save_responses(path: Path, by_body: dict[bytes, bytes], default: bytes) -> None:
    """Write the captured responses for the ceiling (bytes travel as base64)."""
    path.write_text(
        json.dumps(
            {
                "default": base64.b64encode(default).decode(),
                "by_body": {
                    base64.b64encode(k).decode(): base64.b64encode(v).decode()
                    for k, v in by_body.items()
                },
            }
        )
    )


def ceiling_app(responses_file: Path, *, middleware: bool = False) -> Starlette:
    """Pre-serialised answers: one dict lookup per request; with `middleware`, behind
    Threadpress's own, configured from the environment as the server is."""
    raw = json.loads(responses_file.read_text())
    default = base64.b64decode(raw["default"])
    by_body = {base64.b64decode(k): base64.b64decode(v) for k, v in raw["by_body"].items()}

    async def graphql(request: Request) -> Response:
        return Response(by_body.get(await request.body(), default), media_type=JSON_TYPE)

    routes = [Route("/graphql", graphql, methods=["POST"]), Route("/healthz", healthz)]
    if not middleware:
        return Starlette(routes=routes)
    from gql.app import http_middleware
    from gql.http.request_log import configure_logging
    from gql.settings import load_settings

    settings = load_settings()
    configure_logging(settings.log_level)  # the access log, written as the server writes it
    return Starlette(routes=routes, middleware=http_middleware(settings))


Handler = Callable[[handwritten.Session, datetime, dict[str, Any]], Awaitable[handwritten.JSON]]

HANDLERS: dict[str, Handler] = {
    workloads.HOME_PAGE: lambda db, now, _v: handwritten.home_page(db, now),
    workloads.post_page_document(): lambda db, now, v: handwritten.post_page(db, now, v["uri"]),
    workloads.COMMENT_THREAD: lambda db, now, v: handwritten.comment_thread(db, now, v["uri"]),
    workloads.BUILD_FETCH: lambda db, now, v: handwritten.build_page(db, now, v.get("after")),
}
"""Which read answers which document (the benchmark sends exactly these)."""


def handwritten_app(kind: str, dsn: str, extensions_file: Path | None) -> Starlette:
    """The same reads as Threadpress without GraphQL. `extensions_file` holds the
    `extensions` Threadpress adds to each answer (its cost report), by document, so the two
    answers are the same JSON."""
    extensions: dict[str, Any] = (
        json.loads(extensions_file.read_text()) if extensions_file is not None else {}
    )
    state: dict[str, handwritten.Database] = {}

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        if kind == "postgres":
            state["db"] = await handwritten.PostgresDatabase.open(dsn)
        else:
            state["db"] = handwritten.SqliteDatabase(dsn)
        try:
            yield
        finally:
            await state["db"].close()

    async def graphql(request: Request) -> Response:
        payload = json.loads(await request.body())
        query = payload.get("query", "")
        handler = HANDLERS.get(query)
        if handler is None:
            return Response(
                b'{"errors":[{"message":"unknown document"}]}', 400, media_type=JSON_TYPE
            )
        async with state["db"].session() as session:
            data = await handler(session, datetime.now(tz=UTC), payload.get("variables") or {})
        answer: dict[str, Any] = {"data": data}
        if query in extensions:
            answer["extensions"] = extensions[query]
        body = json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode()
        return Response(body, media_type=JSON_TYPE)

    return Starlette(
        routes=[Route("/graphql", graphql, methods=["POST"]), Route("/healthz", healthz)],
        lifespan=lifespan,
    )


def main() -> None:
    """Serve one reference app on loopback until terminated."""
    parser = argparse.ArgumentParser(description="A reference server for the benchmark.")
    parser.add_argument("app", choices=["ceiling", "handwritten"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--responses", type=Path, help="captured answers (ceiling)")
    parser.add_argument(
        "--middleware", action="store_true", help="behind Threadpress's middleware (ceiling)"
    )
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--dsn", help="asyncpg DSN or SQLite file (hand-written)")
    parser.add_argument("--extensions", type=Path, help="Threadpress's extensions by document")
    args = parser.parse_args()
    if args.app == "ceiling":
        app = ceiling_app(args.responses, middleware=args.middleware)
    else:
        app = handwritten_app(args.database, args.dsn, args.extensions)
    # Served like Threadpress: one process, no access log, same uvicorn defaults otherwise,
    # and startup frozen out of garbage collections as `threadpress serve` does, so the ratios
    # compare the work of a request, not how much a collection has to walk.
    freeze_startup_objects()
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        access_log=False,
        log_level="warning",
        server_header=False,
    )


if __name__ == "__main__":
    main()
