"""Rows of the hottest public reads, read with SQL written once and kept as named tuples
instead of model instances.

A post page reads a few hundred comments. Through the query builder each read costs more CPU
building its SQL than the database spends answering it, and every row then becomes a model
instance (field by field, through descriptors): together most of an uncached page. These
reads are fixed, so their SQL is written once here and their rows are plain tuples with the
column names the GraphQL types read (`row.id`, `row.author_name`...), converted exactly as
Tortoise converts them (`DatetimeField.to_python_value`).

They still go through Tortoise's connections (`Model._choose_db()`), so the read-replica
router, the open transaction of the task and the `tortoise.db_client` statement log all apply
as for any query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, Generic, NamedTuple, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.fields import DatetimeField
from tortoise.models import Model

from models.author import Author
from models.category import Category
from models.comment import Comment


class CommentRow(NamedTuple):
    """A public comment as the GraphQL `Comment` reads it (no email, address or agent)."""

    id: int
    post_id: int
    parent_id: int | None
    depth: int
    path: str
    author_name: str
    author_url: str | None
    content: str
    created_at: datetime


class AuthorRow(NamedTuple):
    """An author as the GraphQL `Author` reads it (no email)."""

    id: int
    slug: str
    name: str
    bio: str | None
    url: str | None


class CategoryRow(NamedTuple):
    """A category as the GraphQL `Category` reads it."""

    id: int
    slug: str
    name: str
    description: str | None
    parent_id: int | None


RowT = TypeVar("RowT", bound=tuple[Any, ...])


def integer_list(values: Iterable[int]) -> str:
    """`values` as SQL integer literals, for `IN (...)`: only integers read from the database
    or coerced by GraphQL reach it, so nothing a client wrote becomes SQL text."""
    return ", ".join(str(int(value)) for value in values)


class RowReader(Generic[RowT]):
    """Reads `row_type` rows from `model`'s table: its fields name the columns, in order."""

    def __init__(self, model: type[Model], row_type: Callable[..., RowT], fields: Sequence[str]):
        self.model = model
        self.make = row_type
        self.table = model._meta.db_table
        self.columns = ", ".join(f'"{self.table}"."{name}"' for name in fields)
        self._converters: list[tuple[int, Callable[[Any], Any]]] = []
        for position, name in enumerate(fields):
            field = model._meta.fields_map.get(name)
            if isinstance(field, DatetimeField):
                self._converters.append((position, field.to_python_value))

    def connection(self) -> BaseDBAsyncClient:
        """The connection Tortoise would read `model` through now."""
        return self.model._choose_db()

    def rows(self, records: Iterable[Any], offset: int = 0) -> list[RowT]:
        """Driver records (asyncpg's or sqlite3's), from column `offset` on, as rows."""
        make, converters = self.make, self._converters
        if not converters and not offset:
            return [make(*record) for record in records]
        found: list[RowT] = []
        for record in records:
            values = list(record[offset:]) if offset else list(record)
            for position, convert in converters:
                values[position] = convert(values[position])
            found.append(make(*values))
        return found

    async def select(self, where: str, *, order_by: str = "") -> list[RowT]:
        """Rows matching `where` (SQL built only from constants and `integer_list`)."""
        order = f" ORDER BY {order_by}" if order_by else ""
        _, records = await self.connection().execute_query(
            f'SELECT {self.columns} FROM "{self.table}" WHERE {where}{order}'  # noqa: S608
        )
        return self.rows(records)


COMMENTS: RowReader[CommentRow] = RowReader(Comment, CommentRow, CommentRow._fields)
AUTHORS: RowReader[AuthorRow] = RowReader(Author, AuthorRow, AuthorRow._fields)
CATEGORIES: RowReader[CategoryRow] = RowReader(Category, CategoryRow, CategoryRow._fields)


async def counts(model: type[Model], column: str, ids: Sequence[int], where: str) -> dict[int, int]:
    """How many rows of `model` each of `ids` has in `column`, among those matching `where`,
    in one GROUP BY."""
    if not ids:
        return {}
    table = model._meta.db_table
    _, records = await model._choose_db().execute_query(
        f'SELECT "{column}", COUNT(*) FROM "{table}" '  # noqa: S608
        f'WHERE "{column}" IN ({integer_list(ids)}) AND {where} GROUP BY "{column}"'
    )
    return {int(record[0]): int(record[1]) for record in records}


__all__ = [
    "AUTHORS",
    "CATEGORIES",
    "COMMENTS",
    "AuthorRow",
    "CategoryRow",
    "CommentRow",
    "RowReader",
    "counts",
    "integer_list",
]
