"""Old addresses of pages: a published page's uri that changed (its slug, or its parent's)
keeps answering with a 301.

A table of its own rather than a second, nullable reference in `post_redirect`: each keeps
a required foreign key that cascades with its row, and a lookup reads one table by its
unique `old_uri`, as each address lookup of `resolveUri` does for its type."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.page import Page


class PageRedirect(Model):
    """A uri a page was public at, and the page it now belongs to."""

    id = fields.IntField(primary_key=True)
    old_uri = fields.CharField(max_length=500, unique=True)
    page: fields.ForeignKeyRelation[Page] = fields.ForeignKeyField(
        "models.Page", related_name="redirects", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    page_id: int

    class Meta:
        table = "page_redirect"
