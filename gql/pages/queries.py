"""Root fields that read pages: `page` and `pages`, and the lookup of a page by address
(its uri, an old uri, a WordPress `/?page_id=ID` shortlink) that `resolveUri` asks
(`gql.site.addresses`)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from tortoise.expressions import Q

import models
from gql.context import Info
from gql.core.addresses import Address, Found
from gql.core.ids import pk_of
from gql.core.orderings import PAGE_ORDERING
from gql.core.previews import opened_by
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


async def _page_at(info: Info, path: str) -> tuple[PageRow | None, bool]:
    """The page at `path`, and whether `path` is an old address of it."""
    loaders = info.context.loaders
    row = await loaders.readable_page("uri", path)
    if row is not None:
        return row, False
    redirect = await models.PageRedirect.get_or_none(old_uri=path)
    if redirect is None:
        return None, False
    return await loaders.readable_page("id", redirect.page_id), True


async def page_at_address(info: Info, address: Address) -> Found | None:
    """The page at `address`, and its address now (see `readable_at`)."""
    row = await readable_at(info, address)
    return Found(Page.from_row(row), row.uri) if row is not None else None


async def readable_at(info: Info, address: Address) -> PageRow | None:
    """The page at `address`: at its uri, an old uri of it, or its WordPress shortlink
    (`/?page_id=ID`, an imported page's WordPress id). Records what the answer depends on:
    the page found, or any page that may come to answer."""
    wp_id = address.shortlink_id("page_id")
    if wp_id is not None:
        row = await info.context.loaders.readable_page("wp_id", wp_id)
    elif address.shortlink:
        return None
    else:
        row, _moved = await _page_at(info, address.path)
    if row is None:
        info.context.depends.page_list()
        return None
    info.context.depends.pages([row.id])
    return row


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
        preview_token: Annotated[
            str | None,
            strawberry.argument(
                description="A token from `createPreviewLink`: the page it names is answered "
                "whatever its status (a draft's front-end preview)."
            ),
        ] = None,
    ) -> Page | None:
        if (id is None) == (uri is None):
            raise BadUserInputError("Pass exactly one of 'id' or 'uri'.")
        row: PageRow | None
        if preview_token is not None:
            previewed = await opened_by(
                info, preview_token, "Page", info.context.loaders.previewed_page, id=id, uri=uri
            )
            if previewed is not None:
                return Page.from_row(previewed)
        if id is not None:
            pk = pk_of(id, "Page")
            row = await info.context.loaders.page_by_id.load(pk) if pk is not None else None
        else:
            row = await readable_at(info, Address.parse(uri or ""))
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
