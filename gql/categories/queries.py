"""Root fields that read categories."""

from __future__ import annotations

import strawberry

import models
from gql.categories.types import Category
from gql.core.orderings import CATEGORY_ORDERING
from gql.core.slugged import Slugged
from models import rows

CATEGORIES = Slugged(
    type_name="Category",
    noun="category",
    model=models.Category,
    rows=rows.CATEGORIES,
    node=Category,
    from_row=lambda: Category.from_row,
    ordering=CATEGORY_ORDERING,
    by_id=lambda loaders: loaders.category_by_id,
    rows_read=lambda depends: depends.categories,
    archive=models.CATEGORY_ARCHIVE,
    uri=lambda row: row.uri,
    list_read=lambda depends: depends.category_list,
)


@strawberry.type
class CategoryQueries:
    category = CATEGORIES.one_field("One category, by exactly one of `id` or `slug`.")
    categories = CATEGORIES.list_field(
        "All categories (every level), in the order they were added."
    )
