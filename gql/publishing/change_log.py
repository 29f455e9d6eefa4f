"""Writing the change log (`models.Change`) and announcing scheduled posts and pages.

Every write that changes the public view appends its entries inside its own transaction,
after taking one transaction-level advisory lock on PostgreSQL: appends are serialised, so
ids are handed out in commit order and a sync token (an id) never skips an entry that
commits later. SQLite has a single writer, which gives the same order.

A scheduled post becomes public by its date alone; the change log learns of it when
`announce_due` runs (a background loop in every server, and before the feed is read): a
conditional update under the same lock marks it announced, so however many processes run
it, each post is announced once. That is the real write at the post's time: its feed
entries, and the invalidation of the cached answers that could list it. Scheduled pages
are announced the same way (`announce_due_pages`); `announce_all_due` runs both and answers
the cache tags to drop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from tortoise import timezone
from tortoise.transactions import in_transaction

import models
from gql.cache.dependencies import invalidation_for_page, invalidation_for_post
from gql.publishing import webhooks
from models.config import PRIMARY

FEED_LOCK_KEY = 7_110_211_901  # any fixed 64-bit number, the same in every process
ANNOUNCE_EVERY_SECONDS = 15.0

Entry = tuple[models.ChangeKind, str, int]
"""(kind, typename, primary key) of one changed node."""

logger = logging.getLogger("threadpress.changes")


def upserts(typename: str, ids: Iterable[int]) -> list[Entry]:
    """Entries for nodes that became public or changed."""
    return [(models.ChangeKind.UPSERT, typename, pk) for pk in ids]


def deletes(typename: str, ids: Iterable[int]) -> list[Entry]:
    """Entries for nodes that stopped being public."""
    return [(models.ChangeKind.DELETE, typename, pk) for pk in ids]


async def append(connection: Any, entries: list[Entry], now: datetime) -> None:
    """Append `entries` to the log in the caller's transaction, in commit order."""
    if not entries:
        return
    await _lock(connection)
    await models.Change.bulk_create(
        [
            models.Change(kind=kind, typename=typename, node_id=pk, changed_at=now)
            for kind, typename, pk in entries
        ],
        using_db=connection,
    )


async def _lock(connection: Any) -> None:
    """Hold other appends off until this transaction ends (PostgreSQL; SQLite has one
    writer already)."""
    if connection.capabilities.dialect != "sqlite":
        await connection.execute_query("SELECT pg_advisory_xact_lock($1)", [FEED_LOCK_KEY])


async def ids_of(query: Any) -> list[int]:
    """The primary keys a queryset matches."""
    return [int(value) for value in await query.values_list("id", flat=True)]


async def public_comment_ids(post_id: int, connection: Any) -> list[int]:
    """The comments of a post that are public whenever the post is."""
    return await ids_of(
        models.Comment.filter(models.IN_PUBLIC_THREAD_RULE.filter(), post_id=post_id).using_db(
            connection
        )
    )


async def ids_of_menus_showing(link_kind: str, ids: list[int], connection: Any) -> list[int]:
    """The menus with an item linking to one of `ids` of `link_kind` (a `Link.kind` of
    `gql.menus.links`): their public view shows those nodes."""
    menu_ids: list[Any] = (
        await models.MenuItem.filter(link_kind=link_kind, link_id__in=ids)
        .using_db(connection)
        .values_list("menu_id", flat=True)
    )
    return sorted({int(pk) for pk in menu_ids})


ANNOUNCE_BATCH = 500
"""Posts announced per transaction. An import due all at once (thousands of posts, a
hundred thousand comments) is announced a batch at a time, so the feed entries built in
memory stay bounded instead of growing with the data set."""


async def announce_due(now: datetime | None = None) -> list[int]:
    """Announce the posts whose publication time has come; the ids announced. A fixed
    number of statements per batch of `ANNOUNCE_BATCH` posts however many are due, plus
    two per post for webhooks when anyone subscribes."""
    now = now or timezone.now()
    announced: list[int] = []
    while True:
        batch = await _announce_batch(now)
        announced += batch
        if len(batch) < ANNOUNCE_BATCH:
            return announced


async def _announce_batch(now: datetime) -> list[int]:
    """Announce up to `ANNOUNCE_BATCH` due posts (the oldest ids first), in one transaction."""
    async with in_transaction(PRIMARY) as connection:

        def due_posts() -> Any:
            return models.Post.filter(
                models.public_post_filter(now), announced_at__isnull=True
            ).using_db(connection)

        if not await due_posts().exists():
            return []
        # Under the lock, what is still due is this pass's alone: a pass that held the lock
        # before has committed its announcements, and they are no longer due.
        await _lock(connection)
        due = await ids_of(due_posts().order_by("id").limit(ANNOUNCE_BATCH))
        if not due:
            return []
        await models.Post.filter(id__in=due).using_db(connection).update(announced_at=now)
        pairs = (
            await models.Comment.filter(models.IN_PUBLIC_THREAD_RULE.filter(), post_id__in=due)
            .using_db(connection)
            .order_by("id")
            .values_list("post_id", "id")
        )
        comments: dict[int, list[int]] = {}
        for post_id, comment_id in pairs:
            comments.setdefault(int(post_id), []).append(int(comment_id))
        entries: list[Entry] = []
        for post_id in due:
            entries += upserts("Post", [post_id]) + upserts("Comment", comments.get(post_id, []))
        # Menus linking to them show them from now on (see `kinds.menus_showing`).
        menus = await ids_of_menus_showing("post", due, connection)
        entries += upserts("Menu", menus)
        await append(connection, entries, now)
        if await models.WebhookSubscriber.all().using_db(connection).exists():
            for post in await models.Post.filter(id__in=due).using_db(connection):
                await webhooks.post_event(connection, "post.published", post, now)
    return due


async def announce_due_pages(now: datetime | None = None) -> list[int]:
    """Announce the pages whose publication time has come (as `announce_due` posts; pages
    have no comments to announce with them); the ids announced."""
    now = now or timezone.now()
    announced: list[int] = []
    while True:
        batch = await _announce_page_batch(now)
        announced += batch
        if len(batch) < ANNOUNCE_BATCH:
            return announced


async def _announce_page_batch(now: datetime) -> list[int]:
    """Announce up to `ANNOUNCE_BATCH` due pages, in one transaction, under the lock."""
    async with in_transaction(PRIMARY) as connection:

        def due_pages() -> Any:
            return models.Page.filter(
                models.public_page_filter(now), announced_at__isnull=True
            ).using_db(connection)

        if not await due_pages().exists():
            return []
        await _lock(connection)
        due = await ids_of(due_pages().order_by("id").limit(ANNOUNCE_BATCH))
        if not due:
            return []
        await models.Page.filter(id__in=due).using_db(connection).update(announced_at=now)
        # Menus linking to them show them from now on (see `kinds.menus_showing`).
        menus = await ids_of_menus_showing("page", due, connection)
        await append(connection, upserts("Page", due) + upserts("Menu", menus), now)
        if await models.WebhookSubscriber.all().using_db(connection).exists():
            for page in await models.Page.filter(id__in=due).using_db(connection):
                await webhooks.page_event(connection, "page.published", page, now)
    return due


async def announce_all_due(now: datetime | None = None) -> set[str]:
    """Announce every due post and page; the cache tags their becoming public invalidates
    (empty when nothing was due)."""
    now = now or timezone.now()
    tags: set[str] = set()
    for post_id in await announce_due(now):
        tags |= invalidation_for_post(post_id)
    for page_id in await announce_due_pages(now):
        tags |= invalidation_for_page(page_id)
    return tags


def is_public(post: models.Post, now: datetime) -> bool:
    """`models.PUBLIC_POST_RULE` (what `public_post_filter` decides in SQL) for one post in
    memory."""
    return models.PUBLIC_POST_RULE.holds(post, now)


async def announce_everything(now: datetime | None = None) -> None:
    """After a bulk write (an import): every author, category, tag and menu, and every public
    post and page not yet announced, posts with their comments. A build compares digests to skip
    what did not change."""
    now = now or timezone.now()
    async with in_transaction(PRIMARY) as connection:
        authors = await ids_of(models.Author.all().using_db(connection))
        categories = await ids_of(models.Category.all().using_db(connection))
        tags = await ids_of(models.Tag.all().using_db(connection))
        entries = upserts("Author", authors) + upserts("Category", categories)
        entries += upserts("Tag", tags)
        menus = await ids_of(models.Menu.all().using_db(connection))
        entries += upserts("Menu", menus)
        await append(connection, entries, now)
    await announce_all_due(now)


async def announce_loop(on_announced: Any) -> None:
    """Announce due posts and pages every few seconds until cancelled; `on_announced(tags)`
    runs after each pass that announced some, with the cache tags to invalidate."""
    while True:
        await asyncio.sleep(ANNOUNCE_EVERY_SECONDS)
        try:
            announced = await announce_all_due()
            if announced:
                await on_announced(announced)
        except Exception:
            logger.exception("announcing scheduled posts failed")
