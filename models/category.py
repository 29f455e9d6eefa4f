"""Hierarchical post categories."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

if TYPE_CHECKING:
    from models.post import Post


class Category(Model):
    """A category. Categories nest through `parent`."""

    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=200, unique=True)
    name = fields.CharField(max_length=250)
    description = fields.TextField(null=True)
    parent: fields.ForeignKeyNullableRelation[Category] = fields.ForeignKeyField(
        "models.Category", related_name="children", null=True, on_delete=fields.SET_NULL
    )
    wp_term_id = fields.IntField(null=True, unique=True, description="WordPress term id.")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    parent_id: int | None
    children: fields.ReverseRelation[Category]
    posts: fields.ManyToManyRelation[Post]

    class Meta:
        table = "category"
        ordering = ["id"]
        indexes = (Index(fields=("parent_id",), name="category_parent_idx"),)

    def __str__(self) -> str:
        return self.name
