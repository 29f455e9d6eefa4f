"""Noticing writes made by another process (`threadpress import`, `threadpress demo`, or
another `threadpress serve` over the same database) while the server keeps its response
cache in memory.

The server's own writes invalidate exactly what they changed. Another process writes the
same database but cannot reach this server's memory, so the server watches the database:
- SQLite: `PRAGMA data_version` on a connection of its own changes whenever any other
  connection commits. Reading it costs microseconds, so it is checked on every cache hit.
  (SQLite serves one server process; commands are the other writers.)
- PostgreSQL: a command sends `NOTIFY threadpress_cache` after it commits (see
  `announce_bulk_write`), and so does every server after each of its own public writes,
  signed with its own id so that it ignores its own; every server listens on one connection
  of its own. A notification arrives moments after the write's response, not before it:
  several servers that must never serve a stale answer share a cache in Redis.
Either way a foreign write drops every entry. With `REDIS_URL` the cache lives in Redis and
every process invalidates it there directly, so no watching is needed.

On PostgreSQL a writer also tells the primary's WAL position after its commit (in the
notification's payload, or with it in Redis), so that answers read from a read replica are
cached only once the replica has the writer's rows (see `gql.cache.replica`).
"""

from __future__ import annotations

import logging
import sqlite3
import uuid
from typing import Any, Protocol

from gql.cache.dependencies import invalidation_for_everything
from gql.cache.replica import WRITTEN_LSN_SQL
from gql.cache.store import RedisStore
from gql.core.pg_listener import PostgresListener
from models.config import is_postgres, sqlite_file
from models.database import primary_connection

NOTIFY_CHANNEL = "threadpress_cache"

logger = logging.getLogger("threadpress.cache")


class WriteWatch(Protocol):
    """Tells whether some other process wrote the database."""

    def changed(self) -> bool:
        """Whether a write this process did not account for happened since the last call."""
        ...

    def absorb(self) -> None:
        """This process just wrote (and invalidated what it changed): not foreign."""
        ...

    def lsn(self) -> int:
        """The highest primary WAL position a foreign write announced (0: none known)."""
        ...

    async def announce(self, lsn: int) -> None:
        """This process committed a public write (at WAL position `lsn`, 0 when unknown):
        tell the other processes watching."""
        ...

    async def start(self) -> None:
        """Begin watching."""
        ...

    async def close(self) -> None:
        """Stop watching."""
        ...


class NoWatch:
    """Nothing to watch (an in-memory database, or a Redis-backed cache)."""

    def changed(self) -> bool:
        return False

    def lsn(self) -> int:
        return 0

    def absorb(self) -> None:
        return None

    async def announce(self, lsn: int) -> None:
        return None

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None


class SqliteDataVersion:
    """`PRAGMA data_version` of a connection that never writes: it moves whenever another
    connection (this server's own included) commits, so the server's own writes are
    absorbed right after they invalidate."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._connection: sqlite3.Connection | None = None
        self._seen = 0

    def _version(self) -> int:
        if self._connection is None:
            return self._seen
        row = self._connection.execute("PRAGMA data_version").fetchone()
        return int(row[0])

    def changed(self) -> bool:
        version = self._version()
        if version == self._seen:
            return False
        self._seen = version
        return True

    def absorb(self) -> None:
        self._seen = self._version()

    def lsn(self) -> int:
        return 0  # SQLite has no replicas

    async def announce(self, lsn: int) -> None:
        return None  # the others' data_version moves by itself

    async def start(self) -> None:
        self._connection = sqlite3.connect(self.path, check_same_thread=False)
        self._seen = self._version()

    async def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class PostgresNotifications:
    """LISTEN on `threadpress_cache`. A lost connection counts as a foreign write (a
    notification may have been missed) until it is back."""

    def __init__(self, url: str) -> None:
        # Signs this process's own notifications, which it receives too.
        self.sender = uuid.uuid4().hex
        self._changed = False
        self._lsn = 0
        self._listener = PostgresListener(
            url,
            NOTIFY_CHANNEL,
            self._notified,
            what="cache (caching pauses until it is back)",
            connected=self._caught_up,
            lost=self._missed,
        )

    def changed(self) -> bool:
        changed, self._changed = self._changed, False
        return changed or not self._listener.up

    def absorb(self) -> None:
        return None

    def lsn(self) -> int:
        return self._lsn

    async def announce(self, lsn: int) -> None:
        # On a pooled connection rather than the listening one, so a lost listener cannot
        # keep the others from hearing of this write. Payload: `<sender>:<position>`.
        await primary_connection().execute_query(
            "SELECT pg_notify($1, $2)", [NOTIFY_CHANNEL, f"{self.sender}:{lsn}"]
        )

    def _notified(self, payload: str) -> None:
        # A command's payload is its position alone; a server's is `<sender>:<position>`.
        sender, _, position = payload.rpartition(":")
        if sender == self.sender:
            return  # this process's own write, already invalidated exactly
        self._changed = True
        if position.isdigit():
            self._lsn = max(self._lsn, int(position))

    def _missed(self) -> None:
        self._changed = True

    async def _caught_up(self, connection: Any) -> None:
        # Whatever was written while away is at or before the primary's position now (on
        # a server that is itself a standby, there is no such position: nothing to wait for).
        position = await connection.fetchval(
            "SELECT CASE WHEN pg_is_in_recovery() THEN 0 "
            "ELSE (pg_current_wal_lsn() - '0/0')::bigint END"
        )
        self._lsn = max(self._lsn, int(position or 0))
        self._changed = True  # whatever happened while away

    async def start(self) -> None:
        await self._listener.connect()

    async def close(self) -> None:
        await self._listener.close()


def write_watch(database_url: str, shared_store: bool) -> WriteWatch:
    """The watch for a memory cache over `database_url` (none for a shared store)."""
    if shared_store:
        return NoWatch()
    if is_postgres(database_url):
        return PostgresNotifications(database_url)
    path = sqlite_file(database_url)
    return SqliteDataVersion(str(path)) if path is not None else NoWatch()


async def announce_bulk_write(database_url: str, redis_url: str | None) -> None:
    """Tell running servers that this process wrote a lot: call after committing."""
    lsn = 0
    if is_postgres(database_url):
        _, rows = await primary_connection().execute_query(WRITTEN_LSN_SQL)
        lsn = int(rows[0][0])
    if redis_url:
        store = RedisStore(redis_url)
        try:
            await store.invalidate(invalidation_for_everything(), lsn)
        finally:
            await store.close()
    if is_postgres(database_url):
        await primary_connection().execute_script(f"NOTIFY {NOTIFY_CHANNEL}, '{lsn}'")
