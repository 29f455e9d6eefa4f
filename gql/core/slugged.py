"""The root queries of a slugged entity, written once: one by global ID or by slug, and the
whole list.

Authors and categories (and the tags and pages to come) are read the same way: `author(id,
slug)` takes exactly one of the two, finds an id through the request's loader (batched
with every other read of the same kind) and a slug with one query; `authors(first, after,
last, before)` pages the whole table in its ordering. A domain declares a `Slugged` and
assigns its two fields; the arguments' descriptions name the noun, so the schema reads as
if each were written by hand.

Response-cache dependencies stay what each read meant: a row found is a dependency on that
row, a slug not found (any new row may come to answer it) and a list on the whole list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar

import strawberry
from tortoise.models import Model

from gql.core.addresses import Address, Found
from gql.core.connection_field import connection_field, with_annotations
from gql.core.ids import pk_of
from gql.errors import BadUserInputError, text_argument
from gql.pagination import Ordering, page_in_sql
from models.archive_redirect import ArchiveRedirect
from models.rows import RowReader

if TYPE_CHECKING:
    from gql.cache.dependencies import Dependencies
    from gql.context import Info
    from gql.core.dataloader import RequestLoader
    from gql.loaders import Loaders

ModelT = TypeVar("ModelT", bound=Model)

RowT = TypeVar("RowT", bound=tuple[Any, ...])
NodeT = TypeVar("NodeT")


@dataclass(frozen=True)
class Slugged(Generic[ModelT, RowT, NodeT]):
    """What the root queries of one slugged entity need: its names, its table, its type and
    where the request keeps its loader and cache dependencies."""

    type_name: str
    """The GraphQL type, as global IDs name it: `Author`."""
    noun: str
    """The entity in the arguments' descriptions: `author`."""
    model: type[ModelT]
    node: type[NodeT]
    rows: RowReader[RowT]
    """How its public rows are read (`models.rows`): the one shape its type takes."""
    from_row: Callable[[], Callable[[RowT], NodeT]]
    """The type's `from_row`, looked up when a field resolves (as `connection_field`'s)."""
    ordering: Ordering
    by_id: Callable[[Loaders], RequestLoader[int, RowT | None]]
    """The request's loader of rows by primary key."""
    rows_read: Callable[[Dependencies], Callable[[Iterable[int]], None]]
    """The cache dependency on rows read by id or shown."""
    list_read: Callable[[Dependencies], Callable[[], None]]
    """The cache dependency on the whole list (or a lookup any row may come to answer)."""
    archive: str
    """Where its archive pages sit: "/category/" (a row's own address ends in its slug)."""
    uri: Callable[[RowT], str]
    """A row's address: "/category/running/trail/"."""

    async def one(self, info: Info, id: str | None, slug: str | None) -> NodeT | None:
        """The row with global ID `id`, or with `slug`: exactly one of the two is given."""
        row = await self._row(info, id, slug)
        return self.from_row()(row) if row is not None else None

    async def at_address(self, info: Info, address: Address) -> Found | None:
        """The row whose archive page is at `address` (`resolveUri`): the slug is the path's
        last segment under `archive`, so a path nested differently than the row's address
        now finds it too, and redirects."""
        slug = address.in_archive(self.archive)
        if slug is None:
            return None
        row = await self._row(info, None, slug)
        if row is None:
            # An old address of one (its slug changed, or a category moved in the tree).
            redirect = await ArchiveRedirect.get_or_none(
                old_uri=address.path, typename=self.type_name
            )
            if redirect is not None:
                row = await self.by_id(info.context.loaders).load(redirect.target_id)
        return Found(self.from_row()(row), self.uri(row)) if row is not None else None

    async def _row(self, info: Info, id: str | None, slug: str | None) -> RowT | None:
        if (id is None) == (slug is None):
            raise BadUserInputError("Pass exactly one of 'id' or 'slug'.")
        row: RowT | None
        if id is not None:
            pk = pk_of(id, self.type_name)
            row = await self.by_id(info.context.loaders).load(pk) if pk is not None else None
        else:
            row = await self.rows.by("slug", text_argument(slug or "", "slug"))
            if row is not None:
                self.rows_read(info.context.depends)([self.rows.key_of(row)])
            else:
                self.list_read(info.context.depends)()
        return row

    def one_field(self, description: str) -> Any:
        """The field `<noun>(id, slug): <Type>`."""
        spec = self

        async def resolve(
            self: object, info: Info, id: str | None = None, slug: str | None = None
        ) -> NodeT | None:
            return await spec.one(info, id, slug)

        node: Any = self.node
        return strawberry.field(
            resolver=with_annotations(
                resolve,
                id=Annotated[
                    strawberry.ID | None,
                    strawberry.argument(description=f"The {self.noun}'s global ID."),
                ],
                slug=Annotated[
                    str | None, strawberry.argument(description=f"The {self.noun}'s slug.")
                ],
                returns=node | None,
            ),
            description=description,
        )

    def list_field(self, description: str) -> Any:
        """The field `<nouns>(first, after, last, before): <Type>Connection`: the whole
        table in `ordering`, one keyset query a page and a `COUNT` only for `totalCount`."""
        model, ordering, read = self.model, self.ordering, self.rows.read
        return connection_field(
            description=description,
            node=self.node,
            ordering=ordering,
            fetch=lambda _root, _info, page: page_in_sql(model.all(), ordering, page, read),
            count=lambda _root, _info: model.all().count(),
            from_row=self.from_row,
            depends=lambda info: self.list_read(info.context.depends)(),
        )
