"""Writing categories (editors only): create, update, delete.

A category that still has posts is `IN_USE` unless the input names `reassignTo`, a category
its posts move to; its child categories move up to its own parent. A category cannot become
its own ancestor.
"""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

import models
from gql.cache.dependencies import CATEGORIES, POSTS, category_tag, post_tag
from gql.categories.types import Category
from gql.context import Info
from gql.core.ids import input_pk, to_global_id
from gql.core.input_rules import text_problems
from gql.core.permissions import Permission, require
from gql.core.slug_rules import free_slug, slug_problem, slug_taken, slug_taken_problem
from gql.errors import Problem, UserError, UserErrorCode
from gql.posts.mutations import DeletePayload
from gql.publishing import change_log
from gql.publishing.audit import Change, audited_write


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


def _tags(category_id: int, post_ids: list[int] | None = None) -> set[str]:
    """A category's answers, every list of categories, and posts' counts and lists."""
    return {category_tag(category_id), CATEGORIES, POSTS, *(post_tag(p) for p in post_ids or [])}


async def _category(raw: str | None, field: str, problems: list[Problem]) -> int | None:
    """The key of an existing category named by an input ID."""
    if raw is None:
        return None
    pk = input_pk(raw, "Category")
    if pk is None:
        problems.append(Problem(field, UserErrorCode.INVALID, "Not a Category ID."))
    elif not await models.Category.exists(id=pk):
        problems.append(Problem(field, UserErrorCode.NOT_FOUND, "No such category."))
    return pk


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


def _payload(row: models.Category | None, problems: list[Problem]) -> CategoryPayload:
    if problems or row is None:
        return CategoryPayload(category=None, errors=[p.user_error() for p in problems])
    return CategoryPayload(category=Category.from_model(row), errors=[])


@strawberry.type
class CategoryMutations:
    @strawberry.mutation(description="Make a category (editors only).")
    async def create_category(
        self,
        info: Info,
        input: Annotated[CreateCategoryInput, strawberry.argument(description="The category.")],
    ) -> CategoryPayload:
        viewer = require(info.context.viewer, Permission.WRITE_CONTENT)
        problems = text_problems("name", input.name, maximum=250, required=True)
        problems += text_problems("description", input.description, maximum=10_000)
        invalid_slug = slug_problem(input.slug)
        problems += [invalid_slug] if invalid_slug else []
        parent_pk = await _category(input.parent_id, "parentId", problems)
        if problems:
            return _payload(None, problems)
        row = models.Category(
            name=input.name.strip(), description=input.description or None, parent_id=parent_pk
        )

        async def block(connection: Any) -> Change:
            if input.slug is not None:
                if await slug_taken(models.Category, input.slug, None, connection):
                    return Change(problems=[slug_taken_problem("category")])
                row.slug = input.slug
            else:
                row.slug = await free_slug(models.Category, row.name, "category", connection)
            await row.save(using_db=connection)
            await change_log.taxonomy_changed(
                connection, "Category", row.id, row.slug, _tags(row.id), row.updated_at
            )
            return Change(target=f"Category:{row.id}", details=row.slug, tags=_tags(row.id))

        problems = await audited_write(
            info.context, viewer, "category.create", block, slug_of="category"
        )
        return _payload(row, problems)

    @strawberry.mutation(description="Change a category (editors only).")
    async def update_category(
        self,
        info: Info,
        input: Annotated[UpdateCategoryInput, strawberry.argument(description="The changes.")],
    ) -> CategoryPayload:
        viewer = require(info.context.viewer, Permission.WRITE_CONTENT)
        problems: list[Problem] = []
        pk = await _category(input.id, "id", problems)
        problems += text_problems("name", input.name, maximum=250, required=input.name is not None)
        problems += text_problems("description", input.description, maximum=10_000)
        invalid_slug = slug_problem(input.slug)
        problems += [invalid_slug] if invalid_slug else []
        moving = input.parent_id is not strawberry.UNSET
        parent_pk = await _category(input.parent_id, "parentId", problems) if moving else None
        if pk is not None and parent_pk is not None and await _makes_a_cycle(pk, parent_pk):
            problems.append(
                Problem("parentId", UserErrorCode.INVALID, "A category cannot sit inside itself.")
            )
        if problems or pk is None:
            return _payload(None, problems)
        row = await models.Category.get(id=pk)

        async def block(connection: Any) -> Change:
            if input.slug is not None and input.slug != row.slug:
                if await slug_taken(models.Category, input.slug, row.id, connection):
                    return Change(problems=[slug_taken_problem("category")])
                row.slug = input.slug
            if input.name is not None:
                row.name = input.name.strip()
            if input.description is not None:
                # Tortoise types a nullable TextField as `str`.
                row.description = input.description or None  # type: ignore[assignment]
            if moving:
                row.parent_id = parent_pk
            await row.save(using_db=connection)
            await change_log.taxonomy_changed(
                connection, "Category", row.id, row.slug, _tags(row.id), row.updated_at
            )
            return Change(target=f"Category:{row.id}", tags=_tags(row.id))

        problems = await audited_write(
            info.context, viewer, "category.update", block, slug_of="category"
        )
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
        problems: list[Problem] = []
        pk = await _category(input.id, "id", problems)
        target_pk = await _category(input.reassign_to, "reassignTo", problems)
        if pk is not None and target_pk == pk:
            problems.append(
                Problem("reassignTo", UserErrorCode.INVALID, "Reassign to another category.")
            )
        if problems or pk is None:
            return DeletePayload(deleted_id=None, errors=[p.user_error() for p in problems])
        row = await models.Category.get(id=pk)

        async def block(connection: Any) -> Change:
            post_ids = await change_log.ids_of(
                models.Post.filter(categories__id=pk).using_db(connection)
            )
            if post_ids and target_pk is None:
                in_use = Problem(
                    "id", UserErrorCode.IN_USE, f"{len(post_ids)} posts are in this category."
                )
                return Change(problems=[in_use])
            if target_pk is not None and post_ids:
                target = await models.Category.get(id=target_pk, using_db=connection)
                for post in await models.Post.filter(id__in=post_ids).using_db(connection):
                    await post.categories.add(target, using_db=connection)
            await (
                models.Category.filter(parent_id=pk)
                .using_db(connection)
                .update(parent_id=row.parent_id)
            )
            await row.delete(using_db=connection)
            await change_log.removed(
                connection,
                "Category",
                pk,
                row.slug,
                post_ids,
                _tags(pk, post_ids),
                info.context.now,
            )
            details = f"{len(post_ids)} posts moved" if post_ids else ""
            return Change(target=f"Category:{pk}", details=details, tags=_tags(pk, post_ids))

        problems = await audited_write(
            info.context, viewer, "category.delete", block, slug_of="category"
        )
        if problems:
            return DeletePayload(deleted_id=None, errors=[p.user_error() for p in problems])
        return DeletePayload(deleted_id=strawberry.ID(to_global_id("Category", pk)), errors=[])
