"""Opening, migrating and closing the database."""

from __future__ import annotations

from tortoise import Tortoise
from tortoise.migrations.api import migrate

from models.config import check_database_url, database_url, tortoise_config


async def open_database(url: str | None = None) -> None:
    """Connect Tortoise to `url`; the ORM state is global so every request task sees it."""
    check_database_url(url or database_url())
    await Tortoise.init(config=tortoise_config(url), _enable_global_fallback=True)


async def close_database() -> None:
    """Close every connection Tortoise opened."""
    await Tortoise.close_connections()


async def migrate_database(url: str | None = None) -> None:
    """Apply every committed migration that the database has not seen yet, then close the
    connections the migration opened (an open SQLite connection keeps the process alive)."""
    check_database_url(url or database_url())
    try:
        await migrate(config=tortoise_config(url))
    finally:
        await Tortoise.close_connections()
