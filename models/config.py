"""Database configuration, read from the environment only.

`DATABASE_URL` takes Tortoise's URL forms: `sqlite:///absolute/path.sqlite3`,
`sqlite://relative.sqlite3`, `postgres://user@host:5432/db`. Default: a SQLite file in the
working directory. `DATABASE_REPLICA_URL` (optional, PostgreSQL only) names a streaming
replica of that database for public reads (see `models.database.read_connection`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from tortoise.backends.base.config_generator import expand_db_url

DEFAULT_DATABASE_URL = "sqlite://threadpress.sqlite3"

MODEL_MODULES = [
    "models.author",
    "models.category",
    "models.tag",
    "models.post",
    "models.comment",
    "models.api_token",
    "models.post_redirect",
    "models.page",
    "models.page_redirect",
    "models.archive_redirect",
    "models.audit",
    "models.change",
    "models.webhook",
    "models.media",
    "models.menu",
]

# WAL lets readers run beside the writer; a busy timeout makes a second writer wait instead of
# failing at once with "database is locked"; synchronous=FULL makes a commit durable.
SQLITE_PRAGMAS = {
    "journal_mode": "WAL",
    "busy_timeout": "5000",
    "synchronous": "FULL",
    "foreign_keys": "ON",
}


def database_url(env: Mapping[str, str] | None = None) -> str:
    """The configured database URL, with SQLite's durability pragmas filled in."""
    env = os.environ if env is None else env
    return with_sqlite_pragmas(env.get("DATABASE_URL") or DEFAULT_DATABASE_URL)


def with_sqlite_pragmas(url: str) -> str:
    """Add the SQLite pragmas this project relies on, keeping any the URL sets itself.

    Only the query string is touched: re-assembling the URL with urllib would turn
    `sqlite:////abs/path` into a relative path.
    """
    if not url.startswith("sqlite://") or url.startswith("sqlite://:memory:"):
        return url
    base, _, query_string = url.partition("?")
    query = dict(parse_qsl(query_string))
    for pragma, value in SQLITE_PRAGMAS.items():
        query.setdefault(pragma, value)
    return f"{base}?{urlencode(query)}"


class DatabaseConfigError(ValueError):
    """`DATABASE_URL` names a database that cannot be opened."""


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names (None for other databases and in-memory SQLite)."""
    if not url.startswith("sqlite://") or url.startswith("sqlite://:memory:"):
        return None
    return Path(url.removeprefix("sqlite://").partition("?")[0])


def check_database_url(url: str) -> None:
    """Fail fast with a clear message where the database could not be opened (SQLite in a
    folder that does not exist makes the driver wait forever instead of failing)."""
    path = sqlite_file(url)
    if path is not None and not path.parent.is_dir():
        raise DatabaseConfigError(
            f"DATABASE_URL: the folder {str(path.parent)!r} of the SQLite file does not exist "
            "(use sqlite:///absolute/path.sqlite3 or sqlite://relative.sqlite3)"
        )


def is_sqlite(url: str) -> bool:
    """Whether `url` names a SQLite database."""
    return urlsplit(url).scheme == "sqlite"


def is_postgres(url: str) -> bool:
    """Whether `url` names a PostgreSQL database."""
    return urlsplit(url).scheme in ("postgres", "postgresql", "asyncpg", "psycopg")


def asyncpg_dsn(url: str) -> str:
    """A PostgreSQL URL of ours as asyncpg's own connect() takes it (its scheme, no
    Tortoise pool parameters)."""
    _scheme, separator, rest = url.partition("://")
    return "postgresql" + separator + rest.partition("?")[0]


def replica_url(env: Mapping[str, str] | None = None) -> str | None:
    """The configured read replica's URL, if any (checked by `gql.settings`)."""
    env = os.environ if env is None else env
    return env.get("DATABASE_REPLICA_URL", "").strip() or None


PRIMARY = "default"
"""The connection every write, and every read that is not a public one, goes to."""
REPLICA = "replica"
"""The read replica's connection (present only when `DATABASE_REPLICA_URL` is set)."""


def _connection(url: str) -> str | dict[str, Any]:
    """Tortoise's description of the connection at `url`: PostgreSQL through our pooled
    client (`models.postgres`: no session reset per query), SQLite through ours that reads
    pages on the event loop's thread (`models.sqlite`), anything else as Tortoise reads the
    URL."""
    engine = "models.postgres" if is_postgres(url) else "models.sqlite" if is_sqlite(url) else None
    if engine is None:
        return url
    described: dict[str, Any] = expand_db_url(url)
    described["engine"] = engine
    return described


def tortoise_config(url: str | None = None, replica: str | None = None) -> dict[str, Any]:
    """The Tortoise configuration for `url` (default: `database_url()`), with a second
    connection and the router that picks it for public reads when `replica` is given."""
    connections: dict[str, Any] = {PRIMARY: _connection(url or database_url())}
    if replica:
        connections[REPLICA] = _connection(replica)
    config: dict[str, Any] = {
        "connections": connections,
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": PRIMARY,
                "migrations": "models.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }
    if replica:
        # Without a replica no router runs at all: not one call more per query.
        config["routers"] = ["models.database.ReadRouter"]
    return config


TORTOISE_ORM = tortoise_config()
"""Read by the `tortoise` migration CLI (see `[tool.tortoise]` in pyproject.toml)."""
