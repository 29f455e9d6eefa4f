"""The number of SQL statements behind the main pages is fixed: it does not grow with the
number of posts or comments (no N+1). Pinned exactly, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

import models
from tests import factories
from tests.conftest import SqlLog, app_client, empty_database, graphql

HOME_WITH_THREADS = """
{
  posts(first: 20) {
    totalCount
    nodes {
      title excerpt commentCount
      author { name }
      categories { name }
      comments(first: 10) {
        totalCount
        nodes {
          authorName replyCount
          replies(first: 5) { nodes { authorName
            replies(first: 5) { nodes { authorName
              replies(first: 5) { nodes { authorName depth } } } } } }
        }
      }
    }
  }
}
"""

# The posts page and its totalCount; authors; categories (one join); comment counts;
# top-level comments; reply counts; three levels of replies.
EXPECTED_STATEMENTS = 10


async def _site(posts: int, threads_per_post: int) -> int:
    """`posts` posts, each with `threads_per_post` threads four levels deep; returns the
    number of comments made."""
    authors = [await factories.author() for _ in range(3)]
    categories = [await factories.category() for _ in range(3)]
    made = 0
    for n in range(posts):
        post = await factories.post(
            authors[n % 3],
            published_at=factories.BASE_TIME + timedelta(hours=n),
            categories=categories[: 1 + n % 3],
        )
        for _ in range(threads_per_post):
            parent = None
            for _depth in range(4):
                parent = await factories.comment(post, parent=parent)
                made += 1
    return made


async def _count(client: httpx.AsyncClient, sql_log: SqlLog) -> tuple[int, int]:
    sql_log.statements.clear()
    body = await graphql(client, HOME_WITH_THREADS)
    assert "errors" not in body, body
    return sql_log.count, body["data"]["posts"]["totalCount"]


async def test_home_page_with_threads_costs_a_fixed_number_of_statements(
    client: httpx.AsyncClient, sql_log: SqlLog
) -> None:
    await _site(posts=2, threads_per_post=1)
    small, small_posts = await _count(client, sql_log)
    await _site(posts=18, threads_per_post=10)  # 10x the posts, ~50x the comments
    large, large_posts = await _count(client, sql_log)

    assert (small_posts, large_posts) == (2, 20)
    assert small == EXPECTED_STATEMENTS, "\n".join(s[:150] for s in sql_log.statements)
    assert large == EXPECTED_STATEMENTS, "\n".join(s[:150] for s in sql_log.statements)


POST_PAGE = """
query($slug: String!) {
  post(slug: $slug) {
    title content commentCount author { name bio } categories { name parent { name } }
    commentThread(first: 100) { totalCount nodes { authorName depth content parent { id } } }
  }
}
"""


async def test_post_page_with_flat_thread_costs_a_fixed_number_of_statements(
    client: httpx.AsyncClient, sql_log: SqlLog
) -> None:
    writer = await factories.author()
    post = await factories.post(writer, slug="big")
    parent = None
    for _ in range(60):
        parent = await factories.comment(
            post, parent=parent if parent and parent.depth < 9 else None
        )

    sql_log.statements.clear()
    body = await graphql(client, POST_PAGE, {"slug": "big"})

    assert "errors" not in body
    assert len(body["data"]["post"]["commentThread"]["nodes"]) == 60
    # post; author; category pairs; thread page; count; parents (one batch)
    assert sql_log.count == 6, "\n".join(s[:150] for s in sql_log.statements)


TAGGED_POST_PAGE = """
query($slug: String!) {
  post(slug: $slug) {
    title sticky author { name } categories { name } tags { name uri postCount }
    featuredImage { url altText width srcSet sizes { width url } }
    comments(first: 50) { nodes { authorName } }
  }
  posts(first: 5, where: { tagSlug: "hills" }) {
    nodes { title tags { name } featuredImage { url srcSet } }
  }
}
"""
TAG_PAGE = """
query($slug: String!) {
  tag(slug: $slug) {
    name uri postCount
    posts(first: 20) {
      totalCount
      nodes { title sticky author { name } tags { name } categories { name } commentCount }
    }
  }
}
"""
PAGE_WITH_CHILDREN = """
query($uri: String!) {
  page(uri: $uri) {
    title content author { name } parent { title }
    children { title menuOrder author { name } children { uri } }
  }
}
"""


async def _photo(n: int) -> models.MediaItem:
    """An image with two renditions (rows only: the statements do not read files)."""
    image = await models.MediaItem.create(
        file_name=f"ab/{n:064x}.jpg",
        sha256=f"{n:064x}",
        mime_type="image/jpeg",
        file_size=2_000_000,
        width=2400,
        height=1600,
        alt_text=f"Photo {n}",
        renditions=models.RenditionState.DONE,
    )
    for width in (300, 768):
        await models.MediaSize.create(
            media_item=image,
            name=str(width),
            file_name=f"cd/{n:060x}{width:04d}.jpg",
            width=width,
            height=width * 2 // 3,
            mime_type="image/jpeg",
            file_size=width * 100,
        )
    return image


async def _tagged_site(posts: int, tags_per_post: int) -> None:
    """`posts` public posts on one hill, each with `tags_per_post` tags, a featured image of
    its own and three comments."""
    writer = await factories.author()
    hills = await models.Tag.get_or_none(slug="hills") or await factories.tag(
        slug="hills", name="Hills"
    )
    others = [await factories.tag() for _ in range(tags_per_post - 1)]
    category = await factories.category()
    existing = await models.Post.all().count()
    for n in range(posts):
        post = await factories.post(
            writer,
            slug=f"tagged-{existing + n}",
            published_at=factories.BASE_TIME + timedelta(hours=existing + n),
            categories=[category],
            tags=[hills, *others],
            sticky=n % 2 == 0,
        )
        post.featured_image = await _photo(existing + n)
        await post.save()
        for _ in range(3):
            await factories.comment(post)


async def _statements(
    client: httpx.AsyncClient, sql_log: SqlLog, query: str, slug: str
) -> tuple[int, dict[str, Any]]:
    sql_log.statements.clear()
    body = await graphql(client, query, {"slug": slug})
    assert "errors" not in body, body
    return sql_log.count, body["data"]


async def test_a_tagged_post_page_with_featured_images_costs_a_fixed_number_of_statements(
    client: httpx.AsyncClient, sql_log: SqlLog
) -> None:
    await _tagged_site(posts=2, tags_per_post=2)
    small, small_data = await _statements(client, sql_log, TAGGED_POST_PAGE, "tagged-0")
    await _tagged_site(posts=20, tags_per_post=6)
    large, large_data = await _statements(client, sql_log, TAGGED_POST_PAGE, "tagged-0")

    assert len(small_data["post"]["tags"]) == 2
    assert small_data["post"]["tags"][0] == {"name": "Hills", "uri": "/tag/hills/", "postCount": 2}
    assert len(large_data["post"]["tags"]) == 2  # the first post keeps its two tags
    assert len(large_data["posts"]["nodes"]) == 5
    sizes = small_data["post"]["featuredImage"]["sizes"]
    assert [size["width"] for size in sizes] == [300, 768]
    assert all(size["url"].endswith(".jpg") for size in sizes)
    assert all(node["featuredImage"]["srcSet"] for node in large_data["posts"]["nodes"])
    # post; author; categories (one join); tags (one join); post counts of its tags;
    # comments; the tag-filtered list; the tags of its posts (one join); and for the post's
    # featured image and, a level deeper, its posts' images: the items and their renditions
    # (two statements a level)
    assert small == large == 12, "\n".join(s[:150] for s in sql_log.statements)


async def test_a_tag_page_costs_a_fixed_number_of_statements(
    client: httpx.AsyncClient, sql_log: SqlLog
) -> None:
    await _tagged_site(posts=3, tags_per_post=2)
    small, small_data = await _statements(client, sql_log, TAG_PAGE, "hills")
    await _tagged_site(posts=30, tags_per_post=4)
    large, large_data = await _statements(client, sql_log, TAG_PAGE, "hills")

    assert small_data["tag"]["postCount"] == 3
    assert large_data["tag"]["postCount"] == 33  # both sites' posts share the one "hills"
    assert len(large_data["tag"]["posts"]["nodes"]) == 20
    # tag by slug; its post count (also totalCount); the page of posts; authors; tags (one
    # join); categories (one join); comment counts
    assert small == large == 7, "\n".join(s[:150] for s in sql_log.statements)


async def _page_tree(children: int) -> None:
    """/about/team/ with `children` pages nested in it, each with two of its own, written by
    a few authors."""
    authors = [await factories.author() for _ in range(3)]
    about = await factories.page(authors[0], slug="about", title="About")
    team = await factories.page(authors[1], slug="team", parent=about)
    for n in range(children):
        child = await factories.page(authors[n % 3], slug=f"member-{n}", parent=team)
        for m in range(2):
            await factories.page(authors[m], slug=f"note-{m}", parent=child)


async def test_a_page_with_children_costs_a_fixed_number_of_statements(
    db: str, sql_log: SqlLog
) -> None:
    counted: list[int] = []
    for children in (2, 20):
        await empty_database(db)
        await _page_tree(children)
        async with app_client(db) as http:
            sql_log.statements.clear()
            body = await graphql(http, PAGE_WITH_CHILDREN, {"uri": "/about/team/"})
            counted.append(sql_log.count)
        assert "errors" not in body, body
        page = body["data"]["page"]
        assert page["parent"] == {"title": "About"}
        assert len(page["children"]) == children
        assert all(len(child["children"]) == 2 for child in page["children"])

    # page by uri; its author; its parent; its children; their authors; their children
    assert counted == [6, 6], "\n".join(s[:150] for s in sql_log.statements)
