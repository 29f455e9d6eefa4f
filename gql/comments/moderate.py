"""Moderating a comment: approve, hold, mark as spam or trash it.

A comment is public when it and every ancestor are approved (`Comment.is_public`), so a
status change recomputes `is_public` for the comment's whole subtree (its `path` prefix) in
the same transaction: holding a comment hides its replies too, approving it again brings
back those that were approved. The write states what changed (`gql.publishing.effects`):
once committed, exactly the cached answers that showed that post's comments are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

import strawberry

import models
from gql.context import Context
from gql.core.permissions import Viewer
from gql.errors import UserErrorCode
from gql.live import QueueChanged
from gql.publishing.audit import record
from gql.publishing.effects import CommentsChanged, write_transaction


@strawberry.enum(description="What a moderator does with a comment.")
class ModerationAction(Enum):
    APPROVE = strawberry.enum_value("APPROVE", description="Public (with its approved replies).")
    HOLD = strawberry.enum_value("HOLD", description="Back to waiting: hidden, with its replies.")
    SPAM = strawberry.enum_value("SPAM", description="Spam: hidden, with its replies.")
    TRASH = strawberry.enum_value("TRASH", description="Thrown away: hidden, with its replies.")


STATUS_OF_ACTION = {
    ModerationAction.APPROVE: models.CommentModeration.APPROVED,
    ModerationAction.HOLD: models.CommentModeration.PENDING,
    ModerationAction.SPAM: models.CommentModeration.SPAM,
    ModerationAction.TRASH: models.CommentModeration.TRASH,
}


@dataclass
class Moderated:
    """What a moderation did: the comment as it is now, or why nothing was done."""

    comment: models.Comment | None = None
    problem: tuple[str, UserErrorCode, str] | None = None
    changed_visibility: list[int] = field(default_factory=list)


async def moderate(
    context: Context, viewer: Viewer, comment_id: int, action: ModerationAction
) -> Moderated:
    """Give the comment the action's status; recompute who can see it and its replies."""
    status = STATUS_OF_ACTION[action]
    async with write_transaction(context) as effects:
        connection = effects.connection
        row = await models.Comment.filter(id=comment_id).using_db(connection).first()
        if row is None:
            return Moderated(problem=("id", UserErrorCode.NOT_FOUND, "No such comment."))
        if row.status == status:
            return Moderated(comment=row)
        parent_public = True
        if row.parent_id is not None:
            parent_public = await (
                models.Comment.filter(models.IN_PUBLIC_THREAD_RULE.filter(), id=row.parent_id)
                .using_db(connection)
                .exists()
            )
        subtree = (
            await models.Comment.filter(post_id=row.post_id, path__startswith=row.path)
            .using_db(connection)
            .order_by("path")
        )
        was_queued = models.MODERATION_QUEUE_RULE.holds(row)
        row.status = status
        was_public = row.is_public
        public_of: dict[int | None, bool] = {row.parent_id: parent_public}
        changed: list[models.Comment] = []
        # Path order visits every parent before its replies.
        for comment in subtree:
            comment_status = status if comment.id == row.id else comment.status
            public = models.public_in_thread(
                comment_status, public_of.get(comment.parent_id, False)
            )
            public_of[comment.id] = public
            if comment.id == row.id:
                row.is_public = public
            elif comment.is_public != public:
                comment.is_public = public
                changed.append(comment)
        await row.save(using_db=connection, update_fields=["status", "is_public"])
        if changed:
            await models.Comment.bulk_update(changed, fields=["is_public"], using_db=connection)
        flipped = [*changed, *([row] if row.is_public != was_public else [])]
        post_public = (
            await models.Post.filter(models.public_post_filter(context.now), id=row.post_id)
            .using_db(connection)
            .exists()
        )
        # What showed this post's comments can no longer be served; readers see what became
        # public (replies that came back included), moderators whether the comment entered
        # or left the moderation queue.
        ids = [row.id, *(comment.id for comment in changed)]
        events: list[QueueChanged] = []
        queued = models.MODERATION_QUEUE_RULE.holds(row)
        if was_queued != queued:
            events.append(QueueChanged(row.id, entered=queued))
        await effects.comments(
            CommentsChanged(
                on_posts=[row.post_id],
                public_posts=[row.post_id] if flipped and post_public else [],
                became_public={row.post_id: [c.id for c in flipped if c.is_public]},
                left_public=[c.id for c in flipped if not c.is_public],
                touched=ids,
                queue=events,
            )
        )
        await record(
            connection,
            viewer,
            f"comment.{action.name.lower()}",
            f"Comment:{row.id}",
            f"{len(changed)} replies changed visibility" if changed else "",
        )
    return Moderated(comment=row, changed_visibility=ids)
