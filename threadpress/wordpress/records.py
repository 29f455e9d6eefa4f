"""Plain records read from a WXR file, before any mapping to Threadpress models.

The reader fills these with the file's text as is (stripped); `mapping` interprets them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(slots=True)
class AuthorRecord:
    """A `wp:author` of the channel."""

    login: str
    email: str
    display_name: str
    first_name: str
    last_name: str


@dataclass(slots=True)
class CategoryRecord:
    """A category: a channel `wp:category`, or one only named on an item."""

    nicename: str
    name: str
    parent_nicename: str = ""
    term_id: int | None = None
    description: str = ""


@dataclass(slots=True)
class TagRecord:
    """A tag: a channel `wp:tag` (or `wp:term` of the `post_tag` taxonomy), or one only named
    on an item (`<category domain="post_tag">`)."""

    nicename: str
    name: str
    term_id: int | None = None
    description: str = ""


@dataclass(slots=True)
class MenuRecord:
    """A `nav_menu` term of the channel, or a menu only named on its items."""

    slug: str
    name: str
    term_id: int | None = None


@dataclass(slots=True)
class CommentRecord:
    """A `wp:comment` of an item."""

    wp_id: int
    parent_wp_id: int
    approved: str
    comment_type: str
    author_name: str
    author_email: str
    author_url: str
    author_ip: str
    created_at: datetime | None
    content: str


@dataclass(slots=True)
class ItemRecord:
    """An `item`: a post, page, attachment, menu item or any other WordPress post type."""

    line: int
    wp_id: int
    post_type: str
    status: str
    title: str
    link: str
    creator: str
    content: str
    excerpt: str
    post_name: str
    date: datetime | None  # post_date_gmt, else post_date read as UTC
    modified: datetime | None  # post_modified_gmt, else post_modified read as UTC
    comment_status: str
    password: str
    parent_wp_id: int = 0  # wp:post_parent: the page it is nested in (0: none)
    menu_order: int = 0  # wp:menu_order, negative values read as 0
    categories: list[CategoryRecord] = field(default_factory=list)
    tags: list[TagRecord] = field(default_factory=list)
    comments: list[CommentRecord] = field(default_factory=list)
    sticky: bool = False  # `wp:is_sticky`: the site's `sticky_posts` option, per post
    menu: MenuRecord | None = None
    """A `nav_menu_item`'s menu: its `<category domain="nav_menu" nicename=...>`."""
    menu_meta: dict[str, str] = field(default_factory=dict)
    """A `nav_menu_item`'s `_menu_item_*` post meta, by key without the prefix (`type`,
    `object`, `object_id`, `menu_item_parent`, `url`, `target`); other items keep none."""
    seo_meta: dict[str, str] = field(default_factory=dict)
    """A post's or page's SEO plugins' post meta (`wordpress.seo.SEO_META_KEYS`), by key;
    other items keep none."""
