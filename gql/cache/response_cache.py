"""The response cache as the app uses it: lookups before anything is parsed, fills after a
shareable answer, and invalidation by writers once their transaction has committed.

`ResponseCache` joins the store (memory or Redis, `gql.cache.store`), the watch for other
processes' writes (`gql.cache.foreign_writes`) and the clock of scheduled publications.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterator
from datetime import datetime

from prometheus_client import Counter
from strawberry.extensions import SchemaExtension

from gql.cache.dependencies import ALL
from gql.cache.foreign_writes import WriteWatch, write_watch
from gql.cache.replica import ReplicaReads
from gql.cache.store import (
    CachedResponse,
    Position,
    PublicationClock,
    ResponseStore,
    open_store,
)
from gql.core.operation_kind import runs_a_query
from gql.settings import Settings

logger = logging.getLogger("threadpress.cache")

# Served at /metrics with the HTTP metrics (`gql.http.metrics`): prometheus_client keeps one
# registry per process, whichever module defines the counter.
CACHE_LOOKUPS = Counter(
    "threadpress_response_cache_lookups",
    "Response-cache lookups of cacheable requests, by result (hit or miss); "
    "hit ratio = hit / (hit + miss).",
    ["result"],
)


def cache_lookup(hit: bool) -> None:
    """Count one response-cache lookup."""
    CACHE_LOOKUPS.labels("hit" if hit else "miss").inc()


class ResponseCache:
    """Shareable responses of this app, by request key."""

    def __init__(
        self, store: ResponseStore, watch: WriteWatch, replica: ReplicaReads | None = None
    ) -> None:
        self.store = store
        self.watch = watch
        self.clock = PublicationClock()
        # With a replica, every invalidation records its write's WAL position.
        self.replica = replica

    async def lookup(self, key: str) -> CachedResponse | None:
        """The cached answer for `key`, unless something changed what it read."""
        if self.watch.changed():
            await self.store.invalidate({ALL}, self.watch.lsn())
        found = await self.store.get(key)
        cache_lookup(found is not None)
        return found

    async def begin(self) -> Position:
        """Call before a request starts reading; pass the sequence to `keep`, and compare
        the position with the replica's before keeping an answer read from the replica."""
        return await self.store.position()

    async def keep(self, key: str, response: CachedResponse, *, since: int, now: datetime) -> bool:
        """Store a shareable answer, to expire at the next scheduled publication."""
        upcoming = await self.clock.next_publication(now, since)
        expires_at = upcoming.timestamp() if upcoming is not None else None
        return await self.store.put(key, response, since=since, expires_at=expires_at)

    async def written(self, tags: Collection[str], lsn: int | None = None) -> None:
        """A write of this process committed: drop what it changed (nothing, for a write
        the public cannot see), before its response is sent, and tell other processes
        that keep their own caches (a shared store needs no telling). `lsn`: the primary's
        WAL position after the commit, when the caller already read it."""
        if tags and lsn is None and self.replica is not None:
            lsn = await self.replica.written_lsn()
        await self.store.invalidate(tags, lsn or 0)
        self.watch.absorb()
        if tags:
            await self.watch.announce(lsn or 0)

    async def start(self) -> None:
        """Begin watching for other processes' writes."""
        await self.watch.start()

    async def close(self) -> None:
        """Release the store's and the watch's connections."""
        await self.watch.close()
        await self.store.close()


def build_response_cache(
    settings: Settings, replica: ReplicaReads | None = None
) -> ResponseCache | None:
    """The cache the settings ask for, or None when it is off. Several processes without a
    shared store would each keep their own entries and miss each other's writes: then the
    cache is off, and the log says so."""
    if not settings.response_cache:
        return None
    if settings.workers > 1 and not settings.redis_url:
        logger.warning(
            "response cache off: %d worker processes need REDIS_URL to share one cache",
            settings.workers,
        )
        return None
    store = open_store(settings.redis_url, settings.response_cache_bytes)
    watch = write_watch(settings.database_url, bool(settings.redis_url))
    return ResponseCache(store, watch, replica)


class OnlyQueriesAreShared(SchemaExtension):
    """A mutation's answer is never shared, however public what it returns."""

    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context
        depends = getattr(context.context, "depends", None)
        if depends is not None and not runs_a_query(context):
            depends.private()
