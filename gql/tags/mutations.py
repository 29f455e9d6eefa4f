"""Writing tags (editors only): create, update, delete.

A deleted tag is taken off its posts, as WordPress does: never `IN_USE`, and those posts
are announced as changed (their tags did).
"""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from pypika_tortoise.queries import Table

import models
from gql.context import Info
from gql.core.input_rules import text_problems
from gql.core.permissions import Permission, require
from gql.core.slug_rules import slug_problem
from gql.errors import Problem, UserError
from gql.posts.mutations import DeletePayload
from gql.publishing.kinds import TAG
from gql.publishing.slugged_writes import SluggedWrites
from gql.tags.types import Tag


@strawberry.input(description="A new tag.")
class CreateTagInput:
    name: str = strawberry.field(description="Its name, 1 to 250 characters.")
    slug: str | None = strawberry.field(
        default=None, description="Made from the name if not given."
    )
    description: str | None = strawberry.field(default=None, description="What it is about.")


@strawberry.input(description="Changes to a tag: fields not given stay as they are.")
class UpdateTagInput:
    id: strawberry.ID = strawberry.field(description="The tag.")
    name: str | None = strawberry.field(default=None, description="A new name.")
    slug: str | None = strawberry.field(default=None, description="A new slug.")
    description: str | None = strawberry.field(default=None, description="A new description.")


@strawberry.input(description="Delete a tag: its posts lose it.")
class DeleteTagInput:
    id: strawberry.ID = strawberry.field(description="The tag.")


@strawberry.type(description="The answer to a tag write.")
class TagPayload:
    tag: Tag | None = strawberry.field(description="The tag as it is now.")
    errors: list[UserError] = strawberry.field(description="Empty on success.")


TAGS_WRITES = SluggedWrites(models.Tag, TAG, "tag", address=lambda row: models.tag_uri(row.slug))


def _field_problems(name: str | None, slug: str | None, description: str | None) -> list[Problem]:
    problems = text_problems("name", name, maximum=250, required=name is not None)
    problems += text_problems("description", description, maximum=10_000)
    invalid_slug = slug_problem(slug)
    problems += [invalid_slug] if invalid_slug else []
    return problems


def _payload(row: models.Tag | None, problems: list[Problem]) -> TagPayload:
    if problems or row is None:
        return TagPayload(tag=None, errors=[p.user_error() for p in problems])
    return TagPayload(tag=Tag.from_model(row), errors=[])


async def _detach(connection: Any, tag_pk: int) -> None:
    """Take the tag `tag_pk` off every post, in one statement."""
    table = Table("post_tag")
    # An integer key the write read itself: safe to write into the statement.
    delete = connection.query_class.from_(table).where(table.tag_id == int(tag_pk)).delete()
    await connection.execute_query(str(delete))


@strawberry.type
class TagMutations:
    @strawberry.mutation(description="Make a tag (editors only).")
    async def create_tag(
        self,
        info: Info,
        input: Annotated[CreateTagInput, strawberry.argument(description="The tag.")],
    ) -> TagPayload:
        viewer = require(info.context.viewer, Permission.WRITE_CONTENT)
        problems = _field_problems(input.name, input.slug, input.description)
        if problems:
            return _payload(None, problems)
        row = models.Tag(name=input.name.strip(), description=input.description or None)
        problems = await TAGS_WRITES.create(info.context, viewer, row, input.slug)
        return _payload(row, problems)

    @strawberry.mutation(description="Change a tag (editors only).")
    async def update_tag(
        self,
        info: Info,
        input: Annotated[UpdateTagInput, strawberry.argument(description="The changes.")],
    ) -> TagPayload:
        viewer = require(info.context.viewer, Permission.WRITE_CONTENT)
        problems: list[Problem] = []
        pk = await TAGS_WRITES.existing(input.id, "id", problems)
        problems += _field_problems(input.name, input.slug, input.description)
        if problems or pk is None:
            return _payload(None, problems)
        row = await models.Tag.get(id=pk)

        def apply(row: models.Tag) -> None:
            if input.name is not None:
                row.name = input.name.strip()
            if input.description is not None:
                # Tortoise types a nullable TextField as `str`.
                row.description = input.description or None  # type: ignore[assignment]

        problems = await TAGS_WRITES.update(info.context, viewer, row, input.slug, apply)
        return _payload(row, problems)

    @strawberry.mutation(description="Delete a tag (editors only): its posts lose it.")
    async def delete_tag(
        self,
        info: Info,
        input: Annotated[DeleteTagInput, strawberry.argument(description="Which.")],
    ) -> DeletePayload:
        viewer = require(info.context.viewer, Permission.WRITE_CONTENT)
        deleted = await TAGS_WRITES.delete(
            info.context,
            viewer,
            input.id,
            None,
            posts=lambda pk: models.Post.filter(tags__id=pk),
            detach=_detach,
        )
        return DeletePayload.answer("Tag", deleted.pk, deleted.problems)
