"""The peer: PostGraphile 4 over the same PostgreSQL data, installed from `bench/peer/`'s
committed lockfile (npm ci) by the benchmark only.

PostGraphile is started read-only (`--disable-default-mutations`): its generated update
mutations clash on the `comment.client_mutation_id` column (a naming conflict that stops
schema building), and the benchmark only reads through it. It sees only the content tables
(`hide_other_tables`): the others, such as the change log's `change.node_id` (which clashes
with PostGraphile's own `nodeId`), are omitted with its `@omit` smart comment.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]

PEER_DIR = Path(__file__).resolve().parent / "peer"
BINARY = PEER_DIR / "node_modules" / ".bin" / "postgraphile"


def unavailable_reason() -> str | None:
    """Why the peer cannot run here, or None when it can."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        return "Node.js (node and npm) not found: the PostGraphile peer is skipped"
    return None


def install() -> None:
    """Install PostGraphile from the lockfile when node_modules is missing or older."""
    lockfile = PEER_DIR / "package-lock.json"
    marker = PEER_DIR / "node_modules" / ".package-lock.json"
    if BINARY.exists() and marker.exists() and marker.stat().st_mtime >= lockfile.stat().st_mtime:
        return
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=PEER_DIR,
        check=True,
        timeout=600,
    )


CONTENT_TABLES = ("author", "category", "post", "post_category", "comment")
"""What the peer's documents read; every other table is hidden from it."""


async def _hide(dsn: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        tables = await connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        )
        for row in tables:
            if row["tablename"] not in CONTENT_TABLES:
                await connection.execute(f"""COMMENT ON TABLE "{row["tablename"]}" IS '@omit'""")
    finally:
        await connection.close()


def hide_other_tables(dsn: str) -> None:
    """Give every table but the content ones PostGraphile's `@omit` smart comment (in the
    benchmark's own throwaway database)."""
    asyncio.run(_hide(dsn))


def command(dsn: str, port: int) -> list[str]:
    """The command that serves PostGraphile over `dsn` on loopback `port`."""
    return [
        str(BINARY),
        "--connection", dsn,
        "--schema", "public",
        "--host", "127.0.0.1",
        "--port", str(port),
        "--disable-default-mutations",
        "--disable-graphiql",
        "--disable-query-log",
    ]  # fmt: skip
