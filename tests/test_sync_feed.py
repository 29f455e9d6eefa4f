"""A static-site build fetches everything once, stores the token, and then asks only for what
changed: it gets every change of the public view in between, in order, none missed and none
twice, while writes go on."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from tortoise import timezone

import models
from gql.core.ids import to_global_id
from gql.core.tokens import create_token
from gql.publishing.change_log import ids_of as changes_ids
from tests import factories
from tests.conftest import app_client, graphql

FEED = """
query Feed($since: String, $first: Int) {
  changes(since: $since, first: $first) {
    entries { kind id typename contentDigest node { id } }
    nextToken
    hasMore
  }
}
"""
WRITE = {
    name: f"mutation($i: {kind}Input!) {{ {name}(input: $i) {{ {answer} }} }}"
    for name, kind, answer in [
        ("createAuthor", "CreateAuthor", "author { id }"),
        ("createCategory", "CreateCategory", "category { id }"),
        ("updateCategory", "UpdateCategory", "errors { code }"),
        ("createPost", "CreatePost", "post { id }"),
        ("publishPost", "PublishPost", "errors { code }"),
        ("unpublishPost", "UnpublishPost", "errors { code }"),
        ("deletePost", "DeletePost", "errors { code }"),
        ("moderateComment", "ModerateComment", "errors { code }"),
        ("submitComment", "SubmitComment", "comment { id }"),
    ]
}
LIMITS_OFF = {
    "THREADPRESS_RESPONSE_CACHE": "on",
    "THREADPRESS_FLOOD_SECONDS": "0",
    "THREADPRESS_COMMENT_RATE_LIMIT": "1000/minute",
}


async def _tokens() -> dict[str, dict[str, str]]:
    tokens = {}
    for role in models.Role:
        _, secret = await create_token(f"a {role.value}", role)
        tokens[role.value] = {"Authorization": f"Bearer {secret}"}
    return tokens


async def _write(
    http: httpx.AsyncClient, mutation: str, headers: dict[str, str], **fields: Any
) -> dict[str, Any]:
    body = await graphql(http, WRITE[mutation], {"i": fields}, headers)
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def _read_all(
    http: httpx.AsyncClient, builder: dict[str, str], since: str | None, first: int
) -> tuple[list[dict[str, Any]], str]:
    entries: list[dict[str, Any]] = []
    while True:
        body = await graphql(http, FEED, {"since": since, "first": first}, builder)
        feed = body["data"]["changes"]
        entries += feed["entries"]
        since = feed["nextToken"]
        if not feed["hasMore"]:
            assert since is not None
            return entries, since


def _kinds(entries: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(e["kind"], e["typename"], e["id"]) for e in entries]


async def _site(http: httpx.AsyncClient, editor: dict[str, str]) -> dict[str, str]:
    author = (await _write(http, "createAuthor", editor, name="Jo Runner"))["createAuthor"][
        "author"
    ]
    category = (await _write(http, "createCategory", editor, name="Running"))["createCategory"]
    post = (
        await _write(
            http,
            "createPost",
            editor,
            title="Hills",
            content="Up.",
            authorId=author["id"],
            categoryIds=[category["category"]["id"]],
        )
    )["createPost"]["post"]
    await _write(http, "publishPost", editor, id=post["id"])
    return {"author": author["id"], "category": category["category"]["id"], "post": post["id"]}


async def _comment(http: httpx.AsyncClient, post_id: str, n: int) -> str:
    body = await graphql(
        http,
        WRITE["submitComment"],
        {
            "i": {
                "postId": post_id,
                "authorName": f"Reader {n}",
                "authorEmail": f"reader{n}@example.org",
                "content": f"Comment number {n}.",
            }
        },
        {"X-Forwarded-For": f"203.0.113.{n}"},
    )
    comment_id: str = body["data"]["submitComment"]["comment"]["id"]
    return comment_id


async def test_a_build_gets_exactly_what_changed_since_its_token(db: str) -> None:
    tokens = await _tokens()
    editor, moderator, builder = tokens["editor"], tokens["moderator"], tokens["builder"]

    async with app_client(db, LIMITS_OFF) as http:
        site = await _site(http, editor)
        full, token = await _read_all(http, builder, None, first=2)
        comment = await _comment(http, site["post"], 1)  # held: nothing public changes
        held, token_after_held = await _read_all(http, builder, token, first=100)
        await _write(http, "moderateComment", moderator, id=comment, action="APPROVE")
        approved, token = await _read_all(http, builder, token_after_held, first=100)
        await _write(http, "updateCategory", editor, id=site["category"], name="Road Running")
        await _write(http, "moderateComment", moderator, id=comment, action="SPAM")
        await _write(http, "unpublishPost", editor, id=site["post"])
        later, final_token = await _read_all(http, builder, token, first=100)
        again, _ = await _read_all(http, builder, token, first=100)
        nothing, same_token = await _read_all(http, builder, final_token, first=100)

    assert _kinds(full) == [
        ("UPSERT", "Author", site["author"]),
        ("UPSERT", "Category", site["category"]),
        ("UPSERT", "Post", site["post"]),
    ]
    assert all(e["contentDigest"] and e["node"] for e in full)
    assert held == []
    assert _kinds(approved) == [("UPSERT", "Comment", comment), ("UPSERT", "Post", site["post"])]
    post_digest = {e["typename"]: e["contentDigest"] for e in full}["Post"]
    assert approved[1]["contentDigest"] != post_digest  # its comment count changed
    # Several changes of one node in a page come as its latest.
    assert _kinds(later) == [
        ("UPSERT", "Category", site["category"]),
        ("DELETE", "Comment", comment),
        ("DELETE", "Post", site["post"]),
    ]
    assert [e["node"] for e in later[1:]] == [None, None]
    assert again == later
    assert (nothing, same_token) == ([], final_token)


async def test_paging_while_writes_go_on_misses_nothing_and_repeats_nothing(db: str) -> None:
    tokens = await _tokens()
    editor, moderator, builder = tokens["editor"], tokens["moderator"], tokens["builder"]

    async with app_client(db, LIMITS_OFF) as http:
        site = await _site(http, editor)
        seen: list[dict[str, Any]] = []
        token: str | None = None
        for n in range(1, 11):
            comment = await _comment(http, site["post"], n)
            await _write(http, "moderateComment", moderator, id=comment, action="APPROVE")
            body = await graphql(http, FEED, {"since": token, "first": 1}, builder)
            seen += body["data"]["changes"]["entries"]
            token = body["data"]["changes"]["nextToken"]
        rest, _ = await _read_all(http, builder, token, first=1)

    log = await models.Change.all().order_by("id")
    assert [(e["typename"], e["id"]) for e in seen + rest] == [
        (row.typename, to_global_id(row.typename, row.node_id)) for row in log
    ]
    assert len(log) == 3 + 10 * 2


async def test_a_scheduled_post_enters_the_feed_at_its_time(db: str) -> None:
    tokens = await _tokens()
    editor, builder = tokens["editor"], tokens["builder"]
    # Far enough ahead that the first reads finish before it, even on a loaded machine.
    soon = timezone.now() + timedelta(seconds=3)

    async with app_client(db, LIMITS_OFF) as http:
        author = (await _write(http, "createAuthor", editor, name="Jo"))["createAuthor"]["author"]
        post = (
            await _write(
                http, "createPost", editor, title="Later", content="x", authorId=author["id"]
            )
        )["createPost"]["post"]
        await _write(http, "publishPost", editor, id=post["id"], at=soon.isoformat())
        before, token = await _read_all(http, builder, None, first=100)
        await asyncio.sleep((soon - timezone.now()).total_seconds() + 0.05)
        after, _ = await _read_all(http, builder, token, first=100)
        listed = await graphql(http, "{ posts { totalCount } }")

    assert _kinds(before) == [("UPSERT", "Author", author["id"])]
    assert _kinds(after) == [("UPSERT", "Post", post["id"])]
    assert listed["data"]["posts"]["totalCount"] == 1


@pytest.mark.parametrize(
    ("variables", "argument"),
    [({"since": "bm9wZQ=="}, "since"), ({"first": 0}, "first"), ({"first": 1001}, "first")],
)
async def test_bad_tokens_and_page_sizes_are_clear_errors(
    db: str, variables: dict[str, Any], argument: str
) -> None:
    builder = (await _tokens())["builder"]

    async with app_client(db) as http:
        body = await graphql(http, FEED, variables, builder)

    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": argument}


@pytest.mark.parametrize("role", [None, "moderator"])
async def test_only_builders_and_editors_read_the_feed(db: str, role: str | None) -> None:
    tokens = await _tokens()
    headers = tokens[role] if role else {}

    async with app_client(db) as http:
        body = await graphql(http, FEED, {}, headers)
        editor = await graphql(http, FEED, {}, tokens["editor"])

    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert editor["data"]["changes"]["entries"] == []


async def test_the_in_memory_visibility_rule_agrees_with_the_query(db: str) -> None:
    # `change_log.is_public` decides for one row what `public_post_filter` decides in SQL.
    from gql.publishing.change_log import is_public

    writer = await factories.author()
    now = timezone.now()
    kinds = [
        {},
        {"status": models.PostStatus.DRAFT},
        {"status": models.PostStatus.PRIVATE},
        {"password": "secret"},
        {"published_at": None},
        {"published_at": now + timedelta(days=1)},
    ]
    for n, overrides in enumerate(kinds):
        await factories.post(writer, slug=f"p{n}", **overrides)

    public_ids = set(await changes_ids(models.Post.filter(models.public_post_filter(now))))
    rows = await models.Post.all()

    assert {row.id for row in rows if is_public(row, now)} == public_ids
    assert len(public_ids) == 1


async def test_racing_schedulers_announce_a_post_once(db: str) -> None:
    # Several server processes run the scheduler; each due post is announced by one.
    from gql.publishing.change_log import announce_due

    writer = await factories.author()
    post = await factories.post(writer, slug="due")  # public, never announced
    await factories.comment(post)

    announced = await asyncio.gather(*(announce_due() for _ in range(4)))

    assert sorted(pk for ids in announced for pk in ids) == [post.id]
    kinds = [(c.kind, c.typename) for c in await models.Change.all().order_by("id")]
    assert kinds == [("upsert", "Post"), ("upsert", "Comment")]
    assert await models.WebhookDelivery.all().count() == 0  # no subscriber, no delivery


async def test_a_big_import_is_announced_a_batch_at_a_time(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Thousands of posts due at once are announced in bounded batches (each its own
    # transaction), every post once, each followed by its comments.
    from gql.publishing import change_log

    monkeypatch.setattr(change_log, "ANNOUNCE_BATCH", 2)
    writer = await factories.author()
    posts = [await factories.post(writer, slug=f"due-{n}") for n in range(5)]
    for post in posts:
        await factories.comment(post)

    announced = await change_log.announce_due()
    again = await change_log.announce_due()

    assert announced == sorted(post.id for post in posts)
    assert again == []
    feed = [(c.typename, c.node_id) for c in await models.Change.all().order_by("id")]
    comments = {c.post_id: c.id for c in await models.Comment.all()}
    assert feed == [
        entry for post in posts for entry in (("Post", post.id), ("Comment", comments[post.id]))
    ]
    assert await models.Post.filter(announced_at__isnull=True).count() == 0
