"""A reader subscribes to the blog in a feed reader: `/feed.xml` (RSS 2.0) and `/feed.atom`,
a category's or an author's feed at its address plus `feed.xml`, the comments at
`/comments/feed.xml` and a post's at its address plus `feed.xml`.

Every document is read back with feedparser, as a feed reader reads it, and checked item by
item: exactly the public content, newest first, absolute front-end addresses, permanent
ids, the rows' own dates, sanitised HTML, author names and never an email.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser
import httpx
import pytest
from tortoise import timezone

import models
from gql.core.ids import to_global_id
from gql.core.tokens import create_token
from gql.site.feeds import FEED_ITEMS
from tests import factories
from tests.conftest import SqlLog, app_client, graphql

SITE = "https://blog.example.org"
API = "https://api.example.org"
ENV = {
    "THREADPRESS_SITE_URL": SITE,
    "THREADPRESS_PUBLIC_URL": API,
    "THREADPRESS_SITE_TITLE": "Pace Notes",
}
EMAILS = ("kim@example.org", "jo@example.org", "reader@example.org", "held@example.org")


@dataclass
class Blog:
    """A small blog with every kind of content a feed must leave out beside what it shows."""

    kim: models.Author
    jo: models.Author
    running: models.Category
    trail: models.Category
    roads: models.Category
    hills: models.Post  # kim, trail; the oldest; comments, held ones among them
    long_runs: models.Post  # jo, roads; one comment
    tempo: models.Post  # kim, running and roads; the newest
    draft: models.Post
    scheduled: models.Post
    locked: models.Post
    private: models.Post
    comments: dict[str, models.Comment]


async def blog() -> Blog:
    kim = await factories.author(slug="kim", name="Kim Pace", email="kim@example.org")
    jo = await factories.author(slug="jo", name="Jo Bloggs", email="jo@example.org")
    running = await factories.category(slug="running", name="Running")
    trail = await factories.category(slug="trail", name="Trail & Fell", parent=running)
    roads = await factories.category(slug="roads", name="Roads")
    base = factories.BASE_TIME

    async def post(author: models.Author, slug: str, hours: int, **rest: Any) -> models.Post:
        return await factories.post(
            author,
            slug=slug,
            title=rest.pop("title", slug.replace("-", " ").title()),
            published_at=rest.pop("published_at", base + timedelta(hours=hours)),
            updated_at=base + timedelta(days=1, hours=hours),
            **rest,
        )

    hills = await post(kim, "hill-repeats", 0, categories=[trail])
    long_runs = await post(jo, "long-runs", 1, categories=[roads])
    tempo = await post(kim, "tempo", 2, categories=[running, roads], title="Tempo <runs> & “you”")
    draft = await post(
        kim, "draft", 3, status=models.PostStatus.DRAFT, published_at=None, categories=[trail]
    )
    later = timezone.now() + timedelta(days=30)
    scheduled = await post(kim, "scheduled", 4, published_at=later, categories=[trail])
    locked = await post(kim, "locked", 5, password="secret", categories=[trail])
    private = await post(kim, "private", 6, status=models.PostStatus.PRIVATE, categories=[trail])
    approved = models.CommentModeration.APPROVED
    pending = models.CommentModeration.PENDING
    first = await factories.comment(hills, minutes=10, name="Ann")
    held = await factories.comment(hills, minutes=20, status=pending, email="held@example.org")
    comments = {
        "first": first,
        "reply": await factories.comment(hills, parent=first, minutes=30, name="Bo"),
        "held": held,
        "under_held": await factories.comment(hills, parent=held, minutes=40, status=approved),
        "spam": await factories.comment(hills, minutes=50, status=models.CommentModeration.SPAM),
        "on_roads": await factories.comment(long_runs, minutes=60, name="Cy"),
        "on_draft": await factories.comment(draft, minutes=70),
        "on_locked": await factories.comment(locked, minutes=80),
    }
    return Blog(
        kim, jo, running, trail, roads, hills, long_runs, tempo, draft, scheduled, locked,
        private, comments,
    )  # fmt: skip


def parse(response: httpx.Response) -> Any:
    """The document as a feed reader reads it (feedparser, its own sanitising off, so the
    test sees exactly the HTML the feed carries); it must be well-formed."""
    assert response.status_code == 200, response.text
    parsed = feedparser.parse(response.content, sanitize_html=False, resolve_relative_uris=False)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def utc(value: datetime) -> Any:
    return value.astimezone(UTC).utctimetuple()


def check_post_items(parsed: Any, posts: list[models.Post], authors: dict[int, str]) -> None:
    """Every item is one of `posts`, in this order, as the post is."""
    assert [entry.link for entry in parsed.entries] == [SITE + post.uri for post in posts]
    for entry, post in zip(parsed.entries, posts, strict=True):
        assert entry.title == post.title
        assert entry.published_parsed == utc(post.published_at)
        if parsed.version == "atom10":  # RSS items have no date of change
            assert entry.updated_parsed == utc(max(post.updated_at, post.published_at))
        assert entry.author == authors[post.author_id]
        assert entry.content[0].value == post.content
        assert entry.content[0].type == "text/html"


def ids_of(parsed: Any) -> list[str]:
    return [entry.id for entry in parsed.entries]


@pytest.mark.parametrize("form", ["feed.xml", "feed.atom"])
async def test_the_site_feed_lists_the_newest_public_posts(db: str, form: str) -> None:
    site = await blog()
    authors = {site.kim.id: "Kim Pace", site.jo.id: "Jo Bloggs"}
    async with app_client(db, ENV) as http:
        response = await http.get(f"/{form}")
        again = await http.get(f"/{form}")
    parsed = parse(response)
    assert parsed.version == ("atom10" if form == "feed.atom" else "rss20")
    assert response.headers["content-type"] == (
        "application/atom+xml; charset=utf-8"
        if form == "feed.atom"
        else "application/rss+xml; charset=utf-8"
    )
    assert parsed.feed.title == "Pace Notes"
    assert parsed.feed.link == SITE + "/"
    self_links = [link.href for link in parsed.feed.links if link.rel == "self"]
    assert self_links == [f"{API}/{form}"]
    # Drafts, scheduled, password-protected and private posts never appear.
    check_post_items(parsed, [site.tempo, site.long_runs, site.hills], authors)
    assert "&lt;runs&gt;" in response.text  # the title is text, escaped
    assert again.content == response.content  # the same rows, the same bytes
    for email in EMAILS:
        assert email not in response.text
    # Ids are permanent and the same in both formats: a reader never sees an item twice.
    assert len(set(ids_of(parsed))) == 3
    assert all(entry_id.startswith("urn:uuid:") for entry_id in ids_of(parsed))


async def test_ids_stay_when_a_post_moves_and_are_the_same_in_both_formats(db: str) -> None:
    site = await blog()
    async with app_client(db, ENV) as http:
        rss_before = parse(await http.get("/feed.xml"))
        atom_before = parse(await http.get("/feed.atom"))
        site.hills.uri = "/2017/03/04/hill-repeats-revisited/"
        site.hills.title = "Hill repeats, revisited"
        await site.hills.save()
        rss_after = parse(await http.get("/feed.xml"))
    assert ids_of(rss_before) == ids_of(atom_before) == ids_of(rss_after)
    assert rss_after.entries[2].link == SITE + "/2017/03/04/hill-repeats-revisited/"
    assert rss_after.entries[2].title == "Hill repeats, revisited"


@pytest.mark.parametrize("form", ["feed.xml", "feed.atom"])
async def test_category_and_author_feeds_list_their_own_public_posts(db: str, form: str) -> None:
    site = await blog()
    authors = {site.kim.id: "Kim Pace", site.jo.id: "Jo Bloggs"}
    expected = {
        "/category/running/": ([site.tempo], "Pace Notes: Running"),
        "/category/running/trail/": ([site.hills], "Pace Notes: Trail & Fell"),
        "/category/roads/": ([site.tempo, site.long_runs], "Pace Notes: Roads"),
        "/author/kim/": ([site.tempo, site.hills], "Pace Notes: Kim Pace"),
        "/author/jo/": ([site.long_runs], "Pace Notes: Jo Bloggs"),
    }
    async with app_client(db, ENV) as http:
        for page, (posts, title) in expected.items():
            response = await http.get(page + form)
            parsed = parse(response)
            assert parsed.feed.title == title
            assert parsed.feed.link == SITE + page
            check_post_items(parsed, posts, authors)
            for email in EMAILS:
                assert email not in response.text
        tempo = parse(await http.get("/category/roads/" + form)).entries[0]
    # An item names its categories, with their archives' absolute addresses.
    assert {(tag.term, tag.scheme) for tag in tempo.tags} == {
        ("Running", SITE + "/category/running/"),
        ("Roads", SITE + "/category/roads/"),
    }


@pytest.mark.parametrize("form", ["feed.xml", "feed.atom"])
async def test_comment_feeds_list_the_newest_public_comments(db: str, form: str) -> None:
    site = await blog()
    c = site.comments
    async with app_client(db, ENV) as http:
        everything = await http.get("/comments/" + form)
        on_hills = await http.get(site.hills.uri + form)
    # Held and spam comments, replies under a held one and comments on posts that are not
    # public never appear; the newest comes first.
    expected_all = [
        (c["on_roads"], site.long_runs),
        (c["reply"], site.hills),
        (c["first"], site.hills),
    ]
    expected_hills = [(c["reply"], site.hills), (c["first"], site.hills)]
    for response, expected in ((everything, expected_all), (on_hills, expected_hills)):
        parsed = parse(response)
        assert [entry.link for entry in parsed.entries] == [
            f"{SITE}{post.uri}#comment-{comment.id}" for comment, post in expected
        ]
        for entry, (comment, post) in zip(parsed.entries, expected, strict=True):
            assert entry.title == f"Comment on {post.title} by {comment.author_name}"
            assert entry.author == comment.author_name
            assert entry.published_parsed == utc(comment.created_at)
            body = entry.content[0].value if form == "feed.atom" else entry.summary
            assert body == comment.content
        for email in EMAILS:
            assert email not in response.text
        assert "203.0.113.7" not in response.text  # nor an address
    assert parse(on_hills).feed.title == "Comments on Hill Repeats"
    assert parse(on_hills).feed.link == SITE + site.hills.uri


async def test_feeds_of_what_is_not_public_do_not_exist(db: str) -> None:
    site = await blog()
    async with app_client(db, ENV) as http:
        for post in (site.draft, site.scheduled, site.locked, site.private):
            assert (await http.get(post.uri + "feed.xml")).status_code == 404
        for path in (
            "/category/nope/feed.xml",
            "/category/trail/feed.xml",  # not the category's address: it is nested
            "/author/nobody/feed.atom",
            "/tag/feed.xml",
            "/2017/03/04/no-such-post/feed.xml",
            "/feed.rss",
        ):
            response = await http.get(path)
            assert response.status_code == 404, path
            assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_content_is_the_sanitised_html_with_absolute_links(db: str) -> None:
    author = await factories.author(slug="kim", name="Kim Pace")
    _, secret = await create_token("an editor", models.Role.EDITOR)
    editor = {"Authorization": f"Bearer {secret}"}
    create = """
    mutation($input: CreatePostInput!) { createPost(input: $input) { post { id } errors { code } } }
    """
    publish = "mutation($id: ID!) { publishPost(input: {id: $id}) { errors { code } } }"
    hostile = (
        '<p onclick="steal()">Read <a href="/about/">about us</a> and '
        '<a href="https://elsewhere.example/x">there</a>.</p>'
        '<script>alert(1)</script><img src="/media/hill.jpg" onerror="steal()">'
    )
    new_post = {"title": "Hills", "content": hostile, "authorId": to_global_id("Author", author.id)}
    async with app_client(db, ENV) as http:
        made = await graphql(http, create, {"input": new_post}, editor)
        post_id = made["data"]["createPost"]["post"]["id"]
        assert (await graphql(http, publish, {"id": post_id}, editor))["data"]
        rss = parse(await http.get("/feed.xml"))
        atom = parse(await http.get("/feed.atom"))
    for parsed in (rss, atom):
        html = parsed.entries[0].content[0].value
        assert "script" not in html
        assert "onclick" not in html
        assert "onerror" not in html
        assert f'href="{SITE}/about/"' in html  # relative links now point at the site
        assert 'href="https://elsewhere.example/x"' in html
        assert f'src="{SITE}/media/hill.jpg"' in html


async def test_every_feed_of_an_imported_looking_site_is_well_formed(db: str) -> None:
    made = await factories.magazine()
    thread = made["thread"]
    async with app_client(db, ENV) as http:
        categories = await models.Category.all()
        authors = await models.Author.all()
        pages = ["/", "/comments/", thread.uri]
        pages += [category.uri for category in categories]
        pages += [models.author_uri(author.slug) for author in authors]
        for page in pages:
            for form in ("feed.xml", "feed.atom"):
                response = await http.get(page + form)
                if page.startswith("/category/") and response.status_code == 404:
                    continue
                parsed = parse(response)
                assert len(parsed.entries) <= FEED_ITEMS
                for entry in parsed.entries:
                    assert entry.title  # an untitled post still has a title
                    assert entry.link.startswith(SITE + "/")
                for email in ("kim@example.org", "jo@example.org", "held@example.org"):
                    assert email not in response.text
        comments = parse(await http.get("/comments/feed.xml"))
    assert len(comments.entries) == FEED_ITEMS


async def test_feeds_answer_over_http_like_the_api(db: str) -> None:
    site = await blog()
    async with app_client(db, ENV) as http:
        full = await http.get("/feed.xml")
        head = await http.head("/feed.xml")
        junk = await http.get("/feed.xml?page=2&paged=-1&feed=%00&x[]=1")
        held = await http.get("/feed.xml", headers={"If-None-Match": full.headers["etag"]})
        json = {"Content-Type": "application/json"}
        posted = await http.post("/feed.xml", content=b"{}", headers=json)
        long_path = await http.get("/" + "a/" * 1500 + "feed.xml")
        control = await http.get("/category/%00/feed.xml")
        surrogate = await http.get("/category/%ED%A0%80/feed.xml")
        double = await http.get("/category//feed.xml")
        odd = [
            await http.get(path)
            for path in (
                "/%FF%FE/feed.xml",
                "/category/a%2Fb/feed.atom",
                "/category/..%2F..%2F/feed.xml",
                "/author/%27%3B--/feed.xml",
                "/category/" + "x" * 1990 + "/feed.xml",
                "/%F0%9F%8F%83/feed.xml",
            )
        ]
        comment_head = await http.head(site.hills.uri + "feed.atom")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(full.content))
    assert head.headers["etag"] == full.headers["etag"]
    assert head.headers["content-type"] == "application/rss+xml; charset=utf-8"
    assert comment_head.headers["content-type"] == "application/atom+xml; charset=utf-8"
    assert junk.status_code == 200
    assert junk.content == full.content
    assert held.status_code == 304
    assert held.content == b""
    assert held.headers["etag"] == full.headers["etag"]
    assert full.headers["cache-control"] == "public, max-age=0, must-revalidate"
    assert posted.status_code == 405
    for refused in (long_path, control, surrogate, double, *odd):
        assert refused.status_code == 404, refused.text
        assert refused.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def _statements(http: httpx.AsyncClient, sql_log: SqlLog, path: str) -> int:
    before = sql_log.count
    response = await http.get(path)
    assert response.status_code == 200, (path, response.text)
    return sql_log.count - before


FEED_STATEMENTS = {
    # posts; their authors; their categories (one join)
    "/feed.xml": 3,
    # the category; its posts; authors; categories
    "/category/running/feed.xml": 4,
    # the author; their posts; authors; categories
    "/author/kim/feed.xml": 4,
    # comments (joined with their posts' rule); their posts
    "/comments/feed.xml": 2,
    # the post; its comments
    "/2017/03/04/first/feed.xml": 2,
}


async def test_a_feed_costs_the_same_statements_for_two_items_or_a_full_feed(
    db: str, sql_log: SqlLog
) -> None:
    kim = await factories.author(slug="kim")
    running = await factories.category(slug="running")
    others = [await factories.category() for _ in range(3)]
    first = await factories.post(kim, slug="first", categories=[running, others[0]])
    await factories.comment(first)
    async with app_client(db, ENV) as http:
        small = {path: await _statements(http, sql_log, path) for path in FEED_STATEMENTS}
        for n in range(2 * FEED_ITEMS):
            post = await factories.post(
                kim,
                published_at=factories.BASE_TIME + timedelta(hours=n + 1),
                categories=[running, others[n % 3]],
            )
            await factories.comment(post)
            await factories.comment(first)
        large = {path: await _statements(http, sql_log, path) for path in FEED_STATEMENTS}
        assert len(parse(await http.get("/feed.xml")).entries) == FEED_ITEMS
    assert small == large == FEED_STATEMENTS


async def test_a_site_under_a_path_prefix_keeps_it_in_every_address(db: str) -> None:
    kim = await factories.author(slug="kim", name="Kim Pace")
    running = await factories.category(slug="running", name="Running")
    content = (
        '<p><a href="/about/">About</a> <a href="#splits">splits</a> '
        '<a href="mailto:kim@example.org">mail</a></p><p><img src="hill.jpg" alt=""></p>'
    )
    post = await factories.post(kim, slug="hills", content=content, categories=[running])
    prefix = "https://example.org/blog"
    async with app_client(db, {**ENV, "THREADPRESS_SITE_URL": prefix}) as http:
        parsed = parse(await http.get("/category/running/feed.atom"))
    (entry,) = parsed.entries
    page = prefix + post.uri
    assert entry.link == page
    assert parsed.feed.link == prefix + "/category/running/"
    assert [tag.scheme for tag in entry.tags] == [prefix + "/category/running/"]
    html = entry.content[0].value
    assert f'href="{prefix}/about/"' in html
    assert f'href="{page}#splits"' in html
    assert 'href="mailto:kim@example.org"' in html  # what the author wrote, kept as written
    assert f'src="{page}hill.jpg"' in html


@pytest.mark.parametrize("form", ["feed.xml", "feed.atom"])
async def test_a_tag_feed_lists_its_own_public_posts(db: str, form: str) -> None:
    site = await blog()
    hills = await factories.tag(slug="hills", name="Hills")
    await factories.tag(slug="unused", name="Unused")
    for post in (site.hills, site.tempo):
        await post.tags.add(hills)
    draft = await models.Post.get(slug="draft")
    await draft.tags.add(hills)
    authors = {site.kim.id: "Kim Pace", site.jo.id: "Jo Bloggs"}

    async with app_client(db, ENV) as http:
        response = await http.get("/tag/hills/" + form)
        unused = await http.get("/tag/unused/" + form)
        missing = await http.get("/tag/nowhere/" + form)

    parsed = parse(response)
    assert parsed.feed.title == "Pace Notes: Hills"
    assert parsed.feed.link == SITE + "/tag/hills/"
    check_post_items(parsed, [site.tempo, site.hills], authors)  # the draft is left out
    assert parse(unused).entries == []
    assert missing.status_code == 404
