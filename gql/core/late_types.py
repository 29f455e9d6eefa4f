"""`Post`, for the types whose fields lead back to posts.

A post names its author, its categories and its comments, and each of those names posts
again (`Author.posts`, `Category.posts`, `Comment.post`): the circle of types that any schema
of related objects has. In the code it runs one way only: `gql.posts.types` imports the other
three when it loads, and they reach `Post` through this register, which `gql.posts.types`
fills as it loads (the schema imports it before any request runs). So no module imports a
module that imports it back, and no import hides inside a function.

`posts_connection` is the field those types' posts are listed by (`Author.posts`,
`Category.posts`): newest first, a page per parent through the request's loaders.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from gql.core.connection_field import relation_connection
from gql.core.orderings import DEFAULT_POST_ORDERING

if TYPE_CHECKING:
    from gql.core.dataloader import RequestLoader
    from gql.loaders import Loaders
    from gql.pagination import Page, PageRequest
    from gql.posts.types import Post
    from models.rows import PostRow

PostRef = Annotated["Post", strawberry.lazy("gql.posts.types")]

_post_type: list[type[Post]] = []


def register_post_type(post_type: type[Post]) -> None:
    """Called once, by `gql.posts.types`, right after it defines `Post`."""
    _post_type[:] = [post_type]


def post_type() -> type[Post]:
    """The `Post` type (the schema has loaded `gql.posts.types` before any field resolves)."""
    if not _post_type:
        raise RuntimeError("gql.posts.types has not been loaded: import the schema first")
    return _post_type[0]


def posts_connection(
    *,
    description: str,
    pages: Callable[[Loaders], RequestLoader[tuple[int, PageRequest], Page[PostRow]]],
    count: Callable[[Loaders], RequestLoader[int, int]],
) -> Any:
    """A parent's published posts, newest first: `pages` picks the loader of (parent id,
    page) -> page, `count` the loader of parent id -> number of posts."""
    return relation_connection(
        description=description,
        node=PostRef,
        ordering=DEFAULT_POST_ORDERING,
        pages=pages,
        count=count,
        from_row=lambda: post_type().from_row,
    )
