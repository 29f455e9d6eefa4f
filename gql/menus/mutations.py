"""Writing menus (editors only): one mutation per menu with its whole tree of items.

`createMenu` and `updateMenu` take the items as a tree (`MenuItemInput.children`); an update
that names `items` replaces the whole tree, one that leaves it out keeps it. Every problem of
the input is reported at once, each at its path (`items.0.children.2.url`), and nothing is
written unless there are none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlsplit

import strawberry

import models
from gql.context import Context, Info
from gql.core.ids import from_global_id, input_pk
from gql.core.input_rules import text_problems
from gql.core.permissions import Permission, Viewer, require
from gql.core.slug_rules import free_slug, slug_problem, slug_taken, slug_taken_problem
from gql.errors import BadUserInputError, Problem, UserError, UserErrorCode
from gql.menus.links import BY_TYPENAME, LINKS, Link
from gql.menus.types import Menu
from gql.posts.mutations import DeletePayload
from gql.publishing.audit import Change, audited_write
from gql.publishing.effects import Effects
from gql.publishing.kinds import MENU

MAX_MENU_ITEMS = models.MAX_MENU_ITEMS
MAX_MENU_DEPTH = models.MAX_MENU_DEPTH
TARGETS = frozenset({"_blank", "_self", "_parent", "_top"})
LOCATION_RULE = "A location is lowercase letters, digits, '-' and '_', like `primary`."
_LINKABLE = ", ".join(link.typename for link in LINKS)


@strawberry.input(description="One item of a menu, with the items nested in it.")
class MenuItemInput:
    node_id: strawberry.ID | None = strawberry.field(
        default=None,
        description=f"What it links to: the ID of a {_LINKABLE.replace(', ', ' or ')}.",
    )
    url: str | None = strawberry.field(
        default=None,
        description="A custom URL, for an item that links to no node: an http(s) address, a "
        'path of the site ("/shop/") or a fragment ("#top").',
    )
    label: str | None = strawberry.field(
        default=None,
        description="Its text; an item linking to a node shows the node's title without one.",
    )
    target: str | None = strawberry.field(
        default=None, description='The link\'s target: "_blank" opens it in a new window.'
    )
    children: list[MenuItemInput] | None = strawberry.field(
        default=None, description="Items nested in it, in order."
    )


@strawberry.input(description="A new menu and its items.")
class CreateMenuInput:
    name: str = strawberry.field(description="Its name, 1 to 250 characters.")
    slug: str | None = strawberry.field(
        default=None, description="Made from the name if not given."
    )
    location: str | None = strawberry.field(
        default=None, description='Where the site shows it ("primary"); one menu per location.'
    )
    items: list[MenuItemInput] = strawberry.field(
        default_factory=list, description="Its top-level items, in order, with their children."
    )


@strawberry.input(description="Changes to a menu: fields not given stay as they are.")
class UpdateMenuInput:
    id: strawberry.ID = strawberry.field(description="The menu.")
    name: str | None = strawberry.field(default=None, description="A new name.")
    slug: str | None = strawberry.field(default=None, description="A new slug.")
    location: str | None = strawberry.field(
        default=strawberry.UNSET, description="A new location; null shows it nowhere."
    )
    items: list[MenuItemInput] | None = strawberry.field(
        default=None, description="The whole new tree of items (replaces every item)."
    )


@strawberry.input(description="Delete a menu and its items.")
class DeleteMenuInput:
    id: strawberry.ID = strawberry.field(description="The menu.")


@strawberry.type(description="The answer to a menu write.")
class MenuPayload:
    menu: Menu | None = strawberry.field(description="The menu as it is now.")
    errors: list[UserError] = strawberry.field(description="Empty on success.")


@dataclass
class PlannedItem:
    """An input item, checked: what its row will hold, and its children."""

    label: str
    link: Link | None
    link_id: int | None
    url: str
    target: str | None
    children: list[PlannedItem]


@dataclass
class _Plan:
    """The checked tree, the problems found, and the nodes it links to (checked at once)."""

    problems: list[Problem]
    count: int = 0
    linked: dict[str, dict[int, str]] | None = None
    """By link kind: node key -> the path of the first item naming it (for NOT_FOUND)."""


def _url_problem(field: str, url: str) -> Problem | None:
    """A custom URL: http(s) with a host, mailto/tel, a path of the site or a fragment."""
    if url.startswith(("#", "?")) or (url.startswith("/") and not url.startswith("//")):
        valid = True
    else:
        try:
            parts = urlsplit(url)
            valid = (parts.scheme in ("http", "https") and bool(parts.hostname)) or (
                parts.scheme in ("mailto", "tel") and bool(parts.path)
            )
        except ValueError:
            valid = False
    if valid and not any(c.isspace() for c in url):
        return None
    return Problem(
        field,
        UserErrorCode.INVALID_URL,
        'Not an http(s), mailto: or tel: address, a path ("/shop/") or a fragment ("#top").',
    )


def _item(sent: MenuItemInput, path: str, depth: int, plan: _Plan) -> PlannedItem:
    plan.count += 1
    problems = plan.problems
    problems += text_problems(f"{path}.label", sent.label, maximum=500)
    link: Link | None = None
    link_id: int | None = None
    url = (sent.url or "").strip()
    if (sent.node_id is None) == (not url):
        problems.append(
            Problem(f"{path}.nodeId", UserErrorCode.INVALID, "Give exactly one of nodeId or url.")
        )
    elif sent.node_id is not None:
        typename, link_id = _node_of(sent.node_id)
        link = BY_TYPENAME.get(typename or "")
        if link is None or link_id is None:
            problems.append(
                Problem(f"{path}.nodeId", UserErrorCode.INVALID, f"Not the ID of a {_LINKABLE}.")
            )
        else:
            assert plan.linked is not None
            plan.linked.setdefault(link.kind, {}).setdefault(link_id, f"{path}.nodeId")
    else:
        url_problems = text_problems(f"{path}.url", url, maximum=2000)
        invalid = None if url_problems else _url_problem(f"{path}.url", url)
        problems += url_problems + ([invalid] if invalid else [])
        if not (sent.label or "").strip():
            problems.append(
                Problem(f"{path}.label", UserErrorCode.REQUIRED, "A custom link needs a label.")
            )
    target = sent.target or None
    if target is not None and target not in TARGETS:
        problems.append(
            Problem(f"{path}.target", UserErrorCode.INVALID, "One of _blank, _self, _parent, _top.")
        )
    children = sent.children or []
    if children and depth >= MAX_MENU_DEPTH:
        problems.append(
            Problem(
                f"{path}.children",
                UserErrorCode.INVALID,
                f"At most {MAX_MENU_DEPTH} levels of items.",
            )
        )
        children = []
    planned = [
        _item(child, f"{path}.children.{n}", depth + 1, plan)
        for n, child in enumerate(children)
        if plan.count < MAX_MENU_ITEMS
    ]
    if len(planned) < len(children):
        plan.count = MAX_MENU_ITEMS + 1
    return PlannedItem(
        label=(sent.label or "").strip(),
        link=link,
        link_id=link_id,
        url="" if link is not None else url,
        target=target,
        children=planned,
    )


def _node_of(raw: str) -> tuple[str | None, int | None]:
    try:
        typename, pk = from_global_id(raw)
    except BadUserInputError:
        return None, None
    return typename, pk


async def plan_items(items: Sequence[MenuItemInput]) -> tuple[list[PlannedItem], list[Problem]]:
    """Check an input tree; every problem at once, at its path. The linked nodes must exist
    (a draft is fine: the menu shows it once it is public); one query per linked kind."""
    plan = _Plan(problems=[], linked={})
    planned: list[PlannedItem] = []
    for n, sent in enumerate(items):
        if plan.count >= MAX_MENU_ITEMS:
            plan.count = MAX_MENU_ITEMS + 1
            break
        planned.append(_item(sent, f"items.{n}", 1, plan))
    if plan.count > MAX_MENU_ITEMS:
        return [], [
            Problem("items", UserErrorCode.INVALID, f"At most {MAX_MENU_ITEMS} items in a menu.")
        ]
    assert plan.linked is not None
    for kind, wanted in plan.linked.items():
        link = next(link for link in LINKS if link.kind == kind)
        found: list[Any] = await link.model.filter(id__in=list(wanted)).values_list("id", flat=True)
        for pk in sorted(set(wanted) - {int(pk) for pk in found}):
            message = f"No such {link.typename.lower()}."
            plan.problems.append(Problem(wanted[pk], UserErrorCode.NOT_FOUND, message))
    return planned, plan.problems


def _location_problems(location: str | None) -> list[Problem]:
    if location is None:
        return []
    problems = text_problems("location", location, maximum=100, required=True)
    allowed = set("abcdefghijklmnopqrstuvwxyz0123456789-_")
    if not problems and not set(location) <= allowed:
        problems.append(Problem("location", UserErrorCode.INVALID, LOCATION_RULE))
    return problems


def _field_problems(name: str | None, slug: str | None, location: str | None) -> list[Problem]:
    problems = text_problems("name", name, maximum=250, required=name is not None)
    invalid_slug = slug_problem(slug)
    problems += [invalid_slug] if invalid_slug else []
    return problems + _location_problems(location)


async def _write_items(
    connection: Any, menu_id: int, items: Sequence[PlannedItem], parent_id: int | None = None
) -> None:
    for position, item in enumerate(items):
        row = await models.MenuItem.create(
            menu_id=menu_id,
            parent_id=parent_id,
            position=position,
            label=item.label,
            link_kind=item.link.kind if item.link is not None else models.CUSTOM_LINK,
            link_id=item.link_id,
            url=item.url,
            target=item.target,
            using_db=connection,
        )
        await _write_items(connection, menu_id, item.children, row.id)


def _payload(row: models.Menu | None, problems: list[Problem]) -> MenuPayload:
    if problems or row is None:
        return MenuPayload(menu=None, errors=[p.user_error() for p in problems])
    return MenuPayload(menu=Menu.from_model(row), errors=[])


async def _location_taken(location: str | None, other_than: int | None, connection: Any) -> bool:
    if location is None:
        return False
    others = models.Menu.filter(location=location).exclude(id=other_than or 0)
    return bool(await others.using_db(connection).exists())


_TOO_MANY_MENUS = Problem(
    None, UserErrorCode.INVALID, f"A site has at most {models.MAX_MENUS} menus: delete one first."
)
_LOCATION_TAKEN = Problem(
    "location", UserErrorCode.IN_USE, "Another menu is at this location: move it first."
)


async def _audited(context: Context, viewer: Viewer, verb: str, block: Any) -> list[Problem]:
    return await audited_write(context, viewer, f"menu.{verb}", block, slug_of="menu")


async def _existing(raw: str, problems: list[Problem]) -> int | None:
    pk = input_pk(raw, "Menu")
    if pk is None:
        problems.append(Problem("id", UserErrorCode.INVALID, "Not a Menu ID."))
    elif not await models.Menu.exists(id=pk):
        problems.append(Problem("id", UserErrorCode.NOT_FOUND, "No such menu."))
    return pk


@strawberry.type
class MenuMutations:
    @strawberry.mutation(description="Make a menu with its items (editors only).")
    async def create_menu(
        self,
        info: Info,
        input: Annotated[CreateMenuInput, strawberry.argument(description="The menu.")],
    ) -> MenuPayload:
        viewer = require(info.context.viewer, Permission.WRITE_CONTENT)
        info.context.depends.private()
        problems = _field_problems(input.name, input.slug, input.location)
        items, item_problems = await plan_items(input.items)
        problems += item_problems
        if problems:
            return _payload(None, problems)
        row = models.Menu(name=input.name.strip(), location=input.location)

        async def block(effects: Effects) -> Change:
            connection = effects.connection
            if input.slug is not None:
                if await slug_taken(models.Menu, input.slug, None, connection):
                    return Change(problems=[slug_taken_problem("menu")])
                row.slug = input.slug
            else:
                row.slug = await free_slug(models.Menu, row.name, "menu", connection)
            if await _location_taken(row.location, None, connection):
                return Change(problems=[_LOCATION_TAKEN])
            if await models.Menu.all().using_db(connection).count() >= models.MAX_MENUS:
                return Change(problems=[_TOO_MANY_MENUS])
            await row.save(using_db=connection)
            await _write_items(connection, row.id, items)
            await effects.node(MENU, row, was_public=False)
            return Change(target=f"Menu:{row.id}", details=row.slug)

        problems = await _audited(info.context, viewer, "create", block)
        return _payload(row, problems)

    @strawberry.mutation(
        description="Change a menu (editors only); `items` replaces its whole tree."
    )
    async def update_menu(
        self,
        info: Info,
        input: Annotated[UpdateMenuInput, strawberry.argument(description="The changes.")],
    ) -> MenuPayload:
        viewer = require(info.context.viewer, Permission.WRITE_CONTENT)
        info.context.depends.private()
        problems: list[Problem] = []
        pk = await _existing(input.id, problems)
        moving = input.location is not strawberry.UNSET
        location = input.location if moving else None
        problems += _field_problems(input.name, input.slug, location)
        items: list[PlannedItem] = []
        if input.items is not None:
            items, item_problems = await plan_items(input.items)
            problems += item_problems
        if problems or pk is None:
            return _payload(None, problems)
        row = await models.Menu.get(id=pk)

        async def block(effects: Effects) -> Change:
            connection = effects.connection
            if input.slug is not None and input.slug != row.slug:
                if await slug_taken(models.Menu, input.slug, row.id, connection):
                    return Change(problems=[slug_taken_problem("menu")])
                row.slug = input.slug
            if input.name is not None:
                row.name = input.name.strip()
            if moving:
                if await _location_taken(location, row.id, connection):
                    return Change(problems=[_LOCATION_TAKEN])
                row.location = location
            await row.save(using_db=connection)
            if input.items is not None:
                await models.MenuItem.filter(menu_id=row.id).using_db(connection).delete()
                await _write_items(connection, row.id, items)
            await effects.node(MENU, row, was_public=True)
            return Change(target=f"Menu:{row.id}")

        problems = await _audited(info.context, viewer, "update", block)
        return _payload(row, problems)

    @strawberry.mutation(description="Delete a menu and its items (editors only).")
    async def delete_menu(
        self,
        info: Info,
        input: Annotated[DeleteMenuInput, strawberry.argument(description="Which.")],
    ) -> DeletePayload:
        viewer = require(info.context.viewer, Permission.WRITE_CONTENT)
        info.context.depends.private()
        problems: list[Problem] = []
        pk = await _existing(input.id, problems)
        if problems or pk is None:
            return DeletePayload.answer("Menu", None, problems)
        deleted_pk = pk

        async def block(effects: Effects) -> Change:
            connection = effects.connection
            row = await models.Menu.get(id=deleted_pk, using_db=connection)
            await effects.node(MENU, row, was_public=True, deleted=True)
            await row.delete(using_db=connection)
            return Change(target=f"Menu:{deleted_pk}", details=row.slug)

        problems = await _audited(info.context, viewer, "delete", block)
        return DeletePayload.answer("Menu", None if problems else deleted_pk, problems)
