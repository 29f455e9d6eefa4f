"""Old addresses of archives: a category, tag or author whose address changed (a new slug,
a category moved in the tree) keeps answering at the old one, so links from elsewhere and
search engines' entries never break (resolveUri answers them with a 301)."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class ArchiveRedirect(Model):
    """An address an archive was at, and the node (by type and key) it belongs to now."""

    id = fields.IntField(primary_key=True)
    old_uri = fields.CharField(max_length=2000, unique=True)
    typename = fields.CharField(max_length=20, description="Category, Tag or Author.")
    target_id = fields.IntField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "archive_redirect"
        indexes = (Index(fields=("typename", "target_id"), name="archive_redirect_target_idx"),)


async def moved_archive(
    connection: Any, typename: str, target_id: int, old_uri: str, new_uri: str
) -> None:
    """Record that the archive `typename:target_id` moved from `old_uri` to `new_uri`: the
    old address redirects to it, and the new one is no longer anybody's old address."""
    await ArchiveRedirect.filter(old_uri=new_uri).using_db(connection).delete()
    if not old_uri or old_uri == new_uri:
        return
    await ArchiveRedirect.filter(old_uri=old_uri).using_db(connection).delete()
    await ArchiveRedirect.create(
        old_uri=old_uri, typename=typename, target_id=target_id, using_db=connection
    )


async def archive_gone(connection: Any, typename: str, target_id: int) -> None:
    """Forget the old addresses of a deleted archive."""
    await (
        ArchiveRedirect.filter(typename=typename, target_id=target_id).using_db(connection).delete()
    )
