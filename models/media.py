"""Media: uploaded files (`MediaItem`) and the renditions made of images (`MediaSize`).

Files are stored under content-addressed names (the SHA-256 of their bytes, see
`gql.media.storage`), so a name always means the same bytes: they cache for a year, an
upload of the same bytes twice stores one file, and a rendition is never overwritten.

Who may see a media item: everyone, once it is uploaded. Uploads are editors' work for
publishing, and their files are served at `/media/<name>` to anyone who knows the name, as
a CDN or object store would serve them: a rule that hid an item's metadata while its bytes
stay fetchable would promise a privacy it cannot keep. An image meant to stay private is not
uploaded.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

if TYPE_CHECKING:
    from models.author import Author
    from models.page import Page
    from models.post import Post


class RenditionState(StrEnum):
    """Where an item's renditions are: the background job picks up `pending` items (also
    after a crash: a job that died leaves its item pending, and it runs again)."""

    PENDING = "pending"  # an image whose renditions are still to be made
    DONE = "done"  # every rendition of the configured widths exists (or none applies)
    FAILED = "failed"  # the image could not be rendered (its original still serves)
    NONE = "none"  # not an image: audio, video, PDF have no renditions


class MediaItem(Model):
    """An uploaded file: an image, or audio, video or PDF served as it is."""

    id = fields.IntField(primary_key=True)
    file_name = fields.CharField(
        max_length=200, description="Its content-addressed name in the media storage."
    )
    sha256 = fields.CharField(max_length=64, description="Of the bytes as served.")
    mime_type = fields.CharField(max_length=100, description="Sniffed from the bytes.")
    file_size = fields.BigIntField(description="Bytes, as served (metadata stripped).")
    width = fields.IntField(null=True)
    height = fields.IntField(null=True)
    title = fields.CharField(max_length=250, default="")
    alt_text = fields.TextField(default="")
    caption = fields.TextField(null=True)
    original_name = fields.CharField(
        max_length=250, default="", description="The uploaded file's own name, for editors."
    )
    renditions = fields.CharEnumField(RenditionState, max_length=16, default=RenditionState.PENDING)
    uploaded_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    sizes: fields.ReverseRelation[MediaSize]
    featured_on: fields.ReverseRelation[Post]
    featured_on_pages: fields.ReverseRelation[Page]
    seo_image_on: fields.ReverseRelation[Post]
    seo_image_on_pages: fields.ReverseRelation[Page]
    avatar_of: fields.ReverseRelation[Author]

    class Meta:
        table = "media_item"
        ordering = ["id"]
        indexes = (Index(fields=("renditions", "id"), name="media_item_renditions_idx"),)

    def __str__(self) -> str:
        return self.title or self.file_name


class MediaSize(Model):
    """One rendition of an image: a width, in the original's format or in WebP."""

    id = fields.IntField(primary_key=True)
    media_item: fields.ForeignKeyRelation[MediaItem] = fields.ForeignKeyField(
        "models.MediaItem", related_name="sizes", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=50, description='"768", or "768-webp".')
    file_name = fields.CharField(max_length=200)
    width = fields.IntField()
    height = fields.IntField()
    mime_type = fields.CharField(max_length=100)
    file_size = fields.BigIntField()

    media_item_id: int

    class Meta:
        table = "media_size"
        ordering = ["id"]
        unique_together = (("media_item", "name"),)
        indexes = (Index(fields=("media_item_id", "width"), name="media_size_item_idx"),)
