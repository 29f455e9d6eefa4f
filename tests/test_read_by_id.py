"""A client refetches objects by their global IDs (Relay `node`), and reads authors and
categories with their posts."""

from __future__ import annotations

import base64
from datetime import timedelta

import httpx
import pytest

import models
from gql.core.ids import to_global_id
from tests import factories
from tests.conftest import graphql

NODE = """query($id: ID!) { node(id: $id) { __typename id
  ... on Post { slug } ... on Author { slug } ... on Category { slug }
  ... on Comment { authorName } } }"""


async def test_node_resolves_every_type(client: httpx.AsyncClient) -> None:
    writer = await factories.author(slug="ann")
    running = await factories.category(slug="running")
    post = await factories.post(writer, slug="hello", categories=[running])
    comment = await factories.comment(post, name="Reader")
    expected = {
        to_global_id("Post", post.id): {"__typename": "Post", "slug": "hello"},
        to_global_id("Author", writer.id): {"__typename": "Author", "slug": "ann"},
        to_global_id("Category", running.id): {"__typename": "Category", "slug": "running"},
        to_global_id("Comment", comment.id): {"__typename": "Comment", "authorName": "Reader"},
    }

    for global_id, fields in expected.items():
        body = await graphql(client, NODE, {"id": global_id})
        assert body == {"data": {"node": {"id": global_id, **fields}}}


async def test_hidden_or_unknown_objects_are_null(client: httpx.AsyncClient) -> None:
    writer = await factories.author()
    draft = await factories.post(writer, status=models.PostStatus.DRAFT, published_at=None)
    locked = await factories.post(writer, password="secret", content="<p>members only</p>")
    public = await factories.post(writer)
    held = await factories.comment(public, status=models.CommentModeration.PENDING)
    on_draft = await factories.comment(draft)
    reply_to_held = await factories.comment(public, parent=held)

    for global_id in (
        to_global_id("Post", draft.id),
        to_global_id("Post", locked.id),
        to_global_id("Post", 999_999),
        to_global_id("Comment", held.id),
        to_global_id("Comment", on_draft.id),
        to_global_id("Comment", reply_to_held.id),
    ):
        body = await graphql(client, NODE, {"id": global_id})
        assert body == {"data": {"node": None}}, global_id
    comment = await graphql(
        client,
        "query($id: ID!) { comment(id: $id) { id } }",
        {"id": to_global_id("Comment", held.id)},
    )
    assert comment == {"data": {"comment": None}}
    by_slug = await graphql(
        client, "query($slug: String) { post(slug: $slug) { content } }", {"slug": locked.slug}
    )
    assert by_slug == {"data": {"post": None}}


@pytest.mark.parametrize(
    "bad_id",
    [
        "not base64!",
        base64.b64encode(b"Post:").decode(),
        base64.b64encode(b"Post:abc").decode(),
        base64.b64encode(b"Spaceship:1").decode(),
        base64.b64encode(b"Post:-4").decode(),
        base64.b64encode(b"\xff\xfe").decode(),
        "",
    ],
)
async def test_malformed_ids_are_clear_errors(client: httpx.AsyncClient, bad_id: str) -> None:
    body = await graphql(client, NODE, {"id": bad_id})

    assert body["data"] == {"node": None}
    assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [
        ("Argument 'id' is not a valid ID.", "BAD_USER_INPUT")
    ]


async def test_an_id_of_another_type_finds_nothing(client: httpx.AsyncClient) -> None:
    writer = await factories.author(slug="ann")

    body = await graphql(
        client,
        "query($id: ID) { post(id: $id) { slug } author(id: $id) { slug } }",
        {"id": to_global_id("Author", writer.id)},
    )

    assert body == {"data": {"post": None, "author": {"slug": "ann"}}}


AUTHORS_AND_CATEGORIES = """
{
  authors { totalCount nodes { slug name bio url posts(first: 2) { totalCount nodes { slug } } } }
  categories { totalCount nodes { slug postCount parent { slug } children { slug }
    posts { totalCount nodes { slug } } } }
  running: category(slug: "running") { name posts(first: 1) { nodes { slug }
    pageInfo { hasNextPage } } }
  ann: author(slug: "ann") { name }
  nobody: author(slug: "nobody") { name }
}
"""


async def test_authors_and_categories_with_their_public_posts(client: httpx.AsyncClient) -> None:
    ann = await factories.author(slug="ann", name="Ann")
    bob = await factories.author(slug="bob", name="Bob")
    running = await factories.category(slug="running", name="Running")
    trail = await factories.category(slug="trail", name="Trail", parent=running)
    for day in range(3):
        await factories.post(
            ann,
            slug=f"ann-{day}",
            published_at=factories.BASE_TIME + timedelta(days=day),
            categories=[running],
        )
    await factories.post(bob, slug="bob-0", categories=[trail, running])
    await factories.post(bob, slug="bob-draft", status=models.PostStatus.DRAFT, categories=[trail])

    body = await graphql(client, AUTHORS_AND_CATEGORIES)

    assert "errors" not in body
    data = body["data"]
    assert data["authors"] == {
        "totalCount": 2,
        "nodes": [
            {
                "slug": "ann",
                "name": "Ann",
                "bio": "Runs a lot.",
                "url": None,
                "posts": {"totalCount": 3, "nodes": [{"slug": "ann-2"}, {"slug": "ann-1"}]},
            },
            {
                "slug": "bob",
                "name": "Bob",
                "bio": "Runs a lot.",
                "url": None,
                "posts": {"totalCount": 1, "nodes": [{"slug": "bob-0"}]},
            },
        ],
    }
    assert data["categories"] == {
        "totalCount": 2,
        "nodes": [
            {
                "slug": "running",
                "postCount": 4,
                "parent": None,
                "children": [{"slug": "trail"}],
                "posts": {
                    "totalCount": 4,
                    # bob-0 and ann-0 share a date: the later id comes first (DESC)
                    "nodes": [
                        {"slug": "ann-2"},
                        {"slug": "ann-1"},
                        {"slug": "bob-0"},
                        {"slug": "ann-0"},
                    ],
                },
            },
            {
                "slug": "trail",
                "postCount": 1,
                "parent": {"slug": "running"},
                "children": [],
                "posts": {"totalCount": 1, "nodes": [{"slug": "bob-0"}]},
            },
        ],
    }
    assert data["running"] == {
        "name": "Running",
        "posts": {"nodes": [{"slug": "ann-2"}], "pageInfo": {"hasNextPage": True}},
    }
    assert data["ann"] == {"name": "Ann"}
    assert data["nobody"] is None
