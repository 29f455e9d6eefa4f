"""This process's live subscribers, and the fan-out of broker events to them.

The broker hands every event to `Hub.received`; one dispatcher task takes them in order,
loads what they name once (however many subscribers wait for it) and offers it to each
interested subscriber's inbox. Inboxes are bounded: a subscriber that stops reading while
events keep coming is closed rather than buffered without end, so a slow client can never
make the server hold an unbounded backlog.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from typing import Generic, TypeVar

from tortoise import timezone

import models
from gql.live.events import CommentsPublic, LiveEvent, QueueChanged
from models.rows import COMMENTS, CommentRow

logger = logging.getLogger("threadpress.live")

INBOX_SIZE = 100
"""Deliveries a subscriber may have waiting; one more and it is closed (a slow reader)."""
BACKLOG_SIZE = 10_000
"""Broker events waiting for the dispatcher; past it events are dropped (and logged)."""

T = TypeVar("T")


class _Closed:
    """Marks the end of an inbox."""


_CLOSED = _Closed()


class Inbox(Generic[T]):
    """One subscriber's deliveries, at most `size` waiting."""

    def __init__(self, size: int = INBOX_SIZE, *, ends_at_stop: bool = False) -> None:
        self._queue: asyncio.Queue[T | _Closed] = asyncio.Queue(maxsize=size + 1)
        self._size = size
        self.closed = False
        self.overflowed = False
        # An event stream's: ended as soon as the process is asked to stop (`Hub.stopping`).
        self.ends_at_stop = ends_at_stop

    def offer(self, item: T) -> None:
        """Deliver `item`, or close a subscriber that has `size` deliveries unread."""
        if self.closed:
            return
        if self._queue.qsize() >= self._size:
            self.overflowed = True
            logger.warning("live: closed a subscriber that fell %d events behind", self._size)
            self.close()
            return
        self._queue.put_nowait(item)

    def close(self) -> None:
        """End the subscriber's stream; what it had not read yet is dropped."""
        if self.closed:
            return
        self.closed = True
        while not self._queue.empty():
            self._queue.get_nowait()
        self._queue.put_nowait(_CLOSED)

    def __aiter__(self) -> Inbox[T]:
        return self

    async def __anext__(self) -> T:
        item = await self._queue.get()
        if isinstance(item, _Closed):
            self._queue.put_nowait(item)  # stays closed for any later read
            raise StopAsyncIteration
        return item


@dataclass(frozen=True)
class QueueDelivery:
    """A moderation-queue change, with the comment as it is now (None: deleted)."""

    comment_id: int
    entered: bool
    row: models.Comment | None


class Hub:
    """Subscribers of this process, by what they wait for."""

    def __init__(self, inbox_size: int = INBOX_SIZE) -> None:
        self.inbox_size = inbox_size
        self._comments: defaultdict[int, set[Inbox[list[CommentRow]]]] = defaultdict(set)
        self._queue: set[Inbox[QueueDelivery]] = set()
        self._backlog: asyncio.Queue[LiveEvent] = asyncio.Queue(maxsize=BACKLOG_SIZE)
        self._dispatcher: asyncio.Task[None] | None = None
        self.stopping = False

    @property
    def subscriber_count(self) -> int:
        """Subscriptions open in this process."""
        return sum(map(len, self._comments.values())) + len(self._queue)

    def _opened(self, inbox: Inbox[T]) -> Inbox[T]:
        if self.stopping and inbox.ends_at_stop:
            inbox.close()
        return inbox

    @asynccontextmanager
    async def comments_of(
        self, post_id: int, *, ends_at_stop: bool = False
    ) -> AsyncIterator[Inbox[list[CommentRow]]]:
        """The comments of post `post_id` that become public, while the block runs;
        `ends_at_stop`: ended by `stop` (an event stream's)."""
        inbox: Inbox[list[CommentRow]] = self._opened(
            Inbox(self.inbox_size, ends_at_stop=ends_at_stop)
        )
        self._comments[post_id].add(inbox)
        try:
            yield inbox
        finally:
            inbox.close()
            waiting = self._comments.get(post_id)
            if waiting is not None:
                waiting.discard(inbox)
                if not waiting:
                    del self._comments[post_id]

    @asynccontextmanager
    async def moderation_queue(
        self, *, ends_at_stop: bool = False
    ) -> AsyncIterator[Inbox[QueueDelivery]]:
        """Comments entering and leaving the moderation queue, while the block runs."""
        inbox: Inbox[QueueDelivery] = self._opened(
            Inbox(self.inbox_size, ends_at_stop=ends_at_stop)
        )
        self._queue.add(inbox)
        try:
            yield inbox
        finally:
            inbox.close()
            self._queue.discard(inbox)

    def received(self, event: LiveEvent) -> None:
        """An event from the broker (called on the event loop, never blocks)."""
        try:
            self._backlog.put_nowait(event)
        except asyncio.QueueFull:
            logger.error("live: %d events wait for delivery; dropped %r", BACKLOG_SIZE, event)

    def start(self) -> None:
        """Begin delivering."""
        self._dispatcher = asyncio.create_task(self._dispatch())

    def stop(self) -> None:
        """The process was asked to stop: end every subscription that ends at a stop (the
        event streams, which then send `complete`), now and for any opened later; the rest
        go when the server closes their connections."""
        self.stopping = True
        inboxes: list[Inbox[list[CommentRow]] | Inbox[QueueDelivery]] = [
            *(inbox for waiting in self._comments.values() for inbox in waiting),
            *self._queue,
        ]
        for inbox in inboxes:
            if inbox.ends_at_stop:
                inbox.close()

    async def close(self) -> None:
        """Stop delivering and end every subscriber's stream."""
        if self._dispatcher is not None:
            self._dispatcher.cancel()
            with suppress(asyncio.CancelledError):
                await self._dispatcher
            self._dispatcher = None
        for inboxes in list(self._comments.values()):
            for inbox in list(inboxes):
                inbox.close()
        for queue_inbox in list(self._queue):
            queue_inbox.close()

    async def _dispatch(self) -> None:
        while True:
            event = await self._backlog.get()
            try:
                await self.deliver(event)
            except Exception:
                # A database hiccup loses this event for this process, never the loop.
                logger.exception("live: could not deliver %r", event)

    async def deliver(self, event: LiveEvent) -> None:
        """Load what `event` names, once, and offer it to every subscriber waiting for it."""
        if isinstance(event, CommentsPublic):
            inboxes = list(self._comments.get(event.post_id, ()))
            if not inboxes:
                return
            # The public view now: a comment moderated away (or a post unpublished) since
            # the event was sent is not delivered.
            rows = await COMMENTS.read(
                models.Comment.filter(
                    models.PUBLIC_COMMENT_RULE.filter(timezone.now()),
                    post_id=event.post_id,
                    id__in=event.comment_ids,
                ).order_by("path")
            )
            if rows:
                for inbox in inboxes:
                    inbox.offer(rows)
        elif isinstance(event, QueueChanged):
            queue_inboxes = list(self._queue)
            if not queue_inboxes:
                return
            row = await models.Comment.get_or_none(id=event.comment_id)
            delivery = QueueDelivery(event.comment_id, event.entered, row)
            for queue_inbox in queue_inboxes:
                queue_inbox.offer(delivery)


class ConnectionSlots:
    """At most `limit` subscriber connections (WebSockets and event streams) at once."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    def take(self) -> bool:
        """Reserve a slot; False when every one is taken."""
        if self.used >= self.limit:
            return False
        self.used += 1
        return True

    def give_back(self) -> None:
        """Release a slot taken with `take`."""
        self.used = max(0, self.used - 1)
