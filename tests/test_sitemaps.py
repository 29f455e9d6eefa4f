"""A search engine crawls the site from `/sitemap.xml`: the index names a sitemap per kind of
page (and per 50,000 addresses), each lists exactly the public pages with their `lastmod`.

Every document is validated against the sitemaps.org schemas with lxml: sitemap.xsd as npm's
`sitemap` package ships it (node_modules, installed by `make assets`), siteindex.xsd as
transcribed in tests/schemas/ from the protocol (no installable package ships that one).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from lxml import etree
from tortoise import Tortoise

import models
from gql.site.sitemaps import KINDS
from tests import factories
from tests.conftest import SqlLog, app_client, require
from tests.test_feeds import API, ENV, SITE, blog

ROOT = Path(__file__).resolve().parents[1]
SITEMAP_XSD = ROOT / "node_modules" / "sitemap" / "schema" / "sitemap.xsd"
SITEINDEX_XSD = ROOT / "tests" / "schemas" / "siteindex.xsd"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def _schema(path: Path) -> etree.XMLSchema:
    require(path.is_file(), f"{path} is missing: run `make assets` (npm ci)")
    return etree.XMLSchema(etree.parse(str(path)))


def valid(response: httpx.Response, schema: Path) -> etree._Element:
    """The document, checked against `schema`."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/xml; charset=utf-8"
    document = etree.fromstring(response.content)
    checker = _schema(schema)
    assert checker.validate(document), checker.error_log
    return document


def lastmod(value: datetime) -> str:
    return value.astimezone(UTC).replace(microsecond=0).isoformat()


async def crawl(http: httpx.AsyncClient) -> dict[str, dict[str, str | None]]:
    """Every sitemap the index names (by path), each as {loc: lastmod}; every index entry's
    lastmod is its sitemap's newest."""
    index = valid(await http.get("/sitemap.xml"), SITEINDEX_XSD)
    found: dict[str, dict[str, str | None]] = {}
    for entry in index.findall("s:sitemap", NS):
        loc = entry.findtext("s:loc", namespaces=NS)
        assert loc is not None
        assert loc.startswith(API + "/")  # this server serves the sitemaps
        path = loc.removeprefix(API)
        document = valid(await http.get(path), SITEMAP_XSD)
        urls = {
            str(url.findtext("s:loc", namespaces=NS)): url.findtext("s:lastmod", namespaces=NS)
            for url in document.findall("s:url", NS)
        }
        found[path] = urls
        dates = [date for date in urls.values() if date is not None]
        assert entry.findtext("s:lastmod", namespaces=NS) == (max(dates) if dates else None)
    return found


async def test_the_sitemaps_list_exactly_the_public_pages(db: str) -> None:
    site = await blog()
    await factories.category(slug="empty")  # no posts: an empty page, left out
    ghost = await factories.author(slug="ghost")  # only a draft
    await factories.post(ghost, status=models.PostStatus.DRAFT, published_at=None)
    public = [site.hills, site.long_runs, site.tempo]
    for category in (site.running, site.trail, site.roads):
        await category.refresh_from_db()
    async with app_client(db, ENV) as http:
        sitemaps = await crawl(http)
    assert sitemaps == {
        "/sitemap-posts-1.xml": {
            SITE + "/": lastmod(max(post.updated_at for post in public)),
            **{SITE + post.uri: lastmod(post.updated_at) for post in public},
        },
        "/sitemap-categories-1.xml": {
            SITE + category.uri: lastmod(category.updated_at)
            for category in (site.running, site.trail, site.roads)
        },
        "/sitemap-authors-1.xml": {
            f"{SITE}/author/{author.slug}/": lastmod(author.updated_at)
            for author in (site.kim, site.jo)
        },
    }


async def test_pages_and_tags_have_sitemaps_of_their_public_ones(db: str) -> None:
    site = await blog()
    about = await factories.page(site.kim, slug="about", title="About")
    team = await factories.page(site.kim, slug="team", parent=about)
    await factories.page(site.kim, slug="draft-page", status=models.PostStatus.DRAFT)
    await factories.page(site.kim, slug="locked-page", password="secret")
    hills = await factories.tag(slug="hills", name="Hills")
    await site.hills.tags.add(hills)
    only_on_a_draft = await factories.tag(slug="draft-only")
    await (await models.Post.get(slug="draft")).tags.add(only_on_a_draft)
    await hills.refresh_from_db()

    async with app_client(db, ENV) as http:
        sitemaps = await crawl(http)

    assert sitemaps["/sitemap-pages-1.xml"] == {
        SITE + "/about/": lastmod(about.updated_at),
        SITE + "/about/team/": lastmod(team.updated_at),
    }
    assert sitemaps["/sitemap-tags-1.xml"] == {SITE + "/tag/hills/": lastmod(hills.updated_at)}


async def test_an_empty_site_has_a_valid_index_naming_its_home_page(db: str) -> None:
    async with app_client(db, ENV) as http:
        sitemaps = await crawl(http)
        for kind in ("categories", "authors"):
            assert (await http.get(f"/sitemap-{kind}-1.xml")).status_code == 404
    assert sitemaps == {"/sitemap-posts-1.xml": {SITE + "/": None}}


async def test_a_sitemap_holds_at_most_50000_addresses(db: str) -> None:
    kim = await factories.author(slug="kim")
    template = await factories.post(kim, slug="template")
    # 49,999 more posts in one statement (the ORM would take minutes), copies of the first.
    await Tortoise.get_connection("default").execute_script(
        "INSERT INTO post (slug, uri, title, title_key, excerpt, content, status, password, "
        "published_at, created_at, updated_at, comment_status, author_id) "
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 49999) "
        "SELECT 'bulk-' || i, '/bulk/' || i || '/', title, title_key, excerpt, content, "
        "status, password, published_at, created_at, updated_at, comment_status, author_id "
        f"FROM n, post WHERE post.id = {template.id}"
    )
    async with app_client(db, ENV) as http:
        sitemaps = await crawl(http)
        assert (await http.get("/sitemap-posts-3.xml")).status_code == 404
    assert sorted(sitemaps) == [
        "/sitemap-authors-1.xml",
        "/sitemap-posts-1.xml",
        "/sitemap-posts-2.xml",
    ]
    first, second = sitemaps["/sitemap-posts-1.xml"], sitemaps["/sitemap-posts-2.xml"]
    # The home page and 49,999 posts, then the last post: 50,001 addresses, none twice.
    assert len(first) == 50_000
    assert list(first)[:2] == [SITE + "/", SITE + "/2017/03/04/template/"]
    assert second == {SITE + "/bulk/49999/": lastmod(template.updated_at)}
    assert not set(first) & set(second)


async def test_sitemaps_answer_over_http_like_the_feeds(db: str) -> None:
    await blog()
    async with app_client(db, ENV) as http:
        full = await http.get("/sitemap.xml")
        head = await http.head("/sitemap-posts-1.xml")
        page = await http.get("/sitemap-posts-1.xml?page=2")
        held = await http.get("/sitemap.xml", headers={"If-None-Match": full.headers["etag"]})
        missing = [
            await http.get(path)
            for path in (
                "/sitemap-tags-1.xml",
                "/sitemap-posts-0.xml",
                "/sitemap-posts-01.xml",
                "/sitemap-posts-2.xml",
                "/sitemap-posts-x.xml",
                "/sitemap-posts-12345678901.xml",
                "/sitemap-posts-999999999.xml",
                "/sitemap-Posts-1.xml",
            )
        ]
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(page.content))
    assert head.headers["content-type"] == "application/xml; charset=utf-8"
    assert held.status_code == 304
    for response in missing:
        assert response.status_code == 404, response.url
        assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_a_sitemap_costs_the_same_statements_for_any_number_of_pages(
    db: str, sql_log: SqlLog
) -> None:
    kim = await factories.author(slug="kim")
    running = await factories.category(slug="running")
    await factories.post(kim, categories=[running])
    paths = {
        "/sitemap.xml": len(KINDS),  # one per kind: its sitemaps' sizes and newest dates
        "/sitemap-posts-1.xml": 1,
        "/sitemap-categories-1.xml": 1,
        "/sitemap-authors-1.xml": 1,
    }

    async def costs(http: httpx.AsyncClient) -> dict[str, int]:
        found = {}
        for path in paths:
            before = sql_log.count
            assert (await http.get(path)).status_code == 200
            found[path] = sql_log.count - before
        return found

    async with app_client(db, ENV) as http:
        small = await costs(http)
        for n in range(30):
            category = await factories.category()
            writer = await factories.author()
            await factories.post(
                writer,
                published_at=factories.BASE_TIME + timedelta(hours=n),
                categories=[category, running],
            )
        large = await costs(http)
    assert small == large == paths
