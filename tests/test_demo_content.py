"""The demo site: loads once, shows a deep public thread, hides what is not public."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from models import Author, Category, Comment, Post, PostStatus, Tag, public_post_filter
from tests import factories
from tests.conftest import app_client, graphql
from threadpress.demo import MAIN_SLUG, load_demo


async def test_demo_loads_into_an_empty_database(db: str) -> None:
    loaded = await load_demo(only_if_empty=True)

    assert loaded is True
    assert await Author.all().count() == 3
    assert await Category.all().count() == 5
    assert await Post.all().count() == 8
    recovery = await Category.get(slug="recovery").prefetch_related("parent")
    assert recovery.parent is not None
    assert recovery.parent.slug == "running"
    assert await Tag.all().count() == 6
    assert [p.slug for p in await Post.filter(sticky=True)] == ["riding-to-work-through-the-winter"]


async def test_demo_posts_are_tagged(db: str) -> None:
    await load_demo(only_if_empty=True)

    main = await Post.get(slug=MAIN_SLUG).prefetch_related("tags")
    rain = await Tag.get(slug="rain").prefetch_related("posts")

    assert [t.slug for t in main.tags] == ["calf", "physio"]
    assert sorted(p.slug for p in rain.posts) == [
        "riding-to-work-through-the-winter",
        "waterproof-jackets-tested-on-the-commute",
    ]


async def test_demo_main_post_is_public_running_post_with_dated_uri(db: str) -> None:
    await load_demo(only_if_empty=True)

    post = await Post.get(slug=MAIN_SLUG).prefetch_related("categories", "author")

    assert post.uri == f"/2017/03/04/{MAIN_SLUG}/"
    assert [c.slug for c in post.categories] == ["running", "recovery"]
    assert post.content.count("<p>") == 4
    assert await Post.filter(public_post_filter(), slug=MAIN_SLUG).exists()


async def test_demo_thread_is_deep_and_hides_the_pending_comment(db: str) -> None:
    await load_demo(only_if_empty=True)

    post = await Post.get(slug=MAIN_SLUG)
    public = await Comment.filter(post=post, is_public=True).order_by("path")
    pending = await Comment.filter(post=post, is_public=False)

    assert len(public) == 12
    assert max(c.depth for c in public) == 5
    assert [c.author_name for c in public[:6]] == [
        "Priya",
        "Maya Lindqvist",
        "Priya",
        "Jonas",
        "Tom Achebe",
        "Jonas",
    ]
    assert [c.depth for c in public[:6]] == [0, 1, 2, 3, 4, 5]
    by_id = {c.id: c for c in public}
    assert all(c.parent_id is None or c.path.startswith(by_id[c.parent_id].path) for c in public)
    assert [(c.author_name, c.status.value) for c in pending] == [("quick-cash-offer", "pending")]


async def test_demo_draft_and_scheduled_posts_are_not_public(db: str) -> None:
    await load_demo(only_if_empty=True)

    public = set(await Post.filter(public_post_filter()).values_list("slug", flat=True))
    scheduled = await Post.get(slug="autumn-marathon-training-begins")

    assert len(public) == 6
    assert "notes-on-returning-after-injury" not in public
    assert scheduled.status == PostStatus.PUBLISHED
    assert scheduled.published_at == datetime(2099, 6, 1, 8, tzinfo=UTC)


async def test_demo_is_idempotent(db: str) -> None:
    await load_demo(only_if_empty=False)

    again = await load_demo(only_if_empty=False)

    assert again is False
    assert await Post.all().count() == 8
    assert await Comment.all().count() == 13


async def test_demo_skips_a_database_with_posts(db: str) -> None:
    await factories.post(await factories.author())

    loaded = await load_demo(only_if_empty=True)

    assert loaded is False
    assert await Post.all().count() == 1


async def test_demo_has_an_about_page_with_a_page_nested_in_it(client: httpx.AsyncClient) -> None:
    await load_demo(only_if_empty=True)

    body = await graphql(
        client, '{ page(uri: "/about/") { title author { name } children { uri parent { uri } } } }'
    )

    assert body == {
        "data": {
            "page": {
                "title": "About this blog",
                "author": {"name": "Maya Lindqvist"},
                "children": [{"uri": "/about/writers/", "parent": {"uri": "/about/"}}],
            }
        }
    }


async def test_demo_has_a_main_menu_at_primary_showing_only_public_links(db: str) -> None:
    await load_demo(only_if_empty=True)
    query = """
    { menu(location: "primary") { name items { label url children { label url } } } }
    """

    async with app_client(db) as http:
        body = await graphql(http, query)

    menu = body["data"]["menu"]
    assert menu["name"] == "Main menu"
    assert [(i["label"], i["url"]) for i in menu["items"]] == [
        ("Home", "/"),
        ("Running", "/category/running/"),
        ("Cycling", "/category/cycling/"),
        ("Kit & Gear", "/category/kit/"),
        ("Who writes here", "#authors"),
    ]
    # The scheduled post's item waits for its date; the rest show their own titles.
    assert [(i["label"], i["url"]) for i in menu["items"][1]["children"]] == [
        ("Recovery", "/category/running/recovery/"),
        ("Start here", f"/2017/03/04/{MAIN_SLUG}/"),
    ]
    assert [i["label"] for i in menu["items"][4]["children"]] == [
        "Maya Lindqvist",
        "Tom Achebe",
        "Ines Carvalho",
    ]
