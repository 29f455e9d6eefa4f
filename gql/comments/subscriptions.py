"""`Subscription.commentAdded` for readers and `Subscription.moderationQueueChanged` for
moderators: live comments, over WebSocket (graphql-transport-ws) or Server-Sent Events.

Each resolver checks its arguments and the viewer before it subscribes (a refusal is an
ordinary GraphQL error, like a query's), then hands back a stream fed by this process's hub
(`gql.live.hub`). The hub loads what an event names through the public visibility rules; each
delivery is resolved with fresh loaders and a fresh clock (`Context.refresh`), since one
context serves a connection for as long as it stays open.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from enum import Enum
from typing import Annotated

import strawberry
from graphql import GraphQLError
from starlette.websockets import WebSocket

import models
from gql.comments.queue import ModerationItem
from gql.comments.types import Comment
from gql.context import Context, Info
from gql.core.ids import pk_of, to_global_id
from gql.core.permissions import Permission, require
from gql.core.tokens import still_holds


class PostNotFoundError(GraphQLError):
    """`commentAdded` of a post the public cannot read (`NOT_FOUND`)."""

    def __init__(self) -> None:
        super().__init__(
            "No public post has this id.",
            extensions={"code": "NOT_FOUND", "argument": "postId"},
        )


@strawberry.enum(description="How the moderation queue changed.")
class ModerationQueueChange(Enum):
    ENTERED = strawberry.enum_value(
        "ENTERED", description="A comment started waiting for a moderator."
    )
    LEFT = strawberry.enum_value(
        "LEFT", description="A waiting comment was decided (approved, spam or trash)."
    )


@strawberry.type(description="A comment entered or left the moderation queue.")
class ModerationQueueEvent:
    change: ModerationQueueChange = strawberry.field(description="Entered or left.")
    comment_id: strawberry.ID = strawberry.field(description="The comment's `id`.")
    item: ModerationItem | None = strawberry.field(
        description="The comment with what only moderators may read, while it waits; null "
        "once it no longer does (decided, or deleted)."
    )


def _event_stream(context: Context) -> bool:
    """Whether the subscription is an event stream's (a WebSocket's is a WebSocket), which
    ends with `complete` as soon as the server is asked to stop (`gql.http.stop_signals`)."""
    return not isinstance(context.request, WebSocket)


async def _comments_of(context: Context, post_id: int) -> AsyncGenerator[Comment, None]:
    hub = context.live.hub
    async with hub.comments_of(post_id, ends_at_stop=_event_stream(context)) as inbox:
        async for rows in inbox:
            context.refresh()
            for row in rows:
                yield Comment.from_row(row)


async def _queue_changes(context: Context) -> AsyncGenerator[ModerationQueueEvent, None]:
    async with context.live.hub.moderation_queue(ends_at_stop=_event_stream(context)) as inbox:
        async for delivery in inbox:
            context.refresh()
            # A moderator's token may be revoked while the subscription is open: what only
            # moderators may read is never sent past that (the stream ends instead).
            if context.viewer is None or not await still_holds(context.viewer):
                return
            row = delivery.row
            waiting = row is not None and models.MODERATION_QUEUE_RULE.holds(row)
            yield ModerationQueueEvent(
                change=ModerationQueueChange.ENTERED
                if delivery.entered
                else ModerationQueueChange.LEFT,
                comment_id=strawberry.ID(to_global_id("Comment", delivery.comment_id)),
                item=ModerationItem.from_row(row) if waiting and row is not None else None,
            )


@strawberry.type
class CommentSubscriptions:
    @strawberry.subscription(
        description="Comments of a post as they become public: approved on submission, "
        "approved by a moderator, or replies that come back with their approved parent. "
        "Public posts only; a malformed id is `BAD_USER_INPUT`, a post the public cannot "
        "read `NOT_FOUND`."
    )
    async def comment_added(
        self,
        info: Info,
        post_id: Annotated[strawberry.ID, strawberry.argument(description="The post's `id`.")],
    ) -> AsyncGenerator[Comment, None]:
        context = info.context
        pk = pk_of(post_id, "Post", argument="postId")
        if pk is None or not await context.loaders.public_posts().filter(id=pk).exists():
            raise PostNotFoundError
        return _comments_of(context, pk)

    @strawberry.subscription(
        description="Comments entering and leaving the moderation queue (moderators only)."
    )
    async def moderation_queue_changed(
        self, info: Info
    ) -> AsyncGenerator[ModerationQueueEvent, None]:
        context = info.context
        require(context.viewer, Permission.MODERATE_COMMENTS)
        return _queue_changes(context)
