"""Rows of the hottest public reads, read with SQL written once and kept as named tuples
instead of model instances.

A post page reads a few hundred comments. Through the query builder each read costs more CPU
building its SQL than the database spends answering it, and every row then becomes a model
instance (field by field, through descriptors): together most of an uncached page. These
reads are fixed, so their SQL is written once here and their rows are plain tuples with the
column names the GraphQL types read (`row.id`, `row.author_name`...), converted exactly as
Tortoise converts them (`DatetimeField.to_python_value`).

They still go through Tortoise's connections (`read_client_of`, models/internals.py), so the
read-replica router, the open transaction of the task and the `tortoise.db_client` statement
log all apply as for any query.

These rows are the one shape of every public read, so each GraphQL type reads one kind of
object: a read that needs the query builder's filters and joins (a filtered list, a page of
an author's posts) still answers rows (`RowReader.read`), and a write that holds a model
instance converts it once (`RowReader.row_of`). Which rows the public may read is decided by
the rules of `models.visibility`; `PUBLIC_POST`, `PUBLIC_PAGE` and `IN_PUBLIC_THREAD` are their
SQL text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Generic, NamedTuple, TypeVar, cast

from tortoise import timezone
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.fields import BooleanField, DatetimeField
from tortoise.models import Model
from tortoise.queryset import QuerySet

from models.author import Author
from models.category import Category
from models.comment import IN_PUBLIC_THREAD_RULE, Comment
from models.internals import field_of, parse_datetime, read_client_of, table_of
from models.media import MediaItem, MediaSize
from models.menu import Menu, MenuItem
from models.page import PUBLIC_PAGE_RULE, Page
from models.post import PUBLIC_POST_RULE, Post
from models.sqlite import InlineReadSqliteClient
from models.tag import Tag


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
    avatar_id: int | None


class CategoryRow(NamedTuple):
    """A category as the GraphQL `Category` reads it."""

    id: int
    slug: str
    name: str
    description: str | None
    parent_id: int | None
    uri: str


class TagRow(NamedTuple):
    """A tag as the GraphQL `Tag` reads it."""

    id: int
    slug: str
    name: str
    description: str | None


class MenuRow(NamedTuple):
    """A menu as the GraphQL `Menu` reads it."""

    id: int
    slug: str
    name: str
    location: str | None


class MenuItemRow(NamedTuple):
    """A menu item as the GraphQL `MenuItem` and the menu tree (`models.menu_tree`) read it."""

    id: int
    menu_id: int
    parent_id: int | None
    position: int
    label: str
    link_kind: str
    link_id: int | None
    url: str
    target: str | None


class PostRow(NamedTuple):
    """A post as the GraphQL `Post` and the post orderings read it (no password)."""

    id: int
    slug: str
    uri: str
    title: str
    title_key: str
    excerpt: str
    content: str
    status: str
    published_at: datetime | None
    updated_at: datetime
    comment_status: str
    author_id: int
    sticky: bool
    featured_image_id: int | None
    seo_title: str | None
    seo_description: str | None
    seo_canonical_url: str | None
    seo_no_index: bool
    seo_image_id: int | None


class PageRow(NamedTuple):
    """A page as the GraphQL `Page` and the page ordering read it (no password)."""

    id: int
    slug: str
    uri: str
    title: str
    excerpt: str
    content: str
    status: str
    published_at: datetime | None
    updated_at: datetime
    menu_order: int
    parent_id: int | None
    author_id: int
    featured_image_id: int | None
    seo_title: str | None
    seo_description: str | None
    seo_canonical_url: str | None
    seo_no_index: bool
    seo_image_id: int | None


class AddressRow(NamedTuple):
    """A public node's address as a sitemap lists it: its key, the column its address comes
    from (`uri`, or an author's `slug`), and when it last changed (read from any model with
    those columns: `RowReader(model, AddressRow, ("id", column, "updated_at"))`)."""

    id: int
    address: str
    updated_at: datetime


class MediaItemRow(NamedTuple):
    """A media item as the GraphQL `MediaItem` reads it."""

    id: int
    file_name: str
    mime_type: str
    file_size: int
    width: int | None
    height: int | None
    title: str
    alt_text: str
    caption: str | None
    uploaded_at: datetime
    updated_at: datetime


class MediaSizeRow(NamedTuple):
    """One rendition as the GraphQL `MediaSize` reads it."""

    id: int
    media_item_id: int
    name: str
    file_name: str
    width: int
    height: int
    mime_type: str


RowT = TypeVar("RowT", bound=tuple[Any, ...])


def integer_list(values: Iterable[int]) -> str:
    """`values` as SQL integer literals, for `IN (...)`: only integers read from the database
    or coerced by GraphQL reach it, so nothing a client wrote becomes SQL text."""
    return ", ".join(str(int(value)) for value in values)


def datetime_converter(field: DatetimeField[Any]) -> Callable[[Any], Any]:
    """`field.to_python_value` with Tortoise's time-zone settings read once, not for every
    value (it reads the environment each time): an aware datetime, as PostgreSQL's driver
    returns it or as SQLite's text parses (with Tortoise's own parser: ciso8601's), goes
    straight to the default time zone, as Tortoise would take it; any other value takes
    Tortoise's own path."""
    to_python_value = field.to_python_value
    if not timezone.get_use_tz():
        return to_python_value
    zone = timezone.get_default_timezone()

    def convert(value: Any) -> Any:
        if value.__class__ is datetime and value.tzinfo is UTC:  # asyncpg's (no call needed)
            return value.astimezone(zone)
        if value.__class__ is str:  # SQLite keeps datetimes as text
            value = parse_datetime(value)
        if type(value) is datetime and value.utcoffset() is not None:
            return value.astimezone(zone)
        return to_python_value(value)

    return convert


class RowReader(Generic[RowT]):
    """Reads `row_type` rows from `model`'s table: its fields name the columns, in order."""

    def __init__(self, model: type[Model], row_type: type[RowT], fields: Sequence[str]):
        self.model = model
        # A named tuple's `_make` takes the values as one iterable, with no Python `__new__`
        # in between: 30% less per row than `row_type(*values)`.
        self.make: Callable[[Iterable[Any]], RowT] = cast(Any, row_type)._make
        self.table = table_of(model)
        self.fields = tuple(fields)
        self._id_position = self.fields.index("id")
        self.columns = ", ".join(f'"{self.table}"."{name}"' for name in fields)
        self._datetimes: list[tuple[int, DatetimeField[Any]]] = []
        self._booleans: list[int] = []  # SQLite answers 0 and 1 where Tortoise gives bools
        for position, name in enumerate(fields):
            field = field_of(model, name)
            if isinstance(field, DatetimeField):
                self._datetimes.append((position, field))
            elif isinstance(field, BooleanField):
                self._booleans.append(position)

    def key_of(self, row: RowT) -> int:
        """The primary key of `row` (its `id` column)."""
        key: int = row[self._id_position]
        return key

    def row_of(self, instance: Model) -> RowT:
        """The row of a model instance a write holds (its authoring path's boundary: the
        GraphQL types read rows only)."""
        return self.make(getattr(instance, name) for name in self.fields)

    async def read(self, query: QuerySet[Any]) -> list[RowT]:
        """The rows of a query-builder `query` of `model` (its filters, joins, order and
        limit: for the reads a fixed SQL text cannot cover), in one statement as awaiting it
        would run, without making a model instance per row. Enum columns come as Tortoise
        converts them (the enum members, equal to the strings fixed SQL reads give)."""
        return list(map(self.make, await query.values_list(*self.fields)))

    async def by(self, column: str, value: Any) -> RowT | None:
        """The row whose `column` (a unique column of the row) is `value`."""
        if column not in self.fields:
            raise ValueError(f"{column!r} is not a column of {self.table} rows")
        rows = await self.select(f'"{column}" = {{0}}', [value], limit=1)
        return rows[0] if rows else None

    def connection(self) -> BaseDBAsyncClient:
        """The connection Tortoise would read `model` through now."""
        return read_client_of(self.model)

    def rows(self, records: Iterable[Any], offset: int = 0) -> list[RowT]:
        """Driver records (asyncpg's or sqlite3's), from column `offset` on, as rows."""
        make = self.make
        converters: list[tuple[int, Callable[[Any], Any]]] = [
            (position, datetime_converter(field)) for position, field in self._datetimes
        ]
        converters += [(position, _boolean) for position in self._booleans]
        if not converters and not offset:
            return list(map(make, records))
        if len(converters) == 1 and not offset:  # a comment's created_at: no copy per row
            ((at, convert),) = converters
            return [make((*r[:at], convert(r[at]), *r[at + 1 :])) for r in records]
        found: list[RowT] = []
        for record in records:
            values = list(record[offset:]) if offset else list(record)
            for position, convert in converters:
                values[position] = convert(values[position])
            found.append(make(values))
        return found

    async def select(
        self,
        where: str,
        values: Sequence[Any] = (),
        *,
        order_by: str = "",
        limit: int | None = None,
        offset: int = 0,
    ) -> list[RowT]:
        """Rows matching `where`: SQL built only from constants and `integer_list`, with
        `{0}`, `{1}`... where `values` go (see `bind`)."""
        connection = self.connection()
        where, bound = bind(connection, where, values)
        order = f" ORDER BY {order_by}" if order_by else ""
        limited = f" LIMIT {int(limit)}" if limit is not None else ""
        skipped = f" OFFSET {int(offset)}" if offset else ""
        records = await fetch(
            connection,
            f'SELECT {self.columns} FROM "{self.table}" WHERE {where}{order}{limited}{skipped}',  # noqa: S608
            bound or None,
        )
        return self.rows(records)

    async def chunks(
        self, where: str, values: Sequence[Any] = (), *, size: int, skip: int = 0
    ) -> list[tuple[int, datetime]]:
        """The rows matching `where` in id order, cut into chunks of `size` (the first one
        `skip` rows shorter), as (rows in the chunk, latest `updated_at`) per chunk: one
        statement however many rows (a sitemap index)."""
        connection = self.connection()
        where, bound = bind(connection, where, values)
        numbered = (
            f'SELECT "updated_at", ROW_NUMBER() OVER (ORDER BY "id") + {int(skip)} - 1 AS "n" '  # noqa: S608
            f'FROM "{self.table}" WHERE {where}'
        )
        records = await fetch(
            connection,
            f'SELECT "n" / {int(size)} AS "chunk", COUNT(*), MAX("updated_at") '  # noqa: S608
            f'FROM ({numbered}) AS "numbered" GROUP BY "n" / {int(size)} ORDER BY "chunk"',
            bound or None,
        )
        field = field_of(self.model, "updated_at")
        assert isinstance(field, DatetimeField), f"{self.table} has no updated_at"
        convert = datetime_converter(field)
        return [(int(record[1]), convert(record[2])) for record in records]


def _boolean(value: Any) -> Any:
    """A boolean column's value as Tortoise gives it (None stays None)."""
    return None if value is None else bool(value)


async def fetch(
    connection: BaseDBAsyncClient, query: str, values: Sequence[Any] | None = None
) -> Sequence[Any]:
    """The records of the read `query` (SQL of this module's kind: constants and ids, short
    and indexed). On SQLite it runs on the event loop's thread when it can (see
    `models.sqlite`); otherwise, and on other databases, through Tortoise's client."""
    if isinstance(connection, InlineReadSqliteClient):
        read_here = connection.read_inline(query, values)
        if read_here is not None:
            return read_here
    _, records = await connection.execute_query(query, list(values) if values else None)
    return records


_MARKER = re.compile(r"\{(\d+)\}")


def bind(connection: BaseDBAsyncClient, sql: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
    """`sql` with its `{n}` markers as the driver's parameters, and the values to send:
    asyncpg numbers them (`$1`...), sqlite3 takes `?` in the order they appear."""
    if not values:  # no markers to look for (a thread level's SQL is a long list of ids)
        return sql, []
    if connection.capabilities.dialect == "postgres":
        return _MARKER.sub(lambda marker: f"${int(marker.group(1)) + 1}", sql), list(values)
    order = [int(marker.group(1)) for marker in _MARKER.finditer(sql)]
    return _MARKER.sub("?", sql), [values[n] for n in order]


PUBLIC_POST = PUBLIC_POST_RULE.sql()
"""`PUBLIC_POST_RULE` in SQL, the rule `models.public_post_filter` also reads: `{0}` is the
request's time, bound through `moment`."""

PUBLIC_PAGE = PUBLIC_PAGE_RULE.sql()
"""`PUBLIC_PAGE_RULE` in SQL: `{0}` is the request's time, bound through `moment` (the
page's date column converts as the post's does)."""

IN_PUBLIC_THREAD = IN_PUBLIC_THREAD_RULE.sql()
"""`IN_PUBLIC_THREAD_RULE` in SQL (`"is_public"`): for comments of posts or parents already
read as public."""


def moment(value: datetime) -> Any:
    """`value` as Tortoise binds it in `PUBLIC_POST`'s date comparison."""
    return PUBLIC_POST_RULE.clock_value(value)


def post_column_value(column: str, value: Any) -> Any:
    """`value` as Tortoise binds it in a comparison with the post column `column`."""
    field = field_of(Post, column)
    assert field is not None, f"posts have no column {column!r}"
    return field.to_db_value(value, Post)


POSTS: RowReader[PostRow] = RowReader(Post, PostRow, PostRow._fields)
COMMENTS: RowReader[CommentRow] = RowReader(Comment, CommentRow, CommentRow._fields)
AUTHORS: RowReader[AuthorRow] = RowReader(Author, AuthorRow, AuthorRow._fields)
CATEGORIES: RowReader[CategoryRow] = RowReader(Category, CategoryRow, CategoryRow._fields)
TAGS: RowReader[TagRow] = RowReader(Tag, TagRow, TagRow._fields)
PAGES: RowReader[PageRow] = RowReader(Page, PageRow, PageRow._fields)
MEDIA_ITEMS: RowReader[MediaItemRow] = RowReader(MediaItem, MediaItemRow, MediaItemRow._fields)
MEDIA_SIZES: RowReader[MediaSizeRow] = RowReader(MediaSize, MediaSizeRow, MediaSizeRow._fields)
MENUS: RowReader[MenuRow] = RowReader(Menu, MenuRow, MenuRow._fields)
MENU_ITEMS: RowReader[MenuItemRow] = RowReader(MenuItem, MenuItemRow, MenuItemRow._fields)


async def counts(model: type[Model], column: str, ids: Sequence[int], where: str) -> dict[int, int]:
    """How many rows of `model` each of `ids` has in `column`, among those matching `where`,
    in one GROUP BY."""
    if not ids:
        return {}
    table = table_of(model)
    records = await fetch(
        read_client_of(model),
        f'SELECT "{column}", COUNT(*) FROM "{table}" '  # noqa: S608
        f'WHERE "{column}" IN ({integer_list(ids)}) AND {where} GROUP BY "{column}"',
    )
    return {int(record[0]): int(record[1]) for record in records}


__all__ = [
    "AUTHORS",
    "CATEGORIES",
    "COMMENTS",
    "IN_PUBLIC_THREAD",
    "MEDIA_ITEMS",
    "MEDIA_SIZES",
    "MENUS",
    "MENU_ITEMS",
    "PAGES",
    "POSTS",
    "PUBLIC_PAGE",
    "PUBLIC_POST",
    "TAGS",
    "AddressRow",
    "AuthorRow",
    "CategoryRow",
    "CommentRow",
    "MediaItemRow",
    "MediaSizeRow",
    "MenuItemRow",
    "MenuRow",
    "PageRow",
    "PostRow",
    "RowReader",
    "TagRow",
    "bind",
    "counts",
    "fetch",
    "integer_list",
    "moment",
    "post_column_value",
]
