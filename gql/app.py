"""`create_app()`: the Starlette application that serves Threadpress."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.types import ASGIApp

from gql.cache.replica import ReplicaReads
from gql.cache.response_cache import build_response_cache
from gql.comments.retention import retention_loop
from gql.core.rate_limit import RateLimiter
from gql.extensions.persisted_queries import build_persisted_queries
from gql.http.body_limit import BodyLimitMiddleware
from gql.http.cors import cors_middleware
from gql.http.csrf import RequireJsonPostMiddleware
from gql.http.documents import ATOM, RSS, XML, document_endpoint
from gql.http.errors import LastResortErrors, http_exception_handler, internal_error_handler
from gql.http.etags import GraphQLGetCache
from gql.http.graphiql import ASSETS_URL, load_graphiql
from gql.http.health import RedisProbe, healthz, readyz
from gql.http.media_files import MediaFiles
from gql.http.metrics import forget_this_process, metrics_endpoint, observe_request, pool_sampler
from gql.http.request_log import RequestLogMiddleware
from gql.http.security_headers import SecurityHeadersMiddleware
from gql.http.stop_signals import when_asked_to_stop
from gql.http.view import GraphQLView
from gql.live import build_live
from gql.media.renditions import Renditions
from gql.media.storage import LocalStorage
from gql.publishing.change_log import announce_loop
from gql.publishing.webhooks import send_loop
from gql.schema import build_schema
from gql.settings import Settings, load_settings
from gql.site.export import export_ndjson
from gql.site.feeds import atom_document, rss_document
from gql.site.sitemaps import index_document, sitemap_document
from models.database import close_database, open_database


def http_middleware(settings: Settings) -> list[Middleware]:
    """What every request passes through before a route, outermost first (the benchmark's
    "ceiling with middleware" runs exactly this). The log sees every request, refused ones
    too; every answer gets the security headers (and, for allowed origins, CORS headers, so
    a browser client can read a refusal); requests are refused on their headers (CSRF: not
    JSON) and then on their size, before the view reads or parses a byte of the body."""
    metrics = settings.metrics_allow is not None
    return [
        Middleware(RequestLogMiddleware, observe=observe_request if metrics else None),
        Middleware(SecurityHeadersMiddleware),
        *cors_middleware(settings.cors_origins),
        Middleware(RequireJsonPostMiddleware),
        Middleware(
            BodyLimitMiddleware,
            max_bytes=settings.max_body_bytes,
            max_upload_bytes=settings.max_upload_bytes,
        ),
        Middleware(GraphQLGetCache, cache_control=settings.http_cache_control),
    ]


def document_routes() -> list[BaseRoute]:
    """Feeds and sitemaps (`gql.site.feeds`, `gql.site.sitemaps`), GET and HEAD. A feed sits
    at any page's address plus `feed.xml` (RSS) or `feed.atom` (Atom): its source decides
    whether that page has one (else 404)."""
    rss = document_endpoint(rss_document, RSS)
    atom = document_endpoint(atom_document, ATOM)
    return [
        Route("/feed.xml", rss, methods=["GET"]),
        Route("/feed.atom", atom, methods=["GET"]),
        Route("/{page:path}/feed.xml", rss, methods=["GET"]),
        Route("/{page:path}/feed.atom", atom, methods=["GET"]),
        Route("/sitemap.xml", document_endpoint(index_document, XML), methods=["GET"]),
        Route(
            "/sitemap-{kind}-{number}.xml",
            document_endpoint(sitemap_document, XML),
            methods=["GET"],
        ),
    ]


class ThreadpressApp(Starlette):
    """Starlette, with `LastResortErrors` around everything, Starlette's own error
    middleware included: no response ever leaves outside the JSON error format."""

    def build_middleware_stack(self) -> ASGIApp:
        return LastResortErrors(super().build_middleware_stack())


def create_app(settings: Settings | None = None, *, manage_database: bool = True) -> Starlette:
    """Build the app. `manage_database=False` leaves opening and closing the database to the
    caller (tests share one open database across many apps)."""
    settings = settings or load_settings()
    metrics = settings.metrics_allow is not None
    # Public reads from the replica, when one is configured (see `gql.cache.replica`).
    replica = ReplicaReads(settings.redis_url) if settings.database_replica_url else None
    response_cache = build_response_cache(settings, replica)
    persisted = build_persisted_queries(settings)
    live = build_live(settings)
    media_storage = LocalStorage(settings.media_dir)
    # Served from the start: the folder exists before the first request.
    media_storage.prepare()

    async def media_written(tags: Collection[str]) -> None:
        if response_cache is not None and tags:
            await response_cache.written(tags)

    renditions = Renditions(settings, media_storage, media_written)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if manage_database:
            await open_database(settings.database_url, settings.database_replica_url)
        if response_cache is not None:
            await response_cache.start()
        await live.start()

        async def announced(tags: set[str]) -> None:
            if response_cache is not None:
                await response_cache.written(tags)

        # Background work: address retention, scheduled posts, webhook deliveries.
        background = (
            [
                asyncio.create_task(retention_loop(settings.ip_retention_days)),
                asyncio.create_task(announce_loop(announced)),
                asyncio.create_task(send_loop()),
                asyncio.create_task(renditions.loop()),
            ]
            if settings.background_tasks
            else []
        )
        # Every process reports its own database pool for /metrics (not background work).
        if metrics:
            background.append(asyncio.create_task(pool_sampler()))
        # At SIGTERM, event streams end with `complete` rather than hold the shutdown.
        forget_stop_signal = when_asked_to_stop(live.hub.stop)
        try:
            yield
        finally:
            forget_stop_signal()
            for task in background:
                task.cancel()
            # Let each finish cancelling (a transaction rolls back) before the database closes.
            await asyncio.gather(*background, return_exceptions=True)
            await renditions.close()
            if metrics:
                forget_this_process()
            # Ends every subscription still open (their streams complete) and the broker's
            # connection, while the database is still there.
            await live.close()
            app.state.comment_rate_limiter.close()
            if app.state.redis_probe is not None:
                app.state.redis_probe.close()
            if response_cache is not None:
                await response_cache.close()
            await persisted.close()
            if replica is not None:
                await replica.close()
            if manage_database:
                await close_database()

    graphiql = load_graphiql() if settings.graphiql else None
    view = GraphQLView(
        build_schema(settings),
        persisted=persisted,
        response_cache=response_cache,
        graphiql=graphiql,
        cost_limit=settings.max_cost,
        live=live,
        cors_origins=settings.cors_origins,
        max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
        max_tokens=settings.max_tokens,
    )
    # GraphiQL's own files, from this server (no CDN); none when GraphiQL is off.
    assets: list[BaseRoute] = [Mount(ASSETS_URL, app=graphiql.assets())] if graphiql else []
    app = ThreadpressApp(
        routes=[
            Route("/graphql", view, methods=["GET", "POST"]),
            # Subscriptions over graphql-transport-ws, at the same URL as queries.
            WebSocketRoute("/graphql", view),
            *assets,
            Route("/export.ndjson", export_ndjson, methods=["GET"]),
            *document_routes(),
            # Uploaded files and their renditions (Starlette's static files).
            Mount("/media", app=MediaFiles(directory=settings.media_dir), name="media"),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            *([Route("/metrics", metrics_endpoint, methods=["GET"])] if metrics else []),
        ],
        middleware=http_middleware(settings),
        # JSON errors, never Starlette's plain text: 404, 405, ... and 500 with an errorId.
        exception_handlers={
            HTTPException: http_exception_handler,
            Exception: internal_error_handler,
        },
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.replica = replica
    # /readyz asks Redis too, when it is configured.
    app.state.redis_probe = RedisProbe(settings.redis_url) if settings.redis_url else None
    # Writers invalidate through it once their transaction has committed (None: cache off).
    app.state.response_cache = response_cache
    # Where media files are stored, and this process's rendition work.
    app.state.media_storage = media_storage
    app.state.renditions = renditions
    # Writers announce committed changes to live subscribers through it.
    app.state.live = live
    app.state.comment_rate_limiter = RateLimiter(
        settings.comment_rate_limit_item, "submit-comment", settings.redis_url
    )
    return app
