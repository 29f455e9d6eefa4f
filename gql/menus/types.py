"""The `Menu` and `MenuItem` types."""

from __future__ import annotations

import strawberry

import models
from gql.context import Info
from gql.core.ids import to_global_id
from gql.core.node import Node
from gql.menus.tree import ShownItem, public_trees
from models.rows import MENUS, MenuRow


@strawberry.type(
    description="A link of a menu: to a post, page, category, tag or author, or a custom URL."
)
class MenuItem(Node):
    database_id: int = strawberry.field(description="The item's primary key in the database.")
    label: str = strawberry.field(
        description="Its text: its own title, or the linked node's title or name."
    )
    url: str = strawberry.field(
        description="Where it leads: the linked node's address on the site (it follows the "
        'node when it moves: "/category/running/"), or a custom item\'s URL as given.'
    )
    target: str | None = strawberry.field(description='The link\'s target, like "_blank".')
    node: Node | None = strawberry.field(
        description="The post, page, category, tag or author it links to; null for a custom URL."
    )
    children: list[MenuItem] = strawberry.field(description="Items nested in it, in order.")

    @classmethod
    def of(cls, item: ShownItem) -> MenuItem:
        """The GraphQL view of a public item, its children built with it (in memory)."""
        node = None
        if item.linked is not None:
            link, row = item.linked
            node = link.node(row)
        return cls(
            id=strawberry.ID(to_global_id("MenuItem", item.row.id)),
            database_id=item.row.id,
            label=item.label,
            url=item.url,
            target=item.row.target or None,
            node=node,
            children=[cls.of(child) for child in item.children],
        )


@strawberry.type(description="A navigation menu: a tree of links the site shows somewhere.")
class Menu(Node):
    database_id: int = strawberry.field(description="The menu's primary key in the database.")
    name: str = strawberry.field(description="Its name, for editors.")
    slug: str = strawberry.field(description="URL-friendly name, unique among menus.")
    location: str | None = strawberry.field(
        description='Where the site shows it ("primary"), if anywhere; one menu per location.'
    )
    row: strawberry.Private[MenuRow]

    @classmethod
    def from_row(cls, row: MenuRow) -> Menu:
        """The public view of a menu row."""
        return cls(
            id=strawberry.ID(to_global_id("Menu", row.id)),
            database_id=row.id,
            name=row.name,
            slug=row.slug,
            location=row.location,
            row=row,
        )

    @classmethod
    def from_model(cls, menu: models.Menu) -> Menu:
        """The public view of a menu a write holds as a model."""
        return cls.from_row(MENUS.row_of(menu))

    @strawberry.field(
        description="Its top-level items, in order. Items linking to something not public "
        "are left out; their children take their place."
    )
    async def items(self, info: Info) -> list[MenuItem]:
        (tree,) = await public_trees(info.context.loaders, [self.row.id])
        return [MenuItem.of(item) for item in tree]
