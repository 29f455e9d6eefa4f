"""Every private name of Tortoise ORM that Threadpress uses, each behind one small name of ours.

A Tortoise upgrade can move or drop any of these without notice: this module is where to
look first (and tests/test_library_internals.py, which touches each one and names Tortoise's
version when one is gone). Each name's doc says what it is for and which public API would
replace it, or that none exists yet. Strawberry's, graphql-core's and asyncio's live in
gql/engine/internals.py; nothing else may use a private library name (the same test greps).

This module imports nothing of Threadpress's.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from tortoise.backends.asyncpg.client import AsyncpgDBClient
from tortoise.backends.base.client import BaseDBAsyncClient, TransactionContext
from tortoise.backends.sqlite.client import SqliteClient
from tortoise.fields import Field

# The parser Tortoise picked for SQLite's datetime text (ciso8601's when installed, else
# iso8601's), so rows read without Tortoise convert as Tortoise does. Not exported by
# `tortoise.fields.data`'s `__all__`. Public replacement: `DatetimeField.to_python_value`
# (slower: it reads the time-zone settings from the environment for every value).
from tortoise.fields.data import (  # type: ignore[attr-defined]
    parse_datetime as parse_datetime,
)
from tortoise.fields.relational import ManyToManyFieldInstance
from tortoise.models import MetaInfo, Model

# --- models -------------------------------------------------------------------------------


def meta_of(model: type[Model]) -> MetaInfo:
    """`model`'s `_meta`: its table, columns, fields and relations as Tortoise keeps them.
    Public replacement: `Model.describe()` (dictionaries built on each call, no field
    objects)."""
    return model._meta


def table_of(model: type[Model]) -> str:
    """The name of `model`'s table (`_meta.db_table`). Public replacement:
    `Model.describe()["table"]`."""
    return model._meta.db_table


def field_of(model: type[Model], name: str) -> Field[Any] | None:
    """`model`'s field object named `name`, None when it has none (`_meta.fields_map`), for
    converting values as Tortoise does (`to_db_value`, `to_python_value`). Public
    replacement: none (`describe()` gives no field objects)."""
    found: Field[Any] | None = model._meta.fields_map.get(name)
    return found


def read_client_of(model: type[Model]) -> BaseDBAsyncClient:
    """The connection Tortoise would read `model` through now (`Model._choose_db()`): the
    task's open transaction, else the read-replica router's choice, else the model's
    connection. Public replacement: none (`tortoise.connections.get(name)` skips the router
    and the transaction)."""
    return model._choose_db()


def is_generated_side(relation: ManyToManyFieldInstance[Any]) -> bool:
    """Whether a many-to-many field is the mirror Tortoise generated on the other model
    (`_generated`), not the side the model declared. Public replacement: `describe()`'s
    `"_generated"` key (private-named there too)."""
    return bool(relation._generated)


# --- clients ------------------------------------------------------------------------------


def pool_of(client: BaseDBAsyncClient) -> asyncpg.Pool | None:
    """The asyncpg pool of a PostgreSQL client (`_pool`), None before its first query and
    for clients without one (SQLite). Public replacement: none (`acquire_connection()`
    wraps one connection at a time)."""
    return getattr(client, "_pool", None)


def pool_init_lock(client: AsyncpgDBClient) -> asyncio.Lock:
    """The lock under which a pooled client creates its pool on first use
    (`_pool_init_lock`), which a `PoolConnectionWrapper` of our own must share. Public
    replacement: none."""
    lock: asyncio.Lock = client._pool_init_lock
    return lock


def sqlite_is_connected(client: SqliteClient) -> bool:
    """Whether Tortoise's SQLite client has opened its connection (`_connection`). Public
    replacement: none."""
    return client._connection is not None


class TransactionHookedAsyncpgClient(AsyncpgDBClient):
    """Tortoise's asyncpg client, whose transactions start through `wrap_transaction` (the
    private `_in_transaction`, which `in_transaction()` calls, has no public hook). Public
    replacement: none yet."""

    def wrap_transaction(self, transaction: TransactionContext) -> TransactionContext:
        """What `in_transaction()` enters: `transaction` (Tortoise's) by default."""
        return transaction

    def _in_transaction(self) -> TransactionContext:
        return self.wrap_transaction(super()._in_transaction())


__all__ = [
    "TransactionHookedAsyncpgClient",
    "field_of",
    "is_generated_side",
    "meta_of",
    "parse_datetime",
    "pool_init_lock",
    "pool_of",
    "read_client_of",
    "sqlite_is_connected",
    "table_of",
]
