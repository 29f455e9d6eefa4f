"""The `Author` type. It has no email field: the public never reads it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

import models
from gql.core.connection_field import relation_connection
from gql.core.ids import to_global_id
from gql.core.late_types import post_type
from gql.core.node import Node
from gql.core.orderings import DEFAULT_POST_ORDERING
from models.rows import AuthorRow

if TYPE_CHECKING:
    from gql.posts.types import Post

PostRef = Annotated["Post", strawberry.lazy("gql.posts.types")]


@strawberry.type(description="A person who writes posts.")
class Author(Node):
    database_id: int = strawberry.field(description="The author's primary key in the database.")
    slug: str = strawberry.field(description="URL-friendly name, unique among authors.")
    name: str = strawberry.field(description="Display name.")
    bio: str | None = strawberry.field(description="A short biography.")
    url: str | None = strawberry.field(description="The author's website.")
    row: strawberry.Private[models.Author | AuthorRow]

    @classmethod
    def from_row(cls, row: models.Author | AuthorRow) -> Author:
        """The public view of an author row."""
        return cls(
            id=strawberry.ID(to_global_id("Author", row.id)),
            database_id=row.id,
            slug=row.slug,
            name=row.name,
            bio=row.bio or None,
            url=row.url or None,
            row=row,
        )

    posts = relation_connection(
        description="The author's published posts, newest first.",
        node=PostRef,
        ordering=DEFAULT_POST_ORDERING,
        pages=lambda loaders: loaders.posts_by_author,
        count=lambda loaders: loaders.post_count_by_author,
        to_node=lambda row: post_type().from_row(row),
    )
