"""A reader submits a comment or a reply: every rule of the contract, over HTTP, with the
exact error codes and fields, and for every refusal a check that nothing was written."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import models
from gql.core.ids import to_global_id
from tests import factories
from tests.conftest import app_client, graphql, require

SUBMIT = """
mutation Submit($input: SubmitCommentInput!) {
  submitComment(input: $input) {
    clientMutationId
    moderationStatus
    previewToken
    comment { id databaseId depth authorName authorUrl content parent { databaseId } }
    errors { field message code retryAfter }
  }
}
"""

NO_LIMITS = {"THREADPRESS_FLOOD_SECONDS": "0", "THREADPRESS_COMMENT_RATE_LIMIT": "1000/minute"}


async def _submit(http: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    body = await graphql(http, SUBMIT, {"input": fields})
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["submitComment"]
    return payload


async def _post(**kwargs: Any) -> models.Post:
    return await factories.post(await factories.author(), **kwargs)


def _input(post: models.Post, **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "postId": to_global_id("Post", post.id),
        "authorName": "Jo Runner",
        "authorEmail": "jo@example.org",
        "authorUrl": "https://jo.example.org/",
        "content": "Great read.\n\nMy calves agree.",
    }
    return {**fields, **overrides}


async def _count() -> int:
    return await models.Comment.all().count()


async def test_returning_commenter_is_approved_and_public(db: str) -> None:
    post = await _post(slug="hello")
    await factories.comment(post, email="jo@example.org")  # approved before

    async with app_client(db, NO_LIMITS) as http:
        payload = await _submit(http, **_input(post))
        thread = await graphql(
            http, '{ post(slug: "hello") { commentCount comments { nodes { authorName } } } }'
        )

    assert payload["errors"] == []
    assert payload["moderationStatus"] == "APPROVED"
    assert payload["comment"]["authorName"] == "Jo Runner"
    assert payload["comment"]["depth"] == 0
    assert payload["comment"]["content"] == "<p>Great read.</p>\n<p>My calves agree.</p>"
    assert thread["data"]["post"]["commentCount"] == 2
    row = await models.Comment.get(id=payload["comment"]["databaseId"])
    assert (row.status, row.is_public, row.author_ip) == ("approved", True, "127.0.0.1")


async def test_first_time_commenter_waits_and_reads_it_with_the_preview_token(db: str) -> None:
    post = await _post(slug="hello")

    async with app_client(db, NO_LIMITS) as http:
        payload = await _submit(http, **_input(post))
        comment_id = payload["comment"]["id"]
        query = "query($id: ID!, $t: String) { comment(id: $id, previewToken: $t) { authorName } }"
        with_token = await graphql(http, query, {"id": comment_id, "t": payload["previewToken"]})
        without = await graphql(http, query, {"id": comment_id})
        forged = await graphql(http, query, {"id": comment_id, "t": "1.9999999999.xxx"})
        listed = await graphql(http, '{ post(slug: "hello") { commentCount } }')

    assert payload["moderationStatus"] == "PENDING"
    assert payload["errors"] == []
    assert with_token == {"data": {"comment": {"authorName": "Jo Runner"}}}
    assert without == {"data": {"comment": None}}
    assert forged == {"data": {"comment": None}}
    assert listed["data"]["post"]["commentCount"] == 0
    row = await models.Comment.get(id=payload["comment"]["databaseId"])
    assert (row.status, row.is_public) == ("pending", False)
    assert row.moderation_reasons == "first comment from this email"


async def test_a_token_opens_only_its_own_comment(db: str) -> None:
    post = await _post()
    async with app_client(db, NO_LIMITS) as http:
        first = await _submit(http, **_input(post))
        second = await _submit(http, **_input(post, content="Another thought."))
        body = await graphql(
            http,
            "query($id: ID!, $t: String) { comment(id: $id, previewToken: $t) { id } }",
            {"id": second["comment"]["id"], "t": first["previewToken"]},
        )

    assert body == {"data": {"comment": None}}


async def test_every_field_problem_is_reported_at_once_and_nothing_is_written(db: str) -> None:
    post = await _post()

    async with app_client(db, NO_LIMITS) as http:
        payload = await _submit(
            http,
            **_input(
                post, authorName="   ", authorEmail="not-an-email", authorUrl="ftp://x", content=" "
            ),
        )

    assert payload["comment"] is None
    assert payload["errors"] == [
        {
            "field": "authorName",
            "message": "Name is required.",
            "code": "REQUIRED",
            "retryAfter": None,
        },
        {
            "field": "authorEmail",
            "message": "Email is not a valid address.",
            "code": "INVALID_EMAIL",
            "retryAfter": None,
        },
        {
            "field": "authorUrl",
            "message": "Website must be an http:// or https:// address.",
            "code": "INVALID_URL",
            "retryAfter": None,
        },
        {
            "field": "content",
            "message": "Comment is required.",
            "code": "REQUIRED",
            "retryAfter": None,
        },
    ]
    assert await _count() == 0


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"authorName": "n" * 246}, "authorName", "TOO_LONG"),
        ({"authorEmail": "a" * 89 + "@example.org"}, "authorEmail", "TOO_LONG"),
        ({"authorUrl": "https://example.org/" + "p" * 181}, "authorUrl", "TOO_LONG"),
        ({"content": "c" * 65_526}, "content", "TOO_LONG"),
        ({"authorUrl": "javascript:alert(1)"}, "authorUrl", "INVALID_URL"),
        ({"authorEmail": ""}, "authorEmail", "REQUIRED"),
        ({"postId": "bm9wZQ=="}, "postId", "INVALID"),
        ({"parentId": to_global_id("Post", 1)}, "parentId", "INVALID"),
        ({"clientMutationId": "k" * 256}, "clientMutationId", "TOO_LONG"),
        ({"authorName": "Jo\u0000"}, "authorName", "INVALID"),
        ({"content": "Hi\u0000there"}, "content", "INVALID"),
        ({"clientMutationId": "k\u0000"}, "clientMutationId", "INVALID"),
        ({"authorEmail": "jo\u0000@example.org"}, "authorEmail", "INVALID"),
        ({"authorName": "Jo\ud800"}, "authorName", "INVALID"),
        ({"content": "Hi \udfff there"}, "content", "INVALID"),
        ({"authorUrl": "https://example.org/\ud83d"}, "authorUrl", "INVALID"),
        ({"authorEmail": "jo\udc00@example.org"}, "authorEmail", "INVALID"),
        ({"clientMutationId": "k\ud800"}, "clientMutationId", "INVALID"),
    ],
)
async def test_each_limit_names_its_field(
    db: str, overrides: dict[str, Any], field: str, code: str
) -> None:
    post = await _post()

    async with app_client(db, NO_LIMITS) as http:
        payload = await _submit(http, **_input(post, **overrides))

    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, code)]
    assert await _count() == 0


async def test_limits_are_in_characters_and_inclusive(db: str) -> None:
    post = await _post()
    await factories.comment(post, email="é" * 5 + "@example.org")

    async with app_client(db, NO_LIMITS) as http:
        payload = await _submit(
            http,
            **_input(
                post,
                authorName="é" * 245,
                authorEmail="é" * 5 + "@example.org",
                content="ü" * 65_525,
            ),
        )

    assert payload["errors"] == []
    assert payload["moderationStatus"] == "APPROVED"


async def test_the_post_must_be_public_and_open(db: str) -> None:
    draft = await _post(status=models.PostStatus.DRAFT, published_at=None)
    closed = await _post()
    closed.comment_status = models.CommentStatus.CLOSED
    await closed.save()

    async with app_client(db, NO_LIMITS) as http:
        to_draft = await _submit(http, **_input(draft))
        to_closed = await _submit(http, **_input(closed))
        to_nothing = await _submit(http, **_input(draft, postId=to_global_id("Post", 9999)))

    assert [(e["field"], e["code"]) for e in to_draft["errors"]] == [("postId", "NOT_FOUND")]
    assert [(e["field"], e["code"]) for e in to_closed["errors"]] == [("postId", "COMMENTS_CLOSED")]
    assert [(e["field"], e["code"]) for e in to_nothing["errors"]] == [("postId", "NOT_FOUND")]
    assert await _count() == 0


async def test_a_reply_must_answer_a_public_comment_of_the_same_post(db: str) -> None:
    post = await _post()
    other = await _post()
    elsewhere = await factories.comment(other)
    held = await factories.comment(post, status=models.CommentModeration.PENDING)

    async with app_client(db, NO_LIMITS) as http:
        mismatch = await _submit(
            http, **_input(post, parentId=to_global_id("Comment", elsewhere.id))
        )
        to_held = await _submit(http, **_input(post, parentId=to_global_id("Comment", held.id)))

    assert [(e["field"], e["code"]) for e in mismatch["errors"]] == [
        ("parentId", "PARENT_MISMATCH")
    ]
    assert [(e["field"], e["code"]) for e in to_held["errors"]] == [("parentId", "NOT_FOUND")]
    assert await _count() == 2


async def test_replies_at_the_depth_cap_join_the_conversation_one_level_up(db: str) -> None:
    post = await _post()
    level0 = await factories.comment(post, email="jo@example.org")
    level1 = await factories.comment(post, parent=level0)
    level2 = await factories.comment(post, parent=level1)

    async with app_client(db, {**NO_LIMITS, "THREADPRESS_MAX_THREAD_DEPTH": "3"}) as http:
        to_level1 = await _submit(http, **_input(post, parentId=to_global_id("Comment", level1.id)))
        to_level2 = await _submit(
            http, **_input(post, parentId=to_global_id("Comment", level2.id), content="Deeper")
        )

    assert to_level1["comment"]["depth"] == 2
    assert to_level1["comment"]["parent"] == {"databaseId": level1.id}
    assert to_level2["comment"]["depth"] == 2  # the cap is 3 levels: depth 0, 1, 2
    assert to_level2["comment"]["parent"] == {"databaseId": level1.id}


async def test_the_same_comment_twice_is_a_duplicate(db: str) -> None:
    post = await _post()

    async with app_client(db, NO_LIMITS) as http:
        first = await _submit(http, **_input(post))
        again = await _submit(http, **_input(post))

    assert first["errors"] == []
    assert [(e["field"], e["code"]) for e in again["errors"]] == [(None, "DUPLICATE")]
    assert await _count() == 1


async def test_flood_control_per_email_and_per_address(db: str) -> None:
    post = await _post()

    async with app_client(db, {"THREADPRESS_COMMENT_RATE_LIMIT": "100/minute"}) as http:
        first = await _submit(http, **_input(post))
        same_email = await _submit(http, **_input(post, content="Quick follow-up"))
        same_address = await _submit(
            http, **_input(post, authorEmail="other@example.org", content="Me too")
        )
    async with app_client(
        db, {"THREADPRESS_COMMENT_RATE_LIMIT": "100/minute"}, "10.9.9.9"
    ) as elsewhere:
        other_sender = await _submit(
            elsewhere, **_input(post, authorEmail="third@example.org", content="Hi")
        )

    assert first["errors"] == []
    for refused in (same_email, same_address):
        [error] = refused["errors"]
        assert (error["field"], error["code"]) == (None, "FLOOD")
        assert 1 <= error["retryAfter"] <= 15
    assert other_sender["errors"] == []
    assert await _count() == 2


async def test_rate_limit_counts_every_attempt_and_answers_429_when_all_are_limited(
    db: str,
) -> None:
    post = await _post()
    env = {"THREADPRESS_FLOOD_SECONDS": "0", "THREADPRESS_COMMENT_RATE_LIMIT": "2/minute"}

    async with app_client(db, env) as http:
        bad = await _submit(http, **_input(post, authorName=""))  # invalid attempts count too
        good = await _submit(http, **_input(post))
        response = await http.post(
            "/graphql", json={"query": SUBMIT, "variables": {"input": _input(post, content="x")}}
        )

    assert [e["code"] for e in bad["errors"]] == ["REQUIRED"]
    assert good["errors"] == []
    assert response.status_code == 429
    assert 1 <= int(response.headers["retry-after"]) <= 60
    [error] = response.json()["data"]["submitComment"]["errors"]
    assert (error["field"], error["code"]) == (None, "RATE_LIMITED")
    assert error["retryAfter"] == int(response.headers["retry-after"])
    assert await _count() == 1


async def test_aliases_count_one_attempt_each(db: str) -> None:
    post = await _post()
    env = {"THREADPRESS_FLOOD_SECONDS": "0", "THREADPRESS_COMMENT_RATE_LIMIT": "2/minute"}
    fields = "errors { code } comment { databaseId }"
    document = f"""mutation($a: SubmitCommentInput!, $b: SubmitCommentInput!,
                            $c: SubmitCommentInput!) {{
      a: submitComment(input: $a) {{ {fields} }}
      b: submitComment(input: $b) {{ {fields} }}
      c: submitComment(input: $c) {{ {fields} }}
    }}"""
    variables = {k: _input(post, content=f"Comment {k}") for k in "abc"}

    async with app_client(db, env) as http:
        response = await http.post("/graphql", json={"query": document, "variables": variables})

    assert response.status_code == 200  # not every field was limited
    data = response.json()["data"]
    assert [data[k]["errors"] for k in "abc"] == [[], [], [{"code": "RATE_LIMITED"}]]
    assert await _count() == 2


async def test_forwarded_for_is_ignored_from_untrusted_peers(db: str) -> None:
    post = await _post()
    env = {"THREADPRESS_FLOOD_SECONDS": "0", "THREADPRESS_COMMENT_RATE_LIMIT": "1/minute"}

    async with app_client(db, env) as http:
        first = await _submit(http, **_input(post))
        spoofed = await http.post(
            "/graphql",
            json={"query": SUBMIT, "variables": {"input": _input(post, content="again")}},
            headers={"X-Forwarded-For": "198.51.100.7"},
        )
    async with app_client(db, {**env, "THREADPRESS_TRUSTED_PROXIES": "127.0.0.1"}) as proxied:
        via_proxy = await proxied.post(
            "/graphql",
            json={"query": SUBMIT, "variables": {"input": _input(post, content="third")}},
            headers={"X-Forwarded-For": "198.51.100.7"},
        )

    assert first["errors"] == []
    assert spoofed.status_code == 429  # still counted against the peer's own address
    assert via_proxy.json()["data"]["submitComment"]["errors"] == []
    row = await models.Comment.get(
        id=via_proxy.json()["data"]["submitComment"]["comment"]["databaseId"]
    )
    assert row.author_ip == "198.51.100.7"


async def test_a_replay_returns_the_first_result_and_counts_toward_nothing(db: str) -> None:
    post = await _post()
    env = {"THREADPRESS_COMMENT_RATE_LIMIT": "1/minute"}  # flood control on, too

    async with app_client(db, env) as http:
        first = await _submit(http, **_input(post, clientMutationId="k-1"))
        replay = await _submit(http, **_input(post, clientMutationId="k-1"))
        replay_again = await _submit(http, **_input(post, clientMutationId="k-1"))
        conflict = await _submit(http, **_input(post, clientMutationId="k-1", content="Edited"))

    assert first["errors"] == []
    assert replay["errors"] == []
    assert replay_again["errors"] == []
    assert replay["comment"]["databaseId"] == first["comment"]["databaseId"]
    assert replay["clientMutationId"] == "k-1"
    assert replay["moderationStatus"] == first["moderationStatus"]
    assert [(e["field"], e["code"]) for e in conflict["errors"]] == [
        ("clientMutationId", "IDEMPOTENCY_CONFLICT")
    ]
    assert await _count() == 1


async def test_the_same_key_from_another_email_is_another_comment(db: str) -> None:
    post = await _post()

    async with app_client(db, NO_LIMITS) as http:
        one = await _submit(http, **_input(post, clientMutationId="k"))
        two = await _submit(
            http, **_input(post, clientMutationId="k", authorEmail="sam@example.org")
        )

    assert one["comment"]["databaseId"] != two["comment"]["databaseId"]
    assert await _count() == 2


async def test_held_for_links_or_keywords_and_spam_answers_pending(db: str) -> None:
    post = await _post(slug="hello")
    await factories.comment(post, email="jo@example.org")
    env = {
        **NO_LIMITS,
        "THREADPRESS_MODERATION_KEYWORDS": "casino, crypto",
        "THREADPRESS_BLOCKLIST_KEYWORDS": "cheap pills",
    }
    links = '<a href="https://a.example">a</a> and <a href="https://b.example">b</a>'

    async with app_client(db, env) as http:
        linked = await _submit(http, **_input(post, content=links))
        keyword = await _submit(http, **_input(post, content="Try my Crypto tips"))
        spam = await _submit(http, **_input(post, content="<b>Cheap</b> pills here"))
        count = await graphql(http, '{ post(slug: "hello") { commentCount } }')

    assert [p["moderationStatus"] for p in (linked, keyword, spam)] == ["PENDING"] * 3
    statuses = {
        row.content: (row.status, row.moderation_reasons)
        for row in await models.Comment.filter(
            id__in=[p["comment"]["databaseId"] for p in (linked, keyword, spam)]
        )
    }
    assert sorted(statuses.values()) == [
        ("pending", "2 links"),
        ("pending", "moderation keyword"),
        ("spam", "blocklist keyword"),
    ]
    assert count["data"]["post"]["commentCount"] == 1


async def test_submitted_html_is_sanitised(db: str) -> None:
    post = await _post()

    async with app_client(db, NO_LIMITS) as http:
        payload = await _submit(
            http,
            **_input(post, content='<script>alert(1)</script><a href="javascript:x">hi</a>'),
        )

    assert "<script" not in payload["comment"]["content"]
    assert "javascript" not in payload["comment"]["content"]


async def test_the_commenter_email_never_appears_in_any_response(db: str) -> None:
    post = await _post(slug="hello")
    email = "unique-4f1c9@example.org"
    seen: list[str] = []

    submission = {"query": SUBMIT, "variables": {"input": _input(post, authorEmail=email)}}
    preview = (
        "query($id: ID!, $t: String) { comment(id: $id, previewToken: $t) {"
        " authorName content post { title } } }"
    )

    async with app_client(db, NO_LIMITS) as http:
        accepted = await http.post("/graphql", json=submission)
        duplicate = await http.post("/graphql", json=submission)  # its error must not echo it
        payload = accepted.json()["data"]["submitComment"]
        token_read = await http.post(
            "/graphql",
            json={
                "query": preview,
                "variables": {"id": payload["comment"]["id"], "t": payload["previewToken"]},
            },
        )
        seen += [accepted.text, duplicate.text, token_read.text]
        for query in (
            '{ post(slug: "hello") { commentThread { nodes { authorName authorUrl content } } } }',
            "{ posts { nodes { comments { nodes { authorName } } } } }",
        ):
            seen.append((await http.post("/graphql", json={"query": query})).text)
            seen.append((await http.get("/graphql", params={"query": query})).text)

    assert token_read.json()["data"]["comment"]["authorName"] == "Jo Runner"
    assert duplicate.json()["data"]["submitComment"]["errors"][0]["code"] == "DUPLICATE"
    assert all("unique-4f1c9" not in text for text in seen)


async def test_processes_sharing_redis_share_one_rate_limit(db: str) -> None:
    import asyncio
    import uuid

    redis_url = "redis://127.0.0.1:6379/0"
    try:
        reader_stream, writer = await asyncio.wait_for(
            asyncio.open_connection("127.0.0.1", 6379), timeout=2
        )
        writer.write(b"PING\r\n")
        pong = await asyncio.wait_for(reader_stream.readline(), timeout=2)
        writer.close()
        await writer.wait_closed()
    except OSError as error:
        pong = str(error).encode()
    require(pong == b"+PONG\r\n", f"Redis is not reachable at {redis_url}: {pong!r}")
    post = await _post()
    reader = f"2001:db8::{uuid.uuid4().hex[:4]}"  # a fresh limit key on every run
    env = {
        "THREADPRESS_FLOOD_SECONDS": "0",
        "THREADPRESS_COMMENT_RATE_LIMIT": "2/minute",
        "THREADPRESS_TRUSTED_PROXIES": "127.0.0.1",
        "REDIS_URL": redis_url,
    }
    headers = {"X-Forwarded-For": reader}

    async with app_client(db, env) as first_process, app_client(db, env) as second_process:
        answers = []
        for n, http in enumerate((first_process, second_process, first_process)):
            response = await http.post(
                "/graphql",
                json={"query": SUBMIT, "variables": {"input": _input(post, content=f"c{n}")}},
                headers=headers,
            )
            answers.append(response)

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].json()["data"]["submitComment"]["errors"][0]["code"] == "RATE_LIMITED"
    assert await _count() == 2
