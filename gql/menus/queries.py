"""Root fields that read menus, and a menu item by id (`Query.node`)."""

from __future__ import annotations

from typing import Annotated

import strawberry

import models
from gql.context import Info
from gql.errors import BadUserInputError, text_argument
from gql.menus.tree import find, public_trees
from gql.menus.types import Menu, MenuItem
from models.rows import MENUS


async def menu_by_id(info: Info, pk: int) -> Menu | None:
    """The menu with primary key `pk`."""
    row = await info.context.loaders.menu_by_id.load(pk)
    return Menu.from_row(row) if row is not None else None


async def menu_item_by_id(info: Info, pk: int) -> MenuItem | None:
    """The item `pk` as its menu shows it (with its shown children); None when it does not
    exist or its menu leaves it out (it links to something not public)."""
    loaders = info.context.loaders
    row = await loaders.menu_item_by_id.load(pk)
    if row is None:
        return None
    (tree,) = await public_trees(loaders, [row.menu_id])
    item = find(tree, pk)
    return MenuItem.of(item) if item is not None else None


@strawberry.type
class MenuQueries:
    @strawberry.field(description="One menu, by exactly one of `location` or `slug`.")
    async def menu(
        self,
        info: Info,
        location: Annotated[
            str | None, strawberry.argument(description='Where it is shown: "primary".')
        ] = None,
        slug: Annotated[str | None, strawberry.argument(description="The menu's slug.")] = None,
    ) -> Menu | None:
        if (location is None) == (slug is None):
            raise BadUserInputError("Pass exactly one of 'location' or 'slug'.")
        column, value = ("location", location) if location is not None else ("slug", slug)
        row = await MENUS.by(column, text_argument(value or "", column))
        depends = info.context.depends
        if row is None:
            depends.menu_list()
            return None
        depends.menus([row.id])
        return Menu.from_row(row)

    @strawberry.field(description="Every menu, in the order they were made.")
    async def menus(self, info: Info) -> list[Menu]:
        info.context.depends.menu_list()
        rows = await MENUS.read(models.Menu.all().order_by("id"))
        return [Menu.from_row(row) for row in rows]
