"""A site shows its navigation: an editor writes a menu as one tree of links to posts,
categories, authors and custom URLs; readers get it by location or slug, with nothing in it
that is not public; its answers follow the nodes it links to."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
from tortoise import timezone

import models
from gql.core.ids import to_global_id
from gql.core.tokens import create_token
from gql.menus.mutations import MAX_MENU_DEPTH
from gql.publishing.change_log import announce_due
from models.menu import Branch, menu_tree
from tests import factories
from tests.conftest import SqlLog, app_client, graphql, without_cost

CREATE_MENU = """
mutation($input: CreateMenuInput!) {
  createMenu(input: $input) { menu { id slug name location } errors { field code message } }
}
"""
UPDATE_MENU = """
mutation($input: UpdateMenuInput!) {
  updateMenu(input: $input) { menu { slug name location } errors { field code } }
}
"""
DELETE_MENU = """
mutation($input: DeleteMenuInput!) { deleteMenu(input: $input) { deletedId errors { field code } } }
"""
UNPUBLISH = """
mutation($id: ID!) { unpublishPost(input: { id: $id }) { errors { code } } }
"""
ITEM_FIELDS = "label url target node { __typename id }"
MENU_AT = (
    "query($location: String, $slug: String) { menu(location: $location, slug: $slug) { name "
    f"items {{ {ITEM_FIELDS} children {{ {ITEM_FIELDS} children {{ {ITEM_FIELDS} }} }} }} }} }}"
)
LABELS = """
query($location: String) { menu(location: $location) { items { label children { label
  children { label children { label } } } } } }
"""


async def _editor() -> dict[str, str]:
    _, secret = await create_token("the editor", models.Role.EDITOR)
    return {"Authorization": f"Bearer {secret}"}


def _id(row: models.Model) -> str:
    return to_global_id(type(row).__name__, row.pk)


async def _site() -> dict[str, Any]:
    writer = await factories.author(slug="maya", name="Maya")
    running = await factories.category(slug="running", name="Running")
    trail = await factories.category(slug="trail", name="Trail", parent=running)
    hills = await factories.post(writer, slug="hills", title="Hill repeats")
    draft = await factories.post(
        writer, slug="secret", title="Secret plans", status=models.PostStatus.DRAFT
    )
    return {"writer": writer, "running": running, "trail": trail, "hills": hills, "draft": draft}


def _main_menu(site: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": "Main menu",
        "location": "primary",
        "items": [
            {"label": "Home", "url": "/"},
            {
                "nodeId": _id(site["running"]),
                "children": [
                    {"nodeId": _id(site["trail"]), "label": "Trails"},
                    {
                        "nodeId": _id(site["draft"]),
                        "children": [
                            {"nodeId": _id(site["hills"])},
                            {
                                "label": "Shop",
                                "url": "https://shop.example.org/",
                                "target": "_blank",
                            },
                        ],
                    },
                ],
            },
            {"nodeId": _id(site["writer"])},
        ],
    }


def _item(label: str, url: str, node: Any = None, target: str | None = None) -> dict[str, Any]:
    return {"label": label, "url": url, "target": target, "node": node}


async def test_a_menu_is_written_as_one_tree_and_read_without_what_is_not_public(
    db: str,
) -> None:
    site = await _site()
    editor = await _editor()

    async with app_client(db) as http:
        made = await graphql(http, CREATE_MENU, {"input": _main_menu(site)}, editor)
        public = await graphql(http, MENU_AT, {"location": "primary"})
        as_editor = await graphql(http, MENU_AT, {"slug": "main-menu"}, editor)

    assert made["data"]["createMenu"]["errors"] == []
    assert made["data"]["createMenu"]["menu"]["slug"] == "main-menu"
    running, trail, hills, writer = (
        site["running"],
        site["trail"],
        site["hills"],
        site["writer"],
    )
    hills_node = {"__typename": "Post", "id": _id(hills)}
    assert public["data"]["menu"] == {
        "name": "Main menu",
        "items": [
            {**_item("Home", "/"), "children": []},
            {
                **_item(
                    "Running", "/category/running/", {"__typename": "Category", "id": _id(running)}
                ),
                "children": [
                    {
                        **_item(
                            "Trails",
                            "/category/running/trail/",
                            {"__typename": "Category", "id": _id(trail)},
                        ),
                        "children": [],
                    },
                    # The draft's item is left out; its children take its place.
                    {**_item("Hill repeats", hills.uri, hills_node), "children": []},
                    {**_item("Shop", "https://shop.example.org/", None, "_blank"), "children": []},
                ],
            },
            {
                **_item("Maya", "/author/maya/", {"__typename": "Author", "id": _id(writer)}),
                "children": [],
            },
        ],
    }
    # Editors read the public menu too: a menu never shows a draft's title or address.
    assert as_editor["data"]["menu"] == public["data"]["menu"]
    assert "Secret" not in str(public)


async def test_an_update_replaces_the_tree_and_a_delete_removes_the_menu(db: str) -> None:
    site = await _site()
    editor = await _editor()

    async with app_client(db) as http:
        made = await graphql(http, CREATE_MENU, {"input": _main_menu(site)}, editor)
        menu_id = made["data"]["createMenu"]["menu"]["id"]
        renamed = await graphql(
            http,
            UPDATE_MENU,
            {"input": {"id": menu_id, "name": "Top", "slug": "top", "location": "footer"}},
            editor,
        )
        kept = await graphql(http, LABELS, {"location": "footer"})
        replaced = await graphql(
            http,
            UPDATE_MENU,
            {"input": {"id": menu_id, "items": [{"label": "Only", "url": "#top"}]}},
            editor,
        )
        after = await graphql(http, LABELS, {"location": "footer"})
        listed = await graphql(http, "{ menus { slug items { label } } }")
        deleted = await graphql(http, DELETE_MENU, {"input": {"id": menu_id}}, editor)
        gone = await graphql(http, LABELS, {"location": "footer"})
        node = await graphql(http, "query($id: ID!) { node(id: $id) { id } }", {"id": menu_id})

    assert renamed["data"]["updateMenu"] == {
        "menu": {"slug": "top", "name": "Top", "location": "footer"},
        "errors": [],
    }
    assert [i["label"] for i in kept["data"]["menu"]["items"]] == ["Home", "Running", "Maya"]
    assert replaced["data"]["updateMenu"]["errors"] == []
    assert after["data"]["menu"] == {"items": [{"label": "Only", "children": []}]}
    assert listed["data"]["menus"] == [{"slug": "top", "items": [{"label": "Only"}]}]
    assert deleted["data"]["deleteMenu"] == {"deletedId": menu_id, "errors": []}
    assert gone["data"]["menu"] is None
    assert node["data"]["node"] is None
    assert await models.MenuItem.all().count() == 0
    actions = await models.AuditEntry.all().order_by("id").values_list("action", flat=True)
    assert actions == ["menu.create", "menu.update", "menu.update", "menu.delete"]


async def test_bad_menu_input_is_refused_whole_with_every_problem_at_its_path(db: str) -> None:
    site = await _site()
    editor = await _editor()
    deep: dict[str, Any] = {"label": "Deep", "url": "#"}
    for _ in range(MAX_MENU_DEPTH):
        deep = {"label": "Deep", "url": "#", "children": [deep]}
    bad = {
        "name": "",
        "slug": "Not A Slug",
        "location": "Main Menu",
        "items": [
            {"label": "Both", "url": "/", "nodeId": _id(site["hills"])},
            {"label": "Neither"},
            {"url": "javascript:alert(1)"},
            {"nodeId": to_global_id("Comment", 1)},
            {"nodeId": to_global_id("Post", 999), "target": "_new"},
            deep,
        ],
    }

    async with app_client(db) as http:
        refused = await graphql(http, CREATE_MENU, {"input": bad}, editor)
        anonymous = await graphql(http, CREATE_MENU, {"input": {"name": "Mine"}})
        first = await graphql(
            http, CREATE_MENU, {"input": {"name": "Main", "location": "primary"}}, editor
        )
        taken = await graphql(
            http,
            CREATE_MENU,
            {"input": {"name": "Other", "slug": "main", "location": "primary"}},
            editor,
        )
        located = await graphql(
            http, CREATE_MENU, {"input": {"name": "Other", "location": "primary"}}, editor
        )
        missing = await graphql(
            http, DELETE_MENU, {"input": {"id": to_global_id("Menu", 999)}}, editor
        )
        both = await graphql(http, MENU_AT, {"location": "primary", "slug": "main"})

    errors = [(e["field"], e["code"]) for e in refused["data"]["createMenu"]["errors"]]
    deepest = "items.5" + ".children.0" * (MAX_MENU_DEPTH - 1)
    assert errors == [
        ("name", "REQUIRED"),
        ("slug", "INVALID"),
        ("location", "INVALID"),
        ("items.0.nodeId", "INVALID"),
        ("items.1.nodeId", "INVALID"),
        ("items.2.url", "INVALID_URL"),
        ("items.2.label", "REQUIRED"),
        ("items.3.nodeId", "INVALID"),
        ("items.4.target", "INVALID"),
        (f"{deepest}.children", "INVALID"),
        ("items.4.nodeId", "NOT_FOUND"),
    ]
    assert refused["data"]["createMenu"]["menu"] is None
    assert anonymous["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert first["data"]["createMenu"]["errors"] == []
    assert [(e["field"], e["code"]) for e in taken["data"]["createMenu"]["errors"]] == [
        ("slug", "SLUG_TAKEN")
    ]
    assert [(e["field"], e["code"]) for e in located["data"]["createMenu"]["errors"]] == [
        ("location", "IN_USE")
    ]
    assert missing["data"]["deleteMenu"]["errors"] == [{"field": "id", "code": "NOT_FOUND"}]
    assert both["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    # Nothing of the refused writes was stored.
    assert await models.Menu.all().values_list("slug", flat=True) == ["main"]
    assert await models.MenuItem.all().count() == 0


async def test_a_menu_item_is_a_node_shown_as_its_menu_shows_it(db: str) -> None:
    site = await _site()
    await factories.menu(
        "Main",
        "primary",
        [
            ("Trails", site["trail"], [("", site["hills"], [])]),
            ("", site["draft"], [("Shop", "https://shop.example.org/", [])]),
        ],
    )
    items = {item.label or str(item.link_id): item for item in await models.MenuItem.all()}
    menu = await models.Menu.get(slug="main")
    query = """
    query($id: ID!) {
      node(id: $id) { id ... on MenuItem { label url children { label } } ... on Menu { name } }
    }
    """

    async with app_client(db) as http:

        async def node(row: models.Model) -> Any:
            return (await graphql(http, query, {"id": _id(row)}))["data"]["node"]

        trails = await node(items["Trails"])
        hidden = await node(items[str(site["draft"].id)])
        shop = await node(items["Shop"])
        whole = await node(menu)

    assert trails == {
        "id": _id(items["Trails"]),
        "label": "Trails",
        "url": "/category/running/trail/",
        "children": [{"label": "Hill repeats"}],
    }
    assert hidden is None  # it links to a draft
    assert shop == {
        "id": _id(items["Shop"]),
        "label": "Shop",
        "url": "https://shop.example.org/",
        "children": [],
    }
    assert whole == {"id": _id(menu), "name": "Main"}


async def test_labels_and_addresses_follow_the_linked_nodes(db: str) -> None:
    site = await _site()
    await factories.menu("Main", "primary", [("", site["hills"], []), ("", site["trail"], [])])
    editor = await _editor()
    update_post = (
        "mutation($input: UpdatePostInput!) { updatePost(input: $input) { errors { code } } }"
    )
    update_category = """
    mutation($input: UpdateCategoryInput!) { updateCategory(input: $input) { errors { code } } }
    """

    # With the response cache on: the writes drop the menu's cached answer exactly.
    async with app_client(db, {"THREADPRESS_RESPONSE_CACHE": "on"}) as http:
        before = await graphql(http, MENU_AT, {"location": "primary"})
        await graphql(
            http,
            update_post,
            {"input": {"id": _id(site["hills"]), "title": "Hill sprints", "slug": "sprints"}},
            editor,
        )
        await graphql(
            http,
            update_category,
            {"input": {"id": _id(site["running"]), "slug": "run"}},
            editor,
        )
        after = await graphql(http, MENU_AT, {"location": "primary"})

    def shown(body: dict[str, Any]) -> list[tuple[str, str]]:
        return [(i["label"], i["url"]) for i in body["data"]["menu"]["items"]]

    assert shown(before) == [
        ("Hill repeats", site["hills"].uri),
        ("Trail", "/category/running/trail/"),
    ]
    hills = await models.Post.get(id=site["hills"].id)
    assert shown(after) == [("Hill sprints", hills.uri), ("Trail", "/category/run/trail/")]
    assert hills.uri != site["hills"].uri


def test_hidden_items_give_their_place_to_their_children() -> None:
    class Row:
        def __init__(self, id: int, parent_id: int | None, position: int) -> None:
            self.id, self.parent_id, self.position = id, parent_id, position

    rows = [
        Row(1, None, 0),
        Row(2, 1, 0),
        Row(3, 2, 0),
        Row(4, 2, 1),
        Row(5, 1, 1),
        Row(6, None, 1),
    ]
    rows += [Row(7, 8, 0), Row(8, 7, 0)]  # a cycle of parents: never reached from the top

    def shape(branches: list[Branch[Row]] | tuple[Branch[Row], ...]) -> list[Any]:
        return [(b.item.id, shape(b.children)) for b in branches]

    assert shape(menu_tree(rows, lambda row: True)) == [
        (1, [(2, [(3, []), (4, [])]), (5, [])]),
        (6, []),
    ]
    assert shape(menu_tree(rows, lambda row: row.id != 2)) == [
        (1, [(3, []), (4, []), (5, [])]),
        (6, []),
    ]
    assert shape(menu_tree(rows, lambda row: row.id not in (1, 2))) == [
        (3, []),
        (4, []),
        (5, []),
        (6, []),
    ]


MENUS_PAGE = f"""
{{ menus {{ name items {{ {ITEM_FIELDS} children {{ {ITEM_FIELDS}
   children {{ {ITEM_FIELDS} children {{ {ITEM_FIELDS} }} }} }} }} }} }}
"""


async def test_a_menu_tree_costs_a_fixed_number_of_statements(
    client: httpx.AsyncClient, sql_log: SqlLog
) -> None:
    site = await _site()
    small = [
        ("", site["hills"], [("", site["running"], [])]),
        ("Shop", "https://shop.example.org/", []),
    ]
    await factories.menu("Small", "primary", small)

    async def count() -> tuple[int, dict[str, Any]]:
        sql_log.statements.clear()
        body = await graphql(client, MENUS_PAGE)
        assert "errors" not in body, body
        return sql_log.count, body

    # `node` is an interface: the level-by-level executor gives the document to graphql-core
    # the first time it meets it, and sends it there directly from then on.
    await count()
    few, _ = await count()
    first_statements = list(sql_log.statements)
    writer = site["writer"]
    posts = [await factories.post(writer, title=f"Long run {n}") for n in range(12)]
    categories = [await factories.category() for _ in range(6)]
    deep: list[Any] = [("", posts[0], [])]
    for post in posts[1:6]:
        deep = [("", post, deep), ("", categories[len(deep) % 6], [])]
    big = [*deep, *(("", post, [("", categories[0], [])]) for post in posts[6:])]
    await factories.menu("Big", "footer", big)
    await factories.menu("Another", None, [("", site["draft"], [("", site["trail"], [])])])
    many, body = await count()

    # menus; their items (one query, all levels); linked posts; linked categories; authors
    # are not linked here.
    assert few == 4, "\n".join(s[:160] for s in first_statements)
    assert many == 4, "\n".join(s[:160] for s in sql_log.statements)
    assert [m["name"] for m in body["data"]["menus"]] == ["Small", "Big", "Another"]
    one = MENUS_PAGE.replace("menus {", 'menu(location: "footer") {')
    await graphql(client, one)
    sql_log.statements.clear()
    footer = await graphql(client, one)
    # the menu by its location; its items; their posts; their categories
    assert sql_log.count == 4, "\n".join(s[:160] for s in sql_log.statements)
    assert len(footer["data"]["menu"]["items"]) == 2 + 6
    assert body["data"]["menus"][2]["items"][0]["label"] == "Trail"


CACHE_ON = {"THREADPRESS_RESPONSE_CACHE": "on"}


async def _cached_read(http: httpx.AsyncClient) -> tuple[dict[str, Any], httpx.Response]:
    response = await http.post(
        "/graphql", json={"query": LABELS, "variables": {"location": "primary"}}
    )
    assert response.status_code == 200
    return without_cost(response.json()), response


async def test_a_cached_menu_changes_when_a_post_it_links_to_is_unpublished(
    db: str, sql_log: SqlLog
) -> None:
    site = await _site()
    other = await factories.post(site["writer"], slug="other", title="Unrelated")
    await factories.menu("Main", "primary", [("", site["hills"], []), ("", site["trail"], [])])
    editor = await _editor()

    async with app_client(db, CACHE_ON) as http:
        first, response = await _cached_read(http)
        sql_log.statements.clear()
        again, _ = await _cached_read(http)
        from_cache = sql_log.count
        await graphql(http, UNPUBLISH, {"id": _id(other)}, editor)
        sql_log.statements.clear()
        await _cached_read(http)
        after_unrelated = sql_log.count
        await graphql(http, UNPUBLISH, {"id": _id(site["hills"])}, editor)
        after, _ = await _cached_read(http)

    tags = response.headers["cache-tag"].split(",")
    menu = await models.Menu.get(slug="main")
    assert {f"menu:{menu.id}", f"post:{site['hills'].id}", f"category:{site['trail'].id}"} <= set(
        tags
    )
    assert again == first
    assert from_cache == 0
    assert after_unrelated == 0  # another post's change keeps the menu's answer
    assert [i["label"] for i in first["data"]["menu"]["items"]] == ["Hill repeats", "Trail"]
    assert [i["label"] for i in after["data"]["menu"]["items"]] == ["Trail"]


CHANGES = """
query($since: String) {
  changes(since: $since) { nextToken entries { kind typename id contentDigest } }
}
"""


async def test_menus_are_synced_exported_and_announced(db: str) -> None:
    site = await _site()
    editor = await _editor()
    _, builder_secret = await create_token("the build", models.Role.BUILDER)
    builder = {"Authorization": f"Bearer {builder_secret}"}
    await models.WebhookSubscriber.create(
        url="https://hooks.example.org/", secret="s" * 32, events="*"
    )

    async with app_client(db) as http:
        made = await graphql(http, CREATE_MENU, {"input": _main_menu(site)}, editor)
        menu_id = made["data"]["createMenu"]["menu"]["id"]
        start = await graphql(http, CHANGES, {}, builder)
        token = start["data"]["changes"]["nextToken"]
        await graphql(http, UNPUBLISH, {"id": _id(site["hills"])}, editor)
        later = await graphql(http, CHANGES, {"since": token}, builder)
        export = await http.get("/export.ndjson", headers=builder)

    menu_entries = [e for e in start["data"]["changes"]["entries"] if e["typename"] == "Menu"]
    assert [(e["kind"], e["id"]) for e in menu_entries] == [("UPSERT", menu_id)]
    entries = {(e["typename"], e["id"]): e for e in later["data"]["changes"]["entries"]}
    # The post left the public view, and the menu that showed it changed with it.
    assert entries[("Post", _id(site["hills"]))]["kind"] == "DELETE"
    assert entries[("Menu", menu_id)]["kind"] == "UPSERT"
    assert entries[("Menu", menu_id)]["contentDigest"] != menu_entries[0]["contentDigest"]
    lines = [line for line in export.text.splitlines() if '"Menu"' in line]
    assert len(lines) == 1
    assert '"Hill repeats"' not in lines[0]  # unpublished now: not in the menu
    assert '"Trails"' in lines[0]
    events = await models.WebhookDelivery.all().values_list("event", flat=True)
    assert "menu.changed" in events


@pytest.mark.parametrize("levels", [60, 400, 470, 490, 2000])
async def test_a_tree_nested_past_any_limit_is_refused_with_an_error(db: str, levels: int) -> None:
    editor = await _editor()
    # Written out by hand: Python's own JSON encoder recurses as deep as the tree.
    item = '{"label": "Deep", "url": "#", "children": [' * levels + '{"label": "Deep", "url": "#"}'
    item += "]}" * levels
    variables = '{"input": {"name": "Deep", "items": [' + item + "]}}"
    body = '{"query": ' + json.dumps(CREATE_MENU) + ', "variables": ' + variables + "}"

    async with app_client(db) as http:
        response = await http.post(
            "/graphql",
            content=body.encode(),
            headers={**editor, "Content-Type": "application/json"},
        )

    assert response.status_code in (200, 400), response.text
    errors = response.json().get("errors") or response.json()["data"]["createMenu"]["errors"]
    assert errors, response.text
    assert await models.Menu.all().count() == 0


async def test_a_menu_costs_what_its_items_could_hold(db: str, sql_log: SqlLog) -> None:
    one_menu = '{ menu(location: "primary") { items { label children { label } } } }'
    every_menu = "{ menus { items { label } } }"
    every_linked_post = (
        "{ menus { items { node { ... on Post { comments(first: 10) { nodes { content } } } } } } }"
    )

    async with app_client(db) as http:
        answers = [
            await http.post("/graphql", json={"query": query})
            for query in (one_menu, every_menu, every_linked_post)
        ]

    costs = [answer.json()["extensions"]["cost"]["requested"] for answer in answers]
    # A menu: itself, then at most MAX_MENU_ITEMS items on all its levels together.
    items = models.MAX_MENU_ITEMS
    assert costs[:2] == [1 + items, models.MAX_MENUS * (1 + items)]
    assert "errors" not in answers[0].json()
    assert "errors" not in answers[1].json()
    refused = answers[2].json()
    assert costs[2] > 200_000
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["QUERY_TOO_COMPLEX"]


async def test_a_scheduled_post_enters_the_menus_linking_to_it_at_its_time(db: str) -> None:
    writer = await factories.author()
    soon = await factories.post(writer, published_at=timezone.now() + timedelta(days=1))
    menu = await factories.menu("Main", "primary", [("Soon", soon, []), ("Home", "/", [])])
    await factories.menu("Other", None, [("Home", "/", [])])

    announced = await announce_due(timezone.now() + timedelta(days=2))

    assert announced == [soon.id]
    logged = await models.Change.filter(typename="Menu").values_list("node_id", "kind")
    assert logged == [(menu.id, models.ChangeKind.UPSERT)]
