"""Root fields that read tags."""

from __future__ import annotations

import strawberry

import models
from gql.core.orderings import TAG_ORDERING
from gql.core.slugged import Slugged
from gql.tags.types import Tag
from models import rows

TAGS = Slugged(
    type_name="Tag",
    noun="tag",
    model=models.Tag,
    rows=rows.TAGS,
    node=Tag,
    from_row=lambda: Tag.from_row,
    ordering=TAG_ORDERING,
    by_id=lambda loaders: loaders.tag_by_id,
    rows_read=lambda depends: depends.tag_nodes,
    archive=models.TAG_ARCHIVE,
    uri=lambda row: models.tag_uri(row.slug),
    list_read=lambda depends: depends.tag_list,
)


@strawberry.type
class TagQueries:
    tag = TAGS.one_field("One tag, by exactly one of `id` or `slug`.")
    tags = TAGS.list_field("All tags, in the order they were added.")
