"""`Query.moderationQueue`: the comments that wait for a moderator, with what their
commenters gave privately. Moderators only: the one place the public types' missing fields
(email, address, user agent) can be read."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry
from tortoise.expressions import Q

import models
from gql.comments.types import Comment
from gql.context import Info
from gql.core.orderings import MODERATION_ORDERING
from gql.core.permissions import Permission, require
from gql.pagination import After, Connection, First, connection_from_query, page_request


@strawberry.enum(description="Which comments a moderation queue lists.")
class HeldStatus(Enum):
    PENDING = strawberry.enum_value("PENDING", description="Waiting for a moderator.")
    SPAM = strawberry.enum_value("SPAM", description="Judged spam, to check for mistakes.")


@strawberry.type(description="A held comment, with what only moderators may read.")
class ModerationItem:
    comment: Comment = strawberry.field(description="The comment.")
    author_email: str = strawberry.field(description="The commenter's email.")
    ip_address: str | None = strawberry.field(description="Where the comment was sent from.")
    user_agent: str | None = strawberry.field(description="The commenter's browser.")
    reasons: list[str] = strawberry.field(description="Why it was held.")

    @classmethod
    def from_row(cls, row: models.Comment) -> ModerationItem:
        """The moderator's view of a comment row."""
        return cls(
            comment=Comment.from_model(row),
            author_email=row.author_email,
            ip_address=row.author_ip,
            user_agent=row.author_user_agent,
            reasons=[r for r in row.moderation_reasons.split(", ") if r],
        )


@strawberry.type
class ModerationQueries:
    @strawberry.field(description="Held comments, oldest first (moderators only).")
    async def moderation_queue(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        status: Annotated[
            HeldStatus, strawberry.argument(description="Waiting (default) or spam.")
        ] = HeldStatus.PENDING,
    ) -> Connection[ModerationItem]:
        context = info.context
        require(context.viewer, Permission.MODERATE_COMMENTS)
        context.depends.private()
        page = page_request(MODERATION_ORDERING, first, after)
        queryset = models.Comment.filter(
            models.MODERATION_QUEUE_RULE.filter()
            if status is HeldStatus.PENDING
            else Q(status=models.CommentModeration.SPAM)
        )
        return await connection_from_query(
            queryset, MODERATION_ORDERING, page, ModerationItem.from_row
        )
