"""Authoring mutations for pages (editors only): create, update, publish, unpublish,
delete. Inputs, payloads and roles are those of posts (`gql.posts.mutations`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from gql.context import Info
from gql.errors import UserError
from gql.pages import authoring
from gql.pages.types import Page
from gql.posts.mutations import DeletePayload, editor
from gql.posts.seo import SeoInput, seo_draft


@strawberry.input(description="A new page; it starts as a DRAFT.")
class CreatePageInput:
    title: str = strawberry.field(description="Plain text, 1 to 1,000 characters.")
    content: str = strawberry.field(
        description="The body: HTML (sanitised) or plain text with blank lines between paragraphs."
    )
    slug: str | None = strawberry.field(
        default=None,
        description="Lowercase words joined by hyphens, unique among its siblings; made from "
        "the title when not given.",
    )
    excerpt: str | None = strawberry.field(
        default=None, description="A summary (HTML); the first words of the body if none."
    )
    author_id: strawberry.ID = strawberry.field(description="Who wrote it.")
    parent_id: strawberry.ID | None = strawberry.field(
        default=None, description="The page it is nested in (none: the top level)."
    )
    menu_order: int | None = strawberry.field(
        default=None, description="Its position among its siblings (default 0)."
    )
    featured_image_id: strawberry.ID | None = strawberry.field(
        default=None, description="A media item (an image) that stands for the page."
    )
    seo: SeoInput | None = strawberry.field(
        default=None, description="How search engines and shares show it."
    )


@strawberry.input(description="Changes to a page: fields not given stay as they are.")
class UpdatePageInput:
    id: strawberry.ID = strawberry.field(description="The page.")
    title: str | None = strawberry.field(default=None, description="A new title.")
    content: str | None = strawberry.field(default=None, description="A new body.")
    slug: str | None = strawberry.field(
        default=None,
        description="A new slug: the page and its children move, a published page keeps "
        "its old address too.",
    )
    excerpt: str | None = strawberry.field(default=None, description="A new summary.")
    author_id: strawberry.ID | None = strawberry.field(default=None, description="Its author.")
    parent_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="Nest it in this page (null: move it to the top level; not given: it "
        "stays); it moves with its children.",
    )
    menu_order: int | None = strawberry.field(
        default=None, description="Its position among its siblings."
    )
    featured_image_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="A new featured image; null removes it."
    )
    seo: SeoInput | None = strawberry.field(
        default=None, description="SEO fields to change (those not given stay)."
    )


@strawberry.input(description="Publish a page now, or schedule it.")
class PublishPageInput:
    id: strawberry.ID = strawberry.field(description="The page.")
    at: datetime | None = strawberry.field(
        default=None,
        description="When it becomes public (default: now, or its first publication date).",
    )


@strawberry.input(description="Take a page back to draft.")
class UnpublishPageInput:
    id: strawberry.ID = strawberry.field(description="The page.")


@strawberry.input(description="Delete a page (one with child pages is IN_USE).")
class DeletePageInput:
    id: strawberry.ID = strawberry.field(description="The page.")


@strawberry.type(description="The answer to a page write.")
class PagePayload:
    page: Page | None = strawberry.field(description="The page as it is now.")
    errors: list[UserError] = strawberry.field(description="Empty on success.")


def _draft(sent: CreatePageInput | UpdatePageInput) -> authoring.PageDraft:
    """The input's fields, None where it leaves them as they are."""
    moves = sent.parent_id is not strawberry.UNSET
    return authoring.PageDraft(
        title=sent.title,
        content=sent.content,
        slug=sent.slug,
        excerpt=sent.excerpt,
        author_id=sent.author_id,
        parent_id=sent.parent_id if moves else None,
        moves=moves,
        menu_order=sent.menu_order,
        featured_image_given=sent.featured_image_id is not strawberry.UNSET
        and (isinstance(sent, UpdatePageInput) or sent.featured_image_id is not None),
        featured_image_id=sent.featured_image_id
        if sent.featured_image_id is not strawberry.UNSET
        else None,
        seo=seo_draft(sent.seo),
    )


def _payload(done: authoring.Authored) -> PagePayload:
    if done.page is None:
        return PagePayload(page=None, errors=[p.user_error() for p in done.problems])
    return PagePayload(page=Page.from_model(done.page), errors=[])


@strawberry.type
class PageMutations:
    @strawberry.mutation(description="Write a new page (editors only); it starts as a DRAFT.")
    async def create_page(
        self,
        info: Info,
        input: Annotated[CreatePageInput, strawberry.argument(description="The page.")],
    ) -> PagePayload:
        viewer = editor(info.context)
        return _payload(await authoring.create_page(info.context, viewer, _draft(input)))

    @strawberry.mutation(description="Change a page (editors only).")
    async def update_page(
        self,
        info: Info,
        input: Annotated[UpdatePageInput, strawberry.argument(description="The changes.")],
    ) -> PagePayload:
        viewer = editor(info.context)
        draft = _draft(input)
        return _payload(await authoring.update_page(info.context, viewer, input.id, draft))

    @strawberry.mutation(description="Publish a page now or at a time (editors only).")
    async def publish_page(
        self,
        info: Info,
        input: Annotated[PublishPageInput, strawberry.argument(description="When.")],
    ) -> PagePayload:
        viewer = editor(info.context)
        return _payload(await authoring.publish_page(info.context, viewer, input.id, input.at))

    @strawberry.mutation(description="Take a page back to draft (editors only).")
    async def unpublish_page(
        self,
        info: Info,
        input: Annotated[UnpublishPageInput, strawberry.argument(description="The page.")],
    ) -> PagePayload:
        viewer = editor(info.context)
        return _payload(await authoring.unpublish_page(info.context, viewer, input.id))

    @strawberry.mutation(description="Delete a page (editors only); not one with child pages.")
    async def delete_page(
        self,
        info: Info,
        input: Annotated[DeletePageInput, strawberry.argument(description="The page.")],
    ) -> DeletePayload:
        viewer = editor(info.context)
        done = await authoring.delete_page(info.context, viewer, input.id)
        return DeletePayload.answer("Page", done.page.id if done.page else None, done.problems)
