"""The SEO columns posts and pages share (a search result's title and description, the
canonical address, whether search engines should leave it out, the image a share shows):
declared once here, so the two tables cannot drift apart. Each is null (or false) where the
node's own title, excerpt, address or featured image stands in."""

from __future__ import annotations

from typing import Any

from tortoise import fields

MAX_SEO_TITLE = 300
MAX_SEO_DESCRIPTION = 1000
MAX_CANONICAL_URL = 2000


class SeoFields:
    """The plain SEO columns, mixed into `Post` and `Page` (Tortoise collects a mixin's
    fields as the model's own)."""

    seo_title = fields.CharField(
        max_length=MAX_SEO_TITLE, null=True, description="Title for search results and shares."
    )
    seo_description = fields.CharField(
        max_length=MAX_SEO_DESCRIPTION, null=True, description="Search-result description."
    )
    seo_canonical_url = fields.CharField(
        max_length=MAX_CANONICAL_URL, null=True, description="Absolute canonical address."
    )
    seo_no_index = fields.BooleanField(
        default=False, db_default=False, description="Asks search engines to leave it out."
    )

    seo_image_id: int | None


def seo_image_field(related_name: str) -> Any:
    """The SEO image column, one per model (each reverse relation needs its own name)."""
    return fields.ForeignKeyField(
        "models.MediaItem",
        related_name=related_name,
        null=True,
        # A used image is refused deletion (IN_USE) before this would apply.
        on_delete=fields.RESTRICT,
    )
