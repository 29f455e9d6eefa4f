"""Writing authors (editors only): create, update, delete.

An author who still has posts is `IN_USE` unless the input names `reassignTo`, an author
their posts move to. An author's email stays private: it is written here and never read
by any public type.
"""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

import models
from gql.authors.types import Author
from gql.cache.dependencies import AUTHORS, POSTS, author_tag, post_tag
from gql.context import Info
from gql.core.ids import input_pk, to_global_id
from gql.core.input_rules import email_problems, text_problems, url_problems
from gql.core.permissions import Permission, require
from gql.core.slug_rules import free_slug, slug_problem, slug_taken, slug_taken_problem
from gql.errors import Problem, UserError, UserErrorCode
from gql.posts.mutations import DeletePayload
from gql.publishing import change_log
from gql.publishing.audit import Change, audited_write


@strawberry.input(description="A new author.")
class CreateAuthorInput:
    name: str = strawberry.field(description="Their name, 1 to 250 characters.")
    slug: str | None = strawberry.field(
        default=None, description="Made from the name if not given."
    )
    bio: str | None = strawberry.field(default=None, description="A few words about them.")
    url: str | None = strawberry.field(default=None, description="Their website (http or https).")
    email: str | None = strawberry.field(default=None, description="Private: never published.")


@strawberry.input(description="Changes to an author: fields not given stay as they are.")
class UpdateAuthorInput:
    id: strawberry.ID = strawberry.field(description="The author.")
    name: str | None = strawberry.field(default=None, description="A new name.")
    slug: str | None = strawberry.field(default=None, description="A new slug.")
    bio: str | None = strawberry.field(default=None, description="A new bio.")
    url: str | None = strawberry.field(default=None, description="A new website.")
    email: str | None = strawberry.field(default=None, description="A new (private) email.")


@strawberry.input(description="Delete an author.")
class DeleteAuthorInput:
    id: strawberry.ID = strawberry.field(description="The author.")
    reassign_to: strawberry.ID | None = strawberry.field(
        default=None, description="Who their posts go to; required while they have posts."
    )


@strawberry.type(description="The answer to an author write.")
class AuthorPayload:
    author: Author | None = strawberry.field(description="The author as they are now.")
    errors: list[UserError] = strawberry.field(description="Empty on success.")


def _tags(author_id: int, post_ids: list[int] | None = None) -> set[str]:
    """An author's answers, the list of authors, and posts' lists (author archives)."""
    return {author_tag(author_id), AUTHORS, POSTS, *(post_tag(p) for p in post_ids or [])}


async def _author(raw: str | None, field: str, problems: list[Problem]) -> int | None:
    """The key of an existing author named by an input ID."""
    if raw is None:
        return None
    pk = input_pk(raw, "Author")
    if pk is None:
        problems.append(Problem(field, UserErrorCode.INVALID, "Not an Author ID."))
    elif not await models.Author.exists(id=pk):
        problems.append(Problem(field, UserErrorCode.NOT_FOUND, "No such author."))
    return pk


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


def _payload(row: models.Author | None, problems: list[Problem]) -> AuthorPayload:
    if problems or row is None:
        return AuthorPayload(author=None, errors=[p.user_error() for p in problems])
    return AuthorPayload(author=Author.from_model(row), errors=[])


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
        if problems:
            return _payload(None, problems)
        row = models.Author(
            name=input.name.strip(),
            bio=input.bio or None,
            url=input.url or None,
            email=input.email or None,
        )

        async def block(connection: Any) -> Change:
            if input.slug is not None:
                if await slug_taken(models.Author, input.slug, None, connection):
                    return Change(problems=[slug_taken_problem("author")])
                row.slug = input.slug
            else:
                row.slug = await free_slug(models.Author, row.name, "author", connection)
            await row.save(using_db=connection)
            await change_log.taxonomy_changed(
                connection, "Author", row.id, row.slug, _tags(row.id), row.updated_at
            )
            return Change(target=f"Author:{row.id}", details=row.slug, tags=_tags(row.id))

        problems = await audited_write(
            info.context, viewer, "author.create", block, slug_of="author"
        )
        return _payload(row, problems)

    @strawberry.mutation(description="Change an author (editors only).")
    async def update_author(
        self,
        info: Info,
        input: Annotated[UpdateAuthorInput, strawberry.argument(description="The changes.")],
    ) -> AuthorPayload:
        viewer = require(info.context.viewer, Permission.WRITE_CONTENT)
        problems: list[Problem] = []
        pk = await _author(input.id, "id", problems)
        problems += _field_problems(input.name, input.slug, input.bio, input.url, input.email)
        if problems or pk is None:
            return _payload(None, problems)
        row = await models.Author.get(id=pk)

        async def block(connection: Any) -> Change:
            if input.slug is not None and input.slug != row.slug:
                if await slug_taken(models.Author, input.slug, row.id, connection):
                    return Change(problems=[slug_taken_problem("author")])
                row.slug = input.slug
            if input.name is not None:
                row.name = input.name.strip()
            for field in ("bio", "url", "email"):
                value = getattr(input, field)
                if value is not None:
                    setattr(row, field, value or None)
            await row.save(using_db=connection)
            await change_log.taxonomy_changed(
                connection, "Author", row.id, row.slug, _tags(row.id), row.updated_at
            )
            return Change(target=f"Author:{row.id}", tags=_tags(row.id))

        problems = await audited_write(
            info.context, viewer, "author.update", block, slug_of="author"
        )
        return _payload(row, problems)

    @strawberry.mutation(
        description="Delete an author (editors only): their posts move to `reassignTo`."
    )
    async def delete_author(
        self,
        info: Info,
        input: Annotated[DeleteAuthorInput, strawberry.argument(description="Who.")],
    ) -> DeletePayload:
        viewer = require(info.context.viewer, Permission.WRITE_CONTENT)
        problems: list[Problem] = []
        pk = await _author(input.id, "id", problems)
        target_pk = await _author(input.reassign_to, "reassignTo", problems)
        if pk is not None and target_pk == pk:
            problems.append(
                Problem("reassignTo", UserErrorCode.INVALID, "Reassign to another author.")
            )
        if problems or pk is None:
            return DeletePayload(deleted_id=None, errors=[p.user_error() for p in problems])

        async def block(connection: Any) -> Change:
            author = await models.Author.get(id=pk, using_db=connection)
            post_ids = await change_log.ids_of(
                models.Post.filter(author_id=pk).using_db(connection)
            )
            if post_ids and target_pk is None:
                in_use = Problem(
                    "id", UserErrorCode.IN_USE, f"{len(post_ids)} posts are by this author."
                )
                return Change(problems=[in_use])
            if post_ids:
                await (
                    models.Post.filter(author_id=pk)
                    .using_db(connection)
                    .update(author_id=target_pk)
                )
            await models.Author.filter(id=pk).using_db(connection).delete()
            await change_log.removed(
                connection,
                "Author",
                pk,
                author.slug,
                post_ids,
                _tags(pk, post_ids),
                info.context.now,
            )
            details = f"{len(post_ids)} posts moved" if post_ids else ""
            return Change(target=f"Author:{pk}", details=details, tags=_tags(pk, post_ids))

        problems = await audited_write(
            info.context, viewer, "author.delete", block, slug_of="author"
        )
        if problems:
            return DeletePayload(deleted_id=None, errors=[p.user_error() for p in problems])
        return DeletePayload(deleted_id=strawberry.ID(to_global_id("Author", pk)), errors=[])
