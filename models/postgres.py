"""Tortoise's asyncpg client, returning pooled connections without a session reset.

asyncpg's pool resets every connection it takes back (`SELECT pg_advisory_unlock_all();
CLOSE ALL; UNLISTEN *; RESET ALL`): one more round trip for every query Tortoise runs, since
Tortoise takes a connection from the pool per query. A post page's 13 queries cost 26 round
trips, and the server's CPU for each reset competes with the requests themselves.

Threadpress leaves no session state on pooled connections: advisory locks are transaction
locks (`pg_advisory_xact_lock`), the only `SET` is `SET TRANSACTION`, cursors live inside
transactions, and `LISTEN` runs on connections of its own (gql/foreign_writes.py,
gql/live/brokers.py). asyncpg still rolls back a transaction left open before the
connection returns to the pool (`Connection._reset`, which runs whatever `reset` is given).
tests/test_database_sessions.py checks that nothing is left behind.
"""

from __future__ import annotations

from typing import Any

import asyncpg  # type: ignore[import-untyped]
from tortoise.backends.asyncpg.client import AsyncpgDBClient


async def keep_session(_connection: asyncpg.Connection) -> None:
    """Nothing to undo (see the module's doc); asyncpg has already ended any transaction."""


class PooledAsyncpgClient(AsyncpgDBClient):
    """Tortoise's asyncpg client with `keep_session` as the pool's reset."""

    async def create_pool(self, **kwargs: Any) -> asyncpg.Pool:
        return await asyncpg.create_pool(None, reset=keep_session, **kwargs)


client_class = PooledAsyncpgClient
"""What Tortoise looks up in an engine module."""
