"""`GET /export.ndjson`: every public node, one JSON object a line, for a build's first
fetch (builder and editor tokens).

It streams in batches of a few hundred rows read by id, so memory stays flat however large
the site. The sync token is taken before the first row is read and is the last line
(`{"nextToken": ...}`): a build continues with `changes(since:)` and gets every change made
while the export ran (at worst a node twice, never one missed). A stream that ends without
that line was cut short and should be fetched again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from tortoise import timezone

import models
from gql.core.ids import to_global_id
from gql.core.permissions import Permission
from gql.core.tokens import Unauthenticated, viewer_of
from gql.loaders import Loaders, counts_by
from gql.menus.tree import public_trees
from gql.publishing.change_log import announce_all_due
from gql.site.changes_feed import encode_token
from gql.site.public_view import (
    author_fields,
    category_fields,
    comment_fields,
    digest,
    media_fields,
    menu_fields,
    page_fields,
    post_fields,
    tag_fields,
)
from models.rows import (
    AUTHORS,
    CATEGORIES,
    COMMENTS,
    MEDIA_ITEMS,
    MEDIA_SIZES,
    MENUS,
    PAGES,
    POSTS,
    TAGS,
    AuthorRow,
    CategoryRow,
    CommentRow,
    MediaItemRow,
    MenuRow,
    PageRow,
    PostRow,
    RowReader,
    TagRow,
)

BATCH = 500
NDJSON = "application/x-ndjson"


def _refusal(status: int, code: str, message: str) -> JSONResponse:
    headers = {"WWW-Authenticate": 'Bearer realm="threadpress"'} if status == 401 else None
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]},
        status_code=status,
        headers=headers,
    )


async def export_ndjson(request: Request) -> Response:
    """The export, or 401/403 as JSON for a request without a builder or editor token."""
    try:
        viewer = await viewer_of(request.headers.get("authorization"))
    except Unauthenticated as error:
        return _refusal(401, "UNAUTHENTICATED", error.message)
    if viewer is None:
        return _refusal(401, "UNAUTHENTICATED", "The export needs a builder or editor token.")
    if Permission.BULK_READ not in viewer.permissions:
        return _refusal(403, "FORBIDDEN", "The export needs a builder or editor token.")
    now = timezone.now()
    announced = await announce_all_due(now)
    cache = request.app.state.response_cache
    if announced and cache is not None:
        await cache.written(announced)
    last = await models.Change.all().order_by("-id").first()
    token = encode_token(last.id if last else 0)
    return StreamingResponse(
        _lines(now, token), media_type=NDJSON, headers={"Cache-Control": "private, no-store"}
    )


def _line(typename: str, pk: int, fields: dict[str, Any]) -> bytes:
    node = {"typename": typename, "id": to_global_id(typename, pk), "databaseId": pk, **fields}
    node["contentDigest"] = digest(fields)
    return orjson.dumps(node) + b"\n"


async def _batches(query: Any, reader: RowReader[Any]) -> AsyncIterator[list[Any]]:
    """`query`'s rows by id, a batch at a time (keyset: no offset, no long transaction)."""
    after = 0
    while True:
        rows = await reader.read(query.filter(id__gt=after).order_by("id").limit(BATCH))
        if not rows:
            return
        yield rows
        after = rows[-1].id


async def _lines(now: datetime, token: str) -> AsyncIterator[bytes]:
    public_comments = models.Comment.filter(models.PUBLIC_COMMENT_RULE.filter(now))
    public_posts = models.Post.filter(models.PUBLIC_POST_RULE.filter(now))
    # Menus read their linked nodes through the loaders, as `Menu.items` does.
    loaders = Loaders(now)

    async def menus(rows: list[MenuRow]) -> list[bytes]:
        trees = await public_trees(loaders, [row.id for row in rows])
        return [
            _line("Menu", row.id, menu_fields(row, tree))
            for row, tree in zip(rows, trees, strict=True)
        ]

    kinds: list[tuple[Any, RowReader[Any], Callable[[list[Any]], Awaitable[list[bytes]]]]] = [
        (models.Author.all(), AUTHORS, _authors),
        (models.Category.all(), CATEGORIES, _categories),
        (models.Tag.all(), TAGS, _tags),
        (models.MediaItem.all(), MEDIA_ITEMS, _media),
        (public_posts, POSTS, _posts),
        (models.Page.filter(models.PUBLIC_PAGE_RULE.filter(now)), PAGES, _pages),
        (public_comments, COMMENTS, _comments),
        (models.Menu.all(), MENUS, menus),
    ]
    for query, reader, render in kinds:
        async for rows in _batches(query, reader):
            for line in await render(rows):
                yield line
    yield orjson.dumps({"nextToken": token}) + b"\n"


async def _authors(rows: list[AuthorRow]) -> list[bytes]:
    return [_line("Author", row.id, author_fields(row)) for row in rows]


async def _categories(rows: list[CategoryRow]) -> list[bytes]:
    return [_line("Category", row.id, category_fields(row)) for row in rows]


async def _tags(rows: list[TagRow]) -> list[bytes]:
    return [_line("Tag", row.id, tag_fields(row)) for row in rows]


async def _filed_under(model: Any, ids: list[int]) -> dict[int, list[int]]:
    """The keys of the `model` rows (categories, tags) each post of `ids` is filed under."""
    pairs = await model.filter(posts__id__in=ids).values_list("posts__id", "id")
    found: dict[int, list[int]] = defaultdict(list)
    for post_id, pk in pairs:
        found[int(post_id)].append(int(pk))
    return found


async def _media(rows: list[MediaItemRow]) -> list[bytes]:
    sizes = await MEDIA_SIZES.read(
        models.MediaSize.filter(media_item_id__in=[row.id for row in rows]).order_by(
            "width", "name", "id"
        )
    )
    by_item: dict[int, list[Any]] = defaultdict(list)
    for size in sizes:
        by_item[size.media_item_id].append(size)
    return [_line("MediaItem", row.id, media_fields(row, by_item[row.id])) for row in rows]


async def _posts(rows: list[PostRow]) -> list[bytes]:
    ids = [row.id for row in rows]
    in_public_thread = models.IN_PUBLIC_THREAD_RULE.filter()
    counts = await counts_by(models.Comment.filter(in_public_thread, post_id__in=ids), "post_id")
    categories = await _filed_under(models.Category, ids)
    tags = await _filed_under(models.Tag, ids)
    return [
        _line(
            "Post",
            row.id,
            post_fields(row, counts.get(row.id, 0), categories[row.id], tags[row.id]),
        )
        for row in rows
    ]


async def _pages(rows: list[PageRow]) -> list[bytes]:
    return [_line("Page", row.id, page_fields(row)) for row in rows]


async def _comments(rows: list[CommentRow]) -> list[bytes]:
    ids = [row.id for row in rows]
    in_public_thread = models.IN_PUBLIC_THREAD_RULE.filter()
    replies = await counts_by(
        models.Comment.filter(in_public_thread, parent_id__in=ids), "parent_id"
    )
    return [_line("Comment", row.id, comment_fields(row, replies.get(row.id, 0))) for row in rows]
