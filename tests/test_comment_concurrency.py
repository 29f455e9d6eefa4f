"""Many commenters at once: nothing lost, nothing doubled, counters agree with the rows.

Requests race inside one in-process app, as they do inside one server process; each simulated
commenter has its own email and its own address (`X-Forwarded-For` from a trusted proxy), so
neither the rate limit nor flood control stands between them, and flood control stays on.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

import models
from gql.core.ids import to_global_id
from tests import factories
from tests.conftest import app_client, graphql

SUBMIT = """
mutation Submit($input: SubmitCommentInput!) {
  submitComment(input: $input) {
    clientMutationId
    moderationStatus
    previewToken
    comment { id databaseId depth parent { databaseId } }
    errors { field message code retryAfter }
  }
}
"""

READ_ONE = """
query($id: ID!, $t: String) { comment(id: $id, previewToken: $t) { databaseId replyCount } }
"""

THREAD = """
query($slug: String!) {
  post(slug: $slug) {
    commentCount
    comments(first: 100) {
      totalCount
      nodes { databaseId replyCount replies(first: 100) { totalCount nodes { databaseId } } }
    }
    commentThread(first: 100) { totalCount nodes { databaseId } }
  }
}
"""

ENV = {
    "THREADPRESS_TRUSTED_PROXIES": "127.0.0.1",
    "THREADPRESS_FLOOD_SECONDS": "15",  # flood control on
    "THREADPRESS_COMMENT_RATE_LIMIT": "1000/minute",
}
COMMENTERS = 50
REQUEST_SECONDS = 60.0


def _email(n: int) -> str:
    return f"reader-{n}@example.org"


def _address(n: int) -> str:
    return f"198.51.100.{n + 1}"


def _input(post: models.Post, n: int, **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "postId": to_global_id("Post", post.id),
        "authorName": f"Reader {n}",
        "authorEmail": _email(n),
        "content": f"Comment number {n}, sent at the same time as everyone else's.",
    }
    return {**fields, **overrides}


async def _send(http: httpx.AsyncClient, address: str, fields: dict[str, Any]) -> httpx.Response:
    return await http.post(
        "/graphql",
        json={"query": SUBMIT, "variables": {"input": fields}},
        headers={"X-Forwarded-For": address},
        timeout=REQUEST_SECONDS,
    )


def _payload(response: httpx.Response) -> dict[str, Any]:
    """The `submitComment` payload of a 200 answer without top-level errors."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["submitComment"]
    return payload


def _accepted(response: httpx.Response) -> dict[str, Any]:
    payload = _payload(response)
    assert payload["errors"] == [], payload
    assert payload["comment"] is not None, payload
    return payload


async def _returning_commenters(count: int) -> None:
    """One approved comment per email, on a post of its own, so the race's comments are
    approved (public) and the raced post's counters hold exactly the race's comments."""
    elsewhere = await factories.post(await factories.author())
    for n in range(count):
        await factories.comment(elsewhere, email=_email(n))


async def _read_each(http: httpx.AsyncClient, payloads: list[dict[str, Any]]) -> list[int]:
    """Every acknowledged comment read back by id with its preview token."""
    bodies = await asyncio.gather(
        *(
            graphql(http, READ_ONE, {"id": p["comment"]["id"], "t": p["previewToken"]})
            for p in payloads
        )
    )
    return [body["data"]["comment"]["databaseId"] for body in bodies]


async def _rows(post: models.Post) -> list[tuple[int, str, str | None, int | None]]:
    rows = await models.Comment.filter(post_id=post.id).values_list(
        "id", "author_email", "author_ip", "parent_id"
    )
    return sorted(rows)


async def test_fifty_commenters_at_once_are_all_stored_once_and_counted(db: str) -> None:
    post = await factories.post(await factories.author(), slug="busy")
    await _returning_commenters(COMMENTERS)

    async with app_client(db, ENV) as http:
        responses = await asyncio.gather(
            *(_send(http, _address(n), _input(post, n)) for n in range(COMMENTERS))
        )
        payloads = [_accepted(response) for response in responses]
        read_back = await _read_each(http, payloads)
        thread = (await graphql(http, THREAD, {"slug": "busy"}))["data"]["post"]

    ids = [p["comment"]["databaseId"] for p in payloads]
    assert len(set(ids)) == COMMENTERS
    assert [p["moderationStatus"] for p in payloads] == ["APPROVED"] * COMMENTERS
    assert read_back == ids
    rows = await _rows(post)
    assert rows == sorted(
        (comment_id, _email(n), _address(n), None) for n, comment_id in enumerate(ids)
    )
    assert thread["commentCount"] == COMMENTERS
    assert thread["comments"]["totalCount"] == COMMENTERS
    assert thread["commentThread"]["totalCount"] == COMMENTERS
    assert sorted(node["databaseId"] for node in thread["comments"]["nodes"]) == sorted(ids)
    assert sorted(node["databaseId"] for node in thread["commentThread"]["nodes"]) == sorted(ids)


async def test_fifty_replies_racing_onto_one_comment_are_all_stored_once_and_counted(
    db: str,
) -> None:
    post = await factories.post(await factories.author(), slug="busy")
    parent = await factories.comment(post, email="host@example.org")
    await _returning_commenters(COMMENTERS)
    parent_id = to_global_id("Comment", parent.id)

    async with app_client(db, ENV) as http:
        responses = await asyncio.gather(
            *(
                _send(http, _address(n), _input(post, n, parentId=parent_id))
                for n in range(COMMENTERS)
            )
        )
        payloads = [_accepted(response) for response in responses]
        read_back = await _read_each(http, payloads)
        parent_read = await graphql(http, READ_ONE, {"id": parent_id})
        thread = (await graphql(http, THREAD, {"slug": "busy"}))["data"]["post"]

    ids = [p["comment"]["databaseId"] for p in payloads]
    assert len(set(ids)) == COMMENTERS
    assert [p["moderationStatus"] for p in payloads] == ["APPROVED"] * COMMENTERS
    assert {(p["comment"]["depth"], p["comment"]["parent"]["databaseId"]) for p in payloads} == {
        (1, parent.id)
    }
    assert read_back == ids
    rows = await _rows(post)
    assert rows == sorted(
        [(parent.id, "host@example.org", "203.0.113.7", None)]
        + [(comment_id, _email(n), _address(n), parent.id) for n, comment_id in enumerate(ids)]
    )
    assert parent_read["data"]["comment"] == {"databaseId": parent.id, "replyCount": COMMENTERS}
    assert thread["commentCount"] == COMMENTERS + 1
    assert thread["comments"]["totalCount"] == 1
    [top] = thread["comments"]["nodes"]
    assert top["databaseId"] == parent.id
    assert top["replyCount"] == COMMENTERS
    assert top["replies"]["totalCount"] == COMMENTERS
    assert sorted(node["databaseId"] for node in top["replies"]["nodes"]) == sorted(ids)
    assert thread["commentThread"]["totalCount"] == COMMENTERS + 1
    assert sorted(node["databaseId"] for node in thread["commentThread"]["nodes"]) == sorted(
        [parent.id, *ids]
    )


async def test_twenty_racing_replays_of_one_submission_store_one_comment(db: str) -> None:
    post = await factories.post(await factories.author())
    await _returning_commenters(1)
    fields = _input(post, 0, clientMutationId="send-once-7d0c2a")

    async with app_client(db, ENV) as http:
        responses = await asyncio.gather(*(_send(http, _address(0), fields) for _ in range(20)))

    payloads = [_payload(response) for response in responses]
    assert [p["errors"] for p in payloads] == [[]] * 20
    assert [p["clientMutationId"] for p in payloads] == ["send-once-7d0c2a"] * 20
    assert [p["moderationStatus"] for p in payloads] == ["APPROVED"] * 20
    ids = {p["comment"]["databaseId"] for p in payloads}
    assert len(ids) == 1
    rows = await _rows(post)
    assert rows == [(ids.pop(), _email(0), _address(0), None)]


@pytest.mark.parametrize(
    ("emails", "addresses"),
    [
        pytest.param(1, 1, id="one-email-one-address"),
        pytest.param(1, 10, id="one-email-ten-addresses"),
        pytest.param(10, 1, id="ten-emails-one-address"),
    ],
)
async def test_ten_racing_comments_from_one_sender_pass_flood_control_once(
    db: str, emails: int, addresses: int
) -> None:
    post = await factories.post(await factories.author())
    await _returning_commenters(emails)

    async with app_client(db, ENV) as http:
        responses = await asyncio.gather(
            *(
                _send(
                    http,
                    _address(n % addresses),
                    _input(post, n % emails, content=f"Thought number {n}."),
                )
                for n in range(10)
            )
        )

    payloads = [_payload(response) for response in responses]
    accepted = [p for p in payloads if p["errors"] == []]
    refused = [p for p in payloads if p["errors"] != []]
    assert len(accepted) == 1, [p["errors"] for p in payloads]
    assert [[(e["field"], e["code"]) for e in p["errors"]] for p in refused] == [
        [(None, "FLOOD")]
    ] * 9
    assert all(1 <= p["errors"][0]["retryAfter"] <= 15 for p in refused)
    assert all(p["comment"] is None for p in refused)
    [(row_id, *_)] = await _rows(post)
    assert row_id == accepted[0]["comment"]["databaseId"]
