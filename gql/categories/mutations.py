"""Writing categories (editors only): create, update, delete.

A category that still has posts is `IN_USE` unless the input names `reassignTo`, a category
its posts move to; its child categories move up to its own parent. A category cannot become
its own ancestor.
"""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

import models
from gql.categories.types import Category
from gql.context import Info
from gql.core.input_rules import text_problems
from gql.core.permissions import Permission, require
from gql.core.slug_rules import slug_problem
from gql.errors import Problem, UserError, UserErrorCode
from gql.posts.mutations import DeletePayload
from gql.publishing.kinds import CATEGORY
from gql.publishing.slugged_writes import SluggedWrites


@strawberry.input(description="A new category.")
class CreateCategoryInput:
    name: str = strawberry.field(description="Its name, 1 to 250 characters.")
    slug: str | None = strawberry.field(
        default=None, description="Made from the name if not given."
    )
    description: str | None = strawberry.field(default=None, description="What it is about.")
    parent_id: strawberry.ID | None = strawberry.field(
        default=None, description="The category it sits in, if any."
    )


@strawberry.input(description="Changes to a category: fields not given stay as they are.")
class UpdateCategoryInput:
    id: strawberry.ID = strawberry.field(description="The category.")
    name: str | None = strawberry.field(default=None, description="A new name.")
    slug: str | None = strawberry.field(default=None, description="A new slug.")
    description: str | None = strawberry.field(default=None, description="A new description.")
    parent_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="A new parent; null makes it top-level."
    )


@strawberry.input(description="Delete a category.")
class DeleteCategoryInput:
    id: strawberry.ID = strawberry.field(description="The category.")
    reassign_to: strawberry.ID | None = strawberry.field(
        default=None, description="Where its posts go; required while it has posts."
    )


@strawberry.type(description="The answer to a category write.")
class CategoryPayload:
    category: Category | None = strawberry.field(description="The category as it is now.")
    errors: list[UserError] = strawberry.field(description="Empty on success.")


CATEGORIES_WRITES = SluggedWrites(
    models.Category, CATEGORY, "category", addresses=models.refresh_category_uris
)


async def _makes_a_cycle(category_id: int, parent_id: int) -> bool:
    """Whether `parent_id` is the category itself or one of its descendants."""
    seen: set[int] = set()
    current: int | None = parent_id
    while current is not None and current not in seen:
        if current == category_id:
            return True
        seen.add(current)
        row = await models.Category.get_or_none(id=current)
        current = row.parent_id if row else None
    return False


def _field_problems(name: str | None, slug: str | None, description: str | None) -> list[Problem]:
    problems = text_problems("name", name, maximum=250, required=name is not None)
    problems += text_problems("description", description, maximum=10_000)
    invalid_slug = slug_problem(slug)
    problems += [invalid_slug] if invalid_slug else []
    return problems


def _payload(row: models.Category | None, problems: list[Problem]) -> CategoryPayload:
    if problems or row is None:
        return CategoryPayload(category=None, errors=[p.user_error() for p in problems])
    return CategoryPayload(category=Category.from_model(row), errors=[])


async def _move_posts(connection: Any, from_pk: int, post_ids: list[int], to_pk: int) -> None:
    target = await models.Category.get(id=to_pk, using_db=connection)
    for post in await models.Post.filter(id__in=post_ids).using_db(connection):
        await post.categories.add(target, using_db=connection)


async def _move_children(connection: Any, row: models.Category) -> None:
    """A deleted category's children move up to its parent."""
    await (
        models.Category.filter(parent_id=row.id)
        .using_db(connection)
        .update(parent_id=row.parent_id)
    )


@strawberry.type
class CategoryMutations:
    @strawberry.mutation(description="Make a category (editors only).")
    async def create_category(
        self,
        info: Info,
        input: Annotated[CreateCategoryInput, strawberry.argument(description="The category.")],
    ) -> CategoryPayload:
        viewer = require(info.context.viewer, Permission.WRITE_CONTENT)
        problems = _field_problems(input.name, input.slug, input.description)
        parent_pk = await CATEGORIES_WRITES.existing(input.parent_id, "parentId", problems)
        if problems:
            return _payload(None, problems)
        row = models.Category(
            name=input.name.strip(), description=input.description or None, parent_id=parent_pk
        )
        problems = await CATEGORIES_WRITES.create(info.context, viewer, row, input.slug)
        return _payload(row, problems)

    @strawberry.mutation(description="Change a category (editors only).")
    async def update_category(
        self,
        info: Info,
        input: Annotated[UpdateCategoryInput, strawberry.argument(description="The changes.")],
    ) -> CategoryPayload:
        viewer = require(info.context.viewer, Permission.WRITE_CONTENT)
        problems: list[Problem] = []
        pk = await CATEGORIES_WRITES.existing(input.id, "id", problems)
        problems += _field_problems(input.name, input.slug, input.description)
        moving = input.parent_id is not strawberry.UNSET
        parent_pk = (
            await CATEGORIES_WRITES.existing(input.parent_id, "parentId", problems)
            if moving
            else None
        )
        if pk is not None and parent_pk is not None and await _makes_a_cycle(pk, parent_pk):
            problems.append(
                Problem("parentId", UserErrorCode.INVALID, "A category cannot sit inside itself.")
            )
        if problems or pk is None:
            return _payload(None, problems)
        row = await models.Category.get(id=pk)

        def apply(row: models.Category) -> None:
            if input.name is not None:
                row.name = input.name.strip()
            if input.description is not None:
                # Tortoise types a nullable TextField as `str`.
                row.description = input.description or None  # type: ignore[assignment]
            if moving:
                row.parent_id = parent_pk

        problems = await CATEGORIES_WRITES.update(info.context, viewer, row, input.slug, apply)
        return _payload(row, problems)

    @strawberry.mutation(
        description="Delete a category (editors only): its posts move to `reassignTo`, its "
        "children up to its parent."
    )
    async def delete_category(
        self,
        info: Info,
        input: Annotated[DeleteCategoryInput, strawberry.argument(description="Which.")],
    ) -> DeletePayload:
        viewer = require(info.context.viewer, Permission.WRITE_CONTENT)
        deleted = await CATEGORIES_WRITES.delete(
            info.context,
            viewer,
            input.id,
            input.reassign_to,
            posts=lambda pk: models.Post.filter(categories__id=pk),
            in_use="are in this category",
            move=_move_posts,
            before_delete=_move_children,
        )
        return DeletePayload.answer("Category", deleted.pk, deleted.problems)
