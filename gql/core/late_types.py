"""`Post`, for the types whose fields lead back to posts.

A post names its author, its categories and its comments, and each of those names posts
again (`Author.posts`, `Category.posts`, `Comment.post`): the circle of types that any schema
of related objects has. In the code it runs one way only: `gql.posts.types` imports the other
three when it loads, and they reach `Post` through this register, which `gql.posts.types`
fills as it loads (the schema imports it before any request runs). So no module imports a
module that imports it back, and no import hides inside a function.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gql.posts.types import Post

_post_type: list[type[Post]] = []


def register_post_type(post_type: type[Post]) -> None:
    """Called once, by `gql.posts.types`, right after it defines `Post`."""
    _post_type[:] = [post_type]


def post_type() -> type[Post]:
    """The `Post` type (the schema has loaded `gql.posts.types` before any field resolves)."""
    if not _post_type:
        raise RuntimeError("gql.posts.types has not been loaded: import the schema first")
    return _post_type[0]
