"""Pages: a reader reads a page by its address, with its parent and children; an editor
writes, nests, moves, publishes and deletes pages; old addresses keep answering; a
WordPress export's pages come in with their hierarchy."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from tortoise import timezone

import models
from gql.core.ids import to_global_id
from gql.core.tokens import create_token
from gql.publishing.change_log import announce_all_due
from tests import factories
from tests.conftest import SqlLog, app_client, graphql, shared_file
from threadpress.wordpress import import_wxr

PAGE_BY_URI = """
query($uri: String!) {
  page(uri: $uri) {
    id databaseId slug uri title status menuOrder excerpt content(format: TEXT)
    author { name } parent { uri } children { uri menuOrder }
  }
}
"""
RESOLVE = """
query($uri: String!) {
  resolveUri(uri: $uri) { statusCode redirectTo node { __typename ... on Page { uri } } }
}
"""
PAGES = """
query($where: PageWhere, $first: Int, $after: String) {
  pages(where: $where, first: $first, after: $after) {
    totalCount nodes { uri } pageInfo { hasNextPage endCursor }
  }
}
"""
CREATE = """
mutation($input: CreatePageInput!) {
  createPage(input: $input) { page { id slug uri status parent { uri } } errors { field code } }
}
"""
UPDATE = """
mutation($input: UpdatePageInput!) {
  updatePage(input: $input) { page { slug uri menuOrder } errors { field code } }
}
"""
PUBLISH = """
mutation($input: PublishPageInput!) {
  publishPage(input: $input) { page { status publishedAt } errors { field code } }
}
"""
UNPUBLISH = """
mutation($input: UnpublishPageInput!) {
  unpublishPage(input: $input) { page { status } errors { field code } }
}
"""
DELETE = """
mutation($input: DeletePageInput!) {
  deletePage(input: $input) { deletedId errors { field code } }
}
"""


def theme_export() -> Path:
    return shared_file("fixtures/wordpress-theme-unit-test.xml")


async def _editor() -> dict[str, str]:
    _, secret = await create_token("the editor", models.Role.EDITOR)
    return {"Authorization": f"Bearer {secret}"}


async def _page(http: httpx.AsyncClient, uri: str) -> dict[str, Any] | None:
    body = await graphql(http, PAGE_BY_URI, {"uri": uri})
    assert "errors" not in body, body
    page: dict[str, Any] | None = body["data"]["page"]
    return page


async def _resolve(http: httpx.AsyncClient, uri: str) -> dict[str, Any]:
    body = await graphql(http, RESOLVE, {"uri": uri})
    assert "errors" not in body, body
    resolved: dict[str, Any] = body["data"]["resolveUri"]
    return resolved


# --- Reading ----------------------------------------------------------------------------


async def test_a_page_reads_with_its_parent_and_children_in_menu_order(
    client: httpx.AsyncClient,
) -> None:
    writer = await factories.author(name="Maya")
    about = await factories.page(writer, slug="about", title="About")
    await factories.page(writer, slug="team", parent=about, menu_order=2)
    await factories.page(writer, slug="history", parent=about, menu_order=1)
    await factories.page(writer, slug="draft", parent=about, status=models.PostStatus.DRAFT)
    await factories.page(writer, slug="locked", parent=about, password="s3cret")
    later = timezone.now() + timedelta(days=1)
    await factories.page(writer, slug="soon", parent=about, published_at=later)

    page = await _page(client, "about")  # slashes are optional, as for posts

    assert page == {
        "id": to_global_id("Page", about.id),
        "databaseId": about.id,
        "slug": "about",
        "uri": "/about/",
        "title": "About",
        "status": "PUBLISHED",
        "menuOrder": 0,
        "excerpt": "<p>What this site is about.</p>",
        "content": "What this site is about.",
        "author": {"name": "Maya"},
        "parent": None,
        "children": [
            {"uri": "/about/history/", "menuOrder": 1},
            {"uri": "/about/team/", "menuOrder": 2},
        ],
    }
    team = await _page(client, "/about/team/")
    assert team is not None
    assert (team["parent"], team["children"]) == ({"uri": "/about/"}, [])
    for hidden in ("/about/draft/", "/about/locked/", "/about/soon/", "/nowhere/"):
        assert await _page(client, hidden) is None, hidden


async def test_pages_filter_by_parent_top_level_and_search(client: httpx.AsyncClient) -> None:
    writer = await factories.author()
    about = await factories.page(writer, slug="about", menu_order=1)
    contact = await factories.page(writer, slug="contact", menu_order=2, content="<p>Write</p>")
    await factories.page(writer, slug="team", parent=about)
    await factories.page(writer, slug="draft", status=models.PostStatus.DRAFT)

    async def uris(where: dict[str, Any] | None) -> list[str]:
        body = await graphql(client, PAGES, {"where": where})
        assert "errors" not in body, body
        return [node["uri"] for node in body["data"]["pages"]["nodes"]]

    assert await uris(None) == ["/about/team/", "/about/", "/contact/"]
    assert await uris({"topLevel": True}) == ["/about/", "/contact/"]
    assert await uris({"topLevel": False}) == ["/about/team/"]
    assert await uris({"parentId": to_global_id("Page", about.id)}) == ["/about/team/"]
    assert await uris({"parentId": to_global_id("Page", contact.id)}) == []
    assert await uris({"parentId": to_global_id("Post", about.id)}) == []
    assert await uris({"search": "WRITE"}) == ["/contact/"]
    refused = await graphql(client, PAGES, {"where": {"search": "x" * 201}})
    assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert refused["data"] is None


async def test_pages_page_through_menu_order_with_cursors(client: httpx.AsyncClient) -> None:
    writer = await factories.author()
    for n in range(5):
        await factories.page(writer, slug=f"p{n}", menu_order=5 - n)
    seen: list[str] = []
    after = None
    while True:
        body = await graphql(client, PAGES, {"first": 2, "after": after})
        connection = body["data"]["pages"]
        seen += [node["uri"] for node in connection["nodes"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert seen == ["/p4/", "/p3/", "/p2/", "/p1/", "/p0/"]
    assert connection["totalCount"] == 5


async def test_a_page_is_a_node_and_answers_its_address(client: httpx.AsyncClient) -> None:
    writer = await factories.author()
    about = await factories.page(writer, slug="about")
    draft = await factories.page(writer, slug="draft", status=models.PostStatus.DRAFT)
    node = "query($id: ID!) { node(id: $id) { __typename ... on Page { uri } } }"

    found = await graphql(client, node, {"id": to_global_id("Page", about.id)})
    hidden = await graphql(client, node, {"id": to_global_id("Page", draft.id)})
    by_id = await graphql(
        client, "query($id: ID!) { page(id: $id) { uri } }", {"id": to_global_id("Page", about.id)}
    )

    assert found["data"]["node"] == {"__typename": "Page", "uri": "/about/"}
    assert hidden["data"]["node"] is None
    assert by_id["data"]["page"] == {"uri": "/about/"}
    assert await _resolve(client, "/about/") == {
        "statusCode": 200,
        "redirectTo": None,
        "node": {"__typename": "Page", "uri": "/about/"},
    }
    assert (await _resolve(client, "/draft/"))["statusCode"] == 404
    both = await graphql(client, '{ page(id: "x", uri: "/a/") { uri } }')
    assert both["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


# --- Writing ----------------------------------------------------------------------------


async def test_an_editor_writes_nests_publishes_moves_and_deletes_pages(db: str) -> None:
    writer = await factories.author()
    author_id = to_global_id("Author", writer.id)
    async with app_client(db) as http:
        editor = await _editor()

        async def write(document: str, values: dict[str, Any]) -> dict[str, Any]:
            body = await graphql(http, document, {"input": values}, editor)
            assert "errors" not in body, body
            answer: dict[str, Any] = next(iter(body["data"].values()))
            return answer

        about = (
            await write(CREATE, {"title": "About us", "content": "Hi", "authorId": author_id})
        )["page"]
        assert (about["slug"], about["uri"], about["status"]) == ("about-us", "/about-us/", "DRAFT")
        team = (
            await write(
                CREATE,
                {"title": "Team", "content": "We", "authorId": author_id, "parentId": about["id"]},
            )
        )["page"]
        assert (team["uri"], team["parent"]) == ("/about-us/team/", {"uri": "/about-us/"})
        taken = await write(
            CREATE,
            {
                "title": "T",
                "content": "x",
                "authorId": author_id,
                "parentId": about["id"],
                "slug": "team",
            },
        )
        assert taken == {"page": None, "errors": [{"field": "slug", "code": "SLUG_TAKEN"}]}
        # A slug is unique among siblings only.
        elsewhere = await write(CREATE, {"title": "Team", "content": "x", "authorId": author_id})
        assert elsewhere["page"]["uri"] == "/team/"
        assert await _page(http, "/about-us/") is None  # still drafts

        for page in (about, team):
            published = await write(PUBLISH, {"id": page["id"]})
            assert published["page"]["status"] == "PUBLISHED"
        async with app_client(db) as reader:
            assert (await _page(reader, "/about-us/team/")) is not None

        # A new slug moves the page and its children; the old addresses answer with a 301.
        moved = await write(UPDATE, {"id": about["id"], "slug": "about", "menuOrder": 3})
        assert moved == {"page": {"slug": "about", "uri": "/about/", "menuOrder": 3}, "errors": []}
        async with app_client(db) as reader:
            child = await _page(reader, "/about/team/")
            assert child is not None
            assert child["parent"] == {"uri": "/about/"}
            assert await _resolve(reader, "/about-us/team/") == {
                "statusCode": 301,
                "redirectTo": "/about/team/",
                "node": {"__typename": "Page", "uri": "/about/team/"},
            }
            assert (await _resolve(reader, "/about-us/"))["redirectTo"] == "/about/"

        # Moved to the top level (parentId: null), and back; never into itself.
        top = await write(UPDATE, {"id": team["id"], "parentId": None, "slug": "crew"})
        assert top["page"]["uri"] == "/crew/"
        into_itself = await write(UPDATE, {"id": about["id"], "parentId": about["id"]})
        assert into_itself["errors"] == [{"field": "parentId", "code": "INVALID"}]
        back = await write(UPDATE, {"id": team["id"], "parentId": about["id"]})
        assert back["page"]["uri"] == "/about/crew/"

        in_use = await write(DELETE, {"id": about["id"]})
        assert in_use == {"deletedId": None, "errors": [{"field": "id", "code": "IN_USE"}]}
        assert (await write(UNPUBLISH, {"id": team["id"]}))["page"]["status"] == "DRAFT"
        gone = await write(DELETE, {"id": team["id"]})
        assert gone == {"deletedId": team["id"], "errors": []}
        assert (await write(DELETE, {"id": about["id"]}))["errors"] == []
        assert await models.Page.filter(uri__startswith="/about").count() == 0
        assert await models.PageRedirect.all().count() == 0  # they went with their pages

        actions = await models.AuditEntry.all().order_by("id").values_list("action", flat=True)
        assert actions == [
            "page.create",
            "page.create",
            "page.create",
            "page.publish",
            "page.publish",
            "page.update",
            "page.update",
            "page.update",
            "page.unpublish",
            "page.delete",
            "page.delete",
        ]


async def test_page_writes_need_an_editor_and_report_every_problem(db: str) -> None:
    async with app_client(db) as http:
        anonymous = await graphql(
            http, CREATE, {"input": {"title": "x", "content": "x", "authorId": "x"}}
        )
        assert anonymous["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        body = await graphql(
            http,
            CREATE,
            {
                "input": {
                    "title": " ",
                    "content": "x",
                    "authorId": to_global_id("Author", 999),
                    "parentId": to_global_id("Post", 1),
                    "slug": "Not A Slug",
                    "menuOrder": -1,
                }
            },
            await _editor(),
        )
        assert body["data"]["createPage"] == {
            "page": None,
            "errors": [
                {"field": "title", "code": "REQUIRED"},
                {"field": "slug", "code": "INVALID"},
                {"field": "menuOrder", "code": "INVALID"},
                {"field": "authorId", "code": "NOT_FOUND"},
                {"field": "parentId", "code": "INVALID"},
            ],
        }
        assert await models.Page.all().count() == 0
        assert await models.AuditEntry.all().count() == 0


async def test_an_author_with_pages_is_in_use_until_they_move(db: str) -> None:
    maya = await factories.author(slug="maya")
    jo = await factories.author(slug="jo")
    page = await factories.page(maya, slug="about")
    delete = """
    mutation($input: DeleteAuthorInput!) {
      deleteAuthor(input: $input) { deletedId errors { code } }
    }
    """
    async with app_client(db) as http:
        editor = await _editor()
        refused = await graphql(
            http, delete, {"input": {"id": to_global_id("Author", maya.id)}}, editor
        )
        moved = await graphql(
            http,
            delete,
            {
                "input": {
                    "id": to_global_id("Author", maya.id),
                    "reassignTo": to_global_id("Author", jo.id),
                }
            },
            editor,
        )

    assert refused["data"]["deleteAuthor"] == {"deletedId": None, "errors": [{"code": "IN_USE"}]}
    assert moved["data"]["deleteAuthor"]["errors"] == []
    assert (await models.Page.get(id=page.id)).author_id == jo.id


# --- Import -------------------------------------------------------------------------------


THEME_PAGE_TREE = {
    "/about/": [
        "/about/page-image-alignment/",
        "/about/page-markup-and-formatting/",
        "/about/clearing-floats/",
        "/about/page-with-comments/",
        "/about/page-with-comments-disabled/",
    ],
    "/level-1/": ["/level-1/level-2/", "/level-1/level-2a/", "/level-1/level-2b/"],
    "/level-1/level-2/": [
        "/level-1/level-2/level-3/",
        "/level-1/level-2/level-3a/",
        "/level-1/level-2/level-3b/",
    ],
    "/greek/": ["/greek/επίπεδο-2/"],
    "/greek/επίπεδο-2/": ["/greek/επίπεδο-2/επίπεδο-3/"],
}


async def test_the_theme_unit_test_pages_import_with_their_hierarchy(
    client: httpx.AsyncClient,
) -> None:
    export = theme_export()
    summary = await import_wxr(export, progress=False)

    assert vars(summary.counts["pages"]) == {"imported": 21, "updated": 0, "unchanged": 0}
    body = await graphql(
        client, "{ pages(first: 50, where: { topLevel: true }) { nodes { uri } } }"
    )
    assert [n["uri"] for n in body["data"]["pages"]["nodes"]] == [
        "/front-page/",  # menu order 0, in the order they came in
        "/blog/",
        "/greek/",
        "/about/",
        "/level-1/",
        "/lorem-ipsum/",
        "/page-a/",
        "/page-b/",
    ]
    total = await graphql(client, "{ pages { totalCount } }")
    assert total["data"]["pages"]["totalCount"] == 21
    for parent, children in THEME_PAGE_TREE.items():
        page = await _page(client, parent)
        assert page is not None, parent
        assert [child["uri"] for child in page["children"]] == children, parent
        for child in children:
            read = await _page(client, child)
            assert read is not None, child
            assert read["parent"] == {"uri": parent}, child
            assert (await _resolve(client, child))["node"] == {"__typename": "Page", "uri": child}
    deepest = await _page(client, "/level-1/level-2/level-3/")
    assert deepest is not None
    assert (deepest["title"], deepest["children"], deepest["menuOrder"]) == ("Level 3", [], 0)
    # WordPress's shortlink of an imported page answers with its address.
    assert await _resolve(client, "/?page_id=146") == {
        "statusCode": 301,
        "redirectTo": "/lorem-ipsum/",
        "node": {"__typename": "Page", "uri": "/lorem-ipsum/"},
    }
    assert (await _resolve(client, "/?page_id=999999"))["statusCode"] == 404

    again = await import_wxr(export, progress=False)

    assert vars(again.counts["pages"]) == {"imported": 0, "updated": 0, "unchanged": 21}
    assert await models.Page.all().count() == 21


def _wxr(items: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Trail notes</title><wp:wxr_version>1.2</wp:wxr_version>
<wp:author><wp:author_login>kim</wp:author_login><wp:author_email>kim@example.org</wp:author_email>
  <wp:author_display_name><![CDATA[Kim Pace]]></wp:author_display_name></wp:author>
{items}
</channel></rss>
"""


def _page_item(
    wp_id: int,
    name: str,
    *,
    parent: int = 0,
    order: str = "0",
    status: str = "publish",
    password: str = "",
    date: str = "2017-03-04 09:30:00",
    comments: int = 0,
) -> str:
    replies = "".join(
        f"<wp:comment><wp:comment_id>{wp_id * 100 + n}</wp:comment_id>"
        "<wp:comment_approved>1</wp:comment_approved><wp:comment_parent>0</wp:comment_parent>"
        "<wp:comment_content>Hi</wp:comment_content></wp:comment>"
        for n in range(comments)
    )
    return f"""<item><title>{name.title()}</title><dc:creator>kim</dc:creator>
<content:encoded><![CDATA[About {name}]]></content:encoded>
<wp:post_id>{wp_id}</wp:post_id><wp:post_date_gmt>{date}</wp:post_date_gmt>
<wp:post_name>{name}</wp:post_name><wp:status>{status}</wp:status>
<wp:post_parent>{parent}</wp:post_parent><wp:menu_order>{order}</wp:menu_order>
<wp:post_type>page</wp:post_type><wp:post_password>{password}</wp:post_password>{replies}
</item>"""


async def test_imported_pages_keep_hierarchy_status_and_leave_comments_out(
    db: str, tmp_path: Path
) -> None:
    items = "".join(
        [
            _page_item(3, "grandchild", parent=2),  # before its parent
            _page_item(2, "child", parent=1, order="-4"),
            _page_item(1, "top", order="2", comments=2),
            _page_item(4, "orphan", parent=99),
            _page_item(5, "looped", parent=6),
            _page_item(6, "loop", parent=5),
            _page_item(7, "draft", status="draft"),
            _page_item(8, "private", status="private"),
            _page_item(9, "locked", password="s3cret"),
            _page_item(10, "soon", status="future", date="2099-01-01 08:00:00"),
            _page_item(11, "gone", status="trash"),
        ]
    )
    path = tmp_path / "pages.xml"
    path.write_text(_wxr(items), encoding="utf-8")

    summary = await import_wxr(path, progress=False)

    uris = dict(await models.Page.all().values_list("wp_id", "uri"))
    assert uris == {
        1: "/top/",
        2: "/top/child/",
        3: "/top/child/grandchild/",
        4: "/orphan/",
        5: "/looped/",  # the loop is cut where it closed, at the first of it in the file
        6: "/looped/loop/",
        7: "/draft/",
        8: "/private/",
        9: "/locked/",
        10: "/soon/",
    }
    assert (await models.Page.get(wp_id=2)).menu_order == 0  # negative orders read as 0
    assert (await models.Page.get(wp_id=1)).menu_order == 2
    public = await models.Page.filter(models.public_page_filter()).values_list("wp_id", flat=True)
    assert sorted(public) == [1, 2, 3, 4, 5, 6]
    later = timezone.now().replace(year=2100)
    public_later = await models.Page.filter(models.public_page_filter(later)).values_list(
        "wp_id", flat=True
    )
    assert sorted(public_later) == [1, 2, 3, 4, 5, 6, 10]  # scheduled: public at its date
    assert vars(summary.counts["pages"]) == {"imported": 10, "updated": 0, "unchanged": 0}
    assert summary.skipped == {"comment on a page": 2, "trashed page": 1}
    assert summary.notes == {
        "pages whose parent is not in the file became top-level": 1,
        "pages nested in their own children became top-level": 1,
    }
    assert await models.Comment.all().count() == 0
    assert "2 comments on pages, 1 trashed page" in summary.report()

    # The parent moves in the file: the page and its subtree follow on re-import.
    moved = items.replace(_page_item(2, "child", parent=1, order="-4"), _page_item(2, "child"))
    path.write_text(_wxr(moved), encoding="utf-8")
    again = await import_wxr(path, progress=False)

    assert (await models.Page.get(wp_id=3)).uri == "/child/grandchild/"
    assert vars(again.counts["pages"]) == {"imported": 0, "updated": 2, "unchanged": 8}


# --- What a page write announces -----------------------------------------------------------

FEED = """
query($since: String) {
  changes(since: $since, first: 100) {
    entries { kind typename id contentDigest node { ... on Page { uri } } } nextToken
  }
}
"""


async def test_page_writes_reach_the_feed_the_webhooks_and_the_export(db: str) -> None:
    writer = await factories.author(slug="jo")
    about = await factories.page(writer, slug="about")
    team = await factories.page(writer, slug="team", parent=about, status=models.PostStatus.DRAFT)
    await factories.page(writer, slug="hidden", status=models.PostStatus.DRAFT)
    await models.WebhookSubscriber.create(
        url="http://127.0.0.1:9/hook", secret="s" * 20, events="*"
    )
    _, builder_secret = await create_token("the build", models.Role.BUILDER)
    builder = {"Authorization": f"Bearer {builder_secret}"}
    team_id = to_global_id("Page", team.id)

    async with app_client(db) as http:
        editor = await _editor()
        start = (await graphql(http, FEED, {"since": None}, builder))["data"]["changes"]
        await graphql(http, PUBLISH, {"input": {"id": team_id}}, editor)
        published = (await graphql(http, FEED, {"since": start["nextToken"]}, builder))["data"][
            "changes"
        ]
        await graphql(http, UPDATE, {"input": {"id": team_id, "title": "Our team"}}, editor)
        updated = (await graphql(http, FEED, {"since": published["nextToken"]}, builder))["data"][
            "changes"
        ]
        export = await http.get("/export.ndjson", headers=builder)
        await graphql(http, UNPUBLISH, {"input": {"id": team_id}}, editor)
        unpublished = (await graphql(http, FEED, {"since": updated["nextToken"]}, builder))["data"][
            "changes"
        ]

    [entry] = published["entries"]
    assert (entry["kind"], entry["typename"], entry["id"]) == ("UPSERT", "Page", team_id)
    assert entry["node"] == {"uri": "/about/team/"}
    [changed] = updated["entries"]
    assert changed["kind"] == "UPSERT"
    assert changed["contentDigest"] != entry["contentDigest"]
    assert [(e["kind"], e["id"], e["node"]) for e in unpublished["entries"]] == [
        ("DELETE", team_id, None)
    ]
    sent = [json.loads(d.body) for d in await models.WebhookDelivery.all().order_by("id")]
    # The first read of the feed announced /about/ (made public behind the API's back).
    assert [(body["event"], body["nodes"][0]["id"]) for body in sent] == [
        ("page.published", to_global_id("Page", about.id)),
        ("page.published", team_id),
        ("page.updated", team_id),
        ("page.unpublished", team_id),
    ]
    body = sent[1]
    assert body["nodes"] == [{"id": team_id, "typename": "Page"}]
    assert body["uris"] == ["/about/", "/about/team/"]
    assert body["tags"] == sorted([f"page:{team.id}", "pages"])
    lines = [json.loads(line) for line in export.content.decode().splitlines()]
    pages = {line["uri"]: line for line in lines if line.get("typename") == "Page"}
    assert sorted(pages) == ["/about/", "/about/team/"]  # public pages only
    assert pages["/about/team/"]["parent"] == to_global_id("Page", about.id)
    assert pages["/about/team/"]["contentDigest"] == changed["contentDigest"]


async def test_a_scheduled_page_is_announced_at_its_time(db: str) -> None:
    writer = await factories.author()
    soon = timezone.now() + timedelta(hours=1)
    page = await factories.page(writer, slug="soon", published_at=soon)

    before = await announce_all_due()
    at_its_time = await announce_all_due(soon + timedelta(seconds=1))
    again = await announce_all_due(soon + timedelta(seconds=2))

    assert before == set()
    assert at_its_time == {f"page:{page.id}", "pages"}
    assert again == set()
    entries = await models.Change.all().values_list("kind", "typename", "node_id")
    assert entries == [("upsert", "Page", page.id)]


CACHE_ON = {"THREADPRESS_RESPONSE_CACHE": "on"}


async def test_a_page_write_drops_exactly_the_answers_that_showed_pages(
    db: str, sql_log: SqlLog
) -> None:
    writer = await factories.author()
    about = await factories.page(writer, slug="about", title="About")
    await factories.page(writer, slug="team", parent=about)
    await factories.post(writer, slug="calf", title="A stubborn calf")
    post = 'query { post(slug: "calf") { title } }'

    async with app_client(db, CACHE_ON) as http:
        await _page(http, "/about/")
        await graphql(http, post)
        await graphql(http, PAGES)
        await graphql(
            http,
            UPDATE,
            {"input": {"id": to_global_id("Page", about.id), "title": "About us"}},
            await _editor(),
        )
        sql_log.statements.clear()
        await graphql(http, post)
        unrelated = sql_log.count
        after = await _page(http, "/about/team/")  # not read before: a miss anyway
        about_after = await _page(http, "/about/")
        listed = sql_log.count

    assert unrelated == 0  # the post's answer is still a hit
    assert after is not None
    assert after["parent"] == {"uri": "/about/"}
    assert about_after is not None
    assert about_after["title"] == "About us"
    assert listed > 0


async def test_pages_count_against_the_query_budget(db: str) -> None:
    query = "query($n: Int) { pages(first: $n) { nodes { author { name } parent { uri } } } }"
    env = {"THREADPRESS_MAX_COST": "150"}  # pages: n nodes, authors and parents: 2n more

    async with app_client(db, env) as http:
        within = await http.post("/graphql", json={"query": query, "variables": {"n": 50}})
        over = await http.post("/graphql", json={"query": query, "variables": {"n": 51}})

    assert "errors" not in within.json()
    assert within.json()["extensions"] == {"cost": {"requested": 150, "limit": 150}}
    assert [e["extensions"]["code"] for e in over.json()["errors"]] == ["QUERY_TOO_COMPLEX"]
    assert over.json()["extensions"] == {"cost": {"requested": 153, "limit": 150}}


async def test_moving_a_page_moves_what_is_nested_in_it_for_caches_and_builds(db: str) -> None:
    writer = await factories.author()
    about = await factories.page(writer, slug="about")
    team = await factories.page(writer, slug="team", parent=about)
    _, builder_secret = await create_token("the build", models.Role.BUILDER)
    builder = {"Authorization": f"Bearer {builder_secret}"}

    async with app_client(db, CACHE_ON) as http:
        start = (await graphql(http, FEED, {"since": None}, builder))["data"]["changes"]
        before = await _page(http, "/about/team/")
        await graphql(
            http,
            UPDATE,
            {"input": {"id": to_global_id("Page", about.id), "slug": "us"}},
            await _editor(),
        )
        after = await _page(http, "/about/team/")  # an old address: the page, where it is now
        feed = (await graphql(http, FEED, {"since": start["nextToken"]}, builder))["data"][
            "changes"
        ]

    assert before is not None
    assert before["uri"] == "/about/team/"
    assert after is not None
    assert after["uri"] == "/us/team/"
    assert {(e["kind"], e["node"]["uri"]) for e in feed["entries"]} == {
        ("UPSERT", "/us/"),
        ("UPSERT", "/us/team/"),
    }
    assert (await models.Page.get(id=team.id)).uri == "/us/team/"


PREVIEW_LINK = """
mutation($id: ID!) { createPreviewLink(input: {id: $id}) { url previewToken errors { code } } }
"""
PREVIEW = """
query($id: ID, $uri: String, $t: String) { page(id: $id, uri: $uri, previewToken: $t) { title } }
"""


async def test_a_draft_page_opens_for_whoever_holds_its_preview_link(db: str) -> None:
    writer = await factories.author()
    draft = await factories.page(
        writer, slug="contact", title="Contact", status=models.PostStatus.DRAFT, published_at=None
    )
    other = await factories.page(writer, slug="other", status=models.PostStatus.DRAFT)
    page_id = to_global_id("Page", draft.id)
    env = {"THREADPRESS_SITE_URL": "https://blog.example.org"}

    async with app_client(db, env) as http:
        made = await graphql(http, PREVIEW_LINK, {"id": page_id}, await _editor())
        link = made["data"]["createPreviewLink"]
        token = link["previewToken"]
        by_id = await graphql(http, PREVIEW, {"id": page_id, "t": token})
        by_uri = await graphql(http, PREVIEW, {"uri": "/contact/", "t": token})
        another = await graphql(http, PREVIEW, {"id": to_global_id("Page", other.id), "t": token})
        without = await graphql(http, PREVIEW, {"id": page_id})

    assert link["errors"] == []
    assert link["url"].startswith("https://blog.example.org/contact/?preview=")
    assert by_id["data"] == by_uri["data"] == {"page": {"title": "Contact"}}
    assert another["data"] == without["data"] == {"page": None}
