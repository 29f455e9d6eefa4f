"""Tortoise's SQLite client, with the page reads of `models.rows` run on the event loop's
own thread.

Tortoise reaches SQLite through aiosqlite: each statement goes to a worker thread through a
queue, and its rows come back through the event loop's wake-up pipe. For the small indexed
reads of a page (a thread level of a post page: ~0.2 ms in SQLite itself) the hand-over
costs more than the statement; under load the worker also waits for the GIL, which the busy
event loop holds, at each step. Measured with the server under wrk, a post page's 12 reads
cost 15% less CPU run here (26.0 -> 22.0 ms a page; bench/README.md has the ratios).

`read_inline` runs a read on a second connection to the same file, opened in the loop's
thread with `query_only` on, in autocommit: each statement reads the last committed state,
as the first connection's own reads do outside a transaction. In WAL mode (the default, see
`models.config.SQLITE_PRAGMAS`) such a reader never waits for the writer. It never waits at
all: its busy timeout is 0, and when it cannot read at once (another journal mode, a
checkpoint), or fails in any way, it answers None and the caller reads through Tortoise as
before, which waits and reports errors as configured. Inside a transaction Tortoise hands out
its transaction client, not this one, so a transaction still reads its own writes.

Only reads built from constants and ids (`models.rows`) come here: short, indexed, bounded by
a page. Everything else goes through aiosqlite, so a long statement never blocks the loop.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from tortoise.backends.sqlite.client import SqliteClient

from models.internals import sqlite_is_connected

IN_MEMORY = ":memory:"


class InlineReadSqliteClient(SqliteClient):
    """Tortoise's SQLite client, plus `read_inline` (see the module's doc)."""

    def __init__(self, file_path: str, **kwargs: Any) -> None:
        super().__init__(file_path, **kwargs)
        self._reader: sqlite3.Connection | None = None

    def _open_reader(self) -> sqlite3.Connection | None:
        """The loop thread's read-only connection, opened at first use; None for an
        in-memory database (a second connection would see another, empty database)."""
        if self.filename == IN_MEMORY or not sqlite_is_connected(self):
            return None
        reader = sqlite3.connect(self.filename, isolation_level=None)
        reader.execute("PRAGMA query_only = ON")
        reader.execute("PRAGMA busy_timeout = 0")
        self._reader = reader
        return reader

    def read_inline(self, query: str, values: Sequence[Any] | None = None) -> list[Any] | None:
        """The records (tuples) of the read `query`, run here and now; None when it cannot
        run at once, for the caller to read through `execute_query` instead."""
        reader = self._reader or self._open_reader()
        if reader is None:
            return None
        try:
            records = reader.execute(query, values or ()).fetchall()
        except sqlite3.Error:
            return None
        self.log.debug("%s: %s", query, values)  # logged as Tortoise logs its statements
        return records

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        await super().close()


client_class = InlineReadSqliteClient


__all__ = ["InlineReadSqliteClient", "client_class"]
