"""One pooled database connection per query operation, instead of one per SQL statement.

A post page runs a dozen statements; taking a connection from the pool and giving it back
for each costs more CPU than some of the statements themselves. A query (read) operation now
runs its statements on one connection per database client, taken at its first statement and
returned when the operation ends (`models.postgres.one_connection_each`). Mutations and
subscriptions are left as they are: they take what their transactions need.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from strawberry.extensions import SchemaExtension

from gql.core.operation_kind import runs_a_query
from models.postgres import one_connection_each


class OneConnectionPerQuery(SchemaExtension):
    """Runs a query operation's SQL on one pooled connection per database client."""

    async def on_execute(self) -> AsyncIterator[None]:
        if not runs_a_query(self.execution_context):
            yield
            return
        async with one_connection_each():
            yield
