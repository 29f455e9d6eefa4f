"""A front end asks what is at an address of its site: a post, a category archive (nested
like its parents), an author archive, an old address, a WordPress shortlink, or nothing.
Categories' addresses follow every write of the tree."""

from __future__ import annotations

from typing import Any

import pytest

import models
from gql.core.ids import to_global_id
from gql.core.tokens import create_token
from gql.settings import SettingsError, load_settings
from tests import factories
from tests.conftest import app_client, graphql

RESOLVE = """
query($uri: String!) {
  resolveUri(uri: $uri) {
    statusCode redirectTo
    node { __typename ... on Post { slug } ... on Category { slug uri } ... on Author { slug uri } }
  }
}
"""
CATEGORY = "query($slug: String) { category(slug: $slug) { uri children { uri } } }"
UPDATE_CATEGORY = """
mutation($input: UpdateCategoryInput!) {
  updateCategory(input: $input) { category { uri } errors { field code } }
}
"""
CREATE_CATEGORY = """
mutation($input: CreateCategoryInput!) {
  createCategory(input: $input) { category { uri } errors { field code } }
}
"""
DELETE_CATEGORY = """
mutation($input: DeleteCategoryInput!) { deleteCategory(input: $input) { deletedId } }
"""


async def _editor() -> dict[str, str]:
    _, secret = await create_token("the editor", models.Role.EDITOR)
    return {"Authorization": f"Bearer {secret}"}


async def _resolve(http: Any, uri: str) -> dict[str, Any]:
    body = await graphql(http, RESOLVE, {"uri": uri})
    assert "errors" not in body, body
    resolved: dict[str, Any] = body["data"]["resolveUri"]
    return resolved


async def test_every_public_address_resolves(db: str) -> None:
    maya = await factories.author(slug="maya", name="Maya")
    running = await factories.category(slug="running", name="Running")
    trail = await factories.category(slug="trail", name="Trail", parent=running)
    post = await factories.post(maya, slug="hill-repeats", categories=[trail])
    post.wp_id = 812
    await post.save()

    async with app_client(db) as http:
        at_post = await _resolve(http, post.uri)
        at_trail = await _resolve(http, "/category/running/trail/")
        flat_trail = await _resolve(http, "category/trail")
        at_author = await _resolve(http, "/author/maya/")
        shortlink = await _resolve(http, "/?p=812")
        old_site = await _resolve(http, "https://old.example.org/?p=812&replytocom=3#respond")
        unknown_shortlink = await _resolve(http, "/?p=813")
        unknown_category = await _resolve(http, "/category/swimming/")
        nothing = await _resolve(http, "/no/such/place/")
        category = await graphql(http, CATEGORY, {"slug": "running"})

    assert at_post == {
        "statusCode": 200,
        "redirectTo": None,
        "node": {"__typename": "Post", "slug": "hill-repeats"},
    }
    trail_node = {"__typename": "Category", "slug": "trail", "uri": "/category/running/trail/"}
    assert at_trail == {"statusCode": 200, "redirectTo": None, "node": trail_node}
    # The slug alone finds the category; its nested address is where it lives.
    assert flat_trail == {
        "statusCode": 301,
        "redirectTo": "/category/running/trail/",
        "node": trail_node,
    }
    assert at_author == {
        "statusCode": 200,
        "redirectTo": None,
        "node": {"__typename": "Author", "slug": "maya", "uri": "/author/maya/"},
    }
    shortlink_answer = {
        "statusCode": 301,
        "redirectTo": post.uri,
        "node": {"__typename": "Post", "slug": "hill-repeats"},
    }
    assert shortlink == shortlink_answer
    assert old_site == shortlink_answer
    for missing in (unknown_shortlink, unknown_category, nothing):
        assert missing == {"statusCode": 404, "redirectTo": None, "node": None}
    assert category["data"]["category"] == {
        "uri": "/category/running/",
        "children": [{"uri": "/category/running/trail/"}],
    }


async def test_a_draft_has_no_shortlink_for_the_public(db: str) -> None:
    maya = await factories.author(slug="maya")
    draft = await factories.post(maya, slug="draft", status=models.PostStatus.DRAFT)
    draft.wp_id = 9
    await draft.save()

    async with app_client(db) as http:
        assert (await _resolve(http, "/?p=9"))["statusCode"] == 404


async def test_category_addresses_follow_renames_moves_and_deletes(db: str) -> None:
    editor = await _editor()
    running = await factories.category(slug="running", name="Running")
    trail = await factories.category(slug="trail", name="Trail", parent=running)
    await factories.category(slug="ultra", name="Ultra", parent=trail)
    running_id = to_global_id("Category", running.id)

    async with app_client(db, {"THREADPRESS_RESPONSE_CACHE": "on"}) as http:
        before = await _resolve(http, "/category/running/trail/ultra/")  # cached
        renamed = await graphql(
            http, UPDATE_CATEGORY, {"input": {"id": running_id, "slug": "run"}}, editor
        )
        after_rename = await _resolve(http, "/category/running/trail/ultra/")
        at_new = await _resolve(http, "/category/run/trail/ultra/")
        made = await graphql(
            http, CREATE_CATEGORY, {"input": {"name": "Hills", "parentId": running_id}}, editor
        )
        await graphql(
            http,
            DELETE_CATEGORY,
            {"input": {"id": to_global_id("Category", trail.id)}},
            editor,
        )
        after_delete = await _resolve(http, "/category/run/ultra/")

    assert before["statusCode"] == 200
    assert renamed["data"]["updateCategory"] == {
        "category": {"uri": "/category/run/"},
        "errors": [],
    }
    assert after_rename == {
        "statusCode": 301,
        "redirectTo": "/category/run/trail/ultra/",
        "node": {"__typename": "Category", "slug": "ultra", "uri": "/category/run/trail/ultra/"},
    }
    assert at_new["statusCode"] == 200
    assert made["data"]["createCategory"]["category"] == {"uri": "/category/run/hills/"}
    # Deleting "trail" moved "ultra" up to "run": its address moved with it.
    assert after_delete["statusCode"] == 200
    assert after_delete["node"]["uri"] == "/category/run/ultra/"


async def test_a_moved_child_category_is_announced_as_changed(db: str) -> None:
    editor = await _editor()
    running = await factories.category(slug="running", name="Running")
    trail = await factories.category(slug="trail", name="Trail", parent=running)
    before = await models.Change.all().values_list("id", flat=True)

    async with app_client(db) as http:
        await graphql(
            http,
            UPDATE_CATEGORY,
            {"input": {"id": to_global_id("Category", running.id), "slug": "run"}},
            editor,
        )

    changed = await models.Change.exclude(id__in=list(before)).values_list("typename", "node_id")
    assert ("Category", running.id) in changed
    assert ("Category", trail.id) in changed


def test_site_addresses_are_origins_without_a_trailing_slash() -> None:
    settings = load_settings(
        {
            "THREADPRESS_SITE_URL": "https://blog.example.org/",
            "THREADPRESS_PUBLIC_URL": "https://api.example.org/graphql-host",
        }
    )
    assert settings.site_url == "https://blog.example.org"
    assert settings.public_url == "https://api.example.org/graphql-host"
    assert load_settings({}).site_url is None
    for wrong in ("blog.example.org", "ftp://example.org", "https://example.org/?x=1"):
        with pytest.raises(SettingsError, match="THREADPRESS_SITE_URL"):
            load_settings({"THREADPRESS_SITE_URL": wrong})


UPDATE_TAG = """
mutation($input: UpdateTagInput!) { updateTag(input: $input) { tag { uri } errors { code } } }
"""
UPDATE_AUTHOR = """
mutation($input: UpdateAuthorInput!) {
  updateAuthor(input: $input) { author { uri } errors { code } }
}
"""
CREATE_TAG = """
mutation($input: CreateTagInput!) { createTag(input: $input) { tag { uri } errors { code } } }
"""
DELETE_TAG = "mutation($input: DeleteTagInput!) { deleteTag(input: $input) { deletedId } }"


async def test_archives_keep_their_old_addresses_after_a_new_slug(db: str) -> None:
    editor = await _editor()
    running = await factories.category(slug="running", name="Running")
    await factories.category(slug="trail", name="Trail", parent=running)
    hills = await factories.tag(slug="hills", name="Hills")
    maya = await factories.author(slug="maya", name="Maya")

    async with app_client(db, {"THREADPRESS_RESPONSE_CACHE": "on"}) as http:
        before = await _resolve(http, "/tag/hills/")  # cached, then dropped by the rename
        for query, input in (
            (UPDATE_CATEGORY, {"id": to_global_id("Category", running.id), "slug": "run"}),
            (UPDATE_TAG, {"id": to_global_id("Tag", hills.id), "slug": "hill-work"}),
            (UPDATE_AUTHOR, {"id": to_global_id("Author", maya.id), "slug": "maya-l"}),
        ):
            body = await graphql(http, query, {"input": input}, editor)
            assert "errors" not in body, body
        old = {
            uri: await _resolve(http, uri)
            for uri in (
                "/category/running/",
                "/category/running/trail/",
                "/tag/hills/",
                "/author/maya/",
            )
        }
        # A new tag takes the old address: it is the new tag's now.
        await graphql(http, CREATE_TAG, {"input": {"name": "Hills", "slug": "hills"}}, editor)
        taken = await _resolve(http, "/tag/hills/")
        # The old address is the new tag's now, no longer a redirect to the renamed one.
        taken_back = not await models.ArchiveRedirect.filter(old_uri="/tag/hills/").exists()
        await graphql(http, DELETE_TAG, {"input": {"id": to_global_id("Tag", hills.id)}}, editor)
        gone = await _resolve(http, "/tag/hill-work/")

    assert before["statusCode"] == 200
    assert {uri: (a["statusCode"], a["redirectTo"]) for uri, a in old.items()} == {
        "/category/running/": (301, "/category/run/"),
        "/category/running/trail/": (301, "/category/run/trail/"),
        "/tag/hills/": (301, "/tag/hill-work/"),
        "/author/maya/": (301, "/author/maya-l/"),
    }
    assert (taken["statusCode"], taken["redirectTo"]) == (200, None)
    assert taken_back
    assert gone == {"statusCode": 404, "redirectTo": None, "node": None}
    assert not await models.ArchiveRedirect.filter(typename="Tag", target_id=hills.id).exists()
