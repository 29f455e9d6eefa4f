"""Sitemaps of the site (the sitemaps.org protocol 0.9): `/sitemap.xml` is the index, with
one sitemap per kind of page and per 50,000 addresses (`/sitemap-posts-1.xml`,
`/sitemap-categories-1.xml`, `/sitemap-authors-1.xml`...).

Each kind is one `SitemapKind` in `KINDS`: its rows' addresses (a fixed read of
`models.rows`), which of them are public (its rule's SQL), and what a listing of them
depends on. A new kind (tags, pages) is one more declaration.

Addresses point at the front end (`Origins.page`); the index's entries point at this server
(`Origins.own`), which serves the sitemaps. `lastmod` is each row's `updated_at`, and a
sitemap's, in the index, its newest row's. Archives are listed while they have public
posts, as WordPress lists them: an empty archive is a page with nothing on it. The home page
leads the first posts sitemap, so the index always names at least one sitemap (the schema
wants one).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lxml import etree
from tortoise.models import Model

import models
from gql.cache.dependencies import Dependencies
from gql.site.documents import Reading
from models.rows import PUBLIC_PAGE, PUBLIC_POST, AddressRow, RowReader, moment

NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
ADDRESSES_PER_SITEMAP = 50_000
"""The protocol's limit: at most 50,000 addresses in one sitemap file."""

# The protocol's namespace as the documents' default one (lxml-stubs types prefixes as str
# only, but None is lxml's documented key for the default namespace).
_DEFAULT_NAMESPACE: Any = {None: NAMESPACE}
INDEX = "/sitemap.xml"
_PAGE = re.compile(r"/sitemap-([a-z]+)-([1-9][0-9]{0,8})\.xml")


@dataclass(frozen=True)
class SitemapKind:
    """One kind of page in the sitemaps: a declaration per kind (tags and pages add theirs)."""

    name: str
    """In the sitemaps' addresses: `/sitemap-<name>-<n>.xml`."""
    model: type[Model]
    """The rows' model (its table has `id` and `updated_at`)."""
    column: str
    """The column a row's address comes from (`uri`, or an author's `slug`)."""
    where: str
    """Which rows are listed: SQL over the table, the request's clock as `{0}` (a rule's
    `sql()`, or `with_public_posts_*`)."""
    depends: Callable[[Dependencies], None]
    """What a listing of them read (for the response cache)."""
    uri: Callable[[str], str] = lambda address: address
    """A row's page, from its address column."""
    home: bool = False
    """The home page ("/") leads the first sitemap of this kind."""
    rows: RowReader[AddressRow] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        reader = RowReader(self.model, AddressRow, ("id", self.column, "updated_at"))
        object.__setattr__(self, "rows", reader)

    def read(self, reading: Reading) -> None:
        """Record what listing this kind reads."""
        self.depends(reading.depends)


# The public-post rule, unchanged, inside a subquery over "post" (its columns are named
# unqualified, and the subquery's own table is the nearest one that has them). Table and
# column names are this code's constants; the clock is bound as `{0}`.


def with_public_posts_through(table: str, link: str, key: str) -> str:
    """Rows of `table` that some public post is linked to through the many-to-many table
    `link`, whose column `key` names the row (a category: "post_category", "category_id")."""
    return (
        f'EXISTS (SELECT 1 FROM "post" JOIN "{link}" ON "{link}"."post_id" = "post"."id" '  # noqa: S608
        f'WHERE "{link}"."{key}" = "{table}"."id" AND {PUBLIC_POST})'
    )


def with_public_posts_by(table: str, column: str) -> str:
    """Rows of `table` that some public post names in its column `column` (an author)."""
    return (
        f'EXISTS (SELECT 1 FROM "post" WHERE "post"."{column}" = "{table}"."id" '  # noqa: S608
        f"AND {PUBLIC_POST})"
    )


def _posts_listed(depends: Dependencies) -> None:
    depends.post_list()


def _categories_listed(depends: Dependencies) -> None:
    depends.category_list()
    depends.post_list()  # a category is listed while it has public posts


def _tags_listed(depends: Dependencies) -> None:
    depends.tag_list()
    depends.post_list()  # a tag is listed while it has public posts


def _pages_listed(depends: Dependencies) -> None:
    depends.page_list()


def _authors_listed(depends: Dependencies) -> None:
    depends.author_list()
    depends.post_list()  # an author is listed while they have public posts


LISTED = 'NOT "seo_no_index"'
"""Posts and pages asking search engines to leave them out (`seo.noIndex`) are not listed."""

POSTS = SitemapKind(
    name="posts",
    model=models.Post,
    column="uri",
    where=f"{PUBLIC_POST} AND {LISTED}",
    depends=_posts_listed,
    home=True,
)
CATEGORIES = SitemapKind(
    name="categories",
    model=models.Category,
    column="uri",
    where=with_public_posts_through("category", "post_category", "category_id"),
    depends=_categories_listed,
)
PAGES = SitemapKind(
    name="pages",
    model=models.Page,
    column="uri",
    where=f"{PUBLIC_PAGE} AND {LISTED}",
    depends=_pages_listed,
)
TAGS = SitemapKind(
    name="tags",
    model=models.Tag,
    column="slug",
    where=with_public_posts_through("tag", "post_tag", "tag_id"),
    uri=models.tag_uri,
    depends=_tags_listed,
)
AUTHORS = SitemapKind(
    name="authors",
    model=models.Author,
    column="slug",
    where=with_public_posts_by("author", "author_id"),
    uri=models.author_uri,
    depends=_authors_listed,
)

KINDS: tuple[SitemapKind, ...] = (POSTS, PAGES, CATEGORIES, TAGS, AUTHORS)
"""Every kind of page the sitemaps list, in the index's order."""


def _lastmod(value: datetime) -> str:
    """A W3C datetime in UTC, to the second."""
    return value.astimezone(UTC).replace(microsecond=0).isoformat()


def _xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


async def _chunks(reading: Reading, kind: SitemapKind) -> list[tuple[int, datetime | None]]:
    """(addresses, newest lastmod) of each sitemap of `kind`."""
    skip = 1 if kind.home else 0
    found: list[tuple[int, datetime | None]] = list(
        await kind.rows.chunks(
            kind.where, [moment(reading.now)], size=ADDRESSES_PER_SITEMAP, skip=skip
        )
    )
    if kind.home:
        if not found:
            return [(1, None)]  # the home page alone
        count, newest = found[0]
        found[0] = (count + 1, newest)
    return found


async def index_document(reading: Reading) -> bytes | None:
    """`/sitemap.xml`: every sitemap, with its newest `lastmod`."""
    if reading.path != INDEX:
        return None
    root = etree.Element(f"{{{NAMESPACE}}}sitemapindex", nsmap=_DEFAULT_NAMESPACE)
    for kind in KINDS:
        kind.read(reading)
        for number, (_, newest) in enumerate(await _chunks(reading, kind), start=1):
            sitemap = etree.SubElement(root, f"{{{NAMESPACE}}}sitemap")
            loc = etree.SubElement(sitemap, f"{{{NAMESPACE}}}loc")
            loc.text = reading.origins.own(f"/sitemap-{kind.name}-{number}.xml")
            if newest is not None:
                lastmod = etree.SubElement(sitemap, f"{{{NAMESPACE}}}lastmod")
                lastmod.text = _lastmod(newest)
    return _xml(root)


def _kind(name: str) -> SitemapKind | None:
    return next((kind for kind in KINDS if kind.name == name), None)


async def sitemap_document(reading: Reading) -> bytes | None:
    """`/sitemap-<kind>-<n>.xml`: the n-th 50,000 addresses of a kind, in id order; None
    past the last (or for a kind that does not exist)."""
    match = _PAGE.fullmatch(reading.path)
    kind = _kind(match.group(1)) if match is not None else None
    if match is None or kind is None:
        return None
    number = int(match.group(2))
    kind.read(reading)
    home = kind.home and number == 1
    skip = 1 if kind.home else 0
    start = (number - 1) * ADDRESSES_PER_SITEMAP
    rows: Sequence[AddressRow] = await kind.rows.select(
        kind.where,
        [moment(reading.now)],
        order_by='"id"',
        limit=ADDRESSES_PER_SITEMAP - (1 if home else 0),
        offset=max(0, start - skip),
    )
    if not rows and not home:
        return None
    root = etree.Element(f"{{{NAMESPACE}}}urlset", nsmap=_DEFAULT_NAMESPACE)
    if home:
        newest = max((row.updated_at for row in rows), default=None)
        _url(root, reading.origins.page("/"), newest)
    for row in rows:
        _url(root, reading.origins.page(kind.uri(row.address)), row.updated_at)
    return _xml(root)


def _url(root: etree._Element, loc: str, lastmod: datetime | None) -> None:
    url = etree.SubElement(root, f"{{{NAMESPACE}}}url")
    etree.SubElement(url, f"{{{NAMESPACE}}}loc").text = loc
    if lastmod is not None:
        etree.SubElement(url, f"{{{NAMESPACE}}}lastmod").text = _lastmod(lastmod)
