"""Editors, moderators and build tools authenticate with API tokens: who they are is in
`viewer`, and a token that is wrong or revoked is refused outright, never read as anonymous."""

from __future__ import annotations

import httpx
import pytest

import models
from gql.core.tokens import create_token, revoke_token, token_hash
from tests.conftest import app_client, without_cost

VIEWER = "{ viewer { name role permissions } }"


async def _viewer(http: httpx.AsyncClient, authorization: str | None) -> httpx.Response:
    headers = {"Authorization": authorization} if authorization is not None else {}
    return await http.post("/graphql", json={"query": VIEWER}, headers=headers)


@pytest.mark.parametrize(
    ("role", "permissions"),
    [
        (models.Role.EDITOR, ["BULK_READ", "WRITE_CONTENT"]),
        (models.Role.MODERATOR, ["MODERATE_COMMENTS"]),
        (models.Role.BUILDER, ["BULK_READ"]),
    ],
)
async def test_a_token_tells_who_its_holder_is_and_what_it_may_do(
    db: str, role: models.Role, permissions: list[str]
) -> None:
    _, secret = await create_token("site build", role)

    async with app_client(db) as http:
        response = await _viewer(http, f"Bearer {secret}")

    assert response.status_code == 200
    assert without_cost(response.json()) == {
        "data": {"viewer": {"name": "site build", "role": role.name, "permissions": permissions}}
    }
    assert response.headers["cache-control"] == "private, no-store"


async def test_anonymous_readers_have_no_viewer(db: str) -> None:
    async with app_client(db) as http:
        response = await _viewer(http, None)

    assert without_cost(response.json()) == {"data": {"viewer": None}}


@pytest.mark.parametrize(
    ("authorization", "message"),
    [
        ("Bearer tp_not-a-real-token", "The API token is not valid."),
        ("Bearer ", "Send an API token as `Authorization: Bearer <token>`."),
        ("Basic dXNlcjpwYXNz", "Send an API token as `Authorization: Bearer <token>`."),
        ("Bearer " + "x" * 500, "The API token is not valid."),
    ],
)
async def test_a_wrong_token_is_a_401_not_the_anonymous_view(
    db: str, authorization: str, message: str
) -> None:
    async with app_client(db) as http:
        response = await _viewer(http, authorization)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="threadpress"'
    assert response.json()["errors"] == [
        {"message": message, "extensions": {"code": "UNAUTHENTICATED"}}
    ]
    assert "data" not in response.json()


async def test_a_revoked_token_is_refused_from_then_on(db: str) -> None:
    _, secret = await create_token("old laptop", models.Role.EDITOR)

    async with app_client(db) as http:
        before = await _viewer(http, f"Bearer {secret}")
        assert await revoke_token("old laptop")
        after = await _viewer(http, f"Bearer {secret}")

    assert before.status_code == 200
    assert after.status_code == 401
    assert after.json()["errors"][0]["message"] == "The API token was revoked."


async def test_only_a_hash_of_the_token_is_stored(db: str) -> None:
    _, secret = await create_token("moderation desk", models.Role.MODERATOR)

    row = await models.ApiToken.get(name="moderation desk")

    assert row.token_hash == token_hash(secret)
    assert secret not in row.token_hash
    assert secret.startswith("tp_")
    assert len(secret) > 40
