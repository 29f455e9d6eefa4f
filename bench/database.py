"""Throwaway benchmark databases: created fresh, given the app's schema by `threadpress
migrate`, filled with the data set by the drivers directly (COPY on PostgreSQL, executemany on
SQLite: seconds, not minutes), and dropped at the end."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg

from bench.dataset import Dataset
from models.config import with_sqlite_pragmas

ROOT = Path(__file__).resolve().parents[1]
THREADPRESS = ROOT / ".venv" / "bin" / "threadpress"


@dataclass(frozen=True)
class BenchDatabase:
    """One benchmark database: the URL the server gets, and how the references reach it."""

    kind: str  # "postgres" or "sqlite"
    url: str  # DATABASE_URL for Threadpress (Tortoise's URL form)
    dsn: str  # asyncpg DSN, or the SQLite file path


def _columns(data: Dataset) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    """Every table's columns and rows, in insertion order (parents before children)."""
    posts = [
        (
            p.id, p.slug, p.uri, p.title, p.title_key, "", p.content, "published", "",
            p.published_at, p.published_at, p.published_at, "open", p.author_id,
        )
        for p in data.posts
    ]  # fmt: skip
    comments = [
        (
            c.id, c.post_id, c.parent_id, c.depth, c.path, c.author_name, c.author_email,
            c.author_url, c.author_ip, "Mozilla/5.0 (X11; Linux x86_64) bench", c.content,
            c.created_at, "approved", True, "",
        )
        for c in data.comments
    ]  # fmt: skip
    return {
        "author": (
            ["id", "slug", "name", "email", "created_at", "updated_at"],
            [(a.id, a.slug, a.name, f"{a.slug}@example.org", a.created_at, a.created_at)
             for a in data.authors],
        ),
        "category": (
            ["id", "slug", "name", "created_at", "updated_at"],
            [(c.id, c.slug, c.name, c.created_at, c.created_at) for c in data.categories],
        ),
        "post": (
            ["id", "slug", "uri", "title", "title_key", "excerpt", "content", "status",
             "password", "published_at", "created_at", "updated_at", "comment_status",
             "author_id"],
            posts,
        ),
        "post_category": (["post_id", "category_id"], list(data.post_categories)),
        "comment": (
            ["id", "post_id", "parent_id", "depth", "path", "author_name", "author_email",
             "author_url", "author_ip", "author_user_agent", "content", "created_at", "status",
             "is_public", "moderation_reasons"],
            comments,
        ),
    }  # fmt: skip


def migrate(url: str) -> None:
    """Give the database the app's own schema, with the app's own command."""
    subprocess.run(
        [str(THREADPRESS), "migrate"],
        env={**os.environ, "DATABASE_URL": url},
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )


# --- PostgreSQL -------------------------------------------------------------------------------


async def _admin(admin_dsn: str, statement: str) -> None:
    connection = await asyncpg.connect(admin_dsn)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def create_postgres(admin_dsn: str, name: str) -> BenchDatabase:
    """A fresh, empty database `name` beside the one `admin_dsn` names."""
    asyncio.run(_admin(admin_dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    asyncio.run(_admin(admin_dsn, f'CREATE DATABASE "{name}"'))
    base = admin_dsn.rsplit("/", 1)[0]
    return BenchDatabase(kind="postgres", url=f"{base}/{name}", dsn=f"{base}/{name}")


def drop_postgres(admin_dsn: str, name: str) -> None:
    """Drop the benchmark database (its connections too)."""
    asyncio.run(_admin(admin_dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _fill_postgres(dsn: str, data: Dataset) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        for table, (columns, rows) in _columns(data).items():
            await connection.copy_records_to_table(table, records=rows, columns=columns)
            if "id" in columns:
                # Rows came with their ids: move the sequence past them, or the server's
                # first insert (submitComment) would collide with row 1.
                await connection.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


def fill_postgres(database: BenchDatabase, data: Dataset) -> None:
    """Insert the data set into a migrated PostgreSQL database."""
    asyncio.run(_fill_postgres(database.dsn, data))


# --- SQLite -----------------------------------------------------------------------------------


def _sqlite_value(value: object) -> object:
    # Tortoise stores an aware datetime as `isoformat(" ")` (its sqlite3 adapter) and reads
    # it back from that text: store exactly that.
    return value.isoformat(" ") if isinstance(value, datetime) else value


def create_sqlite(path: Path) -> BenchDatabase:
    """A fresh SQLite file at `path` (any old one removed)."""
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    return BenchDatabase(kind="sqlite", url=with_sqlite_pragmas(f"sqlite://{path}"), dsn=str(path))


def fill_sqlite(database: BenchDatabase, data: Dataset) -> None:
    """Insert the data set into a migrated SQLite file, in one transaction."""
    connection = sqlite3.connect(database.dsn)
    try:
        with connection:
            for table, (columns, rows) in _columns(data).items():
                marks = ", ".join("?" * len(columns))
                connection.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                    [tuple(_sqlite_value(v) for v in row) for row in rows],
                )
        connection.execute("ANALYZE")
    finally:
        connection.close()
