"""An editor keeps a media library: images become posts' featured images and authors'
avatars, their texts change, unused ones are deleted; readers, builds, webhooks and the
cache see every change as they see posts'."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import orjson

import models
from gql.core.ids import to_global_id
from gql.core.tokens import create_token
from tests import factories
from tests.conftest import SqlLog, app_client, graphql
from tests.media_files import png, stored_files, upload

CREATE_POST = """
mutation($input: CreatePostInput!) {
  createPost(input: $input) { post { id featuredImage { id } } errors { field code } }
}
"""
UPDATE_POST = """
mutation($input: UpdatePostInput!) {
  updatePost(input: $input) { post { featuredImage { id altText } } errors { field code } }
}
"""
UPDATE_AUTHOR = """
mutation($input: UpdateAuthorInput!) {
  updateAuthor(input: $input) { author { avatar { id width } } errors { field code } }
}
"""
UPDATE_MEDIA = """
mutation($input: UpdateMediaItemInput!) {
  updateMediaItem(input: $input) {
    mediaItem { title altText caption } errors { field code }
  }
}
"""
DELETE_MEDIA = """
mutation($input: DeleteMediaItemInput!) {
  deleteMediaItem(input: $input) { deletedId errors { field code } }
}
"""
POST_PAGE = """
query($slug: String) {
  post(slug: $slug) { featuredImage { altText url width height srcSet } author { avatar { id } } }
}
"""
LIBRARY = """
query { mediaItems(first: 10) { totalCount nodes { id databaseId title mimeType } } }
"""
CHANGES = """
query { changes(first: 100) { entries { kind typename id contentDigest } } }
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


async def test_a_post_shows_its_featured_image_and_its_author_their_avatar(
    db: str, tmp_path: Path
) -> None:
    editor = await _editor()
    author = await factories.author("Maya")
    env = {"THREADPRESS_MEDIA_DIR": str(tmp_path)}
    async with app_client(db, env) as http:
        cover = await _image(http, editor, "cover")
        face = await _image(http, editor, "face")
        made = await graphql(
            http,
            CREATE_POST,
            {
                "input": {
                    "title": "Hill repeats",
                    "content": "Up and down.",
                    "authorId": to_global_id("Author", author.id),
                    "featuredImageId": cover["id"],
                }
            },
            editor,
        )
        post = made["data"]["createPost"]
        assert post == {
            "post": {"id": post["post"]["id"], "featuredImage": {"id": cover["id"]}},
            "errors": [],
        }
        await graphql(
            http,
            "mutation($id: ID!) { publishPost(input: {id: $id}) { errors { code } } }",
            {"id": post["post"]["id"]},
            editor,
        )
        avatar = await graphql(
            http,
            UPDATE_AUTHOR,
            {"input": {"id": to_global_id("Author", author.id), "avatarId": face["id"]}},
            editor,
        )
        assert avatar["data"]["updateAuthor"] == {
            "author": {"avatar": {"id": face["id"], "width": 44}},
            "errors": [],
        }
        # A reader sees both.
        page = await graphql(http, POST_PAGE, {"slug": "hill-repeats"})
        page_uri = (await models.Post.get(slug="hill-repeats")).uri
        shown = page["data"]["post"]
        assert shown["featuredImage"]["url"] == cover["url"]
        assert (shown["featuredImage"]["width"], shown["featuredImage"]["height"]) == (45, 30)
        assert shown["featuredImage"]["srcSet"] == f"{cover['url']} 45w"
        assert shown["author"]["avatar"] == {"id": face["id"]}
        # Anything but an existing image is refused, on its field.
        wrong = await graphql(
            http,
            UPDATE_POST,
            {"input": {"id": post["post"]["id"], "featuredImageId": to_global_id("Post", 1)}},
            editor,
        )
        assert wrong["data"]["updatePost"]["errors"] == [
            {"field": "featuredImageId", "code": "INVALID"}
        ]
        missing = await graphql(
            http,
            UPDATE_POST,
            {"input": {"id": post["post"]["id"], "featuredImageId": to_global_id("MediaItem", 99)}},
            editor,
        )
        assert missing["data"]["updatePost"]["errors"] == [
            {"field": "featuredImageId", "code": "NOT_FOUND"}
        ]
        # A change of the image names the pages that show it, for a build to rebuild.
        await models.WebhookSubscriber.create(url="http://hooks.invalid/", secret="s" * 32)
        await graphql(
            http, UPDATE_MEDIA, {"input": {"id": cover["id"], "altText": "Hills"}}, editor
        )
        delivery = await models.WebhookDelivery.get(event="media.updated")
        sent = json.loads(delivery.body)
        assert sent["nodes"] == [{"id": cover["id"], "typename": "MediaItem"}]
        assert sent["uris"] == [page_uri]
        assert f"media:{cover['databaseId']}" in sent["tags"]
        # null takes it away.
        removed = await graphql(
            http,
            UPDATE_POST,
            {"input": {"id": post["post"]["id"], "featuredImageId": None}},
            editor,
        )
        assert removed["data"]["updatePost"] == {"post": {"featuredImage": None}, "errors": []}


async def test_the_library_lists_every_item_and_finds_each_by_id(db: str, tmp_path: Path) -> None:
    editor = await _editor()
    async with app_client(db, {"THREADPRESS_MEDIA_DIR": str(tmp_path)}) as http:
        first = await _image(http, editor, "first")
        second = await _image(http, editor, "second")
        # The public reads the library (every upload is public: see models/media.py).
        library = await graphql(http, LIBRARY)
        assert library["data"]["mediaItems"] == {
            "totalCount": 2,
            "nodes": [
                {"id": first["id"], "databaseId": 1, "title": "First", "mimeType": "image/png"},
                {"id": second["id"], "databaseId": 2, "title": "Second", "mimeType": "image/png"},
            ],
        }
        one = await graphql(
            http, "query($id: ID!) { mediaItem(id: $id) { title } }", {"id": second["id"]}
        )
        assert one["data"]["mediaItem"] == {"title": "Second"}
        node = await graphql(
            http,
            "query($id: ID!) { node(id: $id) { __typename ... on MediaItem { title } } }",
            {"id": first["id"]},
        )
        assert node["data"]["node"] == {"__typename": "MediaItem", "title": "First"}
        unknown = await graphql(
            http,
            "query($id: ID!) { mediaItem(id: $id) { title } }",
            {"id": to_global_id("MediaItem", 42)},
        )
        assert unknown["data"]["mediaItem"] is None


async def test_an_editor_changes_an_items_texts_and_readers_see_it_at_once(
    db: str, tmp_path: Path
) -> None:
    editor = await _editor()
    author = await factories.author("Maya")
    post = await factories.post(author, slug="trail-day")
    env = {"THREADPRESS_MEDIA_DIR": str(tmp_path), "THREADPRESS_RESPONSE_CACHE": "on"}
    async with app_client(db, env) as http:
        item = await _image(http, editor, "trail")
        updated = await graphql(
            http,
            UPDATE_POST,
            {"input": {"id": to_global_id("Post", post.id), "featuredImageId": item["id"]}},
            editor,
        )
        assert updated["data"]["updatePost"]["errors"] == []
        before = await http.get(
            "/graphql", params={"query": POST_PAGE, "variables": json.dumps({"slug": "trail-day"})}
        )
        assert before.json()["data"]["post"]["featuredImage"]["altText"] == ""
        assert f"media:{item['databaseId']}" in before.headers["cache-tag"].split(",")
        changed = await graphql(
            http,
            UPDATE_MEDIA,
            {
                "input": {
                    "id": item["id"],
                    "altText": "A runner on a ridge",
                    "caption": "<p>On the <b>ridge</b><script>x()</script></p>",
                    "title": "Ridge",
                }
            },
            editor,
        )
        assert changed["data"]["updateMediaItem"] == {
            "mediaItem": {
                "title": "Ridge",
                "altText": "A runner on a ridge",
                "caption": "<p>On the <b>ridge</b></p>",
            },
            "errors": [],
        }
        after = await http.get(
            "/graphql", params={"query": POST_PAGE, "variables": json.dumps({"slug": "trail-day"})}
        )
        assert after.json()["data"]["post"]["featuredImage"]["altText"] == "A runner on a ridge"
        too_long = await graphql(
            http, UPDATE_MEDIA, {"input": {"id": item["id"], "title": "x" * 251}}, editor
        )
        assert too_long["data"]["updateMediaItem"]["errors"] == [
            {"field": "title", "code": "TOO_LONG"}
        ]
        anonymous = await graphql(http, UPDATE_MEDIA, {"input": {"id": item["id"], "title": "x"}})
        assert anonymous["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (
        await models.MediaItem.get(id=item["databaseId"]).values_list("title", flat=True) == "Ridge"
    )


async def test_an_item_in_use_stays_and_an_unused_one_goes_with_its_files(
    db: str, tmp_path: Path
) -> None:
    editor = await _editor()
    author = await factories.author("Maya")
    post = await factories.post(author, slug="race-day")
    async with app_client(db, {"THREADPRESS_MEDIA_DIR": str(tmp_path)}) as http:
        item = await _image(http, editor, "race")
        await graphql(
            http,
            UPDATE_POST,
            {"input": {"id": to_global_id("Post", post.id), "featuredImageId": item["id"]}},
            editor,
        )
        in_use = await graphql(http, DELETE_MEDIA, {"input": {"id": item["id"]}}, editor)
        assert in_use["data"]["deleteMediaItem"] == {
            "deletedId": None,
            "errors": [{"field": "id", "code": "IN_USE"}],
        }
        assert len(stored_files(tmp_path)) == 1
        await graphql(
            http,
            UPDATE_POST,
            {"input": {"id": to_global_id("Post", post.id), "featuredImageId": None}},
            editor,
        )
        deleted = await graphql(http, DELETE_MEDIA, {"input": {"id": item["id"]}}, editor)
        assert deleted["data"]["deleteMediaItem"] == {"deletedId": item["id"], "errors": []}
        gone = await http.get(item["url"].removeprefix("http://testserver"))
        assert gone.status_code == 404
        again = await graphql(http, DELETE_MEDIA, {"input": {"id": item["id"]}}, editor)
        assert again["data"]["deleteMediaItem"]["errors"] == [{"field": "id", "code": "NOT_FOUND"}]
    assert stored_files(tmp_path) == []
    assert await models.MediaItem.all().count() == 0
    assert await models.MediaSize.all().count() == 0


async def test_builds_webhooks_and_the_audit_log_see_media_change(db: str, tmp_path: Path) -> None:
    editor = await _editor()
    _, builder_secret = await create_token("the build", models.Role.BUILDER)
    builder = {"Authorization": f"Bearer {builder_secret}"}
    await models.WebhookSubscriber.create(url="http://hooks.invalid/", secret="s" * 32)
    async with app_client(db, {"THREADPRESS_MEDIA_DIR": str(tmp_path)}) as http:
        item = await _image(http, editor, "sunrise")
        await graphql(http, UPDATE_MEDIA, {"input": {"id": item["id"], "altText": "Sun"}}, editor)
        feed = await graphql(http, CHANGES, headers=builder)
        entries = feed["data"]["changes"]["entries"]
        assert [(e["kind"], e["typename"], e["id"]) for e in entries] == [
            ("UPSERT", "MediaItem", item["id"])
        ]
        assert entries[0]["contentDigest"] is not None
        export = await http.get("/export.ndjson", headers=builder)
        lines = [orjson.loads(line) for line in export.content.splitlines()]
        media_lines = [line for line in lines if line.get("typename") == "MediaItem"]
        assert len(media_lines) == 1
        assert media_lines[0]["altText"] == "Sun"
        assert media_lines[0]["contentDigest"] == entries[0]["contentDigest"]
        await graphql(http, DELETE_MEDIA, {"input": {"id": item["id"]}}, editor)
        feed = await graphql(http, CHANGES, headers=builder)
        assert [(e["kind"], e["contentDigest"]) for e in feed["data"]["changes"]["entries"]] == [
            ("DELETE", None)
        ]
    events = await models.WebhookDelivery.all().order_by("id").values_list("event", flat=True)
    assert list(events) == ["media.uploaded", "media.updated", "media.deleted"]
    actions = await models.AuditEntry.all().order_by("id").values_list("action", "target")
    target = f"MediaItem:{item['databaseId']}"
    assert list(actions)[-3:] == [
        ("media.upload", target),
        ("media.update", target),
        ("media.delete", target),
    ]


FEATURED_LIST = """
query { posts(first: 20) { nodes { title featuredImage { url altText sizes { name } } } } }
"""


async def test_featured_images_of_a_list_cost_the_same_statements_for_any_length(
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
                await models.Post.filter(id=post.id).update(featured_image_id=item["databaseId"])
            sql_log.statements.clear()
            listed = await graphql(http, FEATURED_LIST)
            nodes = listed["data"]["posts"]["nodes"]
            assert len(nodes) == many
            assert all(node["featuredImage"] is not None for node in nodes)
            counts.append(sql_log.count)
    assert counts[0] == counts[1], counts


async def test_two_uploads_of_the_same_bytes_share_one_file(db: str, tmp_path: Path) -> None:
    editor = await _editor()
    cdn = {
        "THREADPRESS_MEDIA_DIR": str(tmp_path),
        "THREADPRESS_MEDIA_PUBLIC_URL": "https://cdn.example.org/m",
    }
    async with app_client(db, cdn) as http:
        first = await _image(http, editor, "same")
        second = await _image(http, editor, "same")
        # Served from the media public URL, under one content name.
        assert first["url"] == second["url"]
        assert first["url"].startswith("https://cdn.example.org/m/")
        assert first["id"] != second["id"]
        assert len(stored_files(tmp_path)) == 1
        await graphql(http, DELETE_MEDIA, {"input": {"id": first["id"]}}, editor)
        # The other item still shows it.
        assert len(stored_files(tmp_path)) == 1
        await graphql(http, DELETE_MEDIA, {"input": {"id": second["id"]}}, editor)
    assert stored_files(tmp_path) == []


CREATE_PAGE = """
mutation($input: CreatePageInput!) {
  createPage(input: $input) { page { id featuredImage { id } } errors { field code } }
}
"""
UPDATE_PAGE = """
mutation($input: UpdatePageInput!) {
  updatePage(input: $input) { page { featuredImage { id } } errors { field code } }
}
"""
PUBLIC_PAGE = 'query { page(uri: "/contact/") { featuredImage { altText url srcSet } } }'


async def test_a_page_shows_its_featured_image_and_keeps_it_in_use(db: str, tmp_path: Path) -> None:
    editor = await _editor()
    author = await factories.author("Maya")
    env = {"THREADPRESS_MEDIA_DIR": str(tmp_path)}
    async with app_client(db, env) as http:
        cover = await _image(http, editor, "cover")
        made = await graphql(
            http,
            CREATE_PAGE,
            {
                "input": {
                    "title": "Contact",
                    "content": "Write to us.",
                    "authorId": to_global_id("Author", author.id),
                    "featuredImageId": cover["id"],
                }
            },
            editor,
        )
        page = made["data"]["createPage"]
        page_id = page["page"]["id"]
        await graphql(
            http,
            "mutation($id: ID!) { publishPage(input: {id: $id}) { errors { code } } }",
            {"id": page_id},
            editor,
        )
        shown = await graphql(http, PUBLIC_PAGE)
        refused = await graphql(
            http,
            "mutation($id: ID!) { deleteMediaItem(input: {id: $id}) { errors { field code } } }",
            {"id": cover["id"]},
            editor,
        )
        wrong = await graphql(
            http,
            UPDATE_PAGE,
            {"input": {"id": page_id, "featuredImageId": to_global_id("Post", 1)}},
            editor,
        )
        removed = await graphql(
            http, UPDATE_PAGE, {"input": {"id": page_id, "featuredImageId": None}}, editor
        )
        after = await graphql(http, PUBLIC_PAGE)

    assert page == {"page": {"id": page_id, "featuredImage": {"id": cover["id"]}}, "errors": []}
    image = shown["data"]["page"]["featuredImage"]
    assert image["url"] == cover["url"]
    assert image["srcSet"] == f"{cover['url']} 45w"
    assert refused["data"]["deleteMediaItem"]["errors"] == [{"field": "id", "code": "IN_USE"}]
    assert wrong["data"]["updatePage"]["errors"] == [
        {"field": "featuredImageId", "code": "INVALID"}
    ]
    assert removed["data"]["updatePage"] == {"page": {"featuredImage": None}, "errors": []}
    assert after["data"]["page"] == {"featuredImage": None}
