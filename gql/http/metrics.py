"""Prometheus metrics at `GET /metrics`: requests by route, GraphQL operation and status,
latency histograms, response-cache lookups, the database pool and the webhook backlog.

Several worker processes (`threadpress serve --workers N`) report through
prometheus_client's multiprocess mode: `serve` points `PROMETHEUS_MULTIPROC_DIR` at a fresh
folder before any worker starts, each worker writes its samples there, and a scrape of any
worker reads all of them, so /metrics answers the totals of every worker of that `serve`.
Without the variable (tests, an app embedded elsewhere) the process's own registry answers.

Label values are bounded: routes are a fixed list, statuses are the few this app answers,
and operation names come only from documents that parsed (`anonymous` for an unnamed one,
`none` where no operation ran); past `MAX_OPERATION_NAMES` distinct names, in each process,
the rest count as `other`. Nothing a commenter typed (email, address, content) is a label.

What is read at scrape time rather than counted: the webhook backlog (one indexed COUNT of
due, undelivered rows) and this process's database pool. Every process also samples its pool
every few seconds, so with several workers the pool gauges are the sum over the live ones.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
from collections.abc import Iterable, Sequence
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope
from tortoise import Tortoise, timezone

import models
from gql.core.client_ip import client_ip
from gql.http.errors import json_error
from gql.settings import Network
from models.internals import pool_of

logger = logging.getLogger("threadpress.metrics")

MULTIPROC_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
MAX_OPERATION_NAMES = 50
MAX_OPERATION_NAME_LENGTH = 64
POOL_SAMPLE_SECONDS = 5.0

# prometheus_client chose where this process's samples go when it was imported (with this
# module, in practice): in the shared folder when the variable was set, else in memory.
MULTIPROCESS = bool(os.environ.get(MULTIPROC_DIR_VARIABLE))

ROUTES = ("/graphql", "/healthz", "/readyz", "/metrics", "/export.ndjson")

REQUESTS = Counter(
    "threadpress_http_requests",
    "HTTP requests answered, by route, GraphQL operation and status.",
    ["route", "operation", "status"],
)
LATENCY = Histogram(
    "threadpress_http_request_duration_seconds",
    "Time from the request's arrival to its last byte sent, by route and GraphQL operation.",
    ["route", "operation"],
    # A cached answer takes well under a millisecond, a post page tens, the timeout 10 s.
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
# Per process; summed over the live workers of a `serve` (a worker that stops cleanly
# removes its share).
POOL_MAX = Gauge(
    "threadpress_db_pool_max_connections",
    "Most PostgreSQL connections the pools may open (maxsize per process, summed).",
    multiprocess_mode="livesum",
)
POOL_OPEN = Gauge(
    "threadpress_db_pool_open_connections",
    "PostgreSQL connections the pools hold open.",
    multiprocess_mode="livesum",
)
POOL_IN_USE = Gauge(
    "threadpress_db_pool_in_use_connections",
    "PostgreSQL connections lent out to requests or background work right now.",
    multiprocess_mode="livesum",
)


class OperationLabels:
    """The operation label of a request: its name while fewer than `limit` distinct names
    were seen, else `other`."""

    def __init__(self, limit: int = MAX_OPERATION_NAMES) -> None:
        self.limit = limit
        self._seen: set[str] = set()

    def label(self, name: str | None) -> str:
        """The label value for the operation `name` (None: no operation ran)."""
        if name is None:
            return "none"
        if name in self._seen:
            return name
        if len(self._seen) >= self.limit or len(name) > MAX_OPERATION_NAME_LENGTH:
            return "other"
        self._seen.add(name)
        return name


OPERATION_LABELS = OperationLabels()


def route_label(path: str) -> str:
    """One of a fixed set of routes; unknown paths (404s, probes) are `other`."""
    if path in ROUTES:
        return path
    if path.startswith("/graphql/assets/"):
        return "/graphql/assets"
    # Feeds sit at any page's address, sitemaps are numbered: one label for each family.
    if path.endswith(("/feed.xml", "/feed.atom")):
        return "/feed"
    if path.startswith("/sitemap") and path.endswith(".xml"):
        return "/sitemap"
    return "other"


_CHILDREN: dict[tuple[str, str, int], tuple[Any, Any]] = {}


def observe_request(scope: Scope, status: int, seconds: float) -> None:
    """Count one answered request and its latency."""
    state = scope.get("state", {})
    route = route_label(scope.get("path", ""))
    operation = OPERATION_LABELS.label(state.get("metrics_operation"))
    key = (route, operation, status)
    children = _CHILDREN.get(key)
    if children is None:
        # prometheus_client's labels() costs more than the count itself: look each
        # combination up once (bounded: routes x operation labels x statuses).
        children = _CHILDREN[key] = (
            REQUESTS.labels(route, operation, str(status)),
            LATENCY.labels(route, operation),
        )
    children[0].inc()
    children[1].observe(seconds)


def sample_pool() -> None:
    """Read this process's PostgreSQL pool into the pool gauges (nothing on SQLite, which
    has one connection per process and no pool)."""
    try:
        connection = Tortoise.get_connection("default")
    except Exception:  # the database is closed (shutting down): nothing to report
        return
    pool = pool_of(connection)
    maximum = getattr(connection, "pool_maxsize", None)
    if maximum is None:
        # No pool (SQLite): none to report, whatever an earlier app of this process had.
        for gauge in (POOL_MAX, POOL_OPEN, POOL_IN_USE):
            gauge.set(0)
        return
    POOL_MAX.set(maximum)
    if pool is None:  # opened lazily, on the first query
        POOL_OPEN.set(0)
        POOL_IN_USE.set(0)
        return
    POOL_OPEN.set(pool.get_size())
    POOL_IN_USE.set(pool.get_size() - pool.get_idle_size())


async def pool_sampler() -> None:
    """Sample the pool every few seconds until cancelled, so a scrape of any worker sees
    every worker's recent pool."""
    while True:
        sample_pool()
        await asyncio.sleep(POOL_SAMPLE_SECONDS)


class _Snapshot(Collector):
    """Values read at scrape time, as one more collector."""

    def __init__(self, metrics: Sequence[Metric]) -> None:
        self.metrics = metrics

    def collect(self) -> Iterable[Metric]:
        return self.metrics


async def _webhook_backlog() -> Metric:
    due = await models.WebhookDelivery.filter(
        delivered_at__isnull=True, failed_at__isnull=True, next_attempt_at__lte=timezone.now()
    ).count()
    return GaugeMetricFamily(
        "threadpress_webhook_backlog",
        "Webhook deliveries due and not yet delivered or given up (the outbox's backlog).",
        value=due,
    )


def exposition(scraped: Sequence[Metric]) -> bytes:
    """The text exposition: every process's counters (or this process's registry), then
    the values read at scrape time."""
    if MULTIPROCESS:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        counted = generate_latest(registry)
    else:
        counted = generate_latest(REGISTRY)
    now = CollectorRegistry()
    now.register(_Snapshot(scraped))
    return counted + generate_latest(now)


def may_scrape(request: Request, allow: Sequence[Network], proxies: Sequence[Network]) -> bool:
    """Whether the client is one of `allow`. A request that a proxy forwarded for someone
    else is never taken for the proxy itself: behind an nginx on the same host whose address
    is not a trusted proxy, every visitor would otherwise come from loopback."""
    peer = request.client.host if request.client else None
    try:
        peer_address = ipaddress.ip_address(peer) if peer else None
    except ValueError:
        peer_address = None
    forwarded = "x-forwarded-for" in request.headers or "forwarded" in request.headers
    peer_is_proxy = peer_address is not None and any(peer_address in n for n in proxies)
    if forwarded and not peer_is_proxy:
        return False
    address = client_ip(request, proxies)
    if address is None:
        return False
    client = ipaddress.ip_address(address)
    return any(client in network for network in allow)


async def metrics_endpoint(request: Request) -> Response:
    """`GET /metrics` in Prometheus's text format, for the allowed addresses only."""
    settings = request.app.state.settings
    if not may_scrape(request, settings.metrics_allow or (), settings.trusted_proxies):
        return json_error(
            403, "Metrics are not served to this address.", code="FORBIDDEN", accept=None
        )
    sample_pool()
    try:
        scraped = [await _webhook_backlog()]
    except Exception as error:  # the database is down: the counters still answer
        logger.warning("metrics: webhook backlog unavailable: %s", error)
        scraped = []
    return Response(exposition(scraped), media_type=CONTENT_TYPE_LATEST)


def forget_this_process() -> None:
    """A worker that stops removes its live gauges from the shared folder, so the pool
    gauges sum the workers still running (its counters stay: totals never go down)."""
    if MULTIPROCESS:
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


__all__ = [
    "OPERATION_LABELS",
    "OperationLabels",
    "forget_this_process",
    "metrics_endpoint",
    "observe_request",
    "pool_sampler",
]
