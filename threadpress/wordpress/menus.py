"""Upserting the export's menus (`nav_menu` terms, keyed on the term id, else the slug) and
their items (`nav_menu_item` items, keyed on their menu and WordPress post id: WordPress
exports the same post id in two menus).

An item links to what its `_menu_item_type`/`_menu_item_object` name, through the registry
of `gql.menus.links` (a post by its `wp_id`, a category by its `wp_term_id`), or to its own
`_menu_item_url` (`custom`). Items linking to kinds Threadpress does not have yet (pages,
tags) or to something the export does not import (a trashed post) are left out and counted;
their children move up to the nearest item kept, as the public tree shows a hidden item's
children (`models.menu_tree`). The items run after every post is written: an item may come
before the post it links to in the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from gql.menus.links import BY_WP_OBJECT, WP_LEFT_OUT, Link
from models import CUSTOM_LINK, MAX_MENU_DEPTH, MAX_MENU_ITEMS, MAX_MENUS, Menu, MenuItem
from models.text.slugs import slugify
from threadpress.wordpress.mapping import clip, free_slug
from threadpress.wordpress.records import ItemRecord, MenuRecord
from threadpress.wordpress.summary import ImportSummary

BATCH = 500
ITEM_FIELDS = ("parent_id", "position", "label", "link_kind", "link_id", "url", "target")


def menu_slug(record: MenuRecord) -> str:
    """The slug a menu is known by in the file (its slug, else its name)."""
    return slugify(record.slug) or slugify(record.name) or "menu"


async def upsert_menus(
    records: Sequence[MenuRecord], db: BaseDBAsyncClient, summary: ImportSummary, now: datetime
) -> dict[str, Menu]:
    """Create or update each menu; returns the menus by file slug."""
    term_ids = [r.term_id for r in records if r.term_id is not None]
    by_term = {m.wp_term_id: m for m in await Menu.filter(wp_term_id__in=term_ids).using_db(db)}
    by_slug = {
        m.slug: m for m in await Menu.filter(slug__in=[menu_slug(r) for r in records]).using_db(db)
    }
    taken = {str(s) for s in await Menu.all().using_db(db).values_list("slug", flat=True)}
    menus: dict[str, Menu] = {}
    created = updated = 0
    room = MAX_MENUS - await Menu.all().using_db(db).count()
    for record in records:
        key, name = menu_slug(record), clip(record.name, 250)
        row = by_term.get(record.term_id) if record.term_id is not None else None
        if row is None:
            candidate = by_slug.get(key)
            if candidate is not None and (candidate.wp_term_id is None or record.term_id is None):
                row = candidate  # the same menu, made before or by hand
        if row is None and room <= 0:
            summary.skip(f"menu past the limit of {MAX_MENUS} menus")
            continue
        if row is None:
            room -= 1
            row = Menu(slug=free_slug(key, taken), name=name, wp_term_id=record.term_id)
            row.created_at = row.updated_at = now
            await row.save(using_db=db)
            created += 1
        elif row.name != name or (record.term_id is not None and row.wp_term_id != record.term_id):
            row.name = name
            row.wp_term_id = record.term_id if record.term_id is not None else row.wp_term_id
            await row.save(using_db=db, update_fields=["name", "wp_term_id", "updated_at"])
            updated += 1
        menus[key] = row
    summary.count("menus", "imported", created)
    summary.count("menus", "updated", updated)
    summary.count("menus", "unchanged", len(menus) - created - updated)
    return menus


@dataclass
class _Planned:
    """A menu item as the file says it, mapped: what its row will hold."""

    wp_id: int
    parent_wp_id: int
    position: int
    label: str
    link_kind: str
    link_id: int | None
    url: str
    target: str | None


def _left_out_name(kind: str) -> str:
    return f"menu item linking to a {kind}"


async def _linked_keys(
    items: Sequence[ItemRecord], db: BaseDBAsyncClient
) -> dict[tuple[str, int], int]:
    """Our primary key of every node the items link to, by (link kind, WordPress id): one
    query per linked kind."""
    wanted: dict[str, set[int]] = {}
    links: dict[str, Link] = {}
    for item in items:
        link = BY_WP_OBJECT.get((item.menu_meta.get("type", ""), item.menu_meta.get("object", "")))
        object_id = item.menu_meta.get("object_id", "")
        if link is not None and link.wp_key is not None and object_id.isdigit():
            wanted.setdefault(link.kind, set()).add(int(object_id))
            links[link.kind] = link
    keys: dict[tuple[str, int], int] = {}
    for kind, wp_ids in wanted.items():
        link = links[kind]
        assert link.wp_key is not None
        query = link.model.filter(**{f"{link.wp_key}__in": sorted(wp_ids)}).using_db(db)
        pairs: list[Any] = await query.values_list(link.wp_key, "id")
        keys.update({(kind, int(wp_id)): int(pk) for wp_id, pk in pairs})
    return keys


def _plan(
    item: ItemRecord, keys: dict[tuple[str, int], int], summary: ImportSummary
) -> _Planned | None:
    """The row an item becomes, or None when it is left out (counted)."""
    meta = item.menu_meta
    menu_type, menu_object = meta.get("type", ""), meta.get("object", "")
    parent = meta.get("menu_item_parent", "")
    target = clip(meta.get("target", ""), 20) or None
    planned = _Planned(
        wp_id=item.wp_id,
        parent_wp_id=int(parent) if parent.isdigit() else 0,
        position=item.menu_order,
        label=clip(item.title, 500),
        link_kind=CUSTOM_LINK,
        link_id=None,
        url="",
        target=target,
    )
    if menu_type == "custom":
        url = meta.get("url", "").strip()
        if not url or len(url) > 2000:
            summary.skip("menu item without a usable URL")
            return None
        planned.url = url
        return planned
    link = BY_WP_OBJECT.get((menu_type, menu_object))
    if link is None:
        left_out = WP_LEFT_OUT.get((menu_type, menu_object), menu_object or menu_type or "?")
        summary.skip(_left_out_name(left_out))
        return None
    object_id = meta.get("object_id", "")
    pk = keys.get((link.kind, int(object_id))) if object_id.isdigit() else None
    if pk is None:
        summary.skip("menu item linking to something not imported")
        return None
    planned.link_kind, planned.link_id = link.kind, pk
    return planned


def _parents(planned: dict[int, _Planned], all_parents: dict[int, int]) -> dict[int, int | None]:
    """Each kept item's parent: its own, or the nearest kept ancestor when its parent was
    left out (`all_parents` has every item of the menu in the file, kept or not); top-level
    when the chain leaves the menu, loops, or nests deeper than a menu may."""
    parents: dict[int, int | None] = {}
    for wp_id, item in planned.items():
        seen, current = {wp_id}, item.parent_wp_id
        while current and current not in planned and current not in seen:
            seen.add(current)
            current = all_parents.get(current, 0)
        parents[wp_id] = current if current in planned and current not in seen else None
    for wp_id in planned:
        # A loop among kept items, or a chain deeper than a menu may nest: top-level.
        depth, seen, above = 0, {wp_id}, parents[wp_id]
        while above is not None and above not in seen and depth < MAX_MENU_DEPTH - 1:
            seen.add(above)
            depth += 1
            above = parents.get(above)
        if above is not None:
            parents[wp_id] = None
    return parents


async def upsert_menu_items(
    items: Sequence[ItemRecord],
    menus: dict[str, Menu],
    db: BaseDBAsyncClient,
    summary: ImportSummary,
    now: datetime,
) -> None:
    """Create, update or remove the items of every menu of the file (items of the menu
    that the file no longer has are removed; items added by hand are kept)."""
    keys = await _linked_keys(items, db)
    by_menu: dict[str, list[ItemRecord]] = {}
    for item in items:
        if item.status != "publish":
            summary.skip(f"menu item with status {item.status!r}")
        elif item.menu is None or menu_slug(item.menu) not in menus:
            summary.skip("menu item of no menu")
        else:
            by_menu.setdefault(menu_slug(item.menu), []).append(item)
    for key, menu_items in by_menu.items():
        await _upsert_menu(menus[key], menu_items, keys, db, summary, now)


async def _upsert_menu(
    menu: Menu,
    items: Sequence[ItemRecord],
    keys: dict[tuple[str, int], int],
    db: BaseDBAsyncClient,
    summary: ImportSummary,
    now: datetime,
) -> None:
    all_parents: dict[int, int] = {}
    planned: dict[int, _Planned] = {}
    for item in items:
        parent = item.menu_meta.get("menu_item_parent", "")
        all_parents[item.wp_id] = int(parent) if parent.isdigit() else 0
        if item.wp_id in planned:
            summary.note("menu items repeated in their menu (the first kept)")
            continue
        mapped = _plan(item, keys, summary)
        if mapped is not None and len(planned) >= MAX_MENU_ITEMS:
            summary.skip(f"menu item past the limit of {MAX_MENU_ITEMS} in its menu")
        elif mapped is not None:
            planned[item.wp_id] = mapped
    existing = {
        int(row.wp_id): row
        for row in await MenuItem.filter(menu_id=menu.id, wp_id__isnull=False).using_db(db)
        if row.wp_id is not None
    }
    gone = [row.id for wp_id, row in existing.items() if wp_id not in planned]
    new = [
        MenuItem(menu_id=menu.id, wp_id=wp_id, created_at=now, updated_at=now)
        for wp_id in planned
        if wp_id not in existing
    ]
    if new:
        await MenuItem.bulk_create(new, batch_size=BATCH, using_db=db)
        # bulk_create does not fill integer primary keys: read them back by export id.
        ids = dict(
            await MenuItem.filter(menu_id=menu.id, wp_id__in=[r.wp_id for r in new])
            .using_db(db)
            .values_list("wp_id", "id")
        )
        for row in new:
            row.id = ids[row.wp_id]
            existing[int(row.wp_id or 0)] = row
    created = {int(row.wp_id or 0) for row in new}
    parents = _parents(planned, all_parents)
    changed: list[MenuItem] = []
    updated = 0
    for wp_id, plan in planned.items():
        row = existing[wp_id]
        parent_wp_id = parents[wp_id]
        values: dict[str, Any] = {
            "parent_id": existing[parent_wp_id].id if parent_wp_id is not None else None,
            "position": plan.position,
            "label": plan.label,
            "link_kind": plan.link_kind,
            "link_id": plan.link_id,
            "url": plan.url,
            "target": plan.target,
        }
        if any(getattr(row, name) != value for name, value in values.items()):
            row.update_from_dict(values)
            row.updated_at = now
            changed.append(row)
            updated += wp_id not in created
    if changed:
        await MenuItem.bulk_update(
            changed, fields=[*ITEM_FIELDS, "updated_at"], batch_size=BATCH, using_db=db
        )
    if gone:
        # After the update: no kept item hangs on a removed one any more (the delete
        # cascades to children).
        await MenuItem.filter(id__in=gone).using_db(db).delete()
        summary.note("menu items no longer in the export removed", len(gone))
    if (changed or gone) and menu.updated_at != now:
        # Its items are the menu's public view: the menu changed with them.
        await Menu.filter(id=menu.id).using_db(db).update(updated_at=now)
    summary.count("menu items", "imported", len(created))
    summary.count("menu items", "updated", updated)
    summary.count("menu items", "unchanged", len(planned) - len(created) - updated)
