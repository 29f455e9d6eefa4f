"""Navigation menus: a named tree of links to posts, categories (and the other linked kinds)
or custom URLs, and the one rule of which of its items the public sees."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

CUSTOM_LINK = "custom"
"""`MenuItem.link_kind` of an item that links to a URL of its own, not to a node."""

MAX_MENUS = 100
"""Menus on a site, at most (a theme shows a handful): `Query.menus` lists them all, and its
cost is measured with this bound (`gql.extensions.document_limits`)."""
MAX_MENU_ITEMS = 500
"""Items in one menu, all levels together, at most: a menu is navigation, not a sitemap."""
MAX_MENU_DEPTH = 20
"""Levels of items, at most (the theme unit test export's deepest menu has 11)."""


class Menu(Model):
    """A menu: its items form a tree (`MenuItem.parent`), ordered by `position`."""

    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=200, unique=True)
    name = fields.CharField(max_length=250)
    location = fields.CharField(
        max_length=100,
        null=True,
        unique=True,
        description='Where the site shows it ("primary"), one menu per location.',
    )
    wp_term_id = fields.IntField(null=True, unique=True, description="WordPress term id.")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    items: fields.ReverseRelation[MenuItem]

    class Meta:
        table = "menu"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class MenuItem(Model):
    """One link of a menu. `link_kind` names what it links to (`custom`, or a kind of node
    whose primary key is `link_id`); the kinds are a registry of the GraphQL layer, so a new
    linked type needs no column."""

    id = fields.IntField(primary_key=True)
    menu: fields.ForeignKeyRelation[Menu] = fields.ForeignKeyField(
        "models.Menu", related_name="items", on_delete=fields.CASCADE
    )
    parent: fields.ForeignKeyNullableRelation[MenuItem] = fields.ForeignKeyField(
        "models.MenuItem", related_name="children", null=True, on_delete=fields.CASCADE
    )
    position = fields.IntField(default=0, description="Order among its siblings.")
    label = fields.CharField(
        max_length=500, default="", description="Its own title, or empty for the linked node's."
    )
    link_kind = fields.CharField(max_length=20, default=CUSTOM_LINK)
    link_id = fields.IntField(null=True, description="The linked node's primary key.")
    url = fields.CharField(max_length=2000, default="", description="A custom item's URL.")
    target = fields.CharField(max_length=20, null=True, description='"_blank", or none.')
    wp_id = fields.IntField(null=True, description="WordPress post id of the menu item.")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    menu_id: int
    parent_id: int | None
    children: fields.ReverseRelation[MenuItem]

    class Meta:
        table = "menu_item"
        ordering = ["id"]
        # One export item per menu: WordPress exports share post ids between menus.
        unique_together = (("menu", "wp_id"),)
        indexes = (
            Index(fields=("menu_id", "position"), name="menu_item_menu_idx"),
            Index(fields=("link_kind", "link_id"), name="menu_item_link_idx"),
            Index(fields=("parent_id",), name="menu_item_parent_idx"),
        )

    def __str__(self) -> str:
        return self.label or f"{self.link_kind} {self.link_id or self.url}"


class TreeItem(Protocol):
    """What the tree is built from: an item row's own key, parent and place."""

    @property
    def id(self) -> int: ...

    @property
    def parent_id(self) -> int | None: ...

    @property
    def position(self) -> int: ...


ItemT = TypeVar("ItemT", bound=TreeItem)


@dataclass(frozen=True)
class Branch(Generic[ItemT]):
    """An item shown in a menu, and its shown children in order."""

    item: ItemT
    children: tuple[Branch[ItemT], ...]


def menu_tree(items: Iterable[ItemT], shown: Callable[[ItemT], bool]) -> list[Branch[ItemT]]:
    """The public tree of one menu's `items` (read in one query): top-level items in order,
    each with its children.

    The rule of what the public sees: an item is left out when `shown` says its link is
    not public (a draft post, a deleted category); its shown children take its place, in
    their order, one level up. Dropping them with it would lose public links (a public
    page under a draft one), and nothing of the hidden item (title, address) remains. An
    item whose parent is not among `items` (never written so) counts as top-level; a cycle
    of parents (never written either) is never reached from the top, so it is not shown.
    """
    rows = list(items)
    known = {row.id for row in rows}
    by_parent: dict[int | None, list[ItemT]] = {}
    for row in rows:
        parent = row.parent_id if row.parent_id in known else None
        by_parent.setdefault(parent, []).append(row)
    for siblings in by_parent.values():
        siblings.sort(key=lambda row: (row.position, row.id))

    def level(parent: int | None, seen: frozenset[int]) -> list[Branch[ItemT]]:
        branches: list[Branch[ItemT]] = []
        for row in by_parent.get(parent, ()):
            if row.id in seen:
                continue
            children = level(row.id, seen | {row.id})
            if shown(row):
                branches.append(Branch(row, tuple(children)))
            else:
                branches.extend(children)
        return branches

    return level(None, frozenset())
