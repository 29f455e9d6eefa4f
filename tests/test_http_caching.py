"""A CDN or browser caches `GET /graphql`: validators, revalidation, and nothing shared for
requests that carry credentials."""

from __future__ import annotations

import httpx

import models
from gql.core.tokens import create_token
from tests import factories

QUERY = {"query": "{ posts { totalCount nodes { title } } }"}


async def test_get_answers_carry_an_etag_and_revalidate_to_304(client: httpx.AsyncClient) -> None:
    await factories.post(await factories.author(), title="First")

    first = await client.get("/graphql", params=QUERY)
    again = await client.get(
        "/graphql", params=QUERY, headers={"If-None-Match": first.headers["etag"]}
    )

    assert first.status_code == 200
    assert first.headers["cache-control"] == "public, max-age=0, must-revalidate"
    assert first.headers["etag"].startswith('"')
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == first.headers["etag"]


async def test_a_change_changes_the_etag(client: httpx.AsyncClient) -> None:
    writer = await factories.author()
    await factories.post(writer, title="First")
    before = await client.get("/graphql", params=QUERY)
    await factories.post(writer, title="Second")

    after = await client.get(
        "/graphql", params=QUERY, headers={"If-None-Match": before.headers["etag"]}
    )

    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]
    assert after.json()["data"]["posts"]["totalCount"] == 2


async def test_requests_with_credentials_are_never_stored(client: httpx.AsyncClient) -> None:
    _, secret = await create_token("a build", models.Role.BUILDER)

    response = await client.get(
        "/graphql", params=QUERY, headers={"Authorization": f"Bearer {secret}"}
    )

    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, no-store"
    assert "etag" not in response.headers


async def test_post_is_not_cacheable(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json=QUERY)

    assert "etag" not in response.headers
