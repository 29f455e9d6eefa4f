"""The `MediaItem` and `MediaSize` types.

Addresses are made when a field is read, from the stored name and the media base address
(`THREADPRESS_MEDIA_PUBLIC_URL`, else this server's public origin + `/media`): the database
keeps names only, so moving the files behind a CDN changes no row. `sizes` and `srcSet`
list the renditions that exist when the request reads them: one still being made (or never
made: a failed render) is simply not there, so a `srcset` never names a missing file.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import strawberry

from gql.context import Info
from gql.core.ids import to_global_id
from gql.core.node import Node
from gql.core.origins import public_origin
from gql.loaders import load_level
from gql.media.storage import media_url
from models.rows import MediaItemRow, MediaSizeRow


def media_base(info: Info) -> str:
    """Where stored names are served from, for this request."""
    settings = info.context.settings
    return settings.media_public_url or public_origin(settings, info.context.request) + "/media"


@strawberry.type(description="One rendition of an image: a width, in a format.")
class MediaSize:
    name: str = strawberry.field(
        description='Which rendition: its width, with "-webp" for the WebP one ("768-webp").'
    )
    url: str = strawberry.field(description="Where the file is served.")
    width: int = strawberry.field(description="Pixels.")
    height: int = strawberry.field(description="Pixels.")
    mime_type: str = strawberry.field(description='Its type: "image/webp", "image/jpeg"...')

    @classmethod
    def from_row(cls, row: MediaSizeRow, base: str) -> MediaSize:
        """The public view of a rendition row, with files served under `base`."""
        return cls(
            name=row.name,
            url=media_url(base, row.file_name),
            width=row.width,
            height=row.height,
            mime_type=row.mime_type,
        )


@strawberry.type(description="An uploaded file: an image (with renditions), audio, video or PDF.")
class MediaItem(Node):
    database_id: int = strawberry.field(description="The item's primary key in the database.")
    mime_type: str = strawberry.field(description="Its type, judged from its bytes.")
    file_size: int = strawberry.field(description="Bytes of the original as served.")
    width: int | None = strawberry.field(description="Pixels; null for files that are not images.")
    height: int | None = strawberry.field(description="Pixels; null for files that are not images.")
    title: str = strawberry.field(description="Its title.")
    alt_text: str = strawberry.field(
        description="Text that replaces the image for those who cannot see it."
    )
    caption: str | None = strawberry.field(description="A caption (HTML, sanitised).")
    uploaded_at: datetime = strawberry.field(description="When it was uploaded.")
    row: strawberry.Private[MediaItemRow]

    @classmethod
    def from_row(cls, row: MediaItemRow) -> MediaItem:
        """The public view of a media item row."""
        return cls(
            id=strawberry.ID(to_global_id("MediaItem", row.id)),
            database_id=row.id,
            mime_type=row.mime_type,
            file_size=row.file_size,
            width=row.width,
            height=row.height,
            title=row.title,
            alt_text=row.alt_text,
            caption=row.caption or None,
            uploaded_at=row.uploaded_at,
            row=row,
        )

    @strawberry.field(
        description="The original, metadata stripped, served by this server (or from the "
        "media public URL)."
    )
    def url(self, info: Info) -> str:
        return media_url(media_base(info), self.row.file_name)

    @strawberry.field(description="The renditions that exist, smallest first.")
    async def sizes(self, info: Info) -> list[MediaSize]:
        rows = await info.context.loaders.sizes_by_media_item.load(self.row.id)
        base = media_base(info)
        return [MediaSize.from_row(row, base) for row in rows]

    @strawberry.field(
        description='For `<img srcset>`: "url 300w, url 768w, ..." of the renditions in the '
        "original's format that exist, and the original at its own width; null for files that "
        "are not images."
    )
    async def src_set(self, info: Info) -> str | None:
        if self.row.width is None:
            return None
        rows = await info.context.loaders.sizes_by_media_item.load(self.row.id)
        base = media_base(info)
        same_format = [row for row in rows if row.mime_type == self.row.mime_type]
        widths = [(media_url(base, row.file_name), row.width) for row in same_format]
        widths.append((media_url(base, self.row.file_name), self.row.width))
        return ", ".join(f"{url} {width}w" for url, width in widths)


async def images_of(ids: Sequence[int | None], info: Info) -> list[MediaItem | None]:
    """The media items of `ids` (a featured image of each of a list of posts or pages; None
    where one has none), in one load for the whole list."""
    wanted = [pk for pk in ids if pk is not None]
    rows = await load_level(info.context.loaders.media_item_by_id, wanted) if wanted else []
    found = dict(zip(wanted, rows, strict=True))
    images: list[MediaItem | None] = []
    for pk in ids:
        row = found.get(pk) if pk is not None else None
        images.append(MediaItem.from_row(row) if row is not None else None)
    return images
