"""Root fields that read categories."""

from __future__ import annotations

from typing import Annotated

import strawberry

import models
from gql.categories.types import Category
from gql.context import Info
from gql.core.ids import pk_of
from gql.core.orderings import CATEGORY_ORDERING
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
from models.rows import CATEGORIES, CategoryRow


@strawberry.type
class CategoryQueries:
    @strawberry.field(description="One category, by exactly one of `id` or `slug`.")
    async def category(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID | None, strawberry.argument(description="The category's global ID.")
        ] = None,
        slug: Annotated[str | None, strawberry.argument(description="The category's slug.")] = None,
    ) -> Category | None:
        if (id is None) == (slug is None):
            raise BadUserInputError("Pass exactly one of 'id' or 'slug'.")
        row: CategoryRow | None
        if id is not None:
            pk = pk_of(id, "Category")
            row = await info.context.loaders.category_by_id.load(pk) if pk is not None else None
        else:
            row = await CATEGORIES.by("slug", text_argument(slug or "", "slug"))
            if row is not None:
                info.context.depends.categories([row.id])
            else:
                info.context.depends.category_list()
        return Category.from_row(row) if row is not None else None

    @strawberry.field(description="All categories (every level), in the order they were added.")
    async def categories(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Category]:
        info.context.depends.category_list()
        page = page_request(CATEGORY_ORDERING, first, after, last, before)
        return await connection_from_query(
            models.Category.all(), CATEGORY_ORDERING, page, Category.from_row, CATEGORIES.read
        )
