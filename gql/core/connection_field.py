"""Connection fields written once: a field's `first`/`after`/`last`/`before` arguments, its
page and its `Connection`, for any source and any list.

Every list of the schema takes the same four arguments, described once in `gql.pagination`,
and answers them the same way: the arguments checked against the list's ordering, then one
page fetched and wrapped in a `Connection`. What differs is the ordering, how a page
of rows is fetched (a keyset query for a root list, a DataLoader for a relation), how the
whole list is counted and how a row becomes a node. `connection_field` takes those and makes
the Strawberry field, so a domain states what its list is and not again how lists page;
`relation_connection` (a page per parent through a loader, `Author.posts`) and
`listed_relation` (a whole list per parent, paged in memory, `Post.comments`) are its two
common shapes, and `gql.core.slugged` makes root lists with it.

The resolver made here has its annotations set from objects, not written in its signature:
the node type is the caller's (a class, or a `strawberry.lazy` annotation for a type that
imports this domain back), and `Info` is the strawberry class itself, because this floor lies
below `gql.context` (the body types `info` as our `Info` only for mypy).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import strawberry

from gql.pagination import (
    After,
    Before,
    Connection,
    First,
    Last,
    Ordering,
    Page,
    PageRequest,
    build_connection,
    known_total,
    page_in_memory,
    page_request,
)

if TYPE_CHECKING:
    from gql.context import Info
    from gql.core.dataloader import RequestLoader
    from gql.loaders import Loaders

SourceT = TypeVar("SourceT")
RowT = TypeVar("RowT")
NodeT = TypeVar("NodeT")


def connection_field(
    *,
    description: str,
    node: object,
    ordering: Ordering,
    fetch: Callable[[SourceT, Info, PageRequest], Awaitable[Page[RowT]]],
    count: Callable[[SourceT, Info], Awaitable[int]],
    from_row: Callable[[], Callable[[RowT], NodeT]],
    depends: Callable[[Info], None] | None = None,
) -> Any:
    """A field `(first, after, last, before): <node>Connection!` on the type it is assigned
    to. `fetch` gets the field's source (the object, or the root), the info and the checked
    page; `count` runs only when the client asks for `totalCount`; `from_row` gives the
    function that makes a node of a row, looked up as the field resolves (the node type's
    `from_row` as it is then, and `Post`'s only once it is loaded); `depends`, when given,
    records what the answer reads for the response cache before anything is checked."""

    async def answer(source: SourceT, info: Info, page: PageRequest) -> Connection[NodeT]:
        return build_connection(
            await fetch(source, info, page), ordering, from_row(), lambda: count(source, info)
        )

    return _page_field(description, node, ordering, answer, depends)


class _Keyed(Protocol):
    """A row: relations are loaded by its primary key."""

    @property
    def id(self) -> int: ...


class _Parent(Protocol):
    """A type built on a row (`Author`, `Category`): its relations are loaded by row id."""

    @property
    def row(self) -> _Keyed: ...


def relation_connection(
    *,
    description: str,
    node: object,
    ordering: Ordering,
    pages: Callable[[Loaders], RequestLoader[tuple[int, PageRequest], Page[RowT]]],
    count: Callable[[Loaders], RequestLoader[int, int]],
    from_row: Callable[[], Callable[[RowT], NodeT]],
) -> Any:
    """A connection field of a parent's relation, answered through the request's loaders:
    `pages` picks the loader of (parent id, page) -> page (one query for every parent of a
    level), `count` the loader of parent id -> size of the whole list."""

    def fetch(parent: _Parent, info: Info, page: PageRequest) -> Awaitable[Page[RowT]]:
        return pages(info.context.loaders).load((parent.row.id, page))

    def count_of(parent: _Parent, info: Info) -> Awaitable[int]:
        return count(info.context.loaders).load(parent.row.id)

    return connection_field(
        description=description,
        node=node,
        ordering=ordering,
        fetch=fetch,
        count=count_of,
        from_row=from_row,
    )


def listed_relation(
    *,
    description: str,
    node: object,
    ordering: Ordering,
    rows: Callable[[Loaders], RequestLoader[int, list[RowT]]],
    from_row: Callable[[], Callable[[RowT], NodeT]],
) -> Any:
    """A connection field of a parent's relation whose loader answers the whole list (parent
    id -> every row, in `ordering`): the page is cut from it in memory and its length is the
    `totalCount`, with no query of its own."""

    async def answer(parent: _Parent, info: Info, page: PageRequest) -> Connection[NodeT]:
        found = await rows(info.context.loaders).load(parent.row.id)
        return build_connection(
            page_in_memory(found, ordering, page), ordering, from_row(), known_total(len(found))
        )

    return _page_field(description, node, ordering, answer)


def _page_field(
    description: str,
    node: object,
    ordering: Ordering,
    answer: Callable[[Any, Info, PageRequest], Awaitable[Connection[NodeT]]],
    depends: Callable[[Info], None] | None = None,
) -> Any:
    """The Strawberry field: `depends` noted, its page arguments checked against `ordering`
    (before any query), then `answer` for its source and page."""

    async def resolve(
        self: object,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[NodeT]:
        if depends is not None:
            depends(info)
        return await answer(self, info, page_request(ordering, first, after, last, before))

    return strawberry.field(
        resolver=with_annotations(
            resolve,
            first=First,
            after=After,
            last=Last,
            before=Before,
            returns=_connection_of(node),
        ),
        description=description,
    )


def _connection_of(node: object) -> object:
    """`Connection[node]` for a node type known only at run time."""
    generic: Any = Connection
    return generic[node]


def with_annotations(
    resolver: Callable[..., Any], *, returns: object, **arguments: object
) -> Callable[..., Any]:
    """`resolver` with the annotations Strawberry reads replaced by these objects: `info` as
    Strawberry's `Info`, each named argument's (in the order of the signature) and the
    return type. Its signature's own annotations are for mypy and name types that this
    module cannot import at run time (see the module's docstring)."""
    resolver.__annotations__ = {"info": strawberry.Info, **arguments, "return": returns}
    return resolver
