"""Old addresses of posts: a published post's uri that changed (its slug, its date) keeps
answering, so links from elsewhere never break."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.post import Post


class PostRedirect(Model):
    """A uri a post was public at, and the post it now belongs to."""

    id = fields.IntField(primary_key=True)
    old_uri = fields.CharField(max_length=500, unique=True)
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "models.Post", related_name="redirects", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    post_id: int

    class Meta:
        table = "post_redirect"
