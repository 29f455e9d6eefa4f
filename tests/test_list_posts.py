"""A front end lists posts: filters, orderings, paging in both directions, and the errors a
client gets for arguments out of range."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

import models
from tests import factories
from tests.conftest import graphql

LIST = """
query List($first: Int, $after: String, $last: Int, $before: String,
           $where: PostWhere, $orderBy: PostOrder) {
  posts(first: $first, after: $after, last: $last, before: $before,
        where: $where, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    nodes { slug }
  }
}
"""


async def _list(http: httpx.AsyncClient, **variables: object) -> dict[str, object]:
    body = await graphql(http, LIST, variables)
    assert "errors" not in body, body
    posts: dict[str, object] = body["data"]["posts"]
    return posts


def _slugs(posts: dict[str, object]) -> list[str]:
    nodes = posts["nodes"]
    assert isinstance(nodes, list)
    return [node["slug"] for node in nodes]


async def _blog() -> None:
    """Five public posts a day apart (p1 oldest), plus posts the public must never see."""
    ann = await factories.author(slug="ann")
    bob = await factories.author(slug="bob")
    running = await factories.category(slug="running")
    titles = ["banana Run", "apple run", "Cherry run", "apple Run", "date run"]
    for day, title in enumerate(titles, start=1):
        await factories.post(
            ann if day % 2 else bob,
            slug=f"p{day}",
            title=title,
            published_at=factories.BASE_TIME + timedelta(days=day),
            updated_at=factories.BASE_TIME + timedelta(days=10 - day),
            categories=[running] if day <= 2 else None,
            content=f"<p>Training log {day}: tempo {'hills' if day == 3 else 'flat'}</p>",
        )
    await factories.post(ann, slug="draft", status=models.PostStatus.DRAFT, published_at=None)
    await factories.post(ann, slug="private", status=models.PostStatus.PRIVATE)
    await factories.post(ann, slug="locked", password="secret")
    await factories.post(
        ann, slug="scheduled", published_at=factories.BASE_TIME + timedelta(days=365 * 100)
    )


async def test_newest_first_by_default_and_hidden_posts_never_listed(
    client: httpx.AsyncClient,
) -> None:
    await _blog()

    posts = await _list(client)

    assert _slugs(posts) == ["p5", "p4", "p3", "p2", "p1"]
    assert posts["totalCount"] == 5


async def test_pages_forward_and_backward_with_cursors(client: httpx.AsyncClient) -> None:
    await _blog()

    page1 = await _list(client, first=2)
    page2 = await _list(client, first=2, after=page1["pageInfo"]["endCursor"])  # type: ignore[index]
    page3 = await _list(client, first=2, after=page2["pageInfo"]["endCursor"])  # type: ignore[index]
    back = await _list(client, last=2, before=page3["pageInfo"]["startCursor"])  # type: ignore[index]
    tail = await _list(client, last=2)

    assert _slugs(page1) == ["p5", "p4"]
    assert page1["pageInfo"]["hasNextPage"] is True  # type: ignore[index]
    assert page1["pageInfo"]["hasPreviousPage"] is False  # type: ignore[index]
    assert _slugs(page2) == ["p3", "p2"]
    assert _slugs(page3) == ["p1"]
    assert page3["pageInfo"]["hasNextPage"] is False  # type: ignore[index]
    assert _slugs(back) == ["p3", "p2"]
    assert back["pageInfo"]["hasPreviousPage"] is True  # type: ignore[index]
    assert _slugs(tail) == ["p2", "p1"]


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ({"field": "PUBLISHED_AT", "direction": "ASC"}, ["p1", "p2", "p3", "p4", "p5"]),
        ({"field": "UPDATED_AT", "direction": "DESC"}, ["p1", "p2", "p3", "p4", "p5"]),
        ({"field": "UPDATED_AT", "direction": "ASC"}, ["p5", "p4", "p3", "p2", "p1"]),
        # case-insensitive; "apple run" and "apple Run" tie and break by databaseId
        ({"field": "TITLE", "direction": "ASC"}, ["p2", "p4", "p1", "p3", "p5"]),
        ({"field": "TITLE", "direction": "DESC"}, ["p5", "p3", "p1", "p4", "p2"]),
    ],
)
async def test_orderings_are_total_and_page_consistently(
    client: httpx.AsyncClient, order: dict[str, str], expected: list[str]
) -> None:
    await _blog()

    whole = await _list(client, orderBy=order)
    walked: list[str] = []
    cursor = None
    for _ in range(5):
        page = await _list(client, orderBy=order, first=2, after=cursor)
        walked += _slugs(page)
        cursor = page["pageInfo"]["endCursor"]  # type: ignore[index]
        if not page["pageInfo"]["hasNextPage"]:  # type: ignore[index]
            break

    assert _slugs(whole) == expected
    assert walked == expected


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ({"categorySlug": "running"}, ["p2", "p1"]),
        ({"authorSlug": "bob"}, ["p4", "p2"]),
        ({"search": "HILLS"}, ["p3"]),
        ({"search": "apple run"}, ["p4", "p2"]),
        ({"publishedAfter": "2017-03-07T09:00:00+00:00"}, ["p5", "p4"]),
        ({"publishedBefore": "2017-03-07T09:00:00Z"}, ["p2", "p1"]),
        ({"updatedAfter": "2017-03-10T09:00:00"}, ["p3", "p2", "p1"]),
        ({"categorySlug": "no-such-category"}, []),
        ({"authorSlug": "ann", "categorySlug": "running"}, ["p1"]),
    ],
)
async def test_filters(
    client: httpx.AsyncClient, where: dict[str, str], expected: list[str]
) -> None:
    await _blog()

    posts = await _list(client, where=where)

    assert _slugs(posts) == expected
    assert posts["totalCount"] == len(expected)


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"first": 101}, "Argument 'first' must be between 0 and 100, got 101."),
        ({"first": -1}, "Argument 'first' must be between 0 and 100, got -1."),
        ({"last": 1000}, "Argument 'last' must be between 0 and 100, got 1000."),
        ({"after": "not-a-cursor"}, "Argument 'after' is not a valid cursor."),
        ({"before": "bm9wZQ=="}, "Argument 'before' is not a valid cursor."),
        ({"first": 1, "last": 1}, "Pass 'first' or 'last', not both."),
    ],
)
async def test_bad_page_arguments_are_clear_errors(
    client: httpx.AsyncClient, variables: dict[str, object], message: str
) -> None:
    body = await graphql(client, LIST, variables)

    assert body["data"] is None
    assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [
        (message, "BAD_USER_INPUT")
    ]


async def test_cursor_of_another_ordering_is_refused(client: httpx.AsyncClient) -> None:
    await _blog()
    by_title = await _list(client, first=1, orderBy={"field": "TITLE", "direction": "ASC"})

    body = await graphql(client, LIST, {"after": by_title["pageInfo"]["endCursor"]})  # type: ignore[index]

    assert body["errors"][0]["message"] == "Argument 'after' is not a valid cursor."


async def test_zero_items_and_default_page_size(client: httpx.AsyncClient) -> None:
    writer = await factories.author()
    for day in range(12):
        await factories.post(writer, published_at=factories.BASE_TIME + timedelta(days=day))

    none = await _list(client, first=0)
    default = await _list(client)

    assert none["nodes"] == []
    assert none["pageInfo"]["hasNextPage"] is True  # type: ignore[index]
    assert len(default["nodes"]) == 10  # type: ignore[arg-type]
    assert default["totalCount"] == 12
