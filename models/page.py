"""Pages: the site's standing content (About, Contact), nested under each other, and the
one rule that decides which pages the public sees."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from tortoise import fields, timezone
from tortoise.expressions import Q
from tortoise.indexes import Index
from tortoise.models import Model

from models.post import PostStatus
from models.seo import SeoFields, seo_image_field
from models.sorting import text_sort_key
from models.visibility import Rule, equals, passed, present

if TYPE_CHECKING:
    from models.author import Author
    from models.media import MediaItem
    from models.page_redirect import PageRedirect


MAX_MENU_ORDER = 1_000_000
"""The largest `menu_order` (they are small positions; 0 is the smallest)."""


class Page(SeoFields, Model):
    """A page of the site, nested in another through `parent`.

    A page's `uri` is its parent's and its slug (`/about/team/`), so a slug is unique among
    its siblings only and `uri` is the unique address. Pages take no comments."""

    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=200)
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
    menu_order = fields.IntField(default=0, description="Position among its siblings.")
    parent: fields.ForeignKeyNullableRelation[Page] = fields.ForeignKeyField(
        "models.Page", related_name="children", null=True, on_delete=fields.NO_ACTION
    )
    author: fields.ForeignKeyRelation[Author] = fields.ForeignKeyField(
        "models.Author", related_name="pages", on_delete=fields.RESTRICT
    )
    wp_id = fields.IntField(null=True, unique=True, description="WordPress post id.")
    featured_image: fields.ForeignKeyNullableRelation[MediaItem] = fields.ForeignKeyField(
        "models.MediaItem",
        related_name="featured_on_pages",
        null=True,
        # A used image is refused deletion (IN_USE) before this would apply.
        on_delete=fields.RESTRICT,
    )
    seo_image: fields.ForeignKeyNullableRelation[MediaItem] = seo_image_field("seo_image_on_pages")
    announced_at = fields.DatetimeField(
        null=True, description="When the change log last recorded the page becoming public."
    )

    parent_id: int | None
    author_id: int
    featured_image_id: int | None
    children: fields.ReverseRelation[Page]
    redirects: fields.ReverseRelation[PageRedirect]

    class Meta:
        table = "page"
        ordering = ["id"]
        indexes = (
            Index(fields=("parent_id", "menu_order", "id"), name="page_parent_idx"),
            Index(fields=("status", "published_at", "id"), name="page_status_published_idx"),
            Index(fields=("menu_order", "id"), name="page_menu_order_idx"),
            Index(fields=("author_id",), name="page_author_idx"),
            Index(fields=("featured_image_id",), name="page_featured_image_idx"),
            Index(fields=("seo_image_id",), name="page_seo_image_idx"),
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


PUBLIC_PAGE_RULE = Rule(
    Page,
    (
        equals("status", PostStatus.PUBLISHED),
        equals("password", ""),
        present("published_at"),
        passed("published_at"),
    ),
)
"""The single definition of a public page, the same as a post's: published, its date
passed, no password. A scheduled page is published with a future date and becomes public
at its time with no write. Its parent need not be public: a public child of a draft keeps
its address, and `Page.parent` is then null to the public."""


def public_page_filter(now: datetime | None = None) -> Q:
    """`PUBLIC_PAGE_RULE` as a filter at `now`."""
    return PUBLIC_PAGE_RULE.filter(now)


def scheduled_page_filter(now: datetime) -> Q:
    """Pages that will become public by themselves later (as `scheduled_post_filter`)."""
    return PUBLIC_PAGE_RULE.later(now)
