"""A blog's readers hit the same pages over and over: public answers come from the response
cache, and a write drops exactly the answers it changed, before its own answer is sent.

Every test runs the real app with the cache on, in memory and (where Redis answers) in
Redis, on SQLite and PostgreSQL; a hit is an answer that ran no SQL at all.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from tortoise import timezone

import models
from gql.cache.foreign_writes import announce_bulk_write
from gql.cache.store import CachedResponse, MemoryStore, RedisStore, ResponseStore
from gql.core.ids import to_global_id
from gql.core.tokens import create_token
from tests import factories
from tests.conftest import SqlLog, app_client, require, without_cost

REDIS_URL = os.environ.get("THREADPRESS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
CACHE_ON = {
    "THREADPRESS_RESPONSE_CACHE": "on",
    "THREADPRESS_FLOOD_SECONDS": "0",
    "THREADPRESS_COMMENT_RATE_LIMIT": "1000/minute",
}

POST_PAGE = """
query PostPage($slug: String!) {
  post(slug: $slug) {
    title commentCount
    comments { nodes { authorName content replies { nodes { authorName } } } }
  }
}
"""
HOME = "query Home { posts { nodes { title commentCount author { name } } } }"
SUBMIT = """
mutation Submit($input: SubmitCommentInput!) {
  submitComment(input: $input) { moderationStatus previewToken comment { id } errors { code } }
}
"""


async def _redis_available() -> bool:
    store = RedisStore(REDIS_URL)
    try:
        await store.sequence()
        return True
    except Exception:  # any failure to talk to it: not available here
        return False
    finally:
        await store.close()


@pytest.fixture(params=["memory", "redis"])
async def cache_env(request: pytest.FixtureRequest) -> AsyncIterator[dict[str, str]]:
    """Settings for a cache in this process's memory, or in Redis (a fresh namespace)."""
    if request.param == "memory":
        yield CACHE_ON
        return
    require(await _redis_available(), f"Redis is not reachable at {REDIS_URL}")
    store = RedisStore(REDIS_URL)
    await store._redis.flushdb()
    await store.close()
    yield {**CACHE_ON, "REDIS_URL": REDIS_URL}


async def _read(
    http: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None
) -> tuple[dict[str, Any], httpx.Response]:
    response = await http.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    return without_cost(response.json()), response


async def _site() -> tuple[models.Post, models.Post]:
    writer = await factories.author(name="Jo Runner")
    calf = await factories.post(writer, slug="calf", title="A stubborn calf")
    canal = await factories.post(writer, slug="canal", title="Canal miles")
    await factories.comment(calf, email="regular@example.org")  # approved before: a regular
    await factories.comment(canal)
    return calf, canal


def _comment_input(post: models.Post, email: str, content: str) -> dict[str, Any]:
    return {
        "input": {
            "postId": to_global_id("Post", post.id),
            "authorName": "A Regular",
            "authorEmail": email,
            "content": content,
        }
    }


async def test_a_repeated_read_is_answered_from_the_cache_without_sql(
    db: str, sql_log: SqlLog, cache_env: dict[str, str]
) -> None:
    await _site()

    async with app_client(db, cache_env) as http:
        first, first_response = await _read(http, POST_PAGE, {"slug": "calf"})
        sql_log.statements.clear()
        second, second_response = await _read(http, POST_PAGE, {"slug": "calf"})
        other, _ = await _read(http, POST_PAGE, {"slug": "canal"})

    assert second == first
    assert second_response.content == first_response.content
    assert first["data"]["post"]["title"] == "A stubborn calf"
    assert other["data"]["post"]["title"] == "Canal miles"  # other variables: another entry
    assert sql_log.count > 0  # ... which only the third read ran
    calf = await models.Post.get(slug="calf")
    assert second_response.headers["cache-tag"] == first_response.headers["cache-tag"]
    tags = first_response.headers["cache-tag"].split(",")
    assert f"post:{calf.id}" in tags
    assert f"comments:post:{calf.id}" in tags
    assert first_response.headers["surrogate-key"] == " ".join(tags)


async def test_a_hit_runs_no_sql(db: str, sql_log: SqlLog, cache_env: dict[str, str]) -> None:
    await _site()

    async with app_client(db, cache_env) as http:
        await _read(http, HOME)
        sql_log.statements.clear()
        await _read(http, HOME)

    assert sql_log.count == 0


async def test_an_approved_comment_drops_exactly_the_answers_that_showed_its_post(
    db: str, sql_log: SqlLog, cache_env: dict[str, str]
) -> None:
    calf, _canal = await _site()

    async with app_client(db, cache_env) as http:
        before, _ = await _read(http, POST_PAGE, {"slug": "calf"})
        await _read(http, POST_PAGE, {"slug": "canal"})
        home_before, _ = await _read(http, HOME)
        submitted, _ = await _read(
            http, SUBMIT, _comment_input(calf, "regular@example.org", "Same calf here.")
        )
        sql_log.statements.clear()
        await _read(http, POST_PAGE, {"slug": "canal"})
        unrelated_sql = sql_log.count
        after, _ = await _read(http, POST_PAGE, {"slug": "calf"})
        home_after, _ = await _read(http, HOME)

    assert submitted["data"]["submitComment"]["moderationStatus"] == "APPROVED"
    assert unrelated_sql == 0  # the other post's page is still a hit
    assert before["data"]["post"]["commentCount"] == 1
    assert after["data"]["post"]["commentCount"] == 2
    assert after["data"]["post"]["comments"]["nodes"][-1]["content"] == "<p>Same calf here.</p>"
    counts = {n["title"]: n["commentCount"] for n in home_after["data"]["posts"]["nodes"]}
    assert counts == {"A stubborn calf": 2, "Canal miles": 1}
    assert home_before != home_after


async def test_a_held_comment_changes_nothing_public_and_drops_nothing(
    db: str, sql_log: SqlLog, cache_env: dict[str, str]
) -> None:
    calf, _ = await _site()

    async with app_client(db, cache_env) as http:
        before, _ = await _read(http, POST_PAGE, {"slug": "calf"})
        submitted, _ = await _read(
            http, SUBMIT, _comment_input(calf, "newcomer@example.org", "First time here.")
        )
        sql_log.statements.clear()
        after, _ = await _read(http, POST_PAGE, {"slug": "calf"})

    assert submitted["data"]["submitComment"]["moderationStatus"] == "PENDING"
    assert after == before
    assert sql_log.count == 0


async def test_errors_previews_and_mutations_are_never_cached(
    db: str, sql_log: SqlLog, cache_env: dict[str, str]
) -> None:
    calf, _ = await _site()
    # An answer with data and an error: the list ran SQL, the lookup was refused.
    failing = '{ posts { totalCount } post(slug: "a\\u0000b") { id } }'

    async with app_client(db, cache_env) as http:
        submitted, _ = await _read(
            http, SUBMIT, _comment_input(calf, "newcomer@example.org", "Held for now.")
        )
        payload = submitted["data"]["submitComment"]
        preview = "query($id: ID!, $t: String) { comment(id: $id, previewToken: $t) { content } }"
        variables = {"id": payload["comment"]["id"], "t": payload["previewToken"]}
        shown, shown_response = await _read(http, preview, variables)
        error_response = await http.post("/graphql", json={"query": failing})
        ran: list[int] = []  # statements each repeat ran: each must run, none is a hit
        sql_log.statements.clear()
        again, _ = await _read(http, preview, variables)
        ran.append(sql_log.count)
        sql_log.statements.clear()
        await http.post("/graphql", json={"query": failing})
        ran.append(sql_log.count)
        sql_log.statements.clear()
        replayed, _ = await _read(
            http, SUBMIT, _comment_input(calf, "newcomer@example.org", "Held for now.")
        )
        ran.append(sql_log.count)

    assert shown["data"]["comment"]["content"] == "<p>Held for now.</p>"
    assert again == shown
    assert shown_response.headers["cache-control"] == "private, no-store"
    assert "cache-tag" not in shown_response.headers
    assert error_response.headers["cache-control"] == "private, no-store"
    assert replayed["data"]["submitComment"]["errors"] == [{"code": "DUPLICATE"}]
    assert all(count > 0 for count in ran), ran


async def test_requests_with_credentials_bypass_the_cache(
    db: str, sql_log: SqlLog, cache_env: dict[str, str]
) -> None:
    await _site()
    _, secret = await create_token("an editor", models.Role.EDITOR)

    async with app_client(db, cache_env) as http:
        await _read(http, HOME)
        sql_log.statements.clear()
        response = await http.post(
            "/graphql", json={"query": HOME}, headers={"Authorization": f"Bearer {secret}"}
        )

    assert response.status_code == 200
    assert sql_log.count > 0  # the token lookup, and the whole query: not from the cache


async def test_the_cache_can_be_switched_off(db: str, sql_log: SqlLog) -> None:
    await _site()

    async with app_client(db, {"THREADPRESS_RESPONSE_CACHE": "off"}) as http:
        _, first = await _read(http, HOME)
        sql_log.statements.clear()
        await _read(http, HOME)

    assert sql_log.count > 0
    assert "cache-tag" in first.headers  # CDNs still get the tags


async def test_a_scheduled_post_appears_at_its_time(db: str, cache_env: dict[str, str]) -> None:
    writer = await factories.author()
    await factories.post(writer, slug="now", title="Already out")
    # Far enough ahead that the first reads finish before it, even on a loaded machine.
    soon = timezone.now() + timedelta(seconds=3)
    await factories.post(writer, slug="soon", title="Out in a second", published_at=soon)

    async with app_client(db, cache_env) as http:
        before, _ = await _read(http, HOME)
        await asyncio.sleep((soon - timezone.now()).total_seconds() + 0.05)
        after, _ = await _read(http, HOME)

    assert [n["title"] for n in before["data"]["posts"]["nodes"]] == ["Already out"]
    assert [n["title"] for n in after["data"]["posts"]["nodes"]] == [
        "Out in a second",
        "Already out",
    ]


async def test_a_write_by_another_process_drops_every_answer(
    db: str, cache_env: dict[str, str]
) -> None:
    writer = await factories.author()
    await factories.post(writer, title="Before the import")

    async with app_client(db, cache_env) as http:
        before, _ = await _read(http, HOME)
        # What `threadpress import` does: write, commit, then tell running servers.
        await factories.post(writer, title="Imported")
        await announce_bulk_write(db, cache_env.get("REDIS_URL"))
        titles: list[str] = []
        for _attempt in range(40):  # a NOTIFY arrives a moment after the commit
            after, _ = await _read(http, HOME)
            titles = [n["title"] for n in after["data"]["posts"]["nodes"]]
            if len(titles) == 2:
                break
            await asyncio.sleep(0.05)

    assert len(before["data"]["posts"]["nodes"]) == 1
    assert sorted(titles) == ["Before the import", "Imported"]


async def test_two_processes_sharing_redis_share_entries_and_invalidations(
    db: str, sql_log: SqlLog
) -> None:
    require(await _redis_available(), f"Redis is not reachable at {REDIS_URL}")
    store = RedisStore(REDIS_URL)
    await store._redis.flushdb()
    await store.close()
    calf, _ = await _site()
    shared = {**CACHE_ON, "REDIS_URL": REDIS_URL}

    async with app_client(db, shared) as first, app_client(db, shared) as second:
        await _read(first, POST_PAGE, {"slug": "calf"})
        sql_log.statements.clear()
        await _read(second, POST_PAGE, {"slug": "calf"})
        filled_by_the_other = sql_log.count
        await _read(
            first, SUBMIT, _comment_input(calf, "regular@example.org", "Seen from the other.")
        )
        after, _ = await _read(second, POST_PAGE, {"slug": "calf"})

    assert filled_by_the_other == 0
    assert after["data"]["post"]["commentCount"] == 2


async def test_get_answers_from_the_cache_revalidate_to_304(
    db: str, cache_env: dict[str, str]
) -> None:
    await _site()
    params = {"query": HOME}

    async with app_client(db, cache_env) as http:
        first = await http.get("/graphql", params=params)
        hit = await http.get("/graphql", params=params)
        revalidated = await http.get(
            "/graphql", params=params, headers={"If-None-Match": first.headers["etag"]}
        )

    assert hit.content == first.content
    assert hit.headers["etag"] == first.headers["etag"]
    assert hit.headers["cache-control"] == "public, max-age=0, must-revalidate"
    assert revalidated.status_code == 304


async def test_operators_set_the_http_cache_lifetime(db: str) -> None:
    lifetime = "public, max-age=60, stale-while-revalidate=600"

    async with app_client(db, {"THREADPRESS_HTTP_CACHE_CONTROL": lifetime}) as http:
        response = await http.get("/graphql", params={"query": HOME})

    assert response.headers["cache-control"] == lifetime


# The stores themselves


@pytest.mark.parametrize("kind", ["memory", "redis"])
async def test_a_fill_that_overlapped_a_write_of_its_tags_is_not_kept(kind: str) -> None:
    store: ResponseStore = MemoryStore(max_bytes=10_000)
    if kind == "redis":
        require(await _redis_available(), f"Redis is not reachable at {REDIS_URL}")
        store = RedisStore(REDIS_URL, prefix="threadpress:test-store:")
        await store._redis.flushdb()  # type: ignore[attr-defined]
    try:
        since = await store.sequence()
        await store.invalidate({"post:1"})  # a write lands while the request reads
        kept = await store.put(
            "k", CachedResponse(b"{}", ("post:1",)), since=since, expires_at=None
        )
        unrelated = await store.put(
            "j", CachedResponse(b"{}", ("post:2",)), since=since, expires_at=None
        )
        fresh_since = await store.sequence()
        refilled = await store.put(
            "k", CachedResponse(b"{}", ("post:1",)), since=fresh_since, expires_at=None
        )
        hit = await store.get("k")
        await store.invalidate({"post:1", "post:3"})
        dropped = await store.get("k")
        still = await store.get("j")
    finally:
        await store.close()

    assert (kept, unrelated, refilled) == (False, True, True)
    assert hit == CachedResponse(b"{}", ("post:1",))
    assert dropped is None
    assert still == CachedResponse(b"{}", ("post:2",))


async def test_the_memory_store_keeps_within_its_budget_dropping_the_oldest() -> None:
    store = MemoryStore(max_bytes=25)
    for key in "abc":
        await store.put(key, CachedResponse(b"x" * 10, ()), since=0, expires_at=None)
    await store.get("b")  # recently used
    await store.put("d", CachedResponse(b"x" * 10, ()), since=0, expires_at=None)

    assert [key for key in "abcd" if await store.get(key)] == ["b", "d"]
    assert await store.put("e", CachedResponse(b"x" * 26, ()), since=0, expires_at=None) is False
