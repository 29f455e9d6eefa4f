"""The `Author` type. It has no email field: the public never reads it."""

from __future__ import annotations

import strawberry

import models
from gql.context import Info
from gql.core.ids import to_global_id
from gql.core.late_types import posts_connection
from gql.core.node import Node
from gql.media.types import MediaItem
from models.rows import AUTHORS, AuthorRow


@strawberry.type(description="A person who writes posts.")
class Author(Node):
    database_id: int = strawberry.field(description="The author's primary key in the database.")
    slug: str = strawberry.field(description="URL-friendly name, unique among authors.")
    name: str = strawberry.field(description="Display name.")
    bio: str | None = strawberry.field(description="A short biography.")
    url: str | None = strawberry.field(description="The author's website.")
    uri: str = strawberry.field(
        description='Their archive\'s address on the site: "/author/maya/".'
    )
    row: strawberry.Private[AuthorRow]

    @classmethod
    def from_row(cls, row: AuthorRow) -> Author:
        """The public view of an author row."""
        return cls(
            id=strawberry.ID(to_global_id("Author", row.id)),
            database_id=row.id,
            slug=row.slug,
            name=row.name,
            bio=row.bio or None,
            url=row.url or None,
            uri=models.author_uri(row.slug),
            row=row,
        )

    @classmethod
    def from_model(cls, author: models.Author) -> Author:
        """The public view of an author a write holds as a model: its row, made once
        at that boundary."""
        return cls.from_row(AUTHORS.row_of(author))

    @strawberry.field(description="Their picture.")
    async def avatar(self, info: Info) -> MediaItem | None:
        if self.row.avatar_id is None:
            return None
        row = await info.context.loaders.media_item_by_id.load(self.row.avatar_id)
        return MediaItem.from_row(row) if row is not None else None

    posts = posts_connection(
        description="The author's published posts, newest first.",
        pages=lambda loaders: loaders.posts_by_author,
        count=lambda loaders: loaders.post_count_by_author,
    )
