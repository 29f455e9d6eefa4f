"""The `Tag` type."""

from __future__ import annotations

import strawberry

import models
from gql.context import Info
from gql.core.ids import to_global_id
from gql.core.late_types import posts_connection
from gql.core.node import Node
from models.rows import TAGS, TagRow


@strawberry.type(description="A tag: a flat label posts are filed under, any number per post.")
class Tag(Node):
    database_id: int = strawberry.field(description="The tag's primary key in the database.")
    slug: str = strawberry.field(description="URL-friendly name, unique among tags.")
    name: str = strawberry.field(description="Display name.")
    description: str | None = strawberry.field(description="What the tag is about.")
    uri: str = strawberry.field(
        description='Path of the tag\'s archive page on the site, like "/tag/recovery/".'
    )
    row: strawberry.Private[TagRow]

    @classmethod
    def from_row(cls, row: TagRow) -> Tag:
        """The public view of a tag row."""
        return cls(
            id=strawberry.ID(to_global_id("Tag", row.id)),
            database_id=row.id,
            slug=row.slug,
            name=row.name,
            description=row.description or None,
            uri=models.tag_uri(row.slug),
            row=row,
        )

    @classmethod
    def from_model(cls, tag: models.Tag) -> Tag:
        """The public view of a tag a write holds as a model: its row, made once at that
        boundary."""
        return cls.from_row(TAGS.row_of(tag))

    @strawberry.field(description="Number of published posts with this tag.")
    async def post_count(self, info: Info) -> int:
        return await info.context.loaders.post_count_by_tag.load(self.row.id)

    posts = posts_connection(
        description="Published posts with this tag, newest first.",
        pages=lambda loaders: loaders.posts_by_tag,
        count=lambda loaders: loaders.post_count_by_tag,
    )
