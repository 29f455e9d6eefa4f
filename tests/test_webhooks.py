"""A site's build service and CDN hear of every published post and approved comment through
signed webhooks, delivered at least once, retried after failures, and never lost on a
restart. The receiver is a real HTTP server on loopback."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from tortoise import timezone

import models
from gql.core.ids import to_global_id
from gql.core.tokens import create_token
from gql.publishing.webhooks import LEASE_SECONDS, deliver_due
from tests import factories
from tests.conftest import app_client, graphql

SECRET = "receiver-secret-0123456789"
PUBLISH = "mutation($id: ID!) { publishPost(input: {id: $id}) { errors { code } } }"
APPROVE = (
    "mutation($id: ID!) { moderateComment(input: {id: $id, action: APPROVE}) { errors { code } } }"
)


@dataclass
class Receiver:
    """What the receiver was sent, and the statuses it answers with, in turn."""

    url: str
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.received.append((dict(self.headers.items()), body))
            status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


async def _send(now_offset: float = 0) -> int:
    async with httpx.AsyncClient() as client:
        return await deliver_due(client, timezone.now() + timedelta(seconds=now_offset))


async def _draft() -> tuple[models.Post, dict[str, str]]:
    writer = await factories.author(slug="jo", name="Jo")
    running = await factories.category(slug="running", name="Running")
    post = await factories.post(
        writer, slug="hills", status=models.PostStatus.DRAFT, categories=[running]
    )
    _, secret = await create_token("the editor", models.Role.EDITOR)
    return post, {"Authorization": f"Bearer {secret}"}


def _verify(headers: dict[str, str], body: bytes) -> None:
    timestamp = headers["X-Threadpress-Timestamp"]
    expected = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    assert headers["X-Threadpress-Signature"] == "sha256=" + expected.hexdigest()


async def test_a_published_post_is_announced_signed_with_its_pages_and_tags(
    db: str, receiver: Receiver
) -> None:
    await models.WebhookSubscriber.create(url=receiver.url, secret=SECRET, events="*")
    post, editor = await _draft()

    async with app_client(db) as http:
        await graphql(http, PUBLISH, {"id": to_global_id("Post", post.id)}, editor)
    waiting = await models.WebhookDelivery.all()  # in the outbox with the write itself
    delivered = await _send()

    assert [d.event for d in waiting] == ["post.published"]
    assert delivered == 1
    [(headers, body)] = receiver.received
    _verify(headers, body)
    assert headers["X-Threadpress-Delivery"] == waiting[0].delivery_id
    sent = json.loads(body)
    day = timezone.now().strftime("%Y/%m/%d")
    assert sent["event"] == "post.published"
    assert sent["deliveryId"] == waiting[0].delivery_id
    assert sent["nodes"] == [{"id": to_global_id("Post", post.id), "typename": "Post"}]
    assert sent["uris"] == ["/", f"/{day}/hills/", "/author/jo/", "/category/running/"]
    assert f"post:{post.id}" in sent["tags"]
    assert (await models.WebhookDelivery.get(id=waiting[0].id)).delivered_at is not None
    assert await _send() == 0  # delivered once


async def test_tag_changes_are_announced_and_a_post_names_its_tag_archives(
    db: str, receiver: Receiver
) -> None:
    await models.WebhookSubscriber.create(url=receiver.url, secret=SECRET, events="*")
    post, editor = await _draft()
    hills = await factories.tag(slug="hills", name="Hills")
    await post.tags.add(hills)
    hills_id = to_global_id("Tag", hills.id)

    async with app_client(db) as http:
        await graphql(http, PUBLISH, {"id": to_global_id("Post", post.id)}, editor)
        await graphql(
            http,
            'mutation($id: ID!) { updateTag(input: {id: $id, name: "Climbs"}) { tag { id } } }',
            {"id": hills_id},
            editor,
        )
    await _send()

    published, renamed = (json.loads(body) for _, body in receiver.received)
    day = timezone.now().strftime("%Y/%m/%d")
    assert published["event"] == "post.published"
    assert published["uris"] == [
        "/",
        f"/{day}/hills/",
        "/author/jo/",
        "/category/running/",
        "/tag/hills/",
    ]
    assert renamed["event"] == "tag.changed"
    assert renamed["nodes"] == [{"id": hills_id, "typename": "Tag"}]
    assert renamed["uris"] == ["/", "/tag/hills/"]
    assert renamed["tags"] == ["posts", f"tag:{hills.id}", "tags"]


async def test_a_failing_receiver_gets_the_delivery_again_later(
    db: str, receiver: Receiver
) -> None:
    await models.WebhookSubscriber.create(url=receiver.url, secret=SECRET)
    post, editor = await _draft()
    receiver.statuses = [500]

    async with app_client(db) as http:
        await graphql(http, PUBLISH, {"id": to_global_id("Post", post.id)}, editor)
    first = await _send()
    [delivery] = await models.WebhookDelivery.all()
    too_soon = await _send()
    later = await _send(now_offset=3)  # past the first backoff (2 s)

    assert (first, too_soon, later) == (0, 0, 1)
    assert (delivery.attempts, delivery.last_error) == (1, "HTTP 500")
    assert len(receiver.received) == 2
    assert receiver.received[0][1] == receiver.received[1][1]  # the same event, same id


async def test_deliveries_survive_a_restart_and_are_sent_once_by_racing_senders(
    db: str, receiver: Receiver
) -> None:
    await models.WebhookSubscriber.create(url=receiver.url, secret=SECRET)
    post, editor = await _draft()

    async with app_client(db) as http:  # the server stops before anything is sent
        await graphql(http, PUBLISH, {"id": to_global_id("Post", post.id)}, editor)
    sent = await asyncio.gather(_send(), _send(), _send())

    assert sum(sent) == 1
    assert len(receiver.received) == 1


async def test_subscribers_get_only_the_events_they_asked_for(db: str, receiver: Receiver) -> None:
    await models.WebhookSubscriber.create(
        url=receiver.url, secret=SECRET, events="comment.approved"
    )
    post, editor = await _draft()
    held = await factories.comment(post, status=models.CommentModeration.PENDING)
    _, moderator = await create_token("a moderator", models.Role.MODERATOR)

    async with app_client(db) as http:
        await graphql(http, PUBLISH, {"id": to_global_id("Post", post.id)}, editor)
        await graphql(
            http,
            APPROVE,
            {"id": to_global_id("Comment", held.id)},
            {"Authorization": f"Bearer {moderator}"},
        )
    await _send()

    assert [json.loads(body)["event"] for _, body in receiver.received] == ["comment.approved"]
    nodes = json.loads(receiver.received[0][1])["nodes"]
    assert nodes == [
        {"id": to_global_id("Comment", held.id), "typename": "Comment"},
        {"id": to_global_id("Post", post.id), "typename": "Post"},
    ]


async def test_a_sender_stalled_past_its_lease_sends_nothing_another_has_claimed(
    db: str,
) -> None:
    # Given three due deliveries, claimed in one batch by the first of two processes,
    subscriber = await models.WebhookSubscriber.create(url="http://hooks.invalid/", secret=SECRET)
    now = timezone.now()
    for n in range(3):
        await models.WebhookDelivery.create(
            subscriber_id=subscriber.id,
            delivery_id=f"delivery-{n}",
            event="post.updated",
            body="{}",
            next_attempt_at=now,
        )
    sent: list[tuple[str, str]] = []

    def receiver(process: str) -> httpx.MockTransport:
        async def answer(request: httpx.Request) -> httpx.Response:
            sent.append((process, request.headers["X-Threadpress-Delivery"]))
            if len(sent) == 1:
                # when its first send stalls past the batch's lease (a slow receiver, a
                # paused process), the second process claims the lapsed batch and sends it,
                later = now + timedelta(seconds=LEASE_SECONDS + 1)
                async with httpx.AsyncClient(transport=receiver("second")) as second:
                    await deliver_due(second, later)
            return httpx.Response(200)

        return httpx.MockTransport(answer)

    async with httpx.AsyncClient(transport=receiver("first")) as first:
        await deliver_due(first, now)

    # then the first sends only what was in flight: the rest was no longer its own.
    assert sent == [
        ("first", "delivery-0"),
        ("second", "delivery-0"),
        ("second", "delivery-1"),
        ("second", "delivery-2"),
    ]
    deliveries = await models.WebhookDelivery.all().order_by("id")
    assert all(d.delivered_at is not None for d in deliveries)
