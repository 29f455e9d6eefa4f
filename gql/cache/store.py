"""The response cache: public read answers kept as bytes, dropped exactly when a write
changes something they read.

A response is keyed by a hash of the raw request (the GET query string, or the POST body:
document, operation name, variables, extensions), so a hit costs no JSON or GraphQL parsing.
It records the tags of what it read (`gql.cache.dependencies`); a write invalidates the tags of
what it changed, and an entry sharing any of them is never served again.

Invalidation is by version: every invalidation takes the next number of one sequence and
stamps it on its tags. An entry remembers the sequence number at which its request started
reading; it is valid while none of its tags was stamped later. The same rule refuses to store
a response whose request overlapped a write of one of its tags (it may have read the rows
before the write), so a slow reader can never put a stale answer back.

Stores: `MemoryStore` for one process (least recently used entries go first past a byte
budget), `RedisStore` when `REDIS_URL` is set, so every process shares entries and
invalidations (one round trip for a hit, done by a script inside Redis).

With a read replica (`gql.cache.replica`), an invalidation also records the primary's WAL position
after its write: the highest one (`Position.lsn`) tells which answers read from the replica
may be stored (see `gql.http.view`).

Time is the other thing that changes a public answer: a scheduled post becomes public at its
date. Every entry expires at the next scheduled publication, so nothing cached before it
outlives it (`PublicationClock`).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import coredis
from cachetools import LRUCache

import models
from models.database import primary_connection

# Entries live at most this long in Redis, and tag stamps longer, so a stamp never expires
# before the entries it must invalidate.
REDIS_ENTRY_SECONDS = 24 * 3600
REDIS_TAG_SECONDS = 2 * REDIS_ENTRY_SECONDS


def cache_key(method: str, raw: bytes) -> str:
    """The key of a request: its method and raw query string or body, hashed."""
    return hashlib.sha256(method.encode() + b"\n" + raw).hexdigest()


@dataclass(frozen=True)
class Position:
    """Where invalidations stand: the number of the last one, and the highest primary WAL
    position any of them recorded (0 without a replica)."""

    sequence: int
    lsn: int = 0


@dataclass(frozen=True)
class CachedResponse:
    """A cached answer: the exact response body, the tags of what it read, and the name of
    its operation (for the access log)."""

    body: bytes
    tags: tuple[str, ...]
    operation: str | None = None


class ResponseStore(Protocol):
    """Where cached responses live."""

    async def sequence(self) -> int:
        """The current invalidation number: a request that starts reading now passes it to
        `put`."""
        ...

    async def position(self) -> Position:
        """The sequence and the highest recorded WAL position, read together: every
        invalidation numbered up to the sequence has recorded its position by then."""
        ...

    async def get(self, key: str) -> CachedResponse | None:
        """The valid entry under `key`, if any."""
        ...

    async def put(
        self, key: str, response: CachedResponse, *, since: int, expires_at: float | None
    ) -> bool:
        """Keep `response` unless one of its tags was invalidated after `since`; it expires
        at `expires_at` (Unix time) when given. Whether it was kept."""
        ...

    async def invalidate(self, tags: Collection[str], lsn: int = 0) -> None:
        """Drop every entry that read one of `tags`, changed by a write that the primary's
        WAL holds up to `lsn` (its position is recorded no later than the stamps)."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


@dataclass
class _MemoryEntry:
    response: CachedResponse
    since: int
    expires_at: float | None


def _body_bytes(entry: _MemoryEntry) -> int:
    return len(entry.response.body)


class MemoryStore:
    """Entries in this process, within a byte budget: the bodies' bytes, least recently
    served out first. An entry found invalid (expired, or a tag stamped since) is dropped
    when looked up, and counts until then."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: LRUCache[str, _MemoryEntry] = LRUCache(max_bytes, getsizeof=_body_bytes)
        self._sequence = 0
        self._lsn = 0
        self._stamps: dict[str, int] = {}

    async def sequence(self) -> int:
        return self._sequence

    async def position(self) -> Position:
        return Position(self._sequence, self._lsn)

    def _valid(self, entry: _MemoryEntry) -> bool:
        if entry.expires_at is not None and time.time() >= entry.expires_at:
            return False
        if self._sequence <= entry.since:
            return True  # nothing at all was invalidated since it was stored
        stamps = self._stamps
        return all(stamps.get(tag, 0) <= entry.since for tag in entry.response.tags)

    async def get(self, key: str) -> CachedResponse | None:
        entry = self._entries.get(key)  # a hit is the most recently used from now on
        if entry is None:
            return None
        if not self._valid(entry):
            del self._entries[key]
            return None
        return entry.response

    async def put(
        self, key: str, response: CachedResponse, *, since: int, expires_at: float | None
    ) -> bool:
        entry = _MemoryEntry(response, since, expires_at)
        # Larger than the whole budget: not kept (cachetools would raise "value too large").
        if _body_bytes(entry) > self.max_bytes or not self._valid(entry):
            return False
        self._entries.pop(key, None)  # the old answer's bytes first, so only others go
        self._entries[key] = entry  # least recently used entries go until it fits
        return True

    async def invalidate(self, tags: Collection[str], lsn: int = 0) -> None:
        if not tags:
            return
        self._lsn = max(self._lsn, lsn)
        self._sequence += 1
        for tag in tags:
            self._stamps[tag] = self._sequence

    async def close(self) -> None:
        self._entries.clear()


# KEYS[1] the entry. Returns {body, meta} when no tag of it was stamped after it was filled.
_GET_SCRIPT = """
local meta = redis.call('HGET', KEYS[1], 'meta')
if not meta then return false end
local entry = cjson.decode(meta)
for _, tag in ipairs(entry.tags) do
  local stamp = tonumber(redis.call('GET', ARGV[1] .. tag) or '0')
  if stamp > entry.since then
    redis.call('DEL', KEYS[1])
    return false
  end
end
return {redis.call('HGET', KEYS[1], 'body'), meta}
"""

# KEYS[1] the entry; ARGV: tag prefix, since, meta JSON, body, expiry (ms, Unix time).
_PUT_SCRIPT = """
local entry = cjson.decode(ARGV[3])
local since = tonumber(ARGV[2])
for _, tag in ipairs(entry.tags) do
  if tonumber(redis.call('GET', ARGV[1] .. tag) or '0') > since then return 0 end
end
redis.call('HSET', KEYS[1], 'meta', ARGV[3], 'body', ARGV[4])
redis.call('PEXPIREAT', KEYS[1], ARGV[5])
return 1
"""

# KEYS[1] the sequence, KEYS[2] the highest WAL position; ARGV: tag prefix, stamp lifetime
# (s), WAL position, tags... The position is raised in the same atomic step as the stamps.
_INVALIDATE_SCRIPT = """
local lsn = tonumber(ARGV[3])
if lsn > tonumber(redis.call('GET', KEYS[2]) or '0') then
  redis.call('SET', KEYS[2], ARGV[3])
end
local stamp = redis.call('INCR', KEYS[1])
for i = 4, #ARGV do
  redis.call('SET', ARGV[1] .. ARGV[i], stamp, 'EX', tonumber(ARGV[2]))
end
return stamp
"""


class RedisStore:
    """Entries and invalidations shared by every process using the same Redis."""

    def __init__(self, redis_url: str, prefix: str = "threadpress:cache:") -> None:
        self._pool = coredis.ConnectionPool.from_url(redis_url)
        self._redis: coredis.Redis[bytes] = coredis.Redis(connection_pool=self._pool)
        self._prefix = prefix
        self._tag_prefix = prefix + "tag:"
        self._get = self._redis.register_script(_GET_SCRIPT)
        self._put = self._redis.register_script(_PUT_SCRIPT)
        self._invalidate = self._redis.register_script(_INVALIDATE_SCRIPT)

    def _entry(self, key: str) -> str:
        return self._prefix + "entry:" + key

    async def sequence(self) -> int:
        value = await self._redis.get(self._prefix + "sequence")
        return int(value or 0)

    async def position(self) -> Position:
        sequence, lsn = await self._redis.mget([self._prefix + "sequence", self._prefix + "lsn"])
        return Position(int(sequence or 0), int(lsn or 0))

    async def get(self, key: str) -> CachedResponse | None:
        found = await self._get(keys=[self._entry(key)], args=[self._tag_prefix])
        if not isinstance(found, list) or len(found) != 2:
            return None
        body, meta = found
        if not isinstance(body, bytes) or not isinstance(meta, bytes):
            return None
        decoded = json.loads(meta)
        return CachedResponse(body, tuple(decoded["tags"]), decoded.get("operation"))

    async def put(
        self, key: str, response: CachedResponse, *, since: int, expires_at: float | None
    ) -> bool:
        latest = time.time() + REDIS_ENTRY_SECONDS
        expiry_ms = int(1000 * min(latest, expires_at if expires_at is not None else latest))
        meta = json.dumps(
            {"tags": list(response.tags), "since": since, "operation": response.operation}
        )
        stored = await self._put(
            keys=[self._entry(key)],
            args=[self._tag_prefix, since, meta, response.body, expiry_ms],
        )
        return stored == 1

    async def invalidate(self, tags: Collection[str], lsn: int = 0) -> None:
        if not tags:
            return
        await self._invalidate(
            keys=[self._prefix + "sequence", self._prefix + "lsn"],
            args=[self._tag_prefix, REDIS_TAG_SECONDS, lsn, *sorted(tags)],
        )

    async def close(self) -> None:
        self._pool.disconnect()


class PublicationClock:
    """When the next scheduled post or page becomes public: every entry expires then.

    Asked on every store, answered from memory; read again from the database only once that
    moment has passed or after an invalidation (a write may have scheduled a post)."""

    def __init__(self) -> None:
        self._sequence: int | None = None
        self._next: datetime | None = None

    async def next_publication(self, now: datetime, sequence: int) -> datetime | None:
        """The first publication time after `now`, knowing invalidations up to `sequence`."""
        if self._sequence == sequence and (self._next is None or self._next > now):
            return self._next
        # From the primary: a replica behind a write that scheduled a post would hide it, and
        # entries would outlive its publication.
        moments: list[datetime] = []
        for model, scheduled in (
            (models.Post, models.scheduled_post_filter(now)),
            (models.Page, models.scheduled_page_filter(now)),
        ):
            first: Any = (
                await model.filter(scheduled)
                .order_by("published_at")
                .only("id", "published_at")
                .using_db(primary_connection())
                .first()
            )
            if first is not None and first.published_at is not None:
                moments.append(first.published_at)
        self._next = min(moments, default=None)
        self._sequence = sequence
        return self._next


def open_store(redis_url: str | None, max_bytes: int) -> ResponseStore:
    """Redis when configured (shared by every process), else this process's memory."""
    if redis_url:
        return RedisStore(redis_url)
    return MemoryStore(max_bytes)


def shareable_status(status: int, body: dict[str, Any]) -> bool:
    """Whether an answer may be cached at all: a complete success."""
    return status == 200 and "errors" not in body and body.get("data") is not None
