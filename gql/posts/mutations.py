"""Authoring mutations for posts (editors only): create, update, publish, unpublish,
delete. Inputs and payloads follow `submitComment`: problems come back as `errors`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

import models
from gql.context import Context, Info
from gql.core.enums import CommentStatus
from gql.core.ids import to_global_id
from gql.core.permissions import Permission, Viewer, require
from gql.errors import Problem, UserError
from gql.posts import authoring
from gql.posts.seo import SeoInput, seo_draft
from gql.posts.types import Post


@strawberry.input(description="A new post; it starts as a DRAFT.")
class CreatePostInput:
    title: str = strawberry.field(description="Plain text, 1 to 1,000 characters.")
    content: str = strawberry.field(
        description="The body: HTML (sanitised) or plain text with blank lines between paragraphs."
    )
    slug: str | None = strawberry.field(
        default=None,
        description="Lowercase words joined by hyphens; made from the title when not given.",
    )
    excerpt: str | None = strawberry.field(
        default=None, description="A summary (HTML); the first words of the body if none."
    )
    author_id: strawberry.ID = strawberry.field(description="Who wrote it.")
    category_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Its categories."
    )
    tag_ids: list[strawberry.ID] | None = strawberry.field(default=None, description="Its tags.")
    sticky: bool | None = strawberry.field(
        default=None, description="Kept at the top of the front page (default false)."
    )
    comment_status: CommentStatus | None = strawberry.field(
        default=None, description="Whether it takes comments (default OPEN)."
    )
    featured_image_id: strawberry.ID | None = strawberry.field(
        default=None, description="A media item (an image) that stands for the post."
    )
    seo: SeoInput | None = strawberry.field(
        default=None, description="How search engines and shares show it."
    )


@strawberry.input(description="Changes to a post: fields not given stay as they are.")
class UpdatePostInput:
    id: strawberry.ID = strawberry.field(description="The post.")
    title: str | None = strawberry.field(default=None, description="A new title.")
    content: str | None = strawberry.field(default=None, description="A new body.")
    slug: str | None = strawberry.field(
        default=None, description="A new slug: a published post keeps its old address too."
    )
    excerpt: str | None = strawberry.field(default=None, description="A new summary.")
    author_id: strawberry.ID | None = strawberry.field(default=None, description="Its author.")
    category_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Its categories (all of them; [] for none)."
    )
    tag_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Its tags (all of them; [] for none)."
    )
    sticky: bool | None = strawberry.field(
        default=None, description="Whether it is kept at the top of the front page."
    )
    comment_status: CommentStatus | None = strawberry.field(
        default=None, description="Whether it takes comments."
    )
    featured_image_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="A new featured image; null removes it."
    )
    seo: SeoInput | None = strawberry.field(
        default=None, description="SEO fields to change (those not given stay)."
    )


@strawberry.input(description="Publish a post now, or schedule it.")
class PublishPostInput:
    id: strawberry.ID = strawberry.field(description="The post.")
    at: datetime | None = strawberry.field(
        default=None,
        description="When it becomes public (default: now, or its first publication date).",
    )


@strawberry.input(description="Take a post back to draft.")
class UnpublishPostInput:
    id: strawberry.ID = strawberry.field(description="The post.")


@strawberry.input(description="Delete a post, with its comments.")
class DeletePostInput:
    id: strawberry.ID = strawberry.field(description="The post.")


@strawberry.type(description="The answer to a post write.")
class PostPayload:
    post: Post | None = strawberry.field(description="The post as it is now.")
    errors: list[UserError] = strawberry.field(description="Empty on success.")


@strawberry.type(description="The answer to a delete.")
class DeletePayload:
    deleted_id: strawberry.ID | None = strawberry.field(description="The deleted object's ID.")
    errors: list[UserError] = strawberry.field(description="Empty on success.")

    @classmethod
    def answer(cls, typename: str, pk: int | None, problems: list[Problem]) -> DeletePayload:
        """The deleted `typename` `pk`, or (None) the problems that stopped the delete."""
        if problems or pk is None:
            return cls(deleted_id=None, errors=[p.user_error() for p in problems])
        return cls(deleted_id=strawberry.ID(to_global_id(typename, pk)), errors=[])


def editor(context: Context) -> Viewer:
    """The viewer, who must be an editor (posts and pages are written by the same roles);
    the answer is theirs alone, never cached or shared."""
    viewer = require(context.viewer, Permission.WRITE_CONTENT)
    context.depends.private()
    return viewer


def _comment_status(value: CommentStatus | None) -> models.CommentStatus | None:
    if value is None:
        return None
    return models.CommentStatus.OPEN if value == CommentStatus.OPEN else models.CommentStatus.CLOSED


def _draft(sent: CreatePostInput | UpdatePostInput) -> authoring.PostDraft:
    """The input's fields, None where it leaves them as they are."""
    return authoring.PostDraft(
        title=sent.title,
        content=sent.content,
        slug=sent.slug,
        excerpt=sent.excerpt,
        author_id=sent.author_id,
        category_ids=list(sent.category_ids) if sent.category_ids is not None else None,
        tag_ids=list(sent.tag_ids) if sent.tag_ids is not None else None,
        sticky=sent.sticky,
        comment_status=_comment_status(sent.comment_status),
        featured_image_given=sent.featured_image_id is not strawberry.UNSET
        and (isinstance(sent, UpdatePostInput) or sent.featured_image_id is not None),
        featured_image_id=sent.featured_image_id
        if sent.featured_image_id is not strawberry.UNSET
        else None,
        seo=seo_draft(sent.seo),
    )


def _payload(done: authoring.Authored) -> PostPayload:
    if done.post is None:
        return PostPayload(post=None, errors=[p.user_error() for p in done.problems])
    return PostPayload(post=Post.from_model(done.post), errors=[])


@strawberry.type
class PostMutations:
    @strawberry.mutation(description="Write a new post (editors only); it starts as a DRAFT.")
    async def create_post(
        self,
        info: Info,
        input: Annotated[CreatePostInput, strawberry.argument(description="The post.")],
    ) -> PostPayload:
        viewer = editor(info.context)
        return _payload(await authoring.create_post(info.context, viewer, _draft(input)))

    @strawberry.mutation(description="Change a post (editors only).")
    async def update_post(
        self,
        info: Info,
        input: Annotated[UpdatePostInput, strawberry.argument(description="The changes.")],
    ) -> PostPayload:
        viewer = editor(info.context)
        draft = _draft(input)
        return _payload(await authoring.update_post(info.context, viewer, input.id, draft))

    @strawberry.mutation(description="Publish a post now or at a time (editors only).")
    async def publish_post(
        self,
        info: Info,
        input: Annotated[PublishPostInput, strawberry.argument(description="When.")],
    ) -> PostPayload:
        viewer = editor(info.context)
        return _payload(await authoring.publish_post(info.context, viewer, input.id, input.at))

    @strawberry.mutation(description="Take a post back to draft (editors only).")
    async def unpublish_post(
        self,
        info: Info,
        input: Annotated[UnpublishPostInput, strawberry.argument(description="The post.")],
    ) -> PostPayload:
        viewer = editor(info.context)
        return _payload(await authoring.unpublish_post(info.context, viewer, input.id))

    @strawberry.mutation(description="Delete a post and its comments (editors only).")
    async def delete_post(
        self,
        info: Info,
        input: Annotated[DeletePostInput, strawberry.argument(description="The post.")],
    ) -> DeletePayload:
        viewer = editor(info.context)
        done = await authoring.delete_post(info.context, viewer, input.id)
        return DeletePayload.answer("Post", done.post.id if done.post else None, done.problems)
