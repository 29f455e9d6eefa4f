"""The `Author` type. It has no email field: the public never reads it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

import models
from gql.context import Info
from gql.core.ids import to_global_id
from gql.core.late_types import post_type
from gql.core.node import Node
from gql.core.orderings import DEFAULT_POST_ORDERING
from gql.pagination import After, Before, Connection, First, Last, build_connection, page_request
from models.rows import AUTHORS, AuthorRow

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
            row=row,
        )

    @classmethod
    def from_model(cls, author: models.Author) -> Author:
        """The public view of an author a write holds as a model: its row, made once
        at that boundary."""
        return cls.from_row(AUTHORS.row_of(author))

    @strawberry.field(description="The author's published posts, newest first.")
    async def posts(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[PostRef]:
        loaders = info.context.loaders
        page = page_request(DEFAULT_POST_ORDERING, first, after, last, before)
        return build_connection(
            await loaders.posts_by_author.load((self.row.id, page)),
            DEFAULT_POST_ORDERING,
            post_type().from_row,
            lambda: loaders.post_count_by_author.load(self.row.id),
        )
