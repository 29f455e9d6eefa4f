"""On SQLite a page's reads run on the event loop's own thread (models/sqlite.py), not through
aiosqlite's worker thread: what a reader then sees, and what happens when it cannot read."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from tortoise import Tortoise
from tortoise.transactions import in_transaction

from models.config import PRIMARY
from models.rows import COMMENTS
from models.sqlite import InlineReadSqliteClient
from tests import factories
from tests.conftest import SqlLog, app_client, graphql

POST_PAGE = """query Page($uri: String!) {
  post(uri: $uri) {
    title author { name } categories { name } commentCount
    comments(first: 10) { nodes { authorName replies(first: 10) { nodes { authorName } } } }
  }
}"""

pytestmark = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


def _client() -> InlineReadSqliteClient:
    client = Tortoise.get_connection(PRIMARY)
    assert isinstance(client, InlineReadSqliteClient)
    return client


def _count_worker_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A list that grows by each statement sent through aiosqlite's worker thread."""
    sent: list[str] = []
    execute_query = InlineReadSqliteClient.execute_query

    async def counted(self: InlineReadSqliteClient, query: str, values: Any = None) -> Any:
        sent.append(query)
        return await execute_query(self, query, values)

    monkeypatch.setattr(InlineReadSqliteClient, "execute_query", counted)
    return sent


async def _thread_post() -> tuple[str, dict[str, Any]]:
    """A post with a comment and a reply to it, and the page its readers should see."""
    writer = await factories.author(name="Ana Writer")
    post = await factories.post(writer, title="Rest days", categories=[await factories.category()])
    first = await factories.comment(post, name="First reader")
    await factories.comment(post, parent=first, name="Replying reader")
    return post.uri, {
        "title": "Rest days",
        "author": {"name": "Ana Writer"},
        "categories": [{"name": (await post.categories.all())[0].name}],
        "commentCount": 2,
        "comments": {
            "nodes": [
                {
                    "authorName": "First reader",
                    "replies": {"nodes": [{"authorName": "Replying reader"}]},
                }
            ]
        },
    }


async def test_a_post_page_reads_on_the_loop_thread(
    db: str, monkeypatch: pytest.MonkeyPatch, sql_log: SqlLog
) -> None:
    uri, page = await _thread_post()
    async with app_client(db, {"THREADPRESS_RESPONSE_CACHE": "off"}) as http:
        sent = _count_worker_reads(monkeypatch)
        sql_log.statements.clear()
        body = await graphql(http, POST_PAGE, {"uri": uri})
    assert body == {"data": {"post": page}}
    # post, author, categories, count, comments, replies, replies of replies: all logged,
    # as every statement is, and none through the worker thread.
    assert sql_log.count >= 6, sql_log.statements
    assert sent == []


class _LockedReader:
    """A reader that finds the database locked, as a second connection does while another
    holds an exclusive lock (outside WAL mode, or during some checkpoints)."""

    def execute(self, *_args: Any) -> Any:
        raise sqlite3.OperationalError("database is locked")

    def close(self) -> None:
        pass


async def test_a_read_that_cannot_run_at_once_goes_through_tortoise(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    uri, page = await _thread_post()
    async with app_client(db, {"THREADPRESS_RESPONSE_CACHE": "off"}) as http:
        await graphql(http, "{ posts(first: 1) { nodes { title } } }")
        monkeypatch.setattr(_client(), "_reader", _LockedReader())
        sent = _count_worker_reads(monkeypatch)
        body = await graphql(http, POST_PAGE, {"uri": uri})
    assert body == {"data": {"post": page}}
    assert len(sent) >= 6  # every read went the usual way, and answered the same


async def test_a_transaction_reads_its_own_writes_and_others_read_what_is_committed(
    db: str,
) -> None:
    writer = await factories.author()
    post = await factories.post(writer)
    query = 'SELECT "id" FROM "comment" WHERE "post_id" = ?'
    reader = _client()
    async with in_transaction():
        comment = await factories.comment(post)
        # Inside the transaction Tortoise hands out its transaction client: it sees the row.
        assert [row.id for row in await COMMENTS.select('"id" = {0}', [comment.id])] == [comment.id]
        # The loop thread's reader sees only what is committed, and does not wait.
        assert reader.read_inline(query, [post.id]) == []
    assert reader.read_inline(query, [post.id]) == [(comment.id,)]


async def test_an_in_memory_database_is_read_through_tortoise(db: str) -> None:
    # A second connection to ":memory:" would open another, empty database.
    client = InlineReadSqliteClient(":memory:", connection_name="memory")
    await client.create_connection(with_db=True)
    try:
        assert client.read_inline("SELECT 1") is None
        assert (await client.execute_query("SELECT 1"))[1][0][0] == 1
    finally:
        await client.close()


async def test_a_posts_top_level_comments_are_read_through_the_thread_index(
    db: str, sql_log: SqlLog
) -> None:
    """Most comments have no parent. With statistics that say a parent has a reply or two,
    SQLite read a post's top-level comments through the parent index, walking every
    top-level comment of the site; the parent index now leaves them out (PresentIndex)."""
    writer = await factories.author()
    posts = [await factories.post(writer) for _ in range(4)]
    for post in posts:
        for _ in range(15):
            await factories.comment(post, parent=await factories.comment(post))
    client = _client()
    await client.execute_script("ANALYZE")
    async with app_client(db, {"THREADPRESS_RESPONSE_CACHE": "off"}) as http:
        sql_log.statements.clear()
        await graphql(http, POST_PAGE, {"uri": posts[0].uri})
    (top_level,) = [s for s in sql_log.statements if '"parent_id" IS NULL' in s]
    query = top_level.rpartition(": ")[0]  # the log line is "<SQL>: <values>"
    plan = " ".join(
        str(step[-1]) for step in client.read_inline(f"EXPLAIN QUERY PLAN {query}") or ()
    )
    assert "comment_thread_idx" in plan, plan
    assert "comment_parent_idx" not in plan, plan
