"""Public reads from a streaming replica (`DATABASE_REPLICA_URL`), safely.

Routing. An anonymous query (no API token, not a mutation) reads the replica; everything
else reads the primary: mutations and their payloads, every request with a token (editors'
drafts, the moderation queue, the builders' change feed and `/export.ndjson`, which must
never miss an entry), preview-token reads of a held comment, transactions, background work.
`ReplicaRouting` decides once per operation, right before it executes, and opts the
operation into `models.database.replica_reads()`; `models.database.read_connection()` gives
the same answer to code that sends its own SQL.

Reading your own writes. A replica is a little behind, so a reader who just submitted a
comment could reload the page and not find it. Every write records the primary's WAL
position after its commit (`written_lsn`) under the writer's client address, for
`WRITER_SECONDS`; a later anonymous query from that address reads the replica only once the
replica has replayed that position, else the primary. Comparing positions is exact (no
guessed delay) and needs no cookie: the API is cookie-less and cached answers are keyed
without one. Readers behind one address (a NAT) share the window: they read the primary for
a moment, which is correct, only less spread. With `REDIS_URL` the positions live in Redis,
so a reader's next request may reach any process.

The cache. A response read from the replica may be older than a write that already
invalidated the cache; stored, it would refill the cache with stale rows for good. So every
invalidation also records the WAL position of its write (`gql.cache.store`), and an
answer read from the replica is kept only when the replica had replayed the highest
recorded position before the answer's first row was read (`gql.http.view`).

A replica that fails (down, or no longer a standby) is skipped for `RETRY_SECONDS`: public
reads go to the primary meanwhile, and `/readyz` names it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import coredis
from cachetools import FIFOCache
from strawberry.extensions import SchemaExtension
from tortoise.connection import get_connection

from gql.core.operation_kind import runs_a_query
from models.config import PRIMARY, REPLICA
from models.database import replica_reads

logger = logging.getLogger("threadpress.replica")

# The primary's WAL position once a commit has returned, as bytes. With synchronous commit
# (the default) the commit record is flushed, hence written, before COMMIT returns, so
# `pg_current_wal_lsn()` (the write position) is at or past it, and it is a position the
# replica reaches as soon as it has what was flushed. `pg_current_wal_insert_lsn()` would
# be safe even with `synchronous_commit = off` (the record may not be written yet), but it
# can point past a page header no replica reports having replayed until more WAL comes,
# which would stop caching for a while after a quiet write: it is used only in that case.
WRITTEN_LSN_SQL = (
    "SELECT (CASE WHEN current_setting('synchronous_commit') = 'off' "
    "THEN pg_current_wal_insert_lsn() ELSE pg_current_wal_lsn() END - '0/0')::bigint"
)
# Where the replica's replay is: every transaction whose commit record ends at or before it
# is visible to a query that starts afterwards. Null on a server that is not a standby.
REPLAY_LSN_SQL = "SELECT (pg_last_wal_replay_lsn() - '0/0')::bigint"

RETRY_SECONDS = 5.0
"""How long a failed replica is left alone before it is tried again."""
PROBE_SECONDS = 1.0
"""Longest wait for the replica's replay position before reading the primary instead."""
WRITER_SECONDS = 300
"""How long a writer's position is remembered: longer than any replica lag worth serving."""
MAX_WRITERS = 100_000
REDIS_PREFIX = "threadpress:replica:writer:"


class ReplicaReads:
    """The replica as this process sees it: whether to use it now, and whose writes it must
    have replayed first."""

    def __init__(
        self,
        redis_url: str | None = None,
        *,
        retry_seconds: float = RETRY_SECONDS,
        probe_seconds: float = PROBE_SECONDS,
    ) -> None:
        self.retry_seconds = retry_seconds
        self.probe_seconds = probe_seconds
        # Why the replica was last skipped, in a few words for /readyz (details: the log).
        self.problem: str | None = None
        self._skip_until = 0.0
        # client -> (position, until when): the oldest write goes first past MAX_WRITERS,
        # being the nearest to its end anyway (every write gets the same WRITER_SECONDS), so
        # a read does not renew it (cachetools' TTLCache would: it is least recently used).
        self._writers: FIFOCache[str, tuple[int, float]] = FIFOCache(MAX_WRITERS)
        self._pool = coredis.ConnectionPool.from_url(redis_url) if redis_url else None
        self._redis: coredis.Redis[bytes] | None = (
            coredis.Redis(connection_pool=self._pool) if self._pool is not None else None
        )

    # --- positions --------------------------------------------------------------------------

    async def written_lsn(self) -> int | None:
        """The primary's WAL position; call right after a commit. None when the primary did
        not answer: the replica is then skipped for a while, as nothing can tell when it
        has that write."""
        try:
            _, rows = await get_connection(PRIMARY).execute_query(WRITTEN_LSN_SQL)
            return int(rows[0][0])
        except Exception as error:  # the write committed; its answer must still go out
            self._skip("write position unknown", f"the primary's WAL position: {error}")
            return None

    async def replay_lsn(self) -> int | None:
        """The replica's replay position, or None when it should not be read now."""
        if time.monotonic() < self._skip_until:
            return None
        return await self._probe()

    async def _probe(self) -> int | None:
        try:
            _, rows = await asyncio.wait_for(
                get_connection(REPLICA).execute_query(REPLAY_LSN_SQL), self.probe_seconds
            )
        except Exception as error:  # down, refusing, slow: read the primary instead
            self._skip("unreachable", f"{type(error).__name__}: {error}")
            return None
        lsn = rows[0][0]
        if lsn is None:  # promoted, or never a standby: its rows are not the primary's
            self._skip("not a standby", "pg_last_wal_replay_lsn() is null")
            return None
        if self.problem is not None:
            logger.info("replica: back in use")
        self.problem = None
        return int(lsn)

    def _skip(self, problem: str, detail: str) -> None:
        if self.problem is None:
            logger.warning("replica: %s (%s); public reads use the primary", problem, detail)
        self.problem = problem
        self._skip_until = time.monotonic() + self.retry_seconds

    async def check(self) -> str | None:
        """For readiness: None when the replica answers as a standby, else what is wrong.
        Probes now, whatever the retry window says."""
        await self._probe()
        return self.problem

    # --- reading your own writes ------------------------------------------------------------

    async def remember_writer(self, client: str, lsn: int) -> None:
        """`client` wrote; its reads need the replica to have replayed `lsn`."""
        if self._redis is not None:
            await self._redis.set(REDIS_PREFIX + client, str(lsn), ex=WRITER_SECONDS)
            return
        self._writers[client] = (lsn, time.monotonic() + WRITER_SECONDS)  # put back last

    async def writer_lsn(self, client: str) -> int:
        """The position `client`'s own last write needs (0: no recent write)."""
        if self._redis is not None:
            raw = await self._redis.get(REDIS_PREFIX + client)
            return int(raw) if raw else 0
        found = self._writers.get(client)
        if found is None:
            return 0
        lsn, expires = found
        if time.monotonic() >= expires:
            del self._writers[client]
            return 0
        return lsn

    async def lsn_for(self, client: str | None) -> int | None:
        """The replica's replay position when `client`'s query may read the replica now;
        None when it must read the primary."""
        # The writer's position first: a write this client completed before sending the
        # query is recorded by then, and the replay position read next is at least as new.
        needed = await self.writer_lsn(client) if client else 0
        replayed = await self.replay_lsn()
        if replayed is None or replayed < needed:
            return None
        return replayed

    @asynccontextmanager
    async def public_reads(self, client: str | None) -> AsyncIterator[int | None]:
        """Run the block's reads on the replica when `client`'s anonymous read may use it;
        yields the replica's replay position (None: the block reads the primary). A path
        that answers public reads without GraphQL uses this too, and must not cache an
        answer when the position is below the cache's (see `gql.http.view.replica_behind`)."""
        lsn = await self.lsn_for(client)
        if lsn is None:
            yield None
            return
        with replica_reads():
            yield lsn

    async def close(self) -> None:
        """Release the Redis connections."""
        if self._pool is not None:
            self._pool.disconnect()


class ReplicaRouting(SchemaExtension):
    """Runs an anonymous query against the replica when `ReplicaReads` allows it, and
    records the replica's position on the context for the cache (`Context.replica_lsn`).
    Decided after parsing, when the operation's type is known, and before any resolver."""

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        context = execution.context
        replica: ReplicaReads | None = getattr(context, "replica", None)
        if replica is None or getattr(context, "viewer", None) is not None:
            yield
            return
        if not runs_a_query(execution):
            yield
            return
        async with replica.public_reads(context.client_ip) as lsn:
            context.replica_lsn = lsn
            yield
