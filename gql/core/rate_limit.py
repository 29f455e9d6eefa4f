"""Rate limits shared by every process that uses the same storage: in memory for a single
process, Redis when `REDIS_URL` is set (the `limits` library, moving windows)."""

from __future__ import annotations

import math
import time
from typing import Any

import coredis
from limits import RateLimitItem
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string


class RateLimiter:
    """Counts attempts per key against one limit."""

    def __init__(self, limit: RateLimitItem, namespace: str, redis_url: str | None) -> None:
        self.limit = limit
        self.namespace = namespace
        storage: Storage = MemoryStorage()
        # Our own Redis connection pool, so shutting down can close its connections.
        self._redis_pool: coredis.ConnectionPool | None = None
        if redis_url:
            self._redis_pool = coredis.ConnectionPool.from_url(redis_url)
            options: dict[str, Any] = {"connection_pool": self._redis_pool}
            shared = storage_from_string("async+" + redis_url, **options)
            assert isinstance(shared, Storage), "an async+ URL makes an asyncio storage"
            storage = shared
        self.storage = storage
        self.strategy = MovingWindowRateLimiter(storage)

    def close(self) -> None:
        """Close the Redis connections (nothing to do for the in-memory store)."""
        if self._redis_pool is not None:
            self._redis_pool.disconnect()

    async def hit(self, key: str) -> int | None:
        """Count an attempt for `key`: None when allowed, else seconds until one is allowed."""
        if await self.strategy.hit(self.limit, self.namespace, key):
            return None
        stats = await self.strategy.get_window_stats(self.limit, self.namespace, key)
        return max(1, math.ceil(stats.reset_time - time.time()))
