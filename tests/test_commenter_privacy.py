"""A commenter asks what is stored about them, or to be forgotten; addresses are kept only
as long as moderation needs them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tortoise import timezone

import models
from gql.comments.privacy import PLACEHOLDER_CONTENT, purge_addresses
from gql.core.ids import to_global_id
from gql.core.tokens import create_token
from tests import factories
from tests.conftest import app_client, graphql

EXPORT = """
mutation($email: String!) {
  exportCommenter(input: {email: $email}) {
    comments { id postId authorName authorEmail ipAddress userAgent content status }
    errors { field code }
  }
}
"""
ERASE = """
mutation($email: String!) {
  eraseCommenter(input: {email: $email}) { removedCount placeholderCount errors { field code } }
}
"""
THREAD = """
query { post(slug: "calf") { commentCount comments { nodes { authorName content
  replies { nodes { authorName } } } } } }
"""


async def _moderator() -> dict[str, str]:
    _, secret = await create_token("privacy desk", models.Role.MODERATOR)
    return {"Authorization": f"Bearer {secret}"}


async def _site() -> dict[str, models.Comment]:
    post = await factories.post(await factories.author(), slug="calf")
    answered = await factories.comment(post, name="Sam", email="Sam@Example.org")
    reply = await factories.comment(post, parent=answered, name="Jo", email="jo@example.org")
    alone = await factories.comment(post, name="Sam", email="sam@example.org")
    return {"answered": answered, "reply": reply, "alone": alone}


async def test_a_moderator_exports_everything_stored_under_an_email(db: str) -> None:
    comments = await _site()
    moderator = await _moderator()

    async with app_client(db) as http:
        body = await graphql(http, EXPORT, {"email": "SAM@example.org"}, moderator)
        invalid = await graphql(http, EXPORT, {"email": "not an email"}, moderator)

    exported = body["data"]["exportCommenter"]
    assert exported["errors"] == []
    assert [c["id"] for c in exported["comments"]] == [
        to_global_id("Comment", comments["answered"].id),
        to_global_id("Comment", comments["alone"].id),
    ]
    assert exported["comments"][0]["ipAddress"] == "203.0.113.7"
    assert exported["comments"][0]["userAgent"] == "TestBrowser/1.0"
    assert exported["comments"][0]["status"] == "APPROVED"
    assert invalid["data"]["exportCommenter"]["errors"] == [
        {"field": "email", "code": "INVALID_EMAIL"}
    ]
    [entry] = await models.AuditEntry.all()
    assert (entry.action, entry.details) == ("commenter.export", "2 comments")


async def test_erasing_keeps_the_conversation_and_forgets_the_commenter(db: str) -> None:
    comments = await _site()
    moderator = await _moderator()

    async with app_client(db, {"THREADPRESS_RESPONSE_CACHE": "on"}) as http:
        before = await graphql(http, THREAD, {}, {})
        erased = await graphql(http, ERASE, {"email": "sam@example.org"}, moderator)
        after = await graphql(http, THREAD, {}, {})
        again = await graphql(http, EXPORT, {"email": "sam@example.org"}, moderator)

    assert erased["data"]["eraseCommenter"] == {
        "removedCount": 1,
        "placeholderCount": 1,
        "errors": [],
    }
    assert before["data"]["post"]["commentCount"] == 3
    assert after["data"]["post"] == {
        "commentCount": 2,
        "comments": {
            "nodes": [
                {
                    "authorName": "deleted",
                    "content": PLACEHOLDER_CONTENT,
                    "replies": {"nodes": [{"authorName": "Jo"}]},
                }
            ]
        },
    }
    assert again["data"]["exportCommenter"]["comments"] == []
    placeholder = await models.Comment.get(id=comments["answered"].id)
    assert (placeholder.author_email, placeholder.author_ip, placeholder.author_user_agent) == (
        "",
        None,
        None,
    )
    assert not await models.Comment.filter(id=comments["alone"].id).exists()
    stored = await models.Comment.all().values_list("author_email", "author_name", "content")
    assert "sam" not in str(stored).lower()


@pytest.mark.parametrize("role", [None, models.Role.EDITOR, models.Role.BUILDER])
@pytest.mark.parametrize("mutation", [EXPORT, ERASE], ids=["export", "erase"])
async def test_only_moderators_export_or_erase(
    db: str, role: models.Role | None, mutation: str
) -> None:
    await _site()
    headers: dict[str, str] = {}
    if role is not None:
        _, secret = await create_token("not a moderator", role)
        headers["Authorization"] = f"Bearer {secret}"

    async with app_client(db) as http:
        body = await graphql(http, mutation, {"email": "sam@example.org"}, headers)

    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert "203.0.113.7" not in str(body)
    assert await models.Comment.all().count() == 3


async def test_addresses_are_erased_after_the_retention_period(db: str) -> None:
    post = await factories.post(await factories.author())
    old = await factories.comment(post)  # written in 2017
    recent = await factories.comment(post)
    recent.created_at = timezone.now() - timedelta(days=29)
    await recent.save()

    purged = await purge_addresses(timezone.now(), retention_days=30)
    again = await purge_addresses(timezone.now(), retention_days=30)

    assert (purged, again) == (1, 0)
    old_row = await models.Comment.get(id=old.id)
    recent_row = await models.Comment.get(id=recent.id)
    assert (old_row.author_ip, old_row.author_user_agent) == (None, None)
    assert (recent_row.author_ip, recent_row.author_user_agent) == (
        "203.0.113.7",
        "TestBrowser/1.0",
    )
    assert old_row.author_email == "reader@example.org"  # the rest stays
