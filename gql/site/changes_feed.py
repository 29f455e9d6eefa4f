"""`Query.changes`: the public view as it changes, for static-site builds.

A build stores `nextToken` and asks again with it: it gets exactly the changes committed in
between, in commit order, none missed and none twice (the log is appended in commit order,
see `gql.publishing.change_log`). Within one page, several changes of one node come as one
entry, its latest. Each entry carries a digest of the node as the public API shows it, so a
build that sees an UPSERT of a node it already has can tell whether anything it renders
changed.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

import models
from gql.authors.types import Author
from gql.categories.types import Category
from gql.comments.types import Comment
from gql.context import Context, Info
from gql.core.ids import to_global_id
from gql.core.node import Node
from gql.core.permissions import Permission, require
from gql.errors import BadUserInputError
from gql.media.types import MediaItem
from gql.menus.tree import public_trees
from gql.menus.types import Menu
from gql.pages.types import Page
from gql.posts.types import Post
from gql.publishing.change_log import announce_all_due
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
from gql.tags.types import Tag
from models.rows import AUTHORS, CATEGORIES, COMMENTS, MEDIA_ITEMS, MENUS, PAGES, POSTS, TAGS

DEFAULT_FEED_PAGE = 100
MAX_FEED_PAGE = 1000
SYNC_TOKEN_PREFIX = "changes:"  # noqa: S105 (a label inside sync tokens, not a secret)


@strawberry.enum(name="ChangeKind", description="What happened to a node in the public view.")
class ChangeKindType(Enum):
    UPSERT = strawberry.enum_value("UPSERT", description="It became public, or changed.")
    DELETE = strawberry.enum_value("DELETE", description="It is no longer public.")


@strawberry.type(name="Change", description="One node's change in the public view.")
class ChangeEntry:
    kind: ChangeKindType = strawberry.field(description="What happened.")
    node: Node | None = strawberry.field(
        description="The node as it is now (null after a DELETE, or if a later change removed it)."
    )
    id: strawberry.ID = strawberry.field(description="The node's global ID.")
    typename: str = strawberry.field(description="The node's type: Post, Comment, Author...")
    content_digest: str | None = strawberry.field(
        description="SHA-256 of the node's public fields and counts (null when not public)."
    )
    changed_at: datetime = strawberry.field(description="When the change was committed.")


@strawberry.type(description="A page of the change log.")
class ChangeFeed:
    entries: list[ChangeEntry] = strawberry.field(description="Oldest first.")
    next_token: str = strawberry.field(description="Pass as `since` to continue from here.")
    has_more: bool = strawberry.field(description="Whether more changes follow right away.")


def encode_token(change_id: int) -> str:
    """The sync token after the change `change_id`."""
    return base64.urlsafe_b64encode(f"{SYNC_TOKEN_PREFIX}{change_id}".encode()).decode()


def _decode_token(token: str | None) -> int:
    if token is None:
        return 0
    error = BadUserInputError("Argument 'since' is not a valid sync token.", argument="since")
    try:
        decoded = base64.urlsafe_b64decode(token.encode("ascii")).decode("ascii")
    except (ValueError, UnicodeError, binascii.Error):
        raise error from None
    if not decoded.startswith(SYNC_TOKEN_PREFIX) or not decoded[len(SYNC_TOKEN_PREFIX) :].isdigit():
        raise error
    value = int(decoded[len(SYNC_TOKEN_PREFIX) :])
    if value > 2**62:
        raise error
    return value


async def _public_nodes(
    context: Context, wanted: dict[str, set[int]]
) -> dict[tuple[str, int], tuple[Node, str]]:
    """The public nodes among `wanted` (typename -> ids), with their digests: one query per
    type and per count, whatever the number of entries."""
    loaders = context.loaders
    found: dict[tuple[str, int], tuple[Node, str]] = {}
    if wanted.get("Post"):
        posts = await POSTS.read(loaders.public_posts().filter(id__in=wanted["Post"]))
        counts = await loaders.comment_count_by_post.load_many([p.id for p in posts])
        categories = await loaders.categories_by_post.load_many([p.id for p in posts])
        tags = await loaders.tags_by_post.load_many([p.id for p in posts])
        for post, count, cats, post_tags in zip(posts, counts, categories, tags, strict=True):
            fields = post_fields(post, count, [c.id for c in cats], [t.id for t in post_tags])
            found[("Post", post.id)] = (Post.from_row(post), digest(fields))
    if wanted.get("Page"):
        for page in await PAGES.read(loaders.public_pages().filter(id__in=wanted["Page"])):
            found[("Page", page.id)] = (Page.from_row(page), digest(page_fields(page)))
    if wanted.get("Comment"):
        comments = await COMMENTS.read(loaders.public_comments().filter(id__in=wanted["Comment"]))
        replies = await loaders.reply_count_by_comment.load_many([c.id for c in comments])
        for comment, reply_count in zip(comments, replies, strict=True):
            fields = comment_fields(comment, reply_count)
            found[("Comment", comment.id)] = (Comment.from_row(comment), digest(fields))
    if wanted.get("Author"):
        for author in await AUTHORS.read(models.Author.filter(id__in=wanted["Author"])):
            found[("Author", author.id)] = (Author.from_row(author), digest(author_fields(author)))
    if wanted.get("Category"):
        for category in await CATEGORIES.read(models.Category.filter(id__in=wanted["Category"])):
            node = Category.from_row(category)
            found[("Category", category.id)] = (node, digest(category_fields(category)))
    if wanted.get("Tag"):
        for tag in await TAGS.read(models.Tag.filter(id__in=wanted["Tag"])):
            found[("Tag", tag.id)] = (Tag.from_row(tag), digest(tag_fields(tag)))
    if wanted.get("MediaItem"):
        items = await MEDIA_ITEMS.read(models.MediaItem.filter(id__in=wanted["MediaItem"]))
        sizes = await loaders.sizes_by_media_item.load_many([item.id for item in items])
        for item, renditions in zip(items, sizes, strict=True):
            media = MediaItem.from_row(item)
            found[("MediaItem", item.id)] = (media, digest(media_fields(item, renditions)))
    if wanted.get("Menu"):
        menus = await MENUS.read(models.Menu.filter(id__in=wanted["Menu"]))
        trees = await public_trees(loaders, [menu.id for menu in menus])
        for menu, tree in zip(menus, trees, strict=True):
            found[("Menu", menu.id)] = (Menu.from_row(menu), digest(menu_fields(menu, tree)))
    return found


@strawberry.type
class FeedQueries:
    @strawberry.field(
        description="Every change of the public view after `since` (null: from the start), "
        "in commit order, for static-site builds (builder and editor tokens)."
    )
    async def changes(
        self,
        info: Info,
        since: Annotated[
            str | None, strawberry.argument(description="A `nextToken` from an earlier call.")
        ] = None,
        first: Annotated[
            int | None,
            strawberry.argument(
                description=f"Changes to read: default {DEFAULT_FEED_PAGE}, 1 to {MAX_FEED_PAGE}."
            ),
        ] = None,
    ) -> ChangeFeed:
        context = info.context
        require(context.viewer, Permission.BULK_READ)
        context.depends.private()
        size = DEFAULT_FEED_PAGE if first is None else first
        if not 1 <= size <= MAX_FEED_PAGE:
            raise BadUserInputError(
                f"Argument 'first' must be between 1 and {MAX_FEED_PAGE}.", argument="first"
            )
        after = _decode_token(since)
        # A scheduled post or page whose time has come is announced before the log is read.
        announced = await announce_all_due(context.now)
        if announced:
            await context.written(announced)
        rows = await models.Change.filter(id__gt=after).order_by("id").limit(size + 1)
        has_more = len(rows) > size
        rows = rows[:size]
        latest: dict[tuple[str, int], models.Change] = {}
        for row in rows:
            latest.pop((row.typename, row.node_id), None)
            latest[(row.typename, row.node_id)] = row
        wanted: dict[str, set[int]] = {}
        for typename, node_id in latest:
            wanted.setdefault(typename, set()).add(node_id)
        nodes = await _public_nodes(context, wanted)
        entries = []
        for key, row in latest.items():
            node, digest = nodes.get(key, (None, None)) if row.kind == "upsert" else (None, None)
            entries.append(
                ChangeEntry(
                    kind=ChangeKindType.UPSERT if row.kind == "upsert" else ChangeKindType.DELETE,
                    node=node,
                    id=strawberry.ID(to_global_id(row.typename, row.node_id)),
                    typename=row.typename,
                    content_digest=digest,
                    changed_at=row.changed_at,
                )
            )
        last = rows[-1].id if rows else after
        return ChangeFeed(entries=entries, next_token=encode_token(last), has_more=has_more)
