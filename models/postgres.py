"""Tortoise's asyncpg client, returning pooled connections without a session reset.

asyncpg's pool resets every connection it takes back (`SELECT pg_advisory_unlock_all();
CLOSE ALL; UNLISTEN *; RESET ALL`): one more round trip for every query Tortoise runs, since
Tortoise takes a connection from the pool per query. A post page's 13 queries cost 26 round
trips, and the server's CPU for each reset competes with the requests themselves.

Threadpress leaves no session state on pooled connections: advisory locks are transaction
locks (`pg_advisory_xact_lock`), the only `SET` is `SET TRANSACTION`, cursors live inside
transactions, and `LISTEN` runs on connections of its own (gql/cache/foreign_writes.py,
gql/live/brokers.py). asyncpg still rolls back a transaction left open before the
connection returns to the pool (`Connection._reset`, which runs whatever `reset` is given).
tests/test_database_sessions.py checks that nothing is left behind.

Within `one_connection_each()` (a read operation, see gql/extensions/operation_connection.py) a
client also lends the task one pooled connection, taken at its first query and returned when the
block ends, instead of one per query: a post page's dozen queries then cost one pool acquire and
release, as a hand-written endpoint's do. Queries that the operation runs at the same time take
turns on it (as on Tortoise's single-connection clients). A transaction runs on a connection of
its own, as always (`TransactionWrapper`); the lent one goes back to the pool first, so a task
never holds one connection while it waits for another (two tasks doing so could each wait on the
connection the other holds, once the pool is empty)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from tortoise.backends.base.client import (
    ConnectionWrapper,
    PoolConnectionWrapper,
    TransactionalDBClient,
    TransactionContext,
)

from models.internals import TransactionHookedAsyncpgClient, pool_init_lock, pool_of

logger = logging.getLogger("threadpress.database")


async def keep_session(_connection: asyncpg.Connection) -> None:
    """Nothing to undo (see the module's doc); asyncpg has already ended any transaction."""


class _LentConnection(PoolConnectionWrapper[asyncpg.Connection]):
    """One pooled connection lent to a task for the rest of a `one_connection_each()`
    block: taken at first use, its queries one at a time, returned by `give_back`. Once the
    task opens a transaction it is given back for good, and each later query takes a
    connection of its own for its own duration, as outside the block."""

    __slots__ = ("_borrowed", "_home", "_turn", "given_back")

    def __init__(self, client: PooledAsyncpgClient) -> None:
        super().__init__(client, pool_init_lock(client))
        self._turn = asyncio.Lock()
        self._home: asyncpg.Pool | None = None  # the pool `connection` came from
        self._borrowed: asyncpg.Connection | None = None
        self.given_back = False

    async def __aenter__(self) -> asyncpg.Connection:
        await self._turn.acquire()
        try:
            await self.ensure_connection()
            if self.given_back:  # a query that was waiting for its turn meanwhile
                self._borrowed = await self._client_pool().acquire()
                return self._borrowed
            if self.connection is None:
                self._home = self._client_pool()
                self.connection = await self._home.acquire()
        except BaseException:
            self._turn.release()
            raise
        return self.connection

    async def __aexit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        try:
            if self._borrowed is not None:
                borrowed, self._borrowed = self._borrowed, None
                await self._client_pool().release(borrowed)
        finally:
            self._turn.release()

    def _client_pool(self) -> asyncpg.Pool:
        """The client's pool (created by `ensure_connection`)."""
        pool = pool_of(self.client)
        assert pool is not None, "ensure_connection creates the pool"
        return pool

    async def give_back(self) -> None:
        """Return the connection to the pool it came from (asyncpg rolls back anything left
        open), once no query runs on it; a pool closed meanwhile has closed it already."""
        async with self._turn:
            self.given_back = True
            connection, pool = self.connection, self._home
            self.connection = self._home = None
        if connection is None or pool is None:
            return
        try:
            await pool.release(connection)
        except asyncpg.InterfaceError as error:
            logger.debug("a lent connection could not go back to its pool: %s", error)


class _AfterGivingBack(TransactionContext):
    """A transaction that starts once the task's lent connection is back in the pool."""

    __slots__ = ("lent", "transaction")

    def __init__(self, lent: _LentConnection, transaction: TransactionContext) -> None:
        self.lent = lent
        self.transaction = transaction

    async def __aenter__(self) -> TransactionalDBClient:
        await self.lent.give_back()
        return await self.transaction.__aenter__()

    async def __aexit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        await self.transaction.__aexit__(exc_type, exc_val, exc_tb)


_LENT: ContextVar[dict[int, _LentConnection] | None] = ContextVar("lent_connections", default=None)
"""The connections lent in the current `one_connection_each()` block, by client."""


@asynccontextmanager
async def one_connection_each() -> AsyncIterator[None]:
    """Within this block, each PostgreSQL client runs the task's queries on one pooled
    connection (see the module's doc), returned to its pool when the block ends."""
    lent: dict[int, _LentConnection] = {}
    token = _LENT.set(lent)
    try:
        yield
    finally:
        _LENT.reset(token)
        for connection in lent.values():
            await connection.give_back()


class PooledAsyncpgClient(TransactionHookedAsyncpgClient):
    """Tortoise's asyncpg client with `keep_session` as the pool's reset, lending one
    connection per `one_connection_each()` block."""

    async def create_pool(self, **kwargs: Any) -> asyncpg.Pool:
        return await asyncpg.create_pool(None, reset=keep_session, **kwargs)

    def acquire_connection(self) -> ConnectionWrapper[Any] | PoolConnectionWrapper[Any]:
        lent = _LENT.get()
        if lent is None:
            return super().acquire_connection()
        connection = lent.get(id(self))
        if connection is None:
            connection = lent[id(self)] = _LentConnection(self)
        elif connection.given_back:
            return super().acquire_connection()
        return connection

    def wrap_transaction(self, transaction: TransactionContext) -> TransactionContext:
        lent = _LENT.get()
        if lent is None:
            return transaction
        connection = lent.get(id(self))
        if connection is None:  # no query yet: none will be lent from now on either
            connection = lent[id(self)] = _LentConnection(self)
        elif connection.given_back:
            return transaction
        return _AfterGivingBack(connection, transaction)


client_class = PooledAsyncpgClient
"""What Tortoise looks up in an engine module."""
