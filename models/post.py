"""Posts, and the one rule that decides which posts the public sees."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields, timezone
from tortoise.expressions import Q
from tortoise.indexes import Index
from tortoise.models import Model

from models.seo import SeoFields, seo_image_field
from models.sorting import text_sort_key
from models.visibility import Rule, equals, passed, present

if TYPE_CHECKING:
    from models.author import Author
    from models.category import Category
    from models.comment import Comment
    from models.media import MediaItem
    from models.tag import Tag


class PostStatus(StrEnum):
    """Where a post is in its life. Only `published` posts can be public."""

    DRAFT = "draft"
    PENDING = "pending"  # waiting for an editor's review
    PRIVATE = "private"
    PUBLISHED = "published"  # public once `published_at` has passed (scheduled before)


class CommentStatus(StrEnum):
    """Whether a post takes new comments."""

    OPEN = "open"
    CLOSED = "closed"


class Post(SeoFields, Model):
    """A blog post."""

    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=200, unique=True)
    uri = fields.CharField(max_length=500, unique=True)
    title = fields.TextField()
    title_key = fields.CharField(
        max_length=512, default="", description="Case-insensitive sort key of the title."
    )
    excerpt = fields.TextField(default="")
    content = fields.TextField(default="")
    status = fields.CharEnumField(PostStatus, max_length=16, default=PostStatus.DRAFT)
    password = fields.CharField(
        max_length=255, default="", description="Non-empty: password-protected, never public."
    )
    published_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(default=timezone.now)
    updated_at = fields.DatetimeField(default=timezone.now)
    comment_status = fields.CharEnumField(CommentStatus, max_length=16, default=CommentStatus.OPEN)
    author: fields.ForeignKeyRelation[Author] = fields.ForeignKeyField(
        "models.Author", related_name="posts", on_delete=fields.RESTRICT
    )
    categories: fields.ManyToManyRelation[Category] = fields.ManyToManyField(
        "models.Category",
        related_name="posts",
        through="post_category",
        forward_key="category_id",
        backward_key="post_id",
    )
    tags: fields.ManyToManyRelation[Tag] = fields.ManyToManyField(
        "models.Tag",
        related_name="posts",
        through="post_tag",
        forward_key="tag_id",
        backward_key="post_id",
    )
    sticky = fields.BooleanField(
        default=False, db_default=False, description="Kept at the top of the front page."
    )
    wp_id = fields.IntField(null=True, unique=True, description="WordPress post id.")
    featured_image: fields.ForeignKeyNullableRelation[MediaItem] = fields.ForeignKeyField(
        "models.MediaItem",
        related_name="featured_on",
        null=True,
        # A used image is refused deletion (IN_USE) before this would apply.
        on_delete=fields.RESTRICT,
    )
    seo_image: fields.ForeignKeyNullableRelation[MediaItem] = seo_image_field("seo_image_on")
    announced_at = fields.DatetimeField(
        null=True, description="When the change log last recorded the post becoming public."
    )

    author_id: int
    featured_image_id: int | None
    comments: fields.ReverseRelation[Comment]

    class Meta:
        table = "post"
        ordering = ["id"]
        indexes = (
            Index(fields=("status", "published_at", "id"), name="post_status_published_idx"),
            Index(fields=("updated_at", "id"), name="post_updated_idx"),
            Index(fields=("title_key", "id"), name="post_title_key_idx"),
            Index(fields=("author_id", "published_at"), name="post_author_idx"),
            Index(fields=("featured_image_id",), name="post_featured_image_idx"),
            Index(fields=("seo_image_id",), name="post_seo_image_idx"),
        )

    async def save(self, *args: Any, **kwargs: Any) -> None:
        """Keep the title sort key in step with the title on every save."""
        self.title_key = text_sort_key(self.title)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "title" in update_fields:
            kwargs["update_fields"] = [*update_fields, "title_key"]
        await super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.title


PUBLIC_POST_RULE = Rule(
    Post,
    (
        equals("status", PostStatus.PUBLISHED),
        equals("password", ""),
        present("published_at"),
        passed("published_at"),
    ),
)
"""The single definition of a public post: published, its date passed, no password.

Scheduled posts are stored as published with a future `published_at`, so they become public
at their time without any write. Read as a filter (`public_post_filter`), as the fixed SQL of
`models.rows` (`PUBLIC_POST`) and for one post in memory (`PUBLIC_POST_RULE.holds`)."""


def public_post_filter(now: datetime | None = None, *, via: str = "") -> Q:
    """`PUBLIC_POST_RULE` as a filter at `now`; `via` names the relation to reach the post
    through (`"post"` when filtering comments)."""
    return PUBLIC_POST_RULE.filter(now, via=via)


def scheduled_post_filter(now: datetime) -> Q:
    """Posts that will become public by themselves later: published, no password, dated
    after `now` (the complement in time of `PUBLIC_POST_RULE`)."""
    return PUBLIC_POST_RULE.later(now)
