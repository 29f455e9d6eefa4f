"""How live events reach every server process.

- `RedisBroker` (when `REDIS_URL` is set): Redis pub/sub. Redis delivers a message to every
  subscribed connection, the publisher's own included.
- `PostgresBroker` (PostgreSQL without Redis): `pg_notify` through the ORM's pool, `LISTEN`
  on one dedicated asyncpg connection per process; PostgreSQL delivers to every listening
  session of the database, the publisher's own included.
- `LocalBroker` (SQLite, which serves one process): straight to this process's hub.

Either way a process keeps one broker subscription, however many subscribers it serves, and
an event is published once its transaction has committed. A lost connection is retried every
`RECONNECT_SECONDS`; events sent while it was down are missed (live delivery is best effort:
a client that reconnects reads what it missed with an ordinary query).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import suppress
from typing import Protocol
from urllib.parse import urlsplit

import asyncpg  # type: ignore[import-untyped]
import coredis

from gql.core.pg_listener import PostgresListener
from gql.live.events import LiveEvent, decode, encode
from models.config import is_postgres
from models.database import primary_connection

logger = logging.getLogger("threadpress.live")

NOTIFY_CHANNEL = "threadpress_live"
REDIS_CHANNEL = "threadpress:live"
RECONNECT_SECONDS = 1.0
STARTUP_SECONDS = 5.0
"""How long start-up waits for the broker subscription before serving without it."""

Received = Callable[[LiveEvent], None]


class Broker(Protocol):
    """Carries events between the processes that serve the same database."""

    async def start(self, received: Received) -> None:
        """Subscribe; `received` is called on the event loop with every event."""
        ...

    async def publish(self, event: LiveEvent) -> None:
        """Send `event` to every process (this one included)."""
        ...

    async def close(self) -> None:
        """Unsubscribe and release connections."""
        ...


class LocalBroker:
    """One process: events go straight to its own subscribers."""

    def __init__(self) -> None:
        self._received: Received | None = None

    async def start(self, received: Received) -> None:
        self._received = received

    async def publish(self, event: LiveEvent) -> None:
        if self._received is not None:
            self._received(event)

    async def close(self) -> None:
        self._received = None


def redis_channel(redis_url: str) -> str:
    """The channel for `redis_url`. Pub/sub ignores Redis's database numbers, so the channel
    names the database: deployments sharing one Redis on different databases stay apart."""
    database = urlsplit(redis_url).path.strip("/") or "0"
    return f"{REDIS_CHANNEL}:{database}"


class RedisBroker:
    """Redis pub/sub on one channel."""

    def __init__(self, redis_url: str) -> None:
        self.channel = redis_channel(redis_url)
        self._redis: coredis.Redis[bytes] = coredis.Redis.from_url(redis_url)
        self._listener: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()

    async def start(self, received: Received) -> None:
        self._listener = asyncio.create_task(self._listen(received))
        try:
            await asyncio.wait_for(self._subscribed.wait(), STARTUP_SECONDS)
        except TimeoutError:
            logger.error("live: Redis pub/sub is not reachable yet; retrying in the background")

    async def _listen(self, received: Received) -> None:
        while True:
            try:
                async with self._redis.pubsub(
                    channels=[self.channel], ignore_subscribe_messages=True
                ) as pubsub:
                    self._subscribed.set()
                    async for message in pubsub:
                        data = message["data"]
                        if message["type"] == "message" and isinstance(data, str | bytes):
                            event = decode(data)
                            if event is not None:
                                received(event)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                self._subscribed.clear()
                logger.warning("live: lost Redis pub/sub (%s); reconnecting", error)
            await asyncio.sleep(RECONNECT_SECONDS)

    async def publish(self, event: LiveEvent) -> None:
        await self._redis.publish(self.channel, encode(event))

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None
        # The connections `publish` used stay pooled until the pool lets them go.
        self._redis.connection_pool.disconnect()


class PostgresBroker:
    """PostgreSQL `LISTEN`/`NOTIFY` on one channel of the database."""

    def __init__(self, database_url: str) -> None:
        self._received: Received | None = None
        self._listener = PostgresListener(database_url, NOTIFY_CHANNEL, self._notified, what="live")

    async def start(self, received: Received) -> None:
        self._received = received
        try:
            await asyncio.wait_for(self._listener.connect(), STARTUP_SECONDS)
        except (OSError, TimeoutError, asyncpg.PostgresError) as error:
            logger.error("live: cannot LISTEN yet (%s); retrying in the background", error)
            self._listener.connect_in_background()

    def _notified(self, payload: str) -> None:
        event = decode(payload)
        if event is not None and self._received is not None:
            self._received(event)

    async def publish(self, event: LiveEvent) -> None:
        # Through the ORM's pool, not the listening connection (one query at a time there).
        await primary_connection().execute_query(
            "SELECT pg_notify($1, $2)", [NOTIFY_CHANNEL, encode(event)]
        )

    async def close(self) -> None:
        await self._listener.close()


def open_broker(database_url: str, redis_url: str | None) -> Broker:
    """Redis when configured, else PostgreSQL's own notifications, else this process."""
    if redis_url:
        return RedisBroker(redis_url)
    if is_postgres(database_url):
        return PostgresBroker(database_url)
    return LocalBroker()
