"""The `Post` type."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

import strawberry

import models
from gql.authors.types import Author
from gql.categories.types import Category
from gql.comments.types import Comment
from gql.context import Info
from gql.core.connection_field import listed_relation
from gql.core.enums import CommentStatus, ContentFormat, PostStatus
from gql.core.ids import to_global_id
from gql.core.late_types import register_post_type
from gql.core.node import Node
from gql.core.orderings import COMMENT_ORDERING
from gql.engine.executor import for_a_whole_level
from gql.loaders import load_level
from gql.media.types import MediaItem, images_of
from gql.pagination import After, Connection, First, build_connection, page_request
from gql.posts.seo import Seo, seo_of
from gql.tags.types import Tag
from models.rows import POSTS, PostRow
from models.text.content import html_to_text, make_excerpt

AuthorRef = Annotated["Author", strawberry.lazy("gql.authors.types")]
CategoryRef = Annotated["Category", strawberry.lazy("gql.categories.types")]
CommentRef = Annotated["Comment", strawberry.lazy("gql.comments.types")]
TagRef = Annotated["Tag", strawberry.lazy("gql.tags.types")]
MediaItemRef = Annotated["MediaItem", strawberry.lazy("gql.media.types")]


@strawberry.type(description="A blog post.")
class Post(Node):
    database_id: int = strawberry.field(description="The post's primary key in the database.")
    slug: str = strawberry.field(description="URL-friendly name, unique among posts.")
    uri: str = strawberry.field(
        description='Path of the post on the site, like "/2017/03/04/dry-needling-for-runners/".'
    )
    title: str = strawberry.field(description="Plain text as written: escape it when rendering.")
    status: PostStatus = strawberry.field(description="Whether the post is published.")
    published_at: datetime | None = strawberry.field(
        description="When the post was (or is scheduled to be) published."
    )
    updated_at: datetime = strawberry.field(description="When the post last changed.")
    comment_status: CommentStatus = strawberry.field(
        description="Whether the post takes new comments."
    )
    sticky: bool = strawberry.field(
        description="Kept at the top of the front page (WordPress's sticky posts)."
    )
    row: strawberry.Private[PostRow]

    @classmethod
    def from_row(cls, row: PostRow) -> Post:
        """The GraphQL view of a post row."""
        return cls(
            id=strawberry.ID(to_global_id("Post", row.id)),
            database_id=row.id,
            slug=row.slug,
            uri=row.uri,
            title=row.title,
            status=PostStatus.PUBLISHED
            if row.status == models.PostStatus.PUBLISHED
            else PostStatus.DRAFT,
            published_at=row.published_at,
            updated_at=row.updated_at,
            comment_status=CommentStatus.OPEN
            if row.comment_status == models.CommentStatus.OPEN
            else CommentStatus.CLOSED,
            sticky=row.sticky,
            row=row,
        )

    @classmethod
    def from_model(cls, post: models.Post) -> Post:
        """The GraphQL view of a post a write holds as a model: its row, made once at that
        boundary."""
        return cls.from_row(POSTS.row_of(post))

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

    # The level-by-level executor answers these for a whole list of posts with one call.
    @strawberry.field(description="Who wrote the post.")
    @for_a_whole_level(lambda posts, info: authors_of(posts, info))
    async def author(self, info: Info) -> AuthorRef:
        (author,) = await authors_of([self], info)
        return author

    @strawberry.field(description="The post's categories.")
    @for_a_whole_level(lambda posts, info: categories_of(posts, info))
    async def categories(self, info: Info) -> list[CategoryRef]:
        (categories,) = await categories_of([self], info)
        return categories

    @strawberry.field(description="The post's tags, in the order they were made.")
    @for_a_whole_level(lambda posts, info: tags_of(posts, info))
    async def tags(self, info: Info) -> list[TagRef]:
        (tags,) = await tags_of([self], info)
        return tags

    @strawberry.field(
        description="How search engines and shares show the post: its SEO fields, each "
        "falling back to the post's own."
    )
    def seo(self, info: Info) -> Seo:
        return seo_of(self.row, info)

    @strawberry.field(description="The image that stands for the post (lists, cards, shares).")
    @for_a_whole_level(lambda posts, info: featured_images_of(posts, info))
    async def featured_image(self, info: Info) -> MediaItemRef | None:
        (image,) = await featured_images_of([self], info)
        return image

    @strawberry.field(description="Number of public comments on the post, at every depth.")
    @for_a_whole_level(lambda posts, info: comment_counts_of(posts, info))
    async def comment_count(self, info: Info) -> int:
        (count,) = await comment_counts_of([self], info)
        return count

    comments = listed_relation(
        description="Top-level public comments, oldest first; each has its `replies`.",
        node=CommentRef,
        ordering=COMMENT_ORDERING,
        rows=lambda loaders: loaders.top_level_comments_by_post,
        from_row=lambda: Comment.from_row,
    )

    @strawberry.field(
        description="Every public comment of the post, the whole tree flattened depth-first "
        "(each comment followed by its replies, oldest sibling first): rebuild any depth from "
        "one paginated list with `depth` and `parent`."
    )
    async def comment_thread(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[CommentRef]:
        loaders = info.context.loaders
        page = page_request(COMMENT_ORDERING, first, after)
        return build_connection(
            await loaders.comment_thread_by_post.load((self.row.id, page)),
            COMMENT_ORDERING,
            Comment.from_row,
            lambda: loaders.comment_count_by_post.load(self.row.id),
        )


async def authors_of(posts: Sequence[Post], info: Info) -> list[Author]:
    """The `author` of each of `posts` (one post, or a whole list at once)."""
    rows = await load_level(info.context.loaders.author_by_id, [p.row.author_id for p in posts])
    authors: list[Author] = []
    for row in rows:
        assert row is not None, "a post's author is a required foreign key"
        authors.append(Author.from_row(row))
    return authors


async def categories_of(posts: Sequence[Post], info: Info) -> list[list[Category]]:
    """The `categories` of each of `posts`."""
    lists = await load_level(info.context.loaders.categories_by_post, [p.row.id for p in posts])
    return [[Category.from_row(row) for row in rows] for rows in lists]


async def tags_of(posts: Sequence[Post], info: Info) -> list[list[Tag]]:
    """The `tags` of each of `posts`."""
    lists = await load_level(info.context.loaders.tags_by_post, [p.row.id for p in posts])
    return [[Tag.from_row(row) for row in rows] for rows in lists]


async def featured_images_of(posts: Sequence[Post], info: Info) -> list[MediaItem | None]:
    """The `featuredImage` of each of `posts`, in one load for the whole list."""
    return await images_of([p.row.featured_image_id for p in posts], info)


async def comment_counts_of(posts: Sequence[Post], info: Info) -> list[int]:
    """The `commentCount` of each of `posts`."""
    return await load_level(info.context.loaders.comment_count_by_post, [p.row.id for p in posts])


register_post_type(Post)
