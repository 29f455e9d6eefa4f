"""Live comments: subscriptions fed by writes, across every server process.

Writers call `Live.publish` once their transaction has committed; the broker
(`gql.live.brokers`) carries the event to every process, whose hub (`gql.live.hub`) loads
what it names and hands it to that process's subscribers.
"""

from __future__ import annotations

import logging

from gql.live.brokers import Broker, open_broker
from gql.live.events import CommentsPublic, LiveEvent, QueueChanged, parts
from gql.live.hub import ConnectionSlots, Hub
from gql.settings import Settings

logger = logging.getLogger("threadpress.live")


class Live:
    """The hub, the broker that feeds it and the cap on subscriber connections."""

    def __init__(self, broker: Broker, max_connections: int) -> None:
        self.broker = broker
        self.hub = Hub()
        self.slots = ConnectionSlots(max_connections)

    async def start(self) -> None:
        """Deliver events; subscribe to the broker."""
        self.hub.start()
        await self.broker.start(self.hub.received)

    async def publish(self, *events: LiveEvent) -> None:
        """Announce committed writes. A broker outage is logged, never raised: the write
        already happened and its answer must not turn into an error."""
        for event in events:
            for part in parts(event):
                try:
                    await self.broker.publish(part)
                except Exception:
                    logger.exception("live: could not publish %r", part)

    async def close(self) -> None:
        """End every subscription and release the broker."""
        await self.broker.close()
        await self.hub.close()


def build_live(settings: Settings) -> Live:
    """Live comments over the broker the settings imply."""
    return Live(
        open_broker(settings.database_url, settings.redis_url),
        settings.max_subscriber_connections,
    )


__all__ = ["CommentsPublic", "Live", "LiveEvent", "QueueChanged", "build_live"]
