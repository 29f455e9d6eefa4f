"""Authors of posts. The email is private: no public GraphQL type exposes it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

if TYPE_CHECKING:
    from models.media import MediaItem
    from models.post import Post


class Author(Model):
    """A person who writes posts."""

    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=200, unique=True)
    name = fields.CharField(max_length=250)
    bio = fields.TextField(null=True)
    url = fields.CharField(max_length=500, null=True)
    email = fields.CharField(max_length=254, null=True, description="Private, never public.")
    wp_login = fields.CharField(
        max_length=200, null=True, unique=True, description="WordPress login, the import key."
    )
    avatar: fields.ForeignKeyNullableRelation[MediaItem] = fields.ForeignKeyField(
        "models.MediaItem",
        related_name="avatar_of",
        null=True,
        # A used image is refused deletion (IN_USE) before this would apply.
        on_delete=fields.RESTRICT,
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    avatar_id: int | None
    posts: fields.ReverseRelation[Post]

    class Meta:
        table = "author"
        ordering = ["id"]
        indexes = (Index(fields=("avatar_id",), name="author_avatar_idx"),)

    def __str__(self) -> str:
        return self.name


def author_uri(slug: str) -> str:
    """An author's archive address: "/author/maya/"."""
    return f"/author/{slug}/"
