"""The hand-written equivalent: the same reads as Threadpress, as plain SQL through the
driver (asyncpg or sqlite3) and JSON built from dicts, with no GraphQL and no ORM.

Each handler runs the statements Threadpress's loaders run (one per relation and per thread
level) and answers exactly the JSON Threadpress answers for the benchmark's documents; the
benchmark asserts that, parsed, before it measures anything. Page sizes, cursors, global IDs,
excerpts and timestamps follow the server's rules (`gql.pagination`, `gql.core.ids`,
`models.text.content`), so the only difference left is the machinery in between.
"""

from __future__ import annotations

import base64
import json
import re
import sqlite3
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, Protocol

import asyncpg

from bench.dataset import FANOUT
from gql.core.ids import to_global_id
from models.text.content import make_excerpt

Row = Sequence[Any]
JSON = dict[str, Any]

PUBLIC_POST = (
    "status = 'published' AND password = '' AND published_at IS NOT NULL AND published_at <= $1"
)
POST_ORDERING = "post:PUBLISHED_AT:desc"
COMMENT_ORDERING = "comment"


class Session(Protocol):
    """Runs statements during one request."""

    async def rows(self, sql: str, *args: Any) -> list[Row]:
        """The rows of `sql` (PostgreSQL placeholders: `$1`, `= ANY($n)` for a list)."""


class Database(Protocol):
    """Where sessions come from."""

    def session(self) -> Any:
        """An async context manager yielding a `Session`."""

    async def close(self) -> None:
        """Release every connection."""


class _PgSession:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self.connection = connection

    async def rows(self, sql: str, *args: Any) -> list[Row]:
        return list(await self.connection.fetch(sql, *args))


class PostgresDatabase:
    """An asyncpg pool sized like Tortoise's default (1 to 5 connections); one connection
    serves a whole request."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    @classmethod
    async def open(cls, dsn: str) -> PostgresDatabase:
        """Connect to `dsn`."""
        return cls(await asyncpg.create_pool(dsn, min_size=1, max_size=5))

    @asynccontextmanager
    async def session(self) -> AsyncIterator[_PgSession]:
        async with self.pool.acquire() as connection:
            yield _PgSession(connection)

    async def close(self) -> None:
        await self.pool.close()


_PLACEHOLDER = re.compile(r"= ANY\(\$(\d+)\)|\$(\d+)")


class _SqliteSession:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    async def rows(self, sql: str, *args: Any) -> list[Row]:
        values: list[Any] = []

        def placeholder(match: re.Match[str]) -> str:
            if match.group(1):
                items = list(args[int(match.group(1)) - 1])
                values.extend(items)
                return f"IN ({', '.join('?' * len(items))})" if items else "IN (NULL)"
            value = args[int(match.group(2)) - 1]
            # Stored the way Tortoise stores an aware datetime: `isoformat(" ")`.
            values.append(value.isoformat(" ") if isinstance(value, datetime) else value)
            return "?"

        query = _PLACEHOLDER.sub(placeholder, sql)
        return self.connection.execute(query, values).fetchall()


class SqliteDatabase:
    """One sqlite3 connection for the process, as Tortoise keeps one (WAL, like the app)."""

    def __init__(self, path: str) -> None:
        self.connection = sqlite3.connect(path, check_same_thread=False)
        self.connection.execute("PRAGMA journal_mode=WAL")

    @asynccontextmanager
    async def session(self) -> AsyncIterator[_SqliteSession]:
        yield _SqliteSession(self.connection)

    async def close(self) -> None:
        self.connection.close()


# --- values as Threadpress serialises them ---------------------------------------------------


def _moment(value: datetime | str) -> datetime:
    if isinstance(value, str):  # SQLite keeps datetimes as text
        value = datetime.fromisoformat(value)
    return value.astimezone(UTC)


def _iso(value: datetime | str) -> str:
    return _moment(value).isoformat()


def _cursor(name: str, values: list[Any]) -> str:
    payload = json.dumps([name, values], separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode("ascii")


def _decode_post_cursor(cursor: str) -> tuple[datetime, int]:
    name, (published, post_id) = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
    if name != POST_ORDERING:
        raise ValueError("not a post cursor")
    return datetime.fromisoformat(published), int(post_id)


def _grouped(rows: list[Row], key: int = 0) -> dict[Any, list[Row]]:
    groups: dict[Any, list[Row]] = defaultdict(list)
    for row in rows:
        groups[row[key]].append(row)
    return groups


# --- the reads --------------------------------------------------------------------------------


async def _post_extras(
    db: Session, posts: list[Row]
) -> tuple[dict[int, str], dict[int, list[str]], dict[int, int]]:
    """Author names, category names and public comment counts for `posts` (id, ..., author_id
    last): the three loaders a post's fields use."""
    post_ids = [row[0] for row in posts]
    authors = await db.rows(
        "SELECT id, name FROM author WHERE id = ANY($1)", sorted({row[-1] for row in posts})
    )
    categories = await db.rows(
        "SELECT pc.post_id, c.name FROM post_category pc JOIN category c ON c.id = pc.category_id "
        "WHERE pc.post_id = ANY($1) ORDER BY pc.post_id, c.id",
        post_ids,
    )
    counts = await db.rows(
        "SELECT post_id, count(*) FROM comment WHERE post_id = ANY($1) AND is_public "
        "GROUP BY post_id",
        post_ids,
    )
    names = {row[0]: row[1] for row in authors}
    by_post = {pid: [row[1] for row in group] for pid, group in _grouped(categories).items()}
    return names, by_post, {row[0]: int(row[1]) for row in counts}


async def home_page(db: Session, now: datetime) -> JSON:
    """`posts(first: 10) { nodes { title uri excerpt publishedAt author { name }
    categories { name } commentCount } }`."""
    posts = await db.rows(
        "SELECT id, title, uri, excerpt, content, published_at, author_id FROM post "
        f"WHERE {PUBLIC_POST} ORDER BY published_at DESC, id DESC LIMIT 10",
        now,
    )
    names, categories, counts = await _post_extras(db, posts)
    return {
        "posts": {
            "nodes": [
                {
                    "title": row[1],
                    "uri": row[2],
                    "excerpt": row[3] or make_excerpt(row[4]),
                    "publishedAt": _iso(row[5]),
                    "author": {"name": names[row[6]]},
                    "categories": [{"name": name} for name in categories.get(row[0], [])],
                    "commentCount": counts.get(row[0], 0),
                }
                for row in posts
            ]
        }
    }


COMMENT_COLUMNS = "id, parent_id, author_name, content, created_at, path"


def _comment(row: Row, replies: dict[int, list[Row]], level: int) -> JSON:
    node: JSON = {
        "id": to_global_id("Comment", row[0]),
        "authorName": row[2],
        "content": row[3],
        "createdAt": _iso(row[4]),
    }
    if level < len(FANOUT):
        node["replies"] = {
            "nodes": [
                _comment(r, replies, level + 1) for r in replies.get(row[0], [])[: FANOUT[level]]
            ]
        }
    return node


async def post_page(db: Session, now: datetime, uri: str) -> JSON:
    """The post page with its whole thread nested `FANOUT` levels deep, a query per level as
    Threadpress's loaders make them."""
    found = await db.rows(
        f"SELECT id, title, published_at, author_id FROM post WHERE {PUBLIC_POST} AND uri = $2",
        now,
        uri,
    )
    if not found:
        return {"post": None}
    post = found[0]
    names, categories, counts = await _post_extras(db, found)
    top = await db.rows(
        f"SELECT {COMMENT_COLUMNS} FROM comment WHERE post_id = $1 AND parent_id IS NULL "
        "AND is_public ORDER BY path",
        post[0],
    )
    top = top[: FANOUT[0]]
    replies: dict[int, list[Row]] = {}
    level = top
    for size in FANOUT[1:]:
        if not level:
            break
        rows = await db.rows(
            f"SELECT {COMMENT_COLUMNS} FROM comment WHERE parent_id = ANY($1) AND is_public "
            "ORDER BY path",
            [row[0] for row in level],
        )
        groups = _grouped(rows, key=1)
        replies.update(groups)
        level = [row for group in groups.values() for row in group[:size]]
    return {
        "post": {
            "title": post[1],
            "publishedAt": _iso(post[2]),
            "author": {"name": names[post[3]]},
            "categories": [{"name": name} for name in categories.get(post[0], [])],
            "commentCount": counts.get(post[0], 0),
            "comments": {"nodes": [_comment(row, replies, 1) for row in top]},
        }
    }


async def comment_thread(db: Session, now: datetime, uri: str) -> JSON:
    """`commentThread(first: 100)`: one keyset page of the flattened thread. A public
    comment's parent is public (that is what `is_public` means), so its id is the parent's."""
    found = await db.rows(f"SELECT id FROM post WHERE {PUBLIC_POST} AND uri = $2", now, uri)
    if not found:
        return {"post": None}
    rows = await db.rows(
        "SELECT id, depth, parent_id, author_name, content, created_at, path FROM comment "
        "WHERE post_id = $1 AND is_public ORDER BY path LIMIT 101",
        found[0][0],
    )
    page = rows[:100]
    return {
        "post": {
            "commentThread": {
                "pageInfo": {
                    "hasNextPage": len(rows) > 100,
                    "endCursor": _cursor(COMMENT_ORDERING, [page[-1][6]]) if page else None,
                },
                "nodes": [
                    {
                        "id": to_global_id("Comment", row[0]),
                        "depth": row[1],
                        "parent": {"id": to_global_id("Comment", row[2])} if row[2] else None,
                        "authorName": row[3],
                        "content": row[4],
                        "createdAt": _iso(row[5]),
                    }
                    for row in page
                ],
            }
        }
    }


async def build_page(db: Session, now: datetime, after: str | None) -> JSON:
    """`posts(first: 100, after: $after)` with every post's content, by keyset."""
    if after is None:
        rows = await db.rows(
            "SELECT id, uri, title, content, published_at, updated_at FROM post "
            f"WHERE {PUBLIC_POST} ORDER BY published_at DESC, id DESC LIMIT 101",
            now,
        )
    else:
        published, post_id = _decode_post_cursor(after)
        rows = await db.rows(
            "SELECT id, uri, title, content, published_at, updated_at FROM post "
            f"WHERE {PUBLIC_POST} AND (published_at < $2 OR (published_at = $2 AND id < $3)) "
            "ORDER BY published_at DESC, id DESC LIMIT 101",
            now,
            published,
            post_id,
        )
    page = rows[:100]
    end = page[-1] if page else None
    return {
        "posts": {
            "pageInfo": {
                "hasNextPage": len(rows) > 100,
                "endCursor": _cursor(POST_ORDERING, [_iso(end[4]), end[0]]) if end else None,
            },
            "nodes": [
                {
                    "id": to_global_id("Post", row[0]),
                    "uri": row[1],
                    "title": row[2],
                    "content": row[3],
                    "publishedAt": _iso(row[4]),
                    "updatedAt": _iso(row[5]),
                }
                for row in page
            ],
        }
    }
