"""The `Page` type."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

import strawberry

import models
from gql.authors.types import Author
from gql.context import Info
from gql.core.enums import ContentFormat, PostStatus
from gql.core.ids import to_global_id
from gql.core.node import Node
from gql.engine.executor import for_a_whole_level
from gql.loaders import load_level
from gql.media.types import MediaItem, images_of
from gql.posts.seo import Seo, seo_of
from models.rows import PAGES, PageRow
from models.text.content import html_to_text, make_excerpt


@strawberry.type(description="A page of the site (About, Contact): pages nest; no comments.")
class Page(Node):
    database_id: int = strawberry.field(description="The page's primary key in the database.")
    slug: str = strawberry.field(description="URL-friendly name, unique among its siblings.")
    uri: str = strawberry.field(
        description='Path of the page on the site, like "/about/"; children nest: "/about/team/".'
    )
    title: str = strawberry.field(description="Plain text as written: escape it when rendering.")
    status: PostStatus = strawberry.field(description="Whether the page is published.")
    published_at: datetime | None = strawberry.field(
        description="When the page was (or is scheduled to be) published."
    )
    updated_at: datetime = strawberry.field(description="When the page last changed.")
    menu_order: int = strawberry.field(
        description="Its position among its siblings: `children` and `pages` are in this order."
    )
    row: strawberry.Private[PageRow]

    @classmethod
    def from_row(cls, row: PageRow) -> Page:
        """The GraphQL view of a page row."""
        return cls(
            id=strawberry.ID(to_global_id("Page", row.id)),
            database_id=row.id,
            slug=row.slug,
            uri=row.uri,
            title=row.title,
            status=PostStatus.PUBLISHED
            if row.status == models.PostStatus.PUBLISHED
            else PostStatus.DRAFT,
            published_at=row.published_at,
            updated_at=row.updated_at,
            menu_order=row.menu_order,
            row=row,
        )

    @classmethod
    def from_model(cls, page: models.Page) -> Page:
        """The GraphQL view of a page a write holds as a model: its row, made once at that
        boundary."""
        return cls.from_row(PAGES.row_of(page))

    @strawberry.field(
        description="Sanitised HTML summary: the written excerpt, or the first 55 words."
    )
    def excerpt(self) -> str:
        return self.row.excerpt or make_excerpt(self.row.content)

    @strawberry.field(description="The body: sanitised HTML (default) or plain text.")
    def content(
        self,
        format: Annotated[
            ContentFormat, strawberry.argument(description="HTML (default) or TEXT.")
        ] = ContentFormat.HTML,
    ) -> str:
        return self.row.content if format == ContentFormat.HTML else html_to_text(self.row.content)

    @strawberry.field(description="Who wrote the page.")
    @for_a_whole_level(lambda pages, info: authors_of(pages, info))
    async def author(self, info: Info) -> Author:
        (author,) = await authors_of([self], info)
        return author

    @strawberry.field(
        description="The page this one is nested in; null at the top (or when the parent is "
        "not public)."
    )
    async def parent(self, info: Info) -> Page | None:
        parent_id = self.row.parent_id
        if parent_id is None:
            return None
        row = await info.context.loaders.page_by_id.load(parent_id)
        return Page.from_row(row) if row is not None else None

    @strawberry.field(
        description="How search engines and shares show the page: its SEO fields, each "
        "falling back to the page's own."
    )
    def seo(self, info: Info) -> Seo:
        return seo_of(self.row, info)

    @strawberry.field(description="The image that stands for the page (cards, shares).")
    @for_a_whole_level(lambda pages, info: featured_images_of(pages, info))
    async def featured_image(self, info: Info) -> MediaItem | None:
        (image,) = await featured_images_of([self], info)
        return image

    @strawberry.field(description="Public pages nested directly in this one, in `menuOrder`.")
    async def children(self, info: Info) -> list[Page]:
        rows = await info.context.loaders.children_by_page.load(self.row.id)
        return [Page.from_row(row) for row in rows]


async def featured_images_of(pages: Sequence[Page], info: Info) -> list[MediaItem | None]:
    """The `featuredImage` of each of `pages`, in one load for the whole list."""
    return await images_of([p.row.featured_image_id for p in pages], info)


async def authors_of(pages: Sequence[Page], info: Info) -> list[Author]:
    """The `author` of each of `pages` (one page, or a whole list at once)."""
    rows = await load_level(info.context.loaders.author_by_id, [p.row.author_id for p in pages])
    authors: list[Author] = []
    for row in rows:
        assert row is not None, "a page's author is a required foreign key"
        authors.append(Author.from_row(row))
    return authors
