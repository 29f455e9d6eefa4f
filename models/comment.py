"""Reader comments, threaded through a self-referencing parent key.

Two denormalised columns keep every thread query to one statement:
- `path`: the comment's place in its thread, a string of fixed-width segments (creation time,
  then id) from the root down. Ordering a post's comments by `path` is the depth-first
  pre-order walk with the oldest sibling first, so `commentThread` pages by keyset on it.
- `is_public`: approved and every ancestor approved. Moderation that changes a comment's status
  recomputes it for the comment's subtree (`path` prefix), so public reads never walk ancestors.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields, timezone
from tortoise.expressions import Q
from tortoise.indexes import Index
from tortoise.models import Model

from models.indexes import PresentIndex
from models.post import PUBLIC_POST_RULE
from models.visibility import Rule, differs, equals

if TYPE_CHECKING:
    from models.post import Post


class CommentModeration(StrEnum):
    """A comment's moderation state. Only approved comments can be public."""

    APPROVED = "approved"
    PENDING = "pending"
    SPAM = "spam"
    TRASH = "trash"


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
TIME_DIGITS = 17  # microseconds since 1970: enough until the year 5138
ID_DIGITS = 12


def thread_path_segment(created_at: datetime, comment_id: int) -> str:
    """One level of a thread path: sorts siblings oldest first, ties by id."""
    if created_at.tzinfo is None:
        created_at = created_at.replace(tzinfo=UTC)
    micros = max(0, int((created_at - _EPOCH).total_seconds() * 1_000_000))
    return f"{micros:0{TIME_DIGITS}d}{comment_id:0{ID_DIGITS}d}"


def public_in_thread(status: str, parent_public: bool = True) -> bool:
    """What `Comment.is_public` keeps (and `IN_PUBLIC_THREAD_RULE` reads): a comment is in its
    thread's public view when it is approved and its parent is (a top-level comment has no
    parent to wait for). Every writer of the column decides it here: a submission, a
    moderation of a subtree, the importer and the demo (`threadpress.threads`)."""
    return status == CommentModeration.APPROVED and parent_public


class Comment(Model):
    """A comment by a reader on a post, or a reply to another comment."""

    id = fields.IntField(primary_key=True)
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "models.Post", related_name="comments", on_delete=fields.CASCADE
    )
    parent: fields.ForeignKeyNullableRelation[Comment] = fields.ForeignKeyField(
        "models.Comment", related_name="replies", null=True, on_delete=fields.CASCADE
    )
    depth = fields.IntField(default=0, description="0 for a top-level comment.")
    path = fields.TextField(default="", description="Thread order key (see the module doc).")
    author_name = fields.CharField(max_length=245)
    author_email = fields.CharField(max_length=100, default="", description="Private.")
    author_url = fields.CharField(max_length=200, null=True)
    author_ip = fields.CharField(max_length=100, null=True, description="Private.")
    author_user_agent = fields.CharField(max_length=255, null=True, description="Private.")
    content = fields.TextField(description="Sanitised HTML.")
    created_at = fields.DatetimeField(default=timezone.now)
    status = fields.CharEnumField(
        CommentModeration, max_length=16, default=CommentModeration.PENDING
    )
    is_public = fields.BooleanField(
        default=False, description="Approved, and every ancestor approved."
    )
    wp_id = fields.IntField(null=True, unique=True, description="WordPress comment id.")
    client_mutation_id = fields.CharField(
        max_length=255, null=True, description="Idempotency key of the submission, per email."
    )
    submission_digest = fields.CharField(
        max_length=64, null=True, description="Hash of the submitted input, for replays."
    )
    moderation_reasons = fields.CharField(
        max_length=255,
        default="",
        db_default="",
        description="Why the comment was held, comma-separated.",
    )

    post_id: int
    parent_id: int | None
    replies: fields.ReverseRelation[Comment]

    class Meta:
        table = "comment"
        ordering = ["created_at", "id"]
        indexes = (
            Index(fields=("post_id", "is_public", "path"), name="comment_thread_idx"),
            # Replies, by parent: top-level comments are not in it (see PresentIndex).
            PresentIndex(fields=("parent_id", "is_public"), name="comment_parent_idx"),
            Index(fields=("author_email", "status"), name="comment_author_email_idx"),
            Index(fields=("author_email", "created_at"), name="comment_email_time_idx"),
            Index(fields=("author_ip", "created_at"), name="comment_ip_time_idx"),
            # The moderation queue: held comments, oldest first.
            Index(fields=("status", "created_at"), name="comment_queue_idx"),
        )
        # Enforces idempotency even when two replays race (NULL keys never collide).
        unique_together = (("author_email", "client_mutation_id"),)

    def __str__(self) -> str:
        return f"Comment {self.id} by {self.author_name}"


IN_PUBLIC_THREAD_RULE = Rule(Comment, (equals("is_public", True),))
"""A comment approved with every ancestor (kept in `is_public`): public wherever its post is.
The fixed thread reads (`models.rows.IN_PUBLIC_THREAD`) take it alone, for comments of posts
or parents they read through the public rules."""

PUBLIC_COMMENT_RULE = IN_PUBLIC_THREAD_RULE.and_through("post", PUBLIC_POST_RULE)
"""The single definition of a public comment: it and every ancestor approved, on a public
post."""

PREVIEWABLE_COMMENT_RULE = Rule(Comment, (differs("status", CommentModeration.TRASH),)).and_through(
    "post", PUBLIC_POST_RULE
)
"""What a preview token may show its submitter: their comment whatever moderation decided
(spam looks pending), unless a moderator trashed it or its post is not public."""

MODERATION_QUEUE_RULE = Rule(Comment, (equals("status", CommentModeration.PENDING),))
"""The comments in the moderation queue: those waiting for a moderator."""


def public_comment_filter(now: datetime | None = None) -> Q:
    """`PUBLIC_COMMENT_RULE` as a filter at `now`."""
    return PUBLIC_COMMENT_RULE.filter(now)
