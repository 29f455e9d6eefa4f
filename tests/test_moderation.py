"""A moderator works through the comments that wait: reads the queue with what commenters
gave privately, approves, holds, marks spam or trashes; readers see the result at once and a
comment's replies follow it."""

from __future__ import annotations

from typing import Any

import pytest

import models
from gql.core.ids import to_global_id
from gql.core.tokens import create_token
from tests import factories
from tests.conftest import app_client, graphql

QUEUE = """
query Queue($status: HeldStatus) {
  moderationQueue(status: $status) {
    totalCount
    nodes { comment { id authorName content } authorEmail ipAddress userAgent reasons }
  }
}
"""
MODERATE = """
mutation Moderate($id: ID!, $action: ModerationAction!) {
  moderateComment(input: {id: $id, action: $action}) {
    comment { id }
    errors { field code message }
  }
}
"""
PAGE = """
query Page($slug: String!) {
  post(slug: $slug) {
    commentCount
    comments {
      nodes { authorName replies { nodes { authorName replies { nodes { authorName } } } } }
    }
  }
}
"""
CACHE_ON = {"THREADPRESS_RESPONSE_CACHE": "on"}
# Minutes after the factories' base time: later than any comment they number themselves.
LATER = 10**6


async def _token(role: models.Role) -> dict[str, str]:
    _, secret = await create_token(f"a {role.value}", role)
    return {"Authorization": f"Bearer {secret}"}


def _id(comment: models.Comment) -> str:
    return to_global_id("Comment", comment.id)


async def _thread() -> tuple[models.Post, dict[str, models.Comment]]:
    """A post with a public thread three levels deep and a comment that waits."""
    post = await factories.post(await factories.author(), slug="calf")
    top = await factories.comment(post, name="Top")
    reply = await factories.comment(post, parent=top, name="Reply")
    await factories.comment(post, parent=reply, name="Deeper")
    waiting = await factories.comment(
        post, name="Newcomer", status=models.CommentModeration.PENDING, minutes=LATER
    )
    waiting.moderation_reasons = "first comment"
    waiting.author_email = "newcomer@example.org"
    await waiting.save()
    return post, {"top": top, "reply": reply, "waiting": waiting}


def _names(page: dict[str, Any]) -> list[str]:
    names: list[str] = []

    def walk(nodes: list[dict[str, Any]]) -> None:
        for node in nodes:
            names.append(node["authorName"])
            walk(node.get("replies", {}).get("nodes", []))

    walk(page["data"]["post"]["comments"]["nodes"])
    return names


async def test_the_queue_shows_held_comments_oldest_first_with_private_details(db: str) -> None:
    post, comments = await _thread()
    older = await factories.comment(
        post, name="Earlier", status=models.CommentModeration.PENDING, minutes=LATER - 100
    )
    await factories.comment(post, name="Spammer", status=models.CommentModeration.SPAM)
    moderator = await _token(models.Role.MODERATOR)

    async with app_client(db) as http:
        queue = await graphql(http, QUEUE, {}, moderator)
        spam = await graphql(http, QUEUE, {"status": "SPAM"}, moderator)

    assert queue["data"]["moderationQueue"]["totalCount"] == 2
    nodes = queue["data"]["moderationQueue"]["nodes"]
    assert [n["comment"]["id"] for n in nodes] == [_id(older), _id(comments["waiting"])]
    assert nodes[1] == {
        "comment": {
            "id": _id(comments["waiting"]),
            "authorName": "Newcomer",
            "content": comments["waiting"].content,
        },
        "authorEmail": "newcomer@example.org",
        "ipAddress": "203.0.113.7",
        "userAgent": "TestBrowser/1.0",
        "reasons": ["first comment"],
    }
    assert [n["comment"]["authorName"] for n in spam["data"]["moderationQueue"]["nodes"]] == [
        "Spammer"
    ]


async def test_approving_makes_a_comment_public_at_once_even_through_the_cache(db: str) -> None:
    _, comments = await _thread()
    moderator = await _token(models.Role.MODERATOR)

    async with app_client(db, CACHE_ON) as http:
        before = await graphql(http, PAGE, {"slug": "calf"})
        approved = await graphql(
            http, MODERATE, {"id": _id(comments["waiting"]), "action": "APPROVE"}, moderator
        )
        after = await graphql(http, PAGE, {"slug": "calf"})
        queue = await graphql(http, QUEUE, {}, moderator)

    assert approved["data"]["moderateComment"] == {
        "comment": {"id": _id(comments["waiting"])},
        "errors": [],
    }
    assert before["data"]["post"]["commentCount"] == 3
    assert after["data"]["post"]["commentCount"] == 4
    assert _names(after) == ["Top", "Reply", "Deeper", "Newcomer"]
    assert queue["data"]["moderationQueue"]["totalCount"] == 0


@pytest.mark.parametrize("action", ["HOLD", "SPAM", "TRASH"])
async def test_hiding_a_comment_hides_its_replies_and_approving_it_brings_them_back(
    db: str, action: str
) -> None:
    _, comments = await _thread()
    moderator = await _token(models.Role.MODERATOR)
    top = {"id": _id(comments["top"])}

    async with app_client(db, CACHE_ON) as http:
        await graphql(http, PAGE, {"slug": "calf"})
        hidden = await graphql(http, MODERATE, {**top, "action": action}, moderator)
        while_hidden = await graphql(http, PAGE, {"slug": "calf"})
        await graphql(http, MODERATE, {**top, "action": "APPROVE"}, moderator)
        restored = await graphql(http, PAGE, {"slug": "calf"})

    assert hidden["data"]["moderateComment"]["errors"] == []
    assert while_hidden["data"]["post"]["commentCount"] == 0
    assert _names(while_hidden) == []
    assert restored["data"]["post"]["commentCount"] == 3
    assert _names(restored) == ["Top", "Reply", "Deeper"]
    stored = await models.Comment.get(id=comments["top"].id)
    assert stored.status == models.CommentModeration.APPROVED


async def test_an_approved_reply_under_a_held_comment_stays_hidden_until_its_parent_is_back(
    db: str,
) -> None:
    _, comments = await _thread()
    moderator = await _token(models.Role.MODERATOR)

    async with app_client(db) as http:
        await graphql(http, MODERATE, {"id": _id(comments["top"]), "action": "HOLD"}, moderator)
        await graphql(http, MODERATE, {"id": _id(comments["reply"]), "action": "HOLD"}, moderator)
        await graphql(
            http, MODERATE, {"id": _id(comments["reply"]), "action": "APPROVE"}, moderator
        )
        still_hidden = await graphql(http, PAGE, {"slug": "calf"})
        await graphql(http, MODERATE, {"id": _id(comments["top"]), "action": "APPROVE"}, moderator)
        back = await graphql(http, PAGE, {"slug": "calf"})

    assert still_hidden["data"]["post"]["commentCount"] == 0
    assert _names(back) == ["Top", "Reply", "Deeper"]


@pytest.mark.parametrize(
    ("comment_id", "expected"),
    [
        (
            to_global_id("Comment", 999_999),
            {"field": "id", "code": "NOT_FOUND", "message": "No such comment."},
        ),
        ("bm9wZQ==", {"field": "id", "code": "INVALID", "message": "id is not a Comment ID."}),
        (
            to_global_id("Post", 1),
            {"field": "id", "code": "INVALID", "message": "id is not a Comment ID."},
        ),
    ],
)
async def test_a_decision_on_no_comment_is_a_typed_error_and_writes_nothing(
    db: str, comment_id: str, expected: dict[str, str]
) -> None:
    await _thread()
    moderator = await _token(models.Role.MODERATOR)
    statuses_before = sorted(await models.Comment.all().values_list("id", "status", "is_public"))

    async with app_client(db) as http:
        body = await graphql(http, MODERATE, {"id": comment_id, "action": "TRASH"}, moderator)

    assert body["data"]["moderateComment"] == {"comment": None, "errors": [expected]}
    statuses_after = sorted(await models.Comment.all().values_list("id", "status", "is_public"))
    assert statuses_after == statuses_before


# Who may do what: every role against every moderation field.

ROLES: list[models.Role | None] = [None, *models.Role]
MODERATORS_ONLY = {models.Role.MODERATOR}


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
async def test_only_moderators_read_the_queue(db: str, role: models.Role | None) -> None:
    await _thread()
    headers = await _token(role) if role else {}

    async with app_client(db) as http:
        body = await graphql(http, QUEUE, {}, headers)

    if role in MODERATORS_ONLY:
        assert body["data"]["moderationQueue"]["totalCount"] == 1
        return
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert "newcomer@example.org" not in str(body)


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
async def test_only_moderators_moderate(db: str, role: models.Role | None) -> None:
    _, comments = await _thread()
    headers = await _token(role) if role else {}
    variables = {"id": _id(comments["waiting"]), "action": "APPROVE"}

    async with app_client(db) as http:
        body = await graphql(http, MODERATE, variables, headers)

    stored = await models.Comment.get(id=comments["waiting"].id)
    if role in MODERATORS_ONLY:
        assert body["data"]["moderateComment"]["errors"] == []
        assert stored.status == models.CommentModeration.APPROVED
        return
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert body["errors"][0]["message"] == "This needs a token whose role may moderate comments."
    assert stored.status == models.CommentModeration.PENDING


BULK = """
mutation Bulk($ids: [ID!]!, $action: ModerationAction!) {
  moderateComments(input: {ids: $ids, action: $action}) {
    comments { id }
    errors { field code message }
  }
}
"""


async def test_one_decision_on_many_comments_reports_each_failure_and_does_the_rest(
    db: str,
) -> None:
    post, comments = await _thread()
    other = await factories.comment(
        post, name="Another", status=models.CommentModeration.PENDING, minutes=LATER + 1
    )
    moderator = await _token(models.Role.MODERATOR)
    ids = [_id(comments["waiting"]), "bm9wZQ==", to_global_id("Comment", 999_999), _id(other)]

    async with app_client(db) as http:
        body = await graphql(http, BULK, {"ids": ids, "action": "APPROVE"}, moderator)
        too_many = await graphql(http, BULK, {"ids": ids * 26, "action": "APPROVE"}, moderator)

    assert body["data"]["moderateComments"] == {
        "comments": [{"id": _id(comments["waiting"])}, {"id": _id(other)}],
        "errors": [
            {"field": "ids", "code": "INVALID", "message": "ids[1] is not a Comment ID."},
            {"field": "ids", "code": "NOT_FOUND", "message": "ids[2]: no such comment."},
        ],
    }
    assert too_many["data"]["moderateComments"]["errors"][0]["code"] == "TOO_LONG"
    assert await models.Comment.filter(status=models.CommentModeration.PENDING).count() == 0
