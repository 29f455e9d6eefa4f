"""An editor writes a post, publishes it now or later, changes its slug, takes it back and
deletes it; readers see each step at once, old links keep working, and every write is in
the audit log."""

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
from tests import factories
from tests.conftest import app_client, graphql

CACHE_ON = {"THREADPRESS_RESPONSE_CACHE": "on"}
CREATE = """
mutation Create($input: CreatePostInput!) {
  createPost(input: $input) { post { id slug uri status title content } errors { field code } }
}
"""
UPDATE = """
mutation Update($input: UpdatePostInput!) {
  updatePost(input: $input) { post { slug uri title } errors { field code } }
}
"""
PUBLISH = """
mutation Publish($input: PublishPostInput!) {
  publishPost(input: $input) { post { status uri publishedAt } errors { field code } }
}
"""
UNPUBLISH = """
mutation Unpublish($input: UnpublishPostInput!) {
  unpublishPost(input: $input) { post { status } errors { field code } }
}
"""
DELETE = """
mutation Delete($input: DeletePostInput!) {
  deletePost(input: $input) { deletedId errors { field code } }
}
"""
LIST = "{ posts { totalCount nodes { title uri } } }"
BY_SLUG = "query($slug: String!) { post(slug: $slug) { title status } }"
BY_URI = "query($uri: String!) { post(uri: $uri) { title uri } }"
RESOLVE = """
query($uri: String!) {
  resolveUri(uri: $uri) { statusCode redirectTo node { ... on Post { title } } }
}
"""


async def _editor() -> dict[str, str]:
    _, secret = await create_token("the editor", models.Role.EDITOR)
    return {"Authorization": f"Bearer {secret}"}


async def _writer_and_category() -> tuple[str, str]:
    writer = await factories.author(slug="jo", name="Jo Runner")
    running = await factories.category(slug="running", name="Running")
    return to_global_id("Author", writer.id), to_global_id("Category", running.id)


async def _create(
    http: httpx.AsyncClient, editor: dict[str, str], author_id: str, **fields: Any
) -> dict[str, Any]:
    created = await graphql(
        http,
        CREATE,
        {
            "input": {
                "title": "Hill repeats",
                "content": "Up.\n\nDown.",
                "authorId": author_id,
                **fields,
            }
        },
        editor,
    )
    payload: dict[str, Any] = created["data"]["createPost"]
    return payload


async def test_a_new_post_is_a_draft_only_editors_read(db: str) -> None:
    author_id, category_id = await _writer_and_category()
    editor = await _editor()

    async with app_client(db) as http:
        created = await _create(http, editor, author_id, categoryIds=[category_id])
        anonymous = await graphql(http, BY_SLUG, {"slug": "hill-repeats"})
        as_editor = await graphql(http, BY_SLUG, {"slug": "hill-repeats"}, editor)
        listed = await graphql(http, LIST)

    assert created["errors"] == []
    post = created["post"]
    assert (post["slug"], post["uri"], post["status"]) == (
        "hill-repeats",
        "/hill-repeats/",
        "DRAFT",
    )
    assert post["content"] == "<p>Up.</p>\n<p>Down.</p>"
    assert anonymous == {"data": {"post": None}}
    assert as_editor == {"data": {"post": {"title": "Hill repeats", "status": "DRAFT"}}}
    assert listed["data"]["posts"]["totalCount"] == 0
    [entry] = await models.AuditEntry.all()
    assert (entry.actor, entry.action) == ("the editor", "post.create")
    assert entry.target == f"Post:{(await models.Post.get(slug='hill-repeats')).id}"


async def test_every_problem_with_a_new_post_is_reported_at_once_and_nothing_is_written(
    db: str,
) -> None:
    editor = await _editor()
    bad = {
        "title": "  ",
        "content": "x",
        "slug": "Not A Slug",
        "authorId": to_global_id("Author", 999),
        "categoryIds": ["bm9wZQ=="],
    }

    async with app_client(db) as http:
        body = await graphql(http, CREATE, {"input": bad}, editor)

    assert body["data"]["createPost"] == {
        "post": None,
        "errors": [
            {"field": "title", "code": "REQUIRED"},
            {"field": "slug", "code": "INVALID"},
            {"field": "authorId", "code": "NOT_FOUND"},
            {"field": "categoryIds", "code": "INVALID"},
        ],
    }
    assert await models.Post.all().count() == 0
    assert await models.AuditEntry.all().count() == 0


async def test_slugs_are_unique_made_ones_numbered_given_ones_refused(db: str) -> None:
    author_id, _ = await _writer_and_category()
    editor = await _editor()

    async with app_client(db) as http:
        first = await _create(http, editor, author_id)
        second = await _create(http, editor, author_id)
        taken = await _create(http, editor, author_id, slug="hill-repeats")
        renamed = await graphql(
            http, UPDATE, {"input": {"id": second["post"]["id"], "slug": "hill-repeats"}}, editor
        )

    assert first["post"]["slug"] == "hill-repeats"
    assert second["post"]["slug"] == "hill-repeats-2"
    assert taken == {"post": None, "errors": [{"field": "slug", "code": "SLUG_TAKEN"}]}
    assert renamed["data"]["updatePost"]["errors"] == [{"field": "slug", "code": "SLUG_TAKEN"}]
    assert await models.Post.all().count() == 2


async def test_publishing_makes_a_post_public_at_once_even_through_the_cache(db: str) -> None:
    author_id, _ = await _writer_and_category()
    editor = await _editor()

    async with app_client(db, CACHE_ON) as http:
        created = await _create(http, editor, author_id)
        before = await graphql(http, LIST)
        published = await graphql(http, PUBLISH, {"input": {"id": created["post"]["id"]}}, editor)
        after = await graphql(http, LIST)

    post = published["data"]["publishPost"]["post"]
    assert post["status"] == "PUBLISHED"
    day = timezone.now().strftime("%Y/%m/%d")
    assert post["uri"] == f"/{day}/hill-repeats/"
    assert before["data"]["posts"]["totalCount"] == 0
    assert after["data"]["posts"] == {
        "totalCount": 1,
        "nodes": [{"title": "Hill repeats", "uri": f"/{day}/hill-repeats/"}],
    }


async def test_a_scheduled_post_becomes_public_at_its_time(db: str) -> None:
    author_id, _ = await _writer_and_category()
    editor = await _editor()
    # Far enough ahead that the first reads finish before it, even on a loaded machine.
    soon = timezone.now() + timedelta(seconds=3)

    async with app_client(db, CACHE_ON) as http:
        created = await _create(http, editor, author_id)
        scheduled = await graphql(
            http, PUBLISH, {"input": {"id": created["post"]["id"], "at": soon.isoformat()}}, editor
        )
        before = await graphql(http, LIST)
        await asyncio.sleep((soon - timezone.now()).total_seconds() + 0.05)
        after = await graphql(http, LIST)

    assert scheduled["data"]["publishPost"]["errors"] == []
    assert before["data"]["posts"]["totalCount"] == 0
    assert after["data"]["posts"]["totalCount"] == 1


async def test_a_new_slug_keeps_the_old_address_answering_with_a_redirect(db: str) -> None:
    author_id, _ = await _writer_and_category()
    editor = await _editor()

    async with app_client(db, CACHE_ON) as http:
        created = await _create(http, editor, author_id)
        post_id = created["post"]["id"]
        published = await graphql(http, PUBLISH, {"input": {"id": post_id}}, editor)
        old_uri = published["data"]["publishPost"]["post"]["uri"]
        await graphql(http, RESOLVE, {"uri": old_uri})  # cached before the move
        moved = await graphql(
            http, UPDATE, {"input": {"id": post_id, "slug": "hills-for-haters"}}, editor
        )
        new_uri = moved["data"]["updatePost"]["post"]["uri"]
        by_old = await graphql(http, BY_URI, {"uri": old_uri})
        resolved_old = await graphql(http, RESOLVE, {"uri": old_uri})
        resolved_new = await graphql(http, RESOLVE, {"uri": new_uri})
        resolved_none = await graphql(http, RESOLVE, {"uri": "/no/such/page/"})

    assert new_uri == old_uri.replace("hill-repeats", "hills-for-haters")
    assert by_old == {"data": {"post": {"title": "Hill repeats", "uri": new_uri}}}
    assert resolved_old["data"]["resolveUri"] == {
        "statusCode": 301,
        "redirectTo": new_uri,
        "node": {"title": "Hill repeats"},
    }
    assert resolved_new["data"]["resolveUri"] == {
        "statusCode": 200,
        "redirectTo": None,
        "node": {"title": "Hill repeats"},
    }
    assert resolved_none["data"]["resolveUri"] == {
        "statusCode": 404,
        "redirectTo": None,
        "node": None,
    }


async def test_unpublishing_and_deleting_take_a_post_away_at_once(db: str) -> None:
    author_id, _ = await _writer_and_category()
    editor = await _editor()

    async with app_client(db, CACHE_ON) as http:
        created = await _create(http, editor, author_id)
        post_id = created["post"]["id"]
        await graphql(http, PUBLISH, {"input": {"id": post_id}}, editor)
        post = await models.Post.get(slug="hill-repeats")
        await factories.comment(post)
        public = await graphql(http, LIST)
        unpublished = await graphql(http, UNPUBLISH, {"input": {"id": post_id}}, editor)
        hidden = await graphql(http, LIST)
        deleted = await graphql(http, DELETE, {"input": {"id": post_id}}, editor)
        again = await graphql(http, DELETE, {"input": {"id": post_id}}, editor)

    assert public["data"]["posts"]["totalCount"] == 1
    assert unpublished["data"]["unpublishPost"] == {"post": {"status": "DRAFT"}, "errors": []}
    assert hidden["data"]["posts"]["totalCount"] == 0
    assert deleted["data"]["deletePost"] == {"deletedId": post_id, "errors": []}
    assert again["data"]["deletePost"] == {
        "deletedId": None,
        "errors": [{"field": "id", "code": "NOT_FOUND"}],
    }
    assert await models.Post.all().count() == 0
    assert await models.Comment.all().count() == 0
    actions = [e.action for e in await models.AuditEntry.all()]
    assert actions == ["post.create", "post.publish", "post.unpublish", "post.delete"]


WRITES = [
    (CREATE, {"input": {"title": "T", "content": "C", "authorId": to_global_id("Author", 1)}}),
    (UPDATE, {"input": {"id": to_global_id("Post", 1), "title": "New"}}),
    (PUBLISH, {"input": {"id": to_global_id("Post", 1)}}),
    (UNPUBLISH, {"input": {"id": to_global_id("Post", 1)}}),
    (DELETE, {"input": {"id": to_global_id("Post", 1)}}),
]


@pytest.mark.parametrize("role", [None, models.Role.MODERATOR, models.Role.BUILDER])
@pytest.mark.parametrize(("mutation", "variables"), WRITES, ids=lambda w: str(w)[:20])
async def test_only_editors_write_posts(
    db: str, role: models.Role | None, mutation: str, variables: dict[str, Any]
) -> None:
    writer = await factories.author()
    await factories.post(writer, slug="kept", title="Kept")
    headers: dict[str, str] = {}
    if role is not None:
        _, secret = await create_token("not an editor", role)
        headers["Authorization"] = f"Bearer {secret}"

    async with app_client(db) as http:
        body = await graphql(http, mutation, variables, headers)

    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert [p.title for p in await models.Post.all()] == ["Kept"]
    assert (await models.Post.get(slug="kept")).status == models.PostStatus.PUBLISHED
    assert await models.AuditEntry.all().count() == 0
