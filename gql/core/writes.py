"""Writes that read before they write, one at a time on SQLite.

SQLite has one writer at a time, and a transaction that starts by reading and then writes
fails with "database is locked" when another write got in between (a deferred transaction
cannot upgrade its lock). This process holds its SQLite writes to one at a time instead;
PostgreSQL locks rows and advisory keys itself, so nothing is held there.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from models.config import is_sqlite

_sqlite_writes = asyncio.Lock()


@asynccontextmanager
async def serialised_writes(database_url: str) -> AsyncIterator[None]:
    """Hold other writes of this process off while the block runs, on SQLite."""
    if not is_sqlite(database_url):
        yield
        return
    async with _sqlite_writes:
        yield
