"""`Query.resolveUri`: what is at an address of the site, over every public type.

The lookups of the domains (`gql.core.addresses`) are asked in order: shortlinks and
archives (`/category/...`, `/tag/...`, `/author/...`) are recognised by their form without a
query; a plain path is a post's or a page's (or an old address of one). The first lookup
that finds a node answers: 200 at the node's own address, 301 with `redirectTo` at any
other (an old address, a shortlink, a category path nested differently), 404 when none
does.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

import strawberry

from gql.authors.queries import AUTHORS
from gql.categories.queries import CATEGORIES
from gql.context import Info
from gql.core.addresses import Address, Found
from gql.core.node import Node
from gql.pages.queries import page_at_address
from gql.posts.queries import post_at_address
from gql.tags.queries import TAGS

Lookup = Callable[[Info, Address], Awaitable[Found | None]]

LOOKUPS: tuple[Lookup, ...] = (
    CATEGORIES.at_address,
    TAGS.at_address,
    AUTHORS.at_address,
    post_at_address,
    page_at_address,
)
"""Every domain's lookup, most specific first: archives own their prefix, posts and pages
the rest (posts first: the most read; a path a post holds, now or before, is the post's)."""


@strawberry.type(description="What a path of the site is: a node, an old address, or nothing.")
class UriResolution:
    node: Node | None = strawberry.field(description="What is at the path (also after a redirect).")
    redirect_to: str | None = strawberry.field(
        description="The current address, when the path is an old one (send a 301)."
    )
    status_code: int = strawberry.field(description="200, 301 or 404, as a site would answer.")


async def resolve(info: Info, address: Address) -> UriResolution:
    """The answer for `address`: the first lookup that finds something decides."""
    for lookup in LOOKUPS:
        found = await lookup(info, address)
        if found is None:
            continue
        if found.uri == address.path and not address.shortlink:
            return UriResolution(node=found.node, redirect_to=None, status_code=200)
        return UriResolution(node=found.node, redirect_to=found.uri, status_code=301)
    return UriResolution(node=None, redirect_to=None, status_code=404)


@strawberry.type
class AddressQueries:
    @strawberry.field(
        description="What is at a path of the site: a post, page, category, tag or author at "
        "its address; one that moved from it, or a WordPress shortlink (`/?p=ID`, "
        "`/?page_id=ID`), with the current address and 301; or nothing (404)."
    )
    async def resolve_uri(
        self,
        info: Info,
        uri: Annotated[
            str, strawberry.argument(description='A path, like "/2017/03/04/x/" or "/?p=12".')
        ],
    ) -> UriResolution:
        return await resolve(info, Address.parse(uri))
