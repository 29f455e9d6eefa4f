"""Whatever an anonymous client sends to the read API, it gets a clear error or an empty
answer: never a 500, never a database error, on either database."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from tests import factories
from tests.conftest import graphql

LONE_SURROGATE = "\ud800"  # JSON's "\ud800" escape: valid JSON, not valid Unicode


def _cursor(name: str, values: list[object]) -> str:
    return base64.urlsafe_b64encode(json.dumps([name, values]).encode()).decode()


@pytest.mark.parametrize(
    ("query", "variables", "message"),
    [
        ('{ post(slug: "a\\u0000b") { id } }', {}, "Argument 'slug' contains a NUL character."),
        ('{ post(uri: "/\\u0000/") { id } }', {}, "Argument 'uri' contains a NUL character."),
        ('{ author(slug: "\\u0000") { id } }', {}, "Argument 'slug' contains a NUL character."),
        (
            'query { posts(where: {search: "x\\u0000"}) { totalCount } }',
            {},
            "Argument 'where' contains a NUL character.",
        ),
        (
            "query($id: ID!) { node(id: $id) { id } }",
            {"id": base64.b64encode(b"Post:99999999999999999999").decode()},
            "Argument 'id' is not a valid ID.",
        ),
        (
            "query($after: String) { posts(after: $after) { totalCount } }",
            {"after": _cursor("post:PUBLISHED_AT:desc", ["2017-01-01T00:00:00+00:00", 2**40])},
            "Argument 'after' is not a valid cursor.",
        ),
        (
            "query($after: String) { posts(after: $after) { totalCount } }",
            {"after": _cursor("post:PUBLISHED_AT:desc", ["2017-01-01T00:00:00", 1])},
            "Argument 'after' is not a valid cursor.",
        ),
        (
            "query($after: String) {"
            " posts(after: $after, orderBy: {field: TITLE}) { totalCount } }",
            {"after": _cursor("post:TITLE:desc", ["ab\u0000", 1])},
            "Argument 'after' is not a valid cursor.",
        ),
        (
            "query($after: String) { posts(after: $after) { totalCount } }",
            {"after": base64.urlsafe_b64encode(b'{"a": 1, "b": 2}').decode()},
            "Argument 'after' is not a valid cursor.",
        ),
        (
            '{ posts(where: {publishedAfter: "9999-12-31T23:59:59-12:00"}) { totalCount } }',
            {},
            "'publishedAfter' is outside the representable range.",
        ),
        (
            "query($s: String) { post(slug: $s) { id } }",
            {"s": "a" + LONE_SURROGATE},
            "Argument 'slug' contains a lone surrogate (not valid Unicode).",
        ),
        (
            "query($s: String) { post(uri: $s) { id } }",
            {"s": "/" + LONE_SURROGATE + "/"},
            "Argument 'uri' contains a lone surrogate (not valid Unicode).",
        ),
        (
            "query($s: String) { category(slug: $s) { id } }",
            {"s": LONE_SURROGATE},
            "Argument 'slug' contains a lone surrogate (not valid Unicode).",
        ),
        (
            "query($s: String) { posts(where: {search: $s}) { totalCount } }",
            {"s": LONE_SURROGATE},
            "Argument 'where' contains a lone surrogate (not valid Unicode).",
        ),
        (
            "query($after: String) {"
            " posts(after: $after, orderBy: {field: TITLE}) { totalCount } }",
            {
                "after": base64.urlsafe_b64encode(
                    json.dumps(["post:TITLE:desc", ["ab" + LONE_SURROGATE, 1]]).encode()
                ).decode()
            },
            "Argument 'after' is not a valid cursor.",
        ),
    ],
)
async def test_hostile_arguments_get_clear_errors(
    client: httpx.AsyncClient, query: str, variables: dict[str, object], message: str
) -> None:
    await factories.post(await factories.author(), slug="a")

    body = await graphql(client, query, variables)

    assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [
        (message, "BAD_USER_INPUT")
    ]


@pytest.mark.parametrize(
    "search", ["%", "_", "100%_off", "'; DROP TABLE post; --", "\\", "ü", "a" * 200]
)
async def test_search_treats_every_character_literally(
    client: httpx.AsyncClient, search: str
) -> None:
    await factories.post(await factories.author(), title="Plain title", content="<p>plain</p>")

    body = await graphql(
        client,
        "query($s: String) { posts(where: {search: $s}) { totalCount } }",
        {"s": search},
    )

    assert body == {"data": {"posts": {"totalCount": 0}}}


async def test_search_longer_than_the_limit_is_refused(client: httpx.AsyncClient) -> None:
    body = await graphql(
        client, "query($s: String) { posts(where: {search: $s}) { totalCount } }", {"s": "a" * 201}
    )

    assert body["errors"][0]["message"] == "'search' is limited to 200 characters."
