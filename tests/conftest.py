"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL is the one at `THREADPRESS_TEST_POSTGRES_URL` (default: the local server, database
`test`, used only to create a throwaway database per run). Where it is not reachable the
PostgreSQL half skips with a message, except in CI (`CI=true`), where it fails instead.

Third-party data the repository must not carry (the WordPress theme unit test export) lives
in `../shared` beside the clone; tests reach it through `shared_file`, so a fresh clone
without it skips those tests, each with one message naming the file. In CI nothing may skip:
a skipped test fails the run (see `pytest_sessionfinish`).
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis.graphql import nodes
from tortoise import Tortoise

from models.config import with_sqlite_pragmas
from models.database import close_database, migrate_database, open_database

# `Upload` (uploadMedia's file) is a part of a multipart request, never a JSON value: the
# documents schemathesis generates from schema.graphql send a string in its place, which the
# mutation answers with a typed error (and anonymous callers with FORBIDDEN).
schemathesis.graphql.scalar("Upload", st.text(max_size=20).map(nodes.String))

POSTGRES_ADMIN_URL = os.environ.get(
    "THREADPRESS_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() == "true"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"  # beside the clone, not in it
TABLES = (
    "menu_item",
    "menu",
    "webhook_delivery",
    "webhook_subscriber",
    "change",
    "audit_entry",
    "post_redirect",
    "archive_redirect",
    "page_redirect",
    "page",
    "comment",
    "post_category",
    "post_tag",
    "post",
    "category",
    "tag",
    "author",
    "media_size",
    "media_item",
    "api_token",
)


def require(condition: bool, why: str) -> None:
    """Skip a test whose outside dependency is missing; in CI, fail it instead."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{why} (CI=true: this must not be skipped)")
    pytest.skip(why)


def shared_file(name: str) -> Path:
    """The file `name` of ../shared (third-party data kept outside the repository, e.g.
    "fixtures/wordpress-theme-unit-test.xml"): skips the test where it is absent, as on a
    fresh clone; in CI, fails it instead."""
    path = SHARED / name
    require(path.is_file(), f"{path} is missing: {SHARED_WHY}")
    return path


SHARED_WHY = "third-party data the repository does not carry, read from ../shared beside the clone"


async def _create_postgres_database() -> tuple[str, str]:
    import asyncpg  # type: ignore[import-untyped]

    name = f"threadpress_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = await asyncpg.connect(POSTGRES_ADMIN_URL.replace("postgres://", "postgresql://"))
    except (OSError, asyncpg.PostgresError) as error:
        require(False, f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {error}")
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}", name


async def _drop_postgres_database(name: str) -> None:
    import asyncpg

    admin = await asyncpg.connect(POSTGRES_ADMIN_URL.replace("postgres://", "postgresql://"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def _forget_dialect() -> None:
    """Let the next backend start clean: Tortoise caches SQL built for one dialect per
    connection name ("default" for both backends), which production never switches."""
    from tortoise.backends.base import executor

    await Tortoise._reset_apps()
    executor.EXECUTOR_CACHE.clear()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
async def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    """A migrated database of each kind, open for the whole session; yields its URL."""
    postgres_name = None
    if request.param == "sqlite":
        url = with_sqlite_pragmas(f"sqlite://{tmp_path_factory.mktemp('db')}/test.sqlite3")
    else:
        url, postgres_name = await _create_postgres_database()
    await migrate_database(url)
    await close_database()
    await open_database(url)
    try:
        yield url
    finally:
        await close_database()
        await _forget_dialect()
        if postgres_name:
            await _drop_postgres_database(postgres_name)


async def empty_database(database: str) -> str:
    """Truncate every table of the open test database `database`; returns its URL."""
    connection = Tortoise.get_connection("default")
    if database.startswith("sqlite"):
        for table in TABLES:
            await connection.execute_script(f'DELETE FROM "{table}"')
        await connection.execute_script("DELETE FROM sqlite_sequence")
    else:
        await connection.execute_script(
            "TRUNCATE " + ", ".join(f'"{t}"' for t in TABLES) + " RESTART IDENTITY CASCADE"
        )
    return database


@pytest.fixture
async def db(database: str) -> str:
    """An empty database (every table truncated before the test); yields its URL."""
    return await empty_database(database)


TEST_SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"


@asynccontextmanager
async def app_client(
    database_url: str, env: dict[str, str] | None = None, peer: str = "127.0.0.1"
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on a fresh app over `database_url`, configured by `env` (settings
    variables), whose requests come from the address `peer`."""
    from gql.app import create_app
    from gql.settings import load_settings

    settings = load_settings(
        {
            "DATABASE_URL": database_url,
            "THREADPRESS_SECRET_KEY": TEST_SECRET_KEY,
            # Factories write behind the app's back, as another process would, so tests
            # that read, write with a factory and read again would see the first answer.
            # The response cache's own tests turn it on.
            "THREADPRESS_RESPONSE_CACHE": "off",
            # Scheduled posts, webhooks and retention run when a test calls them, not in the
            # background, where their queries would land in a test's statement count.
            "THREADPRESS_BACKGROUND_TASKS": "off",
            **(env or {}),
        }
    )
    app = create_app(settings, manage_database=False)
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))
    # The app's lifespan runs as under a server (the database itself stays the test's).
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as http,
    ):
        yield http


@pytest.fixture
async def client(db: str) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the real ASGI app over the test database."""
    async with app_client(db) as http:
        yield http


@dataclass
class SqlLog:
    """SQL statements Tortoise sent while recording."""

    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        """How many statements were sent."""
        return len(self.statements)


class _SqlHandler(logging.Handler):
    def __init__(self, log: SqlLog) -> None:
        super().__init__(logging.DEBUG)
        self.log = log

    def emit(self, record: logging.LogRecord) -> None:
        self.log.statements.append(record.getMessage())


@pytest.fixture
def sql_log() -> Iterator[SqlLog]:
    """Records every SQL statement the ORM sends during the test."""
    log = SqlLog()
    logger = logging.getLogger("tortoise.db_client")
    handler = _SqlHandler(log)
    previous = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        yield log
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


async def graphql(
    http: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """POST a GraphQL document (with `headers`, e.g. a token) and return the decoded JSON
    body (status must be 200), less the `extensions.cost` every answer carries."""
    # ASCII-escaped JSON (json.dumps' default), so tests can send what hostile clients do:
    # a lone surrogate travels as `\ud800`, which httpx's own UTF-8 encoder cannot write.
    response = await http.post(
        "/graphql",
        content=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return without_cost(body)


def without_cost(body: dict[str, Any]) -> dict[str, Any]:
    """`body` without its `extensions.cost`, which every answer carries (checked here)."""
    extensions = body.get("extensions")
    assert isinstance(extensions, dict), f"no extensions.cost in {body}"
    cost = extensions.pop("cost")
    assert set(cost) == {"requested", "limit"}, cost
    assert isinstance(cost["requested"], int)
    if not extensions:
        del body["extensions"]
    return body


def _skipped(config: pytest.Config) -> list[Any]:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    return list(reporter.stats.get("skipped", [])) if reporter is not None else []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI (`CI=true`) a skipped test fails the run: CI proves what a user gets, and a test
    that skipped proved nothing. (`require` already fails its own tests there; this catches
    every other way a test can skip.)"""
    if IN_CI and exitstatus == pytest.ExitCode.OK and _skipped(session.config):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Show the figures tests recorded with `record_property("report", ...)` (the load
    tests' requests, latencies and counts) at the end of the run, so CI output has them
    without `-s` or `-rA`."""
    reports = [
        str(value)
        for outcome in ("passed", "failed")
        for report in terminalreporter.stats.get(outcome, [])
        if getattr(report, "when", None) == "call"
        for name, value in getattr(report, "user_properties", [])
        if name == "report"
    ]
    if reports:
        terminalreporter.section("reports")
        for text in reports:
            terminalreporter.write_line(text)
    skipped = _skipped(terminalreporter.config)
    if IN_CI and skipped:
        terminalreporter.section("skipped in CI", red=True)
        terminalreporter.write_line(
            f"CI=true: {len(skipped)} test(s) skipped, and nothing may skip in CI: the run fails."
        )
