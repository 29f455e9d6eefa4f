"""A PostgreSQL connection of its own that LISTENs on one channel and comes back when lost.

Used by the response cache (other processes' writes, gql/cache/foreign_writes.py) and by live
comments (events from other processes, gql/live/brokers.py). LISTEN needs a session that
stays open, so it never runs on the ORM's pool (whose connections come back without a
session reset: models/postgres.py); NOTIFY goes through the pool.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from models.config import asyncpg_dsn

logger = logging.getLogger("threadpress.listen")

RECONNECT_SECONDS = 1.0


class PostgresListener:
    """LISTEN on `channel` at `url`; `notified(payload)` for each notification. `connected`
    runs on each new connection before it counts as up (to read what was missed); `lost`
    runs when the connection drops, before it is re-established in the background."""

    def __init__(
        self,
        url: str,
        channel: str,
        notified: Callable[[str], None],
        *,
        what: str,
        connected: Callable[[Any], Awaitable[None]] | None = None,
        lost: Callable[[], None] | None = None,
    ) -> None:
        self.url = asyncpg_dsn(url)
        self.channel = channel
        self.what = what
        self._notified = notified
        self._connected = connected
        self._lost_hook = lost
        self._connection: Any = None
        self._reconnect: asyncio.Task[None] | None = None
        self._closing = False

    @property
    def up(self) -> bool:
        """Whether notifications are being received now."""
        return self._connection is not None

    async def connect(self) -> None:
        """Open the connection and LISTEN (raises when the database cannot be reached)."""
        connection = await asyncpg.connect(self.url)
        try:
            await connection.add_listener(self.channel, self._received)
            if self._connected is not None:
                await self._connected(connection)
        except BaseException:
            # Never leave a half-set-up connection listening (it would deliver twice once
            # the next attempt succeeds).
            connection.terminate()
            raise
        connection.add_termination_listener(self._lost)
        self._connection = connection

    def connect_in_background(self) -> None:
        """Keep trying to connect until up (or closed)."""
        self._reconnect = asyncio.get_running_loop().create_task(self._connect_until_up())

    def _received(self, _connection: object, _pid: object, _channel: object, payload: str) -> None:
        self._notified(payload)

    def _lost(self, *_args: object) -> None:
        self._connection = None
        if self._lost_hook is not None:
            self._lost_hook()
        if not self._closing:
            logger.warning("%s: lost the LISTEN connection; reconnecting", self.what)
            self.connect_in_background()

    async def _connect_until_up(self) -> None:
        while not self._closing and self._connection is None:
            try:
                await self.connect()
            except (OSError, asyncpg.PostgresError) as error:
                logger.debug("%s: cannot LISTEN yet: %s", self.what, error)
                await asyncio.sleep(RECONNECT_SECONDS)

    async def close(self) -> None:
        """Stop listening and close the connection."""
        self._closing = True
        if self._reconnect is not None:
            self._reconnect.cancel()
            with suppress(asyncio.CancelledError):
                await self._reconnect
        if self._connection is not None:
            await self._connection.close()
            self._connection = None
