"""An editor organises the site: categories (nested) and authors are made, renamed and
deleted; posts never lose their author or category by accident."""

from __future__ import annotations

from typing import Any

import pytest

import models
from gql.core.ids import to_global_id
from gql.core.tokens import create_token
from tests import factories
from tests.conftest import app_client, graphql

CACHE_ON = {"THREADPRESS_RESPONSE_CACHE": "on"}
CREATE_CATEGORY = """
mutation($input: CreateCategoryInput!) {
  createCategory(input: $input) { category { id slug name parent { slug } } errors { field code } }
}
"""
UPDATE_CATEGORY = """
mutation($input: UpdateCategoryInput!) {
  updateCategory(input: $input) { category { slug name parent { slug } } errors { field code } }
}
"""
DELETE_CATEGORY = """
mutation($input: DeleteCategoryInput!) {
  deleteCategory(input: $input) { deletedId errors { field code } }
}
"""
CREATE_AUTHOR = """
mutation($input: CreateAuthorInput!) {
  createAuthor(input: $input) { author { id slug name url } errors { field code } }
}
"""
UPDATE_AUTHOR = """
mutation($input: UpdateAuthorInput!) {
  updateAuthor(input: $input) { author { slug name bio } errors { field code } }
}
"""
DELETE_AUTHOR = """
mutation($input: DeleteAuthorInput!) {
  deleteAuthor(input: $input) { deletedId errors { field code } }
}
"""
CATEGORY_PAGE = "query($slug: String) { category(slug: $slug) { name postCount } }"
POST_PAGE = "query($slug: String) { post(slug: $slug) { author { name } categories { name } } }"


async def _editor() -> dict[str, str]:
    _, secret = await create_token("the editor", models.Role.EDITOR)
    return {"Authorization": f"Bearer {secret}"}


async def test_categories_nest_and_their_slugs_are_unique(db: str) -> None:
    editor = await _editor()

    async with app_client(db) as http:
        running = await graphql(http, CREATE_CATEGORY, {"input": {"name": "Running"}}, editor)
        parent_id = running["data"]["createCategory"]["category"]["id"]
        trails = await graphql(
            http,
            CREATE_CATEGORY,
            {"input": {"name": "Trail Running", "parentId": parent_id}},
            editor,
        )
        again = await graphql(http, CREATE_CATEGORY, {"input": {"name": "Running"}}, editor)
        taken = await graphql(
            http, CREATE_CATEGORY, {"input": {"name": "Other", "slug": "running"}}, editor
        )
        bad = await graphql(
            http,
            CREATE_CATEGORY,
            {"input": {"name": " ", "slug": "Bad Slug", "parentId": to_global_id("Category", 99)}},
            editor,
        )

    assert trails["data"]["createCategory"] == {
        "category": {
            "id": trails["data"]["createCategory"]["category"]["id"],
            "slug": "trail-running",
            "name": "Trail Running",
            "parent": {"slug": "running"},
        },
        "errors": [],
    }
    assert again["data"]["createCategory"]["category"]["slug"] == "running-2"
    assert taken["data"]["createCategory"]["errors"] == [{"field": "slug", "code": "SLUG_TAKEN"}]
    assert bad["data"]["createCategory"]["errors"] == [
        {"field": "name", "code": "REQUIRED"},
        {"field": "slug", "code": "INVALID"},
        {"field": "parentId", "code": "NOT_FOUND"},
    ]
    assert await models.Category.all().count() == 3


async def test_a_category_cannot_sit_inside_itself(db: str) -> None:
    editor = await _editor()
    top = await factories.category(slug="top")
    child = await factories.category(slug="child", parent=top)

    async with app_client(db) as http:
        body = await graphql(
            http,
            UPDATE_CATEGORY,
            {
                "input": {
                    "id": to_global_id("Category", top.id),
                    "parentId": to_global_id("Category", child.id),
                }
            },
            editor,
        )
        lifted = await graphql(
            http,
            UPDATE_CATEGORY,
            {"input": {"id": to_global_id("Category", child.id), "parentId": None, "name": "Kid"}},
            editor,
        )

    assert body["data"]["updateCategory"]["errors"] == [{"field": "parentId", "code": "INVALID"}]
    assert lifted["data"]["updateCategory"] == {
        "category": {"slug": "child", "name": "Kid", "parent": None},
        "errors": [],
    }


async def test_a_category_with_posts_is_deleted_only_by_moving_them(db: str) -> None:
    editor = await _editor()
    writer = await factories.author()
    old = await factories.category(slug="old", name="Old")
    new = await factories.category(slug="new", name="New")
    child = await factories.category(slug="kid", parent=old)
    await factories.post(writer, slug="p", categories=[old])
    old_id = to_global_id("Category", old.id)

    async with app_client(db, CACHE_ON) as http:
        before = await graphql(http, POST_PAGE, {"slug": "p"})
        in_use = await graphql(http, DELETE_CATEGORY, {"input": {"id": old_id}}, editor)
        moved = await graphql(
            http,
            DELETE_CATEGORY,
            {"input": {"id": old_id, "reassignTo": to_global_id("Category", new.id)}},
            editor,
        )
        after = await graphql(http, POST_PAGE, {"slug": "p"})
        counted = await graphql(http, CATEGORY_PAGE, {"slug": "new"})

    assert in_use["data"]["deleteCategory"] == {
        "deletedId": None,
        "errors": [{"field": "id", "code": "IN_USE"}],
    }
    assert moved["data"]["deleteCategory"] == {"deletedId": old_id, "errors": []}
    assert before["data"]["post"]["categories"] == [{"name": "Old"}]
    assert after["data"]["post"]["categories"] == [{"name": "New"}]
    assert counted["data"]["category"] == {"name": "New", "postCount": 1}
    assert (await models.Category.get(id=child.id)).parent_id is None


async def test_authors_are_checked_renamed_and_their_email_stays_private(db: str) -> None:
    editor = await _editor()

    async with app_client(db, CACHE_ON) as http:
        bad = await graphql(
            http,
            CREATE_AUTHOR,
            {"input": {"name": "Jo", "url": "ftp://x", "email": "not-an-email"}},
            editor,
        )
        made = await graphql(
            http,
            CREATE_AUTHOR,
            {
                "input": {
                    "name": "Jo Runner",
                    "url": "https://jo.example",
                    "email": "jo@example.org",
                }
            },
            editor,
        )
        author_id = made["data"]["createAuthor"]["author"]["id"]
        public_before = await graphql(http, 'query { author(slug: "jo-runner") { name } }', {})
        renamed = await graphql(
            http,
            UPDATE_AUTHOR,
            {"input": {"id": author_id, "name": "Jo R.", "bio": "Runs."}},
            editor,
        )
        public_after = await graphql(http, 'query { author(slug: "jo-runner") { name } }', {})

    assert bad["data"]["createAuthor"]["errors"] == [
        {"field": "url", "code": "INVALID_URL"},
        {"field": "email", "code": "INVALID_EMAIL"},
    ]
    assert made["data"]["createAuthor"]["author"]["slug"] == "jo-runner"
    assert renamed["data"]["updateAuthor"] == {
        "author": {"slug": "jo-runner", "name": "Jo R.", "bio": "Runs."},
        "errors": [],
    }
    assert public_before["data"]["author"] == {"name": "Jo Runner"}
    assert public_after["data"]["author"] == {"name": "Jo R."}
    assert (await models.Author.get(slug="jo-runner")).email == "jo@example.org"
    assert "jo@example.org" not in str(made)


async def test_an_author_with_posts_is_deleted_only_by_moving_them(db: str) -> None:
    editor = await _editor()
    leaving = await factories.author(slug="leaving", name="Leaving")
    staying = await factories.author(slug="staying", name="Staying")
    await factories.post(leaving, slug="p")
    leaving_id = to_global_id("Author", leaving.id)

    async with app_client(db, CACHE_ON) as http:
        before = await graphql(http, POST_PAGE, {"slug": "p"})
        in_use = await graphql(http, DELETE_AUTHOR, {"input": {"id": leaving_id}}, editor)
        itself = await graphql(
            http, DELETE_AUTHOR, {"input": {"id": leaving_id, "reassignTo": leaving_id}}, editor
        )
        moved = await graphql(
            http,
            DELETE_AUTHOR,
            {"input": {"id": leaving_id, "reassignTo": to_global_id("Author", staying.id)}},
            editor,
        )
        after = await graphql(http, POST_PAGE, {"slug": "p"})

    assert in_use["data"]["deleteAuthor"]["errors"] == [{"field": "id", "code": "IN_USE"}]
    assert itself["data"]["deleteAuthor"]["errors"] == [{"field": "reassignTo", "code": "INVALID"}]
    assert moved["data"]["deleteAuthor"] == {"deletedId": leaving_id, "errors": []}
    assert before["data"]["post"]["author"] == {"name": "Leaving"}
    assert after["data"]["post"]["author"] == {"name": "Staying"}
    actions = [e.action for e in await models.AuditEntry.all()]
    assert actions == ["author.delete"]


WRITES = [
    (CREATE_CATEGORY, {"input": {"name": "X"}}),
    (UPDATE_CATEGORY, {"input": {"id": to_global_id("Category", 1), "name": "X"}}),
    (DELETE_CATEGORY, {"input": {"id": to_global_id("Category", 1)}}),
    (CREATE_AUTHOR, {"input": {"name": "X"}}),
    (UPDATE_AUTHOR, {"input": {"id": to_global_id("Author", 1), "name": "X"}}),
    (DELETE_AUTHOR, {"input": {"id": to_global_id("Author", 1)}}),
]


@pytest.mark.parametrize("role", [None, models.Role.MODERATOR, models.Role.BUILDER])
@pytest.mark.parametrize(("mutation", "variables"), WRITES, ids=lambda w: str(w)[:24])
async def test_only_editors_write_categories_and_authors(
    db: str, role: models.Role | None, mutation: str, variables: dict[str, Any]
) -> None:
    await factories.author(slug="kept-author", name="Kept")
    await factories.category(slug="kept-category", name="Kept")
    headers: dict[str, str] = {}
    if role is not None:
        _, secret = await create_token("not an editor", role)
        headers["Authorization"] = f"Bearer {secret}"

    async with app_client(db) as http:
        body = await graphql(http, mutation, variables, headers)

    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert [a.name for a in await models.Author.all()] == ["Kept"]
    assert [c.name for c in await models.Category.all()] == ["Kept"]
    assert await models.AuditEntry.all().count() == 0
