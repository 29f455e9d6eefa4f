"""Root fields that read posts: `post` and `posts`."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from tortoise.expressions import Q

import models
from gql.context import Info
from gql.core.addresses import Address, Found
from gql.core.enums import OrderDirection
from gql.core.ids import pk_of
from gql.core.orderings import POST_ORDERINGS
from gql.core.previews import opened_by
from gql.errors import BadUserInputError, text_argument
from gql.pagination import (
    After,
    Before,
    Connection,
    First,
    Last,
    build_connection,
    connection_from_query,
    page_from_window,
    page_request,
)
from gql.posts.types import Post
from models.rows import POSTS, PostRow

MAX_SEARCH_LENGTH = 200


@strawberry.enum(description="What to sort posts by.")
class PostOrderField(Enum):
    PUBLISHED_AT = strawberry.enum_value(
        "PUBLISHED_AT", description="Publication date; posts without one sort last."
    )
    UPDATED_AT = strawberry.enum_value("UPDATED_AT", description="Last change.")
    TITLE = strawberry.enum_value("TITLE", description="Title, case-insensitively.")


@strawberry.input(description="How to sort posts. Ties always break by `databaseId`.")
class PostOrder:
    field: PostOrderField = strawberry.field(
        default=PostOrderField.PUBLISHED_AT, description="What to sort by."
    )
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.DESC, description="Which way."
    )


@strawberry.input(description="Filters for `posts`; all given filters must hold.")
class PostWhere:
    category_slug: str | None = strawberry.field(
        default=None, description="Only posts in the category with this slug."
    )
    author_slug: str | None = strawberry.field(
        default=None, description="Only posts by the author with this slug."
    )
    tag_slug: str | None = strawberry.field(
        default=None, description="Only posts with the tag with this slug."
    )
    sticky: bool | None = strawberry.field(
        default=None, description="Only sticky posts (true) or only the others (false)."
    )
    search: str | None = strawberry.field(
        default=None,
        description=f"Words in the title or content (case-insensitive, at most "
        f"{MAX_SEARCH_LENGTH} characters).",
    )
    published_after: datetime | None = strawberry.field(
        default=None, description="Only posts published strictly after this time."
    )
    published_before: datetime | None = strawberry.field(
        default=None, description="Only posts published strictly before this time."
    )
    updated_after: datetime | None = strawberry.field(
        default=None,
        description="Only posts changed strictly after this time: for incremental builds.",
    )


def _utc(moment: datetime, argument: str) -> datetime:
    """`moment` in UTC; times without an offset are read as UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise BadUserInputError(
            f"'{argument}' is outside the representable range.", argument="where"
        ) from None


def _where_filter(where: PostWhere | None) -> Q:
    if where is None:
        return Q()
    conditions: list[Q] = []
    if where.category_slug is not None:
        conditions.append(Q(categories__slug=text_argument(where.category_slug, "where")))
    if where.author_slug is not None:
        conditions.append(Q(author__slug=text_argument(where.author_slug, "where")))
    if where.tag_slug is not None:
        conditions.append(Q(tags__slug=text_argument(where.tag_slug, "where")))
    if where.sticky is not None:
        conditions.append(Q(sticky=where.sticky))
    if where.search:
        if len(where.search) > MAX_SEARCH_LENGTH:
            raise BadUserInputError(
                f"'search' is limited to {MAX_SEARCH_LENGTH} characters.", argument="where"
            )
        for word in text_argument(where.search, "where").split():
            conditions.append(
                Q(Q(title__icontains=word), Q(content__icontains=word), join_type="OR")
            )
    if where.published_after is not None:
        conditions.append(Q(published_at__gt=_utc(where.published_after, "publishedAfter")))
    if where.published_before is not None:
        conditions.append(Q(published_at__lt=_utc(where.published_before, "publishedBefore")))
    if where.updated_after is not None:
        conditions.append(Q(updated_at__gt=_utc(where.updated_after, "updatedAfter")))
    return Q(*conditions) if conditions else Q()


async def _post_at(info: Info, uri: str) -> tuple[PostRow | None, bool]:
    """The post at `uri`, and whether `uri` is an old address of it (its slug or date
    changed since)."""
    loaders = info.context.loaders
    row = await loaders.readable_post("uri", uri)
    if row is not None:
        return row, False
    redirect = await models.PostRedirect.get_or_none(old_uri=uri)
    if redirect is None:
        return None, False
    return await loaders.readable_post("id", redirect.post_id), True


async def post_at_address(info: Info, address: Address) -> Found | None:
    """The post at `address`: at its uri, an old uri of it, or its WordPress shortlink
    (`/?p=ID`, an imported post's WordPress id)."""
    wp_id = address.shortlink_id("p")
    if wp_id is not None:
        row = await info.context.loaders.readable_post("wp_id", wp_id)
    elif address.shortlink:
        return None
    else:
        row, _moved = await _post_at(info, address.path)
    if row is None:
        info.context.depends.post_list()
        return None
    info.context.depends.posts([row.id])
    return Found(Post.from_row(row), row.uri)


@strawberry.type
class PostQueries:
    @strawberry.field(
        description="One published post, by exactly one of `id`, `slug` or `uri`; null when "
        "there is none."
    )
    async def post(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID | None, strawberry.argument(description="The post's global ID.")
        ] = None,
        slug: Annotated[str | None, strawberry.argument(description="The post's slug.")] = None,
        uri: Annotated[
            str | None,
            strawberry.argument(description='The post\'s path, like "/2017/03/04/my-post/".'),
        ] = None,
        preview_token: Annotated[
            str | None,
            strawberry.argument(
                description="A token from `createPreviewLink`: the post it names is answered "
                "whatever its status (a draft's front-end preview)."
            ),
        ] = None,
    ) -> Post | None:
        given = [name for name, value in (("id", id), ("slug", slug), ("uri", uri)) if value]
        if len(given) != 1:
            raise BadUserInputError("Pass exactly one of 'id', 'slug' or 'uri'.")
        loaders = info.context.loaders
        row: PostRow | None
        if preview_token is not None:
            previewed = await opened_by(
                info,
                preview_token,
                "Post",
                loaders.previewed_post,
                id=id,
                slug=slug,
                uri=uri,
            )
            if previewed is not None:
                return Post.from_row(previewed)
        if id is not None:
            pk = pk_of(id, "Post")
            row = await loaders.post_by_id.load(pk) if pk is not None else None
        else:
            if slug is not None:
                row = await loaders.readable_post("slug", text_argument(slug, "slug"))
            else:
                assert uri is not None
                row, _moved = await _post_at(info, Address.parse(uri).path)
            # Found: it changes only when the post does. Not found: any post may come to
            # answer the slug or uri.
            if row is not None:
                info.context.depends.posts([row.id])
            else:
                info.context.depends.post_list()
        return Post.from_row(row) if row is not None else None

    @strawberry.field(description="Published posts, filtered and sorted (newest first by default).")
    async def posts(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        where: Annotated[PostWhere | None, strawberry.argument(description="Filters.")] = None,
        order_by: Annotated[
            PostOrder | None, strawberry.argument(description="Sort order.")
        ] = None,
    ) -> Connection[Post]:
        order = order_by or PostOrder()
        ordering = POST_ORDERINGS[(order.field.name, order.direction == OrderDirection.DESC)]
        page = page_request(ordering, first, after, last, before)
        loaders = info.context.loaders
        info.context.depends.post_list()
        if where is None:
            # A home page or a build's fetch: one fixed statement (see the loader), and the
            # query builder only if the client asks for `totalCount`.
            window = await loaders.public_posts_window(ordering, page)
            if window is not None:
                return build_connection(
                    page_from_window(window, page),
                    ordering,
                    Post.from_row,
                    lambda: loaders.public_posts().count(),
                )
        query: Any = loaders.public_posts().filter(_where_filter(where))
        return await connection_from_query(query, ordering, page, Post.from_row, POSTS.read)
