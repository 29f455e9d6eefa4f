"""PostgreSQL connections go back to the pool without asyncpg's session reset (one round trip
saved per query, see models/postgres.py); that is only right while nothing the app does
leaves session state behind. Proven here after real writes, and guarded in the source."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import pytest
from tortoise import Tortoise

import models
from gql.core.ids import to_global_id
from gql.core.tokens import create_token
from models.config import PRIMARY
from tests import factories
from tests.conftest import SqlLog, app_client, graphql

ROOT = Path(__file__).resolve().parents[1]
SUBMIT = """mutation Submit($input: SubmitCommentInput!) {
  submitComment(input: $input) { moderationStatus errors { code } }
}"""
# SQL that would leave state on a pooled connection: session advisory locks, session
# settings, listeners (LISTEN belongs on dedicated connections, not the ORM's pool). SQL
# keywords are written in capitals here, as everywhere in the code.
SESSION_STATE = re.compile(
    r"pg_(try_)?advisory_lock(_shared)?\s*\(|[\"']\s*SET\s+(?!TRANSACTION|LOCAL)\w|"
    r"[\"']\s*LISTEN\s+\w+\s*;?\s*[\"']|\.add_listener\("
)
DEDICATED_LISTENERS = {"gql/core/pg_listener.py"}


@pytest.mark.parametrize("database", ["postgres"], indirect=True)
async def test_pooled_connections_come_back_clean_after_writes(db: str) -> None:
    writer = await factories.author()
    post = await factories.post(writer)
    async with app_client(db, {"THREADPRESS_FLOOD_SECONDS": "0"}) as http:
        answers = await asyncio.gather(
            *(
                graphql(
                    http,
                    SUBMIT,
                    {
                        "input": {
                            "postId": to_global_id("Post", post.id),
                            "authorName": f"Reader {n}",
                            "authorEmail": f"reader{n}@example.org",
                            "content": f"Comment number {n}.",
                        }
                    },
                    {"X-Forwarded-For": f"203.0.113.{n}"},
                )
                for n in range(1, 5)
            )
        )
    assert [a["data"]["submitComment"]["errors"] for a in answers] == [[]] * 4

    # Each pooled connection, as the next request would get it: no session setting changed
    # from its default, no channel listened to, no transaction open.
    pool = Tortoise.get_connection(PRIMARY)._pool  # type: ignore[attr-defined]
    held = [await pool.acquire() for _ in range(pool.get_size())]
    try:
        for connection in held:
            session = await connection.fetch(
                "SELECT name FROM pg_settings WHERE source = 'session' "
                "AND name NOT IN ('application_name', 'client_encoding', 'DateStyle', "
                "'TimeZone', 'search_path')"
            )
            assert [row["name"] for row in session] == []
            assert await connection.fetchval("SELECT count(*) FROM pg_listening_channels()") == 0
            assert not connection.is_in_transaction()
    finally:
        for connection in held:
            await pool.release(connection)
    inspector = await asyncpg.connect(db.replace("postgres://", "postgresql://", 1))
    try:
        # pg_locks is the whole server's: count this database's locks, not those of other
        # test runs sharing the server.
        held = await inspector.fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid <> pg_backend_pid() "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        states = await inspector.fetch(
            "SELECT state FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await inspector.close()
    assert held == 0  # every advisory lock was a transaction's, gone at its end
    assert "idle in transaction" not in {row["state"] for row in states}


def test_no_code_leaves_session_state_on_a_pooled_connection() -> None:
    found = []
    for folder in ("gql", "models", "threadpress"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative in DEDICATED_LISTENERS or "/migrations/" in relative:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if SESSION_STATE.search(line):
                    found.append(f"{relative}:{number}: {line.strip()}")
    assert found == []


POST_PAGE = """query Page($id: ID!) {
  post(id: $id) {
    title author { name } categories { name } commentCount
    comments(first: 10) { nodes { authorName replies(first: 10) { nodes { authorName } } } }
  }
}"""


def _count_pool_acquires(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A list that grows by one for every connection taken from an asyncpg pool."""
    taken: list[int] = []
    acquire = asyncpg.Pool.acquire

    def counted(pool: asyncpg.Pool, *args: Any, **kwargs: Any) -> Any:
        taken.append(1)
        return acquire(pool, *args, **kwargs)

    monkeypatch.setattr(asyncpg.Pool, "acquire", counted)
    return taken


@pytest.mark.parametrize("database", ["postgres"], indirect=True)
async def test_a_query_runs_its_statements_on_one_pooled_connection(
    db: str, monkeypatch: pytest.MonkeyPatch, sql_log: SqlLog
) -> None:
    writer = await factories.author()
    post = await factories.post(writer, categories=[await factories.category()])
    first = await factories.comment(post)
    await factories.comment(post, parent=first)
    async with app_client(db, {"THREADPRESS_FLOOD_SECONDS": "0"}) as http:
        await graphql(http, "{ posts(first: 1) { nodes { title } } }")  # the pool is up
        taken = _count_pool_acquires(monkeypatch)
        sql_log.statements.clear()
        body = await graphql(http, POST_PAGE, {"id": to_global_id("Post", post.id)})
        assert "errors" not in body, body
        assert sql_log.count >= 5  # post, author, categories, count, comments, replies
        assert len(taken) == 1
        # A mutation still takes what it needs, and gives it all back.
        taken.clear()
        answer = await graphql(
            http,
            SUBMIT,
            {
                "input": {
                    "postId": to_global_id("Post", post.id),
                    "authorName": "Reader",
                    "authorEmail": "reader@example.org",
                    "content": "A comment.",
                }
            },
        )
        assert answer["data"]["submitComment"]["errors"] == []
        assert len(taken) > 1
    pool = Tortoise.get_connection(PRIMARY)._pool  # type: ignore[attr-defined]
    assert pool.get_idle_size() == pool.get_size()  # nothing kept after the requests


@pytest.mark.parametrize("database", ["postgres"], indirect=True)
async def test_a_query_that_opens_a_transaction_never_waits_on_its_own_connection(
    db: str,
) -> None:
    """The change feed announces due posts in a transaction in the middle of a query. With
    one connection left in the pool, holding the lent one while waiting for the
    transaction's would wait forever; the lent one goes back first."""
    writer = await factories.author()
    await factories.post(writer)
    _, secret = await create_token("a builder", models.Role.BUILDER)
    query = """{
      posts(first: 1) { nodes { title author { name } } }
      changes(first: 5) { entries { kind } hasMore }
    }"""
    async with app_client(db, {"THREADPRESS_FLOOD_SECONDS": "0"}) as http:
        await graphql(http, "{ posts(first: 1) { nodes { title } } }")  # the pool is up
        pool = Tortoise.get_connection(PRIMARY)._pool  # type: ignore[attr-defined]
        others = [await pool.acquire() for _ in range(pool.get_max_size() - 1)]
        try:
            for _ in range(3):
                body = await asyncio.wait_for(
                    graphql(http, query, None, {"Authorization": f"Bearer {secret}"}), timeout=20
                )
                assert "errors" not in body, body
                assert body["data"]["changes"]["entries"]
        finally:
            for connection in others:
                await pool.release(connection)
