"""Root fields that read media: one item by global ID, and the whole library.

Every media item is public from its upload (see `models.media` for why), so editors and the
public read the same list: the order they were uploaded in.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

import models
from gql.context import Info
from gql.core.connection_field import connection_field
from gql.core.ids import pk_of
from gql.core.orderings import MEDIA_ORDERING
from gql.media.types import MediaItem
from gql.pagination import page_in_sql
from models.rows import MEDIA_ITEMS


@strawberry.type
class MediaQueries:
    @strawberry.field(description="One media item, by its global ID.")
    async def media_item(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The item's global ID.")],
    ) -> MediaItem | None:
        pk = pk_of(id, "MediaItem")
        if pk is None:
            return None
        row = await info.context.loaders.media_item_by_id.load(pk)
        return MediaItem.from_row(row) if row is not None else None

    media_items = connection_field(
        description="Every media item, in the order they were uploaded.",
        node=MediaItem,
        ordering=MEDIA_ORDERING,
        fetch=lambda _root, _info, page: page_in_sql(
            models.MediaItem.all(), MEDIA_ORDERING, page, MEDIA_ITEMS.read
        ),
        count=lambda _root, _info: models.MediaItem.all().count(),
        from_row=lambda: MediaItem.from_row,
        depends=lambda info: info.context.depends.media_list(),
    )
