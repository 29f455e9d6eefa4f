"""The published kinds of node: one declaration each of how its writes reach the change
log, webhooks and the response cache (see `gql.publishing.effects`).

A new content type adds its `Kind` here and states its writes with `Effects.node`; an
always-public slugged type with an archive page (a tag) is one `archive_kind(...)` line.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from tortoise.expressions import Q

import models
from gql.cache.dependencies import (
    AUTHORS,
    CATEGORIES,
    MEDIA,
    MENUS,
    POSTS,
    TAGS,
    author_tag,
    category_tag,
    invalidation_for_page,
    invalidation_for_post,
    media_tag,
    menu_tag,
    tag_tag,
)
from gql.publishing import change_log, webhooks
from gql.publishing.effects import Events, Kind


async def _public_comments(connection: Any, post: models.Post) -> list[tuple[str, int]]:
    """A post's public comments: they are in the public view exactly while it is."""
    return [("Comment", pk) for pk in await change_log.public_comment_ids(post.id, connection)]


def menus_showing(link_kind: str) -> Callable[[Any, Any], Awaitable[list[tuple[str, int]]]]:
    """`Kind.shown_in` of a kind menus link to: the menus with an item linking to the row.
    `link_kind` is the kind's `Link.kind` in `gql.menus.links` (what `MenuItem.link_kind`
    stores)."""

    async def menus(connection: Any, row: Any) -> list[tuple[str, int]]:
        menu_ids = await change_log.ids_of_menus_showing(link_kind, [row.id], connection)
        return [("Menu", pk) for pk in menu_ids]

    return menus


POST = Kind(
    typename="Post",
    tags=invalidation_for_post,
    events=Events(
        published="post.published",
        updated="post.updated",
        unpublished="post.unpublished",
        deleted="post.deleted",
    ),
    uris=webhooks.post_uris,
    is_public=change_log.is_public,
    dependents=_public_comments,
    scheduled=True,
    shown_in=menus_showing("post"),
)


PAGE = Kind(
    typename="Page",
    tags=invalidation_for_page,
    events=Events(
        published="page.published",
        updated="page.updated",
        unpublished="page.unpublished",
        deleted="page.deleted",
    ),
    uris=webhooks.page_uris,
    is_public=models.PUBLIC_PAGE_RULE.holds,
    scheduled=True,
    shown_in=menus_showing("page"),
)
"""Pages are published like posts (scheduled by date too), with no comments to go with
them."""


def archive_kind(
    typename: str,
    archive: str,
    node_tag: Callable[[int], str],
    list_tag: str,
    uri: Callable[[Any], str],
    shown_in: Callable[[Any, Any], Awaitable[list[tuple[str, int]]]] | None = None,
) -> Kind:
    """An always-public slugged node with an archive page listing posts at `uri(row)`: one
    event `<archive>.changed`. A change invalidates the node (`node_tag`), every list of its
    kind (`list_tag`) and lists of posts (they show it, and are filtered by it)."""

    def tags(pk: int) -> set[str]:
        return {node_tag(pk), list_tag, POSTS}

    async def uris(connection: Any, row: Any) -> list[str]:
        return [uri(row), "/"]

    if shown_in is None:
        return Kind(
            typename=typename, tags=tags, events=Events.changed(f"{archive}.changed"), uris=uris
        )
    return Kind(
        typename=typename,
        tags=tags,
        events=Events.changed(f"{archive}.changed"),
        uris=uris,
        shown_in=shown_in,
    )


AUTHOR = archive_kind(
    "Author",
    "author",
    author_tag,
    AUTHORS,
    lambda row: models.author_uri(row.slug),
    shown_in=menus_showing("author"),
)
CATEGORY = archive_kind(
    "Category",
    "category",
    category_tag,
    CATEGORIES,
    lambda row: row.uri,
    shown_in=menus_showing("category"),
)
TAG = archive_kind(
    "Tag",
    "tag",
    tag_tag,
    TAGS,
    lambda row: models.tag_uri(row.slug),
    shown_in=menus_showing("tag"),
)


def _media_tags(pk: int) -> set[str]:
    # Posts and authors that show it record `media:N` where they read it.
    return {media_tag(pk), MEDIA}


async def _media_uris(connection: Any, row: Any) -> list[str]:
    """The pages that show a media item: the public posts and pages it is the featured
    or SEO image of, the archives of the authors it is the avatar of."""
    shown = Q(featured_image_id=row.id) | Q(seo_image_id=row.id)
    posts = await (
        models.Post.filter(models.public_post_filter(), shown)
        .using_db(connection)
        .values_list("uri", flat=True)
    )
    posts += await (
        models.Page.filter(models.public_page_filter(), shown)
        .using_db(connection)
        .values_list("uri", flat=True)
    )
    authors = await (
        models.Author.filter(avatar_id=row.id).using_db(connection).values_list("slug", flat=True)
    )
    return [*map(str, posts), *(models.author_uri(str(slug)) for slug in authors)]


MEDIA_ITEM = Kind(
    typename="MediaItem",
    tags=_media_tags,
    events=Events(
        published="media.uploaded",
        updated="media.updated",
        unpublished="media.deleted",
        deleted="media.deleted",
    ),
    uris=_media_uris,
)
"""Media items are public from their upload (see `models.media`): an upload is an UPSERT,
an edit (alt text, caption, renditions made) an UPSERT, a delete a DELETE."""


async def _no_address(connection: Any, row: Any) -> list[str]:
    """A menu has no address: the site shows it on its pages (its webhook names it by id
    and by its cache tag, `menu:N`)."""
    return []


MENU = Kind(
    typename="Menu",
    tags=lambda pk: {menu_tag(pk), MENUS},
    events=Events.changed("menu.changed"),
    uris=_no_address,
)
"""Menus are always public; what their items show follows the linked nodes (`shown_in` of
the kinds above, and the cache tags a menu's answer records)."""
