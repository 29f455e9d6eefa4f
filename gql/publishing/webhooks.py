"""Webhooks: events written to an outbox with the change they announce, and a sender that
delivers them signed, at least once, with retries.

Events: post.published, post.updated, post.unpublished, post.deleted, the same four of
pages (page.published...), comment.approved, category.changed, tag.changed, author.changed,
media.uploaded, media.updated, media.deleted, menu.changed (a menu has no address: its
`uris` are empty). The body is `{event, deliveryId, occurredAt,
nodes: [{id, typename}], uris, tags}`: the node ids, the pages to rebuild (the post, its
categories', tags' and author's archives, the home page; a page and its parent; the pages
that show an image) and the cache tags (as in `Cache-Tag`), so a Next.js
`revalidatePath`/`revalidateTag` or a CDN purge can act on it directly.

Each POST carries `X-Threadpress-Timestamp` (Unix seconds), `X-Threadpress-Delivery` (the
id, to drop repeats) and `X-Threadpress-Signature: sha256=<hex>`, the HMAC-SHA256 of
`<timestamp>.<raw body>` with the subscriber's secret. A sender claims due deliveries with
a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL), so with several processes each delivery
is sent by one of them; a failure is retried with exponential backoff, and a crash mid-send
only means the lease runs out and the delivery is sent again. A batch is sent one delivery
after another, so each lease is renewed just before its send, only while it is still this
process's: a slow receiver cannot make the end of a batch lapse and go out twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import httpx
import orjson
from tortoise import timezone
from tortoise.transactions import in_transaction

import models
from gql.cache.dependencies import (
    invalidation_for_comments,
    invalidation_for_page,
    invalidation_for_post,
)
from gql.core.ids import to_global_id
from models.config import PRIMARY

EVENTS = (
    "post.published",
    "post.updated",
    "post.unpublished",
    "post.deleted",
    "page.published",
    "page.updated",
    "page.unpublished",
    "page.deleted",
    "comment.approved",
    "category.changed",
    "tag.changed",
    "author.changed",
    "media.uploaded",
    "media.updated",
    "media.deleted",
    "menu.changed",
)
MAX_ATTEMPTS = 10
LEASE_SECONDS = 60
SEND_TIMEOUT_SECONDS = 10.0
SEND_EVERY_SECONDS = 2.0
BATCH = 20

logger = logging.getLogger("threadpress.webhooks")


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """`sha256=<hex>` of `<timestamp>.<body>`, as receivers check it."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: 2, 4, 8... seconds, at most an hour."""
    return timedelta(seconds=min(2**attempts, 3600))


async def enqueue(
    connection: Any,
    event: str,
    nodes: Iterable[tuple[str, int]],
    uris: Iterable[str],
    tags: Iterable[str],
    now: datetime,
) -> None:
    """Write `event` to the outbox of every subscriber that wants it, in the caller's
    transaction."""
    subscribers = await models.WebhookSubscriber.all().using_db(connection)
    wanting = [s for s in subscribers if s.wants(event)]
    if not wanting:
        return
    payload = {
        "event": event,
        "occurredAt": now.isoformat(),
        "nodes": [{"id": to_global_id(t, pk), "typename": t} for t, pk in nodes],
        "uris": sorted(set(uris)),
        "tags": sorted(set(tags)),
    }
    for subscriber in wanting:
        delivery_id = str(uuid.uuid4())
        body = orjson.dumps({**payload, "deliveryId": delivery_id}).decode()
        await models.WebhookDelivery.create(
            subscriber_id=subscriber.id,
            delivery_id=delivery_id,
            event=event,
            body=body,
            next_attempt_at=now,
            using_db=connection,
        )


async def post_uris(connection: Any, post: models.Post) -> list[str]:
    """A post's pages: its own, the home, its categories', tags' and author's archives."""
    categories = await models.Category.filter(posts__id=post.id).using_db(connection)
    tags = await models.Tag.filter(posts__id=post.id).using_db(connection)
    author = await models.Author.filter(id=post.author_id).using_db(connection).first()
    uris = [post.uri, "/", *(c.uri for c in categories)]
    uris += [models.tag_uri(t.slug) for t in tags]
    if author is not None:
        uris.append(models.author_uri(author.slug))
    return uris


async def post_event(connection: Any, event: str, post: models.Post, now: datetime) -> None:
    """An event about a post (`post_uris`), for posts announced by date
    (`change_log.announce_due`); a write's events go through `gql.publishing.effects`."""
    uris = await post_uris(connection, post)
    await enqueue(connection, event, [("Post", post.id)], uris, invalidation_for_post(post.id), now)


async def page_uris(connection: Any, page: models.Page) -> list[str]:
    """A page's pages to rebuild: its own, and its parent's (which lists its children)."""
    uris = [page.uri]
    if page.parent_id is not None:
        parent = await models.Page.filter(id=page.parent_id).using_db(connection).first()
        if parent is not None:
            uris.append(parent.uri)
    return uris


async def page_event(connection: Any, event: str, page: models.Page, now: datetime) -> None:
    """An event about a page announced by date (as `post_event` for posts)."""
    uris = await page_uris(connection, page)
    await enqueue(connection, event, [("Page", page.id)], uris, invalidation_for_page(page.id), now)


async def comments_approved(
    connection: Any, post_id: int, comment_ids: Iterable[int], now: datetime
) -> None:
    """`comment.approved` for comments that just became public."""
    ids = list(comment_ids)
    if not ids:
        return
    post = await models.Post.filter(id=post_id).using_db(connection).first()
    if post is None:
        return
    nodes = [("Comment", pk) for pk in ids] + [("Post", post_id)]
    tags = invalidation_for_comments(post_id, ids)
    await enqueue(connection, "comment.approved", nodes, [post.uri], tags, now)


async def _claim(now: datetime) -> list[models.WebhookDelivery]:
    """Due deliveries, leased to this process for `LEASE_SECONDS` (each row's
    `next_attempt_at` is its lease, to renew with `_renew`)."""
    async with in_transaction(PRIMARY) as connection:
        query = (
            models.WebhookDelivery.filter(
                delivered_at__isnull=True, failed_at__isnull=True, next_attempt_at__lte=now
            )
            .order_by("id")
            .limit(BATCH)
            .using_db(connection)
        )
        if connection.capabilities.dialect != "sqlite":
            query = query.select_for_update(skip_locked=True)
        due = await query
        lease = now + timedelta(seconds=LEASE_SECONDS)
        if due:
            await (
                models.WebhookDelivery.filter(id__in=[d.id for d in due])
                .using_db(connection)
                .update(next_attempt_at=lease)
            )
        for delivery in due:
            delivery.next_attempt_at = lease
    return list(due)


async def _renew(delivery: models.WebhookDelivery, lease: datetime) -> bool:
    """Extend this process's lease on `delivery` to `lease`; False when it is no longer
    ours (it lapsed and another process claimed it, or it was sent meanwhile)."""
    renewed = await models.WebhookDelivery.filter(
        id=delivery.id,
        next_attempt_at=delivery.next_attempt_at,
        delivered_at__isnull=True,
        failed_at__isnull=True,
    ).update(next_attempt_at=lease)
    if not renewed:
        return False
    delivery.next_attempt_at = lease
    return True


async def deliver_due(client: httpx.AsyncClient, now: datetime | None = None) -> int:
    """Send the deliveries that are due; how many were delivered."""
    now = now or timezone.now()
    started = time.monotonic()
    delivered = 0
    for delivery in await _claim(now):
        # Sends before this one may have taken most of the batch's lease: renew it for this
        # send (at most SEND_TIMEOUT_SECONDS, well within a lease), or leave the delivery
        # to the process that claimed it once it lapsed.
        elapsed = timedelta(seconds=time.monotonic() - started)
        if not await _renew(delivery, now + elapsed + timedelta(seconds=LEASE_SECONDS)):
            continue
        subscriber = await models.WebhookSubscriber.get_or_none(id=delivery.subscriber_id)
        if subscriber is None:
            continue
        body = delivery.body.encode()
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Threadpress-Webhooks/1",
            "X-Threadpress-Event": delivery.event,
            "X-Threadpress-Delivery": delivery.delivery_id,
            "X-Threadpress-Timestamp": str(timestamp),
            "X-Threadpress-Signature": signature(subscriber.secret, timestamp, body),
        }
        error = ""
        try:
            response = await client.post(
                subscriber.url, content=body, headers=headers, timeout=SEND_TIMEOUT_SECONDS
            )
            if not 200 <= response.status_code < 300:
                error = f"HTTP {response.status_code}"
        except httpx.HTTPError as failure:
            error = f"{type(failure).__name__}: {failure}"[:500]
        attempts = delivery.attempts + 1
        if not error:
            await models.WebhookDelivery.filter(id=delivery.id).update(
                attempts=attempts, delivered_at=timezone.now(), last_error=""
            )
            delivered += 1
        elif attempts >= MAX_ATTEMPTS:
            await models.WebhookDelivery.filter(id=delivery.id).update(
                attempts=attempts, failed_at=timezone.now(), last_error=error
            )
        else:
            await models.WebhookDelivery.filter(id=delivery.id).update(
                attempts=attempts, next_attempt_at=now + retry_delay(attempts), last_error=error
            )
    return delivered


async def send_loop() -> None:
    """Deliver due webhooks every few seconds until cancelled (the first pass a moment
    after start, once the server is up)."""
    async with httpx.AsyncClient(follow_redirects=False) as client:
        while True:
            await asyncio.sleep(SEND_EVERY_SECONDS)
            try:
                await deliver_due(client)
            except Exception:
                logger.exception("webhook delivery pass failed")
