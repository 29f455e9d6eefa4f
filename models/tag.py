"""Post tags: flat, free-form labels (WordPress's `post_tag` taxonomy)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.post import Post


class Tag(Model):
    """A tag. Unlike categories, tags do not nest: a post has any number of them."""

    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=200, unique=True)
    name = fields.CharField(max_length=250)
    description = fields.TextField(null=True)
    wp_term_id = fields.IntField(null=True, unique=True, description="WordPress term id.")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    posts: fields.ManyToManyRelation[Post]

    class Meta:
        table = "tag"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


TAG_ARCHIVE = "/tag/"
"""Where tags' archive pages sit on the site."""


def tag_uri(slug: str) -> str:
    """A tag's archive address: "/tag/recovery/" (also the webhooks' page to rebuild)."""
    return f"{TAG_ARCHIVE}{slug}/"
