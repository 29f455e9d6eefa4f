"""One road from a write to its side effects.

A write states what it changed, once, inside its transaction: a node before and after
(`Effects.node`, with the node's `Kind` from `gql.publishing.kinds`) or what happened to
comments (`Effects.comments`). This module turns that into everything the change means,
each at its moment:

- in the transaction, at once: the change-log entries (appended in commit order, see
  `gql.publishing.change_log`) and the webhook deliveries (written to the outbox with the
  change they announce);
- after commit (`write_transaction`'s exit): the invalidation of the cached answers that
  showed what changed, then the live events.

A write that stated nothing (a refusal, a replay, nothing to do) commits without any of it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

import models
from gql.cache.dependencies import invalidation_for_comments, post_tag
from gql.context import Context
from gql.core.writes import serialised_writes
from gql.live import CommentsPublic, LiveEvent, QueueChanged
from gql.publishing import change_log, webhooks
from models.config import PRIMARY


@dataclass(frozen=True)
class Events:
    """The webhook events of a kind of node: it became public, changed while public, was
    made private, was deleted while public."""

    published: str
    updated: str
    unpublished: str
    deleted: str

    @classmethod
    def changed(cls, name: str) -> Events:
        """One event for every change (an always-public node, like an author)."""
        return cls(name, name, name, name)


def _always_public(row: Any, now: datetime) -> bool:
    return True


async def _no_dependents(connection: Any, row: Any) -> list[tuple[str, int]]:
    return []


@dataclass(frozen=True)
class Kind:
    """How one type of node is published: the declaration each content type adds (see
    `gql.publishing.kinds`). Its rows have `id` and `updated_at` (the time a change is
    logged at; a delete is logged at the write's time)."""

    typename: str
    """The GraphQL type, as in global IDs and change-log entries."""
    tags: Callable[[int], set[str]]
    """The cache tags a change to the node with this key invalidates."""
    events: Events
    uris: Callable[[Any, Any], Awaitable[list[str]]]
    """`uris(connection, row)`: the pages a static site rebuilds when it changes."""
    is_public: Callable[[Any, datetime], bool] = _always_public
    """Whether a row (in memory) is in the public view at a time."""
    dependents: Callable[[Any, Any], Awaitable[list[tuple[str, int]]]] = _no_dependents
    """`dependents(connection, row)`: the nodes that are public only while it is (a post's
    comments), logged with it when it goes public or stops being public."""
    scheduled: bool = False
    """Rows become public by date alone and keep `announced_at` (see
    `change_log.announce_due`)."""
    shown_in: Callable[[Any, Any], Awaitable[list[tuple[str, int]]]] = _no_dependents
    """`shown_in(connection, row)`: other nodes whose public view shows it (the menus that
    link to a post show its title and address), logged as changed whenever it changes in
    the public view, so a build's digest of them moves too."""


@dataclass(frozen=True)
class CommentsChanged:
    """What a write did to comments. Only changes on `public_posts` reach the change log,
    webhooks and live readers: comments are public only while their post is."""

    on_posts: Collection[int] = ()
    """Posts whose comments changed: their threads and counts are invalidated."""
    public_posts: Sequence[int] = ()
    """The public ones among them whose public view changed (each logged as changed)."""
    became_public: Mapping[int, Sequence[int]] = field(default_factory=dict)
    """By post: comments now public that were not (approved, or back with their parent)."""
    left_public: Sequence[int] = ()
    """Comments no longer public (held, trashed, erased)."""
    changed_public: Sequence[int] = ()
    """Comments public before and after, changed (an erased commenter's placeholders)."""
    touched: Collection[int] = ()
    """Every comment whose lookup by id may now answer differently."""
    queue: Sequence[QueueChanged] = ()
    """Comments entering or leaving the moderation queue (moderated, or gone while held)."""


class Effects:
    """The side effects of one write, stated in its transaction (`connection`). What goes
    in the transaction is done as it is stated; what waits for the commit is kept here."""

    def __init__(self, connection: Any, now: datetime) -> None:
        self.connection = connection
        self.now = now
        """The write's time; a write that first waits for a lock may take a later one."""
        self.tags: set[str] = set()
        self.live: list[LiveEvent] = []
        self.stated = False

    async def node(
        self,
        kind: Kind,
        row: Any,
        *,
        was_public: bool,
        deleted: bool = False,
        moved_posts: Sequence[int] | None = None,
    ) -> None:
        """`row` of `kind` was written (or is about to be deleted, `deleted`: call it before
        the delete, while what goes with it can still be read). `was_public`: it was in the
        public view before the write. `moved_posts`: posts moved off it by a delete (their
        author or categories changed with it)."""
        self.stated = True
        connection, now = self.connection, self.now
        at = now if deleted else row.updated_at
        tags = kind.tags(row.id) | {post_tag(pk) for pk in moved_posts or ()}
        self.tags |= tags
        public = not deleted and kind.is_public(row, now)
        if was_public or public:
            showing = await kind.shown_in(connection, row)
            await change_log.append(connection, _entries(models.ChangeKind.UPSERT, showing), at)
        if was_public and public:
            await change_log.append(connection, change_log.upserts(kind.typename, [row.id]), at)
            await self._webhook(kind, kind.events.updated, row, tags, at)
        elif public:
            nodes = [(kind.typename, row.id), *await kind.dependents(connection, row)]
            await change_log.append(connection, _entries(models.ChangeKind.UPSERT, nodes), at)
            if kind.scheduled:
                await _mark_announced(row, at, connection)
            await self._webhook(kind, kind.events.published, row, tags, at)
        elif was_public:
            nodes = [(kind.typename, row.id), *await kind.dependents(connection, row)]
            entries = _entries(models.ChangeKind.DELETE, nodes)
            if moved_posts is not None:
                public_moved = await change_log.ids_of(
                    models.Post.filter(
                        models.public_post_filter(now), id__in=list(moved_posts)
                    ).using_db(connection)
                )
                entries += change_log.upserts("Post", public_moved)
            await change_log.append(connection, entries, at)
            event = kind.events.deleted if deleted else kind.events.unpublished
            await self._webhook(kind, event, row, tags, at)
            if kind.scheduled:
                await _mark_announced(row, None, connection)
        elif kind.scheduled and not deleted and row.announced_at is not None:
            # Scheduled again, or a draft: `change_log.announce_due` announces it when it is
            # public.
            await _mark_announced(row, None, connection)

    async def comments(self, change: CommentsChanged) -> None:
        """Comments changed (see `CommentsChanged`)."""
        self.stated = True
        connection, now = self.connection, self.now
        public_posts = list(change.public_posts)
        if public_posts:
            became = [
                pk for post_id in public_posts for pk in change.became_public.get(post_id, ())
            ]
            entries = change_log.upserts("Comment", became)
            entries += change_log.deletes("Comment", change.left_public)
            entries += change_log.upserts("Comment", change.changed_public)
            entries += change_log.upserts("Post", public_posts)
            await change_log.append(connection, entries, now)
            for post_id in public_posts:
                approved = change.became_public.get(post_id, ())
                await webhooks.comments_approved(connection, post_id, approved, now)
        for post_id in change.on_posts:
            self.tags |= invalidation_for_comments(post_id, change.touched)
        for post_id in public_posts:
            if shown := tuple(change.became_public.get(post_id, ())):
                self.live.append(CommentsPublic(post_id, shown))
        self.live += change.queue

    async def _webhook(
        self, kind: Kind, event: str, row: Any, tags: set[str], at: datetime
    ) -> None:
        uris = await kind.uris(self.connection, row)
        nodes = [(kind.typename, row.id)]
        await webhooks.enqueue(self.connection, event, nodes, uris, tags, at)


def _entries(kind: models.ChangeKind, nodes: list[tuple[str, int]]) -> list[change_log.Entry]:
    return [(kind, typename, pk) for typename, pk in nodes]


async def _mark_announced(row: Any, at: datetime | None, connection: Any) -> None:
    row.announced_at = at
    await type(row).filter(id=row.id).using_db(connection).update(announced_at=at)


@asynccontextmanager
async def write_transaction(context: Context) -> AsyncIterator[Effects]:
    """One write's transaction (one write at a time on SQLite, see `serialised_writes`);
    once it has committed, if the write stated anything, the cached answers it changed are
    dropped, then live subscribers are told. Both before the next write of this process on
    SQLite starts, so its invalidations go out in commit order."""
    async with serialised_writes(context.settings.database_url):
        async with in_transaction(PRIMARY) as connection:
            effects = Effects(connection, context.now)
            yield effects
        if effects.stated:
            await context.written(effects.tags)
            await context.announce(*effects.live)
