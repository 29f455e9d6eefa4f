"""Importing a WordPress export: the real theme unit test export, small hand-written WXR
files in both namespace spellings, re-imports, and files that must be refused.

The theme unit test export is third-party data outside the repository (../shared): the tests
that read it check that real-world file, and skip where it is absent; every behaviour they
touch is also checked on a hand-written export here, which every clone has."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

import models
from models import Author, Category, Comment, Page, Post, Tag, public_post_filter
from tests.conftest import graphql, shared_file
from threadpress.wordpress import ImportRefused, import_wxr
from threadpress.wordpress.summary import ImportSummary

WP12 = "{https://wordpress.org/export/1.2/}"


def fixture() -> Path:
    """The WordPress theme unit test export (skips the test where it is absent)."""
    return shared_file("fixtures/wordpress-theme-unit-test.xml")


def expected_counts() -> Counter[str]:
    """What the fixture holds, counted with the standard library's plain parser."""
    counts: Counter[str] = Counter()
    root = ElementTree.parse(fixture()).getroot()
    for item in root.iter("item"):
        post_type = item.findtext(f"{WP12}post_type")
        status = item.findtext(f"{WP12}status")
        imported = status in {"publish", "future", "draft", "private"}
        if post_type not in {"post", "page"} or not imported:
            counts[f"skipped {post_type}"] += 1
            continue
        if post_type == "page":
            counts["pages"] += 1
            counts["comment on a page"] += len(list(item.iter(f"{WP12}comment")))
            continue
        counts["posts"] += 1
        counts["post tags"] += len(item.findall("category[@domain='post_tag']"))
        for comment in item.iter(f"{WP12}comment"):
            counts[f"comment type {comment.findtext(f'{WP12}comment_type') or 'comment'}"] += 1
    return counts


def expected_tag_slugs() -> set[str]:
    """The slugs of the fixture's tags: declared in the channel, or only named on posts."""
    root = ElementTree.parse(fixture()).getroot()
    declared = {tag.findtext(f"{WP12}tag_slug") for tag in root.iter(f"{WP12}tag")}
    named = {
        category.get("nicename")
        for item in root.iter("item")
        if item.findtext(f"{WP12}post_type") == "post"
        for category in item.findall("category[@domain='post_tag']")
    }
    return {slug for slug in declared | named if slug}


async def row_counts() -> dict[str, int]:
    return {
        "authors": await Author.all().count(),
        "categories": await Category.all().count(),
        "tags": await Tag.all().count(),
        "posts": await Post.all().count(),
        "pages": await Page.all().count(),
        "comments": await Comment.all().count(),
    }


NOTHING = {"authors": 0, "categories": 0, "tags": 0, "posts": 0, "pages": 0, "comments": 0}


async def test_theme_unit_test_counts_match_the_file(db: str) -> None:
    expected = expected_counts()

    summary = await import_wxr(fixture(), progress=False)

    # Verified by hand as well as by the independent count above.
    assert expected["posts"] == 58
    assert expected["comment type comment"] == 24
    assert summary.counts["posts"].imported == expected["posts"]
    assert summary.counts["comments"].imported == expected["comment type comment"]
    assert summary.counts["authors"].imported == 3  # 2 declared, 1 misspelt dc:creator
    assert summary.counts["categories"].imported == 68
    assert summary.counts["tags"].imported == len(expected_tag_slugs()) == 114
    assert summary.counts["pages"].imported == expected["pages"] == 21
    assert summary.skipped == {
        "attachment": expected["skipped attachment"],
        "pingback": expected["comment type pingback"],
        "trackback": expected["comment type trackback"],
        "comment on a page": expected["comment on a page"],
    }
    assert summary.counts["menus"].imported == 6
    assert summary.counts["menu items"].imported == 70
    assert expected["comment on a page"] == 5
    assert "skipped page" not in expected
    assert expected["skipped attachment"] == 37
    assert expected["skipped nav_menu_item"] == 70
    assert await row_counts() == {
        "authors": 3,
        "categories": 68,
        "tags": 114,
        "posts": 58,
        "pages": 21,
        "comments": 24,
    }
    links = [pair for pair in await Post.all().values_list("id", "tags__id") if pair[1]]
    assert len(links) == expected["post tags"] == 188
    report = summary.report()
    assert "posts:      58 imported, 0 updated, 0 unchanged" in report
    assert "pages:      21 imported, 0 updated, 0 unchanged" in report
    assert "tags:       114 imported, 0 updated, 0 unchanged" in report
    assert "menu items: 70 imported, 0 updated, 0 unchanged" in report
    # Pages, tags and menus are imported now: only the comments on pages are left out of them.
    assert (
        "  not imported: 37 attachments, 5 comments on pages, 2 pingbacks, 2 trackbacks"
    ) in report.splitlines()


async def test_deepest_thread_comes_back_with_parents_depths_and_order(db: str) -> None:
    await import_wxr(fixture(), progress=False)

    post = await Post.get(slug="template-comments")
    rows = await Comment.filter(post=post, is_public=True).order_by("path")
    by_id = {c.id: c for c in rows}

    assert [c.wp_id for c in rows] == [
        881, 899, 900, 901, 903,
        904, 905, 906, 907, 910, 911, 912, 913, 914, 915,
        917, 918, 919, 920,
    ]  # fmt: skip
    chain = rows[5:15]
    assert [c.depth for c in chain] == list(range(10))
    assert [by_id[c.parent_id].wp_id if c.parent_id else None for c in chain] == [
        None, 904, 905, 906, 907, 910, 911, 912, 913, 914,
    ]  # fmt: skip
    assert all(c.path.startswith(by_id[c.parent_id].path) for c in chain[1:])
    pending = await Comment.get(wp_id=1015)
    assert (pending.status, pending.is_public, pending.depth) == (
        models.CommentModeration.PENDING,
        False,
        0,
    )
    deepest = chain[-1]
    assert deepest.author_name == "themedemos"
    assert deepest.content == "<p>Comment Depth 10</p>\n<p>Also an author comment.</p>"
    assert deepest.created_at == datetime(2013, 3, 14, 15, 14, 47, tzinfo=UTC)


async def test_unpublished_posts_are_not_public(db: str) -> None:
    await import_wxr(fixture(), progress=False)
    now = datetime(2025, 1, 1, tzinfo=UTC)

    public = set(await Post.filter(public_post_filter(now)).values_list("slug", flat=True))
    draft = await Post.get(wp_id=1164)
    scheduled = await Post.get(wp_id=1153)
    locked = await Post.get(wp_id=1168)

    assert len(public) == 55
    assert (draft.status, draft.published_at, draft.slug, draft.uri) == (
        models.PostStatus.DRAFT,
        None,
        "draft",
        "/2013/04/09/draft/",
    )
    assert (scheduled.status, scheduled.published_at) == (
        models.PostStatus.PUBLISHED,
        datetime(2030, 1, 1, 19, 0, 18, tzinfo=UTC),
    )
    assert locked.password == "enter"
    assert {"draft", "scheduled", "template-password-protected"} & public == set()
    later = datetime(2030, 1, 2, tzinfo=UTC)
    assert await Post.filter(public_post_filter(later), slug="scheduled").count() == 1


async def test_imported_post_fields(db: str) -> None:
    await import_wxr(fixture(), progress=False)

    post = await Post.get(wp_id=1148).prefetch_related("author", "categories")
    no_title = await Post.get(wp_id=1169)
    sub = await Category.get(slug="sub").prefetch_related("parent")

    assert post.uri == "/2012/01/03/template-comments/"
    assert post.title == "Template: Comments"
    assert post.author.slug == "themedemos"
    assert post.author.email == "themeshaperwp+demos@gmail.com"
    assert sorted(c.slug for c in post.categories) == ["classic", "template-2", "uncategorized"]
    assert post.title_key == models.text_sort_key("Template: Comments")
    assert post.published_at == datetime(2012, 1, 3, 17, 11, 37, tzinfo=UTC)
    assert post.updated_at == post.published_at  # no wp:post_modified in this file
    assert no_title.title == ""
    assert sub.parent is not None
    assert sub.parent.slug == "aciform"


async def test_reimport_changes_nothing(db: str) -> None:
    await import_wxr(fixture(), progress=False)
    before = await row_counts()
    stamps = dict(await Post.all().values_list("wp_id", "updated_at"))
    paths = dict(await Comment.all().values_list("wp_id", "path"))

    summary = await import_wxr(fixture(), progress=False)

    assert await row_counts() == before
    assert dict(await Post.all().values_list("wp_id", "updated_at")) == stamps
    assert dict(await Comment.all().values_list("wp_id", "path")) == paths
    assert {k: vars(v) for k, v in summary.counts.items()} == {
        "posts": {"imported": 0, "updated": 0, "unchanged": 58},
        "pages": {"imported": 0, "updated": 0, "unchanged": 21},
        "comments": {"imported": 0, "updated": 0, "unchanged": 24},
        "authors": {"imported": 0, "updated": 0, "unchanged": 3},
        "categories": {"imported": 0, "updated": 0, "unchanged": 68},
        "tags": {"imported": 0, "updated": 0, "unchanged": 114},
        "menus": {"imported": 0, "updated": 0, "unchanged": 6},
        "menu items": {"imported": 0, "updated": 0, "unchanged": 70},
    }
    assert summary.report().endswith("Everything was already up to date: nothing changed.")


THEME_TAG_PAGE = """
{
  tag(slug: "template") { name uri postCount posts(first: 3) { nodes { slug } } }
  post(slug: "template-sticky") { sticky tags { slug name } }
  stickies: posts(where: { sticky: true }) { nodes { slug } }
  tagged: posts(first: 50, where: { tagSlug: "sticky-2" }) { nodes { slug } }
}
"""


async def post_tag_links() -> set[tuple[int, int]]:
    """(post wp_id, tag wp_term_id or slug) for every tag of every post."""
    pairs = await Post.all().values_list("wp_id", "tags__wp_term_id", "tags__slug")
    return {(wp_id, term or slug) for wp_id, term, slug in pairs if slug is not None}


async def test_theme_unit_test_tags_come_with_their_posts(
    db: str, client: httpx.AsyncClient
) -> None:
    await import_wxr(fixture(), progress=False)
    links = await post_tag_links()

    again = await import_wxr(fixture(), progress=False)
    body = await graphql(client, THEME_TAG_PAGE)

    post = await Post.get(wp_id=1148).prefetch_related("tags")
    named_only_on_posts = await Tag.get(slug="test-tag")
    assert sorted(t.slug for t in post.tags) == ["comments-2", "template"]
    assert (named_only_on_posts.name, named_only_on_posts.wp_term_id) == ("test tag", None)
    assert (await Tag.get(slug="8bit")).description == "Tags posts about 8BIT."
    assert "errors" not in body, body
    data = body["data"]
    assert data["tag"]["uri"] == "/tag/template/"
    # 12 posts of the file have it; one of them is password-protected, so not public.
    assert data["tag"]["postCount"] == 11
    assert data["tag"]["posts"]["nodes"] == [  # newest first
        {"slug": "template-featured-image-vertical"},
        {"slug": "template-featured-image-horizontal"},
        {"slug": "template-more-tag"},
    ]
    assert data["post"]["sticky"] is True
    assert sorted((t["slug"], t["name"]) for t in data["post"]["tags"]) == [
        ("sticky-2", "sticky"),
        ("template", "template"),
    ]
    assert data["stickies"]["nodes"] == [{"slug": "template-sticky"}]
    assert data["tagged"]["nodes"] == [{"slug": "template-sticky"}]
    # Re-importing keeps every tag and every link as they were.
    assert await post_tag_links() == links
    assert len(links) == 188
    assert vars(again.counts["tags"]) == {"imported": 0, "updated": 0, "unchanged": 114}
    assert again.counts["posts"].updated == 0


# --- Small hand-written exports ---------------------------------------------------------


def wxr(wp_ns: str, items: str, *, version: str = "1.2", extra: str = "") -> str:
    excerpt_ns = wp_ns + "excerpt/"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="{excerpt_ns}" xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="{wp_ns}">
<channel>
<title>Trail notes</title>
<wp:wxr_version>{version}</wp:wxr_version>
<wp:author><wp:author_login>kim</wp:author_login><wp:author_email>kim@example.org</wp:author_email>
  <wp:author_display_name><![CDATA[Kim Pace]]></wp:author_display_name></wp:author>
<wp:category><wp:term_id>5</wp:term_id><wp:category_nicename>running</wp:category_nicename>
  <wp:category_parent></wp:category_parent><wp:cat_name><![CDATA[Running]]></wp:cat_name></wp:category>
<wp:category><wp:term_id>6</wp:term_id><wp:category_nicename>recovery</wp:category_nicename>
  <wp:category_parent>running</wp:category_parent><wp:cat_name>Recovery</wp:cat_name></wp:category>
{extra}{items}
</channel>
</rss>
"""


RECOVERY = '<category domain="category" nicename="recovery"><![CDATA[Recovery]]></category>'


def item(
    wp_id: int,
    *,
    status: str = "publish",
    post_type: str = "post",
    name: str = "",
    title: str = "A post",
    link: str = "",
    date: str = "2017-03-04 09:30:00",
    password: str = "",
    content: str = "First line\nsecond line\n\nNew paragraph",
    comments: str = "",
    categories: str = RECOVERY,
) -> str:
    return f"""<item>
<title>{title}</title><link>{link}</link><dc:creator>kim</dc:creator>
<content:encoded><![CDATA[{content}]]></content:encoded>
<excerpt:encoded><![CDATA[]]></excerpt:encoded>
<wp:post_id>{wp_id}</wp:post_id><wp:post_date>{date}</wp:post_date>
<wp:post_date_gmt>{date}</wp:post_date_gmt><wp:comment_status>closed</wp:comment_status>
<wp:post_name>{name}</wp:post_name><wp:status>{status}</wp:status>
<wp:post_type>{post_type}</wp:post_type><wp:post_password>{password}</wp:post_password>
{categories}{comments}
</item>"""


def comment(wp_id: int, parent: int = 0, approved: str = "1", kind: str = "") -> str:
    return f"""<wp:comment><wp:comment_id>{wp_id}</wp:comment_id>
<wp:comment_author><![CDATA[Reader {wp_id}]]></wp:comment_author>
<wp:comment_author_email>r{wp_id}@example.org</wp:comment_author_email>
<wp:comment_author_url>https://example.org/</wp:comment_author_url>
<wp:comment_author_IP>192.0.2.{wp_id % 250}</wp:comment_author_IP>
<wp:comment_date_gmt>2017-03-05 10:{wp_id % 60:02d}:00</wp:comment_date_gmt>
<wp:comment_content><![CDATA[Comment <script>alert(1)</script>{wp_id}]]></wp:comment_content>
<wp:comment_approved>{approved}</wp:comment_approved><wp:comment_type>{kind}</wp:comment_type>
<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>"""


def write(tmp_path: Path, text: str, name: str = "export.xml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("namespace", "version"),
    [
        ("http://wordpress.org/export/1.0/", "1.0"),
        ("http://wordpress.org/export/1.1/", "1.1"),
        ("http://wordpress.org/export/1.2/", "1.2"),
        ("https://wordpress.org/export/1.2/", "1.2"),
    ],
)
async def test_both_namespace_spellings(
    db: str, tmp_path: Path, namespace: str, version: str
) -> None:
    comments = comment(1) + comment(2, parent=1) + comment(3, parent=2, approved="0")
    text = wxr(namespace, item(10, name="needles", comments=comments), version=version)

    summary = await import_wxr(write(tmp_path, text), progress=False)

    post = await Post.get(wp_id=10).prefetch_related("author", "categories")
    assert summary.wxr_version == version
    assert (post.slug, post.uri, post.title) == ("needles", "/2017/03/04/needles/", "A post")
    assert post.content == "<p>First line<br>\nsecond line</p>\n<p>New paragraph</p>"
    assert post.excerpt == ""
    assert post.comment_status == models.CommentStatus.CLOSED
    assert post.published_at == datetime(2017, 3, 4, 9, 30, tzinfo=UTC)
    assert (post.author.slug, post.author.name) == ("kim", "Kim Pace")
    assert [c.slug for c in post.categories] == ["recovery"]
    assert (await Category.get(slug="recovery")).parent_id == (
        await Category.get(slug="running")
    ).id
    rows = await Comment.filter(post=post).order_by("path")
    assert [(c.wp_id, c.depth, c.is_public) for c in rows] == [
        (1, 0, True),
        (2, 1, True),
        (3, 2, False),
    ]
    assert rows[0].content == "<p>Comment 1</p>"
    assert (rows[0].author_email, rows[0].author_ip) == ("r1@example.org", "192.0.2.1")


async def test_statuses_map_and_unimported_things_are_counted(db: str, tmp_path: Path) -> None:
    items = "".join(
        [
            item(1, status="private", name="mine"),
            item(2, status="pending", name="waiting"),
            item(3, status="trash", name="gone"),
            item(4, status="auto-draft", name="", title="", date="0000-00-00 00:00:00"),
            item(5, status="publish", name="locked", password="s3cret"),
            item(6, status="future", name="soon", date="2099-01-01 08:00:00"),
            item(7, post_type="page", name="about", comments=comment(70)),
            item(
                8,
                name="pings",
                link="https://example.org/?p=8",
                comments=comment(80, kind="pingback")
                + comment(81, kind="trackback")
                + comment(82, parent=80)
                + comment(83, approved="spam")
                + comment(84, approved="trash"),
            ),
        ]
    )

    summary = await import_wxr(
        write(tmp_path, wxr("https://wordpress.org/export/1.2/", items)), progress=False
    )

    statuses = dict(await Post.all().values_list("wp_id", "status"))
    assert statuses == {
        1: models.PostStatus.PRIVATE,
        2: models.PostStatus.PENDING,
        4: models.PostStatus.DRAFT,
        5: models.PostStatus.PUBLISHED,
        6: models.PostStatus.PUBLISHED,
        8: models.PostStatus.PUBLISHED,
    }
    assert set(await Post.filter(public_post_filter()).values_list("wp_id", flat=True)) == {8}
    untitled = await Post.get(wp_id=4)
    assert (untitled.slug, untitled.uri, untitled.published_at) == ("post-4", "/post-4/", None)
    assert (await Post.get(wp_id=8)).uri == "/2017/03/04/pings/"
    assert summary.skipped == {
        "trashed post": 1,
        "comment on a page": 1,
        "pingback": 1,
        "trackback": 1,
    }
    assert summary.notes == {"comments whose parent is not in the file became top-level": 1}
    moderation = dict(await Comment.all().values_list("wp_id", "status"))
    assert moderation == {
        82: models.CommentModeration.APPROVED,
        83: models.CommentModeration.SPAM,
        84: models.CommentModeration.TRASH,
    }
    assert (await Comment.get(wp_id=82)).parent_id is None


async def test_duplicate_slugs_and_uris_are_numbered(db: str, tmp_path: Path) -> None:
    items = item(1, name="same") + item(2, name="same") + item(3, name="", title="Same")
    path = write(tmp_path, wxr("https://wordpress.org/export/1.2/", items))

    await import_wxr(path, progress=False)
    again = await import_wxr(path, progress=False)

    rows = await Post.all().order_by("wp_id").values_list("slug", "uri")
    assert rows == [
        ("same", "/2017/03/04/same/"),
        ("same-2", "/2017/03/04/same-2/"),
        ("same-3", "/2017/03/04/same-3/"),
    ]
    assert again.counts["posts"].unchanged == 3


async def test_changed_file_updates_rows(db: str, tmp_path: Path) -> None:
    namespace = "https://wordpress.org/export/1.2/"
    await import_wxr(
        write(tmp_path, wxr(namespace, item(1, name="a", comments=comment(5)))), progress=False
    )

    changed = item(
        1, name="a", title="New title", comments=comment(5, approved="0") + comment(6, parent=5)
    )
    summary = await import_wxr(
        write(tmp_path, wxr(namespace, changed), name="2.xml"), progress=False
    )

    post = await Post.get(wp_id=1)
    assert (post.title, post.title_key) == ("New title", models.text_sort_key("New title"))
    assert summary.counts["posts"].updated == 1
    assert vars(summary.counts["comments"]) == {"imported": 1, "updated": 1, "unchanged": 0}
    assert [(c.wp_id, c.is_public, c.depth) for c in await Comment.all().order_by("path")] == [
        (5, False, 0),
        (6, False, 1),
    ]


def ten_level_thread() -> str:
    """One post whose comments nest ten levels deep (1 > 2 > ... > 10) beside two top-level
    ones, written replies first, the way an export edited by hand or merged may list them."""
    chain = [comment(n, parent=n - 1 if n > 1 else 0) for n in range(1, 11)]
    comments = "".join(reversed(chain)) + comment(11) + comment(12, approved="0")
    return wxr("https://wordpress.org/export/1.2/", item(1, name="deep", comments=comments))


async def test_ten_level_thread_keeps_parents_depths_and_order(db: str, tmp_path: Path) -> None:
    await import_wxr(write(tmp_path, ten_level_thread()), progress=False)

    rows = await Comment.filter(post=await Post.get(wp_id=1)).order_by("path")
    by_id = {c.id: c for c in rows}

    assert [(c.wp_id, c.depth, c.is_public) for c in rows] == [
        *[(n, n - 1, True) for n in range(1, 11)],
        (11, 0, True),
        (12, 0, False),
    ]
    chain = rows[:10]
    assert [by_id[c.parent_id].wp_id if c.parent_id else None for c in chain] == [
        None, *range(1, 10),
    ]  # fmt: skip
    assert all(c.path.startswith(by_id[c.parent_id].path) for c in chain[1:])


async def test_ten_level_thread_of_an_export_reads_back_through_graphql(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    await import_wxr(write(tmp_path, ten_level_thread()), progress=False)

    body = await graphql(client, THREAD_QUERY, {"slug": "deep"})

    assert "errors" not in body, body["errors"]
    post = body["data"]["post"]
    assert post["commentCount"] == 11
    top = post["comments"]["nodes"]
    assert count_nested(top) == 11
    assert deepest_chain(top[0]) == [(n - 1, f"Reader {n}") for n in range(1, 11)]
    thread = post["commentThread"]["nodes"]
    assert [c["depth"] for c in thread] == [*range(10), 0]
    assert thread[9]["parent"] == {"authorName": "Reader 9"}


async def test_reimporting_an_export_changes_nothing(db: str, tmp_path: Path) -> None:
    path = write(tmp_path, long_export(posts=6))
    await import_wxr(path, progress=False)
    before = await row_counts()
    stamps = dict(await Post.all().values_list("wp_id", "updated_at"))
    paths = dict(await Comment.all().values_list("wp_id", "path"))

    summary = await import_wxr(path, progress=False)

    assert before == {
        "authors": 1,
        "categories": 2,
        "tags": 0,
        "posts": 6,
        "pages": 0,
        "comments": 12,
    }
    assert await row_counts() == before
    assert dict(await Post.all().values_list("wp_id", "updated_at")) == stamps
    assert dict(await Comment.all().values_list("wp_id", "path")) == paths
    assert {k: vars(v) for k, v in summary.counts.items()} == {
        "posts": {"imported": 0, "updated": 0, "unchanged": 6},
        "pages": {"imported": 0, "updated": 0, "unchanged": 0},
        "comments": {"imported": 0, "updated": 0, "unchanged": 12},
        "authors": {"imported": 0, "updated": 0, "unchanged": 1},
        "categories": {"imported": 0, "updated": 0, "unchanged": 2},
        "tags": {"imported": 0, "updated": 0, "unchanged": 0},
        "menus": {"imported": 0, "updated": 0, "unchanged": 0},
        "menu items": {"imported": 0, "updated": 0, "unchanged": 0},
    }
    assert summary.report().endswith("Everything was already up to date: nothing changed.")


# --- Refusals: nothing is written -------------------------------------------------------


async def refused(path: Path) -> str:
    with pytest.raises(ImportRefused) as refusal:
        await import_wxr(path, progress=False)
    assert await row_counts() == NOTHING
    return str(refusal.value)


async def test_missing_file_is_refused(db: str, tmp_path: Path) -> None:
    path = tmp_path / "nope.xml"

    assert await refused(path) == f"{path}: no such file"


async def test_not_xml_is_refused(db: str, tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00 binary")

    assert (await refused(path)).startswith(f"{path}: not an XML document (")


async def test_empty_file_is_refused(db: str, tmp_path: Path) -> None:
    assert (await refused(write(tmp_path, ""))).startswith(f"{tmp_path}/export.xml: not an XML")


async def test_xml_that_is_not_wxr_is_refused(db: str, tmp_path: Path) -> None:
    path = write(tmp_path, "<html><body><p>hello</p></body></html>")

    assert await refused(path) == (
        f"{path}: not a WordPress export (WXR): the root element is <html>, not <rss>"
    )


async def test_plain_rss_is_refused(db: str, tmp_path: Path) -> None:
    path = write(tmp_path, '<rss version="2.0"><channel><title>x</title></channel></rss>')

    assert await refused(path) == (
        f"{path}: not a WordPress export (WXR): no wordpress.org/export/ namespace is declared"
    )


async def test_unsupported_version_is_refused(db: str, tmp_path: Path) -> None:
    path = write(tmp_path, wxr("http://wordpress.org/export/1.3/", item(1)))

    assert await refused(path) == (
        f"{path}: unsupported WXR version 1.3 (this importer reads 1.0, 1.1, 1.2)"
    )


def long_export(posts: int = 40) -> str:
    """A hand-written export of `posts` posts with a short thread each (tens of KB)."""
    items = "".join(
        item(
            n,
            name=f"post-{n}",
            title=f"Post {n}",
            comments=comment(n * 10) + comment(n * 10 + 1, parent=n * 10),
        )
        for n in range(1, posts + 1)
    )
    return wxr("https://wordpress.org/export/1.2/", items)


async def test_truncated_export_writes_nothing(db: str, tmp_path: Path) -> None:
    data = long_export().encode()
    path = tmp_path / "truncated.xml"
    path.write_bytes(data[: len(data) * 9 // 10])

    message = await refused(path)

    assert message.startswith(f"{path}: malformed XML at line ")


async def test_item_without_required_field_is_refused(db: str, tmp_path: Path) -> None:
    broken = item(1).replace("<wp:post_id>1</wp:post_id>", "")
    path = write(tmp_path, wxr("https://wordpress.org/export/1.2/", item(2) + broken))

    message = await refused(path)

    assert message.endswith(": item without the required wp:post_id")


async def test_bad_date_is_refused(db: str, tmp_path: Path) -> None:
    path = write(tmp_path, wxr("https://wordpress.org/export/1.2/", item(1, date="yesterday")))

    assert (await refused(path)).endswith(
        ": wp:post_date_gmt 'yesterday' is not a date (YYYY-MM-DD HH:MM:SS)"
    )


DOCTYPE_REFUSED = (
    ": refused, the document has a DOCTYPE; WordPress exports never do, and entity "
    "declarations can be used to attack the importer"
)
BILLION_LAUGHS = (
    '<!DOCTYPE rss [<!ENTITY lol0 "lol">'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    + "]>"
)


def with_prolog(prolog: str, *, title: str = "A post") -> str:
    """A valid export whose XML declaration is followed by `prolog` (a DOCTYPE, comments,
    processing instructions) before the root element."""
    body = wxr("https://wordpress.org/export/1.2/", item(1, title=title)).split("\n", 1)[1]
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{prolog}\n{body}'


async def test_entity_expansion_is_refused(db: str, tmp_path: Path) -> None:
    """Refused by our own rule before any parser expands an entity, with the same message
    whatever the libxml2 version (2.14 would stop this document itself, with its own)."""
    path = write(tmp_path, with_prolog(BILLION_LAUGHS, title="&lol9;"))

    assert await refused(path) == f"{path}{DOCTYPE_REFUSED}"


def encoded(codec: str, declared: str, bom: bytes = b"") -> Callable[[str], bytes]:
    """An encoder: the export declared as `declared`, written in `codec` after `bom`."""
    return lambda text: (
        bom + text.replace('encoding="UTF-8"', f'encoding="{declared}"').encode(codec)
    )


@pytest.mark.parametrize(
    "encode",
    [
        encoded("utf-8", "UTF-8"),
        encoded("utf-8", "UTF-8", b"\xef\xbb\xbf"),
        encoded("utf-16-le", "UTF-16", b"\xff\xfe"),
        encoded("utf-16-be", "UTF-16", b"\xfe\xff"),
        encoded("utf-16-be", "UTF-16"),
        encoded("shift_jis", "Shift_JIS"),
        encoded("utf-8", "UTF-16"),
    ],
    ids=[
        "UTF-8",
        "UTF-8 with a byte order mark",
        "UTF-16 little-endian",
        "UTF-16 big-endian",
        "UTF-16 big-endian without a byte order mark",
        "Shift_JIS",
        "declared UTF-16 but written in UTF-8",
    ],
)
@pytest.mark.parametrize(
    "prolog",
    [
        '<!DOCTYPE rss SYSTEM "http://example.org/rss.dtd">',
        "<!DOCTYPE rss>",
        '<!-- exported by hand --><?xml-stylesheet href="x.xsl"?>\n<!-- 日本語 -->\n'
        + BILLION_LAUGHS,
    ],
    ids=["external DTD", "plain DOCTYPE", "after comments and a processing instruction"],
)
async def test_a_doctype_is_refused_in_every_encoding(
    db: str, tmp_path: Path, encode: Callable[[str], bytes], prolog: str
) -> None:
    path = tmp_path / "export.xml"
    path.write_bytes(encode(with_prolog(prolog)))

    assert await refused(path) == f"{path}{DOCTYPE_REFUSED}"


@pytest.mark.parametrize(
    "encode",
    [encoded("utf-8", "UTF-8", b"\xef\xbb\xbf"), encoded("utf-16", "UTF-16")],
    ids=["UTF-8 with a byte order mark", "UTF-16"],
)
async def test_a_doctype_only_in_a_comment_imports(
    db: str, tmp_path: Path, encode: Callable[[str], bytes]
) -> None:
    path = tmp_path / "export.xml"
    path.write_bytes(encode(with_prolog("<!-- no <!DOCTYPE rss> here --><?pi x?>")))

    summary = await import_wxr(path, progress=False)

    assert summary.counts["posts"].imported == 1
    assert (await Post.get(wp_id=1)).title == "A post"


# --- Through the API --------------------------------------------------------------------


def nested_replies(levels: int) -> str:
    # Two replies a level keep ten levels inside the default cost budget (2^10 nodes a
    # thread); the count check below proves no reply was left out.
    fields = "databaseId depth authorName"
    inner = ""
    for _ in range(levels):
        inner = f"replies(first: 2) {{ totalCount nodes {{ {fields} {inner} }} }}"
    return f"{fields} {inner}"


def count_nested(nodes: list[dict[str, Any]]) -> int:
    return sum(1 + count_nested(n.get("replies", {"nodes": []})["nodes"]) for n in nodes)


THREAD_QUERY = (
    """query($slug: String!) { post(slug: $slug) { commentCount
  comments(first: 10) { nodes { """
    + nested_replies(9)
    + """ } }
  commentThread(first: 100) { nodes { depth authorName parent { authorName } } } } }"""
)


def deepest_chain(node: dict[str, Any]) -> list[tuple[int, str]]:
    chain = [(node["depth"], node["authorName"])]
    replies = node.get("replies", {"nodes": []})["nodes"]
    return chain + (deepest_chain(replies[0]) if replies else [])


async def test_ten_level_thread_reads_back_through_graphql(client: httpx.AsyncClient) -> None:
    await import_wxr(fixture(), progress=False)

    body = await graphql(client, THREAD_QUERY, {"slug": "template-comments"})

    assert "errors" not in body, body["errors"]
    post = body["data"]["post"]
    assert post["commentCount"] == 19
    top = post["comments"]["nodes"]
    assert len(top) == 10
    assert count_nested(top) == 19  # every comment of the post, through `replies` alone
    assert deepest_chain(top[5]) == [
        (0, "John Κώστας Doe Τάδε"),
        (1, "Jane Bloggs"),
        (2, "Fred Bloggs"),
        (3, "Fred Bloggs"),
        (4, "themedemos"),
        (5, "Jane Bloggs"),
        (6, "Joe Bloggs"),
        (7, "Jane Bloggs"),
        (8, "Joe Bloggs"),
        (9, "themedemos"),
    ]
    thread = post["commentThread"]["nodes"]
    assert [c["depth"] for c in thread] == [0, 0, 0, 0, 0, *range(10), 0, 0, 0, 0]
    assert thread[14]["parent"] == {"authorName": "Joe Bloggs"}


TAG_TERMS = """<wp:tag><wp:term_id>21</wp:term_id><wp:tag_slug>hills</wp:tag_slug>
  <wp:tag_name><![CDATA[Hills]]></wp:tag_name>
  <wp:tag_description><![CDATA[Going up.]]></wp:tag_description></wp:tag>
<wp:term><wp:term_id>22</wp:term_id><wp:term_taxonomy>post_tag</wp:term_taxonomy>
  <wp:term_slug>rest</wp:term_slug><wp:term_name><![CDATA[Rest days]]></wp:term_name></wp:term>
"""


def tagged(*slugs: str, sticky: bool = False) -> str:
    """An item's categories with these tags (by nicename), and its stickiness."""
    tags = "".join(
        f'<category domain="post_tag" nicename="{slug}"><![CDATA[{slug.title()}]]></category>'
        for slug in slugs
    )
    return f"{RECOVERY}{tags}<wp:is_sticky>{int(sticky)}</wp:is_sticky>"


async def test_tags_and_sticky_posts_are_imported_and_reimported_in_place(
    db: str, tmp_path: Path
) -> None:
    ns = "https://wordpress.org/export/1.2/"
    items = item(10, name="repeats", categories=tagged("hills", "rest", "new-shoes", sticky=True))
    items += item(11, name="easy", categories=tagged("rest"))
    first = await import_wxr(write(tmp_path, wxr(ns, items, extra=TAG_TERMS)), progress=False)
    tags = {t.slug: t for t in await Tag.all()}
    links = await post_tag_links()
    again = await import_wxr(write(tmp_path, wxr(ns, items, extra=TAG_TERMS)), progress=False)
    renamed = TAG_TERMS.replace("Rest days", "Easy days")
    changed_items = item(10, name="repeats", categories=tagged("hills"))
    changed_items += item(11, name="easy", categories=tagged("rest"))
    changed = await import_wxr(
        write(tmp_path, wxr(ns, changed_items, extra=renamed)), progress=False
    )

    assert {slug: (t.name, t.description, t.wp_term_id) for slug, t in tags.items()} == {
        "hills": ("Hills", "Going up.", 21),
        "rest": ("Rest days", None, 22),
        "new-shoes": ("New-Shoes", None, None),  # named only on the post
    }
    assert links == {(10, 21), (10, 22), (10, "new-shoes"), (11, 22)}
    assert vars(first.counts["tags"]) == {"imported": 3, "updated": 0, "unchanged": 0}
    assert vars(again.counts["tags"]) == {"imported": 0, "updated": 0, "unchanged": 3}
    assert vars(again.counts["posts"]) == {"imported": 0, "updated": 0, "unchanged": 2}
    assert not again.changed_anything
    # The file's second version: a tag renamed, a post untagged and no longer sticky.
    assert vars(changed.counts["tags"]) == {"imported": 0, "updated": 1, "unchanged": 1}
    assert vars(changed.counts["posts"]) == {"imported": 0, "updated": 1, "unchanged": 1}
    assert await post_tag_links() == {(10, 21), (11, 22)}
    assert (await Tag.get(slug="rest")).name == "Easy days"
    assert [p.slug for p in await Post.filter(sticky=True)] == []
    assert await Tag.all().count() == 3  # a tag the file no longer names is kept


async def test_a_first_import_marks_sticky_posts(db: str, tmp_path: Path) -> None:
    ns = "https://wordpress.org/export/1.2/"
    items = item(10, name="pinned", categories=tagged(sticky=True)) + item(11, name="other")

    await import_wxr(write(tmp_path, wxr(ns, items)), progress=False)

    assert dict(await Post.all().values_list("slug", "sticky")) == {
        "pinned": True,
        "other": False,
    }


def test_the_summary_as_json_has_every_kind_and_what_was_left_out() -> None:
    summary = ImportSummary(source="export.xml", wxr_version="1.2")
    summary.count("tags", "imported", 3)
    summary.count("posts", "unchanged", 2)
    summary.skip("page", 2)
    summary.skip("attachment")
    summary.note("authors named only on posts (no wp:author entry)")

    assert summary.as_json() == {
        "source": "export.xml",
        "wxrVersion": "1.2",
        "kinds": {
            "posts": {"imported": 0, "updated": 0, "unchanged": 2},
            "pages": {"imported": 0, "updated": 0, "unchanged": 0},
            "comments": {"imported": 0, "updated": 0, "unchanged": 0},
            "authors": {"imported": 0, "updated": 0, "unchanged": 0},
            "categories": {"imported": 0, "updated": 0, "unchanged": 0},
            "tags": {"imported": 3, "updated": 0, "unchanged": 0},
            "menus": {"imported": 0, "updated": 0, "unchanged": 0},
            "menu items": {"imported": 0, "updated": 0, "unchanged": 0},
        },
        "leftOut": {"attachment": 1, "pages": 2},
        "notes": {"authors named only on posts (no wp:author entry)": 1},
        "changed": True,
    }
