"""Writing authors (editors only): create, update, delete.

An author who still has posts or pages is `IN_USE` unless the input names `reassignTo`, an
author their posts and pages move to. An author's email stays private: it is written here
and never read by any public type.
"""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

import models
from gql.authors.types import Author
from gql.context import Info
from gql.core.ids import input_pk
from gql.core.input_rules import email_problems, text_problems, url_problems
from gql.core.permissions import Permission, require
from gql.core.slug_rules import slug_problem
from gql.errors import Problem, UserError, UserErrorCode
from gql.posts.mutations import DeletePayload
from gql.publishing.kinds import AUTHOR
from gql.publishing.slugged_writes import SluggedWrites


@strawberry.input(description="A new author.")
class CreateAuthorInput:
    name: str = strawberry.field(description="Their name, 1 to 250 characters.")
    slug: str | None = strawberry.field(
        default=None, description="Made from the name if not given."
    )
    bio: str | None = strawberry.field(default=None, description="A few words about them.")
    url: str | None = strawberry.field(default=None, description="Their website (http or https).")
    email: str | None = strawberry.field(default=None, description="Private: never published.")
    avatar_id: strawberry.ID | None = strawberry.field(
        default=None, description="A media item (an image): their picture."
    )


@strawberry.input(description="Changes to an author: fields not given stay as they are.")
class UpdateAuthorInput:
    id: strawberry.ID = strawberry.field(description="The author.")
    name: str | None = strawberry.field(default=None, description="A new name.")
    slug: str | None = strawberry.field(default=None, description="A new slug.")
    bio: str | None = strawberry.field(default=None, description="A new bio.")
    url: str | None = strawberry.field(default=None, description="A new website.")
    email: str | None = strawberry.field(default=None, description="A new (private) email.")
    avatar_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="A new picture; null removes it."
    )


@strawberry.input(description="Delete an author.")
class DeleteAuthorInput:
    id: strawberry.ID = strawberry.field(description="The author.")
    reassign_to: strawberry.ID | None = strawberry.field(
        default=None,
        description="Who their posts and pages go to; required while they have any.",
    )


@strawberry.type(description="The answer to an author write.")
class AuthorPayload:
    author: Author | None = strawberry.field(description="The author as they are now.")
    errors: list[UserError] = strawberry.field(description="Empty on success.")


AUTHORS_WRITES = SluggedWrites(
    models.Author, AUTHOR, "author", address=lambda row: models.author_uri(row.slug)
)


def _field_problems(
    name: str | None, slug: str | None, bio: str | None, url: str | None, email: str | None
) -> list[Problem]:
    problems = text_problems("name", name, maximum=250, required=name is not None)
    invalid_slug = slug_problem(slug)
    problems += [invalid_slug] if invalid_slug else []
    problems += text_problems("bio", bio, maximum=10_000)
    problems += url_problems("url", url)
    problems += email_problems("email", email)
    return problems


async def _avatar_pk(raw: str | None, problems: list[Problem]) -> int | None:
    """The avatar's key, checked to be an image that exists (None: none)."""
    if raw is None:
        return None
    pk = input_pk(raw, "MediaItem")
    if pk is None:
        problems.append(Problem("avatarId", UserErrorCode.INVALID, "Not a MediaItem ID."))
    elif not await models.MediaItem.exists(id=pk, width__isnull=False):
        problems.append(Problem("avatarId", UserErrorCode.NOT_FOUND, "No such image."))
    return pk


def _payload(row: models.Author | None, problems: list[Problem]) -> AuthorPayload:
    if problems or row is None:
        return AuthorPayload(author=None, errors=[p.user_error() for p in problems])
    return AuthorPayload(author=Author.from_model(row), errors=[])


async def _move_posts(connection: Any, from_pk: int, post_ids: list[int], to_pk: int) -> None:
    await models.Post.filter(author_id=from_pk).using_db(connection).update(author_id=to_pk)


@strawberry.type
class AuthorMutations:
    @strawberry.mutation(description="Add an author (editors only).")
    async def create_author(
        self,
        info: Info,
        input: Annotated[CreateAuthorInput, strawberry.argument(description="The author.")],
    ) -> AuthorPayload:
        viewer = require(info.context.viewer, Permission.WRITE_CONTENT)
        problems = _field_problems(input.name, input.slug, input.bio, input.url, input.email)
        avatar_pk = await _avatar_pk(input.avatar_id, problems)
        if problems:
            return _payload(None, problems)
        row = models.Author(
            name=input.name.strip(),
            bio=input.bio or None,
            url=input.url or None,
            email=input.email or None,
            avatar_id=avatar_pk,
        )
        problems = await AUTHORS_WRITES.create(info.context, viewer, row, input.slug)
        return _payload(row, problems)

    @strawberry.mutation(description="Change an author (editors only).")
    async def update_author(
        self,
        info: Info,
        input: Annotated[UpdateAuthorInput, strawberry.argument(description="The changes.")],
    ) -> AuthorPayload:
        viewer = require(info.context.viewer, Permission.WRITE_CONTENT)
        problems: list[Problem] = []
        pk = await AUTHORS_WRITES.existing(input.id, "id", problems)
        problems += _field_problems(input.name, input.slug, input.bio, input.url, input.email)
        new_avatar = input.avatar_id is not strawberry.UNSET
        avatar_pk = await _avatar_pk(input.avatar_id, problems) if new_avatar else None
        if problems or pk is None:
            return _payload(None, problems)
        row = await models.Author.get(id=pk)

        def apply(row: models.Author) -> None:
            if input.name is not None:
                row.name = input.name.strip()
            for field in ("bio", "url", "email"):
                value = getattr(input, field)
                if value is not None:
                    setattr(row, field, value or None)
            if new_avatar:
                row.avatar_id = avatar_pk

        problems = await AUTHORS_WRITES.update(info.context, viewer, row, input.slug, apply)
        return _payload(row, problems)

    @strawberry.mutation(
        description="Delete an author (editors only): their posts and pages move to `reassignTo`."
    )
    async def delete_author(
        self,
        info: Info,
        input: Annotated[DeleteAuthorInput, strawberry.argument(description="Who.")],
    ) -> DeletePayload:
        viewer = require(info.context.viewer, Permission.WRITE_CONTENT)
        pk = input_pk(input.id, "Author")
        target = input_pk(input.reassign_to, "Author") if input.reassign_to else None
        if pk is not None and target is None and input.reassign_to is None:
            pages = await models.Page.filter(author_id=pk).count()
            if pages:
                problem = Problem("id", UserErrorCode.IN_USE, f"{pages} pages are by this author.")
                return DeletePayload.answer("Author", None, [problem])

        async def move_pages(connection: Any, row: models.Author) -> None:
            # Their pages follow their posts (checked to exist by the delete itself).
            if target is not None:
                query = models.Page.filter(author_id=row.id).using_db(connection)
                await query.update(author_id=target)

        deleted = await AUTHORS_WRITES.delete(
            info.context,
            viewer,
            input.id,
            input.reassign_to,
            posts=lambda pk: models.Post.filter(author_id=pk),
            in_use="are by this author",
            move=_move_posts,
            before_delete=move_pages,
        )
        return DeletePayload.answer("Author", deleted.pk, deleted.problems)
