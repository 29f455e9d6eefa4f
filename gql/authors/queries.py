"""Root fields that read authors."""

from __future__ import annotations

from typing import Annotated

import strawberry

import models
from gql.authors.types import Author
from gql.context import Info
from gql.core.ids import pk_of
from gql.core.orderings import AUTHOR_ORDERING
from gql.errors import BadUserInputError, text_argument
from gql.pagination import (
    After,
    Before,
    Connection,
    First,
    Last,
    connection_from_query,
    page_request,
)
from models.rows import AUTHORS, AuthorRow


@strawberry.type
class AuthorQueries:
    @strawberry.field(description="One author, by exactly one of `id` or `slug`.")
    async def author(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID | None, strawberry.argument(description="The author's global ID.")
        ] = None,
        slug: Annotated[str | None, strawberry.argument(description="The author's slug.")] = None,
    ) -> Author | None:
        if (id is None) == (slug is None):
            raise BadUserInputError("Pass exactly one of 'id' or 'slug'.")
        row: AuthorRow | None
        if id is not None:
            pk = pk_of(id, "Author")
            row = await info.context.loaders.author_by_id.load(pk) if pk is not None else None
        else:
            row = await AUTHORS.by("slug", text_argument(slug or "", "slug"))
            if row is not None:
                info.context.depends.authors([row.id])
            else:
                info.context.depends.author_list()
        return Author.from_row(row) if row is not None else None

    @strawberry.field(description="All authors, in the order they were added.")
    async def authors(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Author]:
        info.context.depends.author_list()
        page = page_request(AUTHOR_ORDERING, first, after, last, before)
        return await connection_from_query(
            models.Author.all(), AUTHOR_ORDERING, page, Author.from_row, AUTHORS.read
        )
