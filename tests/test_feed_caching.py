"""Feed readers and crawlers poll the same documents all day: feeds and sitemaps come from
the response cache, a write drops exactly the documents that showed what it changed, and an
unchanged document keeps its `ETag` (a poller gets `304 Not Modified`).

Each change goes through the API as an editor or a moderator makes it (publish, unpublish,
edit, approve a comment); every watched document is fetched before and after it.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from tortoise import timezone

import models
from gql.core.ids import to_global_id
from gql.core.tokens import create_token
from tests import factories
from tests.conftest import SqlLog, app_client, graphql
from tests.test_feeds import ENV, SITE, Blog, blog, parse

CACHE_ON = {**ENV, "THREADPRESS_RESPONSE_CACHE": "on"}

PUBLISH = "mutation($id: ID!) { publishPost(input: {id: $id}) { errors { code } } }"
UNPUBLISH = "mutation($id: ID!) { unpublishPost(input: {id: $id}) { errors { code } } }"
RETITLE = """
mutation($id: ID!, $title: String!) {
  updatePost(input: {id: $id, title: $title}) { errors { code } }
}
"""
APPROVE = """
mutation($id: ID!) { moderateComment(input: {id: $id, action: APPROVE}) { errors { code } } }
"""


def watched(site: Blog) -> list[str]:
    return [
        "/feed.xml",
        "/feed.atom",
        "/comments/feed.xml",
        "/category/running/feed.xml",
        "/category/running/trail/feed.xml",
        "/category/roads/feed.xml",
        "/author/kim/feed.xml",
        "/author/jo/feed.xml",
        site.hills.uri + "feed.xml",
        site.long_runs.uri + "feed.xml",
        "/sitemap-posts-1.xml",
    ]


async def _change(http: httpx.AsyncClient, site: Blog, change: str) -> None:
    _, secret = await create_token("an editor", models.Role.EDITOR)
    editor = {"Authorization": f"Bearer {secret}"}
    _, secret = await create_token("a moderator", models.Role.MODERATOR)
    moderator = {"Authorization": f"Bearer {secret}"}
    if change == "publish":
        document, variables, token = PUBLISH, {"id": to_global_id("Post", site.draft.id)}, editor
    elif change == "unpublish":
        document, variables, token = UNPUBLISH, {"id": to_global_id("Post", site.tempo.id)}, editor
    elif change == "edit":
        post_id = to_global_id("Post", site.long_runs.id)
        document, variables, token = RETITLE, {"id": post_id, "title": "Longer runs"}, editor
    else:
        comment_id = to_global_id("Comment", site.comments["held"].id)
        document, variables, token = APPROVE, {"id": comment_id}, moderator
    body = await graphql(http, document, variables, token)
    (payload,) = body["data"].values()
    assert payload["errors"] == [], body


# Which documents show what each change changed (the others keep their ETag), and which of
# the others are not even run again: a write drops only the cached answers that read
# something it changed (a post write changes every list of posts, as for GraphQL answers).
CHANGES: dict[str, tuple[set[str], set[str]]] = {
    # The draft (kim, trail) goes public, and with it its approved comment.
    "publish": (
        {
            "/feed.xml",
            "/feed.atom",
            "/comments/feed.xml",
            "/category/running/trail/feed.xml",
            "/author/kim/feed.xml",
            "/sitemap-posts-1.xml",
        },
        {"hills", "long_runs"},
    ),
    # Tempo (kim, running and roads, no comments) stops being public.
    "unpublish": (
        {
            "/feed.xml",
            "/feed.atom",
            "/category/running/feed.xml",
            "/category/roads/feed.xml",
            "/author/kim/feed.xml",
            "/sitemap-posts-1.xml",
        },
        {"hills", "long_runs"},
    ),
    # Long runs (jo, roads, one comment) gets a new title.
    "edit": (
        {
            "/feed.xml",
            "/feed.atom",
            "/comments/feed.xml",
            "/category/roads/feed.xml",
            "/author/jo/feed.xml",
            "long_runs",
            "/sitemap-posts-1.xml",
        },
        {"hills"},
    ),
    # The held comment on Hill repeats is approved, and with it the reply under it.
    "approve": (
        {"/comments/feed.xml", "hills"},
        {
            "/feed.xml",
            "/feed.atom",
            "/category/running/feed.xml",
            "/category/running/trail/feed.xml",
            "/category/roads/feed.xml",
            "/author/kim/feed.xml",
            "/author/jo/feed.xml",
            "long_runs",
            "/sitemap-posts-1.xml",
        },
    ),
}


def _named(site: Blog, names: set[str]) -> set[str]:
    posts = {"hills": site.hills.uri + "feed.xml", "long_runs": site.long_runs.uri + "feed.xml"}
    return {posts.get(name, name) for name in names}


@pytest.mark.parametrize("change", list(CHANGES))
async def test_a_change_changes_exactly_the_documents_that_show_it(
    db: str, sql_log: SqlLog, change: str
) -> None:
    site = await blog()
    paths = watched(site)
    changed, still_cached = (_named(site, names) for names in CHANGES[change])
    async with app_client(db, CACHE_ON) as http:
        before = {path: await http.get(path) for path in paths}
        sql_log.statements.clear()
        repeat = {path: await http.get(path) for path in paths}
        assert sql_log.count == 0  # every document came from the cache
        await _change(http, site, change)
        after: dict[str, httpx.Response] = {}
        for path in paths:
            sql_log.statements.clear()
            after[path] = await http.get(path)
            if path in still_cached:
                assert sql_log.count == 0, f"{path} ran again: {sql_log.statements}"
        polled = {
            path: await http.get(path, headers={"If-None-Match": before[path].headers["etag"]})
            for path in paths
        }
    assert all(repeat[path].headers["etag"] == before[path].headers["etag"] for path in paths)
    moved = {path for path in paths if after[path].headers["etag"] != before[path].headers["etag"]}
    assert moved == changed
    assert {path for path in paths if polled[path].status_code == 304} == set(paths) - changed
    for path in changed:
        assert after[path].content != before[path].content
        assert polled[path].status_code == 200


async def test_approving_a_comment_shows_it_in_its_feeds(db: str) -> None:
    site = await blog()
    held, under = site.comments["held"], site.comments["under_held"]
    async with app_client(db, CACHE_ON) as http:
        await http.get("/comments/feed.xml")
        await _change(http, site, "approve")
        everything = parse(await http.get("/comments/feed.xml"))
        on_hills = parse(await http.get(site.hills.uri + "feed.xml"))
    shown = {f"{SITE}{site.hills.uri}#comment-{c.id}" for c in (held, under)}
    assert shown <= {entry.link for entry in everything.entries}
    assert shown <= {entry.link for entry in on_hills.entries}


async def test_a_scheduled_post_appears_at_its_time_even_from_the_cache(db: str) -> None:
    kim = await factories.author(slug="kim", name="Kim Pace")
    await factories.post(kim, slug="old")
    soon = timezone.now() + timedelta(seconds=2)
    scheduled = await factories.post(kim, slug="soon", published_at=soon)
    async with app_client(db, CACHE_ON) as http:
        first = parse(await http.get("/feed.xml"))
        await asyncio.sleep(max(0.0, (soon - timezone.now()).total_seconds()) + 0.2)
        later = parse(await http.get("/feed.xml"))
        sitemap = await http.get("/sitemap-posts-1.xml")
    assert [entry.link for entry in first.entries] == [f"{SITE}/2017/03/04/old/"]
    assert later.entries[0].link == SITE + scheduled.uri
    assert SITE + scheduled.uri in sitemap.text


async def test_documents_depend_on_the_origin_they_were_asked_at(db: str) -> None:
    kim = await factories.author(slug="kim")
    await factories.post(kim, slug="only")
    # No THREADPRESS_SITE_URL: addresses are the request's origin, and so is the cache key.
    env: dict[str, Any] = {"THREADPRESS_RESPONSE_CACHE": "on"}
    async with app_client(db, env) as http:
        here = parse(await http.get("/feed.xml"))
        there = parse(await http.get("http://mirror.example/feed.xml"))
    assert here.entries[0].link == "http://testserver/2017/03/04/only/"
    assert there.entries[0].link == "http://mirror.example/2017/03/04/only/"
