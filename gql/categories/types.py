"""The `Category` type."""

from __future__ import annotations

import strawberry

import models
from gql.context import Info
from gql.core.ids import to_global_id
from gql.core.late_types import posts_connection
from gql.core.node import Node
from models.rows import CATEGORIES, CategoryRow


@strawberry.type(description="A category of posts; categories nest.")
class Category(Node):
    database_id: int = strawberry.field(description="The category's primary key in the database.")
    slug: str = strawberry.field(description="URL-friendly name, unique among categories.")
    name: str = strawberry.field(description="Display name.")
    description: str | None = strawberry.field(description="What the category is about.")
    uri: str = strawberry.field(
        description="Its archive's address on the site, nested like its parents: "
        '"/category/running/trail/".'
    )
    row: strawberry.Private[CategoryRow]

    @classmethod
    def from_row(cls, row: CategoryRow) -> Category:
        """The public view of a category row."""
        return cls(
            id=strawberry.ID(to_global_id("Category", row.id)),
            database_id=row.id,
            slug=row.slug,
            name=row.name,
            description=row.description or None,
            uri=row.uri,
            row=row,
        )

    @classmethod
    def from_model(cls, category: models.Category) -> Category:
        """The public view of a category a write holds as a model: its row, made once
        at that boundary."""
        return cls.from_row(CATEGORIES.row_of(category))

    @strawberry.field(description="The category this one is nested in; null at the top.")
    async def parent(self, info: Info) -> Category | None:
        parent_id: int | None = self.row.parent_id
        if parent_id is None:
            return None
        row = await info.context.loaders.category_by_id.load(parent_id)
        return Category.from_row(row) if row is not None else None

    @strawberry.field(description="Categories nested directly in this one.")
    async def children(self, info: Info) -> list[Category]:
        rows = await info.context.loaders.children_by_category.load(self.row.id)
        return [Category.from_row(row) for row in rows]

    @strawberry.field(description="Number of published posts in this category itself.")
    async def post_count(self, info: Info) -> int:
        return await info.context.loaders.post_count_by_category.load(self.row.id)

    posts = posts_connection(
        description="Published posts in this category itself, newest first.",
        pages=lambda loaders: loaders.posts_by_category,
        count=lambda loaders: loaders.post_count_by_category,
    )
