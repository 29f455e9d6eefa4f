"""Root fields that read pages: `page` and `pages`, and the lookup of a page by address
(its uri, an old uri, a WordPress `/?page_id=ID` shortlink) that `resolveUri` asks."""

from __future__ import annotations

from typing import Annotated, Any, cast
from urllib.parse import parse_qs, urlsplit

import strawberry
from tortoise.expressions import Q

import models
from gql.context import Info
from gql.core.ids import pk_of
from gql.core.orderings import PAGE_ORDERING
from gql.errors import BadUserInputError, text_argument
from gql.pages.types import Page
from gql.pagination import (
    After,
    Before,
    Connection,
    First,
    Last,
    connection_from_query,
    page_request,
)
from models.rows import PAGES, PageRow

MAX_SEARCH_LENGTH = 200
"""As long as a posts search may be."""


@strawberry.input(description="Filters for `pages`; all given filters must hold.")
class PageWhere:
    parent_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only the children of this page."
    )
    top_level: bool | None = strawberry.field(
        default=None,
        description="true: only pages nested in none; false: only pages nested in another.",
    )
    search: str | None = strawberry.field(
        default=None,
        description=f"Words in the title or content (case-insensitive, at most "
        f"{MAX_SEARCH_LENGTH} characters).",
    )


def normalize_path(uri: str) -> str:
    """A site path as pages and posts store it: one leading and one trailing slash."""
    path = "/" + uri.strip().strip("/")
    return path if path == "/" else path + "/"


def shortlink_id(uri: str) -> int | None:
    """The WordPress post id of a `/?page_id=ID` shortlink (None for any other path)."""
    parts = urlsplit(uri.strip())
    if parts.path not in ("", "/") or not parts.query:
        return None
    values = parse_qs(parts.query).get("page_id", [])
    if len(values) != 1 or not values[0].isdigit() or len(values[0]) > 9:
        return None
    return int(values[0])


async def page_at(info: Info, uri: str) -> tuple[PageRow | None, bool]:
    """The page at `uri` (as a client wrote it), and whether `uri` is an old address of it:
    a uri it had while public, or the `/?page_id=ID` shortlink of an imported page. Records
    what the answer depends on: the page found, or any page that may come to answer."""
    loaders = info.context.loaders
    wp_id = shortlink_id(uri)
    row: PageRow | None
    if wp_id is not None:
        found = await models.Page.filter(wp_id=wp_id).first().values_list("id", flat=True)
        row = await loaders.readable_page("id", cast(int, found)) if found else None
        moved = True
    else:
        path = normalize_path(uri)
        row, moved = await loaders.readable_page("uri", path), False
        if row is None:
            redirect = await models.PageRedirect.get_or_none(old_uri=path)
            if redirect is not None:
                row, moved = await loaders.readable_page("id", redirect.page_id), True
    if row is not None:
        info.context.depends.pages([row.id])
    else:
        info.context.depends.page_list()
    return row, moved


def _where_filter(where: PageWhere | None) -> Q:
    if where is None:
        return Q()
    conditions: list[Q] = []
    if where.parent_id is not None:
        parent = pk_of(where.parent_id, "Page", argument="where")
        # An ID of another type has no children: a filter nothing matches.
        conditions.append(Q(parent_id=parent) if parent is not None else Q(id__in=[]))
    if where.top_level is not None:
        conditions.append(Q(parent_id__isnull=where.top_level))
    if where.search:
        if len(where.search) > MAX_SEARCH_LENGTH:
            raise BadUserInputError(
                f"'search' is limited to {MAX_SEARCH_LENGTH} characters.", argument="where"
            )
        for word in text_argument(where.search, "where").split():
            conditions.append(
                Q(Q(title__icontains=word), Q(content__icontains=word), join_type="OR")
            )
    return Q(*conditions) if conditions else Q()


@strawberry.type
class PageQueries:
    @strawberry.field(
        description="One published page, by exactly one of `id` or `uri`; null when there is "
        "none (an old uri answers too: `resolveUri` tells it moved)."
    )
    async def page(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID | None, strawberry.argument(description="The page's global ID.")
        ] = None,
        uri: Annotated[
            str | None,
            strawberry.argument(description='The page\'s path, like "/about/team/".'),
        ] = None,
    ) -> Page | None:
        if (id is None) == (uri is None):
            raise BadUserInputError("Pass exactly one of 'id' or 'uri'.")
        row: PageRow | None
        if id is not None:
            pk = pk_of(id, "Page")
            row = await info.context.loaders.page_by_id.load(pk) if pk is not None else None
        else:
            row, _moved = await page_at(info, text_argument(uri or "", "uri"))
        return Page.from_row(row) if row is not None else None

    @strawberry.field(description="Published pages, filtered, in `menuOrder`.")
    async def pages(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        where: Annotated[PageWhere | None, strawberry.argument(description="Filters.")] = None,
    ) -> Connection[Page]:
        page = page_request(PAGE_ORDERING, first, after, last, before)
        info.context.depends.page_list()
        query: Any = info.context.loaders.public_pages().filter(_where_filter(where))
        return await connection_from_query(query, PAGE_ORDERING, page, Page.from_row, PAGES.read)
