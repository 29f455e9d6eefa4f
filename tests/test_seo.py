"""An editor tells search engines and share cards how a post or page shows (`seo`), and the
front end reads one `Seo` object whatever was set: each field falls back to the node's own.
Bad SEO input is refused with the other fields' errors and writes nothing; a post asking to
be left out of search engines is left out of the sitemaps too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import orjson

import models
from gql.core.ids import to_global_id
from gql.core.tokens import create_token
from tests import factories
from tests.conftest import SqlLog, app_client, graphql
from tests.media_files import png, upload
from tests.test_feeds import ENV, SITE
from tests.test_sitemaps import crawl

SEO = "seo { title description canonicalUrl noIndex image { id } }"
CREATE_POST = f"""
mutation($input: CreatePostInput!) {{
  createPost(input: $input) {{ post {{ id {SEO} }} errors {{ field code }} }}
}}
"""
UPDATE_POST = f"""
mutation($input: UpdatePostInput!) {{
  updatePost(input: $input) {{ post {{ {SEO} }} errors {{ field code }} }}
}}
"""
CREATE_PAGE = f"""
mutation($input: CreatePageInput!) {{
  createPage(input: $input) {{ page {{ id {SEO} }} errors {{ field code }} }}
}}
"""
UPDATE_PAGE = f"""
mutation($input: UpdatePageInput!) {{
  updatePage(input: $input) {{ page {{ {SEO} }} errors {{ field code }} }}
}}
"""
PUBLIC_POST = f"query($slug: String) {{ post(slug: $slug) {{ {SEO} }} }}"
PUBLIC_PAGE = f"query($uri: String) {{ page(uri: $uri) {{ {SEO} }} }}"
CHANGES = "query { changes(first: 100) { entries { kind typename id contentDigest } } }"
DELETE_MEDIA = """
mutation($id: ID!) { deleteMediaItem(input: {id: $id}) { deletedId errors { field code } } }
"""


async def _editor() -> dict[str, str]:
    _, secret = await create_token("the editor", models.Role.EDITOR)
    return {"Authorization": f"Bearer {secret}"}


async def _image(http: httpx.AsyncClient, editor: dict[str, str], name: str) -> dict[str, Any]:
    response = await upload(http, png(40 + len(name), 30), filename=f"{name}.png", headers=editor)
    payload: dict[str, Any] = response.json()["data"]["uploadMedia"]
    assert payload["errors"] == [], payload
    item: dict[str, Any] = payload["mediaItem"]
    return item


async def _publish(http: httpx.AsyncClient, editor: dict[str, str], typename: str, pk: str) -> None:
    done = await graphql(
        http,
        f"mutation($id: ID!) {{ publish{typename}(input: {{id: $id}}) {{ errors {{ code }} }} }}",
        {"id": pk},
        editor,
    )
    assert done["data"][f"publish{typename}"]["errors"] == [], done


async def test_a_post_shows_its_seo_fields_and_falls_back_to_its_own(
    db: str, tmp_path: Path
) -> None:
    editor = await _editor()
    author = await factories.author("Maya")
    env = {**ENV, "THREADPRESS_MEDIA_DIR": str(tmp_path)}
    async with app_client(db, env) as http:
        cover = await _image(http, editor, "cover")
        share = await _image(http, editor, "share")
        made = await graphql(
            http,
            CREATE_POST,
            {
                "input": {
                    "title": "Hill repeats",
                    "content": "<p>Run up, <em>walk</em> down &amp; again.</p>",
                    "authorId": to_global_id("Author", author.id),
                    "featuredImageId": cover["id"],
                }
            },
            editor,
        )
        post = made["data"]["createPost"]
        assert post["errors"] == []
        post_id = post["post"]["id"]
        await _publish(http, editor, "Post", post_id)
        uri = (await models.Post.get(slug="hill-repeats")).uri
        fallback = await graphql(http, PUBLIC_POST, {"slug": "hill-repeats"})
        chosen = {
            "title": "Hill repeats: a plan for the winter",
            "description": "Six weeks of hills, one session a week.",
            "canonicalUrl": "https://elsewhere.example.net/hills/",
            "noIndex": True,
            "imageId": share["id"],
        }
        changed = await graphql(
            http, UPDATE_POST, {"input": {"id": post_id, "seo": chosen}}, editor
        )
        shown = await graphql(http, PUBLIC_POST, {"slug": "hill-repeats"})
        # Only what is given changes; null and "" remove a field, so the post's own returns.
        partly = await graphql(
            http,
            UPDATE_POST,
            {
                "input": {
                    "id": post_id,
                    "seo": {"title": None, "description": "  ", "imageId": None},
                }
            },
            editor,
        )

    assert fallback["data"]["post"]["seo"] == {
        "title": "Hill repeats",
        "description": "Run up, walk down & again.",
        "canonicalUrl": SITE + uri,
        "noIndex": False,
        "image": {"id": cover["id"]},
    }
    stored = {
        "title": chosen["title"],
        "description": chosen["description"],
        "canonicalUrl": chosen["canonicalUrl"],
        "noIndex": True,
        "image": {"id": share["id"]},
    }
    assert changed["data"]["updatePost"] == {"post": {"seo": stored}, "errors": []}
    assert shown["data"]["post"]["seo"] == stored
    assert partly["data"]["updatePost"]["post"]["seo"] == {
        "title": "Hill repeats",
        "description": "Run up, walk down & again.",
        "canonicalUrl": chosen["canonicalUrl"],
        "noIndex": True,
        "image": {"id": cover["id"]},
    }


async def test_a_page_takes_seo_fields_as_a_post_does(db: str, tmp_path: Path) -> None:
    editor = await _editor()
    author = await factories.author("Maya")
    env = {**ENV, "THREADPRESS_MEDIA_DIR": str(tmp_path)}
    async with app_client(db, env) as http:
        share = await _image(http, editor, "share")
        made = await graphql(
            http,
            CREATE_PAGE,
            {
                "input": {
                    "title": "Contact",
                    "content": "Write to us any day.",
                    "excerpt": "<p>How to <b>reach</b> us.</p>",
                    "authorId": to_global_id("Author", author.id),
                    "seo": {"title": "Contact the club", "imageId": share["id"]},
                }
            },
            editor,
        )
        page = made["data"]["createPage"]
        page_id = page["page"]["id"]
        await _publish(http, editor, "Page", page_id)
        shown = await graphql(http, PUBLIC_PAGE, {"uri": "/contact/"})
        changed = await graphql(
            http, UPDATE_PAGE, {"input": {"id": page_id, "seo": {"noIndex": True}}}, editor
        )

    assert page["errors"] == []
    assert shown["data"]["page"]["seo"] == {
        "title": "Contact the club",
        "description": "How to reach us.",
        "canonicalUrl": SITE + "/contact/",
        "noIndex": False,
        "image": {"id": share["id"]},
    }
    assert changed["data"]["updatePage"]["page"]["seo"] == {
        **shown["data"]["page"]["seo"],
        "noIndex": True,
    }


async def test_bad_seo_input_is_refused_field_by_field_and_writes_nothing(
    db: str, tmp_path: Path
) -> None:
    editor = await _editor()
    author = await factories.author("Maya")
    post = await factories.post(author, slug="tempo", title="Tempo")
    post_id = to_global_id("Post", post.id)
    bad = {
        "title": "t" * 301,
        "description": "d" * 1001,
        "canonicalUrl": "ftp://files.example.org/tempo",
        "imageId": to_global_id("Post", post.id),
    }
    async with app_client(db, {"THREADPRESS_MEDIA_DIR": str(tmp_path)}) as http:
        refused = await graphql(http, UPDATE_POST, {"input": {"id": post_id, "seo": bad}}, editor)
        missing = await graphql(
            http,
            CREATE_PAGE,
            {
                "input": {
                    "title": "Lost",
                    "content": "Nothing here.",
                    "authorId": to_global_id("Author", author.id),
                    "seo": {"imageId": to_global_id("MediaItem", 999), "canonicalUrl": "/lost/"},
                }
            },
            editor,
        )

    assert refused["data"]["updatePost"] == {
        "post": None,
        "errors": [
            {"field": "seo.title", "code": "TOO_LONG"},
            {"field": "seo.description", "code": "TOO_LONG"},
            {"field": "seo.canonicalUrl", "code": "INVALID_URL"},
            {"field": "seo.imageId", "code": "INVALID"},
        ],
    }
    assert missing["data"]["createPage"] == {
        "page": None,
        "errors": [
            {"field": "seo.canonicalUrl", "code": "INVALID_URL"},
            {"field": "seo.imageId", "code": "NOT_FOUND"},
        ],
    }
    stored = await models.Post.get(id=post.id)
    assert (stored.seo_title, stored.seo_description, stored.seo_canonical_url) == (None,) * 3
    assert await models.Page.all().count() == 0


async def test_an_image_a_post_shares_is_in_use(db: str, tmp_path: Path) -> None:
    editor = await _editor()
    author = await factories.author("Maya")
    post = await factories.post(author, slug="tempo")
    page = await factories.page(author, slug="about")
    async with app_client(db, {"THREADPRESS_MEDIA_DIR": str(tmp_path)}) as http:
        for node in (post, page):
            share = await _image(http, editor, f"share-{node.slug}")
            await node.__class__.filter(id=node.id).update(seo_image_id=share["databaseId"])
            refused = await graphql(http, DELETE_MEDIA, {"id": share["id"]}, editor)
            assert refused["data"]["deleteMediaItem"] == {
                "deletedId": None,
                "errors": [{"field": "id", "code": "IN_USE"}],
            }
            await node.__class__.filter(id=node.id).update(seo_image_id=None)
            deleted = await graphql(http, DELETE_MEDIA, {"id": share["id"]}, editor)
            assert deleted["data"]["deleteMediaItem"]["deletedId"] == share["id"]


async def test_sitemaps_leave_out_what_asks_search_engines_to(db: str) -> None:
    author = await factories.author("Maya")
    listed = await factories.post(author, slug="listed")
    hidden = await factories.post(author, slug="hidden")
    about = await factories.page(author, slug="about")
    thanks = await factories.page(author, slug="thanks")
    await models.Post.filter(id=hidden.id).update(seo_no_index=True)
    await models.Page.filter(id=thanks.id).update(seo_no_index=True)

    async with app_client(db, ENV) as http:
        sitemaps = await crawl(http)

    assert set(sitemaps["/sitemap-posts-1.xml"]) == {SITE + "/", SITE + listed.uri}
    assert set(sitemaps["/sitemap-pages-1.xml"]) == {SITE + about.uri}


async def test_a_change_of_seo_fields_is_a_change_builds_see(db: str) -> None:
    editor = await _editor()
    _, builder_secret = await create_token("the build", models.Role.BUILDER)
    builder = {"Authorization": f"Bearer {builder_secret}"}
    author = await factories.author("Maya")
    post = await factories.post(author, slug="tempo")
    post_id = to_global_id("Post", post.id)
    async with app_client(db) as http:
        before = await graphql(http, CHANGES, headers=builder)
        seo = {"title": "Tempo runs", "canonicalUrl": "https://club.example.org/tempo/"}
        await graphql(http, UPDATE_POST, {"input": {"id": post_id, "seo": seo}}, editor)
        after = await graphql(http, CHANGES, headers=builder)
        export = await http.get("/export.ndjson", headers=builder)

    digests = [
        (e["kind"], e["contentDigest"])
        for e in after["data"]["changes"]["entries"]
        if e["id"] == post_id
    ]
    earlier = [e for e in before["data"]["changes"]["entries"] if e["id"] == post_id]
    # The post was already in the feed; its new entry has another digest.
    ((kind, digest),) = digests
    (first,) = earlier
    assert kind == "UPSERT"
    assert digest is not None
    assert digest != first["contentDigest"]
    lines = [orjson.loads(line) for line in export.content.splitlines()]
    (line,) = [line for line in lines if line.get("id") == post_id]
    assert line["seo"] == {
        "title": "Tempo runs",
        "description": None,
        "canonicalUrl": "https://club.example.org/tempo/",
        "noIndex": False,
        "image": None,
    }


SEO_LIST = "query { posts(first: 20) { nodes { seo { title image { url altText } } } } }"


async def test_seo_images_of_a_list_cost_the_same_statements_for_any_length(
    db: str, tmp_path: Path, sql_log: SqlLog
) -> None:
    editor = await _editor()
    author = await factories.author("Maya")
    counts = []
    async with app_client(db, {"THREADPRESS_MEDIA_DIR": str(tmp_path)}) as http:
        for many in (2, 12):
            while await models.Post.all().count() < many:
                post = await factories.post(author)
                item = await _image(http, editor, f"p{post.id}")
                await models.Post.filter(id=post.id).update(seo_image_id=item["databaseId"])
            sql_log.statements.clear()
            listed = await graphql(http, SEO_LIST)
            nodes = listed["data"]["posts"]["nodes"]
            assert len(nodes) == many
            assert all(node["seo"]["image"] is not None for node in nodes)
            counts.append(sql_log.count)
    assert counts[0] == counts[1], counts
