"""Opening, migrating and closing the database, and choosing the connection a read uses.

With a read replica (`DATABASE_REPLICA_URL`) there are two Tortoise connections: `default`,
the primary, and `replica`. Every read goes to the primary unless the code serving the
current request opted into the replica with `replica_reads()` (the GraphQL view does so for
anonymous queries, see `gql.cache.replica`). The choice lives in one context variable, consulted
by `ReadRouter` (which Tortoise asks for every ORM read) and by `read_connection()` (for code
that sends its own SQL), so nothing else needs `using_db`. Inside a transaction on the
primary every read stays in that transaction, whatever the variable says.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from tortoise import BaseDBAsyncClient, Tortoise
from tortoise.backends.base.client import TransactionalDBClient
from tortoise.connection import get_connection
from tortoise.migrations.api import migrate

from models.config import (
    PRIMARY,
    REPLICA,
    check_database_url,
    database_url,
    tortoise_config,
)

# Off by default: background work, the export, the change feed, commands and tests read
# the primary unless they say otherwise. Set per request (asyncio copies it into the tasks
# a request starts, such as DataLoader batches), never globally.
_replica_reads: ContextVar[bool] = ContextVar("threadpress_replica_reads", default=False)


async def open_database(url: str | None = None, replica_url: str | None = None) -> None:
    """Connect Tortoise to `url` (and to the read replica at `replica_url`); the ORM state is
    global so every request task sees it. Connections open lazily: a replica that is down
    does not stop the server from starting."""
    check_database_url(url or database_url())
    await Tortoise.init(config=tortoise_config(url, replica_url), _enable_global_fallback=True)


async def close_database() -> None:
    """Close every connection Tortoise opened."""
    await Tortoise.close_connections()


async def migrate_database(url: str | None = None) -> None:
    """Apply every committed migration that the database has not seen yet, then close the
    connections the migration opened (an open SQLite connection keeps the process alive)."""
    check_database_url(url or database_url())
    try:
        await migrate(config=tortoise_config(url))
    finally:
        await Tortoise.close_connections()


def primary_connection() -> BaseDBAsyncClient:
    """The primary's connection (inside `in_transaction()`, that transaction)."""
    return get_connection(PRIMARY)


def _reads_replica() -> bool:
    # A transaction's reads must see its own writes and its locks: the primary's
    # connection is then the transaction itself (Tortoise swaps it in for this task).
    return _replica_reads.get() and not isinstance(primary_connection(), TransactionalDBClient)


def read_connection() -> BaseDBAsyncClient:
    """The connection public reads of the current request should use: the replica when the
    request opted in with `replica_reads()` and is not inside a transaction, else the
    primary. For code that sends SQL itself; ORM queries are routed by `ReadRouter`."""
    return get_connection(REPLICA) if _reads_replica() else primary_connection()


@contextmanager
def replica_reads() -> Iterator[None]:
    """Send the reads of the block (and of the tasks it starts) to the replica. Only for
    reads whose answer may be a little behind: never a writer's own follow-up reads."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


class ReadRouter:
    """Tortoise's router (configured only with a replica): the alias for each read; None
    leaves the model's default connection, the primary, to Tortoise. Writes are never
    routed (`db_for_write` is absent: Tortoise then uses the default)."""

    def db_for_read(self, model: Any) -> str | None:
        return REPLICA if _reads_replica() else None
