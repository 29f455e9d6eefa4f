"""Hierarchical post categories, and their addresses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from models.archive_redirect import moved_archive

if TYPE_CHECKING:
    from models.post import Post


class Category(Model):
    """A category. Categories nest through `parent`."""

    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=200, unique=True)
    name = fields.CharField(max_length=250)
    uri = fields.CharField(
        max_length=2000,
        default="",
        db_default="",
        description='Its archive\'s address, nested like its parents: "/category/running/trail/".',
    )
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


CATEGORY_ARCHIVE = "/category/"

# Every category's address as its ancestors' slugs make it, in one statement on both
# databases; rows caught in a parent cycle (no write makes one) are left out. The depth bound
# keeps a cycle from recursing forever.
_ADDRESSES = """
WITH RECURSIVE addresses(id, uri, depth) AS (
    SELECT id, '/category/' || slug || '/', 0 FROM category WHERE parent_id IS NULL
    UNION ALL
    SELECT child.id, parent.uri || child.slug || '/', parent.depth + 1
    FROM category child JOIN addresses parent ON child.parent_id = parent.id
    WHERE parent.depth < 1000
)
SELECT addresses.id, addresses.uri FROM addresses
JOIN category ON category.id = addresses.id
WHERE category.uri <> addresses.uri
"""


async def refresh_category_uris(connection: Any) -> list[Category]:
    """Give every category the address its place in the tree makes, after a write that
    made, renamed, moved or deleted categories; the categories whose address changed, saved
    (their `updated_at` moves: their public view changed), their old addresses kept as
    redirects."""
    _, rows = await connection.execute_query(_ADDRESSES)
    moved = {int(row["id"]): str(row["uri"]) for row in rows}
    if not moved:
        return []
    changed = await Category.filter(id__in=list(moved)).using_db(connection)
    for category in changed:
        old_uri, category.uri = category.uri, moved[category.id]
        await category.save(using_db=connection, update_fields=["uri", "updated_at"])
        await moved_archive(connection, "Category", category.id, old_uri, category.uri)
    return changed
