"""A reader opens a post page: the post, its author and categories, and the comment thread
read both ways (nested `replies` and the flat `commentThread`)."""

from __future__ import annotations

import httpx

import models
from gql.core.ids import to_global_id
from tests import factories
from tests.conftest import graphql

POST_PAGE = """
query PostPage($slug: String!) {
  post(slug: $slug) {
    title uri status commentStatus commentCount publishedAt
    author { name slug }
    categories { slug name parent { slug } }
    comments(first: 10) {
      totalCount
      nodes {
        authorName depth replyCount
        replies { totalCount nodes { authorName depth parent { authorName }
          replies { nodes { authorName depth } } } }
      }
    }
  }
}
"""

THREAD = """
query Thread($slug: String!, $first: Int, $after: String) {
  post(slug: $slug) {
    commentThread(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage endCursor }
      nodes { authorName depth parent { authorName } }
    }
  }
}
"""


async def _thread_post() -> models.Post:
    """A post with: Ann (replied to by Ben, replied to by Cat), Dan (held), Eve; and a
    reply to the held comment that must stay hidden with it."""
    writer = await factories.author(slug="sam", name="Sam Stride")
    running = await factories.category(slug="running", name="Running")
    recovery = await factories.category(slug="recovery", name="Recovery", parent=running)
    post = await factories.post(
        writer, title="Needles & Calves", slug="needles", categories=[running, recovery]
    )
    ann = await factories.comment(post, name="Ann", minutes=1)
    ben = await factories.comment(post, parent=ann, name="Ben", minutes=5)
    await factories.comment(post, parent=ben, name="Cat", minutes=6)
    dan = await factories.comment(
        post, name="Dan", minutes=2, status=models.CommentModeration.PENDING
    )
    await factories.comment(post, parent=dan, name="Hidden", minutes=3)
    await factories.comment(post, name="Eve", minutes=4)
    await factories.comment(post, parent=ann, name="Spam", status=models.CommentModeration.SPAM)
    return post


async def test_post_page_shows_public_thread_nested(client: httpx.AsyncClient) -> None:
    await _thread_post()

    body = await graphql(client, POST_PAGE, {"slug": "needles"})

    assert "errors" not in body
    post = body["data"]["post"]
    assert post["title"] == "Needles & Calves"
    assert post["uri"] == "/2017/03/04/needles/"
    assert post["status"] == "PUBLISHED"
    assert post["commentStatus"] == "OPEN"
    assert post["publishedAt"] == "2017-03-04T09:00:00+00:00"
    assert post["commentCount"] == 4  # Ann, Ben, Cat, Eve
    assert post["author"] == {"name": "Sam Stride", "slug": "sam"}
    assert post["categories"] == [
        {"slug": "running", "name": "Running", "parent": None},
        {"slug": "recovery", "name": "Recovery", "parent": {"slug": "running"}},
    ]
    comments = post["comments"]
    assert comments["totalCount"] == 2
    assert [c["authorName"] for c in comments["nodes"]] == ["Ann", "Eve"]
    ann = comments["nodes"][0]
    assert ann["depth"] == 0
    assert ann["replyCount"] == 1
    assert ann["replies"] == {
        "totalCount": 1,
        "nodes": [
            {
                "authorName": "Ben",
                "depth": 1,
                "parent": {"authorName": "Ann"},
                "replies": {"nodes": [{"authorName": "Cat", "depth": 2}]},
            }
        ],
    }


async def test_comment_thread_is_depth_first_and_pages(client: httpx.AsyncClient) -> None:
    await _thread_post()

    whole = await graphql(client, THREAD, {"slug": "needles", "first": 100})
    first_page = await graphql(client, THREAD, {"slug": "needles", "first": 2})
    cursor = first_page["data"]["post"]["commentThread"]["pageInfo"]["endCursor"]
    second_page = await graphql(client, THREAD, {"slug": "needles", "first": 2, "after": cursor})

    thread = whole["data"]["post"]["commentThread"]
    assert thread["totalCount"] == 4
    assert [(c["authorName"], c["depth"]) for c in thread["nodes"]] == [
        ("Ann", 0),
        ("Ben", 1),
        ("Cat", 2),
        ("Eve", 0),
    ]
    assert thread["nodes"][2]["parent"] == {"authorName": "Ben"}
    assert thread["pageInfo"]["hasNextPage"] is False
    page1 = first_page["data"]["post"]["commentThread"]
    assert [c["authorName"] for c in page1["nodes"]] == ["Ann", "Ben"]
    assert page1["pageInfo"]["hasNextPage"] is True
    assert page1["pageInfo"]["hasPreviousPage"] is False
    page2 = second_page["data"]["post"]["commentThread"]
    assert [c["authorName"] for c in page2["nodes"]] == ["Cat", "Eve"]
    assert page2["pageInfo"]["hasNextPage"] is False
    assert page2["pageInfo"]["hasPreviousPage"] is True


async def test_post_found_by_uri_and_id(client: httpx.AsyncClient) -> None:
    post = await _thread_post()
    query = """query($id: ID, $uri: String) {
      byUri: post(uri: $uri) { slug } byId: post(id: $id) { slug databaseId id } }"""

    body = await graphql(
        client, query, {"uri": "2017/03/04/needles", "id": to_global_id("Post", post.id)}
    )

    assert body["data"]["byUri"] == {"slug": "needles"}
    assert body["data"]["byId"] == {
        "slug": "needles",
        "databaseId": post.id,
        "id": to_global_id("Post", post.id),
    }


async def test_post_needs_exactly_one_lookup_argument(client: httpx.AsyncClient) -> None:
    body = await graphql(client, '{ post(slug: "a", uri: "/b/") { id } }')

    assert body["data"] == {"post": None}
    assert body["errors"][0]["message"] == "Pass exactly one of 'id', 'slug' or 'uri'."
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_replies_page_backwards(client: httpx.AsyncClient) -> None:
    writer = await factories.author()
    post = await factories.post(writer, slug="busy")
    root = await factories.comment(post, name="Root", minutes=0)
    for minute in range(1, 6):
        await factories.comment(post, parent=root, name=f"R{minute}", minutes=minute)
    query = """query($last: Int, $before: String) { post(slug: "busy") { comments { nodes {
      replies(last: $last, before: $before) {
        nodes { authorName } pageInfo { hasPreviousPage hasNextPage startCursor } } } } } }"""

    tail = await graphql(client, query, {"last": 2})
    replies = tail["data"]["post"]["comments"]["nodes"][0]["replies"]
    before = await graphql(client, query, {"last": 2, "before": replies["pageInfo"]["startCursor"]})

    assert [n["authorName"] for n in replies["nodes"]] == ["R4", "R5"]
    assert replies["pageInfo"] == {
        "hasPreviousPage": True,
        "hasNextPage": False,
        "startCursor": replies["pageInfo"]["startCursor"],
    }
    earlier = before["data"]["post"]["comments"]["nodes"][0]["replies"]
    assert [n["authorName"] for n in earlier["nodes"]] == ["R2", "R3"]
    assert earlier["pageInfo"]["hasNextPage"] is True


async def test_post_content_as_text_and_generated_excerpt(client: httpx.AsyncClient) -> None:
    writer = await factories.author()
    await factories.post(
        writer, slug="text", content="<p>Hills &amp; <em>intervals</em></p><p>Then rest.</p>"
    )
    query = '{ post(slug: "text") { html: content text: content(format: TEXT) excerpt } }'

    body = await graphql(client, query)

    assert body["data"]["post"] == {
        "html": "<p>Hills &amp; <em>intervals</em></p><p>Then rest.</p>",
        "text": "Hills & intervals Then rest.",
        "excerpt": "<p>Hills &amp; intervals Then rest.</p>",
    }
