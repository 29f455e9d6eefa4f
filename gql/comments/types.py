"""The `Comment` type. It has no email, IP or user-agent field: the public never reads them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from operator import attrgetter
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

import models
from gql.comments.replies import paged_replies
from gql.context import Info
from gql.core.ids import to_global_id
from gql.core.late_types import post_type
from gql.core.node import Node
from gql.core.orderings import COMMENT_ORDERING
from gql.engine.executor import for_a_whole_level
from gql.pagination import (
    After,
    Before,
    Connection,
    First,
    Last,
    build_connection,
    known_total,
    page_in_memory,
    page_request,
)
from models.rows import COMMENTS, CommentRow

if TYPE_CHECKING:
    from gql.posts.types import Post

PostRef = Annotated["Post", strawberry.lazy("gql.posts.types")]

COMMENT_FIELDS: dict[str, Callable[[CommentRow], Any]] = {
    "id": lambda row: strawberry.ID(to_global_id("Comment", row.id)),
    "database_id": attrgetter("id"),
    "depth": attrgetter("depth"),
    "author_name": attrgetter("author_name"),
    "author_url": lambda row: row.author_url or None,
    "content": attrgetter("content"),
    "created_at": attrgetter("created_at"),
}
"""Each plain field of a `Comment` (by Python name) read from its row: `Comment.from_row`
and the thread plan (gql/comments/thread_plan.py) both read comments through these."""


@strawberry.type(description="A reader's comment on a post, or a reply to another comment.")
class Comment(Node):
    database_id: int = strawberry.field(description="The comment's primary key in the database.")
    depth: int = strawberry.field(description="0 for a top-level comment, 1 for a reply, ...")
    author_name: str = strawberry.field(description="The commenter's name, as given.")
    author_url: str | None = strawberry.field(description="The commenter's website, if given.")
    content: str = strawberry.field(description="Sanitised HTML, safe to inject.")
    created_at: datetime = strawberry.field(description="When the comment was written.")
    row: strawberry.Private[CommentRow]

    @classmethod
    def from_row(cls, row: CommentRow) -> Comment:
        """The public view of a comment row (each field as `COMMENT_FIELDS` reads it)."""
        return cls(**{name: read(row) for name, read in COMMENT_FIELDS.items()}, row=row)

    @classmethod
    def from_model(cls, comment: models.Comment) -> Comment:
        """The public view of a comment a write or a moderator's read holds as a model: its
        row, made once at that boundary."""
        return cls.from_row(COMMENTS.row_of(comment))

    @strawberry.field(description="The post the comment is on.")
    async def post(self, info: Info) -> PostRef:
        row = await info.context.loaders.post_by_id.load(self.row.post_id)
        assert row is not None, "a public comment's post is public"
        return post_type().from_row(row)

    @strawberry.field(description="The comment this one replies to; null at the top level.")
    async def parent(self, info: Info) -> Comment | None:
        parent_id: int | None = self.row.parent_id
        if parent_id is None:
            return None
        row = await info.context.loaders.comment_by_id.load(parent_id)
        return Comment.from_row(row) if row is not None else None

    @strawberry.field(description="Number of public direct replies.")
    async def reply_count(self, info: Info) -> int:
        return await info.context.loaders.reply_count_by_comment.load(self.row.id)

    @strawberry.field(description="Public direct replies, oldest first; each has its own.")
    # The level-by-level executor answers a whole thread level with one call.
    @for_a_whole_level(lambda comments, **arguments: replies_of(comments, **arguments))
    async def replies(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Comment]:
        (connection,) = await replies_of([self], info, first, after, last, before)
        return connection


async def replies_of(
    comments: Sequence[Comment],
    info: Info,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> list[Connection[Comment]]:
    """The `replies` of each of `comments` (one comment, or a whole thread level at once):
    the page arguments are checked once, the replies loaded and paged by `paged_replies`."""
    page = page_request(COMMENT_ORDERING, first, after, last, before)
    ids = [comment.row.id for comment in comments]
    replies = await paged_replies(info.context.loaders, ids, [page], page_in_memory)
    # Most comments of a thread have no replies: they share one empty connection
    # (connections are read, never changed), instead of one connection and counter apiece.
    no_replies: list[Connection[Comment]] = []
    connections: list[Connection[Comment]] = []
    for total, cut in zip(replies.totals, replies.pages[0], strict=True):
        if not total and no_replies:
            connections.append(no_replies[0])
            continue
        connection = build_connection(cut, COMMENT_ORDERING, Comment.from_row, known_total(total))
        if not total:
            no_replies.append(connection)
        connections.append(connection)
    return connections
