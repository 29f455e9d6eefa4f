"""A menu's public tree, read in a fixed number of queries: its items in one (all levels),
the nodes they link to in one per linked kind (batched across every menu of the request),
then the tree built in memory by `models.menu_tree`'s rule.

`Menu.items`, `Query.node` for a `MenuItem`, the change log's digests and the bulk export all
read menus through `public_trees`, so they agree on what the public sees.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import models
from gql.core.ids import to_global_id
from gql.loaders import Loaders
from gql.menus.links import BY_KIND, Link
from models.rows import MenuItemRow


@dataclass(frozen=True)
class ShownItem:
    """A public menu item: its row, what it shows, the node it links to, its children."""

    row: MenuItemRow
    label: str
    url: str
    linked: tuple[Link, Any] | None
    """The linked kind and the node's row; None for a custom item."""
    children: tuple[ShownItem, ...]

    def fields(self) -> dict[str, Any]:
        """Its public fields and its children's, as the digest and export carry them."""
        node = None
        if self.linked is not None:
            link, row = self.linked
            node = to_global_id(link.typename, int(row.id))
        return {
            "id": to_global_id("MenuItem", self.row.id),
            "label": self.label,
            "url": self.url,
            "target": self.row.target,
            "node": node,
            "children": [child.fields() for child in self.children],
        }


def _shown(branch: models.Branch[MenuItemRow], found: dict[tuple[str, int], Any]) -> ShownItem:
    row = branch.item
    children = tuple(_shown(child, found) for child in branch.children)
    link = BY_KIND.get(row.link_kind)
    if link is None or row.link_id is None:
        return ShownItem(row, row.label, row.url, None, children)
    linked = found[(row.link_kind, row.link_id)]
    label = row.label or link.title(linked)
    return ShownItem(row, label, link.uri(linked), (link, linked), children)


async def public_trees(loaders: Loaders, menu_ids: Sequence[int]) -> list[list[ShownItem]]:
    """The public items of each menu of `menu_ids`, top level first, each with its children."""
    items = await loaders.menu_items_by_menu.load_many(list(menu_ids))
    wanted: dict[str, set[int]] = {}
    for row in (row for rows in items for row in rows):
        if row.link_kind in BY_KIND and row.link_id is not None:
            wanted.setdefault(row.link_kind, set()).add(row.link_id)
    kinds = sorted(wanted)
    loaded = await asyncio.gather(
        *(BY_KIND[kind].public_rows(loaders).load_many(sorted(wanted[kind])) for kind in kinds)
    )
    found: dict[tuple[str, int], Any] = {}
    for kind, rows in zip(kinds, loaded, strict=True):
        found.update({(kind, int(row.id)): row for row in rows if row is not None})

    def shown(row: MenuItemRow) -> bool:
        if row.link_kind == models.CUSTOM_LINK:
            return True
        # A linked node not public (a draft, deleted), or of a kind this code does not know.
        return (row.link_kind, row.link_id) in found

    return [[_shown(b, found) for b in models.menu_tree(rows, shown)] for rows in items]


def find(tree: Sequence[ShownItem], item_id: int) -> ShownItem | None:
    """The shown item `item_id` of a tree, at any level."""
    for item in tree:
        if item.row.id == item_id:
            return item
        found = find(item.children, item_id)
        if found is not None:
            return found
    return None
