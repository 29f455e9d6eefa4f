"""`exportCommenter` and `eraseCommenter` (moderators only): a commenter's data, handed over
or forgotten. Both are recorded in the audit log: personal data was read or removed."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry
from tortoise.transactions import in_transaction

import models
from gql.comments.privacy import by_email, erase
from gql.context import Info
from gql.core.ids import to_global_id
from gql.core.input_rules import email_problems, text_problems
from gql.core.permissions import Permission, require
from gql.errors import Problem, UserError
from gql.live import QueueChanged
from gql.publishing import change_log
from gql.publishing.audit import Change, audited_write, record
from gql.publishing.effects import CommentsChanged, Effects
from models.config import PRIMARY


@strawberry.enum(description="A stored comment's moderation state.")
class StoredCommentStatus(Enum):
    APPROVED = "approved"
    PENDING = "pending"
    SPAM = "spam"
    TRASH = "trash"


@strawberry.type(description="A comment with everything stored about it (moderators only).")
class StoredComment:
    id: strawberry.ID = strawberry.field(description="The comment's global ID.")
    post_id: strawberry.ID = strawberry.field(description="The post it is on.")
    author_name: str = strawberry.field(description="The name given.")
    author_email: str = strawberry.field(description="The email given.")
    author_url: str | None = strawberry.field(description="The website given.")
    ip_address: str | None = strawberry.field(description="Where it was sent from, if kept.")
    user_agent: str | None = strawberry.field(description="The browser, if kept.")
    content: str = strawberry.field(description="What was written (sanitised HTML).")
    created_at: datetime = strawberry.field(description="When.")
    status: StoredCommentStatus = strawberry.field(description="Its moderation state.")

    @classmethod
    def from_row(cls, row: models.Comment) -> StoredComment:
        """Everything of a comment row."""
        return cls(
            id=strawberry.ID(to_global_id("Comment", row.id)),
            post_id=strawberry.ID(to_global_id("Post", row.post_id)),
            author_name=row.author_name,
            author_email=row.author_email,
            author_url=row.author_url,
            ip_address=row.author_ip,
            user_agent=row.author_user_agent,
            content=row.content,
            created_at=row.created_at,
            status=StoredCommentStatus(row.status),
        )


@strawberry.input(description="Whose data.")
class CommenterInput:
    email: str = strawberry.field(description="The commenter's email (any case).")


@strawberry.type(description="Everything stored under an email.")
class CommenterExportPayload:
    comments: list[StoredComment] = strawberry.field(description="Oldest first.")
    errors: list[UserError] = strawberry.field(description="Empty on success.")


@strawberry.type(description="What erasing a commenter did.")
class CommenterErasePayload:
    removed_count: int = strawberry.field(description="Comments deleted.")
    placeholder_count: int = strawberry.field(
        description="Comments kept as anonymous placeholders because replies hang on them."
    )
    errors: list[UserError] = strawberry.field(description="Empty on success.")


def _email_problems(email: str) -> list[Problem]:
    return text_problems("email", email, maximum=254, required=True) or email_problems(
        "email", email.strip()
    )


@strawberry.type
class PrivacyMutations:
    @strawberry.mutation(
        description="Everything stored about a commenter, by email (moderators only)."
    )
    async def export_commenter(
        self, info: Info, input: Annotated[CommenterInput, strawberry.argument(description="Who.")]
    ) -> CommenterExportPayload:
        context = info.context
        viewer = require(context.viewer, Permission.MODERATE_COMMENTS)
        problems = _email_problems(input.email)
        if problems:
            return CommenterExportPayload(comments=[], errors=[p.user_error() for p in problems])
        rows = await by_email(input.email).order_by("created_at", "id")
        async with in_transaction(PRIMARY) as connection:
            await record(
                connection, viewer, "commenter.export", "Commenter", f"{len(rows)} comments"
            )
        return CommenterExportPayload(
            comments=[StoredComment.from_row(row) for row in rows], errors=[]
        )

    @strawberry.mutation(
        description="Forget a commenter, by email (moderators only): their comments go, or "
        "stay as anonymous placeholders where replies hang on them."
    )
    async def erase_commenter(
        self, info: Info, input: Annotated[CommenterInput, strawberry.argument(description="Who.")]
    ) -> CommenterErasePayload:
        context = info.context
        viewer = require(context.viewer, Permission.MODERATE_COMMENTS)
        problems = _email_problems(input.email)
        if problems:
            return CommenterErasePayload(
                removed_count=0, placeholder_count=0, errors=[p.user_error() for p in problems]
            )
        counts = {"removed": 0, "placeholders": 0}

        async def block(effects: Effects) -> Change:
            connection = effects.connection
            erased = await erase(input.email, connection)
            counts.update(removed=erased.removed, placeholders=erased.placeholders)
            public_posts = await change_log.ids_of(
                models.Post.filter(
                    models.public_post_filter(context.now), id__in=list(erased.post_ids)
                ).using_db(connection)
            )
            # Comments removed while held leave the moderation queue.
            left = [QueueChanged(comment_id, entered=False) for comment_id in erased.held_removed]
            await effects.comments(
                CommentsChanged(
                    on_posts=list(erased.post_ids),
                    public_posts=public_posts,
                    left_public=erased.public_removed,
                    changed_public=erased.public_placeholders,
                    touched=erased.comment_ids,
                    queue=left,
                )
            )
            details = f"{erased.removed} removed, {erased.placeholders} kept as placeholders"
            return Change(target="Commenter", details=details)

        problems = await audited_write(context, viewer, "commenter.erase", block)
        return CommenterErasePayload(
            removed_count=counts["removed"],
            placeholder_count=counts["placeholders"],
            errors=[p.user_error() for p in problems],
        )
