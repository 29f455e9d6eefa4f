"""A build's first fetch: every public node in one streamed request, ending with the token
to continue from with `changes`."""

from __future__ import annotations

import json
from typing import Any

import pytest

import gql.site.export
import models
from gql.core.ids import to_global_id
from gql.core.tokens import create_token
from gql.publishing.change_log import announce_everything
from tests import factories
from tests.conftest import app_client, graphql

APPROVE = """
mutation($id: ID!) { moderateComment(input: {id: $id, action: APPROVE}) { errors { code } } }
"""
FEED = """
query($since: String) {
  changes(since: $since) { entries { kind typename id contentDigest } nextToken hasMore }
}
"""


async def _headers(role: models.Role) -> dict[str, str]:
    _, secret = await create_token(f"an {role.value}", role)
    return {"Authorization": f"Bearer {secret}"}


async def _site() -> dict[str, Any]:
    writer = await factories.author(slug="jo", name="Jo", email="jo-private@example.org")
    other = await factories.author(slug="sam", name="Sam")
    running = await factories.category(slug="running", name="Running")
    first = await factories.post(writer, slug="first", categories=[running])
    second = await factories.post(other, slug="second")
    await factories.post(writer, slug="draft", status=models.PostStatus.DRAFT)
    top = await factories.comment(first, email="reader-private@example.org")
    await factories.comment(first, parent=top)
    held = await factories.comment(second, status=models.CommentModeration.PENDING)
    await announce_everything()  # as an import does
    return {"first": first, "second": second, "held": held}


def _parse(body: bytes) -> tuple[list[dict[str, Any]], str]:
    lines = [json.loads(line) for line in body.decode().splitlines()]
    *nodes, last = lines
    return nodes, last["nextToken"]


@pytest.mark.parametrize("batch", [500, 2])
async def test_a_build_exports_every_public_node_then_continues_with_the_feed(
    db: str, batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gql.site.export, "BATCH", batch)
    site = await _site()
    builder = await _headers(models.Role.BUILDER)
    moderator = await _headers(models.Role.MODERATOR)
    held = to_global_id("Comment", site["held"].id)

    async with app_client(db) as http:
        response = await http.get("/export.ndjson", headers=builder)
        nodes, token = _parse(response.content)
        feed = await graphql(http, FEED, {"since": None}, builder)
        await graphql(http, APPROVE, {"id": held}, moderator)
        after = await graphql(http, FEED, {"since": token}, builder)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    assert [(n["typename"], n["databaseId"]) for n in nodes][:3] == [
        ("Author", 1),
        ("Author", 2),
        ("Category", 1),
    ]
    counts = {t: sum(1 for n in nodes if n["typename"] == t) for t in ("Post", "Comment")}
    assert counts == {"Post": 2, "Comment": 2}
    first = next(n for n in nodes if n["typename"] == "Post" and n["slug"] == "first")
    assert first["commentCount"] == 2
    assert first["categories"] == [to_global_id("Category", 1)]
    assert "private@example.org" not in response.text
    assert "203.0.113.7" not in response.text
    # The export and the feed describe each node the same way.
    feed_digests = {e["id"]: e["contentDigest"] for e in feed["data"]["changes"]["entries"]}
    assert {n["id"]: n["contentDigest"] for n in nodes} == feed_digests
    assert token == feed["data"]["changes"]["nextToken"]
    assert [(e["kind"], e["id"]) for e in after["data"]["changes"]["entries"]] == [
        ("UPSERT", held),
        ("UPSERT", to_global_id("Post", site["second"].id)),
    ]


@pytest.mark.parametrize(
    ("authorization", "status", "code"),
    [
        (None, 401, "UNAUTHENTICATED"),
        ("Bearer tp_wrong", 401, "UNAUTHENTICATED"),
        ("moderator", 403, "FORBIDDEN"),
    ],
)
async def test_the_export_needs_a_builder_or_editor_token(
    db: str, authorization: str | None, status: int, code: str
) -> None:
    await _site()
    headers: dict[str, str] = {}
    if authorization == "moderator":
        headers = await _headers(models.Role.MODERATOR)
    elif authorization:
        headers = {"Authorization": authorization}

    async with app_client(db) as http:
        response = await http.get("/export.ndjson", headers=headers)

    assert response.status_code == status
    assert response.json()["errors"][0]["extensions"] == {"code": code}
    assert "Jo" not in response.text
