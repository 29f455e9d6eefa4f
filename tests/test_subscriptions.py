"""Live comments: readers subscribe to a post's new public comments and moderators to the
moderation queue, over a WebSocket (graphql-transport-ws) or an event stream (graphql-sse),
on one server or across processes through Redis or PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Subprotocol

import models
from gql.core.ids import to_global_id
from gql.core.tokens import create_token, revoke_token
from gql.live.events import CommentsPublic, QueueChanged, decode, encode, parts
from gql.live.hub import Inbox
from tests import factories
from tests.conftest import TEST_SECRET_KEY, require
from tests.in_process_server import Served, serving
from tests.live_server import (
    THREADPRESS,
    live_server,
    run_command,
    serve_process,
    server_environment,
)

WAIT = 10.0
"""The longest any test waits for one thing: nothing here can hang."""
QUIET = 0.5
"""How long silence must last to count as "nothing more was delivered"."""
PROTOCOL = [Subprotocol("graphql-transport-ws")]
REDIS_TEST_URL = os.environ.get("THREADPRESS_TEST_REDIS_URL", "redis://127.0.0.1:6379/12")

COMMENT_ADDED = """
subscription Added($postId: ID!) {
  commentAdded(postId: $postId) { id authorName content depth parent { id } post { id } }
}
"""
QUEUE_CHANGED = """
subscription Queue {
  moderationQueueChanged {
    change commentId
    item { comment { id authorName } authorEmail ipAddress reasons }
  }
}
"""
MODERATE = """
mutation Moderate($id: ID!, $action: ModerationAction!) {
  moderateComment(input: {id: $id, action: $action}) { errors { code } }
}
"""
SUBMIT = """
mutation Submit($input: SubmitCommentInput!) {
  submitComment(input: $input) { moderationStatus comment { id } errors { code } }
}
"""
ENV = {
    # Several submissions per test, from one address, in quick succession.
    "THREADPRESS_COMMENT_RATE_LIMIT": "1000/minute",
    "THREADPRESS_FLOOD_SECONDS": "0",
    "THREADPRESS_MODERATION_KEYWORDS": "casino",
}
REGULAR = "regular@example.org"  # has an approved comment: their next one is approved at once


def _app(database_url: str, env: dict[str, str] | None = None) -> Starlette:
    from gql.app import create_app
    from gql.settings import load_settings

    settings = load_settings(
        {
            "DATABASE_URL": database_url,
            "THREADPRESS_SECRET_KEY": TEST_SECRET_KEY,
            "THREADPRESS_RESPONSE_CACHE": "off",
            "THREADPRESS_BACKGROUND_TASKS": "off",
            **ENV,
            **(env or {}),
        }
    )
    return create_app(settings, manage_database=False)


@asynccontextmanager
async def _served(database_url: str, env: dict[str, str] | None = None) -> AsyncIterator[Served]:
    async with serving(_app(database_url, env)) as served:
        yield served


async def _post_graphql(
    url: str, query: str, variables: dict[str, Any], headers: dict[str, str] | None = None
) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=url, timeout=WAIT) as http:
        response = await http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers or {}
        )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _token(role: models.Role) -> str:
    _, secret = await create_token(f"a {role.value}", role)
    return f"Bearer {secret}"


def _submission(post: models.Post, email: str, content: str) -> dict[str, Any]:
    return {
        "input": {
            "postId": to_global_id("Post", post.id),
            "authorName": email.split("@")[0],
            "authorEmail": email,
            "content": content,
        }
    }


async def _until(condition: Callable[[], bool]) -> None:
    """Poll the server's own state (it runs in this loop) until `condition` holds."""
    async with asyncio.timeout(WAIT):
        while not condition():  # noqa: ASYNC110 (state of another component, no event)
            await asyncio.sleep(0.01)


@asynccontextmanager
async def _ws(
    served: Served | str,
    payload: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    origin: str | None = None,
) -> AsyncIterator[ClientConnection]:
    """A graphql-transport-ws connection, acknowledged."""
    url = served.ws_url if isinstance(served, Served) else served
    async with connect(
        url,
        subprotocols=PROTOCOL,
        additional_headers=headers,
        origin=origin,  # type: ignore[arg-type]
        open_timeout=WAIT,
    ) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": payload or {}}))
        ack = await _receive(ws)
        assert ack["type"] == "connection_ack", ack
        yield ws


async def _receive(ws: ClientConnection, wait: float = WAIT) -> dict[str, Any]:
    """The next message, which graphql-transport-ws sends as a text frame (`recv()` returns
    `str` for text frames and `bytes` for binary ones, which every client refuses)."""
    frame = await asyncio.wait_for(ws.recv(), wait)
    assert isinstance(frame, str), f"a binary frame: {frame!r}"
    message: dict[str, Any] = json.loads(frame)
    return message


async def _nothing_more(ws: ClientConnection) -> None:
    with pytest.raises(TimeoutError):
        await _receive(ws, QUIET)


async def _subscribe(
    ws: ClientConnection, query: str, variables: dict[str, Any] | None = None, id: str = "1"
) -> None:
    message = {"id": id, "type": "subscribe", "payload": {"query": query, "variables": variables}}
    await ws.send(json.dumps(message))


async def _scene() -> dict[str, Any]:
    """A public post with a held comment, another public post, a draft, a moderator."""
    author = await factories.author()
    post = await factories.post(author, slug="calf")
    other = await factories.post(author, slug="other")
    draft = await factories.post(author, slug="draft", status=models.PostStatus.DRAFT)
    await factories.comment(post, email=REGULAR, name="Regular")
    held = await factories.comment(
        post, name="Newcomer", email="newcomer@example.org", status=models.CommentModeration.PENDING
    )
    return {
        "post": post,
        "other": other,
        "draft": draft,
        "held": held,
        "moderator": await _token(models.Role.MODERATOR),
    }


def _hub_count(served: Served) -> int:
    count: int = served.app.state.live.hub.subscriber_count
    return count


# WebSocket (graphql-transport-ws)


async def test_a_reader_receives_exactly_the_comments_that_become_public(db: str) -> None:
    scene = await _scene()
    post, held = scene["post"], scene["held"]
    moderator = {"Authorization": scene["moderator"]}

    async with _served(db) as served, _ws(served) as ws:
        await _subscribe(ws, COMMENT_ADDED, {"postId": to_global_id("Post", post.id)})
        await _until(lambda: _hub_count(served) == 1)
        # A moderator approves the held comment: delivered.
        approve = {"id": to_global_id("Comment", held.id), "action": "APPROVE"}
        assert (await _post_graphql(served.url, MODERATE, approve, moderator))["data"] == {
            "moderateComment": {"errors": []}
        }
        # Not delivered: a first-timer's comment (waits), one with a moderation keyword
        # (waits), a comment on another post.
        for variables in (
            _submission(post, "first@example.org", "Hello there"),
            _submission(post, REGULAR, "Try my casino"),
            _submission(scene["other"], REGULAR, "On the other post"),
        ):
            await _post_graphql(served.url, SUBMIT, variables)
        # A regular's comment is approved at once: delivered, after everything above.
        submitted = await _post_graphql(
            served.url, SUBMIT, _submission(post, REGULAR, "Approved at once")
        )
        assert submitted["data"]["submitComment"]["moderationStatus"] == "APPROVED"

        first = await _receive(ws)
        second = await _receive(ws)
        await _nothing_more(ws)

    assert first == {
        "id": "1",
        "type": "next",
        "payload": {
            "data": {
                "commentAdded": {
                    "id": to_global_id("Comment", held.id),
                    "authorName": "Newcomer",
                    "content": held.content,
                    "depth": 0,
                    "parent": None,
                    "post": {"id": to_global_id("Post", post.id)},
                }
            },
            # Like every answer, each event reports its cost.
            "extensions": {"cost": {"requested": 3, "limit": 200_000}},
        },
    }
    added = second["payload"]["data"]["commentAdded"]
    assert added["id"] == submitted["data"]["submitComment"]["comment"]["id"]
    assert added["content"] == "<p>Approved at once</p>"
    for private in ("newcomer@example.org", REGULAR, "203.0.113.7", "TestBrowser"):
        assert private not in json.dumps([first, second])


async def test_replies_that_come_back_with_their_parent_are_delivered_in_thread_order(
    db: str,
) -> None:
    scene = await _scene()
    post = scene["post"]
    top = await factories.comment(post, name="Top")
    reply = await factories.comment(post, parent=top, name="Reply")
    moderator = {"Authorization": scene["moderator"]}
    top_id = to_global_id("Comment", top.id)

    async with _served(db) as served:
        await _post_graphql(served.url, MODERATE, {"id": top_id, "action": "HOLD"}, moderator)
        async with _ws(served) as ws:
            await _subscribe(ws, COMMENT_ADDED, {"postId": to_global_id("Post", post.id)})
            await _until(lambda: _hub_count(served) == 1)
            await _post_graphql(
                served.url, MODERATE, {"id": top_id, "action": "APPROVE"}, moderator
            )
            received = [await _receive(ws), await _receive(ws)]
            await _nothing_more(ws)

    assert [m["payload"]["data"]["commentAdded"]["authorName"] for m in received] == [
        "Top",
        "Reply",
    ]
    assert received[1]["payload"]["data"]["commentAdded"]["parent"] == {
        "id": to_global_id("Comment", reply.parent_id or 0)
    }


async def test_a_comment_moderated_away_before_delivery_is_not_delivered(db: str) -> None:
    scene = await _scene()
    post, held = scene["post"], scene["held"]

    async with _served(db) as served, _ws(served) as ws:
        await _subscribe(ws, COMMENT_ADDED, {"postId": to_global_id("Post", post.id)})
        await _until(lambda: _hub_count(served) == 1)
        # The event names a comment that is no longer public when it arrives.
        await served.app.state.live.publish(CommentsPublic(post.id, (held.id,)))
        await _nothing_more(ws)


@pytest.mark.parametrize(
    ("post_id", "code"),
    [
        ("bm9wZQ==", "BAD_USER_INPUT"),
        (to_global_id("Post", 999_999), "NOT_FOUND"),
        (to_global_id("Comment", 1), "NOT_FOUND"),
        ("draft", "NOT_FOUND"),
    ],
)
async def test_a_subscription_to_no_public_post_is_an_error(
    db: str, post_id: str, code: str
) -> None:
    scene = await _scene()
    if post_id == "draft":
        post_id = to_global_id("Post", scene["draft"].id)

    async with _served(db) as served, _ws(served) as ws:
        await _subscribe(ws, COMMENT_ADDED, {"postId": post_id})
        answer = await _receive(ws)

    assert answer["type"] == "error"
    assert [e["extensions"]["code"] for e in answer["payload"]] == [code]


async def test_only_moderators_hear_of_the_moderation_queue(db: str) -> None:
    scene = await _scene()
    post = scene["post"]

    async with _served(db) as served:
        async with _ws(served) as anonymous:
            await _subscribe(anonymous, QUEUE_CHANGED)
            refused = await _receive(anonymous)
        editor = await _token(models.Role.EDITOR)
        async with _ws(served, {"Authorization": editor}) as as_editor:
            await _subscribe(as_editor, QUEUE_CHANGED)
            refused_editor = await _receive(as_editor)
        async with _ws(served, {"Authorization": scene["moderator"]}) as ws:
            await _subscribe(ws, QUEUE_CHANGED)
            await _until(lambda: _hub_count(served) == 1)
            held = await _post_graphql(
                served.url, SUBMIT, _submission(post, "first@example.org", "Hello there")
            )
            entered = await _receive(ws)
            comment_id = held["data"]["submitComment"]["comment"]["id"]
            await _post_graphql(
                served.url,
                MODERATE,
                {"id": comment_id, "action": "SPAM"},
                {"Authorization": scene["moderator"]},
            )
            left = await _receive(ws)

    for answer in (refused, refused_editor):
        assert answer["type"] == "error"
        assert [e["extensions"]["code"] for e in answer["payload"]] == ["FORBIDDEN"]
    assert entered["payload"]["data"]["moderationQueueChanged"] == {
        "change": "ENTERED",
        "commentId": comment_id,
        "item": {
            "comment": {"id": comment_id, "authorName": "first"},
            "authorEmail": "first@example.org",
            "ipAddress": "127.0.0.1",
            "reasons": ["first comment from this email"],
        },
    }
    assert left["payload"]["data"]["moderationQueueChanged"] == {
        "change": "LEFT",
        "commentId": comment_id,
        "item": None,
    }


ERASE = """
mutation Erase($email: String!) {
  eraseCommenter(input: {email: $email}) { removedCount placeholderCount errors { code } }
}
"""
DELETE_POST = """
mutation Delete($id: ID!) { deletePost(input: {id: $id}) { deletedId errors { code } } }
"""


async def test_held_comments_erased_or_deleted_with_their_post_leave_the_queue(db: str) -> None:
    scene = await _scene()
    other, held = scene["other"], scene["held"]
    moderator = {"Authorization": scene["moderator"]}
    editor = {"Authorization": await _token(models.Role.EDITOR)}
    on_other = await factories.comment(
        other, name="Waiting", email="waiting@example.org", status=models.CommentModeration.PENDING
    )
    approved_on_other = await factories.comment(other, name="Seen", email="seen@example.org")

    async with _served(db) as served, _ws(served, moderator) as ws:
        await _subscribe(ws, QUEUE_CHANGED)
        await _until(lambda: _hub_count(served) == 1)
        erased = await _post_graphql(
            served.url, ERASE, {"email": "newcomer@example.org"}, moderator
        )
        after_erase = await _receive(ws)
        deleted = await _post_graphql(
            served.url, DELETE_POST, {"id": to_global_id("Post", other.id)}, editor
        )
        after_delete = await _receive(ws)
        await _nothing_more(ws)  # the approved comment that went with the post was not held

    assert erased["data"]["eraseCommenter"] == {
        "removedCount": 1,
        "placeholderCount": 0,
        "errors": [],
    }
    assert deleted["data"]["deletePost"]["errors"] == []
    assert after_erase["payload"]["data"]["moderationQueueChanged"] == {
        "change": "LEFT",
        "commentId": to_global_id("Comment", held.id),
        "item": None,
    }
    assert after_delete["payload"]["data"]["moderationQueueChanged"] == {
        "change": "LEFT",
        "commentId": to_global_id("Comment", on_other.id),
        "item": None,
    }
    assert not await models.Comment.filter(id__in=[on_other.id, approved_on_other.id]).exists()


async def test_a_revoked_moderator_hears_nothing_more_from_the_queue(db: str) -> None:
    scene = await _scene()
    post = scene["post"]
    _, secret = await create_token("a desk to revoke", models.Role.MODERATOR)

    async with _served(db) as served, _ws(served, {"Authorization": f"Bearer {secret}"}) as ws:
        await _subscribe(ws, QUEUE_CHANGED)
        await _until(lambda: _hub_count(served) == 1)
        await _post_graphql(
            served.url, SUBMIT, _submission(post, "first@example.org", "Hello there")
        )
        before = await _receive(ws)
        assert await revoke_token("a desk to revoke")
        await _post_graphql(served.url, SUBMIT, _submission(post, "second@example.org", "Me too"))
        after = await _receive(ws)

    item = before["payload"]["data"]["moderationQueueChanged"]["item"]
    assert item["authorEmail"] == "first@example.org"
    # The stream ends; the second commenter's email and address never reach the revoked.
    assert after["type"] == "complete"
    assert "second@example.org" not in str(after)


async def test_a_token_in_the_handshake_header_works_like_one_in_connection_init(
    db: str,
) -> None:
    scene = await _scene()

    async with (
        _served(db) as served,
        _ws(served, headers={"Authorization": scene["moderator"]}) as ws,
    ):
        await _subscribe(ws, QUEUE_CHANGED)
        await _until(lambda: _hub_count(served) == 1)


@pytest.mark.parametrize("where", ["payload", "header"])
async def test_a_bad_token_closes_the_connection_as_unauthenticated(db: str, where: str) -> None:
    bad = {"Authorization": "Bearer tp_not-a-token"}

    async with (
        _served(db) as served,
        connect(
            served.ws_url,
            subprotocols=PROTOCOL,
            additional_headers=bad if where == "header" else None,
            open_timeout=WAIT,
        ) as ws,
    ):
        payload = bad if where == "payload" else {}
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        with pytest.raises(ConnectionClosed) as closed:
            await _receive(ws)

    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403
    assert closed.value.rcvd.reason == "UNAUTHENTICATED: The API token is not valid."


async def test_queries_and_mutations_are_refused_over_a_websocket(db: str) -> None:
    scene = await _scene()

    async with _served(db) as served, _ws(served) as ws:
        await _subscribe(ws, SUBMIT, _submission(scene["post"], REGULAR, "Over a socket"))
        answer = await _receive(ws)

    assert answer["type"] == "error"
    assert await models.Comment.filter(content__contains="Over a socket").count() == 0


async def test_every_message_from_a_real_server_is_a_text_frame(tmp_path: Path) -> None:
    # What graphql-ws (Node), Python gql and GraphiQL connect to: `threadpress serve` itself.
    require(THREADPRESS.is_file(), f"{THREADPRESS} is missing: `pip install -e .` in the venv")
    with live_server(tmp_path, lambda env: run_command(env, "demo")) as url:
        ws_url = url.replace("http://", "ws://", 1) + "/graphql"
        async with connect(ws_url, subprotocols=PROTOCOL, open_timeout=WAIT) as ws:
            await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
            frames = [await asyncio.wait_for(ws.recv(), WAIT)]
            await ws.send(json.dumps({"type": "ping"}))
            frames.append(await asyncio.wait_for(ws.recv(), WAIT))
            # Anonymous: refused with an `error` message.
            await _subscribe(ws, QUEUE_CHANGED)
            frames.append(await asyncio.wait_for(ws.recv(), WAIT))

    assert [type(frame) for frame in frames] == [str, str, str], frames
    messages = [json.loads(frame) for frame in frames]
    assert [m["type"] for m in messages] == ["connection_ack", "pong", "error"]
    assert messages[2]["payload"][0]["extensions"]["code"] == "FORBIDDEN"


# Origins


@pytest.mark.parametrize(
    ("origin", "accepted"),
    [
        (None, True),  # not a browser
        ("same", True),
        ("https://blog.example.org", True),  # THREADPRESS_CORS_ORIGINS
        ("https://evil.example.com", False),
        ("null", False),
    ],
)
async def test_only_this_site_and_configured_origins_may_open_a_websocket(
    db: str, origin: str | None, accepted: bool
) -> None:
    async with _served(db, {"THREADPRESS_CORS_ORIGINS": "https://blog.example.org"}) as served:
        if origin == "same":
            origin = served.url
        if accepted:
            async with _ws(served, origin=origin) as ws:
                await ws.ping()
            return
        with pytest.raises(InvalidStatus) as refused:
            async with _ws(served, origin=origin):
                pass

    assert refused.value.response.status_code == 403
    body = json.loads(refused.value.response.body or b"{}")
    assert body["errors"][0]["extensions"]["code"] == "ORIGIN_NOT_ALLOWED"


# Limits


async def test_one_subscription_past_the_per_connection_limit_is_refused(db: str) -> None:
    scene = await _scene()
    variables = {"postId": to_global_id("Post", scene["post"].id)}

    async with (
        _served(db, {"THREADPRESS_MAX_SUBSCRIPTIONS_PER_CONNECTION": "2"}) as served,
        _ws(served) as ws,
    ):
        for id in ("1", "2", "3"):
            await _subscribe(ws, COMMENT_ADDED, variables, id=id)
        refused = await _receive(ws)
        await _until(lambda: _hub_count(served) == 2)
        # Completing one makes room again.
        await ws.send(json.dumps({"id": "1", "type": "complete"}))
        await _until(lambda: _hub_count(served) == 1)
        await _subscribe(ws, COMMENT_ADDED, variables, id="4")
        await _until(lambda: _hub_count(served) == 2)

    assert refused == {
        "id": "3",
        "type": "error",
        "payload": [
            {
                "message": "At most 2 subscriptions may run on one connection: complete one "
                "before starting another.",
                "extensions": {"code": "TOO_MANY_SUBSCRIPTIONS", "limit": 2},
            }
        ],
    }


async def test_query_limits_apply_to_subscription_documents(db: str) -> None:
    scene = await _scene()
    variables = {"postId": to_global_id("Post", scene["post"].id)}
    nested = "parent { " * 5 + "id" + " }" * 5
    deep = f"subscription($postId: ID!) {{ commentAdded(postId: $postId) {{ {nested} }} }}"
    aliased = "subscription($postId: ID!) { commentAdded(postId: $postId) { a: id b: id } }"

    async with (
        _served(db, {"THREADPRESS_MAX_QUERY_DEPTH": "4", "THREADPRESS_MAX_ALIASES": "1"}) as served,
        _ws(served) as ws,
    ):
        await _subscribe(ws, deep, variables, id="deep")
        too_deep = await _receive(ws)
        await _subscribe(ws, aliased, variables, id="aliased")
        too_many = await _receive(ws)
        assert _hub_count(served) == 0

    assert too_deep["type"] == too_many["type"] == "error"
    assert [e["extensions"]["code"] for e in too_deep["payload"]] == ["QUERY_TOO_DEEP"]
    assert [e["extensions"]["code"] for e in too_many["payload"]] == ["TOO_MANY_ALIASES"]


async def test_a_process_holds_at_most_its_share_of_live_connections(db: str) -> None:
    scene = await _scene()
    variables = {"postId": to_global_id("Post", scene["post"].id)}

    async with (
        _served(db, {"THREADPRESS_MAX_SUBSCRIBER_CONNECTIONS": "1"}) as served,
        _ws(served),
    ):
        with pytest.raises(InvalidStatus) as refused:
            async with _ws(served):
                pass
        async with httpx.AsyncClient(base_url=served.url, timeout=WAIT) as http:
            stream = await http.post(
                "/graphql",
                json={"query": COMMENT_ADDED, "variables": variables},
                headers={"Accept": "text/event-stream"},
            )

    assert refused.value.response.status_code == 503
    assert stream.status_code == 503
    assert stream.headers["retry-after"] == "5"
    assert stream.json()["errors"][0]["extensions"]["code"] == "TOO_MANY_CONNECTIONS"
    assert json.loads(refused.value.response.body or b"{}")["errors"][0]["extensions"] == {
        "code": "TOO_MANY_CONNECTIONS"
    }


def test_a_subscriber_that_stops_reading_is_closed_not_buffered() -> None:
    inbox: Inbox[int] = Inbox(size=3)
    for item in range(5):
        inbox.offer(item)

    assert inbox.overflowed
    assert inbox.closed

    async def drain() -> list[int]:
        return [item async for item in inbox]

    assert asyncio.run(drain()) == []


def test_events_carry_ids_only_and_split_to_fit_a_notification() -> None:
    event = CommentsPublic(7, tuple(range(1, 1001)))
    split = list(parts(event))

    assert [len(p.comment_ids) for p in split if isinstance(p, CommentsPublic)] == [400, 400, 200]
    assert all(len(encode(p)) < 8000 for p in split)
    assert decode(encode(QueueChanged(3, entered=False))) == QueueChanged(3, entered=False)
    assert decode(encode(split[0])) == split[0]
    assert decode("not json") is None
    assert decode('{"kind": "comments_public", "post": 1, "comments": ["1"]}') is None


# Server-Sent Events (graphql-sse, distinct connections mode)


async def _events(response: httpx.Response, count: int) -> list[tuple[str, str]]:
    """The next `count` events of a stream (comments, the heartbeats, skipped)."""
    found: list[tuple[str, str]] = []
    event = data = ""
    async with asyncio.timeout(WAIT):
        async for line in response.aiter_lines():
            if line.startswith("event:"):
                event = line.removeprefix("event:").strip()
            elif line.startswith("data:"):
                data = line.removeprefix("data:").strip()
            elif line == "" and event:
                found.append((event, data))
                event = data = ""
                if len(found) == count:
                    break
    return found


async def test_an_event_stream_delivers_the_same_comments(db: str) -> None:
    scene = await _scene()
    post, held = scene["post"], scene["held"]
    moderator = {"Authorization": scene["moderator"]}
    variables = {"postId": to_global_id("Post", post.id)}

    async with (
        _served(db) as served,
        httpx.AsyncClient(base_url=served.url, timeout=WAIT) as http,
        http.stream(
            "POST",
            "/graphql",
            json={"query": COMMENT_ADDED, "variables": variables},
            headers={"Accept": "text/event-stream"},
        ) as response,
    ):
        await _until(lambda: _hub_count(served) == 1)
        approve = {"id": to_global_id("Comment", held.id), "action": "APPROVE"}
        await _post_graphql(served.url, MODERATE, approve, moderator)
        await _post_graphql(served.url, SUBMIT, _submission(post, "first@example.org", "Hi"))
        await _post_graphql(served.url, SUBMIT, _submission(post, REGULAR, "At once"))
        events = await _events(response, 2)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert [name for name, _ in events] == ["next", "next"]
    added = [json.loads(data)["data"]["commentAdded"] for _, data in events]
    assert [a["authorName"] for a in added] == ["Newcomer", "regular"]
    assert "newcomer@example.org" not in json.dumps(added)


async def test_an_event_stream_over_get_and_its_refusals(db: str) -> None:
    scene = await _scene()
    variables = json.dumps({"postId": to_global_id("Post", scene["post"].id)})
    sse = {"Accept": "text/event-stream"}

    async with (
        _served(db) as served,
        httpx.AsyncClient(base_url=served.url, timeout=WAIT) as http,
    ):
        async with http.stream(
            "GET", "/graphql", params={"query": COMMENT_ADDED, "variables": variables}, headers=sse
        ) as response:
            await _until(lambda: _hub_count(served) == 1)
            assert response.status_code == 200
        async with http.stream(
            "POST", "/graphql", json={"query": QUEUE_CHANGED}, headers=sse
        ) as anonymous:
            forbidden = await _events(anonymous, 2)
        unauthenticated = await http.post(
            "/graphql",
            json={"query": QUEUE_CHANGED},
            headers={**sse, "Authorization": "Bearer tp_not-a-token"},
        )

    assert forbidden[0][0] == "next"
    assert json.loads(forbidden[0][1])["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert forbidden[1][0] == "complete"
    assert unauthenticated.status_code == 401
    assert unauthenticated.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


# Shutdown


async def test_stopping_the_server_ends_open_subscriptions(db: str) -> None:
    scene = await _scene()
    variables = {"postId": to_global_id("Post", scene["post"].id)}

    async with _served(db) as served, _ws(served) as ws:
        await _subscribe(ws, COMMENT_ADDED, variables)
        await _until(lambda: _hub_count(served) == 1)
        started = time.monotonic()
        served.server.should_exit = True
        with pytest.raises(ConnectionClosed):
            await _receive(ws)
        assert time.monotonic() - started < WAIT
    assert _hub_count(served) == 0


async def test_at_a_stop_signal_event_streams_complete_and_websockets_stay_for_the_server(
    db: str,
) -> None:
    scene = await _scene()
    variables = {"postId": to_global_id("Post", scene["post"].id)}

    async with (
        _served(db) as served,
        _ws(served) as ws,
        httpx.AsyncClient(base_url=served.url, timeout=WAIT) as http,
        http.stream(
            "POST",
            "/graphql",
            json={"query": COMMENT_ADDED, "variables": variables},
            headers={"Accept": "text/event-stream"},
        ) as response,
    ):
        await _subscribe(ws, COMMENT_ADDED, variables)
        await _until(lambda: _hub_count(served) == 2)
        hub = served.app.state.live.hub
        hub.stop()  # what SIGTERM does (gql.http.stop_signals), before uvicorn's shutdown
        events = await _events(response, 1)
        await _until(lambda: _hub_count(served) == 1)
        # One opened after the signal ends at once.
        late = await http.post(
            "/graphql",
            json={"query": COMMENT_ADDED, "variables": variables},
            headers={"Accept": "text/event-stream"},
        )
        # The WebSocket's subscription is left to the server, which closes it with 1012.
        await _nothing_more(ws)

    assert events == [("complete", "")]
    assert _events_of(late.text) == ["complete"]


def _events_of(text: str) -> list[str]:
    return [
        line.removeprefix("event:").strip()
        for line in text.splitlines()
        if line.startswith("event:")
    ]


# Across processes


def _cross_process_env(database_url: str, redis: bool) -> dict[str, str]:
    env = server_environment(Path("unused"))
    env.update(
        DATABASE_URL=database_url,
        THREADPRESS_SECRET_KEY=TEST_SECRET_KEY,
        THREADPRESS_BACKGROUND_TASKS="off",
        THREADPRESS_RESPONSE_CACHE="off",
        THREADPRESS_LOG_LEVEL="warning",
        **ENV,
    )
    if redis:
        env["REDIS_URL"] = REDIS_TEST_URL
    return env


async def _redis_reachable() -> bool:
    import coredis

    client: coredis.Redis[bytes] = coredis.Redis.from_url(REDIS_TEST_URL)
    try:
        await asyncio.wait_for(client.ping(), 2)
    except Exception:
        return False
    finally:
        client.connection_pool.disconnect()
    return True


LATENCY_SAMPLES = 10


# Several processes serve one database on PostgreSQL only (`serve` refuses it on SQLite).
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
@pytest.mark.parametrize("broker", ["redis", "postgres"])
async def test_a_subscriber_on_one_process_receives_a_comment_approved_through_another(
    db: str, broker: str, tmp_path: Path
) -> None:
    if broker == "redis":
        require(await _redis_reachable(), f"Redis is not reachable at {REDIS_TEST_URL}")
    scene = await _scene()
    post = scene["post"]
    moderator = {"Authorization": scene["moderator"]}
    waiting = [
        await factories.comment(post, name=f"Waiting {n}", status=models.CommentModeration.PENDING)
        for n in range(LATENCY_SAMPLES)
    ]
    env = _cross_process_env(db, redis=broker == "redis")

    latencies: list[float] = []
    with serve_process(tmp_path, env, "a") as a, serve_process(tmp_path, env, "b") as b:
        b_ws = b.replace("http://", "ws://", 1) + "/graphql"
        async with _ws(b_ws) as ws:
            await _subscribe(ws, COMMENT_ADDED, {"postId": to_global_id("Post", post.id)})
            # No acknowledgement of a subscription exists in the protocol: give process B a
            # moment to register it before the first write.
            await asyncio.sleep(1.0)
            async with httpx.AsyncClient(base_url=a, timeout=WAIT) as http:
                for comment in waiting:
                    approve = {"id": to_global_id("Comment", comment.id), "action": "APPROVE"}
                    sent = time.perf_counter()
                    answer = await http.post(
                        "/graphql",
                        json={"query": MODERATE, "variables": approve},
                        headers=moderator,
                    )
                    assert answer.json()["data"]["moderateComment"]["errors"] == []
                    delivered = await _receive(ws)
                    latencies.append(time.perf_counter() - sent)
                    assert delivered["payload"]["data"]["commentAdded"]["id"] == approve["id"]

    print(
        f"\n{broker}: approval through A to delivery on B, median "
        f"{statistics.median(latencies) * 1000:.1f} ms of {len(latencies)} "
        f"(max {max(latencies) * 1000:.1f} ms)"
    )
