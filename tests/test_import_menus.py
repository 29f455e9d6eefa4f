"""Importing a WordPress export's menus: `nav_menu` terms and their `nav_menu_item` trees,
from the theme unit test export and from small hand-written exports; re-imports change
nothing; items linking to what the export does not hold are left out and counted."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

import models
from tests.conftest import app_client, graphql
from tests.test_import_wordpress import WP12, fixture, item, write, wxr
from threadpress.wordpress import import_wxr

TREE = """
query($slug: String) { menu(slug: $slug) { name location items { ...I children { ...I
  children { ...I children { ...I } } } } } }
fragment I on MenuItem { label url target node { __typename ... on Post { slug } } }
"""


def _file_menu_items() -> Counter[tuple[str, str]]:
    """(menu slug, what the item links to) of every menu item of the fixture, counted with
    the standard library's plain parser."""
    counts: Counter[tuple[str, str]] = Counter()
    for element in ElementTree.parse(fixture()).getroot().iter("item"):
        if element.findtext(f"{WP12}post_type") != "nav_menu_item":
            continue
        menu = next(c.get("nicename") for c in element.iter("category"))
        meta = {
            m.findtext(f"{WP12}meta_key"): m.findtext(f"{WP12}meta_value")
            for m in element.iter(f"{WP12}postmeta")
        }
        counts[(str(menu), str(meta["_menu_item_object"]))] += 1
    return counts


def _shape(items: list[dict[str, Any]]) -> list[Any]:
    return [
        (i["label"], i["url"], _shape(i["children"])) if i.get("children") else i["label"]
        for i in items
    ]


async def test_theme_unit_test_menus_import_with_their_trees(db: str) -> None:
    in_file = _file_menu_items()

    summary = await import_wxr(fixture(), progress=False)
    again = await import_wxr(fixture(), progress=False)

    assert sum(in_file.values()) == 70
    assert sum(n for (_, linked), n in in_file.items() if linked == "page") == 44
    assert sum(n for (_, linked), n in in_file.items() if linked == "category") == 3
    assert vars(summary.counts["menus"]) == {"imported": 6, "updated": 0, "unchanged": 0}
    assert vars(summary.counts["menu items"]) == {"imported": 70, "updated": 0, "unchanged": 0}
    assert not [what for what in summary.skipped if "menu" in what]
    per_menu: Counter[str] = Counter()
    for (menu, _linked), n in in_file.items():
        per_menu[menu] += n
    stored = Counter(
        str(slug) for slug in await models.MenuItem.all().values_list("menu__slug", flat=True)
    )
    assert stored == per_menu
    assert set(await models.Menu.all().values_list("slug", flat=True)) == {
        "all-pages",
        "all-pages-flat",
        "empty-menu",
        "short",
        "testing-menu",
        "social-menu",
    }
    # Re-importing finds everything as it was.
    assert vars(again.counts["menus"]) == {"imported": 0, "updated": 0, "unchanged": 6}
    assert vars(again.counts["menu items"]) == {"imported": 0, "updated": 0, "unchanged": 70}
    assert not again.changed_anything

    async with app_client(db) as http:
        testing = await graphql(http, TREE, {"slug": "testing-menu"})
        social = await graphql(http, TREE, {"slug": "social-menu"})
        all_pages = await graphql(http, TREE, {"slug": "all-pages"})

    menu = testing["data"]["menu"]
    assert (menu["name"], menu["location"]) == ("Testing Menu", None)  # WXR has no locations
    assert _shape(menu["items"]) == [
        ("Pages", "#", ["Page Image Alignment", "Page Markup And Formatting"]),
        (
            "Categories",
            "#",
            ["Markup", "Post Formats", "Unpublished"],
        ),
        ("Depth", "#", [("Level 01", "#", [("Level 02", "#", ["Level 03"])])]),
        (
            "Advanced",
            "#",
            ["Menu Title Attribute", "Menu CSS Class", "New Window / Tab"],
        ),
        "Menu Description",
    ]
    categories = menu["items"][1]["children"]
    # No title of their own: the category's name, and its address on this site.
    assert [(c["url"], c["node"]["__typename"]) for c in categories] == [
        ("/category/markup/", "Category"),
        ("/category/post-formats/", "Category"),
        ("/category/unpublished/", "Category"),
    ]
    new_tab = menu["items"][3]["children"][2]
    assert (new_tab["url"], new_tab["target"]) == ("https://wordpressfoundation.org/", "_blank")
    # The depth test goes eleven levels deep: Level 01 to Level 10 under "Depth".
    chain = []
    row = await models.MenuItem.get(menu__slug="testing-menu", label="Level 10")
    while row.parent_id is not None:
        row = await models.MenuItem.get(id=row.parent_id)
        chain.append(row.label)
    assert chain == [f"Level {n:02d}" for n in range(9, 0, -1)] + ["Depth"]
    # The pages' tree, at their nested addresses, labelled with their titles.
    assert _shape(all_pages["data"]["menu"]["items"]) == [
        "a Blog page",
        "Front Page",
        (
            "About The Tests",
            "/about/",
            [
                "Page Image Alignment",
                "Page Markup And Formatting",
                "Clearing Floats",
                "Page with comments",
                "Page with comments disabled",
            ],
        ),
        (
            "Level 1",
            "/level-1/",
            [
                ("Level 2", "/level-1/level-2/", ["Level 3", "Level 3a", "Level 3b"]),
                "Level 2a",
                "Level 2b",
            ],
        ),
        "Lorem Ipsum",
        "Page A",
        "Page B",
    ]
    assert [i["label"] for i in social["data"]["menu"]["items"]] == [
        "twitter.com",
        "facebook.com",
        "github.com",
        "linkedin.com",
        "instagram.com",
    ]


def menu_term(term_id: int, slug: str, name: str) -> str:
    return (
        f"<wp:term><wp:term_id>{term_id}</wp:term_id><wp:term_taxonomy>nav_menu</wp:term_taxonomy>"
        f"<wp:term_slug>{slug}</wp:term_slug><wp:term_name>{name}</wp:term_name></wp:term>"
    )


def menu_item(
    wp_id: int,
    menu: str,
    order: int,
    *,
    kind: str = "custom",
    linked: str = "custom",
    object_id: int = 0,
    parent: int = 0,
    url: str = "",
    title: str = "",
    target: str = "",
    status: str = "publish",
) -> str:
    meta = {
        "_menu_item_type": kind,
        "_menu_item_menu_item_parent": str(parent),
        "_menu_item_object_id": str(object_id or wp_id),
        "_menu_item_object": linked,
        "_menu_item_target": target,
        "_menu_item_url": url,
    }
    postmeta = "".join(
        f"<wp:postmeta><wp:meta_key>{k}</wp:meta_key><wp:meta_value><![CDATA[{v}]]>"
        "</wp:meta_value></wp:postmeta>"
        for k, v in meta.items()
    )
    return f"""<item><title>{title}</title><dc:creator>kim</dc:creator>
<wp:post_id>{wp_id}</wp:post_id><wp:status>{status}</wp:status><wp:menu_order>{order}</wp:menu_order>
<wp:post_type>nav_menu_item</wp:post_type>
<category domain="nav_menu" nicename="{menu}"><![CDATA[{menu.title()}]]></category>
{postmeta}</item>"""


def _export(*, home: str = "Home", with_recovery: bool = True) -> str:
    menu_items = [
        menu_item(101, "main", 1, url="/", title=home),
        # Before the post it links to; no title: the post's.
        menu_item(102, "main", 2, kind="post_type", linked="post", object_id=1),
        menu_item(103, "main", 3, kind="post_type", linked="page", object_id=7, title="About"),
        menu_item(104, "main", 4, parent=103, url="https://shop.example.org/", title="Shop"),
        menu_item(106, "main", 6, kind="post_type", linked="post", object_id=2, title="Soon"),
        menu_item(107, "main", 7, kind="post_type", linked="post", object_id=3),
        menu_item(108, "main", 8, kind="taxonomy", linked="post_tag", object_id=9),
        menu_item(109, "main", 9, url="#", title="Pending", status="draft"),
        # Another menu, named only on its item, reusing an id (WordPress exports do).
        menu_item(101, "footer", 1, url="mailto:kim@example.org", title="Write", target="_blank"),
    ]
    if with_recovery:
        menu_items.insert(
            4,
            menu_item(105, "main", 5, kind="taxonomy", linked="category", object_id=6, parent=102),
        )
    posts = [
        item(1, name="hill-repeats", title="Hill repeats"),
        item(2, name="draft-plans", status="draft", title="Draft plans"),
        item(3, name="gone", status="trash"),
        item(7, post_type="page", name="about"),
    ]
    return wxr(
        "https://wordpress.org/export/1.2/",
        "".join(menu_items + posts),
        extra=menu_term(40, "main", "Main menu"),
    )


async def test_menu_items_link_to_posts_pages_and_categories_and_leave_out_what_is_missing(
    db: str, tmp_path: Path
) -> None:
    path = write(tmp_path, _export())

    summary = await import_wxr(path, progress=False)

    assert vars(summary.counts["menus"]) == {"imported": 2, "updated": 0, "unchanged": 0}
    assert vars(summary.counts["menu items"]) == {"imported": 7, "updated": 0, "unchanged": 0}
    # The trashed post and the tag are not in the export; the draft item is not published.
    assert {k: v for k, v in summary.skipped.items() if "menu" in k} == {
        "menu item linking to something not imported": 2,
        "menu item with status 'draft'": 1,
    }
    report = summary.report()
    assert "menu items: 7 imported, 0 updated, 0 unchanged" in report
    async with app_client(db) as http:
        main = await graphql(http, TREE, {"slug": "main"})
        footer = await graphql(http, TREE, {"slug": "footer"})

    post = await models.Post.get(wp_id=1)
    assert main["data"]["menu"]["name"] == "Main menu"
    assert main["data"]["menu"]["items"] == [
        {"label": "Home", "url": "/", "target": None, "node": None, "children": []},
        {
            "label": "Hill repeats",
            "url": post.uri,
            "target": None,
            "node": {"__typename": "Post", "slug": "hill-repeats"},
            "children": [
                {
                    "label": "Recovery",
                    "url": "/category/running/recovery/",
                    "target": None,
                    "node": {"__typename": "Category"},
                    "children": [],
                }
            ],
        },
        # The page's own title, its address, and the item nested in it.
        {
            "label": "About",
            "url": "/about/",
            "target": None,
            "node": {"__typename": "Page"},
            "children": [
                {
                    "label": "Shop",
                    "url": "https://shop.example.org/",
                    "target": None,
                    "node": None,
                    "children": [],
                }
            ],
        },
        # The draft's item is stored, and shown once the post is published.
    ]
    assert await models.MenuItem.filter(label="Soon").exists()
    assert footer["data"]["menu"]["items"] == [
        {
            "label": "Write",
            "url": "mailto:kim@example.org",
            "target": "_blank",
            "node": None,
            "children": [],
        }
    ]


async def test_a_changed_export_updates_and_removes_menu_items(
    db: str, tmp_path: Path, client: httpx.AsyncClient
) -> None:
    await import_wxr(write(tmp_path, _export()), progress=False)
    menu = await models.Menu.get(slug="main")
    again = await import_wxr(write(tmp_path, _export(), "same.xml"), progress=False)

    changed = await import_wxr(
        write(tmp_path, _export(home="Start", with_recovery=False), "changed.xml"),
        progress=False,
    )

    assert not again.changed_anything
    assert vars(changed.counts["menu items"]) == {"imported": 0, "updated": 1, "unchanged": 5}
    assert changed.notes["menu items no longer in the export removed"] == 1
    assert not await models.MenuItem.filter(label="Recovery").exists()
    assert (await models.Menu.get(id=menu.id)).updated_at > menu.updated_at
    body = await graphql(client, TREE, {"slug": "main"})
    assert [i["label"] for i in body["data"]["menu"]["items"]] == ["Start", "Hill repeats", "About"]
