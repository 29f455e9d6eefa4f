"""A site with a read replica: anonymous readers read the replica, writers and tokens the
primary, and the response cache never keeps an answer the replica read before it had the
last write that invalidated the cache.

Against a REAL streaming replica: a throwaway primary and a `pg_basebackup -R` standby,
started once for this module (`tests.streaming_replica`). A stale read is made on purpose
by pausing the standby's replay (`pg_wal_replay_pause()`), so what a read returns tells
which server answered it.
"""

from __future__ import annotations

import ast
import asyncio
import os
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from tortoise.connection import get_connections
from tortoise.exceptions import ConfigurationError
from tortoise.transactions import in_transaction

import models
from gql.cache.store import RedisStore
from gql.core.ids import to_global_id
from gql.core.tokens import create_token
from gql.publishing.change_log import announce_due
from gql.settings import SettingsError, load_settings
from models.config import PRIMARY, REPLICA
from models.database import (
    close_database,
    migrate_database,
    open_database,
    primary_connection,
    read_connection,
    replica_reads,
)
from tests import factories
from tests.conftest import (
    TABLES,
    TEST_SECRET_KEY,
    SqlLog,
    _forget_dialect,
    app_client,
    require,
    without_cost,
)
from tests.streaming_replica import StreamingPair, can_run_clusters, streaming_pair

ROOT = Path(__file__).resolve().parents[1]
REDIS_URL = os.environ.get("THREADPRESS_TEST_REPLICA_REDIS_URL", "redis://127.0.0.1:6379/14")
DATABASE = "threadpress"
REPLAY_SECONDS = 15.0
WRITER = "127.0.0.1"  # the address that writes
READER = "198.51.100.20"  # another reader, who never wrote
CACHE_ON = {
    "THREADPRESS_RESPONSE_CACHE": "on",
    "THREADPRESS_FLOOD_SECONDS": "0",
    "THREADPRESS_COMMENT_RATE_LIMIT": "1000/minute",
}
CACHE_OFF = {**CACHE_ON, "THREADPRESS_RESPONSE_CACHE": "off"}

POST_PAGE = """
query PostPage($slug: String!) {
  post(slug: $slug) { title commentCount comments { nodes { content } } }
}
"""
SUBMIT = """
mutation Submit($input: SubmitCommentInput!) {
  submitComment(input: $input) {
    moderationStatus
    comment { id content post { commentCount } }
    errors { code }
  }
}
"""
QUEUE = "{ moderationQueue(first: 10) { totalCount nodes { comment { content } } } }"
FEED = "{ changes(since: null, first: 100) { entries { kind typename id } } }"


# --- the clusters ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pair() -> Iterator[StreamingPair]:
    """A primary and its streaming standby, for this module only."""
    possible, why = can_run_clusters()
    require(possible, f"no streaming replica can be started here: {why}")
    with streaming_pair() as started:
        yield started


def _pg(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


async def _admin(url: str) -> Any:
    import asyncpg  # type: ignore[import-untyped]

    return await asyncpg.connect(_pg(url))


@pytest.fixture(scope="module")
async def replicated(pair: StreamingPair) -> AsyncIterator[StreamingPair]:
    """The ORM open on the pair (primary `default`, standby `replica`), migrated. The
    database another module left open is set aside and opened again afterwards."""
    try:
        previous = get_connections().db_config.get(PRIMARY)
    except (ConfigurationError, RuntimeError):  # no database open yet
        previous = None
    await close_database()
    await _forget_dialect()
    admin = await _admin(pair.primary_url())
    try:
        await admin.execute(f'CREATE DATABASE "{DATABASE}"')
    finally:
        await admin.close()
    await migrate_database(pair.primary_url(DATABASE))
    await open_database(pair.primary_url(DATABASE), pair.standby_url(DATABASE))
    try:
        await _replayed(pair)
        yield pair
    finally:
        await close_database()
        await _forget_dialect()
        if isinstance(previous, str):
            await open_database(previous)


async def _replayed(pair: StreamingPair) -> None:
    """Wait (bounded) until the standby has replayed everything the primary wrote so far."""
    primary, standby = await _admin(pair.primary_url()), await _admin(pair.standby_url())
    try:
        target = await primary.fetchval("SELECT pg_current_wal_lsn()")
        deadline = time.monotonic() + REPLAY_SECONDS
        while time.monotonic() < deadline:
            if await standby.fetchval("SELECT pg_last_wal_replay_lsn() >= $1", target):
                return
            await asyncio.sleep(0.02)
        raise AssertionError(f"the standby did not replay {target} in {REPLAY_SECONDS}s")
    finally:
        await primary.close()
        await standby.close()


async def _pause_replay(pair: StreamingPair) -> None:
    standby = await _admin(pair.standby_url())
    try:
        await standby.execute("SELECT pg_wal_replay_pause()")
        deadline = time.monotonic() + REPLAY_SECONDS
        while await standby.fetchval("SELECT pg_get_wal_replay_pause_state()") != "paused":
            assert time.monotonic() < deadline, "the standby did not pause its replay"
            await asyncio.sleep(0.02)
    finally:
        await standby.close()


async def _resume_replay(pair: StreamingPair) -> None:
    standby = await _admin(pair.standby_url())
    try:
        await standby.execute("SELECT pg_wal_replay_resume()")
    finally:
        await standby.close()
    await _replayed(pair)


@pytest.fixture
async def site(replicated: StreamingPair) -> AsyncIterator[StreamingPair]:
    """Empty tables, replayed on the standby, replay running; resumed after the test."""
    await primary_connection().execute_script(
        "TRUNCATE " + ", ".join(f'"{t}"' for t in TABLES) + " RESTART IDENTITY CASCADE"
    )
    await _replayed(replicated)
    try:
        yield replicated
    finally:
        await _resume_replay(replicated)


@pytest.fixture(params=["memory", "redis"])
async def cache_env(request: pytest.FixtureRequest) -> AsyncIterator[dict[str, str]]:
    """The response cache in memory, or in Redis (db 14, emptied first)."""
    if request.param == "memory":
        yield CACHE_ON
        return
    store = RedisStore(REDIS_URL)
    try:
        await store._redis.flushdb()
    except Exception as error:  # not reachable here
        require(False, f"Redis is not reachable at {REDIS_URL}: {error}")
    finally:
        await store.close()
    yield {**CACHE_ON, "REDIS_URL": REDIS_URL}


@asynccontextmanager
async def clients(
    database_url: str, env: dict[str, str]
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """Two HTTP clients on ONE app (one process: one cache), from the writer's address and
    from a reader's."""
    async with app_client(database_url, env, peer=WRITER) as writer:
        app = writer._transport.app  # type: ignore[attr-defined]
        transport = httpx.ASGITransport(app=app, client=(READER, 40001))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as reader:
            yield writer, reader


def _replica_env(pair: StreamingPair, extra: dict[str, str] | None = None) -> dict[str, str]:
    return {"DATABASE_REPLICA_URL": pair.standby_url(DATABASE), **(extra or {})}


async def _post(
    http: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    assert response.status_code == 200, response.text
    body = without_cost(response.json())
    assert "errors" not in body, body
    return body


async def _calf() -> models.Post:
    writer = await factories.author(name="Jo Runner")
    calf = await factories.post(writer, slug="calf", title="A stubborn calf")
    await factories.comment(calf, email="regular@example.org")  # approved before: a regular
    return calf


def _comment(post: models.Post, email: str, content: str) -> dict[str, Any]:
    return {
        "input": {
            "postId": to_global_id("Post", post.id),
            "authorName": "A Regular",
            "authorEmail": email,
            "content": content,
        }
    }


async def _count(http: httpx.AsyncClient) -> int:
    body = await _post(http, POST_PAGE, {"slug": "calf"})
    count: int = body["data"]["post"]["commentCount"]
    return count


async def _token(role: models.Role) -> dict[str, str]:
    _, secret = await create_token(f"a {role.value}", role)
    return {"Authorization": f"Bearer {secret}"}


# --- routing --------------------------------------------------------------------------------


async def test_public_reads_go_to_the_replica_and_writers_read_the_primary(
    site: StreamingPair,
) -> None:
    calf = await _calf()
    await _replayed(site)
    env = _replica_env(site, CACHE_OFF)

    await _pause_replay(site)
    async with clients(_url(site), env) as (writer, reader):
        submitted = await _post(
            writer, SUBMIT, _comment(calf, "regular@example.org", "Same calf here.")
        )
        public_count = await _count(reader)
        writers_count = await _count(writer)

    payload = submitted["data"]["submitComment"]
    assert payload["moderationStatus"] == "APPROVED"
    assert payload["comment"]["post"]["commentCount"] == 2  # the payload read the primary
    assert public_count == 1  # the replica, paused before the write
    assert writers_count == 2  # the writer's own next read waited for nothing: the primary


async def test_an_answer_from_a_lagging_replica_is_served_but_not_cached(
    site: StreamingPair, cache_env: dict[str, str], sql_log: SqlLog
) -> None:
    calf = await _calf()
    await _replayed(site)
    env = _replica_env(site, cache_env)

    async with clients(_url(site), env) as (writer, reader):
        before = await _count(reader)  # cached, replica in step
        await _pause_replay(site)
        await _post(writer, SUBMIT, _comment(calf, "regular@example.org", "Same calf here."))
        stale = await _count(reader)  # the write dropped the entry; the replica lags
        await _resume_replay(site)
        sql_log.statements.clear()
        fresh = await _count(reader)  # the stale answer was not kept: read again
        read_again = sql_log.count
        sql_log.statements.clear()
        repeat = await _count(reader)  # this one was kept: the replica had the write

    assert (before, stale, fresh, repeat) == (1, 1, 2, 2)
    assert read_again > 0
    assert sql_log.count == 0


async def test_with_replay_running_public_answers_are_cached_as_usual(
    site: StreamingPair, cache_env: dict[str, str], sql_log: SqlLog
) -> None:
    calf = await _calf()
    await _replayed(site)
    env = _replica_env(site, cache_env)

    async with clients(_url(site), env) as (writer, reader):
        assert await _count(reader) == 1
        sql_log.statements.clear()
        assert await _count(reader) == 1
        hit_sql = sql_log.count
        await _post(writer, SUBMIT, _comment(calf, "regular@example.org", "Same calf here."))
        await _replayed(site)
        assert await _count(reader) == 2
        sql_log.statements.clear()
        assert await _count(reader) == 2

    assert hit_sql == 0
    assert sql_log.count == 0


async def test_the_change_feed_the_export_and_the_moderation_queue_read_the_primary(
    site: StreamingPair,
) -> None:
    calf = await _calf()
    builder, moderator = await _token(models.Role.BUILDER), await _token(models.Role.MODERATOR)
    # The post enters the feed now: reading the feed would announce it, a write of the
    # builder's (whose address's next public reads would then go to the primary).
    await announce_due()
    await _replayed(site)
    env = _replica_env(site, CACHE_OFF)

    await _pause_replay(site)
    async with clients(_url(site), env) as (writer, reader):
        held = await _post(writer, SUBMIT, _comment(calf, "new@example.org", "First time here."))
        approved = await _post(
            writer, SUBMIT, _comment(calf, "regular@example.org", "Same calf here.")
        )
        queue = await _post(reader, QUEUE, headers=moderator)
        feed = await _post(reader, FEED, headers=builder)
        export = await reader.get("/export.ndjson", headers=builder)
        public_count = await _count(reader)

    assert held["data"]["submitComment"]["moderationStatus"] == "PENDING"
    approved_id = approved["data"]["submitComment"]["comment"]["id"]
    assert queue["data"]["moderationQueue"]["totalCount"] == 1
    assert queue["data"]["moderationQueue"]["nodes"][0]["comment"]["content"] == (
        "<p>First time here.</p>"
    )
    entries = feed["data"]["changes"]["entries"]
    assert {"kind": "UPSERT", "typename": "Comment", "id": approved_id} in entries
    assert export.status_code == 200
    assert "Same calf here." in export.text
    assert public_count == 1  # the replica is still paused before both writes


async def test_read_connection_names_the_replica_only_for_opted_in_reads_outside_writes(
    site: StreamingPair,
) -> None:
    outside = read_connection()
    with replica_reads():
        inside = read_connection()
        async with in_transaction(PRIMARY) as transaction:
            in_write = read_connection()
            await factories.author(name="Uncommitted")
            # Routed to the replica, this read could not see the row written just above.
            seen_in_write = await models.Author.all().count()
    standby = await inside.execute_query("SELECT pg_is_in_recovery()")

    assert outside is primary_connection()
    assert inside.connection_name == REPLICA
    assert standby[1][0][0] is True
    assert in_write is transaction
    assert seen_in_write == 1


# --- the replica fails ----------------------------------------------------------------------


async def test_a_replica_that_is_down_sends_public_reads_to_the_primary(
    site: StreamingPair,
) -> None:
    calf = await _calf()
    await _replayed(site)
    env = _replica_env(site, CACHE_OFF)

    site.stop_standby()
    try:
        async with clients(_url(site), env) as (writer, reader):
            await _post(writer, SUBMIT, _comment(calf, "regular@example.org", "Same calf."))
            public_count = await _count(reader)
            ready = await reader.get("/readyz")
    finally:
        site.start_standby()

    assert public_count == 2
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ok",
        "database": "ok",
        "replica": "unreachable",
        "degraded": ["replica"],
    }


async def test_readiness_names_a_healthy_replica(site: StreamingPair) -> None:
    async with app_client(_url(site), _replica_env(site)) as http:
        ready = await http.get("/readyz")

    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "database": "ok", "replica": "ok"}


async def test_a_primary_that_is_down_is_not_ready_even_with_a_replica(
    site: StreamingPair,
) -> None:
    env = _replica_env(site)
    async with app_client(_url(site), env) as http:
        site.stop_primary()
        try:
            ready = await http.get("/readyz")
        finally:
            site.start_primary()

    assert ready.status_code == 503
    assert ready.json()["failed"] == ["database"]
    assert ready.json()["database"] == "unreachable"


def _url(pair: StreamingPair) -> str:
    return pair.primary_url(DATABASE)


# --- configuration --------------------------------------------------------------------------


def _settings(env: dict[str, str]) -> None:
    load_settings({"THREADPRESS_SECRET_KEY": TEST_SECRET_KEY, **env})


def test_a_sqlite_replica_is_refused() -> None:
    with pytest.raises(SettingsError, match="DATABASE_REPLICA_URL must be a PostgreSQL URL"):
        _settings(
            {
                "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/site",
                "DATABASE_REPLICA_URL": "sqlite://replica.sqlite3",
            }
        )


def test_a_replica_without_a_postgresql_primary_is_refused() -> None:
    with pytest.raises(SettingsError, match="DATABASE_REPLICA_URL needs a PostgreSQL primary"):
        _settings(
            {
                "DATABASE_URL": "sqlite://site.sqlite3",
                "DATABASE_REPLICA_URL": "postgres://postgres@127.0.0.1:5433/site",
            }
        )


def test_no_replica_is_the_default() -> None:
    settings = load_settings(
        {"THREADPRESS_SECRET_KEY": TEST_SECRET_KEY, "DATABASE_URL": "sqlite://site.sqlite3"}
    )
    assert settings.database_replica_url is None


def test_every_transaction_names_the_primary() -> None:
    """With a replica Tortoise has two connections, and `in_transaction()` without a name
    then fails ("You are running with multiple databases"): only when a replica is set,
    so this catches it for every configuration."""
    unnamed = []
    for folder in ("gql", "models", "threadpress"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "id", getattr(node.func, "attr", None))
                    in ("in_transaction", "atomic")
                    and not node.args
                    and not node.keywords
                ):
                    unnamed.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert unnamed == []
