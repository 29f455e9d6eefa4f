"""`Query.node`: any object by its global ID."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gql.authors.types import Author
from gql.categories.types import Category
from gql.comments.types import Comment
from gql.context import Info
from gql.core.ids import from_global_id
from gql.core.node import Node
from gql.media.types import MediaItem
from gql.menus.queries import menu_by_id, menu_item_by_id
from gql.pages.types import Page
from gql.posts.types import Post
from gql.tags.types import Tag


@strawberry.type
class NodeQueries:
    @strawberry.field(
        description="Any object by its global ID: null when it does not exist or is not public."
    )
    async def node(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="A global ID.")],
    ) -> Node | None:
        type_name, pk = from_global_id(id)
        loaders = info.context.loaders
        if type_name == "Post":
            post = await loaders.post_by_id.load(pk)
            return Post.from_row(post) if post else None
        if type_name == "Page":
            page = await loaders.page_by_id.load(pk)
            return Page.from_row(page) if page else None
        if type_name == "Comment":
            comment = await loaders.comment_by_id.load(pk)
            return Comment.from_row(comment) if comment else None
        if type_name == "Menu":
            return await menu_by_id(info, pk)
        if type_name == "MenuItem":
            return await menu_item_by_id(info, pk)
        if type_name == "Author":
            author = await loaders.author_by_id.load(pk)
            return Author.from_row(author) if author else None
        if type_name == "Tag":
            tag = await loaders.tag_by_id.load(pk)
            return Tag.from_row(tag) if tag else None
        if type_name == "MediaItem":
            item = await loaders.media_item_by_id.load(pk)
            return MediaItem.from_row(item) if item else None
        category = await loaders.category_by_id.load(pk)
        return Category.from_row(category) if category else None
