"""RSS 2.0 and Atom feeds of the site: the newest public posts (`/feed.xml`, `/feed.atom`),
those of an archive (`<category uri>feed.xml`, `<author uri>feed.xml`), and the newest public
comments (`/comments/feed.xml`, and a post's at `<post uri>feed.xml`); every one also as
Atom at `.../feed.atom`.

A feed is found by its address: the page it follows is the path before `feed.xml`, and
`FEEDS` asks each source in turn whether it owns that page, as `resolveUri` asks its lookups.
A new archive is one `ArchiveFeed(...)` in `FEEDS` (as tags are).

Every address is absolute and points at the front end (`Origins.page`); only the feed's own
address (`rel="self"`) points at this server. Ids are permanent (`Origins.stable_id`: by
type and key, never by address), dates are the rows' own, and a feed's `updated` is its
newest item's: rendering the same rows gives the same bytes, so an unchanged feed keeps its
`ETag`. Titles are plain text, content the stored sanitised HTML with its relative links
made absolute (a reader resolves them against the feed's address otherwise, this server).
Commenters' emails are never read.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urljoin

import lxml.html
from feedgen.feed import FeedGenerator  # type: ignore[import-untyped]

import models
from gql.cache.dependencies import Dependencies
from gql.core.dataloader import RequestLoader
from gql.core.orderings import DEFAULT_POST_ORDERING
from gql.loaders import Loaders, PostPageKey
from gql.pagination import Page, PageRequest
from gql.site.documents import Reading
from models.rows import (
    AUTHORS,
    CATEGORIES,
    COMMENTS,
    IN_PUBLIC_THREAD,
    TAGS,
    CommentRow,
    PostRow,
    RowReader,
)
from models.text.content import make_excerpt

FEED_ITEMS = 10
"""Items a feed holds, the newest first (WordPress's default, `posts_per_rss`)."""

UNTITLED = "(no title)"
"""The title of an item whose post has none: both formats require a title."""

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
"""`updated` of a feed with no items and nothing else dated (an empty site)."""

Format = Literal["rss", "atom"]


@dataclass(frozen=True)
class Item:
    """One entry of a feed."""

    name: str
    """The node's type and key ("Post:12"), its permanent id."""
    title: str
    uri: str
    author: str
    published: datetime
    updated: datetime
    content: str
    summary: str | None = None
    categories: Sequence[tuple[str, str]] = ()
    """(name, uri) of each category."""


@dataclass(frozen=True)
class Feed:
    """A feed: what it follows (a page of the site at `uri`) and its newest items."""

    title: str
    description: str
    uri: str
    items: list[Item]
    updated: datetime | None = None
    """When what it follows last changed, for a feed with no items (a post without
    comments); else `EPOCH`."""


FeedSource = Callable[[Reading, str], Awaitable[Feed | None]]
"""`source(reading, page)`: the feed of the site's page at `page` ("/category/running/"),
or None when the source does not own that page."""


# --- the sources --------------------------------------------------------------------------


async def site_posts(reading: Reading, page: str) -> Feed | None:
    """`/feed.xml`: the newest public posts of the whole site."""
    if page != "/":
        return None
    newest = PageRequest(size=FEED_ITEMS, forward=True)
    rows = await reading.loaders.public_posts_window(DEFAULT_POST_ORDERING, newest)
    reading.depends.post_list()
    posts = (rows or [])[:FEED_ITEMS]
    reading.depends.posts(row.id for row in posts)
    return Feed(
        title=reading.site_title,
        description=f"The newest posts of {reading.site_title}.",
        uri="/",
        items=await post_items(reading, posts),
    )


@dataclass(frozen=True)
class ArchiveFeed:
    """The newest public posts of one archive page: a category, an author (a tag next). Its
    node is found by the slug the page ends in, and only at its own address."""

    archive: str
    """Where the archive's pages sit ("/category/")."""
    rows: RowReader[Any]
    """The archive nodes' rows (they have `id`, `slug` and `name`)."""
    uri: Callable[[Any], str]
    """A row's address."""
    describe: Callable[[Any], str | None]
    """A row's description, if it has one."""
    found: Callable[[Dependencies], Callable[[Iterable[int]], None]]
    """The dependency of a node read (`Dependencies.categories`)."""
    missing: Callable[[Dependencies], Callable[[], None]]
    """The dependency of a lookup that found nothing (`Dependencies.category_list`)."""
    posts: Callable[[Loaders], RequestLoader[PostPageKey, Page[PostRow]]]
    """The loader of a node's public posts, newest first (`Loaders.posts_by_category`)."""

    async def __call__(self, reading: Reading, page: str) -> Feed | None:
        if not page.startswith(self.archive) or page == self.archive:
            return None
        slug = page.rstrip("/").rsplit("/", 1)[-1]
        row = await self.rows.by("slug", slug)
        if row is None or self.uri(row) != page:
            # A node may take this address later: the feed appears with it.
            self.missing(reading.depends)()
            return None
        self.found(reading.depends)([row.id])
        newest = await self.posts(reading.loaders).load(
            (row.id, PageRequest(size=FEED_ITEMS, forward=True))
        )
        return Feed(
            title=f"{reading.site_title}: {row.name}",
            description=self.describe(row) or f"The newest posts of {row.name}.",
            uri=page,
            items=await post_items(reading, newest.rows),
        )


CATEGORY_FEED = ArchiveFeed(
    archive=models.CATEGORY_ARCHIVE,
    rows=CATEGORIES,
    uri=lambda row: row.uri,
    describe=lambda row: row.description,
    found=lambda depends: depends.categories,
    missing=lambda depends: depends.category_list,
    posts=lambda loaders: loaders.posts_by_category,
)
TAG_FEED = ArchiveFeed(
    archive=models.TAG_ARCHIVE,
    rows=TAGS,
    uri=lambda row: models.tag_uri(row.slug),
    describe=lambda row: row.description,
    found=lambda depends: depends.tag_nodes,
    missing=lambda depends: depends.tag_list,
    posts=lambda loaders: loaders.posts_by_tag,
)
AUTHOR_FEED = ArchiveFeed(
    archive="/author/",
    rows=AUTHORS,
    uri=lambda row: models.author_uri(row.slug),
    describe=lambda row: row.bio,
    found=lambda depends: depends.authors,
    missing=lambda depends: depends.author_list,
    posts=lambda loaders: loaders.posts_by_author,
)


COMMENTS_PAGE = "/comments/"


async def site_comments(reading: Reading, page: str) -> Feed | None:
    """`/comments/feed.xml`: the newest public comments on every public post."""
    if page != COMMENTS_PAGE:
        return None
    reading.depends.comment_list()
    # Which posts are public decides which comments are (one join, the rule's own filter).
    reading.depends.post_list()
    rows = await COMMENTS.read(
        models.Comment.filter(models.PUBLIC_COMMENT_RULE.filter(reading.now))
        .order_by("-created_at", "-id")
        .limit(FEED_ITEMS)
    )
    found = await reading.loaders.post_by_id.load_many(sorted({row.post_id for row in rows}))
    posts = {post.id: post for post in found if post is not None}
    return Feed(
        title=f"{reading.site_title}: comments",
        description=f"The newest comments on {reading.site_title}.",
        uri="/",
        items=[comment_item(row, posts[row.post_id]) for row in rows if row.post_id in posts],
    )


async def post_comments(reading: Reading, page: str) -> Feed | None:
    """`<post uri>feed.xml`: the newest public comments of one public post."""
    post = await reading.loaders.readable_post("uri", page)
    if post is None:
        reading.depends.post_list()  # a post may be published at this address later
        return None
    reading.depends.posts([post.id])
    reading.depends.comments_of([post.id])
    rows = await COMMENTS.select(
        f'"post_id" = {{0}} AND {IN_PUBLIC_THREAD}',
        [post.id],
        order_by='"created_at" DESC, "id" DESC',
        limit=FEED_ITEMS,
    )
    title = post.title or UNTITLED
    return Feed(
        title=f"Comments on {title}",
        description=f"The newest comments on {title}, on {reading.site_title}.",
        uri=post.uri,
        items=[comment_item(row, post) for row in rows],
        updated=post.updated_at,
    )


FEEDS: tuple[FeedSource, ...] = (
    site_posts,
    site_comments,
    CATEGORY_FEED,
    TAG_FEED,
    AUTHOR_FEED,
    post_comments,
)
"""Every feed's source, most specific first: archives own their prefix, posts the rest."""


# --- items ----------------------------------------------------------------------------------


async def post_items(reading: Reading, rows: Sequence[PostRow]) -> list[Item]:
    """Items of public posts, with their authors and categories: two statements for any
    number of posts (the loaders batch them)."""
    loaders = reading.loaders
    authors = await loaders.author_by_id.load_many([row.author_id for row in rows])
    categories = await loaders.categories_by_post.load_many([row.id for row in rows])
    items = []
    for row, author, filed_under in zip(rows, authors, categories, strict=True):
        assert row.published_at is not None  # public posts are dated
        items.append(
            Item(
                name=f"Post:{row.id}",
                title=row.title or UNTITLED,
                uri=row.uri,
                author=author.name if author is not None else "",
                published=row.published_at,
                updated=max(row.updated_at, row.published_at),
                content=row.content,
                summary=row.excerpt or make_excerpt(row.content),
                categories=[(category.name, category.uri) for category in filed_under],
            )
        )
    return items


def comment_item(row: CommentRow, post: PostRow) -> Item:
    """The item of a public comment on `post`: its own words, under its post's address."""
    return Item(
        name=f"Comment:{row.id}",
        title=f"Comment on {post.title or UNTITLED} by {row.author_name}",
        uri=f"{post.uri}#comment-{row.id}",
        author=row.author_name,
        published=row.created_at,
        updated=row.created_at,
        content=row.content,
    )


# --- rendering ------------------------------------------------------------------------------


@dataclass
class _Absolute:
    """Makes the relative links of stored HTML absolute: a path ("/about/") is the site's
    address plus it, as every address is (so a site under a path prefix keeps its prefix),
    anything else relative ("photo.jpg", "#notes") is resolved against the item's page."""

    site: str
    cache: dict[tuple[str, str], str] = field(default_factory=dict)

    def __call__(self, html: str, page: str) -> str:
        if not html.strip() or ("href=" not in html and "src=" not in html):
            return html
        key = (html, page)
        if key not in self.cache:

            def absolute(link: str) -> str:
                if link.startswith("/") and not link.startswith("//"):
                    return self.site + link
                return urljoin(page, link)

            container = lxml.html.fragment_fromstring(html, create_parent="div")
            container.rewrite_links(absolute, resolve_base_href=False)
            inner = [container.text] if container.text else []
            inner += [lxml.html.tostring(child, encoding="unicode") for child in container]
            self.cache[key] = "".join(inner)
        return self.cache[key]


def render(reading: Reading, feed: Feed, form: Format) -> bytes:
    """`feed` as RSS 2.0 or Atom bytes (UTF-8), through feedgen."""
    origins = reading.origins
    absolute = _Absolute(origins.site)
    generator = FeedGenerator()
    generator.load_extension("dc", atom=False, rss=True)
    generator.id(origins.stable_id(f"feed:{reading.path}"))
    generator.title(feed.title)
    generator.description(feed.description)
    # RSS has one <link>, feedgen's last: the page the feed follows (`self` goes out as
    # RSS's atom:link).
    generator.link(href=origins.own(reading.path), rel="self")
    generator.link(href=origins.page(feed.uri), rel="alternate")
    generator.generator("Threadpress")
    # Atom wants an author for every entry: the site stands in for an item without a name
    # (RSS has no such element without an email, which no feed shows).
    generator.author(name=reading.site_title)
    updated = max((item.updated for item in feed.items), default=feed.updated or EPOCH)
    generator.updated(updated)
    generator.lastBuildDate(updated)
    # feedgen prepends each entry it is given: add the oldest first, so the newest leads.
    for item in reversed(feed.items):
        entry = generator.add_entry()
        entry.id(origins.stable_id(item.name))
        entry.title(item.title)
        link = origins.page(item.uri)
        entry.link(href=link, rel="alternate")
        entry.published(item.published)
        entry.updated(item.updated)
        if item.author:
            # Names only: RSS's own <author> is an email address, which no feed shows.
            entry.author(name=item.author)
            entry.dc.dc_creator(item.author)
        if item.summary:
            entry.summary(absolute(item.summary, link), type="html")
        entry.content(absolute(item.content, link), type="html")
        for name, uri in item.categories:
            entry.category(term=name, scheme=origins.page(uri), label=name)
    if form == "atom":
        body: bytes = generator.atom_str(pretty=False)
    else:
        body = generator.rss_str(pretty=False)
    return body


async def feed_document(reading: Reading, form: Format) -> bytes | None:
    """The feed at `reading.path` ("/category/running/feed.xml"), or None when no source owns
    the page it follows."""
    name = "feed.atom" if form == "atom" else "feed.xml"
    page = reading.path.removesuffix(name)
    if not page.endswith("/") or "//" in page:
        return None
    for source in FEEDS:
        feed = await source(reading, page)
        if feed is not None:
            return render(reading, feed, form)
    return None


async def rss_document(reading: Reading) -> bytes | None:
    """The RSS 2.0 feed at `reading.path`."""
    return await feed_document(reading, "rss")


async def atom_document(reading: Reading) -> bytes | None:
    """The Atom feed at `reading.path`."""
    return await feed_document(reading, "atom")
