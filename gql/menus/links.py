"""What a menu item may link to: one `Link` per kind of node, the registry every part of
menus reads (the tree's public check, `MenuItem.node`/`label`/`url`, the mutations' `nodeId`,
the WordPress import's object ids).

A new linked type is one `Link(...)` added to `LINKS`: how its public rows
are loaded (a request loader that answers None for what the public may not see), its GraphQL
type, its title and address, and which WordPress menu objects map to it by which column.
`MenuItem.link_kind` stores `Link.kind`, so no migration is needed for a new one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tortoise.models import Model

import models
from gql.authors.types import Author
from gql.categories.types import Category
from gql.core.node import Node
from gql.pages.types import Page
from gql.posts.types import Post
from gql.tags.types import Tag

if TYPE_CHECKING:
    from gql.core.dataloader import RequestLoader
    from gql.loaders import Loaders


@dataclass(frozen=True)
class Link:
    """One kind of node a menu item can link to."""

    kind: str
    """Stored in `MenuItem.link_kind`: "post"."""
    typename: str
    """Its GraphQL type, as global IDs name it: "Post"."""
    model: type[Model]
    public_rows: Callable[[Loaders], RequestLoader[int, Any]]
    """The request's loader of its rows by primary key, None where the public may not see
    one (a draft post): such an item is left out of the menu."""
    node: Callable[[Any], Node]
    """The GraphQL object of a row (`MenuItem.node`)."""
    title: Callable[[Any], str]
    """The label of an item that has none of its own (WordPress shows the node's title)."""
    uri: Callable[[Any], str]
    """The row's address on the site (`MenuItem.url`): it follows the node when it moves."""
    wp_objects: tuple[tuple[str, str], ...] = ()
    """The WordPress menu objects that link to it: (`_menu_item_type`, `_menu_item_object`)."""
    wp_key: str | None = None
    """The column holding the WordPress id an export's `_menu_item_object_id` names."""


POST_LINK = Link(
    kind="post",
    typename="Post",
    model=models.Post,
    public_rows=lambda loaders: loaders.public_post_by_id,
    node=lambda row: Post.from_row(row),
    title=lambda row: str(row.title),
    uri=lambda row: str(row.uri),
    wp_objects=(("post_type", "post"),),
    wp_key="wp_id",
)
CATEGORY_LINK = Link(
    kind="category",
    typename="Category",
    model=models.Category,
    public_rows=lambda loaders: loaders.category_by_id,
    node=lambda row: Category.from_row(row),
    title=lambda row: str(row.name),
    uri=lambda row: str(row.uri),
    wp_objects=(("taxonomy", "category"),),
    wp_key="wp_term_id",
)
AUTHOR_LINK = Link(
    kind="author",
    typename="Author",
    model=models.Author,
    public_rows=lambda loaders: loaders.author_by_id,
    node=lambda row: Author.from_row(row),
    title=lambda row: str(row.name),
    uri=lambda row: models.author_uri(row.slug),
)

PAGE_LINK = Link(
    kind="page",
    typename="Page",
    model=models.Page,
    public_rows=lambda loaders: loaders.public_page_by_id,
    node=lambda row: Page.from_row(row),
    title=lambda row: str(row.title),
    uri=lambda row: str(row.uri),
    wp_objects=(("post_type", "page"),),
    wp_key="wp_id",
)
TAG_LINK = Link(
    kind="tag",
    typename="Tag",
    model=models.Tag,
    public_rows=lambda loaders: loaders.tag_by_id,
    node=lambda row: Tag.from_row(row),
    title=lambda row: str(row.name),
    uri=lambda row: models.tag_uri(row.slug),
    wp_objects=(("taxonomy", "post_tag"),),
    wp_key="wp_term_id",
)

LINKS: tuple[Link, ...] = (POST_LINK, PAGE_LINK, CATEGORY_LINK, TAG_LINK, AUTHOR_LINK)
"""Every linked kind: a new one is one `Link` here."""

BY_KIND = {link.kind: link for link in LINKS}
BY_TYPENAME = {link.typename: link for link in LINKS}
BY_WP_OBJECT = {wp_object: link for link in LINKS for wp_object in link.wp_objects}

WP_LEFT_OUT: dict[tuple[str, str], str] = {}
"""WordPress menu objects of kinds Threadpress does not link to yet, by the name the import
summary counts them under ("menu items linking to pages"); an entry leaves with its `Link`."""
