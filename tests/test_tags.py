"""Readers browse posts by tag and see sticky posts first; an editor tags posts, renames and
deletes tags, and every build, cache and webhook hears of it like of any other change."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

import models
from gql.core.ids import to_global_id
from gql.core.tokens import create_token
from gql.publishing.change_log import announce_everything
from tests import factories
from tests.conftest import SqlLog, app_client, graphql

CACHE_ON = {"THREADPRESS_RESPONSE_CACHE": "on"}
TAG_PAGE = """
query($slug: String) {
  tag(slug: $slug) {
    id databaseId slug name description uri postCount
    posts(first: 10) { totalCount nodes { slug tags { slug } } }
  }
}
"""
POST_PAGE = """
query($slug: String) { post(slug: $slug) { slug sticky tags { slug name uri } } }
"""
TAGS = """
query($first: Int, $after: String) {
  tags(first: $first, after: $after) {
    totalCount nodes { slug } pageInfo { hasNextPage endCursor }
  }
}
"""
POSTS_WHERE = """
query($where: PostWhere) { posts(first: 20, where: $where) { nodes { slug } } }
"""
CREATE_TAG = """
mutation($input: CreateTagInput!) {
  createTag(input: $input) { tag { id slug name description uri } errors { field code } }
}
"""
UPDATE_TAG = """
mutation($input: UpdateTagInput!) {
  updateTag(input: $input) { tag { slug name description } errors { field code } }
}
"""
DELETE_TAG = """
mutation($input: DeleteTagInput!) { deleteTag(input: $input) { deletedId errors { field code } } }
"""
CREATE_POST = """
mutation($input: CreatePostInput!) {
  createPost(input: $input) { post { slug sticky tags { slug } } errors { field code } }
}
"""
UPDATE_POST = """
mutation($input: UpdatePostInput!) {
  updatePost(input: $input) { post { slug sticky tags { slug } } errors { field code } }
}
"""
FEED = """
query($since: String) {
  changes(since: $since, first: 100) { entries { kind typename id contentDigest } nextToken }
}
"""


async def _token(role: models.Role = models.Role.EDITOR) -> dict[str, str]:
    _, secret = await create_token(f"a {role.value}", role)
    return {"Authorization": f"Bearer {secret}"}


async def _tagged_site() -> dict[str, Any]:
    """Three public posts and a draft: two tagged `recovery`, one of them sticky."""
    writer = await factories.author(slug="maya", name="Maya")
    recovery = await factories.tag(slug="recovery", name="Recovery", description="Rest days.")
    hills = await factories.tag(slug="hills", name="Hills")
    await factories.tag(slug="unused", name="Unused")
    old = await factories.post(writer, slug="old", tags=[recovery, hills])
    new = await factories.post(
        writer,
        slug="new",
        tags=[recovery],
        sticky=True,
        published_at=factories.BASE_TIME.replace(year=2018),
    )
    plain = await factories.post(writer, slug="plain")
    draft = await factories.post(
        writer, slug="draft", status=models.PostStatus.DRAFT, tags=[recovery, hills]
    )
    return {
        "recovery": recovery,
        "hills": hills,
        "old": old,
        "new": new,
        "plain": plain,
        "draft": draft,
    }


async def test_a_tag_page_lists_its_public_posts_newest_first(db: str) -> None:
    site = await _tagged_site()

    async with app_client(db) as http:
        body = await graphql(http, TAG_PAGE, {"slug": "recovery"})
        by_id = await graphql(
            http,
            "query($id: ID!) { tag(id: $id) { slug } node(id: $id) { ... on Tag { name uri } } }",
            {"id": to_global_id("Tag", site["hills"].id)},
        )
        missing = await graphql(http, TAG_PAGE, {"slug": "nope"})
        both = await graphql(http, 'query { tag(slug: "hills", id: "VGFnOjE=") { slug } }')

    assert body["data"]["tag"] == {
        "id": to_global_id("Tag", site["recovery"].id),
        "databaseId": site["recovery"].id,
        "slug": "recovery",
        "name": "Recovery",
        "description": "Rest days.",
        "uri": "/tag/recovery/",
        "postCount": 2,  # the draft is not counted
        "posts": {
            "totalCount": 2,
            "nodes": [
                {"slug": "new", "tags": [{"slug": "recovery"}]},
                {"slug": "old", "tags": [{"slug": "recovery"}, {"slug": "hills"}]},
            ],
        },
    }
    assert by_id["data"] == {
        "tag": {"slug": "hills"},
        "node": {"name": "Hills", "uri": "/tag/hills/"},
    }
    assert missing == {"data": {"tag": None}}
    assert both["data"] == {"tag": None}
    assert [e["extensions"]["code"] for e in both["errors"]] == ["BAD_USER_INPUT"]


async def test_every_tag_is_listed_and_paged(db: str) -> None:
    await _tagged_site()

    async with app_client(db) as http:
        first = await graphql(http, TAGS, {"first": 2})
        cursor = first["data"]["tags"]["pageInfo"]["endCursor"]
        rest = await graphql(http, TAGS, {"first": 2, "after": cursor})

    assert first["data"]["tags"]["totalCount"] == 3
    assert [n["slug"] for n in first["data"]["tags"]["nodes"]] == ["recovery", "hills"]
    assert first["data"]["tags"]["pageInfo"]["hasNextPage"] is True
    assert [n["slug"] for n in rest["data"]["tags"]["nodes"]] == ["unused"]
    assert rest["data"]["tags"]["pageInfo"]["hasNextPage"] is False


async def test_posts_filter_by_tag_and_by_stickiness(db: str) -> None:
    await _tagged_site()

    async with app_client(db) as http:
        tagged = await graphql(http, POSTS_WHERE, {"where": {"tagSlug": "hills"}})
        sticky = await graphql(http, POSTS_WHERE, {"where": {"sticky": True}})
        not_sticky = await graphql(http, POSTS_WHERE, {"where": {"sticky": False}})
        both = await graphql(http, POSTS_WHERE, {"where": {"tagSlug": "recovery", "sticky": False}})
        page = await graphql(http, POST_PAGE, {"slug": "new"})

    assert tagged["data"]["posts"]["nodes"] == [{"slug": "old"}]
    assert sticky["data"]["posts"]["nodes"] == [{"slug": "new"}]
    assert not_sticky["data"]["posts"]["nodes"] == [{"slug": "plain"}, {"slug": "old"}]
    assert both["data"]["posts"]["nodes"] == [{"slug": "old"}]
    assert page["data"]["post"] == {
        "slug": "new",
        "sticky": True,
        "tags": [{"slug": "recovery", "name": "Recovery", "uri": "/tag/recovery/"}],
    }


async def test_an_editor_makes_and_renames_tags_with_clear_errors(db: str) -> None:
    editor = await _token()

    async with app_client(db) as http:
        made = await graphql(http, CREATE_TAG, {"input": {"name": "Trail Running"}}, editor)
        tag_id = made["data"]["createTag"]["tag"]["id"]
        again = await graphql(http, CREATE_TAG, {"input": {"name": "Trail Running"}}, editor)
        taken = await graphql(
            http, CREATE_TAG, {"input": {"name": "Other", "slug": "trail-running"}}, editor
        )
        bad = await graphql(http, CREATE_TAG, {"input": {"name": " ", "slug": "Bad Slug"}}, editor)
        renamed = await graphql(
            http,
            UPDATE_TAG,
            {"input": {"id": tag_id, "name": "Trails", "slug": "trails", "description": "Dirt."}},
            editor,
        )
        wrong_type = await graphql(
            http,
            UPDATE_TAG,
            {"input": {"id": to_global_id("Category", 1), "name": "X"}},
            editor,
        )
        unknown = await graphql(
            http, UPDATE_TAG, {"input": {"id": to_global_id("Tag", 999), "name": "X"}}, editor
        )

    assert made["data"]["createTag"] == {
        "tag": {
            "id": tag_id,
            "slug": "trail-running",
            "name": "Trail Running",
            "description": None,
            "uri": "/tag/trail-running/",
        },
        "errors": [],
    }
    assert again["data"]["createTag"]["tag"]["slug"] == "trail-running-2"
    assert taken["data"]["createTag"] == {
        "tag": None,
        "errors": [{"field": "slug", "code": "SLUG_TAKEN"}],
    }
    assert bad["data"]["createTag"]["errors"] == [
        {"field": "name", "code": "REQUIRED"},
        {"field": "slug", "code": "INVALID"},
    ]
    assert renamed["data"]["updateTag"] == {
        "tag": {"slug": "trails", "name": "Trails", "description": "Dirt."},
        "errors": [],
    }
    assert wrong_type["data"]["updateTag"]["errors"] == [{"field": "id", "code": "INVALID"}]
    assert unknown["data"]["updateTag"]["errors"] == [{"field": "id", "code": "NOT_FOUND"}]
    assert sorted(await models.Tag.all().values_list("slug", flat=True)) == [
        "trail-running-2",
        "trails",
    ]
    actions = [e.action for e in await models.AuditEntry.all().order_by("id")]
    assert actions == ["tag.create", "tag.create", "tag.update"]


async def test_posts_are_tagged_and_made_sticky_through_their_inputs(db: str) -> None:
    editor = await _token()
    writer = await factories.author()
    hills = await factories.tag(slug="hills")
    recovery = await factories.tag(slug="recovery")
    hills_id, recovery_id = to_global_id("Tag", hills.id), to_global_id("Tag", recovery.id)
    author_id = to_global_id("Author", writer.id)

    async with app_client(db) as http:
        made = await graphql(
            http,
            CREATE_POST,
            {
                "input": {
                    "title": "Repeats",
                    "content": "Up and down.",
                    "authorId": author_id,
                    "tagIds": [recovery_id, hills_id],
                    "sticky": True,
                }
            },
            editor,
        )
        post_id = to_global_id("Post", (await models.Post.get(slug="repeats")).id)
        retagged = await graphql(
            http,
            UPDATE_POST,
            {"input": {"id": post_id, "tagIds": [recovery_id], "sticky": False}},
            editor,
        )
        untouched = await graphql(
            http, UPDATE_POST, {"input": {"id": post_id, "title": "Hill repeats"}}, editor
        )
        bad = await graphql(
            http,
            UPDATE_POST,
            {"input": {"id": post_id, "tagIds": [to_global_id("Tag", 999)]}},
            editor,
        )
        not_tags = await graphql(
            http,
            CREATE_POST,
            {
                "input": {
                    "title": "X",
                    "content": "X",
                    "authorId": author_id,
                    "tagIds": [author_id],
                }
            },
            editor,
        )
        cleared = await graphql(http, UPDATE_POST, {"input": {"id": post_id, "tagIds": []}}, editor)

    assert made["data"]["createPost"] == {
        "post": {
            "slug": "repeats",
            "sticky": True,
            "tags": [{"slug": "hills"}, {"slug": "recovery"}],
        },
        "errors": [],
    }
    assert retagged["data"]["updatePost"]["post"] == {
        "slug": "repeats",
        "sticky": False,
        "tags": [{"slug": "recovery"}],
    }
    assert untouched["data"]["updatePost"]["post"]["tags"] == [{"slug": "recovery"}]
    assert bad["data"]["updatePost"] == {
        "post": None,
        "errors": [{"field": "tagIds", "code": "NOT_FOUND"}],
    }
    assert not_tags["data"]["createPost"]["errors"] == [{"field": "tagIds", "code": "INVALID"}]
    assert await models.Post.filter(title="X").count() == 0
    assert cleared["data"]["updatePost"]["post"]["tags"] == []
    assert await models.Tag.all().count() == 2


async def test_a_deleted_tag_leaves_its_posts_and_they_are_announced(db: str) -> None:
    site = await _tagged_site()
    editor, builder = await _token(), await _token(models.Role.BUILDER)
    recovery_id = to_global_id("Tag", site["recovery"].id)

    async with app_client(db, CACHE_ON) as http:
        start = (await graphql(http, FEED, {"since": None}, builder))["data"]["changes"]
        before = await graphql(http, POST_PAGE, {"slug": "old"})
        deleted = await graphql(http, DELETE_TAG, {"input": {"id": recovery_id}}, editor)
        after = await graphql(http, POST_PAGE, {"slug": "old"})
        gone = await graphql(http, TAG_PAGE, {"slug": "recovery"})
        feed = await graphql(http, FEED, {"since": start["nextToken"]}, builder)
        again = await graphql(http, DELETE_TAG, {"input": {"id": recovery_id}}, editor)

    assert deleted["data"]["deleteTag"] == {"deletedId": recovery_id, "errors": []}
    assert [t["slug"] for t in before["data"]["post"]["tags"]] == ["recovery", "hills"]
    assert [t["slug"] for t in after["data"]["post"]["tags"]] == ["hills"]
    assert gone == {"data": {"tag": None}}
    entries = feed["data"]["changes"]["entries"]
    # The tag is gone; the public posts that had it changed (the draft is not public).
    assert sorted((e["kind"], e["typename"], e["id"]) for e in entries) == sorted(
        [
            ("DELETE", "Tag", recovery_id),
            ("UPSERT", "Post", to_global_id("Post", site["old"].id)),
            ("UPSERT", "Post", to_global_id("Post", site["new"].id)),
        ]
    )
    assert await models.Post.all().count() == 4
    assert sorted(await models.Tag.all().values_list("slug", flat=True)) == ["hills", "unused"]
    assert again["data"]["deleteTag"]["errors"] == [{"field": "id", "code": "NOT_FOUND"}]
    actions = [e.action for e in await models.AuditEntry.all()]
    assert actions == ["tag.delete"]


async def test_a_renamed_tag_drops_exactly_the_cached_answers_that_showed_it(
    db: str, sql_log: SqlLog
) -> None:
    site = await _tagged_site()
    editor = await _token()
    hills_id = to_global_id("Tag", site["hills"].id)

    async with app_client(db, CACHE_ON) as http:
        shown = await _read(http, POST_PAGE, {"slug": "old"})
        await _read(http, POST_PAGE, {"slug": "plain"})
        await graphql(http, UPDATE_TAG, {"input": {"id": hills_id, "name": "Climbs"}}, editor)
        sql_log.statements.clear()
        await _read(http, POST_PAGE, {"slug": "plain"})
        untouched_sql = sql_log.count
        after = await _read(http, POST_PAGE, {"slug": "old"})
        shown_sql = sql_log.count

    assert f"tag:{site['hills'].id}" in shown.headers["cache-tag"].split(",")
    assert untouched_sql == 0  # a post that never showed the tag keeps its cached answer
    assert shown_sql > 0
    assert [t["name"] for t in after.json()["data"]["post"]["tags"]] == ["Recovery", "Climbs"]


async def test_tagging_a_post_drops_the_cached_tag_page(db: str) -> None:
    site = await _tagged_site()
    editor = await _token()
    post_id = to_global_id("Post", site["plain"].id)
    hills_id = to_global_id("Tag", site["hills"].id)

    async with app_client(db, CACHE_ON) as http:
        before = await _read(http, TAG_PAGE, {"slug": "hills"})
        await graphql(http, UPDATE_POST, {"input": {"id": post_id, "tagIds": [hills_id]}}, editor)
        after = await _read(http, TAG_PAGE, {"slug": "hills"})

    assert before.json()["data"]["tag"]["postCount"] == 1
    assert after.json()["data"]["tag"]["postCount"] == 2
    assert [n["slug"] for n in after.json()["data"]["tag"]["posts"]["nodes"]] == ["plain", "old"]


async def _read(http: httpx.AsyncClient, query: str, variables: dict[str, Any]) -> httpx.Response:
    response = await http.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    assert "errors" not in response.json(), response.text
    return response


async def test_a_post_digest_covers_its_tags_and_stickiness(db: str) -> None:
    site = await _tagged_site()
    editor, builder = await _token(), await _token(models.Role.BUILDER)
    post_id = to_global_id("Post", site["plain"].id)

    async def digest(http: httpx.AsyncClient, since: str | None) -> tuple[str | None, str]:
        feed = (await graphql(http, FEED, {"since": since}, builder))["data"]["changes"]
        digests = [e["contentDigest"] for e in feed["entries"] if e["id"] == post_id]
        return (digests[-1] if digests else None), feed["nextToken"]

    async with app_client(db) as http:
        await graphql(http, UPDATE_POST, {"input": {"id": post_id, "title": "Plain"}}, editor)
        first, token = await digest(http, None)
        await graphql(
            http,
            UPDATE_POST,
            {"input": {"id": post_id, "tagIds": [to_global_id("Tag", site["hills"].id)]}},
            editor,
        )
        tagged, token = await digest(http, token)
        await graphql(http, UPDATE_POST, {"input": {"id": post_id, "sticky": True}}, editor)
        stuck, _ = await digest(http, token)
        export = await http.get("/export.ndjson", headers=builder)

    assert None not in (first, tagged, stuck)
    assert len({first, tagged, stuck}) == 3
    lines = [json.loads(line) for line in export.text.splitlines()]
    exported = {(n.get("typename"), n.get("id")): n for n in lines}
    post = exported[("Post", post_id)]
    assert post["tags"] == [to_global_id("Tag", site["hills"].id)]
    assert post["sticky"] is True
    assert post["contentDigest"] == stuck
    tag = exported[("Tag", to_global_id("Tag", site["recovery"].id))]
    assert {k: tag[k] for k in ("slug", "name", "description")} == {
        "slug": "recovery",
        "name": "Recovery",
        "description": "Rest days.",
    }


WRITES = [
    (CREATE_TAG, {"input": {"name": "X"}}),
    (UPDATE_TAG, {"input": {"id": to_global_id("Tag", 1), "name": "X"}}),
    (DELETE_TAG, {"input": {"id": to_global_id("Tag", 1)}}),
]


@pytest.mark.parametrize("role", [None, models.Role.MODERATOR, models.Role.BUILDER])
@pytest.mark.parametrize(("mutation", "variables"), WRITES, ids=["create", "update", "delete"])
async def test_only_editors_write_tags(
    db: str, role: models.Role | None, mutation: str, variables: dict[str, Any]
) -> None:
    await factories.tag(slug="kept", name="Kept")
    headers = await _token(role) if role is not None else {}

    async with app_client(db) as http:
        body = await graphql(http, mutation, variables, headers)

    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert [t.name for t in await models.Tag.all()] == ["Kept"]
    assert await models.AuditEntry.all().count() == 0


async def test_a_build_hears_of_tags_made_renamed_and_imported(db: str) -> None:
    editor, builder = await _token(), await _token(models.Role.BUILDER)
    await factories.tag(slug="bulk", name="Bulk")  # written behind the API, like an import
    feed_query = """
    query($since: String) {
      changes(since: $since) {
        entries { kind typename id contentDigest node { ... on Tag { slug name } } }
        nextToken
      }
    }
    """

    async with app_client(db) as http:
        await announce_everything()
        announced = (await graphql(http, feed_query, {"since": None}, builder))["data"]
        made = await graphql(http, CREATE_TAG, {"input": {"name": "Hills"}}, editor)
        tag_id = made["data"]["createTag"]["tag"]["id"]
        token = announced["changes"]["nextToken"]
        created = (await graphql(http, feed_query, {"since": token}, builder))["data"]
        await graphql(http, UPDATE_TAG, {"input": {"id": tag_id, "name": "Climbs"}}, editor)
        token = created["changes"]["nextToken"]
        renamed = (await graphql(http, feed_query, {"since": token}, builder))["data"]

    bulk = await models.Tag.get(slug="bulk")
    assert [(e["kind"], e["typename"], e["id"]) for e in announced["changes"]["entries"]] == [
        ("UPSERT", "Tag", to_global_id("Tag", bulk.id))
    ]
    [first] = created["changes"]["entries"]
    [second] = renamed["changes"]["entries"]
    assert (first["kind"], first["id"], first["node"]) == (
        "UPSERT",
        tag_id,
        {"slug": "hills", "name": "Hills"},
    )
    assert second["node"] == {"slug": "hills", "name": "Climbs"}
    assert first["contentDigest"] != second["contentDigest"]


async def test_every_tag_of_a_list_shows_its_own_posts(db: str, sql_log: SqlLog) -> None:
    await _tagged_site()
    query = """
    {
      tags(first: 10) {
        nodes {
          slug postCount
          posts(first: 1) { totalCount nodes { slug } pageInfo { hasNextPage } }
        }
      }
    }
    """

    async with app_client(db) as http:
        sql_log.statements.clear()
        body = await graphql(http, query)

    assert body["data"]["tags"]["nodes"] == [
        {
            "slug": "recovery",
            "postCount": 2,
            "posts": {
                "totalCount": 2,
                "nodes": [{"slug": "new"}],
                "pageInfo": {"hasNextPage": True},
            },
        },
        {
            "slug": "hills",
            "postCount": 1,
            "posts": {
                "totalCount": 1,
                "nodes": [{"slug": "old"}],
                "pageInfo": {"hasNextPage": False},
            },
        },
        {
            "slug": "unused",
            "postCount": 0,
            "posts": {"totalCount": 0, "nodes": [], "pageInfo": {"hasNextPage": False}},
        },
    ]
    # The page of tags; the posts of all three (pairs, then the posts); their counts.
    assert sql_log.count == 4, "\n".join(s[:150] for s in sql_log.statements)


async def test_a_tag_archive_address_resolves(db: str) -> None:
    site = await _tagged_site()
    editor = await _token()
    resolve = """
    query($uri: String!) {
      resolveUri(uri: $uri) { statusCode redirectTo node { __typename ... on Tag { slug uri } } }
    }
    """

    async with app_client(db, CACHE_ON) as http:
        at_tag = await graphql(http, resolve, {"uri": "/tag/recovery/"})
        unslashed = await graphql(http, resolve, {"uri": "tag/recovery"})
        unknown = await graphql(http, resolve, {"uri": "/tag/swimming/"})
        await graphql(
            http,
            UPDATE_TAG,
            {"input": {"id": to_global_id("Tag", site["recovery"].id), "slug": "rest"}},
            editor,
        )
        renamed = await graphql(http, resolve, {"uri": "/tag/rest/"})
        old = await graphql(http, resolve, {"uri": "/tag/recovery/"})

    recovery = {"__typename": "Tag", "slug": "recovery", "uri": "/tag/recovery/"}
    assert at_tag["data"]["resolveUri"] == {"statusCode": 200, "redirectTo": None, "node": recovery}
    assert unslashed["data"]["resolveUri"] == at_tag["data"]["resolveUri"]
    nothing = {"statusCode": 404, "redirectTo": None, "node": None}
    assert unknown["data"]["resolveUri"] == nothing
    assert renamed["data"]["resolveUri"] == {
        "statusCode": 200,
        "redirectTo": None,
        "node": {"__typename": "Tag", "slug": "rest", "uri": "/tag/rest/"},
    }
    # The old address redirects to the new one (issue 17: old addresses of every archive).
    assert old["data"]["resolveUri"] == {
        "statusCode": 301,
        "redirectTo": "/tag/rest/",
        "node": {"__typename": "Tag", "slug": "rest", "uri": "/tag/rest/"},
    }
